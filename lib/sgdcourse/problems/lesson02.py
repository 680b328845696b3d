"""Lesson 2 problems: SGD by hand on the worked example, and why the estimate is unbiased.

y_hat = w x, l_i = (1/2)(w x_i - y_i)^2, data (1, 2), (2, 0), eta = 1/10, w0 = 0, examples 1, 2, 1:
g0 = -2, w1 = 1/5;  g1 = 4/5, w2 = 3/25;  g2 = -47/25, w3 = 77/250. At w2 the full gradient is
-7/10 and a full-batch step lands on 19/100. Every number below is computed, exactly, by the library.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..checking import Mistake
from ..sgd import sgd
from . import Problem, exact
from .lesson01 import EX, MODEL

SETUP = ("Worked example: y_hat = w x, l_i = (1/2)(w x_i - y_i)^2, examples (x, y) = (1, 2) and (2, 0), "
         "eta = 0.1, w0 = 0; SGD uses one example per step, drawn in the order 1, 2, 1.")
ORDER = [[i] for i in EX.order]


def path(batches, sign=1):
    """w_0, w_1, ... for w_{t+1} = w_t - sign * eta * g_hat_t (sign = -1 is the classic sign error)."""
    ws = [EX.w0]
    for b in batches:
        ws.append(ws[-1] - sign * EX.eta * exact(MODEL.grad(np.array([ws[-1]], dtype=object), b)))
    return ws


def grad(w, batch=None):
    return exact(MODEL.grad(np.array([w], dtype=object), batch))


RUN = sgd(MODEL, [EX.w0], EX.eta, batches=ORDER)
W = [exact(t) for t in RUN.thetas]                 # 0, 1/5, 3/25, 77/250
G = [exact(g) for g in RUN.grads]                  # -2, 4/5, -47/25
FULL = path([[0, 1]] * 3)                          # full-batch GD from 0, three steps
WRONG_SIGN = path(ORDER, sign=-1)
G_FULL_W2 = grad(W[2])                             # -7/10
FULL_STEP = W[2] - EX.eta * G_FULL_W2              # 19/100


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
EXPECTATION = sp.Sum(g[k] / N, (k, 1, N))          # sum over k of P(i = k) g[k], P(i = k) = 1/N

PROBLEMS = (
    Problem(
        id="02-worked-step", lesson=2, kind="number", points=2,
        statement=f"{SETUP} What is w3, the weight after the third step?",
        answer=W[3],
        hints=("d l_i/dw = (w x_i - y_i) x_i. Each step: compute g_t on the drawn example, then "
               "w_{t+1} = w_t - eta g_t.",
               f"After two steps w2 = {float(W[2]):g}. The third step uses example 1 again.",
               f"g2 = {float(G[2]):g}."),
        mistakes=(
            Mistake("step-too-few", "That is w2: one more step (on example 1) is needed.", W[2]),
            Mistake("gradient-not-weight", "That is the gradient g2 of the third step; the question "
                    "asks for the weight w3 = w2 - eta g2.", G[2]),
            Mistake("sign", "Each step went uphill: the update is w - eta g, not w + eta g.", WRONG_SIGN[3]),
            Mistake("full-batch", "Those are full-batch steps (the average over both examples). SGD "
                    "uses only the example drawn at each step.", FULL[3]),
        ),
    ),
    Problem(
        id="02-worked-w2", lesson=2, kind="number",
        statement=f"{SETUP} What is w2, the weight after the second step?",
        answer=W[2],
        hints=("The first step uses example (1, 2): g0 = (0 * 1 - 2) * 1.",
               f"w1 = {float(W[1]):g}; the second step uses example (2, 0)."),
        mistakes=(
            Mistake("step-too-many", "That is w3: you took one step too many.", W[3]),
            Mistake("step-too-few", "That is w1: one more step (on example 2) is needed.", W[1]),
            Mistake("sign", "Each step went uphill: the update is w - eta g, not w + eta g.", WRONG_SIGN[2]),
            Mistake("full-batch", "Those are full-batch steps (the average over both examples). SGD "
                    "uses only the example drawn at each step.", FULL[2]),
        ),
    ),
    Problem(
        id="02-sgd-gradient", lesson=2, kind="number",
        statement=(f"{SETUP} The second step starts at w1 = 0.2 and uses example 2. "
                   "What is the stochastic gradient g1?"),
        answer=G[1],
        hints=("Use only example 2: x = 2, y = 0.", "g1 = (w1 x - y) x."),
        mistakes=(
            Mistake("sign", "Sign error: the residual is w x - y.", -G[1]),
            Mistake("full-batch", "That is the full gradient (the mean over both examples); "
                    "the stochastic gradient of this step uses example 2 only.", grad(W[1])),
            Mistake("wrong-example", "That is the gradient on example 1; this step drew example 2.",
                    grad(W[1], [0])),
        ),
    ),
    Problem(
        id="02-full-gradient", lesson=2, kind="number",
        statement=("Take the worked example's data, (1, 2) and (2, 0), and L(w) = (1/4) sum_i (w x_i - y_i)^2. "
                   "What is the full gradient dL/dw at w = 0.12?"),
        answer=G_FULL_W2,
        hints=("d/dw (w x_i - y_i)^2 = 2 (w x_i - y_i) x_i, so dL/dw = (1/2) sum_i (w x_i - y_i) x_i.",
               "The two terms at w = 0.12 are -1.88 and 0.48."),
        mistakes=(
            Mistake("sum-not-mean", "That is the sum of the per-example gradients; the full gradient "
                    "is their mean, so divide by N = 2.", 2 * G_FULL_W2),
            Mistake("single-example", "That is the gradient of example 1 alone (the one SGD drew); "
                    "the full gradient averages over both examples.", grad(W[2], [0])),
            Mistake("sign", "Sign error: the residual is w x_i - y_i.", -G_FULL_W2),
        ),
    ),
    Problem(
        id="02-full-step", lesson=2, kind="number",
        statement=("Take the worked example's data, (1, 2) and (2, 0), and L(w) = (1/4) sum_i (w x_i - y_i)^2. "
                   "From w = 0.12, take one full-batch gradient descent step with eta = 0.1. Where does it land?"),
        answer=FULL_STEP,
        hints=("The full gradient at w = 0.12 is -0.70.", "w_new = w - eta dL/dw."),
        mistakes=(
            Mistake("sign", "The step went uphill: subtract eta times the gradient.", W[2] + EX.eta * G_FULL_W2),
            Mistake("sum-not-mean", "That step used the summed gradient; the full gradient is the mean.",
                    W[2] - 2 * EX.eta * G_FULL_W2),
            Mistake("sgd-step", "That is where the SGD step on example 1 lands (w3); the full-batch "
                    "step uses the average gradient.", W[3]),
        ),
    ),
    Problem(
        id="02-unbiased", lesson=2, kind="expression", points=2,
        statement=("A data set has N examples with per-example gradients g[1], ..., g[N] at the current "
                   "weights (g is a sympy IndexedBase, k and N integer symbols). The index i is drawn "
                   "uniformly from 1..N and g_hat = g[i]. Write E[g_hat] as a sympy expression, "
                   "e.g. with Sum(..., (k, 1, N))."),
        answer=EXPECTATION, namespace={"g": g, "k": k, "N": N},
        hints=("By definition E[g_hat] = sum over k of P(i = k) g[k].",
               "For a uniform draw P(i = k) = 1/N for every k.",
               "The result is the full gradient: the mean of the g[k]."),
        mistakes=(
            Mistake("sum-not-mean", "Each index has probability 1/N; the sum needs that weight.",
                    sp.Sum(g[k], (k, 1, N))),
            Mistake("n-minus-one", "N - 1 belongs to the unbiased sample variance; the probabilities "
                    "of a uniform draw are 1/N.", sp.Sum(g[k], (k, 1, N)) / (N - 1)),
        ),
    ),
    Problem(
        id="02-unbiased-choice", lesson=2, kind="choice",
        statement=("With i uniform on 1..N and g_hat = grad l_i(theta), why is E[g_hat] = grad L(theta) "
                   "for L = (1/N) sum_i l_i?"),
        options=("Every grad l_i equals grad L.",
                 "P(i = k) = 1/N, so E[g_hat] = (1/N) sum_k grad l_k = grad L.",
                 "The learning rate makes the noise average out.",
                 "Over many steps the errors cancel."),
        answer="b",
        hints=("Write the expectation as a weighted sum over the possible values of i.",),
        mistakes=(
            Mistake("all-equal", "They differ: in the worked example the two gradients at w = 0 are "
                    "-2 and 0. Unbiased means right on average, not right every time.", "a"),
            Mistake("learning-rate", "eta scales the step but has nothing to do with E[g_hat].", "c"),
            Mistake("long-run", "That is about a long run of steps. Unbiasedness is a property of "
                    "one draw: the average over the possible values of i.", "d"),
        ),
    ),
    Problem(
        id="02-per-example-grad", lesson=2, kind="function",
        statement=("Write grad_example(w, x, y): for the model y_hat = w x and l = (1/2)(w x - y)^2, "
                   "return dl/dw at the floats w, x, y."),
        signature="grad_example(w, x, y) -> float",
        answer=grad_example, cases=_cases,
        hints=("Chain rule: the outer square gives (w x - y), the inner w x gives a factor x.",),
        mistakes=(
            Mistake("sign", "Sign error: the residual is w x - y, not y - w x.",
                    lambda w, x, y: (y - w * x) * x),
            Mistake("missing-chain-factor", "The chain rule brings a factor x: d/dw (w x - y) = x.",
                    lambda w, x, y: w * x - y),
            Mistake("missing-half", "The 1/2 in l cancels the 2 from the square; your result is twice "
                    "the gradient.", lambda w, x, y: 2 * (w * x - y) * x),
        ),
    ),
    Problem(
        id="02-sgd-step", lesson=2, kind="function",
        statement=("Write sgd_step(w, x, y, eta): one SGD step on the single example (x, y) for "
                   "y_hat = w x and l = (1/2)(w x - y)^2. Return the new weight."),
        signature="sgd_step(w, x, y, eta) -> float",
        answer=sgd_step, cases=lambda rng: _cases(rng, eta=True),
        hints=("The new weight is w - eta * g with g = (w x - y) x.",),
        mistakes=(
            Mistake("sign", "The step goes uphill: subtract eta g (and check the sign of g = (w x - y) x).",
                    lambda w, x, y, eta: w + eta * grad_example(w, x, y)),
            Mistake("missing-w", "Your function returns only the change -eta g; add it to w.",
                    lambda w, x, y, eta: -eta * grad_example(w, x, y)),
        ),
    ),
)
