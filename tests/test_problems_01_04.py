"""Lessons 01-04's problems: the reference answers against the worked numbers, by hand and by
enumeration, and the answers in the forms a learner writes."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sgdcourse import practice
from sgdcourse.models import Logistic
from sgdcourse.problems import get, lesson03, lesson04


def test_worked_example_numbers():
    # the exercise's fresh data (1, 3), (2, 1), eta = 0.1, w0 = 0, examples 1, 2, 1, worked by hand:
    # g0 = -3, w1 = 0.3; g1 = (0.6 - 1) 2 = -0.8, w2 = 0.38; g2 = 0.38 - 3 = -2.62, w3 = 0.642;
    # at w = 0.4 the terms are -2.6 and -0.4, mean -1.5, so a full-batch step lands on 0.55.
    expect = {
        "02-worked-step": Fraction(321, 500),
        "02-worked-w2": Fraction(19, 50),
        "02-sgd-gradient": Fraction(-4, 5),
        "02-full-gradient": Fraction(-3, 2),
        "02-full-step": Fraction(11, 20),
        # lesson 01's three points (1, 2), (2, 0), (3, 1) from w0 = 1: terms -1, 4, 6, mean 3, w1 = 0.7
        "01-gd-step": Fraction(7, 10),
    }
    for pid, value in expect.items():
        assert get(pid).answer == value
    w2 = get("02-worked-w2")
    assert {m.name: m.value for m in w2.mistakes}["step-too-many"] == Fraction(321, 500)
    assert {m.name: m.value for m in w2.mistakes}["step-too-few"] == Fraction(3, 10)


def test_seed_practice_problems():
    # at w = -1 the terms are (-1 - 2) 1 = -3 and (-3 - 1) 3 = -12, mean -15/2 (at w = 0 slips coincided)
    assert get("03-batch-gradient").answer == Fraction(-15, 2)
    for answer in ("15*eta/2 - 1", "7.5*eta - 1", "15 eta / 2 - 1", sp.Rational(15, 2) * sp.Symbol("eta") - 1):
        assert practice.check("03-batch-update", answer).ok
    assert practice.check("03-batch-update", "-15*eta/2 - 1").mistake == "uphill"
    for answer in ("sigma**2/m", "sigma*sigma/m", "sigma^2/m", sp.Symbol("sigma") ** 2 / sp.Symbol("m")):
        assert practice.check("04-var-batch", answer).ok
    assert get("04-sd-batch").answer == (4, 2, 1)
    assert practice.check("04-sd-batch", [16, 4, 1]).mistake == "variance-not-sigma"
    for answer in ("Sum(g[k], (k, 1, N))/N", "(1/N)*Sum(g[i], (i, 1, N))", "Sum(g[k]/N, (k, 1, N))"):
        assert practice.check("02-unbiased", answer).ok
    assert practice.check("02-unbiased", "Sum(g[k], (k, 1, N))").mistake == "sum-not-mean"
    assert practice.check("02-unbiased", "g[1]").status == "incorrect"


@pytest.mark.parametrize(
    "answer", [0.642, Fraction(321, 500), sp.Rational(321, 500), np.float64(0.642), np.array(0.642)]
)
def test_equivalent_numbers(answer):
    assert practice.check("02-worked-step", answer).ok


def test_logistic_derivative_is_p_minus_y_times_x():
    for answer in ("(sigmoid(w*x) - y)*x", "(1/(1 + exp(-w x)) - y) x", "x*(exp(w*x)/(1 + exp(w*x)) - y)"):
        assert practice.check("03-logistic-derivative", answer).ok


def test_without_replacement_factor_by_enumeration():
    """Var of the mean of m distinct draws, over all C(N, m) batches, is sigma^2/m (N-m)/(N-1)."""
    g = [Fraction(v) for v in (3, -1, 4, 1, -5, 9)]
    n = len(g)
    mean = sum(g) / n
    var = sum((v - mean) ** 2 for v in g) / n
    for m in range(1, n + 1):
        means = [sum(b) / m for b in itertools.combinations(g, m)]
        measured = sum((v - mean) ** 2 for v in means) / len(means)
        formula = lesson04.WITHOUT.subs(
            {lesson04.sigma: sp.sqrt(sp.Rational(var.numerator, var.denominator)), lesson04.m: m, lesson04.N: n}
        )
        assert measured == Fraction(str(formula))


def test_average_over_all_batches_is_the_full_gradient():
    """Supports answer (a) of 03-unbiased-batches on lesson 3's small logistic data set."""
    model = Logistic(lesson03.LX, lesson03.LY)
    w = np.array([0.7])
    batches = list(itertools.combinations(range(3), 2))
    average = sum(model.grad(w, list(b)) for b in batches) / len(batches)
    assert np.allclose(average, model.grad(w)) and get("03-unbiased-batches").answer == "a"


@settings(max_examples=100, deadline=None)
@given(st.floats(-0.99, 0.99), st.floats(2e-6, 100))
def test_tolerance_property_on_a_bank_problem(u, d):
    assert practice.check("02-worked-step", 0.642 + u * 1e-6).ok
    assert practice.check("02-worked-step", 0.642 + d).status == "incorrect"


@settings(max_examples=25, deadline=None)
@given(st.fractions(min_value=-9, max_value=9, max_denominator=9).filter(lambda c: c not in (0, 1)))
def test_rescaled_variance_is_not_accepted(c):
    assert (
        practice.check("04-var-batch", sp.Rational(c.numerator, c.denominator) * get("04-var-batch").answer).status
        == "incorrect"
    )
