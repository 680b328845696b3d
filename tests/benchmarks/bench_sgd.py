"""Benchmark: sgdcourse.sgd against a plain numpy loop, side by side in one run.

Run with `.venv/bin/python tests/benchmarks/bench_sgd.py` (or `make bench`). Not part of
`make test`. Logistic regression on N = 100,000 examples, float64, one epoch of shuffled
mini-batches for d in {20, 100} and m in {1, 8, 32, 128, 1024}, sgd with its default settings.
The plain loop is what a learner writes: a permutation per epoch, X[idx], the gradient
X_B^T (sigma(X_B theta) - y_B) / m, theta - eta g, and the iterate stored in a preallocated
(T+1, d) array. Both get the same seed, so their iterates must agree exactly (checked).

Time: the best of REPEATS alternating runs each. Memory: tracemalloc's peak during one sgd
call, against the bytes of the arrays the returned record holds (Trajectory.nbytes). One step's
temporaries (the copy X_B, m x d, and the gradient's intermediates) are needed by any loop:
"step MB" is the peak of one plain-loop step alone, and the last column charges sgd's peak
minus it to the record.
Goals: time ratio <= 1.3 for every m, memory <= 1.1 x the record.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc

import numpy as np

import sgdcourse as sc
from sgdcourse.models import sigmoid

N, DIMS, BATCHES, ETA, REPEATS = 100_000, (20, 100), (1, 8, 32, 128, 1024), 0.1, 5
RATIO_GOAL, MEMORY_GOAL = 1.3, 1.1


def plain_loop(X, y, theta0, eta, m, steps, rng):
    n, d = X.shape
    per_epoch = -(-n // m)
    thetas = np.empty((steps + 1, d))
    thetas[0] = theta = theta0
    for t in range(steps):
        j = t % per_epoch
        if j == 0:
            order = rng.permutation(n)
        idx = order[j * m : (j + 1) * m]
        Xb = X[idx]
        g = Xb.T @ (sigmoid(Xb @ theta) - y[idx]) / len(idx)
        theta = theta - eta * g
        thetas[t + 1] = theta
    return thetas


def peak_of(fn):
    tracemalloc.start()
    out = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, out


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    print("load average (1, 5, 15 min):", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    rows, ok = [], True
    for d in DIMS:
        X, y, _ = sc.make_logistic(N, d, np.random.default_rng(0))
        model = sc.Logistic(X, y)
        theta0 = np.zeros(d)
        for m in BATCHES:
            steps = -(-N // m)

            def run_sgd():
                return sc.sgd(model, theta0, ETA, m=m, epochs=1, rng=np.random.default_rng(1))

            def run_plain():
                return plain_loop(X, y, theta0, ETA, m, steps, np.random.default_rng(1))

            t_sgd, t_plain = [], []
            for _ in range(REPEATS):  # alternate, so both see the same load
                t_plain.append(best_of(run_plain, 1)[0])
                t_sgd.append(best_of(run_sgd, 1)[0])
            tr, thetas = run_sgd(), run_plain()
            same = np.array_equal(tr.thetas, thetas)
            del tr, thetas
            idx = np.arange(m)
            step_temporaries = peak_of(lambda: X[idx].T @ (sigmoid(X[idx] @ theta0) - y[idx]) / m)[0]
            peak, tr = peak_of(run_sgd)
            ratio, memory = min(t_sgd) / min(t_plain), (peak - step_temporaries) / tr.nbytes
            ok &= same and ratio <= RATIO_GOAL and memory <= MEMORY_GOAL
            rows.append(
                (
                    d,
                    m,
                    steps,
                    min(t_plain),
                    min(t_sgd),
                    ratio,
                    tr.nbytes / 2**20,
                    peak / 2**20,
                    step_temporaries / 2**20,
                    peak / tr.nbytes,
                    memory,
                    same,
                )
            )
            del tr
    print(
        f"\n{'d':>4} {'m':>5} {'steps':>7} {'plain s':>8} {'sgd s':>8} {'ratio':>6} {'record MB':>10} "
        f"{'peak MB':>8} {'step MB':>8} {'peak/rec':>8} {'(peak-step)/rec':>15} {'same':>5}"
    )
    for d, m, steps, tp, ts, ratio, rec, peak, step, raw, mem, same in rows:
        print(
            f"{d:>4} {m:>5} {steps:>7} {tp:>8.3f} {ts:>8.3f} {ratio:>6.2f} {rec:>10.2f} {peak:>8.2f} {step:>8.2f} "
            f"{raw:>8.3f} {mem:>15.3f} {str(same):>5}"
        )
    print(
        f"\ngoals: ratio <= {RATIO_GOAL}, peak - one step's temporaries <= {MEMORY_GOAL} x record, iterates identical:",
        "met" if ok else "NOT met",
    )
    print("load average (1, 5, 15 min):", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
