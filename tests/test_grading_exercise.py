"""grading.exercise: the trusted exercises come from the solution notebooks, and a submission is
matched to one by its check calls (in code that runs, not comments, strings or dead code) and its
file name (digits normalised); a lone surrogate in a cell is sent as its escape."""

import json

import pytest

from helpers import ROOT
from sgdcourse.grading.exercise import (
    SubmissionError,
    code_cells,
    identify,
    load_exercises,
    name_number,
    read_cells,
    running,
)
from sgdcourse.layout import check_calls, notebooks
from sgdcourse.problems import BANK, select

SOLUTIONS = notebooks(ROOT / "solutions")


def test_identify_by_checks_and_file_name():
    exercises = load_exercises(ROOT / "solutions", warn=lambda t: None)
    cells01, cells02 = (read_cells(p.read_bytes()) for p in SOLUTIONS[:2])
    assert identify("alice/anything.ipynb", cells02, exercises).name == "02_sgd_by_hand"
    assert identify("02_sgd_by_hand.ipynb", [(1, "code", "x = 1")], exercises).name == "02_sgd_by_hand"
    for name, cells in (("02_x.ipynb", cells01), ("notes.ipynb", [(1, "code", "x = 1")])):
        with pytest.raises(SubmissionError, match="wrong exercise"):
            identify(name, cells, exercises)


def test_trusted_expressions_come_from_the_solutions():
    ex = {e.number: e for e in load_exercises(ROOT / "solutions", warn=lambda t: None)}
    assert ex["02"].problems[0] == ("02-per-example-grad", "grad_example")
    assert dict(ex["02"].problems)["02-worked-step"] == "w3" and ex["02"].max == sum(p.points for p in select(2))
    assert all(pid in BANK for e in ex.values() for pid, _ in e.problems)


def test_the_exercise_is_read_from_code_not_from_comments_or_strings():
    broken = "x = (\n# check('03-batch-gradient', 1)\ns = \"check('04-var-batch', 2)\"\ncheck('02-worked-step', w3"
    assert check_calls(broken) == [("02-worked-step", None)]


# ---- issue 21: identification by what runs, digits normalised; lone surrogates -------------------


def test_only_check_calls_that_run_decide_the_exercise():
    """running(): what runs whenever its cell runs. Conditional code, function bodies, lambdas and
    what follows a `raise` do not count; try, finally, with and class bodies do."""
    never = [
        'if False:\n    check("06-threshold", 1)',
        'while n:\n    check("06-threshold", 1)',
        'for _ in []:\n    check("06-threshold", 1)',
        'def unused():\n    check("06-threshold", 1)',
        'async def unused():\n    check("06-threshold", 1)',
        'f = lambda: check("06-threshold", 1)',
        'x = a if c else check("06-threshold", 1)',
        'x = ok or check("06-threshold", 1)',
        'x = [check("06-threshold", i) for i in []]',
        'try:\n    pass\nexcept Exception:\n    check("06-threshold", 1)',
        'match v:\n    case 1:\n        check("06-threshold", 1)',
        'raise SystemExit\ncheck("06-threshold", 1)',
        '# check("06-threshold", 1)',
        'x = (\ncheck("06-threshold", 1',  # does not parse: the cell never runs
    ]
    for source in never:
        assert check_calls(running(source)) == [], source
    runs = [
        'check("06-threshold", 1)',
        'r = practice.check("06-threshold", 1)',
        'try:\n    check("06-threshold", 1)\nfinally:\n    pass',
        'try:\n    pass\nfinally:\n    check("06-threshold", 1)',
        'with ctx:\n    check("06-threshold", 1)',
        'class A:\n    r = check("06-threshold", 1)',
        'if check("06-threshold", 1):\n    pass',
        '%time x = 1\ncheck("06-threshold", 1)',
        'x = [i for i in check("06-threshold", 1)]',
    ]
    for source in runs:
        assert [pid for pid, _ in check_calls(running(source))] == ["06-threshold"], source


def test_code_that_never_runs_does_not_decide_which_exercise_a_notebook_is():
    exercises = load_exercises(ROOT / "solutions", warn=lambda t: None)
    cells02 = read_cells(SOLUTIONS[1].read_bytes())
    dead = [(900, "code", 'if False:\n    check("06-threshold", 1)\ndef f():\n    check("03-batch-gradient", 1)')]
    assert identify("02_x.ipynb", cells02 + dead, exercises).name == "02_sgd_by_hand"
    assert identify("anything.ipynb", cells02 + dead, exercises).name == "02_sgd_by_hand"
    with pytest.raises(SubmissionError, match="checks no problem"):
        identify("notes.ipynb", [(1, "code", "x = 1"), *dead], exercises)
    live = [(900, "code", 'check("03-batch-gradient", 1)')]
    with pytest.raises(SubmissionError, match=r"several exercises \(02_sgd_by_hand, 03_minibatch_logistic\)"):
        identify("02_x.ipynb", cells02 + live, exercises)


def test_the_shipped_notebooks_check_only_in_code_that_runs():
    """So deciding by what runs identifies every honest notebook as before."""
    for path in SOLUTIONS + notebooks(ROOT / "exercises"):
        cells = [src for _, src in code_cells(read_cells(path.read_bytes()))]
        assert [p for s in cells for p, _ in check_calls(running(s))] == [p for s in cells for p, _ in check_calls(s)]


@pytest.mark.parametrize("name", ["０６_sgd_by_hand.ipynb", "٠٦_x.ipynb", "06_x.ipynb", "alice/０６_x.ipynb"])
def test_digits_in_any_form_name_their_exercise(name):
    """A name in full-width (or Arabic-Indic) digits holding the 02 solution is exercise 06 by its
    name: the wrong exercise, never full marks as 02 or as 06."""
    exercises = load_exercises(ROOT / "solutions", warn=lambda t: None)
    assert name_number(name) == "06"
    with pytest.raises(SubmissionError, match="the file name says 06_learning_rate, but its checks are those of 02"):
        identify(name, read_cells(SOLUTIONS[1].read_bytes()), exercises)


def test_normalised_ids_and_names():
    exercises = load_exercises(ROOT / "solutions", warn=lambda t: None)
    assert [name_number(n) for n in ("０２_x.ipynb", "002_x.ipynb", "2_x.ipynb", "x02.ipynb")] == [
        "02",
        None,
        None,
        None,
    ]
    assert identify("０２_x.ipynb", [(1, "code", "x = 1")], exercises).name == "02_sgd_by_hand"
    fullwidth_id = [(1, "code", 'check("０６-threshold", x)')]  # an id that reads 06-threshold claims it
    with pytest.raises(SubmissionError, match="file name says 02_sgd_by_hand, but its checks are those of 06"):
        identify("02_x.ipynb", fullwidth_id, exercises)


def test_a_lone_surrogate_in_a_cell_is_sent_as_its_escape():
    """Valid JSON, so an honest notebook can hold one; UTF-8 (the kernel's messages) cannot. In a
    string literal the escape is the same value, in a comment it changes nothing."""
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": "code", "source": 's = "caf\udce9 \ud800!"  # note \udfff', "metadata": {}}],
    }
    data = json.dumps(nb).encode("ascii")  # "\ud800" as JSON writes it
    ((_, _, source),) = read_cells(data)
    source.encode("utf-8")
    assert source == 's = "caf\\udce9 \\ud800!"  # note \\udfff'
    scope = {}
    exec(source, scope)
    assert scope["s"] == "caf\udce9 \ud800!" == nb["cells"][0]["source"].split('"')[1]
