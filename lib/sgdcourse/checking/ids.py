"""Problem ids a learner types: suggestions for an unknown one, case and spaces ignored."""
from __future__ import annotations

import difflib

from .text import fmt


def close_ids(problem_id, n=3):
    """Up to n ids of the bank that look like problem_id (case, spaces and _ for - ignored)."""
    from ..problems import BANK

    key = str(problem_id).strip().lower().replace("_", "-").replace(" ", "-")
    exact = [pid for pid in BANK if pid == key]
    return exact or difflib.get_close_matches(key, list(BANK), n=n, cutoff=0.5)


def unknown_id(problem_id):
    """The message for an id that is not in the bank, with the ids it probably meant (in a kernel
    being graded, whose bank is sealed away by grading.sandbox, the message that says so)."""
    from .. import problems

    if getattr(problems, "SEALED_MESSAGE", None):
        return problems.SEALED_MESSAGE
    if not isinstance(problem_id, str):
        return f"There is no problem {fmt(problem_id)} in the bank: a problem id is a text such as '02-worked-step'."
    close = close_ids(problem_id)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else \
        " problems() lists every problem with its id."
    return f"There is no problem {fmt(problem_id)} in the bank.{hint}"
