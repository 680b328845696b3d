"""Claims of lesson 07 (momentum, and where the noise helps), re-run over seeds; see claimkit.

The valley claims vary the start, the noise-ball claim the noise draws (and the curvature and beta),
the oscillator claim the curvature and the betas compared, the map claim the conditioning and the start,
the sharp/flat claims the starts, the batch draws, the data draw and the train/test splits.
"""

import functools

import numpy as np

import sgdcourse
from claimkit import breaks_tests, claim, every, mean_between
from sgdcourse.dynamics import momentum_optimum
from sgdcourse.landscapes import SharpFlatLandscape, equal_depths
from sgdcourse.trajectory import steps_to_tolerance

S0 = "Lesson 07 — Momentum, and where the noise helps"
S2 = "2. Why: a gradient that keeps its sign adds up"
S3 = "3. The heavy ball as a damped oscillator"
S4 = "4. The whole $(\\eta, \\beta)$ plane"
S5 = "5. Where the noise helps: sharp and flat minima"
S5_RUNS = S5 + " / The experiment"
S5_WHY = S5 + " / Why the sharp minimum does not hold a noisy run"
S5_HELD = S5 + " / What the choice means on held-out data"
S6 = "6. What is still missing"

# the lesson's valley and sharp/flat settings
VALLEY_LAMBDA, VALLEY_ETA, VALLEY_TOL = np.array([1.0, 50.0]), 0.036, 1e-4
ETA_SGD, N_TRAIN = 0.2, 20


def valley_start(rng):
    """A start like the lesson's (-8, 1): far along the floor, a little up a wall, random signs."""
    return rng.choice([-1.0, 1.0], size=2) * np.array([rng.uniform(4, 10), rng.uniform(0.5, 2)])


def heavy_ball_steps_to_tol(theta0, betas, steps=400, averaged=False):
    """Steps to tol of the heavy ball on the valley, for every beta at once (np.inf if not reached).

    averaged=True uses the other convention, v <- beta v + (1 - beta) g."""
    betas = np.asarray(betas, dtype=float)[:, None]
    theta, v = np.tile(theta0, (betas.shape[0], 1)), np.zeros((betas.shape[0], 2))
    losses = [0.5 * (VALLEY_LAMBDA * theta**2).sum(axis=1)]
    for _ in range(steps):
        g = VALLEY_LAMBDA * theta
        v = betas * v + ((1 - betas) * g if averaged else g)
        theta = theta - VALLEY_ETA * v
        losses.append(0.5 * (VALLEY_LAMBDA * theta**2).sum(axis=1))
    out = [steps_to_tolerance(col, VALLEY_TOL) for col in np.array(losses).T]
    return np.array([np.inf if t is None else t for t in out], dtype=float)


@functools.lru_cache(maxsize=None)
def landscape():
    """The lesson's landscape: 100 offsets evenly spaced in [-0.25, 0.25], minima equally deep."""
    return equal_depths(np.linspace(-0.25, 0.25, 100))


def sgd_runs(land, starts, m, eta, steps, rng, record=()):
    """SGD from every start at once on a SharpFlatLandscape (m=None: the full batch), as the
    lesson's run_many; returns the end points and {t: share on the sharp side after step t}."""
    theta, a, shares = np.array(starts, dtype=float), land.X[:, 0], {}
    for t in range(1, steps + 1):
        if m is None:
            shifted = theta[:, None] - a[None, :]
        else:
            shifted = theta[:, None] - a[rng.integers(0, land.n, size=(theta.size, m))]
        theta = theta - eta * land.profile_slope(shifted).mean(axis=1)
        if t in record:
            shares[t] = float(np.mean(land.classify(theta) == "sharp"))
    return theta, shares


@functools.lru_cache(maxsize=None)
def split_minima(seed, splits=20):
    """For `splits` random 20/80 splits of the lesson's 100 offsets: the training set's landscape
    (not re-centred, as in the lesson) and, at its sharp and its flat minimum, L_train, L_test and
    L on all 100 examples. Returns (landscapes, tests, array (splits, 6): L_train(sharp),
    L_train(flat), L_test(sharp), L_test(flat), L(sharp), L(flat)).

    A training set spread so wide that its narrow well is no longer the sharper minimum (about one
    split in 200; SharpFlatLandscape refuses it) is redrawn: the lesson's question needs both minima."""
    rng, land = np.random.default_rng(seed), landscape()
    offsets = land.X[:, 0]
    lands, tests, rows = [], [], []
    while len(rows) < splits:
        order = rng.permutation(land.n)
        train, test = offsets[order[:N_TRAIN]], offsets[order[N_TRAIN:]]
        try:
            lt = SharpFlatLandscape(train, depths=land.depths, centred=False)
        except ValueError:
            continue
        lands.append(lt), tests.append(test)
        rows.append([lt.loss_on(where, x) for where in (train, test, offsets) for x in (lt.sharp_min, lt.flat_min)])
    return lands, tests, np.array(rows)


# ---- the opening: the valley -----------------------------------------------------------------


@claim(
    "07", S0, "The heavy ball needs about a quarter of the steps, with the same gradients and the same $\\eta$.", every
)
def test_heavy_ball_needs_a_quarter_of_the_steps(seed, broken):
    """Steps to tol of the library's heavy ball (beta = 0.7) over plain GD's, from a random start
    on the lesson's valley: between 0.18 and 0.32. Breaks: the heavy ball run with beta = 0."""
    rng = np.random.default_rng(seed)
    valley, theta0 = sgdcourse.QuadraticBowl(curvatures=VALLEY_LAMBDA), valley_start(rng)
    plain = sgdcourse.sgd(valley, theta0, VALLEY_ETA, m=1, steps=300)
    heavy = sgdcourse.sgd(valley, theta0, VALLEY_ETA, m=1, steps=300, momentum=0.0 if broken else 0.7)
    ratio = steps_to_tolerance(heavy.losses, VALLEY_TOL) / steps_to_tolerance(plain.losses, VALLEY_TOL)
    return 0.18 <= ratio <= 0.32


@claim(
    "07",
    S0,
    "Across the walls (right) it does not help: its swing dies out a little more slowly than plain GD's sawtooth "
    "(the printed factors).",
    every,
)
def test_heavy_ball_swings_longer_across_the_walls(seed, broken):
    """From a random start on the lesson's valley, the library's heavy ball (beta = 0.7) and plain GD: the largest
    |theta_t,2| over steps 20-40 is larger for the heavy ball, by at most a factor 20, while the heavy ball's
    |theta_t,1| at step 40 is smaller than plain GD's. Breaks: the heavy ball run with beta = 0.3 (its wall
    factor 0.75 is below plain GD's 0.8)."""
    rng = np.random.default_rng(seed)
    valley, theta0 = sgdcourse.QuadraticBowl(curvatures=VALLEY_LAMBDA), valley_start(rng)
    plain = sgdcourse.sgd(valley, theta0, VALLEY_ETA, m=1, steps=60)
    heavy = sgdcourse.sgd(valley, theta0, VALLEY_ETA, m=1, steps=60, momentum=0.3 if broken else 0.7)
    wall_plain, wall_heavy = (np.abs(run.thetas[20:41, 1]).max() for run in (plain, heavy))
    floor_plain, floor_heavy = (abs(run.thetas[40, 0]) for run in (plain, heavy))
    return wall_plain < wall_heavy <= 20 * wall_plain and floor_heavy < floor_plain


# ---- 2. momentum and noise -------------------------------------------------------------------


@claim(
    "07",
    S2,
    "At a fixed $\\eta$ the variance of the heavy ball's noise ball is about $1/(1-\\beta)$ times "
    "plain SGD's, and at the step $\\eta(1-\\beta)$ it is the same.",
    every,
)
def test_momentum_enlarges_the_noise_ball(seed, broken):
    """Stationary Var(e_T) of 4000 runs on a 1-D quadratic (curvature in [0.5, 2], s^2 = 1, beta in
    [0.8, 0.95]): the heavy ball at eta = 0.05 over plain SGD at 0.05 lies within 20 % of
    1/(1 - beta), and the heavy ball at 0.05 (1 - beta) over plain SGD within 15 % of 1.
    Breaks: the heavy ball run in the averaged convention v <- beta v + (1 - beta) g_hat."""
    rng = np.random.default_rng(seed)
    lam, beta, eta, runs, steps = rng.uniform(0.5, 2.0), rng.uniform(0.8, 0.95), 0.05, 4000, 400

    def variance(step, b):
        e, v = np.zeros(runs), np.zeros(runs)
        for _ in range(steps):
            g = lam * e + rng.standard_normal(runs)  # lambda e_t + xi_t, s^2 = 1
            v = b * v + ((1 - b) * g if broken and b > 0 else g)
            e = e - step * v
        return e.var()

    plain = variance(eta, 0.0)
    fixed, matched = variance(eta, beta) / plain, variance(eta * (1 - beta), beta) / plain
    return abs(fixed * (1 - beta) - 1) <= 0.2 and abs(matched - 1) <= 0.15


# ---- 3. the damped oscillator and the best beta -----------------------------------------------


def steps_below(e0, beta, eta_lam, threshold=1e-6, steps=20000):
    """(steps until |e_t| stays below threshold |e_0|, whether e_t changed sign while above 1e-12 |e_0|) for
    e_{t+1} = (1 + beta - eta lambda) e_t - beta e_{t-1}, with e_1 = (1 - eta lambda) e_0 (v_0 = 0)."""
    prev, e, last_above, flipped = e0, (1 - eta_lam) * e0, 0, False
    for t in range(1, steps + 1):
        if abs(e) >= threshold * abs(e0):
            last_above = t
        if abs(e) > 1e-12 * abs(e0) and np.sign(e) != np.sign(e0):
            flipped = True
        prev, e = e, (1 + beta - eta_lam) * e - beta * prev
    return last_above + 1, flipped


@claim(
    "07",
    S3,
    "Critical damping converges fastest of the three: the over-damped ball is still creeping when the "
    "critical one has arrived, and the under-damped one overshoots the minimum and swings about it.",
    every,
)
def test_critical_damping_is_fastest(seed, broken):
    """One axis of the heavy ball from e_0 (random sign and size), v_0 = 0, eta lambda drawn from [0.01, 0.2]:
    beta* = (1 - sqrt(eta lambda))^2 brings |e_t| below 1e-6 |e_0| for good in fewer steps than an
    over-damped beta (beta* times a draw from [0.2, 0.7]) and an under-damped one (beta* + (1 - beta*) times a
    draw from [0.3, 0.8]); the under-damped error changes sign, the over-damped and the critical one do not.
    Breaks: beta* computed as (1 - eta lambda)^2, the square root dropped."""
    rng = np.random.default_rng(seed)
    eta_lam, e0 = rng.uniform(0.01, 0.2), rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 5)
    star = (1 - np.sqrt(eta_lam)) ** 2
    over, under = star * rng.uniform(0.2, 0.7), star + (1 - star) * rng.uniform(0.3, 0.8)
    critical = (1 - eta_lam) ** 2 if broken else star
    (n_crit, flip_crit), (n_over, flip_over), (n_under, flip_under) = (
        steps_below(e0, b, eta_lam) for b in (critical, over, under)
    )
    return n_crit < n_over and n_crit < n_under and flip_under and not flip_over and not flip_crit


@claim(
    "07",
    S3,
    "The count falls from plain GD's to a minimum between $\\beta = 0.65$ and $0.7$ and then rises "
    "again; at $\\beta = 0.95$ the heavy ball is slower than plain GD.",
    every,
)
def test_best_beta_between_065_and_07(seed, broken):
    """Steps to tol on the valley from a random start, for beta on a 0.01 grid in [0, 0.98]: the
    fewest steps come at a beta in [0.65, 0.70], fewer than plain GD's, and beta = 0.95 takes more
    than plain GD. Breaks: the averaged convention v <- beta v + (1 - beta) g (its best beta is near 0.88)."""
    rng = np.random.default_rng(seed)
    grid = np.round(np.arange(0.0, 0.99, 0.01), 2)
    steps = heavy_ball_steps_to_tol(valley_start(rng), grid, averaged=broken)
    best = grid[np.argmin(steps)]
    return 0.65 <= best <= 0.70 and steps.min() < steps[0] < steps[grid == 0.95][0]


# ---- 4. the (eta, beta) map -------------------------------------------------------------------


@claim(
    "07",
    S4,
    "At the star the heavy ball needs several times fewer steps than plain GD at its own best step (the first "
    "and third readouts).",
    every,
)
def test_heavy_ball_at_the_star_beats_gd_at_its_best(seed, broken):
    """A bowl with curvatures (1, kappa), kappa drawn from [20, 200], from a random start: steps until the loss
    stays below 1e-10 L_0, for the library's heavy ball at momentum_optimum's (eta*, beta*) and for plain GD at
    its best step 2 / (1 + kappa); the heavy ball needs at most a third of GD's.
    Breaks: the heavy ball run at eta* with beta = 0 (plain GD at the star's step)."""
    rng = np.random.default_rng(seed)
    lam = np.array([1.0, rng.uniform(20, 200)])
    bowl, theta0 = sgdcourse.QuadraticBowl(curvatures=lam), rng.standard_normal(2) * np.array([5.0, 1.0])
    eta_star, beta_star, _ = momentum_optimum(lam)
    L0 = float(bowl.loss(theta0))
    gd = sgdcourse.sgd(bowl, theta0, 2 / (lam[0] + lam[1]), m=1, steps=3000)
    heavy = sgdcourse.sgd(bowl, theta0, eta_star, m=1, steps=3000, momentum=0.0 if broken else beta_star)
    n_gd, n_heavy = (steps_to_tolerance(run.losses, 1e-10 * L0) for run in (gd, heavy))
    return n_gd is not None and n_heavy is not None and n_heavy <= n_gd / 3


# ---- 5. sharp and flat: which basin the runs end in ------------------------------------------


@claim(
    "07",
    S5_RUNS,
    "The step is below $2/L''$ at the sharp minimum, so without noise (the full batch, not on the slider) "
    "each run rolls into the basin it started in; the readout counts those starts.",
    every,
)
def test_full_batch_keeps_its_basin(seed, broken):
    """20 full-batch runs from random starts between the two minima, 200 steps of eta = 0.2: every
    run ends within 1e-3 of the minimum on its starting side of the barrier. Breaks: eta = 0.5,
    above 2 / L'' at the sharp minimum (0.386)."""
    rng, land = np.random.default_rng(seed), landscape()
    starts = rng.uniform(land.sharp_min, land.flat_min, size=20)
    ends, _ = sgd_runs(land, starts, None, 0.5 if broken else ETA_SGD, 200, rng)
    own_minimum = np.where(land.classify(starts) == "sharp", land.sharp_min, land.flat_min)
    return bool(np.all(np.abs(ends - own_minimum) < 1e-3))


@claim(
    "07",
    S5_RUNS,
    "With single examples the sharp basin is empty or nearly so by step 100.",
    every,
)
def test_single_examples_leave_the_sharp_side(seed, broken):
    """50 runs started uniformly on the sharp side of the barrier, 100 steps of eta = 0.2 with m = 1:
    at most 2 of them (4 %) are still on the sharp side. Breaks: the runs take the full-batch gradient (no noise)."""
    rng, land = np.random.default_rng(seed), landscape()
    starts = rng.uniform(land.sharp_min, land.barrier, size=50)
    one, _ = sgd_runs(land, starts, None if broken else 1, ETA_SGD, 100, rng)
    return np.mean(land.classify(one) == "sharp") <= 0.04


@claim(
    "07",
    S5_RUNS,
    "At $m = 4$ it empties slowly: part of its runs are still there at step 600, none of these 200 at step 5000.",
    every,
    slow=True,
)
def test_escape_at_m4_is_a_rate(seed, broken):
    """50 runs with m = 4 started uniformly on the sharp side of the barrier, eta = 0.2: the share on the
    sharp side is between 0.2 and 0.8 after 600 steps and at most 0.05 after 5000.
    Breaks: m = 16 in place of m = 4."""
    rng, land = np.random.default_rng(seed), landscape()
    starts = rng.uniform(land.sharp_min, land.barrier, size=50)
    _, share = sgd_runs(land, starts, 16 if broken else 4, ETA_SGD, 5000, rng, record=(600, 5000))
    return 0.2 <= share[600] <= 0.8 and share[5000] <= 0.05


@claim(
    "07",
    S5_RUNS,
    "At $m = 16$ almost every run that started on the sharp side is still there after 5000 steps.",
    every,
    slow=True,
)
def test_m16_keeps_almost_every_run(seed, broken):
    """30 runs with m = 16 started uniformly on the sharp side of the barrier, eta = 0.2: at least 85 %
    of them on the sharp side after 5000 steps. Breaks: m = 4 in place of m = 16."""
    rng, land = np.random.default_rng(seed), landscape()
    starts = rng.uniform(land.sharp_min, land.barrier, size=30)
    _, share = sgd_runs(land, starts, 4 if broken else 16, ETA_SGD, 5000, rng, record=(5000,))
    return share[5000] >= 0.85


# ---- 5. why: mean-square stability -----------------------------------------------------------


@claim(
    "07",
    S5_WHY,
    "With single examples the mean-square factor is far above 1: the sharp minimum is unstable for "
    "$m = 1$, and a run near it is pushed away, not merely shaken; no noise ball forms.",
    every,
)
def test_sharp_minimum_is_mean_square_unstable_for_single_examples(seed, broken):
    """On a landscape of 100 offsets drawn uniformly from [-0.25, 0.25]: at its sharp minimum
    (1 - eta L'')^2 + eta^2 Var_i(l_i'') exceeds 2, and 50 single-example runs started exactly there
    are all on the flat side after 300 steps. Breaks: eta = 0.05, a quarter of the lesson's step."""
    rng = np.random.default_rng(seed)
    land = SharpFlatLandscape(rng.uniform(-0.25, 0.25, 100), depths=landscape().depths)
    eta = 0.05 if broken else ETA_SGD
    l_pp = land.profile_curvature(land.sharp_min - land.X[:, 0])
    factor = (1 - eta * l_pp.mean()) ** 2 + eta**2 * l_pp.var()
    ends, _ = sgd_runs(land, np.full(50, land.sharp_min), 1, eta, 300, rng)
    return factor > 2 and bool(np.all(land.classify(ends) == "flat"))


@claim(
    "07",
    S5_WHY,
    "At $m = 4$ the mean square still grows, but the typical run contracts: the mean of $\\log|1 - \\eta h_B|$ "
    "is below 0, and the mean square is pushed above 1 by the batches with $|1 - \\eta h_B| > 1$.",
    every,
)
def test_m4_mean_square_grows_but_the_typical_run_contracts(seed, broken):
    """On a landscape of 100 offsets drawn uniformly from [-0.25, 0.25], at its sharp minimum, for 50000
    batches of m = 4 drawn with replacement: the mean of (1 - eta h_B)^2 exceeds 1, the mean of log|1 - eta h_B|
    is below 0, and without the batches with |1 - eta h_B| > 1 the mean square would be below 1.
    Breaks: m = 1 in place of m = 4."""
    rng = np.random.default_rng(seed)
    land = SharpFlatLandscape(rng.uniform(-0.25, 0.25, 100), depths=landscape().depths)
    l_pp = land.profile_curvature(land.sharp_min - land.X[:, 0])
    factor = 1 - ETA_SGD * l_pp[rng.integers(0, land.n, size=(50_000, 1 if broken else 4))].mean(axis=1)
    tame = np.where(np.abs(factor) > 1, 0.0, factor**2)
    return np.mean(factor**2) > 1 and np.mean(np.log(np.abs(factor))) < 0 and tame.mean() < 1


# ---- 5. held-out data ------------------------------------------------------------------------


@claim(
    "07",
    S5_HELD,
    "But on a training set the two minima are also no longer equally deep (they were balanced "
    "on all 100 examples, not on each sample of 20), and the sharp one is often the deeper, in more than "
    "half of the splits (the printed count).",
    mean_between(0.55, 0.8),
)
def test_sharp_minimum_often_deeper_on_the_training_set(seed, broken):
    """Over 20 random 20/80 splits, the share whose training set has its sharp minimum the deeper
    one; the mean share over the seeds lies in [0.55, 0.8] (more than half, not nearly all). Breaks: the depths
    of the training set's two minima compared on all 100 examples instead of on the training set."""
    _, _, rows = split_minima(seed)
    sharp, flat = (rows[:, 4], rows[:, 5]) if broken else (rows[:, 0], rows[:, 1])
    return float(np.mean(sharp < flat))


@claim(
    "07",
    S5_HELD,
    "The comparison that needs no equal depths is the test loss itself: the flat minimum has the "
    "lower one in most splits (the last line).",
    every,
)
def test_flat_minimum_has_the_lower_test_loss(seed, broken):
    """Over 20 random 20/80 splits, the training set's flat minimum has the lower loss on the 80
    held-out examples in more than half of them. Breaks: scored on the training set instead."""
    _, _, rows = split_minima(seed)
    sharp, flat = (rows[:, 0], rows[:, 1]) if broken else (rows[:, 2], rows[:, 3])
    return np.sum(flat < sharp) > len(rows) / 2


@functools.lru_cache(maxsize=None)
def heldout_runs(seed, splits=10, runs=30, steps=300):
    """On the first `splits` training sets of split_minima(seed): `runs` runs with m = 1 and as many
    full-batch runs from the same random starts between the minima, `steps` steps of eta = 0.2.
    Per split and arm (m = 1, then full batch): share ended sharp, mean L_train, mean L_test.
    Returns an array (splits, 2, 3)."""
    lands, tests, _ = split_minima(seed)
    rng, out = np.random.default_rng(seed + 1000), []
    for land, test in zip(lands[:splits], tests[:splits]):
        starts = rng.uniform(land.sharp_min, land.flat_min, size=runs)
        arms = []
        for m in (1, None):
            ends, _ = sgd_runs(land, starts, m, ETA_SGD, steps, rng)
            arms.append(
                [
                    np.mean(land.classify(ends) == "sharp"),
                    land.loss_on(land.X[:, 0], ends).mean(),
                    land.loss_on(test, ends).mean(),
                ]
            )
        out.append(arms)
    return np.array(out)


@claim(
    "07",
    S5_HELD,
    "Full-batch descent keeps the runs that start on the sharp side, and on the training set that "
    "costs nothing: its training loss is as low as that of the single-example runs, or a little lower, since the "
    "sharp minimum is often the deeper one there.",
    every,
    slow=True,
)
def test_full_batch_costs_nothing_on_the_training_set(seed, broken):
    """The runs of heldout_runs: some full-batch runs end sharp in every split (over 10 % of them on
    average), and their mean training loss over the splits is at most the m = 1 runs' + 0.0005.
    Breaks: both scored on the held-out examples instead of the training set."""
    scores = heldout_runs(seed)
    one, full = scores[:, 0, 2 if broken else 1], scores[:, 1, 2 if broken else 1]
    return scores[:, 1, 0].min() > 0 and scores[:, 1, 0].mean() > 0.1 and full.mean() <= one.mean() + 0.0005


@claim(
    "07",
    S5_HELD,
    "On the held-out examples the order turns: the single-example runs, which all leave the sharp "
    "well, have the lower test loss, on average and in most splits (the last line), with a far smaller spread.",
    every,
    slow=True,
)
def test_single_example_runs_have_the_lower_test_loss(seed, broken):
    """On 10 random training sets, 30 runs with m = 1 and 30 full-batch runs from the same starts
    between the minima, 300 steps of eta = 0.2: no m = 1 run ends sharp, and their mean test loss
    is lower than the full-batch runs' in more than half of the splits and on average over the
    splits, with at most half the spread (sd over splits). Breaks: both scored on the training set
    instead of the held-out examples."""
    scores = heldout_runs(seed)
    one, full = scores[:, 0, 1 if broken else 2], scores[:, 1, 1 if broken else 2]
    return (
        scores[:, 0, 0].max() == 0
        and np.sum(one < full) > len(one) / 2
        and one.mean() < full.mean()
        and one.std() <= full.std() / 2
    )


# ---- 6. Adam ----------------------------------------------------------------------------------


def adam_losses(bowl, theta0, alpha=0.1, steps=400, beta1=0.9, beta2=0.999, eps=1e-8, root=True):
    """Losses of Adam on a QuadraticBowl, as the lesson's adam (root=False: divide by u, not sqrt(u))."""
    theta, g_bar, u, losses = np.array(theta0, dtype=float), np.zeros(2), np.zeros(2), []
    for t in range(steps):
        losses.append(float(bowl.loss(theta)))
        g = bowl.grad(theta)
        g_bar, u = beta1 * g_bar + (1 - beta1) * g, beta2 * u + (1 - beta2) * g * g
        scale = u / (1 - beta2 ** (t + 1))
        theta = theta - alpha * (g_bar / (1 - beta1 ** (t + 1))) / ((np.sqrt(scale) if root else scale) + eps)
    return np.array(losses + [float(bowl.loss(theta))])


@claim("07", S6, "Adam arrives in the same number of steps on both, where plain GD diverges on the steeper one.", every)
def test_adam_does_not_care_about_the_scale(seed, broken):
    """From a random start on the valley and on the valley with its loss x 100: Adam (alpha = 0.1) reaches tol
    (x 100 on the steep one) in the same number of steps, and plain GD at eta = 0.036 diverges on the steep one.
    Breaks: Adam divides by the second moment u itself, not its square root."""
    rng = np.random.default_rng(seed)
    theta0 = valley_start(rng)
    valley, steep = (sgdcourse.QuadraticBowl(curvatures=k * VALLEY_LAMBDA) for k in (1, 100))
    n, n_steep = (
        steps_to_tolerance(adam_losses(bowl, theta0, root=not broken), k * VALLEY_TOL)
        for bowl, k in ((valley, 1), (steep, 100))
    )
    gd = sgdcourse.sgd(steep, theta0, VALLEY_ETA, m=1, steps=50)
    return n is not None and n == n_steep and gd.diverged_at is not None


test_breaks = breaks_tests(globals())
