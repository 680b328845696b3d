"""The grader's own limits on real sandboxed kernels (marker kernel, make slowtest; the parts without
a kernel: tests/test_grading_kernel.py, _execution.py, _sandbox.py, _pool.py). Issue 21, items 1-4:

  time      one budget per notebook that nothing escapes: replays after a restart, reading answers
            and calling the learner's functions stop at it, and the notes say which part ran out
  memory    what the kernel sends on any channel (floods, oversized messages, a message of many
            parts, the stdin channel the grader never reads) costs the grader's worker at most its
            limit; the kernel's shared memory and in-memory folders count against its own limit;
            a folder chain 1,100 deep does not stop the watchdog; nothing is written on the host
  links     the grader reaches the kernel's sockets without following links: symbolic links the
            kernel plants at its socket paths are never followed, and at start they are refused
  messages  bad signatures, replays, a list as parent header, deep JSON, lone surrogates: survived
"""

import re
import resource
import socket
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from sgdcourse.checking.timelimit import TimedOut
from sgdcourse.grading.exercise import load_exercises
from sgdcourse.grading.kernel import Kernel, KernelDied, OutOfTime
from sgdcourse.grading.pool import WORKER_MB, grade_all
from sgdcourse.grading.remote import RemoteFunction, read_answer
from sgdcourse.grading.sandbox import SOCKETS, Sandbox
from sgdcourse.grading.submission import Graded, Options, grade_file
from sgdcourse.problems import select

pytestmark = pytest.mark.kernel
FULL02 = sum(p.points for p in select(2))  # exercise 02's full marks, from the bank
ROOT = Path(__file__).resolve().parents[2]
SOL02 = ROOT / "solutions" / "02_sgd_by_hand.ipynb"


@pytest.fixture(scope="module")
def sandbox():
    made = Sandbox.create(2048)
    yield made
    made.remove()


def solution_with(*codes, replace=None):
    """Solution 02 (full marks) with cells added at its end and cells replaced {id: code}."""
    nb = nbformat.read(SOL02, as_version=4)
    for cell in nb.cells:
        if cell.get("id") in (replace or {}):
            cell.source = replace[cell.id]
    for k, code in enumerate(codes):
        nb.cells.append(new_code_cell(code, id=f"added-{k}"))
    return nb


def measured(task, phase, on_pid):
    """grade_file, and the worker's peak resident memory in MB (VmHWM) after it."""
    graded = grade_file(task, phase, on_pid)
    with open("/proc/self/status") as f:
        peak = next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmHWM:"))
    return graded, peak


def grade(tmp_path, notebooks, sandbox, jobs=2, **options):
    """{name: (Graded, worker peak MB or None)} and the seconds grading them took, in the pool."""
    paths = {}
    for name, nb in notebooks.items():
        paths[name] = tmp_path / name
        nbformat.write(nb, paths[name])
    opts = Options(**{**dict(cell_timeout=15, check_timeout=2.0, memory_mb=2048, exercise=None), **options})
    opts.sandbox = sandbox
    exercises = load_exercises(ROOT / "solutions", warn=lambda text: None)
    start = time.monotonic()
    out = grade_all([(str(p), exercises, opts) for p in paths.values()], jobs, grader=measured)
    seconds = time.monotonic() - start
    return {name: o if isinstance(o, tuple) else (o, None) for name, o in zip(paths, out)}, seconds


def rows(graded):
    return {row.problem: row for row in graded.rows}


# ---- time ---------------------------------------------------------------------------------------

SLOW = "import time\ntime.sleep(1)"
STUCK = """import time
while True:
    try:
        time.sleep(0.05)
    except BaseException:   # swallows the interrupt: only a new kernel helps
        pass"""


def test_replays_after_restarts_stop_at_the_time_budget(tmp_path, sandbox):
    """Eight slow cells, then three that ignore the interrupt: each costs a new kernel in which the
    slow cells run again, about 50 s in all without the one budget. With a 24 s budget (18 s of it
    for the cells) the replays stop at it, the answers, set before the slow cells, are still read
    and checked, and the notes say where the budget ran out."""
    budget = 24.0
    nb = solution_with(*[SLOW] * 8, STUCK, STUCK, STUCK)
    out, seconds = grade(tmp_path, {"02_replays.ipynb": nb}, sandbox, jobs=1, cell_timeout=2, time_budget=budget)
    print(f"graded in {seconds:.1f} s with a {budget:g} s budget")
    assert seconds < budget + 6  # the budget, plus starting the worker and stopping the kernel
    replays, _ = out["02_replays.ipynb"]
    stuck = len(nbformat.read(SOL02, as_version=4).cells) + 9  # the number of the first STUCK cell
    assert replays.error == "" and replays.notes[0].startswith(f"cell {stuck} ignored the interrupt at the 2 s time")
    assert re.fullmatch(
        r"the notebook's time budget ran out while running cell \d+ again after a restart"
        r"( \(stopped after [0-9.]+ s\))?; the cells from there on were not run",
        replays.notes[-1],
    ), replays.notes
    assert replays.total == FULL02


def test_reading_answers_and_calling_functions_stop_at_the_time_budget(sandbox):
    """Each call of a learner's function takes 1.5 s: ten of them would take 15 s. With 6 s of
    budget left, the calls stop there (TimedOut, as the checker sees a call that ran out of time),
    the kernel is stopped, and reading an answer then says the budget ran out."""
    kernel = Kernel(2048, 2.0, sandbox=sandbox)
    try:
        kernel.start()
        assert kernel.run_cell("import time\ndef f(x):\n    time.sleep(1.5)\n    return x", 15) == ("ok", None)
        kind, f = read_answer(kernel, "f")
        assert kind == "value" and isinstance(f, RemoteFunction) and f(3) == 3
        kernel.deadline = time.monotonic() + 6
        start, calls = time.monotonic(), 0
        with pytest.raises(TimedOut):
            for calls in range(1, 11):
                f(calls)
        took = time.monotonic() - start
        assert 5.5 < took < 7 and calls <= 5 and kernel.out_of_time and kernel.pid is None
        with pytest.raises(OutOfTime):
            read_answer(kernel, "f")
        with pytest.raises(OutOfTime):
            kernel.run_cell("x = 1", 15)
    finally:
        kernel.close()


# ---- memory: what the kernel sends --------------------------------------------------------------

BOMBS = """kern = get_ipython().kernel
parent, ident = kern.get_parent(), kern._parent_ident["shell"]
send = kern.session.send
chunk = b"x" * (20 * 2**20)
send(kern.iopub_socket, "stream", {"name": "stdout", "text": "x" * (50 * 2**20)}, parent=parent)  # one 50 MB part
for _ in range(3):                                                  # 800 MB in 40 parts of 20 MB
    send(kern.iopub_socket, "display_data", {"data": {}, "metadata": {}}, parent=parent, buffers=[chunk] * 40)
for _ in range(20):                                                 # 2 GB on stdin, which the grader never reads
    send(kern.stdin_socket, "input_request", {"prompt": "x" * (100 * 2**20)}, parent=parent, ident=ident)
for _ in range(200):                                                # shell replies nobody asked for
    send(kern.shell_stream, "execute_reply", {"status": "ok", "pad": "x" * 2**16}, parent=parent, ident=ident)
for _ in range(300):                                                # a flood that hides the status messages
    send(kern.iopub_socket, "stream", {"name": "stdout", "text": "y" * 2**20}, parent=parent)
"""


def test_what_the_kernel_sends_costs_the_grader_at_most_its_limit(tmp_path, sandbox):
    out, _ = grade(tmp_path, {"02_bombs.ipynb": solution_with(BOMBS)}, sandbox, jobs=1)
    graded, peak = out["02_bombs.ipynb"]
    print(f"the worker's peak: {peak} MB (limit {WORKER_MB} MB); {graded.error or graded.total}")
    # the 50 MB part is over the size limit (the channel is cut); the 20 MB parts are under it, so
    # whether they come in depends on when the channel is connected again: 115 to 910 MB measured.
    # The limits are on the sockets: tests/test_grading_kernel.py checks it, and the data cap
    # bounds the rest
    assert peak is not None and peak < WORKER_MB
    if graded.error:  # the worker's memory limit stopped ZeroMQ taking in the 800 MB message
        assert "memory" in graded.error, graded.error
    else:  # or ZeroMQ cut the channel, and it was connected again: every answer is read after the bombs
        assert graded.total == FULL02 and graded.notes[-1].startswith("the kernel sent"), graded.notes


# ---- memory: what the kernel holds --------------------------------------------------------------

SHARED = """import mmap, os, time
for _ in range(4):
    if os.fork() == 0:
        m = mmap.mmap(-1, 200 * 2**20, flags=mmap.MAP_SHARED)   # 200 MB of shared memory each
        for k in range(0, len(m), 4096):
            m[k] = 1
        time.sleep(60)
        os._exit(0)
time.sleep(60)"""
TMPFS = """import os, time
block = b"x" * 2**20
for folder, name, mb in (("/sandbox/private/tmp", "a", 240), ("/sandbox/private/tmp", "b", 240),
                         ("/tmp", "c", 60), ("/dev/shm", "d", 60)):   # the sandbox's own tmpfs mounts
    with open(os.path.join(folder, name), "wb") as f:
        for _ in range(mb):
            f.write(block)
time.sleep(60)"""
CHAIN = """import os, time
for top in ("/sandbox/private/run", "/sandbox/private/tmp", "/tmp", "/dev/shm"):
    fd = os.open(top, os.O_RDONLY)
    for _ in range(1100):
        os.mkdir("d" * 100, dir_fd=fd)
        new = os.open("d" * 100, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = new
    os.close(fd)
time.sleep(1)   # the watchdog looks at least once
for _ in range(3):
    if os.fork() == 0:
        block = bytearray(300 * 2**20)                      # 300 MB each, 900 MB together
        for k in range(0, len(block), 4096):
            block[k] = 1
        time.sleep(60)
        os._exit(0)
time.sleep(60)"""


@pytest.mark.parametrize("name, code", [("shared memory", SHARED), ("tmpfs", TMPFS), ("a deep folder chain", CHAIN)])
def test_the_kernels_memory_limit_counts_everything_it_holds(sandbox, name, code):
    kernel = Kernel(600, 2.0, sandbox=sandbox)
    try:
        kernel.start()
        start = time.monotonic()
        with pytest.raises(KernelDied, match="more than the 600 MB memory limit"):
            kernel.run_cell(code, 45)
        assert time.monotonic() - start < 30
    finally:
        kernel.close()
    assert not kernel.leftover


WRITES = """import ctypes, os
report = {}
for path in ("/x", "/sandbox/x", "/sandbox/kernel.json", "/dev/x", "/etc/x", "/usr/x", os.__file__):
    try:
        with open(path, "ab") as f:
            f.write(b"x")
        report[path] = "written"
    except OSError as exc:
        report[path] = type(exc).__name__
for folder in ("/sandbox/private/tmp", "/tmp", "/dev/shm"):
    try:
        with open(f"{folder}/big", "wb") as f:
            os.posix_fallocate(f.fileno(), 0, 2 * 2**30)   # 2 GB of blocks
        report[folder] = "allocated"
    except OSError as exc:
        report[folder] = type(exc).__name__
try:
    os.memfd_create("x")
    report["memfd_create"] = "made"
except OSError as exc:
    report["memfd_create"] = type(exc).__name__
libc = ctypes.CDLL(None, use_errno=True)
report["shmget"] = libc.shmget(0, 2**20, 0o1000 | 0o600)
REPORT = repr(sorted(report.items()))"""


def test_the_kernel_writes_only_to_its_capped_in_memory_folders(sandbox):
    kernel = Kernel(2048, 2.0, sandbox=sandbox)
    try:
        kernel.start()
        assert kernel.run_cell(WRITES, 30) == ("ok", None)
        report = dict(eval(read_answer(kernel, "REPORT")[1]))  # our own repr of str pairs
    finally:
        kernel.close()
    assert "written" not in report.values() and "allocated" not in report.values(), report
    assert report["memfd_create"] == "PermissionError" and report["shmget"] == -1


# ---- links --------------------------------------------------------------------------------------

PLANT = """import json, os
from ipykernel.connect import get_connection_info
info = json.loads(get_connection_info())
for port in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
    path = f"{info['ip']}-{info[port]}"
    try:
        os.unlink(path)
    except OSError:
        pass
    os.symlink(HOST, path)
os._exit(0)   # the grader's sockets now reconnect, again and again
"""


class Listener:
    """A host socket that counts the connections it gets."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.count, self.running = 0, True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.count += 1
                conn.close()
            except (TimeoutError, OSError):
                pass

    def stop(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_links_planted_at_the_socket_paths_are_never_followed(tmp_path, sandbox):
    host = Listener(tmp_path / "host.sock")
    kernel = Kernel(2048, 2.0, sandbox=sandbox)
    try:
        kernel.start()
        with pytest.raises(KernelDied, match="the kernel died"):
            kernel.run_cell(PLANT.replace("HOST", repr(str(tmp_path / "host.sock"))), 15)
        time.sleep(2)  # ZeroMQ tries to connect again every 0.1 s
        kernel.start()  # a new kernel works as before
        assert kernel.run_cell("x = 1", 15) == ("ok", None) and read_answer(kernel, "x") == ("value", 1)
    finally:
        kernel.close()
        host.stop()
    assert host.count == 0


class PlantingSandbox(Sandbox):
    """A sandbox whose 'kernel' plants a link at the shell socket's path and real sockets at the others."""

    def argv(self, env, conn_fd, seccomp_fd=None):
        args = super().argv(env, conn_fd, seccomp_fd)
        code = (
            f"import os, socket, time\nos.symlink('/etc/passwd', '{SOCKETS}-1')\n"
            f"socks = [socket.socket(socket.AF_UNIX) for _ in range(2)]\n"
            f"socks[0].bind('{SOCKETS}-2'); socks[1].bind('{SOCKETS}-4')\ntime.sleep(60)"
        )
        return [*args[: args.index("--") + 1], sys.executable, "-c", code]


def test_anything_at_a_socket_path_that_is_not_the_kernels_socket_is_refused(sandbox):
    kernel = Kernel(2048, 2.0, sandbox=PlantingSandbox(sandbox.sealed, 2048))
    try:
        with pytest.raises(KernelDied) as exc:
            kernel.start()
    finally:
        kernel.close()
    assert str(exc.value) == f"refused: {SOCKETS}-1 is a symbolic link (in its sandbox)"
    assert kernel.pid is None and kernel.fds == []


# ---- malformed messages -------------------------------------------------------------------------

MALFORMED = """import json
kern = get_ipython().kernel
s, sock = kern.session, kern.iopub_socket
parent = kern.get_parent()["header"]
def raw(header, parent_header, content, sign=True):
    parts = [json.dumps(x, default=str).encode() if not isinstance(x, bytes) else x
             for x in (header, parent_header, {}, content)]
    sock.send_multipart([b"status", b"<IDS|MSG>", s.sign(parts) if sign else b"0" * 64, *parts])
header = {"msg_id": "forged", "msg_type": "status", "session": "x", "username": "x", "version": "5.3", "date": ""}
raw(header, parent, {"execution_state": "idle"}, sign=False)          # a bad signature
raw(dict(header, msg_id="once"), {"msg_id": "nobody"}, {"execution_state": "busy"})
raw(dict(header, msg_id="once"), {"msg_id": "nobody"}, {"execution_state": "busy"})  # sent again
raw(header, ["msg_id", parent["msg_id"]], {"execution_state": "idle"})  # a list as parent header
raw(b"[" * 100000 + b"]" * 100000, parent, {})                          # deep JSON
raw(header, parent, b"[" * 100000 + b"]" * 100000)                    # deep content
raw(dict(header, msg_type=["status"]), parent, {})                      # odd types
raw(header, parent, b"\\xff\\xfe not JSON")
y = 2"""


def test_malformed_messages_are_survived(sandbox):
    kernel = Kernel(2048, 2.0, sandbox=sandbox)
    try:
        kernel.start()
        assert kernel.run_cell(MALFORMED, 15) == ("ok", None)
        assert kernel.run_cell("z = y + 1", 15) == ("ok", None)
        assert read_answer(kernel, "z") == ("value", 3)
    finally:
        kernel.close()
    assert kernel.dropped == 4  # refused, never raised: the bad signature, the replay, the deep and odd headers


def test_lone_surrogates_travel_as_in_jupyterlab(sandbox):
    """A cell with a lone surrogate raises in the kernel as it does in JupyterLab (Python cannot
    compile it), and says so; text holding one is read back exactly."""
    kernel = Kernel(2048, 2.0, sandbox=sandbox)
    try:
        kernel.start()
        status, error = kernel.run_cell("# a comment \ud800\nq = 1", 15)
        assert status == "error" and error[0] == "UnicodeEncodeError" and "\\ud800" in error[1]
        assert kernel.run_cell("s = 'a' + chr(0xDCFF) + chr(0xD800) + 'b'\nprint(s)", 15) == ("ok", None)
        assert read_answer(kernel, "s") == ("value", "a\udcff\ud800b")
    finally:
        kernel.close()
    assert kernel.dropped == 0


def test_the_worker_keeps_its_memory_limit_and_the_kernel_does_not_inherit_it(tmp_path, sandbox):
    """The worker's data is capped (RLIMIT_DATA = WORKER_MB); its kernel gets its own limits back."""
    check = "import resource as r\nR, A = r.getrlimit(r.RLIMIT_DATA)[0], r.getrlimit(r.RLIMIT_AS)[0]"
    nb = solution_with(check, "assert R == r.RLIM_INFINITY and A == 2048 * 2**20")
    out, _ = grade(tmp_path, {"02_limits.ipynb": nb}, sandbox, jobs=1)
    graded, _ = out["02_limits.ipynb"]
    assert isinstance(graded, Graded) and graded.error == "" and graded.notes == [] and graded.total == FULL02
    assert resource.getrlimit(resource.RLIMIT_DATA)[0] == resource.RLIM_INFINITY  # only the workers'


MANY_PARTS = """kern = get_ipython().kernel
part = memoryview(b"y" * (16 * 2**20))   # each part under the size limit: 96 of them make 1.5 GB
kern.session.send(kern.iopub_socket, "display_data", {"data": {}, "metadata": {}}, parent=kern.get_parent(),
                  buffers=[part] * 96)
import time
time.sleep(3)"""


def test_a_message_of_many_parts_ends_at_the_workers_data_cap_and_the_others_are_graded(tmp_path, sandbox):
    """ZeroMQ's size limit is per part: a message of 96 parts under it (1.5 GB) is taken in part by
    part. The worker's data cap (RLIMIT_DATA = WORKER_MB) ends it there: ZeroMQ's allocation fails,
    the channel is cut and connected again (the notes count the message as refused), or, should
    the failure be elsewhere, the worker is aborted and its row says so. Either way the worker
    stays under its cap, and the next submission is graded as usual."""
    notebooks = {"02_parts.ipynb": solution_with(MANY_PARTS), "02_honest.ipynb": solution_with()}
    out, _ = grade(tmp_path, notebooks, sandbox, jobs=1)
    (parts, peak), (honest, _) = out["02_parts.ipynb"], out["02_honest.ipynb"]
    print(f"the worker's peak: {peak} MB (limit {WORKER_MB} MB); {parts.error or parts.total}; {parts.notes}")
    if parts.error:
        assert parts.error == f"the grading process died (it was aborted: its data is capped at {WORKER_MB} MB)"
    else:
        assert parts.total == FULL02 and parts.notes[-1].startswith("the kernel sent 1 message(s) the grader refused")
        assert peak < WORKER_MB
    assert honest.error == "" and honest.total == FULL02
