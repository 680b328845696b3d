"""The learner's entry points: hint shows itself whenever it counts, unknown ids and lessons get
feedback (never a traceback), and the facade keeps the notebooks' import line working."""

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from sgdcourse import practice
from sgdcourse.problems import BANK, LESSONS, get, select


def test_the_notebooks_import_line():
    from sgdcourse.practice import check, hint, problems, show  # noqa: F401 - the line every notebook runs
    from sgdcourse.problems import BANK

    assert check("02-worked-step", float(BANK["02-worked-step"].answer)).ok


def test_the_facade_hands_the_checker_the_installed_bank():
    """practice is the one place that wires the installed bank in; it keeps no history names."""
    from sgdcourse import problems

    assert practice.BANK is problems.BANK and practice.SESSION.bank.bank is problems.BANK
    assert practice.DEFAULT_HINTS.bank is practice.SESSION.bank  # the started learner's variants
    assert practice.Hints().bank is practice.SESSION.bank and not hasattr(practice, "bank")
    assert set(practice.__all__) >= {"check", "hint", "show", "problems"} and "bank" not in practice.__all__


def test_hints_progress_then_run_out(capsys):
    hints = practice.Hints()
    p = get("02-worked-step")
    for k, text in enumerate(p.hints, 1):
        assert practice.hint(p.id, hints) is None
        shown = capsys.readouterr().out
        assert shown.startswith(f"Hint {k} of {len(p.hints)} for 02-worked-step") and text in shown
    practice.hint(p.id, hints)
    assert "No hints remain" in capsys.readouterr().out and hints.shown(p.id) == len(p.hints)
    assert practice.DEFAULT_HINTS.shown(p.id) == 0
    hints.reset(p.id)
    note = hints.next(p.id)
    assert str(note).startswith("Hint 1 of") and "<strong>" in note._repr_html_()


@pytest.mark.parametrize("bad", ["nope", "02-WORKED-STEP", None, 3])
def test_unknown_ids_get_feedback_and_use_no_hint(bad, capsys):
    hints = practice.Hints()
    practice.hint(bad, hints)
    out = capsys.readouterr().out
    assert "There is no problem" in out and hints._shown == {}
    note = practice.show(bad)
    assert "There is no problem" in str(note)
    assert practice.check(bad, 1).status == "unreadable"


def test_suggestions_ignore_case_and_separators():
    for typed in ("02-WORKED-STEP", "02_worked_step", " 02-Worked-Step "):
        assert "Did you mean '02-worked-step'" in str(practice.show(typed))
    assert "problems() lists" in str(practice.show("zzzz"))


def _run(shell, code):
    with capture_output() as out:
        shell.run_cell(code)
    return out


@pytest.mark.parametrize("last", [True, False])
def test_hint_is_displayed_once_in_ipython_whether_last_or_not(last):
    """The check cell of an exercise: `hint(id)` above `check(...)` (not last) or alone (last)."""
    shell = InteractiveShell.instance()
    try:
        _run(shell, "from sgdcourse.practice import hint, check, Hints\nh = Hints()")
        code = 'hint("02-worked-step", h)' if last else 'hint("02-worked-step", h)\ncheck("02-worked-step", ...)'
        out = _run(shell, code)
        texts = [o.data.get("text/plain", "") for o in out.outputs] + [out.stdout]
        assert sum(t.count("Hint 1 of") for t in texts) == 1, texts
        assert shell.user_ns["h"].shown("02-worked-step") == 1
        if not last:
            assert sum(t.count("unanswered") for t in texts) == 1
    finally:
        InteractiveShell.clear_instance()


def test_show_and_problems():
    note = practice.show("04-quadruple")
    assert "(b) It is divided by two." in str(note) and str(note) == str(practice.show("04-quadruple"))
    assert "&lt;" not in str(note) and "<div" in note._repr_html_()
    assert "±1e-06" in str(practice.show("02-worked-step"))
    listing = practice.problems(lesson=4)
    assert listing.ids == tuple(p.id for p in select(4)) and "04-sd-batch" in repr(listing)
    assert "<table" in listing._repr_html_() and len(practice.problems()) == len(BANK)
    for lesson in (max(LESSONS) + 1, 0, "2", True):  # the first lesson not written yet, and odd types
        note = practice.problems(lesson=lesson)
        assert str(note).startswith("No such lesson") and f"numbered {LESSONS[0]} to {LESSONS[-1]}" in str(note)
