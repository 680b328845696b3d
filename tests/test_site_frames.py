"""website/frames.py: the grid is the live controls' own values (thinned only past the frame
budget, keeping both ends and the current value), each frame is the explorer's own picture
and readout for its point, and the explorer is left as it was. Marker website: the site
builder's code, without a built site (make test, not make unit)."""

import io
import json

import numpy as np
import pytest
from PIL import Image

import sgdcourse as sc
from sgdcourse.explorers.base import Explorer
from sgdcourse.explorers.player import StepPlayer
from sgdcourse.explorers.variance import BatchVarianceExplorer
from sgdcourse.explorers.worked import WorkedExampleExplorer
from website import frames

pytestmark = pytest.mark.website


@pytest.fixture(scope="module")
def worked():
    return WorkedExampleExplorer(rng=np.random.default_rng(0), steps=20, eta=0.1)


@pytest.fixture(scope="module")
def variance():
    rng = np.random.default_rng(1)
    return BatchVarianceExplorer(rng.standard_normal(30), rng=rng, draws=200, sizes=range(1, 7))


@pytest.fixture(scope="module")
def player():
    rng = np.random.default_rng(2)
    X, y, _ = sc.make_logistic(40, 2, rng, w=np.array([2.0, -1.0]))
    model = sc.Logistic(X, y)
    tr = sc.sgd(model, np.array([-2.0, 2.0]), 0.5, m=1, steps=30, rng=rng)
    return StepPlayer(model.loss, tr.thetas, (-3, 4), (-3, 3), losses=tr.losses, t=5)


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_grid_is_every_slider_value(worked):
    values, labels, current = frames.grid(worked, max_frames=10_000)["eta"]  # 201 values: every one
    slider = worked.controls["eta"]
    assert len(values) == round((slider.max - slider.min) / slider.step) + 1
    log = hasattr(slider, "base")  # a FloatLogSlider steps in the exponent
    lo, hi = (slider.base**slider.min, slider.base**slider.max) if log else (slider.min, slider.max)
    assert values[0] == pytest.approx(lo) and values[-1] == pytest.approx(hi)
    steps = np.diff(np.log(values) / np.log(slider.base)) if log else np.diff(values)
    np.testing.assert_allclose(steps, slider.step, rtol=1e-6)
    assert (
        values[current] == pytest.approx(slider.value) and labels[current] == f"{slider.value:{slider.readout_format}}"
    )


def test_grid_of_a_checkbox_and_an_int_slider(variance):
    g = frames.grid(variance)
    assert g["m"][0] == list(range(1, 7)) and g["replace"][0] == [False, True]
    assert g["m"][0][g["m"][2]] == variance.controls["m"].value
    assert g["replace"][0][g["replace"][2]] is variance.controls["replace"].value


def test_grid_thins_each_control_to_a_fair_share_of_the_budget(player):
    full = frames.grid(player, max_frames=10_000)
    assert len(full["t"][0]) == 31 and len(full["zoom"][0]) == 9
    np.testing.assert_allclose(full["zoom"][0], 2.0 ** np.arange(0, 4.5, 0.5))
    g = frames.grid(player, max_frames=100)  # zoom's 9 fit its share 10: all kept; t gets 100 // 9 = 11
    assert g["zoom"][0] == full["zoom"][0] and len(g["t"][0]) == 11
    g = frames.grid(player, max_frames=40)  # shares of 6 each: neither control keeps everything
    assert len(g["t"][0]) == len(g["zoom"][0]) == 6
    assert g["t"][0][0] == 0 and g["t"][0][-1] == 30 and 5 in g["t"][0] and g["t"][0][g["t"][2]] == 5
    assert g["zoom"][0][0] == 1 and g["zoom"][0][-1] == 16
    g = frames.grid(player, max_frames=4)  # never fewer than MIN_VALUES of a control
    assert len(g["t"][0]) == len(g["zoom"][0]) == frames.MIN_VALUES


def test_grid_rejects_bad_input(worked):
    with pytest.raises(TypeError, match="explorer"):
        frames.grid(object())
    with pytest.raises(ValueError, match="max_frames"):
        frames.grid(worked, max_frames=0)


def test_encode_keeps_the_picture(worked):
    png = worked.shown_png
    a, b = pixels(png), pixels(frames.encode(png))
    assert a.shape == b.shape and np.abs(a - b).mean() < 2.0
    other = pixels(frames.encode(worked.set(eta=0.9).shown_png))
    assert np.abs(other - b).mean() > 5 * np.abs(a - b).mean()  # a different frame is told apart
    worked.set(eta=0.1)
    assert frames.encode(png) == frames.encode(png)  # deterministic


def test_render_writes_the_explorers_own_frames_and_restores_it(variance, tmp_path):
    variance.set(m=3, replace=False)
    before = variance.image.value
    manifest = frames.render(variance, tmp_path)
    assert variance.values() == {"m": 3, "replace": False} and variance.image.value == before
    names = [c["name"] for c in manifest["controls"]]
    assert names == ["m", "replace"] and len(manifest["texts"]) == 12 == len(list(tmp_path.glob("*.png")))
    for m, replace in ((1, True), (6, False), (4, True)):
        k = (m - 1) * 2 + int(replace)  # row-major, first control slowest
        variance.set(m=m, replace=replace)
        assert manifest["texts"][k] == variance.text
        assert (tmp_path / f"{k:04d}.png").read_bytes() == frames.encode(variance.shown_png)
    json.dumps(manifest)  # the page embeds it


def test_an_explorer_is_found_by_its_widgets_model_id(worked):
    """Explorers register themselves (a weak registry: no heap scan, nothing kept alive)."""
    assert Explorer.shown_as(worked.widget.model_id) is worked
    with pytest.raises(LookupError, match="nope"):
        Explorer.shown_as("nope")
