"""A solution notebook earns full marks under any learner's numbers, and an exercise none.

Each notebook's code cells run in this process (the grader's sandboxed run is tests/slow/), with
practice.SESSION pinned to the learner as the grader pins it, so data() and check() give that
learner's numbers whatever start() the notebook names. Then each problem's answer, the expression
the trusted solution passes to check (grading.exercise), is checked against the learner's variant.

    make test      every solution and exercise notebook under LEARNERS_QUICK ids
    slow tier      every solution and exercise notebook under LEARNERS ids (the issue: 20)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import answers_as
from sgdcourse.layout import notebooks

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = notebooks(ROOT / "solutions")
LEARNERS = [f"learner-{k:02d}@example.org" for k in range(20)]
LEARNERS_QUICK = LEARNERS[:1]


def full_marks(path, learner):
    results = answers_as(path, learner)
    wrong = {pid: str(r or v) for pid, (v, r) in results.items() if r is None or not r.ok}
    assert not wrong, f"{path.name} as {learner}: {wrong}"


def no_marks(path, learner):
    exercise = ROOT / "exercises" / path.name
    results = answers_as(exercise, learner)
    earned = {pid: str(r) for pid, (v, r) in results.items() if r is not None and r.ok}
    assert not earned, f"{exercise.name} as {learner}: {earned}"


@pytest.mark.parametrize("learner", LEARNERS_QUICK)
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_a_solution_earns_full_marks_with_a_learners_numbers(path, learner):
    full_marks(path, learner)


@pytest.mark.parametrize("learner", LEARNERS_QUICK)
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_an_exercise_earns_nothing_with_a_learners_numbers(path, learner):
    no_marks(path, learner)


@pytest.mark.slowclaim
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_a_solution_earns_full_marks_and_its_exercise_nothing_for_twenty_learners(path):
    for learner in LEARNERS:
        full_marks(path, learner)
        no_marks(path, learner)


def test_a_solution_with_todays_answer_typed_in_fails_for_a_learner(tmp_path):
    """The check above fails when a solution types today's answer instead of computing it."""
    import nbformat

    from sgdcourse.problems.variants import course_id, numbers_of

    source = ROOT / "solutions" / "01_gradient_descent.ipynb"
    nb = nbformat.read(source, as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and 'check("01-gd-step"' in c.source]
    cell.source = "w1 = Fraction(7, 10)  # today's answer, typed\n" + cell.source
    typed = tmp_path / source.name
    nbformat.write(nb, typed)
    full_marks(typed, None)  # today's numbers: still right
    today = numbers_of("01-gd-step", course_id(), None)
    learner = next(k for k in LEARNERS if numbers_of("01-gd-step", course_id(), k) != today)
    with pytest.raises(AssertionError, match="01-gd-step"):
        full_marks(typed, learner)
