"""WorkedExampleExplorer: the eta slider on lesson 02's two-point example draws the SGD and GD
runs the math predicts, reuses its figure, and rejects bad arguments by name."""

import warnings
from fractions import Fraction

import numpy as np
import pytest

import sgdcourse as sc
from sgdcourse.explorers import WorkedExampleExplorer

X1, Y1 = np.array([1.0, 2.0]), np.array([2.0, 0.0])  # the data, written out independently


@pytest.fixture
def ex():
    return WorkedExampleExplorer(rng=np.random.default_rng(3), steps=30)


def by_hand(eta, order):
    """SGD written out: w <- w - eta (w x_i - y_i) x_i, from w0 = 0."""
    w, ws = 0.0, [0.0]
    for i in order:
        w = w - eta * (w * X1[i] - Y1[i]) * X1[i]
        ws.append(w)
    return np.array(ws)


def test_first_three_steps_are_the_hand_computed_ones(ex):
    assert tuple(ex.order[:3]) == (0, 1, 0)
    w = ex.sgd_w.get_ydata()[:4]
    np.testing.assert_allclose(w, [0, 0.2, 0.12, 0.308], rtol=0, atol=1e-12)
    exact = sc.sgd(
        sc.Linear1D(*sc.worked_example()[:2]),
        np.array([Fraction(0)], dtype=object),
        Fraction(1, 10),
        batches=[[0], [1], [0]],
    )
    assert list(exact.thetas[:, 0]) == [0, Fraction(1, 5), Fraction(3, 25), Fraction(77, 250)]
    np.testing.assert_allclose(w, exact.thetas[:, 0].astype(float), rtol=0, atol=1e-12)


def test_slider_redraws_sgd_and_gd_as_the_formulas_say(ex):
    fig, lines, image = ex.fig, (ex.sgd_w, ex.gd_w, ex.sgd_l, ex.gd_l), ex.image.value
    ex.controls["eta"].value = 0.37
    t = np.arange(31)
    np.testing.assert_array_equal(ex.sgd_w.get_xdata(), t)
    np.testing.assert_allclose(ex.sgd_w.get_ydata(), by_hand(0.37, ex.order), rtol=1e-12)
    # GD on L = (1/4) sum (w x_i - y_i)^2: w_t - w* = (1 - eta * 5/2)^t (w0 - w*), w* = 2/5
    np.testing.assert_allclose(ex.gd_w.get_ydata(), 0.4 - 0.4 * (1 - 0.37 * 2.5) ** t, rtol=1e-12, atol=1e-15)
    # L(w) - L(w*) = (5/4)(w - 2/5)^2, floored for the log axis
    for line_w, line_l in ((ex.sgd_w, ex.sgd_l), (ex.gd_w, ex.gd_l)):
        gap = 1.25 * (np.asarray(line_w.get_ydata()) - 0.4) ** 2
        np.testing.assert_allclose(line_l.get_ydata(), np.maximum(gap, 1e-12), rtol=1e-9, atol=1e-15)
    assert ex.fig is fig and (ex.sgd_w, ex.gd_w, ex.sgd_l, ex.gd_l) == lines
    assert ex.image.value != image


def test_readout_rounds_the_final_iterates(ex):
    ex.set(eta=0.2)
    sgd_run, gd_run = ex.runs(0.2)
    assert ex.text == (
        f"eta = 0.20: w_30 SGD = {sgd_run.theta[0]:.3f}, GD = {gd_run.theta[0]:.3f}, "
        "w* = 0.4; GD factor 1 - 5 eta/2 = 0.500"
    )
    assert f"{by_hand(0.2, ex.order)[-1]:.3f}" in ex.text
    assert repr(ex).startswith("WorkedExampleExplorer(eta=0.2): eta = 0.20")


def test_same_slider_value_gives_the_same_picture_and_same_seed_the_same_draws(ex):
    first = ex.image.value
    ex.set(eta=0.8)
    ex.set(eta=0.1)
    assert ex.image.value == first
    again = WorkedExampleExplorer(rng=np.random.default_rng(3), steps=30)
    np.testing.assert_array_equal(again.order, ex.order)
    assert set(ex.order[3:]) == {0, 1}


def test_large_eta_is_drawn_without_warnings(ex):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.set(eta=1.0)
    w_gd = np.asarray(ex.gd_w.get_ydata())
    np.testing.assert_allclose(w_gd, 0.4 - 0.4 * (-1.5) ** np.arange(31), rtol=1e-9)
    assert np.isfinite(ex.sgd_w.get_ydata()).all()
    assert "GD factor 1 - 5 eta/2 = -1.500" in ex.text


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(rng=0), TypeError, "rng"),
        (dict(rng=np.random.default_rng(0), steps=2), ValueError, "steps"),
        (dict(rng=np.random.default_rng(0), steps=4.5), TypeError, "steps"),
        (dict(rng=np.random.default_rng(0), eta=1.5), ValueError, "eta"),
        (dict(rng=np.random.default_rng(0), eta=0.0), ValueError, "eta"),
        (dict(rng=np.random.default_rng(0), eta="big"), TypeError, "eta"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        WorkedExampleExplorer(**kwargs)
