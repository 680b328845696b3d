"""grading.scoring: a function answer right on some of its cases earns that share of its points
(the checker counts the cases, the grader scores them); an answer that cannot be decoded (a decode
bomb, over its budget, malformed) is an unreadable row of its own, and nothing raises."""

import pytest

from sgdcourse.checking import Result
from sgdcourse.checking.functions import check_function
from sgdcourse.grading.remote import read_answer
from sgdcourse.grading.scoring import check_answer, missing, score_of
from sgdcourse.grading.wire import MAX_VALUES, encode
from sgdcourse.problems import BANK


def test_partial_credit_in_the_function_checker():
    cases = [dict(x=float(v)) for v in range(-2, 3)]
    r = check_function(lambda x: x if x >= 0 else 1 / 0, lambda x: x, cases)
    assert r.status == "incorrect" and r.passed == (3, 5) and "ZeroDivisionError" in r.feedback
    assert check_function(lambda x: x, lambda x: x, cases).passed == (5, 5)
    assert score_of(Result("incorrect", "", passed=(3, 5)), 2) == 1.2
    assert score_of(Result("unanswered", "", passed=(0, 5)), 2) == 0.0


class Replies:
    """A stand-in for kernel.Kernel that answers every probe with one reply."""

    limit, deadline, out_of_time = 2.0, float("inf"), False

    def __init__(self, reply):
        self.reply = reply

    def ask(self, code):
        return self.reply


@pytest.mark.parametrize(
    "data, why",
    [
        ({"t": "sympy", "v": "Float('1.5', 100000000)"}, "too precise to build"),
        ({"t": "sympy", "v": "Pow(Pow(Integer(2), Integer(10000)), Integer(10000))"}, "power too large"),
        ({"t": "list", "v": [{"t": "none"}] * (MAX_VALUES + 1)}, "too many to be read"),
        ({"t": ["odd"]}, "malformed data"),
        ({"t": "fraction", "v": ["1", "0"]}, "malformed data"),
    ],
)
def test_an_answer_that_cannot_be_decoded_is_an_unreadable_row(data, why):
    """Decode bombs, answers over their budget and odd data: that answer's row says why, nothing raises."""
    kind, detail = read_answer(Replies({"value": data}), "w3")
    result = (
        check_answer(BANK["02-worked-step"], detail, 2.0) if kind == "value" else missing("w3", kind, detail, [], [])
    )
    assert (kind, result.status, score_of(result, 2)) == ("unreadable", "unreadable", 0.0)
    assert result.feedback.startswith("Could not read the answer: ") and why in result.feedback


def test_a_lone_surrogate_in_a_text_answer_is_checked_like_any_text():
    kind, value = read_answer(Replies({"value": encode("b\ud800")}), "why_unbiased")
    assert (kind, value) == ("value", "b\ud800")
    result = check_answer(BANK["02-unbiased-choice"], value, 2.0)
    assert result.status in ("incorrect", "unreadable") and score_of(result, 1) == 0.0
    assert check_answer(BANK["02-unbiased-choice"], BANK["02-unbiased-choice"].answer, 2.0).status == "correct"


def test_a_number_given_as_text_is_screened_before_sympy_as_an_expression_is():
    """The checker reads "19/50" for a number problem with sympy's parser, so the grader screens it."""
    p = BANK["02-worked-w2"]
    assert check_answer(p, str(p.answer), 2.0).status == "correct"
    result = check_answer(p, "().__class__", 2.0)
    assert result.status == "unreadable" and "contains '__', which is not mathematics" in result.feedback, result
