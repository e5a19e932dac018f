"""``verify_site``: does every internal thing the built site points at exist?

Works on a finished output folder and nothing else, so the same function runs
inside the build (``finalized``), from ``invoke verify``, and in tests. Pages
are parsed first, on every core and only if new (``cache.py``); then every
page's references are checked against the whole site. With a cache, a site
that follows one that passed checks only its new and changed files, unless
a file that a reference resolved to went away or a changed page lost an id
(``last.py``).
"""

import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from kiosk_filecache import file_digest, site_listing

from .cache import ParsedPages
from .last import LastPassed
from .pages import parse_page

# Schemes that leave the site on purpose; nothing to resolve.
OUTSIDE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "data", "sms", "ftp"})
# Schemes that run code when followed: never acceptable in a published page.
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript"})
# Prefixes that make a reference external whatever follows (lowercase: urlsplit's
# scheme is lowered, so "HTTPS://" takes the long way to the same answer).
PLAINLY_OUTSIDE = ("https://", "http://", "mailto:")
# "#top" scrolls to the top in every browser even without such an id (HTML spec).
IMPLICIT_FRAGMENTS = frozenset({"", "top"})
# References that resolve the same whatever page they are on.
ABSOLUTE = ("/", "http://", "https://", "mailto:", "tel:", "data:")
FEED_NAME = re.compile(r"\.(atom|rss)\.xml$")
SITEMAP_NAME = re.compile(r"(^|-)sitemap(-[\w-]+)?\.xml$")


@dataclass(frozen=True, order=True)
class Problem:
    """One broken thing: the page (path in the output folder) it is on, what, and why."""

    page: str
    target: str
    message: str

    def __str__(self):
        return (
            f"{self.page}: {self.target}: {self.message}"
            if self.target
            else (f"{self.page}: {self.message}")
        )


class _Site:
    """The output folder, with the answers it has already given cached."""

    def __init__(self, folder: Path, site_url: str, ignore, files=()):
        self.folder = folder
        # The site's files as site_listing gives them: a reference is looked up
        # here before the file system is asked (lever 128).
        self._listed = frozenset(files)
        split = urlsplit(site_url or "")
        self.origin = f"{split.scheme}://{split.netloc}" if split.netloc else ""
        self.base_path = split.path.rstrip("/")  # "/mag" when the site lives below a path
        self.ignore = [re.compile(pattern) for pattern in ignore]
        self._pages = {}
        # Most references (navigation, feeds, theme assets, teasers) recur on
        # page after page: a reference's answer depends on the referring
        # folder at most, so each is worked out once.
        self._checked = {}
        # The references with nothing to report, from any page (absolute and
        # not to the page itself): most of a page's references are among them,
        # and a set difference finds the rest (lever 136).
        self._sound = set()
        self._files = {}
        # How a page not parsed yet is parsed (kiosk_verify's cache, in a build).
        self.load = lambda path: parse_page(path.read_bytes())

    def page(self, path: Path):
        if path not in self._pages:
            self._pages[path] = self.load(path)
        return self._pages[path]

    def file_for(self, site_path: str) -> Path | None:
        """The file a host serves for ``/a/b/`` or ``/a/b.css``, or None."""
        if site_path not in self._files:
            self._files[site_path] = self._file_for(site_path)
        return self._files[site_path]

    def targets(self):
        """The site's files (relative POSIX paths) that the references checked resolved to."""
        start = len(str(self.folder)) + 1
        return {str(path)[start:] for path in self._files.values() if path is not None}

    def _file_for(self, site_path: str) -> Path | None:
        if self.base_path:
            if not (site_path + "/").startswith(self.base_path + "/"):
                return None
            site_path = site_path[len(self.base_path) :] or "/"
        relative = unquote(site_path).strip("/")
        # A listed file, or a folder's index.html: no stat for either. Two
        # stats a target (is_dir, is_file) were 1.1 s of a cold N = 10,000
        # build's verify, most of it pathlib's. Anything else (not there, a
        # symlink to a folder) is asked of the file system as before.
        for listed in (relative, f"{relative}/index.html" if relative else "index.html"):
            if listed in self._listed:
                return self.folder / listed
        candidate = self.folder / unquote(site_path).lstrip("/")
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def internal_path(self, page_url: str, reference: str):
        """``(site path, fragment)`` for an internal reference, ``None`` for an external one.

        Raises ValueError for a reference no page should contain.
        """
        if self.origin and (reference == self.origin or reference.startswith(
                (self.origin + "/", self.origin + "#", self.origin + "?"))):  # fmt: skip
            reference = reference[len(self.origin) :] or "/"
        elif reference.startswith(PLAINLY_OUTSIDE) and reference.isascii() and not (
                "[" in reference or "]" in reference):  # fmt: skip
            # What urlsplit would say without asking it (a third of a cold
            # check's time went there): an outside scheme, and none of what
            # makes it raise (a bracketed host, a host that is not ASCII).
            return None
        parts = urlsplit(reference)
        scheme = parts.scheme.lower()
        if scheme in SCRIPT_SCHEMES:
            raise ValueError("is a script URL; pages must not run code from links")
        if scheme or parts.netloc:
            if scheme and scheme not in OUTSIDE_SCHEMES:
                raise ValueError(f"has an unknown scheme {scheme!r}")
            return None
        if not parts.path:
            return page_url, parts.fragment
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_url), parts.path))
        if parts.path.endswith("/") and not joined.endswith("/"):
            joined += "/"
        return joined, parts.fragment

    def check_reference(self, page_url: str, reference: str) -> list[str]:
        """Problems with one reference made from the page at ``page_url``."""
        own = (self.origin + "#", self.origin + "?") if self.origin else ()
        same_page = reference[:1] in ("", "#", "?") or reference.startswith(own)
        if same_page:  # resolves against the page itself: nothing to share
            return list(self._check_reference(page_url, reference))
        # An absolute or root-relative reference means the same from every page.
        absolute = reference.startswith(ABSOLUTE)
        key = (None if absolute else posixpath.dirname(page_url), reference)
        if key not in self._checked:
            self._checked[key] = found = list(self._check_reference(page_url, reference))
            if absolute and not found:
                self._sound.add(reference)
        return self._checked[key]

    def unsound(self, references) -> set:
        """Those of ``references`` not known to resolve from any page: the ones to check."""
        return set(references).difference(self._sound)

    def _check_reference(self, page_url: str, reference: str):
        if any(pattern.search(reference) for pattern in self.ignore):
            return
        try:
            internal = self.internal_path(page_url, reference)
        except ValueError as err:
            yield str(err)
            return
        if internal is None:
            return
        site_path, fragment = internal
        target = self.file_for(site_path)
        if target is None:
            yield "not found in the site"
        elif (
            fragment not in IMPLICIT_FRAGMENTS
            and target.suffix == ".html"
            and unquote(fragment) not in self.page(target).anchors
        ):
            yield f"no element with id {unquote(fragment)!r} on that page"


def _html_problems(site: _Site, path: Path, shown: str):
    page = site.page(path)
    for error in page.errors:
        yield Problem(shown, "", error)
    page_url = site.base_path + "/" + shown
    # Each reference once a page (each broken target is reported once a page);
    # the ones known to be sound need no look (verify_site sorts what is found).
    for reference in site.unsound(page.references):
        for message in site.check_reference(page_url, reference):
            yield Problem(shown, reference, message)


ATOM = "{http://www.w3.org/2005/Atom}"


def _feed_links(root):
    """Article links of an Atom or RSS 2.0 feed, read with lxml.

    lxml rather than feedparser: feedparser also sanitises every item's HTML,
    which made it the slowest part of the check, and well-formed XML in the
    right vocabulary is all a feed reader needs from us here.
    """
    if root.tag == ATOM + "feed":
        for entry in root.iter(ATOM + "entry"):
            for link in entry.iter(ATOM + "link"):
                if link.get("rel", "alternate") == "alternate" and link.get("href"):
                    yield link.get("href")
    else:
        for item in root.iter("item"):
            link = (item.findtext("link") or "").strip()
            if link:
                yield link


def _feed_problems(site: _Site, path: Path, shown: str):
    try:
        root = etree.parse(str(path)).getroot()
    except etree.XMLSyntaxError as err:
        yield Problem(shown, "", f"is not a well-formed feed ({err})")
        return
    if root.tag not in (ATOM + "feed", "rss"):
        yield Problem(shown, "", f"is not a well-formed feed (root element {root.tag!r})")
        return
    for link in _feed_links(root):
        for message in site.check_reference(site.base_path + "/" + shown, link):
            yield Problem(shown, link, message)


def _json_feed_problems(site: _Site, path: Path, shown: str):
    try:
        feed = json.loads(path.read_bytes())
    except ValueError as err:
        yield Problem(shown, "", f"is not valid JSON ({err})")
        return
    if not str(feed.get("version", "")).startswith("https://jsonfeed.org/version/"):
        yield Problem(shown, "", "is not a JSON Feed (no jsonfeed.org version)")
        return
    for item in feed.get("items", []):
        link = item.get("url")
        if link:
            for message in site.check_reference(site.base_path + "/" + shown, link):
                yield Problem(shown, link, message)


def _sitemap_problems(site: _Site, path: Path, shown: str):
    try:
        tree = etree.fromstring(path.read_bytes())
    except etree.XMLSyntaxError as err:
        yield Problem(shown, "", f"is not well-formed XML ({err})")
        return
    for loc in tree.iter("{*}loc"):
        link = (loc.text or "").strip()
        for message in site.check_reference(site.base_path + "/" + shown, link):
            yield Problem(shown, link, message)


def verify_site(
    folder, site_url: str = "", ignore=(), cache_path=None, workers=None, fresh_above_mb=None
) -> list[Problem]:
    """Every broken thing in the built site in ``folder``, sorted by page; empty means sound.

    ``site_url`` is the site's SITEURL: absolute URLs that start with it are
    internal and must resolve too. ``ignore`` holds regular expressions of
    references not to check (a path served by another system). ``cache_path``
    keeps what each page's parse yields for the next call (None: no cache);
    ``workers``: processes for the pages to parse (default: every core);
    ``fresh_above_mb``: parse them in new processes rather than forked ones
    when this process holds more than that (MB resident; None: forked).
    """
    folder = Path(folder)
    files = site_listing(folder)
    site = _Site(folder, site_url, ignore, files)
    checked = []  # (how, Path, shown) for every file that is checked
    for shown in files:
        name = shown.rpartition("/")[2]
        suffix = posixpath.splitext(name)[1]
        if suffix == ".html":
            how = _html_problems
        elif FEED_NAME.search(name):
            how = _feed_problems
        elif suffix == ".json" and shown.startswith("feeds/"):
            how = _json_feed_problems
        elif SITEMAP_NAME.search(name) and "/" not in shown:
            how = _sitemap_problems
        else:
            continue
        checked.append((how, folder / shown, shown))
    parsed = ParsedPages(cache_path, workers, fresh_above_mb)
    site.load = parsed.load
    last = pages = None
    if cache_path:
        last = LastPassed(cache_path, site_url, ignore)
        # Pages, feeds and sitemaps alike: one whose bytes are those of the
        # last site that passed has nothing new to report.
        pages = {shown: (file_digest(path)[0], path) for _how, path, shown in checked}
        unchanged = last.unchanged(files, pages, parsed)
        checked = [job for job in checked if job[2] not in unchanged]
    # The pages the cache holds are checked while the others are parsed (in new
    # processes, in a big build); a check that needs a page still being parsed
    # (an anchor on it) waits for them.
    html = [path for how, path, _ in checked if how is _html_problems]
    found, rest = parsed.load_started(html)
    site._pages.update(found)
    waiting = set(html).difference(found)

    def load(path):
        if path in waiting:
            site._pages.update(rest())
            waiting.clear()
            return site._pages[path]
        return parsed.load(path)

    site.load = load
    first = [job for job in checked if job[1] not in waiting]
    later = [job for job in checked if job[1] in waiting]
    problems = []
    try:
        for how, path, shown in first:
            problems.extend(how(site, path, shown))
        site._pages.update(rest())
    except BaseException:
        rest.cancel()
        raise
    for how, path, shown in later:
        problems.extend(how(site, path, shown))
    if last is not None:
        parsed.prune(page_digest for page_digest, _ in pages.values())
        if problems:
            last.forget()
        else:
            last.save(files, site.targets(), pages)
    return sorted(set(problems))
