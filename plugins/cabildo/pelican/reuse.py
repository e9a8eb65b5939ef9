"""What earlier builds left that a new one can reuse: the record of what each output
was built from, and the build folder of the build before last.

- Records of inputs ({output file: digest of what it was made from}) live in the cache
  folder, keyed by the output link's path. A build writes its own beside the current
  one; it becomes current only when the build is published (`commit`), so a failed
  build never leaves a record of files nobody published.
- publish.Publisher.start hands the build the folder of the build before last:
  `recycle` keeps there only the pages that are the published build's very files, so
  an unchanged page is neither linked nor its folder made again (at full scale that
  cost two seconds of kernel time), and `sweep` removes those no generator claimed.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from . import publish

# records written, to publish with the build: (written, its final place, its content)
_PENDING: list[tuple[Path, Path, dict | None]] = []
# Records this process published, by place: (that file's stat, its content). A server
# builds again and again: the next build reads its pages' record (4 MB of JSON at full
# scale, 0.06 s) from here, as long as the file is the one it wrote.
_KNOWN: dict[Path, tuple[tuple[int, int, int], dict]] = {}


def cache_dir(settings: dict, cabildo: dict) -> Path:
    return Path(settings.get("CABILDO_ROOT", ".")) / cabildo["CABILDO_CACHE_DIR"]


def record_path(settings: dict, cabildo: dict, part: str,
                folder: str = "pages") -> Path | None:
    previous = settings.get("PREVIOUS_OUTPUT_PATH")
    if not previous:
        return None
    # the output link's own path, not the build folder it points to (new every build)
    name = hashlib.sha256(os.path.abspath(previous).encode()).hexdigest()[:16]
    return cache_dir(settings, cabildo) / folder / f"{name}-{part}.json"


_READ: dict[Path, dict] = {}  # records of inputs read by recycle, for render_pages
_KEPT: set[str] = set()  # pages a recycled build folder holds, identical to the published
_CLAIMED: set[str] = set()  # pages this build rendered or kept


def recycle(folder: Path, published: Path | None, settings: dict, cabildo: dict,
            background: bool = False) -> None:
    """Ready a build folder that holds an older build (publish.Publisher.start) for this
    build. Only the pages that are the published build's very files (hard links of one
    inode) are kept: an unchanged page is left where it is, instead of a folder and a
    link made anew for each. Everything else goes, since the other outputs write their
    files in place, and a page this build does not claim goes at the end (`sweep`).

    With `background`, the walk of the folder (thousands of folders: 0.6 s of an edit's
    build at full scale, mostly the kernel's) runs in a forked process while the build
    computes what its pages show; `ready()` waits for it, and nothing may be written
    into the folder before. (build.py: not with CABILDO_WORKERS = 1, nothing forked.)"""
    forget()
    _READ.clear()
    _KEPT.clear()
    _CLAIMED.clear()
    _RECYCLING.clear()
    if published is None or not folder.is_dir():
        return
    targets: set[str] = set()
    record = record_path(settings, cabildo, "*")
    for path in record.parent.glob(record.name) if record else ():
        saved = _read(path)
        _READ[path] = saved  # render_pages reads it next (4 MB of JSON at full scale)
        targets.update(saved.get("files", {}))
    from ..workers import Background, can_fork
    if background and can_fork(2):
        _JOB[:] = [(folder, published, targets)]
        try:
            _RECYCLING.append(Background(_ready_job))
        finally:
            _JOB.clear()
        return
    _KEPT.update(_ready(folder, published, targets))


_RECYCLING: list = []  # the walk under way in the background (workers.Background)
_JOB: list = []  # what the forked walk inherits


def ready() -> None:
    """Wait for the walk `recycle` started in the background, if any: called before
    anything is written into the build folder."""
    while _RECYCLING:
        _KEPT.update(_RECYCLING.pop().wait())


def _ready_job() -> list[str]:
    return sorted(_ready(*_JOB[0]))


def _ready(folder: Path, published: Path, targets: set[str]) -> set[str]:
    """Empty `folder` but for the pages identical to the published ones; those pages."""
    kept: set[str] = set()
    same_disk = folder.stat().st_dev == published.stat().st_dev
    if not same_disk or not _mostly_kept(folder, published, targets):
        # After a build that rendered every page (new templates...), none are the
        # published ones: removing them one by one, then linking every page, cost more
        # than starting from an empty folder, the old one removed in the background.
        publish.discard([folder], folder.parent)
        folder.mkdir()
        return kept
    tops = {target.split("/", 1)[0] for target in targets}
    aside = []
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False) and entry.name in tops:
            if _prune(entry.path, entry.name + "/", targets, f"{published}/", kept):
                os.rmdir(entry.path)
        elif entry.name in targets and _same(entry, f"{published}/{entry.name}"):
            kept.add(entry.name)
        elif entry.is_dir(follow_symlinks=False):  # the search index, open data...
            aside.append(Path(entry.path))
        else:
            os.unlink(entry.path)
    publish.discard(aside, folder.parent)
    return kept


def _mostly_kept(folder: Path, published: Path, targets: set[str], sample: int = 64) -> bool:
    """Whether most pages, judged by an even sample of them, are the published ones."""
    chosen = sorted(targets)[::max(1, len(targets) // sample)]
    same = 0
    for target in chosen:
        try:
            same += os.stat(folder / target).st_ino == os.stat(published / target).st_ino
        except OSError:
            continue
    return same * 2 > len(chosen)


def _prune(folder: str, prefix: str, targets: set[str], published: str, kept: set[str]) -> bool:
    """Keep in `folder` the pages identical to the published ones (`published`: that
    build's folder, and a slash), adding them to `kept`; True if it is left empty."""
    empty = True
    for entry in os.scandir(folder):
        name = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            if _prune(entry.path, name + "/", targets, published, kept):
                os.rmdir(entry.path)
            else:
                empty = False
        elif name in targets and _same(entry, published + name):
            kept.add(name)
            empty = False
        else:
            os.unlink(entry.path)
    return empty


def _same(entry: os.DirEntry, published: str) -> bool:
    try:
        return entry.is_file(follow_symlinks=False) and entry.inode() == os.stat(published).st_ino
    except OSError:
        return False


def sweep(output: Path) -> None:
    """Remove the kept pages no generator claimed (a deleted project's page), and the
    folders that leaves empty, before the sitemap lists what is there."""
    for name in sorted(_KEPT - _CLAIMED):
        (output / name).unlink(missing_ok=True)
        folder = (output / name).parent
        while folder != output:
            try:
                folder.rmdir()
            except OSError:  # not empty
                break
            folder = folder.parent
    _KEPT.clear()
    _CLAIMED.clear()


def side_record(settings: dict, cabildo: dict, part: str, version: str) -> tuple[dict, Path | None]:
    """The record of an output written beside the pages (open data: {file: digest}):
    the published build's, if made by the same `version` of the code, and where this
    build's goes, becoming the current one when the build is published (`commit`).
    Made here, in the build's process, since the output may be written by a fork."""
    path = record_path(settings, cabildo, part, folder="outputs")  # not pages (recycle)
    if path is None:
        return {}, None
    saved = _read(path)
    previous = saved.get("files", {}) if saved.get("global") == version else {}
    pending = path.with_name(path.name + f".next-{os.getpid()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    _PENDING.append((pending, path, None))  # (written by a fork: not known here)
    return previous, pending


def commit() -> None:
    """The build was published: its record of inputs becomes the one to compare with."""
    while _PENDING:
        pending, current, content = _PENDING.pop()
        os.replace(pending, current)
        _KNOWN.pop(current, None)
        if content is not None:
            with contextlib.suppress(OSError):
                _KNOWN[current] = (_identity(current), content)


def forget() -> None:
    """A build starts: records a failed build left pending are not its own."""
    for pending, _, _ in _PENDING:
        pending.unlink(missing_ok=True)
    _PENDING.clear()


def publish_with_build(pending: Path, current: Path, content: dict | None = None) -> None:
    """`pending`, written, becomes the record at `current` when the build is published.
    `content`: what was written there (kept for the next build in this process; it must
    not be changed)."""
    _PENDING.append((pending, current, content))


def read_record(path: Path) -> dict:
    """A record of inputs (read once per build: recycle may have read it already)."""
    saved = _READ.pop(path, None)
    return _read(path) if saved is None else saved


def _identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _read(path: Path) -> dict:
    """A record, as published (never changed by its readers)."""
    known = _KNOWN.get(path)
    with contextlib.suppress(OSError):
        if known is not None and _identity(path) == known[0]:
            return known[1]
    try:
        saved = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def kept(target: str) -> bool:
    """Whether the recycled folder holds the published build's file for this page."""
    return target in _KEPT


def claim(targets) -> None:
    """These pages are this build's (rendered, or kept): `sweep` leaves them."""
    _CLAIMED.update(targets)
