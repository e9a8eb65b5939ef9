"""Pabulib: import real `.pb` files, build the site, check every result, export `.pb` again.

Real data: ../shared/pabulib/france-toulouse-2022/ (Toulouse 2022, approval, greedy,
20 districts and the citywide file repeating them). Cite: Stolicki, Szufa, Talmon,
"Pabulib: A Participatory Budgeting Library", arXiv:2012.06539; Faliszewski et al.,
IJCAI 2023. The files are read, never copied into the repository.
"""
from __future__ import annotations

import csv
import random
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from markupsafe import escape

from cabildo.importers import pbfile
from cabildo.importers.pabulib import ImportProblem, import_pabulib
from cabildo.model.load import load_dataset
from cabildo.model.records import Money
from cabildo.pelican.build import build
from cabildo.views import results

ROOT = Path(__file__).resolve().parent.parent
TOULOUSE = ROOT.parent / "shared" / "pabulib" / "france-toulouse-2022"
if not TOULOUSE.is_dir():  # a worktree under /work/wt/<name>: shared data beside it
    TOULOUSE = Path("/work/shared/pabulib/france-toulouse-2022")
pytestmark = pytest.mark.skipif(not TOULOUSE.is_dir(), reason="Toulouse .pb files not found")
CABILDO = [sys.executable, "-m", "cabildo.pelican.cli"]
SITE = {"CABILDO_DEMO_NOTICE": False, "CABILDO_BULLETINS": False, "CABILDO_SEARCH": False,
        "CABILDO_MAPS": False}


def district(n: int) -> Path:
    return next(TOULOUSE.glob(f"France_Toulouse_2022_{n}_-_*.pb"))


@pytest.fixture(scope="module")
def toulouse(tmp_path_factory):
    """Toulouse imported (command line, as a user would) and built once for this module."""
    base = tmp_path_factory.mktemp("toulouse")
    data, out = base / "data", base / "output"
    done = subprocess.run(CABILDO + ["import", "pabulib", str(TOULOUSE), "--out", str(data)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    overrides = {"CABILDO_DATA_DIR": str(data), **SITE}
    assert build(str(ROOT / "pelicanconf.py"), str(out), overrides, quiet=True) == 0
    return data, out


def _pool_page(out: Path, pool_id: str) -> str:
    return (out / "resultats" / "2022" / pool_id / "index.html").read_text("utf-8")


# --- Import ---------------------------------------------------------------------------

def test_citywide_union_is_not_counted_twice(toulouse):
    data, _ = toulouse
    ballot = yaml.safe_load((data / "ballots" / "2022.yaml").read_text("utf-8"))["ballot"]
    ids = [p["external_ids"]["pabulib"] for pool in ballot["pools"] for p in pool["projects"]]
    citywide = pbfile.read(TOULOUSE / "France_Toulouse_2022.pb")
    assert sorted(ids) == sorted(citywide.projects)  # 199, each once
    assert len(ballot["pools"]) == 20 and all(p.get("parish") for p in ballot["pools"])
    # The citywide file gives the cycle's totals: its whole-number budget and distinct voters.
    assert ballot["budget"] == 8000000 and isinstance(ballot["budget"], int)
    assert ballot["voters"] == 4532


def test_district_pool_equals_its_file(toulouse):
    data, _ = toulouse
    ballot = yaml.safe_load((data / "ballots" / "2022.yaml").read_text("utf-8"))["ballot"]
    pb = pbfile.read(district(4))
    pool = next(p for p in ballot["pools"] if p["name"] == pb.meta["subunit"])
    assert pool["voters"] == 253 and pool["budget"] == 400000
    declared = yaml.safe_load((data / "categories.yaml").read_text("utf-8"))["categories"]
    label = {c["id"]: c["label"]["fr"] for c in declared}
    got = {p["external_ids"]["pabulib"]: (p["cost"], p["votes"], p["title"],
                                          [label[c] for c in p["categories"]])
           for p in pool["projects"]}
    assert got == {pid: (int(p.cost), int(p.fields["votes"]), p.fields["name"],
                         [p.fields["category"]]) for pid, p in pb.projects.items()}
    assert got["105"][0] == 5320  # "5320.0" in the file: a whole number, kept exact


def test_the_files_categories_become_the_site_s_declared_categories(toulouse):
    """Toulouse's own six categories, in French as the files write them (not Torres's
    eleven), declared in data/categories.yaml; each project names them by id."""
    data, out = toulouse
    declared = yaml.safe_load((data / "categories.yaml").read_text("utf-8"))["categories"]
    assert declared == [  # in the order the files first name them
        {"id": "cadre-de-vie", "label": {"fr": "Cadre de vie"}},
        {"id": "nature-en-ville", "label": {"fr": "Nature en ville"}},
        {"id": "eco-mobilite", "label": {"fr": "Éco-mobilité"}},
        {"id": "energie", "label": {"fr": "Énergie"}},
        {"id": "dechets-et-recyclage", "label": {"fr": "Déchets et Recyclage"}},
        {"id": "consommation-responsable", "label": {"fr": "Consommation responsable"}}]
    site = load_dataset(data)
    assert [c.label_in("fr") for c in site.categories.values()] == [
        c["label"]["fr"] for c in declared]
    named = {c for pool in site.ballots[2022].pools for p in pool.projects for c in p.categories}
    assert named == {c["id"] for c in declared}
    # a ballot naming a category nobody declared is stopped at its line
    ballot = data.parent / "broken" / "ballots" / "2022.yaml"
    shutil.copytree(data, data.parent / "broken")
    text = ballot.read_text("utf-8")
    ballot.write_text(text.replace("- cadre-de-vie\n", "- cadre-de-vies\n", 1), "utf-8")
    line = text.splitlines().index("      - cadre-de-vie") + 1
    from cabildo.model.problems import DataProblems
    with pytest.raises(DataProblems) as caught:
        load_dataset(data.parent / "broken")
    assert [(p.path, p.line, p.message, p.hint) for p in caught.value.problems] == [
        ("data/ballots/2022.yaml", line, "category 'cadre-de-vies' is not declared",
         "did you mean 'cadre-de-vie'?")]


def test_nothing_invented(toulouse):
    """Absent, never a placeholder: no population, no state, no `selected` (not published)."""
    data, _ = toulouse
    parishes = yaml.safe_load((data / "parishes.yaml").read_text("utf-8"))["parishes"]
    assert parishes[0] == {"id": "1-capitole-arnaud-bernard-carmes",
                           "name": "1 - Capitole / Arnaud Bernard / Carmes"}
    municipality = yaml.safe_load((data / "municipality.yaml").read_text("utf-8"))
    assert municipality["municipality"] == {
        "name": "Toulouse", "country": "FR", "languages": ["fr"], "default_currency": "EUR",
        "timezone": "Europe/Paris"}
    text = (data / "ballots" / "2022.yaml").read_text("utf-8")
    for placeholder in ("selected:", "population", ": 0\n", "null", "''", "TODO"):
        assert placeholder not in text


def test_import_refuses_to_overwrite(toulouse, tmp_path):
    data, _ = toulouse
    before = (data / "municipality.yaml").read_bytes()
    done = subprocess.run(CABILDO + ["import", "pabulib", str(district(4)), "--out", str(data)],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "already exists" in done.stderr
    assert "Traceback" not in done.stderr
    assert (data / "municipality.yaml").read_bytes() == before


ORDINAL = """META
key;value
description;A test of an ordinal vote
country;Poland
unit;Testowo
instance;2021
num_projects;4
num_votes;3
budget;100
vote_type;ordinal
rule;greedy
currency;PLN
language;pl
PROJECTS
project_id;cost;score;name
a;60;9;First
b;50.5;7;Second
c;40;4;Third
d;10;2;Fourth
VOTES
voter_id;vote
v1;a,b,c
v2;b,a
v3;a,d
"""


def test_ordinal_file_ranks_by_score(tmp_path):
    path = tmp_path / "ordinal.pb"
    path.write_text(ORDINAL, "utf-8")
    import_pabulib([path], tmp_path / "data")
    data = load_dataset(tmp_path / "data")
    assert data.municipality.languages == ("pl",) and data.municipality.country == "PL"
    ballot = data.ballots[2021]
    assert ballot.vote_type == "ordinal" and ballot.pools[0].id == "municipal"
    b = next(p for p in ballot.pools[0].projects if p.title == "Second")
    assert b.cost == Money(Decimal("50.5"), "PLN") and b.score == 7 and b.votes == 2
    pool = results.ballot_results(data)[2021].pools[0]
    # By score: First (60) fits, Second (50.5) no longer fits in 40, Third (40) does.
    assert [(r.title, r.computed) for r in pool.rows] == [
        ("First", True), ("Second", False), ("Third", True), ("Fourth", False)]


@pytest.mark.parametrize("line, text, message", [
    (17, "b;fifty;7;Second", "ordinal.pb:17: cost 'fifty' is not a number"),
    (17, "a;50;7;Second", "ordinal.pb:17: project a is listed twice (first on line 16)"),
    (23, "v2;b,z", "ordinal.pb:23: the ballot names project z, which PROJECTS does not list"),
    (16, "a;60;9", "ordinal.pb:16: 3 fields where the PROJECTS header has 4"),
])
def test_malformed_line_names_file_and_line(tmp_path, line, text, message):
    lines = ORDINAL.splitlines()
    lines[line - 1] = text
    path = tmp_path / "ordinal.pb"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "data"
    done = subprocess.run(CABILDO + ["import", "pabulib", str(path), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.startswith(message)
    assert "Traceback" not in done.stderr and not out.exists()


def test_votes_column_must_agree_with_ballots(tmp_path):
    votes = {"a": 3, "b": 2, "c": 1, "d": 9}  # the ballots name d once, not 9 times
    lines = ORDINAL.replace("project_id;cost;score;name", "project_id;cost;score;name;votes")
    text = "\n".join(line + f";{votes[line[0]]}" if line[:2] in ("a;", "b;", "c;", "d;") else line
                     for line in lines.splitlines()) + "\n"
    path = tmp_path / "ordinal.pb"
    path.write_text(text, "utf-8")
    with pytest.raises(ImportProblem, match=r"ordinal.pb:19: project d has votes 9 but 1 "):
        import_pabulib([path], tmp_path / "data")


# --- The site -------------------------------------------------------------------------

def test_district_page_shows_turnout_and_computed_selection(toulouse):
    _, out = toulouse
    page = _pool_page(out, "4-lapujade-bonnefoy-periole-marengo-la-colonne")
    assert "4 - Lapujade / Bonnefoy / Périole / Marengo / La Colonne" in page
    assert ">253<" in page  # people who voted
    assert "Sélection calculée" in page  # the site speaks the city's language
    assert "<svg" in page and "<script" not in page.split("<main", 1)[1].split("</main>")[0]
    # Ranked first with 115 votes, within the budget; the 160 000 project does not fit.
    assert "115 voix; coûte" in page and "dans le budget de" in page
    assert page.count("(calculé)") == 10


def test_citywide_totals_equal_the_files(toulouse):
    _, out = toulouse
    page = (out / "resultats" / "2022" / "index.html").read_text("utf-8")
    assert "<dd>4\u202f532</dd>" in page  # people who voted, citywide (French digits)
    assert page.count('href="/resultats/2022/') >= 20
    home = (out / "index.html").read_text("utf-8")
    assert "Toulouse" in home and "Residents who took part" not in home


def test_every_project_in_open_data(toulouse):
    _, out = toulouse
    rows = list(csv.DictReader((out / "datos" / "resultados.csv").open(encoding="utf-8")))
    assert len(rows) == 199
    assert {r["external_ids"] for r in rows} == {
        f"pabulib:{pid}" for pid in pbfile.read(TOULOUSE / "France_Toulouse_2022.pb").projects}
    assert all(r["announced"] == "" and r["computed"] in ("true", "false") for r in rows)
    assert (out / "datos" / "discrepancias.csv").read_text("utf-8").count("\n") == 1


def test_greedy_matches_pabutools_on_real_ballots(toulouse):
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare
    data, _ = toulouse
    dataset = load_dataset(data)
    for pool, record in zip(results.ballot_results(dataset)[2022].pools,
                            dataset.ballots[2022].pools):
        instance, profile = parse_pabulib(str(TOULOUSE / record.source_file))
        theirs = {p.name for p in greedy_utilitarian_welfare(instance, profile,
                                                             sat_class=Cost_Sat)}
        assert {dict(r.external_ids)["pabulib"] for r in pool.rows if r.computed} == theirs


def test_greedy_matches_pabutools_on_random_pools():
    """Property: on random approval profiles, our greedy = pabutools' (ties excluded)."""
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
    from pabutools.rules import greedy_utilitarian_welfare
    rng = random.Random(11)
    for _ in range(150):
        n = rng.randint(1, 9)
        projects = [Project(str(i), rng.randint(1, 50)) for i in range(n)]
        ballots = [ApprovalBallot(rng.sample(projects, rng.randint(1, n)))
                   for _ in range(rng.randint(1, 30))]
        votes = {p.name: sum(p in b for b in ballots) for p in projects}
        if len(set(votes.values())) < n:
            continue  # tie-breaking is a convention, not the rule
        budget = rng.randint(1, 200)
        theirs = greedy_utilitarian_welfare(Instance(projects, budget_limit=budget),
                                            ApprovalProfile(ballots), sat_class=Cost_Sat)
        rows = [results.Row(0, p.name, p.name, Money(Decimal(p.cost), "EUR"), votes[p.name],
                            None, None, None, None, ("", {})) for p in projects]
        results.greedy(rows, Money(Decimal(budget), "EUR"), False)
        assert {r.id for r in rows if r.computed} == {p.name for p in theirs}
        assert sum(r.cost.amount for r in rows if r.computed) <= budget


# --- Export and round trip ------------------------------------------------------------

def test_round_trip_through_exported_pb(toulouse, tmp_path):
    """Import, build, read the exported .pb files: same projects, costs, votes, selections."""
    data, out = toulouse
    exported = sorted((out / "datos" / "2022" / "pabulib").glob("*.pb"))
    assert len(exported) == 20
    for original in TOULOUSE.glob("France_Toulouse_2022_*_-_*.pb"):
        pb = pbfile.read(original)
        mine = next(pbfile.read(p) for p in exported
                    if pbfile.read(p).meta.get("subunit") == pb.meta["subunit"])
        assert {k: (v.cost, int(v.fields["votes"]), v.fields["name"], v.fields["category"])
                for k, v in mine.projects.items()} == {
            k: (v.cost, int(v.fields["votes"]), v.fields["name"], v.fields["category"])
            for k, v in pb.projects.items()}
        for key in ("budget", "vote_type", "rule", "currency", "date_begin", "num_votes"):
            assert Decimal(mine.meta[key]) == Decimal(pb.meta[key]) if key == "budget" \
                else mine.meta[key] == pb.meta[key]
    # pabutools reads our files too.
    from pabutools.election import parse_pabulib
    instance, _ = parse_pabulib(str(exported[0]))
    assert len(instance) == 10 and instance.budget_limit == 400000
    # And importing them again gives the same selections.
    again = tmp_path / "again"
    import_pabulib(exported, again)
    first = results.ballot_results(load_dataset(data))[2022]
    second = results.ballot_results(load_dataset(again))[2022]
    assert {p.name: {r.external_ids for r in p.rows if r.computed} for p in first.pools} == \
        {p.name: {r.external_ids for r in p.rows if r.computed} for p in second.pools}


# --- A deliberately wrong announced result --------------------------------------------

def test_wrong_announced_result_is_shown_and_listed(tmp_path):
    """District 17 announced as selecting its least-voted project instead of its first."""
    pb = pbfile.read(district(17))
    ranked = sorted(pb.projects.values(), key=lambda p: -int(p.fields["votes"]))
    text = district(17).read_text("utf-8").replace(
        "project_id;cost;votes;name;category;district",
        "project_id;cost;votes;name;category;district;selected")
    rows = [results.Row(0, p.id, p.fields["name"], Money(p.cost, "EUR"), int(p.fields["votes"]),
                        None, None, None, None, ("", {})) for p in ranked]
    results.greedy(rows, Money(Decimal(pb.meta["budget"]), "EUR"), False)
    first, last = ranked[0], ranked[-1]
    assert rows[0].computed and not rows[-1].computed
    # The announcement: the rule's selection, but the least-voted project instead of the first.
    wrong = {r.id for r in rows if r.computed} - {first.id} | {last.id}
    lines = []
    section = ""
    for line in text.splitlines():
        if line in ("META", "PROJECTS", "VOTES"):
            section = line
        elif section == "PROJECTS" and not line.startswith("project_id"):
            line += ";1" if line.split(";")[0] in wrong else ";0"
        lines.append(line)
    path = tmp_path / district(17).name
    path.write_text("\n".join(lines) + "\n", "utf-8")
    data, out = tmp_path / "data", tmp_path / "output"
    import_pabulib([path], data)
    assert build(str(ROOT / "pelicanconf.py"), str(out),
                 {"CABILDO_DATA_DIR": str(data), **SITE}, quiet=True) == 0
    pool_id = "17-mirail-universite-reynerie-bellefontaine"
    page = _pool_page(out, pool_id)
    assert "Vérification : 2 projets non conformes" in page
    def row(project):
        start = re.search(rf'<th scope="row"[^>]*>{re.escape(escape(project.fields["name"]))}',
                          page)
        return page[start.end():].split("</tr>", 1)[0]
    assert "Non annoncé comme retenu, mais la règle le retiendrait." in row(first)
    assert "Annoncé comme retenu, mais la règle ne le retiendrait pas." in row(last)
    listed = list(csv.DictReader((out / "datos" / "discrepancias.csv").open(encoding="utf-8")))
    assert {r["external_ids"] for r in listed} == {f"pabulib:{first.id}", f"pabulib:{last.id}"}
    assert (out / "resultats" / "2022" / "index.html").read_text("utf-8").count(
        "mais la règle") == 2


# --- Torres ---------------------------------------------------------------------------

def test_torres_check_finds_its_announced_results_consistent():
    data = load_dataset(ROOT / "data")
    for year in data.cycles:
        result = results.assembly_results(data, year)
        assert result.pools and not result.mismatches


def test_torres_approved_project_left_out_is_a_mismatch(tmp_path):
    """The validator already refuses a funded project without majority or over the envelope;
    the check adds the reverse: approved, fits what the funded ones leave, yet not funded."""
    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "data", data_dir)
    data = load_dataset(data_dir)
    dropped = next(p for p in data.projects_of(2026) if p.funded)
    path = data_dir / "projects" / "2026.yaml"
    text = path.read_text("utf-8")
    start = text.index(f"- id: {dropped.id}\n")
    end = text.index("  funded: true", start)
    path.write_text(text[:end] + "  funded: false" + text[end + len("  funded: true"):], "utf-8")
    result = results.assembly_results(load_dataset(data_dir), 2026)
    assert [(r.id, r.reason[0]) for _, r in result.mismatches] == [(dropped.id,
                                                                   "majority_left_out")]


def test_votes_are_streamed(tmp_path):
    """VOTES is counted line by line: memory does not grow with the file (MBs in real ones)."""
    import tracemalloc
    rng = random.Random(7)
    path = tmp_path / "big.pb"
    with path.open("w", encoding="utf-8") as f:
        f.write(ORDINAL.split("VOTES")[0].replace("ordinal", "approval") + "VOTES\nvoter_id;vote\n")
        for v in range(30_000):
            f.write(f"{v};{','.join(rng.sample('abcd', rng.randint(1, 4)))}\n")
    assert path.stat().st_size > 200_000
    tracemalloc.start()
    pb = pbfile.read(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert pb.voters == 30_000 and sum(pb.counted_votes.values()) > 30_000
    assert peak < 100_000  # bytes: buffers and counts, not the file's 200 kB+


def test_ballot_only_site_builds_with_bulletins_on(tmp_path):
    """A city with one citywide pool and no assembly cycles: the default settings
    (bulletins on) build it; the home page lists the pool and its voters."""
    path = tmp_path / "ordinal.pb"
    path.write_text(ORDINAL, "utf-8")
    data, out = tmp_path / "data", tmp_path / "output"
    import_pabulib([path], data)
    assert build(str(ROOT / "pelicanconf.py"), str(out),
                 {"CABILDO_DATA_DIR": str(data), "CABILDO_SEARCH": False}, quiet=True) == 0
    home = (out / "index.html").read_text("utf-8")
    assert '<html lang="pl">' in home and "A test of an ordinal vote" in home
    assert "3 voters" in home and 'href="/results/2021/municipal/"' in home
    assert not (out / "boletines").exists() and not (out / "bulletins").exists()
