"""check(problem_id, answer): one bank problem's answer, read and compared by the engine of its kind.

    number, choice   checked here, in microseconds (numeric.py, choice.py)
    expression       checked in a child process killed at timeout + min(GRACE, timeout) (symbolic.py, isolate.py):
                     sympy on an untrusted answer can run for hours; the last provisional result
                     (say "incorrect", decided before the search for a named slip) is kept if so
    function         the learner's function runs in a child process too (functions.py)

check() never raises and returns within twice its timeout at most (plus the few milliseconds a
fork costs): whatever it is given, it returns a Result. A real Ctrl-C still interrupts it.
"""
from __future__ import annotations

import numbers
from dataclasses import replace

import sympy

from . import isolate
from .choice import check_choice
from .functions import GRACE, check_function
from .numeric import check_number
from .result import Result
from .symbolic import check_expression
from .timelimit import TimedOut

DEFAULT_TIMEOUT = 2.0
PLACEHOLDER = "Not answered yet: replace the `...` with your answer, then run the cell again."


_WARM = []


def _warm_up(problem):
    """Once per process: parse and evaluate the bank's own (trusted) answer here, so that sympy's
    lazy imports and caches are in place before the first fork and every child inherits them."""
    if not _WARM:
        _WARM.append(True)
        check_expression(sympy.sstr(problem.answer), problem.answer, problem.namespace)


def _expression(problem, answer, timeout):
    run = lambda send: check_expression(answer, problem.answer, problem.namespace, problem.mistakes,  # noqa: E731
                                        timeout, send)
    if not isolate.available() or not isinstance(answer, (str, numbers.Number, sympy.Basic)):
        return run(None)  # anything else is refused by its type at once, without sympy
    _warm_up(problem)
    limit = timeout + min(GRACE, timeout)
    kind, value, partial = isolate.run(run, limit)
    if kind == "value":
        return value
    if partial:
        return partial[-1]
    return Result("unreadable", f"Could not check the answer within {limit:g} s: sympy could not "
                  "work with it in time. Write it in a simpler form (expanded, without huge numbers) and "
                  "try again.")


def run(problem, answer, timeout):
    """The Result of one engine for one answer (no problem id or score yet)."""
    if answer is Ellipsis:
        return Result("unanswered", PLACEHOLDER)
    if problem.kind == "number":
        return check_number(answer, problem.answer, problem.tol, problem.mistakes, problem.statement)
    if problem.kind == "choice":
        return check_choice(answer, problem.options, problem.answer, problem.mistakes)
    if problem.kind == "expression":
        return _expression(problem, answer, timeout)
    import numpy as np

    cases = problem.cases(np.random.default_rng(problem.seed))
    return check_function(answer, problem.answer, cases, problem.mistakes, timeout,
                          float64="float64" in problem.statement)


def check(problem_id, answer, *, timeout=DEFAULT_TIMEOUT):
    """Check `answer` to the problem `problem_id`; never raises.

    answer: a number, list of numbers, sympy expression or string, function, or option letter,
    as the problem asks; `...` means not answered yet. timeout (seconds) limits how long a
    function answer (and sympy's simplification) may run.
    """
    from .. import problems as bank
    from .ids import unknown_id

    pid = problem_id if isinstance(problem_id, str) else None
    try:
        if pid not in bank.BANK:
            return Result("unreadable", unknown_id(problem_id), problem_id=pid)
        problem = bank.BANK[pid]
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < 1e6:
            return Result("unreadable", f"timeout must be a number of seconds > 0, got {timeout!r}.", problem_id=pid)
        result = run(problem, answer, timeout)
        return replace(result, problem_id=pid, points=problem.points, score=problem.points if result.ok else 0)
    except (KeyboardInterrupt, TimedOut):  # the person at the keyboard, or a caller's own time limit
        raise
    except BaseException as exc:  # noqa: B902 - a checker bug must not reach the learner as a traceback
        return Result("unreadable", f"The checker failed on this answer ({type(exc).__name__}). "
                      "This is a bug in the course; please report it with your answer.", problem_id=pid)
