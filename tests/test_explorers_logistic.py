"""LogisticTrainingExplorer: the sliders and the budget toggle rerun mini-batch SGD, and the drawn
curve, boundary, stamp and readout follow an independent reimplementation of
g_hat = (1/m) sum_B (p_i - y_i) x_i, for EPOCHS passes or STEPS steps."""

import numpy as np
import pytest

import sgdcourse as sc
from sgdcourse.explorers import LogisticTrainingExplorer
from sgdcourse.explorers.logistic import boundary_segment

EPOCHS, STEPS = 3, 40


@pytest.fixture(scope="module")
def data():
    X, y, _ = sc.make_logistic(120, 2, np.random.default_rng(7), w=np.array([1.5, -1.0, 0.3]), intercept=True)
    return X, y


@pytest.fixture
def explorer(data):
    return LogisticTrainingExplorer(*data, rng=np.random.default_rng(1), epochs=EPOCHS, steps=STEPS)


def reference_run(X, y, eta, m, seed, steps=None):
    """Plain-numpy mini-batch SGD on the cross-entropy, written from the formulas (not the library):
    the same shuffled batches (a fresh permutation per pass, the last batch of a pass shorter),
    w <- w - eta (1/|B|) sum_{i in B} (p_i - y_i) x_i, loss after each step; EPOCHS passes, or
    `steps` steps when given."""
    n, rng = len(y), np.random.default_rng(seed)
    w, ws, seen = np.zeros(3), [np.zeros(3)], [0]
    while len(ws) - 1 < (steps or EPOCHS * -(-n // m)):
        order = rng.permutation(n) if m < n else np.arange(n)
        for k in range(0, n, m):
            if steps is not None and len(ws) - 1 == steps:
                break
            B = order[k : k + m]
            p = 1 / (1 + np.exp(-X[B] @ w))
            w = w - eta * ((p - y[B])[:, None] * X[B]).sum(axis=0) / len(B)
            ws.append(w), seen.append(seen[-1] + len(B))
    ws = np.array(ws)
    p_all = 1 / (1 + np.exp(-X @ ws.T))  # (N, T+1)
    losses = np.mean(-y[:, None] * np.log(p_all) - (1 - y[:, None]) * np.log(1 - p_all), axis=0)
    return ws, losses, np.array(seen) / n


@pytest.mark.parametrize("eta, m", [(0.3, 8), (1.0, 1), (3.0, 120), (0.1, 16)])
def test_loss_curve_follows_the_update_rule(explorer, data, eta, m):
    explorer.set(eta=eta, m=m)
    ws, losses, epochs = reference_run(*data, eta, m, explorer.seed)
    x, curve = explorer.curve.get_data()
    np.testing.assert_allclose(x, epochs)
    np.testing.assert_allclose(curve, losses, rtol=1e-9)
    assert x[-1] == pytest.approx(EPOCHS) and len(curve) == EPOCHS * -(-len(data[1]) // m) + 1


@pytest.mark.parametrize("eta, m", [(0.3, 8), (1.0, 1), (3.0, 120), (0.1, 16), (0.3, 64)])
def test_equal_steps_runs_the_same_number_of_steps_for_every_m(explorer, data, eta, m):
    explorer.set(eta=eta, m=m, equal_epochs=False)
    ws, losses, epochs = reference_run(*data, eta, m, explorer.seed, steps=STEPS)
    x, curve = explorer.curve.get_data()
    np.testing.assert_array_equal(x, np.arange(STEPS + 1))  # against the step t, not the epochs
    np.testing.assert_allclose(curve, losses, rtol=1e-9)
    assert explorer.ax_loss.get_xlim() == (0, STEPS) and explorer.ax_loss.get_xlabel() == "step t"
    told = f"equal steps: {STEPS} steps ({epochs[-1]:.3g} epochs)"
    assert explorer.text.startswith(f"{told}, final loss {losses[-1]:.4f}")


def test_the_toggle_switches_budget_axis_and_stamp_and_back(explorer, data):
    explorer.set(eta=1.0, m=4, equal_epochs=True)
    image, steps_per_pass = explorer.image.value, -(-len(data[1]) // 4)
    assert explorer.ax_loss.get_xlim() == (0, EPOCHS) and explorer.ax_loss.get_xlabel().startswith("epochs")
    assert (
        explorer.stamp.get_text() == f"η = 1,  m = 4,  equal epochs: {EPOCHS * steps_per_pass} steps ({EPOCHS} epochs)"
    )
    explorer.set(equal_epochs=False)
    assert (
        explorer.stamp.get_text()
        == f"η = 1,  m = 4,  equal steps: {STEPS} steps ({STEPS * 4 / len(data[1]):.3g} epochs)"
    )
    assert explorer.image.value != image
    explorer.set(equal_epochs=True)  # the cached picture of each budget is reused
    assert explorer.image.value == image


def test_the_stamp_shows_the_control_values_in_the_image(explorer):
    explorer.set(eta=0.3, m=8, equal_epochs=True)
    before = explorer.png()
    explorer.stamp.set_text("")
    assert explorer.png() != before  # the stamp is drawn into the picture, not only the readout
    explorer.set(eta=3.0, m=32)
    assert explorer.stamp.get_text().startswith("η = 3,  m = 32,  equal epochs")
    assert explorer.stamp in explorer.dynamic


def test_boundary_is_the_line_of_the_final_weights(explorer, data):
    explorer.set(eta=1.0, m=4)
    w = reference_run(*data, 1.0, 4, explorer.seed)[0][-1]
    pts = np.column_stack(explorer.boundary.get_data())  # two points on the drawn line
    assert pts.shape == (2, 2)
    np.testing.assert_allclose(pts @ w[:2] + w[2], 0, atol=1e-9 * np.linalg.norm(w) * explorer.reach)
    assert np.linalg.norm(pts[1] - pts[0]) > 10  # spans the whole panel


def test_readout_reports_final_loss_and_accuracy(explorer, data):
    X, y = data
    explorer.set(eta=0.3, m=2)
    ws, losses, _ = reference_run(X, y, 0.3, 2, explorer.seed)
    accuracy = np.mean((X @ ws[-1] >= 0) == (y == 1))
    steps = EPOCHS * len(y) // 2
    assert explorer.text == (
        f"equal epochs: {steps} steps ({EPOCHS} epochs), final loss {losses[-1]:.4f} "
        f"(min {explorer.loss_star:.4f}), training accuracy {accuracy:.1%}"
    )


def test_minimiser_is_a_stationary_point(explorer):
    assert np.linalg.norm(explorer.model.grad(explorer.w_star)) < 1e-8
    assert explorer.loss_star < explorer.model.loss(np.zeros(3)) == pytest.approx(np.log(2))


def test_same_values_same_picture_and_artists_are_reused(explorer):
    fig, curve, boundary = explorer.fig, explorer.curve, explorer.boundary
    explorer.set(eta=0.3, m=8)
    first, image = explorer.curve.get_ydata().copy(), explorer.image.value
    explorer.controls["m"].value = 32
    assert explorer.image.value != image
    assert not np.array_equal(explorer.curve.get_ydata()[-1], first[-1])
    explorer.controls["m"].value = 8
    np.testing.assert_array_equal(explorer.curve.get_ydata(), first)
    assert explorer.image.value == image
    assert explorer.fig is fig and explorer.curve is curve and explorer.boundary is boundary
    assert len(explorer.fig.axes) == 2 and len(explorer.ax_loss.lines) == 2


def test_default_batch_sizes_and_notebook_output(explorer, data):
    assert explorer.controls["m"].options == (1, 2, 4, 8, 16, 32, 64, 120)
    bundle, metadata = explorer._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(bundle)
    assert bundle["text/plain"] == f"LogisticTrainingExplorer(eta=0.3, m=8, equal_epochs=True): {explorer.text}"
    assert explorer.controls["equal_epochs"].description == "equal epochs (off: equal steps)"
    built = LogisticTrainingExplorer(*data, rng=np.random.default_rng(1), epochs=EPOCHS, steps=STEPS, budget="steps")
    assert built.controls["equal_epochs"].value is False and built.text.startswith(f"equal steps: {STEPS} steps")


def test_boundary_segment():
    seg = boundary_segment(np.array([0.0, 2.0, -1.0]), 5.0)  # the horizontal line x2 = 1/2
    np.testing.assert_allclose(seg[:, 1], 0.5)
    np.testing.assert_allclose(np.sort(seg[:, 0]), [-5, 5])
    assert boundary_segment(np.array([0.0, 0.0, 1.0]), 5.0) is None


def test_bad_arguments(data):
    X, y = data
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="epochs"):
        LogisticTrainingExplorer(X, y, rng=rng, epochs=0)
    with pytest.raises(TypeError, match="rng"):
        LogisticTrainingExplorer(X, y, rng=0)
    with pytest.raises(ValueError, match="X"):
        LogisticTrainingExplorer(X[:, :2], y, rng=rng)  # no intercept column
    with pytest.raises(ValueError, match="X"):
        LogisticTrainingExplorer(X * 2, y, rng=rng)  # last column not ones
    with pytest.raises(ValueError, match="y"):
        LogisticTrainingExplorer(X, y + 1, rng=rng)
    with pytest.raises(ValueError, match="eta"):
        LogisticTrainingExplorer(X, y, rng=rng, eta=0.5)
    with pytest.raises(ValueError, match="m must"):
        LogisticTrainingExplorer(X, y, rng=rng, m=7)
    with pytest.raises(ValueError, match="batch_sizes"):
        LogisticTrainingExplorer(X, y, rng=rng, batch_sizes=(1, 500))
    with pytest.raises(ValueError, match="etas"):
        LogisticTrainingExplorer(X, y, rng=rng, etas=(0.3, -1.0))
    with pytest.raises(ValueError, match="steps"):
        LogisticTrainingExplorer(X, y, rng=rng, steps=0)
    with pytest.raises(ValueError, match="budget"):
        LogisticTrainingExplorer(X, y, rng=rng, budget="examples")


def test_the_classes_differ_by_marker_shape_not_colour_alone(explorer, data):
    explorer.render()
    dots = explorer.ax_data.collections  # one scatter per class
    assert [d.get_label() for d in dots] == ["y = 0", "y = 1"]
    paths = [d.get_paths()[0].vertices for d in dots]
    assert paths[0].shape != paths[1].shape or not np.allclose(paths[0], paths[1])
    assert len(dots[1].get_offsets()) == int(data[1].sum())


def test_palette_colours_classes_told_apart_by_shape_and_own_shows(explorer):
    """Issue 23 item 4: the loss curve, the boundary and the two classes are Okabe-Ito colours, the
    classes also differ in marker shape, and `shows` is the explorer's own. Breaks: a class or the
    curve back in matplotlib's "C1"/"C3", both classes drawn as circles, or no `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse.explorers.base import Explorer

    palette = {c.lower() for c in sc.plots.PALETTE.values()}
    assert to_hex(explorer.curve.get_color()) in palette and to_hex(explorer.boundary.get_color()) in palette
    classes = [c for c in explorer.ax_data.collections if c.get_label() in ("y = 0", "y = 1")]
    assert len(classes) == 2
    assert all(to_hex(c.get_facecolor()[0]) in palette for c in classes)
    paths = [c.get_paths()[0].vertices.round(6).tobytes() for c in classes]  # the marker shapes
    assert paths[0] != paths[1]
    assert LogisticTrainingExplorer.shows != Explorer.shows and explorer.alt.startswith(LogisticTrainingExplorer.shows)
