"""In a kernel being graded, the bank is sealed: the same package, the same public API, less the
answers (sgdcourse.problems.sealed). The sealed library is built the way the grader builds it
(grading.sandbox.Sandbox.create; no bubblewrap needed for that), and every public call of the bank
and of the learner's facade runs in a fresh interpreter importing it, then in one importing the
real bank: the two must agree on everything but the answers."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sgdcourse import practice, problems
from sgdcourse.checking.answers import SEALED
from sgdcourse.grading.sandbox import Sandbox
from sgdcourse.problems import BANK, Problem
from sgdcourse.problems.sealed import source

ANSWERS = {
    "answer",
    "mistakes",
    "cases",
    "quantities",
    "counts",
    "domain",
    "accept",
    "outside",
}  # what a sealed problem lacks
PROBE = r"""
import dataclasses, json, sympy
import sgdcourse
from sgdcourse import practice, problems
from sgdcourse.problems import BANK, KINDS, LESSONS, get, select


def raised(call):
    try:
        call()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


after = LESSONS[-1] + 1
out = {"file": sgdcourse.__file__, "all": sorted(problems.__all__), "lessons": list(LESSONS), "kinds": list(KINDS),
       "ids": list(BANK), "bank": repr(BANK),
       "select": {str(k): [p.id for p in select(k)] for k in (*LESSONS, None)},
       "listing": {str(k): [str(practice.problems(lesson=k)), practice.problems(lesson=k)._repr_html_()]
                   for k in (*LESSONS, None)},
       "no lesson": [str(practice.problems(lesson=k)) for k in (after, 0, "2", True)],
       "unknown": [raised(lambda: get("02-worked-stepp")), raised(lambda: select(after)), str(practice.show("nope")),
                   str(practice.check("02-worked-stepp", 1)), str(practice.check(None, 1))],
       "problems": {}}
for pid, p in BANK.items():
    counted = practice.Hints()
    fields = {f.name: sympy.srepr(dict(p.namespace)) if f.name == "namespace" else repr(getattr(p, f.name))
              for f in dataclasses.fields(p) if f.name not in ANSWERS}
    out["problems"][pid] = dict(
        repr=repr(p), get=get(pid) is p, fields=fields,
        show=[str(practice.show(pid)), practice.show(pid)._repr_html_()],
        hints=[str(counted.next(pid)) for _ in range(len(p.hints) + 1)],
        check=[str(practice.check(pid, answer)) for answer in (..., 0, "x")],
        sealed=[p.sealed, p.mistakes == (), p.cases is None])
practice.start("kim@example.org")  # a learner's numbers: the same in a sealed copy, which cannot build texts
out["learner"] = {pid: dict(data=repr(practice.data(pid)), show=str(practice.show(pid))) for pid in BANK}
print(json.dumps(out))
"""


def probe(cwd, pythonpath=None):
    """What PROBE prints, run in a fresh interpreter (PYTHONPATH first on its path, if given)."""
    env = (
        {**os.environ, "PYTHONPATH": str(pythonpath)}
        if pythonpath
        else {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    )
    done = subprocess.run(
        [sys.executable, "-c", f"ANSWERS = {sorted(ANSWERS)!r}\n{PROBE}"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    """{"real": ..., "sealed": ...}: PROBE's answers with the installed bank and with a sealed copy."""
    sandbox = Sandbox.create(2048)
    try:
        folder = sandbox.sealed / "sgdcourse" / "problems"
        texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))}
        cwd = tmp_path_factory.mktemp("probe")
        return dict(real=probe(cwd), sealed=probe(cwd, sandbox.sealed), root=str(sandbox.sealed), texts=texts)
    finally:
        sandbox.remove()


def test_the_sealed_kernel_imports_the_sealed_copy(seen):
    assert seen["sealed"]["file"].startswith(seen["root"]) and not seen["real"]["file"].startswith(seen["root"])


def test_problems_of_a_lesson_and_every_public_call_behave_as_in_the_real_bank(seen):
    """problems(lesson=2) raised IndexError in a graded kernel when the sealed bank was a string."""
    real, sealed = seen["real"], seen["sealed"]
    assert sealed["listing"]["2"] == real["listing"]["2"] and "02-worked-step" in sealed["listing"]["2"][0]
    for key in ("all", "lessons", "kinds", "ids", "bank", "select", "listing", "no lesson", "unknown"):
        assert sealed[key] == real[key], key
    assert sealed["problems"].keys() == real["problems"].keys() == BANK.keys()
    for pid, mine in sealed["problems"].items():
        theirs = real["problems"][pid]
        for key in ("repr", "get", "fields", "show", "hints"):
            assert mine[key] == theirs[key], (pid, key)


def test_less_the_answers(seen):
    """Every problem of the sealed bank lacks its answer, mistakes and test cases, and check() there
    says that the grader decides, for any answer, where the real bank checks it."""
    for pid, mine in seen["sealed"]["problems"].items():
        assert mine["sealed"] == [True, True, True], pid
        assert all(text == f"unreadable [{pid}]: {SEALED}" for text in mine["check"]), (pid, mine["check"])
        assert seen["real"]["problems"][pid]["sealed"][0] is False
        assert seen["real"]["problems"][pid]["check"][0].startswith(f"unanswered [{pid}]")


def test_the_sealed_package_is_the_real_one_with_lessons_written_without_answers(seen):
    """problems/ holds the same files: the real __init__, problem, bank and sealed modules byte for
    byte, and lesson modules whose every Problem has answer=Sealed(...), no mistakes and no cases."""
    real = Path(problems.__file__).parent
    assert sorted(seen["texts"]) == sorted(p.name for p in real.glob("*.py"))
    for name, text in seen["texts"].items():
        if not name.startswith("lesson"):
            assert text == (real / name).read_text(encoding="utf-8"), name
            continue
        calls = [
            n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "Problem"
        ]
        assert len(calls) == len(BANK.select(int(name[6:8]))), name
        for call in calls:
            given = {k.arg: k.value for k in call.keywords}
            assert ast.unparse(given["answer"]).startswith("Sealed("), name
            assert ast.unparse(given["mistakes"]) == "()" and ast.unparse(given["cases"]) == "None", name
            assert ast.literal_eval(given["id"]) in BANK


def test_every_field_of_a_problem_can_be_written_sealed():
    """A new field of an odd type fails here, not in a grading run: source() refuses what it cannot write."""
    text = source(2, BANK.select(2))
    assert text.count("    Problem(\n") == len(BANK.select(2))
    odd = Problem(id="02-odd", lesson=2, kind="number", statement="s", answer=1, namespace={"f": print})
    with pytest.raises(TypeError, match="cannot hold mappingproxy"):
        source(2, [odd])
    assert practice.check("02-worked-step", 0.642).ok  # the real bank is untouched


def test_a_learners_numbers_are_the_same_in_a_sealed_copy(seen):
    """data() in a graded kernel gives what the grader checks against; show() there says its text
    has today's numbers, since a sealed copy cannot rebuild a statement with the learner's."""
    real, sealed = seen["real"]["learner"], seen["sealed"]["learner"]
    assert {pid: v["data"] for pid, v in sealed.items()} == {pid: v["data"] for pid, v in real.items()}
    for pid, v in sealed.items():
        told = "cannot rewrite this text with your numbers" in v["show"]
        assert told == bool(BANK[pid].numbers), pid
        assert "cannot rewrite" not in real[pid]["show"]
    assert "the numbers of kim@example.org" in sealed["01-gd-step"]["data"]
