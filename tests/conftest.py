"""Shared test setup.

nbval decides strict or lax once per run. The suite runs notebooks/ and solutions/
strictly and exercises/ laxly in one pytest run: for cells under exercises/, only those
marked NBVAL_CHECK_OUTPUT compare their outputs (what --nbval-lax does).
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

LAX_FOLDERS = {"exercises"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parent.name not in LAX_FOLDERS or not hasattr(item, "cell"):
            continue
        source = item.cell.get("source", "")
        item.options["check"] = "NBVAL_CHECK_OUTPUT" in source


# Property tests draw their examples deterministically, so a run never fails by chance
# and a failure reproduces on any machine.
from hypothesis import settings  # noqa: E402

settings.register_profile("course", derandomize=True, deadline=None, database=None)
settings.load_profile("course")
