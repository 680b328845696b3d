"""Self-checking practice in the notebooks: check an answer, ask for a hint, show a problem.

    check("02-worked-step", w3)     -> Result: correct / incorrect / unanswered / unreadable + feedback
    hint("02-worked-step")          shows the next hint for that problem (a Hints object keeps count)
    show("02-worked-step")          -> the statement and the expected form of the answer
    problems(lesson=2)              -> the problems of lesson 2 (all lessons when None)

check() never raises and never hangs: whatever it is given, it returns a Result within a few
seconds. Every object returned here renders as plain text and as HTML in JupyterLab, with the
same text on every run. This module hands the checker (sgdcourse.checking) the installed bank,
sgdcourse.problems.BANK; how answers are checked is the checker's.
"""

from .checking import answers
from .checking import hints as _hints
from .checking.answers import DEFAULT_TIMEOUT, PLACEHOLDER
from .checking.hints import Note, ProblemList
from .checking.result import Result
from .problems import BANK


class Hints(_hints.Hints):
    """Which hints of the installed bank's problems have been shown: Hints() starts a fresh count."""

    def __init__(self, bank=BANK):
        super().__init__(bank)


DEFAULT_HINTS = Hints()


def check(problem_id, answer, *, timeout=DEFAULT_TIMEOUT):
    """Check `answer` to the problem `problem_id`; never raises.

    answer: a number, list of numbers, sympy expression or string, function, or option letter,
    as the problem asks; `...` means not answered yet. timeout (seconds) limits how long a
    function answer (and sympy's simplification) may run.
    """
    return answers.check(problem_id, answer, bank=BANK, timeout=timeout)


def hint(problem_id, hints=None):
    """Show the next hint for problem_id (counted in `hints`, default DEFAULT_HINTS); returns None."""
    _hints.hint(problem_id, DEFAULT_HINTS if hints is None else hints)


def show(problem_id):
    """The statement of a problem with the form its answer should take (a Note)."""
    return _hints.show(problem_id, bank=BANK)


def problems(lesson=None):
    """The problems of one lesson, or of all lessons when lesson is None; a Note for a lesson
    that does not exist."""
    return _hints.problems(lesson, bank=BANK)


__all__ = [
    "DEFAULT_HINTS",
    "DEFAULT_TIMEOUT",
    "PLACEHOLDER",
    "Hints",
    "Note",
    "ProblemList",
    "Result",
    "check",
    "hint",
    "problems",
    "show",
]
