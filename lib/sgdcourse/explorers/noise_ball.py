"""NoiseBallExplorer: where constant-eta SGD ends up, for the eta and batch size m on the sliders.

Mini-batch SGD on least squares, L(theta) = (1/2N) sum_i (x_i . theta - y_i)^2 with two parameters:
its gradient noise is the real thing, the spread of mean_{i in B} grad l_i over batches B drawn from
the N examples, not noise added by hand. With e = theta - theta* a step is

    e_{t+1} = e_t - eta (H_B e_t - b_B),   H_B = mean_{i in B} x_i x_i^T,   b_B = mean_{i in B} r_i x_i

(sgdcourse.minibatch.least_squares_batches draws H_B and b_B for every run, step and m;
sgdcourse.dynamics.error_paths runs all the runs at once). Left panel: the final iterates of every
run (the cloud), a few runs' paths, and the predicted ball, the ellipse theta* + 2 V^(1/2) u (|u| = 1)
of the stationary covariance V from sgdcourse.dynamics.noise_ball_covariance with the noise of
sgdcourse.minibatch.least_squares_noise; a 2-D normal cloud has 86% of its points inside it. Right
panel: the mean excess loss L(theta_t) - L(theta*) over the runs against t, full-batch GD's, and
the predicted floor (1/2) tr(H V). Above noise_ball_threshold (which rises with m towards GD's
2/lambda_max) there is no ball: the runs blow up. The figure states eta and m above the panels.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import _validate as validate
from ..dynamics import (
    error_paths,
    excess_loss,
    gd_error_path,
    gd_threshold,
    noise_ball_covariance,
    noise_ball_threshold,
)
from ..minibatch import least_squares_batches, least_squares_noise
from ..models import LeastSquares
from ..plots import PALETTE, plot_contours
from .base import Explorer

GRID = 30  # the eta slider has GRID + 1 values, evenly spaced on a log scale
TOP = 0.9  # the largest eta on the slider, as a share of GD's threshold 2 / lambda_max
SETTLED = 1e-3  # at the smallest eta, the runs' mean error must shrink below this share of e_0
BOX = 1.25  # half-width of the parameter panel, in units of max_k |theta0_k - theta*_k|
ELLIPSE = np.linspace(0, 2 * np.pi, 121)


def _powers_of_two(top):
    return [2**k for k in range(int(np.log2(top)) + 1)]


class NoiseBallExplorer(Explorer):
    """eta and m sliders: `runs` runs of `steps` SGD steps each on LeastSquares(X, y) from theta0.

    X: shape (N, 2), y: shape (N,), theta0: shape (2,); rng draws one seed, so every picture is
    reproducible. The m slider offers 1, 2, 4, ... up to m_max (at most N); batches are drawn with
    replacement, or without it inside a batch (replace=False), independently at every step. The eta
    slider runs on a log scale from TOP * (2 / lambda_max) / eta_span to TOP * 2 / lambda_max (by
    default eta starts a quarter of the way up); `steps` must let the runs settle at its smallest
    value. Every m and eta uses the same draws (the batch of size m is the start of the batch of
    size m_max), so a change of a slider changes only what it names. runs(eta, m) returns the errors
    theta_t - theta*, shape (steps + 1, runs, 2), that update draws; predicted(eta, m) the ball's
    covariance V (None at or above the threshold).
    """

    figsize = (8.8, 4.3)
    margins = dict(left=0.07, right=0.98, bottom=0.12, top=0.76, wspace=0.3)
    shows = (
        "Left: where many constant-eta SGD runs end (a cloud) on the loss contours, with the predicted noise "
        "ball; right: their mean excess loss against the step, with full-batch GD's (dotted) and the predicted "
        "floor (dashed)."
    )

    def __init__(
        self, X, y, theta0, rng, eta=None, m=1, runs=200, steps=400, m_max=64, paths=3, replace=True, eta_span=16
    ):
        X = validate.array("X", X, 2, cols=2).astype(float)
        y = validate.array("y", y, 1, X.shape[0]).astype(float)
        self.model = LeastSquares(X, y)
        rng = validate.generator("rng", rng)
        self.n_runs = validate.integer("runs", runs, lo=2)
        self.steps = validate.integer("steps", steps, lo=1)
        self.n_paths = validate.integer("paths", paths, lo=0, hi=self.n_runs)
        self.replace = bool(replace)
        m_max = validate.integer("m_max", m_max, lo=1, hi=self.model.n)
        self.sizes = _powers_of_two(m_max)
        m = validate.integer("m", m, lo=1, hi=m_max)
        if m not in self.sizes:
            raise ValueError(f"m must be one of the slider's batch sizes {self.sizes}, got {m}")
        self.noise = {k: least_squares_noise(X, y, k, self.replace) for k in self.sizes}
        first = self.noise[self.sizes[0]]
        self.minimiser, self.hessian = first.minimiser, first.hessian
        self.thresholds = {k: noise_ball_threshold(self.hessian, nz.noise_gain) for k, nz in self.noise.items()}
        lam = np.linalg.eigvalsh(self.hessian)
        self.gd_threshold = float(gd_threshold(lam.max()))
        span = validate.real("eta_span", eta_span)
        if not span > 1:
            raise ValueError(f"eta_span must be > 1 (the slider's largest eta over its smallest), got {eta_span!r}")
        self.eta_max = TOP * self.gd_threshold
        self.eta_min = self.eta_max / span
        if (1 - self.eta_min * lam.min()) ** self.steps > SETTLED:
            need = int(np.ceil(np.log(SETTLED) / np.log(1 - self.eta_min * lam.min())))
            raise ValueError(
                f"steps = {self.steps} are too few for the runs to settle at the smallest eta = {self.eta_min:.3g} "
                f"(lambda_min = {lam.min():.3g}): give steps >= {need}, or a smaller eta_span"
            )
        lo, hi = np.log10(self.eta_min), np.log10(self.eta_max)
        step = (hi - lo) / GRID
        eta = self.eta_min * span**0.25 if eta is None else float(validate.positive("eta", eta))
        if not self.eta_min * (1 - 1e-9) <= eta <= self.eta_max * (1 + 1e-9):
            raise ValueError(f"eta must lie in [{self.eta_min:.4g}, {self.eta_max:.4g}], got {eta!r}")
        eta = 10 ** (lo + round((np.log10(eta) - lo) / step) * step)  # a value of the slider's grid
        self.theta0 = validate.array("theta0", theta0, 1, 2).astype(float)
        self.e0 = self.theta0 - self.minimiser
        if not np.abs(self.e0).max() > 0:
            raise ValueError("theta0 is the minimiser itself: give a start away from it")
        self.seed = int(rng.integers(2**31))
        self.batch_hessians, self.batch_offsets = least_squares_batches(
            X, y, self.sizes, self.steps, self.n_runs, np.random.default_rng(self.seed), self.replace
        )
        self.half = BOX * float(np.abs(self.e0).max())
        self.loss0 = float(excess_loss(self.e0, self.hessian))
        smallest = self.predicted(self.eta_min, self.sizes[-1])  # the smallest ball on the sliders
        floor = 0.5 * float(np.trace(self.hessian @ smallest)) if smallest is not None else 1e-4 * self.loss0
        if not floor > 1e-12 * self.loss0:
            raise ValueError(
                "y is fitted exactly (y = X theta*): there is no gradient noise at the minimum, so no ball"
            )
        self.loss_lim = (0.2 * floor, 3 * self.loss0)
        eta_slider = W.FloatLogSlider(
            value=eta, base=10, min=lo, max=hi, step=step, description="η", readout_format=".3f", continuous_update=True
        )
        m_slider = W.SelectionSlider(options=self.sizes, value=m, description="batch m", continuous_update=True)
        super().__init__({"eta": eta_slider, "m": m_slider})

    # the mathematics, from the library --------------------------------------------------------
    def runs(self, eta, m):
        """The errors theta_t - theta* of every run, shape (steps + 1, runs, 2); NaN after a blow-up."""
        k = self.sizes.index(m)
        return error_paths(eta, self.e0, self.batch_hessians[k], self.batch_offsets[k])

    def predicted(self, eta, m):
        """The noise ball's covariance V, shape (2, 2), or None when eta is at or above its threshold."""
        if not eta < self.thresholds[m]:
            return None
        nz = self.noise[m]
        try:
            return noise_ball_covariance(eta, self.hessian, nz.noise_cov, nz.noise_gain)
        except ValueError:  # within rounding of the threshold
            return None

    # the view ---------------------------------------------------------------------------------
    def draw(self):
        ax_b, ax_l = self.ax_ball, self.ax_loss = self.fig.subplots(1, 2, width_ratios=[1, 1.15])
        c, h = self.minimiser, self.half
        xlim, ylim = (c[0] - h, c[0] + h), (c[1] - h, c[1] + h)
        levels = self.loss0 * np.array([0.02, 0.1, 0.25, 0.5, 1, 1.6, 2.4])
        excess = lambda theta: float(excess_loss(theta - c, self.hessian))  # noqa: E731
        plot_contours(excess, xlim, ylim, ax=ax_b, levels=levels, n=50, linewidths=0.6, minimum=c)
        ax_b.plot(*self.theta0, "ko", ms=4)
        self.paths = [ax_b.plot([], [], "-", color="0.35", lw=0.6, alpha=0.6)[0] for _ in range(self.n_paths)]
        self.cloud = ax_b.scatter(
            [], [], s=7, color=PALETTE["blue"], alpha=0.7, lw=0, label=f"θ after {self.steps} steps"
        )
        (self.ball,) = ax_b.plot([], [], color=PALETTE["vermillion"], lw=1.8, label="predicted ball (2 sd)")
        self.warning = self.add_warning(ax_b)
        ax_b.set_xlim(*xlim)
        ax_b.set_ylim(*ylim)
        ax_b.set_aspect("equal")
        ax_b.legend(loc="lower left", bbox_to_anchor=(-0.02, 1.0), frameon=False, borderaxespad=0.1)
        t = np.arange(self.steps + 1)
        (self.gd_line,) = ax_l.semilogy(t, np.full(t.size, np.nan), color="0.5", ls=":", lw=1.4, label="full-batch GD")
        (self.mean_line,) = ax_l.semilogy(
            t, np.full(t.size, np.nan), color=PALETTE["blue"], lw=1.4, label="mean of the runs"
        )
        (self.floor,) = ax_l.plot(
            [0, self.steps], [np.nan, np.nan], "--", color=PALETTE["vermillion"], lw=1.4, label="predicted floor"
        )
        ax_l.set_xlim(0, self.steps)
        ax_l.set_ylim(*self.loss_lim)
        ax_l.set_xlabel("step t")
        ax_l.set_ylabel(r"$L(\theta_t) - L(\theta^*)$")
        ax_l.legend(loc="lower left", bbox_to_anchor=(-0.02, 1.0), ncol=2, frameon=False, borderaxespad=0.1)
        self.stamp = self.add_stamp()
        self.dynamic = [*self.paths, self.cloud, self.ball, self.warning, self.mean_line, self.gd_line, self.floor]
        self.dynamic.append(self.stamp)

    def update(self, eta, m):
        errors = self.runs(eta, m)
        final = errors[-1]
        alive = np.isfinite(final).all(axis=1)
        self.cloud.set_offsets(self.minimiser + final[alive])
        for line, run in zip(self.paths, np.moveaxis(errors[:, : self.n_paths], 1, 0)):
            line.set_data(*(self.minimiser + run).T)
        big = 10 * self.loss_lim[1]
        excess = excess_loss(errors, self.hessian)  # NaN for a run that blew up: off the top from then on
        mean = np.where(np.isnan(excess), big, excess).mean(axis=1)
        self.mean_line.set_ydata(np.clip(mean, self.loss_lim[0] / 10, big))
        gd = excess_loss(gd_error_path(eta, self.hessian, self.e0, self.steps), self.hessian)
        self.gd_line.set_ydata(np.maximum(gd, self.loss_lim[0] / 10))
        self.stamp.set_text(f"η = {eta:.3f},  m = {m}")
        V = self.predicted(eta, m)
        head = f"eta = {eta:.3f}, m = {m}: "
        gd_text = f"GD: 2/lambda_max = {self.gd_threshold:.3f}"
        if V is None:
            self.ball.set_data([], [])
            self.floor.set_ydata([np.nan, np.nan])
            self.warning.set_text(f"no ball: η ≥ {self.thresholds[m]:.3f}\nruns blow up at m = {m}")
            return (
                head + f"no noise ball: at m = {m} the spread grows for eta >= {self.thresholds[m]:.3f} ({gd_text}); "
                f"{self.n_runs - alive.sum()} of {self.n_runs} runs blew up within {self.steps} steps"
            )
        self.warning.set_text("")
        lam, U = np.linalg.eigh(V)
        ring = self.minimiser[:, None] + 2 * (U * np.sqrt(lam)) @ np.array([np.cos(ELLIPSE), np.sin(ELLIPSE)])
        self.ball.set_data(*ring)
        floor = 0.5 * float(np.trace(self.hessian @ V))
        self.floor.set_ydata([floor, floor])
        measured = np.sqrt(np.diag(U.T @ np.cov(final[alive].T) @ U)) if alive.sum() > 1 else np.full(2, np.nan)
        ex_now = excess_loss(final[alive], self.hessian).mean() if alive.any() else np.inf
        lost = "" if alive.all() else f"; {self.n_runs - alive.sum()} of {self.n_runs} runs blew up"
        return head + (
            f"sd along the ball's axes measured ({measured[1]:.3f}, {measured[0]:.3f}), "
            f"predicted ({np.sqrt(lam[1]):.3f}, {np.sqrt(lam[0]):.3f}); "
            f"mean excess loss at step {self.steps} measured {ex_now:.3g}, predicted {floor:.3g}; "
            f"a ball exists for eta < {self.thresholds[m]:.3f} at m = {m} ({gd_text}){lost}"
        )
