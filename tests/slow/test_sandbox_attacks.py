"""Hostile submissions against the sandboxed grader, graded together with honest ones.

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

The siege (issue 21, the second half of this module): one crafted submission per attack class
of the issue (tests/slow/siege.py: stalls in replays, message floods on every channel, answers
that expand or explode when decoded, a watchdog killed by a folder chain, shared memory and
fallocate'd blocks, links planted at the grader's socket paths, malformed messages signed with the
kernel's key, identification and gradebook tricks) is graded together with 30 honest notebooks
while tests/slow/gauges.py watches the run from outside; the same 30 are graded alone first.
Each bound is then asserted as the issue states it:
  time     wall time with the hostile notebooks <= the honest run's + (hostile notebooks x
           --time-budget) / --jobs: each hostile notebook may add one budget, and the workers
           share them ("a class's total time is bounded by (submissions x budget) / jobs")
  memory   every grader process's peak (VmHWM) <= the highest of the honest run + --memory-limit;
           no sandbox above --memory-limit, shared memory and tmpfs counted, for more than
           OVER_S seconds (the watchdog's reaction time); the grader's folders on the host disk
           (its TMPDIR: the sealed library, the workers' folders) never above DISK_MB of blocks,
           as a kernel writes nothing on the host (every folder it can write is a capped tmpfs)
  host     no folder or process left, no connection to the host socket the planted links
           lead to, the host file they lead to unchanged
  rows     the honest rows identical to the honest run's; each hostile row says what happened
Marker kernel: make slowtest.
"""

import csv
import hashlib
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from gauges import PERIOD, Gauge, HostSocket
from siege import FORMULAS, write_formulas, write_siege
from siege import with_cells as siege_cells

from sgdcourse.problems import select

pytestmark = pytest.mark.kernel
FULL02 = sum(p.points for p in select(2))  # exercise 02's full marks, from the bank
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
    return siege_cells(source, *codes, first=first, prefix="attack")


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


# ---- the siege (issue 21) -----------------------------------------------------------------------

JOBS, BUDGET_S, CELL_S, MEMORY_MB = 2, 30.0, 10.0, 1024
SIEGE_OPTIONS = ["--jobs", str(JOBS), "--time-budget", f"{BUDGET_S:g}", "--cell-timeout", f"{CELL_S:g}"]
SIEGE_OPTIONS += ["--memory-limit", str(MEMORY_MB)]
DISK_MB = 8  # the most blocks a folder of the grader's TMPDIR may hold (the sealed library: under 1 MB)
OVER_S = 2.0  # how long a sandbox may be seen above its memory limit: the watchdog's reaction
HONEST_COUNT = 30
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def honest_submissions(subs):
    """The 30 honest notebooks (tests/benchmarks/bench_grade.py's): the shipped solutions and
    exercises cycled, one folder per student; {path as graded: "solutions" or "exercises"}."""
    kinds = {}
    for k, src in zip(range(HONEST_COUNT), itertools.cycle(SOLUTIONS + EXERCISES)):
        folder = subs / f"student{k:02d}"
        folder.mkdir(parents=True)
        (folder / src.name).write_bytes(src.read_bytes())
        kinds[f"subs/student{k:02d}/{src.name}"] = src.parent.name
    return kinds


def watched_run(cwd, args, run_root, cap):
    """Grade args in cwd (TMPDIR run_root) while a Gauge watches; the grader is killed after cap
    seconds. A dict: seconds, timed_out, returncode, stderr, rows, summary (None when no
    gradebook was written), readings (gauges.Readings)."""
    run_root.mkdir()
    env = {**os.environ, "TMPDIR": str(run_root)}
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sgdcourse.grading", "grade", *args, "--out", "grades.csv", *SIEGE_OPTIONS],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    gauge = Gauge(proc.pid, run_root, MEMORY_MB, DISK_MB).start()
    try:
        _, stderr = proc.communicate(timeout=cap)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the sandboxes die with their workers (--die-with-parent)
        _, stderr = proc.communicate()
        timed_out = True
        time.sleep(2)
        for pid, _ in leftovers(run_root):  # and should one not have: this run's, by their ids
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    seconds = time.monotonic() - start
    readings = gauge.stop()
    rows = summary = None
    if (cwd / "grades_summary.csv").exists():
        with open(cwd / "grades.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        with open(cwd / "grades_summary.csv", newline="", encoding="utf-8") as f:
            summary = {s["submission"]: s for s in csv.DictReader(f)}
    return dict(
        seconds=seconds,
        timed_out=timed_out,
        returncode=proc.returncode,
        stderr=stderr.decode(errors="replace"),
        rows=rows,
        summary=summary,
        readings=readings,
    )


@pytest.fixture(scope="module")
def siege(tmp_path_factory):
    """The 30 honest notebooks graded alone, then with every crafted submission of tests/slow/siege.py,
    each run watched by a Gauge; the hostile run with a host socket and a host file that the
    planted links lead to."""
    base = tmp_path_factory.mktemp("siege")
    honest_dir, hostile_dir, host = base / "honest", base / "hostile", base / "host"
    for folder in (honest_dir, hostile_dir, host):
        folder.mkdir()
    kinds = honest_submissions(honest_dir / "subs")
    honest_submissions(hostile_dir / "subs")
    host_socket, host_file = host / "attacker.sock", host / "host-file.txt"
    host_file.write_text("a file of the host: nothing may write it\n")
    host_file_before = (host_file.read_bytes(), host_file.stat().st_mtime_ns)
    crafted_paths = write_siege(hostile_dir / "subs" / "siege", host_socket, host_file)
    hostile = {kind: f"subs/siege/{name}" for kind, name in crafted_paths.items()}
    formulas = write_formulas(hostile_dir)  # arguments of their own: the path starts with the formula
    hostile.update(formulas)
    honest = watched_run(honest_dir, ["subs"], base / "honest-tmp", cap=600)
    bound = honest["seconds"] + len(hostile) * BUDGET_S / JOBS
    with HostSocket(host_socket) as listener:
        attacked = watched_run(hostile_dir, ["subs", *formulas.values()], base / "hostile-tmp", cap=bound + 120)
    for path in hostile.values():  # what each crafted submission came to, for the report (pytest -rA)
        row = (attacked["summary"] or {}).get(path) or {}
        print(f"{path}: {row.get('total')}/{row.get('max')} {row.get('error', '')!r} {row.get('notes', '')[:300]!r}")
    run_root = base / "hostile-tmp"
    folders_left = sorted(p.name for p in run_root.iterdir()) if run_root.is_dir() else []
    # what a grader left (a folder chain 1,100 deep, say) goes now: pytest's own clean-up of old
    # temporary folders recurses and would fail on it; rm walks any depth
    subprocess.run(["rm", "-rf", "--", str(base / "honest-tmp"), str(base / "hostile-tmp")], check=True)
    return dict(
        base=base,
        kinds=kinds,
        hostile=hostile,
        honest=honest,
        attacked=attacked,
        bound=bound,
        connections=listener.connections,
        host_file_changed=(host_file.read_bytes(), host_file.stat().st_mtime_ns) != host_file_before,
        left=[cmd for _, cmd in leftovers(base) if str(base).encode() in cmd],
        folders_left=folders_left,
    )


def graded(siege):
    """The hostile run's summary rows; fails at once when the run wrote no gradebook."""
    run = siege["attacked"]
    assert run["summary"] is not None, (
        f"the grader wrote no gradebook ({'killed after' if run['timed_out'] else 'exited after'} "
        f"{run['seconds']:.0f} s, exit status {run['returncode']}): {run['stderr'][-2000:]}"
    )
    return run["summary"]


def summary_of(siege, kind):
    """The summary row of the crafted submission `kind` (a key of siege.write_siege or FORMULAS). A
    formula's path may come back neutralised (a quote before it, say): found by its ending."""
    summary, path = graded(siege), siege["hostile"][kind]
    if path in summary:
        return summary[path]
    found = [s for key, s in summary.items() if key.endswith(path) and not key.startswith("subs/")]
    assert len(found) == 1, f"{kind}: no row for {path!r} in {sorted(summary)}"
    return found[0]


def rows_of_kind(siege, kind):
    submission = summary_of(siege, kind)["submission"]
    return {r["problem"]: r for r in siege["attacked"]["rows"] if r["submission"] == submission}


def said(s):
    return (s["error"] + " " + s["notes"]).lower()


def verdict(s):
    """False for a row that is no verdict on the submission: an internal grader error, or a worker
    the supervisor stopped for time (a step of the grader, or the whole submission, past its
    deadline: the row cannot say which part of the budget ran out). A worker stopped at its memory
    limit is a verdict: that is the limit of item 2, enforced."""
    error = s["error"]
    return "internal grader error" not in error and not ("grading was stopped" in error and "longer than" in error)


def test_siege_honest_rows_are_unchanged(siege):
    """The 30 honest notebooks: their expected grades alone, and exactly the same rows among the
    hostile ones."""
    honest = siege["honest"]
    assert honest["summary"] is not None and not honest["timed_out"], honest["stderr"][-2000:]
    for path, kind in siege["kinds"].items():
        s = honest["summary"][path]
        assert s["error"] == "" and s["notes"] == "" and s["total"] == (s["max"] if kind == "solutions" else "0"), s
    summary = graded(siege)
    assert {p: summary.get(p) for p in siege["kinds"]} == {p: honest["summary"][p] for p in siege["kinds"]}
    mine = [r for r in siege["attacked"]["rows"] if r["submission"] in siege["kinds"]]
    assert mine == honest["rows"]


def test_siege_wall_time_is_bounded(siege):
    """Each hostile notebook adds at most one --time-budget, shared by the --jobs workers."""
    graded(siege)  # a run that wrote no gradebook proves no bound
    run, honest, n = siege["attacked"], siege["honest"], len(siege["hostile"])
    why = (
        f"{n} hostile notebooks with the 30 honest ones took {run['seconds']:.0f} s"
        f"{' and were stopped' if run['timed_out'] else ''}; the bound is {honest['seconds']:.0f} s "
        f"(the 30 alone) + {n} x {BUDGET_S:g} s / {JOBS} = {siege['bound']:.0f} s"
    )
    print(why)
    assert not run["timed_out"] and run["seconds"] <= siege["bound"], why


def test_siege_grader_processes_stay_under_their_memory_limit(siege):
    """No grader process (the command, its workers) peaks higher than the highest peak of the
    honest run plus --memory-limit."""
    graded(siege)
    for run in (siege["honest"], siege["attacked"]):
        assert run["readings"].errors == [] and run["readings"].samples > run["seconds"] / PERIOD / 4
    base = max(p.peak for p in siege["honest"]["readings"].grader.values())
    assert base > 20, "the gauge read no memory of the grader's processes"
    limit = base + MEMORY_MB
    peaks = {pid: p for pid, p in siege["attacked"]["readings"].grader.items()}
    print(f"grader processes: honest peak {base:.0f} MB; hostile peaks", sorted(round(p.peak) for p in peaks.values()))
    over = [f"{p.peak:.0f} MB ({p.what})" for p in peaks.values() if p.peak > limit]
    assert not over, f"above {base:.0f} + {MEMORY_MB} = {limit:.0f} MB: {over}"


def test_siege_sandboxes_and_host_folders_stay_under_their_limits(siege):
    """No sandbox holds more than --memory-limit (processes, shared memory and tmpfs together) for
    longer than the watchdog needs to act, and no folder of the grader's on the host disk ever
    holds more than DISK_MB of blocks (fallocate'd ones included): the kernels write none there."""
    readings, honest = siege["attacked"]["readings"], siege["honest"]["readings"]
    assert readings.errors == [] and honest.errors == []
    # the gauge reads sense: an honest kernel's memory, the sealed library's blocks
    assert 20 < max(p.peak for p in honest.sandboxes.values()) < MEMORY_MB / 2
    assert max(p.peak for p in honest.folders.values()) > 0.2
    big = sorted((round(p.peak), round(p.over, 1)) for p in readings.sandboxes.values() if p.peak > MEMORY_MB / 4)
    disk = max(p.peak for p in readings.folders.values())
    print(
        f"{readings.samples} samples of {len(readings.sandboxes)} sandboxes and {len(readings.folders)} host "
        f"folders; the largest sandboxes (peak MB, seconds above the limit): {big}; the largest host "
        f"folder: {disk:.1f} MB"
    )
    found = {
        f"sandboxes above {MEMORY_MB} MB for more than {OVER_S:g} s": [p for p in big if p[1] > OVER_S],
        f"host folders above {DISK_MB} MB": [round(p.peak) for p in readings.folders.values() if p.peak > DISK_MB],
    }
    assert found == dict.fromkeys(found, []), found


def test_siege_leaves_nothing_and_reaches_no_host_path(siege):
    graded(siege)
    found = {
        "host folders left": siege["folders_left"],
        "processes left": siege["left"],
        "connections to the planted host socket": siege["connections"],
        "host file changed": siege["host_file_changed"],
    }
    print(found)
    assert found == {
        "host folders left": [],
        "processes left": [],
        "connections to the planted host socket": 0,
        "host file changed": False,
    }


def test_siege_no_internal_error_and_a_clean_exit(siege):
    """Every hostile row is a verdict on the submission, never a crash of the grader or a worker
    the supervisor had to kill (a step of the grader past its own deadline); the exit status is 0."""
    summary = graded(siege)
    assert {p: s["error"] for p, s in summary.items() if not verdict(s)} == {}
    assert siege["attacked"]["returncode"] == 0, siege["attacked"]["stderr"][-2000:]


def test_siege_gradebook_cells_are_never_spreadsheet_formulas(siege):
    graded(siege)
    for name in ("grades.csv", "grades_summary.csv"):
        with open(siege["base"] / "hostile" / name, newline="", encoding="utf-8") as f:
            cells = [cell for row in csv.reader(f) for cell in row]
        formulas = [
            c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not NUMBER.fullmatch(c))
        ]
        assert formulas == [], f"{name}: cells a spreadsheet would run: {formulas}"
    for kind in FORMULAS:
        s = summary_of(siege, kind)
        assert s["error"] == "" and s["total"] == s["max"] == str(FULL02), s


GRADED_AS_ZERO = ("STDIN_FLOOD", "IOPUB_FLOOD", "EXPANSION", "DECODE_BOMBS", "FOLDER_CHAIN", "SHARED_MEMORY")
GRADED_AS_ZERO += ("FALLOCATE", "PLANTED_LINKS")
MALFORMED = ("BAD_SIGNATURE", "REPLAYED", "LIST_PARENT", "DEEP_JSON")
REFUSED = r"raised \w*Error: \[Errno (1|13|27|28|122)\]"  # EPERM, EACCES, EFBIG, ENOSPC, EDQUOT


@pytest.mark.parametrize("kind", ["REPLAY_STALL", "DRAIN_FLOOD", "STATUS_FLOOD", *GRADED_AS_ZERO, *MALFORMED])
def test_siege_rows_say_what_happened(siege, kind):
    """Each hostile row: a verdict, never an internal error or a killed worker, that says which
    budget ran out or what was refused."""
    s = summary_of(siege, kind)
    assert verdict(s), s
    if kind in GRADED_AS_ZERO:
        assert s["total"] == "0", s
    if kind == "REPLAY_STALL":  # the budget ran out (three stuck cells alone outlast it), and the row says so;
        assert "budget" in said(s), s  # how long that took is test_siege_wall_time_is_bounded's
    elif kind == "DRAIN_FLOOD":  # the drain has a deadline: the flood costs nothing, every run
        assert "ignored" not in said(s) and s["total"] == s["max"] == str(FULL02), s
    elif kind == "STATUS_FLOOD":  # its flood pushed out its own answers, and the row names the flood
        assert "ignored" not in said(s) and "a flood" in said(s), s
    elif kind in ("FOLDER_CHAIN", "SHARED_MEMORY"):
        assert "memory" in s["error"], s  # the watchdog outlived the chain; tmpfs and memfd count
    elif kind == "FALLOCATE":
        assert "files" in s["error"] or "disk" in s["error"] or re.search(REFUSED, s["notes"]), s
    elif kind in ("EXPANSION", "DECODE_BOMBS"):  # refused (unreadable), or rebuilt inert and marked wrong
        names = ("02-sgd-gradient", "02-worked-w2") + (("02-worked-step",) if kind == "DECODE_BOMBS" else ())
        rows = rows_of_kind(siege, kind)
        assert all(p in rows and rows[p]["status"] in ("unreadable", "incorrect") for p in names), rows
    elif kind in MALFORMED:  # survived (full marks) or a clear row of its own
        assert s["error"] != "" or s["total"] == s["max"] == str(FULL02), s


def test_siege_an_honest_notebook_with_lone_surrogates_gets_full_marks(siege):
    s, rows = summary_of(siege, "SURROGATE"), rows_of_kind(siege, "SURROGATE")
    assert s["error"] == "" and s["total"] == s["max"] == str(FULL02), s
    assert {r["status"] for r in rows.values()} == {"correct", "recorded"}  # recorded: the prediction


@pytest.mark.parametrize("kind", ["FULL_WIDTH", "TWO_CLAIMS"])
def test_siege_identification_is_refused_with_a_clear_row(siege, kind):
    """０５_... holding solution 02 names exercise 05 once its digits are normalised (NFKC); a
    notebook whose checks claim 02 and 06 belongs to neither."""
    s = summary_of(siege, kind)
    assert "wrong exercise" in s["error"] and s["total"] == "0", s
