"""The instructor's grader: crafted submissions, all graded in ONE run of the command line
(marker kernel, make slowtest: it runs some 30 kernels; tests/test_grading_*.py have the parts
without a kernel).

The shipped solutions must get full marks and the shipped exercises zero; each crafted notebook
(cheating, looping, crashing, broken, misplaced, half right) gets its honest result; and the
run never touches a submission file and gives the same gradebook when repeated.
"""

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell

from sgdcourse.grading.exercise import load_exercises
from sgdcourse.grading.pool import grade_all
from sgdcourse.grading.submission import Graded
from sgdcourse.problems import BANK, get

pytestmark = pytest.mark.kernel
ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
SOL02, EX02 = ROOT / "solutions" / "02_sgd_by_hand.ipynb", ROOT / "exercises" / "02_sgd_by_hand.ipynb"
# 15 s per cell: short enough for the looping submissions, long enough that an import in a
# kernel on a loaded 2-core machine is never mistaken for a runaway cell
OPTIONS = ["--jobs", "2", "--cell-timeout", "15", "--memory-limit", "2048"]

PARTIAL_GRAD = """def grad_example(w, x, y):
    if x < 0:
        raise ValueError("negative x")
    return (w * x - y) * x"""
PARTIAL_STEP = """def sgd_step(w, x, y, eta):
    return w - eta * (w * x - y) * x if eta <= 0.5 else w"""


def edit(source, replace=None, after=None):
    """A copy of the notebook at `source` with cells replaced {id: code} and inserted after ids."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.get("id") in (replace or {}):
            cell.source = replace[cell.id]
    for anchor, code in (after or {}).items():
        k = next(i for i, c in enumerate(nb.cells) if c.get("id") == anchor)
        nb.cells.insert(k + 1, new_code_cell(code, id=f"x-{anchor}"))
    return nb


def paste_solution_outputs(nb):
    """Copy every stored output of the solution notebook (all those 'correct's) into nb."""
    outputs = {c.id: c for c in nbformat.read(SOL02, as_version=4).cells if c.cell_type == "code"}
    for cell in nb.cells:
        if cell.get("id") in outputs:
            cell.outputs, cell.execution_count = outputs[cell.id].outputs, outputs[cell.id].execution_count
    return nb


CHEAT_CHECK = """from sgdcourse.checking import Result
def check(problem_id, answer, **kwargs):
    return Result("correct", "trust me", problem_id=problem_id)"""
CHEAT_BANK = """import dataclasses
from types import MappingProxyType
import sgdcourse.practice as practice
import sgdcourse.problems as P
object.__setattr__(P.BANK["02-worked-step"], "answer", 0.5)      # patch a reference answer
P.BANK = practice.BANK = MappingProxyType(
    {**P.BANK, "02-worked-w2": dataclasses.replace(P.BANK["02-worked-w2"], answer=0.5)})
practice.SESSION.bank = practice.VariantBank(P.BANK, practice.SESSION.course, None)  # what check() reads
w2 = w3 = 0.5
assert practice.check("02-worked-step", w3).status == "correct"  # the patch works in this kernel
assert practice.check("02-worked-w2", w2).status == "correct"
practice.check = lambda problem_id, answer, **kwargs: "correct"   # and check is monkeypatched
check = practice.check"""
STUCK = """import time
while True:
    try:
        time.sleep(0.05)
    except BaseException:   # swallows the interrupt: only a new kernel helps
        pass"""


def crafted(folder):
    """Write every crafted submission into folder; returns {name: path}."""
    nbs = {
        "02_cheat_check.ipynb": paste_solution_outputs(
            edit(EX02, after={"sol02-01": CHEAT_CHECK, "sol02-17": "w3 = 0.5"})
        ),
        "02_cheat_bank.ipynb": paste_solution_outputs(edit(EX02, after={"sol02-17": CHEAT_BANK})),
        "02_loop.ipynb": edit(
            SOL02,
            replace={"sol02-17": "while True:\n    pass\nw3 = w_t"},
            after={"sol02-18": "def sgd_step(w, x, y, eta):\n    while True:\n        pass"},
        ),
        "02_stuck.ipynb": edit(SOL02, after={"sol02-30": STUCK}),
        "02_alloc.ipynb": edit(SOL02, replace={"sol02-23": "w_full = float(np.ones(2**30).sum())"}),
        "02_exit.ipynb": edit(SOL02, after={"sol02-14": "import os\nos._exit(3)"}),
        "02_partial.ipynb": edit(
            SOL02,
            replace={
                "sol02-05": PARTIAL_GRAD,
                "sol02-08": PARTIAL_STEP,
                "sol02-11": "g1 = grad_example(w1, x[2], y[2]",
            },
        ),
        "02_inject.ipynb": edit(
            EX02,
            replace={
                "sol02-26": "expected_g_hat = \"__import__('os').system('touch PWNED')\"",
                "sol02-29": 'why_unbiased = "b"',
                "sol02-08": "def sgd_step(w, x, y, eta):\n    import os\n    os._exit(1)",
                "sol02-09": "# the notebook does not call it; the grader will",
            },
        ),
        "02_mixed.ipynb": edit(EX02, after={"sol02-30": 'check("03-batch-gradient", -2.5)'}),
    }
    paths = {}
    for name, nb in nbs.items():
        paths[name] = folder / name
        nbformat.write(nb, paths[name])
    sol = SOL02.read_bytes()
    sol01 = (ROOT / "solutions" / "01_gradient_descent.ipynb").read_bytes()
    for name, data in {
        "02_malformed.ipynb": b'{"cells": [ {"oops"',
        "02_truncated.ipynb": sol[: len(sol) // 2],
        "02_empty.ipynb": b"",
        "02_wrong.ipynb": sol01,
    }.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run_cli(args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "sgdcourse.grading", "grade", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One grader run over the shipped notebooks and all crafted ones."""
    base = tmp_path_factory.mktemp("grading")
    subs = base / "subs"
    (subs / "shipped").mkdir(parents=True)
    for path in SOLUTIONS + EXERCISES:
        (subs / "shipped" / f"{path.parent.name}_{path.name}").write_bytes(path.read_bytes())
    crafted(subs)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in subs.rglob("*") if p.is_file()}
    (base / "out").mkdir()
    start = time.monotonic()
    proc = run_cli(["subs", "--out", "out/grades.csv", *OPTIONS], base)
    seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr
    rows, summary = read_csv(base / "out" / "grades.csv"), read_csv(base / "out" / "grades_summary.csv")
    return dict(
        base=base,
        subs=subs,
        before=before,
        proc=proc,
        seconds=seconds,
        rows=rows,
        summary={s["submission"]: s for s in summary},
        summary_rows=summary,
    )


def rows_of(run, name):
    return {r["problem"]: r for r in run["rows"] if r["submission"] == f"subs/{name}"}


def test_shipped_solutions_full_marks_and_exercises_zero(run):
    for path in SOLUTIONS + EXERCISES:
        s = run["summary"][f"subs/shipped/{path.parent.name}_{path.name}"]
        assert s["exercise"] == path.stem and s["error"] == "" and s["notes"] == "", s
        want = s["max"] if path.parent.name == "solutions" else "0"
        assert s["total"] == want and float(s["max"]) > 0, s
        rows = rows_of(run, f"shipped/{path.parent.name}_{path.name}")
        for pid, row in rows.items():  # a prediction is recorded, never right or wrong
            right = "recorded" if BANK[pid].kind == "predict" else "correct"
            assert row["status"] == (right if path.parent.name == "solutions" else "unanswered"), (path, pid, row)


def test_every_submission_graded_once_sorted_with_progress(run):
    names = [s["submission"] for s in run["summary_rows"]]
    assert names == sorted(names) and len(names) == len(SOLUTIONS) + len(EXERCISES) + 13
    problems = [r["problem"] for r in run["rows"] if r["submission"] == "subs/02_partial.ipynb"]
    assert problems == [pid for pid, _ in load_exercises(ROOT / "solutions", warn=lambda t: None)[1].problems]
    assert f"[{len(names)}/{len(names)}]" in run["proc"].stderr and "subs/02_loop.ipynb: 13/16" in run["proc"].stderr
    print(f"graded {len(names)} submissions in {run['seconds']:.1f} s")


def test_redefined_check_and_pasted_outputs_earn_nothing(run):
    rows = rows_of(run, "02_cheat_check.ipynb")
    assert run["summary"]["subs/02_cheat_check.ipynb"]["total"] == "0"
    assert rows["02-worked-step"]["status"] == "incorrect" and "0.5" in rows["02-worked-step"]["feedback"]
    assert {r["status"] for p, r in rows.items() if p != "02-worked-step"} == {"unanswered"}


def test_patched_bank_and_monkeypatched_check_earn_nothing(run):
    s, rows = run["summary"]["subs/02_cheat_bank.ipynb"], rows_of(run, "02_cheat_bank.ipynb")
    # the sandboxed kernel's bank is sealed (no reference answers): the patch runs there without an
    # error, and the grader, checking with its own bank, marks the patched answers wrong
    assert "raised" not in s["notes"]
    assert s["total"] == "0" and rows["02-worked-step"]["status"] == rows["02-worked-w2"]["status"] == "incorrect"


def test_infinite_loops_are_stopped_and_the_rest_graded(run):
    s, rows = run["summary"]["subs/02_loop.ipynb"], rows_of(run, "02_loop.ipynb")
    assert s["total"] == "13" and s["error"] == "" and "cell 21 was stopped at the 15 s time limit" in s["notes"]
    assert rows["02-worked-step"]["status"] == "unanswered"
    assert rows["02-worked-step"]["feedback"] == (
        "No answer (NameError: name 'w3' is not defined): cell 21 was stopped at the 15 s time limit."
    )
    assert rows["02-sgd-step"]["status"] == "incorrect"
    assert "Stopped after 2 s on case 1 of 10" in rows["02-sgd-step"]["feedback"]
    assert rows["02-worked-w2"]["status"] == "correct"  # after the looping function, the kernel still answers


def test_a_cell_that_swallows_the_interrupt_costs_a_new_kernel_not_the_grade(run):
    s = run["summary"]["subs/02_stuck.ipynb"]
    assert s["total"] == "16" and "cell 41 ignored the interrupt" in s["notes"]


def test_huge_allocation_fails_fast_under_the_memory_cap(run):
    s, rows = run["summary"]["subs/02_alloc.ipynb"], rows_of(run, "02_alloc.ipynb")
    assert s["total"] == "15" and "cell 32 raised MemoryError" in s["notes"]
    assert rows["02-full-step"]["status"] == "unanswered" and "MemoryError" in rows["02-full-step"]["feedback"]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("02_exit.ipynb", "not graded: the kernel died (exit code 3) while running cell 19"),
        ("02_malformed.ipynb", "not a notebook: invalid JSON at line 1"),
        ("02_truncated.ipynb", "a truncated or damaged file?"),
        ("02_empty.ipynb", "empty file"),
        (
            "02_wrong.ipynb",
            "wrong exercise: the file name says 02_sgd_by_hand, but its checks are those of 01_gradient_descent",
        ),
        (
            "02_mixed.ipynb",
            "wrong exercise: it checks problems of several exercises (02_sgd_by_hand, 03_minibatch_logistic)",
        ),
    ],
)
def test_ungradable_submissions_get_one_clear_error_row(run, name, reason):
    s, rows = run["summary"][f"subs/{name}"], [r for r in run["rows"] if r["submission"] == f"subs/{name}"]
    assert reason in s["error"] and s["total"] == "0"
    assert len(rows) == 1 and (rows[0]["status"], rows[0]["problem"]) == ("error", "")
    assert reason in rows[0]["feedback"]


def passed_cases(pid, fn):
    p = get(pid)
    ok = 0
    for case in p.cases(np.random.default_rng(p.seed)):
        try:
            ok += bool(np.allclose(fn(**case), p.answer(**case), rtol=1e-7, atol=1e-9))
        except ValueError:
            pass
    return ok


def test_partial_credit_is_the_share_of_cases_passed(run):
    scope = {}
    exec(PARTIAL_GRAD + "\n" + PARTIAL_STEP, scope)
    rows = rows_of(run, "02_partial.ipynb")
    grad_ok = passed_cases("02-per-example-grad", scope["grad_example"])
    step_ok = passed_cases("02-sgd-step", scope["sgd_step"])
    assert 0 < grad_ok < 10 and 0 < step_ok < 10
    assert rows["02-per-example-grad"]["status"] == "incorrect"
    assert "raised ValueError: negative x" in rows["02-per-example-grad"]["feedback"]
    assert float(rows["02-per-example-grad"]["score"]) == round(grad_ok / 10, 2)
    assert float(rows["02-sgd-step"]["score"]) == round(step_ok / 10, 2)
    assert rows["02-sgd-gradient"]["status"] == "unanswered"
    assert rows["02-sgd-gradient"]["feedback"].endswith("cell 15 raised SyntaxError: incomplete input (line 1).")
    total = float(run["summary"]["subs/02_partial.ipynb"]["total"])
    assert total == pytest.approx(round(grad_ok / 10, 2) + round(step_ok / 10, 2) + 16 - 3)


def test_code_in_an_answer_never_runs_in_the_grader(run):
    rows = rows_of(run, "02_inject.ipynb")
    assert rows["02-unbiased"]["status"] == "unreadable" and "'__'" in rows["02-unbiased"]["feedback"]
    assert not list(run["base"].rglob("PWNED")) and not Path("PWNED").exists()
    assert rows["02-sgd-step"]["status"] == "incorrect" and "KernelDied" in rows["02-sgd-step"]["feedback"]
    assert rows["02-unbiased-choice"]["status"] == "correct"  # answers read before the crash still count
    assert run["summary"]["subs/02_inject.ipynb"]["total"] == "1"


def test_submissions_untouched_and_a_rerun_gives_the_same_gradebook(run):
    names = ["02_partial.ipynb", "02_malformed.ipynb", "shipped/solutions_02_sgd_by_hand.ipynb"]
    proc = run_cli([*(f"subs/{n}" for n in names), "--out", "out/again.csv", *OPTIONS], run["base"])
    assert proc.returncode == 0, proc.stderr
    again = read_csv(run["base"] / "out" / "again.csv")
    assert again == [r for r in run["rows"] if r["submission"] in {f"subs/{n}" for n in names}]
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in run["subs"].rglob("*") if p.is_file()}
    assert after == run["before"]


# ---- pieces, without a kernel -------------------------------------------------------------------


def _hanging_grader(task, phase, on_pid):
    """A grader for the supervisor test: 'hang' gets stuck where no alarm can reach it."""
    if task[0] == "hang":
        phase(0.2, "a step that hangs")
        time.sleep(120)
    return Graded(task[0], total=1.0, max=1)


def test_supervisor_stops_a_stuck_worker_and_grades_the_rest():
    start = time.monotonic()
    out = grade_all(
        [("hang", None, None), ("fine", None, None), ("also", None, None)], 2, grader=_hanging_grader, slack=0.5
    )
    assert time.monotonic() - start < 30
    assert out[0].error == "grading was stopped: a step that hangs took longer than 0.7 s"
    assert [g.total for g in out[1:]] == [1.0, 1.0] and not os.path.exists("hang")


def test_unsandboxed_grading_is_explicit_and_still_grades(tmp_path):
    (tmp_path / "02_x.ipynb").write_bytes(SOL02.read_bytes())
    proc = run_cli(["02_x.ipynb", "--unsandboxed", "--cell-timeout", "15"], tmp_path)
    assert proc.returncode == 0 and "WITHOUT a sandbox" in proc.stderr
    assert read_csv(tmp_path / "grades_summary.csv")[0]["total"] == "16"
