"""Lesson 6 problems: the heavy ball, what it amplifies and cancels, noise and flat minima, Newton.

The convention of the course:  v_{t+1} = beta v_t + g_t,  theta_{t+1} = theta_t - eta v_{t+1},  v_0 = 0.
A gradient that persists is amplified about 1/(1 - beta) times, one that alternates in sign is
damped to 1/(1 + beta); on a quadratic the heavy ball converges iff 0 < eta < 2 (1 + beta) / lambda
(sgdcourse.dynamics). The worked numbers run through the library's sgd with exact Fractions.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from .. import dynamics
from ..checking import Mistake
from ..models import QuadraticBowl
from ..sgd import sgd
from .problem import Problem, exact

# ---- two heavy-ball steps on L(theta) = theta^2 (curvature 2) ---------------------------------
HB_LAM, HB_THETA0, HB_ETA, HB_BETA = Fraction(2), Fraction(1), Fraction(1, 10), Fraction(9, 10)
HB_BOWL = QuadraticBowl(
    np.array([HB_LAM], dtype=object),
    center=np.array([Fraction(0)], dtype=object),
    offsets=np.array([[Fraction(0)]], dtype=object),
)  # object arrays: exact


def _run(steps, beta):
    """theta_0 .. theta_steps by the library (beta = 0: plain gradient descent)."""
    run = sgd(HB_BOWL, np.array([HB_THETA0], dtype=object), HB_ETA, batches=[[0]] * steps, momentum=beta)
    return [exact(th) for th in run.thetas]


def heavy_ball_variant(steps, velocity, position):
    """theta after `steps` steps of a (possibly wrong) momentum rule, exactly:
    velocity(v, g) -> new v, position(theta, v_new) -> new theta."""
    theta, v = HB_THETA0, Fraction(0)
    for _ in range(steps):
        v = velocity(v, HB_LAM * theta)
        theta = position(theta, v)
    return theta


HB = _run(3, HB_BETA)  # 1, 4/5, 23/50, 31/500
HB_GD = _run(2, 0)  # plain GD: 1, 4/5, 16/25
HB_EMA = heavy_ball_variant(2, lambda v, g: HB_BETA * v + (1 - HB_BETA) * g, lambda th, v: th - HB_ETA * v)
HB_SIGN = heavy_ball_variant(2, lambda v, g: HB_BETA * v - g, lambda th, v: th - HB_ETA * v)
HB_BETA_STEP = heavy_ball_variant(2, lambda v, g: HB_BETA * v + g, lambda th, v: th - HB_ETA * HB_BETA * v)

# ---- gains -----------------------------------------------------------------------------------
GAIN_BETA = Fraction(9, 10)
GAIN = dynamics.momentum_gain(GAIN_BETA)  # 10
beta = sp.Symbol("beta", positive=True)
g, a = sp.symbols("g a")
# steady state of v_{t+1} = beta v_t + g_t with g_t = (-1)^t g: v_{t+1} = (-1)^t a for all t
ALTERNATING = sp.solve(sp.Eq(a, -beta * a + g), a)[0] / g  # 1/(1 + beta)

# ---- the heavy ball's threshold --------------------------------------------------------------
TH_LAM, TH_BETA = Fraction(10), Fraction(9, 10)
MOMENTUM_THRESHOLD = dynamics.momentum_threshold(TH_LAM, TH_BETA)  # 19/50

# ---- one Newton step on a 1-D quadratic --------------------------------------------------------
th = sp.Symbol("theta", real=True)
NEWTON_L = 3 * th**2 - 12 * th + 5
NEWTON_THETA0 = 7
_d1, _d2 = sp.diff(NEWTON_L, th), sp.diff(NEWTON_L, th, 2)
NEWTON = exact(sp.nsimplify(th - _d1 / _d2).subs(th, NEWTON_THETA0))  # 2
NEWTON_NO_CURVATURE = exact((th - _d1).subs(th, NEWTON_THETA0))  # -23
NEWTON_COEFFICIENT = exact((th - _d1 / NEWTON_L.coeff(th, 2)).subs(th, NEWTON_THETA0))  # -3
NEWTON_SIGN = exact((th + _d1 / _d2).subs(th, NEWTON_THETA0))  # 12


# ---- the momentum step as a function ------------------------------------------------------------
def momentum_step(theta, v, g, eta, beta):
    """(theta_new, v_new) with v_new = beta v + g and theta_new = theta - eta v_new; arrays (d,)."""
    v_new = beta * v + g
    return theta - eta * v_new, v_new


def _cases(rng):
    cases = [
        dict(theta=np.array([1.0]), v=np.array([0.0]), g=np.array([2.0]), eta=0.1, beta=0.9),  # first step
        dict(theta=np.array([0.8, -1.0]), v=np.array([2.0, 1.0]), g=np.array([1.6, -0.5]), eta=0.1, beta=0.9),
        dict(theta=np.array([0.5, 2.0]), v=np.array([1.0, -3.0]), g=np.array([0.2, 0.4]), eta=0.05, beta=0.0),
        dict(theta=np.zeros(3), v=np.zeros(3), g=np.zeros(3), eta=0.5, beta=0.5),
    ]  # all zeros
    for d in (1, 2, 3, 4):
        cases.append(
            dict(
                theta=np.round(rng.normal(size=d), 2),
                v=np.round(rng.normal(size=d), 2),
                g=np.round(rng.normal(size=d), 2),
                eta=float(np.round(rng.uniform(0.01, 0.5), 2)),
                beta=float(np.round(rng.uniform(0.5, 0.99), 2)),
            )
        )
    return cases


PROBLEMS = (
    Problem(
        id="07-heavy-ball",
        lesson=7,
        kind="number",
        points=2,
        statement=(
            f"Momentum on L(theta) = theta^2 (gradient 2 theta) from theta_0 = {HB_THETA0}, v_0 = 0, "
            f"with eta = {float(HB_ETA):g} and beta = {float(HB_BETA):g}, using the convention "
            "v_{t+1} = beta v_t + g_t, theta_{t+1} = theta_t - eta v_{t+1}. What is theta_2?"
        ),
        counts=(2,),
        answer=HB[2],
        hints=(
            "Step 0: g_0 = 2 theta_0, then v_1 = beta * 0 + g_0, then theta_1 = theta_0 - eta v_1.",
            f"theta_1 = {float(HB[1]):g} and v_1 = {float(2 * HB_THETA0):g}. Now g_1 = 2 theta_1.",
        ),
        mistakes=(
            Mistake(
                "no-momentum",
                "Those are two plain gradient descent steps: the second step must also carry beta v_1 from the first.",
                HB_GD[2],
            ),
            Mistake("step-too-few", "That is theta_1: one more step is needed.", HB[1]),
            Mistake("step-too-many", "That is theta_3: you took one step too many.", HB[3]),
            Mistake(
                "ema",
                "You averaged, v <- beta v + (1 - beta) g. This course adds the whole gradient: v <- beta v + g.",
                HB_EMA,
            ),
            Mistake(
                "sign",
                "The velocity must accumulate gradients, v <- beta v + g; with - g the ball rolls uphill.",
                HB_SIGN,
            ),
            Mistake(
                "beta-on-step",
                "beta belongs in the velocity update only: theta moves by eta v_{t+1}, not by eta beta v_{t+1}.",
                HB_BETA_STEP,
            ),
        ),
    ),
    Problem(
        id="07-gain",
        lesson=7,
        kind="number",
        statement=(
            f"Momentum with beta = {float(GAIN_BETA):g} and v_0 = 0 sees the same gradient g at every "
            "step. The velocity v_t approaches G g. What is the gain G?"
        ),
        answer=GAIN,
        hints=(
            "Unroll: v_t = g + beta g + beta^2 g + ... + beta^(t-1) g.",
            "A geometric series: 1 + beta + beta^2 + ... = 1 / (1 - beta).",
        ),
        mistakes=(
            Mistake(
                "alternating",
                "1/(1 + beta) is the factor for a gradient that flips sign every step; "
                "a persistent one accumulates to 1/(1 - beta).",
                1 / (1 + GAIN_BETA),
            ),
            Mistake(
                "drop-current",
                "The newest gradient counts fully: the series is 1 + beta + beta^2 + ..., "
                "which starts at 1, not at beta.",
                GAIN_BETA / (1 - GAIN_BETA),
            ),
            Mistake(
                "inverted", "Upside down: momentum amplifies a persistent gradient, by 1/(1 - beta).", 1 - GAIN_BETA
            ),
            Mistake(
                "no-accumulation",
                "The velocity keeps beta times its old value and adds g on top, so it grows past g.",
                Fraction(1),
            ),
        ),
    ),
    Problem(
        id="07-alternating",
        lesson=7,
        kind="expression",
        statement=(
            "With v_{t+1} = beta v_t + g_t, a gradient component alternates in sign: g_t = (-1)^t g. "
            "In the long run |v_t| settles at F |g|. Write F as an expression in beta."
        ),
        answer=ALTERNATING,
        namespace={"beta": beta},
        hints=(
            "Guess a steady state v_{t+1} = (-1)^t a, so v_t = -(-1)^t a.",
            "Substitute: (-1)^t a = -beta (-1)^t a + (-1)^t g. Solve for a.",
        ),
        mistakes=(
            Mistake(
                "persistent",
                "1/(1 - beta) is the gain of a gradient that keeps its sign; here the "
                "old velocity points the other way and partly cancels the new gradient.",
                1 / (1 - beta),
            ),
            Mistake(
                "drop-current",
                "The newest gradient counts fully, so the factor has 1 in its numerator.",
                beta / (1 + beta),
            ),
            Mistake(
                "ema",
                "That is the factor of the averaged rule v <- beta v + (1 - beta) g; this course "
                "adds the whole gradient, v <- beta v + g.",
                (1 - beta) / (1 + beta),
            ),
        ),
    ),
    Problem(
        id="07-momentum-threshold",
        lesson=7,
        kind="number",
        statement=(
            f"Momentum with beta = {float(TH_BETA):g} on a bowl of curvature lambda = {TH_LAM}. "
            "It converges exactly when 0 < eta < eta_max. What is eta_max?"
        ),
        counts=(10,),
        answer=MOMENTUM_THRESHOLD,
        hints=("Without momentum the threshold is 2/lambda.", "With the heavy ball it becomes 2 (1 + beta) / lambda."),
        mistakes=(
            Mistake(
                "gd-threshold",
                "That is the threshold of plain gradient descent; momentum raises it to 2 (1 + beta) / lambda.",
                dynamics.gd_threshold(TH_LAM),
            ),
            Mistake(
                "one-minus-beta",
                "The factor is 1 + beta: the heavy ball tolerates larger steps, not smaller.",
                2 * (1 - TH_BETA) / TH_LAM,
            ),
            Mistake(
                "gain-scaled",
                "Scaling 2/lambda by the gain 1/(1 - beta) overstates it: the threshold is 2 (1 + beta) / lambda.",
                2 / (TH_LAM * (1 - TH_BETA)),
            ),
        ),
    ),
    Problem(
        id="07-momentum-step",
        lesson=7,
        kind="function",
        points=2,
        statement=(
            "Write momentum_step(theta, v, g, eta, beta): theta, v and the gradient g are arrays of shape "
            "(d,). Return the pair (theta_new, v_new) with v_new = beta v + g and "
            "theta_new = theta - eta v_new."
        ),
        signature="momentum_step(theta, v, g, eta, beta) -> (theta_new, v_new)",
        answer=momentum_step,
        cases=_cases,
        hints=(
            "Update the velocity first, then move theta with the new velocity.",
            "return theta - eta * v_new, v_new",
        ),
        mistakes=(
            Mistake(
                "old-velocity",
                "theta moved with the old velocity v; the convention moves it with the new one, v_new = beta v + g.",
                lambda theta, v, g, eta, beta: (theta - eta * v, beta * v + g),
            ),
            Mistake(
                "ema",
                "You averaged, v_new = beta v + (1 - beta) g. This course adds the whole gradient: v_new = beta v + g.",
                lambda theta, v, g, eta, beta: (theta - eta * (beta * v + (1 - beta) * g), beta * v + (1 - beta) * g),
            ),
            Mistake(
                "eta-in-velocity",
                "That is the other convention, v <- beta v + eta g and theta <- theta - v. "
                "This course keeps eta outside: v_new = beta v + g, theta_new = theta - eta v_new.",
                lambda theta, v, g, eta, beta: (theta - (beta * v + eta * g), beta * v + eta * g),
            ),
            Mistake(
                "sign",
                "The step goes uphill: subtract eta v_new from theta.",
                lambda theta, v, g, eta, beta: (theta + eta * (beta * v + g), beta * v + g),
            ),
            Mistake(
                "gradient-step",
                "theta took a plain SGD step, eta g; with momentum it moves by eta v_new.",
                lambda theta, v, g, eta, beta: (theta - eta * g, beta * v + g),
            ),
        ),
    ),
    Problem(
        id="07-sharp-flat",
        lesson=7,
        kind="choice",
        statement=(
            "A loss has two minima of the same depth: a sharp one (curvature 30) in a narrow basin and "
            "a flat one (curvature 1) in a wide basin. As on the lesson's landscape, the examples "
            "disagree about the slope more where the loss is sharper; here take the standard deviation "
            "of the gradient noise at each minimum to be proportional to the curvature there. With "
            "eta = 0.05, full-batch gradient descent stays in whichever one it starts near, since "
            "eta lambda < 2 in both. Small-batch SGD with the same eta is started many times from "
            "random points. Where does it end more often?"
        ),
        counts=(2, 30),
        options=(
            "In the sharp minimum: the steeper basin pulls harder, so it traps the iterate.",
            "In the flat minimum: the gradient noise kicks the iterate out of the narrow sharp basin, "
            "while the wide flat basin holds it.",
            "Equally often in both: the noise has mean zero, so it cannot prefer either.",
            "In whichever minimum is closer to the start: SGD only uses local information.",
        ),
        answer="b",
        hints=(
            "How far does the noise push the iterate around each minimum, compared with the width of "
            "that minimum's basin?",
            "Use lesson 06's noise ball, V = eta s^2 / (lambda (2 - eta lambda)), with s proportional to "
            "lambda, at lambda = 30 and at lambda = 1.",
            "With s = k lambda, V is 3 k^2 at the sharp minimum and about 0.026 k^2 at the flat one: the "
            "sharp minimum's cloud is over 100 times wider in variance, in the narrower basin.",
        ),
        mistakes=(
            Mistake(
                "sharp",
                "A steep basin pulls hard, but it is narrow, and the gradient noise is largest "
                "there: the kicks carry the iterate over its walls far more easily than out of a wide basin.",
                "a",
            ),
            Mistake(
                "mean-zero",
                "Zero mean does not make the noise harmless: its spread is what throws the "
                "iterate out of a narrow basin and not out of a wide one.",
                "c",
            ),
            Mistake(
                "local",
                "That describes full-batch gradient descent. With noisy gradients the path keeps "
                "moving, and it leaves the narrow basin.",
                "d",
            ),
        ),
    ),
    Problem(
        id="07-newton-step",
        lesson=7,
        kind="number",
        statement=(
            f"L(theta) = {sp.sstr(NEWTON_L).replace('**', '^')}. Take one Newton step from "
            f"theta_0 = {NEWTON_THETA0}: theta_1 = theta_0 - L'(theta_0) / L''(theta_0). What is theta_1?"
        ),
        counts=(3, 2, 12, 5, 7),
        answer=NEWTON,
        hints=(
            "L'(theta) = 6 theta - 12 and L''(theta) = 6.",
            "On a quadratic one Newton step lands exactly on the minimum.",
        ),
        mistakes=(
            Mistake(
                "no-curvature",
                "That is a gradient step with eta = 1. Newton divides the slope by the curvature L''.",
                NEWTON_NO_CURVATURE,
            ),
            Mistake(
                "coefficient-not-second-derivative",
                "L'' of 3 theta^2 is 6, not 3: differentiate twice.",
                NEWTON_COEFFICIENT,
            ),
            Mistake("sign", "Newton subtracts L'/L'' like gradient descent subtracts eta L'.", NEWTON_SIGN),
        ),
    ),
)
