"""Which slips of the catalogue a symbolic answer equals (sgdcourse.checking.slips.expression_slips).

    matching_slips(a, r, namespace, points) -> [Slip]: each slip whose changed expression agrees
    with the answer a at the random points (sgdcourse.checking.points.agree: the tolerance of the
    equivalence check) wherever both are finite, at MIN_FINITE points at least; one per name.

Most slips are r times a factor (Slip.how = ("times", m)), so r is evaluated once and each point's
value scaled (m itself evaluated at the point when it is an expression); ("map", f) applies f to
r's values; only ("is", e), a changed step count, evaluates a new expression.
"""

from __future__ import annotations

import sympy

from .points import agree
from .slips import changed, expression_slips

MIN_FINITE = 3


def _changed(how, vr, points):
    kind, what = how
    if kind == "is":
        return points.values(what)
    if kind == "times" and isinstance(what, sympy.Basic):
        factors = points.values(what)
        return [None if v is None or f is None else v * f for v, f in zip(vr, factors)]
    return [None if v is None else changed(how, v) for v in vr]


def matching_slips(a, r, namespace, points):
    """The slips whose changed expression equals the answer a at the random points."""
    va, vr = points.values(a), points.values(r)
    found = {}
    for slip in expression_slips(r, namespace):
        if slip.name in found:
            continue
        vc = _changed(slip.how, vr, points)
        same, finite, _ = agree(va, vc)
        if vc != vr and same and finite >= MIN_FINITE:
            found[slip.name] = slip
    return list(found.values())
