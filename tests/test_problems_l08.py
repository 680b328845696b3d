"""Lesson 08's problems, second edition: each new reference computed a second way, the reviewed
misdiagnoses gone, and the notebook's experiments giving what the bank says. (Every named mistake
is sent by tests/test_problems.py; the whole-bank design checks are in tests/test_bank_design.py.)"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import sgdcourse as sc
from helpers import code_cell
from sgdcourse.checking import answers
from sgdcourse.gradcheck import numerical_grad
from sgdcourse.problems import BANK, get
from sgdcourse.problems import lesson08 as L8

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "08_network.ipynb"


def _named(pid, answer):
    r = answers.check(pid, answer, bank=BANK)
    assert r.status == "incorrect", (pid, r)
    return r


def _cell(marker):
    """The source of the one code cell of the solution notebook that contains `marker`."""
    return code_cell(SOLUTION, marker)


# ---- the reviewed feedback ------------------------------------------------------------------------


def test_reviewed_misdiagnoses_are_gone():
    relu = _named("08-backprop", next(m.value for m in get("08-backprop").mistakes if m.name == "relu-value"))
    assert "N - 1" not in relu.feedback and "Another slip" not in relu.feedback
    exact = _named("08-central-difference", 3 * get("08-central-difference").params["w0"] ** 2)
    assert exact.mistake == "exact-derivative" and "rounded" not in exact.feedback
    w0, h = (get("08-central-difference").params[k] for k in ("w0", "h"))
    assert _named("08-central-difference", (w0**3 - (w0 - h) ** 3) / h).mistake == "backward-difference"
    n, m, epochs = (get("08-steps").params[k] for k in ("N", "m", "epochs"))
    once = -(-epochs * n // m)  # the whole run rounded up once
    assert once != get("08-steps").answer - 1 and _named("08-steps", once).mistake == "rounded-once"
    with pytest.raises(ValueError):  # the old numbers made that slip one step too few
        L8.steps.build(N=1000, m=64, epochs=3)
    assert _named("08-shuffle", "d").mistake == "shuffle-once"


# ---- 08-zero-init ---------------------------------------------------------------------------------


def test_a_network_started_at_zero_moves_only_its_output_bias():
    rng = np.random.default_rng(3)
    X, y = sc.make_moons(60, rng, noise=0.15)
    net = sc.MLP(X, y, hidden=(get("08-zero-init").params["hidden"],))
    (gW1, gb1), (gW2, gb2) = net.unpack(net.grad(np.zeros(net.dim)))
    assert not gW1.any() and not gb1.any() and not gW2.any() and gb2.any()
    run = sc.sgd(net, np.zeros(net.dim), 0.5, m=8, epochs=3, rng=rng)
    (W1, b1), (W2, b2) = net.unpack(run.theta)
    assert not W1.any() and not b1.any() and not W2.any() and b2[0] != 0
    assert np.ptp(net.probabilities(run.theta)) == 0  # one probability for every point
    # option (d) is what an equal nonzero start does: the units move, in lockstep
    same = sc.sgd(net, np.full(net.dim, 0.1), 0.5, m=8, epochs=3, rng=rng).theta
    (W1, b1), _ = net.unpack(same)
    assert np.ptp(W1[:, 0]) < 1e-12 and abs(W1[0, 0] - 0.1) > 1e-3
    assert get("08-zero-init").answer == "b"


# ---- 08-debug-backprop -----------------------------------------------------------------------------


def _debug_cases():
    p = get("08-debug-backprop")
    return p.cases(np.random.default_rng(p.seed))


def test_debug_reference_is_the_gradient_by_finite_differences():
    for case in _debug_cases():
        net = sc.MLP(case["X"], case["y"], hidden=(len(case["b1"]),))
        theta = sc.MLP.pack([(case["W1"], case["b1"]), (case["W2"], case["b2"])])
        ref = get("08-debug-backprop").answer(**case)
        assert np.allclose(ref, numerical_grad(net.loss, theta), atol=1e-7)
        assert np.allclose(ref, L8.net_backprop(**case), atol=1e-12)


def test_the_notebooks_planted_bug_is_named_and_its_fix_passes():
    scope = {"np": np}
    exec(_cell("def buggy_backprop"), scope)
    r = _named("08-debug-backprop", scope["buggy_backprop"])
    assert r.mistake == "still-the-planted-bug"
    cases = _debug_cases()
    assert any(len(c["y"]) == 1 for c in cases) and any(len(c["y"]) > 2 for c in cases)
    exec(_cell("def backprop("), scope)
    assert answers.check("08-debug-backprop", scope["backprop"], bank=BANK).status == "correct"


# ---- 08-early-stop ---------------------------------------------------------------------------------


def brute_early_stop(values, patience):
    """The rule read literally: the stop is the first k whose last `patience` values (k - patience
    + 1 .. k) all fail to beat the lowest value before them; the best is the first argmin up to it."""
    v = list(values)
    stop = len(v) - 1
    for k in range(patience, len(v)):
        if all(v[j] >= min(v[:j]) for j in range(k - patience + 1, k + 1)):
            stop = k
            break
    return int(np.argmin(v[: stop + 1])), stop


def test_early_stop_reference_is_the_rule_read_literally():
    p = get("08-early-stop")
    rng = np.random.default_rng(5)
    cases = p.cases(np.random.default_rng(p.seed)) + [
        dict(val_losses=np.round(rng.normal(size=rng.integers(1, 15)), 1), patience=int(rng.integers(1, 5)))
        for _ in range(200)
    ]
    for c in cases:
        assert tuple(p.answer(**c)) == brute_early_stop(c["val_losses"], c["patience"]), c
    assert p.answer([1.0, 0.8, 0.8, 0.8, 0.9, 0.95], 2) == (1, 3)  # a tie is no improvement
    assert p.answer([0.5, 0.6, 0.7, 0.8], 2) == (0, 2)  # never improves
    assert p.answer([3.0, 2.0, 1.0], 1) == (2, 2)  # improves to the end


# ---- 08-val-lowest ---------------------------------------------------------------------------------


def test_the_notebooks_experiment_gives_the_banks_epoch():
    p = get("08-val-lowest")
    scope = {"np": np, "sgdcourse": sc, "vl": SimpleNamespace(**p.params)}  # the data cell's numbers
    code = _cell("rng_val = np.random.default_rng(").split("\nfig, ax")[0]  # the run, not the figure
    exec(code, scope)
    curves, scored = scope["curves"], scope["epochs_scored"]
    assert int(scored[curves[1, :, 0].argmin()]) == p.answer
    mine, my_epochs = L8.validation_curves(**{k: v for k, v in p.params.items()})
    assert np.array_equal(mine, curves) and np.array_equal(my_epochs, scored)
    # the curve the problem reads overfits: it climbs after its lowest point, while training falls
    k = int(curves[1, :, 0].argmin())
    assert curves[1, -1, 0] > curves[1, k, 0] * 1.1 and curves[0, -1, 0] < curves[0, k, 0]
    test_epoch = next(m.value for m in p.mistakes if m.name == "test-set")
    assert test_epoch == scored[curves[2, :, 0].argmin()] != p.answer


def test_val_lowest_refuses_a_run_that_does_not_overfit():
    params = {**get("08-val-lowest").params, "n_train": 300, "hidden": 4, "epochs": 40}  # much data, a small net
    with pytest.raises(ValueError, match="overfit"):
        L8.val_lowest.build(**params)


# ---- 08-checklist ----------------------------------------------------------------------------------


def test_checklist_statement_comes_from_its_numbers_and_refuses_a_run_that_made_progress():
    p = get("08-checklist")
    assert f"{float(p.params['loss_bad']):g}" in p.statement and f"{float(p.params['eta_bad']):g}" in p.statement
    assert p.params["loss_bad"] > p.params["loss_start"] > Fraction(np.log(2))
    with pytest.raises(ValueError):
        L8.checklist.build(**{**p.params, "loss_bad": Fraction(6, 10)})  # below log 2: no divergence to see


# ---- 08-score-function ------------------------------------------------------------------------------


def test_score_function_estimate_by_the_softmax_rule_and_its_mean_is_the_gradient():
    p = get("08-score-function")
    pi1, rewards, actions = (p.params[k] for k in ("pi1", "rewards", "actions"))
    theta = np.array([np.log(float(pi1) / (1 - float(pi1))), 0.0])  # softmax over 2 arms = sigmoid
    pi = np.exp(theta) / np.exp(theta).sum()
    score = np.eye(2) - pi  # the lesson's 1_a - pi; its first entry is d/dtheta_1
    estimate = np.mean([rewards[a - 1] * score[a - 1, 0] for a in actions])
    assert float(p.answer) == pytest.approx(estimate, abs=1e-12)
    # unbiased: the mean over the policy of one action's estimate is dJ/dtheta, by differences
    exact = sum(float(pi[a]) * rewards[a] * score[a, 0] for a in (0, 1))

    def J(t):
        p1 = 1 / (1 + np.exp(-t[0]))
        return p1 * rewards[0] + (1 - p1) * rewards[1]

    assert numerical_grad(J, theta[:1])[0] == pytest.approx(exact, abs=1e-7)
    assert float(next(m.value for m in p.mistakes if m.name == "exact-gradient")) == pytest.approx(exact, abs=1e-12)
    assert _named("08-score-function", p.answer * len(actions)).mistake == "sum-not-mean"
