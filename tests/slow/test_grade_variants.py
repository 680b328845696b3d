"""Grading every learner as themselves, on real kernels in the sandbox (marker kernel).

A class of five hands in exercise 04, graded in one run of the command line with a roster:
  ann  her own solution, started as herself;
  bo   his own solution, started as himself, executed (its stored outputs show his numbers);
  cat  bo's executed notebook, start() changed to her own id, with bo's answers typed in;
  dan  bo's executed notebook as it is (start names bo), with bo's answers typed in;
  eve  bo's executed notebook as it is: the solution's code, which computes from data().
Every notebook is graded as its rostered learner: ann, bo and eve earn full marks (eve's code
computes her own numbers' answers), and each copier with typed answers earns, problem by
problem, exactly what bo's answers earn on the copier's own numbers (checked here, in this
process, against the copier's variant), which is less than full marks. The summary's id column
names every mismatch: a start() naming someone else, stored outputs showing someone else's numbers.

Then the same class in three shards (--shard I/3), merged: byte for byte the one run's gradebook.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sympy as sp
from nbclient import NotebookClient

from helpers import answers_as
from sgdcourse.grading.scoring import score_of
from sgdcourse.problems import BANK

pytestmark = pytest.mark.kernel
ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "04_batch_size_variance.ipynb"
OPTIONS = ["--jobs", "2", "--cell-timeout", "30", "--memory-limit", "2048"]
IDS = {who: f"{who}@example.org" for who in ("ann", "bo", "cat", "dan", "eve")}


def started(nb, learner):
    """nb with its start(None) cell starting learner (in place); returns nb."""
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and "start(None)" in c.source]
    cell.source = cell.source.replace("start(None)", f"start({learner!r})")
    return nb


def literal(value):
    """Python source that gives value back in the notebook's namespace, or None (a function: the
    copier keeps the solution's code for it)."""
    if callable(value):
        return None
    if isinstance(value, sp.Basic):
        return f"sp.sympify({str(value)!r})"
    text = repr(value)
    back = eval(text, {"Fraction": Fraction, "np": np, "sp": sp})  # noqa: S307 - our own reprs
    assert back == value or np.allclose(np.asarray(back, dtype=float), np.asarray(value, dtype=float)), text
    return text


def typed(nb, values, exprs):
    """A copy of nb with a last cell that sets every answer to bo's value, typed in."""
    nb = nbformat.from_dict(nb)
    lines = ["from fractions import Fraction", "import numpy as np", "import sympy as sp"]
    lines += [f"{exprs[pid]} = {text}" for pid, v in values.items() if (text := literal(v)) is not None]
    nb.cells.append(nbformat.v4.new_code_cell("\n".join(lines)))
    return nb


def grade(args, cwd):
    proc = subprocess.run(
        [sys.executable, "-m", "sgdcourse.grading", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    folder = base / "class"
    folder.mkdir()
    solution = nbformat.read(SOLUTION, as_version=4)
    nbformat.write(started(nbformat.from_dict(solution), IDS["ann"]), folder / "ann.ipynb")
    bo = started(nbformat.from_dict(solution), IDS["bo"])
    NotebookClient(bo, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    nbformat.write(bo, folder / "bo.ipynb")
    nbformat.write(bo, folder / "eve.ipynb")
    from sgdcourse.grading.exercise import load_exercises

    exprs = dict(next(e for e in load_exercises(ROOT / "solutions") if e.number == "04").problems)
    values = {pid: v for pid, (v, _) in answers_as(folder / "bo.ipynb", IDS["bo"], "04").items()}
    nbformat.write(typed(bo, values, exprs), folder / "dan.ipynb")
    cat = typed(bo, values, exprs)
    (cell,) = [c for c in cat.cells if c.cell_type == "code" and "start(" in c.source and "import" not in c.source]
    cell.source = f"start({IDS['cat']!r})"
    nbformat.write(cat, folder / "cat.ipynb")
    (base / "roster.csv").write_text(
        "submission,learner\n" + "".join(f"{who}.ipynb,{learner}\n" for who, learner in IDS.items())
    )
    run = ["grade", "class", "--roster", "roster.csv", *OPTIONS]
    grade([*run, "--out", "one.csv"], base)
    for i in (1, 2, 3):
        grade([*run, "--shard", f"{i}/3", "--out", f"shard{i}.csv"], base)
    grade(["merge", "shard1.csv", "shard2.csv", "shard3.csv", "--out", "merged.csv"], base)
    rows, summary = read(base / "one.csv"), {r["submission"]: r for r in read(base / "one_summary.csv")}
    return dict(base=base, folder=folder, rows=rows, summary=summary)


def test_each_learner_with_their_own_code_earns_full_marks(klass):
    for who in ("ann", "bo", "eve"):
        line = klass["summary"][f"class/{who}.ipynb"]
        assert line["error"] == "" and float(line["total"]) == float(line["max"]), line
        assert line["learner"] == IDS[who]
    assert klass["summary"]["class/ann.ipynb"]["id"] == "rostered"
    assert f"the notebook names {IDS['bo']!r}, not {IDS['eve']!r}" in klass["summary"]["class/eve.ipynb"]["id"]


@pytest.mark.parametrize("who", ["cat", "dan"])
def test_a_copier_earns_what_the_friends_answers_earn_on_their_own_numbers(klass, who):
    path = klass["folder"] / f"{who}.ipynb"
    expected = {pid: score_of(r, BANK[pid].points) for pid, (_, r) in answers_as(path, IDS[who], "04").items()}
    graded = {r["problem"]: float(r["score"]) for r in klass["rows"] if r["submission"] == f"class/{who}.ipynb"}
    assert graded == pytest.approx(expected)
    line = klass["summary"][f"class/{who}.ipynb"]
    assert line["learner"] == IDS[who] and float(line["total"]) < float(line["max"])
    assert all(r["variant"] not in ("", "today") for r in klass["rows"] if r["problem"] == "04-sd-batch")
    if who == "dan":
        assert f"the notebook names {IDS['bo']!r}, not {IDS['dan']!r}" in line["id"]
    else:
        assert line["id"].startswith("rostered;") and f"stored outputs show the numbers of {IDS['bo']!r}" in line["id"]


def test_three_shards_merged_are_the_one_run(klass):
    base = klass["base"]
    assert (base / "merged.csv").read_bytes() == (base / "one.csv").read_bytes()
    assert (base / "merged_summary.csv").read_bytes() == (base / "one_summary.csv").read_bytes()
    sizes = [len(read(base / f"shard{i}_summary.csv")) for i in (1, 2, 3)]
    assert sizes == [2, 2, 1]
