"""MomentumExplorer: the drawn heavy-ball path is the recursion v <- beta v + grad L, theta <- theta - eta v;
the plain path is GD; the readout counts the steps to the tolerance (sgdcourse.trajectory.steps_to_tolerance,
tested in test_trajectory.py); updates reuse the artists."""

import numpy as np
import pytest

from sgdcourse.explorers import MomentumExplorer

LAM, THETA0, ETA = np.array([1.0, 50.0]), np.array([-8.0, 1.0]), 0.036


def heavy_ball_by_hand(beta, steps, lam=LAM, theta0=THETA0, eta=ETA):
    """Iterates (steps + 1, 2) of v_{t+1} = beta v_t + lam * theta_t, theta_{t+1} = theta_t - eta v_{t+1}."""
    theta, v, out = theta0.copy(), np.zeros(2), [theta0.copy()]
    for _ in range(steps):
        v = beta * v + lam * theta
        theta = theta - eta * v
        out.append(theta)
    return np.array(out)


def loss(thetas, lam=LAM):
    return 0.5 * (thetas**2) @ lam


def settled_by_hand(losses, tol):
    for t in range(len(losses)):
        if all(x < tol for x in losses[t:]):
            return t
    return None


@pytest.fixture
def explorer():
    return MomentumExplorer(curvatures=LAM, theta0=THETA0, eta=ETA, steps=200, beta=0.7)


def test_heavy_ball_path_follows_the_recursion(explorer):
    for beta in (0.0, 0.5, 0.9, 0.97):
        explorer.controls["beta"].value = beta
        want = heavy_ball_by_hand(beta, 200)
        np.testing.assert_allclose(explorer.path.get_xydata(), want, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(explorer.loss_line.get_ydata(), np.maximum(loss(want), 1e-10), rtol=1e-12)
    # the plain path is GD: theta_t = (1 - eta lam)^t theta_0 on each axis
    t = np.arange(201)[:, None]
    np.testing.assert_allclose(explorer.plain.thetas, (1 - ETA * LAM) ** t * THETA0, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(explorer.plain_path.get_xydata(), explorer.plain.thetas)


def test_beta_zero_is_plain_gradient_descent(explorer):
    explorer.set(beta=0.0)
    np.testing.assert_array_equal(explorer.path.get_xydata(), explorer.plain.thetas)
    t = settled_by_hand(loss(explorer.plain.thetas), 1e-4)
    limit = 2 * (1 + 0.0) / 50.0  # 2 (1 + beta) / lambda_max, by hand
    assert explorer.text == (
        f"beta = 0.00: stable for eta < 2(1 + beta)/lambda_max = {limit:.3f}; "
        f"steps until the loss stays below 0.0001: plain GD {t} steps, heavy ball {t} steps"
    )


def test_readout_counts_steps_to_tolerance(explorer):
    plain_t = settled_by_hand(loss((1 - ETA * LAM) ** np.arange(201)[:, None] * THETA0), 1e-4)
    for beta in (0.3, 0.7, 0.9):
        explorer.set(beta=beta)
        heavy_t = settled_by_hand(loss(heavy_ball_by_hand(beta, 200)), 1e-4)
        assert explorer.text.endswith(f"plain GD {plain_t} steps, heavy ball {heavy_t} steps")
    explorer.set(beta=0.7)
    assert heavy_t < plain_t and settled_by_hand(loss(heavy_ball_by_hand(0.7, 200)), 1e-4) < plain_t / 3
    short = MomentumExplorer(steps=20, beta=0.95)
    assert "plain GD not within 20 steps, heavy ball not within 20 steps" in short.text


def test_divergence_is_reported():
    # eta = 0.05 > 2 / 50: plain GD diverges; with beta = 0.5 the limit is 2 (1.5) / 50 = 0.06
    e = MomentumExplorer(eta=0.05, steps=400, beta=0.5)
    assert "plain GD diverged at step" in e.text and "heavy ball diverged" not in e.text
    assert "stable for eta < 2(1 + beta)/lambda_max = 0.060;" in e.text
    e.set(beta=0.2)  # limit 0.048 < 0.05
    assert "heavy ball diverged at step" in e.text


def test_updates_reuse_artists_and_change_the_image(explorer):
    fig, path, line, image = explorer.fig, explorer.path, explorer.loss_line, explorer.image.value
    limits = (explorer.ax_path.get_xlim(), explorer.ax_path.get_ylim(), explorer.ax_loss.get_ylim())
    explorer.controls["beta"].value = 0.9
    assert explorer.fig is fig and explorer.path is path and explorer.loss_line is line
    assert explorer.image.value != image
    assert limits == (explorer.ax_path.get_xlim(), explorer.ax_path.get_ylim(), explorer.ax_loss.get_ylim())
    explorer.controls["beta"].value = 0.7
    assert explorer.image.value == image  # same value, same picture
    assert repr(explorer).startswith(
        f"MomentumExplorer(beta=0.7): beta = 0.70: stable for eta < 2(1 + beta)/lambda_max = "
        f"{2 * 1.7 / 50:.3f}; steps until"
    )


def test_bad_arguments():
    with pytest.raises(ValueError, match="curvatures"):
        MomentumExplorer(curvatures=(1.0, 50.0, 3.0))
    with pytest.raises(ValueError, match="curvatures"):
        MomentumExplorer(curvatures=(0.0, 50.0))
    with pytest.raises(ValueError, match="theta0"):
        MomentumExplorer(theta0=(1.0,))
    with pytest.raises(ValueError, match="eta"):
        MomentumExplorer(eta=0)
    with pytest.raises(ValueError, match="steps"):
        MomentumExplorer(steps=0)
    with pytest.raises(TypeError, match="steps"):
        MomentumExplorer(steps=10.5)
    with pytest.raises(ValueError, match="beta"):
        MomentumExplorer(beta=1.0)
    with pytest.raises(ValueError, match="beta"):
        MomentumExplorer(beta=-0.1)
    with pytest.raises(ValueError, match="tol"):
        MomentumExplorer(tol=0)
    with pytest.raises(ValueError, match="beta_max"):
        MomentumExplorer(beta_max=1.0)
    with pytest.raises(ValueError, match="unknown control"):
        MomentumExplorer(steps=10).set(eta=0.1)


def test_plain_gd_and_heavy_ball_differ_in_style_palette_colours_and_own_shows(explorer):
    """Issue 23 item 4: plain GD and the heavy ball differ in line style in both panels, not only in
    colour, both in Okabe-Ito colours; `shows` is the explorer's own. Breaks: plain GD back in
    matplotlib's red "C3", both drawn solid, or no `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse import plots
    from sgdcourse.explorers.base import Explorer

    palette = {c.lower() for c in plots.PALETTE.values()}
    plain_loss = [line for line in explorer.ax_loss.get_lines() if line.get_label() == "plain GD"]
    assert len(plain_loss) == 1
    for plain, heavy in ((explorer.plain_path, explorer.path), (plain_loss[0], explorer.loss_line)):
        assert plain.get_linestyle() != heavy.get_linestyle()
        assert to_hex(plain.get_color()) in palette and to_hex(heavy.get_color()) in palette
    assert MomentumExplorer.shows != Explorer.shows and explorer.alt.startswith(MomentumExplorer.shows)
