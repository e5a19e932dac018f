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

import kiosk_html
from kiosk_html import Element

from .credits import split_caption, typographic

PULLQUOTE_MARKER = "[!pullquote]"
EM_DASH = "\u2014"


@dataclass(frozen=True)
class Body:
    """The transformed HTML, the images it uses, in order, and the words a reader
    reads in it (captions not counted; None when not counted: use
    :func:`reading_minutes`)."""

    html: str
    images: tuple
    words: int | None = None


def transform_body(html, resolve):
    """Return a :class:`Body` for the HTML fragment ``html``.

    Bodies that :func:`kiosk_html.parse` reads (everything Markdown and
    typogrify write) take the fast path; the rest BeautifulSoup, with the same
    result byte for byte (tests/plugins/test_figures.py compares them).
    """
    root = kiosk_html.parse(html)
    if root is None:
        return transform_body_soup(html, resolve)
    images = []
    for img in [e for e in root.elements() if e.name == "img"]:
        image = resolve(_attr(img, "src"))
        if image is not None:
            images.append(image)
            _set_image_attributes(img.attrs, image)
        img.attrs.setdefault("loading", "lazy")
        img.attrs.setdefault("decoding", "async")
        _make_figure_fast(img)
    for quote in [e for e in root.elements() if e.name == "blockquote"]:
        _mark_pullquote_fast(quote)
    last = next((n for n in reversed(root.children) if type(n) is Element), None)
    if last is not None and last.name == "p" and _starts_with_em_dash(last):
        _add_class(last.attrs, "author-note")
    words = sum(len(text.split()) for text in _text_runs(root, "figcaption"))
    return Body(html=kiosk_html.serialize(root), images=tuple(images), words=words)


def reading_minutes(html, words_per_minute):
    """Minutes a reader needs for ``html``, at least 1; captions are not counted."""
    root = kiosk_html.parse(html)
    if root is None:
        return reading_minutes_soup(html, words_per_minute)
    words = sum(len(text.split()) for text in _text_runs(root, "figcaption"))
    return minutes_for(words, words_per_minute)


def minutes_for(words, words_per_minute):
    """Reading time in whole minutes, at least 1."""
    return max(1, math.ceil(words / words_per_minute))


def _text_runs(node, skip):
    """Text as a re-parse of ``node``'s serialisation would see it: adjacent text
    children are one string; elements and comments separate strings."""
    pending = []
    for child in node.children:
        kind = type(child)
        if kind is str:
            pending.append(child)
            continue
        if pending:
            yield "".join(pending)
            pending = []
        if kind is Element and child.name != skip:
            yield from _text_runs(child, skip)
    if pending:
        yield "".join(pending)


def _attr(element, name):
    value = element.attrs.get(name, "")
    return " ".join(value) if type(value) is list else value


def _make_figure_fast(img):
    """:func:`_make_figure` on a :mod:`kiosk_html` tree."""
    block = img
    parent = block.parent
    if parent.name == "a" and _only_child_fast(parent, img):
        block = parent
    paragraph = block.parent
    if paragraph.name != "p" or not _only_child_fast(paragraph, block):
        return
    title = img.attrs.pop("title", "")
    caption, credit = split_caption(" ".join(title) if type(title) is list else title)
    figure = Element("figure", {"class": "figure"}, paragraph.parent)
    siblings = paragraph.parent.children
    siblings[_index(siblings, paragraph)] = figure
    figure.children.append(block)
    block.parent = figure
    if caption or credit:
        figcaption = Element("figcaption", {}, figure)
        for name, text in (("caption", caption), ("credit", credit)):
            if text:
                if figcaption.children:
                    figcaption.children.append(" ")
                span = Element("span", {"class": name}, figcaption)
                span.children.append(typographic(text))
                figcaption.children.append(span)
        figure.children.append(figcaption)


def _index(children, node):
    # By identity: list.index compares with ==, and two elements never are.
    return next(i for i, child in enumerate(children) if child is node)


def _only_child_fast(parent, child):
    # A comment is a NavigableString to bs4: a blank one counts as whitespace.
    return all(
        node is child or (type(node) is not Element and not node.strip())
        for node in parent.children
    )


def _mark_pullquote_fast(quote):
    first = next((n for n in quote.children if type(n) is Element), None)
    if first is None or first.name != "p":
        return
    found = _first_string(first)
    if found is None:
        return
    holder, index = found
    text = holder.children[index]
    if not text.lstrip().lower().startswith(PULLQUOTE_MARKER):
        return
    holder.children[index] = text.lstrip()[len(PULLQUOTE_MARKER) :].lstrip()
    if not any(s.strip() for s in kiosk_html.strings(first)) and not any(
        type(n) is Element for n in first.children
    ):
        siblings = quote.children
        del siblings[_index(siblings, first)]
    _add_class(quote.attrs, "pullquote")


def _first_string(element):
    """(parent, index) of the first text string under ``element``, or None."""
    for index, child in enumerate(element.children):
        kind = type(child)
        if kind is str:
            return element, index
        if kind is Element:
            found = _first_string(child)
            if found is not None:
                return found
    return None


def _starts_with_em_dash(paragraph):
    return kiosk_html.text_of(paragraph).lstrip().startswith(EM_DASH)


def transform_body_soup(html, resolve):
    """:func:`transform_body` with BeautifulSoup: any HTML, about ten times slower."""
    soup = BeautifulSoup(html, "html.parser")
    images = []
    for img in soup.find_all("img"):
        image = resolve(img.get("src", ""))
        if image is not None:
            images.append(image)
            _set_image_attributes(img.attrs, image)
        # Body images are below the headline, so never needed for the first paint.
        img.attrs.setdefault("loading", "lazy")
        img.attrs.setdefault("decoding", "async")
        _make_figure(soup, img)
    for quote in soup.find_all("blockquote"):
        _mark_pullquote(quote)
    _mark_author_note(soup)
    return Body(html=str(soup), images=tuple(images))


def reading_minutes_soup(html, words_per_minute):
    """:func:`reading_minutes` with BeautifulSoup, for HTML kiosk_html does not read."""
    soup = BeautifulSoup(html, "html.parser")
    for caption in soup.find_all("figcaption"):
        caption.decompose()
    words = len(soup.get_text(" ").split())
    return max(1, math.ceil(words / words_per_minute))


def _set_image_attributes(attrs, image):
    attrs["src"] = image.src
    for name in ("width", "height", "srcset", "sizes"):
        value = getattr(image, name)
        if value != "":
            attrs[name] = str(value)


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
    _add_class(quote.attrs, "pullquote")


def _mark_author_note(soup):
    last = next((n for n in reversed(soup.contents) if isinstance(n, Tag)), None)
    if last is not None and last.name == "p" and last.get_text().lstrip().startswith(EM_DASH):
        _add_class(last.attrs, "author-note")


def _add_class(attrs, name):
    classes = attrs.get("class", [])
    if name not in classes:
        attrs["class"] = [*classes, name]
