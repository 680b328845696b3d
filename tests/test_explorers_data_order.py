"""DataOrderExplorer: the pictures follow a forward pass written out here, the ordered run follows
the update rule over the sorted batches, and the marker, batch marks and readout follow the sliders."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from helpers import stamp_pixels
from sgdcourse import make_moons
from sgdcourse.explorers import DataOrderExplorer
from sgdcourse.explorers.data_order import DOTS, WASHED, PixelMap

EPOCHS, M, ETA = 4, 10, 0.5


@pytest.fixture(scope="module")
def data():
    return make_moons(120, np.random.default_rng(3), noise=0.15)


@pytest.fixture
def explorer(data):
    return DataOrderExplorer(*data, rng=np.random.default_rng(1), eta=ETA, m=M, epochs=EPOCHS, grid=20)


def forward(theta, points, hidden=16):
    """p(x) for a 2 -> hidden -> 1 tanh network, theta = (W1 row-major, b1, W2, b2)."""
    W1 = theta[: 2 * hidden].reshape(hidden, 2)
    b1 = theta[2 * hidden : 3 * hidden]
    W2, b2 = theta[3 * hidden : 4 * hidden], theta[4 * hidden]
    z = np.tanh(points @ W1.T + b1) @ W2 + b2
    return 1 / (1 + np.exp(-z))


def ordered_reference(explorer):
    """theta_t of the ordered run from the update rule: batches X[k m : (k + 1) m] in sorted order."""
    model, theta = explorer.model, explorer.theta0
    thetas = [theta]
    for _ in range(EPOCHS):
        for k in range(0, model.n, M):
            theta = theta - ETA * model.grad(theta, np.arange(k, min(k + M, model.n)))
            thetas.append(theta)
    return np.array(thetas)


def bilinear(values, u, v):
    """values (rows y, columns x) at the point u of the columns' and v of the rows' lattice span, in [0, 1]."""
    rows, cols = values.shape
    u, v = u * (cols - 1), v * (rows - 1)
    j, i = min(int(u), cols - 2), min(int(v), rows - 2)
    a, b = u - j, v - i
    return (1 - b) * ((1 - a) * values[i, j] + a * values[i, j + 1]) + b * (
        (1 - a) * values[i + 1, j] + a * values[i + 1, j + 1]
    )


@pytest.mark.parametrize("shape, dpi", [((5, 7), 50), ((2, 2), 40), ((20, 3), 72)])
def test_pixel_map_colours_each_pixel_by_the_bilinear_value_at_its_centre(shape, dpi):
    fig = Figure(figsize=(3, 2), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes([0.13, 0.21, 0.7, 0.6])
    ax.set_axis_off()  # nothing else is drawn in the axes
    values = np.random.default_rng(7).random(shape)
    PixelMap(ax, values, WASHED)
    canvas.draw()
    picture = np.asarray(canvas.buffer_rgba())  # rows from the top of the figure
    x0, y0, x1, y1 = np.round(ax.bbox.extents).astype(int)
    height = picture.shape[0]
    for y in range(y0, y1):  # y: pixels from the bottom
        for x in range(x0, x1):
            p = bilinear(values, (x - x0 + 0.5) / (x1 - x0), (y - y0 + 0.5) / (y1 - y0))
            expected = np.round(np.array(WASHED(p)) * 255)
            assert np.array_equal(picture[height - 1 - y, x], expected), (x, y)
    outside = np.ones(picture.shape[:2], bool)
    outside[height - y1 : height - y0, x0:x1] = False
    assert (picture[outside] == 255).all()  # white figure background, untouched


def test_data_are_sorted_and_ordered_batches_hold_one_class(explorer, data):
    assert np.all(np.diff(explorer.y) >= 0) and explorer.y.sum() == data[1].sum()
    assert all(len(np.unique(explorer.y[B])) == 1 for B in explorer.runs["ordered"].batches)
    assert sum(len(np.unique(explorer.y[B])) == 2 for B in explorer.runs["shuffled"].batches) > EPOCHS


@pytest.mark.parametrize("epoch, batch", [(0, 0), (0, 3), (1, 6), (3, 12), (2, 7)])
def test_pictures_follow_the_forward_pass_of_theta_t(explorer, epoch, batch):
    explorer.set(epoch=epoch, batch=batch)
    t = epoch * 12 + batch  # ceil(120 / 10) = 12 steps per epoch
    ref = ordered_reference(explorer)
    np.testing.assert_allclose(explorer.runs["ordered"].thetas, ref, rtol=1e-10, atol=1e-12)
    for name in ("ordered", "shuffled"):
        theta = ref[t] if name == "ordered" else explorer.runs[name].thetas[t]
        np.testing.assert_allclose(explorer.maps[name].ravel(), forward(theta, explorer.points), rtol=1e-10)
        assert explorer.images[name].values is explorer.maps[name]  # what the map draws
    np.testing.assert_allclose(explorer.marker.get_xdata(), [t / 12, t / 12])
    marks = explorer.batch_marks["ordered"].get_xydata()
    if t == 0:
        assert len(marks) == 0
    else:
        k = (t - 1) % 12  # position of B_{t-1} inside its epoch
        np.testing.assert_allclose(marks, explorer.X[k * M : (k + 1) * M])


def test_readout_reports_loss_accuracy_and_class_of_the_batch(explorer):
    explorer.set(epoch=2, batch=6)  # B_{t-1} is the 6th batch: rows 50..59, class 0
    run = explorer.runs["ordered"]
    t = 2 * 12 + 6
    acc = np.mean((forward(run.thetas[t], explorer.X) >= 0.5) == explorer.y)
    assert f"ordered: loss {run.losses[t]:.3f}, accuracy {acc:.1%}, last batch class 0" in explorer.text
    explorer.set(epoch=2, batch=7)  # rows 60..69: class 1
    assert explorer.text.endswith("last batch class 1")
    assert explorer.text == explorer.update(epoch=2, batch=7)  # deterministic


def test_full_gradient_is_the_mean_of_the_two_class_gradients(explorer):
    # lesson 08, section 6: with balanced classes, grad L = (grad L_0 + grad L_1) / 2 at every iterate
    model = explorer.model
    idx0, idx1 = np.flatnonzero(model.y == 0), np.flatnonzero(model.y == 1)
    assert len(idx0) == len(idx1)
    for theta in explorer.runs["ordered"].thetas[:: 2 * 12]:
        half_sum = (model.grad(theta, idx0) + model.grad(theta, idx1)) / 2
        np.testing.assert_allclose(model.grad(theta), half_sum, rtol=1e-10, atol=1e-14)


def test_the_image_states_its_control_values(explorer):
    explorer.set(epoch=2, batch=6)
    assert explorer.stamp.get_text() == "epoch = 2,  batch = 6:  step t = 30"  # 2 * 12 + 6
    assert explorer.stamp in explorer.dynamic and explorer.stamp.get_visible()
    before = stamp_pixels(explorer)
    assert before.min() < 80  # dark text drawn there
    explorer.set(epoch=3, batch=11)
    assert explorer.stamp.get_text() == "epoch = 3,  batch = 11:  step t = 47"
    after = stamp_pixels(explorer)
    assert before.shape != after.shape or (before != after).any()


def test_artists_are_reused_and_the_image_changes(explorer):
    fig, image, marker = explorer.fig, explorer.images["ordered"], explorer.marker
    before = explorer.image.value
    explorer.controls["batch"].value = 3
    assert explorer.fig is fig and explorer.images["ordered"] is image and explorer.marker is marker
    assert explorer.image.value != before
    assert len(fig.axes) == 3


def test_same_rng_seed_same_runs(data):
    a = DataOrderExplorer(*data, rng=np.random.default_rng(5), m=M, epochs=2, grid=10)
    b = DataOrderExplorer(*data, rng=np.random.default_rng(5), m=M, epochs=2, grid=10)
    np.testing.assert_array_equal(a.runs["shuffled"].thetas, b.runs["shuffled"].thetas)
    assert repr(a) == repr(b)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(X=np.ones((5, 3))), "X"),
        (dict(y=np.ones(4)), "y"),
        (dict(rng=None), "rng"),
        (dict(eta=0), "eta"),
        (dict(m=121), "m"),
        (dict(epochs=0), "epochs"),
        (dict(grid=1), "grid"),
        (dict(hidden=16), "hidden"),
    ],
)
def test_bad_arguments_are_named(data, kwargs, name):
    args = dict(X=data[0], y=data[1], rng=np.random.default_rng(0), epochs=1, grid=5)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=name):
        DataOrderExplorer(**args)


def grey(rgb):
    """Luma (ITU-R 601) of RGB values in [0, 1]: what a grey-scale print shows."""
    return np.asarray(rgb)[..., :3] @ np.array([0.299, 0.587, 0.114])


def test_map_reads_in_grey_scale_and_the_dots_stand_out():
    """The map's grey rises strictly with p, so p = 0 and p = 1 differ in grey scale too (RdBu_r, dark
    at both ends, fails), and in grey a dot's face differs by at least 0.3 from its own class's region and
    its edge from the other class's region (where a misclassified dot lies)."""
    shades = grey(WASHED(np.linspace(0, 1, WASHED.N)))
    assert np.all(np.diff(shades) > 0)
    assert shades[-1] - shades[0] > 0.2
    for k in (0, 1):
        assert abs(grey(to_rgb(DOTS[k]["color"])) - grey(WASHED(float(k)))) > 0.3, k
        assert abs(grey(to_rgb(DOTS[k]["mec"])) - grey(WASHED(float(1 - k)))) > 0.3, k
    assert DOTS[0]["marker"] != DOTS[1]["marker"]  # shape tells the classes apart, not colour alone


def test_runs_differ_by_marker_in_palette_colours_and_own_shows(explorer):
    """Issue 23 item 4: the shuffled and ordered loss curves differ in marker, not only colour; the
    batch rings and the shuffled curve are Okabe-Ito colours; `shows` is the explorer's own. Breaks:
    the rings back in matplotlib's red "C3", both curves with one marker, or no `shows` of its own."""
    from matplotlib.colors import to_hex

    from sgdcourse import plots
    from sgdcourse.explorers.base import Explorer

    palette = {c.lower() for c in plots.PALETTE.values()} | {"#000000"}
    curves = {line.get_label(): line for line in explorer.fig.axes[2].get_lines() if line.get_label() in explorer.runs}
    assert sorted(curves) == ["ordered", "shuffled"]
    assert curves["shuffled"].get_marker() != curves["ordered"].get_marker()
    for artist in (*curves.values(), *explorer.batch_marks.values()):
        colour = artist.get_markeredgecolor() if artist in explorer.batch_marks.values() else artist.get_color()
        assert to_hex(colour) in palette, artist.get_label()
    assert DataOrderExplorer.shows != Explorer.shows and explorer.alt.startswith(DataOrderExplorer.shows)
