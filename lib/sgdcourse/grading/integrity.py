"""The grader's own files, checked against a manifest before any submission is graded.

    digests(solutions) -> {relative path: sha256} of every file of the sgdcourse package and of
                          the solution notebooks NN_*.ipynb (the things a grade depends on)
    verify(solutions)  -> [problem, ...]: files changed, missing or added since the manifest
    write(solutions)      the manifest, MANIFEST (run by `python -m sgdcourse.release`)

A submission graded without the sandbox, or anyone with write access, could have changed the
library, the problem bank or the solutions so that a later run gives the grades they choose; the
grader refuses to run on such an install. The manifest is a text file in the package:
"<sha256>  <path>" per line, package files as sgdcourse/..., solutions as solutions/...
"""
from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
MANIFEST = PACKAGE / "grading" / "MANIFEST.sha256"
SOLUTIONS = PACKAGE.parents[1] / "solutions"   # the repository's, when the package is a checkout's
PATTERN = "[0-9][0-9]_*.ipynb"


def _files(solutions):
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path != MANIFEST and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield f"sgdcourse/{path.relative_to(PACKAGE).as_posix()}", path
    if solutions is not None:
        for path in sorted(Path(solutions).glob(PATTERN)):
            yield f"solutions/{path.name}", path


def digests(solutions):
    """{name: sha256 hex} of the package's files and the solution notebooks (None: none)."""
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in _files(solutions)}


def read_manifest():
    entries = {}
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            entries[name] = digest
    return entries


def verify(solutions):
    """What differs from the manifest: [] when the install is as released. Solutions are
    compared only if the manifest lists them and `solutions` is given."""
    if not MANIFEST.is_file():
        return [f"no manifest {MANIFEST.name} in the package"]
    want, have = read_manifest(), digests(solutions)
    if solutions is None:
        want = {k: v for k, v in want.items() if not k.startswith("solutions/")}
    problems = [f"changed: {name}" for name in sorted(want) if name in have and have[name] != want[name]]
    problems += [f"missing: {name}" for name in sorted(set(want) - set(have))]
    problems += [f"not in the manifest: {name}" for name in sorted(set(have) - set(want))]
    return problems


def write(solutions):
    """Write the manifest for the package as it is and the solutions in `solutions`."""
    MANIFEST.write_text("".join(f"{d}  {name}\n" for name, d in digests(solutions).items()), encoding="utf-8")
    return MANIFEST
