"""Maps drawn at build time as inline SVG: no JavaScript, no tiles, printable.

Used for a project's locator map, as the parish map when JavaScript is off,
and (later) in the printed bulletins. Coordinates are projected with a simple
equirectangular projection scaled by cos(latitude), plenty for a parish.
"""
from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

from .mapstyle import SYMBOLS


class Frame:
    """Fits a lon/lat box into a width x height viewport, keeping proportions."""

    def __init__(self, bounds, width: int, pad: int = 12, min_span: float = 0.01):
        minx, miny, maxx, maxy = bounds
        # Never zoom further in than min_span degrees (a lone point still gets context).
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half_x, half_y = max(maxx - minx, min_span) / 2, max(maxy - miny, min_span) / 2
        self.minx, self.maxx = cx - half_x, cx + half_x
        self.miny, self.maxy = cy - half_y, cy + half_y
        self.k = math.cos(math.radians(cy))
        span_x = (self.maxx - self.minx) * self.k
        span_y = self.maxy - self.miny
        self.scale = (width - 2 * pad) / span_x
        self.pad = pad
        self.width = width
        self.height = round(span_y * self.scale + 2 * pad)

    def xy(self, lon, lat):
        return (round(self.pad + (lon - self.minx) * self.k * self.scale, 1),
                round(self.pad + (self.maxy - lat) * self.scale, 1))

    def metres_per_px(self):
        return 111_320 / self.scale


def _path(frame, rings) -> str:
    out = []
    for ring in rings:
        pts = [frame.xy(*p[:2]) for p in ring]
        out.append("M" + "L".join(f"{x} {y}" for x, y in pts))
    return " ".join(out)


def _polygon_rings(geometry):
    kind, c = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return c
    if kind == "MultiPolygon":
        return [ring for poly in c for ring in poly]
    return []


def _feature(frame, geometry, style, title, href=None, strong=True, symbol=1.0) -> str:
    """One project: `style` is its category's MapStyle."""
    kind, c = geometry["type"], geometry["coordinates"]
    opacity = "" if strong else ' opacity="0.45"'
    parts = []
    if kind in ("LineString", "MultiLineString"):
        lines = [c] if kind == "LineString" else c
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        for line in lines:
            d = "M" + "L".join("{} {}".format(*frame.xy(*p[:2])) for p in line)
            # A white casing under the line keeps patterns legible on any background.
            parts.append(f'<path d="{d}" fill="none" stroke="#fff" '
                         f'stroke-width="{style.weight + 3}" stroke-linecap="round"/>')
            parts.append(f'<path d="{d}" fill="none" stroke="{style.color}" '
                         f'stroke-width="{style.weight}"{dash} stroke-linecap="butt"/>')
    elif kind in ("Polygon", "MultiPolygon"):
        parts.append(f'<path d="{_path(frame, _polygon_rings(geometry))}" '
                     f'fill="{style.color}" fill-opacity="0.35" stroke="{style.color}" '
                     f'stroke-width="2" fill-rule="evenodd"/>')
    if kind in ("Point", "MultiPoint", "Polygon", "MultiPolygon", "LineString",
                "MultiLineString"):
        if kind == "Point":
            points = [c]
        elif kind == "MultiPoint":
            points = c
        elif "Line" in kind:
            # A street is a few pixels long on a parish's map: its symbol, at the middle
            # of its longest line, is what a reader sees (and taps).
            lines = [c] if kind == "LineString" else c
            points = [_middle(max(lines, key=_length))]
        else:
            ring = _polygon_rings(geometry)[0]
            points = [[sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)]]
        for p in points:
            x, y = frame.xy(*p[:2])
            at = f"translate({x - 10 * symbol:g} {y - 10 * symbol:g})" + (
                f" scale({symbol:g})" if symbol != 1 else "")
            parts.append(f'<path transform="{at}" '
                         f'd="{SYMBOLS[style.symbol]}" fill="{style.color}" stroke="#fff" '
                         f'stroke-width="1.5"/>')
    body = f"<title>{escape(title)}</title>" + "".join(parts)
    if href:
        return f'<a href="{escape(href)}"{opacity}>{body}</a>'
    return f"<g{opacity}>{body}</g>"


def _length(line) -> float:
    return sum(math.dist(a[:2], b[:2]) for a, b in zip(line, line[1:]))


def _middle(line):
    """The point halfway along a line (in degrees: enough to place a symbol)."""
    half, walked = _length(line) / 2, 0.0
    for a, b in zip(line, line[1:]):
        step = math.dist(a[:2], b[:2])
        if step and walked + step >= half:
            t = (half - walked) / step
            return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
        walked += step
    return list(line[0][:2])


def _scale_bar(frame) -> str:
    """A scale bar of a round length about a quarter of the width, and a north arrow."""
    target = frame.metres_per_px() * frame.width / 4
    step = 10 ** math.floor(math.log10(target))
    length_m = max(s * step for s in (1, 2, 5) if s * step <= target)
    px = length_m / frame.metres_per_px()
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    x0, y0 = frame.pad, frame.height - frame.pad
    nx = frame.width - frame.pad - 8
    return (f'<g class="scale" font-size="11" font-family="sans-serif">'
            f'<rect x="{x0 - 4}" y="{y0 - 18}" width="{px + 8:.1f}" height="22" fill="#fff" '
            f'fill-opacity="0.8"/>'
            f'<path d="M{x0} {y0 - 4}v4h{px:.1f}v-4" fill="none" stroke="#000" stroke-width="1.5"/>'
            f'<text x="{x0}" y="{y0 - 7}">{label}</text></g>'
            f'<g class="north" font-size="11" font-family="sans-serif" text-anchor="middle">'
            f'<rect x="{nx - 9}" y="{frame.pad - 3}" width="18" height="35" rx="3" fill="#fff" '
            f'fill-opacity="0.85"/>'
            f'<path d="M{nx} {frame.pad}l6 16-6-4-6 4z" fill="#000"/>'
            f'<text x="{nx}" y="{frame.pad + 28}">N</text></g>')


def _labels(frame, labels) -> str:
    """Text with a white halo, legible over any feature: place names ("place", centred;
    a newline splits the name over two lines) and keys to a table ("key", beside the point).
    An optional fifth item (dx, dy) moves the text by that many units from its point."""
    out = []
    for lon, lat, text, kind, *offset in labels:
        x, y = frame.xy(lon, lat)
        dx, dy = offset[0] if offset else ((8, -6) if kind == "key" else (0, 0))
        x, y = round(x + dx, 1), round(y + dy, 1)
        if kind == "key":
            size, attrs = 11, 'font-weight="bold"'
        else:
            size, attrs = 12, 'text-anchor="middle" fill-opacity="0.9"'
        lines = str(text).split("\n")
        y -= (len(lines) - 1) * size * 0.55
        for i, line in enumerate(lines):
            at = f'x="{x}" y="{y + i * size * 1.1:.1f}" font-size="{size}" font-family="sans-serif"'
            out.append(f'<text {at} {attrs} fill="none" stroke="#fff" stroke-width="3" '
                       f'stroke-linejoin="round" aria-hidden="true">{escape(line)}</text>'
                       f'<text {at} {attrs} fill="#111">{escape(line)}</text>')
    return f'<g class="labels">{"".join(out)}</g>' if out else ""


def svg_map(*, width: int, title: str, boundary=None, extent=None, features=(),
            context=(), outline=None, credit: str = "", labels=(), cache: dict | None = None,
            boundary_key=None, symbol: float = 1.0) -> Markup:
    """An SVG map.

    boundary: the GeoJSON of the area drawn as its outline (may be None).
    extent: (minx, miny, maxx, maxy) to show; defaults to the boundary's.
    features: (geometry, MapStyle of its category, title, href) drawn strongly;
    context: the same, faded.
    labels: (lon, lat, text, "place" | "key") written over the features.
    cache, boundary_key: reuse the boundary's drawn outline between maps of the same
    frame (every project of a parish shares it; drawing it is most of the work).
    """
    frame = Frame(extent, width)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" '
           f'width="{frame.width}" height="{frame.height}" role="img" class="svgmap">'
           f'<title>{escape(title)}</title>'
           f'<rect width="100%" height="100%" fill="#f4f1ea"/>']
    if outline is not None:
        # The neighbours drawn around a parish: the same for each of its projects
        key = ("outline", boundary_key, extent, width, id(outline))
        hit = cache.get(key) if cache is not None and boundary_key is not None else None
        if hit is not None and hit[0] is outline:
            d = hit[1]
        else:
            d = _path(frame, _polygon_rings(outline))
            if cache is not None and boundary_key is not None:
                cache[key] = (outline, d)  # the outline kept alive: its id stays its own
        out.append(f'<path d="{d}" fill="#fbfaf6" stroke="#999" stroke-width="1"/>')
    if boundary is not None:
        key = (boundary_key, extent, width)
        if cache is None or boundary_key is None:
            d = _path(frame, _polygon_rings(boundary))
        elif key in cache:
            d = cache[key]
        else:
            d = cache[key] = _path(frame, _polygon_rings(boundary))
        out.append(f'<path d="{d}" fill="#fff" '
                   f'stroke="#333" stroke-width="2" stroke-dasharray="8 3 2 3" '
                   f'fill-rule="evenodd"/>')
    for geometry, style, name, href in context:
        out.append(_feature(frame, geometry, style, name, href, strong=False))
    for geometry, style, name, href in features:
        out.append(_feature(frame, geometry, style, name, href, symbol=symbol))
    out.append(_labels(frame, labels))
    out.append(_scale_bar(frame))
    if credit:
        out.append(f'<text x="{frame.width - frame.pad}" y="{frame.height - 4}" font-size="9" '
                   f'font-family="sans-serif" text-anchor="end" fill="#444">{escape(credit)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
