"""python -m sgdcourse.export {otter,nbgrader} [NOTEBOOK ...] --out DIR

Writes what otter-grader (one Otter Assign master folder per notebook) or nbgrader (a course
folder: nbgrader_config.py and source/<assignment>/) needs, from the solution notebooks named,
or from every solutions/NN_*.ipynb of the repository root (the current directory) when none is.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ExportError, solution_paths
from . import nbgrader, otter

TOOLS = {"otter": otter.export, "nbgrader": nbgrader.export}
NEXT = {"otter": "then, for each: otter assign {out}/NN_name/NN_name.ipynb {out}/NN_name/dist",
        "nbgrader": "then: cd {out} && nbgrader generate_assignment NN_name"}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sgdcourse.export", description=__doc__.split("\n\n")[1])
    parser.add_argument("tool", choices=sorted(TOOLS), help="the grading tool to export for")
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="solution notebooks (default: solutions/NN_*.ipynb)")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    args = parser.parse_args(argv)
    if Path(args.out).exists() and not Path(args.out).is_dir():
        parser.error(f"--out: {args.out} is a file, not a folder")
    try:
        paths = solution_paths(args.notebooks)
    except ExportError as exc:
        parser.error(str(exc))
    try:
        written = TOOLS[args.tool](paths, args.out)
    except (ExportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(NEXT[args.tool].format(out=args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
