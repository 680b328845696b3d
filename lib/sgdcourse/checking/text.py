"""Values as words for feedback: short, deterministic, never a memory address, never a traceback.

fmt(value) works for anything a learner may pass: integers of any size (Python refuses str() past
about 4300 digits, so huge ones are shown as "an integer of 10001 digits, about 1e+10000"),
matrices and 2-D arrays described in words, sympy objects, functions and classes. Helpers give
the right article (a/an) and plural, and enough digits to show where two floats differ.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np
import sympy

_asarray, _isfinite = np.asarray, np.isfinite  # taken at import: a learner's patch of numpy does not reach them
BIG_BITS = 3000  # integers above about 900 digits are summarised, never printed in full
MAX_TEXT = 200


def article(word):
    """'a' or 'an' before word ('an integer', 'a list', 'an EqTrue')."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def plural(n, word, words=None):
    """'1 value', '3 values'."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _big_int(n):
    """An integer too long to print, as its number of digits and its size."""
    s = n.bit_length() - 53
    log10 = math.log10(abs(n) >> s) + s * math.log10(2)
    digits, mantissa = int(log10) + 1, 10 ** (log10 - int(log10))
    sign = "-" if n < 0 else ""
    return f"an integer of {digits} digits, about {sign}{mantissa:.3f}e+{digits - 1}"


def _short(text):
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def _float(x, digits):
    return f"{x:.{digits}g}"


def _array(a):
    a = _asarray(a)
    if a.ndim == 0:
        return fmt(a.item())
    if a.size > 40:
        return f"an array of shape {a.shape}"
    try:
        if a.dtype.kind in "fc" and a.dtype.itemsize <= 4:  # float32: show all its digits
            body = np.array2string(a, separator=", ", precision=9, floatmode="maxprec")
        else:
            with np.printoptions(precision=8, suppress=True):
                body = np.array2string(a, separator=", ")
    except Exception:  # an object array whose items cannot be printed
        return f"an array of shape {a.shape}"
    if a.ndim == 1:
        return _short(body)
    if a.ndim == 2:
        r, c = a.shape
        words = (
            "a column of " + plural(r, "number")
            if c == 1
            else "a row of " + plural(c, "number")
            if r == 1
            else f"a table of {r} rows and {c} columns"
        )
        return _short(f"{words}, {body}")
    return f"an array of shape {a.shape}"


def fmt(value, digits=10):
    """Short deterministic text for a value shown in feedback."""
    try:
        return _fmt(value, digits)
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: B902 - a learner's object whose own methods fail: describe its type only
        return _thing(value)


def _fmt(value, digits):
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, np.floating) and value.dtype.itemsize <= 4:
        return repr(float(value)) if _isfinite(value) else str(float(value))  # float32: every digit it has
    if isinstance(value, np.generic):
        return _fmt(value.item(), digits)
    if isinstance(value, numbers.Integral):
        n = int(value)
        return _big_int(n) if n.bit_length() > BIG_BITS else str(n)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return _fmt(value.numerator, digits)
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > BIG_BITS:
            return "a fraction with a numerator or denominator of more than 900 digits"
        return f"{value} = {_float(float(value), digits)}"
    if isinstance(value, float):
        return _float(value, digits)
    if isinstance(value, complex):
        return f"{value.real:.6g}{value.imag:+.6g}i"
    if isinstance(value, sympy.MatrixBase):
        return f"a sympy matrix with {plural(value.rows, 'row')} and {plural(value.cols, 'column')}, " + _short(
            sympy.sstr(value.tolist())
        )
    if isinstance(value, sympy.Basic):
        if any(a.is_Integer and int(a).bit_length() > BIG_BITS for a in value.atoms(sympy.Number)):
            return "a sympy expression with a number of more than 900 digits"
        return _short(sympy.sstr(value))
    if isinstance(value, (list, tuple)):
        items = ", ".join(fmt(v) for v in value[:10]) + (", ..." if len(value) > 10 else "")
        return f"[{items}]" if isinstance(value, list) else f"({items})"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if value is None or value is Ellipsis:
        return repr(value)
    return _thing(value)


def _thing(value):
    if isinstance(value, type):
        return f"the class {getattr(value, '__name__', 'object')}"
    if callable(value):
        name = getattr(value, "__name__", None)
        return f"the function {name}" if isinstance(name, str) and name.isidentifier() else "a function"
    name = type(value).__name__
    return f"{article(name)} {name}"


def pair(expected, received):
    """(expected, received) as text with the same number of significant digits, enough that
    different values look different (float32 results keep every digit they have)."""
    e, r = _asarray(expected), _asarray(received)
    if e.shape != r.shape or e.dtype.kind not in "fiu" or r.dtype.kind not in "fiu" or e.size > 40:
        return fmt(expected), fmt(received)
    e, r = e.astype(float), r.astype(float)
    for digits in range(7, 18):
        if e.ndim == 0:  # past 7 digits keep trailing zeros, so the two line up digit by digit
            alt = "#" if digits > 7 else ""
            te, tr = f"{float(e):{alt}.{digits}g}", f"{float(r):{alt}.{digits}g}"
        else:
            with np.printoptions(precision=digits - 1, floatmode="fixed" if digits < 10 else "maxprec"):
                te, tr = np.array2string(e, separator=", "), np.array2string(r, separator=", ")
        if te != tr or digits == 17:
            return _short(te), _short(tr)
