"""The class report (grading.report) in headless Chromium: on the synthetic class of 200 learners
(helpers.synthetic_class) the page renders with no console error and no request leaving it, its
figure decodes, and it shows the planted slips and the planted hard variant.

The page is handed to the browser as the one response of its own address; every other request
(there should be none: the figure is a data URI) is recorded and aborted.
Marker browser: make browser (run by .ci/run); a missing browser fails it.
"""

from __future__ import annotations

import csv

import pytest

from helpers import synthetic_class
from sgdcourse.grading import report
from sgdcourse.grading.gradebook import GRADES

pytestmark = pytest.mark.browser
ADDRESS = "http://report.invalid/report.html"


def test_the_report_renders_offline_with_its_figure(browser, tmp_path):
    rows, planted, (pid, variant) = synthetic_class()
    gradebook = tmp_path / "grades.csv"
    with open(gradebook, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(GRADES)
        w.writerows([[r[k] for k in GRADES] for r in rows])
    html = report.main(gradebook).read_text(encoding="utf-8")

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors, outside = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url == ADDRESS:
            r.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        elif r.request.url.startswith("data:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(ADDRESS, wait_until="load")
    width = page.eval_on_selector("img", "img => img.complete ? img.naturalWidth : 0")
    text = page.inner_text("body")
    page.close()
    assert errors == [] and outside == []
    assert width == 640  # figsize 6.4 in at 100 dpi: the PNG decoded
    for (p, slip), k in planted.items():
        assert f"{p}\t{slip}\t{k}" in text
    assert f"{pid}\t{variant}\t0%" in text
