"""grading.execution with a stand-in kernel: every path through a notebook's cells (first runs,
restarts, replays after a restart) stops at the one deadline, and the incident says which part the
time budget ran out in. The same with real kernels: tests/slow/test_grading_limits.py."""

import time

from sgdcourse.grading.execution import run_notebook
from sgdcourse.grading.kernel import OutOfTime


class FakeKernel:
    """run_cell obeys the cell's source: "fast"; "slow" (takes the whole limit, then is
    interrupted); "stuck" (ignores the interrupt); "replay-block" (fast the first time, and after
    any restart blocks until interrupted, as the stalling notebook of issue 21 did); "late" (the
    kernel's own deadline passes: OutOfTime)."""

    def __init__(self):
        self.starts, self.log = 0, []

    def start(self):
        self.starts += 1

    def run_cell(self, source, timeout):
        self.log.append((source, self.starts, timeout))
        if source == "late":
            raise OutOfTime()
        if source == "fast" or source == "replay-block" and self.starts == 0:
            return ("ok", None)
        time.sleep(timeout)
        return ("stuck", None) if source == "stuck" else ("timeout", None)


def test_replays_after_a_restart_stop_at_the_deadline():
    kernel, budget = FakeKernel(), 2.0
    cells = [(k, "replay-block") for k in range(1, 9)] + [(9, "stuck"), (10, "stuck"), (11, "stuck")]
    start = time.monotonic()
    incidents = run_notebook(kernel, cells, 1.0, deadline=start + budget)
    took = time.monotonic() - start
    assert took < budget + 0.5, f"the replays ran {took:.1f} s past a {budget} s budget"
    assert incidents[0] == (
        9,
        "cell 9 ignored the interrupt at the 1 s time limit: it was skipped and the cells before it run again "
        "in a new kernel",
    )
    number, text = incidents[-1]
    assert text.startswith(f"the notebook's time budget ran out while running cell {number} again after a restart")
    assert text.endswith("the cells from there on were not run") and kernel.starts == 1
    assert all(timeout <= budget for _, _, timeout in kernel.log)


def test_a_cell_gets_only_what_is_left_and_the_rest_is_not_run():
    kernel = FakeKernel()
    start = time.monotonic()
    incidents = run_notebook(kernel, [(1, "fast"), (2, "slow"), (3, "fast")], 30.0, deadline=start + 0.5)
    assert time.monotonic() - start < 1.5
    assert len(incidents) == 1 and incidents[0][0] == 2
    assert incidents[0][1].startswith("the notebook's time budget ran out while running cell 2 (stopped after 0.")
    assert [source for source, _, _ in kernel.log] == ["fast", "slow"]


def test_past_the_deadline_no_cell_runs():
    kernel = FakeKernel()
    incidents = run_notebook(kernel, [(4, "fast")], 30.0, deadline=time.monotonic() - 1)
    assert incidents == [(4, "the notebook's time budget ran out before cell 4; the cells from there on were not run")]
    assert kernel.log == []


def test_the_kernels_own_deadline_ends_the_run_and_names_the_cell():
    incidents = run_notebook(FakeKernel(), [(1, "fast"), (2, "late"), (3, "fast")], 30.0)
    assert incidents == [
        (2, "the notebook's time budget ran out while running cell 2; the cells from there on were not run")
    ]
