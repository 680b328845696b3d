"""BatchVarianceExplorer: the histogram is the histogram of real mini-batch gradients, the
overlaid curve has variance sigma^2/m (times (N-m)/(N-1) without replacement; the formula itself
is tested in test_minibatch.py), the measured spread follows that law, and updates reuse the
figure's artists."""

import numpy as np
import pytest

import sgdcourse as sc
from sgdcourse.explorers import BatchVarianceExplorer
from sgdcourse.minibatch import batch_indices

THETA = np.zeros(3)


@pytest.fixture(scope="module")
def model():
    X, y, _ = sc.make_linear_regression(200, 3, np.random.default_rng(0))
    return sc.LeastSquares(X, y)


@pytest.fixture
def explorer(model):
    return BatchVarianceExplorer(model.per_example_grads(THETA)[:, 0], rng=np.random.default_rng(1), draws=3000)


def test_draws_are_mini_batch_gradients_of_the_model(model, explorer):
    # rebuild the explorer's batches and compare its g_hat with the library's mini-batch gradient
    for k, replace in enumerate((True, False)):
        idx = batch_indices(model.n, model.n, explorer.draws, np.random.default_rng([explorer.seed, k]), replace)
        for m in (1, 5, 64, 200):
            direct = [model.grad(THETA, idx[r, :m])[0] for r in range(20)]
            np.testing.assert_allclose(explorer.ghat[replace][:20, m - 1], direct, rtol=1e-12, atol=1e-12)
        if not replace:
            assert all(len(set(row)) == model.n for row in idx)


def test_slider_redraws_histogram_and_normal_curve(model, explorer):
    fig, hist, curve, image = explorer.fig, explorer.hist, explorer.curve, explorer.image.value
    g = model.per_example_grads(THETA)[:, 0]
    sigma2, mu = np.mean((g - g.mean()) ** 2), model.grad(THETA)[0]
    for m in (4, 16):
        explorer.controls["m"].value = m
        draws = explorer.ghat[True][:, m - 1]
        counts, edges = np.histogram(draws, explorer.edges)
        np.testing.assert_allclose(explorer.hist.get_data().values, counts / (len(draws) * np.diff(edges)))
        var = sigma2 / m
        np.testing.assert_allclose(
            explorer.curve.get_ydata(),
            np.exp(-((explorer.x - mu) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var),
            rtol=1e-10,
        )
        assert f"predicted {np.sqrt(var):.4f}" in explorer.text
    assert explorer.fig is fig and explorer.hist is hist and explorer.curve is curve
    assert explorer.image.value != image
    np.testing.assert_array_equal(explorer.hist.get_data().edges, edges)  # fixed bins
    assert explorer.ax.get_xlim() == (edges[0], edges[-1])


def test_measured_spread_follows_sigma_over_sqrt_m(explorer):
    sigma = explorer.sigma
    for m in (1, 4, 16, 64):
        explorer.set(m=m)
        measured = explorer.measured_sd[True][m - 1]
        assert measured == pytest.approx(sigma / np.sqrt(m), rel=0.08)
        assert f"measured {measured:.4f}" in explorer.text
    # the histogram narrows: the spread of the drawn heights moves into fewer bins
    explorer.set(m=1)
    wide = np.count_nonzero(explorer.hist.get_data().values)
    explorer.set(m=64)
    assert np.count_nonzero(explorer.hist.get_data().values) < wide / 3


def test_without_replacement_has_the_finite_population_factor():
    g = np.random.default_rng(2).standard_normal(20)
    e = BatchVarianceExplorer(
        g, rng=np.random.default_rng(3), draws=20000, sizes=(1, 5, 10, 16, 20), m=5, replace=False
    )
    sigma2, n = g.var(), 20
    for m in (5, 10, 16):
        e.set(m=m)
        factor = (n - m) / (n - 1)
        assert e.measured_sd[False][m - 1] ** 2 == pytest.approx(sigma2 / m * factor, rel=0.05)
        assert not e.measured_sd[False][m - 1] ** 2 == pytest.approx(sigma2 / m, rel=0.2)
        var = sigma2 / m * factor
        np.testing.assert_allclose(
            e.curve.get_ydata(), np.exp(-((e.x - g.mean()) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)
        )
    e.set(m=20)
    assert e.measured_sd[False][19] == 0 and "measured 0.0000, predicted 0.0000" in e.text
    e.set(replace=True)
    assert e.measured_sd[True][19] ** 2 == pytest.approx(sigma2 / 20, rel=0.05)


def test_same_seed_same_picture_and_text(model):
    g = model.per_example_grads(THETA)[:, 0]
    a = BatchVarianceExplorer(g, rng=np.random.default_rng(5), draws=500)
    b = BatchVarianceExplorer(g, rng=np.random.default_rng(5), draws=500)
    a.set(m=8), b.set(m=8)
    assert a.text == b.text and a.image.value == b.image.value
    first = a.image.value
    a.set(m=32), a.set(m=8)
    assert a.image.value == first
    assert repr(a).startswith(
        "BatchVarianceExplorer(m=8, replace=True): m = 8, with replacement: sd of g_hat measured "
    )


def test_bad_arguments(model):
    g = model.per_example_grads(THETA)[:, 0]
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="per_example_values"):
        BatchVarianceExplorer(np.ones((5, 2)), rng=rng)
    with pytest.raises(ValueError, match="per_example_values"):
        BatchVarianceExplorer(np.full(10, 2.0), rng=rng)
    with pytest.raises(TypeError, match="rng"):
        BatchVarianceExplorer(g, rng=0)
    with pytest.raises(ValueError, match="draws"):
        BatchVarianceExplorer(g, rng=rng, draws=0)
    with pytest.raises(ValueError, match="sizes"):
        BatchVarianceExplorer(g, rng=rng, sizes=(1, 2, g.size + 1))
    with pytest.raises(ValueError, match="sizes"):
        BatchVarianceExplorer(g, rng=rng, sizes=(1, 4, 2))
    with pytest.raises(ValueError, match="m must"):
        BatchVarianceExplorer(g, rng=rng, m=g.size + 1)
    with pytest.raises(ValueError, match="m must be one of sizes"):
        BatchVarianceExplorer(g, rng=rng, m=3)
    with pytest.raises(ValueError, match="bins"):
        BatchVarianceExplorer(g, rng=rng, bins=1)
    with pytest.raises(ValueError, match="unknown control"):
        BatchVarianceExplorer(g, rng=rng, draws=100).set(eta=0.1)


def test_slider_runs_up_to_n_where_the_sd_without_replacement_is_zero(model, explorer):
    """Issue 22 item 4: m reaches N, and the right panel shows the sd without replacement reach 0 there."""
    n = model.n
    assert explorer.sizes == [1, 2, 4, 8, 16, 32, 64, 128, n] and explorer.controls["m"].options[-1] == n
    explorer.set(m=n, replace=False)
    assert explorer.measured_sd[False][n - 1] == 0 and "measured 0.0000, predicted 0.0000" in explorer.text
    np.testing.assert_allclose(explorer.ghat[False][:, n - 1], model.grad(THETA)[0])  # every batch is the data set
    # the measured dots reach m = N, and the zero sits on the panel's bottom edge, the marked "0 at m = N"
    x, y = explorer.dots.get_data()
    assert x[-1] == n and y[-1] == explorer.floor == explorer.ax_sd.get_ylim()[0]
    assert explorer.here.get_data()[0][0] == n and explorer.here.get_data()[1][0] == explorer.floor
    assert np.all(y[:-1] > explorer.floor)  # every other measured sd is above the edge, on the log scale
    texts = [t.get_text() for t in explorer.ax_sd.texts]
    assert "0 at m = N" in texts
    # predicted curves reach m = N: sigma/sqrt(N) with replacement, the bottom edge without
    with_, without = (line for line in explorer.ax_sd.get_lines()[:2])
    assert with_.get_xdata()[-1] == n and with_.get_ydata()[-1] == pytest.approx(explorer.sigma / np.sqrt(n))
    assert without.get_xdata()[-1] == n and without.get_ydata()[-1] == explorer.floor
    explorer.set(replace=True)
    assert explorer.measured_sd[True][n - 1] == pytest.approx(explorer.sigma / np.sqrt(n), rel=0.08)
    assert explorer.here.get_data()[1][0] == explorer.measured_sd[True][n - 1] > explorer.floor


def test_the_image_names_its_control_values(model, explorer):
    """A static reader sees m and the sampling mode in the picture itself."""
    for m, replace, mode in ((16, True, "with"), (model.n, False, "without")):
        explorer.set(m=m, replace=replace)
        assert explorer.title.get_text() == f"batch size m = {m} of N = {model.n}, {mode} replacement"
        assert explorer.title in explorer.dynamic  # redrawn with every frame
    explorer.title.set_text("")
    assert explorer.png() != explorer.shown_png  # the title is in the picture
    explorer.refresh()


def test_density_axis_fits_the_picture_on_show(explorer):
    """Learner report 04, figures: the density axis is rescaled per state, so the m = 16 histogram is not
    squeezed into the bottom of an axis sized for the narrowest batch."""
    for m, replace in ((1, True), (16, True), (128, False), (explorer.n, False)):
        explorer.set(m=m, replace=replace)
        highest = max(explorer.hist.get_data().values.max(), explorer.curve.get_ydata().max())
        bottom, top = explorer.ax.get_ylim()
        assert bottom == 0 and highest < top <= 2.1 * highest and np.log2(top) == int(np.log2(top))
    explorer.set(m=16, replace=True)
    top16 = explorer.ax.get_ylim()[1]
    explorer.set(m=128, replace=False)
    assert explorer.ax.get_ylim()[1] > 3 * top16  # a narrower histogram, a taller axis


def test_predictions_are_drawn_over_the_dots_and_the_current_one_stands_out(explorer):
    """Learner report 04, figures: the sigma/sqrt(m) line was hidden under the measured dots; the two
    predictions differ by line style (solid, dashed), and the one for the current mode is thicker."""
    with_, without = explorer.prediction[True], explorer.prediction[False]
    assert with_.get_linestyle() == "-" and without.get_linestyle() == "--"
    order = explorer.dynamic
    assert order.index(explorer.dots) < order.index(with_) and order.index(explorer.dots) < order.index(without)
    for replace in (True, False):
        explorer.set(m=16, replace=replace)
        assert explorer.prediction[replace].get_linewidth() > 2 * explorer.prediction[not replace].get_linewidth()


def test_cached_pictures_per_axis_range_match_a_full_redraw(explorer):
    explorer.set(m=1)
    explorer.set(m=64)
    explorer.set(m=1)  # from the cache of the m = 1 range
    cached = np.asarray(explorer.canvas.buffer_rgba()).copy()
    explorer._background = None
    explorer.render()
    np.testing.assert_array_equal(np.asarray(explorer.canvas.buffer_rgba()), cached)


def test_the_bins_hold_every_single_example(model, explorer):
    """At m = 1 no draw falls outside the histogram: the bins cover every G_i."""
    explorer.set(m=1, replace=True)
    assert explorer.hist.get_data().values.sum() * np.diff(explorer.edges)[0] == pytest.approx(1.0)
    g = model.per_example_grads(THETA)[:, 0]
    assert explorer.edges[0] < g.min() and g.max() < explorer.edges[-1]


def test_predictions_differ_in_line_style_palette_colours_and_own_shows(explorer):
    """Issue 23 item 4: the two predictions are told apart by line style, every coloured artist is an
    Okabe-Ito colour or black, and `shows` is the explorer's own. Breaks: the curve back in
    matplotlib's red "C3", both predictions solid, or no `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse.explorers.base import Explorer

    palette = {c.lower() for c in sc.plots.PALETTE.values()}
    with_, without = explorer.prediction[True], explorer.prediction[False]
    assert with_.get_linestyle() != without.get_linestyle()
    for artist in (explorer.curve, explorer.dots, explorer.here, with_, without):
        assert to_hex(artist.get_color()) in palette, artist.get_label()
    assert to_hex(explorer.hist.get_facecolor()) in palette
    assert BatchVarianceExplorer.shows != Explorer.shows and explorer.alt.startswith(BatchVarianceExplorer.shows)
