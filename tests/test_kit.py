"""Cabildo as a kit: a new municipality starts with `cabildo init` and builds at once,
in its own language, money and sort order, with nothing of Torres in it."""
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from cabildo.model.load import load_dataset
from cabildo.model.records import Money
from cabildo.views.i18n import Formatter, language_name

ROOT = Path(__file__).resolve().parent.parent
CABILDO = [sys.executable, "-m", "cabildo"]


def cabildo(*args, cwd=None):
    return subprocess.run([*CABILDO, *args], cwd=cwd, capture_output=True, text=True)


def text_of(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", "\u00a0")


@pytest.fixture(scope="module")
def ville(tmp_path_factory):
    """`cabildo init` for Toulouse in French, then `cabildo build`."""
    site = tmp_path_factory.mktemp("kit") / "ville"
    made = cabildo("init", str(site), "--name", "Toulouse", "--country", "FR",
                   "--language", "fr", "--currency", "EUR")
    assert made.returncode == 0, made.stderr
    built = cabildo("build", "--set", "CABILDO_BULLETINS=false", cwd=site)
    assert built.returncode == 0, built.stderr
    return site


def test_init_writes_a_site_that_validates(ville):
    checked = cabildo("validate", cwd=ville)
    assert checked.returncode == 0, checked.stderr
    assert "valid" in checked.stdout
    for data_file in (ville / "data").rglob("*.yaml"):  # editors find every schema
        first = data_file.read_text("utf-8").splitlines()[0]
        schema = first.partition("$schema=")[2]
        assert schema and (data_file.parent / schema).resolve().is_file(), data_file
    assert "cabildo validate" in (ville / ".gitlab-ci.yml").read_text()
    # Both CI files keep the cache folder the build filled between runs.
    import yaml
    assert (ville / ".cabildo-cache" / "xlsx").is_dir()
    github = yaml.safe_load((ville / ".github" / "workflows" / "cabildo.yml").read_text())
    assert [step["with"]["path"] for step in github["jobs"]["site"]["steps"]
            if step.get("uses", "").startswith("actions/cache")] == [".cabildo-cache"]
    gitlab = yaml.safe_load((ville / ".gitlab-ci.yml").read_text())
    assert gitlab["site"]["cache"]["paths"] == [".cabildo-cache/"]


def test_the_new_site_speaks_its_language_and_money(ville):
    home = (ville / "output" / "index.html").read_text("utf-8")
    assert '<html lang="fr"' in home
    # French: narrow space groups, € after (exact cents: one precision per figure)
    assert "45\u202f000,00\u00a0€" in text_of(home)
    assert "Budget participatif de Toulouse" in text_of(home)  # the French catalog
    # how the process works is the site's own page, not Torres's councils and assemblies
    assert "Chaque année, les habitants de Toulouse décident" in text_of(home)
    assert "conseils communaux" not in text_of(home)
    assert "Français" not in text_of(home)  # one language: no language switch


def test_the_new_site_s_categories_are_its_own_in_its_language(ville):
    """`cabildo init` declares three categories in French (data/categories.yaml); the
    example project shows its label and links to its list under the French id."""
    from cabildo.views import urls
    data = load_dataset(ville / "data")
    assert [c.label_in("fr") for c in data.categories.values()] == [
        "Voirie", "Écoles", "Parcs et espaces verts"]
    [project] = data.projects.values()
    html = (ville / "output" / urls.path("project", "fr", "fr", id=project.id)
            / "index.html").read_text("utf-8")
    assert "Voirie" in text_of(html)
    listing = urls.path("cycle_category", "fr", "fr", year=project.year, category="voirie")
    assert f'href="/{listing}"' in html and (ville / "output" / listing / "index.html").is_file()


def test_the_cycle_calendar_is_the_sites_own(ville):
    year = next((ville / "output" / "cycles").iterdir()).name  # French paths: cycles/2026/
    text = text_of((ville / "output" / "cycles" / year / "index.html").read_text("utf-8"))
    assert "Dépôt des projets" in text and "Vote" in text and "Résultats" in text
    for torres_phase in ("diagnostic", "CLPP", "deuxième tour"):
        assert torres_phase not in text


def test_nothing_of_torres_in_a_new_site(ville):
    for page in (ville / "output").rglob("*.html"):
        text = text_of(page.read_text("utf-8"))
        for word in ("Torres", "Venezuela", "Carora", "Lara", "OCHA", "Bs.", "actory", "ábrica",
                     "usine", "Popolo"):
            assert word not in text, (page, word)


def test_an_extension_without_data_leaves_no_trace(ville):
    """A site without data/factory/ has no factory page, feed, table or schema, and its data
    model page documents only the records it keeps (the factory is an installed extension)."""
    from cabildo.model.schema import FILE_KEYS
    out = ville / "output"
    assert not list(out.rglob("*factory*")) and not list(out.rglob("*fabrica*"))
    served = {p.name.removesuffix(".schema.json") for p in (out / "datos" / "esquemas").iterdir()}
    assert served and served <= set(FILE_KEYS.values())  # the core's, nothing else
    package = (out / "datos" / "datapackage.json").read_text("utf-8")
    assert "factory" not in package and "popolo" not in package
    model = text_of((out / "donnees" / "modele" / "index.html").read_text("utf-8"))
    assert "Schéma" in model and "municipality.schema.json" in model
    trace = re.compile(r"factory|f[aá]brica|\busines?\b|popolo", re.I)
    for path in out.rglob("*"):
        if path.suffix in (".html", ".json", ".csv", ".xml", ".geojson", ".txt"):
            assert not trace.search(path.read_text("utf-8")), path


@pytest.mark.parametrize("site, name", [("torres", "pelicanconf.py"),
                                        ("torres", "publishconf.py"), ("ville", "pelicanconf.py")])
def test_validate_reads_the_settings_the_build_reads(ville, monkeypatch, site, name):
    # validate reads the settings file without Pelican (build.read_config); the build's
    # Config must be the very one Pelican's reading of the same file would give.
    from pelican.settings import read_settings

    from cabildo.model.settings import read
    from cabildo.pelican.build import load_settings, read_config
    folder = ROOT if site == "torres" else ville
    monkeypatch.chdir(folder)  # publishconf.py imports pelicanconf from the current folder
    overrides = {"CABILDO_BULLETINS": False, "CABILDO_ROOT": str(folder)}
    config = read_config(name, overrides)
    assert config == read(read_settings(name, override=overrides))
    assert load_settings(name, overrides)[1] == config
    assert config["CABILDO_DATA_DIR"] == "data" and not config["CABILDO_BULLETINS"]


def test_a_broken_settings_file_is_one_line_naming_its_line(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    settings = tmp_path / "pelicanconf.py"
    for text, expected in [
            ("CABILDO_QUORUM = (\n", "line 2: '(' was never closed (Python cannot read the file)"),
            ("X = 1\nCABILDO_QUORUM = missing\n",
             "line 3: NameError: name 'missing' is not defined")]:
        settings.write_text("from cabildo.pelican.defaults import *\n" + text)
        for command in ("validate", "build"):
            ran = cabildo(command, cwd=tmp_path)
            assert (ran.returncode, ran.stderr) == (2, f"pelicanconf.py: {expected}\n")
    assert not (tmp_path / "output").exists()


def test_validate_speaks_ci_annotations(ville, tmp_path):
    broken = tmp_path / "data"
    subprocess.run(["cp", "-r", str(ville / "data"), str(broken)], check=True)
    projects = next((broken / "projects").glob("*.yaml"))
    projects.write_text(projects.read_text().replace("amount: 45000.00", "amount: lots"))
    checked = cabildo("validate", "--data", str(broken), "--annotations", "github", cwd=ville)
    assert checked.returncode == 1
    assert re.search(r"^::error file=.*projects/\d+\.yaml,line=\d+,col=\d+::.*amount",
                     checked.stdout, re.M), checked.stdout


def test_a_site_s_template_overrides_reach_its_bulletins(ville, tmp_path):
    """templates/ (THEME_TEMPLATES_OVERRIDES) replaces a theme template in the pages and
    in the printed bulletins alike."""
    from pypdf import PdfReader
    own = ville / "templates"
    own.mkdir(exist_ok=True)
    (own / "_office.html").write_text(
        '{% macro office_contact(office, links=True) %}Mairie : guichet unique.{% endmacro %}\n')
    try:
        out = tmp_path / "output"
        built = cabildo("build", "--output", str(out), cwd=ville)
        assert built.returncode == 0, built.stderr
        assert "Mairie : guichet unique." in (out / "index.html").read_text("utf-8")
        pdfs = sorted(out.rglob("*.pdf"))
        assert pdfs
        text = " ".join(p.extract_text() for p in PdfReader(pdfs[0]).pages)
        assert "Mairie : guichet unique." in " ".join(text.split())
        printed = cabildo("bulletins", "--output", str(tmp_path / "printed"), cwd=ville)
        assert printed.returncode == 0, printed.stderr
        pdf = sorted((tmp_path / "printed").rglob("*.pdf"))[0]
        text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
        assert "Mairie : guichet unique." in " ".join(text.split())  # `cabildo bulletins` too
    finally:
        (own / "_office.html").unlink()


def test_the_new_site_s_office_is_at_every_page_s_foot(ville):
    html = (ville / "output" / "index.html").read_text("utf-8")
    footer = html.split('<footer class="site-footer">')[1]
    assert "Questions sur le budget participatif :" in footer
    assert '<a href="mailto:budget@example.org">budget@example.org</a>' in footer


def test_init_refuses_what_it_cannot_know(tmp_path):
    for args, word in ((["--currency", "EURO"], "currency"), (["--country", "XX"], "country"),
                       (["--language", "zz"], "language")):
        base = {"--name": "X", "--country": "FR", "--language": "fr", "--currency": "EUR"}
        base.update(dict(zip(args[::2], args[1::2])))
        made = cabildo("init", str(tmp_path / word), *[x for kv in base.items() for x in kv])
        assert made.returncode == 2 and word in made.stderr, made.stderr
        assert "Traceback" not in made.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    made = cabildo("init", str(tmp_path / "full"), "--name", "X", "--country", "FR",
                   "--language", "fr", "--currency", "EUR")
    assert made.returncode == 2 and "not empty" in made.stderr


@pytest.mark.parametrize("locale, currency, expected", [
    ("fr_FR", "EUR", "1\u202f234,56\u00a0€"),
    ("pl_PL", "PLN", "45\u00a0893\u00a0414,00\u00a0zł"),
    ("en_US", "USD", "$1,234.56"),
    ("de_DE", "EUR", "1.234,56\u00a0€"),
])
def test_money_is_written_as_each_locale_writes_it(locale, currency, expected):
    amount = Decimal("45893414") if currency == "PLN" else Decimal("1234.56")
    assert Formatter("x", {"x": locale}, {}).money(Money(amount, currency)) == expected


def test_torres_keeps_its_own_money_pattern():
    fmt = Formatter("es", {"es": "es_VE"}, {"VES": "Bs."}, "¤\u00a0#,##0.00")
    assert fmt.money(Money(Decimal("1234567.891"), "VES")) == "Bs.\u00a01.234.567,89"
    assert fmt.money(Money(Decimal("1234567.5"), "VES"), digits=False) == "Bs.\u00a01.234.568"


def test_language_names_come_from_cldr():
    assert [language_name(c) for c in ("es", "en", "fr", "pl")] == [
        "Español", "English", "Français", "Polski"]


def test_lists_follow_the_locale_collation(ville, tmp_path):
    data = tmp_path / "data"
    subprocess.run(["cp", "-r", str(ville / "data"), str(data)], check=True)
    parishes = data / "parishes.yaml"
    names = ["Zèbre", "Été", "Côte", "cote", "Abbaye"]
    parishes.write_text(parishes.read_text() + "".join(
        f"- id: p{i}\n  name: {name}\n  population: 10\n" for i, name in enumerate(names)))
    order = [p.name for p in load_dataset(data).parishes.values()]
    assert order == ["Abbaye", "Centre", "cote", "Côte", "Été", "Zèbre"]  # not Z before É


def test_the_wheel_carries_theme_translations_and_schemas(tmp_path):
    # Built from a copy of what the wheel is made of: setuptools never empties an old
    # build/ folder, whose stale files (moved schemas...) would be shipped again.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    for folder in ("plugins", "theme"):
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    made = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(tmp_path), str(source)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    names = zipfile.ZipFile(next(tmp_path.glob("cabildo-*.whl"))).namelist()
    base = "cabildo/"
    for expected in ("__init__.py", "model/load.py", "model/schemas/project.schema.json",
                     "theme/templates/base.html", "theme/static/css/cabildo.css",
                     "theme/translations/es/LC_MESSAGES/messages.po",
                     "extensions/factory/load.py",
                     "extensions/factory/schemas/factory_meeting.schema.json"):
        assert base + expected in names, expected
    # Every module of the package (a subpackage left out of pyproject's list is not shipped).
    code = ROOT / "plugins" / "cabildo"
    for module in code.rglob("*.py"):
        assert base + module.relative_to(code).as_posix() in names, module
    assert not any(n.startswith(base + "model/schemas/factory") for n in names)
    assert not any(n.startswith(("tools/", "tests/", "data/")) for n in names)
    assert any(n.endswith("entry_points.txt") for n in names)


def test_every_language_keeps_each_path_s_placeholders():
    from cabildo.views import urls
    for lang in ("es", "en", "fr"):
        for pattern in urls.patterns().values():  # the core's and the factory's
            local = urls.localized(lang, pattern)
            assert set(re.findall(r"{\w+}", local)) == set(re.findall(r"{\w+}", pattern)), (
                lang, pattern, local)
            assert re.fullmatch(r"[a-z0-9{}_./-]*", local), (lang, local)  # plain URL slugs


def test_torres_keeps_its_spanish_paths():
    from cabildo.views import urls
    assert urls.path("parish_cycle", "es", "es", id="altagracia", year=2024) == \
        "parroquias/altagracia/2024/"
    assert urls.path("bulletin_municipal", "en", "es", year=2024) == \
        "en/bulletins/2024/municipality.pdf"
    assert urls.path("parish_cycle", "fr", "fr", id="centre", year=2026) == \
        "paroisses/centre/2026/"


def test_a_new_site_s_git_ignores_what_the_build_writes(ville):
    """The output link, the build folders and the cache are never committed by `git add -A`."""
    subprocess.run(["git", "init", "-q", str(ville)], check=True)
    status = subprocess.run(["git", "-C", str(ville), "status", "--porcelain", "-uall"],
                            capture_output=True, text=True, check=True).stdout
    assert "output" not in status and ".cabildo-cache" not in status, status
    assert "data/municipality.yaml" in status  # the site's own files are there to commit


def test_a_pelican_setting_the_build_would_refuse_is_refused_by_validate_too(tmp_path):
    """Pelican's own settings (the content and theme folders, the time zone): each
    mistake is one line naming the setting, from `validate` as from the build, and no
    Python traceback (a wrong theme was one; a wrong time zone failed at the first page)."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "content").mkdir()
    settings = tmp_path / "pelicanconf.py"
    for text, expected in [
            ('THEME = "themes/mine"\n',
             f"setting THEME: the theme folder 'themes/mine' does not exist (looked for in "
             f"{tmp_path})"),
            ('PATH = "pages"\n',
             f"setting PATH: the content folder 'pages' does not exist (looked for in "
             f"{tmp_path})"),
            ('TIMEZONE = "America/Carora"\n',
             "setting TIMEZONE: 'America/Carora' is not a time zone; use a name such as "
             '"America/Caracas" (the IANA database\'s)')]:
        settings.write_text("from cabildo.pelican.defaults import *\n" + text)
        for command in ("validate", "build"):
            ran = cabildo(command, cwd=tmp_path)
            assert (ran.returncode, ran.stderr) == (2, f"pelicanconf.py: {expected}\n"), command
    settings.write_text('from cabildo.pelican.defaults import *\nTIMEZONE = "America/Caracas"\n')
    assert cabildo("validate", cwd=tmp_path).returncode == 0
    for command in ("validate", "build"):  # an override is read from the current folder
        ran = cabildo(command, "--set", 'THEME="nope"', cwd=tmp_path)
        assert (ran.returncode, ran.stderr) == (2, "pelicanconf.py: setting THEME: the theme "
                                                f"folder 'nope' does not exist (looked for in "
                                                f"{tmp_path})\n"), command
    assert not (tmp_path / "output").exists()
