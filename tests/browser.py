"""Shared set-up of the browser tests: a built site served on localhost, and Chromium.

Debian's Chromium (/usr/bin/chromium) is driven by Playwright; `make test`
installs it when run as root. Without it the browser tests are skipped with a
loud reason, except in CI (CI=true), where they must run.
"""
import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need_chromium():
    if os.path.exists(CHROMIUM):
        return
    reason = ("BROWSER TESTS SKIPPED: Debian's chromium is not installed "
              "(run `make test` as root, or `apt-get install chromium`)")
    if os.environ.get("CI"):
        pytest.fail(reason.replace("SKIPPED", "CANNOT RUN IN CI"))
    pytest.skip(reason)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def serve():
    """serve(folder) -> base URL of a local server for that folder."""
    servers = []

    def start(folder):
        handler = functools.partial(_Quiet, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"
    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


# The demo site and its records, for the browser test modules: they import these two
# (`from browser import data, site`). The build itself is conftest's one session fixture.
@pytest.fixture(scope="module")
def site(tiles_off_site):
    """The one tiles-off build of the session (conftest), under a short name."""
    return tiles_off_site


@pytest.fixture(scope="module")
def data():
    from cabildo.model.load import load_dataset

    from conftest import ROOT
    return load_dataset(ROOT / "data")


class Visit:
    """A page opened in Chromium, with every request and dialog recorded."""

    def __init__(self, browser, url, javascript=True, width=1280, height=900):
        self.context = browser.new_context(java_script_enabled=javascript,
                                           viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.requests, self.dialogs, self.errors = [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")

    def close(self):
        self.context.close()
