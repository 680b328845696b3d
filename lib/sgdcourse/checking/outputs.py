"""What a function answer gave on one case, and whether it agrees with the reference's output.

    output of fn(*case) --as_array()--> (float array, low precision?)  or TypeError with the reason
                        an exception instead: Raised (its type name and message)
    agree(received, expected, low)      same number of entries and |r - e| <= ATOL + RTOL |e| for
                                        each (np.allclose's test; float32 results, when low: RTOL32,
                                        ATOL32), computed in plain float arithmetic
    passes(out, expected, low_ok)       both steps: the one test of a passed case
    is_placeholder(fn)                  a body of `...`, `pass` or a docstring only: not answered yet

A leaf of the checker: functions.py (which runs the cases), funcreport.py (which writes the
feedback) and grading.wire (which asks a kernel about a function) all read these, and it imports
none of them.

The learner's function runs in the process that then compares its outputs (the forked child, or
the learner's own kernel), and it may replace np.allclose, np.asarray, math.isclose, abs or
isinstance before it returns. So the comparison uses only references taken here at import
(_asarray, and the builtins below) and plain float arithmetic on the entries, which no such patch
reaches; funcreport.py and functions.py use the same references.
"""

from __future__ import annotations

import builtins
import dis

import numpy as np

from . import timelimit
from .text import fmt

RTOL, ATOL = 1e-7, 1e-9
RTOL32, ATOL32 = 1e-5, 1e-6
# taken at import: what a learner's function replaces later does not reach the comparison
_asarray = np.asarray
_abs, _all, _any, _bool, _callable = builtins.abs, builtins.all, builtins.any, builtins.bool, builtins.callable
_enumerate, _float, _isinstance, _len, _next = (
    builtins.enumerate,
    builtins.float,
    builtins.isinstance,
    builtins.len,
    builtins.next,
)
_range, _sum, _zip = builtins.range, builtins.sum, builtins.zip
_TRIVIAL = {"RESUME", "NOP", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST", "COPY_FREE_VARS", "MAKE_CELL"}


def is_placeholder(fn):
    """True for a function whose body does nothing but return None or `...`
    (a body of `...`, `pass`, or a docstring only)."""
    if isinstance(getattr(fn, "placeholder", None), bool):  # a stand-in that knows (grading.remote.RemoteFunction)
        return fn.placeholder
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    return all(
        i.opname in _TRIVIAL and (i.opname not in ("LOAD_CONST", "RETURN_CONST") or i.argval in (None, Ellipsis))
        for i in dis.get_instructions(code)
    )


class Raised:
    """The output of a case on which the function raised `exc` (kept as its type name and message)."""

    def __init__(self, exc):
        self.text = f"{type(exc).__name__}: {_message(exc)}"


def _message(exc):
    try:
        return str(exc)[:300]
    except BaseException:  # noqa: B902 - a learner's exception whose __str__ fails
        return "(no message)"


def as_array(out):
    """(array, low precision?) for a function's output; TypeError with the reason if it is not numbers."""
    if out is None:
        raise TypeError("None (is a `return` missing?)")
    if _isinstance(out, (str, bytes, dict, set)) or _callable(out):
        raise TypeError(f"{fmt(out)}, which is not a number or an array of numbers.")
    try:
        raw = _asarray(out)
        low = raw.dtype.kind == "f" and raw.dtype.itemsize < 8
        a = _asarray(raw, dtype=float)
    except (timelimit.TimedOut, KeyboardInterrupt):
        raise
    except BaseException:  # noqa: B902 - __array__ or __float__ of a learner's object may raise anything
        raise TypeError(f"{fmt(out)}, which is not a number or an array of numbers.") from None
    return a, low


def agree(received, expected, low=False):
    """Same number of entries and np.allclose's test at float64 (or, when low, float32) tolerances,
    entry by entry in plain float arithmetic (see the module docstring)."""
    received, expected = _asarray(received, dtype=float), _asarray(expected, dtype=float)
    if received.shape != expected.shape and not (received.size == expected.size == 1):
        return False
    rtol, atol = (RTOL32, ATOL32) if low else (RTOL, ATOL)
    for r, e in _zip(received.ravel().tolist(), expected.ravel().tolist()):
        if not _close(r, e, rtol, atol):
            return False
    return True


def _close(r, e, rtol, atol):
    """np.isclose for two floats: |r - e| <= atol + rtol |e|; infinities equal only to themselves,
    nan to nothing. Only float operators, which a learner's code cannot replace."""
    if r == e:
        return True
    d = r - e
    if not (d - d == 0 and e - e == 0):  # nan, or an infinity on one side only
        return False
    return (d if d > 0 else -d) <= atol + rtol * (e if e > 0 else -e)


def passes(out, expected, low_ok):
    """Whether one case's output agrees with the expected array (float32 results at float32
    tolerances when low_ok); an output that raised or is not numbers does not."""
    if _isinstance(out, Raised):
        return False
    try:
        a, low = as_array(out)
        return agree(a, expected, low and low_ok)
    except TypeError:
        return False
