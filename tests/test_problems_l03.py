"""Lesson 03's problems: the references computed a second way, every named slip recognised by its
name, and the notebook's experiments giving what the bank says (the solution notebook's cells are
run here as they stand)."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import sgdcourse
from helpers import code_cell, run_sources
from sgdcourse import practice
from sgdcourse.models import Logistic, sigmoid
from sgdcourse.problems import get, lesson03

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "03_minibatch_logistic.ipynb"


def notebook_cell(*markers):
    """Run, in one namespace, the code cells of the solution notebook that contain these markers (one
    cell each, in order); (namespace, what the last one printed)."""
    namespace, printed = {"np": np, "sgdcourse": sgdcourse, "data": practice.data}, ""
    for marker in markers:
        namespace, printed = run_sources([code_cell(SOLUTION, marker)], namespace)
    return namespace, printed


def named(pid, answer):
    r = practice.check(pid, answer)
    assert r.status == "incorrect", r
    return r.mistake


# ---- the reviewed misdiagnoses, gone ------------------------------------------------------------


def test_batch_gradient_first_example_is_named_and_is_no_rounding():
    p = get("03-batch-gradient")
    xs, ys, w0 = p.params["xs"], p.params["ys"], p.params["w0"]
    terms = [(w0 * a - b) * a for a, b in zip(xs, ys)]  # by hand: -3 and -12
    assert p.answer == Fraction(sum(terms), len(terms)) == Fraction(-15, 2)
    assert named(p.id, terms[0]) == "first-example-only"
    assert named(p.id, sum(terms)) == "sum-not-mean"
    assert named(p.id, Fraction(sum(w0 * a - b for a, b in zip(xs, ys)), len(xs))) == "missing-x"
    assert all(round(p.answer, d) != terms[0] for d in range(4))  # no rounding of the answer gives it


def test_logistic_minibatch_least_squares_and_p_dropped_are_told_apart():
    p = get("03-logistic-minibatch")
    xs, ys, w0, m = (p.params[k] for k in ("xs", "ys", "w0", "m"))
    by_hand = sum((1 / (1 + math.exp(-w0 * a)) - b) * a for a, b in zip(xs[:m], ys[:m])) / m
    assert p.answer == pytest.approx(by_hand, abs=1e-12)
    least = sum((w0 * a - b) * a for a, b in zip(xs[:m], ys[:m])) / m
    dropped = sum(-b * a for a, b in zip(xs[:m], ys[:m])) / m
    stale = sum((0.5 - b) * a for a, b in zip(xs[:m], ys[:m])) / m
    assert len({least, dropped, stale, m * p.answer}) == 4
    assert named(p.id, least) == "least-squares"
    assert named(p.id, dropped) == "p-dropped"
    assert named(p.id, stale) == "stale-predictions"
    assert named(p.id, m * p.answer) == "sum-not-mean"


def test_logistic_derivative_extra_factor_is_named_on_valid_labels():
    p = get("03-logistic-derivative")
    lo, hi = p.domain["y"]
    assert 0 <= lo < hi <= 1
    assert named(p.id, "(sigmoid(w*x) - y)*sigmoid(w*x)*(1 - sigmoid(w*x))*x") == "extra-sigma-prime"
    assert named(p.id, "(w*x - y)*x") == "z-not-p"


def test_minibatch_grad_divided_by_d_is_named():
    def by_d(w, X, y):
        return X.T @ (1 / (1 + np.exp(-(X @ w))) - y) / X.shape[1]

    assert named("03-minibatch-grad", by_d) == "divided-by-d"


# ---- 03-stable-loss: a debug problem ------------------------------------------------------------


def test_stable_loss_reference_against_the_formula_and_large_scores():
    p = get("03-stable-loss")
    for case in p.cases(np.random.default_rng(p.seed)):
        z = case["X"] @ case["w"]
        per = [
            zi - yi * zi + math.log1p(math.exp(-zi)) if zi > 0 else math.log1p(math.exp(zi)) - yi * zi
            for zi, yi in zip(z, case["y"])
        ]
        assert p.answer(**case) == pytest.approx(sum(per) / len(per), rel=1e-12)
    big = p.params["big"]
    assert 1 - sigmoid(float(big)) == 0.0  # what makes the literal formula fail


def test_stable_loss_the_planted_bug_and_other_slips_are_named():
    namespace, printed = notebook_cell('data("03-stable-loss")', "def buggy_loss")
    assert "buggy_loss: inf" in printed
    assert named("03-stable-loss", namespace["buggy_loss"]) == "planted-bug"

    def summed(w, X, y):
        z = X @ w
        return float(np.sum(np.logaddexp(0, z) - y * z))

    def no_label(w, X, y):
        return float(np.mean(np.logaddexp(0, X @ w)))

    def fixed(w, X, y):
        z = X @ w
        return float(np.mean(np.where(z > 0, z + np.log1p(np.exp(-np.abs(z))), np.log1p(np.exp(z))) - y * z))

    assert named("03-stable-loss", summed) == "sum-not-mean"
    assert named("03-stable-loss", no_label) == "label-term-dropped"
    assert practice.check("03-stable-loss", fixed).ok


# ---- 03-intercept -------------------------------------------------------------------------------


def test_a_boundary_off_the_origin_needs_the_intercept():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(3, 0.3, (20, 2)), rng.normal(4, 0.3, (20, 2))])
    y = np.r_[np.ones(20), np.zeros(20)]
    without = Logistic(X, y)
    with_ones = Logistic(np.hstack([X, np.ones((40, 1))]), y)
    assert without.loss(without.minimiser()) > 0.5 > 0.1 > with_ones.loss(with_ones.minimiser(steps=20000))
    assert get("03-intercept").answer == "a"
    assert named("03-intercept", "b") == "intercept-harmless" and named("03-intercept", "c") == "just-slower"


# ---- 03-fd-ratio: read a failing gradient check -------------------------------------------------


def test_fd_ratio_is_what_the_notebook_check_shows():
    p = get("03-fd-ratio")
    namespace, printed = notebook_cell('data("03-fd-ratio")', "def grad_candidate")
    result = namespace["result"]
    assert not result.ok and "MISMATCH" in printed
    assert np.allclose(result.analytic / result.numeric, float(p.answer), rtol=1e-4)
    # the second way: the candidate is -N times the library's gradient
    model, w = namespace["model_fd"], np.array(p.params["w_check"], dtype=float)
    assert np.allclose(namespace["grad_candidate"](w), -model.n * model.grad(w))
    assert p.answer == -p.quantities["N"] == -model.n
    assert named(p.id, 1 / p.answer) == "numeric-over-analytic"
    assert named(p.id, -p.answer) == "sign"


# ---- 03-choose-eta: a choice with evidence ------------------------------------------------------


def _sweep_by_hand(p):
    """The sweep, run step by step with sgdcourse.sgd: mean final loss per eta."""
    model = lesson03.lesson_data()
    etas = [float(p.params["eta_min"]) * 2**k for k in range(p.params["count"])]
    means = []
    for eta in etas:
        finals = [
            model.loss(
                sgdcourse.sgd(
                    model,
                    np.zeros(3),
                    eta,
                    m=p.params["m"],
                    steps=p.params["steps"],
                    rng=np.random.default_rng(s),
                    track_loss=False,
                ).theta
            )
            for s in range(p.params["n_seeds"])
        ]
        means.append(np.mean(finals))
    return etas, np.array(means)


def test_choose_eta_range_is_what_the_sweep_supports():
    p = get("03-choose-eta")
    etas, means = _sweep_by_hand(p)
    good = [e for e, mu in zip(etas, means) if mu <= means.min() + float(p.params["tol"])]
    assert (min(good), max(good)) == tuple(float(v) for v in p.accept)
    assert float(p.answer) == etas[int(np.argmin(means))]
    namespace, printed = notebook_cell('data("03-choose-eta")', "sweep.final_losses(model_200, np.zeros(3), etas")
    assert np.allclose(namespace["mean"], means, rtol=1e-12)
    for eta, mu in zip(etas, means):
        assert f"eta = {eta:<8g} mean final L = {mu:.4f}" in printed


def test_choose_eta_accepts_inside_and_refuses_outside():
    p = get("03-choose-eta")
    lo, hi = (float(v) for v in p.accept)
    for inside in (lo, hi, lo * 1.0001, hi * 0.9999, float(p.answer)):
        assert practice.check(p.id, inside).ok, inside
    below, above = practice.check(p.id, lo * 0.999), practice.check(p.id, hi * 1.001)
    assert below.status == "incorrect" and below.mistake == "range-below" and "do not get close" in below.feedback
    assert above.mistake == "range-above" and "noise" in above.feedback


# ---- 03-budget ----------------------------------------------------------------------------------


def test_budget_answer_is_what_the_table_shows():
    p = get("03-budget")
    namespace, printed = notebook_cell('data("03-choose-eta")', "model_200 = ", 'data("03-budget")', "at_epochs = ")
    per_step = namespace["at_steps"][:, 0].mean(axis=1)
    per_epoch = namespace["at_epochs"][:, 0].mean(axis=1)
    assert per_step[1] < per_step[0] and per_epoch[0] < per_epoch[1]  # the two budgets disagree: (a)
    step_bank, epoch_bank = lesson03.budget_experiment(
        **{k: p.params[k] for k in ("eta_", "ms", "steps", "epochs", "n_seeds")}
    )
    assert np.allclose(per_step, step_bank) and np.allclose(per_epoch, epoch_bank)
    assert p.answer == "a"
    assert named(p.id, "b") == "per-step-only" and named(p.id, "c") == "per-epoch-only"


# ---- 03-path-rise -------------------------------------------------------------------------------


def test_path_rise_by_hand_and_in_the_notebook():
    p = get("03-path-rise")
    namespace, printed = notebook_cell('data("03-path-rise")', "path = sgdcourse.sgd(")
    path, plane = namespace["path"], namespace["plane"]
    X, y = plane.X, plane.y
    w, eta = np.array(p.params["start"], dtype=float), float(p.params["eta_"])
    losses = [np.mean(np.logaddexp(0, X @ w) - y * (X @ w))]
    for t in range(path.steps):  # the same examples, the update written out: w - eta (p_i - y_i) x_i
        i = int(path.batches[t][0])
        w = w - eta * (1 / (1 + np.exp(-X[i] @ w)) - y[i]) * X[i]
        losses.append(np.mean(np.logaddexp(0, X @ w) - y * (X @ w)))
    first = next(t for t in range(1, len(losses)) if losses[t] > losses[t - 1])
    assert first == p.answer == 5
    assert f"{first:>2}" in printed and f"{losses[first]:.4f}" in printed
    assert named(p.id, first - 1) == "step-too-few"


def test_every_lesson_section_has_a_problem_and_two_run_code():
    problems = lesson03.PROBLEMS
    assert {s for p in problems for s in p.sections} == set(range(1, 8))
    assert sum(p.runs_code for p in problems) >= 2
