"""Lesson 05 in the bank: the reference answers agree with independent computations and simulations,
the named slips give values distinct from the answer and from each other, and the forms a learner
writes are accepted. (Every problem's reference, mistakes and placeholder are covered for the whole
bank by tests/test_problems.py.)"""

from fractions import Fraction

import numpy as np
import pytest

import sgdcourse as sc
from sgdcourse import practice
from sgdcourse.problems import get, select
from sgdcourse.problems import lesson05 as L


def test_lesson_has_enough_problems_of_several_kinds():
    problems = select(5)
    assert 8 <= len(problems) <= 12 and {p.kind for p in problems} == {"number", "function", "choice"}


@pytest.mark.parametrize("pid", [p.id for p in select(5)])
def test_named_slips_are_distinct_from_the_answer_and_each_other(pid):
    p = get(pid)
    if p.kind == "choice":
        letters = [m.value for m in p.mistakes]
        assert len(set(letters)) == len(letters) and p.answer not in letters
        return
    if p.kind == "function":
        cases = p.cases(np.random.default_rng(p.seed))
        with np.errstate(divide="ignore"):  # the inverted ratio on the case without noise
            outputs = [
                tuple(np.round(np.asarray(f(**c), dtype=float), 9).tobytes() for c in cases)
                for f in (p.answer, *(m.value for m in p.mistakes))
            ]
        assert len(set(outputs)) == len(outputs)
        return

    def gap(a, b):
        return np.abs(np.subtract(np.array(a, dtype=float), np.array(b, dtype=float))).max()

    slips = [m.value for m in p.mistakes]
    assert all(gap(p.answer, v) > p.tol for v in slips), pid  # no slip is accepted as right
    for k, a in enumerate(slips):
        assert all(gap(a, b) > 2 * p.tol for b in slips[k + 1 :]), (pid, a)  # no answer fits two slips


# ---- time per example --------------------------------------------------------------------------------


def test_cheapest_batch_by_floats():
    sizes = np.array([1, 4, 16, 64, 256, 1024, 4096])
    times = np.array([10.0, 10.5, 11.0, 13.0, 22.0, 80.0, 400.0])
    per = times / sizes
    assert np.all(np.diff(per[:6]) < 0) and per[6] > per[5]  # falls to 1024, then rises
    p = get("05-time-per-example")
    assert p.answer == sizes[np.argmin(per)] == 1024
    assert min(L.per_example(p.params["sizes"], p.params["times"])) == Fraction(80, 1024)
    assert L.step_bend(p.params["sizes"], p.params["times"]) == sizes[np.argmax(times >= 2 * times[0])] == 256
    assert tuple(float(t) for t in p.params["times"]) == tuple(times) and p.params["sizes"] == tuple(sizes)


# ---- linear scaling's ceiling -------------------------------------------------------------------------


def test_scaling_ceiling_by_brute_force_and_by_runs():
    params = get("05-scaling-ceiling").params
    lam, eta_1 = (params["lam_1"], params["lam_2"]), params["eta_1"]
    stable = [m for m in range(1, 2000) if all(abs(1 - m * eta_1 * k) < 1 for k in lam)]
    assert stable == list(range(1, max(stable) + 1)) and get("05-scaling-ceiling").answer == max(stable) == 75
    bowl = sc.QuadraticBowl([float(k) for k in lam])
    last = sc.sgd(bowl, np.ones(2), float(75 * eta_1), steps=3000).thetas[-1]
    assert np.abs(last).max() < 1e-8  # converges
    edge = sc.sgd(bowl, np.ones(2), float(76 * eta_1), steps=3000).thetas[-1]
    assert abs(edge[1]) == pytest.approx(1.0)  # the factor is -1: the steep error never shrinks
    assert sc.sgd(bowl, np.ones(2), float(77 * eta_1), steps=3000).diverged


def test_scaling_ceiling_slips():
    assert L.largest_stable_m(4, Fraction(1, 150), limit=1) == 37  # m eta_1 < 1/lambda_max
    assert L.largest_stable_m(Fraction(1, 2), Fraction(1, 150)) == 599  # the flat axis
    assert L.largest_stable_m(3, Fraction(1, 10)) == 6  # bound 20/3, not whole: its floor


# ---- the noise diagnostic -------------------------------------------------------------------------------


def test_noise_scale_by_hand():
    G = np.array([[1.0, 2.0], [3.0, 0.0], [2.0, 1.0]])
    assert L.m_noise(G) == pytest.approx(4 / 15)
    assert L.m_noise(np.tile([[1.0, -2.0]], (5, 1))) == 0.0


def test_noise_scale_is_where_sampled_noise_equals_signal():
    """E|g_hat - grad L|^2 over batches of m drawn with replacement is tr(Sigma) / m, so at
    m = m_noise it equals |grad L|^2: measured here on 20000 sampled batches."""
    rng = np.random.default_rng(3)
    G = 0.4 + rng.normal(size=(500, 3))
    signal = np.sum(G.mean(axis=0) ** 2)
    m = 8
    draws = rng.integers(0, len(G), size=(20000, m))
    noise = np.mean(np.sum((G[draws].mean(axis=1) - G.mean(axis=0)) ** 2, axis=1))
    assert noise * m / signal == pytest.approx(L.m_noise(G), rel=0.03)


@pytest.mark.parametrize(
    "form",
    [
        lambda G: np.trace(np.atleast_2d(np.cov(G.T, bias=True))) / np.linalg.norm(G.mean(axis=0)) ** 2,
        lambda G: ((G - G.mean(0)) ** 2).sum() / len(G) / (G.mean(0) @ G.mean(0)),
    ],
)
def test_noise_scale_learner_forms(form):
    assert practice.check("05-noise-scale", form).ok


def test_noise_scale_slips_are_named():
    def ddof1(G):
        return np.var(G, axis=0, ddof=1).sum() / (G.mean(0) ** 2).sum()

    assert practice.check("05-noise-scale", ddof1).mistake == "sample-variance"


# ---- choosing eta from a sweep --------------------------------------------------------------------------


def test_sweep_by_an_independent_loop():
    """The same sweep written again from the statement, with the model's own loss: the supported
    range is the bank's, and every grid value is clear of the target (a small change of method
    cannot move a value across it)."""
    offsets = np.random.default_rng(0).standard_normal((200, 2))
    bowl = sc.QuadraticBowl(np.array([0.5, 4.0]), center=np.array([1.0, -0.5]), offsets=offsets)
    floor = bowl.loss(bowl.center)
    found = {}
    for eta in [0.0078125, 0.015625, 0.03125, 0.0625, 0.125, 0.25, 0.5]:
        levels = []
        for seed in (0, 1, 2):
            run = sc.sgd(bowl, np.array([-3.0, 2.0]), eta, m=8, steps=200, rng=np.random.default_rng(seed))
            levels.append(np.mean([bowl.loss(t) - floor for t in run.thetas[-100:]]))
        found[eta] = np.mean(levels)
    good = [eta for eta, v in found.items() if v < 0.1]
    assert (Fraction(min(good)), Fraction(max(good))) == get("05-choose-eta").accept
    assert all(abs(v / 0.1 - 1) > 0.25 for v in found.values())
    assert found[0.0078125] > 0.1 and found[0.5] > 0.1  # the grid brackets the supported range


def test_choose_eta_accepts_the_supported_range_and_names_the_ends():
    for eta in (0.03125, 0.05, 0.078125, np.float64(0.125), 0.1, "1/32"):
        assert practice.check("05-choose-eta", eta).ok, eta
    assert practice.check("05-choose-eta", 0.015625).mistake == "too-small"
    assert practice.check("05-choose-eta", 0.25).mistake == "too-large"
    for eta in (0.029, 0.127, 0.5):  # outside the range widened by the tolerance 0.0015
        assert practice.check("05-choose-eta", eta).status == "incorrect", eta


# ---- copied data --------------------------------------------------------------------------------------


def test_copied_data_by_runs():
    """Copying the data leaves the full gradient, hence the GD path, unchanged (each step costs
    10 times the examples); a batch drawn with replacement from the copies is a batch of the
    originals (index mod N), drawn with the same probabilities."""
    rng = np.random.default_rng(4)
    X, y, _ = sc.make_logistic(300, 3, rng)
    copies = 10
    one, many = sc.Logistic(X, y), sc.Logistic(np.tile(X, (copies, 1)), np.tile(y, copies))
    gd_one = sc.sgd(one, np.zeros(3), 1.0, m=one.n, steps=30)
    gd_many = sc.sgd(many, np.zeros(3), 1.0, m=many.n, steps=30)
    assert np.allclose(gd_one.thetas, gd_many.thetas)
    gd_ratio = (len(gd_many.thetas) * many.n) / (len(gd_one.thetas) * one.n)
    draws = rng.integers(0, many.n, size=(40, 32))
    theta_one = theta_many = np.zeros(3)
    for idx in draws:
        theta_many = theta_many - 0.5 * many.grad(theta_many, idx)
        theta_one = theta_one - 0.5 * one.grad(theta_one, idx % one.n)
    assert np.allclose(theta_one, theta_many)
    counts = np.bincount(np.arange(many.n) % one.n, minlength=one.n)
    assert (counts == copies).all()  # every original equally likely: the same path, the same examples
    assert get("05-copied-data").answer == (gd_ratio, 1)


@pytest.mark.parametrize(
    "pid, answer",
    [
        ("05-time-per-example", np.int64(1024)),
        ("05-time-per-example", 1024.0),
        ("05-scaling-ceiling", 75),
        ("05-copied-data", np.array([10.0, 1.0])),
        ("05-copied-data", (10, 1)),
    ],
)
def test_lesson05_answers_in_other_forms(pid, answer):
    assert practice.check(pid, answer).ok
