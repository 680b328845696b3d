"""Lesson 2 problems: SGD by hand, the library's run, a planted bug, the learning rate, the region
of confusion and copied data.

The lesson works through y_hat = w x, l_i = (1/2)(w x_i - y_i)^2 on the data (1, 2), (2, 0). Today's
numbers of the exercises (the canonical variant) use fresh data, (1, 3) and (2, 1), with eta = 1/10,
w0 = 0 and examples 1, 2, 1, so that no answer can be copied from the lesson's printed table:
g0 = -3, w1 = 3/10;  g1 = -4/5, w2 = 19/50;  g2 = -131/50, w3 = 321/500. The full-batch problems
start from w = 2/5 (not w2, so they do not give that answer away): the full gradient there is -3/2
and a full-batch step lands on 11/20. The per-example minimisers are 3 and 1/2, the minimiser of L
is 1. Every number below is computed by the library from a factory's parameters (exactly, in
Fractions, where the arithmetic is by hand; from a seeded rng where the learner runs an experiment).
A learner's own numbers come from the Spaces below, one per group of problems that share them: the
worked example (02-sgd-gradient, 02-worked-w2, 02-worked-step), the full-batch point (02-full-gradient,
02-full-step), the sweep, the region's runs (02-region-predict, 02-region-read), the copies, the
first index of 02-unbiased, and the test cases' seeds of the function problems.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from ..checking import Mistake
from ..models import Linear1D
from ..sgd import sgd
from .problem import Problem, ask, exact, method, value, variant
from .variants import Space

# today's numbers: the exercise's data set, learning rate, start and examples drawn (counted from 1)
XS, YS = (Fraction(1), Fraction(2)), (Fraction(3), Fraction(1))
ETA, W0, DRAWS = Fraction(1, 10), Fraction(0), (1, 2, 1)
W_AT = Fraction(2, 5)  # the full-batch problems' starting point


def _f(q):
    """A number as the statements print it: 0.3, -0.8, 3."""
    return f"{float(q):g}"


def points(xs, ys):
    return ", ".join(f"({_f(x)}, {_f(y)})" for x, y in zip(xs, ys))


def setup(xs, ys, eta, w0, draws):
    return (
        f"SGD by hand: y_hat = w x, l_i = (1/2)(w x_i - y_i)^2, examples (x, y) = {points(xs, ys)}, "
        f"eta = {_f(eta)}, w0 = {_f(w0)}; SGD uses one example per step, drawn in the order "
        + ", ".join(map(str, draws))
        + "."
    )


def model(xs, ys):
    """The exercise's Linear1D, exact (object arrays of Fractions)."""
    return Linear1D(
        np.array([Fraction(x) for x in xs], dtype=object), np.array([Fraction(y) for y in ys], dtype=object)
    )


def grad(xs, ys, w, rows=None):
    """The mean gradient over rows (zero-based; None: all) at w, exact, by the library."""
    return exact(model(xs, ys).grad(np.array([Fraction(w)], dtype=object), rows))


def run(xs, ys, eta, w0, draws):
    """(w_0, ..., w_T), (g_0, ..., g_{T-1}) of SGD on the examples drawn (counted from 1), by the library."""
    traj = sgd(model(xs, ys), np.array([Fraction(w0)], dtype=object), eta, batches=[[i - 1] for i in draws])
    return [exact(t) for t in traj.thetas], [exact(g) for g in traj.grads]


def slip_path(xs, ys, eta, w0, draws, g=None, late=False, sign=1):
    """w_0, w_1, ... for a slipped update: g(w, x, y) in place of the gradient (default: the right
    one), late=True evaluates it after the update (at w - eta g(w)), sign=-1 steps uphill."""
    g = g or (lambda w, x, y: (w * x - y) * x)
    ws = [Fraction(w0)]
    for i in draws:
        w, x, y = ws[-1], xs[i - 1], ys[i - 1]
        at = w - eta * g(w, x, y) if late else w
        ws.append(w - sign * eta * g(at, x, y))
    return ws


NO_X = lambda w, x, y: w * x - y  # noqa: E731  the residual without its factor x_i
NO_ETA = 1  # a step with eta left out: w - g


def _distinct_numbers(problem_id, answer, mistakes):
    """Raise ValueError where these numbers make two named slips (or a slip and the answer) coincide."""
    seen = [answer, *(m.value for m in mistakes)]
    if len(set(seen)) != len(seen):
        raise ValueError(f"{problem_id}: two slips give the same value for these numbers")


def grad_example(w, x, y):
    """d l_i / dw = (w x_i - y_i) x_i."""
    return (w * x - y) * x


def sgd_step(w, x, y, eta):
    """w - eta (w x - y) x: one SGD step on one example."""
    return w - eta * grad_example(w, x, y)


def sgd_rows(w0, xs, ys, eta, rows):
    """SGD on y_hat = w x from w0, one step per entry of rows (counted from 0)."""
    w = w0
    for i in rows:
        w = w - eta * (w * xs[i] - ys[i]) * xs[i]
    return w


def buggy_sgd(w0, xs, ys, eta, rows):
    """The planted bug of 02-debug-rows: rows are counted from 0, the code subtracts 1 (row 0 wraps to the last)."""
    w = w0
    for i in rows:
        g = (w * xs[i - 1] - ys[i - 1]) * xs[i - 1]
        w = w - eta * g
    return w


def _cases(rng, eta=False):
    fixed = [(0.0, 1.0, 2.0), (0.2, 2.0, 0.0), (0.0, 0.0, 0.0), (1.5, -2.0, 3.0)]
    drawn = [tuple(float(v) for v in np.round(rng.normal(size=3) * 2, 2)) for _ in range(6)]
    cases = [dict(w=w_, x=x_, y=y_) for w_, x_, y_ in fixed + drawn]
    if eta:
        for c, e in zip(cases, [0.1, 0.1, 0.5, 0.01] + [float(np.round(rng.uniform(0.01, 1), 2)) for _ in drawn]):
            c["eta"] = e
    return cases


def _run_cases(rng):
    """Runs of SGD: today's (w0 = 0, data (1, 3), (2, 1), eta = 0.1, rows 0, 1, 0) and drawn ones."""
    cases = [dict(w0=0.0, xs=(1.0, 2.0), ys=(3.0, 1.0), eta=0.1, rows=(0, 1, 0))]
    for n in (2, 3, 3, 4, 2, 4, 3):
        xs = tuple(float(v) for v in np.round(rng.uniform(0.5, 2.0, n), 2))
        ys = tuple(float(v) for v in np.round(rng.normal(size=n) * 2, 2))
        rows = tuple(int(r) for r in rng.integers(0, n, int(rng.integers(2, 6))))
        cases.append(dict(w0=float(np.round(rng.normal(), 2)), xs=xs, ys=ys, eta=0.1, rows=rows))
    return cases


def _draw_seed(rng):
    """A seed for a function problem's test cases, 1..9999."""
    return {"seed": int(rng.integers(1, 10_000))}


def _two_examples(rng, xs_from=(1, 2, 3), ys_from=(0, 1, 2, 3, 4)):
    """Two examples (xs, ys) as Fractions: distinct x from xs_from, y from ys_from."""
    xs = tuple(Fraction(int(v)) for v in rng.choice(xs_from, size=2, replace=False))
    ys = tuple(Fraction(int(v)) for v in rng.choice(ys_from, size=2))
    return xs, ys


def _pick(rng, values):
    return values[int(rng.integers(len(values)))]


# ---- §2-§4: the per-example gradient, SGD steps by hand, the same run with the library ----------

PER_EXAMPLE_GRAD = Space("02-per-example-grad", {"seed": 0}, _draw_seed)


@variant(PER_EXAMPLE_GRAD)
def per_example_grad(seed):
    return Problem(
        id="02-per-example-grad",
        lesson=2,
        kind="function",
        task="implement",
        sections=(2,),
        seed=seed,
        quantities={"half": Fraction(1, 2)},  # the 1/2 of the loss, which missing-half drops
        statement=(
            "Write grad_example(w, x, y): for the model y_hat = w x and l = (1/2)(w x - y)^2, "
            "return dl/dw at the floats w, x, y."
        ),
        signature="grad_example(w, x, y) -> float",
        answer=grad_example,
        cases=_cases,
        hints=(
            ask("l is an outer square of an inner function u = w x - y: what is the derivative of each part?"),
            method("Chain rule: the outer (1/2) u^2 gives u = w x - y, the inner u gives a factor x; multiply them."),
        ),
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
    )


SGD_STEP = Space("02-sgd-step", {"seed": 0}, _draw_seed)


@variant(SGD_STEP)
def sgd_step_problem(seed):
    return Problem(
        id="02-sgd-step",
        lesson=2,
        kind="function",
        task="implement",
        sections=(3,),
        seed=seed,
        statement=(
            "Write sgd_step(w, x, y, eta): one SGD step on the single example (x, y) for "
            "y_hat = w x and l = (1/2)(w x - y)^2. Return the new weight."
        ),
        quantities={"eta": None},
        signature="sgd_step(w, x, y, eta) -> float",
        answer=sgd_step,
        cases=lambda rng: _cases(rng, eta=True),
        hints=(
            ask("Which way does a step go, and how far: what does it subtract from w?"),
            method("The new weight is w - eta * g with g = (w x - y) x, the gradient at the current w."),
        ),
        mistakes=(
            Mistake(
                "sign",
                "The step goes uphill: subtract eta g (and check the sign of g = (w x - y) x).",
                lambda w, x, y, eta: w + eta * grad_example(w, x, y),
            ),
            Mistake(
                "change-only",
                "Your function returns only eta g, the size of the change; the new weight is w - eta g.",
                lambda w, x, y, eta: eta * grad_example(w, x, y),
            ),
            Mistake(
                "missing-w",
                "Your function returns only the change -eta g; add it to w.",
                lambda w, x, y, eta: -eta * grad_example(w, x, y),
            ),
            Mistake(
                "late-gradient",
                "The gradient must be taken at the current w, before the update; yours is taken at the point "
                "after a first step.",
                lambda w, x, y, eta: w - eta * grad_example(w - eta * grad_example(w, x, y), x, y),
            ),
        ),
    )


def _draw_worked(rng):
    """Two examples with distinct x in 1..3 and y in 0..4; eta 1/10, or 1/5 where both x are 1 or 2;
    w0 0, 1 or -1; examples 1, 2, 1 or 2, 1, 2 (each step draws the other example)."""
    xs, ys = _two_examples(rng)
    etas = (Fraction(1, 10), Fraction(1, 5)) if max(xs) <= 2 else (Fraction(1, 10),)
    return {
        "xs": xs,
        "ys": ys,
        "eta": _pick(rng, etas),
        "w0": Fraction(_pick(rng, (0, 1, -1))),
        "draws": _pick(rng, ((1, 2, 1), (2, 1, 2))),
    }


WORKED = Space("02-sgd-gradient", {"xs": XS, "ys": YS, "eta": ETA, "w0": W0, "draws": DRAWS}, _draw_worked)


@variant(WORKED)
def sgd_gradient(xs, ys, eta, w0, draws):
    W, G = run(xs, ys, eta, w0, draws)
    i = draws[1]
    x, y = xs[i - 1], ys[i - 1]
    mistakes = (
        Mistake("sign", "Sign error: the residual is w x - y.", -G[1]),
        Mistake(
            "full-batch",
            f"That is the full gradient (the mean over both examples); the stochastic gradient of this step "
            f"uses example {i} only.",
            grad(xs, ys, W[1]),
        ),
        Mistake(
            "wrong-example",
            f"That is the gradient on example {draws[0]}; this step drew example {i}.",
            grad(xs, ys, W[1], [draws[0] - 1]),
        ),
        Mistake(
            "missing-x",
            f"That is the residual w1 x - y = {_f(NO_X(W[1], x, y))} alone: the chain rule multiplies it by "
            f"the input x = {_f(x)}.",
            NO_X(W[1], x, y),
            same_as=("factor-half",) if x == 2 else (),
        ),
        Mistake(
            "at-w0",
            f"That is example {i}'s gradient at w0; step t = 1 starts at w1 = {_f(W[1])}: evaluate it there.",
            grad(xs, ys, w0, [i - 1]),
        ),
    )
    _distinct_numbers("02-sgd-gradient", G[1], mistakes)
    return Problem(
        id="02-sgd-gradient",
        lesson=2,
        kind="number",
        task="compute",
        sections=(2, 3),
        quantities={"eta": eta},
        statement=(
            f"{setup(xs, ys, eta, w0, draws)} The second step starts at w1 = {_f(W[1])} and uses example {i}. "
            "What is the stochastic gradient g1?"
        ),
        answer=G[1],
        hints=(
            ask("Which example does this step use, and at which weight is its gradient taken?"),
            method("g1 = (w1 x_i - y_i) x_i with the drawn example's x_i and y_i, at w1."),
            value(f"The residual w1 x_i - y_i is {_f(NO_X(W[1], x, y))}."),
        ),
        mistakes=mistakes,
    )


def _hand_slips(xs, ys, eta, w0, draws, T):
    """The slips of the lesson's common mistakes on T steps of SGD, as Mistakes."""
    W, G = run(xs, ys, eta, w0, draws)
    order = draws[:T]
    swapped = tuple(reversed(order)) if T == 2 else (order[0], order[2], order[1])
    other = tuple(3 - i for i in order)  # examples 2, 1, 2 for 1, 2, 1: rows read as example numbers
    return (
        [
            Mistake(
                "sign",
                "Each step went uphill: the update is w - eta g, not w + eta g.",
                slip_path(xs, ys, eta, w0, order, sign=-1)[T],
            ),
            Mistake(
                "full-batch",
                "Those are full-batch steps (the average over both examples). SGD uses only the example drawn "
                "at each step.",
                slip_path(xs, ys, eta, w0, order, g=lambda w, x, y: grad(xs, ys, w))[T],
            ),
            Mistake(
                "late-gradient",
                "Each gradient was taken after the update (at w_t - eta g_t) instead of at w_t: take g_t at the "
                "current iterate, before the step.",
                slip_path(xs, ys, eta, w0, order, late=True)[T],
            ),
            Mistake(
                "missing-x",
                "The gradient lost its factor x_i: it is the residual (w x_i - y_i) times the input x_i.",
                slip_path(xs, ys, eta, w0, order, g=NO_X)[T],
            ),
            Mistake(
                "no-eta",
                "The steps left out eta: w_{t+1} = w_t - eta g_t.",
                slip_path(xs, ys, NO_ETA, w0, order)[T],
            ),
            Mistake(
                "swapped-order",
                "Those steps drew the examples in the order "
                + ", ".join(map(str, swapped))
                + "; the order is "
                + ", ".join(map(str, order))
                + ".",
                slip_path(xs, ys, eta, w0, swapped)[T],
            ),
            Mistake(
                "other-examples",
                "Those steps used examples " + ", ".join(map(str, other)) + ", the other example at every step: "
                "example i is row i - 1 (examples 1, 2 are rows 0, 1), not the other way round.",
                slip_path(xs, ys, eta, w0, other)[T],
            ),
        ],
        W,
        G,
    )


@variant(WORKED)
def worked_w2(xs, ys, eta, w0, draws):
    slips, W, G = _hand_slips(xs, ys, eta, w0, draws, 2)
    mistakes = (
        Mistake("step-too-many", "That is w3: you took one step too many.", W[3]),
        Mistake("step-too-few", f"That is w1: one more step (on example {draws[1]}) is needed.", W[1]),
        *(m for m in slips if m.name != "swapped-order"),
    )
    _distinct_numbers("02-worked-w2", W[2], mistakes)
    return Problem(
        id="02-worked-w2",
        lesson=2,
        kind="number",
        task="compute",
        sections=(3,),
        statement=f"{setup(xs, ys, eta, w0, draws)} What is w2, the weight after the second step?",
        quantities={"N": len(xs), "T": 2, "eta": eta},
        answer=W[2],
        hints=(
            ask("What does one step need: which example, at which weight, and what is subtracted?"),
            method("Step t: g_t = (w_t x_i - y_i) x_i on the drawn example i, at w_t; then w_{t+1} = w_t - eta g_t."),
            value(f"The first step gives w1 = {_f(W[1])}; the second uses example {draws[1]}."),
        ),
        mistakes=mistakes,
    )


@variant(WORKED)
def worked_step(xs, ys, eta, w0, draws):
    slips, W, G = _hand_slips(xs, ys, eta, w0, draws, 3)
    rows = [[i - 1] for i in draws]
    mistakes = (
        Mistake("step-too-few", f"That is w2: one more step (on example {draws[2]}) is needed.", W[2]),
        Mistake(
            "gradient-not-weight",
            "That is the gradient g2 of the third step (traj.grads); the question asks for the weight w3 "
            "(the last of traj.thetas).",
            G[2],
        ),
        *slips,
    )
    _distinct_numbers("02-worked-step", W[3], mistakes)
    return Problem(
        id="02-worked-step",
        lesson=2,
        kind="number",
        task="compute",
        sections=(3, 4),
        points=2,
        statement=(
            f"{setup(xs, ys, eta, w0, draws)} Run these three steps with the library: "
            f"sgdcourse.sgd(sgdcourse.Linear1D(x, y), [w0], eta, batches=...), where batches lists the rows "
            f"(counted from 0) used at each step. What is w3, the weight after the third step?"
        ),
        quantities={"N": len(xs), "T": 3, "eta": eta},
        answer=W[3],
        hints=(
            ask("The lesson numbers the examples from 1; which rows does Python give them?"),
            method(
                "Example i is row i - 1: pass batches=[[row] for each step], then read the last entry of traj.thetas."
            ),
            value("batches=" + str(rows) + f", and w2 = {_f(W[2])}."),
        ),
        mistakes=mistakes,
    )


DEBUG_ROWS = Space("02-debug-rows", {"seed": 0}, _draw_seed)


@variant(DEBUG_ROWS)
def debug_rows(seed):
    return Problem(
        id="02-debug-rows",
        lesson=2,
        kind="function",
        task="debug",
        sections=(3, 4),
        seed=seed,
        statement=(
            "buggy_sgd(w0, xs, ys, eta, rows) should run SGD on y_hat = w x, l_i = (1/2)(w x_i - y_i)^2 "
            "from w0, one step per entry of rows, where rows lists the rows drawn counted from 0 (as "
            "sgdcourse.sgd takes them), and return the last weight. It has one bug. Write the fixed "
            "function sgd_rows(w0, xs, ys, eta, rows)."
        ),
        quantities={"eta": None},
        signature="sgd_rows(w0, xs, ys, eta, rows) -> float",
        answer=sgd_rows,
        cases=_run_cases,
        hints=(
            ask("Run it on the worked example's data and rows: which example does row 0 read?"),
            method(
                "Python counts rows from 0, and a negative index counts from the end of a list: index the arrays "
                "with the row itself."
            ),
        ),
        mistakes=(
            Mistake(
                "planted-bug",
                "Still the planted bug: xs[i - 1] with i counted from 0 reads row -1, the last example, for "
                "row 0 and shifts every other row by one. Use xs[i] and ys[i].",
                buggy_sgd,
            ),
            Mistake(
                "partial-fix",
                "The input now comes from the right row, but the target still comes from ys[i - 1]: fix every index.",
                lambda w0, xs, ys, eta, rows: _partial_fix(w0, xs, ys, eta, rows),
            ),
            Mistake(
                "late-gradient",
                "Each gradient is taken after the update (at w - eta g); take it at the current w, before the step.",
                lambda w0, xs, ys, eta, rows: _late_rows(w0, xs, ys, eta, rows),
            ),
        ),
    )


def _partial_fix(w0, xs, ys, eta, rows):
    w = w0
    for i in rows:
        w = w - eta * (w * xs[i] - ys[i - 1]) * xs[i]
    return w


def _late_rows(w0, xs, ys, eta, rows):
    w = w0
    for i in rows:
        at = w - eta * (w * xs[i] - ys[i]) * xs[i]
        w = w - eta * (at * xs[i] - ys[i]) * xs[i]
    return w


# ---- §5: one SGD step against one full-batch step ---------------------------------------------


def _full_setup(xs, ys):
    return (
        f"Take the data {points(xs, ys)} and L(w) = (1/4) sum_i (w x_i - y_i)^2, the mean of the N = {len(xs)} losses."
    )


def _draw_full(rng):
    """Two examples with distinct x in 1..3 and y in 0..4; w from -1/2, 1/5, 2/5, 1/2, 3/5, 1, 3/2, 2;
    eta 1/10, 1/5 or 1/20."""
    xs, ys = _two_examples(rng)
    w_at = _pick(rng, tuple(Fraction(v) for v in ("-1/2", "1/5", "2/5", "1/2", "3/5", "1", "3/2", "2")))
    return {"xs": xs, "ys": ys, "w_at": w_at, "eta": _pick(rng, (Fraction(1, 10), Fraction(1, 5), Fraction(1, 20)))}


FULL = Space("02-full-gradient", {"xs": XS, "ys": YS, "w_at": W_AT, "eta": ETA}, _draw_full)


@variant(FULL)
def full_gradient(xs, ys, w_at, eta):
    """dL/dw at w_at; eta is the step of 02-full-step, which shares these numbers."""
    if len(xs) != 2:
        raise ValueError("the statement's L has the factor 1/4 of two examples")
    g_full = grad(xs, ys, w_at)
    terms = [grad(xs, ys, w_at, [k]) for k in range(len(xs))]
    mistakes = (
        Mistake(
            "sum-not-mean",
            "That is the sum of the per-example gradients; the full gradient is their mean, so divide by "
            f"N = {len(xs)}.",
            sum(terms),
            same_as=("factor-2", "divisor-minus-one") if len(xs) == 2 else (),
        ),
        Mistake(
            "single-example",
            "That is the gradient of example 1 alone; the full gradient averages over both examples.",
            terms[0],
        ),
        Mistake(
            "example-2-only",
            "That is the gradient of example 2 alone; the full gradient averages over both examples.",
            terms[1],
        ),
        Mistake("sign", "Sign error: the residual is w x_i - y_i.", -g_full),
        Mistake(
            "missing-x",
            "That is the mean residual: each example's gradient is its residual (w x_i - y_i) times its input x_i.",
            sum(NO_X(w_at, x, y) for x, y in zip(xs, ys)) / len(xs),
        ),
    )
    _distinct_numbers("02-full-gradient", g_full, mistakes)
    return Problem(
        id="02-full-gradient",
        lesson=2,
        kind="number",
        task="compute",
        sections=(1, 5),
        statement=f"{_full_setup(xs, ys)} What is the full gradient dL/dw at w = {_f(w_at)}?",
        quantities={"N": len(xs)},
        answer=g_full,
        hints=(
            ask("How is dL/dw related to the gradients of the single losses?"),
            method("dL/dw is the mean of the per-example gradients (w x_i - y_i) x_i at w."),
            value(f"The two terms at w = {_f(w_at)} are " + " and ".join(_f(t) for t in terms) + "."),
        ),
        mistakes=mistakes,
    )


@variant(FULL)
def full_step(xs, ys, w_at, eta):
    if len(xs) != 2:
        raise ValueError("the statement's L has the factor 1/4 of two examples")
    g_full = grad(xs, ys, w_at)
    mistakes = (
        Mistake("sign", "The step went uphill: subtract eta times the gradient.", w_at + eta * g_full),
        Mistake(
            "sum-not-mean",
            "That step used the summed gradient; the full gradient is the mean.",
            w_at - len(xs) * eta * g_full,
        ),
        Mistake(
            "sgd-step",
            "That is where an SGD step on example 1 alone lands; the full-batch step uses the average gradient.",
            w_at - eta * grad(xs, ys, w_at, [0]),
        ),
        Mistake(
            "change-only",
            "That is the change -eta dL/dw alone; the step lands at w plus that change.",
            -eta * g_full,
        ),
    )
    _distinct_numbers("02-full-step", w_at - eta * g_full, mistakes)
    return Problem(
        id="02-full-step",
        lesson=2,
        kind="number",
        task="compute",
        sections=(5,),
        statement=(
            f"{_full_setup(xs, ys)} From w = {_f(w_at)}, take one full-batch gradient descent step with "
            f"eta = {_f(eta)}. Where does it land?"
        ),
        quantities={"N": len(xs), "eta": eta},
        answer=w_at - eta * g_full,
        hints=(
            ask("Which gradient does a full-batch step use, and what does it do with it?"),
            method("w_new = w - eta dL/dw, with dL/dw the mean of the per-example gradients at w."),
            value(f"The full gradient at w = {_f(w_at)} is {_f(g_full)}."),
        ),
        mistakes=mistakes,
    )


# ---- §6: unbiasedness ------------------------------------------------------------------------------

g, N = sp.IndexedBase("g"), sp.Symbol("N", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)


def _draw_unbiased(rng):
    """The number of the first example, 0..12."""
    return {"start": int(rng.integers(0, 13))}


UNBIASED = Space("02-unbiased", {"start": 1}, _draw_unbiased)


@variant(UNBIASED)
def unbiased(start):
    """E[g_hat] = sum over k of P(i = k) g[k], P(i = k) = 1/N, with k counted from start."""
    expectation = sp.Sum(g[k] / N, (k, start, N + start - 1))
    end = "N" if start == 1 else f"N - {1 - start}" if start < 1 else f"N + {start - 1}"
    return Problem(
        id="02-unbiased",
        lesson=2,
        kind="expression",
        task="derive",
        sections=(6,),
        points=2,
        statement=(
            f"A data set has N examples with per-example gradients g[{start}], ..., g[{end}] at the current "
            "weights (g is a sympy IndexedBase, k and N integer symbols). The index i is drawn "
            f"uniformly from {start}..{end} and g_hat = g[i]. Write E[g_hat] as a sympy expression, "
            f"e.g. with Sum(..., (k, {start}, {end}))."
        ),
        answer=expectation,
        namespace={"g": g, "k": k, "N": N},
        domain={"N": (2, 12)},
        hints=(
            ask("An expectation over a discrete draw is a weighted sum: what are the weights here?"),
            method("E[g_hat] = sum over k of P(i = k) g[k], and a uniform draw gives every k the same probability."),
            value("P(i = k) = 1/N, so E[g_hat] is the mean of the g[k]: the full gradient."),
        ),
        mistakes=(
            Mistake(
                "sum-not-mean",
                "Each index has probability 1/N; the sum needs that weight.",
                sp.Sum(g[k], (k, start, N + start - 1)),
                same_as=("extra-factor", "missing-factor"),  # the weight 1/N lost: the sum is N times the mean
            ),
            Mistake(
                "n-minus-one",
                "N - 1 belongs to the unbiased sample variance; the probabilities of a uniform draw are 1/N.",
                sp.Sum(g[k], (k, start, N + start - 1)) / (N - 1),
                same_as=("divisor-minus-one",),
            ),
            Mistake(
                "one-draw",
                f"That is one draw, g[{start}]; the expectation averages over every possible value of i.",
                g[start],
            ),
        ),
    )


UNBIASED_CHOICE = Problem(
    id="02-unbiased-choice",
    lesson=2,
    kind="choice",
    task="concept",
    sections=(6,),
    statement=(
        "With i drawn uniformly from the N examples and g_hat = grad l_i(theta), why is E[g_hat] = grad L(theta) "
        "for L the mean of the l_i?"
    ),
    quantities={"N": None, "eta": None},
    options=(
        "Every grad l_i equals grad L.",
        "P(i = k) = 1/N, so E[g_hat] = (1/N) sum_k grad l_k = grad L.",
        "The learning rate makes the noise average out.",
        "Over many steps the errors cancel.",
    ),
    answer="b",
    hints=(method("Write the expectation as a weighted sum over the possible values of i."),),
    mistakes=(
        Mistake(
            "all-equal",
            "They differ: in the lesson's example the two gradients at w = 0 are "
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
)


# ---- §7: the learning rate, chosen from a sweep ------------------------------------------------

RATE = dict(
    xs=XS,
    ys=YS,
    w0=W0,
    steps=30,
    runs=40,
    seed=7,
    level=Fraction(1, 4),
    etas=(
        Fraction(1, 100),
        Fraction(2, 100),
        Fraction(3, 100),
        Fraction(5, 100),
        Fraction(1, 10),
        Fraction(2, 10),
        Fraction(3, 10),
    ),
)


def rate_sweep(xs, ys, w0, steps, runs, seed, etas):
    """{eta: root-mean-square distance of w_steps from w* over `runs` SGD runs}, the draws shared by
    every eta (drawn once from default_rng(seed), shape (runs, steps, 1)), in floats, as the notebook runs it."""
    data = Linear1D(np.array([float(x) for x in xs]), np.array([float(y) for y in ys]))
    w_star = float(sum(Fraction(x) * Fraction(y) for x, y in zip(xs, ys)) / sum(Fraction(x) ** 2 for x in xs))
    draws = np.random.default_rng(seed).integers(0, len(xs), (runs, steps, 1))
    out = {}
    for eta in etas:
        last = np.array([sgd(data, [float(w0)], float(eta), batches=draws[r]).thetas[-1, 0] for r in range(runs)])
        out[eta] = float(np.sqrt(np.mean((last - w_star) ** 2)))
    return out


def _draw_rate(rng):
    """The examples (1, y1) and (2, y2), in either order, y in 0..4; w0 from -1, 0, 3, 4; seed 0..999.
    The steps, the runs, the level and the etas stay today's."""
    xs = _pick(rng, ((Fraction(1), Fraction(2)), (Fraction(2), Fraction(1))))
    ys = tuple(Fraction(int(v)) for v in rng.integers(0, 5, size=2))
    return {
        **RATE,
        "xs": xs,
        "ys": ys,
        "w0": Fraction(_pick(rng, (-1, 0, 3, 4))),
        "seed": int(rng.integers(0, 1000)),
    }


RATE_CHOOSE = Space("02-rate-choose", RATE, _draw_rate)


@variant(RATE_CHOOSE)
def rate_choose(xs, ys, w0, steps, runs, seed, level, etas):
    sweep = rate_sweep(xs, ys, w0, steps, runs, seed, etas)
    good = [eta for eta in etas if sweep[eta] < level]
    if not good or good != [e for e in etas if etas.index(good[0]) <= etas.index(e) <= etas.index(good[-1])]:
        raise ValueError("the learning rates that meet the level must be a run of the sweep")
    best = min(good, key=sweep.get)
    if good[0] == etas[0] or good[-1] == etas[-1]:
        raise ValueError("the learning rates that meet the level must not reach the ends of the sweep")
    below, above = etas[etas.index(good[0]) - 1], etas[etas.index(good[-1]) + 1]
    grid = ", ".join(_f(e) for e in etas)
    return Problem(
        id="02-rate-choose",
        valid=("eta", "positive"),
        lesson=2,
        kind="number",
        task="choose",
        sections=(7,),
        statement=(
            f"SGD on the exercise's data {points(xs, ys)} from w0 = {_f(w0)}: the notebook's sweep runs {runs} "
            f"SGD runs of T = {steps} steps for each eta in {grid} (the same draws for every eta, seed {seed}) "
            f"and prints the root-mean-square distance of w_T from w* over the runs. Choose a learning rate "
            f"eta at which that distance is below {_f(level)}."
        ),
        quantities={"eta": None, "T": steps},
        answer=best,
        accept=(min(good), max(good)),
        outside=(
            f"at the nearest tested eta below it, {_f(below)}, the sweep's distance is {_f(round(sweep[below], 3))}, "
            f"above {_f(level)}: the runs are still on their way from w0 = {_f(w0)} after T = {steps} steps. "
            "The sweep supports no smaller eta.",
            f"at the nearest tested eta above it, {_f(above)}, the sweep's distance is {_f(round(sweep[above], 3))}, "
            f"above {_f(level)}: the hops of SGD around w* are too wide, since each step obeys one example, and a "
            "larger eta obeys it more. The sweep supports no larger eta.",
        ),
        tol=1e-9,
        hints=(
            ask("What keeps a run away from w* at a tiny eta, and what at a large one?"),
            method(
                "Read the sweep's table: keep the etas whose distance is below the level; they form one run of values."
            ),
            value(f"The distance is smallest at eta = {_f(best)}."),
        ),
    )


# ---- §8: the region of confusion ---------------------------------------------------------------

REGION = dict(xs=XS, ys=YS, eta=ETA, steps=200, starts=(6, -3), seed=8, burn=50)


def region_experiment(xs, ys, eta, steps, starts, seed):
    """The notebook's experiment: one SGD run per start (floats), the draws from default_rng(seed) in
    the order of starts; returns the iterates (one row per start) and the region [lo, hi] and w*."""
    data = Linear1D(np.array([float(x) for x in xs]), np.array([float(y) for y in ys]))
    rng = np.random.default_rng(seed)
    ws = np.array(
        [sgd(data, [float(s)], float(eta), batches=rng.integers(0, len(xs), (steps, 1))).thetas[:, 0] for s in starts]
    )
    minimisers = [Fraction(y) / Fraction(x) for x, y in zip(xs, ys)]
    w_star = sum(Fraction(x) * Fraction(y) for x, y in zip(xs, ys)) / sum(Fraction(x) ** 2 for x in xs)
    return ws, (min(minimisers), max(minimisers)), w_star


def region_counts(ws, lo, hi, w_star):
    """(share of the steps taken outside [lo, hi] that end closer to w*, the same share inside)."""
    before, after = ws[:, :-1].ravel(), ws[:, 1:].ravel()
    inside = (before >= float(lo)) & (before <= float(hi))
    closer = np.abs(after - float(w_star)) < np.abs(before - float(w_star))
    return float(closer[~inside].mean()), float(closer[inside].mean())


def _region_statement(xs, ys, eta, steps, starts, lo, hi, w_star):
    return (
        f"The exercise's data {points(xs, ys)}: the per-example minimisers are {_f(lo)} and {_f(hi)}, and L is "
        f"smallest at w* = {_f(w_star)}. The notebook runs SGD with a constant eta = {_f(eta)} for {steps} steps "
        f"from w0 = {_f(starts[0])} and from w0 = {_f(starts[1])}, outside the interval [{_f(lo)}, {_f(hi)}]."
    )


def _draw_region(rng):
    """The examples (1, y1) and (2, y2), in either order, y in 0..5, whose minimisers y/x lie at least
    1 apart; eta 1/10 or 1/20; integer starts 1 to 3 beyond the minimisers on either side; seed
    0..999. The steps and the burn-in stay today's."""
    lo = hi = 0
    while hi - lo < 1:
        xs, ys = _two_examples(rng, xs_from=(1, 2), ys_from=(0, 1, 2, 3, 4, 5))
        lo, hi = sorted(y / x for x, y in zip(xs, ys))
    starts = (int(np.floor(hi)) + int(rng.integers(1, 4)), int(np.ceil(lo)) - int(rng.integers(1, 4)))
    return {
        **REGION,
        "xs": xs,
        "ys": ys,
        "eta": _pick(rng, (Fraction(1, 10), Fraction(1, 20))),
        "starts": starts,
        "seed": int(rng.integers(0, 1000)),
    }


REGION_SPACE = Space("02-region-predict", REGION, _draw_region)


@variant(REGION_SPACE)
def region_predict(xs, ys, eta, steps, starts, seed, burn):
    ws, (lo, hi), w_star = region_experiment(xs, ys, eta, steps, starts, seed)
    if not all(s < lo or s > hi for s in starts) or burn >= steps:
        raise ValueError("the runs must start outside the region and be longer than the burn-in")
    late = ws[:, burn:]
    if late.min() < lo or late.max() > hi:
        raise ValueError("from the burn-in on, both runs must stay between the two minimisers")
    seen = (round(float(late.min()), 2), round(float(late.max()), 2))
    return Problem(
        id="02-region-predict",
        lesson=2,
        kind="predict",
        task="predict",
        sections=(8,),
        statement=(
            _region_statement(xs, ys, eta, steps, starts, lo, hi, w_star)
            + f" Predict the interval in which both runs' iterates w_t stay from step {burn} on: "
            "(lowest, highest)."
        ),
        quantities={"eta": eta, "steps": steps},
        answer=seen,
        hints=(
            ask("Where do the two examples' gradients have the same sign, and where opposite signs?"),
            method(
                "Outside the two minimisers every step heads the same way; between them one example pulls up, "
                "the other down."
            ),
        ),
    )


@variant(REGION_SPACE)
def region_read(xs, ys, eta, steps, starts, seed, burn):
    ws, (lo, hi), w_star = region_experiment(xs, ys, eta, steps, starts, seed)
    outside, inside = region_counts(ws, lo, hi, w_star)
    if outside == inside or abs(outside + inside - 1) < 0.02 or outside < 0.99:
        raise ValueError("these numbers do not separate the two shares")
    return Problem(
        id="02-region-read",
        lesson=2,
        kind="number",
        task="read",
        sections=(8,),
        statement=(
            _region_statement(xs, ys, eta, steps, starts, lo, hi, w_star)
            + f" Over both runs, what share of the steps taken inside [{_f(lo)}, {_f(hi)}] moved w closer to "
            f"w* = {_f(w_star)}? Give the share the experiment prints (two decimals)."
        ),
        quantities={"eta": eta, "steps": steps},
        answer=inside,
        tol=0.006,
        hints=(
            ask("Which line of the printout counts the steps taken inside the interval?"),
            method(
                "Inside, the share is the count of steps that ended closer to w* over the count of steps taken inside."
            ),
        ),
        mistakes=(
            Mistake(
                "outside-share",
                "That is the share of the steps taken outside the interval: there every step heads towards it, "
                "whichever example is drawn. The question asks about the steps inside.",
                outside,
            ),
            Mistake(
                "away-share",
                "That is the share of the steps inside that moved w away from w*, not closer.",
                1 - inside,
            ),
        ),
    )


# ---- §9: copying the data ----------------------------------------------------------------------


def _draw_copies(rng):
    """Two examples with distinct x in 1..3 and y in 0..4; eta 1/10, 1/5 or 1/20; w0 from -1, 1, 2, 3;
    3 to 12 copies."""
    xs, ys = _two_examples(rng)
    return {
        "xs": xs,
        "ys": ys,
        "eta": _pick(rng, (Fraction(1, 10), Fraction(1, 5), Fraction(1, 20))),
        "w0": Fraction(_pick(rng, (-1, 1, 2, 3))),
        "copies": int(rng.integers(3, 13)),
    }


COPIES = Space("02-copies", {"xs": XS, "ys": YS, "eta": ETA, "w0": Fraction(2), "copies": 10}, _draw_copies)


@variant(COPIES)
def copies_problem(xs, ys, eta, w0, copies):
    n = len(xs)
    if copies < 2:
        raise ValueError("copy the data at least twice")
    big_x, big_y = tuple(xs) * copies, tuple(ys) * copies
    rows = n * copies
    gd = exact(
        sgd(model(big_x, big_y), np.array([Fraction(w0)], dtype=object), eta, batches=[list(range(rows))]).thetas[1, 0]
    )
    total = sum(grad(big_x, big_y, w0, [r]) for r in range(rows))
    answer = (rows, 1, gd)
    mistakes = (
        Mistake(
            "not-copied",
            f"A GD step evaluates the gradient of every row, and after copying there are {rows}, not N = {n}.",
            (n, 1, gd),
        ),
        Mistake(
            "sgd-scaled",
            "An SGD step still draws one row and evaluates one gradient, however many rows there are.",
            (rows, copies, gd),
        ),
        Mistake(
            "sum-not-mean",
            "L is the mean over the rows, so its gradient does not grow with the copies; that step used the "
            f"sum over all {rows} rows.",
            (rows, 1, Fraction(w0) - eta * total),
        ),
    )
    _distinct_numbers("02-copies", answer, mistakes)
    return Problem(
        id="02-copies",
        lesson=2,
        kind="number",
        task="compute",
        sections=(9,),
        statement=(
            f"Copy the exercise's data set {points(xs, ys)} {copies} times, so every example appears {copies} "
            f"times, and keep L(w) the mean of the per-row losses (1/2)(w x_i - y_i)^2. From w0 = {_f(w0)} "
            f"with eta = {_f(eta)}: how many per-example gradients does one GD step evaluate, how many does "
            f"one SGD step evaluate, and where does the first GD step land? Answer as a list of 3 numbers."
        ),
        quantities={"N": n, "eta": eta},
        answer=answer,
        hints=(
            ask("Does a mean over rows change when every row appears the same number of times?"),
            method(
                "GD evaluates one gradient per row and averages them; SGD evaluates the drawn row's; copies leave "
                "L and dL/dw unchanged."
            ),
            value(f"The full gradient at w0 is {_f(grad(xs, ys, w0))}, with or without the copies."),
        ),
        mistakes=mistakes,
    )


PROBLEMS = (
    per_example_grad,
    sgd_step_problem,
    sgd_gradient,
    worked_w2,
    worked_step,
    debug_rows,
    full_gradient,
    full_step,
    UNBIASED_CHOICE,
    unbiased,
    rate_choose,
    region_predict,
    region_read,
    copies_problem,
)

# The lesson's "Common mistakes", each with the problems where it can happen and their recogniser.
COMMON_MISTAKES = {
    "Evaluating the gradient at the wrong iterate": (
        ("02-worked-w2", "late-gradient"),
        ("02-worked-step", "late-gradient"),
        ("02-sgd-step", "late-gradient"),
        ("02-sgd-gradient", "at-w0"),
        ("02-debug-rows", "late-gradient"),
    ),
    "Dropping the inner derivative": (
        ("02-per-example-grad", "missing-chain-factor"),
        ("02-sgd-gradient", "missing-x"),
        ("02-worked-w2", "missing-x"),
        ("02-worked-step", "missing-x"),
        ("02-full-gradient", "missing-x"),
    ),
    "Flipping the residual": (
        ("02-per-example-grad", "sign"),
        ("02-sgd-step", "sign"),
        ("02-sgd-gradient", "sign"),
        ("02-worked-w2", "sign"),
        ("02-worked-step", "sign"),
        ("02-full-gradient", "sign"),
        ("02-full-step", "sign"),
    ),
    "Summing instead of averaging for the full gradient": (
        ("02-full-gradient", "sum-not-mean"),
        ("02-full-step", "sum-not-mean"),
        ("02-copies", "sum-not-mean"),
        ("02-unbiased", "sum-not-mean"),
    ),
    "Expecting each stochastic gradient to be close to the full one": (("02-unbiased-choice", "all-equal"),),
    "Mixing 1-based and 0-based indices": (
        ("02-debug-rows", "planted-bug"),
        ("02-worked-step", "other-examples"),
        ("02-worked-w2", "other-examples"),
    ),
    "Checking a hand calculation in floating point": (("02-worked-step", "rounded"),),
}
