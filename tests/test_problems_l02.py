"""Lesson 02's problems, each reference computed a second way (by hand in Fractions, or with a plain
loop instead of the library), each named slip recognised by its name, and the solution notebook's
experiments printing what the bank says."""

import json
import re
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from helpers import ROOT
from sgdcourse import practice
from sgdcourse.models import Linear1D
from sgdcourse.problems import BANK
from sgdcourse.problems import lesson02 as L
from sgdcourse.sgd import sgd

X, Y = {1: Fraction(1), 2: Fraction(2)}, {1: Fraction(3), 2: Fraction(1)}  # the exercise's data, by example


def hand(w0, eta, order, late=False, with_x=True):
    """SGD by hand, in Fractions: g at w (or, late, at the point after the step), then w - eta g."""
    w = Fraction(w0)
    for i in order:

        def grad(v, i=i):
            return (v * X[i] - Y[i]) * (X[i] if with_x else 1)

        at = w - eta * grad(w) if late else w
        w = w - eta * grad(at)
    return w


def stored_output(cell_id):
    cells = json.loads((ROOT / "solutions" / "02_sgd_by_hand.ipynb").read_text())["cells"]
    cell = next(c for c in cells if c.get("id") == cell_id)
    return "".join("".join(o.get("text", "")) for o in cell["outputs"])


# ---- by hand: the chain, and the lesson's own slips on it --------------------------------------


def test_the_hand_chain_and_its_slips_by_hand():
    eta = Fraction(1, 10)
    assert BANK["02-sgd-gradient"].answer == (hand(0, eta, [1]) * X[2] - Y[2]) * X[2] == Fraction(-4, 5)
    assert BANK["02-worked-w2"].answer == hand(0, eta, [1, 2]) == Fraction(19, 50)
    assert BANK["02-worked-step"].answer == hand(0, eta, [1, 2, 1]) == Fraction(321, 500)
    w2 = {m.name: m.value for m in BANK["02-worked-w2"].mistakes}
    assert w2["late-gradient"] == hand(0, eta, [1, 2], late=True) == Fraction("0.3252")  # the review's value
    assert w2["missing-x"] == hand(0, eta, [1, 2], with_x=False) == Fraction("0.34")
    w3 = {m.name: m.value for m in BANK["02-worked-step"].mistakes}
    assert w3["late-gradient"] == hand(0, eta, [1, 2, 1], late=True)
    assert w3["missing-x"] == hand(0, eta, [1, 2, 1], with_x=False)
    assert w3["no-eta"] == hand(0, 1, [1, 2, 1])
    assert w3["swapped-order"] == hand(0, eta, [1, 1, 2]) and w3["other-examples"] == hand(0, eta, [2, 1, 2])


@pytest.mark.parametrize(
    "pid, answer, name",
    [
        ("02-worked-w2", 0.3252, "late-gradient"),
        ("02-worked-w2", 0.34, "missing-x"),
        ("02-worked-step", float(hand(0, Fraction(1, 10), [1, 2, 1], late=True)), "late-gradient"),
        ("02-worked-step", float(hand(0, 1, [1, 2, 1])), "no-eta"),
        ("02-worked-step", float(hand(0, Fraction(1, 10), [1, 1, 2])), "swapped-order"),
        ("02-worked-step", float(hand(0, Fraction(1, 10), [2, 1, 2])), "other-examples"),
        ("02-sgd-gradient", -0.4, "missing-x"),
        ("02-sgd-gradient", -2, "at-w0"),
        ("02-full-gradient", -0.4, "example-2-only"),
        ("02-full-gradient", -1.4, "missing-x"),
        ("02-full-step", 0.15, "change-only"),
        ("02-sgd-step", lambda w, x, y, eta: eta * (w * x - y) * x, "change-only"),
        ("02-region-read", 1.0, "outside-share"),
        ("02-copies", [2, 1, 1.75], "not-copied"),
        ("02-copies", [20, 10, 1.75], "sgd-scaled"),
        ("02-copies", [20, 1, -3], "sum-not-mean"),
    ],
)
def test_the_reviewed_slips_are_named(pid, answer, name):
    r = practice.check(pid, answer)
    assert (r.status, r.mistake) == ("incorrect", name), str(r)


def test_feedback_no_longer_guesses():
    r = practice.check("02-sgd-gradient", -0.4)
    assert "m - 1" not in r.feedback and "m in place" not in r.feedback
    r = practice.check("02-unbiased", sp.Sum(L.g[L.k], (L.k, 1, L.N)))
    assert r.mistake == "sum-not-mean" and "inner derivative" not in r.feedback and "chain rule" not in r.feedback
    assert practice.check("02-full-gradient", -3).feedback.count("N - 1") == 0


@pytest.mark.parametrize("title", list(L.COMMON_MISTAKES))
def test_each_common_mistake_of_the_lesson_is_named_where_it_is_listed(title):
    for pid, name in L.COMMON_MISTAKES[title]:
        p = BANK[pid]
        bank = {m.name: m.value for m in p.mistakes}
        if name in bank:
            r = practice.check(pid, bank[name])
        else:  # a generic slip: checking a hand calculation in floats and rounding it
            r = practice.check(pid, round(float(p.answer), 2))
        assert r.status == "incorrect" and name in r.mistake.split(" or "), (title, pid, str(r))


# ---- the debug problem ---------------------------------------------------------------------------


def test_debug_reference_is_the_library_run_and_the_bug_is_caught():
    p = BANK["02-debug-rows"]
    cases = p.cases(np.random.default_rng(p.seed))
    for c in cases:
        traj = sgd(
            Linear1D(np.array(c["xs"]), np.array(c["ys"])), [c["w0"]], c["eta"], batches=[[r] for r in c["rows"]]
        )
        assert np.isclose(p.answer(**c), traj.thetas[-1, 0], rtol=1e-12, atol=1e-12)
    assert any(0 in c["rows"] for c in cases)  # row 0 is where the bug shows
    today = cases[0]
    assert p.answer(**today) == pytest.approx(0.642) and L.buggy_sgd(**today) == pytest.approx(0.488)
    assert practice.check("02-debug-rows", L.buggy_sgd).mistake == "planted-bug"
    assert practice.check("02-debug-rows", L._partial_fix).mistake == "partial-fix"
    assert practice.check("02-debug-rows", L.sgd_rows).ok


# ---- the learning-rate sweep ---------------------------------------------------------------------


def plain_sweep(etas, steps=30, runs=40, seed=7):
    """The sweep with a vectorised loop over the runs instead of the library."""
    x, y = np.array([1.0, 2.0]), np.array([3.0, 1.0])
    draws = np.random.default_rng(seed).integers(0, 2, (runs, steps, 1))
    out = {}
    for eta in etas:
        w = np.zeros(runs)
        for t in range(steps):
            i = draws[:, t, 0]
            w = w - float(eta) * (w * x[i] - y[i]) * x[i]
        out[eta] = float(np.sqrt(np.mean((w - 1.0) ** 2)))
    return out


def test_rate_choice_accepts_what_the_sweep_supports():
    p = BANK["02-rate-choose"]
    etas, level = p.params["etas"], p.params["level"]
    sweep = plain_sweep(etas)
    good = [e for e in etas if sweep[e] < level]
    assert p.accept == (min(good), max(good)) and p.answer == min(good, key=sweep.get)
    assert all(sweep[e] < level for e in etas if p.accept[0] <= e <= p.accept[1])  # one run of values
    assert practice.check("02-rate-choose", 0.04).ok
    assert practice.check("02-rate-choose", 0.01).mistake == "range-below"
    assert practice.check("02-rate-choose", 0.1).mistake == "range-above"
    printed = dict(re.findall(r"^\s*([\d.]+)\s+([\d.]+)$", stored_output("sol02-37"), re.M))
    assert {Fraction(k): float(v) for k, v in printed.items()} == {e: round(sweep[e], 3) for e in etas}


# ---- the region of confusion ---------------------------------------------------------------------


def plain_region(starts=(6.0, -3.0), eta=0.1, steps=200, seed=8):
    x, y = np.array([1.0, 2.0]), np.array([3.0, 1.0])
    rng = np.random.default_rng(seed)
    runs = []
    for start in starts:
        rows, w = rng.integers(0, 2, (steps, 1))[:, 0], [start]
        for i in rows:
            w.append(w[-1] - eta * (w[-1] * x[i] - y[i]) * x[i])
        runs.append(w)
    return np.array(runs)


def test_region_references_agree_with_a_plain_loop_and_the_notebook():
    runs = plain_region()
    before, after = runs[:, :-1].ravel(), runs[:, 1:].ravel()
    inside = (before >= 0.5) & (before <= 3.0)
    closer = np.abs(after - 1.0) < np.abs(before - 1.0)
    assert closer[~inside].all()  # outside the region every step heads towards w*
    assert BANK["02-region-read"].answer == pytest.approx(closer[inside].mean(), abs=1e-12)
    assert 0 < closer[inside].mean() < 0.5  # inside, most steps move away from w*
    low, high = runs[:, 50:].min(), runs[:, 50:].max()
    assert BANK["02-region-predict"].answer == (round(low, 2), round(high, 2))
    assert 0.5 <= low and high <= 3.0  # the runs stay in the region, and never settle
    text = stored_output("sol02-43")
    assert f"stay between {low:.2f} and {high:.2f}" in text
    assert f"share that moved w closer to w*: {closer[inside].mean():.2f}" in text
    r = practice.check("02-region-predict", (1, 1))
    assert r.status == "recorded" and "What happened" in r.feedback


# ---- copying the data ----------------------------------------------------------------------------


def test_copies_reference_by_hand_and_by_the_original_data():
    p = BANK["02-copies"]
    w0, eta, copies = p.params["w0"], p.params["eta"], p.params["copies"]
    mean_grad = ((w0 * X[1] - Y[1]) * X[1] + (w0 * X[2] - Y[2]) * X[2]) / 2
    assert p.answer == (2 * copies, 1, w0 - eta * mean_grad) == (20, 1, Fraction(7, 4))
    original = sgd(L.model(L.XS, L.YS), np.array([w0], dtype=object), eta, batches=[[0, 1]])
    assert p.answer[2] == original.thetas[1, 0]  # GD's step is the same with or without the copies
