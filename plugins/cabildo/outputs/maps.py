"""Interactive maps with folium, embedded in the site's own pages.

Folium writes a whole HTML document that loads Leaflet, jQuery and Bootstrap
from CDNs; we keep only the map's <div> and its script, load Leaflet from the
site itself (see copy_leaflet), and give every element a stable id so builds
stay byte-identical. Folium does not escape popups or tooltips: every string
from data is escaped here before it reaches the map.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal
from html import escape
from pathlib import Path

import branca.element
import folium
import folium.elements
import folium.features
import folium.folium
import folium.map
import jinja2
import xyzservices
from folium.utilities import JsCode
from markupsafe import Markup

from .mapstyle import STYLES, legend_svg, symbol_svg
from ..model.records import CATEGORIES

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                   'OpenStreetMap</a> contributors')
# A provider object, not a name or URL: folium would search xyzservices' whole catalogue
# for a match on every map.
OSM = xyzservices.TileProvider(name="openstreetmap", url=OSM_TILES, max_zoom=19,
                               attribution="(C) OpenStreetMap contributors",
                               html_attribution=OSM_ATTRIBUTION)
CHOROPLETH = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"]  # ColorBrewer Greens


@lru_cache(maxsize=None)
def _compiled(source: str) -> jinja2.Template:
    return jinja2.Template(source)


class _Literal:
    """Plain text in the place of a template: renders as itself."""

    def __init__(self, text: str):
        self.text = text

    def render(self, *args, **kwargs) -> str:
        return self.text


def _cached_template(source, *args, **kwargs):
    if args or kwargs:
        return jinja2.Template(source, *args, **kwargs)
    if "{{" not in source and "{%" not in source and "{#" not in source:
        return _Literal(source)
    return _compiled(source)


# Folium and branca compile a Jinja template for every element they create: the
# same small templates again for every map, and the JavaScript they have already
# rendered (wrapped in an Element) once more, as a template with nothing to fill.
# Sharing compiled templates and passing plain text through makes a map several
# times cheaper; templates are immutable, so sharing them is safe.
for _module in (branca.element, folium.elements, folium.features, folium.folium, folium.map):
    if hasattr(_module, "Template"):
        _module.Template = _cached_template
# Element names are camel-cased again each time they are asked for (tens of times each).
branca.element._camelify = lru_cache(maxsize=256)(branca.element._camelify)


# Markers are buttons for the keyboard: give each the project's title as its name.
NAME_MARKERS = JsCode("""function (feature, layer) {
    layer.on("add", function () {
        var el = layer.getElement && layer.getElement();
        if (el && el.classList.contains("leaflet-marker-icon")) {
            el.setAttribute("aria-label", feature.properties.name);
        }
    });
}""")


@dataclass(frozen=True)
class WebMap:
    div: Markup  # the map's container
    script: Markup  # the JavaScript that draws it (Leaflet must be loaded first)


def copy_leaflet(output: Path) -> None:
    """Copy Leaflet's files from the installed package into the site."""
    import js_lib_leaflet
    source = Path(js_lib_leaflet.__file__).parent / "static" / "js_lib_leaflet"
    target = output / "theme" / "leaflet"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copyfile(source / name, target / name)
    shutil.copytree(source / "images", target / "images", dirs_exist_ok=True)


def _stable_ids(root, prefix: str) -> None:
    """Replace folium's random element ids with ones derived from the page."""
    counter = 0

    def walk(element):
        nonlocal counter
        element._id = f"{prefix}_{counter}"
        counter += 1
        for child in element._children.values():
            walk(child)
    walk(root)


def _base_map(tiles: str, tiles_label: str) -> folium.Map:
    m = folium.Map(location=[0, 0], zoom_start=12, tiles=None, control_scale=True)
    m.default_js, m.default_css = [], []  # per instance: loaded by our page instead
    if tiles == "openstreetmap":
        folium.TileLayer(tiles=OSM, name=tiles_label, control=False,
                         referrerPolicy="strict-origin-when-cross-origin").add_to(m)
    return m


def _finish(m: folium.Map, bounds, map_id: str) -> WebMap:
    minx, miny, maxx, maxy = bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    _stable_ids(m, map_id)
    root = m.get_root()
    root.render()
    div = root.html.render().strip()
    script = root.script.render().strip()
    return WebMap(Markup(div), Markup(script))


def category_layers(m, features_by_category, labels: dict) -> None:
    """One GeoJson layer per category (far smaller than one marker object each).

    labels: the layer names, as safe HTML (escaped by the caller)."""
    for category in CATEGORIES:
        features = features_by_category.get(category)
        if not features:
            continue
        style = STYLES[category]
        group = folium.FeatureGroup(name=f"{legend_svg(category)} {labels[category]}")
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            style_function=lambda f, s=style: {
                "color": s.color, "weight": s.weight, "dashArray": s.dash or None,
                "fillColor": s.color, "fillOpacity": 0.35, "opacity": 1},
            marker=folium.Marker(icon=folium.DivIcon(
                html=symbol_svg(category, 22), icon_size=(22, 22), icon_anchor=(11, 11),
                class_name="map-symbol")),
            tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
            popup=folium.GeoJsonPopup(["popup"], labels=False),
            on_each_feature=NAME_MARKERS,
        ).add_to(group)
        group.add_to(m)


def project_feature(project, popup_html: str) -> dict:
    # "name" is plain text: it is only ever set with setAttribute, never parsed as HTML.
    return {"type": "Feature", "geometry": project.geometry,
            "properties": {"tip": escape(project.title), "popup": popup_html,
                           "name": project.title}}


def parish_map(map_id: str, boundary, bounds, features_by_category, labels: dict,
               tiles: str) -> WebMap:
    m = _base_map(tiles, labels["tiles"])
    if boundary is not None:
        folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": boundary.geometry},
            style_function=lambda f: {"color": "#333", "weight": 2, "dashArray": "8 3 2 3",
                                      "fill": False},
            control=False, interactive=False,
        ).add_to(m)
    category_layers(m, features_by_category, labels)
    folium.LayerControl(collapsed=False).add_to(m)
    return _finish(m, bounds, map_id)


def classes(values: list[Decimal], n: int = 5) -> list[Decimal]:
    """Upper limits of n quantile classes (the last is the maximum)."""
    ordered = sorted(values)
    if not ordered:
        return []
    limits = []
    for i in range(1, n + 1):
        limit = ordered[min(len(ordered) - 1, round(i * len(ordered) / n) - 1)]
        if not limits or limit > limits[-1]:
            limits.append(limit)
    return limits


def class_of(value: Decimal, limits: list[Decimal]) -> int:
    for i, limit in enumerate(limits):
        if value <= limit:
            return i
    return len(limits) - 1


def municipal_map(map_id: str, parishes: list, bounds, features_by_category, labels: dict,
                  tiles: str) -> WebMap:
    """parishes: (boundary, class index, tooltip html, popup html) for each parish with one;
    the caller escapes both."""
    m = _base_map(tiles, labels["tiles"])
    features = [{"type": "Feature", "geometry": b.geometry,
                 "properties": {"tip": tip, "popup": popup,
                                "fill": CHOROPLETH[k]}}
                for b, k, tip, popup in parishes]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=labels["parishes"],
        style_function=lambda f: {"color": "#333", "weight": 1, "fillColor":
                                  f["properties"]["fill"], "fillOpacity": 0.8},
        tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
        popup=folium.GeoJsonPopup(["popup"], labels=False),
        control=False,
    ).add_to(m)
    category_layers(m, features_by_category, labels)
    folium.LayerControl(collapsed=True).add_to(m)
    return _finish(m, bounds, map_id)
