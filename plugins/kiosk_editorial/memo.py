"""What validation found in each file, kept between runs for unchanged files.

Checking one file (decoding, header, keys, vocabularies, dates, body images and
links) does not depend on the other content files, except through the files
it asks about (does ``images/x.jpg`` exist?). So for each file this keeps its
own problems, the answers to those questions and the few facts the rules
across files need (its author name, bylines, aliases, slug). A later run
reuses them when the file's stat is the same, every question has the same
answer, and the validator (its code, Pelican's version, the settings it reads,
the working directory that messages are relative to) is the same. The rules
across files (duplicate slugs and names, bylines without a profile, aliases)
still run over every file, on those facts.

One file per content folder, in ``EDITORIAL_CACHE_PATH`` (default: beside
kiosk_readcache's folder, ``.kiosk-cache/editorial``; ``""`` turns it off):
``MAGIC``, the SHA-256 of the rest, a pickle. Written atomically; a file that
is damaged or of another version is ignored. A file changed less than two
seconds before it was stat-ed is checked again next time (a second change in
the same clock tick would keep its stat).
"""

import contextlib
import hashlib
import os
import pickle
import stat as stat_module
import sys
import time
from pathlib import Path

import pelican

import kiosk_standby
from kiosk_filecache import read_sealed, write_sealed

from .images import image_problem

MAGIC = b"kiosk-editorial-memo-1\n"
RACY_SECONDS = 2.0
# Folders of content folders not validated for this long are deleted.
PRUNE_AFTER_DAYS = 14


def cache_folder(settings):
    """Where the memo files live, or None if memoising is off."""
    given = settings.get("EDITORIAL_CACHE_PATH")
    if given is not None:
        return os.path.abspath(given) if given else None
    readcache = (settings.get("KIOSK_READCACHE") or {}).get("cache_path", ".kiosk-cache/read")
    return os.path.join(os.path.dirname(os.path.abspath(readcache)), "editorial")


def fingerprint(settings, root: Path, cwd: Path):
    """The validator: its code, Pelican's version and every input besides the files."""
    digest = hashlib.sha256(f"{sys.version}\0{pelican.__version__}\0".encode())
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    inputs = (
        str(root.resolve()),
        str(root),
        str(cwd),
        [list(settings.get(key) or ()) for key in ("SECTIONS", "REGIONS", "COLUMNS")],
        list(settings.get("EDITORIAL_EXTRA_KEYS") or ()),
        repr(settings.get("SLUG_REGEX_SUBSTITUTIONS", [])),
    )
    digest.update(repr(inputs).encode())
    return digest.hexdigest()


def file_stat(path):
    """What identifies the version of ``path`` (and of its target if it is a link), or None."""
    try:
        own = os.lstat(path)
        target = os.stat(path) if stat_module.S_ISLNK(own.st_mode) else own
    except OSError:
        return None
    return tuple(
        (s.st_mode, s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino, s.st_dev)
        for s in (own, target)
    )


def _settled(stamp, now):
    return all(now - max(s[2], s[3]) > RACY_SECONDS * 1e9 for s in stamp)


def answer(kind, path: Path):
    if kind == "image":
        return image_problem(path, file_stat(path))
    return path.is_file() if kind == "file" else path.exists()


class Memo:
    """The per-file results of one content folder."""

    def __init__(self, folder, root: Path, print_fingerprint):
        self.folder = folder
        self.path = memo_path(folder, root)
        self.fingerprint = print_fingerprint
        self.files = {}
        self.kept = {}
        self.answers = {}
        self.now = time.time_ns()
        # Verdicts on image files by their stat (images.py): last run's, and
        # those this run used or made (filled by images.judging), to keep.
        self.images = {}
        self.images_used = {}
        stored = kiosk_standby.reading(self.path, _load)  # (loaded while a standby waits)
        if stored is not None and stored.get("fingerprint") == print_fingerprint:
            self.files = stored["files"]
            if isinstance(stored.get("images"), dict):
                self.images = stored["images"]

    def get(self, path: Path, stamp):
        """The facts recorded for ``path`` if they still hold, else None."""
        key = str(path)
        known = self.files.get(key)
        if known is None or stamp is None or known[0] != stamp:
            return None
        facts = known[1]
        for kind, asked, was in facts["asked"]:
            now = self.answers.get((kind, asked))
            if now is None:
                now = self.answers[(kind, asked)] = answer(kind, Path(asked))
            if now != was:
                return None
        self.kept[key] = known
        return facts

    def put(self, path: Path, stamp, facts):
        for kind, asked, was in facts["asked"]:
            self.answers.setdefault((kind, asked), was)
        if stamp is not None and _settled(stamp, self.now):
            self.kept[str(path)] = (stamp, facts)

    def save(self):
        """Keep the facts of the files seen in this run; False if unchanged."""
        if self.kept == self.files and self.images_used == self.images:
            with contextlib.suppress(OSError):
                os.utime(self.path)  # still in use: not pruned
            return False
        payload = pickle.dumps(
            {"fingerprint": self.fingerprint, "files": self.kept, "images": self.images_used},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        try:
            write_sealed(self.path, MAGIC, payload, temporary_prefix=".tmp-")
        except OSError:
            return False  # a read-only cache folder only costs time
        _prune(self.folder, keep=os.path.basename(self.path))
        return True


def memo_path(folder, root: Path) -> str:
    """The memo file of the content folder ``root`` in the memo folder ``folder``."""
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
    return os.path.join(folder, name + ".memo")


def load_ahead(generator) -> None:
    """A standby build's step (kiosk_standby): the memo loaded before the save."""
    folder = cache_folder(generator.settings)
    if folder is not None:
        kiosk_standby.read_ahead(memo_path(folder, Path(generator.settings["PATH"])), _load)


def _load(path):
    payload = read_sealed(path, MAGIC)
    if payload is None:
        return None
    try:
        stored = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a damaged memo is no memo, whatever the damage
        return None
    if not isinstance(stored, dict) or not isinstance(stored.get("files"), dict):
        return None
    return stored


def _prune(folder, keep, now=None):
    """Delete the memo files of content folders not validated for long, and stale temporaries."""
    now = time.time() if now is None else now
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if name == keep:
                continue
            with contextlib.suppress(OSError):
                age = now - os.path.getmtime(path)
                if age > PRUNE_AFTER_DAYS * 86400 or (name.startswith(".tmp-") and age > 3600):
                    os.remove(path)
