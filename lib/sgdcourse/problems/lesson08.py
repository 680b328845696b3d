"""Lesson 8 problems: the network, backpropagation, the same loop, shuffling, held-out data and
early stopping, the stability checklist and the policy-gradient estimator.

One hidden unit:  z = w x,  h = relu(z) (or tanh(z)),  y_hat = v h,  l = (1/2)(y_hat - y)^2, so
    dl/dv = (y_hat - y) h,   dl/dw = (y_hat - y) v relu'(z) x.
At a logistic output p = sigmoid(z) with cross-entropy averaged over a batch of m,
dL/dz_i = (p_i - y_i) / m. The lesson's network (2 inputs, H tanh units, one output) is the
library's MLP; its gradient (MLP.grad) is the reference of the debug problem, heldout.early_stop
that of the early-stopping rule, and a seeded run of heldout.track the curves read in section 7.
Every number is computed from the factory's parameters (exact Fractions where the arithmetic is
by hand).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from ..checking import Mistake
from ..data import make_moons
from ..heldout import early_stop as _early_stop
from ..heldout import split, track
from ..models import sigmoid
from ..network import MLP
from ..sgd import sgd
from .problem import Problem, ask, method, value, variant
from .variants import Space


def _g(q):
    """A Fraction as the statement writes it (0.5, 3, 1.3)."""
    return f"{float(q):g}"


# ---- backprop through one ReLU unit, exactly ---------------------------------------------------


def relu_net_grads(x, y, w, v):
    """(dl/dw, dl/dv) for y_hat = v relu(w x), l = (1/2)(y_hat - y)^2: the forward pass, then back."""
    z = w * x
    h = max(z, 0 * z)
    r = v * h - y  # dl/dy_hat
    active = 1 if z > 0 else 0  # relu'(z)
    return r * v * active * x, r * h


def _draw_backprop(rng):
    """x in 3..6, y in -2..6, w one of 1/4, 1/2, 3/4, 3/2, 5/2 (so z = w x > 0), v one of -4, -3, 3, 4, 5:
    no factor 1 or 2 that would make a dropped factor look like a generic slip."""
    return {
        "x": Fraction(int(rng.integers(3, 7))),
        "y": Fraction(int(rng.integers(-2, 7))),
        "w": Fraction(int(rng.choice([1, 2, 3, 6, 10])), 4),
        "v": Fraction(int(rng.choice([-4, -3, 3, 4, 5]))),
    }


BACKPROP = Space(
    "08-backprop", {"x": Fraction(3), "y": Fraction(2), "w": Fraction(1, 2), "v": Fraction(4)}, _draw_backprop
)


@variant(BACKPROP)
def backprop(x, y, w, v):
    z = w * x
    if z <= 0:
        raise ValueError("z = w x must be positive, or relu'(z) = 0 and dl/dw vanishes")
    h = z
    r = v * h - y
    answer = relu_net_grads(x, y, w, v)
    mistakes = (
        Mistake(
            "missing-input-factor",
            "The last link of the chain is dz/dw = x; dl/dw still needs that factor.",
            (r * v, answer[1]),
        ),
        Mistake(
            "missing-output-weight",
            "On the way back from y_hat to h the chain passes through dy_hat/dh = v; dl/dw needs that factor.",
            (r * x, answer[1]),
        ),
        Mistake(
            "relu-value",
            f"You multiplied by relu(z) = {h} where its derivative relu'(z) belongs (here relu'(z) = 1, since z > 0).",
            (r * v * h * x, answer[1]),
        ),
        Mistake("sign", "Sign error: dl/dy_hat = y_hat - y.", (-answer[0], -answer[1])),
        Mistake(
            "swapped",
            "The two gradients are in the wrong order: the list is [dl/dw, dl/dv].",
            (answer[1], answer[0]),
            same_as=("order",),
        ),
    )
    values = [m.value for m in mistakes]
    if len(set(values)) != len(values) or answer in values:
        raise ValueError("these numbers make two slips give the same gradients")
    return Problem(
        id="08-backprop",
        lesson=8,
        kind="number",
        task="compute",
        sections=(3,),
        points=2,
        quantities={"h": None},
        statement=(
            "A network with one hidden unit: z = w x, h = relu(z), y_hat = v h, loss l = (1/2)(y_hat - y)^2. "
            f"At x = {_g(x)}, y = {_g(y)}, w = {_g(w)}, v = {_g(v)}, compute the two "
            "gradients and give them as a list [dl/dw, dl/dv]."
        ),
        answer=answer,
        hints=(
            ask("Which values must the forward pass compute and keep before you can go back through the network?"),
            method(
                "Start from dl/dy_hat = y_hat - y and multiply by one local derivative per link: for v the path "
                "is l -> y_hat -> v, for w it is l -> y_hat -> h -> z -> w."
            ),
            value(f"Forward: z = {z}, h = {h}, y_hat = {v * h}, so dl/dy_hat = {r}; relu'(z) = 1."),
        ),
        mistakes=mistakes,
    )


# ---- the same unit with tanh, symbolically -------------------------------------------------------
w, v, x, y = sp.symbols("w v x y", real=True)
TANH_LOSS = sp.Rational(1, 2) * (v * sp.tanh(w * x) - y) ** 2
TANH_DLDW = sp.diff(TANH_LOSS, w)
NS_TANH = {"w": w, "v": v, "x": x, "y": y}


def _draw_tanh_derivative(rng):
    """The loss's factor: a simple fraction or small whole number."""
    choices = [(1, 5), (1, 4), (1, 3), (2, 5), (2, 3), (3, 4), (1, 1), (5, 4), (4, 3), (3, 2), (2, 1), (5, 2)]
    choices += [(3, 1), (7, 2), (4, 1), (5, 1), (6, 1), (8, 1), (10, 1)]
    return {"half": Fraction(*choices[int(rng.integers(len(choices)))])}


TANH_DERIVATIVE = Space("08-tanh-derivative", {"half": Fraction(1, 2)}, _draw_tanh_derivative)


@variant(TANH_DERIVATIVE)
def tanh_derivative(half):
    """half: the loss's factor, l = half (y_hat - y)^2 (today 1/2)."""
    if half <= 0:
        raise ValueError("the loss's factor must be positive")
    loss = sp.Rational(half.numerator, half.denominator) * (v * sp.tanh(w * x) - y) ** 2
    answer = sp.diff(loss, w)
    k = 2 * sp.Rational(half.numerator, half.denominator)  # the factor the square's derivative leaves
    res, t = v * sp.tanh(w * x) - y, sp.tanh(w * x)
    half_text = "(1/2)" if half == Fraction(1, 2) else f"({half})"
    return Problem(
        id="08-tanh-derivative",
        lesson=8,
        kind="expression",
        task="derive",
        sections=(3,),
        statement=(
            f"The same unit with tanh: y_hat = v tanh(w x), l = {half_text}(y_hat - y)^2. Write dl/dw as an "
            "expression in w, v, x and y (tanh is available by name)."
        ),
        answer=answer,
        namespace=NS_TANH,
        quantities={"h": None},
        domain={"w": (-2, 2), "v": (-2, 2), "x": (-2, 2), "y": (-2, 2)},
        hints=(
            ask("Through which intermediate values does w reach the loss, and what does each link contribute?"),
            method(
                "Multiply the local derivatives along l -> y_hat -> h = tanh(z) -> z = w x -> w; "
                "tanh'(z) = 1 - tanh(z)^2."
            ),
            value(f"dl/dw = {sp.sstr(k)} (y_hat - y) * v * (1 - tanh(w x)^2) * x."),
        ),
        mistakes=(
            Mistake(
                "missing-activation-derivative",
                "The chain passes through h = tanh(z): it brings the factor tanh'(z) = 1 - tanh(z)^2.",
                k * res * v * x,
                same_as=("missing-factor",),
            ),
            Mistake(
                "missing-input-factor",
                "The last link is dz/dw = x.",
                k * res * v * (1 - t**2),
                same_as=("missing-factor",),
            ),
            Mistake(
                "missing-output-weight",
                "From y_hat back to h the chain brings dy_hat/dh = v.",
                k * res * (1 - t**2) * x,
                same_as=("missing-factor",),
            ),
            Mistake("tanh-derivative", "tanh'(z) is 1 - tanh(z)^2: the tanh is squared.", k * res * v * (1 - t) * x),
        ),
    )


# ---- the output gradient over a batch --------------------------------------------------------


def output_grad(z, y):
    """dL/dz_i = (sigmoid(z_i) - y_i) / m for L = (1/m) sum_i [-y_i log p_i - (1 - y_i) log(1 - p_i)]."""
    return (sigmoid(z) - y) / len(y)


def _output_cases(rng):
    cases = [
        dict(z=np.array([0.0]), y=np.array([1.0])),  # a batch of one
        dict(z=np.array([0.0, 0.0]), y=np.array([1.0, 0.0])),
        dict(z=np.array([2.0, -1.0, 0.5]), y=np.array([1.0, 1.0, 0.0])),
    ]
    for m in (2, 4, 5, 8):
        cases.append(dict(z=np.round(rng.normal(scale=2, size=m), 2), y=rng.integers(0, 2, m).astype(float)))
    return cases


def _draw_seed(rng):
    """The seed of the random test cases."""
    return {"seed": int(rng.integers(1, 10_000))}


OUTPUT_GRAD = Space("08-output-grad", {"seed": 0}, _draw_seed)


@variant(OUTPUT_GRAD)
def output_gradient(seed):
    return Problem(
        id="08-output-grad",
        lesson=8,
        kind="function",
        task="implement",
        sections=(3,),
        points=2,
        seed=seed,
        statement=(
            "Write output_grad(z, y): z are the output logits of a batch, shape (m,), y its labels in {0, 1}, "
            "shape (m,). With p_i = sigmoid(z_i) and the batch loss "
            "L = (1/m) sum_i [-y_i log p_i - (1 - y_i) log(1 - p_i)], return dL/dz, shape (m,)."
        ),
        quantities={"m": None},
        signature="output_grad(z, y) -> array of shape (m,)",
        answer=output_grad,
        cases=_output_cases,
        hints=(
            ask("For one example, what is dl_i/dz_i once the sigmoid's derivative meets the cross-entropy's?"),
            method(
                "Differentiate l_i = log(1 + e^z_i) - y_i z_i; then L is the mean of the m losses, "
                "and each z_i appears in one term only."
            ),
            value("dl_i/dz_i = p_i - y_i, and the mean gives each entry the factor 1/m."),
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
    )


# ---- debug: backprop of the lesson's network with 1/m applied twice ---------------------------


def net_backprop(W1, b1, W2, b2, X, y, mean="once", slope="tanh"):
    """The gradient (P,) of the batch mean cross-entropy of p = sigmoid(tanh(X W1^T + b1) W2^T + b2),
    packed [W1, b1, W2, b2] as MLP.pack does. mean: "once" (right), "twice" (the weight gradients
    divided by m again: the planted bug), "hidden" / "output" (only that layer's weight gradient
    divided again: half the fix), "none" (the summed loss); slope: "tanh" (1 - A1^2),
    "none" (the slope dropped), "linear" (1 - A1)."""
    m = len(y)
    A1 = np.tanh(X @ W1.T + b1)
    p = sigmoid((A1 @ W2.T + b2)[:, 0])
    D2 = (p - y)[:, None] / (1 if mean == "none" else m)
    dphi = {"tanh": 1 - A1**2, "none": 1.0, "linear": 1 - A1}[slope]
    D1 = (D2 @ W2) * dphi
    again1 = m if mean in ("twice", "hidden") else 1
    again2 = m if mean in ("twice", "output") else 1
    return MLP.pack([(D1.T @ X / again1, D1.sum(axis=0)), (D2.T @ A1 / again2, D2.sum(axis=0))])


def backprop_reference(W1, b1, W2, b2, X, y):
    """The library's gradient of the same network: MLP.grad at theta = pack([(W1, b1), (W2, b2)])."""
    net = MLP(np.asarray(X, dtype=float), np.asarray(y, dtype=float), hidden=(len(b1),))
    return net.grad(MLP.pack([(W1, b1), (W2, b2)]))


def _debug_cases(hidden):
    def cases(rng):
        out = []
        for m in (1, 2, 3, 5, 8):
            out.append(
                dict(
                    W1=np.round(rng.normal(size=(hidden, 2)), 2),
                    b1=np.round(rng.normal(scale=0.5, size=hidden), 2),
                    W2=np.round(rng.normal(size=(1, hidden)), 2),
                    b2=np.round(rng.normal(scale=0.5, size=1), 2),
                    X=np.round(rng.normal(size=(m, 2)), 2),
                    y=np.array([k % 2 for k in range(m)], dtype=float)[rng.permutation(m)],
                )
            )
        return out

    return cases


def _draw_debug_backprop(rng):
    """2 to 5 hidden units in the test networks, and the seed of the test cases."""
    return {"hidden": int(rng.integers(2, 6)), "seed": int(rng.integers(1, 10_000))}


DEBUG_BACKPROP = Space("08-debug-backprop", {"hidden": 3, "seed": 0}, _draw_debug_backprop)


@variant(DEBUG_BACKPROP)
def debug_backprop(hidden, seed):
    if hidden < 1:
        raise ValueError("the network needs a hidden unit")
    return Problem(
        id="08-debug-backprop",
        lesson=8,
        kind="function",
        task="debug",
        sections=(3,),
        points=2,
        seed=seed,
        statement=(
            "buggy_backprop(W1, b1, W2, b2, X, y) computes the gradient of the batch loss "
            "L_B = (1/m) sum_i [log(1 + e^z_i) - y_i z_i] for the lesson's network z = tanh(X W1^T + b1) W2^T + b2 "
            "(X of shape (m, 2), W1 (H, 2), b1 (H,), W2 (1, H), b2 (1,)), packed [W1, b1, W2, b2] as MLP.pack "
            "does. It has one bug. Find it with a finite-difference check and return the fixed function "
            "backprop(W1, b1, W2, b2, X, y)."
        ),
        quantities={"m": None},
        signature="backprop(W1, b1, W2, b2, X, y) -> array of shape (P,)",
        answer=backprop_reference,
        cases=_debug_cases(hidden),
        hints=(
            ask(
                "Which entries of the gradient disagree with the finite differences, and do they "
                "disagree for a batch of one example?"
            ),
            method(
                "Compare each layer's part with check_gradient; a part that is right for m = 1 and off by a factor "
                "that grows with m points to the batch mean: where should 1/m enter, and how often?"
            ),
            value(
                "The 1/m belongs once, in D2 = (p - y)/m; the weight gradients D1^T X and D2^T A1 "
                "divide by m a second time."
            ),
        ),
        mistakes=(
            Mistake(
                "still-the-planted-bug",
                "Still the planted bug: the weight gradients divide by m again, though D2 already holds the 1/m. "
                "The 1/m belongs once, at the output signal.",
                lambda W1, b1, W2, b2, X, y: net_backprop(W1, b1, W2, b2, X, y, mean="twice"),
            ),
            Mistake(
                "half-fix-hidden",
                "Half the fix: the bug sits in two places, and the hidden layer's weight gradient (W1's) still "
                "divides by m a second time.",
                lambda W1, b1, W2, b2, X, y: net_backprop(W1, b1, W2, b2, X, y, mean="hidden"),
            ),
            Mistake(
                "half-fix-output",
                "Half the fix: the bug sits in two places, and the output layer's weight gradient (W2's) still "
                "divides by m a second time.",
                lambda W1, b1, W2, b2, X, y: net_backprop(W1, b1, W2, b2, X, y, mean="output"),
            ),
            Mistake(
                "no-mean",
                "Now the 1/m is gone altogether: this is the gradient of the summed loss. Keep it "
                "once, in D2 = (p - y)/m.",
                lambda W1, b1, W2, b2, X, y: net_backprop(W1, b1, W2, b2, X, y, mean="none"),
            ),
            Mistake(
                "missing-tanh-slope",
                "A link of the chain is missing: D1 = (D2 W2) * (1 - A1^2), the tanh slope at Z1.",
                lambda W1, b1, W2, b2, X, y: net_backprop(W1, b1, W2, b2, X, y, slope="none"),
            ),
            Mistake(
                "tanh-slope-not-squared",
                "tanh'(Z1) is 1 - tanh(Z1)^2 = 1 - A1^2: the A1 is squared.",
                lambda W1, b1, W2, b2, X, y: net_backprop(W1, b1, W2, b2, X, y, slope="linear"),
            ),
        ),
    )


# ---- steps in a run of epochs --------------------------------------------------------------------


STEPS_SIZES = (
    (700, 48),
    (900, 64),
    (1000, 96),
    (1500, 64),
    (2000, 64),
    (2500, 32),
    (2500, 64),
    (2500, 96),
    (3000, 128),
    (5000, 64),
    (5000, 96),
    (5000, 128),
)  # (N, m): most epoch counts keep the slips apart


def _draw_steps(rng):
    """(N, m) from STEPS_SIZES, 3 to 10 epochs."""
    N, m = STEPS_SIZES[int(rng.integers(len(STEPS_SIZES)))]
    return {"N": N, "m": m, "epochs": int(rng.integers(3, 11))}


STEPS = Space("08-steps", {"N": 1000, "m": 96, "epochs": 5}, _draw_steps)


@variant(STEPS)
def steps(N, m, epochs):
    if N % m == 0 or m > N or epochs < 2:
        raise ValueError("the problem needs a short last batch and several epochs")
    answer = epochs * math.ceil(N / m)
    mistakes = (
        Mistake(
            "floor",
            "One batch short per epoch: the leftover examples form a last, smaller batch, "
            "which is one more step, so an epoch has ceil(N / m) steps.",
            Fraction(epochs * (N // m)),
        ),
        Mistake("not-whole", "Steps come in whole numbers: round N / m up in each epoch.", Fraction(epochs * N, m)),
        Mistake(
            "rounded-once",
            f"You rounded up once for the whole run, {epochs} N / m = {float(Fraction(epochs * N, m)):g} to "
            f"{math.ceil(Fraction(epochs * N, m))}; but every epoch ends with its own short batch, so round "
            "N / m up in each epoch, then multiply.",
            Fraction(math.ceil(Fraction(epochs * N, m))),
        ),
        Mistake(
            "one-epoch",
            "That is one epoch; the run has several.",
            Fraction(math.ceil(N / m)),
            same_as=("divided-by-n",),
        ),
        Mistake(
            "per-example", "That counts examples seen; one step uses a whole batch of m examples.", Fraction(epochs * N)
        ),
    )
    values = [m_.value for m_ in mistakes]
    if len(set(values)) != len(values) or answer in values or answer - 1 in values or answer + 1 in values:
        raise ValueError("these numbers make two slips give the same count")
    return Problem(
        id="08-steps",
        lesson=8,
        kind="number",
        task="compute",
        sections=(4, 5),
        statement=(
            f"A data set of N = {N} examples is shuffled and cut into mini-batches of m = {m} "
            "each epoch; the last batch of an epoch holds what is left over. How many SGD steps does a run "
            f"of {epochs} epochs take?"
        ),
        quantities={"N": N, "m": m, "epochs": epochs},
        answer=Fraction(answer),
        hints=(
            ask("One step per mini-batch: how many batches does one epoch make, counting the short one?"),
            method(
                "Count the full batches of one epoch, add one for the leftover examples, then "
                "multiply by the number of epochs."
            ),
            value(f"N / m = {float(Fraction(N, m)):.4g}: {N // m} full batches and one of {N % m} examples."),
        ),
        mistakes=mistakes,
    )


# ---- shuffling -----------------------------------------------------------------------------------


def _draw_shuffle(rng):
    """Each class a round hundred of examples; m divides it, so every batch holds one class."""
    return {
        "n_class": int(rng.choice([100, 200, 300, 400, 500, 600, 800, 1000])),
        "m": int(rng.choice([4, 5, 10, 20, 25, 50])),
    }


SHUFFLE = Space("08-shuffle", {"n_class": 500, "m": 10}, _draw_shuffle)


@variant(SHUFFLE)
def shuffle(n_class, m):
    if n_class % m or m < 2:
        raise ValueError("every batch must hold one class")
    return Problem(
        id="08-shuffle",
        lesson=8,
        kind="choice",
        task="concept",
        sections=(6,),
        statement=(
            f"A logistic-regression data set is stored sorted: all {n_class} examples of class 0, "
            f"then all {n_class} of "
            f"class 1. SGD with m = {m} walks through it in that order, epoch after epoch, without shuffling. "
            "What goes wrong, and what is the fix?"
        ),
        quantities={"n_class": n_class, "m": m},
        options=(
            "Nothing: each example is used once per epoch either way, so every epoch sees the same average gradient.",
            "Each batch holds one class only, so its gradient is a biased estimate of the full gradient: the "
            "first half of every epoch pushes towards class 0, the second towards class 1, and the model swings "
            "between the two. Fix: draw a new random order every epoch.",
            "The one-class gradients are too large and SGD diverges. Fix: lower the learning rate.",
            "Each batch holds one class only. Fix: shuffle the file once, before the first epoch, and then keep "
            "that order for every epoch.",
        ),
        answer="b",
        hints=(
            ask("When is a mini-batch gradient an unbiased estimate of the full gradient?"),
            method(
                "Follow the weights through one epoch: they change after every batch, so ask what the model learns "
                "during the first half, then during the second, and what a fixed order repeats every epoch."
            ),
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
                "shuffle-once",
                "One shuffle mixes the classes, but then every epoch repeats the same batches in the same order: "
                "the steps are no longer fresh random draws, and whatever that one order holds comes back every "
                "epoch. Shuffle every epoch, not once.",
                "d",
            ),
        ),
    )


# ---- a central difference --------------------------------------------------------------------------


def f_cube(w_):
    return w_**3


def _draw_central_difference(rng):
    """w0 an odd multiple of 1/2 in -9/2..9/2 (an integer w0 would make the exact derivative the central
    difference rounded), h one of 1/10, 1/5, 1/4, 1/2."""
    return {
        "w0": Fraction(int(rng.choice([-9, -7, -5, -3, -1, 1, 3, 5, 7, 9])), 2),
        "h": Fraction(1, int(rng.choice([10, 5, 4, 2]))),
    }


CENTRAL_DIFFERENCE = Space(
    "08-central-difference", {"w0": Fraction(3, 2), "h": Fraction(1, 10)}, _draw_central_difference
)


@variant(CENTRAL_DIFFERENCE)
def central_difference(w0, h):
    if h <= 0:
        raise ValueError("h must be positive")
    central = (f_cube(w0 + h) - f_cube(w0 - h)) / (2 * h)  # 3 w^2 + h^2
    mistakes = (
        Mistake(
            "forward-difference",
            "That is the one-sided difference (f(w + h) - f(w)) / h; the central difference uses w + h and w - h.",
            (f_cube(w0 + h) - f_cube(w0)) / h,
        ),
        Mistake(
            "backward-difference",
            "That is the one-sided difference (f(w) - f(w - h)) / h, looking back only; the central difference "
            "uses w + h and w - h.",
            (f_cube(w0) - f_cube(w0 - h)) / h,
        ),
        Mistake("h-not-2h", "The two points are 2 h apart: divide by 2 h.", 2 * central, same_as=("factor-2",)),
        Mistake(
            "exact-derivative",
            f"{_g(3 * w0**2)} is the exact derivative 3 w^2. The question asks what the central "
            f"difference gives; for a cube it is off by exactly h^2 = {_g(h**2)}.",
            3 * w0**2,
        ),
    )
    values = [m.value for m in mistakes]
    if len(set(values)) != len(values) or central in values:
        raise ValueError("these numbers make two slips give the same value")
    return Problem(
        id="08-central-difference",
        lesson=8,
        kind="number",
        task="compute",
        sections=(3,),
        statement=(
            f"To check a gradient, estimate the derivative of f(w) = w^3 at w = {_g(w0)} with the central "
            f"difference (f(w + h) - f(w - h)) / (2 h) and h = {_g(h)}. What number does it give?"
        ),
        quantities={"h": h},
        answer=central,
        hints=(
            ask("At which two points is f evaluated, and how far apart are they?"),
            method("Evaluate f at w + h and at w - h, subtract, and divide by the distance between the two points."),
            value(f"f({_g(w0 + h)}) = {_g(f_cube(w0 + h))} and f({_g(w0 - h)}) = {_g(f_cube(w0 - h))}."),
        ),
        mistakes=mistakes,
    )


# ---- initialisation ------------------------------------------------------------------------------


def _draw_zero_init(rng):
    """3 to 48 hidden units."""
    return {"hidden": int(rng.integers(3, 49))}


ZERO_INIT = Space("08-zero-init", {"hidden": 16}, _draw_zero_init)


@variant(ZERO_INIT)
def zero_init(hidden):
    if hidden < 2:
        raise ValueError("the question is about several hidden units")
    return Problem(
        id="08-zero-init",
        lesson=8,
        kind="choice",
        task="concept",
        sections=(1, 2),
        quantities={"hidden": hidden},
        statement=(
            f"The network of section 5 (2 inputs, {hidden} tanh hidden units, one output) is started from "
            "theta = 0: every weight and bias zero. SGD then runs as in section 5. What happens?"
        ),
        options=(
            "It trains as from a random start: SGD needs only the gradient, and the gradient is defined at theta = 0.",
            "Every hidden unit outputs tanh(0) = 0 and W2 = 0 passes no signal back, so W1, b1 and W2 get zero "
            "gradients at every step: only the output bias b2 moves, and the network gives every point the same "
            "probability.",
            "The hidden units start identical, but the random batches make them differ after a few steps.",
            "The weights move but the hidden units stay identical, so the network acts as one unit and draws a "
            "straight boundary, like the logistic regression of section 1.",
        ),
        answer="b",
        hints=(
            ask("At theta = 0, what are A1 = tanh(Z1) and the backward signal D2 W2 that reaches the hidden layer?"),
            method(
                "Use the backward pass: the gradient of W2 is D2^T A1, that of W1 and b1 comes from D1 = (D2 W2) * "
                "(1 - A1^2). Which of these are zero at theta = 0, and does one step change that?"
            ),
        ),
        mistakes=(
            Mistake(
                "zero-init",
                "At theta = 0 the gradient is defined, but it is zero for W1, b1 and W2: A1 = tanh(0) = 0 and W2 = 0 "
                "block the backward signal. Draw the weights at random.",
                "a",
            ),
            Mistake(
                "batches-break-symmetry",
                "Every hidden unit gets the same gradient from every batch, so units that start identical stay "
                "identical; the batches cannot tell them apart.",
                "c",
            ),
            Mistake(
                "equal-nonzero-start",
                "That is what happens when every weight starts at the same nonzero value. At zero, A1 = 0 and W2 = 0 "
                "block the backward signal, so W1 and W2 never move at all.",
                "d",
            ),
        ),
    )


# ---- held-out data: the lowest validation loss -----------------------------------------------------


def validation_curves(seed, n_train, hidden, eta, m, epochs, every):
    """(curves, epochs_scored): curves (set, evaluation, loss/accuracy) for the training, validation
    and test sets of one seeded run, as the solution notebook computes them."""
    rng = np.random.default_rng(seed)
    X, y = make_moons(n_train + 400, rng, noise=0.35)
    parts = split(X, y, (n_train, 200, 200), rng)
    train, val, test = (MLP(X_part, y_part, hidden=(hidden,)) for X_part, y_part in parts)
    run = sgd(train, train.init(rng), float(eta), m=m, epochs=epochs, rng=rng, track_loss=False)
    steps_per_epoch = -(-train.n // m)
    curves = np.array([track(part, run.thetas, every=every * steps_per_epoch) for part in (train, val, test)])
    return curves, np.arange(curves.shape[1]) * every


def _draw_val_lowest(rng):
    """A seed, and a small training set with a wide network trained long enough to overfit it. m stays 8:
    the notebook's heading (problem 8) states that number."""
    return {
        "seed": int(rng.integers(1, 1000)),
        "n_train": int(rng.choice([20, 25, 30, 40])),
        "hidden": int(rng.choice([32, 48, 64])),
        "eta": Fraction(int(rng.choice([1, 2, 4])), 4),
        "m": 8,
        "epochs": int(rng.choice([200, 300])),
        "every": int(rng.choice([5, 10])),
    }


VAL_LOWEST = Space(
    "08-val-lowest",
    {"seed": 1, "n_train": 30, "hidden": 32, "eta": Fraction(1, 2), "m": 8, "epochs": 300, "every": 10},
    _draw_val_lowest,
)


@variant(VAL_LOWEST)
def val_lowest(seed, n_train, hidden, eta, m, epochs, every):
    if epochs % every or n_train < m:
        raise ValueError("the curves are scored every `every` epochs, up to the last")
    curves, scored = validation_curves(seed, n_train, hidden, eta, m, epochs, every)
    k_val, k_test, k_train = (int(curves[s, :, 0].argmin()) for s in (1, 2, 0))
    if curves[1, -1, 0] <= 1.1 * curves[1, k_val, 0]:
        raise ValueError("the run must overfit: the validation loss climbs after its lowest point")
    answer = int(scored[k_val])
    mistakes = (
        Mistake(
            "test-set",
            "That is where the test loss is lowest. The stopping point is chosen on the validation set: chosen on "
            "the test set, the test score no longer estimates new data.",
            Fraction(int(scored[k_test])),
        ),
        Mistake(
            "training-loss",
            "That is where the training loss is lowest; it keeps falling while the network overfits. Read the "
            "validation curve.",
            Fraction(int(scored[k_train])),
        ),
        Mistake(
            "index-not-epoch",
            f"That is the position of the lowest validation loss in the array; the curves are scored every {every} "
            "epochs, so convert it to an epoch.",
            Fraction(k_val),
        ),
    )
    values = [m_.value for m_ in mistakes]
    if len(set(values)) != len(values) or answer in values or answer == 0:
        raise ValueError("this run makes two readings give the same epoch")
    return Problem(
        id="08-val-lowest",
        lesson=8,
        kind="number",
        task="read",
        sections=(7,),
        statement=(
            f"The notebook trains a network with {hidden} tanh hidden units on N = {n_train} noisy moons (SGD, "
            f"m = {m}, eta = {_g(eta)}, {epochs} epochs, seed {seed}) and scores it every {every} epochs on the "
            "training set, a validation set of 200 and a test set of 200. At which epoch is the validation "
            "loss lowest? That is the epoch early stopping would keep."
        ),
        quantities={"N": n_train, "m": m, "eta": eta},
        answer=Fraction(answer),
        hints=(
            ask("Which of the three curves may choose the stopping point, and why not the others?"),
            method("Find the smallest entry of the validation losses and convert its position to an epoch."),
        ),
        mistakes=mistakes,
    )


# ---- implement: early stopping -------------------------------------------------------------------


def early_stop(val_losses, patience):
    """(best, stopped): the library's rule (heldout.early_stop) with a patience."""
    return _early_stop(val_losses, patience=patience)


def _stop_variant(val_losses, patience, tie=False, look_past=False, extra=0, no_patience=False):
    v = [float(a) for a in val_losses]
    best, since = 0, 0
    for k in range(1, len(v)):
        if v[k] < v[best] or tie and v[k] == v[best]:
            best, since = k, 0
        else:
            since += 1
            if not no_patience and since >= patience + extra:
                if look_past:
                    best = int(np.argmin(v))
                return best, k
    if look_past:
        best = int(np.argmin(v))
    return best, len(v) - 1


def _stop_cases(rng):
    fixed = [
        ([0.9, 0.7, 0.8, 0.6, 0.65, 0.7, 0.75, 0.5], 2),  # stops before a later, lower value
        ([1.0, 0.8, 0.8, 0.8, 0.9, 0.95], 2),  # a tie is not an improvement
        ([0.5, 0.6, 0.7, 0.8], 2),  # never improves on the first value
        ([3.0, 2.0, 1.0], 1),  # improves to the end
        ([0.4], 1),  # one value
        ([1.0, 0.9, 0.95, 0.5, 0.4], 1),
        ([0.6, 0.5, 0.55, 0.52, 0.51, 0.5, 0.49, 0.6], 4),
    ]
    cases = [dict(val_losses=np.array(v), patience=p) for v, p in fixed]
    for patience in (1, 3, 5):
        walk = np.round(1 + np.cumsum(rng.normal(0, 0.1, 20)), 2)
        cases.append(dict(val_losses=walk, patience=patience))
    return cases


EARLY_STOP = Space("08-early-stop", {"seed": 0}, _draw_seed)


@variant(EARLY_STOP)
def early_stopping(seed):
    return Problem(
        id="08-early-stop",
        lesson=8,
        kind="function",
        task="implement",
        sections=(7,),
        points=2,
        seed=seed,
        statement=(
            "Write early_stop(val_losses, patience): val_losses holds the validation loss at evaluations "
            "0, 1, 2, ... in order, patience is a whole number >= 1. Walk through the values as a training loop "
            "would: the best so far is the lowest value seen (a value equal to the best is no improvement); stop at "
            "the first evaluation that has gone `patience` evaluations without improving on the best, or at the "
            "last evaluation if that never happens. Return (best, stopped): the position of the best value seen up "
            "to the stop, and the position where the loop stopped."
        ),
        quantities={"patience": None},
        signature="early_stop(val_losses, patience) -> (best, stopped)",
        answer=early_stop,
        cases=_stop_cases,
        hints=(
            ask("What must the loop remember as it walks through the values, besides where it is?"),
            method(
                "Keep the position of the best value and a count of evaluations since it improved: reset the count on "
                "a strictly lower value, else add one, and stop when the count reaches patience."
            ),
        ),
        mistakes=(
            Mistake(
                "tie-improves",
                "A value equal to the best is no improvement: compare with <, not <=, so a flat "
                "stretch uses up the patience.",
                lambda val_losses, patience: _stop_variant(val_losses, patience, tie=True),
            ),
            Mistake(
                "looks-past-the-stop",
                "Your best is the lowest value of the whole list, found after the stop: a training loop that stops "
                "never sees the later values. Take the best among the values up to the stop.",
                lambda val_losses, patience: _stop_variant(val_losses, patience, look_past=True),
            ),
            Mistake(
                "patience-plus-one",
                "The loop waits one evaluation too long: stop as soon as patience evaluations in a "
                "row have not improved.",
                lambda val_losses, patience: _stop_variant(val_losses, patience, extra=1),
            ),
            Mistake(
                "never-stops",
                "Your loop never stops early: it runs to the last evaluation and picks the best, ignoring patience.",
                lambda val_losses, patience: _stop_variant(val_losses, patience, no_patience=True),
            ),
        ),
    )


# ---- the stability checklist ---------------------------------------------------------------------


def _draw_checklist(rng):
    """A start near log 2, a good run (eta 0.1 to 1) ending well below it, a bad one (eta 20 to 100) above it."""
    return {
        "eta_good": Fraction(int(rng.choice([1, 2, 3, 5, 10])), 10),
        "eta_bad": Fraction(int(rng.choice([20, 30, 50, 100]))),
        "loss_start": Fraction(int(rng.choice([69, 70, 71, 72, 75])), 100),
        "loss_good": Fraction(int(rng.choice([2, 4, 5, 8, 10, 15])), 100),
        "loss_bad": Fraction(int(rng.choice([9, 11, 13, 16, 20, 25])), 10),
    }


CHECKLIST = Space(
    "08-checklist",
    {
        "eta_good": Fraction(1, 2),
        "eta_bad": Fraction(50),
        "loss_start": Fraction(70, 100),
        "loss_good": Fraction(5, 100),
        "loss_bad": Fraction(13, 10),
    },
    _draw_checklist,
)


@variant(CHECKLIST)
def checklist(eta_good, eta_bad, loss_start, loss_good, loss_bad):
    if not (
        loss_bad > loss_start and loss_bad > Fraction(math.log(2)) and loss_good < loss_start and eta_bad > eta_good
    ):
        raise ValueError("the bad run must end above its start and above log 2, the good one below its start")
    return Problem(
        id="08-checklist",
        lesson=8,
        kind="choice",
        task="concept",
        sections=(8,),
        statement=(
            f"The same network, data and batches are trained twice from the same start, where the loss is "
            f"{_g(loss_start)}. At eta = {_g(eta_good)} the last-epoch mean training loss is {_g(loss_good)}. At "
            f"eta = {_g(eta_bad)} no weight overflows and the run ends with a last-epoch mean training loss of "
            f"{_g(loss_bad)} (log 2 is about 0.693). What do you conclude, and what do you do?"
        ),
        quantities={"eta": None},
        options=(
            f"Nothing is wrong at eta = {_g(eta_bad)}: no weight overflowed, so the run did not diverge.",
            f"eta = {_g(eta_bad)} is too large: the run ends worse than its start and than log 2 (the loss of "
            "predicting 1/2 everywhere). Lower eta by factors of 3 to 10.",
            "The gradient has a bug: check it against finite differences before anything else.",
            "The network overfits its training data: stop earlier, on a validation set.",
        ),
        answer="b",
        hints=(
            ask("Which two reference levels tell whether a finished run made progress?"),
            method(
                "Compare the final loss with the start and with log 2, then ask what differs between the two runs: "
                "the code, the data and the batches are the same."
            ),
        ),
        mistakes=(
            Mistake(
                "no-overflow",
                f"No overflow is not the same as no divergence: the loss ends above its start ({_g(loss_start)}) and "
                "above log 2, worse than a network that predicts 1/2 everywhere.",
                "a",
            ),
            Mistake(
                "gradient-bug",
                f"The same code trains well at eta = {_g(eta_good)}, so the gradient is not what changed between the "
                "two runs: the learning rate is.",
                "c",
            ),
            Mistake(
                "overfitting",
                "Overfitting shows as a validation loss that climbs while the training loss keeps falling; here the "
                "training loss itself ends high.",
                "d",
            ),
        ),
    )


# ---- the policy-gradient estimator -----------------------------------------------------------------


def score_function_estimate(pi1, rewards, actions):
    """(1/m) sum_i R(a_i) d/dtheta log pi(a_i) for the two-armed policy pi(1) = sigmoid(theta) = pi1:
    d/dtheta log pi(1) = 1 - pi1, d/dtheta log pi(2) = -pi1 (the first entry of 1_a - pi)."""
    score = {1: 1 - pi1, 2: -pi1}
    return sum(Fraction(rewards[a - 1]) * score[a] for a in actions) / len(actions)


def _draw_score_function(rng):
    """pi(1) a simple fraction, two different rewards in 0..8, 4 to 6 actions with both arms."""
    pi1 = [(1, 4), (1, 3), (2, 5), (1, 2), (3, 5), (2, 3), (3, 4), (4, 5)][int(rng.integers(8))]
    m = int(rng.integers(4, 7))
    actions = [1, 2] + [int(a) for a in rng.integers(1, 3, size=m - 2)]
    return {
        "pi1": Fraction(*pi1),
        "rewards": tuple(int(r) for r in rng.choice(9, size=2, replace=False)),
        "actions": tuple(actions[k] for k in rng.permutation(m)),
    }


SCORE_FUNCTION = Space(
    "08-score-function", {"pi1": Fraction(3, 4), "rewards": (2, 6), "actions": (1, 2, 2, 1, 2)}, _draw_score_function
)


@variant(SCORE_FUNCTION)
def score_function(pi1, rewards, actions):
    if not 0 < pi1 < 1 or set(actions) - {1, 2} or len(actions) < 2:
        raise ValueError("a policy over two arms and at least two sampled actions")
    m = len(actions)
    answer = score_function_estimate(pi1, rewards, actions)
    r1, r2 = (Fraction(r) for r in rewards)
    mistakes = (
        Mistake(
            "sum-not-mean",
            f"That is the sum over the {m} sampled actions; the estimate is their mean: divide by m.",
            answer * m,
            same_as=("factor-n",),
        ),
        Mistake(
            "score-without-pi",
            "The score is d/dtheta log pi(a) = 1_a - pi(1): it keeps the term -pi(1) for both arms, so the arm not "
            "sampled still contributes.",
            score_function_estimate(Fraction(0), rewards, actions),
        ),
        Mistake(
            "grad-pi-not-log",
            "You used d pi(a)/d theta where its logarithm's derivative belongs: the estimator weights R(a) by "
            "d/dtheta log pi(a) = (d pi(a)/d theta) / pi(a).",
            sum(Fraction(rewards[a - 1]) * (pi1 * (1 - pi1) if a == 1 else -pi1 * (1 - pi1)) for a in actions) / m,
        ),
        Mistake(
            "exact-gradient",
            "That is the exact gradient pi(1)(1 - pi(1))(R(1) - R(2)); the question asks what the sampled estimate "
            "gives for these m actions (it is right only on average).",
            pi1 * (1 - pi1) * (r1 - r2),
        ),
        Mistake(
            "rewards-swapped",
            "The rewards are swapped: each sampled action carries the reward of the arm it pulled.",
            score_function_estimate(pi1, tuple(reversed(rewards)), actions),
        ),
    )
    values = [m_.value for m_ in mistakes]
    if len(set(values)) != len(values) or answer in values:
        raise ValueError("these numbers make two slips give the same estimate")
    sample = ", ".join(str(a) for a in actions)
    return Problem(
        id="08-score-function",
        lesson=8,
        kind="number",
        task="compute",
        sections=(9,),
        statement=(
            f"A policy over two arms plays arm 1 with probability pi(1) = sigmoid(theta) and arm 2 with pi(2) = "
            f"1 - sigmoid(theta); at the current theta, pi(1) = {pi1}. Arm 1 pays R(1) = {r1}, arm 2 pays "
            f"R(2) = {r2}. The policy samples m = {m} actions: {sample}. Compute the score-function estimate of "
            "dJ/dtheta, (1/m) sum_i R(a_i) d/dtheta log pi(a_i)."
        ),
        quantities={"m": m},
        answer=answer,
        hints=(
            ask("What is d/dtheta log pi(a) for each arm, written with pi(1)?"),
            method(
                "Use sigma'(theta) = sigma(theta)(1 - sigma(theta)) (or the lesson's softmax rule "
                "1_a - pi, first entry) "
                "for each arm, then average R(a_i) times it over the sampled actions."
            ),
            value(f"d/dtheta log pi(1) = {1 - pi1} and d/dtheta log pi(2) = {-pi1}."),
        ),
        mistakes=mistakes,
    )


PROBLEMS = (
    steps,
    shuffle,
    zero_init,
    backprop,
    tanh_derivative,
    central_difference,
    output_gradient,
    debug_backprop,
    val_lowest,
    early_stopping,
    checklist,
    score_function,
)

COMMON_MISTAKES = {
    "A missing link of the chain": (
        ("08-backprop", "missing-input-factor"),
        ("08-backprop", "missing-output-weight"),
        ("08-tanh-derivative", "missing-activation-derivative"),
        ("08-debug-backprop", "missing-tanh-slope"),
    ),
    r"$\frac1m$ applied twice, or not at all": (
        ("08-debug-backprop", "still-the-planted-bug"),
        ("08-debug-backprop", "no-mean"),
        ("08-output-grad", "sum-not-mean"),
        ("08-score-function", "sum-not-mean"),
    ),
    "Data in stored order": (("08-shuffle", "same-average"), ("08-shuffle", "shuffle-once")),
    '"No overflow" read as "no divergence"': (("08-checklist", "no-overflow"),),
    "The stopping point chosen on the test set": (("08-val-lowest", "test-set"),),
    "All weights initialised to zero": (("08-zero-init", "zero-init"),),
}
