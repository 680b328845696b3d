"""Every lesson ends as COURSE.md asks: key takeaways, common mistakes, then further reading, a
short list of primary sources, each with its year and one line on what to read it for."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOURCE = re.compile(r"^- (?P<who>[^\n]+?) \((?P<year>1[89]\d\d|20\d\d)\), (?P<what>.+?): (?P<why>.+)$", re.S)


def markdown(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def entries(text):
    """The list items of a markdown cell, each with its continuation lines joined."""
    return [" ".join(item.split()) for item in re.split(r"\n(?=- )", text.split("\n", 1)[1].strip())]


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_ends_with_takeaways_mistakes_and_further_reading(path):
    cells = markdown(path)
    order = [
        next((k for k, s in enumerate(cells) if re.search(rf"^## {h}", s, re.M)), None)
        for h in ("Key takeaways", "Common mistakes", "Further reading")
    ]
    assert None not in order, f"{path.name}: missing one of the closing sections {order}"
    assert order == sorted(order) and order[2] == len(cells) - 1, f"{path.name}: closing sections out of order"
    sources = entries(cells[-1])
    assert 3 <= len(sources) <= 8, f"{path.name}: {len(sources)} sources; a short list has 3 to 8"
    for item in sources:
        match = SOURCE.match(item)
        assert match, f"{path.name}: not 'Authors (year), title: what to read it for': {item[:80]}"
        assert len(match["why"].split()) >= 4, f"{path.name}: say what to read it for: {item[:80]}"


def test_the_pattern_refuses_a_bare_reference():
    assert SOURCE.match(
        '- Robbins and Monro (1951), "A Stochastic Approximation Method": the two conditions on a step.'
    )
    assert not SOURCE.match('- Robbins and Monro, "A Stochastic Approximation Method", 1951.')
    assert not SOURCE.match('- Robbins and Monro (1951), "A Stochastic Approximation Method"')
