"""Generic slips: what a wrong number probably came from, for every number problem of the bank.

A slip is a simple change of the right value r that a typical mistake makes. For an answer a
(within the problem's tol of the changed value) the slips are

    sign          a = -r                     factor-2 / factor-half   a = 2r / a = r/2
    inverted      a = 1/r                    squared / square-root    a = r^2 / a = sqrt(r)
    divisor-minus-one  a = r k/(k-1)  (divided by k - 1 where k belongs: N - 1 for N)
    divisor-plus-one   a = r (k-1)/k or r k/(k+1)  (divided by k where k - 1 belongs: m for m - 1)
    (k, p, q, n: the counts the statement gives, in digits or words; a count it does not give is
    not guessed, since some k fits almost any wrong value)
    wrong-divisor      a = r p/q, p, q numbers of the statement (divided by q where p belongs: N for m)
    factor-n / divided-by-n  a = r n / a = r/n, n a number of the statement
    step-too-few / step-too-many  a = r - 1 / r + 1 for a whole-number r >= 2 (a count of steps)
    rounded       a is r rounded to a few decimals or significant digits
    close         0 < |a/r - 1| <= 1.05 %: right method, probably rounded too early or one small slip
For a list of numbers, a slip shared by every entry, entries in the wrong order, or the slip of
the one entry that is off. When several slips give the same value all are named (never one
picked at random); the bank's own mistakes come first. Expression slips: sgdcourse.checking.exprslips.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

CLOSE = Fraction(105, 10000)


@dataclass(frozen=True)
class Slip:
    name: str
    text: str


def _near(a, b, tol):
    return abs(Fraction(a) - Fraction(b)) <= Fraction(tol)


WORDS = {w: n for n, w in enumerate("two three four five six seven eight nine ten eleven twelve".split(), 2)}


def statement_numbers(statement):
    """The whole numbers >= 2 that a statement gives (digits, with commas as thousands separators,
    or the words two to twelve), at most 8, in order of appearance."""
    found = []
    pattern = r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\d.])|(?<![\w.])\d+(?![\d.])|\b(?:" + "|".join(WORDS) + r")\b"
    for token in re.findall(pattern, (statement or "").lower()):
        n = WORDS[token] if token in WORDS else int(token.replace(",", ""))
        if 2 <= n <= 10**7 and n not in found:
            found.append(n)
    return found[:8]


def scalar_slips(a, r, tol, numbers=()):
    """The slips that turn r into a (within tol), as a list of Slip; a and r numbers."""
    a, r = Fraction(a), Fraction(r)
    if _near(a, r, tol):
        return []
    cands = []
    if r:
        cands += [("sign", "It is the expected value with the opposite sign: a sign slipped (a minus "
                   "dropped, or a step taken uphill?).", -r),
                  ("factor-2", "It is exactly twice the expected value: a factor 2 too many (a 1/2 dropped, "
                   "or a sum of two terms where their mean was asked?).", 2 * r),
                  ("factor-half", "It is exactly half the expected value: a factor 1/2 too many, or a "
                   "factor 2 lost.", r / 2)]
        if abs(r) != 1:
            cands += [("inverted", "It is the reciprocal of the expected value: a ratio upside down?", 1 / r),
                      ("squared", "It is the square of the expected value: squared once too often (a "
                       "variance where a standard deviation was asked?).", r * r)]
        if r > 0 and r != 1:
            cands.append(("square-root", "It is the square root of the expected value: a standard deviation "
                          "where a variance was asked, or a square lost?", Fraction(math.sqrt(r))))
        for k in numbers:  # N - 1 for N, m for m - 1: only for the counts the statement gives
            cands += [("divisor-minus-one", f"It is the expected value times {k}/{k - 1}: a division by {k - 1} "
                       f"where {k} belongs (N - 1 in place of N?).", r * k / (k - 1)),
                      ("divisor-plus-one", f"It is the expected value times {k - 1}/{k}: a division by {k} "
                       f"where {k - 1} belongs (m in place of m - 1?).", r * (k - 1) / k),
                      ("divisor-plus-one", f"It is the expected value times {k}/{k + 1}: a division by {k + 1} "
                       f"where {k} belongs (N + 1 in place of N?).", r * k / (k + 1))]
        for n in numbers:
            if n != 2:
                cands += [("factor-n", f"It is {n} times the expected value: a sum over {n} terms where "
                           f"their mean was asked, or a factor {n} too many?", r * n),
                          ("divided-by-n", f"It is the expected value divided by {n}: a division by {n} "
                           "too many?", r / n)]
            for q in numbers:
                if q != n and Fraction(n, q) not in (2, Fraction(1, 2)):
                    cands.append(("wrong-divisor", f"It is the expected value times {n}/{q}: a division by "
                                  f"{q} where {n} belongs (N in place of m, or the other way round?).", r * n / q))
    if r.denominator == 1 and abs(r) >= 2:  # a count: of steps, batches, terms
        cands += [("step-too-few", "It is one less than the expected count: one step (or batch, or term) too "
                   "few? Check the first and the last one.", r - 1),
                  ("step-too-many", "It is one more than the expected count: one step (or batch, or term) too "
                   "many? Check the first and the last one.", r + 1)]
    cands += _rounding(r, tol)
    found = {}
    for name, text, value in cands:
        if name not in found and _near(a, value, tol):
            found[name] = Slip(name, text)
    if not found and (r and abs(a / r - 1) <= CLOSE or not r and abs(a) <= CLOSE):
        off = abs(a / r - 1) if r else abs(a)
        found["close"] = Slip("close", f"It is within {float(off) * 100:.2g}{'%' if r else ''} of the expected "
                              f"value but outside ±{tol:g}: the method looks right; was a value rounded too "
                              "early, or is one small term off?")
    return list(found.values())


def _rounding(r, tol):
    out = []
    for d in range(0, 7):
        v = round(r, d)
        if not _near(v, r, tol):
            out.append(("rounded", f"It is the expected value rounded to {d} decimal place{'s' * (d != 1)}; "
                        f"the check needs ±{tol:g}: keep more digits (or give an exact fraction).", v))
    x = float(r)
    for s in range(1, 7):
        v = Fraction(f"{x:.{s}g}")
        if not _near(v, r, tol):
            out.append(("rounded", f"It is the expected value rounded to {s} significant digit{'s' * (s != 1)}; "
                        f"the check needs ±{tol:g}: keep more digits (or give an exact fraction).", v))
    return out


def number_slips(a, r, tol, statement=""):
    """The slips that explain answer a (a number or tuple) for the reference r."""
    numbers = statement_numbers(statement)
    if not isinstance(r, tuple):
        return scalar_slips(a, r, tol, numbers)
    n = len(r)
    if sorted(a) == sorted(r) or all(_near(x, y, tol) for x, y in zip(sorted(a), sorted(r))):
        return [Slip("order", "These are the right numbers in the wrong order.")]
    wrong = [k for k in range(n) if not _near(a[k], r[k], tol)]
    per = [scalar_slips(a[k], r[k], tol, numbers) for k in wrong]
    if len(wrong) == 1:
        return [Slip(s.name, f"Entry {wrong[0] + 1} of {n} is off (the others are right). {s.text}") for s in per[0]]
    shared = set.intersection(*({s.name for s in p} for p in per)) - {"close", "rounded"}
    if all(r[k] for k in wrong) and shared and len(wrong) == n:
        return [Slip(s.name, f"Every entry: {s.text}") for s in per[0] if s.name in shared]
    if all(any(s.name in ("close", "rounded") for s in p) for p in per):
        return [Slip("close", "Every entry that is off is close to its expected value: the method looks "
                     "right; were values rounded too early?")]
    return []


def feedback(known, found, tail):
    """(text, mistake name) for the bank's matching mistakes `known` and the generic slips `found`,
    or None when nothing matched. The name is the bank's (" or " between several) when a bank
    mistake matched, else the slips'; the text names every slip that gives this value."""
    names = [m.name for m in known]
    extra = [s for s in found if s.name not in names]
    if not known and not extra:
        return None
    if len(known) > 1:
        head = "More than one slip gives this value; it could be either:\n" + "\n".join(f"- {m.feedback}" for m in known)
    else:
        head = known[0].feedback if known else None
    lines = [s.text for s in extra]
    if lines and head:
        head = f"{head}\nAnother slip gives the same value: " + " Or: ".join(lines)
    elif len(lines) == 1:
        head = lines[0]
    elif lines:
        head = "This value fits more than one slip, so it is hard to say which: " + " Or: ".join(lines)
    return f"{head}\n{tail}", " or ".join(names or [s.name for s in extra])
