"""One glossary of symbols, a short Notation box in each lesson, and no symbol with two meanings.

The glossary, notebooks/glossary.ipynb (layout.GLOSSARY), is the course's one table of symbols: each
row gives symbols, their meaning and the lesson that introduces them, which is the first lesson whose
markdown uses them. A symbol is a math span of the row's first column ($\\kappa$) or a term written
in plain words (epoch); a row may hold several, separated by commas. A math symbol is used by a text
when its LaTeX, spaces collapsed, stands in one of the text's math spans with no letter or backslash
before it and no letter after it ($\\eta$ is used by $\\eta_t$, not by $\\beta$ or $\\zeta$). A term is
used when the words, or their plural, stand in the prose outside math and code spans.

Each lesson has one `## Notation` cell, its box. The box links to the glossary. Its new symbols are
the glossary's math symbols of that lesson that the box uses; there are at most BOX_LIMIT of them,
and the box comes after the lesson's first figure, because a lesson opens with its question and a
picture, not with notation. Lessons whose boxes have not been rewritten yet stand in BOX_PENDING, a
ratchet as in test_lesson_length.py: a lesson outside it must meet the rule, and a lesson in it that
meets the rule must leave it, so the list only shrinks. The new symbols of every box are printed.

The banned spellings at the end are the double meanings the course had before, each with the
meaning it now uses instead; a lesson, exercise or the glossary that brings one back fails.
"""

import json
import re
from pathlib import Path

import pytest

from sgdcourse import layout

ROOT = Path(__file__).resolve().parents[1]
LESSONS = layout.notebooks(ROOT / layout.LESSONS)
GLOSSARY = ROOT / layout.LESSONS / layout.GLOSSARY
ALL = LESSONS + layout.notebooks(ROOT / layout.SOLUTIONS) + [GLOSSARY]
BOX_LIMIT = 8

# lesson: why its box does not meet the rule yet (issue 22, item 2: one rewrite per lesson)
BOX_PENDING = {}

MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
ROW = re.compile(r"^\| (.+?) \| (.+) \| (\d\d) \|$", re.M)
ITEM = re.compile(r"\$([^$]+)\$|([A-Za-z][A-Za-z ]*[A-Za-z])")


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def markdown(path):
    return ["".join(c["source"]) for c in cells(path) if c["cell_type"] == "markdown"]


def squash(text):
    return " ".join(text.split())


def items(column):
    """[("math", latex) or ("term", words)] of a table's symbol column: "$u$, $D_u L$", "step, iteration"."""
    return [("math", squash(m)) if m else ("term", t) for m, t in ITEM.findall(column)]


def glossary():
    """[(symbol, meaning, lesson "NN")] of every symbol in the glossary's tables, in order."""
    return [(item, m[2], m[3]) for text in markdown(GLOSSARY) for m in ROW.finditer(text) for item in items(m[1])]


def uses(text, item):
    """Whether a markdown text uses a glossary symbol (the rule of the module's docstring)."""
    kind, value = item
    if kind == "math":
        pattern = re.compile(r"(?<![A-Za-z\\])" + re.escape(value) + r"(?![A-Za-z])")
        return any(pattern.search(squash(span)) for span in MATH.findall(text))
    prose = re.sub(r"`[^`]*`", " ", MATH.sub(" ", text))
    return re.search(r"\b" + re.escape(value) + r"s?\b", prose, re.I) is not None


def box(path):
    """(cell index, text) of the lesson's one `## Notation` cell."""
    found = [
        (k, "".join(c["source"]))
        for k, c in enumerate(cells(path))
        if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## Notation")
    ]
    assert len(found) == 1, f"{path.name}: expected one '## Notation' cell, found {len(found)}"
    return found[0]


def first_figure(path):
    """Index of the first cell that stores an image output, or None."""
    for k, c in enumerate(cells(path)):
        if any(kind.startswith("image/") for out in c.get("outputs", []) for kind in out.get("data", {})):
            return k
    return None


def new_in_box(path):
    """The glossary's math symbols of this lesson that its box uses."""
    _, text = box(path)
    return [s for s, _, lesson in glossary() if lesson == path.name[:2] and s[0] == "math" and uses(text, s)]


# the glossary ------------------------------------------------------------------------------
def test_glossary_is_a_page_of_the_course_and_not_a_lesson():
    assert GLOSSARY.is_file()
    assert GLOSSARY not in LESSONS and not (ROOT / layout.EXERCISES / layout.GLOSSARY).exists()
    assert layout.table_of_contents(ROOT)[-1] == f"{layout.LESSONS}/{layout.GLOSSARY}"


def test_glossary_lists_each_symbol_once_with_a_lesson_of_the_course():
    rows = glossary()
    symbols = [s for s, _, _ in rows]
    assert len(symbols) >= 60, f"{len(symbols)} symbols"
    assert len(symbols) == len(set(symbols)), "a symbol is listed twice in the glossary"
    assert {lesson for _, _, lesson in rows} <= {p.name[:2] for p in LESSONS}


@pytest.mark.parametrize(
    "symbol, lesson", [(s, lesson) for s, _, lesson in glossary()], ids=[f"{n}:{s[1]}" for s, _, n in glossary()]
)
def test_each_symbol_is_introduced_by_the_lesson_the_glossary_names(symbol, lesson):
    using = [p.name[:2] for p in LESSONS if any(uses(text, symbol) for text in markdown(p))]
    assert using, f"no lesson uses {symbol[1]!r}"
    assert using[0] == lesson, f"{symbol[1]!r}: the glossary says lesson {lesson}, first used in lesson {using[0]}"


def test_what_counts_as_using_a_symbol():
    assert uses(r"the schedule $\eta_t$", ("math", r"\eta"))
    assert not uses(r"momentum $\beta$ and $\zeta$", ("math", r"\eta"))
    assert uses(r"$$\hat g = \frac1m \sum g_i$$", ("math", "m"))
    assert not uses(r"$\mathbb{E}[x]$ and $\sum_i$", ("math", "m"))
    assert uses(r"the rate $D_u   L(\theta)$", ("math", "D_u L"))
    assert uses("two epochs of data", ("term", "epoch"))
    assert not uses("the `epoch` argument and $epoch$", ("term", "epoch"))
    assert not uses("a repoch", ("term", "epoch"))


# the boxes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_each_lesson_has_one_box_that_links_to_the_glossary(path):
    _, text = box(path)
    assert f"]({layout.GLOSSARY})" in text, f"{path.name}: the Notation box does not link to the glossary"
    assert "| lesson |" not in text, f"{path.name}: the full table belongs in the glossary"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_table_in_a_box_lists_only_the_lessons_own_symbols(path):
    _, text = box(path)
    own = {s for s, _, lesson in glossary() if lesson == path.name[:2]}
    for line in text.split("\n"):
        if line.startswith("| ") and not line.startswith("| symbol"):
            for item in items(line.split(" | ")[0].lstrip("| ")):
                assert item in own, f"{path.name}: {item[1]!r} is not a symbol the glossary gives to this lesson"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_box_is_short_and_after_the_first_figure_or_pending(path, record_property):
    new = new_in_box(path)
    where, figure = box(path)[0], first_figure(path)
    placed = figure is not None and where > figure
    record_property(
        "report",
        f"notation box {path.stem}: {len(new)} new symbols ({', '.join(s for _, s in new)}); "
        f"cell {where}, first figure in cell {figure}",
    )
    meets = len(new) <= BOX_LIMIT and placed
    if path.stem in BOX_PENDING:
        assert not meets, f"{path.stem} now meets the notation rule: remove it from BOX_PENDING"
    else:
        assert len(new) <= BOX_LIMIT, f"{path.stem}: {len(new)} new symbols in the box, more than {BOX_LIMIT}"
        assert placed, f"{path.stem}: the box (cell {where}) comes before the first figure (cell {figure})"


def test_pending_boxes_are_lessons():
    assert set(BOX_PENDING) <= {p.stem for p in LESSONS}


# double meanings ---------------------------------------------------------------------------
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
