"""The OS sandbox a submission's kernel runs in: bubblewrap namespaces, limits, and a sealed library.

    Sandbox.create(memory_mb)   a sealed copy of sgdcourse: its bank less the answers (problems.sealed)
    sandbox.argv(env, conn_fd, seccomp_fd)
                                bwrap ... -- python -c LAUNCH CONNECTION: the kernel command; bwrap copies
                                the connection file from the pipe conn_fd to CONNECTION (read-only)
    tree(pid), kill_tree(pid)   every process the kernel started (found from the host), and ending them
    sandbox_root(pid)           a descriptor of the sandbox's / as its processes see it (/proc/PID/root)
    open_beneath(root, path)    a path inside the sandbox opened from the host without following links
    memory_mb(pids, folders)    what the sandbox holds in memory: its processes and its in-memory folders
    seccomp_filter()            the system calls the kernel may not make (memory nothing could count)
    remove_tree(folder)         a folder removed without recursion and without following links

What the kernel gets (bwrap, https://github.com/containers/bubblewrap):
  namespaces  its own user, PID, mount, network, IPC, UTS and cgroup namespaces; uid/gid 65534
              inside, no capabilities, no further user namespaces; a new session (no terminal)
  files       read-only: /usr and the Python installation (base prefix and venv), the sealed
              library and the connection file; a private /proc and /dev; an empty tmpfs PRIVATE of
              TMP_MB holding HOME, IPYTHONDIR, MPLCONFIGDIR, the working folder, TMPDIR and the
              IPC sockets (SOCKETS-<port>: the channel the grader talks through); /tmp and /dev/shm
              of SHM_MB each. Nothing on the host's disk is writable, and neither are / and /dev
              (bwrap's own tmpfs, remounted read-only): every folder the kernel can write is one of
              these size-capped tmpfs mounts, which live in memory and are counted as the kernel's
              memory (FOLDERS)
  environment cleared, then HOME, PATH, PYTHONPATH (the sealed library) and thread counts
  limits      per process: address space memory_mb, NPROC processes+threads in its user namespace,
              files of at most FSIZE_MB, no core dumps; for the whole tree: Kernel's watchdog sums
              memory_mb(tree(pid)) and kills the tree past memory_mb; system calls: seccomp_filter
              refuses memfd_create, memfd_secret and shmget (SysV shared memory), the memory no
              watchdog could see (it belongs to no process and no folder)
The grader reaches the sockets through /proc/PID/root of a process of the sandbox, opening every
part of the path without following a link (open_beneath), so nothing the kernel plants is followed.
When the kernel is killed, bwrap's PID 1 dies with it (--die-with-parent) and with it every process
of the namespace, detached daemons included; kill_tree makes sure and waits until none is left.
"""

from __future__ import annotations

import errno
import os
import platform
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..problems import BANK
from ..problems import sealed as sealed_bank

PACKAGE = Path(__file__).resolve().parents[1]  # the trusted sgdcourse, as installed
NPROC, NOFILE, FSIZE_MB, TMP_MB, SHM_MB = 256, 512, 256, 512, 64
INSIDE_LIB, PRIVATE, CONNECTION = "/sandbox/lib", "/sandbox/private", "/sandbox/kernel.json"
SOCKETS = f"{PRIVATE}/run/kernel"  # the kernel's IPC sockets are SOCKETS-<port>
KERNEL_ARGS = ["--Session.packer=sgdcourse.grading.remote.pack"]  # ipykernel's options (remote.pack)
FOLDERS = (PRIVATE, "/tmp", "/dev/shm")  # the sandbox's in-memory folders, counted by memory_mb
FILE_KB = 1  # the memory a file in them holds besides its blocks (its inode), counted the same way
O_PATH = getattr(os, "O_PATH", 0) | os.O_CLOEXEC | os.O_NOFOLLOW  # a descriptor that names, never follows


class Planted(Exception):
    """Something in the sandbox is not what its start makes (a link where a socket should be)."""


HELP = (
    "grading runs every submission in a bubblewrap sandbox: install it (Debian/Ubuntu: "
    "`apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`) on Linux with unprivileged user "
    "namespaces enabled, or pass --unsandboxed to grade without one (the submissions' code then runs "
    "with your permissions: see docs/instructors.md)"
)
LAUNCH = """import os, resource as r, sys
for k, v in ((r.RLIMIT_AS, {as_bytes}), (r.RLIMIT_NPROC, {nproc}), (r.RLIMIT_NOFILE, {nofile}),
             (r.RLIMIT_FSIZE, {fsize}), (r.RLIMIT_CORE, 0)):
    if v or k == r.RLIMIT_CORE:
        r.setrlimit(k, (v, v))
r.setrlimit(r.RLIMIT_DATA, (r.getrlimit(r.RLIMIT_DATA)[1],) * 2)  # the grader's worker cap is not the kernel's
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", *sys.argv[1:]])"""


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
        sealed_bank.library(root, BANK)
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return cls(root, memory_mb)

    def remove(self):
        shutil.rmtree(self.sealed, ignore_errors=True)

    def argv(self, env, conn_fd, seccomp_fd=None):
        """The kernel command: bwrap's options, then a launcher that sets the limits and starts
        ipykernel on CONNECTION, which bwrap copies read-only from the pipe conn_fd (the grader's
        connection file: it never lies in a folder the kernel can write); seccomp_fd: a pipe with
        seccomp_filter() (None: no filter)."""
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
            "--perms",
            "0444",
            "--ro-bind-data",
            str(conn_fd),
            CONNECTION,
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
        args += [a for d in ("home", "work", "tmp", "run") for a in ("--dir", f"{PRIVATE}/{d}")]
        args += ["--remount-ro", "/", "--remount-ro", "/dev"]  # bwrap's own tmpfs roots: no size cap
        args += ["--chdir", f"{PRIVATE}/work"]
        if seccomp_fd is not None:
            args += ["--seccomp", str(seccomp_fd)]
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
        return [*args, "--", sys.executable, "-c", launch, CONNECTION, *KERNEL_ARGS]


# ---- the system calls a kernel may not make -----------------------------------------------------

# machine: (AUDIT_ARCH_*, numbers of memfd_create, memfd_secret, shmget); x86_64 also has x32 calls
_SYSCALLS = {"x86_64": (0xC000003E, (319, 447, 29)), "aarch64": (0xC00000B7, (279, 447, 194))}


def seccomp_filter(machine=None):
    """The classic-BPF program (struct sock_filter[]) bwrap's --seccomp loads, or None for a
    machine it does not know: memfd_create, memfd_secret and shmget fail with EPERM, and so does
    every call of another architecture (or x32) than this one. Memory made by them belongs to no
    process and no folder, so no watchdog could count it; everything else is allowed."""
    arch, denied = _SYSCALLS.get(machine or platform.machine(), (None, ()))
    if arch is None:
        return None
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
    allow, refuse = 0x7FFF0000, 0x00050000 | errno.EPERM  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, refuse), (ld, 0, 0, 0)]  # arch, then the number
    if arch == 0xC000003E:
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, refuse)]
    for nr in denied:
        prog += [(jeq, 0, 1, nr), (ret, 0, 0, refuse)]
    prog.append((ret, 0, 0, allow))
    return b"".join(struct.pack("=HBBI", *op) for op in prog)


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


def _status_kb(pid, keys=(b"RssAnon:", b"RssShmem:")):
    """The sum of the fields `keys` of /proc/PID/status, in kB (0 for a process that is gone)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            lines = f.read().splitlines()
    except OSError:
        return 0
    return sum(int(line.split()[1]) for line in lines if line.split(maxsplit=1)[:1] and line.split()[0] in keys)


def folder_usage_mb(fd):
    """The memory an in-memory folder (a descriptor of a tmpfs mount) holds: its blocks in use and
    FILE_KB for each file in it, in MB."""
    st = os.statvfs(fd)
    blocks = (st.f_blocks - st.f_bfree) * st.f_frsize
    return blocks / 2**20 + (st.f_files - st.f_ffree) * FILE_KB / 1024


def memory_mb(pids, folders=()):
    """The memory the kernel holds, in MB: each process's private and shared memory (RssAnon and
    RssShmem: what MAP_SHARED, fork and /dev/shm mappings hold; file-backed pages of the read-only
    library are not counted) and, for each descriptor in `folders` (its tmpfs mounts), its usage.
    A tmpfs file that is also mapped is counted twice: the count errs on the safe side."""
    total = sum(_status_kb(p) for p in pids) / 1024
    return total + sum(folder_usage_mb(fd) for fd in folders)


def sandbox_root(pid):
    """A descriptor (O_PATH) of the sandbox's root folder as its processes see it, through
    /proc/P/root of a process P under pid other than pid (bwrap's outer process, which stays in
    the host's mount namespace); None while no such process runs."""
    mine = os.stat("/")
    for p in sorted(tree(pid) - {pid}):
        try:
            fd = os.open(f"/proc/{p}/root", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)  # a magic link: followed
        except OSError:
            continue
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (mine.st_dev, mine.st_ino):
            return fd
        os.close(fd)
    return None


def open_beneath(root, path):
    """An O_PATH descriptor of the absolute `path` below the folder descriptor `root`, each part
    opened without following a link: FileNotFoundError while a part is missing, Planted when a
    part is a symbolic link. The caller checks what the last part is (fstat)."""
    parts = [p for p in path.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts):
        raise ValueError(f"not a plain absolute path: {path!r}")
    fd = root
    for k, part in enumerate(parts):
        try:
            new = os.open(part, O_PATH, dir_fd=fd)
        finally:
            if fd != root:
                os.close(fd)
        fd, mode = new, os.fstat(new).st_mode
        if stat.S_ISLNK(mode) or k < len(parts) - 1 and not stat.S_ISDIR(mode):
            os.close(fd)
            what = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
            raise Planted(f"{'/'.join(['', *parts[: k + 1]])} is {what}")
    return fd


def remove_tree(folder):
    """Remove `folder` and everything in it; True when it is gone. No recursion and no long path:
    the entries of each sub-folder are moved up into `folder` (renamed, never followed) and the
    emptied sub-folder removed, so a chain of folders thousands deep costs only as many renames.
    Links are removed, never followed; folders the kernel made unreadable are made readable first."""
    try:
        top = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.unlink(folder)  # a link or a file where the folder was
        except OSError:
            pass
        return not os.path.lexists(folder)
    serial = 0
    try:
        while True:
            with os.scandir(top) as it:
                batch = [(e.name, e.is_dir(follow_symlinks=False)) for _, e in zip(range(4096), it)]
            if not batch:
                break
            for name, is_dir in batch:
                try:
                    if not is_dir:
                        os.unlink(name, dir_fd=top)
                        continue
                    try:
                        os.rmdir(name, dir_fd=top)
                        continue
                    except OSError:
                        pass
                    os.chmod(name, 0o700, dir_fd=top)
                    sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=top)
                    try:
                        with os.scandir(sub) as it:
                            inner = [e.name for e in it]
                        for entry in inner:
                            while True:
                                serial += 1
                                try:
                                    os.rename(entry, f".rm{serial}", src_dir_fd=sub, dst_dir_fd=top)
                                    break
                                except OSError as exc:
                                    if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR, errno.ENOTDIR):
                                        raise
                    finally:
                        os.close(sub)
                    os.rmdir(name, dir_fd=top)  # empty now: an error here ends the removal
                except FileNotFoundError:
                    pass
    except OSError:
        pass
    finally:
        os.close(top)
    try:
        os.rmdir(folder)
    except OSError:
        pass
    return not os.path.lexists(folder)


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
