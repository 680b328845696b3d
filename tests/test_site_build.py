"""The built site (make site), read as files: every lesson and exercise has its page in
course order, each page shows one image per figure of its notebook, each explorer's control
opens on the state the notebook stored, nothing is loaded from another host, and the site
keeps within the budget the README states (with the README's figures). Marker site: make sitetest."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from sgdcourse import layout
from website import build as site_build

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
VIEW = "application/vnd.jupyter.widget-view+json"
IMAGES = ("image/png", "image/jpeg", "image/svg+xml")
pytestmark = pytest.mark.site

ORDER = site_build.table_of_contents()
MB = 1e6
BUDGET_PAGE_MB, BUDGET_SITE_MB = 10, 40  # the README's budget


@pytest.fixture(scope="module")
def report():
    path = SITE / "site-report.json"
    if not path.is_file():
        pytest.fail("no site: run make site first (make sitetest does)")
    return json.loads(path.read_text())


def html(rel):
    return (SITE / Path(rel).with_suffix(".html")).read_text()


def body(text):
    return text.split("<main", 1)[1].split("</main>", 1)[0]


def test_every_notebook_has_its_page_in_order(report):
    assert list(report["pages"]) == ORDER
    landing = html("index.md")
    links = re.findall(r'href="((?:notebooks|exercises)/[\w-]+)\.html"', body(landing))
    assert list(dict.fromkeys(links)) == [rel[: -len(".ipynb")] for rel in ORDER]


@pytest.mark.parametrize("rel", ORDER)
def test_page_has_one_image_per_figure(rel):
    nb = nbformat.read(ROOT / rel, as_version=4)
    figures = sum(1 for c in nb.cells for o in c.get("outputs", []) if any(k in o.get("data", {}) for k in IMAGES))
    page = body(html(rel)).split('<article class="bd-article">', 1)[1]  # not the theme's buttons (Binder's logo)
    imgs = re.findall(r"<img\b[^>]*>", page)
    assert len(imgs) == figures, f"{rel}: {len(imgs)} images for {figures} figures"
    for tag in imgs:
        src = re.search(r'src="([^"]+)"', tag).group(1)
        assert (SITE / Path(rel).parent / src).resolve().is_file(), src


@pytest.mark.parametrize("rel", ORDER)
def test_explorer_controls_open_on_the_stored_state(rel):
    nb = nbformat.read(ROOT / rel, as_version=4)
    stored = [
        "".join(o["data"]["text/plain"]) for c in nb.cells for o in c.get("outputs", []) if VIEW in o.get("data", {})
    ]
    blocks = re.findall(r'<div class="sgd-frames".*?<script type="application/json">(.*?)</script>', html(rel), re.S)
    assert len(blocks) == len(stored)
    for text, block in zip(stored, blocks):
        data = json.loads(block)
        k = 0
        for c in data["controls"]:
            k = k * len(c["labels"]) + c["index"]
        # the stored output's text is repr(explorer): "Type(values): readout"
        assert text.endswith(": " + data["texts"][k]), (text, data["texts"][k])
        assert len(data["texts"]) == __import__("math").prod(len(c["labels"]) for c in data["controls"])


def test_nothing_is_loaded_from_another_host():
    for page in SITE.rglob("*.html"):
        text = page.read_text()
        for tag in re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", text):
            ref = re.search(r'\b(?:src|href)="([^"]*)"', tag)
            if ref and not tag.startswith("<a"):
                assert not re.match(r"(https?:)?//", ref.group(1)), f"{page.name}: {tag}"
        if 'class="math' in text:  # MathJax from the site itself (conf.py's mathjax_path)
            mathjax = re.escape(site_build.site_settings()["mathjax_path"])
            assert re.search(rf'<script[^>]*src="[./]*_static/{mathjax}', text), page.name
    for css in SITE.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text()), css.name
        assert "@import url(http" not in css.read_text()


def test_site_within_budget_and_as_the_readme_says(report):
    readme = (ROOT / "README.md").read_text()
    assert f"{BUDGET_PAGE_MB} MB" in readme and f"{BUDGET_SITE_MB} MB" in readme
    rows = dict(
        (m[0], m[1:])
        for m in re.findall(
            r"^\| (notebooks/\d\d_[\w-]+)\.ipynb \| (\d+) \| (\d+) \| ([\d.]+) \| ([\d.]+) \|$", readme, re.M
        )
    )
    lessons = {rel: p for rel, p in report["pages"].items() if layout.NUMBERED.match(rel.removeprefix("notebooks/"))}
    assert sorted(rows) == sorted(r[: -len(".ipynb")] for r in lessons)
    for rel, p in lessons.items():
        explorers, frames, page_kb, frames_mb = rows[rel[: -len(".ipynb")]]
        assert (int(explorers), int(frames)) == (p["explorers"], p["frames"]), rel
        assert abs(float(page_kb) - p["page_bytes"] / 1e3) <= 0.15 * float(page_kb) + 5, rel
        assert abs(float(frames_mb) - p["frame_bytes"] / MB) <= 0.15 * float(frames_mb) + 0.05, rel
        assert (p["page_bytes"] + p["frame_bytes"]) / MB <= BUDGET_PAGE_MB, rel
    for rel, p in report["pages"].items():  # the exercise pages and the glossary too
        assert (p["page_bytes"] + p["frame_bytes"]) / MB <= BUDGET_PAGE_MB, rel
    assert report["total_bytes"] / MB <= BUDGET_SITE_MB
    total = re.search(r"whole site: ([\d.]+) MB", readme).group(1)
    assert abs(float(total) - report["total_bytes"] / MB) <= 0.15 * float(total)
