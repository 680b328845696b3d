"""Data sets: the hand-computed worked example, and synthetic sets of any size from an rng."""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

import numpy as np

from . import _validate as validate
from .models import sigmoid


class WorkedExample(NamedTuple):
    """SGD on y_hat = w x by hand: two points, eta = 1/10, w0 = 0, examples drawn in `order`.

    X has shape (2, 1), y shape (2,); `order` is zero-based (examples 1, 2, 1 -> 0, 1, 0).
    """

    X: np.ndarray
    y: np.ndarray
    eta: object
    w0: object
    order: tuple


def worked_example(number=Fraction) -> WorkedExample:
    """The points (1, 2) and (2, 0) with every number built by `number`.

    number=Fraction (default) or sympy.Rational gives exact arithmetic, number=float
    gives ordinary floating point.
    """
    X = np.array([[number(1)], [number(2)]], dtype=object if number is not float else float)
    y = np.array([number(2), number(0)], dtype=X.dtype)
    return WorkedExample(X, y, number(1) / number(10), number(0), (0, 1, 0))


def make_linear_regression(n, d, rng, noise=0.5, w=None):
    """y = X w + noise * eps with X, eps standard normal.

    Returns X (n, d), y (n,), w (d,); w is drawn from the rng when not given.
    """
    n, d = validate.integer("n", n, lo=1), validate.integer("d", d, lo=1)
    rng = validate.generator("rng", rng)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    w = rng.standard_normal(d) if w is None else validate.array("w", w, 1, d)
    X = rng.standard_normal((n, d))
    return X, X @ w + noise * rng.standard_normal(n), w


def make_logistic(n, d, rng, w=None, intercept=False):
    """Labels y_i ~ Bernoulli(sigma(w . x_i)) in {0, 1} for standard normal features.

    With intercept=True a last column of ones is appended (so X is (n, d + 1) and
    w has d + 1 entries, the last being the bias). Returns X, y, w.
    """
    n, d = validate.integer("n", n, lo=1), validate.integer("d", d, lo=1)
    rng = validate.generator("rng", rng)
    k = d + bool(intercept)
    w = rng.standard_normal(k) * 2 if w is None else validate.array("w", w, 1, k)
    X = rng.standard_normal((n, d))
    if intercept:
        X = np.hstack([X, np.ones((n, 1))])
    p = sigmoid(X @ w)
    return X, (rng.random(n) < p).astype(float), w


def make_moons(n, rng, noise=0.1):
    """Two interlocking half-moons in the plane, a data set no straight line separates.

    Class 0 lies on the upper arc (cos t, sin t), class 1 on the lower arc
    (1 - cos t, 1/2 - sin t), t ~ Uniform[0, pi], plus Gaussian noise of standard deviation
    `noise` in each coordinate. There are n // 2 examples of class 0 and n - n // 2 of
    class 1, in a random order. Returns X (n, 2) and y (n,) with y in {0.0, 1.0}.
    """
    n = validate.integer("n", n, lo=2)
    rng = validate.generator("rng", rng)
    if validate.real("noise", noise) < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    y = np.zeros(n)
    y[n // 2 :] = 1.0
    t = rng.uniform(0.0, np.pi, n)
    arc = np.column_stack([np.cos(t), np.sin(t)])
    X = np.where(y[:, None] == 0, arc, np.array([1.0, 0.5]) - arc) + noise * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return X[order], y[order]
