"""Checking a symbolic answer by mathematical equivalence, never by comparing strings.

The answer a and the reference r are equivalent when
  1. there is no counterexample: at POINTS random points (a fixed local seed) a and r,
     evaluated to 30 digits, agree to |a - r| <= 1e-9 max(1, |r|) wherever both are finite;
  2. and sympy.simplify(a - r) is 0, or all POINTS points were finite and agreed.
Symbols are drawn by their assumptions: integers from 2..9, positive reals from [0.2, 4.2),
other reals from [-3, 3]. A Sum over k is expanded once its bounds are numbers, and every
g[k] of an IndexedBase g then gets a random value.

A string answer is parsed by sympy with ^ read as ** and 5x read as 5*x; its names are
looked up in the problem's namespace first, so "N" is the problem's N, not sympy's N().
"""
from __future__ import annotations

import numbers

import numpy as np
import sympy
from sympy.core.function import AppliedUndef
from sympy.parsing.sympy_parser import convert_xor, implicit_multiplication, parse_expr, standard_transformations

from . import timelimit
from .checking import Result, Unreadable, fmt

TRANSFORMATIONS = standard_transformations + (implicit_multiplication, convert_xor)
POINTS, SEED, RTOL = 6, 2024, 1e-9


def _summary(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}" + (f": {text[-1].strip()}" if text else "")


def _symbol_names(namespace):
    return ", ".join(sorted(k for k, v in namespace.items() if isinstance(v, (sympy.Symbol, sympy.IndexedBase))))


def read_expression(answer, namespace):
    """A sympy expression from a string, a sympy object or a plain number; symbols are matched
    to the problem's by name (so a learner's Symbol('m') is the problem's m)."""
    if isinstance(answer, str):
        try:
            expr = parse_expr(answer, local_dict=dict(namespace), transformations=TRANSFORMATIONS)
        except Exception as exc:  # SyntaxError, TokenError, TypeError, ... from the parser
            raise Unreadable(f"sympy could not parse {fmt(answer)} ({_summary(exc)}).") from None
    elif isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (numbers.Number, sympy.Basic)):
        raise Unreadable(f"read {fmt(answer)}; a sympy expression or a string such as 'sigma**2/m' was asked.")
    elif isinstance(answer, sympy.Basic):
        expr = answer
    else:
        expr = sympy.sympify(answer if isinstance(answer, numbers.Rational) else float(answer))
    if isinstance(expr, sympy.Equality):
        raise Unreadable(f"read the equation {fmt(expr)}; give only the expression on its right-hand side.")
    if not isinstance(expr, sympy.Expr):
        raise Unreadable(f"read {fmt(expr)}, which is not an algebraic expression.")
    rename = {s: namespace[s.name] for s in expr.free_symbols
              if isinstance(s, sympy.Symbol) and isinstance(namespace.get(s.name), sympy.Symbol)}
    expr = expr.xreplace(rename)
    unknown = sorted({s.name for s in expr.free_symbols if isinstance(s, sympy.Symbol) and s.name not in namespace})
    if unknown:
        raise Unreadable(f"read {fmt(expr)}, which uses {', '.join(unknown)}; "
                         f"this problem's symbols are {_symbol_names(namespace)}.")
    undefined = sorted({str(f.func) for f in expr.atoms(AppliedUndef)})
    if undefined:
        raise Unreadable(f"read {fmt(expr)}, which calls the unknown function {', '.join(undefined)}.")
    if expr.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise Unreadable(f"read {fmt(expr)}, which is not finite (a division by zero?).")
    return expr


def _draw(symbol, rng):
    if symbol.is_integer:
        return sympy.Integer(int(rng.integers(2, 10)))
    if symbol.is_positive:
        return sympy.Rational(int(rng.integers(20, 420)), 100)
    return sympy.Rational(int(rng.integers(-300, 301)), 100) or sympy.Rational(1, 7)


def _value(expr, point, arrays):
    """expr at the point as a complex number, or None where it is undefined or not finite."""
    e = expr.xreplace(point)
    if e.has(sympy.Sum, sympy.Product):
        e = e.doit()
    values = {}
    for item in e.atoms(sympy.Indexed):
        if len(item.indices) != 1 or not item.indices[0].is_Integer or str(item.base) not in arrays:
            return None
        values[item] = arrays[str(item.base)][int(item.indices[0]) % len(arrays[str(item.base)])]
    try:
        z = complex(sympy.N(e.xreplace(values), 30))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return z if np.isfinite(z) else None


def compare(a, r, namespace, timeout=2.0):
    """(equivalent?, how it was decided) for two sympy expressions; see the module docstring."""
    if a == r:
        return True, "it is the same expression"
    rng = np.random.default_rng(SEED)
    bases = sorted(k for k, v in namespace.items() if isinstance(v, sympy.IndexedBase))
    symbols = sorted((s for s in a.free_symbols | r.free_symbols
                      if isinstance(s, sympy.Symbol) and s.name not in bases), key=lambda s: s.name)
    agreed = 0
    for _ in range(POINTS):
        point = {s: _draw(s, rng) for s in symbols}
        arrays = {b: [sympy.Rational(int(v), 100) for v in rng.integers(-300, 301, 32)] for b in bases}
        va, vr = _value(a, point, arrays), _value(r, point, arrays)
        if va is None or vr is None:
            continue
        if abs(va - vr) > RTOL * max(1.0, abs(vr)):
            where = ", ".join(f"{s} = {fmt(float(v), 4)}" for s, v in point.items())
            return False, f"at {where or 'a random point'} it gives {_show(va)} where {_show(vr)} was expected"
        agreed += 1
    kind, diff = timelimit.run(lambda: sympy.simplify(a - r), timeout)
    proved = kind == "value" and diff == 0
    if proved:
        return True, f"sympy.simplify reduces the difference to 0, and they agree at {agreed} random points"
    if agreed == POINTS:
        return True, f"they agree at all {POINTS} random points"
    return False, "sympy could not show the difference is 0"


def _show(z):
    return fmt(z.real, 6) if abs(z.imag) < 1e-12 else f"{z.real:.6g}{z.imag:+.6g}i"


def check_expression(answer, reference, namespace, mistakes=(), timeout=2.0):
    """Correct when the answer is mathematically equivalent to the reference expression."""
    try:
        expr = read_expression(answer, namespace)
    except Unreadable as e:
        return Result("unreadable", f"Could not read the answer: {e}")
    same, how = compare(expr, reference, namespace, timeout)
    if same:
        # how equivalence was decided (simplify within the time limit, or random points) can
        # depend on the machine's speed, so it stays out of the message, which must reproduce
        return Result("correct", f"{fmt(expr)} is equivalent to the expected expression.")
    for m in mistakes:
        if compare(expr, m.value, namespace, timeout)[0]:
            return Result("incorrect", f"{m.feedback}\n(Your answer was read as {fmt(expr)}.)", mistake=m.name)
    return Result("incorrect", f"{fmt(expr)} is not equivalent to the expected expression: {how}.")
