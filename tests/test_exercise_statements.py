"""Every exercise statement agrees with the data in its cells and with its entry in the bank; a
problem whose numbers are the learner's own (a space, sgdcourse.problems.variants) states none of them.

The problems are read from the solution notebooks themselves (a `check("id", name)` cell closes a
problem; the markdown cell naming the id opens it), so a problem added later is covered too:
  - a problem with a space: neither its markdown nor its answer cells carry a number of today's that a
    learner's variant may change (its numbers come from data("id"), so a static view of the notebook
    and the learner's own copy say the same); the numbers below concern the problems without one;
  - every number a learner is given in an answer cell (after release has stripped the solution)
    is stated in the problem's markdown and in the bank's statement; a pair or triple such as
    `(Fraction(3), 0)` must appear as that pair, e.g. "(3, 0)", in both;
  - every number in the bank's statement is stated in the markdown too (in the problem or above it);
  - no statement hands out the answer of another problem of the same notebook;
  - no distinctive answer (a fraction whose denominator exceeds 10, such as 0.38 = 19/50) of a
    number problem is printed by its lesson, except the source's own practice problems, which the
    course keeps on purpose (plain values such as 0.1 or 0.25 turn up in any lesson by chance);
  - the generated exercise cells hold one placeholder per answer, no stray `...` lines.
"""

from __future__ import annotations

import ast
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

from sgdcourse.authoring.release import strip_code
from sgdcourse.layout import notebooks, problem_cells
from sgdcourse.problems import BANK
from sgdcourse.problems.pools import CANONICAL, POOLS

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = notebooks(ROOT / "solutions")
NUM = r"-?\d+(?:\.\d+)?(?:/\d+)?"
TUPLE = re.compile(rf"[(\[]\s*({NUM}(?:\s*,\s*{NUM})+)\s*[)\]]")
# The problems taken from the source's own practice section, whose numbers the lesson works through.
SOURCE_PRACTICE = {"03-batch-gradient", "03-batch-update", "04-sd-batch", "04-var-batch", "02-unbiased"}


def _source(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def normalise(text):
    """Text with LaTeX numbers written plainly: 60\\,000 -> 60000, \\tfrac12 -> 1/2, \\frac{a}{b} -> a/b."""
    text = re.sub(r"(?<=\d)(?:\\,|\\ |_|,)(?=\d{3}(?!\d))", "", text)
    text = re.sub(r"\\[dt]?frac\{(\d+)\}\{(\d+)\}", r"\1/\2", text)
    text = re.sub(r"\\[dt]?frac(\d)(\d)", r"\1/\2", text)
    text = re.sub(r"\blist of \d+ numbers", "list of numbers", text)  # a count of answers, not data
    return text.replace("−", "-")


def _value(token):
    return Fraction(token)


def numbers(text, signed=False):
    """The numbers in a text, as absolute values unless signed (a/b counts as a/b, a and b)."""
    size = (lambda v: v) if signed else abs
    out = set()
    for token in re.findall(NUM, normalise(text)):
        out.add(size(_value(token)))
        out.update(size(Fraction(part)) for part in token.split("/"))
    return out


def tuples(text):
    return {tuple(_value(t.strip()) for t in m.split(",")) for m in TUPLE.findall(normalise(text))}


# ---- the data a cell hands the learner ----------------------------------------------------------


class NotData(Exception):
    pass


def _data(node):
    """A number, or a list of data, from a literal-ish expression (Fraction(1, 10), [(2, 1), ...])."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return Fraction(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _data(node.operand)
        if isinstance(v, Fraction):
            return -v
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func)
        if name in ("Fraction", "sp.Rational", "sp.Integer", "float", "int", "np.array") and not node.keywords:
            args = [_data(a) for a in node.args]
            if name == "np.array":
                return args[0]
            if all(isinstance(a, Fraction) for a in args):
                return args[0] / args[1] if len(args) == 2 else args[0]
    if isinstance(node, (ast.List, ast.Tuple)):
        return ("tuple" if isinstance(node, ast.Tuple) else "list", [_data(e) for e in node.elts])
    if isinstance(node, ast.Dict):
        return ("list", [_data(v) for v in node.values])
    raise NotData(ast.unparse(node))


def _atoms(value, out):
    """Split data into scalars and tuples of scalars (a pair (x_i, y_i) is one atom)."""
    if isinstance(value, Fraction):
        out.append(value)
        return out
    kind, items = value
    if kind == "tuple" and items and all(isinstance(v, Fraction) for v in items):
        out.append(tuple(items))
    else:
        for v in items:
            _atoms(v, out)
    return out


def given_data(code):
    """Atoms of every top-level assignment of literal data in a code cell (solutions stripped)."""
    atoms = []
    for stmt in ast.parse(strip_code(code)).body:
        if not isinstance(stmt, ast.Assign):
            continue
        values = [stmt.value]
        if isinstance(stmt.targets[0], ast.Tuple) and isinstance(stmt.value, ast.Tuple):
            values = stmt.value.elts  # eta, w0 = Fraction(1, 10), Fraction(0): two scalars
        for v in values:
            try:
                _atoms(_data(v), atoms)
            except NotData:
                pass
    return atoms


# ---- problems as the solution notebooks lay them out ------------------------------------------


def problems(path):
    """[(id, markdown context, answer cells' sources, own statement)] for one solution notebook, its
    problems found by the course layout (sgdcourse.layout.problem_cells)."""
    cells = [(c["cell_type"], _source(c)) for c in json.loads(path.read_text())["cells"]]
    places = problem_cells(cells)
    opening = places[0].markdown[0] if places and places[0].markdown else len(cells)
    earlier = [src for kind, src in cells[1:opening] if kind == "markdown"]  # a shared setting
    found = []
    for place in places:
        assert place.markdown and place.id in cells[place.markdown[0]][1], (
            f"{path.name}: no markdown cell names problem {place.id}"
        )
        markdown = [cells[j][1] for j in place.markdown if "BEGIN SOLUTION" not in cells[j][1]]
        answers = [cells[j][1] for j in place.answers]
        # the context: the problem's own cells and everything stated before it ("same batch")
        found.append((place.id, "\n".join(earlier + markdown), answers, markdown[0]))
        earlier += markdown
    return found


ALL = [(path, *p) for path in SOLUTIONS for p in problems(path)]
IDS = [p[1] for p in ALL]


def test_every_bank_problem_appears_once_in_its_solution_notebook():
    for lesson in sorted({p.lesson for p in BANK.values()}):
        ids = [pid for path, pid, *_ in ALL if path.name.startswith(f"{lesson:02d}_")]
        expected = [p.id for p in BANK.values() if p.lesson == lesson]
        assert sorted(ids) == sorted(expected), f"lesson {lesson}: notebook {sorted(ids)}, bank {sorted(expected)}"


def _flat(value, out):
    if isinstance(value, tuple):
        for v in value:
            _flat(v, out)
    elif isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        out.add(abs(Fraction(value)))
    elif isinstance(value, float):
        out.add(abs(Fraction(str(value))))
    return out


def variable_numbers(name):
    """Today's numbers of a space that some learner's candidate lacks (so a variant changes them),
    less 0, 1 and 2, which any statement says in words (w_0, one step, a half)."""
    today = _flat(tuple(CANONICAL[name].values()), set())
    always = set.intersection(*(_flat(tuple(c.values()), set()) for c in POOLS[name]))
    return today - always - {Fraction(0), Fraction(1), Fraction(2)}


def words(markdown):
    """The markdown less what is not a stated number: problem ids (`06-eta-sweep`) and the heading's
    problem number (## 6.)."""
    return re.sub(r"^#+ \d+\.", "", re.sub(r"\b\d\d-[a-z][a-z0-9-]*", "", markdown), flags=re.M)


SPACED = [p for p in ALL if BANK[p[1]].numbers]
UNSPACED = [p for p in ALL if not BANK[p[1]].numbers]


@pytest.mark.parametrize("path, pid, context, answers, own", SPACED, ids=[p[1] for p in SPACED])
def test_a_learners_numbers_are_not_in_the_markdown_or_the_cells(path, pid, context, answers, own):
    variable = variable_numbers(BANK[pid].numbers)
    stated = variable & numbers(words(own))
    assert not stated, f"{pid}: its markdown states {sorted(map(float, stated))}, which a learner's variant changes"
    given = {abs(a) for code in answers for a in given_data(code) if not isinstance(a, tuple)}
    given |= {abs(v) for code in answers for a in given_data(code) if isinstance(a, tuple) for v in a}
    assert not variable & given, f"{pid}: a cell gives {sorted(map(float, variable & given))}: use data({pid!r})"


def test_the_variable_numbers_are_those_a_variant_changes():
    assert Fraction(1, 10) not in variable_numbers("01-gd-step") or any(
        c["eta"] != Fraction(1, 10) for c in POOLS["01-gd-step"]
    )
    assert variable_numbers("01-gd-step") & {Fraction(3)}  # x_3 = 3 is not in every candidate
    assert not {Fraction(0), Fraction(1), Fraction(2)} & variable_numbers("01-gd-step")
    assert numbers(words("## 6. The sweep (`06-eta-sweep`)\nRun it.")) == set()
    assert numbers(words("## 6. With eta = 0.3 (`06-eta-sweep`)")) == {Fraction(3, 10)}


@pytest.mark.parametrize("path, pid, context, answers, own", UNSPACED, ids=[p[1] for p in UNSPACED])
def test_given_data_is_stated_in_markdown_and_bank(path, pid, context, answers, own):
    bank = BANK[pid].statement
    for atom in (a for code in answers for a in given_data(code)):
        if isinstance(atom, tuple):
            shown = "(" + ", ".join(f"{float(v):g}" for v in atom) + ")"
            assert atom in tuples(context), f"{pid}: the cell gives {shown}, the statement does not"
            assert atom in tuples(bank), f"{pid}: the cell gives {shown}, the bank's statement does not"
        else:
            assert abs(atom) in numbers(context), f"{pid}: the cell gives {float(atom):g}, the statement does not"
            assert abs(atom) in numbers(bank), f"{pid}: the cell gives {float(atom):g}, the bank's statement does not"


@pytest.mark.parametrize("path, pid, context, answers, own", UNSPACED, ids=[p[1] for p in UNSPACED])
def test_bank_numbers_are_in_the_markdown(path, pid, context, answers, own):
    bank = BANK[pid]
    missing = numbers(bank.statement) - numbers(context)
    assert not missing, f"{pid}: the bank states {sorted(map(float, missing))}, the notebook does not"
    assert tuples(bank.statement) <= tuples(context), f"{pid}: pairs {tuples(bank.statement) - tuples(context)}"


def _number_answers(p):
    if p.kind != "number":
        return []
    values = p.answer if isinstance(p.answer, tuple) else (p.answer,)
    return [
        Fraction(v).limit_denominator(10**6) for v in values if Fraction(v).limit_denominator(10**6).denominator != 1
    ]


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_no_statement_gives_away_another_answer(path):
    found = problems(path)
    for pid, _, _, _ in found:
        for value in _number_answers(BANK[pid]):
            for other, _, _, own in found:
                if other != pid:
                    assert abs(value) not in numbers(own), (
                        f"{other}'s statement gives away {pid}'s answer {float(value):g}"
                    )


def _printed(lesson_path):
    text = []
    for cell in json.loads(lesson_path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            text.append("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(text)


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_lesson_does_not_print_the_answers(path):
    printed = numbers(_printed(ROOT / "notebooks" / path.name), signed=True)
    for pid, *_ in problems(path):
        if pid not in SOURCE_PRACTICE:
            for value in (v for v in _number_answers(BANK[pid]) if v.denominator > 10):
                assert value not in printed, f"lesson {path.name} prints {float(value):g}, the answer to {pid}"


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_exercise_cells_have_no_stray_placeholders(path):
    for cell in json.loads(path.read_text())["cells"]:
        lines = _source(cell).split("\n") if cell["cell_type"] == "code" else []
        bare = [n for n, line in enumerate(lines) if line.strip() == "..."]
        assigned = [line for line in lines if re.match(r"^[A-Za-z_][\w, ]*= \.\.\.$", line.strip())]
        assert not (bare and assigned), f"{path.name} cell {cell.get('id')}: a bare `...` above {assigned[0]!r}"


# ---- the parser itself: these must fail when it is wrong ---------------------------------------


def test_parser_reads_pairs_fractions_and_latex():
    assert given_data("data = [(Fraction(2), 1), (Fraction(-1), 1), (Fraction(3), 0)]") == [(2, 1), (-1, 1), (3, 0)]
    assert given_data("eta, w0 = Fraction(1, 10), Fraction(0)\nx = sp.Symbol('x')") == [Fraction(1, 10), 0]
    assert given_data("w1 = ...  # SOLUTION\nw1 = Fraction(3, 4)  # SOLUTION") == []
    assert tuples(r"$(x, y) = (2, 1)$, $(-1, 1)$ and $(3, 0)$") == {(2, 1), (-1, 1), (3, 0)}
    assert (3, 0) not in tuples("(2, 1), (-1, 1), (1, 0)")
    assert {Fraction(60000), Fraction(1, 2), Fraction(1, 10)} <= numbers(r"$N = 60\,000$, $\tfrac12$, $\eta = 0.1$")
