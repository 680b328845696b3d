"""One SGD driver for every model: theta_{t+1} = theta_t - eta_t v_{t+1}, v_{t+1} = beta v_t + g_hat_t.

g_hat_t = (1/m) sum_{i in B_t} grad l_i(theta_t) is the mean gradient over the batch B_t.
With beta = 0 this is plain SGD; with m = N (and no replacement) it is full-batch GD.

Everything is checked once before the loop (theta0, eta, the batches); inside it the model
runs unchecked and the only extra work per step is storing theta_{t+1} and g_hat_t. The
divergence test runs once per CHUNK steps over the block of iterates just stored and stops
the run at the first diverged one, so the record is the one a test after every step gives.
No loss is computed while running: see Trajectory.
"""

from __future__ import annotations

import contextlib

import numpy as np

from . import _validate as validate
from .trajectory import Batches, Trajectory

SAMPLING = ("shuffle", "replace", "ordered")
CHUNK = 256  # steps per block: batch bounds become Python ints, and divergence is tested, a block at a time


def sample_batches(n, m, steps, rng=None, sampling="shuffle"):
    """Index arrays B_0, ..., B_{steps-1} over n examples, each of size m, as a Batches.

    sampling="shuffle": without replacement, a fresh permutation every epoch (an epoch is
        ceil(n / m) steps; its last batch is smaller when m does not divide n);
    sampling="replace": every batch draws m indices uniformly with replacement;
    sampling="ordered": like "shuffle" but in the data's own order, never shuffled.
    """
    n, steps = validate.integer("n", n, lo=1), validate.integer("steps", steps, lo=0)
    if sampling not in SAMPLING:
        raise ValueError(f"sampling must be one of {SAMPLING}, got {sampling!r}")
    m = validate.integer("m", m, lo=1, hi=None if sampling == "replace" else n)
    if sampling == "replace":
        order = validate.generator("rng", rng).integers(0, n, size=(steps, m)).ravel()
        return Batches.contiguous(order, np.full(steps, m))
    if m == n:
        return Batches.whole(n, steps)
    per_epoch = -(-n // m)
    epoch, j = np.divmod(np.arange(steps), per_epoch)
    starts = j * m
    stops = np.minimum(starts + m, n)
    if sampling == "ordered":
        return Batches(np.arange(n), starts, stops)
    rng = validate.generator("rng", rng)
    epochs = -(-steps // per_epoch)
    order = np.arange(epochs * n)
    np.remainder(order, n, out=order)  # epochs copies of range(n), shuffled in place below:
    for e in range(epochs):  # the same draws as rng.permutation(n) once per epoch
        rng.shuffle(order[e * n : (e + 1) * n])
    epoch *= n
    starts += epoch
    stops += epoch
    return Batches(order, starts, stops)


def _given_batches(batches, n):
    """User batches checked once: each a non-empty 1-D array of row indices in 0..n-1."""
    if isinstance(batches, Batches):
        parts, sizes = [batches.order], None
    else:
        parts = [np.atleast_1d(np.asarray(b, dtype=int)) for b in batches]
        sizes = [p.size for p in parts]
        if any(p.ndim != 1 or p.size == 0 for p in parts):
            raise ValueError("batches must be non-empty 1-D arrays of row indices")
    order = np.concatenate(parts) if parts else np.arange(0)
    if order.size and (order.min() < 0 or order.max() >= n):
        raise IndexError(f"batches must hold indices in 0..{n - 1}, got {order.min()}..{order.max()}")
    if sizes is None:
        return batches
    if all(s == n for s in sizes) and all(np.array_equal(p, np.arange(n)) for p in parts):
        return Batches.whole(n, len(parts))
    return Batches.contiguous(order, sizes)


def _etas(eta, steps, exact):
    """eta_0..eta_{steps-1}, each checked once: a list for the loop and the record's array."""
    if callable(eta):
        values = [validate.positive(f"eta({t})", eta(t)) for t in range(steps)]
        return values, np.array(values, dtype=object if exact else float).reshape(steps)
    value = eta if exact else float(eta)
    return None, np.full(steps, value, dtype=object if exact else float)


def _first_diverged(block, bound, bound2):
    """Index of the first row of `block` (iterates, shape (k, d)) that is not finite or has
    max_k |theta_k| > bound, else None. One pass over the block: a row with
    theta . theta <= bound^2 has every |theta_k| <= bound, so only the others are looked at."""
    suspect = np.flatnonzero(~(np.einsum("ij,ij->i", block, block) <= bound2))
    for i in suspect:
        if not (np.isfinite(block[i]).all() and np.abs(block[i]).max() <= bound):
            return int(i)
    return None


def sgd(
    model,
    theta0,
    eta,
    *,
    m=1,
    steps=None,
    epochs=None,
    rng=None,
    sampling="shuffle",
    batches=None,
    momentum=0.0,
    track_loss=True,
    blowup=1e8,
):
    """Run mini-batch SGD on `model` from theta0 (shape (d,)) and return a Trajectory.

    eta: a number > 0 or a schedule t -> eta_t (see sgdcourse.schedules).
    Give exactly one of `steps`, `epochs` (ceil(N/m) steps each) or `batches` (the
    index arrays to use, e.g. [[0], [1], [0]] for a fixed order of examples).
    momentum beta in [0, 1): v <- beta v + g_hat, theta <- theta - eta v.
    The run stops when theta is no longer finite or max_k |theta_k| exceeds blowup * max(1, max_k |theta0_k|).
    track_loss=True: trajectory.losses gives L(theta_t), computed from the iterates when first
    read (never during the run); False: losses is None. Object arrays (Fractions) for theta0
    and a Fraction eta keep every number exact.
    """
    theta = validate.array("theta0", theta0, 1)
    if theta.shape != (model.dim,):
        raise ValueError(f"theta0 has shape {theta.shape}, the model needs ({model.dim},)")
    beta = validate.in_range("momentum", momentum, 0, 1)
    if not callable(eta):
        validate.positive("eta", eta)
    if sum(x is not None for x in (steps, epochs, batches)) != 1:
        raise ValueError("give exactly one of steps, epochs or batches")
    if batches is None:
        if epochs is not None:
            m_ = validate.integer("m", m, lo=1)
            steps = validate.integer("epochs", epochs, lo=0) * -(-model.n // m_)
        batches = sample_batches(model.n, m, steps, rng, sampling)
    else:
        batches = _given_batches(batches, model.n)
    exact = theta.dtype == object
    T, d, dtype = len(batches), model.dim, object if exact else float
    schedule, etas = _etas(eta, T, exact)
    eta_c = None if schedule or not T else (etas[0] if exact else float(etas[0]))
    thetas, grads = np.empty((T + 1, d), dtype), np.empty((T, d), dtype)
    thetas[0] = theta
    bound = blowup * max(1.0, float(np.max(np.abs(theta.astype(float)))))
    bound2 = bound * bound if bound * bound < np.inf else -1.0  # -1: always run the full test
    order, whole, v = batches.order, batches.full, np.zeros_like(theta)
    diverged_at = None
    unchecked = model.unchecked() if hasattr(model, "unchecked") else contextlib.nullcontext()
    grad = model.grad
    with np.errstate(all="ignore"), unchecked:
        for c in range(0, T, CHUNK):
            bounds = zip(batches.starts[c : c + CHUNK].tolist(), batches.stops[c : c + CHUNK].tolist())
            for t, (a, b) in enumerate(bounds, start=c):
                g = grad(theta, None if whole else order[a:b])  # full batch: no copy of X
                if beta:
                    v = beta * v + g
                    g_step = v
                else:
                    g_step = g
                theta = theta - (schedule[t] if schedule else eta_c) * g_step
                thetas[t + 1] = theta
                grads[t] = g
            if not exact and (diverged_at := _first_diverged(thetas[c + 1 : t + 2], bound, bound2)) is not None:
                diverged_at += c + 1
                t = diverged_at - 1
                break
    if diverged_at is not None:  # copies, so the unused rows of the record are freed
        thetas, grads, etas = thetas[: t + 2].copy(), grads[: t + 1].copy(), etas[: t + 1].copy()
        batches = batches.head(t + 1)
    return Trajectory(thetas, grads, etas, batches, diverged_at, model=model if track_loss else None)
