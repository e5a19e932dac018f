"""What kiosk_publish and kiosk_verify share to do only new work on a rebuild.

Both steps compute something from each file's bytes alone (minified HTML,
compressed siblings, what a page's parse yields). A rebuild usually changes one
article, so both keep their results in a cache folder under a digest of the
bytes they came from, and redo only files whose bytes are new. The pieces:

* ``digest(data)``: BLAKE2b-256, the key. Measured on the 2,126 text files of
  the N = 1,000 site (80 MB): SHA-256 0.40 s, BLAKE2b 0.23 s, SHA-1 0.18 s
  (not collision-safe), CRC-32 0.05 s (not a key). Each file is hashed at
  most once per build: the build's writer ``remember``s the digest of each
  page it links from the render memo (which keeps it with the page), and
  kiosk_search and kiosk_publish take it from there; kiosk_publish remembers
  the digest of every file it leaves, and kiosk_verify takes it from there;
  each only while the file is untouched (``known_digest``).
* ``EntryStore``: one folder of entries, each written to a temporary file and
  renamed (an interrupted build leaves no half-written entry under a real
  name), each checked when read (length and CRC-32 of the payload; a corrupt
  or truncated entry is a miss, never an answer), and pruned to what the last
  build used, so it holds one site's worth.
* ``LinkedEntries`` and ``link_or_copy``: a cached file (a compressed
  sibling, a minified page) becomes an output file by hard link when both
  are on one filesystem (no bytes written), else by copy. A link target is
  always replaced, never written through, so the cache cannot be changed
  from the output folder by this code; and each such file is checked
  against its checksum entry before it is used, so a change made through a
  link by anything else is a miss. A file whose inode, size and modification
  time are still those it had when written is taken as checked without being
  read (a write through a link gives it a new time); any other is read and
  checked against its CRC-32.
* ``StoredText`` and ``LinkingWriter``: a page the render memo kept as a
  file (kiosk_incremental) comes back as a ``str`` that names that file, and
  the build's Pelican writer links it into the output instead of writing it
  (while it writes, the memo need not even read it: ``unread_text``).
* ``map_forked``: the misses, spread over every core in forked processes.
  minify-html and lxml hold the GIL (2 threads: 3.70 s against 3.65 s for one
  on the site's 1,991 pages), so threads would not help; ``fork`` shares the
  build's memory (the rewriter, the settings) without pickling it (kiosk_verify).
* ``map_fresh``: the same in new Python processes while the build waits, for
  work that allocates as it goes (kiosk_publish): at N = 10,000 it keeps the
  publish stretch at the build plus ~80 MB a worker.

And ``site_listing(root)``: every file of a built site, sorted, which each
step lists once per build.

Pelican is imported on demand, here and in every module a fresh worker
imports (kiosk_memory, kiosk_publish, kiosk_verify): its package brings its
generators, readers and docutils, 0.18 s and about 20 MB resident in each
worker, which uses none of them.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import io
import itertools
import marshal
import os
import pickle
import signal
import struct
import subprocess
import sys
import tempfile
import traceback
import zlib
from pathlib import Path

from kiosk_memory import give_back
from kiosk_staging import folder_exists

MAGIC = b"KFC1"
HEADER = struct.Struct("<4sIQ")  # magic, CRC-32 of the payload, its length
# Below this many items a fork costs more than it saves.
MIN_FORK_ITEMS = 8


def site_listing(root) -> list[str]:
    """Every regular file under ``root`` (symlinks to files included), as sorted
    relative POSIX paths (``"europe/index.html"``).

    What ``os.walk`` lists (a folder's own listing tells files from folders,
    so there is no stat per file; a symlink to a folder is not entered; an
    unreadable folder is skipped), as strings, not Paths. One ``scandir`` per
    folder, without ``os.walk``'s lists and ``relpath`` per folder: on the
    64,963 files (12,000 folders) of an N = 10,000 site, 0.44-0.46 s → 0.20-
    0.22 s (the Path version took 1.3 s, ``rglob("*")`` + ``is_file()``
    1.8-2.3 s). Each step that lists a site (kiosk_publish, kiosk_headers,
    kiosk_verify) makes a Path only of the files it opens.
    """
    files = []
    add = files.append
    pending = [("", os.fspath(root))]
    while pending:
        prefix, folder = pending.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    add(prefix + entry.name)
                elif not entry.is_symlink():
                    pending.append((prefix + entry.name + "/", entry.path))
    files.sort()
    return files


def write_atomically(path, data: bytes, temporary_prefix=".tmp-") -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed.

    A reader sees the old file or the new one, never half of one. OSError is
    the caller's to handle.
    """
    folder = os.path.dirname(os.fspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=temporary_prefix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


def write_sealed(path, magic: bytes, payload: bytes, temporary_prefix=".tmp-") -> None:
    """Write ``magic``, the SHA-256 of ``payload``, then ``payload`` to ``path``, atomically.

    For caches kept as one file (kiosk_editorial's memo, kiosk_readcache's
    notes): see ``write_atomically``. OSError is the caller's to handle.
    """
    write_atomically(path, magic + hashlib.sha256(payload).digest() + payload, temporary_prefix)


def read_sealed(path, magic: bytes) -> memoryview | None:
    """The payload :func:`write_sealed` wrote at ``path``; None if missing, foreign or damaged."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = len(magic)
    if not data.startswith(magic) or len(data) < head + 32:
        return None
    payload = memoryview(data)[head + 32 :]
    if hashlib.sha256(payload).digest() != data[head : head + 32]:
        return None
    return payload


def digest(data: bytes) -> str:
    """The key of ``data``: BLAKE2b-256, hex."""
    return hashlib.blake2b(data, digest_size=32).hexdigest()


def variant(*parts) -> str:
    """A short name for everything besides the bytes that shapes a result."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=5).hexdigest()


def source_digest(*paths) -> str:
    """The digest of some source files: a code change makes other keys."""
    return digest(b"\0".join(Path(path).read_bytes() for path in paths))


_STAMP = struct.Struct("<QQQqq")


def stat_stamp(st: os.stat_result) -> bytes:
    """What changes whenever a file is written or replaced: inode, device, size, times.

    Packed (73 bytes an object, against ~450 for a tuple of five ints): a
    build keeps one for each of its 65,000 files at N = 10,000.
    """
    return _STAMP.pack(st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


# --- digests shared within one build -------------------------------------------

_KNOWN: dict[str, tuple[str, bytes]] = {}


def forget() -> None:
    """Drop every remembered digest (a new build is starting)."""
    _KNOWN.clear()


def remember(path, key: str, stamp: bytes) -> None:
    """``path`` holds bytes whose digest is ``key``, as long as its ``stat_stamp`` is ``stamp``."""
    _KNOWN[os.fspath(path)] = (key, stamp)


def known_digest(path) -> str | None:
    """The remembered digest of the file at ``path``, if it is still the file it was then.

    Still the same file: the inode, size, mtime and ctime it had when
    remembered (any write or replacement changes one of them).
    """
    path = os.fspath(path)
    known = _KNOWN.get(path)
    if known is not None:
        try:
            if stat_stamp(os.stat(path)) == known[1]:
                return known[0]
        except OSError:
            pass
    return None


def file_digest(path) -> tuple[str, bytes | None]:
    """(digest of the file's bytes, the bytes if they had to be read, else None).

    A remembered digest is used while the file is the one it was remembered
    for (``known_digest``).
    """
    known = known_digest(path)
    if known is not None:
        return known, None
    data = Path(path).read_bytes()
    return digest(data), data


# --- the cache folder ----------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once, while the build is still single-threaded: os.umask sets as it reads.
FILE_MODE = 0o666 & ~_umask()
# Temporary names: unique within a process by the counter, across processes
# by the pid, and across a pid's reuse (a crashed build's leftovers) by the token.
_TOKEN = os.urandom(4).hex()
_TEMPORARIES = itertools.count()


class EntryStore:
    """Entries ``name -> bytes`` in ``folder``: atomic writes, checked reads, pruning."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.folder / name

    def write_raw(self, name: str, data: bytes) -> bool:
        """Write ``data`` under ``name`` as it is (so it can be hard-linked); False if not.

        A new file renamed into place: a file of the output linked to the old
        one keeps its bytes. Written with ``os.write`` (a cold render at N =
        10,000 writes 17,920 of these, and a Python file object for each was
        a fifth of the time).
        """
        folder = os.fspath(self.folder)
        temporary = os.path.join(folder, f".tmp-{os.getpid()}-{_TOKEN}-{next(_TEMPORARIES)}")
        try:
            # The mode a plain write would give, as a link shares it with the output.
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view) :]
            finally:
                os.close(handle)
            os.replace(temporary, os.path.join(folder, name))
            return True
        except OSError:  # a full disk, or a concurrent build's prune: costs a later build time
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            return False

    def write(self, name: str, payload: bytes) -> bool:
        """Write ``payload`` under ``name`` with a header that lets a read check it."""
        header = HEADER.pack(MAGIC, zlib.crc32(payload), len(payload))
        return self.write_raw(name, header + payload)

    def read(self, name: str) -> bytes | None:
        """The payload written under ``name``, or None if missing, truncated or corrupt."""
        try:
            data = (self.folder / name).read_bytes()
        except OSError:
            return None
        if len(data) < HEADER.size:
            return None
        magic, crc, length = HEADER.unpack_from(data)
        payload = data[HEADER.size :]
        if magic != MAGIC or length != len(payload) or zlib.crc32(payload) != crc:
            return None
        return payload

    def prune(self, used: set) -> None:
        """Remove every entry (and stray temporary file) whose key this build did not use.

        An entry's key is its name up to the first dot.
        """
        for path in self.folder.iterdir():
            if path.name.split(".", 1)[0] not in used and path.is_file():
                path.unlink(missing_ok=True)


class LinkedEntries:
    """Files kept as they are, so that an output file can be a hard link to one.

    A group of files under one key (``key.gz`` and ``key.br``, say) is
    written as it is, then a checksum entry ``key.sum`` (after ``extra`` bytes
    the caller keeps with them, each file's length, CRC-32, inode and
    modification time as written). A read checks every file against it, so a
    file changed behind the cache's back (written through a link from the
    output, truncated by a full disk) is a miss, never an answer. A file
    whose inode, size and time are unchanged is not read: nothing has written
    to it since, short of a write of the same length within the clock tick
    that created it, which this code never makes. (A rebuild at N = 10,000
    would otherwise read and check 785 MB of cache, 3.0 s warm and 9.4 s
    from disk, only to link it.) Its bytes are then None in what ``get``
    returns; ``link`` and ``read`` take them from the file when needed.
    """

    ITEM = struct.Struct("<QIQq")

    def __init__(self, store: EntryStore, suffixes: tuple[str, ...], known: dict | None = None):
        """``known``: checksum entries by key, as an earlier build kept them (a
        :class:`SumsIndex`), tried before each ``key.sum`` file."""
        self.store = store
        self.suffixes = suffixes
        self.known = {} if known is None else known
        # Checksum entries this object read from their file or wrote, by key:
        # what ``known`` lacked, for the caller's next index.
        self.learned = {}

    def get(self, key: str, extra_size: int = 0, sums: bytes | None = None):
        """(the files' bytes, None where unchanged and unread; the extra bytes), or None.

        None if the cache has no sound group under ``key``. ``sums``: the
        group's checksum entry as ``put`` or ``sums`` gave it, kept by the
        caller, instead of reading ``key.sum`` again (the files are checked
        against it all the same). Without it, the entry ``known`` has for
        ``key`` is tried first, then the file ``key.sum``.
        """
        if sums is None:
            known = self.known.get(key)
            found = None if known is None else self._check(key, extra_size, known)
            if found is not None:
                return found
            sums = self.sums(key)
            found = None if sums is None else self._check(key, extra_size, sums)
            if found is not None and sums != known:
                self.learned[key] = sums
            return found
        return self._check(key, extra_size, sums)

    def _check(self, key: str, extra_size: int, sums: bytes):
        if len(sums) != extra_size + self.ITEM.size * len(self.suffixes):
            return None
        found = []
        for index, suffix in enumerate(self.suffixes):
            offset = extra_size + index * self.ITEM.size
            size, crc, inode, mtime = self.ITEM.unpack_from(sums, offset)
            path = self.store.path(key + suffix)
            try:
                stat = os.stat(path)
                if (stat.st_ino, stat.st_size, stat.st_mtime_ns) == (inode, size, mtime):
                    found.append(None)
                    continue
                data = path.read_bytes()
            except OSError:
                return None
            if len(data) != size or zlib.crc32(data) != crc:
                return None
            found.append(data)
        return found, bytes(sums[:extra_size])

    def sums(self, key: str) -> bytes | None:
        """The checksum entry of the group under ``key``, or None (missing or damaged)."""
        return self.store.read(key + ".sum")

    def read(self, key: str, suffix: str, data: bytes | None) -> bytes:
        """``data``, or if that is None (unchanged, unread) the file's bytes."""
        return self.store.path(key + suffix).read_bytes() if data is None else data

    def put(self, key: str, blobs, extra: bytes = b"", sum_file: bool = True) -> bytes | None:
        """Keep the files for later builds (the checksum last).

        Returns the checksum entry written (for a later ``get``), or None if
        they could not be kept. ``sum_file=False``: the caller keeps the
        entry in an index of its own, and no ``key.sum`` is written (a
        ``get`` without ``sums`` then finds nothing under ``key``).
        """
        items = []
        for suffix, data in zip(self.suffixes, blobs, strict=True):
            if not self.store.write_raw(key + suffix, data):
                return None
            try:
                stat = os.stat(self.store.path(key + suffix))
            except OSError:
                return None
            items.append(self.ITEM.pack(len(data), zlib.crc32(data), stat.st_ino,
                                        stat.st_mtime_ns))  # fmt: skip
        sums = extra + b"".join(items)
        if sum_file and not self.store.write(key + ".sum", sums):
            return None
        self.learned[key] = sums
        return sums

    def link(self, key: str, targets, blobs) -> None:
        """Make each target a hard link to its file of the group (a copy across filesystems)."""
        for suffix, target, data in zip(self.suffixes, targets, blobs, strict=True):
            link_or_copy(self.store.path(key + suffix), target, data)


class SumsIndex:
    """The checksum entries of a :class:`LinkedEntries` cache in one file, for the next build.

    A rebuild of an unchanged site looks up every entry, and each ``key.sum``
    file is an open and a read (two per page for publish, 58,000 at N =
    10,000). The index gives ``LinkedEntries`` those entries at once; each is
    still checked against the files it describes, and an entry the index
    lacks or that no longer holds is read from its file. A missing, foreign
    or damaged index is an empty one.
    """

    MAGIC = b"kiosk-sums-index-1\n"

    def __init__(self, path):
        self.path = Path(path)

    def load(self) -> dict[str, bytes]:
        payload = read_sealed(self.path, self.MAGIC)
        if payload is None:
            return {}
        try:
            entries = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def save(self, entries: dict[str, bytes]) -> None:
        """Keep ``entries`` (a failure only costs the next build its reads)."""
        with contextlib.suppress(OSError):
            write_sealed(self.path, self.MAGIC, marshal.dumps(entries))


def link_or_copy(source: Path, target: Path, data: bytes | None = None) -> None:
    """Make ``target`` a file with ``source``'s bytes: a hard link, else a copy.

    An existing ``target`` (perhaps itself a link into the cache) is unlinked
    and replaced, never written through. The link is tried first: usually
    there is no such file (a new output folder), and a first unlink was one
    more system call for every page.
    """
    try:
        try:
            os.link(source, target)
        except FileExistsError:
            os.unlink(target)
            os.link(source, target)
    except OSError:  # another filesystem, or links not allowed: copy
        target.unlink(missing_ok=True)
        target.write_bytes(source.read_bytes() if data is None else data)


class StoredText(str):
    """A text whose UTF-8 bytes are already the file ``stored`` (a cache entry).

    Every use sees a plain ``str``; a writer with :class:`LinkingWriter`
    makes the output file a hard link to ``stored`` instead of writing it.
    """

    stored: Path
    digest: str | None = None  # of the stored bytes (``digest``), if known
    unread = False


def stored_text(text: str, stored: Path, digest: str | None = None) -> StoredText:
    value = StoredText(text)
    value.stored = stored
    value.digest = digest
    return value


def unread_text(stored: Path, digest: str | None = None) -> StoredText:
    """A stored text that was not read: **empty** as a ``str``, and only for a LinkingWriter.

    The render memo gives one back only while a :class:`LinkingWriter`
    writes a page (``links_taken()``): Pelican's writer hands a page's text
    straight to the file it opened, which links it, or where it cannot,
    reads the stored bytes and writes those. A rebuild at N = 10,000 reused
    17,920 pages and read 1 GB of them only to link the files they came from.
    """
    value = StoredText()
    value.stored = stored
    value.digest = digest
    value.unread = True
    return value


_TAKING_LINKS = []  # the LinkingWriters inside write_file now


def links_taken() -> bool:
    """True while a :class:`LinkingWriter` renders and writes a page: see ``unread_text``."""
    return bool(_TAKING_LINKS)


class LinkingWriter:
    """A mixin for Pelican's ``Writer``: a :class:`StoredText` page is linked, not written.

    The render memo (kiosk_incremental) keeps each page's text as a file; a
    page it gives back is linked into the output from there, so a rebuild
    writes no bytes for the pages it did not render again, and a cold build
    writes each page once, not once to the cache and once to the output.
    A feed the memo kept (kiosk_feeds) is linked the same way; anything else
    (a feed made now, a text of another kind) is written as Pelican writes
    it. A file already there with other links is unlinked first, so
    nothing is ever written through a link into the cache.

    Inside ``write_file``, Pelican renders each page and passes the text to
    the file opened here and to nothing else, so the memo may give back an
    ``unread_text`` there (``links_taken()``).
    """

    def write_file(self, *args, **kwargs):
        from pelican import writers as pelican_writers  # on demand: see the module docstring

        _TAKING_LINKS.append(self)
        # Pelican makes each page's folder before writing it; most are folders of
        # the skeleton this build started from (kiosk_staging.folder_exists).
        pelican_writers.os = _FoldersKnown(pelican_writers.os)
        try:
            return super().write_file(*args, **kwargs)
        finally:
            pelican_writers.os = pelican_writers.os.os
            _TAKING_LINKS.pop()

    def _open_w(self, filename, encoding, override=False):
        # Pelican writes to os.devnull instead when an earlier write overrides this one.
        if filename not in self._overridden_files:
            try:
                if os.stat(filename).st_nlink > 1:
                    os.unlink(filename)
            except FileNotFoundError:
                pass
        # Pelican's bookkeeping (a file written twice, an override) as it is,
        # but its open() only later, if at all: a page that becomes a link
        # needs no empty file made and unlinked first (17,920 of them in a
        # rebuild at N = 10,000). Its ``open`` is the only one in the module.
        from pelican import writers as pelican_writers  # on demand: see the module docstring

        pelican_writers.open = _Deferred
        try:
            handle = super()._open_w(filename, encoding, override)
        finally:
            del pelican_writers.open
        return _LinkingFile(handle, filename)


class _FoldersKnown:
    """``os`` for Pelican's writer: ``makedirs`` of a folder known to exist does nothing.

    Everything else is ``os`` as it was (in a render helper, the module's
    stand-in that makes no folder: kiosk_incremental.parallel).
    """

    def __init__(self, os_module):
        self.os = os_module
        self.path = os_module.path

    def makedirs(self, name, mode=0o777, exist_ok=False):
        if not (exist_ok and folder_exists(name)):
            self.os.makedirs(name, mode, exist_ok)

    def __getattr__(self, name):
        return getattr(self.os, name)


class _Deferred:
    """An ``open(...)`` call kept for later: what Pelican's ``_open_w`` returns inside ours."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.name = args[0]

    def __call__(self):
        return open(*self.args, **self.kwargs)  # noqa: SIM115 - the caller closes it


class _LinkingFile(io.TextIOBase):
    """What ``LinkingWriter._open_w`` returns: Pelican's file, or a link for a ``StoredText``.

    Pelican's file is opened on the first write of anything else (or on
    closing, if nothing was written: an empty file, as Pelican leaves it). A
    text stream (feeds are written through ``xml.sax``, which wraps anything
    else as a binary one).
    """

    def __init__(self, handle, filename):
        super().__init__()
        self.pending = handle if isinstance(handle, _Deferred) else None
        self.handle = None if self.pending else handle
        self.target = handle.name  # os.devnull when Pelican skips the file
        self.filename = filename
        self.linked = False

    def _opened(self):
        if self.handle is None:
            self.handle = self.pending()
        return self.handle

    def flush(self):
        if self.handle is not None and not self.handle.closed:
            self.handle.flush()

    def close(self):
        if not self.closed:
            if self.handle is None and not self.linked:
                self._opened()  # nothing was written: the empty file Pelican would leave
            if self.handle is not None:
                self.handle.close()
        super().close()

    def write(self, text):
        stored = getattr(text, "stored", None)
        # The stored bytes are the text's UTF-8 with "\n" line ends: what
        # Pelican's text-mode write gives only where os.linesep is "\n".
        if stored is None or self.target != self.filename or os.linesep != "\n":
            if stored is not None and text.unread:
                text = Path(stored).read_bytes().decode("utf-8")
            return self._opened().write(text)
        if self.handle is not None:
            self.handle.close()  # a file already opened here is replaced
        link_or_copy(Path(stored), Path(self.filename))
        self.linked = True
        if text.digest is not None:
            # The later steps (Pagefind's shards, publish) need not read it to know it.
            remember(self.filename, text.digest, stat_stamp(os.stat(self.filename)))
        return len(text)  # 0 for an unread text: nobody counts


# --- every core ------------------------------------------------------------------


def workers_available() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def map_forked(function, items, workers=None, min_items=MIN_FORK_ITEMS) -> list:
    """``[function(item) for item in items]``, spread over ``workers`` processes.

    This process takes one share and forks a child for each other share. Each
    takes the items at its own stride (the lists are sorted, so big and small
    files mix); a child sends back its results pickled through a temporary
    file. A child ignores Ctrl-C: the build's process gets it and stops the
    children. An exception in a child is raised here; a child that dies
    without one fails the build. With one worker, few items, or no ``fork``,
    the items are done here, in order.

    Memory: the build's objects are frozen out of the collector while the
    children run, so a child's collections do not write to (and make the
    kernel copy) every page it shares with this process; and no process sits
    idle holding a copy (at N = 10,000 a cold build peaked with three python
    processes of 760-830 MB each: this one waiting, two children working).
    Cold N = 1,000 build, two alternating pairs: summed RSS 457 -> 331 MB,
    PSS 223 -> 207 MB.
    """
    items = list(items)
    workers = min(workers or workers_available(), len(items))
    if workers < 2 or len(items) < min_items or not hasattr(os, "fork"):
        return [function(item) for item in items]
    sys.stdout.flush()
    sys.stderr.flush()
    give_back()  # free pages this process still holds would count in the child too
    # Frozen already (kiosk_memory, after ``finalized``): it stays so.
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        with tempfile.TemporaryDirectory(prefix="kiosk-fork-") as scratch:
            children = {}
            try:
                for index in range(1, workers):
                    result_file = Path(scratch) / f"{index}.pickle"
                    pid = os.fork()
                    if pid == 0:  # the child: never returns
                        _child(function, items[index::workers], result_file)
                    children[pid] = (index, result_file)
                results = [None] * workers
                results[0] = [function(item) for item in items[0::workers]]
                for pid in list(children):
                    _, status = os.waitpid(pid, 0)
                    index, result_file = children.pop(pid)
                    results[index] = _collect(result_file, status)
            except BaseException:
                for pid in children:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                    except OSError:
                        pass
                raise
    finally:
        if not frozen_before:
            gc.unfreeze()
    ordered = [None] * len(items)
    for index, part in enumerate(results):
        ordered[index::workers] = part
    return ordered


def _child(function, items, result_file: Path):
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if _write_outcome(lambda: [function(item) for item in items], result_file):
            code = 0
    finally:
        os._exit(code)


def _write_outcome(share, result_file) -> bool:
    """Run ``share()`` and write its results, or its exception, for ``_collect``; True if ok."""
    try:
        outcome = ("ok", share())
    except BaseException as err:  # sent to the build's process, raised there
        outcome = ("error", err, traceback.format_exc())
    try:
        data = pickle.dumps(outcome)
    except Exception:  # an exception that does not pickle: its text
        data = pickle.dumps(("error", None, outcome[-1]))
    Path(result_file).write_bytes(data)
    return outcome[0] == "ok"


def _collect(result_file: Path, status: int):
    try:
        outcome = pickle.loads(result_file.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError):
        raise RuntimeError(f"a worker process died (wait status {status})") from None
    if outcome[0] == "ok":
        return outcome[1]
    _, err, text = outcome
    if err is None:
        raise RuntimeError(f"a worker process failed:\n{text}")
    raise err


# --- every core, in fresh processes -----------------------------------------------

_FRESH_WORKER = (
    "import json, os, sys; sys.path[:0] = json.loads(os.environ['KIOSK_FRESH_PATH']); "
    "import kiosk_filecache; kiosk_filecache._fresh_child(sys.argv[1], sys.argv[2])"
)


def map_fresh(factory: str, args: tuple, items, workers=None, min_items=MIN_FORK_ITEMS) -> list:
    """``[function(item) for item in items]`` with ``function = factory(*args)``, on every core.

    Like ``map_forked``, but each share runs in a new Python process
    (``factory`` is "module:name", imported there; ``args`` and the items are
    pickled) while this one waits. For work that allocates a lot as it goes
    (minifying and compressing every page): a forked child would allocate into
    the holes of the build's heap, and so copy the pages it shares with the
    build, and the build would grow as much again doing its own share. At N =
    10,000 both had grown by ~100 MB each by the end of publish, on top of the
    ~465 MB they shared; a fresh process starts at ~70 MB and levels off at
    ~100 MB (3,000 pages minified and compressed, then 12,000: +29, +31 MB).
    An exception in a worker is raised here; a worker that dies without one
    fails the call. With one worker or few items, the items are done here.
    """
    return map_fresh_started(factory, args, items, workers, min_items)()


def map_fresh_started(factory: str, args: tuple, items, workers=None, min_items=MIN_FORK_ITEMS):
    """:func:`map_fresh` begun now: a function that waits for its results, in order.

    The new processes work while this one goes on with something else (they
    are killed at exit if nobody asks, or by the function's ``cancel``);
    calling the function again gives the same list. With one worker or few
    items, the function does the items here, when it is called.
    """
    items = list(items)
    workers = min(workers or workers_available(), len(items))
    results = []

    if workers < 2 or len(items) < min_items:

        def here() -> list:
            if not results:
                function = import_factory(factory)(*args)
                results.append([function(item) for item in items])
            return results[0]

        return here
    jobs = []
    try:
        for index in range(workers):
            jobs.append(FreshJob(factory, args, items[index::workers]))
    except BaseException:
        for job in jobs:
            job.cancel()
        raise

    def collected() -> list:
        if not results:
            try:
                parts = [job.result() for job in jobs]
            finally:
                for job in jobs:
                    job.cancel()
            ordered = [None] * len(items)
            for index, part in enumerate(parts):
                ordered[index::workers] = part
            results.append(ordered)
        return results[0]

    def cancel() -> None:
        for job in jobs:
            job.cancel()

    collected.cancel = cancel
    return collected


class ScratchProcess:
    """A process started with a scratch folder of its own, both for its starter to end.

    :meth:`cancel` kills the process if it still runs and removes the folder,
    in the process that started it only (a forked child inherits the object
    and its exit handlers); it runs at exit if nobody called it before.
    """

    def __init__(self, scratch: tempfile.TemporaryDirectory, process: subprocess.Popen):
        self._owner = os.getpid()
        self._scratch = scratch
        self._process = process
        atexit.register(self.cancel)

    def cancel(self) -> None:
        """Stop the process if it still runs, and remove its folder."""
        if os.getpid() != self._owner or self._scratch is None:
            return
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._scratch.cleanup()
        self._scratch = None
        atexit.unregister(self.cancel)


class FreshJob(ScratchProcess):
    """``[function(item) for item in items]`` in a new Python process, started now.

    As one share of :func:`map_fresh`, but this process goes on with its own
    work and asks for the results later (:meth:`result`). ``nice``: the
    process's niceness, for work that must not slow the build's own. A
    ``stoppable`` job looks for a stop file before each item (a ``stat``):
    :meth:`stop` asks it to stop after the item in hand, and its results are
    then those of the items done. :meth:`cancel` kills a job whose results
    are no longer wanted; a job never asked for is killed when this process
    exits.
    """

    def __init__(self, factory: str, args: tuple, items, nice: int = 0, stoppable: bool = False):
        scratch = tempfile.TemporaryDirectory(prefix="kiosk-fresh-")
        job = Path(scratch.name, "job")
        self._result = Path(scratch.name, "result")
        self._stop = Path(scratch.name, "stop")
        stop = str(self._stop) if stoppable else None
        job.write_bytes(pickle.dumps((factory, args, list(items), stop, nice)))
        env = {**os.environ, "KIOSK_FRESH_PATH": fresh_import_path(factory)}
        command = [sys.executable, "-c", _FRESH_WORKER, str(job), str(self._result)]
        super().__init__(scratch, subprocess.Popen(command, env=env))

    def stop(self) -> None:
        """Ask the job to stop after the item in hand (see :meth:`result`)."""
        if self._scratch is not None:
            self._stop.touch()

    def result(self) -> list:
        """Wait for the job: its results, or the exception it raised."""
        try:
            status = self._process.wait()
            return _collect(self._result, status)
        finally:
            self.cancel()


def fresh_import_path(factory: str) -> str:
    """This process's import path as JSON, led by the folders of this module and of
    ``factory``'s: for a fresh process to import ``factory`` (``KIOSK_FRESH_PATH``).

    Pelican puts plugin folders on the path only while it imports plugins.
    """
    import json

    module = sys.modules[factory.partition(":")[0]]
    depth = module.__name__.count(".") + (Path(module.__file__).name == "__init__.py")
    top = Path(module.__file__).parents[depth]
    first = [str(Path(__file__).parent), str(top)]
    return json.dumps(first + [entry for entry in sys.path if entry and entry not in first])


def import_factory(factory: str):
    """The object ``factory`` ("module:name") names."""
    import importlib

    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name)


def _fresh_child(job: str, result: str) -> None:
    """The process of a ``FreshJob`` (and so of ``map_fresh``): run the job in ``job``,
    write the outcome to ``result``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build gets Ctrl-C and stops us
    factory, args, items, stop, nice = pickle.loads(Path(job).read_bytes())
    if nice and hasattr(os, "nice"):
        os.nice(nice)

    def share():
        function = import_factory(factory)(*args)
        done = []
        for item in items:
            if stop is not None and os.path.exists(stop):
                break
            done.append(function(item))
        return done

    _write_outcome(share, result)
