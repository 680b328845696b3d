"""Lesson 2 problems: SGD by hand, and why the estimate is unbiased.

The lesson works through y_hat = w x, l_i = (1/2)(w x_i - y_i)^2 on the data (1, 2), (2, 0). The
exercises use fresh data, (1, 3) and (2, 1), with eta = 1/10, w0 = 0 and examples 1, 2, 1, so that
no answer can be copied from the lesson's printed table:
g0 = -3, w1 = 3/10;  g1 = -4/5, w2 = 19/50;  g2 = -131/50, w3 = 321/500. The full-batch problems
start from w = 2/5 (not w2, so they do not give that answer away): the full gradient there is -3/2
and a full-batch step lands on 11/20. Every number below is computed, exactly, by the library.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from ..checking import Mistake
from ..models import Linear1D
from ..sgd import sgd
from .problem import Problem, exact

XS, YS = (Fraction(1), Fraction(2)), (Fraction(3), Fraction(1))  # the exercise's data set
ETA, W0, DRAWS = Fraction(1, 10), Fraction(0), (1, 2, 1)  # example numbers, counted from 1
MODEL = Linear1D(np.array(XS, dtype=object), np.array(YS, dtype=object))
POINTS = ", ".join(f"({x}, {y})" for x, y in zip(XS, YS))
SETUP = (
    f"SGD by hand: y_hat = w x, l_i = (1/2)(w x_i - y_i)^2, examples (x, y) = {POINTS}, "
    f"eta = {float(ETA):g}, w0 = {W0}; SGD uses one example per step, drawn in the order "
    + ", ".join(map(str, DRAWS))
    + "."
)
ORDER = [[i - 1] for i in DRAWS]
W_AT = Fraction(2, 5)  # the full-batch problems' starting point


def path(batches, sign=1):
    """w_0, w_1, ... for w_{t+1} = w_t - sign * eta * g_hat_t (sign = -1 is the classic sign error)."""
    ws = [W0]
    for b in batches:
        ws.append(ws[-1] - sign * ETA * exact(MODEL.grad(np.array([ws[-1]], dtype=object), b)))
    return ws


def grad(w, batch=None):
    return exact(MODEL.grad(np.array([w], dtype=object), batch))


RUN = sgd(MODEL, [W0], ETA, batches=ORDER)
W = [exact(t) for t in RUN.thetas]  # 0, 3/10, 19/50, 321/500
G = [exact(g) for g in RUN.grads]  # -3, -4/5, -131/50
FULL = path([[0, 1]] * 3)  # full-batch GD from 0, three steps
WRONG_SIGN = path(ORDER, sign=-1)
G_FULL_AT = grad(W_AT)  # -3/2
FULL_STEP = W_AT - ETA * G_FULL_AT  # 11/20
SGD_STEP_AT = W_AT - ETA * grad(W_AT, [0])  # 33/50: an SGD step on example 1 from the same point
TERMS_AT = [exact(r) for r in MODEL.per_example_grads(np.array([W_AT], dtype=object))]


def grad_example(w, x, y):
    """d l_i / dw = (w x_i - y_i) x_i."""
    return (w * x - y) * x


def sgd_step(w, x, y, eta):
    """w - eta (w x - y) x: one SGD step on one example."""
    return w - eta * grad_example(w, x, y)


def _cases(rng, eta=False):
    fixed = [(0.0, 1.0, 2.0), (0.2, 2.0, 0.0), (0.0, 0.0, 0.0), (1.5, -2.0, 3.0)]
    drawn = [tuple(float(v) for v in np.round(rng.normal(size=3) * 2, 2)) for _ in range(6)]
    cases = [dict(w=w_, x=x_, y=y_) for w_, x_, y_ in fixed + drawn]
    if eta:
        for c, e in zip(cases, [0.1, 0.1, 0.5, 0.01] + [float(np.round(rng.uniform(0.01, 1), 2)) for _ in drawn]):
            c["eta"] = e
    return cases


g, N = sp.IndexedBase("g"), sp.Symbol("N", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
EXPECTATION = sp.Sum(g[k] / N, (k, 1, N))  # sum over k of P(i = k) g[k], P(i = k) = 1/N

PROBLEMS = (
    Problem(
        id="02-worked-step",
        lesson=2,
        kind="number",
        points=2,
        statement=f"{SETUP} What is w3, the weight after the third step?",
        counts=(2, 3),
        answer=W[3],
        hints=(
            "d l_i/dw = (w x_i - y_i) x_i. Each step: compute g_t on the drawn example, then w_{t+1} = w_t - eta g_t.",
            f"After two steps w2 = {float(W[2]):g}. The third step uses example 1 again.",
            f"g2 = {float(G[2]):g}.",
        ),
        mistakes=(
            Mistake("step-too-few", "That is w2: one more step (on example 1) is needed.", W[2]),
            Mistake(
                "gradient-not-weight",
                "That is the gradient g2 of the third step; the question asks for the weight w3 = w2 - eta g2.",
                G[2],
            ),
            Mistake("sign", "Each step went uphill: the update is w - eta g, not w + eta g.", WRONG_SIGN[3]),
            Mistake(
                "full-batch",
                "Those are full-batch steps (the average over both examples). SGD "
                "uses only the example drawn at each step.",
                FULL[3],
            ),
        ),
    ),
    Problem(
        id="02-worked-w2",
        lesson=2,
        kind="number",
        statement=f"{SETUP} What is w2, the weight after the second step?",
        counts=(2, 3),
        answer=W[2],
        hints=(
            f"The first step uses example ({XS[0]}, {YS[0]}): g0 = (0 * {XS[0]} - {YS[0]}) * {XS[0]}.",
            f"w1 = {float(W[1]):g}; the second step uses example ({XS[1]}, {YS[1]}).",
        ),
        mistakes=(
            Mistake("step-too-many", "That is w3: you took one step too many.", W[3]),
            Mistake("step-too-few", "That is w1: one more step (on example 2) is needed.", W[1]),
            Mistake("sign", "Each step went uphill: the update is w - eta g, not w + eta g.", WRONG_SIGN[2]),
            Mistake(
                "full-batch",
                "Those are full-batch steps (the average over both examples). SGD "
                "uses only the example drawn at each step.",
                FULL[2],
            ),
        ),
    ),
    Problem(
        id="02-sgd-gradient",
        lesson=2,
        kind="number",
        statement=(
            f"{SETUP} The second step starts at w1 = {float(W[1]):g} and uses example 2. "
            "What is the stochastic gradient g1?"
        ),
        counts=(2, 3),
        answer=G[1],
        hints=(f"Use only example 2: x = {XS[1]}, y = {YS[1]}.", "g1 = (w1 x - y) x."),
        mistakes=(
            Mistake("sign", "Sign error: the residual is w x - y.", -G[1]),
            Mistake(
                "full-batch",
                "That is the full gradient (the mean over both examples); "
                "the stochastic gradient of this step uses example 2 only.",
                grad(W[1]),
            ),
            Mistake("wrong-example", "That is the gradient on example 1; this step drew example 2.", grad(W[1], [0])),
        ),
    ),
    Problem(
        id="02-full-gradient",
        lesson=2,
        kind="number",
        statement=(
            f"Take the data {POINTS} and L(w) = (1/4) sum_i (w x_i - y_i)^2. "
            f"What is the full gradient dL/dw at w = {float(W_AT):g}?"
        ),
        counts=(3, 2, 4),
        answer=G_FULL_AT,
        hints=(
            "d/dw (w x_i - y_i)^2 = 2 (w x_i - y_i) x_i, so dL/dw = (1/2) sum_i (w x_i - y_i) x_i.",
            f"The two terms at w = {float(W_AT):g} are " + " and ".join(f"{float(t):g}" for t in TERMS_AT) + ".",
        ),
        mistakes=(
            Mistake(
                "sum-not-mean",
                "That is the sum of the per-example gradients; the full gradient is their mean, so divide by N = 2.",
                2 * G_FULL_AT,
            ),
            Mistake(
                "single-example",
                "That is the gradient of example 1 alone; the full gradient averages over both examples.",
                grad(W_AT, [0]),
            ),
            Mistake("sign", "Sign error: the residual is w x_i - y_i.", -G_FULL_AT),
        ),
    ),
    Problem(
        id="02-full-step",
        lesson=2,
        kind="number",
        statement=(
            f"Take the data {POINTS} and L(w) = (1/4) sum_i (w x_i - y_i)^2. "
            f"From w = {float(W_AT):g}, take one full-batch gradient descent step with "
            f"eta = {float(ETA):g}. Where does it land?"
        ),
        counts=(3, 2, 4),
        answer=FULL_STEP,
        hints=(f"The full gradient at w = {float(W_AT):g} is {float(G_FULL_AT):g}.", "w_new = w - eta dL/dw."),
        mistakes=(
            Mistake("sign", "The step went uphill: subtract eta times the gradient.", W_AT + ETA * G_FULL_AT),
            Mistake(
                "sum-not-mean",
                "That step used the summed gradient; the full gradient is the mean.",
                W_AT - 2 * ETA * G_FULL_AT,
            ),
            Mistake(
                "sgd-step",
                "That is where an SGD step on example 1 alone lands; the full-batch step uses the average gradient.",
                SGD_STEP_AT,
            ),
        ),
    ),
    Problem(
        id="02-unbiased",
        lesson=2,
        kind="expression",
        points=2,
        statement=(
            "A data set has N examples with per-example gradients g[1], ..., g[N] at the current "
            "weights (g is a sympy IndexedBase, k and N integer symbols). The index i is drawn "
            "uniformly from 1..N and g_hat = g[i]. Write E[g_hat] as a sympy expression, "
            "e.g. with Sum(..., (k, 1, N))."
        ),
        answer=EXPECTATION,
        namespace={"g": g, "k": k, "N": N},
        hints=(
            "By definition E[g_hat] = sum over k of P(i = k) g[k].",
            "For a uniform draw P(i = k) = 1/N for every k.",
            "The result is the full gradient: the mean of the g[k].",
        ),
        mistakes=(
            Mistake(
                "sum-not-mean", "Each index has probability 1/N; the sum needs that weight.", sp.Sum(g[k], (k, 1, N))
            ),
            Mistake(
                "n-minus-one",
                "N - 1 belongs to the unbiased sample variance; the probabilities of a uniform draw are 1/N.",
                sp.Sum(g[k], (k, 1, N)) / (N - 1),
            ),
        ),
    ),
    Problem(
        id="02-unbiased-choice",
        lesson=2,
        kind="choice",
        statement=(
            "With i uniform on 1..N and g_hat = grad l_i(theta), why is E[g_hat] = grad L(theta) "
            "for L = (1/N) sum_i l_i?"
        ),
        options=(
            "Every grad l_i equals grad L.",
            "P(i = k) = 1/N, so E[g_hat] = (1/N) sum_k grad l_k = grad L.",
            "The learning rate makes the noise average out.",
            "Over many steps the errors cancel.",
        ),
        answer="b",
        hints=("Write the expectation as a weighted sum over the possible values of i.",),
        mistakes=(
            Mistake(
                "all-equal",
                "They differ: in the worked example the two gradients at w = 0 are "
                "-2 and 0. Unbiased means right on average, not right every time.",
                "a",
            ),
            Mistake("learning-rate", "eta scales the step but has nothing to do with E[g_hat].", "c"),
            Mistake(
                "long-run",
                "That is about a long run of steps. Unbiasedness is a property of "
                "one draw: the average over the possible values of i.",
                "d",
            ),
        ),
    ),
    Problem(
        id="02-per-example-grad",
        lesson=2,
        kind="function",
        statement=(
            "Write grad_example(w, x, y): for the model y_hat = w x and l = (1/2)(w x - y)^2, "
            "return dl/dw at the floats w, x, y."
        ),
        counts=(2,),
        signature="grad_example(w, x, y) -> float",
        answer=grad_example,
        cases=_cases,
        hints=("Chain rule: the outer square gives (w x - y), the inner w x gives a factor x.",),
        mistakes=(
            Mistake("sign", "Sign error: the residual is w x - y, not y - w x.", lambda w, x, y: (y - w * x) * x),
            Mistake(
                "missing-chain-factor",
                "The chain rule brings a factor x: d/dw (w x - y) = x.",
                lambda w, x, y: w * x - y,
            ),
            Mistake(
                "missing-half",
                "The 1/2 in l cancels the 2 from the square; your result is twice the gradient.",
                lambda w, x, y: 2 * (w * x - y) * x,
            ),
        ),
    ),
    Problem(
        id="02-sgd-step",
        lesson=2,
        kind="function",
        statement=(
            "Write sgd_step(w, x, y, eta): one SGD step on the single example (x, y) for "
            "y_hat = w x and l = (1/2)(w x - y)^2. Return the new weight."
        ),
        counts=(2,),
        signature="sgd_step(w, x, y, eta) -> float",
        answer=sgd_step,
        cases=lambda rng: _cases(rng, eta=True),
        hints=("The new weight is w - eta * g with g = (w x - y) x.",),
        mistakes=(
            Mistake(
                "sign",
                "The step goes uphill: subtract eta g (and check the sign of g = (w x - y) x).",
                lambda w, x, y, eta: w + eta * grad_example(w, x, y),
            ),
            Mistake(
                "missing-w",
                "Your function returns only the change -eta g; add it to w.",
                lambda w, x, y, eta: -eta * grad_example(w, x, y),
            ),
        ),
    ),
)
