"""BatchVarianceExplorer: how the spread of a mini-batch gradient shrinks with the batch size m.

Take N per-example values G_1..G_N (one coordinate of grad l_i at a fixed theta) with mean
mu (the true gradient along that coordinate) and population variance
sigma^2 = (1/N) sum_i (G_i - mu)^2. The mini-batch mean g_hat_m over m indices drawn uniformly has
E[g_hat_m] = mu and

    with replacement:     Var(g_hat_m) = sigma^2 / m
    without replacement:  Var(g_hat_m) = sigma^2 / m * (N - m) / (N - 1)

(sgdcourse.minibatch.predicted_variance; the draws come from sgdcourse.minibatch.batch_indices).
The explorer shows the histogram of g_hat_m over many draws (fixed bins, one stairs artist),
the normal curve with the predicted variance and the true gradient; the right panel shows the
measured and predicted standard deviations against m on log axes.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .. import _validate as validate
from ..minibatch import batch_indices, predicted_variance
from .base import Explorer


class BatchVarianceExplorer(Explorer):
    """Histogram of g_hat_m = (1/m) sum_{i in B} G_i over `draws` batches, for the m on the slider.

    per_example_values: shape (N,), the G_i. rng: draws one seed, so every picture is reproducible.
    Batches of all sizes share their draws (the batch of size m is the first m indices of a row of
    `batch_indices`), so one cumulative sum gives g_hat for every m: self.ghat[replace] has shape
    (draws, m_max) and column m - 1 holds the draws of g_hat_m.
    """

    figsize = (8.4, 3.8)
    margins = dict(left=0.09, right=0.98, bottom=0.15, top=0.8, wspace=0.3)

    def __init__(self, per_example_values, rng, draws=4000, m_max=64, m=1, replace=True, bins=200):
        g = validate.array("per_example_values", per_example_values, 1).astype(float)
        if g.size < 2:
            raise ValueError(f"per_example_values needs at least 2 entries, got {g.size}")
        rng = validate.generator("rng", rng)
        self.draws = validate.integer("draws", draws, lo=10)
        self.n, self.per_example, self.mu, self.sigma2 = g.size, g, g.mean(), g.var()
        if not self.sigma2 > 1e-12 * max(1.0, self.mu**2):
            raise ValueError("per_example_values are all equal: there is no variance to show")
        self.m_max = validate.integer("m_max", m_max, lo=1, hi=self.n)
        m = validate.integer("m", m, lo=1, hi=self.m_max)
        self.bins = validate.integer("bins", bins, lo=5)
        self.sigma = np.sqrt(self.sigma2)
        self.seed = int(rng.integers(2**31))
        sizes = np.arange(1, self.m_max + 1)
        self.ghat, self.measured_sd = {}, {}
        for k, replace_ in enumerate((True, False)):
            idx = batch_indices(self.n, self.m_max, self.draws, np.random.default_rng([self.seed, k]), replace_)
            self.ghat[replace_] = np.cumsum(g[idx], axis=1) / sizes
            sd = self.ghat[replace_].std(axis=0, ddof=1)
            self.measured_sd[replace_] = np.where(sd > 1e-9 * self.sigma, sd, 0.0)  # m = N without replacement: 0
        half = 3.5 * self.sigma
        self.edges = np.linspace(self.mu - half, self.mu + half, self.bins + 1)
        self.x = np.linspace(self.mu - half, self.mu + half, 400)
        slider = W.IntSlider(value=m, min=1, max=self.m_max, description="batch m", continuous_update=True)
        box = W.Checkbox(value=bool(replace), description="with replacement")
        super().__init__({"m": slider, "replace": box})

    def normal_pdf(self, m, replace):
        """Density of N(mu, predicted variance) on self.x."""
        var = predicted_variance(self.sigma2, m, self.n, replace)
        if var <= 0:
            return np.zeros_like(self.x)
        return np.exp(-((self.x - self.mu) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)

    def draw(self):
        ax, ax_sd = self.ax, self.ax_sd = self.fig.subplots(1, 2, width_ratios=[1.5, 1])
        zero = np.zeros(self.bins)
        self.hist = ax.stairs(zero, self.edges, fill=True, color="C0", alpha=0.55, label=r"$\hat g^{(m)}$ over draws")
        (self.curve,) = ax.plot(self.x, np.zeros_like(self.x), color="C3", lw=1.5, label="normal, predicted variance")
        ax.axvline(self.mu, color="k", ls="--", lw=1, label=r"true gradient $\mu$")
        sizes = np.arange(1, self.m_max + 1)
        narrowest = predicted_variance(self.sigma2, sizes, self.n, False)
        top = 1 / np.sqrt(2 * np.pi * narrowest[narrowest > 0].min())  # the highest normal peak
        ax.set_xlim(self.edges[0], self.edges[-1])
        ax.set_ylim(0, 1.15 * top)
        ax.set_xlabel(r"$\hat g^{(m)}$ (one coordinate)")
        ax.set_ylabel("density")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=7, frameon=False)  # above the data
        ax_sd.loglog(
            sizes,
            np.sqrt(predicted_variance(self.sigma2, sizes, self.n)),
            color="C3",
            lw=1.2,
            label=r"$\sigma/\sqrt{m}$",
        )
        without = np.sqrt(predicted_variance(self.sigma2, sizes, self.n, False))
        ax_sd.loglog(
            sizes[without > 0], without[without > 0], color="C2", ls="--", lw=1.2, label=r"$\times\sqrt{(N-m)/(N-1)}$"
        )
        (self.dots,) = ax_sd.plot([], [], ".", color="C0", ms=4, label="measured")
        (self.here,) = ax_sd.plot([], [], "o", color="C0", mec="k", ms=8)
        low = min(
            self.measured_sd[False][self.measured_sd[False] > 0].min(initial=np.inf), self.sigma / np.sqrt(self.m_max)
        )
        ax_sd.set_xlim(0.8, 1.25 * self.m_max)
        ax_sd.set_ylim(0.7 * low, 1.4 * self.sigma)
        ticks = 2 ** np.arange(int(np.log2(self.m_max)) + 1)
        ax_sd.set_xticks(ticks, [str(t) for t in ticks])
        ax_sd.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
        ax_sd.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax_sd.yaxis.set_minor_formatter(NullFormatter())
        ax_sd.set_xlabel("batch size m")
        ax_sd.set_ylabel(r"sd of $\hat g^{(m)}$")
        ax_sd.legend(loc="lower left", fontsize=7)
        self.dynamic = [self.hist, self.curve, self.dots, self.here]

    def update(self, m, replace):
        draws = self.ghat[replace][:, m - 1]
        counts, _ = np.histogram(draws, self.edges)
        self.hist.set_data(counts / (self.draws * np.diff(self.edges)))
        self.curve.set_ydata(self.normal_pdf(m, replace))
        sd = self.measured_sd[replace]
        keep = sd > 0  # not m = N without replacement, where every batch is the whole data set
        self.dots.set_data(np.arange(1, self.m_max + 1)[keep], sd[keep])
        self.here.set_data([m], [sd[m - 1]] if sd[m - 1] > 0 else [np.nan])
        predicted = np.sqrt(predicted_variance(self.sigma2, m, self.n, replace))
        mode = "with" if replace else "without"
        return (
            f"m = {m}, {mode} replacement: sd of g_hat measured {sd[m - 1]:.4f}, predicted {predicted:.4f}; "
            f"mean of g_hat {draws.mean():.4f}, true gradient {self.mu:.4f}"
        )
