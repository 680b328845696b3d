"""Claims of lesson 05 (cost and scale), re-run over seeds; see claimkit.

Each experiment is the lesson's, drawn afresh from the seed (new data, new batches, new splits);
where a test is smaller than the lesson, its docstring says how. Experiments that several claims
read are cached per seed and per setting, so a claim and its Breaks: change share nothing but the
parts that the change leaves alone.
"""

import functools
from time import perf_counter

import numpy as np
from threadpoolctl import threadpool_limits

import sgdcourse
from claimkit import breaks_tests, claim, every

S1 = "1. Time per step against the batch size"
S2 = "2. Linear scaling and its ceiling"
S3 = "3. Full batch, mini-batch, single example"
S4 = "4. A gradient-noise diagnostic"


# --- section 1: time per step, measured with one BLAS thread and medians -------------------------
def _median_time(fn, budget=0.02, least=5, most=100):
    times, start = [], perf_counter()
    while len(times) < least or (perf_counter() - start < budget and len(times) < most):
        t0 = perf_counter()
        fn()
        times.append(perf_counter() - t0)
    return float(np.median(times))


@functools.lru_cache(maxsize=None)
def _times_per_call(seed, sizes, mode):
    """Median seconds per gradient call for each batch size, with numpy on one thread, on a fresh
    least-squares set of N = 2^15 rows and 64 features (the lesson: 2^17); the batch is the start of a
    random permutation. mode "batch": one model.grad call on the batch (the lesson); "loop": one call
    per example of the batch; "fixed": one call on the first 64 rows of the permutation whatever m."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_linear_regression(2**15, 64, rng)
    model = sgdcourse.LeastSquares(X, y)
    theta, order = np.zeros(64), rng.permutation(model.n)
    calls = {
        "batch": lambda s: lambda: model.grad(theta, order[:s]),
        "loop": lambda s: lambda: [model.grad(theta, order[i : i + 1]) for i in range(s)],
        "fixed": lambda s: lambda: model.grad(theta, order[:64]),
    }[mode]
    with threadpool_limits(limits=1):
        return tuple(_median_time(calls(s)) for s in sizes)


@claim(
    "05",
    S1,
    r"While $m$ grows from 1 to 64 the time per step grows by far less than that factor (the printed "
    r"ratio), because the fixed overhead of a call dominates.",
    every,
    slow=True,
)
def test_time_per_step_is_flat_for_small_batches(seed, broken):
    """Medians of many calls, one BLAS thread, on fresh data: a call on 64 examples takes less than 6
    times a call on one (64 times would be proportional; the lesson's machine printed close to 1).
    Breaks: the batch gradient computed as a Python loop with one call per example, so the overhead is
    paid m times."""
    t_1, t_64 = _times_per_call(seed, (1, 64), "loop" if broken else "batch")
    return t_64 < 6 * t_1


@claim(
    "05",
    S1,
    r"That work grows in proportion to $m$, so past the bend the time per example stops falling.",
    every,
    slow=True,
)
def test_time_per_example_stops_falling_for_large_batches(seed, broken):
    """Medians, one BLAS thread, fresh data: the time per example at m = 2^15 is at least half of that at
    m = 2^10 (a per-call overhead that still mattered would make it 32 times smaller). Breaks: the timed
    call ignores m and always uses the same 64 rows, so the time per step does not grow with m."""
    t_small, t_large = _times_per_call(seed, (2**10, 2**15), "fixed" if broken else "batch")
    return t_large / 2**15 >= 0.5 * t_small / 2**10


# --- section 2: linear scaling on the bowl, and the settling level -------------------------------
LAMBDAS, ETA_1, M_VALUES = (0.5, 4.0), 1 / 160, (1, 4, 16, 32, 64, 128)


def _linear_scaling(seed, lambdas=LAMBDAS, scaled=True):
    return _linear_scaling_runs(seed, tuple(lambdas), bool(scaled))


@functools.lru_cache(maxsize=None)  # positional arguments only, so that equal calls share one entry
def _linear_scaling_runs(seed, lambdas, scaled):
    """The lesson's runs on a bowl with fresh offsets: for each m, three runs of 4096 examples from
    (-3, 2) with eta = m eta_1 (scaled) or eta_1, batches with replacement. Returns, per m: the excess
    loss averaged over the second half of each run and over the runs (None if any diverged), whether
    every run diverged, the settling level with and without the factor 2 - eta lambda_k, the number of
    examples after which the mean excess of the runs first falls below 1 (inf if never; None if any
    diverged), and whether every run's excess rose in its first step."""
    rng = np.random.default_rng(seed)
    lam = np.array(lambdas)
    bowl = sgdcourse.QuadraticBowl(lam, center=[1.0, -0.5], offsets=rng.standard_normal((1000, 2)))
    sigma2 = bowl.per_example_grads(bowl.center).var(axis=0)
    out = {}
    for m in M_VALUES:
        eta, steps = ETA_1 * m if scaled else ETA_1, 4096 // m
        runs = [
            sgdcourse.sgd(
                bowl, np.array([-3.0, 2.0]), eta, m=m, steps=steps, rng=rng, sampling="replace", track_loss=False
            )
            for _ in range(3)
        ]
        diverged = [r.diverged for r in runs]
        measured = (
            None
            if any(diverged)
            else float(np.mean([(0.5 * (r.thetas[steps // 2 :] - bowl.center) ** 2 @ lam).mean() for r in runs]))
        )
        level = 0.5 * np.sum(eta / m * sigma2 / (2 - eta * lam))
        level_without = 0.5 * np.sum(eta / m * sigma2 / 2)
        excess = [0.5 * (r.thetas - bowl.center) ** 2 @ lam for r in runs]
        below = np.flatnonzero(np.mean(excess, axis=0) < 1.0) if not any(diverged) else None
        early = None if below is None else (m * int(below[0]) if len(below) else np.inf)
        climbs = all(e[1] > e[0] for e in excess)
        out[m] = (measured, all(diverged), level, level_without, early, climbs)
    return out


@claim(
    "05",
    S2,
    r"Up to $m = 16$ the loss after the same number of examples stays close to that of "
    r"single-example SGD: linear scaling works.",
    every,
)
def test_linear_scaling_keeps_the_level_up_to_16(seed, broken):
    """For m = 4 and 16 the measured excess after 4096 examples is less than 1.6 times that of m = 1 (the
    settling level predicts 1.04 and 1.23). Breaks: eta not scaled with m (eta_1 for every batch size),
    so the large batches take fewer steps of the same size and are still far from the minimum."""
    runs = _linear_scaling(seed, scaled=not broken)
    base = runs[1][0]
    return all(runs[m][0] is not None and runs[m][0] < 1.6 * base for m in (4, 16))


def _rise_at_32_as_predicted(results):
    """Every seed's m = 32 excess is above m = 1's, and over the seeds the mean measured rise is within
    20% of the mean predicted rise (the settling level's ratio, 1.64)."""
    measured, predicted = np.array(results).T
    return bool(np.all(measured > 1) and abs(measured.mean() / predicted.mean() - 1) < 0.2)


_rise_at_32_as_predicted.__name__ = "rise_at_32_as_predicted"


@claim("05", S2, r"At $m = 32$ it is already higher, as the settling level predicts.", _rise_at_32_as_predicted)
def test_linear_scaling_level_rises_at_32(seed, broken):
    """Per seed: (measured excess at m = 32 / that at m = 1, settling level at m = 32 / that at m = 1).
    Breaks: the factor 2 - eta lambda_k in the settling level replaced by 2 (the small-step form), which
    predicts no rise at all."""
    runs = _linear_scaling(seed)
    level = 3 if broken else 2
    return runs[32][0] / runs[1][0], runs[32][level] / runs[1][level]


@claim(
    "05",
    S2,
    r"At $m = 64$ the step is close to the limit: the steep axis overshoots back and forth, each "
    r"step damps the noise it has collected only a little, and the loss settles several times higher.",
    every,
)
def test_linear_scaling_settles_higher_at_64(seed, broken):
    """The measured excess at m = 64 (eta lambda_max = 1.6) is more than twice that of m = 1. Breaks: the
    steep curvature 4 lowered to 0.5, so eta lambda_max is 0.2 at m = 64, far from the limit."""
    runs = _linear_scaling(seed, lambdas=(0.5, 0.5) if broken else LAMBDAS)
    return runs[64][0] is not None and runs[64][0] > 2 * runs[1][0]


@claim(
    "05",
    S2,
    r"At $m = 128$ the step is past $2/\lambda_{\max}$ and every run diverges; `diverged_at` is the "
    r"step at which the driver stopped it.",
    every,
)
def test_linear_scaling_diverges_at_128(seed, broken):
    """All three runs at m = 128 (eta lambda_max = 3.2) diverge. Breaks: eta not scaled with m, so m = 128
    runs with eta_1 and stays stable."""
    return _linear_scaling(seed, scaled=not broken)[128][1]


@claim(
    "05",
    S2,
    r"The curves up to $m = 32$ fall together: at equal numbers of examples they made the same progress.",
    every,
)
def test_linear_scaling_curves_fall_together(seed, broken):
    """The mean excess of the runs with m = 4, 16, 32 first falls below 1 (from 16.5) within 1.25 times
    the examples that m = 1 needs. Breaks: eta not scaled with m, so m = 32 takes 128 steps of eta_1 and
    never gets below 1."""
    runs = _linear_scaling(seed, scaled=not broken)
    return all(runs[m][4] is not None and runs[m][4] <= 1.25 * runs[1][4] for m in (4, 16, 32))


@claim(
    "05",
    S2,
    r"The curve for $m = 64$ falls just as fast at first (the shallow axis is still far from its "
    r"limit) but levels off higher, and the $m = 128$ one climbs out from its first steps.",
    every,
)
def test_linear_scaling_curves(seed, broken):
    """The mean excess of the m = 64 runs first falls below 1 (from 16.5) within 1.5 times as many
    examples as that of m = 1; its level over the second half is more than twice m = 1's; and every
    m = 128 run has a higher excess after its first step than at the start. Breaks: eta not scaled with
    m, so m = 64 takes 64 small steps in all and never gets below 1."""
    runs = _linear_scaling(seed, scaled=not broken)
    early_1, early_64 = runs[1][4], runs[64][4]
    return bool(early_64 <= 1.5 * early_1 and runs[64][0] > 2 * runs[1][0] and runs[128][5])


def _ratios_close_to_one(results):
    """Every ratio of every seed lies in [0.5, 2] (three short runs scatter), and for each m the mean
    ratio over the seeds lies in [0.8, 1.25]: the formula is right on average."""
    per_m = np.array(results)  # (seed, m)
    means = per_m.mean(axis=0)
    return bool(np.all((0.5 <= per_m) & (per_m <= 2)) and np.all((0.8 <= means) & (means <= 1.25)))


_ratios_close_to_one.__name__ = "ratios_close_to_one"


@claim(
    "05",
    S2,
    r"In every row that settles, the measured excess is close to the settling level (the ratio column; "
    r"three short runs leave some scatter), so the formula predicts how the level rises with $m$.",
    _ratios_close_to_one,
)
def test_settling_level_predicts_the_measured_excess(seed, broken):
    """The ratio measured excess / settling level for m = 1, 4, 16, 32, 64, one row per seed.
    Breaks: the factor 2 - eta lambda_k in the settling level replaced by 2 (the small-step form),
    which is 5 times too small on the steep axis at m = 64."""
    runs = _linear_scaling(seed)
    return [runs[m][0] / runs[m][3 if broken else 2] for m in M_VALUES[:-1]]


# --- section 3: full batch, mini-batch, single example on redundant data -------------------------
LADDER = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def _logistic_and_gd(seed, n=20000):
    return _logistic_data_and_gd(seed, n)


@functools.lru_cache(maxsize=None)  # positional arguments only, so that equal calls share one entry
def _logistic_data_and_gd(seed, n):
    """Fresh logistic data (10 features and an intercept, n examples) and 300 full-batch GD steps with
    eta = 4 from theta = 0, as in the lesson."""
    X, y, _ = sgdcourse.make_logistic(n, 10, np.random.default_rng(seed), intercept=True)
    model = sgdcourse.Logistic(X, y)
    return model, sgdcourse.sgd(model, np.zeros(11), 4.0, m=n, steps=300, track_loss=False)


def _examples_to_target(model, loss_star, m, eta, seed, budget):
    """The lesson's count: examples processed until L - min L < 0.01, checked every 256 examples (every
    step for the full batch), inf if not within the budget."""
    gen, theta, seen = np.random.default_rng(seed), np.zeros(11), 0
    steps = max(1, 256 // m)
    while seen <= budget:
        if model.loss(theta) - loss_star < 0.01:
            return seen
        piece = sgdcourse.sgd(model, theta, eta, m=m, steps=steps, rng=gen, track_loss=False)
        if piece.diverged:
            return np.inf
        theta, seen = piece.theta, seen + steps * m
    return np.inf


@functools.lru_cache(maxsize=None)
def _mean_examples(seed, n, m, eta):
    """Mean over two run seeds of the examples to target, for the lesson's budget: 8000 examples for the
    single example and the mini-batch, 40 steps for the full batch."""
    model, gd = _logistic_and_gd(seed, n)
    loss_star = model.loss(gd.theta)
    budget = 40 * n if m == n else 8000
    run_seeds = np.random.default_rng([seed, 8]).integers(2**32, size=2)
    return float(np.mean([_examples_to_target(model, loss_star, m, eta, s, budget) for s in run_seeds]))


def _comparison(seed, n=20000, shift=0):
    """The lesson's comparison on fresh data: for the single example (eta from 0.01), the mini-batch of 32
    (from 0.3) and the full batch (from 3), four neighbouring values of the ladder each (moved by
    `shift` places). Returns {m: (best eta, its mean examples, inside)}, inside meaning that both ends
    of its four values are slower."""
    out = {}
    for m, first in ((1, 2), (32, 5), (n, 7)):
        grid = LADDER[first + shift : first + shift + 4]
        mean = {e: _mean_examples(seed, n, m, e) for e in grid}
        best = min(mean, key=mean.get)
        out[m] = (best, mean[best], bool(mean[grid[0]] > mean[best] < mean[grid[-1]]))
    return out


@claim(
    "05",
    S3,
    "In examples processed, the measure of compute, the full batch needs several times as many as "
    "either of the others, and those two need about the same.",
    every,
    slow=True,
)
def test_full_batch_needs_several_times_the_examples(seed, broken):
    """N = 20000 fresh examples, each method at its best eta: the full batch needs at least 3 times the
    examples of the single example and of the mini-batch, and those two are within a factor 2 of each
    other. Breaks: N = 500 instead of 20000, too few examples to be redundant, so a full-batch step
    costs little more than the others need in all."""
    table = _comparison(seed, n=500 if broken else 20000)
    single, mini, full = (table[m][1] for m in sorted(table))
    cheap = (single, mini)
    return bool(np.isfinite([single, mini, full]).all()) and full >= 3 * max(cheap) and max(cheap) <= 2 * min(cheap)


@claim(
    "05",
    S3,
    r"Each method's best $\eta$ lies strictly inside its part of the grid, with slower values on both "
    r"sides, so the edges of the grid did not pick the winner.",
    every,
    slow=True,
)
def test_best_eta_inside_the_grid_and_growing_with_m(seed, broken):
    """The same table: each method's best eta is slower-flanked at both ends of its four values, and the
    best eta grows with m (single < mini-batch < full batch). Breaks: every method's four values moved one
    place down the ladder, cutting off the value where the best often sat, so that a best then sits on
    the top edge (the old grid's fault)."""
    table = _comparison(seed, shift=-1 if broken else 0)
    best = [table[m][0] for m in sorted(table)]
    return all(table[m][2] for m in table) and best[0] < best[1] < best[2]


@functools.lru_cache(maxsize=None)
def _race_curves(seed, other_seed, late_factor):
    """The lesson's right-hand panel on fresh data: single example and mini-batch of 32, each at its best
    eta from the table, one run of 2N examples from theta = 0 with run seed `seed` (the mini-batch's with
    `other_seed` if given); L - min L every 256 examples. From the first check below the target on, eta
    is multiplied by late_factor."""
    model, gd = _logistic_and_gd(seed)
    loss_star, table = model.loss(gd.theta), _comparison(seed)
    curves = {}
    for m in (1, 32):
        gen = np.random.default_rng(other_seed if (m == 32 and other_seed is not None) else seed)
        theta, eta, checks = np.zeros(11), table[m][0], []
        for _ in range(2 * model.n // 256):
            checks.append(model.loss(theta) - loss_star)
            if checks[-1] < 0.01:
                eta = table[m][0] * late_factor
            theta = sgdcourse.sgd(model, theta, eta, m=m, steps=256 // m, rng=gen, track_loss=False).theta
        curves[m] = np.array(checks)
    return table[1][0], table[32][0], curves


@claim(
    "05",
    S3,
    r"In the right-hand panel the single example and the mini-batch lie on top of each other.",
    every,
    slow=True,
)
def test_single_and_mini_batch_curves_coincide(seed, broken):
    """Fresh data, each at its best eta, the same run seed: the median over the checks of
    |log(L_32 - min L) - log(L_1 - min L)| is below 0.15 (a factor 1.16), and the best eta of the
    mini-batch is 20 to 50 times the single example's (32 would be linear scaling). Breaks: the
    mini-batch draws its examples from another seed, so the two bounce independently (median about 0.4)."""
    eta_1, eta_32, curves = _race_curves(seed, seed + 1000 if broken else None, 1.0)
    gap = np.median(np.abs(np.log(curves[32]) - np.log(curves[1])))
    return bool(gap < 0.15 and 20 <= eta_32 / eta_1 <= 50)


@claim(
    "05",
    S3,
    r"Past the target both keep bouncing above and below it, in the noise ball of section 2",
    every,
    slow=True,
)
def test_sgd_bounces_around_the_target(seed, broken):
    """Fresh data, each at its best eta: both runs go below the target within 2N examples, and after
    their first check below it, at least one later check of each is back above. Breaks: eta divided by
    10 from the first check below the target on, which shrinks the noise ball tenfold."""
    _, _, curves = _race_curves(seed, None, 0.1 if broken else 1.0)
    out = []
    for c in curves.values():
        below = np.flatnonzero(c < 0.01)
        out.append(len(below) > 0 and bool(np.any(c[below[0] :] > 0.01)))
    return all(out)


# --- section 4: the gradient-noise diagnostic along the full-batch run -------------------------------
def _m_noise(model, theta):
    G = model.per_example_grads(theta)
    return np.sum(G.var(axis=0)) / np.sum(G.mean(axis=0) ** 2)


@claim(
    "05",
    S4,
    r"As the run approaches the minimum, $\nabla L$ shrinks while the per-example gradients keep "
    r"disagreeing, and $m_{\text{noise}}$ grows quickly, past $N$ itself",
    every,
)
def test_m_noise_grows_past_n(seed, broken):
    """Along 300 full-batch steps with eta = 4 on fresh data, m_noise at steps 0, 10, 30, 100, 300 rises at
    every row and ends above N = 20000. Breaks: the rows read in reverse order along the path."""
    model, gd = _logistic_and_gd(seed)
    steps = (300, 100, 30, 10, 0) if broken else (0, 10, 30, 100, 300)
    values = [_m_noise(model, gd.thetas[t]) for t in steps]
    return all(b > a for a, b in zip(values, values[1:])) and values[-1] > model.n


@claim(
    "05",
    S4,
    r"the formula is checked at $\theta_0$ against 2000 sampled batches of 16 (the two differ by less "
    r"than three of the printed standard errors)",
    every,
)
def test_noise_formula_at_theta0(seed, broken):
    """At theta_0 = 0 on fresh data, 2000 batches of 16 drawn with replacement: the mean of
    |g_hat - grad L|^2 is within 3 standard errors of tr Sigma / 16. Breaks: the 1/m dropped from the
    formula (tr Sigma)."""
    model, _ = _logistic_and_gd(seed)
    G0 = model.per_example_grads(np.zeros(11))
    draws = np.random.default_rng([seed, 16]).integers(0, model.n, size=(2000, 16))
    sq_err = np.sum((G0[draws].mean(axis=1) - G0.mean(axis=0)) ** 2, axis=1)
    predicted = np.sum(G0.var(axis=0)) / (1 if broken else 16)
    return abs(sq_err.mean() - predicted) < 3 * sq_err.std() / np.sqrt(len(sq_err))


test_breaks = breaks_tests(globals())
