"""Publishing a finished build so that it cannot half-happen.

    output            -> output.builds/build-000007   (a relative symbolic link)
    output.builds/
        .lock                   held while a build runs (fcntl; released if it dies)
        build-000006/           the previous finished build (kept: an incremental
        build-000006.inputs     build may start from its files), and its input stamp
        build-000007/           the published build
        build-000007.inputs
        tmp-<pid>/              a build under way (removed when its process is dead);
                                it starts as the build before last, recycled
        trash-build-000005-<pid>/   an older build, being removed in the background

A build writes into tmp-<pid>, is renamed to the next build-N, and is published by
one `os.replace` of a new symbolic link over `output`: a reader sees the old site
or the new one, never a mix and never none. Only the very first switch from an
older `output/` folder to a link needs two renames (the folder is moved aside
first); it happens once per output folder.
"""
from __future__ import annotations

import fcntl
import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

KEEP = 2  # finished builds kept: the published one and the one before it
_BUILD = re.compile(r"build-(\d{6})")


class Busy(Exception):
    """Another build holds the lock of this output folder."""


def builds_dir(output: Path) -> Path:
    return output.with_name(output.name + ".builds")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class Publisher:
    """Holds the lock of one output folder from `start()` to `close()`."""

    def __init__(self, output: Path):
        self.output = Path(os.path.abspath(output))
        self.builds = builds_dir(self.output)
        self._lock = None

    def start(self) -> Path:
        """Take the lock, remove dead builds' leftovers; a fresh temporary folder."""
        self.builds.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.builds / ".lock", "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.seek(0)
            holder = self._lock.read().strip() or "?"
            self._lock.close()
            self._lock = None
            raise Busy(f"another build (process {holder}) is writing {self.output.name}/; "
                       "wait for it to finish") from None
        self._lock.seek(0)
        self._lock.truncate()
        self._lock.write(str(os.getpid()))
        self._lock.flush()
        self.clean_stale()
        tmp = self.builds / f"tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        recycled = self._sweep_unneeded()
        if recycled is not None:
            recycled.rename(tmp)
        return tmp

    def _sweep_unneeded(self) -> Path | None:
        """Finished builds other than the published one: after the new build is
        published, it and the published one are the KEEP kept. The newest of them is
        handed back, to become the new build's folder: its folders and the pages it
        shares with the published build are there already (at full scale, making 9,000
        folders and links anew cost two seconds; reuse.recycle keeps only what it
        can trust). The others are moved aside at once and removed by an `rm` of the
        lowest priority, left to run on its own: it may outlive the build, and a later
        build removes what a killed one left."""
        published = self.published()
        older = [b for b in self._finished() if b != published]
        recycled = older.pop() if older and published is not None else None
        trash = []
        for old in [*older, recycled]:
            if old is None:
                continue
            old.with_name(old.name + ".inputs").unlink(missing_ok=True)
            if old != recycled:
                aside = self.builds / f"trash-{old.name}-{os.getpid()}"
                old.rename(aside)
                trash.append(str(aside))
        remove_in_background(trash)
        return recycled

    def clean_stale(self) -> None:
        """Temporary folders of builds whose process is gone (killed, power cut)."""
        leftovers = list(self.builds.glob("tmp-*")) + list(self.builds.glob("trash-*"))
        # the folders older versions left beside output/
        leftovers += self.output.parent.glob(f"{self.output.name}.tmp-*")
        leftovers += self.output.parent.glob(f"{self.output.name}.old-*")
        leftovers += self.output.parent.glob(f"{self.output.name}.new-*")
        folders = []
        for path in leftovers:
            pid = path.name.rsplit("-", 1)[-1]
            if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
                if path.is_symlink() or path.is_file():
                    path.unlink()
                elif path.name.startswith("trash-"):  # maybe an rm is still removing it
                    folders.append(str(path))
                else:
                    shutil.rmtree(path, ignore_errors=True)
        remove_in_background(folders)

    def published(self) -> Path | None:
        """The finished build `output` shows, if it is one of ours."""
        if self.output.is_symlink():
            target = (self.output.parent / os.readlink(self.output)).resolve()
            if target.parent == self.builds.resolve() and _BUILD.fullmatch(target.name):
                return target
        return None

    def _finished(self) -> list[Path]:
        return sorted(p for p in self.builds.iterdir() if _BUILD.fullmatch(p.name) and p.is_dir())

    def publish(self, tmp: Path, stamp: str | None = None) -> Path:
        """Make the finished build in `tmp` the one `output` shows."""
        done = self._finished()
        number = int(_BUILD.fullmatch(done[-1].name).group(1)) + 1 if done else 1
        final = self.builds / f"build-{number:06d}"
        tmp.rename(final)
        if stamp is not None:
            final.with_name(final.name + ".inputs").write_text(stamp + "\n")
        link = self.output.with_name(f"{self.output.name}.new-{os.getpid()}")
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(os.path.relpath(final, self.output.parent))
        if self.output.exists() and not self.output.is_symlink():
            # once: an output/ folder from before links; moved aside, then replaced
            self.output.rename(self.builds / f"build-000000-{os.getpid()}")
        os.replace(link, self.output)
        for old in self._finished()[:-KEEP]:
            shutil.rmtree(old, ignore_errors=True)
            old.with_name(old.name + ".inputs").unlink(missing_ok=True)
        for old in self.builds.glob("build-000000-*"):
            shutil.rmtree(old, ignore_errors=True)
        return final

    def stamp(self) -> str | None:
        """The input stamp of the published build (kept outside output/)."""
        current = self.published()
        if current is None:
            return None
        file = current.with_name(current.name + ".inputs")
        return file.read_text().strip() if file.is_file() else None

    def close(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None


_DISCARDED = itertools.count()


def discard(paths: list[Path], builds: Path) -> None:
    """Move `paths` aside into the builds folder (one file system: a rename), and remove
    them in the background."""
    aside = []
    for path in paths:
        target = builds / f"trash-{next(_DISCARDED)}-{path.name}-{os.getpid()}"
        path.rename(target)
        aside.append(str(target))
    remove_in_background(aside)


def remove_in_background(folders: list[str]) -> None:
    """`rm -rf` at the lowest priority, started by a shell that returns at once."""
    if folders:
        subprocess.run(["sh", "-c", '(nice -n 19 rm -rf -- "$@" || rm -rf -- "$@") '
                        '>/dev/null 2>&1 &', "sh", *folders],
                       stdin=subprocess.DEVNULL, check=False)


def remove(output: Path) -> None:
    """`clean`: the link, the builds and any older output/ folder."""
    output = Path(output)
    if output.is_symlink():
        output.unlink()
    elif output.exists():
        shutil.rmtree(output)
    shutil.rmtree(builds_dir(output), ignore_errors=True)
