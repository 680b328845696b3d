"""grading.sympytext: sympy from untrusted text. The kernel's srepr text is rebuilt without eval,
and an answer given as text is screened before sympy's parser (which evaluates Python) sees it."""

import pytest
import sympy as sp

from sgdcourse.grading.sympytext import from_srepr, unsafe_text
from sgdcourse.grading.wire import WireError


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch PWNED')",
        "Symbol('x').__class__",
        "Add('open(1)')",
        "Pow(Integer(9), Integer(387420489))",
        "Symbol('x').subs",
        "getattr(Symbol('x'), 'y')",
        "Symbol(chr(95))",
    ],
)
def test_sympy_text_from_the_kernel_is_never_evaluated(text):
    with pytest.raises(WireError):
        from_srepr(text)


@pytest.mark.parametrize(
    "text, bad",
    [
        ("Sum(g[k], (k, 1, N))/N", False),
        ("sigma**2/m", False),
        ("sqrt(2)*x^2", False),
        ("__import__('os')", True),
        ("open('f')", True),
        ("x.func", True),
        ("9**9**9", True),
        ("(lambda: 1)()", True),
        ("eval(1)", True),
        ("sympify(1)", True),
    ],
)
def test_expression_text_is_screened_before_sympy_parses_it(text, bad):
    ns = {"g": sp.IndexedBase("g"), "k": sp.Symbol("k"), "N": sp.Symbol("N")}
    assert (unsafe_text(text, ns) is not None) == bad
