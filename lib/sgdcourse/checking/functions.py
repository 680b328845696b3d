"""Checking a function the learner wrote: run it on generated cases, compare with the reference.

    check_function(answer, reference, cases, mistakes, timeout, float64)
      -> the reference's output on each case (expected, float arrays)
      -> run_cases: the answer's output on each case (in a forked child where there is one)
      -> funcreport.report: the Result (placeholder, raised, unreadable, correct, first failing case)

Each case is a dict {argument name: value}; both functions get fresh copies, positionally.
Outputs agree when they have the same number of entries and np.allclose's test
|received - expected| <= atol + rtol |expected| holds for each (sgdcourse.checking.outputs, which
computes it with references taken at import, so that a function that replaces np.allclose,
np.asarray, abs or isinstance before it returns cannot change the verdict): RTOL = 1e-7,
ATOL = 1e-9 for float64 results; for float32 (or float16) results, unless the problem asks for
float64 (float64=True, from Problem.dtype), RTOL32 = 1e-5, ATOL32 = 1e-6 (float32 keeps about 7
digits), and the feedback says so. The first failing case is reported with its inputs, the
expected and the received value (with enough digits to see the difference); if the outputs equal
a known mistake's implementation on every case, its feedback comes first.

Where the machine can fork (sgdcourse.checking.isolate) the whole check runs in a child process,
so nothing the function does (a loop with a bare `except:`, os._exit, a crash) can hang or break
the notebook: a soft timer stops ordinary loops after `timeout` s, the child is killed at
timeout + min(GRACE, timeout). A stand-in for a function that runs in another process (it has a boolean
`placeholder` attribute, as grading.remote.RemoteFunction) is called here directly: its own
process keeps the time. Anything the function raises, from ValueError to GeneratorExit and
SystemExit, is that case's error; a case that raises does not stop the others, and
Result.passed counts the cases that agree, for a grader's partial credit.
"""

from __future__ import annotations

import copy
import inspect
import warnings

import numpy as np

from . import isolate, timelimit
from .funcreport import inputs, report
from .outputs import Raised, _asarray, _enumerate, _isinstance, _next, passes
from .result import Result
from .text import fmt

GRACE = 1.0  # the child is killed at timeout + min(GRACE, timeout)


def _call(fn, case, catch_interrupt):
    try:
        return fn(*copy.deepcopy(tuple(case.values())))
    except timelimit.TimedOut:
        raise
    except KeyboardInterrupt as exc:
        if not catch_interrupt:
            raise
        return Raised(exc)
    except BaseException as exc:  # noqa: B902 - GeneratorExit, SystemExit, ...: the case's error
        return Raised(exc)


def run_cases(fn, cases, expected, low_ok, send, isolated):
    """Outputs on every case, in order; send(("progress", k, passed)) before case k."""
    outs, passed = [], 0
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for k, case in _enumerate(cases):
            send(("progress", k, passed))
            out = _call(fn, case, isolated)
            outs.append(out)
            passed += passes(out, expected[k], low_ok)
    return outs


def _signature_problem(fn, case):
    try:
        inspect.signature(fn).bind(*case.values())
    except TypeError as exc:
        return f"it cannot be called as ({', '.join(case)}): {exc}."
    except Exception:  # builtins without a signature: just try calling them
        return None
    return None


def runs_elsewhere(fn):
    """True for a stand-in whose calls run in another process (it keeps its own time limit)."""
    return isinstance(getattr(fn, "placeholder", None), bool)


def check_function(answer, reference, cases, mistakes=(), timeout=2.0, float64=False):
    """Run `answer` on `cases` (list of dicts) and compare with `reference` case by case."""
    if isinstance(answer, type):
        return Result(
            "unreadable",
            f"Could not read the answer: read {fmt(answer)}, a class, not a function. "
            "Pass the function you wrote, without calling it: check(problem_id, my_function).",
        )
    if not callable(answer):
        return Result(
            "unreadable",
            f"Could not read the answer: read {fmt(answer)}; a function was asked. "
            "Pass the function itself, without calling it: check(problem_id, my_function).",
        )
    if not cases:
        return Result("unreadable", "This problem has no test cases to run (a bug in the problem bank).")
    bad_call = _signature_problem(answer, cases[0])
    if bad_call:
        return Result("unreadable", f"Could not use {fmt(answer)}: {bad_call}")
    job = lambda send: _check(answer, reference, cases, mistakes, timeout, float64, send, isolated)  # noqa: E731
    isolated = isolate.available() and not runs_elsewhere(answer)
    if not isolated:
        return job(lambda message: None)
    kind, value, partial = isolate.run(job, timeout + min(GRACE, timeout))
    if kind == "value":
        return value
    progress = [p for p in partial if isinstance(p, tuple) and p[0] == "progress"]
    k, passed = progress[-1][1:] if progress else (0, 0)
    where = f"case {k + 1} of {len(cases)} ({inputs(cases[k])})"
    if kind == "timeout":
        return Result(
            "incorrect",
            f"Stopped after {timeout:g} s on {where}: the function did not finish in "
            "time, and it did not let itself be interrupted (a bare `except:` inside a loop?).",
            case={"index": k, "inputs": inputs(cases[k])},
            passed=(passed, len(cases)),
        )
    return Result(
        "incorrect",
        f"On {where} the function ended the process that was checking it ({value or 'os._exit, or a crash'}).",
        case={"index": k, "inputs": inputs(cases[k])},
        passed=(passed, len(cases)),
    )


def _check(answer, reference, cases, mistakes, timeout, float64, send, isolated):
    expected = [_asarray(reference(*copy.deepcopy(tuple(c.values()))), dtype=float) for c in cases]
    box = []
    kind, value = timelimit.run(
        lambda: box.append(
            run_cases(answer, cases, expected, not float64, lambda m: (box.append(m), send(m)), isolated)
        ),
        timeout,
    )
    progress = [m for m in box if _isinstance(m, tuple)]
    outs = _next((m for m in box if _isinstance(m, list)), None)
    if outs is None and kind != "timeout":  # the runner itself failed (deepcopy of a case, say)
        return Result("unreadable", f"Could not run the function ({type(value).__name__}).")
    if kind == "timeout":
        k, passed = progress[-1][1:] if progress else (0, 0)
        return Result(
            "incorrect",
            f"Stopped after {timeout:g} s on case {k + 1} of {len(cases)} "
            f"({inputs(cases[k])}): the function did not finish in time. Is there a loop that "
            "never ends?",
            case={"index": k, "inputs": inputs(cases[k])},
            passed=(passed, len(cases)),
        )
    return report(answer, outs, expected, cases, mistakes, float64)
