"""Benchmark: from a slider step in the browser to the new image on screen, for every explorer.

Run with `.venv/bin/python tests/benchmarks/bench_browser.py` (or `make bench`). Not part of
`make test`. JupyterLab is started on loopback exactly as in tests/test_browser.py and headless
Chromium opens each lesson with explorers and runs it (Run All). Then, for the first slider of
every explorer:

  step      the slider handle has the keyboard focus; one arrow key press moves it one step.
            Timed in the page, from the keydown event to the first animation frame after both
            the new image has loaded and the readout below it has changed (STEPS presses, one
            at a time, away from the end and back);
  release   DRAGS drags, each over DRAG_SHARE of the way to the far end (towards the side with
            more room, back, and out again), in DRAG_MOVES mouse moves 16 ms apart, as a hand
            drags; each timed from the mouseup to the frame after the last image and readout
            that arrive (0 if it was on screen before the mouseup); the table gives the median and
            the max of the drags, then the slider's value next to the readout after the last one
            (the newest value wins).

Goals: step median <= 60 ms, p90 <= 100 ms; release (median of the drags) <= 100 ms. The load average is printed
before and after: on a shared machine every figure includes waiting for a core.

A second table splits a step (medians over the steps) by the kernel messages it causes, which
JupyterLab's kernel connection reports as they are sent and received: in the page until the
value is sent, to the kernel (the kernel's status busy is stamped when it starts on the value),
in the kernel (until the last update it sends is stamped), to the page (until that update is
received: the server, then the page's queue), and on the page until the frame. Kernel stamps
come from the kernel's message headers, page times from performance.timeOrigin + now(): one
machine, one clock. It also gives the CPU time (from /proc, Linux) per step of the kernel, the
Jupyter server, all of Chromium's processes and the measuring side (Playwright and this script).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_browser import (  # noqa: E402
    ASK_KERNEL,
    KERNEL_IDLE,
    KERNEL_STATE,
    LESSONS,
    VISIBLE,
    _missing,
    _run_all,
    chromium_page,
    serve_lab,
    stated_explorers,
)

STEPS, DRAGS, DRAG_SHARE, DRAG_MOVES, QUIET_S = 20, 3, 0.6, 30, 1.5
GOALS = dict(median=60.0, p90=100.0, release=100.0)

INSTRUMENT = """([nb, k, label]) => {
    const boxes = [...document.querySelectorAll(nb + ' .widget-vbox')]
        .filter(box => [...box.children].some(c => c.matches('img.widget-image')));
    const box = boxes[k], img = [...box.children].find(c => c.matches('img.widget-image'));
    const slider = [...box.querySelectorAll('.widget-slider')].find(el => el.querySelector('.widget-label').textContent === label);
    const handle = slider.querySelector('.noUi-handle');
    const text = box.querySelector('.widget-html-content');
    window.__bench = {loads: [], key: null, up: null, box, img, handle, slider, image: false, readout: false, waiting: []};
    const shown = (what) => {  // a step is on screen once its image and its readout both are
        const b = window.__bench;
        b[what] = true;
        if (b.image && b.readout) {
            b.image = b.readout = false;
            requestAnimationFrame(() => { b.loads.push(performance.now()); b.waiting.splice(0).forEach(wake => wake()); });
        }
    };
    img.addEventListener('load', () => shown('image'));
    new MutationObserver(() => shown('readout')).observe(text, {childList: true, subtree: true, characterData: true});
    handle.addEventListener('keydown', () => { window.__bench.key = performance.now(); }, true);
    window.addEventListener('mouseup', () => { window.__bench.up = performance.now(); }, true);
    handle.scrollIntoView({block: 'center'});
    handle.focus();
}"""


# Every comm message the page sends, and every message the kernel sends in reply to one (its
# parent), with the page's time (ms since the epoch) and the kernel's header stamp.
LISTEN = """() => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const b = window.__bench;
    b.sent = new Map();
    b.replies = [];
    if (kernel.__benchListener) kernel.anyMessage.disconnect(kernel.__benchListener);
    kernel.__benchListener = (_, {msg, direction}) => {
        const t = performance.timeOrigin + performance.now(), b = window.__bench;
        if (direction === 'send' && msg.header.msg_type === 'comm_msg') b.sent.set(msg.header.msg_id, t);
        else if (direction === 'recv' && msg.parent_header && b.sent.has(msg.parent_header.msg_id)) {
            const kind = msg.header.msg_type === 'status' ? msg.content.execution_state   // busy, idle
                : (msg.content.data && msg.content.data.method) || msg.header.msg_type;      // update, echo_update
            b.replies.push([msg.parent_header.msg_id, kind, msg.header.date, t]);
        }
    };
    kernel.anyMessage.connect(kernel.__benchListener);
}"""

PHASES = ("in page", "to kernel", "in kernel", "to page", "on page")


def _stamp(date):
    """A kernel header's ISO date as ms since the epoch."""
    return datetime.fromisoformat(date.replace("Z", "+00:00")).timestamp() * 1000


def phases(page, steps):
    """For each step (keydown, frame), page times in ms: the five PHASES, from the value the page
    sent in between that the kernel answered with updates (the new image and readout; a Play
    linked to the slider in the page sends its own value too, answered by an echo only)."""
    origin, sent, replies = page.evaluate(
        "() => [performance.timeOrigin, [...window.__bench.sent], window.__bench.replies]"
    )
    out = []
    for key, frame in steps:
        key, frame = origin + key, origin + frame
        for msg_id, t_sent in sent:
            mine = [r for r in replies if r[0] == msg_id]
            busy = next((r for r in mine if r[1] == "busy"), None)
            updates = [r for r in mine if r[1] == "update" and r[3] <= frame]
            if key <= t_sent <= frame and busy and updates:
                start, done = _stamp(busy[2]), _stamp(updates[-1][2])
                out.append((t_sent - key, start - t_sent, done - start, updates[-1][3] - done, frame - updates[-1][3]))
                break
    return np.array(out).reshape(-1, len(PHASES))


def cpu_seconds():
    """CPU seconds used so far by the kernel, the Jupyter server, Chromium and the measuring
    side (Playwright's driver and this script), summed over their processes; {} off Linux."""
    totals = dict.fromkeys(("kernel", "server", "chromium", "measuring"), 0.0)
    if not os.path.isdir("/proc/self"):
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cmd = b" ".join(argv)
        kind = (
            "chromium"
            if b"chromium" in argv[0]
            else "kernel"
            if b"ipykernel" in cmd
            else "server"
            if b"jupyter-lab" in cmd
            else "measuring"
            if b"playwright" in cmd or int(pid) == os.getpid()
            else None
        )
        if kind:
            totals[kind] += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return totals


# Wait for the step's frame without polling: the page takes the times itself, and a poll (every
# frame or on a timer) would make Chromium and Playwright's driver work while the step runs.
NEXT = """(n) => new Promise((resolve, reject) => {
    const b = window.__bench;
    if (b.loads.length > n) return resolve();
    b.waiting.push(resolve);
    setTimeout(() => reject(new Error('no new image and readout within 30 s')), 30000);
})"""


def step_times(page, room):
    """STEPS arrow presses: towards the side with more room and back, again while a short
    slider (lesson 03's 7 etas) has fewer than STEPS / 2 steps that way: ms each, and each
    step's (keydown, frame) page times."""
    right = room[1] >= room[0]
    n = min(STEPS // 2, max(room))
    out_and_back = ["ArrowRight" if right else "ArrowLeft"] * n + ["ArrowLeft" if right else "ArrowRight"] * n
    keys = (out_and_back * -(-STEPS // len(out_and_back)))[:STEPS]
    stamps = []
    for key in keys:
        shown = page.evaluate("() => window.__bench.loads.length")  # frames so far; this step's is next
        page.evaluate("() => window.__bench.handle.focus()")
        page.keyboard.press(key)
        page.evaluate(NEXT, shown)
        stamps.append(page.evaluate(f"() => [window.__bench.key, window.__bench.loads[{shown}]]"))
        time.sleep(0.1)
    return [frame - key for key, frame in stamps], stamps


def release_time(page, right):
    """ms from the end of a drag (to the right or left) to the last image it brings; and the
    slider's value and the readout the page then shows (they must agree: the newest value wins)."""
    box = page.evaluate_handle("() => window.__bench.handle").as_element().bounding_box()
    track = (
        page.evaluate_handle("() => window.__bench.slider.querySelector('.noUi-target')").as_element().bounding_box()
    )
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    reach = (track["x"] + track["width"] - x) if right else (x - track["x"])
    dx = DRAG_SHARE * reach * (1 if right else -1)  # stops short of the end: the value still changes at the release
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, DRAG_MOVES + 1):
        page.mouse.move(x + dx * i / DRAG_MOVES, y)
        time.sleep(0.016)
    page.mouse.up()
    while True:  # wait until no image has arrived for QUIET_S
        n = page.evaluate("() => window.__bench.loads.length")
        time.sleep(QUIET_S)
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        if page.evaluate("() => window.__bench.loads.length") == n:
            break
    # 0 when the last image was on screen before the release: a slider with few steps (lesson 03's
    # 7 etas) reaches its last value during the drag, and then nothing is left to wait for
    last = max(0.0, page.evaluate("() => window.__bench.loads[window.__bench.loads.length - 1] - window.__bench.up"))
    shown = page.evaluate("""() => [window.__bench.slider.querySelector('.widget-readout').textContent,
                                    window.__bench.box.querySelector('.widget-html-content').textContent]""")
    return last, shown


def main():
    if reason := _missing():
        print(f"cannot run: {reason}")
        return 2
    print("load average (1, 5, 15 min):", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    rows, splits = [], []
    windowing = os.environ.get("SGDCOURSE_WINDOWING", "contentVisibility")
    print("JupyterLab windowing mode:", windowing)
    with tempfile.TemporaryDirectory() as tmp, serve_lab(Path(tmp), windowing) as lab, chromium_page() as page:
        for path in LESSONS:
            stated = stated_explorers(path)
            if not stated:
                continue
            _run_all(lab, page, path)
            kernel = json.loads(page.evaluate(ASK_KERNEL, KERNEL_STATE))
            seen = set()
            for k, (cls, _, readout) in enumerate(stated):
                if (cls, readout) in seen:  # a second view of the same explorer
                    continue
                seen.add((cls, readout))
                state = next(e for e in kernel if e["cls"] == cls and e["text"] == readout)
                label, _, room = next(c for c in state["controls"] if max(c[2]) > 0)  # its first slider
                page.evaluate(INSTRUMENT, [VISIBLE, k, label])
                page.evaluate(LISTEN)
                cpu0 = cpu_seconds()
                ms, stamps = step_times(page, room)
                cpu1 = cpu_seconds()
                ms, split = np.array(ms), phases(page, stamps)
                cpu = {kind: (cpu1[kind] - cpu0[kind]) * 1000 / len(ms) for kind in cpu1}
                right = room[1] >= room[0]
                drags = [release_time(page, right if i % 2 == 0 else not right) for i in range(DRAGS)]
                release = np.array([d[0] for d in drags])
                value, text = drags[-1][1]
                rows.append((f"{cls} ({Path(path).stem[:2]}, {label})", ms, release, value, text))
                splits.append((rows[-1][0], split, cpu))
                print(
                    f"  {rows[-1][0]}: median {np.median(ms):.0f} ms, release {np.median(release):.0f} ms", flush=True
                )
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    print(
        f"\n{'explorer (lesson, slider)':44} {'steps':>5} {'median ms':>9} {'p90 ms':>7} {'max ms':>7} "
        f"{'release ms':>10} {'(max)':>7}  verdict"
    )
    ok = True
    for name, ms, release, value, text in rows:
        med, p90 = np.median(ms), np.percentile(ms, 90)
        good = med <= GOALS["median"] and p90 <= GOALS["p90"] and np.median(release) <= GOALS["release"]
        ok &= good
        print(
            f"{name:44} {len(ms):5d} {med:9.1f} {p90:7.1f} {ms.max():7.1f} "
            f"{np.median(release):10.1f} {release.max():7.1f}  "
            f"{'ok' if good else 'SLOW'}  (after the drag: slider {value}, readout {text[:40]!r})"
        )
    print(
        f"\ngoals: median <= {GOALS['median']:g} ms, p90 <= {GOALS['p90']:g} ms, release <= {GOALS['release']:g} ms:",
        "met" if ok else "NOT met",
    )
    print(
        f"\n{'a step, split (median ms)':44} {'steps':>5} "
        + " ".join(f"{p:>9}" for p in PHASES)
        + "   CPU ms per step: kernel, server, chromium, measuring"
    )
    for name, split, cpu in splits:
        cells = " ".join(f"{np.median(split[:, j]) if len(split) else float('nan'):9.1f}" for j in range(len(PHASES)))
        print(f"{name:44} {len(split):5d} {cells}   " + ", ".join(f"{cpu[k]:.0f}" for k in cpu))
    print("load average (1, 5, 15 min):", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(
        json.dumps(
            {
                name: dict(
                    median=float(np.median(ms)),
                    p90=float(np.percentile(ms, 90)),
                    release=float(np.median(release)),
                    release_max=float(release.max()),
                )
                for name, ms, release, _, _ in rows
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
