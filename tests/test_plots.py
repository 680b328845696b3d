"""Every plot helper draws on the axes it is given, returns what it drew, and draws the data it was given."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

import sgdcourse as sc
from sgdcourse import plots


def test_every_plot_function_draws_and_returns_its_artist():
    bowl = sc.QuadraticBowl([1.0, 5.0])
    tr = sc.sgd(bowl, np.array([2.0, 1.0]), 0.1, m=1, steps=10)
    fig, ax = plt.subplots()
    before = dict(matplotlib.rcParams)
    cs, star = plots.plot_contours(bowl.loss, (-3, 3), (-2, 2), ax=ax, n=20)
    line = plots.plot_path(tr.thetas, ax=ax)
    assert cs.axes is ax and line.axes is ax and star is None
    np.testing.assert_array_equal(line.get_xdata(), tr.thetas[:, 0])
    fig2, ax2 = plt.subplots()
    curve = plots.plot_loss(tr.losses, ax=ax2)
    assert curve.axes is ax2 and ax2.get_yscale() == "log"
    assert dict(matplotlib.rcParams) == before
    T1, T2, Z = plots.loss_grid(bowl.loss, (-1, 1), (-1, 1), n=5)
    assert Z.shape == (5, 5) and Z[2, 2] == 0.0
    plt.close("all")


def test_plot_spread_draws_the_mean_and_a_band_of_one_sd():
    runs = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    fig, ax = plt.subplots()
    line, band = plots.plot_spread([0, 1, 2], runs, ax=ax, label="m = 1")
    np.testing.assert_array_equal(line.get_ydata(), [2.0, 2.0, 2.0])
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == 1.0 and ys.max() == 3.0  # mean ± population sd (here 1, 0, 1)
    assert line.axes is ax and band.axes is ax
    with pytest.raises(ValueError, match="runs"):
        plots.plot_spread([0, 1], runs, ax=ax)
    plt.close("all")


def test_plot_contours_draws_the_levels_and_a_star_at_the_minimum_above_the_lines():
    bowl = sc.QuadraticBowl([1.0, 4.0], center=[0.5, -0.25])
    fig, ax = plt.subplots()
    drawn = plots.plot_contours(
        bowl.loss,
        (-2, 2),
        (-2, 2),
        ax=ax,
        levels=[0.5, 1.0],
        n=41,
        linewidths=0.7,
        minimum=bowl.minimum,
        label="minimum",
        markersize=10,
    )
    assert isinstance(drawn, plots.Contours) and drawn.lines.axes is ax
    np.testing.assert_array_equal(drawn.lines.levels, [0.5, 1.0])
    # the level-1 curve is the ellipse (1/2)(x - c)^T diag(1, 4) (x - c) = 1 around the centre
    path = max(drawn.lines.get_paths()[1].to_polygons(), key=len)
    np.testing.assert_allclose([bowl.loss(p) for p in path], 1.0, rtol=0.02)
    star = drawn.star
    np.testing.assert_array_equal(star.get_xydata(), [bowl.minimum])
    assert star.get_marker() == "*" and star.get_markersize() == 10 and star.get_label() == "minimum"
    assert star.get_zorder() > max(c.get_zorder() for c in ax.collections)  # not hidden by a path drawn later
    assert ax.get_legend_handles_labels()[1] == ["minimum"]
    with pytest.raises(ValueError, match="minimum"):
        plots.plot_contours(bowl.loss, (-2, 2), (-2, 2), ax=ax, n=5, minimum=[1.0, 2.0, 3.0])
    plt.close("all")


def test_plot_loss_takes_the_x_values_it_is_given():
    losses = np.array([4.0, 2.0, 1.0, 0.5, 0.25])
    fig, ax = plt.subplots()
    by_step = plots.plot_loss(losses, ax=ax)
    np.testing.assert_array_equal(by_step.get_xdata(), np.arange(5))
    assert ax.get_xlabel() == "step t"
    fig, ax = plt.subplots()
    epochs = np.arange(5) / 2  # two steps per epoch
    by_epoch = plots.plot_loss(losses, ax=ax, x=epochs, log=False)
    np.testing.assert_array_equal(by_epoch.get_xydata(), np.column_stack([epochs, losses]))
    assert ax.get_xlabel() == "" and ax.get_yscale() == "linear"  # the caller names its own x
    with pytest.raises(ValueError, match="x has shape"):
        plots.plot_loss(losses, ax=ax, x=epochs[:4])
    with pytest.raises(TypeError, match="x must hold numbers"):
        plots.plot_loss(losses, ax=ax, x=["a"] * 5)
    plt.close("all")


def test_show_publishes_the_png_with_its_alt_text_and_closes_the_figure(monkeypatch):
    import base64

    import matplotlib.pyplot as plt
    from IPython.core import display_functions
    from IPython.core.interactiveshell import InteractiveShell

    published = []
    monkeypatch.setattr(InteractiveShell, "initialized", classmethod(lambda cls: True))  # as in a kernel
    monkeypatch.setattr(
        display_functions, "publish_display_data", lambda data, metadata=None, **kw: published.append((data, metadata))
    )
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    plots.show(fig, alt="a line falling from 1 to 0")
    ((data, metadata),) = published
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert metadata == {"image/png": {"alt": "a line falling from 1 to 0"}}
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("alt", ["", "figure", "../_images/ab12.png", "plot of it.png", None])
def test_show_refuses_an_alt_that_says_nothing(alt):
    import matplotlib.pyplot as plt

    fig = plt.figure()
    with pytest.raises(ValueError, match="alt"):
        plots.show(fig, alt=alt)
    plt.close(fig)


def test_colour_cycle_is_the_okabe_ito_palette_in_order():
    colours = [c["color"] for c in plots.colour_cycle()]
    assert colours[:3] == ["#0072B2", "#D55E00", "#009E73"] and len(set(colours)) == 8
