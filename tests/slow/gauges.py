"""Instruments that watch one grading run from the outside (tests/slow/test_sandbox_attacks.py,
issue 21): the memory of the grader's own processes, the memory of each kernel's sandbox, the
disk blocks of each folder of the grader on the host, and a host socket that nothing may reach.

    gauge = Gauge(grader_pid, run_root, memory_mb, disk_mb).start()   a thread samples /proc
    ... the grader runs ...
    readings = gauge.stop()    -> Readings (and .samples, .errors: what failed in a sample):
        grader    {pid: Peak}  the grader's processes: the command and its workers, every process
                               of its tree that is not in a sandbox; peak = VmHWM, the highest
                               resident memory the Linux kernel recorded for the process (sampled
                               every PERIOD s while it lives: a process can only hide a peak
                               reached in its last PERIOD s)
        sandboxes {pid: Peak}  each sandbox (a bwrap process under the grader, with everything
                               under it): peak of memory(), and the seconds it spent above memory_mb
        folders   {name: Peak} each entry of run_root (the grader's TMPDIR: the sealed library, the workers' folders):
                               peak of the blocks allocated under it (st_blocks, so fallocate'd
                               space counts), and the seconds spent above disk_mb
    HostSocket(path)           a listening Unix socket on the host; .connections counts who came

memory() of a sandbox: the proportional anonymous memory of its processes (Pss_Anon of
/proc/PID/smaps_rollup: pages shared by forks count once) plus the shared memory it holds: the
larger of its mapped shared memory (Pss_Shmem) and what its tmpfs mounts hold plus its memfd
files. Both terms are lower bounds of what the sandbox holds, so a reading over the limit is a
real excess. System V segments are not seen (the sandbox has its own IPC namespace).

Seconds above a limit are the sum of the sampling intervals that began above it: a sandbox the
watchdog stops within its 0.1 s period shows at most a few intervals.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
import time
from dataclasses import dataclass, field

PERIOD = 0.1  # seconds between samples
MB = 2**20


@dataclass
class Peak:
    """The highest value seen (MB), the seconds spent above the limit, and for a grader process
    the start of its command line."""

    peak: float = 0.0
    over: float = 0.0
    what: str = ""
    above: bool = field(default=False, repr=False)


@dataclass
class Readings:
    grader: dict = field(default_factory=dict)
    sandboxes: dict = field(default_factory=dict)
    folders: dict = field(default_factory=dict)
    samples: int = 0
    errors: list = field(default_factory=list)


def _read(path, mode="r"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        return None


def _children():
    """{parent pid: [child pids]} of every process in /proc."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat_text = _read(f"/proc/{entry}/stat")
            if stat_text:
                fields = stat_text[stat_text.rindex(")") + 2 :].split()
                out.setdefault(int(fields[1]), []).append(int(entry))
    return out


def _is_sandbox(pid):
    """Whether pid runs bubblewrap (read at every sample: a worker's child runs Python until it execs)."""
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "bwrap"
    except OSError:
        return False


def _subtree(pid, children):
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, ()))
    return found


def _status_kb(pid, key):
    text = _read(f"/proc/{pid}/status") or ""
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _pss_kb(pid):
    """(anonymous, shared memory) of a process in kB: Pss_Anon and Pss_Shmem, or without
    smaps_rollup its RssAnon and RssShmem."""
    text = _read(f"/proc/{pid}/smaps_rollup")
    if text:
        values = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] in ("Pss_Anon:", "Pss_Shmem:"):
                values[parts[0]] = int(parts[1])
        if values:
            return values.get("Pss_Anon:", 0), values.get("Pss_Shmem:", 0)
    return _status_kb(pid, "RssAnon"), _status_kb(pid, "RssShmem")


def _host_devices():
    """The devices (major:minor) of the host's own mounts: a sandbox's bind of a host folder is
    not memory the sandbox holds."""
    text = _read("/proc/self/mountinfo") or ""
    return {line.split()[2] for line in text.splitlines() if line.strip()}


def _held_bytes(pids, host_devices):
    """Bytes held by the tmpfs mounts of the sandbox's mount namespaces and by its memfd files."""
    total, seen_mounts, seen_files = 0, set(), set()
    for pid in pids:
        text = _read(f"/proc/{pid}/mountinfo") or ""
        for line in text.splitlines():
            left, _, right = line.partition(" - ")
            parts = left.split()
            if not right.startswith("tmpfs ") or len(parts) < 5 or parts[2] in host_devices:
                continue
            if parts[2] in seen_mounts:
                continue
            try:
                st = os.statvfs(f"/proc/{pid}/root{parts[4]}")
            except OSError:
                continue
            seen_mounts.add(parts[2])
            total += (st.f_blocks - st.f_bfree) * st.f_frsize
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith("/memfd:"):
                    continue
                st = os.stat(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen_files:
                seen_files.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total


def sandbox_mb(pids, host_devices=None):
    """memory() of the sandbox whose processes are pids, in MB (see the module docstring)."""
    host_devices = _host_devices() if host_devices is None else host_devices
    anon = shmem = 0
    for pid in pids:
        a, s = _pss_kb(pid)
        anon, shmem = anon + a, shmem + s
    return (anon * 1024 + max(shmem * 1024, _held_bytes(pids, host_devices))) / MB


def blocks_mb(top, most=200_000):
    """Blocks allocated under top (files and folders, links not followed), in MB; walked with a
    stack, so any depth is fine."""
    total, todo, count = 0, [top], 0
    while todo and count < most:
        path = todo.pop()
        try:
            st = os.lstat(path)
        except OSError:
            continue
        count += 1
        total += st.st_blocks * 512
        if stat.S_ISDIR(st.st_mode):
            try:
                todo.extend(os.path.join(path, name) for name in os.listdir(path))
            except OSError:
                pass
    return total / MB


class Gauge:
    """Samples the grader's process tree and host folders every PERIOD seconds, in a thread."""

    def __init__(self, grader_pid, run_root, memory_mb, disk_mb):
        self.pid, self.root, self.memory_mb, self.disk_mb = grader_pid, run_root, memory_mb, disk_mb
        self.readings, self._stop = Readings(), threading.Event()
        self._host = _host_devices()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.readings

    def _run(self):
        last = None
        while True:
            now = time.monotonic()
            dt = 0.0 if last is None else now - last
            last = now
            self._guarded(dt)
            if self._stop.wait(PERIOD):
                self._guarded(time.monotonic() - last)
                return

    def _guarded(self, dt):
        """_sample, its failures kept in readings.errors (a gauge that stopped reading must not
        pass for one that read nothing wrong)."""
        try:
            self._sample(dt)
        except Exception as exc:
            self.readings.errors.append(f"{type(exc).__name__}: {exc}")

    def _sample(self, dt):
        """One sample; dt: the seconds since the one before, charged to whatever was above its
        limit at that one."""
        r = self.readings
        r.samples += 1
        for peak in (*r.sandboxes.values(), *r.folders.values()):
            if peak.above:
                peak.over += dt
            peak.above = False
        children = _children()
        grader, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            if _is_sandbox(p):
                pids = _subtree(p, children)
                mb = sandbox_mb(pids, self._host)
                peak = r.sandboxes.setdefault(p, Peak())
                peak.peak = max(peak.peak, mb)
                peak.above = mb > self.memory_mb
                continue
            grader.append(p)
            todo.extend(children.get(p, ()))
        for p in grader:
            hwm = _status_kb(p, "VmHWM") / 1024
            if hwm:
                command = (_read(f"/proc/{p}/cmdline", "rb") or b"")[:160].replace(b"\0", b" ")
                peak = r.grader.setdefault(p, Peak(what=command.decode(errors="replace")))
                peak.peak = max(peak.peak, hwm)
        try:
            names = os.listdir(self.root)
        except OSError:
            names = []
        for name in names:
            mb = blocks_mb(os.path.join(self.root, name))
            peak = r.folders.setdefault(name, Peak())
            peak.peak = max(peak.peak, mb)
            peak.above = mb > self.disk_mb


class HostSocket:
    """A listening Unix socket on the host that counts the connections made to it (and closes
    each at once). Use as a context manager."""

    def __init__(self, path):
        self.path, self.connections = str(path), 0
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(self.path)
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sock.setblocking(False)
        while True:  # connections still waiting in the backlog count too
            try:
                conn, _ = self._sock.accept()
            except OSError:
                break
            self.connections += 1
            conn.close()
        self._sock.close()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()
