"""MomentumMapExplorer: the heavy ball's rate over the whole (eta, beta) plane, and a run at the learner's pair.

The valley is a QuadraticBowl with curvatures (lambda_min, lambda_max), minimum at 0, exact gradients. The
heavy ball (v <- beta v + grad L, theta <- theta - eta v) multiplies its error by about rho(eta, beta) per step,
where rho is the spectral radius of its 2 x 2 step on the worst axis (sgdcourse.dynamics.momentum_bowl_rate).
Left panel, in the style of Distill's "Why Momentum Really Works": rho as a colour map over eta in
(0, 2 (1 + beta_max) / lambda_max] and beta in [0, beta_max], computed once when the explorer is built; grey
where rho >= 1 (the runs diverge), the stability boundary eta = 2 (1 + beta) / lambda_max drawn, the best pair
of sgdcourse.dynamics.momentum_optimum marked, and the learner's (eta, beta) as a dot. Right panel: L(theta_t)
of the heavy ball and of plain GD at the same eta (sgdcourse.sgd, the library's driver) against t, with the
slope L_0 rho^(2t) the map predicts. The figure states eta, beta and rho above the panels.
"""

from __future__ import annotations

import math

import ipywidgets as W
import matplotlib
import numpy as np

from .. import _validate as validate
from ..dynamics import gd_threshold, momentum_bowl_rate, momentum_optimum, momentum_threshold
from ..models import QuadraticBowl
from ..plots import PALETTE
from ..sgd import sgd
from .base import Explorer
from .momentum import beta_slider

ETA_STEPS = 400  # the eta slider has ETA_STEPS values, eta_top / ETA_STEPS apart
MAP = (241, 200)  # the rate map's cells along eta and along beta
GD_CACHE = 2 * ETA_STEPS  # plain GD's runs kept, one per eta (a few kB each)
LOSS_FLOOR = 1e-12  # losses below this are drawn at the bottom of the log axis
LEVELS = (0.8, 0.9, 0.95, 0.99)  # contours of rho drawn on the map (those above the best rate)


def _steps_per_tenfold(rho):
    """ln 10 / -ln rho: the steps that shrink the error tenfold at the rate rho < 1."""
    return np.log(10) / -np.log(rho)


class MomentumMapExplorer(Explorer):
    """eta and beta sliders: the heavy ball on QuadraticBowl(curvatures) from theta0, and its rate map.

    curvatures: two numbers > 0 (lambda_min != lambda_max); theta0: shape (2,), not the minimum 0; steps >= 1;
    beta_max in [0.01, 1): the top of the beta slider (step 0.01). The eta slider runs from eta_top / ETA_STEPS
    to eta_top = 2 (1 + beta_max) / lambda_max, the largest step any beta on the slider keeps stable, in steps of
    eta_top / ETA_STEPS. eta and beta start the sliders (rounded to their grids); by default they start at plain
    GD's best step eta = 2 / (lambda_min + lambda_max) and beta = 0. runs(eta, beta) returns the Trajectories
    (plain GD, heavy ball) that update draws; rate(eta, beta) the map's value there. The map itself is
    self.rates, shape (MAP[1], MAP[0]), over the cell centres self.map_etas and self.map_betas.
    """

    figsize = (9.4, 4.2)
    margins = dict(left=0.075, right=0.985, bottom=0.14, top=0.77, wspace=0.62)
    shows = (
        "Left: the heavy ball's rate rho over the step size eta and the momentum beta, with the stability edge, "
        "the best pair (a star) and the chosen one (a dot); right: its loss against the step, plain GD's (dotted)"
        " and the predicted slope (dashed)."
    )

    def __init__(self, curvatures=(1.0, 50.0), theta0=(-8.0, 1.0), steps=200, eta=None, beta=None, beta_max=0.99):
        lam = validate.array("curvatures", curvatures, 1, 2).astype(float)
        if not (lam > 0).all() or lam[0] == lam[1]:
            raise ValueError(f"curvatures must be two different numbers > 0, got {curvatures!r}")
        self.curvatures = np.sort(lam)
        self.theta0 = validate.array("theta0", theta0, 1, 2).astype(float)
        if not np.abs(self.theta0).max() > 0:
            raise ValueError("theta0 is the minimum itself: give a start away from 0")
        self.steps = validate.integer("steps", steps, lo=1, hi=5000)
        self.beta_max = math.floor(float(validate.in_range("beta_max", beta_max, 0, 1)) * 100 + 1e-9) / 100
        if not self.beta_max >= 0.01:  # on the slider's grid of 0.01, below 1
            raise ValueError(f"beta_max must be at least the slider's step 0.01, got {beta_max!r}")
        lo, hi = self.curvatures
        self.bowl = QuadraticBowl(self.curvatures)
        self.eta_top = float(momentum_threshold(hi, self.beta_max))
        self.eta_step = self.eta_top / ETA_STEPS
        self.best = momentum_optimum(self.curvatures)  # (eta*, beta*, rho*)
        self.gd_best = float(momentum_bowl_rate(2 / (lo + hi), 0.0, self.curvatures))  # (kappa - 1) / (kappa + 1)
        if eta is None:  # plain GD's best step: from there the learner can look for a better pair
            eta = 2 / (lo + hi)
        if not self.eta_step * (1 - 1e-9) <= validate.positive("eta", eta) <= self.eta_top * (1 + 1e-9):
            raise ValueError(f"eta must lie in [{self.eta_step:.4g}, {self.eta_top:.4g}], got {eta!r}")
        eta = self.eta_step * min(max(round(eta / self.eta_step), 1), ETA_STEPS)  # a value of the slider's grid
        if beta is None:
            beta = 0.0
        if not 0 <= validate.real("beta", beta) <= self.beta_max:
            raise ValueError(f"beta must lie in [0, {self.beta_max}], got {beta!r}")
        beta = round(float(beta), 2)
        # the map, once: cell centres over (0, eta_top] x [0, beta_max]
        self.map_etas = (np.arange(MAP[0]) + 0.5) * self.eta_top / MAP[0]
        self.map_betas = (np.arange(MAP[1]) + 0.5) * self.beta_max / MAP[1]
        self.rates = momentum_bowl_rate(self.map_etas[None, :], self.map_betas[:, None], self.curvatures)
        self._gd = {}  # plain GD's run for each eta seen (it does not depend on beta)
        eta_slider = W.FloatSlider(
            value=eta,
            min=self.eta_step,
            max=self.eta_top,
            step=self.eta_step,
            description="η",
            readout_format=".4f",
            continuous_update=True,
        )
        super().__init__({"eta": eta_slider, "beta": beta_slider(beta, self.beta_max)})

    # the mathematics, from the library --------------------------------------------------------
    def rate(self, eta, beta):
        """rho(eta, beta): the heavy ball's factor per step on the valley's worst axis (>= 1: it diverges)."""
        return float(momentum_bowl_rate(eta, beta, self.curvatures))

    def runs(self, eta, beta):
        """(plain GD, heavy ball): sgdcourse Trajectories of `steps` steps at this eta (and beta)."""
        key = round(eta / self.eta_step, 6)
        if key not in self._gd:
            if len(self._gd) >= GD_CACHE:
                self._gd.clear()
            self._gd[key] = sgd(self.bowl, self.theta0, eta, steps=self.steps)
        return self._gd[key], sgd(self.bowl, self.theta0, eta, steps=self.steps, momentum=beta)

    # the view ---------------------------------------------------------------------------------
    def draw(self):
        ax_m, ax_l = self.ax_map, self.ax_loss = self.fig.subplots(1, 2, width_ratios=[1.15, 1])
        lo, hi = self.curvatures
        floor = float(np.floor(self.best[2] * 20) / 20)  # the colour scale: from below the best rate to 1
        cmap = matplotlib.colormaps["viridis"].with_extremes(over="0.82")  # grey: rho >= 1, the runs diverge
        extent = (0, self.eta_top, 0, self.beta_max)
        self.map_image = ax_m.imshow(
            np.where(self.rates < 1, self.rates, 2.0),
            origin="lower",
            extent=extent,
            aspect="auto",
            cmap=cmap,
            vmin=floor,
            vmax=1.0,
            interpolation="nearest",
        )
        levels = [v for v in LEVELS if v > self.best[2]]
        contours = ax_m.contour(self.map_etas, self.map_betas, self.rates, levels=levels, colors="w", linewidths=0.6)
        ax_m.clabel(contours, [v for v in levels if v < 0.99], fmt=lambda v: f"ρ = {v:g}", fontsize=8, colors="w")
        b = np.linspace(0, self.beta_max, 50)
        ax_m.plot(
            [momentum_threshold(hi, x) for x in b],
            b,
            color=PALETTE["vermillion"],
            lw=1.8,
            label=r"$\eta = 2(1+\beta)/\lambda_{\max}$",
        )
        ax_m.plot(*self.best[:2], "*", color="w", mec="k", ms=13, label=rf"best: $\rho^*$ = {self.best[2]:.3f}")
        ax_m.text(0.97 * self.eta_top, 0.08 * self.beta_max, "diverges", ha="right", color="0.25")
        (self.point,) = ax_m.plot(
            [], [], "o", color=PALETTE["orange"], mec="k", mew=1.2, ms=10, clip_on=False
        )  # whole at beta = 0
        ax_m.set_xlim(0, self.eta_top)
        ax_m.set_ylim(0, self.beta_max)
        ax_m.set_xlabel(r"step size $\eta$")
        ax_m.set_ylabel(r"momentum $\beta$")
        ax_m.legend(loc="lower left", bbox_to_anchor=(-0.02, 1.0), frameon=False, borderaxespad=0.1, ncol=1)
        bar = ax_m.inset_axes([1.03, 0.0, 0.04, 1.0])  # a child of the map, not a third axes
        label = rf"rate $\rho$ on $\lambda \in$ [{lo:g}, {hi:g}]"
        self.fig.colorbar(self.map_image, cax=bar, label=label, extend="max")
        L0 = float(self.bowl.loss(self.theta0))
        t = np.arange(self.steps + 1)
        (self.gd_line,) = ax_l.semilogy(t, np.full(t.size, np.nan), color="0.55", ls=":", lw=1.6, label="plain GD")
        (self.loss_line,) = ax_l.semilogy(
            t, np.full(t.size, np.nan), color=PALETTE["orange"], lw=3.5, label="heavy ball"
        )
        # the loss is a square of the error, so it shrinks by rho^2 per step; drawn thin on top of the heavy ball
        label = r"$L_0\,\rho^{2t}$ (the rate)"
        (self.slope,) = ax_l.semilogy(t, np.full(t.size, np.nan), "--", color="k", lw=1.0, zorder=3, label=label)
        self.loss_lim = (LOSS_FLOOR, 30 * L0)
        ax_l.set_xlim(0, self.steps)
        ax_l.set_ylim(*self.loss_lim)
        ax_l.set_xlabel("step t")
        ax_l.set_ylabel(r"$L(\theta_t)$")
        ax_l.legend(loc="lower left", bbox_to_anchor=(-0.02, 1.0), ncol=2, frameon=False, borderaxespad=0.1)
        self.warning = self.add_warning(ax_l)
        self.stamp = self.add_stamp(y=0.985)
        self.dynamic = [self.point, self.gd_line, self.loss_line, self.slope, self.warning, self.stamp]

    def _curve(self, run):
        y = np.full(self.steps + 1, 10 * self.loss_lim[1])  # a diverged run: off the top from then on
        y[: len(run.losses)] = np.minimum(run.losses, 10 * self.loss_lim[1])
        return np.maximum(y, LOSS_FLOOR / 10)

    def update(self, eta, beta):
        plain, heavy = self.runs(eta, beta)
        rho = self.rate(eta, beta)
        self.point.set_data([eta], [beta])
        self.gd_line.set_ydata(self._curve(plain))
        self.loss_line.set_ydata(self._curve(heavy))
        L0 = float(self.bowl.loss(self.theta0))
        with np.errstate(over="ignore"):
            slope = L0 * rho ** (2.0 * np.arange(self.steps + 1))
        self.slope.set_ydata(np.clip(slope, LOSS_FLOOR / 10, 10 * self.loss_lim[1]))
        self.stamp.set_text(f"η = {eta:.4f},  β = {beta:.2f}:  ρ = {rho:.3f}")
        limit = momentum_threshold(self.curvatures[1], beta)
        head = f"eta = {eta:.4f}, beta = {beta:.2f}: rate rho = {rho:.3f}"
        best = (
            f"best pair eta* = {self.best[0]:.4f}, beta* = {self.best[1]:.2f}: rho* = {self.best[2]:.3f} "
            f"= (sqrt(kappa) - 1)/(sqrt(kappa) + 1), plain GD's best {self.gd_best:.3f} = (kappa - 1)/(kappa + 1)"
        )
        gd = f"plain GD at this eta {'diverges' if eta >= gd_threshold(self.curvatures[1]) else 'converges'}"
        edge = "diverges: ρ ≥ 1\n" + rf"for η ≥ 2(1 + β)/$\lambda_{{\max}}$ = {limit:.4f}"
        self.warning.set_text(edge if rho >= 1 else "")
        if rho >= 1:
            return head + f": diverges (stable for eta < 2(1 + beta)/lambda_max = {limit:.4f}); {gd}; {best}"
        return (
            head + f", the error shrinks tenfold every {_steps_per_tenfold(rho):.1f} steps "
            f"(stable for eta < 2(1 + beta)/lambda_max = {limit:.4f}); {gd}; {best}"
        )
