"""The cache folder: one file per entry, written atomically, checked when read.

An entry file is ``MAGIC``, the SHA-256 of the rest, then a pickle of a dict
(``object``: the pickled Content, ``records``: what reading logged, ``deps``:
the local files it opened with their size and mtime, ``valid_until``: when a
future date stops being future). A file that is short, altered, of another
version or unreadable for any reason is a miss: it is read again and
rewritten, never trusted.
"""

import contextlib
import hashlib
import os
import pickle
import shutil
import tempfile
import time

MAGIC = b"kiosk-readcache-1\n"
SUFFIX = ".entry"
STAMP = ".last-used"
# A temporary file older than this was left by a build that died.
_STALE_TEMPORARY = 3600


def entry_path(folder, key):
    return os.path.join(folder, key + SUFFIX)


def load(path):
    """The entry dict stored at ``path``, or None if missing or not intact."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = len(MAGIC)
    if not data.startswith(MAGIC) or len(data) < head + 32:
        return None
    payload = data[head + 32 :]
    if hashlib.sha256(payload).digest() != data[head : head + 32]:
        return None
    try:
        entry = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a damaged entry is a miss, whatever the damage
        return None
    if not isinstance(entry, dict) or not {"object", "records", "deps"} <= entry.keys():
        return None
    return entry


def save(path, entry):
    """Write ``entry`` to ``path`` atomically (a temporary file, then a rename)."""
    payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


def stamp(path):
    """(size, mtime in ns) of a file, or None if it does not exist or cannot be read."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns)


def deps_unchanged(deps):
    return all(stamp(path) == recorded for path, recorded in deps)


def prune(folder, used, now=None):
    """Delete the entries of ``folder`` that this build did not use; return how many."""
    now = time.time() if now is None else now
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        path = os.path.join(folder, name)
        if name.startswith(".tmp-"):
            stale = stamp(path) is not None and now - os.path.getmtime(path) > _STALE_TEMPORARY
        else:
            stale = name.endswith(SUFFIX) and name[: -len(SUFFIX)] not in used
        if stale:
            try:
                os.remove(path)
                removed += 1
            except OSError:
                pass
    return removed


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
