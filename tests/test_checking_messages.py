"""Feedback reads well: no jargon, a/an and plurals right, matrices in words, nothing the learner
cannot reproduce, a class passed as a function named as a class."""

import re

import numpy as np
import sympy as sp

from sgdcourse.checking import fmt
from sgdcourse.practice import check


def test_huge_integers_are_described_not_printed():
    r = check("02-worked-step", 10**10000)
    assert r.status == "incorrect" and "an integer of 10001 digits" in r.feedback
    assert "set_int_max_str_digits" not in r.feedback and len(r.feedback) < 300
    assert fmt(-(10**5000)).startswith("an integer of 5001 digits, about -1.000e+5000")


def test_matrices_are_described_in_words():
    r = check("02-worked-step", sp.Matrix([[0.308]]))
    assert r.status == "unreadable" and "1 row and 1 column" in r.feedback and "M[0, 0]" in r.feedback
    r = check("02-worked-step", np.array([[1.0], [2.0]]))
    assert "a column of 2 numbers" in r.feedback
    assert check("04-sd-batch", np.array([[4.0], [2.0], [1.0]])).ok  # a column of the right numbers


def test_plurals_and_articles():
    r = check("04-sd-batch", [1])
    assert "read 1 value;" in r.feedback and "exactly 3 numbers were asked" in r.feedback
    assert "an EqTrue" not in check("02-worked-step", sp.S.true).feedback
    assert fmt(object()) == "an object" and fmt(sp.S.true) == "True"


def test_a_class_passed_as_a_function():
    r = check("01-full-gradient", int)
    assert r.status == "unreadable" and "the class int, a class, not a function" in r.feedback


def test_hidden_random_values_are_not_quoted():
    """02-unbiased draws random g[k]: a counterexample cannot name them, so it says 'a random point'."""
    r = check("02-unbiased", "g[1] + g[2]")
    assert r.status == "incorrect" and "at a random point" in r.feedback and not re.search(r"\d\.\d", r.feedback)


def test_two_slips_that_once_gave_one_value_are_told_apart():
    """On 01-empirical-risk, N = 3: the total loss is 3 L(w) and L with its 1/2 dropped is 2 L(w),
    so the two slips give different values and each is named alone (with N = 2 they coincided)."""
    risk = "(w-2)**2/6 + (2*w)**2/6 + (3*w-1)**2/6"
    assert check("01-empirical-risk", risk).ok
    total = check("01-empirical-risk", f"3*({risk})")
    assert total.mistake == "sum-not-mean" and "total loss" in total.feedback and "1/2" not in total.feedback
    half = check("01-empirical-risk", f"2*({risk})")
    assert half.mistake == "dropped-half" and "1/2" in half.feedback and "total loss" not in half.feedback


def test_lesson_slip_residual_without_x_is_named():
    from sgdcourse.problems import lesson02 as L

    p = L.sgd_gradient
    xs, ys, w1 = p.params["xs"], p.params["ys"], L.run(**p.params)[0][1]
    assert xs[1] == 2  # the step uses example 2, whose x_i = 2: leaving it out halves g1
    r = check("02-sgd-gradient", float(w1 * xs[1] - ys[1]))  # the residual only, without x_i
    assert r.status == "incorrect" and r.mistake == "missing-x" and "residual" in r.feedback
    assert "m - 1" not in r.feedback and "m in place" not in r.feedback  # no quantity the problem lacks
