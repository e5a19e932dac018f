"""What a read produced, recorded on its Content, and notes kept about it between builds.

A later stage of the build can save work by knowing that a value is exactly
what a read produced, and that the read is the same as last build's: the
render memo's fingerprints (``kiosk_incremental.fingerprint``) then take the
digest of such a value from the last build instead of walking it again.

- Each Content object the read cache returns (from the cache or freshly read)
  carries a :class:`ReadRecord` as ``content._kiosk_read``: the read's
  **identity** (a digest of its cache key, which covers the source's bytes, the
  settings and the code, and of its entry: the stamps of the files it opened,
  when a future date expires, the stored object's length and CRC, so a read
  redone because an image changed has another identity) and the **values** of
  its attributes at that moment: references, not copies, and only those of
  the kinds a note can be about (tuples, frozensets, bytes, dataclasses;
  strings and numbers are cheap to take again, dicts and lists may be changed
  in place by any later plugin).
- The record also keeps the read's **leaves**: its attributes that are
  strings, numbers, dates or None (names and values, by reference). Such a
  value cannot change; while an attribute still holds the very object the read
  produced, the read's identity stands for it (the render memo's
  fingerprints take an article's identity and the names of those attributes
  instead of hashing its body, title and dates again at every rebuild).
- :class:`ReadNotes` keeps, per identity, notes (short strings) by attribute
  name: the previous build's, loaded once, and this build's, saved at the end
  of a successful build beside the cache's index (one file: a magic line, the
  SHA-256 of the rest, a pickle; written to a temporary file and renamed). It
  keeps only the identities this build returned: the rest are pruned. A file
  that is missing, short, altered or of another version is no notes at all.

A note is only as good as the code that wrote it, and the identity covers the
code (every file under ``PLUGIN_PATHS``): a note never outlives the code or
the settings it was computed with.
"""

from __future__ import annotations

import dataclasses
import datetime
import gc
import hashlib
import os
import pickle

from markupsafe import Markup
from pelican.utils import SafeDatetime

from kiosk_filecache import read_sealed, write_sealed

READ_RECORD = "_kiosk_read"  # the attribute of a Content that holds its ReadRecord
NOTES = "notes"  # the file, in the read cache's folder
MAGIC = b"kiosk-readnotes-1\n"
_TEMPORARY_PREFIX = ".tmp-"  # as the store's, so a stale one is removed with theirs
_NOTABLE = (tuple, frozenset, bytes)
# Kinds of value that hold nothing else and cannot change (exact types).
LEAF_KINDS = frozenset({str, Markup, int, float, bool, type(None), datetime.datetime,
                        SafeDatetime, datetime.date})  # fmt: skip


def read_identity(key: str, entry) -> str:
    """The identity of the read stored as ``entry`` (a ``store.Entry``) under ``key``."""
    parts = (key, entry.length, entry.crc, entry.deps, entry.valid_until)
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def notable(value) -> bool:
    """Whether a note may be kept about ``value``: a kind of value worth one (shallow test)."""
    return isinstance(value, _NOTABLE) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    )


class ReadRecord:
    """One read: its identity, its notable values, and the notes known about them."""

    __slots__ = ("identity", "values", "known", "book", "leaf_names", "leaf_values")

    def __init__(self, identity: str, values: dict, known: dict, book: ReadNotes,
                 leaves: tuple = ((), ())):  # fmt: skip
        self.identity = identity
        self.values = values  # attribute name -> the value the read produced
        self.known = known  # attribute name -> the note of the last build (do not change)
        self.book = book
        # The leaves (LEAF_KINDS) the read produced: names, and values in the same order.
        self.leaf_names, self.leaf_values = leaves

    def let_go(self) -> None:
        """Drop the read's values: the build has rendered, and it no longer needs them.

        They are references to the article's own values, its body among them,
        which kiosk_memory lets go of at ``finalized``; a record that kept them
        would keep them alive through Pagefind, publish and verify.
        """
        self.values = {}
        self.leaf_names = self.leaf_values = ()

    def note(self, name: str, text: str) -> None:
        """Keep ``text`` about the value of ``name`` for the next build with this identity."""
        self.book.add(self.identity, name, text)

    def __reduce__(self):
        # A copy of its Content (pickled for another process) does not carry
        # it: a record speaks for objects of this process only.
        return (type(None), ())


class ReadNotes:
    """The notes of one read-cache folder: last build's, and this build's to save."""

    def __init__(self, folder: str):
        self.path = os.path.join(folder, NOTES)
        self.previous = _load(self.path)
        self.current: dict[str, dict] = {}  # identity -> notes, for the identities returned
        self.records: list[ReadRecord] = []
        self._names: dict[tuple, tuple] = {}
        self.changed = False

    def record(self, content, identity: str) -> ReadRecord:
        """Attach the record of ``content``'s read (``identity``) to it and return it."""
        return self.enter(self.attach(content, identity))

    def enter(self, record: ReadRecord) -> ReadRecord:
        """Count ``record``'s read as one this build returned (its notes are kept)."""
        if record.identity not in self.current:
            self.current[record.identity] = dict(record.known)
        self.records.append(record)
        return record

    def attach(self, content, identity: str) -> ReadRecord:
        """The record of ``content``'s read, attached to it but not yet entered
        (an article unpickled before the build knows whether it will return it)."""
        known = self.previous.get(identity) or {}
        # One pass over the attributes (10,000 articles a build); a leaf is never notable.
        values, leaf_names, leaf_values = {}, [], []
        for name, value in vars(content).items():
            if type(value) in LEAF_KINDS:
                leaf_names.append(name)
                leaf_values.append(value)
            elif notable(value):
                values[name] = value
        names = tuple(leaf_names)
        names = self._names.setdefault(names, names)  # most articles: one tuple for all
        record = ReadRecord(identity, values, known, self, (names, tuple(leaf_values)))
        setattr(content, READ_RECORD, record)
        return record

    def add(self, identity: str, name: str, text: str) -> None:
        notes = self.current.get(identity)
        if notes is not None and notes.get(name) != text:
            notes[name] = text
            self.changed = True

    def save(self) -> None:
        """Write this build's notes, if they differ from the last build's (atomic)."""
        if not self.changed and self.current.keys() == self.previous.keys():
            return
        payload = pickle.dumps(self.current, protocol=pickle.HIGHEST_PROTOCOL)
        write_sealed(self.path, MAGIC, payload, temporary_prefix=_TEMPORARY_PREFIX)


def _load(path: str) -> dict:
    """The notes stored at ``path``, or none if missing or not intact."""
    payload = read_sealed(path, MAGIC)
    if payload is None:
        return {}
    collecting = gc.isenabled()
    gc.disable()  # thousands of small dicts, all kept
    try:
        notes = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - damaged notes are no notes, whatever the damage
        return {}
    finally:
        if collecting:
            gc.enable()
    if not isinstance(notes, dict):
        return {}
    return {
        identity: dict(texts)
        for identity, texts in notes.items()
        if isinstance(identity, str)
        and isinstance(texts, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in texts.items())
    }
