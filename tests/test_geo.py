"""Geography checks: each rule has a failing fixture that names the file, the line and the field."""
import json
import re

from test_data_layer import data, edit, only, problems  # noqa: F401 (fixture)

from cabildo.model.load import load_dataset
from cabildo.model.records import MapStyle
from cabildo.model.settings import Config
from cabildo.outputs.svgmap import svg_map

ROAD = "projects/2024.yaml"


def first_geometry(data, category):
    """(line of 'geometry:', its text block) of the first project of a category in 2024."""
    text = (data / ROAD).read_text()
    start = text.index(f"  category: {category}\n")
    record_start = text.rindex("\n- id: ", 0, start)
    g = text.index("  geometry:\n", record_start)
    end = text.index("\n  funded:", g)
    return text[:g].count("\n") + 1, text[g:end]


def replace_geometry(data, category, new_block):
    line, block = first_geometry(data, category)
    path = data / ROAD
    path.write_text(path.read_text().replace(block, new_block, 1))
    return line


def test_geometry_type_not_allowed_for_category(data):
    line = replace_geometry(data, "road", "  geometry:\n    type: Point\n    coordinates: [-70.24, 10.40]")
    p = only(data)
    assert p.line == line + 1 and p.field.endswith("geometry.type")
    assert "a road project cannot be a Point" in p.message and "LineString" in p.hint


def test_coordinates_outside_wgs84(data):
    line = replace_geometry(data, "road", "  geometry:\n    type: LineString\n"
                            "    coordinates: [[-270.2, 10.4], [-70.2, 10.41]]")
    p = only(data)
    assert p.line == line + 2 and "outside WGS84" in p.message


def test_swapped_coordinates(data):
    line = replace_geometry(data, "road", "  geometry:\n    type: LineString\n"
                            "    coordinates: [[10.40, -70.24], [10.41, -70.24]]")
    p = only(data)
    assert p.line == line + 2 and "look swapped" in p.message and "[lon, lat]" in p.hint


def test_line_with_one_point(data):
    replace_geometry(data, "road", "  geometry:\n    type: LineString\n"
                     "    coordinates: [[-70.2379, 10.4006]]")
    assert "at least two points" in only(data).message


def test_unclosed_polygon(data):
    replace_geometry(data, "school", "  geometry:\n    type: Polygon\n    coordinates: "
                     "[[[-70.236, 10.403], [-70.235, 10.403], [-70.235, 10.404], [-70.236, 10.404]]]")
    assert "not closed" in only(data).message


def test_self_intersecting_polygon(data):
    replace_geometry(data, "school", "  geometry:\n    type: Polygon\n    coordinates: "
                     "[[[-70.236, 10.403], [-70.235, 10.404], [-70.235, 10.403], "
                     "[-70.236, 10.404], [-70.236, 10.403]]]")
    p = only(data)
    assert "invalid geometry" in p.message and "Self-intersection" in p.message


def test_project_outside_its_parish(data):
    # Altagracia's first 2024 road, moved to Carora (Torres parish), tens of km away.
    replace_geometry(data, "road", "  geometry:\n    type: LineString\n"
                     "    coordinates: [[-70.12, 9.80], [-70.121, 9.801]]")
    p = only(data)
    assert re.search(r"lies \d+\.\d km outside its parish 'altagracia'", p.message)


def test_point_project_outside_its_parish(data):
    # Points are tested by their x, y alone (no shape is made for them): same message.
    replace_geometry(data, "school", "  geometry:\n    type: Point\n"
                     "    coordinates: [-70.12, 9.80]")
    p = only(data)
    assert re.search(r"lies \d+\.\d km outside its parish '[a-z-]+'", p.message)


def test_tolerance_is_a_setting(data):
    replace_geometry(data, "road", "  geometry:\n    type: LineString\n"
                     "    coordinates: [[-70.12, 9.80], [-70.121, 9.801]]")
    load_dataset(Config.for_data(data, CABILDO_GEO_TOLERANCE_M=200_000))  # 200 km of tolerance: accepted


def boundaries(data):
    path = data / "geo" / "parishes.geojson"
    return path, path.read_text()


def test_boundary_for_unknown_parish(data):
    path, text = boundaries(data)
    path.write_text(text.replace('"id":"lara"', '"id":"larra"', 1))
    line = text[: text.index('"id":"lara"')].count("\n") + 1
    found = [p for p in problems(data) if p.severity == "error"]
    assert len(found) == 1
    p = found[0]
    assert (p.path, p.line) == ("data/geo/parishes.geojson", line)
    assert "unknown parish 'larra'" in p.message


def test_boundary_name_must_match_ours(data):
    path, text = boundaries(data)
    path.write_text(text.replace('"name":"Chiquinquirá"', '"name":"Chiquinquira"', 1))
    p = only(data)
    assert "'Chiquinquira'" in p.message and "'Chiquinquirá'" in p.message


def test_parish_without_boundary_is_a_warning_only(data):
    dataset = load_dataset(data)
    assert "heriberto-arroyo" not in dataset.boundaries
    assert any("heriberto-arroyo" in str(w) and w.severity == "warning"
               for w in dataset.warnings)


def test_boundaries_are_keyed_by_our_ids_and_credited(data):
    collection = json.loads((data / "geo" / "parishes.geojson").read_text())
    ids = {f["properties"]["id"] for f in collection["features"]}
    assert len(ids) == 16 and "heriberto-arroyo" not in ids
    assert "OCHA / INE Venezuela" in collection["attribution"]


def test_svg_map_escapes_titles_and_draws_every_feature():
    point = {"type": "Point", "coordinates": [-70.1, 10.1]}
    line = {"type": "LineString", "coordinates": [[-70.1, 10.1], [-70.11, 10.12]]}
    svg = svg_map(width=300, title="<b>t</b>", extent=(-70.2, 10.0, -70.0, 10.2),
                  features=[(point, MapStyle("#0072B2", "", 3, "square"),
                             "<img src=x onerror=alert(1)>", "/p/1/"),
                            (line, MapStyle("#000000", "10 5", 5, "star"), "Calle & Co", None)])
    assert "<img" not in svg and "&lt;img src=x" in svg and "Calle &amp; Co" in svg
    assert svg.count("<title>") == 3
    assert "km" in svg or " m<" in svg  # the scale bar


def _warm(data, tmp_path, **settings):
    """A config with a cache folder, after one load: the geometry verdicts are kept."""
    config = Config.for_data(data, CABILDO_CACHE_DIR=str(tmp_path / "cache"), **settings)
    load_dataset(config)
    assert list((tmp_path / "cache").rglob("*.placed-*")), "no verdict was kept"
    return config


def _problems_of(config):
    import pytest

    from cabildo.model.problems import DataProblems
    with pytest.raises(DataProblems) as caught:
        load_dataset(config)
    return caught.value.problems


def test_a_kept_geometry_verdict_never_hides_a_moved_boundary(data, tmp_path):
    """A file whose projects passed the parish test is not tested again while its text,
    the boundaries and the settings stay the same: two parishes' boundaries swapped (the
    municipality's extent unchanged) must still put their projects outside."""
    _warm(data, tmp_path)
    path, text = boundaries(data)
    collection = json.loads(text)
    by_id = {f["properties"]["id"]: f for f in collection["features"]}
    by_id["altagracia"]["geometry"], by_id["torres"]["geometry"] = (
        by_id["torres"]["geometry"], by_id["altagracia"]["geometry"])
    path.write_text(json.dumps(collection), "utf-8")
    config = Config.for_data(data, CABILDO_CACHE_DIR=str(tmp_path / "cache"))
    found = _problems_of(config)
    assert any(re.search(r"lies \d+\.\d km outside its parish 'altagracia'", p.message)
               and p.path.startswith("data/projects/") for p in found), found[:3]


def test_a_kept_geometry_verdict_holds_only_for_its_tolerance(data, tmp_path):
    replace_geometry(data, "road", "  geometry:\n    type: LineString\n"
                     "    coordinates: [[-70.12, 9.80], [-70.121, 9.801]]")
    _warm(data, tmp_path, CABILDO_GEO_TOLERANCE_M=200_000)  # accepted, and noted so
    config = Config.for_data(data, CABILDO_CACHE_DIR=str(tmp_path / "cache"))
    found = _problems_of(config)
    assert len(found) == 1 and "outside its parish 'altagracia'" in found[0].message


def test_an_invalid_boundary_of_an_unknown_parish_is_tested_once_the_parish_is_known(
        data, tmp_path):
    """A boundary skipped for its unknown parish was not tested: the boundaries' text is
    not noted valid, and once parishes.yaml knows the parish, its polygon is tested."""
    path, text = boundaries(data)
    collection = json.loads(text)
    feature = next(f for f in collection["features"] if f["properties"]["id"] == "lara")
    feature["properties"]["id"] = "larra"
    feature["geometry"] = {"type": "Polygon", "coordinates": [[  # crosses itself
        [-70.3, 10.3], [-70.2, 10.4], [-70.2, 10.3], [-70.3, 10.4], [-70.3, 10.3]]]}
    path.write_text(json.dumps(collection), "utf-8")
    config = Config.for_data(data, CABILDO_CACHE_DIR=str(tmp_path / "cache"))
    assert any("unknown parish 'larra'" in p.message for p in _problems_of(config))
    parishes = data / "parishes.yaml"
    name = feature["properties"]["name"]
    parishes.write_text(parishes.read_text("utf-8") + f"- id: larra\n  name: {name}\n", "utf-8")
    found = _problems_of(config)
    assert any("invalid boundary" in p.message for p in found), found[:3]
