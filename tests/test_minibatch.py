"""The mini-batch mean as an estimator (sgdcourse.minibatch): the predicted variance against exact
enumeration of every batch, and the batch draws against what "uniform, with or without
replacement" means, nested so that the first m entries of a row are a batch of size m."""

import itertools
from fractions import Fraction

import numpy as np
import pytest

from sgdcourse.minibatch import batch_indices, predicted_variance


def test_predicted_variance_matches_exact_enumeration():
    g = [Fraction(v) for v in (3, -1, 4, 1, -5, 9)]
    n = len(g)
    mu = sum(g) / n
    sigma2 = sum((v - mu) ** 2 for v in g) / n
    for m in range(1, n + 1):
        combos = list(itertools.combinations(g, m))
        exact = sum((sum(c) / m - mu) ** 2 for c in combos) / len(combos)
        assert exact == predicted_variance(sigma2, m, n, replace=False) == sigma2 / m * Fraction(n - m, n - 1)
    for m in (1, 2, 3):  # with replacement: every ordered m-tuple of indices is equally likely
        tuples = list(itertools.product(g, repeat=m))
        assert (
            sum((sum(t) / m - mu) ** 2 for t in tuples) / len(tuples) == predicted_variance(sigma2, m, n) == sigma2 / m
        )


def test_predicted_variance_takes_an_array_of_batch_sizes():
    sizes = np.arange(1, 6)
    np.testing.assert_allclose(predicted_variance(2.0, sizes, 5), 2.0 / sizes)
    np.testing.assert_allclose(predicted_variance(2.0, sizes, 5, replace=False), 2.0 / sizes * (5 - sizes) / 4)
    assert predicted_variance(2.0, sizes, 5, replace=False)[-1] == 0  # m = N: every batch is the data


@pytest.mark.parametrize("replace", [True, False])
def test_batch_indices_are_uniform_and_nested(replace):
    n, m_max, draws = 6, 4, 60_000
    idx = batch_indices(n, m_max, draws, np.random.default_rng(0), replace)
    assert idx.shape == (draws, m_max) and idx.min() >= 0 and idx.max() < n
    # every position of a row holds each index with probability 1/N
    for column in idx.T:
        freq = np.bincount(column, minlength=n) / draws
        np.testing.assert_allclose(freq, 1 / n, atol=0.01)
    repeats = np.array([len(set(row[:2])) < 2 for row in idx])  # the batch of size 2 repeats an index
    if replace:
        assert repeats.mean() == pytest.approx(1 / n, abs=0.01)  # independent draws: P = 1/N
    else:
        assert not repeats.any() and all(len(set(row)) == m_max for row in idx[:500])
        # a batch of size m without replacement is a uniformly random m-subset: C(6, 2) = 15 pairs, equally often
        pairs = np.sort(idx[:, :2], axis=1)
        counts = np.unique(pairs[:, 0] * n + pairs[:, 1], return_counts=True)[1]
        assert counts.size == 15 and counts.min() / draws > 1 / 15 - 0.01 and counts.max() / draws < 1 / 15 + 0.01


def test_the_spread_of_batch_means_is_the_predicted_one():
    # the draws and the formula together: the measured variance of g_hat_m over many batches
    g = np.random.default_rng(1).standard_normal(30)
    for replace in (True, False):
        idx = batch_indices(g.size, 20, 40_000, np.random.default_rng(2), replace)
        ghat = np.cumsum(g[idx], axis=1) / np.arange(1, 21)
        for m in (1, 5, 20):
            assert ghat[:, m - 1].var() == pytest.approx(predicted_variance(g.var(), m, g.size, replace), rel=0.04)


def test_without_replacement_a_full_row_is_a_permutation():
    idx = batch_indices(5, 5, 100, np.random.default_rng(3), replace=False)
    assert (np.sort(idx, axis=1) == np.arange(5)).all()
    assert len({tuple(row) for row in idx}) > 50  # and the permutations vary


@pytest.mark.parametrize(
    "call, exc, name",
    [
        (lambda: batch_indices(0, 1, 10, np.random.default_rng(0)), ValueError, "n"),
        (lambda: batch_indices(5, 6, 10, np.random.default_rng(0), replace=False), ValueError, "m_max"),
        (lambda: batch_indices(5, 0, 10, np.random.default_rng(0)), ValueError, "m_max"),
        (lambda: batch_indices(5, 2, 0, np.random.default_rng(0)), ValueError, "draws"),
        (lambda: batch_indices(5, 2, 10, 0), TypeError, "rng"),
        (lambda: predicted_variance(1.0, 0, 5), ValueError, "m"),
        (lambda: predicted_variance(1.0, "four", 5), ValueError, "m"),
        (lambda: predicted_variance(-1.0, 2, 5), ValueError, "sigma2"),
        (lambda: predicted_variance(1.0, 6, 5, replace=False), ValueError, "m must be <= n"),
        (lambda: predicted_variance(1.0, 1, 1, replace=False), ValueError, "n"),
    ],
)
def test_bad_arguments_name_the_parameter(call, exc, name):
    with pytest.raises(exc, match=name):
        call()
