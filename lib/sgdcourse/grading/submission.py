"""Grading one submission, in a worker process: a path in, a Graded (its rows and summary) out.

    path --read_cells, identify (exercise.py)--> cells, Exercise
         --Kernel.start, run_notebook (kernel.py, execution.py)--> incidents (the summary's notes)
         --read_answer(kernel, trusted expression) (remote.py)--> per problem, the value or why not
         --check_answer / missing, score_of (scoring.py)--> a gradebook.Row per problem (submission,
           problem, status, score, points, feedback), in the exercise's problem order; one answer
           read and checked at a time, the checks of functions (which run in the kernel) last

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
from .kernel import GRACE, START_TIMEOUT, Kernel, KernelDied, OutOfTime
from .remote import RemoteFunction, read_answer
from .scoring import check_answer, check_budget, missing, score_of
from .wire import MAX_DEPTH

INTERNAL = "internal grader error"  # how an error row caused by a bug in the grader begins
FLOOD = 1000  # messages for no request of the grader's (Kernel.stray) that the notes report as a flood


@dataclass
class Options:
    cell_timeout: float
    check_timeout: float
    memory_mb: int
    exercise: str | None  # the number every submission must be (None: any exercise)
    sandbox: object = None  # a sandbox.Sandbox, or None when grading unsandboxed
    time_budget: float = 600.0  # seconds for everything its kernel does: start, cells, answers, checks
    max_bytes: int = 20 * 2**20


def time_budget(task):
    """The time budget in seconds of a task (submission, exercises, Options) of the worker pool;
    infinite for a task without Options."""
    options = task[2] if isinstance(task, tuple) and len(task) > 2 else None
    return float(getattr(options, "time_budget", float("inf")))


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
        out.error = f"{INTERNAL}: {type(exc).__name__}: {exc}"
    return out.fail(out.error) if out.error else out


def _grade_notebook(out, cells, ex, options, phase, on_pid):
    """The time budget: one deadline for everything the kernel does, from its start to the last
    check (Kernel.deadline); the cells get it less reserve(), what reading the answers may need.
    What the budget cut short says so: the summary's notes, and each answer not read or checked."""
    deadline = time.monotonic() + options.time_budget
    kernel = Kernel(options.memory_mb, options.check_timeout, on_pid, options.sandbox, deadline)
    try:
        phase(START_TIMEOUT, "starting the kernel")
        try:
            kernel.start()
        except OutOfTime:
            raise KernelDied(f"the notebook's {options.time_budget:g} s time budget ran out while its kernel started")
        incidents = run_notebook(
            kernel, code_cells(cells), options.cell_timeout, phase, deadline=deadline - reserve(ex, options)
        )
        out.notes = [text for _, text in incidents]
        out.rows = _grade_answers(out.submission, kernel, ex, incidents, cells, options, phase)
        out.total = round(sum(row.score for row in out.rows), 2)
        late = [row.problem for row in out.rows if row.feedback.startswith(LATE)]
        if late:
            out.notes.append(
                f"the notebook's time budget ran out while its answers were read and checked: {', '.join(late)}"
            )
    except MemoryError:  # the worker's data limit (pool.WORKER_MB): what the kernel sent was too much
        raise KernelDied("the grader ran out of the memory it has for one notebook") from None
    finally:
        kernel.close()
        if kernel.leftover:
            out.notes.append("a process of the kernel could not be stopped")
        if kernel.stray >= FLOOD:
            out.notes.append(
                f"the kernel sent at least {kernel.stray} messages that answered no request of the grader's "
                "(a flood: what it pushed out, an answer included, may be missing)"
            )
        refused = kernel.dropped + (kernel.cut if out.rows else 0)  # a cut of a kernel that died is no message
        if refused:
            out.notes.append(
                f"the kernel sent {refused} message(s) the grader refused "
                "(unsigned, sent again, malformed, or over the size limit)"
            )


def _grade_answers(submission, kernel, ex, incidents, cells, options, phase):
    """The rows of the exercise's problems, in its order. Answers are read, decoded and checked one
    at a time, so at most one is held (wire.decode's budget bounds it), except answers that hold a
    function of the kernel: their checks, which run the learner's code there, wait until every
    other answer has been read, so a function that kills its kernel costs only its own rows."""
    rows, waiting = {}, []
    for k, (pid, expr) in enumerate(ex.problems):
        phase(options.check_timeout + GRACE, f"reading the answer to {pid}")
        try:
            kind, value = read_answer(kernel, expr)
        except KernelDied as exc:
            raise KernelDied(f"{exc} while reading the answer to {pid}") from None
        except OutOfTime:
            rows[k] = _late(submission, pid, options, "it was read")
            continue
        if kind == "value" and _holds_function(value):
            waiting.append((k, pid, expr, kind, value))
        else:
            rows[k] = _check(submission, pid, expr, kind, value, kernel, incidents, cells, options, phase)
        del value
    for k, pid, expr, kind, value in waiting:
        rows[k] = _check(submission, pid, expr, kind, value, kernel, incidents, cells, options, phase)
    return [rows[k] for k in sorted(rows)]


def _check(submission, pid, expr, kind, value, kernel, incidents, cells, options, phase):
    """The gradebook Row of one answer: checked by the course's checker, or why it is missing."""
    problem = bank.BANK[pid]
    left = kernel.deadline - time.monotonic()  # the check gets what is left of the time budget
    if kind == "value" and (kernel.out_of_time or left <= 0):
        return _late(submission, pid, options, "it was checked")
    phase(min(check_budget(problem, options.check_timeout), left) + 2 * GRACE, f"checking {pid}")
    result = (
        check_answer(problem, value, options.check_timeout, limit=left)
        if kind == "value"
        else missing(expr, kind, value, incidents, cells)
    )
    kernel.settle()
    feedback = result.feedback
    if kind == "value" and result.status != "correct" and time.monotonic() >= kernel.deadline:
        # cut short by the budget (for a function, the cases it ran before count)
        feedback = f"{feedback} (The notebook's {options.time_budget:g} s time budget ran out during this check.)"
    return Row(submission, pid, result.status, score_of(result, problem.points), problem.points, feedback)


LATE = "No answer: the notebook's"  # how the feedback of an answer the time budget cut off begins


def _late(submission, pid, options, before):
    """The Row of an answer not read or not checked because the notebook's time budget ran out."""
    points = bank.BANK[pid].points
    why = f"{LATE} {options.time_budget:g} s time budget ran out before {before}."
    return Row(submission, pid, "unanswered", 0.0, points, why)


def reserve(ex, options):
    """Seconds of the time budget kept from the cells for reading the answers: the time limit of
    one probe (check_timeout + GRACE) per problem, at most a quarter of the budget."""
    return min(options.time_budget / 4, len(ex.problems) * (options.check_timeout + GRACE))


def _holds_function(value, depth=0):
    """True when value is, or holds in a list, tuple or object array, a function of the kernel."""
    if isinstance(value, RemoteFunction):
        return True
    if isinstance(value, (list, tuple)) or getattr(getattr(value, "dtype", None), "kind", None) == "O":
        return depth < MAX_DEPTH and any(_holds_function(x, depth + 1) for x in _items(value))
    return False


def _items(value):
    return value if isinstance(value, (list, tuple)) else value.ravel().tolist()
