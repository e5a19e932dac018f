"""Regions and columns as taxonomies; kicker and label for every article.

Pelican knows one taxonomy with pages and feeds, the category (our section).
Kiosk files pieces by region and by column too, so this plugin, modelled on
pelican-plugins' more-categories, turns the raw ``Region:`` / ``Column:``
strings into :class:`Term` objects and gives every article (drafts and hidden
ones included, so their previews look right):

- ``article.region``, ``article.column``: a Term, or None;
- ``article.kicker``: ``[section, column or else region]`` (objects with
  ``.name`` and ``.url``; the second is left out when there is neither);
- ``article.label``: the teaser label: region, else column, else section.

Section categories get ``.description`` (``SECTION_DESCRIPTIONS``) and
``.feed_url`` (``CATEGORY_FEED_ATOM``). The context gets ``regions``,
``columns`` and ``sections``: only the terms that have at least one published
article (so no navigation link leads to a missing page), in settings order.

Hidden and draft articles never count: they are not in ``Term.articles``, in
the listing pages or in the feeds. :mod:`.pages` writes ``/region/<slug>/`` and
``/column/<slug>/`` (paginated) and their Atom feeds.

It runs at ``article_generator_pretaxonomy`` so that plugins working at
``article_generator_finalized`` (home, related) already see Terms.

Settings: ``KIOSK_TAXONOMIES = {"region_feed_atom": "feeds/region/{slug}.atom.xml",
"column_feed_atom": "feeds/column/{slug}.atom.xml"}`` (None: no feed).
"""

import logging
from operator import attrgetter
from types import MappingProxyType

from pelican import signals

from kiosk_content import every_article
from kiosk_settings import given_settings

from .pages import TaxonomyPagesGenerator
from .terms import Term

__all__ = ["Term", "register"]

logger = logging.getLogger(__name__)

DEFAULTS = MappingProxyType(
    {
        "region_feed_atom": "feeds/region/{slug}.atom.xml",
        "column_feed_atom": "feeds/column/{slug}.atom.xml",
    }
)
# Taxonomy kind -> the setting that lists its terms in the editors' order.
KINDS = MappingProxyType({"region": "REGIONS", "column": "COLUMNS"})


def plugin_settings(settings):
    """Return KIOSK_TAXONOMIES merged over the defaults; reject unknown keys."""
    given = given_settings(settings, "KIOSK_TAXONOMIES", DEFAULTS)
    return {**DEFAULTS, **given}


def build_terms(kind, settings):
    """Return ``{casefolded name: Term}`` for every configured term of ``kind``."""
    feed_pattern = plugin_settings(settings)[f"{kind}_feed_atom"]
    names = settings.get(KINDS[kind], [])
    return {
        name.casefold(): Term(kind, name, order, settings, feed_pattern)
        for order, name in enumerate(names)
    }


def _term_for(article, kind, terms):
    raw = getattr(article, kind, None)
    # With Pelican's content cache on, an article may still hold the Term of
    # the previous build; look it up again so it joins this build's Term.
    name = raw.name if isinstance(raw, Term) else raw
    if not name:
        return None
    term = terms.get(name.strip().casefold())
    if term is None:
        # kiosk_editorial rejects this; without it, warn and leave it unfiled.
        logger.warning("%s: %s %r is not configured", article.source_path, kind, raw)
    return term


def _describe_section(category, settings):
    category.description = settings.get("SECTION_DESCRIPTIONS", {}).get(category.name)
    pattern = settings.get("CATEGORY_FEED_ATOM")
    category.feed_url = str(pattern).format(slug=category.slug) if pattern else None


def classify(generator):
    """Attach Terms, kicker and label; publish the term lists in the context."""
    settings = generator.settings
    terms = {kind: build_terms(kind, settings) for kind in KINDS}
    published = set(map(id, generator.articles))
    everything = every_article(generator)
    for article in everything:
        for kind in KINDS:
            term = _term_for(article, kind, terms[kind])
            setattr(article, kind, term)
            if term is not None and id(article) in published:
                term.articles.append(article)
        section = getattr(article, "category", None)
        if section is not None:
            _describe_section(section, settings)
        second = article.column or article.region
        article.kicker = [part for part in (section, second) if part is not None]
        article.label = article.region or article.column or section

    for kind in KINDS:
        for term in terms[kind].values():
            term.articles.sort(key=attrgetter("date"), reverse=True)
        generator.context[f"{kind}s"] = [t for t in terms[kind].values() if t.articles]
    generator.context["sections"] = ordered_sections(generator.articles, settings)


def ordered_sections(articles, settings):
    """Return the categories of published articles in ``SECTIONS`` order.

    A category outside ``SECTIONS`` (Pelican's default one, say) goes last.
    """
    found = {}
    for article in articles:
        section = getattr(article, "category", None)
        if section is not None:
            found.setdefault(section.name, section)
    order = {name: index for index, name in enumerate(settings.get("SECTIONS", []))}
    return sorted(found.values(), key=lambda c: (order.get(c.name, len(order)), c.name))


def get_generators(pelican):
    return TaxonomyPagesGenerator


def register():
    signals.article_generator_pretaxonomy.connect(classify)
    signals.get_generators.connect(get_generators)
