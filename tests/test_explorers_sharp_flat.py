"""SharpFlatExplorer and the library's runs behind it (sgdcourse.landscapes.sgd_runs): one step's noise
has the variance Var_i f' / m, the runs are the SGD driver's batch for batch, the shares in each basin
agree with lesson 07's experiment (tests/claims/test_lesson07.py states its claims), and the image
states the control values it shows."""

import warnings

import numpy as np
import pytest

import sgdcourse as sc
from helpers import sharp_flat, sharp_flat_landscape, stamp_pixels
from sgdcourse.explorers import SharpFlatExplorer
from sgdcourse.landscapes import sgd_runs
from sgdcourse.minibatch import batch_indices


@pytest.fixture(scope="module")
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return sharp_flat(np.random.default_rng(3), runs=60, steps=600, step=100)


def test_a_batch_of_all_n_without_replacement_is_full_batch_descent():
    # Lesson 07's held-out runs take m = N without replacement as the full batch: every step then uses every
    # example once, so each run follows theta <- theta - eta L'(theta) to rounding. Breaks: replace=True (a batch
    # of N draws repeats some examples and misses others).
    land, eta, steps = sharp_flat_landscape(), 0.2, 50
    starts = np.linspace(land.sharp_min, land.flat_min, 7)
    ends, _ = sgd_runs(land, starts, eta, [1, land.n], steps, np.random.default_rng(0), replace=False, record=[steps])
    theta = starts.copy()
    for _ in range(steps):
        theta = theta - eta * land.profile_slope(theta[:, None] - land.X[None, :, 0]).mean(axis=1)
    assert np.allclose(ends[1, 0], theta, rtol=0, atol=1e-10)
    assert not np.allclose(ends[0, 0], theta, rtol=0, atol=1e-3)  # m = 1 is noisy: the comparison can tell


@pytest.mark.parametrize("replace", [True, False])
def test_one_steps_spread_is_the_per_example_spread_over_m(replace):
    # From one point, a step moves theta by -eta g_hat: over R runs Var(theta_1) = eta^2 Var_i f'(theta - a_i) / m,
    # times (N - m) / (N - 1) without replacement. 40000 runs: within 5 standard errors (sd of a variance
    # estimate ~ sqrt(2 / R) relative, about 0.7 %; 4 % allowed). Breaks: the 1/m of the noise dropped.
    land, eta, runs = sharp_flat_landscape(), 0.2, 40000
    for x in (land.sharp_min, -0.7, land.flat_min):
        s2 = land.per_example_grads(np.array([x]))[:, 0].var()
        sizes = [1, 4, 16]
        pos, _ = sgd_runs(land, np.full(runs, x), eta, sizes, 1, np.random.default_rng(7), replace=replace)
        for k, m in enumerate(sizes):
            factor = 1.0 if replace else (land.n - m) / (land.n - 1)
            assert abs(pos[k, 1].var() / (eta**2 * s2 / m * factor) - 1) < 0.04, (x, m)
            assert abs(pos[k, 1].mean() - (x - eta * land.grad(np.array([x]))[0])) < 5 * eta * np.sqrt(s2 / m / runs)


@pytest.mark.parametrize("replace", [True, False])
def test_runs_are_the_sgd_driver_on_the_explorers_batches(replace):
    ex = sharp_flat(np.random.default_rng(1), runs=6, steps=200, step=100, m_max=4, replace=replace)
    rng = np.random.default_rng(ex.seed)
    draws = [batch_indices(ex.land.n, 4, ex.n_runs, rng, replace) for _ in range(ex.steps)]
    for m in (1, 4):
        for k in (0, 5):
            run = sc.sgd(ex.land, ex.starts[k : k + 1], ex.eta, batches=[idx[k, :m] for idx in draws])
            for t in (0, 100, 200):
                assert abs(ex.positions(m, t)[k] - run.thetas[t, 0]) < 1e-10
            sides = ex.land.classify(run.thetas[:, 0])
            assert ex.sharp_share[m][200] == np.mean(ex.land.classify(ex.positions(m, 200)) == "sharp")
            assert sides[-1] == ex.land.classify(ex.positions(m, 200)[k])
        ex.set(m=m, step=200)
        np.testing.assert_array_equal(ex.on_curve.get_offsets()[:, 0], ex.positions(m, 200))


def test_the_share_curve_counts_the_runs_at_every_mark(explorer):
    for m in explorer.sizes:
        for t in explorer.marks:
            sharp, flat = explorer.counts(m, t)
            assert sharp + flat == explorer.n_runs
            assert explorer.sharp_share[m][t] == sharp / explorer.n_runs
    explorer.set(m=2, step=300)
    sharp, flat = explorer.counts(2, 300)
    assert f"{sharp} of {explorer.n_runs} runs in the sharp basin, {flat} in the flat one" in explorer.text
    assert explorer.sharp_text.get_text().endswith(f"{sharp} runs ({sharp / explorer.n_runs:.0%})")
    np.testing.assert_array_equal(explorer.share_line.get_ydata(), explorer.sharp_share[2])


def test_every_batch_size_has_its_own_labelled_curve(explorer):
    """The grey curves of the other m differ by line style and name their m; the step line is in the legend."""
    curves = {line.get_label(): line for line in explorer.ax_share.get_lines() if line.get_label().startswith("m = ")}
    assert sorted(curves) == sorted(f"m = {m}" for m in explorer.sizes)
    for m in explorer.sizes:
        np.testing.assert_array_equal(curves[f"m = {m}"].get_ydata(), explorer.sharp_share[m])
    dashes = {str(line._dash_pattern) for line in curves.values()}  # (offset, on-off pattern) as drawn
    assert len(dashes) == len(curves)
    legend = [text.get_text() for text in explorer.ax_share.get_legend().get_texts()]
    assert "step t" in legend and explorer.now_line.get_label() == "step t"
    assert explorer.ax_land.get_ylabel() and len(explorer.ax_land.get_yticks()) >= 2


@pytest.mark.parametrize("seed", range(3))
def test_shares_agree_with_the_lessons_experiment(seed):
    # Lesson 07, "The experiment": 200 runs from starts uniform between the minima, 600 steps of eta = 0.2.
    # Full batch keeps every start's basin; with m = 1 every run ends flat, with m = 4 between 20 % and 80 %
    # of the sharp-side starts escape (its claims), and with m = 16 almost nothing changes (the lesson:
    # 54 of 56 stay; here at least 85 %). Breaks: the 1/m of the noise dropped (m = 16 escapes like m = 1).
    ex = SharpFlatExplorer(sharp_flat_landscape(), np.random.default_rng(seed), runs=200, steps=600, step=600)
    began = np.sum(ex.land.classify(ex.starts) == "sharp")
    assert 30 < began < 85  # about 28 % of the way from the sharp minimum to the flat one is the barrier
    stayed = {m: ex.counts(m, 600)[0] / began for m in ex.sizes}
    assert stayed[1] == 0
    assert 0.2 <= 1 - stayed[4] <= 0.8
    assert stayed[16] >= 0.85
    assert stayed[1] <= stayed[2] <= stayed[4] <= stayed[8] <= stayed[16]


@pytest.mark.parametrize("seed", range(2))
def test_escape_from_the_sharp_minimum_is_a_rate(seed):
    # Lesson 07's escape table, runs started at the sharp minimum: m = 1 leaves within 100 steps, m = 4 about
    # half by step 600 (its claim: 0.3 to 0.7) and most by step 2000 (0.135 in the lesson), m = 16 not at all.
    ex = SharpFlatExplorer(
        sharp_flat_landscape(), np.random.default_rng(seed), runs=150, steps=2000, step=600, start="sharp"
    )
    share = {m: ex.sharp_share[m] for m in ex.sizes}
    assert share[1][0] == share[16][0] == 1.0
    assert share[1][100] <= 0.05
    assert 0.75 <= share[4][100] and 0.3 <= share[4][600] <= 0.7 and share[4][2000] <= 0.3
    assert share[16].min() == 1.0


def test_the_image_states_its_control_values(explorer):
    explorer.set(m=4, step=300)
    assert explorer.stamp.get_text() == "m = 4,  t = 300 steps,  η = 0.2"
    assert explorer.text.startswith("m = 4, t = 300, eta = 0.2:")
    assert explorer.stamp in explorer.dynamic and explorer.stamp.get_visible()

    at_300 = stamp_pixels(explorer)
    assert at_300.min() < 80  # dark text drawn there
    explorer.set(m=16, step=20)
    assert explorer.stamp.get_text() == "m = 16,  t = 20 steps,  η = 0.2"
    at_20 = stamp_pixels(explorer)
    assert at_300.shape != at_20.shape or (at_300 != at_20).any()


def test_bad_arguments_name_the_parameter():
    land, rng = sharp_flat_landscape(), np.random.default_rng(0)
    with pytest.raises(TypeError, match="landscape"):
        SharpFlatExplorer(sc.QuadraticBowl(curvatures=[1.0]), rng)
    with pytest.raises(ValueError, match="m must be one of"):
        SharpFlatExplorer(land, rng, m=3, steps=50, step=50)
    with pytest.raises(ValueError, match="step must be one of"):
        SharpFlatExplorer(land, rng, steps=50, step=30)
    with pytest.raises(ValueError, match="start"):
        SharpFlatExplorer(land, rng, steps=50, step=50, start="flat")
    with pytest.raises(ValueError, match="eta"):
        SharpFlatExplorer(land, rng, eta=0, steps=50, step=50)
    with pytest.raises(TypeError, match="rng"):
        SharpFlatExplorer(land, 0)
    with pytest.raises(ValueError, match="eta = 500 is too large"):
        sgd_runs(land, np.zeros(3), 500, [1], 300, rng)
    with pytest.raises(ValueError, match="record"):
        sgd_runs(land, np.zeros(3), 0.2, [1], 50, rng, record=[60])
    with pytest.raises(ValueError, match="sizes"):
        sgd_runs(land, np.zeros(3), 0.2, [0], 50, rng)
    with pytest.raises(ValueError, match="starts"):
        sgd_runs(land, [np.nan], 0.2, [1], 50, rng)


def test_basins_are_named_in_palette_colours_and_the_view_says_what_it_shows(explorer):
    """Issue 23 item 4: the two basins' counts are written out (not told by colour alone) in two
    different Okabe-Ito colours, the other coloured artists are Okabe-Ito colours too, and `shows` is
    the explorer's own. Breaks: the basins back in matplotlib's red "C3" and green "C2", or no
    `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse.explorers.base import Explorer

    palette = {c.lower() for c in sc.plots.PALETTE.values()}
    sharp, flat = explorer.sharp_text, explorer.flat_text
    assert sharp.get_text().startswith("sharp basin") and flat.get_text().startswith("flat basin")
    assert to_hex(sharp.get_color()) != to_hex(flat.get_color())
    artists = (sharp, flat, explorer.share_line, explorer.now_line, explorer.now_dot)
    for artist in artists:
        assert to_hex(artist.get_color()) in palette, artist
    assert to_hex(explorer.on_curve.get_facecolor()[0]) in palette
    assert SharpFlatExplorer.shows != Explorer.shows and explorer.alt.startswith(SharpFlatExplorer.shows)
