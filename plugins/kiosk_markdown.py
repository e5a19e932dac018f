"""Markdown for Kiosk: article bodies, summaries and author bios, rendered by cmark-gfm.

Which Markdown (docs/editors.md says it to editors): CommonMark, GitHub's
tables and footnotes, and smart punctuation (curly quotes, ``--`` an en dash,
``---`` an em dash, ``...`` an ellipsis). Raw HTML passes through, as it did
with Python-Markdown; Kiosk's own conventions (figures with credits, pull
quotes, author notes) are read from the HTML afterwards by the plugins.

Why not Python-Markdown, Pelican's own reader: it was half of a cold read
(3.9 ms of an article's 7 ms; GitHub's C library takes 0.09 ms), and on
every sample and benchmark file the two give the same elements, attributes
and text (BENCHMARKS.md, lever 111). What Python-Markdown's ``extra`` had
and CommonMark has not (definition lists, abbreviations, ``{#id}``
attributes, Markdown inside HTML blocks) was used by no file.

The ``Key: value`` header is split by the rules of Python-Markdown's ``meta``
extension, which Pelican's reader used and kiosk_editorial's validation
checks against (:mod:`kiosk_editorial.headers`), so a header means what it
meant before.
"""

import logging
import re

import cffi
import smartypants
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, BaseReader
from pelican.utils import pelican_open

__all__ = ["MarkdownReader", "split_header", "to_html"]

OPTIONS = (
    Options.CMARK_OPT_SMART
    | Options.CMARK_OPT_UNSAFE  # raw HTML kept, as Python-Markdown kept it
    | Options.CMARK_OPT_FOOTNOTES
    # text-align as a style, not the `align` attribute HTML5 made obsolete.
    | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
)
EXTENSIONS = ["table"]

# cmarkgfm's own markdown_to_html_with_extensions() frees neither the document
# tree nor the HTML string it renders (~38 kB a body: a read worker of the
# N = 10,000 bench grew by 190 MB). Its compiled library is used here through
# cmarkgfm's bindings, and the two functions they leave out (the tree's free
# and cmark's allocator, which allocated the string) through its exported
# symbols.
_lib, _ffi = _cmark.lib, _cmark.ffi
_symbols = cffi.FFI()
_symbols.cdef(
    """
    typedef struct { void *(*calloc)(size_t, size_t); void *(*realloc)(void *, size_t);
                     void (*free)(void *); } cmark_mem;
    cmark_mem *cmark_get_default_mem_allocator(void);
    void cmark_node_free(void *node);
    """
)
_own = _symbols.dlopen(_cmark.__file__)
_free = _own.cmark_get_default_mem_allocator().free
_lib.cmark_gfm_core_extensions_ensure_registered()
_extensions = [_lib.cmark_find_syntax_extension(name.encode()) for name in EXTENSIONS]

logger = logging.getLogger(__name__)

# Python-Markdown's meta extension, rule for rule.
_BEGIN = re.compile(r"^-{3}(\s.*)?")
_KEY = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_END = re.compile(r"^(-{3}|\.{3})(\s.*)?")


# cmark percent-encodes the braces and bars of Pelican's intra-site links
# (``[budget]({filename}budget.md)``); Pelican finds them by those.
_SITE_LINK = re.compile(
    r'(?P<attribute>\b(?:href|src)=")(?:%7B(?P<braced>\w+)%7D|%7C(?P<barred>\w+)%7C)'
)


def _site_link(match):
    braced = match.group("braced")
    what = f"{{{braced}}}" if braced else f"|{match.group('barred')}|"
    return match.group("attribute") + what


def to_html(text: str) -> str:
    """Render Markdown ``text`` to HTML (without the final newline, as Python-Markdown)."""
    html = _render(text.encode("utf-8")).removesuffix("\n")
    return _SITE_LINK.sub(_site_link, html) if "%7" in html else html


def _render(data: bytes) -> str:
    parser = _lib.cmark_parser_new(OPTIONS)
    try:
        for extension in _extensions:
            _lib.cmark_parser_attach_syntax_extension(parser, extension)
        _lib.cmark_parser_feed(parser, data, len(data))
        root = _lib.cmark_parser_finish(parser)
        try:
            extensions = _lib.cmark_parser_get_syntax_extensions(parser)
            rendered = _lib.cmark_render_html(root, OPTIONS, extensions)
            try:
                return _ffi.string(rendered).decode("utf-8")
            finally:
                _free(_address(rendered))
        finally:
            _own.cmark_node_free(_address(root))
    finally:
        _lib.cmark_parser_free(parser)


def _address(pointer):
    """A pointer from cmarkgfm's bindings, for the functions declared here."""
    return _symbols.cast("void *", int(_ffi.cast("uintptr_t", pointer)))


def split_header(text: str) -> tuple[dict[str, list[str]], str]:
    """``({lower-case key: [values]}, body)`` of a content file's text.

    The header is the leading run of ``Key: value`` lines (optionally between
    ``---`` lines), each value continued on lines indented four spaces or
    more; it ends at a blank line or ``---``/``...`` (both dropped) or at the
    first line of another shape, which starts the body.
    """
    lines = text.split("\n")
    meta: dict[str, list[str]] = {}
    key = None
    at = 1 if lines and _BEGIN.match(lines[0]) else 0
    while at < len(lines):
        line = lines[at]
        if not line.strip() or _END.match(line):
            at += 1
            break
        pair = _KEY.match(line)
        if pair:
            key = pair.group("key").lower().strip()
            meta.setdefault(key, []).append(pair.group("value").strip())
        else:
            more = _MORE.match(line)
            if not (more and key):
                break
            meta[key].append(more.group("value").strip())
        at += 1
    return meta, "\n".join(lines[at:])


class MarkdownReader(BaseReader):
    """Pelican's reader for ``.md`` files, with cmark-gfm for the Markdown.

    Metadata as Pelican's own Markdown reader gives it: formatted fields
    (``FORMATTED_FIELDS``: the summary) rendered as Markdown, the values of
    keys that may appear once taken from their first line, the others a list
    when repeated. When ``TYPOGRIFY`` is on, the title gets the curly quotes
    and dashes that the Markdown gets from cmark-gfm, from smartypants with
    Pelican's attributes (``TYPOGRIFY_DASHES``), so that typogrify need not
    run smartypants (``TYPOGRIFY_OMIT_FILTERS``) over the bodies again.
    """

    enabled = True
    file_extensions = ["md", "markdown", "mkd", "mdown"]

    def read(self, source_path):
        self._source_path = source_path
        with pelican_open(source_path) as text:
            meta, body = split_header(text)
        return to_html(body), self._parse_metadata(meta)

    def _parse_metadata(self, meta):
        formatted_fields = self.settings["FORMATTED_FIELDS"]
        output = {}
        for name, values in meta.items():
            if name in formatted_fields:
                output[name] = self.process_metadata(name, to_html("\n".join(values)))
            elif len(values) > 1 and not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
                logger.warning(
                    "Duplicate definition of `%s` for %s. Using first one.",
                    name,
                    self._source_path,
                )
                output[name] = self.process_metadata(name, values[0])
            elif len(values) > 1:
                output[name] = self.process_metadata(name, values)
            else:
                output[name] = self.process_metadata(name, values[0])
        return output

    def process_metadata(self, name, value):
        if name == "title" and self.settings.get("TYPOGRIFY"):
            value = smartypants.smartypants(value, _pelicans_attributes(self.settings))
        return super().process_metadata(name, value)


def _pelicans_attributes(settings):
    """The smartypants attributes Pelican's typogrify call uses."""
    dashes = {"oldschool": smartypants.Attr.set2, "oldschool_inverted": smartypants.Attr.set3}
    return dashes.get(settings.get("TYPOGRIFY_DASHES"), smartypants.Attr.set1) | smartypants.Attr.w
