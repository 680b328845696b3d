"""Shared test setup, for the notebooks and tests/ alike (the fixtures of tests/ are in
tests/conftest.py).

Every cell nbval collects from a notebook carries the marker `notebooks`, so that the Makefile's
targets choose them by marker as they choose every other tier (make unit leaves them out).

nbval decides strict or lax once per run. The suite runs notebooks/ and solutions/
strictly and exercises/ laxly in one pytest run: for cells under exercises/, only those
marked NBVAL_CHECK_OUTPUT compare their outputs (what --nbval-lax does).

On top of nbval, every answer check a practice notebook prints while it runs must say
`correct` in solutions/ and `unanswered` in exercises/ (the shipped placeholders).
"""

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

LAX_FOLDERS = {"exercises"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects: the marker must be there when it does
def pytest_collection_modifyitems(config, items):
    for item in items:
        if not hasattr(item, "cell"):
            continue
        item.add_marker("notebooks")
        if Path(str(item.fspath)).parent.name in LAX_FOLDERS:
            item.options["check"] = "NBVAL_CHECK_OUTPUT" in item.cell.get("source", "")


CHECK_RESULT = re.compile(r"^(correct|incorrect|unanswered|unreadable) \[([\w-]+)\]", re.M)
EXPECTED_STATUS = {"solutions": "correct", "exercises": "unanswered"}


def check_results(outputs):
    """(status, problem id) of every answer check in a cell's fresh outputs."""
    for out in outputs or ():
        text = out.get("text") or out.get("data", {}).get("text/plain") or ""
        yield from CHECK_RESULT.findall("".join(text))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    want = EXPECTED_STATUS.get(Path(str(item.fspath)).parent.name)
    if want:
        for status, pid in check_results(getattr(item, "test_outputs", None)):
            if status != want:
                raise AssertionError(f"the check of {pid} says {status!r}; every check here must say {want!r}")
    return result


# Property tests draw their examples deterministically, so a run never fails by chance
# and a failure reproduces on any machine.
from hypothesis import settings  # noqa: E402

settings.register_profile("course", derandomize=True, deadline=None, database=None)
settings.load_profile("course")


def pytest_terminal_summary(terminalreporter):
    """Print the figures a test reported with record_property("report", text) (the checker
    battery's share of named slips), also when the tests ran on xdist workers."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for key, text in getattr(report, "user_properties", ()):
            if key == "report" and getattr(report, "when", "call") == "call":
                terminalreporter.write_line(str(text))
