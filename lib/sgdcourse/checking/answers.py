"""check(problem_id, answer, bank=...): one problem of a bank, its answer read and compared by the
engine of its kind.

    problem_id --bank.get--> Problem (an unknown id: a suggestion, ids.py)
      -> sealed (a graded kernel's or a handout's bank, without answers)? say the grader decides
      -> `...`? unanswered
      -> engines.ENGINES[problem.kind](problem, answer, timeout) -> Result
      -> stamped with the problem id, its points and the score

The checker is handed its bank and never imports one: sgdcourse.practice passes the installed
bank (sgdcourse.problems.BANK), the grader its own, a test any other. A bank is a mapping of ids to
Problems (sgdcourse.problems.Bank).

check() never raises on an answer and returns within twice its timeout at most (plus the few
milliseconds a fork costs): whatever answer it is given, it returns a Result. A real Ctrl-C still
interrupts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .engines import ENGINES
from .ids import unknown_id
from .result import Result
from .timelimit import TimedOut

DEFAULT_TIMEOUT = 2.0
PLACEHOLDER = "Not answered yet: replace the `...` with your answer, then run the cell again."
SEALED = (
    "This copy of the course has no answers (a handout, or a notebook being graded), so check() "
    "cannot tell you whether your answer is right: your instructor's grader checks it."
)


def run(problem, answer, timeout):
    """The Result of the problem's engine for one answer (no problem id or score yet)."""
    if answer is Ellipsis:
        return Result("unanswered", PLACEHOLDER)
    return ENGINES[problem.kind](problem, answer, timeout)


def check(problem_id, answer, *, bank, timeout=DEFAULT_TIMEOUT):
    """Check `answer` to the problem `problem_id` of `bank`; never raises on an answer.

    answer: a number, list of numbers, sympy expression or string, function, or option letter,
    as the problem asks; `...` means not answered yet. timeout (seconds) limits how long a
    function answer (and sympy's simplification) may run. bank: a mapping of problem ids to
    Problems (TypeError if it is not one: that is the caller's bug, not the learner's).
    """
    if not isinstance(bank, Mapping):
        raise TypeError(
            f"bank must be a mapping of problem ids to problems (sgdcourse.problems.Bank), got {bank!r:.80}"
        )
    pid = problem_id if isinstance(problem_id, str) else None
    try:
        problem = bank.get(pid) if pid is not None else None
        if problem is None:
            return Result("unreadable", unknown_id(problem_id, bank), problem_id=pid)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < 1e6:
            return Result("unreadable", f"timeout must be a number of seconds > 0, got {timeout!r}.", problem_id=pid)
        if problem.sealed:
            return Result("unreadable", SEALED, problem_id=pid)
        result = run(problem, answer, timeout)
        return replace(result, problem_id=pid, points=problem.points, score=problem.points if result.ok else 0)
    except (KeyboardInterrupt, TimedOut):  # the person at the keyboard, or a caller's own time limit
        raise
    except BaseException as exc:  # noqa: B902 - a checker bug must not reach the learner as a traceback
        return Result(
            "unreadable",
            f"The checker failed on this answer ({type(exc).__name__}). "
            "This is a bug in the course; please report it with your answer.",
            problem_id=pid,
        )
