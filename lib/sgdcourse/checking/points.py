"""Random points for the symbols of a problem, and the values of expressions there.

    Points(namespace, exprs, domain)
                               POINTS points (a fixed local SEED): a symbol the domain names from its
                               interval (lo, hi) (integers from lo..hi), otherwise integer symbols
                               from 2..9, positive reals from [0.2, 4.2), other reals from [-3, 3],
                               so no counterexample is quoted outside the problem; every g[k] of an
                               IndexedBase g gets a random value (never quoted back to the learner)
    points.values(expr)        expr at each point to 30 digits, as complex, None where undefined
    agree(va, vr)              |a - r| <= RTOL max(1, |r|) wherever both are finite

A leaf of the checker: symbolic.py decides equivalence with these, and exprslips.py matches the
slips of an expression at the same points with the same tolerance.
"""

from __future__ import annotations

import numpy as np
import sympy

from .text import fmt

POINTS, SEED, RTOL = 6, 2024, 1e-9


def _draw(symbol, rng, interval=None):
    if interval is not None:
        lo, hi = (sympy.Rational(str(v)) for v in interval)
        if symbol.is_integer:
            return sympy.Integer(int(rng.integers(int(sympy.ceiling(lo)), int(sympy.floor(hi)) + 1)))
        # strictly inside (lo, hi), on a grid of 1/1000 of its width: never an endpoint
        return lo + (hi - lo) * sympy.Rational(int(rng.integers(1, 1000)), 1000)
    if symbol.is_integer:
        return sympy.Integer(int(rng.integers(2, 10)))
    if symbol.is_positive:
        return sympy.Rational(int(rng.integers(20, 420)), 100)
    return sympy.Rational(int(rng.integers(-300, 301)), 100) or sympy.Rational(1, 7)


def value(expr, point, arrays):
    """expr at the point as a complex number, or None where it is undefined or not finite."""
    try:
        e = expr.xreplace(point)
        if e.has(sympy.Sum, sympy.Product):
            e = e.doit()
        values = {}
        for item in e.atoms(sympy.Indexed):
            if len(item.indices) != 1 or not item.indices[0].is_Integer or str(item.base) not in arrays:
                return None
            values[item] = arrays[str(item.base)][int(item.indices[0]) % len(arrays[str(item.base)])]
        z = complex(sympy.N(e.xreplace(values), 30))
    except Exception:  # undefined there, or too large to be a float
        return None
    return z if np.isfinite(z) else None


class Points:
    """POINTS random points for the symbols of a namespace, and values of expressions there."""

    def __init__(self, namespace, exprs, domain=None):
        rng = np.random.default_rng(SEED)
        domain = dict(domain or {})
        self.bases = sorted(k for k, v in namespace.items() if isinstance(v, sympy.IndexedBase))
        symbols = set().union(*(e.free_symbols for e in exprs))
        self.symbols = sorted(
            (s for s in symbols if isinstance(s, sympy.Symbol) and s.name not in self.bases), key=lambda s: s.name
        )
        self.points, self._cache = [], {}
        for _ in range(POINTS):
            point = {s: _draw(s, rng, domain.get(s.name)) for s in self.symbols}
            arrays = {b: [sympy.Rational(int(v), 100) for v in rng.integers(-300, 301, 32)] for b in self.bases}
            self.points.append((point, arrays))

    def values(self, expr):
        """expr's values at the points (complex, None where undefined), each expression computed once."""
        if expr not in self._cache:
            self._cache[expr] = [value(expr, p, a) for p, a in self.points]
        return self._cache[expr]

    def where(self, k):
        if self.bases:  # the random array values cannot be reproduced by the learner: do not quote
            return "at a random point"
        point = self.points[k][0]
        return "at " + (", ".join(f"{s} = {fmt(float(v), 4)}" for s, v in point.items()) or "a random point")


def agree(va, vr):
    """(all finite points agree, how many points were finite on both sides, first disagreement)."""
    finite, first = 0, None
    for k, (x, y) in enumerate(zip(va, vr)):
        if x is None or y is None:
            continue
        if abs(x - y) > RTOL * max(1.0, abs(y)):
            return False, finite, k
        finite += 1
    return True, finite, first
