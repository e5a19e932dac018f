"""Reading a content file's raw bytes and its ``Key: value`` header.

Pelican's Markdown reader is forgiving in ways that lose data: a header line
without a colon silently ends the header and becomes body text, and a file that
fails to decode is skipped with a log line. Validation therefore reads the files
itself, strictly, before Pelican does.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

# The shape a key has (kiosk_markdown reads the header by the same rules).
KEY_LINE = re.compile(r"^(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
# A value continues on lines indented by 4+ spaces.
CONTINUATION = re.compile(r"^ {4,}(?P<value>\S.*)$")


@dataclass
class Source:
    """One content file as validation sees it."""

    path: Path  # as shown in messages, relative to the project
    header: dict[str, str] = field(default_factory=dict)  # lower-case key -> value
    spelling: dict[str, str] = field(default_factory=dict)  # lower-case key -> as written
    body: str = ""
    body_line: int = 1  # line number of the body's first line, for messages


class SourceError(ValueError):
    """The file cannot be read as a Kiosk content file at all."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def read_source(path: Path, shown_as: Path) -> tuple[Source, list[tuple[str, str]]]:
    """Decode and split a file into header and body.

    Returns the source and a list of ``(field, message)`` problems found in the
    header itself (bad lines, repeated keys). Raises SourceError when nothing
    useful can be read (empty, not UTF-8).
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # a BOM is harmless; strip it
    except UnicodeDecodeError as err:
        raise SourceError(
            "file",
            f"is not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}); "
            "save it as UTF-8",
        ) from None
    if not text or text.isspace():  # as `not text.strip()`, without copying the text
        raise SourceError("file", "is empty; expected a `Key: value` header and a body")
    if "\x00" in text:
        raise SourceError("file", "contains NUL bytes; it is not a text file")

    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    source = Source(path=shown_as)
    problems: list[tuple[str, str]] = []
    last_key = None
    index = 0
    body_start = len(text)  # no blank line: no body
    for index, (line, next_start) in enumerate(_lines(text)):
        if not line.strip():
            body_start = next_start
            break
        continued = CONTINUATION.match(line)
        if continued and last_key:
            source.header[last_key] += " " + continued.group("value").strip()
            continue
        match = KEY_LINE.match(line)
        if not match:
            problems.append(
                ("header", f"line {index + 1} is not `Key: value` ({line.strip()[:40]!r})")
            )
            last_key = None
            continue
        key = match.group("key").lower()
        if key in source.header:
            problems.append((match.group("key"), f"is given twice (line {index + 1})"))
        source.header[key] = match.group("value").strip()
        source.spelling[key] = match.group("key")
        last_key = key
    else:
        index += 1  # the number of lines
    source.body = text[body_start:]
    source.body_line = index + 2
    return source, problems


def _lines(text):
    """``(line, where the next line starts)`` for the lines of ``text.split("\\n")``,
    found one at a time: only the header is split, the body is sliced off whole."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:], len(text)
            return
        yield text[start:end], end + 1
        start = end + 1
