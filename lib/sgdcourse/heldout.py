"""Held-out data: train on one part of a data set, judge the result on another.

    parts = split(X, y, (n_train, n_test), rng)         disjoint random parts, in that order
    curve = track(model, run.thetas, every=k)            (loss, accuracy) at steps 0, k, 2k, ...
    best, stopped = early_stop(val_losses, patience=p)   where to stop, chosen on validation data

A model of the same class built on a held-out part evaluates a run's iterates on examples the
run never saw: L_test(theta) = (1/n_test) sum_{j in test} l_j(theta). Its gap to the training
loss, L_test - L_train, is the generalisation gap.
"""

from __future__ import annotations

import numpy as np

from . import _validate as validate


def split(X, y, sizes, rng):
    """[(X_0, y_0), (X_1, y_1), ...]: disjoint random subsets of the rows, of the given sizes."""
    X = validate.array("X", X, 2)
    y = validate.array("y", y, 1, X.shape[0])
    sizes = [validate.integer("sizes", s, lo=1) for s in np.atleast_1d(sizes)]
    if sum(sizes) > len(y):
        raise ValueError(f"sizes {sizes} add up to {sum(sizes)}, more than the {len(y)} examples")
    order = validate.generator("rng", rng).permutation(len(y))
    ends = np.cumsum([0] + sizes)
    return [(X[order[a:b]], y[order[a:b]]) for a, b in zip(ends[:-1], ends[1:])]


def accuracy(model, theta):
    """Fraction of the model's rows classified right (label 1 where the score is >= 0)."""
    if hasattr(model, "accuracy"):
        return float(model.accuracy(theta))
    theta = validate.array("theta", theta, 1, model.dim)
    return float(np.mean((model.X @ theta >= 0) == (model.y == 1)))


def track(model, thetas, every=1):
    """Array (k, 2) of (L(theta), accuracy) at thetas[0], thetas[every], ... (the last included)."""
    thetas = validate.array("thetas", thetas, 2, cols=model.dim)
    every = validate.integer("every", every, lo=1)
    picks = list(range(0, len(thetas), every))
    if picks[-1] != len(thetas) - 1:
        picks.append(len(thetas) - 1)
    return np.array([(float(model.loss(thetas[t])), accuracy(model, thetas[t])) for t in picks])


def early_stop(val_losses, patience=None):
    """(best, stopped): best = index of the lowest validation loss seen before stopping.

    Without patience every value is looked at (best = the first argmin). With patience p the
    run stops at the first index that has gone p evaluations without beating the best so far,
    as a training loop would, so best never looks past `stopped`."""
    v = validate.array("val_losses", val_losses, 1).astype(float)
    if v.size == 0:
        raise ValueError("val_losses must hold at least one value")
    if patience is not None:
        patience = validate.integer("patience", patience, lo=1)
    best, since = 0, 0
    for k in range(1, len(v)):
        if v[k] < v[best]:
            best, since = k, 0
        else:
            since += 1
            if patience is not None and since >= patience:
                return best, k
    return best, len(v) - 1
