"""Fingerprints of template variables: equal fingerprints, equal pages.

A page is a function of its template (code), the settings and the values of
the variables its render read. :func:`Fingerprints.of` turns one such value
into a digest that changes whenever anything a template can reach through it
changes, without walking the whole site from every page:

- a Content object (article or page) that *is* a variable (``article``,
  ``page``) is taken **deep**: all its attributes, and every other article it
  links to (related stories, series entries, translations) by that article's
  **own** fingerprint;
- an article met anywhere else (in a list, a teaser, a rail) is taken by its
  own fingerprint: its attributes, with the articles *it* links to reduced to
  their source path. A template that showed an article's related stories'
  related stories would need depth three; none does, and the check mode
  (``KIOSK_INCREMENTAL["check"]``) renders every page anyway and fails the
  build on any page the memo would have got wrong;
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

Each object is fingerprinted once per build (memoised by identity; the
objects live as long as the build).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import types

from markupsafe import Markup
from pelican.contents import Content
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper

SKIPPED_ATTRIBUTES = frozenset({"settings", "_context", "_memoize_cache"})
INTRASITE = ("{filename}", "{static}", "{attach}", "{index}", "{tag}", "{category}",
             "{author}", "|filename|", "|static|")  # fmt: skip
# Objects that are code or configuration, covered by the code fingerprint.
OPAQUE_MODULES = ("jinja2", "pelican.generators", "pelican.writers", "logging", "pelican.readers")


def _h(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()  # fmt: skip


class Fingerprints:
    """Digests of template values for one build; see the module docstring."""

    def __init__(self):
        self._memo = {}  # (id, mode) -> (object, digest): the object keeps the id alive
        self._busy = set()

    def of(self, value) -> str:
        """The fingerprint of a variable's value, as a page's render read it."""
        if isinstance(value, Content):
            return self._content(value, deep=True)
        return self._value(value, "deep")

    # --- dispatch ------------------------------------------------------------
    def _value(self, value, mode: str) -> str:
        if value is None or isinstance(value, (bool, int, float)):
            return repr(value)
        if isinstance(value, str):  # includes Markup
            return ("M" if isinstance(value, Markup) else "S") + value
        if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
            return f"T{value!r}"
        if isinstance(value, Content):
            if mode == "own":
                return f"ref:{value.source_path}"
            return self._content(value, deep=False)
        key = (id(value), mode)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        if key in self._busy:
            return "cycle"
        self._busy.add(key)
        try:
            digest = self._compound(value, mode)
        finally:
            self._busy.discard(key)
        self._memo[key] = (value, digest)
        return digest

    def _compound(self, value, mode: str) -> str:
        if isinstance(value, dict):
            items = sorted(((repr(k), self._value(v, mode)) for k, v in value.items()
                            if k not in SKIPPED_ATTRIBUTES))  # fmt: skip
            return _h("dict", *(f"{k}={v}" for k, v in items))
        if isinstance(value, (list, tuple)):
            return _h(type(value).__name__, *(self._value(v, mode) for v in value))
        if isinstance(value, (set, frozenset)):
            return _h("set", *sorted(self._value(v, mode) for v in value))
        if isinstance(value, (bytes, bytearray)):
            return _h("bytes", hashlib.blake2b(value).hexdigest())
        kind = type(value)
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
            return _h(name, value.name, value.slug, self._compound(attached, mode))
        custom = getattr(kind, "kiosk_fingerprint", None)
        if custom is not None:
            return _h(name, self._value(custom(value), mode))
        if dataclasses.is_dataclass(value):
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return _h(name, self._compound(fields, mode))
        attributes = getattr(value, "__dict__", None)
        if attributes is not None:
            return _h(name, self._compound(attributes, mode))
        slots = [s for k in kind.__mro__ for s in getattr(k, "__slots__", ())]
        if slots:
            fields = {s: getattr(value, s, None) for s in slots}
            return _h(name, self._compound(fields, mode))
        # Unknown: its repr; if the repr carries an address, the page is simply
        # never reused (safe, only slower).
        return _h(name, repr(value))

    # --- articles and pages ----------------------------------------------------
    def _content(self, content: Content, deep: bool) -> str:
        mode = "deep" if deep else "own"
        key = (id(content), "content-" + mode)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is content:
            return hit[1]
        if key in self._busy:
            return f"ref:{content.source_path}"
        self._busy.add(key)
        try:
            attributes = dict(vars(content))
            raw = attributes.get("_content") or ""
            if any(marker in raw for marker in INTRASITE):
                attributes["_resolved_content"] = content.content
            # Inside an article, the articles it links to are taken by their own
            # fingerprint (deep) or by their path (own): the modes of _value.
            digest = _h(type(content).__name__, self._compound(attributes, mode))
        finally:
            self._busy.discard(key)
        self._memo[key] = (content, digest)
        return digest
