"""LogisticTrainingExplorer: a real mini-batch SGD run on logistic regression, redone for each eta, m and budget.

Model: p_i = sigma(w . x_i) with x_i = (x_i1, x_i2, 1), two features and an intercept, so the
decision boundary w . x = 0, i.e. w_1 x_1 + w_2 x_2 + w_3 = 0, is a line in the feature plane.
Each update runs `sgd` from w_0 = 0 with shuffled batches under one of two budgets (the checkbox
"equal epochs" toggles between them):
    equal steps:  T = `steps` steps for every m (T m examples processed);
    equal epochs: `epochs` passes over the N examples, ceil(N/m) steps each (about the same
                  number of examples for every m, so T = epochs ceil(N/m) falls as m grows),
and draws
    left:  the training loss L(w_t) = (1/N) sum_i l_i(w_t) after every step, against the step t
           (equal steps) or against epochs = (examples processed) / N (equal epochs);
    right: the examples coloured by class and the boundary line of the final w_T.
The minimiser w* of L (Logistic.minimiser: a long full-batch run, computed once) is drawn dashed
in both panels. A stamp above the panels gives eta, m and the budget, so a still image says what it shows.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import _validate as validate
from ..models import Logistic
from ..plots import PALETTE
from ..sgd import sgd
from .base import Explorer

ETAS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BUDGETS = ("steps", "epochs")


def boundary_segment(w, reach):
    """Two points (shape (2, 2)) on the line w_1 x_1 + w_2 x_2 + w_3 = 0, each `reach` away from
    the point of the line nearest the origin; None when w_1 = w_2 = 0 (no line)."""
    n = np.asarray(w[:2], dtype=float)
    nn = n @ n
    if nn == 0:
        return None
    foot = -w[2] * n / nn  # nearest point to the origin
    along = np.array([-n[1], n[0]]) / np.sqrt(nn)
    return np.array([foot - reach * along, foot + reach * along])


class LogisticTrainingExplorer(Explorer):
    """Sliders eta and m and a budget toggle drive `sgd` on Logistic(X, y); X is (N, 3) with a last
    column of ones (make_logistic(N, 2, rng, intercept=True)), y (N,) in {0, 1}. A run takes `steps`
    steps (budget "steps") or `epochs` passes over the data (budget "epochs"); the toggle is the
    control equal_epochs (a checkbox, off for equal steps), which `budget` sets at the start.
    The slider offers `etas` and `batch_sizes` (default 1, 2, 4, ... and N)."""

    figsize = (8.4, 3.6)
    shows = (
        "Left: the training loss of one mini-batch SGD run against the step or the epochs, with min L dashed; "
        "right: the two classes (circles and triangles) with the decision boundary of the final weights and, "
        "dashed, that of the minimiser."
    )
    margins = dict(left=0.08, right=0.98, bottom=0.15, top=0.84, wspace=0.25)

    def __init__(self, X, y, rng, epochs=5, eta=0.3, m=8, etas=ETAS, batch_sizes=None, steps=100, budget="epochs"):
        X = validate.array("X", X, 2, cols=3)
        if not np.all(X[:, 2] == 1):
            raise ValueError(
                "X must have a last column of ones (the intercept): use make_logistic(..., intercept=True)"
            )
        self.model = Logistic(X, y)
        self.X, self.y, self.n = self.model.X, self.model.y, self.model.n
        self.epochs = validate.integer("epochs", epochs, lo=1)
        self.steps = validate.integer("steps", steps, lo=1)
        if budget not in BUDGETS:
            raise ValueError(f"budget must be 'steps' or 'epochs', got {budget!r}")
        self.seed = int(validate.generator("rng", rng).integers(2**31))
        etas = tuple(float(validate.positive("etas", e)) for e in etas)
        if batch_sizes is None:  # 1, 2, 4, ... below N, then N itself (full batch)
            batch_sizes = [2**k for k in range(self.n.bit_length()) if 2**k < self.n] + [self.n]
        ms = tuple(validate.integer("batch_sizes", b, lo=1, hi=self.n) for b in batch_sizes)
        if eta not in etas:
            raise ValueError(f"eta must be one of the slider values {etas}, got {eta!r}")
        if m not in ms:
            raise ValueError(f"m must be one of the slider values {ms} (each <= N = {self.n}), got {m!r}")
        self._backgrounds = {}  # equal_epochs -> cached picture of the static artists (see render)
        self.w_star = self.model.minimiser()
        self.loss_star = float(self.model.loss(self.w_star))
        controls = {
            "eta": W.SelectionSlider(options=etas, value=float(eta), description="η"),
            "m": W.SelectionSlider(options=ms, value=int(m), description="m"),
            "equal_epochs": W.Checkbox(
                value=budget == "epochs",
                description="equal epochs (off: equal steps)",
                indent=False,
                style={"description_width": "initial"},
            ),
        }
        super().__init__(controls)

    def draw(self):
        ax_l, ax_d = self.ax_loss, self.ax_data = self.fig.subplots(1, 2)
        top = 1.5 * np.log(2)  # L(0) = log 2 for every data set
        ax_l.set_xlim(0, self.epochs)  # update sets the axis of the budget
        ax_l.set_ylim(max(0.0, self.loss_star - 0.1), top)
        ax_l.axhline(self.loss_star, color="k", ls="--", lw=0.8, label=r"$\min L$")
        (self.curve,) = ax_l.plot([], [], color=PALETTE["vermillion"], lw=0.8, label=r"$L(w_t)$")
        ax_l.set_xlabel("epochs = examples processed / N")
        ax_l.set_ylabel("training loss")
        ax_l.legend(loc="upper right", fontsize=8)

        x1, x2 = self.X[:, 0], self.X[:, 1]
        for label, color, marker in ((0, PALETTE["blue"], "o"), (1, PALETTE["orange"], "^")):  # shape as well as colour
            keep = self.y == label
            ax_d.scatter(x1[keep], x2[keep], s=12, color=color, marker=marker, label=f"y = {label}")
        ax_d.set_xlim(x1.min() - 0.3, x1.max() + 0.3)
        ax_d.set_ylim(x2.min() - 0.3, x2.max() + 0.6 * np.ptp(x2))  # room for the legend above the data
        self.reach = 10 * (np.ptp(x1) + np.ptp(x2) + 1)
        star = boundary_segment(self.w_star, self.reach)
        if star is not None:
            ax_d.plot(star[:, 0], star[:, 1], "k--", lw=1, zorder=4, label=r"$w^\ast$")  # on top where they coincide
        (self.boundary,) = ax_d.plot([], [], color=PALETTE["vermillion"], lw=3, alpha=0.6, label=r"$w_T$")
        ax_d.set_xlabel(r"$x_1$")
        ax_d.set_ylabel(r"$x_2$")
        ax_d.legend(loc="upper left", fontsize=7, ncol=2)
        self.stamp = self.add_stamp()
        self.dynamic = [self.curve, self.boundary, self.stamp]

    def render(self):
        """As Explorer.render, with one cached picture of the static artists per budget (the loss
        panel's x axis differs), so that the toggle costs no more than a slider step. Setting
        self._background to None forgets every cached picture, as it does in Explorer.render."""
        budget = self.controls["equal_epochs"].value
        if self._background is None:
            self._backgrounds.clear()
        cached = self._backgrounds.get(budget)
        if cached is None:
            self.canvas.draw()  # animated artists are skipped here
            self._background = self._backgrounds[budget] = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(cached)
        for artist in self.dynamic:
            artist.axes.draw_artist(artist) if artist.axes else self.fig.draw_artist(artist)

    def run(self, eta, m, equal_epochs=True):
        """The Trajectory for these control values (the same batches every time for the same m)."""
        length = dict(epochs=self.epochs) if equal_epochs else dict(steps=self.steps)
        return sgd(self.model, np.zeros(3), eta, m=m, rng=np.random.default_rng(self.seed), track_loss=False, **length)

    def update(self, eta, m, equal_epochs):
        tr = self.run(eta, m, equal_epochs)
        Z = self.X @ tr.thetas.T  # (N, T+1): z_i at every w_t
        losses = (np.logaddexp(0.0, Z) - self.y[:, None] * Z).mean(axis=0)
        seen = np.concatenate([[0], np.cumsum([len(b) for b in tr.batches])]) / self.n
        ax_l, epochs = self.ax_loss, bool(equal_epochs)
        self.curve.set_data(seen if epochs else np.arange(tr.steps + 1), losses)
        ax_l.set_xlim(0, self.epochs if epochs else self.steps)
        ax_l.set_xlabel("epochs = examples processed / N" if epochs else "step t")
        if epochs:
            told = f"equal epochs: {tr.steps} steps ({self.epochs} epochs)"
        else:
            told = f"equal steps: {tr.steps} steps ({seen[-1]:.3g} epochs)"
        self.stamp.set_text(f"η = {eta:g},  m = {m},  {told}")
        w = tr.theta
        seg = boundary_segment(w, self.reach)
        self.boundary.set_data(*(([], []) if seg is None else seg.T))
        accuracy = np.mean((Z[:, -1] >= 0) == (self.y == 1))
        return f"{told}, final loss {losses[-1]:.4f} (min {self.loss_star:.4f}), training accuracy {accuracy:.1%}"
