"""WorkedExampleExplorer: an eta slider on lesson 02's two-point example.

Data (x, y) = (1, 2), (2, 0), model y_hat = w x, l_i = (1/2)(w x_i - y_i)^2 and
L(w) = (1/2)(l_1 + l_2), minimised at w* = sum x_i y_i / sum x_i^2 = 2/5 with L(w*) = 4/5.
For the slider's eta, two runs from w0 = 0 over the same number of steps T:

    SGD:  w_{t+1} = w_t - eta (w_t x_i - y_i) x_i,  i = i_t   (one example per step)
    GD:   w_{t+1} = w_t - eta dL/dw(w_t),  dL/dw = (5 w - 2) / 2

SGD draws the examples 1, 2, 1 (the steps done by hand in the lesson) and then uniformly at
random; the random tail is drawn once, so every eta sees the same sequence of examples.
Left panel: w_t against t for both runs and w*. Right panel: L(w_t) - L(w*) on a log scale.
Both panels have fixed limits: a run that leaves them (GD diverges for eta > 4/5) is clipped
at the edge, and the readout gives its final value.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import _validate as validate
from ..data import worked_example
from ..models import Linear1D
from ..sgd import sgd
from .base import Explorer

ETA_MIN, ETA_MAX = 0.01, 1.0
FIXED_START = (0, 1, 0)  # zero-based: the lesson's examples 1, 2, 1
W_LIM, GAP_LIM = (-2.0, 3.0), (1e-8, 1e3)
GAP_FLOOR = 1e-12  # L(w_t) - L(w*) can be exactly 0; log axes need a positive stand-in


def _fmt(v):
    return f"{v:.3f}" if abs(v) < 1e4 else f"{v:.3g}"


class WorkedExampleExplorer(Explorer):
    """eta slider: SGD (examples 1, 2, 1, then uniform draws from rng) and full-batch GD on the
    two-point data for `steps` steps from w0 = 0. `eta` is the slider's initial value.

    runs(eta) returns the two sgdcourse Trajectories that update draws.
    """

    figsize = (8.4, 3.6)
    margins = dict(left=0.09, right=0.98, bottom=0.15, top=0.78, wspace=0.3)

    def __init__(self, rng, steps=40, eta=0.1):
        rng = validate.generator("rng", rng)
        self.steps = validate.integer("steps", steps, lo=len(FIXED_START), hi=1000)
        validate.real("eta", eta)
        if not ETA_MIN <= eta <= ETA_MAX:
            raise ValueError(f"eta must lie in [{ETA_MIN}, {ETA_MAX}], got {eta!r}")
        ex = worked_example(float)
        self.model = Linear1D(ex.X, ex.y)
        x, y = ex.X[:, 0], ex.y
        self.w_star = float(x @ y / (x @ x))  # 2/5
        self.loss_star = float(self.model.loss(np.array([self.w_star])))  # 4/5
        self.seed = int(rng.integers(2**31))
        tail = np.random.default_rng(self.seed).integers(0, self.model.n, size=self.steps - len(FIXED_START))
        self.order = np.concatenate([FIXED_START, tail])  # i_t for t = 0..steps-1, zero-based
        self._sgd_batches = [[i] for i in self.order]
        self._gd_batches = [np.arange(self.model.n)] * self.steps
        slider = W.FloatLogSlider(
            value=eta,
            base=10,
            min=np.log10(ETA_MIN),
            max=np.log10(ETA_MAX),
            step=0.01,
            description="η",
            readout_format=".3f",
            continuous_update=True,
        )
        super().__init__({"eta": slider})

    def runs(self, eta):
        """(SGD trajectory, GD trajectory), each with steps + 1 iterates w_t (fewer if it diverged)."""
        w0 = np.zeros(1)
        return (sgd(self.model, w0, eta, batches=self._sgd_batches), sgd(self.model, w0, eta, batches=self._gd_batches))

    def draw(self):
        ax_w, ax_l = self.ax_w, self.ax_l = self.fig.subplots(1, 2)
        for ax in (ax_w, ax_l):
            span = ax.axvspan(0, len(FIXED_START), color="0.9", lw=0, label="examples 1, 2, 1")
            ax.set_xlim(0, self.steps)
            ax.set_xlabel("step t")
        ax_w.axhline(self.w_star, color="k", ls="--", lw=1, label=f"$w^*$ = {self.w_star:g}")
        (self.sgd_w,) = ax_w.plot([], [], "o-", color="C3", ms=2.5, lw=1, label="SGD")
        (self.gd_w,) = ax_w.plot([], [], "-", color="C0", lw=1.8, label="full-batch GD")
        ax_w.set_ylim(*W_LIM)
        ax_w.set_ylabel("$w_t$")
        ax_w.set_title("iterates", fontsize=9)
        (self.sgd_l,) = ax_l.plot([], [], "o-", color="C3", ms=2.5, lw=1)
        (self.gd_l,) = ax_l.plot([], [], "-", color="C0", lw=1.8)
        ax_l.set_yscale("log")
        ax_l.set_ylim(*GAP_LIM)
        ax_l.set_ylabel(r"$L(w_t) - L(w^*)$")
        ax_l.set_title(rf"loss above its minimum $L(w^*)$ = {self.loss_star:g}", fontsize=9)
        self.fig.legend(
            handles=[self.sgd_w, self.gd_w, ax_w.lines[0], span],
            loc="upper center",
            ncol=4,
            fontsize=8,
            frameon=False,
            bbox_to_anchor=(0.5, 1.0),
        )
        self.dynamic = [self.sgd_w, self.gd_w, self.sgd_l, self.gd_l]

    def update(self, eta):
        run_sgd, run_gd = self.runs(eta)
        for run, line_w, line_l in ((run_sgd, self.sgd_w, self.sgd_l), (run_gd, self.gd_w, self.gd_l)):
            t = np.arange(len(run.thetas))
            line_w.set_data(t, run.thetas[:, 0])
            line_l.set_data(t, np.maximum(run.losses - self.loss_star, GAP_FLOOR))
        factor = 1 - eta * (self.model.X[:, 0] @ self.model.X[:, 0]) / self.model.n  # 1 - eta L''
        ends = [("diverged at step %d" % r.diverged_at) if r.diverged else _fmt(r.theta[0]) for r in (run_sgd, run_gd)]
        return (
            f"eta = {eta:.2f}: w_{self.steps} SGD = {ends[0]}, GD = {ends[1]}, w* = {self.w_star:g}; "
            f"GD factor 1 - 5 eta/2 = {factor:.3f}"
        )
