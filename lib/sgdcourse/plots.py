"""Plot helpers. Each takes ax=None (meaning the current axes), returns what it drew and
sets no global style."""
from __future__ import annotations

import numpy as np


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def loss_grid(loss, xlim, ylim, n=80):
    """Evaluate loss(theta) for theta on an n x n grid over xlim x ylim.

    Returns T1, T2, Z, each of shape (n, n), ready for contour plots.
    """
    t1, t2 = np.linspace(*xlim, n), np.linspace(*ylim, n)
    T1, T2 = np.meshgrid(t1, t2)
    Z = np.array([loss(np.array([a, b])) for a, b in zip(T1.ravel(), T2.ravel())], dtype=float)
    return T1, T2, Z.reshape(T1.shape)


def plot_contours(loss, xlim, ylim, ax=None, levels=20, n=80, cmap="viridis"):
    """Contour lines of a loss over two parameters; returns the QuadContourSet."""
    ax = _axes(ax)
    cs = ax.contour(*loss_grid(loss, xlim, ylim, n), levels=levels, cmap=cmap, linewidths=0.8)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    return cs


def plot_path(thetas, ax=None, color="C3", label=None, markersize=3):
    """The iterates theta_0, theta_1, ... (shape (T+1, 2)) joined in order; returns the Line2D."""
    thetas = np.asarray(thetas, dtype=float)
    ax = _axes(ax)
    (line,) = ax.plot(thetas[:, 0], thetas[:, 1], "o-", color=color, ms=markersize, lw=1, label=label)
    return line


def plot_loss(losses, ax=None, label=None, color=None, log=True):
    """Loss against step (a Trajectory's .losses); log scale by default. Returns the Line2D."""
    losses = np.asarray(losses, dtype=float)
    ax = _axes(ax)
    (line,) = ax.plot(np.arange(losses.size), losses, label=label, color=color)
    if log:
        ax.set_yscale("log")
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
