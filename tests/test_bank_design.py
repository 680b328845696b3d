"""The bank as a course of practice: what each problem asks the learner to do, which lesson
sections it practises, and feedback that never guesses. Read from the bank's data and the lessons.

    coverage     every numbered section of every lesson has a problem; at least MIN_PROBLEMS in all
    tasks        every task kind of the course occurs; every exercise has RUN_CODE problems that run code
    hints        ask, then method, then (last only) value; only a value hint gives a number the
                 statement does not
    distinct     a problem's named mistakes give different values, none the answer's; a generic slip
                 that gives a named mistake's value has the named mistake's name
    declared     no feedback names a quantity the problem does not declare: every bank mistake and
                 five generic wrong answers per problem are sent to the checker (make test: one
                 problem of each kind per lesson; the slow tier: every other one)
    variants     a problem with numbers is built from its parameters: rebuilt from them, the same
                 problem; another value of a parameter, another answer
    mistakes     every bullet of every lesson's "Common mistakes" is recognised where it can happen
"""

from __future__ import annotations

import importlib
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from helpers import sampled
from sgdcourse.checking import answers, slips
from sgdcourse.layout import LESSONS as LESSON_FOLDER
from sgdcourse.layout import notebooks
from sgdcourse.problems import BANK, TASKS, Hint
from sgdcourse.problems.audit import slip_clash
from sgdcourse.problems.problem import RUNS_CODE

ROOT = Path(__file__).resolve().parents[1]
ALL = list(BANK.values())
IDS = [p.id for p in ALL]
MIN_PROBLEMS, RUN_CODE = 70, 2
SECTION = re.compile(r"^## (\d+)\. ", re.M)


def _markdown(path):
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "markdown"
    ]


LESSON_TEXT = {int(p.name[:2]): _markdown(p) for p in notebooks(ROOT / LESSON_FOLDER)}


def lesson_sections(lesson):
    """The numbers of a lesson's sections, from its headings "## 3. ..."."""
    return sorted({int(n) for text in LESSON_TEXT[lesson] for n in SECTION.findall(text)})


# ---- coverage and tasks -------------------------------------------------------------------------


def test_lesson_sections_are_read_from_the_headings():
    assert lesson_sections(2) == list(range(1, 10)) and lesson_sections(4) == [1, 2, 3, 4]


def test_every_section_of_every_lesson_has_a_problem():
    assert len(ALL) >= MIN_PROBLEMS, f"{len(ALL)} problems, at least {MIN_PROBLEMS} wanted"
    missing = []
    for lesson in BANK.lessons:
        covered = {s for p in BANK.select(lesson) for s in p.sections}
        assert covered <= set(lesson_sections(lesson)), (lesson, covered - set(lesson_sections(lesson)))
        missing += [f"{lesson:02d} §{s}" for s in lesson_sections(lesson) if s not in covered]
    assert not missing, f"sections with no problem: {missing}"


def test_the_readme_counts_the_bank_as_it_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"in `exercises/`, {len(ALL)} problems in all" in readme


@pytest.mark.parametrize("pid", IDS)
def test_each_problem_records_its_task_and_sections(pid):
    p = BANK[pid]
    assert p.task in TASKS and p.sections, f"{pid}: task {p.task!r}, sections {p.sections!r}"
    if p.kind == "predict":
        assert p.task == "predict"
    if p.task == "choose":
        assert p.kind == "number" and p.accept is not None, f"{pid}: a choice with evidence accepts a range"


def test_every_task_kind_occurs_and_every_exercise_runs_code():
    assert {p.task for p in ALL} >= set(RUNS_CODE) | {"compute"}, sorted({p.task for p in ALL})
    for lesson in BANK.lessons:
        running = [p.id for p in BANK.select(lesson) if p.runs_code]
        assert len(running) >= RUN_CODE, f"exercise {lesson:02d}: only {running} need the learner to run code"


@pytest.mark.parametrize("pid", [p.id for p in ALL if p.kind == "predict"])
def test_a_prediction_is_recorded_never_wrong(pid):
    p = BANK[pid]
    tries = list(p.options and "abcdefgh"[: len(p.options)]) if p.options else [p.answer, 0, -3.5, 1e6]
    if isinstance(p.answer, tuple):
        tries = [p.answer, tuple(0 for _ in p.answer), tuple(7 for _ in p.answer)]
    for guess in tries:
        r = answers.check(pid, guess, bank=BANK)
        assert r.status == "recorded" and r.score == p.points and "What happened" in r.feedback, (guess, r)
    assert answers.check(pid, "no idea", bank=BANK).status == "unreadable"
    assert answers.check(pid, ..., bank=BANK).status == "unanswered"


# ---- hints: ask, method, value ------------------------------------------------------------------

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:/\d+)?(?![\w.])")


def _numbers(text):
    return {Fraction(n) for n in NUMBER.findall(text)}


@pytest.mark.parametrize("pid", [p.id for p in ALL if len(p.hints) > 1])
def test_hints_ask_then_give_the_method_then_a_value(pid):
    p = BANK[pid]
    assert all(isinstance(h, Hint) for h in p.hints), f"{pid}: hints must be ask(...), method(...), value(...)"
    kinds = [h.kind for h in p.hints]
    assert kinds[0] == "ask" and p.hints[0].rstrip().endswith("?"), f"{pid}: the first hint asks a question"
    assert "method" in kinds, f"{pid}: a hint gives the method"
    order = {"ask": 0, "method": 1, "value": 2}
    assert kinds == sorted(kinds, key=order.get), f"{pid}: hints out of order {kinds}"
    assert "value" not in kinds[:-1], f"{pid}: only the last hint may give a value"
    given = _numbers(p.statement)
    for h in p.hints:
        if h.kind != "value":
            extra = _numbers(h) - given - {0, 1, 2}
            assert not extra, f"{pid}: the {h.kind} hint gives {sorted(map(str, extra))}, which the statement does not"


# ---- distinct slips -----------------------------------------------------------------------------


@pytest.mark.parametrize("pid", [p.id for p in ALL if p.kind == "number" and p.accept is None])
def test_named_number_slips_are_distinct(pid):
    assert slip_clash(BANK[pid]) is None


@pytest.mark.parametrize("pid", [p.id for p in ALL if p.kind == "expression"])
def test_named_expression_slips_are_distinct_inside_the_domain(pid):
    assert slip_clash(BANK[pid]) is None


@pytest.mark.parametrize("pid", [p.id for p in ALL if p.kind in ("choice", "function")])
def test_named_choice_and_function_slips_are_distinct(pid):
    assert slip_clash(BANK[pid]) is None


# ---- feedback names only declared quantities ----------------------------------------------------

# The quantities a feedback may name, as a word: a problem may name one only if it declares it
# (quantities, namespace or domain), under any of its spellings.
VOCABULARY = {
    "N": ("N",),
    "m": ("m",),
    "sigma": ("sigma", "σ"),
    "eta": ("eta", "η"),
    "lam": ("lam", "lambda", "λ"),
    "beta": ("beta", "β"),
    "T": ("T",),
    "kappa": ("kappa", "κ"),
    "h": ("h",),
}


def _base(name):
    return {"lambda": "lam", "σ": "sigma", "η": "eta", "λ": "lam", "β": "beta"}.get(name, name).split("_")[0]


def _declared(p):
    return {_base(n) for n in (*p.quantities, *p.namespace, *p.domain)}


def named_quantities(text):
    """The quantities of VOCABULARY that a text names, as whole words (code spans included)."""
    return {
        q
        for q, spellings in VOCABULARY.items()
        if any(re.search(rf"(?<![\w.]){re.escape(s)}(?![\w(])", text) for s in spellings)
    }


def test_named_quantities_reads_words_not_letters_inside_words():
    assert named_quantities("a division by N - 1 = 1 where N = 2 belongs") == {"N"}
    assert named_quantities("Mean, then multiply by eta; the Term") == {"eta"}
    assert named_quantities("with λ = 10 and β = 0.9, m = 4") == {"lam", "beta", "m"}
    assert named_quantities("It is 3 times the expected value: a sum over 3 terms") == set()


def _wrong_answers(p):
    """Five wrong answers of the problem's form, none a bank mistake on purpose."""
    r = p.answer
    if p.kind == "number":
        if isinstance(r, tuple):
            return [
                tuple(Fraction(x) * k + j for x in r) for k, j in ((3, 0), (-1, 1), (Fraction(7, 5), 0), (0, 9), (2, 1))
            ]
        r = Fraction(r)
        return [r * 3, -r + 1, r * Fraction(7, 5), r + Fraction(1, 3), r * r + 5]
    if p.kind == "expression":
        syms = sorted(r.free_symbols, key=str) or [sympy.Integer(1)]
        return [r * 3, r + 1, r**3, r + syms[0], sympy.Integer(7)]
    if p.kind == "choice":
        return [letter for letter in "abcdefgh"[: len(p.options)] if letter != r]
    if p.kind == "function":
        return [lambda *a, _k=k, **kw: 0.0 * _k + 3.25 + _k for k in range(5)]
    return []


@pytest.mark.parametrize("pid", sampled(IDS))  # the rest in the slow tier
def test_feedback_names_only_declared_quantities(pid):
    p = BANK[pid]
    sent = [m.value for m in p.mistakes] + _wrong_answers(p)
    declared = _declared(p)
    for answer in sent:
        r = answers.check(pid, answer, bank=BANK)
        extra = named_quantities(r.feedback) - declared
        assert not extra, f"{pid}: {answer!r:.60} got feedback naming {sorted(extra)}, undeclared:\n{r.feedback}"


# ---- variants: numbers from parameters ----------------------------------------------------------


def _same(a, b):
    if callable(a):
        return callable(b)
    return a == b


@pytest.mark.parametrize("pid", IDS)
def test_a_problem_with_numbers_is_built_from_its_parameters(pid):
    p = BANK[pid]
    if not re.search(r"\d", p.statement) and not p.params:
        return  # a problem with no number in it (a symbolic derivation, a concept) has nothing to vary
    assert p.build is not None and p.params, f"{pid}: build it with @variant(...) from its parameters"
    again = p.build(**p.params)
    assert again.statement == p.statement and _same(again.answer, p.answer), f"{pid}: rebuilt, a different problem"
    assert [m.name for m in again.mistakes] == [m.name for m in p.mistakes]


def _other(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value + 1
    if isinstance(value, (Fraction, float)):
        return value * Fraction(9, 7) if isinstance(value, Fraction) else value * 9 / 7
    if (
        isinstance(value, tuple)
        and value
        and all(isinstance(v, (int, Fraction, float)) and not isinstance(v, bool) for v in value)
    ):
        return tuple(_other(v) for v in value)
    return None


@pytest.mark.parametrize("pid", [p.id for p in ALL if p.params and p.kind in ("number", "expression", "predict")])
def test_another_parameter_gives_another_answer(pid):
    p = BANK[pid]
    changed = []
    for name, v in p.params.items():
        w = _other(v)
        if w is None:
            continue
        try:
            q = p.build(**{**p.params, name: w})
        except (ValueError, ZeroDivisionError, IndexError):
            continue  # a value that makes the problem ill posed: the next issue draws only well-posed ones
        changed.append(not _same(q.answer, p.answer))
    assert any(changed), f"{pid}: no parameter changes the answer; is a number typed rather than computed?"


# ---- every lesson's common mistakes, recognised -------------------------------------------------

BULLET = re.compile(r"^- \*\*(.+?)\*\*", re.M)


def common_mistakes(lesson):
    """The bold titles of a lesson's "Common mistakes" bullets."""
    for text in LESSON_TEXT[lesson]:
        if text.startswith("## Common mistakes"):
            return [t.strip().rstrip(".") for t in BULLET.findall(text)]
    return []


def _generic_names(p):
    if p.kind == "number" and not isinstance(p.answer, tuple):
        return {s.name for s in slips.number_slips(p.answer, p.tol, p.counts)} | {"close"}
    return set()


@pytest.mark.parametrize("lesson", BANK.lessons)
def test_every_common_mistake_of_the_lesson_is_recognised(lesson):
    module = importlib.import_module(f"sgdcourse.problems.lesson{lesson:02d}")
    table = getattr(module, "COMMON_MISTAKES", {})
    titles = common_mistakes(lesson)
    assert titles, f"lesson {lesson:02d} has no common mistakes"
    assert set(table) == set(titles), f"lesson {lesson:02d}: {sorted(set(titles) ^ set(table))}"
    for title, where in table.items():
        assert where, f"lesson {lesson:02d}: {title!r} is recognised nowhere"
        for pid, name in where:
            p = BANK[pid]
            assert name in {m.name for m in p.mistakes} | _generic_names(p), f"{pid} has no recogniser {name!r}"
