"""Generic slips of a symbolic answer: which simple change of the right expression r it equals.

With the problem's symbols s, t (Symbols of its namespace) the candidates are

    sign  -r        factor-2  2r        factor-half  r/2        squared r^2    square-root sqrt(r)
    missing-factor  r / f for a factor f of r (a lost inner derivative of the chain rule, or a lost x_i)
    extra-factor    r s                 divided-by   r / s (a division by s too many; s not a factor of r)
    and for integer symbols (counts) s, t only:
    divisor-minus-one  r s/(s - 1)      divisor-plus-one  r (s - 1)/s        wrong-divisor  r t/s
    step-too-many / step-too-few        r with s + 1 / s - 1 in place of s
All are tested by value at the same random points as the equivalence check
(sgdcourse.checking.symbolic.Points): the answer must agree with the changed expression at every
point where both are finite, and at least MIN_FINITE of them. Most changes are r's values times
a small factor, so r is evaluated once; only a changed step count re-evaluates it.
"""
from __future__ import annotations

import sympy

from .slips import Slip

MIN_FINITE = 3


def _candidates(r, namespace):
    """(name, text, change): change is ("scale", m) for r times the expression m (evaluated at the
    point, cheap), ("map", f) for f(value of r), or ("expr", e) for a new expression e."""
    symbols = [v for v in namespace.values() if isinstance(v, sympy.Symbol) and v in r.free_symbols]
    yield "sign", "It is the expected expression with the opposite sign: a sign slipped.", ("map", lambda v: -v)
    yield "factor-2", ("It is exactly twice the expected expression: a factor 2 too many (a 1/2 dropped, "
                       "or a sum of two terms where their mean was asked?)."), ("map", lambda v: 2 * v)
    yield "factor-half", "It is exactly half the expected expression: a factor 2 lost, or a 1/2 too many.", \
        ("map", lambda v: v / 2)
    yield "squared", "It is the square of the expected expression: squared once too often?", ("map", lambda v: v * v)
    yield "square-root", ("It is the square root of the expected expression: a standard deviation where a "
                          "variance was asked, or a square lost?"), ("map", lambda v: v ** 0.5)
    factors = [f for f in sympy.Mul.make_args(sympy.factor_terms(r)) if not f.is_number]
    for f in factors if len(factors) > 1 or factors and factors[0] != r else ():
        yield "missing-factor", (f"It is the expected expression without its factor {sympy.sstr(f)}: a factor "
                                 "lost (an inner derivative of the chain rule, say?)."), ("scale", 1 / f)
    for s in symbols:
        yield "extra-factor", f"It is the expected expression times {s}: a factor {s} too many?", ("scale", s)
        if s not in factors:
            yield "divided-by", f"It is the expected expression divided by {s}: a division by {s} too many?", \
                ("scale", 1 / s)
        if not s.is_integer:
            continue
        yield "divisor-minus-one", (f"It is the expected expression times {s}/({s} - 1): a division by {s} - 1 "
                                    f"where {s} belongs?"), ("scale", s / (s - 1))
        yield "divisor-plus-one", (f"It is the expected expression times ({s} - 1)/{s}: a division by {s} "
                                   f"where {s} - 1 belongs?"), ("scale", (s - 1) / s)
        for t in symbols:
            if t != s and t.is_integer:
                yield "wrong-divisor", (f"It is the expected expression times {t}/{s}: a division by {s} where "
                                        f"{t} belongs?"), ("scale", t / s)
        yield "step-too-many", (f"It is the expected expression with {s} + 1 in place of {s}: one step "
                                "(or one term) too many?"), ("expr", r.xreplace({s: s + 1}))
        yield "step-too-few", (f"It is the expected expression with {s} - 1 in place of {s}: one step "
                               "(or one term) too few?"), ("expr", r.xreplace({s: s - 1}))


def _agrees(va, vc):
    finite = 0
    for x, y in zip(va, vc):
        if x is None or y is None:
            continue
        if abs(x - y) > 1e-9 * max(1.0, abs(y)):
            return False
        finite += 1
    return finite >= MIN_FINITE


def _changed(change, vr, points):
    how, what = change
    if how == "expr":
        return points.values(what)
    if how == "map":
        return [None if v is None else what(v) for v in vr]
    factors = points.values(what)
    return [None if v is None or f is None else v * f for v, f in zip(vr, factors)]


def expression_slips(a, r, namespace, points):
    """The generic slips whose changed expression equals the answer a at the random points."""
    va, vr = points.values(a), points.values(r)
    found = {}
    for name, text, change in _candidates(r, namespace):
        if name in found:
            continue
        vc = _changed(change, vr, points)
        if vc != vr and _agrees(va, vc):
            found[name] = Slip(name, text)
    return list(found.values())
