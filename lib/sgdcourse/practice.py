"""Self-checking practice in the notebooks: check an answer, ask for a hint, show a problem.

    check("02-worked-step", w3)     -> Result: correct / incorrect / unanswered / unreadable + feedback
    hint("02-worked-step")          shows the next hint for that problem (a Hints object keeps count)
    show("02-worked-step")          -> the statement and the expected form of the answer
    problems(lesson=2)              -> the problems of lesson 2 (all lessons when None)
    start("your id")                -> from now on every problem has your numbers (a Note says so)
    data("01-gd-step")              -> that problem's numbers (yours after start, else today's)

Without start(), every problem has today's numbers, the canonical variant; start(id) gives the
learner the variant drawn for them (sgdcourse.problems.variants: seeded by the course id of the
instructor's course.json, the learner id and the problem), and check, hint and show follow it.
A grader that knows who the learner is pins the id (the environment variable SGDCOURSE_LEARNER
of the kernel it starts): start() then still records the id it was given, but the numbers are the
pinned learner's.

check() never raises and never hangs: whatever it is given, it returns a Result within a few
seconds. Every object returned here renders as plain text and as HTML in JupyterLab, with the
same text on every run. This module hands the checker (sgdcourse.checking) the installed bank,
sgdcourse.problems.BANK; how answers are checked is the checker's.
"""

import os
from fractions import Fraction

from .checking import answers
from .checking import hints as _hints
from .checking.answers import DEFAULT_TIMEOUT, PLACEHOLDER
from .checking.hints import Note, ProblemList
from .checking.ids import unknown_id
from .checking.result import Result
from .problems import BANK
from .problems.variants import PIN, VariantBank, check_learner, course_id, numbers_of


class Session:
    """Whose numbers this kernel uses: learner None (today's numbers) until start(); `named` is
    the id start() was given, `learner` the one whose numbers are used (a pinned id wins)."""

    def __init__(self, bank=BANK, course=None, pinned=None):
        self.course = course_id() if course is None else course
        self.pinned = check_learner(pinned) if pinned else None
        self.named = None
        self.bank = VariantBank(bank, self.course, self.pinned)

    @property
    def learner(self):
        return self.bank.learner

    def start(self, learner):
        self.named = check_learner(learner)
        self.bank = VariantBank(self.bank.bank, self.course, self.pinned or self.named)


SESSION = Session(pinned=os.environ.get(PIN))


class Hints(_hints.Hints):
    """Which hints of the installed bank's problems have been shown: Hints() starts a fresh count.
    Without a bank of its own it follows SESSION, so its hints carry the started learner's numbers."""

    def __init__(self, bank=None):
        super().__init__(bank)

    @property
    def bank(self):
        return SESSION.bank if self._bank is None else self._bank

    @bank.setter
    def bank(self, bank):
        self._bank = bank


DEFAULT_HINTS = Hints()


def check(problem_id, answer, *, timeout=DEFAULT_TIMEOUT):
    """Check `answer` to the problem `problem_id`; never raises.

    answer: a number, list of numbers, sympy expression or string, function, or option letter,
    as the problem asks; `...` means not answered yet. timeout (seconds) limits how long a
    function answer (and sympy's simplification) may run.
    """
    return answers.check(problem_id, answer, bank=SESSION.bank, timeout=timeout)


SEALED_NUMBERS = (
    "This copy of the course has no answers, so it cannot rewrite this text with your numbers: it "
    "has the course's own. Your numbers are in data({problem_id!r})."
)


def _todays_only(problem_id):
    """True when the started learner's text cannot be made here: a sealed copy (a handout, a graded
    kernel) holds no factory, so its statements and hints keep today's numbers."""
    problem = SESSION.bank.bank.get(problem_id) if isinstance(problem_id, str) else None
    return problem is not None and problem.sealed and problem.numbers and SESSION.learner is not None


def hint(problem_id, hints=None):
    """Show the next hint for problem_id (counted in `hints`, default DEFAULT_HINTS); returns None."""
    if _todays_only(problem_id):
        _hints.display(Note("Today's numbers", SEALED_NUMBERS.format(problem_id=problem_id)))
    _hints.hint(problem_id, DEFAULT_HINTS if hints is None else hints)


def show(problem_id):
    """The statement of a problem with the form its answer should take (a Note)."""
    note = _hints.show(problem_id, bank=SESSION.bank)
    if _todays_only(problem_id):
        return Note(note.title, f"{note.body}\n{SEALED_NUMBERS.format(problem_id=problem_id)}")
    return note


def problems(lesson=None):
    """The problems of one lesson, or of all lessons when lesson is None; a Note for a lesson
    that does not exist."""
    return _hints.problems(lesson, bank=SESSION.bank)


def _text(v):
    """A number as the learner reads it: 1/10 -> 0.1, 3 -> 3, 1/3 -> 1/3; tuples entry by entry."""
    if isinstance(v, tuple):
        return "(" + ", ".join(_text(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        as_float = float(v)
        return f"{as_float:g}" if Fraction(f"{as_float:g}") == v else f"{v.numerator}/{v.denominator}"
    return str(v)


class Numbers(dict):
    """A problem's numbers: a dict that also reads as attributes (d.eta), shown one per line."""

    def __init__(self, problem_id, learner, values):
        super().__init__(values)
        self.problem_id, self.learner = problem_id, learner

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"{self.problem_id} has no number {name!r}; its numbers are {', '.join(self)}"
            ) from None

    def __repr__(self):
        whose = "today's numbers" if self.learner is None else f"the numbers of {self.learner}"
        lines = "\n".join(f"  {k} = {_text(v)}" for k, v in self.items())
        return f"{self.problem_id}: {whose}\n{lines}"

    __str__ = __repr__


def start(learner):
    """Use the learner's own numbers from now on, in data, check, hint and show; returns a Note.
    learner: your id as your instructor gave it (a non-empty string); None: today's numbers."""
    try:
        SESSION.start(learner)
    except ValueError as exc:
        return Note("Not started", str(exc))
    if SESSION.learner is None:
        return Note(
            "Today's numbers",
            "Every problem has the course's own numbers. To get yours, write your id in quotes, "
            'e.g. start("ada.lovelace"), and run the notebook from the top.',
        )
    pinned = SESSION.pinned and SESSION.pinned != SESSION.named
    body = (
        f"Every problem now has the numbers of {SESSION.learner} (course {SESSION.course}). "
        "Run the notebook from the top again, so that every cell uses them."
    )
    if pinned:
        body += f" The grader has pinned the learner {SESSION.pinned}: these are their numbers."
    return Note(f"Started: {SESSION.learner}", body)


def as_started(bank):
    """`bank` (a Bank: an answer key, say) as the started learner sees it, with their numbers: what an
    exported notebook's grading test checks against, so it grades the variant the notebook names."""
    return VariantBank(bank, SESSION.course, SESSION.learner)


def data(problem_id):
    """The numbers of a problem (a Numbers: d["eta"] or d.eta): the started learner's, else today's."""
    problem = SESSION.bank.bank.get(problem_id) if isinstance(problem_id, str) else None
    if problem is None:
        return Note("No such problem", unknown_id(problem_id, SESSION.bank))
    if not problem.numbers:
        return Numbers(problem_id, SESSION.learner, {})
    return Numbers(problem_id, SESSION.learner, numbers_of(problem.numbers, SESSION.course, SESSION.learner))


__all__ = [
    "DEFAULT_HINTS",
    "DEFAULT_TIMEOUT",
    "PLACEHOLDER",
    "Hints",
    "Note",
    "Numbers",
    "SESSION",
    "ProblemList",
    "Result",
    "as_started",
    "check",
    "data",
    "hint",
    "problems",
    "show",
    "start",
]
