"""Lesson 7 problems: the heavy ball, what it amplifies and cancels, the damped oscillator, the
(eta, beta) plane, noise and flat minima, Adam and Newton.

The convention of the course:  v_{t+1} = beta v_t + g_t,  theta_{t+1} = theta_t - eta v_{t+1},  v_0 = 0.
A gradient that persists is amplified about 1/(1 - beta) times, one that alternates in sign is
damped to 1/(1 + beta); on a quadratic the heavy ball converges iff 0 < eta < 2 (1 + beta) / lambda
(sgdcourse.dynamics). Worked numbers run through the library's sgd with exact Fractions; the
experiments (the oscillator, the beta sweep) run through sgd in floats, as the notebook does.

Every problem is built by a factory from its parameters (variant), today's numbers the defaults;
a learner's numbers are drawn from the problem's Space (sgdcourse.problems.variants).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from .. import dynamics, trajectory
from ..checking import Mistake
from ..models import QuadraticBowl
from ..sgd import sgd
from .problem import Problem, ask, exact, method, value, variant
from .variants import Space


def _num(v):
    """A Fraction written for the learner: 9/10 -> 0.9, 3 -> 3."""
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"{float(v):g}"


def _pair(values):
    return "(" + ", ".join(_num(v) for v in values) + ")"


def _beta(beta):
    if not 0 < Fraction(beta) < 1:
        raise ValueError(f"beta must lie in (0, 1), got {beta}")
    return Fraction(beta)


# ---- 1. the heavy-ball update, by hand on L(theta) = theta^2 (curvature 2) --------------------------
HB_LAM = Fraction(2)


def _bowl(lam):
    return QuadraticBowl(
        np.array([Fraction(lam)], dtype=object),
        center=np.array([Fraction(0)], dtype=object),
        offsets=np.array([[Fraction(0)]], dtype=object),
    )  # object arrays: exact


def heavy_ball_path(theta0, eta, beta, steps):
    """theta_0 .. theta_steps by the library on L = theta^2, exactly (beta = 0: plain gradient descent)."""
    run = sgd(
        _bowl(HB_LAM), np.array([Fraction(theta0)], dtype=object), Fraction(eta), batches=[[0]] * steps, momentum=beta
    )
    return [exact(th) for th in run.thetas]


def heavy_ball_variant(theta0, steps, velocity, position, grad_at=None):
    """theta after `steps` steps of a (possibly wrong) momentum rule on L = theta^2, exactly:
    velocity(v, g) -> new v, position(theta, v_new) -> new theta; grad_at(theta, v) -> the point
    where the gradient is taken (theta itself unless given)."""
    theta, v = Fraction(theta0), Fraction(0)
    for _ in range(steps):
        at = theta if grad_at is None else grad_at(theta, v)
        v = velocity(v, HB_LAM * at)
        theta = position(theta, v)
    return theta


def _draw_heavy_ball(rng):
    """theta_0 in {1, 2, -1, -2}, eta 1/10, 1/5 or 1/20, beta 1/2, 3/5, 4/5 or 9/10; two steps, as titled."""
    return {
        "theta0": Fraction(int(rng.choice([1, 2, -1, -2]))),
        "eta": Fraction(1, int(rng.choice([10, 5, 20]))),
        "beta": Fraction(int(rng.choice([5, 6, 8, 9])), 10),
        "steps": 2,
    }


HEAVY_BALL = Space(
    "07-heavy-ball",
    {"theta0": Fraction(1), "eta": Fraction(1, 10), "beta": Fraction(9, 10), "steps": 2},
    _draw_heavy_ball,
)


@variant(HEAVY_BALL)
def heavy_ball(theta0, eta, beta, steps):
    beta = _beta(beta)
    if steps < 2:
        raise ValueError("at least two steps, so that the velocity carries something")
    path = heavy_ball_path(theta0, eta, beta, steps + 1)
    gd = heavy_ball_path(theta0, eta, 0, steps)
    ema = heavy_ball_variant(theta0, steps, lambda v, g: beta * v + (1 - beta) * g, lambda th, v: th - eta * v)
    uphill = heavy_ball_variant(theta0, steps, lambda v, g: beta * v - g, lambda th, v: th - eta * v)
    beta_step = heavy_ball_variant(theta0, steps, lambda v, g: beta * v + g, lambda th, v: th - eta * beta * v)
    lookahead = heavy_ball_variant(
        theta0, steps, lambda v, g: beta * v + g, lambda th, v: th - eta * v, grad_at=lambda th, v: th - eta * beta * v
    )
    v1 = HB_LAM * Fraction(theta0)
    return Problem(
        id="07-heavy-ball",
        lesson=7,
        kind="number",
        task="compute",
        sections=(1,),
        points=2,
        statement=(
            f"Momentum on L(theta) = theta^2 (gradient 2 theta) from theta_0 = {_num(theta0)}, v_0 = 0, "
            f"with eta = {_num(eta)} and beta = {_num(beta)}, using the convention "
            f"v_{{t+1}} = beta v_t + g_t, theta_{{t+1}} = theta_t - eta v_{{t+1}}. What is theta_{steps}?"
        ),
        quantities={"eta": Fraction(eta), "beta": beta, "steps": steps},
        answer=path[steps],
        hints=(
            ask("Since v_0 = 0, what is the first step, and what does the velocity carry into the next one?"),
            method(
                "Repeat, in this order: g_t = 2 theta_t, then v_{t+1} = beta v_t + g_t, then "
                "theta_{t+1} = theta_t - eta v_{t+1}."
            ),
            value(f"theta_1 = {_num(path[1])} and v_1 = {_num(v1)}; now g_1 = 2 theta_1 = {_num(2 * path[1])}."),
        ),
        mistakes=(
            Mistake(
                "no-momentum",
                f"Those are {steps} plain gradient descent steps: each step after the first must also carry "
                "beta times the velocity of the step before.",
                gd[steps],
            ),
            Mistake("step-too-few", f"That is theta_{steps - 1}: one more step is needed.", path[steps - 1]),
            Mistake("step-too-many", f"That is theta_{steps + 1}: you took one step too many.", path[steps + 1]),
            Mistake(
                "ema",
                "You averaged, v <- beta v + (1 - beta) g: another convention. This course adds the whole "
                "gradient, v <- beta v + g.",
                ema,
            ),
            Mistake(
                "sign",
                "The velocity must accumulate gradients, v <- beta v + g; with - g the ball rolls uphill.",
                uphill,
            ),
            Mistake(
                "beta-on-step",
                "beta belongs in the velocity update only: theta moves by eta v_{t+1}, not by eta beta v_{t+1}.",
                beta_step,
            ),
            Mistake(
                "lookahead",
                "You took the gradient at the look-ahead point theta_t - eta beta v_t: that is Nesterov's "
                "variant. The heavy ball takes it at theta_t itself.",
                lookahead,
            ),
        ),
    )


# ---- 1. the momentum step as a function ----------------------------------------------------------
def momentum_step(theta, v, g, eta, beta):
    """(theta_new, v_new) with v_new = beta v + g and theta_new = theta - eta v_new; arrays (d,)."""
    v_new = beta * v + g
    return theta - eta * v_new, v_new


def _step_cases(rng):
    cases = [
        dict(theta=np.array([1.0]), v=np.array([0.0]), g=np.array([2.0]), eta=0.1, beta=0.9),  # first step
        dict(theta=np.array([0.8, -1.0]), v=np.array([2.0, 1.0]), g=np.array([1.6, -0.5]), eta=0.1, beta=0.9),
        dict(theta=np.array([0.5, 2.0]), v=np.array([1.0, -3.0]), g=np.array([0.2, 0.4]), eta=0.05, beta=0.0),
        dict(theta=np.zeros(3), v=np.zeros(3), g=np.zeros(3), eta=0.5, beta=0.5),  # all zeros
    ]
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


def _step_problem(example, seed):
    return Problem(
        id="07-momentum-step",
        lesson=7,
        kind="function",
        task="implement",
        sections=(1,),
        points=2,
        statement=(
            "Write momentum_step(theta, v, g, eta, beta): theta, v and the gradient g are arrays of shape "
            "(d,). Return the pair (theta_new, v_new) with v_new = beta v + g and "
            "theta_new = theta - eta v_new." + example
        ),
        quantities={"eta": None, "beta": None},
        signature="momentum_step(theta, v, g, eta, beta) -> (theta_new, v_new)",
        answer=momentum_step,
        cases=_step_cases,
        seed=seed,
        hints=(
            ask("Which is computed first, the new velocity or the new position, and which velocity moves theta?"),
            method("First v_new = beta v + g; then theta_new = theta - eta v_new; return both, as a pair."),
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
    )


def _draw_step(rng):
    """The example: theta in {1, 2, -1, 3}, g in {2, 4, -2, 1, 3}, eta 1/10, 1/5 or 1/2, beta 1/2, 4/5 or
    9/10; and the seed of the random test cases."""
    return {
        "theta": Fraction(int(rng.choice([1, 2, -1, 3]))),
        "g": Fraction(int(rng.choice([2, 4, -2, 1, 3]))),
        "eta": Fraction(1, int(rng.choice([10, 5, 2]))),
        "beta": Fraction(int(rng.choice([5, 8, 9])), 10),
        "seed": int(rng.integers(1, 1000)),
    }


STEP = Space(
    "07-momentum-step",
    {"theta": Fraction(1), "g": Fraction(2), "eta": Fraction(1, 10), "beta": Fraction(9, 10), "seed": 0},
    _draw_step,
)


@variant(STEP)
def step_problem(theta, g, eta, beta, seed):
    theta_new, v_new = momentum_step(Fraction(theta), Fraction(0), Fraction(g), Fraction(eta), _beta(beta))
    return _step_problem(
        f" For example, momentum_step([{_num(theta)}], [0], [{_num(g)}], {_num(eta)}, {_num(beta)}) returns "
        f"([{_num(theta_new)}], [{_num(v_new)}]).",
        seed,
    )


# ---- 1. debug: a heavy-ball run that mixes two conventions ----------------------------------------
def heavy_ball_run(lams, theta0, eta, beta, steps):
    """theta_steps of the heavy ball on L = (1/2) sum_k lams_k theta_k^2 from theta0, v_0 = 0 (arrays (d,))."""
    theta, v = np.asarray(theta0, dtype=float), np.zeros(len(theta0))
    for _ in range(steps):
        g = lams * theta
        v = beta * v + g
        theta = theta - eta * v
    return theta


def buggy_heavy_ball(lams, theta0, eta, beta, steps):
    """The planted bug: eta inside the velocity (the other convention) and again on the step."""
    theta, v = np.asarray(theta0, dtype=float), np.zeros(len(theta0))
    for _ in range(steps):
        g = lams * theta
        v = beta * v + eta * g
        theta = theta - eta * v
    return theta


def _run_with(velocity, position_first=False):
    def run(lams, theta0, eta, beta, steps):
        theta, v = np.asarray(theta0, dtype=float), np.zeros(len(theta0))
        for _ in range(steps):
            g = lams * theta
            if position_first:
                theta = theta - eta * v
                v = beta * v + g
            else:
                v, step = velocity(v, g, eta, beta)
                theta = theta - step
        return theta

    return run


def _run_cases(rng):
    cases = [
        dict(lams=np.array([2.0]), theta0=np.array([1.0]), eta=0.1, beta=0.9, steps=1),  # one step
        dict(lams=np.array([1.0, 50.0]), theta0=np.array([-8.0, 1.0]), eta=0.036, beta=0.7, steps=10),  # the valley
        dict(lams=np.array([2.0, 5.0]), theta0=np.array([1.0, -1.0]), eta=0.05, beta=0.0, steps=4),  # beta = 0
    ]
    for d, steps in ((1, 3), (2, 7), (3, 12), (2, 25)):
        cases.append(
            dict(
                lams=np.round(rng.uniform(0.5, 20.0, size=d), 2),
                theta0=np.round(rng.normal(size=d), 2),
                eta=float(np.round(rng.uniform(0.01, 0.05), 3)),
                beta=float(np.round(rng.uniform(0.5, 0.95), 2)),
                steps=steps,
            )
        )
    return cases


def _debug_problem(example, seed):
    return Problem(
        id="07-momentum-debug",
        lesson=7,
        kind="function",
        task="debug",
        sections=(1,),
        points=2,
        statement=(
            "buggy_heavy_ball(lams, theta0, eta, beta, steps) should run the heavy ball on "
            "L(theta) = (1/2) sum_k lams_k theta_k^2 from theta0 with v_0 = 0 and return theta after `steps` "
            "steps, but it has one bug. Write heavy_ball(lams, theta0, eta, beta, steps), the fixed function "
            "(same arguments, arrays of shape (d,) for lams and theta0; returns theta, shape (d,))." + example
        ),
        quantities={"eta": None, "beta": None},
        signature="heavy_ball(lams, theta0, eta, beta, steps) -> theta",
        answer=heavy_ball_run,
        cases=_run_cases,
        seed=seed,
        hints=(
            ask(
                "Between a gradient and the step it causes, how many times is eta applied, and how many times should "
                "it be?"
            ),
            method(
                "Keep one convention throughout: either v = beta v + g with theta = theta - eta v (this course's), "
                "or v = beta v + eta g with theta = theta - v. Both give the same theta."
            ),
        ),
        mistakes=(
            Mistake(
                "still-planted",
                "Still the planted bug: eta is applied twice, once inside the velocity (v = beta v + eta g) and "
                "again on the step (theta - eta v), so every step is eta times too short. Pick one convention.",
                buggy_heavy_ball,
            ),
            Mistake(
                "ema",
                "You switched to the averaged velocity v = beta v + (1 - beta) g: a third convention, whose steady "
                "step is eta g, not eta g/(1 - beta). Add the whole gradient, v = beta v + g.",
                _run_with(lambda v, g, eta, beta: (beta * v + (1 - beta) * g, eta * (beta * v + (1 - beta) * g))),
            ),
            Mistake(
                "no-eta",
                "eta now appears nowhere: v = beta v + g with theta = theta - v takes steps of the whole velocity. "
                "Apply eta exactly once.",
                _run_with(lambda v, g, eta, beta: (beta * v + g, beta * v + g)),
            ),
            Mistake(
                "old-velocity",
                "theta moved with the old velocity before the velocity was updated; update v first, then move.",
                _run_with(None, position_first=True),
            ),
            Mistake(
                "no-momentum",
                "That is plain gradient descent: the velocity's memory beta v is gone.",
                _run_with(lambda v, g, eta, beta: (g, eta * g)),
            ),
        ),
    )


def _draw_debug(rng):
    """A valley: curvatures (1, 20), (1, 40), (1, 50) or (2, 50), a start (-8, 1), (-6, 1), (-8, 2) or (6, -1),
    eta a fraction 0.3 to 0.9 of 2/lambda_max, beta 1/2, 7/10 or 4/5, one or two steps; the seed of the
    random test cases."""
    lams = [(1, 20), (1, 40), (1, 50), (2, 50)][int(rng.integers(4))]
    return {
        "lams": lams,
        "theta0": [(-8, 1), (-6, 1), (-8, 2), (6, -1)][int(rng.integers(4))],
        "eta": Fraction(int(rng.choice([3, 5, 7, 9])), 5 * lams[1]),
        "beta": Fraction(int(rng.choice([5, 7, 8])), 10),
        "steps": int(rng.choice([1, 2])),
        "seed": int(rng.integers(1, 1000)),
    }


DEBUG = Space(
    "07-momentum-debug",
    {"lams": (1, 50), "theta0": (-8, 1), "eta": Fraction(9, 250), "beta": Fraction(7, 10), "steps": 1, "seed": 0},
    _draw_debug,
)


@variant(DEBUG)
def debug_problem(lams, theta0, eta, beta, steps, seed):
    _beta(beta)
    example = heavy_ball_run(
        np.array([float(x) for x in lams]), np.array([float(x) for x in theta0]), float(eta), float(beta), steps
    )
    return _debug_problem(
        f" For example, with lams = {_pair(lams)}, theta0 = {_pair(theta0)}, eta = {_num(eta)}, "
        f"beta = {_num(beta)} and steps = {steps}, the fixed function returns "
        f"({', '.join(f'{x:.4g}' for x in example)}).",
        seed,
    )


# ---- 2. gains --------------------------------------------------------------------------------------
beta = sp.Symbol("beta", positive=True)


GAIN_BETAS = (
    *(Fraction(k, 20) for k in range(7, 20) if k != 10),
    *(Fraction(k, 100) for k in (96, 98, 99)),
    Fraction(2, 3),
    Fraction(5, 6),
    Fraction(7, 8),
)


def _draw_gain(rng):
    """beta in 0.35, 0.4, ..., 0.95 less 0.5, 0.96, 0.98, 0.99, 2/3, 5/6 or 7/8 (from 1/3 down the gain rounds to 1)."""
    return {"beta": GAIN_BETAS[int(rng.integers(len(GAIN_BETAS)))]}


GAIN = Space("07-gain", {"beta": Fraction(7, 10)}, _draw_gain)


@variant(GAIN)
def gain(beta):
    beta = _beta(beta)
    G = dynamics.momentum_gain(beta)
    return Problem(
        id="07-gain",
        lesson=7,
        kind="number",
        task="compute",
        sections=(2,),
        statement=(
            f"Momentum with beta = {_num(beta)} and v_0 = 0 sees the same gradient g at every "
            "step. The velocity v_t approaches G g. What is the gain G?"
        ),
        quantities={"beta": beta},
        answer=G,
        hints=(
            ask("What is v_t when the recursion v_{t+1} = beta v_t + g is unrolled back to v_0 = 0?"),
            method(
                "Unrolled, v_t = g + beta g + beta^2 g + ... + beta^(t-1) g: a geometric series. Sum it and let t grow."
            ),
        ),
        mistakes=(
            Mistake(
                "alternating",
                "1/(1 + beta) is the factor for a gradient that flips sign every step; "
                "a persistent one accumulates to 1/(1 - beta).",
                dynamics.momentum_gain(beta, alternating=True),
            ),
            Mistake(
                "drop-current",
                "The newest gradient counts fully: the series is 1 + beta + beta^2 + ..., "
                "which starts at 1, not at beta (one term too few).",
                beta * G,
                same_as=("step-too-few",),
            ),
            Mistake("inverted", "Upside down: momentum amplifies a persistent gradient, by 1/(1 - beta).", 1 / G),
            Mistake(
                "no-accumulation",
                "The velocity keeps beta times its old value and adds g on top, so it grows past g.",
                Fraction(1),
            ),
        ),
    )


F = sp.Symbol("F")


@variant(r=Fraction(-1))
def alternating(r):
    """g_t = r^t g (r = -1: the sign flips every step); in the long run v_{t+1} = F g_t."""
    r = sp.Rational(Fraction(r).numerator, Fraction(r).denominator)
    if r > -1:
        raise ValueError("a gradient that flips sign and does not die out: r <= -1")
    # steady state: v_{t+1} = F g_t for every t, so v_t = F g_{t-1} = F g_t / r
    answer = sp.simplify(sp.solve(sp.Eq(F, beta * F / r + 1), F)[0])
    return Problem(
        id="07-alternating",
        lesson=7,
        kind="expression",
        task="derive",
        sections=(2,),
        statement=(
            f"With v_{{t+1}} = beta v_t + g_t, a gradient component alternates in sign: g_t = ({sp.sstr(r)})^t g. "
            "In the long run v_{t+1} settles at F g_t, F > 0: the velocity follows the newest gradient, scaled. "
            "Write F as an expression in beta."
        ),
        answer=answer,
        namespace={"beta": beta},
        domain={"beta": (0, 1)},
        quantities={"beta": None},
        hints=(
            ask(
                "Once the velocity has settled, how is v_t related to the newest gradient g_t when the sign flips "
                "every step?"
            ),
            method(
                f"Try v_{{t+1}} = F g_t for every t, so that v_t = F g_{{t-1}} = F g_t / ({sp.sstr(r)}); put both into "
                "v_{t+1} = beta v_t + g_t and solve for F."
            ),
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
                "The newest gradient counts fully, so the factor has 1 in its numerator, not beta.",
                beta / abs(r) * answer,
                same_as=("extra-factor",),
            ),
            Mistake(
                "ema",
                "That is the factor of the averaged rule v <- beta v + (1 - beta) g; this course "
                "adds the whole gradient, v <- beta v + g.",
                (1 - beta) * answer,
            ),
        ),
    )


ALTERNATING = alternating.answer  # 1/(1 + beta)


def _draw_retune(rng):
    """eta in {1/10, 1/20, 1/25, 1/40, 1/50, 3/100, 1/100, 1/200}, beta in {3/5, 3/4, 4/5, 9/10, 19/20}."""
    etas = (1, 10), (1, 20), (1, 25), (1, 40), (1, 50), (3, 100), (1, 100), (1, 200)
    return {
        "eta": Fraction(*etas[int(rng.integers(len(etas)))]),
        "beta": [Fraction(3, 5), Fraction(3, 4), Fraction(4, 5), Fraction(9, 10), Fraction(19, 20)][
            int(rng.integers(5))
        ],
    }


RETUNE = Space("07-retune-eta", {"eta": Fraction(1, 25), "beta": Fraction(9, 10)}, _draw_retune)


@variant(RETUNE)
def retune_eta(eta, beta):
    beta = _beta(beta)
    eta = Fraction(eta)
    G = dynamics.momentum_gain(beta)
    return Problem(
        id="07-retune-eta",
        lesson=7,
        kind="number",
        task="compute",
        sections=(2,),
        statement=(
            f"Plain SGD was tuned at eta = {_num(eta)}. Along the floor of a valley its gradient g hardly "
            f"changes from step to step, so each step there moves theta by eta g. Now momentum with "
            f"beta = {_num(beta)} is added (v_{{t+1}} = beta v_t + g_t, theta_{{t+1}} = theta_t - eta v_{{t+1}}). "
            "Which eta makes the heavy ball's long-run step along the floor the same as plain SGD's was?"
        ),
        quantities={"eta": eta, "beta": beta},
        answer=eta / G,
        hints=(
            ask(
                "Along a gradient that keeps its sign, how many times longer is the heavy ball's step than plain "
                "SGD's at the same eta?"
            ),
            method(
                "The velocity tends to g/(1 - beta), so the long-run step is eta g/(1 - beta); choose the new eta so "
                "that this equals the old step."
            ),
        ),
        mistakes=(
            Mistake(
                "unchanged",
                f"Keeping eta makes the steady step along the floor 1/(1 - beta) = {_num(G)} times longer, and "
                "the noise ball grows with it: adding momentum means revisiting eta.",
                eta,
            ),
            Mistake(
                "gain-the-wrong-way",
                "That multiplies the step by the gain a second time; the velocity already amplifies it by "
                "1/(1 - beta), so eta must shrink by that factor.",
                eta * G,
            ),
            Mistake(
                "alternating",
                "1 + beta is the factor of a gradient that flips sign; along the floor the gradient keeps its "
                "sign and the gain is 1/(1 - beta).",
                eta * (1 + beta),
            ),
        ),
    )


# ---- 3. the damped oscillator: predict, run, read -------------------------------------------------
def oscillator_errors(eta, lam, beta, T):
    """e_0 .. e_T of the heavy ball on L = (lam/2) e^2 from e_0 = 1, v_0 = 0, by the library (floats)."""
    run = sgd(QuadraticBowl([float(lam)]), np.array([1.0]), float(eta), steps=T, momentum=float(beta))
    return run.thetas[:, 0]


def sign_changes(errors):
    """How many times consecutive errors have opposite signs."""
    e = np.asarray(errors)
    return int(np.sum(e[1:] * e[:-1] < 0))


def _draw_osc(rng):
    """eta in {9/250, 1/50, 1/25}, lambda 1 or 2, an over-damped beta in {1/10, 1/5, 3/10} and an
    under-damped one in {17/20, 9/10, 19/20}, T 40, 60 or 80 steps."""
    return {
        "eta": [Fraction(9, 250), Fraction(1, 50), Fraction(1, 25)][int(rng.integers(3))],
        "lam": int(rng.choice([1, 2])),
        "betas": (Fraction(int(rng.choice([1, 2, 3])), 10), Fraction(int(rng.choice([17, 18, 19])), 20)),
        "T": int(rng.choice([40, 60, 80])),
    }


OSC = Space(
    "07-oscillator-predict",
    {"eta": Fraction(9, 250), "lam": 1, "betas": (Fraction(3, 10), Fraction(19, 20)), "T": 60},
    _draw_osc,
)


def _osc_check(eta, lam, betas, T):
    if T < 2 or lam <= 0 or eta <= 0:
        raise ValueError("a run of at least two steps on a bowl with eta > 0")
    betas = tuple(_beta(b) for b in betas)
    critical = (1 - math.sqrt(eta * lam)) ** 2
    if not betas[0] < critical < betas[1]:
        raise ValueError("the first beta over-damped, the second under-damped")
    return betas


def _osc_text(eta, lam, T):
    return (
        f"the heavy ball on one axis of curvature lambda = {_num(lam)}, L(e) = (lambda/2) e^2, with "
        f"eta = {_num(eta)}, from e_0 = 1 and v_0 = 0, for T = {T} steps"
    )


@variant(OSC)
def oscillator_predict(eta, lam, betas, T):
    betas = _osc_check(eta, lam, betas, T)
    answer = tuple(sign_changes(oscillator_errors(eta, lam, b, T)) for b in betas)
    return Problem(
        id="07-oscillator-predict",
        lesson=7,
        kind="predict",
        task="predict",
        sections=(3,),
        statement=(
            f"T{_osc_text(eta, lam, T)[1:]}. Predict, before you run it: how many times does the error e_t change "
            f"sign (cross the minimum) with beta = {_num(betas[0])}, and how many with beta = {_num(betas[1])}? "
            "(0 means it creeps in without overshooting.)"
        ),
        quantities={"eta": Fraction(eta), "lam": lam, "beta": None, "T": T},
        answer=answer,
        hints=(
            ask("Is each beta above or below the critical beta* = (1 - sqrt(eta lambda))^2 for this eta and lambda?"),
        ),
    )


@variant(OSC)
def oscillator_read(eta, lam, betas, T):
    betas = _osc_check(eta, lam, betas, T)
    e = oscillator_errors(eta, lam, betas[1], T)
    low, at = float(e.min()), int(np.argmin(e))
    if low >= 0:
        raise ValueError("the second run must overshoot")
    first = oscillator_errors(eta, lam, betas[0], T)
    return Problem(
        id="07-oscillator-read",
        lesson=7,
        kind="number",
        task="read",
        sections=(3,),
        statement=(
            f"Run the experiment: {_osc_text(eta, lam, T)}. How far past the minimum does the ball with "
            f"beta = {_num(betas[1])} swing: what is the lowest error e_t of its run (a negative number, to 3 "
            "decimals)?"
        ),
        quantities={"eta": Fraction(eta), "lam": lam, "beta": betas[1], "T": T},
        answer=low,
        tol=1e-3,
        hints=(
            ask(f"Which column of the experiment's output belongs to beta = {_num(betas[1])}, and where is it lowest?"),
        ),
        mistakes=(
            Mistake(
                "step-not-value",
                "That is the step t at which the lowest error occurs; the question asks for e_t there.",
                at,
            ),
            Mistake(
                "other-run",
                f"That is the lowest error of the beta = {_num(betas[0])} run, which never crosses the minimum; "
                f"read the beta = {_num(betas[1])} column.",
                float(first.min()),
            ),
        ),
    )


# ---- 3. choose beta with evidence: a sweep on the valley ---------------------------------------------
def _draw_sweep(rng):
    """A valley (1, 20), (1, 40) or (1, 50) from (-8, 1), (-6, 1), (-10, 1), (-8, 2) or (8, -1), with eta 1/50,
    1/100 or 3/100 (below 2/lambda_max), tol 1e-4 or 1e-3; the grid, the window and the 400 steps fixed."""
    curvatures = [(1, 20), (1, 40), (1, 50)][int(rng.integers(3))]
    return {
        "eta": [Fraction(1, 50), Fraction(1, 100), Fraction(3, 100)][int(rng.integers(3))],
        "curvatures": curvatures,
        "theta0": [(-8, 1), (-6, 1), (-10, 1), (-8, 2), (8, -1)][int(rng.integers(5))],
        "tol": Fraction(1, int(rng.choice([10000, 1000]))),
        "steps": 400,
        "beta_step": Fraction(1, 100),
        "beta_max": Fraction(98, 100),
        "within": Fraction(1, 5),
    }


SWEEP = Space(
    "07-beta-sweep",
    {
        "eta": Fraction(1, 50),
        "curvatures": (1, 50),
        "theta0": (-8, 1),
        "tol": Fraction(1, 10000),
        "steps": 400,
        "beta_step": Fraction(1, 100),
        "beta_max": Fraction(98, 100),
        "within": Fraction(1, 5),
    },
    _draw_sweep,
)


def sweep_betas(beta_step, beta_max):
    """The sweep's grid 0, beta_step, ..., beta_max, as floats rounded like the notebook's."""
    k = int(Fraction(beta_max) / Fraction(beta_step))
    return np.round([float(j * Fraction(beta_step)) for j in range(k + 1)], 6)


def beta_sweep(eta, curvatures, theta0, tol, steps, betas):
    """Steps to tol of the heavy ball on the valley for each beta (nan: not within `steps`): the
    library's sgd run (v = beta v + g, theta = theta - eta v, L = (1/2) sum_k lambda_k theta_k^2), done
    for every beta at once with the same arithmetic, so that importing the bank stays fast
    (tests/test_problems_l07.py checks it against sgd itself, as the notebook runs it)."""
    lam = np.array([float(c) for c in curvatures])
    theta = np.tile(np.array([float(x) for x in theta0]), (len(betas), 1))
    b = np.array([float(x) for x in betas])[:, None]
    v, eta = np.zeros_like(theta), float(eta)
    losses = [(theta * theta) @ lam / 2]
    for _ in range(steps):
        v = b * v + theta * lam
        theta = theta - eta * v
        losses.append((theta * theta) @ lam / 2)
    losses = np.array(losses).T  # (len(betas), steps + 1)
    counts = [trajectory.steps_to_tolerance(row, float(tol)) for row in losses]
    return np.array([np.nan if n is None else n for n in counts], dtype=float)


def beta_sweep_by_sgd(eta, curvatures, theta0, tol, steps, betas):
    """The same counts, one library sgd run per beta (as the notebook computes them)."""
    valley = QuadraticBowl(curvatures=[float(c) for c in curvatures])
    start = np.array([float(x) for x in theta0])
    counts = []
    for beta in betas:
        run = sgd(valley, start, float(eta), m=1, steps=steps, momentum=float(beta))
        n = trajectory.steps_to_tolerance(run.losses, float(tol))
        counts.append(np.nan if n is None else n)
    return np.array(counts, dtype=float)


@variant(SWEEP)
def choose_beta(eta, curvatures, theta0, tol, steps, beta_step, beta_max, within):
    if not 0 < beta_max < 1 or beta_step <= 0 or within <= 0:
        raise ValueError("a grid of beta in [0, 1) and a positive window")
    betas = sweep_betas(beta_step, beta_max)
    counts = beta_sweep(eta, curvatures, theta0, tol, steps, betas)
    if np.all(np.isnan(counts)):
        raise ValueError("no beta reaches tol")
    fewest = np.nanmin(counts)
    best = int(np.nanargmin(counts))
    ok = np.flatnonzero(counts <= fewest * (1 + float(within)))
    if not np.array_equal(ok, np.arange(ok[0], ok[-1] + 1)):
        raise ValueError("the supported betas are not one interval")
    grid = [Fraction(j) * Fraction(beta_step) for j in range(len(betas))]
    lo, hi = grid[ok[0]], grid[ok[-1]]
    below = counts[ok[0] - 1] if ok[0] > 0 else None
    above = counts[ok[-1] + 1] if ok[-1] + 1 < len(counts) else None
    at = {Fraction(9, 10): None, Fraction(beta_max): None}
    for b in at:
        k = round(b / Fraction(beta_step))
        at[b] = counts[k] if k < len(counts) else None

    def _count(c):
        return "does not get there" if c is None or np.isnan(c) else f"takes {int(c)} steps"

    pct = f"{float(within) * 100:g}%"
    return Problem(
        id="07-beta-sweep",
        valid=("beta", "fraction"),
        lesson=7,
        kind="number",
        task="choose",
        sections=(3,),
        statement=(
            f"Run the sweep: the heavy ball on the valley with curvatures {_pair(curvatures)}, from "
            f"theta_0 = {_pair(theta0)}, with eta = {_num(eta)}, for beta = 0, {_num(beta_step)}, ..., "
            f"{_num(beta_max)}, counting the steps until the loss stays below tol = {float(tol):.4f} (at most "
            f"{steps} steps). Which beta reaches tol in the fewest steps? Any beta whose count is within "
            f"{pct} of the fewest is supported."
        ),
        quantities={"eta": Fraction(eta), "beta": None, "steps": steps},
        answer=grid[best],
        accept=(lo, hi),
        outside=(
            f"too little momentum. Below {_num(lo)} the ball is over-damped along the floor and creeps: at "
            f"beta = {_num(grid[ok[0] - 1]) if below is not None else _num(lo)} it "
            f"{_count(below)}, more than {pct} over the fewest, {int(fewest)}.",
            f"too much momentum. Past critical damping the ball overshoots the minimum and swings, and the swing "
            f"dies out only as fast as sqrt(beta) per step: at beta = "
            f"{_num(grid[ok[-1] + 1]) if above is not None else _num(hi)} it {_count(above)}, against "
            f"{int(fewest)} at best. More momentum is not always faster.",
        ),
        hints=(
            ask(
                "Which beta of the sweep's table needs the fewest steps, and which of its neighbours are nearly as "
                "good?"
            ),
        ),
        mistakes=tuple(
            m
            for m in (
                Mistake(
                    "default-0.9",
                    f"0.9 is a popular default, not this problem's best: here it {_count(at[Fraction(9, 10)])}, "
                    f"against {int(fewest)} at beta = {_num(grid[best])}. Past critical damping more momentum is "
                    "slower.",
                    Fraction(9, 10),
                ),
                Mistake(
                    "most-momentum",
                    f"The largest beta of the sweep is not the fastest: it {_count(at[Fraction(beta_max)])}. "
                    "More momentum is not always faster; the ball swings.",
                    Fraction(beta_max),
                ),
            )
            if not lo <= m.value <= hi
        ),
    )


# ---- 4. the heavy ball's threshold -------------------------------------------------------------------
def _draw_threshold(rng):
    """lambda in {4, 5, 8, 10, 20, 25, 40, 50}, beta in {1/2, 3/5, 3/4, 4/5, 9/10}."""
    return {
        "lam": int(rng.choice([4, 5, 8, 10, 20, 25, 40, 50])),
        "beta": [Fraction(1, 2), Fraction(3, 5), Fraction(3, 4), Fraction(4, 5), Fraction(9, 10)][int(rng.integers(5))],
    }


THRESHOLD = Space("07-momentum-threshold", {"lam": 10, "beta": Fraction(9, 10)}, _draw_threshold)


@variant(THRESHOLD)
def momentum_threshold(lam, beta):
    beta = _beta(beta)
    if lam <= 0:
        raise ValueError("the curvature must be positive")
    answer = dynamics.momentum_threshold(Fraction(lam), beta)
    gd = dynamics.gd_threshold(Fraction(lam))
    return Problem(
        id="07-momentum-threshold",
        lesson=7,
        kind="number",
        task="compute",
        sections=(4,),
        statement=(
            f"Momentum with beta = {_num(beta)} on a bowl of curvature lambda = {_num(lam)}. "
            "It converges exactly when 0 < eta < eta_max. What is eta_max?"
        ),
        quantities={"lam": Fraction(lam), "beta": beta, "eta": None},
        answer=answer,
        hints=(
            ask(
                "Where does plain gradient descent stop converging on this bowl, and which of the heavy ball's two "
                "modes fails first as eta grows?"
            ),
            method(
                "Along the axis the error obeys e_{t+1} = (1 + beta - eta lambda) e_t - beta e_{t-1}. It diverges once "
                "a root z of z^2 - (1 + beta - eta lambda) z + beta = 0 passes z = −1: put z = −1 in and solve "
                "for eta."
            ),
            value(
                f"Plain gradient descent's limit here is 2/lambda = {_num(gd)}; the heavy ball's is 1 + beta times "
                f"larger."
            ),
        ),
        mistakes=(
            Mistake(
                "gd-threshold",
                "That is the threshold of plain gradient descent; momentum raises it to 2 (1 + beta) / lambda.",
                gd,
            ),
            Mistake(
                "one-minus-beta",
                "The factor is 1 + beta: the heavy ball tolerates larger steps, not smaller.",
                2 * (1 - beta) / Fraction(lam),
            ),
            Mistake(
                "gain-scaled",
                "Scaling 2/lambda by the gain 1/(1 - beta) overstates it: the threshold is 2 (1 + beta) / lambda.",
                gd * dynamics.momentum_gain(beta),
            ),
            Mistake(
                "factor-2-dropped",
                "That is (1 + beta)/lambda, half the limit: at z = −1 the condition is "
                "1 + (1 + beta - eta lambda) + beta = 0, so eta_max = 2 (1 + beta)/lambda.",
                (1 + beta) / Fraction(lam),
                same_as=("factor-half",),
            ),
        ),
    )


# ---- 4. read the (eta, beta) plane: a table of rates --------------------------------------------------
def rate_table(etas, betas, curvatures):
    """The heavy ball's rate rho on a bowl with these curvatures: rows betas, columns etas (floats)."""
    e = np.array([float(x) for x in etas])[None, :]
    b = np.array([float(x) for x in betas])[:, None]
    return dynamics.momentum_bowl_rate(e, b, [float(c) for c in curvatures])


def _draw_plane(rng):
    """A valley (1, lambda_max), lambda_max in {20, 25, 40, 50}; eta k/lambda_max or k/(2 lambda_max) for
    k = 1..4; beta 0 and one of (0.3, 0.6, 0.9), (0.25, 0.5, 0.75), (0.4, 0.7, 0.9), (0.2, 0.5, 0.8) or
    (0.3, 0.6, 0.8)."""
    lam_max = int(rng.choice([20, 25, 40, 50]))
    unit = Fraction(1, lam_max * int(rng.choice([1, 2])))
    betas = [(30, 60, 90), (25, 50, 75), (40, 70, 90), (20, 50, 80), (30, 60, 80)][int(rng.integers(5))]
    return {
        "etas": tuple(k * unit for k in (1, 2, 3, 4)),
        "betas": (Fraction(0), *(Fraction(b, 100) for b in betas)),
        "curvatures": (1, lam_max),
    }


PLANE = Space(
    "07-plane-read",
    {
        "etas": (Fraction(2, 100), Fraction(4, 100), Fraction(6, 100), Fraction(8, 100)),
        "betas": (Fraction(0), Fraction(3, 10), Fraction(6, 10), Fraction(9, 10)),
        "curvatures": (1, 50),
    },
    _draw_plane,
)


@variant(PLANE)
def plane_read(etas, betas, curvatures):
    for b in betas:
        if not 0 <= Fraction(b) < 1:
            raise ValueError(f"beta must lie in [0, 1), got {b}")
    rho = rate_table(etas, betas, curvatures)
    j, k = np.unravel_index(np.argmin(rho), rho.shape)
    if rho[j, k] >= 1:
        raise ValueError("no pair of the table converges")
    if np.sort(rho, axis=None)[1] - rho[j, k] < 0.005:
        raise ValueError("the fastest pair must stand out of the table (by 0.005 at least)")
    gd_k = int(np.argmin(rho[0])) if Fraction(betas[0]) == 0 else None
    swing = int(np.argmin(rho[-1]))  # the best eta at the largest beta
    unstable = [(a, b) for a in range(len(betas)) for b in range(len(etas)) if rho[a, b] >= 1 and a == len(betas) - 1]
    lam_max = max(Fraction(c) for c in curvatures)
    mistakes = []
    if gd_k is not None and (0, gd_k) != (j, k):
        mistakes.append(
            Mistake(
                "plain-gd-best",
                f"That is the best of the beta = 0 row, plain gradient descent: its rate {rho[0, gd_k]:.3f} is held "
                "back by the steep axis. With momentum a larger eta stays stable and the slow axis speeds up.",
                (etas[gd_k], betas[0]),
            )
        )
    if (len(betas) - 1, swing) != (j, k):
        if not np.allclose(rho[-1][rho[-1] < 1], math.sqrt(betas[-1]), rtol=1e-9, atol=0):
            raise ValueError("at the largest beta every stable eta must swing at sqrt(beta)")
        mistakes.append(
            Mistake(
                "most-momentum",
                f"With beta = {_num(betas[-1])} every stable eta is under-damped on both axes and the rate is "
                f"sqrt(beta) = {rho[-1, swing]:.3f}: more momentum is not always faster.",
                (etas[swing], betas[-1]),
            )
        )
    if unstable:
        a, b = unstable[-1]
        mistakes.append(
            Mistake(
                "unstable",
                f"That pair does not converge: its rate is {rho[a, b]:.3f} >= 1, since eta is past the limit "
                "2 (1 + beta)/lambda_max.",
                (etas[b], betas[a]),
            )
        )
    return Problem(
        id="07-plane-read",
        lesson=7,
        kind="number",
        task="read",
        sections=(4,),
        statement=(
            f"Run the cell that tabulates the heavy ball's rate rho on the valley with curvatures {_pair(curvatures)} "
            f"(its slower axis; rho >= 1: it does not converge) for eta in {_pair(etas)} and beta in "
            f"{_pair(betas)}. Which pair (eta, beta) of the table converges fastest?"
        ),
        quantities={"eta": None, "beta": None, "lam_max": lam_max},
        answer=(etas[k], betas[j]),
        hints=(
            ask("Which entry of the table is smallest, and which eta and beta does it belong to?"),
            method("Read the row (beta) and the column (eta) of the smallest rate; give them as (eta, beta)."),
        ),
        mistakes=tuple(mistakes),
    )


# ---- 5. sharp and flat minima -------------------------------------------------------------------------
def _draw_sharp_flat(rng):
    """A sharp curvature in {20, 25, 30, 40, 50}, a flat one 1 or 2, eta in {1/20, 1/25, 1/40, 1/50}."""
    return {
        "lam_sharp": int(rng.choice([20, 25, 30, 40, 50])),
        "lam_flat": int(rng.choice([1, 2])),
        "eta": Fraction(1, int(rng.choice([20, 25, 40, 50]))),
    }


SHARP_FLAT = Space("07-sharp-flat", {"lam_sharp": 30, "lam_flat": 1, "eta": Fraction(1, 20)}, _draw_sharp_flat)


@variant(SHARP_FLAT)
def sharp_flat(lam_sharp, lam_flat, eta):
    eta = Fraction(eta)
    if not 0 < lam_flat < lam_sharp or not eta * lam_sharp < 2:
        raise ValueError("a sharp and a flat minimum, both stable for full-batch descent")

    def ball(lam):  # lesson 06's noise ball with s = k lam, in units of k^2
        return dynamics.noise_ball_variance(eta, Fraction(lam), Fraction(lam) ** 2)

    v_sharp, v_flat = ball(lam_sharp), ball(lam_flat)
    return Problem(
        id="07-sharp-flat",
        lesson=7,
        kind="choice",
        task="concept",
        sections=(5,),
        statement=(
            f"A loss has two minima of the same depth: a sharp one (curvature {lam_sharp}) in a narrow basin and "
            f"a flat one (curvature {lam_flat}) in a wide basin. As on the lesson's landscape, the examples "
            "disagree about the slope more where the loss is sharper: take the standard deviation of the "
            "gradient noise at each minimum to be s = k lambda, proportional to the curvature lambda there (the "
            f"same k at both). With eta = {_num(eta)}, full-batch gradient descent stays in whichever one it "
            "starts near, since eta lambda < 2 in both. Small-batch SGD with the same eta is started many "
            "times from random points. Where does it end more often?"
        ),
        quantities={"eta": eta, "lam_sharp": lam_sharp, "lam_flat": lam_flat},
        options=(
            "In the sharp minimum: the steeper basin pulls harder, so it traps the iterate.",
            "In the flat minimum: the gradient noise kicks the iterate out of the narrow sharp basin, "
            "while the wide flat basin holds it.",
            "Equally often in both: the noise has mean zero, so it cannot prefer either.",
            "In whichever minimum is closer to the start: SGD only uses local information.",
            "In the flat minimum, because flat minima always have the lower test loss and SGD is built to find them.",
        ),
        answer="b",
        hints=(
            ask(
                "How far does the noise push the iterate around each minimum, compared with the width of "
                "that minimum's basin?"
            ),
            method(
                "Use the noise ball of plain SGD, V = eta s^2 / (lambda (2 - eta lambda)), with s = k lambda, at "
                "each of the two curvatures, and compare the spreads."
            ),
            value(
                f"With s = k lambda, V is {float(v_sharp):.3g} k^2 at the sharp minimum and about "
                f"{float(v_flat):.2g} k^2 at the flat one: the sharp minimum's cloud is far wider, in the "
                "narrower basin."
            ),
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
            Mistake(
                "flat-law",
                "The right place for the wrong reason. Flat is better is a tendency, not a law: some sharp minima "
                "generalise well, sharpness depends on how the parameters are scaled, and SGD never sees a test "
                "loss. What decides here is the noise, large in the narrow sharp basin.",
                "e",
            ),
        ),
    )


# ---- 6. what is still missing: Adam's first step, Newton's step -----------------------------------------
def _sqrt(x):
    """sqrt of a Fraction: exact when it is a perfect square, else a float."""
    x = Fraction(x)
    n, d = math.isqrt(x.numerator), math.isqrt(x.denominator)
    return Fraction(n, d) if n * n == x.numerator and d * d == x.denominator else math.sqrt(x)


def adam_first_step(theta0, grads, alpha, beta1, beta2, correct_first=True, correct_second=True):
    """theta_1 of Adam with epsilon = 0 from g_bar_0 = u_0 = 0 (exact where the square root is)."""
    out = []
    for th, gk in zip(theta0, grads):
        g_bar = (1 - beta1) * gk
        u = (1 - beta2) * gk * gk
        m = g_bar / (1 - beta1) if correct_first else g_bar
        s = u / (1 - beta2) if correct_second else u
        out.append(Fraction(th) - alpha * m / _sqrt(s))
    return tuple(x if isinstance(x, Fraction) else float(x) for x in out)


def _draw_adam(rng):
    """alpha in {1/10, 1/20, 1/5}, beta_1 9/10 or 4/5, beta_2 999/1000 or 99/100, a valley (1, 10), (1, 20)
    or (1, 50), a start (-8, 2), (-6, 1), (4, -1), (-5, 2) or (8, -2)."""
    return {
        "alpha": Fraction(1, int(rng.choice([10, 20, 5]))),
        "beta1": Fraction(int(rng.choice([9, 8])), 10),
        "beta2": [Fraction(999, 1000), Fraction(99, 100)][int(rng.integers(2))],
        "curvatures": (1, int(rng.choice([10, 20, 50]))),
        "theta0": [(-8, 2), (-6, 1), (4, -1), (-5, 2), (8, -2)][int(rng.integers(5))],
    }


ADAM = Space(
    "07-adam-first-step",
    {
        "alpha": Fraction(1, 10),
        "beta1": Fraction(9, 10),
        "beta2": Fraction(999, 1000),
        "curvatures": (1, 50),
        "theta0": (-8, 2),
    },
    _draw_adam,
)


@variant(ADAM)
def adam_step(alpha, beta1, beta2, curvatures, theta0):
    alpha, beta1, beta2 = Fraction(alpha), _beta(beta1), _beta(beta2)
    if Fraction(curvatures[0]) != 1:
        raise ValueError("the valley's first curvature is 1")
    grads = tuple(Fraction(c) * Fraction(x) for c, x in zip(curvatures, theta0))
    if any(gk == 0 for gk in grads) or abs(grads[1]) <= abs(grads[0]):
        raise ValueError("every coordinate needs a gradient, the second the larger")
    answer = adam_first_step(theta0, grads, alpha, beta1, beta2)
    return Problem(
        id="07-adam-first-step",
        lesson=7,
        kind="number",
        task="compute",
        sections=(6,),
        statement=(
            f"Adam, as in the lesson, with alpha = {_num(alpha)}, beta_1 = {_num(beta1)}, beta_2 = {_num(beta2)} and "
            f"epsilon = 0, starts on the valley L(theta) = (1/2)(theta_1^2 + {_num(curvatures[1])} theta_2^2), "
            f"curvatures {_pair(curvatures)}, from theta_0 = {_pair(theta0)} with g_bar_0 = u_0 = 0. "
            "What is theta_1? Give both coordinates."
        ),
        quantities={"alpha": alpha, "beta_1": beta1, "beta_2": beta2},
        answer=answer,
        hints=(
            ask(
                "After one step from zero, what are the two averages, and what do the divisions by 1 - beta_1 and 1 "
                "- beta_2 make of them?"
            ),
            method(
                "After one step g_bar = (1 - beta_1) g and u = (1 - beta_2) g^2, coordinate by coordinate; corrected, "
                "they are g and g^2, so each coordinate moves by alpha g/sqrt(g^2), against its gradient's sign."
            ),
            value(
                f"The gradient at theta_0 is {_pair(grads)}: {_num(abs(grads[1] / grads[0]))} times larger on the "
                "second coordinate, yet both move the same distance."
            ),
        ),
        mistakes=(
            Mistake(
                "no-correction",
                "You left out both corrections for the start at zero: then the first step is shrunk by "
                "(1 - beta_1)/sqrt(1 - beta_2). Divide g_bar by 1 - beta_1 and u by 1 - beta_2 first.",
                adam_first_step(theta0, grads, alpha, beta1, beta2, False, False),
            ),
            Mistake(
                "first-only",
                "You corrected the first average but not the second: dividing by sqrt(u) with u still "
                "(1 - beta_2) g^2 makes the step far too long. Divide u by 1 - beta_2 as well.",
                adam_first_step(theta0, grads, alpha, beta1, beta2, True, False),
            ),
            Mistake(
                "second-only",
                "You corrected the second average but not the first: g_bar is still (1 - beta_1) g. Divide it by "
                "1 - beta_1 as well.",
                adam_first_step(theta0, grads, alpha, beta1, beta2, False, True),
            ),
            Mistake(
                "uphill",
                "Each coordinate moved by alpha, but uphill: Adam subtracts its step, against the gradient's sign.",
                tuple(2 * Fraction(x) - y for x, y in zip(theta0, answer)),
            ),
            Mistake(
                "gradient-step",
                "That is a plain gradient step with step size alpha. Adam divides by the size of each "
                "coordinate's own gradients, so both coordinates move alike.",
                tuple(Fraction(x) - alpha * gk for x, gk in zip(theta0, grads)),
            ),
        ),
    )


th = sp.Symbol("theta", real=True)


def _draw_newton(rng):
    """L = a2 (theta - m)^2 + c: a2 in 2..5, the minimum m in {-3, ..., 4} less 0, a0 in 1..9; theta_0 one to
    five from m."""
    a2 = int(rng.integers(2, 6))
    m = int(rng.choice([-3, -2, -1, 1, 2, 3, 4]))
    return {
        "a2": a2,
        "a1": -2 * a2 * m,
        "a0": int(rng.integers(1, 10)),
        "theta0": m + int(rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5])),
    }


NEWTON = Space("07-newton-step", {"a2": 3, "a1": -12, "a0": 5, "theta0": 7}, _draw_newton)


@variant(NEWTON)
def newton_step(a2, a1, a0, theta0):
    if a2 <= 0:
        raise ValueError("a bowl: the leading coefficient must be positive")
    L = a2 * th**2 + a1 * th + a0
    d1, d2 = sp.diff(L, th), sp.diff(L, th, 2)
    answer = exact(sp.nsimplify(th - d1 / d2).subs(th, theta0))
    slope, curv = exact(d1.subs(th, theta0)), exact(d2)
    return Problem(
        id="07-newton-step",
        lesson=7,
        kind="number",
        task="compute",
        sections=(6,),
        quantities={"steps": 1},  # one Newton step; the coefficients are no counts
        statement=(
            f"L(theta) = {sp.sstr(L).replace('**', '^')}. Take one Newton step from "
            f"theta_0 = {theta0}: theta_1 = theta_0 - L'(theta_0) / L''(theta_0). What is theta_1?"
        ),
        answer=answer,
        hints=(
            ask("What are the slope L'(theta_0) and the curvature L''(theta_0) of this quadratic?"),
            method("Differentiate twice, evaluate both at theta_0, then take theta_0 - L'(theta_0) / L''(theta_0)."),
            value(
                f"L'({theta0}) = {_num(slope)} and L'' = {_num(curv)}; on a quadratic one Newton step lands on the "
                f"minimum."
            ),
        ),
        mistakes=(
            Mistake(
                "no-curvature",
                "That is a plain gradient step with step size 1. Newton divides the slope by the curvature L''.",
                exact((th - d1).subs(th, theta0)),
            ),
            Mistake(
                "coefficient-not-second-derivative",
                f"L'' of {a2} theta^2 is {_num(2 * a2)}, not {a2}: differentiate twice.",
                exact((th - d1 / L.coeff(th, 2)).subs(th, theta0)),
            ),
            Mistake(
                "uphill",
                "Newton subtracts L'/L'', as gradient descent subtracts a multiple of L': you added it.",
                exact((th + d1 / d2).subs(th, theta0)),
            ),
        ),
    )


# names the tests use
HB_THETA0, HB_ETA, HB_BETA = heavy_ball.params["theta0"], heavy_ball.params["eta"], heavy_ball.params["beta"]
HB = heavy_ball_path(HB_THETA0, HB_ETA, HB_BETA, 3)
TH_LAM, TH_BETA = Fraction(momentum_threshold.params["lam"]), momentum_threshold.params["beta"]
NEWTON_L = sum(newton_step.params[k] * th**p for k, p in (("a2", 2), ("a1", 1), ("a0", 0)))

PROBLEMS = (
    heavy_ball,
    step_problem,
    debug_problem,
    gain,
    alternating,
    retune_eta,
    oscillator_predict,
    oscillator_read,
    choose_beta,
    momentum_threshold,
    plane_read,
    sharp_flat,
    adam_step,
    newton_step,
)

COMMON_MISTAKES = {
    "Mixing momentum conventions": (
        ("07-heavy-ball", "ema"),
        ("07-momentum-step", "ema"),
        ("07-momentum-step", "eta-in-velocity"),
        ("07-momentum-debug", "still-planted"),
        ("07-momentum-debug", "ema"),
        ("07-alternating", "ema"),
    ),
    r"Adding momentum without revisiting $\eta$": (("07-retune-eta", "unchanged"),),
    "Assuming more momentum is always faster": (
        ("07-beta-sweep", "default-0.9"),
        ("07-beta-sweep", "most-momentum"),
    ),
    "Reading flat = better as a law": (("07-sharp-flat", "flat-law"),),
}
