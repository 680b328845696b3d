"""The instructor guide's claims about the grader's limits (docs/instructors.md) against the code
and the tests: every limit it states is the constant the grader uses, and every test its table
names for a measurement exists where it says. Change a limit, or rename a test, and the guide
must follow."""

import re
from pathlib import Path

import pytest

from sgdcourse.grading import kernel, pool, sandbox

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
LIMITS = GUIDE[GUIDE.index("## The grader's limits") :]
MB = 2**20


@pytest.mark.parametrize(
    "phrase, value",
    [
        (r"an empty private folder in memory \((\d+) MB\)", sandbox.TMP_MB),
        (r"and a (\d+) MB `/tmp` and\s+`/dev/shm`", sandbox.SHM_MB),
        (r"(\d+) processes and threads,\s+(?:\d+ open files)", sandbox.NPROC),
        (r"threads,\s+(\d+) open files", sandbox.NOFILE),
        (r"files of at most (\d+) MB", sandbox.FSIZE_MB),
        (r"\((\d+) MB on the output channel", round(kernel.MAX_FRAME / 1e6)),  # 20 MB of answer, 1 MiB of envelope
        (r"(\d+) MB on the others\)", kernel.MAX_SMALL // MB),
        (r"a queue of (\d+) messages", kernel.QUEUE),
        (r"its own data limit \((\d+) MB\)", pool.WORKER_MB),
        (r"then an interrupt and (\d+) s of grace", kernel.GRACE),
        (r"outlives its submission's budget by (\d+) s is killed", pool.SLACK),
        (r"tmpfs mounts \((\d+) \+ \d+ \+ \d+ MB\)", sandbox.TMP_MB),
        (r"tmpfs mounts \(\d+ \+ (\d+) \+ \d+ MB\)", sandbox.SHM_MB),
        (r"holds at most its data limit, (\d+) MB", pool.WORKER_MB),
    ],
)
def test_each_limit_the_guide_states_is_the_graders(phrase, value):
    found = re.findall(phrase, GUIDE)
    assert found, f"the guide no longer says {phrase!r}"
    assert {float(x) for x in found} == {float(value)}, f"{phrase!r}: the guide says {found}, the grader {value}"


def test_the_sandbox_refuses_the_system_calls_the_guide_names():
    assert sandbox.seccomp_filter("x86_64") is not None
    for call in ("memfd_create", "memfd_secret", "shmget"):
        assert f"`{call}`" in GUIDE
    assert sandbox._SYSCALLS["x86_64"][1] == (319, 447, 29)  # memfd_create, memfd_secret, shmget


def referenced_tests():
    """(file, test name) for each test the limits section names: `path.py::name`, `::name` after a
    path in the same cell, and bare `test_siege_...` names (tests/slow/test_sandbox_attacks.py)."""
    found = []
    for row in LIMITS.splitlines():
        last = "tests/slow/test_sandbox_attacks.py"
        for path, name in re.findall(r"`((?:tests/)?[\w/]*test_\w+\.py)?::(test_\w+)", row):
            if path:
                last = path if path.startswith("tests/") else f"tests/slow/{path}"
            found.append((last, name))
        found += [("tests/slow/test_sandbox_attacks.py", n) for n in re.findall(r"`(test_\w+)[`\[]", row)]
    return found


def test_every_test_the_limits_table_names_exists():
    refs = referenced_tests()
    assert len(refs) >= 20
    missing = [
        f"{path}::{name}"
        for path, name in refs
        if not (ROOT / path).is_file() or not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M)
    ]
    assert missing == []


def _block(language, marker):
    """The fenced block of the guide in `language` that contains marker."""
    blocks = re.findall(rf"^```{language}\n(.*?)^```", GUIDE, re.M | re.S)
    (found,) = [b for b in blocks if marker in b]
    return found


def test_the_kubernetes_job_runs_one_shard_per_index():
    """The Indexed Job of the guide: as many pods as shards, each grading the share of its index."""
    import yaml

    job = yaml.safe_load(_block("yaml", "completionMode"))
    spec = job["spec"]
    assert job["kind"] == "Job" and spec["completionMode"] == "Indexed"
    (container,) = spec["template"]["spec"]["containers"]
    command = " ".join(container["command"] + container["args"])
    (shard,) = re.findall(r'--shard "\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)/(\d+)"', command)
    assert spec["completions"] == spec["parallelism"] == int(shard)
    assert "${JOB_COMPLETION_INDEX}" in command.split("--out")[1]  # one gradebook per shard


def test_the_slurm_array_runs_one_shard_per_task():
    script = _block("bash", "#SBATCH")
    (first, last) = map(int, re.findall(r"--array=(\d+)-(\d+)", script)[0])
    (n,) = re.findall(r'--shard "\$\{SLURM_ARRAY_TASK_ID\}/(\d+)"', script)
    assert (first, last) == (1, int(n))
    assert f"for i in {' '.join(str(k) for k in range(1, int(n) + 1))}; do SLURM_ARRAY_TASK_ID=$i" in script
