"""Grading one submission, in a worker process: a path in, a Graded (its rows and summary) out.

    path --read_cells, identify (exercise.py)--> cells, Exercise
         --Kernel.start, run_notebook (kernel.py, execution.py)--> incidents (the summary's notes)
         --whose numbers (learner_of)--> the learner graded, and what the summary says of the id
         --read_answer(kernel, trusted expression) (remote.py)--> per problem, the value or why not
         --check_answer / missing, score_of (scoring.py)--> a gradebook.Row per problem (submission,
           problem, status, score, points, feedback, slip, variant), in the exercise's problem order; one
           answer read and checked at a time, the checks of functions (which run in the kernel) last

Whose numbers: with a roster (Options.roster: submission path -> learner id) the rostered learner's.
The kernel is started with that learner pinned (variants.PIN), so data() there gives their numbers
whatever start() the notebook names, and the answers are checked against their variant; the id the
notebook's start() named is read back and a different one is noted, as is any other learner whose
numbers the notebook's stored outputs show (a friend's notebook, its start() edited). Without a
roster, the id the notebook's start() named (read back from the kernel, so not verified), or
today's numbers when it named none.

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
from ..problems.variants import PIN, VariantBank
from .execution import run_notebook
from .exercise import SubmissionError, code_cells, identify, read_cells, shown_learners
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
    course: str = ""  # the course id (variants.course_id()): with a learner, it picks their numbers
    roster: dict | None = None  # submission path as given -> learner id; None: the id the notebook names


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
    learner: str = ""  # whose numbers it was graded with ("": today's)
    identity: str = ""  # how that learner was known: rostered (and what start() named), or not verified

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
        data = read_submission(submission, options.max_bytes)
        cells = read_cells(data)
        ex = identify(submission, cells, exercises)
        if options.exercise and ex.number != options.exercise:
            raise SubmissionError(f"wrong exercise: it is {ex.name}, not exercise {options.exercise}")
        out.exercise, out.max = ex.name, ex.max
        rostered = None
        if options.roster is not None:
            rostered = options.roster.get(submission)
            if rostered is None:
                raise SubmissionError("not in the roster: no learner to grade it as")
        _grade_notebook(out, cells, ex, options, phase, on_pid, rostered)
        others = [who for who in shown_learners(data) if who != out.learner]
        if others:
            out.identity += f"; its stored outputs show the numbers of {', '.join(map(repr, others))}"
    except SubmissionError as exc:
        out.error = str(exc)
    except KernelDied as exc:
        out.error = f"not graded: {exc}"
    except OSError as exc:
        out.error = f"could not read the file: {exc.strerror or exc}"
    except Exception as exc:  # a bug in the grader must not cost the other submissions
        out.error = f"{INTERNAL}: {type(exc).__name__}: {exc}"
    return out.fail(out.error) if out.error else out


def _grade_notebook(out, cells, ex, options, phase, on_pid, rostered):
    """The time budget: one deadline for everything the kernel does, from its start to the last
    check (Kernel.deadline); the cells get it less reserve(), what reading the answers may need.
    What the budget cut short says so: the summary's notes, and each answer not read or checked."""
    deadline = time.monotonic() + options.time_budget
    env = {PIN: rostered} if rostered else {}
    kernel = Kernel(options.memory_mb, options.check_timeout, on_pid, options.sandbox, deadline, env)
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
        phase(options.check_timeout + GRACE, "reading the learner id")
        out.learner, out.identity = learner_of(kernel, rostered)
        problems = VariantBank(bank.BANK, options.course, out.learner or None)
        out.rows = _grade_answers(out.submission, kernel, ex, incidents, cells, options, phase, problems)
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


NAMED = "__import__('sgdcourse.practice', fromlist=['SESSION']).SESSION.named"


def learner_of(kernel, rostered):
    """(learner whose numbers grade the notebook, "" for today's; what the summary says of the id):
    the rostered learner, or the id the notebook's start() named (read from the kernel)."""
    try:
        kind, named = read_answer(kernel, NAMED)
    except OutOfTime:
        kind, named = "timeout", None
    if kind != "value" or not isinstance(named, str) or not named.isprintable() or not 0 < len(named) <= 200:
        named = None
    if rostered:
        if named is None:
            return rostered, "rostered; the notebook names no id"
        if named != rostered:
            return rostered, f"rostered; the notebook names {named!r}, not {rostered!r}: graded as {rostered!r}"
        return rostered, "rostered"
    if named is None:
        return "", "no roster, and the notebook names no id: today's numbers"
    return named, "not verified: the id the notebook names (no roster)"


def _grade_answers(submission, kernel, ex, incidents, cells, options, phase, problems):
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
            rows[k] = _late(submission, pid, options, "it was read", problems)
            continue
        if kind == "value" and _holds_function(value):
            waiting.append((k, pid, expr, kind, value))
        else:
            rows[k] = _check(submission, pid, expr, kind, value, kernel, incidents, cells, options, phase, problems)
        del value
    for k, pid, expr, kind, value in waiting:
        rows[k] = _check(submission, pid, expr, kind, value, kernel, incidents, cells, options, phase, problems)
    return [rows[k] for k in sorted(rows)]


def _check(submission, pid, expr, kind, value, kernel, incidents, cells, options, phase, problems):
    """The gradebook Row of one answer: checked by the course's checker against the learner's
    variant (problems: a VariantBank), or why it is missing."""
    problem = problems[pid]
    left = kernel.deadline - time.monotonic()  # the check gets what is left of the time budget
    if kind == "value" and (kernel.out_of_time or left <= 0):
        return _late(submission, pid, options, "it was checked", problems)
    phase(min(check_budget(problem, options.check_timeout), left) + 2 * GRACE, f"checking {pid}")
    result = (
        check_answer(problem, value, options.check_timeout, limit=left, bank=problems)
        if kind == "value"
        else missing(expr, kind, value, incidents, cells)
    )
    kernel.settle()
    feedback = result.feedback
    if kind == "value" and result.status != "correct" and time.monotonic() >= kernel.deadline:
        # cut short by the budget (for a function, the cases it ran before count)
        feedback = f"{feedback} (The notebook's {options.time_budget:g} s time budget ran out during this check.)"
    slip = (result.mistake or "") if result.status == "incorrect" else ""
    score = score_of(result, problem.points)
    return Row(submission, pid, result.status, score, problem.points, feedback, slip, problems.variant(pid))


LATE = "No answer: the notebook's"  # how the feedback of an answer the time budget cut off begins


def _late(submission, pid, options, before, problems):
    """The Row of an answer not read or not checked because the notebook's time budget ran out."""
    points = problems[pid].points
    why = f"{LATE} {options.time_budget:g} s time budget ran out before {before}."
    return Row(submission, pid, "unanswered", 0.0, points, why, "", problems.variant(pid))


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
