"""Split an image caption into the caption proper and the photo credit.

CONTENT.md: the credit follows a final `` | ``; failing that, a last sentence
that is a recognised agency credit ("... session. REUTERS/Jane Doe") is the
credit. These are plain-text rules on the Markdown title, never on HTML.
"""

import html
import re

from typogrify.filters import smartypants

# A sentence ends at . ! ? or an ellipsis, perhaps followed by closing quotes or
# brackets, then whitespace; a single capital before the dot is an initial
# ("AP Photo/J. Smith", "U.S. troops"), not the end of a sentence.
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?\u2026][\"'\u201d\u2019)\]]*\s+")

# Credits that begin with the agency ("REUTERS/Name", "Photo by Name") and
# credits that end with it ("Name/Getty Images", "AFP via Getty Images").
_CREDIT = re.compile(
    r"""
    (?:REUTERS|AP\ Photo|AFP)\s*/\s*\S.*
    | Photo\ by\ \S.*
    | (?:\S+(?:\ \S+){0,4}\s*(?:/|\ via\ )\s*)?(?:Getty\ Images|Shutterstock)(?:\ \S+)?
    """,
    re.IGNORECASE | re.VERBOSE,
)

_PIPE = re.compile(r"\s+\|\s+|\s+\|$")

# What smartypants changes (quotes, backticks, backslash escapes, dashes,
# ellipses, &quot;) is always one of these; a caption without any comes out of
# it unchanged, so it is not run (5,700 captions and credits at 1,000 articles).
_SMARTYPANTS_WORK = re.compile(r"[\"'`\\]|--|\.\.\.|\. \. \.|&quot;")


def split_caption(title):
    """Return ``(caption, credit)`` for an image title; either may be ''.

    >>> split_caption("The hall before the session. | AP Photo/Name")
    ('The hall before the session.', 'AP Photo/Name')
    >>> split_caption("Police stand guard. John Moore/Getty Images")
    ('Police stand guard.', 'John Moore/Getty Images')
    """
    title = " ".join((title or "").split())
    parts = _PIPE.split(title)
    if len(parts) > 1:
        return " | ".join(parts[:-1]).strip(), parts[-1].strip()
    # Try the shortest tail first, so "... guard. John Moore/Getty Images" does
    # not swallow the caption; a longer tail is tried only when a shorter one
    # is not a credit on its own ("AP Photo/J. Smith" seen from "Smith").
    starts = [m.end() for m in _SENTENCE_END.finditer(title)]
    for start in reversed([0, *starts]):
        tail = title[start:]
        if _CREDIT.fullmatch(tail):
            return title[:start].strip(), tail
    return title, ""


def typographic(text):
    """Curly quotes, dashes and ellipses for caption text, as typogrify gives
    the body: Pelican typogrifies text nodes, never the image title they come from.
    """
    if not text:
        return text
    return html.unescape(smartypants(text) if _SMARTYPANTS_WORK.search(text) else text)
