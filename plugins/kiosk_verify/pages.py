"""What one built HTML page refers to, and what it offers to be referred to.

Pure functions over bytes: they know nothing about the output folder, so they
are tested on small fragments and reused by ``check.py`` for every page.
"""

import sys
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

# (element, attribute) pairs whose value is one URL a browser or crawler loads
# or follows. Forms are left out: a newsletter form may post to another service.
URL_ATTRIBUTES = (
    ("a", "href"),
    ("area", "href"),
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("source", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("iframe", "src"),
)
SRCSET_ELEMENTS = ("img", "source")
# Social cards and canonical hints are URLs crawlers fetch, though no reader clicks them.
URL_METAS = ("og:image", "og:url", "twitter:image", "og:image:secure_url")


@dataclass
class Page:
    """A parsed page: the URLs it uses, the anchors it offers, what is wrong with it."""

    references: list[str] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` value: ``"a.jpg 480w, b.jpg 960w"`` -> ``["a.jpg", "b.jpg"]``."""
    urls = []
    for candidate in value.split(","):
        parts = candidate.split()
        if parts:
            urls.append(parts[0])
    return urls


def parse_page(data: bytes) -> Page:
    """Parse a page with libxml2's HTML parser and collect references, anchors and errors.

    libxml2 (2.14+) tokenises like a browser and logs what a browser would have
    to repair, such as an end tag that closes nothing; those are the page's
    parse errors. Duplicate ids are errors too, because a ``#fragment`` to
    either of them is ambiguous.
    """
    page = Page()
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except etree.ParserError as err:
        page.errors.append(f"does not parse as HTML ({err})")
        return page
    for entry in parser.error_log:
        # Unknown-tag warnings are libxml2 not knowing newer elements, not broken
        # markup; duplicate ids are reported below, in the editor's words.
        if (
            entry.level_name in ("ERROR", "FATAL")
            and "invalid" not in entry.message.lower()
            and entry.type_name != "DTD_ID_REDEFINED"
        ):
            page.errors.append(f"line {entry.line}: {entry.message.strip()}")
    title = root.find(".//title")
    if title is None or not (title.text_content() or "").strip():
        page.errors.append("has no <title>")

    seen = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        ident = element.get("id")
        if ident is not None:
            if ident in seen:
                page.errors.append(f"id {ident!r} is used more than once")
            seen.add(ident)
            page.anchors.add(ident)
        if element.tag == "a" and element.get("name"):
            page.anchors.add(element.get("name"))
    for tag, attribute in URL_ATTRIBUTES:
        for element in root.iter(tag):
            value = (element.get(attribute) or "").strip()
            if value:
                page.references.append(value)
    for tag in SRCSET_ELEMENTS:
        for element in root.iter(tag):
            page.references.extend(srcset_urls(element.get("srcset") or ""))
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name")) in URL_METAS and meta.get("content"):
            page.references.append(meta.get("content").strip())
    # The same few URLs recur on every page (navigation, feeds, assets,
    # teasers): 3.1 million references but 68,000 distinct ones at N = 10,000.
    # Interned, the site's parse results take one string per URL (marshal
    # keeps them interned through the cache): verify_site on that output went from 486 MB to 216 MB.
    page.references = list(map(sys.intern, page.references))
    return page
