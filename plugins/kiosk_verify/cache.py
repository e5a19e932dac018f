"""Each page parsed once: what a parse yields, kept under the digest of the page's bytes.

``parse_page`` is a function of the page's bytes alone, so its result (the
references, the anchors, the parse errors) is kept in a cache folder under the
page's digest and this code's version (``pages.py``, lxml and libxml2, the
encoding). A rebuild parses only pages whose bytes are new, in forked
processes on every core (lxml holds the GIL while it builds the tree; new
ones for a big build, as kiosk_publish's); the
checks between pages (does the target exist, does it have that id) are then
made over the whole site as before, so a page that did not change still
reports a target that went away.
"""

import functools
import marshal
import os
import sys

import lxml
from lxml import etree

from kiosk_filecache import (
    EntryStore,
    digest,
    file_digest,
    map_forked,
    map_fresh_started,
    source_digest,
    variant,
)
from kiosk_memory import resident_mb

from . import pages
from .pages import Page, parse_page

VARIANT = variant(
    "verify-pages", source_digest(pages.__file__, __file__), lxml.__version__,
    etree.LIBXML_VERSION, marshal.version, sys.version_info[:2],
)  # fmt: skip


def encode(page: Page) -> bytes:
    return marshal.dumps((page.references, page.anchors, page.errors))


def decode(payload: bytes) -> Page | None:
    """The page an entry holds, or None if it does not hold one (an old or foreign entry)."""
    try:
        references, anchors, errors = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not (isinstance(references, list) and isinstance(anchors, set) and isinstance(errors, list)):
        return None
    return Page(references, anchors, errors)


def _parse(store: EntryStore | None, job) -> bytes | None:
    """The page's parse as ``encode`` gives it; None once the cache holds it (read it there).

    A worker that sent back every payload held them all until its share was
    done: at N = 10,000 a cold build's two fresh workers grew to 146 MB each,
    beside the build's 477 MB, the cold build's largest moment (697 MB PSS in
    run J2, over half of Hugo's peak in that run).
    """
    path, key = job
    payload = encode(parse_page(path.read_bytes()))
    if store is not None and store.write(key + ".page", payload):
        return None
    return payload


def parser(cache_path):
    """``_parse`` for one cache folder, made where it runs (a fresh worker process)."""
    return functools.partial(_parse, EntryStore(cache_path) if cache_path else None)


def ahead_step(cache_path):
    """kiosk_ahead's stage: ``step(path, page bytes)`` keeps the parse of the bytes the
    page will have when verified (kiosk_publish's stage gives them first), under
    the key ``ParsedPages.cached`` looks up."""
    store = EntryStore(cache_path)

    def step(path, data: bytes) -> bytes:
        name = ParsedPages.key(digest(data)) + ".page"
        if not store.path(name).exists():
            store.write(name, encode(parse_page(data)))
        return data

    return step


class ParsedPages:
    """What each page's parse yields, from the cache folder when its bytes are not new.

    ``cache_path`` None: no cache, every page parsed. ``prune`` removes the
    entries of every page not given to it, so the cache holds one site's worth.
    The misses are parsed in forked processes, or in fresh ones
    (``kiosk_filecache.map_fresh``) while this process holds more than
    ``fresh_above_mb`` (0: always fresh; None: never).
    """

    def __init__(self, cache_path=None, workers=None, fresh_above_mb=None):
        self.cache_path = cache_path
        self.store = EntryStore(cache_path) if cache_path else None
        self.workers = workers
        self.fresh_above_mb = fresh_above_mb
        self.parsed = 0

    @staticmethod
    def key(page_digest: str) -> str:
        return f"{page_digest}-{VARIANT}"

    def cached(self, page_digest: str) -> Page | None:
        """The parse of the page whose bytes have ``page_digest``, if the cache holds it."""
        if self.store is None:
            return None
        payload = self.store.read(self.key(page_digest) + ".page")
        return decode(payload) if payload is not None else None

    def load(self, path) -> Page:
        """One page's parse (a fragment's target, say): from the cache, else parsed now."""
        return self.load_all([path])[path]

    def load_all(self, paths) -> dict:
        """{path: Page} for every path; the misses are parsed on every core."""
        found, rest = self.load_started(paths)
        found.update(rest())
        return found

    def load_started(self, paths):
        """``load_all`` begun: ``({path: Page} of the pages the cache holds, a function
        that waits for the others' and gives them as a dict)``.

        The misses go to new processes first (while this one holds more than
        ``fresh_above_mb``), and the cache's entries are read meanwhile, so
        that the caller can check those pages while the rest are parsed; in
        forked processes, the misses are parsed when the function is called.
        """
        keyed, misses = [], []
        paths = list(paths)
        # The site's pages: one listing of the cache tells the misses, to be
        # started first. One page (an anchor's target, ``load``): its entry is read.
        names = self._names() if len(paths) > 1 else None
        for path in paths:
            key = None
            if self.store is not None:
                key = self.key(file_digest(path)[0])
                if names is None or key + ".page" in names:
                    keyed.append((path, key))
                    continue
            misses.append((path, key))
        parse = self._parse_started(misses)
        found, damaged = {}, []
        try:
            for path, key in keyed:
                payload = self.store.read(key + ".page")
                page = decode(payload) if payload is not None else None
                if page is None:  # missing, damaged or not of this code: parsed here
                    damaged.append((path, key))
                else:
                    found[path] = page
        except BaseException:
            parse.cancel()
            raise
        self.parsed += len(misses) + len(damaged)
        done = {}

        def rest() -> dict:
            if not done:
                for (path, key), payload in zip(misses, parse(), strict=True):
                    if payload is None:  # kept in the cache by the worker: read there
                        payload = self.store.read(key + ".page")
                    page = decode(payload) if payload is not None else None
                    if page is None:  # gone since (a full disk, a concurrent prune)
                        page = decode(encode(parse_page(path.read_bytes())))
                    done[path] = page
                for path, key in damaged:  # parsed here, and the entry replaced
                    payload = encode(parse_page(path.read_bytes()))
                    self.store.write(key + ".page", payload)
                    done[path] = decode(payload)
            return done

        rest.cancel = parse.cancel
        return found, rest

    def _names(self) -> frozenset:
        """The names of the entries in the cache folder (one listing, not a stat a page)."""
        if self.store is None:
            return frozenset()
        try:
            return frozenset(os.listdir(self.store.folder))
        except OSError:
            return frozenset()

    def _parse_started(self, misses):
        """The parse of ``misses`` (``_parse``'s payloads, in order) begun: see ``_Started``."""
        limit = self.fresh_above_mb
        if limit is not None and misses:
            resident = resident_mb()
            if limit == 0 or (resident is not None and resident > limit):
                started = map_fresh_started(f"{__name__}:parser", (self.cache_path,), misses,
                                            self.workers)  # fmt: skip
                return _Started(started)
        return _Started(lambda: map_forked(functools.partial(_parse, self.store), misses,
                                           self.workers))  # fmt: skip

    def prune(self, page_digests) -> None:
        if self.store is not None:
            self.store.prune({self.key(page_digest) for page_digest in page_digests})


class _Started:
    """A started parse: call it for its list; ``cancel`` if it is no longer wanted."""

    def __init__(self, wait):
        self._wait = wait

    def __call__(self) -> list:
        return self._wait()

    def cancel(self) -> None:
        cancel = getattr(self._wait, "cancel", None)
        if cancel is not None:
            cancel()
