"""grading.integrity, the verb manifest: what decides a grade (the bank, the checker, the grader,
the practice front, the solutions) is checked against the manifest before any grading, and nothing
else is in it, so a new colour in a lesson's view needs no new manifest."""

import shutil

import pytest

from helpers import SOL02
from sgdcourse.grading import integrity
from sgdcourse.grading.cli import main as grading


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """The integrity check pointed at a copy of the installed package (and its manifest)."""
    assert integrity.verify(integrity.SOLUTIONS) == []
    copy = tmp_path / "sgdcourse"
    shutil.copytree(integrity.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(integrity, "PACKAGE", copy)
    monkeypatch.setattr(integrity, "MANIFEST", copy / "grading" / "MANIFEST.sha256")
    assert integrity.verify(integrity.SOLUTIONS) == []
    return copy


def test_a_changed_install_is_found_and_refused(package_copy, tmp_path, monkeypatch, capsys):
    copy = package_copy
    with open(copy / "practice.py", "a") as f:
        f.write("\n# a later run's grades chosen here\n")
    (copy / "checking" / "zz_extra.py").write_text("import os\n")
    assert integrity.verify(integrity.SOLUTIONS) == [
        "changed: sgdcourse/practice.py",
        "not in the manifest: sgdcourse/checking/zz_extra.py",
    ]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "02_x.ipynb").write_bytes(SOL02.read_bytes())
    with pytest.raises(SystemExit) as stop:
        grading(["grade", "02_x.ipynb"])
    assert stop.value.code == 2 and "changed: sgdcourse/practice.py" in capsys.readouterr().err


def test_only_what_decides_a_grade_is_in_the_manifest(package_copy):
    """A new colour in a lesson's view needs no new manifest; a changed answer in the bank does."""
    copy = package_copy
    rate = copy / "explorers" / "rate.py"
    assert '"diverge": PALETTE["vermillion"]' in rate.read_text()
    rate.write_text(rate.read_text().replace('"diverge": PALETTE["vermillion"]', '"diverge": PALETTE["orange"]'))
    (copy / "plots.py").write_text((copy / "plots.py").read_text() + "\n# a new colour map\n")
    assert integrity.verify(integrity.SOLUTIONS) == []
    bank = copy / "problems" / "lesson02.py"
    text = bank.read_text()
    assert "answer=" in text
    bank.write_text(text.replace("answer=", "answer=1 + 0 * ", 1))
    assert integrity.verify(integrity.SOLUTIONS) == ["changed: sgdcourse/problems/lesson02.py"]
