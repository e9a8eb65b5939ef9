"""Sorting by a language's rules (ICU collation through PyICU): 'ñame' after 'nube' in
Spanish, 'Łódź' after 'Lublin' in Polish, accents second in French. Code-point order
(Python's default) would put every accented capital after Z."""
from __future__ import annotations

from functools import cache


@cache
def _collator(locale: str):
    import icu  # PyICU (the pyicu-wheels package bundles ICU)
    return icu.Collator.createInstance(icu.Locale(locale))


def sort_key(locale: str, text: str) -> bytes:
    """A key that sorts `text` as `locale` does."""
    return _collator(locale).getSortKey(text)
