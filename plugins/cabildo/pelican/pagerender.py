"""The budget pages: rendered across cores, and only where something they show changed.

Each page is rendered in every language by one worker (its map is drawn once,
then localised). Workers are forked after the dataset is loaded, so they share
it without reading or unpickling it again; each writes its own files, so output
order does not matter and the bytes are those of a serial build.

An incremental build starts from the files of the published build: a page whose
inputs (see depends.py) are unchanged is kept (reuse.py: the build folder starts as
the build before last) or hard-linked from it into the new build folder; every
other page is rendered and written to a temporary name, then renamed. The record of
inputs is written beside the cache, and becomes the current one only when the new
build is published (reuse.commit).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from ..extensions import extensions
from ..outputs.files import link_or_copy
from ..views import i18n, seo, urls
from ..workers import can_fork, run_forked, worker_count
from . import reuse
from .depends import Digests, Reads, shared

log = logging.getLogger(__name__)

RECORD_VERSION = 2  # 2: extensions' records and index methods tracked per page
_WORK: dict = {}  # what forked workers inherit

# Context entries that are not hashed whole: tracked as read, or functions of the data.
_UNHASHED = {"dataset", "index", "bulletin", "pages", "hidden_pages",
             "draft_pages", "articles", "drafts", "dates", "categories", "tags", "authors",
             "related_posts", "static_content", "static_links", "generated_content",
             "localsiteurl", "output_file", "_", "cabildo_page_generators"}
# Not hashed into every page's record: paths of this build, and the dataset and checked
# settings the build hands down (each page's own reads of the dataset are tracked; the
# settings' raw values are hashed already).
# How many workers render and where caches live change how, not what, is written.
_VOLATILE_SETTINGS = {"OUTPUT_PATH", "PREVIOUS_OUTPUT_PATH", "cabildo_dataset", "cabildo_config",
                      "CABILDO_WORKERS", "CABILDO_BULLETIN_WORKERS", "CABILDO_CACHE_DIR",
                      "CABILDO_SEARCH",  # the search index is not in any page
                      "cabildo_bulletins_later"}  # their links are tracked per page


def code_digest(theme: Path) -> str:
    """Templates, catalogs and the plugin's own code: a change re-renders every page."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in (theme / "templates", theme / "translations", package):
        for file in sorted(folder.rglob("*")):
            if file.is_file() and file.suffix in (".html", ".po", ".py", ".json"):
                digest.update(str(file.relative_to(folder)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def _global_digest(gen, digests: Digests) -> str:
    settings = {k: v for k, v in gen.settings.items() if k not in _VOLATILE_SETTINGS}
    jinja = settings.get("JINJA_ENVIRONMENT")
    if isinstance(jinja, dict):  # where compiled templates are kept changes no page
        settings["JINJA_ENVIRONMENT"] = {k: v for k, v in jinja.items()
                                         if k not in ("bytecode_cache", "auto_reload")}
    derived = {name for ext in extensions() for name in ext.derived_context}
    context = {k: v for k, v in gen.context.items()
               if k not in _UNHASHED and k not in derived and k not in gen.settings}
    # An extension's records are looked up like the dataset (tracked per page, see
    # tracked()); only whether the site has them ({% if factory %}) is global.
    for ext in extensions():
        if ext.name in context:
            context[ext.name] = context[ext.name] is not None
    # The site's own pages (content/pages) are linked from every page's footer, by title:
    # Pelican's page objects are not hashed whole (they hold the settings), what shows is.
    own = [[page.lang, page.url, str(page.title),
            [[t.lang, t.url, str(t.title)] for t in page.translations]]
           for page in gen.context.get("pages") or []]
    return hashlib.sha256("\n".join([
        str(RECORD_VERSION), code_digest(Path(gen.settings["THEME"])),
        digests.of(settings), digests.of(context), digests.of(own)]).encode()).hexdigest()


class _Bulletins:
    """The context's `bulletin()` link, noting what each call showed."""

    def __init__(self, link, calls: list):
        self.link, self.calls = link, calls

    def __call__(self, *args):
        found = self.link(*args)
        self.calls.append([list(args), _link_value(found)])
        return found


def _link_value(link) -> list | None:
    return None if link is None else [link.url, link.size, link.bytes]


class _Worker:
    """Renders pages; one per process."""

    def __init__(self, gen, previous: dict, previous_output: Path | None):
        self.gen = gen
        self.previous = previous
        self.previous_output = previous_output
        self.out = Path(gen.output_path)
        self.languages = gen.data.municipality.languages
        self.digests = shared(gen.data)
        # what templates look up in the shared context's records and indexes
        objects, owners = tracked(gen.context)
        self.reads = Reads(gen.env, objects, owners)
        self.link = gen.context.get("bulletin")
        self._map_inputs: str | None = None
        gen._outlines = {}

    def map_inputs(self, page) -> str | None:
        if not self.gen.has_map(page):
            return None
        if self._map_inputs is None:
            data = self.gen.data
            self._map_inputs = self.digests.of([data.boundaries, data.parishes])
        return self._map_inputs

    def unchanged(self, record: dict | None, page_digest: str, target: str) -> bool:
        if not record or record["page"] != page_digest or self.previous_output is None:
            return False
        for name, key, digest in record["reads"]:
            if self._digest_of_read(name, key) != digest:
                return False
        for args, shown in record["calls"]:
            if self.link is None or _link_value(self.link(*args)) != shown:
                return False
        return (self.previous_output / target).is_file()

    def page(self, number: int) -> dict:
        gen = self.gen
        page = gen.pages[number]
        gen._map_cache = {}  # a page's map is rendered once, then localised per language
        template = gen.get_template(page.template.removesuffix(".html"))
        alternates = self.alternates(page)
        records = {}
        own = self.digests.of(page.context)  # the same in every language: hashed once
        for lang in self.languages:
            target, mine, extras = self.inputs(page, lang, alternates)
            # A map is drawn from the page's context, the boundaries and the parishes
            # (mapviews.py): their digest stands for it, so an unchanged page is known
            # without drawing its map.
            page_digest = self.digests.of([template.name, _plain(mine), own, _plain(extras),
                                           self.map_inputs(page)])
            record = self.previous.get(target)
            if self.unchanged(record, page_digest, target):
                if not reuse.kept(target):  # a kept page is the published one already
                    _link(self.previous_output / target, self.out / target)
                records[target] = record
                continue
            records[target] = self.render(template, target, self.values(page, mine, extras),
                                          page_digest)
        return records

    def alternates(self, page) -> dict[str, str]:
        """The page's path in each language."""
        default = self.languages[0]
        return {lang: urls.path(page.kind, lang, default, **page.values)
                for lang in self.languages}

    def inputs(self, page, lang: str, alternates: dict) -> tuple[str, dict, dict]:
        """(output file, the page's own values in `lang`, its SEO extras)."""
        path = alternates[lang]
        target = path if path.endswith(".html") else path + "index.html"
        mine = {"lang": lang, "page_kind": page.kind, "alternates": alternates,
                "this_path": path}
        return target, mine, seo.extras(page, lang, self.gen.data, self.gen.settings)

    def values(self, page, mine: dict, extras: dict) -> dict:
        """What the page's template is given in one language (its maps drawn)."""
        values = {**mine, **page.context, **extras}
        if self.gen.has_map(page):
            values.update(self.gen._maps(page, mine["lang"]))
        return values

    def render(self, template, target: str, values: dict, page_digest: str) -> dict:
        reads: set = set()
        calls: list = []
        html = self.html(template, target, values, reads, calls)
        _write(self.out / target, html.encode("utf-8"))
        # A key JSON cannot keep (a tuple of records...) stands for the whole collection.
        kept = {(name, key if _storable(key) else "*") for name, key in reads}
        return {"page": page_digest, "calls": calls,
                "reads": [[name, key, self._digest_of_read(name, key)]
                          for name, key in sorted(kept, key=repr)]}

    def html(self, template, target: str, values: dict, reads: set, calls: list) -> str:
        """The page, noting in `reads` and `calls` what its template looked up."""
        gen = self.gen
        context = dict(gen.context)
        context.update(localsiteurl=None, output_file=target, **values,
                       **i18n.page_gettext(values["lang"], gen.env.autoescape is True))
        if self.link is not None:
            context["bulletin"] = _Bulletins(self.link, calls)
        self.reads.reads = reads
        try:
            return template.render(context)
        finally:
            self.reads.reads = None

    def first(self, wanted: set[str]) -> dict[str, bytes]:
        """{output file: HTML} of the pages in `wanted`, rendered now (not written)."""
        shown = {}
        for page in self.gen.pages:
            alternates = self.alternates(page)
            for lang in self.languages:
                path = alternates[lang]
                if (path if path.endswith(".html") else path + "index.html") not in wanted:
                    continue
                self.gen._map_cache = {}
                template = self.gen.get_template(page.template.removesuffix(".html"))
                target, mine, extras = self.inputs(page, lang, alternates)
                html = self.html(template, target, self.values(page, mine, extras), set(), [])
                shown[target] = html.encode("utf-8")
        return shown

    def _digest_of_read(self, name: str, key) -> str:
        # a method's result is new at each call: hashed, not remembered
        return self.digests.of(self.reads.value(name, key), keep=not isinstance(key, (list, tuple)))


def _plain(value):
    """A page's own small values (its paths, its SEO extras) as JSON text when they are
    plain data: json's C encoder instead of walking them in Python, page after page.
    (Their types cannot change but with the code, whose digest is global.)"""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return value


def _storable(key) -> bool:
    if isinstance(key, tuple):  # a method call's arguments (depends.Reads.CALL first)
        return all(map(_storable, key))
    return isinstance(key, (str, int)) and not isinstance(key, bool)


def tracked(context: dict) -> tuple[dict, dict]:
    """The records templates look up, by context name, and what each index stands for:
    the budget's dataset and index, and each extension's records (under its name) and
    the context it derives from them (its index)."""
    objects = {"dataset": context.get("dataset"), "index": context.get("index")}
    owners = {"index": "dataset"}
    for ext in extensions():
        objects[ext.name] = context.get(ext.name)
        for derived in ext.derived_context:
            objects[derived] = context.get(derived)
            owners[derived] = ext.name
    return objects, owners


_MADE: set[Path] = set()  # folders this process made (a mkdir per page cost seconds)


def _folder(folder: Path) -> None:
    if folder not in _MADE:
        folder.mkdir(parents=True, exist_ok=True)
        _MADE.add(folder)


def _write(target: Path, content: bytes) -> None:
    _folder(target.parent)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_bytes(content)
    os.replace(temporary, target)


def _link(source: Path, target: Path) -> None:
    _folder(target.parent)
    link_or_copy(source, target)


_FIRST: list = []  # `cabildo serve`'s pages open in a browser (devserver.BuildNews)
# Context entry: the generators whose pages render_pages writes, once their context is ready.
PAGE_GENERATORS = "cabildo_page_generators"


def render_first(pages) -> None:
    """Under `cabildo serve`: each build renders first the pages open in a browser and
    hands them to `pages.show()`, before it checks the thousands of others, so that
    the page being edited reloads at once. `pages.open_pages()` names them (output
    files); None stops it."""
    _FIRST[:] = [] if pages is None else [pages]


def offer_first(gen) -> None:
    """`gen`'s context is ready: its open pages may be rendered (show_first)."""
    gen.context.setdefault(PAGE_GENERATORS, []).append(gen)


def show_first(context: dict, bulletin) -> None:
    """Render the open pages of the generators offered so far, now: before the
    bulletins' context (a tenth of a second of digests, seconds when one prints), with
    `bulletin` standing in for their links (the bulletins as last published). When the
    build then publishes a different page, the server reloads it again."""
    offered = context.pop(PAGE_GENERATORS, [])
    if not _FIRST:
        return
    wanted = _FIRST[0].open_pages()
    shown: dict[str, bytes] = {}
    for gen in offered:
        gen._shown_first = True  # render_pages does not render them again
        if wanted:
            shown.update(_rendered_first(gen, wanted, bulletin))
    if shown:
        _FIRST[0].show(shown)


def _rendered_first(gen, wanted: set[str], bulletin=None) -> dict[str, bytes]:
    env, context = gen.env, gen.context
    lookups = env.getattr, env.getitem  # the main process's, as the workers will find them
    standing_in = bulletin is not None and "bulletin" not in context
    if standing_in:
        context["bulletin"] = bulletin
    try:
        return _Worker(gen, {}, None).first(wanted)
    finally:
        env.getattr, env.getitem = lookups
        if standing_in:
            del context["bulletin"]


def _run_chunk(numbers: list[int]) -> dict:
    worker = _WORK.get("worker")
    if worker is None:
        worker = _WORK["worker"] = _Worker(_WORK["gen"], _WORK["previous"],
                                           _WORK["previous_output"])
    records = {}
    for number in numbers:
        records.update(worker.page(number))
    return records


def _load_record(path: Path | None, global_digest: str) -> dict:
    if path is None:
        return {}
    saved = reuse.read_record(path)
    if saved.get("global") != global_digest:
        return {}
    return saved.get("files", {})


def render_pages(gen, part: str = "budget") -> None:
    """Write the pages of a generator (the budget's, an extension's: `part` names its
    record of inputs) into gen.output_path, reusing unchanged ones. The generator gives
    pages, get_template(), has_map() and _maps(), data, env, context and settings."""
    import time

    from ..model.settings import read as read_cabildo
    if not getattr(gen, "_shown_first", False):  # a generator that did not offer itself
        offer_first(gen)
        show_first(gen.context, None)
    cabildo = read_cabildo(gen.settings)
    start = time.perf_counter()
    reuse.ready()
    record_path = reuse.record_path(gen.settings, cabildo, part)
    previous_output = gen.settings.get("PREVIOUS_OUTPUT_PATH")
    previous_output = Path(previous_output) if previous_output else None
    if previous_output is not None and not previous_output.is_dir():
        previous_output = None
    global_digest = _global_digest(gen, Digests())
    previous = _load_record(record_path, global_digest) if previous_output else {}

    _MADE.clear()  # a new build folder
    numbers = list(range(len(gen.pages)))
    workers = worker_count(cabildo["CABILDO_WORKERS"], len(numbers))
    _WORK.clear()
    _WORK.update(gen=gen, previous=previous, previous_output=previous_output)
    try:
        if not can_fork(workers):
            records = _run_chunk(numbers)
        else:
            # Pages in turn to each chunk: listings and project pages are spread evenly.
            size = max(1, len(numbers) // (workers * 8))
            chunks = [numbers[i:i + size] for i in range(0, len(numbers), size)]
            records = {}
            for done in run_forked(_run_chunk, chunks, workers):
                records.update(done)
    finally:
        _WORK.clear()
    reuse.claim(records)
    reused = sum(1 for target, record in records.items() if previous.get(target) is record
                 or previous.get(target) == record)
    log.info("%s pages: %d written, %d unchanged, in %.1f s", part, len(records) - reused, reused,
             time.perf_counter() - start)
    if record_path is not None:
        record_path.parent.mkdir(parents=True, exist_ok=True)
        pending = record_path.with_name(record_path.name + f".next-{os.getpid()}")
        content = {"global": global_digest, "files": dict(sorted(records.items()))}
        pending.write_text(json.dumps(content), "utf-8")
        reuse.publish_with_build(pending, record_path, content)
