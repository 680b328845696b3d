"""The engines that check an answer, one per kind of problem, in one registry keyed by the kind.

    ENGINES[problem.kind](problem, answer, timeout) -> Result  (no problem id or score yet)

    number      numeric.check_number       answer (a number or tuple), tol, mistakes, counts
    expression  symbolic.check_expression  answer (a sympy expression), namespace, mistakes; in a
                                           child process killed at timeout + min(GRACE, timeout)
                                           (isolate.py): sympy on an untrusted answer can run for
                                           hours; the last provisional result is kept if so
    function    functions.check_function   answer (the reference function), cases(rng(seed)),
                                           mistakes, dtype ("float64": float32 results held to float64)
    choice      choice.check_choice        answer (a letter), options, mistakes
    predict     predict.check_prediction   answer (what the experiment gave: a number, tuple or letter),
                                           options (for a letter), tol: recorded, never incorrect
and a number problem with accept = (lo, hi) (a choice with evidence) goes to predict.check_range,
with outside = (why not below, why not above).

An engine reads the fields of the Problem named here and nothing else (never its statement's
wording). A new kind of problem is a new engine in ENGINES; the bank accepts exactly these kinds.
"""

from __future__ import annotations

import numbers

import numpy as np
import sympy

from . import isolate
from .choice import check_choice
from .functions import GRACE, check_function
from .numeric import check_number
from .predict import check_prediction, check_range, check_valid
from .result import Result
from .symbolic import check_expression

_WARM = []


def _warm_up(problem):
    """Once per process: parse and evaluate the bank's own (trusted) answer here, so that sympy's
    lazy imports and caches are in place before the first fork and every child inherits them."""
    if not _WARM:
        _WARM.append(True)
        check_expression(sympy.sstr(problem.answer), problem.answer, problem.namespace)


def number(problem, answer, timeout):
    """A number or a list of numbers within the problem's tol (or, with accept, in its range); a
    wrong value that the quantity cannot take (problem.valid) is told so, unless it is one of the
    bank's named mistakes."""
    if problem.accept is not None:
        result = check_range(answer, problem.accept, problem.outside, problem.mistakes, problem.tol)
    else:
        result = check_number(answer, problem.answer, problem.tol, problem.mistakes, problem.counts)
    if problem.valid and result.status == "incorrect" and result.mistake not in {m.name for m in problem.mistakes}:
        impossible = check_valid(answer, problem.valid, isinstance(problem.answer, tuple) and len(problem.answer))
        return impossible or result  # a bank mistake says more than "impossible"; a generic guess does not
    return result


def expression(problem, answer, timeout):
    """A sympy expression (or text) equivalent to the problem's, checked in a forked child."""

    def run(send):
        return check_expression(
            answer,
            problem.answer,
            problem.namespace,
            problem.mistakes,  # noqa: E731
            timeout,
            send,
            problem.domain,
        )

    if not isolate.available() or not isinstance(answer, (str, numbers.Number, sympy.Basic)):
        return run(None)  # anything else is refused by its type at once, without sympy
    _warm_up(problem)
    limit = timeout + min(GRACE, timeout)
    kind, value, partial = isolate.run(run, limit)
    if kind == "value":
        return value
    if partial:
        return partial[-1]
    return Result(
        "unreadable",
        f"Could not check the answer within {limit:g} s: sympy could not "
        "work with it in time. Write it in a simpler form (expanded, without huge numbers) and "
        "try again.",
    )


def function(problem, answer, timeout):
    """A function that agrees with the reference on the problem's test cases."""
    cases = problem.cases(np.random.default_rng(problem.seed))
    return check_function(answer, problem.answer, cases, problem.mistakes, timeout, float64=problem.dtype == "float64")


def choice(problem, answer, timeout):
    """The letter of the right option."""
    return check_choice(answer, problem.options, problem.answer, problem.mistakes)


def predict(problem, answer, timeout):
    """A prediction, recorded whatever it is; the feedback says what happened."""
    return check_prediction(answer, problem.answer, problem.options, problem.tol)


ENGINES = {"number": number, "expression": expression, "function": function, "choice": choice, "predict": predict}
