"""The problem bank as a whole: every problem, every mistake, its fields against its statement, and
the checker through the public practice API. Each lesson's own numbers: tests/test_problems_NN_MM.py."""

import re

import numpy as np
import pytest
import sympy as sp

from sgdcourse import practice
from sgdcourse.checking import LETTERS, STATUSES, Result
from sgdcourse.checking.answers import check
from sgdcourse.checking.engines import ENGINES
from sgdcourse.problems import BANK, KINDS, Bank, Problem, get, select

ALL = list(BANK.values())
IDS = [p.id for p in ALL]
MISTAKES = [(p, m) for p in ALL for m in p.mistakes]


# ---- the bank as a whole --------------------------------------------------------------------


def test_bank_covers_lessons_and_kinds():
    assert len(select()) >= 12 and {p.kind for p in ALL} == set(KINDS)
    for lesson in (1, 2, 3, 4):
        assert len(select(lesson)) >= 2
    for p in ALL:
        assert p.statement and p.points >= 1 and p.id.startswith(f"0{p.lesson}-")
        assert p.hints or p.kind == "predict", p  # a prediction is the learner's own: no hint
    names = {m.name for _, m in MISTAKES}
    assert {
        "sign",
        "sum-not-mean",
        "sigma-not-variance",
        "variance-not-sigma",
        "full-batch",
        "step-too-many",
        "step-too-few",
    } <= names


def test_problem_validates_its_fields():
    with pytest.raises(ValueError, match="id"):
        Problem(id="worked", lesson=2, kind="number", statement="s", answer=1)
    with pytest.raises(ValueError, match="lesson"):
        Problem(id="02-x", lesson=3, kind="number", statement="s", answer=1)
    with pytest.raises(ValueError, match="kind"):
        Problem(id="02-x", lesson=2, kind="essay", statement="s", answer=1)
    for counts in ((1,), (3, 3), (2.0,), (True,), tuple(range(2, 12))):
        with pytest.raises(ValueError, match="counts"):
            Problem(id="02-x", lesson=2, kind="number", statement="s", answer=1, counts=counts)
    with pytest.raises(ValueError, match="dtype"):
        Problem(id="02-x", lesson=2, kind="number", statement="s", answer=1, dtype="float64")
    with pytest.raises(ValueError, match="dtype"):
        Problem(
            id="02-x",
            lesson=2,
            kind="function",
            statement="s",
            answer=abs,
            cases=lambda rng: [{"x": 1.0}],
            signature="f(x)",
            dtype="float32",
        )


def test_the_kinds_are_the_engines():
    """The bank accepts exactly the kinds the checker has an engine for (one registry)."""
    assert KINDS == tuple(ENGINES) == ("number", "expression", "function", "choice", "predict")


# ---- the fields the checker reads, against the statement it never reads -----------------------------

WORDS = {w: n for n, w in enumerate("two three four five six seven eight nine ten eleven twelve".split(), 2)}
COUNT = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?!\d|\.\d)|(?<![\w.])\d+(?!\d|\.\d)|\b(?:" + "|".join(WORDS) + r")\b")


def stated_counts(statement):
    """The whole numbers >= 2 a statement gives: in digits (60,000 with its thousands comma), not part
    of a decimal (0.15) or of a name (theta_1, w0), or as the words two to twelve."""
    found = []
    for token in COUNT.findall(statement.lower()):
        n = WORDS[token] if token in WORDS else int(token.replace(",", ""))
        if n >= 2 and n not in found:
            found.append(n)
    return set(found)


def test_stated_counts_reads_digits_words_and_nothing_else():
    assert stated_counts("A data set has N = 60,000 examples; mini-batches of m = 100.") == {60000, 100}
    assert stated_counts("the two examples (1, 3) and (2, 1), with l_i = (1/2)(w x_i - y_i)^2") == {2, 3}
    assert stated_counts("eta = 0.15, theta_1 = 1, w0 = 0, lambda_2 = 7.5, e3") == set()
    assert stated_counts("curvature lambda = 10. It converges") == {10}  # a full stop is not a decimal point


@pytest.mark.parametrize("pid", IDS)
def test_counts_are_the_whole_numbers_the_statement_gives(pid):
    """Problem.counts (what the number slips try) says in data what the statement says in words:
    a count the statement gives and the problem does not declare fails, and the other way round."""
    p = BANK[pid]
    stated = stated_counts(p.statement)
    counts = {c[1] if isinstance(c, tuple) else c for c in p.counts}
    assert not counts - stated, f"{pid}: counts has {sorted(counts - stated)}, the statement does not"
    if not p.quantities:  # bare counts must be all of them; named quantities are the problem's own (N, m, T)
        assert not stated - counts, f"{pid}: the statement gives {sorted(stated - counts)}, counts lacks them"


def _probe(**fields):
    """A one-problem bank (lesson 2) for a problem made here, and the problem."""
    p = Problem(id="02-probe", lesson=2, **fields)
    return Bank([p], (2,)), p


def test_the_slips_try_the_declared_counts_not_the_statements_numbers():
    """1/3 answered where the mean over N = 3 is 1/2, i.e. divided by N where N - 1 belongs. The
    statement's wording never matters: only counts names the slip."""
    for statement, counts, named in [
        ("N = 3 examples.", (3,), True),
        ("N = 3 examples.", (), False),
        ("N examples.", (3,), True),
    ]:
        bank, p = _probe(kind="number", statement=statement, answer=0.5, counts=counts)
        r = check(p.id, 1 / 3, bank=bank)
        assert r.status == "incorrect" and (r.mistake == "divisor-plus-one") == named, (statement, counts, r)


def test_dtype_reaches_the_function_engine():
    """float32 results pass at float32 precision, unless the problem's dtype asks for float64."""
    cases = lambda rng: [{"x": 1.0}, {"x": 2.0}]  # noqa: E731
    answer = lambda x: np.float32(x / 3 + 3e-6)  # noqa: E731 - off by 3e-6: within float32's tolerance only
    for dtype, status, said in [
        (None, "correct", "compared at float32 precision"),
        ("float64", "incorrect", "asks for float64"),
    ]:
        bank, p = _probe(
            kind="function",
            statement="Write f(x) = x / 3.",
            answer=lambda x: x / 3,
            cases=cases,
            signature="f(x) -> float",
            dtype=dtype,
        )
        r = check(p.id, answer, bank=bank)
        assert r.status == status and said in r.feedback, r
        assert ("Its results must be float64." in p.answer_format()) == (dtype == "float64")


def test_the_checker_dispatches_on_the_registry(monkeypatch):
    """answers.check runs ENGINES[problem.kind]: replace one engine and that one runs."""
    seen = []
    monkeypatch.setitem(
        ENGINES, "choice", lambda problem, answer, timeout: seen.append(answer) or Result("correct", "stub")
    )
    r = practice.check("04-quadruple", "z")
    assert seen == ["z"] and (r.status, r.feedback, r.problem_id) == ("correct", "stub", "04-quadruple")


# ---- every problem: reference right, each mistake recognised, placeholder unanswered ----------


@pytest.mark.parametrize("pid", IDS)
def test_reference_answer_is_correct(pid):
    p = BANK[pid]
    r = practice.check(pid, p.answer)
    status = "recorded" if p.kind == "predict" else "correct"  # a prediction is never right or wrong
    assert r.status == status, str(r)
    assert (r.score, r.points) == (p.points, p.points) and str(r).startswith(f"{status} [{pid}]")


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
    return next(
        (c for c in LETTERS[: len(p.options)] if c != p.answer and c not in {m.value for m in p.mistakes}), None
    )


@pytest.mark.parametrize("pid", IDS)
def test_some_other_wrong_answer_is_incorrect(pid):
    answer = _other_wrong(BANK[pid])
    if answer is None:  # every wrong option of this choice is a listed mistake
        return
    r = practice.check(pid, answer)
    if r.status == "unreadable" and BANK[pid].valid:  # a value the quantity cannot take (beta = 11.75)
        assert "cannot be" in r.feedback, str(r)
        return
    if BANK[pid].accept is not None:  # a choice with evidence: outside the range, and which side
        assert r.status == "incorrect" and r.mistake in ("range-below", "range-above"), str(r)
        return
    if BANK[pid].kind == "predict":  # recorded, and compared with what happened
        assert (r.status, r.score) == ("recorded", BANK[pid].points) and "What happened" in r.feedback, str(r)
        return
    assert (r.status, r.mistake) == ("incorrect", None), str(r)


@pytest.mark.parametrize("pid", IDS)
def test_check_never_raises(pid):
    class Evil:
        def __eq__(self, other):
            raise RuntimeError("no")

        def __float__(self):
            raise RuntimeError("no")

    for answer in (
        None,
        Evil(),
        object(),
        float("nan"),
        "(((",
        [1, "a"],
        {"a": 1},
        b"0.3",
        sp.Matrix([1, 2]),
        lambda *a: 1 / 0,
        int,
        np.array(["x"]),
    ):
        assert practice.check(pid, answer).status in STATUSES


# ---- bad inputs through check() ---------------------------------------------------------------


@pytest.mark.parametrize(
    "pid, answer, status, reason",
    [
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
    ],
)
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
