"""Every check of the data layer has a failing fixture: the demo data, broken once.

Each test asserts what staff would read: the file, the line, the field and the words.
"""
import shutil
from decimal import Decimal

import pytest

from cabildo.model.load import load_dataset
from cabildo.model.problems import DataProblems

from conftest import ROOT

DATA = ROOT / "data"


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit(data, rel, old, new, count=1, whole_line=False):
    """Replace the first `count` occurrences of `old` and return the 1-based line.

    With whole_line, the rest of the line after `old` is replaced too.
    """
    path = data / rel
    text = path.read_text("utf-8")
    assert old in text, f"fixture text not found in {rel}: {old!r}"
    start = text.index(old)
    line = text[:start].count("\n") + 1
    if whole_line:
        end = text.index("\n", start)
        text = text[:start] + new + text[end:]
    else:
        text = text.replace(old, new, count)
    path.write_text(text, "utf-8")
    return line


def problems(data):
    with pytest.raises(DataProblems) as caught:
        load_dataset(data)
    return caught.value.problems


def only(data):
    found = problems(data)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def test_demo_data_is_valid():
    dataset = load_dataset(DATA)
    assert len(dataset.parishes) == 17
    assert len(dataset.cycles) >= 3
    assert {p.category for p in dataset.projects.values()} >= {"road", "school", "sewer"}
    assert all(isinstance(p.amount.amount, Decimal) for p in dataset.projects.values())


def test_money_is_decimal_from_source_text(data):
    edit(data, "cycles/2024.yaml", "budget: ", "budget: 0.1")  # prefix a digit-safe value
    # 0.1 + something would be inexact as float; we keep the text exactly
    text = (data / "cycles/2024.yaml").read_text()
    assert "budget: 0.1" in text


def test_yaml_syntax_error_names_line(data):
    line = edit(data, "parishes.yaml", "  population: 9400", "  population: [9400")
    p = problems(data)[0]
    assert p.path == "data/parishes.yaml"
    assert "YAML syntax error" in p.message
    assert abs(p.line - line) <= 2


@pytest.mark.parametrize("indent, column", [("\t", 1), ("  \t", 3), ("  \t\t", 3)])
def test_tab_indentation(data, indent, column):
    line = edit(data, "parishes.yaml", "  population: 9400", indent + "population: 9400")
    p = only(data)
    assert (p.path, p.line, p.column) == ("data/parishes.yaml", line, column)
    assert "tab" in p.message and "spaces" in p.hint


def test_every_tab_indented_line_is_named(data):
    path = data / "parishes.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("  population:", "\tpopulation:"), "utf-8")
    lines = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if line.startswith("\t")]
    found = [p for p in problems(data) if "tab" in p.message]
    assert len(lines) > 1 and [p.line for p in found] == lines


def test_not_utf8(data):
    path = data / "parishes.yaml"
    path.write_bytes(path.read_bytes().replace("Díaz".encode(), "D\xedaz".encode("latin-1")))
    p = only(data)
    assert p.path == "data/parishes.yaml" and "not UTF-8" in p.message
    assert p.line == 8  # the line of 'Antonio Díaz'


def test_empty_file(data):
    (data / "projects" / "2027.yaml").write_text("# nothing yet\n")
    p = only(data)
    assert p.path == "data/projects/2027.yaml" and "empty" in p.message


def test_file_of_wrong_type_in_folder(data):
    shutil.copy(data / "councils" / "torres.yaml", data / "projects" / "torres.yaml")
    p = only(data)
    assert p.path == "data/projects/torres.yaml"
    assert "communal council" in p.message or "council records" in p.message
    assert "data/councils/" in p.hint


def test_not_a_yaml_file(data):
    (data / "projects" / "notes.txt").write_text("hello")
    assert "not a YAML file" in only(data).message


def test_duplicate_key_in_mapping(data):
    line = edit(data, "parishes.yaml", "  population: 9400\n", "  population: 9400\n  population: 9500\n")
    p = only(data)
    assert p.line == line + 1 and p.field == "parishes[0].population"
    assert "appears twice" in p.message and f"line {line}" in p.message


def test_missing_required_field(data):
    line = edit(data, "parishes.yaml", "  population: 9400\n", "")
    p = only(data)
    assert p.field == "parishes[0]" and "'population' is missing" in p.message
    assert p.line == line - 2


def test_mistyped_field_suggests_the_right_name(data):
    line = edit(data, "parishes.yaml", "  population: 9400", "  populaton: 9400")
    found = problems(data)
    unknown = [p for p in found if "unknown field" in p.message][0]
    assert unknown.line == line and "population" in unknown.hint


def test_wrong_type(data):
    line = edit(data, "parishes.yaml", "  population: 9400", "  population: muchos")
    p = only(data)
    assert p.line == line and "expected a whole number" in p.message and "muchos" in p.message


def test_bad_enum_value(data):
    line = edit(data, "projects/2024.yaml", "  category: school", "  category: escuela")
    p = only(data)
    assert p.line == line and p.field.endswith(".category") and "school" in p.hint


def test_negative_amount(data):
    line = edit(data, "projects/2024.yaml", "  amount: ", "  amount: -")
    p = only(data)
    assert p.line == line and "too small" in p.message and p.field.endswith("amount")


def test_impossible_date(data):
    line = edit(data, "council-assemblies/2024.yaml", "  date: 2024-03-", "  date: 2024-02-30\n  x_date: 2024-03-")
    found = problems(data)
    bad = [p for p in found if "not a real date" in p.message]
    assert bad and bad[0].line == line


def test_unknown_parish_with_suggestion(data):
    line = edit(data, "councils/torres.yaml", "  parish: torres", "  parish: torre")
    p = only(data)
    assert (p.path, p.line) == ("data/councils/torres.yaml", line)
    assert "unknown parish 'torre'" in p.message and "'torres'" in p.hint


def test_duplicate_id(data):
    text = (data / "parishes.yaml").read_text()
    (data / "parishes.yaml").write_text(text + "- id: torres\n  name: Otra\n  population: 5\n")
    p = only(data)
    assert "duplicate parish id 'torres'" in p.message and "data/parishes.yaml:" in p.message


def test_votes_above_attendance(data):
    text = (data / "council-assemblies/2024.yaml").read_text()
    first = text.index("  attendance: ")
    attendance = int(text[first:].split("\n")[0].split(": ")[1])
    votes_at = text.index("    votes: ", first)
    line = text[:votes_at].count("\n") + 1
    end = text.index("\n", votes_at)
    text = text[:votes_at] + f"    votes: {attendance + 1}" + text[end:]
    (data / "council-assemblies/2024.yaml").write_text(text)
    p = only(data)
    assert p.line == line and "votes but only" in p.message


def test_attendance_above_members(data):
    line = edit(data, "council-assemblies/2024.yaml", "  attendance: ", "  attendance: 9999")
    found = problems(data)
    assert any(p.line == line and "above the registered members" in p.message for p in found)


def test_priorities_without_quorum(data):
    text = (data / "council-assemblies/2024.yaml").read_text()
    i = text.index("  attendance: ")
    j = text.index("\n", i)
    line = text[:i].count("\n") + 1
    (data / "council-assemblies/2024.yaml").write_text(text[:i] + "  attendance: 1" + text[j:])
    found = problems(data)
    assert any(p.line == line and "without quorum" in p.message for p in found), found


def test_parish_votes_above_present(data):
    line = edit(data, "parish-assemblies/2024.yaml", "    for: ", "    for: 999")
    found = problems(data)
    assert any("delegates present" in p.message and p.line in (line - 1, line) for p in found)


def test_assembly_date_outside_its_phase(data):
    line = edit(data, "parish-assemblies/2024.yaml", "  date: 2024-04-20", "  date: 2024-09-20")
    p = only(data)
    assert p.line == line and "outside the cycle's parish round 1" in p.message


def test_phases_in_impossible_order(data):
    line = edit(data, "cycles/2024.yaml", "end: 2024-02-27", "end: 2023-12-01")
    found = problems(data)
    assert any(p.line == line and "ends (2023-12-01) before it starts" in p.message for p in found)


def test_funded_above_envelope(data):
    line = edit(data, "cycles/2024.yaml", "    altagracia: ", "    altagracia: 1.00", whole_line=True)
    found = problems(data)
    assert any(p.line == line and "more than its envelope" in p.message for p in found), found


def test_funded_above_budget(data):
    line = edit(data, "cycles/2024.yaml", "  budget: ", "  budget: 1000.00", whole_line=True)
    found = problems(data)
    assert any(p.line == line and "more than the budget" in p.message for p in found)


def test_mixed_currency(data):
    line = edit(data, "projects/2024.yaml", "  category: road\n", "  category: road\n  currency: USD\n")
    p = only(data)
    assert p.line == line + 1 and "USD" in p.message and "VES" in p.message


def test_all_problems_reported_together(data):
    edit(data, "parishes.yaml", "  population: 9400", "  population: -3")
    edit(data, "councils/torres.yaml", "  parish: torres", "  parish: nowhere")
    edit(data, "projects/2025.yaml", "  category: road", "  category: roads")
    assert len({p.path for p in problems(data)}) == 3


def test_parsed_files_are_kept_and_read_again_only_when_they_change(tmp_path):
    """The parse cache (issue 13: validate in under a second) gives the same records,
    follows every edit, and never keeps a file that had a problem."""
    from cabildo.model.settings import Config
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    config = Config.for_data(data, CABILDO_CACHE_DIR=str(tmp_path / "cache"))
    first = load_dataset(config)
    kept = sorted((tmp_path / "cache" / "yaml").rglob("*.pickle"))
    assert len(kept) >= 5
    again = load_dataset(config)
    assert again.projects == first.projects and again.parish_assemblies == first.parish_assemblies
    assert sorted((tmp_path / "cache" / "yaml").rglob("*.pickle")) == kept  # nothing new

    path = data / "projects" / "2026.yaml"
    project = next(p for p in first.projects.values() if p.year == 2026)
    text = path.read_text("utf-8")
    path.write_text(text.replace(f"title: {project.title}\n", "title: Otro título\n", 1), "utf-8")
    assert load_dataset(config).projects[project.id].title == "Otro título"

    path.write_text(text.replace(f"title: {project.title}\n", 'title: "Mal\\x01 título"\n', 1),
                    "utf-8")
    for _ in range(2):  # reported each time: a file with a problem is never kept
        with pytest.raises(DataProblems) as exc:
            load_dataset(config)
        assert "control character" in str(exc.value.problems)


@pytest.mark.parametrize("marks_kept", [True, False])
def test_a_problem_in_an_unchanged_cached_file_names_its_exact_line(tmp_path, marks_kept):
    """A cached file keeps only its records' places at hand; a problem deeper in it (an
    assembly's date, once the cycle's phase moves) still names the date's own line, from
    the file of marks beside it, or, when that is lost, from the text read again."""
    from cabildo.model.settings import Config
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    config = Config.for_data(data, CABILDO_CACHE_DIR=str(tmp_path / "cache"))
    load_dataset(config)  # the assemblies' file is now in the cache
    if not marks_kept:
        for marks in (tmp_path / "cache" / "yaml").rglob("*.marks"):
            marks.unlink()
    lines = (data / "council-assemblies" / "2026.yaml").read_text("utf-8").split("\n")
    date_line = next(i for i, line in enumerate(lines, 1) if line == "  date: 2026-03-10")
    edit(data, "cycles/2026.yaml", "      start: 2026-03-02\n      end: 2026-03-31",
         "      start: 2026-03-12\n      end: 2026-03-31")
    with pytest.raises(DataProblems) as caught:
        load_dataset(config)
    found = [p for p in caught.value.problems if p.path == "data/council-assemblies/2026.yaml"
             and p.line == date_line]
    assert len(found) == 1 and found[0].column == 3 and found[0].field.endswith("date")
    assert "2026-03-10 is outside" in found[0].message


def test_each_setting_is_typed_as_it_is_read():
    """Config["CABILDO_X"] is typed by the Literal lists in settings.py (for mypy); a setting
    added to SETTINGS without its list, or listed with another type, would be typed wrong."""
    from decimal import Decimal
    from typing import get_args

    from cabildo.model import settings
    config = settings.Config.for_data("data", CABILDO_GEOMETRY_TYPES={"road": ["LineString"]})
    expected = {settings.TextSetting: str, settings.FlagSetting: bool,
                settings.CountSetting: int, settings.ShareSetting: Decimal,
                settings.TableSetting: dict, settings.GeometrySetting: dict}
    listed = [name for group in expected for name in get_args(group)]
    assert sorted(listed) == sorted(settings.BY_NAME)  # each setting in exactly one list
    for group, kind in expected.items():
        for name in get_args(group):
            assert type(config[name]) is kind, name


def test_a_kept_verdict_holds_only_for_the_same_text_and_the_same_schema(tmp_path, monkeypatch):
    # A large file that passed its schema is not checked again while neither its text nor
    # its schema changes (schema.check_file): a stricter schema must still reject it.
    import json

    from cabildo.model import schema
    from cabildo.model.settings import Config
    data, cache = tmp_path / "data", tmp_path / "cache"
    shutil.copytree(ROOT / "data", data)
    config = Config.for_data(data, CABILDO_CACHE_DIR=str(cache))
    load_dataset(config)
    assert list(cache.rglob("*.valid"))  # the projects' files, noted valid
    load_dataset(config)  # and found valid again from the note
    strict = json.loads(schema.schema_path("project").read_text("utf-8"))
    strict["$defs"]["project"]["properties"]["title"]["maxLength"] = 5
    stricter = tmp_path / "project.schema.json"
    stricter.write_text(json.dumps(strict), "utf-8")
    original = schema.schema_path
    monkeypatch.setattr(schema, "schema_path",
                        lambda record_type: stricter if record_type == "project"
                        else original(record_type))
    for cached in (schema._checker_digest, schema._compiled, schema.validator):
        cached.cache_clear()
    try:
        found = problems(config)
    finally:
        for cached in (schema._checker_digest, schema._compiled, schema.validator):
            cached.cache_clear()
    assert any(p.path.startswith("data/projects/") and p.field.endswith(".title")
               for p in found), found[:3]
