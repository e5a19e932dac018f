"""Related stories kept between builds: the same records, the same picks.

``relate`` is a pure function of the articles' scoring records (slug, tags,
region, section, series, date) and the options, and a typical edit (a
correction in a body) changes none of them. Its picks are kept in a file
named by a digest of all of that and of the scoring code; a build whose
records and options are the same takes them from there. At N = 10,000
scoring took about 1.5 s of a one-edit rebuild under the profiler.
The folder keeps the picks of the last few builds (a development and a
publish build have other drafts, so other records).
"""

import contextlib
import json
import logging
import os
from pathlib import Path

import kiosk_standby
from kiosk_filecache import digest, source_digest, write_atomically

from . import scoring

log = logging.getLogger(__name__)

KEEP = 4  # sets of picks kept, the most recently used


def picks(subjects, pool, options, folder):
    """``scoring.relate(subjects, pool, options)``, from ``folder`` when it was kept there."""
    if not folder:
        return scoring.relate(subjects, pool, options)
    folder = Path(folder)
    scored = {k: v for k, v in options.items() if k != "cache_path"}
    key = digest(repr((source_digest(scoring.__file__), sorted(scored.items()), subjects,
                       pool)).encode("utf-8"))  # fmt: skip
    path = folder / f"{key}.json"
    found = _load(path, len(subjects), len(pool))
    if found is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # the most recently used: kept longest
        return found
    result = scoring.relate(subjects, pool, options)
    _keep(folder, path, result)
    return result


def load_ahead(folder) -> None:
    """A standby build's step (kiosk_standby): the kept picks parsed before the save."""
    for path in Path(folder).glob("*.json"):
        kiosk_standby.read_ahead(path, _parsed)


def _parsed(path):
    return json.loads(path.read_text("utf-8"))


def _load(path, subjects, pool):
    try:
        found = kiosk_standby.reading(path, _parsed)
    except (OSError, ValueError):
        return None
    sound = (
        isinstance(found, list)
        and len(found) == subjects
        and all(isinstance(chosen, list) for chosen in found)
        and all(type(i) is int and 0 <= i < pool for chosen in found for i in chosen)
    )
    return found if sound else None


def _keep(folder, path, result):
    """Write ``result`` whole (a temporary file renamed) and drop all but the newest KEEP."""
    try:
        write_atomically(path, json.dumps(result, separators=(",", ":")).encode())
        kept = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in kept[KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError as err:  # a full disk: the next build scores again
        log.debug("kiosk_related: picks not kept (%s)", err)
