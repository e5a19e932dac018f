"""Search shards: one Pagefind bundle per year of the articles' dates, cached by content.

(A year with more articles than ``shard_max_pages`` is cut into month ranges:
:func:`shard_names`. Below, "year" stands for either.)

Indexing a deep archive in one Pagefind run costs time and memory in
proportion to the archive (10,000 articles: ~22 s and ~2.2 GB), and an edit to
one article re-indexed all of it. An archive year never changes once past, so
the pages are split by year and each year is a bundle of its own:

- ``/pagefind/`` holds the newest year's bundle, whole (the Pagefind UI,
  ``pagefind.js``, its WebAssembly), where the search page has always loaded it;
- ``/pagefind/<year>/`` holds each older year's index data only (entry, meta,
  ``index/``, ``fragment/``, ``filter/``): a merged index runs on the primary's
  code, so its own copy of the scripts would never be loaded;
- ``/pagefind/shards.json`` lists the older years, newest first, for the search
  page to merge with Pagefind's ``mergeIndex`` (a file, since the CSP allows no
  inline script).

Each shard's bundle is kept in a cache folder under a key that hashes all that
goes into it (every page's path and bytes, Pagefind's version, the indexing
options, this package's bundle rewriting), so a rebuild indexes only the years
whose pages changed and copies the others. An entry is written to a temporary
folder and renamed into place, with a manifest of every file's SHA-256 that is
checked on every reuse: an entry that an interrupted build or a bad disk left
incomplete or altered is dropped and that year indexed again. Entries the
build did not use are removed at the end, so the cache holds one site's worth.
"""

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

from kiosk_filecache import digest, known_digest, write_atomically

log = logging.getLogger(__name__)

# Pagefind keeps only pages with this attribute once one page has it; a shard
# made of such pages is indexed exactly as the whole site was.
MARKER = b"data-pagefind-body"
# Pages that are not an article of a known date (none in Kiosk's theme).
UNDATED = "undated"
MANIFEST = "manifest.json"
MARKS = "marks.json"  # {page digest: has the marker}, beside the entries
# Bump when what a cache entry holds or its key means changes
# (2: pages by kiosk_filecache.digest, not SHA-256).
FORMAT = 2
# Temporary folders younger than this may belong to a build running now.
STALE_TEMPORARY_SECONDS = 3600


def is_asset(relative: str) -> bool:
    """Pagefind's scripts, styles and WebAssembly: the same in every bundle."""
    name = relative.rsplit("/", 1)[-1]
    return name.endswith((".js", ".css")) or (
        name.startswith("wasm.") and name.endswith(".pagefind")
    )


def _known_page(path: str, marks: dict):
    """(has the body marker, digest of the page) if the build knows both, else None."""
    known = known_digest(path)
    if known is not None:
        marked = marks.get(known)
        if marked is not None:
            return marked, known
    return None


def _read_page(path: Path):
    """(has the body marker, digest of the page), from its bytes."""
    data = path.read_bytes()
    return MARKER in data, digest(data)


def group(output_path, files, years, marks=None) -> tuple[dict, dict]:
    """(``{shard: [(relative path, page digest)]}`` for the pages Pagefind will index,
    ``{page digest: has the body marker}`` for every page in ``files``).

    ``files`` are relative paths below ``output_path``; ``years`` maps an
    article's ``save_as`` to the year of its date. Pages without the body
    marker are left out, as Pagefind itself leaves them out once one page has
    it; if none has it, Pagefind indexes every page, and so one shard holds them.

    A page's digest is ``kiosk_filecache.digest`` of its bytes. ``marks`` is
    what an earlier build returned (``ShardCache.marks``): a page whose
    digest this build already knows (linked from the render memo:
    ``kiosk_filecache.known_digest``) and whose mark is there is not read.
    At N = 10,000 a one-edit rebuild read and hashed all 10,000 article pages
    (550 MB) to find the one that changed.
    """
    root = Path(output_path)
    files = list(files)
    marks = marks or {}
    # Known pages first, here (a stat each: a thread pool's futures for all
    # 10,000 cost more than the stats); the rest are read and hashed, which
    # releases the GIL: one thread per core.
    base = os.fspath(root)
    read = [_known_page(os.path.join(base, relative), marks) for relative in files]
    unknown = [index for index, found in enumerate(read) if found is None]
    if unknown:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for index, found in zip(unknown, pool.map(lambda i: _read_page(root / files[i]),
                                                      unknown), strict=True):  # fmt: skip
                read[index] = found
    shards, unmarked, found = {}, [], {}
    for relative, (marked, page_digest) in zip(files, read, strict=True):
        found[page_digest] = marked
        if marked:
            shards.setdefault(str(years.get(relative, UNDATED)), []).append((relative, page_digest))
        else:
            unmarked.append((relative, page_digest))
    return shards or {UNDATED: unmarked}, found


# Months a shard may span: a year, or the year cut into equal parts.
_SPANS = (12, 6, 4, 3, 2, 1)
_DATED = re.compile(r"\d{4}(-\d{2})?")


def shard_names(dates: dict, max_pages=None) -> dict:
    """``{save_as: shard}`` for article pages by their date (``{save_as: date}``).

    A shard is a year (``"2021"``). Pagefind's memory and time grow with the
    pages of one run (1,331 pages: 299 MB and 3.6 s; 656 pages: 150 MB and
    1.8 s), so a year with more than ``max_pages`` articles is cut into equal
    month ranges, each named by its first month (``"2021-01"``, ``"2021-07"``):
    the longest span that gives at most ``max_pages`` articles per range on
    average. ``max_pages`` None: one shard per year.
    """
    per_year = Counter(date.year for date in dates.values())
    spans = {}
    for year, count in per_year.items():
        fits = [span for span in _SPANS if max_pages is None or count * span <= max_pages * 12]
        spans[year] = fits[0] if fits else 1

    def name(date) -> str:
        span = spans[date.year]
        if span == 12:
            return str(date.year)
        return f"{date.year}-{(date.month - 1) // span * span + 1:02d}"

    return {save_as: name(date) for save_as, date in dates.items()}


def _is_dated(name: str) -> bool:
    return _DATED.fullmatch(name) is not None


def primary_shard(names) -> str:
    """The newest shard: the bundle the search page loads first, at ``/pagefind/``."""
    dated = [name for name in names if _is_dated(name)]
    return max(dated) if dated else min(names)  # "2021-07" > "2021-01" > "2020"


def merge_order(names) -> list:
    """The other shards, newest first, then any undated one."""
    primary = primary_shard(names)
    rest = [name for name in names if name != primary]
    dated = sorted((name for name in rest if _is_dated(name)), reverse=True)
    return dated + sorted(name for name in rest if not _is_dated(name))


def _source_digest() -> str:
    # The bundle a cache entry holds was made from copies.py's copies of the
    # pages, by indexing.py's command, and went through stable.py: new rules, new key.
    sources = [Path(__file__).with_name(name) for name in ("copies.py", "indexing.py",
                                                           "stable.py")]  # fmt: skip
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()


def _pagefind_version() -> str:
    versions = []
    for name in ("pagefind", "pagefind_bin", "pagefind_bin_extended"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{name}={metadata.version(name)}")
    # A binary named by the environment is another Pagefind, whatever is installed.
    return ";".join(versions) + ";" + os.environ.get("PAGEFIND_BINARY_PATH", "")


def shard_key(pages, options) -> str:
    """The cache key of a shard: its pages' paths and hashes, Pagefind and the options."""
    digest = hashlib.sha256()
    head = {"format": FORMAT, "pagefind": _pagefind_version(), "options": options,
            "stable": _source_digest()}  # fmt: skip
    digest.update(json.dumps(head, sort_keys=True).encode())
    for relative, page_digest in sorted(pages):
        digest.update(f"\n{relative}\0{page_digest}".encode())
    return digest.hexdigest()


def _link_or_copy(source, destination) -> None:
    try:
        os.link(source, destination)
    except OSError:  # another file system, or links not allowed: copy
        shutil.copyfile(source, destination)


def _files_below(folder: Path) -> list:
    found = []
    for top, _folders, files in os.walk(folder):
        prefix = os.path.relpath(top, folder).replace(os.sep, "/")
        found += [name if prefix == "." else f"{prefix}/{name}" for name in files]
    if not found and not os.path.isdir(folder):
        raise FileNotFoundError(folder)
    return sorted(found)


def _stat_stamp(path) -> list:
    """``[inode, size, modification time in ns]`` of ``path``, as a manifest keeps it."""
    found = os.stat(path)
    return [found.st_ino, found.st_size, found.st_mtime_ns]


class ShardCache:
    """Finished shard bundles by key: ``folder/<key>/manifest.json`` and ``…/bundle/``."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def marks(self) -> dict:
        """``{page digest: has the body marker}`` as the last build left it (``group``)."""
        try:
            marks = json.loads((self.folder / MARKS).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(marks, dict):
            return {}
        return {k: v for k, v in marks.items() if isinstance(k, str) and isinstance(v, bool)}

    def keep_marks(self, marks: dict) -> None:
        """Keep ``marks`` for the next build, written whole or not at all."""
        try:
            write_atomically(self.folder / MARKS, json.dumps(marks, separators=(",", ":")).encode())
        except OSError as err:  # a full disk: the next build reads the pages again
            log.debug("kiosk_search: page marks not kept (%s)", err)

    def __len__(self) -> int:
        """How many entries the cache holds (whole or not)."""
        with os.scandir(self.folder) as found:
            return sum(1 for entry in found if entry.name != MARKS and entry.name[0] != ".")

    def has(self, key: str) -> bool:
        """Whether an entry under ``key`` was stored (``fetch`` still checks it whole)."""
        return (self.folder / key / MANIFEST).is_file()

    def fetch(self, key: str, target: Path, leave=None) -> bool:
        """Hard-link the entry's bundle into ``target`` (a new folder) if it is whole and intact.

        ``leave``: a test of a file's relative path; the files it passes are
        not linked (an older shard's copy of Pagefind's scripts, which the
        site does not keep), though the entry must still hold them.

        Every file is checked against the manifest first; an entry that fails
        is removed, and ``target`` is left absent. A file whose inode, size
        and modification time are still those the manifest kept when it was
        stored is not read again (as ``kiosk_filecache.LinkedEntries`` trusts
        its entries): a reused year's bundle is thousands of small files, and
        hashing them took ≈ 0.9 s of a 10,000-article rebuild under cProfile.
        Links, not copies: nothing writes into the bundle's files after this
        (kiosk_publish replaces a file rather than write through a link), and
        an entry altered through a link anyway gets a new modification time
        and fails the hash on its next use.
        """
        entry = self.folder / key
        try:
            manifest = json.loads((entry / MANIFEST).read_text("utf-8"))
            expected = manifest["files"]
            stored = manifest.get("stats") or {}
            bundle = str(entry / "bundle")
            if _files_below(Path(bundle)) != sorted(expected):
                raise ValueError("other files than its manifest lists")
            for folder in sorted({os.path.dirname(relative) for relative in expected}):
                os.makedirs(os.path.join(target, folder), exist_ok=True)
            for relative in sorted(expected):
                if leave is not None and leave(relative):
                    continue
                source = os.path.join(bundle, relative)
                if _stat_stamp(source) != stored.get(relative):
                    with open(source, "rb") as handle:
                        if hashlib.file_digest(handle, "sha256").hexdigest() != expected[relative]:
                            raise ValueError(f"{relative} does not match its manifest")
                _link_or_copy(source, os.path.join(target, relative))
            return True
        except FileNotFoundError:
            if entry.exists():  # an entry without its manifest or a file: not to be trusted
                log.warning("kiosk_search: cache entry %s is incomplete, indexing again", key[:12])
                self._remove(entry)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            log.warning("kiosk_search: cache entry %s is not trusted (%s)", key[:12], err)
            self._remove(entry)
        shutil.rmtree(target, ignore_errors=True)
        return False

    def store(self, key: str, bundle: Path) -> None:
        """Keep a copy of ``bundle`` under ``key``; a failure only costs a later build time."""
        temporary = None
        try:
            temporary = Path(tempfile.mkdtemp(dir=self.folder, prefix=".tmp-"))
            # Links, as in fetch(): the bundle's files are final once stabilised.
            shutil.copytree(bundle, temporary / "bundle", copy_function=_link_or_copy)
            files, stats = {}, {}
            for relative in _files_below(temporary / "bundle"):
                path = temporary / "bundle" / relative
                with open(path, "rb") as handle:
                    files[relative] = hashlib.file_digest(handle, "sha256").hexdigest()
                stats[relative] = _stat_stamp(path)
            manifest = {"files": files, "stats": stats}
            (temporary / MANIFEST).write_text(json.dumps(manifest, indent=0), "utf-8")
            # The rename is the commit: before it, no build looks at the entry.
            os.rename(temporary, self.folder / key)
            temporary = None
        except OSError as err:  # a full disk, or a concurrent build stored it first
            log.debug("kiosk_search: shard not cached (%s)", err)
        finally:
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)

    def prune(self, used) -> int:
        """Remove every entry this build did not use, and stale temporary folders."""
        removed = 0
        now = time.time()
        for path in self.folder.iterdir():
            if path.name in used or path.name == MARKS:
                continue
            if path.name.startswith(".tmp-"):
                try:
                    if now - path.stat().st_mtime < STALE_TEMPORARY_SECONDS:
                        continue  # perhaps a concurrent build's entry in the making
                except OSError:
                    continue
            self._remove(path)
            removed += 1
        return removed

    def _remove(self, path: Path) -> None:
        # Renamed away first, so a build copying it at this moment sees it
        # vanish whole (and indexes again) rather than copy a half-removed entry.
        try:
            trash = Path(tempfile.mkdtemp(dir=self.folder, prefix=".old-"))
            os.rename(path, trash / "entry")
        except OSError:
            trash = path
        if trash.is_dir():
            shutil.rmtree(trash, ignore_errors=True)
        else:
            trash.unlink(missing_ok=True)
