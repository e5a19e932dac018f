"""kiosk_incremental: re-render only the pages whose inputs changed.

A rebuild after an editor's change reads the whole site again (the context,
related stories, listings all depend on every article), but most pages come
out exactly as before. This plugin gives every Jinja environment of the build
a template class whose ``render`` consults a :class:`~kiosk_incremental.memo.RenderMemo`:
a page is rendered again only when a value its last render read has a new
fingerprint, or the code or the settings changed; otherwise the stored text
is written. The writer, its signals and every later step see the same text
either way, so the output is byte-identical to a clean build
(tests/test_incremental.py, and ``check`` below).

Settings: ``KIOSK_INCREMENTAL`` (see ``DEFAULTS``).
"""

import logging
from pathlib import Path
from types import MappingProxyType

from pelican import signals

from kiosk_settings import given_settings
from kiosk_uptodate import code_fingerprint, settings_fingerprint

from .memo import MemoTemplate, RenderMemo, TrackingContext

__all__ = ["register"]

logger = logging.getLogger(__name__)

DEFAULTS = MappingProxyType(
    {
        "enabled": True,
        # Stored page texts and what each page read (relative to the repository).
        "cache_path": ".kiosk-cache/render",
        # Render every page even when its stored text could be used, and fail
        # the build if the two differ: for tests and for doubting engineers.
        "check": False,
    }
)

_build = {}  # the memo of the build in progress (one build per process at a time)
# Pages rendered and reused by the last build in this process, for its summary line.
last_stats = {}
# Pages whose stored text differed from a fresh render in check mode (each also
# logged as an error, which fails a build run by tasks.build_site).
last_mismatches = []


def incremental_settings(settings):
    return {**DEFAULTS, **given_settings(settings, "KIOSK_INCREMENTAL", DEFAULTS)}


def register():
    signals.initialized.connect(start)
    signals.generator_init.connect(install)
    signals.finalized.connect(finish)


def start(pelican):
    _build.clear()
    last_stats.clear()
    last_mismatches.clear()
    config = incremental_settings(pelican.settings)
    if not config["enabled"] or not config["cache_path"]:
        return
    settings = pelican.settings
    here = Path.cwd()
    # This plugin's own settings (check mode, where the cache is) change no page.
    pages_settings = {k: v for k, v in settings.items() if k != "KIOSK_INCREMENTAL"}
    base = code_fingerprint(settings, here / "settings.py", here) + settings_fingerprint(
        pages_settings
    )
    _build["memo"] = RenderMemo(
        Path(config["cache_path"]), base, check=config["check"], mismatches=last_mismatches
    )


def install(generator):
    memo = _build.get("memo")
    if memo is None:
        return
    generator.env.template_class = MemoTemplate
    generator.env.context_class = TrackingContext
    generator.env.kiosk_memo = memo


def finish(pelican):
    memo = _build.pop("memo", None)
    if memo is None:
        return
    memo.save()
    last_stats.update(rendered=memo.stats["rendered"], reused=memo.stats["reused"])
    logger.info("kiosk_incremental: %d pages rendered, %d reused",
                memo.stats["rendered"], memo.stats["reused"])  # fmt: skip
