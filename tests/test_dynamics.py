"""Closed forms of sgdcourse.dynamics against simulations with the library's own driver:
a wrong threshold, noise-ball variance or momentum gain fails here."""

import itertools
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import sgdcourse as sc
from sgdcourse import dynamics as D
from sgdcourse import minibatch as MB


@pytest.mark.parametrize("lam", [0.5, 2.0, 10.0])
def test_gd_threshold_separates_convergence_from_divergence(lam):
    bowl = sc.QuadraticBowl([lam])
    eta_star = D.gd_threshold(lam)
    below = sc.sgd(bowl, np.array([1.0]), 0.98 * eta_star, m=1, steps=3000)
    above = sc.sgd(bowl, np.array([1.0]), 1.02 * eta_star, m=1, steps=3000)
    assert not below.diverged and abs(below.theta[0]) < 1e-6
    assert above.diverged
    at = sc.sgd(bowl, np.array([1.0]), eta_star, m=1, steps=50)  # exactly at it: bounces forever
    np.testing.assert_allclose(np.abs(at.thetas[:, 0]), 1.0)


def test_threshold_uses_the_largest_curvature_and_is_exact():
    assert D.gd_threshold(Fraction(4)) == Fraction(1, 2)
    bowl = sc.QuadraticBowl([1.0, 8.0])
    assert sc.sgd(bowl, np.ones(2), 1.01 * D.gd_threshold(8.0), m=1, steps=5000).diverged
    assert D.contraction(Fraction(1, 10), Fraction(5)) == Fraction(1, 2)


@pytest.mark.parametrize("eta, lam", [(0.05, 1.0), (0.3, 2.0), (0.9, 2.0)])
def test_noise_ball_variance_matches_simulation(eta, lam):
    rng = np.random.default_rng(1)
    offsets = rng.standard_normal((4000, 1))
    bowl = sc.QuadraticBowl([lam], offsets=offsets)
    s2 = lam**2 * np.mean(bowl.X[:, 0] ** 2)  # variance of a one-example gradient
    tr = sc.sgd(bowl, np.zeros(1), eta, m=1, steps=60_000, sampling="replace", rng=rng, track_loss=False)
    measured = np.var(tr.thetas[1000:, 0])
    assert measured == pytest.approx(D.noise_ball_variance(eta, lam, s2), rel=0.06)
    # the small-eta approximation eta s^2 / (2 lambda) is visibly wrong at eta lambda = 1.8
    if eta * lam > 1:
        assert abs(measured - eta * s2 / (2 * lam)) > 0.3 * measured


def test_noise_ball_shrinks_with_the_batch_and_with_eta():
    v = D.noise_ball_variance(Fraction(1, 10), Fraction(1), Fraction(16))
    assert v == Fraction(16, 19)
    assert D.noise_ball_variance(Fraction(1, 10), 1, Fraction(16, 4)) == v / 4
    assert D.noise_ball_variance(Fraction(1, 20), 1, 16) < v


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_persistent_gradient_accumulates_one_over_one_minus_beta(beta):
    bowl = sc.QuadraticBowl([1e-12])  # flat: the gradient is the same at every step
    tr = sc.sgd(bowl, np.array([1e9]), 1.0, m=1, steps=3000, momentum=beta, track_loss=False)
    steps = -np.diff(tr.thetas[:, 0])
    assert steps[-1] / steps[0] == pytest.approx(D.momentum_gain(beta), rel=1e-3)


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_alternating_gradient_cancels_to_one_over_one_plus_beta(beta):
    v, gains = 0.0, []
    for t in range(2000):
        v = beta * v + (-1.0) ** t  # the driver's convention, fed an alternating gradient
        gains.append(abs(v))
    assert gains[-1] == pytest.approx(D.momentum_gain(beta, alternating=True), rel=1e-9)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_momentum_threshold_matches_simulation(beta):
    bowl = sc.QuadraticBowl([4.0])
    eta_star = D.momentum_threshold(4.0, beta)
    assert not sc.sgd(bowl, np.array([1.0]), 0.97 * eta_star, m=1, steps=20000, momentum=beta).diverged
    assert sc.sgd(bowl, np.array([1.0]), 1.03 * eta_star, m=1, steps=20000, momentum=beta).diverged


@pytest.mark.parametrize("eta, lam, beta", [(0.05, 1.0, 0.9), (0.3, 2.0, 0.5), (0.5, 1.0, 0.0), (1.2, 2.0, 0.7)])
def test_heavy_ball_noise_ball_matches_simulation(eta, lam, beta):
    # the driver's own momentum on a noisy 1-D bowl; time-average of (theta - c)^2 after burn-in
    rng = np.random.default_rng(2)
    bowl = sc.QuadraticBowl([lam], offsets=rng.standard_normal((4000, 1)))
    s2 = lam**2 * np.mean(bowl.X[:, 0] ** 2)
    tr = sc.sgd(
        bowl, np.zeros(1), eta, m=1, steps=200_000, sampling="replace", rng=rng, momentum=beta, track_loss=False
    )
    measured = np.mean(tr.thetas[5000:, 0] ** 2)
    assert measured == pytest.approx(D.momentum_noise_ball_variance(eta, lam, s2, beta), rel=0.08)


def test_heavy_ball_noise_ball_is_the_lyapunov_fixed_point_exactly():
    eta, lam, s2, beta = Fraction(1, 20), Fraction(1), Fraction(1), Fraction(9, 10)
    A = [[1 - eta * lam, -eta * beta], [lam, beta]]
    b = [-eta, 1]
    V = D.momentum_noise_ball_variance(eta, lam, s2, beta)
    # P = A P A^T + s^2 b b^T with P = [[V, p12], [p12, p22]]: solve the two remaining entries
    # from rows (0, 1) and (1, 1), then the (0, 0) equation must hold exactly
    p12, p22 = sp.symbols("p12 p22")
    P = sp.Matrix([[V, p12], [p12, p22]])
    M = sp.Matrix(A)
    E = P - M * P * M.T - s2 * sp.Matrix(b) * sp.Matrix(b).T
    sol = sp.solve([E[0, 1], E[1, 1]], [p12, p22], dict=True)[0]
    assert sp.simplify(E[0, 0].subs(sol)) == 0
    assert D.momentum_noise_ball_variance(eta, lam, s2, 0) == D.noise_ball_variance(eta, lam, s2)


def test_momentum_enlarges_the_ball_at_fixed_eta_and_not_at_the_same_effective_step():
    plain = D.noise_ball_variance(Fraction(1, 20), 1, 1)
    heavy = D.momentum_noise_ball_variance(Fraction(1, 20), 1, 1, Fraction(9, 10))
    assert 9 < heavy / plain < 11  # about 1 / (1 - beta) = 10
    matched = D.momentum_noise_ball_variance(Fraction(1, 200), 1, 1, Fraction(9, 10))  # eta (1 - beta)
    assert abs(matched / plain - 1) < Fraction(3, 100)


# regime: what GD does on a bowl, named from the factors 1 - eta lambda_k -----------------------
LAM = np.array([1.0, 5.0])


@pytest.mark.parametrize(
    "eta, name",
    [
        (0.005, "crawl"),
        (0.02, "crawl"),
        (0.04, "crawl"),
        (0.06, "converge"),
        (0.3, "converge"),
        (0.39, "converge"),
        (0.4, "edge"),
        (0.41, "diverge"),
        (0.48, "diverge"),
    ],
)
def test_regime_follows_the_factors(eta, name):
    got, q = D.regime(eta, LAM)
    assert got == name
    np.testing.assert_allclose(q, 1 - eta * LAM, rtol=0, atol=1e-15)


def test_regime_threshold_is_set_by_the_steepest_axis_and_crawl_by_the_flattest():
    # the order of the axes does not matter; 2/lambda_max = 2/5 whatever lambda_min is
    assert D.regime(0.41, [5.0, 1.0])[0] == "diverge" and D.regime(0.39, [5.0, 0.01])[0] == "crawl"
    assert D.regime(0.39, [5.0, 1.0])[0] == "converge"
    # exact inputs: eta = 2/lambda_max exactly is the edge, a hair either side is not
    assert D.regime(Fraction(2, 5), [Fraction(1), Fraction(5)])[0] == "edge"
    assert D.regime(Fraction(2, 5) + Fraction(1, 10**6), [1, 5])[0] == "diverge"
    assert D.regime(Fraction(2, 5) - Fraction(1, 10**6), [1, 5])[0] == "converge"
    # crawl: 1 - eta lambda_min >= 0.95 exactly at eta = 1/20 on lambda_min = 1
    assert D.regime(Fraction(1, 20), [1, 5])[0] == "crawl"
    assert D.regime(Fraction(1, 20) + Fraction(1, 10**6), [1, 5])[0] == "converge"


@pytest.mark.parametrize("eta", [0.01, 0.05, 0.1, 0.3, 0.39, 0.41, 0.45])
def test_regime_names_what_the_driver_does(eta):
    # GD on the bowl from (1, 1): "diverge" iff the run blows up; "crawl" iff the flattest axis needs
    # at least ln 10 / -ln 0.95 ~ 45 steps to shrink its error tenfold
    name, _ = D.regime(eta, LAM)
    run = sc.sgd(sc.QuadraticBowl(LAM), np.ones(2), eta, m=1, steps=20000, track_loss=False)
    assert run.diverged == (name == "diverge")
    if not run.diverged:
        tenfold = int(np.argmax(np.abs(run.thetas[:, 0]) <= 0.1))
        assert (tenfold >= 45) == (name == "crawl"), (eta, name, tenfold)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: D.gd_threshold(0), "curvature"),
        (lambda: D.noise_ball_variance(1.0, 2.0, 1.0), "eta \\* curvature"),
        (lambda: D.noise_ball_variance(0.1, 1.0, -1.0), "noise_var"),
        (lambda: D.momentum_gain(1.0), "beta"),
        (lambda: D.momentum_noise_ball_variance(1.0, 4.0, 1.0, 0.9), "2 \\(1 \\+ beta\\)"),
        (lambda: D.momentum_noise_ball_variance(0.1, 1.0, 1.0, 1.0), "beta"),
        (lambda: D.regime(0.1, []), "curvatures"),
        (lambda: D.regime(0.1, [[1.0, 5.0]]), "curvatures"),
        (lambda: D.regime(0.1, [1.0, -5.0]), "curvature"),
        (lambda: D.regime(0, [1.0, 5.0]), "eta"),
        (lambda: D.noise_ball_covariance(1.5, np.diag([1.0, 2.0]), np.eye(2)), "threshold"),
        (lambda: D.noise_ball_covariance(0.1, np.diag([1.0, -2.0]), np.eye(2)), "hessian"),
        (lambda: D.noise_ball_covariance(0.1, np.array([[1.0, 1.0], [0.0, 1.0]]), np.eye(2)), "hessian"),
        (lambda: D.noise_ball_covariance(0.1, np.eye(2), np.eye(3)), "noise_cov"),
        (lambda: D.noise_ball_covariance(0.1, np.eye(2), np.eye(2), np.eye(3)), "noise_gain"),
        (lambda: D.noise_ball_covariance(0, np.eye(2), np.eye(2)), "eta"),
        (lambda: D.noise_ball_threshold(np.eye(2), np.eye(2)), "noise_gain"),
        (lambda: D.error_paths(0.1, np.zeros(2), np.zeros((3, 4, 2, 2)), np.zeros((3, 4, 3))), "hessians"),
        (lambda: D.error_paths(0.1, np.zeros(3), np.zeros((3, 4, 2, 2)), np.zeros((3, 4, 2))), "e0"),
        (lambda: D.gd_error_path(0.1, np.eye(2), np.zeros(2), -1), "steps"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


# ---- d dimensions: the noise ball of least squares, with noise drawn from the data ---------------
TINY = (
    np.array([[1.0, 0.5], [-0.5, 2.0], [2.0, 1.0], [0.3, -1.2], [-1.5, 0.2]]),
    np.array([1.0, -2.0, 0.5, 2.0, 1.0]),
)


def rotation(angle):
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def test_without_a_gain_the_covariance_is_noise_ball_variance_along_each_axis_of_h():
    lam, U = np.array([0.5, 3.0]), rotation(0.6)
    H = U @ np.diag(lam) @ U.T
    S = np.array([[2.0, 0.7], [0.7, 1.0]])
    for eta in (0.05, 0.4, 0.6):
        Vr = U.T @ D.noise_ball_covariance(eta, H, S) @ U  # in the eigenbasis of H
        Sr = U.T @ S @ U
        for k in range(2):
            assert Vr[k, k] == pytest.approx(D.noise_ball_variance(eta, lam[k], Sr[k, k]), rel=1e-10)
        q = 1 - eta * lam
        assert Vr[0, 1] == pytest.approx(eta**2 * Sr[0, 1] / (1 - q[0] * q[1]), rel=1e-10)


def exact_moments(eta, X, y, m, replace, e0, steps):
    """E[e_t] and E[e_t e_t^T] of SGD on least squares, averaged over every batch at every step
    (enumerated, with no formula from the library): a list of the traces of E[e e^T] and the last one."""
    theta_star = np.linalg.lstsq(X, y, rcond=None)[0]
    r = y - X @ theta_star
    batches = (
        list(itertools.product(range(len(y)), repeat=m)) if replace else list(itertools.permutations(range(len(y)), m))
    )
    P = np.array([np.eye(2) - eta * X[list(b)].T @ X[list(b)] / m for b in batches])  # I - eta H_B
    c = np.array([eta * X[list(b)].T @ r[list(b)] / m for b in batches])  # eta b_B
    mu, M, traces = np.array(e0, float), np.outer(e0, e0), []
    for _ in range(steps):
        Pmu = P @ mu
        M = (
            np.einsum("bij,jk,blk->il", P, M, P)
            + np.einsum("bi,bj->ij", Pmu, c)
            + np.einsum("bi,bj->ij", c, Pmu)
            + np.einsum("bi,bj->ij", c, c)
        ) / len(batches)
        mu = Pmu.mean(axis=0) + c.mean(axis=0)
        traces.append(np.trace(M))
    return traces, M


@pytest.mark.parametrize("m, replace", [(1, True), (2, True), (2, False), (3, False)])
def test_the_covariance_is_the_exact_stationary_second_moment_enumerated(m, replace):
    X, y = TINY
    nz = MB.least_squares_noise(X, y, m, replace)
    eta = 0.6 * D.noise_ball_threshold(nz.hessian, nz.noise_gain)
    _, M = exact_moments(eta, X, y, m, replace, [1.0, -1.0], 3000)
    V = D.noise_ball_covariance(eta, nz.hessian, nz.noise_cov, nz.noise_gain)
    np.testing.assert_allclose(V, M, rtol=1e-8, atol=1e-12)
    # the gain matters: the noise at the minimum alone predicts a ball visibly too small
    additive = D.noise_ball_covariance(eta, nz.hessian, nz.noise_cov)
    assert np.trace(additive) < 0.9 * np.trace(M)
    # and along each axis of H the formula of one axis holds, with s^2 the noise over the ball
    lam, U = np.linalg.eigh(nz.hessian)
    s2 = np.diag(U.T @ (nz.noise_cov + (nz.noise_gain @ V.ravel()).reshape(2, 2)) @ U)
    np.testing.assert_allclose(np.diag(U.T @ V @ U), [D.noise_ball_variance(eta, lam[k], s2[k]) for k in range(2)])


@pytest.mark.parametrize("m", [1, 2])
def test_the_threshold_separates_a_settling_spread_from_a_growing_one(m):
    X, y = TINY
    nz = MB.least_squares_noise(X, y, m)
    eta_c = D.noise_ball_threshold(nz.hessian, nz.noise_gain)
    below, _ = exact_moments(0.97 * eta_c, X, y, m, True, [1.0, -1.0], 3000)
    above, _ = exact_moments(1.03 * eta_c, X, y, m, True, [1.0, -1.0], 3000)
    assert below[-1] == pytest.approx(below[-2], rel=1e-6)  # settled
    assert above[-1] > 10 * above[1000] > 100 * above[0]  # grows without bound
    with pytest.raises(ValueError, match="threshold"):
        D.noise_ball_covariance(1.03 * eta_c, nz.hessian, nz.noise_cov, nz.noise_gain)


def test_the_threshold_rises_with_m_towards_gds():
    X, y = sc.make_linear_regression(300, 2, np.random.default_rng(4))[:2]
    H = MB.least_squares_noise(X, y, 1).hessian
    gd = D.gd_threshold(np.linalg.eigvalsh(H).max())
    assert D.noise_ball_threshold(H) == gd
    rising = [D.noise_ball_threshold(H, MB.least_squares_noise(X, y, m).noise_gain) for m in (1, 2, 4, 16, 64)]
    assert all(a < b for a, b in zip(rising, rising[1:])) and rising[-1] < gd
    assert rising[0] < 0.5 * gd and rising[-1] > 0.9 * gd


def test_error_paths_are_the_sgd_driver_on_the_same_batches():
    X, y = sc.make_linear_regression(50, 2, np.random.default_rng(5))[:2]
    model, runs, steps = sc.LeastSquares(X, y), 6, 40
    theta_star, theta0 = model.solution(), model.solution() + np.array([2.0, -1.0])
    Hs, bs = MB.least_squares_batches(X, y, [1, 4], steps, runs, np.random.default_rng(9))
    idx = MB.batch_indices(50, 4, steps * runs, np.random.default_rng(9))
    for j, m in enumerate((1, 4)):
        paths = D.error_paths(0.2, theta0 - theta_star, Hs[j], bs[j])
        assert paths.shape == (steps + 1, runs, 2)
        for k in range(runs):
            run = sc.sgd(model, theta0, 0.2, batches=[idx[t * runs + k, :m] for t in range(steps)])
            np.testing.assert_allclose(theta_star + paths[:, k], run.thetas, atol=1e-12)


def test_a_run_that_blows_up_turns_nan_without_warnings():
    Hs = np.zeros((30, 3, 1, 1))
    Hs[:, 0], Hs[:, 1], Hs[:, 2] = 1.0, 30.0, 0.5  # factors 1 - eta h: 0.5, -14, 0.75
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = D.error_paths(0.5, np.ones(1), Hs, np.zeros((30, 3, 1)))
    assert np.isfinite(paths[:, [0, 2]]).all() and np.isnan(paths[-1, 1]).all()
    first = int(np.argmax(np.isnan(paths[:, 1, 0])))
    assert 14.0 ** (first - 1) <= 1e6 < 14.0**first  # NaN from the first step beyond the bound


def test_gd_error_path_is_full_batch_sgd_and_excess_loss_is_the_loss_above_the_minimum():
    X, y = sc.make_linear_regression(40, 2, np.random.default_rng(6))[:2]
    model = sc.LeastSquares(X, y)
    theta_star, theta0 = model.solution(), model.solution() + np.array([-1.0, 3.0])
    run = sc.sgd(model, theta0, 0.3, batches=[np.arange(40)] * 25)
    H = X.T @ X / 40
    errors = D.gd_error_path(0.3, H, theta0 - theta_star, 25)
    np.testing.assert_allclose(theta_star + errors, run.thetas, atol=1e-12)
    losses = np.array([model.loss(theta) for theta in run.thetas]) - model.loss(theta_star)
    np.testing.assert_allclose(D.excess_loss(errors, H), losses, rtol=1e-9, atol=1e-14)


# ---- the heavy ball's rate map: momentum_rate, momentum_bowl_rate, momentum_optimum ---------------


def measured_rate(thetas, window=20):
    """The factor per step by which |theta_t| shrinks late in a run (thetas: shape (T + 1, d), minimum 0):
    the largest |theta| over a window at the end against one half way, to the power 1 / (their distance).
    Taking the window's largest value cancels the oscillation of an under-damped run."""
    size = np.abs(thetas).max(axis=1)
    end = len(size) - 1
    mid = end // 2
    w = min(window, mid // 2)
    return (size[end - w : end + 1].max() / size[mid - w : mid + 1].max()) ** (1 / (end - mid))


# (eta, lambda, beta): under-damped, over-damped (slow), over-damped with the sign flipping every step,
# critically damped, plain GD, the valley's steep wall at the best pair, and one past the threshold
RATE_CASES = [
    (1.0, 1.0, 0.81),
    (0.01, 1.0, 0.5),
    (2.95, 1.0, 0.5),
    (0.25, 1.0, 0.25),
    (0.5, 1.0, 0.0),
    (0.06, 50.0, 0.57),
    (3.3, 1.0, 0.5),
]


@pytest.mark.parametrize("eta, lam, beta", RATE_CASES)
def test_momentum_rate_is_the_decay_of_a_heavy_ball_run(eta, lam, beta):
    rho = float(D.momentum_rate(eta, lam, beta))
    steps = int(min(2000, 150 * np.log(10) / abs(np.log(rho))))  # far from underflow
    run = sc.sgd(sc.QuadraticBowl([lam]), np.array([1.0]), eta, steps=steps, momentum=beta, track_loss=False)
    assert measured_rate(run.thetas) == pytest.approx(rho, abs=0.01)
    assert run.diverged == (rho > 1) == (eta * lam > 2 * (1 + beta))
    # the eigenvalues of a defective matrix (critical damping) are found to about sqrt(machine epsilon)
    assert rho == pytest.approx(np.abs(np.linalg.eigvals(D.momentum_matrix(eta, lam, beta))).max(), rel=1e-7)


def test_momentum_matrix_is_one_step_of_the_driver():
    eta, lam, beta = 0.3, 2.0, 0.6
    run = sc.sgd(sc.QuadraticBowl([lam]), np.array([1.0]), eta, steps=40, momentum=beta, track_loss=False)
    A, state, errors = D.momentum_matrix(eta, lam, beta), np.array([1.0, 0.0]), []
    for _ in range(41):
        errors.append(state[0])
        state = A @ state
    np.testing.assert_allclose(errors, run.thetas[:, 0], atol=1e-12)
    assert np.trace(A) == pytest.approx(1 + beta - eta * lam) and np.linalg.det(A) == pytest.approx(beta)


def test_the_bowls_rate_is_its_worst_axis_and_a_run_on_the_valley_shows_it():
    lam = np.array([1.0, 50.0])
    etas, betas = np.linspace(0.002, 0.08, 40)[None, :], np.linspace(0, 0.98, 50)[:, None]
    rho = D.momentum_bowl_rate(etas, betas, lam)
    assert rho.shape == (50, 40)
    between = np.linspace(1.0, 50.0, 400)[:, None, None]  # every curvature between the two
    np.testing.assert_allclose(rho, D.momentum_rate(etas, between, betas).max(axis=0), rtol=1e-12)
    for eta, beta in ((0.02, 0.3), (0.06, 0.57), (0.07, 0.9), (0.035, 0.0)):
        run = sc.sgd(sc.QuadraticBowl(lam), np.array([1.0, 1.0]), eta, steps=800, momentum=beta, track_loss=False)
        assert measured_rate(run.thetas) == pytest.approx(float(D.momentum_bowl_rate(eta, beta, lam)), abs=0.01)
    # the edge of the map: the steep wall's threshold 2 (1 + beta) / lambda_max
    for beta in (0.0, 0.5, 0.95):
        edge = D.momentum_threshold(50.0, beta)
        assert D.momentum_bowl_rate(0.999 * edge, beta, lam) < 1 < D.momentum_bowl_rate(1.001 * edge, beta, lam)


@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_the_best_pair_gives_the_square_root_of_kappa(kappa):
    lam = [1.0, kappa]
    eta, beta, rho = D.momentum_optimum(lam)
    root = np.sqrt(kappa)
    assert rho == pytest.approx((root - 1) / (root + 1)) and beta == pytest.approx(rho**2)
    assert float(D.momentum_bowl_rate(eta, beta, lam)) == pytest.approx(rho, rel=1e-7)  # d = 0 up to rounding
    # no pair of a fine grid does better, and the grid's best lies next to it
    etas = np.linspace(0.2, 1.2, 401)[None, :] * eta
    betas = np.linspace(0, 0.999, 400)[:, None]
    grid = D.momentum_bowl_rate(etas, betas, lam)
    assert grid.min() >= rho - 1e-9 and grid.min() < rho + 0.01
    k, j = np.unravel_index(grid.argmin(), grid.shape)
    assert etas[0, j] == pytest.approx(eta, rel=0.02) and betas[k, 0] == pytest.approx(beta, abs=0.02)
    # GD's best, at eta = 2 / (lambda_min + lambda_max), is (kappa - 1) / (kappa + 1), much closer to 1
    assert float(D.momentum_bowl_rate(2 / (1 + kappa), 0.0, lam)) == pytest.approx((kappa - 1) / (kappa + 1))
    run = sc.sgd(sc.QuadraticBowl(lam), np.array([1.0, 1.0]), eta, steps=600, momentum=beta, track_loss=False)
    assert measured_rate(run.thetas) == pytest.approx(rho, abs=0.01)


def test_rate_arguments_are_checked_by_name():
    with pytest.raises(ValueError, match="eta"):
        D.momentum_rate(-0.1, 1.0, 0.5)
    with pytest.raises(ValueError, match="beta"):
        D.momentum_rate(0.1, 1.0, 1.0)
    with pytest.raises(ValueError, match="curvature"):
        D.momentum_rate(0.1, [1.0, 0.0], 0.5)
    with pytest.raises(ValueError, match="curvatures"):
        D.momentum_bowl_rate(0.1, 0.5, [])
    with pytest.raises(ValueError, match="curvatures"):
        D.momentum_optimum([1.0, -2.0])
    with pytest.raises(ValueError, match="beta"):
        D.momentum_matrix(0.1, 1.0, -0.2)
