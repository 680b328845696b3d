"""The library alone runs a lesson: installed into a fresh venv (no jupyterlab, no nbval),
with a plain kernel (ipykernel, driven by nbclient), every lesson runs without an error and
each explorer comes back with its stored readout and a PNG, and the data set shipped as package
data loads. This is what a JupyterHub image or any existing kernel gets from `pip install
sgdcourse`. Slow (a venv and an install): marker install, run by make sitetest."""

import json
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.install

RUNNER = r"""
import importlib.util, json, sys
import nbformat
from nbclient import NotebookClient
missing = [name for name in ("jupyterlab", "nbval", "notebook", "jupyter_server") if importlib.util.find_spec(name)]
result = {"present": missing, "lessons": {}}
result["breast_cancer"] = list(__import__("sgdcourse").breast_cancer().X.shape)  # package data shipped
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": "."}}).execute()
    errors = [o.get("ename") for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    views = [(o["data"]["text/plain"], "image/png" in o["data"]) for c in nb.cells if c.cell_type == "code"
             for o in c.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    result["lessons"][path] = {"errors": errors, "views": views}
print(json.dumps(result))
"""


def stored_views(path):
    nb = json.loads(path.read_text())
    return [
        ("".join(o["data"]["text/plain"]), True)
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]


def test_bare_library_runs_every_lesson_in_a_plain_kernel(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "lib", src / "lib", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    pip = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + [str(src), "nbclient", "ipykernel"], check=True, timeout=600)
    lessons = sorted((ROOT / "notebooks").glob("*.ipynb"))
    work = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", work)
    out = subprocess.run(
        [str(py), "-c", RUNNER, *[p.name for p in lessons]], cwd=work, capture_output=True, text=True, timeout=900
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["present"] == [], f"the bare install brought {result['present']}"
    assert result["breast_cancer"] == [569, 30]
    for path in lessons:
        got = result["lessons"][path.name]
        assert got["errors"] == [], f"{path.name}: {got['errors']}"
        assert [tuple(v) for v in got["views"]] == stored_views(path), path.name
