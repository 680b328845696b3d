"""MomentumExplorer: plain gradient descent and the heavy ball on an ill-conditioned valley.

The valley is a QuadraticBowl with curvatures (lambda_1, lambda_2), minimum at 0, no offsets,
so every gradient is exact: L(theta) = (1/2) sum_k lambda_k theta_k^2. From the same theta_0,
with the same eta and for `steps` steps:

    plain:       theta_{t+1} = theta_t - eta grad L(theta_t)
    heavy ball:  v_{t+1} = beta v_t + grad L(theta_t),  theta_{t+1} = theta_t - eta v_{t+1},  v_0 = 0

(sgdcourse.sgd with momentum=0 and momentum=beta). The slider sets beta. Left: both paths on the
contours of L (fixed limits). Right: L(theta_t) for both on a log scale with the tolerance line.
The readout gives the heavy ball's stability limit 2(1 + beta)/lambda_max for the slider's beta
and, for each run, the number of steps after which the loss stays below `tol`.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import _validate as validate
from ..dynamics import gd_threshold, momentum_threshold
from ..models import QuadraticBowl
from ..plots import PALETTE, plot_contours
from ..sgd import sgd
from ..trajectory import steps_to_tolerance
from .base import Explorer

LOSS_FLOOR = 1e-10  # losses below this are drawn at the bottom of the log axis


def _steps_text(run, tol):
    if run.diverged:
        return f"diverged at step {run.diverged_at}"
    t = steps_to_tolerance(run.losses, tol)
    return f"not within {run.steps} steps" if t is None else f"{t} steps"


def beta_slider(beta, beta_max):
    """The momentum slider of the heavy-ball explorers: beta from 0 to beta_max in steps of 0.01."""
    return W.FloatSlider(
        value=float(beta),
        min=0.0,
        max=beta_max,
        step=0.01,
        description="β",
        readout_format=".2f",
        continuous_update=True,
    )


class MomentumExplorer(Explorer):
    """beta slider: plain GD and the heavy ball on QuadraticBowl(curvatures) from theta0.

    curvatures: two numbers > 0 (floor, walls); theta0: shape (2,); eta > 0; steps >= 1;
    beta: the slider's initial value in [0, beta_max]; tol > 0: the loss level that counts as
    arrived. runs(beta) returns the two Trajectories (plain, heavy ball) that update draws.
    """

    figsize = (8.6, 3.4)
    margins = dict(left=0.09, right=0.98, bottom=0.15, top=0.8, wspace=0.3)
    shows = (
        "Left: the paths of plain gradient descent (dashed) and of the heavy ball (solid) on the contours of a "
        "narrow valley; right: their losses against the step, with the tolerance, for the chosen momentum beta."
    )

    def __init__(
        self, curvatures=(1.0, 50.0), theta0=(-8.0, 1.0), eta=0.036, steps=300, beta=0.7, tol=1e-4, beta_max=0.99
    ):
        lam = validate.array("curvatures", curvatures, 1, 2).astype(float)
        if not (lam > 0).all():
            raise ValueError(f"curvatures must be two numbers > 0, got {curvatures!r}")
        self.theta0 = validate.array("theta0", theta0, 1, 2).astype(float)
        self.eta = float(validate.positive("eta", eta))
        self.steps = validate.integer("steps", steps, lo=1, hi=5000)
        self.tol = float(validate.positive("tol", tol))
        self.beta_max = float(validate.in_range("beta_max", beta_max, 0, 1))
        if not 0 <= validate.real("beta", beta) <= self.beta_max:
            raise ValueError(f"beta must lie in [0, {self.beta_max}], got {beta!r}")
        self.bowl = QuadraticBowl(lam)
        self.curvatures = lam
        self.plain = sgd(self.bowl, self.theta0, self.eta, m=1, steps=self.steps)  # does not depend on beta
        a1, a2 = self.theta0 + (self.theta0 == 0)  # a zero coordinate still gets a window
        self.xlim = tuple(sorted((1.15 * a1, -0.5 * a1)))  # the floor: from theta0 to past the minimum
        self.ylim = (-1.3 * abs(a2), 1.3 * abs(a2))  # the walls: symmetric about the floor
        super().__init__({"beta": beta_slider(beta, self.beta_max)})

    def runs(self, beta):
        """(plain GD, heavy ball with this beta): sgdcourse Trajectories of `steps` steps."""
        return self.plain, sgd(self.bowl, self.theta0, self.eta, m=1, steps=self.steps, momentum=beta)

    def draw(self):
        ax_p, ax_l = self.ax_path, self.ax_loss = self.fig.subplots(1, 2, width_ratios=[1.35, 1])
        L0 = float(self.bowl.loss(self.theta0))
        levels = L0 * np.geomspace(1e-4, 1.5, 12)
        plot_contours(
            self.bowl.loss,
            self.xlim,
            self.ylim,
            ax=ax_p,
            levels=levels,
            n=60,
            linewidths=0.7,
            minimum=self.bowl.minimum,
        )
        (self.plain_path,) = ax_p.plot(
            *self.plain.thetas.T, "o--", color=PALETTE["vermillion"], ms=2, lw=0.9, label="plain GD"
        )
        (self.path,) = ax_p.plot([], [], "o-", color=PALETTE["blue"], ms=2, lw=1.1, label="heavy ball")
        ax_p.set_xlim(*self.xlim)
        ax_p.set_ylim(*self.ylim)
        ax_p.set_xlabel(r"$\theta_1$ (along the floor)")
        ax_p.set_ylabel(r"$\theta_2$ (across the walls)")
        ax_p.set_title(r"valley $\lambda$ = (%g, %g)" % tuple(self.curvatures), fontsize=9)
        t = np.arange(self.steps + 1)
        plain_losses = np.full(t.size, np.nan)
        plain_losses[: len(self.plain.losses)] = self.plain.losses
        ax_l.semilogy(
            t, np.maximum(plain_losses, LOSS_FLOOR), "--", color=PALETTE["vermillion"], lw=1.2, label="plain GD"
        )
        (self.loss_line,) = ax_l.semilogy(t, np.full(t.size, np.nan), color=PALETTE["blue"], lw=1.4, label="heavy ball")
        ax_l.axhline(self.tol, color="k", ls=":", lw=1, label=f"tol = {self.tol:g}")
        ax_l.set_xlim(0, self.steps)
        ax_l.set_ylim(LOSS_FLOOR, 10 * L0)
        ax_l.set_xlabel("step t")
        ax_l.set_ylabel(r"$L(\theta_t)$")
        ax_l.legend(loc="lower left", fontsize=7)  # the curves start top left and fall to the right
        # static, so drawn once into the cached background: the figure has no text that changes
        # (a line of text drawn at every update cost about 3 ms); the readout gives the numbers
        self.fig.suptitle(
            rf"$\eta$ = {self.eta:g}: heavy ball stable for $\eta < 2(1+\beta)/\lambda_{{\max}}$, "
            rf"plain GD for $\eta < 2/\lambda_{{\max}}$ = {gd_threshold(self.curvatures.max()):.3f}",
            fontsize=9,
            y=0.985,
        )
        ax_p.legend(handles=[self.plain_path, self.path], loc="lower right", fontsize=7)
        self.dynamic = [self.path, self.loss_line]

    def update(self, beta):
        plain, heavy = self.runs(beta)
        self.path.set_data(heavy.thetas[:, 0], heavy.thetas[:, 1])
        y = np.full(self.steps + 1, np.nan)
        y[: len(heavy.losses)] = heavy.losses
        self.loss_line.set_ydata(np.maximum(y, LOSS_FLOOR))
        limit = momentum_threshold(self.curvatures.max(), beta)
        return (
            f"beta = {beta:.2f}: stable for eta < 2(1 + beta)/lambda_max = {limit:.3f}; "
            f"steps until the loss stays below {self.tol:g}: "
            f"plain GD {_steps_text(plain, self.tol)}, heavy ball {_steps_text(heavy, self.tol)}"
        )
