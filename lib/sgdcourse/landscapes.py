"""A 1-D loss landscape with a sharp and a flat minimum, built from shifted copies of one profile.

Every example's loss is the same profile f moved by the example's own offset a_i (the offsets are
centred so that they average zero):

    l_i(theta) = f(theta - a_i),   L(theta) = (1/N) sum_i f(theta - a_i),   grad l_i = f'(theta - a_i).

The profile is two Gaussian wells (index 0: narrow, the sharp one; index 1: wide, the flat one)
and a weak bowl k u^2 / 2 that keeps runs from drifting off to where nothing pulls them back:

    f(u) = - sum_j d_j exp(-(u - c_j)^2 / (2 w_j^2)) + k u^2 / 2
    f'(u) = sum_j d_j (u - c_j) / w_j^2 exp(-(u - c_j)^2 / (2 w_j^2)) + k u

Because the copies disagree, a mini-batch gradient is noisy, and the disagreement is largest
where f bends most: near the sharp minimum. The minima and the barrier between them are those
of the average L (the offsets smear the profile, so they differ a little from c_j).

sgd_runs runs mini-batch SGD from many starts at once on such a landscape, for several batch sizes on
the same draws, and reports which basin the runs are in (lesson 07's experiment, SharpFlatExplorer).
"""

from __future__ import annotations

import numpy as np

from . import _validate as validate
from .models import Model

SHARP, FLAT = "sharp", "flat"


def _pair(name, value, positive=True):
    pair = tuple(value) if np.ndim(value) == 1 else ()
    if len(pair) != 2:
        raise ValueError(f"{name} must be a pair (sharp well, flat well), got {value!r}")
    return tuple(
        float(validate.positive(f"{name}[{k}]", v) if positive else validate.real(f"{name}[{k}]", v))
        for k, v in enumerate(pair)
    )


class SharpFlatLandscape(Model):
    """L(theta) = mean_i f(theta - a_i) for theta of shape (1,); offsets a_i of shape (N,).

    centers, widths, depths: pairs (sharp well, flat well) of the profile's c_j, w_j, d_j;
    confinement: k >= 0; centred=False keeps the offsets as given (a training set drawn from a
    distribution is then not moved onto its own mean, as held-out data would not be). After construction
    the minima and the barrier of L are known:
    self.sharp_min, self.flat_min, self.barrier (floats), and classify() says which basin a
    point is in. The sharp well must be the narrower one and L must have exactly two minima.
    """

    def __init__(
        self, offsets, centers=(-1.0, 0.5), widths=(0.15, 0.8), depths=(0.5, 0.4), confinement=0.1, centred=True
    ):
        a = validate.array("offsets", offsets, 1).astype(float)
        if a.size == 0:
            raise ValueError("offsets must hold at least one number")
        super().__init__((a - a.mean() if centred else a)[:, None])
        self.centers = np.array(_pair("centers", centers, positive=False))
        self.widths = np.array(_pair("widths", widths))
        self.depths = np.array(_pair("depths", depths))
        if not self.widths[0] < self.widths[1]:
            raise ValueError(f"widths: the sharp well (first) must be narrower than the flat one, got {widths!r}")
        self.confinement = float(validate.real("confinement", confinement))
        if self.confinement < 0:
            raise ValueError(f"confinement must be >= 0, got {confinement!r}")
        self.sharp_min, self.flat_min, self.barrier = self._critical_points()

    # the profile f and its derivatives, elementwise on arrays of any shape -----------------
    def _wells(self, u):
        u = np.asarray(u, dtype=float)[..., None]
        z = (u - self.centers) / self.widths
        return z, self.depths * np.exp(-z * z / 2)  # shapes (..., 2)

    def profile(self, u):
        """f(u)."""
        _, e = self._wells(u)
        return -e.sum(-1) + self.confinement * np.asarray(u, dtype=float) ** 2 / 2

    def profile_slope(self, u):
        """f'(u)."""
        z, e = self._wells(u)
        return (e * z / self.widths).sum(-1) + self.confinement * np.asarray(u, dtype=float)

    def profile_curvature(self, u):
        """f''(u)."""
        z, e = self._wells(u)
        return (e * (1 - z * z) / self.widths**2).sum(-1) + self.confinement

    # the Model interface -------------------------------------------------------------------
    def losses(self, theta, idx=None):
        theta, A, _ = self._rows(theta, idx)
        return self.profile(theta[0] - A[:, 0])

    def per_example_grads(self, theta, idx=None):
        theta, A, _ = self._rows(theta, idx)
        return self.profile_slope(theta[0] - A[:, 0])[:, None]

    def grad(self, theta, idx=None):
        theta, A, _ = self._rows(theta, idx)
        return np.array([self.profile_slope(theta[0] - A[:, 0]).sum() / A.shape[0]])

    def curvature(self, theta):
        """L''(theta) = mean_i f''(theta - a_i): the sharpness of L at theta (shape (1,) or a number)."""
        x = float(np.ravel(theta)[0])
        return float(self.profile_curvature(x - self.X[:, 0]).mean())

    def loss_on(self, offsets, points):
        """mean_j f(x - b_j) over other offsets b_j (held-out examples, not centred), for every point x.

        offsets: shape (M,); points: a number or an array of any shape; returns that shape."""
        b = validate.array("offsets", offsets, 1).astype(float)
        x = np.asarray(points, dtype=float)
        return self.profile(x[..., None] - b).mean(-1)

    def slope_of_mean(self, x):
        """L'(x) for an array of points x (any shape), all examples."""
        x = np.asarray(x, dtype=float)
        return self.profile_slope(x[..., None] - self.X[:, 0]).mean(-1)

    # the two basins ------------------------------------------------------------------------
    def _critical_points(self, n=4001, bisections=60):
        reach = 6 * self.widths.max() + np.abs(self.X).max()
        lo, hi = min(self.centers.min(), 0.0) - reach, max(self.centers.max(), 0.0) + reach
        x = np.linspace(lo, hi, n)
        s = self.slope_of_mean(x)
        k = np.nonzero(np.sign(s[:-1]) != np.sign(s[1:]))[0]
        left, right = x[k], x[k + 1]
        for _ in range(bisections):  # L' changes sign in every [left, right]
            mid = (left + right) / 2
            same = np.sign(self.slope_of_mean(mid)) == np.sign(self.slope_of_mean(left))
            left, right = np.where(same, mid, left), np.where(same, right, mid)
        roots = (left + right) / 2
        rising = s[k + 1] > s[k]  # L' goes - to +: a minimum
        minima, maxima = roots[rising], roots[~rising]
        if len(minima) != 2 or len(maxima) != 1:
            raise ValueError(
                f"these centers, widths, depths and confinement give L {len(minima)} minima "
                f"and {len(maxima)} maxima on [{lo:.3g}, {hi:.3g}]; the landscape needs two minima "
                "and one barrier (try wells further apart, or offsets smaller than the widths)"
            )
        near_sharp = np.argmin(np.abs(minima - self.centers[0]))
        sharp, flat = minima[near_sharp], minima[1 - near_sharp]
        if not self.curvature(sharp) > self.curvature(flat):
            raise ValueError(
                "widths: after averaging over the offsets the first minimum is not the sharper one; "
                "use a narrower first well or smaller offsets"
            )
        return float(sharp), float(flat), float(maxima[0])

    def classify(self, points):
        """ "sharp" or "flat" for each end point: the side of the barrier it lies on.

        points: a number, a theta of shape (1,), or an array of numbers; returns a str for a
        single point, else an array of str of the same shape.
        """
        p = np.asarray(points)
        if p.dtype == object or p.dtype.kind not in "iuf" or not np.isfinite(p).all():
            raise ValueError(f"points must be finite numbers, got {points!r}")
        sharp_side = np.sign(p - self.barrier) == np.sign(self.sharp_min - self.barrier)
        labels = np.where(sharp_side, SHARP, FLAT)
        return str(labels.reshape(-1)[0]) if p.size == 1 and p.ndim <= 1 else labels


def equal_depths(offsets, depth_sharp=0.5, tol=1e-12, **kwargs):
    """A SharpFlatLandscape whose two minima of L are equally deep: L(sharp_min) = L(flat_min).

    The sharp well keeps depth_sharp; the flat well's depth d is found by the secant method on
    gap(d) = L(flat_min) - L(sharp_min), which falls steadily with d, so that any preference of SGD
    for one minimum cannot come from its being deeper. Other arguments go to SharpFlatLandscape."""

    def gap(d):
        land = SharpFlatLandscape(offsets, depths=(depth_sharp, d), **kwargs)
        return land, float(land.loss(np.array([land.flat_min])) - land.loss(np.array([land.sharp_min])))

    validate.positive("depth_sharp", depth_sharp)
    (d0, (_, g0)), (d1, (land, g1)) = (0.7 * depth_sharp, gap(0.7 * depth_sharp)), (depth_sharp, gap(depth_sharp))
    for _ in range(30):
        if abs(g1) <= tol:
            return land
        if g1 == g0:
            break
        d0, g0, d1 = d1, g1, d1 - g1 * (d1 - d0) / (g1 - g0)
        if not 0 < d1 < 3 * depth_sharp:
            break
        land, g1 = gap(d1)
    raise ValueError("depth_sharp: no depth of the flat well makes the two minima equally deep")


def sgd_runs(landscape, starts, eta, sizes, steps, rng, replace=True, record=None):
    """Mini-batch SGD from many starts at once on a SharpFlatLandscape, for several batch sizes on the same draws.

    Every run k and batch size m follows the plain SGD rule on L = mean_i f(theta - a_i):

        theta_{t+1} = theta_t - eta g_t,   g_t = (1/m) sum_{i in B_t} f'(theta_t - a_i),

    whose noise g_t - L'(theta_t) has variance Var_i f'(theta_t - a_i) / m (with replacement). Step t
    draws idx_t = batch_indices(N, max(sizes), R, rng, replace), shape (R, max(sizes)), and run k with
    batch size m uses the batch idx_t[k, :m]: the batches of every size are nested, so every run sees
    the same draws at every m (sgdcourse.sgd with batches=[idx_t[k, :m] for t] replays one run).

    starts: shape (R,); sizes: batch sizes >= 1 (<= N without replacement); steps: T >= 0; record:
    the step counts in 0..T whose positions to keep (None: all of them). Returns (positions,
    sharp_share): the runs' theta after each recorded step, shape (len(sizes), len(record), R), and
    the share of the runs on the sharp side of the barrier (landscape.classify) after every step
    t = 0..T, shape (len(sizes), T + 1). Raises ValueError if a run leaves the finite numbers (eta too large).
    """
    from .minibatch import batch_indices

    if not isinstance(landscape, SharpFlatLandscape):
        raise TypeError(f"landscape must be a SharpFlatLandscape, got {type(landscape).__name__}")
    theta0 = validate.array("starts", starts, 1).astype(float)
    if theta0.size == 0:
        raise ValueError("starts must hold at least one number")
    eta = float(validate.positive("eta", eta))
    n = landscape.n
    sizes = np.array([validate.integer("sizes", m, lo=1, hi=None if replace else n) for m in np.atleast_1d(sizes)])
    if sizes.size == 0:
        raise ValueError("sizes must hold at least one batch size")
    steps = validate.integer("steps", steps, lo=0)
    rng = validate.generator("rng", rng)
    keep = np.arange(steps + 1) if record is None else np.atleast_1d(record)
    keep = np.array([validate.integer("record", t.item() if isinstance(t, np.generic) else t, 0, steps) for t in keep])
    a, runs, m_max = landscape.X[:, 0], theta0.size, int(sizes.max())
    cols = np.concatenate([np.arange(m) for m in sizes])  # the entries of a draw that each size uses
    owner = np.repeat(np.arange(sizes.size), sizes)  # the size each of those entries belongs to
    bounds = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    side = np.sign(landscape.sharp_min - landscape.barrier)
    theta = np.tile(theta0, (sizes.size, 1))  # (len(sizes), R)
    positions = np.empty((sizes.size, keep.size, runs))
    share = np.empty((sizes.size, steps + 1))

    def note(t):
        share[:, t] = ((theta - landscape.barrier) * side > 0).mean(axis=1)
        positions[:, keep == t] = theta[:, None, :]

    note(0)
    with np.errstate(over="ignore", invalid="ignore"):  # a run that overflows is reported below
        for t in range(1, steps + 1):
            idx = batch_indices(n, m_max, runs, rng, replace)[:, cols]  # (R, sum(sizes))
            slopes = landscape.profile_slope(theta[owner].T - a[idx])  # f'(theta - a_i) for every batch entry
            theta = theta - eta * np.add.reduceat(slopes, bounds, axis=1).T / sizes[:, None]
            note(t)
    if not np.isfinite(theta).all():
        raise ValueError(f"eta = {eta:.4g} is too large: some runs left the finite numbers")
    return positions, share
