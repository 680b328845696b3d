"""Every analytic gradient against finite differences, and the mean of per-example
gradients against the matrix-form full gradient."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sgdcourse as sc
from sgdcourse.gradcheck import numerical_grad


def make(kind, n, d, seed):
    rng = np.random.default_rng(seed)
    if kind == "least_squares":
        X, y, _ = sc.make_linear_regression(n, d, rng)
        return sc.LeastSquares(X, y)
    if kind == "linear1d":
        X, y, _ = sc.make_linear_regression(n, 1, rng)
        return sc.Linear1D(X[:, 0], y)
    if kind == "logistic":
        X, y, _ = sc.make_logistic(n, d, rng)
        return sc.Logistic(X, y)
    return sc.QuadraticBowl(rng.uniform(0.5, 5, d), rng.standard_normal(d), rng.standard_normal((n, d)))


KINDS = ["least_squares", "linear1d", "logistic", "bowl"]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 30), d=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_gradients_match_finite_differences(kind, n, d, seed):
    model = make(kind, n, d, seed)
    theta = np.random.default_rng(seed + 1).standard_normal(model.dim)
    per_row = numerical_grad(lambda th: model.losses(th), theta)
    full = numerical_grad(model.loss, theta)
    np.testing.assert_allclose(model.per_example_grads(theta), per_row, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.grad(theta), full, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 40), d=st.integers(1, 6), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_mean_of_per_example_gradients_is_the_batch_gradient(kind, n, d, seed, data):
    model = make(kind, n, d, seed)
    theta = np.random.default_rng(seed).standard_normal(model.dim) * 2
    idx = np.array(data.draw(st.lists(st.integers(0, model.n - 1), min_size=1, max_size=10)))
    np.testing.assert_allclose(model.per_example_grads(theta).mean(axis=0), model.grad(theta), atol=1e-12)
    np.testing.assert_allclose(model.per_example_grads(theta, idx).mean(axis=0), model.grad(theta, idx), atol=1e-12)
    assert model.per_example_grads(theta).shape == (model.n, model.dim)
    assert np.isclose(model.losses(theta).mean(), model.loss(theta))


def test_logistic_gradient_is_p_minus_y_times_x():
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    y = np.array([1.0, 0.0])
    theta = np.array([0.3, -0.2])
    p = 1 / (1 + np.exp(-X @ theta))
    model = sc.Logistic(X, y)
    np.testing.assert_allclose(model.per_example_grads(theta), (p - y)[:, None] * X)
    np.testing.assert_allclose(model.losses(theta), -y * np.log(p) - (1 - y) * np.log(1 - p))


def test_logistic_is_stable_for_huge_scores():
    model = sc.Logistic(np.array([[1000.0], [-1000.0]]), np.array([0.0, 1.0]))
    assert np.allclose(model.losses(np.array([1.0])), 1000.0)
    assert np.isfinite(model.grad(np.array([1.0]))).all()


def test_bowl_full_gradient_is_curvature_times_distance():
    rng = np.random.default_rng(3)
    bowl = sc.QuadraticBowl([1.0, 10.0], center=[2.0, -1.0], offsets=rng.standard_normal((50, 2)))
    theta = np.array([0.5, 0.5])
    np.testing.assert_allclose(bowl.grad(theta), [1.0 * (0.5 - 2.0), 10.0 * (0.5 + 1.0)])
    np.testing.assert_allclose(bowl.X.mean(axis=0), 0, atol=1e-15)


def test_least_squares_is_exact_with_fractions():
    ex = sc.worked_example()
    model = sc.Linear1D(ex.X, ex.y)
    from fractions import Fraction

    g = model.grad(np.array([Fraction(3, 25)], dtype=object))
    assert g[0] == Fraction(-7, 10) and isinstance(g[0], Fraction)
    assert model.loss(np.array([Fraction(0)], dtype=object)) == Fraction(1)


@pytest.mark.parametrize(
    "build, name",
    [
        (lambda: sc.LeastSquares(np.ones((3, 2)), np.ones(4)), "y"),
        (lambda: sc.LeastSquares(np.ones(3), np.ones(3)), "X"),
        (lambda: sc.LeastSquares(np.array([[1.0], [np.nan]]), np.ones(2)), "X"),
        (lambda: sc.LeastSquares(np.ones((2, 1)), np.array([1.0, np.inf])), "y"),
        (lambda: sc.Logistic(np.ones((2, 1)), np.array([0.0, 2.0])), "y"),
        (lambda: sc.Linear1D(np.ones((2, 2)), np.ones(2)), "x"),
        (lambda: sc.QuadraticBowl([1.0, -1.0]), "curvatures"),
        (lambda: sc.QuadraticBowl([1.0, 2.0], offsets=np.ones((3, 3))), "offsets"),
        (lambda: sc.QuadraticBowl([1.0], center=[1.0, 2.0]), "center"),
    ],
)
def test_bad_data_is_rejected_by_name(build, name):
    with pytest.raises((ValueError, TypeError), match=name):
        build()


def test_bad_theta_and_idx_are_rejected_by_name():
    model = sc.LeastSquares(np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="theta"):
        model.grad(np.ones(3))
    with pytest.raises(ValueError, match="theta"):
        model.grad(np.array([np.nan, 1.0]))
    with pytest.raises(IndexError, match="idx"):
        model.grad(np.ones(2), idx=[5])
    with pytest.raises(ValueError, match="idx"):
        model.grad(np.ones(2), idx=[])


def newton_minimiser(X, y, iterations=30):
    """The logistic minimiser by Newton's method, written from the formulas (not the library):
    w <- w - H^-1 g with g = X^T (p - y) / N and H = X^T diag(p (1 - p)) X / N."""
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-X @ w))
        w = w - np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]) / len(y), X.T @ (p - y) / len(y))
    return w


def test_logistic_minimiser_is_the_minimum_newton_finds():
    X, y, _ = sc.make_logistic(200, 2, np.random.default_rng(4), w=np.array([1.5, -1.0, 0.3]), intercept=True)
    model = sc.Logistic(X, y)
    w_star = model.minimiser()
    np.testing.assert_allclose(w_star, newton_minimiser(X, y), atol=1e-7)
    assert np.linalg.norm(model.grad(w_star)) < 1e-8
    # the same iterates as the driver's full-batch GD with the step 1 / (lambda_max(X^T X) / (4 N))
    eta = 1 / (np.linalg.eigvalsh(X.T @ X / len(y)).max() / 4)
    np.testing.assert_array_equal(model.minimiser(steps=50), sc.sgd(model, np.zeros(3), eta, m=len(y), steps=50).theta)
    with pytest.raises(ValueError, match="steps"):
        model.minimiser(steps=0)
