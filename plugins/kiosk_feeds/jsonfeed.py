"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) of the latest articles."""

import json
import logging
from operator import attrgetter
from pathlib import Path

from markupsafe import Markup
from pelican.generators import Generator
from pelican.utils import set_date_tzinfo

from .items import absolute, authors, categories, feed_image
from .options import plugin_settings

logger = logging.getLogger(__name__)

VERSION = "https://jsonfeed.org/version/1.1"


def _rfc3339(date, settings):
    return set_date_tzinfo(date, settings.get("TIMEZONE")).isoformat()


def json_item(article, settings, content):
    """Return one feed item; ``content`` is "full" or "summary".

    JSON Feed requires ``content_html`` or ``content_text`` in every item, so
    the summary mode puts the summary's HTML there rather than leaving it out.
    """
    site_url = settings.get("SITEURL", "")
    url = absolute(article.url, site_url)
    summary_html = str(getattr(article, "summary", "") or "")
    item = {
        "id": url,
        "url": url,
        "title": Markup(article.title).striptags(),
        "content_html": article.get_content(site_url) if content == "full" else summary_html,
        "summary": Markup(summary_html).striptags(),
        "date_published": _rfc3339(article.date, settings),
        "authors": [{"name": name, "url": page} for name, page in authors(article, site_url)],
        "tags": categories(article),
    }
    if getattr(article, "modified", None):
        item["date_modified"] = _rfc3339(article.modified, settings)
    image = feed_image(article, settings)
    if image is not None:
        item["image"] = image.url
    return item


def json_feed(articles, settings, options):
    """Return the JSON Feed document for ``articles``, newest first."""
    site_url = settings.get("SITEURL", "")
    newest = sorted(articles, key=attrgetter("date"), reverse=True)
    feed = {
        "version": VERSION,
        "title": settings["SITENAME"],
        "home_page_url": f"{site_url}/",
        "feed_url": absolute(options["json_feed"], settings.get("FEED_DOMAIN") or site_url),
        "language": settings.get("DEFAULT_LANG"),
        "items": [
            json_item(article, settings, options["json_content"])
            for article in newest[: settings.get("FEED_MAX_ITEMS")]
        ],
    }
    if settings.get("SITE_DESCRIPTION"):
        feed["description"] = settings["SITE_DESCRIPTION"]
    return feed


class JsonFeedGenerator(Generator):
    """Write the JSON Feed next to Pelican's Atom and RSS feeds, and those feeds.

    The Atom and RSS feeds the other generators gave the writer wait in its
    queue (``KioskWriter.write_feed``); this generator runs after every
    generator that writes feeds or pages but the static files', so they are
    written here, after the pages, before any plugin's ``finalized`` (whatever
    is queued later is written at ``finalized``).
    """

    def generate_output(self, writer):
        queued = getattr(writer, "write_queued_feeds", None)
        if queued is not None:
            queued()
        options = plugin_settings(self.settings)
        if not options["json_feed"]:
            return
        document = json_feed(self.context.get("articles", []), self.settings, options)
        target = Path(self.output_path) / options["json_feed"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        logger.info('Writing "%s"', target)
