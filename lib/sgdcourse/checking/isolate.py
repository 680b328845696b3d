"""Run risky work in a forked child process that is killed at the deadline.

Some answers cannot be stopped from inside the process that checks them: a learner's loop with a
bare `except:` swallows any exception a timer raises, and long integer arithmetic (sympy asked to
simplify 10**10000, or to parse "9**9**9") never returns to the interpreter until it is done.
A child process has neither problem: at the deadline it gets SIGKILL, which nothing can catch.

    run(job, seconds) -> (kind, value, partial)
        kind "value"   job(send) returned value          kind "error"  job raised; value is its text
        kind "timeout" the child was killed at the deadline   kind "died"  it ended without a word
        partial: the objects job passed to send() so far, oldest first (so a timed-out job can
        still report what it had found)

fork copies the parent's memory lazily, so a child costs a few milliseconds even in a large
kernel; everything the job sends back is pickled. The child writes nothing to the notebook
(stdout and stderr go to /dev/null) and leaves with os._exit, running no clean-up of the
parent's. Where there is no fork (Windows), available() is False and callers fall back to
sgdcourse.checking.timelimit.

Ctrl-C: an interrupt while waiting kills the child and reaches the caller as KeyboardInterrupt,
as the person at the keyboard asked for it.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
import warnings

_HEADER = 8


def available():
    """True where work can run in a forked child (POSIX with os.fork)."""
    return hasattr(os, "fork") and sys.platform != "win32"


def _write_all(fd, obj):
    try:
        data = pickle.dumps(obj)
    except Exception as exc:  # something the job produced cannot be pickled
        data = pickle.dumps(("error", f"the result could not be sent back ({type(exc).__name__})"))
    data = len(data).to_bytes(_HEADER, "big") + data
    while data:
        data = data[os.write(fd, data) :]


def _child(job, fd):
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(null, target)
        sys.stdout = sys.stderr = open(os.devnull, "w")
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            outcome = ("value", job(lambda obj: _write_all(fd, ("partial", obj))))
        except BaseException as exc:  # noqa: B902 - the child reports everything, then leaves
            outcome = ("error", f"{type(exc).__name__}: {exc}"[:300])
        _write_all(fd, outcome)
    finally:
        os._exit(0)


def _frames(buf):
    out = []
    while len(buf) >= _HEADER:
        size = int.from_bytes(buf[:_HEADER], "big")
        if len(buf) < _HEADER + size:
            break
        out.append(pickle.loads(buf[_HEADER : _HEADER + size]))
        buf = buf[_HEADER + size :]
    return out, buf


def run(job, seconds):
    """Run job(send) in a child process for at most `seconds`; see the module docstring."""
    if not seconds > 0:
        raise ValueError(f"seconds must be > 0, got {seconds!r}")
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork of a process with threads
        pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(job, write_fd)
    os.close(write_fd)
    deadline, buf, frames = time.monotonic() + seconds, b"", []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout", None, [obj for tag, obj in frames if tag == "partial"]
            if not select.select([read_fd], [], [], left)[0]:
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            new, buf = _frames(buf + chunk)
            frames += new
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    partial = [obj for tag, obj in frames if tag == "partial"]
    final = [f for f in frames if f[0] in ("value", "error")]
    if not final:
        return "died", None, partial
    return final[-1][0], final[-1][1], partial
