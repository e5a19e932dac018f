"""Is the last build still current? The no-change rebuild, answered without building.

``tasks.build_site`` asks :func:`is_current` before it starts Pelican. A build is
current when nothing it read has changed since the last successful build into
the same output folder, and nothing has touched that folder since:

- **code**: the Python, pins and tool settings beside the settings file and
  at the repository's top level, every plugin folder (:func:`plugin_folders`)
  and the theme (hashed by content), and the installed distributions (names carry versions);
- **settings**: the whole settings dict, except the staging ``OUTPUT_PATH``
  that changes with every build and ``DELETE_OUTPUT_DIRECTORY``, which
  ``build_site`` turns off for a staging folder that holds no file (kiosk_staging),
  and the environment variables Kiosk reads;
- **content**: every file under ``PATH``, by path, size, mtime, ctime and inode
  (git's test for "modified": any write changes the ctime, so an editor's save,
  a ``git checkout`` or a copy all count, and nothing has to read 10,000 files);
- **the clock**: a static site depends on time in two places, a future ``Date``
  (published by the first build after it) and the news sitemap's 48-hour
  window. The build records every moment at which either could change what it
  wrote; once such a moment has passed, the build is no longer current;
- **the output**: every file's path, size, mtime and inode as the build left it.

When all of that matches, the previous output *is* what a build would write
(builds are reproducible: tests/test_reliability.py), so there is nothing to do.
Anything unknown (no stamp, an unreadable one, a different Python) means
"build". The stamp lives beside the output folder, never in it, so it is not
deployed: ``.<output>.kiosk-stamp.json``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import site
import stat
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

STAMP_VERSION = 1
# Files beside the settings file and at the top of the repository that can
# change a build: settings modules, tasks.py, the pins (requirements*.txt,
# constraints.txt) and tool configuration.
CODE_SUFFIXES = {".py", ".txt", ".toml", ".cfg"}
ENVIRONMENT = ("SOURCE_DATE_EPOCH", "TZ")
ENVIRONMENT_PREFIXES = ("KIOSK_", "PELICAN")
# Per-build values in the settings that do not change what is written.
VOLATILE_SETTINGS = {"OUTPUT_PATH", "DELETE_OUTPUT_DIRECTORY"}
# CONTENT.md: the news sitemap lists the articles of the last 48 hours.
NEWS_WINDOW = timedelta(hours=48)
# UTC-12 to UTC+14: where a date without a time zone can fall.
ANY_ZONE = timedelta(hours=14)


def stamp_path(output: Path) -> Path:
    return output.parent / f".{output.name}.kiosk-stamp.json"


# --- Fingerprints --------------------------------------------------------------
def _stable(value) -> str:
    """A repr that is the same in every process for equal settings values."""
    if isinstance(value, dict):
        items = sorted((str(k), _stable(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_stable(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_stable(v) for v in value)) + "}"
    if isinstance(value, (str, int, float, bool, type(None), datetime, timedelta, Path)):
        return repr(value)
    if callable(value):
        return f"<{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', '?')}>"
    # Anything else comes from the settings file's code, which is hashed too.
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


def _files(folder: Path):
    for directory, subdirectories, names in os.walk(folder, followlinks=True):
        subdirectories[:] = [d for d in subdirectories if d != "__pycache__"]
        for name in names:
            if not name.endswith(".pyc"):
                yield Path(directory, name)


def _hash_files(digest, paths, root: Path):
    for path in sorted(paths):
        digest.update(os.fsencode(os.path.relpath(path, root)) + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")


def _distributions() -> list[str]:
    names = []
    for folder in {*site.getsitepackages(), site.getusersitepackages()}:
        if os.path.isdir(folder):
            names += [n for n in os.listdir(folder) if n.endswith((".dist-info", ".egg-info"))]
    return sorted(names)


def plugin_folders(settings: dict) -> list[Path]:
    """The folders the build's plugin code comes from, outside installed packages.

    Every existing ``PLUGIN_PATHS`` folder, and the folder each of ``PLUGINS``
    is imported from: a settings file elsewhere (bench/kiosk_publishconf.py)
    once had a ``PLUGIN_PATHS`` that did not exist while the plugins were still
    imported from ``sys.path``, and no cache noticed a change to them.
    Installed distributions are covered by their versions instead.
    """
    folders = {Path(f).resolve() for f in settings.get("PLUGIN_PATHS") or () if os.path.isdir(f)}
    installed = [Path(p).resolve() for p in (*site.getsitepackages(), site.getusersitepackages())]
    for name in settings.get("PLUGINS") or ():
        try:
            spec = importlib.util.find_spec(name) if isinstance(name, str) else None
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.origin or not os.path.isfile(spec.origin):
            continue
        folder = Path(spec.origin).resolve().parent
        if spec.submodule_search_locations:  # a package: its siblings are code too
            folder = folder.parent
        if not any(folder.is_relative_to(p) for p in installed):
            folders.add(folder)
    return sorted(folders)


def code_fingerprint(settings: dict, settings_file: Path, root: Path) -> str:
    digest = hashlib.sha256(f"{STAMP_VERSION}\0{sys.version}\0".encode())
    folders = {Path(settings_file).resolve().parent, root}
    top = [p for f in folders for p in f.iterdir() if p.suffix in CODE_SUFFIXES and p.is_file()]
    _hash_files(digest, top, root)
    for folder in [*plugin_folders(settings), settings.get("THEME", "")]:
        if folder and os.path.isdir(folder):
            _hash_files(digest, list(_files(Path(folder))), root)
    digest.update("\0".join(_distributions()).encode())
    return digest.hexdigest()


def settings_fingerprint(settings: dict) -> str:
    kept = {k: v for k, v in settings.items() if k not in VOLATILE_SETTINGS}
    environment = {k: v for k, v in os.environ.items()
                   if k in ENVIRONMENT or k.startswith(ENVIRONMENT_PREFIXES)}  # fmt: skip
    return hashlib.sha256((_stable(kept) + _stable(environment)).encode()).hexdigest()


def tree_fingerprint(folder: Path, follow=True, sizes: dict | None = None) -> str:
    """Path, size, mtime, ctime and inode of every file: no file is read.

    ``follow=False`` is for the output: symlinks are not followed and the
    ctime is left out, because a cache that hard-links a file into the output
    and is later pruned changes the file's ctime, not the file. (os.scandir,
    not os.walk: the output of a 10,000-article site has 65,000 files.)
    :class:`TreeWalk` gives the same digest from a ``find`` process.

    ``sizes``: a dict to fill with what the walk saw, each file's size by its
    path relative to ``folder`` (None for what is not a regular file), so that
    ``invoke publish``'s summary line needs no walk of its own; emptied if
    the walk fails.
    """
    lines, found = [], []
    start = len(os.fspath(folder)) + 1
    stack = [os.fspath(folder)]
    try:
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=follow):
                        stack.append(entry.path)
                        continue
                    s = entry.stat(follow_symlinks=follow)
                    path = entry.path[start:]
                    lines.append(f"{path}\0{s.st_size}\0{_seconds(s.st_mtime_ns)}\0"
                                 f"{_seconds(s.st_ctime_ns) if follow else 0}\0{s.st_ino}"
                                 .encode("utf-8", "surrogateescape"))  # fmt: skip
                    found.append((path, s.st_size if stat.S_ISREG(s.st_mode) else None))
    except OSError:
        lines, found = [], []  # missing, or changed mid-walk: not current
    if sizes is not None:
        sizes.clear()
        sizes.update(found)
    return _listing_digest(lines)


def _seconds(nanoseconds: int) -> str:
    """A file time as GNU find's ``%T@`` prints it: seconds, a point, ten digits."""
    return f"{nanoseconds // 1_000_000_000}.{nanoseconds % 1_000_000_000:09d}0"


def _listing_digest(lines: list) -> str:
    """The digest of one line per file, ``path NUL size NUL mtime NUL ctime NUL inode``."""
    if not lines:
        return ""
    lines.sort()  # by path: a path ends at its NUL, before any longer path's next byte
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


# What GNU find prints of each file for TreeWalk: tree_fingerprint's fields, and the type.
_FIND_FIELDS = "%P\\0%s\\0%T@\\0%C@\\0%i\\0%y\\0"


class TreeWalk:
    """``tree_fingerprint(folder, follow)``, walked by GNU ``find`` in another process.

    Most of a no-change rebuild was walking: the output's 65,000 files at
    N = 10,000 took 0.46-0.50 s in Python, the content's 10,000 0.18 s, in a
    process that spent as long again importing Pelican on one core.
    ``build_site`` starts both walks first, each a ``find`` writing to a
    temporary file (0.31-0.36 s for the output), so they run on the other
    core meanwhile, and what is left is reading their listings (0.09 s for
    the output). Where ``find`` cannot do it (not GNU find, or a file that
    went away mid-walk), the folder is walked here instead when the
    fingerprint is asked for: the same digest either way. (One difference:
    a link to nothing in the content, which the Python walk cannot follow,
    makes it say "changed" every time; ``find`` lists the link itself.)
    """

    def __init__(self, folder: Path, follow: bool = False):
        self.folder = Path(os.path.abspath(folder))
        self.follow = follow
        self._listing = tempfile.TemporaryFile()  # noqa: SIM115 - fingerprint() or cancel() closes it
        try:
            self._process = subprocess.Popen(
                ["find", "-L" if follow else "-H", os.fspath(self.folder), "-mindepth", "1",
                 "!", "-type", "d", "-printf", _FIND_FIELDS],
                stdin=subprocess.DEVNULL, stdout=self._listing, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except OSError:
            self._process = None

    def fingerprint(self, sizes: dict | None = None) -> str:
        """The digest, once ``find`` is done (``sizes`` filled as tree_fingerprint fills it)."""
        process, self._process = self._process, None
        with self._listing as listing:
            if process is not None and process.wait() == 0:
                listing.seek(0)
                return _find_digest(listing.read(), self.follow, sizes)
        return tree_fingerprint(self.folder, follow=self.follow, sizes=sizes)

    def cancel(self) -> None:
        """Stop the walk: its fingerprint is not needed."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
        self._listing.close()


def _find_digest(data: bytes, follow: bool, sizes: dict | None) -> str:
    """tree_fingerprint's digest (and ``sizes``) from ``find``'s fields (``_FIND_FIELDS``)."""
    fields = data.split(b"\0")
    end = len(fields) // 6 * 6
    paths, lengths, mtimes, ctimes, inodes, kinds = (fields[i:end:6] for i in range(6))
    if sizes is not None:
        sizes.clear()
        regular = [int(n) if k == b"f" else None for n, k in zip(lengths, kinds, strict=True)]
        sizes.update(zip(map(os.fsdecode, paths), regular, strict=True))
    if not follow:
        ctimes = [b"0"] * len(paths)  # left out of the output's fingerprint
    lines = zip(paths, lengths, mtimes, ctimes, inodes, strict=True)
    return _listing_digest([b"\0".join(line) for line in lines])


def inputs(settings: dict, settings_file: Path, root: Path, walk: TreeWalk | None = None,
           content: bool = True) -> dict:  # fmt: skip
    """Everything a build reads, as fingerprints (see the module docstring).

    ``walk``: a walk of the content started earlier; used if it is of
    ``PATH`` (with links followed), else stopped. ``content=False``: the
    content's fingerprint is left None, for the caller to fill in later.
    """
    folder = Path(os.path.abspath(settings["PATH"]))
    if walk is not None and (not content or (walk.folder, walk.follow) != (folder, True)):
        walk.cancel()
        walk = None
    return {
        "code": code_fingerprint(settings, settings_file, root),
        "settings": settings_fingerprint(settings),
        "content": (walk or TreeWalk(folder, follow=True)).fingerprint() if content else None,
    }


# --- The clock -----------------------------------------------------------------
def moments(articles, since: datetime | None = None) -> list[list[str]]:
    """Every moment at which the clock alone could change what a build writes.

    ``articles``: every article the build read, published or not (a future
    ``Date`` is held back as a draft until then). Each article's date is when
    it is published and enters the news sitemap; 48 hours later it leaves it.
    Each moment is an interval ``[earliest, latest]``: one instant for a date
    with a time zone (Pelican gives every date TIMEZONE's), and the day-wide
    span of every time zone on Earth for a date without one.

    ``since`` (aware): only the moments that end at or after it, the only ones
    a stamp keeps (:func:`record`); at N = 10,000, formatting all 20,000 took
    0.2 s of every build.
    """
    found = set()
    for article in articles:
        date = getattr(article, "date", None)
        if not isinstance(date, datetime):
            continue
        for moment in (date, date + NEWS_WINDOW):
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
                span = (moment - ANY_ZONE, moment + ANY_ZONE)
            else:
                span = (moment, moment)
            if since is None or span[1] >= since:
                found.add(span)
    return [[a.isoformat(), b.isoformat()] for a, b in sorted(found)]


def _clock_moved(stamp: dict, now: datetime) -> bool:
    since = datetime.fromisoformat(stamp["built_at"])
    return any(datetime.fromisoformat(start) <= now and datetime.fromisoformat(end) >= since
               for start, end in stamp["moments"])  # fmt: skip


# --- The stamp -----------------------------------------------------------------
def is_current(output: Path, found: dict, now: datetime, sizes: dict | None = None,
               walk: TreeWalk | None = None) -> bool:  # fmt: skip
    """True when the stamp beside ``output`` matches ``found`` and the clock and output.

    ``sizes``: filled as :func:`tree_fingerprint` fills it, when the output was walked;
    ``walk``: a :class:`TreeWalk` of ``output`` started earlier (stopped if not needed).
    """
    try:
        stamp = json.loads(stamp_path(output).read_text(encoding="utf-8"))
        if (stamp.get("version") == STAMP_VERSION and stamp.get("inputs") == found
                and not _clock_moved(stamp, now) and stamp["output"]):  # fmt: skip
            walk = walk or TreeWalk(output)
            return stamp["output"] == walk.fingerprint(sizes)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if walk is not None:
        walk.cancel()
    return False


def forget(output: Path) -> None:
    """Remove the stamp: the next build of ``output`` is a full one."""
    stamp_path(output).unlink(missing_ok=True)


# The walk of a build's finished site, started while its last step only reads
# it (kiosk_verify): staging folder -> TreeWalk, or None while it is awaited.
_site_walks: dict[str, TreeWalk | None] = {}


def await_site(folder: Path) -> None:
    """``build_site``: the build into ``folder`` will want the finished site's walk."""
    _site_walks[os.path.abspath(folder)] = None


def site_finished(folder) -> None:
    """The site in ``folder`` is complete and nothing writes into it any more.

    Called by the last step of a build, which only reads the site (kiosk_verify):
    the no-change stamp's walk of it starts now, beside that step, instead of
    after it. Only for a build that :func:`await_site` announced; otherwise
    nothing happens.
    """
    key = os.path.abspath(folder)
    if key in _site_walks and _site_walks[key] is None:
        _site_walks[key] = TreeWalk(Path(key))


def finished_walk(folder: Path) -> TreeWalk | None:
    """The walk :func:`site_finished` started in ``folder``, if any; forgotten here."""
    return _site_walks.pop(os.path.abspath(folder), None)


def record(
    output: Path,
    found: dict,
    built_at: datetime,
    found_moments: list,
    sizes: dict | None = None,
    output_digest: str | None = None,
) -> None:
    """Write the stamp of a successful build, atomically.

    ``found_moments``: :func:`moments` of every article the build read;
    ``sizes``: filled as :func:`tree_fingerprint` fills it; ``output_digest``:
    the output's fingerprint if it was taken already (of the staging folder,
    once the site was finished: renaming that folder changes no file's path
    below it, size, mtime or inode), else the output is walked now.
    """
    found_moments = sorted({tuple(m) for m in found_moments})
    stamp = {
        "version": STAMP_VERSION,
        "built_at": built_at.isoformat(),
        "inputs": found,
        "moments": [list(m) for m in found_moments if datetime.fromisoformat(m[1]) >= built_at],
        "output": output_digest or TreeWalk(output).fingerprint(sizes),
    }
    target = stamp_path(output)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(stamp, indent=1), encoding="utf-8")
    os.replace(partial, target)
