"""grading.pool with stand-in graders (real spawned workers, no kernel): a worker that overruns its
submission's time budget is killed at budget + slack however busy it says it is, one that takes
too much memory is stopped at its limit, and a dead worker's temporary folder is removed."""

import os
import resource
import tempfile
import time

from sgdcourse.grading.pool import grade_all
from sgdcourse.grading.submission import Graded


def _grader(task, phase, on_pid):
    """What each stand-in task does: see the tests below."""
    kind = task[0]
    if kind == "busy":  # reports a new step every 0.2 s for 20 s: each step is in time, the whole is not
        for _ in range(100):
            phase(1.0, "a step")
            time.sleep(0.2)
    if kind == "greedy":  # holds more and more memory, 16 MB at a time, up to 2 GB
        hoard = [bytearray(16 * 2**20) for _ in range(128) if not time.sleep(0.01)]
        return Graded(kind, total=len(hoard), max=1)
    if kind == "dies":  # leaves files in its temporary folder, then dies
        folder = tempfile.mkdtemp()
        with open(os.path.join(folder, "left"), "wb") as f:
            f.write(b"x" * 2**20)
        with open(os.path.join(task[1], "tmp"), "w") as f:
            f.write(tempfile.gettempdir())
        os._exit(3)
    if kind == "limits":
        return Graded(kind, notes=[resource.getrlimit(resource.RLIMIT_DATA)[0] // 2**20])
    return Graded(kind, total=1.0, max=1)


def test_a_worker_past_its_budget_is_killed_whatever_steps_it_reports():
    start = time.monotonic()
    out = grade_all([("busy", None, None), ("fine", None, None)], 2, grader=_grader, slack=0.5, budget=lambda task: 2.0)
    took = time.monotonic() - start
    assert out[0].error == "grading was stopped: it took longer than the notebook's 2 s time budget"
    assert out[1].total == 1.0 and 2.5 <= took < 10


def test_the_budget_counts_from_the_tasks_start_not_the_workers():
    """A new worker first imports the grader (numpy, sympy: longer than 0.1 s anywhere); a quick
    task with a 0.05 s budget and 0.05 s of slack is still graded, as its time starts when the
    worker begins it."""
    out = grade_all([("fine", None, None)] * 2, 2, grader=_grader, slack=0.05, budget=lambda task: 0.05)
    assert [o.error for o in out] == ["", ""] and [o.total for o in out] == [1.0, 1.0]


def test_a_worker_past_its_memory_limit_is_stopped():
    """Stopped by the sample of its resident memory, or by its data limit (MemoryError, or for
    ZeroMQ an abort), whichever comes first; never by the budget."""
    tasks = [("greedy", None, None), ("fine", None, None), ("limits", None, None)]
    out = grade_all(tasks, 2, grader=_grader, memory_mb=300, budget=lambda task: 20.0)
    assert out[0].error.startswith(
        ("grading was stopped: the grading process held more than 300 MB", "the grading process died")
    ), out[0].error
    assert out[1].total == 1.0 and out[2].notes == [300]


def test_a_dead_workers_temporary_folder_is_removed(tmp_path):
    out = grade_all([("dies", str(tmp_path), None), ("fine", None, None)], 1, grader=_grader)
    assert out[0].error == "the grading process died (exit code 3)" and out[1].total == 1.0
    folder = (tmp_path / "tmp").read_text()
    assert os.path.basename(folder).startswith("sgdcourse-worker-") and not os.path.exists(folder)
