"""The verb `pools`: every space's candidate numbers into problems/pools.py.

    python -m sgdcourse.authoring pools [--check] [--lesson NN ...]     (the command line: authoring.cli)
    authoring.pools.main(check=False, lessons=None)                     the same from Python

For each space of the installed bank (sgdcourse.problems.variants), draws candidates and keeps those
that every problem using the space accepts with its named slips distinct, and writes them with
today's numbers into lib/sgdcourse/problems/pools.py. With --check nothing is written: the exit
status is 1 when the file differs from what would be written, else 0. With --lesson, only those
lessons' spaces are drawn again (an author at work on one lesson); `make release` draws them all.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..problems import BANK
from ..problems.variants import pools_source

PATH = Path(__file__).resolve().parents[1] / "problems" / "pools.py"


def _old():
    try:
        from ..problems.pools import CANONICAL, POOLS
    except ImportError:
        return None
    return CANONICAL, POOLS


def main(check=False, lessons=None, path=PATH):
    lessons = None if not lessons else {int(k) for k in lessons}
    text = pools_source(BANK, lessons, _old())
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if check:
        if old != text:
            print(f"{path.name} is out of date: run `python -m sgdcourse.authoring pools`", file=sys.stderr)
            return 1
        print(f"{path.name} is up to date")
        return 0
    if old != text:
        path.write_text(text, encoding="utf-8")
    print(f"wrote {path.name}" if old != text else f"{path.name} is up to date")
    return 0
