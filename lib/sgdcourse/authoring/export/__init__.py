"""Exercises as otter-grader and nbgrader assignments, generated from solutions/.

    python -m sgdcourse.authoring export {otter,nbgrader} [NOTEBOOK ...] --out DIR

A solution notebook already marks its answers (release.py reads the markers); what neither tool
can know is which cells belong to which problem and what each is worth. Here a *question* is one
`check("NN-slug", answer)` cell of a notebook together with the code cells carrying solution
markers since the previous check cell. Points come from the problem bank (Problem.points); the
tool's tests call the course's own checker, so a tool grades exactly what check() reports.

Worked explanations between <!-- BEGIN SOLUTION --> markers in markdown are left out of both
exports (release.strip_markdown), so no student version can carry them; they stay in solutions/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ... import layout
from ... import problems as bank
from ...checking.ids import unknown_id
from ...layout import PATTERN, SOLUTIONS, has_solution, problem_cells
from .. import release


class ExportError(ValueError):
    """A solution notebook that cannot be turned into an assignment (names the notebook and cell)."""


@dataclass(frozen=True)
class Question:
    """One graded problem of a notebook.

    problem  the bank's Problem (id, kind, points);
    expr     the source text of the answer passed to check(), e.g. "w3";
    cells    indices of the code cells holding its solution markers, in order;
    check    the index of its check(...) cell.
    """

    problem: bank.Problem
    expr: str
    cells: tuple
    check: int

    @property
    def name(self):
        """The bank id, usable as an identifier: "02-worked-step" -> "q02_worked_step"."""
        return "q" + self.problem.id.replace("-", "_")


def load(path):
    """The solution notebook at path, its markdown solution regions dropped (release's parser)."""
    path = Path(path)
    try:
        nb = release.read_notebook(path.read_text(encoding="utf-8"), str(path))
        nb.cells = release.strip_markdown(nb.cells, str(path))
    except (OSError, ValueError) as exc:
        raise ExportError(f"{path}: {exc}") from exc
    nb.metadata.pop("widgets", None)
    return nb


def questions(nb, where="notebook"):
    """The Questions of a loaded notebook, in order (the cells as course layout groups them). Raises
    ExportError for an unknown problem id, a problem checked twice, or a check cell with no
    solution cell before it."""
    found, seen = [], set()
    for place in problem_cells([(c.cell_type, c.source) for c in nb.cells]):
        pid, k = place.id, place.check
        if pid not in bank.BANK:
            raise ExportError(f"{where}, cell {k}: {unknown_id(pid, bank.BANK)}")
        if pid in seen:
            raise ExportError(f"{where}, cell {k}: problem {pid!r} is checked a second time")
        if not place.answers:
            raise ExportError(f"{where}, cell {k}: check({pid!r}, ...) has no solution cell before it")
        seen.add(pid)
        found.append(Question(bank.BANK[pid], place.expr, place.answers, k))
    return found


def solution_paths(notebooks=(), root="."):
    """The notebooks to export: those named, else every solutions/NN_*.ipynb under root."""
    if notebooks:
        paths = [Path(p) for p in notebooks]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise ExportError(f"NOTEBOOK: no such file: {', '.join(missing)}")
        return paths
    paths = layout.notebooks(Path(root) / SOLUTIONS)
    if not paths:
        raise ExportError(f"no {SOLUTIONS}/{PATTERN} under {root}: run from the repository root")
    return paths


__all__ = ["ExportError", "Question", "has_solution", "load", "questions", "solution_paths"]
