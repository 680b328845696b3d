"""Lesson 06's problems, second edition: each reference is computed a second way, each named slip
is recognised by its name, the feedback of the reviewed slips no longer guesses, and what the
solution notebook's experiments printed is what the bank says."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import sgdcourse as sc
from helpers import stored_prints
from sgdcourse import dynamics, practice, schedules
from sgdcourse.explorers import LearningRateExplorer
from sgdcourse.problems import get
from sgdcourse.problems import lesson06 as L6

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "06_learning_rate.ipynb"


def _outputs():
    """The text printed by each code cell of the executed solution notebook, with its source."""
    return stored_prints(SOLUTION)


def _printed(marker):
    """The output of the one code cell whose source contains marker."""
    found = [text for source, text in _outputs() if marker in source]
    assert len(found) == 1, marker
    return found[0]


def _bowl():
    return np.array(L6.BOWL_CURVATURES), np.array(L6.BOWL_CENTER), np.array(L6.BOWL_START)


def _closed_form_loss(eta, t):
    """L(theta_t) of GD on the lesson's bowl from e_t,k = (1 - eta lambda_k)^t e_0,k (no run)."""
    lams, c, start = _bowl()
    e = (1 - eta * lams) ** t * (start - c)
    return 0.5 * float(np.sum(lams * e**2))


# ---- 06-eta-sweep: choose with evidence ------------------------------------------------------------


def _sweep_by_closed_form(p):
    grid = [Fraction(k, p.params["denominator"]) for k in range(1, p.params["last"] + 1)]
    target = 10.0 ** -p.params["exponent"]
    counts = {}
    for eta in grid:
        lams = np.array(L6.BOWL_CURVATURES)
        if np.abs(1 - float(eta) * lams).max() >= 1:
            counts[eta] = None  # the edge or beyond: the steep axis never shrinks
            continue
        hit = [t for t in range(p.params["steps"] + 1) if _closed_form_loss(float(eta), t) <= target]
        counts[eta] = hit[0] if hit else None
    return counts


def test_sweep_reference_and_range_agree_with_the_closed_form():
    p = get("06-eta-sweep")
    counts = _sweep_by_closed_form(p)
    assert counts == L6.eta_sweep(tuple(counts), 10.0 ** -p.params["exponent"], p.params["steps"])
    fewest = min(n for n in counts.values() if n is not None)
    good = [e for e, n in counts.items() if n is not None and n <= fewest + p.params["slack"]]
    step = Fraction(1, p.params["denominator"])
    assert p.accept == (min(good) - step / 2, max(good) + step / 2) and counts[p.answer] == fewest
    assert all(
        n is not None and n > fewest + p.params["slack"]
        for e, n in counts.items()
        if e in (min(good) - step, max(good) + step)
    )  # the grid's neighbours outside are worse
    # the best step of the grid lies next to the step with the best rate, 2 / (lambda_min + lambda_max)
    assert abs(p.answer - Fraction(2, 6)) <= Fraction(1, p.params["denominator"])
    assert p.accept[1] < dynamics.gd_threshold(Fraction(5))


def test_sweep_accepts_just_inside_and_refuses_just_outside():
    p = get("06-eta-sweep")
    lo, hi = (float(v) for v in p.accept)
    for inside in (p.accept[0], p.accept[1], (lo + hi) / 2, lo + 1e-9, hi - 1e-9, str(p.accept[1]), 0.3, 0.34):
        assert practice.check("06-eta-sweep", inside).status == "correct", inside
    for outside, side in ((lo - 0.005, "below"), (hi + 0.005, "above"), (0.02, "below"), (0.38, "above")):
        r = practice.check("06-eta-sweep", outside)
        assert (r.status, r.mistake) == ("incorrect", f"range-{side}"), (outside, r)
        assert "sweep shows" in r.feedback
    assert practice.check("06-eta-sweep", 0.4).mistake == "the-threshold"
    assert practice.check("06-eta-sweep", 0.2).mistake == "one-over-lambda-max"


def test_the_notebook_sweep_printed_the_banks_counts():
    p = get("06-eta-sweep")
    printed = dict(re.findall(r"eta = ([\d.]+): (\S+)", _printed("sweep[Fraction(k, sw.denominator)]")))
    counts = _sweep_by_closed_form(p)
    assert len(printed) == len(counts)
    for eta, n in counts.items():
        assert printed[f"{float(eta):.3g}"] == ("-" if n is None else str(n))


# ---- 06-slider-predict and 06-slider-read -----------------------------------------------------------


def test_slider_prediction_is_what_the_run_does():
    p = get("06-slider-predict")
    eta, steps = float(p.params["eta_"]), p.params["steps"]
    run = L6.lesson_bowl_run(eta, steps)
    steep = run.thetas[:, 1] - L6.BOWL_CENTER[1]
    assert not run.diverged and (np.sign(steep[1:]) == -np.sign(steep[:-1])).all()  # zig-zags
    assert run.losses[-1] < 1e-4 * run.losses[0]  # and the loss falls far
    assert p.options[ord(p.answer) - ord("a")].startswith("Converge")
    for guess in "abcd":
        assert practice.check("06-slider-predict", guess).status == "recorded"


def test_slider_read_is_the_closed_form_and_the_explorers_readout():
    p = get("06-slider-read")
    eta, steps = p.params["eta_"], p.params["steps"]
    assert p.answer == pytest.approx(_closed_form_loss(float(eta), steps), rel=1e-9)
    explorer = LearningRateExplorer(
        list(L6.BOWL_CURVATURES), np.array(L6.BOWL_START), center=list(L6.BOWL_CENTER), steps=steps, eta=0.1
    )
    explorer.set(eta=float(eta))
    shown = float(re.search(r"loss (\S+) at step", explorer.text).group(1))
    assert practice.check("06-slider-read", shown).status == "correct"
    printed = _printed("explorer.set(eta=float(eta_k))")
    assert f"loss {shown:.3g} at step {steps}" in printed
    other = float(re.search(rf"eta = {float(p.params['other']):.3f}: .* loss (\S+) at step", printed).group(1))
    assert practice.check("06-slider-read", other).mistake == "other-position"


# ---- 06-decay-conditions -----------------------------------------------------------------------------


def test_only_the_one_over_t_step_meets_both_conditions():
    p = get("06-decay-conditions")
    eta0, t0, h = float(p.params["eta0"]), p.params["t0"], float(p.params["halving"])
    t = np.arange(10**5, dtype=float)
    inverse = eta0 * t0 / (t0 + t)
    # the 1/t step: its sum grows like log T without end, its sum of squares converges
    assert inverse[: 10**5].sum() - inverse[: 10**4].sum() > 0.9 * eta0 * t0 * math.log(10)
    assert (inverse**2).sum() < eta0**2 * t0 * (1 + t0) / t0 + eta0**2  # below the integral bound
    # the halving step's sum is finite (a geometric series), the constant step's squares grow with T
    assert (eta0 * h**t).sum() == pytest.approx(eta0 / (1 - h))
    assert p.answer == "b"
    for guess, name in (("a", "not-converged-yet"), ("c", "decays-too-fast"), ("d", "any-step")):
        assert practice.check("06-decay-conditions", guess).mistake == name


# ---- 06-step-decay -----------------------------------------------------------------------------------


def _loop_step_decay(t, eta0, factor, every):
    eta = eta0
    for k in range(1, t + 1):
        if k % every == 0:
            eta *= factor
    return eta


def test_step_decay_reference_matches_a_loop_and_its_slips_are_named():
    p = get("06-step-decay")
    for case in p.cases(np.random.default_rng(p.seed)):
        assert p.answer(**case) == pytest.approx(_loop_step_decay(**case), rel=1e-12)
        assert p.answer(**case) == pytest.approx(
            schedules.step_decay(case["t"], case["eta0"], factor=case["factor"], every=case["every"]), rel=1e-12
        )
    assert practice.check("06-step-decay", lambda t, eta0, factor, every: eta0 * factor ** (t // every)).ok
    for m in p.mistakes:
        assert practice.check("06-step-decay", m.value).mistake == m.name, m.name
    assert p.answer(399, 0.2, 0.1, 400) == 0.2 and p.answer(400, 0.2, 0.1, 400) == pytest.approx(0.02)


# ---- 06-race-evaluations -----------------------------------------------------------------------------


def test_race_gd_count_matches_the_closed_form_path():
    p = get("06-race-evaluations")
    n, m = p.params["n"], p.params["m"]
    rng = np.random.default_rng(p.params["seed"])
    X, y, _ = sc.make_linear_regression(n, 5, rng)
    X = X * np.logspace(0, -0.5, 5)
    H, b = X.T @ X / n, X.T @ y / n
    best = np.linalg.solve(H, b)
    path = dynamics.gd_error_path(1 / np.linalg.eigvalsh(H).max(), H, -best, 50)  # e_t = theta_t - theta*
    gaps = np.einsum("ti,ij,tj->t", path, H, path) / (best @ H @ best)
    k_gd = int(np.argmax(gaps <= p.params["percent"] / 100))
    assert p.answer[0] == k_gd * n
    assert p.answer[1] % m == 0 and p.answer[1] < p.answer[0] / 10  # SGD: a small fraction of GD's work


def test_the_notebook_race_printed_the_banks_steps_and_slips_are_named():
    p = get("06-race-evaluations")
    n, m = p.params["n"], p.params["m"]
    printed = _printed("first_below(gd)")
    k_gd, k_sgd = (int(k) for k in re.findall(r"(\d+) steps to", printed))
    assert p.answer == (k_gd * n, k_sgd * m)
    assert practice.check("06-race-evaluations", [k_gd, k_sgd]).mistake == "per-step"
    assert practice.check("06-race-evaluations", [k_sgd * m, k_gd * n]).mistake == "swapped"
    assert practice.check("06-race-evaluations", [k_gd * n, k_sgd]).mistake == "sgd-one-per-step"


# ---- the reviewed slips of the older problems ---------------------------------------------------------


def test_reviewed_slips_are_named_and_the_feedback_does_not_guess():
    r = practice.check("06-threshold", float(1 / L6.LAM_MAX))
    assert r.mistake == "one-over-lambda" and "m - 1" not in r.feedback and "in place of" not in r.feedback
    p = get("06-crawl-steps")
    q = 1 - L6.CRAWL_ETA * L6.CRAWL_LAM
    tenfold = next(k for k in range(1, 10_000) if q**k <= Fraction(1, 10))
    assert practice.check("06-crawl-steps", tenfold).mistake == "tenfold"
    assert tenfold * 2 != p.answer  # today's numbers keep "tenfold" apart from "half"
    w = get("06-warmup-cosine")
    first, second = L6.STEPS_ASKED
    whole = L6.ETA0 * (1 + math.cos(math.pi * second / L6.TOTAL)) / 2  # the unshifted cosine over T
    assert practice.check("06-warmup-cosine", [w.answer[0], whole]).mistake == "cosine-whole-run"
    off = practice.check("06-warmup-cosine", [L6.ETA0 * first / L6.WARMUP, w.answer[1]])
    assert off.mistake == "warmup-off-by-one"
    assert "N + 1" not in off.feedback and "rounded" not in off.feedback and "in place of" not in off.feedback
    assert practice.check("06-error-after-t", "3*exp(-eta*lam*t)").mistake == "exponential"
    r = practice.check("06-error-after-t", "3*(1 - eta*lambda)**t")
    assert r.status == "unreadable" and "lam" in r.feedback


def test_every_common_mistake_is_recognised_by_its_name():
    for title, where in L6.COMMON_MISTAKES.items():
        for pid, name in where:
            mistake = next(m for m in get(pid).mistakes if m.name == name)
            assert practice.check(pid, mistake.value).mistake == name, (title, pid, name)
