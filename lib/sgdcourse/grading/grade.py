"""The verb `grade`: a folder of submitted exercise notebooks into a gradebook.

    python -m sgdcourse.grading grade SUBMISSION... [--out grades.csv] [--jobs N] [--cell-timeout S]
                      [--check-timeout S] [--memory-limit MB] [--solutions DIR] [--exercise NN]
                      [--time-budget S] [--max-size MB] [--unsandboxed] [--roster CSV] [--shard I/N]
    grading.grade.main(submissions, out="grades.csv", ...)     the same from Python (grading.cli parses)

SUBMISSION: .ipynb files, or folders searched recursively for them (hidden folders such as
.ipynb_checkpoints are skipped, symbolic links never followed). --shard I/N grades only the I-th of
N shares of them (the k-th submission in sorted order when k % N == I - 1), so N machines can each
grade one share; `merge` joins the shards' gradebooks into the one a single run writes.

Whose numbers (every learner has their own, drawn from the course id of course.json, the learner id
and the problem): with --roster CSV (columns submission, learner: a submission's path as found here,
or its file name, and the learner id) each notebook is graded as its rostered learner, whatever id
its start() names (the summary says when it names another); a submission not in the roster gets an
error row. Without a roster, the id the notebook's start() names is used, and the summary says that
it was not verified. First the library and the
solutions are checked against the manifest (grading.integrity) and a sandbox is made
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
     --cell-timeout per cell, then an interrupt; errors do not stop the run: grading.execution;
     --time-budget for everything one notebook takes, steps 3 to 5: grading.submission);
  4. for each problem of the exercise, evaluate in the kernel the expression that the TRUSTED
     solution passes to check("<id>", <expr>), and rebuild the value here (grading.remote and
     grading.wire; a function becomes a RemoteFunction that runs the learner's code in the kernel);
  5. check it with the course's checker of this process (checking.answers.check, the bank as installed),
     so nothing the notebook redefines, patches or prints can change a grade (grading.scoring).

Score: Problem.points when correct; for a function, points x (cases passed / cases) otherwise
(Result.passed); else 0. Rounded to 0.01.

Output, rows sorted by submission path, then problem order in the exercise, with no timings:
  --out (grades.csv):            submission, problem, status, score, points, feedback, slip, variant
      status: correct | recorded | incorrect | unanswered | unreadable, or "error" in a single row with an
      empty problem when the submission could not be graded at all; slip: the name of the mistake
      the checker recognised in an incorrect answer (empty otherwise), which the class report counts;
      variant: which of its space's candidates the learner's numbers are ("today": today's numbers;
      empty for a problem without numbers);
  <out>_summary.csv:             submission, exercise, total, max, error, notes, learner, id
      error: why it could not be graded (empty otherwise); notes: cells that raised or were
      stopped; learner: whose numbers it was graded with (empty: today's); id: how that learner
      was known (rostered, or not verified).
Both are written to temporary files renamed into place once every kernel is gone, every string
cleaned and no cell a spreadsheet formula (grading.gradebook). main returns 0 once both files are
written, 1 when they are written but a submission's row is an internal grader error (a bug, or a
missing dependency: its row is not a grade), 130 when interrupted; bad arguments raise UsageError
(the command line: exit status 2).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from ..checking.answers import DEFAULT_TIMEOUT
from ..problems.variants import check_learner, course_id
from . import integrity
from .exercise import SubmissionError, load_exercises, normalised
from .gradebook import clean, fmt, summary_path, write_gradebook
from .pool import grade_all
from .sandbox import Sandbox, probe
from .submission import INTERNAL, Options

SOLUTIONS = integrity.SOLUTIONS  # the repository's, next to lib/


class UsageError(ValueError):
    """A bad argument: `argument` names it as the command line spells it, the message says why."""

    def __init__(self, argument, message):
        super().__init__(f"argument {argument}: {message}" if argument else message)
        self.argument = argument


def find_submissions(paths):
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
            raise UsageError("SUBMISSION", f"no such file or folder: {clean(arg)}")
    if not found:
        raise UsageError("SUBMISSION", f"no .ipynb files in {clean(', '.join(paths))}")
    return sorted(found, key=lambda s: os.fsencode(s))


def read_roster(path, found):
    """{submission path as found: learner id} from the roster CSV (columns submission, learner); a row
    may name a submission by its path as found or by its file name. UsageError naming --roster for an
    unreadable file, a bad id, a row naming no submission found, or a submission named twice."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError("--roster", f"could not read {clean(path)}: {exc}") from None
    if not rows or not {"submission", "learner"} <= set(rows[0]):
        raise UsageError("--roster", f"{clean(path)} must be a CSV with the columns submission and learner")
    by_name = {}
    for s in found:
        by_name.setdefault(os.path.basename(s), []).append(s)
    roster = {}
    for line, row in enumerate(rows, start=2):
        name, learner = (row.get("submission") or "").strip(), row.get("learner")
        try:
            learner = check_learner(learner)
        except ValueError as exc:
            raise UsageError("--roster", f"line {line}: {exc}") from None
        matches = [name] if name in found else by_name.get(name, [])
        if len(matches) != 1:
            why = "no submission found" if not matches else "several submissions have that file name"
            raise UsageError("--roster", f"line {line}: {clean(name)!r}: {why}")
        if matches[0] in roster:
            raise UsageError("--roster", f"line {line}: {clean(name)!r} is rostered twice")
        roster[matches[0]] = learner
    return roster


def parse_shard(text):
    """(i, n) from "I/N" with 1 <= I <= N; UsageError naming --shard."""
    try:
        i, n = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise UsageError("--shard", f"expected I/N such as 2/3, got {clean(text)!r}") from None
    if not 1 <= i <= n:
        raise UsageError("--shard", f"I/N needs 1 <= I <= N, got {i}/{n}")
    return i, n


def _shard(found, i, n):
    """The I-th of N shares of the sorted submissions: every N-th one, starting with the I-th."""
    return [s for k, s in enumerate(found) if k % n == i - 1]


def plan(submissions, out, solutions, exercise):
    """(exercises, solutions folder, out path, submission paths, exercise number or None) once every
    argument is valid (the number's digits normalised as file names' are)."""
    folder = Path(solutions) if solutions else SOLUTIONS
    if not folder.is_dir():
        raise UsageError(
            "--solutions",
            f"no such folder: {folder}"
            + ("" if solutions else " (the package is not in a repository checkout; pass --solutions)"),
        )
    try:
        exercises = load_exercises(folder)
    except (SubmissionError, OSError) as exc:
        raise UsageError("--solutions", f"a solution notebook could not be read: {exc}") from None
    if not exercises:
        raise UsageError("--solutions", f"no solution notebooks NN_*.ipynb with checks in {folder}")
    exercise = None if exercise is None else normalised(exercise)
    if exercise is not None and exercise not in {e.number for e in exercises}:
        raise UsageError(
            "--exercise", f"no exercise {exercise!r}; the exercises are {', '.join(e.number for e in exercises)}"
        )
    out = Path(out)
    for path, what in ((out, "--out"), (summary_path(out), "--out (its summary file)")):
        if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
            raise UsageError(what, f"{clean(path)} exists and is not a regular file")
    if not out.parent.is_dir():
        raise UsageError("--out", f"{clean(out)} must be a file in an existing folder")
    found = find_submissions(submissions)
    if out.resolve() in {Path(s).resolve() for s in found} or out.suffix == ".ipynb":
        raise UsageError("--out", f"{clean(out)} would overwrite a submission")
    changed = integrity.verify(folder if not solutions else None)
    if changed:
        raise UsageError(
            None,
            "the installed course differs from the one released, so grades could have been "
            f"tampered with ({'; '.join(changed[:5])}{' ...' if len(changed) > 5 else ''}). Reinstall "
            "it, or if you changed it yourself run `python -m sgdcourse.grading manifest` to record it",
        )
    return exercises, folder, out, found, exercise


def make_sandbox(unsandboxed, memory_limit):
    """The Sandbox every kernel runs in (remove() it when done), or None with a warning when
    unsandboxed; UsageError saying how to get one when bubblewrap cannot make it here."""
    if unsandboxed:
        print(
            "warning: grading WITHOUT a sandbox (--unsandboxed): every submission's code runs with your permissions",
            file=sys.stderr,
        )
        return None
    why = probe()
    if why:
        raise UsageError(None, why)
    return Sandbox.create(memory_limit)


def progress(graded, k, n):
    """One line on stderr per submission graded: its total, or why it could not be graded."""
    what = f"error: {graded.error}" if graded.error else f"{fmt(graded.total)}/{fmt(graded.max)}"
    print(clean(f"[{k}/{n}] {graded.submission}: {what}", 500), file=sys.stderr, flush=True)


def main(
    submissions,
    *,
    out="grades.csv",
    jobs=None,
    cell_timeout=30.0,
    check_timeout=DEFAULT_TIMEOUT,
    memory_limit=4096,
    solutions=None,
    exercise=None,
    time_budget=600.0,
    max_size=20,
    unsandboxed=False,
    roster=None,
    shard=None,
):
    """Grade `submissions` (files or folders) into `out` and its summary; the exit status (0; 1 when a
    row is an internal grader error; 130 when interrupted). Raises UsageError for a bad argument,
    before any notebook runs.

    jobs: notebooks at once (default: the CPU cores); cell_timeout, check_timeout, time_budget in
    seconds; memory_limit in MB per kernel (0: none); max_size in MB per file; solutions: the trusted
    solution notebooks (default: the repository's); exercise: "NN" to grade only that one; roster:
    a CSV of submission and learner; shard: "I/N", grade only that share of the submissions."""
    exercises, _, out, found, exercise = plan(submissions, out, solutions, exercise)
    rostered = read_roster(roster, found) if roster else None
    if shard:
        found = _shard(found, *parse_shard(shard))
        if not found:
            write_gradebook([], out)
            print(clean(f"shard {shard}: no submissions; wrote an empty {out}"))
            return 0
    try:
        course = course_id()
    except ValueError as exc:
        raise UsageError(None, str(exc)) from None
    sandbox = make_sandbox(unsandboxed, memory_limit)
    options = Options(
        cell_timeout,
        check_timeout,
        memory_limit,
        exercise,
        sandbox,
        time_budget,
        max_size * 2**20,
        course=course,
        roster=rostered,
    )
    jobs = min(jobs or os.cpu_count() or 1, len(found))
    print(
        f"grading {len(found)} submission{'s' * (len(found) != 1)} against "
        f"{len(exercises)} exercises with {jobs} worker{'s' * (jobs != 1)}"
        f"{', each in a sandbox' if sandbox else ''}",
        file=sys.stderr,
        flush=True,
    )
    try:
        graded = grade_all([(s, exercises, options) for s in found], jobs, progress)
    except KeyboardInterrupt:
        print("interrupted: no gradebook written", file=sys.stderr)
        return 130
    finally:
        if sandbox is not None:
            sandbox.remove()
    paths = write_gradebook(graded, out)  # every worker, and so every kernel, is gone by now
    errors = sum(bool(g.error) for g in graded)
    print(clean(f"wrote {paths[0]} and {paths[1]}: {len(graded)} submissions, {errors} not graded"))
    internal = [g for g in graded if g.error.startswith(INTERNAL)]
    if internal:
        print(
            clean(
                f"error: {len(internal)} submission{'s' * (len(internal) != 1)} hit an {INTERNAL} "
                f"(the first: {internal[0].submission}: {internal[0].error}); "
                "their rows are not grades: fix the cause and grade them again"
                + (" (a missing module: pip install '.[grade]')" if "ModuleNotFoundError" in internal[0].error else ""),
                1000,
            ),
            file=sys.stderr,
        )
        return 1
    return 0
