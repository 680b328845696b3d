"""The driver: the worked example exactly, GD to the closed form, the momentum
convention, sampling, divergence and bad input."""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import sgdcourse as sc


def run_worked_example(number=Fraction):
    ex = sc.worked_example(number)
    model = sc.Linear1D(ex.X, ex.y)
    theta0 = np.array([ex.w0], dtype=ex.X.dtype)
    return model, sc.sgd(model, theta0, ex.eta, batches=[[i] for i in ex.order])


@pytest.mark.parametrize("number", [Fraction, sympy.Rational])
def test_worked_example_is_reproduced_exactly(number):
    model, tr = run_worked_example(number)
    assert list(tr.grads[:, 0]) == [number(-2), number(4, 5), number(-47, 25)]
    assert list(tr.thetas[:, 0]) == [0, number(1, 5), number(3, 25), number(77, 250)]
    w2 = tr.thetas[2]
    assert model.grad(w2)[0] == number(-7, 10)
    assert (w2 - Fraction(1, 10) * model.grad(w2))[0] == number(19, 100)


def test_worked_example_in_floats_is_close():
    _, tr = run_worked_example(float)
    np.testing.assert_allclose(tr.thetas[:, 0], [0, 0.2, 0.12, 0.308], rtol=1e-14)


def test_full_batch_gd_reaches_the_least_squares_solution():
    X, y, _ = sc.make_linear_regression(100, 4, np.random.default_rng(0))
    model = sc.LeastSquares(X, y)
    tr = sc.sgd(model, np.zeros(4), 0.5, m=model.n, steps=400)
    np.testing.assert_allclose(tr.theta, model.solution(), atol=1e-10)
    assert all(len(b) == model.n for b in tr.batches)


def test_sgd_with_decaying_rate_gets_near_the_solution():
    X, y, _ = sc.make_linear_regression(500, 3, np.random.default_rng(1))
    model = sc.LeastSquares(X, y)
    tr = sc.sgd(model, np.zeros(3), lambda t: 0.5 / (1 + t / 50), m=10, epochs=40, rng=np.random.default_rng(2))
    assert np.linalg.norm(tr.theta - model.solution()) < 0.02


def test_momentum_convention_v_beta_v_plus_g_then_theta_minus_eta_v():
    bowl = sc.QuadraticBowl([1.0, 4.0])
    beta, eta, theta0 = 0.9, 0.1, np.array([1.0, 1.0])
    tr = sc.sgd(bowl, theta0, eta, m=1, steps=5, momentum=beta)
    theta, v = theta0.copy(), np.zeros(2)
    for t in range(5):
        v = beta * v + bowl.grad(theta)
        theta = theta - eta * v
        np.testing.assert_allclose(tr.thetas[t + 1], theta, rtol=1e-15)
    # the other common convention, v <- beta v + eta g, theta <- theta - v, is the same only
    # for constant eta; theta <- theta - eta (beta v + (1 - beta) g) is not
    damped = theta0 - eta * (1 - beta) * bowl.grad(theta0)
    assert not np.allclose(tr.thetas[1], damped)


def test_persistent_gradient_accumulates_one_over_one_minus_beta():
    bowl = sc.QuadraticBowl([1e-9])  # nearly flat: the gradient is almost constant
    tr = sc.sgd(bowl, np.array([1e6]), 1.0, m=1, steps=200, momentum=0.9)
    steps = -np.diff(tr.thetas[:, 0])
    assert steps[-1] / steps[0] == pytest.approx(1 / (1 - 0.9), rel=1e-3)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 40), m=st.integers(1, 40), epochs=st.integers(1, 4), seed=st.integers(0, 1000))
def test_shuffling_visits_every_example_once_per_epoch(n, m, epochs, seed):
    m = min(m, n)
    per_epoch = -(-n // m)
    batches = sc.sample_batches(n, m, epochs * per_epoch, np.random.default_rng(seed))
    for e in range(epochs):
        seen = np.concatenate(batches[e * per_epoch : (e + 1) * per_epoch])
        assert sorted(seen.tolist()) == list(range(n))


def test_sampling_modes():
    rng = np.random.default_rng(0)
    assert [b.tolist() for b in sc.sample_batches(5, 2, 4, sampling="ordered")] == [[0, 1], [2, 3], [4], [0, 1]]
    big = sc.sample_batches(3, 10, 2, rng, sampling="replace")
    assert all(len(b) == 10 and b.max() < 3 for b in big)
    draws = np.concatenate(sc.sample_batches(4, 1, 8000, rng, sampling="replace"))
    assert np.all(np.abs(np.bincount(draws) / 8000 - 0.25) < 0.03)
    assert sc.sample_batches(4, 4, 3) and all(b.tolist() == [0, 1, 2, 3] for b in sc.sample_batches(4, 4, 3))


def test_epochs_give_ceil_n_over_m_steps_each():
    model = sc.LeastSquares(np.ones((10, 1)), np.ones(10))
    assert sc.sgd(model, np.zeros(1), 0.1, m=3, epochs=2, rng=np.random.default_rng(0)).steps == 8


def test_divergence_is_reported_with_its_step_and_no_warning():
    bowl = sc.QuadraticBowl([1.0, 10.0])
    with np.errstate(all="raise"):
        tr = sc.sgd(bowl, np.array([1.0, 1.0]), 0.25, m=1, steps=1000, blowup=1e6)
    # along the stiff axis theta_t = (1 - 2.5)^t, which first exceeds 1e6 at t = 35
    assert tr.diverged and tr.diverged_at == 35 and tr.steps == 35
    assert "diverged at step 35" in repr(tr)
    assert not sc.sgd(bowl, np.array([1.0, 1.0]), 0.19, m=1, steps=1000).diverged


def _first_diverged_step_by_step(bowl, theta0, eta, steps, blowup):
    """Reference: test every iterate as it is made; the step after which it left the bound."""
    theta, bound = np.array(theta0, float), blowup * max(1.0, np.abs(theta0).max())
    with np.errstate(all="ignore"):
        for t in range(steps):
            theta = theta - eta * bowl.grad(theta)
            if not (np.isfinite(theta).all() and np.abs(theta).max() <= bound):
                return t + 1
    return None


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(2.01, 2.2), blowup=st.sampled_from([1e2, 1e6, 1e12, 1e100, 1e300]), steps=st.integers(1, 800))
def test_the_blockwise_divergence_test_stops_where_a_per_step_test_would(rate, blowup, steps):
    # theta_t = (1 - eta)^t grows by |1 - eta| > 1 a step: the divergence step spans several
    # CHUNKs of 256 steps, and near 1e300 the square in the quick test overflows
    bowl, theta0 = sc.QuadraticBowl([1.0]), np.array([1.0])
    expected = _first_diverged_step_by_step(bowl, theta0, rate, steps, blowup)
    tr = sc.sgd(bowl, theta0, rate, m=1, steps=steps, blowup=blowup)
    assert tr.diverged_at == expected
    assert tr.steps == (expected or steps) and len(tr.thetas) == tr.steps + 1 == len(tr.grads) + 1 == len(tr.etas) + 1
    assert np.isfinite(tr.thetas[:-1]).all() and np.abs(tr.thetas[:-1]).max() <= blowup


def test_schedule_is_used_step_by_step():
    bowl = sc.QuadraticBowl([1.0])
    tr = sc.sgd(bowl, np.array([1.0]), lambda t: 0.1 * (t + 1), m=1, steps=3)
    np.testing.assert_allclose(tr.etas, [0.1, 0.2, 0.3])


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(eta=0.0, steps=1), "eta"),
        (dict(eta=-0.1, steps=1), "eta"),
        (dict(eta=float("nan"), steps=1), "eta"),
        (dict(eta=lambda t: -1.0, steps=1), r"eta\(0\)"),
        (dict(eta=0.1, m=0, steps=1), "m"),
        (dict(eta=0.1, m=6, steps=1), "m"),
        (dict(eta=0.1, m=2.5, steps=1), "m"),
        (dict(eta=0.1, steps=-1), "steps"),
        (dict(eta=0.1, momentum=1.0, steps=1), "momentum"),
        (dict(eta=0.1, momentum=-0.1, steps=1), "momentum"),
        (dict(eta=0.1, m=2, steps=1, rng=None), "rng"),
        (dict(eta=0.1, m=2, steps=1, sampling="random"), "sampling"),
        (dict(eta=0.1), "steps, epochs or batches"),
        (dict(eta=0.1, theta0=np.zeros(3), steps=1), "theta0"),
        (dict(eta=0.1, theta0=np.array([np.nan, 0.0]), steps=1), "theta0"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    model = sc.LeastSquares(np.ones((5, 2)), np.ones(5))
    kwargs = {"theta0": np.zeros(2), "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises((ValueError, TypeError), match=name):
        sc.sgd(model, kwargs.pop("theta0"), kwargs.pop("eta"), **kwargs)


def test_with_replacement_allows_m_above_n():
    model = sc.LeastSquares(np.ones((5, 2)), np.ones(5))
    tr = sc.sgd(model, np.zeros(2), 0.1, m=8, steps=2, sampling="replace", rng=np.random.default_rng(0))
    assert [len(b) for b in tr.batches] == [8, 8]


# recording: losses on request, compact batches, a preallocated record ------------------------
class CountingLogistic(sc.Logistic):
    """Logistic that tallies calls of loss() (what the driver must not do while running)."""

    calls = 0

    def loss(self, theta, idx=None):
        self.calls += 1
        return super().loss(theta, idx)


def logistic(n=300, d=3, seed=0):
    X, y, _ = sc.make_logistic(n, d, np.random.default_rng(seed))
    return CountingLogistic(X, y)


def test_no_loss_is_computed_while_running_and_losses_come_on_request():
    model = logistic()
    tr = sc.sgd(model, np.zeros(3), 0.5, m=10, epochs=2, rng=np.random.default_rng(1))
    assert model.calls == 0
    expected = [sc.Logistic.loss(model, theta) for theta in tr.thetas]
    model.calls = 0
    np.testing.assert_array_equal(tr.losses, expected)  # the very numbers of model.loss
    assert model.calls == tr.steps + 1
    tr.losses
    assert model.calls == tr.steps + 1  # evaluated once, then kept
    assert sc.sgd(model, np.zeros(3), 0.5, m=10, steps=3, rng=np.random.default_rng(1), track_loss=False).losses is None


def test_loss_curve_evaluates_every_kth_iterate_and_the_last():
    model = logistic()
    tr = sc.sgd(model, np.zeros(3), 0.5, m=7, steps=45, rng=np.random.default_rng(2))
    model.calls = 0
    t, values = tr.loss_curve(every=10)
    assert t.tolist() == [0, 10, 20, 30, 40, 45] and model.calls == 6
    np.testing.assert_array_equal(values, [sc.Logistic.loss(model, tr.thetas[k]) for k in t])
    with pytest.raises(ValueError, match="every"):
        tr.loss_curve(every=0)


def test_batch_losses_are_the_losses_the_steps_saw():
    model = logistic()
    tr = sc.sgd(model, np.zeros(3), 0.5, m=5, steps=12, rng=np.random.default_rng(3))
    want = [sc.Logistic.loss(model, tr.thetas[t], tr.batches[t]) for t in range(12)]
    np.testing.assert_array_equal(tr.batch_losses, want)
    full = sc.sgd(model, np.zeros(3), 0.5, m=model.n, steps=3)
    np.testing.assert_array_equal(full.batch_losses, full.losses[:3])


def test_full_batches_share_one_range_and_shuffled_ones_one_order_array():
    model = logistic(n=1000)
    gd = sc.sgd(model, np.zeros(3), 0.5, m=model.n, steps=200)
    assert gd.batches.order.size == model.n and gd.batches.full
    assert all(b is not None and len(b) == model.n for b in gd.batches[:3])
    assert gd.evaluations == 200 * model.n
    tr = sc.sgd(model, np.zeros(3), 0.5, m=32, epochs=3, rng=np.random.default_rng(4))
    assert tr.batches.order.size == 3 * model.n  # one permutation per epoch
    assert all(np.shares_memory(b, tr.batches.order) for b in tr.batches[:5])
    assert tr.evaluations == 3 * model.n


def test_the_record_is_preallocated_not_stacked():
    import tracemalloc

    model = logistic(n=4000, d=10)
    tracemalloc.start()
    tr = sc.sgd(model, np.zeros(10), 0.1, m=1, epochs=1, rng=np.random.default_rng(5))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    record = tr.thetas.nbytes + tr.grads.nbytes + tr.etas.nbytes + tr.batches.nbytes
    assert tr.nbytes == record
    assert peak <= 1.1 * record  # lists stacked into arrays at the end would need 2x


def test_same_iterates_as_a_plain_loop_over_the_same_permutations():
    model = logistic()
    rng, twin = np.random.default_rng(6), np.random.default_rng(6)
    tr = sc.sgd(model, np.zeros(3), 0.3, m=16, epochs=2, rng=rng)
    theta = np.zeros(3)
    for _ in range(2):
        order = twin.permutation(model.n)
        for k in range(0, model.n, 16):
            theta = theta - 0.3 * model.grad(theta, order[k : k + 16])
    np.testing.assert_array_equal(tr.theta, theta)


def test_the_model_is_checked_again_after_the_run_even_after_an_error():
    model = logistic()
    sc.sgd(model, np.zeros(3), 0.5, m=4, steps=5, rng=np.random.default_rng(7))
    with pytest.raises(ValueError, match="theta"):
        model.grad(np.array([np.nan, 0.0, 0.0]))
    with pytest.raises(ValueError, match=r"eta\(2\)"):
        sc.sgd(model, np.zeros(3), lambda t: 0.1 if t < 2 else -1.0, m=4, steps=5, rng=np.random.default_rng(7))
    with pytest.raises(IndexError, match="idx"):
        model.grad(np.zeros(3), np.array([model.n]))


@pytest.mark.parametrize("batches, kind", [([[0], [5]], IndexError), ([[0], []], ValueError), ([[-1]], IndexError)])
def test_bad_batches_name_the_parameter(batches, kind):
    model = sc.LeastSquares(np.ones((5, 2)), np.ones(5))
    with pytest.raises(kind, match="batches"):
        sc.sgd(model, np.zeros(2), 0.1, batches=batches)


def test_a_nan_iterate_stops_the_run():
    class Breaks(sc.QuadraticBowl):
        calls = 0

        def grad(self, theta, idx=None):
            self.calls += 1
            return np.full(1, np.nan) if self.calls == 4 else super().grad(theta, idx)

    tr = sc.sgd(Breaks([1.0]), np.array([1.0]), 0.1, m=1, steps=10)
    assert tr.diverged_at == 4 and tr.steps == 4 and len(tr.thetas) == 5 and np.isnan(tr.theta[0])
