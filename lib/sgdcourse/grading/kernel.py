"""A fresh ipykernel of this Python, in its sandbox, under the grader's time limits and memory cap.

    grader                                         kernel (sandbox.Sandbox, or with --unsandboxed an
                                                   empty temporary folder and only RLIMIT_AS)
    Kernel.start()          -- setup code ---->  limits set before ipykernel starts (sandbox.LAUNCH)
    Kernel.run_cell(src, s) -- a cell -------->  the learner's code; after s seconds an interrupt,
                                                 and GRACE seconds later the kernel is shut down
                            <- "ok" | "error" | "timeout" | "stuck" (it ignored the interrupt)
    Kernel.ask(code)        -- code that publishes one MIME payload (remote.probe, remote.call) -->
                            <- the payload as JSON data, within limit + GRACE; else {"timeout": true},
                               or {"raised": ["NoAnswer", why]} when nothing came back

Nothing the kernel sends is trusted: ask() hands back data for wire.decode; only the payload of the
request being asked is kept, and ZeroMQ drops any message over MAX_FRAME (so a flood of output cannot
fill the grader's memory). In a sandbox the channel is the kernel's own IPC sockets in its run
folder, and a watchdog kills the kernel's whole process tree past memory_mb. A kernel that dies
raises KernelDied; on_pid(pid or None) tells the worker pool which process to kill should a
whole grading step hang. execution.run_notebook drives run_cell over a notebook's cells.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from queue import Empty

from . import sandbox as sb
from .wire import MAX_MESSAGE, MIME

GRACE = 3.0  # seconds a kernel gets to stop after an interrupt before it is killed
START_TIMEOUT = 60.0  # seconds for a kernel to start
MAX_FRAME, QUEUE = MAX_MESSAGE + 2**20, 16  # largest message taken from the kernel; messages queued
KERNEL_ENV = {
    "MPLBACKEND": "Agg",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}


class KernelDied(Exception):
    """The kernel process is gone (os._exit, a crash, or the grader had to kill it)."""


class _Request:
    def __init__(self, msg_id):
        self.msg_id, self.payloads, self.error, self.idle = msg_id, [], None, False


class Kernel:
    """One ipykernel of this Python with the memory cap applied, in `sandbox` unless it is None.

    memory_mb: cap on the memory of the kernel (0: none), of each process and, in a sandbox, of
    its whole process tree; limit: seconds for one probe or one call of a learner's function;
    on_pid(pid or None) is told when a kernel starts and stops.
    """

    def __init__(self, memory_mb=0, limit=2.0, on_pid=None, sandbox=None):
        self.memory_mb, self.limit, self.on_pid = memory_mb, limit, on_pid or (lambda pid: None)
        self.sandbox = sandbox
        self.km = self.kc = self.pending = self.dead = self.breach = None
        self.cwd = self.pid = self._watch = None
        self.leftover = False  # True if a process of the kernel outlived a kill

    def start(self):
        import zmq
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

        self.cwd = self.cwd or tempfile.mkdtemp(prefix="sgdcourse-grade-")
        if self.sandbox is not None:
            argv, env, extra = (
                self.sandbox.argv(self.cwd, KERNEL_ENV),
                {"PATH": os.environ.get("PATH", "/usr/bin")},
                dict(
                    transport="ipc",
                    ip=os.path.join(self.cwd, "kernel"),
                    connection_file=os.path.join(self.cwd, "kernel.json"),
                ),
            )
        else:
            argv, env, extra = (
                [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                {**os.environ, **KERNEL_ENV},
                {},
            )

        class ThisPython(KernelSpecManager):  # this interpreter, whatever kernels are installed
            def get_kernel_spec(self, kernel_name):
                return KernelSpec(
                    argv=argv,
                    display_name="sgdcourse grader",
                    language="python",
                    interrupt_mode="message" if extra else "signal",
                )

        self.km = KernelManager(kernel_name="grader", kernel_spec_manager=ThisPython(), **extra)
        self.km.context.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME)
        self.km.context.setsockopt(zmq.RCVHWM, QUEUE)
        self.km.start_kernel(cwd=self.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pid = getattr(self._process(), "pid", None)
        self.on_pid(self.pid)
        if self.sandbox is not None and self.pid:
            self._watch = threading.Thread(target=self._watchdog, args=(self.pid,), daemon=True)
            self._watch.start()
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=START_TIMEOUT)
        except RuntimeError as exc:
            raise KernelDied(self.breach or f"the kernel did not start ({exc})") from None
        self.dead = self.pending = None
        # import the kernel side of the grader now, under the start-up budget: on a loaded
        # machine the import alone can outlast the limit of the first answer it would serve
        req = self._send(f"import {__package__}.remote", store_history=False)
        if not self._wait(req, START_TIMEOUT) or req.error:
            raise KernelDied(f"the kernel could not load the grader ({req.error})")
        if self.sandbox is None and self.memory_mb and hasattr(signal, "SIGALRM"):  # POSIX: resource is there too
            cap = int(self.memory_mb) * 2**20
            req = self._send(
                f"import resource as _r\n_h = _r.getrlimit(_r.RLIMIT_AS)[1]\n"
                f"_c = {cap} if _h == _r.RLIM_INFINITY else min({cap}, _h)\n"
                "_r.setrlimit(_r.RLIMIT_AS, (_c, _c))\ndel _r, _h, _c",
                store_history=False,
            )
            if not self._wait(req, START_TIMEOUT) or req.error:
                raise KernelDied(f"the kernel's memory cap could not be set ({req.error})")

    def _watchdog(self, pid):
        """(A thread.) Kill the kernel's process tree when together it holds more than memory_mb,
        or when it writes more than RUN_DIR_MB into its run folder (the one folder on the host disk)."""
        while self.pid == pid:
            if self.memory_mb and sb.memory_mb(sb.tree(pid)) > self.memory_mb:
                self.breach = (
                    f"the kernel was stopped: its processes together used more than the "
                    f"{self.memory_mb} MB memory limit"
                )
            elif sb.folder_mb(self.cwd) > sb.RUN_DIR_MB:
                self.breach = f"the kernel was stopped: it wrote more than {sb.RUN_DIR_MB} MB of files"
            if self.breach:
                self.leftover |= not sb.kill_tree(pid)
                return
            time.sleep(0.1)

    def _process(self):
        """The kernel's process (a Popen), or None."""
        return getattr(getattr(self.km, "provisioner", None), "process", None)

    def shutdown(self):
        pid, self.pid = self.pid, None
        if self.kc is not None:
            self.kc.stop_channels()
        if pid and self.sandbox is not None:
            self.leftover |= not sb.kill_tree(pid)  # the whole tree, before the kernel's manager reaps it
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:
                pass
            self.on_pid(None)
        self.km = self.kc = None

    def close(self):
        """Shut the kernel down and remove its folder."""
        self.shutdown()
        if self.cwd:
            shutil.rmtree(self.cwd, ignore_errors=True)

    # -- requests --
    def _send(self, code, store_history=False, asking=False):
        req = _Request(self.kc.execute(code, store_history=store_history, allow_stdin=False, stop_on_error=False))
        req.asking, self.pending = asking, req
        return req

    def _wait(self, req, seconds):
        """Collect req's outputs until the kernel is idle again; False if `seconds` pass first."""
        deadline = time.monotonic() + seconds
        while not req.idle:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                msg = self.kc.iopub_channel.get_msg(timeout=min(left, 0.25))
            except Empty:
                if not self.km.is_alive():
                    self._died()
                continue
            if msg.get("parent_header", {}).get("msg_id") != req.msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "display_data" and req.asking and MIME in content.get("data", {}):
                req.payloads[:] = [content["data"][MIME]]  # only the last one counts
            elif kind == "error":
                req.error = (str(content.get("ename", "Error"))[:80], str(content.get("evalue", ""))[:300])
            elif kind == "status" and content.get("execution_state") == "idle":
                req.idle = True
        self.pending = None
        while True:  # replies on the shell channel are not needed: drop them
            try:
                self.kc.shell_channel.get_msg(timeout=0)
            except Empty:
                return True

    def _died(self):
        process = self._process()
        code = process.poll() if process is not None else None
        self.dead = self.breach or "the kernel died" + (f" (exit code {code})" if code is not None else "")
        self.pending = None
        raise KernelDied(self.dead)

    def _stop(self, req):
        """Interrupt the running request; kill the kernel when it does not stop. True if stopped."""
        self.km.interrupt_kernel()
        if self._wait(req, GRACE):
            return True
        self.shutdown()
        self.dead = "the kernel had to be stopped (it ignored an interrupt)"
        self.pending = None
        return False

    def settle(self):
        """After a check that was cut short while a call ran: make the kernel idle again."""
        if self.pending is not None and not self.dead:
            try:
                self._stop(self.pending)
            except KernelDied:
                pass

    def run_cell(self, source, timeout):
        """Run one cell: ("ok" | "error" | "timeout" | "stuck", (ename, evalue) or None)."""
        req = self._send(source, store_history=True)
        if self._wait(req, timeout):
            return ("error", req.error) if req.error else ("ok", None)
        return ("timeout", None) if self._stop(req) else ("stuck", None)

    def ask(self, code):
        """Send code that publishes one payload; wait up to the limit (and then stop it)."""
        if self.dead:
            raise KernelDied(self.dead)
        req = self._send(code, asking=True)
        if not self._wait(req, self.limit + GRACE):
            self._stop(req)
            return {"timeout": True}
        if not req.payloads or not isinstance(req.payloads[-1], dict):
            err = f" ({req.error[0]}: {req.error[1]})" if req.error else ""
            return {"raised": ["NoAnswer", f"the kernel sent nothing back{err}"]}
        return req.payloads[-1]
