"""Lesson 05's problems of the second edition: each reference computed a second way, the notebook's
experiments giving what the bank says, and the choices with evidence accepting just inside their
range and refusing just outside it. (Every named mistake is sent by tests/test_problems.py.)"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import matplotlib
import matplotlib.pyplot
import numpy as np
import pytest

import sgdcourse as sc
from helpers import code_cell, run_sources
from sgdcourse import practice
from sgdcourse.problems import get, select
from sgdcourse.problems import lesson05 as L

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "05_cost_and_scale.ipynb"
NEW = ("05-two-machines", "05-choose-batch", "05-grid-edge", "05-batch-memory", "05-accumulate")


def run_cell(*markers):
    """Run the solution notebook's code cells that contain the markers, in order, in one namespace
    (their printout swallowed; data() gives today's numbers); the namespace."""
    from sgdcourse import plots

    ns = {"np": np, "Fraction": Fraction, "sgdcourse": sc, "plots": plots, "plt": matplotlib.pyplot}
    ns["data"] = practice.data
    run_sources([code_cell(SOLUTION, marker) for marker in markers], ns)
    matplotlib.pyplot.close("all")
    return ns


def test_every_section_has_a_problem_and_new_problems_run_code():
    sections = {s for p in select(5) for s in p.sections}
    assert sections == {1, 2, 3, 4, 5}
    assert set(NEW) <= {p.id for p in select(5)}
    assert sum(get(pid).runs_code for pid in NEW) >= 4


# ---- two machines ----------------------------------------------------------------------------------


def test_two_machines_by_floats_and_by_the_notebook():
    p = get("05-two-machines")
    sizes = 2.0 ** np.arange(p.params["top"] + 1)

    def per_example(overhead, per_ex, fast_log2, slow):
        rows_fit = sizes <= 2**fast_log2
        return (overhead + float(per_ex) * sizes * np.where(rows_fit, 1.0, slow)) / sizes

    cpu, gpu = per_example(*p.params["cpu"]), per_example(*p.params["gpu"])
    assert p.answer == (sizes[np.argmin(cpu)], sizes[np.argmin(gpu)]) == (1024, 16384)
    ns = run_cell('data("05-two-machines")', "def step_time_us")
    assert np.allclose(ns["cpu_per_example"], cpu) and np.allclose(ns["gpu_per_example"], gpu)
    read = [ns["m_grid"][np.argmin(ns["cpu_per_example"])], ns["m_grid"][np.argmin(ns["gpu_per_example"])]]
    assert read == list(p.answer)
    assert practice.check("05-two-machines", [1024, 16384]).ok
    assert practice.check("05-two-machines", [1024, 1024]).mistake == "same-for-both"


def test_two_machines_model_is_exact():
    assert L.step_time(1024, 10, Fraction(1, 20), 10, 3) == Fraction(10) + Fraction(1024, 20)
    assert L.step_time(2048, 10, Fraction(1, 20), 10, 3) == Fraction(10) + 3 * Fraction(2048, 20)  # past fast memory
    with pytest.raises(ValueError):
        L.two_machines.build(cpu=(10, Fraction(1, 20), 10, 3), gpu=(10, Fraction(1, 20), 10, 3), top=17)  # one answer


# ---- choosing a batch size -------------------------------------------------------------------------


def test_choose_batch_by_the_notebook_sweep():
    p = get("05-choose-batch")
    ns = run_cell('data("05-choose-batch")', "steps_to_target = {}")
    steps = ns["steps_to_target"]
    bank = L.batch_sweep(p.params["ms"], p.params["eta_1"], p.params["target"], p.params["budget"])
    assert steps == bank
    examples = {m: s * m for m, s in steps.items()}
    fewest = min(examples.values())
    good = [m for m in steps if steps[m] <= p.params["max_steps"] and examples[m] <= p.params["waste"] * fewest]
    assert (min(good), max(good)) == p.accept == (16, 32)
    # the evidence is clear of both limits: no small change of method moves a batch size across one
    for m, s in steps.items():
        assert s == np.inf or abs(s / p.params["max_steps"] - 1) > 0.2
        assert examples[m] == np.inf or abs(examples[m] / (p.params["waste"] * fewest) - 1) > 0.15
    assert steps[128] == np.inf  # 128 / 160 = 0.8 > 2 / lambda_max = 0.5: diverges


def test_choose_batch_accepts_inside_and_refuses_outside():
    for m in (16, 32, 24, 16.0, np.int64(32)):
        assert practice.check("05-choose-batch", m).ok, m
    for m, side in ((15, "below"), (8, "below"), (33, "above")):
        r = practice.check("05-choose-batch", m)
        assert r.status == "incorrect" and r.mistake == f"range-{side}", (m, r)
    for m in (15.9, 0, -16):  # not a batch size at all
        r = practice.check("05-choose-batch", m)
        assert r.status == "unreadable" and "m is a whole number" in r.feedback, (m, r)
    assert practice.check("05-choose-batch", 64).mistake == "fewest-steps"
    assert practice.check("05-choose-batch", 128).mistake == "no-ceiling"
    assert practice.check("05-choose-batch", 1).mistake == "fewest-examples"


def test_choose_eta_accepts_just_inside_and_refuses_just_outside():
    lo, hi = get("05-choose-eta").accept
    for eta in (float(lo), float(hi), float(lo) + 1e-9, float(hi) - 1e-9):
        assert practice.check("05-choose-eta", eta).ok, eta
    tol = get("05-choose-eta").tol  # a typed 0.03 is the grid's 1/32, rounded
    assert practice.check("05-choose-eta", 0.03).ok
    for eta, side in ((float(lo) - tol - 1e-6, "below"), (float(hi) + tol + 1e-6, "above")):
        assert practice.check("05-choose-eta", eta).mistake == f"range-{side}"


# ---- the grid edge -----------------------------------------------------------------------------------


def test_grid_edge_table_falls_along_the_grid_and_the_wider_sweep_turns():
    p = get("05-grid-edge")
    ns = run_cell('data("05-choose-eta")', "def excess(thetas)", "for eta in grid[:3]")
    m, steps, tail = p.params["m"], p.params["steps"], p.params["steps"] // 2
    seen = {}
    for eta in p.params["grid"][:3]:
        rngs = [np.random.default_rng(s) for s in (0, 1, 2)]
        runs = [sc.sgd(ns["bowl"], ns["theta_0"], float(eta), m=m, steps=steps, rng=rng) for rng in rngs]
        seen[eta] = np.mean([ns["excess"](r.thetas[-tail:]).mean() for r in runs])
        assert seen[eta] == pytest.approx(L.sweep_excess(eta, m, steps, tail))
    values = list(seen.values())
    assert values == sorted(values, reverse=True)  # best at the top edge: the letter b is right
    nxt = p.params["grid"][3]
    assert nxt == 2 * p.params["grid"][2] and L.sweep_excess(nxt, m, steps, tail) < values[-1]  # better beyond the edge
    assert practice.check("05-grid-edge", "a").mistake == "edge-best"


# ---- memory --------------------------------------------------------------------------------------------


def test_batch_memory_by_counting_arrays():
    p = get("05-batch-memory")
    widths, budget = p.params["widths"], p.params["mib"] * 2**20
    params = [np.zeros((a, b), np.float32) for a, b in zip(widths[:-1], widths[1:])] + [
        np.zeros(b, np.float32) for b in widths[1:]
    ]
    fixed = sum(a.nbytes for a in params)

    def per_batch(m):  # A_0, then Z_k and A_k of each hidden layer, then the output scores Z
        shapes = [widths[0]] + [w for w in widths[1:-1] for _ in range(2)] + [widths[-1]]
        return sum(np.zeros((m, w), np.float32).nbytes for w in shapes)

    m = int(p.answer)
    assert fixed + per_batch(m) <= budget < fixed + per_batch(m + 1)
    assert m == 752


# ---- accumulation ---------------------------------------------------------------------------------------


def test_accumulate_reference_is_the_mean_over_the_large_batch():
    p = get("05-accumulate")
    for case in p.cases(np.random.default_rng(p.seed)):
        whole = np.concatenate(case["pieces"])
        assert np.allclose(p.answer(**case), case["G"][whole].mean(axis=0))


def test_accumulate_notebook_bug_is_the_planted_one_and_fixes_are_accepted():
    ns = run_cell("def buggy_accumulated_grad")
    assert practice.check("05-accumulate", ns["buggy_accumulated_grad"]).mistake == "planted-bug"
    buggy = ns["buggy_accumulated_grad"](ns["G_try"], ns["pieces_try"])
    large = ns["G_try"][np.concatenate(ns["pieces_try"])].mean(axis=0)
    means = np.mean([ns["G_try"][idx].mean(axis=0) for idx in ns["pieces_try"]], axis=0)
    assert np.allclose(buggy, 2 * means) and not np.allclose(means, large)  # unequal pieces: the mean of means is off

    def concatenated(G, pieces):
        return G[np.concatenate(pieces)].mean(axis=0)

    def weighted(G, pieces):
        sizes = [len(idx) for idx in pieces]
        return sum(n * G[idx].mean(axis=0) for n, idx in zip(sizes, pieces)) / sum(sizes)

    assert practice.check("05-accumulate", concatenated).ok
    assert practice.check("05-accumulate", weighted).ok


def test_noise_scale_and_scaling_ceiling_variants_follow_their_parameters():
    p = get("05-scaling-ceiling")
    q = p.build(**{**p.params, "eta_1": Fraction(1, 100)})  # bound 2 / (4 / 100) = 50, whole: 49
    assert q.answer == 49 and {m.name: m.value for m in q.mistakes}["boundary"] == 50
    q = p.build(**{**p.params, "eta_1": Fraction(3, 400)})  # bound 200/3, not whole: 66, the slip is the bound
    assert q.answer == 66 and {m.name: m.value for m in q.mistakes}["boundary"] == Fraction(200, 3)
