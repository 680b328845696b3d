"""Lesson 1 problems: the steepest descent direction, empirical risk, one full-batch GD step, its cost,
gradient descent on a bowl like the lesson's (a prediction, its reading, and the loop written out).

The data of problems 2 and 4 are three points (x_i, y_i) with l_i = (1/2)(w x_i - y_i)^2, so
L(w) = (1/N) sum_i l_i and dL/dw = (1/N) sum_i (w x_i - y_i) x_i. Three points, not two, and a
start w0 != 0: with N = 2 the total loss is also "the 1/2 dropped", and at w = 0 an example with
y_i = 0 has gradient 0, so "sum" and "one example only" would give the same number.

Today's bowl is section 3's: curvatures (1, 5), minimum (1, 0.5), start (-4, 2); a learner's bowl
(BOWL_RUN) has a steep curvature of LARGE_STEPS with a large step that keeps the point of problems 5
and 6: the larger step needs more steps. Every number is computed from a factory's parameters
(variant) with the library (Linear1D, QuadraticBowl, sgd).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from ..checking import Mistake
from ..models import Linear1D, QuadraticBowl
from ..sgd import sgd
from .problem import Problem, ask, exact, method, value, variant
from .variants import Space

w = sp.Symbol("w", real=True)


def _num(v):
    """A Fraction written for the learner: 7/10 -> 0.7, 3 -> 3."""
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"{float(v):g}"


def _points(xs, ys):
    return ", ".join(f"({_num(x)}, {_num(y)})" for x, y in zip(xs, ys))


def _exact_model(xs, ys):
    return Linear1D(
        np.array([Fraction(x) for x in xs], dtype=object), np.array([Fraction(y) for y in ys], dtype=object)
    )


def _risk(xs, ys, residual=lambda x, y: w * x - y, half=sp.Rational(1, 2), mean=True):
    total = sum(half * residual(sp.Rational(x), sp.Rational(y)) ** 2 for x, y in zip(xs, ys))
    return total / len(xs) if mean else total


# ---- 1. the steepest direction -----------------------------------------------------------------

STEEPEST = Problem(
    id="01-steepest-direction",
    lesson=1,
    kind="choice",
    task="concept",
    sections=(1,),
    statement=(
        "Let g = grad L(theta) be nonzero, and let c be the minimiser of L. A short move of length eps "
        "along a unit vector u changes the loss by roughly eps (u . g). Which unit vector u makes that "
        "change as negative as possible?"
    ),
    options=(
        "u = g / |g|",
        "u = -g / |g|",
        "u = -g",
        "any u with u . g = 0",
        "u = (c - theta) / |c - theta|, the unit vector towards the minimiser",
    ),
    answer="b",
    hints=(
        ask("How does u . g depend on the angle between u and g, when |u| = 1?"),
        method("Write u . g = |u| |g| cos(angle); with |u| = 1 it is smallest where the cosine is -1."),
    ),
    mistakes=(
        Mistake(
            "sign",
            "Along g / |g| the product u . g equals +|g|: the loss rises fastest there (steepest ascent). Turn around.",
            "a",
        ),
        Mistake(
            "not-unit",
            "-g points the right way, but its length is |g|, not 1; the question compares unit vectors only.",
            "c",
        ),
        Mistake(
            "level-set",
            "With u . g = 0 the first-order change is zero: that direction runs along a contour line of L.",
            "d",
        ),
        Mistake(
            "towards-minimum",
            "The gradient knows only the neighbourhood of theta, not where the minimiser is. On an elongated "
            "bowl -g is tilted away from the direction to c, and along -g / |g| the loss falls faster.",
            "e",
        ),
    ),
)


# ---- 2. the empirical risk ---------------------------------------------------------------------


def _draw_points(rng):
    """Three examples with distinct x in 1..4 and y in 0..3."""
    return {
        "xs": tuple(int(x) for x in sorted(rng.choice([1, 2, 3, 4], size=3, replace=False))),
        "ys": tuple(int(y) for y in rng.integers(0, 4, size=3)),
    }


EMPIRICAL_RISK = Space("01-empirical-risk", {"xs": (1, 2, 3), "ys": (2, 0, 1)}, _draw_points)


@variant(EMPIRICAL_RISK)
def empirical_risk(xs, ys):
    n = len(xs)
    if n < 3 or len(ys) != n:
        raise ValueError("three or more examples, one y per x (with N = 2 'sum' and 'no 1/2' coincide)")
    risk = _risk(xs, ys)
    return Problem(
        id="01-empirical-risk",
        lesson=1,
        kind="expression",
        task="derive",
        sections=(2,),
        statement=(
            f"Take the N = {n} examples (x, y) = {_points(xs, ys)}, with l_i(w) = (1/2)(w x_i - y_i)^2. "
            "Write the empirical risk L(w) = (1/N) sum_i l_i(w) as an expression in w."
        ),
        quantities={"N": n},
        answer=risk,
        namespace={"w": w},
        domain={"w": (-3, 3)},
        hints=(
            ask("What is the loss l_i(w) of one example, and how does L combine the N of them?"),
            method("Write l_i(w) = (1/2)(w x_i - y_i)^2 for each example, add them, and divide the sum by N."),
            value(f"Expanded, L(w) = {sp.expand(risk)}."),
        ),
        mistakes=(
            Mistake(
                "sum-not-mean",
                f"That is the total loss sum_i l_i; the empirical risk divides it by N = {n}.",
                _risk(xs, ys, mean=False),
            ),
            Mistake(
                "dropped-half",
                "The 1/2 of l_i(w) = (1/2)(w x_i - y_i)^2 is missing: this is twice L.",
                _risk(xs, ys, half=1),
                same_as=("factor-2",),
            ),
            Mistake(
                "sign",
                "A sign slipped inside the square: the residual is w x_i - y_i.",
                _risk(xs, ys, residual=lambda x, y: w * x + y),
            ),
        ),
    )


# ---- 3. the full gradient as a function --------------------------------------------------------


def full_gradient(w, x, y):
    """dL/dw = (1/N) sum_i (w x_i - y_i) x_i, via the library's Linear1D."""
    return Linear1D(np.asarray(x, float), np.asarray(y, float)).grad(np.array([w], float))[0]


def _draw_sizes(rng):
    """The N of the four random test cases: distinct, from 2 to 12."""
    return {"sizes": tuple(int(n) for n in sorted(rng.choice(np.arange(2, 13), size=4, replace=False)))}


FULL_GRADIENT = Space("01-full-gradient", {"sizes": (2, 3, 5, 8)}, _draw_sizes)


@variant(FULL_GRADIENT)
def full_gradient_problem(sizes):
    def cases(rng):
        out = [
            dict(w=0.0, x=np.array([1.0]), y=np.array([2.0])),  # a single example
            dict(w=0.0, x=np.zeros(3), y=np.zeros(3)),  # all zeros
            dict(w=0.12, x=np.array([1.0, 2.0, 3.0]), y=np.array([2.0, 0.0, 1.0])),  # problem 2's data
        ]
        for n in sizes:
            out.append(
                dict(
                    w=float(np.round(rng.normal(), 2)),
                    x=np.round(rng.normal(size=n), 2),
                    y=np.round(rng.normal(size=n), 2),
                )
            )
        return out

    return Problem(
        id="01-full-gradient",
        lesson=1,
        kind="function",
        task="implement",
        sections=(2,),
        statement=(
            "Write full_gradient(w, x, y) for the model y_hat = w x with l_i = (1/2)(w x_i - y_i)^2: "
            "given a float w and arrays x, y of N examples, return the full gradient "
            "dL/dw = (1/N) sum_i (w x_i - y_i) x_i as a float."
        ),
        quantities={"N": None},
        signature="full_gradient(w, x, y) -> float",
        answer=full_gradient,
        cases=cases,
        hints=(
            ask("What is the derivative of one example's loss, and how do the N of them combine into dL/dw?"),
            method("With numpy, (w * x - y) * x is the array of the N per-example gradients; average it."),
        ),
        mistakes=(
            Mistake(
                "sum-not-mean",
                "Your function returns the sum of the per-example gradients; L is an average, so divide by N.",
                lambda w, x, y: np.sum((w * x - y) * x),
            ),
            Mistake(
                "sign",
                "Sign error: the residual is w x_i - y_i, not y_i - w x_i.",
                lambda w, x, y: np.mean((y - w * x) * x),
            ),
            Mistake(
                "missing-chain-factor",
                "The chain rule brings a factor x_i: d/dw of (1/2)(w x_i - y_i)^2 is (w x_i - y_i) x_i. "
                "A gradient with a missing factor still produces numbers; compare it with finite differences.",
                lambda w, x, y: np.mean(w * x - y),
            ),
        ),
    )


# ---- 4. one full-batch step --------------------------------------------------------------------


def _draw_gd_step(rng):
    """Three examples with distinct x in 1..4 and y in 0..3; eta 1/5, 1/10 or 1/20; w0 1, 2 or -1."""
    return {
        **_draw_points(rng),
        "eta": Fraction(1, int(rng.choice([5, 10, 20]))),
        "w0": Fraction(int(rng.choice([1, 2, -1]))),
    }


GD_STEP = Space(
    "01-gd-step", {"xs": (1, 2, 3), "ys": (2, 0, 1), "eta": Fraction(1, 10), "w0": Fraction(1)}, _draw_gd_step
)


@variant(GD_STEP)
def gd_step(xs, ys, eta, w0):
    n = len(xs)
    if n < 3 or len(ys) != n:
        raise ValueError("three or more examples, one y per x")
    model = _exact_model(xs, ys)
    start = np.array([Fraction(w0)], dtype=object)
    grads = [exact(g) for g in model.per_example_grads(start)[:, 0]]
    grad = exact(model.grad(start))
    step = exact(sgd(model, start, Fraction(eta), batches=[list(range(n))]).theta)
    if 0 in grads or grad == 0:
        raise ValueError("no per-example gradient may vanish at w0: 'sum' and 'one example' would coincide")
    no_x = sum(Fraction(w0) * Fraction(x) - Fraction(y) for x, y in zip(xs, ys)) / n
    return Problem(
        id="01-gd-step",
        lesson=1,
        kind="number",
        task="compute",
        sections=(2, 3),
        statement=(
            f"Take the N = {n} examples (x, y) = {_points(xs, ys)} with l_i(w) = (1/2)(w x_i - y_i)^2, so that "
            f"dL/dw = (1/N) sum_i (w x_i - y_i) x_i. Starting at w0 = {_num(w0)}, take one full-batch gradient "
            f"descent step with eta = {_num(eta)}. What is w1?"
        ),
        quantities={"N": n, "eta": Fraction(eta)},
        answer=step,
        hints=(
            ask(
                "What is each example's gradient (w x_i - y_i) x_i at w0, and what does the full gradient do with them?"
            ),
            method("Average the N per-example gradients to get dL/dw at w0, then step: w1 = w0 - eta * dL/dw."),
            value(f"The per-example gradients at w0 are {', '.join(map(_num, grads))}; their mean is {_num(grad)}."),
        ),
        mistakes=(
            Mistake(
                "sign",
                "The step moved uphill: gradient descent subtracts eta times the gradient.",
                Fraction(w0) + Fraction(eta) * grad,
            ),
            Mistake(
                "sum-not-mean",
                f"That step used the sum of the per-example gradients; L averages them, so divide the sum by N = {n}.",
                Fraction(w0) - Fraction(eta) * sum(grads),
            ),
            Mistake(
                "one-example",
                "That is an SGD step on example 1 alone; a full-batch step averages the gradients of all N examples.",
                Fraction(w0) - Fraction(eta) * grads[0],
            ),
            Mistake(
                "missing-x",
                "The chain rule's factor x_i is missing: each example's gradient is the residual times x_i.",
                Fraction(w0) - Fraction(eta) * no_x,
            ),
        ),
    )


# ---- 5 and 6. gradient descent on a bowl like the lesson's: predict, run, read ------------------

BOWL = dict(curvatures=(1, 5), center=(1, Fraction(1, 2)), theta0=(-4, 2))


def _bowl(curvatures, center):
    return QuadraticBowl(curvatures=[float(v) for v in curvatures], center=[float(v) for v in center])


def steps_to(curvatures, center, theta0, eta, tol, limit=2000):
    """The first t with |theta_t - c| < tol for gradient descent on the bowl (library sgd), or None
    when the run diverges or has not got there after `limit` steps."""
    bowl = _bowl(curvatures, center)
    run = sgd(bowl, np.array([float(v) for v in theta0]), float(eta), m=bowl.n, steps=limit, track_loss=False)
    dist = np.linalg.norm(run.thetas - bowl.minimum, axis=1)
    below = np.flatnonzero(dist < float(tol))
    return int(below[0]) if below.size and run.diverged_at is None else None


def axis_steps(curvatures, center, theta0, eta, tol, axis):
    """The first t at which axis `axis` alone is within tol: |1 - eta lambda|^t |theta0 - c| < tol."""
    factor = abs(1 - Fraction(eta) * Fraction(curvatures[axis]))
    gap = abs(Fraction(theta0[axis]) - Fraction(center[axis]))
    t = 0
    while gap >= Fraction(tol):
        gap *= factor
        t += 1
    return t


def _bowl_text(curvatures, center, theta0):
    return (
        f"the bowl L(theta) = (1/2) sum_k lambda_k (theta_k - c_k)^2 with curvatures lambda = "
        f"({', '.join(map(_num, curvatures))}), minimum c = ({', '.join(map(_num, center))}), start theta_0 = "
        f"({', '.join(map(_num, theta0))})"
    )


PREDICT_OPTIONS = (
    "fewer steps: the steps are longer",
    "more steps",
    "it never gets there: it diverges",
)


# the steep curvature lambda_2 and the large steps eta for it: eta lambda_2 in [1.9, 1.95], so the steep
# axis's factor 1 - eta lambda_2 is near -1 and sets the pace, slower than the flat axis with eta_ref
LARGE_STEPS = {
    4: (Fraction(19, 40), Fraction(12, 25)),
    5: (Fraction(19, 50), Fraction(39, 100)),
    6: (Fraction(8, 25), Fraction(13, 40)),
    8: (Fraction(6, 25),),
}


def _whole(v):
    """A Fraction that is whole as an int (the bowl's numbers are written like the lesson's)."""
    return int(v) if v.denominator == 1 else v


def _draw_bowl(rng):
    """The bowl (1, lambda_2), its minimum and start, a reference step 0.15 or 0.2, a large step
    from LARGE_STEPS and the tolerance 0.01 or 0.001."""
    steep = int(rng.choice(list(LARGE_STEPS)))
    return {
        "curvatures": (1, steep),
        "center": tuple(
            _whole(Fraction(v)) for v in (rng.choice(["1", "-1", "1/2"]), rng.choice(["1/2", "-1/2", "1"]))
        ),
        "theta0": (int(rng.choice([-4, -3, 3, 4])), int(rng.choice([-2, 2, 3]))),
        "eta_ref": Fraction(int(rng.choice([3, 4])), 20),
        "eta": LARGE_STEPS[steep][int(rng.integers(len(LARGE_STEPS[steep])))],
        "tol": Fraction(1, int(rng.choice([100, 1000]))),
    }


BOWL_RUN = Space(
    "01-bowl-predict",
    {**BOWL, "eta_ref": Fraction(3, 20), "eta": Fraction(19, 50), "tol": Fraction(1, 1000)},
    _draw_bowl,
)


@variant(BOWL_RUN)
def bowl_predict(curvatures, center, theta0, eta_ref, eta, tol):
    ref = steps_to(curvatures, center, theta0, eta_ref, tol)
    if ref is None:
        raise ValueError("the reference step size must converge")
    got = steps_to(curvatures, center, theta0, eta, tol)
    answer = "c" if got is None else ("a" if got < ref else "b")
    return Problem(
        id="01-bowl-predict",
        lesson=1,
        kind="predict",
        task="predict",
        sections=(3,),
        statement=(
            f"Gradient descent runs on {_bowl_text(curvatures, center, theta0)}. With eta = {_num(eta_ref)} it needs "
            f"{ref} steps until |theta_t - c| < {_num(tol)}. Predict: with eta = {_num(eta)}, it needs"
        ),
        quantities={"eta": Fraction(eta)},
        options=PREDICT_OPTIONS,
        answer=answer,
    )


@variant(BOWL_RUN)
def bowl_steps(curvatures, center, theta0, eta_ref, eta, tol):
    got = steps_to(curvatures, center, theta0, eta, tol)
    ref = steps_to(curvatures, center, theta0, eta_ref, tol)
    if got is None or ref is None:
        raise ValueError("both step sizes must converge for a count to read")
    flat = axis_steps(curvatures, center, theta0, eta, tol, 0)
    return Problem(
        id="01-bowl-steps",
        lesson=1,
        kind="number",
        task="read",
        sections=(3,),
        statement=(
            f"Run the experiment: gradient descent on {_bowl_text(curvatures, center, theta0)}, with eta = "
            f"{_num(eta_ref)} and eta = {_num(eta)}. How many steps does eta = {_num(eta)} need until "
            f"|theta_t - c| < {_num(tol)} for the first time?"
        ),
        quantities={"eta": Fraction(eta)},
        answer=got,
        hints=(
            ask(f"Which line of the experiment's output belongs to eta = {_num(eta)}, and what do its factors say?"),
            method(
                "Each axis shrinks by the factor |1 - eta lambda_k| per step; the axis whose factor is closest to 1 "
                "in size is the slowest and sets the count."
            ),
        ),
        mistakes=(
            Mistake(
                "other-eta",
                f"That is the count for eta = {_num(eta_ref)}, the other line of the output.",
                ref,
            ),
            Mistake(
                "flat-axis",
                "That is what the flat axis alone needs. With the larger step the steep axis's factor "
                "1 - eta lambda_2 is close to -1: it overshoots back and forth and sets the pace.",
                flat,
            ),
        ),
    )


# ---- 7. the cost of a full-batch step ----------------------------------------------------------


def _draw_step_cost(rng):
    """N a round number of thousands, m a divisor of 1000: the count N / m is whole."""
    return {
        "N": int(rng.choice([20, 30, 40, 50, 60, 80, 100, 120])) * 1000,
        "m": int(rng.choice([20, 25, 40, 50, 100, 200, 250, 500])),
    }


STEP_COST = Space("01-step-cost", {"N": 60_000, "m": 100}, _draw_step_cost)


@variant(STEP_COST)
def step_cost(N, m):
    if m < 2 or N <= m:
        raise ValueError("2 <= m < N")
    return Problem(
        id="01-step-cost",
        lesson=1,
        kind="number",
        task="compute",
        sections=(4,),
        statement=(
            f"A data set has N = {N:,} examples. One full-batch step evaluates all N per-example "
            f"gradients. With mini-batches of m = {m}, how many SGD steps can you take for "
            "the same number of per-example gradient evaluations?"
        ),
        quantities={"N": N, "m": m},
        answer=Fraction(N // m),  # whole steps
        hints=(
            ask("What does one step of each kind cost, counted in per-example gradient evaluations?"),
            method("A full-batch step costs N evaluations and a mini-batch step m: divide the budget N by m."),
        ),
        mistakes=(
            Mistake(
                "single-example",
                f"That many steps would each use a single example; with m = {m} every step costs {m} gradient "
                "evaluations.",
                Fraction(N),
                same_as=("factor-n",),
            ),
            Mistake(
                "inverted",
                "The ratio is upside down: the budget is N evaluations, each step uses m.",
                Fraction(m, N),
            ),
            Mistake(
                "per-step",
                "That counts steps, one for one. A full-batch step and a mini-batch step are not the same unit "
                "of work: count per-example gradient evaluations, N against m.",
                Fraction(1),
                same_as=("wrong-divisor",),
            ),
        ),
    )


# ---- 8. the gradient-descent loop --------------------------------------------------------------


def gd_path(curvatures, center, theta0, eta, steps):
    """theta_0, ..., theta_steps of gradient descent on the bowl, as rows (library sgd)."""
    bowl = QuadraticBowl(curvatures=np.asarray(curvatures, float), center=np.asarray(center, float))
    return sgd(bowl, np.asarray(theta0, float), float(eta), m=bowl.n, steps=int(steps), track_loss=False).thetas


def _ascent(curvatures, center, theta0, eta, steps):
    theta, path = np.asarray(theta0, float), [np.asarray(theta0, float)]
    for _ in range(steps):
        theta = theta + eta * curvatures * (theta - center)
        path.append(theta)
    return np.array(path)


def _no_start(curvatures, center, theta0, eta, steps):
    theta, path = np.asarray(theta0, float), []
    for _ in range(steps):
        theta = theta - eta * curvatures * (theta - center)
        path.append(theta)
    return np.array(path)


def _shared(curvatures, center, theta0, eta, steps):
    theta = np.array(theta0, float)
    path = [theta]
    for _ in range(steps):
        theta -= eta * curvatures * (theta - center)  # in place: every row is the same array
        path.append(theta)
    return np.array(path)


def _draw_dims(rng):
    """The dimensions d of the four random test bowls: distinct, from 1 to 8."""
    return {"dims": tuple(int(d) for d in sorted(rng.choice(np.arange(1, 9), size=4, replace=False)))}


GD_LOOP = Space("01-gd-loop", {"dims": (1, 2, 3, 4)}, _draw_dims)


@variant(GD_LOOP)
def gd_loop(dims):
    def cases(rng):
        out = [
            dict(
                curvatures=np.array([1.0, 5.0]),
                center=np.array([1.0, 0.5]),
                theta0=np.array([-4.0, 2.0]),
                eta=0.15,
                steps=6,
            ),  # the lesson's bowl
            dict(curvatures=np.array([2.0]), center=np.array([0.0]), theta0=np.array([1.0]), eta=0.1, steps=1),
            dict(curvatures=np.array([1.0, 1.0]), center=np.zeros(2), theta0=np.zeros(2), eta=0.5, steps=3),
        ]
        for d in dims:
            lam = np.round(rng.uniform(0.5, 4.0, size=d), 2)
            out.append(
                dict(
                    curvatures=lam,
                    center=np.round(rng.normal(size=d), 2),
                    theta0=np.round(rng.normal(size=d) * 3, 2),
                    eta=float(np.round(rng.uniform(0.05, 1.8 / lam.max()), 2)),
                    steps=int(rng.integers(2, 8)),
                )
            )
        return out

    return Problem(
        id="01-gd-loop",
        lesson=1,
        kind="function",
        task="implement",
        sections=(3,),
        statement=(
            "Write gd_path(curvatures, center, theta0, eta, steps): gradient descent on the bowl "
            "L(theta) = (1/2) sum_k lambda_k (theta_k - c_k)^2, whose gradient is lambda * (theta - c) entrywise. "
            "Given arrays curvatures (lambda), center (c) and theta0 of shape (d,), a float eta and a whole "
            "number steps, return the iterates theta_0, theta_1, ..., theta_steps as the rows of an array of "
            "shape (steps + 1, d)."
        ),
        quantities={"eta": None, "steps": None},
        signature="gd_path(curvatures, center, theta0, eta, steps) -> array of shape (steps + 1, d)",
        answer=gd_path,
        cases=cases,
        hints=(
            ask("What does one step do to theta, and which rows must the result hold?"),
            method(
                "Keep a list that starts with theta0. In each of the steps, compute the gradient lambda * (theta - c), "
                "move against it by eta times it, and append the new theta as a new array (theta = theta - ..., "
                "not theta -= ...). Stack the list with np.array."
            ),
        ),
        mistakes=(
            Mistake(
                "ascent",
                "Your loop climbs: theta + eta grad L moves uphill. The update subtracts eta times the gradient.",
                _ascent,
            ),
            Mistake(
                "no-start",
                "The first row must be theta_0 itself: the result holds steps + 1 rows, theta_0 to theta_steps.",
                _no_start,
            ),
            Mistake(
                "shared-array",
                "Every row of your result is the last iterate: theta -= ... changes the array already in the list. "
                "Write theta = theta - ... (a new array), or append theta.copy().",
                _shared,
            ),
        ),
    )


PROBLEMS = (
    STEEPEST,
    empirical_risk,
    full_gradient_problem,
    gd_step,
    bowl_predict,
    bowl_steps,
    step_cost,
    gd_loop,
)

COMMON_MISTAKES = {
    "Wrong sign": (
        ("01-steepest-direction", "sign"),
        ("01-gd-step", "sign"),
        ("01-full-gradient", "sign"),
        ("01-empirical-risk", "sign"),
        ("01-gd-loop", "ascent"),
    ),
    "Sum instead of mean": (
        ("01-empirical-risk", "sum-not-mean"),
        ("01-gd-step", "sum-not-mean"),
        ("01-full-gradient", "sum-not-mean"),
    ),
    'Reading $-\\nabla L$ as "towards the minimum"': (("01-steepest-direction", "towards-minimum"),),
    "Trusting a hand-derived gradient unchecked": (
        ("01-full-gradient", "missing-chain-factor"),
        ("01-gd-step", "missing-x"),
    ),
    "Comparing methods by iteration count": (("01-step-cost", "per-step"),),
    "Using a step that suits the flat axis on the steep one": (("01-bowl-steps", "flat-axis"),),
}
