from fractions import Fraction

import numpy as np
import pytest
import sympy

import sgdcourse as sc


def test_worked_example_points_are_exact():
    ex = sc.worked_example()
    assert ex.X.tolist() == [[1], [2]] and ex.y.tolist() == [2, 0]
    assert ex.eta == Fraction(1, 10) and isinstance(ex.eta, Fraction)
    assert ex.w0 == 0 and ex.order == (0, 1, 0)
    assert sc.worked_example(sympy.Rational).eta == sympy.Rational(1, 10)
    assert sc.worked_example(float).X.dtype == float


def test_generators_are_deterministic_and_shaped():
    a = sc.make_linear_regression(50, 3, np.random.default_rng(7))
    b = sc.make_linear_regression(50, 3, np.random.default_rng(7))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    X, y, w = a
    assert X.shape == (50, 3) and y.shape == (50,) and w.shape == (3,)
    X, y, w = sc.make_logistic(40, 2, np.random.default_rng(1), intercept=True)
    assert X.shape == (40, 3) and np.all(X[:, -1] == 1) and set(np.unique(y)) <= {0.0, 1.0}


def test_noiseless_regression_is_exactly_linear():
    X, y, w = sc.make_linear_regression(30, 4, np.random.default_rng(2), noise=0.0)
    np.testing.assert_allclose(X @ w, y)


def test_logistic_labels_follow_the_model():
    w = np.array([3.0, -2.0])
    X, y, _ = sc.make_logistic(20000, 2, np.random.default_rng(5), w=w)
    p = sc.sigmoid(X @ w)
    assert abs(y.mean() - p.mean()) < 0.01
    assert y[p > 0.9].mean() > 0.85 and y[p < 0.1].mean() < 0.15


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: sc.make_linear_regression(0, 2, np.random.default_rng(0)), "n"),
        (lambda: sc.make_linear_regression(5, 2.5, np.random.default_rng(0)), "d"),
        (lambda: sc.make_linear_regression(5, 2, 0), "rng"),
        (lambda: sc.make_linear_regression(5, 2, np.random.default_rng(0), noise=-1), "noise"),
        (lambda: sc.make_linear_regression(5, 2, np.random.default_rng(0), w=[1.0]), "w"),
        (lambda: sc.make_logistic(5, 2, None), "rng"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
