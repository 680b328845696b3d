"""Lesson 4 problems: batch size and the variance of the mini-batch estimate.

With m independent per-example gradients G_k of variance sigma^2,
    Var((1/m) sum_k G_k) = (1/m^2) Var(sum_k G_k) = (1/m^2) m sigma^2 = sigma^2 / m,
so the standard deviation is sigma / sqrt(m). Drawing m distinct examples from N (without
replacement) multiplies the variance by (N - m) / (N - 1).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..checking import Mistake
from .problem import Problem, exact

sigma = sp.Symbol("sigma", positive=True)
m, N = sp.symbols("m N", integer=True, positive=True)
VAR_SUM = m * sigma**2  # independent terms: variances add
VAR_MEAN = (1 / m) ** 2 * VAR_SUM  # Var(aX) = a^2 Var(X) with a = 1/m -> sigma**2/m
WITHOUT = VAR_MEAN * (N - m) / (N - 1)
NS = {"sigma": sigma, "m": m}

SIGMA2, MS = 16, (1, 4, 16)
SD = tuple(exact(sp.sqrt(VAR_MEAN.subs({sigma: sp.sqrt(SIGMA2), m: b}))) for b in MS)  # 4, 2, 1


def _at(expr):
    return tuple(exact(expr.subs({sigma: sp.sqrt(SIGMA2), m: b})) for b in MS)


def batch_mean(G, idx):
    """g_hat = (1/m) sum_{i in idx} G[i]: the mean of the batch's rows of G (N, d)."""
    return G[idx].mean(axis=0)


def _cases(rng):
    G = np.round(rng.normal(size=(6, 2)), 2)
    cases = [
        dict(G=G, idx=np.array([3])),  # batch of one
        dict(G=np.zeros((4, 3)), idx=np.array([0, 2])),  # all zeros
        dict(G=G, idx=np.array([1, 1, 4])),  # drawn with replacement
        dict(G=G, idx=np.arange(6)),
    ]  # the whole data set
    for n, d, b in ((5, 1, 2), (8, 3, 3), (10, 2, 4)):
        cases.append(dict(G=np.round(rng.normal(size=(n, d)), 2), idx=rng.choice(n, b, replace=False)))
    return cases


PROBLEMS = (
    Problem(
        id="04-var-batch",
        lesson=4,
        kind="expression",
        points=2,
        statement=(
            "Per-example gradients G_1, ..., G_m are independent draws with variance sigma^2. "
            "Write Var(g_hat) for g_hat = (1/m) sum_k G_k as an expression in sigma and m."
        ),
        counts=(2,),
        answer=VAR_MEAN,
        namespace=NS,
        hints=(
            "Var(a X) = a^2 Var(X), here with a = 1/m.",
            "For independent terms Var(sum_k G_k) = sum_k Var(G_k) = m sigma^2.",
        ),
        mistakes=(
            Mistake("sigma-not-variance", "You used sigma where sigma^2 was meant: Var(G) = sigma^2.", sigma / m),
            Mistake(
                "sd-not-variance",
                "sigma / sqrt(m) is the standard deviation of g_hat; the variance is its square.",
                sigma / sp.sqrt(m),
            ),
            Mistake(
                "sum-not-mean",
                "m sigma^2 is the variance of the sum; g_hat is the mean, which brings the factor 1/m^2.",
                VAR_SUM,
            ),
            Mistake(
                "dependent",
                "The factor 1/m^2 is right, but Var(sum_k G_k) = m sigma^2 for independent terms, not sigma^2.",
                sigma**2 / m**2,
            ),
            Mistake("no-averaging", "Averaging m independent gradients does shrink the variance.", sigma**2),
        ),
    ),
    Problem(
        id="04-sd-batch",
        lesson=4,
        kind="number",
        statement=(
            f"With sigma^2 = {SIGMA2}, give the standard deviations of g_hat for batch sizes "
            f"m = {', '.join(map(str, MS))}, as a list of {len(MS)} numbers."
        ),
        counts=(2, 16, 4, 3),
        answer=SD,
        hints=(
            "The standard deviation is the square root of the variance sigma^2 / m.",
            "sigma = 4, and sqrt(m) is 1, 2, 4.",
        ),
        mistakes=(
            Mistake(
                "variance-not-sigma",
                "Those are the variances sigma^2 / m; take square roots for the standard deviations.",
                _at(VAR_MEAN),
            ),
            Mistake(
                "divided-by-m",
                "sigma / m shrinks too fast: the standard deviation falls like 1 / sqrt(m).",
                _at(sigma / m),
            ),
            Mistake(
                "sum-not-mean",
                "sigma sqrt(m) is the spread of the summed gradient; g_hat is the mean.",
                _at(sigma * sp.sqrt(m)),
            ),
        ),
    ),
    Problem(
        id="04-quadruple",
        lesson=4,
        kind="choice",
        statement="You multiply the batch size m by 4. What happens to the standard deviation of g_hat?",
        counts=(4,),
        options=("It is divided by 4.", "It is divided by 2.", "It does not change.", "It is divided by 16."),
        answer="b",
        hints=("The standard deviation is sigma / sqrt(m).",),
        mistakes=(
            Mistake(
                "variance-not-sigma",
                "The variance is divided by 4; the standard deviation, its square root, by 2.",
                "a",
            ),
            Mistake("no-averaging", "Averaging more independent gradients reduces the spread.", "c"),
            Mistake("squared", "Dividing by 16 would need m multiplied by 256.", "d"),
        ),
    ),
    Problem(
        id="04-without-replacement",
        lesson=4,
        kind="expression",
        points=2,
        statement=(
            "Now the batch holds m distinct examples drawn from the N of the data set (without "
            "replacement); sigma^2 is the variance of a single example's gradient over the data set. "
            "Write Var(g_hat) in terms of sigma, m and N."
        ),
        counts=(2,),
        answer=WITHOUT,
        namespace={**NS, "N": N},
        hints=(
            "Start from the with-replacement value sigma^2 / m.",
            "The finite-population correction is (N - m) / (N - 1): it is 0 when m = N, as it must be.",
        ),
        mistakes=(
            Mistake(
                "with-replacement",
                "That is the with-replacement variance; drawing distinct examples multiplies it by (N - m) / (N - 1).",
                VAR_MEAN,
            ),
            Mistake(
                "inverted-factor",
                "The correction is upside down: without replacement the variance shrinks, and vanishes at m = N.",
                VAR_MEAN * (N - 1) / (N - m),
            ),
            Mistake(
                "n-not-n-minus-one", "Close: the denominator of the correction is N - 1, not N.", VAR_MEAN * (N - m) / N
            ),
        ),
    ),
    Problem(
        id="04-batch-mean",
        lesson=4,
        kind="function",
        statement=(
            "Write batch_mean(G, idx): G holds the per-example gradients as rows, shape (N, d); idx "
            "is an integer array of batch indices (it may repeat an index). Return the mini-batch "
            "estimate g_hat = (1/m) sum_{i in idx} G[i], shape (d,)."
        ),
        signature="batch_mean(G, idx) -> array of shape (d,)",
        answer=batch_mean,
        cases=_cases,
        hints=("G[idx] selects the batch's rows (repeats included).", "Average over axis 0."),
        mistakes=(
            Mistake(
                "sum-not-mean",
                "Your function returns the sum of the batch's rows; divide by m.",
                lambda G, idx: G[idx].sum(axis=0),
            ),
            Mistake(
                "full-batch",
                "Your function averages every row of G: that is the full gradient, "
                "but a mini-batch estimate was asked.",
                lambda G, idx: G.mean(axis=0),
            ),
        ),
    ),
)
