"""grading.submission, the parts that need no kernel: a submission's bytes are read only from a
regular file within the size limit, a submission that cannot be graded is one error row, and its
answers are read and checked one at a time."""

import weakref

import pytest

from helpers import EX02, ROOT
from sgdcourse.checking import Result
from sgdcourse.grading import submission
from sgdcourse.grading.exercise import SubmissionError, load_exercises
from sgdcourse.grading.gradebook import Row
from sgdcourse.grading.remote import RemoteFunction
from sgdcourse.grading.submission import Graded, read_submission
from sgdcourse.problems import BANK
from sgdcourse.problems.variants import VariantBank


def test_a_symbolic_link_or_a_file_over_the_limit_is_not_read(tmp_path):
    (tmp_path / "real.ipynb").write_bytes(EX02.read_bytes())
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "real.ipynb")
    with pytest.raises(SubmissionError, match="symbolic link"):
        read_submission(str(tmp_path / "link.ipynb"), 2**20)
    with pytest.raises(SubmissionError, match="larger than"):
        read_submission(str(tmp_path / "real.ipynb"), 1000)
    assert read_submission(str(tmp_path / "real.ipynb"), 2**20) == EX02.read_bytes()


def test_a_submission_that_cannot_be_graded_is_one_error_row():
    why = "not graded: the kernel died"
    g = Graded("alice/02_x.ipynb", "02_sgd_by_hand", [Row("alice/02_x.ipynb", "02-a", "correct", 3.0, 3, "")], 3.0, 11)
    assert g.fail(why) is g
    assert (g.error, g.total, g.rows) == (why, 0.0, [Row("alice/02_x.ipynb", "", "error", 0.0, 11, why)])


class Idle:
    """A stand-in for kernel.Kernel between checks: nothing pending, no deadline near."""

    limit, deadline, out_of_time = 2.0, float("inf"), False

    def settle(self):
        pass


class Answer:
    """A decoded answer that the test can watch being let go."""


def test_answers_are_read_and_checked_one_at_a_time_functions_last(monkeypatch):
    """At most one decoded answer is held: each is checked before the next is read, and none is
    kept once checked. The checks of functions (they run the learner's code in the kernel) wait
    until every other answer is read. Rows stay in the exercise's order. Reading them all first
    (before issue 21) fails here."""
    (ex02,) = [e for e in load_exercises(ROOT / "solutions", warn=lambda t: None) if e.number == "02"]
    functions = {"02-per-example-grad", "02-sgd-step"}
    pid_of, events, alive = {expr: pid for pid, expr in ex02.problems}, [], weakref.WeakSet()

    def read(kernel, expr):
        pid = pid_of[expr]
        events.append(("read", pid, len(alive)))
        if pid in functions:
            return "value", RemoteFunction(kernel, 0, expr, None, False)
        value = Answer()
        alive.add(value)
        return "value", value

    def check(problem, value, timeout, **limits):
        events.append(("check", problem.id))
        return Result("incorrect", f"checked {problem.id}")

    monkeypatch.setattr(submission, "read_answer", read)
    monkeypatch.setattr(submission, "check_answer", check)
    options = submission.Options(30.0, 2.0, 0, None)
    today = VariantBank(BANK, "test-course", None)
    rows = submission._grade_answers("s.ipynb", Idle(), ex02, [], [], options, lambda seconds, what: None, today)
    assert [r.problem for r in rows] == [pid for pid, _ in ex02.problems]
    assert [r.feedback for r in rows] == [f"checked {pid}" for pid, _ in ex02.problems]
    assert [held for kind, *rest in events if kind == "read" for held in rest[1:]] == [0] * len(ex02.problems)
    data = [pid for pid, _ in ex02.problems if pid not in functions]
    expected = [e for pid in data for e in (("read", pid, 0), ("check", pid))]
    assert [e for e in events if e[1] not in functions] == expected
    assert events[-2:] == [("check", pid) for pid, _ in ex02.problems if pid in functions]
