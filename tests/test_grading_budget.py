"""grading.submission's time budget with a stand-in kernel: once the notebook's budget has run out,
the answers not yet read or checked get a row that says so (never an internal error), a check gets
at most what is left of the budget, and the pool's budget of a task is its Options'. With real
kernels: tests/slow/test_grading_limits.py."""

import re
import time
from fractions import Fraction

from helpers import ROOT
from sgdcourse.grading.exercise import load_exercises
from sgdcourse.grading.kernel import OutOfTime
from sgdcourse.grading.submission import LATE, Options, _grade_answers, reserve, time_budget
from sgdcourse.grading.wire import encode
from sgdcourse.problems import BANK
from sgdcourse.problems.variants import VariantBank

TODAY = VariantBank(BANK, "test-course", None)  # today's numbers
EX02 = next(e for e in load_exercises(ROOT / "solutions", warn=lambda text: None) if e.number == "02")
RIGHT = {"g1": Fraction(-4, 5), "w2": Fraction(19, 50), "w3": Fraction(321, 500), "why_unbiased": "b"}


class FakeKernel:
    """Answers probes from RIGHT (anything else: a NameError) until `answers` probes have been
    asked; then its time budget has run out (OutOfTime, as Kernel.ask raises it)."""

    def __init__(self, answers, deadline=float("inf")):
        self.left, self.deadline, self.limit, self.out_of_time = answers, deadline, 2.0, False

    def ask(self, code):
        if self.left <= 0:
            self.out_of_time = True
            raise OutOfTime()
        self.left -= 1
        expr = re.search(r"probe\('([^']*)'", code).group(1)
        if expr in RIGHT:
            return {"value": encode(RIGHT[expr])}
        return {"raised": ["NameError", f"name '{expr}' is not defined"]}

    def settle(self):
        pass


def options(budget=600.0):
    return Options(cell_timeout=30, check_timeout=2.0, memory_mb=0, exercise=None, time_budget=budget)


def test_answers_past_the_budget_say_so_and_the_others_are_graded():
    problems = [pid for pid, _ in EX02.problems]
    rows = _grade_answers("s.ipynb", FakeKernel(answers=4), EX02, [], [], options(), lambda s, w: None, TODAY)
    assert [r.problem for r in rows] == problems
    late = [r for r in rows if r.feedback.startswith(LATE)]
    assert len(late) == len(problems) - 4 and all(r.status == "unanswered" and r.score == 0 for r in late)
    assert late[0].feedback == "No answer: the notebook's 600 s time budget ran out before it was read."
    graded = {r.problem: r.status for r in rows if r not in late}
    assert graded["02-sgd-gradient"] == "correct" and len(graded) == 4


def test_a_value_is_not_checked_once_the_budget_is_spent():
    kernel = FakeKernel(answers=100, deadline=time.monotonic() - 1)
    rows = _grade_answers("s.ipynb", kernel, EX02, [], [], options(), lambda s, w: None, TODAY)
    by = {r.problem: r for r in rows}
    assert (
        by["02-sgd-gradient"].feedback == "No answer: the notebook's 600 s time budget ran out before it was checked."
    )
    assert by["02-per-example-grad"].status == "unanswered"  # not defined: why it is missing, as before


def test_the_cells_leave_time_for_the_answers_and_the_pool_knows_the_budget():
    assert reserve(EX02, options(600)) == len(EX02.problems) * 5.0
    assert reserve(EX02, options(20)) == 5.0  # at most a quarter of the budget
    assert time_budget(("s.ipynb", [EX02], options(42))) == 42.0
    assert time_budget(("hang", None, None)) == float("inf")
