"""Pelican's writer with richer Atom and RSS items.

Pelican builds each feed item in ``Writer._add_item_to_the_feed`` and sends no
signal that carries the article, so extending the writer (Pelican's
``get_writer`` hook, as pelican-podcast-feed does) is the one place where an
item can be given the article's authors, terms and top image. Every feed
Pelican or another plugin writes through ``writer.write_feed`` gets them.

One article is an item of several feeds of a build (latest, its section, its
authors, region, column, series). The writer makes each article's item once
per feed class (:class:`SharedItem`): its fields, then the XML text the first
feed writes for it, which the other feeds write as it is. An item's XML depends
only on the item, so the bytes are those each feed would write itself.

Memory: the shared items live until ``finalized``, and at N = 10,000 about
6,000 articles are in some feed, each with its whole body. So once an item's
XML is written, the item keeps it zlib-compressed (about a third of the text)
and drops the fields the XML was made from (the body twice over).
"""

import io
import os
import weakref
import zlib
from datetime import UTC, datetime
from functools import partial

from feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator
from markupsafe import Markup
from pelican import signals
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import Writer

from kiosk_filecache import LinkingWriter

from .items import authors, categories, feed_image

MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"


def _add_media(handler, item):
    """Write the top image as Media RSS, the element that carries a credit."""
    image = item.get("kiosk_image")
    if image is None:
        return
    handler.startElement(
        "media:content", {"url": image.url, "medium": "image", "type": image.mime_type}
    )
    if image.caption or image.alt:
        handler.addQuickElement("media:description", image.caption or image.alt)
    if image.credit:
        handler.addQuickElement("media:credit", image.credit)
    handler.endElement("media:content")


# Every KioskWriter alive, so that release_items can free what they share.
_writers = weakref.WeakSet()


def write_queued_feeds(*_args, **_kwargs):
    """Write the feeds the writers still hold (at ``finalized``: JsonFeedGenerator
    wrote those queued before it)."""
    for writer in list(_writers):
        writer.write_queued_feeds()


def release_items(*_args, **_kwargs):
    """Forget the items the writers share (at ``finalized``: every feed is written)."""
    for writer in list(_writers):
        writer.shared_items.clear()


# What an item's XML is made from and a feed needs no more once it is written
# (a feed reads its items' dates for its own <updated>, never these).
_WRITTEN_FIELDS = ("title", "description", "content", "categories", "enclosures",
                   "kiosk_authors", "kiosk_image")  # fmt: skip


class SharedItem:
    """One article's item as one feed class writes it, shared by a build's feeds:
    the fields Pelican and this writer give it, and its XML once written."""

    __slots__ = ("article", "entry", "_xml")

    def __init__(self, article, entry):
        self.article, self.entry, self._xml = article, entry, None

    @property
    def text(self):
        """The item's XML as the first feed wrote it, or None before that."""
        return None if self._xml is None else zlib.decompress(self._xml).decode("utf-8")

    def written(self, text):
        """Keep the XML (compressed) and let go of what it was made from."""
        self._xml = zlib.compress(text.encode("utf-8"), 1)
        self.entry = {k: v for k, v in self.entry.items() if k not in _WRITTEN_FIELDS}


class SharedItemsFeed:
    """Writes each item's XML once per build; feeds that share the item copy it.

    feedgenerator's ``write_items``, item by item: an item whose XML another
    feed of this build wrote is written as that text (``ignorableWhitespace``
    is SAX's way to write text as it is); the first feed to write an item
    writes it to a buffer of its own and keeps the text. The element an item
    starts with is ``item_element``.
    """

    item_element = None

    def write_items(self, handler):
        for item in self.items:
            shared = item.get("kiosk_shared")
            if shared is None:
                self.write_item(handler, item)
                continue
            text = shared.text
            if text is None:
                buffer = io.StringIO()
                self.write_item(SimplerXMLGenerator(buffer, "utf-8", True), item)
                text = buffer.getvalue()
                shared.written(text)
            handler.ignorableWhitespace(text)

    def write_item(self, handler, item):
        handler.startElement(self.item_element, self.item_attributes(item))
        self.add_item_elements(handler, item)
        handler.endElement(self.item_element)


class StableEmptyFeed:
    """A feed with no items (an author before their first article) is dated by
    the build's content, not by the clock, so rebuilds stay byte-identical.

    ``empty_date`` is a function that returns that date: it is asked only when
    the feed is empty, so a feed with items costs no look at every article.
    """

    empty_date = None

    def latest_post_date(self):
        if self.items or self.empty_date is None:
            return super().latest_post_date()
        return self.empty_date()


def content_date(context):
    """SOURCE_DATE_EPOCH if set, else the newest published article's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    dates = [article.date for article in context.get("articles") or ()]
    return max(dates) if dates else datetime(1970, 1, 1, tzinfo=UTC)


class KioskAtomFeed(SharedItemsFeed, StableEmptyFeed, Atom1Feed):
    """Atom with one ``<author>`` per byline and a ``media:content`` image."""

    item_element = "entry"

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item.get("kiosk_authors", []):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")
        _add_media(handler, item)


class KioskRssFeed(SharedItemsFeed, StableEmptyFeed, Rss201rev2Feed):
    """RSS 2.0 with one ``dc:creator`` per byline and a ``media:content`` image."""

    item_element = "item"

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DC_NS, "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item.get("kiosk_authors", []):
            handler.addQuickElement("dc:creator", name)
        _add_media(handler, item)


class KioskWriter(LinkingWriter, Writer):
    """Write feeds with :class:`KioskAtomFeed` / :class:`KioskRssFeed` items.

    The build's one writer (Pelican takes the first ``get_writer`` answer), so it
    also links the render memo's stored pages (``LinkingWriter``).
    """

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        # (feed class, id(article), site URL) -> SharedItem, for this build's feeds.
        self.shared_items = {}
        self.feed_pages = None  # feed path -> URL of the page it follows (feed_page)
        self._feed_page_url = None
        self._queued_feeds = []
        # A process builds one site at a time: feeds an earlier writer still
        # holds are those of a build that failed, and its folder is gone.
        for earlier in list(_writers):
            earlier._queued_feeds.clear()
        _writers.add(self)

    def feed_page(self, context, path) -> str:
        """The URL (relative to SITEURL) of the page whose stories the feed at ``path``
        lists: a section's, author's, tag's, region's, column's or series' page;
        ``""`` (the home page) for the site's own feeds. A feed's ``link`` says so."""
        if self.feed_pages is None:  # once per build: feeds come after every context
            pages = {}
            for kind, terms in (("CATEGORY", context.get("categories") or ()),
                                ("AUTHOR", context.get("authors") or ()),
                                ("TAG", context.get("tags") or ())):  # fmt: skip
                patterns = [self.settings.get(f"{kind}_FEED_{t}") for t in ("ATOM", "RSS")]
                for term, _articles in terms:
                    for pattern in filter(None, patterns):
                        pages[str(pattern).format(slug=term.slug)] = term.url
            for term in (*(context.get("regions") or ()), *(context.get("columns") or ()),
                         *(context.get("series_list") or ())):  # fmt: skip
                if getattr(term, "feed_url", None):
                    pages[term.feed_url] = term.url
            self.feed_pages = pages
        return self.feed_pages.get(path, "")

    def write_feed(self, elements, context, path=None, url=None, feed_type="atom",
                   override_output=False, feed_title=None):  # fmt: skip
        """Queue the feed: it is written after every page (``JsonFeedGenerator``).

        Pelican writes a site's feeds before its article pages, 1.7 s of a
        cold N = 10,000 build in which kiosk_ahead's worker had no page to
        work on yet; written last, they overlap its backlog instead (lever
        129). The feed's articles are taken now (the first ``FEED_MAX_ITEMS``,
        all a feed holds); what a feed reads of them and of the context does
        not change once pages render.
        Returns None, as a feed taken from the render memo always did.
        """
        self._queued_feeds.append((elements[: self.settings["FEED_MAX_ITEMS"]], context, path,
                                   url, feed_type, override_output, feed_title))  # fmt: skip

    def write_queued_feeds(self):
        queued, self._queued_feeds = self._queued_feeds, []
        for feed in queued:
            self._write_feed(*feed)

    def _write_feed(self, elements, context, path=None, url=None, feed_type="atom",
                    override_output=False, feed_title=None):  # fmt: skip
        """Pelican's ``write_feed``; with the render memo, a feed made of the same
        articles as last build is linked from there, not made again.

        A feed's bytes are made of its items (each article in full, as the
        memo fingerprints a page's ``article``), their images (whose byte
        length comes from the file under ``content/``), where it goes and
        what it is called, and the settings and code (the memo's own key).
        At N = 10,000 the 117 feeds took 2.2 s of a 29 s one-edit rebuild.
        A feed taken from the memo sends neither ``feed_generated`` nor
        ``feed_written`` (no plugin of this site listens); an empty feed is
        always made (its date comes from the whole site).
        """
        from kiosk_incremental import current_memo

        memo = current_memo()
        items = list(elements[: self.settings["FEED_MAX_ITEMS"]])
        self._feed_page_url = self.feed_page(context, path) if path else ""
        if memo is None or not path or not items:
            return super().write_feed(elements, context, path, url, feed_type, override_output,
                                      feed_title)  # fmt: skip
        site_url = context.get("SITEURL", path_to_url(get_relative_path(path)))
        feed_domain = context.get("FEED_DOMAIN")
        made = []

        def make():
            # Pelican's write_feed up to the writing, into a string.
            self.site_url, self.feed_domain = site_url, feed_domain
            self.feed_url = self.urljoiner(feed_domain, url or path)
            feed = self._create_new_feed(feed_type, feed_title, context)
            for item in items:
                self._add_item_to_the_feed(feed, item)
            signals.feed_generated.send(context, feed=feed)
            made.append(feed)
            return feed.writeString("utf-8")

        parts = ("feed", path, url, feed_type, override_output, feed_title, site_url, feed_domain,
                 self._feed_page_url)  # fmt: skip
        images = [feed_image(item, self.settings) for item in items]
        text = memo.text(parts, (items, images), make)
        complete_path = sanitised_join(self.output_path, path)
        os.makedirs(os.path.dirname(complete_path), exist_ok=True)
        with self._open_w(complete_path, "utf-8", override_output) as handle:
            handle.write(text)
        if made:
            signals.feed_written.send(complete_path, context=context, feed=made[-1])
        return made[-1] if made else None

    def _create_new_feed(self, feed_type, feed_title, context):
        # Pelican's own method, with our feed classes and a description that
        # falls back to the site's (RSS requires one per channel).
        feed_class = KioskRssFeed if feed_type == "rss" else KioskAtomFeed
        title = context["SITENAME"] + (f" - {feed_title}" if feed_title else "")
        description = context.get("SITESUBTITLE") or context.get("SITE_DESCRIPTION", "")
        feed = feed_class(
            title=Markup(title).striptags(),
            link=f"{self.site_url}/{self._feed_page_url or ''}",
            feed_url=self.feed_url,
            description=description,
            subtitle=description or None,
            language=context.get("DEFAULT_LANG"),
        )
        feed.empty_date = partial(content_date, context)
        return feed

    def _add_item_to_the_feed(self, feed, item):
        key = (type(feed), id(item), self.site_url)
        shared = self.shared_items.get(key)
        if shared is None or shared.article is not item:
            self._make_item(feed, item)
            shared = self.shared_items[key] = SharedItem(item, feed.items[-1])
            shared.entry["kiosk_shared"] = shared
        else:
            feed.items.append(dict(shared.entry))

    def _make_item(self, feed, item):
        super()._add_item_to_the_feed(feed, item)
        entry = feed.items[-1]
        # Pelican names only the first author; we write all of them ourselves.
        entry["author_name"] = None
        entry["kiosk_authors"] = authors(item, self.site_url)
        entry["categories"] = categories(item)
        image = feed_image(item, self.settings)
        if image is not None:
            entry["kiosk_image"] = image
            entry["enclosures"] = [Enclosure(image.url, str(image.length), image.mime_type)]
