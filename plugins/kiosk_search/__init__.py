"""kiosk_search: a static full-text search over published articles, with Pagefind.

Two halves:

- ``article_generator_finalized``: when search is on, every published article gets
  ``article.search_meta``, the Pagefind filters (section, region) and result
  metadata (kicker, date, headline, image) as ``(attribute, key, value)``
  triples that ``partials/meta.html`` prints as ``<meta>`` tags. Pagefind reads
  filters and metadata anywhere in a page; the text it indexes is the element
  marked ``data-pagefind-body`` in ``article.html``, so pages without that
  attribute (home, listings, search itself) stay out of the index.
- once Pelican has written the article pages (its ``generate_articles``), after
  an edit: the one shard whose pages changed starts indexing beside the rest
  of the rendering (``indexing.start_early``);
- ``finalized``: Pagefind indexes the article pages of the output folder, one
  bundle per year of the articles' dates (shards.py): the newest year's bundle
  (index plus the Pagefind UI) at ``/pagefind/``, each older year's index at
  ``/pagefind/<year>/``, merged by the search page, so search works on any
  static host with no server (a year of more than ``shard_max_pages`` articles
  is cut into month ranges, ``/pagefind/2021-07/``, to bound Pagefind's
  memory). A year whose pages did not change since the last
  build is copied from a cache instead of indexed again. Drafts and scheduled
  pieces, written only in development builds, are left out by their folder.

Settings: ``KIOSK_SEARCH`` (see ``DEFAULTS``).
"""

import logging
import os
from types import MappingProxyType

from pelican import signals

from kiosk_content import every_article
from kiosk_settings import given_settings

from .indexing import draft_prefixes, run_pagefind, start_early
from .meta import SearchMeta, search_meta
from .shards import shard_names

DEFAULTS = MappingProxyType(
    {
        # Tiny test sites and quick previews can skip the (1-2 s) indexing.
        "enabled": True,
        # Where the bundle goes below the output folder; search.html loads it.
        "bundle_dir": "pagefind",
        # Where each year's finished bundle is kept for later builds; None: no cache.
        "cache_path": ".kiosk-cache/search",
        # How many years Pagefind indexes at once (each run is its own process).
        "workers": 1,
        # A year with more articles than this is indexed in month ranges
        # (shards.shard_names): Pagefind's memory grows with the pages of one
        # run (about 0.22 MB a page). None: one shard per year, however big.
        "shard_max_pages": 800,
        # Result metadata a reader sees: strftime format of the date.
        "date_format": None,  # None: the site's DEFAULT_DATE_FORMAT
    }
)

__all__ = ["DEFAULTS", "register", "search_settings"]

log = logging.getLogger(__name__)

# Where _attach_meta leaves, in the build's settings dict, each article page's
# year for _index (the one object both signals are given for this build).
_YEARS = "_kiosk_search_years"
# Shards begun before ``finalized`` ({shard: EarlyShard}), by output folder.
_early: dict[str, dict] = {}


def search_settings(settings):
    """Return ``KIOSK_SEARCH`` merged over DEFAULTS, as a new dict; unknown keys fail."""
    given = given_settings(settings, "KIOSK_SEARCH", DEFAULTS)
    return {**DEFAULTS, **given}


def _check_settings(pelican):
    search_settings(pelican.settings)
    _cancel_early()  # of a build that failed before its ``finalized``


def _cancel_early():
    while _early:
        for shard in _early.popitem()[1].values():
            shard.cancel()


def _attach_meta(generator):
    config = search_settings(generator.settings)
    if not config["enabled"]:
        # No index will read them (the live preview turns search off): 0.4 s
        # of its every rebuild at N = 10,000.
        return
    date_format = config["date_format"] or generator.settings["DEFAULT_DATE_FORMAT"]
    # generator.articles holds only published pieces: drafts and scheduled
    # ones are in generator.drafts and get nothing to index.
    for article in generator.articles:
        article.search_meta = SearchMeta(search_meta(article, date_format))
    # Pelican works ``save_as`` out from the settings at every access (a third of
    # this function's time at N = 1,000 when it was read twice): once each here.
    dates = {
        save_as: article.date
        for article in every_article(generator)
        if (save_as := article.save_as) and getattr(article, "date", None)
    }
    generator.settings[_YEARS] = shard_names(dates, config["shard_max_pages"])
    if config["cache_path"]:
        _start_after_articles(generator, config)


def _start_after_articles(generator, config):
    """Begin the edited shard's indexing as soon as Pelican has written the article pages."""
    write_articles, build = generator.generate_articles, os.getpid()

    def generate_articles(write):
        write_articles(write)
        # Not in a cold build's render helper, which lists the pages by running
        # this too, in a process of its own with no page written.
        if os.getpid() != build:
            return
        del generator.generate_articles  # the class's method again
        _cancel_early()
        try:
            _early[generator.output_path] = start_early(
                generator.output_path, config["bundle_dir"],
                exclude=draft_prefixes(generator.settings), years=generator.settings.get(_YEARS),
                cache_path=config["cache_path"], workers=config["workers"],
                max_pages=config["shard_max_pages"],
            )  # fmt: skip
        except Exception as err:  # noqa: BLE001 - only time lost: finalized indexes as always
            log.debug("kiosk_search: no early indexing (%s)", err)

    generator.generate_articles = generate_articles


def _index(pelican):
    config = search_settings(pelican.settings)
    if config["enabled"]:
        run_pagefind(
            pelican.output_path,
            config["bundle_dir"],
            exclude=draft_prefixes(pelican.settings),
            years=pelican.settings.get(_YEARS),
            cache_path=config["cache_path"],
            workers=config["workers"],
            early=_early.pop(pelican.output_path, None),
        )


def register():
    """Connect kiosk_search to Pelican's signals."""
    signals.initialized.connect(_check_settings)
    signals.article_generator_finalized.connect(_attach_meta)
    signals.finalized.connect(_index)
