"""Running a submission's code cells in order in a Kernel, and what went wrong on the way.

    [(cell number, source)] --run_notebook(kernel, ...)--> [(cell number, incident text)]

Each cell gets cell_timeout seconds and is then interrupted; a cell that raises or is stopped
becomes an incident ("cell 12 raised SyntaxError: ...", "cell 18 was stopped at the 30 s time
limit") and the run goes on. A cell that ignores the interrupt costs a new kernel: the cells
before it that finished run again (their incidents are not repeated) and it is skipped; after
max_restarts of these the rest of the notebook is not run, but the new kernel still replays the
finished cells, so the answers they set are read whatever the timing.

Time: the cells, their replays after a restart and the restarts themselves share one deadline
(time.monotonic(); the notebook's time budget less what reading its answers needs: see
submission.py). A cell, or a replay, gets at most what is left of it and is interrupted there; the
rest is then not run, and the incident says which part the budget ran out in ("... while running
cell 12 again after a restart"). The kernel's own deadline (Kernel.deadline, the whole budget) ends
any wait, the interrupts' included: its OutOfTime ends the run with such an incident too.
phase(seconds, what) is told before each step how long it may take (the worker pool's watch);
KernelDied names the cell.
"""

from __future__ import annotations

import re
import time

from .kernel import GRACE, START_TIMEOUT, KernelDied, OutOfTime

NOT_RUN = "the cells from there on were not run"


def budget_ran_out(what):
    """The incident for a time budget that ran out while doing `what`."""
    return f"the notebook's time budget ran out while {what}; {NOT_RUN}"


def run_notebook(kernel, cells, cell_timeout, phase=lambda seconds, what: None, max_restarts=2, deadline=float("inf")):
    """The incidents of running the code cells [(number, source)] in the started kernel."""
    incidents, done, restarts = [], [], 0
    at, doing = None, "starting the kernel"
    try:
        for number, source in cells:
            left = deadline - time.monotonic()
            if left <= 0:
                incidents.append((number, f"the notebook's time budget ran out before cell {number}; {NOT_RUN}"))
                break
            limit = min(cell_timeout, left)
            at, doing = number, f"running cell {number}"
            status, error = _run_cell(kernel, number, source, limit, phase)
            if status == "error":
                incidents.append((number, f"cell {number} raised {error[0]}: {_first_line(error[1])}"))
            elif status == "timeout" and limit < cell_timeout:
                incidents.append((number, budget_ran_out(f"running cell {number} (stopped after {limit:.3g} s)")))
                break
            elif status == "timeout":
                incidents.append((number, f"cell {number} was stopped at the {limit:g} s time limit"))
            elif status == "stuck":
                restarts += 1
                last = restarts > max_restarts
                incidents.append(
                    (
                        number,
                        f"cell {number} ignored the interrupt at the {limit:g} s time limit: "
                        + (NOT_RUN if last else "it was skipped and the cells before it run again in a new kernel"),
                    )
                )
                doing = f"restarting the kernel after cell {number}"
                phase(START_TIMEOUT, "restarting the kernel")
                kernel.start()
                for n, src in done:
                    left = deadline - time.monotonic()
                    at, doing = n, f"running cell {n} again after a restart"
                    if left <= 0:
                        incidents.append((n, budget_ran_out(doing)))
                        return incidents
                    status = _run_cell(kernel, n, src, min(cell_timeout, left), phase, " again")[0]
                    if status == "stuck":
                        raise KernelDied(f"the kernel got stuck in cell {n} when it ran again")
                    if status == "timeout" and left < cell_timeout:
                        incidents.append((n, budget_ran_out(f"{doing} (stopped after {left:.3g} s)")))
                        return incidents
                if last:
                    break
                continue
            if status != "timeout":
                done.append((number, source))
    except OutOfTime:
        incidents.append((at, budget_ran_out(doing)))
    return incidents


def _run_cell(kernel, number, source, cell_timeout, phase, again=""):
    """kernel.run_cell for cell `number` (again: " again" after a restart); KernelDied names the cell."""
    phase(cell_timeout + GRACE, f"running cell {number}{again}")
    try:
        return kernel.run_cell(source, cell_timeout)
    except KernelDied as exc:
        raise KernelDied(f"{exc} while running cell {number}{again}") from None


def _first_line(text):
    """The first line of an error message, without the kernel's name for the cell's file."""
    lines = [line for line in str(text).splitlines() if line.strip()]
    return re.sub(r"\([^()]*\.py, line (\d+)\)", r"(line \1)", lines[0] if lines else "")[:200]
