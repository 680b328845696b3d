"""The site's one repository setting (website/conf.py COURSE_REPOSITORY): where it comes from."""

import runpy
import shutil
import subprocess

import pytest

from helpers import ROOT

pytestmark = pytest.mark.website


def settings_in(folder, monkeypatch, env=None):
    shutil.copy(ROOT / "website" / "conf.py", folder / "conf.py")
    monkeypatch.delenv("COURSE_REPOSITORY", raising=False)
    if env:
        monkeypatch.setenv("COURSE_REPOSITORY", env)
    return runpy.run_path(str(folder / "conf.py"))


def checkout(tmp_path, origin, branch="main"):
    subprocess.run(["git", "init", "-q", "-b", branch, str(tmp_path)], check=True)
    if origin:
        subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", origin], check=True)
    return tmp_path


@pytest.mark.parametrize(
    "origin",
    [
        "https://github.com/alice/sgd-course.git",
        "https://github.com/alice/sgd-course",
        "git@github.com:alice/sgd-course.git",
    ],
)
def test_a_github_origin_names_the_repository_and_the_branch(tmp_path, monkeypatch, origin):
    s = settings_in(checkout(tmp_path, origin, branch="spring"), monkeypatch)
    assert (s["REPOSITORY_OWNER"], s["REPOSITORY_NAME"], s["REPOSITORY_BRANCH"]) == ("alice", "sgd-course", "spring")
    assert s["html_theme_options"]["repository_url"] == "https://github.com/alice/sgd-course"


def test_the_environment_overrides_the_origin(tmp_path, monkeypatch):
    s = settings_in(checkout(tmp_path, "https://github.com/alice/sgd-course.git"), monkeypatch, env="bob/fork@dev")
    assert s["COURSE_REPOSITORY"] == "bob/fork@dev" and s["REPOSITORY_BRANCH"] == "dev"


@pytest.mark.parametrize("origin", [None, "/srv/git/sgd-course", "https://gitlab.com/alice/sgd-course.git"])
def test_without_a_github_origin_the_placeholder_is_used(tmp_path, monkeypatch, origin):
    s = settings_in(checkout(tmp_path, origin), monkeypatch)
    assert s["COURSE_REPOSITORY"] == s["PLACEHOLDER_REPOSITORY"]


def test_a_malformed_setting_is_refused_by_name(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="COURSE_REPOSITORY"):
        settings_in(checkout(tmp_path, None), monkeypatch, env="not a repository")
