"""Which exercise a submitted notebook is: the trusted exercises, and matching a submission to one.

    solutions/NN_*.ipynb --load_exercises()--> [Exercise(name, number, ((problem id, expression), ...))]
    submission bytes --read_cells()--> [(cell number, cell type, source)] --identify()--> its Exercise

An exercise's problems are the check("<id>", <expr>) calls of its TRUSTED solution notebook, in
order; <expr> is what the grader later evaluates in the submission's kernel. A submission's
check calls only say which exercise it is: their ids must all belong to one exercise, and a file
name starting with a number (02_...) must name that same exercise; with no check calls at all
the file name decides. Anything else is a SubmissionError, "wrong exercise". A notebook's
stored outputs are never read.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import problems as bank
from ..layout import check_calls, notebooks


class SubmissionError(Exception):
    """A submission that cannot be graded; the message goes into its error row."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its solution notebook's name, number, and (problem id, expression) pairs
    in the order the solution checks them."""

    name: str
    number: str
    problems: tuple

    @property
    def max(self):
        return sum(bank.BANK[pid].points for pid, _ in self.problems)


def read_cells(data):
    """[(number, cell type, source)] of a notebook's bytes; SubmissionError when it is not one."""
    if not data.strip():
        raise SubmissionError("empty file")
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SubmissionError("not a notebook: the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SubmissionError(
            f"not a notebook: invalid JSON at line {exc.lineno}, column {exc.colno} "
            f"({exc.msg}); a truncated or damaged file?"
        ) from None
    except RecursionError:
        raise SubmissionError("not a notebook: the JSON is nested too deeply") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SubmissionError("not a Jupyter notebook: the JSON has no list of cells")
    if nb.get("nbformat") != 4:
        raise SubmissionError(
            f"a notebook in format {nb.get('nbformat')!r}; only nbformat 4 can be graded "
            "(open and save it in a current Jupyter)"
        )
    cells = []
    for number, cell in enumerate(nb["cells"], 1):
        source = cell.get("source", "") if isinstance(cell, dict) else None
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise SubmissionError(f"not a valid notebook: cell {number} has no source text")
        cells.append((number, cell.get("cell_type"), source))
    return cells


def code_cells(cells):
    return [(n, src) for n, kind, src in cells if kind == "code"]


def load_exercises(folder, warn=lambda text: print(text, file=sys.stderr)):
    """The exercises of the solution notebooks NN_*.ipynb in folder, by number."""
    exercises = []
    for path in notebooks(folder):
        problems, seen = [], set()
        for _, source in code_cells(read_cells(path.read_bytes())):
            for pid, expr in check_calls(source):
                if pid in seen or expr is None:
                    continue
                if pid not in bank.BANK:
                    warn(f"warning: {path.name} checks {pid!r}, which is not in the problem bank: not graded")
                    continue
                seen.add(pid)
                problems.append((pid, expr))
        if problems:
            exercises.append(Exercise(path.stem, path.name[:2], tuple(problems)))
        else:
            warn(f"warning: {path.name} has no check(...) calls: it is not an exercise")
    return exercises


def identify(submission, cells, exercises):
    """The exercise a submission belongs to (see the module docstring), or SubmissionError."""
    owner = {pid: ex for ex in exercises for pid, _ in ex.problems}
    found = sorted({owner[pid].name for _, src in code_cells(cells) for pid, _ in check_calls(src) if pid in owner})
    m = re.match(r"(\d\d)(?!\d)", Path(submission).name)
    by_name = next((ex for ex in exercises if m and ex.number == m.group(1)), None)
    if len(found) > 1:
        raise SubmissionError(f"wrong exercise: it checks problems of several exercises ({', '.join(found)})")
    if found:
        ex = next(ex for ex in exercises if ex.name == found[0])
        if by_name is not None and by_name is not ex:
            raise SubmissionError(
                f"wrong exercise: the file name says {by_name.name}, but its checks are those of {ex.name}"
            )
        return ex
    if by_name is not None:
        return by_name
    raise SubmissionError(
        "wrong exercise: it checks no problem of any exercise and its file name "
        f"does not start with an exercise number ({', '.join(e.number for e in exercises)})"
    )
