"""One notation table, in lesson 01, and no symbol with two meanings across the course.

Lesson 01 holds the only table of symbols; the other lessons name the symbols they use in prose
under their own Notation heading. The banned spellings below are the double meanings the course
had before (each with the meaning it now uses instead); a lesson or exercise that reintroduces one
fails here.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ALL = LESSONS + sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def markdown(path):
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def notation_cell(path):
    cells = [s for s in markdown(path) if s.startswith("## Notation")]
    assert len(cells) == 1, f"{path.name}: expected one '## Notation' cell, found {len(cells)}"
    return cells[0]


def test_lesson_01_holds_the_only_table_and_lists_each_symbol_once():
    first = notation_cell(LESSONS[0])
    rows = [line for line in first.split("\n") if line.startswith("| ") and not line.startswith("| symbol")]
    symbols = [row.split(" | ")[0].lstrip("| ").strip() for row in rows if not set(row) <= set("|- ")]
    assert len(symbols) >= 30
    assert len(symbols) == len(set(symbols)), "a symbol is listed twice in lesson 01's table"
    for path in LESSONS[1:]:
        assert "| symbol |" not in notation_cell(path), f"{path.name} has its own notation table"
        assert "lesson 01" in notation_cell(path), f"{path.name} does not point to lesson 01's table"


BANNED = [
    (r"\\mathbb\{R\}\^p\b", "p is a probability; the dimension is d"),
    (r"\\hat g_m\b", "a subscript on g_hat is the step t; the batch size is a superscript, g_hat^(m)"),
    (r"\$[sS]_t\$|\bs_\{t", "s^2 is the gradient noise; Adam's second moment is u_t"),
    (r"\(t \+ 1\)/w\b|\$w\$ warmup", "w is a weight; the warmup length is T_w"),
    (r"covariance \$c\$", "c is the centre of a bowl; the covariance of two positions is C"),
    (r"\\pi_\\phi", "phi is a network's activation; the policy's parameters are theta"),
    (r"-d_s\\,|depth \$d_f\$", "d is the dimension; the depths of the wells are h_s, h_f"),
    (r"\\times p\b", "p is a probability; the number of features is d (an N x d matrix X)"),
]


@pytest.mark.parametrize("pattern, reason", BANNED, ids=[b[1].split(";")[0] for b in BANNED])
def test_no_symbol_with_two_meanings(pattern, reason):
    for path in ALL:
        for text in markdown(path):
            assert not re.search(pattern, text), f"{path.name}: {reason}"


def test_the_banned_patterns_catch_the_old_spellings():
    old = {
        r"\\mathbb\{R\}\^p\b": r"$x_i \in \mathbb{R}^p$",
        r"\\hat g_m\b": r"$\hat g_m$",
        r"\$[sS]_t\$|\bs_\{t": r"$s_t = \beta_2 s_{t-1}$",
        r"\(t \+ 1\)/w\b|\$w\$ warmup": r"$\eta_0 (t + 1)/w$",
        r"covariance \$c\$": r"The covariance $c$ of",
        r"\\pi_\\phi": r"$\pi_\phi(a)$",
        r"-d_s\\,|depth \$d_f\$": r"f(u) = -d_s\, e",
        r"\\times p\b": r"the $N \times p$ matrix $X$",
    }
    for pattern, text in old.items():
        assert re.search(pattern, text), pattern
