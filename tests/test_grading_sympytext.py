"""grading.sympytext: sympy from untrusted text. The kernel's srepr text is rebuilt without eval,
and an answer given as text is screened before sympy's parser (which evaluates Python) sees it.
Decode bombs are refused before they are evaluated, and honest expressions come back exactly."""

import pytest
import sympy as sp

from sgdcourse.checking import isolate
from sgdcourse.grading.sympytext import from_srepr, unsafe_text
from sgdcourse.grading.wire import WireError
from sgdcourse.problems import BANK


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


# ---- decode bombs (issue 21): refused before anything is evaluated -------------------------------

TOWER = "Pow(Pow(Integer(2), Integer(10000)), Integer(10000))"  # 2**10**8: 1.7 GB and minutes before


def outcome(text):
    """What from_srepr makes of text: "refused: <why>" or "built <type>" (run in a child process)."""
    try:
        return f"built {type(from_srepr(text)).__name__}"
    except WireError as exc:
        return f"refused: {exc}"


@pytest.mark.parametrize(
    "text, why",
    [
        (TOWER, "power too large"),
        (f"Pow({TOWER}, Integer(100))", "power too large"),
        ("Float('1.5', 100000000)", "dps=100000000: too precise"),  # hours: 10**8 digits
        ("Float('1.5', precision=200000)", "precision=200000: too precise"),
        ("Float('1e99999999')", "Float too large"),
        ("Integer(Float('1e100000'))", "Float too large"),
        ("Integer(" + "9" * 5000 + ")", "more than 4300 digits"),
        ("Add(" + ", ".join(["Pow(Integer(3), Integer(10000))"] * 5) + ")", "power too large"),  # bits in all
        ("Pow(Mul(Integer(3), Symbol('x')), Integer(100000))", "power too large"),  # (3x)**n computes 3**n
        ("Pow(Symbol('x'), Integer(1000000000))", "power too large"),
        ("Pow(Integer(2), Rational(1, 100000))", "power too large"),
        ("sqrt(Integer(" + "7" * 4000 + "))", "root of a number too large"),  # 5 s of factoring before
        ("Add(" * 150 + "Integer(1)" + ")" * 150, "nested more than 100 levels"),
        ("ImmutableMatrix(Identity(Integer(100000)))", "matrix other than from its rows"),
        ("Float((0, 1, 10**100, 1))", "other than sympy objects"),
    ],
)
def test_decode_bombs_are_refused_before_they_are_evaluated(text, why):
    """Each would take hours or gigabytes if built (issue 21); refused, in a child process killed
    after 20 s so that a screen that fails shows as a failure, not a hang."""
    kind, value, _ = isolate.run(lambda send: outcome(text), 20)
    assert kind == "value" and value.startswith("refused") and why in value, (kind, value)


def test_sympy_functions_are_built_unevaluated():
    """factorial(10**8) would run for minutes; built unevaluated, the checker evaluates it (in a child
    process under a hard time limit) if it needs to."""
    kind, value, _ = isolate.run(lambda send: sp.srepr(from_srepr("factorial(Integer(100000000))")), 20)
    assert (kind, value) == ("value", "factorial(Integer(100000000))")


def honest_expressions():
    """The bank's sympy answers and mistakes, and expressions a learner may write."""
    found = []
    for problem in BANK.values():
        for obj in [problem.answer, *(m.value for m in problem.mistakes)]:
            found += [o for o in (obj if isinstance(obj, tuple) else (obj,)) if isinstance(o, sp.Basic)]
    x, y, t = sp.symbols("x y t", positive=True)
    k, n = sp.Symbol("k", integer=True), sp.Symbol("N", integer=True, positive=True)
    g, f = sp.IndexedBase("g"), sp.Function("f")
    return found + [
        sp.Max(x, y),
        sp.Min(x, 2),
        sp.Abs(x - y),
        sp.exp(-x * t),
        sp.log(1 + x),
        1 - sp.tanh(x) ** 2,
        sp.sqrt(2) * x,
        sp.Float(0.308) * x,
        sp.Float("1.5", 50),
        sp.Rational(77, 250),
        sp.Sum(g[k] / n, (k, 1, n)),
        f(x).diff(x),
        sp.Heaviside(x),
        sp.Matrix([[1, x], [y, 2]]),
        sp.factorial(n),
        sp.binomial(n, 2),
        sp.cos(sp.pi * t) ** 2,
        (1 - x) ** t,
        sp.Integer(2) ** 100,
        sp.I * x,
        sp.oo,
        sp.Eq(x, y),
        (x + 1) ** sp.Rational(1, 3),
        sp.sqrt(sp.Rational(3, 7)),
        (1 - sp.Rational(1, 10)) ** 50,
        sp.Float("1e-300") * x,
    ]


def test_honest_expressions_are_rebuilt_exactly():
    expressions = honest_expressions()
    assert len(expressions) > 40
    for expr in expressions:
        text = sp.srepr(expr)
        assert sp.srepr(from_srepr(text)) == text and from_srepr(text) == expr, text
