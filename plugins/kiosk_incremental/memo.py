"""The render memo: a page whose inputs did not change is not rendered again.

Every top-level render of a page (Pelican's ``template.render(localcontext)``)
goes through :meth:`RenderMemo.render`. The first time, the page is rendered
while :class:`TrackingContext` records every variable the render reads,
through the template, its includes and macros, and context functions such as
``kiosk_seo()`` (Jinja resolves every name through the context class). The
page's text is stored under a key made of the code and settings
fingerprints, the page's name and template, and the fingerprint of each value
read (fingerprint.py). The next build looks up the names that page read last
time, fingerprints their new values, and if that key is stored, the stored
text *is* what rendering would produce: same code, same settings, same values
read, hence the same reads and the same output. Each text is kept as a file
of its exact bytes and given back as a ``StoredText``, which the build's
writer links into the output (kiosk_filecache.LinkingWriter): a reused page
is neither read back nor written there again.

In a cold build a helper process renders part of the pages at the same time
(parallel.py): the memo takes a page's names from the helper's record as it
takes them from the last build's index, with the same key check.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
from collections import Counter
from pathlib import Path

from jinja2.runtime import Context

from kiosk_escape import EscapingTemplate
from kiosk_filecache import (
    EntryStore,
    LinkedEntries,
    digest,
    links_taken,
    stored_text,
    unread_text,
)
from kiosk_logrecords import replay

from .fingerprint import Fingerprints, _h

logger = logging.getLogger(__name__)

_RECORDING: list[set] = []  # one set of names per render in progress
MISSING = "\x00missing"
# 3: each page also with the key and checksum entry of its stored text.
FORMAT = 3
DIGEST_BYTES = 32  # kiosk_filecache.digest, kept with each stored text


class TrackingContext(Context):
    """Jinja's context, recording each name a render looks up."""

    def resolve_or_missing(self, key):
        if _RECORDING:
            _RECORDING[-1].add(key)
        return super().resolve_or_missing(key)

    def __contains__(self, name):
        if _RECORDING:
            _RECORDING[-1].add(name)
        return super().__contains__(name)


class MemoTemplate(EscapingTemplate):
    """A template whose top-level render asks the environment's memo first."""

    def render(self, *args, **kwargs):
        memo = getattr(self.environment, "kiosk_memo", None)
        if memo is None:
            return super().render(*args, **kwargs)
        return memo.render(self, super().render, args, kwargs)


class RenderMemo:
    """Stored page texts and, per page, the names its last render read."""

    # Development and publish builds (and the benchmark's) keep their own
    # folders side by side; the least recently used beyond these are removed.
    KEEP_CONFIGURATIONS = 4

    def __init__(self, cache_path: Path, base: str, check: bool = False, mismatches=None):
        self.cache_path = Path(cache_path)
        self.root = self.cache_path / base[:24]
        # Page texts by key, each a file as it is (``<key>.html``, checked
        # against its checksum entry: a page's in the index, a feed's in
        # ``<key>.sum``): atomic writes, pruning, and the output's page can be
        # a hard link to it (kiosk_filecache.LinkingWriter).
        self.store = EntryStore(self.root / "objects")
        self.texts = LinkedEntries(self.store, (".html",))
        self.index = self.root / "reads.json"
        self.base = base
        self.check = check
        self.previous = self._load()
        self.pages: dict[str, tuple] = {}  # page -> (template, names read, key, checksum entry)
        self._lists: dict[tuple, list] = {}  # one list per distinct list of names read
        self.used: set[str] = set()
        self.fingerprints = Fingerprints()
        self.stats = Counter()
        self.texts_stats = Counter()  # texts other than pages (``text``): made, reused
        # A cold build's helper process (parallel.Helper), when one runs.
        self.helper = None
        self.helper_ran = False
        # Filled as they are found: a fatal log stops the build at the first.
        self.mismatches: list[str] = [] if mismatches is None else mismatches

    def _load(self) -> dict:
        """``{page: (template, names read, key, checksum entry)}`` of the last build."""
        try:
            index = json.loads(self.index.read_text(encoding="utf-8"))
            if index.get("format") == FORMAT and index.get("base") == self.base:
                reads, decode, pages = index["reads"], base64.b64decode, index["pages"]
                return {page: (template, reads[which], key, decode(sums) if sums else None)
                        for page, (template, which, key, sums) in pages.items()}  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            pass
        return {}

    # --- keys and stored texts -------------------------------------------------
    def key(self, name: str, template: str, names, localcontext: dict) -> str:
        of = self.fingerprints.of
        parts = [self.base, name, template]
        parts += [f"{n}={of(localcontext[n]) if n in localcontext else MISSING}"
                  for n in sorted(names)]  # fmt: skip
        return _h(*parts)

    def _read(self, key: str, sums: bytes | None) -> tuple:
        """(the text stored under ``key`` as a ``StoredText``, its checksum entry), or None.

        None when missing or damaged, as ``LinkedEntries.get`` checks it:
        then it is rendered again. ``sums``: the checksum entry the last
        build's index kept for this key (None: read from the store); at
        N = 10,000 a rebuild would otherwise open 17,920 small files for it.
        A file unchanged since it was stored is not read while the build's
        writer takes links (``kiosk_filecache.unread_text``), except in check
        mode, which compares texts.
        """
        if sums is None:
            sums = self.texts.sums(key)
        found = None if sums is None else self.texts.get(key, DIGEST_BYTES, sums)
        if found is None:
            return None
        (data,), kept = found
        stored, text_digest = self.store.path(key + ".html"), kept.hex()
        if data is None and not self.check and links_taken():
            return unread_text(stored, text_digest), sums
        try:
            data = self.texts.read(key, ".html", data)
            return stored_text(data.decode("utf-8"), stored, text_digest), sums
        except (OSError, UnicodeDecodeError):
            return None

    def _write(self, key: str, text: str, sum_file: bool = True) -> tuple:
        """Store ``text`` under ``key``: (it as a ``StoredText``, its checksum entry).

        The text as it is and None if it could not be stored. The digest of
        its bytes is kept with it: the writer passes it on to the later steps
        with the linked page (``kiosk_filecache.remember``). A page's entry
        is kept in the index only (``sum_file=False``): it is looked up under
        the key the index gives with it, never under a key alone, and a
        build that ends before saving its index leaves no page to reuse.
        """
        data = text.encode("utf-8")
        text_digest = digest(data)
        sums = self.texts.put(key, (data,), bytes.fromhex(text_digest), sum_file=sum_file)
        if sums is None:
            return text, None
        return stored_text(text, self.store.path(key + ".html"), text_digest), sums

    # --- rendering -------------------------------------------------------------
    def _render_recording(self, render, args, kwargs):
        _RECORDING.append(set())
        try:
            text = render(*args, **kwargs)
        finally:
            names = _RECORDING.pop()
        return text, names

    def render(self, template, render, args, kwargs) -> str:
        localcontext = dict(*args, **kwargs)
        name = localcontext.get("output_file")
        if not name or _RECORDING:
            return render(*args, **kwargs)
        previous = self.previous.get(name)
        helped = None
        if previous is None and self.helper is not None:
            helped = self.helper.take(name)  # (names the helper's render read, its logs)
            if helped is not None:
                previous = helped[0]
        if previous is not None and previous[0] == template.name:
            key = self.key(name, template.name, previous[1], localcontext)
            found = self._read(key, previous[3] if previous[2] == key else None)
            if found is not None:
                text, sums = found
                if helped is None:
                    self.stats["reused"] += 1
                else:
                    self.stats["helped"] += 1
                    replay(helped[1])
                self.used.add(key)
                self.pages[name] = (previous[0], previous[1], key, sums)
                if self.check:
                    self._check(name, text, render, args, kwargs)
                return text
        text, names = self._render_recording(render, args, kwargs)
        key = self.key(name, template.name, names, localcontext)
        text, sums = self._write(key, text, sum_file=False)
        self.used.add(key)
        names = sorted(names)
        self.pages[name] = (template.name, self._lists.setdefault(tuple(names), names), key, sums)
        self.stats["rendered"] += 1
        return text

    # --- other texts (feeds) ------------------------------------------------------
    def text(self, parts, values, produce) -> str:
        """The text ``produce()`` makes of ``values``: as stored, or made now and stored.

        For a file that is not a page (kiosk_feeds' Atom and RSS feeds): the
        caller names in ``parts`` (strings) and ``values`` (fingerprinted like
        a page's variables: articles in full) everything the text is made
        of, besides the code and the settings. A stored text comes back as a
        ``StoredText``, which the build's writer links; in check mode it is
        made again and compared.
        """
        key = _h(self.base, "text", *map(str, parts), *map(self.fingerprints.of, values))
        self.used.add(key)
        found = self._read(key, None)
        if found is not None:
            self.texts_stats["reused"] += 1
            if self.check and produce() != found[0]:
                self.mismatches.append(str(parts))
                logger.error("kiosk_incremental: %s: the stored text differs from a fresh "
                             "one (something it is made of is missing from its key)",
                             parts)  # fmt: skip
            return found[0]
        self.texts_stats["made"] += 1
        return self._write(key, produce())[0]

    def _check(self, name, text, render, args, kwargs):
        fresh, _ = self._render_recording(render, args, kwargs)
        if fresh != text:
            self.mismatches.append(name)
            logger.error(
                "kiosk_incremental: %s: the stored page differs from a fresh render "
                "(a value its template reads is missing from its fingerprint)",
                name,
            )

    # --- after the build -------------------------------------------------------
    def release(self) -> None:
        """After :meth:`save`: let go of this build's index and fingerprints.

        The Jinja environments keep the memo until Pelican is done, and the
        after-build steps (Pagefind, publish, verify) run beside the build's
        process: at N = 10,000 these are about 130 MB it no longer needs.
        """
        self.previous, self.pages, self._lists, self.used = {}, {}, {}, set()
        self.fingerprints.clear()

    def save(self) -> None:
        """Write the index of this build's pages and prune texts it did not use."""
        self.root.mkdir(parents=True, exist_ok=True)
        # Pages of a kind read the same names (17,920 pages and 9 lists at
        # N = 10,000): each list is written once and pages refer to it, and
        # the pages that load it share one list.
        reads, pages, encode = {}, {}, base64.b64encode
        for page, (template, names, key, sums) in self.pages.items():
            pages[page] = [template, reads.setdefault(tuple(names), len(reads)), key,
                           encode(sums).decode("ascii") if sums else None]  # fmt: skip
        index = {"format": FORMAT, "base": self.base, "reads": list(reads), "pages": pages}
        partial = self.root / f".reads.{os.getpid()}.tmp"
        partial.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
        os.replace(partial, self.index)
        self.store.prune(self.used)
        os.utime(self.root)
        others = sorted((p for p in self.cache_path.iterdir() if p.is_dir()),
                        key=lambda p: p.stat().st_mtime, reverse=True)  # fmt: skip
        for stale in others[self.KEEP_CONFIGURATIONS :]:
            shutil.rmtree(stale, ignore_errors=True)
