"""Each numeric tolerance pinned at its documented boundary, so a loosened rule fails a test:
the number check (|a - r| <= tol), the function check (rtol 1e-7, atol 1e-9; float32: 1e-5, 1e-6),
the symbolic check (1e-9 relative, every point must agree unless simplify proves it), the
gradient check (error < 1e-6) and the bowl's curvatures (> 0)."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import sgdcourse as sc
from sgdcourse.checking import check_function, check_number, compare, symbolic
from sgdcourse.checking.outputs import ATOL, ATOL32, RTOL, RTOL32
from sgdcourse.gradcheck import check_model
from sgdcourse.gradcheck import compare as grad_compare

CASES = [dict(x=1.0), dict(x=2.0)]


def one(x):
    return 1.0


# ---- numbers: |a - r| <= tol, tol itself inside --------------------------------------------


@pytest.mark.parametrize("tol", [1e-6, 1e-3, 0.5])
def test_number_tolerance_boundary_is_inclusive_and_sharp(tol):
    r = Fraction(77, 250)
    edge = r + Fraction(tol)
    assert check_number(edge, r, tol).status == "correct"
    assert check_number(r - Fraction(tol), r, tol).status == "correct"
    assert check_number(edge + Fraction(1, 10**15), r, tol).status == "incorrect"


# ---- functions: np.allclose(received, expected, rtol=1e-7, atol=1e-9) -------------------------


def test_function_tolerance_constants_are_the_documented_ones():
    assert (RTOL, ATOL, RTOL32, ATOL32) == (1e-7, 1e-9, 1e-5, 1e-6)


@pytest.mark.parametrize("offset, status", [(0.9e-7, "correct"), (1.2e-7, "incorrect"), (5e-3, "incorrect")])
def test_function_tolerance_boundary_float64(offset, status):
    """1 + 0.5% (what a 1e-2 tolerance would let through) and 1 + 1.2e-7 are wrong; 1 + 0.9e-7 is right."""
    r = check_function(lambda x: 1.0 + offset, one, CASES)
    assert r.status == status, str(r)


@pytest.mark.parametrize("offset, status", [(0.9e-5, "correct"), (1.2e-5, "incorrect")])
def test_function_tolerance_boundary_float32(offset, status):
    r = check_function(lambda x: np.float32(1.0 + offset), one, CASES)
    assert r.status == status, str(r)
    if status == "correct":
        assert "float32 precision" in r.feedback


def test_float32_is_held_to_float64_where_the_problem_asks_for_it():
    r = check_function(lambda x: np.float32(1.0 + 0.9e-5), one, CASES, float64=True)
    assert r.status == "incorrect" and "asks for float64" in r.feedback


def test_float32_results_show_the_digits_where_they_differ():
    r = check_function(lambda x: np.float32(-2.421326399), lambda x: -2.421326, CASES, float64=True)
    assert r.status == "incorrect"
    assert r.case["expected"] != r.case["received"] and "-2.4213264" in r.case["received"], r.case


# ---- expressions: 1e-9 relative at every point, or simplify --------------------------------

sigma = sp.Symbol("sigma", positive=True)
m = sp.Symbol("m", integer=True, positive=True)
NS = {"sigma": sigma, "m": m}


def test_expression_tolerance_boundary():
    r = sigma**2 / m
    assert compare(r * (1 + sp.Rational(1, 10**10)), r, NS, timeout=0.5)[0]
    assert not compare(r * (1 + sp.Rational(3, 10**9)), r, NS, timeout=0.5)[0]


def test_all_points_must_agree_when_some_are_undefined_and_simplify_fails(monkeypatch):
    """(x^2 - 1)/(x - 1) is undefined at x = 1. With simplify it is proved equal to x + 1; if
    simplify fails, agreeing at the other points is not enough."""
    x = sp.Symbol("x", positive=True)
    ns = {"x": x}
    a, r = (x**2 - 1) / (x - 1), x + 1

    def points():
        p = symbolic.Points(ns, (a, r))
        p.points = [({x: sp.Integer(v)}, {}) for v in (1, 2, 3, 1, 5, 6)]
        return p

    assert compare(a, r, ns, 2.0, points())[0]
    monkeypatch.setattr(symbolic.sympy, "simplify", lambda e: e)
    same, how = compare(a, r, ns, 2.0, points())
    assert not same and "could not show" in how
    p = points()
    p.points = [({x: sp.Integer(v)}, {}) for v in (2, 3, 4, 5, 6, 7)]
    assert compare(a, r, ns, 2.0, p)[0]  # every point defined: the points decide


# ---- the gradient check and the bowl -------------------------------------------------------


def test_gradient_check_boundary():
    assert grad_compare([0.0], [0.9e-6]).ok
    assert not grad_compare([0.0], [1.1e-6]).ok


class SlightlyOff(sc.LeastSquares):
    """A gradient 0.1% too large: a 1e-2 tolerance in check_model would let it pass."""

    def grad(self, theta, idx=None):
        return super().grad(theta, idx) * 1.001


def test_check_model_rejects_a_gradient_one_tenth_of_a_percent_off():
    X, y, _ = sc.make_linear_regression(20, 3, np.random.default_rng(0))
    theta = np.full(3, 3.0)
    assert check_model(sc.LeastSquares(X, y), theta).ok
    assert not check_model(SlightlyOff(X, y), theta).ok


@pytest.mark.parametrize("curvatures", [[0.0], [1.0, 0.0], [-1.0], []])
def test_bowl_curvature_must_be_positive(curvatures):
    with pytest.raises(ValueError, match="curvatures"):
        sc.QuadraticBowl(curvatures)
    assert sc.QuadraticBowl([1e-9]).curvatures[0] > 0
