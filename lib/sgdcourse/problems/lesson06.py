"""Lesson 5 problems: the learning rate on a quadratic bowl, the noise ball, schedules.

On L(theta) = (lambda/2)(theta - c)^2 the error e_t = theta_t - c obeys e_{t+1} = (1 - eta lambda) e_t,
so e_t = (1 - eta lambda)^t e_0: GD converges iff 0 < eta < 2 / lambda (the largest curvature
of a bowl decides). With gradient noise of variance s^2 the variance settles where
V = (1 - eta lambda)^2 V + eta^2 s^2. Closed forms come from sgdcourse.dynamics, schedules
from sgdcourse.schedules; the symbolic answers are derived with sympy below.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from .. import dynamics, schedules
from ..checking import Mistake
from .problem import Problem

# ---- the threshold on a two-axis bowl ----------------------------------------------------------
CURVATURES = (Fraction(1), Fraction(10))
LAM_MAX, LAM_MIN = max(CURVATURES), min(CURVATURES)
THRESHOLD = dynamics.gd_threshold(LAM_MAX)  # 1/5
BOWL = (
    "the bowl L(theta) = (1/2)(lambda_1 theta_1^2 + lambda_2 theta_2^2) with curvatures "
    f"lambda_1 = {LAM_MIN} and lambda_2 = {LAM_MAX}"
)

# ---- the error after t steps, symbolically ------------------------------------------------------
eta, lam, s = sp.symbols("eta lam s", positive=True)
t = sp.Symbol("t", integer=True, positive=True)
e0 = sp.Symbol("e0", real=True)
ERROR_T = (1 - eta * lam) ** t * e0
NS_T = {"eta": eta, "lam": lam, "t": t, "e0": e0}

# ---- the crawl: steps until the error is 1/100 of its start --------------------------------------
CRAWL_ETA, CRAWL_LAM, CRAWL_TARGET = Fraction(1, 10), Fraction(1), Fraction(1, 100)
CRAWL_Q = dynamics.contraction(CRAWL_ETA, CRAWL_LAM)  # 9/10 per step


def steps_below(q, target):
    """The smallest t with |q|^t <= target (0 < |q| < 1), counted exactly."""
    n, power = 0, Fraction(1)
    while power > target:
        n, power = n + 1, power * abs(q)
    return n


CRAWL_STEPS = steps_below(CRAWL_Q, CRAWL_TARGET)  # 44
CRAWL_LOG = math.log(CRAWL_TARGET) / math.log(CRAWL_Q)  # 43.7..., not a whole number
CRAWL_EXP = math.ceil(math.log(1 / CRAWL_TARGET) / (CRAWL_ETA * CRAWL_LAM))  # from e^{-eta lambda t}: 47
CRAWL_LINEAR = math.ceil((1 - CRAWL_TARGET) / (CRAWL_ETA * CRAWL_LAM))  # from 1 - t eta lambda: 10

# ---- one regime: eta between 1/lambda and 2/lambda -----------------------------------------------
REGIME_LAM, REGIME_ETA = Fraction(10), Fraction(3, 20)
REGIME_Q = dynamics.contraction(REGIME_ETA, REGIME_LAM)  # -1/2: overshoots, shrinks

# ---- the noise ball -------------------------------------------------------------------------------
V = sp.Symbol("V")
NOISE_BALL = sp.solve(sp.Eq(V, (1 - eta * lam) ** 2 * V + eta**2 * s**2), V)[0]  # eta s^2/(lam (2 - eta lam))
NS_NOISE = {"eta": eta, "lam": lam, "s": s}

# ---- a warmup + cosine schedule ----------------------------------------------------------------
ETA0, WARMUP, TOTAL = 0.5, 10, 110
STEPS_ASKED = (4, 85)
SCHEDULE = tuple(schedules.warmup_cosine(k, ETA0, WARMUP, TOTAL) for k in STEPS_ASKED)
WARM_OFF = ETA0 * STEPS_ASKED[0] / WARMUP  # t / warmup instead of (t + 1) / warmup
COS_UNSHIFTED = schedules.cosine(STEPS_ASKED[1], ETA0, TOTAL - WARMUP)  # t where t - warmup belongs
COS_NO_HALF = 2 * SCHEDULE[1]  # eta0 (1 + cos) without the 1/2

PROBLEMS = (
    Problem(
        id="06-threshold",
        lesson=6,
        kind="number",
        statement=(
            f"Full-batch gradient descent runs on {BOWL}. It converges from every start exactly "
            "when 0 < eta < eta_max. What is eta_max?"
        ),
        counts=(2, 10),
        answer=THRESHOLD,
        hints=(
            "Along axis k one step multiplies the error by 1 - eta lambda_k. Convergence needs "
            "|1 - eta lambda_k| < 1 on both axes.",
            "|1 - eta lambda| < 1 means 0 < eta < 2 / lambda. Which axis gives the smaller bound?",
        ),
        mistakes=(
            Mistake(
                "one-over-lambda",
                "eta = 1/lambda is the step that lands on the minimum of that axis in "
                "one move (the fastest, not the limit). The error flips sign for larger eta but still "
                "shrinks up to 2/lambda.",
                1 / LAM_MAX,
            ),
            Mistake(
                "flat-axis",
                "That bound comes from the flat axis. The steep axis leaves the range "
                "|1 - eta lambda| < 1 first, so its curvature sets the threshold.",
                2 / LAM_MIN,
            ),
            Mistake(
                "flat-axis-one-over",
                "Two slips: the threshold is 2/lambda, not 1/lambda, and it is the "
                "steep axis (the largest curvature) that sets it.",
                1 / LAM_MIN,
            ),
            Mistake(
                "inverted",
                "Upside down: the threshold is 2/lambda, which shrinks as the bowl gets steeper.",
                LAM_MAX / 2,
            ),
            Mistake(
                "mean-curvature",
                "The average curvature does not decide: the steepest axis diverges "
                "first, so use the largest curvature.",
                2 / ((LAM_MIN + LAM_MAX) / 2),
            ),
        ),
    ),
    Problem(
        id="06-error-after-t",
        lesson=6,
        kind="expression",
        statement=(
            "Gradient descent with a constant eta on L(theta) = (lam/2)(theta - c)^2 starts with the "
            "error e0 = theta_0 - c. Write the error e_t = theta_t - c after t steps as an expression "
            "in eta, lam, t and e0."
        ),
        counts=(2,),
        answer=ERROR_T,
        namespace=NS_T,
        hints=(
            "The gradient is lam (theta - c), so one step gives e_{t+1} = e_t - eta lam e_t.",
            "Each step multiplies the error by the same factor 1 - eta lam. Apply it t times.",
        ),
        mistakes=(
            Mistake(
                "step-too-many",
                "One factor too many: after t steps the factor has been applied t times, "
                "not t + 1 (check t = 0: e_0 must be e0).",
                (1 - eta * lam) ** (t + 1) * e0,
            ),
            Mistake(
                "step-too-few",
                "One factor too few: after t steps the factor has been applied t times, "
                "not t - 1 (check t = 1: one step has been taken).",
                (1 - eta * lam) ** (t - 1) * e0,
            ),
            Mistake(
                "sign",
                "The step goes downhill: e_{t+1} = e_t - eta lam e_t, so the factor is 1 - eta lam.",
                (1 + eta * lam) ** t * e0,
            ),
            Mistake(
                "linearised",
                "Steps compound: the error is multiplied by 1 - eta lam at every step, "
                "which gives a power, not 1 - t eta lam.",
                (1 - t * eta * lam) * e0,
            ),
            Mistake(
                "factor-only",
                "That is the factor by which the error shrinks; e_t is that factor times the starting error e0.",
                (1 - eta * lam) ** t,
            ),
        ),
    ),
    Problem(
        id="06-crawl-steps",
        lesson=6,
        kind="number",
        statement=(
            f"Gradient descent on a bowl of curvature lambda = {CRAWL_LAM} with eta = {float(CRAWL_ETA):g}. "
            "After how many steps t is the error |theta_t - c| for the first time at most 1/100 of "
            "its starting value?"
        ),
        counts=(100,),
        answer=Fraction(CRAWL_STEPS),
        hints=(
            f"Each step multiplies the error by 1 - eta lambda = {float(CRAWL_Q):g}.",
            f"Find the smallest whole t with {float(CRAWL_Q):g}^t <= 0.01: take logarithms, then round up.",
        ),
        mistakes=(
            Mistake(
                "step-too-few",
                f"One step short: {float(CRAWL_Q):g}^{CRAWL_STEPS - 1} is still a little above 0.01.",
                Fraction(CRAWL_STEPS - 1),
            ),
            Mistake(
                "step-too-many",
                f"One step too many: {float(CRAWL_Q):g}^{CRAWL_STEPS} is already below "
                "0.01, so that step is the first one to get there.",
                Fraction(CRAWL_STEPS + 1),
            ),
            Mistake(
                "not-rounded",
                "Round up to a whole number of steps: the solution of q^t = 0.01 falls "
                "between two steps, and only the later one reaches 1/100.",
                CRAWL_LOG,
            ),
            Mistake(
                "exponential",
                "That count comes from e^(-eta lambda t). The true factor (1 - eta lambda)^t "
                "is smaller than that, so fewer steps suffice.",
                Fraction(CRAWL_EXP),
            ),
            Mistake(
                "linearised",
                "Steps compound: after t steps the error is (1 - eta lambda)^t times the "
                "start, not (1 - t eta lambda) times it.",
                Fraction(CRAWL_LINEAR),
            ),
        ),
    ),
    Problem(
        id="06-regime",
        lesson=6,
        kind="choice",
        statement=(
            f"Gradient descent on a bowl of curvature lambda = {REGIME_LAM} with eta = "
            f"{float(REGIME_ETA):g}, started away from the minimum. What does the path do?"
        ),
        counts=(10,),
        options=(
            "It crawls: the error keeps its sign and shrinks by a small fraction each step.",
            "It converges while overshooting: the error flips sign every step and shrinks.",
            "It diverges: each step overshoots by more than it gains.",
            "It bounces between two points forever, getting neither closer nor farther.",
        ),
        answer="b",
        hints=(
            "Compute the factor 1 - eta lambda that multiplies the error at each step.",
            "A negative factor flips the sign; what matters next is whether its size is below 1.",
        ),
        mistakes=(
            Mistake(
                "crawl",
                f"Here eta lambda = {float(REGIME_ETA * REGIME_LAM):g} > 1, so the factor "
                f"1 - eta lambda = {float(REGIME_Q):g} is negative: every step jumps past the minimum.",
                "a",
            ),
            Mistake(
                "diverge",
                f"Divergence needs eta > 2/lambda = {float(dynamics.gd_threshold(REGIME_LAM)):g}. "
                f"Here |1 - eta lambda| = {float(abs(REGIME_Q)):g} < 1, so each overshoot is smaller "
                "than the last.",
                "c",
            ),
            Mistake(
                "edge", "A bounce of constant size happens only at eta = 2/lambda exactly, where the factor is -1.", "d"
            ),
        ),
    ),
    Problem(
        id="06-noise-ball",
        lesson=6,
        kind="expression",
        points=2,
        statement=(
            "SGD with a constant eta on L(theta) = (lam/2) theta^2. Each stochastic gradient is "
            "lam theta_t + xi_t with E xi_t = 0, Var xi_t = s^2, independent of everything before, so "
            "theta_{t+1} = (1 - eta lam) theta_t - eta xi_t. For 0 < eta lam < 2 the variance of "
            "theta_t settles at a stationary value V. Write V as an expression in eta, lam and s."
        ),
        counts=(2,),
        answer=NOISE_BALL,
        namespace=NS_NOISE,
        hints=(
            "Take the variance of both sides: the two terms are independent, and Var(a X) = a^2 Var(X).",
            "Stationary means Var(theta_{t+1}) = Var(theta_t) = V, so V = (1 - eta lam)^2 V + eta^2 s^2.",
            "1 - (1 - eta lam)^2 = eta lam (2 - eta lam): one eta cancels.",
        ),
        mistakes=(
            Mistake(
                "eta-squared",
                "One eta too many: 1 - (1 - eta lam)^2 = eta lam (2 - eta lam) carries a "
                "factor eta that cancels one eta of eta^2 s^2.",
                eta**2 * s**2 / (lam * (2 - eta * lam)),
            ),
            Mistake(
                "small-eta",
                "That is the small-eta approximation: the exact stationary variance keeps "
                "the factor (2 - eta lam) in the denominator.",
                eta * s**2 / (2 * lam),
            ),
            Mistake(
                "sigma-not-variance",
                "You used s where s^2 was meant: the noise has variance s^2.",
                eta * s / (lam * (2 - eta * lam)),
            ),
            Mistake(
                "noise-not-scaled",
                "The noise enters the update as eta xi_t, so it adds eta^2 s^2 to the variance, not s^2.",
                s**2 / (eta * lam * (2 - eta * lam)),
            ),
            Mistake(
                "sd-not-variance",
                "That is the standard deviation of the noise ball; the variance V is its square.",
                sp.sqrt(NOISE_BALL),
            ),
        ),
    ),
    Problem(
        id="06-warmup-cosine",
        lesson=6,
        kind="number",
        statement=(
            f"A schedule with eta0 = {ETA0:g}, warmup = {WARMUP} and total = {TOTAL} steps: "
            "eta_t = eta0 (t + 1) / warmup for t < warmup, then "
            "eta_t = eta0 (1 + cos(pi (t - warmup) / (total - warmup))) / 2. "
            f"Give eta_t at t = {STEPS_ASKED[0]} and at t = {STEPS_ASKED[1]}, as a list of 2 numbers."
        ),
        counts=(WARMUP, TOTAL, 2, *STEPS_ASKED),
        answer=SCHEDULE,
        tol=1e-6,
        hints=(
            f"t = {STEPS_ASKED[0]} is still in the warmup; t = {STEPS_ASKED[1]} is in the cosine phase.",
            f"In the cosine phase the clock restarts: t = {STEPS_ASKED[1]} is step "
            f"{STEPS_ASKED[1] - WARMUP} of {TOTAL - WARMUP}.",
            "sgdcourse.schedules.warmup_cosine computes the same thing; use it to check your arithmetic.",
        ),
        mistakes=(
            Mistake(
                "warmup-off-by-one",
                "Off by one in the warmup: it uses (t + 1) / warmup, so step t = 0 already moves with eta0 / warmup.",
                (WARM_OFF, SCHEDULE[1]),
            ),
            Mistake(
                "cosine-not-shifted",
                "The cosine phase starts when the warmup ends: use t - warmup steps "
                "into a phase of total - warmup steps.",
                (SCHEDULE[0], COS_UNSHIFTED),
            ),
            Mistake(
                "cosine-missing-half",
                "The cosine term is (1 + cos(...)) / 2, which runs from 1 down to 0; "
                "without the 1/2 the rate would start at 2 eta0.",
                (SCHEDULE[0], COS_NO_HALF),
            ),
        ),
    ),
)
