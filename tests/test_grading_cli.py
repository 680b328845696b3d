"""The grader's command line (grading.cli) and its verb grade (grading.grade), the parts that need
no kernel: a bad argument is an argparse error naming the option, submissions are found without
following links, and without bubblewrap the grader refuses and says how to get it. An internal
error row makes the exit status 1, and without its dependencies the grader says how to install
them. Grading real kernels is in tests/slow/test_grade.py (marker kernel, make slowtest)."""

import csv
import os
import subprocess
import sys

import pytest

from helpers import EX02, ROOT, SOL02
from sgdcourse.grading import grade
from sgdcourse.grading.cli import main as grading
from sgdcourse.grading.grade import find_submissions, plan
from sgdcourse.grading.submission import Graded


@pytest.mark.parametrize(
    "args, option",
    [
        (["x.ipynb", "--jobs", "0"], "--jobs"),
        (["x.ipynb", "--cell-timeout", "soon"], "--cell-timeout"),
        (["x.ipynb", "--memory-limit", "10"], "--memory-limit"),
        (["missing.ipynb"], "SUBMISSION"),
        (["x.ipynb", "--solutions", "nowhere"], "--solutions"),
        (["x.ipynb", "--out", "no/such/dir.csv"], "--out"),
        (["x.ipynb", "--out", "x.ipynb"], "--out"),
    ],
)
def test_bad_arguments_name_the_option(args, option, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.ipynb").write_bytes(SOL02.read_bytes())
    with pytest.raises(SystemExit) as exc:
        grading(["grade", *args])
    assert exc.value.code == 2 and f"argument {option}" in capsys.readouterr().err


def test_symbolic_links_are_found_as_themselves_and_never_followed(tmp_path):
    """A link is listed under its own name (its row will say it is a link, see
    test_grading_submission.py), and a linked folder is not walked."""
    (tmp_path / "real.ipynb").write_bytes(EX02.read_bytes())
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "real.ipynb")
    (tmp_path / "linked_dir").symlink_to(ROOT / "solutions", target_is_directory=True)
    found = find_submissions([str(tmp_path)])
    assert found == [f"{tmp_path.as_posix()}/link.ipynb", f"{tmp_path.as_posix()}/real.ipynb"]


def test_no_sandbox_means_a_refusal_that_says_how_to_get_one(tmp_path):
    (tmp_path / "02_x.ipynb").write_bytes(SOL02.read_bytes())
    env = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on it
    proc = subprocess.run(
        [sys.executable, "-m", "sgdcourse.grading", "grade", "02_x.ipynb"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "apt-get install bubblewrap" in proc.stderr and "--unsandboxed" in proc.stderr
    assert not (tmp_path / "grades.csv").exists()


def test_an_internal_error_row_makes_the_exit_status_1(tmp_path, monkeypatch, capsys):
    """A row that is an internal grader error is not a grade: the gradebook is written, the exit
    status says so (it was 0 before issue 21). The pool is replaced by one that plants such a row."""
    monkeypatch.chdir(tmp_path)
    for name in ("02_a.ipynb", "02_b.ipynb"):
        (tmp_path / name).write_bytes(SOL02.read_bytes())
    planted = "internal grader error: ModuleNotFoundError: No module named 'zmq'"

    def pool(tasks, *args, **kwargs):
        return [Graded(tasks[0][0], "02_sgd_by_hand", total=11.0, max=11), Graded(tasks[1][0]).fail(planted)]

    monkeypatch.setattr(grade, "grade_all", pool)
    monkeypatch.setattr(grade.integrity, "verify", lambda solutions: [])  # whatever the manifest's state
    assert grading(["grade", ".", "--unsandboxed", "--out", "grades.csv"]) == 1
    err = capsys.readouterr().err
    assert "1 submission hit an internal grader error (the first: 02_b.ipynb:" in err and "'.[grade]'" in err
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as f:
        assert [r["feedback"] for r in csv.DictReader(f)] == [planted]
    monkeypatch.setattr(grade, "grade_all", lambda tasks, *a, **k: [Graded(t[0]).fail("empty file") for t in tasks])
    assert grading(["grade", ".", "--unsandboxed", "--out", "grades.csv"]) == 0  # an ordinary error row: 0


def test_without_the_graders_dependencies_it_says_how_to_install_them(tmp_path):
    """As after `pip install '.[test]'` without pyzmq: no traceback, no gradebook of error rows
    and exit 0 (issue 21), but the command that installs them and a non-zero status; and the verb
    manifest still runs."""
    (tmp_path / "fake" / "zmq").mkdir(parents=True)
    (tmp_path / "fake" / "zmq" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'zmq'\", name='zmq')\n"
    )
    (tmp_path / "02_x.ipynb").write_bytes(SOL02.read_bytes())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "fake"), os.environ.get("PYTHONPATH", "")])}
    run = [sys.executable, "-m", "sgdcourse.grading"]
    proc = subprocess.run(
        [*run, "grade", "02_x.ipynb", "--unsandboxed"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "No module named 'zmq'" in proc.stderr and "pip install" in proc.stderr and "[grade]" in proc.stderr
    manifest = subprocess.run([*run, "manifest", "--check"], env=env, capture_output=True, text=True, timeout=120)
    assert manifest.returncode in (0, 1) and "Traceback" not in manifest.stderr, manifest.stderr


def test_the_exercise_option_reads_digits_as_file_names_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.ipynb").write_bytes(SOL02.read_bytes())
    monkeypatch.setattr(grade.integrity, "verify", lambda solutions: [])
    assert plan(["x.ipynb"], "grades.csv", None, "０２")[4] == "02"
