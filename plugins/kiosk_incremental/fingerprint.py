"""Fingerprints of template variables: equal fingerprints, equal pages.

A page is a function of its template (code), the settings and the values of
the variables its render read. :func:`Fingerprints.of` turns one such value
into a digest that changes whenever anything a template can reach through it
changes, without walking the whole site from every page:

- an article (or page) is walked once per build for its **own**
  fingerprint: all its attributes, with every article they link to (related
  stories, series entries, translations) taken by its source path, and
  listed;
- a variable's fingerprint is its value walked the same way (an article
  *is* its own fingerprint), followed by the own fingerprint of each article
  listed on the way, in order. So ``article`` covers the page's article and
  its related stories in full, and *their* related stories by path; a
  template that showed an article's related stories' related stories would
  need depth three; none does, and the check mode
  (``KIOSK_INCREMENTAL["check"]``) renders every page anyway and fails the
  build on any page the memo would have got wrong. The path in the walk and
  the own fingerprint after it together stand for the article in full, so one
  walk of an article serves every page that shows it, at either depth;
- an object whose class defines ``kiosk_fingerprint(self)`` is taken by what
  that returns: the part of it that any page can show. A region's ``Term``
  returns its name, URL and description but not its article list, which no
  template reads from it (listing pages get their articles as ``articles``),
  so the navigation on every page does not depend on every article;
- a Paginator (``articles_paginator``) is taken by its name, URL and counts,
  which is what pagination links show: each page's stories are its own
  ``articles_page``;
- settings dicts and Pelican's shared context are skipped (the settings have
  their own fingerprint; the context's variables are fingerprinted one by one,
  as pages read them);
- an article body with intrasite links (``{filename}`` …) is taken with the
  links resolved, since the target's URL is another file's business.

Each object is fingerprinted once per build (memoised by identity, with the
articles met inside it; the objects live as long as the build).

A rebuild after one edit fingerprints every page again, and most of an
article's values are exactly what its read produced, in a read the cache
answered as last time (``kiosk_readcache.notes``: each Content it returns
records its read's identity and its values). A value that is still the very
object the read produced and is **deeply immutable** (tuples, frozensets,
bytes and frozen dataclasses of strings, numbers and dates: ``top_image``,
``body_images`` and their renditions) has the digest it had last build under
the same read identity: those digests are kept as the read's notes, and
every such object of the build is entered in the memo with its digest at the
start, so a teaser that shows another article's ``top_image`` finds it too.
The same read's strings, numbers and dates (title, body, summary, dates,
slug …) need no note: such a value cannot change, so while the attribute is
still the very object the read produced (``ReadRecord.leaf_values``), the
article's walk takes the read's identity and the names of those attributes
in their place, instead of hashing a 7 kB body at every rebuild. A digest
taken that way differs from one taken of the values, which is harmless: a
page is then rendered again, never reused wrongly, and every build of the
same read takes the same way.
Everything else (values set or replaced after reading: related stories,
series, regions …; lists and dicts, which a later plugin may change in place;
anything of an unusual kind) is computed as before; a value taken by its
note has the digest its walk would give.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import operator
import re
import types
from pathlib import Path

from markupsafe import Markup
from pelican.contents import Content
from pelican.paginator import Page as ListPage
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import SafeDatetime

from kiosk_readcache.notes import READ_RECORD, ReadRecord

SKIPPED_ATTRIBUTES = frozenset({"settings", "_context", "_memoize_cache", READ_RECORD})
# Where an article's own walk puts its read's identity and the names of the
# leaves it stands for (no attribute name starts with a space).
READ_LEAVES = " read"
_ABSENT = object()
INTRASITE = ("{filename}", "{static}", "{attach}", "{index}", "{tag}", "{category}",
             "{author}", "|filename|", "|static|")  # fmt: skip
_INTRASITE = re.compile("|".join(map(re.escape, INTRASITE)))  # one pass over a body
# Objects that are code or configuration, covered by the code fingerprint.
OPAQUE_MODULES = ("jinja2", "pelican.generators", "pelican.writers", "logging", "pelican.readers")

# Leaves by exact type (the common case, one dict lookup); subclasses of these
# take the isinstance tests of ``_value``, with the same results.
_LEAVES = {
    str: lambda v: "S" + v,
    Markup: lambda v: "M" + v,
    int: repr, float: repr, bool: repr, type(None): repr,
    datetime.datetime: lambda v: f"T{v!r}", SafeDatetime: lambda v: f"T{v!r}",
    datetime.date: lambda v: f"T{v!r}", datetime.time: lambda v: f"T{v!r}",
    datetime.timedelta: lambda v: f"T{v!r}",
}  # fmt: skip
# Kinds that can hold nothing else: their digest is their value's, whatever
# the mode and whenever it is taken.
_IMMUTABLE_LEAVES = frozenset(_LEAVES) | {bytes}
_PLAIN_COMPOUNDS = frozenset({list, tuple, dict})
# What Pelican's Page (one page of a paginated list) holds: all of it made
# from its paginator and number by ``Paginator.page``.
_LIST_PAGE_FIELDS = frozenset({"full_name", "name", "extension", "base_name", "base_url",
                               "object_list", "number", "paginator", "settings"})  # fmt: skip
_NOT_DATACLASS_BRANCH = (dict, list, tuple, set, frozenset, bytes, bytearray, Paginator,
                         URLWrapper, Content, type)  # fmt: skip

# Notes are digests as this file computes them: each carries this tag, and a
# note of other code is ignored (whether or not the read's identity covers the
# code: with a settings file outside the repository's root it may not).
NOTE_TAG = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=6).hexdigest() + ":"
_DATACLASS_FIELDS = {}  # class -> ((repr(name), name), …) in digest order
_FROZEN_DATACLASS = {}  # class -> whether it is fingerprinted as a frozen dataclass


def _h(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()  # fmt: skip


_first = operator.itemgetter(0)
_NOTHING_ATTACHED = _h("dict")  # what ``_compound`` gives an empty dict


def _dataclass_fields(kind) -> tuple:
    """A dataclass's field names as ``_compound`` of their dict orders them."""
    fields = _DATACLASS_FIELDS.get(kind)
    if fields is None:
        names = [f.name for f in dataclasses.fields(kind) if f.name not in SKIPPED_ATTRIBUTES]
        fields = _DATACLASS_FIELDS[kind] = tuple(sorted((repr(n), n) for n in names))
    return fields


def _frozen_dataclass(kind) -> bool:
    """True if values of ``kind`` are fingerprinted as frozen dataclasses (by their fields)."""
    frozen = _FROZEN_DATACLASS.get(kind)
    if frozen is None:
        params = getattr(kind, "__dataclass_params__", None)
        frozen = _FROZEN_DATACLASS[kind] = bool(
            params is not None
            and params.frozen
            and not issubclass(kind, _NOT_DATACLASS_BRANCH)
            and not kind.__module__.startswith(OPAQUE_MODULES)
            and getattr(kind, "kiosk_fingerprint", None) is None
        )
    return frozen


def deeply_immutable(value) -> bool:
    """True if nothing reachable from ``value`` can change: a digest of it holds for good.

    Strings, numbers, dates and bytes, and tuples, frozensets and frozen
    dataclasses (without a ``kiosk_fingerprint`` of their own) of those; never
    an article or page, a list, a dict or an object of any other kind.

    A loop over a stack, not a recursion: every stored read's images are
    checked at each rebuild (``_enter_notes``), 10,000 articles' worth.
    """
    leaves, fields_of, frozen = _IMMUTABLE_LEAVES, _DATACLASS_FIELDS, _FROZEN_DATACLASS
    pending = [value]
    pop, extend = pending.pop, pending.extend
    while pending:
        item = pop()
        kind = type(item)
        if kind in leaves:
            continue
        if kind is tuple or kind is frozenset:
            extend(item)
        elif frozen.get(kind) or (kind not in frozen and _frozen_dataclass(kind)):
            fields = fields_of.get(kind) or _dataclass_fields(kind)
            extend([getattr(item, name) for _, name in fields])
        else:
            return False
    return True


class Fingerprints:
    """Digests of template values for one build; see the module docstring."""

    def __init__(self):
        # id -> (object, digest, links): the object keeps the id alive; ``links``
        # are the articles met on the way (taken by path in the digest), in order.
        self._memo = {}
        self._contents = {}  # id -> (content, own digest, links): each article walked once
        # (id of a Paginator, number) -> (paginator, its articles, digest, links)
        self._list_pages = {}
        # (class, name, slug, attached values) -> (attached, digest, links)
        self._wrappers = {}
        self._busy = set()
        self._busy_contents = set()
        self._cycles = 0  # cycles met so far: a digest that met one is not memoised
        self._books = []  # the read notes whose digests are in the memo
        self._learned = set()  # ids of the read records whose new digests were noted

    def clear(self) -> None:
        """Forget every digest (the build is over: its pages are written)."""
        self.__init__()

    def of(self, value) -> str:
        """The fingerprint of a variable's value, as a page's render read it."""
        links = []
        if isinstance(value, Content):
            digest, links = self._own(value)
        else:
            digest = self._value(value, links)
        if not links:
            return digest
        # Every article met on the way, by its own fingerprint, in order: with
        # the paths in ``digest``, that is the value with each article in full.
        own = self._own
        return _h("linked", digest, *[own(link)[0] for link in links])

    # --- dispatch ------------------------------------------------------------
    def _value(self, value, links: list) -> str:
        kind = type(value)
        leaf = _LEAVES.get(kind)
        if leaf is not None:
            return leaf(value)
        key = id(value)
        hit = self._memo.get(key)  # never an article or a leaf: those are not memoised
        if hit is not None and hit[0] is value:
            if hit[2]:
                links += hit[2]
            return hit[1]
        if kind not in _PLAIN_COMPOUNDS:  # lists, tuples and dicts are none of these
            if value is None or isinstance(value, (bool, int, float)):
                return repr(value)
            if isinstance(value, str):  # includes Markup
                return ("M" if isinstance(value, Markup) else "S") + value
            if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
                return f"T{value!r}"
            if isinstance(value, Content):
                links.append(value)
                return f"ref:{value.source_path}"
        page = None
        if kind is ListPage and vars(value).keys() == _LIST_PAGE_FIELDS:
            # Pelican makes a new Page each time a template asks for one (the
            # current, next and previous page of a list): one digest per number.
            page = (id(value.paginator), value.number)
            hit = self._list_pages.get(page)
            if hit is not None and hit[0] is value.paginator and hit[1] == value.object_list:
                if hit[3]:
                    links += hit[3]
                return hit[2]
        if key in self._busy:
            self._cycles += 1
            return "cycle"
        self._busy.add(key)
        before = self._cycles
        inner = []
        try:
            digest = self._compound(value, inner)
        finally:
            self._busy.discard(key)
        if self._cycles == before:
            # A digest that met a cycle depends on where the walk came from: it
            # is computed again each time.
            self._memo[key] = (value, digest, tuple(inner))
            if page is not None:
                self._list_pages[page] = (value.paginator, value.object_list, digest, tuple(inner))
        links += inner
        return digest

    def _compound(self, value, links: list) -> str:
        kind = type(value)
        # The common kinds first, with leaves taken inline (as _value takes them).
        leaves, of = _LEAVES.get, self._value
        if kind is tuple or kind is list:
            return _h(kind.__name__, *[leaf(v) if (leaf := leaves(type(v))) else of(v, links)
                                       for v in value])  # fmt: skip
        if _frozen_dataclass(kind):
            # As the general dataclass case below, without building the dict.
            items = []
            for r, n in _dataclass_fields(kind):
                v = getattr(value, n)
                items.append(f"{r}={leaf(v) if (leaf := leaves(type(v))) else of(v, links)}")
            return _h(f"{kind.__module__}.{kind.__qualname__}", _h("dict", *items))
        if isinstance(value, dict):
            # Walked in the order of the digest, so the articles met are listed
            # in the order their paths stand in it, whatever the dict's order.
            items = sorted([(repr(k), v) for k, v in value.items() if k not in SKIPPED_ATTRIBUTES],
                           key=_first)  # fmt: skip
            return _h("dict", *[f"{k}={leaf(v) if (leaf := leaves(type(v))) else of(v, links)}"
                                for k, v in items])  # fmt: skip
        if isinstance(value, (list, tuple)):
            return _h(type(value).__name__, *(self._value(v, links) for v in value))
        if isinstance(value, (set, frozenset)):
            # In the digest's order, each item's articles with it (items equal
            # but for their articles ordered by those: not by the set's order).
            items = []
            for v in value:
                inner = []
                digest = self._value(v, inner)
                items.append((digest, tuple(self._own(c)[0] for c in inner), inner))
            items.sort(key=lambda item: item[:2])
            for _, _, inner in items:
                links += inner
            return _h("set", *[item[0] for item in items])
        if isinstance(value, (bytes, bytearray)):
            return _h("bytes", hashlib.blake2b(value).hexdigest())
        name = f"{kind.__module__}.{kind.__qualname__}"
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                              type)) or kind.__module__.startswith(OPAQUE_MODULES):  # fmt: skip
            return f"code:{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', name)}"
        if isinstance(value, Paginator):
            # What pagination links show: not the whole list, whose pages are
            # each their own ``articles_page``.
            return _h(name, *map(repr, (value.name, value.url, value.per_page, value.orphans,
                                        value.count, value.num_pages)))  # fmt: skip
        if isinstance(value, URLWrapper):
            # A section, tag or author: its name and slug (read through the
            # properties: whether Pelican has cached them in __dict__ yet depends
            # on what ran before), and what plugins attached (description, profile).
            attached = {k: v for k, v in vars(value).items()
                        if not k.startswith("_") and k not in ("name", "slug")}  # fmt: skip
            # Each article holds its own Tag, Author and Category objects (35,000
            # tags at N = 10,000): equal ones, the same values attached, have the
            # same digest, computed once. Attached objects are taken by identity,
            # as the memo takes every object, and kept alive with the entry.
            # Leaves by what the digest takes of them ("S…", "M…", repr).
            same = (kind, value.name, value.slug,
                    *[(k, leaf(v) if (leaf := _LEAVES.get(type(v))) else id(v))
                      for k, v in attached.items()])  # fmt: skip
            hit = self._wrappers.get(same)
            if hit is not None:
                if hit[2]:
                    links += hit[2]
                return hit[1]
            inner, before = [], self._cycles
            plugins = self._compound(attached, inner) if attached else _NOTHING_ATTACHED
            digest = _h(name, value.name, value.slug, plugins)
            if self._cycles == before:
                self._wrappers[same] = (attached, digest, tuple(inner))
            links += inner
            return digest
        custom = getattr(kind, "kiosk_fingerprint", None)
        if custom is not None:
            return _h(name, self._value(custom(value), links))
        if dataclasses.is_dataclass(value):
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return _h(name, self._compound(fields, links))
        attributes = getattr(value, "__dict__", None)
        if attributes is not None:
            return _h(name, self._compound(attributes, links))
        slots = [s for k in kind.__mro__ for s in getattr(k, "__slots__", ())]
        if slots:
            fields = {s: getattr(value, s, None) for s in slots}
            return _h(name, self._compound(fields, links))
        # Unknown: its repr; if the repr carries an address, the page is simply
        # never reused (safe, only slower).
        return _h(name, repr(value))

    # --- articles and pages ----------------------------------------------------
    def _own(self, content: Content) -> tuple:
        """An article's own fingerprint, and the articles it links to, in order."""
        key = id(content)
        hit = self._contents.get(key)
        if hit is not None and hit[0] is content:
            return hit[1], hit[2]
        if key in self._busy_contents:  # only through a set's order (_compound)
            self._cycles += 1
            return f"cycle:{content.source_path}", ()
        attributes = dict(vars(content))
        record = attributes.get(READ_RECORD)
        if type(record) is not ReadRecord:
            record = None
        else:
            if not any(book is record.book for book in self._books):
                self._enter_notes(record.book)
            # The strings, numbers and dates that are still the very objects
            # the read produced: the read's identity stands for their values.
            leaves = zip(record.leaf_names, record.leaf_values, strict=True)
            same = [name for name, value in leaves if attributes.get(name, _ABSENT) is value]
            if same:
                for name in same:
                    del attributes[name]
                attributes[READ_LEAVES] = (record.identity, *same)
        raw = attributes.get("_content") or ""
        if ("{" in raw or "|" in raw) and _INTRASITE.search(raw):
            attributes["_resolved_content"] = content.content
        links = []
        before = self._cycles
        self._busy_contents.add(key)
        try:
            # The articles it links to are taken by their path, and listed: their
            # own fingerprints are the business of whoever asks (``of``).
            digest = _h(type(content).__name__, self._compound(attributes, links))
        finally:
            self._busy_contents.discard(key)
        links = tuple(links)
        if self._cycles == before:
            self._contents[key] = (content, digest, links)
        if record is not None and id(record) not in self._learned:
            self._note(record)
        return digest, links

    # --- digests kept between builds ---------------------------------------------
    def _enter_notes(self, book) -> None:
        """Put every value of the build's reads that has a digest from last build in the memo.

        A note is the digest of a deeply immutable value, taken last build from
        an equal value (the same read identity: the same stored object), so it
        holds for the same value now (it holds no article).
        """
        self._books.append(book)
        memo = self._memo
        for record in book.records:
            values = record.values
            for name, note in record.known.items():
                value = values.get(name)
                if value is None or not note.startswith(NOTE_TAG):
                    continue
                # The note was taken of a deeply immutable value of a read with
                # this identity (the same stored bytes): this value has the same
                # structure, so its kind is checked, not every item again (the
                # walk cost 0.3 s per rebuild at N = 10,000).
                kind = type(value)
                if kind is tuple or kind is frozenset or kind is bytes or _frozen_dataclass(kind):
                    memo[id(value)] = (value, note[len(NOTE_TAG) :], ())

    def _note(self, record) -> None:
        """Keep, for the next build, the digests just computed of this read's immutable values."""
        self._learned.add(id(record))
        known = record.known
        for name, value in record.values.items():
            if known.get(name, "").startswith(NOTE_TAG):
                continue
            hit = self._memo.get(id(value))
            if hit is not None and hit[0] is value and not hit[2] and deeply_immutable(value):
                record.note(name, NOTE_TAG + hit[1])
