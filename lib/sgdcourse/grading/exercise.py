"""Which exercise a submitted notebook is: the trusted exercises, and matching a submission to one.

    solutions/NN_*.ipynb --load_exercises()--> [Exercise(name, number, ((problem id, expression), ...))]
    submission bytes --read_cells()--> [(cell number, cell type, source)]
                     --claims(): the problem ids of the check calls that run--> identify(): its Exercise

An exercise's problems are the check("<id>", <expr>) calls of its TRUSTED solution notebook, in
order; <expr> is what the grader later evaluates in the submission's kernel. A submission's
check calls only say which exercise it is, and only those that run whenever their cell runs
count (running()): in the cell's top-level statements, the bodies of `with`, `try` (and its
`finally`) and class bodies, in decorators and default values; not in a function's body, a
lambda, a branch of `if`, `while`, `for` or `match`, an `except` or `else` block, the branches of
`a if c else b`, what follows `and`/`or`, the elements of a comprehension, code after a `raise`,
or a cell that does not parse (it never runs). Their ids must all belong to one exercise, and a
file name starting with a number (02_...) must name that same exercise; with no such check
calls the file name decides. Ids and file names are read after NFKC normalisation, with every
decimal digit read as the ASCII digit of its value (a name "０５_x" is exercise 06). Anything
else is a SubmissionError, "wrong exercise". A notebook's stored outputs are never read.

A lone surrogate in a cell's source (valid JSON, so an honest notebook can carry one) is
rewritten as its escape (\\ud800): the same value in a string literal, the same nothing in a
comment, and text that UTF-8, and so the kernel's messages, can carry (the surrogate cannot be).
"""

from __future__ import annotations

import ast
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .. import problems as bank
from ..layout import _parse, check_calls, notebooks


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


SURROGATE = re.compile("[\ud800-\udfff]")


def read_cells(data):
    """[(number, cell type, source)] of a notebook's bytes; SubmissionError when it is not one.
    Lone surrogates in a source come back as their escapes (see the module docstring)."""
    if not data.strip():
        raise SubmissionError("empty file")
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SubmissionError("not a notebook: the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SubmissionError(
            f"not a notebook: invalid JSON at line {exc.lineno}, column {exc.colno} "
            f"({exc.msg}); a truncated or damaged file?"
        ) from None
    except RecursionError:
        raise SubmissionError("not a notebook: the JSON is nested too deeply") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SubmissionError("not a Jupyter notebook: the JSON has no list of cells")
    if nb.get("nbformat") != 4:
        raise SubmissionError(
            f"a notebook in format {nb.get('nbformat')!r}; only nbformat 4 can be graded "
            "(open and save it in a current Jupyter)"
        )
    cells = []
    for number, cell in enumerate(nb["cells"], 1):
        source = cell.get("source", "") if isinstance(cell, dict) else None
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise SubmissionError(f"not a valid notebook: cell {number} has no source text")
        cells.append((number, cell.get("cell_type"), SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", source)))
    return cells


SHOWN = re.compile(r"^\d\d-[a-z0-9-]+: the numbers of (.{1,200})$", re.M)  # how practice.data's Numbers shows


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield "".join(v for v in value if isinstance(v, str))


def shown_learners(data):
    """The learner ids whose numbers the notebook's stored outputs show (data()'s display), sorted.
    Stored outputs decide no grade; this only says whose numbers the notebook last ran with."""
    nb = json.loads(data.decode("utf-8-sig"))
    found = set()
    for cell in nb.get("cells", []):
        outputs = cell.get("outputs", []) if isinstance(cell, dict) else []
        for out in outputs if isinstance(outputs, list) else []:
            if not isinstance(out, dict):
                continue
            bundle = out.get("data") if isinstance(out.get("data"), dict) else {}
            for text in (*_texts(out.get("text")), *_texts(bundle.get("text/plain"))):
                found.update(SHOWN.findall(text))
    return sorted(found)


def code_cells(cells):
    return [(n, src) for n, kind, src in cells if kind == "code"]


def load_exercises(folder, warn=lambda text: print(text, file=sys.stderr)):
    """The exercises of the solution notebooks NN_*.ipynb in folder, by number."""
    exercises = []
    for path in notebooks(folder):
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


def normalised(text):
    """text after NFKC normalisation, every decimal digit (of any script) as the ASCII digit of its value."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def name_number(submission):
    """The exercise number "NN" that a file name starts with (two digits, not three), or None."""
    m = re.match(r"([0-9]{2})(?![0-9])", normalised(Path(submission).name))
    return m.group(1) if m else None


def running(source):
    """The code of a cell that runs whenever the cell runs (see the module docstring), as source
    text for layout.check_calls: "" for a cell that does not parse."""
    tree = _parse(source)
    if tree is None:
        return ""
    return "\n".join(ast.unparse(_Unconditional().visit(e)) for e in _block(tree.body))


def claims(cells):
    """The problem ids (normalised) of the check calls that run in a submission's code cells."""
    return [normalised(pid) for _, source in code_cells(cells) for pid, _ in check_calls(running(source))]


def _block(statements):
    """The expressions that run whenever this block of statements runs, up to a `raise`."""
    out = []
    for st in statements:
        out += _statement(st)
        if isinstance(st, (ast.Raise, ast.Return, ast.Break, ast.Continue)):
            break
    return out


def _statement(st):
    """The expressions of one statement that run whenever it does, those of its blocks that always
    run included."""
    if isinstance(st, (ast.Expr, ast.Return)):
        return [st.value] if st.value is not None else []
    if isinstance(st, ast.Assign):
        return [*st.targets, st.value]
    if isinstance(st, (ast.AugAssign, ast.AnnAssign)):
        return [st.target] + ([st.value] if st.value is not None else [])
    if isinstance(st, ast.Delete):
        return list(st.targets)
    if isinstance(st, ast.Assert):
        return [st.test]
    if isinstance(st, ast.Raise):
        return [e for e in (st.exc, st.cause) if e is not None]
    if isinstance(st, (ast.If, ast.While)):
        return [st.test]
    if isinstance(st, (ast.For, ast.AsyncFor)):
        return [st.iter]
    if isinstance(st, ast.Match):
        return [st.subject]
    if isinstance(st, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in st.items] + _block(st.body)
    if isinstance(st, ast.Try) or type(st).__name__ == "TryStar":
        return _block(st.body) + _block(st.finalbody)
    if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [*st.decorator_list, *st.args.defaults, *(d for d in st.args.kw_defaults if d is not None)]
    if isinstance(st, ast.ClassDef):
        return [*st.decorator_list, *st.bases, *(k.value for k in st.keywords)] + _block(st.body)
    return []  # import, global, pass, ...: no expression


class _Unconditional(ast.NodeTransformer):
    """An expression with the parts that may not run removed: a lambda's body, the branches of
    `a if c else b`, what follows `and`/`or`, a comprehension's elements (its first iterable stays)."""

    def visit_Lambda(self, node):
        return ast.Constant(None)

    def visit_IfExp(self, node):
        return self.visit(node.test)

    def visit_BoolOp(self, node):
        return self.visit(node.values[0])

    def _comprehension(self, node):
        return self.visit(node.generators[0].iter)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def identify(submission, cells, exercises):
    """The exercise a submission belongs to (see the module docstring), or SubmissionError."""
    owner = {pid: ex for ex in exercises for pid, _ in ex.problems}
    found = sorted({owner[pid].name for pid in claims(cells) if pid in owner})
    number = name_number(submission)
    by_name = next((ex for ex in exercises if number is not None and ex.number == number), None)
    if len(found) > 1:
        raise SubmissionError(f"wrong exercise: it checks problems of several exercises ({', '.join(found)})")
    if found:
        ex = next(ex for ex in exercises if ex.name == found[0])
        if by_name is not None and by_name is not ex:
            raise SubmissionError(
                f"wrong exercise: the file name says {by_name.name}, but its checks are those of {ex.name}"
            )
        return ex
    if by_name is not None:
        return by_name
    raise SubmissionError(
        "wrong exercise: it checks no problem of any exercise and its file name "
        f"does not start with an exercise number ({', '.join(e.number for e in exercises)})"
    )
