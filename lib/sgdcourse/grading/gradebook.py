"""The gradebook files: rows in, two CSV files out that nothing in a submission can break.

    Row(submission, problem, status, score, points, feedback, slip, variant)   one line of the gradebook
    write_gradebook([Graded], out) -> out (one Row per submission and problem) and
                                      <out>_summary.csv (one line per submission)
    read_rows(path, header)        -> the rows of a gradebook (or summary) file; GradebookError if not one
    merge(shards, out)             -> the gradebooks of shards (`grade --shard I/N`) joined into out
                                      and its summary: what one run over all the submissions writes

Each file is written to a new temporary file in the same folder and renamed over the old one, so
a reader never sees half a gradebook and a planted file at that name is replaced, not written
through. Every string passes clean(): a file name's undecodable bytes, lone surrogates, control
characters and terminal escapes become visible escapes, and a cell is at most 2,000 characters.
Then inert(): a cell that a spreadsheet would run as a formula (one starting with =, +, -, @, tab
or CR, full-width forms included) gets a leading apostrophe, so it shows as the text it is.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class Row:
    """One line of the gradebook: the grade of one problem of one submission, or a submission's
    single error row (problem "", status "error", the reason as feedback)."""

    submission: str
    problem: str
    status: str  # correct | recorded (a prediction) | incorrect | unanswered | unreadable | error
    score: float
    points: float | str  # the problem's points ("" in the error row of an unidentified submission)
    feedback: str
    slip: str = ""  # an incorrect answer's recognised mistake or slip (Result.mistake), for the class report
    variant: str = ""  # the learner's variant: its candidate's number in the pool, "today", or "" (no numbers)


GRADES = tuple(f.name for f in fields(Row))  # the header of the gradebook, Row's fields in order
SUMMARY = ("submission", "exercise", "total", "max", "error", "notes", "learner", "id")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what starts a formula in Excel, LibreOffice, Google Sheets
NUMBER = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


def clean(text, most=2000):
    """text safe for a CSV cell and a terminal: undecodable bytes of a file name and lone
    surrogates as \\xNN / \\udcNN, control characters (escape sequences) as \\xNN, at most `most`
    characters."""
    text = str(text)
    try:  # a file name's undecodable bytes come back as the bytes they were
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text if len(text) <= most else text[: most - 1] + "…"


def inert(text):
    """text as a spreadsheet will show it, never run it: a leading apostrophe when it starts like a
    formula (FORMULA, after NFKC, so a full-width ＝ counts) and is not a plain number."""
    if unicodedata.normalize("NFKC", text[:1])[:1] in FORMULA and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def fmt(x):
    """A number for a CSV cell (3, 0.5, 1.2), or "" for none."""
    return "" if x == "" else f"{x:g}"


def write_csv(path, header, rows, raw=False):
    """Write the rows to a new temporary file next to path and rename it to path; every string
    through clean() and inert() unless raw (cells read back from a gradebook, already both)."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".grades-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([[inert(clean(v)) if isinstance(v, str) and not raw else v for v in row] for row in rows])
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def cells(row):
    """The gradebook cells of a Row, in GRADES order: its numbers through fmt, its text as it is."""
    return row.submission, row.problem, row.status, fmt(row.score), fmt(row.points), row.feedback, row.slip, row.variant


def write_gradebook(graded, out):
    """Write out (one row per submission and problem) and <out>_summary.csv; returns both paths."""
    out = Path(out)
    summary = summary_path(out)
    write_csv(out, GRADES, [cells(row) for g in graded for row in g.rows])
    write_csv(
        summary,
        SUMMARY,
        [
            (g.submission, g.exercise, fmt(g.total), fmt(g.max), g.error, "; ".join(g.notes), g.learner, g.identity)
            for g in graded
        ],
    )
    return out, summary


def summary_path(out):
    return out.with_name(f"{out.stem}_summary{out.suffix or '.csv'}")


class GradebookError(ValueError):
    """A file that is not a gradebook of this grader, or shards that cannot be joined."""


MergeError = GradebookError  # what merge raises


def read_rows(path, header=GRADES):
    """The rows (lists of cells) of a gradebook or summary file written by this grader, its header
    left out; GradebookError for a file that cannot be read or has another header."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GradebookError(f"could not read {clean(path)}: {exc}") from None
    if not rows or tuple(rows[0]) != header:
        raise GradebookError(f"{clean(path)} is not a gradebook of this grader: its header is not {', '.join(header)}")
    return rows[1:]


def merge(shards, out):
    """Join the gradebooks of shards (paths of `grade --shard` outputs, each with its summary) into
    out and its summary, rows in the order one run writes them: by submission (its path's bytes),
    then in each submission's own order; a shard's summary among the paths (a glob that matched it
    too) is skipped. MergeError when a submission is in two shards."""
    shards = [Path(p) for p in shards]
    given = {p.resolve() for p in shards}  # a summary named beside its gradebook (a glob's match) is left out
    shards = [
        p
        for p in shards
        if not (p.stem.endswith("_summary") and p.with_name(p.stem[:-8] + p.suffix).resolve() in given)
    ]
    grades, summary, seen = {}, {}, {}
    for shard in shards:
        for row in read_rows(summary_path(shard), SUMMARY):
            if row[0] in seen:
                raise MergeError(f"{clean(row[0])} is in two shards: {seen[row[0]]} and {clean(shard)}")
            seen[row[0]], summary[row[0]] = clean(shard), row
        for row in read_rows(shard, GRADES):
            grades.setdefault(row[0], []).append(row)
    order = sorted(summary, key=lambda s: os.fsencode(s))
    out = Path(out)
    write_csv(out, GRADES, [row for s in order for row in grades.get(s, [])], raw=True)
    write_csv(summary_path(out), SUMMARY, [summary[s] for s in order], raw=True)
    return out, summary_path(out)
