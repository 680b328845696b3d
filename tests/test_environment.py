"""The set-up files agree with each other: the conda environment lists the same runtime
dependencies as pyproject.toml, and CI runs the README's test command.
(Parsed with regular expressions: tomllib only exists from Python 3.11 on.)"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def name_and_bound(spec):
    m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(.*)", spec)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def pyproject_dependencies():
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M).group(1)
    python = re.search(r'^requires-python = "(.*)"', text, re.M).group(1)
    specs = re.findall(r'"([^"]+)"', block)
    # a spec with an environment marker (";") constrains a transitive dependency on some
    # Pythons only; conda resolves those itself, so they are not part of the shared list
    return dict(name_and_bound(s) for s in specs if ";" not in s), python


def conda_dependencies():
    text = (ROOT / "environment.yml").read_text()
    block = text.split("dependencies:", 1)[1]
    return dict(name_and_bound(s) for s in re.findall(r"^  - ([A-Za-z0-9_.-][^\n]*)$", block, re.M) if s != "pip:")


def test_environment_yml_lists_the_pyproject_dependencies():
    wanted, python = pyproject_dependencies()
    conda = conda_dependencies()
    assert conda.pop("python") == python == ">=3.10"
    assert conda.pop("pip") == ""
    assert conda == wanted
    assert set(wanted) == {"jupyterlab", "numpy", "matplotlib", "ipywidgets", "nbval", "sympy"}


def test_ci_and_readme_use_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
