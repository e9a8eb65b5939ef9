"""What a build used of the cache folder, so that what builds stopped using goes.

The parsed data files, the workbooks and the bulletins are kept by the hash of what
they are made from, and never changed afterwards: every edit adds files, and nothing
removed them (a year of daily edits at full scale is gigabytes, which a CI cache then
saves and restores at every run). A build notes the entries it found or wrote, by key
(a file's name up to its first dot: `<key>.pdf`, `<key>.pickle`, `<key>.marks`...);
once published, the files of those parts of the cache whose key it did not use, and
that are older than `GRACE`, are removed. A build reads every data file and looks up
every bulletin and workbook the site shows, so what it did not use is stale; the grace
period spares what another process is writing (`cabildo serve` prints bulletins after
publishing) and what a build with other data or settings, sharing the folder, uses.
"""
from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

GRACE = 7 * 24 * 3600  # seconds
_USED: dict[str, set[str]] = {}  # part of the cache (its folder) -> keys used by this build


def _key(name: str) -> str:
    return name.lstrip(".").split(".", 1)[0]


def note(part: str, file: Path | None) -> None:
    """This build uses `file`, in the cache's folder `part`."""
    if file is not None:
        _USED.setdefault(part, set()).add(_key(file.name))


def noted() -> dict[str, set[str]]:
    """What this process noted (a forked process hands it back to the build's)."""
    return _USED


def merge(found: dict[str, set[str]] | None) -> None:
    for part, keys in (found or {}).items():
        _USED.setdefault(part, set()).update(keys)


def forget() -> None:
    """A build starts: nothing used yet."""
    _USED.clear()


def sweep(cache: Path, now: float | None = None) -> int:
    """Remove, in each part of `cache` this build used, the files of keys it did not use
    and older than GRACE; how many. Never fails: a file it cannot remove stays."""
    limit = (time.time() if now is None else now) - GRACE
    removed = 0
    for part, keys in _USED.items():
        for folder, _, names in os.walk(cache / part):
            for name in names:
                if _key(name) in keys:
                    continue
                path = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    if os.stat(path).st_mtime < limit:
                        os.unlink(path)
                        removed += 1
    return removed
