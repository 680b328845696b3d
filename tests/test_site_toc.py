"""The website's table of contents is the folders' contents, in course order: each lesson of
notebooks/ followed by its exercise notebook, by lesson number, then the appendices (the glossary),
every notebook exactly once.
Marker website: the site builder's code, without a built site (make test, not make unit)."""

import re
from pathlib import Path

import pytest

from sgdcourse import layout
from website import build as site_build

pytestmark = pytest.mark.website
ROOT = Path(__file__).resolve().parent.parent


def test_toc_lists_every_lesson_and_exercise_once_in_order():
    order = site_build.table_of_contents()
    wanted = {f"{folder}/{p.name}" for folder in ("notebooks", "exercises") for p in (ROOT / folder).glob("*.ipynb")}
    assert sorted(order) == sorted(wanted) and len(order) == len(set(order))
    appendices = [f"notebooks/{name}" for name in layout.APPENDICES]
    assert order[-1] == "notebooks/glossary.ipynb" and set(appendices) <= set(order)
    numbered = [rel for rel in order if rel not in appendices]
    assert order == numbered + appendices, "the appendices come after the last lesson"
    keys = [(int(re.match(r"\w+/(\d\d)_", rel).group(1)), rel.startswith("exercises/")) for rel in numbered]
    assert keys == sorted(keys), "not lesson 01, exercises 01, lesson 02, ..."


def test_landing_page_toctree_is_that_order():
    page = site_build.landing_page(site_build.table_of_contents())
    entries = re.search(r"```\{toctree\}\n(?::.*\n)*\n(.*?)\n```", page, re.S).group(1).split("\n")
    assert entries == [rel[: -len(".ipynb")] for rel in site_build.table_of_contents()]


def make(root, lessons, exercises):
    for folder, names in (("notebooks", lessons), ("exercises", exercises)):
        (root / folder).mkdir()
        for name in names:
            (root / folder / name).write_text("{}")


def test_toc_refuses_an_exercise_without_its_lesson(tmp_path):
    make(tmp_path, ["01_a.ipynb"], ["01_a.ipynb", "02_b.ipynb"])
    with pytest.raises(ValueError, match="02_b"):
        site_build.table_of_contents(tmp_path)


def test_toc_refuses_an_unnumbered_notebook(tmp_path):
    make(tmp_path, ["01_a.ipynb", "intro.ipynb"], [])
    with pytest.raises(ValueError, match="intro"):
        site_build.table_of_contents(tmp_path)


def test_toc_refuses_a_glossary_among_the_exercises(tmp_path):
    make(tmp_path, ["01_a.ipynb", "glossary.ipynb"], ["glossary.ipynb"])
    with pytest.raises(ValueError, match="glossary"):
        site_build.table_of_contents(tmp_path)


def test_toc_puts_the_glossary_after_the_last_lesson(tmp_path):
    make(tmp_path, ["glossary.ipynb", "02_b.ipynb", "01_a.ipynb"], ["01_a.ipynb"])
    assert site_build.table_of_contents(tmp_path) == [
        "notebooks/01_a.ipynb",
        "exercises/01_a.ipynb",
        "notebooks/02_b.ipynb",
        "notebooks/glossary.ipynb",
    ]


def test_toc_puts_a_new_lesson_in_its_place(tmp_path):
    make(tmp_path, ["02_b.ipynb", "01_a.ipynb", "10_z.ipynb"], ["02_b.ipynb"])
    assert site_build.table_of_contents(tmp_path) == [
        "notebooks/01_a.ipynb",
        "notebooks/02_b.ipynb",
        "exercises/02_b.ipynb",
        "notebooks/10_z.ipynb",
    ]
