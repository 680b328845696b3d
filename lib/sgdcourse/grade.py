"""Grade a folder of submitted exercise notebooks into a gradebook.

    python -m sgdcourse.grade SUBMISSION... [--out grades.csv] [--jobs N] [--cell-timeout S]
                              [--check-timeout S] [--memory-limit MB] [--solutions DIR] [--exercise NN]
                              [--time-budget S] [--max-size MB] [--unsandboxed]

SUBMISSION: .ipynb files, or folders searched recursively for them (hidden folders such as
.ipynb_checkpoints are skipped, symbolic links never followed). First the library and the
solutions are checked against the release manifest (grading.integrity) and a sandbox is made
(grading.sandbox; without bubblewrap the grader refuses unless --unsandboxed). Per submission,
in a worker process (--jobs of them at once, grading.pool):

  1. read the file's bytes (a regular file, not a link, at most --max-size MB; never written
     to) and take its cells; its stored outputs are ignored;
  2. find its exercise among the trusted solution notebooks (--solutions, default: the
     repository's solutions/): the problem ids of its check("<id>", ...) calls must all belong to
     one exercise, and a file name starting with a number (02_...) must name that same exercise;
     with no check calls at all the file name decides. Anything else, or another exercise than
     --exercise NN asks for: "wrong exercise" (grading.exercise);
  3. run every code cell in order in a fresh kernel in its own sandbox (grading.kernel.Kernel:
     this Python, no problem bank, --memory-limit on each process and on the whole process tree,
     --cell-timeout per cell, then an interrupt, --time-budget for them all; errors do not stop
     the run: grading.execution);
  4. for each problem of the exercise, evaluate in the kernel the expression that the TRUSTED
     solution passes to check("<id>", <expr>), and rebuild the value here (grading.remote and
     grading.wire; a function becomes a RemoteFunction that runs the learner's code in the kernel);
  5. check it with the course's checker of this process (practice.check, the bank as installed),
     so nothing the notebook redefines, patches or prints can change a grade (grading.scoring).

Score: Problem.points when correct; for a function, points x (cases passed / cases) otherwise
(Result.passed); else 0. Rounded to 0.01.

Output, rows sorted by submission path, then problem order in the exercise, with no timings:
  --out (grades.csv):            submission, problem, status, score, points, feedback
      status: correct | incorrect | unanswered | unreadable, or "error" in a single row with an
      empty problem when the submission could not be graded at all;
  <out>_summary.csv:             submission, exercise, total, max, error, notes
      error: why it could not be graded (empty otherwise); notes: cells that raised or were
      stopped. Both are written to temporary files renamed into place once every kernel is gone,
      every string cleaned (grading.gradebook). The exit status is 0 once both files are
      written, 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from . import practice
from .grading import integrity
from .grading.gradebook import clean, summary_path, write_gradebook, fmt as _fmt
from .grading.exercise import SubmissionError, identify, load_exercises, read_cells
from .grading.pool import grade_all
from .grading.sandbox import Sandbox, probe
from .grading.scoring import score_of
from .grading.submission import Graded, Options

__all__ = ["main", "write_gradebook", "grade_all", "Graded", "Options", "load_exercises", "read_cells",
           "identify", "SubmissionError", "score_of", "clean"]   # the grader's API, as sgdcourse.grade.NAME

SOLUTIONS = integrity.SOLUTIONS   # the repository's, next to lib/
def find_submissions(paths, parser):
    """[path as given] of the .ipynb files under the arguments (folders walked without following
    symbolic links; hidden folders skipped), each path once, sorted. Symbolic links are kept so
    that they get an error row of their own instead of being graded as their target."""
    found = set()
    for arg in paths:
        if os.path.isdir(arg) and not os.path.islink(arg):
            for top, dirs, files in os.walk(arg):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.update(Path(top, f).as_posix() for f in files if f.endswith(".ipynb"))
        elif os.path.lexists(arg):
            found.add(Path(arg).as_posix())
        else:
            parser.error(f"argument SUBMISSION: no such file or folder: {clean(arg)}")
    if not found:
        parser.error(f"argument SUBMISSION: no .ipynb files in {clean(', '.join(paths))}")
    return sorted(found, key=lambda s: os.fsencode(s))


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


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sgdcourse.grade", description=__doc__.split("\n")[0])
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION", help=".ipynb files or folders of them")
    parser.add_argument("--out", default="grades.csv", help="gradebook CSV (default grades.csv); the summary "
                        "goes next to it as <name>_summary.csv")
    parser.add_argument("--jobs", type=_number(int, 1), default=os.cpu_count() or 1,
                        help="notebooks graded at once (default: the number of CPU cores)")
    parser.add_argument("--cell-timeout", type=_number(float, 0.1), default=30.0,
                        help="seconds one cell may run before it is interrupted (default 30)")
    parser.add_argument("--check-timeout", type=_number(float, 0.1), default=practice.DEFAULT_TIMEOUT,
                        help="seconds for reading one answer, one run of a function's test cases, and "
                        f"sympy's simplification, as in the notebooks (default {practice.DEFAULT_TIMEOUT:g})")
    parser.add_argument("--memory-limit", type=_number(int, 256, zero_ok=True), default=4096, metavar="MB",
                        help="cap on each kernel's address space in MB, so a huge allocation fails at once "
                        "(default 4096; 0: no cap)")
    parser.add_argument("--solutions", default=None, metavar="DIR",
                        help="trusted solution notebooks (default: the repository's solutions/)")
    parser.add_argument("--exercise", default=None, metavar="NN",
                        help="grade only this exercise (e.g. 02): any other notebook is a wrong exercise")
    parser.add_argument("--time-budget", type=_number(float, 1), default=600.0, metavar="S",
                        help="seconds for running all cells of one notebook, restarts included (default 600)")
    parser.add_argument("--max-size", type=_number(int, 1), default=20, metavar="MB",
                        help="larger submission files are not graded (default 20)")
    parser.add_argument("--unsandboxed", action="store_true",
                        help="grade without the sandbox: the submissions' code runs with your permissions "
                        "and can read the reference answers (only for notebooks you trust)")
    args = parser.parse_args(argv)

    folder = Path(args.solutions) if args.solutions else SOLUTIONS
    if not folder.is_dir():
        parser.error(f"argument --solutions: no such folder: {folder}"
                     + ("" if args.solutions else " (the package is not in a repository checkout; pass --solutions)"))
    try:
        exercises = load_exercises(folder)
    except (SubmissionError, OSError) as exc:
        parser.error(f"argument --solutions: a solution notebook could not be read: {exc}")
    if not exercises:
        parser.error(f"argument --solutions: no solution notebooks NN_*.ipynb with checks in {folder}")
    if args.exercise is not None and args.exercise not in {e.number for e in exercises}:
        parser.error(f"argument --exercise: no exercise {args.exercise!r}; the exercises are "
                     f"{', '.join(e.number for e in exercises)}")
    out = Path(args.out)
    for path, what in ((out, "--out"), (summary_path(out), "--out (its summary file)")):
        if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
            parser.error(f"argument {what}: {clean(path)} exists and is not a regular file")
    if not out.parent.is_dir():
        parser.error(f"argument --out: {clean(args.out)} must be a file in an existing folder")
    submissions = find_submissions(args.submissions, parser)
    if out.resolve() in {Path(s).resolve() for s in submissions} or out.suffix == ".ipynb":
        parser.error(f"argument --out: {clean(args.out)} would overwrite a submission")
    changed = integrity.verify(folder if not args.solutions else None)
    if changed:
        parser.error("the installed course differs from the one released, so grades could have been "
                     f"tampered with ({'; '.join(changed[:5])}{' ...' if len(changed) > 5 else ''}). Reinstall it, "
                     "or if you changed it yourself run `python -m sgdcourse.release` to record it")
    sandbox = None
    if not args.unsandboxed:
        why = probe()
        if why:
            parser.error(why)
        sandbox = Sandbox.create(args.memory_limit)
    else:
        print("warning: grading WITHOUT a sandbox (--unsandboxed): every submission's code runs with your "
              "permissions", file=sys.stderr)

    options = Options(args.cell_timeout, args.check_timeout, args.memory_limit, args.exercise, sandbox,
                      args.time_budget, args.max_size * 2 ** 20)
    jobs = min(args.jobs, len(submissions))
    print(f"grading {len(submissions)} submission{'s' * (len(submissions) != 1)} against "
          f"{len(exercises)} exercises with {jobs} worker{'s' * (jobs != 1)}"
          f"{', each in a sandbox' if sandbox else ''}", file=sys.stderr, flush=True)

    def progress(g, k, n):
        what = f"error: {g.error}" if g.error else f"{_fmt(g.total)}/{_fmt(g.max)}"
        print(clean(f"[{k}/{n}] {g.submission}: {what}", 500), file=sys.stderr, flush=True)

    try:
        graded = grade_all([(s, exercises, options) for s in submissions], jobs, progress)
    except KeyboardInterrupt:
        print("interrupted: no gradebook written", file=sys.stderr)
        return 130
    finally:
        if sandbox is not None:
            sandbox.remove()
    paths = write_gradebook(graded, out)   # every worker, and so every kernel, is gone by now
    errors = sum(bool(g.error) for g in graded)
    print(clean(f"wrote {paths[0]} and {paths[1]}: {len(graded)} submissions, {errors} not graded"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
