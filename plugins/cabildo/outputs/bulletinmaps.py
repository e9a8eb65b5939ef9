"""The maps of the printed bulletins: inline SVG from the same GeoJSON as the web maps.

No tiles and no network: parish outlines (credited to their source), the funded
projects drawn with the category's line pattern and point symbol (mapstyle.py,
legible in greyscale), place names at shapely's `representative_point()`, and
the scale bar and north arrow of svgmap.py. Each project carries the number of
its row in the bulletin's table; when a parish's projects gather in a small part
of it, a detail map shows them beside the parish (marked on it by a frame).
Labels are placed greedily so that they do not cover one another.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape

from .svgmap import Frame, svg_map

WIDTH = 640  # SVG user units; the print stylesheet scales each map to its column
HALF_WIDTH = 390  # the two maps side by side: narrower, so that their text prints as large
MAX_RATIO = 0.78  # height / width: a tall parish is widened so its map fits half a page
MIN_RATIO = 0.45
FALLBACK_PAD = 0.01  # degrees around the projects of a parish without a boundary
SIMPLIFY = 0.0005  # degrees (about 50 m): plenty for print, keeps the PDF small
LONG_NAME = 13  # place names longer than this are set on two lines
DETAIL_SHARE = 0.12  # projects spread over less than this share of the parish: detail map
DETAIL_MIN_SPAN = 0.02  # degrees (about 2 km): the detail map never zooms further in
PLACE_SIZE, KEY_SIZE = 12, 11  # as svgmap._labels draws them


@dataclass
class PrintMap:
    svg: Markup | None  # None: nothing to draw (no boundary, no located project)
    detail: Markup | None = None  # the projects up close, when they gather in one spot
    categories: list = field(default_factory=list)  # categories drawn, in legend order
    has_boundary: bool = True
    credit: str = ""
    unlocated: list = field(default_factory=list)  # numbers of projects without a location
    without_boundary: list = field(default_factory=list)  # parish names (municipal map)


# Geometry helpers --------------------------------------------------------------------

def _geometry(shape_):
    """GeoJSON of a shapely geometry, rounded to about 10 m."""
    geometry = mapping(shape_)
    return {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}


def _rounded(coords):
    if isinstance(coords[0], float):
        return [round(coords[0], 4), round(coords[1], 4)]
    return [_rounded(c) for c in coords]


def _simplified(b):
    return b.shape.simplify(SIMPLIFY, preserve_topology=True)


def _polygons(boundaries) -> dict | None:
    """Several outlines as one MultiPolygon GeoJSON (drawn as one path)."""
    parts = []
    for b in boundaries:
        s = _simplified(b)
        parts.extend(s.geoms if isinstance(s, MultiPolygon) else [s])
    parts = [p for p in parts if isinstance(p, Polygon)]
    return _geometry(MultiPolygon(parts)) if parts else None


def _bounds(shapes, pad: float):
    minx, miny, maxx, maxy = zip(*(s.bounds for s in shapes))
    return (min(minx) - pad, min(miny) - pad, max(maxx) + pad, max(maxy) + pad)


def _fit(extent, min_span: float = 0.0):
    """Grow an extent to a printable proportion (and at least min_span degrees)."""
    minx, miny, maxx, maxy = extent
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    k = math.cos(math.radians(cy))
    half_w = max(maxx - minx, min_span) / 2
    half_h = max(maxy - miny, min_span) / 2
    w, h = half_w * 2 * k, half_h * 2
    if h / w > MAX_RATIO:
        half_w = h / MAX_RATIO / k / 2
    elif h / w < MIN_RATIO:
        half_h = w * MIN_RATIO / 2
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _place_name(name: str) -> str:
    if len(name) <= LONG_NAME or " " not in name:
        return name
    words = name.split(" ")
    best = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i]))
                                                       - len(" ".join(words[i:]))))
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


def _legend(data, projects) -> list:
    """The ids of the categories drawn, in the order the site declares them."""
    drawn = {p.category for p in projects if p.geometry}
    return [c for c in data.categories if c in drawn]


# Label placement -----------------------------------------------------------------------

class Placer:
    """Greedy label placement in the map's units: the first candidate position whose box
    touches no label already placed (nor a project's symbol) wins."""

    def __init__(self, frame: Frame):
        self.frame = frame
        self.taken: list[tuple] = []  # labels placed
        self.symbols: list[tuple] = []  # project symbols: names avoid them when they can

    @staticmethod
    def _free(a, boxes) -> bool:
        return all(a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1] for b in boxes)

    def _inside(self, b) -> bool:
        return b[0] >= 2 and b[1] >= 2 and b[2] <= self.frame.width - 2 \
            and b[3] <= self.frame.height - 30  # keep clear of the scale bar

    def block(self, lon, lat, radius=7):
        x, y = self.frame.xy(lon, lat)
        self.symbols.append((x - radius, y - radius, x + radius, y + radius))

    def place(self, lon, lat, text: str, kind: str):
        """(lon, lat, text, kind, (dx, dy)) for svg_map, or None when nothing fits."""
        x, y = self.frame.xy(lon, lat)
        lines = text.split("\n")
        if kind == "place":
            w = max(len(line) for line in lines) * PLACE_SIZE * 0.58
            h = len(lines) * PLACE_SIZE * 1.1
            candidates = [(0, dy * h * 0.6) for dy in (0, -1, 1, -2, 2)]

            def area(dx, dy):
                top = y + dy - (len(lines) - 1) * PLACE_SIZE * 0.55 - PLACE_SIZE * 0.85
                return (x + dx - w / 2, top, x + dx + w / 2, top + h)
        else:
            w, h = len(text) * KEY_SIZE * 0.66 + 2, KEY_SIZE
            candidates = [(7, -5), (7, 12), (-7 - w, -5), (-7 - w, 12), (-w / 2, -11),
                          (-w / 2, 21), (14, 3), (-14 - w, 3), (12, -14), (-12 - w, -14),
                          (12, 24), (-12 - w, 24)]

            def area(dx, dy):
                return (x + dx, y + dy - KEY_SIZE * 0.85, x + dx + w, y + dy + KEY_SIZE * 0.2)
        for avoid in (self.taken + self.symbols, self.taken):
            for dx, dy in candidates:
                b = area(dx, dy)
                if self._inside(b) and self._free(b, avoid):
                    self.taken.append(b)
                    return (lon, lat, text, kind, (round(dx, 1), round(dy, 1)))
        if kind == "key":  # a number is never dropped: it goes where it first would
            dx, dy = candidates[0]
            self.taken.append(area(dx, dy))
            return (lon, lat, text, kind, (round(dx, 1), round(dy, 1)))
        return None  # a name that fits nowhere is left out rather than printed over another


def _key_groups(frame, numbered, shapes):
    """Projects whose points fall within a few units of each other share one label,
    "3, 4"; returns [(lon, lat, text)]."""
    groups: list[list] = []
    for n, p in numbered:
        at = shapes[p.id].representative_point()
        x, y = frame.xy(at.x, at.y)
        for g in groups:
            if abs(g[0] - x) < 9 and abs(g[1] - y) < 9:
                g[3].append(str(n))
                break
        else:
            groups.append([x, y, (at.x, at.y), [str(n)]])
    return [(lonlat[0], lonlat[1], ", ".join(ns)) for _, _, lonlat, ns in groups]


def _labels(extent, places, numbered, shapes, width=WIDTH) -> list:
    """Labels for a map: project numbers first (they matter most), then place names."""
    frame = Frame(extent, width)
    placer = Placer(frame)
    for s in shapes.values():
        at = s.representative_point()
        placer.block(at.x, at.y)
    out = []
    for lon, lat, text in _key_groups(frame, numbered, shapes) if numbered else []:
        out.append(placer.place(lon, lat, text, "key"))
    for lon, lat, name in places:
        out.append(placer.place(lon, lat, name, "place"))
    return [label for label in out if label]


def _visible_places(data, boundaries, extent, share=0.02):
    """Names of the parishes showing on a map, at a representative point of the part
    of each that shows."""
    frame = box(*extent)
    out = []
    for b in boundaries:
        visible = b.shape.intersection(frame)
        if visible.area > frame.area * share:
            at = visible.representative_point()
            out.append((at.x, at.y, _place_name(data.parishes[b.parish_id].name)))
    return out


def _in_print_font(svg) -> Markup:
    """The map's text in the bulletin's own font (one embedded font, not two)."""
    return Markup(str(svg).replace('font-family="sans-serif"', 'font-family="Cabildo Sans"'))


def _frame_mark(extent, inner, width) -> str:
    """A rectangle on a map (extent) showing where a detail map (inner) lies."""
    frame = Frame(extent, width)
    x0, y0 = frame.xy(inner[0], inner[3])
    x1, y1 = frame.xy(inner[2], inner[1])
    return (f'<rect x="{x0}" y="{y0}" width="{round(x1 - x0, 1)}" height="{round(y1 - y0, 1)}" '
            f'fill="none" stroke="#000" stroke-width="2.5"/>')


# The maps ------------------------------------------------------------------------------

def parish_map(data, parish, numbered, title: str, detail_title: str = "") -> PrintMap:
    """The map of one parish: its outline, its neighbours faded and named, and its funded
    projects with their numbers. `numbered` is [(number, project)]."""
    boundary = data.boundaries.get(parish.id)
    located = [(n, p) for n, p in numbered if p.geometry]
    shapes = {p.id: shape(p.geometry) for _, p in located}
    unlocated = [n for n, p in numbered if not p.geometry]
    if not located:  # an empty map would only take room: the bulletin says so in words
        return PrintMap(None, has_boundary=boundary is not None, unlocated=unlocated)
    others = [b for pid, b in sorted(data.boundaries.items()) if pid != parish.id]
    credit = (boundary or (others[0] if others else None))
    credit = credit.attribution if credit else ""
    features = [(p.geometry, data.categories[p.category].style, f"{n}. {p.title}", None)
                for n, p in located]
    own = _geometry(_simplified(boundary)) if boundary else None
    around = _polygons(others) if others else None

    def draw(extent, places, keys, map_title, mark=None, width=WIDTH):
        svg = str(svg_map(width=width, title=map_title, extent=extent, boundary=own,
                          outline=around, features=features,
                          labels=_labels(extent, places, keys, shapes, width)))
        if mark:  # drawn last, over everything but the labels' text is no matter here
            svg = svg.replace("</svg>", _frame_mark(extent, mark, width) + "</svg>", 1)
        return _in_print_font(svg)

    if boundary is None:
        extent = _fit(_bounds(shapes.values(), FALLBACK_PAD), DETAIL_MIN_SPAN)
        svg = draw(extent, _visible_places(data, others, extent), located, title)
        return PrintMap(svg, None, _legend(data, [p for _, p in located]), False, credit, unlocated)
    extent = _fit(_bounds([boundary.shape, *shapes.values()], 0.004))
    at = boundary.shape.representative_point()  # its own name first: it wins its place
    own_name = [(at.x, at.y, _place_name(parish.name))]
    detail = None
    if shapes:
        spot = _fit(_bounds(shapes.values(), 0.003), DETAIL_MIN_SPAN)
        spot_area = (spot[2] - spot[0]) * (spot[3] - spot[1])
        whole = (extent[2] - extent[0]) * (extent[3] - extent[1])
        if spot_area < whole * DETAIL_SHARE:
            detail = spot
    if detail is None:
        svg = draw(extent, own_name + _visible_places(data, others, extent), located, title)
        return PrintMap(svg, None, _legend(data, [p for _, p in located]), True, credit, unlocated)
    overview = draw(extent, own_name + _visible_places(data, others, extent), [], title,
                    mark=detail, width=HALF_WIDTH)
    zoomed = draw(detail, _visible_places(data, others, detail, 0.05), located,
                  detail_title or title, width=HALF_WIDTH)
    return PrintMap(overview, zoomed, _legend(data, [p for _, p in located]), True, credit, unlocated)


def municipal_map(data, projects, title: str) -> PrintMap:
    """All parishes on one map, named, with every funded project of the cycle."""
    located = [p for p in projects if p.geometry]
    boundaries = [b for _, b in sorted(data.boundaries.items())]
    if not boundaries and not located:
        return PrintMap(None, has_boundary=False)
    shapes = {p.id: shape(p.geometry) for p in located}
    extent = _fit(_bounds([b.shape for b in boundaries] + list(shapes.values()), 0.01))
    places = [(at.x, at.y, _place_name(data.parishes[b.parish_id].name))
              for b in boundaries for at in [b.shape.representative_point()]]
    missing = [data.parishes[pid].name for pid in data.parishes if pid not in data.boundaries]
    credit = boundaries[0].attribution if boundaries else ""
    svg = _in_print_font(svg_map(
        width=WIDTH, title=title, extent=extent,
        boundary=_polygons(boundaries) if boundaries else None,
        features=[(p.geometry, data.categories[p.category].style, p.title, None)
                  for p in located],
        labels=_labels(extent, places, [], shapes)))
    return PrintMap(svg, None, _legend(data, located), bool(boundaries), credit, [], missing)
