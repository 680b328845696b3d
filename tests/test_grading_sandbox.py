"""grading.sandbox, the parts that need no kernel: paths inside a sandbox are opened without
following what the kernel could plant; folders are removed without recursion however deep or
unreadable; the memory count includes shared memory and tmpfs; and the seccomp program refuses
the calls whose memory nothing could count. With real kernels: tests/slow/test_grading_limits.py."""

import os
import stat
import struct
import subprocess
import sys

import pytest

from sgdcourse.grading import sandbox as sb


def test_open_beneath_opens_without_following_links(tmp_path):
    (tmp_path / "sandbox" / "run").mkdir(parents=True)
    (tmp_path / "sandbox" / "run" / "real").write_text("x")
    (tmp_path / "sandbox" / "run" / "link").symlink_to("/etc/passwd")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "sandbox" / "jump").symlink_to(tmp_path / "elsewhere")
    before = len(os.listdir("/proc/self/fd"))
    root = os.open(tmp_path, os.O_PATH | os.O_DIRECTORY)
    try:
        fd = sb.open_beneath(root, "/sandbox/run/real")
        assert stat.S_ISREG(os.fstat(fd).st_mode)
        os.close(fd)
        with pytest.raises(sb.Planted, match="/sandbox/run/link is a symbolic link"):
            sb.open_beneath(root, "/sandbox/run/link")
        with pytest.raises(sb.Planted, match="/sandbox/jump is a symbolic link"):
            sb.open_beneath(root, "/sandbox/jump/anything")
        with pytest.raises(sb.Planted, match="/sandbox/run/real is not a folder"):
            sb.open_beneath(root, "/sandbox/run/real/x")
        with pytest.raises(FileNotFoundError):
            sb.open_beneath(root, "/sandbox/run/missing")
        with pytest.raises(ValueError):
            sb.open_beneath(root, "/sandbox/../etc/passwd")
    finally:
        os.close(root)
    assert len(os.listdir("/proc/self/fd")) <= before  # no descriptor left open on the way


def test_a_folder_chain_thousands_deep_is_removed_without_recursion(tmp_path):
    """3,000 folders deep with 200-character names: 600,000 characters of path, far past PATH_MAX
    and past Python's recursion limit (shutil.rmtree and os.walk fail on both)."""
    top = tmp_path / "run"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    name = "d" * 200
    for k in range(3000):
        os.mkdir(name, dir_fd=fd)
        if k % 500 == 0:
            with open(os.open("f", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as f:
                f.write("x" * 1000)
            os.symlink("/etc/passwd", "link", dir_fd=fd)
        new = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        if k == 1500:
            os.chmod(name, 0, dir_fd=fd)  # a folder the kernel made unreadable
        os.close(fd)
        fd = new
    os.close(fd)
    assert sb.remove_tree(str(top)) and not top.exists()
    assert os.path.exists("/etc/passwd")


def test_remove_tree_of_a_missing_folder_or_a_link(tmp_path):
    assert sb.remove_tree(str(tmp_path / "missing"))
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "keep").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    assert sb.remove_tree(str(tmp_path / "link")) and (tmp_path / "target" / "keep").exists()


CHILD = """import mmap, os, sys, time
m = mmap.mmap(-1, 200 * 2**20, flags=mmap.MAP_SHARED)   # shared memory: RssShmem, not RssAnon
for k in range(0, len(m), 4096):
    m[k] = 1
print("ready", flush=True)
time.sleep(30)
"""


def test_shared_memory_is_counted():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"ready\n"
        assert sb.memory_mb({child.pid}) > 200
    finally:
        child.kill()
        child.wait()


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="no /dev/shm here")
def test_files_in_an_in_memory_folder_are_counted_with_their_blocks(tmp_path):
    path = f"/dev/shm/sgdcourse-test-{os.getpid()}"
    fd = os.open("/dev/shm", os.O_PATH | os.O_DIRECTORY)
    try:
        before = sb.memory_mb(set(), [fd])
        with open(path, "wb") as f:
            os.posix_fallocate(f.fileno(), 0, 64 * 2**20)  # blocks, no data written
        assert sb.memory_mb(set(), [fd]) - before >= 63
    finally:
        os.close(fd)
        if os.path.exists(path):
            os.unlink(path)


def test_the_seccomp_program_refuses_memfd_and_sysv_shared_memory():
    prog = sb.seccomp_filter("x86_64")
    ops = [struct.unpack("=HBBI", prog[k : k + 8]) for k in range(0, len(prog), 8)]
    assert ops[0] == (0x20, 0, 0, 4) and ops[1][3] == 0xC000003E  # the architecture is checked first
    refused = {k for (code, _, _, k), nxt in zip(ops, ops[1:]) if code == 0x15 and nxt == (0x06, 0, 0, 0x50001)}
    assert {319, 447, 29} <= refused  # memfd_create, memfd_secret, shmget
    assert ops[-1] == (0x06, 0, 0, 0x7FFF0000)  # everything else is allowed
    assert sb.seccomp_filter("sparc") is None and len(sb.seccomp_filter("aarch64")) % 8 == 0


def test_the_kernel_command_gives_it_no_writable_host_folder(tmp_path):
    sandbox = sb.Sandbox(tmp_path, 2048)
    argv = sandbox.argv({}, 7, 8)
    assert "--bind" not in argv and "--bind-try" not in argv  # every host folder it sees is read-only
    assert ["--ro-bind-data", "7", sb.CONNECTION] == argv[
        argv.index("--ro-bind-data") : argv.index("--ro-bind-data") + 3
    ]
    assert ["--seccomp", "8"] == argv[argv.index("--seccomp") : argv.index("--seccomp") + 2]
    remounts = [argv[k + 1] for k, a in enumerate(argv) if a == "--remount-ro"]
    assert remounts == ["/", "/dev"]
    sizes = [argv[k + 3] for k, a in enumerate(argv) if a == "--size"]
    assert sorted(sizes) == sorted(["/tmp", "/dev/shm", sb.PRIVATE]) == sorted(sb.FOLDERS)
