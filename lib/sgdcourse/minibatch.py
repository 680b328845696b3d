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
"""

from __future__ import annotations

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
