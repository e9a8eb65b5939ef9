"""What the results pages need from the Pelican side: functions for the
templates (reasons in words, the chart) and the `.pb` files to write."""
from __future__ import annotations

from pathlib import Path

from ..outputs import pbexport, resultchart
from ..views import i18n, results_text


def context(settings: dict, municipality) -> dict:
    formatters: dict = {}

    def fmt(lang):
        if lang not in formatters:
            formatters[lang] = i18n.formatter_for(settings, municipality, lang)
        return formatters[lang]

    def chart(pool, lang):
        t = i18n.translations(lang)
        return resultchart.pool_chart(pool, lang, fmt(lang), t.gettext, t.ngettext)

    return {
        "explain": lambda row, lang: results_text.explain(row, lang, fmt(lang)),
        "mismatch_text": results_text.mismatch,
        "results_words": lambda table, key, lang: results_text.words(
            getattr(results_text, table), key, lang),
        "results_chart": chart,
    }


def write(output: Path, pages, municipality) -> None:
    """The `.pb` files of every ballot cycle the pages show."""
    done = set()
    for page in pages:
        result = page.context.get("result") if page.kind == "results" else None
        if result is not None and result.ballot is not None and result.year not in done:
            done.add(result.year)
            pbexport.write(output, {result.year: result}, municipality)
