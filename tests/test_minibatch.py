"""The mini-batch mean as an estimator (sgdcourse.minibatch): the predicted variance against exact
enumeration of every batch, and the batch draws against what "uniform, with or without
replacement" means, nested so that the first m entries of a row are a batch of size m."""

import itertools
from fractions import Fraction

import numpy as np
import pytest

import sgdcourse as sc
from sgdcourse.minibatch import batch_indices, least_squares_batches, least_squares_noise, predicted_variance


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
        (lambda: least_squares_noise(*TINY, 6, replace=False), ValueError, "m"),
        (lambda: least_squares_noise(TINY[0][:1], TINY[1][:1], 1), ValueError, "X"),
        (lambda: least_squares_noise(TINY[0], TINY[1][:4], 1), ValueError, "y"),
        (lambda: least_squares_batches(*TINY, [], 3, 4, np.random.default_rng(0)), ValueError, "sizes"),
        (lambda: least_squares_batches(*TINY, [1, 2], 0, 4, np.random.default_rng(0)), ValueError, "steps"),
        (lambda: least_squares_batches(*TINY, [1, 2], 3, 4, 0), TypeError, "rng"),
    ],
)
def test_bad_arguments_name_the_parameter(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


# ---- least squares: the mini-batch gradient as a whole vector ------------------------------------
TINY = (
    np.array([[1.0, 0.5], [-0.5, 2.0], [2.0, 1.0], [0.3, -1.2], [-1.5, 0.2]]),
    np.array([1.0, -2.0, 0.5, 2.0, 1.0]),
)


def every_batch(n, m, replace):
    """Every batch of m indices, each as likely as the others: ordered m-tuples with replacement,
    ordered m-tuples of distinct indices without it."""
    chosen = itertools.product(range(n), repeat=m) if replace else itertools.permutations(range(n), m)
    return [np.array(b) for b in chosen]


@pytest.mark.parametrize("m, replace", [(1, True), (2, True), (3, True), (2, False), (4, False)])
def test_least_squares_noise_is_the_covariance_over_every_batch(m, replace):
    # the errors +e and -e (mean 0, E[e e^T] = e e^T), every batch enumerated: the covariance of
    # g_hat - grad L is exactly S + G(e e^T), with the factor 1/m (times (N - m)/(N - 1) without replacement)
    X, y = TINY
    model, nz = sc.LeastSquares(X, y), least_squares_noise(X, y, m, replace)
    np.testing.assert_allclose(nz.minimiser, model.solution(), atol=1e-12)
    np.testing.assert_allclose(nz.hessian, X.T @ X / len(y), atol=1e-12)
    batches = every_batch(len(y), m, replace)
    for e in (np.zeros(2), np.array([0.7, -0.4]), np.array([-1.5, 2.0])):
        cov = np.zeros((2, 2))
        for theta in (nz.minimiser + e, nz.minimiser - e):
            full = model.grad(theta)
            for b in batches:
                cov += np.outer(model.grad(theta, b) - full, model.grad(theta, b) - full)
        cov /= 2 * len(batches)
        expected = nz.noise_cov + (nz.noise_gain @ np.outer(e, e).ravel()).reshape(2, 2)
        np.testing.assert_allclose(cov, expected, rtol=1e-10, atol=1e-12)
    assert np.abs(nz.noise_gain).max() > 0.1  # the part that grows with the spread is there


@pytest.mark.parametrize("replace", [True, False])
def test_least_squares_batches_are_the_moments_of_nested_batch_indices(replace):
    X, y = TINY
    model, theta_star = sc.LeastSquares(X, y), sc.LeastSquares(X, y).solution()
    r = y - X @ theta_star
    sizes, steps, runs = [1, 2, 4], 3, 4
    Hs, bs = least_squares_batches(X, y, sizes, steps, runs, np.random.default_rng(7), replace, chunk=7)
    assert Hs.shape == (3, steps, runs, 2, 2) and bs.shape == (3, steps, runs, 2)
    idx = batch_indices(len(y), 4, steps * runs, np.random.default_rng(7), replace)
    e = np.array([0.3, -0.8])
    for j, m in enumerate(sizes):
        for t in range(steps):
            for k in range(runs):
                b = idx[t * runs + k, :m]
                np.testing.assert_allclose(Hs[j, t, k], X[b].T @ X[b] / m, atol=1e-12)
                np.testing.assert_allclose(bs[j, t, k], X[b].T @ r[b] / m, atol=1e-12)
                # so H_B e - b_B is the batch gradient at theta* + e
                np.testing.assert_allclose(Hs[j, t, k] @ e - bs[j, t, k], model.grad(theta_star + e, b), atol=1e-12)
