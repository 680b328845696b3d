"""The problem bank: every practice problem once, keyed by a stable id "NN-slug" (NN = lesson).

    problem.py     Problem (its fields: what the checker reads), Sealed, exact, KINDS, LESSONS
    bank.py        Bank: the problems by id, with their lessons (what the checker is handed)
    lessonNN.py    PROBLEMS of lesson NN: reference answers computed with the library, not typed
    sealed.py      the bank as a graded kernel sees it: these modules, the lessons less the answers

BANK is the installed bank, collected from every problems/lessonNN.py found on disk. To add a
problem, append it to PROBLEMS in the lesson's module (ids must be unique, and its counts must
be the whole numbers its statement gives); a new lesson is a new module, with no list to edit.
"""

from __future__ import annotations

import importlib

from ..checking import Mistake
from ..checking.ids import unknown_id
from .bank import Bank
from .problem import KINDS, LESSONS, TASKS, Hint, Problem, ask, exact, method, value, variant


def _collect():
    modules = [importlib.import_module(f"{__name__}.lesson{lesson:02d}") for lesson in LESSONS]
    return Bank([p for module in modules for p in module.PROBLEMS], LESSONS)


BANK = _collect()


def get(problem_id):
    """The Problem with this id; an unknown id raises KeyError naming problem_id and close ids."""
    if not isinstance(problem_id, str) or problem_id not in BANK:
        raise KeyError(f"problem_id: {unknown_id(problem_id, BANK)}")
    return BANK[problem_id]


def select(lesson=None):
    """The problems of one lesson (or all), in bank order."""
    return BANK.select(lesson)


__all__ = [
    "BANK",
    "Bank",
    "Hint",
    "KINDS",
    "LESSONS",
    "Mistake",
    "Problem",
    "TASKS",
    "ask",
    "exact",
    "get",
    "method",
    "select",
    "value",
    "variant",
]
