"""MomentumMapExplorer: its map is the library's rate (sgdcourse.dynamics.momentum_bowl_rate, tested against
runs in test_dynamics.py), computed once; its runs are the library's driver and fall at the rate the map gives;
the boundary and the best pair are the library's; and the image states the control values it shows."""

import warnings

import numpy as np
import pytest

import sgdcourse as sc
from helpers import stamp_pixels
from sgdcourse import dynamics
from sgdcourse.explorers import MomentumMapExplorer
from sgdcourse.explorers import momentum_map as view


@pytest.fixture(scope="module")
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return MomentumMapExplorer(steps=120)


def on_grid(explorer, eta):
    """The eta slider's value nearest to eta."""
    return explorer.eta_step * round(eta / explorer.eta_step)


def test_the_map_is_the_librarys_rate_over_the_whole_stability_region(explorer):
    lam = explorer.curvatures
    assert explorer.eta_top == pytest.approx(2 * (1 + explorer.beta_max) / lam.max())
    assert explorer.controls["eta"].max == pytest.approx(explorer.eta_top)
    assert explorer.controls["beta"].max == explorer.beta_max
    for k, j in ((0, 0), (57, 130), (199, 240), (120, 10)):
        expected = dynamics.momentum_bowl_rate(explorer.map_etas[j], explorer.map_betas[k], lam)
        assert explorer.rates[k, j] == pytest.approx(float(expected), rel=1e-12)
    shown = explorer.map_image.get_array()
    np.testing.assert_array_equal(shown > 1, explorer.rates >= 1)  # drawn in the 'over' grey: it diverges
    # the unstable cells are exactly those past the boundary eta = 2 (1 + beta) / lambda_max
    edges = np.array([dynamics.momentum_threshold(lam.max(), b) for b in explorer.map_betas])
    past = explorer.map_etas[None, :] >= edges[:, None]
    np.testing.assert_array_equal(explorer.rates >= 1, past)
    boundary = explorer.ax_map.lines[0]
    np.testing.assert_allclose(
        boundary.get_xdata(), [dynamics.momentum_threshold(lam.max(), b) for b in boundary.get_ydata()]
    )
    eta, beta, rho = dynamics.momentum_optimum(lam)
    np.testing.assert_allclose(explorer.ax_map.lines[1].get_xydata(), [[eta, beta]])
    assert explorer.rates.min() >= rho - 1e-9


def test_the_map_is_computed_once(explorer, monkeypatch):
    rates, calls = explorer.rates, []
    real = view.momentum_bowl_rate

    def counted(eta, beta, curvatures):
        calls.append(np.size(eta) * np.size(beta))
        return real(eta, beta, curvatures)

    monkeypatch.setattr(view, "momentum_bowl_rate", counted)
    explorer.set(eta=on_grid(explorer, 0.05), beta=0.4)
    explorer.set(beta=0.8)
    assert calls and max(calls) == 1 and explorer.rates is rates


@pytest.mark.parametrize("eta, beta", [(0.0392, 0.0), (0.0614, 0.57), (0.07, 0.9), (0.02, 0.3)])
def test_the_runs_are_the_driver_and_fall_at_the_maps_rate(explorer, eta, beta):
    eta = on_grid(explorer, eta)
    explorer.set(eta=eta, beta=beta)
    plain, heavy = explorer.runs(eta, beta)
    bowl, start = sc.QuadraticBowl(explorer.curvatures), explorer.theta0
    np.testing.assert_allclose(heavy.thetas, sc.sgd(bowl, start, eta, steps=explorer.steps, momentum=beta).thetas)
    np.testing.assert_allclose(plain.thetas, sc.sgd(bowl, start, eta, steps=explorer.steps).thetas)
    drawn = explorer.loss_line.get_ydata()
    np.testing.assert_allclose(drawn, np.maximum(heavy.losses, view.LOSS_FLOOR / 10))
    np.testing.assert_allclose(explorer.point.get_xydata(), [[eta, beta]])
    rho = explorer.rate(eta, beta)
    L0 = float(bowl.loss(start))
    slope = explorer.slope.get_ydata()
    shown = slope > view.LOSS_FLOOR / 10
    np.testing.assert_allclose(slope[shown], L0 * rho ** (2.0 * np.arange(explorer.steps + 1))[shown])
    # the loss falls by about rho^2 per step: the largest loss over the last 20 steps against 60 steps before
    late = np.array(heavy.losses)
    end = len(late) - 1
    measured = (late[end - 20 : end + 1].max() / late[end - 80 : end - 59].max()) ** (1 / 120)
    assert measured == pytest.approx(rho, abs=0.015)
    assert explorer.text.startswith(f"eta = {eta:.4f}, beta = {beta:.2f}: rate rho = {rho:.3f}")
    assert explorer.warning.get_text() == ""


def test_past_the_boundary_the_run_diverges_and_the_readout_says_so(explorer):
    eta = explorer.eta_top
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.set(eta=eta, beta=0.5)
    assert explorer.rate(eta, 0.5) > 1
    assert explorer.runs(eta, 0.5)[1].diverged
    assert "diverges" in explorer.text and f"{dynamics.momentum_threshold(50.0, 0.5):.4f}" in explorer.text
    assert explorer.loss_line.get_ydata()[-1] > explorer.ax_loss.get_ylim()[1]  # off the top
    assert f"{dynamics.momentum_threshold(50.0, 0.5):.4f}" in explorer.warning.get_text()
    # plain GD diverges above 2 / lambda_max, the heavy ball with beta = 0.5 not yet
    explorer.set(eta=on_grid(explorer, 0.05), beta=0.5)
    assert explorer.runs(explorer.values()["eta"], 0.5)[0].diverged and not explorer.runs(0.05, 0.5)[1].diverged
    assert "plain GD at this eta diverges" in explorer.text


def test_the_contours_are_labelled_and_the_heavy_ball_shows_under_its_rate_line(explorer):
    """Each labelled contour names its rate; the heavy ball's curve is wider than the dashed rate line drawn on it."""
    labels = [text.get_text() for text in explorer.ax_map.texts if text.get_text().startswith("ρ = ")]
    assert labels and all(0 < float(label.split("= ")[1]) < 1 for label in labels)
    assert explorer.loss_line.get_linewidth() > 2 * explorer.slope.get_linewidth()
    assert explorer.slope.get_zorder() > explorer.loss_line.get_zorder()


def test_the_default_is_plain_gds_best_step():
    ex = MomentumMapExplorer(steps=30)
    eta, beta = ex.values()["eta"], ex.values()["beta"]
    assert beta == 0.0 and eta == pytest.approx(2 / 51, abs=ex.eta_step / 2)
    assert ex.rate(eta, beta) == pytest.approx(49 / 51, abs=1e-3)  # (kappa - 1) / (kappa + 1)


def test_the_image_states_its_control_values(explorer):
    eta = on_grid(explorer, 0.06)
    explorer.set(eta=eta, beta=0.55)
    rho = explorer.rate(eta, 0.55)
    assert explorer.stamp.get_text() == f"η = {eta:.4f},  β = 0.55:  ρ = {rho:.3f}"
    assert explorer.stamp in explorer.dynamic and explorer.stamp.get_visible()

    before = stamp_pixels(explorer)
    assert before.min() < 80  # dark text drawn there
    explorer.set(beta=0.75)
    assert explorer.stamp.get_text().startswith(f"η = {eta:.4f},  β = 0.75")
    after = stamp_pixels(explorer)
    assert before.shape != after.shape or (before != after).any()


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="curvatures"):
        MomentumMapExplorer(curvatures=(1.0, -2.0))
    with pytest.raises(ValueError, match="curvatures"):
        MomentumMapExplorer(curvatures=(2.0, 2.0))
    with pytest.raises(ValueError, match="theta0"):
        MomentumMapExplorer(theta0=(0.0, 0.0))
    with pytest.raises(ValueError, match="eta must lie"):
        MomentumMapExplorer(eta=0.5)
    with pytest.raises(ValueError, match="beta must lie"):
        MomentumMapExplorer(beta=0.995)
    with pytest.raises(ValueError, match="beta_max"):
        MomentumMapExplorer(beta_max=1.0)
    with pytest.raises(ValueError, match="steps"):
        MomentumMapExplorer(steps=0)


def test_heavy_ball_and_plain_gd_differ_in_style_palette_colours_and_own_shows(explorer):
    """Issue 23 item 4: the heavy ball's loss and plain GD's differ in line style, not only colour; the
    stability edge, the chosen point and the heavy ball are Okabe-Ito colours; `shows` is the
    explorer's own. Breaks: the edge back in matplotlib's red "C3", plain GD solid like the heavy ball,
    or no `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse.explorers.base import Explorer

    palette = {c.lower() for c in sc.plots.PALETTE.values()}
    edge = [line for line in explorer.ax_map.get_lines() if line.get_label().startswith(r"$\eta = 2(1+\beta)")]
    assert len(edge) == 1
    for artist in (edge[0], explorer.point, explorer.loss_line):
        assert to_hex(artist.get_color()) in palette, artist.get_label()
    assert explorer.gd_line.get_linestyle() != explorer.loss_line.get_linestyle()
    assert MomentumMapExplorer.shows != Explorer.shows and explorer.alt.startswith(MomentumMapExplorer.shows)
