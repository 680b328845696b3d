"""Screening an expression answer before sympy evaluates it, so that no answer can hang a check.

    parse(text, namespace)  text -> sympy expression, or Unreadable with the reason in words
    check_size(obj)         Unreadable when a number in obj is far too large to work with

Text longer than MAX_CHARS, a number written with more than MAX_DIGITS digits, or a power of
numbers whose value has more than MAX_DIGITS digits ("9**9**9" has about 3.7e8) is refused: the
text is first parsed without evaluation, its numeric powers are sized by logarithms, and only
then is it parsed again for real. (Anything the screen misses is still stopped: expression
checks run in a child process killed at the deadline, see sgdcourse.checking.isolate.)
"""

from __future__ import annotations

import math
import numbers
import re

import sympy
from sympy.parsing.sympy_parser import convert_xor, implicit_multiplication, parse_expr, standard_transformations

from .result import Unreadable
from .text import fmt

TRANSFORMATIONS = standard_transformations + (implicit_multiplication, convert_xor)
MAX_CHARS, MAX_DIGITS = 2000, 1000


def _summary(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}" + (f": {text[-1].strip()}" if text else "")


def _digits(node):
    """About how many decimal digits the numeric value of node has (inf when it is huge; 0 for
    anything that is not a plain number)."""
    if isinstance(node, sympy.Integer):
        return max(int(node).bit_length(), 1) * math.log10(2)
    if isinstance(node, sympy.Rational):
        return _digits(sympy.Integer(node.p)) + _digits(sympy.Integer(node.q))
    if isinstance(node, sympy.Float):
        return 0.0
    if isinstance(node, sympy.Pow):
        base, exp = node.args
        size_exp = _digits(exp)
        if not (base.is_number and exp.is_number) or size_exp == 0 and not exp.is_Integer:
            return 0.0
        if size_exp > 7:
            return math.inf
        try:
            e = abs(float(exp))
        except (TypeError, ValueError, OverflowError):
            return 0.0
        return e * _digits(base)
    if isinstance(node, (sympy.Mul, sympy.Add)):
        return sum(_digits(a) for a in node.args)
    if isinstance(node, sympy.factorial) and node.args[0].is_number:
        n = _digits(node.args[0])
        return math.inf if n > 5 else 0.0
    return 0.0


def _too_large(size):
    return (
        f"it contains a number of about {size:.2g} digits, far too large to be the answer"
        if size < math.inf
        else "it contains a number far too large to write down, let alone to be the answer"
    )


def check_size(obj):
    """Unreadable when obj (a number or sympy object) holds a number of more than MAX_DIGITS digits."""
    if isinstance(obj, numbers.Integral) and not isinstance(obj, bool):
        if int(obj).bit_length() > MAX_DIGITS * 3.33:
            raise Unreadable(f"read {fmt(obj)}: far too large to be the answer.")
        return
    if isinstance(obj, sympy.Basic):
        worst = max(
            (
                _digits(n)
                for n in sympy.preorder_traversal(obj)
                if isinstance(n, (sympy.Number, sympy.Pow, sympy.factorial))
            ),
            default=0.0,
        )
        if worst > MAX_DIGITS:
            raise Unreadable(f"read {fmt(obj)}; {_too_large(worst)}.")


def parse(text, namespace):
    """The expression a learner typed, screened first (see the module docstring)."""
    if len(text) > MAX_CHARS:
        raise Unreadable(f"read a text of {len(text)} characters; an expression of at most {MAX_CHARS} was expected.")
    if re.search(r"\d{%d,}" % (MAX_DIGITS + 1), text):
        raise Unreadable(f"read {fmt(text)}, which writes a number of more than {MAX_DIGITS} digits.")
    local = dict(namespace)
    try:
        raw = parse_expr(text, local_dict=local, transformations=TRANSFORMATIONS, evaluate=False)
    except Exception:  # the parse below reports the reason (or succeeds where this one could not)
        raw = None
    if isinstance(raw, sympy.Basic):
        check_size(raw)
    try:
        return parse_expr(text, local_dict=local, transformations=TRANSFORMATIONS)
    except Exception as exc:
        raise Unreadable(f"sympy could not parse {fmt(text)} ({_summary(exc)}).") from None
