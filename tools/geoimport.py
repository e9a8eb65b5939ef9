"""Bring outside parish boundaries into data/geo/, keyed by our parish ids.

    python -m tools.geoimport ../shared/geo/torres-parishes.geojson

Matches each feature to a parish of data/parishes.yaml by name (accents and
case ignored), and writes data/geo/parishes.geojson and the municipality's
outline (the union of the parishes) to data/geo/municipality.geojson. Run it
again when the source changes; staff may also edit the output by hand (for
instance to add a parish that the source lacks).
"""
from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from cabildo.model.problems import Problems
from cabildo.model.yamlread import read_yaml

ATTRIBUTION = "OCHA / INE Venezuela (CC BY-IGO)"  # the source; pages say what it is


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


def _round(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], 6), round(coords[1], 6)]
    return [_round(c) for c in coords]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source")
    parser.add_argument("--name-property", default="Parroquia")
    parser.add_argument("--data", default="data")
    args = parser.parse_args(argv)
    data = Path(args.data)
    problems = Problems()
    parishes = read_yaml(data / "parishes.yaml", "data/parishes.yaml", problems).data["parishes"]
    by_key = {_key(p["name"]): p for p in parishes}
    source = json.loads(Path(args.source).read_text("utf-8"))
    features, shapes = [], []
    for feature in source["features"]:
        source_name = feature["properties"][args.name_property]
        parish = by_key.get(_key(source_name))
        if parish is None:
            raise SystemExit(f"{args.source}: no parish matches '{source_name}'")
        geometry = shape(feature["geometry"])
        shapes.append(geometry)
        features.append({"type": "Feature",
                         "properties": {"id": parish["id"], "name": parish["name"]},
                         "geometry": {"type": feature["geometry"]["type"],
                                      "coordinates": _round(feature["geometry"]["coordinates"])}})
    features.sort(key=lambda f: f["properties"]["id"])
    missing = sorted(set(p["id"] for p in parishes) - {f["properties"]["id"] for f in features})
    out = data / "geo"
    out.mkdir(exist_ok=True)
    collection = {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}
    (out / "parishes.geojson").write_text(_dump(collection), "utf-8")
    outline = unary_union(shapes).buffer(0)
    (out / "municipality.geojson").write_text(_dump({
        "type": "FeatureCollection", "attribution": ATTRIBUTION,
        "features": [{"type": "Feature", "properties": {"name": "outline"},
                      "geometry": {"type": outline.geom_type,
                                   "coordinates": _round(mapping(outline)["coordinates"])}}],
    }), "utf-8")
    print(f"wrote {len(features)} parish boundaries; without one: {', '.join(missing) or 'none'}")


def _dump(value) -> str:
    # One feature per line keeps diffs reviewable without making the file huge.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace('{"type":"Feature"', '\n{"type":"Feature"') + "\n"


if __name__ == "__main__":
    main()
