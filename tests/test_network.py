"""The MLP's backprop against finite differences and against hand formulas, its use by the
unchanged SGD driver, and the make_moons generator."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sgdcourse as sc
from sgdcourse.data import make_moons
from sgdcourse.gradcheck import check_model, numerical_grad
from sgdcourse.network import MLP


def random_net(n, d, hidden, activation, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (rng.random(n) < 0.5).astype(float)
    model = MLP(X, y, hidden=hidden, activation=activation)
    return model, model.init(rng, scale=scale) + 0.1 * rng.standard_normal(model.dim)


hiddens = st.lists(st.integers(1, 6), min_size=0, max_size=3).map(tuple)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 12),
    d=st.integers(1, 4),
    hidden=hiddens,
    activation=st.sampled_from(["tanh", "relu"]),
    scale=st.sampled_from([0.5, 1.0, 2.0]),
    seed=st.integers(0, 2**32 - 2),
)
def test_backprop_matches_finite_differences(n, d, hidden, activation, scale, seed):
    model, theta = random_net(n, d, hidden, activation, seed, scale)
    np.testing.assert_allclose(
        model.per_example_grads(theta), numerical_grad(model.losses, theta), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(model.grad(theta), numerical_grad(model.loss, theta), rtol=1e-5, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 20),
    d=st.integers(1, 4),
    hidden=hiddens,
    activation=st.sampled_from(["tanh", "relu"]),
    seed=st.integers(0, 2**32 - 2),
    data=st.data(),
)
def test_mean_of_per_example_gradients_is_the_batch_gradient(n, d, hidden, activation, seed, data):
    model, theta = random_net(n, d, hidden, activation, seed)
    idx = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8)))
    rows = model.per_example_grads(theta, idx)
    assert rows.shape == (len(idx), model.dim)
    np.testing.assert_allclose(rows.mean(axis=0), model.grad(theta, idx), atol=1e-12)
    np.testing.assert_allclose(model.per_example_grads(theta).mean(axis=0), model.grad(theta), atol=1e-12)
    assert check_model(model, theta, idx).ok


@pytest.mark.parametrize("hidden", [(1,), (3, 2), (4, 4, 4)])
def test_parameter_count_and_unpack(hidden):
    model = MLP(np.ones((5, 3)), np.ones(5), hidden=hidden)
    widths = (3, *hidden, 1)
    assert model.dim == sum(o * (i + 1) for i, o in zip(widths[:-1], widths[1:]))
    theta = np.arange(model.dim, dtype=float)
    layers = model.unpack(theta)
    assert [W.shape for W, _ in layers] == list(zip(widths[1:], widths[:-1]))
    assert [b.shape for _, b in layers] == [(o,) for o in widths[1:]]
    np.testing.assert_array_equal(MLP.pack(layers), theta)
    W1, b1 = layers[0]
    np.testing.assert_array_equal(W1.ravel(), theta[: W1.size])  # W_1 row-major, then b_1
    np.testing.assert_array_equal(b1, theta[W1.size : W1.size + b1.size])


def test_one_unit_network_by_hand():
    """z = w2 tanh(w1 x + b1) + b2, l = log(1 + e^z) - y z; the chain rule written out."""
    x, yv = 0.7, 1.0
    w1, b1, w2, b2 = 0.3, -0.2, 1.5, 0.1
    model = MLP(np.array([[x]]), np.array([yv]), hidden=(1,))
    theta = np.array([w1, b1, w2, b2])
    a = np.tanh(w1 * x + b1)
    z = w2 * a + b2
    p = 1 / (1 + np.exp(-z))
    delta = p - yv
    expected = [delta * w2 * (1 - a**2) * x, delta * w2 * (1 - a**2), delta * a, delta]
    np.testing.assert_allclose(model.grad(theta), expected, rtol=1e-12)
    np.testing.assert_allclose(model.per_example_grads(theta)[0], expected, rtol=1e-12)
    np.testing.assert_allclose(model.losses(theta), [-np.log(p)], rtol=1e-12)


def test_no_hidden_layer_is_logistic_regression_with_intercept():
    rng = np.random.default_rng(4)
    X, y, _ = sc.make_logistic(30, 3, rng)
    net = MLP(X, y, hidden=())
    logistic = sc.Logistic(np.hstack([X, np.ones((30, 1))]), y)
    theta = rng.standard_normal(4)
    assert net.dim == 4
    np.testing.assert_allclose(net.losses(theta), logistic.losses(theta), rtol=1e-12)
    np.testing.assert_allclose(net.grad(theta), logistic.grad(theta), rtol=1e-12)
    np.testing.assert_allclose(net.per_example_grads(theta), logistic.per_example_grads(theta), rtol=1e-12)
    np.testing.assert_allclose(net.probabilities(theta), logistic.probabilities(theta), rtol=1e-12)


class FlippedBackprop(MLP):
    """A classic slip: phi'(Z) = A^2 - 1 instead of 1 - A^2 (a sign lost in the hidden layer)."""

    def _dphi(self, Z, A):
        return A * A - 1.0


class SummedBatch(MLP):
    """Another: the batch gradient without its 1/|B|."""

    def grad(self, theta, idx=None):
        _, X, _ = self._rows(theta, idx)
        return super().grad(theta, idx) * X.shape[0]


def test_the_checks_catch_a_flipped_sign_and_a_dropped_one_over_m():
    rng = np.random.default_rng(0)
    X, y = make_moons(40, rng)
    for broken in (FlippedBackprop(X, y, hidden=(5,)), SummedBatch(X, y, hidden=(5,))):
        theta = broken.init(np.random.default_rng(1))
        idx = np.arange(8)
        assert not check_model(broken, theta, idx).ok
        assert not np.allclose(
            broken.grad(theta, idx), numerical_grad(lambda th: broken.loss(th, idx), theta), atol=1e-6
        )
    summed = SummedBatch(X, y, hidden=(5,))
    theta = summed.init(np.random.default_rng(1))
    assert not np.allclose(summed.per_example_grads(theta).mean(axis=0), summed.grad(theta))
    good = MLP(X, y, hidden=(5,))
    assert check_model(good, theta, np.arange(8)).ok


def test_relu_derivative_at_exactly_zero_is_zero():
    """relu'(0) = 0, the convention of the deep-learning libraries. With biases starting at 0, a
    zero input row gives hidden pre-activations of exactly 0, so the convention decides that
    example's gradient; finite differences cannot see it (the kink averages the two sides).
    Fails when `Z > 0` becomes `Z >= 0` in MLP._dphi."""
    rng = np.random.default_rng(3)
    X = np.vstack([np.zeros((1, 2)), rng.standard_normal((7, 2))])
    y = np.array([1.0, 0, 1, 0, 1, 0, 1, 0])
    net = MLP(X, y, hidden=(6,), activation="relu")
    theta = net.init(rng)  # biases are 0: Z_1 of row 0 is exactly 0
    assert not net.unpack(theta)[0][1].any()
    (W1, b1), (W2, b2) = net.unpack(theta)
    row = net.per_example_grads(theta, np.array([0]))[0]
    (gW1, gb1), (gW2, gb2) = net.unpack(row)
    p = sc.sigmoid(b2[0])  # A_1 = relu(0) = 0, so z = b_2
    np.testing.assert_array_equal(gb1, np.zeros(6))  # relu'(0) = 0 stops the signal at layer 1
    np.testing.assert_allclose(gb2, [p - y[0]])
    batch = np.arange(8)
    expected = np.zeros(6)  # b_1's batch gradient from the other rows only
    for i in batch[1:]:
        Z = X[i] @ W1.T + b1
        D2 = sc.sigmoid(np.maximum(Z, 0) @ W2[0] + b2[0]) - y[i]
        expected += D2 * W2[0] * (Z > 0) / len(batch)
    np.testing.assert_allclose(net.unpack(net.grad(theta, batch))[0][1], expected, atol=1e-12)


def test_init_is_scaled_deterministic_and_uses_only_the_rng():
    model = MLP(np.ones((4, 50)), np.ones(4), hidden=(400,))
    a, b = model.init(np.random.default_rng(5)), model.init(np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    (W1, b1), (W2, b2) = model.unpack(a)
    assert np.all(b1 == 0) and np.all(b2 == 0)
    assert abs(W1.std() * np.sqrt(50) - 1) < 0.02 and abs(W2.std() * np.sqrt(400) - 1) < 0.2
    relu = MLP(np.ones((4, 50)), np.ones(4), hidden=(400,), activation="relu")
    W1r, _ = relu.unpack(relu.init(np.random.default_rng(5)))[0]
    assert abs(W1r.std() * np.sqrt(50) - np.sqrt(2)) < 0.03
    W1s, _ = model.unpack(model.init(np.random.default_rng(5), scale=0.1))[0]
    np.testing.assert_allclose(W1s, 0.1 * W1)


def test_probabilities_predictions_and_accuracy():
    rng = np.random.default_rng(2)
    X, y = make_moons(50, rng)
    model = MLP(X, y, hidden=(6,))
    theta = model.init(rng)
    p = model.probabilities(theta)
    np.testing.assert_allclose(model.probabilities(theta, points=X), p)
    np.testing.assert_allclose(model.probabilities(theta, idx=np.array([3, 7])), p[[3, 7]])
    np.testing.assert_array_equal(model.predict(theta), (p >= 0.5).astype(float))
    assert model.accuracy(theta) == np.mean((p >= 0.5) == y)
    np.testing.assert_allclose(model.losses(theta), -y * np.log(p) - (1 - y) * np.log(1 - p))


def test_loss_is_stable_for_huge_scores():
    model = MLP(np.array([[1.0], [-1.0]]), np.array([0.0, 1.0]), hidden=(2,))
    theta = np.array([1.0, 1.0, 0.0, 0.0, 500.0, 500.0, 0.0])  # z = +-1000 * tanh(1)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        losses = model.losses(theta)
        g = model.grad(theta)
    np.testing.assert_allclose(losses, 1000 * np.tanh(1.0), rtol=1e-12)
    assert np.isfinite(g).all()


def test_the_unchanged_sgd_driver_trains_the_network_on_moons():
    rng = np.random.default_rng(7)
    X, y = make_moons(400, rng, noise=0.15)
    model = MLP(X, y, hidden=(16,))
    theta0 = model.init(rng)
    run = sc.sgd(model, theta0, 0.5, m=8, epochs=30, rng=rng)
    assert not run.diverged and run.thetas.shape == (30 * 50 + 1, model.dim)
    assert run.losses[-1] < 0.2 * run.losses[0] and model.accuracy(run.theta) > 0.95
    # same batches, hand-written loop: identical iterates
    theta = theta0
    for B in run.batches[:20]:
        theta = theta - 0.5 * model.grad(theta, B)
    np.testing.assert_array_equal(theta, run.thetas[20])
    # a linear classifier cannot do as well on moons
    linear = sc.Logistic(np.hstack([X, np.ones((400, 1))]), y)
    lin = sc.sgd(linear, np.zeros(3), 0.5, m=8, epochs=30, rng=rng)
    assert float(np.mean((linear.probabilities(lin.theta) >= 0.5) == y)) < model.accuracy(run.theta) - 0.05


def test_class_ordered_data_trains_worse_than_shuffled():
    rng = np.random.default_rng(7)
    X, y = make_moons(400, rng, noise=0.15)
    order = np.argsort(y, kind="stable")
    model = MLP(X[order], y[order], hidden=(16,))
    theta0 = model.init(rng)
    shuffled = sc.sgd(model, theta0, 0.5, m=8, epochs=30, rng=rng)
    ordered = sc.sgd(model, theta0, 0.5, m=8, epochs=30, sampling="ordered")
    assert all(len(set(y[order][B])) == 1 for B in ordered.batches)  # every batch holds one class
    assert ordered.losses[-1] > 2 * shuffled.losses[-1]
    assert model.accuracy(ordered.theta) < model.accuracy(shuffled.theta)


def test_make_moons_is_deterministic_balanced_and_on_the_arcs():
    a, b = make_moons(101, np.random.default_rng(3)), make_moons(101, np.random.default_rng(3))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    X, y = a
    assert X.shape == (101, 2) and y.shape == (101,)
    assert set(np.unique(y)) == {0.0, 1.0} and int(y.sum()) == 51
    assert not np.array_equal(make_moons(101, np.random.default_rng(4))[0], X)
    X0, y0 = make_moons(200, np.random.default_rng(3), noise=0.0)
    upper, lower = X0[y0 == 0], np.array([1.0, 0.5]) - X0[y0 == 1]
    for arc in (upper, lower):  # both are points (cos t, sin t) with t in [0, pi]
        np.testing.assert_allclose(np.hypot(arc[:, 0], arc[:, 1]), 1.0)
        assert np.all(arc[:, 1] >= 0)
    assert 0 < np.mean(np.diff(y0) != 0)  # labels come in a random order, not sorted
    assert not np.all(np.diff(y0) >= 0)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: make_moons(1, np.random.default_rng(0)), "n"),
        (lambda: make_moons(10.5, np.random.default_rng(0)), "n"),
        (lambda: make_moons(10, 0), "rng"),
        (lambda: make_moons(10, np.random.default_rng(0), noise=-0.1), "noise"),
        (lambda: make_moons(10, np.random.default_rng(0), noise="big"), "noise"),
        (lambda: MLP(np.ones(3), np.ones(3)), "X"),
        (lambda: MLP(np.ones((3, 2)), np.ones(4)), "y"),
        (lambda: MLP(np.ones((3, 2)), np.array([0.0, 1.0, 2.0])), "y"),
        (lambda: MLP(np.ones((3, 2)), np.ones(3), hidden=16), "hidden"),
        (lambda: MLP(np.ones((3, 2)), np.ones(3), hidden=(4, 0)), r"hidden\[1\]"),
        (lambda: MLP(np.ones((3, 2)), np.ones(3), hidden=(2.5,)), r"hidden\[0\]"),
        (lambda: MLP(np.ones((3, 2)), np.ones(3), activation="sigmoid"), "activation"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_bad_theta_idx_points_and_init_arguments_are_named():
    model = MLP(np.ones((3, 2)), np.array([0.0, 1.0, 1.0]), hidden=(4,))
    theta = np.zeros(model.dim)
    with pytest.raises(ValueError, match="theta"):
        model.grad(np.zeros(model.dim + 1))
    with pytest.raises(ValueError, match="theta"):
        model.unpack(np.full(model.dim, np.nan))
    with pytest.raises(IndexError, match="idx"):
        model.losses(theta, idx=np.array([3]))
    with pytest.raises(ValueError, match="points"):
        model.probabilities(theta, points=np.ones((2, 3)))
    with pytest.raises(ValueError, match="idx"):
        model.predict(theta, idx=np.array([0]), points=np.ones((1, 2)))
    with pytest.raises(TypeError, match="rng"):
        model.init(None)
    with pytest.raises(ValueError, match="scale"):
        model.init(np.random.default_rng(0), scale=0)
    with pytest.raises(ValueError, match="theta0"):
        sc.sgd(model, np.zeros(2), 0.1, m=1, steps=1, rng=np.random.default_rng(0))
