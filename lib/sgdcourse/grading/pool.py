"""The supervised worker pool: submissions graded in parallel, none able to hang the others.

    grade_all(tasks, jobs) --task--> _Slot: a spawned worker process running grader(task, ...)
                           <- ("begin",): the task has begun (its time budget counts from here)
                           <- ("phase", seconds, what): the step now running and its time limit
                           <- ("pid", pid or None): the kernel that runs the step
                           <- ("done", Graded)
    -> [Graded] in the tasks' order; on_done(graded, k, n) after each one

A worker is killed with its kernel's process group and replaced, and its submission gets an
error row (Graded.fail) that says why, when it dies; when it spends longer on one step than that
step's limit plus `slack` (say, a C loop that no alarm can interrupt); when it spends longer on
one submission than that submission's time budget (budget(task): submission.time_budget) plus
`slack`, whatever steps it reports; or when its resident memory, sampled every POLL seconds,
passes memory_mb (WORKER_MB). memory_mb also caps its data (RLIMIT_DATA), so that a burst between
two samples (ZeroMQ taking in one message of a thousand parts, each under its size limit) ends
there: ZeroMQ's allocation fails and it cuts the channel, which the kernel connects again (the
message is lost), or, should an allocation fail elsewhere, the worker is aborted.
Every other submission is still graded. So a class of n submissions takes at most about
ceil(n / jobs) x (budget + slack) seconds, whatever the notebooks do.

Each worker makes its temporary files (an unsandboxed kernel's folder) in a folder of its own that
the pool made and removes when the worker is done or killed (sandbox.remove_tree), so nothing is
left on disk even by a worker that died.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import tempfile
import time

from .kernel import START_TIMEOUT
from .sandbox import kill_tree, remove_tree
from .submission import Graded, grade_file, time_budget

SLACK = 30.0  # seconds on top of each step's own limit, and of a submission's budget, before a kill
WORKER_MB = 1024  # the memory a worker may hold: its data (RLIMIT_DATA) and, sampled, its resident memory
POLL = 0.1  # seconds between two looks at the workers' memory


def _worker(conn, grader, folder, memory_mb):
    """A worker process: grade each task received until None, reporting steps and kernel pids;
    temporary files go into `folder`, and its data (heap, ZeroMQ's buffers) may not pass memory_mb
    (RLIMIT_DATA; its kernels set their own limits again)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    os.environ["TMPDIR"] = tempfile.tempdir = folder
    hard = resource.getrlimit(resource.RLIMIT_DATA)[1]
    cap = memory_mb * 2**20 if hard == resource.RLIM_INFINITY else min(memory_mb * 2**20, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    while True:
        task = conn.recv()
        if task is None:
            return
        conn.send(("begin",))  # the task's time budget counts from here, not from the worker's start
        result = grader(
            task, lambda seconds, what: conn.send(("phase", seconds, what)), lambda pid: conn.send(("pid", pid))
        )
        conn.send(("done", result))


def resident_mb(pid):
    """The resident memory of process pid in MB (0 when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


class _Slot:
    """One worker process, the task it holds, how long its current step may still take, and by
    when its task must be done."""

    def __init__(self, ctx, grader, memory_mb):
        self.folder, self.memory_mb = tempfile.mkdtemp(prefix="sgdcourse-worker-"), memory_mb
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, grader, self.folder, memory_mb), daemon=True)
        self.proc.start()
        child.close()
        self.task = self.pid = None
        self.deadline, self.ends, self.what, self.allowed = float("inf"), float("inf"), "", 0.0

    def give(self, index, task, slack, budget):
        """Hand the worker a task; its budget starts when the worker says it has begun (a new worker
        first imports the grader: START_TIMEOUT + slack for that)."""
        self.task = (index, task)
        self.ends, self.budget = float("inf"), budget
        self.conn.send(task)
        self.watch(START_TIMEOUT, "starting the grading process", slack)

    def watch(self, seconds, what, slack):
        self.allowed, self.what, self.deadline = seconds + slack, what, time.monotonic() + seconds + slack

    def overdue(self):
        """Why the task must be stopped now (too long, too much memory), or None."""
        now = time.monotonic()
        if now > self.ends:
            return f"grading was stopped: it took longer than the notebook's {self.budget:g} s time budget"
        if now > self.deadline:
            return f"grading was stopped: {self.what} took longer than {self.allowed:g} s"
        if resident_mb(self.proc.pid) > self.memory_mb:
            return f"grading was stopped: the grading process held more than {self.memory_mb} MB of memory"
        return None

    def receive(self, slack):
        """Handle one message: the Graded when the task is done, "died" when the process is gone."""
        try:
            msg = self.conn.recv()
        except (EOFError, OSError):
            return "died"
        if msg[0] == "begin":
            self.ends = time.monotonic() + self.budget + slack
        elif msg[0] == "phase":
            self.watch(msg[1], msg[2], slack)
        elif msg[0] == "pid":
            self.pid = msg[1]
        elif msg[0] == "done":
            return msg[1]
        return None

    def death(self):
        """Why the worker died, as its row says it."""
        self.proc.join(1)
        code = self.proc.exitcode
        if code == -signal.SIGABRT:  # what ZeroMQ does when an allocation fails
            return f"the grading process died (it was aborted: its data is capped at {self.memory_mb} MB)"
        return "the grading process died" + (f" (exit code {code})" if code is not None else "")

    def kill(self):
        if self.pid and hasattr(os, "killpg"):
            try:
                os.killpg(self.pid, signal.SIGKILL)  # the kernel leads its own process group
            except OSError:
                pass
            kill_tree(self.pid)  # and its sandbox, should any of it have left the group
        self.proc.kill()
        self.proc.join(5)
        remove_tree(self.folder)

    def end(self, wait):
        """Let the worker leave (it was sent None) or kill it; then remove its folder."""
        self.proc.join(wait)
        if self.proc.is_alive() or self.task is not None:
            self.kill()
        remove_tree(self.folder)


def grade_all(
    tasks,
    jobs,
    on_done=lambda graded, k, n: None,
    grader=grade_file,
    slack=SLACK,
    budget=time_budget,
    memory_mb=WORKER_MB,
):
    """[Graded] for the tasks (in their order), graded by `jobs` worker processes (see the module
    docstring). grader(task, phase, on_pid) -> Graded runs in the workers (a module-level
    function: the workers are spawned); budget(task) is the task's time budget in seconds;
    memory_mb the memory a worker may hold."""
    ctx = multiprocessing.get_context("spawn")
    todo, results = list(enumerate(tasks))[::-1], {}
    slots = [_Slot(ctx, grader, memory_mb) for _ in range(max(1, min(jobs, len(tasks))))]
    try:
        while len(results) < len(tasks):
            for k, slot in enumerate(slots):
                if slot is None and todo:
                    slot = slots[k] = _Slot(ctx, grader, memory_mb)
                if slot is not None and slot.task is None and todo:
                    index, task = todo.pop()
                    slot.give(index, task, slack, budget(task))
            busy = [s for s in slots if s is not None and s.task is not None]
            timeout = min(POLL, max(0.01, min(min(s.deadline, s.ends) for s in busy) - time.monotonic()))
            ready = multiprocessing.connection.wait([s.conn for s in busy], timeout)
            for slot in busy:
                outcome = slot.receive(slack) if slot.conn in ready else None
                if outcome is None:
                    outcome = slot.overdue()
                if outcome is None:
                    continue
                index, (submission, *_rest) = slot.task
                if isinstance(outcome, str):  # the worker died or was stopped: replace it
                    why = slot.death() if outcome == "died" else outcome
                    outcome = Graded(submission).fail(why)
                    slot.kill()
                    slots[slots.index(slot)] = None
                results[index] = outcome
                slot.task = slot.pid = None
                on_done(outcome, len(results), len(tasks))
    finally:
        for slot in slots:
            if slot is not None and slot.task is None:
                try:
                    slot.conn.send(None)
                except OSError:
                    pass
        for slot in slots:
            if slot is not None:
                slot.end(2 if slot.task is None else 0)
    return [results[k] for k in range(len(tasks))]
