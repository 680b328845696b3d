"""The library's modules are layered: the graph of who imports whom in lib/sgdcourse has no cycle.

Every module is parsed with `ast` (never imported), and every import counts, those inside a
function too: an import moved into a function to dodge a cycle is still an edge here. An edge
goes to the module an import statement runs: `from . import x` to the submodule x when there is
one (else to the package), `from .m import name` to m (and to m.name when that is a submodule).
A package's own __init__ is not counted as imported by its submodules: Python imports it first,
and that is not a cycle unless the submodule imports a name from it (then the edge is explicit).
`importlib.import_module(f"{__name__}.lesson{n:02d}")` (how the bank finds its lessons) is an edge
to every module of the package whose name starts so, so the scan sees it too.
The detector is tested on small graphs first, so a test that finds nothing means nothing is there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[1] / "lib" / "sgdcourse"


def module_names(root=LIBRARY):
    """{dotted module name: path} of every .py file under root (a package's __init__ as the package)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _resolve(module, is_package, level, target):
    """The absolute name of `from <level dots><target> import ...` written in `module`."""
    if not level:
        return target
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([target] if target else []))


def _dynamic(node, module, is_package, known):
    """The modules a call importlib.import_module(f"{__name__}.prefix...") may import."""
    if not (
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
        and node.args
        and isinstance(node.args[0], ast.JoinedStr)
    ):
        return set()
    parts = node.args[0].values
    if not (
        len(parts) >= 2
        and isinstance(parts[0], ast.FormattedValue)
        and getattr(parts[0].value, "id", "") == "__name__"
        and isinstance(parts[1], ast.Constant)
    ):
        return set()
    prefix = (module if is_package else module.rpartition(".")[0]) + parts[1].value
    return {name for name in known if name.startswith(prefix)}


def imports_of(module, source, known, is_package=False):
    """The modules of `known` that `module` imports anywhere in its source (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        found |= _dynamic(node, module, is_package, known)
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                while name and name not in known:  # import a.b.c runs a.b.c (a and a.b are its parents)
                    name = name.rpartition(".")[0]
                if name:
                    found.add(name)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node.level, node.module or "")
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    found.add(sub)  # from pkg import submodule
                elif base in known:
                    found.add(base)  # from module import name
    found.discard(module)
    return found


def import_graph(root=LIBRARY):
    """{module: set of modules it imports} over the library."""
    names = module_names(root)
    return {
        name: imports_of(name, path.read_text(encoding="utf-8"), names, path.name == "__init__.py")
        for name, path in names.items()
    }


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan), each sorted; [] if none."""
    index, low, stack, on_stack, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


# ---- the detector itself: these must fail when it is wrong ---------------------------------------


def test_the_detector_finds_a_planted_cycle_and_only_that():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}) == [["a", "b"], ["c", "d"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}) == []


def test_imports_inside_functions_and_relative_imports_are_edges():
    known = {"pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.c"}
    source = "from . import b\nfrom .sub import c\ndef f():\n    from .. import x\n    from pkg.sub import name\n"
    assert imports_of("pkg.a", source, known) == {"pkg.b", "pkg.sub.c", "pkg.sub"}
    assert imports_of("pkg.sub", "from . import c\nfrom .. import a", known, is_package=True) == {"pkg.sub.c", "pkg.a"}
    assert imports_of("pkg.sub.c", "import pkg.a.missing\nfrom ..b import thing", known) == {"pkg.a", "pkg.b"}


def test_a_package_that_imports_its_modules_by_name_has_edges_to_them():
    known = {"pkg", "pkg.lesson01", "pkg.lesson02", "pkg.other"}
    source = "import importlib\ndef collect():\n    return importlib.import_module(f'{__name__}.lesson{1:02d}')\n"
    assert imports_of("pkg", source, known, is_package=True) == {"pkg.lesson01", "pkg.lesson02"}
    assert cycles({"pkg": imports_of("pkg", source, known, is_package=True), "pkg.lesson01": {"pkg"}}) == [
        ["pkg", "pkg.lesson01"]
    ]


def test_a_planted_cycle_in_a_copy_of_the_library_is_found(tmp_path):
    """The scan over real files: two modules that import each other inside functions."""
    package = tmp_path / "sgdcourse"
    (package / "checking").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "checking" / "__init__.py").write_text("from .one import f\n")
    (package / "checking" / "one.py").write_text("def f():\n    from .two import g\n    return g()\n")
    (package / "checking" / "two.py").write_text("def g():\n    from . import one\n    return one\n")
    assert cycles(import_graph(package)) == [["sgdcourse.checking.one", "sgdcourse.checking.two"]]


# ---- the library ------------------------------------------------------------------------------------


def test_the_scan_sees_the_library():
    graph = import_graph()
    assert len(graph) > 60 and "sgdcourse.checking.answers" in graph["sgdcourse.practice"]
    assert "sgdcourse.checking" in graph["sgdcourse.problems.problem"]


@pytest.mark.parametrize("package", ["checking", "problems", "practice"])
def test_no_cycle_touches_the_checker_or_the_bank(package):
    found = [c for c in cycles(import_graph()) if any(m.startswith(f"sgdcourse.{package}") for m in c)]
    assert not found, found


def test_the_library_has_no_import_cycle():
    assert cycles(import_graph()) == []


def test_the_bank_collects_its_lessons_and_they_import_the_problem_not_the_package():
    graph = import_graph()
    lessons = {m for m in graph if m.startswith("sgdcourse.problems.lesson")}
    assert len(lessons) >= 7 and lessons <= graph["sgdcourse.problems"]
    assert all("sgdcourse.problems" not in graph[m] and "sgdcourse.problems.problem" in graph[m] for m in lessons)


def test_the_grader_calls_the_checker_not_the_learners_facade():
    graph = import_graph()
    assert "sgdcourse.checking.answers" in graph["sgdcourse.grading.scoring"]
    assert not [m for m in graph if m.startswith("sgdcourse.grading") and "sgdcourse.practice" in graph[m]]


def test_the_checker_never_imports_the_bank():
    """Layers: the bank (problems) uses the checker's types; the checker is handed a bank."""
    graph = import_graph()
    reach = {m for m in graph if m.startswith("sgdcourse.checking")}
    for module in sorted(reach):
        assert not {
            t for t in graph[module] if t.startswith(("sgdcourse.problems", "sgdcourse.practice", "sgdcourse.grading"))
        }, module
