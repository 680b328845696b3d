"""Plot helpers. Each takes ax=None (meaning the current axes), returns what it drew and
sets no global style. The lessons call them, and so do the explorers (sgdcourse.explorers),
which draw their static contours and minimum with plot_contours.

Two pieces serve every figure of the course: PALETTE, the Okabe-Ito colours, which stay apart
for readers with red-green colour blindness (a lesson puts them in its own colour cycle once,
``plt.rcParams["axes.prop_cycle"] = plots.colour_cycle()``), and ``show(fig, alt)``, which
displays a figure with alt text saying what it shows, stored in the output's metadata
(``{"image/png": {"alt": ...}}``). The course site and nbconvert's classic template read it from
there; JupyterLab 4.6 and nbconvert's default lab template do not read it yet (tests/
test_figure_access.py checks the first two).
"""

from __future__ import annotations

import base64
import io
from typing import NamedTuple

import numpy as np

# Okabe & Ito (2008), "Color Universal Design": eight colours that protanopes, deuteranopes and
# tritanopes can tell apart; the order is the colour cycle's (blue first, as matplotlib's C0).
PALETTE = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish green": "#009E73",
    "orange": "#E69F00",
    "reddish purple": "#CC79A7",
    "sky blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}


def colour_cycle():
    """The PALETTE as a matplotlib property cycle (C0 = blue, C1 = vermillion, C2 = bluish green, ...)."""
    from cycler import cycler

    return cycler(color=list(PALETTE.values()))


def show(fig, alt):
    """Display `fig` as a PNG whose alt text is `alt`, a sentence saying what the figure shows,
    then close it (so the inline backend does not show it a second time). Returns None."""
    if not isinstance(alt, str) or len(alt.split()) < 4:
        raise ValueError(f"alt must be a sentence saying what the figure shows (4 words or more), got {alt!r}")
    if alt.strip().lower().endswith((".png", ".svg", ".jpg")) or "/" in alt.split()[0]:
        raise ValueError(f"alt must describe the figure, not name a file: got {alt!r}")
    import matplotlib.pyplot as plt
    from IPython.display import display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    display({"image/png": png, "text/plain": f"<Figure: {alt}>"}, raw=True, metadata={"image/png": {"alt": alt}})


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def _floats(name, value):
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers, got {value!r}") from None


def loss_grid(loss, xlim, ylim, n=80):
    """Evaluate loss(theta) for theta on an n x n grid over xlim x ylim.

    Returns T1, T2, Z, each of shape (n, n), ready for contour plots.
    """
    t1, t2 = np.linspace(*xlim, n), np.linspace(*ylim, n)
    T1, T2 = np.meshgrid(t1, t2)
    Z = np.array([loss(np.array([a, b])) for a, b in zip(T1.ravel(), T2.ravel())], dtype=float)
    return T1, T2, Z.reshape(T1.shape)


class Contours(NamedTuple):
    """What plot_contours drew: the contour lines, and the star at the minimum (None without one)."""

    lines: object  # matplotlib.contour.QuadContourSet
    star: object  # matplotlib.lines.Line2D, or None


def plot_contours(
    loss, xlim, ylim, ax=None, levels=20, n=80, cmap="viridis", linewidths=0.8, minimum=None, label=None, markersize=9
):
    """Contour lines of loss(theta) for theta in xlim x ylim (on loss_grid's n x n grid), the axes
    labelled theta_1 and theta_2, and a black star at `minimum` (shape (2,)) when one is given,
    with `label` for a legend. The star lies above lines (zorder 3), so a path drawn later does
    not hide it. Returns Contours(lines, star): the QuadContourSet and the star's Line2D or None.
    """
    ax = _axes(ax)
    lines = ax.contour(*loss_grid(loss, xlim, ylim, n), levels=levels, cmap=cmap, linewidths=linewidths)
    star = None
    if minimum is not None:
        point = _floats("minimum", minimum)
        if point.shape != (2,):
            raise ValueError(f"minimum must be a point (theta_1, theta_2) of shape (2,), got shape {point.shape}")
        (star,) = ax.plot(*point, "k*", ms=markersize, zorder=3, label=label)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    return Contours(lines, star)


def plot_path(thetas, ax=None, color="C3", label=None, markersize=3):
    """The iterates theta_0, theta_1, ... (shape (T+1, 2)) joined in order; returns the Line2D."""
    thetas = np.asarray(thetas, dtype=float)
    ax = _axes(ax)
    (line,) = ax.plot(thetas[:, 0], thetas[:, 1], "o-", color=color, ms=markersize, lw=1, label=label)
    return line


def plot_loss(losses, ax=None, label=None, color=None, log=True, x=None):
    """Loss against step t (a Trajectory's .losses, shape (T+1,)), or against `x` (one value per
    loss, e.g. epochs = t / steps per epoch; the x axis is then left for the caller to name);
    log scale by default. Returns the Line2D."""
    losses = np.asarray(losses, dtype=float)
    if x is None:
        xs = np.arange(losses.size)
    else:
        xs = _floats("x", x)
        if xs.shape != losses.shape:
            raise ValueError(f"x has shape {xs.shape}, expected {losses.shape}: one x value per loss")
    ax = _axes(ax)
    (line,) = ax.plot(xs, losses, label=label, color=color)
    if log:
        ax.set_yscale("log")
    if x is None:
        ax.set_xlabel("step t")
    ax.set_ylabel("loss")
    return line


def plot_spread(x, runs, ax=None, label=None, color=None, ls="-"):
    """Mean over runs (rows of `runs`, shape (R, len(x))) as a line, with a band of ± one standard
    deviation around it. Returns (Line2D, PolyCollection)."""
    runs = np.atleast_2d(np.asarray(runs, dtype=float))
    x = np.asarray(x, dtype=float)
    if runs.shape[1] != x.size:
        raise ValueError(f"runs has shape {runs.shape}, expected (R, {x.size}) for {x.size} x values")
    ax = _axes(ax)
    mean, sd = runs.mean(axis=0), runs.std(axis=0)
    (line,) = ax.plot(x, mean, color=color, ls=ls, label=label)
    band = ax.fill_between(x, mean - sd, mean + sd, color=line.get_color(), alpha=0.2, lw=0)
    return line, band
