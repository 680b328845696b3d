"""Checking a function the learner wrote: run it on generated cases, compare with the reference.

Each case is a dict {argument name: value}; both functions get fresh copies, positionally.
Outputs agree when they have the same number of entries and np.allclose(received, expected,
rtol, atol) holds. The learner's function runs under one time limit for all the cases.
The first failing case is reported with its inputs, the expected and the received value; if
the outputs equal a known mistake's implementation on every case, its feedback comes first.
A case that raises does not stop the others: Result.passed counts the cases that agree (up to
a timeout, the cases finished before it), for a grader's partial credit.
"""
from __future__ import annotations

import copy
import dis
import inspect
import warnings

import numpy as np

from . import timelimit
from .checking import Result, fmt

RTOL, ATOL = 1e-7, 1e-9
_TRIVIAL = {"RESUME", "NOP", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST", "COPY_FREE_VARS", "MAKE_CELL"}


def is_placeholder(fn):
    """True for a function whose body does nothing but return None or `...`
    (a body of `...`, `pass`, or a docstring only)."""
    if isinstance(getattr(fn, "placeholder", None), bool):  # a stand-in that knows (grading.remote.RemoteFunction)
        return fn.placeholder
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    return all(i.opname in _TRIVIAL and (i.opname not in ("LOAD_CONST", "RETURN_CONST") or i.argval in (None, Ellipsis))
               for i in dis.get_instructions(code))


class _Raised:
    """The output of a case on which the function raised `exc`."""

    def __init__(self, exc):
        self.exc = exc


def _call_all(fn, cases, progress, outs):
    """Append fn's output on every case to outs (a _Raised where it raised, and on to the next
    case); returns (outs, (index, exc) of the first exception or None)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for k, case in enumerate(cases):
            progress[0] = k
            try:
                outs.append(fn(*copy.deepcopy(tuple(case.values()))))
            except (Exception, SystemExit) as exc:
                outs.append(_Raised(exc))
    return outs, _first_error(outs)


def _first_error(outs):
    return next(((k, o.exc) for k, o in enumerate(outs) if isinstance(o, _Raised)), None)


def _tally(outs, reference, cases):
    """(cases whose output agrees with the reference, cases in all) for the outputs so far."""
    passed = 0
    for out, case in zip(outs, cases):
        try:
            passed += not isinstance(out, _Raised) and _agree(
                _as_array(out), np.asarray(reference(*copy.deepcopy(tuple(case.values()))), dtype=float))
        except TypeError:
            pass
    return passed, len(cases)


def _as_array(out):
    if out is None:
        raise TypeError("None (is a `return` missing?)")
    if isinstance(out, (str, bytes, dict, set)) or callable(out):
        raise TypeError(f"{fmt(out)}, which is not a number or an array of numbers.")
    try:
        a = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{fmt(out)}, which is not a number or an array of numbers.") from None
    return a


def _agree(received, expected, rtol=RTOL, atol=ATOL):
    if received.shape != expected.shape and not (received.size == expected.size == 1):
        return False
    return bool(np.allclose(received.reshape(expected.shape), expected, rtol=rtol, atol=atol))


def _inputs(case):
    return ", ".join(f"{name} = {fmt(np.asarray(v) if isinstance(v, list) else v)}" for name, v in case.items())


def _signature_problem(fn, case):
    try:
        inspect.signature(fn).bind(*case.values())
    except TypeError as exc:
        return f"it cannot be called as ({', '.join(case)}): {exc}."
    except ValueError:  # builtins without a signature: just try calling them
        return None
    return None


def check_function(answer, reference, cases, mistakes=(), timeout=2.0):
    """Run `answer` on `cases` (list of dicts) and compare with `reference` case by case."""
    if not callable(answer) or isinstance(answer, type):
        return Result("unreadable", f"Could not read the answer: read {fmt(answer)}; a function was asked. "
                      "Pass the function itself, without calling it: check(problem_id, my_function).")
    if not cases:
        return Result("unreadable", "This problem has no test cases to run (a bug in the problem bank).")
    bad_call = _signature_problem(answer, cases[0])
    if bad_call:
        return Result("unreadable", f"Could not use {fmt(answer)}: {bad_call}")
    n = len(cases)
    progress, outs = [0], []
    kind, value = timelimit.run(lambda: _call_all(answer, cases, progress, outs), timeout)
    if kind == "timeout":
        k, error, done = progress[0], _first_error(outs), outs[:progress[0]]
        if error is None:
            return Result("incorrect", f"Stopped after {timeout:g} s on case {k + 1} of {n} ({_inputs(cases[k])}): "
                          "the function did not finish in time. Is there a loop that never ends?",
                          case={"index": k, "inputs": _inputs(cases[k])}, passed=_tally(done, reference, cases))
        value = (done, error)
    elif kind == "error":  # the runner itself failed (deepcopy of a case, say)
        return Result("unreadable", f"Could not run the function: {type(value).__name__}: {value}")
    outs, error = value
    if outs and (outs[0] is Ellipsis or outs[0] is None and is_placeholder(answer)):
        return Result("unanswered", "The function is still a placeholder: write its body in place of `...`.")
    if error is not None:
        k, exc = error
        return Result("incorrect", f"Case {k + 1} of {n} ({_inputs(cases[k])}) raised "
                      f"{type(exc).__name__}: {exc}",
                      case={"index": k, "inputs": _inputs(cases[k]), "error": f"{type(exc).__name__}: {exc}"},
                      passed=_tally(outs, reference, cases))
    expected = [np.asarray(reference(*copy.deepcopy(tuple(c.values()))), dtype=float) for c in cases]
    received = []
    for k, out in enumerate(outs):
        try:
            received.append(_as_array(out))
        except TypeError as exc:
            return Result("unreadable", f"Could not read what the function returned for case {k + 1} of {n} "
                          f"({_inputs(cases[k])}): it returned {exc}", passed=_tally(outs, reference, cases))
    fails = [k for k in range(n) if not _agree(received[k], expected[k])]
    if not fails:
        return Result("correct", f"Your function agrees with the reference on all {n} test cases.", passed=(n, n))
    tally = (n - len(fails), n)
    k = fails[0]
    case = {"index": k, "inputs": _inputs(cases[k]), "expected": fmt(expected[k]), "received": fmt(received[k])}
    detail = (f"First failing case ({k + 1} of {n}): {case['inputs']}\n"
              f"  expected: {case['expected']}\n  received: {case['received']}")
    if received[k].shape != expected[k].shape and not received[k].size == expected[k].size == 1:
        detail += f"\n  (shape {received[k].shape} where {expected[k].shape} was expected)"
    for m in mistakes:
        if _matches(m.value, cases, received):
            return Result("incorrect", f"{m.feedback}\n{detail}", mistake=m.name, case=case, passed=tally)
    return Result("incorrect", detail, case=case, passed=tally)


def _matches(impl, cases, received):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for c, r in zip(cases, received):
            if not _agree(r, np.asarray(impl(*copy.deepcopy(tuple(c.values()))), dtype=float)):
                return False
    return True
