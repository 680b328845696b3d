"""One answer's Result and score, decided in the grader's process by the course's own checker.

    ("value", v) from remote.read_answer --check_answer()--> checking.answers.check's Result with
        the bank installed here, sgdcourse.problems.BANK (never raises)
    ("raised" | "timeout" | "unreadable", detail) --missing()--> an "unanswered" / "unreadable" Result
    Result --score_of(result, points)--> points when correct; for a function, its share of the
        test cases passed (Result.passed); else 0. Rounded to 0.01.

The checker and problem bank are the ones installed here, so nothing the notebook redefined or
patched in its kernel counts. An answer given as text that the checker may hand to sympy's parser
(an expression, or a number: the checker reads "19/50" as 0.38) passes sympytext.unsafe_text first.
"""

from __future__ import annotations

import re

from ..checking import Result, answers, timelimit
from ..problems import BANK
from .exercise import code_cells
from .sympytext import unsafe_text


def score_of(result, points):
    """points when correct (or a prediction recorded); a function's share of passed cases; else 0
    (rounded to 0.01)."""
    if result.ok:
        return float(points)
    if result.passed and result.status != "unanswered" and result.passed[1]:
        return round(points * result.passed[0] / result.passed[1], 2)
    return 0.0


def check_answer(problem, answer, check_timeout, limit=float("inf"), bank=BANK):
    """The course's own Result for a rebuilt answer, checked in this process against `bank` (the
    learner's variants: a problems.variants.VariantBank; default the installed bank, today's
    numbers); never raises. It takes at most check_budget() seconds, and at most `limit` (what is
    left of the notebook's time budget)."""
    parsed = problem.kind in ("expression", "number") or problem.kind == "predict" and not problem.options
    if parsed and isinstance(answer, str):
        reason = unsafe_text(answer, problem.namespace)
        if reason:
            return Result("unreadable", f"Could not read the answer: {reason}", problem_id=problem.id)
    budget = min(check_budget(problem, check_timeout), limit)
    kind, value = timelimit.run(lambda: answers.check(problem.id, answer, bank=bank, timeout=check_timeout), budget)
    if kind == "value":
        return value
    why = f"checking it took longer than {budget:g} s" if kind == "timeout" else f"{type(value).__name__}: {value}"
    return Result("unreadable", f"Could not check the answer: {why}.", problem_id=problem.id)


def check_budget(problem, check_timeout):
    """The time limit for checking one answer to problem: check_timeout x (2 + its mistakes) + 10 s."""
    return check_timeout * (2 + len(problem.mistakes)) + 10


def missing(expr, kind, detail, incidents, cells):
    """The Result for an answer that could not be taken from the kernel; for an undefined name,
    the incidents of the cells that mention it (other than NameErrors about it) say why."""
    if kind == "raised" and detail[0] == "NameError":
        names = re.findall(r"[A-Za-z_]\w*", expr)
        sources = dict(code_cells(cells))
        others = [(n, text) for n, text in incidents if not any(f"name '{x}' is not defined" in text for x in names)]
        related = [text for n, text in others if any(re.search(rf"\b{x}\b", sources.get(n, "")) for x in names)]
        head = f"No answer ({detail[0]}: {detail[1]})"
        if related:
            return Result("unanswered", f"{head}: {'; '.join(related[:3])}.")
        if others:
            return Result("unanswered", f"{head}. Did a cell fail? {'; '.join(t for _, t in others[:3])}.")
        return Result("unanswered", f"{head}: no cell failed; was the answer's cell deleted, or the name changed?")
    if kind == "raised":
        return Result("unreadable", f"Could not read the answer: evaluating `{expr}` raised {detail[0]}: {detail[1]}")
    if kind == "timeout":
        return Result("unreadable", f"Could not read the answer: evaluating `{expr}` did not finish in time.")
    return Result("unreadable", f"Could not read the answer: {detail}")
