"""Series: articles sharing a ``Series:`` name, read in order.

Every published article with ``Series:`` gets ``article.series``, a
:class:`Series` that knows its place: ``name``, ``slug``, ``url``,
``feed_url``, ``entries`` (published articles, oldest first), ``index``
(1-based), ``total``, ``previous`` and ``next`` (articles or None). A hidden or
draft article naming a series gets the series with ``index`` None, so its
preview shows the series box without pretending to be part of it.

The context gets ``series_list``: every series with a published entry, the
most recently continued first. :class:`SeriesPagesGenerator` writes
``series.html`` at ``SERIES_SAVE_AS`` (context ``series`` and ``articles``,
oldest first) and one Atom feed per series, newest first.

pelican-series was considered: it sets template variables but writes no
series pages or feeds, which CONTENT.md requires, so this small module does
both jobs in one place. It runs at ``article_generator_pretaxonomy`` so that
plugins at ``article_generator_finalized`` already see the objects.

Settings: ``KIOSK_SERIES = {"feed_atom": "feeds/series/{slug}.atom.xml"}``
(None: no feeds); ``SERIES_DESCRIPTIONS`` (name -> one paragraph), as for
sections, regions and columns, gives a series page its description.
"""

import dataclasses
import logging
from operator import attrgetter
from types import MappingProxyType

from pelican import signals
from pelican.generators import Generator
from pelican.utils import slugify

from kiosk_content import every_article
from kiosk_settings import given_settings

__all__ = ["Series", "register"]

logger = logging.getLogger(__name__)

DEFAULTS = MappingProxyType({"feed_atom": "feeds/series/{slug}.atom.xml"})


def plugin_settings(settings):
    """Return KIOSK_SERIES merged over the defaults; reject unknown keys."""
    given = given_settings(settings, "KIOSK_SERIES", DEFAULTS)
    return {**DEFAULTS, **given}


@dataclasses.dataclass(frozen=True, eq=False)
class Series:
    """A series, or (with ``index`` set) one article's place in it."""

    name: str
    slug: str
    url: str
    save_as: str
    feed_url: str | None
    entries: tuple
    description: str | None = None  # from SERIES_DESCRIPTIONS, keyed by name
    index: int | None = None
    previous: object = None
    next: object = None

    @property
    def total(self):
        return len(self.entries)

    def kiosk_fingerprint(self):
        """What a page can show of this series (kiosk_incremental).

        A series seen from one of its articles (``index`` set) shows its
        entries in the article's series box: all of it. A series as listed
        (``series_list``, in every page's footer) shows its name and link; its
        own page gets its entries as ``articles``.
        """
        if self.index is None:
            return (self.name, self.slug, self.url, self.save_as, self.feed_url,
                    self.description, self.total)  # fmt: skip
        return tuple(getattr(self, field.name) for field in dataclasses.fields(self))

    def __str__(self):
        return self.name


def _series_name(article):
    raw = getattr(article, "series", None)
    # With Pelican's content cache, the attribute may hold last build's object.
    name = raw.name if isinstance(raw, Series) else raw
    return name.strip() if name else None


def _slug(name, settings):
    return slugify(
        name,
        regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
        preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )


def build_series(articles, settings):
    """Return ``{slug: Series}`` for the published ``articles``."""
    groups = {}
    for article in sorted(articles, key=attrgetter("date")):
        name = _series_name(article)
        if name:
            groups.setdefault(_slug(name, settings), (name, []))[1].append(article)
    feed_pattern = plugin_settings(settings)["feed_atom"]
    return {
        slug: Series(
            name=name,
            slug=slug,
            url=settings["SERIES_URL"].format(slug=slug),
            save_as=settings["SERIES_SAVE_AS"].format(slug=slug),
            feed_url=feed_pattern.format(slug=slug) if feed_pattern else None,
            entries=tuple(entries),
            description=(settings.get("SERIES_DESCRIPTIONS") or {}).get(name),
        )
        for slug, (name, entries) in groups.items()
    }


def place(series, article):
    """Return ``series`` as seen from ``article`` (index, previous, next)."""
    if article not in series.entries:
        return series
    position = series.entries.index(article)
    last = len(series.entries) - 1
    return dataclasses.replace(
        series,
        index=position + 1,
        previous=series.entries[position - 1] if position > 0 else None,
        next=series.entries[position + 1] if position < last else None,
    )


def attach_series(generator):
    """Set ``article.series`` on every article and ``series_list`` in the context."""
    settings = generator.settings
    by_slug = build_series(generator.articles, settings)
    everything = every_article(generator)
    for article in everything:
        name = _series_name(article)
        series = by_slug.get(_slug(name, settings)) if name else None
        article.series = place(series, article) if series else None
    generator.context["series_list"] = sorted(
        by_slug.values(), key=lambda s: s.entries[-1].date, reverse=True
    )


class SeriesPagesGenerator(Generator):
    """Write each series' page and its Atom feed."""

    def generate_output(self, writer):
        template = self.get_template("series")
        for series in self.context.get("series_list", []):
            writer.write_file(
                series.save_as,
                template,
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                template_name="series",
                url=series.url,
                series=series,
                articles=list(series.entries),
                blog=True,
            )
            if series.feed_url:
                writer.write_feed(
                    list(reversed(series.entries)),
                    self.context,
                    series.feed_url,
                    series.feed_url,
                    feed_title=series.name,
                )


def get_generators(pelican):
    return SeriesPagesGenerator


def register():
    signals.article_generator_pretaxonomy.connect(attach_series)
    signals.get_generators.connect(get_generators)
