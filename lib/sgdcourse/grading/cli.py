"""The grader's command line: it parses, and each verb's `main` does the work.

    python -m sgdcourse.grading grade SUBMISSION... [options]   -> grading.grade.main(...)
    python -m sgdcourse.grading manifest [--check]               -> grading.integrity.main(...)
    python -m sgdcourse.grading merge SHARD... --out CSV         -> grading.gradebook.merge(...)
    python -m sgdcourse.grading report GRADEBOOK [--out HTML]    -> grading.report.main(...)

`grade` re-executes submitted notebooks in a sandbox and writes a gradebook; `manifest` records
(or with --check compares) the digests of what decides a grade, which `grade` verifies first.
`grade` needs the grader's own dependencies, the extra `grade` of pyproject.toml (pyzmq,
jupyter_client, ipykernel); without them it says how to install them and exits with status 1,
and `manifest` still runs. The exit status of `grade` is grading.grade.main's: 0, or 1 when a row
is an internal grader error, 2 for a bad argument, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..checking.answers import DEFAULT_TIMEOUT
from . import gradebook, integrity, report

try:  # the verb grade needs the extra `grade`; the verb manifest does not
    from . import grade
except ModuleNotFoundError as exc:
    if (exc.name or "").partition(".")[0] in ("", "sgdcourse"):
        raise
    grade, MISSING = None, exc
else:
    MISSING = None

INSTALL = "pip install 'sgdcourse[grade]' (in a checkout of the course: pip install -e '.[grade]')"


def _number(kind, low, zero_ok=False):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {'whole ' * (kind is int)}number, got {text!r}") from None
        if not (value >= low or (zero_ok and value == 0)):
            raise argparse.ArgumentTypeError(f"must be at least {low}{' (or 0 for none)' * zero_ok}, got {text}")
        return value

    return parse


def parser():
    top = argparse.ArgumentParser(prog="python -m sgdcourse.grading", description=__doc__.split("\n")[0])
    verbs = top.add_subparsers(dest="verb", required=True, metavar="{grade,manifest,merge,report}")
    about = "grade submitted notebooks into a gradebook"
    g = verbs.add_parser("grade", help=about, description=grade.__doc__.split("\n")[0] if grade else about)
    g.add_argument("submissions", nargs="+", metavar="SUBMISSION", help=".ipynb files or folders of them")
    g.add_argument(
        "--out",
        default="grades.csv",
        help="gradebook CSV (default grades.csv); the summary goes next to it as <name>_summary.csv",
    )
    g.add_argument(
        "--jobs",
        type=_number(int, 1),
        default=os.cpu_count() or 1,
        help="notebooks graded at once (default: the number of CPU cores)",
    )
    g.add_argument(
        "--cell-timeout",
        type=_number(float, 0.1),
        default=30.0,
        help="seconds one cell may run before it is interrupted (default 30)",
    )
    g.add_argument(
        "--check-timeout",
        type=_number(float, 0.1),
        default=DEFAULT_TIMEOUT,
        help="seconds for reading one answer, one run of a function's test cases, and "
        f"sympy's simplification, as in the notebooks (default {DEFAULT_TIMEOUT:g})",
    )
    g.add_argument(
        "--memory-limit",
        type=_number(int, 256, zero_ok=True),
        default=4096,
        metavar="MB",
        help="cap on each kernel's address space in MB, so a huge allocation fails at once (default 4096; 0: no cap)",
    )
    g.add_argument(
        "--solutions",
        default=None,
        metavar="DIR",
        help="trusted solution notebooks (default: the repository's solutions/)",
    )
    g.add_argument(
        "--exercise",
        default=None,
        metavar="NN",
        help="grade only this exercise (e.g. 02): any other notebook is a wrong exercise",
    )
    g.add_argument(
        "--time-budget",
        type=_number(float, 1),
        default=600.0,
        metavar="S",
        help="seconds for everything one notebook takes: its kernel's start, its cells (restarts and "
        "replays included), reading its answers and running its functions (default 600)",
    )
    g.add_argument(
        "--max-size",
        type=_number(int, 1),
        default=20,
        metavar="MB",
        help="larger submission files are not graded (default 20)",
    )
    g.add_argument(
        "--roster",
        default=None,
        metavar="CSV",
        help="grade each submission as its rostered learner, with their numbers (columns submission, learner)",
    )
    g.add_argument(
        "--shard",
        default=None,
        metavar="I/N",
        help="grade only the I-th of N shares of the submissions (join the shards' gradebooks with `merge`)",
    )
    g.add_argument(
        "--unsandboxed",
        action="store_true",
        help="grade without the sandbox: the submissions' code runs with your permissions "
        "and can read the reference answers (only for notebooks you trust)",
    )
    m = verbs.add_parser(
        "manifest",
        help="record what decides a grade, for `grade` to verify",
        description=integrity.main.__doc__.split("\n")[0],
    )
    m.add_argument("--check", action="store_true", help="only report whether the manifest is up to date")
    j = verbs.add_parser(
        "merge",
        help="join the gradebooks of shards (grade --shard I/N) into one",
        description=gradebook.merge.__doc__.split("\n")[0],
    )
    j.add_argument("shards", nargs="+", metavar="SHARD", help="the shards' gradebooks (their summaries beside them)")
    j.add_argument("--out", required=True, help="the joined gradebook CSV (its summary goes next to it)")
    r = verbs.add_parser(
        "report", help="a class report (HTML) from a gradebook", description=report.__doc__.split("\n")[0]
    )
    r.add_argument("gradebook", help="a gradebook CSV written by grade (or merge)")
    r.add_argument("--out", default=None, help="the HTML file (default: the gradebook's name with .html)")
    return top, {"grade": g, "manifest": m, "merge": j, "report": r}


def main(argv=None):
    top, verbs = parser()
    args = vars(top.parse_args(argv))
    verb = args.pop("verb")
    if verb == "manifest":
        return integrity.main(**args)
    if verb in ("merge", "report"):
        try:
            paths = gradebook.merge(args["shards"], args["out"]) if verb == "merge" else [report.main(**args)]
        except gradebook.GradebookError as exc:
            verbs[verb].error(str(exc))
        print(gradebook.clean(f"wrote {' and '.join(map(str, paths))}"))
        return 0
    if grade is None:
        print(f"error: the grader needs its own dependencies ({MISSING}); install them: {INSTALL}", file=sys.stderr)
        return 1
    try:
        return grade.main(args.pop("submissions"), **args)
    except grade.UsageError as exc:
        verbs[verb].error(str(exc))


if __name__ == "__main__":
    sys.exit(main())
