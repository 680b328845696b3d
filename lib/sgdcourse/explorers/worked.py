"""WorkedExampleExplorer: an eta slider on lesson 02's two-point example.

Data (x, y) = (1, 2), (2, 0), model y_hat = w x, l_i = (1/2)(w x_i - y_i)^2 and
L(w) = (1/2)(l_1 + l_2), minimised at w* = sum x_i y_i / sum x_i^2 = 2/5. For the slider's
eta, runs from w0 = 0 over the same number of steps T:

    SGD:  w_{t+1} = w_t - eta (w_t x_i - y_i) x_i,  i = i_t   (one example per step)
    GD:   w_{t+1} = w_t - eta dL/dw(w_t),  dL/dw = (5 w - 2) / 2

SGD runs over R draw sequences: each draws the examples 1, 2, 1 (the steps done by hand in the
lesson) and then uniformly at random; the sequences are drawn once, so every eta sees the same
draws. A step on example i multiplies w - w_i* (w_i* = y_i / x_i) by 1 - eta x_i^2, and a GD step
multiplies w - w* by 1 - eta L'' (L'' = 5/2), which gives the THRESHOLDS of eta: above 1/4 a step on
example 2 crosses its minimum w_2* = 0, above 1/2 it lands farther from it; above 2/5 GD overshoots
w*, above 4/5 it diverges.

Left panel: w_t against t, the band mean +- sd of w_t over the R sequences (its mean drawn above
GD, so that it shows where the two coincide), the first sequence as one run, GD and w*. Right panel,
against eta (the slider's range, log scale): the distance rms_t |w_t - w*| over the second half of
the run (t >= T/2, the label gives the number), each run's value averaged over the sequences for
SGD, and for GD, with the four thresholds marked and the slider's eta as a labelled vertical line.
A distance below the panel's floor DIST_LIM[0] is not drawn (GD's, for about 0.09 < eta < 0.71 at
T = 40), and a note in the panel says so. A stamp in the figure states eta. Both panels have fixed
limits: a run that leaves them upwards is clipped at the edge.
"""

from __future__ import annotations

from fractions import Fraction

import ipywidgets as W
import numpy as np
from matplotlib.patches import Polygon

from .. import _validate as validate
from ..data import worked_example
from ..models import Linear1D
from ..plots import PALETTE
from ..sgd import sgd
from .base import Explorer

ETA_MIN, ETA_MAX = 0.01, 1.0
ETA_STEP = 0.01  # the slider's step in log10(eta): 201 positions
FIXED_START = (0, 1, 0)  # zero-based: the lesson's examples 1, 2, 1
W_LIM, DIST_LIM = (-2.0, 3.0), (1e-3, 1e2)
# SGD vermillion, GD blue (Okabe-Ito), and told apart by line style and legend label as well
SGD_COLOUR, GD_COLOUR = PALETTE["vermillion"], PALETTE["blue"]
# eta above which: a step on example 2 crosses w_2* = 0, GD overshoots w*, a step on example 2
# lands farther from w_2*, GD diverges (1 - eta x_2^2 = 0, 1 - eta L'' = 0, = -1, = -1)
THRESHOLDS = (Fraction(1, 4), Fraction(2, 5), Fraction(1, 2), Fraction(4, 5))
REGIMES = (
    "no step overshoots",
    "steps on example 2 cross w = 0",
    "steps on example 2 and GD overshoot",
    "steps on example 2 move away from w = 0; GD still converges",
    "GD diverges",
)


def _fmt(v):
    return f"{v:.3f}" if abs(v) < 1e4 else f"{v:.3g}"


def step_regime(eta):
    """What a step of size eta does on the two-point example: one of REGIMES, by the THRESHOLDS."""
    return REGIMES[sum(eta > t for t in THRESHOLDS)]


def sequence_runs(eta, orders, x, y, w0=0.0):
    """SGD on y_hat = w x for every draw sequence at once. orders: shape (R, T), zero-based example
    indices; x, y: shape (N,). Returns w_t, shape (R, T + 1) (or (E, R, T + 1) for eta of shape (E,)),
    with w_{t+1} = w_t - eta (w_t x_i - y_i) x_i, i = orders[:, t]."""
    orders = np.asarray(orders)
    eta = np.asarray(eta, dtype=float)[..., None]
    xs, ys = np.asarray(x, dtype=float)[orders], np.asarray(y, dtype=float)[orders]
    w = np.zeros(eta.shape[:-1] + (orders.shape[0], orders.shape[1] + 1))
    w[..., 0] = w0
    for t in range(orders.shape[1]):
        w[..., t + 1] = w[..., t] - eta * (w[..., t] * xs[:, t] - ys[:, t]) * xs[:, t]
    return w


def gd_runs(eta, steps, w_star, curvature, w0=0.0):
    """Full-batch GD on a quadratic L: w_t - w* = (1 - eta L'')^t (w0 - w*). eta: shape (E,);
    returns shape (E, steps + 1)."""
    factor = 1 - np.asarray(eta, dtype=float)[:, None] * curvature
    return w_star + factor ** np.arange(steps + 1) * (w0 - w_star)


def above_floor(distance, floor=DIST_LIM[0]):
    """distance with the values below floor set to nan (not drawn on a log axis whose bottom is
    floor) and nan (a diverged run) set to 1e300 (drawn at the top edge). Same shape."""
    distance = np.nan_to_num(np.asarray(distance, dtype=float), nan=1e300)
    return np.where(distance < floor, np.nan, distance)


def second_half_rms(w, w_star):
    """rms over t >= T/2 of |w_t - w*|, for w of shape (..., T + 1): shape (...)."""
    half = w[..., (w.shape[-1] - 1) // 2 :]
    return np.sqrt(np.mean((half - w_star) ** 2, axis=-1))


class WorkedExampleExplorer(Explorer):
    """eta slider: SGD over `sequences` draw sequences (each examples 1, 2, 1, then uniform draws
    from rng) and full-batch GD on the two-point data for `steps` steps from w0 = 0. `eta` is the
    slider's initial value.

    runs(eta) returns the SGD trajectory of the first sequence and the GD trajectory (sgdcourse
    Trajectories); band(eta) the SGD iterates of all sequences, shape (sequences, steps + 1).
    """

    figsize = (9.6, 4.0)
    shows = (
        "Left: w_t against the step for one SGD run, the mean ± sd band of the SGD runs and full-batch GD "
        "(dashed); right: how far SGD (solid) and GD (dashed) stay from w* against eta, with the thresholds "
        "and the current eta marked."
    )
    margins = dict(left=0.08, right=0.98, bottom=0.14, top=0.74, wspace=0.28)

    def __init__(self, rng, steps=40, eta=0.1, sequences=50):
        rng = validate.generator("rng", rng)
        self.steps = validate.integer("steps", steps, lo=len(FIXED_START), hi=1000)
        self.n_sequences = validate.integer("sequences", sequences, lo=2, hi=1000)
        validate.real("eta", eta)
        if not ETA_MIN <= eta <= ETA_MAX:
            raise ValueError(f"eta must lie in [{ETA_MIN}, {ETA_MAX}], got {eta!r}")
        ex = worked_example(float)
        self.model = Linear1D(ex.X, ex.y)
        self.x, self.y = ex.X[:, 0], ex.y
        self.w_star = float(self.x @ self.y / (self.x @ self.x))  # 2/5
        self.curvature = float(self.x @ self.x / self.model.n)  # L'' = 5/2
        self.seed = int(rng.integers(2**31))
        tails = np.random.default_rng(self.seed).integers(
            0, self.model.n, size=(self.n_sequences, self.steps - len(FIXED_START))
        )
        self.orders = np.hstack([np.tile(FIXED_START, (self.n_sequences, 1)), tails])  # (R, T), zero-based
        self.order = self.orders[0]  # the sequence drawn as one run
        self._sgd_batches = [[i] for i in self.order]
        self._gd_batches = [np.arange(self.model.n)] * self.steps
        # the right panel's curves over the slider's positions, computed once
        self.eta_grid = 10 ** np.arange(np.log10(ETA_MIN), np.log10(ETA_MAX) + ETA_STEP / 2, ETA_STEP)
        with np.errstate(over="ignore", invalid="ignore"):
            sgd_w = sequence_runs(self.eta_grid, self.orders, self.x, self.y)
            self.sgd_distance = second_half_rms(sgd_w, self.w_star).mean(axis=-1)
            self.gd_distance = second_half_rms(
                gd_runs(self.eta_grid, self.steps, self.w_star, self.curvature), self.w_star
            )
        slider = W.FloatLogSlider(
            value=eta,
            base=10,
            min=np.log10(ETA_MIN),
            max=np.log10(ETA_MAX),
            step=ETA_STEP,
            description="η",
            readout_format=".3g",  # 3 significant digits: all 201 positions read differently
            continuous_update=True,
        )
        super().__init__({"eta": slider})

    def runs(self, eta):
        """(SGD trajectory of the first sequence, GD trajectory), each with steps + 1 iterates w_t
        (fewer if it diverged)."""
        w0 = np.zeros(1)
        return (sgd(self.model, w0, eta, batches=self._sgd_batches), sgd(self.model, w0, eta, batches=self._gd_batches))

    def band(self, eta):
        """w_t of SGD for every draw sequence at this eta: shape (sequences, steps + 1)."""
        return sequence_runs(eta, self.orders, self.x, self.y)

    def draw(self):
        ax_w, ax_d = self.ax_w, self.ax_d = self.fig.subplots(1, 2)
        ax_w.axhline(self.w_star, color="k", ls="--", lw=1, label=f"$w^*$ = {self.w_star:g}")
        self.band_patch = Polygon(np.zeros((0, 2)), closed=True, color=SGD_COLOUR, alpha=0.25, lw=0)
        ax_w.add_patch(self.band_patch)
        (self.sgd_w,) = ax_w.plot([], [], "o-", color=SGD_COLOUR, ms=2.5, lw=0.9, label="SGD: one run")
        (self.mean_w,) = ax_w.plot(
            [], [], ":", color=SGD_COLOUR, lw=2.4, zorder=4, label=f"SGD: mean ± sd of {self.n_sequences} runs"
        )
        (self.gd_w,) = ax_w.plot([], [], "--", color=GD_COLOUR, lw=1.6, zorder=3, label="full-batch GD")
        ax_w.set_xlim(0, self.steps)
        ax_w.set_ylim(*W_LIM)
        ax_w.set_xlabel("step $t$")
        ax_w.set_ylabel("$w_t$")
        ax_w.legend(
            loc="lower left",
            bbox_to_anchor=(-0.02, 1.0),
            ncol=2,
            frameon=False,
            borderaxespad=0.1,
            handles=[self.sgd_w, self.mean_w, self.gd_w, ax_w.lines[0]],
        )
        self.band_patch.set_label(None)

        floor = DIST_LIM[0]
        ax_d.plot(
            self.eta_grid,
            above_floor(self.sgd_distance, floor),
            color=SGD_COLOUR,
            lw=1.6,
            label=f"SGD: mean of {self.n_sequences} runs' rms",
        )
        gd = above_floor(self.gd_distance, floor)
        ax_d.plot(
            self.eta_grid,
            gd,
            "--",
            color=GD_COLOUR,
            lw=1.6,
            label="GD",
        )
        for k, t in enumerate(THRESHOLDS):
            style = ":" if t.denominator in (4, 2) else "-."  # example 2's thresholds, GD's thresholds
            ax_d.axvline(float(t), color="0.35", ls=style, lw=1)
            ax_d.text(
                float(t),
                10 ** (1.45 - 0.55 * (k % 2)),
                f"{t}",
                ha="center",
                va="center",
                fontsize=11.5,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5),
            )
        self.now = ax_d.axvline(np.nan, color="k", lw=1.4, label="current η")
        hidden = self.eta_grid[np.isnan(gd)]
        if hidden.size:  # say where GD is below the floor rather than leave a silent gap
            ax_d.text(
                np.sqrt(hidden[0] * hidden[-1]),
                floor * 1.4,
                f"GD below {floor:g}",
                color=GD_COLOUR,
                ha="center",
                va="bottom",
                fontsize=10,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5),
            )
        ax_d.set_xscale("log")
        ax_d.set_yscale("log")
        ax_d.set_xlim(ETA_MIN, ETA_MAX)
        ax_d.set_ylim(*DIST_LIM)
        ax_d.set_xlabel("η   (thresholds: example 2 dotted, GD dash-dot)")
        ax_d.set_ylabel(rf"rms $|w_t - w^*|$ over $t \geq {self.steps // 2}$")
        ax_d.legend(
            loc="lower left",
            bbox_to_anchor=(-0.02, 1.0),
            ncol=2,
            frameon=False,
            borderaxespad=0.1,
            handlelength=1.6,
            columnspacing=1.0,
        )
        self.stamp = self.add_stamp(y=0.985)
        self.dynamic = [self.band_patch, self.sgd_w, self.mean_w, self.gd_w, self.now, self.stamp]

    def update(self, eta):
        run_sgd, run_gd = self.runs(eta)
        for run, line in ((run_sgd, self.sgd_w), (run_gd, self.gd_w)):
            line.set_data(np.arange(len(run.thetas)), run.thetas[:, 0])
        w = self.band(eta)
        t = np.arange(self.steps + 1)
        mean, sd = w.mean(axis=0), w.std(axis=0)
        lo, hi = np.clip(mean - sd, -1e6, 1e6), np.clip(mean + sd, -1e6, 1e6)
        self.band_patch.set_xy(np.column_stack([np.concatenate([t, t[::-1]]), np.concatenate([lo, hi[::-1]])]))
        self.mean_w.set_data(t, mean)
        self.now.set_xdata([eta, eta])
        self.stamp.set_text(f"η = {eta:.3f}")
        ends = [("diverged at step %d" % r.diverged_at) if r.diverged else _fmt(r.theta[0]) for r in (run_sgd, run_gd)]
        return (
            f"eta = {eta:.3f}: {step_regime(eta)}; w_{self.steps} over {self.n_sequences} SGD runs "
            f"{_fmt(mean[-1])} ± {_fmt(sd[-1])}, one run {ends[0]}; GD {ends[1]}; w* = {self.w_star:g}"
        )
