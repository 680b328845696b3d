"""grading.scoring: a function answer right on some of its cases earns that share of its points
(the checker counts the cases, the grader scores them)."""

from sgdcourse.checking import Result
from sgdcourse.checking.functions import check_function
from sgdcourse.grading.scoring import score_of


def test_partial_credit_in_the_function_checker():
    cases = [dict(x=float(v)) for v in range(-2, 3)]
    r = check_function(lambda x: x if x >= 0 else 1 / 0, lambda x: x, cases)
    assert r.status == "incorrect" and r.passed == (3, 5) and "ZeroDivisionError" in r.feedback
    assert check_function(lambda x: x, lambda x: x, cases).passed == (5, 5)
    assert score_of(Result("incorrect", "", passed=(3, 5)), 2) == 1.2
    assert score_of(Result("unanswered", "", passed=(0, 5)), 2) == 0.0
