"""sweep: repeated runs over (m, eta, seed), their mean and spread, and the tables lessons print."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sgdcourse
from sgdcourse import sweep


@pytest.fixture(scope="module")
def model():
    X, y, _ = sgdcourse.make_logistic(40, 2, np.random.default_rng(0), intercept=True)
    return sgdcourse.Logistic(X, y)


def test_each_entry_is_the_run_it_names(model):
    out = sweep.final_losses(model, np.zeros(3), [0.1, 1.0], [1, 5], [7, 8], steps=20)
    assert out.shape == (2, 2, 2)
    run = sgdcourse.sgd(model, np.zeros(3), 1.0, m=5, steps=20, rng=np.random.default_rng(8))
    assert out[1, 1, 1] == pytest.approx(float(model.loss(run.theta)), rel=1e-12)
    assert out[1, 1, 0] != out[1, 1, 1]  # two seeds, two batch orders


def test_epochs_budget_and_held_out_loss(model):
    out = sweep.final_losses(model, np.zeros(3), 0.5, [4], [1], epochs=2, loss=lambda th: 42.0 + 0 * th[0])
    assert out.shape == (1, 1, 1) and out[0, 0, 0] == 42.0
    run = sgdcourse.sgd(model, np.zeros(3), 0.5, m=4, epochs=2, rng=np.random.default_rng(1))
    assert run.steps == 20


def test_full_batch_has_no_spread_and_divergence_is_inf(model):
    out = sweep.final_losses(model, np.zeros(3), [0.5], [model.n], [1, 2, 3], steps=10)
    mean, sd = sweep.summary(out)
    assert out[0, 0, 0] == out[0, 0, 1] == out[0, 0, 2] and sd[0, 0] < 1e-12 and np.isfinite(mean[0, 0])
    bowl = sgdcourse.QuadraticBowl([10.0])
    blown = sweep.final_losses(bowl, np.ones(1), [0.5], [1], [0], steps=100)
    assert np.isinf(blown).all() and np.isinf(sweep.summary(blown)[0]).all()
    assert "diverged" in sweep.table(blown, ["m = 1"], ["eta = 0.5"])


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(steps=5, epochs=1), "steps or epochs"),
        (dict(), "steps or epochs"),
        (dict(steps=5, etas=[-1.0]), "etas"),
        (dict(steps=5, ms=[10**6]), "ms"),
        (dict(steps=5, seeds=[]), "seeds"),
    ],
)
def test_bad_input_names_the_parameter(model, kwargs, name):
    args = dict(etas=[0.1], ms=[1], seeds=[0])
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        sweep.final_losses(model, np.zeros(3), **args)


def test_summary_is_mean_and_population_sd():
    mean, sd = sweep.summary(np.array([[[1.0, 3.0]]]))
    assert mean[0, 0] == 2.0 and sd[0, 0] == 1.0


def test_table_rows_and_shape_check():
    text = sweep.table(np.array([[[1.0, 3.0], [0.5, 0.5]]]), ["m = 1"], ["a", "b"])
    assert "2.000 ± 1.000" in text and "0.500 ± 0.000" in text
    with pytest.raises(ValueError, match="rows and cols"):
        sweep.table(np.zeros((2, 2, 3)), ["one row"], ["a", "b"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 5), min_size=2, max_size=6), st.floats(0, 1))
def test_largest_good_is_the_largest_eta_near_the_best(losses, tol):
    etas = np.arange(1, len(losses) + 1, dtype=float)
    values = np.array(losses)[None, :, None]
    (good,) = sweep.largest_good(values, etas, tol)
    k = int(good) - 1
    assert losses[k] <= min(losses) + tol
    assert all(v > min(losses) + tol for v in losses[k + 1 :])
