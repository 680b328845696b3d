"""A battery over the whole bank (new problems are covered automatically): for every problem, right
answers in several forms, typical slips, and hostile input of every class the checker has met.

Asserted: 0 tracebacks, 0 checks over 5 s, 0 wrong answers accepted, 0 right answers rejected, and
at least 80% of the typical slips (beyond the bank's own listed mistakes) named; the share is printed.
"""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from helpers import timed_check
from sgdcourse.checking.points import Points, agree
from sgdcourse.problems import BANK

SLIP_NAMES = {
    "sign": {"sign"},
    "factor 2": {"factor-2"},
    "factor 1/2": {"factor-half"},
    "N - 1 for N": {"divisor-minus-one"},
    "m for m - 1": {"divisor-plus-one"},
    "N for m": {"wrong-divisor", "divisor-minus-one", "divisor-plus-one"},
    "rounded too early": {"rounded", "close"},
    "1% off": {"close"},
    "missing inner derivative": {"missing-factor", "divided-by"},
    "one step too many": {"step-too-many"},
    "one step too few": {"step-too-few"},
}
COUNTS = {}


# ---- right answers in several forms: none rejected ---------------------------------------------


def right_forms(p):
    a = p.answer
    if p.kind == "number" or p.kind == "predict" and not p.options:
        if isinstance(a, tuple):
            return [a, list(a), np.array([float(v) for v in a]), [sp.nsimplify(v) for v in a]]
        return [
            a,
            float(a),
            np.float64(a),
            np.array(float(a)),
            sp.nsimplify(a),
            f"{float(a):.12g}" and float(f"{float(a):.12g}"),
        ]
    if p.kind == "expression":
        return [a, sp.sstr(a), sp.expand(a)]
    if p.kind in ("choice", "predict"):
        return [a, a.upper(), f"({a})", f" {a}. "]

    def float32(*args):  # the same computation with every input and the output in float32
        cast = [
            np.asarray(v, dtype=np.float32)
            if isinstance(v, float) or isinstance(v, np.ndarray) and v.dtype.kind == "f"
            else v
            for v in args
        ]
        out = p.answer(*cast)
        return tuple(np.float32(o) for o in out) if isinstance(out, tuple) else np.asarray(out, dtype=np.float32)

    return [p.answer, lambda *args: p.answer(*args), float32]


@pytest.mark.parametrize("pid", list(BANK))
def test_right_answers_in_every_form_are_accepted(pid):
    status = "recorded" if BANK[pid].kind == "predict" else "correct"  # a prediction is only recorded
    for k, answer in enumerate(right_forms(BANK[pid])):
        r = timed_check(pid, answer)
        assert r.status == status, f"form {k}: {r}"


# ---- typical slips: never accepted, mostly named -----------------------------------------------


def number_slips(r, counts):
    """Typical slips of a number r, with the counts the problem declares (Problem.counts: whole
    numbers, or (name, whole number) for a problem's named quantities)."""
    counts = [k[1] if isinstance(k, tuple) else k for k in counts]
    yield "sign", -r
    yield "factor 2", 2 * r
    yield "factor 1/2", r / 2
    for k in counts:
        yield "N - 1 for N", r * Fraction(k, k - 1)
        yield "m for m - 1", r * Fraction(k - 1, k)
        for q in counts:
            if q != k:
                yield "N for m", r * Fraction(k, q)
    if r.denominator == 1 and abs(r) >= 2:  # a count
        yield "one step too many", r + 1
        yield "one step too few", r - 1
    yield "rounded too early", Fraction(f"{float(r):.2g}")
    yield "1% off", r * Fraction(101, 100)


def expression_slips(r, namespace):
    yield "sign", -r
    yield "factor 2", 2 * r
    yield "factor 1/2", r / 2
    symbols = [v for v in namespace.values() if isinstance(v, sp.Symbol) and v in r.free_symbols]
    for f in sp.Mul.make_args(sp.factor_terms(r)):
        if not f.is_number and f != r:
            yield "missing inner derivative", r / f
    for s in (s for s in symbols if s.is_integer):  # counts: N, m, t, ...
        yield "N - 1 for N", r * s / (s - 1)
        yield "m for m - 1", r * (s - 1) / s
        for t in symbols:
            if t != s and t.is_integer:
                yield "N for m", r * t / s
        yield "one step too many", r.xreplace({s: s + 1})
        yield "one step too few", r.xreplace({s: s - 1})


def slips_of(p):
    if p.kind == "number" and isinstance(p.answer, tuple):
        out = [
            (name, tuple(v if i else s for i, v in enumerate(p.answer)))
            for name, s in number_slips(Fraction(p.answer[0]), p.counts)
        ]
        return out + [("sign", tuple(-v for v in p.answer)), ("factor 2", tuple(2 * v for v in p.answer))]
    if p.kind == "number":
        return list(number_slips(Fraction(p.answer), p.counts))
    if p.kind == "expression":
        return list(expression_slips(p.answer, p.namespace))
    return []


class Sameness:
    """Whether two answers to p are the same: within tol for numbers; for expressions, equal at
    the checker's random points (each expression evaluated once)."""

    def __init__(self, p, values):
        self.p, self.cache = p, {}
        if p.kind == "expression":
            self.points = Points(p.namespace, [v for v in values if isinstance(v, sp.Basic)])

    def _vector(self, e):
        key = sp.srepr(e)
        if key not in self.cache:
            self.cache[key] = self.points.values(e)
        return self.cache[key]

    def __call__(self, a, b):
        if self.p.kind == "number":
            pair = zip(a, b) if isinstance(a, tuple) else [(a, b)]
            return all(abs(Fraction(x) - Fraction(y)) <= Fraction(self.p.tol) for x, y in pair)
        if not isinstance(b, sp.Basic):
            return False
        same, finite, _ = agree(self._vector(a), self._vector(b))
        return same and finite >= 3


def slip_counts(pid):
    """(slips named, slips checked) on one problem; asserts none is accepted or misdiagnosed."""
    p = BANK[pid]
    slips = slips_of(p)
    same = Sameness(p, [p.answer] + [v for _, v in slips] + [m.value for m in p.mistakes])
    named = total = 0
    for name, value in slips:
        if same(value, p.answer) or any(same(value, m.value) for m in p.mistakes):
            continue  # right after all, or one of the bank's own mistakes (tests/test_problems.py)
        r = timed_check(pid, value)
        if r.status == "unreadable" and p.valid and "cannot be" in r.feedback:
            continue  # a value the quantity cannot take (m = -1024) is told so, not diagnosed as a slip
        assert r.status == "incorrect", f"{name}: {r}"
        total += 1
        if r.mistake:
            named += 1
            given = set(r.mistake.split(" or "))
            for other, v in slips:  # every slip that gives this value is named: never one picked blindly
                if same(v, value):
                    assert given & SLIP_NAMES[other], f"{name} (also {other}) named {r.mistake}: {r}"
    return named, total


# a choice with evidence (05-choose-*) is judged by its range, not by the generic slips
SLIPPY = [p.id for p in BANK.values() if p.kind in ("number", "expression") and p.accept is None]


@pytest.mark.parametrize("pid", SLIPPY)
def test_slips_are_never_accepted_and_named_without_a_wrong_diagnosis(pid):
    COUNTS[pid] = slip_counts(pid)


def test_share_of_named_slips_is_at_least_80_percent(record_property):
    for pid in SLIPPY:  # run alone (or on another worker than the tests above): count here
        if pid not in COUNTS:
            COUNTS[pid] = slip_counts(pid)
    named = sum(n for n, _ in COUNTS.values())
    total = sum(t for _, t in COUNTS.values())
    lines = [
        f"checker battery: typical slips named {named} of {total} ({100 * named / total:.1f}%) "
        f"over {len(COUNTS)} number and expression problems"
    ]
    lines += [f"  {pid}: {n} of {t} named" for pid, (n, t) in COUNTS.items() if n < t]
    print("\n".join(lines))
    record_property("report", "\n".join(lines))
    assert named >= 0.8 * total
