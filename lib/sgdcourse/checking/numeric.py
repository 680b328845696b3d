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
import re
from fractions import Fraction

import numpy as np
import sympy

from . import screen, slips, symbolic, timelimit
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


# Text is read as the expression reader reads it (symbolic.clean_text, then screen.parse), but
# here, in the notebook's own process, with no child to kill: so before sympy sees the text, every
# name in it must be one of these (elementary functions and constants; anything else, factorial
# say, sympy would evaluate while parsing), and screen.parse refuses huge numbers before evaluation.
TEXT_NAMES = frozenset(
    "sqrt exp log ln sin cos tan asin acos atan sinh cosh tanh Abs pi E I oo Rational Integer Float".split()
)


def _read_text(text):
    """A number typed as text ("19/50", "0.38", "sqrt(2)/2") -> a sympy number; Unreadable with
    the reason (a symbol, a function that is not elementary, text sympy cannot parse, huge)."""
    clean = symbolic.clean_text(text)
    if not clean:
        raise Unreadable("read an empty text; a number was asked.")
    names = symbolic.text_names(clean)
    symbols = sorted({w for w in names if w not in TEXT_NAMES and w not in symbolic.RESERVED})
    calls = sorted({w for w in symbols if re.search(rf"\b{re.escape(w)}\s*\(", clean)})
    if calls:
        raise Unreadable(
            f"read {fmt(text)}, which calls {', '.join(f'`{w}`' for w in calls)}; a number was asked: type "
            "the number, with + - * / ** and sqrt, exp, log, sin, cos, tan if you need them."
        )
    if symbols:
        shown = ", ".join(f"`{w}`" for w in symbols)
        euler = " (for Euler's number write E or exp(1))" if "e" in symbols else ""
        raise Unreadable(
            f"read {fmt(text)}, which uses the symbol{'s' * (len(symbols) > 1)} {shown}; "
            f"a number was asked, without symbols{euler}."
        )
    kind, value = timelimit.run(lambda: screen.parse(clean, {}), 1.0)
    if kind == "timeout":
        raise Unreadable(f"could not read {fmt(text)} as a number in time.")
    if kind == "error":
        raise value if isinstance(value, Unreadable) else Unreadable(f"could not read {fmt(text)} as a number.")
    if isinstance(value, (bool, sympy.logic.boolalg.BooleanAtom)):
        raise Unreadable(f"read {fmt(text)} as the truth value {value}; a number was asked.")
    return value


def read_number(x):
    """int, Fraction, float, numpy scalar, 0-d array, sympy number or text that reads as a number
    ("19/50", "0.38", "sqrt(2)/2": see _read_text) -> Fraction or float."""
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
    if isinstance(x, str):
        x = _read_text(x)
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
    d = Fraction(a) - Fraction(r)  # no abs(): a learner's number type may have replaced it while being read
    return (d if d >= 0 else -d) <= Fraction(tol)


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
