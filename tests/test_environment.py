"""The set-up files agree with each other: the conda environment lists the library's runtime
dependencies plus its extra `lab` (a learner's environment: no test tool), and pins a Python that
pyproject and the README accept.
(Parsed with regular expressions: tomllib only exists from Python 3.11 on; the readers of
pyproject.toml are in helpers.py. What the Makefile's targets and .ci/run run is
tests/test_tiers.py.)"""

import re

from helpers import ROOT, name_and_bound, pyproject, specs


def conda_dependencies():
    text = (ROOT / "environment.yml").read_text()
    block = text.split("dependencies:", 1)[1]
    return dict(name_and_bound(s) for s in re.findall(r"^  - ([A-Za-z0-9_.-][^\n]*)$", block, re.M) if s != "pip:")


def version(text):
    return tuple(int(p) for p in text.split("."))


def test_library_needs_only_what_a_kernel_needs():
    runtime, lab, _ = pyproject()
    assert set(runtime) == {"numpy", "matplotlib", "ipywidgets", "sympy", "threadpoolctl"}
    assert set(lab) == {"jupyterlab"}


def test_the_test_tools_are_in_the_extra_test_only():
    """make lab installs .[lab] and make test .[lab,test]: a learner gets no test tool."""
    text = (ROOT / "pyproject.toml").read_text()
    test = specs(re.search(r"^test = \[(.*?)^\]", text, re.S | re.M).group(1))
    assert {"pytest", "nbval", "hypothesis", "pytest-xdist", "playwright", "ruff"} <= set(test)
    runtime, lab, _ = pyproject()
    assert not set(test) & (set(runtime) | set(lab))


def test_environment_yml_lists_runtime_and_lab_dependencies():
    runtime, lab, _ = pyproject()
    conda = conda_dependencies()
    conda.pop("python")
    assert conda.pop("pip") == ""
    assert conda == {**runtime, **lab}
    assert re.search(r"^  - pip:\n      - -e \.$", (ROOT / "environment.yml").read_text(), re.M)


def test_environment_yml_pins_a_python_the_project_accepts():
    _, _, lowest = pyproject()
    pin = conda_dependencies()["python"]
    assert re.fullmatch(r"=\d+\.\d+", pin), f"python{pin}: repo2docker reads only python=x.y"
    pinned = version(pin[1:])
    assert pinned >= lowest
    readme = (ROOT / "README.md").read_text()
    stated = re.search(r"Python (\d+\.\d+) or newer", readme).group(1)
    assert pinned >= version(stated) == lowest
    # the README warns about ipykernel 7 on Python 3.10; the pinned Python must not be that one
    assert pinned >= (3, 11)
