"""Self-checking practice in the notebooks: check an answer, ask for a hint, show a problem.

    check("02-worked-step", w3)     -> Result: correct / incorrect / unanswered / unreadable + feedback
    hint("02-worked-step")          -> the next hint for that problem (a Hints object keeps count)
    show("02-worked-step")          -> the statement and the expected form of the answer
    problems(lesson=2)              -> the problems of lesson 2 (all lessons when None)

check() never raises: whatever it is given, it returns a Result. Every object returned here
renders as plain text and as HTML in JupyterLab, with the same text on every run.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, replace

from . import problems as bank
from .checking import Result, check_choice, check_number
from .funccheck import check_function
from .symcheck import check_expression

DEFAULT_TIMEOUT = 2.0
PLACEHOLDER = "Not answered yet: replace the `...` with your answer, then run the cell again."


def _run(problem, answer, timeout):
    if problem.kind == "number":
        return check_number(answer, problem.answer, problem.tol, problem.mistakes)
    if problem.kind == "choice":
        return check_choice(answer, problem.options, problem.answer, problem.mistakes)
    if problem.kind == "expression":
        return check_expression(answer, problem.answer, problem.namespace, problem.mistakes, timeout)
    cases = problem.cases(_rng(problem.seed))
    return check_function(answer, problem.answer, cases, problem.mistakes, timeout)


def _rng(seed):
    import numpy as np

    return np.random.default_rng(seed)


def check(problem_id, answer, *, timeout=DEFAULT_TIMEOUT):
    """Check `answer` to the problem `problem_id`; never raises.

    answer: a number, list of numbers, sympy expression or string, function, or option letter,
    as the problem asks; `...` means not answered yet. timeout (seconds) limits how long a
    function answer (and sympy's simplification) may run.
    """
    pid = problem_id if isinstance(problem_id, str) else None
    try:
        if pid not in bank.BANK:
            return Result("unreadable", bank.unknown_id_message(problem_id), problem_id=pid)
        problem = bank.BANK[pid]
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            return Result("unreadable", f"timeout must be a number of seconds > 0, got {timeout!r}.", problem_id=pid)
        result = Result("unanswered", PLACEHOLDER) if answer is Ellipsis else _run(problem, answer, timeout)
        return replace(result, problem_id=pid, points=problem.points, score=problem.points if result.ok else 0)
    except Exception as exc:  # a checker bug must not reach the learner as a traceback either
        return Result("unreadable", f"The checker failed on this answer ({type(exc).__name__}: {exc}). "
                      "This is a bug in the course; please report it with your answer.", problem_id=pid)


@dataclass(frozen=True)
class Note:
    """A titled block of text that shows as plain text or as HTML."""

    title: str
    body: str

    def __str__(self):
        return f"{self.title}\n{self.body}" if self.body else self.title

    __repr__ = __str__

    def _repr_html_(self):
        body = f'<div style="white-space:pre-wrap">{html.escape(self.body)}</div>' if self.body else ""
        return f'<div class="sgdcourse-note"><strong>{html.escape(self.title)}</strong>{body}</div>'


class Hints:
    """Which hints have been shown, per problem id: each next() reveals one more."""

    def __init__(self):
        self._shown = {}

    def shown(self, problem_id):
        """How many hints of this problem have been shown so far."""
        return self._shown.get(problem_id, 0)

    def next(self, problem_id):
        """The next hint of the problem, or a note saying that none remain."""
        problem = bank.get(problem_id)
        total, k = len(problem.hints), self.shown(problem_id)
        if k >= total:
            return Note(f"No hints remain for {problem_id}", f"All {total} of its hints have been shown; "
                        "scroll up to reread them.")
        self._shown[problem_id] = k + 1
        last = " (the last one)" if k + 1 == total else ""
        return Note(f"Hint {k + 1} of {total} for {problem_id}{last}", problem.hints[k])

    def reset(self, problem_id=None):
        """Forget the hints shown for one problem, or for all of them."""
        if problem_id is None:
            self._shown.clear()
        else:
            self._shown.pop(bank.get(problem_id).id, None)


DEFAULT_HINTS = Hints()


def hint(problem_id, hints=None):
    """Reveal the next hint for problem_id; `hints` keeps the count (default: DEFAULT_HINTS)."""
    return (DEFAULT_HINTS if hints is None else hints).next(problem_id)


def show(problem_id):
    """The statement of a problem with the form its answer should take."""
    p = bank.get(problem_id)
    return Note(f"{p.id} (lesson {p.lesson}, {p.kind}, {p.points} point{'s' * (p.points != 1)})", p.describe())


class ProblemList(tuple):
    """A tuple of Problems that displays as a table of ids, kinds and statements."""

    def _rows(self):
        for p in self:
            text = p.statement if len(p.statement) <= 90 else p.statement[:87] + "..."
            yield p.id, p.kind, text

    def __repr__(self):
        if not self:
            return "(no problems)"
        width = max(len(p.id) for p in self)
        return "\n".join(f"{pid:<{width}}  {kind:<10}  {text}" for pid, kind, text in self._rows())

    __str__ = __repr__

    def _repr_html_(self):
        rows = "".join(f"<tr><td><code>{html.escape(pid)}</code></td><td>{kind}</td><td>{html.escape(text)}</td></tr>"
                       for pid, kind, text in self._rows())
        return f'<table class="sgdcourse-problems"><tr><th>id</th><th>kind</th><th>statement</th></tr>{rows}</table>'

    @property
    def ids(self):
        return tuple(p.id for p in self)


def problems(lesson=None):
    """The problems of one lesson (see problems.LESSONS), or of all lessons when lesson is None."""
    return ProblemList(bank.select(lesson))
