"""Whether a problem's named slips are distinct: what a variant must keep (sgdcourse.problems.variants
admits a learner's numbers only when it does), and what the bank's tests check.

    slip_clash(problem) -> None, or why not: two named mistakes give the same value, one gives the
        answer, or a generic slip (sgdcourse.checking.slips) gives a named one's value and the bank
        does not say they are the same slip (Mistake.same_as)

Numbers are compared within the problem's tolerance (exactly as Fractions), expressions at the
checker's own points inside the problem's domain, functions on its test cases, options by letter.
A choice with evidence (accept) and a prediction have no slips to compare.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy

from ..checking.exprslips import matching_slips as expression_matches
from ..checking.numeric import matching_slips as number_matches
from ..checking.points import Points, agree


def slip_clash(p):
    """None when p's named slips are pairwise distinct, none gives the answer, and no generic slip
    gives a named one's value unless it is the same slip (same_as); else a sentence saying which."""
    if p.kind == "number" and p.accept is None:
        return _numbers(p)
    if p.kind == "expression":
        return _expressions(p)
    if p.kind == "choice":
        letters = [m.value for m in p.mistakes]
        if len(set(letters)) != len(letters) or p.answer in letters:
            return f"{p.id}: two mistakes have one letter, or one has the answer's"
    if p.kind == "function":
        return _functions(p)
    return None


def _numbers(p):
    tol = Fraction(p.tol)

    def near(a, b):
        if isinstance(b, tuple):
            return all(abs(Fraction(x) - Fraction(y)) <= tol for x, y in zip(a, b))
        return abs(Fraction(a) - Fraction(b)) <= tol

    for k, m in enumerate(p.mistakes):
        if near(m.value, p.answer):
            return f"{p.id}: mistake {m.name} gives the answer"
        for other in p.mistakes[k + 1 :]:
            if near(m.value, other.value):
                return f"{p.id}: mistakes {m.name} and {other.name} give the same value"
        generic = {s.name for s in number_matches(m.value, p.answer, p.tol, p.counts)} - {"close", m.name, *m.same_as}
        if generic:
            return f"{p.id}: mistake {m.name}'s value is also the generic slip(s) {sorted(generic)}"
    return None


def _expressions(p):
    points = Points(p.namespace, (p.answer, *[m.value for m in p.mistakes]), p.domain)
    reals = {
        name
        for name, s in p.namespace.items()
        if isinstance(s, sympy.Symbol) and not s.is_integer and s in p.answer.free_symbols
    }
    if not reals <= set(p.domain):
        return f"{p.id}: no domain for {sorted(reals - set(p.domain))}"
    answer = points.values(p.answer)
    for k, m in enumerate(p.mistakes):
        mine = points.values(m.value)
        if agree(mine, answer)[0]:
            return f"{p.id}: {m.name} is the answer"
        for other in p.mistakes[k + 1 :]:
            if agree(mine, points.values(other.value))[0]:
                return f"{p.id}: mistakes {m.name} and {other.name} agree"
        generic = {s.name for s in expression_matches(m.value, p.answer, p.namespace, points)} - {m.name, *m.same_as}
        if generic:
            return f"{p.id}: mistake {m.name} is also the generic slip(s) {sorted(generic)}"
    return None


def _functions(p):
    cases = p.cases(np.random.default_rng(p.seed))
    ref = [np.asarray(p.answer(**c), dtype=float) for c in cases]
    outputs = []
    for m in p.mistakes:
        out = [np.asarray(m.value(**c), dtype=float) for c in cases]
        if all(o.shape == r.shape and np.allclose(o, r) for o, r in zip(out, ref)):
            return f"{p.id}: mistake {m.name} agrees with the answer on every case"
        for name, seen in outputs:
            if all(o.shape == s.shape and np.allclose(o, s) for o, s in zip(out, seen)):
                return f"{p.id}: mistakes {m.name} and {name} agree on every case"
        outputs.append((m.name, out))
    return None
