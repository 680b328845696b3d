"""Lesson 07's problems: each reference computed a second way, the notebook's experiments giving
what the bank says, and the choice of beta accepting the range its sweep supports and nothing
outside it. (Every named mistake is sent by tests/test_problems.py.)"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import sgdcourse
from helpers import code_cell, run_sources
from sgdcourse import dynamics, practice, trajectory
from sgdcourse.problems import get, select
from sgdcourse.problems import lesson07 as L

ROOT = Path(__file__).resolve().parents[1]
NEW = (
    "07-plane-read",
    "07-momentum-debug",
    "07-retune-eta",
    "07-oscillator-predict",
    "07-oscillator-read",
    "07-beta-sweep",
    "07-adam-first-step",
)


def _experiment(numbers, marker):
    """Run the solution notebook's data cell of problem `numbers` (today's numbers) and its code cell
    that contains `marker` (an experiment the learner runs as given, outside solution markers), and
    return their variables."""
    notebook = ROOT / "solutions" / "07_momentum.ipynb"
    source = code_cell(notebook, marker)
    assert "SOLUTION" not in source, "an experiment cell stays in the exercise as it is"
    namespace = {
        "np": np,
        "sgdcourse": sgdcourse,
        "trajectory": trajectory,
        "dynamics": dynamics,
        "data": practice.data,
    }
    return run_sources([code_cell(notebook, f'data("{numbers}")'), source], namespace)[0]


# ---- the lesson's problems as a set ------------------------------------------------------------


def test_every_section_has_a_problem_and_several_run_code():
    problems = select(7)
    assert {s for p in problems for s in p.sections} == {1, 2, 3, 4, 5, 6}
    assert {p.task for p in problems} >= {
        "compute",
        "derive",
        "concept",
        "predict",
        "read",
        "debug",
        "implement",
        "choose",
    }
    assert sum(p.runs_code for p in problems) >= 5
    assert set(NEW) <= {p.id for p in problems}


def test_reviewed_slips_are_named():
    assert practice.check("07-heavy-ball", 0.496).mistake == "lookahead"  # Nesterov's look-ahead gradient
    assert practice.check("07-momentum-threshold", 0.19).mistake == "factor-2-dropped"  # (1 + beta)/lambda
    r = practice.check("07-alternating", "1/2")  # a number where an expression in beta is asked
    assert r.status == "incorrect" and "beta" in r.feedback and "number" in r.feedback
    assert practice.check("07-newton-step", 12).mistake == "uphill"  # no longer "wrong-divisor"
    assert practice.check("07-gain", Fraction(7, 3)).mistake == "drop-current"


def test_heavy_ball_lookahead_by_a_float_loop():
    theta, v, eta, beta = 1.0, 0.0, 0.1, 0.9
    for _ in range(2):
        v = beta * v + 2 * (theta - eta * beta * v)  # Nesterov: the gradient at the look-ahead point
        theta -= eta * v
    lookahead = {m.name: m.value for m in get("07-heavy-ball").mistakes}["lookahead"]
    assert float(lookahead) == pytest.approx(theta) == pytest.approx(0.496)


# ---- 07-momentum-debug -------------------------------------------------------------------------


def test_debug_reference_is_the_library_heavy_ball():
    lams, theta0 = np.array([1.0, 50.0]), np.array([-8.0, 1.0])
    run = sgdcourse.sgd(sgdcourse.QuadraticBowl(curvatures=lams), theta0, 0.036, steps=25, momentum=0.7)
    assert np.allclose(L.heavy_ball_run(lams, theta0, 0.036, 0.7, 25), run.theta)


def test_debug_accepts_either_consistent_convention_and_names_the_planted_bug():
    def other_convention(lams, theta0, eta, beta, steps):
        theta, v = np.asarray(theta0, dtype=float), np.zeros(len(theta0))
        for _ in range(steps):
            v = beta * v + eta * lams * theta
            theta = theta - v
        return theta

    assert practice.check("07-momentum-debug", L.heavy_ball_run).status == "correct"
    assert practice.check("07-momentum-debug", other_convention).status == "correct"
    r = practice.check("07-momentum-debug", L.buggy_heavy_ball)
    assert r.mistake == "still-planted" and "planted bug" in r.feedback


def test_debug_example_in_the_statement_is_the_fixed_function_on_the_valley():
    example = L.heavy_ball_run(np.array([1.0, 50.0]), np.array([-8.0, 1.0]), 0.036, 0.7, 1)
    assert np.allclose(example, [-8 + 0.036 * 8, 1 - 0.036 * 50])
    assert "(-7.712, -0.8)" in get("07-momentum-debug").statement


# ---- 07-retune-eta -----------------------------------------------------------------------------


def test_retuned_eta_gives_plain_sgds_step_along_a_constant_gradient():
    p = get("07-retune-eta")
    eta, beta = float(p.params["eta"]), float(p.params["beta"])
    v, g = 0.0, 1.0
    for _ in range(500):
        v = beta * v + g
    assert float(p.answer) * v == pytest.approx(eta * g)  # the heavy ball's long-run step = plain SGD's
    assert eta * v == pytest.approx(eta * g / (1 - beta))  # unchanged eta: 1/(1 - beta) times longer


# ---- 07-oscillator-predict and -read -----------------------------------------------------------


def _errors_by_matrix(eta, lam, beta, T):
    A, state, out = dynamics.momentum_matrix(eta, lam, beta), np.array([1.0, 0.0]), [1.0]
    for _ in range(T):
        state = A @ state
        out.append(state[0])
    return np.array(out)


def test_oscillator_answers_by_the_momentum_matrix():
    p, read = get("07-oscillator-predict"), get("07-oscillator-read")
    eta, lam, T = float(p.params["eta"]), p.params["lam"], p.params["T"]
    betas = [float(b) for b in p.params["betas"]]
    paths = [_errors_by_matrix(eta, lam, b, T) for b in betas]
    assert p.answer == tuple(int(np.sum(np.sign(e[1:]) != np.sign(e[:-1]))) for e in paths) == (0, 4)
    assert read.answer == pytest.approx(paths[1].min())
    critical = (1 - np.sqrt(eta * lam)) ** 2  # over-damped below, under-damped above
    assert betas[0] < critical < betas[1]


def test_oscillator_experiment_in_the_notebook_gives_the_banks_answers():
    ns = _experiment("07-oscillator-predict", "errors[b] = run.thetas")
    p = get("07-oscillator-predict")
    seen = tuple(int(np.sum(ns["errors"][float(b)][1:] * ns["errors"][float(b)][:-1] < 0)) for b in p.params["betas"])
    assert seen == p.answer
    assert ns["errors"][0.95].min() == pytest.approx(get("07-oscillator-read").answer, abs=1e-12)
    assert practice.check("07-oscillator-read", round(float(ns["errors"][0.95].min()), 3)).status == "correct"


def test_a_prediction_is_recorded_whatever_it_is():
    for guess in [(0, 4), (3, 3), [0, 0]]:
        r = practice.check("07-oscillator-predict", guess)
        assert r.status == "recorded" and "(0, 4)" in r.feedback


# ---- 07-beta-sweep: a choice with evidence -----------------------------------------------------


def test_sweep_in_the_notebook_is_the_banks_sweep():
    ns = _experiment("07-beta-sweep", "betas = np.round(np.arange(")
    p = get("07-beta-sweep")
    bank = L.beta_sweep(**{k: p.params[k] for k in ("eta", "curvatures", "theta0", "tol", "steps")}, betas=ns["betas"])
    assert np.array_equal(np.nan_to_num(ns["counts"], nan=-1), np.nan_to_num(bank, nan=-1))
    assert Fraction(str(ns["betas"][np.nanargmin(ns["counts"])])) == p.answer


def test_banks_fast_sweep_is_the_library_sgd_sweep():
    p = get("07-beta-sweep")
    kw = {k: p.params[k] for k in ("eta", "curvatures", "theta0", "tol", "steps")}
    betas = L.sweep_betas(p.params["beta_step"], p.params["beta_max"])
    fast, slow = L.beta_sweep(**kw, betas=betas), L.beta_sweep_by_sgd(**kw, betas=betas)
    assert np.array_equal(np.nan_to_num(fast, nan=-1), np.nan_to_num(slow, nan=-1))


def test_sweep_range_is_what_the_counts_support():
    p = get("07-beta-sweep")
    betas = L.sweep_betas(p.params["beta_step"], p.params["beta_max"])
    counts = L.beta_sweep(**{k: p.params[k] for k in ("eta", "curvatures", "theta0", "tol", "steps")}, betas=betas)
    inside = betas[counts <= 1.2 * np.nanmin(counts)]
    lo, hi = (float(v) for v in p.accept)
    assert lo == pytest.approx(inside.min()) and hi == pytest.approx(inside.max())
    # the floor's critical beta at this eta sits at the range's lower edge, within one grid step
    critical = (1 - np.sqrt(float(p.params["eta"]) * 1.0)) ** 2
    assert abs(critical - inside.min()) < 0.01
    assert p.answer == Fraction(75, 100) and (inside.min(), inside.max()) == (0.74, 0.8)


@pytest.mark.parametrize("answer", [0.74, 0.8, 0.75, 0.741, 0.799, Fraction(37, 50), Fraction(4, 5), "0.77"])
def test_sweep_accepts_values_just_inside(answer):
    assert practice.check("07-beta-sweep", answer).status == "correct"


@pytest.mark.parametrize(
    "answer, side",
    [(0.739, "below"), (0.73, "below"), (0.0, "below"), (0.801, "above"), (0.81, "above"), (0.95, "above")],
)
def test_sweep_refuses_values_just_outside_and_says_why(answer, side):
    r = practice.check("07-beta-sweep", answer)
    assert r.status == "incorrect" and r.mistake == f"range-{side}"
    assert ("too little momentum" if side == "below" else "not always faster") in r.feedback


def test_sweep_names_the_popular_default_and_the_most_momentum():
    assert practice.check("07-beta-sweep", 0.9).mistake == "default-0.9"
    assert practice.check("07-beta-sweep", 0.98).mistake == "most-momentum"


# ---- 07-plane-read ----------------------------------------------------------------------------


def test_plane_table_by_the_momentum_matrix_and_in_the_notebook():
    p = get("07-plane-read")
    etas, betas = [float(e) for e in p.params["etas"]], [float(b) for b in p.params["betas"]]
    rho = np.array(
        [
            [
                max(np.abs(np.linalg.eigvals(dynamics.momentum_matrix(e, lam, b))).max() for lam in (1.0, 50.0))
                for e in etas
            ]
            for b in betas
        ]
    )
    j, k = np.unravel_index(np.argmin(rho), rho.shape)
    assert (Fraction(etas[k]).limit_denominator(100), Fraction(betas[j]).limit_denominator(100)) == p.answer
    ns = _experiment("07-plane-read", "rho = dynamics.momentum_bowl_rate")
    assert np.allclose(ns["rho"], rho)
    # the best pair of the table sits next to Polyak's optimum, the lesson's star
    eta_star, beta_star, _ = dynamics.momentum_optimum([1.0, 50.0])
    assert abs(float(p.answer[0]) - eta_star) < 0.01 and abs(float(p.answer[1]) - beta_star) < 0.05


# ---- 07-adam-first-step ------------------------------------------------------------------------


def _adam_one_step(theta0, grads, alpha, beta1, beta2):
    g = np.asarray(grads, dtype=float)
    g_bar, u = (1 - beta1) * g, (1 - beta2) * g * g
    return np.asarray(theta0, dtype=float) - alpha * (g_bar / (1 - beta1)) / np.sqrt(u / (1 - beta2))


def test_adam_first_step_by_floats_and_by_sign():
    p = get("07-adam-first-step")
    pr = p.params
    theta0 = np.array(pr["theta0"], dtype=float)
    grads = np.array(pr["curvatures"], dtype=float) * theta0
    ref = _adam_one_step(theta0, grads, float(pr["alpha"]), float(pr["beta1"]), float(pr["beta2"]))
    assert np.allclose([float(x) for x in p.answer], ref)
    assert np.allclose(ref, theta0 - float(pr["alpha"]) * np.sign(grads))  # each coordinate moves by alpha


# ---- 07-sharp-flat -----------------------------------------------------------------------------


def test_sharp_flat_statement_has_its_premise_and_the_premise_decides():
    p = get("07-sharp-flat")
    assert "s = k lambda" in p.statement  # the noise model is in the statement, not in a hint
    eta = float(p.params["eta"])
    ball = {
        lam: dynamics.noise_ball_variance(eta, lam, lam**2) for lam in (p.params["lam_sharp"], p.params["lam_flat"])
    }
    assert ball[30] > 100 * ball[1]  # with s = k lambda the sharp minimum's cloud is far wider
    same_noise = {lam: dynamics.noise_ball_variance(eta, lam, 1.0) for lam in (30, 1)}
    assert same_noise[30] < same_noise[1]  # without the premise it would be narrower
    assert practice.check("07-sharp-flat", "e").mistake == "flat-law"


# ---- variants ----------------------------------------------------------------------------------


def test_variants_compute_their_own_numbers():
    assert L.gain.build(beta=Fraction(9, 10)).answer == 10
    assert L.alternating.build(r=Fraction(-1)).answer == 1 / (1 + L.beta)
    assert L.retune_eta.build(eta=Fraction(1, 10), beta=Fraction(1, 2)).answer == Fraction(1, 20)
    assert L.momentum_threshold.build(lam=20, beta=Fraction(1, 2)).answer == Fraction(3, 20)
    with pytest.raises(ValueError):
        L.gain.build(beta=Fraction(3, 2))  # beta in (0, 1)
    with pytest.raises(ValueError):
        L.sharp_flat.build(lam_sharp=30, lam_flat=1, eta=Fraction(1, 10))  # eta lambda = 3: GD would not stay
    assert sp.simplify(L.alternating.answer - 1 / (1 + L.beta)) == 0
