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

_PLAIN = (str, int, float, bool, Decimal, date, datetime, type(None), bytes, Enum)


class Digests:
    """Stable digests (hex) of values. Records are immutable and live for the whole
    build, so a record shown on many pages is hashed once."""

    def __init__(self):
        self._memo: dict[int, tuple[object, str]] = {}  # id -> (the object, kept alive; digest)
        self._busy: set[int] = set()

    def of(self, value, keep: bool = False) -> str:
        """The digest of `value`. Objects (records) are remembered; plain containers
        only with `keep` (those that live as long as the build, not a page's own)."""
        if isinstance(value, _PLAIN):
            return _hash(f"{type(value).__name__}:{value!r}")
        if not keep and isinstance(value, (Mapping, list, tuple, set, frozenset)):
            return _hash(self._text(value))
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

    def _text(self, value) -> str:
        kind = type(value)
        name = f"{kind.__module__}.{kind.__qualname__}"
        if isinstance(value, Mapping):
            return name + "{" + ",".join(f"{self.of(k)}:{self.of(v)}"
                                         for k, v in value.items()) + "}"
        if isinstance(value, (list, tuple)):
            return name + "[" + ",".join(map(self.of, value)) + "]"
        if isinstance(value, (set, frozenset)):
            return name + "{" + ",".join(sorted(map(self.of, value))) + "}"
        if dataclasses.is_dataclass(value):
            return name + "(" + ",".join(
                f"{f.name}={self.of(getattr(value, f.name))}"
                for f in dataclasses.fields(value)) + ")"
        if hasattr(value, "wkb"):  # a shapely geometry: its repr is shortened
            return name + value.wkb.hex()
        if callable(value):  # functions: their code is in the global digest
            return name + ":" + getattr(value, "__qualname__", "")
        if hasattr(value, "__dict__"):
            return name + self.of(dict(sorted(vars(value).items())))
        return name + repr(value)


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
    """Jinja attribute access on `dataset` and `index`, noted while a page renders.

    `dataset.parishes[id].name` reads one parish; `dataset.councils|length` reads them
    all; anything else on `index` (a method, a figure of the whole site) reads the whole
    dataset, which is right for the few pages that show such things."""

    ALL = ("dataset", "*")

    def __init__(self, env, data, index):
        self.data, self.index = data, index
        self.reads: set | None = None
        self._getattr, self._getitem = env.getattr, env.getitem
        env.getattr, env.getitem = self.getattr, self.getitem

    def getattr(self, obj, attribute):
        reads = self.reads
        if reads is not None and (obj is self.data or obj is self.index):
            value = self._getattr(obj, attribute)
            name = ("dataset." if obj is self.data else "index.") + attribute
            if isinstance(value, Mapping):
                return Tracked(name, value, reads)
            reads.add((name, "*") if obj is self.data else self.ALL)
            return value
        return self._getattr(obj, attribute)

    def getitem(self, obj, argument):
        if self.reads is not None and (obj is self.data or obj is self.index):
            return self.getattr(obj, argument)
        return self._getitem(obj, argument)

    def value(self, name: str, key):
        """What a read found, in this build's data (None when it is gone)."""
        if (name, key) == self.ALL:
            return self.data
        owner, _, attribute = name.partition(".")
        found = getattr(self.data if owner == "dataset" else self.index, attribute, None)
        if key == "*":
            return found
        try:
            return found.get(key) if isinstance(found, Mapping) else None
        except TypeError:  # an unhashable key
            return None
