"""The folder a build writes into, and what becomes of the site it replaces.

A build writes into a staging folder beside the output and is swapped into
the output's place only when it succeeded (``tasks.build_site``), so a
failed build leaves the previous site untouched. Not a Pelican plugin.

Creating a 10,000-article site's 18,000 folders cost 2-3 s of an editor's
one-edit rebuild on these machines (``mkdir`` takes 0.1-0.4 ms on them),
although a rebuild needs nearly the same folders as the site it replaces.
So the replaced site is not simply deleted: once it is out of the way, a
background process deletes its files, keeps its folders and renames what is
left to a *skeleton* (``.output-skeleton-*``, with the list of its folders
beside it); after a first build, which replaced nothing, the skeleton is a
copy of the new site's folders. The next build starts from a skeleton instead of an empty
folder, and at its end removes the skeleton's folders that it left empty
(:meth:`Staging.prune`), so its tree is exactly a clean build's. A skeleton
holds no file, so nothing of the old site can leak into the new one, and
no file the build writes is shared with the old site's (the render memo's
and publish's hard links stay as they were made). BENCHMARKS.md, lever 70.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

__all__ = ["OLD_PREFIX", "SKELETON_PREFIX", "Staging", "delete_in_background",
           "folder_exists", "remove_skeletons"]  # fmt: skip

OLD_PREFIX = ".output-old-"
SKELETON_PREFIX = ".output-skeleton-"
STAGING_PREFIX = ".output-staging-"
# Beside a finished skeleton: its folders relative to it, deepest first, NUL-separated.
FOLDERS_SUFFIX = ".folders"

# The folders of the skeleton the build in progress took (absolute paths, as
# Pelican's writer names them), from ``prepare`` until ``prune``: they exist.
_EXISTING: frozenset[str] = frozenset()


def folder_exists(path: str) -> bool:
    """True if ``path`` is a folder of the skeleton the build in progress started from.

    Pelican's writer makes each page's folder (``os.makedirs``) before
    writing it; in a rebuild at N = 10,000 those 17,920 calls, every one for a
    folder the skeleton already has, took 0.6 s (kiosk_filecache.LinkingWriter
    asks here first). False for anything else: a folder not in the list is
    made as before. The list holds until :meth:`Staging.prune`, the only
    step that removes any of its folders.
    """
    return path in _EXISTING


def _skeleton_from(folders: str, skeleton: str) -> str:
    """The last step of making a skeleton, in sh: ``folders`` (a folder of folders only)
    becomes ``skeleton``, with their list beside it. The list is written before the
    rename, so a folder named like a skeleton is finished; any failure deletes
    everything instead. Arguments are sh positional parameters (``"$1"``)."""
    return (f'{{ find {folders} -mindepth 1 -depth -type d -printf "%P\\0" > {skeleton}.folders'
            f" && mv -T -- {folders} {skeleton}; }} || rm -rf -- {folders} {skeleton}"
            f" {skeleton}.folders")  # fmt: skip


# $1: the replaced site, $2: the skeleton to make of it.
_STRIP = '{ find "$1" ! -type d -delete; } && ' + _skeleton_from('"$1"', '"$2"')
# $1: a new site, $2: an empty folder to copy its folders into, $3: the skeleton.
_COPY = ('{ cd -- "$1" && find . -mindepth 1 -type d -print0; }'
         ' | { cd -- "$2" && xargs -0 -r mkdir -p --; } && '
         + _skeleton_from('"$2"', '"$3"'))  # fmt: skip


class Staging:
    """The staging folder of one build into ``output``."""

    def __init__(self, output: Path):
        self.output = output
        self.folder = output.parent / f"{STAGING_PREFIX}{os.getpid()}"
        self._kept: list[bytes] = []  # the skeleton's folders, when one was taken
        # While this build works in a skeleton it took, it holds the skeleton's
        # lock: no background deletion another build started can run in it.
        self._lock: int | None = None

    def prepare(self) -> None:
        """Make the staging folder: from a finished skeleton if there is one, else empty.

        Replaced sites whose stripping or deletion was cut short (a shutdown:
        no process holds their lock) are deleted now, in the background, and
        so are skeletons beyond the one taken.
        """
        global _EXISTING
        _EXISTING = frozenset()
        shutil.rmtree(self.folder, ignore_errors=True)
        parent = self.output.parent
        for leftover in parent.glob(f"{OLD_PREFIX}*"):
            if not _in_progress(leftover):  # left by a shutdown, not being stripped now
                delete_in_background(leftover)
        skeletons = sorted((path for path in parent.glob(f"{SKELETON_PREFIX}*")
                            if path.is_dir()), key=_made_at)  # fmt: skip
        while skeletons:
            skeleton = skeletons.pop()  # the newest
            folders = skeleton.with_name(skeleton.name + FOLDERS_SUFFIX)
            try:
                kept = folders.read_bytes().split(b"\0")
            except OSError:  # a skeleton is finished with its list: this one is not usable
                delete_in_background(skeleton)
                continue
            try:
                skeleton.rename(self.folder)
            except OSError:  # another build took it first
                continue
            self._lock = _lock(self.folder)
            if self._lock is None:  # a background deletion had it first: leave it to it
                self.folder.rename(parent / f"{OLD_PREFIX}{os.getpid()}-{time.time_ns()}")
                continue
            folders.unlink(missing_ok=True)
            self._kept = [name for name in kept if name]
            break
        for extra in skeletons:
            delete_in_background(extra)
        for listing in parent.glob(f"{SKELETON_PREFIX}*{FOLDERS_SUFFIX}"):
            skeleton = listing.with_name(listing.name[: -len(FOLDERS_SUFFIX)])
            # A list is written just before its folder is renamed to the skeleton;
            # until then the folder it is made from is still there, named OLD_PREFIX.
            work = parent / (OLD_PREFIX + skeleton.name[len(SKELETON_PREFIX) :])
            if skeleton in skeletons or not (skeleton.exists() or work.exists()):
                listing.unlink(missing_ok=True)
        self.folder.mkdir(parents=True, exist_ok=True)  # the output's folder may be new too
        root = os.path.abspath(self.folder)
        _EXISTING = frozenset(
            [root, *(os.path.join(root, os.fsdecode(name)) for name in self._kept)]
        )

    def prune(self) -> int:
        """Remove the skeleton's folders the build left empty: how many were removed.

        Deepest first, so a folder whose subfolders all went goes too. A
        folder the build wrote into is not empty and stays.
        """
        global _EXISTING
        _EXISTING = frozenset()
        removed = 0
        root = os.fsencode(self.folder)
        for name in self._kept:
            try:
                os.rmdir(os.path.join(root, name))
                removed += 1
            except OSError:  # not empty (the build wrote into it), or gone
                pass
        self._kept = []
        return removed

    def swap_in(self) -> None:
        """Put the staging folder in the output's place; make the next skeleton later.

        Of the replaced site, in the background; when there was none (a first
        build), of the new site's folders, copied, so that the first rebuild
        after it starts from a skeleton too.
        """
        self._unlock()
        output = self.output
        stamp = f"{os.getpid()}-{time.time_ns()}"
        old = output.parent / f"{OLD_PREFIX}{stamp}"
        skeleton = output.parent / f"{SKELETON_PREFIX}{stamp}"
        if not output.exists():
            self.folder.rename(output)
            copy_folders_in_background(output, old, skeleton)
            return
        output.rename(old)
        self.folder.rename(output)
        strip_in_background(old, skeleton)

    def discard(self, background: bool = False) -> None:
        """After a failed build: the staging folder goes; with ``background``, it is
        renamed out of the way at once and deleted in a process of its own (an
        interrupted build: up to a whole site's files, and whoever stopped it,
        an editor or the preview's next rebuild, waits for nothing more)."""
        global _EXISTING
        _EXISTING = frozenset()
        self._unlock()
        if background and self.folder.exists():
            old = self.output.parent / f"{OLD_PREFIX}{os.getpid()}-{time.time_ns()}"
            with contextlib.suppress(OSError):
                self.folder.rename(old)
                delete_in_background(old)
                return
        shutil.rmtree(self.folder, ignore_errors=True)

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def remove_skeletons(parent: Path) -> None:
    """Remove the skeletons in ``parent`` and their lists, so that the next build starts empty.

    For measuring a cold build (bench/); ``invoke clean`` removes them too.
    """
    for path in parent.glob(f"{SKELETON_PREFIX}*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _made_at(skeleton: Path) -> int:
    """When ``swap_in`` named it (``<prefix><pid>-<ns>``); 0 if it is named otherwise."""
    ns = skeleton.name.rpartition("-")[2]
    return int(ns) if ns.isdigit() else 0


def _in_background(script: str, lock: Path, *arguments: Path) -> bool:
    """Run ``script`` (sh) on ``arguments`` in a process of its own that this one does not wait for.

    ``sh`` starts it in the background and exits (no zombie, and a Ctrl-C in
    the terminal does not reach it). It runs with the folder ``lock`` locked,
    and not at all if another process holds that lock, so a later build tells
    work in progress from what a shutdown left (:func:`_in_progress`) and two
    builds never work on one folder. The lock is taken here, before the
    process exists, and handed down to it as an open descriptor: taken by the
    process itself (``flock -n``), it left a window in which
    another build saw the folder unlocked, deleted it, and the late ``flock``
    then created a stray *file* of that name. False when there is no ``sh``.
    """
    handle = _lock(lock)
    if handle is None:  # another process works on it (or it is gone): not ours to do
        return True
    try:
        subprocess.run(
            ["sh", "-c", '"$@" &', "sh", "sh", "-c", script, "sh", *map(str, arguments)],
            check=True, pass_fds=(handle,),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return False
    finally:
        os.close(handle)  # the background process holds the lock from here on
    return True


def _lock(folder: Path) -> int | None:
    """An open handle holding ``folder``'s lock, or None if another process holds it."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return None  # gone already, or not ours to touch
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # held by another process
        os.close(handle)
        return None
    except OSError:  # a file system without locks: as if there were none
        pass
    return handle


def _in_progress(folder: Path) -> bool:
    """Whether a background process of this module is still working on ``folder``."""
    handle = _lock(folder)
    if handle is None:
        return True
    os.close(handle)  # which lets go of the lock
    return False


def copy_folders_in_background(site: Path, work: Path, skeleton: Path) -> None:
    """Make ``skeleton`` of the folders of ``site`` in the background, through ``work``.

    ``work`` is named like a replaced site, so that what a shutdown leaves of
    it is deleted by the next build, and the benchmark waits for it as for a
    deletion (bench/run.py). Nothing but ``mkdir``: the site is not touched.
    """
    try:
        work.mkdir()
    except OSError:
        return
    if not _in_background(_COPY, work, site, work, skeleton):
        work.rmdir()


def strip_in_background(old: Path, skeleton: Path) -> None:
    """Delete the files of ``old`` in the background and keep its folders as ``skeleton``."""
    if not _in_background(_STRIP, old, old, skeleton):
        shutil.rmtree(old, ignore_errors=True)


def delete_in_background(folder: Path) -> None:
    """Delete ``folder`` in a process of its own that this one does not wait for.

    The replaced output of a 10,000-article site is 65,000 files in 18,000
    folders: deleting it took 4-6.5 s of an editor's one-edit rebuild
    (BENCHMARKS.md, lever 51), after the new site was already in place. Once
    renamed out of the way nothing reads it. What a shutdown cuts short, the
    next build hands over again; ``invoke clean`` removes it too. Without
    ``sh`` or ``rm``, the folder is deleted here and now.
    """
    if not _in_background('rm -rf -- "$1"', folder, folder):
        shutil.rmtree(folder, ignore_errors=True)
