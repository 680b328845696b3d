"""The exports graded by the real tools: otter-grader (otter assign, otter run) and nbgrader
(generate_assignment, autograde), for every solution notebook.

For each notebook and tool: the student version the tool writes holds no solution text of the
source and no reference value of the bank, and nothing a learner receives (otter's dist/student/,
nbgrader's release/ and learner/) holds any answer of the bank (export.leaks), which the old
otter handout did; the tool's own grading gives the solution full marks,
the student version zero, and a copy with one wrong answer exactly that problem's points less;
the solution and the wrong copy are submitted started as a learner (start("<id>")), so they earn
their marks only if the tools' tests check against that learner's numbers, not today's;
a function answer right on some of its cases earns that share of its points.

Slow (a kernel per graded notebook) and needs the tools: marker export, run by `make export-test`,
which installs them into .venv-export. Once selected, a test fails if a tool is missing.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from sgdcourse import layout
from sgdcourse.authoring import release
from sgdcourse.authoring.export import leaks, load, questions
from sgdcourse.authoring.export import nbgrader as to_nbgrader
from sgdcourse.authoring.export import otter as to_otter
from sgdcourse.problems import BANK
from sgdcourse.problems.variants import VariantBank, course_id

pytestmark = pytest.mark.export
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = layout.notebooks(ROOT / "solutions")
BIN = Path(sys.executable).parent  # the tools' commands (and nbgrader's alembic) live beside python


@pytest.fixture(scope="module", autouse=True)
def tools():
    """The real tools, imported once per module: a test selected without them fails, saying how
    to get them (the module itself imports without them, so that other runs can collect it)."""
    try:
        return importlib.import_module("otter"), importlib.import_module("nbgrader.api")
    except ImportError as exc:
        pytest.fail(f"otter-grader and nbgrader are needed ({exc}): make export-test installs them into .venv-export")


@pytest.fixture(scope="module")
def needles():
    return leaks.needles(BANK)[0]


def assert_no_leak(tool, folder, needles):
    """The scan of everything a learner receives from the export in folder finds no answer."""
    handed = leaks.handout(tool, folder)
    assert handed and all(leaks.files(h) for h in handed), f"nothing handed out under {folder}"
    found = leaks.scan(handed, needles)
    assert not found, "answers in the handout:\n" + "\n".join(map(str, found[:20]))


def run(args, cwd):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def solution_text(path):
    """What a student version must not contain: the stripped lines of every solution region and
    `# SOLUTION` line of the source, and the value of every `name = value  # SOLUTION`."""
    lines, values = set(), set()
    for cell in load(path).cells:
        if cell.cell_type != "code":
            continue
        open_ = False
        for line in cell.source.split("\n"):
            if layout.BEGIN.match(line) or layout.END.match(line):
                open_ = bool(layout.BEGIN.match(line))
            elif layout.INLINE.match(line):
                text = layout.INLINE.match(line).group(2)
                lines.add(text)
                assign = release.ASSIGN.match(text)
                values.add(text[assign.end() :].strip() if assign else text)
            elif open_:
                lines.add(line.strip())
    return lines, values


def reference_values(path):
    """The bank's reference answers of a notebook's problems, as text (str and float forms)."""
    found = set()
    for q in questions(load(path)):
        answer, kind = q.problem.answer, q.problem.kind
        if kind in ("number", "expression"):
            for a in answer if isinstance(answer, tuple) else (answer,):
                found |= {str(a), repr(float(a))} if kind == "number" else {str(a)}
    return found


def code_text(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


def assert_no_answers(student, path):
    """Nothing of the answers in student beyond what the course's own exercise version shows
    (that one states given values, e.g. w = 0.12 as the point of the next problem)."""
    nb = nbformat.read(str(student), as_version=4)
    given = code_text(nbformat.reads(release.exercise(path.read_text(encoding="utf-8")), as_version=4))
    given_lines = {line.strip() for src in given for line in src.split("\n")}
    lines, values = solution_text(path)
    code = code_text(nb)
    left = [
        line.strip()
        for src in code
        for line in src.split("\n")
        if line.strip() in lines - given_lines and line.strip() not in ("", "...")
    ]
    assert not left, f"{student.name}: solution lines survive: {left}"
    text = "\n".join(code + [json.dumps(c.get("outputs", [])) for c in nb.cells])
    leaked = sorted(
        v for v in values | reference_values(path) if len(v) >= 2 and v in text and v not in "\n".join(given)
    )
    assert not leaked, f"{student.name}: reference answers survive: {leaked}"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "outputs survive"


def wrong_answer(path):
    """(question, source of a cell that overrides its answer with a wrong one). A choice problem
    if there is one (no later answer is computed from a letter), else a scalar number problem."""
    qs = questions(load(path))
    mine = VariantBank(BANK, course_id(), LEARNER)  # the answers are the learner's
    for q in qs:
        if q.problem.kind == "choice":
            return q, f"{q.expr} = {next(c for c in 'abcd' if c != mine[q.problem.id].answer)!r}"
    for q in qs:
        if q.problem.kind == "number" and not isinstance(q.problem.answer, tuple) and q.problem.accept is None:
            return q, f"{q.expr} = {float(mine[q.problem.id].answer) + 1!r}"
    pytest.fail(f"{path.name} has no choice or scalar number problem to answer wrongly")


def with_cell_before(nb_path, marker, source, out):
    """A copy of a notebook with a code cell inserted before the first cell containing marker."""
    nb = nbformat.read(str(nb_path), as_version=4)
    k = next(i for i, c in enumerate(nb.cells) if marker in c.source)
    nb.cells.insert(k, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, str(out))
    return out


LEARNER = "learner-export@example.org"  # whose numbers the graded solutions are started with


def as_learner(nb_path, out, learner=LEARNER):
    """A copy of a notebook whose start(None) cell starts `learner` instead (exactly one such cell)."""
    nb = nbformat.read(str(nb_path), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "start(None)" in c.source]
    assert len(cells) == 1, f"{nb_path}: {len(cells)} start(None) cells"
    cells[0].source = cells[0].source.replace("start(None)", f"start({learner!r})")
    nbformat.write(nb, str(out))
    return out


def full_marks(path):
    return sum(q.problem.points for q in questions(load(path)))


def with_answer_changed(nb_path, q, source, out):
    """A copy of otter's solution notebook with source appended to the question's last answer
    cell, the cell after which otter runs the question's tests (its metadata otter.tests names it)."""
    nb = nbformat.read(str(nb_path), as_version=4)
    (cell,) = [c for c in nb.cells if q.name in c.metadata.get("otter", {}).get("tests", [])]
    cell.source += "\n" + source
    nbformat.write(nb, str(out))
    return out


def test_old_otter_handout_fails_the_scan(tmp_path, needles):
    """The otter export before issue 23 (the whole library as `files`, tests public) handed out
    every answer: built that way again, its dist/student/ fails the scan."""
    path = ROOT / "solutions" / "03_minibatch_logistic.ipynb"
    (master,) = to_otter.export([path], tmp_path)
    folder = master.parent
    shutil.rmtree(folder / "sgdcourse")
    shutil.copytree(ROOT / "lib" / "sgdcourse", folder / "sgdcourse", ignore=shutil.ignore_patterns("__pycache__"))
    nb = nbformat.read(str(master), as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("autograder_files:\n  - answer_key\n", "")
    nbformat.write(nb, str(master))
    run(["otter", "assign", "--no-run-tests", master.name, "dist"], cwd=folder)
    found = leaks.scan(leaks.handout("otter", tmp_path), needles)
    assert {leak.needle.problem for leak in found} == set(BANK)
    assert any("dist/student/sgdcourse/problems/lesson03.py" in leak.path for leak in found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_otter_assign_and_run(path, tmp_path, needles):
    (master,) = to_otter.export([path], tmp_path)
    folder = master.parent
    run(["otter", "assign", "--no-run-tests", master.name, "dist"], cwd=folder)
    dist = folder / "dist"
    student, solution = dist / "student" / path.name, dist / "autograder" / path.name
    assert_no_answers(student, path)
    solution = as_learner(solution, tmp_path / f"learner_{path.name}")
    assert (dist / "student" / "sgdcourse" / "practice.py").is_file()  # the sealed library ships with it
    assert not (dist / "student" / "answer_key").exists() and (dist / "autograder" / "answer_key").is_dir()
    assert "grader.check(" not in student.read_text()  # no public test to run: check() speaks instead
    assert_no_leak("otter", tmp_path, needles)
    q, override = wrong_answer(path)
    wrong = with_answer_changed(solution, q, override, tmp_path / path.name)
    (zipped,) = (dist / "autograder").glob("*.zip")
    out = tmp_path / "results"  # the solution through the command line, as an instructor runs it
    out.mkdir()
    run(["otter", "run", "--no-logo", "-a", str(zipped), "-o", str(out), str(solution)], cwd=tmp_path)
    tests = json.loads((out / "results.json").read_text())["tests"]
    scores = {"solution": sum(t["score"] for t in tests if "score" in t)}
    assert sum(t["max_score"] for t in tests if "max_score" in t) == full_marks(path)
    from otter.api import grade_submission  # the others through otter's grading API (same runner)

    for label, nb in (("student", student), ("wrong", wrong)):
        results = grade_submission(str(nb), str(zipped), quiet=True)
        assert results.catastrophic_error is None and results.possible == full_marks(path)
        scores[label] = results.total
    full = full_marks(path)
    assert scores == pytest.approx({"solution": full, "student": 0, "wrong": full - q.problem.points}), scores


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbgrader_generate_and_autograde(path, tmp_path, needles):
    from nbgrader.api import Gradebook

    name = path.stem
    (source,) = to_nbgrader.export([path], tmp_path)
    run(["nbgrader", "generate_assignment", name], cwd=tmp_path)
    student = tmp_path / "release" / name / path.name
    assert_no_answers(student, path)
    released = nbformat.read(str(student), as_version=4)
    tests = [c.source for c in released.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert tests and all(t.startswith("# Test for") and "\n" not in t.strip() for t in tests)  # hidden
    assert_no_leak("nbgrader", tmp_path, needles)
    q, override = wrong_answer(path)
    for who, nb in (("solution", source), ("student", student), ("wrong", None)):
        target = tmp_path / "submitted" / who / name / path.name
        target.parent.mkdir(parents=True)
        if nb is None:
            with_cell_before(as_learner(source, target), f"_check({q.problem.id!r}", override, target)
        elif who == "student":  # with its test cells emptied: nbgrader restores them from the gradebook
            tampered = nbformat.read(str(nb), as_version=4)
            for cell in tampered.cells:
                if cell.metadata.get("nbgrader", {}).get("grade"):
                    cell.source = "pass"
            nbformat.write(tampered, str(target))
        else:  # beside it the learners' sealed library: autograde must not import it (nbgrader_config.py)
            as_learner(nb, target)
            shutil.copytree(tmp_path / to_nbgrader.LEARNER / "sgdcourse", target.parent / "sgdcourse")
    run(["nbgrader", "autograde", name, "--create"], cwd=tmp_path)
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        scores = {who: gb.find_submission(name, who).score for who in ("solution", "student", "wrong")}
        assert gb.find_submission(name, "solution").max_score == full_marks(path)
    full = full_marks(path)
    assert scores == pytest.approx({"solution": full, "student": 0, "wrong": full - q.problem.points}), scores


def test_partial_credit_for_a_function_in_both_tools(tmp_path):
    """08-output-grad (the notebook's last problem, so nothing later depends on it) answered with
    the sum where the mean was asked: right on the one-example cases only. Both tools give
    points x (cases passed / cases), as python -m sgdcourse.grading grade does (nbgrader to 0.01)."""
    from nbgrader.api import Gradebook
    from otter.api import grade_submission

    from sgdcourse.practice import check

    path = ROOT / "solutions" / "08_network.ipynb"
    (q,) = [q for q in questions(load(path)) if q.problem.id == "08-output-grad"]
    override = f"def {q.expr}(z, y):\n    return 1 / (1 + np.exp(-z)) - y  # no 1/m\n"
    scope = {}
    exec("import numpy as np\n" + override, scope)
    passed, cases = check(q.problem.id, scope[q.expr]).passed
    assert 0 < passed < cases
    lost = q.problem.points * (1 - passed / cases)

    (master,) = to_otter.export([path], tmp_path / "otter")
    run(["otter", "assign", "--no-run-tests", master.name, "dist"], cwd=master.parent)
    dist = master.parent / "dist" / "autograder"
    wrong = with_answer_changed(dist / path.name, q, override, tmp_path / path.name)
    (zipped,) = dist.glob("*.zip")
    assert grade_submission(str(wrong), str(zipped), quiet=True).total == pytest.approx(full_marks(path) - lost)

    course, name = tmp_path / "nbgrader", path.stem
    (source,) = to_nbgrader.export([path], course)
    run(["nbgrader", "generate_assignment", name], cwd=course)
    target = course / "submitted" / "partial" / name / path.name
    target.parent.mkdir(parents=True)
    with_cell_before(source, f"_check({q.problem.id!r}", override, target)
    run(["nbgrader", "autograde", name, "--create"], cwd=course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        score = gb.find_submission(name, "partial").score
    assert score == pytest.approx(full_marks(path) - q.problem.points + round(q.problem.points * passed / cases, 2))
