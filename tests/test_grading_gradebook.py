"""grading.gradebook: a grade is a Row, the two CSV files are written byte for byte as the gradebook
has always been, and every string is cleaned so that nothing in a submission breaks a CSV file
or a terminal, or runs as a spreadsheet formula."""

import csv
import os
from dataclasses import FrozenInstanceError, fields

import pytest

from sgdcourse.grading.gradebook import GRADES, Row, clean, inert, summary_path, write_gradebook
from sgdcourse.grading.submission import Graded

# The bytes the gradebook had when its rows were positional tuples (commit fe1747d), for the two
# submissions below: a graded one, and one that could not be graded; with the columns that per-learner
# numbers added at the end of each row: slip and variant, learner and id.
GRADES_CSV = (
    b"submission,problem,status,score,points,feedback,slip,variant\n"
    b"alice/02_x.ipynb,02-a,correct,3,3,Correct: 0.308.,,7\n"
    b'alice/02_x.ipynb,02-b,incorrect,1.2,2,"Off by ""one"", see\ncell 4\\x1b[2J",sign,today\n'
    b"alice/02_x.ipynb,02-c,unanswered,0,0.5,No answer,,\n"
    b"bob/notes.ipynb,,error,0,,wrong exercise: it checks no problem,,\n"
)
SUMMARY_CSV = (
    b"submission,exercise,total,max,error,notes,learner,id\n"
    b"alice/02_x.ipynb,02_sgd_by_hand,4.2,5.5,,cell 3 raised NameError: x,alice,rostered\n"
    b"bob/notes.ipynb,,0,,wrong exercise: it checks no problem,,,\n"
)


def graded():
    alice = Graded(
        "alice/02_x.ipynb",
        "02_sgd_by_hand",
        [
            Row("alice/02_x.ipynb", "02-a", "correct", 3.0, 3, "Correct: 0.308.", "", "7"),
            Row("alice/02_x.ipynb", "02-b", "incorrect", 1.2, 2, 'Off by "one", see\ncell 4\x1b[2J', "sign", "today"),
            Row("alice/02_x.ipynb", "02-c", "unanswered", 0.0, 0.5, "No answer"),
        ],
        4.2,
        5.5,
        notes=["cell 3 raised NameError: x"],
        learner="alice",
        identity="rostered",
    )
    return [alice, Graded("bob/notes.ipynb").fail("wrong exercise: it checks no problem")]


def test_the_gradebook_bytes_are_those_of_before(tmp_path):
    out, summary = write_gradebook(graded(), tmp_path / "grades.csv")
    assert (out, summary) == (tmp_path / "grades.csv", tmp_path / "grades_summary.csv")
    assert out.read_bytes() == GRADES_CSV and summary.read_bytes() == SUMMARY_CSV
    assert oct(os.stat(out).st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv", "grades_summary.csv"]  # no temporary left


def test_a_row_is_named_fields_in_the_gradebooks_column_order():
    assert (
        GRADES
        == tuple(f.name for f in fields(Row))
        == ("submission", "problem", "status", "score", "points", "feedback", "slip", "variant")
    )
    (error,) = Graded("x.ipynb", max=11).fail("not graded: the kernel died").rows
    assert error == Row("x.ipynb", "", "error", 0.0, 11, "not graded: the kernel died")
    with pytest.raises(FrozenInstanceError):
        error.score = 11


def test_summary_file_sits_next_to_the_gradebook(tmp_path):
    assert summary_path(tmp_path / "grades.csv") == tmp_path / "grades_summary.csv"
    assert summary_path(tmp_path / "marks") == tmp_path / "marks_summary.csv"


def test_clean_escapes_what_would_break_a_csv_or_a_terminal():
    assert clean(os.fsdecode(b"Jos\xe9.ipynb")) == "Jos\\xe9.ipynb"
    assert clean("a\x1b[2Jb\x00c\u2028") == "a\\x1b[2Jb\\x00c\\u2028"
    assert clean("\ud800 lone") == "\\ud800 lone"
    assert clean("été, 中文, tab\tkept") == "été, 中文, tab\tkept"
    assert len(clean("x" * 5000)) == 2000
    "".join(clean(chr(c)) for c in range(0x110000)).encode("utf-8")  # every result encodes


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1", "﹣1+1"]


def test_cells_a_spreadsheet_would_run_as_formulas_are_inert_in_both_files(tmp_path):
    """A file name (or any text) that starts like a formula gets a leading apostrophe, in grades.csv
    and in the summary; numbers stay numbers, and the cleaning of before still applies (a carriage
    return becomes the text \\r)."""
    graded = []
    for k, text in enumerate(FORMULAS):
        g = Graded(text, "02_sgd_by_hand", [Row(text, "02-a", "incorrect", 0.0, 3, text)], 0.0, 3, notes=[text])
        graded += [g, Graded(f"{k}{text}").fail(text)]
    out, summary = write_gradebook(graded, tmp_path / "grades.csv")
    cells = [
        cell for path in (out, summary) for row in csv.reader(path.open(newline="", encoding="utf-8")) for cell in row
    ]
    starts = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r", "＝", "﹣")]
    # per formula (but "\r", which clean() writes as the text \r first): 2 cells in grades.csv and 2
    # in the summary for the graded submission, and 1 + 1 for the reason of the one that failed
    assert starts == [] and sum(c.startswith("'") for c in cells) == 6 * (len(FORMULAS) - 1)
    assert '\'=HYPERLINK("http://x")' in cells and "'\tx" in cells and "\\rx" in cells
    assert inert("-0.5") == "-0.5" and inert("+3") == "+3" and inert("1e-05") == "1e-05"
