"""Hostile input of every class the checker has met, for every problem of the bank: no traceback,
no check over 5 s, nothing accepted. (timed_check: tests/helpers.py.) make test sends it to one
problem of each kind in each lesson; the others carry the marker slowclaim (make slowtest)."""

import os
import time
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from helpers import sampled, timed_check
from sgdcourse.problems import BANK

HOSTILE_TIMEOUT = 0.3  # function checks with an endless loop: the hard limit is twice this


class Raises:
    """An object whose every conversion raises `exc` (any BaseException)."""

    def __init__(self, exc):
        self.exc = exc

    def _raise(self, *args):
        raise self.exc

    __float__ = __int__ = __index__ = __complex__ = __array__ = __len__ = __iter__ = __bool__ = _raise
    __eq__ = __lt__ = __gt__ = __add__ = __sub__ = __mul__ = __abs__ = __neg__ = __str__ = _raise
    __hash__ = object.__hash__


class BadReal(float):
    def __float__(self):
        raise GeneratorExit("no float")


def hostile_answers():
    w = sp.Symbol("w")
    return [
        10**10000,
        -(10**10000),
        Fraction(1, 10**10000),
        10**4400 + 1,
        1 + 2j,
        np.complex128(1j),
        sp.I,
        sp.Matrix([[3]]),
        sp.Matrix([1, 2]),
        sp.ImmutableMatrix([[1, 2], [3, 4]]),
        np.array([[1.0]]),
        np.array([[1.0], [2.0]]),
        np.ones((2, 3)),
        "9**9**9",
        "10**10**10",
        "10**10000 * w",
        "1" * 5000,
        "factorial(10**7)",
        "(((",
        "",
        "x" * 3000,
        sp.Integer(10) ** 10000,
        sp.Integer(10) ** 10000 * w,
        sp.Pow(9, sp.Pow(9, 9, evaluate=False), evaluate=False),
        sp.S.true,
        sp.Eq(w, 1),
        sp.oo,
        sp.nan,
        Raises(RuntimeError("boom")),
        Raises(GeneratorExit()),
        Raises(SystemExit(3)),
        BadReal(1.0),
        None,
        {1: 2},
        {1},
        b"0.3",
        int,
        type("Answer", (), {}),
        lambda *a: 1,
        print,
        float("nan"),
        [1, "a"],
        (),
        [[]],
        np.array(["x"]),
        np.float32(12345.678),
    ]


@pytest.mark.parametrize("pid", sampled(BANK))
def test_hostile_answers_get_feedback_in_time_and_are_never_accepted(pid):
    for answer in hostile_answers():
        r = timed_check(pid, answer)
        assert r.status != "correct", f"{answer!r:.40}: {r}"


def _hostile_functions():
    def loop_swallowing_everything(*args):
        while True:
            try:
                sum(range(1000))
            except:  # noqa: E722 - the point: a bare except that swallows the time-out
                pass

    def sleeps(*args):
        time.sleep(60)

    def raises(exc):
        def fn(*args):
            raise exc

        return fn

    def returns(value):
        return lambda *args: value

    return {
        "bare except loop": loop_swallowing_everything,
        "sleep": sleeps,
        "exit": lambda *a: os._exit(3),
        "GeneratorExit": raises(GeneratorExit()),
        "SystemExit": raises(SystemExit(1)),
        "KeyboardInterrupt": raises(KeyboardInterrupt()),
        "RecursionError": raises(RecursionError()),
        "__array__ raises": returns(Raises(RuntimeError("array"))),
        "__float__ raises GeneratorExit": returns(Raises(GeneratorExit())),
        "huge int": returns(10**10000),
        "complex": returns(1 + 2j),
        "sympy matrix": returns(sp.Matrix([[1.0]])),
        "a class": int,
        "prints": lambda *a: print("x" * 100000),
        "generator": lambda *a: (i for i in range(3)),
        "wrong arity": lambda a: a,
        "itself": lambda *a: loop_swallowing_everything,
    }


@pytest.mark.parametrize("pid", sampled(p.id for p in BANK.values() if p.kind == "function"))
def test_hostile_functions_never_raise_hang_or_pass(pid):
    for name, fn in _hostile_functions().items():
        r = timed_check(pid, fn, timeout=HOSTILE_TIMEOUT)
        assert r.status in ("incorrect", "unreadable"), f"{name}: {r}"


def test_the_default_limit_holds_for_the_worst_cases():
    """At the default time limit, neither an unstoppable loop nor sympy on a huge answer passes 5 s."""
    fn = _hostile_functions()["bare except loop"]
    r = timed_check("01-full-gradient", fn)
    assert r.status == "incorrect" and "did not finish in time" in r.feedback
    assert r.passed == (0, r.passed[1]) and r.case["index"] == 0
    for answer in ("9**9**9", 10**10000, sp.Integer(10) ** 10000 * sp.Symbol("sigma")):
        r = timed_check("04-var-batch", answer)
        assert r.status == "unreadable" and "far too large" in r.feedback, r
