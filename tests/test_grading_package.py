"""The grading package as a whole: its map (grading/__init__.py) names every module, and its
imports run one way. Every import of a course module sits at the top of its module, and wire
(which the kernel imports) and gradebook (the bottom of the pipeline) import no other grading
module. The library-wide cycle scan is tests/test_imports.py."""

import ast
import re
from pathlib import Path

import pytest

import sgdcourse.grading

PACKAGE = Path(sgdcourse.grading.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def course_imports(tree, inside_functions):
    """(line, module) of every import of a sgdcourse module (relative, or by name), at the module's
    top level or, with inside_functions, only those inside a function."""
    found = []
    for fn in ast.walk(tree) if inside_functions else [tree]:
        if inside_functions and not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn) if inside_functions else fn.body:
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("sgdcourse")):
                found += [(node.lineno, "." * node.level + (node.module or "") + f":{a.name}") for a in node.names]
            elif isinstance(node, ast.Import):
                found += [(node.lineno, a.name) for a in node.names if a.name.startswith("sgdcourse")]
    return found


def parse(name):
    return ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))


def test_the_package_map_names_every_module():
    listed = set(re.findall(r"^    (\w+) {2,}", sgdcourse.grading.__doc__, re.M))
    assert listed == set(MODULES), f"not in the map: {set(MODULES) - listed}; not modules: {listed - set(MODULES)}"


@pytest.mark.parametrize("name", MODULES)
def test_no_course_module_is_imported_inside_a_function(name):
    assert course_imports(parse(name), inside_functions=True) == []


@pytest.mark.parametrize("name", ["wire", "gradebook"])
def test_the_bottom_modules_import_no_other_grading_module(name):
    grading = [
        m
        for _, m in course_imports(parse(name), inside_functions=False)
        if m.startswith(".") and not m.startswith("..") or m.startswith("sgdcourse.grading")
    ]
    assert grading == []


def test_the_scan_sees_what_it_must_refuse():
    """The rules above fail on the imports they forbid (those of wire.py before issue 20)."""
    old = ast.parse(
        "from fractions import Fraction\nfrom .sympytext import x\n"
        "def decode():\n    from .sympytext import from_srepr\n    import json\n"
        "def _placeholder():\n    from ..checking.functions import is_placeholder\n"
    )
    assert course_imports(old, inside_functions=True) == [
        (4, ".sympytext:from_srepr"),
        (7, "..checking.functions:is_placeholder"),
    ]
    assert course_imports(old, inside_functions=False) == [(2, ".sympytext:x")]
