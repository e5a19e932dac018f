"""What a search result shows and how it can be filtered, for one article.

Pagefind reads ``data-pagefind-filter`` and ``data-pagefind-meta`` attributes
anywhere in a page, so these values travel as ``<meta>`` tags in the head
(printed by ``partials/meta.html``) rather than as markup the theme must place.
"""

import datetime
import functools
import html
import re

from bs4 import BeautifulSoup

import kiosk_html

FILTER = "data-pagefind-filter"
META = "data-pagefind-meta"


def _name(value):
    # Region and section are objects with .name once the taxonomy plugins
    # ran; kicker parts may be such objects or (label, url) pairs.
    if isinstance(value, tuple | list):
        return value[0]
    return getattr(value, "name", value) if value else None


# Directives that Pelican's SafeDatetime.strftime formats one by one with
# datetime's own strftime (the "-" ones with their zeros stripped, as glibc's
# "%-d" does): a format of these and plain text gives the same string either way.
_AS_PELICAN = re.compile(r"(?:[^%]|%[aAbBcdfGHIjmMpSUuVwWxXyYzZ%]|%-[dHIjmMSUwWy])*")


@functools.cache
def _formats_as_pelican(date_format: str) -> bool:
    return _AS_PELICAN.fullmatch(date_format) is not None


def date_text(date, date_format: str) -> str:
    """``date.strftime(date_format)`` as Pelican's ``SafeDatetime`` gives it, by
    datetime's own ``strftime`` where the two agree: Pelican's takes the format
    apart in Python at every call, 0.37 s of 10,000 articles' search metadata,
    in a part of the build that runs on one core (py-spy, lever 126)."""
    if isinstance(date, datetime.datetime) and _formats_as_pelican(date_format):
        return datetime.datetime.strftime(date, date_format)
    return date.strftime(date_format)


def plain_text(html):
    """The text of an HTML fragment, as BeautifulSoup's ``get_text()`` gives it.

    kiosk_html reads the plain markup typogrify writes in a fraction of the
    time (2.2 s for 10,000 titles with BeautifulSoup, in a profiled rebuild);
    anything it does not read goes to BeautifulSoup.
    """
    root = kiosk_html.parse(html)
    if root is None:
        return BeautifulSoup(html, "html.parser").get_text()
    return kiosk_html.text_of(root)


def kicker_text(article):
    """The kicker as a reader sees it: "Analysis | Europe"."""
    parts = getattr(article, "kicker", None)
    if parts:
        return " | ".join(_name(part) for part in parts)
    second = _name(getattr(article, "column", None)) or _name(getattr(article, "region", None))
    return " | ".join(filter(None, (_name(getattr(article, "category", None)), second)))


class SearchMeta:
    """An article's ``search_meta`` triples, as ``partials/meta.html`` iterates them.

    Every triple is made of the article's own attributes (section, region,
    kicker, title, date, top image) and the settings, which the render memo's
    fingerprints take anyway: so ``kiosk_fingerprint`` gives nothing more, and
    the 10,000 lists of triples are not hashed again in every rebuild
    (kiosk_incremental, ≈ 0.2 s at N = 10,000). Anything added to
    ``search_meta`` must keep that true.
    """

    __slots__ = ("triples",)

    def __init__(self, triples):
        self.triples = tuple(triples)

    def __iter__(self):
        return iter(self.triples)

    def __len__(self):
        return len(self.triples)

    def __eq__(self, other):
        return isinstance(other, SearchMeta) and other.triples == self.triples

    __hash__ = None

    def __repr__(self):
        return f"SearchMeta({list(self.triples)!r})"

    def kiosk_fingerprint(self):
        return None  # all of it is the article's other attributes (see above)


def search_meta(article, date_format):
    """Return ``[(attribute, key, value), …]`` for Pagefind's filters and result metadata."""
    triples = []
    section = _name(getattr(article, "category", None))
    region = _name(getattr(article, "region", None))
    if section:
        triples.append((FILTER, "section", section))
    if region:
        triples.append((FILTER, "region", region))
    title = " ".join(plain_text(article.title).split())
    triples += [
        (META, "title", title),
        (META, "kicker", kicker_text(article)),
        (META, "date", date_text(article.date, date_format)),
    ]
    # Pagefind takes a result's image from the page's first <img> otherwise, and
    # its alt as written in the attribute: "fisherman&#39;s" in the result. Its
    # meta tags' values are read as text (kiosk_figures keeps them escaped).
    image = getattr(article, "top_image", None)
    if image is not None and image.src:
        triples += [
            (META, "image", html.unescape(image.src)),
            (META, "image_alt", html.unescape(image.alt)),
        ]
    return triples
