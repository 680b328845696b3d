"""Predictions and choices with evidence: answers that are not compared with one right value.

check_prediction(answer, observed, options, tol)   a prediction is read (a number, a list of
    numbers or an option letter) and recorded: never marked wrong; the feedback compares it with
    what the experiment gave (observed). Unreadable stays unreadable, `...` unanswered.
check_range(answer, accept, outside, mistakes, tol)   a choice with evidence: right anywhere in
    the closed interval accept = (lo, hi) that the experiment supports; outside it, the text of
    outside = (below, above) says why the evidence does not support the value.
"""

from __future__ import annotations

from fractions import Fraction

from .choice import read_choice
from .numeric import close, read_number, read_numbers
from .result import LETTERS, Result, Unreadable, unreadable
from .text import fmt


def _gap(x, observed, tol):
    """How a predicted number compares with the observed one, in words (exact: no overflow)."""
    x, r = Fraction(x), Fraction(observed)
    if abs(x - r) <= Fraction(tol):
        return "your prediction matches it"
    if r and x and (x > 0) == (r > 0):
        ratio = r / x
        if ratio > 1:
            return f"it is {_times(ratio)} times your prediction"
        return f"it is {_times(1 / ratio)} times smaller than your prediction"
    if x and r:
        return "it is on the other side of zero from your prediction"
    return f"it is {fmt(float(r - x), 4)} {'above' if r > x else 'below'} your prediction"


def _times(ratio):
    """A ratio > 1 in three digits, however large."""
    return fmt(float(ratio), 3) if ratio < 10**300 else "more than 1e300"


def check_prediction(answer, observed, options=(), tol=1e-6):
    """Recorded (never incorrect) for any readable prediction; the feedback says what happened."""
    try:
        if options:
            letter = read_choice(answer, options)
        elif isinstance(observed, tuple):
            values = read_numbers(answer, len(observed))
        else:
            value = read_number(answer)
    except Unreadable as e:
        return unreadable(e)
    if options:
        same = "your prediction" if letter == observed else f"not ({letter}), your prediction"
        return Result(
            "recorded",
            f"Prediction recorded: ({letter}) {options[LETTERS.index(letter)]}\n"
            f"What happened: ({observed}) {options[LETTERS.index(observed)].rstrip('.')}, {same}. "
            "Compare the two before you read on: what did you expect, and why was it different (or not)?",
        )
    if isinstance(observed, tuple):
        gaps = "; ".join(f"entry {k + 1}: {_gap(x, r, tol)}" for k, (x, r) in enumerate(zip(values, observed)))
        return Result("recorded", f"Prediction recorded: {fmt(values)}.\nWhat happened: {fmt(observed)} ({gaps}).")
    return Result(
        "recorded",
        f"Prediction recorded: {fmt(value)}.\nWhat happened: {fmt(observed)}; {_gap(value, observed, tol)}.",
    )


def check_range(answer, accept, outside, mistakes=(), tol=1e-6):
    """Correct anywhere in [lo, hi] = accept; outside it, the reason the evidence does not support it."""
    try:
        value = read_number(answer)
    except Unreadable as e:
        return unreadable(e)
    lo, hi = (Fraction(v) for v in accept)
    if lo - Fraction(tol) <= Fraction(value) <= hi + Fraction(tol):  # a typed 0.8 for an exact bound 4/5
        return Result(
            "correct",
            f"{fmt(value)} is supported by the evidence: the experiment supports any value "
            f"from {fmt(float(lo))} to {fmt(float(hi))}.",
        )
    for m in mistakes:
        if close(value, m.value, tol):
            return Result("incorrect", f"{m.feedback}\n(Your answer was read as {fmt(value)}.)", mistake=m.name)
    below, above = outside
    side, why = ("below", below) if Fraction(value) < lo else ("above", above)
    return Result(
        "incorrect",
        f"{fmt(value)} is {side} the range the evidence supports, {fmt(float(lo))} to {fmt(float(hi))}: {why}",
        mistake=f"range-{side}",
    )


def _broken(x, name, rule):
    x = Fraction(x)
    if rule == "positive" and x <= 0:
        return f"{name} must be greater than 0."
    if rule == "fraction" and not 0 <= x < 1:
        percent = f" Was {fmt(x)} meant as a percentage, {fmt(float(x / 100))}?" if 1 < x <= 100 else ""
        return f"{name} is at least 0 and less than 1.{percent}"
    if rule == "whole" and (x.denominator != 1 or x < 1):
        return f"{name} is a whole number, at least 1."
    return None


def check_valid(answer, valid, n=None):
    """None when every number of the answer can be the quantity; else why one cannot (unreadable)."""
    name, rule = valid
    try:
        values = read_numbers(answer, n) if n else (read_number(answer),)
    except Unreadable:
        return None  # the engine says why it cannot be read
    for x in values:
        why = _broken(x, name, rule)
        if why:
            return Result("unreadable", f"{fmt(x)} cannot be {name} here: {why}")
    return None
