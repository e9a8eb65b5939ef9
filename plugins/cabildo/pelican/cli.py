"""`cabildo`, the one front door: every task a site needs, run the same way everywhere
(tasks.py and the Makefile only call it, so they cannot drift from it).

    cabildo init DIR --name NAME --country CC --language LL --currency CUR
    cabildo validate [--settings pelicanconf.py] [--data DIR] [--annotations github]
    cabildo build    [--settings pelicanconf.py] [--output output] [--force] [--set NAME=VALUE]
    cabildo serve    [--settings pelicanconf.py] [--port 8000]
    cabildo bulletins [--year YYYY] [--lang LL] [--output output] [--siteurl URL]
    cabildo bench    [--out bench]

Exit codes: 0 done, 1 problems in the data or a failed build, 2 a wrong setting or command.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


def run() -> None:
    """The `cabildo` command: main(), then the process ends without tearing the
    interpreter down object by object. A build leaves a full-scale dataset in memory,
    and freeing it took 0.6 s after every build, a third of an edit's. What must happen
    at exit still does: the exit functions (logging's flush, multiprocessing's wait for
    children), then the standard streams are flushed."""
    import atexit
    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say
            stream.flush()
    os._exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cabildo", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = sub.add_parser("init", help="start a new site in DIR, ready to build")
    init.add_argument("directory", type=Path)
    init.add_argument("--name", required=True, help="the municipality, e.g. Toulouse")
    init.add_argument("--country", required=True, help="ISO 3166 code, e.g. FR")
    init.add_argument("--language", required=True,
                      help="the site's language (ISO 639-1, e.g. fr); more with --also")
    init.add_argument("--also", default="", help="other languages, comma-separated, e.g. en")
    init.add_argument("--currency", required=True, help="ISO 4217 code, e.g. EUR")
    init.add_argument("--timezone", default="", help="e.g. Europe/Paris (default: the "
                      "country's first time zone)")
    init.add_argument("--force", action="store_true", help="write into a non-empty DIR")
    init.set_defaults(run=_init)

    validate = sub.add_parser("validate", help="check data/ with the site's settings; "
                              "print every problem as file:line:col")
    _site_options(validate)
    validate.add_argument("--annotations", choices=["github"], default=None,
                          help="also print problems as CI annotations on the files")
    validate.set_defaults(run=_validate)

    build = sub.add_parser("build", help="build the site into output/ (atomically)")
    _site_options(build)
    build.add_argument("--output", default="output")
    build.add_argument("--force", action="store_true",
                       help="build even when nothing changed since output/ was built")
    build.add_argument("--quiet", action="store_true")
    build.add_argument("--verbose", action="store_true",
                       help="also say how long each step took and how many pages were kept")
    build.set_defaults(run=_build)

    serve = sub.add_parser("serve", help="build, serve on localhost, rebuild and reload "
                           "the browser on every change to data, content, theme or settings")
    _site_options(serve)
    serve.add_argument("--output", default="output")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_serve)

    bulletins = sub.add_parser("bulletins", help="print the PDF bulletins alone")
    _site_options(bulletins)
    bulletins.add_argument("--year", type=int, default=None, help="a cycle (default: all)")
    bulletins.add_argument("--lang", default=None, help="one language (default: all)")
    bulletins.add_argument("--output", default="output")
    bulletins.add_argument("--siteurl", default="",
                           help="the site's public address, for the QR codes")
    bulletins.set_defaults(run=_bulletins)

    bench = sub.add_parser("bench", help="full-scale synthetic build: seconds and memory "
                           "(in Cabildo's source repository)")
    bench.add_argument("--out", default="bench")
    bench.add_argument("--scale", choices=("demo", "full"), default="full")
    bench.add_argument("--skip-bulletins", action="store_true",
                       help="leave out printing every cycle's bulletins (minutes cold)")
    bench.add_argument("--ten-times", action="store_true",
                       help="also build a dataset ten times the full scale, cold (minutes)")
    bench.set_defaults(run=_bench)

    imp = sub.add_parser("import", help="import another platform's data into a data folder")
    imp.add_argument("format", choices=["pabulib"])
    imp.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER", help=".pb files or folders")
    imp.add_argument("--out", required=True, help="the data folder to write (new files only)")
    imp.add_argument("--language", help="the site's language when the files do not say")
    imp.set_defaults(run=_import)
    return parser


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--settings", default="pelicanconf.py")
    parser.add_argument("--data", default=None, help="a data folder other than the "
                        "settings' CABILDO_DATA_DIR")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, e.g. --set CABILDO_MAP_TILES=none "
                             "(JSON values: true, 12, \"text\")")


def overrides_of(args: argparse.Namespace) -> dict[str, Any]:
    """--data and --set, as Pelican setting overrides."""
    out: dict[str, Any] = {}
    if args.data:
        out["CABILDO_DATA_DIR"] = os.path.abspath(args.data)
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise SystemExit(f"cabildo: --set takes NAME=VALUE, got {item!r}")
        try:
            out[name] = json.loads(value)
        except ValueError:
            out[name] = value
    return out


def _settings_file(args: argparse.Namespace) -> str:
    if not Path(args.settings).is_file():
        raise SystemExit(f"cabildo: no settings file {args.settings} here; run it in a "
                         "site's folder (or start one with `cabildo init DIR`)")
    return str(args.settings)


def _import(args: argparse.Namespace) -> int:
    from ..importers import pabulib
    code: int = pabulib.command(args.paths, args.out, args.language)
    return code


def _init(args: argparse.Namespace) -> int:
    from .scaffold import InitError, create_site
    try:
        create_site(args.directory, name=args.name, country=args.country,
                    languages=[args.language, *filter(None, args.also.split(","))],
                    currency=args.currency, timezone=args.timezone, force=args.force)
    except InitError as exc:
        print(f"cabildo init: {exc}", file=sys.stderr)
        return 2
    print(f"A new site for {args.name} is in {args.directory}/. Next:\n"
          f"  cd {args.directory}\n  cabildo validate\n  cabildo build\n  cabildo serve")
    return 0


_PROBLEM = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<text>.*)$")


def site_settings(settings_file: str, overrides: dict[str, Any]) -> Any:
    """Pelican's settings and Cabildo's checked Config, as the build reads them."""
    from .build import load_settings
    return load_settings(settings_file, overrides)


def _check(args: argparse.Namespace) -> int:
    """validate with the site's own settings: the build's own first half (build.validate
    reads the settings file and the overrides into the same Config the build uses)."""
    from .build import validate
    return validate(_settings_file(args), overrides_of(args))


def _validate(args: argparse.Namespace) -> int:
    if not args.annotations:
        return _check(args)
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        code = _check(args)
    for line in captured.getvalue().splitlines():
        print(line, file=sys.stderr)
        match = _PROBLEM.match(line)
        if match:  # GitHub's workflow command: the problem shows on the file's line
            level = "warning" if line.endswith("[warning]") else "error"
            text = match["text"].replace("%", "%25").replace("\n", "%0A")
            print(f"::{level} file={match['file']},line={match['line']},"
                  f"col={match['col']}::{text}")
    return code


def _build(args: argparse.Namespace) -> int:
    from .build import build, build_if_changed
    run = build if args.force else build_if_changed
    return run(_settings_file(args), args.output, overrides_of(args), quiet=args.quiet,
               verbose=args.verbose)


def _serve(args: argparse.Namespace) -> int:
    from .devserver import serve
    settings = _settings_file(args)
    overrides = overrides_of(args)
    root = Path(settings).resolve().parent
    data = overrides.get("CABILDO_DATA_DIR") or str(root / "data")
    watched = [Path(p) for p in (data, root / "content", root / "theme", root / "templates",
                                 Path(settings).resolve()) if os.path.exists(p)]
    return serve(settings, args.output, overrides, args.host, args.port, watched)


def _bulletins(args: argparse.Namespace) -> int:
    from ..model.problems import DataProblems
    from ..outputs.bulletins import build as print_bulletins
    settings, cabildo = site_settings(_settings_file(args), overrides_of(args))
    start = time.perf_counter()
    try:
        sizes = print_bulletins(
            Path(cabildo["CABILDO_ROOT"], cabildo["CABILDO_DATA_DIR"]), Path(args.output),
            years=[args.year] if args.year else None,
            languages=[args.lang] if args.lang else None,
            public_url=(args.siteurl or os.environ.get("CABILDO_SITEURL")
                        or settings.get("SITEURL", "")),
            settings=cabildo, theme=Path(settings["THEME"]),
            overrides=[Path(cabildo["CABILDO_ROOT"], f)
                       for f in settings.get("THEME_TEMPLATES_OVERRIDES", [])])
    except DataProblems as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print(f"printed {len(sizes)} bulletins under {args.output}/ in "
          f"{time.perf_counter() - start:.1f} s "
          f"(largest {max(sizes.values(), default=0) / 1000:.0f} KB)")
    return 0


def _bench(args: argparse.Namespace) -> int:
    import subprocess
    script = Path("tests/bench.py")
    if not script.is_file():
        print("cabildo bench: run it in Cabildo's source repository (it builds the "
              "synthetic full-scale dataset of tools/demo.py)", file=sys.stderr)
        return 2
    extra = ["--skip-bulletins"] if args.skip_bulletins else []
    extra += ["--ten-times"] if args.ten_times else []
    return subprocess.call([sys.executable, str(script), "--out", args.out,
                            "--scale", args.scale, *extra])


if __name__ == "__main__":
    run()
