"""Is an image file one that a page can show? Verdicts, kept by the file's stat.

An article's top image, a body image and an author's photo must exist (rules.py)
and be an image a browser shows: JPEG, PNG, GIF, WebP or SVG. A file that
is none of those (a damaged download, a PDF or a HEIC renamed ``.jpg``)
would reach readers as a broken image, and kiosk_figures could give it no
size or variants: the build stops and names the file instead.

Pillow reads only a file's header to tell its format, but a magazine's
archive holds thousands of images: each verdict is kept with the stat of the
file it was made on (the memo's file, between runs), so a run opens only new
and changed images.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from kiosk_figures.images import measure_svg

SHOWN_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
EXPECTED = "JPEG, PNG, GIF, WebP or SVG"

# While a run lasts: str(path) -> (stat, problem) known before it and found in it.
_known: dict | None = None
_used: dict | None = None
_noted: dict | None = None  # inside noting(): the verdicts of the file being checked


@contextmanager
def judging(known: dict):
    """Within the block, verdicts come from ``known`` while the file's stat is the same.

    Yields the dict of the verdicts the block used or made, to keep for the next run.
    """
    global _known, _used
    previous = _known, _used
    _known, _used = known, {}
    try:
        yield _used
    finally:
        _known, _used = previous


@contextmanager
def noting():
    """Within the block (inside ``judging``), the verdicts used or made are also
    collected in the dict it yields: what a forked checker hands back (site.py)."""
    global _noted
    previous, _noted = _noted, {}
    try:
        yield _noted
    finally:
        _noted = previous


def keep(verdicts: dict) -> None:
    """Add ``verdicts`` (another process's, from ``noting``) to this run's."""
    if _used is not None:
        _used.update(verdicts)


def image_problem(path: Path, stamp) -> str:
    """What keeps the file at ``path`` (``stamp``: its stat) from being shown; '' if nothing."""
    key = str(path)
    if _known is not None:
        found = _used.get(key) or _known.get(key)
        if found is not None and stamp is not None and found[0] == stamp:
            _use(key, found)
            return found[1]
    problem = _judge(path)
    if _used is not None and stamp is not None:
        _use(key, (stamp, problem))
    return problem


def _use(key: str, verdict: tuple) -> None:
    _used[key] = verdict
    if _noted is not None:
        _noted[key] = verdict


def _judge(path: Path) -> str:
    if path.suffix.lower() == ".svg":
        # An SVG is what kiosk_figures can size: an <svg> root near the start.
        if not os.access(path, os.R_OK):
            return "cannot be read (permission denied)"
        if measure_svg(path) is None:
            return "is not an SVG image (no <svg> element at its start)"
        return ""
    try:
        with Image.open(path) as image:
            kind = image.format
    except OSError as err:
        if err.errno is not None:  # the file system's refusal, not the bytes
            return f"cannot be read ({err.strerror})"
        return f"is not an image file that can be read (expected {EXPECTED})"
    except (ValueError, Image.DecompressionBombError):
        return f"is not an image file that can be read (expected {EXPECTED})"
    if kind not in SHOWN_FORMATS:
        return f"is a {kind} image, which browsers do not all show (expected {EXPECTED})"
    return ""
