"""The verb `export`: solution notebooks as otter-grader or nbgrader assignments.

    python -m sgdcourse.authoring export {otter,nbgrader} [NOTEBOOK ...] --out DIR   (authoring.cli)
    authoring.export.command.main(tool, notebooks=(), out=DIR)                     the same from Python

Writes what otter-grader (one Otter Assign master folder per notebook) or nbgrader (a course
folder: nbgrader_config.py and source/<assignment>/) needs, from the solution notebooks named,
or from every solutions/NN_*.ipynb of the repository root (the current directory) when none is.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import ExportError, nbgrader, otter, solution_paths

TOOLS = {"otter": otter.export, "nbgrader": nbgrader.export}
NEXT = {
    "otter": (
        "then, for each: otter assign {out}/NN_name/NN_name.ipynb {out}/NN_name/dist\n"
        "learners get {out}/NN_name/dist/student/ (its sgdcourse/ has no answers); "
        "grade with {out}/NN_name/dist/autograder/*.zip (it holds the answers: keep it)"
    ),
    "nbgrader": (
        "then: cd {out} && nbgrader generate_assignment NN_name\n"
        "learners get release/NN_name/, and their environment {out}/learner/sgdcourse (no answers) "
        "instead of the course's library; autograde where the course's own sgdcourse is installed"
    ),
}


class UsageError(ValueError):
    """A bad argument, named as the command line spells it."""


def main(tool, notebooks=(), *, out):
    """Export `notebooks` (default: every solutions/NN_*.ipynb) for `tool` into the folder `out`;
    the exit status (2 when a notebook cannot be exported). Raises UsageError for a bad argument."""
    if tool not in TOOLS:
        raise UsageError(f"tool: expected one of {', '.join(sorted(TOOLS))}, got {tool!r}")
    if Path(out).exists() and not Path(out).is_dir():
        raise UsageError(f"--out: {out} is a file, not a folder")
    try:
        paths = solution_paths(notebooks)
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    try:
        written = TOOLS[tool](paths, out)
    except (ExportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(NEXT[tool].format(out=str(out).rstrip("/") or "/"))
    return 0
