"""Benchmark: the bytes a reader's browser fetches on a first visit to each page of the built site.

Run with `.venv/bin/python tests/benchmarks/bench_site_weight.py [SITE]` (SITE defaults to
build/site, which `make site` builds). Not part of `make test`. The site is served from
localhost by Python's http.server (no compression, as the README's `python3 -m http.server`
serves it), and headless Chromium opens each page in a fresh context (empty cache) at 1366x900,
waits for the network to go quiet and for MathJax to finish, and sums, over every response, the
bytes the network layer received (CDP Network.loadingFinished encodedDataLength), split by
resource type. Requests that leave localhost are aborted and counted (there should be none), and
so are failed ones (a 404 counts: a missing favicon shows up there).

    page            requests  KB  script  CSS  images  fonts  HTML  other  failed  load s
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
PAGES = [
    "index.html",
    "notebooks/01_gradient_descent.html",
    "notebooks/02_sgd_by_hand.html",
    "notebooks/05_cost_and_scale.html",
    "notebooks/06_learning_rate.html",
    "notebooks/08_network.html",
    "exercises/03_minibatch_logistic.html",
    "search.html?q=learning+rate",
]
KINDS = {"Script": "script", "Stylesheet": "CSS", "Image": "images", "Font": "fonts", "Document": "HTML"}


def serve(site):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def weigh_page(browser, url):
    """{kind: bytes}, requests, failed requests and load seconds of one first visit."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    kinds, sizes, failed = {}, {}, []
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on("Network.loadingFailed", lambda e: failed.append(e["requestId"]))
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))

    def route(r):
        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            failed.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    t0 = time.perf_counter()
    page.goto(url, wait_until="load")
    load_s = time.perf_counter() - t0
    page.wait_for_load_state("networkidle")
    if page.evaluate("document.querySelectorAll('.math').length"):
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("MathJax.startup.promise")
        page.wait_for_load_state("networkidle")
    time.sleep(0.3)
    by_kind = {}
    for rid, n in sizes.items():
        kind = KINDS.get(kinds.get(rid, "Other"), "other")
        by_kind[kind] = by_kind.get(kind, 0) + n
    context.close()
    return by_kind, len(sizes), failed, load_s


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    site = Path(argv[0]) if argv else ROOT / "build" / "site"
    if not (site / "index.html").is_file():
        sys.exit(f"no site at {site}: run make site first")
    if not CHROMIUM:
        sys.exit("no chromium on PATH (sudo apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    httpd, base = serve(site)
    cols = ["script", "CSS", "images", "fonts", "HTML", "other"]
    print("| page | requests | KB | " + " | ".join(cols) + " | failed | load s |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in cols) + " | ---: | ---: |")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            for rel in PAGES:
                by_kind, n, failed, load_s = weigh_page(browser, base + rel)
                total = sum(by_kind.values())
                print(
                    f"| {rel} | {n} | {total / 1e3:.0f} | "
                    + " | ".join(f"{by_kind.get(c, 0) / 1e3:.0f}" for c in cols)
                    + f" | {len(failed)} | {load_s:.2f} |"
                )
            browser.close()
    finally:
        httpd.shutdown()


if __name__ == "__main__":
    main()
