"""Atom feeds of the factory's minutes and decisions: one overall, one per body, per language.

Deterministic: every date comes from the data (a meeting's date and end time, in the
municipality's time zone); a feed without entries is dated at the data's as-of date.
Never the build's clock.
"""
from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from feedgenerator import Atom1Feed
from markupsafe import escape

from ...views import urls
from ...views.i18n import Formatter, gettext_for
from .index import FactoryIndex
from .records import Body


class _Feed(Atom1Feed):
    def __init__(self, *args, empty_date: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._empty_date = empty_date

    def latest_post_date(self):
        return max((i["updateddate"] for i in self.items), default=self._empty_date)


def _name(body: Body, lang: str, default: str) -> str:
    return body.name_en if lang != default and body.name_en else body.name


def feed(ix: FactoryIndex, lang: str, default: str, siteurl: str, tz: str, fmt: Formatter,
         body: Body | None = None) -> bytes:
    """The Atom document of all bodies (body=None) or of one body."""
    f = ix.factory
    zone = ZoneInfo(tz)

    def _(text):
        return gettext_for(lang, text)

    def link(kind, **values):
        return f"{siteurl}/{urls.path(kind, lang, default, **values)}"

    def when(day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=zone)

    factory_name = f.name_en if lang != default and f.name_en else f.name
    if body is None:
        title = _("%(factory)s: minutes and decisions") % {"factory": factory_name}
        home, self_url = link("factory"), link("factory_feed")
        feed_id = f"urn:cabildo:{f.id}:feed"
        meetings = f.meetings
    else:
        title = _("%(body)s: minutes and decisions") % {"body": _name(body, lang, default)}
        home, self_url = link("factory_body", id=body.id), link("factory_body_feed", id=body.id)
        feed_id = f"urn:cabildo:{f.id}:body:{body.id}:feed"
        meetings = ix.meetings_by_body.get(body.id, [])
    doc = _Feed(title=title, link=home, description="", language=lang, feed_url=self_url,
                feed_guid=feed_id, empty_date=when(ix.as_of, time(0, 0)))
    for meeting in sorted(meetings, key=lambda m: (m.date, m.start, m.id), reverse=True):
        mbody = f.bodies[meeting.body_id]
        stamp = when(meeting.date, meeting.end)
        page = link("factory_meeting", id=meeting.id)
        items = "; ".join(i.title for i in meeting.items)
        doc.add_item(
            title=_("Minutes: %(body)s, %(date)s") % {
                "body": _name(mbody, lang, default), "date": fmt.date(meeting.date)},
            link=page, unique_id=f"urn:cabildo:{f.id}:meeting:{meeting.id}",
            # Atom summaries are HTML: data text is escaped so readers show it as text.
            description=str(escape(_("Agenda: %(items)s") % {"items": items})),
            pubdate=stamp, updateddate=stamp)
        for d in meeting.decisions:
            outcome = _("passed") if d.passed else _("not passed")
            doc.add_item(
                title=_("%(body)s, decision: %(text)s") % {
                    "body": _name(mbody, lang, default), "text": d.text},
                link=f"{page}#{d.id}", unique_id=f"urn:cabildo:{f.id}:decision:{d.id}",
                description=str(escape(f"{d.text} ({outcome})")), pubdate=stamp,
                updateddate=stamp)
    out = io.StringIO()
    doc.write(out, "utf-8")
    return out.getvalue().encode("utf-8")
