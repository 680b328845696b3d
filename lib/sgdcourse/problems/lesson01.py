"""Lesson 1 problems: the steepest descent direction, empirical risk, one full-batch GD step, its cost.

The data are the worked example's two points (1, 2) and (2, 0) with l_i = (1/2)(w x_i - y_i)^2,
so L(w) = (1/N) sum_i l_i and dL/dw = (1/N) sum_i (w x_i - y_i) x_i.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from ..checking import Mistake
from ..data import worked_example
from ..models import Linear1D
from ..sgd import sgd
from .problem import Problem, exact

EX = worked_example()  # exact Fractions: x = (1, 2), y = (2, 0), eta = 1/10, w0 = 0
MODEL = Linear1D(EX.X, EX.y)
DATA = "the two examples (x, y) = (1, 2) and (2, 0), with l_i(w) = (1/2)(w x_i - y_i)^2"

w = sp.Symbol("w", real=True)
POINTS = [(sp.Integer(int(x)), sp.Integer(int(y))) for x, y in zip(EX.X[:, 0], EX.y)]
RISK = sum(sp.Rational(1, 2) * (w * x - y) ** 2 for x, y in POINTS) / len(POINTS)

# One full-batch step from w0: the mean gradient over both rows; the mistakes change one thing each.
GRAD0 = exact(MODEL.grad(np.array([EX.w0], dtype=object)))
STEP = exact(sgd(MODEL, [EX.w0], EX.eta, batches=[[0, 1]]).theta)

N_BIG, M_BIG = 60_000, 100


def full_gradient(w, x, y):
    """dL/dw = (1/N) sum_i (w x_i - y_i) x_i, via the library's Linear1D."""
    return Linear1D(np.asarray(x, float), np.asarray(y, float)).grad(np.array([w], float))[0]


def _cases(rng):
    cases = [
        dict(w=0.0, x=np.array([1.0]), y=np.array([2.0])),  # a single example
        dict(w=0.0, x=np.zeros(3), y=np.zeros(3)),  # all zeros
        dict(w=0.12, x=np.array([1.0, 2.0]), y=np.array([2.0, 0.0])),
    ]  # the worked example
    for n in (2, 3, 5, 8):
        cases.append(
            dict(
                w=float(np.round(rng.normal(), 2)), x=np.round(rng.normal(size=n), 2), y=np.round(rng.normal(size=n), 2)
            )
        )
    return cases


PROBLEMS = (
    Problem(
        id="01-steepest-direction",
        lesson=1,
        kind="choice",
        statement=(
            "Let g = grad L(theta) be nonzero. A short move of length eps along a unit vector u "
            "changes the loss by roughly eps (u . g). Which unit vector u makes that change as "
            "negative as possible?"
        ),
        options=("u = g / |g|", "u = -g / |g|", "u = -g", "any u with u . g = 0"),
        answer="b",
        hints=(
            "Write u . g = |u| |g| cos(angle between them), and use |u| = 1.",
            "Cauchy-Schwarz bounds u . g between -|g| and |g|. Which unit u reaches the lower end?",
        ),
        mistakes=(
            Mistake(
                "sign",
                "Along g / |g| the product u . g equals +|g|: the loss rises fastest there "
                "(steepest ascent). Turn around.",
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
        ),
    ),
    Problem(
        id="01-empirical-risk",
        lesson=1,
        kind="expression",
        statement=(f"Take {DATA}. Write the empirical risk L(w) = (1/N) sum_i l_i(w) as an expression in w."),
        counts=(2,),
        answer=RISK,
        namespace={"w": w},
        hints=(
            "N = 2 here. Write l_1(w) and l_2(w) first.",
            "l_1(w) = (1/2)(w - 2)^2. What is l_2(w) for the point (2, 0)?",
            "Average the two losses: add them and divide by N.",
        ),
        mistakes=(
            Mistake(
                "sum-not-mean", "That is the total loss sum_i l_i; the empirical risk divides it by N = 2.", 2 * RISK
            ),
            Mistake(
                "sign",
                "A sign slipped inside the square: the residual is w x_i - y_i.",
                sum(sp.Rational(1, 2) * (w * x + y) ** 2 for x, y in POINTS) / len(POINTS),
            ),
        ),
    ),
    Problem(
        id="01-gd-step",
        lesson=1,
        kind="number",
        statement=(
            f"Take {DATA}, so that dL/dw = (1/N) sum_i (w x_i - y_i) x_i. Starting at w0 = 0, "
            "take one full-batch gradient descent step with eta = 0.1. What is w1?"
        ),
        counts=(2,),
        answer=STEP,
        hints=(
            "First compute dL/dw at w = 0: each term is (0 * x_i - y_i) x_i.",
            f"The gradient at 0 is {GRAD0}. The update is w1 = w0 - eta * dL/dw.",
        ),
        mistakes=(
            Mistake(
                "sign",
                "The step moved uphill: gradient descent subtracts eta times the gradient.",
                EX.w0 + EX.eta * GRAD0,
            ),
            Mistake(
                "sum-not-mean",
                "That step used the sum of the per-example gradients; L averages them, so divide the sum by N = 2.",
                EX.w0 - EX.eta * len(POINTS) * GRAD0,
            ),
        ),
    ),
    Problem(
        id="01-step-cost",
        lesson=1,
        kind="number",
        statement=(
            f"A data set has N = {N_BIG:,} examples. One full-batch step evaluates all N per-example "
            f"gradients. With mini-batches of m = {M_BIG}, how many SGD steps can you take for "
            "the same number of per-example gradient evaluations?"
        ),
        counts=(N_BIG, M_BIG),
        answer=Fraction(N_BIG, M_BIG),
        hints=("Count per-example gradient evaluations: N for the full step, m for a mini-batch step.",),
        mistakes=(
            Mistake(
                "single-example",
                "That many steps would each use a single example; with m = "
                f"{M_BIG} every step costs {M_BIG} gradient evaluations.",
                Fraction(N_BIG),
            ),
            Mistake(
                "inverted",
                "The ratio is upside down: the budget is N evaluations, each step uses m.",
                Fraction(M_BIG, N_BIG),
            ),
        ),
    ),
    Problem(
        id="01-full-gradient",
        lesson=1,
        kind="function",
        statement=(
            "Write full_gradient(w, x, y) for the model y_hat = w x with l_i = (1/2)(w x_i - y_i)^2: "
            "given a float w and arrays x, y of N examples, return the full gradient "
            "dL/dw = (1/N) sum_i (w x_i - y_i) x_i as a float."
        ),
        counts=(2,),
        signature="full_gradient(w, x, y) -> float",
        answer=full_gradient,
        cases=_cases,
        hints=(
            "With numpy, (w * x - y) * x is the array of per-example gradients.",
            "Average them: np.mean(...) or .sum() / len(x).",
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
                "The chain rule brings a factor x_i: d/dw of (1/2)(w x_i - y_i)^2 is (w x_i - y_i) x_i.",
                lambda w, x, y: np.mean(w * x - y),
            ),
        ),
    ),
)
