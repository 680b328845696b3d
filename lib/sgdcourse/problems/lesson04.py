"""Lesson 4 problems: batch size and the variance of the mini-batch estimate.

With m per-example gradients G_k of variance sigma^2 and covariance C between any two positions,
    Var((1/m) sum_k G_k) = (1/m^2) Var(sum_k G_k) = (m sigma^2 + m (m - 1) C) / m^2,
which is sigma^2 / m for independent draws (C = 0), so the standard deviation is sigma / sqrt(m).
Drawing m distinct examples from N (without replacement) multiplies the variance by (N - m) / (N - 1).

The experiments use the lesson's data: the first coordinate of the N = 200 per-example gradients
of least squares at theta = 0 (make_linear_regression(200, 3) from a generator seeded 4). Each
experiment seeds its own generator, so the exercise notebook prints what the bank computes here.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from ..checking import Mistake
from ..data import make_linear_regression
from ..minibatch import batch_indices, predicted_variance
from ..models import LeastSquares
from .problem import Problem, ask, exact, method, value, variant
from .variants import Space

sigma = sp.Symbol("sigma", positive=True)
m, N = sp.symbols("m N", integer=True, positive=True)
NS = {"sigma": sigma, "m": m}
SIGMA_DOMAIN = {"sigma": (Fraction(1, 10), 5)}


def var_of_mean(C=0):
    """(m sigma^2 + m (m - 1) C) / m^2: Var(aX) = a^2 Var(X) with a = 1/m, and the m^2 covariances."""
    return (m * sigma**2 + m * (m - 1) * C) / m**2


VAR_MEAN = var_of_mean()  # sigma**2 / m
WITHOUT = VAR_MEAN * (N - m) / (N - 1)  # the finite-population correction, for any N


def _num(v):
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"{float(v):g}"


# ---- the lesson's gradient values ----------------------------------------------------------------


def lesson_gradients(n=200, d=3, seed=4):
    """The lesson's G_i: the first coordinate of the N per-example least-squares gradients at theta = 0."""
    X, y, _ = make_linear_regression(n, d, np.random.default_rng(seed))
    return LeastSquares(X, y).per_example_grads(np.zeros(d))[:, 0]


G_LESSON = lesson_gradients()


def measured_sds(G, sizes, draws, seed):
    """The standard deviation of the batch mean over `draws` batches, for each m in sizes (with
    replacement), one generator seeded `seed`, the batches of each size drawn in turn."""
    rng = np.random.default_rng(seed)
    return [float(np.asarray(G)[rng.integers(0, len(G), size=(draws, s))].mean(axis=1).std()) for s in sizes]


def sd_curve(G, m_max, draws, seed):
    """Measured sd of the batch mean for m = 1..m_max from nested batches (library batch_indices)."""
    idx = batch_indices(len(G), m_max, draws, np.random.default_rng(seed))
    means = np.cumsum(np.asarray(G)[idx], axis=1) / np.arange(1, m_max + 1)
    return means.std(axis=0)


# ---- 1. the variance of a batch mean -------------------------------------------------------------


@variant(C=0)  # the same for every learner: the derivation of sigma^2/m has no number to vary
def var_batch(C):
    C = sp.nsimplify(C)
    answer = var_of_mean(C)
    var_sum = m * sigma**2 + m * (m - 1) * C
    independent = (
        "drawn with replacement, so independent: any two have covariance C = 0"
        if C == 0
        else f"and any two of them have covariance C = {C}"
    )
    return Problem(
        id="04-var-batch",
        lesson=4,
        kind="expression",
        task="derive",
        sections=(1,),
        points=2,
        statement=(
            f"Per-example gradients G_1, ..., G_m each have variance sigma^2, {independent}. "
            "Write Var(g_hat) for g_hat = (1/m) sum_k G_k as an expression in sigma and m."
        ),
        quantities={"sigma": None, "m": None},
        answer=answer,
        namespace=NS,
        domain=SIGMA_DOMAIN,
        hints=(
            ask("What does the factor 1/m in front do to a variance, and what is the variance of the sum?"),
            method(
                "Use Var(a X) = a^2 Var(X) with a = 1/m; the variance of the sum is the sum of all its covariances: "
                "m terms sigma^2 on the diagonal, and C for each of the m (m - 1) pairs."
            ),
        ),
        mistakes=(
            Mistake(
                "sigma-not-variance",
                "You used sigma where sigma^2 was meant: Var(G) = sigma^2.",
                answer.subs(sigma, sp.sqrt(sigma)),
                same_as=("divided-by",),
            ),
            Mistake(
                "sd-not-variance",
                "That is the standard deviation of g_hat; the variance is its square.",
                sp.sqrt(answer),
                same_as=("square-root",),
            ),
            Mistake(
                "sum-not-mean",
                "That is the variance of the sum; g_hat is the mean, which brings the factor 1/m^2.",
                var_sum,
            ),
            Mistake(
                "dependent",
                "The factor 1/m^2 is right, but the sum of m terms has m diagonal variances sigma^2, not one.",
                answer - (m - 1) * sigma**2 / m**2,
                same_as=("divided-by",),
            ),
            Mistake(
                "no-averaging",
                "That is the variance of the sum divided by m once; the mean's 1/m enters the variance squared, 1/m^2.",
                var_sum / m,
                same_as=("extra-factor", "missing-factor"),
            ),
            Mistake(
                "m-minus-one",
                "The m - 1 belongs in the sample variance of simulated draws. Here sigma^2 is the known variance of "
                "one draw, and Var(a X) = a^2 Var(X) with a = 1/m gives a division by m.",
                var_sum / (m * (m - 1)),
                same_as=("divisor-minus-one", "step-too-few"),
            ),
        ),
    )


# ---- 1. the spread in numbers ------------------------------------------------------------------


def _root(q):
    """sqrt(q) exactly when q is a square of a rational, else a float."""
    q = Fraction(q)
    r = sp.sqrt(sp.Rational(q.numerator, q.denominator))
    return exact(r) if r.is_Rational else float(r)


def _show(v):
    return _num(v) if isinstance(v, Fraction) else f"{v:.4f}"


def _draw_sd_batch(rng):
    """sigma^2 a square from 9 to 100 (sigma = 2 would make sigma^2 twice sigma), and three squares from
    1 to 36 as batch sizes, increasing."""
    return {
        "sigma2": int(rng.integers(3, 11)) ** 2,
        "sizes": tuple(int(k) ** 2 for k in sorted(rng.choice(np.arange(1, 7), size=3, replace=False))),
    }


SD_BATCH = Space("04-sd-batch", {"sigma2": 16, "sizes": (1, 4, 16)}, _draw_sd_batch)


@variant(SD_BATCH)
def sd_batch(sigma2, sizes):
    if sigma2 <= 1:
        raise ValueError("sigma^2 > 1, so that sigma and sigma^2 differ")
    sd = tuple(_root(Fraction(sigma2, s)) for s in sizes)
    return Problem(
        id="04-sd-batch",
        lesson=4,
        kind="number",
        task="compute",
        sections=(1,),
        statement=(
            f"With sigma^2 = {sigma2}, give the standard deviations of g_hat for batch sizes "
            f"m = {', '.join(map(str, sizes))}, as a list of {len(sizes)} numbers."
        ),
        quantities={"sigma_sq": sigma2, "m": None},
        answer=sd,
        hints=(
            ask("Which comes first, the variance of g_hat or its standard deviation, and how are they related?"),
            method(
                "The variance is sigma^2 / m; take its square root for each m: sigma / sqrt(m), "
                "with sigma = sqrt(sigma^2)."
            ),
            value(f"sigma = sqrt({sigma2}) = {_show(_root(sigma2))}."),
        ),
        mistakes=(
            Mistake(
                "variance-not-sigma",
                "Those are the variances sigma^2 / m; take square roots for the standard deviations.",
                tuple(Fraction(sigma2, s) for s in sizes),
                same_as=("squared",),
            ),
            Mistake(
                "sigma-is-variance",
                f"You took sigma = {sigma2}, the variance itself: sigma^2 = {sigma2} means sigma = sqrt({sigma2}). "
                "The standard deviations are sqrt(sigma^2) / sqrt(m).",
                tuple(
                    Fraction(sigma2) / _root(s) if isinstance(_root(s), Fraction) else sigma2 / _root(s) for s in sizes
                ),
            ),
            Mistake(
                "divided-by-m",
                "sigma / m shrinks too fast: the standard deviation falls like 1 / sqrt(m).",
                tuple(_root(sigma2) / s for s in sizes),
            ),
            Mistake(
                "sum-not-mean",
                "sigma sqrt(m) is the spread of the summed gradient; g_hat is the mean.",
                tuple(_root(sigma2) * _root(s) for s in sizes),
            ),
        ),
    )


# ---- 1. four times the batch -------------------------------------------------------------------


QUADRUPLE = Problem(
    id="04-quadruple",
    lesson=4,
    kind="choice",
    task="concept",
    sections=(1,),
    statement="You multiply the batch size m by four. What happens to the standard deviation of g_hat?",
    quantities={"m": None},
    options=("It is divided by four.", "It is divided by two.", "It does not change.", "It is divided by sixteen."),
    answer="b",
    hints=(ask("How does the standard deviation depend on m: like m, or like the square root of m?"),),
    mistakes=(
        Mistake(
            "variance-not-sigma",
            "The variance is divided by four; the standard deviation, its square root, by two.",
            "a",
        ),
        Mistake("no-averaging", "Averaging more independent gradients reduces the spread.", "c"),
        Mistake("squared", "Dividing the standard deviation by sixteen would take a batch 256 times larger.", "d"),
    ),
)


# ---- 2. predict, then measure: twice the batch ---------------------------------------------------


def _draw_double(rng):
    """m from 2 to 25 (and 2m), 10 000 to 40 000 batches of each, a seed 1..999."""
    return {
        "m_small": int(rng.choice([2, 3, 4, 5, 6, 10, 12, 15, 20, 25])),
        "draws": int(rng.choice([10_000, 20_000, 40_000])),
        "seed": int(rng.integers(1, 1000)),
    }


DOUBLE = Space("04-double-predict", {"m_small": 8, "draws": 20_000, "seed": 16}, _draw_double)


def _double(m_small, draws, seed):
    if m_small < 1:
        raise ValueError("a batch size >= 1")
    small, big = measured_sds(G_LESSON, (m_small, 2 * m_small), draws, seed)
    return Fraction(round(small, 3)).limit_denominator(1000), Fraction(round(big, 3)).limit_denominator(1000)


@variant(DOUBLE)
def double_predict(m_small, draws, seed):
    small, big = _double(m_small, draws, seed)
    return Problem(
        id="04-double-predict",
        lesson=4,
        kind="predict",
        task="predict",
        sections=(2,),
        statement=(
            f"The experiment draws {draws} batches of m = {m_small} and {draws} batches of m = {2 * m_small} "
            f"(with replacement) from the lesson's N = {len(G_LESSON)} gradient values, and measures the standard "
            f"deviation of g_hat for each size. At m = {m_small} it is {_num(small)}. Predict the standard deviation "
            f"at m = {2 * m_small}, a number."
        ),
        quantities={"m": m_small, "N": len(G_LESSON)},
        answer=big,
        tol=0.005,
    )


@variant(DOUBLE)
def double_ratio(m_small, draws, seed):
    small, big = _double(m_small, draws, seed)
    ratio = small / big
    return Problem(
        id="04-double-ratio",
        lesson=4,
        kind="number",
        task="read",
        sections=(2,),
        statement=(
            f"Read the experiment's output: by what factor did the standard deviation of g_hat shrink when the "
            f"batch grew from m = {m_small} to m = {2 * m_small}? Give sd(m = {m_small}) / sd(m = {2 * m_small}), "
            "to two decimals."
        ),
        quantities={"m": m_small},
        answer=ratio,
        tol=0.01,
        hints=(
            ask("Which two numbers of the output do you divide, and which goes on top?"),
            method(f"Divide the standard deviation the output gives at m = {m_small} by the one at m = {2 * m_small}."),
        ),
        mistakes=(
            Mistake(
                "halved",
                "Twice the batch does not halve the noise: the variance halves, and the standard deviation "
                "shrinks by sqrt(2), about 1.41.",
                Fraction(2),
                same_as=("squared",),
            ),
        ),
    )


# ---- 2. the estimator as a function --------------------------------------------------------------


def batch_mean(G, idx):
    """g_hat = (1/m) sum_{i in idx} G[i]: the mean of the batch's rows of G (N, d)."""
    return G[idx].mean(axis=0)


def _draw_batch_mean(rng):
    """Three random cases (N, d, m): N from 4 to 12, d from 1 to 4, m distinct rows from 1 to N."""
    shapes = []
    for _ in range(3):
        n = int(rng.integers(4, 13))
        shapes.append((n, int(rng.integers(1, 5)), int(rng.integers(1, n + 1))))
    return {"shapes": tuple(shapes)}


BATCH_MEAN = Space("04-batch-mean", {"shapes": ((5, 1, 2), (8, 3, 3), (10, 2, 4))}, _draw_batch_mean)


@variant(BATCH_MEAN)
def batch_mean_problem(shapes):
    def cases(rng):
        G = np.round(rng.normal(size=(6, 2)), 2)
        out = [
            dict(G=G, idx=np.array([3])),  # batch of one
            dict(G=np.zeros((4, 3)), idx=np.array([0, 2])),  # all zeros
            dict(G=G, idx=np.array([1, 1, 4])),  # drawn with replacement: row 1 counts twice
            dict(G=G, idx=np.arange(6)),  # the whole data set
        ]
        for n, d, b in shapes:
            out.append(dict(G=np.round(rng.normal(size=(n, d)), 2), idx=rng.choice(n, b, replace=False)))
        return out

    return Problem(
        id="04-batch-mean",
        lesson=4,
        kind="function",
        task="implement",
        sections=(2,),
        statement=(
            "Write batch_mean(G, idx): G holds the per-example gradients as rows, shape (N, d); idx "
            "is an integer array of batch indices (it may repeat an index). Return the mini-batch "
            "estimate g_hat = (1/m) sum_{i in idx} G[i], shape (d,)."
        ),
        quantities={"m": None},
        signature="batch_mean(G, idx) -> array of shape (d,)",
        answer=batch_mean,
        cases=cases,
        hints=(
            ask("Which rows of G make up the batch, and what happens to a row whose index appears twice?"),
            method("G[idx] selects the batch's rows, repeats included; average them over axis 0."),
        ),
        mistakes=(
            Mistake(
                "sum-not-mean",
                "Your function returns the sum of the batch's rows; divide by m.",
                lambda G, idx: G[idx].sum(axis=0),
            ),
            Mistake(
                "full-batch",
                "Your function averages every row of G: that is the full gradient, but a mini-batch "
                "estimate was asked.",
                lambda G, idx: G.mean(axis=0),
            ),
            Mistake(
                "dropped-repeats",
                "Your function counts a repeated index once. A batch drawn with replacement can hold an example "
                "twice, and then its row counts twice in the mean: use G[idx] as it is, not its unique indices.",
                lambda G, idx: G[np.unique(idx)].mean(axis=0),
            ),
        ),
    )


# ---- 2. sigma^2 belongs to one theta -------------------------------------------------------------

MOVES = Problem(
    id="04-variance-moves",
    lesson=4,
    kind="choice",
    task="concept",
    sections=(2,),
    statement=(
        "The lesson measured sigma squared, the variance of the per-example gradients, with theta held at the "
        "start of training. Later in training theta sits near the least-squares fit. What is true of that "
        "variance there?"
    ),
    quantities={"sigma": None},
    options=(
        "It is the same: sigma^2 is a property of the data set.",
        "It is different in general: the G_i, and so mu and sigma^2, change as theta moves.",
        "It is zero: at the fit every per-example gradient vanishes.",
    ),
    answer="b",
    hints=(
        ask("Does a per-example gradient (x_i . theta - y_i) x_i depend on theta?"),
        method(
            "Write G_i at two values of theta: the residuals change, so the G_i, their mean and their spread change."
        ),
    ),
    mistakes=(
        Mistake(
            "fixed-variance",
            "sigma^2 is measured at one theta. Each G_i = (x_i . theta - y_i) x_i moves with theta, and so do mu "
            "and sigma^2: a variance read at one point is not the variance everywhere.",
            "a",
        ),
        Mistake(
            "all-zero",
            "At the fit only the mean of the G_i vanishes; single examples still have residuals, so their "
            "gradients scatter around 0 and sigma^2 is not zero there.",
            "c",
        ),
    ),
)


# ---- 3. without replacement ----------------------------------------------------------------------


def _draw_without(rng):
    """A data set of N examples, N a multiple of 10 from 10 to 500."""
    return {"n": 10 * int(rng.integers(1, 51))}


WITHOUT_REPLACEMENT = Space("04-without-replacement", {"n": 200}, _draw_without)


@variant(WITHOUT_REPLACEMENT)
def without_replacement(n):
    if n < 2:
        raise ValueError("N >= 2")
    answer = VAR_MEAN * (n - m) / (n - 1)
    return Problem(
        id="04-without-replacement",
        lesson=4,
        kind="expression",
        task="derive",
        sections=(3,),
        points=2,
        statement=(
            f"The data set has N = {n} examples. Now the batch holds m distinct examples drawn from them "
            "(without replacement); sigma^2 is the variance of a single example's gradient over the data set. "
            "Write Var(g_hat) in terms of sigma and m."
        ),
        quantities={"N": n},
        answer=answer,
        namespace=NS,
        domain=SIGMA_DOMAIN,
        hints=(
            ask("What must the variance of g_hat be at m = N, when the batch is the whole data set?"),
            method(
                "Write Var(sum_k G_k) = m sigma^2 + m (m - 1) C with one covariance C for every pair of positions. "
                "Setting it to 0 at m = N fixes C; then divide by m^2."
            ),
        ),
        mistakes=(
            Mistake(
                "with-replacement",
                "That is the with-replacement variance; drawing distinct examples multiplies it by (N - m) / (N - 1), "
                "and at m = N the variance is zero.",
                VAR_MEAN,
            ),
            Mistake(
                "inverted-factor",
                "The correction is upside down: without replacement the variance shrinks, and vanishes at m = N.",
                VAR_MEAN * (n - 1) / (n - m),
            ),
            Mistake(
                "n-not-n-minus-one",
                "Close: the denominator of the correction is N - 1, not N.",
                VAR_MEAN * (n - m) / n,
            ),
        ),
    )


# ---- 3. the variance of a batch mean, as a function ---------------------------------------------


def batch_variance(G, m, replace):
    """Var(g_hat) for batches of m from the values G: sigma^2 / m, times (N - m)/(N - 1) without
    replacement, with sigma^2 the population variance (library predicted_variance)."""
    G = np.asarray(G, float)
    return float(predicted_variance(float(np.mean((G - G.mean()) ** 2)), m, len(G), replace=bool(replace)))


def _draw_batch_variance(rng):
    """Four random cases of N values: two odd N (with replacement) and two even (without), 5 to 30."""
    odd = rng.choice(np.arange(5, 31, 2), size=2, replace=False)
    even = rng.choice(np.arange(6, 31, 2), size=2, replace=False)
    return {"sizes": tuple(int(n) for n in sorted([*odd, *even]))}


BATCH_VARIANCE = Space("04-batch-variance", {"sizes": (5, 8, 12, 20)}, _draw_batch_variance)


@variant(BATCH_VARIANCE)
def batch_variance_problem(sizes):
    def cases(rng):
        out = [
            dict(G=np.array([1.0, -1.0]), m=1, replace=True),
            dict(G=np.array([3.0, -1.0, 4.0, 1.0, -5.0, 9.0]), m=6, replace=False),  # m = N: zero
            dict(G=np.array([3.0, -1.0, 4.0, 1.0, -5.0, 9.0]), m=3, replace=False),
            dict(G=np.array([3.0, -1.0, 4.0, 1.0, -5.0, 9.0]), m=3, replace=True),
        ]
        for n in sizes:
            out.append(dict(G=np.round(rng.normal(size=n) * 2, 2), m=int(rng.integers(2, n)), replace=bool(n % 2)))
        return out

    return Problem(
        id="04-batch-variance",
        lesson=4,
        kind="function",
        task="implement",
        sections=(3,),
        statement=(
            "Write batch_variance(G, m, replace): G is an array of the N per-example values G_i (one coordinate "
            "of the gradient), m a batch size and replace a bool. Return Var(g_hat) for a batch of m drawn "
            "uniformly with replacement (replace=True) or as m distinct examples (replace=False), as a float, "
            "with sigma^2 the population variance of the G_i."
        ),
        quantities={"N": None, "m": None, "sigma": None},
        signature="batch_variance(G, m, replace) -> float",
        answer=batch_variance,
        cases=cases,
        hints=(
            ask(
                "What is sigma^2 for one uniform draw from the N values, and what changes when the "
                "batch holds distinct examples?"
            ),
            method(
                "sigma^2 = mean((G - mean(G))^2), divided by N; the variance is sigma^2 / m, times (N - m) / (N - 1) "
                "when replace is False."
            ),
        ),
        mistakes=(
            Mistake(
                "sample-variance",
                "Your sigma^2 divides by N - 1. One uniform draw from the N values has variance "
                "(1/N) sum_i (G_i - mu)^2: the N - 1 belongs in the correction factor, not here.",
                lambda G, m, replace: float(
                    np.var(G, ddof=1) / m * ((len(G) - m) / (len(G) - 1) if not replace else 1.0)
                ),
            ),
            Mistake(
                "no-correction",
                "Without replacement the variance is smaller: multiply by (N - m) / (N - 1), which is 0 at m = N.",
                lambda G, m, replace: float(np.var(G) / m),
            ),
            Mistake(
                "n-not-n-minus-one",
                "Close: the denominator of the correction factor is N - 1, not N.",
                lambda G, m, replace: float(np.var(G) / m * ((len(G) - m) / len(G) if not replace else 1.0)),
            ),
        ),
    )


# ---- 4. reading the sd curve ---------------------------------------------------------------------


def _draw_sd_threshold(rng):
    """A threshold 0.35 to 0.6 (crossed between m = 8 and m = 22), m up to 24 to 40, 2000 to 8000 draws,
    a seed 1..999."""
    return {
        "threshold": Fraction(int(rng.choice([35, 38, 40, 42, 45, 48, 50, 55, 60])), 100),
        "m_max": int(rng.choice([24, 30, 36, 40])),
        "draws": int(rng.choice([2000, 4000, 8000])),
        "seed": int(rng.integers(1, 1000)),
    }


SD_THRESHOLD = Space(
    "04-sd-threshold", {"threshold": Fraction(42, 100), "m_max": 30, "draws": 4000, "seed": 30}, _draw_sd_threshold
)


@variant(SD_THRESHOLD)
def sd_threshold(threshold, m_max, draws, seed):
    sd = sd_curve(G_LESSON, m_max, draws, seed)
    sizes = np.arange(1, m_max + 1)
    below = sizes[np.round(sd, 3) < float(threshold)]
    var_below = sizes[np.round(sd, 3) ** 2 < float(threshold)]
    if not below.size or not var_below.size or below[0] == var_below[0]:
        raise ValueError("the threshold must be crossed inside the table, by the sd and the variance at different m")
    return Problem(
        id="04-sd-threshold",
        lesson=4,
        kind="number",
        task="read",
        sections=(2, 4),
        statement=(
            f"The experiment measures the standard deviation of g_hat for every batch size m = 1, ..., {m_max} "
            f"({draws} draws with replacement from the lesson's N = {len(G_LESSON)} values). Which is the smallest m "
            f"whose measured standard deviation is below {_num(threshold)}?"
        ),
        quantities={"m": None, "N": len(G_LESSON)},
        answer=int(below[0]),
        hints=(
            ask("Is the table's column the standard deviation or the variance, and in which order do you scan it?"),
            method(f"Go down the table from m = 1 and stop at the first standard deviation below {_num(threshold)}."),
        ),
        mistakes=(
            Mistake(
                "variance",
                f"That is where the variance, the square of the standard deviation, first drops below "
                f"{_num(threshold)}; the question asks for the standard deviation, which falls more slowly.",
                int(var_below[0]),
            ),
        ),
    )


PROBLEMS = (
    var_batch,
    sd_batch,
    QUADRUPLE,
    double_predict,
    double_ratio,
    batch_mean_problem,
    MOVES,
    without_replacement,
    batch_variance_problem,
    sd_threshold,
)

COMMON_MISTAKES = {
    "Standard deviation and variance mixed up": (
        ("04-var-batch", "sd-not-variance"),
        ("04-sd-batch", "variance-not-sigma"),
        ("04-sd-batch", "sigma-is-variance"),
        ("04-quadruple", "variance-not-sigma"),
        ("04-sd-threshold", "variance"),
    ),
    "Expecting the noise to halve with a batch of twice the size": (("04-double-ratio", "halved"),),
    "$N - 1$ in the population variance": (("04-batch-variance", "sample-variance"),),
    "Forgetting the finite-population factor when the batch is a large share of the data": (
        ("04-without-replacement", "with-replacement"),
        ("04-batch-variance", "no-correction"),
    ),
    "Reading the variance at one $\\theta$ as the variance everywhere": (("04-variance-moves", "fixed-variance"),),
}
