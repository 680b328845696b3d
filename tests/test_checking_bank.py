"""The checker is handed its bank (it never imports one): check, hints, show and problems work on
any Bank, suggestions for an unknown id come from that bank, and one function suggests ids."""

import ast
from pathlib import Path

import pytest

from sgdcourse import practice
from sgdcourse.checking import Mistake, answers, hints
from sgdcourse.checking.ids import close_ids, unknown_id
from sgdcourse.problems import BANK, Bank, Problem, select
from sgdcourse.problems.sealed import seal

LIBRARY = Path(practice.__file__).parent


def small_bank():
    """A bank of one problem of lesson 2, none of whose ids the installed bank has."""
    p = Problem(
        id="02-probe-sum",
        lesson=2,
        kind="number",
        statement="Add 1 and 2.",
        answer=3,
        hints=("Count.", "1 + 2."),
        mistakes=(Mistake("times", "That is 1 times 2.", 2),),
    )
    return Bank([p], (2, 3))


def test_check_uses_the_bank_it_is_handed():
    bank = small_bank()
    assert answers.check("02-probe-sum", 3, bank=bank).ok
    assert answers.check("02-probe-sum", 2, bank=bank).mistake == "times"
    r = answers.check("02-probe-summ", 3, bank=bank)
    assert r.status == "unreadable" and "Did you mean '02-probe-sum'" in r.feedback
    assert "no problem '02-worked-step'" in answers.check("02-worked-step", 0.642, bank=bank).feedback
    assert "no problem '02-probe-sum'" in practice.check("02-probe-sum", 3).feedback  # the installed bank


def test_a_bank_that_is_not_a_mapping_is_the_callers_bug():
    with pytest.raises(TypeError, match="bank must be a mapping"):
        answers.check("02-worked-step", 0.642, bank=list(BANK.values()))


def test_hints_show_and_problems_use_the_bank_they_are_handed(capsys):
    bank = small_bank()
    counted = hints.Hints(bank)
    hints.hint("02-probe-sum", counted)
    assert "Hint 1 of 2 for 02-probe-sum" in capsys.readouterr().out and counted.shown("02-probe-sum") == 1
    assert str(hints.show("02-probe-sum", bank=bank)).startswith("02-probe-sum (lesson 2, number, 1 point)")
    assert hints.problems(2, bank=bank).ids == ("02-probe-sum",) and hints.problems(3, bank=bank).ids == ()
    assert "numbered 2 to 3" in str(hints.problems(1, bank=bank))
    assert "this bank has no lessons" in str(hints.problems(1, bank=Bank([], ())))  # not an IndexError
    assert "No such problem" in str(hints.show("02-worked-step", bank=bank))


def test_a_bank_refuses_what_would_make_ids_or_lessons_ambiguous():
    p = small_bank()["02-probe-sum"]
    with pytest.raises(ValueError, match="used twice"):
        Bank([p, p], (2,))
    with pytest.raises(ValueError, match="not one of lessons"):
        Bank([p], (3,))
    with pytest.raises(ValueError, match="lesson must be one of"):
        small_bank().select(4)
    assert BANK.select(2) == select(2) and list(BANK) == [p.id for p in select()]


def test_a_sealed_problem_is_shown_but_not_checked():
    """In a kernel being graded the bank is sealed (tests/test_problems_sealed.py): check says the
    grader decides; everything else about the problem is there."""
    real = BANK["04-sd-batch"]
    bank = Bank([seal(real)], BANK.lessons)
    r = answers.check(real.id, real.answer, bank=bank)
    assert r.status == "unreadable" and r.feedback == answers.SEALED
    assert str(hints.show(real.id, bank=bank)) == str(practice.show(real.id))  # "a list of 3 numbers" kept


@pytest.mark.parametrize("typed", ["02-WORKED-STEP", "02_worked_step", " 02 worked step ", "02-worked-stpe"])
def test_suggestions_ignore_case_spaces_and_underscores(typed):
    assert close_ids(typed, BANK)[0] == "02-worked-step"
    assert "Did you mean '02-worked-step'" in unknown_id(typed, BANK)
    assert "problems() lists every problem" in unknown_id("zzzz", BANK)


def test_one_function_suggests_ids():
    """difflib (the close-match search) is used by checking/ids.py alone, and nothing else in the
    library defines a close_ids or an unknown-id message of its own."""
    for path in sorted(LIBRARY.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        if path.relative_to(LIBRARY).as_posix() != "checking/ids.py":
            assert "difflib" not in names, path
            assert not defined & {"close_ids", "unknown_id", "unknown_id_message"}, path
