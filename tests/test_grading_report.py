"""grading.report: a class report from a gradebook's columns, never its feedback text.

On a synthetic class of 200 learners (helpers.synthetic_class: planted slips, one planted hard
variant) the report recovers the planted slip counts exactly and flags the planted variant and no
other; its statistics agree with references (a hand-computed correlation, Fisher's exact test by
enumeration); and the page is self-contained: one file, its figure a data URI, nothing fetched.
The page in headless Chromium: tests/test_browser.py.
"""

from __future__ import annotations

import csv
import math
import re
from itertools import combinations

import pytest

from helpers import synthetic_class
from sgdcourse.grading import report
from sgdcourse.grading.gradebook import GRADES


def write(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(GRADES)
        w.writerows([[r[k] for k in GRADES] for r in rows])
    return path


@pytest.fixture(scope="module")
def klass():
    return synthetic_class()


def test_the_planted_slip_counts_are_recovered_exactly(klass):
    rows, planted, _ = klass
    items = report.analyse(rows)
    found = {(i.problem, name): k for i in items for name, k in i.slips.items()}
    assert found == dict(planted) and sum(planted.values()) > 50


def test_the_planted_hard_variant_is_flagged_and_no_other(klass):
    rows, _, (pid, variant) = klass
    flagged = [(i.problem, v) for i in report.analyse(rows) for v, *_ in i.harder]
    assert flagged == [(pid, variant)]


def test_without_the_planted_variant_nothing_is_flagged():
    rows, _, _ = synthetic_class(hard=("02-b", "no such variant"))
    assert [i.harder for i in report.analyse(rows) if i.harder] == []


def test_the_statistics_agree_with_references(klass):
    rows, _, _ = klass
    items = {i.problem: i for i in report.analyse(rows)}
    i = items["02-c"]
    mine = [r for r in rows if r["problem"] == "02-c"]
    assert i.n == 200 and i.attempted == sum(r["status"] != "unanswered" for r in mine)
    assert i.correct == sum(r["status"] == "correct" for r in mine)
    # discrimination: the correlation of the item with the rest of the total, computed here by hand
    totals = {}
    for r in rows:
        totals[r["submission"]] = totals.get(r["submission"], 0.0) + float(r["score"])
    x = [float(r["score"]) for r in mine]
    y = [totals[r["submission"]] - s for r, s in zip(mine, x)]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    r = sum((a - mx) * (b - my) for a, b in zip(x, y))
    r /= math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))
    assert i.discrimination == pytest.approx(r) and 0.1 < r < 0.9  # ability drives every item
    # the item and the full total (the item included) would be more correlated: the rest is used
    assert report.pearson(x, [totals[r["submission"]] for r in mine]) > r


def test_fisher_lower_tail_by_enumeration():
    # 6 balls, 3 of them marked; a group of 3 drawn: the chance it holds at most 1 marked one
    draws = list(combinations(range(6), 3))
    marked = {0, 1, 2}
    at_most_one = sum(len(marked & set(d)) <= 1 for d in draws) / len(draws)
    assert report.fisher_lower(1, 3, 3, 6) == pytest.approx(at_most_one) == pytest.approx(0.5)
    assert report.fisher_lower(0, 3, 3, 6) == pytest.approx(1 / 20)
    # unequal sizes: 7 balls, 2 marked, a group of 4: P(no marked one) = C(5, 4) / C(7, 4)
    draws = list(combinations(range(7), 4))
    assert report.fisher_lower(0, 4, 2, 7) == pytest.approx(sum(not {0, 1} & set(d) for d in draws) / len(draws))
    assert report.fisher_lower(2, 4, 2, 7) == pytest.approx(1.0)


def test_a_constant_item_has_no_discrimination():
    assert report.pearson([1, 1, 1], [0, 1, 2]) is None
    assert report.pearson([0, 1, 2], [0, 2, 4]) == pytest.approx(1.0)
    assert report.pearson([0, 1, 2], [4, 2, 0]) == pytest.approx(-1.0)


def test_the_page_is_one_self_contained_file(klass, tmp_path):
    rows, planted, (pid, variant) = klass
    out = report.main(write(rows, tmp_path / "grades.csv"))
    text = out.read_text(encoding="utf-8")
    assert out.name == "grades.html"
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", text)
    assert refs and all(ref.startswith("data:image/png;base64,") for ref in refs)
    assert "<script" not in text and "@import" not in text and "url(" not in text
    for (p, slip), k in planted.items():
        assert f"<td><code>{p}</code></td><td><code>{slip}</code></td><td>{k}</td>" in text
    assert f"<td><code>{pid}</code></td><td>{variant}</td>" in text


def test_a_file_that_is_not_a_gradebook_is_named(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(report.ReportError, match="not a gradebook"):
        report.main(path)
