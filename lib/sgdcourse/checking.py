"""Checking an answer: the Result every check returns, and the number and choice engines.

A check reads the answer first (how it was read is part of the feedback) and then compares:

    number      |a - r| <= tol for the reference r (elementwise for a tuple of numbers);
    choice      the option letter, case and brackets ignored;
    expression  see sgdcourse.symcheck;   function  see sgdcourse.funccheck.

A recognised mistake is an answer equal (by the same comparison) to the value the mistake
predicts; it gets that mistake's own feedback. Engines never raise: an answer that cannot be
read gives status "unreadable" with the reason.
"""
from __future__ import annotations

import html
import numbers
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

STATUSES = ("correct", "incorrect", "unanswered", "unreadable")
COLOURS = {"correct": "#1a7f37", "incorrect": "#cf222e", "unanswered": "#6e7781", "unreadable": "#9a6700"}
LETTERS = "abcdefgh"


@dataclass(frozen=True)
class Mistake:
    """A likely wrong answer: `value` is what it gives (number, tuple, sympy expression,
    function or option letter), `feedback` what the learner is told when their answer equals it."""

    name: str
    feedback: str
    value: object


@dataclass(frozen=True)
class Result:
    """The outcome of one check. str() starts with the status word; no addresses, no timings.

    mistake: the name of the recognised mistake, if any; case: for a function, the first
    failing test case (inputs, expected, received, as text); score out of points;
    passed: for a function, (cases passed, cases in all), from which a grader gives partial credit.
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
        return self.status == "correct"

    def __str__(self):
        head = self.status if self.problem_id is None else f"{self.status} [{self.problem_id}]"
        return f"{head}: {self.feedback}"

    __repr__ = __str__

    def _repr_html_(self):
        badge = (f'<span style="background:{COLOURS[self.status]};color:#fff;padding:1px 8px;'
                 f'border-radius:4px;font-weight:bold">{self.status}</span>')
        pid = "" if self.problem_id is None else f" <code>{html.escape(self.problem_id)}</code>"
        body = f'<div style="white-space:pre-wrap;margin-top:4px">{html.escape(self.feedback)}</div>'
        return f'<div class="sgdcourse-result">{badge}{pid}{body}</div>'


class Unreadable(Exception):
    """Raised by the readers; its message says why and how the answer was read."""


def fmt(value, digits=10):
    """Short deterministic text for a value shown in feedback (never a memory address)."""
    import sympy

    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=6, threshold=20, suppress=True):
            return np.array2string(value, separator=", ") if value.ndim else fmt(value.item())
    if isinstance(value, np.generic):
        return fmt(value.item())
    if isinstance(value, Fraction):
        return str(value) if value.denominator == 1 else f"{value} = {float(value):.{digits}g}"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, sympy.Basic):
        return sympy.sstr(value)
    if isinstance(value, (list, tuple)):
        items = ", ".join(fmt(v) for v in value[:10]) + (", ..." if len(value) > 10 else "")
        return f"[{items}]" if isinstance(value, list) else f"({items})"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if value is None or value is Ellipsis:
        return repr(value)
    if callable(value):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    return f"a {type(value).__name__}"


def read_number(x):
    """int, Fraction, float, numpy scalar, 0-d array or sympy number -> Fraction or float."""
    import sympy

    if isinstance(x, (bool, np.bool_)):
        raise Unreadable(f"{x} is a truth value, not a number.")
    if isinstance(x, np.ndarray):
        if x.ndim:
            raise Unreadable(f"read an array of shape {x.shape}; one number was asked (try x.item()).")
        x = x.item()
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, sympy.Basic):
        if not isinstance(x, sympy.Expr) or x.free_symbols:
            raise Unreadable(f"read the expression {fmt(x)}; a number was asked, without symbols.")
        if x.is_Rational:
            return Fraction(int(x.p), int(x.q))
        if x.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise Unreadable(f"read {fmt(x)}, which is not a finite number (a division by zero?).")
        z = complex(x.evalf(30))
        if z.imag:
            raise Unreadable(f"read the complex number {fmt(x)}; a real number was asked.")
        x = z.real
    elif isinstance(x, (Fraction, numbers.Integral)):
        return Fraction(x)
    elif isinstance(x, numbers.Real):
        x = float(x)
    elif isinstance(x, numbers.Complex):
        raise Unreadable(f"read the complex number {x}; a real number was asked.")
    else:
        raise Unreadable(_not_a_number(x))
    if x != x or x in (float("inf"), float("-inf")):
        raise Unreadable(f"read {x}, which is not a finite number (a division by zero or an overflow?).")
    return x


def _not_a_number(x):
    if isinstance(x, str):
        return f"read the text {fmt(x)}; a number was asked: remove the quotes."
    if isinstance(x, (list, tuple)):
        return f"read a {type(x).__name__} of {len(x)} values; one number was asked."
    if x is None:
        return "read None: a variable left unset, or a function without `return`?"
    if callable(x):
        return f"read {fmt(x)}; call it and pass the number it returns."
    return f"read {fmt(x)}; a number was asked."


def read_numbers(x, n):
    """A list, tuple or 1-D array of n numbers -> tuple of n numbers."""
    if isinstance(x, np.ndarray) and x.ndim == 1:
        x = list(x)
    if not isinstance(x, (list, tuple)):
        try:
            one = fmt(read_number(x))
        except Unreadable:
            one = fmt(x)
        raise Unreadable(f"read {one}; a list of {n} numbers was asked.")
    if len(x) != n:
        raise Unreadable(f"read {len(x)} values; exactly {n} numbers were asked.")
    out = []
    for k, item in enumerate(x):
        try:
            out.append(read_number(item))
        except Unreadable as e:
            raise Unreadable(f"entry {k + 1}: {e}") from None
    return tuple(out)


def _close(a, r, tol):
    if isinstance(r, tuple):
        return all(_close(u, v, tol) for u, v in zip(a, r))
    return abs(float(a) - float(r)) <= tol


def check_number(answer, reference, tol, mistakes=()):
    """Correct when |answer - reference| <= tol (reference a number or a tuple of numbers)."""
    try:
        value = read_numbers(answer, len(reference)) if isinstance(reference, tuple) else read_number(answer)
    except Unreadable as e:
        return Result("unreadable", f"Could not read the answer: {e}")
    shown = fmt(value)
    if _close(value, reference, tol):
        return Result("correct", f"{shown} is right (checked to within ±{tol:g}).")
    for m in mistakes:
        if _close(value, m.value, tol):
            return Result("incorrect", f"{m.feedback}\n(Your answer was read as {shown}.)", mistake=m.name)
    return Result("incorrect", f"{shown} is not within ±{tol:g} of the expected value.")


def read_choice(x, options):
    """'b', 'B', '(b)', ' b. ' -> 'b' for one of the option letters."""
    letters = LETTERS[: len(options)]
    if not isinstance(x, str):
        raise Unreadable(f"read {fmt(x)}; give the letter of one option as a string, e.g. 'a'.")
    s = x.strip().strip("()[]. ").lower()
    if len(s) != 1 or s not in letters:
        raise Unreadable(f"could not read {fmt(x)} as one of the letters {', '.join(letters)}.")
    return s


def check_choice(answer, options, reference, mistakes=()):
    """Correct when the chosen letter is the reference letter."""
    try:
        letter = read_choice(answer, options)
    except Unreadable as e:
        return Result("unreadable", f"Could not read the answer: {e}")
    if letter == reference:
        return Result("correct", f"({letter}) is right.")
    for m in mistakes:
        if letter == m.value:
            return Result("incorrect", f"({letter}) is not it. {m.feedback}", mistake=m.name)
    return Result("incorrect", f"({letter}) is not it. Reread the options and try again.")
