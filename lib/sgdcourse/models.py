"""Models as empirical risks L(theta) = (1/N) sum_i l_i(theta) over the rows of their data.

Every model offers, for theta of shape (d,) and an optional index array `idx` that
selects a mini-batch B (default: all N rows):

    losses(theta, idx)             l_i(theta) for i in B,          shape (|B|,)
    loss(theta, idx)               (1/|B|) sum_{i in B} l_i,       scalar
    per_example_grads(theta, idx)  rows grad l_i(theta),           shape (|B|, d)
    grad(theta, idx)               (1/|B|) sum_{i in B} grad l_i,  shape (d,)

`grad` is written in matrix form, independently of `per_example_grads`, so the tests
can check one against the other. LeastSquares and QuadraticBowl accept object arrays
of Fractions or sympy Rationals and then compute exactly.
"""

from __future__ import annotations

import contextlib

import numpy as np

from . import _validate as validate


def _mean(a):
    return a.sum(axis=0) / a.shape[0]


class Model:
    _checked = True  # False only inside `with model.unchecked():`

    def __init__(self, X, y=None):
        self.X = validate.array("X", X, 2)
        self.n, self.dim = self.X.shape
        self.y = None if y is None else validate.array("y", y, 1, self.n)

    @contextlib.contextmanager
    def unchecked(self):
        """Within this block theta and idx are trusted and not checked (sgd checks them once,
        before its loop, and then calls grad thousands of times)."""
        saved, self._checked = self._checked, False
        try:
            yield self
        finally:
            self._checked = saved

    def _rows(self, theta, idx):
        if not self._checked:
            if idx is None:
                return theta, self.X, self.y
            return theta, self.X[idx], None if self.y is None else self.y[idx]
        theta = validate.array("theta", theta, 1, self.dim)
        if idx is None:
            return theta, self.X, self.y
        idx = np.asarray(idx)
        if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu":
            raise ValueError(f"idx must be a non-empty 1-D array of row indices, got {idx!r}")
        if idx.min() < 0 or idx.max() >= self.n:
            raise IndexError(f"idx must lie in 0..{self.n - 1}, got {idx.min()}..{idx.max()}")
        return theta, self.X[idx], None if self.y is None else self.y[idx]

    def loss(self, theta, idx=None):
        return _mean(self.losses(theta, idx))


class LeastSquares(Model):
    """l_i = (1/2)(x_i . theta - y_i)^2,  grad l_i = (x_i . theta - y_i) x_i,  grad L = X^T r / N."""

    def __init__(self, X, y):
        super().__init__(X, y)

    def residuals(self, theta, idx=None):
        theta, X, y = self._rows(theta, idx)
        return X @ theta - y

    def losses(self, theta, idx=None):
        r = self.residuals(theta, idx)
        return r * r / 2

    def per_example_grads(self, theta, idx=None):
        theta, X, y = self._rows(theta, idx)
        return (X @ theta - y)[:, None] * X

    def grad(self, theta, idx=None):
        theta, X, y = self._rows(theta, idx)
        return X.T @ (X @ theta - y) / X.shape[0]

    def solution(self):
        """The minimiser of L: the least-squares solution of X theta = y."""
        return np.linalg.lstsq(self.X.astype(float), self.y.astype(float), rcond=None)[0]


class Linear1D(LeastSquares):
    """y_hat = w x without bias: LeastSquares with one feature, so grad l_i = (w x_i - y_i) x_i."""

    def __init__(self, x, y):
        x = np.asarray(x)
        super().__init__(x.reshape(-1, 1) if x.ndim == 1 else x, y)
        if self.dim != 1:
            raise ValueError(f"x must have one feature, got shape {x.shape}")


def sigmoid(z):
    """sigma(z) = 1 / (1 + e^-z), written with tanh so large |z| never overflows."""
    return 0.5 * (1 + np.tanh(np.asarray(z, dtype=float) / 2))


class Logistic(Model):
    """p_i = sigma(x_i . theta), l_i = -y_i log p_i - (1 - y_i) log(1 - p_i), grad l_i = (p_i - y_i) x_i.

    The loss is evaluated as log(1 + e^z) - y z, which is the same quantity without
    overflow. Labels y must be 0 or 1.
    """

    def __init__(self, X, y):
        super().__init__(X, y)
        if not np.isin(self.y, (0, 1)).all():
            raise ValueError("y must contain only the labels 0 and 1")

    def probabilities(self, theta, idx=None):
        theta, X, _ = self._rows(theta, idx)
        return sigmoid(X @ theta)

    def losses(self, theta, idx=None):
        theta, X, y = self._rows(theta, idx)
        z = X @ theta
        return np.logaddexp(0.0, z) - y * z

    def per_example_grads(self, theta, idx=None):
        theta, X, y = self._rows(theta, idx)
        return (sigmoid(X @ theta) - y)[:, None] * X

    def grad(self, theta, idx=None):
        theta, X, y = self._rows(theta, idx)
        return X.T @ (sigmoid(X @ theta) - y) / X.shape[0]

    def minimiser(self, steps=3000):
        """w* by `steps` full-batch gradient descent steps w <- w - eta grad L(w) from w = 0, shape (d,).

        L is smooth with constant lambda_max(X^T X) / (4 N) (since sigma' <= 1/4), so the step
        eta = 1 / that constant is safe. The iterates are those of
        sgdcourse.sgd(model, zeros, eta, m=N, steps=steps), written out here so that a model
        does not depend on the driver. On separable data L has no minimiser and w grows without end.
        """
        steps = validate.integer("steps", steps, lo=1)
        X = self.X.astype(float)
        eta = 1 / (np.linalg.eigvalsh(X.T @ X / self.n).max() / 4)
        w = np.zeros(self.dim)
        with self.unchecked():
            for _ in range(steps):
                w = w - eta * self.grad(w)
        return w


class QuadraticBowl(Model):
    """A bowl with curvature lambda_k along axis k, minimum at `center` c.

    Example i shifts the bowl by a row a_i of `offsets` (made to average zero):
        l_i = (1/2) sum_k lambda_k (theta_k - c_k - a_ik)^2,  grad l_i = lambda * (theta - c - a_i),
        L   = (1/2) sum_k lambda_k (theta_k - c_k)^2 + const,  grad L = lambda * (theta - c).
    Without offsets there is a single example and SGD is plain gradient descent.
    A single-example gradient has variance lambda_k^2 * mean(a_k^2) along axis k.
    """

    def __init__(self, curvatures, center=None, offsets=None):
        lam = validate.array("curvatures", curvatures, 1)
        if lam.size == 0 or not (lam > 0).all():
            raise ValueError(f"curvatures must be a non-empty list of numbers > 0, got {curvatures!r}")
        d = lam.size
        self.curvatures = lam
        self.center = np.zeros(d) if center is None else validate.array("center", center, 1, d)
        a = np.zeros((1, d)) if offsets is None else validate.array("offsets", offsets, 2, cols=d)
        super().__init__(a - _mean(a))

    @property
    def minimum(self):
        return self.center

    def losses(self, theta, idx=None):
        theta, A, _ = self._rows(theta, idx)
        u = theta - self.center - A
        return (u * u) @ self.curvatures / 2

    def per_example_grads(self, theta, idx=None):
        theta, A, _ = self._rows(theta, idx)
        return (theta - self.center - A) * self.curvatures

    def grad(self, theta, idx=None):
        theta, A, _ = self._rows(theta, idx)
        return (theta - self.center - _mean(A)) * self.curvatures
