"""grading.submission, the parts that need no kernel: a submission's bytes are read only from a
regular file within the size limit, and a submission that cannot be graded is one error row."""

import pytest

from helpers import EX02
from sgdcourse.grading.exercise import SubmissionError
from sgdcourse.grading.gradebook import Row
from sgdcourse.grading.submission import Graded, read_submission


def test_a_symbolic_link_or_a_file_over_the_limit_is_not_read(tmp_path):
    (tmp_path / "real.ipynb").write_bytes(EX02.read_bytes())
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "real.ipynb")
    with pytest.raises(SubmissionError, match="symbolic link"):
        read_submission(str(tmp_path / "link.ipynb"), 2**20)
    with pytest.raises(SubmissionError, match="larger than"):
        read_submission(str(tmp_path / "real.ipynb"), 1000)
    assert read_submission(str(tmp_path / "real.ipynb"), 2**20) == EX02.read_bytes()


def test_a_submission_that_cannot_be_graded_is_one_error_row():
    why = "not graded: the kernel died"
    g = Graded("alice/02_x.ipynb", "02_sgd_by_hand", [Row("alice/02_x.ipynb", "02-a", "correct", 3.0, 3, "")], 3.0, 11)
    assert g.fail(why) is g
    assert (g.error, g.total, g.rows) == (why, 0.0, [Row("alice/02_x.ipynb", "", "error", 0.0, 11, why)])
