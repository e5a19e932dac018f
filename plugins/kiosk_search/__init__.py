"""kiosk_search: a static full-text search over published articles, with Pagefind.

Two halves:

- ``article_generator_finalized``: every published article gets
  ``article.search_meta``, the Pagefind filters (section, region) and result
  metadata (kicker, date, headline, image) as ``(attribute, key, value)``
  triples that ``partials/meta.html`` prints as ``<meta>`` tags. Pagefind reads
  filters and metadata anywhere in a page; the text it indexes is the element
  marked ``data-pagefind-body`` in ``article.html``, so pages without that
  attribute (home, listings, search itself) stay out of the index.
- ``finalized``: Pagefind indexes the output folder and writes its bundle
  (index fragments plus the Pagefind UI) to ``/pagefind/``, so search works on
  any static host with no server. Drafts and scheduled pieces, written only in
  development builds, are left out by their folder.

Settings: ``KIOSK_SEARCH`` (see ``DEFAULTS``).
"""

from types import MappingProxyType

from pelican import signals

from kiosk_settings import given_settings

from .indexing import draft_prefixes, run_pagefind
from .meta import search_meta

DEFAULTS = MappingProxyType(
    {
        # Tiny test sites and quick previews can skip the (1-2 s) indexing.
        "enabled": True,
        # Where the bundle goes below the output folder; search.html loads it.
        "bundle_dir": "pagefind",
        # Result metadata a reader sees: strftime format of the date.
        "date_format": None,  # None: the site's DEFAULT_DATE_FORMAT
    }
)

__all__ = ["DEFAULTS", "register", "search_settings"]


def search_settings(settings):
    """Return ``KIOSK_SEARCH`` merged over DEFAULTS, as a new dict; unknown keys fail."""
    given = given_settings(settings, "KIOSK_SEARCH", DEFAULTS)
    return {**DEFAULTS, **given}


def _check_settings(pelican):
    search_settings(pelican.settings)


def _attach_meta(generator):
    config = search_settings(generator.settings)
    date_format = config["date_format"] or generator.settings["DEFAULT_DATE_FORMAT"]
    # generator.articles holds only published pieces: drafts and scheduled
    # ones are in generator.drafts and get nothing to index.
    for article in generator.articles:
        article.search_meta = search_meta(article, date_format)


def _index(pelican):
    config = search_settings(pelican.settings)
    if config["enabled"]:
        run_pagefind(
            pelican.output_path, config["bundle_dir"], exclude=draft_prefixes(pelican.settings)
        )


def register():
    """Connect kiosk_search to Pelican's signals."""
    signals.initialized.connect(_check_settings)
    signals.article_generator_finalized.connect(_attach_meta)
    signals.finalized.connect(_index)
