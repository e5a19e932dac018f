"""Validating the whole of content/: every file, then the rules across files.

``validate_site(settings)`` is what ``invoke check`` and the build run. It reads
only headers and Markdown source (no rendering), so it stays well under a second
for the sample magazine. Each file's own checks (``_check_file``) come from the
memo while it holds; from ``PARALLEL_MIN_FILES`` files to check (a cold build of
a big archive) they run on every core (N = 10,000: 1.9–3.1 s in one process,
1.2–1.4 s on two). The rules across files then run over every file in order.
"""

import functools
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican.utils import slugify

from kiosk_filecache import map_forked

from . import images, memo, rules
from .headers import SourceError, read_source

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
# First path segments the site itself uses: a slug there would shadow a page kind.
RESERVED_SLUGS = rules.RESERVED_SLUGS


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
                    # A string: a Path costs more to make and to stat (10,000 files a
                    # rebuild), and is made only for a file read again (facts_of).
                    yield os.path.join(dirpath, name)


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
        for entry in _entries(base):
            if entry.is_symlink():
                path = Path(entry.path)
                if not path.resolve().is_relative_to(inside):
                    kind = "folder" if path.is_dir() else "file"
                    yield Problem(
                        _shown(path), "file", f"is a link to a {kind} outside content/; refused"
                    )


def _entries(base):
    """Every entry below ``base``, as os.walk finds them (linked folders not entered).

    os.scandir's entries know whether they are links without a stat each.
    """
    folders = [base]
    while folders:
        try:
            with os.scandir(folders.pop()) as found:
                entries = list(found)
        except OSError:
            continue
        for entry in entries:
            yield entry
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)


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
        return _shown(Path(path), self.cwd)

    def add(self, path, pairs):
        self.problems.extend(Problem(self.shown(path), field, message) for field, message in pairs)

    def read(self, path: Path):
        if path.suffix.lower() not in MARKDOWN_SUFFIXES:
            self.add(path, [("file", "is not a Markdown (.md) file; Kiosk would ignore it")])
            return None
        if path.suffix not in MARKDOWN_SUFFIXES:  # Pelican reads lower-case names only
            self.add(path, [("file", f"ends in {path.suffix!r}; rename it to end in .md, "
                                     "or Kiosk ignores it")])  # fmt: skip
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


def validate_site(settings, memoise=True) -> list[Problem]:
    """Every problem in content/, sorted by file; an empty list means publishable.

    With ``memoise``, the results of unchanged files come from the last run
    (see :mod:`.memo`); the problems are the same either way.
    """
    root = Path(settings["PATH"])
    found = _Collector(root)
    folder = memo.cache_folder(settings) if memoise else None
    known = None
    if folder is not None:
        known = memo.Memo(folder, root, memo.fingerprint(settings, root, found.cwd))
    # Image files' verdicts come from the memo while their stat is the same (images.py).
    with rules.remembering_files(), images.judging(known.images if known else {}) as verdicts:
        problems = _validate_site(settings, root, found, known)
    if known is not None:
        known.images_used = verdicts
        known.save()
    return problems


def _validate_site(settings, root, found, known) -> list[Problem]:
    vocabulary = {key: list(settings.get(key) or ()) for key in ("SECTIONS", "REGIONS", "COLUMNS")}
    extras = tuple(settings.get("EDITORIAL_EXTRA_KEYS") or ())
    ignore = set(settings.get("IGNORE_FILES") or ())

    def check(job):
        kind, path = job
        with rules.recording_questions() as asked:
            facts = _check_file(kind, Path(path), found, root, vocabulary, extras, settings)
        facts["asked"] = tuple(asked)
        return facts

    files = [(kind, path) for kind, folders in (("author", ["authors"]),
                                                ("article", settings["ARTICLE_PATHS"]),
                                                ("page", settings["PAGE_PATHS"]))
             for path in _files(root, folders, ignore)]  # fmt: skip
    # Each file's facts: the memo's while they hold, else checked now (all at once,
    # so that a cold run checks on every core).
    stamps, memoed, misses = {}, {}, []
    for kind, path in files:
        if known is not None:
            stamps[path] = memo.file_stat(path)
            facts = known.get(path, stamps[path])
            if facts is not None:
                memoed[path] = facts
                continue
        misses.append((kind, path))
    checked = _check_all(check, misses)

    def facts_of(kind, path):
        """The file's own problems and what the rules across files need."""
        facts = memoed.get(path)
        if facts is None:
            facts = checked[path]
            if known is not None:
                known.put(path, stamps[path], facts)
        found.problems.extend(Problem(facts["shown"], f, m) for f, m in facts["problems"])
        return facts["cross"]

    profiles = {}
    for _kind, path in (job for job in files if job[0] == "author"):
        cross = facts_of("author", path)
        if cross is None:
            continue
        name = cross["name"]
        if name in profiles:
            found.add(path, [("Name", f"{name!r} already has a profile in {profiles[name]}")])
        elif name:
            profiles[name] = cross["source"]

    urls = {}  # slug -> file that claims /<slug>/
    aliases = {}
    pieces = []  # the cross facts of every article and page, for the links between them
    for kind, path in (job for job in files if job[0] != "author"):
        cross = facts_of(kind, path)
        if cross is None:
            continue
        if kind == "article":
            found.add(path, _check_bylines(cross["authors"], profiles))
            for alias in cross["aliases"]:
                if alias in aliases:
                    found.add(path, [("Aliases", f"{alias!r} is already used by {aliases[alias]}")])
                aliases[alias] = cross["source"]
        found.add(path, _claim_slug(cross["slug"], urls, cross["source"]))
        if cross["slug"] == "":
            found.add(path, [("Slug", "the Title makes no web address (it has no letter or "
                                      "digit); add a Slug")])  # fmt: skip
        pieces.append((path, cross))
    now = datetime.now(ZoneInfo(settings.get("TIMEZONE") or "UTC"))
    found.problems.extend(_links_to_unpublished(pieces, now, found))
    found.problems.extend(_updated_in_the_future(pieces, now, found))
    folders = ["authors", *settings["ARTICLE_PATHS"], *settings["PAGE_PATHS"],
               *(settings.get("STATIC_PATHS") or ())]  # fmt: skip
    found.problems.extend(p for p in _links_outside(root, folders) if p not in found.problems)
    read = ["authors", *settings["ARTICLE_PATHS"], *settings["PAGE_PATHS"]]
    found.problems.extend(_markdown_elsewhere(root, read, ignore, found))
    for alias, shown in aliases.items():
        if alias.strip("/") in urls:
            found.problems.append(
                Problem(shown, "Aliases", f"{alias!r} is the address of {urls[alias.strip('/')]}")
            )
    return sorted(found.problems)


# Below this many files to check, one process checks them all: a fork and the
# results' way back cost more than they save (≈ 0.43 ms a file at N = 10,000).
PARALLEL_MIN_FILES = 400


def _check_all(check, jobs) -> dict:
    """``{path: check((kind, path))}`` for every job, on every core from
    ``PARALLEL_MIN_FILES`` of them (below, ``map_forked`` checks them here).

    A forked worker checks every other file; the verdicts on image files it
    made on the way come back with its results, for the memo to keep (images.py).
    """
    pairs = map_forked(functools.partial(_check_and_judge, check), jobs,
                       min_items=PARALLEL_MIN_FILES)  # fmt: skip
    results = {}
    for (_kind, path), (facts, verdicts) in zip(jobs, pairs, strict=True):
        results[path] = facts
        images.keep(verdicts)
    return results


def _check_and_judge(check, job):
    """``check(job)`` and the image verdicts it used or made."""
    with images.noting() as verdicts:
        return check(job), verdicts


def _later_than_now(value, now) -> bool:
    """Whether the date ``value`` (a header's text; without an offset, in the
    site's time zone) is after ``now``; False if it is no date (reported as the
    field's own problem)."""
    try:
        date = rules.parse_date(value or "")
    except ValueError:
        return False
    return (date if date.tzinfo else date.replace(tzinfo=now.tzinfo)) > now


def _held_back(cross, now):
    """Why a piece is not on the published site ('a draft', 'scheduled for …'), or None."""
    if cross["status"] == "draft":
        return "a draft"
    if _later_than_now(cross["date"], now):
        return f"scheduled for {cross['date']}"
    return None


def _links_to_unpublished(pieces, now, found):
    """A published piece's ``{filename}`` link to a draft or a scheduled piece: once
    published, Pelican has no address for the target and links to the home page."""
    held = {cross["file"]: why for _, cross in pieces if (why := _held_back(cross, now))}
    for path, cross in pieces:
        if cross["file"] in held:
            continue  # a draft may link to another: neither is published
        for target in cross["links"]:
            if target in held:
                yield Problem(found.shown(path), "Body",
                              f"links to {found.shown(Path(target))}, which is {held[target]}: "
                              "on the published site that link would lead to the home page; "
                              "add it once the piece is published")  # fmt: skip


def _updated_in_the_future(pieces, now, found):
    """A published piece whose ``Modified`` is later than now (a mistyped year,
    most often): readers, feeds and search engines would be told of an update
    that has not happened. A scheduled piece is checked once it is published."""
    for path, cross in pieces:
        if _later_than_now(cross["modified"], now) and not _held_back(cross, now):
            yield Problem(found.shown(path), "Modified",
                          f"{cross['modified']!r} is later than now ({now:%Y-%m-%d %H:%M}): "
                          "an update is dated when it was made")  # fmt: skip


def _markdown_elsewhere(root: Path, read, ignore, found):
    """Problems for Markdown files that no reader reads: an article saved in the
    wrong folder is never published, and one under images/ or extra/ would be
    copied to the site as it is, draft and all."""
    inside = [root / folder for folder in read]
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and here / d not in inside)  # fmt: skip
        for name in sorted(filenames):
            if name.startswith(".") or name in ignore:
                continue
            if Path(name).suffix.lower() in MARKDOWN_SUFFIXES:
                where = ", ".join(f"{folder}/" for folder in read)
                yield Problem(found.shown(here / name), "file",
                              f"is not under {where}: Kiosk would not publish it as an article "
                              "or page; move it")  # fmt: skip


def _check_file(kind, path, found, root, vocabulary, extras, settings):
    """One file's own problems, and the facts the rules across files need (None if unread)."""
    own = _Collector(root)
    own.cwd = found.cwd
    facts = {"shown": own.shown(path), "problems": [], "cross": None}
    source = own.read(path)
    if source is not None:
        header = source.header
        if kind == "author":
            own.add(
                path,
                rules.check_keys(
                    header, source.spelling, rules.AUTHOR_KEYS, rules.AUTHOR_REQUIRED, extras
                ),
            )
            own.add(path, rules.check_author(header, root))
            own.add(path, rules.check_body(source.body, source.body_line, path.parent, root))
            facts["cross"] = {"name": header.get("name"), "source": str(source.path)}
        else:
            if kind == "article":
                own.add(
                    path,
                    rules.check_keys(
                        header, source.spelling, rules.ARTICLE_KEYS, rules.ARTICLE_REQUIRED, extras
                    ),
                )
                own.add(path, rules.check_article(header, root, vocabulary))
            else:
                own.add(
                    path,
                    rules.check_keys(
                        header, source.spelling, rules.PAGE_KEYS, rules.PAGE_REQUIRED, extras
                    ),
                )
                own.add(path, rules.check_page(header))
            if not source.body.strip():
                own.add(
                    path, [("Body", "is empty; write the text after the header and a blank line")]
                )
            own.add(path, rules.check_body(source.body, source.body_line, path.parent, root))
            facts["cross"] = {
                "authors": rules.split_list(header.get("authors")),
                "aliases": rules.split_list(header.get("aliases")),
                "slug": _slug(header, settings),
                "source": str(source.path),
                "file": os.path.normpath(path),
                "status": (header.get("status") or "published").strip().lower(),
                "date": header.get("date"),
                "modified": header.get("modified"),
                "links": sorted(set(rules.filename_links(source.body, path.parent, root))),
            }
    facts["problems"] = [(p.field, p.message) for p in own.problems]
    return facts


def _slug(header, settings):
    slug = header.get("slug")
    if slug is None and header.get("title"):
        slug = slugify(header["title"], regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
    return slug


def _check_bylines(names, profiles):
    for name in names:
        if name not in profiles:
            known = ", ".join(sorted(profiles)) or "none yet"
            yield "Authors", f"{name!r} has no profile in content/authors/ (profiles: {known})"


def _claim_slug(slug, urls, shown):
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
