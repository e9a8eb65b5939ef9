"""The data model page, read from the JSON Schemas so the two cannot drift apart."""
from __future__ import annotations

import json
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..extensions import extensions
from ..model.load import PLACE
from ..model.schema import schema_path
from ..views.i18n import gettext_for, written_in


@dataclass(frozen=True)
class FieldDoc:
    name: str
    required: bool
    es: str
    en: str

    def description(self, lang: str) -> str:
        return written_in(lang, self.es, self.en)


@dataclass(frozen=True)
class TypeDoc:
    type: str
    place: str
    title_es: str
    title_en: str
    fields: tuple[FieldDoc, ...]

    def title(self, lang: str) -> str:
        return written_in(lang, self.title_es, self.title_en)


def _fields(node: dict, prefix: str = ""):
    required = set(node.get("required", ()))
    for name, prop in node.get("properties", {}).items():
        full = f"{prefix}{name}"
        yield FieldDoc(full, name in required, prop.get("description", ""),
                       prop.get("x-description-en", ""))
        if prop.get("type") == "object" and "properties" in prop:
            yield from _fields(prop, f"{full}.")
        items = prop.get("items")
        if isinstance(items, dict) and "properties" in items:
            yield from _fields(items, f"{full}[].")


def model_docs(data=None) -> list[TypeDoc]:
    """Every record type of the core, then those of the extensions the data uses (all of
    them without data: the documentation of the package)."""
    places = dict(PLACE)
    for ext in extensions():
        if data is None or data.extensions.get(ext.name) is not None:
            places |= ext.places()
    docs = []
    for record_type, place in places.items():
        schema = json.loads(schema_path(record_type).read_text("utf-8"))
        item = schema["$defs"][record_type]
        docs.append(TypeDoc(record_type, place, schema["title"], schema["x-title-en"],
                            tuple(_fields(item))))
    return docs


@dataclass(frozen=True)
class SettingDoc:
    name: str
    default: object
    doc: str  # in English, the code's language

    def description(self, lang: str) -> str:
        """In the page's language: other languages find it in their catalog."""
        return self.doc if lang == "en" else gettext_for(lang, self.doc)

    def description_html(self, lang: str) -> Markup:
        """The description escaped, its `code spans` (names, commands) as <code>."""
        parts = str(escape(self.description(lang))).split("`")
        return Markup("".join(f"<code>{part}</code>" if i % 2 else part
                              for i, part in enumerate(parts)))


def settings_docs(settings, data=None) -> list[SettingDoc]:
    """The settings a site can set: the core's, and those of the extensions it uses."""
    unused = {name for ext in extensions() for name in ext.settings
              if data is not None and data.extensions.get(ext.name) is None}
    return [SettingDoc(s.name, s.default, s.doc) for s in settings if s.name not in unused]


def schema_files(data=None):
    """The JSON Schemas of the record types the site documents (see model_docs)."""
    return sorted((schema_path(doc.type) for doc in model_docs(data)), key=lambda p: p.name)
