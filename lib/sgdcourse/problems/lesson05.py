"""Lesson 5 problems: what a batch costs, how far the learning rate scales with it, which batch
size to pick, and when more examples stop helping.

    time per example      t(m) / m, for measured (or modelled) times t(m) of one step on a batch of m
    step-time model       t(m) = overhead + c m, the work c m times `slow` once the batch's rows
                          overflow the fast memory (rows > fast_rows): the lesson's flat, then
                          proportional, then worse curve, on two machines
    linear scaling        eta = m eta_1 keeps gradient descent stable while m eta_1 lambda_max < 2,
                          so the largest stable m is the largest whole m below 2 / (eta_1 lambda_max)
    choosing m            a seeded sweep of steps and examples to a target against m (eta = m eta_1)
    noise diagnostic      m_noise = tr(Sigma) / |grad L|^2, Sigma the covariance of the per-example
                          gradients (rows of G, shape (N, d)) and grad L their mean
    copied data           N examples copied k times: the full gradient is unchanged, a full-batch
                          step costs k times as many examples; draws with replacement are unchanged
    memory                the activations the backward pass keeps, per example, times m, plus the
                          parameters: the largest m that fits
    accumulation          pieces of one large batch: sum every per-example gradient, divide by the
                          total count (adding the pieces' means multiplies the step)

Every number is a function of the problem's parameters (@variant), with the exercise's numbers as
defaults; exact where the arithmetic is exact (Fractions).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

from ..checking import Mistake
from ..data import make_logistic
from ..models import Logistic, QuadraticBowl
from ..sgd import sgd
from .problem import Problem, ask, method, variant
from .variants import Space


def _shown(v):
    return f"{float(v):g}"


# ---- time per example, from measured times per step -----------------------------------------------
def per_example(sizes, times):
    """t(m) / m for every m: the time one example costs inside a step on a batch of m."""
    return tuple(Fraction(t) / m for m, t in zip(sizes, times))


def cheapest_m(sizes, times):
    """The batch size with the lowest time per example (the first, on a tie)."""
    costs = per_example(sizes, times)
    return sizes[costs.index(min(costs))]


def step_bend(sizes, times, factor=2):
    """The first m whose time per step is at least `factor` times that of m = sizes[0]: where the
    time-per-step curve leaves its flat part (the slip of reading the left panel)."""
    return next(m for m, t in zip(sizes, times) if Fraction(t) >= factor * Fraction(times[0]))


def _draw_time_per_example(rng):
    """Seven sizes 1 or 2 times 4^k; times of an overhead t_0 plus c m, `slow` times dearer past the
    fast rows, to one decimal (microseconds)."""
    first = int(rng.choice([1, 2]))
    sizes = tuple(first * 4**k for k in range(7))
    overhead = float(rng.choice([8, 10, 12, 15, 20]))
    half = int(rng.choice([16, 32, 64]))  # the m whose work c m equals the overhead
    fast = sizes[int(rng.choice([4, 5]))]
    slow = float(rng.choice([3, 4, 5]))
    work = [overhead * m / (first * half) * (1 if m <= fast else slow) for m in sizes]
    return {"sizes": sizes, "times": tuple(f"{overhead + w:.1f}" for w in work)}


TIME_PER_EXAMPLE = Space(
    "05-time-per-example",
    {
        "sizes": (1, 4, 16, 64, 256, 1024, 4096),
        "times": ("10.0", "10.5", "11.0", "13.0", "22.0", "80.0", "400.0"),
    },
    _draw_time_per_example,
)


@variant(TIME_PER_EXAMPLE)
def time_per_example(sizes, times):
    times_q = tuple(Fraction(t) for t in times)
    costs = per_example(sizes, times_q)
    best = cheapest_m(sizes, times_q)
    if costs.count(min(costs)) != 1 or best in (sizes[0], sizes[-1]):
        raise ValueError("times: the lowest time per example must be unique and inside the table")
    bend = step_bend(sizes, times_q)
    if bend == sizes[0] or bend >= best:
        raise ValueError("times: the step time must bend before the cheapest batch")
    table = ", ".join(f"{m}: {t}" for m, t in zip(sizes, times))
    return Problem(
        id="05-time-per-example",
        valid=("m", "whole"),
        lesson=5,
        kind="number",
        task="read",
        sections=(1,),
        statement=(
            "One gradient step was timed for batch sizes m with this result (m: microseconds per step): "
            f"{table}. Which batch size m has the lowest time per example?"
        ),
        quantities={"m": None},
        answer=Fraction(best),
        hints=(
            ask("The table gives the cost of a whole step. What does one example of the batch cost at each m?"),
            method("Divide each time by its m, then look for the smallest quotient."),
        ),
        mistakes=(
            Mistake(
                "per-step",
                f"m = {sizes[0]} has the shortest step, but that step serves the fewest examples: comparing "
                "batch sizes per step hides what each example costs. Divide each time by its m.",
                Fraction(sizes[0]),
            ),
            Mistake(
                "largest-batch",
                f"The time per example does not fall forever: at m = {sizes[-1]} the step takes "
                f"{times[-1]} microseconds, more per example than a smaller batch needs.",
                Fraction(sizes[-1]),
            ),
            Mistake(
                "step-bend",
                f"At m = {bend} the time per step starts to grow, but it grows more slowly than m: "
                "the time per example is still falling there.",
                Fraction(bend),
            ),
            Mistake(
                "time-not-m",
                "That is the lowest time per example itself (in microseconds); the batch size m "
                "where it occurs was asked.",
                min(costs),
            ),
        ),
    )


# ---- a model of the step time on two machines --------------------------------------------------------
def step_time(m, overhead, per_ex, fast_log2, slow):
    """Modelled microseconds of one step on a batch of m: a fixed overhead plus per_ex per example,
    `slow` times dearer once the batch's rows overflow the fast memory (m > 2**fast_log2)."""
    work = Fraction(per_ex) * m
    return Fraction(overhead) + (work if m <= 2**fast_log2 else Fraction(slow) * work)


def model_cheapest(machine, top):
    """The m = 1, 2, 4, ..., 2**top with the lowest modelled time per example, and the first m whose
    step takes at least twice as long as m = 1's (where the flat part ends)."""
    sizes = [2**k for k in range(top + 1)]
    times = [step_time(m, *machine) for m in sizes]
    costs = [t / m for m, t in zip(sizes, times)]
    best = sizes[costs.index(min(costs))]
    if costs.count(min(costs)) != 1 or best in (sizes[0], sizes[-1]):
        raise ValueError(f"machine {machine}: the lowest time per example must be unique and inside the sizes")
    bend = next((m for m, t in zip(sizes, times) if t >= 2 * times[0]), None)
    return best, bend


def _machine_text(name, machine):
    overhead, per_ex, fast_log2, slow = machine
    return (
        f"the {name}: overhead {_shown(overhead)}, {_shown(per_ex)} per example, fast memory for "
        f"{2**fast_log2} rows, {slow} times slower beyond"
    )


def _draw_two_machines(rng):
    """A CPU (small overhead, dear work, small fast memory) and a GPU (large overhead, cheap work,
    large fast memory), each (overhead, c, log2 of the fast rows, slowdown); m up to 2^top."""
    cpu = (
        int(rng.choice([5, 10, 20])),
        Fraction(1, int(rng.choice([10, 20, 50]))),
        int(rng.choice([9, 10, 11])),
        int(rng.choice([2, 3, 4])),
    )
    gpu = (
        int(rng.choice([30, 50, 100])),
        Fraction(1, int(rng.choice([200, 500, 1000]))),
        int(rng.choice([13, 14, 15])),
        int(rng.choice([3, 4, 5])),
    )
    return {"cpu": cpu, "gpu": gpu, "top": gpu[2] + int(rng.choice([2, 3, 4]))}


TWO_MACHINES = Space(
    "05-two-machines",
    {"cpu": (10, Fraction(1, 20), 10, 3), "gpu": (50, Fraction(1, 500), 14, 4), "top": 17},
    _draw_two_machines,
)


@variant(TWO_MACHINES)
def two_machines(cpu, gpu, top):
    cpu_best, cpu_bend = model_cheapest(cpu, top)
    gpu_best, gpu_bend = model_cheapest(gpu, top)
    if cpu_best == gpu_best or None in (cpu_bend, gpu_bend):
        raise ValueError("cpu, gpu: the two machines must have different cheapest batches and a bend")
    answer = (Fraction(cpu_best), Fraction(gpu_best))
    return Problem(
        id="05-two-machines",
        valid=("m", "whole"),
        lesson=5,
        kind="number",
        task="read",
        sections=(1,),
        statement=(
            "The notebook models the time of one step, in microseconds, as t(m) = overhead + c m, the work "
            "c m multiplied by a slowdown once the batch's rows no longer fit in fast memory, for two "
            f"machines: {_machine_text('CPU', cpu)}; {_machine_text('GPU', gpu)}. It plots the time per "
            f"example t(m)/m for m = 1, 2, 4, ..., 2^{top}. Read the plot (or its table): at which m is "
            "the time per example lowest on each machine? Answer (CPU, GPU) as a list of 2 numbers."
        ),
        quantities={"m": None},
        answer=answer,
        hints=(
            ask("Where does each curve of time per example stop falling, and is it the same m on both?"),
            method(
                "On each machine, find the m with the smallest t(m)/m: the overhead shrinks per example as m "
                "grows, until the rows overflow the fast memory and the work per example jumps."
            ),
        ),
        mistakes=(
            Mistake(
                "same-for-both",
                "You gave the CPU's batch size for both machines. Timings are not universal: the GPU's "
                "larger overhead and larger fast memory move its cheapest batch much further out.",
                (Fraction(cpu_best), Fraction(cpu_best)),
            ),
            Mistake(
                "per-step",
                "m = 1 has the shortest step on both machines, but it serves one example: the time per "
                "example, t(m)/m, was asked.",
                (Fraction(1), Fraction(1)),
            ),
            Mistake(
                "largest-batch",
                f"At m = 2^{top} the rows have long overflowed the fast memory: the time per example is "
                "higher there than at the batch that just fits.",
                (Fraction(2**top), Fraction(2**top)),
            ),
            Mistake(
                "step-bend",
                "Those are the m where a step first takes twice as long as m = 1's, where the curve of "
                "time per step bends upwards. The time per example t(m)/m was asked, and it is not lowest at "
                "both of them.",
                (Fraction(cpu_bend), Fraction(gpu_bend)),
            ),
        ),
    )


# ---- linear scaling's ceiling ----------------------------------------------------------------------
def largest_stable_m(lam_max, eta_1, limit=2):
    """The largest whole m with m eta_1 lam_max < limit (limit 2: |1 - eta lam_max| < 1 with
    eta = m eta_1; at equality the error flips sign without shrinking)."""
    bound = Fraction(limit) / (Fraction(lam_max) * Fraction(eta_1))
    return math.ceil(bound) - 1


def _draw_scaling_ceiling(rng):
    """A flat curvature 1/4, 1/2 or 1, a steep one 2 to 8, and eta_1 = 1/k that puts the bound
    2 / (eta_1 lambda_max) on an even whole number from 24 to 96, not a round one (the answer, one
    less, would round to it)."""
    lam_2 = int(rng.choice([2, 3, 4, 5, 8]))
    bound = int(rng.choice([24, 32, 36, 44, 48, 52, 56, 64, 72, 76, 84, 96]))
    return {
        "lam_1": Fraction(int(rng.choice([1, 2, 4])), 4),
        "lam_2": Fraction(lam_2),
        "eta_1": Fraction(2, lam_2 * bound),
    }


SCALING_CEILING = Space(
    "05-scaling-ceiling",
    {"lam_1": Fraction(1, 2), "lam_2": Fraction(4), "eta_1": Fraction(1, 152)},
    _draw_scaling_ceiling,
)


@variant(SCALING_CEILING)
def scaling_ceiling(lam_1, lam_2, eta_1):
    lam_max, lam_min = max(lam_1, lam_2), min(lam_1, lam_2)
    if lam_max == lam_min:
        raise ValueError("lam_1, lam_2: the two curvatures must differ")
    ceiling = largest_stable_m(lam_max, eta_1)
    if ceiling < 2:
        raise ValueError("eta_1: even m = 2 is unstable")
    boundary = 2 / (lam_max * eta_1)  # where the steep factor is exactly -1
    return Problem(
        id="05-scaling-ceiling",
        lesson=5,
        kind="number",
        task="compute",
        sections=(2,),
        statement=(
            f"Linear scaling sets the learning rate to eta = m eta_1 with eta_1 = {eta_1}. The loss is the "
            "bowl L(theta) = (1/2)(lambda_1 theta_1^2 + lambda_2 theta_2^2) with "
            f"lambda_1 = {lam_1} and lambda_2 = {lam_2}. Ignoring the noise, a step with batch size m is a "
            "gradient-descent step with rate eta. What is the largest whole batch size m for which it "
            "converges from every start?"
        ),
        quantities={"m": None, "eta_1": eta_1, "lam_1": lam_1, "lam_2": lam_2},
        answer=Fraction(ceiling),
        hints=(
            ask("For which eta does gradient descent on this bowl converge? Which axis decides?"),
            method(
                "Convergence needs |1 - eta lambda_k| < 1 on both axes, so eta < 2 / lambda_max. Put eta = m eta_1 "
                "and solve for m; the inequality is strict."
            ),
        ),
        mistakes=(
            Mistake(
                "boundary",
                f"At m = {_shown(boundary)} the factor 1 - m eta_1 lambda_max is exactly -1: the error flips "
                "sign without shrinking. The inequality is strict, so that m is one too many.",
                Fraction(ceiling + 1),
                same_as=("step-too-many",),
            )
            if boundary.denominator == 1
            else Mistake(
                "boundary",
                f"That is the bound {_shown(boundary)} itself, not a whole batch size below it.",
                boundary,
            ),
            Mistake(
                "one-over-lambda",
                "eta = 1/lambda_max is the rate that lands on the minimum of the steep axis in one step, "
                "not the limit: the error still shrinks, overshooting, up to eta = 2/lambda_max.",
                Fraction(largest_stable_m(lam_max, eta_1, limit=1)),
            ),
            Mistake(
                "flat-axis",
                "That bound comes from the flat axis. The steep axis leaves |1 - eta lambda| < 1 first, so "
                "lambda_max sets the ceiling: applying eta proportional to m without that ceiling diverges.",
                Fraction(largest_stable_m(lam_min, eta_1)),
            ),
            Mistake(
                "eta-not-m",
                "That is the largest stable learning rate 2/lambda_max; the batch size m with m eta_1 below "
                "it was asked.",
                2 / lam_max,
            ),
        ),
    )


# ---- choosing m from a sweep -----------------------------------------------------------------------
def _bowl(lambdas, center, n, offsets_seed):
    offsets = np.random.default_rng(offsets_seed).standard_normal((n, len(lambdas)))
    return QuadraticBowl(np.array(lambdas, dtype=float), center=np.array(center, dtype=float), offsets=offsets)


@lru_cache(maxsize=64)
def batch_sweep(ms, eta_1, target, budget, seeds=(0, 1, 2), lambdas=(0.5, 4.0), center=(1.0, -0.5), n=1000,
                offsets_seed=0, theta0=(-3.0, 2.0)):  # fmt: skip
    """{m: steps to the target} for SGD with eta = m eta_1 on a seeded bowl: the first step at which
    the excess L(theta) - L(c), averaged over the runs (one per seed, sampling with replacement),
    is below target; inf if a run diverges or the target is not met within budget examples."""
    bowl = _bowl(lambdas, center, n, offsets_seed)
    lam = np.asarray(lambdas, dtype=float)
    out = {}
    for m in ms:
        steps = budget // m
        runs = [
            sgd(
                bowl,
                np.array(theta0),
                float(m * Fraction(eta_1)),
                m=m,
                steps=steps,
                rng=np.random.default_rng(seed),
                sampling="replace",
                track_loss=False,
            )  # fmt: skip
            for seed in seeds
        ]
        if any(r.diverged for r in runs):
            out[m] = math.inf
            continue
        mean = np.mean([0.5 * ((r.thetas - bowl.center) ** 2) @ lam for r in runs], axis=0)
        below = np.nonzero(mean < float(target))[0]
        out[m] = int(below[0]) if len(below) else math.inf
    return out


def batch_range(ms, eta_1, target, budget, max_steps, waste):
    """(lo, hi, steps): the grid values m that reach the target within max_steps steps and with at
    most waste times the fewest examples; they must form one run of the grid."""
    steps = batch_sweep(ms, eta_1, target, budget)
    examples = {m: s * m for m, s in steps.items()}
    fewest = min(examples.values())
    good = [m for m in ms if steps[m] <= max_steps and examples[m] <= waste * fewest]
    if not good or any(m not in good for m in ms if min(good) <= m <= max(good)):
        raise ValueError(f"max_steps, waste: the supported batch sizes do not form one run: {steps}")
    if min(good) == ms[0] or max(good) == ms[-1]:
        raise ValueError("ms: the grid must bracket the supported range")
    return min(good), max(good), steps


def _draw_choose_batch(rng):
    """The grid of m fixed; eta_1, the target, the examples per run, the steps and the waste allowed drawn."""
    return {
        "ms": (1, 2, 4, 8, 16, 32, 64, 128),
        "eta_1": Fraction(1, int(rng.choice([120, 140, 160, 180, 200]))),
        "target": Fraction(1, int(rng.choice([5, 10, 20]))),
        "budget": int(rng.choice([2048, 4096])),
        "max_steps": int(rng.choice([30, 40, 50, 60, 80])),
        "waste": Fraction(int(rng.choice([5, 6, 7])), 4),
    }


CHOOSE_BATCH = Space(
    "05-choose-batch",
    {
        "ms": (1, 2, 4, 8, 16, 32, 64, 128),
        "eta_1": Fraction(1, 160),
        "target": Fraction(1, 10),
        "budget": 2048,
        "max_steps": 50,
        "waste": Fraction(5, 4),
    },
    _draw_choose_batch,
)


@variant(CHOOSE_BATCH)
def choose_batch(ms, eta_1, target, budget, max_steps, waste):
    lo, hi, steps = batch_range(ms, eta_1, target, budget, max_steps, waste)
    examples = {m: s * m for m, s in steps.items()}
    fewest = min(examples.values())
    below = max(m for m in ms if m < lo)
    above = min(m for m in ms if m > hi)
    frugal = min(m for m in ms if examples[m] == fewest)
    quick = min((m for m in ms if steps[m] < math.inf), key=lambda m: (steps[m], m))
    top = ms[-1]
    mistakes = [
        Mistake(
            "fewest-examples",
            f"m = {frugal} needs the fewest examples ({fewest}), but {steps[frugal]} steps, far more than "
            f"the {max_steps} you can afford: on a machine whose step time is flat in m, a small batch "
            "wastes the clock.",
            Fraction(frugal),
        ),
    ]
    if quick > hi:
        mistakes.append(
            Mistake(
                "fewest-steps",
                f"m = {quick} reaches the target in the fewest steps ({steps[quick]}), but it needs "
                f"{examples[quick]} examples, {examples[quick] / fewest:.2f} times the fewest: comparing batch "
                "sizes per step hides the examples each step costs.",
                Fraction(quick),
            )
        )
    if steps[top] == math.inf and top not in (quick, frugal):
        mistakes.append(
            Mistake(
                "no-ceiling",
                f"With m = {top} the rate is m eta_1 = {_shown(top * eta_1)}, past the ceiling 2/lambda_max of "
                "the bowl: the runs diverge. eta proportional to m works only below that ceiling.",
                Fraction(top),
            )
        )
    return Problem(
        id="05-choose-batch",
        valid=("m", "whole"),
        lesson=5,
        kind="number",
        task="choose",
        sections=(2, 3),
        points=2,
        statement=(
            "The notebook runs SGD on a bowl with curvatures lambda = (0.5, 4), centre c = (1, -0.5) and "
            "N = 1000 examples (offsets np.random.default_rng(0).standard_normal((1000, 2))), from "
            f"theta_0 = (-3, 2), with linear scaling eta = m eta_1, eta_1 = {eta_1}, for m = "
            f"{', '.join(str(m) for m in ms)}: three runs per m (seeds 0, 1, 2, examples drawn with "
            f"replacement), each {budget} examples long. For each m it reports the steps until the excess "
            f"L(theta) - L(c), averaged over the three runs, first falls below {target}, and the examples "
            f"that costs (steps times m). Your machine's step time is flat in m, so you want few steps, but "
            f"you will not spend more than {waste} times the fewest examples. Choose a batch size that "
            f"reaches the target within {max_steps} steps and within that budget: any m the sweep supports "
            "is accepted."
        ),
        quantities={"m": None, "N": 1000, "eta_1": eta_1, "lam": None},
        answer=Fraction(hi),
        accept=(Fraction(lo), Fraction(hi)),
        outside=(
            f"m = {below} needs {steps[below]} steps to the target, more than the {max_steps} you can afford; "
            "below it the runs need even more.",
            f"m = {above} "
            + (
                "diverges: m eta_1 is past 2/lambda_max."
                if steps[above] == math.inf
                else f"needs {examples[above]} examples, {examples[above] / fewest:.2f} times the fewest, more "
                f"than the {waste} times you allow: linear scaling has stopped paying there."
            ),
        ),
        hints=(
            ask("Which of the two limits rules out the small batches, and which rules out the large ones?"),
            method(
                "For each m, compare its steps with the steps you can afford and its examples with the fewest "
                "examples of any m times the factor you allow; keep the m that pass both."
            ),
        ),
        mistakes=tuple(mistakes),
    )


# ---- the noise diagnostic --------------------------------------------------------------------------
def m_noise(G):
    """m_noise = tr(Sigma) / |g|^2 for per-example gradients G (N, d): g = G.mean(axis=0) is the full
    gradient and tr(Sigma) = sum_k Var(G[:, k]) (population variance, 1/N) the spread around it."""
    G = np.asarray(G, dtype=float)
    return float(np.sum(G.var(axis=0)) / np.sum(G.mean(axis=0) ** 2))


def _noise_cases(rng, shapes):
    cases = [
        dict(G=np.array([[1.0, 2.0], [3.0, 0.0], [2.0, 1.0]])),  # small, by hand: tr = 4/3, |g|^2 = 5
        dict(G=np.tile([[0.5, -1.5, 2.0]], (4, 1))),  # every example agrees: no noise, m_noise = 0
        dict(G=np.array([[4.0], [-1.0]])),  # one coordinate, two examples
    ]
    for n, d, shift in shapes:
        cases.append(dict(G=np.round(shift + rng.normal(size=(n, d)), 3)))
    return cases


def _inverted_noise(G):
    G = np.asarray(G, dtype=float)
    spread = np.sum(G.var(axis=0))
    return float(np.sum(G.mean(axis=0) ** 2) / spread) if spread else math.inf


def _draw_noise_scale(rng):
    """Four random test cases (N, d, shift): from a few rows far from zero mean to many near it; the
    third has d = 5 always."""
    return {
        "shapes": (
            (int(rng.choice([5, 10, 20])), int(rng.choice([1, 2, 3])), float(rng.choice([0.5, 1.0, 2.0]))),
            (int(rng.choice([30, 50, 80])), int(rng.choice([3, 4])), float(rng.choice([0.2, 0.3, 0.5]))),
            (int(rng.choice([100, 200, 300])), 5, float(rng.choice([0.1, 0.15]))),
            (int(rng.choice([500, 1000, 2000])), int(rng.choice([10, 11, 16])), float(rng.choice([0.03, 0.05]))),
        )
    }


NOISE_SCALE = Space(
    "05-noise-scale",
    {"shapes": ((10, 2, 1.0), (50, 3, 0.3), (200, 5, 0.1), (1000, 11, 0.05))},
    _draw_noise_scale,
)


@variant(NOISE_SCALE)
def noise_scale(shapes):
    """shapes: (N, d, shift) of the random test cases, rows drawn around shift."""
    return Problem(
        id="05-noise-scale",
        lesson=5,
        points=2,
        kind="function",
        task="implement",
        sections=(4,),
        statement=(
            "Write m_noise(G): G holds the per-example gradients at one theta as rows, shape (N, d). Return "
            "the noise scale m_noise = tr(Sigma) / |grad L|^2 as a float, where grad L is the mean of the "
            "rows and Sigma their covariance with the 1/N of the whole data set (not 1/(N - 1))."
        ),
        quantities={"N": None},
        signature="m_noise(G) -> float",
        answer=m_noise,
        cases=lambda rng: _noise_cases(rng, shapes),
        hints=(
            ask("Which two quantities does the ratio compare, and how do you get each from the rows of G?"),
            method(
                "tr(Sigma) is the sum over coordinates of the variance of the column G[:, k]; "
                "|grad L|^2 is the squared length of the mean row."
            ),
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
                _inverted_noise,
            ),
        ),
    )


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


def sweep_bowl(lambdas=SWEEP["lambdas"], center=SWEEP["center"], n=SWEEP["n"], offsets_seed=SWEEP["offsets_seed"]):
    """The bowl of the sweep: n examples whose offsets are standard normal draws of one seeded rng."""
    return _bowl(lambdas, center, n, offsets_seed)


@lru_cache(maxsize=128)
def sweep_excess(eta, m=SWEEP["m"], steps=SWEEP["steps"], tail=SWEEP["tail"], seeds=SWEEP["seeds"]):
    """L(theta) - L(c) averaged over the last `tail` steps of each run and over the runs (one per
    seed, rng = default_rng(seed)) on sweep_bowl(); inf if a run diverges."""
    bowl = sweep_bowl()
    lam = np.asarray(bowl.curvatures, dtype=float)
    levels = []
    for seed in seeds:
        run = sgd(bowl, np.array(SWEEP["theta0"]), float(eta), m=m, steps=steps, rng=np.random.default_rng(seed),
                  track_loss=False)  # fmt: skip
        if run.diverged:
            return math.inf
        levels.append(np.mean(0.5 * (run.thetas[-tail:] - bowl.center) ** 2 @ lam))
    return float(np.mean(levels))


def supported(grid, target, m=SWEEP["m"], steps=SWEEP["steps"]):
    """(lowest, highest) grid value whose sweep excess (over the last half of the steps) is below
    target, and the excesses by value."""
    excess = {g: sweep_excess(Fraction(g), m, steps, steps // 2) for g in grid}
    good = [Fraction(g) for g in grid if excess[g] < float(Fraction(target))]
    if not good or any(float(Fraction(target)) <= excess[g] for g in grid if min(good) <= Fraction(g) <= max(good)):
        raise ValueError(f"target: the grid values below {target} do not form one run: {excess}")
    if min(good) == Fraction(grid[0]) or max(good) == Fraction(grid[-1]):
        raise ValueError("grid: the grid must bracket the supported range")
    return min(good), max(good), excess


def _draw_sweep(rng):
    """The grid 1/128, ..., 1/2 fixed; the target, the batch size and the steps of every run drawn."""
    return {
        "grid": tuple(Fraction(1, 2**k) for k in range(7, 0, -1)),
        "target": Fraction(1, int(rng.choice([5, 8, 10, 20]))),
        "m": int(rng.choice([4, 6, 8, 12, 16])),
        "steps": int(rng.choice([100, 150, 200, 250])),
    }


SWEEP_SPACE = Space(  # 05-choose-eta's sweep, whose first three values 05-grid-edge runs again
    "05-choose-eta",
    {
        "grid": tuple(Fraction(1, 2**k) for k in range(7, 0, -1)),  # 1/128, ..., 1/2: exact floats
        "target": Fraction(1, 10),
        "m": 8,
        "steps": 200,
    },
    _draw_sweep,
)


@variant(SWEEP_SPACE)
def choose_eta(grid, target, m, steps):
    low, high, excess = supported(grid, target, m, steps)
    below = max(g for g in grid if g < low)
    above = min(g for g in grid if g > high)
    tail = steps // 2
    if above >= 2 / Fraction(max(SWEEP["lambdas"])):
        why_above = (
            f"with eta = {_shown(above)}, at or past 2/lambda_max, the steep coordinate no longer shrinks: the runs "
            f"average {excess[above]:.2f}."
        )
    else:
        why_above = (
            f"with eta = {_shown(above)} the runs reach the bottom quickly but jitter around it, at an average of "
            f"{excess[above]:.2f}: the longer step carries more of the gradient noise."
        )
    return Problem(
        id="05-choose-eta",
        valid=("eta", "positive"),
        tol=0.0015,  # 0.03 typed for the grid's 1/32 = 0.03125 is that value, rounded
        lesson=5,
        points=2,
        kind="number",
        task="choose",
        sections=(2, 3),
        statement=(
            "A bowl with curvatures lambda = (0.5, 4) and centre c = (1, -0.5) has 200 examples whose "
            "offsets are np.random.default_rng(0).standard_normal((200, 2)). SGD runs from theta_0 = (-3, 2) "
            f"with m = {m} for {steps} steps: sgdcourse.sgd(bowl, theta_0, eta, m={m}, steps={steps}, "
            "rng=np.random.default_rng(seed)) for the seeds 0, 1 and 2. For each eta of the grid "
            f"{', '.join(_shown(g) for g in grid)}, average L(theta) - L(c) over the last {tail} steps of each run "
            "and over "
            f"the 3 runs. Choose a learning rate whose average is below {_shown(target)}: any eta the sweep "
            "supports is accepted."
        ),
        quantities={"m": m, "N": 200, "eta": None, "lam": None, "steps": steps},
        answer=(low + high) / 2,
        accept=(low, high),
        outside=(
            f"with eta = {_shown(below)} the runs average {excess[below]:.2f}: {steps} steps are too few to come down "
            "from the start, and a smaller eta needs even more.",
            why_above,
        ),
        hints=(
            ask(
                "Run the sweep and look at both ends of the grid: why does a very small eta fail, and why a large one?"
            ),
            method(
                f"Keep the grid values whose average is below {_shown(target)}; every eta between the smallest "
                "and the largest of them is supported."
            ),
        ),
        mistakes=(
            Mistake(
                "too-small",
                f"Too small: with eta = {_shown(below)} the sweep averages {excess[below]:.2f}, because {steps} steps "
                "are not enough to come down from the start.",
                below,
            ),
            Mistake(
                "too-large",
                f"Too large: {why_above}",
                above,
            ),
        ),
    )


# ---- a grid whose best value sits at its edge -------------------------------------------------------
@variant(SWEEP_SPACE)
def grid_edge(grid, target, m, steps):
    """The sweep of 05-choose-eta (its m and steps) on the first three values of its grid only; the
    target plays no part here."""
    edge = grid[:3]
    excess = [sweep_excess(g, m, steps, steps // 2) for g in grid[:4]]
    if not all(a > b for a, b in zip(excess, excess[1:])):
        raise ValueError("grid: the excess must fall along its first four values: the edge's best is beaten beyond it")
    top, bottom = _shown(edge[-1]), _shown(edge[0])
    return Problem(
        id="05-grid-edge",
        lesson=5,
        kind="choice",
        task="read",
        sections=(3,),
        statement=(
            "The notebook runs the sweep of the previous problem (the same bowl, runs and averages) on the narrower "
            f"grid eta = {', '.join(_shown(g) for g in edge)} only, and prints the average excess for each. "
            "Read the table: "
            "what may you conclude?"
        ),
        quantities={"eta": None, "lam": None},
        options=(
            f"eta = {top} is the best learning rate for this problem.",
            f"The best value sits at the edge of the grid: extend the grid beyond {top} until worse values "
            "(a higher average excess) flank the best, then compare.",
            f"eta = {bottom} is safest and so the best choice.",
            "The sweep shows that the excess keeps falling as eta grows, whatever eta.",
        ),
        answer="b",
        hints=(
            ask("Where in the grid does the best value sit, and what would a value just beyond it have done?"),
            method("A best value is only established when worse values lie on both sides of it."),
        ),
        mistakes=(
            Mistake(
                "edge-best",
                f"eta = {top} is the best of these three, but it sits at the edge of the grid: the excess was still "
                "falling, so a larger eta may well do better. The comparison reflects the grid, not the method.",
                "a",
            ),
            Mistake(
                "smallest-safest",
                f"eta = {bottom} has the highest average of the three: {steps} steps are too few for it to "
                "come down from the start.",
                "c",
            ),
            Mistake(
                "extrapolate",
                "Three values cannot show that: past some eta the noise (and beyond 2/lambda_max the divergence) "
                "takes over. Extend the grid to see where.",
                "d",
            ),
        ),
    )


# ---- copied data ------------------------------------------------------------------------------------
def _draw_copied_data(rng):
    """N from 10,000 to 60,000, 3 to 10 copies, m from 16 to 128."""
    return {
        "n": int(rng.choice([10000, 20000, 50000, 60000])),
        "copies": int(rng.choice([3, 4, 5, 8, 10])),
        "m": int(rng.choice([16, 32, 64, 128])),
    }


COPIED_DATA = Space("05-copied-data", {"n": 20000, "copies": 10, "m": 32}, _draw_copied_data)


@variant(COPIED_DATA)
def copied_data(n, copies, m):
    if copies < 2:
        raise ValueError("copies: at least 2")
    return Problem(
        id="05-copied-data",
        lesson=5,
        kind="number",
        task="concept",
        sections=(3,),
        statement=(
            f"A data set of N = {n:,} examples is replaced by {copies} copies of itself ({n * copies:,} examples). "
            f"Two methods keep their learning rate: full-batch gradient descent, and SGD with m = {m} drawing "
            "its examples with replacement. For each method, by what factor does the copying change the number "
            "of examples it processes before it reaches a given loss? Answer (full batch, SGD) as a list of 2 numbers."
        ),
        quantities={"N": n, "k": copies, "m": m},
        answer=(Fraction(copies), Fraction(1)),
        hints=(
            ask(
                "Does the full gradient change when every example appears several times? Does the chance of "
                "drawing each original example change?"
            ),
            method("Count steps first, then the examples one step costs."),
        ),
        mistakes=(
            Mistake(
                "steps-not-examples",
                f"Full-batch GD takes the same steps as before, but each step now costs {copies} times as many "
                "examples.",
                (Fraction(1), Fraction(1)),
                same_as=("divided-by-n",),  # the factor k of copies dropped from the full batch's cost
            ),
            Mistake(
                "sgd-pays-too",
                "SGD with replacement draws each original example with the same probability as before, so "
                "its run, and the examples it processes, do not change.",
                (Fraction(copies), Fraction(copies)),
                same_as=("factor-n",),  # the factor k of copies charged to SGD too
            ),
            Mistake(
                "swapped",
                "The other way round: the full batch pays for every copy, SGD only for what it draws.",
                (Fraction(1), Fraction(copies)),
                same_as=("order",),
            ),
        ),
    )


# ---- the memory of a batch --------------------------------------------------------------------------
def network_counts(widths):
    """(parameters, floats kept per example by the backward pass): A_0, Z_k and A_k of every hidden
    layer, and the output scores."""
    params = sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
    kept = widths[0] + 2 * sum(widths[1:-1]) + widths[-1]
    return params, kept


def largest_batch(widths, mib, bytes_per_float=4, kept=None, params=None):
    p, k = network_counts(widths)
    p = p if params is None else params
    k = k if kept is None else kept
    free = mib * 2**20 - p * bytes_per_float
    return free // (k * bytes_per_float)


def _draw_batch_memory(rng):
    """An input of 784 to 3072, two hidden layers of 512 to 2048, 10 or 100 outputs; 32 to 128 MiB."""
    hidden = tuple(int(w) for w in rng.choice([512, 1024, 2048], size=2))
    widths = (int(rng.choice([784, 1024, 3072])), *hidden, int(rng.choice([10, 100])))
    return {"widths": widths, "mib": int(rng.choice([32, 48, 64, 96, 128]))}


BATCH_MEMORY = Space("05-batch-memory", {"widths": (784, 2048, 2048, 10), "mib": 48}, _draw_batch_memory)


@variant(BATCH_MEMORY)
def batch_memory(widths, mib):
    params, kept = network_counts(widths)
    best = largest_batch(widths, mib)
    if best < 2:
        raise ValueError("mib: not even m = 2 fits")
    hidden = ", ".join(str(w) for w in widths[1:-1])
    return Problem(
        id="05-batch-memory",
        lesson=5,
        kind="number",
        task="compute",
        sections=(5,),
        statement=(
            f"A network has layer widths ({', '.join(str(w) for w in widths)}): the input, hidden layers of "
            f"{hidden}, and the output, with a weight matrix and a bias vector per layer, all in 32-bit floats "
            "(4 bytes). "
            "For every example of a batch the backward pass keeps the input A_0, the pre-activations Z_k "
            "and activations A_k of every hidden layer, and the output scores. The accelerator has "
            f"{mib} MiB (1 MiB = 2^20 bytes) for the parameters and these values. What is the largest "
            "batch size m that fits?"
        ),
        quantities={"m": None},
        answer=Fraction(best),
        hints=(
            ask("Which part of the memory depends on m, and which part is there whatever the batch size?"),
            method(
                "Count the parameters (weights and biases) and the floats kept per example; subtract the "
                "parameters' bytes from the memory and divide what is left by the bytes of one example, "
                "rounding down."
            ),
        ),
        mistakes=(
            Mistake(
                "no-parameters",
                "You left out the parameters: they take their share of the memory whatever the batch size.",
                Fraction(largest_batch(widths, mib, params=0)),
            ),
            Mistake(
                "activations-only",
                "You kept only the activations A_k; the backward pass also needs every hidden layer's "
                "pre-activations Z_k.",
                Fraction(largest_batch(widths, mib, kept=sum(widths))),
            ),
            Mistake(
                "no-input",
                "You left out the input A_0: the backward pass needs it for the first layer's weight gradient.",
                Fraction(largest_batch(widths, mib, kept=kept - widths[0])),
            ),
            Mistake(
                "float64",
                "The floats here are 32-bit, 4 bytes each, not 8.",
                Fraction(largest_batch(widths, mib, bytes_per_float=8)),
            ),
        ),
    )


# ---- gradient accumulation, with a planted bug ------------------------------------------------------
def accumulated_grad(G, pieces):
    """The gradient of the large batch made of all pieces (index arrays into the rows of G, the
    per-example gradients): every per-example gradient summed, divided by the total count."""
    G = np.asarray(G, dtype=float)
    total = sum(G[np.asarray(idx)].sum(axis=0) for idx in pieces)
    return total / sum(len(idx) for idx in pieces)


def buggy_accumulated_grad(G, pieces):
    """The planted bug: the pieces' mean gradients added."""
    G = np.asarray(G, dtype=float)
    return sum(G[np.asarray(idx)].mean(axis=0) for idx in pieces)


def _mean_of_means(G, pieces):
    G = np.asarray(G, dtype=float)
    return sum(G[np.asarray(idx)].mean(axis=0) for idx in pieces) / len(pieces)


def _unique_rows(G, pieces):
    G = np.asarray(G, dtype=float)
    return G[np.unique(np.concatenate([np.asarray(idx) for idx in pieces]))].mean(axis=0)


def _accumulate_cases(rng, piece_sizes):
    X, y, _ = make_logistic(200, 3, rng)
    G = Logistic(X, y).per_example_grads(np.array([0.3, -0.2, 0.5]))
    cases = []
    for sizes in piece_sizes:
        pieces = tuple(rng.integers(0, len(G), size=s) for s in sizes)  # drawn with replacement: repeats count
        cases.append(dict(G=G, pieces=pieces))
    # a tuple, not a list: pieces of different sizes are not one table
    cases.append(dict(G=np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 4.0]]), pieces=(np.array([0, 1]), np.array([2]))))
    cases.append(dict(G=np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 4.0]]), pieces=(np.array([0, 0]), np.array([2, 1]))))
    return cases


def _draw_accumulate(rng):
    """The seed of the test cases, and their pieces: equal ones, a single one and unequal ones drawn,
    two of unequal sizes, (5, 3) and (10, 10, 4), always."""
    equal = (int(rng.choice([4, 6, 8])),) * int(rng.choice([2, 3, 4]))
    single = (int(rng.choice([8, 12, 16])),)
    unequal = tuple(int(k) for k in rng.integers(1, 11, size=int(rng.integers(2, 5))))
    return {"piece_sizes": (equal, (5, 3), (10, 10, 4), single, unequal), "seed": int(rng.integers(1, 10**6))}


ACCUMULATE = Space(
    "05-accumulate",
    {"piece_sizes": ((8, 8, 8, 8), (5, 3), (10, 10, 4), (16,), (6, 2, 1)), "seed": 0},
    _draw_accumulate,
)


@variant(ACCUMULATE)
def accumulate(piece_sizes, seed):
    """piece_sizes: the sizes of the pieces of each random test case; seed: their rng's."""
    return Problem(
        id="05-accumulate",
        lesson=5,
        points=2,
        kind="function",
        task="debug",
        sections=(5,),
        statement=(
            "A large batch is too big for memory, so it is split into pieces (a tuple of index arrays, drawn "
            "with replacement: an index may repeat) and its gradient is accumulated. buggy_accumulated_grad(G, "
            "pieces), with G the per-example gradients as rows, has one planted bug. Write "
            "accumulated_grad(G, pieces), the fixed function: the gradient of the whole large batch."
        ),
        quantities={},
        signature="accumulated_grad(G, pieces) -> array of shape (d,)",
        answer=accumulated_grad,
        cases=lambda rng: _accumulate_cases(rng, piece_sizes),
        seed=seed,
        hints=(
            ask("What is the gradient of one batch made of every piece together, and what does the buggy code add?"),
            method(
                "Sum the per-example gradients of every piece, then divide by the total number of indices, "
                "counting repeats; pieces of different sizes must not be weighted equally."
            ),
        ),
        mistakes=(
            Mistake(
                "planted-bug",
                "Still the planted bug: adding the pieces' mean gradients multiplies the step by the number of "
                "pieces. Average: sum every per-example gradient, divide by the total count.",
                buggy_accumulated_grad,
            ),
            Mistake(
                "mean-of-means",
                "You averaged the pieces' means: that weights a small piece like a large one. Divide the sum "
                "of every per-example gradient by the total count.",
                _mean_of_means,
            ),
            Mistake(
                "repeats-dropped",
                "You counted each index once: in a batch drawn with replacement a repeated example counts "
                "each time it is drawn.",
                _unique_rows,
            ),
        ),
    )


PROBLEMS = (
    time_per_example,
    two_machines,
    scaling_ceiling,
    choose_batch,
    choose_eta,
    grid_edge,
    copied_data,
    noise_scale,
    batch_memory,
    accumulate,
)

COMMON_MISTAKES = {
    "Reading timings as universal": (("05-two-machines", "same-for-both"),),
    "Comparing batch sizes per step": (
        ("05-time-per-example", "per-step"),
        ("05-two-machines", "per-step"),
        ("05-choose-batch", "fewest-steps"),
    ),
    r"Applying $\eta \propto m$ without a ceiling": (
        ("05-choose-batch", "no-ceiling"),
        ("05-scaling-ceiling", "flat-axis"),
    ),
    "Adding accumulated gradients": (("05-accumulate", "planted-bug"),),
    "Tuning on a grid whose best value sits at an edge": (("05-grid-edge", "edge-best"),),
}
