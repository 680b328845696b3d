"""The grader's command line (grading.cli) and its verb grade (grading.grade), the parts that need
no kernel: a bad argument is an argparse error naming the option, submissions are found without
following links, and without bubblewrap the grader refuses and says how to get it. Grading real
kernels is in tests/slow/test_grade.py (marker kernel, make slowtest)."""

import os
import subprocess
import sys

import pytest

from helpers import EX02, ROOT, SOL02
from sgdcourse.grading.cli import main as grading
from sgdcourse.grading.grade import find_submissions


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
