"""A bank of problems: what the checker is handed (sgdcourse.checking never imports one).

    Bank(problems, lessons)        ids must be unique, each problem's lesson one of lessons
    bank[pid], pid in bank, list(bank), bank.values(), bank.get(pid)    a read-only mapping, in bank order
    bank.lessons                   the lesson numbers (a lesson may have no problem yet)
    bank.select(lesson=None)       one lesson's problems (or all), in bank order

sgdcourse.problems.BANK is the installed bank; a test, a fork of the course or a graded kernel's
sealed copy (sgdcourse.problems.sealed) builds its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


class Bank(Mapping):
    """Problems by id, in bank order, and the lessons they belong to."""

    def __init__(self, problems, lessons):
        self._lessons = tuple(lessons)
        table = {}
        for p in problems:
            if p.id in table:
                raise ValueError(f"problem id {p.id!r} is used twice")
            if p.lesson not in self._lessons:
                raise ValueError(f"problem {p.id} is in lesson {p.lesson!r}, not one of lessons {self._lessons}")
            table[p.id] = p
        self._problems = MappingProxyType(table)

    def __getitem__(self, problem_id):
        return self._problems[problem_id]

    def __iter__(self):
        return iter(self._problems)

    def __len__(self):
        return len(self._problems)

    def __repr__(self):
        return f"Bank({len(self)} problems, lessons {self._lessons})"

    @property
    def lessons(self):
        return self._lessons

    def select(self, lesson=None):
        """The problems of one lesson (or all), in bank order; ValueError for a lesson not in the bank."""
        if lesson is not None and lesson not in self._lessons:
            raise ValueError(f"lesson must be one of {self._lessons} or None, got {lesson!r}")
        return tuple(p for p in self._problems.values() if lesson is None or p.lesson == lesson)
