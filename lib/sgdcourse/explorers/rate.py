"""LearningRateExplorer: an eta slider on gradient descent over a two-axis quadratic bowl.

The bowl (sgdcourse.QuadraticBowl) is L(theta) = (1/2) sum_k lambda_k (theta_k - c_k)^2, k = 1, 2.
Gradient descent multiplies the error e_t = theta_t - c along axis k by q_k = 1 - eta lambda_k
every step (sgdcourse.dynamics.contraction), so

    e_{t,k} = q_k^t e_{0,k},        L(theta_t) = (1/2) sum_k lambda_k q_k^(2t) e_{0,k}^2,

and the largest |q_k| decides what happens (sgdcourse.dynamics.regime names it). Left panel: the
path theta_0..theta_T on the contours of L; right panel: L(theta_t) against t on a log scale. Both
panels have fixed limits. A path that leaves them is cut after its first point outside (the
segment that crosses the edge is still drawn), and the path is coloured by its regime (Okabe-Ito: a
diverging run in vermillion), whose name it also shows. The figure states
eta above the panels, so a static copy says which slider value it shows.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import _validate as validate
from ..dynamics import gd_threshold, regime
from ..models import QuadraticBowl
from ..plots import PALETTE, plot_contours
from ..sgd import sgd
from .base import Explorer

GRID = 80  # slider step = (2 / lambda_max) / GRID; the slider runs to 1.2 times the threshold
BOX = 1.25  # half-width of the path panel, in units of max_k |e_{0,k}|
LOSS_SPAN = (1e-12, 1e3)  # loss panel limits, in units of L(theta_0)
COLORS = {
    "crawl": PALETTE["orange"],
    "converge": PALETTE["blue"],
    "edge": PALETTE["reddish purple"],
    "diverge": PALETTE["vermillion"],
}


def _kept(inside):
    """How many leading points to draw: all of them, or up to and including the first outside."""
    out = np.flatnonzero(~inside)
    return inside.size if out.size == 0 else int(out[0]) + 1


class LearningRateExplorer(Explorer):
    """eta slider: GD (sgdcourse.sgd with the full batch) for `steps` steps from theta0 on the
    bowl with `curvatures` (two numbers > 0) and minimum `center` (default the origin).

    The slider runs from (2 / lambda_max) / 80 to 1.2 (2 / lambda_max) in steps of
    (2 / lambda_max) / 80, so it passes through crawl, converge, the edge and divergence;
    `eta` is its initial value. The path panel is the square c +- 1.25 max_k |e_{0,k}| (a
    converging path has |e_{t,k}| <= |e_{0,k}| and stays inside); the loss panel spans
    1e-12 .. 1e3 times L(theta_0). run(eta) returns the Trajectory that update draws.
    """

    figsize = (8.6, 3.7)
    margins = dict(left=0.08, right=0.98, bottom=0.14, top=0.86, wspace=0.3)
    shows = (
        "Left: the gradient-descent path on the contours of a two-axis bowl; right: the loss against the step "
        "on a log scale, for the chosen eta, with the regime (crawl, converge, edge or diverge) named on the path."
    )

    def __init__(self, curvatures, theta0, center=None, steps=60, eta=0.1):
        lam = validate.array("curvatures", curvatures, 1, 2)
        self.bowl = QuadraticBowl(lam, center=center)
        self.theta0 = validate.array("theta0", theta0, 1, 2).astype(float)
        self.steps = validate.integer("steps", steps, lo=1, hi=2000)
        self.lam, self.c = self.bowl.curvatures.astype(float), self.bowl.center.astype(float)
        self.threshold = float(gd_threshold(self.lam.max()))
        lo, step = self.threshold / GRID, self.threshold / GRID
        hi = 1.2 * self.threshold
        validate.real("eta", eta)
        if not lo - 1e-12 <= eta <= hi + 1e-12:
            raise ValueError(f"eta must lie in [{lo:.4g}, {hi:.4g}] (up to 1.2 * 2/lambda_max), got {eta!r}")
        e0 = self.theta0 - self.c
        if not np.abs(e0).max() > 0:
            raise ValueError("theta0 is the minimum itself: there is nothing to descend")
        self.half = BOX * float(np.abs(e0).max())
        self.loss0 = float(self.bowl.loss(self.theta0))
        self.loss_lim = (LOSS_SPAN[0] * self.loss0, LOSS_SPAN[1] * self.loss0)
        slider = W.FloatSlider(
            value=eta, min=lo, max=hi, step=step, description="η", readout_format=".3f", continuous_update=True
        )
        super().__init__({"eta": slider})

    def run(self, eta):
        """GD on the bowl: a Trajectory with steps + 1 iterates (fewer if the driver stopped it)."""
        return sgd(self.bowl, self.theta0, eta, m=1, steps=self.steps)

    def draw(self):
        ax_p, ax_l = self.ax_path, self.ax_loss = self.fig.subplots(1, 2, gridspec_kw=dict(width_ratios=(1, 1.25)))
        (x0, x1), (y0, y1) = (
            (self.c[0] - self.half, self.c[0] + self.half),
            (self.c[1] - self.half, self.c[1] + self.half),
        )
        levels = self.loss0 * np.array([0.01, 0.05, 0.15, 0.3, 0.5, 0.75, 1, 1.5, 2.2, 3.2, 4.5])
        plot_contours(self.bowl.loss, (x0, x1), (y0, y1), ax=ax_p, levels=levels, n=60, linewidths=0.7, minimum=self.c)
        ax_p.plot(*self.theta0, "ko", ms=4)
        (self.path,) = ax_p.plot([], [], "o-", ms=2.5, lw=1)
        self.label = ax_p.text(0.03, 0.95, "", transform=ax_p.transAxes, va="top", fontsize=11, weight="bold")
        ax_p.set_xlim(x0, x1)
        ax_p.set_ylim(y0, y1)
        ax_p.set_aspect("equal")
        lam = ", ".join(f"{v:g}" for v in self.lam)
        ax_p.set_title(rf"GD path, $\lambda$ = ({lam})", fontsize=9)
        (self.loss_line,) = ax_l.plot([], [], "-", lw=1.6)
        ax_l.set_yscale("log")
        ax_l.set_xlim(0, self.steps)
        ax_l.set_ylim(*self.loss_lim)
        ax_l.set_xlabel("step t")
        ax_l.set_ylabel(r"$L(\theta_t)$")
        ax_l.set_title(
            rf"loss per step; diverges above" "\n" rf"$\eta = 2/\lambda_{{\max}}$ = {self.threshold:.3g}", fontsize=9
        )
        self.stamp = self.add_stamp(0.015, 0.985, "left")
        self.dynamic = [self.path, self.label, self.loss_line, self.stamp]

    def update(self, eta):
        name, q = regime(eta, self.lam)
        run = self.run(eta)
        thetas, losses = run.thetas, run.losses
        k = _kept((np.abs(thetas - self.c) <= self.half).all(axis=1))
        self.path.set_data(thetas[:k, 0], thetas[:k, 1])
        j = _kept(losses <= self.loss_lim[1])
        self.loss_line.set_data(np.arange(j), np.maximum(losses[:j], self.loss_lim[0] / 10))
        color = COLORS[name]
        for artist in (self.path, self.loss_line, self.label):
            artist.set_color(color)
        self.label.set_text(name)
        self.stamp.set_text(f"η = {eta:.3f}")
        factors = ", ".join(f"{v:.3f}" for v in q)
        text = f"eta = {eta:.3f}: {name}; factors 1 - eta*lambda_k = ({factors}); 2/lambda_max = {self.threshold:.3g}; "
        if run.diverged:
            return text + f"diverged at step {run.diverged_at}"
        if name == "diverge":
            return text + f"error grows x{np.abs(q).max():.3f} per step, loss {losses[-1]:.3g} at step {self.steps}"
        return text + f"loss {losses[-1]:.3g} at step {self.steps}"
