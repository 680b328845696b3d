"""grading.wire, the JSON codec between the learner's kernel and the grader: every kind of value
comes back as it went, sympy text only through the `sympy` hook, a function only through the
`remote` hook, and a placeholder function is flagged as one. An answer is measured against its
budget before anything is built, malformed data is a WireError and nothing else, and a lone
surrogate travels escaped (issue 21)."""

import json
import time
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from sgdcourse.grading import wire
from sgdcourse.grading.sympytext import from_srepr
from sgdcourse.grading.wire import WireError, decode, encode


def test_codec_round_trip():
    g, k, N = sp.IndexedBase("g"), sp.Symbol("k", integer=True, positive=True), sp.Symbol("N", integer=True)
    values = [
        Ellipsis,
        None,
        True,
        3,
        -2.5,
        float("inf"),
        Fraction(77, 250),
        1 + 2j,
        "b",
        [1, (2.0, "x")],
        sp.Sum(g[k] / N, (k, 1, N)),
        sp.Rational(1, 3) * sp.sqrt(2),
        np.float64(0.25),
    ]
    for v in values:
        back = decode(encode(v), sympy=from_srepr)
        assert back == v or (v is Ellipsis and back is Ellipsis)
    a = np.arange(6.0).reshape(2, 3)
    b = decode(encode(a))
    assert b.dtype == a.dtype and (b == a).all()
    o = decode(encode(np.array([Fraction(1, 3)], dtype=object)))
    assert o.dtype == object and o[0] == Fraction(1, 3)
    with pytest.raises(WireError):
        encode(lambda: 1)


def test_sympy_text_is_read_only_through_the_sympy_hook():
    """decode itself builds no sympy object: the text goes to the hook, or is refused."""
    data = encode([1, sp.Symbol("x") + 1])
    with pytest.raises(WireError, match="sympy= hook"):
        decode(data)
    seen = []
    assert decode(data, sympy=lambda text: seen.append(text) or "rebuilt") == [1, "rebuilt"]
    assert seen == ["Add(Symbol('x'), Integer(1))"]


def test_functions_travel_as_references_through_the_remote_hook():
    def grad(w, x, y=0):
        return (w * x - y) * x

    def placeholder(w, x, y): ...

    functions = {}
    data = encode([grad, placeholder], functions)
    assert functions == {0: grad, 1: placeholder}
    assert [d["placeholder"] for d in data["v"]] == [False, True]
    assert data["v"][0]["params"] == [["w", 1, False], ["x", 1, False], ["y", 1, True]]
    with pytest.raises(WireError):
        decode(data)  # no remote hook: a function cannot be read
    assert decode(data, remote=lambda ref, name, params, placeholder: (ref, name, placeholder)) == [
        (0, "grad", False),
        (1, "placeholder", True),
    ]


# ---- the budget of one decoded answer (issue 21): measured before anything is built ------------


def counting_hooks():
    """(calls, sympy hook, remote hook): the hooks record every call, so a test sees whether
    anything was built before the data was refused."""
    calls = []
    return calls, lambda text: calls.append(text) or text, lambda *args: calls.append(args) or args


@pytest.mark.parametrize(
    "payload, budget",
    [
        ([{"t": "none"}] * wire.MAX_VALUES, "values"),
        ([{"t": "str", "v": "x" * 2**20}] * (wire.MAX_CHARACTERS // 2**20 + 1), "characters"),
        ([{"t": "sympy", "v": "Integer(1)"}] * (wire.MAX_SYMPY + 1), "sympy expressions"),
        ([{"t": "sympy", "v": "x" * (wire.MAX_TEXT // 2 + 1)}] * 2, "characters of sympy text"),
        ([{"t": "function", "ref": 0, "name": "f"}] * (wire.MAX_FUNCTIONS + 1), "functions"),
        ([{"t": "other", "type": f"T{k}"} for k in range(wire.MAX_KINDS + 1)], "kinds of values"),
        ([{"t": "function", "ref": 0, "params": [["a", 1, False]] * wire.MAX_VALUES}], "values"),
    ],
)
def test_an_answer_over_its_budget_is_refused_before_anything_is_built(payload, budget):
    """Each budget of wire.measure: the hooks are never called (a sympy and a function node come
    first), so nothing was built. Without the budget the data decodes and this test fails."""
    calls, sympy_hook, remote_hook = counting_hooks()
    data = {"t": "list", "v": [{"t": "sympy", "v": "Integer(1)"}, {"t": "function", "ref": 0}, *payload]}
    with pytest.raises(WireError, match=budget):
        decode(data, remote=remote_hook, sympy=sympy_hook)
    assert calls == []


def test_deep_data_is_refused_without_recursion():
    """100,000 levels (the kernel's JSON of issue 21): refused by measure's loop, not a RecursionError."""
    node = {"t": "none"}
    for _ in range(100_000):
        node = {"t": "list", "v": [node]}
    with pytest.raises(WireError, match="nested more than 40 levels"):
        decode(node)
    node = {"t": "none"}
    for _ in range(wire.MAX_DEPTH):
        node = {"t": "tuple", "v": [node]}
    assert wire.measure(node).values == wire.MAX_DEPTH + 1  # 40 levels deep is still read


def test_values_the_kernel_could_not_send_share_one_class_per_name():
    """680,000 instances were 680,000 classes (2 GB, issue 21): now one class, a small instance each."""
    out = decode({"t": "list", "v": [{"t": "other", "type": "Widget"}] * 680_000})
    assert len(out) == 680_000 and len({type(x) for x in out}) == 1 and repr(out[0]) == "<Widget>"
    assert type(wire.opaque("Widget")) is type(out[0]) and repr(wire.opaque("not a name!")) == "<object>"


def test_rebuilding_the_sympy_of_one_answer_has_a_time_limit(monkeypatch):
    """A hook that would work for 3 s is stopped at MAX_SECONDS (here 0.3 s) for the whole answer."""
    monkeypatch.setattr(wire, "MAX_SECONDS", 0.3)

    def slow(text):
        end = time.monotonic() + 3
        while time.monotonic() < end:
            pass
        return "rebuilt"

    start = time.monotonic()
    with pytest.raises(WireError, match="took longer than 0.3 s"):
        decode({"t": "list", "v": [{"t": "sympy", "v": "x"}] * 3}, sympy=slow)
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"t": ["list"]},
        {"t": "list", "v": "abc"},
        {"t": "int", "v": 5},
        {"t": "int", "v": "٣"},
        {"t": "float", "v": "not a number"},
        {"t": "fraction", "v": ["1", "0"]},
        {"t": "complex", "v": ["1"]},
        {"t": "str", "v": "\\ud800 \\x", "escaped": True},
        {"t": "str", "v": "é", "escaped": True},
        {"t": "ndarray", "dtype": "f99", "shape": [1], "v": [{"t": "float", "v": "1.0"}]},
        {"t": "ndarray", "dtype": "f8", "shape": [2**16] * 4, "v": []},  # np.prod would wrap to 0
        {"t": "ndarray", "dtype": "u1", "shape": [1], "v": [{"t": "int", "v": "-1"}]},
        {"t": "function", "ref": True},
        {"t": "sympy", "v": 3},
        {"t": "unknown"},
    ],
)
def test_malformed_data_is_a_wire_error_never_another_exception(data):
    with pytest.raises(WireError):
        decode(data, remote=lambda *args: args, sympy=from_srepr)


def test_a_hook_that_fails_is_a_wire_error():
    with pytest.raises(WireError, match="could not be rebuilt \\(KeyError\\)"):
        decode({"t": "sympy", "v": "x"}, sympy=lambda text: {}[text])


@pytest.mark.parametrize("text", ["b\ud800", "caf\udce9 \\ends with a backslash\\", "\udfff\ud800", "a\U0001f600"])
def test_a_lone_surrogate_in_an_answer_travels_escaped_and_comes_back(text):
    """A lone surrogate is valid JSON but not UTF-8, which the kernel's messages are: encode escapes it."""
    data = encode([text, sp.Symbol("x")])
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # what the kernel's message can carry
    assert decode(data, sympy=from_srepr) == [text, sp.Symbol("x")]
    assert encode("plain é") == {"t": "str", "v": "plain é"}  # text UTF-8 can carry is sent as it is


def test_a_function_name_with_a_lone_surrogate_is_sent_as_text_utf8_can_carry():
    f = type("F", (), {"__call__": lambda self: 1, "__name__": "f\ud800"})()
    data = encode([f], {})
    json.dumps(data, ensure_ascii=False).encode("utf-8")
    assert decode(data, remote=lambda ref, name, *rest: name) == ["f\\ud800"]
