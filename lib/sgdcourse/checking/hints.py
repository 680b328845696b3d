"""Hints, statements and problem lists for the learner: Note, Hints, hint, show, problems.

    Hints(bank).next(id) -> Note      the next hint of a problem of the bank (counted per id)
    hint(id, hints)                    shows hints.next(id) and returns None
    show(id, bank=...) -> Note         the statement with the form of the answer
    problems(lesson, bank=...)         a ProblemList of one lesson's problems (or all)

Each is handed the bank (a mapping of ids to Problems with .lessons and .select(lesson):
sgdcourse.problems.Bank); sgdcourse.practice hands them the installed one. hint(id) shows the hint
itself (IPython's display in a notebook, print elsewhere) and returns None, so a hint that is
counted is always seen, whether hint(...) is the cell's last line or not, and never shown twice.
Unknown ids and lessons give a Note saying so, never a traceback.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .ids import unknown_id


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


def _problem(problem_id, bank):
    return bank.get(problem_id) if isinstance(problem_id, str) else None


class Hints:
    """Which hints of a bank's problems have been shown, per problem id: each next() reveals one more."""

    def __init__(self, bank):
        self.bank = bank
        self._shown = {}

    def shown(self, problem_id):
        """How many hints of this problem have been shown so far."""
        return self._shown.get(problem_id, 0)

    def next(self, problem_id):
        """The next hint of the problem as a Note (counted), or a Note saying none remain or that
        there is no such problem (not counted)."""
        problem = _problem(problem_id, self.bank)
        if problem is None:
            return Note("No such problem", unknown_id(problem_id, self.bank))
        total, k = len(problem.hints), self.shown(problem_id)
        if k >= total:
            return Note(
                f"No hints remain for {problem_id}",
                f"All {total} of its hints have been shown; scroll up to reread them.",
            )
        self._shown[problem_id] = k + 1
        last = " (the last one)" if k + 1 == total else ""
        return Note(f"Hint {k + 1} of {total} for {problem_id}{last}", problem.hints[k])

    def reset(self, problem_id=None):
        """Forget the hints shown for one problem, or for all of them."""
        if problem_id is None:
            self._shown.clear()
        else:
            self._shown.pop(problem_id, None)


def display(note):
    """Show a note now: rich display under IPython, print otherwise."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is None:
        print(note)
    else:
        from IPython.display import display as ipython_display

        ipython_display(note)


def hint(problem_id, hints):
    """Show the next hint for problem_id (counted in `hints`, a Hints of the bank); returns None."""
    display(hints.next(problem_id))


def show(problem_id, *, bank):
    """The statement of a problem of the bank with the form its answer should take (a Note)."""
    p = _problem(problem_id, bank)
    if p is None:
        return Note("No such problem", unknown_id(problem_id, bank))
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
        rows = "".join(
            f"<tr><td><code>{html.escape(pid)}</code></td><td>{kind}</td><td>{html.escape(text)}</td></tr>"
            for pid, kind, text in self._rows()
        )
        return f'<table class="sgdcourse-problems"><tr><th>id</th><th>kind</th><th>statement</th></tr>{rows}</table>'

    @property
    def ids(self):
        return tuple(p.id for p in self)


def problems(lesson=None, *, bank):
    """The problems of one lesson of the bank, or of all its lessons when lesson is None; a Note
    for a lesson that does not exist."""
    lessons = tuple(bank.lessons)
    if lesson is not None and (isinstance(lesson, bool) or lesson not in lessons):
        numbered = f"the lessons are numbered {lessons[0]} to {lessons[-1]}" if lessons else "this bank has no lessons"
        return Note("No such lesson", f"There is no lesson {lesson!r}: {numbered}. problems() lists them all.")
    return ProblemList(bank.select(lesson))
