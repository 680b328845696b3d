"""The instructor's grader, the parts that need no kernel: the codec, the sympy text, finding the
exercise, the command line's checks, the gradebook's cleaning, symlinks, the manifest, and the
refusal without a sandbox. Grading real kernels is in tests/slow/test_grade.py (make slowtest).
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from sgdcourse.checking import Result
from sgdcourse.checking.functions import check_function
from sgdcourse.grading.cli import main as grading
from sgdcourse.grading.exercise import SubmissionError, identify, load_exercises, read_cells
from sgdcourse.grading.grade import find_submissions
from sgdcourse.grading.gradebook import clean
from sgdcourse.grading.scoring import score_of
from sgdcourse.grading.sympytext import from_srepr, unsafe_text
from sgdcourse.layout import check_calls, notebooks
from sgdcourse.grading.wire import WireError, decode, encode
from sgdcourse.problems import BANK

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = notebooks(ROOT / "solutions")
SOL02, EX02 = ROOT / "solutions" / "02_sgd_by_hand.ipynb", ROOT / "exercises" / "02_sgd_by_hand.ipynb"


def test_partial_credit_in_the_function_checker():
    cases = [dict(x=float(v)) for v in range(-2, 3)]
    r = check_function(lambda x: x if x >= 0 else 1 / 0, lambda x: x, cases)
    assert r.status == "incorrect" and r.passed == (3, 5) and "ZeroDivisionError" in r.feedback
    assert check_function(lambda x: x, lambda x: x, cases).passed == (5, 5)
    assert score_of(Result("incorrect", "", passed=(3, 5)), 2) == 1.2
    assert score_of(Result("unanswered", "", passed=(0, 5)), 2) == 0.0


def test_codec_round_trip():
    g, k, N = sp.IndexedBase("g"), sp.Symbol("k", integer=True, positive=True), sp.Symbol("N", integer=True)
    from fractions import Fraction
    values = [Ellipsis, None, True, 3, -2.5, float("inf"), Fraction(77, 250), 1 + 2j, "b", [1, (2.0, "x")],
              sp.Sum(g[k] / N, (k, 1, N)), sp.Rational(1, 3) * sp.sqrt(2), np.float64(0.25)]
    for v in values:
        assert decode(encode(v)) == v or (v is Ellipsis and decode(encode(v)) is Ellipsis)
    a = np.arange(6.0).reshape(2, 3)
    b = decode(encode(a))
    assert b.dtype == a.dtype and (b == a).all()
    o = decode(encode(np.array([Fraction(1, 3)], dtype=object)))
    assert o.dtype == object and o[0] == Fraction(1, 3)
    with pytest.raises(WireError):
        encode(lambda: 1)


@pytest.mark.parametrize("text", [
    "__import__('os').system('touch PWNED')", "Symbol('x').__class__", "Add('open(1)')",
    "Pow(Integer(9), Integer(387420489))", "Symbol('x').subs", "getattr(Symbol('x'), 'y')", "Symbol(chr(95))",
])
def test_sympy_text_from_the_kernel_is_never_evaluated(text):
    with pytest.raises(WireError):
        from_srepr(text)


@pytest.mark.parametrize("text, bad", [
    ("Sum(g[k], (k, 1, N))/N", False), ("sigma**2/m", False), ("sqrt(2)*x^2", False),
    ("__import__('os')", True), ("open('f')", True), ("x.func", True), ("9**9**9", True),
    ("(lambda: 1)()", True), ("eval(1)", True), ("sympify(1)", True),
])
def test_expression_text_is_screened_before_sympy_parses_it(text, bad):
    ns = {"g": sp.IndexedBase("g"), "k": sp.Symbol("k"), "N": sp.Symbol("N")}
    assert (unsafe_text(text, ns) is not None) == bad


def test_identify_by_checks_and_file_name():
    exercises = load_exercises(ROOT / "solutions", warn=lambda t: None)
    cells01, cells02 = (read_cells(p.read_bytes()) for p in SOLUTIONS[:2])
    assert identify("alice/anything.ipynb", cells02, exercises).name == "02_sgd_by_hand"
    assert identify("02_sgd_by_hand.ipynb", [(1, "code", "x = 1")], exercises).name == "02_sgd_by_hand"
    for name, cells in (("02_x.ipynb", cells01), ("notes.ipynb", [(1, "code", "x = 1")])):
        with pytest.raises(SubmissionError, match="wrong exercise"):
            identify(name, cells, exercises)


def test_trusted_expressions_come_from_the_solutions():
    ex = {e.number: e for e in load_exercises(ROOT / "solutions", warn=lambda t: None)}
    assert ex["02"].problems[0] == ("02-per-example-grad", "grad_example")
    assert dict(ex["02"].problems)["02-worked-step"] == "w3" and ex["02"].max == 11
    assert all(pid in BANK for e in ex.values() for pid, _ in e.problems)


@pytest.mark.parametrize("args, option", [
    (["x.ipynb", "--jobs", "0"], "--jobs"), (["x.ipynb", "--cell-timeout", "soon"], "--cell-timeout"),
    (["x.ipynb", "--memory-limit", "10"], "--memory-limit"), (["missing.ipynb"], "SUBMISSION"),
    (["x.ipynb", "--solutions", "nowhere"], "--solutions"), (["x.ipynb", "--out", "no/such/dir.csv"], "--out"),
    (["x.ipynb", "--out", "x.ipynb"], "--out"),
])
def test_bad_arguments_name_the_option(args, option, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.ipynb").write_bytes(SOL02.read_bytes())
    with pytest.raises(SystemExit) as exc:
        grading(["grade", *args])
    assert exc.value.code == 2 and f"argument {option}" in capsys.readouterr().err


# ---- what a submission cannot steer, without a kernel -------------------------------------------

def test_clean_escapes_what_would_break_a_csv_or_a_terminal():
    assert clean(os.fsdecode(b"Jos\xe9.ipynb")) == "Jos\\xe9.ipynb"
    assert clean("a\x1b[2Jb\x00c\u2028") == "a\\x1b[2Jb\\x00c\\u2028"
    assert clean("\ud800 lone") == "\\ud800 lone"
    assert clean("été, 中文, tab\tkept") == "été, 中文, tab\tkept"
    assert len(clean("x" * 5000)) == 2000
    "".join(clean(chr(c)) for c in range(0x110000)).encode("utf-8")   # every result encodes


def test_symbolic_links_get_their_own_error_row_and_are_never_followed(tmp_path):
    (tmp_path / "real.ipynb").write_bytes(EX02.read_bytes())
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "real.ipynb")
    (tmp_path / "linked_dir").symlink_to(ROOT / "solutions", target_is_directory=True)
    found = find_submissions([str(tmp_path)])
    assert found == [f"{tmp_path.as_posix()}/link.ipynb", f"{tmp_path.as_posix()}/real.ipynb"]
    from sgdcourse.grading.submission import read_submission
    with pytest.raises(SubmissionError, match="symbolic link"):
        read_submission(found[0], 2 ** 20)
    with pytest.raises(SubmissionError, match="larger than"):
        read_submission(found[1], 1000)


def test_the_exercise_is_read_from_code_not_from_comments_or_strings():
    broken = "x = (\n# check('03-batch-gradient', 1)\ns = \"check('04-var-batch', 2)\"\ncheck('02-worked-step', w3"
    assert check_calls(broken) == [("02-worked-step", None)]


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """The integrity check pointed at a copy of the installed package (and its manifest)."""
    import shutil
    from sgdcourse.grading import integrity
    assert integrity.verify(integrity.SOLUTIONS) == []
    copy = tmp_path / "sgdcourse"
    shutil.copytree(integrity.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(integrity, "PACKAGE", copy)
    monkeypatch.setattr(integrity, "MANIFEST", copy / "grading" / "MANIFEST.sha256")
    assert integrity.verify(integrity.SOLUTIONS) == []
    return integrity, copy


def test_a_changed_install_is_found_and_refused(package_copy, tmp_path, monkeypatch, capsys):
    integrity, copy = package_copy
    with open(copy / "practice.py", "a") as f:
        f.write("\n# a later run's grades chosen here\n")
    (copy / "checking" / "zz_extra.py").write_text("import os\n")
    assert integrity.verify(integrity.SOLUTIONS) == ["changed: sgdcourse/practice.py",
                                                     "not in the manifest: sgdcourse/checking/zz_extra.py"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "02_x.ipynb").write_bytes(SOL02.read_bytes())
    with pytest.raises(SystemExit) as stop:
        grading(["grade", "02_x.ipynb"])
    assert stop.value.code == 2 and "changed: sgdcourse/practice.py" in capsys.readouterr().err


def test_only_what_decides_a_grade_is_in_the_manifest(package_copy):
    """A new colour in a lesson's view needs no new manifest; a changed answer in the bank does."""
    integrity, copy = package_copy
    rate = copy / "explorers" / "rate.py"
    rate.write_text(rate.read_text().replace('"diverge": "C3"', '"diverge": "C1"'))
    (copy / "plots.py").write_text((copy / "plots.py").read_text() + "\n# a new colour map\n")
    assert integrity.verify(integrity.SOLUTIONS) == []
    bank = copy / "problems" / "lesson02.py"
    text = bank.read_text()
    assert "answer=" in text
    bank.write_text(text.replace("answer=", "answer=1 + 0 * ", 1))
    assert integrity.verify(integrity.SOLUTIONS) == ["changed: sgdcourse/problems/lesson02.py"]


def test_no_sandbox_means_a_refusal_that_says_how_to_get_one(tmp_path):
    (tmp_path / "02_x.ipynb").write_bytes(SOL02.read_bytes())
    env = {**os.environ, "PATH": str(tmp_path)}   # no bwrap on it
    proc = subprocess.run([sys.executable, "-m", "sgdcourse.grading", "grade", "02_x.ipynb"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "apt-get install bubblewrap" in proc.stderr and "--unsandboxed" in proc.stderr
    assert not (tmp_path / "grades.csv").exists()
