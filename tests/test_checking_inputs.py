"""Answers the checker must read, or refuse, whatever form they take, and learner functions that
must not change the verdict by patching what the checker compares with.

- numbers typed as text ("19/50", "0.38") read like expressions do, and huge text is refused fast;
- a Python reserved word used as a name ("lambda") gets a pointed message;
- a function answer that patches numpy, math or builtins before returning a wrong value is
  still judged wrong, in a forked child and in the learner's own process alike.
"""

from __future__ import annotations

import builtins
import math
import time

import numpy as np
import pytest

from sgdcourse.checking import isolate
from sgdcourse.checking.numeric import check_number, read_number
from sgdcourse.checking.result import Unreadable
from sgdcourse.checking.symbolic import read_expression
from sgdcourse.practice import check
from sgdcourse.problems import BANK

# ---- 1. numbers written as text -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["19/50", "0.38", " 0.38 ", "0.380", "38/100", "(19/50)", "3.8e-1"])
def test_a_number_problem_accepts_the_number_as_text(text):
    r = check("02-worked-w2", text)
    assert r.status == "correct", r.feedback


def test_a_wrong_number_as_text_is_judged_not_refused():
    r = check("02-worked-w2", "0.39")
    assert r.status == "incorrect", r.feedback


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.38", 0.38),
        ("19/50", 19 / 50),
        (" -3/2 ", -1.5),
        ("1e-3", 1e-3),
        ("2**-3", 0.125),
        ("2^-3", 0.125),
        ("3.01", 3.01),
        ("\u22122.5", -2.5),
        ("sqrt(2)/2", math.sqrt(2) / 2),
        ("(1 - 0.1)**3", 0.9**3),
        ("7", 7),
    ],
)
def test_read_number_reads_text_as_the_expression_reader_does(text, value):
    assert float(read_number(text)) == pytest.approx(value, rel=1e-12)


def test_exact_text_stays_exact():
    from fractions import Fraction

    assert read_number("19/50") == Fraction(19, 50)
    assert read_number("-3/2") == Fraction(-3, 2)
    assert read_number("2**-3") == Fraction(1, 8)


def test_number_list_entries_may_be_text():
    r = check_number(["1/2", 0.25], (Fraction_(1, 2), Fraction_(1, 4)), 1e-9)
    assert r.status == "correct", r.feedback


def Fraction_(p, q):  # noqa: N802 - a short local alias
    from fractions import Fraction

    return Fraction(p, q)


@pytest.mark.parametrize(
    "text",
    [
        "10**10**10**10",
        "9" * 10000,
        "factorial(10**9)",
        "9**9**9",
        "2**(10**8)",
        "10^10^10",
        "(10**10**10)/3",
        "1" + "0" * 1500 + "/3",
        "factorial(100000000)",
        "fibonacci(10**8)",
    ],
)
def test_huge_text_is_refused_fast(text):
    start = time.monotonic()
    with pytest.raises(Unreadable) as e:
        read_number(text)
    assert time.monotonic() - start < 1.0
    assert any(word in str(e.value) for word in ("large", "digits", "characters", "which calls `"))


def test_huge_text_is_refused_fast_through_check():
    start = time.monotonic()
    r = check("02-worked-w2", "10**10**10**10")
    assert time.monotonic() - start < 1.0
    assert r.status == "unreadable"


@pytest.mark.parametrize("text, name", [("0.1*eta", "eta"), ("w", "w"), ("19/50 + x", "x")])
def test_text_with_a_symbol_names_the_symbol(text, name):
    r = check("02-worked-w2", text)
    assert r.status == "unreadable"
    assert "a number was asked" in r.feedback and f"`{name}`" in r.feedback, r.feedback


@pytest.mark.parametrize("text", ["0.3 +", "19//", "(0.38", "0.38)", "0.38 ]"])
def test_text_that_does_not_parse_says_so(text):
    r = check("02-worked-w2", text)
    assert r.status == "unreadable"
    assert "could not" in r.feedback and repr(text) in r.feedback, r.feedback


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_unreadable(text):
    r = check("02-worked-w2", text)
    assert r.status == "unreadable"


def test_text_that_is_not_a_real_number_is_refused():
    for text, words in [("1/0", "not a finite"), ("sqrt(-1)", "complex"), ("x == 1", "number was asked")]:
        r = check("02-worked-w2", text)
        assert r.status == "unreadable" and words in r.feedback, (text, r.feedback)


# ---- 2. reserved words --------------------------------------------------------------------------


def _lam_problem():
    ids = [p.id for p in BANK.values() if p.kind == "expression" and "lam" in (p.namespace or {})]
    assert ids, "the bank has no expression problem with a symbol named lam"
    return ids[0]


def test_lambda_in_an_expression_suggests_lam():
    pid = _lam_problem()
    r = check(pid, "exp(-lambda*t)")
    assert r.status == "unreadable"
    assert "`lambda` is a reserved word in Python" in r.feedback and "`lam`" in r.feedback, r.feedback
    assert "lam" in r.feedback.split("names are")[-1]  # the problem's names are listed


def test_other_reserved_word_suggests_the_problems_names():
    pid = _lam_problem()
    r = check(pid, "(1 - eta*lam)**t*e0 + 0*in")
    assert r.status == "unreadable"
    assert "`in` is a reserved word in Python" in r.feedback, r.feedback
    assert "eta" in r.feedback and "lam" in r.feedback


@pytest.mark.parametrize("word", ["lambda", "class", "def", "return", "yield", "is", "if", "for", "import", "None"])
def test_reserved_words_are_named_without_a_namespace(word):
    with pytest.raises(Unreadable) as e:
        read_number(f"2*{word}")
    text = str(e.value)
    assert f"`{word}` is a reserved word in Python" in text
    assert ("`lam`" in text) == (word == "lambda")


def test_the_number_reader_gives_the_lambda_message_too():
    r = check("02-worked-w2", "0.1*lambda")
    assert r.status == "unreadable"
    assert "`lambda` is a reserved word in Python" in r.feedback and "`lam`" in r.feedback, r.feedback


def test_a_reserved_word_inside_a_longer_name_is_fine():
    pid = _lam_problem()
    ns = BANK[pid].namespace
    assert read_expression("lam*eta", ns) == ns["lam"] * ns["eta"]
    r = check(pid, "lambda_ * 2")  # not a keyword: the usual unknown-name message
    assert "reserved word" not in r.feedback


def test_logic_words_are_not_taken_for_reserved_names():
    # "and", "or", "not" are logic, a correct-looking answer with them is refused by its form, not as a name
    pid = _lam_problem()
    r = check(pid, "eta and lam")
    assert "reserved word" not in r.feedback


def test_reserved_word_in_a_string_literal_context_is_not_flagged():
    pid = _lam_problem()
    r = check(pid, str(BANK[pid].answer))  # lam, a name that starts like the reserved word lambda
    assert r.status == "correct", r.feedback


# ---- 3. learner functions that patch what the checker compares with -----------------------------


def _single_float_function_problems():
    return sorted(p.id for p in BANK.values() if p.kind == "function" and p.signature.endswith("-> float"))


SINGLE_FLOAT = _single_float_function_problems()

PATCHED = [
    (np, "allclose"),
    (np, "isclose"),
    (np, "array_equal"),
    (np, "asarray"),
    (np, "abs"),
    (np, "absolute"),
    (np, "isfinite"),
    (np, "all"),
    (np, "any"),
    (math, "isclose"),
    (math, "isfinite"),
    (builtins, "abs"),
    (builtins, "all"),
    (builtins, "bool"),
]


@pytest.fixture
def restore_patches():
    saved = [(owner, name, getattr(owner, name)) for owner, name in PATCHED]
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


def _cheat(*args):
    """What a learner's function might do: make every comparison say yes, then return 0.0."""
    real_asarray = np.asarray
    np.allclose = lambda *a, **k: True
    np.isclose = lambda a, b, *r, **k: real_asarray(np.ones(np.shape(a), dtype=bool))
    np.array_equal = lambda *a, **k: True
    np.abs = np.absolute = lambda x, *a, **k: x * 0
    np.isfinite = lambda *a, **k: True
    np.all = np.any = lambda *a, **k: True
    math.isclose = lambda *a, **k: True
    math.isfinite = lambda *a, **k: True
    builtins.abs = lambda x: 0
    builtins.all = lambda it: True
    np.asarray = lambda a, *r, **k: real_asarray(a, *r, **k)  # replaced, still working
    return 0.0


def _learner(problem_id, cheat=True):
    params = BANK[problem_id].signature.split("(", 1)[1].split(")", 1)[0]
    namespace = {"cheat": _cheat if cheat else lambda *args: 0.0}
    exec(f"def answer({params}):\n    return cheat({params})\n", namespace)
    return namespace["answer"]


def test_there_are_single_float_function_problems():
    assert {"01-full-gradient", "02-per-example-grad", "02-sgd-step"} <= set(SINGLE_FLOAT)


@pytest.mark.parametrize("isolated", [True, False], ids=["forked", "in-process"])
@pytest.mark.parametrize("problem_id", SINGLE_FLOAT)
def test_a_function_that_patches_the_comparison_is_still_wrong(problem_id, isolated, restore_patches, monkeypatch):
    if isolated and not isolate.available():
        pytest.skip("no fork on this machine")
    if not isolated:
        monkeypatch.setattr(isolate, "available", lambda: False)
    plain = check(problem_id, _learner(problem_id, cheat=False))  # returns 0.0 and patches nothing
    r = check(problem_id, _learner(problem_id))  # restore_patches undoes what the function did
    assert r.status == "incorrect", r.feedback
    assert (r.feedback, r.passed) == (plain.feedback, plain.passed)  # the same verdict, the same cases passed


@pytest.mark.parametrize("problem_id", SINGLE_FLOAT)
def test_the_cheat_itself_works_on_an_unprotected_comparison(problem_id, restore_patches):
    # the test above is honest only if the patches would fool a naive np.allclose / abs comparison
    _learner(problem_id)(*([1.0] * (BANK[problem_id].signature.count(",") + 1)))
    assert np.allclose(0.0, 123.0) and abs(-5) == 0 and all([False])


def test_the_issues_example_is_wrong(restore_patches):
    def f(w, x, y):
        import numpy as np

        np.allclose = lambda *a, **k: True
        np.isclose = lambda *a, **k: True
        return 0.0

    r = check("02-per-example-grad", f)
    assert r.status == "incorrect", r.feedback


BUILTINS = ("len", "range", "isinstance", "sum", "any", "all", "zip", "next", "enumerate", "abs", "bool", "float")


@pytest.mark.skipif(not isolate.available(), reason="no fork on this machine")
@pytest.mark.parametrize("problem_id", SINGLE_FLOAT)
def test_a_function_that_patches_builtins_in_the_checking_child_is_still_wrong(problem_id):
    # only in the forked child: these patches would break the test run itself if done in-process
    def answer(*args):
        builtins.len = lambda x: 0
        builtins.range = lambda *a: iter(())
        builtins.isinstance = lambda o, t: False
        builtins.sum = lambda *a, **k: 7
        builtins.any = lambda it: False
        builtins.all = lambda it: True
        builtins.zip = lambda *a: iter(())
        builtins.next = lambda it, *d: d[0] if d else None
        builtins.enumerate = lambda it, *a: iter(())
        builtins.abs = lambda x: 0
        return 0.0

    params = BANK[problem_id].signature.split("(", 1)[1].split(")", 1)[0]
    namespace = {"cheat": answer}
    exec(f"def f({params}):\n    return cheat({params})\n", namespace)
    saved = {name: getattr(builtins, name) for name in BUILTINS}
    try:
        r = check(problem_id, namespace["f"])
    finally:
        for name, value in saved.items():
            setattr(builtins, name, value)
    # the child's own way back (pickle, os.write) may break too: never a "correct" verdict
    assert r.status != "correct" and not r.ok, r.feedback


class _CheatingReal(float):
    """A number type whose conversion to float replaces abs and math.isclose, then reads as 0.0."""

    def __float__(self):
        builtins.abs = lambda x: 0
        math.isclose = lambda *a, **k: True
        np.isclose = np.allclose = lambda *a, **k: True
        return 0.0


def test_a_number_type_that_patches_abs_while_read_is_still_wrong(restore_patches):
    r = check("02-worked-w2", _CheatingReal(0.0))
    assert r.status == "incorrect", r.feedback
