"""`cabildo serve`: the site on localhost, rebuilt when a file it is built from changes,
and every open page reloaded as soon as the new build is published.

- Watching is a stat of every file under data/, content/, theme/, templates/ and the
  settings file every 0.05 s (a few hundred files: a millisecond or two; less often
  where that takes longer, to stay within a tenth of a core), so a save is seen at once,
  with no file-system notification library.
- The build is the real one (build.py: same checks, same incremental pages, published
  atomically), run in the main thread: page and bulletin workers are forked from it.
- The search index is refreshed after the pages are published, in the background:
  Pagefind re-indexes the whole site, seconds at full scale, and nobody editing a
  record waits for it. Until it is done, /pagefind/ is served from the newest build
  that has one.
- So are the bulletins an edit changed (a second each): the build publishes them as
  they were last printed, a forked process prints them, and when one came out
  different the site is built again (finding them in the cache) and pages reload.
- Pages learn of a new build through Server-Sent Events: each HTML page served here
  (never the files in output/) gets a small script that says at once which saved file
  is being rebuilt, then reloads the page, or, when the build failed, shows the
  problems in a banner. The site stays as it was built last.
- The page being edited comes first: each page's events say which page it is, and
  the build renders the open pages before it checks the thousands of others
  (pagerender.render_first). They are served from memory and reloaded at once; when
  the build is published with the same page, it is not reloaded again.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import publish

EVENTS = "/_cabildo/events"
POLL_SECONDS = 0.05
SETTLE_SECONDS = 0.02  # an editor's save in several writes is over within it
# Shown only by this server, before </body>: reload on a new build, banner on problems.
SCRIPT = ("<script>(()=>{const s=window.cabildoEvents=new EventSource('" + EVENTS + "?page='"
          "+encodeURIComponent(location.pathname));s.onmessage=e=>{"
          "const m=JSON.parse(e.data);if(m.reload){location.reload();return}"
          "let n=document.getElementById('cabildo-building');"
          "if(m.building){if(!n){n=document.createElement('p');n.id='cabildo-building';"
          "n.setAttribute('role','status');n.style.cssText='position:fixed;right:0;bottom:0;"
          "margin:0;padding:.5em 1em;background:#000;color:#fff;z-index:99999;"
          "font:14px/1.4 monospace';document.body.append(n)}"
          "n.textContent=m.building;return}if(n)n.remove();"
          "let b=document.getElementById('cabildo-problems');"
          "if(!m.problems){if(b)b.remove();return}"
          "if(!b){b=document.createElement('pre');b.id='cabildo-problems';b.setAttribute('role','alert');"
          "b.style.cssText='position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;"
          "margin:0;padding:1em;background:#fff;color:#000;border-top:4px solid #b00020;"
          "z-index:99999;white-space:pre-wrap;font:14px/1.4 monospace';document.body.append(b)}"
          "b.textContent=m.problems}})()</script>").encode()


class BuildNews:
    """What the pages are told: that a build started (and after which change), that
    their page was rendered first, then a build number to reload on, or the last
    problems. Also which pages are open, for the build to render them first."""

    def __init__(self):
        self.changed = threading.Condition()
        self.version = 0
        self.problems = ""
        self.building = ""
        self.build = 0  # builds started
        self.previews: dict[str, bytes] = {}  # output file: rendered first, not yet published
        self.previewed: dict[str, bytes] = {}  # the same, of the build that ended last
        self._open: dict[str, int] = {}  # output file: how many browsers show it

    def start(self, what: str) -> None:
        """A save was seen: at full scale the build takes seconds, and staff should
        know at once that their change is on its way."""
        with self.changed:
            self.version += 1
            self.build += 1
            self.building = what
            self.previews, self.previewed = {}, {}
            self.changed.notify_all()

    def show(self, pages: dict[str, bytes]) -> None:
        """The build rendered the open pages first (pagerender.render_first): they are
        served from here, and reloaded, until the build is published."""
        with self.changed:
            if self.building:  # (each part of the site renders its own: budget, factory)
                self.version += 1
                self.previews = {**self.previews, **pages}
                self.changed.notify_all()

    def publish(self, problems: str = "") -> None:
        with self.changed:
            self.version += 1
            self.problems, self.building = problems, ""
            self.previewed, self.previews = self.previews, {}
            self.changed.notify_all()

    def open_pages(self) -> set[str]:
        with self.changed:
            return set(self._open)

    def watch(self, page: str, watching: bool) -> None:
        with self.changed:
            count = self._open.get(page, 0) + (1 if watching else -1)
            if count > 0:
                self._open[page] = count
            else:
                self._open.pop(page, None)

    def message(self) -> dict | None:
        """What a page is sent now (called holding `changed`)."""
        if self.building:
            return {"building": self.building}
        return {"problems": self.problems} if self.problems else None


class Handler(SimpleHTTPRequestHandler):
    """Files of the published build (resolved per request: builds change under us)."""

    def __init__(self, *args, output: Path, news: BuildNews, **kwargs):
        self.output, self.news = output, news
        super().__init__(*args, directory=str(output.resolve()), **kwargs)

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass  # one line per request would bury the build's own messages

    def do_GET(self):
        if self.path.split("?")[0] == EVENTS:
            return self._events()
        with self.news.changed:
            first = self.news.previews.get(target_of(self.path))
        if first is not None:  # the build under way rendered this page first
            return self._send_html(first)
        if self.path.startswith("/pagefind/") and not Path(self.translate_path(self.path)).exists():
            older = _search_folder(self.output)
            if older is not None:
                self.directory = str(older)
        path = Path(self.translate_path(self.path))
        if path.is_dir() and (path / "index.html").is_file() and self.path.endswith("/"):
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self._html(path)
        return super().do_GET()

    def _html(self, path: Path) -> None:
        self._send_html(path.read_bytes())

    def _send_html(self, body: bytes) -> None:
        end = body.rfind(b"</body>")
        body = body[:end] + SCRIPT + body[end:] if end >= 0 else body + SCRIPT
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        news = self.news
        query = parse_qs(urlsplit(self.path).query).get("page")
        page = target_of(query[0]) if query else None  # the page this browser shows
        if page:
            news.watch(page, True)
        with news.changed:
            seen, message = news.version, news.message()
            # the build whose page rendered first this browser shows, if any
            fresh = news.build if page in news.previews else None
            showing = news.previews.get(page) if page else None
        showing = showing or (self._published(page) if page else None)  # what it was served
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if message:  # a page opened during a build, or after a failed one, says so too
                self._send(_shown_first(message) if fresh is not None else message)
            while True:
                with news.changed:
                    news.changed.wait_for(lambda: news.version != seen, timeout=15)
                    version, message, build = news.version, news.message(), news.build
                    first = news.previews.get(page) if news.building else news.previewed.get(page)
                if version == seen:
                    self.wfile.write(b": still here\n\n")  # keeps proxies from closing it
                    self.wfile.flush()
                    continue
                seen = version
                if first is not None and fresh != build:  # rendered first: reload now
                    fresh = build
                    if first != showing:  # (a build for the bulletins: the same page)
                        self._send({"reload": True})
                        continue
                if message and message.get("building"):
                    self._send(_shown_first(message) if fresh == build else message)
                elif fresh == build and not message and first == self._published(page):
                    self._send({})  # it shows the published page already: no reload
                elif fresh == build:  # it shows what was not published: the site as it is
                    self._send({"reload": True})
                else:
                    self._send(message or {"reload": True})
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            if page:
                news.watch(page, False)

    def _published(self, page: str) -> bytes | None:
        return published_page(self.output, page)

    def _send(self, message: dict) -> None:
        self.wfile.write(f"data: {json.dumps(message)}\n\n".encode())
        self.wfile.flush()


def published_page(output: Path, page: str) -> bytes | None:
    """The published build's file for `page` (an output file named by a page's events),
    or None: never a file outside the build, whatever a request names."""
    try:
        root = output.resolve()
        file = (root / page).resolve()
        return file.read_bytes() if file.is_relative_to(root) and file.is_file() else None
    except (OSError, ValueError):
        return None


def _shown_first(message: dict) -> dict:
    """What a page rendered first says while the rest of the site is built."""
    return {"building": message["building"] + " This page already shows the change; the rest "
            "of the site follows."}


def target_of(url: str) -> str:
    """The output file a URL path shows ("/proyectos/x/" -> "proyectos/x/index.html")."""
    path = unquote(urlsplit(url).path).lstrip("/")
    return path + "index.html" if not path or path.endswith("/") else path


def _search_folder(output: Path) -> Path | None:
    """The newest finished build with a search index (the published one has none until
    the background indexing is done)."""
    builds = publish.builds_dir(output)
    found = sorted(b for b in builds.glob("build-*") if (b / "pagefind").is_dir())
    return found[-1] if found else None


def snapshot(paths: list[Path]) -> dict[str, tuple[int, int]]:
    """(modification time, size) of every file under the watched paths."""
    seen = {}
    for path in paths:
        if path.is_file():
            stat = path.stat()
            seen[str(path)] = (stat.st_mtime_ns, stat.st_size)
            continue
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")
                             and d != "__pycache__"]
            for name in files:
                file = os.path.join(folder, name)
                with contextlib.suppress(OSError):  # removed while we looked
                    stat = os.stat(file)
                    seen[file] = (stat.st_mtime_ns, stat.st_size)
    return seen


class Indexer:
    """Pagefind over the published build, one run at a time, the newest build last. A
    new save stops a run under way: its index would be stale, and on two cores it would
    slow the build the save starts by half."""

    def __init__(self, output: Path):
        self.output = output
        self.wanted = threading.Event()
        self.process: subprocess.Popen | None = None
        threading.Thread(target=self._run, daemon=True, name="search-index").start()

    def _run(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            build = publish.Publisher(self.output).published()
            if build is not None:
                self._index(build)

    def _index(self, build: Path) -> None:
        """Index `build` into a new folder, then put it in place (a page searching
        meanwhile reads the older index)."""
        fresh = build / f"pagefind.next-{os.getpid()}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pagefind", "--site", str(build), "--output-path",
             str(fresh), "--silent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        code = self.process.wait()
        if code or not fresh.is_dir():  # stopped, or the build was swept away meanwhile
            subprocess.run(["rm", "-rf", "--", str(fresh)], check=False)
            return
        with contextlib.suppress(OSError):
            old = build / "pagefind"
            aside = build / f"pagefind.old-{os.getpid()}"
            if old.exists():
                old.rename(aside)
            fresh.rename(old)
            subprocess.run(["rm", "-rf", "--", str(aside)], check=False)

    def request(self) -> None:
        self.wanted.set()

    def stop(self) -> None:
        """Stop a run under way (a new build is about to start)."""
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()


class _Session:
    """The builds of one `cabildo serve`, and what follows each once its pages are
    published: the bulletins it let stand in are printed (then the site is built again
    when one came out different), and the search index is refreshed."""

    def __init__(self, settings: str, output: Path, overrides: dict, news: BuildNews):
        from .bulletin_generator import LATER as PRINT_LATER
        self.settings, self.output, self.news = settings, output, news
        self.indexer = Indexer(output) if overrides.get("CABILDO_SEARCH", True) is not False \
            else None
        # indexed, and changed bulletins printed, after the pages reload
        self.overrides = {**overrides, "CABILDO_SEARCH": False, PRINT_LATER: True}
        self.printing = None  # the process printing the bulletins, if any
        self.printing_since = 0.0

    def build(self, quiet: bool) -> str:
        """Build; "" when published, else what went wrong (also on stderr)."""
        from .build import build_if_changed
        captured = io.StringIO()
        with contextlib.redirect_stderr(_Tee(captured, sys.stderr)):
            code = build_if_changed(self.settings, str(self.output), self.overrides,
                                    quiet=quiet)
        if code == 130:  # Ctrl-C during the build (build.py left output/ as it was)
            raise KeyboardInterrupt
        return "" if code == 0 else captured.getvalue().strip() or f"the build failed ({code})"

    def after(self, problems: str) -> None:
        """Once a build is over: print the bulletins it let stand in, else index."""
        from ..outputs.bulletins import LATER
        self.printing, self.printing_since = _print_later(LATER, problems), time.perf_counter()
        if not problems and self.printing is None and self.indexer is not None:
            self.indexer.request()  # (else once the bulletins are printed: see printed())

    def printed(self) -> str | None:
        """When the bulletins' printing has ended: what the site is built again for, or
        None (nothing printing, still printing, or the same bulletins as before)."""
        from ..outputs.bulletins import Later
        if self.printing is None or self.printing.is_alive():
            return None
        code, self.printing = self.printing.exitcode, None
        changed = code == Later.CHANGED
        if code and not changed:
            print(f"the bulletins could not be printed (exit status {code}): the "
                  "site links them as they were printed last", file=sys.stderr)
        else:
            print(f"bulletins printed in {time.perf_counter() - self.printing_since:.1f} s"
                  + (": building the site again with them" if changed else
                     ", the same as before"), flush=True)
        if changed:
            return "Rebuilding: the bulletins were printed, their links change…"
        if self.indexer is not None:
            self.indexer.request()
        return None

    def rebuild(self, what: str) -> None:
        """Build again, saying why to the pages and in the terminal."""
        self.news.start(what)
        print(what, flush=True)  # in the terminal too (and the bench waits on it)
        if self.indexer is not None:
            self.indexer.stop()
        self.stop()  # what it prints may be stale already
        started = time.perf_counter()
        problems = self.build(quiet=True)
        self.news.publish(problems)
        if not problems:
            print(f"rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
        else:
            print("rebuild failed: the site stays as it was", flush=True)
        self.after(problems)

    def stop(self) -> None:
        _stop(self.printing)


def serve(settings: str, output: str, overrides: dict, host: str, port: int,
          watched: list[Path]) -> int:
    out = Path(output)
    news = BuildNews()
    try:  # the address first: a busy port is said at once, not after a first build
        server = ThreadingHTTPServer((host, port), partial(Handler, output=out, news=news))
    except OSError as exc:
        print(f"cabildo serve: cannot listen on {host}:{port}: {exc.strerror or exc} "
              "(another server there? choose one with --port)", file=sys.stderr)
        return 2
    server.daemon_threads = True
    session = _Session(settings, out, overrides, news)
    try:
        problems = session.build(quiet=False)
    except KeyboardInterrupt:
        server.server_close()
        return 130
    if problems and not out.exists():
        server.server_close()
        return 1
    if problems:
        news.publish(problems)
    session.after(problems)
    if problems and session.indexer is not None:
        session.indexer.request()  # the site served is the last one built: its index
    threading.Thread(target=server.serve_forever, daemon=True, name="http").start()
    print(f"Serving {output}/ on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    before = snapshot(watched)
    from .pagerender import render_first
    render_first(news)  # each build renders first the pages open in a browser
    look = 0.0  # how long a look at the files took
    try:
        while True:
            time.sleep(max(POLL_SECONDS, 10 * look))
            look = time.perf_counter()
            now = snapshot(watched)
            look = time.perf_counter() - look
            if now == before:
                what = session.printed()
                if what is None:
                    continue
            else:
                now = _settled(watched, now)
                what = _building(before, now, watched)
                before = now
            session.rebuild(what)
    except KeyboardInterrupt:
        pass
    finally:
        render_first(None)
        session.stop()
        server.shutdown()
    return 0


def _settled(watched: list[Path], now: dict) -> dict:
    """The files once they stop changing: an editor may write a file in several steps."""
    while True:
        time.sleep(SETTLE_SECONDS)
        settled = snapshot(watched)
        if settled == now:
            return settled
        now = settled


def log_is_idle(log: str) -> bool:
    """Whether what `cabildo serve` printed shows no build under way and no bulletins
    printing: it says when each starts and ends (the bench and the tests wait on this)."""
    return (log.count("Rebuilding") == log.count("rebuilt in") + log.count("rebuild failed")
            and log.count("bulletins to print")
            == log.count("bulletins printed") + log.count("bulletins could not be printed"))


def _print_later(later: list, problems: str):
    """The process printing the bulletins the last build let stand in, if any."""
    pending = later[:]
    later.clear()
    if not pending or problems:
        return None
    print(f"{len(pending[0])} bulletins to print", flush=True)
    return pending[0].start()


def _stop(process) -> None:
    if process is not None and process.is_alive():
        process.terminate()
        process.join()


def _building(before: dict, now: dict, watched: list[Path]) -> str:
    """'Rebuilding: data/projects/2026.yaml changed' (the first file, and how many more)."""
    changed = sorted(f for f in before.keys() | now.keys() if before.get(f) != now.get(f))
    if not changed:
        return "Rebuilding…"
    first = Path(changed[0])
    name = next((f"{w.name}/{first.relative_to(w).as_posix()}" for w in watched
                 if w.is_dir() and first.is_relative_to(w)), first.name)
    more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
    # printed in the terminal too: a file name's control characters (an escape
    # sequence) must not act on it
    name = "".join(c if c.isprintable() else "?" for c in name)
    return f"Rebuilding: {name}{more} changed…"


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()
