"""Lesson 01's problems: each reference computed a second way, each named mistake recognised by its
name, and the exercise's experiment (run from the solution notebook) printing what the bank says."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from helpers import code_sources, run_sources
from sgdcourse import practice
from sgdcourse.models import Linear1D, QuadraticBowl
from sgdcourse.problems import get, lesson01
from sgdcourse.problems.pools import POOLS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "01_gradient_descent.ipynb"


def _printed_by_solution():
    """Run the solution notebook's code cells in one namespace; what they print, joined."""
    namespace, printed = run_sources(code_sources(NOTEBOOK))
    return printed, namespace


@pytest.fixture(scope="module")
def solution_run():
    return _printed_by_solution()


def _closed_form_steps(curvatures, center, theta0, eta, tol):
    """First t with |theta_t - c| < tol from theta_t - c = (1 - eta lambda)^t (theta_0 - c), exactly."""
    factors = [1 - Fraction(eta) * Fraction(lam) for lam in curvatures]
    gaps = [Fraction(a) - Fraction(c) for a, c in zip(theta0, center)]
    for t in range(10_000):
        if sum(g * g for g in gaps) < Fraction(tol) ** 2:
            return t
        gaps = [f * g for f, g in zip(factors, gaps)]
    return None


# ---- references, a second way -------------------------------------------------------------------


def test_empirical_risk_is_the_library_loss_of_the_three_points():
    p = get("01-empirical-risk")
    model = Linear1D(np.array([1.0, 2.0, 3.0]), np.array([2.0, 0.0, 1.0]))
    for w0 in (-1.5, 0.0, 0.3, 2.0):
        assert float(p.answer.subs(lesson01.w, w0)) == pytest.approx(model.loss(np.array([w0])))
    assert p.quantities["N"] == 3  # N = 2 made "total loss" and "1/2 dropped" one value


def test_gd_step_by_hand_and_the_slips_the_review_confused_are_apart():
    p = get("01-gd-step")
    x, y, eta, w0 = (1, 2, 3), (2, 0, 1), Fraction(1, 10), Fraction(1)
    terms = [(w0 * a - b) * a for a, b in zip(x, y)]  # -1, 4, 6: none is 0 at w0
    assert 0 not in terms and p.answer == w0 - eta * sum(terms) / 3
    slips = {m.name: m.value for m in p.mistakes}
    assert slips["one-example"] == w0 - eta * terms[0] and slips["sum-not-mean"] == w0 - eta * sum(terms)
    assert slips["one-example"] != slips["sum-not-mean"]
    assert practice.check("01-gd-step", 1.1).mistake == "one-example"
    assert practice.check("01-gd-step", 0.1).mistake == "sum-not-mean"


def test_steepest_direction_beats_the_direction_to_the_minimum_on_the_bowl():
    """Option (e) is wrong on the lesson's bowl: -g/|g| falls faster than the way to c."""
    bowl = QuadraticBowl([1.0, 5.0], center=[1.0, 0.5])
    theta0 = np.array([-4.0, 2.0])
    g = bowl.grad(theta0)
    to_c = (bowl.minimum - theta0) / np.linalg.norm(bowl.minimum - theta0)
    assert (-g / np.linalg.norm(g)) @ g < to_c @ g < 0
    assert get("01-steepest-direction").answer == "b"


def test_bowl_steps_from_the_closed_form():
    bowl = lesson01.BOWL
    p, q = get("01-bowl-steps"), get("01-bowl-predict")
    big = _closed_form_steps(**bowl, eta=Fraction(19, 50), tol=Fraction(1, 1000))
    small = _closed_form_steps(**bowl, eta=Fraction(3, 20), tol=Fraction(1, 1000))
    assert (p.answer, {m.name: m.value for m in p.mistakes}["other-eta"]) == (big, small) == (70, 53)
    assert q.answer == "b" and big > small  # the larger step takes more steps
    flat = _closed_form_steps((1,), (1,), (-4,), Fraction(19, 50), Fraction(1, 1000))  # the flat axis alone
    assert {m.name: m.value for m in p.mistakes}["flat-axis"] == flat < big
    diverging = lesson01.bowl_predict.build(**{**q.params, "eta": Fraction(9, 20)})  # 1 - 5 eta < -1
    assert diverging.answer == "c"


def test_every_learners_bowl_keeps_the_lessons_point():
    """In every candidate the larger step needs more steps than eta_ref (the prediction is (b)), because
    the steep axis's factor 1 - eta lambda_2 is nearer -1 than the flat axis's is to 1; the count is the
    closed form's."""
    for numbers in POOLS["01-bowl-predict"]:
        bowl = {k: numbers[k] for k in ("curvatures", "center", "theta0")}
        big = _closed_form_steps(**bowl, eta=numbers["eta"], tol=numbers["tol"])
        small = _closed_form_steps(**bowl, eta=numbers["eta_ref"], tol=numbers["tol"])
        flat, steep = (abs(1 - numbers["eta"] * lam) for lam in numbers["curvatures"])
        assert small < big and flat < steep < 1, numbers
        assert lesson01.bowl_steps.build(**numbers).answer == big, numbers


def test_every_learners_step_cost_is_a_whole_count():
    assert all(c["N"] % c["m"] == 0 and c["N"] > c["m"] for c in POOLS["01-step-cost"])


def test_a_learners_empirical_risk_is_the_library_loss():
    for numbers in POOLS["01-empirical-risk"][:5]:
        p = lesson01.empirical_risk.build(**numbers)
        model = Linear1D(np.array(numbers["xs"], float), np.array(numbers["ys"], float))
        for w0 in (-1.5, 0.3, 2.0):
            assert float(p.answer.subs(lesson01.w, w0)) == pytest.approx(model.loss(np.array([w0])))


def test_gd_loop_reference_is_the_hand_written_loop():
    p = get("01-gd-loop")
    for case in p.cases(np.random.default_rng(p.seed)):
        theta, rows = np.asarray(case["theta0"], float), [np.asarray(case["theta0"], float)]
        for _ in range(case["steps"]):
            theta = theta - case["eta"] * case["curvatures"] * (theta - case["center"])
            rows.append(theta)
        assert np.allclose(p.answer(**case), np.array(rows))


def test_step_cost_counts_evaluations():
    assert get("01-step-cost").answer == 60_000 // 100
    assert lesson01.step_cost.build(N=60_000, m=101).answer == 594


# ---- every named mistake is recognised by its name ---------------------------------------------


@pytest.mark.parametrize("pid", [p.id for p in lesson01.PROBLEMS if p.mistakes])
def test_each_named_mistake_is_recognised(pid):
    p = get(pid)
    for m in p.mistakes:
        r = practice.check(pid, m.value)
        assert r.status == "incorrect" and r.mistake == m.name, (m.name, r)


# ---- the experiment of the exercise gives what the bank says -----------------------------------


def test_the_solution_notebooks_experiment_prints_the_banks_counts(solution_run):
    printed, namespace = solution_run
    counts = dict(re.findall(r"eta = ([\d.]+): .*?first t with \|theta_t - c\| < 0\.001: (\d+)", printed))
    assert counts == {"0.15": "53", "0.38": str(get("01-bowl-steps").answer)}
    assert namespace["steps_large_eta"] == get("01-bowl-steps").answer
    p = get("01-gd-loop")
    for case in p.cases(np.random.default_rng(0)):
        assert np.allclose(namespace["gd_path"](**case), p.answer(**case))


def test_the_predict_problem_is_recorded_with_what_happened():
    r = practice.check("01-bowl-predict", "a")
    assert r.status == "recorded" and "(b) more steps" in r.feedback
    assert (
        sp.simplify(
            get("01-empirical-risk").answer - lesson01.empirical_risk.build(**get("01-empirical-risk").params).answer
        )
        == 0
    )
