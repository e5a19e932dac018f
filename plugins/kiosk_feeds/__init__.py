"""Feeds as CONTENT.md lists them, with everything a feed reader can show.

Pelican writes the Atom and RSS feeds (latest, per section, per author);
kiosk_taxonomies and kiosk_series add region, column and series feeds through
the same writer. This plugin

- swaps in :class:`~.writer.KioskWriter` (``get_writer``), so every Atom/RSS
  item names all its authors (Atom ``<author>``, RSS ``dc:creator``), is filed
  under its section, region, column and tags, and carries its top image as an
  enclosure and a ``media:content`` with ``media:credit``; an article in
  several feeds is made and serialised once per feed class and build (the
  shared items are let go at ``finalized``);
- writes ``/feeds/latest.json``, a JSON Feed 1.1 (``get_generators``);
- writes the Atom and RSS feeds after the pages, not before them as Pelican
  does: the writer queues them and the JSON Feed's generator, which runs
  after the generators that write pages and feeds, writes them (BENCHMARKS.md,
  lever 129: in a cold build they overlap kiosk_ahead's work instead of
  leaving its core idle).

Only published articles reach any feed: Pelican turns future-dated articles
into drafts (``WITH_FUTURE_DATES = False``) and keeps drafts and hidden
articles out of ``generator.articles``. Items are newest first.

Settings: ``KIOSK_FEEDS = {"json_feed": "feeds/latest.json",
"json_content": "full" | "summary"}``; Atom/RSS honour Pelican's own
``FEED_MAX_ITEMS`` and ``RSS_FEED_SUMMARY_ONLY``.
"""

from pelican import signals

from .jsonfeed import JsonFeedGenerator
from .options import DEFAULTS, plugin_settings
from .writer import KioskWriter, release_items, write_queued_feeds

__all__ = ["DEFAULTS", "plugin_settings", "register"]


def get_writer(pelican):
    return KioskWriter


def get_generators(pelican):
    return JsonFeedGenerator


def register():
    signals.get_writer.connect(get_writer)
    signals.get_generators.connect(get_generators)
    # Any feed queued after JsonFeedGenerator ran: before any later plugin's
    # finalized (the articles' bodies, the render memo, publish and verify).
    signals.finalized.connect(write_queued_feeds)
    signals.finalized.connect(release_items)
