"""Smoke test: every plot helper draws on the axes it is given and returns what it drew."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import sgdcourse as sc
from sgdcourse import plots


def test_every_plot_function_draws_and_returns_its_artist():
    bowl = sc.QuadraticBowl([1.0, 5.0])
    tr = sc.sgd(bowl, np.array([2.0, 1.0]), 0.1, m=1, steps=10)
    fig, ax = plt.subplots()
    before = dict(matplotlib.rcParams)
    cs = plots.plot_contours(bowl.loss, (-3, 3), (-2, 2), ax=ax, n=20)
    line = plots.plot_path(tr.thetas, ax=ax)
    assert cs.axes is ax and line.axes is ax
    np.testing.assert_array_equal(line.get_xdata(), tr.thetas[:, 0])
    fig2, ax2 = plt.subplots()
    curve = plots.plot_loss(tr.losses, ax=ax2)
    assert curve.axes is ax2 and ax2.get_yscale() == "log"
    assert dict(matplotlib.rcParams) == before
    T1, T2, Z = plots.loss_grid(bowl.loss, (-1, 1), (-1, 1), n=5)
    assert Z.shape == (5, 5) and Z[2, 2] == 0.0
    plt.close("all")


def test_plot_spread_draws_the_mean_and_a_band_of_one_sd():
    import pytest

    runs = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    fig, ax = plt.subplots()
    line, band = plots.plot_spread([0, 1, 2], runs, ax=ax, label="m = 1")
    np.testing.assert_array_equal(line.get_ydata(), [2.0, 2.0, 2.0])
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == 1.0 and ys.max() == 3.0                # mean ± population sd (here 1, 0, 1)
    assert line.axes is ax and band.axes is ax
    with pytest.raises(ValueError, match="runs"):
        plots.plot_spread([0, 1], runs, ax=ax)
    plt.close("all")
