"""Problem ids a learner types: the one place that suggests ids for an unknown one.

    close_ids(problem_id, ids)    up to n known ids that look like it (case, spaces and _ for - ignored)
    unknown_id(problem_id, ids)   the message: no such problem, did you mean ...?
ids: the bank's ids (a bank iterates over them). The checker, the hints, the bank's own get() and
the exporter all use these.
"""

from __future__ import annotations

import difflib

from .text import fmt


def close_ids(problem_id, ids, n=3):
    """Up to n of ids that look like problem_id (case, spaces and _ for - ignored)."""
    ids = list(ids)
    key = str(problem_id).strip().lower().replace("_", "-").replace(" ", "-")
    exact = [pid for pid in ids if pid == key]
    return exact or difflib.get_close_matches(key, ids, n=n, cutoff=0.5)


def unknown_id(problem_id, ids):
    """The message for an id that is not among ids, with the ids it probably meant."""
    if not isinstance(problem_id, str):
        return f"There is no problem {fmt(problem_id)} in the bank: a problem id is a text such as '02-worked-step'."
    close = close_ids(problem_id, ids)
    hint = (
        f" Did you mean {' or '.join(repr(c) for c in close)}?"
        if close
        else " problems() lists every problem with its id."
    )
    return f"There is no problem {fmt(problem_id)} in the bank.{hint}"
