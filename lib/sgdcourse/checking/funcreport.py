"""The feedback on a function's outputs: placeholder, raised, unreadable, correct or the first
failing case, with the bank's mistake or a generic slip (slips.FUNCTION_SLIPS: sign, factor 2,
factor 1/2) named.

    report(fn, outs, expected, cases, mistakes, float64) -> Result
outs[k] is the function's output on cases[k] (an outputs.Raised where it raised), expected[k]
the reference's output as a float array. A slip is named when every output equals its change
of the expected output (Slip.how) at the tolerances of sgdcourse.checking.outputs.

The learner's function has run in this process before the report is written, so every step of
the verdict uses outputs.py's references taken at import (_asarray, _len, _isinstance, ...), never
names a patch could have replaced (np.asarray, len, isinstance).
"""

from __future__ import annotations

import copy
import warnings

import numpy as np

from .outputs import (
    Raised,
    _all,
    _any,
    _asarray,
    _enumerate,
    _isinstance,
    _len,
    _next,
    _range,
    _sum,
    _zip,
    agree,
    as_array,
    is_placeholder,
    passes,
)
from .result import Result
from .slips import FUNCTION_SLIPS, changed
from .text import fmt, pair


def inputs(case):
    """The inputs of a case as text the learner can paste back (arrays printed in full)."""
    return ", ".join(f"{name} = {fmt(_array_or_list(v))}" for name, v in case.items())


def _array_or_list(v):
    """A list as an array when it is one (a list of numbers, or of equal rows), else as it is."""
    if not _isinstance(v, list):
        return v
    try:
        return _asarray(v)
    except ValueError:  # ragged: pieces of different lengths
        return v


def _tally(outs, expected, low_ok):
    """(cases passed, cases in all), each case counted by outputs.passes."""
    return _sum(passes(out, e, low_ok) for out, e in _zip(outs, expected)), _len(outs)


def _matches(impl, cases, received, low):
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _all(
                agree(r, _asarray(impl(*copy.deepcopy(tuple(c.values()))), dtype=float), low)
                for c, r in _zip(cases, received)
            )
    except Exception:  # a mistake's implementation that cannot run on this case: no match
        return False


def report(fn, outs, expected, cases, mistakes, float64):
    """The Result for a function's outputs on the cases (see the module docstring)."""
    n = _len(cases)
    if outs and (outs[0] is Ellipsis or outs[0] is None and is_placeholder(fn)):
        return Result("unanswered", "The function is still a placeholder: write its body in place of `...`.")
    tally = _tally(outs, expected, not float64)
    error = _next(((k, o) for k, o in _enumerate(outs) if _isinstance(o, Raised)), None)
    if error is not None:
        k, raised = error
        return Result(
            "incorrect",
            f"Case {k + 1} of {n} ({inputs(cases[k])}) raised {raised.text}",
            case={"index": k, "inputs": inputs(cases[k]), "error": raised.text},
            passed=tally,
        )
    received, lows = [], []
    for k, out in _enumerate(outs):
        try:
            a, low = as_array(out)
        except TypeError as exc:
            return Result(
                "unreadable",
                f"Could not read what the function returned for case {k + 1} of {n} "
                f"({inputs(cases[k])}): it returned {exc}",
                passed=tally,
            )
        received.append(a)
        lows.append(low)
    low = _any(lows) and not float64
    precision = (
        " Its results are float32, so they were compared at float32 precision (relative "
        "tolerance 1e-05 instead of 1e-07)."
        if low
        else ""
    )
    fails = [k for k in _range(n) if not agree(received[k], expected[k], low)]
    if not fails:
        return Result(
            "correct", f"Your function agrees with the reference on all {n} test cases.{precision}", passed=(n, n)
        )
    k = fails[0]
    shown_e, shown_r = pair(expected[k], _asarray(outs[k]) if lows[k] else received[k])
    case = {"index": k, "inputs": inputs(cases[k]), "expected": shown_e, "received": shown_r}
    detail = f"First failing case ({k + 1} of {n}): {case['inputs']}\n  expected: {shown_e}\n  received: {shown_r}"
    if received[k].shape != expected[k].shape and not received[k].size == expected[k].size == 1:
        detail += f"\n  (shape {received[k].shape} where {expected[k].shape} was expected)"
    if float64 and _any(lows):
        detail += "\n  (This problem asks for float64 results; your function returns float32.)"
    elif precision:
        detail += f"\n {precision}"
    known = [m for m in mistakes if _matches(m.value, cases, received, low)]
    if known:
        return Result("incorrect", f"{known[0].feedback}\n{detail}", mistake=known[0].name, case=case, passed=tally)
    for slip in FUNCTION_SLIPS:
        if _any(e.any() for e in expected) and _all(
            agree(r, changed(slip.how, e), low) for r, e in _zip(received, expected)
        ):
            return Result("incorrect", f"{slip.text}\n{detail}", mistake=slip.name, case=case, passed=tally)
    return Result("incorrect", detail, case=case, passed=tally)
