"""WorkedExampleExplorer: the eta slider on lesson 02's two-point example draws the SGD and GD
runs the math predicts, reuses its figure, and rejects bad arguments by name."""

import warnings
from fractions import Fraction

import numpy as np
import pytest

import sgdcourse as sc
from helpers import stamp_pixels
from sgdcourse.explorers import WorkedExampleExplorer, worked

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
    fig, lines, image = ex.fig, (ex.sgd_w, ex.gd_w, ex.mean_w), ex.image.value
    ex.controls["eta"].value = 0.37
    t = np.arange(31)
    np.testing.assert_array_equal(ex.sgd_w.get_xdata(), t)
    np.testing.assert_allclose(ex.sgd_w.get_ydata(), by_hand(0.37, ex.order), rtol=1e-12)
    # GD on L = (1/4) sum (w x_i - y_i)^2: w_t - w* = (1 - eta * 5/2)^t (w0 - w*), w* = 2/5
    np.testing.assert_allclose(ex.gd_w.get_ydata(), 0.4 - 0.4 * (1 - 0.37 * 2.5) ** t, rtol=1e-12, atol=1e-15)
    assert ex.fig is fig and (ex.sgd_w, ex.gd_w, ex.mean_w) == lines
    assert ex.image.value != image


def test_band_is_mean_and_sd_over_the_draw_sequences(ex):
    assert ex.orders.shape == (50, 30)
    assert (ex.orders[:, :3] == (0, 1, 0)).all() and len({tuple(o) for o in ex.orders}) == 50
    ex.set(eta=0.3)
    runs = np.array([by_hand(0.3, order) for order in ex.orders])  # (50, 31), one sequence at a time
    np.testing.assert_allclose(ex.band(0.3), runs, rtol=1e-12)
    mean, sd = runs.mean(axis=0), runs.std(axis=0)
    np.testing.assert_allclose(ex.mean_w.get_ydata(), mean, rtol=1e-12)
    edge = ex.band_patch.get_xy()
    np.testing.assert_allclose(edge[:31], np.column_stack([np.arange(31), mean - sd]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(edge[31:62], np.column_stack([np.arange(31)[::-1], (mean + sd)[::-1]]), rtol=1e-12)
    assert ex.text.endswith("; GD 0.400; w* = 0.4")
    assert f"w_30 over 50 SGD runs {mean[-1]:.3f} ± {sd[-1]:.3f}, one run {runs[0, -1]:.3f}" in ex.text


def test_right_panel_is_the_distance_from_w_star_over_eta(ex):
    assert len(ex.eta_grid) == 201 and ex.eta_grid[0] == pytest.approx(0.01) and ex.eta_grid[-1] == pytest.approx(1)
    for k in (0, 80, 150):
        eta = ex.eta_grid[k]
        runs = np.array([by_hand(eta, order) for order in ex.orders])
        rms = np.sqrt(np.mean((runs[:, 15:] - 0.4) ** 2, axis=1)).mean()  # t >= T/2 = 15
        gd = 0.4 - 0.4 * (1 - eta * 2.5) ** np.arange(31)
        assert ex.sgd_distance[k] == pytest.approx(rms, rel=1e-9)
        assert ex.gd_distance[k] == pytest.approx(np.sqrt(np.mean((gd[15:] - 0.4) ** 2)), rel=1e-9, abs=1e-15)
    ex.set(eta=0.2)
    assert list(ex.now.get_xdata()) == [0.2, 0.2]


def test_distances_below_the_floor_are_left_out_and_said_so(ex):
    sgd_line, gd_line = ex.ax_d.lines[:2]
    gd = np.asarray(gd_line.get_ydata(), dtype=float)
    below = ex.gd_distance < 1e-3
    assert below.any() and not below.all()
    assert np.isnan(gd[below]).all()  # not drawn, rather than drawn at the floor as if it were 1e-3
    np.testing.assert_allclose(gd[~below], ex.gd_distance[~below], rtol=1e-12)
    np.testing.assert_allclose(sgd_line.get_ydata(), ex.sgd_distance, rtol=1e-12)  # SGD stays above the floor
    (note,) = [t for t in ex.ax_d.texts if t.get_text().startswith("GD below")]
    assert ex.eta_grid[below].min() < note.get_position()[0] < ex.eta_grid[below].max()
    np.testing.assert_array_equal(worked.above_floor([np.nan, 5e-4, 2e-3]), [1e300, np.nan, 2e-3])


def test_labels_name_the_window_the_current_eta_and_keep_the_mean_visible(ex):
    assert ex.ax_d.get_ylabel().endswith(r"over $t \geq 15$")  # steps = 30: the second half starts at t = 15
    labels = [t.get_text() for t in ex.ax_d.get_legend().get_texts()]
    assert labels == ["SGD: mean of 50 runs' rms", "GD", "current η"]
    assert ex.mean_w.get_zorder() > ex.gd_w.get_zorder()  # where SGD's mean and GD coincide, the mean shows
    assert ex.mean_w.get_linestyle() != ex.gd_w.get_linestyle()


def test_thresholds_are_where_the_step_factors_cross_zero_and_minus_one():
    # a step on example i: w - w_i* times 1 - eta x_i^2 (x_2 = 2); GD: w - w* times 1 - eta L'' (L'' = 5/2)
    assert worked.THRESHOLDS == (Fraction(1, 4), Fraction(2, 5), Fraction(1, 2), Fraction(4, 5))
    assert [1 - t * 4 for t in (worked.THRESHOLDS[0], worked.THRESHOLDS[2])] == [0, -1]
    assert [1 - t * Fraction(5, 2) for t in (worked.THRESHOLDS[1], worked.THRESHOLDS[3])] == [0, -1]
    assert [worked.step_regime(e) for e in (0.25, 0.26, 0.45, 0.6, 0.81)] == list(worked.REGIMES)


def test_thresholds_are_marked_and_the_stamp_states_eta(ex):
    marked = [line.get_xdata()[0] for line in ex.ax_d.lines[2:6]]
    assert marked == [0.25, 0.4, 0.5, 0.8]
    assert {t.get_text() for t in ex.ax_d.texts} == {"1/4", "2/5", "1/2", "4/5", "GD below 0.001"}
    ex.set(eta=0.05)
    assert ex.stamp.get_text() == "η = 0.050" and ex.stamp in ex.dynamic
    at_005 = stamp_pixels(ex)
    ex.set(eta=0.5)
    assert ex.stamp.get_text() == "η = 0.500"
    assert not np.array_equal(stamp_pixels(ex), at_005)


def test_readout_rounds_the_final_iterates(ex):
    ex.set(eta=0.2)
    sgd_run, gd_run = ex.runs(0.2)
    assert ex.text.startswith("eta = 0.200: no step overshoots; w_30 over 50 SGD runs ")
    assert f"one run {sgd_run.theta[0]:.3f}; GD {gd_run.theta[0]:.3f}" in ex.text
    assert f"{by_hand(0.2, ex.order)[-1]:.3f}" in ex.text
    assert repr(ex).startswith("WorkedExampleExplorer(eta=0.2): eta = 0.200")


def test_same_slider_value_gives_the_same_picture_and_same_seed_the_same_draws(ex):
    first = ex.image.value
    ex.set(eta=0.8)
    ex.set(eta=0.1)
    assert ex.image.value == first
    again = WorkedExampleExplorer(rng=np.random.default_rng(3), steps=30)
    np.testing.assert_array_equal(again.orders, ex.orders)
    assert set(ex.order[3:]) == {0, 1}


def test_large_eta_is_drawn_without_warnings(ex):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.set(eta=1.0)
    w_gd = np.asarray(ex.gd_w.get_ydata())
    np.testing.assert_allclose(w_gd, 0.4 - 0.4 * (-1.5) ** np.arange(31), rtol=1e-9)
    assert np.isfinite(ex.sgd_w.get_ydata()).all()
    assert "GD diverges" in ex.text


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        (dict(rng=0), TypeError, "rng"),
        (dict(rng=np.random.default_rng(0), steps=2), ValueError, "steps"),
        (dict(rng=np.random.default_rng(0), steps=4.5), TypeError, "steps"),
        (dict(rng=np.random.default_rng(0), eta=1.5), ValueError, "eta"),
        (dict(rng=np.random.default_rng(0), eta=0.0), ValueError, "eta"),
        (dict(rng=np.random.default_rng(0), eta="big"), TypeError, "eta"),
        (dict(rng=np.random.default_rng(0), sequences=1), ValueError, "sequences"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        WorkedExampleExplorer(**kwargs)


def test_sgd_and_gd_are_palette_colours_and_differ_in_line_style(ex):
    """Issue 23 item 4: SGD and GD are drawn in Okabe-Ito colours (apart for deuteranopes) and told
    apart by line style too, and the view says what it shows. Breaks: SGD back in matplotlib's red
    "C3", GD drawn solid like SGD, or no `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse.explorers.base import Explorer

    palette = {c.lower() for c in sc.plots.PALETTE.values()}
    sgd_lines, gd_lines = (ex.sgd_w, ex.mean_w, ex.ax_d.lines[0]), (ex.gd_w, ex.ax_d.lines[1])
    for line in sgd_lines + gd_lines:
        assert to_hex(line.get_color()) in palette, line.get_label()
    assert {to_hex(line.get_color()) for line in sgd_lines}.isdisjoint(to_hex(line.get_color()) for line in gd_lines)
    assert {line.get_linestyle() for line in sgd_lines}.isdisjoint(line.get_linestyle() for line in gd_lines)
    assert WorkedExampleExplorer.shows != Explorer.shows and ex.alt.startswith(WorkedExampleExplorer.shows)


def test_slider_labels_tell_every_position_apart(ex):
    """Review finding 13: at 3 decimals 30 of the 201 eta positions repeated a neighbour's label.
    Breaks: readout_format back to ".3f"."""
    slider = ex.controls["eta"]
    positions = slider.base ** np.arange(slider.min, slider.max + slider.step / 2, slider.step)
    labels = [f"{v:{slider.readout_format}}" for v in positions]
    assert len(positions) == 201 and len(set(labels)) == len(labels)
