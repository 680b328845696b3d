"""The built site (make site) on a desktop and on a phone, in headless chromium from localhost:
the visible ☰ button opens the list of lessons and the visible contents button the page's
contents; no page is wider than a 390 px phone; explorer frames keep their natural width there;
every lesson and exercise page links to its notebook as stored (downloaded byte for byte) and to
Binder on that notebook; the landing page gives the clone command and the Binder link, both for
the repository website/conf.py names (COURSE_REPOSITORY); the theme versions are the ones the
navigation fix in website/conf.py was written for. No console error, no failed request, nothing
from another host. Marker site: make sitetest (after make site)."""

import importlib.metadata
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from website import build as site_build

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("SITE_UNDER_TEST") or ROOT / "build" / "site")  # make site's, unless told
ORDER = site_build.table_of_contents()
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LESSON = "notebooks/02_sgd_by_hand.ipynb"  # a lesson with an explorer and formulas
pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def settings():
    return site_build.site_settings()


def expected_binder(settings, rel):
    """Written out here, not taken from the builder: the form the brief and mybinder.org's docs give."""
    owner, name, branch = settings["REPOSITORY_OWNER"], settings["REPOSITORY_NAME"], settings["REPOSITORY_BRANCH"]
    return f"https://mybinder.org/v2/gh/{owner}/{name}/{branch}?urlpath=lab/tree/{rel}"


class Visit:
    """A fresh browser context at one viewport (a phone one with touch) whose console errors,
    failed responses and requests leaving localhost are recorded (those are aborted)."""

    def __init__(self, browser, viewport):
        phone = viewport == "phone"
        self.context = browser.new_context(viewport=VIEWPORTS[viewport], has_touch=phone, is_mobile=phone)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.problems = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status} {r.url}"))
        self.page.route("**/*", self._route)

    def _route(self, route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.problems.append(f"another host: {route.request.url}")
            route.abort()

    def open(self, url):
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    opened = []

    def make(viewport):
        opened.append(Visit(browser, viewport))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


def visible(locator):
    """The visible elements among those the locator finds."""
    return [e for e in locator.all() if e.is_visible()]


LESSON_LINKS = "a.reference.internal[href*='01_gradient_descent']"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_visible_toggles_open_the_lessons_and_the_contents(server, visit, viewport):
    v = visit(viewport)
    page = v.open(server + Path(LESSON).with_suffix(".html").as_posix())
    toggles = visible(page.locator(".primary-toggle"))
    assert len(toggles) == 1, f"{viewport}: {len(toggles)} visible ☰ buttons"
    lessons = page.locator(f"#pst-primary-sidebar {LESSON_LINKS}, #pst-primary-sidebar-modal {LESSON_LINKS}")
    if viewport == "desktop":  # the sidebar is open beside the page; ☰ hides it, and ☰ again brings it back
        assert visible(lessons), "desktop: the lesson list is not shown beside the page"
        toggles[0].click()
        page.wait_for_timeout(600)  # the theme's 0.25 s transition
        assert not visible(lessons), "desktop: ☰ did not hide the lesson list"
        toggles[0].click()
        page.wait_for_timeout(600)
    else:
        assert not visible(lessons), "phone: the lesson list is shown before ☰ is pressed"
        toggles[0].click()
        page.wait_for_timeout(300)
    assert visible(lessons), f"{viewport}: ☰ did not show the lesson list"
    assert len(visible(page.locator("#pst-primary-sidebar a.reference.internal, #pst-primary-sidebar-modal a"))) >= 8
    if viewport == "phone":
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)

    contents = page.locator("#pst-secondary-sidebar nav.page-toc a, #pst-secondary-sidebar-modal nav.page-toc a")
    toggles = visible(page.locator(".secondary-toggle"))
    if viewport == "desktop":  # wide: the theme shows the contents beside the page, and no button
        assert toggles == [] and len(visible(contents)) >= 3, "desktop: the page's contents are not shown"
    else:
        assert len(toggles) == 1, f"phone: {len(toggles)} visible contents buttons"
        assert not visible(contents), "phone: the contents are shown before their button is pressed"
        toggles[0].click()
        page.wait_for_timeout(300)
        assert len(visible(contents)) >= 3, "phone: the contents button did not show the page's contents"
    assert v.problems == []


def test_no_page_is_wider_than_a_phone_and_frames_stay_legible(server, visit):
    v = visit("phone")
    pages = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html") if "_static" not in p.parts)
    too_wide, frames = [], []
    for rel in pages:
        page = v.open(server + rel)
        if page.evaluate("document.querySelectorAll('.math').length"):
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("MathJax.startup.promise")
        width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        if width > VIEWPORTS["phone"]["width"]:
            too_wide.append(f"{rel}: {width} px")
        for img in page.locator("img.sgd-frame").all():
            img.scroll_into_view_if_needed()
            shown, natural = img.evaluate("i => [i.getBoundingClientRect().width, i.naturalWidth]")
            frames.append((rel, natural, round(shown)))
    assert too_wide == [], f"pages wider than the 390 px viewport: {too_wide}"
    assert len(frames) >= 9, "the explorers' frames were not found"
    small = [f for f in frames if not (f[1] > 0 and abs(f[2] - f[1]) <= 1)]
    assert small == [], f"frames shown narrower than their natural width (page, natural, shown): {small}"
    assert v.problems == []


@pytest.mark.parametrize("rel", [LESSON, "exercises/03_minibatch_logistic.ipynb"])
def test_download_gives_the_notebook_and_launch_opens_it_on_binder(server, visit, settings, rel):
    v = visit("phone")
    page = v.open(server + Path(rel).with_suffix(".html").as_posix())
    page.locator(".dropdown-download-buttons > button").click()
    link = page.locator(".dropdown-download-buttons a", has_text=".ipynb")
    assert link.is_visible(), "the download menu has no visible .ipynb entry"
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.ok and response.body() == (ROOT / rel).read_bytes(), f"{rel}: the download is not the notebook"
    page.keyboard.press("Escape")
    page.locator(".dropdown-launch-buttons > button").click()
    launch = page.locator(".dropdown-launch-buttons a", has_text="Binder")
    assert launch.is_visible(), "the launch menu has no visible Binder entry"
    assert launch.get_attribute("href") == expected_binder(settings, rel)
    if rel.startswith("exercises/"):  # and the page itself says how to run it, at the top
        note = page.locator("article .sgd-run-note")
        assert note.is_visible() and note.bounding_box()["y"] < 800, "no note near the top on how to run the page"
        assert "make lab" in note.text_content()
        assert note.locator("a", has_text="Binder").get_attribute("href") == expected_binder(settings, rel)
        response = page.request.get(note.locator("a", has_text="download").evaluate("a => a.href"))
        assert response.body() == (ROOT / rel).read_bytes()
    assert v.problems == []


@pytest.mark.parametrize("rel", ORDER)
def test_every_page_links_its_stored_notebook_and_binder(settings, rel):
    text = (SITE / Path(rel).with_suffix(".html")).read_text()
    downloads = re.findall(r'href="([^"]*_sources/[^"]*\.ipynb)"', text)
    assert downloads, f"{rel}: no download link"
    for href in set(downloads):
        assert (SITE / Path(rel).parent / href).resolve().read_bytes() == (ROOT / rel).read_bytes(), href
    assert f'href="{expected_binder(settings, rel)}"' in text.replace("&amp;", "&"), f"{rel}: no Binder link"
    assert ("sgd-run-note" in text) == rel.startswith("exercises/"), "the run note belongs on exercise pages only"
    assert "sgd-run-note" not in (ROOT / rel).read_text(), "the note is the site's, not the notebook's"


def test_landing_page_gives_the_clone_command_and_binder(server, visit, settings):
    v = visit("desktop")
    page = v.open(server + "index.html")
    owner, name = settings["REPOSITORY_OWNER"], settings["REPOSITORY_NAME"]
    code = " ".join(page.locator("article pre").all_text_contents())
    commands = [line.split("#")[0].strip() for line in code.splitlines()]
    assert f"git clone https://github.com/{owner}/{name}.git" in commands, code
    assert f"cd {name}" in commands and "make lab" in commands, code
    binder = page.locator("article a", has_text="Binder")
    assert expected_binder(settings, ORDER[0]) in [a.get_attribute("href") for a in binder.all()]
    assert "repository's launch link" not in page.locator("article").text_content()
    assert page.locator("link[rel='icon']").count() == 1
    assert v.problems == []


def test_theme_versions_are_those_the_fixes_were_written_for(settings):
    """website/conf.py's navbar fix and website/_templates' copy of the theme's asset macros are
    written for THEME_VERSIONS: pinned in pyproject's extra `site`, and installed here. On a theme
    upgrade this fails: re-check the toggles (the test above) and re-copy the macros file."""
    pins = dict(re.findall(r'"([\w-]+)==([\d.]+)"', (ROOT / "pyproject.toml").read_text()))
    for name, version in settings["THEME_VERSIONS"].items():
        assert pins.get(name) == version, f"pyproject.toml's extra site pins {name} {pins.get(name)}, not {version}"
        assert importlib.metadata.version(name) == version, f"{name} {importlib.metadata.version(name)} installed"
    import pydata_sphinx_theme

    theirs = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
    ours = (ROOT / "website" / "_templates" / "static" / "webpack-macros.html").read_text()
    theirs = (theirs / "webpack-macros.html").read_text().split("-->", 1)[1]  # after the theme's header comment
    theirs = "\n".join(line for line in theirs.splitlines() if "fontawesome" not in line and "custom icons" not in line)
    assert ours.split("-#}", 1)[1].strip() == theirs.strip(), "the theme's asset macros changed: re-copy them"


@pytest.mark.parametrize("value", ["alice/sgd-course", "https://github.com/alice/sgd-course", "alice@main"])
def test_a_malformed_repository_setting_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("COURSE_REPOSITORY", value)
    with pytest.raises(ValueError, match="COURSE_REPOSITORY must be OWNER/NAME@BRANCH"):
        site_build.site_settings()
    monkeypatch.setenv("COURSE_REPOSITORY", "alice/sgd-course@term-1")
    got = site_build.site_settings()
    assert (got["REPOSITORY_OWNER"], got["REPOSITORY_NAME"], got["REPOSITORY_BRANCH"]) == (
        "alice",
        "sgd-course",
        "term-1",
    )
