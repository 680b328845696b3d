"""The OS sandbox a submission's kernel runs in: bubblewrap namespaces, limits, and a sealed library.

    Sandbox.create(memory_mb)  a sealed copy of sgdcourse: its bank less the answers (problems.sealed)
    sandbox.argv(run_dir)      bwrap ... -- python -c LAUNCH {connection_file}: the kernel command
    tree(pid), kill_tree(pid)  every process the kernel started (found from the host), and ending them

What the kernel gets (bwrap, https://github.com/containers/bubblewrap):
  namespaces  its own user, PID, mount, network, IPC, UTS and cgroup namespaces; uid/gid 65534
              inside, no capabilities, no further user namespaces; a new session (no terminal)
  files       read-only: /usr and the Python installation (base prefix and venv) and the sealed
              library; a private /proc and /dev; an empty tmpfs PRIVATE of TMP_MB holding HOME,
              IPYTHONDIR, MPLCONFIGDIR, the working folder and TMPDIR; /tmp and /dev/shm of
              SHM_MB each; rw only its own run folder (the connection file and the IPC
              sockets: the channel the grader talks through)
  environment cleared, then HOME, PATH, PYTHONPATH (the sealed library) and thread counts
  limits      per process: address space memory_mb, NPROC processes+threads in its user namespace,
              files of at most FSIZE_MB, no core dumps; for the whole tree: Kernel's watchdog sums
              the memory of tree(pid) and kills the tree past memory_mb
When the kernel is killed, bwrap's PID 1 dies with it (--die-with-parent) and with it every process
of the namespace, detached daemons included; kill_tree makes sure and waits until none is left.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..problems import BANK
from ..problems import sealed as sealed_bank

PACKAGE = Path(__file__).resolve().parents[1]  # the trusted sgdcourse, as installed
NPROC, NOFILE, FSIZE_MB, TMP_MB, SHM_MB, RUN_DIR_MB = 256, 512, 256, 512, 64, 64
INSIDE_LIB, PRIVATE = "/sandbox/lib", "/sandbox/private"
HELP = (
    "grading runs every submission in a bubblewrap sandbox: install it (Debian/Ubuntu: "
    "`apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`) on Linux with unprivileged user "
    "namespaces enabled, or pass --unsandboxed to grade without one (the submissions' code then runs "
    "with your permissions: see docs/instructors.md)"
)
LAUNCH = """import os, resource as r, sys
for k, v in ((r.RLIMIT_AS, {as_bytes}), (r.RLIMIT_NPROC, {nproc}), (r.RLIMIT_NOFILE, {nofile}),
             (r.RLIMIT_FSIZE, {fsize}), (r.RLIMIT_CORE, 0)):
    if v:
        r.setrlimit(k, (v, v))
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", sys.argv[1]])"""


def probe():
    """None if bubblewrap can make a sandbox here, else why not (with HELP)."""
    bwrap = shutil.which("bwrap")
    if sys.platform != "linux" or bwrap is None:
        return f"no bubblewrap (bwrap) found on {sys.platform}: {HELP}"
    proc = subprocess.run(
        [
            bwrap,
            "--unshare-all",
            "--die-with-parent",
            "--uid",
            "65534",
            "--ro-bind",
            "/",
            "/",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "true",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if proc.returncode:
        return f"bubblewrap cannot make a sandbox here ({proc.stderr.strip()[:200]}): {HELP}"
    return None


def _binds():
    """Read-only host folders the kernel needs: /usr (with the usual /lib, /bin links) and Python's."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    prefixes = {
        os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable)))
    }
    for p in sorted(prefixes):
        if not p.startswith("/usr/"):
            args += ["--ro-bind", p, p]
    return args


def _unsealed(folder, names):
    """What copying the package leaves out: compiled files, and the bank's modules that hold answers."""
    bank = Path(folder).resolve() == PACKAGE / "problems"
    return [n for n in names if n == "__pycache__" or n.endswith(".pyc") or bank and sealed_bank.ANSWERS.fullmatch(n)]


class Sandbox:
    """The kernel command for one grading run; `sealed` holds the library the kernels import."""

    def __init__(self, sealed, memory_mb):
        self.sealed, self.memory_mb = Path(sealed), int(memory_mb)

    @classmethod
    def create(cls, memory_mb):
        """Copy the trusted package into a new folder (see remove()) with its bank sealed: the modules
        of problems/ that hold answers are left out and problems.sealed writes them again without
        the answers, so the kernel's bank has the real one's public API, less the answers."""
        root = Path(tempfile.mkdtemp(prefix="sgdcourse-sealed-"))
        lib = root / "sgdcourse"
        shutil.copytree(PACKAGE, lib, ignore=_unsealed)
        sealed_bank.write(lib / "problems", BANK)
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return cls(root, memory_mb)

    def remove(self):
        shutil.rmtree(self.sealed, ignore_errors=True)

    def argv(self, run_dir, env):
        """The kernel command: bwrap's options, then a launcher that sets the limits and starts
        ipykernel on {connection_file} (which lies in run_dir, bound at the same path inside)."""
        mb = 2**20
        args = [
            shutil.which("bwrap") or "bwrap",
            "--unshare-all",
            "--unshare-user",
            "--die-with-parent",
            "--new-session",
            "--disable-userns",
            "--uid",
            "65534",
            "--gid",
            "65534",
            "--hostname",
            "sandbox",
            "--clearenv",
            "--size",
            str(SHM_MB * mb),
            "--tmpfs",
            "/tmp",  # first: Python itself may live under /tmp
            *_binds(),
        ]
        if any(PACKAGE.is_relative_to(os.path.realpath(p)) for p in (sys.base_prefix, sys.prefix)):
            args += ["--ro-bind", str(self.sealed / "sgdcourse"), str(PACKAGE)]  # hide an installed bank
        args += [
            "--ro-bind",
            str(self.sealed),
            INSIDE_LIB,
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            str(SHM_MB * mb),
            "--tmpfs",
            "/dev/shm",
            "--size",
            str(TMP_MB * mb),
            "--tmpfs",
            PRIVATE,
        ]
        args += [a for d in ("home", "work", "tmp") for a in ("--dir", f"{PRIVATE}/{d}")]
        args += ["--bind", str(run_dir), str(run_dir), "--chdir", f"{PRIVATE}/work"]
        home = f"{PRIVATE}/home"
        for key, value in {
            **env,
            "HOME": home,
            "IPYTHONDIR": f"{home}/.ipython",
            "TMPDIR": f"{PRIVATE}/tmp",
            "MPLCONFIGDIR": f"{home}/.matplotlib",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "PYTHONPATH": INSIDE_LIB,
            "PYTHONNOUSERSITE": "1",
            "LANG": "C.UTF-8",
        }.items():
            args += ["--setenv", key, value]
        launch = LAUNCH.format(as_bytes=self.memory_mb * mb, nproc=NPROC, nofile=NOFILE, fsize=FSIZE_MB * mb)
        return [*args, "--", sys.executable, "-c", launch, "{connection_file}"]


# ---- the process tree, seen from the host -------------------------------------------------------


def _processes():
    """{pid: (parent pid, state letter)} of every process this user can see."""
    out = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    stat = f.read()
                fields = stat[stat.rindex(b")") + 2 :].split()
                out[int(entry.name)] = (int(fields[1]), fields[0].decode())
            except (OSError, ValueError, IndexError):
                pass
    return out


def tree(pid, processes=None):
    """pid and its descendants that are still running (not zombies). Orphans of a PID namespace
    are adopted by its PID 1, so the whole namespace stays under the kernel's bwrap process."""
    procs = _processes() if processes is None else processes
    found, grew = {pid}, True
    while grew:
        new = {p for p, (pp, _) in procs.items() if pp in found and p not in found}
        found |= new
        grew = bool(new)
    return {p for p in found if p in procs and procs[p][1] not in "ZX"}


def memory_mb(pids):
    """Resident memory of the processes, less file-backed pages shared with others, in MB."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as f:
                fields = f.read().split()
            total += int(fields[1]) - int(fields[2])
        except (OSError, ValueError, IndexError):
            pass
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def folder_mb(folder, most=2000):
    """Size of the files in folder in MB; infinite past `most` entries (a flood of files)."""
    total, count = 0, 0
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            count += 1
            if count > most:
                return float("inf")
            try:
                total += os.lstat(os.path.join(top, name)).st_size
            except OSError:
                pass
    return total / 2**20


def kill_tree(pid, wait=10.0):
    """SIGKILL pid and every process under it, again for any that appear meanwhile, and wait until
    none of them runs; True if all are gone within `wait` seconds."""
    deadline, seen = time.monotonic() + wait, set()
    while True:
        procs = _processes()
        seen |= tree(pid, procs)
        alive = {p for p in seen if p in procs and procs[p][1] not in "ZX"}
        if not alive:
            return True
        for p in alive:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
