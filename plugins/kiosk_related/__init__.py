"""kiosk_related: the related-stories teasers under every article.

After all articles are read (``article_generator_finalized``, once
kiosk_taxonomies has set ``label`` and kiosk_figures ``top_image``), each
article, draft and hidden piece gets ``related``: a list of
:class:`~kiosk_related.teasers.Teaser`, best first. Only published pieces
are ever related; an article's own series is left to the series box.
Scoring is in ``scoring.relate``, its picks kept between builds by
``kept.picks``; settings: ``KIOSK_RELATED``.
"""

from datetime import UTC, datetime

from pelican import signals
from pelican.contents import Article

import kiosk_standby
from kiosk_content import every_article

from .kept import load_ahead as load_kept_ahead
from .kept import picks as kept_picks
from .scoring import Item
from .settings import related_settings
from .teasers import Teaser, make_teaser, remember_excerpt

__all__ = ["Teaser", "register"]


def register():
    signals.initialized.connect(check_settings)
    signals.content_object_init.connect(keep_excerpt)
    signals.article_generator_finalized.connect(attach_related)
    kiosk_standby.get_ready(_kept_picks_ahead)


def _kept_picks_ahead(generator):
    folder = related_settings(generator.settings)["cache_path"]
    if folder:
        load_kept_ahead(folder)


def check_settings(pelican):
    """Fail the build early on a mistyped KIOSK_RELATED key."""
    related_settings(pelican.settings)


def keep_excerpt(content):
    """While each article is read: its excerpt, for the teasers (see ``remember_excerpt``)."""
    if isinstance(content, Article):
        remember_excerpt(content, related_settings(content.settings)["excerpt_paragraphs"])


def attach_related(generator):
    """Set ``article.related`` on every article the generator read."""
    options = related_settings(generator.settings)
    now = datetime.now(UTC)
    # Pelican already files future-dated pieces as drafts unless
    # WITH_FUTURE_DATES is on; a preview build with it on must still not
    # advertise a scheduled piece under a published one.
    pool = [a for a in generator.articles if a.status == "published" and a.date <= now]
    subjects = list(every_article(generator))
    items = {id(article): as_item(article) for article in subjects}  # the pool is among them
    picks = kept_picks([items[id(a)] for a in subjects],
                       [items.get(id(a)) or as_item(a) for a in pool], options,
                       options["cache_path"])  # fmt: skip
    teasers = {}  # a popular piece is related to many: build its teaser once
    for article, indices in zip(subjects, picks, strict=True):
        for index in indices:
            if index not in teasers:
                teasers[index] = make_teaser(pool[index], options["excerpt_paragraphs"])
        article.related = [teasers[index] for index in indices]


def as_item(article):
    """The scoring record of a Pelican article."""
    return Item(
        key=article.slug,
        tags=tuple(tag.slug for tag in getattr(article, "tags", None) or ()),
        region=_name(getattr(article, "region", None)),
        section=_name(getattr(article, "category", None)),
        series=_name(getattr(article, "series", None)),
        timestamp=article.date.timestamp(),
    )


def _name(value):
    # Before kiosk_taxonomies and kiosk_series run these are raw header
    # strings; after, objects with a .name.
    if value is None:
        return ""
    return str(getattr(value, "name", value))
