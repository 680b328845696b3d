"""Every static view of a notebook shows every figure, offline.

A figure is an output that stores an image (PNG, JPEG or SVG). nbconvert's HTML export, the
engine behind nbviewer and most static viewers, must show each of them as an image of its
own with no network: stored widget state would make it choose the widget view instead, which
needs a widget manager from a CDN (tools/strip_widget_state.py removes that state).
Marker notebooks: make test and make notebooks run it, make unit does not.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

pytestmark = pytest.mark.notebooks
ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "solutions", "exercises")
NOTEBOOKS = sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
IMG = re.compile(r"<img\b[^>]*\bsrc=\"data:image/(?:png|jpeg);base64,([^\"]+)\"")


def figures(nb):
    """The stored image of each figure output, in order (base64 for PNG and JPEG)."""
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for kind in IMAGE_TYPES:
                if kind in data:
                    value = data[kind]
                    yield "".join(value) if isinstance(value, list) else value
                    break


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_notebook_stores_widget_state(path):
    assert "widgets" not in json.loads(path.read_text())["metadata"], (
        f"{path.name} stores widget state: run python tools/strip_widget_state.py {path.relative_to(ROOT)}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_nbconvert_html_has_one_image_per_figure(path, offline):
    nb = json.loads(path.read_text())
    wanted = [f.replace("\n", "") for f in figures(nb)]
    html, _ = HTMLExporter().from_filename(str(path))
    shown = [m.replace("\n", "") for m in IMG.findall(html)]
    assert len(re.findall(r"<img\b", html)) == len(wanted), "an image that is no figure, or a figure without an image"
    assert shown == wanted, f"{path.name}: {len(shown)} of its {len(wanted)} figures shown, or in another order"


def test_the_count_sees_a_lost_figure(tmp_path, offline):
    """Put widget state back into a lesson with an explorer: the export loses that figure."""
    path = next(p for p in NOTEBOOKS if '"application/vnd.jupyter.widget-view+json"' in p.read_text())
    nb = json.loads(path.read_text())
    views = [
        out["data"]["application/vnd.jupyter.widget-view+json"]
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]
    state = {
        v["model_id"]: {
            "model_name": "VBoxModel",
            "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0",
            "state": {},
        }
        for v in views
    }
    nb["metadata"]["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0, "state": state}
    }
    html, _ = HTMLExporter().from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4))
    assert len(IMG.findall(html)) == len(list(figures(nb))) - len(views)


def test_strip_script_removes_state_and_nothing_else(tmp_path):
    nb = {
        "cells": [{"cell_type": "code", "source": "1", "outputs": [], "metadata": {}, "execution_count": 1}],
        "metadata": {"kernelspec": {"name": "python3"}, "widgets": {"x": 1}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(nb))
    script = [sys.executable, str(ROOT / "tools" / "strip_widget_state.py")]
    assert subprocess.run(script + ["--check", str(path)], capture_output=True).returncode == 1
    assert subprocess.run(script + [str(path)], capture_output=True).returncode == 0
    nb["metadata"].pop("widgets")
    assert json.loads(path.read_text()) == nb
    assert subprocess.run(script + ["--check", str(path)], capture_output=True).returncode == 0
