"""The bank as a kernel being graded sees it: the same package and public API, less the answers.

    seal(problem) -> Problem          the same fields, with answer Sealed (its form only), no
                                      mistakes (their values give answers away), no test cases
    source(lesson, problems) -> str   a module lessonNN.py whose PROBLEMS are those, sealed
    write(folder, bank)               every lesson's sealed module into folder
    ANSWERS                           the file names in problems/ that hold answers (lessonNN.py)

grading.sandbox copies the library for the kernels without the files ANSWERS names and writes
these modules in their place. problems/__init__.py, problem.py and bank.py stay the real ones, so
there problems(lesson=2), show(id), hint(id), get(id) and select(lesson) behave as in the real bank,
and check(id, answer) says that the grader, outside the kernel, decides (a problem is `sealed`).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import MappingProxyType

import sympy

from .problem import Problem, Sealed

ANSWERS = re.compile(r"lesson\d\d\.py")
HEADER = '''"""Lesson {lesson:02d}'s problems in a kernel being graded, less the answers: written by
sgdcourse.problems.sealed from the real bank (no reference answers, mistakes or test cases)."""
from sympy import sympify as _sympy

from .problem import Problem, Sealed

PROBLEMS = (
'''


def seal(problem):
    """The problem without what gives its answer away: answer, mistakes, test cases."""
    numbers = len(problem.answer) if problem.kind == "number" and isinstance(problem.answer, tuple) else None
    return dataclasses.replace(problem, answer=Sealed(numbers), mistakes=(), cases=None)


def _literal(value):
    """Python source for a field's value; TypeError for a value that has none here."""
    if value is None or isinstance(value, (bool, int, float, str, Sealed)):
        text = repr(value)
    elif isinstance(value, tuple):
        text = "(" + "".join(f"{_literal(v)}, " for v in value) + ")"
    elif isinstance(value, (dict, MappingProxyType)) and all(isinstance(v, sympy.Basic) for v in value.values()):
        text = "{" + ", ".join(f"{k!r}: _sympy({sympy.srepr(v)!r})" for k, v in value.items()) + "}"  # a namespace
    else:
        raise TypeError(f"a sealed problem cannot hold {type(value).__name__} {value!r:.60}")
    return text


def source(lesson, problems):
    """The module problems/lessonNN.py of a kernel being graded: PROBLEMS, each one sealed."""
    body = []
    for problem in problems:
        sealed = seal(problem)
        fields = "".join(
            f"        {f.name}={_literal(getattr(sealed, f.name))},\n" for f in dataclasses.fields(Problem)
        )
        body.append(f"    Problem(\n{fields}    ),\n")
    return HEADER.format(lesson=lesson) + "".join(body) + ")\n"


def write(folder, bank):
    """Write the sealed module of every lesson of the bank into folder (a copy of problems/)."""
    for lesson in bank.lessons:
        path = Path(folder) / f"lesson{lesson:02d}.py"
        path.write_text(source(lesson, bank.select(lesson)), encoding="utf-8")
