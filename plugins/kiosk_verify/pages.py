"""What one built HTML page refers to, and what it offers to be referred to.

Pure functions over bytes: they know nothing about the output folder, so they
are tested on small fragments and reused by ``check.py`` for every page.
"""

import sys
from dataclasses import dataclass, field

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


# Where each element's URLs go: a list per (element, attribute) of URL_ATTRIBUTES,
# then one per SRCSET_ELEMENTS element (attribute None), then the metas'. One
# walk of the tree fills them; their concatenation keeps the order of a walk
# per pair (the order references have always been reported in).
_SLOTS: dict[str, tuple] = {}
for _index, (_tag, _attribute) in enumerate(URL_ATTRIBUTES):
    _SLOTS[_tag] = (*_SLOTS.get(_tag, ()), (_index, _attribute))
for _index, _tag in enumerate(SRCSET_ELEMENTS, start=len(URL_ATTRIBUTES)):
    _SLOTS[_tag] = (*_SLOTS.get(_tag, ()), (_index, None))
_META_SLOT = len(URL_ATTRIBUTES) + len(SRCSET_ELEMENTS)
_URL_TAGS = ("meta", *_SLOTS)
# Every id attribute's value, in document order (an XPath walk in C).
_IDS = etree.XPath("//@id", smart_strings=False)


def parse_page(data: bytes) -> Page:
    """Parse a page with libxml2's HTML parser and collect references, anchors and errors.

    libxml2 (2.14+) tokenises like a browser and logs what a browser would have
    to repair, such as an end tag that closes nothing; those are the page's
    parse errors. Duplicate ids are errors too, because a ``#fragment`` to
    either of them is ambiguous.

    Plain lxml elements (not lxml.html's) and one walk of the tree: every page
    of a publish is parsed (17,920 at N = 10,000), and this took 0.72 ms a page
    with lxml.html and a walk per element kind, 0.56 ms with one walk of every
    element (lever 121); the ids by XPath and a walk of only the elements that
    hold URLs took the benchmark's pages from 0.61 to 0.53 ms (lever 139).
    """
    page = Page()
    parser = etree.HTMLParser(encoding="utf-8")
    try:
        root = etree.fromstring(data, parser)
    except etree.LxmlError as err:
        page.errors.append(f"does not parse as HTML ({err})")
        return page
    if root is None:
        page.errors.append("does not parse as HTML (Document is empty)")
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
    if title is None or not "".join(title.itertext()).strip():
        page.errors.append("has no <title>")

    seen, anchors, slots = set(), page.anchors, _SLOTS
    for ident in _IDS(root):  # in document order
        if ident in seen:
            page.errors.append(f"id {ident!r} is used more than once")
        seen.add(ident)
    anchors.update(seen)
    found = [[] for _ in range(_META_SLOT + 1)]
    # Only the elements that can hold a URL or a name: libxml2 picks them out,
    # and the walk makes no Python object for the other half of a page's.
    for element in root.iter(_URL_TAGS):
        get = element.get
        tag = element.tag
        if tag == "meta":
            if (get("property") or get("name")) in URL_METAS and get("content"):
                found[_META_SLOT].append(get("content").strip())
            continue
        if tag == "a" and get("name"):
            anchors.add(get("name"))
        for index, attribute in slots.get(tag, ()):
            if attribute is None:
                found[index].extend(srcset_urls(get("srcset") or ""))
            elif value := (get(attribute) or "").strip():
                found[index].append(value)
    # The same few URLs recur on every page (navigation, feeds, assets,
    # teasers): 3.1 million references but 68,000 distinct ones at N = 10,000.
    # Interned, the site's parse results take one string per URL (marshal
    # keeps them interned through the cache): verify_site on that output went from 486 MB to 216 MB.
    page.references = [sys.intern(url) for urls in found for url in urls]
    return page
