"""Closed forms for (stochastic) gradient descent on a quadratic, the facts lessons 05-07 test.

On a 1-D quadratic L(theta) = (lambda/2)(theta - c)^2 the error e_t = theta_t - c obeys
    GD:         e_{t+1} = (1 - eta lambda) e_t
    SGD:        e_{t+1} = (1 - eta lambda) e_t - eta xi_t,   E xi_t = 0, Var xi_t = s^2
    momentum:   v_{t+1} = beta v_t + g_t,  theta_{t+1} = theta_t - eta v_{t+1}
Every function accepts Fractions or sympy numbers and then answers exactly, except `regime`,
which names what GD does on a bowl with several curvatures (its factors come back as floats).
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
