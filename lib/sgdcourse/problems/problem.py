"""One practice problem, and the fields that tell the checker how to check it.

A Problem says what is asked (statement), what is right (answer: a number or tuple of numbers,
a sympy expression, a reference function, or an option letter), what is likely to go wrong
(mistakes, each with its own feedback) and how to get unstuck (hints, shown one at a time). The
checker reads its fields, never its wording: kind picks the engine (sgdcourse.checking.engines,
whose kinds are KINDS), and counts and dtype say what the statement says in words:

    task        what the learner does (TASKS): compute, derive, concept (recall or explain),
                predict (write a prediction, run, compare), read (a plot or table the notebook
                computes), debug (fix a planted bug), implement (write a function), choose (pick
                a value with evidence from a sweep); the last five need the learner to run code
    sections    the lesson's numbered sections ("## 3. ...") the problem practises
    quantities  {name: value} for the quantities the problem has (N, m, eta, lam, beta, T, ...),
                as the statement gives them. Generic slips use only these: a whole number >= 2
                is tried as a divisor and factor, and the feedback names it ("N - 1 = 1 where
                N = 2 belongs"); no feedback names a quantity the problem does not declare
                (tests/test_bank_design.py sends it slips and wrong answers to check).
    counts      derived from quantities (their whole numbers >= 2, named); an older problem may
                still give bare counts (tests/test_problems.py checks them against the statement)
    domain      {symbol name: (lo, hi)} of an expression problem: where its symbols live, and so
                where counterexamples are drawn (beta in (0, 1), eta lam in (0, 2), ...)
    accept, outside  a choice with evidence (a number problem): any value in [lo, hi] = accept
                is right; outside = (why not below, why not above)
    valid       (name, rule) for a number answer that is a quantity with a rule of its own
                (VALID: positive, fraction in [0, 1), whole): a value that breaks it is not a
                wrong answer but an impossible one, and is told so (eta = 0, beta = 75, m = 16.5)
    dtype    for a function: None accepts float32 results at float32 precision; "float64" holds
             them to float64 tolerances and says the problem asks for float64

A predict problem's answer is what the experiment gives (a number, tuple, or a letter of its
options); any readable prediction is recorded and earns the points.

Hints are Hint strings of three kinds, in this order: ask (a question that leads to the method),
method (how to do it), value (an intermediate or final value; only the last hint may give one).

Every problem with numbers is built by a factory from its parameters (variant): p.params holds
today's numbers and p.build(**params) builds the problem for other numbers, its answer, slips and
statement computed from them. p.numbers names the Space its learner's numbers are drawn from
(sgdcourse.problems.variants; the spaces are in problems/spaces/lessonNN.py).

A sealed problem (sgdcourse.problems.sealed, the bank of a kernel being graded) has the same
fields less the answers: answer is Sealed (only its form), no mistakes, no test cases, no
quantities, domain or accepted range.
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

KINDS = tuple(ENGINES)  # number, expression, function, choice, predict: one engine each
TASKS = ("compute", "derive", "concept", "predict", "read", "debug", "implement", "choose")
RUNS_CODE = ("predict", "read", "debug", "implement", "choose")  # tasks where the learner runs code
HINT_KINDS = ("ask", "method", "value")
VALID = ("positive", "fraction", "whole")


class Hint(str):
    """A hint's text, with its kind: ask, method or value (HINT_KINDS)."""

    kind = None

    def __new__(cls, kind, text):
        if kind not in HINT_KINDS:
            raise ValueError(f"kind must be one of {HINT_KINDS}, got {kind!r}")
        hint = super().__new__(cls, text)
        hint.kind = kind
        return hint


def ask(text):
    """A hint that asks the question leading to the method."""
    return Hint("ask", text)


def method(text):
    """A hint that gives the method."""
    return Hint("method", text)


def value(text):
    """A hint that gives a value (only the last hint may)."""
    return Hint("value", text)


def variant(space=None, **defaults):
    """Decorator: build the problem from its factory with today's numbers, and keep both, so
    p.build(**p.params) rebuilds it and other parameters give another variant. With a Space
    (sgdcourse.problems.variants: a learner's numbers are drawn from it), today's numbers are its
    defaults and the problem names it in `numbers`; without one, the keyword arguments."""

    if space is not None:
        if defaults:
            raise TypeError("variant: give a space or today's numbers as keywords, not both")
        defaults = dict(space.defaults)

    def wrap(factory):
        def build(**params):
            problem = factory(**params)
            if not isinstance(problem, Problem):
                raise TypeError(f"{factory.__name__} must return a Problem, got {type(problem).__name__}")
            if space is not None:
                object.__setattr__(problem, "numbers", space.name)
                object.__setattr__(problem, "space", space)
            object.__setattr__(problem, "params", MappingProxyType(dict(params)))
            object.__setattr__(problem, "build", build)
            return problem

        return build(**defaults)

    return wrap


LESSONS = bank_lessons()  # every problems/lessonNN.py, found on disk: a new lesson needs no list here
DTYPES = (None, "float64")


@dataclass(frozen=True)
class Sealed:
    """The answer of a sealed problem: only its form (numbers: how many, for a list of numbers)."""

    numbers: int | None = None
    evidence: bool = False  # a choice with evidence: any value in a range (which is not here)


@dataclass(frozen=True, eq=False)
class Problem:
    """One practice problem. Only the fields of its kind matter:

    number      answer a number or tuple of numbers, tol the absolute tolerance, quantities;
                with accept = (lo, hi), any value in the range (outside: why not below/above);
    expression  answer a sympy expression, namespace {name: Symbol, IndexedBase or Lambda}
                the names an answer may use;
    function    answer the reference function, cases(rng) -> list of {argument: value},
                signature the call shown to the learner, dtype;
    choice      answer the correct letter, options the texts of (a), (b), ...
    predict     answer what the experiment gives (a number, tuple, or a letter of options)
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
    task: str | None = None
    sections: tuple = ()
    quantities: dict = field(default_factory=dict)
    domain: dict = field(default_factory=dict)
    accept: tuple | None = None
    outside: tuple = ()
    valid: tuple = ()
    numbers: str = ""  # the name of its Space (problems.variants): where a learner's numbers come from

    params = MappingProxyType({})  # set by variant(): today's numbers
    build = None  # set by variant(): the factory, params -> Problem
    space = None  # set by variant(space): the Space its learners' numbers are drawn from

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
        if (
            self.kind == "predict"
            and self.options
            and not self.sealed
            and self.answer not in LETTERS[: len(self.options)]
        ):
            raise ValueError(f"answer of predict problem {self.id} with options must be one of its option letters")
        if self.task is not None and self.task not in TASKS:
            raise ValueError(f"task of {self.id} must be one of {TASKS}, got {self.task!r}")
        if not all(isinstance(k, int) and k >= 1 for k in self.sections):
            raise ValueError(f"sections of {self.id} must be section numbers (>= 1), got {self.sections!r}")
        if self.accept is not None and (
            self.kind != "number"
            or len(self.accept) != 2
            or not self.accept[0] <= self.accept[1]
            or len(self.outside) != 2
        ):
            raise ValueError(
                f"accept of {self.id} must be (lo, hi) with lo <= hi, for a number problem with outside = "
                f"(why not below, why not above), got {self.accept!r}"
            )
        if self.valid and (
            self.kind != "number"
            or len(self.valid) != 2
            or not str(self.valid[0]).isidentifier()
            or self.valid[1] not in VALID
        ):
            raise ValueError(
                f"valid of {self.id} must be (name, one of {VALID}) for a number problem, got {self.valid!r}"
            )
        if not all(isinstance(k, str) and k.isidentifier() for k in self.quantities):
            raise ValueError(f"quantities of {self.id} must be named by identifiers, got {list(self.quantities)!r}")
        if not all(isinstance(k, str) and len(v) == 2 and v[0] < v[1] for k, v in self.domain.items()):
            raise ValueError(f"domain of {self.id} must map symbol names to (lo, hi) with lo < hi")
        if self.quantities and self.counts:
            raise ValueError(f"{self.id}: give quantities (named) or counts, not both: counts come from quantities")
        counts = tuple(self.counts)
        if self.quantities:  # the whole ones, named; two quantities of one size are one divisor
            whole = {}
            for name, v in self.quantities.items():
                if isinstance(v, (int, Fraction)) and not isinstance(v, bool) and v == int(v) and v >= 2:
                    whole.setdefault(int(v), (name, int(v)))
            counts = tuple(whole.values())
        values = [c[1] if isinstance(c, tuple) else c for c in counts]
        if (
            not all(isinstance(k, int) and not isinstance(k, bool) and k >= 2 for k in values)
            or len(set(values)) != len(values)
            or len(values) > MAX_COUNTS
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
        object.__setattr__(self, "quantities", MappingProxyType(dict(self.quantities)))
        object.__setattr__(self, "domain", MappingProxyType(dict(self.domain)))
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "outside", tuple(self.outside))
        object.__setattr__(self, "hints", tuple(self.hints))

    def __repr__(self):
        return f"Problem({self.id!r}, lesson {self.lesson}, {self.kind}, {self.points} point{'s' * (self.points != 1)})"

    @property
    def sealed(self):
        """True for a problem of a sealed bank: its answer is not here, so it cannot be checked here."""
        return isinstance(self.answer, Sealed)

    @property
    def runs_code(self):
        """True when the learner runs code to answer: a function to write, or an experiment."""
        return self.kind == "function" or self.task in RUNS_CODE

    def answer_format(self):
        """One line saying what kind of answer is expected and how it is compared."""
        if self.kind == "predict":
            if self.options:
                options = "\n".join(f"  ({LETTERS[k]}) {text}" for k, text in enumerate(self.options))
                return f"{options}\nAnswer: your prediction, the letter of one option. Any prediction is recorded."
            return "Answer: your prediction, a number. Any prediction is recorded; then run the experiment."
        if self.kind == "number" and (self.accept is not None or self.sealed and self.answer.evidence):
            return "Answer: a number that the experiment supports (any value in the range it supports is right)."
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
