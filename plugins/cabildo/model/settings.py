"""Cabildo's settings: typed, documented in one place, checked at start-up.

Each setting is read from pelicanconf.py (or publishconf.py) plus the command
line's overrides, ONCE, into a frozen `Config` that validate, the build and the
bulletins all receive. A wrong type or value stops with one clear line, before
any work is done. Choices and ranges are declared with the setting (as MkDocs
declares its config options), so the checks and the docs cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Iterator, KeysView, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Literal, TypeAlias, cast, overload


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    kind: type | tuple[type, ...]
    doc: str
    choices: tuple[object, ...] = ()  # the only values allowed, when not empty
    minimum: int | None = None  # for numbers


SETTINGS = [
    Setting("CABILDO_DATA_DIR", "data", str,
            "Folder holding the YAML records, relative to the project."),
    Setting("CABILDO_ROOT", ".", str,
            "Folder a relative CABILDO_DATA_DIR is read from. `cabildo build` sets it to "
            "the folder of the settings file."),
    Setting("CABILDO_QUORUM", "0.20", (str, Decimal),
            "Default share of registered members a council assembly needs (a cycle may set "
            "its own `quorum`). Written as text, e.g. \"0.20\"."),
    Setting("CABILDO_DEMO_NOTICE", True, bool,
            "Show the banner that says the data is illustrative. Turn off for real data."),
    Setting("CABILDO_LOCALES", {}, dict,
            "Locale that formats numbers, money and dates in each site language, e.g. "
            "{\"en\": \"en_GB\"}. Default: the municipality's `locale` for its first "
            "language, the language itself (CLDR's default region) for the others."),
    Setting("CABILDO_CURRENCY_SYMBOLS", {}, dict,
            "A site's own symbol for a currency, where CLDR's is not the one people use, "
            "e.g. {\"XOF\": \"F CFA\"}. Placed where the locale places symbols."),
    Setting("CABILDO_MONEY_FORMAT", "", str,
            "Pattern for amounts (Unicode/CLDR number pattern, ¤ for the symbol), e.g. "
            "\"¤\u00a0#,##0.00\". Empty: the locale's own (\"1 234,56 €\" in French). "
            "Decimal and group marks always come from the locale."),
    Setting("CABILDO_REPOSITORY_URL", "", str,
            "Web address of the data's repository; project pages link to their YAML file "
            "there (`{url}/blob/main/{path}#L{line}`). Empty: the municipality's "
            "`repository_url`, or no link."),
    Setting("CABILDO_SOURCE_BRANCH", "main", str,
            "Branch used in links to the source YAML files."),
    Setting("CABILDO_SEARCH", True, bool,
            "Index the built site with Pagefind for the search page (no server needed). "
            "Turn off for quicker previews."),
    Setting("CABILDO_MAPS", True, bool,
            "Draw the maps (parish, cycle and project pages). Turn off for quicker previews; "
            "the benchmark also measures what the maps cost."),
    Setting("CABILDO_MAP_TILES", "openstreetmap", str,
            "Background of the maps: \"openstreetmap\" (tiles from openstreetmap.org, with "
            "its attribution and referrer policy) or \"none\" (boundaries and projects on a "
            "plain background: no third-party request, good for very slow links).",
            choices=("openstreetmap", "none")),
    Setting("CABILDO_GEO_TOLERANCE_M", 250, int,
            "How far, in metres, a project may lie outside its parish's boundary before "
            "validation reports it (boundaries are generalised).", minimum=0),
    Setting("CABILDO_GEOMETRY_TYPES", None, (dict, type(None)),
            "Geometry types allowed per project category, e.g. {\"road\": [\"LineString\", "
            "\"MultiLineString\"]}; each key is the id of a declared category. Default: "
            "each category's `geometry` in data/categories.yaml (any type without it)."),
    Setting("CABILDO_LATEST_DECISIONS", 8, int,
            "How many recent decisions the home page lists.", minimum=0),
    Setting("CABILDO_FACTORY_AS_OF", "", str,
            "Day the factory's waiting times are counted to, as YYYY-MM-DD. Empty: the "
            "`as_of` of data/factory/factory.yaml, or the date of its newest record. Never "
            "the build's clock, so the same data always builds the same pages."),
    Setting("CABILDO_BULLETINS", True, bool,
            "Print the PDF bulletins (one per parish and cycle, and a municipal summary per "
            "cycle, in every language) during the build, and link them from the parish and "
            "cycle pages. Turn off for quick previews; `cabildo bulletins` prints them alone."),
    Setting("CABILDO_BULLETIN_CYCLES", 1, int,
            "How many of the most recent cycles the site build prints bulletins for (0: "
            "every cycle; each is about 18 bulletins per language, some 10 s on two cores). "
            "Older cycles link to theirs when the cache holds them: `cabildo bulletins "
            "--year` prints those of any cycle into it.", minimum=0),
    Setting("CABILDO_BULLETIN_PAGE_SIZE", "A4", str,
            "Paper size of the bulletins: \"A4\" or \"Letter\".", choices=("A4", "Letter")),
    Setting("CABILDO_BULLETIN_WORKERS", 0, int,
            "Processes that print bulletins side by side (0: one per core).", minimum=0),
    Setting("CABILDO_WORKERS", 0, int,
            "Processes that render the pages side by side (0: one per core; 1: none, "
            "everything in the build's own process). The output is the same either way.",
            minimum=0),
    Setting("CABILDO_CACHE_DIR", ".cabildo-cache", str,
            "Folder, relative to the project, that keeps what later builds reuse: the "
            "printed bulletins, the parsed data files and the workbooks (by the hash of "
            "what they hold) and what each page was built from, so that a build "
            "re-renders only the pages whose records changed. Never inside the output; "
            "CI may keep it between runs; a build removes what it did not use and is older "
            "than a week. Deleting it is safe."),
]

BY_NAME = {s.name: s for s in SETTINGS}

# The type each setting has once read (Config["CABILDO_X"] gives it; tests/test_kit.py checks
# these lists against SETTINGS).
TextSetting: TypeAlias = Literal[
    "CABILDO_DATA_DIR", "CABILDO_ROOT", "CABILDO_MONEY_FORMAT", "CABILDO_REPOSITORY_URL",
    "CABILDO_SOURCE_BRANCH", "CABILDO_MAP_TILES", "CABILDO_FACTORY_AS_OF",
    "CABILDO_BULLETIN_PAGE_SIZE", "CABILDO_CACHE_DIR"]
FlagSetting: TypeAlias = Literal[
    "CABILDO_DEMO_NOTICE", "CABILDO_SEARCH", "CABILDO_MAPS", "CABILDO_BULLETINS"]
CountSetting: TypeAlias = Literal[
    "CABILDO_GEO_TOLERANCE_M", "CABILDO_LATEST_DECISIONS", "CABILDO_BULLETIN_CYCLES",
    "CABILDO_BULLETIN_WORKERS", "CABILDO_WORKERS"]
ShareSetting: TypeAlias = Literal["CABILDO_QUORUM"]  # read as text, kept as Decimal
TableSetting: TypeAlias = Literal["CABILDO_LOCALES", "CABILDO_CURRENCY_SYMBOLS"]
GeometrySetting: TypeAlias = Literal["CABILDO_GEOMETRY_TYPES"]


class SettingsError(Exception):
    pass


@dataclass(frozen=True)
class Config:
    """Cabildo's settings, checked: read once, then passed down, never changed.

    `config["CABILDO_X"]` reads a setting; `config.data_dir` is the data folder."""

    values: MappingProxyType[str, object]
    root: Path = field(default=Path("."))

    # Each value was checked against its Setting's kind by `read`, so a known name has a
    # known type; any other name gives `object`.
    @overload
    def __getitem__(self, name: TextSetting) -> str: ...
    @overload
    def __getitem__(self, name: FlagSetting) -> bool: ...
    @overload
    def __getitem__(self, name: CountSetting) -> int: ...
    @overload
    def __getitem__(self, name: ShareSetting) -> Decimal: ...
    @overload
    def __getitem__(self, name: TableSetting) -> dict[str, str]: ...
    @overload
    def __getitem__(self, name: GeometrySetting) -> dict[str, list[str]] | None: ...
    @overload
    def __getitem__(self, name: str) -> object: ...

    def __getitem__(self, name: str) -> object:
        return self.values[name]

    def get(self, name: str, default: object = None) -> object:
        return self.values.get(name, default)

    def keys(self) -> KeysView[str]:
        return self.values.keys()

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    @property
    def data_dir(self) -> Path:
        return self.root / self["CABILDO_DATA_DIR"]

    @classmethod
    def for_data(cls, data_dir: str | Path, **overrides: object) -> Config:
        """Default settings for the data folder `data_dir` (tests, tools)."""
        return read({"CABILDO_DATA_DIR": str(Path(data_dir).resolve()), **overrides})


CONFIG = "cabildo_config"  # key of the build's checked Config in Pelican's settings


def read(settings: Mapping[str, object] | Config) -> Config:
    """Cabildo's settings with defaults filled in; raises SettingsError if one is wrong.
    Settings a build already checked carry their Config: it is returned as it is."""
    if isinstance(settings, Config):
        return settings
    if isinstance(checked := settings.get(CONFIG), Config):
        return checked
    out: dict[str, object] = {}
    unknown = sorted(k for k in settings if k.startswith("CABILDO_") and k not in BY_NAME)
    if unknown:
        raise SettingsError(
            f"unknown setting {unknown[0]} (known: {', '.join(sorted(BY_NAME))})")
    for s in SETTINGS:
        value = settings.get(s.name, s.default)
        if not isinstance(value, s.kind) or (s.kind is int and isinstance(value, bool)):
            raise SettingsError(
                f"setting {s.name} must be {getattr(s.kind, '__name__', s.kind)}, "
                f"got {value!r}")
        if s.choices and value not in s.choices:
            raise SettingsError(f"setting {s.name} must be one of "
                                f"{', '.join(map(repr, s.choices))}; got {value!r}")
        if s.minimum is not None and isinstance(value, int) and value < s.minimum:
            raise SettingsError(f"setting {s.name} must be {s.minimum} or more; got {value!r}")
        out[s.name] = value
    try:
        quorum = Decimal(cast(str | Decimal, out["CABILDO_QUORUM"]))  # its kind, checked above
    except InvalidOperation:
        quorum = Decimal(-1)
    if not 0 < quorum <= 1:
        raise SettingsError(
            f"setting CABILDO_QUORUM must be a share between 0 and 1, such as \"0.20\"; "
            f"got {out['CABILDO_QUORUM']!r}")
    out["CABILDO_QUORUM"] = quorum
    if factory_as_of := cast(str, out["CABILDO_FACTORY_AS_OF"]):
        from datetime import date
        try:
            date.fromisoformat(factory_as_of)
        except ValueError:
            raise SettingsError("setting CABILDO_FACTORY_AS_OF must be a date written "
                                f"YYYY-MM-DD, or empty; got {out['CABILDO_FACTORY_AS_OF']!r}")
    _check_locales(cast(dict[str, object], out["CABILDO_LOCALES"]))
    return Config(MappingProxyType(out), Path(cast(str, out["CABILDO_ROOT"])))


def read_file(settings_file: str) -> dict[str, object]:
    """The names a settings file sets (its upper-case ones), the file executed as Pelican
    executes it, so `validate` reads Cabildo's settings without importing Pelican. A
    mistake in the file is a SettingsError naming its line, not a traceback."""
    import importlib.util
    import sys
    import traceback
    path = str(Path(settings_file).resolve())
    name = Path(settings_file).stem
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SettingsError("is not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # as Pelican does: publishconf.py imports pelicanconf
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise SettingsError(f"line {exc.lineno}: {exc.msg} (Python cannot read the file)"
                            ) from None
    except Exception as exc:  # noqa: BLE001 (whatever the file raised, said in one line)
        lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__)
                 if frame.filename == path]
        where = f"line {lines[-1]}: " if lines else ""
        raise SettingsError(f"{where}{type(exc).__name__}: {exc}") from None
    return {key: value for key, value in vars(module).items() if key.isupper()}


def _check_locales(locales: dict[str, object]) -> None:
    from babel import Locale, UnknownLocaleError
    for lang, name in locales.items():
        try:
            if not isinstance(name, str):  # a number or a list: not a locale name
                raise TypeError(name)
            Locale.parse(name)
        except (UnknownLocaleError, ValueError, TypeError):
            raise SettingsError(f"setting CABILDO_LOCALES: {lang}: {name!r} is not a locale "
                                "Babel knows (write it as es_VE, en_US...)") from None
