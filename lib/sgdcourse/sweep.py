"""Repeat SGD runs over settings and seeds, so that a comparison carries its spread.

    final_losses(model, theta0, etas, ms, seeds, steps=T)   -> array (len(ms), len(etas), len(seeds))
    final_losses(..., epochs=E)                             -> the same at an equal epoch budget

Entry [a, b, s] is L(theta_T) of the run with batch size ms[a], step eta = etas[b] and batches drawn
by np.random.default_rng(seeds[s]); a run that diverges gives inf. Every (m, eta) pair sees the
same seeds, so two columns differ only by the setting, not by the luck of the draw.
"""

from __future__ import annotations

import numpy as np

from . import _validate as validate
from .sgd import sgd


def final_losses(model, theta0, etas, ms, seeds, *, steps=None, epochs=None, loss=None):
    """Final loss for every (m, eta, seed); `loss` (default model.loss) may be a held-out loss."""
    if (steps is None) == (epochs is None):
        raise ValueError("give exactly one of steps or epochs")
    etas = [validate.positive("etas", e) for e in np.atleast_1d(etas)]
    ms = [validate.integer("ms", m, lo=1, hi=model.n) for m in np.atleast_1d(ms)]
    seeds = [int(s) for s in np.atleast_1d(seeds)]
    if not (etas and ms and seeds):
        raise ValueError("etas, ms and seeds must each hold at least one value")
    loss = model.loss if loss is None else loss
    out = np.empty((len(ms), len(etas), len(seeds)))
    for a, m in enumerate(ms):
        for b, eta in enumerate(etas):
            for s, seed in enumerate(seeds):
                run = sgd(
                    model,
                    theta0,
                    eta,
                    m=m,
                    steps=steps,
                    epochs=epochs,
                    rng=np.random.default_rng(seed),
                    track_loss=False,
                )
                out[a, b, s] = np.inf if run.diverged else float(loss(run.theta))
    return out


def summary(values, axis=-1):
    """(mean, standard deviation) over seeds (axis), inf where any run diverged."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        mean, sd = values.mean(axis=axis), values.std(axis=axis)
    bad = ~np.isfinite(values).all(axis=axis)
    return np.where(bad, np.inf, mean), np.where(bad, np.inf, sd)


def table(values, rows, cols, digits=3):
    """A text table of mean ± sd over the last axis of values (len(rows), len(cols), seeds)."""
    mean, sd = summary(values)
    if mean.shape != (len(rows), len(cols)):
        raise ValueError(f"values has shape {np.shape(values)}, rows and cols need ({len(rows)}, {len(cols)}, seeds)")

    def cell(mu, s):
        return "diverged" if not np.isfinite(mu) else f"{mu:.{digits}f} ± {s:.{digits}f}"

    width = max(len(cell(mu, s)) for mu, s in zip(mean.ravel(), sd.ravel())) + 2
    width = max(width, max(len(c) for c in cols) + 2)
    lead = max(len(r) for r in rows)
    lines = [" " * lead + "".join(f"{c:>{width}}" for c in cols)]
    for r, mus, sds in zip(rows, mean, sd):
        lines.append(f"{r:>{lead}}" + "".join(f"{cell(mu, s):>{width}}" for mu, s in zip(mus, sds)))
    return "\n".join(lines)


def largest_good(values, etas, tol):
    """For each row, the largest eta whose mean final loss is within tol of the row's best mean."""
    mean, _ = summary(values)
    etas = np.asarray(etas, dtype=float)
    return [float(etas[row <= row.min() + tol].max()) for row in mean]
