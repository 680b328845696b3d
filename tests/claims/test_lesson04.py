"""Claims of lesson 04 (batch size and variance), re-run over seeds; see claimkit.

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

S2 = "2. Measured on real per-example gradients"
S3 = "3. Sampling without replacement"
S4 = "4. A batch-size slider"
S5 = "5. The cost side: time per gradient evaluation"
S6 = r"6. Scaling the learning rate with the batch: $\eta \propto m$, and where it stops"
S7 = "7. Batch size on held-out data"
S8 = "8. Full batch, mini-batch, single example"


# --- sections 2 to 4: the variance of a batch mean ----------------------------------------------
def _first_coordinate_gradients(seed):
    """Section 2's numbers G_i: first coordinate of the per-example gradients of a least-squares
    model on 200 fresh examples with 3 features, at theta = 0; their population variance; the rng."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_linear_regression(200, 3, rng)
    G = sgdcourse.LeastSquares(X, y).per_example_grads(np.zeros(3))[:, 0]
    return G, np.mean((G - G.mean()) ** 2), rng


def _var_and_se(g_hats):
    """Sample variance of the draws and its standard error, as the lesson estimates it."""
    return g_hats.var(ddof=1), np.std((g_hats - g_hats.mean()) ** 2) / np.sqrt(len(g_hats))


@claim(
    "04",
    S2,
    r"The measured variance tracks $\sigma^2/m$ across a factor of 64 in $m$, and the deviations "
    r"are of the size that $R$ random draws produce anyway.",
    every,
)
def test_measured_variance_is_sigma2_over_m(seed, broken):
    """R = 20000 batches with replacement for each of m = 1, 4, 16, 64 on fresh data: every measured
    variance of g_hat lies within 4 standard errors of sigma^2/m (the size of deviation that chance
    produces; beyond 4 it does about once in 16,000 rows). Breaks: the batches drawn without replacement
    (m distinct examples), whose variance is smaller by (N - m)/(N - 1)."""
    G, sigma2, rng = _first_coordinate_gradients(seed)
    R, n = 20000, len(G)
    perms = np.argsort(rng.random((R, n)), axis=1) if broken else None
    for m in (1, 4, 16, 64):
        idx = perms[:, :m] if broken else rng.integers(0, n, size=(R, m))
        measured, se = _var_and_se(G[idx].mean(axis=1))
        if abs(measured - sigma2 / m) >= 4 * se:
            return False
    return True


@claim(
    "04",
    S3,
    r"The measurements follow the corrected column, not the plain $\sigma^2/m$ column: from "
    r"$m = 50$ on, each lies within a few standard errors of the corrected value and many standard "
    r"errors from the plain one.",
    every,
)
def test_without_replacement_follows_the_correction(seed, broken):
    """R = 8000 random permutations of fresh data (the lesson: 20000); for m = 50, 100, 150 the mean of
    the first m entries has a variance within 4 standard errors ("a few") of sigma^2/m (N - m)/(N - 1)
    and more than 10 ("many") from sigma^2/m. Breaks: the batches drawn with replacement."""
    G, sigma2, rng = _first_coordinate_gradients(seed)
    R, n = 8000, len(G)
    perms = None if broken else np.argsort(rng.random((R, n)), axis=1)
    for m in (50, 100, 150):
        idx = rng.integers(0, n, size=(R, m)) if broken else perms[:, :m]
        measured, se = _var_and_se(G[idx].mean(axis=1))
        corrected, plain = sigma2 / m * (n - m) / (n - 1), sigma2 / m
        if not (abs(measured - corrected) < 4 * se and abs(measured - plain) > 10 * se):
            return False
    return True


def _skew_and_excess_kurtosis(values):
    z = (values - values.mean()) / values.std()
    return np.mean(z**3), np.mean(z**4) - 3


@claim(
    "04",
    S4,
    r"notice that the histogram is not bell-shaped at all (single examples are spiky), and watch it "
    r"become normal as $m$ grows",
    every,
)
def test_histogram_becomes_bell_shaped(seed, broken):
    """4000 draws of g_hat with replacement, as the explorer draws them, at m = 1 and m = 64 on fresh data:
    at m = 1 the excess kurtosis exceeds 1 (spiky tails, far from normal); at m = 64 the skewness and the
    excess kurtosis are each below a quarter of their m = 1 values in size, give or take the sampling
    error (0.1 and 0.2). Breaks: each batch is one example repeated m times, so g_hat at m = 64 is
    distributed like a single draw."""
    G, _, rng = _first_coordinate_gradients(seed)
    single = G[rng.integers(0, len(G), size=4000)]
    idx = (
        rng.integers(0, len(G), size=(4000, 1)).repeat(64, axis=1)
        if broken
        else rng.integers(0, len(G), size=(4000, 64))
    )
    skew_1, kurt_1 = _skew_and_excess_kurtosis(single)
    skew_64, kurt_64 = _skew_and_excess_kurtosis(G[idx].mean(axis=1))
    return kurt_1 > 1 and abs(skew_64) < abs(skew_1) / 4 + 0.1 and abs(kurt_64) < abs(kurt_1) / 4 + 0.2


# --- section 5: time per step, measured with one BLAS thread and medians -------------------------
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
    "04",
    S5,
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
    "04",
    S5,
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


# --- section 6: linear scaling on the bowl, and the settling level -------------------------------
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
    "04",
    S6,
    r"Up to $m = 32$ the loss after the same number of examples stays close to that of "
    r"single-example SGD: linear scaling works.",
    every,
)
def test_linear_scaling_keeps_the_level_up_to_32(seed, broken):
    """For m = 4, 16, 32 the measured excess after 4096 examples is less than twice that of m = 1.
    Breaks: eta not scaled with m (eta_1 for every batch size), so the large batches take fewer steps of
    the same size and are still far from the minimum."""
    runs = _linear_scaling(seed, scaled=not broken)
    base = runs[1][0]
    return all(runs[m][0] is not None and runs[m][0] < 2 * base for m in (4, 16, 32))


@claim(
    "04",
    S6,
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
    "04",
    S6,
    r"At $m = 128$ the step is past $2/\lambda_{\max}$ and every run diverges; `diverged_at` is the "
    r"step at which the driver stopped it.",
    every,
)
def test_linear_scaling_diverges_at_128(seed, broken):
    """All three runs at m = 128 (eta lambda_max = 3.2) diverge. Breaks: eta not scaled with m, so m = 128
    runs with eta_1 and stays stable."""
    return _linear_scaling(seed, scaled=not broken)[128][1]


@claim(
    "04",
    S6,
    r"The curve for $m = 64$ falls just as fast at first (the shallow axis is still far from its "
    r"limit) but levels off higher, and the red one climbs out from its first steps.",
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


def _ratios_scatter_around_one(results):
    """Every seed has ratios on both sides of 1, and for each m the mean ratio over the seeds lies in
    [0.8, 1.25]: the formula is right on average, the three runs scatter around it."""
    per_m = np.array(results)  # (seed, m)
    both_sides = all(row.min() < 1 < row.max() for row in per_m)
    return both_sides and bool(np.all((0.8 <= per_m.mean(axis=0)) & (per_m.mean(axis=0) <= 1.25)))


_ratios_scatter_around_one.__name__ = "ratios_scatter_around_one"


@claim(
    "04",
    S6,
    r"The measured excess scatters around the settling level, above it in some rows and below it in "
    r"others (the ratio column): three short runs average out only part of the noise.",
    _ratios_scatter_around_one,
)
def test_settling_level_predicts_the_measured_excess(seed, broken):
    """The ratio measured excess / settling level for m = 1, 4, 16, 32, 64, one row per seed.
    Breaks: the factor 2 - eta lambda_k in the settling level replaced by 2 (the small-step form),
    which is 5 times too small on the steep axis at m = 64."""
    runs = _linear_scaling(seed)
    return [runs[m][0] / runs[m][3 if broken else 2] for m in M_VALUES[:-1]]


# --- section 7: held-out data --------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _heldout_parts(seed, part=0):
    """The lesson's data: 2200 fresh logistic examples (10 features and an intercept), a random split
    into 200 for training and 2000 held out, and five batch-order seeds. part > 0 draws another split
    of the same 2200 examples."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_logistic(2200, 10, rng, intercept=True)
    orders = tuple(int(s) for s in rng.integers(2**32, size=5))
    (X_tr, y_tr), (X_te, y_te) = sgdcourse.heldout.split(X, y, (200, 2000), np.random.default_rng([seed, part]))
    return sgdcourse.Logistic(X_tr, y_tr), sgdcourse.Logistic(X_te, y_te), orders


def _heldout_scores(seed, m, eta=0.1, epochs=None, steps=None, part=0):
    return _heldout_runs(seed, m, float(eta), epochs, steps, part)


@functools.lru_cache(maxsize=None)  # positional arguments only, so that equal calls share one entry
def _heldout_runs(seed, m, eta, epochs, steps, part):
    """Array (order, train/test, checkpoint, loss/accuracy) for the five batch orders, from theta = 0:
    after every epoch (epochs=) or at the start and the end (steps=)."""
    train, test, orders = _heldout_parts(seed, part)
    every_ = -(-train.n // m) if epochs is not None else steps
    out = []
    for s in orders:
        run = sgdcourse.sgd(
            train,
            np.zeros(train.dim),
            eta,
            m=m,
            epochs=epochs,
            steps=steps,
            rng=np.random.default_rng(s),
            track_loss=False,
        )
        out.append([sgdcourse.heldout.track(p, run.thetas, every=every_) for p in (train, test)])
    return np.array(out)


@claim("04", S7, r"For $m = 1$ both losses fall steeply during the first few epochs and then level off.", every)
def test_losses_fall_then_level_off(seed, broken):
    """m = 1, 20 epochs, mean over the five orders: both the training and the test loss fall by more than
    0.3 over the first 5 epochs and change by less than 0.05 over the last 15. Breaks: eta = 0.01 instead
    of 0.1, so the runs are still descending after 5 epochs."""
    curves = _heldout_scores(seed, 1, eta=0.01 if broken else 0.1, epochs=20)[:, :, :, 0].mean(axis=0)
    return all(c[0] - c[5] > 0.3 and abs(c[5] - c[20]) < 0.05 for c in curves)


def _after_one_epoch_or_200_steps(seed, broken):
    """(m, train/test, loss/accuracy) after one epoch of each m (the lesson), or after 200 steps of
    each m, one epoch of m = 1 (the break), mean over the orders."""
    if broken:
        return np.array([_heldout_scores(seed, m, steps=200)[:, :, -1].mean(axis=0) for m in (1, 10, 200)])
    return np.array([_heldout_scores(seed, m, epochs=20)[:, :, 1].mean(axis=0) for m in (1, 10, 200)])


@claim("04", S7, "At equal epochs the small batches are far ahead at first.", every)
def test_small_batches_are_ahead_at_equal_epochs(seed, broken):
    """After one epoch the training loss of m = 1 is more than 0.1 below that of m = 10, which is more than
    0.1 below that of m = 200; and the full batch after 20 epochs is still above m = 1 after one.
    Breaks: every batch size gets the same 200 steps instead of the same epochs."""
    first = _after_one_epoch_or_200_steps(seed, broken)[:, 0, 0]
    full_at_20 = _heldout_scores(seed, 200, epochs=20)[:, 0, -1, 0].mean()
    return first[1] - first[0] > 0.1 and first[2] - first[1] > 0.1 and full_at_20 > first[0]


@claim(
    "04",
    S7,
    "After one epoch every batch size classifies the held-out examples about equally well, while the "
    "losses still differ a lot: the loss also rewards confidence.",
    every,
)
def test_accuracy_is_a_coarse_score(seed, broken):
    """After one epoch the test accuracies of m = 1, 10, 200 lie within 0.05 of each other while their test
    losses spread over more than 0.2. Breaks: every batch size gets the same 200 steps, after which the
    losses are close too."""
    test = _after_one_epoch_or_200_steps(seed, broken)[:, 1]
    return np.ptp(test[:, 1]) < 0.05 and np.ptp(test[:, 0]) > 0.2


def _end(seed, m, **budget):
    """(order, train/test, loss/accuracy) at the end of the runs."""
    return _heldout_scores(seed, m, **budget)[:, :, -1]


@claim(
    "04",
    S7,
    r"At equal steps $m = 10$ and the full batch end with the same losses, and $m = 1$ ends close to them "
    r"but with the widest spread, because its steps are the noisiest.",
    every,
)
def test_equal_steps_end_together(seed, broken):
    """400 steps each: m = 10 and m = 200 end within 0.003 of each other in training and test loss; m = 1
    ends within 0.02 of m = 10 in training loss, and its spread over the orders is the widest in both.
    Breaks: the full batch gets equal epochs (20 steps) instead of 400."""
    one, ten = _end(seed, 1, steps=400), _end(seed, 10, steps=400)
    full = _end(seed, 200, epochs=20) if broken else _end(seed, 200, steps=400)
    means = [r[:, :, 0].mean(axis=0) for r in (one, ten, full)]
    spreads = [r[:, :, 0].std(axis=0) for r in (one, ten, full)]
    return (
        np.all(np.abs(means[1] - means[2]) < 0.003)
        and abs(means[0][0] - means[1][0]) < 0.02
        and np.all(spreads[0] > np.maximum(spreads[1], spreads[2]))
    )


@claim("04", S7, "The three end with about the same gap as well.", every)
def test_equal_steps_same_gap(seed, broken):
    """400 steps each: the mean training losses of m = 1, 10, 200 lie within 0.02 of each other and their
    mean gaps L_test - L_train within 0.01. Breaks: each batch size trains on its own random 200 of the
    2200 examples (and is scored on the other 2000), so the gaps differ by the split."""
    ends = [
        _heldout_scores(seed, m, steps=400, part=k if broken else 0)[:, :, -1, 0].mean(axis=0)
        for k, m in enumerate((1, 10, 200))
    ]
    train, gap = np.array([e[0] for e in ends]), np.array([e[1] - e[0] for e in ends])
    return np.ptp(train) < 0.02 and np.ptp(gap) < 0.01


@claim(
    "04",
    S7,
    r"At equal epochs the full batch, with only 20 steps, is still far behind on both losses, while "
    r"$m = 1$ and $m = 10$ end close together (here $m = 1$ lower on the training loss and about equal on "
    r"the test loss).",
    every,
)
def test_equal_epochs_full_batch_behind(seed, broken):
    """20 epochs each, means over the orders: the full batch's training and test losses are each more than
    0.15 above those of both m = 1 and m = 10, which are within 0.1 of each other. (The bracket describes
    the lesson's own table.) Breaks: the full batch gets 400 steps (equal steps) instead of 20."""
    one, ten = _end(seed, 1, epochs=20), _end(seed, 10, epochs=20)
    full = _end(seed, 200, steps=400) if broken else _end(seed, 200, epochs=20)
    l1, l10, l200 = (r[:, :, 0].mean(axis=0) for r in (one, ten, full))
    return bool(np.all(l200 - np.maximum(l1, l10) > 0.15) and np.all(np.abs(l1 - l10) < 0.1))


# --- section 8: full batch, mini-batch, single example on redundant data -------------------------
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
    """The lesson's table on fresh data: for the single example (eta from 0.01), the mini-batch of 32
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
    "04",
    S8,
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
    "04",
    S8,
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


def _m_noise(model, theta):
    G = model.per_example_grads(theta)
    return np.sum(G.var(axis=0)) / np.sum(G.mean(axis=0) ** 2)


@claim(
    "04",
    S8,
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
    "04",
    S8,
    r"the formula is checked at $\theta_0$ against 2000 sampled batches of 16 (the two agree within the "
    r"sampling error printed)",
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
