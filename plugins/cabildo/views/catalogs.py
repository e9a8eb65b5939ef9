"""The gettext catalogs of the theme's languages, compiled from their .po files.

Staff and translators edit only the .po files. Compiling one with Babel takes a tenth
of a second at every start (importing Babel's catalog code, reading the file, writing
the .mo), so the command line names a cache folder (`keep_compiled_in`) where each
compiled catalog is kept under the digest of its .po and of Babel's version: an edited
.po is simply compiled again. Without that folder (tests, scripts), catalogs are
compiled in memory.
"""
from __future__ import annotations

import gettext
import hashlib
import io
import os
from functools import cache
from pathlib import Path

from ..resources import TRANSLATIONS_DIR

_KEPT_IN: list[Path] = []


def keep_compiled_in(folder: Path) -> None:
    """Keep compiled catalogs in `folder` (the site's cache) from now on."""
    _KEPT_IN[:] = [folder]
    translations.cache_clear()


@cache
def translations(lang: str) -> gettext.NullTranslations:
    po = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return gettext.NullTranslations()
    source = po.read_bytes()
    kept = _kept(lang, source)
    if kept is not None and kept.is_file():
        with kept.open("rb") as f:
            return gettext.GNUTranslations(f)
    compiled = _compile(lang, source)
    if kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            pending = kept.with_name(f"{kept.name}.{os.getpid()}")
            pending.write_bytes(compiled)
            os.replace(pending, kept)
        except OSError:  # a read-only or full disk only costs the next start its speed
            pass
    return gettext.GNUTranslations(io.BytesIO(compiled))


def _kept(lang: str, source: bytes) -> Path | None:
    if not _KEPT_IN:
        return None
    import babel
    digest = hashlib.sha256(babel.__version__.encode() + b"\0" + source).hexdigest()
    return _KEPT_IN[0] / f"{lang}-{digest[:32]}.mo"


def _compile(lang: str, source: bytes) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    catalog = read_po(io.BytesIO(source), locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()
