"""Three audiences, three doors: what a learner's `import sgdcourse` shows holds no grading,
authoring or site names; the instructor's tools are commands of their own."""

import json
import subprocess
import sys

import pytest

INSTRUCTOR = {"grade", "grading", "release", "authoring", "export", "frames", "integrity", "sandbox"}


def names_after(code):
    """dir(sgdcourse) in a fresh interpreter after `code` runs."""
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sgdcourse\nprint(json.dumps(dir(sgdcourse)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    ["import sgdcourse", "from sgdcourse.practice import check, hint, show, problems\ncheck('02-worked-step', 0.308)"],
)
def test_a_learners_namespace_has_no_instructor_tools(code):
    names = names_after(code)
    assert not names & INSTRUCTOR, names & INSTRUCTOR
    import sgdcourse

    assert not set(sgdcourse.__all__) & INSTRUCTOR


@pytest.mark.parametrize(
    "package, verbs", [("sgdcourse.grading", ("grade", "manifest")), ("sgdcourse.authoring", ("release", "export"))]
)
def test_the_instructors_tools_are_commands_of_their_own(package, verbs):
    done = subprocess.run([sys.executable, "-m", package, "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and all(verb in done.stdout for verb in verbs)
    for verb in verbs:
        helped = subprocess.run([sys.executable, "-m", package, verb, "--help"], capture_output=True, text=True)
        assert helped.returncode == 0 and f"python -m {package} {verb}" in helped.stdout
