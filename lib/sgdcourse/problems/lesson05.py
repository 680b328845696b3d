"""Lesson 5 problems: what a batch costs, how far the learning rate scales with it, and when more
examples stop helping.

    time per example      t(m) / m, for measured times t(m) of one step on a batch of m
    linear scaling        eta = m eta_1 keeps gradient descent stable while m eta_1 lambda_max < 2,
                          so the largest stable m is the largest whole m below 2 / (eta_1 lambda_max)
    noise diagnostic      m_noise = tr(Sigma) / |grad L|^2, Sigma the covariance of the per-example
                          gradients (rows of G, shape (N, d)) and grad L their mean
    copied data           N examples copied k times: the full gradient is unchanged, a full-batch
                          step costs k times as many examples; draws with replacement are unchanged

Every number is a function of the problem's parameters, with the exercise's numbers as defaults;
exact where the arithmetic is exact (Fractions).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..checking import Mistake
from ..models import QuadraticBowl
from ..sgd import sgd
from .problem import Problem

# ---- time per example, from measured times per step -----------------------------------------------
SIZES = (1, 4, 16, 64, 256, 1024, 4096)
TIMES_US = ("10.0", "10.5", "11.0", "13.0", "22.0", "80.0", "400.0")  # microseconds per step, as stated
TIMES = tuple(Fraction(t) for t in TIMES_US)


def per_example(sizes=SIZES, times=TIMES):
    """t(m) / m for every m: the time one example costs inside a step on a batch of m."""
    return tuple(Fraction(t) / m for m, t in zip(sizes, times))


def cheapest_m(sizes=SIZES, times=TIMES):
    """The batch size with the lowest time per example (the first, on a tie)."""
    costs = per_example(sizes, times)
    return sizes[costs.index(min(costs))]


def step_bend(sizes=SIZES, times=TIMES, factor=2):
    """The first m whose time per step is at least `factor` times that of m = sizes[0]: where the
    time-per-step curve leaves its flat part (the slip of reading the left panel)."""
    return next(m for m, t in zip(sizes, times) if t >= factor * times[0])


CHEAPEST = cheapest_m()  # 1024
CHEAPEST_COST = min(per_example())  # 5/64 microseconds
TABLE = ", ".join(f"{m}: {t}" for m, t in zip(SIZES, TIMES_US))

# ---- linear scaling's ceiling ----------------------------------------------------------------------
SCALE_LAMBDAS = (Fraction(1, 2), Fraction(4))
SCALE_ETA1 = Fraction(1, 150)


def largest_stable_m(lam_max, eta_1, limit=2):
    """The largest whole m with m eta_1 lam_max < limit (limit 2: |1 - eta lam_max| < 1 with
    eta = m eta_1; at equality the error flips sign without shrinking)."""
    bound = Fraction(limit) / (Fraction(lam_max) * Fraction(eta_1))
    return math.ceil(bound) - 1


CEILING = largest_stable_m(max(SCALE_LAMBDAS), SCALE_ETA1)  # 74
CEIL_BOUNDARY = CEILING + 1  # 75: factor exactly -1
CEIL_ONE_OVER = largest_stable_m(max(SCALE_LAMBDAS), SCALE_ETA1, limit=1)  # 37: m eta_1 < 1/lambda_max
CEIL_FLAT = largest_stable_m(min(SCALE_LAMBDAS), SCALE_ETA1)  # 599: the flat axis's bound
CEIL_ETA = 2 / max(SCALE_LAMBDAS)  # 1/2: the largest eta, not the largest m


# ---- the noise diagnostic --------------------------------------------------------------------------
def m_noise(G):
    """m_noise = tr(Sigma) / |g|^2 for per-example gradients G (N, d): g = G.mean(axis=0) is the full
    gradient and tr(Sigma) = sum_k Var(G[:, k]) (population variance, 1/N) the spread around it."""
    G = np.asarray(G, dtype=float)
    return float(np.sum(G.var(axis=0)) / np.sum(G.mean(axis=0) ** 2))


def _noise_cases(rng):
    cases = [
        dict(G=np.array([[1.0, 2.0], [3.0, 0.0], [2.0, 1.0]])),  # small, by hand: tr = 4/3, |g|^2 = 5
        dict(G=np.tile([[0.5, -1.5, 2.0]], (4, 1))),  # every example agrees: no noise, m_noise = 0
        dict(G=np.array([[4.0], [-1.0]])),  # one coordinate, two examples
    ]
    for n, d, shift in ((10, 2, 1.0), (50, 3, 0.3), (200, 5, 0.1), (1000, 11, 0.05)):
        cases.append(dict(G=np.round(shift + rng.normal(size=(n, d)), 3)))
    return cases


# ---- choosing eta from a sweep ---------------------------------------------------------------------
SWEEP = dict(
    lambdas=(0.5, 4.0),
    center=(1.0, -0.5),
    n=200,
    offsets_seed=0,
    theta0=(-3.0, 2.0),
    m=8,
    steps=200,
    tail=100,
    seeds=(0, 1, 2),
)
GRID = ("0.01", "0.02", "0.03", "0.05", "0.08", "0.12", "0.2", "0.3", "0.45")
TARGET = "0.1"


def sweep_bowl(lambdas=SWEEP["lambdas"], center=SWEEP["center"], n=SWEEP["n"], offsets_seed=SWEEP["offsets_seed"]):
    """The bowl of the sweep: n examples whose offsets are standard normal draws of one seeded rng."""
    offsets = np.random.default_rng(offsets_seed).standard_normal((n, len(lambdas)))
    return QuadraticBowl(np.array(lambdas), center=np.array(center), offsets=offsets)


def sweep_excess(eta, bowl=None, theta0=SWEEP["theta0"], m=SWEEP["m"], steps=SWEEP["steps"], tail=SWEEP["tail"],
                 seeds=SWEEP["seeds"]):  # fmt: skip
    """L(theta) - L(c) averaged over the last `tail` steps of each run and over the runs (one per
    seed, rng = default_rng(seed)); inf if a run diverges."""
    bowl = sweep_bowl() if bowl is None else bowl
    lam = np.asarray(bowl.curvatures, dtype=float)
    levels = []
    for seed in seeds:
        run = sgd(bowl, np.array(theta0), float(eta), m=m, steps=steps, rng=np.random.default_rng(seed),
                  track_loss=False)  # fmt: skip
        if run.diverged:
            return math.inf
        levels.append(np.mean(0.5 * (run.thetas[-tail:] - bowl.center) ** 2 @ lam))
    return float(np.mean(levels))


def supported(grid=GRID, target=TARGET, **kw):
    """(lowest, highest) grid value whose sweep excess is below target, and the excesses by value."""
    excess = {g: sweep_excess(Fraction(g), **kw) for g in grid}
    good = [Fraction(g) for g in grid if excess[g] < float(Fraction(target))]
    if not good or any(float(Fraction(target)) <= excess[g] for g in grid if min(good) <= Fraction(g) <= max(good)):
        raise ValueError(f"target: the grid values below {target} do not form one run: {excess}")
    return min(good), max(good), excess


LOW, HIGH, EXCESS = supported()
ETA_PICK = (LOW + HIGH) / 2
ETA_TOL = float((HIGH - LOW) / 2) + 1e-9  # the boundary values themselves count as supported
BELOW = max(Fraction(g) for g in GRID if Fraction(g) < LOW)
ABOVE = min(Fraction(g) for g in GRID if Fraction(g) > HIGH)


def _shown(value):
    return f"{float(value):g}"


# ---- copied data ------------------------------------------------------------------------------------
COPY_N, COPIES, COPY_M = 20000, 10, 32
COPIED = (Fraction(COPIES), Fraction(1))  # full batch: COPIES times the examples; with replacement: unchanged


PROBLEMS = (
    Problem(
        id="05-time-per-example",
        lesson=5,
        kind="number",
        statement=(
            "One gradient step was timed for batch sizes m with this result (m: microseconds per step): "
            f"{TABLE}. Which batch size m has the lowest time per example?"
        ),
        counts=tuple(m for m in SIZES if m >= 2),
        answer=Fraction(CHEAPEST),
        hints=(
            "The table gives the cost of a whole step. What does one example of the batch cost at each m?",
            "Divide each time by its m, then look for the smallest quotient.",
        ),
        mistakes=(
            Mistake(
                "per-step",
                "m = 1 has the shortest step, but that step serves one example only. Divide each time by its m.",
                Fraction(SIZES[0]),
            ),
            Mistake(
                "largest-batch",
                f"The time per example does not fall forever: at m = {SIZES[-1]} the step takes "
                f"{TIMES_US[-1]} microseconds, more per example than a smaller batch needs.",
                Fraction(SIZES[-1]),
            ),
            Mistake(
                "step-bend",
                f"At m = {step_bend()} the time per step starts to grow, but it grows more slowly than m: "
                "the time per example is still falling there.",
                Fraction(step_bend()),
            ),
            Mistake(
                "time-not-m",
                "That is the lowest time per example itself (in microseconds); the batch size m "
                "where it occurs was asked.",
                CHEAPEST_COST,
            ),
        ),
    ),
    Problem(
        id="05-scaling-ceiling",
        lesson=5,
        kind="number",
        statement=(
            "Linear scaling sets the learning rate to eta = m eta_1 with eta_1 = 1/150. The loss is the "
            "bowl L(theta) = (1/2)(lambda_1 theta_1^2 + lambda_2 theta_2^2) with lambda_1 = 1/2 and "
            "lambda_2 = 4. Ignoring the noise, a step with batch size m is a gradient-descent step with "
            "rate eta. What is the largest whole batch size m for which it converges from every start?"
        ),
        counts=(2, 4, 150),
        answer=Fraction(CEILING),
        hints=(
            "For which eta does gradient descent on this bowl converge? Which axis decides?",
            "Convergence needs |1 - eta lambda_k| < 1 on both axes, so eta < 2 / lambda_max. Put eta = m eta_1.",
            "The inequality is strict: if the bound on m is a whole number, that m is not allowed.",
        ),
        mistakes=(
            Mistake(
                "boundary",
                f"At m = {CEIL_BOUNDARY} the factor 1 - m eta_1 lambda_2 is exactly -1: the error flips sign "
                "without shrinking. The inequality is strict.",
                Fraction(CEIL_BOUNDARY),
            ),
            Mistake(
                "one-over-lambda",
                "eta = 1/lambda_max is the rate that lands on the minimum of the steep axis in one step, "
                "not the limit: the error still shrinks, overshooting, up to eta = 2/lambda_max.",
                Fraction(CEIL_ONE_OVER),
            ),
            Mistake(
                "flat-axis",
                "That bound comes from the flat axis. The steep axis leaves |1 - eta lambda| < 1 first, so "
                "lambda_max sets the ceiling.",
                Fraction(CEIL_FLAT),
            ),
            Mistake(
                "eta-not-m",
                "That is the largest stable learning rate 2/lambda_max; the batch size m with m eta_1 below "
                "it was asked.",
                CEIL_ETA,
            ),
        ),
    ),
    Problem(
        id="05-noise-scale",
        lesson=5,
        points=2,
        kind="function",
        statement=(
            "Write m_noise(G): G holds the per-example gradients at one theta as rows, shape (N, d). Return "
            "the noise scale m_noise = tr(Sigma) / |grad L|^2 as a float, where grad L is the mean of the "
            "rows and Sigma their covariance with the 1/N of the whole data set (not 1/(N - 1))."
        ),
        counts=(2,),
        signature="m_noise(G) -> float",
        answer=m_noise,
        cases=_noise_cases,
        hints=(
            "Which two quantities does the ratio compare, and how do you get each from the rows of G?",
            "tr(Sigma) is the sum over coordinates of the variance of the column G[:, k]; "
            "|grad L|^2 is the squared length of the mean row.",
        ),
        mistakes=(
            Mistake(
                "sample-variance",
                "Your variance divides by N - 1; Sigma here is the covariance over the whole data set, "
                "with 1/N (np.var's default, ddof=0).",
                lambda G: float(np.sum(np.asarray(G).var(axis=0, ddof=1)) / np.sum(np.asarray(G).mean(axis=0) ** 2)),
            ),
            Mistake(
                "second-moment",
                "Your numerator is the mean squared length of a per-example gradient, which is tr(Sigma) + "
                "|grad L|^2: subtract the mean before squaring.",
                lambda G: float(np.mean(np.sum(np.asarray(G) ** 2, axis=1)) / np.sum(np.asarray(G).mean(axis=0) ** 2)),
            ),
            Mistake(
                "norm-not-squared",
                "Your denominator is |grad L|; the ratio compares tr(Sigma) with the squared length |grad L|^2.",
                lambda G: float(np.sum(np.asarray(G).var(axis=0)) / np.linalg.norm(np.asarray(G).mean(axis=0))),
            ),
            Mistake(
                "inverted",
                "Upside down: m_noise is the spread tr(Sigma) divided by the signal |grad L|^2.",
                lambda G: float(np.sum(np.asarray(G).mean(axis=0) ** 2) / np.sum(np.asarray(G).var(axis=0))),
            ),
        ),
    ),
    Problem(
        id="05-choose-eta",
        lesson=5,
        points=2,
        kind="number",
        statement=(
            "A bowl with curvatures lambda = (0.5, 4) and centre c = (1, -0.5) has 200 examples whose "
            "offsets are np.random.default_rng(0).standard_normal((200, 2)). SGD runs from theta_0 = (-3, 2) "
            "with m = 8 for 200 steps: sgdcourse.sgd(bowl, theta_0, eta, m=8, steps=200, "
            "rng=np.random.default_rng(seed)) for the seeds 0, 1 and 2. For each eta of the grid "
            f"{', '.join(GRID)}, average L(theta) - L(c) over the last 100 steps of each run and over "
            f"the 3 runs. Choose a learning rate whose average is below {TARGET}: any eta the sweep "
            "supports is accepted."
        ),
        counts=(4, 200, 2, 3, 8, 100),
        answer=ETA_PICK,
        tol=ETA_TOL,
        hints=(
            "Run the sweep and look at both ends of the grid: why does a very small eta fail, and why a large one?",
            f"Keep the grid values whose average is below {TARGET}; every eta between the smallest and the "
            "largest of them is supported.",
        ),
        mistakes=(
            Mistake(
                "too-small",
                f"Too small: with eta = {_shown(BELOW)} the sweep averages {EXCESS[_shown(BELOW)]:.2f}, "
                "because 200 steps are not enough to come down from the start.",
                BELOW,
            ),
            Mistake(
                "too-large",
                f"Too large: with eta = {_shown(ABOVE)} the runs reach the bottom quickly but then jitter "
                f"around it, at an average excess of {EXCESS[_shown(ABOVE)]:.2f}: the longer step carries "
                "more of the gradient noise.",
                ABOVE,
            ),
        ),
    ),
    Problem(
        id="05-copied-data",
        lesson=5,
        kind="number",
        statement=(
            "A data set of N = 20,000 examples is replaced by 10 copies of itself (200,000 examples). Two "
            "methods keep their learning rate: full-batch gradient descent, and SGD with m = 32 drawing "
            "its examples with replacement. By what factor does the number of examples each one processes "
            "before it reaches a given loss change? Answer (full batch, SGD) as a list of 2 numbers."
        ),
        counts=(20000, 10, 200000, 32, 2),
        answer=COPIED,
        hints=(
            "Does the full gradient change when every example appears 10 times? Does the chance of drawing "
            "each original example change?",
            "Count steps first, then the examples one step costs.",
        ),
        mistakes=(
            Mistake(
                "steps-not-examples",
                "Full-batch GD takes the same steps as before, but each step now costs 10 times as many examples.",
                (Fraction(1), Fraction(1)),
            ),
            Mistake(
                "sgd-pays-too",
                "SGD with replacement draws each original example with the same probability as before, so "
                "its run, and the examples it processes, do not change.",
                (Fraction(COPIES), Fraction(COPIES)),
            ),
            Mistake(
                "swapped",
                "The other way round: the full batch pays for every copy, SGD only for what it draws.",
                (Fraction(1), Fraction(COPIES)),
            ),
        ),
    ),
)
