"""How each category is drawn, shared by the web maps, the SVG maps and print.

Colours are the Okabe-Ito palette (told apart by most colour-blind readers),
and every category also differs by line pattern or point symbol, so the maps
read in greyscale too.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    color: str
    dash: str  # SVG/Leaflet dash array; "" for solid
    weight: int  # line width in px
    symbol: str  # point symbol: circle, square, triangle, diamond, cross, star


STYLES = {
    "road": Style("#000000", "", 5, "square"),
    "sewer": Style("#D55E00", "10 5", 4, "triangle"),
    "electricity": Style("#E69F00", "2 5", 4, "diamond"),
    "water": Style("#0072B2", "12 4 2 4", 4, "circle"),
    "transport": Style("#CC79A7", "6 3", 4, "star"),
    "school": Style("#0072B2", "", 3, "square"),
    "health": Style("#D55E00", "", 3, "cross"),
    "housing": Style("#009E73", "", 3, "triangle"),
    "sports": Style("#E69F00", "", 3, "circle"),
    "culture": Style("#CC79A7", "", 3, "diamond"),
    "other": Style("#555555", "1 4", 3, "star"),
}

# Symbol outlines on a 20x20 box (SVG path data), centred on (10, 10).
SYMBOLS = {
    "circle": "M10 3a7 7 0 1 0 0.01 0z",
    "square": "M4 4h12v12H4z",
    "triangle": "M10 2l8 15H2z",
    "diamond": "M10 1l8 9-8 9-8-9z",
    "cross": "M7 2h6v5h5v6h-5v5H7v-5H2V7h5z",
    "star": "M10 1l2.6 6 6.4.5-4.9 4.2 1.5 6.3L10 14.6 4.4 18l1.5-6.3L1 7.5 7.4 7z",
}


def symbol_svg(category: str, size: int = 20) -> str:
    """A standalone SVG of the category's point symbol (for markers and legends)."""
    s = STYLES[category]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 20 20" aria-hidden="true"><path d="{SYMBOLS[s.symbol]}" '
            f'fill="{s.color}" stroke="#fff" stroke-width="1.5"/></svg>')


def line_svg(category: str, width: int = 36) -> str:
    """A standalone SVG of the category's line pattern (for legends)."""
    s = STYLES[category]
    dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="12" '
            f'viewBox="0 0 {width} 12" aria-hidden="true"><line x1="1" y1="6" x2="{width - 1}" '
            f'y2="6" stroke="{s.color}" stroke-width="{s.weight}"{dash}/></svg>')


LINE_ONLY = {"road", "sewer"}
POINT_ONLY = {"school", "health", "housing", "sports", "culture"}


def legend_svg(category: str) -> str:
    """The legend key of a category: its line pattern, its symbol, or both."""
    parts = []
    if category not in POINT_ONLY:
        parts.append(line_svg(category, 28))
    if category not in LINE_ONLY:
        parts.append(symbol_svg(category, 16))
    return "".join(parts)
