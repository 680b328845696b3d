"""Every command block of README.md and docs/instructors.md runs as written, in a fresh clone of
the working tree (HEAD plus the uncommitted changes, tests/helpers.py's fresh_clone).

A command block is a fenced block marked bash, sh, shell or console. The blocks run in the
order a reader meets them (README.md, then docs/instructors.md), one clone for all, each in a
new bash in the clone's root (the documents say that each block starts there), under `set -e`:
any line that fails fails its block. Nothing is activated for a block unless the block itself
says so (`source .venv-export/bin/activate`). Three kinds of line are handled otherwise:

- `make TARGET` for a target that .ci/run runs on a fresh clone, as written (`make test`,
  `make sitetest`), or one that such a target runs first (`make site`, which `make sitetest`
  builds): checked to be so, from .ci/run and `make -n`, and not run twice here;
- `make lab`, a server that runs until stopped: started as written, in the background (with
  BROWSER=true, so that no browser is opened on this machine), checked to answer at the
  address it prints, then stopped;
- the conda block: conda is not installed here, and its channel, conda-forge, cannot be reached
  from the machines this is tested on (PyPI, Debian and npm only), so it is not run. Its
  contents are checked elsewhere: environment.yml against pyproject.toml
  (tests/test_environment.py) and repo2docker's reading of it (tests/test_binder.py). It is the
  only block not run, and its text is pinned below, so that a change to it is looked at.

A block identical, character for character, to one met earlier runs once, the first time.

Marker docs (make docs-test, which .ci/run runs): about 2.5 min, most of it two venvs (the
learner's .venv and the instructor's .venv-export) installed from the configured index.
"""

import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest

from helpers import ROOT, clean_env, fresh_clone

pytestmark = pytest.mark.docs
DOCS = ("README.md", "docs/instructors.md")
SHELL = {"bash", "sh", "shell", "console"}
NOT_RUN = {  # block text: why it cannot run here
    "conda env create -f environment.yml\nconda activate sgdcourse\njupyter lab notebooks/01_gradient_descent.ipynb": (
        "conda is not installed and conda-forge is unreachable from the test machines"
    ),
}
MAKE_LINE = re.compile(r"^make ([\w-]+)\s*(#.*)?$")
LOOKS_LIKE_A_COMMAND = re.compile(r"^(make|python3?|\.venv|pip|cd|source|mkdir|otter|nbgrader|conda|jupyter)\b")


def fenced_blocks(path):
    """[(line number, language, text)] of every fenced block of a Markdown file, dedented to its fence."""
    found, lines, i = [], (ROOT / path).read_text().splitlines(), 0
    while i < len(lines):
        opening = re.match(r"^( *)```(\w*)\s*$", lines[i])
        if opening:
            indent, start, body = len(opening.group(1)), i + 1, []
            i += 1
            while not re.match(r"^ *```\s*$", lines[i]):
                body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
                i += 1
            found.append((start, opening.group(2), "\n".join(body)))
        i += 1
    return found


BLOCKS = [(path, line, text) for path in DOCS for line, lang, text in fenced_blocks(path) if lang in SHELL]


def ci_targets():
    return re.findall(r"^make ([\w-]+)\s*$", (ROOT / ".ci" / "run").read_text(), re.M)


def make_dry_run(target):
    env = clean_env()
    out = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line.strip()]


def run_by_ci(target):
    """Whether .ci/run runs `make target` as written, or runs a target whose commands include all of its own."""
    if target in ci_targets():
        return True
    own = make_dry_run(target)
    return any(set(own) <= set(make_dry_run(t)) for t in ci_targets())


def test_every_command_block_is_marked_as_one():
    """A block that holds commands but no shell language would escape the run below."""
    for path in DOCS:
        for line, lang, text in fenced_blocks(path):
            if lang not in SHELL:
                commands = [s for s in text.splitlines() if LOOKS_LIKE_A_COMMAND.match(s.strip())]
                assert commands == [], f"{path}:{line}: a block of commands not marked bash: {commands}"
    assert len(BLOCKS) >= 8


def test_the_only_block_not_run_is_the_conda_one():
    not_run = [text for _, _, text in BLOCKS if text in NOT_RUN]
    assert not_run == list(NOT_RUN), "the conda block changed: run it if it can run here, or update NOT_RUN"


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    return fresh_clone(tmp_path_factory.mktemp("clone"))


def serve_as_written(clone, line, log_path):
    """Start `make lab` as written, wait for the address it prints, check that it answers, stop it."""
    log = open(log_path, "w+")
    proc = subprocess.Popen(
        ["bash", "-c", line],
        cwd=clone,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=clean_env(BROWSER="true"),
    )
    try:
        deadline, found = time.monotonic() + 900, None  # the first make lab creates .venv
        while time.monotonic() < deadline and proc.poll() is None and not found:
            time.sleep(0.5)
            log.seek(0)
            found = re.search(
                r"(http://(?:localhost|127\.0\.0\.1):\d+)/lab/tree/notebooks/01_gradient_descent\.ipynb\?token=(\w+)",
                log.read(),
            )
        log.seek(0)
        assert found, f"`{line}` printed no address of lesson 01:\n{log.read()[-3000:]}"
        base, token = found.groups()
        request = urllib.request.Request(f"{base}/api/contents/notebooks", headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
            listing = answer.read().decode()
        assert '"01_gradient_descent.ipynb"' in listing, listing[:500]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        log.close()


# A block whose text is, character for character, one met earlier (the README repeats the
# instructor guide's otter-grader and nbgrader blocks) runs once, where it first appears.
RUN = [b for i, b in enumerate(BLOCKS) if b[2] not in NOT_RUN and b[2] not in [seen[2] for seen in BLOCKS[:i]]]


@pytest.mark.parametrize("path,line,text", RUN, ids=[f"{p}:{n}" for p, n, _ in RUN])
def test_command_block_runs_as_written(clone, tmp_path, path, line, text):
    script, servers = [], []
    for row in text.splitlines():
        make = MAKE_LINE.match(row.strip())
        if make and make.group(1) == "lab":
            servers.append(row.strip())
        elif make and run_by_ci(make.group(1)):
            continue  # .ci/run runs it on a fresh clone, as written
        else:
            script.append(row)
    if servers:
        assert [s for s in script if s.strip() and not s.strip().startswith("#")] == [], (
            f"{path}:{line}: `make lab` shares its block with other commands; run them before it"
        )
        for server in servers:
            serve_as_written(clone, server, tmp_path / "lab.log")
        return
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", "\n".join(script)],
        cwd=clone,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, (
        f"{path}:{line}: the block failed (status {done.returncode}):\n{text}\n"
        f"--- stdout (end)\n{done.stdout[-3000:]}\n--- stderr (end)\n{done.stderr[-3000:]}"
    )
