"""Claims of lesson 02 (SGD by hand), re-run over seeds; see claimkit.

The data are the lesson's two points (1, 2) and (2, 0), L(w) = (5 w^2 - 4 w + 4) / 4, w* = 0.4; what a
seed changes is the random draws: the examples drawn for the simulation of section 6, the explorer's 50
draw sequences of section 7 (each starts with examples 1, 2, 1, as in the lesson, then draws 37 more),
and the 40 runs of section 8 (20 from w_0 = 4 and 20 from w_0 = -2, 200 uniform draws each, eta = 0.1).
"""

import functools

import numpy as np

import sgdcourse
from claimkit import breaks_tests, claim, every

MODEL = sgdcourse.Linear1D(*sgdcourse.worked_example(float)[:2])
W2, EXACT_MEAN, W_STAR = 0.12, -0.7, 0.4
ETAS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.45)
SEQUENCES = 50  # the draw sequences of the explorer of section 7
SECTION_6, SECTION_7 = "6. Unbiasedness: right on average", "7. The learning rate on this example"


def draw_examples(rng, size, p_first=0.5):
    """Zero-based example indices, example 1 (row 0) with probability p_first."""
    return (rng.random(size) >= p_first).astype(int)


G_AT_W2 = MODEL.per_example_grads(np.array([W2]), np.array([0, 1]))[:, 0]  # -1.88 and 0.48


def g_hat_at_w2(draws):
    """g_hat at w_2 for each drawn example (looked up: the two possible values computed once)."""
    return G_AT_W2[draws]


@claim(
    "02",
    SECTION_6,
    "Because $\\hat g$ is unbiased, the sample mean lands within 3 standard errors of $-0.70$ in nearly "
    "every repetition of this experiment",
    every,
)
def test_simulated_mean_is_the_full_gradient(seed, broken):
    """100,000 uniform draws of an example, g_hat evaluated at w_2 = 0.12: the sample mean is within 3
    standard errors (sample sd / sqrt(n)) of the exact -0.70. Breaks: example 1 drawn with probability 0.6
    (a biased draw, whose mean is -0.936)."""
    rng = np.random.default_rng(seed)
    g = g_hat_at_w2(draw_examples(rng, 100_000, 0.6 if broken else 0.5))
    return bool(abs(g.mean() - EXACT_MEAN) < 3 * g.std(ddof=1) / np.sqrt(g.size))


@claim(
    "02",
    SECTION_6,
    "the error of an average of $k$ draws shrinks like $1/\\sqrt{k}$, so a hundred times more draws buy "
    "only ten times more accuracy.",
    every,
)
def test_error_of_the_average_shrinks_like_one_over_root_k(seed, broken):
    """400 independent averages of k = 100 draws and 400 of k = 10,000 draws at w_2: the root-mean-square
    error about -0.70 of the first is 8 to 12.5 times that of the second. Breaks: example 1 drawn with
    probability 0.6, a bias that no number of draws averages away."""
    rng = np.random.default_rng(seed)
    p_first = 0.6 if broken else 0.5
    rms = []
    for k in (100, 10_000):
        means = g_hat_at_w2(draw_examples(rng, 400 * k, p_first)).reshape(400, k).mean(axis=1)
        rms.append(np.sqrt(np.mean((means - EXACT_MEAN) ** 2)))
    return bool(8 <= rms[0] / rms[1] <= 12.5)


@functools.lru_cache(maxsize=None)
def sequences(seed, etas=ETAS, w0=0.0, tail="uniform"):
    """The explorer's 50 draw sequences for this seed, 40 steps each: per eta, arrays (50,) of w_40, of each
    run's mean of w_t over t >= 20, and of its rms and largest |w_t - w*| there.
    tail: "uniform" (the lesson), "example 1" (only example 1 after the first three steps),
    "gd" (full-batch steps instead of draws)."""
    rng = np.random.default_rng(seed)
    p_first = {"uniform": 0.5, "example 1": 1.0, "gd": 0.5}[tail]
    orders = [np.concatenate([[0, 1, 0], draw_examples(rng, 37, p_first)]) for _ in range(SEQUENCES)]
    out = {}
    for eta in etas:
        runs = [
            sgdcourse.sgd(MODEL, [w0], eta, batches=[[0, 1]] * 40 if tail == "gd" else [[i] for i in order])
            for order in orders
        ]
        half = [r.thetas[20:, 0] for r in runs]
        out[eta] = dict(
            final=np.array([r.theta[0] for r in runs]),
            middle=np.array([h.mean() for h in half]),
            rms=np.array([np.sqrt(np.mean((h - W_STAR) ** 2)) for h in half]),
            largest=np.array([np.abs(h - W_STAR).max() for h in half]),
        )
    return out


@claim("02", SECTION_7, "what grows with $\\eta$ is the **spread** of $w_{40}$ over the SGD runs", every)
def test_spread_grows_with_eta(seed, broken):
    """50 draw sequences: the standard deviation of w_40 over the runs rises strictly from each eta of
    (0.02, 0.05, 0.1, 0.2, 0.3, 0.45) to the next. Breaks: full-batch GD steps instead of the draws (no spread
    at any eta)."""
    table = sequences(seed, tail="gd" if broken else "uniform")
    return bool(np.all(np.diff([table[eta]["final"].std() for eta in ETAS]) > 0))


@claim("02", SECTION_7, "and with it, above $\\eta = 0.1$, the distance from $w^\\star$ in the right panel.", every)
def test_distance_from_w_star_grows_with_eta(seed, broken):
    """50 draw sequences: the mean over runs of the rms |w_t - w*| over t >= 20 (the explorer's right panel)
    rises strictly along eta = 0.1, 0.2, 0.3, 0.45. Breaks: full-batch GD steps instead of the draws (GD gets
    closer, not farther, as eta grows)."""
    etas = (0.1, 0.2, 0.3, 0.45)
    table = sequences(seed, etas=etas, tail="gd" if broken else "uniform")
    return bool(np.all(np.diff([table[eta]["rms"].mean() for eta in etas]) > 0))


@claim(
    "02",
    SECTION_7,
    "At the smallest $\\eta$ the runs are still on their way from $w_0 = 0$, which is why that distance starts high.",
    every,
)
def test_smallest_eta_runs_are_still_on_their_way(seed, broken):
    """50 draw sequences at eta = 0.01: the mean over runs of each run's average of w_t, t >= 20, is below 0.4,
    and the mean rms |w_t - w*| over t >= 20 is larger than at eta = 0.05. Breaks: the runs start at
    w_0 = w* = 0.4, with no way to go."""
    table = sequences(seed, etas=(0.01, 0.05), w0=W_STAR if broken else 0.0)
    return bool(table[0.01]["middle"].mean() < W_STAR and table[0.01]["rms"].mean() > table[0.05]["rms"].mean())


@claim(
    "02",
    SECTION_7,
    "Above $\\eta = 1/2$ SGD becomes erratic while GD still converges, because the runs contain steps on example 2, "
    "the more curved parabola, that push $w$ away.",
    every,
)
def test_erratic_above_one_half(seed, broken):
    """50 draw sequences at eta = 0.6 (above 1/2, below GD's limit 4/5): GD converges (|w_40 - w*| < 1e-3),
    while SGD's largest |w_t - w*| over the second halves is more than 3 times its value at eta = 0.45.
    Breaks: after the first three steps only example 1 is drawn (no steps on example 2)."""
    table = sequences(seed, etas=(0.45, 0.6), tail="example 1" if broken else "uniform")
    gd = sgdcourse.sgd(MODEL, [0.0], 0.6, batches=[[0, 1]] * 40)
    return bool(abs(gd.theta[0] - W_STAR) < 1e-3 and table[0.6]["largest"].max() > 3 * table[0.45]["largest"].max())


SECTION_8 = "8. The region of confusion"
REGION = (0.0, 2.0)  # between the per-example minimisers w_2* = 0 and w_1* = 2


@functools.lru_cache(maxsize=None)
def region_runs(seed, eta=0.1, data=None):
    """The lesson's 40 runs of section 8 for this seed: 20 from w_0 = 4 and 20 from w_0 = -2, each with its own
    uniform draws, 200 steps at `eta`; an array (40, 201) of iterates. data: None (the lesson's two points) or
    ((x_1, y_1), (x_2, y_2)) in their place."""
    model = MODEL if data is None else sgdcourse.Linear1D(np.array([[a] for a, _ in data], float), [b for _, b in data])
    rng = np.random.default_rng(seed)
    return np.array(
        [
            sgdcourse.sgd(model, [start], eta, batches=draw_examples(rng, 200)[:, None]).thetas[:, 0]
            for start in (4.0, -2.0)
            for _ in range(20)
        ]
    )


def distance_to_region(w):
    return np.maximum(REGION[0] - w, 0) + np.maximum(w - REGION[1], 0)


@claim("02", SECTION_8, "outside the region, every step moves $w$ closer to it, whichever example is drawn", every)
def test_outside_the_region_every_step_heads_for_it(seed, broken):
    """40 runs at eta = 0.1: every step taken from outside [0, 2] ends strictly closer to [0, 2], and such steps
    occur. Breaks: eta = 0.6, where a step on example 2 from w_0 = 4 flings w to -5.6, farther than it was."""
    runs = region_runs(seed, eta=0.6 if broken else 0.1)
    before, after = distance_to_region(runs[:, :-1]), distance_to_region(runs[:, 1:])
    outside = before > 0
    return bool(outside.any() and np.all(after[outside] < before[outside]))


@claim(
    "02",
    SECTION_8,
    "Every run crosses into the shaded region within the first 30 steps and never leaves it.",
    every,
)
def test_runs_enter_the_region_and_stay(seed, broken):
    """40 runs at eta = 0.1: each is inside [0, 2] at some step t <= 30 and at every step after its first step
    inside. Breaks: eta = 0.3, above 1/4, where a step on example 2 carries w across 0 and out of the region."""
    runs = region_runs(seed, eta=0.3 if broken else 0.1)
    inside = (runs >= REGION[0]) & (runs <= REGION[1])
    entry = inside.argmax(axis=1)
    return bool(
        inside.any(axis=1).all() and entry.max() <= 30 and all(inside[r, e:].all() for r, e in enumerate(entry))
    )


@claim(
    "02",
    SECTION_8,
    "Inside, the draws keep disagreeing, so the runs never settle: after 200 steps their spread is still of the "
    "same order as after 50 (within a factor of two)",
    every,
)
def test_runs_do_not_settle_inside_the_region(seed, broken):
    """40 runs at eta = 0.1: the standard deviation of w_t over the runs at t = 200 is between half and twice
    that at t = 50, and at least 0.1. Breaks: the second point is (2, 4) instead of (2, 0), so both examples are
    minimised by w = 2, the region shrinks to a point and every run settles there."""
    runs = region_runs(seed, data=((1.0, 2.0), (2.0, 4.0)) if broken else None)
    sd_50, sd_200 = runs[:, 50].std(), runs[:, 200].std()
    return bool(sd_200 >= 0.1 and 0.5 <= sd_200 / sd_50 <= 2)


test_breaks = breaks_tests(globals())
