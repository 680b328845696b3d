"""SharpFlatLandscape: shifted copies of one profile. Gradients against finite differences, the
mean of per-example gradients against the batch gradient, the minima and barrier of the average,
the basin classifier, and bad arguments named in the errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sgdcourse as sc
from sgdcourse.landscapes import SharpFlatLandscape

OFFSETS = np.linspace(-0.25, 0.25, 100)


@pytest.fixture(scope="module")
def land():
    return SharpFlatLandscape(OFFSETS)


def profile_by_hand(u, c=(-1.0, 0.5), w=(0.15, 0.8), d=(0.5, 0.4), k=0.1):
    return (
        -d[0] * np.exp(-((u - c[0]) ** 2) / (2 * w[0] ** 2))
        - d[1] * np.exp(-((u - c[1]) ** 2) / (2 * w[1] ** 2))
        + k * u**2 / 2
    )


def test_losses_are_shifted_copies_of_the_profile(land):
    a = land.X[:, 0]
    np.testing.assert_allclose(a.mean(), 0, atol=1e-15)
    for theta in (-1.3, -0.9, 0.0, 0.4, 2.0):
        np.testing.assert_allclose(land.losses([theta]), profile_by_hand(theta - a), rtol=1e-13)
        assert land.loss(np.array([theta])) == pytest.approx(profile_by_hand(theta - a).mean(), rel=1e-13)
    shifted = SharpFlatLandscape([0.97, 0.99, 1.04])  # mean 1, so a = (-0.03, -0.01, 0.04)
    np.testing.assert_allclose(shifted.X[:, 0], [-0.03, -0.01, 0.04], atol=1e-15)


@pytest.mark.parametrize("theta", [-1.2, -0.95, -0.6, -0.3, 0.1, 0.43, 1.5])
def test_gradients_match_finite_differences(land, theta):
    assert sc.check_model(land, np.array([theta])).ok
    assert sc.check_model(land, np.array([theta]), idx=np.array([0, 7, 7, 99])).ok
    u, e = np.linspace(-3, 3, 61), 1e-6
    np.testing.assert_allclose(
        land.profile_slope(u), (land.profile(u + e) - land.profile(u - e)) / (2 * e), rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(
        land.profile_curvature(u),
        (land.profile_slope(u + e) - land.profile_slope(u - e)) / (2 * e),
        rtol=1e-6,
        atol=1e-6,
    )
    h = 1e-5
    assert land.curvature([theta]) == pytest.approx(
        (land.grad([theta + h])[0] - land.grad([theta - h])[0]) / (2 * h), rel=1e-5
    )


def test_mean_of_per_example_gradients_is_the_batch_gradient(land):
    rng = np.random.default_rng(0)
    for theta in rng.uniform(-2, 2, 10):
        th = np.array([theta])
        assert land.per_example_grads(th).shape == (100, 1)
        np.testing.assert_allclose(land.per_example_grads(th).mean(axis=0), land.grad(th), atol=1e-14)
        idx = rng.integers(0, 100, size=5)
        np.testing.assert_allclose(land.per_example_grads(th, idx).mean(axis=0), land.grad(th, idx), atol=1e-14)
        u = theta - land.X[idx, 0]
        by_hand = (
            0.5 * (u + 1) / 0.15**2 * np.exp(-((u + 1) ** 2) / (2 * 0.15**2))
            + 0.4 * (u - 0.5) / 0.8**2 * np.exp(-((u - 0.5) ** 2) / (2 * 0.8**2))
            + 0.1 * u
        )
        np.testing.assert_allclose(land.grad(th, idx), [by_hand.mean()], rtol=1e-12)
        assert land.grad(th).shape == (1,)


def test_minima_and_barrier_of_the_average(land):
    for x in (land.sharp_min, land.flat_min, land.barrier):
        assert abs(land.grad([x])[0]) < 1e-9
    assert land.sharp_min < land.barrier < land.flat_min
    assert land.curvature([land.sharp_min]) > 5 * land.curvature([land.flat_min]) > 0 > land.curvature([land.barrier])
    depths = [land.loss([land.sharp_min]), land.loss([land.flat_min])]
    assert max(depths) < land.loss([land.barrier]) and abs(depths[0] - depths[1]) < 0.05  # similar depths
    grid = np.linspace(-3, 3, 6001)
    L = np.array([land.loss([x]) for x in grid])
    left, right = grid < land.barrier, grid > land.barrier
    assert grid[left][np.argmin(L[left])] == pytest.approx(land.sharp_min, abs=1e-3)
    assert grid[right][np.argmin(L[right])] == pytest.approx(land.flat_min, abs=1e-3)


def test_gradient_noise_is_larger_at_the_sharp_minimum(land):
    spread = [land.per_example_grads([x]).std() for x in (land.sharp_min, land.flat_min)]
    assert spread[0] > 10 * spread[1]


def test_classify(land):
    assert land.classify(land.sharp_min) == "sharp" and land.classify(land.flat_min) == "flat"
    assert land.classify(np.array([land.barrier - 1e-6])) == "sharp"
    assert land.classify(land.barrier + 1e-6) == "flat"
    pts = np.array([[-3.0, -0.95, land.barrier - 0.01], [land.barrier + 0.01, 0.4, 3.0]])
    np.testing.assert_array_equal(land.classify(pts), [["sharp"] * 3, ["flat"] * 3])
    mirrored = SharpFlatLandscape(OFFSETS, centers=(1.0, -0.5))  # the sharp well on the right
    assert mirrored.sharp_min > mirrored.barrier > mirrored.flat_min
    assert mirrored.sharp_min == pytest.approx(-land.sharp_min, abs=1e-9)
    np.testing.assert_array_equal(mirrored.classify([-2.0, 0.0, 0.95, 3.0]), ["flat", "flat", "sharp", "sharp"])
    with pytest.raises(ValueError, match="points"):
        land.classify(np.nan)
    with pytest.raises(ValueError, match="points"):
        land.classify("left")


def test_sgd_driver_runs_on_the_landscape(land):
    full = sc.sgd(land, np.array([-0.8]), 0.2, m=land.n, steps=400)
    assert land.classify(full.theta) == "sharp" and full.theta[0] == pytest.approx(land.sharp_min, abs=1e-6)
    full = sc.sgd(land, np.array([-0.3]), 0.2, m=land.n, steps=2000)
    assert land.classify(full.theta) == "flat" and full.theta[0] == pytest.approx(land.flat_min, abs=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="offsets"):
        SharpFlatLandscape(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="offsets"):
        SharpFlatLandscape([])
    with pytest.raises(ValueError, match="offsets"):
        SharpFlatLandscape([0.0, np.inf])
    with pytest.raises(ValueError, match="centers"):
        SharpFlatLandscape(OFFSETS, centers=(0.0, 1.0, 2.0))
    with pytest.raises(ValueError, match=r"widths\[0\]"):
        SharpFlatLandscape(OFFSETS, widths=(0.0, 0.8))
    with pytest.raises(ValueError, match="widths: the sharp well"):
        SharpFlatLandscape(OFFSETS, widths=(0.8, 0.15))
    with pytest.raises(ValueError, match=r"depths\[1\]"):
        SharpFlatLandscape(OFFSETS, depths=(0.5, -0.4))
    with pytest.raises(TypeError, match=r"depths\[0\]"):
        SharpFlatLandscape(OFFSETS, depths=("deep", 0.4))
    with pytest.raises(ValueError, match="confinement"):
        SharpFlatLandscape(OFFSETS, confinement=-0.1)
    with pytest.raises(ValueError, match="two minima"):
        SharpFlatLandscape(OFFSETS, centers=(0.0, 0.1))  # the wells merge into one
    with pytest.raises(ValueError, match="two minima"):
        SharpFlatLandscape(np.linspace(-1, 1, 50))  # offsets wider than the sharp well wash it out


# ---- equal depths, uncentred offsets and held-out losses ----------------------------------------


def test_equal_depths_makes_the_minima_equally_deep():
    from sgdcourse.landscapes import equal_depths

    land = equal_depths(OFFSETS)

    def depth(x):
        return float(land.loss(np.array([x])))

    assert abs(depth(land.sharp_min) - depth(land.flat_min)) < 1e-10
    assert land.depths[0] == 0.5 and land.depths[1] != 0.4  # the flat well was retuned
    assert land.curvature(land.sharp_min) > 3 * land.curvature(land.flat_min)
    default = SharpFlatLandscape(OFFSETS)
    assert depth(land.flat_min) != pytest.approx(float(default.loss(np.array([default.flat_min]))), abs=1e-4)


def test_equal_depths_names_the_parameter():
    from sgdcourse.landscapes import equal_depths

    with pytest.raises(ValueError, match="depth_sharp"):
        equal_depths(OFFSETS, depth_sharp=-1.0)


def test_uncentred_offsets_are_kept():
    shifted = SharpFlatLandscape([0.97, 0.99, 1.04], centers=(-1.0, 2.5), centred=False)
    assert np.allclose(shifted.X[:, 0], [0.97, 0.99, 1.04])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-0.25, 0.25), min_size=1, max_size=12), st.floats(-2, 2))
def test_loss_on_is_the_mean_over_those_offsets(land, held_out, x):
    expect = np.mean([land.profile(x - b) for b in held_out])
    assert land.loss_on(held_out, x) == pytest.approx(expect, rel=1e-12, abs=1e-12)
    assert land.loss_on(held_out, np.array([[x, x]])).shape == (1, 2)
