"""A learner's start, as `make lab` gives it, in a fresh clone of the working tree (HEAD plus the
uncommitted changes, tests/helpers.py's fresh_clone) with a venv of its own.

Marker browser (make browser): `make lab`, started as the README says with LAB_ARGS for the
port and no browser, installs JupyterLab and the runtime and not one test tool (pytest, nbval,
hypothesis, pytest-xdist, playwright, ruff), and serves the learner's working copy; a lesson
opened there, run (Run All), saved with Ctrl+S and left past an autosave leaves `git status
--porcelain` empty, the save having really written the copy; and JupyterLab's news prompt never
shows. About a minute: a venv of its own (pip from the configured index).
"""

import json
import os
import signal
import socket
import subprocess
import time

import pytest

from helpers import CHROMIUM, CHROMIUM_FLAGS, clean_env, fresh_clone

TEST_TOOLS = {"pytest", "nbval", "hypothesis", "pytest-xdist", "playwright", "ruff"}
LESSON = "notebooks/02_sgd_by_hand.ipynb"  # its widgets change the file when it runs and is saved
NEWS = "official Jupyter news"  # JupyterLab 4's prompt: "Would you like to get notified about official Jupyter news?"
AUTOSAVE_S = 3  # the autosave interval for this test (JupyterLab's default is 120 s)


def _status(clone):
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout


def assert_lean_lab(clone):
    """make lab's venv in `clone` holds JupyterLab and the course and no test tool; the course's Lab
    settings are installed; the working copy holds every lesson and exercise; git status is clean."""
    listed = subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed)}
    assert "jupyterlab" in installed and "sgdcourse" in installed
    assert sorted(installed & TEST_TOOLS) == [], f"make lab installed test tools: {sorted(installed & TEST_TOOLS)}"
    overrides = clone / ".venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(overrides.read_text()) == json.loads((clone / "lab-settings" / "overrides.json").read_text())
    for folder in ("notebooks", "exercises"):
        tracked = sorted(p.name for p in (clone / folder).iterdir())
        assert sorted(p.name for p in (clone / "mywork" / folder).iterdir()) == tracked
    assert _status(clone) == ""


CURRENT = """(p) => { const w = window.jupyterapp.shell.currentWidget;
    return w && w.context && w.context.path === p; }"""
IDLE = """() => { const w = window.jupyterapp.shell.currentWidget;
    const k = w.sessionContext.session && w.sessionContext.session.kernel; return k && k.status === 'idle'; }"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.browser
def test_a_lesson_run_in_make_lab_leaves_git_clean(tmp_path):
    if not CHROMIUM:
        pytest.fail("no chromium on PATH (sudo apt-get install chromium; .ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is not installed (make browser installs .[lab,test], which has it)")

    clone = fresh_clone(tmp_path / "clone")
    # an empty settings folder: only the course's overrides decide (not this machine's own Lab settings)
    settings = tmp_path / "settings" / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"autosaveInterval": AUTOSAVE_S}))
    port, token = _free_port(), "lab-start-test"
    args = (
        f"--no-browser --ServerApp.ip=127.0.0.1 --port={port} --IdentityProvider.token={token} "
        f"--LabApp.expose_app_in_browser=True --LabApp.workspaces_dir={tmp_path}/workspaces "
        f"--LabApp.user_settings_dir={tmp_path}/settings"
    )
    log = open(tmp_path / "lab.log", "w+")
    proc = subprocess.Popen(
        ["make", "lab", f"LAB_ARGS={args}"],
        cwd=clone,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=clean_env(JUPYTER_PLATFORM_DIRS="1"),
    )
    try:
        deadline = time.monotonic() + 900  # the first make lab creates the venv
        while time.monotonic() < deadline and proc.poll() is None:
            log.seek(0)
            if f"127.0.0.1:{port}/lab/tree/notebooks/01_gradient_descent.ipynb?token=" in log.read():
                break
            time.sleep(0.5)
        log.seek(0)
        assert proc.poll() is None, f"make lab stopped:\n{log.read()[-3000:]}"
        # one fresh clone for both checks (a venv each would cost .ci/run a minute): the venv that
        # make lab made holds no test tool, before the lesson runs
        assert_lean_lab(clone)
        copy = clone / "mywork" / LESSON
        before = copy.stat().st_mtime_ns
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(f"http://127.0.0.1:{port}/lab/tree/{LESSON}?token={token}&reset")
            page.wait_for_function(CURRENT, arg=LESSON)
            page.wait_for_function(IDLE)
            ran = page.evaluate(
                "async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells');"
                " return window.jupyterapp.shell.currentWidget.content.widgets.filter("
                "c => c.model.type === 'code' && c.model.executionCount).length; }"
            )
            assert ran > 10, f"Run All ran {ran} code cells"
            page.wait_for_function(IDLE)
            page.locator(".jp-Notebook").first.click()
            page.keyboard.press("Control+s")
            page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
            time.sleep(2 * AUTOSAVE_S + 2)  # past an autosave
            shown = page.inner_text("body")
            browser.close()
        assert _status(clone) == "", f"running a lesson dirtied the clone:\n{_status(clone)}"
        assert NEWS not in shown, "JupyterLab asked about news"
        assert copy.stat().st_mtime_ns > before, "the lesson's working copy was never saved"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        log.close()
