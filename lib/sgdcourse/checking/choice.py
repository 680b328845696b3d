"""Checking a multiple-choice answer: the option letter, case, brackets and dots ignored."""

from __future__ import annotations

from .result import LETTERS, Result, Unreadable, unreadable
from .text import fmt


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
        return unreadable(e)
    if letter == reference:
        return Result("correct", f"({letter}) is right.")
    for m in mistakes:
        if letter == m.value:
            return Result("incorrect", f"({letter}) is not it. {m.feedback}", mistake=m.name)
    return Result("incorrect", f"({letter}) is not it. Reread the options and try again.")
