"""Binder builds the environment the README promises: repo2docker's own detection (the code
mybinder.org runs) picks the conda build pack for this repository and reads environment.yml's
Python pin as the version the README accepts. Needs the extra `binder`: marker install, run by
make sitetest."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.install


def picked_buildpack():
    """What repo2docker's Repo2Docker.build() picks for the repository (same loop, no docker)."""
    from repo2docker.app import Repo2Docker

    app = Repo2Docker()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for BP in app.buildpacks:
            bp = BP(base_image=app.base_image)
            if bp.detect():
                break
        else:
            bp = app.default_buildpack(base_image=app.base_image)
        bp.platform = "linux/amd64"
        # force the properties that read files while the repository is the working directory
        bp.render({"NB_USER": "jovyan", "NB_UID": "1000"})  # the Dockerfile builds without error
        return bp, bp.python_version, bp.get_build_script_files()
    finally:
        os.chdir(cwd)


def test_repo2docker_reads_the_pinned_python():
    from repo2docker.buildpacks import CondaBuildPack

    bp, python, files = picked_buildpack()
    assert isinstance(bp, CondaBuildPack), type(bp).__name__
    pin = re.search(r"^  - python=(\d+\.\d+)$", (ROOT / "environment.yml").read_text(), re.M).group(1)
    assert python == pin == "3.11"
    # the frozen base environment is the one for that Python, and the kernel shares it
    assert "conda/environment.py-3.11-linux-64.lock" in files
    assert not bp.separate_kernel_env


def test_repo2docker_would_not_read_a_lower_bound(tmp_path, monkeypatch):
    """The old `python>=3.10` line is no version to repo2docker: it falls back to its default."""
    from repo2docker.buildpacks import CondaBuildPack

    (tmp_path / "environment.yml").write_text("dependencies:\n  - python>=3.10\n  - numpy\n")
    monkeypatch.chdir(tmp_path)
    bp = CondaBuildPack(base_image="docker.io/library/buildpack-deps:jammy")
    assert bp.detect() and bp.python_version == bp.major_pythons["3"]


def test_readme_has_the_binder_launch_link():
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"https://mybinder\.org/v2/gh/[^/\s]+/[^/\s]+/[^?\s]+\?urlpath=lab/tree/([\w/.-]+)", readme)
    assert links, "no Binder launch link of the form https://mybinder.org/v2/gh/OWNER/REPO/BRANCH?urlpath=lab/tree/PATH"
    for path in links:
        assert (ROOT / path).is_file(), path
