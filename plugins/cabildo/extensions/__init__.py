"""Extensions: optional parts of a site that bring their own records, checks, pages, open
data, feeds and template parts, without core code importing them.

An extension is an `Extension` published under the `cabildo.extensions` entry point group;
Cabildo's own factory is registered that way in pyproject.toml, and any installed package
can add one the same way. Core calls each hook; an extension whose data folder is absent
loads None and leaves no trace in the site (no page, link, table or documented schema).

    Extension.load(root, problems, where, parishes, councils, config, categories)
        -> records | None
        read data/<folder>/ with the core data layer; problems go to `problems`; `config`
        is the site's checked settings (it reads those it names in `settings`);
        `categories` the site's declared project categories (model/categories.py checks
        the ids its records name).
    Extension.places() -> {record type: file or folder}, for the data model page
    Extension.file_keys: {top-level key of a file: record type}, e.g. {"factory_bodies":
        "factory_body"}; the core's schema check reads such files like its own.
    Extension.schema_dir() -> folder of its JSON Schemas (<record type>.schema.json), shipped
        as package data; the data model page documents them and the site serves them.
    Extension.routes: {page or file kind: URL path pattern}, as views/urls.py's ROUTES
        (written in English, marked NP_("URL path", ...) so the catalogs translate them).
    Extension.generators() -> Pelican generator classes
    Extension.tables() -> open-data tables (outputs.opendata.Table)
    Extension.seo(page, lang, data, siteurl, default) -> (feed URL, JSON-LD items) | None
    Extension.template_parts: {slot: template} included by the theme's slots
        ("nav", "parish", "data", "search"); each part shows only when its data exists.
    Extension.settings: the names of the CABILDO_* settings it reads.
    Extension.derived_context: context entries computed from its records (an index),
        which an incremental build need not hash again.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any


def _nothing(*_args: Any) -> Any:
    return ()


@dataclass(frozen=True)
class Extension:
    name: str  # also the key of its records in Dataset.extensions
    folder: str  # data/<folder>/, which the core loader leaves to it
    load: Callable[..., Any]
    places: Callable[[], dict[str, str]] = dict
    schema_dir: Callable[[], Path] | None = None
    file_keys: Mapping[str, str] = field(default_factory=dict)
    routes: Mapping[str, str] = field(default_factory=dict)
    generators: Callable[[], tuple[Any, ...]] = _nothing
    tables: Callable[[], tuple[Any, ...]] = _nothing
    seo: Callable[..., Any] | None = None
    template_parts: dict[str, str] = field(default_factory=dict)
    settings: tuple[str, ...] = ()  # names of the CABILDO_* settings it reads (documented with it)
    # Context entries it computes from its records (which every page's record hashes
    # already): an incremental build does not hash them again.
    derived_context: tuple[str, ...] = ()


@cache
def extensions() -> tuple[Extension, ...]:
    """The installed extensions, in name order (deterministic builds)."""
    from importlib.metadata import entry_points
    found = [entry.load() for entry in entry_points(group="cabildo.extensions")]
    return tuple(sorted(found, key=lambda ext: ext.name))


def template_parts(slot: str) -> list[str]:
    return [ext.template_parts[slot] for ext in extensions() if slot in ext.template_parts]
