"""Atom feeds of the participatory budget: decisions and project milestones.

One feed for the whole municipality and one per parish, in each language.
Entry dates come from the data (never the build clock), so builds stay
byte-identical; entries are sorted, newest first.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from feedgenerator import Atom1Feed

from ..views import urls
from ..views.i18n import STATUS_LABELS, gettext_for

LIMIT = 50  # entries per feed: enough for a reader to catch up


@dataclass(frozen=True)
class Entry:
    day: date
    key: str  # stable id
    title: str
    link: str
    summary: str
    parish_id: str


def feed_path(lang: str, default: str, parish_id: str | None = None) -> str:
    prefix = "" if lang == default else f"{lang}/"
    if parish_id:
        return prefix + urls.path("parish", lang, lang, id=parish_id) + "atom.xml"
    return prefix + "atom.xml"


def entries(data, lang: str, default: str, siteurl: str) -> list[Entry]:
    def _(text):
        return gettext_for(lang, text)

    def link(kind, **values):
        return f"{siteurl}/{urls.path(kind, lang, default, **values)}"
    out = []
    for a in data.parish_assemblies:
        if a.round != 2:
            continue
        parish = data.parishes[a.parish_id].name
        approved = [v for v in a.votes if v.approved]
        funded = [data.projects[v.project_id] for v in a.votes
                  if data.projects[v.project_id].funded]
        out.append(Entry(
            a.date, f"assembly/{a.id}",
            _("%(parish)s decided its projects for %(year)s") % {"parish": parish,
                                                                  "year": a.year},
            link("parish_cycle", id=a.parish_id, year=a.year),
            _("Round 2 parish assembly: %(approved)s of %(voted)s projects approved, "
              "%(funded)s funded.") % {"approved": len(approved), "voted": len(a.votes),
                                      "funded": len(funded)},
            a.parish_id))
    for p in data.projects.values():
        for m in p.milestones:
            out.append(Entry(
                m.date, f"project/{p.id}/{m.date.isoformat()}/{m.status}",
                f"{p.title}: {_(STATUS_LABELS[m.status])}",
                link("project", id=p.id), m.note or _(STATUS_LABELS[m.status]), p.parish_id))
    out.sort(key=lambda e: (e.day, e.key), reverse=True)
    return out


class DataFeed(Atom1Feed):
    """An Atom feed whose <updated> comes from the data, even when it has no entry
    (feedgenerator would use the clock)."""

    as_of: datetime

    def latest_post_date(self):
        return max((i["updateddate"] for i in self.items), default=self.as_of)


def _feed(title, page_link, feed_link, lang, items, tz, tag, as_of) -> str:
    feed = DataFeed(title=title, link=page_link, description=title, language=lang,
                    feed_url=feed_link, feed_guid=feed_link)
    feed.as_of = datetime.combine(as_of, time(12), tz)
    for e in items[:LIMIT]:
        when = datetime.combine(e.day, time(12), tz)
        # Atom's <summary type="html"> holds HTML: the plain text of the data is escaped
        # for HTML here, once; feedgenerator then escapes that for XML. Titles are
        # type="text" and go as they are.
        feed.add_item(title=e.title, link=e.link, description=html.escape(e.summary),
                      unique_id=f"tag:{tag},{e.day.year}:{e.key}", pubdate=when,
                      updateddate=when)
    return feed.writeString("utf-8")


def write(output: Path, data, lang: str, default: str, siteurl: str) -> None:
    tz = ZoneInfo(data.municipality.timezone or "UTC")  # absent when unknown (imported data)
    tag = "cabildo-" + data.municipality.name.lower().replace(" ", "-")
    items = entries(data, lang, default, siteurl)
    as_of = items[0].day if items else date(2000, 1, 1)
    _ = lambda text: gettext_for(lang, text)  # noqa: E731
    town = data.municipality.name
    targets = [(None, _("Participatory budget of %(name)s") % {"name": town},
                f"{siteurl}/{urls.path('home', lang, default)}", items)]
    for parish in data.parishes.values():
        targets.append((parish.id, _("Parish %(name)s") % {"name": parish.name} + f" · {town}",
                        f"{siteurl}/{urls.path('parish', lang, default, id=parish.id)}",
                        [e for e in items if e.parish_id == parish.id]))
    for parish_id, title, page_link, chosen in targets:
        path = feed_path(lang, default, parish_id)
        target = output / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_feed(title, page_link, f"{siteurl}/{path}", lang, chosen, tz, tag,
                                as_of), "utf-8")
