"""grading.wire, the JSON codec between the learner's kernel and the grader: every kind of value
comes back as it went, sympy text only through the `sympy` hook, a function only through the
`remote` hook, and a placeholder function is flagged as one."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

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
