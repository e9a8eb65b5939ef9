"""The maps each page shows, per language: what to draw, from the records.

Web maps (folium) for parish and cycle pages, SVG maps for project pages and
as the no-JavaScript fallback. Popup and tooltip text is escaped here.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from . import maps, urls
from .i18n import CATEGORY_LABELS, STATUS_LABELS, gettext_for
from .svgmap import svg_map

FALLBACK_PAD = 0.01  # degrees around the projects of a parish without a boundary


@dataclass
class MapContext:
    lang: str
    default_lang: str
    siteurl: str
    tiles: str
    fmt: object  # i18n.Formatter

    def _(self, text):
        return gettext_for(self.lang, text)

    def url(self, kind, **values):
        return f"{self.siteurl}/{urls.path(kind, self.lang, self.default_lang, **values)}"

    def labels(self):
        out = {c: self._(label) for c, label in CATEGORY_LABELS.items()}
        out["tiles"] = self._("Map")
        out["parishes"] = self._("Parishes")
        return out

    def popup(self, project) -> str:
        status = self._(STATUS_LABELS[project.status])
        see = self._("See the project")
        return (f"<strong>{escape(project.title)}</strong><br>"
                f"{escape(self._(CATEGORY_LABELS[project.category]))}<br>"
                f"{escape(self.fmt.money(project.amount))}<br>"
                f"{escape(status)} ({project.progress}&nbsp;%)<br>"
                f'<a href="{escape(self.url("project", id=project.id))}">'
                f"{escape(see)}</a>")


def _by_category(ctx: MapContext, projects):
    out: dict[str, list] = {}
    for p in projects:
        if p.geometry:
            out.setdefault(p.category, []).append(maps.project_feature(p, ctx.popup(p)))
    return out


def _extent(boundary, projects):
    from shapely.geometry import shape
    boxes = [shape(p.geometry).bounds for p in projects if p.geometry]
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
    web = maps.parish_map(f"map_{pc.parish_id.replace('-', '_')}_{pc.year}", boundary, extent,
                          _by_category(ctx, pc.funded), ctx.labels(), ctx.tiles)
    svg = svg_map(width=640, title=ctx._("Map of %(parish)s") % {"parish": parish.name},
                  boundary=boundary.geometry if boundary else None, extent=extent,
                  features=[(p.geometry, p.category, p.title, ctx.url("project", id=p.id))
                            for p in pc.funded if p.geometry])
    return {"webmap": web, "svgmap": svg, "has_boundary": boundary is not None,
            "map_categories": sorted({p.category for p in pc.funded if p.geometry},
                                     key=list(CATEGORY_LABELS).index),
            "boundary_credit": boundary.attribution if boundary else ""}


def cycle(ctx: MapContext, data, summary) -> dict:
    if not data.boundaries:
        return {}
    values = [pc.per_resident.amount for pc in summary.by_parish]
    limits = maps.classes(values)
    parishes = []
    for pc in summary.by_parish:
        boundary = data.boundaries.get(pc.parish_id)
        if boundary is None:
            continue
        name = data.parishes[pc.parish_id].name
        per = ctx.fmt.money(pc.per_resident)
        per_label, see = ctx._("Per resident"), ctx._("See the parish")
        popup = (f"<strong>{escape(name)}</strong><br>"
                 f"{escape(per_label)}: {escape(per)}<br>"
                 f'<a href="{escape(ctx.url("parish_cycle", id=pc.parish_id, year=pc.year))}">'
                 f"{escape(see)}</a>")
        parishes.append((_simplified(boundary), maps.class_of(pc.per_resident.amount, limits),
                         f"{name}: {per}", popup))
    extent = _bounds(data.boundaries)
    web = maps.municipal_map(f"map_cycle_{summary.year}", parishes, extent,
                             _by_category(ctx, summary.funded), ctx.labels(), ctx.tiles)
    legend, low = [], None
    for i, limit in enumerate(limits):
        legend.append((maps.CHOROPLETH[i], low, limit))
        low = limit
    missing = [data.parishes[p].name for p in data.parishes if p not in data.boundaries]
    credit = next(iter(data.boundaries.values())).attribution
    return {"webmap": web, "choropleth": legend, "map_currency": summary.currency,
            "parishes_without_boundary": missing, "boundary_credit": credit,
            "map_categories": sorted({p.category for p in summary.funded if p.geometry},
                                     key=list(CATEGORY_LABELS).index)}


def _simplified(boundary):
    """A lighter outline for the municipal overview (about 100 m of tolerance)."""
    from shapely.geometry import mapping
    from .geo import Boundary
    shape = boundary.shape.simplify(0.001, preserve_topology=True)
    geometry = mapping(shape)
    geometry = {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}
    return Boundary(boundary.parish_id, geometry, shape, boundary.attribution)


def _rounded(coords):
    if isinstance(coords[0], float):
        return [round(coords[0], 5), round(coords[1], 5)]
    return [_rounded(c) for c in coords]


def _bounds(boundaries):
    from .geo import bounds_of
    minx, miny, maxx, maxy = bounds_of(boundaries)
    return (minx + 0.05, miny + 0.05, maxx - 0.05, maxy - 0.05)


def project(ctx: MapContext, data, project, siblings) -> dict:
    if not project.geometry:
        return {}
    boundary = data.boundaries.get(project.parish_id)
    extent = _extent(boundary, [project])
    svg = svg_map(width=480, title=ctx._("Where the project is"),
                  boundary=boundary.geometry if boundary else None, extent=extent,
                  context=[(p.geometry, p.category, p.title, ctx.url("project", id=p.id))
                           for p in siblings if p.geometry and p.id != project.id],
                  features=[(project.geometry, project.category, project.title, None)])
    return {"svgmap": svg, "has_boundary": boundary is not None,
            "boundary_credit": boundary.attribution if boundary else ""}


def legend_symbol(category: str) -> Markup:
    from .mapstyle import legend_svg
    return Markup(legend_svg(category))
