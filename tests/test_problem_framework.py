"""The pieces a problem of the second edition is made of, each on a problem made here: tasks and
sections, hints of three kinds, variants, named quantities in the slips, domains for the random
points, predictions that are recorded, and choices that accept a range."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from sgdcourse.checking import Mistake, answers
from sgdcourse.checking.points import Points
from sgdcourse.checking.predict import check_prediction, check_range
from sgdcourse.checking.slips import feedback, number_slips
from sgdcourse.grading.scoring import score_of
from sgdcourse.problems import BANK, Bank, Hint, Problem, ask, method, value, variant
from sgdcourse.problems.sealed import seal


def _bank(**fields):
    p = Problem(id="02-probe", lesson=2, statement=fields.pop("statement", "A probe."), **fields)
    return Bank([p], (2,)), p


# ---- fields -------------------------------------------------------------------------------------


def test_task_sections_quantities_domain_and_range_are_validated():
    base = dict(id="02-x", lesson=2, kind="number", statement="s", answer=1)
    with pytest.raises(ValueError, match="task"):
        Problem(**base, task="recite")
    with pytest.raises(ValueError, match="sections"):
        Problem(**base, sections=(0,))
    with pytest.raises(ValueError, match="quantities"):
        Problem(**base, quantities={"not a name": 3})
    with pytest.raises(ValueError, match="domain"):
        Problem(**base, domain={"beta": (1, 0)})
    with pytest.raises(ValueError, match="accept"):
        Problem(**base, accept=(2, 1), outside=("low", "high"))
    with pytest.raises(ValueError, match="accept"):
        Problem(**{**base, "kind": "choice", "answer": "a", "options": ("x", "y")}, accept=(0, 1), outside=("", ""))
    with pytest.raises(ValueError, match="quantities"):
        Problem(**base, quantities={"N": 3}, counts=(3,))
    with pytest.raises(ValueError, match="predict"):
        Problem(**{**base, "kind": "predict", "answer": "c", "options": ("x", "y")})


def test_counts_come_from_the_whole_quantities_with_their_names():
    p = Problem(
        id="02-x",
        lesson=2,
        kind="number",
        statement="N = 3, m = 2",
        answer=1,
        quantities={"N": 3, "m": 2, "eta": Fraction(1, 10)},
    )
    assert p.counts == (("N", 3), ("m", 2))
    assert Problem(id="02-y", lesson=2, kind="number", statement="s", answer=1, quantities={"N": 4, "T": 4}).counts == (
        ("N", 4),
    )


def test_runs_code_follows_the_task_or_a_function():
    made = lambda task, kind="number": Problem(id="02-x", lesson=2, kind=kind, statement="s", answer=1, task=task)  # noqa: E731
    assert [made(t).runs_code for t in ("compute", "derive", "concept")] == [False] * 3
    assert [made(t).runs_code for t in ("predict", "read", "debug", "implement")] == [True] * 4
    f = Problem(
        id="02-f", lesson=2, kind="function", statement="s", answer=abs, cases=lambda r: [{"x": 1.0}], signature="f(x)"
    )
    assert f.runs_code


def test_hints_carry_their_kind_and_stay_strings():
    h = ask("What is asked?")
    assert isinstance(h, str) and h == "What is asked?" and h.kind == "ask"
    assert (method("do it").kind, value("3").kind) == ("method", "value")
    with pytest.raises(ValueError, match="kind"):
        Hint("answer", "4")


def test_a_variant_is_rebuilt_from_its_parameters():
    @variant(eta=Fraction(1, 10), g=Fraction(-3))
    def step(eta, g):
        return Problem(id="02-step", lesson=2, kind="number", statement=f"eta = {eta}, g = {g}", answer=-eta * g)

    assert step.params == {"eta": Fraction(1, 10), "g": -3} and step.answer == Fraction(3, 10)
    other = step.build(**{**step.params, "g": Fraction(5)})
    assert other.answer == Fraction(-1, 2) and other.statement == "eta = 1/10, g = 5"
    with pytest.raises(TypeError, match="Problem"):
        variant(a=1)(lambda a: a)


def test_sealing_drops_what_checks_and_slips_use():
    _, p = _bank(
        kind="number", answer=Fraction(1, 3), quantities={"N": 3}, accept=(0, 1), outside=("low", "high"), task="choose"
    )
    s = seal(p)
    assert (
        s.sealed and not s.quantities and not s.counts and s.accept is None and s.outside == () and s.task == "choose"
    )


# ---- slips that name declared quantities --------------------------------------------------------


def _texts(r, counts):
    return {s.text for s in number_slips(r, 1e-6, counts)}


def test_a_declared_count_is_named_in_its_slips_and_a_bare_one_is_not_guessed():
    named = " ".join(_texts(Fraction(1, 2), (("N", 3),)))
    assert "a division by N = 3 where N - 1 = 2 belongs" in named and "N + 1 = 4" in named
    bare = " ".join(_texts(Fraction(1, 2), (3,)))
    assert "division by 3 where 2 belongs" in bare and "N" not in bare and " m " not in bare
    assert not any("N" in t or " m " in t for t in _texts(Fraction(1, 2), ()))


def test_a_named_mistake_is_the_verdict_alone():
    sign = number_slips(Fraction(1, 2), 1e-6)[0]
    known = [Mistake("uphill", "The step went uphill.", Fraction(-1, 2))]
    text, name = feedback(known, [sign], "(tail)")
    assert name == "uphill" and "opposite sign" not in text and text.startswith("The step went uphill.")
    text, name = feedback([], [sign], "(tail)")
    assert name == "sign" and "opposite sign" in text


def test_the_bank_problem_speaks_of_its_quantities():
    bank, p = _bank(kind="number", answer=Fraction(1, 2), quantities={"N": 3})
    r = answers.check(p.id, Fraction(1, 3), bank=bank)
    assert r.mistake == "divisor-plus-one" and "N + 1 = 4" not in r.feedback and "N = 3" in r.feedback


# ---- domains ------------------------------------------------------------------------------------


def test_points_are_drawn_inside_the_domain():
    beta, n = sympy.Symbol("beta", real=True), sympy.Symbol("n", integer=True, positive=True)
    pts = Points({"beta": beta, "n": n}, (beta * n,), {"beta": (0, 1), "n": (3, 4)})
    assert all(0 < p[beta] < 1 and p[n] in (3, 4) for p, _ in pts.points)
    free = Points({"beta": beta}, (beta,))
    assert any(not 0 < p[beta] < 1 for p, _ in free.points)  # without a domain, beta = 1.16 could be quoted


def test_a_counterexample_is_quoted_inside_the_domain_and_a_number_is_told_it_lacks_the_symbol():
    beta = sympy.Symbol("beta", real=True)
    bank, p = _bank(kind="expression", answer=1 / (1 + beta), namespace={"beta": beta}, domain={"beta": (0, 1)})
    r = answers.check(p.id, "1/(1 - beta)", bank=bank)
    quoted = float(r.feedback.split("beta = ")[1].split(" ")[0])
    assert r.status == "incorrect" and 0 < quoted < 1, r.feedback
    r = answers.check(p.id, Fraction(10, 19), bank=bank)
    assert r.status == "incorrect" and "depends on beta" in r.feedback


# ---- predictions and choices with evidence ------------------------------------------------------


def test_any_prediction_is_recorded_and_compared_with_what_happened():
    for guess, said in [
        (3, "matches"),
        (1, "3 times your prediction"),
        (-3, "other side of zero"),
        (9, "3 times smaller"),
    ]:
        r = check_prediction(guess, Fraction(3))
        assert r.status == "recorded" and r.ok and "What happened: 3" in r.feedback and said in r.feedback, r
    r = check_prediction((0, 3), (0.52, 1.84))  # a difference from 0 is said in decimals, with its direction
    assert "entry 1: it is 0.52 above your prediction" in r.feedback and "/" not in r.feedback, r
    r = check_prediction("b", "c", options=("stays", "halves", "diverges"))
    assert r.status == "recorded" and "(c) diverges" in r.feedback and "not (b)" in r.feedback
    assert check_prediction("c", "c", options=("stays", "halves", "diverges")).feedback.count("your prediction") == 1
    assert check_prediction("no idea", Fraction(3)).status == "unreadable"
    assert check_prediction("z", "c", options=("a", "b", "c")).status == "unreadable"


def test_a_prediction_earns_its_points_in_the_checker_and_the_grader():
    bank, p = _bank(kind="predict", answer=Fraction(3), points=2, task="predict")
    r = answers.check(p.id, 100, bank=bank)
    assert r.status == "recorded" and r.score == 2 and score_of(r, 2) == 2.0
    assert answers.check(p.id, ..., bank=bank).score == 0


def test_a_choice_with_evidence_accepts_the_supported_range_only():
    accept, outside = (Fraction(1, 10), Fraction(3, 10)), ("too slow to reach the target", "it diverges")
    for x in (Fraction(1, 10), 0.2, Fraction(3, 10), 0.3, 0.3 + 1e-7):
        assert check_range(x, accept, outside).status == "correct"
    assert check_range(0.3 + 2e-6, accept, outside).status == "incorrect"  # tol 1e-6 widens the range, no more
    low, high = check_range(0.09, accept, outside), check_range(Fraction(31, 100), accept, outside)
    assert low.status == high.status == "incorrect"
    assert "below" in low.feedback and "too slow" in low.feedback and low.mistake == "range-below"
    assert "above" in high.feedback and "diverges" in high.feedback and high.mistake == "range-above"
    named = check_range(1, accept, outside, (Mistake("eta-times-m", "You scaled eta by m.", 1),))
    assert named.mistake == "eta-times-m"
    bank, p = _bank(kind="number", answer=Fraction(1, 5), accept=accept, outside=outside, task="choose")
    assert answers.check(p.id, 0.25, bank=bank).ok and not answers.check(p.id, 0.5, bank=bank).ok


def test_a_case_with_pieces_of_different_lengths_is_shown_not_crashed_on():
    cases = lambda rng: [{"pieces": [np.ones(2), np.arange(3.0)]}]  # noqa: E731
    bank, p = _bank(
        kind="function", answer=lambda pieces: float(np.concatenate(pieces).mean()), cases=cases, signature="f(pieces)"
    )
    r = answers.check(p.id, lambda pieces: 0.0, bank=bank)
    assert r.status == "incorrect" and "pieces = [" in r.feedback and "ended" not in r.feedback, r


def test_a_value_the_quantity_cannot_take_is_told_so_not_marked_wrong():
    with pytest.raises(ValueError, match="valid"):
        Problem(id="02-x", lesson=2, kind="number", statement="s", answer=1, valid=("eta", "small"))
    bank, p = _bank(kind="number", answer=Fraction(3, 4), valid=("beta", "fraction"), quantities={"beta": None})
    for x, said in [(75, "percentage, 0.75"), (1, "less than 1"), (-0.1, "at least 0")]:
        r = answers.check(p.id, x, bank=bank)
        assert r.status == "unreadable" and "cannot be beta" in r.feedback and said in r.feedback, r
    assert answers.check(p.id, 0.75, bank=bank).ok and answers.check(p.id, 0, bank=bank).status == "incorrect"
    bank, p = _bank(kind="number", answer=(16, 32), valid=("m", "whole"), quantities={"m": None})
    r = answers.check(p.id, (16, 32.5), bank=bank)
    assert r.status == "unreadable" and "32.5 cannot be m" in r.feedback
    bank, p = _bank(kind="number", answer=Fraction(1, 10), valid=("eta", "positive"), quantities={"eta": None})
    assert (
        answers.check(p.id, 0, bank=bank).status == "unreadable"
        and answers.check(p.id, 0.2, bank=bank).status == "incorrect"
    )


@pytest.mark.parametrize("pid", [p.id for p in BANK.values() if p.valid])
def test_every_bank_answer_keeps_its_quantity_s_rule(pid):
    from sgdcourse.checking.predict import check_valid

    p = BANK[pid]
    assert check_valid(p.answer, p.valid, isinstance(p.answer, tuple) and len(p.answer)) is None
    if p.accept is not None:
        assert all(check_valid(v, p.valid) is None for v in p.accept), pid
