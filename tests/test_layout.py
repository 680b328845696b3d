"""The course layout (sgdcourse.layout) is the one rule: its parser of check calls, its grouping of
a problem's cells, its lesson discovery; and nothing else in the repository parses check calls."""

import re
from pathlib import Path

import pytest

from sgdcourse import layout, problems

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "source, calls",
    [
        ('check("02-worked-step", w3)', [("02-worked-step", "w3")]),
        ('practice.check("02-worked-step", w[0] + 1)', [("02-worked-step", "w[0] + 1")]),
        ('x = 1\ncheck("01-a", x)\ncheck("01-b", f)', [("01-a", "x"), ("01-b", "f")]),
        ('# check("03-batch-gradient", 1)\ns = "check(\'04-var-batch\', 2)"', []),
        ('check(pid, x)\ncheck("06-x")', []),  # no literal id; no answer
        ('%timeit f()\ncheck("02-a", w)', [("02-a", "w")]),  # magics do not stop the parse
        ('x = (\ncheck("02-worked-step", w3', [("02-worked-step", None)]),  # broken: the ids from the tokens
    ],
)
def test_check_calls(source, calls):
    assert layout.check_calls(source) == calls


def test_problem_cells_group_markdown_answers_and_the_check():
    cells = [
        ("markdown", "# Exercises"),
        ("markdown", "## 1. `02-a`: the first"),
        ("code", "x = 1  # SOLUTION"),
        ("code", "y = 2"),
        ("code", 'check("02-a", x)'),
        ("markdown", "## 2. `02-b`"),
        ("markdown", "more about it"),
        ("code", "# BEGIN SOLUTION\nz = 3\n# END SOLUTION"),
        ("code", 'check("02-b", z)'),
    ]
    first, second = layout.problem_cells(cells)
    assert (first.id, first.expr, first.markdown, first.answers, first.check) == ("02-a", "x", (1,), (2,), 4)
    assert (second.id, second.markdown, second.answers, second.check) == ("02-b", (5, 6), (7,), 8)


def test_lessons_are_found_on_disk(tmp_path):
    assert problems.LESSONS == layout.bank_lessons()
    assert {p.lesson for p in problems.BANK.values()} == set(layout.bank_lessons())
    assert [int(p.name[:2]) for p in layout.notebooks(ROOT / "notebooks")] == list(layout.bank_lessons())
    for name in ("03_b.ipynb", "01_a.ipynb", "notes.ipynb", "1_x.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in layout.notebooks(tmp_path)] == ["01_a.ipynb", "03_b.ipynb"]


# What a second parser of check calls would look like: a regular expression for `check(`, or a
# syntax tree compared with the name "check".
OTHER_PARSER = re.compile(
    r"""check\\\\?\(|(?:\.id|\.attr|\bid|\battr)\s*==\s*["']check["']|["']check["']\s*,\s*["']\(["']"""
)


def test_no_other_parser_of_check_calls():
    sources = [p for folder in ("lib", "tests", "website", "tools") for p in (ROOT / folder).rglob("*.py")] + [
        ROOT / "conftest.py"
    ]
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sources
        if p.name not in ("layout.py", "test_layout.py")
        for n, line in enumerate(p.read_text(encoding="utf-8").split("\n"), 1)
        if OTHER_PARSER.search(line)
    ]
    assert found == [], f"check calls are parsed outside sgdcourse.layout: {found}"
    layout_source = (ROOT / "lib" / "sgdcourse" / "layout.py").read_text()
    assert OTHER_PARSER.search(layout_source)  # the pattern finds the one parser there is
    assert OTHER_PARSER.search(r'CHECK = re.compile(r"check\(\s*[\'\"]")')
