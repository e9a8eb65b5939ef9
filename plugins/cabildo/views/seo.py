"""What a page tells search engines and chat apps about itself: schema.org JSON-LD,
the Open Graph locale, and the feed to follow. Built from the records, per language."""
from __future__ import annotations

import functools

from babel import Locale
from babel.core import get_global
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from ..extensions import extensions
from ..outputs import feeds, opendata
from . import urls
from .i18n import gettext_for


def _json(value) -> Markup:
    # htmlsafe: '<', '>', '&' and quotes are escaped, so data cannot close the <script>.
    return Markup(htmlsafe_json_dumps(value, indent=None))


def _place(data, parish=None) -> dict:
    town = data.municipality
    address = {"@type": "PostalAddress", "addressRegion": town.state,
               "addressCountry": town.country,
               "addressLocality": (parish.seat if parish and parish.seat else town.seat)}
    name = f"{parish.name}, {town.name}" if parish else town.name
    return {"@type": "Place", "name": name, "address": address}


def extras(page, lang: str, data, settings: dict) -> dict:
    def _(text):
        return gettext_for(lang, text)
    siteurl = settings.get("SITEURL", "")
    default = data.municipality.languages[0]

    def url(kind, **values):
        return f"{siteurl}/{urls.path(kind, lang, default, **values)}"
    town = data.municipality

    def government() -> dict:  # only a few kinds of page name it (extras run for every page)
        return {"@type": "GovernmentOrganization",
                "name": _("Municipality of %(name)s") % {"name": town.name},
                "url": url("home"), "address": _place(data)["address"]}
    out = {"og_locale": (town.locale if lang == default else
                         settings.get("CABILDO_LOCALES", {}).get(lang) or full_locale(lang)),
           "feed_url": f"{siteurl}/{feeds.feed_path(lang, default)}"}
    items = []
    if page.kind == "home":
        items.append({"@context": "https://schema.org", **government()})
    elif page.kind in ("parish_cycle", "council"):
        if page.kind == "parish_cycle":
            pc = page.context["pc"]
            parish = data.parishes[pc.parish_id]
            out["feed_url"] = f"{siteurl}/{feeds.feed_path(lang, default, parish.id)}"
            assemblies = [(a, _("Parish assembly of %(parish)s, round %(round)s")
                           % {"parish": parish.name, "round": a.round})
                          for a in pc.parish_assemblies]
        else:
            council = page.context["council"]
            parish = data.parishes[council.parish_id]
            out["feed_url"] = f"{siteurl}/{feeds.feed_path(lang, default, parish.id)}"
            assemblies = [(a, _("Citizens' assembly of %(council)s, %(year)s")
                           % {"council": council.name, "year": a.year})
                          for a in page.context["assemblies"]]
        organizer = government() if assemblies else None
        for a, name in assemblies:
            items.append({"@context": "https://schema.org", "@type": "Event", "name": name,
                          "startDate": a.date.isoformat(),
                          "eventStatus": "https://schema.org/EventScheduled",
                          "eventAttendanceMode":
                              "https://schema.org/OfflineEventAttendanceMode",
                          "location": _place(data, parish), "organizer": organizer})
    elif (found := _extension_seo(page, lang, data, siteurl, default)) is not None:
        out["feed_url"], more = found
        items.extend(more)
    elif page.kind == "parish":
        out["feed_url"] = f"{siteurl}/{feeds.feed_path(lang, default, page.values['id'])}"
    elif page.kind == "data":
        years = sorted(set(data.cycles) | set(getattr(data, "ballots", {})))
        distribution = []
        for table, year, stem in opendata.files(data):
            for fmt, media in (("csv", "text/csv"), ("json", "application/json")):
                distribution.append({"@type": "DataDownload", "encodingFormat": media,
                                     "contentUrl": f"{siteurl}/{stem}.{fmt}"})
        items.append({
            "@context": "https://schema.org", "@type": "Dataset",
            "name": _("Participatory budget of %(name)s") % {"name": town.name},
            "description": _("Communal councils, assemblies, votes and projects of the "
                             "participatory budget, each amount in its cycle's currency."),
            "url": url("data"), "license": "https://creativecommons.org/licenses/by/4.0/",
            "creator": government(), "inLanguage": lang,
            "temporalCoverage": f"{min(years)}/{max(years)}" if years else None,
            "distribution": distribution})
    out["jsonld"] = [_json(item) for item in items]
    return out


def _extension_seo(page, lang, data, siteurl, default):
    """An extension's own page (the factory's...): its feed and JSON-LD items."""
    for ext in extensions():
        if ext.seo is not None:
            found = ext.seo(page, lang, data, siteurl, default)
            if found is not None:
                return found
    return None


@functools.cache  # Babel's parse reads locale files: once per language
def full_locale(lang: str) -> str:
    """Open Graph wants language_TERRITORY: CLDR's likely region ('fr' -> 'fr_FR')."""
    likely = get_global("likely_subtags").get(lang, lang)
    parsed = Locale.parse(likely)
    return f"{parsed.language}_{parsed.territory}" if parsed.territory else lang
