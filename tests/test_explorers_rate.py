"""LearningRateExplorer: the eta slider draws the GD path and loss that e_t = (1 - eta lambda)^t e_0
predicts, names the regime from those factors (sgdcourse.dynamics.regime, tested in
test_dynamics.py), paints a diverging run vermillion (Okabe-Ito) and cuts it at the edge of the picture, reuses its
figure, and rejects bad arguments by name."""

import warnings

import numpy as np
import pytest
from matplotlib.colors import to_rgba

import sgdcourse as sc
from helpers import stamp_pixels
from sgdcourse.dynamics import regime
from sgdcourse.explorers import LearningRateExplorer

LAM, C, THETA0 = np.array([1.0, 5.0]), np.array([1.0, 0.5]), np.array([-4.0, 2.0])
VERMILLION = (0xD5 / 255, 0x5E / 255, 0x00 / 255, 1.0)  # Okabe-Ito vermillion, #D55E00


@pytest.fixture
def ex():
    return LearningRateExplorer(LAM, THETA0, center=C, steps=60, eta=0.1)


def closed_form(eta, steps):
    """theta_t = c + (1 - eta lambda)^t (theta_0 - c) and L(theta_t), written out independently."""
    t = np.arange(steps + 1)[:, None]
    e = (1 - eta * LAM) ** t * (THETA0 - C)
    return C + e, 0.5 * (e**2) @ LAM


def test_slider_redraws_path_and_loss_as_the_closed_form_says(ex):
    fig, path, loss, image = ex.fig, ex.path, ex.loss_line, ex.image.value
    ex.controls["eta"].value = 0.3
    thetas, losses = closed_form(0.3, 60)
    np.testing.assert_allclose(np.column_stack(ex.path.get_data()), thetas, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(ex.loss_line.get_xdata(), np.arange(61))
    floor = ex.loss_lim[0] / 10
    np.testing.assert_allclose(
        ex.loss_line.get_ydata(), np.maximum(losses, floor), rtol=1e-6, atol=0
    )  # rounding in theta - c
    assert ex.fig is fig and ex.path is path and ex.loss_line is loss and ex.fig.axes == [ex.ax_path, ex.ax_loss]
    assert ex.image.value != image
    assert ex.label.get_text() == "converge" and to_rgba(ex.path.get_color()) != VERMILLION
    # the drawn loss is the library's loss of the drawn iterates
    np.testing.assert_allclose(losses, [ex.bowl.loss(th) for th in thetas], rtol=1e-6)


def test_crawl_keeps_a_fixed_share_of_the_distance_each_step(ex):
    ex.set(eta=0.02)
    e = np.column_stack(ex.path.get_data()) - C
    np.testing.assert_allclose(e[1:] / e[:-1], np.tile([0.98, 0.9], (60, 1)), rtol=1e-10)
    assert ex.label.get_text() == "crawl" and ex.text.startswith("eta = 0.020: crawl;")


def test_diverging_run_is_vermillion_and_cut_where_it_leaves_the_fixed_axes(ex):
    limits = (ex.ax_path.get_xlim(), ex.ax_path.get_ylim(), ex.ax_loss.get_ylim())
    ex.set(eta=0.45)
    assert (ex.ax_path.get_xlim(), ex.ax_path.get_ylim(), ex.ax_loss.get_ylim()) == limits
    assert ex.label.get_text() == "diverge"
    assert to_rgba(ex.path.get_color()) == VERMILLION and to_rgba(ex.loss_line.get_color()) == VERMILLION
    drawn = np.column_stack(ex.path.get_data())
    thetas, losses = closed_form(0.45, 60)
    half = 1.25 * np.abs(THETA0 - C).max()
    inside = (np.abs(thetas - C) <= half).all(axis=1)
    first_out = int(np.argmin(inside))
    assert 0 < first_out < 60 and len(drawn) == first_out + 1  # cut after the first point outside
    np.testing.assert_allclose(drawn, thetas[: first_out + 1], rtol=1e-12)
    # the steep axis overshoots by 1.25 times its previous error, sign alternating
    e2 = drawn[:, 1] - C[1]
    np.testing.assert_allclose(e2[1:] / e2[:-1], -1.25, rtol=1e-12)
    y = np.asarray(ex.loss_line.get_ydata())
    assert y[-1] > ex.loss_lim[1] and (y[:-1] <= ex.loss_lim[1]).all()
    np.testing.assert_allclose(y, losses[: len(y)], rtol=1e-9)


def test_readout_reports_diverged_at_from_the_trajectory():
    ex = LearningRateExplorer(LAM, THETA0, center=C, steps=150, eta=0.45)
    run = sc.sgd(sc.QuadraticBowl(LAM, center=C), THETA0, 0.45, m=1, steps=150)
    thetas, _ = closed_form(0.45, 150)
    predicted = int(np.argmax(np.abs(thetas).max(axis=1) > 1e8 * np.abs(THETA0).max()))
    assert run.diverged_at == predicted == 87
    assert ex.text == (
        "eta = 0.450: diverge; factors 1 - eta*lambda_k = (0.550, -1.250); 2/lambda_max = 0.4; diverged at step 87"
    )
    short = LearningRateExplorer(LAM, THETA0, center=C, steps=30, eta=0.45)  # stopped before blowing up
    assert "error grows x1.250 per step" in short.text


def test_readout_for_converging_runs_gives_factors_and_final_loss(ex):
    ex.set(eta=0.2)
    _, losses = closed_form(0.2, 60)
    assert ex.text == (
        f"eta = 0.200: converge; factors 1 - eta*lambda_k = (0.800, 0.000); "
        f"2/lambda_max = 0.4; loss {losses[-1]:.3g} at step 60"
    )
    assert repr(ex).startswith("LearningRateExplorer(eta=0.2): eta = 0.200: converge")
    ex.set(eta=0.4)
    assert "edge" in ex.text and "(0.600, -1.000)" in ex.text


def test_the_image_states_its_control_value(ex):
    ex.set(eta=0.2)
    assert ex.stamp.get_text() == "η = 0.200" and ex.text.startswith("eta = 0.200:")
    assert ex.stamp in ex.dynamic and ex.stamp.get_visible()
    at_02 = stamp_pixels(ex)
    assert at_02.min() < 80  # dark text drawn there
    ex.set(eta=0.42)
    assert ex.stamp.get_text() == "η = 0.420"
    at_042 = stamp_pixels(ex)
    assert at_02.shape != at_042.shape or (at_02 != at_042).any()


def test_slider_range_brackets_the_threshold(ex):
    w = ex.controls["eta"]
    assert w.min == pytest.approx(0.4 / 80) and w.step == pytest.approx(0.4 / 80)
    assert w.max == pytest.approx(1.2 * 0.4) and ex.threshold == pytest.approx(0.4)
    assert regime(w.min, LAM)[0] == "crawl" and regime(w.max, LAM)[0] == "diverge"


def test_whole_slider_range_draws_without_warnings(ex):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for eta in np.linspace(ex.controls["eta"].min, ex.controls["eta"].max, 25):
            ex.set(eta=float(eta))
            assert np.isfinite(np.column_stack(ex.path.get_data())).all()


def test_same_slider_value_gives_the_same_picture(ex):
    first = ex.image.value
    ex.set(eta=0.45)
    ex.set(eta=0.1)
    assert ex.image.value == first


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(curvatures=[1.0, 5.0, 2.0]), ValueError, "curvatures"),
        (dict(curvatures=[1.0, -5.0]), ValueError, "curvatures"),
        (dict(theta0=[1.0]), ValueError, "theta0"),
        (dict(theta0=[1.0, 0.5]), ValueError, "theta0"),
        (dict(center=[0.0]), ValueError, "center"),
        (dict(steps=0), ValueError, "steps"),
        (dict(steps=10.5), TypeError, "steps"),
        (dict(eta=0.0), ValueError, "eta"),
        (dict(eta=0.5), ValueError, "eta"),
        (dict(eta="big"), TypeError, "eta"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, exc, name):
    args = dict(curvatures=LAM, theta0=THETA0, center=C, steps=60, eta=0.1) | kwargs
    with pytest.raises(exc, match=name):
        LearningRateExplorer(**args)


def test_regime_colours_are_palette_colours_and_the_view_says_what_it_shows(ex):
    """Issue 23 item 4: every regime is drawn in its own Okabe-Ito colour (and named on the path), and
    `shows` is the explorer's own. Breaks: a regime back in matplotlib's red "C3" or green "C2", two
    regimes in one colour, or no `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse.explorers.base import Explorer

    palette = {c.lower() for c in sc.plots.PALETTE.values()}
    seen = {}
    for eta in (0.005, 0.1, 0.4, 0.45):  # crawl, converge, edge, diverge
        ex.set(eta=eta)
        name, colour = ex.label.get_text(), to_hex(ex.path.get_color())
        assert (
            colour in palette
            and to_hex(ex.loss_line.get_color()) == colour
            and ex.text.startswith(f"eta = {eta:.3f}: {name};")
        )
        seen[name] = colour
    assert sorted(seen) == ["converge", "crawl", "diverge", "edge"] and len(set(seen.values())) == 4
    assert LearningRateExplorer.shows != Explorer.shows and ex.alt.startswith(LearningRateExplorer.shows)
