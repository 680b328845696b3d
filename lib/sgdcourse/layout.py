"""How the course is laid out, on disk and inside its notebooks: the one rule that release,
export, the grader, the site and the tests all read.

    LESSONS, EXERCISES, SOLUTIONS      the folder names: lessons, learner versions, their single source
    PATTERN, NUMBERED                  a course notebook's name: two digits, "_", a name, ".ipynb"
    GLOSSARY, APPENDICES               notebooks/glossary.ipynb, every symbol of the course: a page, not a lesson
    notebooks(folder)                  the numbered notebooks of a folder, in lesson order
    table_of_contents(root)            every lesson followed by its exercise notebook, by number; then the appendices
    BEGIN, END, INLINE, has_solution   the otter/nbgrader solution markers in a code cell
    check_calls(source)                [(problem id, answer expression)] of the check("id", expr) calls
    problem_cells(cells)               a solution notebook's problems: markdown, answer cells, check cell
    bank_lessons()                     the lesson numbers that have a module problems/lessonNN.py

A problem in a solution notebook: a markdown cell naming its id opens it, code cells carrying
solution markers hold the answer, and the code cell with check("id", expr) closes it. `check`
may be called by name or as an attribute (`practice.check(...)`); the grader evaluates `expr`.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]  # the checkout's root, when the package is a checkout's
LESSONS, EXERCISES, SOLUTIONS = "notebooks", "exercises", "solutions"
PATTERN = "[0-9][0-9]_*.ipynb"
NUMBERED = re.compile(r"^(\d\d)_[\w-]+\.ipynb$")
# Unnumbered notebooks of notebooks/ that the course reads but does not teach from: no exercise,
# no problem bank, no lesson's closing sections. The site lists them after the last lesson.
GLOSSARY = "glossary.ipynb"
APPENDICES = (GLOSSARY,)

BEGIN = re.compile(r"^(\s*)#\s*BEGIN SOLUTION( NO PROMPT)?\s*$")
END = re.compile(r"^\s*#\s*END SOLUTION\s*$")
INLINE = re.compile(r"^(\s*)([^#\s].*?)\s*#\s*SOLUTION\s*$")
MD_BEGIN, MD_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"


# files -------------------------------------------------------------------------------------
def notebooks(folder):
    """The numbered notebooks NN_name.ipynb of a folder, in lesson order (a missing folder: none)."""
    return sorted(p for p in Path(folder).glob(PATTERN) if NUMBERED.match(p.name))


def table_of_contents(root=REPOSITORY):
    """["notebooks/NN_x.ipynb", "exercises/NN_x.ipynb", ..., "notebooks/glossary.ipynb"]: each lesson
    followed by its exercise notebook of the same name, by lesson number, then the appendices of
    notebooks/ that exist, in the order of APPENDICES. Every notebook appears once; any other
    notebook without a number, or an exercise without its lesson, is a ValueError."""
    root = Path(root)
    names = sorted(p.name for p in (root / LESSONS).glob("*.ipynb"))
    lessons = [n for n in names if n not in APPENDICES]
    exercises = {p.name for p in (root / EXERCISES).glob("*.ipynb")}
    odd = [n for n in lessons + sorted(exercises) if not NUMBERED.match(n)]
    if odd:
        raise ValueError(f"notebooks without an NN_ number cannot be placed in order: {odd}")
    if exercises - set(lessons):
        raise ValueError(f"exercise notebooks without a lesson: {sorted(exercises - set(lessons))}")
    order = []
    for name in lessons:
        order.append(f"{LESSONS}/{name}")
        if name in exercises:
            order.append(f"{EXERCISES}/{name}")
    return order + [f"{LESSONS}/{name}" for name in APPENDICES if name in names]


def bank_lessons():
    """(1, 2, ...): the lessons whose module problems/lessonNN.py exists, found on disk."""
    here = Path(__file__).resolve().parent / "problems"
    return tuple(
        sorted(
            int(m.group(1))
            for p in here.glob("lesson[0-9][0-9].py")
            if (m := re.fullmatch(r"lesson(\d\d)\.py", p.name))
        )
    )


# cells -------------------------------------------------------------------------------------
def has_solution(source):
    """True when a code cell's source has a solution region or a `# SOLUTION` line."""
    return any(BEGIN.match(line) or END.match(line) or INLINE.match(line) for line in source.split("\n"))


def _parse(source):
    """The cell's syntax tree (IPython %magic and !shell lines blanked), or None."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def check_calls(source):
    """[(problem id, expression source)] of the check("<id>", <expr>) calls in a code cell, in order.

    A call counts by name or attribute (`check(...)`, `practice.check(...)`) with a string literal
    first. A cell that does not parse still gives its ids, read by the tokenizer from code (never
    from comments or other strings), with None for the expression."""
    tree = _parse(source)
    if tree is None:
        return [(pid, None) for pid in _token_ids(source)]
    calls = sorted(
        (node.lineno, node.col_offset, node.args[0].value, ast.unparse(node.args[1]))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and len(node.args) >= 2
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check"
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )
    return [(pid, expr) for _, _, pid, expr in calls]


def _token_ids(source):
    tokens, ids = [], []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                tokens.append(tok)
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    for a, b, c in zip(tokens, tokens[1:], tokens[2:]):
        if (a.type, a.string, b.string, c.type) == (tokenize.NAME, "check", "(", tokenize.STRING):
            m = re.fullmatch(r"""(['"])(\d\d-[\w-]+)\1""", c.string)
            if m:
                ids.append(m.group(2))
    return ids


@dataclass(frozen=True)
class ProblemCells:
    """Where one problem sits in a solution notebook (cell indices).

    id, expr   the problem id and the answer expression its check cell passes;
    markdown   the markdown cells from the one that names the id up to the check cell;
    answers    the code cells in that span, and since the previous check cell, that carry solution markers;
    check      the check cell."""

    id: str
    expr: str | None
    markdown: tuple
    answers: tuple
    check: int


def problem_cells(cells):
    """[ProblemCells] of a notebook's cells, each cell a (cell type, source) pair, in notebook order.
    A check cell checks its first call's problem; a problem that no markdown cell names has no markdown."""
    found, previous = [], -1
    for k, (kind, source) in enumerate(cells):
        calls = check_calls(source) if kind == "code" else []
        if not calls:
            continue
        pid, expr = calls[0]
        heads = [j for j in range(previous + 1, k) if cells[j][0] == "markdown" and pid in cells[j][1]]
        start = heads[-1] if heads else k
        found.append(
            ProblemCells(
                pid,
                expr,
                tuple(j for j in range(start, k) if cells[j][0] == "markdown"),
                tuple(j for j in range(previous + 1, k) if cells[j][0] == "code" and has_solution(cells[j][1])),
                k,
            )
        )
        previous = k
    return found
