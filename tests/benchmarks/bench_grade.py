"""Benchmark: grade 30 submissions with the default number of workers and print the wall time.

Run with .venv/bin/python tests/benchmarks/bench_grade.py (not collected by pytest: the time
depends on the machine). The submissions are copies of the shipped solution and exercise
notebooks, cycled until there are 30 (one folder per made-up student, as a collection of
hand-ins looks); the command is the instructor's, `python -m sgdcourse.grading grade FOLDER --out ...`.
Target: under 2 minutes on 2 cores. Also checks that solutions got full marks and exercises 0.
The same 30 are then graded with --unsandboxed, and the difference per submission is the cost of
the sandbox (bubblewrap's namespaces, the sealed library, the watchdog).
"""

from __future__ import annotations

import csv
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COUNT, TARGET_S = 30, 120.0


def grade(extra=()):
    """(seconds, summary rows, kinds) of grading the 30 submissions once."""
    sources = [p for folder in ("solutions", "exercises") for p in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))]
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "submissions"
        kinds = {}
        for k, src in zip(range(COUNT), itertools.cycle(sources)):
            folder = subs / f"student{k:02d}"
            folder.mkdir(parents=True)
            (folder / src.name).write_bytes(src.read_bytes())
            kinds[f"{folder.relative_to(tmp).as_posix()}/{src.name}"] = src.parent.name
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "sgdcourse.grading", "grade", "submissions", "--out", "grades.csv", *extra],
            cwd=tmp,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - start
        if proc.returncode:
            sys.exit(f"the grader failed:\n{proc.stderr}")
        with open(Path(tmp) / "grades_summary.csv", newline="", encoding="utf-8") as f:
            summary = list(csv.DictReader(f))
    return seconds, summary, kinds


def main():
    seconds, summary, kinds = grade()
    bare, _, _ = grade(["--unsandboxed"])
    wrong = [
        s["submission"]
        for s in summary
        if s["error"] or s["total"] != (s["max"] if kinds[s["submission"]] == "solutions" else "0")
    ]
    print(
        f"graded {len(summary)} submissions ({sum(v == 'solutions' for v in kinds.values())} solutions, "
        f"{sum(v == 'exercises' for v in kinds.values())} exercises) with {os.cpu_count()} workers "
        f"on {os.cpu_count()} cores"
    )
    print(
        f"wall time {seconds:.1f} s ({seconds / len(summary):.2f} s per submission); "
        f"target < {TARGET_S:.0f} s: {'met' if seconds < TARGET_S else 'MISSED'}"
    )
    print(f"unsandboxed: {bare:.1f} s; the sandbox costs {(seconds - bare) / len(summary):+.2f} s per submission")
    if wrong:
        sys.exit(f"unexpected grades for: {', '.join(wrong)}")


if __name__ == "__main__":
    main()
