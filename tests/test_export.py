"""python -m sgdcourse.authoring export without the tools: what it reads from solutions/ and what it writes.

The real otter-grader and nbgrader runs are in test_export_tools.py (marker export); here the
generated test code is run against right and wrong answers with the course's checker.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from helpers import name_and_bound, pyproject
from sgdcourse import layout
from sgdcourse.authoring import release
from sgdcourse.authoring.cli import main as authoring
from sgdcourse.authoring.export import ExportError, leaks, load, questions
from sgdcourse.authoring.export import nbgrader as to_nbgrader
from sgdcourse.authoring.export import otter as to_otter
from sgdcourse.checking.answers import SEALED
from sgdcourse.problems import BANK, sealed


def main(args):
    """`python -m sgdcourse.authoring export ARGS`, in this process."""
    return authoring(["export", *args])


ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = layout.notebooks(ROOT / "solutions")
IDS = [p.stem for p in NOTEBOOKS]


def notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_marker_cell_belongs_to_one_question(path):
    nb = load(path)
    qs = questions(nb, path.name)
    marked = [k for k, c in enumerate(nb.cells) if c.cell_type == "code" and layout.has_solution(c.source)]
    assert sorted(k for q in qs for k in q.cells) == marked
    assert len({q.problem.id for q in qs}) == len(qs) >= 5
    assert all(q.problem.lesson == int(path.name[:2]) for q in qs)


def test_questions_refuse_what_cannot_be_graded():
    with pytest.raises(ExportError, match="no problem 'xx-nope'"):
        questions(notebook("a = 1  # SOLUTION", 'check("xx-nope", a)'))
    with pytest.raises(ExportError, match="no solution cell before it"):
        questions(notebook("a = 1", 'check("02-worked-step", a)'))
    with pytest.raises(ExportError, match="second time"):
        questions(
            notebook(
                "a = 1  # SOLUTION", 'check("02-worked-step", a)', "b = 1  # SOLUTION", 'check("02-worked-step", b)'
            )
        )


def fake_check(problem_id, answer):
    """What a notebook might define as `check` to pass every test; the tests import their own."""
    return SimpleNamespace(ok=True, status="correct", passed=(10, 10))


def run_otter_test(source, env):
    """Define the test function of an otter test cell and call it as otter does, with env."""
    scope = {}
    exec(source, scope)
    (fn,) = [v for k, v in scope.items() if k.startswith("test_")]
    fn(env)


def right_and_wrong(problem):
    """A right answer (the bank's reference) and a wrong one, for any kind of problem. For a
    prediction, any readable one earns the points (here one that differs from what happened),
    and only an unreadable one fails."""
    if problem.kind == "predict":
        if problem.options:
            return next(c for c in "abcd" if c != problem.answer), "not a letter"
        other = [a + 1 for a in problem.answer] if isinstance(problem.answer, tuple) else problem.answer + 1
        return other, "not a number"
    if problem.kind == "function":
        return problem.answer, lambda *args, **kwargs: None
    if problem.kind == "choice":
        return problem.answer, next(c for c in "abcd" if c != problem.answer)
    if problem.kind == "expression":
        return problem.answer, problem.answer + 1
    if isinstance(problem.answer, tuple):
        return list(problem.answer), [a + 1 for a in problem.answer]
    return problem.answer, problem.answer + 1


@pytest.fixture
def key_here(tmp_path, monkeypatch):
    """The current directory holds answer_key/ (the answer modules), as where otter grades."""
    sealed.answer_modules(tmp_path / to_otter.KEY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_otter_master_has_a_question_per_problem_with_tests_that_decide(path, key_here):
    nb, qs = to_otter.master(path), questions(load(path))
    raws = [c.source for c in nb.cells if c.cell_type == "raw"]
    assert raws[0].startswith("# ASSIGNMENT CONFIG") and "ok_format: false" in raws[0]
    config = raws[0].split("\n")
    assert config[config.index("files:") + 1] == "  - sgdcourse"
    assert config[config.index("autograder_files:") + 1] == "  - answer_key"
    heads = [r for r in raws if r.startswith("# BEGIN QUESTION")]
    assert heads == [f"# BEGIN QUESTION\nname: {q.name}\npoints: {q.problem.points}\ncheck_cell: false" for q in qs]
    assert raws.count("# BEGIN SOLUTION") == raws.count("# END TESTS") == len(qs)
    for q in qs:
        right, wrong = right_and_wrong(q.problem)
        tests = to_otter.test_sources(q)
        assert len(tests) == (to_otter.case_count(q.problem) if q.problem.kind == "function" else 1)
        assert all(s.split("\n")[0].startswith("# hidden") for s in tests)  # otter's mark: none for learners
        for source in tests:
            run_otter_test(source, {q.expr: right})
            for bad in (wrong, ...):
                with pytest.raises(AssertionError):
                    run_otter_test(source, {q.expr: bad, "check": fake_check})


def test_otter_tests_need_the_answer_key(tmp_path, monkeypatch):
    (q, *_) = questions(load(NOTEBOOKS[0]))
    monkeypatch.chdir(tmp_path)  # no answer_key/ here, as in a learner's folder
    with pytest.raises(FileNotFoundError, match="answer_key"):
        run_otter_test(to_otter.test_sources(q)[0], {q.expr: right_and_wrong(q.problem)[0]})


def test_otter_partial_credit_counts_cases(key_here):
    q = next(q for q in questions(load(ROOT / "solutions" / "02_sgd_by_hand.ipynb")) if q.problem.id == "02-sgd-step")
    tests = to_otter.test_sources(q)

    def half_right(w, x, y, eta):  # right only where the gradient (w x - y) x vanishes
        return w

    passed = 0
    for source in tests:
        try:
            run_otter_test(source, {"sgd_step": half_right})
            passed += 1
        except AssertionError:
            pass
    assert 0 < passed < len(tests)


def run_nbgrader_test(source, env):
    """Run an nbgrader test cell; return the value of its last expression (nbgrader's partial credit)."""
    tree = ast.parse(source)
    last = tree.body.pop() if isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "test", "exec"), env)
    return eval(compile(ast.Expression(last.value), "test", "eval"), env) if last else None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_nbgrader_cells_carry_metadata_and_tests_that_fail_on_a_wrong_answer(path):
    nb, qs = to_nbgrader.source_notebook(path), questions(load(path))
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    tests = [(c, m) for c, m in zip(nb.cells, meta) if m and m["grade"]]
    assert [(m["grade_id"], m["points"], m["locked"]) for _, m in tests] == [
        (f"test-{q.problem.id}", q.problem.points, True) for q in qs
    ]
    answers = [m for m in meta if m and m["solution"]]
    assert len(answers) == sum(len(q.cells) for q in qs) and not any(m["locked"] for m in answers)
    assert all(m["schema_version"] == 3 for m in meta if m)
    for (cell, m), q in zip(tests, qs):
        lines = cell.source.split("\n")  # all but the first comment line hidden from the release
        assert lines[0].startswith("# Test for") and lines[1] == "### BEGIN HIDDEN TESTS"
        assert lines[-1] == "### END HIDDEN TESTS" and sum("HIDDEN TESTS" in line for line in lines) == 2
        right, wrong = right_and_wrong(q.problem)
        value = run_nbgrader_test(cell.source, {q.expr: right})
        assert value == (q.problem.points if q.problem.kind == "function" else None)
        for bad in (wrong, ...):
            with pytest.raises(AssertionError):
                run_nbgrader_test(cell.source, {q.expr: bad, "check": fake_check, "_check": fake_check})


def cleared(source):
    """What nbgrader's ClearSolutions does with the empty stub: each region becomes one blank line."""
    out, inside = [], False
    for line in source.split("\n"):
        if "BEGIN SOLUTION" in line:
            inside = True
            out.append("")
        elif "END SOLUTION" in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(line for line in out if line.strip())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_nbgrader_answers_keep_the_exercise_prompt_and_the_solution(path):
    for cell in load(path).cells:
        if cell.cell_type == "code" and layout.has_solution(cell.source):
            rewritten = to_nbgrader.answer_source(cell.source)
            expected = "\n".join(line for line in release.strip_code(cell.source).split("\n") if line.strip())
            assert cleared(rewritten) == expected
            assert [
                line
                for line in rewritten.split("\n")
                if "SOLUTION" not in line
                and line.strip() != "..."
                and release.PROMPT not in line
                and not line.rstrip().endswith("= ...")
            ] == [
                layout.INLINE.sub(r"\1\2", line)
                for line in cell.source.split("\n")
                if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line
            ]


def test_nbgrader_prompt_keeps_a_return_from_ending_the_solution():
    scope = {}
    exec("def f(x):\n" + to_nbgrader.answer_source("    return 2 * x  # SOLUTION"), scope)
    assert scope["f"](3) == 6


def test_command_writes_both_trees(tmp_path, capsys):
    assert main(["otter", "--out", str(tmp_path / "o")]) == 0
    assert main(["nbgrader", str(NOTEBOOKS[1]), "--out", str(tmp_path / "n")]) == 0
    for p in NOTEBOOKS:
        folder = tmp_path / "o" / p.stem
        assert (folder / p.name).is_file() and (folder / "sgdcourse" / "practice.py").is_file()
        assert "sympy" in (folder / "requirements.txt").read_text()
        assert sorted(f.name for f in (folder / "answer_key").iterdir()) == [f"lesson{n:02d}.py" for n in BANK.lessons]
    assert (tmp_path / "n" / "nbgrader_config.py").is_file()
    assert (tmp_path / "n" / to_nbgrader.LEARNER / "sgdcourse" / "practice.py").is_file()
    assert (tmp_path / "n" / to_nbgrader.LEARNER / "requirements.txt").read_text() == to_otter.requirements()
    assert sorted(p.name for p in (tmp_path / "n" / "source").iterdir()) == [NOTEBOOKS[1].stem]
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, option",
    [(["otter"], "--out"), (["grade", "--out", "x"], "tool"), (["nbgrader", "nope.ipynb", "--out", "x"], "NOTEBOOK")],
)
def test_bad_arguments_are_argparse_errors_naming_the_option(argv, option, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and option in capsys.readouterr().err


def test_out_must_be_a_folder(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit):
        main(["otter", "--out", str(tmp_path / "file")])
    assert "--out" in capsys.readouterr().err


def test_otter_requirements_are_the_runtime_dependencies():
    wanted, _, _ = pyproject()
    listed = dict(name_and_bound(line) for line in to_otter.requirements().splitlines() if ";" not in line)
    assert listed == wanted


# What a learner receives holds no answer (issue 23): the library beside the handout is sealed,
# the scan (export.leaks) finds every problem's answer where it is and none where it is not.


@pytest.fixture(scope="module")
def needles():
    """(kept, dropped) needles of the installed bank (a few seconds: computed once)."""
    return leaks.needles(BANK)


def test_every_problem_has_a_needle_taken_from_the_bank(needles):
    kept, dropped = needles
    assert {n.problem for n in kept} == set(BANK)
    stored = {n.problem: n.text for n in kept if n.form == "stored"}
    assert stored["03-unbiased-batches"] == f'answer="{BANK["03-unbiased-batches"].answer}"'
    assert any(n.text == str(BANK["03-batch-update"].answer) for n in kept)
    assert not leaks.scan([ROOT / "exercises"], kept)  # what the course publishes anyway
    # a number one problem states is not another's answer leaking: 07-momentum-debug's example ends in -0.8
    assert "-0.8" in BANK["07-momentum-debug"].statement and BANK["02-sgd-gradient"].answer == Fraction(-4, 5)
    assert leaks.Needle("02-sgd-gradient", "value", "-0.8") in dropped


@pytest.mark.export  # copies of the library, scanned: about 10 s each
def test_scan_finds_every_answer_in_the_old_handout_library(needles):
    """The old otter export copied the whole package beside the student notebook: the scan of that
    library finds an answer of every problem (so it fails the old handout)."""
    found = {leak.needle.problem for leak in leaks.scan([ROOT / "lib" / "sgdcourse"], needles[0])}
    assert found == set(BANK)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    assert main(["otter", str(NOTEBOOKS[2]), "--out", str(out / "o")]) == 0
    assert main(["nbgrader", str(NOTEBOOKS[2]), "--out", str(out / "n")]) == 0
    return out / "o" / NOTEBOOKS[2].stem, out / "n"


@pytest.mark.export  # copies of the library, scanned: about 10 s each
def test_the_libraries_for_learners_hold_no_answer_and_the_key_holds_them_all(exported, needles):
    otter, nbgrader = exported
    learner = [otter / "sgdcourse", nbgrader / to_nbgrader.LEARNER]
    assert not leaks.scan(learner, needles[0])
    assert {leak.needle.problem for leak in leaks.scan([otter / "answer_key"], needles[0])} == set(BANK)


def test_answer_key_is_the_bank(exported):
    key = sealed.answer_key(exported[0] / "answer_key")
    assert list(key) == list(BANK) and key.lessons == BANK.lessons
    for p in key.values():
        assert not p.sealed and p.kind == BANK[p.id].kind and p.points == BANK[p.id].points
    with pytest.raises(FileNotFoundError, match="no answer modules"):
        sealed.answer_key(exported[1])


def test_check_in_a_handout_says_the_grader_decides(exported):
    """A learner's check(...) beside the sealed library: the sealed message for every problem,
    whatever the answer, and no traceback."""
    probe = (
        "from sgdcourse.practice import check, problems\n"
        "from sgdcourse.problems import BANK\n"
        "assert all(p.sealed for p in BANK.values())\n"
        "for pid in BANK:\n"
        "    for answer in (..., 0.5, 'a'):\n"
        "        print(check(pid, answer).feedback)\n"
    )
    for folder in (exported[0], exported[1] / to_nbgrader.LEARNER):
        done = subprocess.run(
            [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(folder)!r})\n" + probe],
            capture_output=True,
            text=True,
            cwd=folder,
        )
        assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]
        assert done.stdout.splitlines() == [SEALED] * (3 * len(BANK))
