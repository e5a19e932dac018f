"""Teasers: one related article as the related-stories block shows it."""

from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup

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


def make_teaser(article, paragraphs=3):
    """Build the :class:`Teaser` of ``article`` (a Pelican Article)."""
    blocks = first_paragraphs(article.content, paragraphs) or [""]
    teaser_html = article.summary if "summary" in article.metadata else blocks[0]
    image = getattr(article, "top_image", None)
    return Teaser(
        article=article,
        label=getattr(article, "label", None) or article.category,
        title=article.title,
        url=article.url,
        dek=getattr(article, "subtitle", "") or "",
        teaser_html=teaser_html,
        excerpt_html="\n".join(blocks),
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
    """
    soup = BeautifulSoup(html or "", "html.parser")
    kept = []
    for block in soup.find_all(recursive=False):
        if len(kept) == count:
            break
        if block.name != "p" or _SKIPPED_CLASSES & set(block.get("class", [])):
            continue
        for node in block.find_all(["img", "picture", "figure"]):
            node.decompose()
        for marker in block.select("sup:has(> a.footnote-ref)"):
            marker.decompose()
        for node in [block, *block.find_all(True)]:
            node.attrs.pop("id", None)
        if block.get_text(strip=True):
            kept.append(str(block))
    return kept
