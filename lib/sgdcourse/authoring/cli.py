"""The author's command line: it parses, and each verb's `main` does the work.

python -m sgdcourse.authoring release [--root DIR] [--check]              -> authoring.release.main
python -m sgdcourse.authoring pools [--check] [--lesson NN ...]           -> authoring.pools.main
python -m sgdcourse.authoring export {otter,nbgrader} [NOTEBOOK ...] --out DIR
                                                                         -> authoring.export.command.main
"""

from __future__ import annotations

import argparse
import sys

from . import pools, release
from .export import command as export


def parser():
    top = argparse.ArgumentParser(prog="python -m sgdcourse.authoring", description=__doc__.split("\n")[0])
    verbs = top.add_subparsers(dest="verb", required=True, metavar="{release,pools,export}")
    r = verbs.add_parser("release", help="write exercises/ from solutions/", description=release.__doc__.split("\n")[0])
    r.add_argument("--root", default=".", help="repository root holding solutions/ and exercises/")
    r.add_argument("--check", action="store_true", help="only report whether exercises/ is up to date")
    p = verbs.add_parser(
        "pools", help="write every space's candidate numbers", description=pools.__doc__.split("\n")[0]
    )
    p.add_argument("--check", action="store_true", help="only report whether problems/pools.py is up to date")
    p.add_argument(
        "--lesson", dest="lessons", action="append", metavar="NN", help="draw only this lesson's spaces again"
    )
    e = verbs.add_parser(
        "export", help="solutions as otter-grader or nbgrader assignments", description=export.__doc__.split("\n")[0]
    )
    e.add_argument("tool", choices=sorted(export.TOOLS), help="the grading tool to export for")
    e.add_argument(
        "notebooks", nargs="*", metavar="NOTEBOOK", help="solution notebooks (default: solutions/NN_*.ipynb)"
    )
    e.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    return top, {"release": r, "pools": p, "export": e}


def main(argv=None):
    top, verbs = parser()
    args = vars(top.parse_args(argv))
    verb = args.pop("verb")
    if verb == "release":
        return release.main(**args)
    if verb == "pools":
        return pools.main(**args)
    try:
        return export.main(args.pop("tool"), args.pop("notebooks"), **args)
    except export.UsageError as exc:
        verbs[verb].error(str(exc))


if __name__ == "__main__":
    sys.exit(main())
