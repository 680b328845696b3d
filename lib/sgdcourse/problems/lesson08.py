"""Lesson 7 problems: backprop through a tiny network, the batch gradient at its output, epochs,
shuffling and the finite-difference check.

One hidden unit:  z = w x,  h = relu(z) (or tanh(z)),  y_hat = v h,  l = (1/2)(y_hat - y)^2, so
    dl/dv = (y_hat - y) h,   dl/dw = (y_hat - y) v relu'(z) x.
At a logistic output p = sigmoid(z) with cross-entropy averaged over a batch of m,
dL/dz_i = (p_i - y_i) / m. The numbers below are computed exactly (Fractions, sympy).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from ..checking import Mistake
from ..models import sigmoid
from .problem import Problem

# ---- backprop through one ReLU unit, exactly ---------------------------------------------------
NET = dict(x=Fraction(2), y=Fraction(2), w=Fraction(3, 4), v=Fraction(3))


def relu_net_grads(x, y, w, v):
    """(dl/dw, dl/dv) for y_hat = v relu(w x), l = (1/2)(y_hat - y)^2: the forward pass, then back."""
    z = w * x
    h = max(z, 0 * z)
    r = v * h - y  # dl/dy_hat
    active = 1 if z > 0 else 0  # relu'(z)
    return r * v * active * x, r * h


BACKPROP = relu_net_grads(**NET)  # (15, 15/4)
_z = NET["w"] * NET["x"]
_h = max(_z, Fraction(0))
_r = NET["v"] * _h - NET["y"]
BP_NO_X = (_r * NET["v"], BACKPROP[1])  # dz/dw = x dropped
BP_NO_V = (_r * NET["x"], BACKPROP[1])  # dy_hat/dh = v dropped
BP_RELU_VALUE = (_r * NET["v"] * _h * NET["x"], BACKPROP[1])  # relu(z) where relu'(z) belongs
BP_SIGN = (-BACKPROP[0], -BACKPROP[1])
BP_SWAPPED = (BACKPROP[1], BACKPROP[0])

# ---- the same unit with tanh, symbolically -------------------------------------------------------
w, v, x, y = sp.symbols("w v x y", real=True)
TANH_LOSS = sp.Rational(1, 2) * (v * sp.tanh(w * x) - y) ** 2
TANH_DLDW = sp.diff(TANH_LOSS, w)
NS_TANH = {"w": w, "v": v, "x": x, "y": y}
_res, _t = v * sp.tanh(w * x) - y, sp.tanh(w * x)

# ---- the output gradient over a batch --------------------------------------------------------


def output_grad(z, y):
    """dL/dz_i = (sigmoid(z_i) - y_i) / m for L = (1/m) sum_i [-y_i log p_i - (1 - y_i) log(1 - p_i)]."""
    return (sigmoid(z) - y) / len(y)


def _cases(rng):
    cases = [
        dict(z=np.array([0.0]), y=np.array([1.0])),  # a batch of one
        dict(z=np.array([0.0, 0.0]), y=np.array([1.0, 0.0])),
        dict(z=np.array([2.0, -1.0, 0.5]), y=np.array([1.0, 1.0, 0.0])),
    ]
    for m in (2, 4, 5, 8):
        cases.append(dict(z=np.round(rng.normal(scale=2, size=m), 2), y=rng.integers(0, 2, m).astype(float)))
    return cases


# ---- steps in a run of epochs --------------------------------------------------------------------
N_EX, M_BATCH, EPOCHS = 1000, 64, 3
STEPS = EPOCHS * math.ceil(N_EX / M_BATCH)  # 48: the last, smaller batch is a step

# ---- a central difference --------------------------------------------------------------------------
FD_W, FD_H = Fraction(1), Fraction(1, 10)


def f_cube(w_):
    return w_**3


CENTRAL = (f_cube(FD_W + FD_H) - f_cube(FD_W - FD_H)) / (2 * FD_H)  # 301/100
FORWARD = (f_cube(FD_W + FD_H) - f_cube(FD_W)) / FD_H  # 331/100

PROBLEMS = (
    Problem(
        id="08-backprop",
        lesson=8,
        kind="number",
        points=2,
        statement=(
            "A network with one hidden unit: z = w x, h = relu(z), y_hat = v h, loss l = (1/2)(y_hat - y)^2. "
            f"At x = {NET['x']}, y = {NET['y']}, w = {float(NET['w']):g}, v = {NET['v']}, compute the two "
            "gradients and give them as a list [dl/dw, dl/dv]."
        ),
        counts=(2, 3),
        answer=BACKPROP,
        hints=(
            "Forward first: z, h, y_hat, then the residual r = y_hat - y = dl/dy_hat.",
            "dl/dv = r h. For w go back through v, the ReLU and z = w x: dl/dw = r v relu'(z) x.",
            "relu'(z) is 1 where z > 0 and 0 where z < 0.",
        ),
        mistakes=(
            Mistake(
                "missing-input-factor",
                "The last link of the chain is dz/dw = x; dl/dw still needs that factor.",
                BP_NO_X,
            ),
            Mistake(
                "missing-output-weight",
                "On the way back from y_hat to h the chain passes through dy_hat/dh = v; dl/dw needs that factor.",
                BP_NO_V,
            ),
            Mistake(
                "relu-value",
                "You multiplied by relu(z) where its derivative relu'(z) belongs (here relu'(z) = 1).",
                BP_RELU_VALUE,
            ),
            Mistake("sign", "Sign error: dl/dy_hat = y_hat - y.", BP_SIGN),
            Mistake("swapped", "The two gradients are in the wrong order: the list is [dl/dw, dl/dv].", BP_SWAPPED),
        ),
    ),
    Problem(
        id="08-tanh-derivative",
        lesson=8,
        kind="expression",
        statement=(
            "The same unit with tanh: y_hat = v tanh(w x), l = (1/2)(y_hat - y)^2. Write dl/dw as an "
            "expression in w, v, x and y (tanh is available by name)."
        ),
        counts=(2,),
        answer=TANH_DLDW,
        namespace=NS_TANH,
        hints=(
            "Chain rule through y_hat, then h = tanh(z), then z = w x.",
            "tanh'(z) = 1 - tanh(z)^2.",
            "dl/dw = (y_hat - y) * v * (1 - tanh(w x)^2) * x.",
        ),
        mistakes=(
            Mistake(
                "missing-activation-derivative",
                "The chain passes through h = tanh(z): it brings the factor tanh'(z) = 1 - tanh(z)^2.",
                _res * v * x,
            ),
            Mistake("missing-input-factor", "The last link is dz/dw = x.", _res * v * (1 - _t**2)),
            Mistake(
                "missing-output-weight", "From y_hat back to h the chain brings dy_hat/dh = v.", _res * (1 - _t**2) * x
            ),
            Mistake("sign", "Sign error: dl/dy_hat = y_hat - y = v tanh(w x) - y.", -_res * v * (1 - _t**2) * x),
            Mistake("tanh-derivative", "tanh'(z) is 1 - tanh(z)^2: the tanh is squared.", _res * v * (1 - _t) * x),
        ),
    ),
    Problem(
        id="08-output-grad",
        lesson=8,
        kind="function",
        points=2,
        statement=(
            "Write output_grad(z, y): z are the output logits of a batch, shape (m,), y its labels in {0, 1}, "
            "shape (m,). With p_i = sigmoid(z_i) and the batch loss "
            "L = (1/m) sum_i [-y_i log p_i - (1 - y_i) log(1 - p_i)], return dL/dz, shape (m,)."
        ),
        signature="output_grad(z, y) -> array of shape (m,)",
        answer=output_grad,
        cases=_cases,
        hints=(
            "For one example, sigmoid and cross-entropy combine: dl_i/dz_i = p_i - y_i.",
            "L averages over the batch, so each entry carries a factor 1/m.",
        ),
        mistakes=(
            Mistake(
                "sum-not-mean",
                "Your function returns the gradient of the summed loss; L is the mean over the batch, so divide by m.",
                lambda z, y: sigmoid(z) - y,
            ),
            Mistake("sign", "Sign error: dl_i/dz_i = p_i - y_i.", lambda z, y: (y - sigmoid(z)) / len(y)),
            Mistake(
                "z-not-p",
                "You used the logit z_i where the probability p_i = sigmoid(z_i) belongs.",
                lambda z, y: (z - y) / len(y),
            ),
            Mistake(
                "extra-sigmoid-derivative",
                "The factor sigmoid'(z) = p (1 - p) cancels against the "
                "derivative of the cross-entropy: dl_i/dz_i is just p_i - y_i.",
                lambda z, y: (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z)) / len(y),
            ),
        ),
    ),
    Problem(
        id="08-steps",
        lesson=8,
        kind="number",
        statement=(
            f"A data set of N = {N_EX} examples is shuffled and cut into mini-batches of m = {M_BATCH} "
            "each epoch; the last batch of an epoch holds what is left over. How many SGD steps does a run "
            f"of {EPOCHS} epochs take?"
        ),
        counts=(N_EX, M_BATCH, EPOCHS),
        answer=Fraction(STEPS),
        hints=(
            "One step per mini-batch. How many batches does one epoch make?",
            f"N / m = {N_EX / M_BATCH:g}: the leftover examples form one more, smaller batch.",
        ),
        mistakes=(
            Mistake(
                "floor",
                "One batch short per epoch: the leftover examples form a last, smaller batch, "
                "which is one more step, so an epoch has ceil(N / m) steps.",
                Fraction(EPOCHS * (N_EX // M_BATCH)),
            ),
            Mistake(
                "not-whole",
                "Steps come in whole numbers: round N / m up in each epoch.",
                Fraction(EPOCHS * N_EX, M_BATCH),
            ),
            Mistake("one-epoch", "That is one epoch; the run has several.", Fraction(math.ceil(N_EX / M_BATCH))),
            Mistake(
                "per-example",
                "That counts examples seen; one step uses a whole batch of m examples.",
                Fraction(EPOCHS * N_EX),
            ),
        ),
    ),
    Problem(
        id="08-shuffle",
        lesson=8,
        kind="choice",
        statement=(
            "A logistic-regression data set is stored sorted: all 500 examples of class 0, then all 500 of "
            "class 1. One epoch of SGD with m = 10 walks through it in that order, without shuffling. "
            "What goes wrong?"
        ),
        counts=(500, 10),
        options=(
            "Nothing: each example is used once either way, so the epoch sees the same average gradient.",
            "Each batch holds one class only, so its gradient is a biased estimate of the full gradient: the "
            "first half of the epoch pushes towards class 0, the second towards class 1, and the model ends "
            "tilted towards the class it saw last.",
            "The gradients become too large and SGD diverges.",
            "Only full-batch gradient descent depends on the order of the data.",
        ),
        answer="b",
        hints=(
            "Unbiasedness needs the batch to be a random draw from the whole data set.",
            "The weights change after every batch: what does the model learn during the first 50 steps?",
        ),
        mistakes=(
            Mistake(
                "same-average",
                "The examples are the same, but the weights move between batches: each "
                "stretch of one-class batches drags the model towards that class.",
                "a",
            ),
            Mistake(
                "diverge",
                "The order does not make the gradients larger; it makes each batch a biased "
                "estimate of the full gradient.",
                "c",
            ),
            Mistake(
                "full-batch",
                "Full-batch gradient descent uses every example at every step, so it cannot "
                "depend on their order; SGD can.",
                "d",
            ),
        ),
    ),
    Problem(
        id="08-central-difference",
        lesson=8,
        kind="number",
        statement=(
            f"To check a gradient, estimate the derivative of f(w) = w^3 at w = {FD_W} with the central "
            f"difference (f(w + h) - f(w - h)) / (2 h) and h = {float(FD_H):g}. What number does it give?"
        ),
        counts=(3, 2),
        answer=CENTRAL,
        hints=("f(1.1) = 1.331 and f(0.9) = 0.729.",),
        mistakes=(
            Mistake(
                "forward-difference",
                "That is the one-sided difference (f(w + h) - f(w)) / h; the central difference uses w + h and w - h.",
                FORWARD,
            ),
            Mistake("h-not-2h", "The two points are 2 h apart: divide by 2 h.", 2 * CENTRAL),
            Mistake(
                "exact-derivative",
                "3 is the exact derivative 3 w^2. The question asks what the central "
                "difference gives; it is off by h^2 here.",
                Fraction(3),
            ),
        ),
    ),
)
