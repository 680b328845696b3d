"""SharpFlatExplorer: which basin SGD's runs end in, for the batch size m and the number of steps on the sliders.

The landscape is a SharpFlatLandscape (sgdcourse.landscapes; usually equal_depths, two equally deep minima,
one sharp and one flat): L(theta) = (1/N) sum_i f(theta - a_i). Many runs of plain mini-batch SGD,

    theta_{t+1} = theta_t - eta (1/m) sum_{i in B_t} f'(theta_t - a_i),

start from the same points, drawn uniformly between the two minima (or all at the sharp minimum), for
every m on the slider and on the same draws (sgdcourse.landscapes.sgd_runs, computed once when the
explorer is built: a slider step only looks the runs up). Left panel: L, the barrier, and the runs'
points after the slider's number of steps, on the curve and as a strip below it, with the count in each
basin. Right panel: the share of the runs in the sharp basin against the step t, for the slider's m
(bold) and the other sizes (faint), with the slider's step marked. The figure states m, the steps and eta.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import _validate as validate
from ..landscapes import SharpFlatLandscape, sgd_runs
from ..plots import PALETTE
from .base import Explorer

STEP_MARKS = (0, 10, 20, 50, 100, 200, 300, 400, 600, 800, 1000, 1500, 2000, 3000, 4000, 5000, 7000, 10000)
STARTS = ("between", "sharp")
STRIP = 0.12  # the strip of end points takes this share of the landscape panel's height, at its bottom


def _powers_of_two(top):
    return [2**k for k in range(int(np.log2(top)) + 1)]


class SharpFlatExplorer(Explorer):
    """m and steps sliders: `runs` SGD runs of up to `steps` steps with step size eta on `landscape`.

    landscape: a SharpFlatLandscape; rng draws the starts and one seed for the batches, so every picture
    is reproducible. start="between": starts uniform between the two minima (lesson 07's experiment);
    "sharp": every run starts at the sharp minimum (its escape table). The m slider offers 1, 2, 4, ...
    up to m_max, batches drawn with replacement (or without it inside a batch, replace=False); the
    steps slider offers 0, 10, 20, 50, 100, ... up to `steps`. Every m uses the same draws (the batch of
    size m is the start of the batch of size m_max). positions(m, t) returns the runs' theta after t
    steps, shape (runs,); sharp_share[m] the share in the sharp basin after every step, shape (steps + 1,).
    """

    figsize = (8.8, 4.3)
    margins = dict(left=0.1, right=0.98, bottom=0.13, top=0.8, wspace=0.3)
    shows = (
        "Left: a loss with a sharp and a flat minimum, where the SGD runs are at the chosen step and how many lie"
        " in each basin; right: the share of runs in the sharp basin against the step, for each batch size."
    )

    def __init__(
        self, landscape, rng, m=4, step=600, eta=0.2, runs=200, steps=5000, m_max=16, start="between", replace=True
    ):
        if not isinstance(landscape, SharpFlatLandscape):
            raise TypeError(f"landscape must be a SharpFlatLandscape, got {type(landscape).__name__}")
        self.land = landscape
        rng = validate.generator("rng", rng)
        self.eta = float(validate.positive("eta", eta))
        self.n_runs = validate.integer("runs", runs, lo=2)
        self.steps = validate.integer("steps", steps, lo=1)
        self.replace = bool(replace)
        m_max = validate.integer("m_max", m_max, lo=1, hi=None if self.replace else landscape.n)
        self.sizes = _powers_of_two(m_max)
        m = validate.integer("m", m, lo=1, hi=m_max)
        if m not in self.sizes:
            raise ValueError(f"m must be one of the slider's batch sizes {self.sizes}, got {m}")
        self.marks = [t for t in STEP_MARKS if t < self.steps] + [self.steps]
        step = validate.integer("step", step, lo=0, hi=self.steps)
        if step not in self.marks:
            raise ValueError(f"step must be one of the slider's step counts {self.marks}, got {step}")
        if start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}, got {start!r}")
        self.start = start
        lo, hi = sorted((landscape.sharp_min, landscape.flat_min))
        sharp = np.full(self.n_runs, landscape.sharp_min)
        self.starts = rng.uniform(lo, hi, self.n_runs) if start == "between" else sharp
        self.seed = int(rng.integers(2**31))
        draws = np.random.default_rng(self.seed)
        self.ends, self.shares = sgd_runs(
            landscape, self.starts, self.eta, self.sizes, self.steps, draws, replace=self.replace, record=self.marks
        )
        self.sharp_share = dict(zip(self.sizes, self.shares))
        self.end_losses = landscape.loss_on(landscape.X[:, 0], self.ends)  # L at every recorded point
        self.jitter = np.random.default_rng(self.seed + 1).uniform(0.15, 0.85, self.n_runs)  # heights in the strip
        m_slider = W.SelectionSlider(options=self.sizes, value=m, description="batch m", continuous_update=True)
        t_slider = W.SelectionSlider(options=self.marks, value=step, description="steps t", continuous_update=True)
        super().__init__({"m": m_slider, "step": t_slider})

    # the runs, from the library -----------------------------------------------------------------
    def positions(self, m, step):
        """The runs' theta after `step` steps with batch size m, shape (runs,)."""
        return self.ends[self.sizes.index(m), self.marks.index(step)]

    def counts(self, m, step):
        """(runs in the sharp basin, runs in the flat basin) after `step` steps with batch size m."""
        sharp = int(np.sum(self.land.classify(self.positions(m, step)) == "sharp"))
        return sharp, self.n_runs - sharp

    # the view -------------------------------------------------------------------------------------
    def draw(self):
        land = self.land
        ax_l, ax_s = self.ax_land, self.ax_share = self.fig.subplots(1, 2, width_ratios=[1.15, 1])
        reach = 0.8 * abs(land.flat_min - land.sharp_min)
        lo, hi = min(land.sharp_min, land.flat_min) - reach, max(land.sharp_min, land.flat_min) + reach
        grid = np.linspace(lo, hi, 400)
        curve = land.loss_on(land.X[:, 0], grid)
        top = max(curve.max(), self.end_losses.max())
        bottom = curve.min() - (top - curve.min()) * STRIP / (1 - STRIP)
        self.strip = (bottom, curve.min())
        ax_l.plot(grid, curve, color="k", lw=1.8, label=r"$L(\theta)$")
        ax_l.axvline(land.barrier, color="0.5", ls="--", lw=1, label="barrier")
        ax_l.axhline(curve.min(), color="0.85", lw=0.8)
        ax_l.set_xlim(lo, hi)
        ax_l.set_xlabel(r"$\theta$")
        ax_l.set_yticks(np.round(np.arange(np.ceil(10 * curve.min()) / 10, curve.max(), 0.2), 1))  # none in the strip
        ax_l.set_ylabel(r"$L(\theta)$")
        ax_l.legend(loc="lower left", bbox_to_anchor=(-0.02, 1.0), ncol=2, frameon=False, borderaxespad=0.1)
        self.on_curve = ax_l.scatter([], [], s=14, color=PALETTE["blue"], alpha=0.35, lw=0, zorder=3)
        self.in_strip = ax_l.scatter([], [], s=6, color=PALETTE["blue"], alpha=0.5, lw=0)
        label_y = top + 0.12 * (top - bottom)
        kw = dict(ha="center", va="bottom", weight="bold")
        self.sharp_text = ax_l.text(land.sharp_min, label_y, "", color=PALETTE["vermillion"], **kw)
        self.flat_text = ax_l.text(land.flat_min, label_y, "", color=PALETTE["bluish green"], **kw)
        ax_l.set_ylim(bottom, top + 0.6 * (top - bottom))  # room for the two lines of counts
        t = np.arange(self.steps + 1)
        styles = [":", "-.", "--", (0, (1, 1)), (0, (6, 2))]  # one per batch size, in grey
        for k, style in zip(self.sizes, styles * len(self.sizes)):
            ax_s.plot(t, self.sharp_share[k], color="0.55", lw=1.1, ls=style, label=f"m = {k}")
        (self.share_line,) = ax_s.plot(
            t, np.full(t.size, np.nan), color=PALETTE["vermillion"], lw=2.2, alpha=0.8, label="chosen m"
        )
        self.now_line = ax_s.axvline(0, color=PALETTE["blue"], lw=1, label="step t")
        (self.now_dot,) = ax_s.plot([], [], "o", color=PALETTE["vermillion"], ms=6)
        ax_s.set_xscale("symlog", linthresh=10, linscale=0.5)  # linear up to 10 steps, then logarithmic
        ax_s.set_xlim(0, self.steps)
        ax_s.set_ylim(-0.02, min(1.3, 1.6 * self.shares.max() + 0.02))  # room for the legend at the top
        ax_s.set_yticks([y for y in ax_s.get_yticks() if 0 <= y <= 1])  # a share: no tick above 1
        ax_s.set_xlabel("step t (log scale from 10 on)")
        ax_s.set_ylabel("share in the sharp basin")
        ax_s.legend(loc="upper right", ncol=3, framealpha=0.95, edgecolor="none", borderaxespad=0.2, fontsize=8)
        self.stamp = self.add_stamp()
        self.dynamic = [self.on_curve, self.in_strip, self.sharp_text, self.flat_text, self.share_line]
        self.dynamic += [self.now_line, self.now_dot, self.stamp]

    def update(self, m, step):
        i, j = self.sizes.index(m), self.marks.index(step)
        theta, loss = self.ends[i, j], self.end_losses[i, j]
        self.on_curve.set_offsets(np.column_stack([theta, loss]))
        low, high = self.strip
        self.in_strip.set_offsets(np.column_stack([theta, low + self.jitter * (high - low)]))
        sharp, flat = self.counts(m, step)
        self.sharp_text.set_text(f"sharp basin\n{sharp} runs ({sharp / self.n_runs:.0%})")
        self.flat_text.set_text(f"flat basin\n{flat} runs ({flat / self.n_runs:.0%})")
        self.share_line.set_ydata(self.sharp_share[m])
        self.now_line.set_xdata([step, step])
        self.now_dot.set_data([step], [self.sharp_share[m][step]])
        self.stamp.set_text(f"m = {m},  t = {step} steps,  η = {self.eta:g}")
        began = int(np.sum(self.land.classify(self.starts) == "sharp"))
        return (
            f"m = {m}, t = {step}, eta = {self.eta:g}: {sharp} of {self.n_runs} runs in the sharp basin, "
            f"{flat} in the flat one ({began} started on the sharp side)"
        )
