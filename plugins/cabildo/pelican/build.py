"""The edge of the program: validate data/, or build the site atomically.

    cabildo validate
    cabildo build [--settings pelicanconf.py] [--output output]

`validate` is the build's own first half: the same settings (the settings file
and the overrides), read once into one Config, and the same `load_dataset`.
A build writes into a temporary folder and publishes it by one atomic switch
(publish.py) only when everything succeeded, so a failed or interrupted build
never damages what is published. Problems are printed one per line, without a
Python traceback.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .. import cachefiles
from ..model.problems import DataProblems
from ..model.settings import SettingsError
from . import publish

log = logging.getLogger(__name__)


def _overrides(settings_file: str, overrides: dict | None, output_path: str | None) -> dict:
    override = {"CABILDO_ROOT": os.path.dirname(os.path.abspath(settings_file)),
                **(overrides or {})}
    if output_path:
        override["OUTPUT_PATH"] = output_path
    return override


def read_config(settings_file: str = "pelicanconf.py", overrides: dict | None = None,
                output_path: str | None = None):
    """Cabildo's checked Config, from the settings file and the overrides: all `validate`
    reads, without Pelican (importing it costs a third of a second)."""
    from ..model.settings import read as read_cabildo
    from ..model.settings import read_file
    if not Path(settings_file).is_file():
        raise SettingsError(f"the settings file {settings_file} does not exist")
    values = read_file(settings_file)
    config = read_cabildo({**values, **_overrides(settings_file, overrides, output_path)})
    _pelican_basics(values, overrides or {}, Path(settings_file).resolve().parent)
    return config


def _pelican_basics(from_file: dict, overrides: dict, folder: Path) -> None:
    """What Pelican refuses in its own settings, checked here too, so that `validate`
    (which does not import Pelican) rejects what the build would: the content and theme
    folders (Pelican reads the file's relative to the file, the overrides' relative to
    the current folder), and the time zone (a wrong one fails the build at its first
    page). Pelican's own themes, which it finds by name ("simple"), have none of the
    pages Cabildo renders: a folder is asked for."""
    from zoneinfo import ZoneInfo
    for name, what in (("PATH", "content"), ("THEME", "theme")):
        value, base = ((overrides[name], Path.cwd()) if name in overrides
                       else (from_file.get(name), folder))
        if value is None:  # Pelican's default
            continue
        if isinstance(value, str) and (base / value).is_dir():
            continue
        raise SettingsError(f"setting {name}: the {what} folder {value!r} does not exist "
                            f"(looked for in {base})")
    zone = overrides.get("TIMEZONE", from_file.get("TIMEZONE"))
    if zone is not None:
        try:
            ZoneInfo(zone)  # type: ignore[arg-type]  (whatever the file set: checked here)
        except Exception:  # noqa: BLE001 (not found, not a name, not a string)
            raise SettingsError(f"setting TIMEZONE: {zone!r} is not a time zone; use a name "
                                f"such as \"America/Caracas\" (the IANA database's)") from None


def load_settings(settings_file: str = "pelicanconf.py", overrides: dict | None = None,
                  output_path: str | None = None):
    """Pelican's settings and Cabildo's checked Config, read from the settings file and
    the overrides: the build's. Its Config is read_config's, the one validate checks
    with (Pelican leaves the CABILDO_ names as the file and the overrides set them)."""
    config = read_config(settings_file, overrides, output_path)
    from pelican.settings import read_settings
    try:
        settings = read_settings(settings_file,
                                 override=_overrides(settings_file, overrides, output_path))
    except ValueError as exc:  # Pelican's own refusals (a theme not found...): one line
        raise SettingsError(str(exc)) from None
    return settings, config


def _load(config):
    """The dataset, or None after printing its problems (validate and build share this)."""
    from ..model.load import load_dataset
    from ..views import catalogs
    catalogs.keep_compiled_in(config.root / config["CABILDO_CACHE_DIR"] / "catalogs")
    try:
        dataset = load_dataset(config)
    except DataProblems as exc:
        print(exc.report(), file=sys.stderr)
        return None
    for warning in dataset.warnings:
        print(warning, file=sys.stderr)
    return dataset


def validate(settings_file: str = "pelicanconf.py", overrides: dict | None = None) -> int:
    """Check data/ exactly as the build would, with the same settings; 0 when valid."""
    start = time.perf_counter()
    try:
        config = read_config(settings_file, overrides)
    except SettingsError as exc:
        print(f"{settings_file}: {exc}", file=sys.stderr)
        return 2
    dataset = _load(config)
    if dataset is None:
        return 1
    print(f"data/ is valid: {len(dataset.parishes)} parishes, {len(dataset.councils)} councils, "
          f"{len(dataset.cycles)} cycles, {len(dataset.projects)} projects, "
          f"{len(dataset.council_assemblies) + len(dataset.parish_assemblies)} assemblies "
          f"({time.perf_counter() - start:.2f} s)")
    return 0


def _search_index(site: Path) -> None:
    """Index the built site for Pagefind (search that needs no server)."""
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--silent"],
                            capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"pagefind could not index the site: {result.stderr.strip()}")


def fingerprint(settings_file: str, overrides: dict | None) -> str:
    """A hash of everything a build reads: data, content, theme, plugins, settings,
    the pinned requirements, the overrides, and the git revision (bulletins print it).
    Paths enter relative to the project, so two clones give the same stamp."""
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
            name = file.resolve()
            digest.update((os.path.relpath(name, root) if name.is_relative_to(root)
                           else name.name).encode())
            digest.update(file.read_bytes())
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                          text=True).stdout.strip()
    digest.update(head.encode())
    return digest.hexdigest()


def build_if_changed(settings_file: str = "pelicanconf.py", output: str = "output",
                     overrides: dict | None = None, quiet: bool = False,
                     verbose: bool = False) -> int:
    """Build unless output/ was built from exactly these inputs (`make site` twice).
    The stamp lives beside the published build (publish.py), never inside output/."""
    current = fingerprint(settings_file, overrides)
    if Path(output).exists() and publish.Publisher(Path(output)).stamp() == current:
        print(f"{output}/ is up to date: nothing changed since it was built.")
        return 0
    return build(settings_file, output, overrides, quiet, stamp=current, verbose=verbose)


def _with_bytecode_cache(settings: dict, config) -> dict:
    """Pelican's Jinja options plus a bytecode cache in the cache folder: each build, and
    each forked worker, makes a new environment that compiled every template again (the
    cache checks each template's source, so edits show)."""
    from jinja2 import FileSystemBytecodeCache

    from .reuse import cache_dir
    folder = cache_dir(settings, config) / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    # Templates do not change during a build: no stat of each one at every page.
    return {**settings["JINJA_ENVIRONMENT"], "auto_reload": False,
            "bytecode_cache": FileSystemBytecodeCache(str(folder))}


class Interrupted(Exception):
    pass


def _on_signal(owner: int):
    def handler(signum, frame):
        if os.getpid() != owner:  # a forked worker (bulletins): die as the signal says
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Interrupted(signal.Signals(signum).name)
    return handler


def build(settings_file: str = "pelicanconf.py", output: str = "output",
          overrides: dict | None = None, quiet: bool = False, stamp: str | None = None,
          verbose: bool = False) -> int:
    """Validate, then render into a temporary folder and publish it atomically
    (publish.py). 0 when published; 1 for data or render problems (output/ as it was);
    2 for a settings problem; 75 when another build holds the output folder;
    130 when interrupted."""
    from pelican import Pelican
    from pelican import log as pelican_log

    from ..model.settings import CONFIG
    from ..outputs import bulletins
    from ..outputs.bulletins import LATER
    from . import reuse
    from .generator import DATASET

    pelican_log.init(level=logging.ERROR if quiet else logging.INFO if verbose
                     else logging.WARNING, fatal="errors")
    # their steps are not ours to report: --verbose says how long each of ours took
    for chatty in ("weasyprint", "fontTools", "pelican.writers", "pelican.utils"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    started = time.perf_counter()
    try:
        settings, config = load_settings(settings_file, overrides)
    except SettingsError as exc:
        print(f"{settings_file}: {exc}", file=sys.stderr)
        return 2
    cachefiles.forget()  # what this build uses of the cache is noted from here on
    dataset = _load(config)  # the very checks `validate` runs, before any file is written
    if dataset is None:
        return 1
    log.info("data loaded and checked in %.1f s", time.perf_counter() - started)
    publisher = publish.Publisher(Path(output))
    try:
        tmp = publisher.start()
    except publish.Busy as exc:
        print(f"build not started: {exc}", file=sys.stderr)
        return 75
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _on_signal(os.getpid()))
    try:
        # The records live until the build ends: the collector's full passes skip them
        # (each walked them all: 0.17 s at full scale, reading the record of inputs).
        # Thawed when the build ends (workers.thaw), as for the forked workers.
        gc.freeze()
        # the build before last, recycled: only pages identical to the published ones stay
        # (walked in the background while Pelican computes the pages: reuse.ready())
        reuse.recycle(tmp, publisher.published(),
                      {**settings, "PREVIOUS_OUTPUT_PATH": os.path.abspath(output)}, config,
                      background=config["CABILDO_WORKERS"] != 1)
        LATER.clear()  # an earlier build's bulletins to print are not this one's
        # the checked settings and the dataset are handed down, never read again
        settings = dict(settings, OUTPUT_PATH=str(tmp), **{DATASET: dataset, CONFIG: config},
                        JINJA_ENVIRONMENT=_with_bytecode_cache(settings, config),
                        # the published build (through the output link): unchanged pages
                        # are hard-linked from it, and its record of inputs is keyed by it
                        PREVIOUS_OUTPUT_PATH=os.path.abspath(output))
        step = time.perf_counter()
        Pelican(settings).run()
        reuse.ready()  # (done already, before the first file was written)
        log.info("site written in %.1f s", time.perf_counter() - step)
        if LATER:  # bulletins yet to print (cabildo serve): not what these inputs give
            stamp = None
        if config["CABILDO_SEARCH"]:
            step = time.perf_counter()
            _search_index(tmp)
            log.info("search index built in %.1f s", time.perf_counter() - step)
        publisher.publish(tmp, stamp)
        log.info("published in %.1f s in all", time.perf_counter() - started)
        reuse.commit()  # record what the published pages were built from
        _sweep_cache(reuse.cache_dir(settings, config))
        return 0
    except (Interrupted, KeyboardInterrupt) as exc:
        print(f"build interrupted ({exc or 'SIGINT'}): {output}/ was left as it was.",
              file=sys.stderr)
        return 130
    except DataProblems as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except Exception as exc:  # the build failed: report it in one line, keep output/
        print(f"build failed: {type(exc).__name__}: {exc}\n"
              f"{output}/ was left as it was.", file=sys.stderr)
        if os.environ.get("CABILDO_DEBUG"):
            raise
        return 1
    finally:
        from .. import workers  # (here: validate and the up-to-date check never fork)
        workers.stop_all()  # a failed build's open data process, before its folder goes
        workers.thaw()
        _let_go(bulletins)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if tmp.exists():  # a failed build's folder (as large as a site): not waited for
            publish.discard([tmp], tmp.parent)
        publisher.close()


def _sweep_cache(cache: Path) -> None:
    """Remove what builds stopped using from the cache (cachefiles.py): the build is
    published, so nothing here may fail it."""
    try:
        removed = cachefiles.sweep(cache)
    except OSError as exc:
        log.warning("cache folder %s not swept: %s", cache, exc)
        return
    if removed:
        log.info("cache: %d files this build did not use, older than %d days, removed",
                 removed, cachefiles.GRACE // 86400)


def _let_go(bulletins) -> None:
    """What the build kept that would keep its records alive in a process that builds
    again (`cabildo serve`): Pelican's memoized content of its pages, keyed by each page
    (whose settings hold this build's dataset: one dataset more at every save), and the
    bulletins' list of upcoming dates."""
    from pelican.contents import Content
    for name in ("get_content", "get_summary"):
        cache = getattr(Content.__dict__.get(name), "cache", None)
        if isinstance(cache, dict):
            cache.clear()
    bulletins.forget()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="cabildo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check data/ as the build would, and write nothing")
    b = sub.add_parser("build", help="build the site into output/ atomically")
    for p in (v, b):
        p.add_argument("--settings", default="pelicanconf.py")
        p.add_argument("--data", default=None, help="a data folder other than data/")
        p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="override a setting, e.g. --set CABILDO_MAP_TILES=none "
                            "(true, false and numbers are read as such)")
    b.add_argument("--output", default="output")
    b.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    overrides = {"CABILDO_DATA_DIR": os.path.abspath(args.data)} if args.data else {}
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name] = _value(value)
    if args.command == "validate":
        return validate(args.settings, overrides)
    return build(args.settings, args.output, overrides, args.quiet)


def _value(text: str):
    import json
    try:
        return json.loads(text)  # true, false, 12, "x", {"a": 1}
    except ValueError:
        return text


if __name__ == "__main__":
    sys.exit(main())
