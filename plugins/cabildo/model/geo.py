"""Geography in the data layer: parish boundaries and project geometries, checked.

Boundaries come from data/geo/parishes.geojson (features keyed by our parish
ids, see geoimport.py). GeoJSON is read with the same YAML reader as the
records, so problems point at a line of the file.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, cast

from .problems import Problems
from .records import Parish
from .yamlread import note_verdict, read_yaml, verdict_file

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

# Shapely (and numpy: 0.15 s to import) only where a geometry is tested: `validate` of
# files whose geometries passed before, against the same boundaries, never loads it
# (the verdicts kept beside the parsed files, see placed_verdict()).

# GeoJSON coordinates once read: a number, or lists of them nested as the geometry type says.
Coords: TypeAlias = float | list["Coords"]
Area: TypeAlias = tuple[float, float, float, float]  # (minx, miny, maxx, maxy), degrees


class AddProblem(Protocol):
    """Reports a problem at a field of the record being checked."""

    def __call__(self, sub: tuple[str, ...], message: str, hint: str = "") -> None: ...

LINES = ["LineString", "MultiLineString"]
PLACES = ["Point", "MultiPoint", "Polygon", "MultiPolygon"]
METRES_PER_DEGREE = 111_320


@dataclass(frozen=True)
class Boundary:
    parish_id: str
    geometry: dict[str, object]  # GeoJSON, float coordinates
    attribution: str
    drawn: BaseGeometry | None = field(default=None, repr=False)  # its shape, if made already

    @cached_property
    def shape(self) -> BaseGeometry:
        """The boundary as a shapely geometry, prepared (thousands of projects are
        tested against it), made when first asked for."""
        if self.drawn is not None:
            return self.drawn
        import shapely
        from shapely.geometry import shape
        polygon = shape(self.geometry)
        shapely.prepare(polygon)
        return polygon


_NUMBERS = (int, float, Decimal)  # as read; bool is not one of them (True is not 1 here)


def floats(coords: object) -> Coords:
    """GeoJSON coordinates with Decimal numbers (as read) turned into floats.
    (By exact type: it runs for every number of every project.)"""
    kind = type(coords)
    if kind is list:
        items = cast(list[object], coords)
        if items and type(items[0]) in _NUMBERS:  # a position: its numbers at once
            return [float(cast(float, c)) if type(c) in _NUMBERS else _float(c) for c in items]
        return [floats(c) for c in items]
    return _float(coords)


def _float(value: object) -> float:
    if type(value) not in _NUMBERS:  # "-69,75": text, not a number
        raise ValueError(f"{value!r} is not a number")
    return float(cast(float, value))


def load_boundaries(root: Path, parishes: Mapping[str, Parish], problems: Problems,
                    parishes_complete: bool = True,
                    cache: Path | None = None) -> dict[str, Boundary]:
    """The parish boundaries; when parishes.yaml could not be read whole
    (parishes_complete False), unknown ids are not reported a second time. `cache`: where
    the data files are kept parsed (the boundaries are large: reading them took 0.1 s)."""
    path = root / "geo" / "parishes.geojson"
    if not path.is_file():
        return {}
    rel = "data/geo/parishes.geojson"
    located = read_yaml(path, rel, problems, cache)
    if located is None:
        return {}
    data = located.data
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        problems.add(rel, 1, 1, "type", "not a GeoJSON FeatureCollection",
                     "the file must start with {\"type\": \"FeatureCollection\", ...")
        return {}
    attribution = str(data.get("attribution", ""))
    boundaries: dict[str, Boundary] = {}
    # this text's polygons were found valid before (by this code): not made and tested again
    verdict = _verdict(located.cached, "shapes")
    shapes_valid = verdict is not None and verdict.exists()
    invalid = False
    for i, feature in enumerate(data.get("features", [])):
        at = ("features", i)

        def add(sub: tuple[str, ...], message: str, hint: str = "") -> None:
            line, col = located.where(at + sub)
            from .yamlread import dotted
            problems.add(rel, line, col, dotted(at + sub), message, hint)

        props = feature.get("properties") or {}
        parish_id, name = props.get("id"), props.get("name")
        if not isinstance(parish_id, str) or parish_id not in parishes:
            if parishes_complete:
                add(("properties", "id"), f"boundary for an unknown parish '{parish_id}'",
                    "use an id from data/parishes.yaml")
            continue
        if name and name != parishes[parish_id].name:
            add(("properties", "name"),
                f"boundary of '{parish_id}' is named '{name}' but data/parishes.yaml calls it "
                f"'{parishes[parish_id].name}'", "make the two names the same")
        if parish_id in boundaries:
            add(("properties", "id"), f"a second boundary for '{parish_id}'", "keep one")
            continue
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            add(("geometry", "type"), "a parish boundary must be a Polygon or MultiPolygon")
            continue
        geometry = {"type": geometry["type"], "coordinates": floats(geometry["coordinates"])}
        boundary = Boundary(parish_id, geometry, attribution)
        if not shapes_valid:
            from shapely.validation import explain_validity
            if not boundary.shape.is_valid:
                add(("geometry",), f"invalid boundary: {explain_validity(boundary.shape)}",
                    "fix the polygon in a GIS tool such as QGIS")
                invalid = True
                continue
        boundaries[parish_id] = boundary
    if not shapes_valid and not invalid and len(boundaries) == len(data.get("features", [])):
        note_verdict(verdict)  # every polygon was made and found valid
    for parish_id in parishes:
        if parish_id not in boundaries:
            problems.add(rel, 1, 1, "", f"parish '{parish_id}' has no boundary yet; its map "
                         "fits its projects", "add its feature when a source is found",
                         severity="warning")
    return boundaries


@cache
def _code_digest() -> str:
    """What a verdict depends on besides the text: this module and the installed shapely."""
    import importlib.util
    found = importlib.util.find_spec("shapely")
    origin = Path(found.origin) if found is not None and found.origin else None
    stat = origin.stat() if origin is not None and origin.is_file() else None
    return hashlib.sha256(Path(__file__).read_bytes() + (
        f"{origin}:{stat.st_size}:{stat.st_mtime_ns}" if stat else "none").encode()).hexdigest()


def _verdict(cached: Path | None, what: str) -> Path | None:
    return verdict_file(cached, f"{what}.{_code_digest()[:24]}")


def placed_key(boundaries: Mapping[str, Boundary], allowed: Mapping[str, Sequence[str]],
               tolerance_m: float, area: Area | None) -> str:
    """What the parish test of a project depends on besides its file's text."""
    shapes = {pid: b.geometry for pid, b in sorted(boundaries.items())}
    return hashlib.sha256(json.dumps([shapes, dict(sorted(allowed.items())), tolerance_m, area])
                          .encode()).hexdigest()[:24]


def placed_verdict(cached: Path | None, key: str) -> Path | None:
    """Where it is noted that every project of a file (its text: the parsed copy `cached`)
    passed the geometry tests with these boundaries (`key`: placed_key)."""
    return _verdict(cached, f"placed-{key}")


def note_placed(cached: Path | None, key: str) -> None:
    """Every project of the file passed the geometry tests (see placed_verdict)."""
    note_verdict(placed_verdict(cached, key))


def check_project(add: AddProblem, project: Mapping[str, Any],
                  allowed: Mapping[str, Sequence[str]], boundary: Boundary | None,
                  tolerance_m: float, area: Area | None,
                  placed: bool = False) -> dict[str, object] | None:
    """Check one project's geometry; returns it with float coordinates, or None.

    `project` is the record as read, after its schema check (its fields have the types the
    schema gives them, which mypy cannot see: hence Any).
    `add(subpath, message, hint)` reports a problem at the project's field.
    `area` is the (minx, miny, maxx, maxy) of the municipality, for the lat/lon swap test.
    `placed`: the geometry passed these tests before (its file's text, these boundaries
    and settings: placed_verdict), which are not run again.
    """
    geometry = project.get("geometry")
    if not geometry:
        return None
    if placed:  # every test passed for this text: only its numbers are read
        return {"type": geometry["type"], "coordinates": floats(geometry["coordinates"])}
    kind = geometry["type"]
    ok_types = allowed.get(project["category"], LINES + PLACES)
    if kind not in ok_types:
        add(("geometry", "type"), f"a {project['category']} project cannot be a {kind}",
            "allowed: " + ", ".join(ok_types))
        return None
    try:
        coords = floats(geometry["coordinates"])
        geometry = {"type": kind, "coordinates": coords}
        positions = list(_positions(kind, coords))
        raw = _raw_positions(kind, coords)
        if not all(isinstance(p, list) and all(isinstance(x, float) for x in p) for p in raw):
            raise ValueError("not a list of positions")
    except (TypeError, ValueError, IndexError, RecursionError):
        add(("geometry", "coordinates"), f"coordinates do not have the shape of a {kind}",
            "write [longitude, latitude] pairs of numbers with a dot for decimals, e.g. "
            "[-69.75, 10.05] (see https://geojson.org)")
        return None
    if not positions:
        add(("geometry", "coordinates"), f"the {kind} has no coordinates",
            "add its points, or remove the geometry")
        return None
    for position in raw:
        if len(position) not in (2, 3):
            add(("geometry", "coordinates"),
                f"a point has {len(position)} numbers instead of 2 (longitude, latitude)",
                "write decimals with a dot, not a comma: [-69.75, 10.05]")
            return None
    for lon, lat in positions:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            add(("geometry", "coordinates"), f"coordinate [{lon}, {lat}] is outside WGS84 ranges",
                "write [longitude, latitude], longitude first")
            return None
    if area and positions:
        minx, miny, maxx, maxy = area
        inside = all(minx <= x <= maxx and miny <= y <= maxy for x, y in positions)
        swapped = all(minx <= y <= maxx and miny <= x <= maxy for x, y in positions)
        if not inside and swapped:
            add(("geometry", "coordinates"),
                f"coordinates look swapped: [{positions[0][0]}, {positions[0][1]}] is "
                "latitude first", "GeoJSON writes longitude first: [lon, lat]")
            return None
    for line in _lines(kind, coords):
        if len(line) < 2:
            add(("geometry", "coordinates"), "a line needs at least two points",
                "add the line's other end")
            return None
    for ring in _rings(kind, coords):
        if len(ring) < 4 or ring[0] != ring[-1]:
            add(("geometry", "coordinates"), "the polygon is not closed",
                "repeat the first point at the end of each ring")
            return None
    import shapely
    from shapely.geometry import LineString, Point, shape
    if kind == "Point":  # most projects: a point in range is valid, and is tested as x, y
        geom = None
        inside = boundary is None or bool(shapely.intersects_xy(boundary.shape, *positions[0]))
    else:  # a line is made at once: shape() looks its type up again, a thousand times
        geom = (LineString(cast(list[list[float]], coords)) if kind == "LineString"
                else shape(geometry))
        if not geom.is_valid:
            from shapely.validation import explain_validity
            add(("geometry",), f"invalid geometry: {explain_validity(geom)}",
                "a polygon must not cross itself")
            return None
        # most projects lie in their parish: the prepared boundary says so at once
        inside = boundary is None or boundary.shape.intersects(geom)
    if boundary is not None and not inside:
        distance_m = boundary.shape.distance(geom or Point(*positions[0])) * METRES_PER_DEGREE
        if distance_m > tolerance_m:
            add(("geometry",), f"the project lies {distance_m / 1000:.1f} km outside its parish "
                f"'{boundary.parish_id}'", "check the coordinates or the project's parish")
    return geometry


# The helpers below take coordinates whose nesting check_project has not confirmed yet:
# a wrong shape raises TypeError or IndexError there, which it reports.
def _raw_positions(kind: str, c: Any) -> list[Any]:
    depth = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
             "Polygon": 2, "MultiPolygon": 3}[kind]
    items = [c]
    for _ in range(depth):
        items = [x for item in items for x in item]
    return items


def _positions(kind: str, c: Any) -> Iterator[tuple[float, float]]:
    if kind == "Point":
        yield (c[0], c[1])
    elif kind in ("MultiPoint", "LineString"):
        for p in c:
            yield (p[0], p[1])
    elif kind in ("MultiLineString", "Polygon"):
        for line in c:
            for p in line:
                yield (p[0], p[1])
    elif kind == "MultiPolygon":
        for poly in c:
            for ring in poly:
                for p in ring:
                    yield (p[0], p[1])


def _lines(kind: str, c: Any) -> list[Any]:
    return [c] if kind == "LineString" else c if kind == "MultiLineString" else []


def _rings(kind: str, c: Any) -> list[Any]:
    return c if kind == "Polygon" else [r for p in c for r in p] if kind == "MultiPolygon" else []


def bounds_of(boundaries: Mapping[str, Boundary]) -> Area | None:
    """The boundaries' extent, padded (from their coordinates: no shape is made)."""
    if not boundaries:
        return None
    xs, ys = [], []
    for b in boundaries.values():
        for x, y in _positions(str(b.geometry["type"]), b.geometry["coordinates"]):
            xs.append(x)
            ys.append(y)
    pad = 0.05
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


def to_metres(lat: float) -> float:
    return METRES_PER_DEGREE * math.cos(math.radians(lat))
