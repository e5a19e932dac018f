"""kiosk_search: a static full-text search over published articles, with Pagefind.

Two halves:

- ``article_generator_finalized``: every published article gets
  ``article.search_meta``, the Pagefind filters (section, region) and result
  metadata (kicker, date, headline, image) as ``(attribute, key, value)``
  triples that ``partials/meta.html`` prints as ``<meta>`` tags. Pagefind reads
  filters and metadata anywhere in a page; the text it indexes is the element
  marked ``data-pagefind-body`` in ``article.html``, so pages without that
  attribute (home, listings, search itself) stay out of the index.
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

import functools
from types import MappingProxyType

from pelican import signals

from kiosk_content import every_article
from kiosk_settings import given_settings

from .indexing import Beside, Indexing, draft_prefixes, run_pagefind
from .meta import search_meta
from .shards import holds_a_build, shard_names

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
        # Pages Pagefind may index while the build still renders its other
        # pages (a rebuild's changed years): each holds about 0.22 MB in
        # Pagefind, on top of the build at its largest, so 200 pages ≈ 45 MB.
        # More (a half-year at N = 10,000: 643 pages, 143 MB, which took the
        # one-edit rebuild's peak from 557 to 710 MB PSS) wait for
        # ``finalized``, when the build has given memory back. 0: always wait.
        "beside_max_pages": 200,
        # Result metadata a reader sees: strftime format of the date.
        "date_format": None,  # None: the site's DEFAULT_DATE_FORMAT
    }
)

__all__ = ["DEFAULTS", "register", "search_settings"]

# Where _attach_meta leaves, in the build's settings dict, each article page's
# year for _index (the one object both signals are given for this build).
_YEARS = "_kiosk_search_years"
# Where the Beside started once the article pages are written waits for _index.
_BESIDE = "_kiosk_search_beside"


def search_settings(settings):
    """Return ``KIOSK_SEARCH`` merged over DEFAULTS, as a new dict; unknown keys fail."""
    given = given_settings(settings, "KIOSK_SEARCH", DEFAULTS)
    pages = given.get("beside_max_pages", 0)
    if type(pages) is not int or pages < 0:
        raise ValueError(
            f"KIOSK_SEARCH: beside_max_pages must be a whole number of pages (0 or more), "
            f"not {pages!r}"
        )
    return {**DEFAULTS, **given}


def _check_settings(pelican):
    search_settings(pelican.settings)
    Beside.abandon_all()  # a failed build's thread in this process (invoke serve, tests)


def _attach_meta(generator):
    config = search_settings(generator.settings)
    date_format = config["date_format"] or generator.settings["DEFAULT_DATE_FORMAT"]
    # generator.articles holds only published pieces: drafts and scheduled
    # ones are in generator.drafts and get nothing to index.
    for article in generator.articles:
        article.search_meta = search_meta(article, date_format)
    # Pelican works ``save_as`` out from the settings at every access (a third of
    # this function's time at N = 1,000 when it was read twice): once each here.
    dates = {
        save_as: article.date
        for article in every_article(generator)
        if (save_as := article.save_as) and getattr(article, "date", None)
    }
    generator.settings[_YEARS] = shard_names(dates, config["shard_max_pages"])
    if config["enabled"] and dates:
        _index_once_articles_are_written(generator, config)


def _index_once_articles_are_written(generator, config):
    """Wrap ``generator.generate_articles`` (this generator only): a Beside starts after it.

    Without dated articles Pagefind takes every page of the site, which is
    only complete at ``finalized``.
    """
    write_articles = generator.generate_articles
    settings = generator.settings

    @functools.wraps(write_articles)
    def generate_articles(write):
        write_articles(write)
        cache = config["cache_path"]
        if cache is not None and not holds_a_build(cache):
            return  # a first build with the cache indexes every year: at finalized
        indexing = Indexing(
            generator.output_path,
            config["bundle_dir"],
            exclude=draft_prefixes(settings),
            years=settings[_YEARS],
            cache_path=cache,
            workers=config["workers"],
        )
        settings[_BESIDE] = Beside(indexing, config["beside_max_pages"])

    generator.generate_articles = generate_articles


def _index(pelican):
    config = search_settings(pelican.settings)
    started = pelican.settings.pop(_BESIDE, None)
    if config["enabled"]:
        run_pagefind(
            pelican.output_path,
            config["bundle_dir"],
            exclude=draft_prefixes(pelican.settings),
            years=pelican.settings.get(_YEARS),
            cache_path=config["cache_path"],
            workers=config["workers"],
            started=started,
        )


def register():
    """Connect kiosk_search to Pelican's signals."""
    signals.initialized.connect(_check_settings)
    signals.article_generator_finalized.connect(_attach_meta)
    signals.finalized.connect(_index)
