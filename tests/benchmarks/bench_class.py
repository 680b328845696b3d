"""Benchmark: a class of 300 submissions graded with a roster, each learner with their own numbers.

Run with .venv/bin/python tests/benchmarks/bench_class.py [COUNT] (not collected by pytest: the
time depends on the machine). Submission k is the shipped solution or exercise notebook of one of
the eight exercises (cycled), started as learner k (start("learner-k@example.org")), in a folder
of its own, and rostered as that learner. The command is the instructor's:
`python -m sgdcourse.grading grade submissions --roster roster.csv --out grades.csv` with the
default number of workers (the CPU cores), each submission in its sandbox. Then the class report
is written from the gradebook. Prints the wall time, the time per submission, and checks that every
solution got full marks as its learner and every exercise zero. docs/benchmarks.md has the figures.
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


def main(count=300):
    sources = [p for folder in ("solutions", "exercises") for p in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        kinds, roster = {}, ["submission,learner"]
        for k, src in zip(range(count), itertools.cycle(sources)):
            folder = tmp / "submissions" / f"student{k:03d}"
            folder.mkdir(parents=True)
            learner = f"learner-{k}@example.org"
            text = src.read_text(encoding="utf-8").replace("start(None)", f"start({learner!r})", 1)
            (folder / src.name).write_text(text, encoding="utf-8")
            path = f"submissions/student{k:03d}/{src.name}"
            kinds[path] = src.parent.name
            roster.append(f"{path},{learner}")
        (tmp / "roster.csv").write_text("\n".join(roster) + "\n")
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "sgdcourse.grading", "grade", "submissions", "--roster", "roster.csv"]
            + ["--out", "grades.csv"],
            cwd=tmp,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - start
        if proc.returncode:
            sys.exit(f"the grader failed:\n{proc.stderr[-3000:]}")
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-m", "sgdcourse.grading", "report", "grades.csv"], cwd=tmp, check=True)
        report_s = time.monotonic() - t0
        with open(tmp / "grades_summary.csv", newline="", encoding="utf-8") as f:
            summary = list(csv.DictReader(f))
    wrong = [
        s["submission"]
        for s in summary
        if s["error"]
        or (kinds[s["submission"]] == "solutions" and float(s["total"]) != float(s["max"]))
        or (kinds[s["submission"]] == "exercises" and float(s["total"]) != 0)
    ]
    print(
        f"{count} submissions (rostered, each learner's own numbers), {os.cpu_count()} cores: "
        f"{seconds:.0f} s, {seconds / count:.2f} s per submission; report {report_s:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if wrong:
        sys.exit(f"{len(wrong)} submissions graded wrongly, e.g. {wrong[:3]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
