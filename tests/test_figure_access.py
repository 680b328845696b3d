"""Every figure the course stores says what it shows: alt text, read from the output's metadata.

A figure is an `image/png` output. `plots.show(fig, alt)` and an explorer's own display store
its alt text as `{"image/png": {"alt": ...}}` in the output's metadata, where JupyterLab and
nbconvert's templates look for it. For every figure of notebooks/, solutions/ and exercises/:
the alt is a sentence (at least MIN_WORDS words, with letters), not a file name or path, not
nbconvert's placeholder "No description has been provided for this image", not the Explorer
base class's generic `shows`; and no two figures of one notebook share an alt. The checks are
also run on a crafted notebook with each fault, so that each can be seen to fire.

nbconvert: the classic template writes the stored alt into `<img alt=...>`; this is checked
in-process, offline, on one small lesson. (nbconvert 7.17's default `lab` template ignores
the metadata and writes its placeholder: see the note on LAB_TEMPLATE_NOTE below.)
Marker notebooks (they read stored notebooks): make test and make notebooks run them.
"""

from __future__ import annotations

import copy
import html
import json
import re

import nbformat
import pytest
from nbconvert import HTMLExporter

from helpers import ROOT
from sgdcourse.explorers.base import Explorer

pytestmark = pytest.mark.notebooks
FOLDERS = ("notebooks", "solutions", "exercises")
NOTEBOOKS = sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
MIN_WORDS = 4
PLACEHOLDER = "No description has been provided for this image"
FILE_NAME = re.compile(r"(^|[\s/])[\w.-]+\.(png|jpe?g|svg|gif)\b|^\.{0,2}/|_images/", re.I)
IMG_ALT = re.compile(r"<img\b[^>]*?\balt=\"([^\"]*)\"")
LAB_TEMPLATE_NOTE = (
    "nbconvert's default template (lab) never reads output metadata alt: its data_png block "
    "writes no alt, and HTMLExporter.from_notebook_node then gives every <img> without one "
    f"the placeholder {PLACEHOLDER!r}; only the classic template reads it"
)


def figure_outputs(nb):
    """(cell index, output) of every image/png output of a notebook (a dict), in order."""
    for k, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                yield k, out


def alt_of(out):
    return (out.get("metadata") or {}).get("image/png", {}).get("alt")


def alt_problems(nb):
    """What is wrong with the alt texts of a notebook's figures: a list of messages, empty if nothing."""
    problems, seen = [], {}
    for k, out in figure_outputs(nb):
        alt, where = alt_of(out), f"cell {k}"
        if not isinstance(alt, str) or not alt.strip():
            problems.append(f"{where}: no alt text in the output metadata (display it with plots.show(fig, alt))")
            continue
        words = re.findall(r"[^\W\d_]{2,}", alt)
        if len(alt.split()) < MIN_WORDS or len(words) < MIN_WORDS - 1:
            problems.append(f"{where}: alt {alt!r} is not a sentence ({MIN_WORDS} words or more)")
        if FILE_NAME.search(alt):
            problems.append(f"{where}: alt {alt!r} names a file or path, not what the figure shows")
        if PLACEHOLDER.lower() in alt.lower():
            problems.append(f"{where}: alt is nbconvert's placeholder")
        if alt.startswith(Explorer.shows):
            problems.append(f"{where}: alt is the Explorer base class's generic text, not what this explorer shows")
        if alt in seen:
            problems.append(f"{where}: alt {alt!r} is the same as cell {seen[alt]}'s")
        seen.setdefault(alt, k)
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_figure_has_alt_text_that_says_what_it_shows(path):
    problems = alt_problems(json.loads(path.read_text()))
    assert not problems, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(problems)


def _notebook(*alts):
    """A notebook with one figure output per alt (None: no alt metadata)."""
    nb = nbformat.v4.new_notebook()
    for alt in alts:
        cell = nbformat.v4.new_code_cell("plots.show(fig, alt)")
        meta = {} if alt is None else {"image/png": {"alt": alt}}
        cell.outputs = [
            nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "f"}, metadata=meta)
        ]
        nb.cells.append(cell)
    return nb


GOOD = ("Loss against step t falls on a log scale.", "Two paths cross the contour lines towards the star.")


@pytest.mark.parametrize(
    "bad, complaint",
    [
        (None, "no alt text"),
        ("", "no alt text"),
        ("loss curve", "not a sentence"),
        ("../_images/3f9a0c1b.png", "names a file"),
        ("Figure saved as figures/loss_curve.png for the site.", "names a file"),
        (PLACEHOLDER, "placeholder"),
        (Explorer.shows + " Now: eta = 0.1", "generic text"),
        (GOOD[0], "the same as cell 0"),
    ],
)
def test_the_alt_checks_fire_on_each_fault(bad, complaint):
    assert alt_problems(_notebook(*GOOD)) == []
    problems = alt_problems(_notebook(*GOOD, bad))
    assert any(complaint in p for p in problems), problems


def _smallest_lesson_with_figures():
    lessons = [p for p in NOTEBOOKS if p.parent.name == "notebooks" and any(figure_outputs(json.loads(p.read_text())))]
    return min(lessons, key=lambda p: p.stat().st_size)


def test_nbconvert_html_carries_each_figures_alt(offline):
    """The classic template writes each figure's stored alt into its <img>, in order (one small lesson)."""
    path = _smallest_lesson_with_figures()
    nb = json.loads(path.read_text())
    stored = [alt_of(out) for _, out in figure_outputs(nb)]
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4))
    shown = [html.unescape(a) for a in IMG_ALT.findall(body)]
    assert shown == stored, f"{path.name}: the export's alts {shown} are not the stored ones {stored}"
    # the same check sees a figure that lost its alt
    lost = copy.deepcopy(nb)
    next(figure_outputs(lost))[1]["metadata"] = {}
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(nbformat.reads(json.dumps(lost), as_version=4))
    assert [html.unescape(a) for a in IMG_ALT.findall(body)] != stored
