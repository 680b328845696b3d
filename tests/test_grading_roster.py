"""Grading as the learner: the roster (--roster), whose numbers a notebook is graded with
(submission.learner_of), shards (--shard I/N) and their merge. The same on real kernels, with
copiers in the class and three shards against one run: tests/slow/test_grade_variants.py."""

from __future__ import annotations

import csv

import pytest

from sgdcourse.grading import grade, submission
from sgdcourse.grading.gradebook import GRADES, SUMMARY, MergeError, Row, merge, summary_path, write_gradebook
from sgdcourse.grading.submission import Graded

FOUND = ["class/a/02_sgd_by_hand.ipynb", "class/b/02_sgd_by_hand.ipynb", "class/carol.ipynb"]


def roster(tmp_path, rows, header=("submission", "learner")):
    path = tmp_path / "roster.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_a_roster_names_submissions_by_path_or_unique_file_name(tmp_path):
    path = roster(tmp_path, [("class/a/02_sgd_by_hand.ipynb", "ann"), ("carol.ipynb", " carol ")])
    assert grade.read_roster(path, FOUND) == {"class/a/02_sgd_by_hand.ipynb": "ann", "class/carol.ipynb": "carol"}


@pytest.mark.parametrize(
    "rows, why",
    [
        ([("02_sgd_by_hand.ipynb", "ann")], "several submissions have that file name"),
        ([("nobody.ipynb", "ann")], "no submission found"),
        ([("carol.ipynb", "")], "learner must be"),
        ([("carol.ipynb", "c\x07")], "learner must be"),
        ([("carol.ipynb", "c"), ("class/carol.ipynb", "d")], "rostered twice"),
    ],
)
def test_a_bad_roster_line_is_named(tmp_path, rows, why):
    with pytest.raises(grade.UsageError, match=why) as exc:
        grade.read_roster(roster(tmp_path, rows), FOUND)
    assert exc.value.argument == "--roster" and f"line {len(rows) + 1}" in str(exc.value)


def test_a_roster_without_its_columns_is_refused(tmp_path):
    with pytest.raises(grade.UsageError, match="columns submission and learner"):
        grade.read_roster(roster(tmp_path, [("x", "y")], header=("file", "id")), FOUND)


def test_shards_partition_the_sorted_submissions():
    found = [f"s{k:02d}.ipynb" for k in range(10)]
    shards = [grade._shard(found, i, 3) for i in (1, 2, 3)]
    assert shards[0] == ["s00.ipynb", "s03.ipynb", "s06.ipynb", "s09.ipynb"]
    assert sorted(s for part in shards for s in part) == found
    assert grade.parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "2", "a/b"):
        with pytest.raises(grade.UsageError, match="--shard"):
            grade.parse_shard(bad)


@pytest.mark.parametrize(
    "rostered, named, learner, says",
    [
        ("ann", "ann", "ann", "rostered"),
        ("ann", "bob", "ann", "rostered; the notebook names 'bob', not 'ann': graded as 'ann'"),
        ("ann", None, "ann", "rostered; the notebook names no id"),
        (None, "bob", "bob", "not verified: the id the notebook names (no roster)"),
        (None, None, "", "no roster, and the notebook names no id: today's numbers"),
        (None, "x\x00y", "", "no roster, and the notebook names no id: today's numbers"),
    ],
)
def test_whose_numbers_grade_a_notebook(monkeypatch, rostered, named, learner, says):
    monkeypatch.setattr(submission, "read_answer", lambda kernel, expr: ("value", named))
    assert submission.learner_of(object(), rostered) == (learner, says)


def graded(name, problems):
    g = Graded(name, "02_sgd_by_hand", learner=name[:3], identity="rostered")
    g.rows = [Row(name, pid, "correct", 1.0, 1, "Right.", "", str(k)) for k, pid in enumerate(problems)]
    g.total, g.max = float(len(problems)), len(problems)
    return g


def test_merged_shards_are_the_one_run_byte_for_byte(tmp_path):
    everyone = [graded(f"sub{k}.ipynb", ["02-x", "02-y"]) for k in range(7)]
    everyone.append(Graded("weird.ipynb").fail("wrong exercise: =1+1"))
    one = write_gradebook(everyone, tmp_path / "one.csv")
    shards = [write_gradebook(everyone[i::3], tmp_path / f"shard{i}.csv")[0] for i in (2, 0, 1)]
    summaries = [summary_path(s) for s in shards]  # what `shard*.csv` matches as well
    merged = merge([*shards, *summaries], tmp_path / "merged.csv")
    assert merged[0].read_bytes() == one[0].read_bytes()
    assert merged[1].read_bytes() == one[1].read_bytes()
    assert one[0].read_text().splitlines()[0] == ",".join(GRADES)
    assert summary_path(one[0]).read_text().splitlines()[0] == ",".join(SUMMARY)


def test_a_submission_in_two_shards_is_refused(tmp_path):
    a = write_gradebook([graded("sub1.ipynb", ["02-x"])], tmp_path / "a.csv")[0]
    b = write_gradebook([graded("sub1.ipynb", ["02-x"])], tmp_path / "b.csv")[0]
    with pytest.raises(MergeError, match="in two shards"):
        merge([a, b], tmp_path / "m.csv")
    (tmp_path / "c.csv").write_text("x,y\n")
    (tmp_path / "c_summary.csv").write_text("x,y\n")
    with pytest.raises(MergeError, match="not a gradebook"):
        merge([tmp_path / "c.csv"], tmp_path / "m.csv")


def test_the_learners_whose_numbers_stored_outputs_show():
    import json

    from sgdcourse.grading.exercise import shown_learners

    shown = {
        "output_type": "execute_result",
        "data": {"text/plain": ["01-gd-step: the numbers of bo@x.org\n", "  a = 1"]},
    }
    printed = {"output_type": "stream", "text": "02-a: the numbers of eve\n"}
    nb = {"cells": [{"cell_type": "code", "outputs": [shown, printed]}, {"cell_type": "code", "outputs": "junk"}]}
    assert shown_learners(json.dumps(nb).encode()) == ["bo@x.org", "eve"]
    today = {"output_type": "execute_result", "data": {"text/plain": "01-gd-step: today's numbers\n  a = 1"}}
    assert shown_learners(json.dumps({"cells": [{"cell_type": "code", "outputs": [today]}]}).encode()) == []
