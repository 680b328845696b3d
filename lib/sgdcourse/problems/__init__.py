"""The problem bank: every practice problem once, keyed by a stable id "NN-slug" (NN = lesson).

A Problem says what is asked (statement), what is right (answer: a number or tuple of numbers,
a sympy expression, a reference function, or an option letter), what is likely to go wrong
(mistakes, each with its own feedback) and how to get unstuck (hints, shown one at a time).
Reference answers are computed in the lesson modules (Fractions, sympy, the library), not typed.

To add a problem, append it to PROBLEMS in the lesson's module; ids must be unique.
"""
from __future__ import annotations

import difflib
import importlib
import re
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Callable

from ..checking import LETTERS, Mistake, fmt
from ..layout import bank_lessons

KINDS = ("number", "expression", "function", "choice")
LESSONS = bank_lessons()   # every problems/lessonNN.py, found on disk: a new lesson needs no list here


@dataclass(frozen=True, eq=False)
class Problem:
    """One practice problem. Only the fields of its kind matter:

    number      answer a number or tuple of numbers, tol the absolute tolerance;
    expression  answer a sympy expression, namespace {name: Symbol, IndexedBase or Lambda}
                the names an answer may use;
    function    answer the reference function, cases(rng) -> list of {argument: value},
                signature the call shown to the learner;
    choice      answer the correct letter, options the texts of (a), (b), ...
    """

    id: str
    lesson: int
    kind: str
    statement: str
    answer: object
    hints: tuple = ()
    mistakes: tuple = ()
    points: int = 1
    tol: float = 1e-6
    namespace: dict = field(default_factory=dict)
    options: tuple = ()
    cases: Callable | None = None
    signature: str = ""
    seed: int = 0

    def __post_init__(self):
        if not re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*", self.id):
            raise ValueError(f"id must look like '02-worked-step', got {self.id!r}")
        if self.lesson not in LESSONS or int(self.id[:2]) != self.lesson:
            raise ValueError(f"lesson must be one of {LESSONS} and match the id {self.id!r}, got {self.lesson!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not all(isinstance(m, Mistake) for m in self.mistakes):
            raise TypeError(f"mistakes of {self.id} must be Mistake objects")
        if len({m.name for m in self.mistakes}) != len(self.mistakes):
            raise ValueError(f"mistakes of {self.id} must have distinct names")
        if self.kind == "function" and (self.cases is None or not self.signature):
            raise ValueError(f"function problem {self.id} needs cases and a signature")
        if self.kind == "choice" and self.answer not in LETTERS[: len(self.options)]:
            raise ValueError(f"answer of choice problem {self.id} must be one of its option letters")
        object.__setattr__(self, "namespace", MappingProxyType(dict(self.namespace)))
        object.__setattr__(self, "hints", tuple(self.hints))

    def __repr__(self):
        return f"Problem({self.id!r}, lesson {self.lesson}, {self.kind}, {self.points} point{'s' * (self.points != 1)})"

    def answer_format(self):
        """One line saying what kind of answer is expected and how it is compared."""
        if self.kind == "number":
            if isinstance(self.answer, tuple):
                return f"Answer: a list of {len(self.answer)} numbers, each checked to within ±{self.tol:g}."
            return f"Answer: a number, checked to within ±{self.tol:g}."
        if self.kind == "expression":
            names = ", ".join(sorted(self.namespace))
            return f"Answer: a sympy expression, or a string that sympy can parse; names you may use: {names}."
        if self.kind == "function":
            return f"Answer: the function {self.signature}, passed itself (not called); it is run on test cases."
        options = "\n".join(f"  ({LETTERS[k]}) {text}" for k, text in enumerate(self.options))
        return f"{options}\nAnswer: the letter of one option, e.g. 'a'."

    def describe(self):
        """The statement as shown to the learner: text, answer format, hints available."""
        n = len(self.hints)
        return f"{self.statement}\n{self.answer_format()}\n({n} hint{'s' * (n != 1)} available.)"


def _collect():
    bank = {}
    for lesson in LESSONS:
        module = importlib.import_module(f"{__name__}.lesson{lesson:02d}")
        for p in module.PROBLEMS:
            if p.id in bank:
                raise ValueError(f"problem id {p.id!r} is used twice")
            bank[p.id] = p
    return MappingProxyType(bank)


def close_ids(problem_id, n=3):
    """Up to n ids of the bank that look like problem_id."""
    return difflib.get_close_matches(str(problem_id), list(BANK), n=n, cutoff=0.5)


def unknown_id_message(problem_id):
    close = close_ids(problem_id)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"There is no problem {fmt(problem_id)} in the bank.{hint}"


def get(problem_id):
    """The Problem with this id; an unknown id raises KeyError naming problem_id and close ids."""
    if not isinstance(problem_id, str) or problem_id not in BANK:
        raise KeyError(f"problem_id: {unknown_id_message(problem_id)}")
    return BANK[problem_id]


def select(lesson=None):
    """The problems of one lesson (or all), in bank order."""
    if lesson is not None and lesson not in LESSONS:
        raise ValueError(f"lesson must be one of {LESSONS} or None, got {lesson!r}")
    return tuple(p for p in BANK.values() if lesson is None or p.lesson == lesson)


def exact(x):
    """A value computed by the library or sympy (Fraction, int, sympy Rational, a 1-element
    array of one of these) as a Fraction."""
    import sympy

    if isinstance(x, sympy.Rational):
        return Fraction(int(x.p), int(x.q))
    return Fraction(x.item() if hasattr(x, "item") else x)


BANK = _collect()

__all__ = ["BANK", "KINDS", "LESSONS", "Mistake", "Problem", "close_ids", "exact", "get", "select"]
