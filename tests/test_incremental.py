"""Incremental and parallel builds give exactly the bytes of a clean, serial build.

The demo data is copied, edited at random the way staff edit it (a project's amount,
a council's name, a parish assembly's votes, a factory proposal's title), built again
incrementally over the previous output, and compared file by file with a clean build of
the same data.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import re
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cabildo.pelican.build import build
from cabildo.pelican.depends import Digests

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = str(ROOT / "pelicanconf.py")
QUICK = {"CABILDO_BULLETINS": False, "CABILDO_SEARCH": False}


def _build(data: Path, out: Path, cache: Path, **extra) -> None:
    overrides = {**QUICK, "CABILDO_DATA_DIR": str(data), "CABILDO_CACHE_DIR": str(cache),
                 **extra}
    assert build(SETTINGS, str(out), overrides, quiet=True) == 0


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _differences(a: dict, b: dict) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _edit(path: Path, pattern: str, change, rng: random.Random) -> str:
    """Change one line of `path` matching `pattern` (chosen at random); the new line."""
    lines = path.read_text("utf-8").split("\n")
    candidates = [i for i, line in enumerate(lines) if re.fullmatch(pattern, line)]
    i = rng.choice(candidates)
    lines[i] = change(re.fullmatch(pattern, lines[i]))
    path.write_text("\n".join(lines), "utf-8")
    return lines[i]


def _random_edits(data: Path, rng: random.Random) -> list[str]:
    projects = rng.choice(sorted((data / "projects").glob("*.yaml")))
    councils = rng.choice(sorted((data / "councils").glob("*.yaml")))
    assemblies = rng.choice(sorted((data / "parish-assemblies").glob("*.yaml")))
    return [
        _edit(projects, r"(\s+amount: )(\d+\.\d\d)",
              lambda m: f"{m[1]}{float(m[2]) * rng.uniform(0.5, 0.99):.2f}", rng),
        _edit(councils, r"(\s+name: )(.+)",
              lambda m: f"{m[1]}{m[2]} {rng.choice(['Norte', 'Sur', 'Ñ & <b>'])}", rng),
        _edit(assemblies, r"(\s+abstain: )([1-9]\d*)",  # fewer votes, none moved: still valid
              lambda m: f"{m[1]}{int(m[2]) - 1}", rng),
        # The factory's pages go through the same renderer; its records and index are
        # tracked per page, as the dataset is (the parish pages show its projects).
        _edit(data / "factory" / "proposals.yaml", r"(\s+title: )(.+)",
              lambda m: f"{m[1]}{m[2]} {rng.choice(['(revisada)', '<i>&'])}", rng),
    ]


def test_random_edits_build_incrementally_to_the_bytes_of_a_clean_build(tmp_path):
    seed = int(os.environ.get("CABILDO_TEST_SEED") or random.randrange(10_000))
    print(f"random edits with seed {seed}")  # shown when the test fails
    rng = random.Random(seed)
    data, cache = tmp_path / "data", tmp_path / "cache"
    shutil.copytree(ROOT / "data", data)
    out = tmp_path / "output"
    _build(data, out, cache)
    pages = sum(1 for _ in out.rglob("*.html"))

    for _round in range(2):
        before = _tree(out)
        kept = tmp_path / f"kept-{_round}"  # the previous build's files, by hard link
        shutil.copytree(out, kept, copy_function=os.link)
        edits = _random_edits(data, rng)
        _build(data, out, cache)
        clean = tmp_path / f"clean-{_round}"
        _build(data, clean, tmp_path / f"clean-cache-{_round}")

        after = _tree(out)
        assert _differences(after, _tree(clean)) == [], f"after {edits}"
        # The previous build was never written in place (it stays published until the
        # switch): its files, still linked from `kept`, hold their old bytes.
        assert _tree(kept) == before
        # Only the edited records' pages were rendered again; the rest were reused.
        reused = [p for p in out.rglob("*.html") if p.stat().st_nlink > 1]
        changed = _differences(before, after)
        assert changed, f"the edits {edits} changed no file"
        assert len(reused) > pages // 2, f"only {len(reused)} of {pages} pages reused"
        assert not any(p.relative_to(out).as_posix() in changed for p in reused)


def test_an_unchanged_build_reuses_every_page(tmp_path):
    cache = tmp_path / "cache"
    out = tmp_path / "output"
    _build(ROOT / "data", out, cache)
    before = _tree(out)
    kept = tmp_path / "kept"
    shutil.copytree(out, kept, copy_function=os.link)
    _build(ROOT / "data", out, cache)
    assert _tree(out) == before
    pages = [p for p in out.rglob("*.html") if p.parts[-2:] != ("pages",)]
    factory = [p for p in pages if "fabrica" in p.relative_to(out).parts]
    assert factory, "the demo has factory pages"
    linked = [p for p in pages if p.stat().st_nlink > 1]
    assert len(linked) > 0.9 * len(pages)
    assert all(p.stat().st_nlink > 1 for p in factory)


def test_parallel_build_writes_the_bytes_of_a_serial_build(tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    _build(ROOT / "data", serial, tmp_path / "c1", CABILDO_WORKERS=1)
    _build(ROOT / "data", parallel, tmp_path / "c2", CABILDO_WORKERS=2)
    files = _tree(serial)
    assert len(files) > 500
    assert _differences(files, _tree(parallel)) == []


# Values as records hold them: scalars, containers of them, and records (dataclasses).
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                     st.decimals(allow_nan=False, places=2), st.dates())


@dataclasses.dataclass(frozen=True)
class _Record:
    name: object
    value: object


_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
    st.dictionaries(st.text(max_size=4), inner, max_size=4),
    st.builds(_Record, inner, inner)), max_leaves=12)


def _typed(value):
    """`value` with every type spelled out: 1 and True (and 1.0) are equal, not the same."""
    if isinstance(value, dict):
        return ("dict", tuple((_typed(k), _typed(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(map(_typed, value)))
    if isinstance(value, _Record):
        return ("record", _typed(value.name), _typed(value.value))
    return (type(value).__name__, str(value))


@settings(max_examples=300, deadline=None)
@given(_values, _values)
def test_a_page_s_inputs_have_the_same_digest_exactly_when_they_are_the_same(a, b):
    """An edit that the digest missed would leave a stale page; one it saw where there
    was none would only cost a render. Both are checked: same digest iff same value."""
    same = _typed(a) == _typed(b)
    assert (Digests().of(a) == Digests().of(b)) == same
    digests = Digests()  # records remembered between the two, as in a build
    assert (digests.of([a]) == digests.of([b])) == same


def test_a_recycled_build_folder_ends_as_a_clean_build_and_the_published_one_is_untouched(
        tmp_path):
    """A build starts from the folder of the build before last (publish.py): pages that
    are the published ones stay, everything else goes, and pages no longer built (here:
    every English page, after English is dropped) are removed before the sitemap."""
    data, cache, out = tmp_path / "data", tmp_path / "cache", tmp_path / "output"
    shutil.copytree(ROOT / "data", data)
    _build(data, out, cache)
    older = out.resolve()
    _build(data, out, cache)  # nothing changed: the same files, linked
    published = out.resolve()
    assert older != published and (older / "proyectos").is_dir()
    folder = (older / "proyectos").stat().st_ino
    # what the older build may hold that must not survive: files no build writes
    (older / "proyectos" / "no-such-project").mkdir()
    (older / "proyectos" / "no-such-project" / "index.html").write_text("stale")
    (older / "datos" / "stale.csv").write_text("stale")
    before = _tree(published)
    kept = tmp_path / "kept"
    shutil.copytree(published, kept, copy_function=os.link)

    municipality = data / "municipality.yaml"
    municipality.write_text(municipality.read_text("utf-8").replace("  - en\n", ""), "utf-8")
    _build(data, out, cache)
    assert (out / "proyectos").stat().st_ino == folder  # the older build's folders, reused
    clean = tmp_path / "clean"
    _build(data, clean, tmp_path / "clean-cache")
    assert _differences(_tree(out), _tree(clean)) == []
    # (the English content/ pages stay: they are written from content/, not data/)
    assert not (out / "en" / "projects").exists()
    assert not (out / "proyectos" / "no-such-project").exists()
    assert "/en/projects/" not in (out / "sitemap.xml").read_text("utf-8")
    assert _tree(kept) == before  # the build published meanwhile was never written in place


def test_an_edit_rewrites_its_cycle_s_open_data_and_keeps_the_others(tmp_path):
    """Open data files whose values did not change are the published build's own files
    (hard-linked); the edited cycle's are written anew, with the new amount."""
    data, cache, out = tmp_path / "data", tmp_path / "cache", tmp_path / "output"
    shutil.copytree(ROOT / "data", data)
    _build(data, out, cache)
    before = out.resolve()
    edited = _edit(data / "projects" / "2025.yaml", r"(\s+amount: )(\d+)\.(\d\d)",
                   lambda m: f"{m[1]}{int(m[2]) + 1}.{m[3]}", random.Random(1))
    _build(data, out, cache)
    amount = edited.split(": ")[1]
    for name in ("proyectos.csv", "proyectos.json"):
        assert amount in (out / "datos" / "2025" / name).read_text("utf-8")
        assert amount not in (before / "datos" / "2025" / name).read_text("utf-8")
        assert not os.path.samefile(out / "datos" / "2025" / name, before / "datos" / "2025" / name)
        assert os.path.samefile(out / "datos" / "2024" / name, before / "datos" / "2024" / name)
    assert os.path.samefile(out / "datos" / "consejos.csv", before / "datos" / "consejos.csv")


def test_after_every_page_was_rendered_anew_the_next_build_starts_from_an_empty_folder(
        tmp_path):
    """When the build before last shares no pages with the published one (a setting
    every page shows changed), it is not recycled file by file: the next build starts
    empty, and still equals a clean build."""
    out, cache = tmp_path / "output", tmp_path / "cache"
    _build(ROOT / "data", out, cache)
    _build(ROOT / "data", out, cache, CABILDO_DEMO_NOTICE=False)  # every page changes
    _build(ROOT / "data", out, cache, CABILDO_DEMO_NOTICE=False)
    clean = tmp_path / "clean"
    _build(ROOT / "data", clean, tmp_path / "clean-cache", CABILDO_DEMO_NOTICE=False)
    assert _differences(_tree(out), _tree(clean)) == []
    pages = [p for p in out.rglob("*.html") if "proyectos" in p.parts]
    assert all(p.stat().st_nlink > 1 for p in pages)  # linked from the published build


def test_a_translation_edited_between_two_builds_in_one_process_shows(tmp_path, monkeypatch):
    # `cabildo serve` builds again and again in one process: an edited .po must reach the
    # pages at the next build (the compiled catalogs are kept by the .po's digest).
    from cabildo.views import catalogs
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(catalogs, "TRANSLATIONS_DIR", theme / "translations")
    data, out, cache = tmp_path / "data", tmp_path / "out", tmp_path / "cache"
    shutil.copytree(ROOT / "data", data)
    _build(data, out, cache, THEME=str(theme), CABILDO_MAPS=False)
    home = (out / "index.html").read_text("utf-8")
    assert ">Proyectos<" in home and "Proyectoz" not in home
    po = theme / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    text = po.read_text("utf-8")
    assert 'msgid "Projects"\nmsgstr "Proyectos"\n' in text
    po.write_text(text.replace('msgid "Projects"\nmsgstr "Proyectos"\n',
                               'msgid "Projects"\nmsgstr "Proyectoz"\n'), "utf-8")
    _build(data, out, cache, THEME=str(theme), CABILDO_MAPS=False)
    assert ">Proyectoz<" in (out / "index.html").read_text("utf-8")
    assert len(list((cache / "catalogs").glob("es-*.mo"))) == 2  # each .po, compiled once


def test_the_pages_open_in_a_browser_are_rendered_first_as_they_are_then_published(
        tmp_path, monkeypatch):
    """`cabildo serve` has the build render the pages open in a browser before it checks
    the others (pagerender.render_first), and before the bulletins' context (their
    links, with the PDF's size, as last published): the edited page is shown while the
    rest of the site is still the old one, and it is byte for byte the page then
    published."""
    from cabildo.outputs import bulletins
    from cabildo.pelican.bulletin_generator import LATER
    from cabildo.pelican.pagerender import render_first
    from cabildo.views.urls import file as page_file
    data, cache, out = tmp_path / "data", tmp_path / "cache", tmp_path / "output"
    shutil.copytree(ROOT / "data", data)
    as_served = {"CABILDO_BULLETINS": True, LATER: True}  # as `cabildo serve` builds
    _build(data, out, cache, **as_served)
    projects = sorted((data / "projects").glob("*.yaml"))[-1]
    text = projects.read_text("utf-8")
    found = re.search(r"\n- id: (\S+)\n(?:  .*\n)*?  title: (.+)\n", text)
    project_id, title = found[1], found[2]
    projects.write_text(text.replace(f"  title: {title}\n", f"  title: {title} (etapa 2)\n", 1),
                        "utf-8")
    edited = {page_file("project", "es", id=project_id), page_file("project", "en", id=project_id)}
    cycle = page_file("cycle", "es", year=int(projects.stem))  # links the cycle's bulletin
    open_pages = edited | {cycle, "no/such/page/index.html"}
    bulletins_known = []
    render_all = bulletins.render_all
    monkeypatch.setattr(bulletins, "render_all",
                        lambda *a, **k: bulletins_known.append(True) or render_all(*a, **k))

    class Browsers:
        shown: dict[str, bytes] = {}
        published_then: dict[str, str] = {}
        before_bulletins = False

        def open_pages(self):
            return open_pages

        def show(self, pages):
            self.shown, self.before_bulletins = pages, not bulletins_known
            self.published_then = {page: (out / page).read_text("utf-8") for page in pages}

    browsers = Browsers()
    render_first(browsers)
    try:
        _build(data, out, cache, **as_served)
    finally:
        render_first(None)
    assert sorted(browsers.shown) == sorted(open_pages - {"no/such/page/index.html"})
    assert browsers.before_bulletins and bulletins_known
    assert ".pdf" in browsers.shown[cycle].decode("utf-8")  # the bulletin, linked
    for page, html in browsers.shown.items():
        if page in edited:
            assert f"{title} (etapa 2)" in html.decode("utf-8")
            assert f"{title} (etapa 2)" not in browsers.published_then[page]  # shown first
        assert html == (out / page).read_bytes()  # what the build then published


def test_builds_in_one_process_do_not_keep_each_other_s_records(tmp_path):
    """`cabildo serve` builds again and again in one process: each build's records must
    go when it ends. Pelican's memoized content of each page kept that page's settings,
    and with them the whole dataset: one dataset more at every save (70,000 objects at
    full scale)."""
    import gc

    from cabildo.model.records import Dataset

    def alive() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if type(o) is Dataset)
    data, cache, out = tmp_path / "data", tmp_path / "cache", tmp_path / "output"
    shutil.copytree(ROOT / "data", data)
    before = alive()
    projects = sorted((data / "projects").glob("*.yaml"))[-1]
    for n in range(3):
        text = projects.read_text("utf-8")
        projects.write_text(re.sub(r"\n  title: (.+)\n", rf"\n  title: \1 ({n})\n", text, count=1),
                            "utf-8")
        _build(data, out, cache)
    assert alive() <= before


def test_a_site_wide_fragment_is_rendered_once_per_language_and_noted_on_every_page():
    """The menu and footer (views/fragments.py) are rendered once per language; what
    they read must still be noted for every page that shows them, or an edit to it
    would leave every page but the first one stale."""
    from types import SimpleNamespace

    from jinja2 import DictLoader, Environment

    from cabildo.pelican.depends import Reads
    from cabildo.views import fragments

    rendered = []
    env = Environment(autoescape=True, loader=DictLoader({
        "_menu.html": "{{ count(page_lang) }}<nav>{{ dataset.cycles|length }} {{ page_lang }}"
                      "</nav>",
        "page.html": "{% set page_lang = lang %}{{ fragment('_menu.html') }}<h1>{{ title }}</h1>",
    }))
    env.globals["count"] = lambda lang: rendered.append(lang) or ""
    fragments.install(env)
    dataset = SimpleNamespace(cycles={2025: "a", 2026: "b"})
    tracker = Reads(env, {"dataset": dataset}, {})
    pages = {}
    for lang, title in (("es", "Uno"), ("es", "Dos <b>"), ("en", "Three")):
        tracker.reads = reads = set()
        html = env.get_template("page.html").render(dataset=dataset, lang=lang, title=title)
        tracker.reads = None
        pages[title] = (html, reads)
    assert rendered == ["es", "en"]
    assert pages["Dos <b>"][0] == "<nav>2 es</nav><h1>Dos &lt;b&gt;</h1>"
    assert pages["Three"][0] == "<nav>2 en</nav><h1>Three</h1>"
    assert all(reads == {("dataset.cycles", "*")} for _, reads in pages.values())


def test_a_site_page_s_new_title_reaches_every_footer_in_an_incremental_build(tmp_path):
    """Every page's footer links the site's own pages (content/pages) by title: renaming
    one must re-render them all, not only Pelican's own pages (the footers kept the old
    title until a clean build)."""
    project = tmp_path / "site"
    project.mkdir()
    for name in ("content", "theme", "data"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(SETTINGS, project / "pelicanconf.py")
    settings, out, cache = str(project / "pelicanconf.py"), project / "output", tmp_path / "c"
    overrides = {**QUICK, "CABILDO_CACHE_DIR": str(cache)}
    assert build(settings, str(out), overrides, quiet=True) == 0
    page = next(p for p in sorted((project / "content" / "pages").glob("*.md"))
                if "Lang: en" in p.read_text("utf-8"))
    text = page.read_text("utf-8")
    page.write_text(re.sub(r"(?m)^Title: (.+)$", r"Title: \1 (revised)", text, count=1), "utf-8")
    assert build(settings, str(out), overrides, quiet=True) == 0
    clean = tmp_path / "clean"
    assert build(settings, str(clean), {**overrides, "CABILDO_CACHE_DIR": str(tmp_path / "c2")},
                 quiet=True) == 0
    projects = sorted((out / "en" / "projects").glob("*/index.html"))
    assert projects and "(revised)" in projects[0].read_text("utf-8")
    assert _differences(_tree(out), _tree(clean)) == []
