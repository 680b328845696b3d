"""Grading one submission, in a worker process: a path in, a Graded (its rows and summary) out.

    path --read_cells, identify (exercise.py)--> cells, Exercise
         --Kernel.start, run_notebook (kernel.py, execution.py)--> incidents (the summary's notes)
         --read_answer(kernel, trusted expression) (remote.py)--> per problem, the value or why not
         --check_answer / missing, score_of (scoring.py)--> a gradebook.Row per problem (submission,
           problem, status, score, points, feedback), in the exercise's problem order

A submission that cannot be graded (SubmissionError, KernelDied, an unreadable file, even a bug
in the grader) gets one error row and no others. phase(seconds, what) is told before each step
how long it may take and on_pid(pid) which kernel runs it: the worker pool's watch (pool.py).
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field

from .. import problems as bank
from .execution import run_notebook
from .exercise import SubmissionError, code_cells, identify, read_cells
from .gradebook import Row
from .kernel import GRACE, START_TIMEOUT, Kernel, KernelDied
from .remote import read_answer
from .scoring import check_answer, check_budget, missing, score_of


@dataclass
class Options:
    cell_timeout: float
    check_timeout: float
    memory_mb: int
    exercise: str | None  # the number every submission must be (None: any exercise)
    sandbox: object = None  # a sandbox.Sandbox, or None when grading unsandboxed
    time_budget: float = 600.0  # seconds for running all of a notebook's cells, restarts included
    max_bytes: int = 20 * 2**20


def read_submission(path, max_bytes):
    """The bytes of a regular file that is not a symbolic link and not larger than max_bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        if os.path.islink(path):
            raise SubmissionError("not a regular file: it is a symbolic link") from None
        raise
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError("not a regular file")
        if info.st_size > max_bytes:
            raise SubmissionError(f"the file is larger than the {max_bytes // 2**20} MB limit")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SubmissionError(f"the file is larger than the {max_bytes // 2**20} MB limit")
    return data


@dataclass
class Graded:
    """What grading one submission gives: its rows (gradebook.Row) and its summary line."""

    submission: str
    exercise: str = ""
    rows: list[Row] = field(default_factory=list)
    total: float = 0.0
    max: float | str = ""
    error: str = ""
    notes: list = field(default_factory=list)

    def fail(self, why):
        """Make this a submission that could not be graded: a single error row that says why."""
        self.error, self.total = why, 0.0
        self.rows = [Row(self.submission, "", "error", 0.0, self.max, why)]
        return self


def grade_file(task, phase=lambda seconds, what: None, on_pid=None):
    """Graded for task = (submission path as given, exercises, Options); never raises."""
    submission, exercises, options = task
    out = Graded(submission)
    try:
        cells = read_cells(read_submission(submission, options.max_bytes))
        ex = identify(submission, cells, exercises)
        if options.exercise and ex.number != options.exercise:
            raise SubmissionError(f"wrong exercise: it is {ex.name}, not exercise {options.exercise}")
        out.exercise, out.max = ex.name, ex.max
        _grade_notebook(out, cells, ex, options, phase, on_pid)
    except SubmissionError as exc:
        out.error = str(exc)
    except KernelDied as exc:
        out.error = f"not graded: {exc}"
    except OSError as exc:
        out.error = f"could not read the file: {exc.strerror or exc}"
    except Exception as exc:  # a bug in the grader must not cost the other submissions
        out.error = f"internal grader error: {type(exc).__name__}: {exc}"
    return out.fail(out.error) if out.error else out


def _grade_notebook(out, cells, ex, options, phase, on_pid):
    kernel = Kernel(options.memory_mb, options.check_timeout, on_pid, options.sandbox)
    try:
        phase(START_TIMEOUT, "starting the kernel")
        kernel.start()
        incidents = run_notebook(
            kernel, code_cells(cells), options.cell_timeout, phase, deadline=time.monotonic() + options.time_budget
        )
        out.notes = [text for _, text in incidents]
        answers = []
        for pid, expr in ex.problems:
            phase(options.check_timeout + GRACE, f"reading the answer to {pid}")
            try:
                answers.append((pid, expr, *read_answer(kernel, expr)))
            except KernelDied as exc:
                raise KernelDied(f"{exc} while reading the answer to {pid}") from None
        for pid, expr, kind, value in answers:
            problem = bank.BANK[pid]
            phase(check_budget(problem, options.check_timeout) + 2 * GRACE, f"checking {pid}")
            result = (
                check_answer(problem, value, options.check_timeout)
                if kind == "value"
                else missing(expr, kind, value, incidents, cells)
            )
            kernel.settle()
            score = score_of(result, problem.points)
            out.rows.append(Row(out.submission, pid, result.status, score, problem.points, result.feedback))
        out.total = round(sum(row.score for row in out.rows), 2)
    finally:
        kernel.close()
        if kernel.leftover:
            out.notes.append("a process of the kernel could not be stopped")
