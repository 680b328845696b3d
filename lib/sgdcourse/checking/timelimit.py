"""A soft time limit in this process: stops an ordinary runaway loop without a new process.

In the main thread (where a Jupyter kernel runs cells) a SIGALRM timer interrupts the call
between two bytecodes and the call really stops. Elsewhere (another thread, or no SIGALRM, as
on Windows) the call runs in a daemon thread that is abandoned when time is up: the notebook
gets its answer back, but the runaway thread keeps running until the kernel restarts.

A soft limit can be defeated: a bare `except:` inside a loop swallows TimedOut, and long
integer arithmetic never reaches a bytecode boundary. Learner code and sympy on learner input
therefore run in a forked child with a hard limit (sgdcourse.checking.isolate); this module is
the fallback where there is no fork, and the inner, friendlier limit inside the child.

One loop no timer can stop: on CPython 3.10, `while True:` around a `try` block whose body
makes no call never reaches the point where Python runs signal handlers (Ctrl-C in a kernel
cannot stop it either). From 3.11 on it stops like any other loop; the grader, which cannot
wait, kills such a kernel instead.
"""

from __future__ import annotations

import signal
import threading
import time


class TimedOut(BaseException):
    """Raised inside the call when time is up. A BaseException, so that the learner's
    `except Exception:` does not swallow it."""


def can_interrupt():
    """True when the timer can really stop the call (main thread with SIGALRM)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def run(fn, seconds):
    """Call fn() and return one of ("value", result), ("error", exception), ("timeout", None).

    Anything fn raises (GeneratorExit and SystemExit included) is returned, never raised;
    KeyboardInterrupt still interrupts, as the person at the keyboard asked for it.
    """
    if not seconds > 0:
        raise ValueError(f"seconds must be > 0, got {seconds!r}")
    return _with_alarm(fn, seconds) if can_interrupt() else _with_thread(fn, seconds)


def _with_alarm(fn, seconds):
    armed = [True]

    def on_alarm(signum, frame):
        if armed[0]:
            raise TimedOut()

    old_handler = signal.signal(signal.SIGALRM, on_alarm)
    start = time.monotonic()
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        try:
            return ("value", fn())
        finally:
            armed[0] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    except TimedOut:
        return ("timeout", None)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: B902 - GeneratorExit, SystemExit: the call's own error
        return ("error", exc)
    finally:
        signal.signal(signal.SIGALRM, signal.SIG_DFL if old_handler is None else old_handler)
        if old_delay:  # someone else's timer was running: give it back what is left
            left = max(old_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


def _with_thread(fn, seconds):
    box = []

    def target():
        try:
            box.append(("value", fn()))
        except BaseException as exc:  # noqa: B902 - reported to the caller, whatever it is
            box.append(("error", exc))

    worker = threading.Thread(target=target, name="sgdcourse-check", daemon=True)
    worker.start()
    worker.join(seconds)
    return box[0] if box else ("timeout", None)
