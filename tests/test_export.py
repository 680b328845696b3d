"""python -m sgdcourse.authoring export without the tools: what it reads from solutions/ and what it writes.

The real otter-grader and nbgrader runs are in test_export_tools.py (marker export); here the
generated test code is run against right and wrong answers with the course's checker.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from helpers import name_and_bound, pyproject
from sgdcourse import layout
from sgdcourse.authoring import release
from sgdcourse.authoring.cli import main as authoring
from sgdcourse.authoring.export import ExportError, load, questions
from sgdcourse.authoring.export import nbgrader as to_nbgrader
from sgdcourse.authoring.export import otter as to_otter


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
    """A right answer (the bank's reference) and a wrong one, for any kind of problem."""
    if problem.kind == "function":
        return problem.answer, lambda *args, **kwargs: None
    if problem.kind == "choice":
        return problem.answer, next(c for c in "abcd" if c != problem.answer)
    if problem.kind == "expression":
        return problem.answer, problem.answer + 1
    if isinstance(problem.answer, tuple):
        return list(problem.answer), [a + 1 for a in problem.answer]
    return problem.answer, problem.answer + 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_otter_master_has_a_question_per_problem_with_tests_that_decide(path):
    nb, qs = to_otter.master(path), questions(load(path))
    raws = [c.source for c in nb.cells if c.cell_type == "raw"]
    assert raws[0].startswith("# ASSIGNMENT CONFIG") and "ok_format: false" in raws[0]
    heads = [r for r in raws if r.startswith("# BEGIN QUESTION")]
    assert heads == [f"# BEGIN QUESTION\nname: {q.name}\npoints: {q.problem.points}" for q in qs]
    assert raws.count("# BEGIN SOLUTION") == raws.count("# END TESTS") == len(qs)
    for q in qs:
        right, wrong = right_and_wrong(q.problem)
        tests = to_otter.test_sources(q)
        assert len(tests) == (to_otter.case_count(q.problem) if q.problem.kind == "function" else 1)
        for source in tests:
            run_otter_test(source, {q.expr: right})
            for bad in (wrong, ...):
                with pytest.raises(AssertionError):
                    run_otter_test(source, {q.expr: bad, "check": fake_check})


def test_otter_partial_credit_counts_cases():
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
    assert (tmp_path / "n" / "nbgrader_config.py").is_file()
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
