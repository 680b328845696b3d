"""Explorers are views, and a lesson imports in one style.

A lesson imports `sgdcourse`, its submodules with `from sgdcourse import dynamics`, and its slider
views with `from sgdcourse.explorers import LearningRateExplorer`: never from a view's module
(`sgdcourse.explorers.rate`), and never anything but an explorer from `sgdcourse.explorers`, so the
mathematics a lesson uses (`dynamics.regime`, `trajectory.steps_to_tolerance`, ...) comes from
the library. Every explorer class is exported by `sgdcourse.explorers.__all__`.
"""

import ast
import importlib
import inspect
import json
import pkgutil
from pathlib import Path

import pytest

import sgdcourse
import sgdcourse.explorers as explorers
from sgdcourse import layout
from sgdcourse.explorers.base import Explorer

ROOT = Path(__file__).resolve().parents[1]
LESSONS = layout.notebooks(ROOT / layout.LESSONS)


def code_of(path):
    """The code cells of a notebook, one source string each."""
    nb = json.loads(path.read_text())
    return ["".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "code"]


def _dotted(node):
    """'a.b.c' for an attribute chain a.b.c over a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def import_violations(source):
    """What in `source` breaks the lessons' import style (an empty list when nothing does)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("sgdcourse.")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sgdcourse":
            names = [a.name for a in node.names]
            if node.module == "sgdcourse":
                found += [
                    f"from sgdcourse import {n}: not in sgdcourse.__all__" for n in names if n not in sgdcourse.__all__
                ]
            elif node.module == "sgdcourse.explorers":
                found += [
                    f"from sgdcourse.explorers import {n}: not an explorer"
                    for n in names
                    if n not in explorers.__all__ or not issubclass(getattr(explorers, n), Explorer)
                ]
            else:
                found.append(f"from {node.module} import {', '.join(names)}: a deep import")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sgdcourse":
            if node.attr not in sgdcourse.__all__ and node.attr != "explorers":  # views: not imported by sgdcourse
                found.append(f"sgdcourse.{node.attr}: not in sgdcourse.__all__")
        elif isinstance(node, ast.Attribute) and _dotted(node.value) == "sgdcourse.explorers":
            if node.attr not in explorers.__all__:
                found.append(f"sgdcourse.explorers.{node.attr}: a view's module")
    return found


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_import_views_from_the_package_and_maths_from_the_library(path):
    bad = [(k, v) for k, cell in enumerate(code_of(path)) for v in import_violations(cell)]
    assert not bad, bad


def test_every_lesson_with_a_slider_imports_it_the_same_way():
    # the rule is not met vacuously: the lessons do import views and library maths
    sources = {p.name: "\n".join(code_of(p)) for p in LESSONS}
    assert sum("from sgdcourse.explorers import " in s for s in sources.values()) >= 6
    assert "dynamics.regime(" in sources["06_learning_rate.ipynb"]
    assert "trajectory.steps_to_tolerance(" in sources["07_momentum.ipynb"]
    assert "sgdcourse.MLP(" in sources["08_network.ipynb"]


@pytest.mark.parametrize(
    "source",
    [
        "from sgdcourse.explorers.rate import LearningRateExplorer",
        "from sgdcourse.explorers.rate import LearningRateExplorer, regime",
        "from sgdcourse.explorers import regime",
        "from sgdcourse.explorers import base",
        "from sgdcourse.dynamics import regime",
        "from sgdcourse.network import MLP",
        "import sgdcourse.explorers.momentum",
        "import sgdcourse\nsgdcourse.explorers.rate.regime(0.1, [1.0])",
        "import sgdcourse\nsgdcourse.Batches",
        "from sgdcourse import practice",
    ],
)
def test_the_rule_catches_each_way_of_breaking_it(source):
    assert import_violations(source), source


def test_the_rule_lets_the_lessons_style_through():
    source = (
        "import sgdcourse\nfrom sgdcourse import dynamics, plots, trajectory\n"
        "from sgdcourse.explorers import LearningRateExplorer, StepPlayer\n"
        "dynamics.regime(0.1, [1.0]); sgdcourse.MLP; sgdcourse.sgd; sgdcourse.explorers.StepPlayer"
    )
    assert import_violations(source) == []


def test_every_explorer_class_is_exported():
    defined = set()
    for info in pkgutil.iter_modules(explorers.__path__):
        module = importlib.import_module(f"sgdcourse.explorers.{info.name}")
        defined |= {
            name
            for name, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, Explorer) and obj.__module__ == module.__name__
        }
    assert {"LearningRateExplorer", "DataOrderExplorer", "StepPlayer"} <= defined  # the walk found them
    assert defined <= set(explorers.__all__)
    assert all(issubclass(getattr(explorers, name), Explorer) for name in explorers.__all__)


def test_the_views_module_names_do_not_shadow_library_modules():
    views = {info.name for info in pkgutil.iter_modules(explorers.__path__)}
    library = {info.name for info in pkgutil.iter_modules(sgdcourse.__path__)}
    assert "data_order" in views and not views & library, views & library


@pytest.mark.parametrize(
    "name, home",
    [
        ("regime", "sgdcourse.dynamics"),
        ("steps_to_tolerance", "sgdcourse.trajectory"),
        ("predicted_variance", "sgdcourse.minibatch"),
        ("batch_indices", "sgdcourse.minibatch"),
        ("least_squares_noise", "sgdcourse.minibatch"),
        ("least_squares_batches", "sgdcourse.minibatch"),
        ("noise_ball_covariance", "sgdcourse.dynamics"),
        ("noise_ball_threshold", "sgdcourse.dynamics"),
        ("error_paths", "sgdcourse.dynamics"),
        ("momentum_bowl_rate", "sgdcourse.dynamics"),
        ("momentum_optimum", "sgdcourse.dynamics"),
        ("sgd_runs", "sgdcourse.landscapes"),
    ],
)
def test_lesson_mathematics_lives_in_the_library(name, home):
    assert getattr(importlib.import_module(home), name).__module__ == home
    for info in pkgutil.iter_modules(explorers.__path__):  # and no view defines it
        defined = getattr(importlib.import_module(f"sgdcourse.explorers.{info.name}"), name, None)
        assert defined is None or defined.__module__ == home, info.name
    assert sgdcourse.Logistic.minimiser.__module__ == "sgdcourse.models"


def test_top_level_names_for_lessons_06_and_07_and_no_record_internals():
    for name in ("MLP", "make_moons", "SharpFlatLandscape", "equal_depths"):
        assert name in sgdcourse.__all__ and getattr(sgdcourse, name).__module__.startswith("sgdcourse.")
    assert "Batches" not in sgdcourse.__all__ and not hasattr(sgdcourse, "Batches")
    from sgdcourse.trajectory import Batches  # still where the record keeps it

    assert sgdcourse.sgd(sgdcourse.QuadraticBowl([1.0]), [1.0], 0.1, steps=2).batches.__class__ is Batches


def test_validation_is_not_called_check():
    # `check` is the learner's practice.check; the argument checks are imported as `validate`
    lib = ROOT / "lib" / "sgdcourse"
    aliased = [
        str(p.relative_to(lib))
        for p in lib.rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.ImportFrom)
        for a in node.names
        if a.name == "_validate" and a.asname not in (None, "validate")
    ]
    assert not aliased, aliased
