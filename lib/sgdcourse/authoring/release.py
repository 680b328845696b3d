"""The verb `release`: exercise notebooks from solution notebooks, one source and two versions.

    python -m sgdcourse.authoring release [--root DIR] [--check]     (the command line: authoring.cli)
    authoring.release.main(root=".", check=False)                    the same from Python

reads DIR/solutions/NN_*.ipynb and writes DIR/exercises/NN_*.ipynb (DIR defaults to the
current directory, the repository root) with the otter-grader / nbgrader markers applied:
  - in code cells, each region from a line `# BEGIN SOLUTION` to a line `# END SOLUTION` becomes
    `# your answer here` and `...` at the BEGIN line's indentation (`# BEGIN SOLUTION NO PROMPT`
    drops the region and leaves nothing);
  - `name = value  # SOLUTION` becomes `name = ...`, `return value  # SOLUTION` becomes
    `return ...`, and any other statement ending in `# SOLUTION` becomes `...`;
  - markdown cells from one containing `<!-- BEGIN SOLUTION -->` to one containing
    `<!-- END SOLUTION -->` are dropped (a region inside a single cell is cut out of it);
  - outputs are cleared, execution counts set to None, timing metadata removed.
The JSON is nbformat's (sorted keys) with a trailing newline, so running twice gives the same
bytes. With --check nothing is written: the exit status is 1, with the stale, missing and extra
exercise notebooks named, when exercises/ differs from what would be generated, else 0. After a
change to a problem or a solution, the grader's manifest needs recording too (`python -m
sgdcourse.grading manifest`; `make release` runs both): release itself knows nothing of grading.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat

from ..layout import BEGIN, END, EXERCISES, INLINE, MD_BEGIN, MD_END, SOLUTIONS, notebooks

ASSIGN = re.compile(r"^([A-Za-z_][\w.]*(?:\[[^\]]*\])?(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*(?::[^=]+)?=(?!=)")
PROMPT = "# your answer here"


class ReleaseError(ValueError):
    """A solution notebook whose markers cannot be applied (unbalanced, nested, wrong format)."""


def strip_code(source, where="cell"):
    """The exercise version of a code cell's source (see the module docstring)."""
    out, open_at = [], None
    for n, line in enumerate(source.split("\n"), 1):
        begin = BEGIN.match(line)
        if begin:
            if open_at is not None:
                raise ReleaseError(f"{where}: line {n} opens a solution inside the one opened at line {open_at}")
            open_at = n
            if not begin.group(2):
                out += [f"{begin.group(1)}{PROMPT}", f"{begin.group(1)}..."]
        elif END.match(line):
            if open_at is None:
                raise ReleaseError(f"{where}: line {n} closes a solution that was never opened")
            open_at = None
        elif open_at is None:
            out.append(_strip_inline(line))
    if open_at is not None:
        raise ReleaseError(f"{where}: the solution opened at line {open_at} is never closed")
    return "\n".join(out)


def _strip_inline(line):
    m = INLINE.match(line)
    if not m:
        return line
    indent, code = m.groups()
    assign = ASSIGN.match(code)
    if assign:
        return f"{indent}{assign.group(1)} = ..."
    if code.startswith("return ") or code == "return":
        return f"{indent}return ..."
    return f"{indent}..."


def strip_markdown(cells, where="notebook"):
    """Drop markdown cells inside <!-- BEGIN SOLUTION --> ... <!-- END SOLUTION --> regions."""
    kept, open_at = [], None
    for k, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            kept.append(cell)
            continue
        text = cell.source
        if open_at is None and MD_BEGIN in text:
            head, _, rest = text.partition(MD_BEGIN)
            if MD_END in rest:  # the whole region sits inside this cell
                cell.source = (head + rest.partition(MD_END)[2]).strip("\n")
                if cell.source.strip():
                    kept.append(cell)
                continue
            open_at = k
            continue
        if open_at is not None:
            if MD_END in text:
                open_at = None
            continue
        if MD_END in text:
            raise ReleaseError(f"{where}: markdown cell {k} closes a solution that was never opened")
        kept.append(cell)
    if open_at is not None:
        raise ReleaseError(f"{where}: the markdown solution opened in cell {open_at} is never closed")
    return kept


def read_notebook(text, where="notebook"):
    """Parse notebook JSON; cells of an nbformat 4.5 notebook without ids get ids cell-0, cell-1, ...
    (nbformat would invent random ones, and the output would differ on every run)."""
    raw = json.loads(text)
    if raw.get("nbformat") != 4:
        raise ReleaseError(f"{where}: nbformat 4 notebooks only, got version {raw.get('nbformat')!r}")
    if raw.get("nbformat_minor", 0) >= 5:
        for k, cell in enumerate(raw.get("cells", [])):
            cell.setdefault("id", f"cell-{k}")
    return nbformat.reads(json.dumps(raw), as_version=4)


def exercise(text, where="notebook"):
    """The exercise notebook (JSON text) made from a solution notebook's JSON text."""
    nb = read_notebook(text, where)
    nb.metadata.pop("widgets", None)
    nb.cells = strip_markdown(nb.cells, where)
    for k, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            cell.source = strip_code(cell.source, f"{where}, code cell {k}")
            cell.outputs = []
            cell.execution_count = None
    out = nbformat.writes(nb, version=4)
    return out if out.endswith("\n") else out + "\n"


def build(root="."):
    """{exercises/NN_name.ipynb: JSON text} for every solutions/NN_name.ipynb under root."""
    root = Path(root)
    src = root / SOLUTIONS
    if not src.is_dir():
        raise ReleaseError(f"no solutions/ folder under {root}: run from the repository root or pass --root")
    return {
        f"exercises/{p.name}": exercise(p.read_text(encoding="utf-8"), f"solutions/{p.name}") for p in notebooks(src)
    }


def differences(root="."):
    """Messages naming every exercise that is stale, missing or has no solution ([] when in step)."""
    root, wanted = Path(root), build(root)
    have = {f"{EXERCISES}/{p.name}" for p in notebooks(root / EXERCISES)}
    problems = []
    for name, text in wanted.items():
        if name not in have:
            problems.append(f"missing: {name} (from solutions/{name.split('/')[1]})")
        elif (root / name).read_bytes() != text.encode("utf-8"):
            problems.append(f"stale: {name} differs from what solutions/{name.split('/')[1]} generates")
    problems += [f"extra: {name} has no solution notebook" for name in sorted(have - set(wanted))]
    return problems


def write(root="."):
    """Write every exercise notebook that changed and remove those without a solution; returns messages."""
    root, wanted = Path(root), build(root)
    (root / EXERCISES).mkdir(exist_ok=True)
    done = []
    for name, text in wanted.items():
        path, data = root / name, text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            done.append(f"wrote {name}")
    for path in notebooks(root / EXERCISES):
        if f"exercises/{path.name}" not in wanted:
            path.unlink()
            done.append(f"removed exercises/{path.name} (no solution notebook)")
    return done


def main(root=".", check=False):
    """Write exercises/ from solutions/ under root (check=True: only compare); the exit status:
    0 done or up to date, 1 stale (check), 2 a solution notebook whose markers cannot be applied."""
    try:
        if check:
            problems = differences(root)
            for line in problems:
                print(line, file=sys.stderr)
            if problems:
                print("exercises/ is out of date: run `python -m sgdcourse.authoring release`", file=sys.stderr)
                return 1
            print("exercises/ is up to date")
            return 0
        for line in write(root) or ["exercises/ was already up to date"]:
            print(line)
        return 0
    except (ReleaseError, OSError, json.JSONDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
