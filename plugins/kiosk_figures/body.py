"""Pure HTML transforms of an article body: fragment in, fragment out.

- an image alone in its paragraph becomes ``<figure class="figure">`` with a
  ``<figcaption>`` holding ``.caption`` and ``.credit`` (from the Markdown title);
- every image gets its site URL, width, height, srcset and lazy loading;
- ``> [!pullquote]`` blockquotes get ``class="pullquote"``, marker removed;
- a final paragraph starting with an em dash gets ``class="author-note"``.

Image files are not touched here: the caller passes ``resolve(src)``, which
returns a :class:`~kiosk_figures.images.ResponsiveImage` or None to leave the
``src`` as written (an external URL, say).
"""

import math
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag

from .credits import split_caption, typographic

PULLQUOTE_MARKER = "[!pullquote]"
EM_DASH = "\u2014"


@dataclass(frozen=True)
class Body:
    """The transformed HTML and the images it uses, in order."""

    html: str
    images: tuple


def transform_body(html, resolve):
    """Return a :class:`Body` for the HTML fragment ``html``."""
    soup = BeautifulSoup(html, "html.parser")
    images = []
    for img in soup.find_all("img"):
        image = resolve(img.get("src", ""))
        if image is not None:
            images.append(image)
            _set_image_attributes(img, image)
        # Body images are below the headline, so never needed for the first paint.
        img.attrs.setdefault("loading", "lazy")
        img.attrs.setdefault("decoding", "async")
        _make_figure(soup, img)
    for quote in soup.find_all("blockquote"):
        _mark_pullquote(quote)
    _mark_author_note(soup)
    return Body(html=str(soup), images=tuple(images))


def reading_minutes(html, words_per_minute):
    """Minutes a reader needs for ``html``, at least 1; captions are not counted."""
    soup = BeautifulSoup(html, "html.parser")
    for caption in soup.find_all("figcaption"):
        caption.decompose()
    words = len(soup.get_text(" ").split())
    return max(1, math.ceil(words / words_per_minute))


def _set_image_attributes(img, image):
    img["src"] = image.src
    for name in ("width", "height", "srcset", "sizes"):
        value = getattr(image, name)
        if value != "":
            img[name] = str(value)


def _make_figure(soup, img):
    """Wrap an image that stands alone in its paragraph in a captioned figure."""
    block = img
    if block.parent is not None and block.parent.name == "a" and _only_child(block.parent, img):
        block = block.parent
    paragraph = block.parent
    if paragraph is None or paragraph.name != "p" or not _only_child(paragraph, block):
        return
    caption, credit = split_caption(img.attrs.pop("title", ""))
    figure = soup.new_tag("figure", attrs={"class": "figure"})
    paragraph.replace_with(figure)
    figure.append(block.extract())
    if caption or credit:
        figcaption = soup.new_tag("figcaption")
        for name, text in (("caption", caption), ("credit", credit)):
            if text:
                if figcaption.contents:
                    figcaption.append(" ")
                span = soup.new_tag("span", attrs={"class": name})
                span.string = typographic(text)
                figcaption.append(span)
        figure.append(figcaption)


def _only_child(parent, child):
    """True when ``child`` is the only thing in ``parent`` besides whitespace."""
    return all(
        node is child or (isinstance(node, NavigableString) and not node.strip())
        for node in parent.contents
    )


def _mark_pullquote(quote):
    first = next((n for n in quote.children if isinstance(n, Tag)), None)
    if first is None or first.name != "p":
        return
    text = next(first.strings, None)
    if text is None or not text.lstrip().lower().startswith(PULLQUOTE_MARKER):
        return
    text.replace_with(text.lstrip()[len(PULLQUOTE_MARKER) :].lstrip())
    if not first.get_text(strip=True) and not first.find(True):
        first.decompose()
    _add_class(quote, "pullquote")


def _mark_author_note(soup):
    last = next((n for n in reversed(soup.contents) if isinstance(n, Tag)), None)
    if last is not None and last.name == "p" and last.get_text().lstrip().startswith(EM_DASH):
        _add_class(last, "author-note")


def _add_class(tag, name):
    classes = tag.get("class", [])
    if name not in classes:
        tag["class"] = [*classes, name]
