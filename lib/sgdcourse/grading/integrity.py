"""What decides a grade, checked against a manifest before any submission is graded.

    digests(solutions) -> {relative path: sha256} of the files that decide a grade: the problem bank,
                          the checker, the grader, the practice front (sgdcourse/problems/,
                          checking/, grading/, practice.py, course.json) and the solution notebooks
    verify(solutions)  -> [problem, ...]: files changed, missing or added since the manifest
    write(solutions)      the manifest, MANIFEST
    main(check=False)     `python -m sgdcourse.grading manifest [--check]`: write it, or compare

A submission graded without the sandbox, or anyone with write access, could have changed the
problem bank, the checker or the solutions so that a later run gives the grades they choose; the
grader refuses to run on such an install. The rest of the library (models, plots, the lessons'
views) decides no grade, so editing it needs no new manifest. The manifest is a text file in the
package: "<sha256>  <path>" per line, package files as sgdcourse/..., solutions as solutions/...
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from .. import layout

PACKAGE = Path(__file__).resolve().parents[1]
MANIFEST = PACKAGE / "grading" / "MANIFEST.sha256"
SOLUTIONS = layout.REPOSITORY / layout.SOLUTIONS  # the repository's, when the package is a checkout's
# what decides a grade, in the package (course.json: the course id that picks each learner's numbers)
TRUSTED = ("problems", "checking", "grading", "practice.py", "course.json")


def _files(solutions):
    for path in sorted(PACKAGE.rglob("*")):
        rel = path.relative_to(PACKAGE)
        if (
            rel.parts[0] in TRUSTED
            and path.is_file()
            and path != MANIFEST
            and "__pycache__" not in rel.parts
            and path.suffix != ".pyc"
        ):
            yield f"sgdcourse/{rel.as_posix()}", path
    if solutions is not None:
        for path in layout.notebooks(solutions):
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


def main(check=False, solutions=SOLUTIONS):
    """Record the manifest of this checkout (or with check=True only compare it); the exit status.

    Run after changing a problem, the checker, the grader or a solution notebook; the grader
    refuses to grade until the manifest matches."""
    if check:
        problems = verify(solutions)
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            print("the grader's manifest is out of date: run `python -m sgdcourse.grading manifest`", file=sys.stderr)
            return 1
        print("the grader's manifest is up to date")
        return 0
    print(f"recorded the problem bank, the checker, the grader and the solutions in {write(solutions).name}")
    return 0
