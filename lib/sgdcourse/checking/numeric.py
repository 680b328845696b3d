"""Checking a number (or a list of numbers): |answer - reference| <= tol, in exact arithmetic.

The answer is read first (how it was read is part of the feedback): int, Fraction, float, numpy
scalar, 0-d array or a sympy number; a list, tuple, 1-D array or a one-row/one-column matrix for a
list of numbers. Both sides are compared as exact fractions, so integers of any size and the
boundary |a - r| = tol behave as documented (tol itself counts as inside). A recognised mistake is
an answer within tol of the value the mistake predicts; a generic slip (sign, factor 2, divisor
off by one, ...: the catalogue sgdcourse.checking.slips, tried with the problem's declared counts)
is named when its changed value is within tol of the answer too.

    check_number(answer, reference, tol, mistakes, counts)
      -> read_number / read_numbers -> close(value, reference, tol)? correct
      -> else the bank's mistakes within tol, and matching_slips(value, reference, tol, counts)
      -> slips.feedback: the verdict naming all of them
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np
import sympy

from . import slips, timelimit
from .result import Result, Unreadable, unreadable
from .text import fmt, plural


def _sympy_number(x):
    if isinstance(x, sympy.MatrixBase):
        raise Unreadable(
            f"read {fmt(x)}; one number was asked" + (": take its entry, M[0, 0]." if x.shape == (1, 1) else ".")
        )
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
    if isinstance(x, (bool, np.bool_)):
        raise Unreadable(f"{x} is a truth value, not a number.")
    if isinstance(x, np.ndarray):
        if x.size == 1 and x.ndim:
            raise Unreadable(f"read an array of shape {x.shape} holding one number; pass the number itself (x.item()).")
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
        return (
            f"read {'a list' if isinstance(x, list) else 'a tuple'} of {plural(len(x), 'value')}; one number was asked."
        )
    if x is None:
        return "read None: a variable left unset, or a function without `return`?"
    if callable(x):
        return f"read {fmt(x)}; call it and pass the number it returns."
    return f"read {fmt(x)}; a number was asked."


def _as_sequence(x, n):
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
        raise Unreadable(
            f"read {plural(len(x), 'value')}; exactly {plural(n, 'number')} {'was' if n == 1 else 'were'} asked."
        )
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


def check_number(answer, reference, tol, mistakes=(), counts=()):
    """Correct when |answer - reference| <= tol (reference a number or a tuple of numbers);
    counts: the whole numbers the problem gives, which the divisor and factor slips try."""
    try:
        value = read_numbers(answer, len(reference)) if isinstance(reference, tuple) else read_number(answer)
    except Unreadable as e:
        return unreadable(e)
    shown = fmt(value)
    if close(value, reference, tol):
        return Result("correct", f"{shown} is right (checked to within ±{tol:g}).")
    known = [m for m in mistakes if _close_safely(value, m.value, tol)]
    found = matching_slips(value, reference, tol, counts)
    verdict = slips.feedback(known, found, f"(Your answer was read as {shown}.)")
    if verdict:
        return Result("incorrect", verdict[0], mistake=verdict[1])
    return Result("incorrect", f"{shown} is not within ±{tol:g} of the expected value.")


def _close_safely(value, target, tol):
    try:
        return close(value, target, tol)
    except (TypeError, ValueError, OverflowError):
        return False


# ---- which slips give the answer ----------------------------------------------------------------


def _scalar_matches(a, r, tol, counts=()):
    """The slips of the catalogue whose value is within tol of a (a and r numbers), at most one per
    name, in catalogue order; "close" when none is but a is near r."""
    a, r = Fraction(a), Fraction(r)
    if close(a, r, tol):
        return []
    found = {}
    for slip in slips.number_slips(r, tol, counts):
        if slip.name not in found and close(a, slips.changed(slip.how, r), tol):
            found[slip.name] = slip
    near = None if found else slips.close_slip(a, r, tol)
    return list(found.values()) + ([near] if near else [])


def matching_slips(a, r, tol, counts=()):
    """The slips that explain answer a (a number or tuple) for the reference r: for a list, the
    right numbers in the wrong order, the slip of the one entry that is off, or one every entry shares."""
    if not isinstance(r, tuple):
        return _scalar_matches(a, r, tol, counts)
    n = len(r)
    if sorted(a) == sorted(r) or all(close(x, y, tol) for x, y in zip(sorted(a), sorted(r))):
        return [slips.ORDER]
    wrong = [k for k in range(n) if not close(a[k], r[k], tol)]
    per = [_scalar_matches(a[k], r[k], tol, counts) for k in wrong]
    if len(wrong) == 1:
        return [slips.entry(s, wrong[0], n) for s in per[0]]
    shared = set.intersection(*({s.name for s in p} for p in per)) - {"close", "rounded"}
    if all(r[k] for k in wrong) and shared and len(wrong) == n:
        return [slips.every_entry(s) for s in per[0] if s.name in shared]
    if all(any(s.name in ("close", "rounded") for s in p) for p in per):
        return [slips.CLOSE_ENTRIES]
    return []
