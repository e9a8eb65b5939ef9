"""invoke tasks for the Torres demo: each one calls the `cabildo` command, which holds all
the logic (so `invoke validate` and `cabildo validate` cannot read settings differently).

    invoke build | rebuild | serve | livereload | publish | clean
    invoke validate | generate-demo | bench | bulletins
"""
import sys
from pathlib import Path

from invoke import task

OUTPUT = "output"


def cabildo(*args: str) -> None:
    from cabildo.pelican.cli import main
    code = main(list(args))
    if code:
        sys.exit(code)


@task
def validate(c, data=None):
    """Check data/ with the site's settings; print every problem as file:line:col."""
    cabildo("validate", *(["--data", data] if data else []))


@task
def build(c, data=None, output=OUTPUT, force=False):
    """Build into output/ atomically; skipped when nothing changed (--force builds anyway)."""
    cabildo("build", "--output", output, *(["--data", data] if data else []),
            *(["--force"] if force else []))


@task
def clean(c):
    """Remove the generated files: the output link and its finished builds."""
    from cabildo.pelican.publish import remove
    remove(Path(OUTPUT))


@task
def rebuild(c):
    """Clean, then build."""
    clean(c)
    build(c)


@task(aliases=["livereload"])
def serve(c, port=8000):
    """Build, serve on http://127.0.0.1:8000 and rebuild and reload on every edit."""
    cabildo("serve", "--port", str(port))


@task
def publish(c):
    """Build with publishconf.py (the public address comes from CABILDO_SITEURL)."""
    cabildo("build", "--settings", "publishconf.py", "--force")


@task(name="generate-demo")
def generate_demo(c, scale="demo", out="data", seed=2026):
    """Write the synthetic Torres dataset (--scale demo|full) into --out."""
    c.run(f"{sys.executable} -m tools.demo --scale {scale} --out {out} --seed {seed}")


@task
def bench(c, out="bench"):
    """Full-scale bench: cold, edits, unchanged, serve, bulletins, validate (cabildo bench)."""
    cabildo("bench", "--out", out)


@task(help={"year": "a cycle (default: every cycle)", "lang": "es, en... (default: all)",
            "siteurl": "the site's public address, for the QR codes"})
def bulletins(c, year=None, lang=None, output=OUTPUT, siteurl=""):
    """Print the PDF bulletins (per parish and cycle, and per cycle) under output/."""
    cabildo("bulletins", "--output", output, *(["--year", str(year)] if year else []),
            *(["--lang", lang] if lang else []), *(["--siteurl", siteurl] if siteurl else []))
