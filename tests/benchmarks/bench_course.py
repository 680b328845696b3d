"""Benchmark: execute the whole course headless, as a fresh kernel would, and time it.

Run with `make bench` or `.venv/bin/python tests/benchmarks/bench_course.py [--jobs N]`.
Every notebook of notebooks/, solutions/ and exercises/ is executed top to bottom with
nbclient in a fresh kernel of this environment (in memory: no file is written), in
parallel over --jobs processes (default: the number of cores). Prints each notebook's time
and the wall time of the whole course. Target: under 2 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
TARGET_S = 120.0


def run(path):
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        allow_errors=False,
        record_timing=False,
    ).execute(stderr=subprocess.DEVNULL)  # kernel chatter
    return path.relative_to(ROOT).as_posix(), time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel kernels (default: cores)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be >= 1")
    paths = sorted(p for d in ("notebooks", "solutions", "exercises") for p in (ROOT / d).glob("*.ipynb"))
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run, paths))
    wall = time.perf_counter() - t0
    print(f"\n{'notebook':45} {'seconds':>8}")
    for name, seconds in results:
        print(f"{name:45} {seconds:8.1f}")
    print(
        f"\n{len(results)} notebooks, {args.jobs} parallel kernels: {wall:.1f} s wall "
        f"({sum(s for _, s in results):.1f} s of kernel time); target {TARGET_S:.0f} s: "
        + ("ok" if wall <= TARGET_S else "SLOW")
    )
    return 0 if wall <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
