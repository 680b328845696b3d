"""Lesson 04's problems: each reference computed a second way (by enumeration, by the law, from the
data by hand), each named mistake recognised by its name, and the exercise's experiments (run from
the solution notebook) printing what the bank says."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from helpers import code_sources, run_sources
from sgdcourse import practice
from sgdcourse.data import make_linear_regression
from sgdcourse.problems import get, lesson04

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "04_batch_size_variance.ipynb"


@pytest.fixture(scope="module")
def solution_run():
    """Run the solution notebook's code cells in one namespace: what they print, and the namespace."""
    namespace, printed = run_sources(code_sources(NOTEBOOK))
    return printed, namespace


# ---- references, a second way -------------------------------------------------------------------


def test_the_lessons_gradient_values_by_hand():
    """G_i = (x_i . 0 - y_i) x_i1 = -y_i x_i1 at theta = 0, the lesson's data and seed."""
    X, y, _ = make_linear_regression(200, 3, np.random.default_rng(4))
    assert np.allclose(lesson04.G_LESSON, -y * X[:, 0])


def test_var_batch_with_the_lessons_covariance_gives_the_correction():
    """Section 3's trick: C = -sigma^2/(N - 1) in the general variance is the finite-population law."""
    N = lesson04.N
    general = lesson04.var_of_mean(-(lesson04.sigma**2) / (N - 1))
    assert sp.simplify(general - lesson04.WITHOUT) == 0
    assert get("04-var-batch").answer == lesson04.sigma**2 / lesson04.m
    assert practice.check("04-var-batch", "sigma**2/(m - 1)").mistake == "m-minus-one"


def test_without_replacement_is_the_general_law_at_n_200_and_vanishes_at_m_n():
    p = get("04-without-replacement")
    assert sp.simplify(p.answer - lesson04.WITHOUT.subs(lesson04.N, 200)) == 0
    assert p.answer.subs(lesson04.m, 200) == 0 and "m = N" in p.hints[0]
    assert not any("(N - m) / (N - 1)" in h for h in p.hints)  # the hints derive, they do not hand it out


def test_sd_batch_and_the_sigma_16_slip():
    p = get("04-sd-batch")
    assert p.answer == tuple(Fraction(4, 1) / Fraction(int(np.sqrt(m))) for m in (1, 4, 16))
    r = practice.check("04-sd-batch", [16, 8, 4])
    assert r.mistake == "sigma-is-variance" and "sigma = 16" in r.feedback


def test_batch_variance_reference_by_enumerating_every_batch():
    p = get("04-batch-variance")
    G = [Fraction(v) for v in (3, -1, 4, 1, -5, 9)]
    mu = sum(G) / len(G)
    for m in range(1, len(G) + 1):
        subsets = list(itertools.combinations(G, m))
        without = sum((sum(s) / m - mu) ** 2 for s in subsets) / len(subsets)
        tuples = list(itertools.product(G, repeat=m)) if m <= 4 else None
        arr = np.array([float(v) for v in G])
        assert p.answer(G=arr, m=m, replace=False) == pytest.approx(float(without), abs=1e-12)
        if tuples:
            with_ = sum((sum(t) / m - mu) ** 2 for t in tuples) / len(tuples)
            assert p.answer(G=arr, m=m, replace=True) == pytest.approx(float(with_), abs=1e-12)


def test_batch_mean_counts_repeats():
    p = get("04-batch-mean")
    G = np.array([[1.0, 2.0], [3.0, -1.0], [4.0, 0.0]])
    assert np.allclose(p.answer(G, np.array([0, 1, 1, 2])), [2.75, 0.0])
    slip = {m.name: m.value for m in p.mistakes}["dropped-repeats"]
    assert not np.allclose(slip(G, np.array([0, 1, 1, 2])), [2.75, 0.0])


def test_sigma_squared_moves_with_theta():
    """04-variance-moves (b): at the least-squares fit the G_i have another, nonzero, variance."""
    X, y, _ = make_linear_regression(200, 3, np.random.default_rng(4))
    fit = np.linalg.lstsq(X, y, rcond=None)[0]
    at_fit = (X @ fit - y) * X[:, 0]
    assert abs(at_fit.mean()) < 1e-10 and at_fit.var() > 0.01
    assert not np.isclose(at_fit.var(), lesson04.G_LESSON.var())
    assert get("04-variance-moves").answer == "b"


def test_double_and_threshold_agree_with_the_law():
    sigma = float(lesson04.G_LESSON.std())
    ratio = get("04-double-ratio")
    assert abs(float(ratio.answer) - np.sqrt(2)) < 0.02  # measured, close to sqrt 2
    assert abs(float(get("04-double-predict").answer) - sigma / 4) < 0.01  # sigma / sqrt(16)
    threshold = get("04-sd-threshold")
    assert threshold.answer == int(np.ceil(sigma**2 / 0.42**2))  # sigma / sqrt(m) < 0.42
    assert practice.check("04-double-ratio", 2).mistake == "halved"


# ---- every named mistake is recognised by its name ---------------------------------------------


@pytest.mark.parametrize("pid", [p.id for p in lesson04.PROBLEMS if p.mistakes])
def test_each_named_mistake_is_recognised(pid):
    p = get(pid)
    for m in p.mistakes:
        r = practice.check(pid, m.value)
        assert r.status == "incorrect" and r.mistake == m.name, (m.name, r)


# ---- the experiments of the exercise give what the bank says -----------------------------------


def test_the_solution_notebooks_experiments_print_the_banks_values(solution_run):
    printed, namespace = solution_run
    sds = dict(re.findall(r"m = +(\d+): measured sd of g_hat = ([\d.]+)", printed))
    predict, ratio = get("04-double-predict"), get("04-double-ratio")
    assert Fraction(sds["16"]) == predict.answer and "0.584" in predict.statement and sds["8"] == "0.584"
    assert abs(Fraction(sds["8"]) / Fraction(sds["16"]) - ratio.answer) < Fraction(1, 10**9)
    table = {int(m): float(s) for m, s in re.findall(r"m = +(\d+): sd ([\d.]+)", printed)}
    assert sorted(table) == list(range(1, 31))
    assert min(m for m, s in table.items() if s < 0.42) == get("04-sd-threshold").answer
    variance = {m.name: m.value for m in get("04-sd-threshold").mistakes}["variance"]
    assert min(m for m, s in table.items() if s * s < 0.42) == variance
    p = get("04-batch-variance")
    for case in p.cases(np.random.default_rng(0)):
        assert namespace["batch_variance"](**case) == pytest.approx(p.answer(**case))


def test_the_predict_problem_is_recorded_never_wrong():
    r = practice.check("04-double-predict", 0.292)  # sd halved: the common mistake, still recorded
    assert r.status == "recorded" and "0.413" in r.feedback
