"""Fixtures shared by the test modules under tests/ (helpers shared as plain functions and data
are in tests/helpers.py; the set-up of the whole run, for notebooks too, in ../conftest.py).

    explorer    every explorer of helpers.BUILDERS in turn (one per parameter, module scope),
                built with warnings as errors: the contract and readability tests run on each
"""

import functools
import socket
import threading
import warnings
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from helpers import BUILDERS, CHROMIUM, CHROMIUM_FLAGS


@pytest.fixture(params=sorted(BUILDERS), scope="module")
def explorer(request):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return BUILDERS[request.param](np.random.default_rng(0))


# -- shared by the site's browser tests (tests/test_site_*.py) and the offline static views --
@pytest.fixture(scope="module")
def server(request):
    """The built site, served from localhost on a free port: the SITE folder of the test's module."""
    site = request.module.SITE
    if not (site / "index.html").is_file():
        pytest.fail("no site: run make site first (make sitetest does)")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (the system's) driven by playwright; a missing one fails the test."""
    if not CHROMIUM:
        pytest.fail("no chromium on PATH (sudo apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(self, address, *args, **kwargs):
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
