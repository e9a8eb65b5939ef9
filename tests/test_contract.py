"""The data contract, finding by finding (issue 9): every valid record loads, every
mistake is one message at its file and line with a hint, and staff files cannot
smuggle in YAML features, links or control characters.

Each case starts from the small second municipality (tests/fixtures/riverside),
changes one thing as a clerk would, and checks the message a clerk would read.
"""
from __future__ import annotations

import re
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest

from cabildo.model.load import load_dataset
from cabildo.model.problems import DataProblems

ROOT = Path(__file__).resolve().parent.parent
RIVERSIDE = ROOT / "tests" / "fixtures" / "riverside" / "data"


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(RIVERSIDE, target)
    return target


def edit(data: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = data / rel
    text = path.read_text("utf-8")
    assert old in text, (old, rel)
    path.write_text(text.replace(old, new, count), "utf-8")


def problems(data: Path) -> list[str]:
    with pytest.raises(DataProblems) as caught:
        load_dataset(data)
    return [str(p) for p in caught.value.problems]


def line_of(data: Path, rel: str, needle: str) -> int:
    for number, line in enumerate((data / rel).read_text("utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def only(data: Path, pattern: str) -> str:
    """The one problem reported, which must match `pattern`; every message has a hint."""
    found = problems(data)
    assert len(found) == 1, found
    assert re.search(pattern, found[0]), found[0]
    assert re.search(r"\(.+\)$", found[0]), f"no hint: {found[0]}"
    return found[0]


PROJECTS = "projects/2025.yaml"


# Valid data that crashed -----------------------------------------------------------

def test_whole_number_amounts_are_decimal_money(data):
    edit(data, PROJECTS, "amount: 61250.50", "amount: 61250")
    edit(data, "cycles/2025.yaml", "budget: 100000.00", "budget: 100000")
    dataset = load_dataset(data)
    assert dataset.projects["harbour-road"].amount.amount == Decimal(61250)
    assert isinstance(dataset.projects["harbour-road"].amount.amount, Decimal)
    assert isinstance(dataset.cycles[2025].budget.amount, Decimal)


def test_titles_of_300_characters_are_accepted_and_301_explained(data):
    edit(data, PROJECTS, "title: Harbour Road resurfacing", "title: " + "T" * 300)
    assert len(load_dataset(data).projects["harbour-road"].title) == 300
    edit(data, PROJECTS, "title: " + "T" * 300, "title: " + "T" * 301)
    only(data, rf"data/{PROJECTS}:4:\d+: projects\[0\]\.title: the text is too long \(301 "
               r"characters\) \(keep it to 300 characters or fewer\)")


# What the build rejected at render time is rejected at load time -------------------

def test_unknown_time_zone(data):
    edit(data, "municipality.yaml", "timezone: America/Belize", "timezone: America/Belise")
    only(data, r"data/municipality\.yaml:9:\d+: municipality\.timezone: 'America/Belise' is "
               r"not a known time zone")


def test_unknown_locale(data):
    edit(data, "municipality.yaml", "locale: en_BZ", "locale: xx_XX")
    only(data, r"data/municipality\.yaml:7:\d+: municipality\.locale: 'xx_XX' is not")


def test_amount_and_population_too_large_to_format(data):
    edit(data, PROJECTS, "amount: 61250.50", "amount: 99999999999999999999.50")
    edit(data, "parishes.yaml", "population: 4000", "population: 99999999999999")
    found = problems(data)
    assert any(re.search(rf"data/{PROJECTS}:6:\d+: projects\[0\]\.amount: .* too large", p)
               for p in found), found
    assert any(re.search(r"data/parishes\.yaml:4:\d+: parishes\[0\]\.population: .* too large",
                         p) for p in found), found


@pytest.mark.parametrize("kind", ["MultiLineString", "LineString"])
def test_empty_geometry(data, kind):
    edit(data, PROJECTS, "  councils: [harbour]\n",
         f"  councils: [harbour]\n  geometry: {{type: {kind}, coordinates: []}}\n")
    only(data, rf"data/{PROJECTS}:\d+:\d+: projects\[0\]\.geometry\.coordinates: the {kind} "
               r"has no coordinates")


@pytest.mark.parametrize("coordinates", ["[-88,2, 17,5]", '"-88,2, 17,5"'])
def test_decimal_comma_coordinates(data, coordinates):
    edit(data, PROJECTS, "  councils: [orchard]\n",
         f"  councils: [orchard]\n  geometry: {{type: Point, coordinates: {coordinates}}}\n")
    message = only(data, rf"data/{PROJECTS}:\d+:\d+: projects\[1\]\.geometry\.coordinates: ")
    assert "with a dot" in message


def test_control_character_in_a_title(data):
    edit(data, PROJECTS, "title: Harbour Road resurfacing", 'title: "Harbour\\x01 Road"')
    only(data, rf"data/{PROJECTS}:4:\d+: projects\[0\]\.title: the text holds an invisible "
               r"control character \(U\+0001\)")


def test_an_id_too_long_for_a_file_name(data):
    long_id = "a" * 300
    edit(data, PROJECTS, "id: harbour-road", f"id: {long_id}")
    edit(data, "parish-assemblies/2025.yaml", "project: harbour-road", f"project: {long_id}", 2)
    edit(data, "council-assemblies/2025.yaml", "project: harbour-road", f"project: {long_id}")
    found = problems(data)
    assert all("too long" in p for p in found), found
    assert any(p.startswith(f"data/{PROJECTS}:2:") for p in found), found


@pytest.mark.parametrize("reserved", ["municipio", "municipality"])
def test_a_parish_cannot_take_a_file_name_of_the_site(data, reserved):
    with (data / "parishes.yaml").open("a") as f:
        f.write(f"- id: {reserved}\n  name: Centro\n  population: 10\n")
    only(data, rf"data/parishes\.yaml:8:\d+: parishes\[2\]\.id: the id '{reserved}' is "
               r"reserved")


@pytest.mark.parametrize("field, value, hint", [
    ("email", '"a@b.org?subject=x"', "office@example.org"),
    ("email", "not-an-address", "office@example.org"),
    ("phone", '"call us"', "+58 252 421 0000"),
])
def test_office_contact_is_checked(data, field, value, hint):
    """The office's e-mail and phone become mailto: and tel: links: only plain ones pass."""
    edit(data, "municipality.yaml", "  timezone: America/Belize\n",
         f"  timezone: America/Belize\n  office:\n    name: Town Hall\n    {field}: {value}\n")
    message = only(data, rf"data/municipality\.yaml:12:\d+: municipality\.office\.{field}: ")
    assert hint in message


# Messages a clerk can use -----------------------------------------------------------

def test_a_type_error_says_how_to_write_the_number(data):
    edit(data, PROJECTS, "amount: 61250.50", 'amount: "61.250,50"')
    message = only(data, rf"data/{PROJECTS}:6:\d+: projects\[0\]\.amount: expected a number, "
                         r"found the text '61\.250,50'")
    assert "with a dot for decimals" in message and "1234567.89" in message


def test_minimum_errors_have_the_schemas_hint(data):
    edit(data, PROJECTS, "amount: 61250.50", "amount: -5")
    message = only(data, r"projects\[0\]\.amount: -5 is too small")
    assert "cycle's currency" in message


def test_no_message_prints_a_regular_expression(data):
    edit(data, "municipality.yaml", "country: BZ", "country: Belize")
    edit(data, "municipality.yaml", "default_currency: BZD", "default_currency: dollars")
    for message in problems(data):
        assert not re.search(r"\^|\$'|\[A-Z\]|\\\\", message), message


def test_an_unclosed_quote_points_where_it_opens(data):
    edit(data, PROJECTS, "title: Harbour Road resurfacing", 'title: "Harbour Road resurfacing')
    only(data, rf"data/{PROJECTS}:4:10: \(file\): YAML syntax error: while scanning a quoted "
               r"scalar")


def test_a_misnamed_file_gives_its_own_message_not_a_cascade(data):
    (data / "parishes.yaml").rename(data / "parishes.yml")
    found = problems(data)
    assert len(found) == 2, found
    assert "data/parishes.yml:0:0: (file): unexpected file in data/ (did you mean " \
           "'parishes.yaml'?)" in found
    assert any("data/parishes.yaml" in p and "missing" in p for p in found)


# Silently accepted before ----------------------------------------------------------

@pytest.mark.parametrize("typed", ["1.500", "61250.5000000001"])
def test_more_decimals_than_the_currency_has(data, typed):
    edit(data, PROJECTS, "amount: 61250.50", f"amount: {typed}")
    message = only(data, rf"data/{PROJECTS}:6:\d+: projects\[0\]\.amount: {re.escape(typed)} "
                         r"has \d+ decimals but BZD has 2")
    assert "write 1500, not 1.500" in message


def test_a_council_cannot_prioritise_another_parishs_project(data):
    edit(data, "council-assemblies/2025.yaml", "votes: 120, project: harbour-road",
         "votes: 120, project: orchard-school")
    only(data, r"data/council-assemblies/2025\.yaml:9:\d+: council_assemblies\[0\]\.priorities"
               r"\[0\]\.project: project 'orchard-school' belongs to parish 'south-bank'")


def test_a_new_cycle_with_last_years_dates(data):
    text = (data / "cycles/2025.yaml").read_text().replace("year: 2025", "year: 2026")
    (data / "cycles/2026.yaml").write_text(text)
    only(data, r"data/cycles/2026\.yaml:7:\d+: cycle\.phases\.diagnosis\.start: cycle 2026 "
               r"starts on 2025-01-10, before cycle 2025 ended")


def test_funded_without_a_round_2_vote(data):
    edit(data, "parish-assemblies/2025.yaml",
         "votes: [{project: orchard-school, for: 1, against: 0, abstain: 0}]", "votes: []")
    only(data, rf"data/{PROJECTS}:\d+:\d+: projects\[1\]\.funded: marked funded but no round 2 "
               r"assembly of 2025 voted on it")


def test_a_milestone_in_2062(data):
    edit(data, PROJECTS, "date: 2025-05-01", "date: 2062-05-01")
    only(data, rf"data/{PROJECTS}:13:\d+: projects\[0\]\.milestones\[0\]\.date: milestone "
               r"dated 2062-05-01, 37 years after its cycle")


def test_as_of_date_bounds_the_milestones_and_dates_the_bulletins(data):
    from cabildo.outputs.bulletins import as_of
    with (data / "municipality.yaml").open("a") as f:
        f.write("  as_of: 2025-06-30\n")
    assert as_of(load_dataset(data)).isoformat() == "2025-06-30"
    edit(data, PROJECTS, "date: 2025-05-01", "date: 2025-07-01")
    only(data, r"milestone dated 2025-07-01 is after the data's as-of date \(2025-06-30\)")


# Hostile text and files ------------------------------------------------------------

@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "JaVaScRiPt:x",
                                 " https://x.org", "ftp://x.org"])
def test_only_web_addresses_become_links(data, url):
    edit(data, PROJECTS, "  progress: 40\n",
         f"  progress: 40\n  sources:\n  - {{title: Act, url: '{url}'}}\n")
    only(data, r"projects\[0\]\.sources\[0\]\.url: .* \(only web addresses that start with "
               r"http:// or https://\)")
    with (data / "municipality.yaml").open("a") as f:
        f.write(f"  repository_url: '{url}'\n")
    assert any("municipality.repository_url" in p for p in problems(data))


YAML_ATTACKS = {
    "alias bomb": ("projects:\n- &a [x, x, x, x, x, x, x, x, x]\n"
                   + "".join(f"- &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, "
                             f"*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9)),
                   r":2:3: \(file\): an anchor \(&a\) is not allowed"),
    "recursive alias": ("projects: &r\n- *r\n", r":1:11: \(file\): an anchor"),
    "merge key": ("projects:\n- id: x\n  <<: {cycle: 2025}\n",
                  r":3:3: \(file\): merge keys \('<<:'\) are not allowed"),
    "unknown tag": ("projects:\n- !!python/object:os.system {id: x}\n",
                    r":2:3: \(file\): the tag tag:yaml.org,2002:python/object:os.system is not "
                    r"allowed"),
    "custom tag": ("projects:\n- id: !secret x\n", r":2:7: \(file\): the tag !secret"),
    "deep nesting": ("projects: " + "[" * 500 + "]" * 500 + "\n",
                     r":1:\d+: \(file\): the data is nested more than 24 levels deep"),
    "NUL byte": ("projects:\n- id: x\n  title: a\x00b\n",
                 r":3:11: \(file\): the file holds a NUL byte"),
    "two documents": ("projects: []\n---\nprojects: []\n",
                      r":2:1: \(file\): a second document"),
}


@pytest.mark.parametrize("name", YAML_ATTACKS)
def test_yaml_features_staff_data_cannot_use(data, name):
    text, pattern = YAML_ATTACKS[name]
    (data / "projects" / "2026.yaml").write_text(text, "utf-8")
    start = time.perf_counter()
    message = only(data, r"^data/projects/2026\.yaml" + pattern)
    assert time.perf_counter() - start < 5, message
    assert "Traceback" not in message


def test_a_huge_file_is_refused_before_it_is_read(data):
    (data / "projects" / "2026.yaml").write_text(
        "projects:\n- id: x\n  description: " + "x" * 6_000_000 + "\n")
    only(data, r"^data/projects/2026\.yaml:1:1: \(file\): the file is too large")


def test_a_long_description_is_refused_with_its_limit(data):
    edit(data, PROJECTS, "  progress: 40\n", "  progress: 40\n  description: " + "x" * 20_001
         + "\n")
    only(data, r"projects\[0\]\.description: the text is too long \(20001 characters\)")


def test_symbolic_links_are_refused_without_being_read(data):
    (data / "projects" / "2027.yaml").symlink_to("/etc/passwd")
    (data / "councils" / "more").symlink_to(data / "councils")
    found = problems(data)
    assert found == [
        "data/councils/more:0:0: (file): this is a symbolic link; data/ is never read through "
        "links (copy the real file or folder into data/ instead)",
        "data/projects/2027.yaml:0:0: (file): this is a symbolic link; data/ is never read "
        "through links (copy the real file or folder into data/ instead)"]
    assert "root:" not in "\n".join(found)


def test_the_demo_data_is_valid():
    """Every new check holds on the demo's 222 projects (no false alarm)."""
    assert len(load_dataset(ROOT / "data").projects) > 100


def test_anchors_in_text_are_just_text(data):
    edit(data, PROJECTS, "title: Harbour Road resurfacing", "title: 'Roads & bridges *now* !'")
    assert load_dataset(data).projects["harbour-road"].title == "Roads & bridges *now* !"


def test_tab_and_newline_are_fine_in_text(data):
    edit(data, PROJECTS, "  progress: 40\n", '  progress: 40\n  description: "a\\tb\\nc"\n')
    assert load_dataset(data).projects["harbour-road"].description == "a\tb\nc"
