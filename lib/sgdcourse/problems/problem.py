"""One practice problem, and the fields that tell the checker how to check it.

A Problem says what is asked (statement), what is right (answer: a number or tuple of numbers,
a sympy expression, a reference function, or an option letter), what is likely to go wrong
(mistakes, each with its own feedback) and how to get unstuck (hints, shown one at a time). The
checker reads its fields, never its wording: kind picks the engine (sgdcourse.checking.engines,
whose kinds are KINDS), and counts and dtype say what the statement says in words:

    counts   the whole numbers >= 2 the statement gives (N, m, steps, epochs, the other whole
             quantities), which the slips of a number answer try as divisors and factors
             (tests/test_problems.py checks them against the statement, both ways)
    dtype    for a function: None accepts float32 results at float32 precision; "float64" holds
             them to float64 tolerances and says the problem asks for float64

A sealed problem (sgdcourse.problems.sealed, the bank of a kernel being graded) has the same
fields less the answers: answer is Sealed (only its form), no mistakes, no test cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Callable

import sympy

from ..checking import LETTERS, Mistake
from ..checking.engines import ENGINES
from ..checking.slips import MAX_COUNTS
from ..layout import bank_lessons

KINDS = tuple(ENGINES)  # number, expression, function, choice: one engine each
LESSONS = bank_lessons()  # every problems/lessonNN.py, found on disk: a new lesson needs no list here
DTYPES = (None, "float64")


@dataclass(frozen=True)
class Sealed:
    """The answer of a sealed problem: only its form (numbers: how many, for a list of numbers)."""

    numbers: int | None = None


@dataclass(frozen=True, eq=False)
class Problem:
    """One practice problem. Only the fields of its kind matter:

    number      answer a number or tuple of numbers, tol the absolute tolerance, counts;
    expression  answer a sympy expression, namespace {name: Symbol, IndexedBase or Lambda}
                the names an answer may use;
    function    answer the reference function, cases(rng) -> list of {argument: value},
                signature the call shown to the learner, dtype;
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
    counts: tuple = ()
    dtype: str | None = None

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
        if self.kind == "function" and (self.cases is None and not self.sealed or not self.signature):
            raise ValueError(f"function problem {self.id} needs cases and a signature")
        if self.kind == "choice" and not self.sealed and self.answer not in LETTERS[: len(self.options)]:
            raise ValueError(f"answer of choice problem {self.id} must be one of its option letters")
        counts = tuple(self.counts)
        if (
            not all(isinstance(k, int) and not isinstance(k, bool) and k >= 2 for k in counts)
            or len(set(counts)) != len(counts)
            or len(counts) > MAX_COUNTS
        ):
            raise ValueError(
                f"counts of {self.id} must be at most {MAX_COUNTS} distinct whole numbers >= 2, got {self.counts!r}"
            )
        if self.dtype not in DTYPES or self.dtype and self.kind != "function":
            raise ValueError(
                f"dtype of {self.id} must be one of {DTYPES} (float64 for a function problem only), got {self.dtype!r}"
            )
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "namespace", MappingProxyType(dict(self.namespace)))
        object.__setattr__(self, "hints", tuple(self.hints))

    def __repr__(self):
        return f"Problem({self.id!r}, lesson {self.lesson}, {self.kind}, {self.points} point{'s' * (self.points != 1)})"

    @property
    def sealed(self):
        """True for a problem of a sealed bank: its answer is not here, so it cannot be checked here."""
        return isinstance(self.answer, Sealed)

    def answer_format(self):
        """One line saying what kind of answer is expected and how it is compared."""
        if self.kind == "number":
            if self.sealed:
                numbers = self.answer.numbers
            else:
                numbers = len(self.answer) if isinstance(self.answer, tuple) else None
            if numbers is not None:
                return f"Answer: a list of {numbers} numbers, each checked to within ±{self.tol:g}."
            return f"Answer: a number, checked to within ±{self.tol:g}."
        if self.kind == "expression":
            names = ", ".join(sorted(self.namespace))
            return f"Answer: a sympy expression, or a string that sympy can parse; names you may use: {names}."
        if self.kind == "function":
            results = " Its results must be float64." if self.dtype == "float64" else ""
            return (
                f"Answer: the function {self.signature}, passed itself (not called); it is run on test cases.{results}"
            )
        options = "\n".join(f"  ({LETTERS[k]}) {text}" for k, text in enumerate(self.options))
        return f"{options}\nAnswer: the letter of one option, e.g. 'a'."

    def describe(self):
        """The statement as shown to the learner: text, answer format, hints available."""
        n = len(self.hints)
        return f"{self.statement}\n{self.answer_format()}\n({n} hint{'s' * (n != 1)} available.)"


def exact(x):
    """A value computed by the library or sympy (Fraction, int, sympy Rational, a 1-element
    array of one of these) as a Fraction."""
    if isinstance(x, sympy.Rational):
        return Fraction(int(x.p), int(x.q))
    return Fraction(x.item() if hasattr(x, "item") else x)
