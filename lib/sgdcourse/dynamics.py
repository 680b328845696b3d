"""Closed forms for (stochastic) gradient descent on a quadratic, the facts lessons 06-08 test.

On a 1-D quadratic L(theta) = (lambda/2)(theta - c)^2 the error e_t = theta_t - c obeys
    GD:         e_{t+1} = (1 - eta lambda) e_t
    SGD:        e_{t+1} = (1 - eta lambda) e_t - eta xi_t,   E xi_t = 0, Var xi_t = s^2
    momentum:   v_{t+1} = beta v_t + g_t,  theta_{t+1} = theta_t - eta v_{t+1}
Every function of one axis accepts Fractions or sympy numbers and then answers exactly, except
`regime`, which names what GD does on a bowl with several curvatures (its factors come back as floats),
and the heavy ball's rates, which work in floats and broadcast over arrays of eta and beta:
    momentum_matrix        the 2 x 2 matrix of one heavy-ball step on the state (e_t, v_t)
    momentum_rate          its spectral radius: the factor by which the error shrinks per step
    momentum_bowl_rate     the worst of these over curvatures in [lambda_min, lambda_max]: the rate map
    momentum_optimum       the (eta, beta) of the smallest such rate, (sqrt(kappa) - 1) / (sqrt(kappa) + 1)

In d dimensions, with Hessian H and the batch gradient H_t e_t - b_t (least squares:
sgdcourse.minibatch.least_squares_noise), the functions below work in floats:
    error_paths            e_{t+1} = e_t - eta (H_t e_t - b_t), many runs at once
    gd_error_path          the same with the full batch (H_t = H, b_t = 0): e_t = (I - eta H)^t e_0
    noise_ball_covariance  the stationary E[e e^T] of the noisy runs, the d-dimensional noise ball
    noise_ball_threshold   the eta at and above which there is no such ball
    excess_loss            L(theta) - L(theta*) = (1/2) e^T H e
"""

from __future__ import annotations

import numpy as np

from . import _validate as validate

CRAWL = 0.95  # regime: the flattest axis keeps at least this share of its distance per step
EDGE_TOL = 1e-9  # regime: |factor| within this of 1 is the edge of stability


def gd_threshold(curvature):
    """GD on a quadratic converges iff 0 < eta < 2 / lambda (lambda: the largest curvature)."""
    return 2 / validate.positive("curvature", curvature)


def contraction(eta, curvature):
    """The factor 1 - eta lambda by which GD multiplies the error along one axis each step."""
    return 1 - validate.positive("eta", eta) * validate.positive("curvature", curvature)


def regime(eta, curvatures):
    """(name, factors) for GD with step eta on a bowl with the given curvatures (shape (d,)).

    factors[k] = 1 - eta lambda_k (floats, shape (d,)). With rho = max_k |factors[k]|:
        "diverge"   rho > 1, i.e. eta > 2 / lambda_max: the steepest axis overshoots the minimum
                    by more than it gained, and its error grows like rho^t;
        "edge"      rho = 1 (to EDGE_TOL = 1e-9), i.e. eta = 2 / lambda_max: that axis bounces forever;
        "crawl"     rho < 1 and the flattest axis has 1 - eta lambda_min >= CRAWL = 0.95: each
                    step removes at most 5% of the remaining distance there, always from the same
                    side, so shrinking it tenfold takes at least ln 10 / -ln 0.95 ~ 45 steps;
        "converge"  every other rho < 1.
    """
    lams = validate.array("curvatures", curvatures, 1)
    if lams.size == 0:
        raise ValueError("curvatures must hold at least one number > 0, got none")
    factors = np.array([float(contraction(eta, lam)) for lam in lams])
    rho = np.abs(factors).max()
    if rho > 1 + EDGE_TOL:
        return "diverge", factors
    if rho >= 1 - EDGE_TOL:
        return "edge", factors
    flattest = factors[int(np.argmin(lams))]
    return ("crawl" if flattest >= CRAWL else "converge"), factors


def noise_ball_variance(eta, curvature, noise_var):
    """Stationary Var(theta_t - c) of constant-eta SGD on a 1-D quadratic with gradient noise
    of variance s^2:  V = (1 - eta lambda)^2 V + eta^2 s^2,  so  V = eta s^2 / (lambda (2 - eta lambda)).
    Defined for 0 < eta lambda < 2; for small eta it is about eta s^2 / (2 lambda)."""
    eta, lam = validate.positive("eta", eta), validate.positive("curvature", curvature)
    s2 = validate.real("noise_var", noise_var)
    if s2 < 0:
        raise ValueError(f"noise_var must be >= 0, got {noise_var!r}")
    if not eta * lam < 2:
        raise ValueError(f"eta * curvature must be < 2 for a stationary variance, got {eta * lam!r}")
    return eta * s2 / (lam * (2 - eta * lam))


def momentum_noise_ball_variance(eta, curvature, noise_var, beta):
    """Stationary Var(theta_t - c) of the heavy ball (v <- beta v + g_hat, theta <- theta - eta v)
    on a 1-D quadratic with gradient noise of variance s^2:

        V = eta s^2 (1 + beta) / (lambda (1 - beta) (2 (1 + beta) - eta lambda)),

    the (1, 1) entry of the fixed point P = A P A^T + s^2 b b^T of the state (e_t, v_t),
    A = [[1 - eta lambda, -eta beta], [lambda, beta]], b = (-eta, 1). Defined for
    0 < eta lambda < 2 (1 + beta). At beta = 0 it is noise_ball_variance; for small eta it is
    about eta s^2 / (2 lambda (1 - beta)): at a fixed eta momentum enlarges the ball about
    1 / (1 - beta) times, and at the same effective step eta / (1 - beta) it matches plain SGD."""
    eta, lam = validate.positive("eta", eta), validate.positive("curvature", curvature)
    beta = validate.in_range("beta", beta, 0, 1)
    s2 = validate.real("noise_var", noise_var)
    if s2 < 0:
        raise ValueError(f"noise_var must be >= 0, got {noise_var!r}")
    if not eta * lam < 2 * (1 + beta):
        raise ValueError(f"eta * curvature must be < 2 (1 + beta) for a stationary variance, got {eta * lam!r}")
    return eta * s2 * (1 + beta) / (lam * (1 - beta) * (2 * (1 + beta) - eta * lam))


def momentum_gain(beta, alternating=False):
    """How much the heavy ball amplifies a gradient component in the long run.

    A component that persists (g_t = g every step) reaches v = g / (1 - beta); one that
    alternates in sign (g_t = (-1)^t g) settles at |v| = |g| / (1 + beta)."""
    beta = validate.in_range("beta", beta, 0, 1)
    return 1 / (1 + beta) if alternating else 1 / (1 - beta)


def momentum_threshold(curvature, beta):
    """Heavy ball on a quadratic converges iff 0 < eta < 2 (1 + beta) / lambda."""
    return 2 * (1 + validate.in_range("beta", beta, 0, 1)) / validate.positive("curvature", curvature)


# ---- the heavy ball's rate: how fast momentum converges on a quadratic, for every (eta, beta) -----
def _floats(name, value, positive=False, below_one=False):
    """value as a float array (a number gives a 0-d array); finite, > 0 or in [0, 1) on request."""
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and not (a > 0).all():
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if below_one and not ((a >= 0) & (a < 1)).all():
        raise ValueError(f"{name} must satisfy 0 <= {name} < 1, got {value!r}")
    return a


def momentum_matrix(eta, curvature, beta):
    """The heavy ball's step on one axis of a quadratic, as a 2 x 2 matrix A acting on the state (e_t, v_t):

        v_{t+1} = beta v_t + lambda e_t,  e_{t+1} = e_t - eta v_{t+1}   =>   A = [[1 - eta lambda, -eta beta],
                                                                                   [lambda,          beta     ]]

    (e = theta - c, v the velocity, v_0 = 0). Its trace is 1 + beta - eta lambda and its determinant beta.
    Returns A, shape (2, 2), floats."""
    eta = float(validate.positive("eta", eta))
    lam = float(validate.positive("curvature", curvature))
    beta = float(validate.in_range("beta", beta, 0, 1))
    return np.array([[1 - eta * lam, -eta * beta], [lam, beta]])


def momentum_rate(eta, curvature, beta):
    """The heavy ball's convergence rate along one axis: the spectral radius rho of momentum_matrix.

    The eigenvalues z of A solve z^2 - x z + beta = 0 with x = 1 + beta - eta lambda, so with d = x^2 - 4 beta

        d < 0  (under-damped: the error oscillates)   |z| = sqrt(beta) for both, rho = sqrt(beta)
        d >= 0 (over-damped; d = 0: critically)       rho = (|x| + sqrt(d)) / 2

    and after many steps the error shrinks by the factor rho per step (|e_t| ~ rho^t; t rho^t at d = 0).
    rho < 1 exactly when 0 < eta lambda < 2 (1 + beta) (momentum_threshold). eta, curvature and beta may be
    arrays: they broadcast, and so does the result (floats; a number gives a 0-d array)."""
    eta = _floats("eta", eta, positive=True)
    lam = _floats("curvature", curvature, positive=True)
    beta = _floats("beta", beta, below_one=True)
    x = 1 + beta - eta * lam
    d = x * x - 4 * beta
    return np.where(d < 0, np.sqrt(beta), (np.abs(x) + np.sqrt(np.maximum(d, 0))) / 2)


def momentum_bowl_rate(eta, beta, curvatures):
    """The heavy ball's rate on a quadratic whose curvatures lie in [lambda_min, lambda_max]: the worst axis,

        rho(eta, beta) = max over lambda in [lambda_min, lambda_max] of momentum_rate(eta, lambda, beta)
                       = max(momentum_rate(eta, lambda_min, beta), momentum_rate(eta, lambda_max, beta)),

    since momentum_rate depends on lambda only through |x| = |1 + beta - eta lambda|, never falls as |x| grows,
    and |x| is convex in lambda. curvatures: shape (k,), numbers > 0; eta and beta broadcast (the rate map of
    the (eta, beta) plane: eta of shape (1, n), beta of shape (m, 1) give rho of shape (m, n)). At beta = 0 it
    is GD's max_k |1 - eta lambda_k|."""
    lam = validate.array("curvatures", curvatures, 1)
    if lam.size == 0 or not (lam > 0).all():
        raise ValueError(f"curvatures must hold numbers > 0, got {curvatures!r}")
    lam = lam.astype(float)
    return np.maximum(momentum_rate(eta, lam.min(), beta), momentum_rate(eta, lam.max(), beta))


def momentum_optimum(curvatures):
    """(eta*, beta*, rho*): the (eta, beta) with the smallest momentum_bowl_rate, and that rate (Polyak):

        eta* = 4 / (sqrt(lambda_max) + sqrt(lambda_min))^2,   beta* = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2,
        rho* = sqrt(beta*) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1),   kappa = lambda_max / lambda_min.

    There both axes are critically damped. GD's best rate is (kappa - 1) / (kappa + 1), at eta = 2 / (lambda_min
    + lambda_max): to shrink the error tenfold GD takes about kappa ln(10) / 2 steps, the heavy ball about
    sqrt(kappa) ln(10) / 2."""
    lam = validate.array("curvatures", curvatures, 1)
    if lam.size == 0 or not (lam > 0).all():
        raise ValueError(f"curvatures must hold numbers > 0, got {curvatures!r}")
    lo, hi = float(lam.min()), float(lam.max())
    root = np.sqrt(hi / lo)
    rho = (root - 1) / (root + 1)
    return float(4 / (np.sqrt(hi) + np.sqrt(lo)) ** 2), float(rho**2), float(rho)


# ---- d dimensions: the noise ball of a quadratic whose gradient noise is drawn from data ----------
def _square(name, value, d=None):
    a = validate.array(name, value, 2).astype(float)
    if a.shape[0] != a.shape[1] or (d is not None and a.shape[0] != d):
        want = "square" if d is None else f"({d}, {d})"
        raise ValueError(f"{name} must be a {want} matrix, got shape {a.shape}")
    return a


def _hessian(hessian):
    H = _square("hessian", hessian)
    lam = np.linalg.eigvalsh(H)
    if not np.allclose(H, H.T) or not lam.min() > 0:
        raise ValueError(f"hessian must be symmetric with eigenvalues > 0, got eigenvalues {lam}")
    return H, lam


def _gain(noise_gain, d):
    return None if noise_gain is None else _square("noise_gain", noise_gain, d * d)


def _symmetric_basis(d):
    """D of shape (d*d, d(d+1)/2): V.ravel() = D @ v for the entries v of V on and above the diagonal."""
    pairs = [(i, j) for i in range(d) for j in range(i, d)]
    D = np.zeros((d * d, len(pairs)))
    for k, (i, j) in enumerate(pairs):
        D[i * d + j, k] = D[j * d + i, k] = 1.0
    return D


def _second_moment_map(eta, H, G):
    """K on the symmetric d x d matrices, in the basis of _symmetric_basis: the map
    V -> (I - eta H) V (I - eta H) + eta^2 G(V) that one step applies to E[e e^T] (besides adding eta^2 S)."""
    d = H.shape[0]
    P = np.eye(d) - eta * H
    K = np.kron(P, P) if G is None else np.kron(P, P) + eta**2 * G
    D = _symmetric_basis(d)
    return np.linalg.pinv(D) @ K @ D, D


def _radius(eta, H, G):
    return float(np.abs(np.linalg.eigvals(_second_moment_map(eta, H, G)[0])).max())


def noise_ball_covariance(eta, hessian, noise_cov, noise_gain=None):
    """Stationary covariance V = E[e e^T] of constant-eta SGD on a quadratic in d dimensions.

    The error e = theta - theta* follows e_{t+1} = (I - eta H) e_t - eta xi_t, with gradient noise xi_t of
    mean 0 and, over the runs, covariance S + G(V): S (noise_cov, shape (d, d)) is there at the minimum,
    G (noise_gain, shape (d*d, d*d), acting on V.ravel()) grows with the spread (least squares:
    sgdcourse.minibatch.least_squares_noise; None: no such part). V is the fixed point

        V = (I - eta H) V (I - eta H) + eta^2 (S + G(V)),

    solved as a linear system in the d(d+1)/2 entries of V. Without G, in the eigenbasis H = U diag(lam) U^T,
    V'_jk = eta^2 S'_jk / (1 - (1 - eta lam_j)(1 - eta lam_k)), and each V'_kk is noise_ball_variance(eta,
    lam_k, S'_kk). With G, V'_kk is still noise_ball_variance(eta, lam_k, s_k^2), for the noise variance
    s_k^2 = (S + G(V))'_kk averaged over the ball. Raises ValueError when eta is at or above
    noise_ball_threshold (the spread then grows without bound). Returns V, shape (d, d).
    """
    eta = float(validate.positive("eta", eta))
    H, _ = _hessian(hessian)
    d = H.shape[0]
    S = _square("noise_cov", noise_cov, d)
    G = _gain(noise_gain, d)
    K, D = _second_moment_map(eta, H, G)
    rho = float(np.abs(np.linalg.eigvals(K)).max())
    if not rho < 1:
        raise ValueError(
            f"eta = {eta:.4g} is at or above the noise ball's threshold: the spread grows by a factor "
            f"{rho:.4g} per step and there is no stationary covariance (see noise_ball_threshold)"
        )
    v = np.linalg.solve(np.eye(K.shape[0]) - K, eta**2 * np.linalg.pinv(D) @ S.ravel())
    return (D @ v).reshape(d, d)


def noise_ball_threshold(hessian, noise_gain=None, grid=256, bisections=60):
    """The smallest eta > 0 at which constant-eta SGD has no noise ball: the spectral radius of the map
    V -> (I - eta H) V (I - eta H) + eta^2 G(V) (see noise_ball_covariance) reaches 1.

    Without noise_gain it is gd_threshold(lambda_max) = 2 / lambda_max. A gain that maps covariance matrices
    to covariance matrices, as least squares' does, can only lower it (both parts of the map then keep the
    cone of positive semi-definite matrices, and adding such a part cannot shrink the spectral radius):
    mini-batch SGD on least squares keeps a ball only below a threshold that rises with m towards
    2 / lambda_max. Found on a grid of `grid` points in (0, 2 / lambda_max], then by bisection.
    """
    H, lam = _hessian(hessian)
    G = _gain(noise_gain, H.shape[0])
    top = 2 / float(lam.max())
    if G is None:
        return top
    etas = top * np.arange(1, validate.integer("grid", grid, lo=2) + 1) / grid
    unstable = next((k for k, e in enumerate(etas) if _radius(e, H, G) >= 1), grid - 1)  # the last one is
    lo, hi = (etas[unstable - 1] if unstable else 0.0), etas[unstable]
    for _ in range(validate.integer("bisections", bisections, lo=1)):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _radius(mid, H, G) >= 1 else (mid, hi)
    return hi


def error_paths(eta, e0, hessians, offsets, blowup=1e6):
    """Many SGD runs at once on a quadratic: e_{t+1} = e_t - eta (H_t e_t - b_t), t = 0..T-1.

    hessians: shape (T, R, d, d), offsets: shape (T, R, d) (step t of run k uses hessians[t, k] and
    offsets[t, k]; least squares: sgdcourse.minibatch.least_squares_batches); e0: shape (d,) or (R, d).
    Returns the errors, shape (T + 1, R, d). A run whose error leaves max_k |e_k| <= blowup * max(1, |e0|)
    is NaN from then on (it diverged; NaN spreads without floating-point warnings).
    """
    eta = float(validate.positive("eta", eta))
    Hs = np.asarray(hessians, dtype=float)
    bs = np.asarray(offsets, dtype=float)
    if Hs.ndim != 4 or Hs.shape[2] != Hs.shape[3] or bs.shape != Hs.shape[:3]:
        raise ValueError(f"hessians must have shape (T, R, d, d) and offsets (T, R, d), got {Hs.shape} and {bs.shape}")
    T, R, d = bs.shape
    e0 = np.asarray(e0, dtype=float)
    if e0.shape not in ((d,), (R, d)) or not np.isfinite(e0).all():
        raise ValueError(f"e0 must be finite, of shape ({d},) or ({R}, {d}), got shape {e0.shape}")
    bound = float(blowup) * max(1.0, float(np.abs(e0).max()))
    out = np.empty((T + 1, R, d))
    out[0] = e0
    for t in range(T):  # in place, in out[t + 1]: a step is a few microseconds of numpy
        e, new = out[t], out[t + 1]
        np.einsum("rij,rj->ri", Hs[t], e, out=new)
        new -= bs[t]
        new *= -eta
        new += e
        if not (np.abs(new) <= bound).all():  # some run left the bound, or is NaN already
            new[~(np.abs(new) <= bound).all(axis=1)] = np.nan
    return out


def gd_error_path(eta, hessian, e0, steps):
    """Gradient descent's errors e_t = (I - eta H)^t e_0 for t = 0..steps, shape (steps + 1, d), in closed
    form: along each eigenvector u_k of H the error is multiplied by 1 - eta lambda_k per step."""
    eta = float(validate.positive("eta", eta))
    H, _ = _hessian(hessian)
    e0 = validate.array("e0", e0, 1, H.shape[0]).astype(float)
    lam, U = np.linalg.eigh(H)
    t = np.arange(validate.integer("steps", steps, lo=0) + 1)[:, None]
    with np.errstate(over="ignore", invalid="ignore"):  # only above 2 / lambda_max, where it grows without bound
        return ((1 - eta * lam) ** t * (U.T @ e0)) @ U.T


def excess_loss(errors, hessian):
    """L(theta) - L(theta*) = (1/2) e^T H e for errors e = theta - theta* of shape (..., d); exact for a
    quadratic such as least squares. Over a noise ball (mean 0, covariance V) its mean is (1/2) tr(H V)."""
    H, _ = _hessian(hessian)
    e = np.asarray(errors, dtype=float)
    return 0.5 * np.einsum("...i,...i->...", e @ H, e)
