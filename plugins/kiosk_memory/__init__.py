"""kiosk_memory: what a build holds on to, and when it lets go.

Peak memory is one of the benchmark's targets (BENCHMARKS.md: the worst moment
of a build, the build's process and every process beside it). Two things this
plugin changes, neither of which changes a byte of output:

- **Pelican's content memos are bounded.** Pelican memoizes each article's
  resolved body (``Content.get_content``) and summary for the life of the
  process, keyed by the article: every body of every build stays in memory
  (9 MB at N = 1,000, growing with N), and a live-reload server keeps every
  earlier build's articles too. A body is resolved in about 0.05 ms, and a build asks
  for it a few times (its feed items, its page), so the memos keep the
  ``MEMO_SIZE`` most recently added entries instead.
- **At ``finalized``, the build gives memory back before the steps that run
  beside it.** Every page and feed is written by then (kiosk_feeds has let go
  of its shared items, kiosk_incremental has saved and let go of its render
  memo: both come earlier in ``PLUGINS``). This plugin empties Pelican's memos,
  lets every article and page go of its body and what was made from it
  (``BODY_ATTRIBUTES``: nothing after ``finalized`` reads them; the sitemap,
  the last to read articles, reads their URLs and dates) and its read's record
  of them (kiosk_readcache's ``ReadRecord``, which holds the body by
  reference for the render memo's fingerprints), collects what is
  now garbage and asks the C library to return free pages to
  the system (glibc's ``malloc_trim``), before Pagefind runs as a process of its
  own and kiosk_publish and kiosk_verify fork workers that share this
  process's pages: so it must come before those in ``PLUGINS``. What survives
  that collection (the build's context, its articles without their bodies)
  lives until Pelican returns, so it is then frozen out of the collector
  (``gc.freeze``, as the context already is from ``all_generators_finalized``
  on): the collections that Pagefind, publish and verify set off
  scan only their own new objects, not the whole build again (at N = 10,000
  each had taken 0.6-0.7 s). ``tasks.build_site`` calls ``release(freeze=False)``
  once Pelican is done, which unfreezes and collects it all.

``last_release`` reports the last build's release: the process's resident
memory before and after, in MB (Linux; empty elsewhere).
"""

from __future__ import annotations

import ctypes
import functools
import gc
import logging
import os

__all__ = [
    "BODY_ATTRIBUTES",
    "MEMO_SIZE",
    "BoundedMemo",
    "give_back",
    "last_release",
    "register",
    "release",
    "resident_mb",
]

logger = logging.getLogger(__name__)

# Entries each of Pelican's content memos keeps. A body is asked for by its feed
# items (one per feed class, in a row) and by its page: 64 covers a feed's items.
MEMO_SIZE = 64
# Pelican's memoized methods of every article and page.
_MEMOIZED = ("get_content", "get_summary")

# What rendering made pages and feeds of, on each article and page: its body and
# summary (Pelican), figures (kiosk_figures), teasers and excerpt (kiosk_related),
# search record (kiosk_search).
BODY_ATTRIBUTES = ("_content", "_summary", "body_images", "related", "_kiosk_excerpt",
                   "search_meta")  # fmt: skip

last_release: dict[str, float] = {}
# The build's articles and pages (all_generators_finalized), until it lets go of them.
_contents: list = []


class BoundedMemo(dict):
    """The cache of a ``pelican.utils.memoized``, keeping its newest ``size`` entries.

    ``memoized`` only tests ``key in cache``, reads ``cache[key]`` and sets
    ``cache[key] = value``; a value it no longer finds is computed again.
    """

    def __init__(self, size: int = MEMO_SIZE):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value):
        if key not in self and len(self) >= self.size:
            del self[next(iter(self))]  # the oldest: dicts keep insertion order
        super().__setitem__(key, value)


def _memos():
    from pelican.contents import Content  # on demand: see kiosk_filecache's docstring

    return [Content.__dict__[name] for name in _MEMOIZED]


def bound_memos(*_args, **_kwargs):
    """At ``initialized``: Pelican's content memos keep at most MEMO_SIZE entries.

    Also unfreezes what an earlier build in this process froze and did not
    release (a build that failed after ``finalized``).
    """
    gc.unfreeze()
    for memo in _memos():
        if not isinstance(memo.cache, BoundedMemo):
            memo.cache = BoundedMemo()
        memo.cache.clear()  # an earlier build's articles, in a long-lived process
        memo.cache.size = MEMO_SIZE


def keep_contents(generators):
    """At ``all_generators_finalized``: every article and page the build read.

    The context is complete and lives until ``finalized``: it is frozen out
    of the collector, so that the collections rendering sets off scan only
    what rendering makes (a cold build at N = 10,000 had three of 0.4-0.8 s).
    """
    # Every generator shares one context; generated_content holds drafts,
    # hidden pieces and translations too.
    context = generators[0].context if generators else {}
    _contents[:] = context.get("generated_content", {}).values()
    gc.freeze()


def resident_mb() -> float | None:
    """This process's resident memory in MB (Linux), or None where it is not known."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        return None


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library this process runs on
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    return trim


def give_back() -> bool:
    """Return free pages of every malloc arena to the system; False where there is no glibc.

    Before a fork: a child shares every page this process holds, free or not.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def release(*_args, freeze=True, **_kwargs):
    """At ``finalized``: empty the memos, collect, and return free memory to the system.

    ``freeze``: collect only what rendering made, and freeze what survives
    out of the collector (the build still holds it); ``False`` once the build
    is over: unfreeze and collect all of it. What the memos and bodies held
    is freed as they are emptied (strings, lists and dicts without cycles):
    a collection of the context frozen at ``all_generators_finalized`` found
    the same garbage as one without it (2,268 objects in a cold build at N =
    1,000; 20 in a one-edit rebuild at N = 10,000, where it took 0.58 s
    against 0.01 s; lever 76).
    """
    from kiosk_readcache.notes import READ_RECORD  # on demand, as Pelican (see register)

    before = resident_mb()
    for memo in _memos():
        memo.cache.clear()
    for content in _contents:
        fields = content.__dict__
        for name in BODY_ATTRIBUTES:
            fields.pop(name, None)
        record = fields.get(READ_RECORD)
        if record is not None:
            record.let_go()
    _contents.clear()
    if not freeze:
        gc.unfreeze()
    gc.collect()
    trimmed = give_back()
    if freeze:
        gc.freeze()
    after = resident_mb()
    last_release.clear()
    if before is not None and after is not None:
        last_release.update(before=round(before, 1), after=round(after, 1))
        logger.debug("kiosk_memory: resident %.0f MB -> %.0f MB%s", before, after,
                     "" if trimmed else " (no malloc_trim here)")  # fmt: skip


def register():
    from pelican import signals  # on demand: see kiosk_filecache's docstring

    signals.initialized.connect(bound_memos)
    signals.all_generators_finalized.connect(keep_contents)
    signals.finalized.connect(release)
