"""Teasers: one related article as the related-stories block shows it."""

from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup

import kiosk_html
from kiosk_html import Element

# Blocks an excerpt skips: images and their captions are the teaser's own
# image's job, a pull quote repeats the body, an author note ends the piece.
_SKIPPED_CLASSES = {"figure", "pullquote", "author-note"}


@dataclass(frozen=True)
class Teaser:
    """A related article, ready for ``story_card(teaser, "teaser")``.

    ``url`` is the article's own ``url`` (relative to SITEURL, as Pelican's);
    ``image`` is its ``top_image`` or None; the ``*_html`` fields are whole
    blocks (``<p>…</p>``), well-formed, safe to output unescaped.
    """

    article: Any
    label: Any
    title: str
    url: str
    dek: str
    teaser_html: str
    excerpt_html: str
    image: Any
    credit_label: str

    def kiosk_fingerprint(self):
        """What a page shows of a teaser, for the render memo (kiosk_incremental).

        Every field is :func:`make_teaser`'s work on the article's own
        attributes (its body with intrasite links resolved, which the
        article's fingerprint includes) and the settings: the article stands
        for all of it, and 40,000 teasers at N = 10,000 are not hashed field by
        field at every rebuild. A field made of anything else must be added here.
        """
        return self.article


def remember_excerpt(content, paragraphs=3):
    """Keep the excerpt's paragraphs on ``content`` while it is being read.

    Parsing every related article's body for its excerpt took 3.9 s of a
    profiled one-edit rebuild at N = 10,000. Computed here, at
    ``content_object_init``, the paragraphs are part of the finished read that
    kiosk_readcache keeps, so only a changed file is parsed again. Only where
    the body has no intrasite link (``{filename}`` …): then ``content.content``
    *is* ``_content`` and the result is exactly what :func:`make_teaser` would
    compute later; otherwise it still parses ``content`` itself.
    """
    if hasattr(content, "_get_content"):  # Pelican's hook for computed bodies
        return
    raw = content._content or ""
    if content._get_intrasite_link_regex().search(raw) is None:
        content._kiosk_excerpt = (paragraphs, tuple(first_paragraphs(raw, paragraphs)))


def _excerpt(article, paragraphs):
    kept = article.__dict__.get("_kiosk_excerpt")
    if kept is not None and kept[0] == paragraphs:
        return list(kept[1])
    return first_paragraphs(article.content, paragraphs)


def make_teaser(article, paragraphs=3):
    """Build the :class:`Teaser` of ``article`` (a Pelican Article)."""
    blocks = _excerpt(article, paragraphs) or [""]
    teaser_html = article.summary if "summary" in article.metadata else blocks[0]
    # A story whose opening is all its teaser already shows has nothing to
    # expand: "keep reading" is then only the link to it.
    excerpt_html = "" if blocks == [teaser_html] else "\n".join(blocks)
    image = getattr(article, "top_image", None)
    return Teaser(
        article=article,
        label=getattr(article, "label", None) or article.category,
        title=article.title,
        url=article.url,
        dek=getattr(article, "subtitle", "") or "",
        teaser_html=teaser_html,
        excerpt_html=excerpt_html,
        image=image,
        credit_label=image.credit_label if image is not None else "",
    )


def first_paragraphs(html, count):
    """The first ``count`` top-level paragraphs of ``html``, each as HTML.

    Whole ``<p>`` elements only, so the cut always falls between blocks and no
    tag is left open. Figures, pull quotes and author notes are skipped, and
    images, footnote markers and ids are dropped from what is kept: the
    excerpt is shown on another article's page, where they would be orphans
    or duplicate ids.

    Bodies that :func:`kiosk_html.parse` reads take the fast path, the rest
    BeautifulSoup; both give the same bytes (tests/plugins/test_related.py).
    """
    root = kiosk_html.parse(html or "")
    if root is None:
        return first_paragraphs_soup(html, count)
    kept = []
    for block in root.children:
        if len(kept) == count:
            break
        if type(block) is not Element or block.name != "p":
            continue
        classes = block.attrs.get("class", [])
        if _SKIPPED_CLASSES & set(classes if type(classes) is list else [classes]):
            continue
        _drop(block, _is_media)
        _drop(block, _is_footnote_marker)
        for node in [block, *block.elements()]:
            node.attrs.pop("id", None)
        if any(text.strip() for text in kiosk_html.strings(block)):
            kept.append(kiosk_html.serialize(block))
    return kept


def _is_media(node):
    return node.name in ("img", "picture", "figure")


def _is_footnote_marker(node):
    """``sup.footnote-ref``, a footnote's number in the text (kiosk_markdown)."""
    return node.name == "sup" and "footnote-ref" in node.attrs.get("class", ())


def _drop(element, matches):
    """Remove every descendant element ``matches`` accepts, as bs4's decompose does:
    judged on the tree as it was (a removed element's descendants go with it)."""
    doomed = [node for node in element.elements() if matches(node)]
    for node in doomed:
        siblings = node.parent.children
        for index, child in enumerate(siblings):
            if child is node:
                del siblings[index]
                break


def first_paragraphs_soup(html, count):
    """:func:`first_paragraphs` with BeautifulSoup, for HTML kiosk_html does not read."""
    soup = BeautifulSoup(html or "", "html.parser")
    kept = []
    for block in soup.find_all(recursive=False):
        if len(kept) == count:
            break
        if block.name != "p" or _SKIPPED_CLASSES & set(block.get("class", [])):
            continue
        for node in block.find_all(["img", "picture", "figure"]):
            node.decompose()
        for marker in block.select("sup.footnote-ref"):
            marker.decompose()
        for node in [block, *block.find_all(True)]:
            node.attrs.pop("id", None)
        if block.get_text(strip=True):
            kept.append(str(block))
    return kept
