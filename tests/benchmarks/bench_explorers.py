"""Benchmark: time from a new slider value to a new image, for every explorer.

Run with `make bench` (or .venv/bin/python tests/benchmarks/bench_explorers.py). Not part of
`make test`: timings depend on the machine. Each explorer is built as its lesson builds it;
then every control is swept through its values and each assignment `widget.value = v` is
timed until explorer.image holds the new PNG (observers run synchronously in the
kernel, so the assignment returns with the image rendered). Target: median <= 30 ms.

On a shared machine the wall clock includes waiting for a core, so the table also gives the
process's CPU time per update (time.process_time), which load hardly changes, and the load
average before and after the run.
"""

from __future__ import annotations

import os
import sys
import time

import ipywidgets as W
import numpy as np

import sgdcourse as sc
from sgdcourse.explorers import (
    BatchVarianceExplorer,
    DataOrderExplorer,
    LearningRateExplorer,
    LogisticTrainingExplorer,
    MomentumExplorer,
    MomentumMapExplorer,
    NoiseBallExplorer,
    SharpFlatExplorer,
    StepPlayer,
    WorkedExampleExplorer,
)

TARGET_MS = 30.0


def values_of(widget):
    """The values a learner can pick on this control, in slider order."""
    if hasattr(widget, "options"):
        return list(widget.options)
    if isinstance(widget.value, bool):
        return [True, False]
    if isinstance(widget, W.FloatLogSlider):  # min and max are exponents
        return list(widget.base ** np.linspace(widget.min, widget.max, 41))
    if isinstance(widget.value, int):
        return list(range(widget.min, widget.max + 1, max(1, (widget.max - widget.min) // 40)))
    return list(np.linspace(widget.min, widget.max, 41))


def sweep(explorer, rounds=2):
    """Time every change of every control (`rounds` passes, forwards and back)."""
    times, cpu = [], []
    for name, widget in explorer.controls.items():
        start = widget.value
        for _ in range(rounds):
            for v in values_of(widget) + values_of(widget)[::-1]:
                if v == widget.value:
                    continue
                before = explorer.image.value
                t0, c0 = time.perf_counter(), time.process_time()
                widget.value = v
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                assert explorer.image.value != before or explorer.text, f"{name}={v!r} drew nothing"
        widget.value = start
    return np.array(times) * 1000, np.array(cpu) * 1000


def build_all(rng):
    yield "WorkedExampleExplorer (lesson 02)", lambda: WorkedExampleExplorer(rng=rng, steps=40)
    X, y, _ = sc.make_logistic(200, 2, rng, w=np.array([2.0, -1.0, 0.5]), intercept=True)
    yield "LogisticTrainingExplorer (lesson 03)", lambda: LogisticTrainingExplorer(X, y, rng=rng, epochs=5)
    Xr, yr, _ = sc.make_linear_regression(200, 3, rng)
    g = sc.LeastSquares(Xr, yr).per_example_grads(np.zeros(3))[:, 0]
    yield "BatchVarianceExplorer (lesson 04)", lambda: BatchVarianceExplorer(g, rng=rng, draws=4000)
    Xl, yl, _ = sc.make_logistic(100, 2, rng, w=np.array([2.0, -1.0]))
    model = sc.Logistic(Xl, yl)
    tr = sc.sgd(model, np.array([-2.0, 2.0]), 0.5, m=1, steps=80, rng=rng)
    yield "StepPlayer (lesson 03)", lambda: StepPlayer(model.loss, tr.thetas, (-3, 4), (-3, 3), losses=tr.losses)
    yield "LearningRateExplorer (lesson 06)", lambda: LearningRateExplorer([1.0, 5.0], [-4.0, 2.0], center=[1.0, 0.5])
    yield "MomentumExplorer (not placed)", lambda: MomentumExplorer()
    yield "MomentumMapExplorer (lesson 07)", lambda: MomentumMapExplorer()
    Xm, ym = sc.make_moons(400, rng, noise=0.15)
    yield "DataOrderExplorer (lesson 08)", lambda: DataOrderExplorer(Xm, ym, rng=rng)
    Xn, yn, _ = sc.make_linear_regression(500, 2, rng, noise=0.5)
    Xn = Xn * np.array([1.0, 0.5])  # curvatures about 1 and 1/4
    start = sc.LeastSquares(Xn, yn).solution() + np.array([-1.6, 1.2])
    yield "NoiseBallExplorer (lesson 06)", lambda: NoiseBallExplorer(Xn, yn, start, rng=rng, runs=200, steps=400)
    land = sc.equal_depths(np.linspace(-0.25, 0.25, 100))  # lesson 07's landscape
    yield "SharpFlatExplorer (lesson 07)", lambda: SharpFlatExplorer(land, rng=rng)


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    print("load average (1, 5, 15 min):", load())
    rng = np.random.default_rng(0)
    rows = []
    for name, build in build_all(rng):
        t0 = time.perf_counter()
        explorer = build()
        built = (time.perf_counter() - t0) * 1000
        ms, cpu = sweep(explorer)
        rows.append(
            (
                name,
                len(ms),
                built,
                np.median(ms),
                np.percentile(ms, 90),
                ms.max(),
                np.median(cpu),
                np.percentile(cpu, 90),
            )
        )
    print(
        f"\n{'explorer':38} {'updates':>7} {'build ms':>9} {'median ms':>10} {'p90 ms':>7} {'max ms':>7} "
        f"{'cpu median':>10} {'cpu p90':>8}  verdict (median wall)"
    )
    for name, n, built, med, p90, mx, cmed, cp90 in rows:
        verdict = "ok" if med <= TARGET_MS else f"SLOW (target {TARGET_MS:g} ms)"
        print(f"{name:38} {n:7d} {built:9.0f} {med:10.1f} {p90:7.1f} {mx:7.1f} {cmed:10.1f} {cp90:8.1f}  {verdict}")
    print("load average (1, 5, 15 min):", load())
    return 0 if all(r[3] <= TARGET_MS for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
