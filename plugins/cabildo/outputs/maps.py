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
from decimal import Decimal
from functools import cache, lru_cache
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
from branca.element import MacroElement
from folium.plugins import MarkerCluster
from folium.utilities import JsCode
from markupsafe import Markup

from .mapstyle import symbol_svg

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# The credit's wording is in the page's language: a token replaced per language.
OSM_ATTRIBUTION = "@@layer:attribution@@"
# A provider object, not a name or URL: folium would search xyzservices' whole catalogue
# for a match on every map.
OSM = xyzservices.TileProvider(name="openstreetmap", url=OSM_TILES, max_zoom=19,
                               attribution="(C) OpenStreetMap contributors",
                               html_attribution=OSM_ATTRIBUTION)
CHOROPLETH = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"]  # ColorBrewer Greens


@cache
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


# Each feature carries its own label and popup (escaped HTML, see project_feature):
# bound per feature because the cluster takes the features out of their GeoJson layer,
# which is never on the map itself. Markers are buttons for the keyboard: each is
# named by the project's title. A popup stays inside the map (a phone's map is ~330 px
# wide), and so does its close button.
BIND_FEATURE = JsCode("""function (feature, layer) {
    layer.bindTooltip(feature.properties.tip, {sticky: false});
    layer.bindPopup(feature.properties.popup,
                    {maxWidth: 220, keepInView: true, autoPanPadding: [12, 12]});
    layer.on("add", function () {
        var el = layer.getElement && layer.getElement();
        if (el && el.classList.contains("leaflet-marker-icon")) {
            el.setAttribute("aria-label", feature.properties.name);
        }
    });
}""")


class PhoneControls(MacroElement):
    """A metric scale, and hover labels closed when a popup opens: on a touch screen
    the tap that opens a popup also shows the label, which then sits on top of it."""
    _template = jinja2.Template("""{% macro script(this, kwargs) %}
L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
{{ this._parent.get_name() }}.on("popupopen", function () {
    {{ this._parent.get_name() }}.eachLayer(function (l) { if (l.closeTooltip) { l.closeTooltip(); } });
});
{% endmacro %}""")


POPUP_OPTIONS = {"max_width": 220, "keep_in_view": True, "auto_pan_padding": [12, 12]}
# Markers closer than this (px) merge into a numbered cluster; at the last zoom they
# spread out ("spiderfy"), so no project hides under another.
CLUSTER_OPTIONS = {"maxClusterRadius": 28, "showCoverageOnHover": False,
                   "spiderfyOnMaxZoom": True, "zoomToBoundsOnClick": True}
MAX_FIT_ZOOM = 16


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
    m = folium.Map(location=[0, 0], zoom_start=12, tiles=None, control_scale=False)
    m.options["max_zoom"] = 18  # the cluster needs a top zoom, with tiles or without
    m.default_js, m.default_css = [], []  # per instance: loaded by our page instead
    PhoneControls().add_to(m)
    if tiles == "openstreetmap":
        folium.TileLayer(tiles=OSM, name=tiles_label, control=False,
                         referrerPolicy="strict-origin-when-cross-origin").add_to(m)
    return m


def _finish(m: folium.Map, bounds, map_id: str) -> WebMap:
    minx, miny, maxx, maxy = bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], max_zoom=MAX_FIT_ZOOM)
    _stable_ids(m, map_id)
    root = m.get_root()
    root.render()
    div = root.html.render().strip()
    script = root.script.render().strip()
    return WebMap(Markup(div), Markup(script))


def category_layers(m, features_by_category, labels: dict) -> None:
    """One GeoJson layer per category (far smaller than one marker object each), all
    in one marker cluster (lines and areas are drawn as they are; their marker is
    clustered). The legend under the map names the categories.
    features_by_category: {category id: (its MapStyle, features)}, in legend order."""
    cluster = MarkerCluster(control=False, options=CLUSTER_OPTIONS)
    cluster.default_js, cluster.default_css = [], []  # self-hosted, loaded by the page
    for style, features in features_by_category.values():
        if not features:
            continue
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            style_function=lambda f, s=style: {
                "color": s.color, "weight": s.weight, "dashArray": s.dash or None,
                "fillColor": s.color, "fillOpacity": 0.35, "opacity": 1},
            marker=folium.Marker(icon=folium.DivIcon(
                html=symbol_svg(style, 22), icon_size=(22, 22), icon_anchor=(11, 11),
                class_name="map-symbol")),
            on_each_feature=BIND_FEATURE,
        ).add_to(cluster)
    cluster.add_to(m)


def project_feature(project, popup_html: str) -> dict:
    # "name" is plain text: it is only ever set with setAttribute, never parsed as HTML.
    return {"type": "Feature", "geometry": project.geometry,
            "properties": {"tip": escape(project.title), "popup": popup_html,
                           "name": project.title}}


def parish_map(map_id: str, boundary, bounds, features_by_category, labels: dict,
               tiles: str, neighbours=()) -> WebMap:
    """neighbours: (geometry, name label token) of the parishes around, drawn filled and
    named when there are no tiles, so the map never shows an empty grey box."""
    m = _base_map(tiles, labels["tiles"])
    if tiles == "none" and neighbours:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"label": label}, "geometry": geometry}
                for geometry, label in neighbours]},
            style_function=lambda f: {"color": "#8a8a8a", "weight": 1, "fillColor": "#ece8dc",
                                      "fillOpacity": 1},
            tooltip=folium.GeoJsonTooltip(["label"], labels=False, permanent=True,
                                          direction="center", class_name="map-label"),
            control=False, interactive=False,
        ).add_to(m)
    if boundary is not None:
        folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": boundary.geometry},
            style_function=lambda f: {"color": "#333", "weight": 2, "dashArray": "8 3 2 3",
                                      "fill": tiles == "none", "fillColor": "#fbfaf5",
                                      "fillOpacity": 1},
            control=False, interactive=False,
        ).add_to(m)
    category_layers(m, features_by_category, labels)
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
        tooltip=folium.GeoJsonTooltip(["tip"], labels=False, sticky=False),
        popup=folium.GeoJsonPopup(["popup"], labels=False, **POPUP_OPTIONS),
        control=False,
    ).add_to(m)
    category_layers(m, features_by_category, labels)
    return _finish(m, bounds, map_id)
