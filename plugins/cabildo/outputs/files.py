"""Putting a file that is already written into a build: one rule for every output."""
from __future__ import annotations

import os
import shutil
from pathlib import Path


def link_or_copy(source: Path, target: Path) -> None:
    """`target` becomes `source`: a hard link (no bytes copied), or a copy on another
    file system. `source` is never written again once made (a cache entry, a published
    build), so sharing it is safe; an existing `target` is an error, never overwritten
    in place, since it may itself be a link to such a file."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)
