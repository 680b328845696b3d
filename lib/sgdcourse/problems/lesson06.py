"""Lesson 6 problems: the learning rate on a quadratic bowl, the noise ball, schedules, the race.

On L(theta) = (lambda/2)(theta - c)^2 the error e_t = theta_t - c obeys e_{t+1} = (1 - eta lambda) e_t,
so e_t = (1 - eta lambda)^t e_0: GD converges iff 0 < eta < 2 / lambda (the largest curvature
of a bowl decides). With gradient noise of variance s^2 the variance settles where
V = (1 - eta lambda)^2 V + eta^2 s^2. Closed forms come from sgdcourse.dynamics, schedules
from sgdcourse.schedules, runs from sgdcourse.sgd; the symbolic answers are derived with sympy.

Every problem is built by a factory from its parameters (@variant): the defaults are today's
numbers, and the answer, the slips and the statement are computed from them. The experiments
behind the run-code problems (the slider, the sweep, the race) are the notebook's, run here with
the same numbers and seed.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
import sympy as sp

from .. import dynamics, schedules
from ..checking import Mistake
from ..data import make_linear_regression
from ..models import LeastSquares, QuadraticBowl
from ..sgd import sgd
from .problem import Problem, ask, method, value, variant
from .variants import Space

# ---- symbols ---------------------------------------------------------------------------------------
eta, lam, s = sp.symbols("eta lam s", positive=True)
t = sp.Symbol("t", integer=True, positive=True)
NS_T = {"eta": eta, "lam": lam, "t": t}
NS_NOISE = {"eta": eta, "lam": lam, "s": s}
STABLE = {"eta": (0.01, 0.95), "lam": (0.05, 2.0)}  # eta lam in (0, 1.9): a positive noise ball, a shrinking error

# ---- the lesson's bowl (section 1 and the slider of section 3) -------------------------------------
BOWL_CURVATURES, BOWL_CENTER, BOWL_START = (1.0, 5.0), (1.0, 0.5), (-4.0, 2.0)


def lesson_bowl_run(eta_, steps, curvatures=BOWL_CURVATURES, center=BOWL_CENTER, start=BOWL_START):
    """GD (the full batch of the one-example bowl) from the lesson's start: the Trajectory."""
    bowl = QuadraticBowl(curvatures=list(curvatures), center=list(center))
    return sgd(bowl, np.array(start, dtype=float), float(eta_), m=1, steps=steps)


def steps_below(q, target):
    """The smallest t with |q|^t <= target (0 < |q| < 1), counted exactly."""
    if not 0 < abs(q) < 1 or not 0 < target < 1:
        raise ValueError(f"need 0 < |q| < 1 and 0 < target < 1, got q = {q}, target = {target}")
    n, power = 0, Fraction(1)
    while power > target:
        n, power = n + 1, power * abs(q)
    return n


def _letter_regime(name):
    return {"crawl": "a", "converge": "b", "edge": "c", "diverge": "d"}[name]


# ---- 06-error-after-t ------------------------------------------------------------------------------


def _draw_error_after_t(rng):
    """A start theta_0 in -4..8 and a minimum c in {-3, -2, -1, 1, 2, 3} (the factory keeps them 2 or more apart)."""
    return {"theta0": int(rng.integers(-4, 9)), "c": int(rng.choice([-3, -2, -1, 1, 2, 3]))}


ERROR_AFTER_T = Space("06-error-after-t", {"theta0": 4, "c": 1}, _draw_error_after_t)


@variant(ERROR_AFTER_T)
def error_after_t(theta0, c):
    e_start = sp.Integer(theta0 - c)
    if e_start == 0 or abs(e_start) == 1 or theta0 == 0:
        raise ValueError("the start must differ from the minimum (by more than 1) and from 0")
    answer = (1 - eta * lam) ** t * e_start
    return Problem(
        id="06-error-after-t",
        lesson=6,
        kind="expression",
        task="derive",
        sections=(1,),
        statement=(
            f"Gradient descent with a constant eta on L(theta) = (lam/2)(theta - c)^2 with c = {c} starts at "
            f"theta_0 = {theta0}. Write the error e_t = theta_t - c after t steps as an expression in eta, lam and t."
        ),
        quantities={"theta0": theta0, "c": c},
        answer=answer,
        namespace=NS_T,
        domain=dict(STABLE),
        hints=(
            ask("What does one step do to the error e_t = theta_t - c: by which factor is it multiplied?"),
            method(
                "Subtract c from both sides of theta_{t+1} = theta_t - eta lam (theta_t - c); "
                "apply the factor t times to e_0."
            ),
            value(f"e_0 = theta_0 - c = {theta0 - c}, and each step multiplies it by 1 - eta lam."),
        ),
        mistakes=(
            Mistake(
                "step-too-many",
                "One factor too many: after t steps the factor has been applied t times, "
                "not t + 1 (check t = 0: e_0 must be the starting error).",
                (1 - eta * lam) ** (t + 1) * e_start,
            ),
            Mistake(
                "step-too-few",
                "One factor too few: after t steps the factor has been applied t times, "
                "not t - 1 (check t = 1: one step has been taken).",
                (1 - eta * lam) ** (t - 1) * e_start,
            ),
            Mistake(
                "sign",
                "The step goes downhill: e_{t+1} = e_t - eta lam e_t, so the factor is 1 - eta lam.",
                (1 + eta * lam) ** t * e_start,
            ),
            Mistake(
                "linearised",
                "Steps compound: the error is multiplied by 1 - eta lam at every step, "
                "which gives a power, not 1 - t eta lam.",
                (1 - t * eta * lam) * e_start,
            ),
            Mistake(
                "exponential",
                "That is the continuous-time curve e^(-eta lam t). Gradient descent takes whole steps, each "
                "multiplying the error by 1 - eta lam, so e_t is a power of that factor.",
                sp.exp(-eta * lam * t) * e_start,
            ),
            Mistake(
                "factor-only",
                "That is the factor by which the error shrinks; e_t is that factor times the starting error "
                "e_0 = theta_0 - c.",
                (1 - eta * lam) ** t,
            ),
            Mistake(
                "theta-not-error",
                "You multiplied theta_0 by the factor; it is the error theta_0 - c that shrinks by 1 - eta lam "
                "each step.",
                (1 - eta * lam) ** t * theta0,
            ),
            Mistake(
                "theta-t",
                "That is theta_t itself, c plus the error; the question asks for the error e_t = theta_t - c.",
                c + (1 - eta * lam) ** t * e_start,
            ),
        ),
    )


# ---- 06-threshold ----------------------------------------------------------------------------------


def _draw_threshold(rng):
    """A flat curvature lambda_1 in {3/4, 5/4, 3/2, 5/2, 7/2} (not whole: 2/lambda_1 would be a whole multiple
    of the answer, a generic slip) and a steep one lambda_2 in 6..40."""
    return {
        "lam_1": Fraction(int(rng.choice([3, 5, 6, 10, 14])), 4),
        "lam_2": Fraction(int(rng.choice([6, 8, 9, 10, 12, 15, 16, 20, 25, 40]))),
    }


THRESHOLD_SPACE = Space("06-threshold", {"lam_1": Fraction(3, 2), "lam_2": Fraction(8)}, _draw_threshold)


@variant(THRESHOLD_SPACE)
def threshold(lam_1, lam_2):
    if not 0 < lam_1 < lam_2:
        raise ValueError("need 0 < lam_1 < lam_2")
    lam_min, lam_max = Fraction(lam_1), Fraction(lam_2)
    answer = dynamics.gd_threshold(lam_max)
    return Problem(
        id="06-threshold",
        lesson=6,
        kind="number",
        task="compute",
        sections=(2,),
        statement=(
            "Full-batch gradient descent runs on the bowl L(theta) = (1/2)(lambda_1 theta_1^2 + lambda_2 theta_2^2) "
            f"with curvatures lambda_1 = {lam_min} and lambda_2 = {lam_max}. It converges from every start exactly "
            "when 0 < eta < eta_max. What is eta_max?"
        ),
        quantities={"lam_1": lam_min, "lam_2": lam_max, "eta": None},
        answer=answer,
        hints=(
            ask("By which factor does one step multiply the error along axis k, and how large may that factor be?"),
            method(
                "Convergence needs |1 - eta lambda_k| < 1 on both axes, that is 0 < eta < 2 / lambda_k for each k: "
                "take the smaller of the two bounds."
            ),
            value(
                f"The bounds are 2/{float(lam_min):g} = {float(2 / lam_min):.4g} and "
                f"2/{float(lam_max):g} = {float(2 / lam_max):g}."
            ),
        ),
        mistakes=(
            Mistake(
                "one-over-lambda",
                "eta = 1/lambda is the step that lands on the minimum of that axis in "
                "one move (the fastest, not the limit). The error flips sign for larger eta but still "
                "shrinks up to 2/lambda.",
                1 / lam_max,
                same_as=("factor-half",),  # 1/lambda is 2/lambda with its factor 2 lost, for any numbers
            ),
            Mistake(
                "flat-axis",
                "That bound comes from the flat axis. The steep axis leaves the range "
                "|1 - eta lambda| < 1 first, so its curvature sets the threshold.",
                2 / lam_min,
            ),
            Mistake(
                "flat-axis-one-over",
                "Two slips: the threshold is 2/lambda, not 1/lambda, and it is the "
                "steep axis (the largest curvature) that sets it.",
                1 / lam_min,
            ),
            Mistake(
                "inverted",
                "Upside down: the threshold is 2/lambda, which shrinks as the bowl gets steeper.",
                lam_max / 2,
            ),
            Mistake(
                "mean-curvature",
                "The average curvature does not decide: the steepest axis diverges "
                "first, so use the largest curvature.",
                2 / ((lam_min + lam_max) / 2),
            ),
        ),
    )


# ---- 06-crawl-steps --------------------------------------------------------------------------------


def _draw_crawl_steps(rng):
    """lambda in {1, 2, 4} and eta with eta lambda in {0.02, 0.04, 0.05, 0.08, 0.1} (a crawl), a cut of the
    error to 1/20, 1/50, 1/100 or 1/1000."""
    lam_ = Fraction(int(rng.choice([1, 2, 4])))
    eta_lam = Fraction(int(rng.choice([2, 4, 5, 8, 10])), 100)
    return {"eta_": eta_lam / lam_, "lam_": lam_, "shrink": int(rng.choice([20, 50, 100, 1000]))}


CRAWL_SPACE = Space("06-crawl-steps", {"eta_": Fraction(1, 25), "lam_": Fraction(1), "shrink": 100}, _draw_crawl_steps)


@variant(CRAWL_SPACE)
def crawl_steps(eta_, lam_, shrink):
    q = dynamics.contraction(Fraction(eta_), Fraction(lam_))
    if not 0 < q < 1 or shrink < 10:
        raise ValueError("need 0 < 1 - eta lambda < 1 and a cut of at least tenfold")
    target = Fraction(1, shrink)
    answer = steps_below(q, target)
    unrounded = math.log(target) / math.log(q)
    tenfold = steps_below(q, Fraction(1, 10))
    exp_count = math.ceil(math.log(shrink) / (eta_ * lam_))
    linear = math.ceil((1 - target) / (eta_ * lam_))
    return Problem(
        id="06-crawl-steps",
        lesson=6,
        kind="number",
        task="compute",
        sections=(1,),
        statement=(
            f"Gradient descent on a bowl of curvature lambda = {lam_} with eta = {float(eta_):g}. "
            f"After how many steps t is the error |theta_t - c| for the first time at most 1/{shrink} of "
            "its starting value?"
        ),
        quantities={"lam": lam_, "eta": eta_},
        answer=Fraction(answer),
        hints=(
            ask("By which factor does each step multiply the error, and what must that factor to the power t reach?"),
            method(
                f"Find the smallest whole t with (1 - eta lambda)^t <= 1/{shrink}: take logarithms, "
                "solve for t, then round up."
            ),
            value(f"1 - eta lambda = {float(q):g}, and log(1/{shrink}) / log({float(q):g}) = {unrounded:.2f}."),
        ),
        mistakes=(
            Mistake(
                "step-too-few",
                f"One step short: {float(q):g}^{answer - 1} is still a little above 1/{shrink}.",
                Fraction(answer - 1),
            ),
            Mistake(
                "step-too-many",
                f"One step too many: {float(q):g}^{answer} is already at most "
                f"1/{shrink}, so that step is the first one to get there.",
                Fraction(answer + 1),
            ),
            Mistake(
                "not-rounded",
                f"Round up to a whole number of steps: the solution of q^t = 1/{shrink} falls "
                f"between two steps, and only the later one reaches 1/{shrink}.",
                unrounded,
            ),
            Mistake(
                "tenfold",
                f"That count cuts the error tenfold ({float(q):g}^{tenfold} is just below 1/10). "
                f"The question asks for a cut to 1/{shrink}.",
                Fraction(tenfold),
            ),
            Mistake(
                "exponential",
                "That count comes from e^(-eta lambda t). The true factor (1 - eta lambda)^t "
                "is smaller than that, so fewer steps suffice.",
                Fraction(exp_count),
            ),
            Mistake(
                "linearised",
                "Steps compound: after t steps the error is (1 - eta lambda)^t times the "
                "start, not (1 - t eta lambda) times it.",
                Fraction(linear),
            ),
        ),
    )


# ---- 06-regime -------------------------------------------------------------------------------------


def _draw_regime(rng):
    """lambda in {2, 4, 5, 8, 10, 20, 25, 40, 50} and eta with eta lambda in 1.1..1.9 (a multiple of 0.05)
    and at most three decimals: between 1/lambda and 2/lambda, away from both."""
    lam_ = Fraction(int(rng.choice([2, 4, 5, 8, 10, 20, 25, 40, 50])))
    etas = [Fraction(k, 20) / lam_ for k in range(22, 39)]
    etas = [e for e in etas if (e * 1000).denominator == 1]
    return {"lam_": lam_, "eta_": etas[int(rng.integers(len(etas)))]}


REGIME_SPACE = Space("06-regime", {"lam_": Fraction(10), "eta_": Fraction(3, 20)}, _draw_regime)


@variant(REGIME_SPACE)
def regime(lam_, eta_):
    q = dynamics.contraction(Fraction(eta_), Fraction(lam_))
    if not -1 < q < 0:
        raise ValueError("this problem asks about a step between 1/lambda and 2/lambda")
    edge = dynamics.gd_threshold(Fraction(lam_))
    return Problem(
        id="06-regime",
        lesson=6,
        kind="choice",
        task="concept",
        sections=(1,),
        statement=(
            f"Gradient descent on a bowl of curvature lambda = {lam_} with eta = "
            f"{float(eta_):g}, started away from the minimum. What does the path do?"
        ),
        quantities={"lam": lam_, "eta": eta_},
        options=(
            "It crawls: the error keeps its sign and shrinks by a small fraction each step.",
            "It converges while overshooting: the error flips sign every step and shrinks.",
            "It diverges: each step overshoots by more than it gains.",
            "It bounces between two points forever, getting neither closer nor farther.",
        ),
        answer="b",
        hints=(
            ask("By which factor does each step multiply the error?"),
            method("Compute 1 - eta lambda: its sign says whether the error flips, its size whether it shrinks."),
        ),
        mistakes=(
            Mistake(
                "crawl",
                f"Here eta lambda = {float(eta_ * lam_):g} > 1, so the factor "
                f"1 - eta lambda = {float(q):g} is negative: every step jumps past the minimum.",
                "a",
            ),
            Mistake(
                "diverge",
                f"Divergence needs eta > 2/lambda = {float(edge):g}. "
                f"Here |1 - eta lambda| = {float(abs(q)):g} < 1, so each overshoot is smaller "
                "than the last.",
                "c",
            ),
            Mistake(
                "edge", "A bounce of constant size happens only at eta = 2/lambda exactly, where the factor is -1.", "d"
            ),
        ),
    )


# ---- 06-eta-sweep: choose eta with evidence (section 2: the threshold bounds the useful steps) ---


def eta_sweep(grid, target, steps):
    """Steps for GD on the lesson's bowl to bring the loss to at most target, for each eta of grid
    (None: never within steps, or diverged). The notebook runs the same sweep."""
    out = {}
    for eta_ in grid:
        run = lesson_bowl_run(eta_, steps)
        hit = np.nonzero(np.asarray(run.losses) <= target)[0]
        out[eta_] = None if run.diverged or not hit.size else int(hit[0])
    return out


def _draw_eta_sweep(rng):
    """A grid eta = k/d (d in {40, 50, 60}) up to 0.4 to 0.44, a target loss 1e-4 .. 1e-8, 200 to 400 steps; a
    step within slack = 1 of the fewest counts as the best."""
    d = int(rng.choice([40, 50, 60]))
    return {
        "denominator": d,
        "last": round(d * float(rng.choice([0.4, 0.42, 0.44]))),
        "exponent": int(rng.integers(4, 9)),
        "steps": int(rng.choice([200, 300, 400])),
        "slack": 1,
    }


ETA_SWEEP = Space(
    "06-eta-sweep", {"denominator": 50, "last": 21, "exponent": 6, "steps": 300, "slack": 1}, _draw_eta_sweep
)


@variant(ETA_SWEEP)
def eta_choice(denominator, last, exponent, steps, slack):
    grid = tuple(Fraction(k, denominator) for k in range(1, last + 1))
    target = 10.0**-exponent
    counts = eta_sweep(grid, target, steps)
    reached = {e: n for e, n in counts.items() if n is not None}
    if len(reached) < 3:
        raise ValueError("the sweep must reach the target for several steps")
    fewest = min(reached.values())
    best = min(e for e, n in reached.items() if n == fewest)
    good = [e for e, n in reached.items() if n <= fewest + slack]
    lo, hi = min(good), max(good)
    if any(e not in good for e in grid if lo <= e <= hi):
        raise ValueError("the supported steps must form one range of the grid")
    below = max((e for e in grid if e < lo), default=None)
    above = min((e for e in grid if e > hi), default=None)
    lam_max = Fraction(max(BOWL_CURVATURES)).limit_denominator()
    edge = dynamics.gd_threshold(lam_max)
    landing = 1 / lam_max  # lands the steep axis in one step
    at_landing = eta_sweep((landing,), target, steps)[landing]
    if below is None or above is None:
        raise ValueError("the grid must reach past the supported range on both sides")

    def said(e, n=None):
        n = counts[e] if n is None else n
        return "never reaches it" if n is None else f"needs {n} steps"

    return Problem(
        id="06-eta-sweep",
        valid=("eta", "positive"),
        lesson=6,
        kind="number",
        task="choose",
        sections=(2, 3),
        statement=(
            f"Run the sweep in the notebook: gradient descent on the lesson's bowl (curvatures 1 and 5, "
            f"start (-4, 2)) for eta = k/{denominator}, k = 1, ..., {last}, at most {steps} steps each, counting "
            f"the steps until the loss is at most 1e-{exponent}. Which eta would you use to reach that loss in the "
            "fewest steps without diverging?"
        ),
        quantities={"eta": None, "lam_max": lam_max, "steps": steps},
        answer=best,
        accept=((below + lo) / 2, (hi + above) / 2),  # halfway to the nearest grid step the sweep refuses
        outside=(
            f"the sweep shows smaller steps crawl along the flat axis: eta = {float(below):g} {said(below)}, "
            f"against {fewest} at the best step.",
            f"the sweep shows larger steps overshoot more and more on the steep axis: eta = {float(above):g} "
            f"{said(above)}, against {fewest} at the best; from 2/lambda_max = {float(edge):g} on the run never "
            "gets there.",
        ),
        hints=(
            ask("Which rows of the sweep reached the loss at all, and which of them needed the fewest steps?"),
            method(
                "Read the column of step counts; a step whose count is within one step of the fewest is as good as "
                "the best, so any eta between the smallest and the largest such step is supported (and up to "
                "halfway to the next step of the grid)."
            ),
            value(f"The fewest steps, {fewest}, come at eta = {float(best):g}."),
        ),
        mistakes=(
            Mistake(
                "the-threshold",
                f"That is the threshold 2/lambda_max = {float(edge):g}: there the steep axis's factor is -1 and its "
                "error never shrinks. The threshold is a limit, not a good step.",
                edge,
            ),
            Mistake(
                "one-over-lambda-max",
                f"eta = 1/lambda_max lands the steep axis on its minimum in one step, but the flat axis then crawls: "
                f"at eta = {float(landing):g} the run {said(landing, at_landing)}, against {fewest} at the best step.",
                landing,
            ),
        ),
    )


# ---- 06-slider: predict the regime, run the slider, read what it shows -----------------------------


def _draw_slider(rng):
    """eta in {0.36, 0.37, 0.38, 0.39}, just below the threshold 0.4; the readout's other position in
    {0.05, 0.1, 0.15, 0.2}; 50 to 100 steps (enough for the loss to fall far). All on the slider's grid of 0.005."""
    return {
        "eta_": Fraction(int(rng.choice([36, 37, 38, 39])), 100),
        "other": Fraction(int(rng.choice([1, 2, 3, 4])), 20),
        "steps": int(rng.choice([50, 60, 80, 100])),
    }


SLIDER = Space("06-slider-predict", {"eta_": Fraction(19, 50), "other": Fraction(1, 10), "steps": 60}, _draw_slider)


@variant(SLIDER)
def slider_predict(eta_, other, steps):  # other: the read problem's second slider position
    name, _ = dynamics.regime(eta_, [Fraction(1), Fraction(5)])
    return Problem(
        id="06-slider-predict",
        lesson=6,
        kind="predict",
        task="predict",
        sections=(3,),
        statement=(
            f"Before you move the slider: on the lesson's bowl (curvatures 1 and 5, threshold 2/5 = 0.4), what will "
            f"gradient descent do at eta = {float(eta_):g} over {steps} steps?"
        ),
        quantities={"eta": eta_, "steps": steps},
        options=(
            "Crawl: both errors keep their sign and shrink slowly.",
            "Converge: the steep axis zig-zags, and the loss falls far.",
            "Sit on the edge: the steep axis bounces for ever at the same distance.",
            "Diverge: the steep axis overshoots further at every step.",
        ),
        answer=_letter_regime(name),
    )


@variant(SLIDER)
def slider_read(eta_, other, steps):
    run = lesson_bowl_run(eta_, steps)
    if run.diverged:
        raise ValueError("the run must stay finite for its loss to be read")
    loss = float(run.losses[steps])
    tol = 10.0 ** (math.floor(math.log10(loss)) - 2)  # one unit in the third significant digit
    q_steep = dynamics.contraction(Fraction(eta_), Fraction(5))
    q_flat = dynamics.contraction(Fraction(eta_), Fraction(1))
    at_other = float(lesson_bowl_run(other, steps).losses[steps])
    return Problem(
        id="06-slider-read",
        lesson=6,
        kind="number",
        task="read",
        sections=(3,),
        statement=(
            f"The cell under the prediction sets the slider to eta = {float(other):g} "
            f"and then to eta = {float(eta_):g} "
            f"and prints the readouts. What is the loss at step {steps} for eta = {float(eta_):g}? Give the number "
            "as printed (three significant digits)."
        ),
        quantities={"eta": eta_, "steps": steps},
        answer=loss,
        tol=tol,
        hints=(
            ask("Which line of the readout belongs to the eta you set?"),
            method(f"Run the cell that calls explorer.set(eta={float(eta_):g}) and copy the number after 'loss'."),
            value(
                f"The factors are {float(q_flat):g} and {float(q_steep):g}: the steep axis's error shrinks only "
                f"{float(abs(q_steep)):g} times per step, so the loss is still {loss:.3g}."
            ),
        ),
        mistakes=(
            Mistake(
                "other-position",
                f"That is the loss at eta = {float(other):g}, the other line of the readout. At eta = {float(eta_):g} "
                f"the steep axis's factor is {float(q_steep):g}: near the threshold the loss falls about as slowly.",
                at_other,
            ),
        ),
    )


# ---- 06-noise-ball ---------------------------------------------------------------------------------


def _draw_noise_ball(rng):
    """A batch of m examples, 3 to 100 (m = 2 would make the one-example ball the generic slip 'twice')."""
    return {"m": int(rng.choice([3, 5, 6, 8, 10, 12, 16, 20, 24, 25, 32, 40, 50, 64, 100]))}


NOISE_BALL = Space("06-noise-ball", {"m": 4}, _draw_noise_ball)


@variant(NOISE_BALL)
def noise_ball(m):
    if m < 2:
        raise ValueError("a batch of at least 2 examples")
    V = sp.Symbol("V")
    per_step = s**2 / m  # the variance of a mean of m independent noises
    answer = sp.solve(sp.Eq(V, (1 - eta * lam) ** 2 * V + eta**2 * per_step), V)[0]
    return Problem(
        id="06-noise-ball",
        lesson=6,
        kind="expression",
        task="derive",
        sections=(4,),
        points=2,
        statement=(
            "SGD with a constant eta on L(theta) = (lam/2) theta^2. Each step's gradient is lam theta_t + xi_t, where "
            f"xi_t is the mean of the noise of m = {m} examples drawn independently, each with mean 0 and variance "
            "s^2, independent of everything before; so theta_{t+1} = (1 - eta lam) theta_t - eta xi_t. "
            "For 0 < eta lam < 2 the variance of theta_t settles at a stationary value V. "
            "Write V as an expression in eta, lam and s."
        ),
        quantities={"m": m},
        answer=answer,
        namespace=NS_NOISE,
        domain={**STABLE, "s": (0.2, 3.0)},
        hints=(
            ask(
                "What is the variance of xi_t, and what does 'stationary' say about Var(theta_{t+1}) and Var(theta_t)?"
            ),
            method(
                "Take the variance of both sides of the update: the two terms are independent, Var(a X) = a^2 Var(X), "
                "and a mean of m independent noises has 1/m of one's variance. Set both variances to V and solve."
            ),
            value(f"Var(xi_t) = s^2/{m}, and 1 - (1 - eta lam)^2 = eta lam (2 - eta lam): one eta cancels."),
        ),
        mistakes=(
            Mistake(
                "eta-squared",
                "One eta too many: 1 - (1 - eta lam)^2 = eta lam (2 - eta lam) carries a "
                "factor eta that cancels one eta of eta^2 Var(xi).",
                eta**2 * per_step / (lam * (2 - eta * lam)),
                same_as=("extra-factor",),  # a factor eta too many
            ),
            Mistake(
                "small-eta",
                "That is the small-eta approximation: the exact stationary variance keeps "
                "the factor (2 - eta lam) in the denominator.",
                eta * per_step / (2 * lam),
            ),
            Mistake(
                "one-example",
                f"That is the noise ball of one example per step. A mean of m = {m} independent noises has variance "
                f"s^2/{m}, so the ball is {m} times smaller.",
                eta * s**2 / (lam * (2 - eta * lam)),
            ),
            Mistake(
                "sd-over-m",
                f"You divided s^2 by m^2: the mean of m = {m} independent noises has variance s^2/m (its standard "
                "deviation is s/sqrt(m)).",
                eta * s**2 / (m**2 * lam * (2 - eta * lam)),
            ),
            Mistake(
                "sigma-not-variance",
                "You used s where s^2 was meant: each example's noise has variance s^2.",
                eta * s / (m * lam * (2 - eta * lam)),
                same_as=("divided-by",),  # s^2 with one s lost
            ),
            Mistake(
                "noise-not-scaled",
                "The noise enters the update as eta xi_t, so it adds eta^2 Var(xi_t) to the variance, not Var(xi_t).",
                per_step / (eta * lam * (2 - eta * lam)),
            ),
            Mistake(
                "sd-not-variance",
                "That is the standard deviation of the noise ball; the variance V is its square.",
                sp.sqrt(answer),
                same_as=("square-root",),
            ),
        ),
    )


# ---- 06-decay-conditions: read the table of sums ----------------------------------------------------


def _draw_decay_conditions(rng):
    """eta0 in {0.1, 0.2, 0.25, 0.3, 0.5}, t0 in {10, 20, 50, 100}, a geometric factor in {1/4, 1/2, 4/5, 9/10}."""
    return {
        "eta0": Fraction(int(rng.choice([2, 4, 5, 6, 10])), 20),
        "t0": int(rng.choice([10, 20, 50, 100])),
        "halving": Fraction(*(int(v) for v in [(1, 4), (1, 2), (4, 5), (9, 10)][int(rng.integers(4))])),
    }


DECAY_CONDITIONS = Space(
    "06-decay-conditions", {"eta0": Fraction(1, 5), "t0": 50, "halving": Fraction(1, 2)}, _draw_decay_conditions
)


@variant(DECAY_CONDITIONS)
def decay_conditions(eta0, t0, halving):
    if not 0 < halving < 1 or t0 < 1:
        raise ValueError("need a geometric factor in (0, 1) and t0 >= 1")
    e0_, h = float(eta0), float(halving)
    return Problem(
        id="06-decay-conditions",
        lesson=6,
        kind="choice",
        task="read",
        sections=(4,),
        statement=(
            f"The notebook prints, for three schedules, the sums of eta_t and of eta_t^2 up to T = 10^3, 10^4 and "
            f"10^5: a constant {e0_:g}, eta_t = {e0_:g} * {t0}/({t0} + t), and eta_t = {e0_:g} * {h:g}^t. "
            "Which schedule lets SGD on the noisy bowl reach the minimum itself as T grows?"
        ),
        quantities={"eta": eta0, "T": None},
        options=(
            f"The constant {e0_:g}: its runs have not converged yet, and run long enough they arrive.",
            f"{e0_:g} * {t0}/({t0} + t): the sum of eta_t keeps growing while the sum of eta_t^2 levels off.",
            f"{e0_:g} * {h:g}^t: its steps shrink fastest, so its noise is the smallest.",
            "All three: with T large enough any positive step arrives.",
        ),
        answer="b",
        hints=(
            ask("Which of the two sums must grow without bound, and which must stay finite?"),
            method(
                "Read each row across the three horizons: a sum that keeps growing from column to column "
                "is going to infinity, one that stops changing is finite. Keep the schedule that does both right."
            ),
        ),
        mistakes=(
            Mistake(
                "not-converged-yet",
                "The constant step's sum of eta_t^2 grows in proportion to T: its noise never dies out. Its runs sit "
                "in a noise ball of fixed size, and running longer does not shrink it; decaying eta does.",
                "a",
            ),
            Mistake(
                "decays-too-fast",
                f"Its sum of eta_t stops growing (it stays below {1 / (1 - h):.3g} times its first step): "
                "the steps add "
                "up to a finite distance, so the mean error keeps a fixed share of e_0 and the run freezes away from "
                "the minimum.",
                "c",
            ),
            Mistake(
                "any-step",
                "A constant step keeps its noise ball for ever, and a halving step freezes: only a schedule with an "
                "infinite sum of eta_t and a finite sum of eta_t^2 arrives.",
                "d",
            ),
        ),
    )


# ---- 06-warmup-cosine ------------------------------------------------------------------------------


def _draw_warmup_cosine(rng):
    """eta0 in {0.1, 0.2, 0.4, 0.5, 1}, a warmup of 4 to 20 steps and a cosine phase of 60 to 200; one step asked
    in the warmup, the other a share 1/6 .. 5/6 into the cosine phase (a cosine known by heart)."""
    warmup, phase = int(rng.choice([4, 5, 8, 10, 20])), int(rng.choice([60, 100, 120, 200]))
    shares = [Fraction(k, n) for k, n in ((1, 6), (1, 4), (1, 3), (1, 2), (2, 3), (3, 4), (5, 6))]
    shares = [share for share in shares if (share * phase).denominator == 1]
    share = shares[int(rng.integers(len(shares)))]
    return {
        "eta0": Fraction(int(rng.choice([1, 2, 4, 5, 10])), 10),
        "warmup": warmup,
        "total": warmup + phase,
        "asked": (int(rng.integers(0, warmup)), warmup + int(share * phase)),
    }


WARMUP_COSINE = Space(
    "06-warmup-cosine", {"eta0": Fraction(2, 5), "warmup": 10, "total": 110, "asked": (6, 85)}, _draw_warmup_cosine
)


@variant(WARMUP_COSINE)
def warmup_cosine(eta0, warmup, total, asked):
    first, second = asked
    if not (0 <= first < warmup <= second <= total):
        raise ValueError("the first step asked must be in the warmup, the second in the cosine phase")
    e0_ = float(eta0)
    answer = tuple(schedules.warmup_cosine(k, e0_, warmup, total) for k in asked)
    warm_off = e0_ * first / warmup  # t / warmup instead of (t + 1) / warmup
    unshifted = schedules.cosine(second, e0_, total - warmup)  # t where t - warmup belongs
    whole_run = schedules.cosine(second, e0_, total)  # the cosine over all T steps, no warmup taken off
    no_half = 2 * answer[1]  # eta0 (1 + cos) without the 1/2
    return Problem(
        id="06-warmup-cosine",
        lesson=6,
        kind="number",
        task="compute",
        sections=(5,),
        statement=(
            f"A schedule with eta0 = {e0_:g}, warmup T_w = {warmup} and total T = {total} steps: "
            "eta_t = eta0 (t + 1) / T_w for t < T_w, then "
            "eta_t = eta0 (1 + cos(pi (t - T_w) / (T - T_w))) / 2. "
            f"Give eta_t at t = {first} and at t = {second}, as a list of 2 numbers."
        ),
        quantities={"eta0": eta0, "T_w": warmup, "T": total},
        answer=answer,
        tol=1e-6,
        hints=(
            ask(f"Which phase is t = {first} in, and which is t = {second} in?"),
            method(
                "In the warmup use (t + 1) / T_w. In the cosine phase the clock restarts at T_w: "
                "use t - T_w steps out of T - T_w."
            ),
            value(
                f"t = {second} is step {second - warmup} of {total - warmup}, so the angle is "
                f"pi * {second - warmup}/{total - warmup}."
            ),
        ),
        mistakes=(
            Mistake(
                "warmup-off-by-one",
                "Off by one in the warmup: it uses (t + 1) / T_w, so step t = 0 already moves with eta0 / T_w.",
                (warm_off, answer[1]),
            ),
            Mistake(
                "cosine-not-shifted",
                "The cosine phase starts when the warmup ends: use t - T_w steps "
                "into a phase of T - T_w steps, not t steps.",
                (answer[0], unshifted),
            ),
            Mistake(
                "cosine-whole-run",
                "That cosine runs over all T steps from t = 0. Here it starts when the warmup ends: "
                "use t - T_w steps into a phase of T - T_w steps.",
                (answer[0], whole_run),
            ),
            Mistake(
                "cosine-missing-half",
                "The cosine term is (1 + cos(...)) / 2, which runs from 1 down to 0; "
                "without the 1/2 the rate would start at 2 eta0.",
                (answer[0], no_half),
                same_as=("factor-2",),  # the 1/2 dropped: twice the second entry, for any numbers
            ),
        ),
    )


# ---- 06-step-decay: implement a schedule ------------------------------------------------------------


def step_decay_reference(t, eta0, factor, every):
    """eta_t = eta0 * factor ** floor(t / every), as a float (schedules.step_decay's formula, written
    out so that it takes any numbers, float32 included)."""
    return float(eta0 * factor ** (t // every))


def _step_cases(rng, eta0, factor, every):
    """Test cases: the problem's own schedule at t = 0, just before and at the first drop and between the
    second and third; a drop every 3 steps; four drawn by rng."""
    own = dict(eta0=float(eta0), factor=float(factor), every=every)
    cases = [
        dict(t=0, **own),  # the first step: no drop yet
        dict(t=every - 1, **own),  # the last step before the first drop
        dict(t=every, **own),  # the first dropped step
        dict(t=5 * every // 2 - 1, **own),
        dict(t=7, eta0=1.0, factor=0.5, every=3),
        dict(t=9, eta0=1.0, factor=0.5, every=3),
    ]
    for _ in range(4):
        every = int(rng.integers(2, 50))
        cases.append(
            dict(
                t=int(rng.integers(0, 10 * every)),
                eta0=round(float(rng.uniform(0.05, 1)), 3),
                factor=round(float(rng.uniform(0.1, 0.9)), 2),
                every=every,
            )
        )
    return cases


def _draw_step_decay(rng):
    """eta0 in {0.1, 0.2, 0.5, 1}, a factor in {0.1, 0.2, 0.5}, a drop every 10 to 500 steps, shown just before
    and at the first drop; the seed of the drawn test cases."""
    every = int(rng.choice([10, 50, 100, 200, 400, 500]))
    return {
        "eta0": Fraction(int(rng.choice([1, 2, 5, 10])), 10),
        "factor": Fraction(1, int(rng.choice([10, 5, 2]))),
        "every": every,
        "shown": (every - 1, every),
        "seed": int(rng.integers(0, 1000)),
    }


STEP_DECAY = Space(
    "06-step-decay",
    {"eta0": Fraction(1, 5), "factor": Fraction(1, 10), "every": 400, "shown": (399, 400), "seed": 6},
    _draw_step_decay,
)


@variant(STEP_DECAY)
def step_decay(eta0, factor, every, shown, seed):
    examples = ", ".join(
        f"step_decay({k}, {float(eta0):g}, {float(factor):g}, {every}) = "
        f"{step_decay_reference(k, float(eta0), float(factor), every):.4g}"
        for k in shown
    )
    return Problem(
        id="06-step-decay",
        lesson=6,
        kind="function",
        task="implement",
        sections=(5,),
        points=2,
        statement=(
            "Write step_decay(t, eta0, factor, every): the step decay eta_t = eta0 * factor^floor(t / every) "
            "for a step number t = 0, 1, 2, ..., a drop by the factor every `every` steps, returned as a float. "
            f"For example {examples}."
        ),
        quantities={"eta": eta0, "factor": factor},
        signature="step_decay(t, eta0, factor, every) -> float",
        answer=step_decay_reference,
        cases=functools.partial(_step_cases, eta0=eta0, factor=factor, every=every),
        seed=seed,
        hints=(
            ask("How many drops have happened by step t, counting the first drop at t = every?"),
            method("The number of drops is the whole part of t / every (t // every in Python); raise factor to it."),
        ),
        mistakes=(
            Mistake(
                "no-floor",
                "The rate falls smoothly: factor^(t / every) drops a little at every step. A step decay holds eta "
                "fixed between drops: use the whole number of drops, t // every.",
                lambda t, eta0, factor, every: eta0 * factor ** (t / every),
            ),
            Mistake(
                "drop-at-start",
                "The first drop comes too early: at t = 0 the rate must be eta0 itself; after k * every steps it "
                "has dropped k times, so the exponent is t // every.",
                lambda t, eta0, factor, every: eta0 * factor ** (t // every + 1),
            ),
            Mistake(
                "rounded-up",
                "Rounding t / every up drops the rate as soon as a step passes the last drop: use the whole part, "
                "t // every, so the rate holds until the next multiple of every.",
                lambda t, eta0, factor, every: eta0 * factor ** math.ceil(t / every),
            ),
            Mistake(
                "linear-drop",
                "A step decay multiplies by the factor at each drop (a power), not by factor times the number "
                "of drops.",
                lambda t, eta0, factor, every: eta0 * (factor * (t // every) if t // every else 1.0),
            ),
        ),
    )


# ---- 06-race-evaluations: read the race in per-example gradients -------------------------------------


def race(n, d, m, seed, target, gd_steps=100, sgd_steps=2000):
    """Steps (GD, SGD) to a relative excess loss <= target on least squares with n examples: GD with
    eta = 1/lambda_max and the full batch, SGD with batches of m drawn with replacement and
    eta = 0.5/lambda_max, seeded. The notebook runs the same race."""
    rng = np.random.default_rng(seed)
    X, y, _ = make_linear_regression(n, d, rng)
    X = X * np.logspace(0, -0.5, d)  # curvatures spread about tenfold
    model = LeastSquares(X, y)
    lam_max = np.linalg.eigvalsh(X.T @ X / n).max()
    best = model.solution()
    loss_min, loss_0 = model.loss(best), model.loss(np.zeros(d))

    def first(run):
        gaps = (np.array([model.loss(th) for th in run.thetas]) - loss_min) / (loss_0 - loss_min)
        hit = np.nonzero(gaps <= target)[0]
        if not hit.size:
            raise ValueError("the race must reach the target")
        return int(hit[0])

    gd = sgd(model, np.zeros(d), 1 / lam_max, m=n, steps=gd_steps, sampling="shuffle", track_loss=False)
    sg = sgd(model, np.zeros(d), 0.5 / lam_max, m=m, steps=sgd_steps, rng=rng, sampling="replace", track_loss=False)
    return first(gd), first(sg)


def _draw_race(rng):
    """N in {1000, 2000, 4000}, m in {5, 10, 20}, the seed of the data and of SGD's draws, a target of 5 or 10 %."""
    return {
        "n": int(rng.choice([1000, 2000, 4000])),
        "m": int(rng.choice([5, 10, 20])),
        "seed": int(rng.integers(0, 1000)),
        "percent": int(rng.choice([5, 10])),
    }


RACE = Space("06-race-evaluations", {"n": 2000, "m": 10, "seed": 6, "percent": 5}, _draw_race)


@variant(RACE)
def race_evaluations(n, m, seed, percent):
    k_gd, k_sgd = race(n, 5, m, seed, percent / 100)
    answer = (Fraction(k_gd * n), Fraction(k_sgd * m))
    return Problem(
        id="06-race-evaluations",
        lesson=6,
        kind="number",
        task="read",
        sections=(6,),
        statement=(
            f"Run the small race in the notebook: least squares with N = {n} examples, full-batch GD against SGD "
            f"with batches of m = {m}. It prints how many steps each needs to bring the relative excess loss to "
            f"{percent / 100:g}. How many per-example gradients did each evaluate to get there? Give "
            "[GD's count, SGD's count], a list of 2 numbers."
        ),
        quantities={"N": n, "m": m},
        answer=answer,
        tol=0.5,
        hints=(
            ask("How many per-example gradients does one GD step cost, and one SGD step?"),
            method("Multiply each method's step count by its cost per step: N for GD, m for SGD."),
            value(f"GD took {k_gd} steps and SGD {k_sgd}."),
        ),
        mistakes=(
            Mistake(
                "per-step",
                f"Those are the step counts. A GD step costs N = {n} per-example gradients and an SGD step m = {m}: "
                "compare optimisers by the work done, not by steps.",
                (Fraction(k_gd), Fraction(k_sgd)),
                same_as=("divided-by-n",),  # each count divided by its cost per step, N and m
            ),
            Mistake(
                "swapped",
                "The two counts are swapped: the first entry is GD's, the second SGD's.",
                (answer[1], answer[0]),
                same_as=("order",),
            ),
            Mistake(
                "sgd-one-per-step",
                f"An SGD step evaluates the gradient of each of its m = {m} examples, not one.",
                (answer[0], Fraction(k_sgd)),
                same_as=("divided-by-n",),  # SGD's count divided by m
            ),
        ),
    )


# ---- module-level names the lesson's tests read -----------------------------------------------------

CURVATURES = (threshold.params["lam_1"], threshold.params["lam_2"])
LAM_MAX, LAM_MIN = max(CURVATURES), min(CURVATURES)
THRESHOLD = threshold.answer
CRAWL_ETA, CRAWL_LAM = crawl_steps.params["eta_"], crawl_steps.params["lam_"]
CRAWL_TARGET = Fraction(1, crawl_steps.params["shrink"])
CRAWL_STEPS = int(crawl_steps.answer)
REGIME_LAM, REGIME_ETA = regime.params["lam_"], regime.params["eta_"]
ETA0, WARMUP, TOTAL = float(warmup_cosine.params["eta0"]), warmup_cosine.params["warmup"], warmup_cosine.params["total"]
STEPS_ASKED = warmup_cosine.params["asked"]
NOISE_M = noise_ball.params["m"]
THETA0, MIN_C = error_after_t.params["theta0"], error_after_t.params["c"]

PROBLEMS = (
    error_after_t,
    regime,
    crawl_steps,
    threshold,
    eta_choice,
    slider_predict,
    slider_read,
    noise_ball,
    decay_conditions,
    warmup_cosine,
    step_decay,
    race_evaluations,
)

COMMON_MISTAKES = {
    r"Tuning $\eta$ by the flat direction": (
        ("06-threshold", "flat-axis"),
        ("06-threshold", "flat-axis-one-over"),
    ),
    'Reading the noise ball as "not converged yet"': (("06-decay-conditions", "not-converged-yet"),),
    "Decaying too early or too fast": (
        ("06-decay-conditions", "decays-too-fast"),
        ("06-step-decay", "drop-at-start"),
    ),
    "Comparing optimisers per step": (("06-race-evaluations", "per-step"),),
}
