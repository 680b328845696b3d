"""What a learner receives from an export, scanned for the bank's reference answers.

    needles(bank) -> [Needle]            every problem's answer in the forms the bank stores or shows
    scan(folders, needles) -> [Leak]     each needle found in a file under the folders
    handout(tool, folder) -> [Path]      what a learner gets from an export (see below)

A Needle is (problem id, form, text). The forms, taken from the bank itself, never typed here:

    value      a number answer as a fraction p/q (q > 1) and as a float (repr), each value of a list;
    code       an expression answer as str() and sympy.srepr(); each line of a function answer's
               source (inspect.getsource), comments and the def line left out;
    stored     `answer=` and the source of that argument as its lessonNN.py writes it (a letter in
               quotes, a name, a call), the only form of a choice answer and of most whole-number
               answers.

A needle is kept only where it is evidence: text that every learner gets anyway cannot be. So a
needle also found in any problem's statement, hints, options or signature (shipped on purpose, in
the sealed bank: a number one problem states can be another's answer by coincidence, as -0.8 is),
in the published exercise notebooks, or in the library less its answer modules
(problems/lessonNN.py) is dropped; dropped() says which.

The handout of each tool: otter's dist/student/ of every assignment; nbgrader's release/ and the
learners' library learner/ (export.nbgrader.LEARNER). The grading side (otter's dist/autograder/
and its zip; nbgrader's source/ and the instructor's environment) is not scanned: it needs them.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import sympy

from ... import layout
from ...problems import sealed

SKIP = ("__pycache__", ".ipynb_checkpoints")


@dataclass(frozen=True)
class Needle:
    """One form of one problem's reference answer: id, form (value, code or stored) and the text."""

    problem: str
    form: str
    text: str

    def pattern(self):
        """The text as a regex, not inside a longer number or name (0.1 does not match 0.15)."""
        body = re.escape(self.text)
        head = r"(?<![\w.])" if re.match(r"[\w.-]", self.text) else ""
        tail = r"(?![\w.])" if re.search(r"[\w.]$", self.text) else ""
        return re.compile(head + body + tail)


@dataclass(frozen=True)
class Leak:
    """A needle found in a file: the file's path (under the folder scanned) and the needle."""

    path: str
    needle: Needle

    def __str__(self):
        return f"{self.path}: {self.needle.problem} ({self.needle.form}) {self.needle.text!r}"


def stored_answers(package=sealed.PACKAGE):
    """{problem id: the source of its answer= argument} from the real lessonNN.py modules."""
    found = {}
    for path in sorted((Path(package) / "problems").iterdir()):
        if not sealed.ANSWERS.fullmatch(path.name):
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem":
                args = {k.arg: k.value for k in node.keywords}
                if isinstance(args.get("id"), ast.Constant) and "answer" in args:
                    found[args["id"].value] = ast.get_source_segment(source, args["answer"])
    return found


def _forms(problem, stored):
    a, out = problem.answer, []
    if problem.kind == "number":
        for v in a if isinstance(a, tuple) else (a,):
            if isinstance(v, (int, Fraction)) and Fraction(v).denominator != 1:
                out.append(("value", f"{Fraction(v).numerator}/{Fraction(v).denominator}"))
            out.append(("value", repr(float(v))))
    elif problem.kind == "expression":
        out += [("code", str(a)), ("code", sympy.srepr(a))]
    elif problem.kind == "function":
        for line in textwrap.dedent(inspect.getsource(a)).splitlines()[1:]:
            text = line.split("  #")[0].strip()
            if text and not text.startswith(("#", '"""', "'''")):
                out.append(("code", text))
    if stored is not None:
        out.append(("stored", "answer=" + " ".join(stored.split())))
    return out


def public_text(problem):
    """What a problem shows the learner on purpose: statement, hints, options, signature."""
    return "\n".join([problem.statement, *problem.hints, *problem.options, problem.signature])


def baseline(root=None):
    """Text every learner gets anyway: the library less its answer modules, and the published
    exercise notebooks of the repository at root (the checkout this package is in, by default)."""
    package = sealed.PACKAGE
    files = [
        p
        for p in package.rglob("*")
        if p.is_file() and not any(s in p.parts for s in SKIP) and not p.suffix == ".pyc"
        if not (p.parent == package / "problems" and sealed.ANSWERS.fullmatch(p.name))
    ]
    root = Path(root) if root is not None else package.parents[1]
    files += layout.notebooks(root / "exercises")
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def needles(bank, *, common=None):
    """(kept, dropped): the Needles of every problem of bank, those that are evidence of a leak and
    those also found in text every learner gets (common, default baseline())."""
    common = baseline() if common is None else common
    stored = stored_answers()
    kept, dropped = [], []
    public = "\n".join(public_text(p) for p in bank.values())  # the sealed bank ships every one
    for problem in bank.values():
        for form, text in dict.fromkeys(_forms(problem, stored.get(problem.id))):
            needle = Needle(problem.id, form, text)
            found = needle.pattern()
            (dropped if found.search(public) or found.search(common) else kept).append(needle)
    return kept, dropped


def files(folder):
    """Every file under folder, compiled files and checkpoints left out (a learner's notebook is
    text; so are the library and its data)."""
    return sorted(
        p for p in Path(folder).rglob("*") if p.is_file() and not any(s in p.parts for s in SKIP) and p.suffix != ".pyc"
    )


def scan(folders, found_needles):
    """Each Leak: a needle of found_needles in a file under one of the folders. Text is read with
    whitespace runs made one space (so a needle spanning a line break still matches) and JSON's
    escapes of a notebook undone by reading it as text of its cells too."""
    patterns = [(n, n.pattern()) for n in found_needles]
    leaks = []
    for folder in folders:
        for path in files(folder):
            raw = path.read_text(encoding="utf-8", errors="replace")
            text = raw + "\n" + " ".join(raw.split())
            if path.suffix == ".ipynb":
                text += "\n" + _notebook_text(raw)
            leaks += [Leak(str(path), n) for n, p in patterns if p.search(text)]
    return leaks


def _notebook_text(raw):
    import json

    try:
        nb = json.loads(raw)
    except ValueError:
        return ""
    parts = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        parts.append("".join(source) if isinstance(source, list) else source)
        parts.append(json.dumps(cell.get("outputs", [])))
    parts.append(json.dumps(nb.get("metadata", {})))
    text = "\n".join(parts)
    return text + "\n" + " ".join(text.split())


def handout(tool, folder):
    """The folders a learner receives from an export under folder, after the tool ran: otter's
    NN_name/dist/student/ of each assignment; nbgrader's release/ and learner/."""
    folder = Path(folder)
    if tool == "otter":
        return sorted(folder.glob("*/dist/student"))
    if tool == "nbgrader":
        from .nbgrader import LEARNER

        return [p for p in (folder / "release", folder / LEARNER) if p.is_dir()]
    raise ValueError(f"tool: expected otter or nbgrader, got {tool!r}")
