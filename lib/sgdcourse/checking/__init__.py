"""How answers are checked, in one place. The checker is handed a bank of problems, never imports one.

    answers     check(problem_id, answer, bank=...): the entry point    engines   ENGINES, one per kind
    numeric     numbers and lists of numbers                            choice    option letters
    symbolic    sympy expressions (screen: refusing huge ones before evaluation; points: where they are compared)
    functions   a learner's function run on test cases (outputs: what a case gave; funcreport: the feedback)
    slips       every typical slip of every kind of answer, one catalogue (exprslips: matching an expression's)
    result      Result (status + feedback) and Mistake                  text      values as words (fmt)
    timelimit   a soft time limit in this process                       isolate   a hard one: a forked child
    hints       hint, show, problems                                    ids       suggestions for an unknown id
The learner's entry point is sgdcourse.practice (check, hint, show, problems), which hands these the
installed bank, sgdcourse.problems.
"""

from .choice import check_choice, read_choice
from .functions import check_function
from .numeric import check_number, read_number, read_numbers
from .outputs import is_placeholder
from .result import COLOURS, LETTERS, STATUSES, Mistake, Result, Unreadable
from .symbolic import check_expression, compare, read_expression
from .text import fmt

__all__ = [
    "COLOURS",
    "LETTERS",
    "STATUSES",
    "Mistake",
    "Result",
    "Unreadable",
    "check_choice",
    "check_expression",
    "check_function",
    "check_number",
    "compare",
    "fmt",
    "is_placeholder",
    "read_choice",
    "read_expression",
    "read_number",
    "read_numbers",
]
