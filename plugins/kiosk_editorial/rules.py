"""The rules of shared/CONTENT.md, one function per kind of content file.

Each rule returns ``(field, message)`` pairs; the caller adds the path. Messages
say what was found and what was expected, in the editor's words, because they
are read by people fixing a file, not by engineers.
"""

import difflib
import os
import re
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path, PurePosixPath

from . import images
from .memo import file_stat

# First path segments of the site's own pages (CONTENT.md's URL scheme): no
# article's slug or alias may take one.
RESERVED_SLUGS = frozenset(
    {"latest", "section", "region", "column", "series", "author", "tag", "search",
     "feeds", "images", "drafts", "theme", "pagefind", "404.html"}
)  # fmt: skip

ARTICLE_KEYS = (
    "Title", "Subtitle", "Date", "Modified", "Section", "Region", "Column", "Series",
    "Authors", "Tags", "Summary", "Image", "Image_Alt", "Image_Caption", "Image_Kind",
    "Image_Credit", "Slug", "Featured", "Aliases", "Status",
)  # fmt: skip
ARTICLE_REQUIRED = ("Title", "Date", "Section", "Authors")
AUTHOR_KEYS = (
    "Name", "Role", "Photo", "Photo_Credit", "Website", "Twitter", "Bluesky", "Mastodon",
)  # fmt: skip
AUTHOR_REQUIRED = ("Name",)
PAGE_KEYS = ("Title", "Subtitle", "Slug", "Summary", "Status", "Modified")
PAGE_REQUIRED = ("Title",)

STATUSES = ("published", "draft", "hidden")
IMAGE_KINDS = ("photo", "image")
BOOLEANS = ("true", "false")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Markdown images and links, and Pelican's intra-site link syntax.
# A title in double or single quotes or in parentheses, as Markdown allows.
MD_IMAGE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\(\s*(?P<src>[^)\s]+)"
    r"""(?:\s+(?:"(?P<title>[^"]*)"|'[^']*'|\([^)]*\)))?\s*\)"""
)
# An image whose address has a space (and no <>): Markdown shows it as text.
MD_IMAGE_SPACED = re.compile(
    r"!\[[^\]]*\]\(\s*(?P<src>[^)<>\s]+(?:\s+[^)\s\"'(][^)\s]*)+)"
    r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)"""
)
# A reference-style image, ![alt][name] (or ![alt][] for [alt]), and the
# definitions that give its file: [name]: images/x.jpg "Caption".
MD_IMAGE_REF = re.compile(r"!\[(?P<alt>[^\]]*)\]\[(?P<ref>[^\]]*)\]")
MD_DEFINITION = re.compile(r"^ {0,3}\[(?P<ref>[^\]]+)\]:\s*<?(?P<src>[^\s>]+)", re.M)
SITE_LINK = re.compile(r"\{(?P<kind>filename|static|attach)\}(?P<target>[^)\s\"'>]+)")
SCRIPT_URL = re.compile(
    r"(?:\]\(\s*|href\s*=\s*[\"']?\s*)(?P<url>(?:java|vb)script:[^)\s\"']*)", re.I
)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)
# A line can match MD_IMAGE, SITE_LINK or SCRIPT_URL only if it contains one of
# these; most lines of prose contain none, so only those that do are checked.
BODY_TRIGGERS = ("![", "{filename}", "{static}", "{attach}")
SCRIPT_TRIGGER = re.compile("script:", re.I)


def check_keys(header, spelling, allowed, required, extras):
    """Unknown keys (typos) and missing required keys."""
    known = {key.lower(): key for key in (*allowed, *extras)}
    for key in header:
        if key not in known:
            guess = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
            hint = f"; did you mean {known[guess[0]]}?" if guess else ""
            yield spelling[key], f"is not a known key{hint} (known keys: {', '.join(allowed)})"
    for key in required:
        if not header.get(key.lower()):
            yield key, "is required but missing or empty"


# Invisible characters that XML 1.0 (feeds, sitemaps) cannot carry, and that a
# header only gets by accident (a paste from a PDF or a mis-decoded file). Tab
# is allowed: it is whitespace.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def check_characters(header, spelling):
    """Header values with control characters, each named by its code point."""
    for key, value in header.items():
        found = CONTROL.search(value)
        if found:
            yield (
                spelling.get(key, key),
                (
                    f"contains the invisible control character U+{ord(found.group()):04X} "
                    f"at position {found.start() + 1}; delete it"
                ),
            )


def check_choice(field, value, allowed):
    if value is not None and value not in allowed:
        yield field, f"{value!r} is not one of {', '.join(allowed)}"


# A calendar date, a time to the minute or second, an offset: what Pelican reads.
# (Python reads week dates such as 2025-W47-2 too; Pelican does not.)
CALENDAR_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)


def parse_date(value):
    """ISO 8601 as editors write it: '2024-06-14', '2024-06-14 09:30', with offset."""
    if not CALENDAR_DATE.fullmatch(value.strip()):
        raise ValueError(value)
    return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))


def filename_links(body, file_dir, root):
    """The files the body's ``{filename}`` links point to, as normalised path strings."""
    for _, line in _lines_to_check(body):
        for link in SITE_LINK.finditer(line):
            if link.group("kind") == "filename":
                target = link.group("target")
                base = root if target.startswith("/") else file_dir
                yield os.path.normpath(content_file(base, target))


def check_date(field, value):
    if value is None:
        return
    try:
        parse_date(value)
    except ValueError:
        yield field, f"{value!r} is not an ISO 8601 date (expected e.g. 2024-06-14 09:30)"


def split_list(value):
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def content_file(root: Path, reference: str) -> Path:
    """A path an editor wrote, resolved under content/ ('images/x.jpg')."""
    return root / PurePosixPath(reference.split("#")[0].split("?")[0].lstrip("/"))


# While one file is checked, site.validate_site collects here every question
# about another file and its answer, (kind, path, answer): its results hold only
# while the answers do (see memo.py).
_asked: list | None = None


@contextmanager
def recording_questions():
    """Within the block, every existence question is listed with its answer."""
    global _asked
    previous, _asked = _asked, []
    try:
        yield _asked
    finally:
        _asked = previous


def _answered(kind, path, found):
    if _asked is not None:
        _asked.append((kind, str(path), found))
    return found


def content_exists(path: Path) -> bool:
    """``path.exists()``, recorded inside recording_questions()."""
    return _answered("exists", path, path.exists())


# While site.validate_site runs, answers of is_content_file by (root, reference):
# the same pool of images recurs in thousands of articles. None outside a run,
# so that a direct call always looks at the file system.
_known_files: dict | None = None


_known_images: dict | None = None  # as _known_files: path -> image_problem's answer


@contextmanager
def remembering_files():
    """Within the block, is_content_file and image_file_problem look once per reference."""
    global _known_files, _known_images
    _known_files, _known_images = {}, {}
    try:
        yield
    finally:
        _known_files = _known_images = None


def is_content_file(root: Path, reference: str) -> bool:
    """``content_file(root, reference).is_file()``, remembered inside remembering_files()."""
    path = content_file(root, reference)
    if _known_files is None:
        return _answered("file", path, path.is_file())
    key = (root, reference)
    known = _known_files.get(key)
    if known is None:
        known = _known_files[key] = path.is_file()
    return _answered("file", path, known)


def image_file_problem(root: Path, reference: str) -> str:
    """What keeps the existing image file ``reference`` from being shown ('' if nothing).

    Recorded inside recording_questions(), remembered inside remembering_files()
    (see images.py for the verdicts kept between runs).
    """
    path = content_file(root, reference)
    known = None if _known_images is None else _known_images.get(path)
    if known is None:
        known = images.image_problem(path, file_stat(path))
        if _known_images is not None:
            _known_images[path] = known
    return _answered("image", path, known)


# Names that become a path segment (tags and series get pages of their own) must
# stay well inside the file systems' 255-byte limit on a file name.
MAX_NAME = 80
MAX_SLUG = 150


def check_names(header):
    for tag in split_list(header.get("tags")):
        if len(tag) > MAX_NAME:
            yield (
                "Tags",
                f"{tag[:40]!r}… is {len(tag)} characters long; a tag has at most {MAX_NAME}",
            )
    series = header.get("series")
    if series and len(series) > MAX_NAME:
        yield "Series", f"is {len(series)} characters long; a series name has at most {MAX_NAME}"


def check_article(header, root, vocabulary):
    """Single-file rules for an article (cross-file rules live in site.py)."""
    yield from check_names(header)
    yield from check_date("Date", header.get("date"))
    yield from check_date("Modified", header.get("modified"))
    if header.get("date") and header.get("modified"):
        try:
            if parse_date(header["modified"]) < parse_date(header["date"]):
                yield "Modified", f"{header['modified']!r} is earlier than Date {header['date']!r}"
        except (ValueError, TypeError):
            pass  # already reported, or naive vs aware: the dates speak for themselves
    yield from check_choice("Section", header.get("section"), vocabulary["SECTIONS"])
    yield from check_choice("Region", header.get("region"), vocabulary["REGIONS"])
    yield from check_choice("Column", header.get("column"), vocabulary["COLUMNS"])
    yield from check_choice("Status", header.get("status"), STATUSES)
    yield from check_choice("Image_Kind", header.get("image_kind"), IMAGE_KINDS)
    yield from check_choice("Featured", header.get("featured"), BOOLEANS)
    if "authors" in header and not split_list(header["authors"]):
        yield "Authors", "names no author"
    for key, field in (("tags", "Tags"), ("authors", "Authors")):
        if ";" in (header.get(key) or ""):
            # Pelican would split on ";" alone: "Sanctions, Russia; Talks" is two tags.
            yield field, f"{header[key]!r} has a ';'; separate the names with commas only"
    yield from check_image(header, root)
    yield from check_slug(header.get("slug"))
    for alias in split_list(header.get("aliases")):
        if not alias.startswith("/") or ".." in alias or not alias.endswith(("/", ".html")):
            yield "Aliases", f"{alias!r} is not a site path like /2022/11/11/old-slug/"
        elif alias.strip("/").split("/")[0] in RESERVED_SLUGS | {"", "index.html"}:
            # Its redirect page would replace the home, a section, tag or other
            # listing page of the site.
            yield "Aliases", (f"{alias!r} is the address of one of the site's own pages; "
                              "an alias is an old address of this article")  # fmt: skip


def check_image(header, root):
    image = header.get("image")
    if image:
        if not is_content_file(root, image):
            yield "Image", f"{image!r} does not exist under {root.name}/"
        elif problem := image_file_problem(root, image):
            yield "Image", f"{image!r} {problem}"
        for needed in ("Image_Alt", "Image_Credit"):
            if not header.get(needed.lower()):
                yield needed, "is required when Image is given"
    else:
        for dependent in ("Image_Alt", "Image_Caption", "Image_Credit", "Image_Kind"):
            if header.get(dependent.lower()):
                yield dependent, "is given but there is no Image"


def check_slug(slug):
    if slug is not None and not SLUG.match(slug):
        yield "Slug", f"{slug!r} must be lower-case letters, digits and single hyphens"


def check_author(header, root):
    photo = header.get("photo")
    if photo and not is_content_file(root, photo):
        yield "Photo", f"{photo!r} does not exist under {root.name}/"
    elif photo and (problem := image_file_problem(root, photo)):
        yield "Photo", f"{photo!r} {problem}"
    website = header.get("website")
    if website and not re.match(r"^https?://\S+$", website):
        yield "Website", f"{website!r} is not an http(s) URL"


def check_page(header):
    yield from check_choice("Status", header.get("status"), STATUSES)
    yield from check_date("Modified", header.get("modified"))
    yield from check_slug(header.get("slug"))


def check_body(body, first_line, file_dir, root):
    """Images need alt text and must exist; intra-site links must resolve."""
    definitions = None  # reference-style images' files, read once if there is one
    for offset, line in _lines_to_check(body):
        where = f"line {first_line + offset}"
        images = [(m.group("alt"), m.group("src")) for m in MD_IMAGE.finditer(line)]
        for spaced in MD_IMAGE_SPACED.finditer(line):
            yield (
                "Body",
                f"image {spaced.group('src')!r} ({where}) has a space in its address, which "
                "Markdown cannot read: rename the file without spaces",
            )
        for found in MD_IMAGE_REF.finditer(line):
            if definitions is None:
                definitions = {m.group("ref").lower(): m.group("src")
                               for m in MD_DEFINITION.finditer(body)}  # fmt: skip
            name = (found.group("ref") or found.group("alt")).lower()
            if name not in definitions:
                yield (
                    "Body",
                    f"image [{name}] ({where}) has no [{name}]: definition giving its file",
                )
                continue
            images.append((found.group("alt"), definitions[name]))
        for alt, src in images:
            if not alt.strip():
                yield "Body", f"image {src!r} ({where}) has no alt text"
            local = not EXTERNAL.match(src) and not src.startswith("{")
            if local and not is_content_file(root, src):
                yield "Body", f"image {src!r} ({where}) does not exist under {root.name}/"
            elif local and (problem := image_file_problem(root, src)):
                yield "Body", f"image {src!r} ({where}) {problem}"
        for link in SITE_LINK.finditer(line):
            target = link.group("target")
            base = root if target.startswith("/") else file_dir
            if not content_exists(content_file(base, target)):
                yield "Body", f"link {{{link.group('kind')}}}{target} ({where}) points to no file"
        for script in SCRIPT_URL.finditer(line):
            yield "Body", f"link {script.group('url')[:40]!r} ({where}) is refused: script URLs"


def _lines_to_check(body):
    """``(offset, line)`` for each line of ``body`` that contains a trigger, in order:
    the lines of ``enumerate(body.split("\\n"))`` the three patterns can match.

    Found with str.find (a regular expression over every character of every
    body cost 0.5 s per 1,000 articles).
    """
    starts = []
    for needle in BODY_TRIGGERS:
        found = body.find(needle)
        while found >= 0:
            starts.append(found)
            found = body.find(needle, found + 1)
    # SCRIPT_URL is case-insensitive, and then "ſ" matches "s" and "İ" "i"; but
    # "pt:" has no such look-alikes, so without it there is no script URL.
    if "pt:" in body.lower():
        starts.extend(match.start() for match in SCRIPT_TRIGGER.finditer(body))
    offset, line_start, last = 0, 0, -1
    for start in sorted(starts):
        offset += body.count("\n", line_start, start)
        line_start = body.rfind("\n", 0, start) + 1
        if offset == last:
            continue
        last = offset
        line_end = body.find("\n", start)
        yield offset, body[line_start : None if line_end < 0 else line_end]
