"""Claims of lesson 04 (batch size and variance), re-run over seeds; see claimkit.

Each experiment is the lesson's, drawn afresh from the seed (new data, new batches);
where a test is smaller than the lesson, its docstring says how. Experiments that several claims
read are cached per seed and per setting, so a claim and its Breaks: change share nothing but the
parts that the change leaves alone.
"""

import numpy as np

import sgdcourse
from claimkit import breaks_tests, claim, every

S0 = "Lesson 04 — Batch size and variance"
S2 = "2. Measured on real per-example gradients"
S3 = "3. Sampling without replacement"
S4 = "4. A batch-size slider"


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
    S0,
    "a batch of 16 is about four times narrower",
    every,
)
def test_batch_of_16_is_four_times_narrower(seed, broken):
    """The opening figure on fresh data: 4000 batch gradients with replacement at m = 1 and at m = 16; the
    ratio of their standard deviations lies between 3.5 and 4.5 ("about four", sqrt(16)). Breaks: each
    batch of 16 is one example repeated 16 times, so it is no narrower than a single example."""
    G, _, rng = _first_coordinate_gradients(seed)
    single = G[rng.integers(0, len(G), size=4000)]
    idx = rng.integers(0, len(G), size=(4000, 1)).repeat(16, axis=1) if broken else rng.integers(0, len(G), (4000, 16))
    ratio = single.std() / G[idx].mean(axis=1).std()
    return 3.5 < ratio < 4.5


@claim(
    "04",
    S2,
    r"The ratio of measured to predicted variance stays within a few percent of 1 across a factor of 64 "
    r"in $m$.",
    every,
)
def test_measured_variance_is_sigma2_over_m(seed, broken):
    """R = 20000 batches with replacement for each of m = 1, 4, 16, 64 on fresh data: every measured
    variance of g_hat is within 8% ("a few percent") of sigma^2/m; its standard error is 2 to 3% at
    m = 1, where the G_i are most heavy-tailed. Breaks: the batches drawn without replacement
    (m distinct examples), whose variance is smaller by (N - m)/(N - 1), 0.68 at m = 64."""
    G, sigma2, rng = _first_coordinate_gradients(seed)
    R, n = 20000, len(G)
    perms = np.argsort(rng.random((R, n)), axis=1) if broken else None
    for m in (1, 4, 16, 64):
        idx = perms[:, :m] if broken else rng.integers(0, n, size=(R, m))
        ratio = G[idx].mean(axis=1).var(ddof=1) / (sigma2 / m)
        if abs(ratio - 1) >= 0.08:
            return False
    return True


@claim("04", S2, "They agree within a few standard errors of the measurement.", every)
def test_squared_distance_matches_sum_of_variances_over_m(seed, broken):
    """All coordinates at once, on fresh data: R = 20000 batches of 16 drawn with replacement; the mean
    squared distance between the batch gradient and the full gradient lies within 4 standard errors
    ("a few") of (sum_j sigma_j^2)/16. Breaks: the batches drawn without replacement, whose mean squared
    distance is smaller by (N - m)/(N - 1) = 0.925, about 9 standard errors."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_linear_regression(200, 3, rng)
    model = sgdcourse.LeastSquares(X, y)
    per_example = model.per_example_grads(np.zeros(3))
    R, m, n = 20000, 16, model.n
    idx = np.argsort(rng.random((R, n)), axis=1)[:, :m] if broken else rng.integers(0, n, size=(R, m))
    sq_dist = np.sum((per_example[idx].mean(axis=1) - model.grad(np.zeros(3))) ** 2, axis=1)
    predicted = per_example.var(axis=0).sum() / m
    return abs(sq_dist.mean() - predicted) < 4 * sq_dist.std() / np.sqrt(R)


@claim(
    "04",
    S3,
    r"The measurements follow the dashed line, not the dotted one: from $m = 25$ on, each lies within a "
    r"few standard errors of the corrected value and many standard errors from the plain one.",
    every,
)
def test_without_replacement_follows_the_correction(seed, broken):
    """R = 20000 random permutations of fresh data, as in the lesson; for each of the lesson's sizes from
    m = 25 on (25, 50, 100, 150, 190) the mean of the first m entries has a variance within 4 standard
    errors ("a few") of sigma^2/m (N - m)/(N - 1) and more than 10 ("many") from sigma^2/m (over seeds
    100-111 the distances are at most 2 and at least 12). Breaks: the batches drawn with replacement."""
    G, sigma2, rng = _first_coordinate_gradients(seed)
    R, n = 20000, len(G)
    perms = None if broken else np.argsort(rng.random((R, n)), axis=1)
    for m in (25, 50, 100, 150, 190):
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


test_breaks = breaks_tests(globals())
