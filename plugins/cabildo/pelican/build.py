"""The edge of the program: validate data/, or build the site atomically.

    cabildo validate
    cabildo build [--settings pelicanconf.py] [--output output]

A build writes into a temporary folder beside output/ and swaps it in only
when everything succeeded, so a failed build never damages what is published.
Problems are printed one per line, without a Python traceback.
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ..model.problems import DataProblems
from ..model.settings import SettingsError


def validate(data_dir: Path, quorum=None) -> int:
    from ..model.load import DEFAULT_QUORUM, load_dataset
    start = time.perf_counter()
    try:
        dataset = load_dataset(data_dir, quorum=quorum or DEFAULT_QUORUM)
    except DataProblems as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    for warning in dataset.warnings:
        print(warning, file=sys.stderr)
    print(f"data/ is valid: {len(dataset.parishes)} parishes, {len(dataset.councils)} councils, "
          f"{len(dataset.cycles)} cycles, {len(dataset.projects)} projects, "
          f"{len(dataset.council_assemblies) + len(dataset.parish_assemblies)} assemblies "
          f"({time.perf_counter() - start:.2f} s)")
    return 0


def _swap(tmp: Path, output: Path) -> None:
    old = output.with_name(f"{output.name}.old-{os.getpid()}")
    if output.exists():
        output.rename(old)
    tmp.rename(output)
    shutil.rmtree(old, ignore_errors=True)


def _search_index(site: Path) -> None:
    """Index the built site for Pagefind (search that needs no server)."""
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--silent"],
                            capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"pagefind could not index the site: {result.stderr.strip()}")


FINGERPRINT = ".cabildo-inputs"  # in output/: what the output was built from


def fingerprint(settings_file: str, overrides: dict | None) -> str:
    """A hash of everything a build reads: data, content, theme, plugins, settings,
    the pinned requirements, the overrides, and the git revision (bulletins print it)."""
    import hashlib
    root = Path(settings_file).resolve().parent
    digest = hashlib.sha256(repr(sorted((overrides or {}).items())).encode())
    folders = ["content", "theme", "plugins"]
    data_dir = Path((overrides or {}).get("CABILDO_DATA_DIR") or root / "data")
    files = [root / settings_file, root / "requirements.txt"]
    for folder in [*(root / f for f in folders), data_dir]:
        files += [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for file in sorted(files):
        if file.is_file():
            digest.update(str(file).encode())
            digest.update(file.read_bytes())
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                          text=True).stdout.strip()
    digest.update(head.encode())
    return digest.hexdigest()


def build_if_changed(settings_file: str = "pelicanconf.py", output: str = "output",
                     overrides: dict | None = None, quiet: bool = False) -> int:
    """Build unless output/ was built from exactly these inputs (`make site` twice)."""
    stamp = Path(output) / FINGERPRINT
    current = fingerprint(settings_file, overrides)
    if stamp.is_file() and stamp.read_text().strip() == current:
        print(f"{output}/ is up to date: nothing changed since it was built.")
        return 0
    code = build(settings_file, output, overrides, quiet)
    if code == 0:
        stamp.write_text(current + "\n")
    return code


def build(settings_file: str = "pelicanconf.py", output: str = "output",
          overrides: dict | None = None, quiet: bool = False) -> int:
    from pelican import Pelican
    from pelican import log as pelican_log
    from pelican.settings import read_settings

    from . import generator, pagerender
    from ..model.settings import read as read_cabildo

    output_path = Path(output).resolve()
    tmp = output_path.with_name(f"{output_path.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    pelican_log.init(level=logging.ERROR if quiet else logging.WARNING, fatal="errors")
    try:
        settings = read_settings(settings_file, override={
            "OUTPUT_PATH": str(tmp),
            "PREVIOUS_OUTPUT_PATH": str(output_path),  # unchanged pages are reused
            "CABILDO_ROOT": os.path.dirname(os.path.abspath(settings_file)),
            **(overrides or {})})
        cabildo = read_cabildo(settings)
        generator.forget()
        Pelican(settings).run()
        if cabildo["CABILDO_SEARCH"]:
            _search_index(tmp)
    except DataProblems as exc:
        print(exc.report(), file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        return 1
    except SettingsError as exc:
        print(f"{settings_file}: {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        return 2
    except Exception as exc:  # the build failed: report it in one line, keep output/
        print(f"build failed: {type(exc).__name__}: {exc}\n"
              f"output/ was left as it was.", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        if os.environ.get("CABILDO_DEBUG"):
            raise
        return 1
    finally:
        generator.forget()
    _swap(tmp, output_path)
    pagerender.commit()  # what the published pages were built from
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="cabildo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check data/ only")
    v.add_argument("--data", default="data")
    b = sub.add_parser("build", help="build the site into output/ atomically")
    b.add_argument("--settings", default="pelicanconf.py")
    b.add_argument("--output", default="output")
    b.add_argument("--data", default=None, help="a data folder other than data/")
    b.add_argument("--quiet", action="store_true")
    b.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a setting, e.g. --set CABILDO_MAP_TILES=none "
                        "(true, false and numbers are read as such)")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(Path(args.data))
    overrides = {"CABILDO_DATA_DIR": os.path.abspath(args.data)} if args.data else {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name] = _value(value)
    return build(args.settings, args.output, overrides, args.quiet)


def _value(text: str):
    import json
    try:
        return json.loads(text)  # true, false, 12, "x", {"a": 1}
    except ValueError:
        return text


if __name__ == "__main__":
    sys.exit(main())
