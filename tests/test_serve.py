"""`cabildo serve` as staff use it: a page open in the browser reloads by itself after a
YAML file is saved, a mistake shows in the page (file, line, field) while the site stays
as it was, and fixing it reloads the page again. The script that does this is added by
the server only, never written into output/."""
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from cabildo.pelican.devserver import log_is_idle

from browser import need_chromium
from conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _serving(root, *settings: str):
    """`cabildo serve` of a copy of the demo data in `root`, until the block ends."""
    data = root / "data"
    shutil.copytree(ROOT / "data", data)
    port = _free_port()
    log = open(root / "serve.log", "w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "cabildo", "serve", "--data", str(data),
         "--output", str(root / "output"), "--port", str(port),
         "--set", "CABILDO_MAP_TILES=\"none\"", *settings],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while "Serving" not in (root / "serve.log").read_text():
            assert server.poll() is None, (root / "serve.log").read_text()
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        yield {"url": f"http://127.0.0.1:{port}", "data": data, "output": root / "output",
               "log": root / "serve.log"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    need_chromium()
    root = tmp_path_factory.mktemp("serve")
    with _serving(root, "--set", f"CABILDO_CACHE_DIR={root / 'cache'}",
                  "--set", "CABILDO_BULLETINS=false") as server:
        yield server


def _project_file(data):
    """The newest cycle's projects file and the first project's id and title in it."""
    file = sorted((data / "projects").glob("*.yaml"))[-1]
    text = file.read_text("utf-8")
    found = re.search(r"\n- id: (\S+)\n(?:  .*\n)*?  title: (.+)\n", text)
    return file, text, found[1], found[2]


def test_saving_a_record_reloads_the_open_page_and_a_mistake_shows_in_it(browser, served):
    file, text, project_id, title = _project_file(served["data"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{served['url']}/proyectos/{project_id}/", wait_until="load")
        assert page.locator("h1").inner_text() == title
        # The browser's EventSource is open before the file changes.
        page.wait_for_function("() => window.cabildoEvents.readyState === EventSource.OPEN")

        renamed = text.replace(f"  title: {title}\n", f"  title: {title} (ampliación)\n", 1)
        file.write_text(renamed, "utf-8")
        page.wait_for_function("t => document.querySelector('h1').innerText === t",
                               arg=f"{title} (ampliación)", timeout=60000)

        # A mistake: the page says where, and the published site stays as it was.
        broken = renamed.replace("  amount: ", "  amount: mucho ", 1)
        file.write_text(broken, "utf-8")
        banner = page.locator("#cabildo-problems")
        banner.wait_for(timeout=60000)
        message = banner.inner_text()
        assert f"data/projects/{file.name}:" in message and "amount" in message, message
        assert page.locator("h1").inner_text() == f"{title} (ampliación)"

        file.write_text(renamed.replace(" (ampliación)", " (fase 2)", 1), "utf-8")
        page.wait_for_function("t => document.querySelector('h1').innerText === t",
                               arg=f"{title} (fase 2)", timeout=60000)
        assert page.locator("#cabildo-problems").count() == 0
        _idle(served)  # the page shows first: the build is published after
        written = (served["output"] / "proyectos" / project_id / "index.html").read_text("utf-8")
        assert "_cabildo/events" not in written and "fase 2" in written
    finally:
        context.close()
        file.write_text(text, "utf-8")


def test_a_busy_port_is_said_at_once_without_building(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "cabildo", "serve", "--port", str(port),
             "--output", str(tmp_path / "output")],
            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists()  # nothing was built


def _idle(server: dict, quiet: float = 1.0, limit: float = 120) -> None:
    """Wait until every rebuild the server started has ended (its log says so): a test
    that saves while an earlier save's build runs would take that build's reload for
    its own (the pages are told which build is under way when they connect)."""
    deadline = time.monotonic() + limit
    while True:
        time.sleep(quiet)
        log = server["log"].read_text()
        if log_is_idle(log):
            return
        assert time.monotonic() < deadline, log[-2000:]


class _Events:
    """The server's messages to an open page, one JSON object at a time ({} for the
    comment it sends every 15 s to keep the connection open); `page`: the page the
    browser shows, as the server's script says it. Connected when made."""

    def __init__(self, url: str, page: str = ""):
        import http.client
        from urllib.parse import quote, urlsplit
        where = urlsplit(url)
        self.connection = http.client.HTTPConnection(where.hostname, where.port, timeout=120)
        self.connection.request("GET", "/_cabildo/events"
                                + (f"?page={quote(page)}" if page else ""))
        self.response = self.connection.getresponse()
        assert self.response.status == 200

    def __iter__(self):
        return self

    def __next__(self) -> dict:
        import json
        while True:
            line = self.response.readline().decode()
            if not line:
                raise StopIteration
            if line.startswith("data: "):
                return json.loads(line[len("data: "):])
            if line.startswith(":"):
                return {}

    def close(self) -> None:
        self.connection.close()


def test_open_pages_are_told_at_once_which_saved_file_is_being_rebuilt(served):
    """At full scale a rebuild takes seconds: the page says at once that the save was
    seen, and which file, before it reloads with the change."""
    import urllib.request
    _idle(served)  # the rebuild after the test above restored this file is over
    file, text, project_id, title = _project_file(served["data"])
    events = _Events(served["url"])
    try:
        file.write_text(text.replace(f"  title: {title}\n", f"  title: {title} (etapa 3)\n", 1),
                        "utf-8")
        said: list[dict] = []
        deadline = time.monotonic() + 120
        for message in events:
            assert time.monotonic() < deadline, said
            said.append(message)
            if message.get("reload") and any(f"data/projects/{file.name} changed" in m.get(
                    "building", "") for m in said):
                break
        building = next(i for i, m in enumerate(said)
                        if m.get("building") == f"Rebuilding: data/projects/{file.name} changed…")
        assert building < len(said) - 1 and said[-1] == {"reload": True}
        page = urllib.request.urlopen(f"{served['url']}/proyectos/{project_id}/").read()
        assert f"{title} (etapa 3)" in page.decode("utf-8")
    finally:
        events.close()
        file.write_text(text, "utf-8")


def test_the_open_page_reloads_with_the_edit_once_and_before_the_site_is_published(served):
    """The page being edited is rendered first: it reloads with the edit while the rest
    of the site is still being checked, and is not reloaded again when the build that
    publishes the same page ends."""
    import urllib.request
    _idle(served)
    file, text, project_id, title = _project_file(served["data"])
    page = f"/proyectos/{project_id}/"
    published = served["output"] / "proyectos" / project_id / "index.html"
    events = _Events(served["url"], page)
    try:
        file.write_text(text.replace(f"  title: {title}\n", f"  title: {title} (etapa 4)\n", 1),
                        "utf-8")
        said: list[dict] = []
        for message in events:
            said.append(message)
            if message.get("reload"):
                break
        # the site is still the one published before the save...
        assert f"{title} (etapa 4)" not in published.read_text("utf-8"), said
        # ...and the page, reloaded, shows the edit
        shown = urllib.request.urlopen(f"{served['url']}{page}").read().decode("utf-8")
        assert f"{title} (etapa 4)" in shown
        for message in events:  # until the build is published: no second reload
            said.append(message)
            assert not message.get("reload"), said
            if not message.get("building"):
                break
        assert f"{title} (etapa 4)" in published.read_text("utf-8")
    finally:
        events.close()
        file.write_text(text, "utf-8")


def test_a_changed_bulletin_is_printed_after_the_edited_page_reloads(tmp_path):
    """A bulletin takes a second to print: the edited page reloads first, linking the
    bulletin as it was printed last; the new printing follows, then pages reload again.
    (The project's cache folder: the demo's bulletins are printed there by other tests.
    The new title is new to it at every run: a bulletin printed by an earlier run would
    be found in the cache, not printed after.)"""
    import urllib.request
    import uuid

    from pypdf import PdfReader

    from cabildo.outputs.bulletins import bulletin_path
    with _serving(tmp_path) as served:
        file = sorted((served["data"] / "projects").glob("*.yaml"))[-1]
        text = file.read_text("utf-8")
        found = re.search(r"\n- id: (\S+)\n  cycle: (\d+)\n  title: (.+)\n(?:  .*\n)*?"
                          r"  parish: (\S+)\n(?:  .*\n)*?  funded: true", text)
        project_id, year, title, parish = found.groups()
        new = f"Ampliada {uuid.uuid4().hex[:8]}"
        pdf = served["output"] / bulletin_path(int(year), parish, "es", "es")
        before = pdf.read_bytes()
        events = _Events(served["url"])
        try:
            file.write_text(text.replace(f"  title: {title}\n", f"  title: {title} {new}\n",
                                         1), "utf-8")
            said: list[dict] = []
            deadline = time.monotonic() + 180
            for message in events:
                assert time.monotonic() < deadline, said
                said.append(message)
                if message.get("reload"):
                    break
            page = urllib.request.urlopen(f"{served['url']}/proyectos/{project_id}/").read()
            assert f"{title} {new}" in page.decode("utf-8")
            assert pdf.read_bytes() == before  # the last printing stands in, for now
            for message in events:
                assert time.monotonic() < deadline, said
                said.append(message)
                if message.get("reload"):
                    break
        finally:
            events.close()
        assert {"building": "Rebuilding: the bulletins were printed, their links change…"} in said
        printed = PdfReader(pdf).pages[0].extract_text()
        # (the title may wrap in the bulletin's table: compared without the line breaks)
        assert new.replace(" ", "") in "".join(printed.split()) and pdf.read_bytes() != before


def test_the_rebuild_message_names_a_file_without_its_control_characters(tmp_path):
    """The message goes to the page (as text) and to the terminal, where an escape
    sequence in a file's name would clear the screen or retitle the window."""
    from cabildo.pelican.devserver import _building
    data = tmp_path / "data"
    data.mkdir()
    name = str(data / "proyectos\x1b[2J\x07.yaml")
    said = _building({}, {name: (1, 1)}, [data])
    assert said == "Rebuilding: data/proyectos?[2J?.yaml changed…"


def test_a_page_named_by_its_events_is_read_only_inside_the_published_build(tmp_path):
    """A page's events name the page it shows: the server compares that page with the
    published one, and reads nothing outside the build whatever the request names."""
    from cabildo.pelican.devserver import published_page, target_of
    build = tmp_path / "output.builds" / "build-000001"
    (build / "proyectos" / "x").mkdir(parents=True)
    (build / "proyectos" / "x" / "index.html").write_text("<p>x</p>")
    (tmp_path / "secret.txt").write_text("secret")
    output = tmp_path / "output"
    output.symlink_to(build.relative_to(tmp_path))
    assert target_of("/proyectos/x/") == "proyectos/x/index.html"
    assert target_of("/") == "index.html" and target_of("/404.html") == "404.html"
    assert published_page(output, target_of("/proyectos/x/")) == b"<p>x</p>"
    for hostile in ("/../../secret.txt", "/%2e%2e/%2e%2e/secret.txt", str(tmp_path / "secret.txt"),
                    "/proyectos/", "/dev/zero", "/proyectos/x/index.html\x00"):
        assert published_page(output, target_of(hostile)) is None, hostile
