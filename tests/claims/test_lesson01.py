"""Claims of lesson 01 (gradient descent, the local question), re-run over seeds; see claimkit."""

import numpy as np

import sgdcourse
from claimkit import breaks_tests, claim, every, steps_against, uphill_exactly_when_negative


def valley(theta):
    """Lesson 01's curved valley L = (t1 - 1)^2 + 2 (t2 - t1^2)^2, for an array of points (..., 2)."""
    t1, t2 = theta[..., 0], theta[..., 1]
    return (t1 - 1) ** 2 + 2 * (t2 - t1**2) ** 2


def valley_grad(theta):
    t1, t2 = theta
    return np.array([2 * (t1 - 1) - 8 * t1 * (t2 - t1**2), 4 * (t2 - t1**2)])


def start_off_the_axes(rng, centre, radius=(2.0, 6.0)):
    """A start at distance radius from centre, in a direction at least ~12 degrees from both axes."""
    a = rng.uniform(0.2, np.pi / 2 - 0.2) + rng.integers(4) * np.pi / 2
    return centre + rng.uniform(*radius) * np.array([np.cos(a), np.sin(a)])


@claim(
    "01",
    "1. The local question",
    "The best of the scanned directions agrees with $u^\\star$ to within the grid's spacing of 0.1 degree.",
    every,
)
def test_scan_finds_steepest_descent(seed, broken):
    """At three random points of the valley (region of the lesson's figure, |grad L| > 0.1), the most
    negative of 3600 central-difference rates lies within one grid step of the angle of -grad L/|grad L|.
    Breaks: argmax instead of argmin (the scan then picks +grad L)."""
    rng = np.random.default_rng(seed)
    K, h = 3600, 1e-5
    angles = 2 * np.pi * np.arange(K) / K
    directions = np.column_stack([np.cos(angles), np.sin(angles)])
    agree = []
    while len(agree) < 3:
        point = rng.uniform([-0.5, 0.0], [1.5, 2.0])
        g = valley_grad(point)
        if np.linalg.norm(g) < 0.1:
            continue
        rates = (valley(point + h * directions) - valley(point - h * directions)) / (2 * h)
        best = np.argmax(rates) if broken else np.argmin(rates)
        predicted = np.arctan2(-g[1], -g[0]) % (2 * np.pi)
        gap = abs((angles[best] - predicted + np.pi) % (2 * np.pi) - np.pi)
        agree.append(np.degrees(gap) < 360 / K)
    return all(agree)


@claim(
    "01",
    "2. The loss is an average, so is its gradient",
    "An example with a negative cosine would, on its own, push $\\theta$ in a direction where $L$ *increases*.",
    uphill_exactly_when_negative,
)
def test_negative_cosine_steps_go_uphill(seed, broken):
    """Least squares on N = 6, d = 2 data drawn from the seed, at theta = 0 and at a random theta: a short
    step theta - h grad l_i / |grad l_i| raises L exactly for the examples with cos(grad l_i, grad L) < 0.
    Breaks: the step goes along +grad l_i (the sign slip), so the negative-cosine examples go downhill."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_linear_regression(6, 2, rng)
    model = sgdcourse.LeastSquares(X, y)
    ok, negatives = True, 0
    for theta in (np.zeros(2), rng.standard_normal(2)):
        agree, n = steps_against(model.loss, theta, model.per_example_grads(theta), model.grad(theta), broken)
        ok, negatives = ok and agree, negatives + n
    return ok, negatives


@claim(
    "01",
    "3. Gradient descent on a bowl",
    "The ratio of successive distances measured on the path matches $1 - \\eta\\lambda_k$",
    every,
)
def test_per_axis_factor(seed, broken):
    """A bowl with random curvatures, centre and start, and a random eta < 2 / lambda_max: over ten steps of
    the hand-written loop, (theta_{t+1,k} - c_k) / (theta_{t,k} - c_k) equals 1 - eta lambda_k to 1e-6.
    Breaks: the loop steps with 1.1 eta while the prediction uses eta."""
    rng = np.random.default_rng(seed)
    curvatures = rng.uniform(0.5, 10.0, 2)
    bowl = sgdcourse.QuadraticBowl(curvatures=curvatures, center=rng.standard_normal(2))
    eta = rng.uniform(0.1, 1.9) / curvatures.max()
    eta_loop = 1.1 * eta if broken else eta
    theta = bowl.minimum + 3 * rng.standard_normal(2)
    path = [theta]
    for _ in range(10):
        theta = theta - eta_loop * bowl.grad(theta)
        path.append(theta)
    dist = np.array(path) - bowl.minimum
    keep = np.abs(dist[:-1]) > 1e-8
    ratios = dist[1:][keep] / dist[:-1][keep]
    predicted = np.broadcast_to(1 - eta * curvatures, dist[1:].shape)[keep]
    return bool(np.all(np.abs(ratios - predicted) < 1e-6))


@claim(
    "01",
    "3. Gradient descent on a bowl",
    "On the right, the loss falls by a roughly constant factor per step once the steep direction has "
    "settled, which is a straight line on a log scale.",
    every,
)
def test_loss_falls_by_a_constant_factor(seed, broken):
    """The lesson's bowl lambda = (1, 5), eta = 0.15, 30 steps from three random starts off the axes: from
    step 10 on, L(theta_{t+1}) / L(theta_t) stays within 1% of (1 - eta lambda_1)^2, the flat axis' factor
    squared, i.e. the steep axis has settled. Breaks: eta = 0.38, where the steep axis' factor
    |1 - 5 eta| = 0.9 exceeds the flat one's, so the steep direction is the last to settle."""
    rng = np.random.default_rng(seed)
    bowl = sgdcourse.QuadraticBowl(curvatures=[1.0, 5.0], center=[1.0, 0.5])
    eta = 0.38 if broken else 0.15
    constant = (1 - 0.15 * 1.0) ** 2
    ok = True
    for _ in range(3):
        traj = sgdcourse.sgd(bowl, start_off_the_axes(rng, bowl.minimum), eta, m=bowl.n, steps=30)
        ratios = traj.losses[11:] / traj.losses[10:-1]
        ok &= bool(np.all(np.abs(ratios / constant - 1) < 0.01))
    return ok


@claim(
    "01",
    "3. Gradient descent on a bowl",
    "At $\\theta_0$ the direction $-\\nabla L$ does not aim at the minimum; on a bowl with unequal "
    "curvatures it is tilted towards the steep axis.",
    every,
)
def test_steepest_descent_misses_the_minimum(seed, broken):
    """Bowls with lambda_2 / lambda_1 drawn in [2, 10] and five random starts off the axes each: the angle
    between -grad L(theta_0) and c - theta_0 exceeds 1 degree, and -grad L makes a smaller angle with
    the steep axis than c - theta_0 does. Breaks: equal curvatures (lambda_2 = lambda_1)."""
    rng = np.random.default_rng(seed)
    lam1 = rng.uniform(0.5, 2.0)
    lam2 = lam1 if broken else lam1 * rng.uniform(2.0, 10.0)
    bowl = sgdcourse.QuadraticBowl(curvatures=[lam1, lam2], center=rng.standard_normal(2))
    ok = True
    for _ in range(5):
        theta0 = start_off_the_axes(rng, bowl.minimum)
        to_min, downhill = bowl.minimum - theta0, -bowl.grad(theta0)
        cos = to_min @ downhill / (np.linalg.norm(to_min) * np.linalg.norm(downhill))
        misses = np.degrees(np.arccos(min(1.0, cos))) > 1.0
        # the steep axis is axis 1 (lambda_2 >= lambda_1): compare |cos| of each vector with it
        tilted = abs(downhill[1]) / np.linalg.norm(downhill) > abs(to_min[1]) / np.linalg.norm(to_min)
        ok &= bool(misses and tilted)
    return ok


@claim(
    "01",
    "3. Gradient descent on a bowl",
    "The cell below also finds that step from the factors alone, "
    "$\\theta_{t,k} = c_k + (1 - \\eta\\lambda_k)^t\\,(\\theta_{0,k} - c_k)$, and the two agree.",
    every,
)
def test_divergence_step_follows_from_the_factors(seed, broken):
    """The bowl lambda = (1, 5) with a random centre, a random start and a random eta in (0.41, 0.6), where
    1 - 5 eta < -1: the driver's diverged_at is the first t at which some |c_k + (1 - eta lambda_k)^t
    (theta_0,k - c_k)| exceeds 1e8 max(1, max_j |theta_0,j|). Breaks: the run uses 0.97 eta while the
    prediction uses eta (a different factor on the steep axis)."""
    rng = np.random.default_rng(seed)
    bowl = sgdcourse.QuadraticBowl(curvatures=[1.0, 5.0], center=rng.standard_normal(2))
    theta0 = bowl.minimum + rng.uniform(1.0, 10.0) * rng.standard_normal(2)
    eta = rng.uniform(0.41, 0.6)
    run = sgdcourse.sgd(bowl, theta0, 0.97 * eta if broken else eta, m=bowl.n, steps=2000)
    factors = 1 - eta * bowl.curvatures
    threshold = 1e8 * max(1.0, np.abs(theta0).max())
    t = 0
    while np.all(np.abs(bowl.minimum + factors**t * (theta0 - bowl.minimum)) <= threshold):
        t += 1
    return run.diverged_at == t


# section 4's race: the lesson's data set (N = 200,000, d = 5), SGD with m = 64 and eta = 0.1, GD with eta = 1
RACE_N, RACE_D, RACE_M, RACE_ETA_SGD, RACE_ETA_GD, RACE_GD_STEPS, RACE_RUNS = 200_000, 5, 64, 0.1, 1.0, 5, 3


def race_data(rng):
    """The race's least-squares model on fresh data, and its lowest loss min L (solved by lstsq)."""
    X, y, _ = sgdcourse.make_linear_regression(RACE_N, RACE_D, rng)
    model = sgdcourse.LeastSquares(X, y)
    return model, model.loss(np.linalg.lstsq(X, y, rcond=None)[0])


@claim(
    "01",
    "4. What one full-batch step costs",
    "Every SGD run comes within 0.01 of the lowest loss after less than a fiftieth of the examples that "
    "one gradient-descent step costs.",
    every,
)
def test_sgd_gets_close_within_a_fiftieth_of_a_step(seed, broken):
    """The lesson's race on fresh data: each of three SGD runs (m = 64, eta = 0.1, from theta = 0) has
    L(theta_t) - min L < 0.01 at some step t whose examples t m are fewer than N / 50 (every step is
    evaluated). Breaks: batches of m = N / 25, so that one SGD step already costs more than N / 50."""
    rng = np.random.default_rng(seed)
    model, L_min = race_data(rng)
    m = RACE_N // 25 if broken else RACE_M
    steps = (RACE_N // 50 - 1) // m  # the steps t with t m < N / 50
    ok = True
    for _ in range(RACE_RUNS):
        run = sgdcourse.sgd(model, np.zeros(RACE_D), RACE_ETA_SGD, m=m, steps=steps, rng=rng, track_loss=False)
        ok &= any(model.loss(theta) - L_min < 0.01 for theta in run.thetas[1:])
        if not ok:
            break
    return ok


@claim(
    "01",
    "4. What one full-batch step costs",
    "From its second step on, gradient descent is lower than every SGD run.",
    every,
    slow=True,
)
def test_gd_is_lower_from_its_second_step(seed, broken):
    """The lesson's race on fresh data over 5 N examples: at 60 points from 2 N examples on, spaced
    evenly on a log scale, GD's L - min L after floor(examples / N) steps (eta = 1) is below that of each
    of three SGD runs (m = 64, eta = 0.1) after examples / m steps. Breaks: GD with SGD's eta = 0.1,
    whose factors 1 - eta lambda_k are near 0.9 instead of near 0."""
    rng = np.random.default_rng(seed)
    model, L_min = race_data(rng)
    eta_gd = RACE_ETA_SGD if broken else RACE_ETA_GD
    gd = sgdcourse.sgd(model, np.zeros(RACE_D), eta_gd, m=RACE_N, steps=RACE_GD_STEPS, track_loss=False)
    T = RACE_GD_STEPS * RACE_N // RACE_M
    ts = np.unique(np.geomspace(2 * RACE_N // RACE_M, T, 60).astype(int))
    gd_excess = np.array([model.loss(gd.thetas[t * RACE_M // RACE_N]) - L_min for t in ts])
    ok = True
    for _ in range(RACE_RUNS):
        run = sgdcourse.sgd(model, np.zeros(RACE_D), RACE_ETA_SGD, m=RACE_M, steps=T, rng=rng, track_loss=False)
        ok &= bool(np.all(gd_excess < np.array([model.loss(run.thetas[t]) - L_min for t in ts])))
        if not ok:
            break
    return ok


test_breaks = breaks_tests(globals())
