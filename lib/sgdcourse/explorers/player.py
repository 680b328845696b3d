"""StepPlayer: replay an SGD path on a 2-D loss surface, step by step.

Play / pause run through the steps at the chosen speed (an ipywidgets.Play linked to the
step slider in the browser); the buttons step back and forward by one; zoom narrows the
view around the current iterate. Every control redraws the same artists, and a stamp above the
axes gives the step, the loss and the zoom, so a still image says what it shows.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import _validate as validate
from ..plots import PALETTE, plot_contours
from .base import Explorer

BASE_INTERVAL_MS = 400  # one step per 400 ms at speed 1x


class StepPlayer(Explorer):
    """Replays `thetas` (shape (T+1, 2)) over the contours of loss(theta) on xlim x ylim,
    starting at step `t` (0 by default; t=-1 shows the whole path), axes named by `labels`."""

    figsize = (5.6, 4.4)
    shows = (
        "An SGD path drawn step by step over the contour lines of the loss, up to the current step, "
        "with the minimum as a star."
    )
    margins = dict(left=0.14, right=0.97, bottom=0.12, top=0.91)

    def __init__(
        self, loss, thetas, xlim, ylim, losses=None, minimum=None, levels=25, t=0, labels=(r"$\theta_1$", r"$\theta_2$")
    ):
        self.thetas = validate.array("thetas", thetas, 2, cols=2).astype(float)
        self.loss, self.xlim, self.ylim, self.levels = loss, tuple(xlim), tuple(ylim), levels
        self.losses = np.array([loss(th) for th in self.thetas]) if losses is None else np.asarray(losses, float)
        self.minimum = None if minimum is None else np.asarray(minimum, float)
        self.labels = labels
        last = len(self.thetas) - 1
        t = validate.integer("t", t, lo=-last - 1, hi=last) % (last + 1)
        step = W.IntSlider(value=t, min=0, max=last, description="step t")
        self.play = W.Play(value=t, min=0, max=last, interval=BASE_INTERVAL_MS, description="play")
        W.jslink((self.play, "value"), (step, "value"))
        self.play.observe(lambda c: setattr(step, "value", c["new"]), names="value")  # also without a browser
        back, forward = (
            W.Button(description="◀ step", layout=W.Layout(width="70px")),
            W.Button(description="step ▶", layout=W.Layout(width="70px")),
        )
        back.on_click(lambda _: self.step_by(-1))
        forward.on_click(lambda _: self.step_by(+1))
        self.speed = W.SelectionSlider(options=[0.25, 0.5, 1, 2, 4], value=1, description="speed")
        self.speed.observe(lambda c: setattr(self.play, "interval", int(BASE_INTERVAL_MS / c["new"])), names="value")
        zoom = W.FloatLogSlider(value=1, base=2, min=0, max=4, step=0.5, description="zoom")
        self.buttons = (back, forward)
        super().__init__({"t": step, "zoom": zoom}, extra=[self.play, back, forward, self.speed])

    def step_by(self, k):
        t = self.controls["t"]
        t.value = int(np.clip(t.value + k, t.min, t.max))

    def draw(self):
        ax = self.ax = self.fig.subplots()
        plot_contours(
            self.loss,
            self.xlim,
            self.ylim,
            ax=ax,
            levels=self.levels,
            n=90,
            linewidths=0.7,
            minimum=self.minimum,
            label="minimum",
            markersize=10,
        )
        (self.path,) = ax.plot([], [], "o-", color=PALETTE["vermillion"], ms=3, lw=1, label="SGD path")
        (self.head,) = ax.plot([], [], "o", color=PALETTE["vermillion"], ms=8, mec="k")
        self.stamp = self.add_stamp(0.5, 0.985, "center")
        self.dynamic = [self.path, self.head, self.stamp]
        ax.set_xlabel(self.labels[0])
        ax.set_ylabel(self.labels[1])
        ax.legend(loc="upper right", fontsize=8)

    def update(self, t, zoom):
        pts = self.thetas[: t + 1]
        self.path.set_data(pts[:, 0], pts[:, 1])
        self.head.set_data([pts[-1, 0]], [pts[-1, 1]])
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        cx, cy = pts[-1] if zoom > 1 else ((x0 + x1) / 2, (y0 + y1) / 2)
        hw, hh = (x1 - x0) / 2 / zoom, (y1 - y0) / 2 / zoom
        self.ax.set_xlim(cx - hw, cx + hw)
        self.ax.set_ylim(cy - hh, cy + hh)
        th = pts[-1]
        self.stamp.set_text(f"step t = {t} of {len(self.thetas) - 1},  L = {self.losses[t]:.4f},  zoom {zoom:.3g}×")
        return f"t = {t}: theta = ({th[0]:.3f}, {th[1]:.3f}), loss = {self.losses[t]:.4f}"
