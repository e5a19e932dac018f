"""Validating the whole of content/: every file, then the rules across files.

``validate_site(settings)`` is what ``invoke check`` and the build run. It reads
only headers and Markdown source (no rendering), so it stays well under a second
for the sample magazine.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from pelican.utils import slugify

from . import rules
from .headers import SourceError, read_source

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
# First path segments the site itself uses: a slug there would shadow a page kind.
RESERVED_SLUGS = frozenset(
    {"latest", "section", "region", "column", "series", "author", "tag", "search",
     "feeds", "images", "drafts", "theme", "pagefind", "404.html"}
)  # fmt: skip


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    field: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.field}: {self.message}"


class EditorialError(Exception):
    """The content breaks the editorial contract; ``problems`` lists every break."""

    def __init__(self, problems):
        self.problems = sorted(problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} content {noun}:\n{lines}")


def _files(root: Path, folders, ignore):
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith(".") and name not in ignore:
                    yield Path(dirpath) / name


def _links_outside(root: Path, folders):
    """Problems for links (files or folders) under ``folders`` that lead outside ``root``.

    Pelican's readers and static copying follow linked folders, so one link to
    a folder elsewhere would publish whatever is there, unvalidated.
    """
    inside = root.resolve()
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            for name in sorted(dirnames + filenames):
                path = Path(dirpath) / name
                if path.is_symlink() and not path.resolve().is_relative_to(inside):
                    kind = "folder" if path.is_dir() else "file"
                    yield Problem(
                        _shown(path), "file", f"is a link to a {kind} outside content/; refused"
                    )


def _shown(path: Path, cwd: Path | None = None) -> str:
    try:
        return str(path.relative_to(cwd or Path.cwd()))
    except ValueError:
        return str(path)


class _Collector:
    """Reads files and accumulates problems, so that one pass reports them all."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.cwd = Path.cwd()  # once, not once per file (0.1 s per 1,000 files)

    def shown(self, path):
        return _shown(path, self.cwd)

    def add(self, path, pairs):
        self.problems.extend(Problem(self.shown(path), field, message) for field, message in pairs)

    def read(self, path: Path):
        if path.suffix.lower() not in MARKDOWN_SUFFIXES:
            self.add(path, [("file", "is not a Markdown (.md) file; Kiosk would ignore it")])
            return None
        if path.is_symlink() and not path.resolve().is_relative_to(self.root.resolve()):
            self.add(path, [("file", "is a link to a file outside content/; refused")])
            return None
        try:
            source, header_problems = read_source(path, Path(self.shown(path)))
        except SourceError as err:
            self.add(path, [(err.field, err.message)])
            return None
        self.add(path, header_problems)
        self.add(path, rules.check_characters(source.header, source.spelling))
        return source


def validate_site(settings) -> list[Problem]:
    """Every problem in content/, sorted by file; an empty list means publishable."""
    with rules.remembering_files():
        return _validate_site(settings)


def _validate_site(settings) -> list[Problem]:
    root = Path(settings["PATH"])
    vocabulary = {key: list(settings.get(key) or ()) for key in ("SECTIONS", "REGIONS", "COLUMNS")}
    extras = tuple(settings.get("EDITORIAL_EXTRA_KEYS") or ())
    ignore = set(settings.get("IGNORE_FILES") or ())
    found = _Collector(root)

    profiles = {}
    for path in _files(root, ["authors"], ignore):
        source = found.read(path)
        if source is None:
            continue
        header = source.header
        found.add(
            path,
            rules.check_keys(
                header, source.spelling, rules.AUTHOR_KEYS, rules.AUTHOR_REQUIRED, extras
            ),
        )
        found.add(path, rules.check_author(header, root))
        found.add(path, rules.check_body(source.body, source.body_line, path.parent, root))
        name = header.get("name")
        if name in profiles:
            found.add(path, [("Name", f"{name!r} already has a profile in {profiles[name]}")])
        elif name:
            profiles[name] = str(source.path)

    urls = {}  # slug -> file that claims /<slug>/
    aliases = {}
    for kind, folders in (("article", settings["ARTICLE_PATHS"]), ("page", settings["PAGE_PATHS"])):
        for path in _files(root, folders, ignore):
            source = found.read(path)
            if source is None:
                continue
            header = source.header
            if kind == "article":
                found.add(
                    path,
                    rules.check_keys(
                        header, source.spelling, rules.ARTICLE_KEYS, rules.ARTICLE_REQUIRED, extras
                    ),
                )
                found.add(path, rules.check_article(header, root, vocabulary))
                found.add(path, _check_bylines(header, profiles))
                for alias in rules.split_list(header.get("aliases")):
                    if alias in aliases:
                        found.add(
                            path, [("Aliases", f"{alias!r} is already used by {aliases[alias]}")]
                        )
                    aliases[alias] = str(source.path)
            else:
                found.add(
                    path,
                    rules.check_keys(
                        header, source.spelling, rules.PAGE_KEYS, rules.PAGE_REQUIRED, extras
                    ),
                )
                found.add(path, rules.check_page(header))
            if not source.body.strip():
                found.add(
                    path, [("Body", "is empty; write the text after the header and a blank line")]
                )
            found.add(path, rules.check_body(source.body, source.body_line, path.parent, root))
            found.add(path, _claim_slug(header, settings, urls, str(source.path)))
    folders = ["authors", *settings["ARTICLE_PATHS"], *settings["PAGE_PATHS"],
               *(settings.get("STATIC_PATHS") or ())]  # fmt: skip
    found.problems.extend(p for p in _links_outside(root, folders) if p not in found.problems)
    for alias, shown in aliases.items():
        if alias.strip("/") in urls:
            found.problems.append(
                Problem(shown, "Aliases", f"{alias!r} is the address of {urls[alias.strip('/')]}")
            )
    return sorted(found.problems)


def _check_bylines(header, profiles):
    for name in rules.split_list(header.get("authors")):
        if name not in profiles:
            known = ", ".join(sorted(profiles)) or "none yet"
            yield "Authors", f"{name!r} has no profile in content/authors/ (profiles: {known})"


def _claim_slug(header, settings, urls, shown):
    slug = header.get("slug")
    if slug is None and header.get("title"):
        slug = slugify(header["title"], regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
    if not slug:
        return
    if len(slug) > rules.MAX_SLUG:
        yield (
            "Slug",
            (
                f"{slug[:40]!r}… is {len(slug)} characters long (at most "
                f"{rules.MAX_SLUG}); give the article a shorter Slug"
            ),
        )
    elif slug in RESERVED_SLUGS:
        yield "Slug", f"{slug!r} is reserved for the site's own pages; choose another"
    elif slug in urls:
        yield "Slug", f"{slug!r} is already used by {urls[slug]}; slugs must be unique"
    else:
        urls[slug] = shown
