"""Argument checks shared by the public functions. Every error names the parameter."""

from __future__ import annotations

import numbers

import numpy as np


def real(name, value):
    """A real scalar (int, float, Fraction, numpy or sympy number), never a bool."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        try:  # sympy numbers are not registered with numbers.Real in every version
            import sympy

            if isinstance(value, sympy.Basic) and value.is_real and value.is_number:
                return value
        except ImportError:  # pragma: no cover
            pass
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def positive(name, value):
    if not real(name, value) > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def in_range(name, value, lo, hi):
    """lo <= value < hi."""
    if not lo <= real(name, value) < hi:
        raise ValueError(f"{name} must satisfy {lo} <= {name} < {hi}, got {value!r}")
    return value


def integer(name, value, lo=None, hi=None):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if lo is not None and value < lo:
        raise ValueError(f"{name} must be >= {lo}, got {value}")
    if hi is not None and value > hi:
        raise ValueError(f"{name} must be <= {hi}, got {value}")
    return int(value)


def generator(name, rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy Generator such as np.random.default_rng(0), got {rng!r}")
    return rng


def array(name, value, ndim, rows=None, cols=None):
    """An array of ndim dimensions with optional fixed sizes; floats must be finite.

    Object arrays (Fractions, sympy numbers) pass through untouched so that exact
    arithmetic stays exact.
    """
    a = np.asarray(value)
    if a.dtype == object:
        pass
    elif a.dtype.kind in "biu":
        a = a.astype(float)
    elif a.dtype.kind != "f":
        raise TypeError(f"{name} must hold numbers, got dtype {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    want = (rows, cols)[:ndim]
    if any(w is not None and w != s for w, s in zip(want, a.shape)):
        shape = tuple("?" if w is None else w for w in want)
        raise ValueError(f"{name} has shape {a.shape}, expected {shape}")
    if a.dtype != object and not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        raise ValueError(f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)})")
    return a
