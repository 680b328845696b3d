"""Claims of lesson 03 (mini-batch logistic regression), re-run over seeds; see claimkit.

A seed draws a fresh data set in the lesson's way (N = 200, two standard-normal features and an
intercept, labels from the weights (2, -1, 0.5); N = 100 and weights (2, -1) for section 7) and fresh
batch orders, and the experiment runs as in the lesson: 100 steps from w = 0 for every (m, eta),
20 batch orders for the sweep plotted in section 6 and the same 20 for its finer grid.
"""

import functools
import itertools

import numpy as np

import sgdcourse
from claimkit import breaks_tests, claim, every, steps_against, uphill_exactly_when_negative

ETAS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # the lesson's table
MS = (1, 8, 200)
ETAS_FINE = tuple(np.round(np.geomspace(0.1, 4, 17), 3))
SECTION_5 = "5. Unbiasedness, checked exactly"
SECTION_6 = "6. Training with sliders for $\\eta$ and $m$"
SECTION_7 = "7. An SGD path, step by step"


def data(seed):
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_logistic(200, 2, rng, w=np.array([2.0, -1.0, 0.5]), intercept=True)
    return sgdcourse.Logistic(X, y), rng


def final_losses(seed, etas=ETAS, ms=MS, orders=20, steps=100, epochs=None, variant="lesson"):
    """Final L for every (m, eta, batch order), shape (len(ms), len(etas), orders), as the lesson's
    sgdcourse.sweep.final_losses gives it. variant changes the experiment:
      "sum":        the batch gradient is summed, not averaged (each row steps with m * eta);
      "repeat":     every batch is one example repeated m times (rows run as m = 1, no averaging);
      "full":       every row is full-batch descent (no noise);
      "one order":  all runs of a setting share one batch order;
      "swap":       the rows m = 1 and m = N swap their batch sizes (each with its own budget);
      "mean twice": the m = 8 row divides its batch sum by m twice (steps with eta / 8)."""
    n = data(seed)[0].n
    rows = []
    for m in ms:
        run_m, scale, one_order = m, 1.0, variant == "one order"
        if variant == "sum":
            scale = m
        elif variant == "repeat":
            run_m = 1
        elif variant == "full":
            run_m = n
        elif variant == "swap":
            run_m = {1: n, n: 1}.get(m, m)
        elif variant == "mean twice" and m == 8:
            scale = 1 / m
        rows.append(row(seed, tuple(e * scale for e in etas), run_m, orders, steps, epochs, one_order))
    return np.array(rows)


@functools.lru_cache(maxsize=None)
def row(seed, etas, m, orders, steps, epochs, one_order=False):
    """One row of the table, shape (len(etas), orders): the final L of batch size m for each eta and
    batch order, after `steps` steps or, if given, `epochs` epochs (ceil(N / m) steps each)."""
    model, rng = data(seed)
    seeds = rng.integers(2**32, size=orders)
    if one_order:
        seeds = np.full(orders, seeds[0])
    budget = dict(steps=steps) if epochs is None else dict(epochs=epochs)
    return sgdcourse.sweep.final_losses(model, np.zeros(3), etas, [m], seeds, **budget)[0]


def means(values):
    return sgdcourse.sweep.summary(values)[0]


@claim(
    "03",
    SECTION_6,
    "With timid steps the noise in $\\hat g_t$ has no room to act: the three lines nearly agree, and the "
    "spread over seeds is tiny.",
    every,
)
def test_small_eta_batch_size_hardly_matters(seed, broken):
    """The sweep of final losses after 100 steps: at eta = 0.03 and 0.1 the three rows' means lie within
    0.02 of each other and every standard deviation over the 20 orders is below 0.02 (at eta = 3 the
    rows differ by far more). Breaks: the batch gradient summed instead of averaged (m times the step)."""
    values = final_losses(seed, variant="sum" if broken else "lesson")
    small = values[:, :2]
    return bool(np.all(np.ptp(means(small), axis=0) < 0.02) and np.all(small.std(axis=-1) < 0.02))


@claim(
    "03",
    SECTION_6,
    "Along the lines $m = 1$ and $m = 8$ the loss first falls and then climbs again once the steps become "
    "too long for the noise",
    every,
)
def test_noisy_rows_fall_then_climb(seed, broken):
    """In the rows m = 1 and m = 8 the mean final loss is lowest at an interior eta of the grid, and at
    eta = 10 it is more than 0.1 above that lowest value. Breaks: every row runs full-batch descent (no
    noise), whose loss does not climb on this grid."""
    rows = means(final_losses(seed, variant="full" if broken else "lesson"))[:2]
    return bool(all(0 < row.argmin() < len(ETAS) - 1 and row[-1] > row.min() + 0.1 for row in rows))


@claim("03", SECTION_6, "It grows with $m$, because averaging over more examples removes noise", every)
def test_largest_good_eta_grows_with_m(seed, broken):
    """The largest eta whose mean final loss is within 0.01 of its row's best (sweep.largest_good) rises
    strictly from m = 1 to m = 8 to m = 200. Breaks: each batch is one example repeated m times, so the
    larger batches average nothing."""
    good = sgdcourse.sweep.largest_good(final_losses(seed, variant="repeat" if broken else "lesson"), ETAS, 0.01)
    return bool(good[0] < good[1] < good[2])


@claim(
    "03",
    SECTION_6,
    "From $\\eta = 0.3$ on it rises along the lines $m = 1$ and $m = 8$, and at every $\\eta$ a larger $m$ "
    "has a smaller spread.",
    every,
)
def test_spread_grows_with_eta_and_shrinks_with_m(seed, broken):
    """The standard deviation of the final loss over the 20 batch orders rises strictly over
    eta = 0.3, 1, 3, 10 in the rows m = 1 and m = 8, and at every eta it is strictly smaller for m = 8
    than for m = 1 and for m = 200 than for m = 8. Breaks: all runs of a setting share one batch order."""
    sd = final_losses(seed, variant="one order" if broken else "lesson").std(axis=-1)
    rises = all(np.all(np.diff(sd[r, 2:]) > 0) for r in (0, 1))
    return bool(rises and np.all(sd[0] > sd[1]) and np.all(sd[1] > sd[2]))


@claim(
    "03",
    SECTION_6,
    "full-batch descent draws no batches, so all 20 orders give the same run",
    every,
)
def test_full_batch_runs_do_not_depend_on_the_order(seed, broken):
    """In the sweep of 100 steps, the 20 batch orders give the same final loss for m = N = 200 at every
    eta (largest minus smallest exactly 0), while they differ for m = 1. Breaks: each batch is one example
    repeated m times, so the row m = 200 draws batches (of one example) too."""
    gap = np.ptp(final_losses(seed, variant="repeat" if broken else "lesson"), axis=-1)
    return bool(np.all(gap[2] == 0) and np.all(gap[0] > 0))


@claim("03", SECTION_6, "averaged over the 20 batch orders below, $m = 1$ ends higher (printed)", every)
def test_mean_of_m1_above_full_batch_at_eta_03(seed, broken):
    """After 100 steps at eta = 0.3, the mean final loss over the 20 orders is higher for m = 1 than for
    m = 200 by more than 0.005. Breaks: each batch is one example repeated m times, so both rows run as
    m = 1 with the same orders."""
    at = means(final_losses(seed, ms=(1, 200), variant="repeat" if broken else "lesson"))[:, ETAS.index(0.3)]
    return bool(at[0] > at[1] + 0.005)


@claim(
    "03",
    SECTION_6,
    "With the tolerance $0.01$, eight times the batch raises the largest good $\\eta$ by the printed ratio, "
    "short of eight, and the stricter tolerance $0.005$ agrees.",
    every,
    slow=True,
)
def test_largest_good_eta_grows_more_slowly_than_m(seed, broken):
    """The lesson's finer grid (17 values from 0.1 to 4, about 1.26 apart) for m = 1 and m = 8 over 20
    batch orders: for the tolerances 0.01 and 0.005 the ratio of the largest good eta of m = 8 to that of
    m = 1 lies between 1 and 7 (at least a grid step below eight). Breaks: the m = 8 row divides its
    batch sum by m twice, so it steps with eta / 8 and tolerates eight times the nominal eta."""
    values = final_losses(seed, etas=ETAS_FINE, ms=(1, 8), orders=20, variant="mean twice" if broken else "lesson")
    ratios = [g8 / g1 for g1, g8 in (sgdcourse.sweep.largest_good(values, ETAS_FINE, tol) for tol in (0.005, 0.01))]
    return all(1 < r < 7 for r in ratios)


@claim(
    "03",
    SECTION_6,
    "With only five steps, full-batch descent needs the longest step on offer just to get anywhere, so its "
    '"best $\\eta$" is large for a reason that has nothing to do with noise; with a thousand steps, '
    "$m = 1$ does best with a small $\\eta$.",
    every,
    slow=True,
)
def test_equal_epochs_best_eta(seed, broken):
    """Five epochs for m = 1 (1000 steps) and m = 200 (5 steps): the full batch's lowest mean final loss
    is at the largest eta of the grid (10), and m = 1's at eta <= 0.1. Breaks: the rows m = 1 and
    m = 200 swap their batch sizes (the swap of m = 1 and the full batch)."""
    rows = means(final_losses(seed, ms=(1, 200), epochs=5, variant="swap" if broken else "lesson"))
    return bool(ETAS[rows[1].argmin()] == max(ETAS) and ETAS[rows[0].argmin()] <= 0.1)


@claim(
    "03",
    "Common mistakes",
    "at $\\eta = 0.3$ in section 6, $m = 200$ beats $m = 1$ per step and loses per epoch",
    every,
    slow=True,
)
def test_budgets_rank_batch_sizes_in_opposite_orders(seed, broken):
    """At eta = 0.3 the mean final loss of m = 200 is below that of m = 1 after 100 steps each, and above
    it after five epochs each (5 and 1000 steps). Breaks: the "equal-epoch" runs also take 100 steps
    each, so both budgets are equal steps."""
    steps = means(final_losses(seed, ms=(1, 200)))[:, ETAS.index(0.3)]
    epochs = means(final_losses(seed, ms=(1, 200), **({} if broken else dict(epochs=5))))[:, ETAS.index(0.3)]
    return bool(steps[1] < steps[0] and epochs[0] < epochs[1])


@claim(
    "03",
    SECTION_5,
    "a batch gradient can even have a negative dot product with $\\nabla L$, so that a small step against "
    "it goes uphill for $L$",
    uphill_exactly_when_negative,
)
def test_batch_step_goes_uphill_when_dot_product_negative(seed, broken):
    """N = 6 examples drawn as in the lesson (make_logistic(6, 2, intercept=True)) at a random w: for all 20
    batches of size 3, w - h g_hat / |g_hat| with h = 1e-5 has a larger L exactly when g_hat . grad L < 0.
    Breaks: the step goes along +g_hat."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_logistic(6, 2, rng, intercept=True)
    small = sgdcourse.Logistic(X, y)
    w = rng.standard_normal(3)
    full = small.grad(w)
    batches = [small.grad(w, np.array(batch)) for batch in itertools.combinations(range(6), 3)]
    return steps_against(small.loss, w, batches, full, broken)


class Climbing(sgdcourse.Logistic):
    """Logistic regression whose grad() has its sign flipped, so that the driver's step adds eta g_hat."""

    def grad(self, theta, idx=None):
        return -super().grad(theta, idx)


@functools.lru_cache(maxsize=None)
def paths(seed, variant="lesson"):
    """Section 7 on fresh data: w* from 3000 full-batch steps, then 20 runs of SGD with m = 1, eta = 0.5,
    80 steps from (-2, 2), each with its own batch order. Returns per run the mean step length and the
    share of steps after which L rose, for steps 1-20 and 41-80, the final distance to w*, and
    |w_0 - w*|. variant: "from w*" (the runs start at w*), "plus" (each step adds eta g_hat)."""
    rng = np.random.default_rng(seed)
    X2, y2, _ = sgdcourse.make_logistic(100, 2, rng, w=np.array([2.0, -1.0]))
    plane = sgdcourse.Logistic(X2, y2)
    w_star = sgdcourse.sgd(plane, np.zeros(2), 2.0, m=plane.n, steps=3000, track_loss=False).theta
    w0 = np.array([-2.0, 2.0])
    start = w_star if variant == "from w*" else w0
    runner = Climbing(X2, y2) if variant == "plus" else plane
    rows = []
    for s in rng.integers(2**32, size=20):
        run = sgdcourse.sgd(runner, start, 0.5, m=1, steps=80, rng=np.random.default_rng(s), track_loss=False)
        lengths = np.linalg.norm(np.diff(run.thetas, axis=0), axis=1)
        rose = np.diff([plane.loss(w) for w in run.thetas]) > 0
        rows.append(
            (
                lengths[:20].mean(),
                lengths[40:].mean(),
                rose[:20].mean(),
                rose[40:].mean(),
                np.linalg.norm(run.theta - w_star),
            )
        )
    return np.array(rows), np.linalg.norm(w0 - w_star)


@claim("03", SECTION_7, "over the 20 runs the early steps are the longer ones in every run", every)
def test_steps_shorten_late(seed, broken):
    """20 runs on fresh data: in every run the mean length of steps 1-20 exceeds that of steps 41-80.
    Breaks: the runs start at w* (no early phase far from the minimiser)."""
    rows, _ = paths(seed, "from w*" if broken else "lesson")
    return bool(np.all(rows[:, 0] > rows[:, 1]))


@claim("03", SECTION_7, "$L$ went up more often late than early in most runs", every)
def test_loss_rises_more_often_late(seed, broken):
    """20 runs on fresh data: in more than half of them, L rose after a larger share of steps 41-80 than
    of steps 1-20. Breaks: the runs start at w* (both halves are then near the minimiser)."""
    rows, _ = paths(seed, "from w*" if broken else "lesson")
    return int(np.sum(rows[:, 3] > rows[:, 2])) > len(rows) / 2


@claim("03", SECTION_7, "every run ends much closer to $w^\\ast$ than it started, but none on it", every)
def test_runs_end_near_but_not_on_w_star(seed, broken):
    """20 runs on fresh data: every |w_80 - w*| is below half of |w_0 - w*| and above 0.01. Breaks: each
    step adds eta g_hat instead of subtracting it."""
    rows, start = paths(seed, "plus" if broken else "lesson")
    ends = rows[:, 4]
    return bool(np.all(ends < start / 2) and np.all(ends > 0.01))


test_breaks = breaks_tests(globals())
