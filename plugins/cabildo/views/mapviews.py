"""The maps each page shows, per language: what to draw, from the records.

Web maps (folium) for parish and cycle pages, SVG maps for project pages and
as the no-JavaScript fallback. Popup and tooltip text is escaped here.

A web map is rendered by folium once per page, with tokens such as
@@popup:project-id@@ where the text depends on the language, and then
localised for each language by replacing the tokens: rendering it again
per language would double the cost of the maps.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from jinja2 import pass_context
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from ..outputs import maps
from ..outputs.svgmap import svg_map
from . import urls
from .i18n import STATUS_LABELS, categories_of, gettext_for

FALLBACK_PAD = 0.01  # degrees around the projects of a parish without a boundary
MIN_SPAN = 0.012  # degrees (~1.3 km): the least a view of funded projects shows


@dataclass
class MapContext:
    lang: str
    default_lang: str
    siteurl: str
    tiles: str
    fmt: object  # i18n.Formatter
    cache: dict = field(default_factory=dict)  # this page's maps, shared by its languages
    shared: dict = field(default_factory=dict)  # drawn outlines, shared by every page

    def _(self, text):
        return gettext_for(self.lang, text)

    def url(self, kind, **values):
        return f"{self.siteurl}/{urls.path(kind, self.lang, self.default_lang, **values)}"

    def labels(self):
        out = {"tiles": self._("Map")}
        out["parishes"] = self._("Parishes")
        out["attribution"] = Markup(self._("&copy; %(osm)s contributors") % {
            "osm": Markup('<a href="https://www.openstreetmap.org/copyright">'
                          'OpenStreetMap</a>')})
        return out

    def popup(self, project, category) -> str:
        status = self._(STATUS_LABELS[project.status])
        see = self._("See the project")
        return (f"<strong>{escape(project.title)}</strong><br>"
                f"{escape(category.label_in(self.lang))}<br>"
                f"{escape(self.fmt.money(project.amount))}<br>"
                f"{escape(status)} ({escape(self.fmt.percent(project.progress / 100))})<br>"
                f'<a href="{escape(self.url("project", id=project.id))}">'
                f"{escape(see)}</a>")


TOKEN = re.compile(r"@@(popup|parish|tip|layer):([a-z0-9-]+)@@")
LAYER_TOKENS = {c: f"@@layer:{c}@@" for c in ["parishes", "tiles", "attribution"]}


def _marker_point(geometry) -> dict | None:
    """Where a line's or an area's marker goes: the middle of its longest line, or a point
    inside the area. A short street is a few pixels long at a parish's zoom; its marker is
    a 22 px target that can always be seen and tapped."""
    if geometry["type"] in ("Point", "MultiPoint"):
        return None
    from shapely.geometry import mapping, shape
    shp = shape(geometry)
    if "Line" in shp.geom_type:
        parts = getattr(shp, "geoms", [shp])
        longest = max(parts, key=lambda g: g.length)
        point = longest.interpolate(0.5, normalized=True)
    else:
        point = shp.representative_point()
    return mapping(point)


def _by_category(projects, categories):
    """Project features by category ({id: (style, features)}, in the order the site
    declares its categories), with a token where the popup goes; lines and areas also
    get a marker at their middle."""
    out: dict[str, tuple] = {c.id: (c.style, []) for c in categories.values()}
    for p in projects:
        if p.geometry:
            feature = maps.project_feature(p, f"@@popup:{p.id}@@")
            features = out[p.category][1]
            features.append(feature)
            point = _marker_point(p.geometry)
            if point:
                features.append({**feature, "geometry": {
                    "type": "Point", "coordinates": [round(c, 6) for c in point["coordinates"]]}})
    return out


def _localise(ctx: MapContext, web: maps.WebMap, data, texts=None) -> maps.WebMap:
    """The map in ctx's language: every token replaced by its text, JSON-escaped."""
    labels = ctx.labels()
    texts = texts or {}

    def text(match):
        kind, key = match.groups()
        if kind == "popup":
            project = data.projects[key]
            value = ctx.popup(project, data.categories[project.category])
        elif kind == "layer":
            label = labels[key]  # the credit is Markup already (its link)
            value = label if isinstance(label, Markup) else escape(label)
        else:
            value = texts[(kind, key)]
        return htmlsafe_json_dumps(value)[1:-1]  # inside a JSON string already
    return maps.WebMap(web.div, Markup(TOKEN.sub(text, str(web.script))))


def _bbox(geometry):
    """(minx, miny, maxx, maxy) of a GeoJSON geometry, without building a shape."""
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for x in c:
                walk(x)
    walk(geometry["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def _funded_extent(projects):
    """The funded projects' box, padded, at least MIN_SPAN wide and tall."""
    boxes = [_bbox(p.geometry) for p in projects if p.geometry]
    if not boxes:
        return None
    minx, miny, maxx, maxy = zip(*boxes)
    minx, miny, maxx, maxy = min(minx), min(miny), max(maxx), max(maxy)
    padx = max((maxx - minx) * 0.15, (MIN_SPAN - (maxx - minx)) / 2, 0)
    pady = max((maxy - miny) * 0.15, (MIN_SPAN - (maxy - miny)) / 2, 0)
    return (minx - padx, miny - pady, maxx + padx, maxy + pady)


def _neighbours(ctx, data, parish_id):
    """(simplified outline, escaped name) of the parish and those touching it."""
    key = ("neighbours", parish_id)
    if key not in ctx.shared:
        own = data.boundaries[parish_id]
        ctx.shared[key] = [
            (_simplified(b).geometry, escape(data.parishes[pid].name))
            for pid, b in data.boundaries.items()
            if pid in data.parishes and (pid == parish_id or b.shape.intersects(own.shape))]
    return ctx.shared[key]


def _extent(boundary, projects):
    boxes = [_bbox(p.geometry) for p in projects if p.geometry]
    if boundary is not None:
        boxes.append(boundary.shape.bounds)
    if not boxes:
        return None
    minx, miny, maxx, maxy = zip(*boxes)
    pad = 0 if boundary is not None else FALLBACK_PAD
    return (min(minx) - pad, min(miny) - pad, max(maxx) + pad, max(maxy) + pad)


def parish_cycle(ctx: MapContext, data, pc) -> dict:
    boundary = data.boundaries.get(pc.parish_id)
    extent = _extent(boundary, pc.funded)
    if extent is None:
        return {"map_missing": True}
    parish = data.parishes[pc.parish_id]
    key = ("parish", pc.parish_id, pc.year)
    if key not in ctx.cache:
        # The web map opens on what was funded; the parish and its neighbours around it.
        ctx.cache[key] = maps.parish_map(
            f"map_{pc.parish_id.replace('-', '_')}_{pc.year}", boundary,
            _funded_extent(pc.funded) or extent, _by_category(pc.funded, data.categories), LAYER_TOKENS,
            ctx.tiles, _neighbours(ctx, data, pc.parish_id) if boundary is not None else ())
    web = _localise(ctx, ctx.cache[key], data)
    svg = svg_map(width=640, title=ctx._("Map of %(parish)s") % {"parish": parish.name},
                  boundary=boundary.geometry if boundary else None, extent=extent,
                  features=[(p.geometry, data.categories[p.category].style, p.title,
                             ctx.url("project", id=p.id))
                            for p in pc.funded if p.geometry],
                  cache=ctx.shared, boundary_key=pc.parish_id)
    return {"webmap": web, "svgmap": svg, "has_boundary": boundary is not None,
            "map_categories": _drawn(data, pc.funded),
            "boundary_credit": boundary.attribution if boundary else ""}


def cycle(ctx: MapContext, data, summary) -> dict:
    if not data.boundaries:
        return {}
    values = [pc.per_resident.amount for pc in summary.by_parish]
    limits = maps.classes(values)
    texts = {}
    per_label, see = ctx._("Per resident"), ctx._("See the parish")
    for pc in summary.by_parish:
        name = data.parishes[pc.parish_id].name
        per = ctx.fmt.money(pc.per_resident)
        texts[("tip", pc.parish_id)] = escape(f"{name}: {per}")
        texts[("parish", pc.parish_id)] = (
            f"<strong>{escape(name)}</strong><br>{escape(per_label)}: {escape(per)}<br>"
            f'<a href="{escape(ctx.url("parish_cycle", id=pc.parish_id, year=pc.year))}">'
            f"{escape(see)}</a>")
    key = ("cycle", summary.year)
    if key not in ctx.cache:
        parishes = [(_simplified(data.boundaries[pc.parish_id]),
                     maps.class_of(pc.per_resident.amount, limits),
                     f"@@tip:{pc.parish_id}@@", f"@@parish:{pc.parish_id}@@")
                    for pc in summary.by_parish if pc.parish_id in data.boundaries]
        ctx.cache[key] = maps.municipal_map(
            f"map_cycle_{summary.year}", parishes, _bounds(data.boundaries),
            _by_category(summary.funded, data.categories), LAYER_TOKENS, ctx.tiles)
    web = _localise(ctx, ctx.cache[key], data, texts)
    legend, low = [], None
    for i, limit in enumerate(limits):
        legend.append((maps.CHOROPLETH[i], low, limit))
        low = limit
    missing = [data.parishes[p].name for p in data.parishes if p not in data.boundaries]
    credit = next(iter(data.boundaries.values())).attribution
    return {"webmap": web, "choropleth": legend, "map_currency": summary.currency,
            "parishes_without_boundary": missing, "boundary_credit": credit,
            "map_categories": _drawn(data, summary.funded)}


def _simplified(boundary):
    """A lighter outline for the municipal overview (about 100 m of tolerance)."""
    from shapely.geometry import mapping

    from ..model.geo import Boundary
    shape = boundary.shape.simplify(0.001, preserve_topology=True)
    geometry = mapping(shape)
    geometry = {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}
    return Boundary(boundary.parish_id, geometry, boundary.attribution, drawn=shape)


def _rounded(coords):
    if isinstance(coords[0], float):
        return [round(coords[0], 5), round(coords[1], 5)]
    return [_rounded(c) for c in coords]


def _bounds(boundaries):
    from ..model.geo import bounds_of
    minx, miny, maxx, maxy = bounds_of(boundaries)
    return (minx + 0.05, miny + 0.05, maxx - 0.05, maxy - 0.05)


def project(ctx: MapContext, data, project) -> dict:
    if not project.geometry:
        return {}
    boundary = data.boundaries.get(project.parish_id)
    extent = _extent(boundary, [project])
    around, names = _locator_context(ctx, data, project.parish_id, extent) if boundary else (None, ())
    svg = svg_map(width=480, title=ctx._("Where the project is"),
                  boundary=boundary.geometry if boundary else None, extent=extent,
                  features=[(project.geometry, data.categories[project.category].style,
                            project.title, None)],
                  outline=around, labels=_clear_of(names, project.geometry, extent),
                  cache=ctx.shared, boundary_key=project.parish_id, symbol=LOCATOR_SYMBOL)
    return {"svgmap": svg, "has_boundary": boundary is not None,
            "boundary_credit": boundary.attribution if boundary else ""}


LOCATOR_SYMBOL = 1.8  # the locator is shrunk to a phone's width: its one symbol is not


def _clear_of(names, geometry, extent):
    """Place names moved off the project's symbol when they would cover it."""
    px, py = _bbox(geometry)[:2]
    near_x, near_y = (extent[2] - extent[0]) * 0.15, (extent[3] - extent[1]) * 0.08
    return tuple((*n, (0, 30)) if abs(n[0] - px) < near_x and abs(n[1] - py) < near_y else n
                 for n in names)


def _locator_context(ctx, data, parish_id, extent):
    """The neighbouring parishes drawn around a project's parish, and every parish in
    view named (at a point of it inside the view), so a locator says where it is."""
    key = ("locator", parish_id)
    if key not in ctx.shared:
        from shapely.geometry import box, mapping
        from shapely.ops import unary_union
        view = box(*extent)
        own = data.boundaries[parish_id]
        around = [b for pid, b in data.boundaries.items()
                  if pid != parish_id and b.shape.intersects(view)]
        outline = mapping(unary_union([b.shape.intersection(view) for b in around])) \
            if around else None
        names = []
        for b in [own, *around]:
            part = b.shape.intersection(view)
            if part.is_empty or part.area < view.area * 0.02:
                continue  # a sliver at the edge has no room for a name
            point = part.representative_point()
            names.append((point.x, point.y, data.parishes[b.parish_id].name, "place"))
        ctx.shared[key] = (outline, tuple(names))
    return ctx.shared[key]


def _drawn(data, projects) -> list[str]:
    """The ids of the categories on a map, in the order the site declares them."""
    drawn = {p.category for p in projects if p.geometry}
    return [c for c in data.categories if c in drawn]


@pass_context
def legend_symbol(context, category: str) -> Markup:
    """The legend key of a category (by id) of the page's dataset."""
    from ..outputs.mapstyle import legend_svg
    return Markup(legend_svg(categories_of(context)[category]))
