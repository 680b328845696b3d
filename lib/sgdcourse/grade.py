"""Grade a folder of submitted exercise notebooks into a gradebook.

    python -m sgdcourse.grade SUBMISSION... [--out grades.csv] [--jobs N] [--cell-timeout S]
                              [--check-timeout S] [--memory-limit MB] [--solutions DIR] [--exercise NN]

SUBMISSION: .ipynb files, or folders searched recursively for them (hidden folders such as
.ipynb_checkpoints are skipped). Per submission, in a worker process (--jobs of them at once):

  1. read the file's bytes (never written to) and take its cells; its stored outputs are ignored;
  2. find its exercise among the trusted solution notebooks (--solutions, default: the
     repository's solutions/): the problem ids of its check("<id>", ...) calls must all belong to
     one exercise, and a file name starting with a number (02_...) must name that same exercise;
     with no check calls at all the file name decides. Anything else, or another exercise than
     --exercise NN asks for: "wrong exercise";
  3. run every code cell in order in a fresh kernel (kernelrun.Kernel: this Python, an empty
     temporary folder, --memory-limit on its address space, --cell-timeout per cell, then an
     interrupt; errors do not stop the run);
  4. for each problem of the exercise, evaluate in the kernel the expression that the TRUSTED
     solution passes to check("<id>", <expr>), and rebuild the value here (kernelrun.decode; a
     function becomes a RemoteFunction that runs the learner's code in the kernel);
  5. check it with the course's checker of this process (practice.check, the bank as installed),
     so nothing the notebook redefines, patches or prints can change a grade.

Score: Problem.points when correct; for a function, points x (cases passed / cases) otherwise
(Result.passed); else 0. Rounded to 0.01.

Output, rows sorted by submission path, then problem order in the exercise, with no timings:
  --out (grades.csv):            submission, problem, status, score, points, feedback
      status: correct | incorrect | unanswered | unreadable, or "error" in a single row with an
      empty problem when the submission could not be graded at all;
  <out>_summary.csv:             submission, exercise, total, max, error, notes
      error: why it could not be graded (empty otherwise); notes: cells that raised or were
      stopped. The exit status is 0 once both files are written, 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import ast
import csv
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import practice, timelimit
from . import problems as bank
from .checking import Result
from .kernelrun import GRACE, START_TIMEOUT, Kernel, KernelDied, unsafe_text

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"   # the repository's, next to lib/
PATTERN = "[0-9][0-9]_*.ipynb"
SLACK = 30.0   # seconds on top of each step's own limit before the supervisor kills a worker
GRADES = ("submission", "problem", "status", "score", "points", "feedback")
SUMMARY = ("submission", "exercise", "total", "max", "error", "notes")


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


@dataclass
class Options:
    cell_timeout: float = 30.0
    check_timeout: float = practice.DEFAULT_TIMEOUT
    memory_mb: int = 4096
    exercise: str | None = None    # the number every submission must be (None: any exercise)


@dataclass
class Graded:
    """What grading one submission gives: its rows and its summary line."""

    submission: str
    exercise: str = ""
    rows: list = field(default_factory=list)
    total: float = 0.0
    max: float | str = ""
    error: str = ""
    notes: list = field(default_factory=list)


# ---- the trusted side: exercises from the solution notebooks --------------------------------

def code_cells(cells):
    return [(n, src) for n, kind, src in cells if kind == "code"]


def _parse(source):
    """The cell's syntax tree (IPython %magic and !shell lines blanked), or None."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def check_calls(source):
    """[(problem id, expression source)] of the check("<id>", <expr>) calls in a cell."""
    tree = _parse(source)
    if tree is None:  # a cell with a syntax error: find the ids at least
        return [(m.group(2), None) for m in re.finditer(r"""\bcheck\(\s*(['"])(\d\d-[\w-]+)\1""", source)]
    calls = sorted((node.lineno, node.col_offset, node.args[0].value, ast.unparse(node.args[1]))
                   for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and len(node.args) >= 2
                   and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check"
                   and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))
    return [(pid, expr) for _, _, pid, expr in calls]


def load_exercises(folder, warn=lambda text: print(text, file=sys.stderr)):
    """The exercises of the solution notebooks NN_*.ipynb in folder, by number."""
    exercises = []
    for path in sorted(Path(folder).glob(PATTERN)):
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


# ---- the untrusted side: a submission ----------------------------------------------------------

def read_cells(data):
    """[(number, cell type, source)] of a notebook's bytes; SubmissionError when it is not one."""
    if not data.strip():
        raise SubmissionError("empty file")
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SubmissionError("not a notebook: the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"not a notebook: invalid JSON at line {exc.lineno}, column {exc.colno} "
                              f"({exc.msg}); a truncated or damaged file?") from None
    except RecursionError:
        raise SubmissionError("not a notebook: the JSON is nested too deeply") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SubmissionError("not a Jupyter notebook: the JSON has no list of cells")
    if nb.get("nbformat") != 4:
        raise SubmissionError(f"a notebook in format {nb.get('nbformat')!r}; only nbformat 4 can be graded "
                              "(open and save it in a current Jupyter)")
    cells = []
    for number, cell in enumerate(nb["cells"], 1):
        source = cell.get("source", "") if isinstance(cell, dict) else None
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise SubmissionError(f"not a valid notebook: cell {number} has no source text")
        cells.append((number, cell.get("cell_type"), source))
    return cells


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
            raise SubmissionError(f"wrong exercise: the file name says {by_name.name}, "
                                  f"but its checks are those of {ex.name}")
        return ex
    if by_name is not None:
        return by_name
    raise SubmissionError("wrong exercise: it checks no problem of any exercise and its file name "
                          f"does not start with an exercise number ({', '.join(e.number for e in exercises)})")


# ---- checking one answer -----------------------------------------------------------------------

def score_of(result, points):
    """points when correct; a function's share of passed cases; else 0 (rounded to 0.01)."""
    if result.status == "correct":
        return float(points)
    if result.passed and result.status != "unanswered" and result.passed[1]:
        return round(points * result.passed[0] / result.passed[1], 2)
    return 0.0


def check_answer(problem, answer, check_timeout):
    """The course's own Result for a rebuilt answer, checked in this process; never raises."""
    if problem.kind == "expression" and isinstance(answer, str):
        reason = unsafe_text(answer, problem.namespace)
        if reason:
            return Result("unreadable", f"Could not read the answer: {reason}", problem_id=problem.id)
    budget = check_budget(problem, check_timeout)
    kind, value = timelimit.run(lambda: practice.check(problem.id, answer, timeout=check_timeout), budget)
    if kind == "value":
        return value
    why = f"checking it took longer than {budget:g} s" if kind == "timeout" else f"{type(value).__name__}: {value}"
    return Result("unreadable", f"Could not check the answer: {why}.", problem_id=problem.id)


def check_budget(problem, check_timeout):
    return check_timeout * (2 + len(problem.mistakes)) + 10


def missing(expr, kind, detail, incidents, cells):
    """The Result for an answer that could not be taken from the kernel; for an undefined name,
    the incidents of the cells that mention it (other than NameErrors about it) say why."""
    if kind == "raised" and detail[0] == "NameError":
        names = re.findall(r"[A-Za-z_]\w*", expr)
        sources = dict(code_cells(cells))
        others = [(n, text) for n, text in incidents if not any(f"name '{x}' is not defined" in text for x in names)]
        related = [text for n, text in others if any(re.search(rf"\b{x}\b", sources.get(n, "")) for x in names)]
        head = f"No answer ({detail[0]}: {detail[1]})"
        if related:
            return Result("unanswered", f"{head}: {'; '.join(related[:3])}.")
        if others:
            return Result("unanswered", f"{head}. Did a cell fail? {'; '.join(t for _, t in others[:3])}.")
        return Result("unanswered", f"{head}: no cell failed; was the answer's cell deleted, or the name changed?")
    if kind == "raised":
        return Result("unreadable", f"Could not read the answer: evaluating `{expr}` raised {detail[0]}: {detail[1]}")
    if kind == "timeout":
        return Result("unreadable", f"Could not read the answer: evaluating `{expr}` did not finish in time.")
    return Result("unreadable", f"Could not read the answer: {detail}")


# ---- grading one submission (in a worker) -------------------------------------------------------

def grade_file(task, phase=lambda seconds, what: None, on_pid=None):
    """Graded for task = (submission path as given, exercises, Options); never raises.

    phase(seconds, what) is told before each step how long it may take (the supervisor's watch)."""
    submission, exercises, options = task
    out = Graded(submission)
    try:
        cells = read_cells(Path(submission).read_bytes())
        ex = identify(submission, cells, exercises)
        if options.exercise and ex.number != options.exercise:
            raise SubmissionError(f"wrong exercise: it is {ex.name}, not exercise {options.exercise}")
        out.exercise, out.max = ex.name, ex.max
        _grade_notebook(out, cells, ex, options, phase, on_pid)
    except SubmissionError as exc:
        out.error = str(exc)
    except KernelDied as exc:
        out.error = f"not graded: {exc}"
    except OSError as exc:
        out.error = f"could not read the file: {exc.strerror or exc}"
    except Exception as exc:  # a bug in the grader must not cost the other submissions
        out.error = f"internal grader error: {type(exc).__name__}: {exc}"
    if out.error:
        out.rows, out.total = [(submission, "", "error", 0.0, out.max, out.error)], 0.0
    return out


def _grade_notebook(out, cells, ex, options, phase, on_pid):
    kernel = Kernel(options.memory_mb, options.check_timeout, on_pid)
    try:
        phase(START_TIMEOUT, "starting the kernel")
        kernel.start()
        incidents = kernel.run_notebook(code_cells(cells), options.cell_timeout, phase)
        out.notes = [text for _, text in incidents]
        answers = []
        for pid, expr in ex.problems:
            phase(options.check_timeout + GRACE, f"reading the answer to {pid}")
            try:
                answers.append((pid, expr, *kernel.value(expr)))
            except KernelDied as exc:
                raise KernelDied(f"{exc} while reading the answer to {pid}") from None
        for pid, expr, kind, value in answers:
            problem = bank.BANK[pid]
            phase(check_budget(problem, options.check_timeout) + 2 * GRACE, f"checking {pid}")
            result = check_answer(problem, value, options.check_timeout) if kind == "value" \
                else missing(expr, kind, value, incidents, cells)
            kernel.settle()
            score = score_of(result, problem.points)
            out.rows.append((out.submission, pid, result.status, score, problem.points, result.feedback))
        out.total = round(sum(r[3] for r in out.rows), 2)
    finally:
        kernel.close()


# ---- the supervisor: a pool of worker processes with a watch on each step ----------------------

def _worker(conn, grader):
    """A worker process: grade each task received until None, reporting steps and kernel pids."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the supervisor's to handle
    while True:
        task = conn.recv()
        if task is None:
            return
        result = grader(task, lambda seconds, what: conn.send(("phase", seconds, what)),
                        lambda pid: conn.send(("pid", pid)))
        conn.send(("done", result))


class _Slot:
    """One worker process, the task it holds, and how long its current step may still take."""

    def __init__(self, ctx, grader):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, grader), daemon=True)
        self.proc.start()
        child.close()
        self.task = self.pid = None
        self.deadline, self.what, self.allowed = float("inf"), "", 0.0

    def give(self, index, task, slack):
        self.task = (index, task)
        self.conn.send(task)
        self.watch(START_TIMEOUT, "starting the grading process", slack)

    def watch(self, seconds, what, slack):
        self.allowed, self.what, self.deadline = seconds + slack, what, time.monotonic() + seconds + slack

    def receive(self, slack):
        """Handle one message: the Graded when the task is done, "died" when the process is gone."""
        try:
            msg = self.conn.recv()
        except (EOFError, OSError):
            return "died"
        if msg[0] == "phase":
            self.watch(msg[1], msg[2], slack)
        elif msg[0] == "pid":
            self.pid = msg[1]
        elif msg[0] == "done":
            return msg[1]
        return None

    def kill(self):
        if self.pid and hasattr(os, "killpg"):
            try:
                os.killpg(self.pid, signal.SIGKILL)   # the kernel leads its own process group
            except OSError:
                pass
        self.proc.kill()
        self.proc.join(5)


def grade_all(tasks, jobs, on_done=lambda graded, k, n: None, grader=grade_file, slack=SLACK):
    """[Graded] for the tasks (in their order), graded by `jobs` worker processes.

    A worker that dies, or spends longer on one step than that step's limit plus `slack`
    (say, a C loop that no alarm can interrupt), is killed and replaced; its submission gets an
    error row. Every other submission is still graded. grader(task, phase, on_pid) -> Graded
    runs in the workers (a module-level function: the workers are spawned)."""
    ctx = multiprocessing.get_context("spawn")
    todo, results = list(enumerate(tasks))[::-1], {}
    slots = [_Slot(ctx, grader) for _ in range(max(1, min(jobs, len(tasks))))]
    try:
        while len(results) < len(tasks):
            for k, slot in enumerate(slots):
                if slot is None and todo:
                    slot = slots[k] = _Slot(ctx, grader)
                if slot is not None and slot.task is None and todo:
                    slot.give(*todo.pop(), slack)
            busy = [s for s in slots if s is not None and s.task is not None]
            timeout = min(5.0, max(0.05, min(s.deadline for s in busy) - time.monotonic()))
            ready = multiprocessing.connection.wait([s.conn for s in busy], timeout)
            for slot in busy:
                outcome = slot.receive(slack) if slot.conn in ready else None
                if outcome is None and time.monotonic() > slot.deadline:
                    outcome = f"grading was stopped: {slot.what} took longer than {slot.allowed:g} s"
                if outcome is None:
                    continue
                index, (submission, *_rest) = slot.task
                if isinstance(outcome, str):   # the worker died or was stopped: replace it
                    why = "the grading process died" if outcome == "died" else outcome
                    outcome = Graded(submission, rows=[(submission, "", "error", 0.0, "", why)], error=why)
                    slot.kill()
                    slots[slots.index(slot)] = None
                results[index] = outcome
                slot.task = slot.pid = None
                on_done(outcome, len(results), len(tasks))
    finally:
        for slot in slots:
            if slot is not None and slot.task is None:
                try:
                    slot.conn.send(None)
                except OSError:
                    pass
        for slot in slots:
            if slot is not None:
                slot.proc.join(2 if slot.task is None else 0)
                if slot.proc.is_alive() or slot.task is not None:
                    slot.kill()
    return [results[k] for k in range(len(tasks))]


# ---- the command line -------------------------------------------------------------------------

def find_submissions(paths, parser):
    """[path as given] of the .ipynb files under the arguments, deduplicated, sorted."""
    found = {}
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for f in sorted(p.rglob("*.ipynb")):
                if not any(part.startswith(".") for part in f.relative_to(p).parts):
                    found.setdefault(f.resolve(), f.as_posix())
        elif p.is_file():
            found.setdefault(p.resolve(), p.as_posix())
        else:
            parser.error(f"argument SUBMISSION: no such file or folder: {arg}")
    if not found:
        parser.error(f"argument SUBMISSION: no .ipynb files in {', '.join(paths)}")
    return sorted(found.values())


def _fmt(x):
    return "" if x == "" else f"{x:g}"


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_gradebook(graded, out):
    """Write out (one row per submission and problem) and <out>_summary.csv; returns both paths."""
    out = Path(out)
    summary = out.with_name(f"{out.stem}_summary{out.suffix or '.csv'}")
    write_csv(out, GRADES, [(s, p, st, _fmt(sc), _fmt(pt), fb) for g in graded for s, p, st, sc, pt, fb in g.rows])
    write_csv(summary, SUMMARY, [(g.submission, g.exercise, _fmt(g.total), _fmt(g.max), g.error, "; ".join(g.notes))
                                 for g in graded])
    return out, summary


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
    if out.is_dir() or not out.parent.is_dir():
        parser.error(f"argument --out: {args.out} must be a file in an existing folder")
    submissions = find_submissions(args.submissions, parser)
    if out.resolve() in {Path(s).resolve() for s in submissions} or out.suffix == ".ipynb":
        parser.error(f"argument --out: {args.out} would overwrite a submission")

    options = Options(args.cell_timeout, args.check_timeout, args.memory_limit, args.exercise)
    jobs = min(args.jobs, len(submissions))
    print(f"grading {len(submissions)} submission{'s' * (len(submissions) != 1)} against "
          f"{len(exercises)} exercises with {jobs} worker{'s' * (jobs != 1)}", file=sys.stderr, flush=True)

    def progress(g, k, n):
        what = f"error: {g.error}" if g.error else f"{_fmt(g.total)}/{_fmt(g.max)}"
        print(f"[{k}/{n}] {g.submission}: {what}", file=sys.stderr, flush=True)

    try:
        graded = grade_all([(s, exercises, options) for s in submissions], jobs, progress)
    except KeyboardInterrupt:
        print("interrupted: no gradebook written", file=sys.stderr)
        return 130
    paths = write_gradebook(graded, out)
    errors = sum(bool(g.error) for g in graded)
    print(f"wrote {paths[0]} and {paths[1]}: {len(graded)} submissions, {errors} not graded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
