"""Lesson 3 problems: the mini-batch estimator g_hat = (1/m) sum_{i in B} grad l_i, and logistic regression.

For logistic regression p_i = sigma(w . x_i) and grad l_i = (p_i - y_i) x_i (chain rule through
z = w . x); the mini-batch step is w <- w - eta g_hat.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from .. import models
from ..checking import Mistake
from ..models import Linear1D, Logistic
from .problem import Problem, exact

# The seed's mini-batch: B = {(1, 2), (3, 1)} at w = 0 for y_hat = w x, l_i = (1/2)(w x_i - y_i)^2.
BATCH = Linear1D(np.array([Fraction(1), Fraction(3)], dtype=object), np.array([Fraction(2), Fraction(1)], dtype=object))
ZERO = np.array([Fraction(0)], dtype=object)
G_BATCH = exact(BATCH.grad(ZERO))  # -5/2
G_SUM = sum(exact(r) for r in BATCH.per_example_grads(ZERO))  # -5
eta = sp.Symbol("eta", positive=True)
UPDATE = 0 - eta * sp.Rational(G_BATCH.numerator, G_BATCH.denominator)  # 5 eta / 2

# Logistic regression in one dimension: l = -y log p - (1 - y) log(1 - p), p = sigmoid(w x).
w, x, y, z = sp.symbols("w x y z", real=True)
sigmoid = sp.Lambda(z, 1 / (1 + sp.exp(-z)))
p = sigmoid(w * x)
DLDW = sp.diff(-y * sp.log(p) - (1 - y) * sp.log(1 - p), w)

# A three-example logistic data set at w = 0, mini-batch = the first two examples.
# (The third example is chosen so that the full-batch gradient, 1/3, differs from 0: a "full
# batch" mistake must not coincide with the answer of someone who thinks p = 1/2 cancels.)
LX, LY = np.array([[2.0], [-1.0], [3.0]]), np.array([1.0, 1.0, 0.0])
LOGISTIC = Logistic(LX, LY)
G_LOG = exact(LOGISTIC.grad(np.zeros(1), [0, 1]))  # -1/4


def minibatch_grad(w, X, y):
    """g_hat = (1/m) sum_i (sigmoid(x_i . w) - y_i) x_i for the m rows of X, via the library."""
    return Logistic(X, y).grad(w)


def _cases(rng):
    cases = [
        dict(w=np.zeros(2), X=np.array([[1.0, -2.0]]), y=np.array([1.0])),  # batch of one
        dict(w=np.zeros(1), X=np.array([[2.0], [-1.0]]), y=np.array([1.0, 1.0])),
        dict(w=np.zeros(3), X=np.zeros((2, 3)), y=np.array([0.0, 1.0])),
    ]  # zero features
    for m, d in ((1, 3), (2, 1), (3, 2), (4, 3), (8, 2)):
        cases.append(
            dict(
                w=np.round(rng.normal(size=d), 2),
                X=np.round(rng.normal(size=(m, d)), 2),
                y=rng.integers(0, 2, m).astype(float),
            )
        )
    return cases


PROBLEMS = (
    Problem(
        id="03-batch-gradient",
        lesson=3,
        kind="number",
        statement=(
            "For y_hat = w x and l_i = (1/2)(w x_i - y_i)^2, compute the mini-batch gradient "
            "g_hat(w) = (1/m) sum_{i in B} (w x_i - y_i) x_i for the batch B = {(1, 2), (3, 1)} at w = 0."
        ),
        counts=(2, 3),
        answer=G_BATCH,
        hints=(
            "The per-example gradient is (w x_i - y_i) x_i; at w = 0 it is -y_i x_i.",
            "The two terms are -2 and -3. Now average them (m = 2).",
        ),
        mistakes=(
            Mistake("sum-not-mean", "That is the sum over the batch; the estimator divides by m = 2.", G_SUM),
            Mistake("sign", "Sign error: the residual is w x_i - y_i.", -G_BATCH),
        ),
    ),
    Problem(
        id="03-batch-update",
        lesson=3,
        kind="expression",
        statement=(
            "Same batch B = {(1, 2), (3, 1)} at w = 0. Write the weight after one SGD step "
            "w+ = w - eta g_hat as an expression in eta."
        ),
        counts=(2, 3),
        answer=UPDATE,
        namespace={"eta": eta},
        hints=(f"g_hat(0) = {G_BATCH}.", "w+ = 0 - eta * g_hat(0)."),
        mistakes=(
            Mistake("sign", "The step went uphill: w+ = w - eta g_hat.", -UPDATE),
            Mistake(
                "sum-not-mean",
                "That step used the summed gradient; the mini-batch estimator is the mean over the batch.",
                2 * UPDATE,
            ),
            Mistake(
                "gradient-not-weight",
                "That is g_hat itself; the question asks for the new weight.",
                sp.Rational(G_BATCH.numerator, G_BATCH.denominator),
            ),
        ),
    ),
    Problem(
        id="03-logistic-derivative",
        lesson=3,
        kind="expression",
        points=2,
        statement=(
            "One-feature logistic regression: p = sigmoid(w x) with sigmoid(z) = 1 / (1 + exp(-z)), "
            "l = -y log p - (1 - y) log(1 - p). Write dl/dw in terms of w, x, y "
            "(you may call sigmoid(...) in your answer)."
        ),
        answer=DLDW,
        namespace={"w": w, "x": x, "y": y, "sigmoid": sigmoid},
        hints=(
            "Go through z = w x: dl/dw = (dl/dz)(dz/dw).",
            "sigmoid'(z) = sigmoid(z)(1 - sigmoid(z)); with it dl/dz simplifies to p - y.",
            "dz/dw = x.",
        ),
        mistakes=(
            Mistake(
                "sign",
                "Sign error: the gradient is (p - y) x, which is negative when p < y = 1.",
                (y - sigmoid(w * x)) * x,
            ),
            Mistake("missing-chain-factor", "That is dl/dz; the chain rule still needs dz/dw = x.", sigmoid(w * x) - y),
            Mistake(
                "z-not-p",
                "That is the least-squares gradient (w x - y) x: the prediction here is p = sigmoid(w x), not w x.",
                (w * x - y) * x,
            ),
        ),
    ),
    Problem(
        id="03-minibatch-grad",
        lesson=3,
        kind="function",
        points=2,
        statement=(
            "Write minibatch_grad(w, X, y) for logistic regression: w has shape (d,), the batch X "
            "shape (m, d), labels y shape (m,) in {0, 1}. Return g_hat = (1/m) sum_i (p_i - y_i) x_i "
            "with p_i = sigmoid(x_i . w), as an array of shape (d,)."
        ),
        signature="minibatch_grad(w, X, y) -> array of shape (d,)",
        answer=minibatch_grad,
        cases=_cases,
        hints=(
            "p = 1 / (1 + np.exp(-(X @ w))) gives all m probabilities at once.",
            "X.T @ (p - y) sums (p_i - y_i) x_i over the batch; then divide by m = len(y).",
        ),
        mistakes=(
            Mistake(
                "sum-not-mean",
                "Your function returns the sum over the batch; divide by m.",
                lambda w, X, y: X.T @ (models.sigmoid(X @ w) - y),
            ),
            Mistake(
                "sign",
                "Sign error: the gradient is (p_i - y_i) x_i.",
                lambda w, X, y: X.T @ (y - models.sigmoid(X @ w)) / len(y),
            ),
            Mistake(
                "z-not-p",
                "You used z_i = x_i . w where p_i = sigmoid(z_i) belongs: that is the least-squares gradient.",
                lambda w, X, y: X.T @ (X @ w - y) / len(y),
            ),
        ),
    ),
    Problem(
        id="03-logistic-minibatch",
        lesson=3,
        kind="number",
        statement=(
            "Logistic regression with one feature, data (x, y) = "
            + ", ".join(f"({x:g}, {y:g})" for x, y in zip(LX[:, 0], LY))
            + ", at w = 0. "
            "The mini-batch is the first two examples. What is g_hat = (1/m) sum_{i in B} (p_i - y_i) x_i?"
        ),
        counts=(2, 3),
        answer=G_LOG,
        hints=("At w = 0 every p_i = sigmoid(0) = 1/2.", "The two terms are (1/2 - 1) * 2 and (1/2 - 1) * (-1)."),
        mistakes=(
            Mistake("sum-not-mean", "That is the sum over the batch; divide by m = 2.", 2 * G_LOG),
            Mistake("sign", "Sign error: each term is (p_i - y_i) x_i.", -G_LOG),
            Mistake(
                "full-batch",
                "That is the full gradient over all three examples; the mini-batch holds only the first two.",
                exact(LOGISTIC.grad(np.zeros(1))),
            ),
        ),
    ),
    Problem(
        id="03-unbiased-batches",
        lesson=3,
        kind="choice",
        statement=(
            "Average the mini-batch estimate g_hat = (1/m) sum_{i in B} grad l_i over every one of "
            "the C(N, m) batches B of m distinct examples. What do you get?"
        ),
        options=(
            "Exactly grad L = (1/N) sum_i grad l_i.",
            "(m / N) grad L.",
            "The plain sum sum_i grad l_i.",
            "grad L, but only in the limit of large N.",
        ),
        answer="a",
        hints=(
            "Count the batches that contain a given example i: C(N - 1, m - 1) of them.",
            "C(N - 1, m - 1) / C(N, m) = m / N.",
        ),
        mistakes=(
            Mistake(
                "scaled",
                "Each example sits in a fraction m/N of the batches, and g_hat divides by m: "
                "the two factors combine to 1/N, with nothing left over.",
                "b",
            ),
            Mistake("sum-not-mean", "The 1/m inside g_hat and the m/N share of batches leave a factor 1/N.", "c"),
            Mistake("limit", "No limit is needed: the counting argument is exact for every N.", "d"),
        ),
    ),
)
