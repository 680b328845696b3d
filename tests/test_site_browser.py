"""The built site (make site) in headless chromium, served from localhost.

Every page loads with no console error and no request leaving localhost, every image
decodes, MathJax typesets every formula without a TeX error, search answers offline, and
each kernel-free slider, moved with the keyboard to both ends and a middle value, shows the
frame and readout that the Python explorer computes for those control values: the lesson
runs in a kernel next to the browser, and the explorer itself is set to each value.
Marker site: make sitetest (after make site); when the test is selected, a missing browser fails it.
"""

import base64
import json
import statistics
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
VIEW = "application/vnd.jupyter.widget-view+json"
pytestmark = pytest.mark.site


def pages():
    return sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html") if "_static" not in p.parts)


class Watched:
    """A page whose console errors, page errors and requests leaving localhost are recorded
    (those requests are also aborted, so nothing reaches the network)."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1300, "height": 900})
        self.page.set_default_timeout(60_000)
        self.errors, self.outside, self.frames = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)

    def _route(self, route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
            if "/_static/frames/" in route.request.url:
                self.frames.append(route.request.url)
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.page.close()


@pytest.mark.parametrize("rel", pages() if SITE.is_dir() else ["index.html"])
def test_page_loads_offline_with_images_and_math(server, watched, rel):
    page = watched.page
    page.goto(server + rel, wait_until="load")
    page.wait_for_load_state("networkidle")
    has_math = page.evaluate("document.querySelectorAll('.math').length")
    if has_math:
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")
        typeset = page.evaluate("document.querySelectorAll('mjx-container').length")
        assert typeset >= has_math, f"{rel}: {typeset} of {has_math} formulas typeset"
        assert page.evaluate("document.querySelectorAll('mjx-merror').length") == 0, f"{rel}: a TeX error"
    broken = page.evaluate("""Promise.all([...document.images].map(img => img.decode().then(
        () => img.naturalWidth > 0 ? null : img.src, () => img.src))).then(r => r.filter(Boolean))""")
    assert broken == [], f"{rel}: images that do not decode: {broken}"
    assert watched.outside == [], f"{rel}: requests leaving localhost: {watched.outside}"
    assert watched.errors == [], f"{rel}: console errors: {watched.errors}"


def test_search_works_offline(server, watched):
    watched.page.goto(server + "search.html?q=momentum", wait_until="load")
    watched.page.wait_for_selector("#search-results li", timeout=30_000)
    hits = watched.page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.getAttribute('href'))")
    assert any("07_momentum" in h for h in hits), hits
    assert watched.outside == [] and watched.errors == []


class Lesson:
    """The lesson run in a kernel, cell by cell, so its explorers can be asked directly."""

    def __init__(self, path):
        from nbclient import NotebookClient

        self.nb = nbformat.read(path, as_version=4)
        self.client = NotebookClient(
            self.nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}}
        )
        self.ctx = self.client.setup_kernel()
        self.ctx.__enter__()
        self.next = 0

    def run_through(self, index):
        """Execute cells up to and including `index`; the model ids of its explorer outputs."""
        while self.next <= index:
            cell = self.nb.cells[self.next]
            if cell.cell_type == "code":
                self.client.execute_cell(cell, self.next)
            self.next += 1
        return [o["data"][VIEW]["model_id"] for o in self.nb.cells[index].outputs if VIEW in o.get("data", {})]

    def explorer_at(self, model_id, values):
        """(encoded PNG, readout) of that explorer set to `values`, through its public API."""
        code = (
            f"import base64, json, sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom website.frames import encode\n"
            f"from sgdcourse.explorers.base import Explorer\n"
            f"_e = Explorer.shown_as({model_id!r}); _before = _e.values()\n"
            f"_e.set(**json.loads({json.dumps(values)!r}))\n"
            f"print(json.dumps([base64.b64encode(encode(_e.shown_png)).decode(), _e.text])); _e.set(**_before)"
        )
        cell = nbformat.v4.new_code_cell(code)
        self.client.execute_cell(cell, self.next)
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
        assert text, cell.outputs
        png, readout = json.loads(text.strip().splitlines()[-1])
        return base64.b64decode(png), readout

    def close(self):
        self.ctx.__exit__(None, None, None)


LESSONS = sorted(
    p for folder in ("notebooks", "exercises") for p in (ROOT / folder).glob("*.ipynb") if f'"{VIEW}"' in p.read_text()
)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_sliders_show_the_explorers_own_frames(server, watched, path):
    page = watched.page
    page.goto(server + f"{path.parent.name}/{path.stem}.html", wait_until="load")
    blocks = page.locator(".sgd-frames")
    stored = [
        (i, j)
        for i, c in enumerate(nbformat.read(path, as_version=4).cells)
        if c.cell_type == "code"
        for j, o in enumerate(c.get("outputs", []))
        if VIEW in o.get("data", {})
    ]
    assert blocks.count() == len(stored) > 0, "one kernel-free control per explorer output"
    page.wait_for_load_state("networkidle")
    opening = {block.locator("img.sgd-frame").get_attribute("src") for block in blocks.all()}
    assert len(set(watched.frames)) == len(opening), "before a control is touched, only the opening frames load"
    lesson, timings, checked = Lesson(path), [], 0
    try:
        for n, (cell_index, _) in enumerate(stored):
            ids = lesson.run_through(cell_index)
            model_id = ids[[j for i, j in stored if i == cell_index].index(stored[n][1])]
            block = blocks.nth(n)
            block.scroll_into_view_if_needed()
            data = json.loads(block.locator('script[type="application/json"]').text_content())
            controls = data["controls"]
            sizes = [len(c["labels"]) for c in controls]
            for j, c in enumerate(controls):
                control = block.locator(f'[data-control="{j}"]')
                ends = [0, 1] if c["kind"] == "checkbox" else [0, sizes[j] - 1, (sizes[j] - 1) // 2]
                for target in ends:
                    if c["kind"] == "checkbox":
                        control.set_checked(bool(target))
                    else:
                        control.focus()
                        page.keyboard.press("Home")
                        if target == sizes[j] - 1:
                            page.keyboard.press("End")
                        else:
                            for _ in range(target):
                                page.keyboard.press("ArrowRight")
                    index = [
                        int(
                            block.locator(f'[data-control="{i}"]').evaluate(
                                "e => e.type === 'checkbox' ? (e.checked ? 1 : 0) : Number(e.value)"
                            )
                        )
                        for i in range(len(controls))
                    ]
                    assert index[j] == target
                    k = 0
                    for i, size in zip(index, sizes):
                        k = k * size + i
                    block.locator(f'xpath=self::*[@data-shown="{k}"]').wait_for()
                    values = {ctl["name"]: ctl["values"][i] for ctl, i in zip(controls, index)}
                    png, readout = lesson.explorer_at(model_id, values)
                    src = block.locator("img.sgd-frame").evaluate("img => img.src")
                    shown = (SITE / urlparse(src).path.lstrip("/")).read_bytes()
                    assert shown == png, f"{path.stem} {values}: the frame is not the explorer's picture"
                    assert block.locator(".sgd-readout").text_content() == readout, values
                    assert block.locator("img.sgd-frame").evaluate("img => img.complete && img.naturalWidth > 0")
                    if c["kind"] != "checkbox":
                        assert block.locator(f'[data-label="{j}"]').text_content() == c["labels"][target]
                    timings.append(float(block.get_attribute("data-ms") or "nan"))
                    checked += 1
                # back to where it started, for the next control
                if c["kind"] == "checkbox":
                    control.set_checked(bool(c["index"]))
                else:
                    control.focus()
                    page.keyboard.press("Home")
                    for _ in range(c["index"]):
                        page.keyboard.press("ArrowRight")
    finally:
        lesson.close()
    assert checked >= 3 * len(stored)
    assert watched.outside == [] and watched.errors == []
    median = statistics.median(timings)
    print(f"{path.stem}: {checked} slider positions checked, median {median:.1f} ms input to new image")
    assert median <= 60, f"median {median:.1f} ms from a slider step to the new image (target 60 ms)"
