"""NoiseBallExplorer: its runs are mini-batch SGD on least squares (the library's driver, batch for
batch), the cloud they leave has the covariance of the predicted ball over several seeds (the
formulas themselves are tested against exact enumeration in test_dynamics.py and test_minibatch.py),
and the image states the control values it shows."""

import warnings

import numpy as np
import pytest

import sgdcourse as sc
from helpers import noise_ball, stamp_pixels
from sgdcourse import dynamics
from sgdcourse.explorers import NoiseBallExplorer
from sgdcourse.minibatch import batch_indices


@pytest.fixture(scope="module")
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return noise_ball(np.random.default_rng(3), n=200, runs=60, m_max=16)


def eta_on_grid(explorer, k):
    """The k-th value of the eta slider (0: the smallest)."""
    w = explorer.controls["eta"]
    return float(w.base ** (w.min + k * w.step))


@pytest.mark.parametrize("replace", [True, False])
def test_runs_are_the_sgd_driver_on_the_explorers_batches(replace):
    ex = noise_ball(np.random.default_rng(1), n=60, runs=8, m_max=4, replace=replace)
    X, y = ex.model.X, ex.model.y
    idx = batch_indices(len(y), 4, ex.steps * ex.n_runs, np.random.default_rng(ex.seed), replace)
    for eta, m in ((eta_on_grid(ex, 5), 1), (eta_on_grid(ex, 20), 4)):
        errors = ex.runs(eta, m)
        for k in (0, 5):
            batches = [idx[t * ex.n_runs + k, :m] for t in range(ex.steps)]
            run = sc.sgd(sc.LeastSquares(X, y), ex.theta0, eta, batches=batches)
            np.testing.assert_allclose(ex.minimiser + errors[:, k], run.thetas, atol=1e-10)
        ex.set(eta=eta, m=m)
        np.testing.assert_allclose(ex.cloud.get_offsets(), ex.minimiser + errors[-1])


@pytest.mark.parametrize("seed", range(5))
def test_the_clouds_spread_is_the_predicted_ball(seed):
    # 1500 runs: the variance along each axis of the ball, and the mean excess loss, lie within
    # 4.5 standard errors of the prediction (V sqrt(2 / R) for a normal cloud; the runs at m = 1 have
    # heavier tails, hence 4.5 and not 3). Breaks: the 1/m in the noise dropped (the ball at m = 4 and 8
    # comes out 4 and 8 times too large), or the gain that grows with the spread left out (at m = 1 the
    # ball of the noise at the minimum alone is about 40% too small).
    ex = noise_ball(np.random.default_rng(seed), n=300, runs=1500, m_max=8, steps=150, eta_span=4, paths=0)
    tol = 4.5 * np.sqrt(2 / ex.n_runs)
    for m in (1, 4, 8):
        eta = 0.5 * ex.thresholds[m]
        final = ex.runs(eta, m)[-1]
        V = ex.predicted(eta, m)
        lam, U = np.linalg.eigh(V)
        measured = np.diag(U.T @ np.cov(final.T) @ U)
        assert np.all(np.abs(measured / lam - 1) < tol), (m, measured, lam)
        floor = 0.5 * np.trace(ex.hessian @ V)
        assert abs(dynamics.excess_loss(final, ex.hessian).mean() / floor - 1) < tol
        if m == 1:
            nz = ex.noise[1]
            additive = dynamics.noise_ball_covariance(eta, ex.hessian, nz.noise_cov)
            assert np.trace(additive) < (1 - 1.5 * tol) * np.trace(np.cov(final.T))  # misses by more than tol


def test_the_image_states_its_control_values(explorer):
    eta = eta_on_grid(explorer, 12)
    explorer.set(eta=eta, m=4)
    assert explorer.stamp.get_text() == f"η = {eta:.3f},  m = 4"
    assert explorer.text.startswith(f"eta = {eta:.3f}, m = 4:")
    assert explorer.stamp in explorer.dynamic and explorer.stamp.get_visible()

    at_4 = stamp_pixels(explorer)
    assert at_4.min() < 80  # dark text drawn there
    explorer.set(m=16)
    assert explorer.stamp.get_text() == f"η = {eta:.3f},  m = 16"
    at_16 = stamp_pixels(explorer)
    assert at_4.shape != at_16.shape or (at_4 != at_16).any()


def test_the_ball_and_the_floor_are_the_predicted_ones(explorer):
    fig, cloud, ball = explorer.fig, explorer.cloud, explorer.ball
    for k, m in ((3, 1), (15, 2), (28, 16)):
        eta = eta_on_grid(explorer, k)
        explorer.set(eta=eta, m=m)
        V = explorer.predicted(eta, m)
        ring = np.array(explorer.ball.get_data()).T - explorer.minimiser
        np.testing.assert_allclose(np.einsum("ri,ij,rj->r", ring, np.linalg.inv(V), ring), 4.0)  # 2 sd
        floor = explorer.floor.get_ydata()
        np.testing.assert_allclose(floor, 0.5 * np.trace(explorer.hessian @ V))
        assert f"predicted {0.5 * np.trace(explorer.hessian @ V):.3g};" in explorer.text
        assert explorer.warning.get_text() == ""
    assert explorer.fig is fig and explorer.cloud is cloud and explorer.ball is ball


def test_above_the_threshold_there_is_no_ball_and_the_runs_blow_up(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.set(eta=explorer.eta_max, m=1)
    assert explorer.eta_max > explorer.thresholds[1]
    assert explorer.predicted(explorer.eta_max, 1) is None and len(explorer.ball.get_xdata()) == 0
    assert f"{explorer.thresholds[1]:.3f}" in explorer.warning.get_text()
    assert "no noise ball" in explorer.text and "runs blew up" in explorer.text
    assert np.isnan(explorer.runs(explorer.eta_max, 1)[-1]).any()
    # the threshold rises with m towards GD's 2 / lambda_max
    limits = [explorer.thresholds[m] for m in explorer.sizes]
    assert all(a < b for a, b in zip(limits, limits[1:])) and limits[-1] < explorer.gd_threshold


def test_bad_arguments_name_the_parameter():
    rng = np.random.default_rng(0)
    X, y, _ = sc.make_linear_regression(100, 2, rng)
    minimiser = sc.LeastSquares(X, y).solution()
    start = minimiser + 1.0
    with pytest.raises(ValueError, match="X"):
        NoiseBallExplorer(np.hstack([X, X]), y, start, rng)
    with pytest.raises(ValueError, match="m must be one of"):
        NoiseBallExplorer(X, y, start, rng, m=3)
    with pytest.raises(ValueError, match="steps"):
        NoiseBallExplorer(X, y, start, rng, steps=20)
    with pytest.raises(ValueError, match="theta0"):
        NoiseBallExplorer(X, y, minimiser, rng)
    with pytest.raises(ValueError, match="eta must lie"):
        NoiseBallExplorer(X, y, start, rng, eta=5.0)
    with pytest.raises(ValueError, match="eta_span"):
        NoiseBallExplorer(X, y, start, rng, eta_span=1)
    with pytest.raises(ValueError, match="fitted exactly"):
        NoiseBallExplorer(X, X @ np.array([1.0, -2.0]), start, rng)
    with pytest.raises(TypeError, match="rng"):
        NoiseBallExplorer(X, y, start, 0)


def test_compared_curves_differ_in_style_palette_colours_and_own_shows(explorer):
    """Issue 23 item 4: the runs' mean and full-batch GD, and the ball and the floor against the runs,
    differ in line style as well as colour; every coloured artist is an Okabe-Ito colour; `shows` is
    the explorer's own. Breaks: the ball back in matplotlib's red "C3", GD's curve solid like the mean,
    or no `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse.explorers.base import Explorer

    palette = {c.lower() for c in sc.plots.PALETTE.values()}
    for artist in (explorer.cloud, explorer.ball, explorer.mean_line, explorer.floor):
        colour = artist.get_facecolor()[0] if artist is explorer.cloud else artist.get_color()
        assert to_hex(colour) in palette, artist.get_label()
    styles = [line.get_linestyle() for line in (explorer.mean_line, explorer.gd_line, explorer.floor)]
    assert len(set(styles)) == 3
    assert NoiseBallExplorer.shows != Explorer.shows and explorer.alt.startswith(NoiseBallExplorer.shows)
