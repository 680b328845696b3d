"""The mini-batch mean as an estimator: how far it strays, and draws of batches to measure that.

Take N per-example values G_1..G_N (one coordinate of grad l_i at a fixed theta) with mean mu
(the true gradient along that coordinate) and population variance sigma^2 = (1/N) sum_i (G_i - mu)^2.
The mean g_hat_m = (1/m) sum_{i in B} G_i over a batch B of m indices drawn uniformly has
E[g_hat_m] = mu and

    with replacement:     Var(g_hat_m) = sigma^2 / m                        (predicted_variance)
    without replacement:  Var(g_hat_m) = sigma^2 / m * (N - m) / (N - 1)

batch_indices draws nested batches, one row per draw: the first m entries of a row are a batch
of size m, so one draw of `draws` rows measures g_hat_m for every m at once (a cumulative sum
along the row). The SGD driver's own schedule of batches, one per step and epoch by epoch, is
sgd.sample_batches; it answers another question (which examples a run visits) and returns the
record's Batches, so it stays next to the driver that consumes it.

For least squares the mini-batch gradient is a vector whose noise can be written down whole:
least_squares_noise gives its covariance around the minimiser (a part there at the minimum, and
a part that grows with the distance from it), and least_squares_batches draws the batch moments
that many SGD runs use at once (sgdcourse.dynamics.error_paths runs them).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as validate


def predicted_variance(sigma2, m, n, replace=True):
    """sigma^2 / m, times (N - m) / (N - 1) without replacement.

    m may be a number or an integer array (1 <= m, and m <= N without replacement); Fraction
    inputs give an exact Fraction.
    """
    sizes = np.asarray(m)
    try:
        sized = bool((sizes >= 1).all())
    except TypeError:  # not numbers at all
        sized = False
    if not sized:
        raise ValueError(f"m must be a batch size >= 1 (or an array of them), got {m!r}")
    if validate.real("sigma2", sigma2) < 0:
        raise ValueError(f"sigma2 must be >= 0 (a variance), got {sigma2!r}")
    if replace:
        return sigma2 / m
    n = validate.integer("n", n, lo=2)
    if not (sizes <= n).all():
        raise ValueError(f"m must be <= n = {n} without replacement, got {m!r}")
    return sigma2 / m * (n - m) / (n - 1)


def batch_indices(n, m_max, draws, rng, replace=True):
    """Index array of shape (draws, m_max): row k is draw k, and its first m entries are a batch of size m.

    With replacement the entries are independent uniform indices in 0..n-1; without replacement
    each row is the start of a uniformly random permutation of 0..n-1 (so no index repeats in a
    row, and m_max <= n).
    """
    n = validate.integer("n", n, lo=1)
    m_max = validate.integer("m_max", m_max, lo=1, hi=None if replace else n)
    draws = validate.integer("draws", draws, lo=1)
    rng = validate.generator("rng", rng)
    if replace:
        return rng.integers(0, n, size=(draws, m_max))
    keys = rng.random((draws, n))
    first = np.argpartition(keys, m_max - 1, axis=1)[:, :m_max] if m_max < n else np.tile(np.arange(n), (draws, 1))
    order = np.argsort(np.take_along_axis(keys, first, axis=1), axis=1)  # the m_max smallest keys, in order
    return np.take_along_axis(first, order, axis=1)


class LeastSquaresNoise(NamedTuple):
    """The gradient noise of mini-batch SGD on least squares around its minimiser (least_squares_noise)."""

    minimiser: np.ndarray  # theta*, shape (d,)
    hessian: np.ndarray  # H = X^T X / N, shape (d, d)
    noise_cov: np.ndarray  # S = c_m Sigma*, shape (d, d): Cov(g_hat) at theta*
    noise_gain: np.ndarray  # G = c_m mean_i (A_i kron A_i), shape (d*d, d*d): the part that grows with the spread


def _least_squares(X, y):
    """(X, y, theta*, r) in floats, r_i = y_i - x_i . theta* (the residuals at the minimiser)."""
    X = validate.array("X", X, 2).astype(float)
    y = validate.array("y", y, 1, X.shape[0]).astype(float)
    if X.shape[0] < 2:
        raise ValueError(f"X needs at least 2 rows (examples), got {X.shape[0]}")
    theta = np.linalg.lstsq(X, y, rcond=None)[0]
    return X, y, theta, y - X @ theta


def least_squares_noise(X, y, m, replace=True):
    """Covariance of the mini-batch gradient of L(theta) = (1/2N) sum_i (x_i . theta - y_i)^2 near its minimiser.

    X: shape (N, d), y: shape (N,). With the error e = theta - theta*, the residuals r_i = y_i - x_i . theta*
    and A_i = x_i x_i^T - H, the gradient of a batch B of m indices drawn uniformly is

        g_hat = H_B e - b_B,    H_B = mean_{i in B} x_i x_i^T,    b_B = mean_{i in B} r_i x_i,

    so g_hat - grad L = mean_{i in B} u_i with u_i = A_i e - r_i x_i, whose mean over all N examples is 0
    (sum_i r_i x_i = 0 at theta*). Hence Cov(g_hat | e) = c_m (1/N) sum_i u_i u_i^T with
    c_m = 1/m, or (N - m)/(m (N - 1)) without replacement (predicted_variance(1, m, N, replace)). Averaged
    over errors with mean 0 and E[e e^T] = V (as in a noise ball) the cross terms in e vanish and

        Cov(g_hat) = S + G(V),    S = c_m Sigma*,  Sigma* = (1/N) sum_i r_i^2 x_i x_i^T,
                                  G(V) = c_m (1/N) sum_i A_i V A_i.

    S is the noise at the minimum itself; G(V) grows with the spread of theta, because the examples'
    curvatures x_i x_i^T differ from H. noise_gain holds G as a (d*d, d*d) matrix acting on V.ravel():
    (A V A).ravel() = kron(A, A) @ V.ravel() for a symmetric A. Returns LeastSquaresNoise.
    """
    X, _, theta, r = _least_squares(X, y)
    n, d = X.shape
    m = validate.integer("m", m, lo=1, hi=None if replace else n)
    c = float(predicted_variance(1.0, m, n, replace))
    H = X.T @ X / n
    sigma = (X * (r * r)[:, None]).T @ X / n
    A = X[:, :, None] * X[:, None, :] - H  # (N, d, d)
    gain = np.einsum("nij,nkl->ikjl", A, A).reshape(d * d, d * d) / n
    return LeastSquaresNoise(theta, H, c * sigma, c * gain)


def least_squares_batches(X, y, sizes, steps, runs, rng, replace=True, chunk=2**22):
    """The batch moments of `runs` SGD runs of `steps` steps on least squares, for every batch size in `sizes`.

    Returns (H_B, b_B) of shapes (len(sizes), steps, runs, d, d) and (len(sizes), steps, runs, d): at step t
    of run k with batch size sizes[j], H_B[j, t, k] = mean_{i in B} x_i x_i^T and b_B[j, t, k] =
    mean_{i in B} r_i x_i (r_i = y_i - x_i . theta*), so that the batch gradient at theta = theta* + e is
    H_B e - b_B (least_squares_noise). The batches are nested: the batch of size m is the first m entries of
    row t * runs + k of batch_indices(N, max(sizes), steps * runs, rng, replace), so every run sees the
    same draws at every m. Drawn `chunk` indices at a time, so the memory is the result's and not N times it.
    """
    X, _, _, r = _least_squares(X, y)
    n, d = X.shape
    sizes = [validate.integer("sizes", m, lo=1, hi=None if replace else n) for m in np.atleast_1d(sizes)]
    if not sizes:
        raise ValueError("sizes must hold at least one batch size")
    steps, runs = validate.integer("steps", steps, lo=1), validate.integer("runs", runs, lo=1)
    idx = batch_indices(n, max(sizes), steps * runs, rng, replace)
    values = np.concatenate([(X[:, :, None] * X[:, None, :]).reshape(n, d * d), r[:, None] * X], axis=1)
    cols = np.array(sizes) - 1
    out = np.empty((len(sizes), steps * runs, values.shape[1]))
    rows = max(1, chunk // (max(sizes) * values.shape[1]))
    for start in range(0, steps * runs, rows):
        sums = np.cumsum(values[idx[start : start + rows]], axis=1)[:, cols]  # (rows, len(sizes), d*d + d)
        out[:, start : start + rows] = np.moveaxis(sums, 1, 0) / np.array(sizes)[:, None, None]
    out = out.reshape(len(sizes), steps, runs, -1)
    return out[..., : d * d].reshape(len(sizes), steps, runs, d, d), out[..., d * d :]
