"""Finite-difference gradient check: d_k ~ (f(theta + eps e_k) - f(theta - eps e_k)) / (2 eps)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as validate


class GradCheck(NamedTuple):
    """error = max_k |analytic_k - numeric_k| / max(1, |analytic_k| + |numeric_k|); ok = error < tol."""

    analytic: np.ndarray
    numeric: np.ndarray
    error: float
    ok: bool

    def __repr__(self):
        # a passing error is rounding noise that differs between machines: print only its bound
        return "GradCheck(ok)" if self.ok else f"GradCheck(MISMATCH, error={self.error:.1e})"


def numerical_grad(f, theta, eps=1e-6):
    """Central differences of f at theta (d,). f may return a scalar or an array (..., ) of values,
    in which case the result stacks one gradient per value: shape (..., d)."""
    theta = validate.array("theta", theta, 1).astype(float)
    validate.positive("eps", eps)
    cols = []
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = eps
        cols.append((np.asarray(f(theta + e)) - np.asarray(f(theta - e))) / (2 * eps))
    return np.stack(cols, axis=-1)


def compare(analytic, numeric, tol=1e-6):
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    if analytic.shape != numeric.shape:
        raise ValueError(f"analytic has shape {analytic.shape} but numeric has {numeric.shape}")
    err = float(np.max(np.abs(analytic - numeric) / np.maximum(1.0, np.abs(analytic) + np.abs(numeric))))
    return GradCheck(analytic, numeric, err, err < tol)


def check_gradient(f, grad, theta, eps=1e-6, tol=1e-6):
    """Compare grad(theta) with central differences of the scalar function f."""
    return compare(grad(theta), numerical_grad(f, theta, eps), tol)


def check_model(model, theta, idx=None, eps=1e-6, tol=1e-6):
    """Check a model's per-example gradients (every row) and its full gradient at once.

    Returns the worse of the two GradChecks.
    """
    rows = compare(
        model.per_example_grads(theta, idx), numerical_grad(lambda th: model.losses(th, idx), theta, eps), tol
    )
    full = compare(model.grad(theta, idx), numerical_grad(lambda th: model.loss(th, idx), theta, eps), tol)
    return max(rows, full, key=lambda c: c.error)
