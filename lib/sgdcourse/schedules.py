"""Learning-rate schedules: plain functions of the step t = 0, 1, 2, ... (t may be an array).

Pass one to `sgd` as  eta=lambda t: cosine(t, eta0=0.5, total=200).
"""

from __future__ import annotations

import numpy as np

from . import _validate as validate


def _steps(t):
    t = np.asarray(t)
    if t.dtype.kind not in "iu" or (t < 0).any():
        raise ValueError(f"t must be a step number >= 0 (or an array of them), got {t!r}")
    return t


def _out(t, value):
    return float(value) if np.ndim(t) == 0 else value


def constant(t, eta0):
    """eta_t = eta0."""
    validate.positive("eta0", eta0)
    t = _steps(t)
    return _out(t, np.full(np.shape(t), float(eta0)))


def step_decay(t, eta0, factor=0.1, every=100):
    """eta_t = eta0 * factor ** floor(t / every): a drop by `factor` every `every` steps."""
    validate.positive("eta0", eta0), validate.in_range("factor", factor, 0, 1)
    every = validate.integer("every", every, lo=1)
    t = _steps(t)
    return _out(t, eta0 * factor ** (t // every))


def cosine(t, eta0, total, eta_min=0.0):
    """eta_t = eta_min + (eta0 - eta_min) (1 + cos(pi t / total)) / 2 for t <= total, then eta_min."""
    validate.positive("eta0", eta0), validate.in_range("eta_min", eta_min, 0, eta0)
    total = validate.integer("total", total, lo=1)
    t = _steps(t)
    return _out(t, eta_min + (eta0 - eta_min) * (1 + np.cos(np.pi * np.minimum(t, total) / total)) / 2)


def warmup_cosine(t, eta0, warmup, total, eta_min=0.0):
    """Linear warmup eta_t = eta0 (t + 1) / warmup for t < warmup, then cosine from eta0 over the rest.

    The warmup starts at eta0 / warmup rather than 0, so every step moves.
    """
    warmup = validate.integer("warmup", warmup, lo=0)
    total = validate.integer("total", total, lo=warmup + 1)
    t = _steps(t)
    rise = eta0 * (t + 1) / max(warmup, 1)
    fall = cosine(np.maximum(t - warmup, 0), eta0, total - warmup, eta_min)
    return _out(t, np.where(t < warmup, rise, fall))
