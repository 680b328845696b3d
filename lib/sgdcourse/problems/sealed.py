"""The bank as a kernel being graded, or a learner's handout, sees it: the same package and
public API, less the answers.

    seal(problem) -> Problem          the same fields, with answer Sealed (its form only), no
                                      mistakes (their values give answers away), no test cases
    source(lesson, problems) -> str   a module lessonNN.py whose PROBLEMS are those, sealed
    write(folder, bank)               every lesson's sealed module into folder
    library(dest, bank)               a copy of the package at dest/sgdcourse, its bank sealed
    answer_modules(dest)              copy the real answer modules (lessonNN.py) into dest
    answer_key(folder)                the real bank again, from answer modules copied into folder
    ANSWERS                           the file names in problems/ that hold answers (lessonNN.py)

library() copies the package without the files ANSWERS names and writes these modules in their
place: grading.sandbox makes the kernels' library with it, and the exports to otter-grader and
nbgrader the learners' (a handout holds no answer). answer_key() is the grading side of an export
whose tool grades beside a sealed library (otter: its autograder zip holds the answer modules).
In the copy, problems/__init__.py, problem.py and bank.py stay the real ones, so there
problems(lesson=2), show(id), hint(id), get(id) and select(lesson) behave as in the real bank, and
check(id, answer) says that the grader decides (a problem is `sealed`).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import shutil
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import sympy

from .bank import Bank
from .problem import Problem, Sealed

ANSWERS = re.compile(r"lesson\d\d\.py")
HEADER = '''"""Lesson {lesson:02d}'s problems less the answers (the bank of a graded kernel or a handout):
written by sgdcourse.problems.sealed from the real bank (no reference answers, mistakes or test cases)."""
from sympy import sympify as _sympy

from .problem import Problem, Sealed

PROBLEMS = (
'''


def seal(problem):
    """The problem without what gives its answer away: answer, mistakes, test cases, and the
    quantities, domain and accepted range that the slips and checks use."""
    numbers = (
        len(problem.answer) if problem.kind in ("number", "predict") and isinstance(problem.answer, tuple) else None
    )
    return dataclasses.replace(
        problem,
        answer=Sealed(numbers, problem.accept is not None),
        mistakes=(),
        cases=None,
        quantities={},
        counts=(),
        domain={},
        accept=None,
        outside=(),
    )


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
    """The module problems/lessonNN.py of a sealed copy: PROBLEMS, each one sealed."""
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


PACKAGE = Path(__file__).resolve().parents[1]  # the sgdcourse package these modules belong to


def _unsealed(folder, names):
    """What copying the package leaves out: compiled files, and the bank's modules that hold answers."""
    bank = Path(folder).resolve() == PACKAGE / "problems"
    return [n for n in names if n == "__pycache__" or n.endswith(".pyc") or bank and ANSWERS.fullmatch(n)]


def library(dest, bank):
    """Copy this package to dest/sgdcourse (dest must not hold one) with bank's lessons sealed: the
    same public API, no reference answer, mistake or test case. Returns the copy's path."""
    lib = Path(dest) / PACKAGE.name
    shutil.copytree(PACKAGE, lib, ignore=_unsealed)
    write(lib / "problems", bank)
    return lib


def answer_modules(dest):
    """Copy the real answer modules (problems/lessonNN.py) into the folder dest; returns the copies."""
    Path(dest).mkdir(parents=True, exist_ok=True)
    paths = sorted(p for p in (PACKAGE / "problems").iterdir() if ANSWERS.fullmatch(p.name))
    return [Path(shutil.copy2(p, Path(dest) / p.name)) for p in paths]


@lru_cache(maxsize=4)
def _key(folder):
    modules = []
    for path in sorted(Path(folder).glob("lesson[0-9][0-9].py")):
        spec = importlib.util.spec_from_file_location(f"{__package__}._key_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # its relative imports (.problem, ..models) are this package's
        modules.append(module)
    if not modules:
        raise FileNotFoundError(f"folder: no answer modules lessonNN.py in {folder}")
    problems = [p for m in modules for p in m.PROBLEMS]
    return Bank(problems, sorted({p.lesson for p in problems}))


def answer_key(folder="answer_key"):
    """The bank of the answer modules in folder (relative to the current directory, as a grading
    tool runs its tests beside the submission), loaded into this (sealed) package: a Bank to hand
    sgdcourse.checking.answers.check. FileNotFoundError naming folder if it holds none."""
    return _key(str(Path(folder).resolve()))
