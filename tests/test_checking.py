"""The checking engines on small hand-made problems: reading answers, comparing, never raising."""

import signal
import threading
import time
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sgdcourse.checking import STATUSES, Mistake, Result, check_choice, check_number, fmt, timelimit
from sgdcourse.checking.functions import check_function
from sgdcourse.checking.outputs import is_placeholder
from sgdcourse.checking.symbolic import check_expression, compare

sigma = sp.Symbol("sigma", positive=True)
m = sp.Symbol("m", integer=True, positive=True)
NS = {"sigma": sigma, "m": m}
VAR = sigma**2 / m


# ---- Result -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
def test_result_text_starts_with_status_and_html_escapes(status):
    r = Result(status, "a <b> & 'c'", problem_id="01-x")
    assert str(r).startswith(status) and repr(r) == str(r)
    page = r._repr_html_()
    assert f">{status}</span>" in page and "&lt;b&gt; &amp;" in page and "<b>" not in page


def test_result_rejects_unknown_status():
    with pytest.raises(ValueError, match="status"):
        Result("maybe", "")


def test_fmt_never_shows_memory_addresses():
    for value in (object(), lambda: 0, Result, np.arange(30.0), {1: 2}, [Fraction(1, 3)] * 12):
        assert "0x" not in fmt(value)


# ---- numbers ------------------------------------------------------------------------------

REF = Fraction(77, 250)
SIGN = Mistake("sign", "The sign is off.", -REF)


@pytest.mark.parametrize(
    "answer",
    [
        0.308,
        Fraction(77, 250),
        sp.Rational(77, 250),
        sp.Float("0.308"),
        np.float64(0.308),
        np.float32(0.308),
        np.array(0.308),
    ],
)
def test_number_forms_accepted(answer):
    assert check_number(answer, REF, 1e-6).status == "correct"


@pytest.mark.parametrize("answer", [3, np.int64(3), sp.Integer(3), np.array(3), sp.sqrt(9), Fraction(6, 2)])
def test_integer_forms_accepted(answer):
    assert check_number(answer, Fraction(3), 1e-6).status == "correct"


@pytest.mark.parametrize(
    "answer, reason",
    [
        (float("nan"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (-np.inf, "not a finite number"),
        (sp.zoo, "not a finite number"),
        (sp.nan, "not a finite number"),
        ([0.308], "list of 1"),
        ((0.3, 0.4), "tuple of 2"),
        (np.array([0.308]), "shape (1,)"),
        ("0.308 +", "could not parse"),
        ("0.308*w", "uses the symbol `w`"),
        (None, "None"),
        (True, "truth value"),
        (2 + 1j, "complex"),
        (sp.Symbol("x"), "without symbols"),
        (lambda: 0.308, "call it"),
        (object(), "a number was asked"),
    ],
)
def test_number_bad_inputs_are_unreadable_with_reason(answer, reason):
    r = check_number(answer, REF, 1e-6)
    assert r.status == "unreadable" and reason in r.feedback


def test_number_mistake_gets_its_own_feedback_and_others_generic():
    r = check_number(-0.308, REF, 1e-6, [SIGN])
    assert (r.status, r.mistake) == ("incorrect", "sign") and "The sign is off." in r.feedback
    r = check_number(0.25, REF, 1e-6, [SIGN])
    assert (r.status, r.mistake) == ("incorrect", None) and "not within ±1e-06" in r.feedback


@settings(max_examples=200, deadline=None)
@given(st.floats(-0.99, 0.99))
def test_any_float_within_tolerance_is_correct(u):
    assert check_number(float(REF) + u * 1e-6, REF, 1e-6).status == "correct"


@settings(max_examples=200, deadline=None)
@given(st.floats(2e-6, 1e6), st.sampled_from([-1, 1]))
def test_any_float_far_away_is_incorrect(d, s):
    assert check_number(float(REF) + s * d, REF, 1e-6, [SIGN]).status == "incorrect"


def test_list_of_numbers():
    ref = (Fraction(4), Fraction(2), Fraction(1))
    for answer in ([4, 2, 1], (4.0, 2.0, 1.0), np.array([4, 2, 1]), [sp.Integer(4), Fraction(2), np.float64(1)]):
        assert check_number(answer, ref, 1e-6).status == "correct"
    assert check_number([4, 2, 2], ref, 1e-6).status == "incorrect"
    for answer, reason in ((4, "list of 3 numbers"), ([4, 2], "exactly 3"), ([4, 2, float("nan")], "entry 3")):
        r = check_number(answer, ref, 1e-6)
        assert r.status == "unreadable" and reason in r.feedback


# ---- choices ------------------------------------------------------------------------------

OPTIONS = ("up", "down", "sideways")


@pytest.mark.parametrize("answer", ["b", "B", " (b) ", "b."])
def test_choice_letter_forms(answer):
    assert check_choice(answer, OPTIONS, "b").status == "correct"


def test_choice_mistakes_and_bad_letters():
    r = check_choice("a", OPTIONS, "b", [Mistake("sign", "That is uphill.", "a")])
    assert (r.status, r.mistake) == ("incorrect", "sign") and "That is uphill." in r.feedback
    assert check_choice("c", OPTIONS, "b").status == "incorrect"
    for answer in ("d", "ab", 1, None):
        assert check_choice(answer, OPTIONS, "b").status == "unreadable"


# ---- expressions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "sigma**2/m",
        "sigma*sigma/m",
        "sigma^2/m",
        "sigma^2 / m",
        "(1/m)*sigma**2",
        "sigma**2*m/m**2",
        "(sigma/sqrt(m))**2",
        sp.Symbol("sigma") ** 2 / sp.Symbol("m"),
        VAR,
        sigma**2 * sp.Rational(1, 1) / m,
    ],
)
def test_equivalent_expressions_accepted(answer):
    assert check_expression(answer, VAR, NS).status == "correct"


@settings(max_examples=40, deadline=None)
@given(st.fractions(min_value=-50, max_value=50, max_denominator=20).filter(lambda c: c != 1))
def test_rescaled_expressions_rejected(c):
    answer = sp.Rational(c.numerator, c.denominator) * VAR
    assert check_expression(answer, VAR, NS).status == "incorrect"
    if c:
        assert (
            check_expression(VAR + sp.Rational(c.numerator, c.denominator) * sigma / 1000, VAR, NS).status
            == "incorrect"
        )


def test_expression_incorrect_shows_a_counterexample_and_mistake_feedback():
    r = check_expression("sigma/m", VAR, NS, [Mistake("sigma-not-variance", "Square sigma.", sigma / m)])
    assert (r.status, r.mistake) == ("incorrect", "sigma-not-variance") and "Square sigma." in r.feedback
    r = check_expression("sigma**2/m**3", VAR, NS)
    assert r.status == "incorrect" and "at m = " in r.feedback and "was expected" in r.feedback


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("sigma**2/(m", "could not parse"),
        ("sigma ** / m", "SyntaxError"),
        ("s**2/m", "uses s"),
        ("f(m)", "uses f"),
        ("Eq(sigma, m)", "equation"),
        ("1/0", "not finite"),
        ([1, 2], "was asked"),
        (float("nan"), "not finite"),
        (None, "was asked"),
        ("(sigma, m)", "not an algebraic expression"),
    ],
)
def test_expression_bad_inputs_unreadable(answer, reason):
    r = check_expression(answer, VAR, NS)
    assert r.status == "unreadable" and reason in r.feedback


def test_sums_compared_by_value_when_dummy_variables_differ():
    g, N = sp.IndexedBase("g"), sp.Symbol("N", integer=True, positive=True)
    k = sp.Symbol("k", integer=True)
    ns = {"g": g, "N": N, "k": k}
    ref = sp.Sum(g[k], (k, 1, N)) / N
    same, how = compare(sp.parse_expr("Sum(g[i], (i, 1, N))/N", local_dict={"g": g, "N": N}), ref, ns)
    assert same and "random points" in how
    assert not compare(sp.Sum(g[k], (k, 1, N)) / (N - 1), ref, ns)[0]
    assert not compare(sp.Sum(g[k], (k, 2, N)) / N, ref, ns)[0]


# ---- functions ----------------------------------------------------------------------------


def mean_grad(w, x, y):
    return np.mean((w * x - y) * x)


CASES = [
    dict(w=0.0, x=np.array([1.0]), y=np.array([2.0])),
    dict(w=0.0, x=np.zeros(2), y=np.zeros(2)),
    dict(w=0.5, x=np.array([1.0, 3.0]), y=np.array([2.0, 0.0])),
    dict(w=-1.0, x=np.array([2.0, -1.0, 4.0]), y=np.ones(3)),
]
SUM = Mistake("sum-not-mean", "Divide by m.", lambda w, x, y: np.sum((w * x - y) * x))


def test_function_correct_and_mutation_does_not_leak():
    def sloppy(w, x, y):
        g = np.mean((w * x - y) * x)
        x *= 0  # changes its own copy only
        return g

    assert check_function(sloppy, mean_grad, CASES).status == "correct"
    assert CASES[2]["x"][1] == 3.0


def test_function_subtly_wrong_reports_first_failing_case():
    def no_mean(w, x, y):
        return np.sum((w * x - y) * x)

    r = check_function(no_mean, mean_grad, CASES, [SUM])
    assert (r.status, r.mistake, r.case["index"]) == ("incorrect", "sum-not-mean", 2)
    assert "Divide by m." in r.feedback and "case (3 of 4)" in r.feedback
    assert r.case["inputs"] == "w = 0.5, x = [1., 3.], y = [2., 0.]"
    assert (r.case["expected"], r.case["received"]) == ("1.5", "3")

    def flipped(w, x, y):
        return np.mean((y - w * x) * x)

    r = check_function(flipped, mean_grad, CASES, [SUM])  # no bank mistake, but the generic sign slip
    assert (r.status, r.mistake, r.case["index"]) == ("incorrect", "sign", 0)
    assert "expected: -2" in r.feedback and "received: 2" in r.feedback


@pytest.mark.parametrize(
    "source",
    [
        "def f(w, x, y): ...",
        "def f(w, x, y):\n    'doc'\n    ...",
        "def f(w, x, y): pass",
        "f = lambda w, x, y: ...",
        "def f(w, x, y):\n    '''doc'''\n    return ...",
    ],
)
def test_placeholder_functions_are_unanswered(source):
    scope = {}
    exec(source, scope)
    assert is_placeholder(scope["f"])
    assert check_function(scope["f"], mean_grad, CASES).status == "unanswered"


def test_function_returning_none_is_unreadable_not_unanswered():
    def forgot(w, x, y):
        np.mean((w * x - y) * x)

    assert not is_placeholder(forgot)
    r = check_function(forgot, mean_grad, CASES)
    assert r.status == "unreadable" and "`return` missing" in r.feedback


def test_function_that_raises_reports_type_message_and_case():
    def broken(w, x, y):
        return np.mean((w * x - y) * x) * (1 / (len(x) - 1))

    r = check_function(broken, mean_grad, CASES)
    assert r.status == "incorrect" and "ZeroDivisionError: division by zero" in r.feedback
    assert r.case["index"] == 0 and "w = 0, x = [1.], y = [2.]" in r.feedback


@pytest.mark.parametrize(
    "answer, reason",
    [
        (3.0, "a function was asked"),
        (len, "cannot be called"),
        (lambda w: w, "cannot be called"),
        (lambda w, x, y: "no", "not a number"),
        (lambda w, x, y: {"g": 1}, "not a number"),
    ],
)
def test_function_bad_answers_unreadable(answer, reason):
    r = check_function(answer, mean_grad, CASES)
    assert r.status == "unreadable" and reason in r.feedback


def test_function_wrong_shape_is_reported():
    r = check_function(lambda w, x, y: np.full(len(x), mean_grad(w, x, y)), mean_grad, CASES)
    assert r.status == "incorrect" and r.case["index"] == 1 and "shape (2,) where () was expected" in r.feedback


def test_infinite_loop_is_stopped_and_handler_restored():
    def forever(w, x, y):
        while True:
            try:
                w = abs(w)  # a call: CPython 3.10 runs no signal handler in a call-free try loop
            except Exception:  # must not swallow the time limit
                pass

    before = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    r = check_function(forever, mean_grad, CASES, timeout=0.5)
    assert time.monotonic() - start < 3
    assert r.status == "incorrect" and "Stopped after 0.5 s on case 1 of 4" in r.feedback
    assert signal.getsignal(signal.SIGALRM) is before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_infinite_loop_outside_the_main_thread_is_reported():
    stop, out = threading.Event(), []

    def forever(w, x, y):
        while not stop.is_set():
            pass

    worker = threading.Thread(target=lambda: out.append(check_function(forever, mean_grad, CASES, timeout=0.3)))
    worker.start()
    worker.join(5)
    stop.set()
    assert out and out[0].status == "incorrect" and "Stopped after 0.3 s" in out[0].feedback


def test_timelimit_run_returns_errors_and_values():
    assert timelimit.run(lambda: 2, 1) == ("value", 2)
    kind, exc = timelimit.run(lambda: 1 / 0, 1)
    assert kind == "error" and isinstance(exc, ZeroDivisionError)
    with pytest.raises(ValueError, match="seconds"):
        timelimit.run(lambda: 2, 0)


def test_function_results_are_deterministic():
    def no_mean(w, x, y):
        return np.sum((w * x - y) * x)

    a, b = (check_function(no_mean, mean_grad, CASES, [SUM]) for _ in range(2))
    assert str(a) == str(b) and a._repr_html_() == b._repr_html_() and "0x" not in str(a)


def test_simplify_decides_where_the_expressions_cannot_be_evaluated():
    g, x = sp.IndexedBase("g"), sp.Symbol("x", positive=True)  # g[x] has no value at a non-integer x
    ns = {"g": g, "x": x, "sigma": sigma}
    same, how = compare(g[x] * (sigma + 1), g[x] * sigma + g[x], ns)
    assert same and how.startswith("sympy.simplify reduces the difference to 0, and they agree at 0")
    same, how = compare(2 * g[x], g[x], ns)
    assert not same and how == "sympy could not show the difference is 0"
