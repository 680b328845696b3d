"""Lesson 3 problems: the mini-batch estimator g_hat = (1/m) sum_{i in B} grad l_i, and logistic regression.

For logistic regression p_i = sigma(w . x_i) and grad l_i = (p_i - y_i) x_i (chain rule through
z = w . x); the mini-batch step is w <- w - eta g_hat. Every problem is built by a factory from its
parameters: today's numbers are the defaults, a learner's are drawn from the problem's Space
(sgdcourse.problems.variants). The experiments (sections 3, 6, 7) run the library with explicit seeds,
so the notebook's cells, reading their numbers with data(), give the numbers the bank checks against.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from .. import models
from ..checking import Mistake
from ..data import make_logistic
from ..gradcheck import check_gradient
from ..models import Linear1D, Logistic
from ..sgd import sgd
from ..sweep import final_losses, summary
from .problem import Problem, ask, exact, method, value, variant
from .variants import Space

eta = sp.Symbol("eta", positive=True)
w, x, y, z = sp.symbols("w x y z", real=True)
sigmoid = sp.Lambda(z, 1 / (1 + sp.exp(-z)))


def _fr(v):
    return Fraction(v).limit_denominator(10**9) if isinstance(v, float) else Fraction(v)


def _pairs(xs, ys):
    return ", ".join(f"({_fmt(a)}, {_fmt(b)})" for a, b in zip(xs, ys))


def _fmt(v):
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"{float(v):g}"


def _sym(q):
    return sp.Rational(q.numerator, q.denominator)


def _batch_terms(xs, ys, w0):
    """The per-example gradients (w x_i - y_i) x_i at w0, exact, via the library."""
    batch = Linear1D(
        np.array([Fraction(v) for v in xs], dtype=object), np.array([Fraction(v) for v in ys], dtype=object)
    )
    at = np.array([Fraction(w0)], dtype=object)
    return batch, [exact(r) for r in batch.per_example_grads(at)], exact(batch.grad(at))


# ---- section 4: the mini-batch gradient and one step, by hand ------------------------------------


def _draw_batch(rng):
    """Two examples with distinct x in 1..4 and y in 0..3; w0 one of -2, -1, 1, 2."""
    return {
        "xs": tuple(int(v) for v in sorted(rng.choice([1, 2, 3, 4], size=2, replace=False))),
        "ys": tuple(int(v) for v in rng.integers(0, 4, size=2)),
        "w0": int(rng.choice([-2, -1, 1, 2])),
    }


BATCH = Space("03-batch-gradient", {"xs": (1, 3), "ys": (2, 1), "w0": -1}, _draw_batch)


@variant(BATCH)
def batch_gradient(xs, ys, w0):
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("a batch of at least two examples")
    batch, terms, g = _batch_terms(xs, ys, w0)
    m = len(xs)
    if g == 0 or terms[0] == g:
        raise ValueError("the mean must differ from 0 and from the first term")
    no_x = sum(Fraction(w0) * Fraction(a) - Fraction(b) for a, b in zip(xs, ys)) / m
    return Problem(
        id="03-batch-gradient",
        lesson=3,
        kind="number",
        task="compute",
        sections=(4,),
        statement=(
            "For y_hat = w x and l_i = (1/2)(w x_i - y_i)^2, compute the mini-batch gradient "
            f"g_hat(w) = (1/m) sum_{{i in B}} (w x_i - y_i) x_i for the batch B = {{{_pairs(xs, ys)}}} "
            f"(so m = {m}) at w = {_fmt(w0)}."
        ),
        quantities={"m": m},
        answer=g,
        hints=(
            ask("What does each example of the batch contribute, and what do you do with the contributions?"),
            method("Evaluate (w x_i - y_i) x_i for each pair at the given w, then take the mean: add and divide by m."),
            value(f"The terms are {', '.join(map(str, terms))}."),
        ),
        mistakes=(
            Mistake(
                "sum-not-mean",
                f"That is the sum over the batch; the estimator divides by m = {m}.",
                sum(terms),
                same_as=("factor-2", "divisor-minus-one") if m == 2 else ("factor-n",),
            ),
            Mistake("sign", "Sign error: the residual is w x_i - y_i, not y_i - w x_i.", -g),
            Mistake(
                "first-example-only",
                "That is the first example's gradient alone; g_hat averages over every example of the batch.",
                terms[0],
            ),
            Mistake(
                "missing-x",
                "That is the mean residual w x_i - y_i: each residual still needs its factor x_i (the chain rule).",
                no_x,
            ),
        ),
    )


@variant(BATCH)
def batch_update(xs, ys, w0):
    batch, terms, g = _batch_terms(xs, ys, w0)
    m, w_0 = len(xs), _sym(Fraction(w0))
    answer = w_0 - eta * _sym(g)
    return Problem(
        id="03-batch-update",
        lesson=3,
        kind="expression",
        task="compute",
        sections=(4,),
        statement=(
            f"Same batch B = {{{_pairs(xs, ys)}}}, from w = {_fmt(w0)}. Write the weight after one SGD step "
            "w+ = w - eta g_hat as an expression in eta."
        ),
        quantities={"m": m},
        answer=answer,
        namespace={"eta": eta},
        domain={"eta": (0, 1)},
        hints=(
            ask("Which two things does the update combine, and which of them did the previous problem give?"),
            method("Start from the current w and subtract eta times g_hat; keep eta as a symbol."),
            value(f"g_hat = {g}."),
        ),
        mistakes=(
            Mistake("uphill", "The step went uphill: w+ = w - eta g_hat, against the gradient.", w_0 + eta * _sym(g)),
            Mistake(
                "sum-not-mean",
                "That step used the summed gradient; the mini-batch estimator is the mean over the batch.",
                w_0 - eta * _sym(sum(terms)),
            ),
            Mistake("gradient-not-weight", "That is g_hat itself; the question asks for the new weight.", _sym(g)),
            Mistake(
                "change-only",
                "That is only the change -eta g_hat; the new weight adds it to the current w.",
                -eta * _sym(g),
            ),
        ),
    )


# ---- section 2: the gradient by the chain rule --------------------------------------------------


def _draw_offset(rng):
    """An offset b in the score w x + b: a nonzero multiple of 1/2 between -5 and 5."""
    return {"b": Fraction(int(rng.choice([k for k in range(-10, 11) if k])), 2)}


OFFSET = Space("03-logistic-derivative", {"b": 0}, _draw_offset)


@variant(OFFSET)
def logistic_derivative(b):
    score = w * x + _sym(Fraction(b))
    p = sigmoid(score)
    answer = sp.diff(-y * sp.log(p) - (1 - y) * sp.log(1 - p), w)
    shown = "w x" if b == 0 else f"w x {'+' if b > 0 else '-'} {abs(Fraction(b))}"
    return Problem(
        id="03-logistic-derivative",
        lesson=3,
        kind="expression",
        task="derive",
        sections=(2,),
        points=2,
        statement=(
            f"One-feature logistic regression: p = sigmoid({shown}) with sigmoid(z) = 1 / (1 + exp(-z)), "
            "l = -y log p - (1 - y) log(1 - p). Write dl/dw in terms of w, x, y "
            "(you may call sigmoid(...) in your answer)."
        ),
        answer=answer,
        namespace={"w": w, "x": x, "y": y, "sigmoid": sigmoid},
        domain={"w": (-2, 2), "x": (-2, 2), "y": (0, 1)},
        hints=(
            ask("Through which intermediate quantity does l depend on w?"),
            method(
                "Split at the score z: dl/dw = (dl/dp)(dp/dz)(dz/dw), with sigmoid'(z) = sigmoid(z)(1 - sigmoid(z)); "
                "the first two links simplify to p - y."
            ),
            value("dz/dw = x."),
        ),
        mistakes=(
            Mistake(
                "sign",
                "Sign error: the gradient is (p - y) x, which is negative when p < y = 1.",
                (y - p) * x,
            ),
            Mistake(
                "missing-chain-factor",
                "That is dl/dz; the chain rule still needs dz/dw = x.",
                p - y,
                same_as=("missing-factor",),
            ),
            Mistake(
                "z-not-p",
                "That is the least-squares gradient (z - y) x: the prediction here is p = sigmoid(z), not the score z.",
                (score - y) * x,
            ),
            Mistake(
                "extra-sigma-prime",
                "That keeps a factor sigmoid'(z) = p (1 - p) too many: it cancels against the denominator "
                "p (1 - p) of dl/dp, leaving (p - y) x.",
                (p - y) * p * (1 - p) * x,
            ),
        ),
    )


# ---- section 4: the logistic mini-batch estimate, by hand and as a function ---------------------


def _draw_logistic_minibatch(rng):
    """Three or four examples with distinct nonzero x in -3..3 and labels 0 or 1; w0 one of
    -2, -1, -1/2, 1/2, 1, 2; a batch of the first 2 (or, of four examples, 3)."""
    n = int(rng.choice([3, 4]))
    return {
        "xs": tuple(int(v) for v in rng.choice([-3, -2, -1, 1, 2, 3], size=n, replace=False)),
        "ys": tuple(int(v) for v in rng.integers(0, 2, size=n)),
        "w0": Fraction(int(rng.choice([-4, -2, -1, 1, 2, 4])), 2),
        "m": int(rng.integers(2, n)),
    }


LOGISTIC_MINIBATCH = Space(
    "03-logistic-minibatch", {"xs": (2, -1, 3), "ys": (1, 1, 0), "w0": -1, "m": 2}, _draw_logistic_minibatch
)


@variant(LOGISTIC_MINIBATCH)
def logistic_minibatch(xs, ys, w0, m):
    if not 1 <= m < len(xs) or not set(ys) <= {0, 1} or w0 == 0:
        raise ValueError("a batch smaller than the data, labels 0 or 1, and w != 0 (at w = 0 slips coincide)")
    X, Y, wv = np.array([[float(v)] for v in xs]), np.array([float(v) for v in ys]), np.array([float(w0)])
    model = Logistic(X, Y)
    B = list(range(m))
    g = float(model.grad(wv, B)[0])
    xb, yb = X[B, 0], Y[B]
    least = float(np.mean((wv[0] * xb - yb) * xb))  # p_i replaced by the score w x_i
    dropped = float(np.mean(-yb * xb))  # p_i left out: -y_i x_i
    stale = float(Logistic(X, Y).grad(np.zeros(1), B)[0])  # p_i from w = 0, an earlier step
    return Problem(
        id="03-logistic-minibatch",
        lesson=3,
        kind="number",
        task="compute",
        sections=(4,),
        tol=5e-4,
        statement=(
            f"Logistic regression with one feature, data (x, y) = {_pairs(xs, ys)}, at w = {_fmt(w0)}. "
            f"The mini-batch is the first m = {m} examples. What is g_hat = (1/m) sum_{{i in B}} (p_i - y_i) x_i, "
            "with p_i = sigmoid(w x_i)? Give it to 3 decimal places or better."
        ),
        quantities={"m": m, "N": len(xs)},
        answer=g,
        hints=(
            ask("Which examples are in the batch, and what is each one's prediction p_i at this w?"),
            method("Compute p_i = 1 / (1 + exp(-w x_i)) for the batch, then the mean of (p_i - y_i) x_i."),
            value("p_i = " + ", ".join(f"{v:.4f}" for v in model.probabilities(wv, B)) + "."),
        ),
        mistakes=(
            Mistake(
                "sum-not-mean",
                f"That is the sum over the batch; divide by m = {m}.",
                m * g,
                same_as=("factor-2", "divisor-minus-one") if m == 2 else ("factor-n",),
            ),
            Mistake("sign", "Sign error: each term is (p_i - y_i) x_i.", -g),
            Mistake(
                "full-batch",
                f"That is the full gradient over all {len(xs)} examples; the mini-batch holds only the first {m}.",
                float(model.grad(wv)[0]),
            ),
            Mistake(
                "least-squares",
                "That uses the score w x_i where the prediction p_i = sigmoid(w x_i) belongs: the least-squares "
                "gradient (w x_i - y_i) x_i.",
                least,
            ),
            Mistake(
                "p-dropped",
                "That is the mean of -y_i x_i: the prediction p_i was left out of p_i - y_i (taken as 0).",
                dropped,
            ),
            Mistake(
                "stale-predictions",
                "Those are the predictions p_i = 1/2 of w = 0, an earlier weight: recompute p_i at the current w.",
                stale,
            ),
        ),
    )


# The logistic data set of 03-logistic-minibatch (and of the unbiasedness test): three examples.
LX = np.array([[float(v)] for v in logistic_minibatch.params["xs"]])
LY = np.array([float(v) for v in logistic_minibatch.params["ys"]])


def minibatch_grad(w, X, y):
    """g_hat = (1/m) sum_i (sigmoid(x_i . w) - y_i) x_i for the m rows of X, via the library."""
    return Logistic(X, y).grad(w)


def _draw_batch_shapes(rng):
    """Five random batches (m, d): m from 1 to 8 (one batch of one among them), d from 1 to 4."""
    ms = [1, *(int(v) for v in rng.integers(2, 9, size=4))]
    return {"sizes": tuple(sorted((m, int(rng.integers(1, 5))) for m in ms))}


BATCH_SHAPES = Space("03-minibatch-grad", {"sizes": ((1, 3), (2, 1), (3, 2), (4, 3), (8, 2))}, _draw_batch_shapes)


@variant(BATCH_SHAPES)
def minibatch_function(sizes):
    def cases(rng):
        out = [
            dict(w=np.zeros(2), X=np.array([[1.0, -2.0]]), y=np.array([1.0])),  # batch of one
            dict(w=np.zeros(1), X=np.array([[2.0], [-1.0]]), y=np.array([1.0, 1.0])),
            dict(w=np.zeros(3), X=np.zeros((2, 3)), y=np.array([0.0, 1.0])),  # zero features
        ]
        for m, d in sizes:
            out.append(
                dict(
                    w=np.round(rng.normal(size=d), 2),
                    X=np.round(rng.normal(size=(m, d)), 2),
                    y=rng.integers(0, 2, m).astype(float),
                )
            )
        return out

    return Problem(
        id="03-minibatch-grad",
        lesson=3,
        kind="function",
        task="implement",
        sections=(2, 4),
        points=2,
        statement=(
            "Write minibatch_grad(w, X, y) for logistic regression: w has shape (d,), the batch X "
            "shape (m, d), labels y shape (m,) in {0, 1}. Return g_hat = (1/m) sum_i (p_i - y_i) x_i "
            "with p_i = sigmoid(x_i . w), as an array of shape (d,)."
        ),
        quantities={"m": None},
        signature="minibatch_grad(w, X, y) -> array of shape (d,)",
        answer=minibatch_grad,
        cases=cases,
        hints=(
            ask("Can you get all m probabilities with one matrix product, and the sum of the rows with another?"),
            method("p = 1 / (1 + np.exp(-(X @ w))); X.T @ (p - y) sums (p_i - y_i) x_i; then divide by m = len(y)."),
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
            Mistake(
                "divided-by-d",
                "You divided by the number of features d = X.shape[1]; the mean is over the m examples, "
                "X.shape[0] = len(y).",
                lambda w, X, y: X.T @ (models.sigmoid(X @ w) - y) / X.shape[1],
            ),
        ),
    )


# ---- section 5: unbiasedness --------------------------------------------------------------------


@variant(replace=False)
def unbiased(replace):
    if replace:
        draws = "N^m ordered draws B of m examples with replacement"
        count = "Each of the m draws on its own is uniform over the N examples: what is its expected gradient?"
        how = "Average one draw's gradient over the N equally likely examples, then the m draws' mean of those."
    else:
        draws = "C(N, m) batches B of m distinct examples"
        count = "In how many of the batches does a given example i appear?"
        how = (
            "Count them: C(N - 1, m - 1), a fraction m/N of all batches. Combine that share with the 1/m inside "
            "g_hat to get the weight of each grad l_i."
        )
    return Problem(
        id="03-unbiased-batches",
        lesson=3,
        kind="choice",
        task="concept",
        sections=(5,),
        statement=(
            "Average the mini-batch estimate g_hat = (1/m) sum_{i in B} grad l_i over every one of "
            f"the {draws}. What do you get?"
        ),
        quantities={"N": None, "m": None},
        options=(
            "Exactly grad L = (1/N) sum_i grad l_i.",
            "(m / N) grad L.",
            "The plain sum sum_i grad l_i.",
            "grad L, but only in the limit of large N.",
        ),
        answer="a",
        hints=(ask(count), method(how)),
        mistakes=(
            Mistake(
                "scaled",
                "Each example carries a share m/N of the draws, and g_hat divides by m: "
                "the two factors combine to 1/N, with nothing left over.",
                "b",
            ),
            Mistake("sum-not-mean", "The 1/m inside g_hat and the m/N share of the draws leave a factor 1/N.", "c"),
            Mistake("limit", "No limit is needed: the counting argument is exact for every N.", "d"),
        ),
    )


# ---- section 1: the loss, computed stably (debug) -----------------------------------------------


def stable_loss(w, X, y):
    """The mean cross-entropy of the batch, log(1 + e^z) - y z per example, via the library."""
    return float(Logistic(X, y).loss(w))


def buggy_loss(w, X, y):
    """The planted bug: log(1 - sigmoid(z)) computed literally (and log sigmoid(z) likewise)."""
    p = models.sigmoid(X @ w)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))


def _draw_big(rng):
    """The large score of the test batches: a multiple of 5 from 45 to 240."""
    return {"big": 5 * int(rng.integers(9, 49))}


BIG = Space("03-stable-loss", {"big": 40}, _draw_big)


@variant(BIG)
def stable_loss_problem(big):
    if big < 40:
        raise ValueError("the large score must make 1 - sigmoid(z) round to 0 in float64")

    def cases(rng):
        out = [
            dict(w=np.array([1.0, -1.0]), X=np.array([[0.5, 1.0], [2.0, -1.0]]), y=np.array([1.0, 0.0])),
            dict(w=np.array([float(big)]), X=np.array([[1.0], [0.05]]), y=np.array([0.0, 1.0])),  # z = big, wrong
            dict(w=np.array([1.0, 1.0]), X=np.array([[float(big), 1.0], [-1.0, 0.5]]), y=np.array([0.0, 0.0])),
            dict(
                w=np.array([2.0, 0.5]), X=np.array([[3.0, -2.0], [-1.0, 4.0], [0.5, 0.5]]), y=np.array([1.0, 0.0, 1.0])
            ),
        ]
        for m, d in ((3, 2), (5, 3)):
            out.append(
                dict(
                    w=np.round(rng.normal(size=d), 2),
                    X=np.round(rng.normal(size=(m, d)), 2),
                    y=rng.integers(0, 2, m).astype(float),
                )
            )
        return out

    return Problem(
        id="03-stable-loss",
        lesson=3,
        kind="function",
        task="debug",
        sections=(1,),
        points=2,
        statement=(
            "buggy_loss(w, X, y) returns the mean cross-entropy (1/m) sum_i [-y_i log p_i - (1 - y_i) log(1 - p_i)] "
            f"of a batch, p_i = sigmoid(x_i . w), but it returns inf for a large score z_i = x_i . w, such as {big} "
            "on an example with y_i = 0. "
            "Fix it: write stable_loss(w, X, y) that returns the same mean loss as a float, finite for every score."
        ),
        quantities={"m": None},
        signature="stable_loss(w, X, y) -> float",
        answer=stable_loss,
        cases=cases,
        hints=(
            ask(f"What is 1 - sigmoid(z) in floating point when z = {big}, and what is the log of that?"),
            method(
                "Rewrite the loss in terms of z: log p = z - log(1 + e^z) and log(1 - p) = -log(1 + e^z), so "
                "l = log(1 + e^z) - y z; np.logaddexp(0, z) computes log(1 + e^z) without overflow."
            ),
        ),
        mistakes=(
            Mistake(
                "planted-bug",
                "Still the planted bug: log(1 - sigmoid(z)) is computed literally, and 1 - sigmoid(z) rounds to 0 "
                "for a "
                "large score. Write the loss as log(1 + e^z) - y z.",
                buggy_loss,
            ),
            Mistake(
                "sum-not-mean",
                "Your function returns the sum over the batch; the mean divides by m.",
                lambda w, X, y: float(np.sum(np.logaddexp(0.0, X @ w) - y * (X @ w))),
            ),
            Mistake(
                "label-term-dropped",
                "The term -y z is missing: log(1 + e^z) alone is the loss of a negative example (y = 0).",
                lambda w, X, y: float(np.mean(np.logaddexp(0.0, X @ w))),
            ),
        ),
    )


# ---- section 1: the intercept -------------------------------------------------------------------

INTERCEPT = Problem(
    id="03-intercept",
    lesson=3,
    kind="choice",
    task="concept",
    sections=(1,),
    statement=(
        "A logistic model scores x = (x_a, x_b) as z = w_a x_a + w_b x_b, with no column of ones. "
        "The decision boundary is the line where the score is zero. The classes are split well by a line that "
        "misses the origin by a wide margin. What does the missing intercept do?"
    ),
    options=(
        "The boundary must pass through the origin, so no choice of w_a, w_b separates the two clouds well.",
        "Nothing: the intercept only shifts the probabilities, never the boundary.",
        "Training takes longer, but it reaches the same boundary in the end.",
        "It makes the gradient biased, so SGD converges to the wrong weights.",
    ),
    answer="a",
    hints=(
        ask("Which point lies on the line w_a x_a + w_b x_b = 0 whatever the weights are?"),
        method(
            "Every such line passes through the origin; draw the two clouds and ask whether a line through the "
            "origin can put them on opposite sides. A column of ones adds a bias b and frees the line: "
            "w . x + b = 0."
        ),
    ),
    mistakes=(
        Mistake(
            "intercept-harmless",
            "The bias b moves the boundary w . x + b = 0 itself: without it the line is pinned to the origin.",
            "b",
        ),
        Mistake(
            "just-slower",
            "No number of steps moves a line that must pass through the origin: the best boundary without an "
            "intercept is a different, worse one.",
            "c",
        ),
        Mistake(
            "biased-gradient",
            "The mini-batch gradient stays an unbiased estimate of this model's gradient; it is the model that "
            "lacks a parameter.",
            "d",
        ),
    ),
)


# ---- section 3: a gradient check that fails (read) ----------------------------------------------


def fd_experiment(n, data_seed, w_check):
    """The check of a candidate gradient X^T (y - p) on a seeded data set: (analytic, numeric)."""
    X, Y, _ = make_logistic(n, 2, np.random.default_rng(data_seed), intercept=True)
    model = Logistic(X, Y)
    candidate = lambda wv: X.T @ (Y - model.probabilities(wv))  # noqa: E731  sign flipped, 1/N dropped
    result = check_gradient(model.loss, candidate, np.array([float(v) for v in w_check]))
    return result.analytic, result.numeric


def _draw_fd(rng):
    """N from 3 to 12 examples, a data seed from 0 to 9, and w with entries in -2..2."""
    return {
        "n": int(rng.integers(3, 13)),
        "data_seed": int(rng.integers(0, 10)),
        "w_check": tuple(int(v) for v in rng.integers(-2, 3, size=3)),
    }


FD = Space("03-fd-ratio", {"n": 6, "data_seed": 0, "w_check": (1, -2, 1)}, _draw_fd)


@variant(FD)
def fd_ratio(n, data_seed, w_check):
    if n < 2:
        raise ValueError("at least two examples")
    analytic, numeric = fd_experiment(n, data_seed, w_check)
    ratio = Fraction(-n)  # X^T (y - p) = -N (1/N) X^T (p - y): the sign flipped and the 1/N dropped
    if not np.allclose(analytic, float(ratio) * numeric, rtol=1e-5, atol=1e-8):
        raise ValueError("the check does not show the ratio")
    return Problem(
        id="03-fd-ratio",
        lesson=3,
        kind="number",
        task="read",
        sections=(3,),
        tol=1e-2,
        statement=(
            f"Data: make_logistic({n}, 2, np.random.default_rng({data_seed}), intercept=True), so N = {n}. A candidate "
            "gradient grad_candidate(w) = X.T @ (y - p) is checked against central differences of L with "
            f"check_gradient at w = ({', '.join(_fmt(v) for v in w_check)}). Run the check and read its analytic and "
            "numeric vectors: each entry of the analytic vector is the numeric one times the same number. Which number?"
        ),
        quantities={"N": n},
        answer=ratio,
        hints=(
            ask("Divide the analytic vector by the numeric one, entry by entry: do the ratios agree?"),
            method(
                "Compare the candidate with the right gradient (1/N) X.T @ (p - y): which sign and which factor "
                "does it change?"
            ),
        ),
        mistakes=(
            Mistake(
                "numeric-over-analytic",
                "That is the numeric vector over the analytic one: the question asks by what the numeric one is "
                "multiplied to give the analytic one.",
                1 / ratio,
                same_as=("inverted",),
            ),
        ),
    )


# ---- section 6: choose eta from a sweep, and name the budget ------------------------------------


def lesson_data(seed=3, n=200):
    """Section 3's data set: N examples, two features and an intercept, weights (2, -1, 0.5)."""
    X, Y, _ = make_logistic(n, 2, np.random.default_rng(seed), w=np.array([2.0, -1.0, 0.5]), intercept=True)
    return Logistic(X, Y)


def eta_grid(eta_min, count):
    return [float(eta_min) * 2**k for k in range(count)]


def eta_sweep(m, steps, eta_min, count, n_seeds, data_seed=3):
    """Mean and sd of the final loss after `steps` steps of batch size m, for each eta of the grid,
    over the batch orders np.random.default_rng(s), s = 0 .. n_seeds - 1 (sgdcourse.sweep)."""
    model = lesson_data(data_seed)
    etas = eta_grid(eta_min, count)
    values = final_losses(model, np.zeros(model.dim), etas, (m,), np.arange(n_seeds), steps=steps)
    mean, sd = summary(values)
    return etas, mean[0], sd[0]


def _draw_sweep(rng):
    """Batch size 1, 2, 4 or 5; 50, 100 or 200 steps; a grid of 8 to 10 doublings from 1/64 or 1/32;
    5 or 10 batch orders; a tolerance of 0.01 or 0.02."""
    return {
        "m": int(rng.choice([1, 2, 4, 5])),
        "steps": int(rng.choice([50, 100, 200])),
        "eta_min": Fraction(1, int(rng.choice([32, 64]))),
        "count": int(rng.integers(8, 11)),
        "n_seeds": int(rng.choice([5, 10])),
        "tol": Fraction(int(rng.choice([1, 2])), 100),
    }


SWEEP = Space(
    "03-choose-eta",
    {"m": 2, "steps": 100, "eta_min": Fraction(1, 32), "count": 9, "n_seeds": 10, "tol": Fraction(1, 100)},
    _draw_sweep,
)


@variant(SWEEP)
def choose_eta(m, steps, eta_min, count, n_seeds, tol):
    etas, mean, sd = eta_sweep(m, steps, eta_min, count, n_seeds)
    best = int(np.argmin(mean))
    good = [k for k in range(len(etas)) if mean[k] <= mean[best] + float(tol)]
    lo, hi = min(good), max(good)
    if lo == 0 or hi == len(etas) - 1 or good != list(range(lo, hi + 1)):
        raise ValueError("the grid must reach past the good range on both sides, and the good range be one block")
    r = lambda v: round(float(v), 4)  # noqa: E731
    below = (
        f"at eta = {etas[lo - 1]:g}, the nearest tested value below the range, the mean final loss is "
        f"{r(mean[lo - 1])}, "
        f"more than {float(tol):g} above the best "
        f"{r(mean[best])}: with so short a step, T = {steps} steps do not get close to the minimum."
    )
    above = (
        f"at eta = {etas[hi + 1]:g}, the nearest tested value above the range, the mean final loss is "
        f"{r(mean[hi + 1])} (sd {r(sd[hi + 1])}), more than "
        f"{float(tol):g} above the best {r(mean[best])}: the step is so long that the noise of batches of m = {m} "
        "keeps the iterate away from the minimum."
    )
    return Problem(
        id="03-choose-eta",
        valid=("eta", "positive"),
        lesson=3,
        kind="number",
        task="choose",
        sections=(6,),
        statement=(
            f"On section 3's data (N = 200, seed 3), run T = {steps} steps of mini-batch SGD with m = {m} "
            "from w = 0 for "
            f"each eta of the grid {', '.join(f'{e:g}' for e in etas)}, over the {n_seeds} batch orders seeded "
            f"0 to {n_seeds - 1}. Choose an eta whose mean final loss is within {float(tol):g} of the best mean "
            "on the grid."
        ),
        quantities={"m": m, "T": steps, "N": 200, "eta": None},
        answer=_fr(etas[best]),
        accept=(_fr(etas[lo]), _fr(etas[hi])),
        outside=(below, above),
        hints=(
            ask("Which row of the table has the lowest mean, and how far above it may another mean be?"),
            method(
                "Find the best mean, add the tolerance, and keep every eta whose mean stays below that line: "
                "any of them is supported."
            ),
        ),
    )


def budget_experiment(eta_, ms, steps, epochs, n_seeds, data_seed=3):
    """Mean final loss for each m at an equal number of steps and at an equal number of epochs."""
    model = lesson_data(data_seed)
    seeds, w0 = np.arange(n_seeds), np.zeros(model.dim)
    per_step = summary(final_losses(model, w0, [float(eta_)], ms, seeds, steps=steps))[0][:, 0]
    per_epoch = summary(final_losses(model, w0, [float(eta_)], ms, seeds, epochs=epochs))[0][:, 0]
    return per_step, per_epoch


def _draw_budget(rng):
    """eta from 0.1 to 0.5; a small batch of 1, 2 or 4 against the full batch of 200; 50 to 150 steps;
    3 to 6 epochs; 5 or 10 batch orders."""
    return {
        "eta_": Fraction(int(rng.integers(1, 6)), 10),
        "ms": (int(rng.choice([1, 2, 4])), 200),
        "steps": int(rng.choice([50, 100, 150])),
        "epochs": int(rng.integers(3, 7)),
        "n_seeds": int(rng.choice([5, 10])),
    }


BUDGET = Space(
    "03-budget", {"eta_": Fraction(3, 10), "ms": (1, 200), "steps": 100, "epochs": 5, "n_seeds": 10}, _draw_budget
)


@variant(BUDGET)
def budget(eta_, ms, steps, epochs, n_seeds):
    if len(ms) != 2 or ms[0] >= ms[1] or ms[1] > 200:
        raise ValueError("two batch sizes, small then large, at most N = 200")
    per_step, per_epoch = budget_experiment(eta_, ms, steps, epochs, n_seeds)
    small, large = ms
    if not (per_step[1] < per_step[0] and per_epoch[0] < per_epoch[1]):
        raise ValueError("the two budgets must rank the batch sizes in opposite orders")
    return Problem(
        id="03-budget",
        lesson=3,
        kind="choice",
        task="read",
        sections=(6,),
        statement=(
            f"On section 3's data at eta = {float(eta_):g}, the notebook runs m = {small} and m = {large} from w = 0, "
            f"over {n_seeds} batch orders, once for T = {steps} steps each and once for {epochs} epochs each, and "
            "prints the mean final loss. Which statement does the table support?"
        ),
        quantities={"m": None, "T": steps, "eta": None, "N": 200},
        options=(
            f"At equal steps m = {large} ends lower; at equal epochs m = {small} does: which is better depends on "
            "the budget, so a comparison must name it.",
            f"m = {large} is better: it ends lower.",
            f"m = {small} is better: it ends lower.",
            "The two budgets rank the batch sizes the same way.",
        ),
        answer="a",
        hints=(
            ask("In each budget, which of the two batch sizes ends lower?"),
            method("Read the two columns separately; if they disagree, no budget-free verdict is supported."),
        ),
        mistakes=(
            Mistake(
                "per-step-only",
                f"True at equal steps only: per epoch m = {small} ends lower, because it takes "
                f"{large // small} times as many steps. Say which budget you hold equal.",
                "b",
            ),
            Mistake(
                "per-epoch-only",
                f"True at equal epochs only: at equal steps m = {large} ends lower. Say which budget you hold equal.",
                "c",
            ),
            Mistake("budgets-agree", "Read the two columns again: they rank the batch sizes in opposite orders.", "d"),
        ),
    )


# ---- section 7: an SGD path, step by step (read) ------------------------------------------------


def path_experiment(data_seed, start, eta_, steps, order_seed):
    """An m = 1 SGD path on a two-weight data set of 100 examples: the Trajectory."""
    X, Y, _ = make_logistic(100, 2, np.random.default_rng(data_seed), w=np.array([2.0, -1.0]))
    plane = Logistic(X, Y)
    return sgd(
        plane, np.array([float(v) for v in start]), float(eta_), m=1, steps=steps, rng=np.random.default_rng(order_seed)
    )


def _draw_path(rng):
    """A data seed and an order seed from 0 to 9, a start with entries in -3..3 away from the origin,
    eta 1/4, 1/2 or 1, and 8 to 12 steps."""
    return {
        "data_seed": int(rng.integers(0, 10)),
        "start": tuple(int(v) for v in rng.choice([-3, -2, 2, 3], size=2)),
        "eta_": Fraction(1, int(rng.choice([1, 2, 4]))),
        "steps": int(rng.integers(8, 13)),
        "order_seed": int(rng.integers(0, 10)),
    }


PATH = Space(
    "03-path-rise", {"data_seed": 2, "start": (-2, 2), "eta_": Fraction(1, 2), "steps": 10, "order_seed": 2}, _draw_path
)


@variant(PATH)
def path_rise(data_seed, start, eta_, steps, order_seed):
    path = path_experiment(data_seed, start, eta_, steps, order_seed)
    rises = np.flatnonzero(np.diff(path.losses) > 0) + 1
    if not len(rises) or rises[0] < 2:
        raise ValueError("the loss must first fall, then rise within the steps")
    first = int(rises[0])
    return Problem(
        id="03-path-rise",
        lesson=3,
        kind="number",
        task="read",
        sections=(7,),
        statement=(
            f"Data: make_logistic(100, 2, np.random.default_rng({data_seed}), w=(2, -1)), no intercept. SGD with "
            f"m = 1 and eta = {float(eta_):g} runs {steps} steps from w_0 = ({', '.join(_fmt(v) for v in start)}), "
            f"its batches drawn by np.random.default_rng({order_seed}). The notebook prints, for each step t, the "
            "example used, w_t and the loss L(w_t) on all 100 examples. After which step t does L go up for the "
            "first time (L(w_t) > L(w_(t-1)))?"
        ),
        quantities={"m": 1, "eta": None, "T": steps},
        answer=Fraction(first),
        hints=(
            ask("Which column of the table do you compare from one row to the next?"),
            method("Go down the L column and stop at the first row whose value is larger than the row above it."),
        ),
    )


PROBLEMS = (
    batch_gradient,
    batch_update,
    logistic_derivative,
    logistic_minibatch,
    minibatch_function,
    unbiased,
    stable_loss_problem,
    INTERCEPT,
    fd_ratio,
    choose_eta,
    budget,
    path_rise,
)

COMMON_MISTAKES = {
    "Sign flip": (
        ("03-batch-gradient", "sign"),
        ("03-logistic-minibatch", "sign"),
        ("03-logistic-derivative", "sign"),
        ("03-minibatch-grad", "sign"),
    ),
    "Sum instead of mean over the batch": (
        ("03-batch-gradient", "sum-not-mean"),
        ("03-logistic-minibatch", "sum-not-mean"),
        ("03-minibatch-grad", "sum-not-mean"),
        ("03-stable-loss", "sum-not-mean"),
    ),
    r"Computing $\log(1 - \sigma(z))$ literally": (("03-stable-loss", "planted-bug"),),
    "Forgetting the intercept": (("03-intercept", "intercept-harmless"), ("03-intercept", "just-slower")),
    "Using stale predictions": (("03-logistic-minibatch", "stale-predictions"),),
    "Comparing batch sizes without naming the budget": (
        ("03-budget", "per-step-only"),
        ("03-budget", "per-epoch-only"),
    ),
}
