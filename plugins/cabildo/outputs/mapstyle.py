"""How each category is drawn, shared by the web maps, the SVG maps and print.

Each category's style (colour, line pattern, point symbol) is the site's data
(data/categories.yaml, model/categories.py fills in what it leaves out): colours
from the Okabe-Ito palette, and every category also differs by line pattern or
point symbol, so the maps read in greyscale too.
"""
from __future__ import annotations

from ..model.records import Category, MapStyle

# Symbol outlines on a 20x20 box (SVG path data), centred on (10, 10).
SYMBOLS = {
    "circle": "M10 3a7 7 0 1 0 0.01 0z",
    "square": "M4 4h12v12H4z",
    "triangle": "M10 2l8 15H2z",
    "diamond": "M10 1l8 9-8 9-8-9z",
    "cross": "M7 2h6v5h5v6h-5v5H7v-5H2V7h5z",
    "star": "M10 1l2.6 6 6.4.5-4.9 4.2 1.5 6.3L10 14.6 4.4 18l1.5-6.3L1 7.5 7.4 7z",
}


def symbol_svg(s: MapStyle, size: int = 20) -> str:
    """A standalone SVG of a style's point symbol (for markers and legends)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 20 20" aria-hidden="true"><path d="{SYMBOLS[s.symbol]}" '
            f'fill="{s.color}" stroke="#fff" stroke-width="1.5"/></svg>')


def line_svg(s: MapStyle, width: int = 36) -> str:
    """A standalone SVG of a style's line pattern (for legends)."""
    dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="12" '
            f'viewBox="0 0 {width} 12" aria-hidden="true"><line x1="1" y1="6" x2="{width - 1}" '
            f'y2="6" stroke="{s.color}" stroke-width="{s.weight}"{dash}/></svg>')


def legend_svg(category: Category) -> str:
    """The legend key of a category: its line pattern when its projects may be lines,
    its symbol when they may be points or areas, or both."""
    parts = []
    if category.has_lines:
        parts.append(line_svg(category.style, 28))
    if category.has_places:
        parts.append(symbol_svg(category.style, 16))
    return "".join(parts)
