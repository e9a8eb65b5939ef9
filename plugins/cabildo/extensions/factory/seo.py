"""Search engines and feed readers: the factory pages' feed and their JSON-LD events."""
from __future__ import annotations

from ...views import urls
from ...views.seo import _place


def extras(page, lang: str, data, siteurl: str, default: str):
    """(feed URL, JSON-LD items) of a factory page; None for other pages."""
    if not page.kind.startswith("factory"):
        return None
    town = data.municipality
    items: list = []
    out: dict = {}
    factory = data.extensions["factory"]
    body_id = page.values.get("id") if page.kind == "factory_body" else None
    kind = "factory_body_feed" if body_id else "factory_feed"
    values = {"id": body_id} if body_id else {}
    out["feed_url"] = f"{siteurl}/{urls.path(kind, lang, default, **values)}"
    if page.kind == "factory_meeting":
        m, body = page.context["meeting"], page.context["body"]
        name = factory.name if lang == default else (factory.name_en or factory.name)
        items.append({
            "@context": "https://schema.org", "@type": "Event",
            "name": f"{body.name}, {m.date.isoformat()}",
            "startDate": f"{m.date.isoformat()}T{m.start.isoformat('minutes')}",
            "endDate": f"{m.date.isoformat()}T{m.end.isoformat('minutes')}",
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": {**_place(data), "name": m.place or town.seat},
            "organizer": {"@type": "Organization", "name": name}})
    return out["feed_url"], items
