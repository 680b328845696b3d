"""What every check returns: a Result (status + feedback), and the Mistake a bank problem lists.

Statuses: correct, incorrect, unanswered (still `...`), unreadable (the answer could not be read
as the kind of answer asked; the feedback says why), recorded (a prediction: never right or wrong,
it earns its points by being made, and the feedback compares it with what happened). str(Result)
starts with the status word and carries no addresses and no timings, so stored notebook outputs
reproduce.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

STATUSES = ("correct", "incorrect", "unanswered", "unreadable", "recorded")
EARNS = ("correct", "recorded")  # the statuses that earn a problem's points
COLOURS = {
    "correct": "#1a7f37",
    "incorrect": "#cf222e",
    "unanswered": "#6e7781",
    "unreadable": "#9a6700",
    "recorded": "#0969da",
}
LETTERS = "abcdefgh"


@dataclass(frozen=True)
class Mistake:
    """A likely wrong answer: `value` is what it gives (number, tuple, sympy expression,
    function or option letter), `feedback` what the learner is told when their answer equals it.
    same_as: the generic slips (sgdcourse.checking.slips) that are this very slip under another
    name for this problem's numbers (a sum over N = 2 terms is "factor-2"); any other generic
    slip must give a different value (tests/test_bank_design.py)."""

    name: str
    feedback: str
    value: object
    same_as: tuple = ()


@dataclass(frozen=True)
class Result:
    """The outcome of one check.

    mistake: the name of the recognised mistake or slip (several joined by " or "), if any;
    case: for a function, the first failing test case (inputs, expected, received, as text);
    score out of points; passed: for a function, (cases passed, cases in all), from which a
    grader gives partial credit.
    """

    status: str
    feedback: str
    problem_id: str | None = None
    mistake: str | None = None
    case: dict | None = None
    score: int = 0
    points: int = 0
    passed: tuple | None = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def ok(self):
        """True when the answer earns its points: right, or a prediction recorded."""
        return self.status in EARNS

    def __str__(self):
        head = self.status if self.problem_id is None else f"{self.status} [{self.problem_id}]"
        return f"{head}: {self.feedback}"

    __repr__ = __str__

    def _repr_html_(self):
        badge = (
            f'<span style="background:{COLOURS[self.status]};color:#fff;padding:1px 8px;'
            f'border-radius:4px;font-weight:bold">{self.status}</span>'
        )
        pid = "" if self.problem_id is None else f" <code>{html.escape(self.problem_id)}</code>"
        body = f'<div style="white-space:pre-wrap;margin-top:4px">{html.escape(self.feedback)}</div>'
        return f'<div class="sgdcourse-result">{badge}{pid}{body}</div>'


class Unreadable(Exception):
    """Raised by the readers; its message says why and how the answer was read."""


def unreadable(reason):
    """The Result for an answer that could not be read, with the reason."""
    return Result("unreadable", f"Could not read the answer: {reason}")
