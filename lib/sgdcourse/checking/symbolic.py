"""Checking a symbolic answer by mathematical equivalence, never by comparing strings.

The answer a and the reference r are equivalent when
  1. there is no counterexample: at POINTS random points (a fixed local seed) a and r,
     evaluated to 30 digits, agree to |a - r| <= 1e-9 max(1, |r|) wherever both are finite
     (sgdcourse.checking.points, which the slips of an expression are matched with too);
  2. and all POINTS points were finite (and agreed), or sympy.simplify(a - r) is 0 within the
     time limit. Where some points are undefined and simplify fails, the answer is not accepted.
Symbols are drawn by their assumptions: integers from 2..9, positive reals from [0.2, 4.2),
other reals from [-3, 3]. A Sum over k is expanded once its bounds are numbers, and every
g[k] of an IndexedBase g then gets a random value (never quoted back: the learner cannot see it).

Text is parsed by sympy with ^ read as ** and 5x read as 5*x; its names are looked up in the
problem's namespace first, so "N" is the problem's N, not sympy's N(). A Unicode minus is read
as "-"; a Python reserved word used as a name ("lambda") is refused with a message that says so
(text_names, clean_text; the number reader uses them too). Before anything is
evaluated, text and numbers are screened (sgdcourse.checking.screen) so "9**9**9" or 10**10000
is refused in milliseconds instead of computed for hours.
"""

from __future__ import annotations

import io
import keyword
import numbers
import tokenize

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from . import exprslips, screen, slips, timelimit
from .points import POINTS, Points, agree
from .result import Result, Unreadable, unreadable
from .text import fmt


def _symbol_names(namespace):
    return ", ".join(sorted(k for k, v in namespace.items() if isinstance(v, (sympy.Symbol, sympy.IndexedBase))))


# Python's reserved words cannot be names: sympy's parser stops on them with a bare SyntaxError.
# True and False are values (read as truth values); and, or, not are logic, refused on their own.
RESERVED = frozenset(keyword.kwlist) - {"True", "False", "and", "or", "not"}
LOGIC = frozenset({"and", "or", "not"})


def text_names(text):
    """The names in text, in order, as Python's tokenizer (which sympy's parser uses) reads them;
    the names before a point where the text cannot be tokenized."""
    names = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NAME:
                names.append(token.string)
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return names


def _reserved(word, namespace):
    names = _symbol_names(namespace) if namespace else ""
    head = f"`{word}` is a reserved word in Python, so it cannot be a name here: "
    if word == "lambda":
        return head + "write `lam`" + (f" (this problem's names are: {names})." if names else ".")
    if names:
        return head + f"write one of this problem's names ({names})."
    return head + f"use another name (`{word}_`, say)."


def clean_text(text, namespace=None):
    """The text of an answer as the parser takes it: spaces around it removed, a Unicode minus
    read as "-"; Unreadable for a reserved word used as a name, or a logic word (and, or, not)."""
    text = text.strip().replace("\u2212", "-")
    for word in text_names(text):
        if word in RESERVED:
            raise Unreadable(_reserved(word, namespace))
        if word in LOGIC:
            raise Unreadable(
                f"read {fmt(text)}, which uses `{word}`: that is Python's logic word, and an arithmetic "
                "expression was asked (no answer here is a truth value)."
            )
    return text


def read_expression(answer, namespace):
    """A sympy expression from a string, a sympy object or a plain number; symbols are matched
    to the problem's by name (so a learner's Symbol('m') is the problem's m)."""
    if isinstance(answer, str):
        expr = screen.parse(clean_text(answer, namespace), namespace)
    elif isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (numbers.Number, sympy.Basic)):
        raise Unreadable(f"read {fmt(answer)}; a sympy expression or a string such as 'x**2 + 1' was asked.")
    elif isinstance(answer, numbers.Complex) and not isinstance(answer, numbers.Real):
        raise Unreadable(f"read the complex number {fmt(answer)}; the expression asked is real.")
    elif isinstance(answer, sympy.Basic):
        screen.check_size(answer)
        expr = answer
    else:
        screen.check_size(answer)
        expr = sympy.sympify(answer if isinstance(answer, numbers.Rational) else float(answer))
    if isinstance(expr, sympy.Equality):
        raise Unreadable(f"read the equation {fmt(expr)}; give only the expression on its right-hand side.")
    if not isinstance(expr, sympy.Expr):
        raise Unreadable(f"read {fmt(expr)}, which is not an algebraic expression.")
    rename = {
        s: namespace[s.name]
        for s in expr.free_symbols
        if isinstance(s, sympy.Symbol) and isinstance(namespace.get(s.name), sympy.Symbol)
    }
    expr = expr.xreplace(rename)
    unknown = sorted({s.name for s in expr.free_symbols if isinstance(s, sympy.Symbol) and s.name not in namespace})
    if unknown:
        raise Unreadable(
            f"read {fmt(expr)}, which uses {', '.join(unknown)}; this problem's symbols are {_symbol_names(namespace)}."
        )
    undefined = sorted({str(f.func) for f in expr.atoms(AppliedUndef)})
    if undefined:
        raise Unreadable(f"read {fmt(expr)}, which calls the unknown function {', '.join(undefined)}.")
    if expr.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise Unreadable(f"read {fmt(expr)}, which is not finite (a division by zero?).")
    if expr.has(sympy.I):
        raise Unreadable(f"read {fmt(expr)}, which is complex; the expression asked is real.")
    return expr


def compare(a, r, namespace, timeout=2.0, points=None):
    """(equivalent?, how it was decided) for two sympy expressions; see the module docstring."""
    if a == r:
        return True, "it is the same expression"
    points = points or Points(namespace, (a, r))
    va, vr = points.values(a), points.values(r)
    same, finite, k = agree(va, vr)
    if not same:
        if points.bases:  # values computed from hidden random g[k]: the learner could not check them
            return (
                False,
                "at a random point (random values for every entry of "
                + f"{', '.join(points.bases)}) the two expressions differ",
            )
        return False, f"{points.where(k)} it gives {_show(va[k])} where {_show(vr[k])} was expected"
    if finite == POINTS:
        return True, f"they agree at all {POINTS} random points"
    kind, diff = timelimit.run(lambda: sympy.simplify(a - r), timeout)
    if kind == "value" and diff == 0:
        return True, f"sympy.simplify reduces the difference to 0, and they agree at {finite} random points"
    return False, "sympy could not show the difference is 0"


def _show(z):
    return fmt(z.real, 6) if abs(z.imag) < 1e-12 else f"{z.real:.6g}{z.imag:+.6g}i"


def check_expression(answer, reference, namespace, mistakes=(), timeout=2.0, send=None, domain=None):
    """Correct when the answer is mathematically equivalent to the reference expression.

    send(result), when given, receives provisional Results as they are decided (the caller
    keeps the last one if the check is stopped before it ends). domain: {symbol name: (lo, hi)},
    where the random points are drawn (so a counterexample is one the problem allows)."""
    try:
        expr = read_expression(answer, namespace)
    except Unreadable as e:
        return unreadable(e)
    points = Points(
        namespace, (expr, reference, *(m.value for m in mistakes if isinstance(m.value, sympy.Basic))), domain
    )
    same, how = compare(expr, reference, namespace, timeout, points)
    if same:
        # how equivalence was decided (simplify within the time limit, or random points) can
        # depend on the machine's speed, so it stays out of the message, which must reproduce
        return Result("correct", f"{fmt(expr)} is equivalent to the expected expression.")
    generic = Result("incorrect", f"{fmt(expr)} is not equivalent to the expected expression: {how}.")
    missing = sorted(str(s) for s in reference.free_symbols - expr.free_symbols if isinstance(s, sympy.Symbol))
    if not expr.free_symbols and missing:
        generic = Result(
            "incorrect",
            f"{fmt(expr)} is a number, but the expected expression depends on {', '.join(missing)}: "
            "write it in the problem's symbols, not at one value of them.",
        )
    if send:
        send(generic)
    limit = max(timeout / 4, 0.1)
    known = [m for m in mistakes if compare(expr, m.value, namespace, limit, points)[0]]
    found = exprslips.matching_slips(expr, reference, namespace, points)
    verdict = slips.feedback(known, found, f"(Your answer was read as {fmt(expr)}.)")
    return Result("incorrect", verdict[0], mistake=verdict[1]) if verdict else generic
