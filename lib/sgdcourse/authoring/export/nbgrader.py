"""An nbgrader course folder generated from the solution notebooks.

OUT/nbgrader_config.py                 the course's settings (an empty code stub, see below);
OUT/source/NN_name/NN_name.ipynb       one assignment per notebook, in nbgrader's "source" form;
OUT/learner/sgdcourse/                 the library for the learners' environment, its bank sealed
                                       (problems.sealed.library: no reference answer);
OUT/learner/requirements.txt           what it needs (sgdcourse's runtime dependencies).

What the learner receives holds no answer: release/NN_name/ holds the notebook only, and the
learners' environment gets learner/sgdcourse/ (on their PYTHONPATH, or beside the notebook),
never the course's own library. The grading side is nbgrader's autograde environment: the
instructor's, with the real sgdcourse installed.

Each code cell with solution markers becomes an autograded answer cell (nbgrader metadata
solution: true, grade_id "answer-<id>"); after each check(...) cell comes a locked test cell
(grade: true, points from the bank, grade_id "test-<id>") that fails unless check() says correct:
the practice front's check, which checks against the numbers of the learner the notebook's start()
named (the numbers its data() gave).
A function problem's test instead prints points x (cases passed / cases), nbgrader's partial
credit, as python -m sgdcourse.grading grade scores it. The test is a hidden one (nbgrader's
BEGIN/END HIDDEN TESTS): it needs the answers, so the release keeps only its first comment line,
and autograde puts it back from the gradebook. In the release, the learner's check(...) cells say
that the grader checks the answer (the sealed bank's message).

nbgrader knows only regions (a line containing "BEGIN SOLUTION" up to one containing "END
SOLUTION", swapped for ClearSolutions.code_stub). The learner's prompt is therefore written
just before each region, where it is a no-op for the solution: `x = value  # SOLUTION` becomes
`x = ...` then a region holding `x = value`; a prompted region gets `# your answer here` and
`...` before it. With the code stub set to "" the student version matches the exercise notebook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from ...problems import BANK, sealed
from .. import release
from . import has_solution, load, questions
from .otter import requirements

SCHEMA = 3
LEARNER = "learner"  # OUT/learner/sgdcourse: the library a learner's environment gets (sealed)
CONFIG = '''\
"""nbgrader settings for the exported course (python -m sgdcourse.authoring export nbgrader).

Run nbgrader from this folder. The code stub is empty because each answer's prompt
(`x = ...`, `# your answer here`) is written before its solution region, so the
student version keeps it; nbgrader's default stub would add `raise NotImplementedError()`.
A submitted sgdcourse (the learners' sealed copy, or a forged one) is never copied for
autograde, where it would hide the installed library that the hidden tests need.
"""
c = get_config()  # noqa: F821 (nbgrader provides it)
c.ClearSolutions.code_stub = {"python": ""}
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "sgdcourse", "sgdcourse.py"]
'''


def meta(grade_id, *, solution=False, grade=False, locked=False, points=None):
    """The nbgrader cell metadata of one cell (schema version 3)."""
    m = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        m["points"] = points
    return {"nbgrader": m}


def answer_source(source):
    """A solution cell rewritten so nbgrader's region clearing leaves the learner's prompt."""
    out = []
    for line in source.split("\n"):
        begin, inline = release.BEGIN.match(line), release.INLINE.match(line)
        if begin:
            indent = begin.group(1)
            if not begin.group(2):  # not NO PROMPT: the exercise's prompt goes before the region
                out += [f"{indent}{release.PROMPT}", f"{indent}..."]
            out.append(line)
        elif inline:
            indent, code = inline.groups()
            prompt = release.strip_code(line)
            if prompt.strip().startswith("return"):  # a prompt `return ...` would end the solution early
                prompt = f"{indent}..."
            out += [prompt, f"{indent}# BEGIN SOLUTION", f"{indent}{code}", f"{indent}# END SOLUTION"]
        else:
            out.append(line)
    return "\n".join(out)


def test_source(q):
    """The locked test cell of one question: a comment, then the test as a hidden region."""
    p = q.problem
    head = (
        f"# Test for {p.id} ({p.points} point{'s' * (p.points != 1)}): "
        f"the course's checker decides when your instructor grades this notebook.\n"
        "### BEGIN HIDDEN TESTS\n"
        f"from sgdcourse.practice import check as _check\n"
        f"_result = _check({p.id!r}, {q.expr})\n"
    )
    if p.kind != "function":
        return head + "assert _result.ok, str(_result)\n### END HIDDEN TESTS"
    return (
        head + "assert _result.passed and _result.passed[0], str(_result)  # no case right: no credit\n"
        f"round({p.points} * _result.passed[0] / _result.passed[1], 2)  # partial credit, out of {p.points}\n"
        "### END HIDDEN TESTS"
    )


def source_notebook(path):
    """The nbgrader source notebook (a NotebookNode) for the solution notebook at path."""
    path = Path(path)
    nb = load(path)
    qs = questions(nb, str(path))
    answers = {k: (q, n) for q in qs for n, k in enumerate(q.cells)}
    tests = {q.check: q for q in qs}
    cells = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and has_solution(cell.source):
            q, n = answers.get(k, (None, 0))
            grade_id = f"answer-{q.problem.id}" + (f"-{n + 1}" if n else "") if q else f"answer-cell-{k}"
            cell.source = answer_source(cell.source)
            cell.metadata.update(meta(grade_id, solution=True))
        cells.append(cell)
        if k in tests:
            q = tests[k]
            cells.append(
                nbformat.v4.new_code_cell(
                    test_source(q),
                    metadata=meta(f"test-{q.problem.id}", grade=True, locked=True, points=q.problem.points),
                )
            )
    for k, cell in enumerate(cells):
        cell["id"] = f"cell-{k}"
    nb.cells = cells
    return nb


def export(paths, out):
    """Write nbgrader_config.py, source/NN_name/NN_name.ipynb and the learners' sealed library
    learner/sgdcourse/ under out; returns the notebooks."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    shutil.rmtree(out / LEARNER, ignore_errors=True)
    sealed.library(out / LEARNER, BANK)
    (out / LEARNER / "requirements.txt").write_text(requirements(), encoding="utf-8")
    written = []
    for path in paths:
        folder = out / "source" / Path(path).stem
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / Path(path).name
        nbformat.write(source_notebook(path), str(target))
        written.append(target)
    return written
