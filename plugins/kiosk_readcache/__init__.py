"""kiosk_readcache: read each article once, and read on every core.

Reading a file (Pelican's Markdown reader, typogrify, then every
``article_generator_context`` and ``content_object_init`` handler, chiefly
kiosk_figures) is the largest part of a build, and an editor's rebuild
usually changes one file. This plugin keeps the finished Content object of
every article and page, as it is after all of that, in a cache folder, and
reads the files the cache does not answer in forked worker processes, one per
core. ``generate_context`` still receives the objects one by one, in its own
order, so everything it does after reading (source paths, static links,
translations, ordering, ``article_generator_pretaxonomy`` …) is unchanged and
the output is byte-identical with or without the plugin. Two of Pelican's
per-file steps are answered without their cost where the answer is known:
its content cache's lookups where that cache is off, and its scan of a body
for ``{static}`` links where the body names no static file.

A cache entry is used only when all of these are unchanged: the file's path
and bytes (hashed again only when its stat changed); the settings (all but
``OUTPUT_PATH``); the code (``PLUGIN_PATHS``, the ``*conf.py`` files, every
installed distribution's version); each local file the read opened (an image's
size and mtime); and no future ``Date`` in it has passed. A damaged entry is
ignored and rewritten. The entries live in a few pack files named by one index
(see :mod:`.store`): once every file is read (``all_generators_finalized``),
the build's new entries are written as one new pack and a new index, which
keeps only the entries this build used, each written atomically. What a read
logged is stored with the entry and logged again each time it is used, and a
worker's records reach the parent's logging, so warnings are counted and
errors fail the build as before (see :mod:`.reading`, :mod:`.batch`).

At ``article_generator_pretaxonomy``, before the plugins that attach values
to them, the articles' equal sections, tags and authors become one object
each (:mod:`.terms`; cached or not, Pelican makes a copy per article).

Settings: ``KIOSK_READCACHE`` (see ``DEFAULTS``). ``last_stats`` holds the last
build's counts (files, hashed: the sources whose
stat changed, hits, read_here, read_in_workers, workers, ahead: the hits
unpickled ahead), ``last_read`` the
source paths of the files it read rather than took from the cache (what an
editor just saved: the live preview writes their pages first).
``unpickle_ahead`` takes the stored articles out of the cache before the
build lists the files (the live preview's standby rebuild, kiosk_standby).
"""

import gc
import logging
from functools import partial
from types import MappingProxyType

from pelican import signals

from kiosk_content import every_article
from kiosk_settings import given_settings

from .batch import BuildState, CachedReads
from .terms import share_terms

__all__ = ["DEFAULTS", "register", "last_read", "last_stats", "readcache_settings",
           "unpickle_ahead"]  # fmt: skip

logger = logging.getLogger(__name__)

# Pelican's default: with it, a static link's marker is ``static`` or ``attach``
# between ``{``/``|`` and ``|``/``}`` (``_add_static_links``).
PELICAN_INTRASITE_LINK_REGEX = "[{|](?P<what>.*?)[|}]"

DEFAULTS = MappingProxyType(
    {
        # False: Pelican reads as if the plugin were not installed.
        "enabled": True,
        # False: read in parallel, but keep nothing between builds.
        "cache": True,
        # One folder per content folder and settings below this one; relative
        # paths are relative to the directory Pelican runs in.
        "cache_path": ".kiosk-cache/read",
        # Worker processes for the files the cache does not answer; 0 = one per core.
        "workers": 0,
        # Fewer misses than this are read in this process (forking costs more).
        "parallel_min_files": 8,
        # The folder of another content folder or settings is deleted after this long unused.
        "prune_after_days": 14,
    }
)

last_stats = {}
last_read = set()
_state = None


def readcache_settings(settings):
    return {**DEFAULTS, **given_settings(settings, "KIOSK_READCACHE", DEFAULTS)}


def register():
    signals.initialized.connect(start)
    signals.article_generator_init.connect(cache_articles)
    signals.page_generator_init.connect(cache_pages)
    signals.article_generator_pretaxonomy.connect(share_articles_terms)
    signals.all_generators_finalized.connect(commit)
    signals.finalized.connect(finish)


def start(pelican):
    """A new build: check the settings and forget the previous build's state."""
    global _state
    readcache_settings(pelican.settings)
    if _state is not None:
        _state.close()  # a build that failed before finishing
    gc.unfreeze()  # what an earlier build in this process froze
    _state = None
    last_read.clear()


def _state_for(settings):
    global _state
    if _state is None or _state.settings is not settings:
        _state = BuildState(settings, readcache_settings(settings))
        # The counts are kept up to date during the build, even one that fails.
        last_stats.clear()
        last_stats.update(_state.stats)
        _state.stats = last_stats
        last_read.clear()
        _state.read_now = last_read
    return _state


def _install(generator, paths_setting, excludes_setting):
    options = readcache_settings(generator.settings)
    if not options["enabled"]:
        return
    state = _state_for(generator.settings)
    generator.readers.read_file = CachedReads(
        state, generator, generator.readers.read_file, paths_setting, excludes_setting
    )
    # Pelican's own content cache, at a level where it keeps and loads nothing,
    # still asks each file's modification time twice (the lookup before
    # reading, the store after): 20,000 stats at N = 10,000, in the
    # generator and again in its readers. Its answer is always "not cached",
    # which these give without asking.
    for level, cacher in (("generator", generator), ("reader", generator.readers)):
        if not _pelican_cache_used(generator.settings, level):
            cacher.get_cached_data = _nothing_cached
            cacher.cache_data = _cache_nothing
    if generator.settings.get("INTRASITE_LINK_REGEX") == PELICAN_INTRASITE_LINK_REGEX:
        generator.add_static_links = partial(_add_static_links, generator.add_static_links)


def _add_static_links(add, content):
    """Pelican's ``add_static_links(content)``, skipped for a body that can link no static file.

    Pelican scans every body with a regular expression for ``{static}`` and
    ``{attach}`` links (``[{|]static[|}]`` and ``[{|]attach[|}]`` with its
    default ``INTRASITE_LINK_REGEX``): 10,000 scans of 7 kB bodies a build, on
    one core, for none found. A body without ``{`` and ``|`` (one fast search
    each), or without either word, has no such link.
    """
    raw = content._content
    if isinstance(raw, str) and (
        ("{" not in raw and "|" not in raw) or ("static" not in raw and "attach" not in raw)
    ):
        return
    add(content)


def _pelican_cache_used(settings, level) -> bool:
    """Whether Pelican's content cache stores or loads anything at ``level``."""
    return settings.get("CONTENT_CACHING_LAYER") == level and bool(
        settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE")
    )


def _nothing_cached(filename, default=None):
    return default


def _cache_nothing(filename, data):
    return None


def cache_articles(generator):
    _install(generator, "ARTICLE_PATHS", "ARTICLE_EXCLUDES")


def cache_pages(generator):
    _install(generator, "PAGE_PATHS", "PAGE_EXCLUDES")


def unpickle_ahead(generator, content_class) -> int:
    """Unpickle the stored Contents of ``generator``'s files now, before it lists
    them: how many (kiosk_standby). Its build takes each one only if the
    file's key is still that entry's when it reads."""
    reads = generator.readers.read_file
    return reads.unpickle_ahead(content_class) if isinstance(reads, CachedReads) else 0


def share_articles_terms(generator):
    """Before any plugin looks at them: equal terms of all articles are one object
    (those unpickled ahead were shared then: kiosk_standby)."""
    state = _state if _state is not None and _state.settings is generator.settings else None
    if state is None:
        share_terms(every_article(generator))
        return
    done = {id(content) for content in state.ahead_used}
    share_terms(every_article(generator), shared=state.terms, skip=done)
    state.ahead_used = []


def commit(generators):
    """Every file is read: store the new entries and drop the unused ones."""
    if _state is not None and generators and _state.settings is generators[0].settings:
        _state.commit()


def finish(pelican):
    """After a successful build: mark the folder used, publish the counts."""
    global _state
    state = _state
    if state is None or state.settings is not pelican.settings:
        return
    state.finish()
    # What batch froze stays frozen: the build holds it until Pelican is done,
    # and the steps between here and kiosk_memory's release (the render memo's
    # index) would otherwise set off a collection of all of it (0.9 s at
    # N = 10,000). kiosk_memory.release unfreezes and collects at ``finalized``,
    # tasks.build_site's last release once the build is over, and ``start`` at
    # the next build in this process.
    logger.info(
        "kiosk_readcache: %(files)d files, %(hits)d from the cache, %(read_in_workers)d read "
        "by %(workers)d workers, %(read_here)d read in this process",
        state.stats,
    )
    _state = None
