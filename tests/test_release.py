"""Exercise notebooks generated from solution notebooks: markers, determinism, --check."""

import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sgdcourse import practice
from sgdcourse.authoring.cli import main as authoring
from sgdcourse.authoring.release import ReleaseError, build, strip_code


def main(args):
    """`python -m sgdcourse.authoring release ARGS`, in this process."""
    return authoring(["release", *args])


GRAD = '''def grad_example(w, x, y):
    """d l / dw for l = (1/2)(w x - y)^2."""
    # BEGIN SOLUTION
    r = w * x - y
    return r * x
    # END SOLUTION'''


def solution_notebook():
    code = new_code_cell(GRAD, execution_count=3)
    code.outputs = [new_output("stream", name="stdout", text="hello\n")]
    return new_notebook(
        cells=[
            new_markdown_cell("# Lesson 2 exercises"),
            code,
            new_code_cell('w3 = Fraction(77, 250)  # SOLUTION\ncheck("02-worked-step", w3)', execution_count=4),
            new_markdown_cell("Why does SGD still work?"),
            new_markdown_cell("<!-- BEGIN SOLUTION -->"),
            new_markdown_cell("Because E[g_hat] equals the full gradient."),
            new_markdown_cell("<!-- END SOLUTION -->"),
            new_markdown_cell("Keep this.\n<!-- BEGIN SOLUTION -->\nCut this.\n<!-- END SOLUTION -->\nAnd this."),
            new_code_cell("# BEGIN SOLUTION NO PROMPT\nprint('instructor only')\n# END SOLUTION\nx = 1"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "solutions").mkdir()
    nbformat.write(solution_notebook(), tmp_path / "solutions" / "02_sgd_by_hand.ipynb")
    return tmp_path


def exercise_cells(root):
    return nbformat.read(root / "exercises" / "02_sgd_by_hand.ipynb", as_version=4).cells


def test_markers_replaced_and_outputs_cleared(repo):
    assert main(["--root", str(repo)]) == 0
    cells = exercise_cells(repo)
    text = "\n".join(c.source for c in cells)
    assert "SOLUTION" not in text and "Cut this" not in text and "instructor only" not in text
    assert "E[g_hat] equals" not in text and "Keep this.\n\nAnd this." in text
    assert cells[1].source == (
        'def grad_example(w, x, y):\n    """d l / dw for l = (1/2)(w x - y)^2."""\n    # your answer here\n    ...'
    )
    assert cells[2].source == 'w3 = ...\ncheck("02-worked-step", w3)'
    assert cells[-1].source == "x = 1"
    assert all(c.outputs == [] and c.execution_count is None for c in cells if c.cell_type == "code")
    nbformat.validate(nbformat.read(repo / "exercises" / "02_sgd_by_hand.ipynb", as_version=4))


def test_exercise_code_runs_and_is_unanswered(repo):
    main(["--root", str(repo)])
    cells = exercise_cells(repo)
    scope = {"check": practice.check}
    exec(cells[1].source, scope)
    exec(cells[2].source.split("\n")[0], scope)
    assert practice.check("02-per-example-grad", scope["grad_example"]).status == "unanswered"
    assert practice.check("02-worked-step", scope["w3"]).status == "unanswered"
    solved = {}
    exec(GRAD, solved)
    assert practice.check("02-per-example-grad", solved["grad_example"]).ok


def test_generating_twice_gives_identical_bytes(repo, capsys):
    main(["--root", str(repo)])
    path = repo / "exercises" / "02_sgd_by_hand.ipynb"
    first = path.read_bytes()
    assert main(["--root", str(repo)]) == 0 and "already up to date" in capsys.readouterr().out
    assert path.read_bytes() == first and first.endswith(b"}\n")
    assert list(json.loads(first)) == sorted(json.loads(first))


def test_notebook_without_cell_ids_is_still_deterministic(tmp_path):
    raw = {
        "cells": [
            {
                "cell_type": "code",
                "source": ["x = 1  # SOLUTION\n", "x"],
                "metadata": {},
                "outputs": [],
                "execution_count": 1,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "01_ids.ipynb").write_text(json.dumps(raw))
    a, b = build(tmp_path), build(tmp_path)
    text = a["exercises/01_ids.ipynb"]
    assert a == b and '"id": "cell-0"' in text and '"x = ...\\n"' in text


def test_check_detects_stale_missing_and_extra(repo, capsys):
    assert main(["--root", str(repo), "--check"]) == 1
    assert "missing: exercises/02_sgd_by_hand.ipynb" in capsys.readouterr().err
    main(["--root", str(repo)])
    assert main(["--root", str(repo), "--check"]) == 0
    nb = solution_notebook()
    nb.cells[0].source = "# Lesson 2 exercises, revised"
    nbformat.write(nb, repo / "solutions" / "02_sgd_by_hand.ipynb")
    assert main(["--root", str(repo), "--check"]) == 1
    err = capsys.readouterr().err
    assert "stale: exercises/02_sgd_by_hand.ipynb" in err and str(repo) not in err
    main(["--root", str(repo)])
    (repo / "exercises" / "09_orphan.ipynb").write_text("{}")
    assert main(["--root", str(repo), "--check"]) == 1
    assert "extra: exercises/09_orphan.ipynb" in capsys.readouterr().err
    main(["--root", str(repo)])
    assert not (repo / "exercises" / "09_orphan.ipynb").exists()
    assert main(["--root", str(repo), "--check"]) == 0


def test_command_line_entry_point(repo):
    run = [sys.executable, "-m", "sgdcourse.authoring", "release", "--root", str(repo), "--check"]
    assert subprocess.run(run, capture_output=True, text=True).returncode == 1
    subprocess.run(run[:-1], check=True, capture_output=True)
    done = subprocess.run(run, capture_output=True, text=True)
    assert done.returncode == 0 and "up to date" in done.stdout


@pytest.mark.parametrize(
    "source, expected",
    [
        ("x = 2  # SOLUTION", "x = ..."),
        ("    total = a + b # SOLUTION", "    total = ..."),
        ("a, b = 1, 2  # SOLUTION", "a, b = ..."),
        ("d['k'] = 3  # SOLUTION", "d['k'] = ..."),
        ("    return x * 2  # SOLUTION", "    return ..."),
        ("print(x == 2)  # SOLUTION", "..."),
        ("x = 2  # not a SOLUTION marker", "x = 2  # not a SOLUTION marker"),
        (
            "if True:\n    # BEGIN SOLUTION\n    y = 1\n    # END SOLUTION\nz = 0",
            "if True:\n    # your answer here\n    ...\nz = 0",
        ),
    ],
)
def test_strip_code(source, expected):
    assert strip_code(source) == expected


@pytest.mark.parametrize(
    "source, message",
    [
        ("# BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n# END SOLUTION", "never opened"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside"),
    ],
)
def test_unbalanced_markers_are_errors(source, message):
    with pytest.raises(ReleaseError, match=message):
        strip_code(source, "solutions/01_x.ipynb, code cell 0")


def test_unbalanced_notebook_fails_with_a_message(repo, capsys):
    nb = solution_notebook()
    nb.cells.append(new_markdown_cell("<!-- BEGIN SOLUTION -->\nopen forever"))
    nbformat.write(nb, repo / "solutions" / "02_sgd_by_hand.ipynb")
    assert main(["--root", str(repo)]) == 2
    assert "solutions/02_sgd_by_hand.ipynb: the markdown solution opened in cell" in capsys.readouterr().err
    assert main(["--root", str(repo / "nowhere")]) == 2


def test_committed_exercises_are_generated_from_the_solutions():
    """exercises/ is exactly what `python -m sgdcourse.authoring release` writes from solutions/."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "sgdcourse.authoring", "release", "--check", "--root", str(root)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
