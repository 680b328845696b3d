"""grading.exercise: the trusted exercises come from the solution notebooks, and a submission is
matched to one by its check calls (in code, not comments or strings) and its file name."""

import pytest

from helpers import ROOT
from sgdcourse.grading.exercise import SubmissionError, identify, load_exercises, read_cells
from sgdcourse.layout import check_calls, notebooks
from sgdcourse.problems import BANK

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
    assert dict(ex["02"].problems)["02-worked-step"] == "w3" and ex["02"].max == 11
    assert all(pid in BANK for e in ex.values() for pid, _ in e.problems)


def test_the_exercise_is_read_from_code_not_from_comments_or_strings():
    broken = "x = (\n# check('03-batch-gradient', 1)\ns = \"check('04-var-batch', 2)\"\ncheck('02-worked-step', w3"
    assert check_calls(broken) == [("02-worked-step", None)]
