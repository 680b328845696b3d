"""Every typical slip the checker names, for every kind of answer, in one catalogue of one shape.

A Slip is (name, text, how): the name a Result reports (Result.mistake), the sentence the learner
reads, and how the slip changes the right value r into the value it gives:

    ("times", m)   r times m: a number, or (for an expression) an expression in the problem's symbols
    ("map", f)     f(r): f of a number, of an expression's value at a point, or of an output array
    ("is", v)      v itself: a number, or an expression (evaluated at the same points as r)
    None           a slip found by a rule, not a change of r (close, order)

changed(how, value) applies one; the engines only decide which candidates the answer equals:

    number_slips(r, tol, counts)       numbers          matched within tol        numeric.py
    expression_slips(r, namespace)     sympy answers    matched at random points  exprslips.py
    FUNCTION_SLIPS                     a function       matched on every case     funcreport.py

For a number r (the counts k, n, q: Problem.counts, the whole numbers the statement gives)

    sign          -r                         factor-2 / factor-half   2r / r/2
    inverted      1/r                        squared / square-root    r^2 / sqrt(r)
    divisor-minus-one  r k/(k-1)  (divided by k - 1 where k belongs: N - 1 for N)
    divisor-plus-one   r (k-1)/k or r k/(k+1)  (divided by k where k - 1 belongs: m for m - 1)
    (a count the problem does not declare is not guessed, since some k fits almost any wrong value;
    a declared count is (name, k), and the text names it: "a division by N - 1 = 1 where N = 2 belongs")
    wrong-divisor      r n/q (divided by q where n belongs: N for m)
    factor-n / divided-by-n  r n / r/n
    step-too-few / step-too-many  r - 1 / r + 1 for a whole-number r >= 2 (a count of steps)
    rounded       r rounded to a few decimals or significant digits
    close         0 < |a/r - 1| <= 1.05 %: right method, probably rounded too early or one small slip
and for a list of numbers ORDER (right numbers, wrong order), entry() (the slip of the one entry that
is off), every_entry() (a slip shared by every entry) and CLOSE_ENTRIES.

For an expression r, with the problem's symbols s, t (Symbols of its namespace that r contains)

    sign  -r        factor-2  2r        factor-half  r/2        squared r^2    square-root sqrt(r)
    missing-factor  r / f for a factor f of r
    extra-factor    r s                 divided-by   r / s (a division by s too many; s not a factor of r)
    and for integer symbols (counts) s, t only:
    divisor-minus-one  r s/(s - 1)      divisor-plus-one  r (s - 1)/s        wrong-divisor  r t/s
    step-too-many / step-too-few        r with s + 1 / s - 1 in place of s

For a function: sign, factor-2, factor-half of every output.

feedback(known, found, tail) writes the verdict: the bank's own mistake when one matches (the bank
keeps its mistakes apart from every other slip), else every generic slip that gives the value
(never one picked at random).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import sympy

CLOSE = Fraction(105, 10000)
MAX_COUNTS = 8  # a problem declares at most this many counts: wrong-divisor tries every pair


@dataclass(frozen=True)
class Slip:
    """A typical slip: its name, what the learner is told, and how it changes the right value."""

    name: str
    text: str
    how: tuple | None = None


def changed(how, value):
    """The value the slip `how` gives where the right answer has `value` (an exact number, an
    expression's value at one point, or an array of outputs); see the module docstring."""
    kind, what = how
    if kind == "times":
        return value * what
    if kind == "map":
        return what(value)
    if kind == "is":
        return what
    raise ValueError(f"how must be ('times', m), ('map', f) or ('is', v), got {how!r}")


def _near(a, b, tol):
    return abs(Fraction(a) - Fraction(b)) <= Fraction(tol)


# ---- numbers ------------------------------------------------------------------------------------


def _named(count):
    """A declared count as (name, value): a problem's quantities give names (N, m, T), a bare
    count (an older problem's) none."""
    return count if isinstance(count, tuple) else (None, count)


def _is(name, k):
    return f"{name} = {k}" if name else f"{k}"


def _less(name, k):
    return f"{name} - 1 = {k - 1}" if name else f"{k - 1}"


def _more(name, k):
    return f"{name} + 1 = {k + 1}" if name else f"{k + 1}"


def number_slips(r, tol, counts=()):
    """The candidate slips of a number r (a Fraction) with the problem's tol and counts, in the
    order they are tried."""
    r = Fraction(r)
    out = []
    if r:
        out += [
            Slip(
                "sign",
                "It is the expected value with the opposite sign: a sign slipped (a minus "
                "dropped, or a step taken uphill?).",
                ("times", -1),
            ),
            Slip(
                "factor-2",
                "It is exactly twice the expected value: a factor 2 too many (a 1/2 dropped, "
                "or a sum of two terms where their mean was asked?).",
                ("times", 2),
            ),
            Slip(
                "factor-half",
                "It is exactly half the expected value: a factor 1/2 too many, or a factor 2 lost.",
                ("times", Fraction(1, 2)),
            ),
        ]
        if abs(r) != 1:
            out += [
                Slip(
                    "inverted",
                    "It is the reciprocal of the expected value: a ratio upside down?",
                    ("map", lambda v: 1 / v),
                ),
                Slip(
                    "squared",
                    "It is the square of the expected value: squared once too often (a "
                    "variance where a standard deviation was asked?).",
                    ("map", lambda v: v * v),
                ),
            ]
        if r > 0 and r != 1:
            out.append(
                Slip(
                    "square-root",
                    "It is the square root of the expected value: a standard deviation "
                    "where a variance was asked, or a square lost?",
                    ("map", lambda v: Fraction(math.sqrt(v))),
                )
            )
        named = [_named(c) for c in counts]
        for name, k in named:  # N - 1 for N, m for m - 1: only for the counts the problem declares
            out += [
                Slip(
                    "divisor-minus-one",
                    f"It is the expected value times {k}/{k - 1}: a division by {_less(name, k)} "
                    f"where {_is(name, k)} belongs?",
                    ("times", Fraction(k, k - 1)),
                ),
                Slip(
                    "divisor-plus-one",
                    f"It is the expected value times {k - 1}/{k}: a division by {_is(name, k)} "
                    f"where {_less(name, k)} belongs?",
                    ("times", Fraction(k - 1, k)),
                ),
                Slip(
                    "divisor-plus-one",
                    f"It is the expected value times {k}/{k + 1}: a division by {_more(name, k)} "
                    f"where {_is(name, k)} belongs?",
                    ("times", Fraction(k, k + 1)),
                ),
            ]
        for name, n in named:
            if n != 2:
                out += [
                    Slip(
                        "factor-n",
                        f"It is {n} times the expected value: a sum over {_is(name, n)} terms where "
                        f"their mean was asked, or a factor {_is(name, n)} too many?",
                        ("times", n),
                    ),
                    Slip(
                        "divided-by-n",
                        f"It is the expected value divided by {n}: a division by {_is(name, n)} too many?",
                        ("times", Fraction(1, n)),
                    ),
                ]
            for qname, q in named:
                if q != n and Fraction(n, q) not in (2, Fraction(1, 2)):
                    out.append(
                        Slip(
                            "wrong-divisor",
                            f"It is the expected value times {n}/{q}: a division by "
                            f"{_is(qname, q)} where {_is(name, n)} belongs?",
                            ("times", Fraction(n, q)),
                        )
                    )
    if r.denominator == 1 and abs(r) >= 2:  # a count: of steps, batches, terms
        out += [
            Slip(
                "step-too-few",
                "It is one less than the expected count: one step (or batch, or term) too "
                "few? Check the first and the last one.",
                ("map", lambda v: v - 1),
            ),
            Slip(
                "step-too-many",
                "It is one more than the expected count: one step (or batch, or term) too "
                "many? Check the first and the last one.",
                ("map", lambda v: v + 1),
            ),
        ]
    return out + _rounding(r, tol)


def _rounding(r, tol):
    out = []
    for d in range(0, 7):
        v = round(r, d)
        if not _near(v, r, tol):
            out.append(
                Slip(
                    "rounded",
                    f"It is the expected value rounded to {d} decimal place{'s' * (d != 1)}; "
                    f"the check needs ±{tol:g}: keep more digits (or give an exact fraction).",
                    ("is", v),
                )
            )
    x = float(r)
    for s in range(1, 7):
        v = Fraction(f"{x:.{s}g}")
        if not _near(v, r, tol):
            out.append(
                Slip(
                    "rounded",
                    f"It is the expected value rounded to {s} significant digit{'s' * (s != 1)}; "
                    f"the check needs ±{tol:g}: keep more digits (or give an exact fraction).",
                    ("is", v),
                )
            )
    return out


def close_slip(a, r, tol):
    """The slip "close" when a is within CLOSE (relative; absolute for r = 0) of r, else None."""
    off = abs(a / r - 1) if r else abs(a)
    if off > CLOSE:
        return None
    return Slip(
        "close",
        f"It is within {float(off) * 100:.2g}{'%' if r else ''} of the expected value but "
        f"outside ±{tol:g}: the method looks right; was a value rounded too early, or is one small term off?",
    )


ORDER = Slip("order", "These are the right numbers in the wrong order.")
CLOSE_ENTRIES = Slip(
    "close",
    "Every entry that is off is close to its expected value: the method looks right; were values rounded too early?",
)


def entry(slip, k, n):
    """The slip of entry k (from 0) of a list of n numbers whose other entries are right."""
    return replace(slip, text=f"Entry {k + 1} of {n} is off (the others are right). {slip.text}")


def every_entry(slip):
    """A slip that every entry of a list shares."""
    return replace(slip, text=f"Every entry: {slip.text}")


# ---- expressions --------------------------------------------------------------------------------


def expression_slips(r, namespace):
    """The candidate slips of a sympy expression r whose symbols come from namespace, in order."""
    symbols = [v for v in namespace.values() if isinstance(v, sympy.Symbol) and v in r.free_symbols]
    out = [
        Slip("sign", "It is the expected expression with the opposite sign: a sign slipped.", ("times", -1)),
        Slip(
            "factor-2",
            "It is exactly twice the expected expression: a factor 2 too many (a 1/2 dropped, "
            "or a sum of two terms where their mean was asked?).",
            ("times", 2),
        ),
        Slip(
            "factor-half",
            "It is exactly half the expected expression: a factor 2 lost, or a 1/2 too many.",
            ("times", Fraction(1, 2)),
        ),
        Slip(
            "squared", "It is the square of the expected expression: squared once too often?", ("map", lambda v: v * v)
        ),
        Slip(
            "square-root",
            "It is the square root of the expected expression: a standard deviation where a "
            "variance was asked, or a square lost?",
            ("map", lambda v: v**0.5),
        ),
    ]
    factors = [f for f in sympy.Mul.make_args(sympy.factor_terms(r)) if not f.is_number]
    for f in factors if len(factors) > 1 or factors and factors[0] != r else ():
        out.append(
            Slip(
                "missing-factor",
                f"It is the expected expression without its factor {sympy.sstr(f)}: that factor was lost.",
                ("times", 1 / f),
            )
        )
    for s in symbols:
        out.append(
            Slip("extra-factor", f"It is the expected expression times {s}: a factor {s} too many?", ("times", s))
        )
        if s not in factors:
            out.append(
                Slip(
                    "divided-by",
                    f"It is the expected expression divided by {s}: a division by {s} too many?",
                    ("times", 1 / s),
                )
            )
        if not s.is_integer:
            continue
        out += [
            Slip(
                "divisor-minus-one",
                f"It is the expected expression times {s}/({s} - 1): a division by {s} - 1 where {s} belongs?",
                ("times", s / (s - 1)),
            ),
            Slip(
                "divisor-plus-one",
                f"It is the expected expression times ({s} - 1)/{s}: a division by {s} where {s} - 1 belongs?",
                ("times", (s - 1) / s),
            ),
        ]
        out += [
            Slip(
                "wrong-divisor",
                f"It is the expected expression times {t}/{s}: a division by {s} where {t} belongs?",
                ("times", t / s),
            )
            for t in symbols
            if t != s and t.is_integer
        ]
        out += [
            Slip(
                "step-too-many",
                f"It is the expected expression with {s} + 1 in place of {s}: one step (or one term) too many?",
                ("is", r.xreplace({s: s + 1})),
            ),
            Slip(
                "step-too-few",
                f"It is the expected expression with {s} - 1 in place of {s}: one step (or one term) too few?",
                ("is", r.xreplace({s: s - 1})),
            ),
        ]
    return out


# ---- functions ----------------------------------------------------------------------------------

FUNCTION_SLIPS = (
    Slip("sign", "Every output has the opposite sign: a sign slipped (y - w x for w x - y, say).", ("times", -1.0)),
    Slip("factor-2", "Every output is twice the expected one: a factor 2 too many (a 1/2 dropped?).", ("times", 2.0)),
    Slip("factor-half", "Every output is half the expected one: a factor 2 lost, or a 1/2 too many.", ("times", 0.5)),
)


# ---- the verdict --------------------------------------------------------------------------------


def feedback(known, found, tail):
    """(text, mistake name) for the bank's matching mistakes `known` and the generic slips `found`,
    or None when nothing matched. A bank mistake that matches is the verdict, alone: the bank
    chooses each problem's numbers so that no other slip gives its value (tests/test_bank_design.py),
    so a generic slip is named only when no bank mistake is, and then every one that gives this value."""
    if known:
        if len(known) > 1:
            head = "More than one slip gives this value; it could be either:\n" + "\n".join(
                f"- {m.feedback}" for m in known
            )
        else:
            head = known[0].feedback
        return f"{head}\n{tail}", " or ".join(m.name for m in known)
    if not found:
        return None
    lines = [s.text for s in found]
    if len(lines) == 1:
        head = lines[0]
    else:
        head = "This value fits more than one slip, so it is hard to say which: " + " Or: ".join(lines)
    return f"{head}\n{tail}", " or ".join(s.name for s in found)
