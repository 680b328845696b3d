"""Claims of lesson 06 (the learning rate), re-run over seeds; see claimkit.

Each experiment is the lesson's, written small and vectorised: one-example SGD on the 1-D bowl
l_i = (lambda/2)(theta - c - a_i)^2 runs R copies at once, one random example per copy and step,
so gradient noise of variance s^2 = lambda^2 mean(a_i^2) (section 4). A seed draws the offsets,
the examples, and where the claim allows it the curvature and the start.
"""

import functools

import numpy as np

import sgdcourse
from claimkit import at_least, breaks_tests, claim, every
from sgdcourse import dynamics, schedules
from sgdcourse.explorers import NoiseBallExplorer

S2 = "2. The exact threshold"
S4 = "4. The noise ball of constant-$\\eta$ SGD"
S5 = "5. Schedules"
S6 = "6. A measured race: SGD against full-batch GD"


def offsets(rng, n=1000, scale=1.0):
    """n offsets a_i, centred as QuadraticBowl centres them."""
    a = scale * rng.standard_normal(n)
    return a - a.mean()


def sgd_final(etas, lam, a, theta_start, runs, rng, stop=None):
    """One-example SGD on the 1-D bowl with minimum c = 0, `runs` copies per schedule.

    etas: (S, T) step sizes, one row per schedule; returns the errors e_t = theta_t at t = stop
    (default T), shape (S, runs)."""
    etas = np.asarray(etas, dtype=float)
    S, T = etas.shape
    theta = np.full((S, runs), float(theta_start))
    for t in range(T if stop is None else stop):
        kick = a[rng.integers(0, a.size, size=(S, runs))]
        theta -= etas[:, t, None] * lam * (theta - kick)
    return theta


def rms(e):
    return np.sqrt(np.mean(e**2, axis=-1))


# ---- section 2: the threshold, tested on both sides -----------------------------------------
def random_bowl(seed):
    rng = np.random.default_rng(seed)
    lams = np.array([rng.uniform(0.5, 1.5), rng.uniform(3.0, 6.0)])[rng.permutation(2)]
    center = rng.uniform(-2, 2, 2)
    theta0 = center + rng.uniform(1, 3, 2) * rng.choice([-1.0, 1.0], 2)
    return sgdcourse.QuadraticBowl(curvatures=lams, center=center), theta0


@claim("06", S2, "Just below the threshold the error has shrunk by many orders of magnitude after 3000 steps.", every)
def test_below_threshold_converges(seed, broken):
    """GD on a random 2-axis bowl (curvatures in [0.5, 1.5] and [3, 6], random centre and start) at
    0.99 times the threshold 2/lambda_max: the error shrinks at least a millionfold in 3000 steps.
    Breaks: the threshold taken from lambda_min instead of lambda_max."""
    bowl, theta0 = random_bowl(seed)
    lam = bowl.curvatures.min() if broken else bowl.curvatures.max()
    run = sgdcourse.sgd(bowl, theta0, 0.99 * 2 / lam, m=1, steps=3000)
    e0, e_end = np.linalg.norm(theta0 - bowl.minimum), np.linalg.norm(run.theta - bowl.minimum)
    return not run.diverged and e_end < 1e-6 * e0


@claim("06", S2, "Just above it the run blows up.", every)
def test_above_threshold_blows_up_when_predicted(seed, broken):
    """GD at 1.01 times 2/lambda_max on a random bowl: the driver stops the run at the first step t
    whose closed-form iterate c + q^t e_0 has max_k |theta_k| above the blow-up bound.
    Breaks: the closed form built from the flattest axis alone (q = 1 - eta lambda_min on both axes)."""
    bowl, theta0 = random_bowl(seed)
    eta = 1.01 * 2 / bowl.curvatures.max()
    run = sgdcourse.sgd(bowl, theta0, eta, m=1, steps=3000)
    lam = np.full(2, bowl.curvatures.min()) if broken else bowl.curvatures
    t = np.arange(3001)[:, None]
    closed = bowl.minimum + (1 - eta * lam) ** t * (theta0 - bowl.minimum)
    over = np.abs(closed).max(axis=1) > 1e8 * max(1.0, np.abs(theta0).max())
    predicted = int(np.argmax(over)) if over.any() else None
    return run.diverged_at is not None and run.diverged_at == predicted


# ---- section 2, on real data: the threshold from the breast cancer data ---------------------
CANCER = sgdcourse.data.breast_cancer()


@functools.lru_cache(maxsize=None)
def cancer_features(seed, scaling):
    """The training rows of a 75/25 split (the split's rng from `seed`) with a column of ones, and
    the eigenvalues (ascending) of X^T X / N. scaling: "raw", "standardised", "centred" (each column
    minus its training mean, not divided) or "common" (every column divided by one number, the
    training matrix's overall sd)."""
    part = sgdcourse.data.train_test_split(CANCER.X, CANCER.y, 0.25, np.random.default_rng(seed))
    A = part.X_train
    if scaling == "standardised":
        A = sgdcourse.data.standardise(A).train
    elif scaling == "centred":
        A = A - A.mean(axis=0)
    elif scaling == "common":
        A = A / A.std()
    A = np.hstack([A, np.ones((len(A), 1))])
    return A, part.y_train.astype(float), np.linalg.eigvalsh(A.T @ A / len(A))


@functools.lru_cache(maxsize=None)
def cancer_gd(seed, scaling, share, per_example=True, steps=1000):
    """Least-squares GD with the driver (m = N) from theta = 0 for `steps` steps at share * 2/lambda_max,
    lambda_max from X^T X / N (per_example) or from X^T X (the 1/N dropped): (losses, relative excess loss)."""
    A, y, lams = cancer_features(seed, scaling)
    model = sgdcourse.LeastSquares(A, y)
    lam_max = lams[-1] if per_example else lams[-1] * len(A)
    run = sgdcourse.sgd(model, np.zeros(A.shape[1]), share * 2 / lam_max, m=model.n, steps=steps)
    loss_min, loss_0 = model.loss(model.solution()), model.loss(np.zeros(A.shape[1]))
    return run.losses, (run.losses - loss_min) / (loss_0 - loss_min)


@claim("06", S2, "every run at 0.99 times it descends, every run at 1.01 times it blows up.", every)
def test_real_data_threshold_splits_the_runs(seed, broken):
    """Raw and standardised features of a fresh split: at 0.99 times 2/lambda_max the loss falls at
    every one of 1000 steps; at 1.01 times it ends more than a million times its start.
    Breaks: lambda_max taken from X^T X, the 1/N of the Hessian dropped."""
    ok = True
    for scaling in ("raw", "standardised"):
        below, _ = cancer_gd(seed, scaling, 0.99, not broken)
        above, _ = cancer_gd(seed, scaling, 1.01, not broken)
        ok &= bool(np.all(np.diff(below) < 0) and len(above) == 1001 and above[-1] > 1e6 * above[0])
    return ok


@claim("06", S2, "Standardising divides the condition number by more than ten million", every)
def test_standardising_divides_the_condition_number(seed, broken):
    """lambda_max / lambda_min of X^T X / N (with the ones column) on a fresh split, raw over standardised.
    Breaks: the columns centred but not divided by their standard deviations."""
    kappa = {
        s: lams[-1] / lams[0] for s in ("raw", "standardised", "centred") for *_, lams in [cancer_features(seed, s)]
    }
    return kappa["raw"] / kappa["centred" if broken else "standardised"] > 1e7


@claim("06", S2, "between step 100 and step 1000 the raw run's excess loss falls by less than a fifth", every)
def test_raw_run_stalls(seed, broken):
    """GD at 0.99 times the raw threshold on a fresh split: the relative excess loss at step 1000 is
    more than 0.8 times the one at step 100.
    Breaks: the run made on the standardised features."""
    _, gap = cancer_gd(seed, "standardised" if broken else "raw", 0.99)
    return gap[1000] > 0.8 * gap[100]


@claim("06", S2, "The standardised run ends with less than a thirtieth of the raw run's excess loss", every)
def test_standardised_run_ends_far_closer(seed, broken):
    """GD at 0.99 times each version's own threshold, 1000 steps, same split: the standardised run's
    relative excess loss (the same minimum, since the ones column spans the same fits) is below a thirtieth
    of the raw run's.
    Breaks: every column divided by one common number instead of each by its own sd."""
    _, raw = cancer_gd(seed, "raw", 0.99)
    _, scaled = cancer_gd(seed, "common" if broken else "standardised", 0.99)
    return scaled[-1] < raw[-1] / 30


# ---- section 4: the noise ball explorer (least squares, real mini-batch noise) -------------
@functools.lru_cache(maxsize=None)
def ball_explorer(seed):
    """The lesson's NoiseBallExplorer on fresh data: least squares with two features of scales 1 and
    1/2 (200 examples, noise 0.5), started at theta* + (-1.6, 1.2); 100 runs of 400 steps."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_linear_regression(200, 2, rng, noise=0.5)
    X = X * np.array([1.0, 0.5])
    start = sgdcourse.LeastSquares(X, y).solution() + np.array([-1.6, 1.2])
    return NoiseBallExplorer(X, y, start, rng, runs=100)


def mean_excess(ex, eta, m, draws_of=None):
    """The runs' mean excess loss L(theta_t) - L(theta*) at every step, shape (steps + 1,); with
    draws_of, the batches of that batch size stand in for those of m."""
    k = ex.sizes.index(m if draws_of is None else draws_of)
    errors = dynamics.error_paths(eta, ex.e0, ex.batch_hessians[k], ex.batch_offsets[k])
    return dynamics.excess_loss(errors, ex.hessian).mean(axis=1)


@claim("06", S4, "At $m = 1$ and at $m = 64$ the larger $\\eta$ sits on the higher floor.", every)
def test_larger_eta_sits_on_a_higher_floor(seed, broken):
    """eta = half the m = 1 ball's threshold against a quarter of that, at m = 1 and at m = 64: the
    larger step's floor (the runs' mean excess loss over the last 100 of 400 steps) is the higher one.
    Breaks: at m = 1 the larger step run with batches of m = 64 (its ball shrinks below the smaller step's)."""
    ex = ball_explorer(seed)
    hi = 0.5 * ex.thresholds[1]
    ok = True
    for m in (1, 64):
        floors = [mean_excess(ex, eta, mm)[-100:].mean() for eta, mm in ((hi, 64 if broken else m), (hi / 4, m))]
        ok &= floors[0] > floors[1]
    return ok


@claim("06", S4, "At a fixed $\\eta$ a larger batch gives a smaller ball.", every)
def test_larger_batch_smaller_ball(seed, broken):
    """At eta = half the m = 1 ball's threshold, the runs' mean excess loss over the last 100 of 400
    steps falls from m = 1 to m = 8 to m = 64.
    Breaks: every batch size run on the draws of m = 1."""
    ex = ball_explorer(seed)
    eta = 0.5 * ex.thresholds[1]
    floors = [mean_excess(ex, eta, m, draws_of=1 if broken else None)[-100:].mean() for m in (1, 8, 64)]
    return floors[0] > floors[1] > floors[2]


@claim(
    "06",
    S4,
    "at $m = 1$ the runs blow up far below GD's threshold $2/\\lambda_{\\max}$, and the limit rises with $m$.",
    every,
)
def test_ball_limit_far_below_gd_threshold_and_rising(seed, broken):
    """The ball's threshold (dynamics.noise_ball_threshold with least squares' noise gain) at m = 1 is
    below half of 2/lambda_max and rises strictly with m = 1, 2, ..., 64; at 0.9 * 2/lambda_max (the
    top of the slider) at least half of the m = 1 runs blow up within 400 steps.
    Breaks: the noise's growth with the spread dropped (no gain: the one-axis model's limit 2/lambda_max)."""
    ex = ball_explorer(seed)
    limits = [dynamics.noise_ball_threshold(ex.hessian, None if broken else ex.noise[m].noise_gain) for m in ex.sizes]
    blown = ~np.isfinite(ex.runs(ex.eta_max, 1)[-1]).all(axis=1)
    return limits[0] < 0.5 * ex.gd_threshold and bool(np.all(np.diff(limits) > 0)) and blown.mean() >= 0.5


# ---- section 4: decaying steps, rates -------------------------------------------------------
def rms_and_se(e):
    """The rms of the rows of e and its standard error, sd(e^2) / (2 rms sqrt(R))."""
    r = rms(e)
    return r, np.std(e**2, axis=-1, ddof=1) / (2 * r * np.sqrt(e.shape[-1]))


def predicted_rms(etas, lam, s2, e0):
    """sqrt(E[e_T^2]) from the lesson's mean and variance recursions, for each row of etas (S, T)."""
    mean, var = np.full(len(etas), float(e0)), np.zeros(len(etas))
    for eta_t in np.asarray(etas).T:
        q = 1 - eta_t * lam
        mean, var = q * mean, q * q * var + eta_t**2 * s2
    return np.sqrt(mean**2 + var)


@functools.lru_cache(maxsize=None)
def decay_runs(seed, eta0_decay=0.2, halving=0.5):
    """4000 runs of T = 1000 steps each for the constant step 0.2, the step eta0_decay * 50/(50 + t)
    and the step 0.2 * halving^t, on a bowl of curvature in [1, 3] from a start 3 to 7 from c:
    {name: (rms measured, its standard error, rms predicted by the recursions without noise, with)}."""
    rng = np.random.default_rng(seed)
    lam, a = rng.uniform(1.0, 3.0), offsets(rng)
    t = np.arange(1000)
    etas = np.array([np.full(1000, 0.2), eta0_decay * 50 / (50 + t), 0.2 * halving**t])
    start = rng.uniform(3, 7) * rng.choice([-1, 1])
    measured, se = rms_and_se(sgd_final(etas, lam, a, start, 4000, rng))
    s2 = lam**2 * np.mean(a**2)
    rows = zip(measured, se, predicted_rms(etas, lam, 0.0, start), predicted_rms(etas, lam, s2, start))
    return dict(zip(("constant", "1/t", "halving"), rows))


def decay_rms(seed, eta0_decay=0.2, halving=0.5):
    return {name: row[0] for name, row in decay_runs(seed, eta0_decay, halving).items()}


@claim("06", S4, "the prediction from the two recursions matches the 4000 runs in every row.", every)
def test_recursions_predict_the_runs(seed, broken):
    """For the constant, 1/t and halving steps (4000 runs of 1000 steps, random curvature, offsets and
    start) the rms distance predicted by the mean and variance recursions lies within 3 standard
    errors of the measured one.
    Breaks: the noise term eta_t^2 s^2 left out of the variance recursion (GD's prediction)."""
    rows = decay_runs(seed, 0.2, 0.5).values()
    return all(
        abs(measured - (no_noise if broken else with_noise)) < 3 * se for measured, se, no_noise, with_noise in rows
    )


@claim(
    "06", S4, "The $1/t$ step ends several times closer to the minimum than the constant one (the printed ratio)", every
)
def test_one_over_t_ends_several_times_closer(seed, broken):
    """After 1000 steps from a random start (3 to 7 from c), the rms distance of the step
    0.2 * 50/(50 + t) is at most a third of the constant step 0.2's.
    Breaks: the 1/t step with eta_0 = 0.002, that is 0.1/(50 + t), whose eta_0 t_0 lambda < 1/2."""
    r = decay_rms(seed, 0.002 if broken else 0.2, 0.5)
    return 3 * r["1/t"] <= r["constant"]


@claim("06", S4, "the run freezes far from the minimum, further away than the constant step's noise ball.", every)
def test_halving_step_freezes_outside_the_ball(seed, broken):
    """After 1000 steps the step 0.2 * 0.5^t (whose steps add up to 0.4) ends with a larger rms
    distance to c than the constant step 0.2.
    Breaks: the halving factor 0.5 raised to 0.99 (steps adding up to 20, enough to arrive)."""
    r = decay_rms(seed, 0.2, 0.99 if broken else 0.5)
    return r["halving"] > r["constant"]


@claim(
    "06",
    S4,
    "A step of this shape makes the squared error fall like $1/t$ only if $\\eta_0 t_0 \\lambda > 1/2$",
    every,
    slow=True,
)
def test_one_over_t_rate_needs_its_condition(seed, broken):
    """eta_t = eta_0 t_0/(t_0 + t), t_0 = 50, with eta_0 t_0 lambda = 20 and with 0.2, on a bowl of random
    curvature, noise and start; 1000 runs each. t E[e_t^2] levels off from t = 200 to 2000 (grows
    less than 1.5 times) for the first and keeps growing (more than 2.5 times) for the second.
    Breaks: the two eta_0 swapped between the runs."""
    rng = np.random.default_rng(seed)
    lam, a = rng.uniform(0.5, 4.0), offsets(rng, scale=rng.uniform(0.5, 2.0))
    products = (0.2, 20.0) if broken else (20.0, 0.2)  # eta_0 t_0 lambda of (first, second)
    t = np.arange(2000)
    etas = [p / lam / (50 + t) for p in products]
    start = rng.uniform(2, 6) * rng.choice([-1, 1])
    e200 = sgd_final(etas, lam, a, start, 1000, rng, stop=200)  # 1000 runs to t = 200
    e2000 = sgd_final(etas, lam, a, start, 1000, rng)  # fresh runs, to t = 2000
    growth = [2000 * np.mean(e2000[k] ** 2) / (200 * np.mean(e200[k] ** 2)) for k in range(2)]
    return growth[0] < 1.5 and growth[1] > 2.5


# ---- section 5: schedules -------------------------------------------------------------------
SCHEDULES = ("constant", "1/t decay", "step decay", "cosine", "warmup + cosine")


@functools.lru_cache(maxsize=None)
def schedule_runs(seed, stop=1000, factor=0.1, t0=50):
    """4000 runs per schedule of the lesson (eta_0 = 0.2, T = 1000, lambda = 2) from a random start 3 to 7
    from c, with fresh offsets: (the step sizes (5, T), the errors after `stop` steps (5, 4000), s^2, e_0)."""
    rng = np.random.default_rng(seed)
    a, T = offsets(rng), 1000
    t = np.arange(T)
    etas = np.array(
        [
            schedules.constant(t, 0.2) + 0 * t,
            0.2 * t0 / (t0 + t),
            schedules.step_decay(t, 0.2, factor=factor, every=400),
            schedules.cosine(t, 0.2, total=T),
            schedules.warmup_cosine(t, 0.2, warmup=100, total=T),
        ]
    )
    start = rng.uniform(3, 7) * rng.choice([-1, 1])
    return etas, sgd_final(etas, 2.0, a, start, 4000, rng, stop=stop), 4.0 * np.mean(a**2), start


def schedule_rms(seed, stop=1000, factor=0.1, t0=50):
    """rms distance to c of the 4000 runs of each schedule after `stop` steps."""
    return dict(zip(SCHEDULES, rms(schedule_runs(seed, stop, factor, t0)[1])))


@claim("06", S5, "Each measured rms lies within a few standard errors of its prediction", at_least(9), slow=True)
def test_schedule_runs_match_their_recursions(seed, broken):
    """For all five schedules the rms of the 4000 runs after T = 1000 steps is within 4 standard errors
    of sqrt(E[e_T^2]) from the mean and variance recursions, in at least 9 seeds of 10.
    Breaks: the recursion's noise term eta_t^2 s^2 left out (it then predicts the mean error only)."""
    etas, final, s2, start = schedule_runs(seed)
    ok = True
    for row, e in zip(etas, final):
        mean, var = start, 0.0
        for eta in row:
            q = 1 - eta * 2.0
            mean, var = q * mean, q * q * var + (0.0 if broken else eta * eta * s2)
        measured = np.sqrt(np.mean(e**2))
        se = np.std(e**2, ddof=1) / np.sqrt(e.size) / (2 * measured)
        ok &= bool(abs(measured - np.sqrt(mean**2 + var)) < 4 * se)
    return ok


@claim(
    "06",
    S5,
    "Every decaying schedule ends several times closer than the constant step (the last column).",
    every,
    slow=True,
)
def test_every_decaying_schedule_ends_several_times_closer(seed, broken):
    """After T = 1000 steps each of the four decaying schedules has at most a third of the constant
    step's rms distance to the minimum (4000 runs each).
    Breaks: the runs stopped at t = 100, before the schedules have decayed (schedules unchanged)."""
    r = schedule_rms(seed, 100 if broken else 1000, 0.1, 50)
    return all(3 * r[name] <= r["constant"] for name in SCHEDULES[1:])


@claim(
    "06",
    S5,
    "Step decay, cosine and warmup + cosine end within 10% of one another (the printed spreads)",
    every,
    slow=True,
)
def test_schedules_ending_small_are_within_ten_percent(seed, broken):
    """The largest of the three rms distances (step decay, cosine, warmup + cosine; 4000 runs each)
    is at most 1.1 times the smallest.
    Breaks: the step decay's factor 0.1 raised to 0.5, so that it ends at eta = 0.05 instead of 0.002."""
    r = schedule_rms(seed, 1000, 0.5 if broken else 0.1, 50)
    values = [r[name] for name in ("step decay", "cosine", "warmup + cosine")]
    return max(values) <= 1.1 * min(values)


@claim(
    "06",
    S5,
    "The $1/t$ step, whose $\\eta_t$ is still $0.0095$ at the end, ends further out.",
    every,
    slow=True,
)
def test_one_over_t_step_ends_further_than_the_others(seed, broken):
    """The step 0.2 * 50/(50 + t), still at 0.0095 at t = 999, ends with a larger rms distance than step
    decay, cosine and warmup + cosine, which end near zero (4000 runs each).
    Breaks: the 1/t step with t_0 = 5 instead of 50, so that it ends at 0.001."""
    r = schedule_rms(seed, 1000, 0.1, 5 if broken else 50)
    return all(r["1/t decay"] > r[name] for name in ("step decay", "cosine", "warmup + cosine"))


# ---- section 5: a schedule on real data ----------------------------------------------------
def schedule_on_cancer(seed, decay=True, constant_steps=None):
    """The lesson's experiment on 8 fresh 75/25 splits of the breast cancer data (standardised, a
    column of ones): logistic regression, one example per step for 20 epochs, a constant eta = 0.5
    and a cosine from 0.5 to 0 (the constant 0.5 when decay is False); the constant run stopped after
    constant_steps when given. Returns, per split, (train loss, test loss, test accuracy) at the end of
    each schedule, shape (8, 2, 3): [:, 0] constant, [:, 1] cosine."""
    return _cancer_runs(seed, decay, constant_steps)[0]


def epoch_test_losses(seed, decay=True):
    """The same experiment: the test loss after every epoch, mean over the splits, for the constant
    step 0.5 and the cosine (the constant 0.5 again when decay is False), shape (2, 21)."""
    return _cancer_runs(seed, decay, None)[1]


@functools.lru_cache(maxsize=None)  # positional arguments only, so that both readers share one entry
def _cancer_runs(seed, decay, constant_steps):
    rng = np.random.default_rng(seed)
    ends, epochs = [], []
    for r in rng.spawn(8):
        s = sgdcourse.data.train_test_split(CANCER.X, CANCER.y, 0.25, r)
        z = sgdcourse.data.standardise(s.X_train, s.X_test)
        ones = lambda A: np.hstack([A, np.ones((len(A), 1))])  # noqa: E731
        train, test = sgdcourse.Logistic(ones(z.train), s.y_train), sgdcourse.Logistic(ones(z.test), s.y_test)
        total = 20 * train.n
        cosine = (lambda t: schedules.cosine(t, 0.5, total)) if decay else 0.5
        end, per_epoch = [], []
        for eta, steps in ((0.5, constant_steps or total), (cosine, total)):
            run = sgdcourse.sgd(train, np.zeros(train.dim), eta, m=1, steps=steps, rng=r, track_loss=False)
            theta = run.theta
            end.append((train.loss(theta), test.loss(theta), np.mean((test.probabilities(theta) > 0.5) == s.y_test)))
            per_epoch.append([test.loss(t) for t in run.thetas[:: train.n]])
        ends.append(end)
        epochs.append(per_epoch)
    return np.array(ends), (np.mean(epochs, axis=0) if constant_steps is None else None)


@claim(
    "06",
    S5,
    "Over the eight splits the cosine schedule ends with a lower training loss and a lower test loss than "
    "the constant step",
    every,
    slow=True,  # 15 s: eight real-data splits of 20 epochs each
)
def test_cosine_ends_with_lower_losses_on_real_data(seed, broken):
    """Mean over 8 fresh splits: the cosine run's final training loss and test loss are both below the
    constant step's.
    Breaks: the cosine replaced by its peak 0.5 (no decay: a second run of the constant step)."""
    mean = schedule_on_cancer(seed, decay=not broken).mean(axis=0)
    return mean[1, 0] < mean[0, 0] and mean[1, 1] < mean[0, 1]


@claim(
    "06",
    S5,
    "from epoch 7 to the end the constant step's test loss rises more than the cosine run's.",
    every,
    slow=True,  # 15 s: eight real-data splits, like the claim above
)
def test_constant_step_test_loss_rises_late(seed, broken):
    """Mean over 8 fresh splits: test loss at epoch 20 minus at epoch 7 is larger for the constant step
    0.5 than for the cosine from 0.5 to 0.
    Breaks: the cosine replaced by its peak 0.5 (no decay: a second run of the constant step)."""
    loss = epoch_test_losses(seed, decay=not broken)
    rise = loss[:, 20] - loss[:, 7]
    return rise[0] > rise[1]


@claim("06", S5, "The test accuracy differs by less than one percentage point on average", every)
def test_accuracy_barely_moves_on_real_data(seed, broken):
    """Mean over 8 fresh splits: the final test accuracies of the constant and the cosine runs differ by
    less than 0.01.
    Breaks: the constant step's run stopped after its first 3 steps."""
    mean = schedule_on_cancer(seed, constant_steps=3 if broken else None).mean(axis=0)
    return abs(mean[1, 2] - mean[0, 2]) < 0.01


# ---- section 5: warmup on the quartic -------------------------------------------------------
def run_quartic(eta_at, theta, steps=200):
    """GD on L = theta^2/2 + theta^4/4; returns the iterates and the largest eta_t L''(theta_t),
    stopping (blew_up=True) when |theta| passes 1e6."""
    thetas, products = [theta], []
    for t in range(steps):
        products.append(eta_at(t) * (1 + 3 * theta**2))
        theta = theta - eta_at(t) * (theta + theta**3)
        thetas.append(theta)
        if abs(theta) > 1e6:
            return np.array(thetas), max(products), True
    return np.array(thetas), max(products), False


def quartic_start(seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(2.0, 4.0) * rng.choice([-1.0, 1.0])


@claim(
    "06",
    S5,
    "it overshoots to the far side, where the curvature is larger still, and the run explodes within a few steps.",
    every,
)
def test_cosine_without_warmup_explodes(seed, broken):
    """Cosine with peak 0.5 over 200 steps, from a start 2 to 4 away from the minimum (either side):
    |theta| passes 1e6 within 5 steps.
    Breaks: the cosine's peak lowered to 0.02, below the local threshold at every such start."""
    theta0 = quartic_start(seed)
    peak = 0.02 if broken else 0.5
    thetas, _, blew_up = run_quartic(lambda t: schedules.cosine(t, peak, total=200), theta0)
    return blew_up and len(thetas) - 1 <= 5


@claim("06", S5, "$\\eta_t L''(\\theta_t)$ has stayed below 2 throughout (the printed maximum).", every)
def test_warmup_keeps_the_local_product_below_two(seed, broken):
    """Warmup over 20 steps to the peak 0.5, then cosine, from a start 2 to 4 away: no blow-up and
    eta_t L''(theta_t) < 2 at every step.
    Breaks: a warmup of 2 steps instead of 20."""
    theta0 = quartic_start(seed)
    warmup = 2 if broken else 20
    _, largest, blew_up = run_quartic(lambda t: schedules.warmup_cosine(t, 0.5, warmup=warmup, total=200), theta0)
    return not blew_up and largest < 2


@claim(
    "06",
    S5,
    "After the same 200 steps the run with warmup is over $10^{15}$ times closer to the minimum than either (printed)",
    every,
)
def test_warmup_beats_a_peak_safe_from_the_start(seed, broken):
    """From a start theta_0 2 to 4 away: warmup (20 steps) + cosine with peak 0.5 ends over 10^15
    times closer to the minimum after 200 steps than a cosine or a constant step whose peak,
    14/15 of the local threshold 2/L''(theta_0), is safe from the start.
    Breaks: the warmup run's peak lowered to that safe peak."""
    theta0 = quartic_start(seed)
    safe = 14 / 15 * 2 / (1 + 3 * theta0**2)
    peak = safe if broken else 0.5
    warm, _, _ = run_quartic(lambda t: schedules.warmup_cosine(t, peak, warmup=20, total=200), theta0)
    cos, _, cos_blew = run_quartic(lambda t: schedules.cosine(t, safe, total=200), theta0)
    const, _, const_blew = run_quartic(lambda t: safe, theta0)
    assert not (cos_blew or const_blew)
    return 1e15 * abs(warm[-1]) < min(abs(cos[-1]), abs(const[-1]))


# ---- section 6: the race in evaluations -----------------------------------------------------
def race_data(seed, n):
    """The lesson's least-squares data: n examples, d = 20 features scaled from 1 down to 0.1."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_linear_regression(n, 20, rng)
    return X * np.logspace(0, -1, 20), y, rng


def quadratic(X, y):
    """H, g with grad L = H theta - g, the minimiser, and a function giving the relative excess loss."""
    H, g = X.T @ X / len(y), X.T @ y / len(y)
    best = np.linalg.solve(H, g)

    def relative_gap(theta):
        diff = np.atleast_2d(theta) - best
        return np.einsum("ti,ij,tj->t", diff, H, diff) / (best @ H @ best)

    return H, g, relative_gap


def gd_steps_to(H, g, relative_gap, eta, target, steps=400):
    theta = np.zeros(len(g))
    for k in range(1, steps + 1):
        theta = theta - eta * (H @ theta - g)
        if relative_gap(theta)[0] <= target:
            return k
    return None


def gd_best_steps(H, g, relative_gap, target):
    """GD's steps to `target` with the best step of the lesson's grid (eta lambda_max)."""
    lam = np.linalg.eigvalsh(H)
    grid = (0.5, 1.0, 1.5, 1.75, 1.9, 2 / (1 + lam.min() / lam.max()))
    counts = [gd_steps_to(H, g, relative_gap, k / lam.max(), target) or np.inf for k in grid]
    return min(counts), grid[int(np.argmin(counts))]


def sgd_evaluations_to(X, y, relative_gap, eta, m, target, rng, budget=None):
    """Per-example gradients SGD (batches of m drawn with replacement) uses until the relative excess
    loss is <= target; None if it has not got there within `budget` evaluations (at least one step)."""
    theta, n, used = np.zeros(X.shape[1]), len(y), 0
    while budget is None or used < budget or used == 0:
        if m == n:  # a bootstrap batch: weights, no copy of X
            w = np.bincount(rng.integers(0, n, size=n), minlength=n)
            grad = X.T @ (w * (X @ theta - y)) / n
        else:
            idx = rng.integers(0, n, size=m)
            grad = X[idx].T @ (X[idx] @ theta - y[idx]) / m
        theta = theta - eta * grad
        used += m
        if relative_gap(theta)[0] <= target:
            return used if budget is None or used <= budget else None
        if budget is None and used > 10**7:
            return None
    return None


@claim("06", S6, "on the way to 0.05 a smaller step of the grid gets there first.", at_least(8))
def test_a_smaller_step_than_the_best_rate_wins_the_race_to_the_target(seed, broken):
    """On fresh race data (N = 20,000, d = 20, curvatures spanning a factor 100), the grid step that
    takes GD to a relative excess loss of 0.05 in the fewest steps is one of those below
    2/(lambda_min + lambda_max), the step with the best rate (a tie goes to that step).
    Breaks: the features left unscaled (curvatures within a few percent of each other), where the
    best-rate step's factors are all near zero."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_linear_regression(20_000, 20, rng)
    if not broken:
        X = X * np.logspace(0, -1, 20)
    H, g, relative_gap = quadratic(X, y)
    lam = np.linalg.eigvalsh(H)
    grid = (0.5, 1.0, 1.5, 1.75, 1.9, 2 / (1 + lam.min() / lam.max()))
    counts = [gd_steps_to(H, g, relative_gap, k / lam.max(), 0.05) or np.inf for k in grid]
    return min(counts[:-1]) < counts[-1]


@claim(
    "06",
    S6,
    "from hundreds at $N = 25{,}000$ to over a thousand at $N = 200{,}000$.",
    every,
    slow=True,
)
def test_gd_needs_hundreds_to_thousands_of_times_the_evaluations(seed, broken):
    """The lesson's race in evaluations on fresh data (d = 20): to a relative excess loss of 0.05, exact
    full-batch GD with the best step of the lesson's grid uses between 100 and 1000 times SGD's
    evaluations (m = 32, eta = 0.5/lambda_max) on the first 25,000 examples, and over 1000 times on all 200,000.
    Breaks: SGD's batch grown to m = N drawn with replacement (a bootstrap full batch)."""
    X, y, rng = race_data(seed, 200_000)
    ratios = []
    for n in (25_000, 200_000):
        H, g, relative_gap = quadratic(X[:n], y[:n])
        lam_max = np.linalg.eigvalsh(H).max()
        k_gd, _ = gd_best_steps(H, g, relative_gap, 0.05)
        m = n if broken else 32
        used = sgd_evaluations_to(X[:n], y[:n], relative_gap, 0.5 / lam_max, m, 0.05, rng, budget=k_gd * n)
        ratios.append(k_gd * n / used if used else 1.0)
    return 100 <= ratios[0] < 1000 and ratios[1] > 1000


SIZES = (5_000, 10_000, 20_000, 40_000)


@functools.lru_cache(maxsize=None)
def evaluations_by_size(seed, m_per_n=None):
    """(GD, SGD) evaluations to a relative excess loss of 0.05 on the first n examples of one data
    set, for n in SIZES; SGD's batch is 32, or n * m_per_n when given."""
    X, y, rng = race_data(seed, max(SIZES))
    out = []
    for n in SIZES:
        H, g, relative_gap = quadratic(X[:n], y[:n])
        lam_max = np.linalg.eigvalsh(H).max()
        k_gd, _ = gd_best_steps(H, g, relative_gap, 0.05)
        m = 32 if m_per_n is None else int(n * m_per_n)
        out.append((k_gd * n, sgd_evaluations_to(X[:n], y[:n], relative_gap, 0.5 / lam_max, m, 0.05, rng)))
    return out


@claim(
    "06",
    S6,
    "SGD's count stays about the same, since its progress per step depends on the noise of a batch of 32 "
    "examples, not on how many examples there are.",
    every,
)
def test_sgd_evaluations_do_not_grow_with_n(seed, broken):
    """On the first N = 5,000 ... 40,000 examples of fresh data, SGD's evaluations to a relative excess
    loss of 0.05 differ by less than a factor 1.5 between the smallest and the largest N (8 times more data).
    Breaks: SGD's batch growing with N (m = N/156, 32 at the smallest N)."""
    counts = [sgd for _, sgd in evaluations_by_size(seed, 1 / 156 if broken else None)]
    return max(counts) < 1.5 * min(counts)


@claim("06", S6, "So the ratio grows in proportion to $N$ (the table)", every)
def test_ratio_grows_in_proportion_to_n(seed, broken):
    """GD's evaluations over SGD's to a relative excess loss of 0.05 at N = 40,000 are between 8/1.5
    and 8 * 1.5 times those at N = 5,000.
    Breaks: SGD's batch growing with N (m = N/156, 32 at the smallest N)."""
    (gd_small, sgd_small), *_, (gd_large, sgd_large) = evaluations_by_size(seed, 1 / 156 if broken else None)
    growth = (gd_large / sgd_large) / (gd_small / sgd_small)
    return 8 / 1.5 < growth < 8 * 1.5


test_breaks = breaks_tests(globals())
