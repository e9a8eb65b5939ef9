"""Page weight benchmark: bytes each page type costs a resident, measured in Chromium.

    .venv/bin/python tests/weigh.py [--output DIR]

Builds the demo site with tiles off (tiles are excluded from the budget), serves
it on localhost, loads one page of each type in Chromium and adds up the bytes
of every response (uncompressed, as the simple server sends them: an upper
bound of what a compressing host sends). Exits non-zero over a budget.
"""
import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

BUDGETS_KB = {"home": 150, "project": 100, "parish_cycle": 300, "cycle": 400}


def pages(data):
    year = data.current_year
    project = next(p for p in data.projects.values() if p.year == year and p.funded)
    parish = max(data.parishes, key=lambda pid: sum(
        1 for p in data.projects.values() if p.year == year and p.parish_id == pid and p.funded))
    return {"home": "/", "project": f"/proyectos/{project.id}/",
            "parish_cycle": f"/parroquias/{parish}/{year}/", "cycle": f"/ciclos/{year}/"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    from cabildo.model.load import load_dataset
    from cabildo.pelican.build import build

    from browser import ARGS, CHROMIUM

    out = Path(args.output or tempfile.mkdtemp()) / "output"
    if build(str(ROOT / "pelicanconf.py"), str(out), {"CABILDO_MAP_TILES": "none"}, quiet=True):
        sys.exit("build failed")
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    over = []
    print(f"{'page':<14}{'requests':>9}{'KB':>9}{'budget':>9}  path")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for kind, path in pages(load_dataset(ROOT / "data")).items():
            page = browser.new_page()
            sizes = []
            page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            kb = sum(sizes) / 1024
            print(f"{kind:<14}{len(sizes):>9}{kb:>9.1f}{BUDGETS_KB[kind]:>9}  {path}")
            if kb > BUDGETS_KB[kind]:
                over.append(kind)
            page.close()
        browser.close()
    server.shutdown()
    if over:
        sys.exit(f"over budget: {', '.join(over)}")


if __name__ == "__main__":
    main()
