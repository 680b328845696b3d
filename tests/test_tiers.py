"""The test tiers are markers, and markers alone choose them.

Every pytest command of every Makefile target is read from `make -n` (what make would run), and
every test of the suite is collected once, with its markers and without any selection. Then:
each command names whole folders and a marker expression (no file, no folder of slow tests, no
environment variable); make test runs no slow marker and the same tests as a plain `pytest`;
each slow marker runs in its own target and nowhere else; make unit runs no notebook, kernel,
browser or site; and the targets that .ci/run runs, together, run every test of the suite.
An expression is evaluated by pytest's own evaluator of -m, so nothing here re-implements it.

One more rule of the suite's layout is checked here: no test module imports another test module
(what several share lives in tests/helpers.py, and fixtures in tests/conftest.py).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys

import pytest
from _pytest.mark.expression import Expression  # what `pytest -m EXPRESSION` evaluates

from helpers import ROOT

TARGETS = ("test", "unit", "notebooks", "slowtest", "browser", "export-test", "sitetest", "docs-test")
CHECKS = ("lint",)  # targets of .ci/run that run no test (ruff)
SLOW = {
    "kernel": "slowtest",
    "slowclaim": "slowtest",
    "browser": "browser",
    "export": "export-test",
    "site": "sitetest",
    "install": "sitetest",
    "docs": "docs-test",
}  # each slow marker, and the one target that runs it
FOLDERS = ("tests", "notebooks", "solutions", "exercises")
OWN_MARKER = {  # the slow test files, each selected by its marker (the folder tests/slow included)
    "tests/slow/": "kernel",
    "tests/test_browser.py": "browser",
    "tests/test_export_tools.py": "export",
    "tests/test_site_build.py": "site",
    "tests/test_site_browser.py": "site",
    "tests/test_bare_install.py": "install",
    "tests/test_grade_install.py": "install",
    "tests/test_binder.py": "install",
    "tests/test_lab_start.py": "browser",
    "tests/test_docs_commands.py": "docs",
}
DUMP = """import json
def pytest_collection_finish(session):
    rows = [[i.nodeid, sorted({m.name for m in i.iter_markers()}), hasattr(i, "cell")] for i in session.items]
    print("TIERS-JSON " + json.dumps(rows))
"""


def pytest_commands(target):
    """[argument list] of each `python -m pytest ...` that `make target` runs (make -n -B prints every
    command of the target and of what it depends on, and runs none)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}  # not make test's
    printed = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return [shlex.split(line) for line in printed.splitlines() if re.search(r"\s-m pytest\s", line)]


def selection(args):
    """(marker expression, folders, collects notebooks?) of a pytest argument list."""
    expression, folders, options = None, [], iter(args[3:])  # after: python -m pytest
    for arg in options:
        if arg == "-m":
            expression = next(options)
        elif arg in ("-n", "--dist", "--nbval-sanitize-with", "-p", "-c"):
            next(options)
        elif not arg.startswith("-"):
            folders.append(arg)
    return expression, folders, "--nbval" in args


@pytest.fixture(scope="module")
def targets():
    return {target: [selection(args) for args in pytest_commands(target)] for target in TARGETS}


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """[(node id, markers, an nbval cell?)] of every test of the suite, nothing deselected."""
    plugin = tmp_path_factory.mktemp("plugin")
    (plugin / "tiers_dump.py").write_text(DUMP)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(plugin), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-m",
            "",
            "-p",
            "tiers_dump",
            "--nbval",
            "--nbval-current-env",
            *FOLDERS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("TIERS-JSON ")), None)
    assert done.returncode == 0 and line, done.stdout[-3000:] + done.stderr[-3000:]
    return [(nodeid, set(markers), cell) for nodeid, markers, cell in json.loads(line.split(" ", 1)[1])]


def runs(target_selections, nodeid, markers, cell):
    """Whether any pytest command of a target runs this test."""
    return any(
        nodeid.split("/")[0] in folders
        and (collects_notebooks or not cell)
        and Expression.compile(expression).evaluate(lambda name, **kw: name in markers)
        for expression, folders, collects_notebooks in target_selections
    )


def runners(targets, test):
    return {target for target, selections in targets.items() if runs(selections, *test)}


def test_every_target_chooses_by_marker_over_whole_folders(targets):
    for target in TARGETS:
        commands = pytest_commands(target)
        assert commands, f"make {target} runs no pytest"
        for args in commands:
            assert args[0].endswith("python") and args[1:3] == ["-m", "pytest"], (
                f"make {target}: {shlex.join(args[:3])}: nothing but the interpreter comes before pytest"
            )
            expression, folders, _ = selection(args)
            assert expression, f"make {target} runs pytest without -m"
            assert folders and set(folders) <= set(FOLDERS), f"make {target} names {folders}, not whole folders"


def test_make_test_runs_what_a_plain_pytest_runs_and_no_slow_marker(targets, suite, pytestconfig):
    options = pytestconfig.getini("addopts")
    default = [(options[options.index("-m") + 1], ["tests"], False)]  # pytest with no -m and no folder
    for test in suite:
        if test[0].startswith("tests/"):
            assert runs(targets["test"], *test) == runs(default, *test), test[0]
    assert not any(runs(targets["test"], *test) for test in suite if test[1] & set(SLOW))


def test_each_slow_marker_runs_in_its_own_target_only(targets, suite):
    for nodeid, markers, cell in suite:
        slow = markers & set(SLOW)
        if slow:
            assert runners(targets, (nodeid, markers, cell)) == {SLOW[m] for m in slow}, nodeid


def test_make_unit_is_the_library_without_notebooks_kernels_browsers_or_site(targets, suite):
    not_library = set(SLOW) | {"notebooks", "website"}
    unit = [test for test in suite if runs(targets["unit"], *test)]
    assert len(unit) > 500
    assert [nodeid for nodeid, markers, cell in unit if cell or markers & not_library] == []
    library = [test for test in suite if test[0].startswith("tests/") and not test[1] & not_library]
    assert all(runs(targets["unit"], *test) for test in library)


def test_notebooks_carry_their_marker_and_run_in_make_test_and_make_notebooks(targets, suite):
    cells = [test for test in suite if test[2]]
    assert {nodeid.split("/")[0] for nodeid, _, _ in cells} == {"notebooks", "solutions", "exercises"}
    for test in cells + [t for t in suite if "notebooks" in t[1]]:
        assert "notebooks" in test[1] and runners(targets, test) == {"test", "notebooks"}, test[0]


def test_the_slow_files_carry_their_marker(suite):
    for prefix, marker in OWN_MARKER.items():
        tests = [(nodeid, markers) for nodeid, markers, _ in suite if nodeid.startswith(prefix)]
        assert tests, f"no test collected from {prefix}"
        assert [nodeid for nodeid, markers in tests if marker not in markers] == []


def test_every_marker_of_the_project_is_placed_and_ci_runs_every_test(targets, suite):
    """pyproject.toml declares exactly the markers placed here (a new one needs its target), each is
    carried by some test, and the targets of .ci/run together run every test of the suite."""
    block = re.search(r"^markers = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), re.S | re.M).group(1)
    declared = set(re.findall(r'^\s*"(\w+):', block, re.M))
    assert declared == set(SLOW) | {"notebooks", "website"}
    assert declared <= set().union(*(markers for _, markers, _ in suite)), "a declared marker no test carries"
    ci = [t for t in re.findall(r"^make ([\w-]+)\s*$", (ROOT / ".ci" / "run").read_text(), re.M) if t not in CHECKS]
    assert set(ci) <= set(TARGETS), f".ci/run runs make {set(ci) - set(TARGETS)}, which this test does not know"
    left = [nodeid for nodeid, markers, cell in suite if not any(runs(targets[t], nodeid, markers, cell) for t in ci)]
    assert left == [], f".ci/run runs none of these: {left[:10]}"


def test_the_evaluation_sees_what_it_must_refuse(targets):
    """The rules above fail on what they forbid: a slow test that make test would run, a file
    outside the folders, and a test no CI target runs."""
    assert runs(targets["test"], "tests/test_x.py::t", set(), False)
    assert not runs(targets["test"], "tests/test_x.py::t", {"kernel"}, False)
    assert runs(targets["slowtest"], "tests/slow/test_x.py::t", {"kernel"}, False)
    assert not runs(targets["unit"], "notebooks/01_a.ipynb::Cell 0", {"notebooks"}, True)
    assert not runs(targets["slowtest"], "elsewhere/test_x.py::t", {"kernel"}, False)
    args = ["python", "-m", "pytest", "-n", "2", "-m", "kernel", "tests/slow"]
    assert selection(args) == ("kernel", ["tests/slow"], False)


def imported_test_modules(source):
    """The test modules (test_*) that a module's source imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and not node.level
            else []
        )
        found |= {n.split(".")[-1] for n in names if n.split(".")[-1].startswith("test_")}
    return found


def test_no_test_module_imports_another():
    assert imported_test_modules(
        "import os\nfrom test_environment import pyproject\ndef f():\n    import tests.test_browser as b\n"
    ) == {"test_environment", "test_browser"}
    assert imported_test_modules("from helpers import ROOT\nfrom claimkit import claim\n") == set()
    modules = [*(ROOT / "tests").rglob("test_*.py"), ROOT / "tests" / "helpers.py", ROOT / "tests" / "conftest.py"]
    found = {
        p.relative_to(ROOT).as_posix(): imported_test_modules(p.read_text(encoding="utf-8"))
        for p in modules
        if "benchmarks" not in p.parts
    }
    assert {name: sorted(imported) for name, imported in found.items() if imported} == {}
