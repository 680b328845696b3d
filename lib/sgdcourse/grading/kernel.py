"""A fresh ipykernel of this Python, in its sandbox, under the grader's time limits and memory cap.

    grader                                         kernel (sandbox.Sandbox, or with --unsandboxed an
                                                   empty temporary folder and only RLIMIT_AS)
    Kernel.start()          -- connection file -->  limits set before ipykernel starts (sandbox.LAUNCH)
                            <- its sockets, found from the host without following a link
    Kernel.run_cell(src, s) -- execute_request --> the learner's code; after s seconds an interrupt,
                                                   and GRACE seconds later the kernel is killed
                            <- "ok" | "error" | "timeout" | "stuck" (it ignored the interrupt)
    Kernel.ask(code)        -- code that publishes one MIME payload (remote.probe, remote.call) -->
                            <- the payload as JSON data, within limit + GRACE; else {"timeout": true},
                               or {"raised": ["NoAnswer", why]} when nothing came back

Kernel.deadline is the notebook's time budget (time.monotonic()): every wait of start, run_cell,
ask and the interrupts after them ends by it; past it the kernel is killed and OutOfTime raised.

The grader is its own Jupyter client: three ZeroMQ sockets, shell, iopub and control, each made
with its message-size limit (MAXMSGSIZE: MAX_FRAME on iopub, which carries the answers, MAX_SMALL
on the others) and queue (RCVHWM) set before it connects. The kernel's stdin and heartbeat sockets
are never connected, so nothing sent there reaches the grader. Every message is read with a
deadline (shell, iopub and control in one poll); its signature is checked (HMAC-SHA256 with the
session key) before any of it is parsed, and a message seen before is refused; one that is
unsigned, replayed, malformed, too deep or of odd types is dropped and counted (Kernel.dropped),
never raised; a signed one that belongs to no request being waited on is counted too
(Kernel.stray: a flood, which may have pushed out what was asked). A request is done when its
status "idle" comes on iopub, or SETTLE seconds after its reply came on shell (when a flood of
output pushed the idle message out). Text goes out as ASCII JSON (a lone surrogate travels as its
\\u escape) and comes back with undecodable bytes kept as surrogates. Nothing the kernel sends
is trusted: ask() hands back data for wire.decode; only the payload of the request asked is kept.

In a sandbox the channel is the kernel's IPC sockets on its private tmpfs, reached through
/proc/PID/root, every part of the path opened without following a link (sandbox.open_beneath);
anything there that is not a socket the kernel made is refused (KernelDied "refused: ..."). The
connection file reaches the kernel through a pipe (sandbox.argv), so the kernel can write nothing
on the host. A watchdog thread kills the kernel's whole process tree past memory_mb
(sandbox.memory_mb: its processes and its tmpfs), and kills it too should the watchdog itself fail.
A kernel that dies raises KernelDied; on_pid(pid or None) tells the worker pool which process to
kill should a whole grading step hang. execution.run_notebook drives run_cell over a notebook's cells.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone

import zmq
from zmq.utils.monitor import recv_monitor_message

from ..problems.variants import PIN
from . import sandbox as sb
from .wire import MAX_MESSAGE, MIME

GRACE = 3.0  # seconds a kernel gets to stop after an interrupt before it is killed
START_TIMEOUT = 60.0  # seconds for a kernel to start
SETTLE = 1.0  # seconds the idle status may come after the reply before a request counts as done
MAX_FRAME = MAX_MESSAGE + 2**20  # largest message part taken on iopub (an answer and its envelope)
MAX_SMALL = 2**20  # largest part taken on shell and control, and largest header of any message
QUEUE = 8  # messages a socket holds unread; past it iopub drops and shell and control wait
SEEN = 2**16  # signatures remembered, to refuse a message sent again
RECONNECTS = 20  # times a channel the kernel cut (a message over the size limit) is connected again
TAKE_BYTES = 2 * MAX_FRAME  # one receive stops taking messages past this many bytes: a flood of large
# outputs waits in ZeroMQ's bounded queues instead of piling up here (64 of 16 MB once passed 1 GB)
PORTS = {"shell": 1, "iopub": 2, "stdin": 3, "control": 4, "hb": 5}  # the kernel binds all five
CHANNELS = ("shell", "iopub", "control")  # the grader connects these three
DELIM = b"<IDS|MSG>"
KERNEL_ENV = {
    "MPLBACKEND": "Agg",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}


class KernelDied(Exception):
    """The kernel process is gone (os._exit, a crash, or the grader had to kill it)."""


class OutOfTime(Exception):
    """The notebook's time budget ran out; the kernel has been killed."""


def _pack(obj):
    """A message part: ASCII JSON, so that any str, a lone surrogate included, travels as itself."""
    return json.dumps(obj, ensure_ascii=True, allow_nan=False).encode("ascii")


def _unpack(data):
    """A message part read back; bytes that are not UTF-8 are kept as surrogates (surrogateescape)."""
    return json.loads(bytes(data).decode("utf-8", "surrogateescape"))


class Session:
    """The signing half of the Jupyter protocol for one key: messages out, and messages in checked.

    read(frames) -> (msg_type, parent msg_id, content bytes) for a message whose signature is
    right and that was not seen before, else None; the content is parsed only by whoever needs it."""

    def __init__(self, key):
        self.key, self.id = key, uuid.uuid4().hex
        self.seen, self.order = set(), collections.deque()

    def sign(self, parts):
        mac = hmac.new(self.key, digestmod=hashlib.sha256)
        for part in parts:
            mac.update(part)
        return mac.hexdigest().encode()

    def send(self, sock, msg_type, content):
        """Send a request on sock; its msg_id, or None when the kernel does not take it (a full queue)."""
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "grader",
            "session": self.id,
            "date": datetime.now(timezone.utc).isoformat(),
            "version": "5.3",
        }
        parts = [_pack(header), _pack({}), _pack({}), _pack(content)]
        try:
            sock.send_multipart([DELIM, self.sign(parts), *parts], flags=zmq.NOBLOCK)
        except zmq.Again:
            return None
        return header["msg_id"]

    def read(self, frames):
        """frames: bytes, or zmq.Frames (copied here only up to the content; buffers are ignored)."""
        k = next((k for k, f in enumerate(frames) if len(f) == len(DELIM) and bytes(f) == DELIM), None)
        if k is None:
            return None
        parts = [bytes(f) for f in frames[k + 1 : k + 6]]
        if len(parts) < 5 or any(len(p) > MAX_SMALL for p in parts[1:4]):
            return None
        signature = parts[0]
        if not hmac.compare_digest(signature, self.sign(parts[1:5])) or signature in self.seen:
            return None
        self.seen.add(signature)
        self.order.append(signature)
        if len(self.order) > SEEN:
            self.seen.discard(self.order.popleft())
        try:
            header, parent = _unpack(parts[1]), _unpack(parts[2])
        except Exception:  # malformed or too deep JSON (ValueError, RecursionError, MemoryError)
            return None
        if not isinstance(header, dict) or not isinstance(header.get("msg_type"), str):
            return None
        parent_id = parent.get("msg_id") if isinstance(parent, dict) else None
        return header["msg_type"], parent_id if isinstance(parent_id, str) else None, parts[4]


def _content(data):
    """A message's content as a dict, or {} when it is not one (or cannot be parsed)."""
    try:
        content = _unpack(data)
    except Exception:  # malformed or too deep JSON
        return {}
    return content if isinstance(content, dict) else {}


class _Request:
    def __init__(self, msg_id, asking=False):
        self.msg_id, self.asking, self.payloads, self.error = msg_id, asking, [], None
        self.idle, self.replied = False, None


class Kernel:
    """One ipykernel of this Python with the memory cap applied, in `sandbox` unless it is None.

    memory_mb: cap on the memory of the kernel (0: none), of each process and, in a sandbox, of
    its whole process tree; limit: seconds for one probe or one call of a learner's function;
    on_pid(pid or None) is told when a kernel starts and stops; deadline: the time.monotonic()
    by which everything this kernel does must end (the notebook's time budget).
    """

    def __init__(self, memory_mb=0, limit=2.0, on_pid=None, sandbox=None, deadline=float("inf"), env=None):
        self.memory_mb, self.limit, self.on_pid = memory_mb, limit, on_pid or (lambda pid: None)
        self.sandbox, self.deadline = sandbox, deadline
        self.env = dict(env or {})  # set in the kernel's environment on top of KERNEL_ENV (a pinned learner)
        self.proc = self.pid = self.pending = self.dead = self.breach = self.session = None
        self.cwd = self._watch = None  # cwd: the unsandboxed kernel's temporary folder
        self.context, self.sockets, self.poller, self.fds = zmq.Context(), {}, None, []
        self.addresses, self.monitors = {}, {}
        self.leftover = False  # True if a process of the kernel outlived a kill
        self.out_of_time = False  # True once the time budget ran out (and the kernel was killed)
        self.dropped = 0  # messages refused: bad signature, replayed, malformed
        self.stray = 0  # signed messages that belonged to no request being waited on (a flood)
        self.cut = 0  # times ZeroMQ cut a channel (a message over its size limit): it is connected again

    # -- starting --
    def start(self):
        """Start a new kernel (after a restart too); KernelDied if it does not come up, OutOfTime."""
        self.shutdown()
        self._check_time()
        until = min(time.monotonic() + START_TIMEOUT, self.deadline)
        self.session = Session(uuid.uuid4().hex.encode())
        ports = {f"{name}_port": port for name, port in PORTS.items()}
        conn = dict(key=self.session.key.decode(), signature_scheme="hmac-sha256", kernel_name="", **ports)
        pipes = []
        try:
            if self.sandbox is not None:
                conn.update(transport="ipc", ip=sb.SOCKETS)
                pipes = [_pipe(json.dumps(conn).encode())]
                program = sb.seccomp_filter()
                if program is not None:
                    pipes.append(_pipe(program))
                argv = self.sandbox.argv({**KERNEL_ENV, **self.env}, *pipes)
                env, cwd = {"PATH": os.environ.get("PATH", "/usr/bin")}, "/"
            else:
                self.cwd = self.cwd or tempfile.mkdtemp(prefix="sgdcourse-grade-")
                conn.update(transport="tcp", ip="127.0.0.1", **dict(zip(ports, _free_ports(len(ports)))))
                path = os.path.join(self.cwd, "kernel.json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(conn, f)
                argv = [sys.executable, "-m", "ipykernel_launcher", "-f", path, *sb.KERNEL_ARGS]
                inherited = {k: v for k, v in os.environ.items() if k != PIN}  # no pin but the grader's own
                env, cwd = {**inherited, **KERNEL_ENV, **self.env}, self.cwd
            self.proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # the kernel leads its own process group
                pass_fds=pipes,
            )
        finally:
            for fd in pipes:
                os.close(fd)
        self.pid, self.dead, self.breach, self.pending = self.proc.pid, None, None, None
        self.on_pid(self.pid)
        if self.sandbox is not None:
            self._connect(self._find_sockets(until))
        else:
            self._connect({name: f"tcp://127.0.0.1:{conn[name + '_port']}" for name in CHANNELS})
        self._ready(until)
        # import the kernel side of the grader now, under the start-up budget: on a loaded
        # machine the import alone can outlast the limit of the first answer it would serve
        req = self._send(f"import {__package__}.remote")
        if not self._wait(req, until - time.monotonic()) or req.error:
            self._check_time()
            raise KernelDied(self.breach or f"the kernel could not load the grader ({req.error})")
        if self.sandbox is None and hasattr(signal, "SIGALRM"):  # POSIX: resource is there too
            cap = int(self.memory_mb) * 2**20
            req = self._send(  # the memory cap, and not the grader's worker's cap on its data
                f"import resource as _r\n_h = _r.getrlimit(_r.RLIMIT_AS)[1]\n"
                f"_c = {cap} if _h == _r.RLIM_INFINITY else min({cap}, _h)\n"
                f"_r.setrlimit(_r.RLIMIT_AS, (_c, _c)) if {cap} else None\n"
                "_r.setrlimit(_r.RLIMIT_DATA, (_r.getrlimit(_r.RLIMIT_DATA)[1],) * 2)\ndel _r, _h, _c"
            )
            if not self._wait(req, until - time.monotonic()) or req.error:
                self._check_time()
                raise KernelDied(f"the kernel's memory cap could not be set ({req.error})")

    def _find_sockets(self, until):
        """{channel: address} of the sockets the sandboxed kernel made, each opened from the host as
        an O_PATH descriptor (kept in self.fds) without following a link, once all have appeared;
        also starts the watchdog, with the kernel's in-memory folders opened the same way."""
        while True:
            if self.proc.poll() is not None:
                self._died()
            root = sb.sandbox_root(self.pid)  # afresh each time: bwrap pivots its root more than once
            if root is not None:
                found, folders = {}, []
                try:
                    for name in CHANNELS:
                        path = f"{sb.SOCKETS}-{PORTS[name]}"
                        found[name] = sb.open_beneath(root, path)
                        info = os.fstat(found[name])
                        if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
                            raise sb.Planted(f"{path} is not a socket the kernel made")
                    for path in sb.FOLDERS:
                        folders.append(sb.open_beneath(root, path))
                        if not stat.S_ISDIR(os.fstat(folders[-1]).st_mode):
                            raise sb.Planted(f"{path} is not a folder")
                except FileNotFoundError:
                    pass
                except (sb.Planted, OSError) as exc:
                    for fd in [root, *found.values(), *folders]:
                        os.close(fd)
                    self.shutdown()
                    raise KernelDied(f"refused: {exc} (in its sandbox)") from None
                else:
                    self.fds = [root, *found.values()]
                    self._watch = threading.Thread(target=self._watchdog, args=(self.pid, folders), daemon=True)
                    self._watch.start()
                    return {name: f"ipc:///proc/self/fd/{fd}" for name, fd in found.items()}
                for fd in [root, *found.values(), *folders]:
                    os.close(fd)
            if time.monotonic() > until:
                self._check_time()
                self.shutdown()
                raise KernelDied("the kernel did not start (its sockets did not appear)")
            time.sleep(0.02)

    def _connect(self, addresses):
        """Connect shell, iopub and control (see _open)."""
        self.addresses, self.poller = addresses, zmq.Poller()
        for name in addresses:
            self._open(name)

    def _open(self, name):
        """Connect one channel, its size limit and queue set first, with a monitor that tells
        when ZeroMQ cuts it (it does so for good when a message passes MAXMSGSIZE)."""
        kinds = {"shell": zmq.DEALER, "iopub": zmq.SUB, "control": zmq.DEALER}
        sock = self.context.socket(kinds[name])
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME if name == "iopub" else MAX_SMALL)
        sock.setsockopt(zmq.RCVHWM, QUEUE)
        sock.setsockopt(zmq.LINGER, 0)
        if name == "iopub":
            sock.setsockopt(zmq.SUBSCRIBE, b"")
        monitor = sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        sock.connect(self.addresses[name])
        self.sockets[name], self.monitors[name] = sock, monitor
        self.poller.register(sock, zmq.POLLIN)
        self.poller.register(monitor, zmq.POLLIN)

    def _close(self, name):
        sock, monitor = self.sockets.pop(name), self.monitors.pop(name)
        for s in (sock, monitor):
            if self.poller is not None:
                self.poller.unregister(s)
        sock.disable_monitor()
        monitor.close(linger=0)
        sock.close(linger=0)

    def _ready(self, until):
        """Wait until the kernel answers kernel_info on shell and its iopub reaches the grader."""
        asked, replied, heard, again = set(), False, False, 0.0
        while not (replied and heard):
            now = time.monotonic()
            if now > until:
                self._check_time()
                raise KernelDied(self.breach or "the kernel did not start (it did not answer)")
            if now >= again and not replied:
                asked |= {self.session.send(self.sockets["shell"], "kernel_info_request", {})} - {None}
                again = now + 0.2
            for name, msg_type, parent, _ in self._receive(0.05):
                replied |= name == "shell" and msg_type == "kernel_info_reply" and parent in asked
                heard |= name == "iopub"

    def _watchdog(self, pid, folders):
        """(A thread.) Kill the kernel's process tree when together its processes and its in-memory
        folders hold more than memory_mb; should anything in here fail, kill it too (fail closed)."""
        try:
            while self.pid == pid:
                if self.memory_mb and sb.memory_mb(sb.tree(pid), folders) > self.memory_mb:
                    self.breach = (
                        f"the kernel was stopped: its processes and files together used more than the "
                        f"{self.memory_mb} MB memory limit"
                    )
                    self.leftover |= not sb.kill_tree(pid)
                    return
                time.sleep(0.1)
        except BaseException as exc:  # noqa: B902 - whatever stopped the watch, the kernel stops too
            self.breach = f"the kernel was stopped: the grader's watch on it failed ({type(exc).__name__})"
            self.leftover |= not sb.kill_tree(pid)
        finally:
            for fd in folders:
                os.close(fd)

    # -- stopping --
    def shutdown(self):
        """Kill the kernel (its whole tree) and close the channel; a later start() makes a new one."""
        pid, self.pid = self.pid, None
        for name in list(self.sockets):
            self._close(name)
        self.poller = None
        if self.proc is not None:
            if hasattr(os, "killpg"):
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
            self.leftover |= not sb.kill_tree(pid)  # the whole tree, a sandbox's daemons included
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.leftover = True
            self.proc = None
            self.on_pid(None)
        if self._watch is not None:
            self._watch.join(5)
            self._watch = None
        for fd in self.fds:
            os.close(fd)
        self.fds = []

    def close(self):
        """Shut the kernel down and remove its folder."""
        self.shutdown()
        self.context.term()
        if self.cwd:
            sb.remove_tree(self.cwd)

    def _check_time(self):
        """OutOfTime (the kernel killed first) once the deadline has passed."""
        if self.out_of_time or time.monotonic() >= self.deadline:
            self.out_of_time, self.pending = True, None
            self.shutdown()
            self.dead = "the notebook's time budget ran out"
            raise OutOfTime()

    def _died(self):
        code = self.proc.poll() if self.proc is not None else None
        self.dead = self.breach or "the kernel died" + (f" (exit code {code})" if code is not None else "")
        self.pending = None
        raise KernelDied(self.dead)

    # -- requests --
    def _receive(self, seconds):
        """[(channel, msg_type, parent msg_id, content bytes)] of the messages that arrive within
        `seconds` (at most 64 a channel at a time, and none more once TAKE_BYTES are taken: the rest
        stay queued for the next call); KernelDied if the kernel is gone."""
        if self.poller is None:
            raise KernelDied(self.dead or "the kernel is not running")
        ready = dict(self.poller.poll(max(0, seconds) * 1000))
        if not ready:
            if self.proc.poll() is not None:
                self._died()
            return []
        out, taken = [], 0
        for name, monitor in list(self.monitors.items()):
            while monitor in ready and monitor.poll(0):
                event = recv_monitor_message(monitor)["event"]
                if event == zmq.EVENT_DISCONNECTED and self.proc.poll() is None and self.cut < RECONNECTS:
                    self.cut += 1
                    self._close(name)
                    self._open(name)
                    break
        for name, sock in self.sockets.items():
            for _ in range(64 if sock in ready else 0):
                if taken > TAKE_BYTES:
                    break
                try:
                    frames = sock.recv_multipart(zmq.NOBLOCK, copy=False)  # buffers never copied
                except zmq.Again:
                    break
                taken += sum(len(f) for f in frames)
                msg = self.session.read(frames)
                if msg is None:
                    self.dropped += 1
                else:
                    out.append((name, *msg))
        return out

    def _send(self, code, store_history=False, asking=False):
        content = dict(code=code, silent=False, store_history=store_history, user_expressions={})
        content.update(allow_stdin=False, stop_on_error=False)
        req = _Request(self.session.send(self.sockets["shell"], "execute_request", content), asking)
        self.pending = req
        return req

    def _wait(self, req, seconds):
        """Collect req's outputs until it is done; False if `seconds` pass (or the deadline) first."""
        until = min(time.monotonic() + seconds, self.deadline)
        while not req.idle and not (req.replied and time.monotonic() > req.replied + SETTLE):
            left = until - time.monotonic()
            if left <= 0:
                return False
            for name, kind, parent, data in self._receive(min(left, 0.25)):
                if parent != req.msg_id or req.msg_id is None:
                    self.stray += 1
                    continue
                if name == "shell" and kind == "execute_reply":
                    req.replied = time.monotonic()
                    content = _content(data)
                    if content.get("status") == "error" and req.error is None:
                        req.error = _error(content)
                elif name == "iopub" and kind == "error":
                    req.error = _error(_content(data))
                elif name == "iopub" and kind == "display_data" and req.asking:
                    payload = _content(data).get("data")
                    if isinstance(payload, dict) and MIME in payload:
                        req.payloads[:] = [payload[MIME]]  # only the last one counts
                elif name == "iopub" and kind == "status":
                    req.idle |= _content(data).get("execution_state") == "idle"
        self.pending = None
        return True

    def _stop(self, req):
        """Interrupt the running request; kill the kernel when it does not stop. True if stopped."""
        self.session.send(self.sockets["control"], "interrupt_request", {})
        if self._wait(req, GRACE):
            return True
        self._check_time()
        self.shutdown()
        self.dead = "the kernel had to be stopped (it ignored an interrupt)"
        self.pending = None
        return False

    def settle(self):
        """After a check that was cut short while a call ran: make the kernel idle again."""
        if self.pending is not None and not self.dead:
            try:
                self._stop(self.pending)
            except (KernelDied, OutOfTime):
                pass

    def run_cell(self, source, timeout):
        """Run one cell: ("ok" | "error" | "timeout" | "stuck", (ename, evalue) or None)."""
        self._check_time()
        req = self._send(source, store_history=True)
        if self._wait(req, timeout):
            return ("error", req.error) if req.error else ("ok", None)
        self._check_time()
        return ("timeout", None) if self._stop(req) else ("stuck", None)

    def ask(self, code):
        """Send code that publishes one payload; wait up to the limit (and then stop it)."""
        self._check_time()
        if self.dead:
            raise KernelDied(self.dead)
        req = self._send(code, asking=True)
        if not self._wait(req, self.limit + GRACE):
            self._check_time()
            self._stop(req)
            return {"timeout": True}
        if not req.payloads or not isinstance(req.payloads[-1], dict):
            err = f" ({req.error[0]}: {req.error[1]})" if req.error else ""
            return {"raised": ["NoAnswer", f"the kernel sent nothing back{err}"]}
        return req.payloads[-1]


def _error(content):
    """(ename, evalue) of an error message's content, as short text whatever the kernel sent."""
    name, value = content.get("ename"), content.get("evalue")
    return (name[:80] if isinstance(name, str) else "Error", value[:300] if isinstance(value, str) else "")


def _pipe(data):
    """The read end of a pipe that holds `data` (small enough for the pipe's buffer), write end closed."""
    r, w = os.pipe()
    try:
        os.write(w, data)
    finally:
        os.close(w)
    return r


def _free_ports(n):
    """n TCP ports on the loopback interface that were free a moment ago (for the unsandboxed kernel)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()
