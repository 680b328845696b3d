"""BatchVarianceExplorer: how the spread of a mini-batch gradient shrinks with the batch size m.

Take N per-example values G_1..G_N (one coordinate of grad l_i at a fixed theta) with mean
mu (the true gradient along that coordinate) and population variance
sigma^2 = (1/N) sum_i (G_i - mu)^2. The mini-batch mean g_hat_m over m indices drawn uniformly has
E[g_hat_m] = mu and

    with replacement:     Var(g_hat_m) = sigma^2 / m
    without replacement:  Var(g_hat_m) = sigma^2 / m * (N - m) / (N - 1)

(sgdcourse.minibatch.predicted_variance; the draws come from sgdcourse.minibatch.batch_indices).
The explorer shows the histogram of g_hat_m over many draws (fixed bins, one stairs artist),
the normal curve with the predicted variance and the true gradient (the bins cover every G_i), under a
density axis scaled to the current picture (up to the power of 2 above its highest bar or curve); the
right panel shows the measured and predicted standard deviations against m = 1..N on log axes, the
two predictions drawn over the measured dots and the one for the current sampling mode thicker.
Without replacement the sd is 0 at m = N (every batch is the whole data set): a log axis has no 0,
so that point is drawn on the panel's bottom edge and marked "0 at m = N". The figure's title names the control values.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .. import _validate as validate
from ..minibatch import batch_indices, predicted_variance
from ..plots import PALETTE
from .base import Explorer


class BatchVarianceExplorer(Explorer):
    """Histogram of g_hat_m = (1/m) sum_{i in B} G_i over `draws` batches, for the m on the slider.

    per_example_values: shape (N,), the G_i. rng: draws one seed, so every picture is reproducible.
    sizes: the batch sizes on the slider, increasing, in 1..N (default: the powers of 2 below N, then N).
    Batches of all sizes share their draws (the batch of size m is the first m indices of a row of
    `batch_indices`), so one cumulative sum gives g_hat for every m: self.ghat[replace] has shape
    (draws, N) and column m - 1 holds the draws of g_hat_m.
    """

    figsize = (8.4, 4.1)
    shows = (
        "Left: the histogram of the batch gradient over many draws for the chosen batch size, with the predicted "
        "normal curve and the true gradient dashed; right: the measured standard deviation against the batch "
        "size on log axes, with the predictions with replacement (solid) and without (dashed)."
    )
    margins = dict(left=0.09, right=0.98, bottom=0.14, top=0.75, wspace=0.36)

    def __init__(self, per_example_values, rng, draws=4000, sizes=None, m=1, replace=True, bins=200):
        g = validate.array("per_example_values", per_example_values, 1).astype(float)
        if g.size < 2:
            raise ValueError(f"per_example_values needs at least 2 entries, got {g.size}")
        rng = validate.generator("rng", rng)
        self.draws = validate.integer("draws", draws, lo=10)
        self.n, self.per_example, self.mu, self.sigma2 = g.size, g, g.mean(), g.var()
        if not self.sigma2 > 1e-12 * max(1.0, self.mu**2):
            raise ValueError("per_example_values are all equal: there is no variance to show")
        if sizes is None:
            sizes = [2**k for k in range(int(np.log2(self.n - 1)) + 1)] + [self.n]
        self.sizes = [validate.integer("sizes", s, lo=1, hi=self.n) for s in sizes]
        if not self.sizes or np.any(np.diff(self.sizes) <= 0):
            raise ValueError(f"sizes must be increasing batch sizes in 1..{self.n}, got {list(sizes)}")
        m = validate.integer("m", m, lo=1, hi=self.n)
        if m not in self.sizes:
            raise ValueError(f"m must be one of sizes {self.sizes}, got {m}")
        self.bins = validate.integer("bins", bins, lo=5)
        self.sigma = np.sqrt(self.sigma2)
        self.seed = int(rng.integers(2**31))
        every = np.arange(1, self.n + 1)
        self.ghat, self.measured_sd = {}, {}
        for k, replace_ in enumerate((True, False)):
            idx = batch_indices(self.n, self.n, self.draws, np.random.default_rng([self.seed, k]), replace_)
            self.ghat[replace_] = np.cumsum(g[idx], axis=1) / every
            sd = self.ghat[replace_].std(axis=0, ddof=1)
            self.measured_sd[replace_] = np.where(sd > 1e-9 * self.sigma, sd, 0.0)  # m = N without replacement: 0
        half = max(3.5 * self.sigma, 1.02 * np.abs(g - self.mu).max())  # every single example inside the bins
        self.edges = np.linspace(self.mu - half, self.mu + half, self.bins + 1)
        self.x = np.linspace(self.mu - half, self.mu + half, 400)
        slider = W.SelectionSlider(options=self.sizes, value=m, description="batch m", continuous_update=True)
        box = W.Checkbox(value=bool(replace), description="with replacement")
        super().__init__({"m": slider, "replace": box})

    def normal_pdf(self, m, replace):
        """Density of N(mu, predicted variance) on self.x."""
        var = predicted_variance(self.sigma2, m, self.n, replace)
        if var <= 0:
            return np.zeros_like(self.x)
        return np.exp(-((self.x - self.mu) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)

    @staticmethod
    def density_top(highest):
        """Top of the density axis for a picture whose highest bar or curve is `highest`: the next power
        of 2 above it, so the picture fills at least half the panel and few axis ranges (each a full
        redraw on first show) occur."""
        return 2.0 ** np.ceil(np.log2(1.05 * highest))

    def draw(self):
        ax, ax_sd = self.ax, self.ax_sd = self.fig.subplots(1, 2, width_ratios=[1.5, 1])
        zero = np.zeros(self.bins)
        self.hist = ax.stairs(
            zero, self.edges, fill=True, color=PALETTE["blue"], alpha=0.55, label=r"$\hat g^{(m)}$ over draws"
        )
        (self.curve,) = ax.plot(
            self.x, np.zeros_like(self.x), color=PALETTE["vermillion"], lw=1.5, label="normal, predicted variance"
        )
        ax.axvline(self.mu, color="k", ls="--", lw=1, label=r"true gradient $\mu$")
        sizes = np.arange(1, self.n + 1)
        top = 1 / np.sqrt(2 * np.pi * self.sigma2)  # the normal peak at m = 1
        ax.set_xlim(self.edges[0], self.edges[-1])
        ax.set_ylim(0, 1.15 * top)  # update() rescales it to the picture on show
        ax.set_xlabel(r"$\hat g^{(m)}$ (one coordinate)")
        ax.set_ylabel("density")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=7, frameon=False)  # above the data
        measured = self.measured_sd[False]
        self.floor = 0.5 * min(measured[measured > 0].min(initial=np.inf), self.sigma / np.sqrt(self.n))
        # predictions: black solid and orange dashed (told apart by line style, not by a red-green pair)
        with_ = np.sqrt(predicted_variance(self.sigma2, sizes, self.n))
        (line_with,) = ax_sd.loglog(sizes, with_, color="k", lw=1.2, label=r"$\sigma/\sqrt{m}$")
        without = np.sqrt(predicted_variance(self.sigma2, sizes, self.n, False))
        without[-1] = self.floor  # 0 at m = N, drawn on the bottom edge
        (line_without,) = ax_sd.loglog(
            sizes, without, color=PALETTE["orange"], ls="--", lw=1.2, label=r"$\times\sqrt{(N-m)/(N-1)}$"
        )
        self.prediction = {True: line_with, False: line_without}
        ax_sd.plot([self.n], [self.floor], "v", color=PALETTE["orange"], ms=7, clip_on=False)
        ax_sd.annotate(
            "0 at m = N",
            (self.n, self.floor),
            xytext=(-4, 6),
            textcoords="offset points",
            ha="right",
            color=PALETTE["orange"],
        )
        (self.dots,) = ax_sd.plot([], [], ".", color=PALETTE["blue"], ms=4, label="measured", clip_on=False)
        (self.here,) = ax_sd.plot([], [], "o", color=PALETTE["blue"], mec="k", ms=8, clip_on=False)
        ax_sd.set_xlim(0.8, 1.25 * self.n)
        ax_sd.set_ylim(self.floor, 1.4 * self.sigma)
        ticks = [t for t in 4 ** np.arange(int(np.log(self.n) / np.log(4)) + 1) if t <= self.n / 2] + [self.n]
        ax_sd.set_xticks(ticks, [str(t) for t in ticks])
        ax_sd.xaxis.set_minor_formatter(NullFormatter())
        ax_sd.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
        ax_sd.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax_sd.yaxis.set_minor_formatter(NullFormatter())
        ax_sd.set_xlabel("batch size m")
        ax_sd.set_ylabel(r"sd of $\hat g^{(m)}$")
        ax_sd.legend(loc="lower left", bbox_to_anchor=(0.0, 0.1), fontsize=7)  # above "0 at m = N"
        self.title = self.fig.text(0.5, 0.99, "", ha="center", va="top", fontsize=12)
        # the prediction lines come after the dots, so they are drawn over them
        self.dynamic = [self.hist, self.curve, self.dots, line_with, line_without, self.here, self.title]
        self._backgrounds = {}

    def render(self):
        """As Explorer.render, keeping the static picture of every density-axis range shown so far
        (one per slider state at most), so that returning to a state costs no full redraw. Setting
        self._background to None forgets every cached picture, as it does in Explorer.render."""
        limits = tuple((ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes)
        if self._background is None:
            self._backgrounds.clear()
        if limits not in self._backgrounds:
            self.canvas.draw()  # animated artists are skipped here
            self._background = self._backgrounds[limits] = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._backgrounds[limits])
        for artist in self.dynamic:
            artist.axes.draw_artist(artist) if artist.axes else self.fig.draw_artist(artist)

    def update(self, m, replace):
        draws = self.ghat[replace][:, m - 1]
        counts, _ = np.histogram(draws, self.edges)
        density, curve = counts / (self.draws * np.diff(self.edges)), self.normal_pdf(m, replace)
        self.hist.set_data(density)
        self.curve.set_ydata(curve)
        self.ax.set_ylim(0, self.density_top(max(density.max(), curve.max())))  # the picture fills the panel
        for mode, line in self.prediction.items():  # the prediction for this sampling mode stands out
            line.set_linewidth(2.4 if mode == replace else 1.0)
        sd = self.measured_sd[replace]
        shown = np.maximum(sd, self.floor)  # 0 (m = N without replacement) on the bottom edge
        self.dots.set_data(np.arange(1, self.n + 1), shown)
        self.here.set_data([m], [shown[m - 1]])
        predicted = np.sqrt(predicted_variance(self.sigma2, m, self.n, replace))
        mode = "with" if replace else "without"
        self.title.set_text(f"batch size m = {m} of N = {self.n}, {mode} replacement")
        return (
            f"m = {m}, {mode} replacement: sd of g_hat measured {sd[m - 1]:.4f}, predicted {predicted:.4f}; "
            f"mean of g_hat {draws.mean():.4f}, true gradient {self.mu:.4f}"
        )
