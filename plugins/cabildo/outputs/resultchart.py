"""The classic results chart of a pool, drawn on the server as inline SVG (no JavaScript).

One row per project in ranked order: its title, a bar as long as its votes
(dark when selected), and below all rows a strip of the budget filled by the
selected projects' costs. Every text from data is escaped.
"""
from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH = 320  # viewBox units: on a 360px phone the SVG is drawn about 1:1, text stays ~12px
ROW = 34


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def pool_chart(pool, lang: str, fmt, gettext, ngettext) -> Markup:
    _ = gettext
    rows = pool.rows
    top = max([r.score if r.score is not None and pool.vote_type in ("ordinal", "cumulative")
               else (r.votes or 0) for r in rows] + [1])
    height = ROW * len(rows) + 70
    title = _("Votes per project, in ranked order; dark bars are selected projects.")
    out = [f'<svg class="results-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
           f'font-family="system-ui, sans-serif" font-size="12" '
           f'style="display:block;width:100%;max-width:26rem;height:auto">',
           f"<title>{escape(title)}</title>"]
    for i, r in enumerate(rows):
        y = i * ROW
        value = r.score if r.score is not None and pool.vote_type in ("ordinal", "cumulative") \
            else r.votes
        width = round(float(value or 0) / float(top) * (WIDTH - 70))
        fill = "#1b6b3a" if r.selected else "#b9c2bd"
        label = f"{r.rank}. {_short(r.title or r.id)}"
        out.append(f'<text x="0" y="{y + 12}" fill="#222">{escape(label)}</text>')
        out.append(f'<rect x="0" y="{y + 16}" width="{width}" height="12" fill="{fill}"/>')
        if value is None:
            count = "—"  # not voted (a Torres project without a round-2 vote)
        elif value == r.votes:
            count = ngettext("%(n)s vote", "%(n)s votes", int(value)) % {"n": fmt.number(value)}
        else:
            count = fmt.number(value)
        out.append(f'<text x="{width + 4}" y="{y + 26}" fill="#222">{escape(count)}</text>')
    if pool.budget and pool.budget.amount:
        y = ROW * len(rows) + 14
        label = _("Budget used by the selected projects")
        out.append(f'<text x="0" y="{y}" fill="#222">{escape(label)}</text>')
        x = 0.0
        for r in rows:
            if not r.selected:
                continue
            w = float(r.cost.amount / pool.budget.amount) * WIDTH
            out.append(f'<rect x="{x:.1f}" y="{y + 6}" width="{max(w, 0.5):.1f}" height="16" '
                       f'fill="#1b6b3a" stroke="#fff" stroke-width="1"/>')
            x += w
        out.append(f'<rect x="0" y="{y + 6}" width="{WIDTH}" height="16" fill="none" '
                   f'stroke="#222"/>')
        spent = pool.spent
        note = _("%(spent)s of %(budget)s") % {"spent": fmt.money(spent, False),
                                                        "budget": fmt.money(pool.budget, False)}
        out.append(f'<text x="0" y="{y + 40}" fill="#222">{escape(note)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
