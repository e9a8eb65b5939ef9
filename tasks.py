"""Tasks, following the conventions of the tasks.py pelican-quickstart writes.

    invoke build | rebuild | serve | livereload | publish | clean
    invoke validate | generate-demo | bench | bulletins
"""
import os
import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

CONFIG = {
    "settings_base": "pelicanconf.py",
    "settings_publish": "publishconf.py",
    "deploy_path": "output",
    "host": "127.0.0.1",
    "port": 8000,
}


def _build(settings, output=CONFIG["deploy_path"], data=None, force=False):
    from pelican.plugins.cabildo.pelican.build import build as run_build
    from pelican.plugins.cabildo.pelican.build import build_if_changed
    overrides = {"CABILDO_DATA_DIR": str(Path(data).resolve())} if data else None
    code = (run_build if force else build_if_changed)(settings, output, overrides)
    if code:
        sys.exit(code)


@task
def validate(c, data=None):
    """Check data/ as the build would (same settings, same checks); print every problem
    as file:line:col."""
    from pelican.plugins.cabildo.pelican.build import validate as run_validate
    overrides = {"CABILDO_DATA_DIR": str(Path(data).resolve())} if data else None
    code = run_validate(CONFIG["settings_base"], overrides)
    if code:
        sys.exit(code)


@task
def build(c, data=None, output=CONFIG["deploy_path"], force=False):
    """Build the site into output/ (atomically: a failed build leaves output/ as it was).

    Skipped when nothing it reads changed since output/ was built; --force builds anyway."""
    _build(CONFIG["settings_base"], output, data, force)


@task
def clean(c):
    """Remove the generated files (the output link and its finished builds)."""
    from pelican.plugins.cabildo.pelican.publish import remove
    remove(Path(CONFIG["deploy_path"]))


@task
def rebuild(c):
    """Clean, then build."""
    clean(c)
    build(c)


@task
def serve(c):
    """Serve output/ on http://127.0.0.1:8000."""
    from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer

    server = RootedHTTPServer(CONFIG["deploy_path"], (CONFIG["host"], CONFIG["port"]),
                              ComplexHTTPRequestHandler)
    print(f"Serving on http://{CONFIG['host']}:{CONFIG['port']}/ (Ctrl-C to stop)")
    server.serve_forever()


@task
def livereload(c):
    """Build, serve, and rebuild when content/, data/, plugins/, theme/ or settings change."""
    from livereload import Server

    build(c)
    server = Server()
    rebuild_site = lambda: _build(CONFIG["settings_base"])  # noqa: E731
    # Folders are watched recursively (Pelican's own autoreload ignores data/ and plugins/).
    for path in ("content", "data", "plugins", "theme", "pelicanconf.py"):
        server.watch(path, rebuild_site)
    server.serve(host=CONFIG["host"], port=CONFIG["port"], root=CONFIG["deploy_path"])


@task
def publish(c):
    """Build with publishconf.py (the public address)."""
    _build(CONFIG["settings_publish"], force=True)  # its address comes from the environment


@task(name="generate-demo")
def generate_demo(c, scale="demo", out="data", seed=2026):
    """Write the synthetic Torres dataset (--scale demo|full) into --out."""
    from tools.demo import generate
    generate(Path(out), scale, int(seed))
    print(f"wrote the {scale} dataset into {out}")


@task
def bench(c, out="bench"):
    """Build the full-scale dataset cold and again unchanged; print the figures."""
    c.run(f"{sys.executable} {ROOT / 'tests' / 'bench.py'} --out {out}", pty=False)


@task(help={"year": "a cycle (default: every cycle)", "lang": "es, en... (default: all)",
            "output": "folder the bulletins are written under (default: output)",
            "data": "a data folder other than the settings' CABILDO_DATA_DIR",
            "siteurl": "the site's public address, for the QR codes (default: SITEURL)"})
def bulletins(c, year=None, lang=None, output=CONFIG["deploy_path"], data=None, siteurl=""):
    """Print the PDF bulletins (per parish and cycle, and per cycle) under output/."""
    import time

    from pelican.plugins.cabildo.outputs.bulletins import build as print_bulletins
    from pelican.plugins.cabildo.pelican.build import load_settings
    overrides = {"CABILDO_DATA_DIR": str(Path(data).resolve())} if data else None
    settings, cabildo = load_settings(CONFIG["settings_base"], overrides)
    start = time.perf_counter()
    sizes = print_bulletins(
        cabildo.data_dir, Path(output),
        years=[int(year)] if year else None, languages=[lang] if lang else None,
        public_url=siteurl or os.environ.get("CABILDO_SITEURL") or settings.get("SITEURL", ""),
        settings=cabildo)
    print(f"printed {len(sizes)} bulletins under {output}/ in {time.perf_counter() - start:.1f} s "
          f"(largest {max(sizes.values(), default=0) / 1000:.0f} KB)")
