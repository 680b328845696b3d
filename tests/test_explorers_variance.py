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
        idx = batch_indices(model.n, explorer.m_max, explorer.draws, np.random.default_rng([explorer.seed, k]), replace)
        for m in (1, 5, 64):
            direct = [model.grad(THETA, idx[r, :m])[0] for r in range(20)]
            np.testing.assert_allclose(explorer.ghat[replace][:20, m - 1], direct, rtol=1e-12, atol=1e-12)
        if not replace:
            assert all(len(set(row)) == explorer.m_max for row in idx)


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
    e = BatchVarianceExplorer(g, rng=np.random.default_rng(3), draws=20000, m_max=20, replace=False)
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
    a.set(m=9), b.set(m=9)
    assert a.text == b.text and a.image.value == b.image.value
    first = a.image.value
    a.set(m=30), a.set(m=9)
    assert a.image.value == first
    assert repr(a).startswith(
        "BatchVarianceExplorer(m=9, replace=True): m = 9, with replacement: sd of g_hat measured "
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
    with pytest.raises(ValueError, match="m_max"):
        BatchVarianceExplorer(g, rng=rng, m_max=g.size + 1)
    with pytest.raises(ValueError, match="m must"):
        BatchVarianceExplorer(g, rng=rng, m=65)
    with pytest.raises(ValueError, match="bins"):
        BatchVarianceExplorer(g, rng=rng, bins=1)
    with pytest.raises(ValueError, match="unknown control"):
        BatchVarianceExplorer(g, rng=rng, draws=100).set(eta=0.1)
