"""DataOrderExplorer: the same network trained on class-sorted data, with shuffled and with ordered batches.

The data are sorted so that every example of class 0 comes before every example of class 1.
Two runs of `sgd` start from the same theta_0 with the same eta, m and number of epochs:
    shuffled:  sampling="shuffle", a fresh permutation each epoch (batches mix the classes);
    ordered:   sampling="ordered", the batches in the sorted order (each holds a single class
               when m divides the size of class 0).
Both runs are computed once. The sliders pick the iterate theta_t with t = epoch * S + batch,
S = ceil(N / m) steps per epoch, and the panels show, for each run, the probability
p(x) = sigma(z(x; theta_t)) over the plane with the examples and the batch B_{t-1} that produced
theta_t; the right panel shows both training-loss curves L(theta_t) and a marker at t.

p is computed on a grid x grid lattice spanning the axes (`maps`) and drawn by `PixelMap` at the
axes' own pixel size (bilinear between the four lattice points around each pixel centre, then a
colour lookup): imshow's resampling of the two maps took most of a redraw.
"""

from __future__ import annotations

import ipywidgets as W
import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize

from .. import _validate as validate
from ..network import MLP
from ..plots import PALETTE
from ..sgd import sgd
from .base import Explorer

# cividis half-way to white: the look of alpha = 0.5 over a white axes without image alpha,
# which matplotlib before 3.11 blends differently when the image is redrawn over a cached background.
# Its lightness rises from p = 0 to p = 1 (also in grey scale), and colour-blind readers see it alike.
WASHED = ListedColormap((matplotlib.colormaps["cividis"](np.linspace(0, 1, 256)) + 1) / 2)
# class 0: white circles edged black, class 1: black squares edged white; each stands out on its own region
DOTS = {0: dict(marker="o", color="w", mec="k"), 1: dict(marker="s", color="k", mec="w")}


def _linear(pixels, points):
    """For each of `pixels` pixel centres on an interval spanned by `points` evenly spaced lattice
    points (both ends included): the lattice index k left of it and its weight w on k + 1, so
    f(centre) = (1 - w) f_k + w f_{k+1} for every linear f."""
    u = (np.arange(pixels) + 0.5) / pixels * (points - 1)
    k = np.minimum(u.astype(np.intp), points - 2)
    return k, u - k


class PixelMap(Artist):
    """values (rows: y ascending, columns: x ascending) on a lattice spanning the axes' limits,
    drawn at the axes' pixel size: v(pixel) = bilinear interpolation of the lattice, colour =
    cmap's entry min(floor(v * N), N - 1), as a colormap over [0, 1] picks it. No resampling."""

    def __init__(self, ax, values, cmap):
        super().__init__()
        self.values = np.asarray(values, dtype=float)
        # RGBA packed in one uint32 per entry: a pixel's colour is then a single 4-byte gather,
        # some 13x faster than indexing the rows of an (N, 4) uint8 table
        self.lut = np.round(cmap(np.arange(cmap.N)) * 255).astype(np.uint8).view(np.uint32).ravel()
        self._weights = None
        ax.add_artist(self)

    def set_data(self, values):
        self.values, self.stale = np.asarray(values, dtype=float), True

    def draw(self, renderer):
        x0, y0, x1, y1 = np.round(self.axes.bbox.extents).astype(int)
        if self._weights is None or self._weights[0] != (x0, y0, x1, y1):
            (iy, wy), (ix, wx) = _linear(y1 - y0, self.values.shape[0]), _linear(x1 - x0, self.values.shape[1])
            self._weights = (x0, y0, x1, y1), iy, wy[:, None], ix, wx  # rows from the bottom, as drawn
        _, iy, wy, ix, wx = self._weights
        v = self.values
        rows = v[:, ix] * (1 - wx) + v[:, ix + 1] * wx  # (grid rows, pixel columns)
        p = rows[iy] * (1 - wy) + rows[iy + 1] * wy  # (pixel rows, pixel columns)
        n = self.lut.size
        rgba = self.lut[np.minimum((p * n).astype(np.intp), n - 1)].view(np.uint8).reshape(*p.shape, 4)
        gc = renderer.new_gc()
        renderer.draw_image(gc, x0, y0, rgba)
        gc.restore()


class DataOrderExplorer(Explorer):
    """Sliders `epoch` (0..epochs-1) and `batch` (0..S) over two precomputed runs on MLP(X, y, hidden).

    X (N, 2), y (N,) in {0, 1} in any order (the explorer sorts them by label). rng draws one
    seed, from which theta_0 and the shuffled batches come, so a setting always shows the same.
    """

    figsize = (10.4, 3.8)
    margins = dict(left=0.075, right=0.98, bottom=0.16, top=0.84, wspace=0.7)
    shows = (
        "Left and middle: the network's probability of class 1 over the plane at the chosen step, trained with "
        "shuffled and with class-ordered batches, the last batch ringed; right: both training-loss curves against"
        " the epoch (shuffled: circles, ordered: squares) and a line at the chosen step."
    )

    def __init__(self, X, y, rng, hidden=(16,), eta=0.5, m=8, epochs=40, grid=60):
        X = validate.array("X", X, 2, cols=2)
        order = np.argsort(validate.array("y", y, 1, len(X)), kind="stable")
        self.model = MLP(X[order], np.asarray(y, dtype=float)[order], hidden=hidden)
        self.X, self.y, self.n = self.model.X, self.model.y, self.model.n
        self.eta = float(validate.positive("eta", eta))
        self.m = validate.integer("m", m, lo=1, hi=self.n)
        self.epochs = validate.integer("epochs", epochs, lo=1)
        grid = validate.integer("grid", grid, lo=2)
        self.seed = int(validate.generator("rng", rng).integers(2**31))
        runs_rng = np.random.default_rng(self.seed)
        self.theta0 = self.model.init(runs_rng)
        self.runs = {
            "shuffled": sgd(self.model, self.theta0, self.eta, m=self.m, epochs=self.epochs, rng=runs_rng),
            "ordered": sgd(self.model, self.theta0, self.eta, m=self.m, epochs=self.epochs, sampling="ordered"),
        }
        for name, run in self.runs.items():
            if run.diverged:
                raise ValueError(f"eta = {eta!r} is too large: the {name} run diverged at step {run.diverged_at}")
        self.per_epoch = -(-self.n // self.m)
        self.steps = self.epochs * self.per_epoch
        pad = 0.4
        self.extent = (X[:, 0].min() - pad, X[:, 0].max() + pad, X[:, 1].min() - pad, X[:, 1].max() + pad)
        g1, g2 = np.linspace(*self.extent[:2], grid), np.linspace(*self.extent[2:], grid)
        self.shape = (grid, grid)
        self.points = np.column_stack([a.ravel() for a in np.meshgrid(g1, g2)])  # (grid^2, 2), rows of x
        controls = {
            "epoch": W.IntSlider(min=0, max=self.epochs - 1, value=self.epochs - 1, description="epoch"),
            "batch": W.IntSlider(min=0, max=self.per_epoch, value=self.per_epoch, description="batch"),
        }
        super().__init__(controls)

    def step(self, epoch, batch):
        """t = epoch * S + batch: the iterate after `batch` steps of epoch `epoch` (0-based)."""
        return epoch * self.per_epoch + batch

    def draw(self):
        self.axes = dict(zip(self.runs, self.fig.subplots(1, 3)[:2]))
        ax_l = self.fig.axes[2]
        self.images, self.maps, self.dots, self.batch_marks = {}, {}, {}, {}
        for name, ax in self.axes.items():
            self.images[name] = PixelMap(ax, np.zeros(self.shape), WASHED)
            # markers of Line2D, not scatter: the dots are redrawn over the image at every update,
            # and one stamped marker path draws far faster than a PathCollection
            self.dots[name] = [ax.plot(*self.X[self.y == k].T, ls="", ms=2.65, mew=0.3, **DOTS[k])[0] for k in (0, 1)]
            (self.batch_marks[name],) = ax.plot(
                [], [], "o", ls="", ms=6.3, mfc="none", mec=PALETTE["vermillion"], mew=1.2
            )
            ax.set_xlim(*self.extent[:2]), ax.set_ylim(*self.extent[2:])
            ax.set_title(f"{name} batches: $p(x)$ at step $t$", fontsize=9)
            ax.set_xlabel(r"$x_1$")
        self.axes["shuffled"].set_ylabel(r"$x_2$")
        bar = self.axes["ordered"].inset_axes([1.04, 0.0, 0.05, 1.0])  # a child of the map, not a 4th axes
        self.fig.colorbar(ScalarMappable(Normalize(0, 1), WASHED), cax=bar, label=r"$p(x)$: probability of class 1")
        # blue and black, and a marker at every epoch's start, so that colour is not the only difference
        for name, color, marker in (("shuffled", PALETTE["blue"], "o"), ("ordered", "k", "s")):
            run = self.runs[name]
            x = np.arange(run.losses.size) / self.per_epoch
            ax_l.plot(x, run.losses, color=color, lw=0.7, marker=marker, ms=3, markevery=self.per_epoch, label=name)
        ax_l.set_yscale("log")
        ax_l.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1, 2, 5)))  # labelled 0.1, 0.2, 0.5, ...
        ax_l.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax_l.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax_l.set_xlim(0, self.epochs)
        ax_l.set_xlabel("epochs")
        ax_l.set_title(r"training loss $L(\theta_t)$", fontsize=9)
        ax_l.legend(loc="upper right", fontsize=8)
        self.marker = ax_l.axvline(self.epochs, color="k", lw=1)
        # the control values, in the image itself, so that a static frame says what it shows
        self.stamp = self.add_stamp()
        self.dynamic = [a for name in self.runs for a in (self.images[name], *self.dots[name], self.batch_marks[name])]
        self.dynamic += [self.marker, self.stamp]

    def update(self, epoch, batch):
        t = self.step(epoch, batch)
        parts = [f"t = {t}"]
        for name, run in self.runs.items():
            theta = run.thetas[t]
            self.maps[name] = self.model.probabilities(theta, points=self.points).reshape(self.shape)
            self.images[name].set_data(self.maps[name])
            B = run.batches[t - 1] if t > 0 else np.array([], dtype=int)
            self.batch_marks[name].set_data(*self.X[B].reshape(-1, 2).T)
            held = "-" if t == 0 else "+".join(str(int(c)) for c in np.unique(self.y[B]))
            parts.append(
                f"{name}: loss {run.losses[t]:.3f}, accuracy {self.model.accuracy(theta):.1%}, last batch class {held}"
            )
        self.marker.set_xdata([t / self.per_epoch] * 2)
        self.stamp.set_text(f"epoch = {epoch},  batch = {batch}:  step t = {t}")
        return "; ".join(parts)
