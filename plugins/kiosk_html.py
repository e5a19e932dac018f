"""A fast, exact stand-in for ``BeautifulSoup(html, "html.parser")`` on plain HTML.

The reading plugins (kiosk_figures, kiosk_related) change article bodies with
BeautifulSoup, and every byte they write is BeautifulSoup's serialisation. At
1,000 articles that cost ~5 s of CPU, most of it building bs4's objects.
cmark-gfm (kiosk_markdown) and typogrify only ever produce a small, regular part of HTML,
so :func:`parse` reads that part itself (``str.find`` for text, one regular
expression for markup) into a tree of small objects that :func:`serialize`
writes out byte for byte as BeautifulSoup with ``html.parser`` and its default
("minimal") formatter would: about five times faster.

Anything outside that part returns None and the caller uses BeautifulSoup:
unquoted, single-quoted, value-less or duplicate attributes; upper-case names;
a bare ``&`` or ``<``; unknown entities or ones without ``;``; ``<script>``,
``<style>``, ``<template>`` and other elements ``html.parser`` or bs4 treat
specially; ``<!DOCTYPE>``, CDATA and processing instructions; comments
containing ``--``; a ``/>`` on a non-void element; an end tag that does not
close the innermost open element; anything left open; ``\\r`` and NUL.
tests/plugins/test_html.py compares both readings.

What BeautifulSoup does, and this module does too: tag and attribute names
lower case; entities and character references decoded in text (bs4's tables)
and in attribute values (``html.unescape``, as ``html.parser`` does); outside
``<pre>``, a text run or comment of only ASCII whitespace (or an empty comment)
becomes ``"\\n"``, or ``" "`` if it has no newline; ``class`` and the other
multi-valued attributes split on whitespace; on output, attributes sorted by
name, ``&``, ``<`` and ``>`` escaped in text and attribute values, values
double-quoted unless they contain ``"``, and void elements written ``<br/>``.
"""

import re
from html import unescape

from bs4.builder import HTMLTreeBuilder
from bs4.builder._htmlparser import BeautifulSoupHTMLParser
from bs4.dammit import EntitySubstitution

__all__ = ["Comment", "Element", "parse", "serialize", "strings", "text_of"]

VOID = frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS)
_LIST_ATTRIBUTES = HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES
_UNIVERSAL_LIST_ATTRIBUTES = frozenset(_LIST_ATTRIBUTES.get("*", ()))
# Elements whose text html.parser or bs4 treat differently (raw text, own string
# classes, encoding substitution), or that newer html.parser versions treat as
# raw text or RCDATA: left to BeautifulSoup.
_SPECIAL = frozenset(
    {"script", "style", "template", "rt", "rp", "textarea", "title", "xmp", "iframe",
     "noembed", "noframes", "noscript", "plaintext", "meta", "svg", "math"}
)  # fmt: skip
# Where bs4 keeps whitespace-only text as it is.
_PRESERVE = frozenset(HTMLTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS)
_ASCII_SPACES = " \n\t\x0c\r"
_ENTITIES = EntitySubstitution.HTML_ENTITY_TO_CHARACTER
_charref = BeautifulSoupHTMLParser._dereference_numeric_character_reference
_quoted = EntitySubstitution.quoted_attribute_value

# Markup at a "<" or "&"; text between is found with str.find (C speed).
_MARKUP = re.compile(
    r"""
      &(?:\#(?P<num>[0-9]+|[xX][0-9a-fA-F]+)|(?P<name>[a-zA-Z][a-zA-Z0-9]*));
    | <(?P<start>[a-z][a-z0-9]*)
       (?P<attrs>(?:[ \n]+[a-z][a-z0-9_:-]*="[^"<>]*")*)[ \n]*(?P<slash>/?)>
    | </(?P<end>[a-z][a-z0-9]*)>
    | <!--(?P<comment>(?!-?>)(?:[^-]|-(?!-))*)-->
    """,
    re.VERBOSE,
)
_ATTRIBUTE = re.compile(r'([a-z][a-z0-9_:-]*)="([^"]*)"')
_NOT_SPACE = re.compile(r"\S+")


class Comment(str):
    """An HTML comment's text (a bs4 ``Comment``); plain ``str`` children are text."""

    __slots__ = ()


class Element:
    """A tag: ``name``, ``attrs`` (multi-valued ones as lists), ``children``, ``parent``."""

    __slots__ = ("name", "attrs", "children", "parent")

    def __init__(self, name, attrs=None, parent=None):
        self.name = name
        self.attrs = attrs if attrs is not None else {}
        self.children = []
        self.parent = parent

    def elements(self):
        """Descendant elements in document order (bs4's ``find_all(True)``)."""
        for child in self.children:
            if type(child) is Element:
                yield child
                yield from child.elements()

    def __repr__(self):
        return f"<Element {self.name}>"


def parse(html):
    """The fragment's root :class:`Element` (name None), or None if bs4 should read it."""
    if "\r" in html or "\x00" in html:
        return None
    root = Element(None)
    current = root
    preserve = 0  # open <pre> elements
    run = []  # decoded pieces of the current text run
    position, length = 0, len(html)
    next_lt = next_amp = -1
    while position < length:
        if next_lt < position:
            next_lt = html.find("<", position)
            if next_lt < 0:
                next_lt = length
        if next_amp < position:
            next_amp = html.find("&", position)
            if next_amp < 0:
                next_amp = length
        stop = next_lt if next_lt < next_amp else next_amp
        if stop > position:
            run.append(html[position:stop])
            position = stop
            continue
        match = _MARKUP.match(html, position)
        if match is None:
            return None  # a bare "&" or "<", or markup left to bs4
        position = match.end()
        kind = match.lastgroup
        if kind == "num":
            character, _, extra = _charref(match.group("num"))
            run.append(character + extra)
            continue
        if kind == "name":
            character = _ENTITIES.get(match.group("name"))
            if character is None:
                return None
            run.append(character)
            continue
        if run:
            _end_run(current, run, preserve)
            run = []
        if kind == "slash":  # the last group of a start tag
            name = match.group("start")
            if name in _SPECIAL:
                return None
            attrs = {}
            for key, value in _ATTRIBUTE.findall(match.group("attrs")):
                if key in attrs:
                    return None
                if value:
                    value = unescape(value)
                if key in _UNIVERSAL_LIST_ATTRIBUTES or key in _LIST_ATTRIBUTES.get(name, ()):
                    value = _NOT_SPACE.findall(value)
                attrs[key] = value
            element = Element(name, attrs, current)
            current.children.append(element)
            if name in VOID:
                continue
            if match.group("slash"):
                return None
            current = element
            if name in _PRESERVE:
                preserve += 1
        elif kind == "end":
            if match.group("end") != current.name:
                return None  # also a void element's end tag: current is never void
            if current.name in _PRESERVE:
                preserve -= 1
            current = current.parent
        else:
            # bs4 collapses a blank comment like a blank text run ("<!---->" is "<!-- -->").
            current.children.append(Comment(_collapsed(match.group("comment"), preserve)))
    if current is not root:
        return None
    if run:
        _end_run(current, run, preserve)
    return root


def _end_run(parent, run, preserve):
    parent.children.append(_collapsed("".join(run), preserve))


def _collapsed(text, preserve):
    """bs4's endData: only ASCII whitespace (or nothing) becomes one newline or space."""
    if not preserve and not text.strip(_ASCII_SPACES):
        return "\n" if "\n" in text else " "
    return text


def serialize(node):
    """``str()`` of the bs4 object ``node`` stands for (the root: its contents)."""
    pieces = []
    if node.name is None:
        for child in node.children:
            _write(child, pieces)
    else:
        _write(node, pieces)
    return "".join(pieces)


def _escape(text):
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _write(node, pieces):
    kind = type(node)
    if kind is str:
        pieces.append(_escape(node))
        return
    if kind is Comment:
        pieces.append(f"<!--{node}-->")
        return
    attrs = node.attrs
    opening = "<" + node.name
    for key in sorted(attrs):
        value = attrs[key]
        if type(value) is list:
            value = " ".join(value)
        opening += f" {key}={_quoted(_escape(value))}"
    if not node.children and node.name in VOID:
        pieces.append(opening + "/>")
        return
    pieces.append(opening + ">")
    for child in node.children:
        _write(child, pieces)
    pieces.append(f"</{node.name}>")


def strings(node, skip=()):
    """The text strings under ``node`` in order, comments left out (bs4's ``.strings``);
    nothing from inside elements named in ``skip``."""
    for child in node.children:
        kind = type(child)
        if kind is str:
            yield child
        elif kind is Element and child.name not in skip:
            yield from strings(child, skip)


def text_of(node):
    """bs4's ``get_text()``: the strings joined."""
    return "".join(strings(node))
