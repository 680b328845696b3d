"""Accessibility of the built site (make site): what a screen reader and axe-core find.

* Every <img> on every page has an alt that says something: not empty, not a path or a file
  name, not nbconvert's placeholder, not an explorer's class name alone. An explorer frame's
  alt is what the explorer shows plus its readout, as the library's Explorer.alt says it.
* Every kernel-free slider carries aria-valuetext equal to the value shown beside it, in the
  page as built and after a keyboard step; the readout is a polite live region whose text
  follows the slider.
* axe-core (vendored by make, build/vendor/axe-core-<AXE_VERSION>/) finds no serious or
  critical violation on the landing page, every lesson, every exercise and the glossary at
  1366x900, and on one page of each kind at 390x844 (PHONE_PAGES), once MathJax has typeset the page.

Marker site (make sitetest, after make site; a missing browser or axe-core fails the run). The
tests with marker website check the builder's code without a built site (make test): the
control's HTML, and how a page notebook carries each figure's alt to the place myst-nb reads.
"""

import base64
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
AXE_VERSION = re.search(r"^AXE_VERSION\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
AXE = ROOT / "build" / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
NBCONVERT_PLACEHOLDER = "no description has been provided"


# -- reading pages ---------------------------------------------------------------------------
class Tags(HTMLParser):
    """Every start tag of a page as (tag, {attribute: value}) with entities decoded, and the
    text of the elements of class sgd-readout and of the JSON scripts, in page order."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.texts, self._into = [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        self.tags.append((tag, attrs))
        if tag == "script" and attrs.get("type") == "application/json" or "sgd-readout" in attrs.get("class", ""):
            self._into = [tag, ""]

    def handle_data(self, data):
        if self._into:
            self._into[1] += data

    def handle_endtag(self, tag):
        if self._into and tag == self._into[0]:
            self.texts.append(tuple(self._into))
            self._into = None


def alt_problem(alt, class_names=(), figure=True):
    """Why an alt does not describe an image (None when it does). A figure's alt (a lesson's or
    an explorer's picture, not the theme's icons) must also say something: 3 words or more."""
    if alt is None:
        return "no alt attribute"
    text = alt.strip()
    if not text:
        return "empty alt"
    words = text.split()
    if any(re.search(r"\.(png|jpe?g|svg|gif)\b", w, re.I) for w in words):
        return "names an image file"
    if len(words) == 1 and "/" in text or re.search(r"(^|\s)\.{0,2}/?_(images|static)/", text):
        return "is a path"
    if NBCONVERT_PLACEHOLDER in text.lower():
        return "is nbconvert's placeholder"
    if text in class_names or re.fullmatch(r"[A-Z]\w*", text):
        return "is a class name alone"
    if figure and len(words) < 3:
        return "too short to say what the image shows"
    return None


def is_figure(src):
    """Is this <img> a course figure (a notebook's output or an explorer frame), not theme chrome?"""
    return bool(re.search(r"(^|/)(_images|_static/figures|_static/frames)/", src))


def one_line(text):
    return " ".join(text.split())


def site_pages():
    return sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html") if "_static" not in p.parts)


def course_pages():
    """The landing page, every lesson, every exercise and the glossary (the site's own order)."""
    from website import build as site_build

    return ["index.html"] + [Path(rel).with_suffix(".html").as_posix() for rel in site_build.table_of_contents()]


# -- marker website: the builder's code ------------------------------------------------------
def parse_control(markup):
    tags = Tags(markup)
    data = json.loads(next(t for kind, t in tags.texts if kind == "script"))
    readout = next(t for kind, t in tags.texts if kind == "pre")
    return tags.tags, data, readout


@pytest.mark.website
def test_control_html_says_values_and_alt_as_the_explorer_does(tmp_path):
    from sgdcourse.explorers.variance import BatchVarianceExplorer
    from website import build as site_build
    from website import frames

    rng = np.random.default_rng(1)
    explorer = BatchVarianceExplorer(rng.standard_normal(30), rng=rng, draws=200, sizes=range(1, 5))
    explorer.set(m=3, replace=True)
    manifest = frames.render(explorer, tmp_path)
    assert manifest["shows"] == explorer.shows
    tags, data, readout = parse_control(site_build.control_html(manifest, "f/"))
    ranges = [a for t, a in tags if t == "input" and a.get("type") == "range"]
    outputs = [a for t, a in tags if t == "output"]
    assert len(ranges) == 1 and len(outputs) == 1
    labels = manifest["controls"][0]["labels"]
    assert ranges[0]["aria-valuetext"] == labels[int(ranges[0]["value"])] == "3"  # m = 3, not index 2
    assert outputs[0].get("aria-live") == "off"  # the slider says its value; the label beside it is not spoken again
    pre = next(a for t, a in tags if t == "pre")
    assert pre.get("aria-live") == "polite" and pre.get("role") == "status" and pre.get("aria-atomic") == "true"
    assert readout == explorer.text
    img = next(a for t, a in tags if t == "img")
    assert img["alt"] == explorer.alt and alt_problem(img["alt"]) is None  # the library's own alt
    assert data["shows"] == explorer.shows  # what frames.js builds each frame's alt from
    for k, (m, replace) in enumerate((m, r) for m in range(1, 5) for r in (False, True)):
        explorer.set(m=m, replace=replace)
        assert site_build.frame_alt(manifest, k) == explorer.alt


def notebook_with_figures(path):
    """A notebook of four code cells: one figure with alt; two figures with two alts; one figure
    without alt; two figures with one alt. The PNGs are tiny and distinct."""
    from PIL import Image

    def png(v):
        buf = io.BytesIO()
        Image.new("RGB", (4, 4), (v, v, v)).save(buf, format="png")
        return base64.b64encode(buf.getvalue()).decode()

    def figure(v, alt=None):
        meta = {"image/png": {"alt": alt}} if alt else {}
        return nbformat.v4.new_output(
            "display_data", data={"image/png": png(v), "text/plain": "<Figure>"}, metadata=meta
        )

    cells = [
        (figure(10, "Loss against step for three learning rates."),),
        (
            figure(20, "Histogram of the final iterate for m equal to one."),
            figure(30, "The same for m = 16, narrower."),
        ),
        (figure(40),),
        (
            figure(50, "Two panels of the same run, side by side."),
            figure(60, "Two panels of the same run, side by side."),
        ),
    ]
    nb = nbformat.v4.new_notebook()
    for outputs in cells:
        cell = nbformat.v4.new_code_cell("show()")
        cell.outputs = list(outputs)
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return nb


@pytest.mark.website
def test_page_notebook_puts_each_figures_alt_where_mystnb_reads_it(tmp_path):
    from website import build as site_build

    notebook_with_figures(tmp_path / "lesson.ipynb")
    page = site_build.page_notebook(tmp_path / "lesson.ipynb", {}, "../frames/", tmp_path / "figs", "../figs/")
    one, two, none, same = page.cells
    assert one.metadata["mystnb"]["image"]["alt"] == "Loss against step for three learning rates."
    assert same.metadata["mystnb"]["image"]["alt"] == "Two panels of the same run, side by side."
    assert "mystnb" not in none.metadata and "image/png" in none.outputs[0]["data"]  # left for the site test to catch
    assert "mystnb" not in two.metadata  # one alt for both would be wrong for one of them
    imgs = [Tags(o["data"]["text/html"]).tags[0][1] for o in two.outputs]
    assert [a["alt"] for a in imgs] == [
        "Histogram of the final iterate for m equal to one.",
        "The same for m = 16, narrower.",
    ]
    for a, o in zip(imgs, notebook_with_figures(tmp_path / "again.ipynb").cells[1].outputs):
        assert a["src"].startswith("../figs/")
        assert (tmp_path / "figs" / a["src"].removeprefix("../figs/")).read_bytes() == base64.b64decode(
            o["data"]["image/png"]
        )
    with pytest.raises(ValueError, match="figures_dir"):
        site_build.page_notebook(tmp_path / "lesson.ipynb", {}, "../frames/")


# -- marker site: myst-nb itself, then the built site -----------------------------------------
@pytest.mark.site
def test_mystnb_writes_the_carried_alt_into_the_img(tmp_path):
    """The page notebook of test_page_notebook_... built by Sphinx and myst-nb (the site's
    versions, a bare configuration): each figure's <img> has its own alt."""
    from website import build as site_build

    src = tmp_path / "src"
    (src / "_static").mkdir(parents=True)
    notebook_with_figures(tmp_path / "lesson.ipynb")
    figures = src / "_static" / "figs"
    nbformat.write(
        site_build.page_notebook(tmp_path / "lesson.ipynb", {}, "", figures, "_static/figs/"), src / "lesson.ipynb"
    )
    (src / "index.md").write_text("# Test\n\n```{toctree}\nlesson\n```\n")
    (src / "conf.py").write_text(
        'extensions = ["myst_nb"]\nnb_execution_mode = "off"\nhtml_static_path = ["_static"]\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", str(src), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    page = (tmp_path / "out" / "lesson.html").read_text()
    alts = [a.get("alt") for t, a in Tags(page).tags if t == "img"]
    assert alts[:3] == [
        "Loss against step for three learning rates.",
        "Histogram of the final iterate for m equal to one.",
        "The same for m = 16, narrower.",
    ]
    assert alt_problem(alts[3]) is not None  # no alt stored: docutils falls back to the file's path
    assert alts[4:] == ["Two panels of the same run, side by side."] * 2


@pytest.mark.site
@pytest.mark.parametrize("rel", site_pages() if SITE.is_dir() else ["index.html"])
def test_every_image_has_an_alt_that_says_what_it_shows(rel):
    if not (SITE / "index.html").is_file():
        pytest.fail("no site: run make site first (make sitetest does)")
    parsed = Tags((SITE / rel).read_text())
    blocks = [json.loads(t) for kind, t in parsed.texts if kind == "script"]
    blocks = [b for b in blocks if "texts" in b]
    readouts = [t for kind, t in parsed.texts if kind == "pre"]
    class_names = {b.get("type") for b in blocks} - {None}
    bad = [
        (a.get("src"), a.get("alt"), why)
        for t, a in parsed.tags
        if t == "img" and (why := alt_problem(a.get("alt"), class_names, is_figure(a.get("src", ""))))
    ]
    assert bad == [], f"{rel}: {len(bad)} images whose alt does not say what they show: {bad}"
    frames = [a for t, a in parsed.tags if t == "img" and "sgd-frame" in a.get("class", "")]
    assert len(frames) == len(blocks) == len(readouts)
    for img, block, readout in zip(frames, blocks, readouts):
        assert img["alt"] == f"{block['shows']} Now: {one_line(readout)}", rel


# -- marker site: in the browser --------------------------------------------------------------
def open_page(browser, server, rel, viewport):
    """The page loaded, with MathJax done; a request to any other host is aborted."""
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(60_000)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server) else r.abort())
    page.goto(server + rel, wait_until="load")
    page.wait_for_load_state("networkidle")
    if page.evaluate("document.querySelectorAll('.math').length"):
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")
    return page


SLIDER_PAGES = [p for p in (course_pages() if SITE.is_dir() else []) if 'class="sgd-frames"' in (SITE / p).read_text()]


@pytest.mark.site
@pytest.mark.parametrize("rel", SLIDER_PAGES or ["notebooks/none.html"])
def test_sliders_say_their_values_and_the_readout_is_live(server, browser, rel):
    page = open_page(browser, server, rel, VIEWPORTS["desktop"])
    try:
        blocks = page.locator(".sgd-frames")
        assert blocks.count() > 0, f"{rel}: no kernel-free slider"
        moved = 0
        for n in range(blocks.count()):
            block = blocks.nth(n)
            block.scroll_into_view_if_needed()
            data = json.loads(block.locator('script[type="application/json"]').text_content())
            readout = block.locator(".sgd-readout")
            assert readout.get_attribute("aria-live") == "polite" and readout.get_attribute("role") == "status"
            sizes = [len(c["labels"]) for c in data["controls"]]
            readout_changed = False
            for j, c in enumerate(data["controls"]):
                if c["kind"] != "range":
                    continue
                slider, label = block.locator(f'[data-control="{j}"]'), block.locator(f'[data-label="{j}"]')
                assert slider.get_attribute("aria-valuetext") == label.text_content() == c["labels"][c["index"]]
                before = readout.text_content()
                slider.focus()
                page.keyboard.press("ArrowLeft" if c["index"] == sizes[j] - 1 else "ArrowRight")
                index = [
                    int(
                        block.locator(f'[data-control="{i}"]').evaluate(
                            "e => e.type === 'checkbox' ? (e.checked ? 1 : 0) : Number(e.value)"
                        )
                    )
                    for i in range(len(sizes))
                ]
                assert index[j] != c["index"], f"{rel}: {c['name']} did not move"
                k = 0
                for i, size in zip(index, sizes):
                    k = k * size + i
                block.locator(f'xpath=self::*[@data-shown="{k}"]').wait_for()
                shown = c["labels"][index[j]]
                assert slider.get_attribute("aria-valuetext") == label.text_content() == shown, (rel, c["name"])
                assert readout.text_content() == data["texts"][k]
                readout_changed |= readout.text_content() != before
                alt = block.locator("img.sgd-frame").get_attribute("alt")
                assert alt == f"{data['shows']} Now: {one_line(data['texts'][k])}" and alt_problem(alt) is None
                moved += 1
                page.keyboard.press("ArrowRight" if c["index"] == sizes[j] - 1 else "ArrowLeft")  # back
            assert readout_changed, f"{rel}: explorer {n}: no slider step changed the readout"
        assert moved > 0
    finally:
        page.close()


# At phone size the pages share one layout, so axe runs on one page of each kind there (the
# landing page, a lesson with one explorer and one with two, the exercise whose headings once
# overflowed, the glossary), and on every page at desktop size: .ci/run stays within its budget.
PHONE_PAGES = [
    "index.html",
    "notebooks/02_sgd_by_hand.html",
    "notebooks/07_momentum.html",
    "exercises/03_minibatch_logistic.html",
    "notebooks/glossary.html",
]
AXE_RUNS = [(rel, "desktop") for rel in (course_pages() if SITE.is_dir() else ["index.html"])] + [
    (rel, "phone") for rel in PHONE_PAGES
]


@pytest.mark.site
@pytest.mark.parametrize("rel, view", AXE_RUNS)
def test_axe_finds_no_serious_or_critical_violation(server, browser, rel, view):
    assert rel in course_pages(), f"{rel} is not a page of the course"
    if not AXE.is_file():
        pytest.fail(f"no axe-core at {AXE.relative_to(ROOT)}: make {AXE.relative_to(ROOT)} (make sitetest does)")
    page = open_page(browser, server, rel, VIEWPORTS[view])
    try:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "axe.run(document).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, "
            "nodes: v.nodes.map(n => n.target.join(' '))})))"
        )
    finally:
        page.close()
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    report = "\n".join(f"  {v['id']} ({v['impact']}): {v['nodes']}" for v in bad)
    assert not bad, f"{rel} at {view}: axe-core {AXE_VERSION} found\n{report}"
