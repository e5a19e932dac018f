"""The cache folder: one index and a few pack files, each written atomically.

A build reads its entries from one ``index`` file and a handful of packs, not
from one file per article (opening, hashing and unpickling 10,000 small files
cost more than reading did at that size).

- ``index``: ``MAGIC``, the SHA-256 of the rest, then a pickle of a dict:
  ``entries`` (key -> :class:`Entry` as a tuple: the pack, the blob's offset,
  length and CRC-32, what reading logged, the local files it opened with their
  stamps, when a future date stops being future) and ``sources`` (a source
  file's path -> its stat and the SHA-256 of its bytes, so that an unchanged
  file is not read again to compute its key).
- ``pack-<token>``: the entries' blobs (pickled Content objects) back to back.
  A pack is never changed once it has its name.

A build that read new files appends their blobs to a new pack (a temporary
file until it is complete), then renames it and writes a new index (a
temporary file, then a rename). The new index keeps only the entries the build
used (pruning); packs it no longer needs are deleted, and packs mostly holding
dead entries are compacted into the new one. A concurrent build can never see
a half-written file; at worst its index names a pack another build has
deleted, and those entries are misses.

Nothing is trusted without a check: an index that is short, altered, of
another version or unreadable is an empty cache; a blob whose length or CRC
differs, or whose pack is missing, is a miss and is read again.
"""

import contextlib
import gc
import os
import pickle
import secrets
import shutil
import tempfile
import time
import zlib
from typing import NamedTuple

from kiosk_filecache import read_sealed, write_sealed

MAGIC = b"kiosk-readcache-2\n"
INDEX = "index"
PACK_PREFIX = "pack-"
TEMPORARY_PREFIX = ".tmp-"
STAMP = ".last-used"
# A temporary file older than this was left by a build that died; so was a
# pack no index names (a concurrent build may be about to name a younger one).
_STALE_TEMPORARY = 3600
# Compact a pack once less than this share of its bytes is still used …
_MIN_LIVE_SHARE = 0.5
# … and merge the smaller packs once there are more than this many.
_MAX_PACKS = 8
# A file changed less than this long before it was stat-ed is hashed again next
# time: a second change within the same clock tick would not change its stat.
RACY_SECONDS = 2.0


class Entry(NamedTuple):
    pack: str
    offset: int
    length: int
    crc: int
    records: list
    deps: tuple
    valid_until: float | None


def file_stat(status):
    """What identifies a file's version without reading it."""
    return (
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
        status.st_ino,
        status.st_dev,
    )


def settled(status, now=None):
    """True if the file last changed long enough ago for its stat to stand for its bytes."""
    now = time.time_ns() if now is None else now
    return now - max(status.st_mtime_ns, status.st_ctime_ns) > RACY_SECONDS * 1e9


def stamp(path):
    """(size, mtime in ns) of a file, or None if it does not exist or cannot be read."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns)


class Store:
    """One cache folder: the entries of its index, and this build's additions."""

    def __init__(self, folder):
        self.folder = folder
        self.index = _load_index(os.path.join(folder, INDEX))
        self.entries = self.index["entries"]
        self.sources = self.index["sources"]
        self._files = {}  # pack name -> open file descriptor, or None if missing
        self._new = None  # (temporary path, file object) of this build's pack
        self._new_name = None
        self.added = {}  # key -> Entry in the new pack

    # --- reading ------------------------------------------------------------------
    def blob(self, key):
        """The blob of ``key`` if its entry is known and intact, else None."""
        entry = self.added.get(key) or self.entries.get(key)
        if entry is None:
            return None
        return self._read(entry)

    def _read(self, entry):
        if entry.pack == self._new_name and self._new is not None:
            self._new[1].flush()
        descriptor = self._descriptor(entry.pack)
        if descriptor is None:
            return None
        try:
            data = os.pread(descriptor, entry.length, entry.offset)
        except OSError:
            return None
        if len(data) != entry.length or zlib.crc32(data) != entry.crc:
            return None
        return data

    def _descriptor(self, pack):
        if pack not in self._files:
            path = self._new[0] if pack == self._new_name else os.path.join(self.folder, pack)
            try:
                self._files[pack] = os.open(path, os.O_RDONLY)
            except OSError:
                self._files[pack] = None
        return self._files[pack]

    # --- writing ------------------------------------------------------------------
    def add(self, key, blob, records, deps, valid_until):
        """Append an entry to this build's pack (not visible to others before :meth:`commit`)."""
        if self._new is None:
            os.makedirs(self.folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=TEMPORARY_PREFIX)
            self._new = (temporary, os.fdopen(handle, "wb"))
            self._new_name = PACK_PREFIX + secrets.token_hex(8)
        out = self._new[1]
        offset = out.tell()
        out.write(blob)
        self.added[key] = Entry(
            self._new_name, offset, len(blob), zlib.crc32(blob), records, tuple(deps), valid_until
        )

    def commit(self, used, sources):
        """Write the index of the entries in ``used`` and the given ``sources``.

        Returns False if nothing had to be written. Packs that the new index
        does not name and that this build knew (or that are stale) are deleted.
        """
        kept = {}
        for key in used:
            entry = self.added.get(key) or self.entries.get(key)
            if entry is not None:
                kept[key] = entry
        if not self.added and kept.keys() == self.entries.keys() and sources == self.sources:
            return False
        kept = self._compact(kept)
        new_name = None
        if self._new is not None:
            temporary, out = self._new
            out.close()
            self._new = None
            if any(entry.pack == self._new_name for entry in kept.values()):
                new_name = self._new_name
                # A descriptor already open on the temporary file still reads it.
                os.replace(temporary, os.path.join(self.folder, new_name))
            else:
                _remove(temporary)
        os.makedirs(self.folder, exist_ok=True)
        _save_index(os.path.join(self.folder, INDEX), {"entries": kept, "sources": sources})
        referenced = {entry.pack for entry in kept.values()}
        known = {entry.pack for entry in self.entries.values()}
        self._remove_unused(referenced, known)
        self.entries, self.sources, self.added = kept, sources, {}
        return True

    def _compact(self, kept):
        """Copy the live entries of wasteful or small packs into this build's pack."""
        live = {}
        for entry in kept.values():
            live[entry.pack] = live.get(entry.pack, 0) + entry.length
        sizes = {}
        for pack in live:
            if pack == self._new_name:
                continue
            try:
                sizes[pack] = os.path.getsize(os.path.join(self.folder, pack))
            except OSError:
                sizes[pack] = 0
        rewrite = {pack for pack, size in sizes.items() if live[pack] < size * _MIN_LIVE_SHARE}
        remaining = sorted((p for p in sizes if p not in rewrite), key=lambda p: -sizes[p])
        if len(remaining) + (self._new is not None) > _MAX_PACKS:
            rewrite.update(remaining[1:])  # all but the largest
        if not rewrite:
            return kept
        result = {}
        for key, entry in kept.items():
            if entry.pack in rewrite:
                blob = self._read(entry)
                if blob is None:
                    continue  # damaged: dropped, read again next time
                self.add(key, blob, entry.records, entry.deps, entry.valid_until)
                entry = self.added[key]
            result[key] = entry
        return result

    def _remove_unused(self, referenced, known):
        now = time.time()
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            path = os.path.join(self.folder, name)
            if name.startswith(PACK_PREFIX) and name not in referenced:
                stale = name in known or _age(path, now) > _STALE_TEMPORARY
            elif name.startswith(TEMPORARY_PREFIX):
                stale = _age(path, now) > _STALE_TEMPORARY
            else:
                # One file per entry: the cache's first layout.
                stale = name.endswith(".entry")
            if stale:
                _remove(path)

    def close(self):
        """Close the packs; drop this build's pack if it was not committed."""
        for descriptor in self._files.values():
            if descriptor is not None:
                with contextlib.suppress(OSError):
                    os.close(descriptor)
        self._files = {}
        if self._new is not None:
            temporary, out = self._new
            out.close()
            _remove(temporary)
            self._new = None
        self.added = {}


def _age(path, now):
    try:
        return now - os.path.getmtime(path)
    except OSError:
        return 0


def _remove(path):
    with contextlib.suppress(OSError):
        os.remove(path)


def _empty_index():
    return {"entries": {}, "sources": {}}


def _load_index(path):
    """The index stored at ``path``, or an empty one if missing or not intact."""
    payload = read_sealed(path, MAGIC)
    if payload is None:
        return _empty_index()
    collecting = gc.isenabled()
    gc.disable()  # 100,000 tuples, all kept: a collection on the way would only cost time
    try:
        index = pickle.loads(payload)
        entries = {key: Entry(*fields) for key, fields in index["entries"].items()}
        sources = dict(index["sources"])
    except Exception:  # noqa: BLE001 - a damaged index is an empty cache, whatever the damage
        return _empty_index()
    finally:
        if collecting:
            gc.enable()
    return {"entries": entries, "sources": sources}


def _save_index(path, index):
    """Write ``index`` to ``path`` atomically (a temporary file, then a rename)."""
    plain = {
        "entries": {key: tuple(entry) for key, entry in index["entries"].items()},
        "sources": index["sources"],
    }
    payload = pickle.dumps(plain, protocol=pickle.HIGHEST_PROTOCOL)
    write_sealed(path, MAGIC, payload, temporary_prefix=TEMPORARY_PREFIX)


def deps_unchanged(deps, stamps=None):
    """True if every (path, stamp) still holds; ``stamps`` memoises stats within a build."""
    for path, recorded in deps:
        if stamps is None:
            current = stamp(path)
        else:
            current = stamps.get(path, stamps)
            if current is stamps:
                current = stamps[path] = stamp(path)
        if current != recorded:
            return False
    return True


def touch(folder):
    """Mark ``folder`` as used now (see :func:`prune_siblings`)."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, STAMP), "w", encoding="ascii") as handle:
        handle.write(f"{time.time():.0f}\n")


def prune_siblings(root, keep, max_age_days, now=None):
    """Delete the folders of ``root`` (other content folders or settings) unused for long."""
    now = time.time() if now is None else now
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        folder = os.path.join(root, name)
        if name == keep or not os.path.isdir(folder):
            continue
        used = stamp(os.path.join(folder, STAMP))
        last = used[1] / 1e9 if used else os.path.getmtime(folder)
        if now - last > max_age_days * 86400:
            shutil.rmtree(folder, ignore_errors=True)
