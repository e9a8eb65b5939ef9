"""What a page was built from: stable digests of values, and the records a template read.

An incremental build re-renders a page only when one of these changed: the page's
own context (the records and figures handed to it), a record its template looked up
in `dataset` or `index` (recorded while it rendered, through Jinja's attribute and
item access), a bulletin link it showed, or anything global (templates, catalogs,
code, settings). The record is kept in the cache folder, never in output/.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from jinja2 import Environment

from ..views import fragments

_PLAIN = (str, int, float, bool, Decimal, date, datetime, type(None), bytes, Enum)
# What each type is, found once per type: isinstance against an ABC such as Mapping
# cost more than the hashing itself when it ran for every value of every record.
_SCALAR, _MAPPING, _SEQUENCE, _SET, _OBJECT = range(5)
_KINDS: dict[type, tuple[int, str]] = {}
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _kind(kind: type) -> tuple[int, str]:
    found = _KINDS.get(kind)
    if found is None:
        number = (_SCALAR if issubclass(kind, _PLAIN) else _MAPPING if issubclass(kind, Mapping)
                  else _SEQUENCE if issubclass(kind, (list, tuple))
                  else _SET if issubclass(kind, (set, frozenset)) else _OBJECT)
        found = _KINDS[kind] = (number, f"{kind.__module__}.{kind.__qualname__}")
    return found


def _fields(kind: type) -> tuple[str, ...] | None:
    if kind not in _FIELDS:
        _FIELDS[kind] = (tuple(f.name for f in dataclasses.fields(kind))
                         if dataclasses.is_dataclass(kind) else None)
    return _FIELDS[kind]


class Digests:
    """Stable digests (hex) of values. Records are immutable and live for the whole
    build, so a record shown on many pages is hashed once. Inside a record, plain
    values and containers are written out in its text, not hashed one by one."""

    def __init__(self):
        self._memo: dict[int, tuple[object, str]] = {}  # id -> (the object, kept alive; digest)
        self._busy: set[int] = set()

    def of(self, value, keep: bool = False) -> str:
        """The digest of `value`. Objects (records) are remembered; plain containers
        only with `keep` (those that live as long as the build, not a page's own)."""
        kind = _kind(type(value))[0]
        if kind == _OBJECT or (keep and kind != _SCALAR):
            return self._remembered(value)
        return _hash(self._part(value))

    def _remembered(self, value) -> str:
        key = id(value)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        if key in self._busy:  # a cycle: its members are hashed where first met
            return "cycle"
        self._busy.add(key)
        try:
            result = _hash(self._text(value))
        finally:
            self._busy.discard(key)
        self._memo[key] = (value, result)
        return result

    def _part(self, value) -> str:
        """How `value` is written inside its container's text (objects: their digest)."""
        kind = _kind(type(value))[0]
        if kind == _SCALAR:
            return f"{type(value).__name__}:{value!r}"
        if kind == _OBJECT:
            return self._remembered(value)
        return self._text(value)

    def _text(self, value) -> str:
        kind, name = _kind(type(value))
        part = self._part
        if kind == _SEQUENCE:
            return name + "[" + ",".join(map(part, value)) + "]"
        if kind == _MAPPING:
            return name + "{" + ",".join([f"{part(k)}:{part(v)}" for k, v in value.items()]) + "}"
        if kind == _SET:
            return name + "{" + ",".join(sorted(map(part, value))) + "}"
        if kind == _SCALAR:
            return part(value)
        names = _fields(type(value))
        if names is not None:
            return name + "(" + ",".join([f"{n}={part(getattr(value, n))}" for n in names]) + ")"
        if hasattr(value, "wkb"):  # a shapely geometry: its repr is shortened
            return name + value.wkb.hex()
        if callable(value):  # functions: their code is in the global digest
            return name + ":" + getattr(value, "__qualname__", "")
        if hasattr(value, "__dict__"):
            return name + self._text(dict(sorted(vars(value).items())))
        return name + repr(value)


_SHARED: list = []  # [(the dataset, its Digests)]: one build's at a time


def shared(dataset) -> Digests:
    """The digests of one dataset's build, shared by the bulletins' and the pages' checks:
    records hashed in the build's process are not hashed again in the workers it forks.
    A new dataset (the next build under `cabildo serve`) lets the last one go."""
    if not _SHARED or _SHARED[0][0] is not dataset:
        _SHARED[:] = [(dataset, Digests())]
    digests: Digests = _SHARED[0][1]
    return digests


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Tracked(Mapping):
    """A read-only view of a mapping that notes which keys a template read; iterating
    or counting it reads every key ("*")."""

    __slots__ = ("_name", "_items", "_reads")

    def __init__(self, name: str, items: Mapping, reads: set):
        self._name, self._items, self._reads = name, items, reads

    def __getitem__(self, key):
        self._reads.add((self._name, key))
        return self._items[key]

    def __iter__(self):
        self._reads.add((self._name, "*"))
        return iter(self._items)

    def __len__(self):
        self._reads.add((self._name, "*"))
        return len(self._items)


class Reads:
    """Jinja attribute access on the records a page looks up, noted while it renders.

    `objects` names them: the dataset and its index, and each extension's records and
    index (`owners` maps an index to the records it is computed from). So
    `dataset.parishes[id].name` reads one parish; `dataset.councils|length` reads them
    all; a method called on an index (`factory_index.community_of("torres", 2026)`) is
    noted with its arguments, and called again next build to compare its result; any
    other attribute of an index reads the whole of its records."""

    CALL = "()"  # first item of the key of a method call's read

    def __init__(self, env, objects: dict[str, object], owners: dict[str, str]):
        self.objects = {name: obj for name, obj in objects.items() if obj is not None}
        self.owners = owners
        self._names = {id(obj): name for name, obj in self.objects.items()}
        self.reads: set | None = None
        self._getattr, self._getitem = env.getattr, env.getitem
        # Jinja's own lookup (not another tracker's), whose first step can be inlined
        self._plain = getattr(env.getattr, "__func__", None) is Environment.getattr
        env.getattr, env.getitem = self.getattr, self.getitem
        setattr(env, fragments.TRACKER, self)  # a fragment's reads are noted on every page

    def _name_of(self, obj) -> str | None:
        name = self._names.get(id(obj))
        return name if name is not None and self.objects[name] is obj else None

    def getattr(self, obj, attribute):
        # Every attribute a template looks up passes here (half a million at full
        # scale): the untracked ones, nearly all, in as few steps as Jinja's own.
        reads, owner = self.reads, self._names.get(id(obj))
        if owner is None or reads is None or self.objects[owner] is not obj:
            if self._plain:
                try:
                    return getattr(obj, attribute)  # Environment.getattr's first step
                except AttributeError:
                    pass
            return self._getattr(obj, attribute)
        value = self._getattr(obj, attribute)
        name = f"{owner}.{attribute}"
        if isinstance(value, Mapping):
            return Tracked(name, value, reads)
        if owner in self.owners:  # an index
            if callable(value) and isinstance(attribute, str):
                return _NotedCall(name, value, reads, self.owners[owner])
            reads.add((self.owners[owner], "*"))
        else:
            reads.add((name, "*"))
        return value

    def getitem(self, obj, argument):
        if self.reads is not None and self._name_of(obj) is not None:
            return self.getattr(obj, argument)
        return self._getitem(obj, argument)

    def value(self, name: str, key):
        """What a read found, in this build's data (None when it is gone)."""
        owner, _, attribute = name.partition(".")
        obj = self.objects.get(owner)
        if not attribute:
            return obj
        found = getattr(obj, attribute, None)
        if isinstance(key, (list, tuple)) and key and key[0] == self.CALL:
            try:
                return found(*key[1:])
            except Exception:  # noqa: BLE001 (gone, or now failing: render it again)
                return None
        if key == "*":
            return found
        if not isinstance(found, Mapping):
            return None
        try:  # as the template read it: a defaultdict gives (and keeps) its default
            return found[key]
        except (KeyError, TypeError):  # gone, or an unhashable key
            return None


class _NotedCall:
    """An index's method, noting each call's arguments (or, when they cannot be kept
    as JSON, a read of the index's whole records)."""

    __slots__ = ("_name", "_method", "_reads", "_whole")

    def __init__(self, name, method, reads, whole):
        self._name, self._method, self._reads, self._whole = name, method, reads, whole

    def __call__(self, *args, **kwargs):
        if kwargs or not all(isinstance(a, (str, int)) and not isinstance(a, bool)
                             for a in args):
            self._reads.add((self._whole, "*"))
        else:
            self._reads.add((self._name, (Reads.CALL, *args)))
        return self._method(*args, **kwargs)
