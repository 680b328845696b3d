"""One SGD driver for every model: theta_{t+1} = theta_t - eta_t v_{t+1}, v_{t+1} = beta v_t + g_hat_t.

g_hat_t = (1/m) sum_{i in B_t} grad l_i(theta_t) is the mean gradient over the batch B_t.
With beta = 0 this is plain SGD; with m = N (and no replacement) it is full-batch GD.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _validate as check

SAMPLING = ("shuffle", "replace", "ordered")


def sample_batches(n, m, steps, rng=None, sampling="shuffle"):
    """Index arrays B_0, ..., B_{steps-1} over n examples, each of size m.

    sampling="shuffle": without replacement, a fresh permutation every epoch (an epoch is
        ceil(n / m) steps; its last batch is smaller when m does not divide n);
    sampling="replace": every batch draws m indices uniformly with replacement;
    sampling="ordered": like "shuffle" but in the data's own order, never shuffled.
    """
    n, steps = check.integer("n", n, lo=1), check.integer("steps", steps, lo=0)
    if sampling not in SAMPLING:
        raise ValueError(f"sampling must be one of {SAMPLING}, got {sampling!r}")
    m = check.integer("m", m, lo=1, hi=None if sampling == "replace" else n)
    if sampling == "replace":
        rng = check.generator("rng", rng)
        return list(rng.integers(0, n, size=(steps, m)))
    if sampling == "shuffle" and m < n:
        rng = check.generator("rng", rng)
    batches = []
    while len(batches) < steps:
        order = rng.permutation(n) if sampling == "shuffle" and m < n else np.arange(n)
        batches.extend(order[k : k + m] for k in range(0, n, m))
    return batches[:steps]


@dataclass
class Trajectory:
    """What a run did: T steps taken, T + 1 iterates.

    thetas (T+1, d), losses (T+1,) or None, grads (T, d) the g_hat_t used, etas (T,),
    batches: list of T index arrays; diverged_at: the step after which the iterate
    stopped being finite or grew past the blow-up bound (the run stops there), else None.
    """

    thetas: np.ndarray
    losses: np.ndarray | None
    grads: np.ndarray
    etas: np.ndarray
    batches: list = field(repr=False)
    diverged_at: int | None = None

    @property
    def steps(self):
        return len(self.batches)

    @property
    def evaluations(self):
        """Per-example gradients computed: the sum of the batch sizes."""
        return int(sum(len(b) for b in self.batches))

    @property
    def theta(self):
        return self.thetas[-1]

    @property
    def diverged(self):
        return self.diverged_at is not None

    def __repr__(self):
        end = f"diverged at step {self.diverged_at}" if self.diverged else "finite"
        loss = "" if self.losses is None or self.diverged else f", final loss {float(self.losses[-1]):.4g}"
        return f"Trajectory({self.steps} steps, {end}{loss})"


def _eta_at(eta, t):
    value = eta(t) if callable(eta) else eta
    return check.positive("eta" if not callable(eta) else f"eta({t})", value)


def sgd(model, theta0, eta, *, m=1, steps=None, epochs=None, rng=None, sampling="shuffle",
        batches=None, momentum=0.0, track_loss=True, blowup=1e8):
    """Run mini-batch SGD on `model` from theta0 (shape (d,)) and return a Trajectory.

    eta: a number > 0 or a schedule t -> eta_t (see sgdcourse.schedules).
    Give exactly one of `steps`, `epochs` (ceil(N/m) steps each) or `batches` (the
    index arrays to use, e.g. [[0], [1], [0]] for a fixed order of examples).
    momentum beta in [0, 1): v <- beta v + g_hat, theta <- theta - eta v.
    The run stops when theta is no longer finite or |theta| exceeds blowup * max(1, |theta0|).
    Object arrays (Fractions) for theta0 and a Fraction eta keep every number exact.
    """
    theta = check.array("theta0", theta0, 1)
    if theta.shape != (model.dim,):
        raise ValueError(f"theta0 has shape {theta.shape}, the model needs ({model.dim},)")
    beta = check.in_range("momentum", momentum, 0, 1)
    if not callable(eta):
        check.positive("eta", eta)
    if sum(x is not None for x in (steps, epochs, batches)) != 1:
        raise ValueError("give exactly one of steps, epochs or batches")
    if batches is None:
        if epochs is not None:
            m_ = check.integer("m", m, lo=1)
            steps = check.integer("epochs", epochs, lo=0) * -(-model.n // m_)
        batches = sample_batches(model.n, m, steps, rng, sampling)
    else:
        batches = [np.atleast_1d(np.asarray(b, dtype=int)) for b in batches]
    exact = theta.dtype == object
    bound = blowup * max(1.0, float(np.max(np.abs(theta.astype(float)))))
    thetas, grads, etas = [theta], [], []
    losses = [model.loss(theta)] if track_loss else None
    v = np.zeros_like(theta)
    diverged_at = None
    everything = np.arange(model.n)
    with np.errstate(all="ignore"):
        for t, batch in enumerate(batches):
            whole = len(batch) == model.n and np.array_equal(batch, everything)
            g = model.grad(theta, None if whole else batch)  # full batch: no copy of X
            v = beta * v + g if beta else g
            eta_t = _eta_at(eta, t)
            theta = theta - eta_t * v
            thetas.append(theta), grads.append(g), etas.append(eta_t)
            if track_loss:
                losses.append(model.loss(theta))
            if not exact and not (np.isfinite(theta).all() and np.abs(theta).max() <= bound):
                diverged_at = t + 1
                break
    return Trajectory(
        thetas=np.array(thetas),
        losses=None if losses is None else np.array(losses),
        grads=np.array(grads).reshape(len(grads), model.dim),
        etas=np.array(etas),
        batches=batches[: len(grads)],
        diverged_at=diverged_at,
    )
