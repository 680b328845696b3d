"""Checking a number (or a list of numbers): |answer - reference| <= tol, in exact arithmetic.

The answer is read first (how it was read is part of the feedback): int, Fraction, float, numpy
scalar, 0-d array or a sympy number; a list, tuple, 1-D array or a one-row/one-column matrix for a
list of numbers. Both sides are compared as exact fractions, so integers of any size and the
boundary |a - r| = tol behave as documented (tol itself counts as inside). A recognised mistake is
an answer within tol of the value the mistake predicts; a generic slip (sign, factor 2, divisor
off by one, ...; see sgdcourse.checking.slips) is named when no mistake of the bank fits alone.
"""
from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np

from . import slips, timelimit
from .result import Result, Unreadable, unreadable
from .text import fmt, plural


def _sympy_number(x):
    import sympy

    if isinstance(x, sympy.MatrixBase):
        raise Unreadable(f"read {fmt(x)}; one number was asked"
                         + (": take its entry, M[0, 0]." if x.shape == (1, 1) else "."))
    if isinstance(x, sympy.logic.boolalg.Boolean) and not x.free_symbols:
        raise Unreadable(f"read the truth value {fmt(x)}; a number was asked.")
    if not isinstance(x, sympy.Expr) or x.free_symbols:
        raise Unreadable(f"read {fmt(x)}; a number was asked, without symbols.")
    if x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    if x.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise Unreadable(f"read {fmt(x)}, which is not a finite number (a division by zero?).")
    kind, z = timelimit.run(lambda: complex(x.evalf(30)), 1.0)
    if kind != "value":
        raise Unreadable(f"could not evaluate {fmt(x)} as a number.")
    if z.imag:
        raise Unreadable(f"read the complex number {fmt(x)}; a real number was asked.")
    return z.real


def read_number(x):
    """int, Fraction, float, numpy scalar, 0-d array or sympy number -> Fraction or float."""
    import sympy

    if isinstance(x, (bool, np.bool_)):
        raise Unreadable(f"{x} is a truth value, not a number.")
    if isinstance(x, np.ndarray):
        if x.size == 1 and x.ndim:
            raise Unreadable(f"read an array of shape {x.shape} holding one number; pass the number itself "
                             "(x.item()).")
        if x.ndim:
            raise Unreadable(f"read {fmt(x)}; one number was asked.")
        x = x.item()
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, (sympy.Basic, sympy.MatrixBase)):
        x = _sympy_number(x)
    elif isinstance(x, (Fraction, numbers.Integral)):
        return Fraction(int(x)) if isinstance(x, numbers.Integral) else x
    elif isinstance(x, numbers.Real):
        try:
            x = float(x)
        except (KeyboardInterrupt, timelimit.TimedOut):
            raise
        except BaseException:  # noqa: B902 - a learner's number type may raise anything, GeneratorExit too
            raise Unreadable(f"read {fmt(x)}, which could not be turned into a float.") from None
    elif isinstance(x, numbers.Complex):
        raise Unreadable(f"read the complex number {fmt(x)}; a real number was asked.")
    else:
        raise Unreadable(_not_a_number(x))
    if x != x or x in (float("inf"), float("-inf")):
        raise Unreadable(f"read {x}, which is not a finite number (a division by zero or an overflow?).")
    return x


def _not_a_number(x):
    if isinstance(x, str):
        return f"read the text {fmt(x)}; a number was asked: remove the quotes."
    if isinstance(x, (list, tuple)):
        return f"read {'a list' if isinstance(x, list) else 'a tuple'} of {plural(len(x), 'value')}; one number was asked."
    if x is None:
        return "read None: a variable left unset, or a function without `return`?"
    if callable(x):
        return f"read {fmt(x)}; call it and pass the number it returns."
    return f"read {fmt(x)}; a number was asked."


def _as_sequence(x, n):
    import sympy

    if isinstance(x, sympy.MatrixBase) and 1 in x.shape:
        return list(x)
    if isinstance(x, np.ndarray) and (x.ndim == 1 or x.ndim == 2 and 1 in x.shape):
        return list(x.ravel())
    return x


def read_numbers(x, n):
    """A list, tuple, 1-D array (or a one-row/one-column matrix) of n numbers -> tuple of n numbers."""
    x = _as_sequence(x, n)
    if not isinstance(x, (list, tuple)):
        try:
            one = fmt(read_number(x))
        except Unreadable:
            one = fmt(x)
        raise Unreadable(f"read {one}; a list of {plural(n, 'number')} was asked.")
    if len(x) != n:
        raise Unreadable(f"read {plural(len(x), 'value')}; exactly {plural(n, 'number')} "
                         f"{'was' if n == 1 else 'were'} asked.")
    out = []
    for k, item in enumerate(x):
        try:
            out.append(read_number(item))
        except Unreadable as e:
            raise Unreadable(f"entry {k + 1}: {e}") from None
    return tuple(out)


def close(a, r, tol):
    """|a - r| <= tol exactly (elementwise for tuples); a, r Fractions, floats or tuples of them."""
    if isinstance(r, tuple):
        return isinstance(a, tuple) and len(a) == len(r) and all(close(u, v, tol) for u, v in zip(a, r))
    return abs(Fraction(a) - Fraction(r)) <= Fraction(tol)


def check_number(answer, reference, tol, mistakes=(), statement=""):
    """Correct when |answer - reference| <= tol (reference a number or a tuple of numbers)."""
    try:
        value = read_numbers(answer, len(reference)) if isinstance(reference, tuple) else read_number(answer)
    except Unreadable as e:
        return unreadable(e)
    shown = fmt(value)
    if close(value, reference, tol):
        return Result("correct", f"{shown} is right (checked to within ±{tol:g}).")
    known = [m for m in mistakes if _close_safely(value, m.value, tol)]
    found = slips.number_slips(value, reference, tol, statement)
    verdict = slips.feedback(known, found, f"(Your answer was read as {shown}.)")
    if verdict:
        return Result("incorrect", verdict[0], mistake=verdict[1])
    return Result("incorrect", f"{shown} is not within ±{tol:g} of the expected value.")


def _close_safely(value, target, tol):
    try:
        return close(value, target, tol)
    except (TypeError, ValueError, OverflowError):
        return False
