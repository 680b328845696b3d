"""Self-checking practice in the notebooks: check an answer, ask for a hint, show a problem.

    check("02-worked-step", w3)     -> Result: correct / incorrect / unanswered / unreadable + feedback
    hint("02-worked-step")          shows the next hint for that problem (a Hints object keeps count)
    show("02-worked-step")          -> the statement and the expected form of the answer
    problems(lesson=2)              -> the problems of lesson 2 (all lessons when None)

check() never raises and never hangs: whatever it is given, it returns a Result within a few
seconds. Every object returned here renders as plain text and as HTML in JupyterLab, with the
same text on every run. How answers are checked: sgdcourse.checking.
"""
from . import problems as bank  # the problem bank, as before the checking modules moved
from .checking.answers import DEFAULT_TIMEOUT, PLACEHOLDER, check
from .checking.hints import DEFAULT_HINTS, Hints, Note, ProblemList, hint, problems, show
from .checking.result import Result

__all__ = ["bank", "DEFAULT_HINTS", "DEFAULT_TIMEOUT", "PLACEHOLDER", "Hints", "Note", "ProblemList", "Result",
           "check", "hint", "problems", "show"]
