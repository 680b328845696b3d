"""StepPlayer: setting a control programmatically changes the drawn data as the math says,
updates reuse the same figure and artists, and the notebook output carries a static PNG."""

import numpy as np
import pytest

import sgdcourse as sc
from sgdcourse.explorers import StepPlayer


@pytest.fixture
def player():
    X, y, _ = sc.make_linear_regression(100, 2, np.random.default_rng(0))
    model = sc.LeastSquares(X, y)
    tr = sc.sgd(model, np.array([-2.0, 2.0]), 0.05, m=1, steps=40, rng=np.random.default_rng(1))
    return StepPlayer(model.loss, tr.thetas, (-3, 3), (-3, 3), losses=tr.losses, minimum=model.solution()), tr


def test_step_slider_draws_the_path_up_to_t(player):
    p, tr = player
    fig, path, image = p.fig, p.path, p.image.value
    p.controls["t"].value = 12
    np.testing.assert_array_equal(np.column_stack(p.path.get_data()), tr.thetas[:13])
    np.testing.assert_array_equal(np.ravel(p.head.get_data()), tr.thetas[12])
    assert f"loss = {tr.losses[12]:.4f}" in p.text and "t = 12" in p.text
    assert p.fig is fig and p.path is path and p.image.value != image
    assert p.stamp.get_text() == f"step t = 12 of {tr.steps},  L = {tr.losses[12]:.4f},  zoom 1×"
    assert p.stamp in p.dynamic


def test_buttons_step_and_stop_at_the_ends(player):
    p, tr = player
    back, forward = p.buttons
    forward.click(), forward.click()
    assert p.controls["t"].value == 2
    back.click(), back.click(), back.click()
    assert p.controls["t"].value == 0
    p.controls["t"].value = tr.steps
    forward.click()
    assert p.controls["t"].value == tr.steps


def test_play_drives_the_step_and_speed_sets_the_interval(player):
    p, _ = player
    p.play.value = 7
    assert p.controls["t"].value == 7 and "t = 7" in p.text
    p.speed.value = 4
    assert p.play.interval == 100
    p.speed.value = 0.25
    assert p.play.interval == 1600


def test_zoom_narrows_the_view_around_the_current_iterate(player):
    p, tr = player
    p.set(t=10, zoom=4.0)
    x0, x1 = p.ax.get_xlim()
    assert x1 - x0 == pytest.approx(6 / 4)
    assert (x0 + x1) / 2 == pytest.approx(tr.thetas[10, 0])
    assert p.stamp.get_text() == f"step t = 10 of {tr.steps},  L = {tr.losses[10]:.4f},  zoom 4×"
    shown = p.png()
    p.stamp.set_text("")
    assert p.png() != shown  # the stamp is drawn into the picture, not only the readout


def test_notebook_output_has_widget_png_and_stable_text(player):
    p, _ = player
    bundle, metadata = p._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(bundle)
    assert (
        bundle["text/plain"]
        == "StepPlayer(t=0, zoom=1.0): t = 0: theta = (-2.000, 2.000), loss = " + f"{p.losses[0]:.4f}"
    )


def test_bad_arguments(player):
    p, _ = player
    with pytest.raises(ValueError, match="unknown control"):
        p.set(eta=1.0)
    with pytest.raises(ValueError, match="thetas"):
        StepPlayer(lambda th: 0.0, np.zeros((5, 3)), (0, 1), (0, 1))


def test_start_step_and_axis_labels():
    thetas = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
    p = StepPlayer(lambda th: float(th @ th), thetas, (-1, 3), (-1, 3), t=-1, labels=("$w_1$", "$w_2$"))
    assert p.controls["t"].value == 2 and p.play.value == 2
    np.testing.assert_array_equal(np.column_stack(p.path.get_data()), thetas)
    assert (p.ax.get_xlabel(), p.ax.get_ylabel()) == ("$w_1$", "$w_2$")
    with pytest.raises(ValueError, match="t must be"):
        StepPlayer(lambda th: 0.0, thetas, (0, 1), (0, 1), t=3)


def test_path_is_a_palette_colour_and_the_view_says_what_it_shows(player):
    """Issue 23 item 4: the path is an Okabe-Ito colour, and `shows` is the player's own.
    Breaks: the path back in matplotlib's red "C3", or no `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse.explorers.base import Explorer

    explorer, _ = player
    palette = {c.lower() for c in sc.plots.PALETTE.values()}
    assert to_hex(explorer.path.get_color()) in palette and to_hex(explorer.head.get_color()) in palette
    assert StepPlayer.shows != Explorer.shows and explorer.alt.startswith(StepPlayer.shows)
