"""grading.kernel, the parts that need no kernel: the grader's side of the Jupyter protocol refuses
what a hostile kernel can send (bad signatures, replays, odd headers, deep JSON, undecodable text)
without raising, text with lone surrogates travels both ways, and the watchdog, should it fail,
kills the kernel instead of leaving it unwatched. The same on real kernels: tests/slow/test_grading_limits.py."""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

import pytest
import zmq

from sgdcourse.grading import kernel as K
from sgdcourse.grading import sandbox as sb
from sgdcourse.grading.remote import pack

KEY = b"0123456789abcdef"


def frames(parts, key=KEY, delim=K.DELIM, ident=b""):
    """A message as the kernel sends it: [ident, DELIM, signature, header, parent, metadata, content]."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return [ident, delim, mac.hexdigest().encode(), *parts]


def parts(msg_type="status", parent=None, content=None, header=None):
    header = header if header is not None else {"msg_id": "m1", "msg_type": msg_type}
    dump = lambda x: x if isinstance(x, bytes) else json.dumps(x).encode()  # noqa: E731
    return [dump(header), dump(parent if parent is not None else {"msg_id": "req"}), b"{}", dump(content or {})]


def test_a_signed_message_is_read_and_its_content_left_unparsed():
    msg = K.Session(KEY).read(frames(parts(content={"execution_state": "idle"})))
    assert msg[:2] == ("status", "req") and json.loads(msg[2]) == {"execution_state": "idle"}


@pytest.mark.parametrize(
    "case",
    [
        "bad signature",
        "unsigned",
        "no delimiter",
        "too few parts",
        "deep JSON header",
        "header not a dict",
        "msg_type not text",
        "not UTF-8 nor JSON",
        "huge header",
    ],
)
def test_what_a_hostile_kernel_sends_is_refused_without_raising(case):
    good = parts()
    bad = {
        "bad signature": frames(good, key=b"another key"),
        "unsigned": [b"", K.DELIM, b"", *good],
        "no delimiter": frames(good, delim=b"<IDS|MSG"),
        "too few parts": frames(good)[:5],
        "deep JSON header": frames(parts(header=b"[" * 100_000 + b"]" * 100_000)),
        "header not a dict": frames(parts(header=["msg_id", "status"])),
        "msg_type not text": frames(parts(header={"msg_id": "m", "msg_type": ["status"]})),
        "not UTF-8 nor JSON": frames(parts(header=b"\xff\xfe{")),
        "huge header": frames(parts(header={"msg_type": "status", "pad": "x" * K.MAX_SMALL})),
    }[case]
    assert K.Session(KEY).read(bad) is None


def test_a_message_sent_again_is_refused_and_odd_parents_are_nobody_s():
    session = K.Session(KEY)
    once = frames(parts())
    assert session.read(once) is not None and session.read(list(once)) is None  # the replay
    assert session.read(frames(parts(parent=["msg_id", "req"])))[1] is None  # a list as parent header
    assert session.read(frames(parts(parent={"msg_id": ["req"]})))[1] is None


def test_odd_contents_read_as_nothing():
    assert K._content(b"[" * 100_000) == {} and K._content(b"[1, 2]") == {} and K._content(b"\xff") == {}
    assert K._error({"ename": ["x"], "evalue": {"deep": 1}}) == ("Error", "")
    assert K._error({"ename": "E" * 500, "evalue": "v"}) == ("E" * 80, "v")


def test_lone_surrogates_travel_both_ways():
    text = "a\udcffb \ud800 \U0001f600"
    assert K._unpack(K._pack({"code": text})) == {"code": text}  # grader to kernel: ASCII JSON
    assert K._unpack(pack({"v": text})) == {"v": text}  # kernel to grader: the kernel's packer (remote.pack)
    assert K._unpack(b'"a\xffb"') == "a\udcffb"  # bytes that are not UTF-8 are kept, not an error


def test_the_watchdog_that_fails_kills_the_kernel(monkeypatch):
    """Whatever makes the watch fail (here: memory_mb raising, as a deep folder chain once made the
    recursive walk raise), the kernel's process tree is killed and the breach says so."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        kernel = K.Kernel(memory_mb=100)
        kernel.pid = child.pid

        def broken(pids, folders=()):
            raise RecursionError("maximum recursion depth exceeded")

        monkeypatch.setattr(sb, "memory_mb", broken)
        r, w = os.pipe()
        start = time.monotonic()
        kernel._watchdog(child.pid, [r])
        assert child.wait(10) == -9 and time.monotonic() - start < 10
        assert "watch on it failed (RecursionError)" in kernel.breach
        with pytest.raises(OSError):
            os.close(r)  # the watchdog closed its descriptors
        os.close(w)
    finally:
        child.kill()
        child.wait()
        kernel.context.term()


def test_the_watchdog_kills_past_the_memory_limit(monkeypatch):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        kernel = K.Kernel(memory_mb=100)
        kernel.pid = child.pid
        monkeypatch.setattr(sb, "memory_mb", lambda pids, folders=(): 101.0 if child.pid in pids else 0.0)
        kernel._watchdog(child.pid, [])
        assert child.wait(10) == -9 and "more than the 100 MB memory limit" in kernel.breach
    finally:
        child.kill()
        child.wait()
        kernel.context.term()


def test_every_channel_the_grader_connects_carries_its_size_limit_and_queue(tmp_path):
    """The limits are set on the very sockets the grader reads (the issue: they were set on a context
    its sockets did not use), and a part over the limit never reaches the grader: ZeroMQ cuts the
    channel instead, and the grader's monitor sees the cut."""
    import zmq

    kernel = K.Kernel()
    context = zmq.Context()
    pub = context.socket(zmq.PUB)
    pub.bind(f"ipc://{tmp_path}/iopub")
    try:
        kernel._connect({name: f"ipc://{tmp_path}/{name}" for name in K.CHANNELS})
        limits = {name: (s.getsockopt(zmq.MAXMSGSIZE), s.getsockopt(zmq.RCVHWM)) for name, s in kernel.sockets.items()}
        sub, got = kernel.sockets["iopub"], []
        for _ in range(100):  # until the subscription has reached the publisher
            pub.send(b"hello")
            if sub.poll(20):
                got.append(sub.recv())
                break
        pub.send(b"x" * (K.MAX_FRAME + 1))
        big = sub.poll(500)
        cut = kernel.monitors["iopub"].poll(2000)
    finally:
        for name in list(kernel.sockets):
            kernel._close(name)
        pub.close(0)
        context.term()
        kernel.context.term()
    assert limits == {
        "shell": (K.MAX_SMALL, K.QUEUE),
        "iopub": (K.MAX_FRAME, K.QUEUE),
        "control": (K.MAX_SMALL, K.QUEUE),
    }
    assert got == [b"hello"] and not big and cut


def test_one_receive_holds_only_a_few_large_messages():
    """A kernel that floods its output channel with large messages: one receive takes messages only up
    to TAKE_BYTES, and the rest wait in ZeroMQ's bounded queue, so the grader never holds 64 of them."""
    import types

    from sgdcourse.grading import kernel as kernel_module

    big = b"x" * (4 * 2**20)

    class Flood:
        taken = 0

        def recv_multipart(self, flags, copy):
            Flood.taken += 1
            return [big]

    sock = Flood()
    k = kernel_module.Kernel()
    k.poller = types.SimpleNamespace(poll=lambda ms: [(sock, zmq.POLLIN)])
    k.sockets, k.monitors = {"iopub": sock}, {}
    k.session = types.SimpleNamespace(read=lambda frames: ("display_data", "p", bytes(frames[0])))
    got = k._receive(0.1)
    held = sum(len(content) for *_, content in got)
    assert len(got) == Flood.taken < 64
    assert kernel_module.TAKE_BYTES < held <= kernel_module.TAKE_BYTES + len(big)
    k.context.term()
