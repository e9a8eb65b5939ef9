"""Languages: gettext catalogs (Babel .po files) and locale-aware formatting.

One Jinja environment serves every language: `_()` and the formatting
filters read the page's `lang` from the template context, so translating the
site renders each page once per language without a second Pelican build.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_symbol
from jinja2 import pass_context

from ..model.collation import sort_key
from ..model.records import Category, Money
from . import urls
from .catalogs import translations
from .tables import label_tables


def N_(text: str) -> str:
    """Marks a string for extraction; translated where it is shown."""
    return text


STATUS_LABELS = {
    "identification": N_("Identified"), "preparation": N_("In preparation"),
    "implementation": N_("Under way"), "completion": N_("Completed"),
    "cancelled": N_("Cancelled"),
}
SETTING_LABELS = {"urban": N_("urban"), "rural": N_("rural")}


def categories_of(context) -> Mapping[str, Category]:
    """The site's categories (data/categories.yaml), for a template: the context's
    CATEGORIES (the pages': hashed into every page's record, so a changed label or style
    renders the pages again), else its dataset's (the bulletins, cached by their HTML)."""
    found = context.get("CATEGORIES")
    if found is None:
        dataset = context.get("dataset")
        found = dataset.categories if dataset is not None else {}
    return found


def gettext_for(lang: str, text: str) -> str:
    return translations(lang).gettext(text)


def written_in(lang: str, es: str, en: str) -> str:
    """A text written in Spanish and English beside the code (open-data and schema
    descriptions); another language finds it in its catalog by the English text."""
    if lang == "es":
        return es
    return en if lang == "en" else gettext_for(lang, en)


class Formatter:
    """Numbers, money, percentages and dates in one language's locale, all from Babel's
    (CLDR) locale data: decimal and group marks, the currency symbol, its side and spacing.
    Each result is remembered: pages show the same amounts, counts and dates many times
    over, and Babel parses its pattern on every call.

    A site may replace a currency's symbol (`symbols`, e.g. VES: "Bs.") and the money
    pattern (`money_format`, e.g. "¤\u00a0#,##0.00"), for conventions CLDR does not hold.
    """

    def __init__(self, lang: str, locales: dict, symbols: dict, money_format: str | None = None):
        self.lang = lang
        self.locale = Locale.parse(locales.get(lang, lang))
        self.symbols = symbols
        pattern = money_format or self.locale.currency_formats["standard"].pattern
        self._money_patterns = {True: pattern, False: _WHOLE.sub("0", pattern)}
        for name in ("number", "money", "percent", "date"):
            plain = getattr(self, name)
            setattr(self, name, _remembered(plain))

    def number(self, value) -> str:
        return format_decimal(value, format="#,##0", locale=self.locale)

    def money(self, value: Money, digits: bool = True) -> str:
        amount = value.amount if digits else value.amount.quantize(Decimal(1))
        text = format_currency(amount, value.currency, format=self._money_patterns[digits],
                               locale=self.locale, currency_digits=digits)
        symbol = self.symbols.get(value.currency)
        if symbol:  # the site's own symbol where Babel's would be
            text = text.replace(get_currency_symbol(value.currency, self.locale), symbol, 1)
        return text

    def percent(self, value) -> str:
        """A ratio (0..1) as a whole percentage, spaced as the locale writes it
        (Babel's pattern for the locale: "60%" in es_VE, "60 %" in fr)."""
        return format_percent(value, locale=self.locale)

    def date(self, value: date, form: str = "long") -> str:
        return format_date(value, form, locale=self.locale)

    def sort_key(self, text: str) -> bytes:
        """The locale's collation (ICU): 'ñame' after 'nube' in Spanish, 'Ł' after 'L'."""
        return sort_key(str(self.locale), text)


_WHOLE = re.compile(r"0\.0+")  # a money pattern's fraction, dropped for whole amounts


@cache
def language_name(code: str) -> str:
    """A language's name in itself, from CLDR: 'Español', 'Français', 'Polski'."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def _remembered(method):
    """`method` with its results kept by argument (and argument type: 1 and 1.0 are
    equal keys but need not print alike)."""
    memo: dict = {}

    def call(value, *args, **kwargs):
        if kwargs:
            return method(value, *args, **kwargs)
        key = (type(value), value, *args)
        try:
            return memo[key]
        except KeyError:
            memo[key] = result = method(value, *args)
            return result
        except TypeError:  # an unhashable value
            return method(value, *args)
    return call


_FORMATTERS: dict = {}


def formatter_for(settings: dict, municipality, lang: str) -> Formatter:
    """The formatter of a language; the municipality's own locale (es_VE) formats its
    default language. One per language and settings, shared by every page."""
    locales = dict(settings["CABILDO_LOCALES"])
    if municipality and municipality.locale:
        locales[municipality.languages[0]] = municipality.locale
    symbols = settings["CABILDO_CURRENCY_SYMBOLS"]
    money_format = settings.get("CABILDO_MONEY_FORMAT") or None
    key = (lang, tuple(sorted(locales.items())), tuple(sorted(symbols.items())), money_format)
    if key not in _FORMATTERS:
        _FORMATTERS[key] = Formatter(lang, locales, symbols, money_format)
    return _FORMATTERS[key]


def page_gettext(lang: str, autoescape: bool) -> dict:
    """`_`, `gettext` and `ngettext` bound to one language, for a page's render context.

    The same results as the environment's callables (Jinja's "newstyle" gettext: the
    message is escaped as Markup when autoescaping, then always %-formatted), without
    looking the page's language up in the context on each of the thousands of calls."""
    return _bound_gettext(translations(lang), autoescape)  # a catalog read again: anew


@lru_cache(maxsize=16)  # bounded: `serve` reads the catalogs again at every build
def _bound_gettext(catalog, autoescape: bool) -> dict:
    from markupsafe import Markup
    plain_gettext, plain_ngettext = catalog.gettext, catalog.ngettext
    wrap = Markup if autoescape else str
    # Most calls format nothing, and pages ask for the same few hundred messages over and
    # over (half a million calls at full scale): each is looked up and wrapped once.
    # (Markup and str are immutable: one result serves every page.)
    plain: dict[str, str] = {}

    def gettext(__string, **variables):
        if not variables:
            found = plain.get(__string)
            if found is None:
                text = plain_gettext(__string)
                found = plain[__string] = wrap(text) if "%" not in text else wrap(text) % {}
            return found
        return wrap(plain_gettext(__string)) % variables

    def ngettext(__singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        return wrap(plain_ngettext(__singular, __plural, __num)) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def install(env, settings: dict) -> None:
    """Give a Jinja environment our i18n and formatting, reading `lang` per page."""
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    formatters: dict[str, Formatter] = {}

    def fmt(context) -> Formatter:
        lang = lang_of(context)
        if lang not in formatters:
            formatters[lang] = formatter_for(settings, context.get("municipality"), lang)
        return formatters[lang]

    def lang_of(context):
        page = context.get("page")  # Pelican's own pages carry their language
        return (context.get("lang") or getattr(page, "lang", None)
                or settings.get("DEFAULT_LANG", "es"))

    @pass_context
    def _gettext(context, text):
        return translations(lang_of(context)).gettext(text)

    @pass_context
    def category_label(context, value):
        """A category's label (by id) in the page's language; the id when undeclared."""
        category = categories_of(context).get(value)
        return category.label_in(lang_of(context)) if category else value

    @pass_context
    def _ngettext(context, singular, plural, n):
        return translations(lang_of(context)).ngettext(singular, plural, n)

    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    env.filters.update({
        "money": pass_context(lambda c, v, digits=True: fmt(c).money(v, digits)),
        "number": pass_context(lambda c, v: fmt(c).number(v)),
        "percent": pass_context(lambda c, v: fmt(c).percent(v)),
        "date": pass_context(lambda c, v, form="long": fmt(c).date(v, form)),
        "category": category_label,
        "status": pass_context(lambda c, v: _gettext(c, STATUS_LABELS.get(v, v))),
        "setting": pass_context(lambda c, v: _gettext(c, SETTING_LABELS.get(v, v))),
        "label_tables": label_tables,
    })

    @pass_context
    def url(context, kind, **values):
        lang = values.pop("lang", None) or lang_of(context)
        default = context["municipality"].languages[0]
        return f"{context.get('SITEURL', '')}/{urls.path(kind, lang, default, **values)}"

    env.globals.update({"url": url, "language_name": language_name,
                        "STATUS_LABELS": STATUS_LABELS})
