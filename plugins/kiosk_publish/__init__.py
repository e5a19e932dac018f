"""kiosk_publish: the production-only finishing steps of ``invoke publish``.

At Pelican's ``finalized`` signal, while the site is still in the build's
staging folder (so a failure here publishes nothing), in this order:

1. fingerprint: theme CSS/JS get their content hash in their name
   (``kiosk.3f9a1c2e.css``) and every text file's references follow;
2. minify: every HTML page, keeping it valid HTML with JSON-LD intact;
3. precompress: every text file gets ``.gz`` and ``.br`` siblings.

Fingerprinting comes first so that minified and compressed pages already carry
the final names; compression comes last because it must see the final bytes.
Steps 1 (the rewriting) to 3 are one pass per file on every core
(``pipeline.py``), and a rebuild redoes them only for files whose bytes
changed: minified pages and compressed siblings are kept in the cache folder
under the digest of the bytes they came from.
kiosk_search has indexed the pages by then (it is earlier in PLUGINS), and
kiosk_verify checks the result after us.

Settings: ``PUBLISH_PIPELINE`` (see ``settings.DEFAULTS``), enabled only in
publishconf.py. ``site_summary()`` gives ``invoke publish`` its last line.
"""

import logging
import os
import posixpath
from pathlib import Path

from kiosk_ahead import add_stage
from kiosk_filecache import site_listing

from . import pipeline
from .fingerprint import fingerprint_assets, planned_renames
from .pipeline import finish_files
from .precompress import SUFFIXES
from .settings import DEFAULTS, publish_settings
from .summary import format_summary, site_summary

__all__ = [
    "DEFAULTS", "finish_site", "finished_listing", "format_summary", "publish_settings",
    "register", "site_summary",
]  # fmt: skip

log = logging.getLogger(__name__)

# The files of the site publish just finished, by output folder, for the next
# step (kiosk_headers) to take instead of listing 65,000 files again (N = 10,000).
_finished: dict[str, list[str]] = {}
# The fingerprinted names foreseen for the build in progress (kiosk_ahead's stage).
_forecast: dict[str, dict] = {}


def finished_listing(output) -> list[str] | None:
    """The site's files as ``finish_site`` left them in ``output`` (once), or None.

    Relative POSIX paths, unsorted. Only for a step that comes right after
    publish and before anything else writes to the site (kiosk_headers).
    """
    return _finished.pop(os.fspath(output), None)


def finish_site(output: Path, config: dict, workers=None, forecast=None) -> dict:
    """Run the three steps over the finished site in ``output``; return counts.

    A page whose digest the build's writer remembered (a page linked from the
    render memo, ``kiosk_filecache.known_digest``) is not read unless its
    minified bytes or compressed siblings are not in the cache. ``forecast``:
    the fingerprinted names kiosk_ahead's stage worked with, if it ran.
    """
    renamed = fingerprint_assets(output, config["fingerprint_dirs"],
                                 config["fingerprint_extensions"])  # fmt: skip
    if forecast is not None and forecast != renamed:
        log.info("kiosk_publish: the theme's assets got other names than foreseen while "
                 "rendering: pages finished ahead (kiosk_ahead) are done again")  # fmt: skip
    # A hashed asset is never rewritten: its bytes must stay those its name
    # was computed from, or a year-long cache would keep a stale copy.
    hashed = frozenset(output / name for name in renamed.values())
    extensions = config["precompress_extensions"]
    _finished.clear()
    listing = site_listing(output)
    texts = [name for name in listing if posixpath.splitext(name)[1] in extensions]
    counts = finish_files((renamed, hashed, config), [output / name for name in texts], workers)
    # Every text file now has its compressed siblings beside it.
    siblings = [name + suffix for suffix in SUFFIXES for name in texts]
    _finished[os.fspath(output)] = list({*listing, *siblings})
    log.info("kiosk_publish: %d assets fingerprinted, %d pages minified (%d more from the "
             "cache), %d files precompressed (%d more from the cache)", len(renamed),
             counts["minified"], counts["minify_reused"], counts["compressed"],
             counts["reused"])  # fmt: skip
    return counts


def _check_settings(pelican):
    config = publish_settings(pelican.settings)
    _forecast.clear()
    if config["enabled"]:
        # Pages rendered early can be finished while the rest render (kiosk_ahead),
        # with the fingerprinted names the theme's files will get.
        renamed = planned_renames(pelican.settings, config["fingerprint_dirs"],
                                  config["fingerprint_extensions"])  # fmt: skip
        _forecast["renamed"] = renamed
        add_stage(f"{pipeline.__name__}:ahead_step", (renamed, config))


def _finish(pelican):
    config = publish_settings(pelican.settings)
    if config["enabled"]:
        finish_site(Path(pelican.output_path), config, forecast=_forecast.pop("renamed", None))


def register():
    """Connect kiosk_publish to Pelican's signals."""
    from pelican import signals  # on demand: see kiosk_filecache's docstring

    signals.initialized.connect(_check_settings)
    signals.finalized.connect(_finish)
