"""Claims as tests: a sentence of a lesson that says what an experiment shows, re-run over seeds.

A stored output proves that a number comes back, not that the sentence beside it holds. Each
claim here is one experiment, written small, as a function of a seed:

    @claim("03", "7. An SGD path, step by step", "the steps are shorter late in the run", every)
    def test_steps_shorten(seed, broken):
        \"\"\"<what is measured>. Breaks: <the change to the experiment that must make it fail>.\"\"\"
        ...
        return early_length > late_length          # one result per seed

The decorator turns it into a pytest test that runs the experiment for every seed in `seeds`
(at least MIN_SEEDS of them, none of them the lesson's own) and asserts `holds(results)`. The
quoted sentence must stand, word for word, in the lesson's markdown, so a claim and its sentence
change together. `broken=True` applies the change that the docstring names after "Breaks:";
`breaks_tests(globals())` at the end of a lesson's file makes one test per claim that runs it so
and asserts that the claim then fails (marker `slowclaim`: `make slowtest`).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
MIN_SEEDS = 10
SEEDS = tuple(range(100, 110))  # no lesson seeds its generator with these
LESSON_SEEDS = {"01": 11, "02": 2, "03": 3, "04": 4, "05": 8, "06": 5, "07": 6, "08": 7}


# what "holds" means over the per-seed results ---------------------------------------------
def every(results):
    """The claim holds for every seed (results are booleans)."""
    return all(results)


def at_least(k):
    """The claim holds for at least k seeds (the lesson says "in k of n")."""

    def holds(results):
        return sum(bool(r) for r in results) >= k

    holds.__name__ = f"at_least({k})"
    return holds


def mean_between(lo, hi):
    """The mean of numeric results lies in [lo, hi] (the lesson states a mean with its spread)."""

    def holds(results):
        return lo <= sum(results) / len(results) <= hi

    holds.__name__ = f"mean_between({lo}, {hi})"
    return holds


def uphill_exactly_when_negative(results):
    """Every seed's `steps_against` agreed, and some seed had a gradient with a negative dot product
    (the claim is about what such a gradient does, so it must occur)."""
    return all(ok for ok, _ in results) and sum(n for _, n in results) > 0


# shared pieces of experiments ---------------------------------------------------------------
def steps_against(loss, theta, gradients, full, broken=False, h=1e-5):
    """(agree, negatives): a short step theta - h g/|g| against each row g of `gradients` (along +g when
    broken) raises `loss` exactly when g . full < 0, and how many rows have g . full < 0. Rows within
    1e-3 of a right angle with `full` are skipped: a first-order reading cannot tell them."""
    ok, negatives = True, 0
    for g in gradients:
        cos = g @ full / (np.linalg.norm(g) * np.linalg.norm(full))
        if abs(cos) < 1e-3:
            continue
        step = h * g / np.linalg.norm(g)
        rises = loss(theta + step if broken else theta - step) > loss(theta)
        ok &= bool(rises == (cos < 0))
        negatives += int(cos < 0)
    return ok, negatives


# the lesson's text ---------------------------------------------------------------------------
def _squash(text):
    return re.sub(r"\s+", " ", text).strip()


@functools.lru_cache(maxsize=None)
def lesson_markdown(lesson):
    """All markdown cells of notebooks/<lesson>_*.ipynb, whitespace collapsed to single spaces."""
    (path,) = sorted((ROOT / "notebooks").glob(f"{lesson}_*.ipynb"))
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return _squash(" ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"))


# the decorator -------------------------------------------------------------------------------
class Claim:
    def __init__(self, experiment, lesson, section, sentence, holds, seeds):
        self.experiment, self.lesson, self.section = experiment, lesson, section
        self.sentence, self.holds, self.seeds = sentence, holds, tuple(seeds)
        self.name = experiment.__name__

    def where(self):
        return f'lesson {self.lesson}, section "{self.section}": "{self.sentence}"'

    def results(self, broken=False):
        return [self.experiment(seed, broken) for seed in self.seeds]


def claim(lesson, section, sentence, holds, *, seeds=SEEDS, slow=False):
    """Make `experiment(seed, broken)` a test of `sentence` in `lesson` over `seeds`."""
    seeds = tuple(seeds)
    if len(set(seeds)) < MIN_SEEDS or LESSON_SEEDS[lesson] in seeds:
        raise ValueError(f"a claim needs {MIN_SEEDS} distinct seeds other than lesson {lesson}'s own")

    def wrap(experiment):
        doc = experiment.__doc__ or ""
        if "Breaks:" not in doc:
            raise ValueError(
                f'{experiment.__name__}: the docstring must name, after "Breaks:", the change that makes the claim fail'
            )
        c = Claim(experiment, lesson, section, sentence, holds, seeds)

        def test():
            assert _squash(sentence) in lesson_markdown(lesson), f"the sentence is no longer in the lesson: {c.where()}"
            results = c.results()
            assert holds(results), f"{c.where()} does not hold ({holds.__name__}) over seeds {seeds}: {results}"

        test.__name__, test.__doc__, test.claim = experiment.__name__, doc, c
        test.__module__ = experiment.__module__
        return pytest.mark.slowclaim(test) if slow else test

    return wrap


def claims_in(namespace):
    """The Claim of every claim test in a module's namespace."""
    return [v.claim for k, v in namespace.items() if k.startswith("test_") and hasattr(v, "claim")]


def breaks_tests(namespace):
    """One test per claim of the module: under its "Breaks:" change the claim must fail."""
    found = claims_in(namespace)

    @pytest.mark.slowclaim
    @pytest.mark.parametrize("c", found, ids=[c.name for c in found])
    def test_breaks(c):
        results = c.results(broken=True)
        assert not c.holds(results), f"{c.name} still holds under its Breaks: change ({c.where()}): {results}"

    return test_breaks
