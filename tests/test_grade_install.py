"""The grader from its own extra alone: `pip install '.[grade]'` into a fresh venv (no jupyterlab,
nbval, pytest), then `python -m sgdcourse.grading grade` on solution 02 and on a copy of it that
carries lone surrogates in a comment, a string, a stored output and a markdown cell (valid JSON,
so an honest notebook can hold them): full marks for both, exit status 0. In the sandbox when bubblewrap is
here (else --unsandboxed, which says so). This is what an instructor's `pip install '.[grade]'`
gets (issue 21: before the extra, every row said "internal grader error: No module named 'zmq'").
Slow (a venv and an install): marker install, run by make sitetest."""

import csv
import json
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from sgdcourse.problems import select

ROOT = Path(__file__).resolve().parent.parent
SOL02 = ROOT / "solutions" / "02_sgd_by_hand.ipynb"
pytestmark = pytest.mark.install
FULL02 = str(sum(p.points for p in select(2)))  # exercise 02's full marks, from the bank

SURROGATES = 'note = "caf\udce9 \ud800"  # an honest lone surrogate: \udfff\nassert len(note) == 6\n'


def with_surrogates(path):
    """Solution 02 with lone surrogates in a code cell, a markdown cell and a stored output, as JSON
    writes them."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = {"cell_type": "code", "id": "surrogate-code", "metadata": {}, "execution_count": None}
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "caf\udce9 \udfff\n"}]
    markdown = {"cell_type": "markdown", "id": "surrogate-md", "metadata": {}, "source": "A note \ud800 here."}
    nb["cells"][1:1] = [markdown, {**code, "source": SURROGATES}]
    return json.dumps(nb, indent=1).encode("ascii")  # ensure_ascii: "\ud800" as an escape


def test_the_grade_extra_alone_grades_a_solution_to_full_marks(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "lib", src / "lib", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    py = str(env / "bin" / "python")
    subprocess.run(
        [py, "-m", "pip", "install", "--disable-pip-version-check", "-q", f"{src}[grade]"], check=True, timeout=900
    )
    probe = "import importlib.util as u; print([m for m in ('jupyterlab', 'nbval', 'pytest') if u.find_spec(m)])"
    present = subprocess.run([py, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert present == "[]", f"the extra grade brought {present}"

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "02_sgd_by_hand.ipynb").write_bytes(SOL02.read_bytes())
    (subs / "02_surrogates.ipynb").write_bytes(with_surrogates(SOL02))
    assert b"\\ud800" in (subs / "02_surrogates.ipynb").read_bytes()
    sandbox = [] if shutil.which("bwrap") else ["--unsandboxed"]
    grade = ["grade", "subs", "--solutions", str(ROOT / "solutions"), "--jobs", "2", "--out", "grades.csv"]
    proc = subprocess.run(
        [py, "-m", "sgdcourse.grading", *grade, *sandbox], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert ("each in a sandbox" in proc.stderr) == (not sandbox)
    with open(tmp_path / "grades_summary.csv", newline="", encoding="utf-8") as f:
        summary = {s["submission"]: s for s in csv.DictReader(f)}
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for name in ("subs/02_sgd_by_hand.ipynb", "subs/02_surrogates.ipynb"):
        s = summary[name]
        assert (s["total"], s["max"], s["error"], s["notes"]) == (FULL02, FULL02, "", ""), s
        assert {r["status"] for r in rows if r["submission"] == name} == {"correct", "recorded"}  # + the prediction
