"""How answers are checked, in one place.

    result      Result (status + feedback) and Mistake        text      values as words (fmt)
    numeric     numbers and lists of numbers                   choice    option letters
    symbolic    sympy expressions (screen: refusing huge ones before evaluation)
    functions   a learner's function run on test cases (funcreport: the feedback)
    slips       generic slips of a number (exprslips: of an expression)
    timelimit   a soft time limit in this process            isolate   a hard one: a forked child
    answers     check(problem_id, answer) for the bank        hints     hint, show, problems
The learner's entry point is sgdcourse.practice (check, hint, show, problems).
"""
from .choice import check_choice, read_choice
from .functions import check_function, is_placeholder
from .numeric import check_number, read_number, read_numbers
from .result import COLOURS, LETTERS, STATUSES, Mistake, Result, Unreadable
from .symbolic import check_expression, compare, read_expression
from .text import fmt

__all__ = ["COLOURS", "LETTERS", "STATUSES", "Mistake", "Result", "Unreadable", "check_choice", "check_expression",
           "check_function", "check_number", "compare", "fmt", "is_placeholder", "read_choice", "read_expression",
           "read_number", "read_numbers"]
