"""The supervised worker pool: submissions graded in parallel, none able to hang the others.

    grade_all(tasks, jobs) --task--> _Slot: a spawned worker process running grader(task, ...)
                           <- ("phase", seconds, what): the step now running and its time limit
                           <- ("pid", pid or None): the kernel that runs the step
                           <- ("done", Graded)
    -> [Graded] in the tasks' order; on_done(graded, k, n) after each one

A worker that dies, or spends longer on one step than that step's limit plus `slack` (say, a C
loop that no alarm can interrupt), is killed with its kernel's process group and replaced; its
submission gets an error row (Graded.fail). Every other submission is still graded.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import time

from .kernel import START_TIMEOUT
from .sandbox import kill_tree
from .submission import Graded, grade_file

SLACK = 30.0  # seconds on top of each step's own limit before the supervisor kills a worker


def _worker(conn, grader):
    """A worker process: grade each task received until None, reporting steps and kernel pids."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    while True:
        task = conn.recv()
        if task is None:
            return
        result = grader(
            task, lambda seconds, what: conn.send(("phase", seconds, what)), lambda pid: conn.send(("pid", pid))
        )
        conn.send(("done", result))


class _Slot:
    """One worker process, the task it holds, and how long its current step may still take."""

    def __init__(self, ctx, grader):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, grader), daemon=True)
        self.proc.start()
        child.close()
        self.task = self.pid = None
        self.deadline, self.what, self.allowed = float("inf"), "", 0.0

    def give(self, index, task, slack):
        self.task = (index, task)
        self.conn.send(task)
        self.watch(START_TIMEOUT, "starting the grading process", slack)

    def watch(self, seconds, what, slack):
        self.allowed, self.what, self.deadline = seconds + slack, what, time.monotonic() + seconds + slack

    def receive(self, slack):
        """Handle one message: the Graded when the task is done, "died" when the process is gone."""
        try:
            msg = self.conn.recv()
        except (EOFError, OSError):
            return "died"
        if msg[0] == "phase":
            self.watch(msg[1], msg[2], slack)
        elif msg[0] == "pid":
            self.pid = msg[1]
        elif msg[0] == "done":
            return msg[1]
        return None

    def kill(self):
        if self.pid and hasattr(os, "killpg"):
            try:
                os.killpg(self.pid, signal.SIGKILL)  # the kernel leads its own process group
            except OSError:
                pass
            kill_tree(self.pid)  # and its sandbox, should any of it have left the group
        self.proc.kill()
        self.proc.join(5)


def grade_all(tasks, jobs, on_done=lambda graded, k, n: None, grader=grade_file, slack=SLACK):
    """[Graded] for the tasks (in their order), graded by `jobs` worker processes (see the module
    docstring). grader(task, phase, on_pid) -> Graded runs in the workers (a module-level
    function: the workers are spawned)."""
    ctx = multiprocessing.get_context("spawn")
    todo, results = list(enumerate(tasks))[::-1], {}
    slots = [_Slot(ctx, grader) for _ in range(max(1, min(jobs, len(tasks))))]
    try:
        while len(results) < len(tasks):
            for k, slot in enumerate(slots):
                if slot is None and todo:
                    slot = slots[k] = _Slot(ctx, grader)
                if slot is not None and slot.task is None and todo:
                    slot.give(*todo.pop(), slack)
            busy = [s for s in slots if s is not None and s.task is not None]
            timeout = min(5.0, max(0.05, min(s.deadline for s in busy) - time.monotonic()))
            ready = multiprocessing.connection.wait([s.conn for s in busy], timeout)
            for slot in busy:
                outcome = slot.receive(slack) if slot.conn in ready else None
                if outcome is None and time.monotonic() > slot.deadline:
                    outcome = f"grading was stopped: {slot.what} took longer than {slot.allowed:g} s"
                if outcome is None:
                    continue
                index, (submission, *_rest) = slot.task
                if isinstance(outcome, str):  # the worker died or was stopped: replace it
                    why = "the grading process died" if outcome == "died" else outcome
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
                slot.proc.join(2 if slot.task is None else 0)
                if slot.proc.is_alive() or slot.task is not None:
                    slot.kill()
    return [results[k] for k in range(len(tasks))]
