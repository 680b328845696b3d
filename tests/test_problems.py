"""The problem bank through the public practice API: every problem, every mistake, the seed's numbers."""
import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sgdcourse import practice
from sgdcourse.checking import LETTERS, STATUSES
from sgdcourse.models import Logistic
from sgdcourse.problems import BANK, KINDS, Problem, get, select
from sgdcourse.problems import lesson03, lesson04

ALL = list(BANK.values())
IDS = [p.id for p in ALL]
MISTAKES = [(p, m) for p in ALL for m in p.mistakes]


# ---- the bank as a whole --------------------------------------------------------------------

def test_bank_covers_lessons_and_kinds():
    assert len(select()) >= 12 and {p.kind for p in ALL} == set(KINDS)
    for lesson in (1, 2, 3, 4):
        assert len(select(lesson)) >= 2
    for p in ALL:
        assert p.statement and p.hints and p.points >= 1 and p.id.startswith(f"0{p.lesson}-")
    names = {m.name for _, m in MISTAKES}
    assert {"sign", "sum-not-mean", "sigma-not-variance", "variance-not-sigma", "full-batch",
            "step-too-many", "step-too-few"} <= names


def test_problem_validates_its_fields():
    with pytest.raises(ValueError, match="id"):
        Problem(id="worked", lesson=2, kind="number", statement="s", answer=1)
    with pytest.raises(ValueError, match="lesson"):
        Problem(id="02-x", lesson=3, kind="number", statement="s", answer=1)
    with pytest.raises(ValueError, match="kind"):
        Problem(id="02-x", lesson=2, kind="essay", statement="s", answer=1)


# ---- every problem: reference right, each mistake recognised, placeholder unanswered ----------

@pytest.mark.parametrize("pid", IDS)
def test_reference_answer_is_correct(pid):
    p = BANK[pid]
    r = practice.check(pid, p.answer)
    assert r.status == "correct", str(r)
    assert (r.score, r.points) == (p.points, p.points) and str(r).startswith(f"correct [{pid}]")


@pytest.mark.parametrize("pid, name", [(p.id, m.name) for p, m in MISTAKES])
def test_each_mistake_gets_its_own_feedback(pid, name):
    mistake = next(m for m in BANK[pid].mistakes if m.name == name)
    r = practice.check(pid, mistake.value)
    assert (r.status, r.mistake, r.score) == ("incorrect", name, 0), str(r)
    assert mistake.feedback in r.feedback


@pytest.mark.parametrize("pid", IDS)
def test_placeholder_is_unanswered(pid):
    r = practice.check(pid, ...)
    assert r.status == "unanswered" and str(r).startswith("unanswered")


def _other_wrong(p):
    """A wrong answer that is none of the listed mistakes."""
    if p.kind == "number":
        return tuple(v + 11 for v in p.answer) if isinstance(p.answer, tuple) else p.answer + 11
    if p.kind == "expression":
        return 7 * p.answer / 3 + 1
    if p.kind == "function":
        return lambda *args: np.asarray(p.answer(*args)) + 11
    return next((c for c in LETTERS[: len(p.options)] if c != p.answer and c not in {m.value for m in p.mistakes}), None)


@pytest.mark.parametrize("pid", IDS)
def test_some_other_wrong_answer_is_incorrect(pid):
    answer = _other_wrong(BANK[pid])
    if answer is None:  # every wrong option of this choice is a listed mistake
        return
    r = practice.check(pid, answer)
    assert (r.status, r.mistake) == ("incorrect", None), str(r)


@pytest.mark.parametrize("pid", IDS)
def test_check_never_raises(pid):
    class Evil:
        def __eq__(self, other):
            raise RuntimeError("no")

        def __float__(self):
            raise RuntimeError("no")
    for answer in (None, Evil(), object(), float("nan"), "(((", [1, "a"], {"a": 1}, b"0.3", sp.Matrix([1, 2]),
                   lambda *a: 1 / 0, int, np.array(["x"])):
        assert practice.check(pid, answer).status in STATUSES


# ---- the seed's practice problems and the worked example -----------------------------------

def test_worked_example_numbers():
    # the exercise's fresh data (1, 3), (2, 1), eta = 0.1, w0 = 0, examples 1, 2, 1, worked by hand:
    # g0 = -3, w1 = 0.3; g1 = (0.6 - 1) 2 = -0.8, w2 = 0.38; g2 = 0.38 - 3 = -2.62, w3 = 0.642;
    # at w = 0.4 the terms are -2.6 and -0.4, mean -1.5, so a full-batch step lands on 0.55.
    expect = {"02-worked-step": Fraction(321, 500), "02-worked-w2": Fraction(19, 50), "02-sgd-gradient": Fraction(-4, 5),
              "02-full-gradient": Fraction(-3, 2), "02-full-step": Fraction(11, 20), "01-gd-step": Fraction(1, 10)}
    for pid, value in expect.items():
        assert get(pid).answer == value
    w2 = get("02-worked-w2")
    assert {m.name: m.value for m in w2.mistakes}["step-too-many"] == Fraction(321, 500)
    assert {m.name: m.value for m in w2.mistakes}["step-too-few"] == Fraction(3, 10)


def test_seed_practice_problems():
    assert get("03-batch-gradient").answer == Fraction(-5, 2)
    for answer in ("5*eta/2", "2.5*eta", "5 eta / 2", sp.Rational(5, 2) * sp.Symbol("eta")):
        assert practice.check("03-batch-update", answer).ok
    assert practice.check("03-batch-update", "-5*eta/2").mistake == "sign"
    for answer in ("sigma**2/m", "sigma*sigma/m", "sigma^2/m", sp.Symbol("sigma") ** 2 / sp.Symbol("m")):
        assert practice.check("04-var-batch", answer).ok
    assert get("04-sd-batch").answer == (4, 2, 1)
    assert practice.check("04-sd-batch", [16, 4, 1]).mistake == "variance-not-sigma"
    for answer in ("Sum(g[k], (k, 1, N))/N", "(1/N)*Sum(g[i], (i, 1, N))", "Sum(g[k]/N, (k, 1, N))"):
        assert practice.check("02-unbiased", answer).ok
    assert practice.check("02-unbiased", "Sum(g[k], (k, 1, N))").mistake == "sum-not-mean"
    assert practice.check("02-unbiased", "g[1]").status == "incorrect"


@pytest.mark.parametrize("answer", [0.642, Fraction(321, 500), sp.Rational(321, 500), np.float64(0.642), np.array(0.642)])
def test_equivalent_numbers(answer):
    assert practice.check("02-worked-step", answer).ok


def test_logistic_derivative_is_p_minus_y_times_x():
    for answer in ("(sigmoid(w*x) - y)*x", "(1/(1 + exp(-w x)) - y) x", "x*(exp(w*x)/(1 + exp(w*x)) - y)"):
        assert practice.check("03-logistic-derivative", answer).ok


def test_without_replacement_factor_by_enumeration():
    """Var of the mean of m distinct draws, over all C(N, m) batches, is sigma^2/m (N-m)/(N-1)."""
    g = [Fraction(v) for v in (3, -1, 4, 1, -5, 9)]
    n = len(g)
    mean = sum(g) / n
    var = sum((v - mean) ** 2 for v in g) / n
    for m in range(1, n + 1):
        means = [sum(b) / m for b in itertools.combinations(g, m)]
        measured = sum((v - mean) ** 2 for v in means) / len(means)
        formula = lesson04.WITHOUT.subs({lesson04.sigma: sp.sqrt(sp.Rational(var.numerator, var.denominator)),
                                         lesson04.m: m, lesson04.N: n})
        assert measured == Fraction(str(formula))


def test_average_over_all_batches_is_the_full_gradient():
    """Supports answer (a) of 03-unbiased-batches on lesson 3's small logistic data set."""
    model = Logistic(lesson03.LX, lesson03.LY)
    w = np.array([0.7])
    batches = list(itertools.combinations(range(3), 2))
    average = sum(model.grad(w, list(b)) for b in batches) / len(batches)
    assert np.allclose(average, model.grad(w)) and get("03-unbiased-batches").answer == "a"


@settings(max_examples=100, deadline=None)
@given(st.floats(-0.99, 0.99), st.floats(2e-6, 100))
def test_tolerance_property_on_a_bank_problem(u, d):
    assert practice.check("02-worked-step", 0.642 + u * 1e-6).ok
    assert practice.check("02-worked-step", 0.642 + d).status == "incorrect"


@settings(max_examples=25, deadline=None)
@given(st.fractions(min_value=-9, max_value=9, max_denominator=9).filter(lambda c: c not in (0, 1)))
def test_rescaled_variance_is_not_accepted(c):
    assert practice.check("04-var-batch", sp.Rational(c.numerator, c.denominator) * get("04-var-batch").answer).status == "incorrect"


# ---- bad inputs through check() ---------------------------------------------------------------

@pytest.mark.parametrize("pid, answer, status, reason", [
    ("02-worked-step", float("nan"), "unreadable", "not a finite number"),
    ("02-worked-step", float("inf"), "unreadable", "not a finite number"),
    ("02-worked-step", [0.642], "unreadable", "one number was asked"),
    ("04-var-batch", "sigma**2/(m", "unreadable", "could not parse"),
    ("04-var-batch", "s^2/m", "unreadable", "uses s"),
    ("02-per-example-grad", lambda w, x, y: 1 / 0, "incorrect", "ZeroDivisionError"),
    ("01-steepest-direction", 2, "unreadable", "letter"),
    ("02-worked-stepp", 0.642, "unreadable", "Did you mean '02-worked-step'"),
    (None, 0.642, "unreadable", "no problem None"),
    ("02-worked-step", 0.642, "correct", "right"),
])
def test_bad_inputs(pid, answer, status, reason):
    r = practice.check(pid, answer)
    assert r.status == status and reason in str(r)


def test_check_rejects_a_bad_timeout_without_raising():
    r = practice.check("02-worked-step", 0.642, timeout=-1)
    assert r.status == "unreadable" and "timeout" in r.feedback


def test_looping_answer_is_stopped():
    def forever(w, x, y, eta):
        while True:
            pass
    r = practice.check("02-sgd-step", forever, timeout=0.5)
    assert r.status == "incorrect" and "Stopped after 0.5 s" in r.feedback


def test_function_problem_reports_first_failing_case():
    def no_mean(w, X, y):  # the 1/m is dropped
        return X.T @ (1 / (1 + np.exp(-(X @ w))) - y)
    p = get("03-minibatch-grad")
    cases = p.cases(np.random.default_rng(p.seed))
    first = next(k for k, c in enumerate(cases) if len(c["y"]) > 1)
    r = practice.check(p.id, no_mean)
    assert (r.status, r.mistake, r.case["index"]) == ("incorrect", "sum-not-mean", first)
    assert "expected:" in r.feedback and "received:" in r.feedback and r.case["inputs"] in r.feedback
    assert len(cases[0]["y"]) == 1 and any(not c["X"].any() for c in cases)  # batch of one, zeros


def test_unanswered_function_body():
    def batch_mean(G, idx):
        """Mean of the batch rows."""
        ...
    assert practice.check("04-batch-mean", batch_mean).status == "unanswered"

# hint, show and problems: tests/test_practice.py
