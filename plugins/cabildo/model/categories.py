"""Project categories: declared by the site in data/categories.yaml, read once.

Each has an id (projects name it in `category:`, listing URLs show it), a label per
language and a map style. What a site leaves out of a style is chosen here, so records
are built complete: colours from the Okabe-Ito palette (told apart by most colour-blind
readers), and a line pattern and point symbol that no other category of the site has,
so that maps read in greyscale too.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from .problems import Problems
from .records import Category, CouncilAssembly, MapStyle, Project, Source

# Okabe-Ito without its yellow (unreadable on white), in the order defaults take them.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000")
SYMBOLS = ("circle", "square", "triangle", "diamond", "cross", "star")
# As many patterns as symbols minus one: the n-th default pairs symbol n % 6 with pattern
# n % 5, so the first thirty defaults never repeat a pair, the first five never a pattern.
DASHES = ("", "10 5", "2 5", "12 4 2 4", "6 3")
ALL_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
DEFAULT_WEIGHT = 4
FILE = "data/categories.yaml"


def _defaults(declared: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each category's map style with what it leaves out filled in: the next
    (symbol, pattern) pair no category uses, and a colour from the palette."""
    taken = {(m["symbol"], m["dash"]) for m in declared if "symbol" in m and "dash" in m}
    out: list[dict[str, Any]] = []
    n = 0
    for m in declared:
        if "symbol" in m and "dash" in m:
            pair, colour = (m["symbol"], m["dash"]), PALETTE[len(out) % len(PALETTE)]
        else:
            for _ in range(len(SYMBOLS) * len(DASHES)):
                pair = (m.get("symbol", SYMBOLS[n % len(SYMBOLS)]),
                        m.get("dash", DASHES[n % len(DASHES)]))
                colour = PALETTE[n % len(PALETTE)]
                n += 1
                if pair not in taken:
                    break
            taken.add(pair)
        out.append({"symbol": pair[0], "dash": pair[1], "color": m.get("color", colour),
                    "weight": m.get("weight", DEFAULT_WEIGHT)})
    return out


def build(raw: list[Any], problems: Problems, where: Any, languages: tuple[str, ...],
          geometry_setting: Mapping[str, list[str]] | None) -> dict[str, Category]:
    """The declared categories, in file order, from the schema-checked mappings of
    data/categories.yaml. `languages`: the site's (the first is the default); () when
    the municipality could not be read. `geometry_setting`: CABILDO_GEOMETRY_TYPES."""
    from . import checks
    kept: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []
    seen: dict[str, bool] = {}
    for located, path, m in raw:
        if checks.duplicate(problems, where, ("category", m["id"]), located, path, seen):
            continue
        seen[m["id"]] = True
        kept.append((located, path, m))
    styles = _defaults([m.get("map", {}) for _, _, m in kept])
    categories: dict[str, Category] = {}
    for (located, path, m), style in zip(kept, styles):
        labels = _labels(m["label"], languages, problems, located, path)
        types = tuple(m.get("geometry", ALL_TYPES))
        if geometry_setting and m["id"] in geometry_setting:
            types = tuple(geometry_setting[m["id"]])
        categories[m["id"]] = Category(m["id"], labels, MapStyle(**style), types,
                                       Source(located.path, located.where(path)[0]))
    for name in sorted(geometry_setting or ()):
        if name not in categories and "category" not in where.unsure:
            problems.add("pelicanconf.py", 0, 0, f"CABILDO_GEOMETRY_TYPES.{name}",
                         f"unknown category '{name}'", _hint(name, categories))
    return categories


def _labels(label: str | dict[str, str], languages: tuple[str, ...], problems: Problems,
            located: Any, path: tuple[Any, ...]) -> dict[str, str]:
    """Labels by language, the default language's first. A missing default-language label
    is an error (its pages would show another language); another site language's is a
    warning (its pages show the default's, as the site reads before it is translated)."""
    if isinstance(label, str):
        return {"": label}
    if languages and languages[0] not in label:
        line, col = located.where(path + ("label",))
        problems.add(located.path, line, col, _dotted(path + ("label",)),
                     f"no label in '{languages[0]}', the site's main language",
                     f"add {languages[0]}: to label, or write one label for every language")
    for lang in languages[1:]:
        if lang not in label:
            line, col = located.where(path + ("label",))
            problems.add(located.path, line, col, _dotted(path + ("label",)),
                         f"no label in '{lang}'; its pages show the "
                         f"'{languages[0]}' one", f"add {lang}: to label", severity="warning")
    order = [lang for lang in languages if lang in label]
    return {lang: label[lang] for lang in [*order, *(k for k in label if k not in order)]}


def _dotted(path: tuple[Any, ...]) -> str:
    from .yamlread import dotted
    return dotted(path)


def _hint(value: str, categories: Mapping[str, Category]) -> str:
    """Did you mean: the closest id, or the id whose label is closest (a label typed for
    an id: 'escuela' for school); else the declared ids."""
    close = difflib.get_close_matches(value, list(categories), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    by_label = {label.casefold(): c.id for c in categories.values() for label in c.labels.values()}
    close = difflib.get_close_matches(value.casefold(), list(by_label), n=1)
    if close:
        return f"did you mean '{by_label[close[0]]}'?"
    return f"use one of {', '.join(categories)}, or declare it in {FILE}"


def check_references(problems: Problems, where: Any, categories: Mapping[str, Category],
                     projects: Iterable[Project],
                     council_assemblies: Iterable[CouncilAssembly],
                     ballots: Iterable[Any] = ()) -> None:
    """Every category a project, a council's priority or a ballot's project names is
    declared."""
    named: list[tuple[tuple[str, Any], tuple[Any, ...], str]] = [
        (("project", p.id), ("category",), p.category) for p in projects]
    named += [(("council_assembly", a.id), ("priorities", i, "category"), priority.category)
              for a in council_assemblies for i, priority in enumerate(a.priorities)
              if priority.category]
    named += [(("ballot", b.year), ("pools", i, "projects", j, "categories", k), cid)
              for b in ballots for i, pool in enumerate(b.pools)
              for j, project in enumerate(pool.projects)
              for k, cid in enumerate(project.categories)]
    if not categories and named and "category" not in where.unsure:
        # the file is absent (an empty one is a schema problem): one problem, not hundreds
        problems.add(FILE, 0, 0, "", "this file is missing, and projects name categories",
                     f"create {FILE}: each category with its id and label")
        return
    check_named(problems, where, categories, named)


def check_named(problems: Problems, where: Any, categories: Mapping[str, Category],
                named: Iterable[tuple[tuple[str, Any], tuple[Any, ...], str]]) -> None:
    """Each (record key, field path, category id) names a declared category. Nothing is
    reported for a category whose record could not be read, nor when categories.yaml
    could not be read at all (their problems are reported already) or declares nothing
    (see check_references)."""
    unsure = where.unsure.get("category", set())
    if not categories or unsure is None:
        return
    for key, field, value in named:
        if value not in categories and value not in unsure:
            path, line, col, dotted = where(key, *field)
            problems.add(path, line, col, dotted, f"category '{value}' is not declared",
                         _hint(value, categories))
