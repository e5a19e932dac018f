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

A cold build (no stored pages for this code and these settings) renders on
two cores: the build's process and one forked helper each render part of the
pages into the memo, and the write pass takes the helper's from there
(parallel.py). ``workers: 1`` turns that off; it is off anyway on one core,
in a rebuild (a few pages to render: forking would cost more), for a site
with fewer than ``parallel_min_pages`` articles and pages, and when the
build's process already holds more than ``parallel_max_mb`` of memory. The
helper shares the build's pages only until either process touches an object
(CPython writes every object's reference count), so it costs about as much
memory again as the build holds: at N = 10,000 (365 MB resident when the
helper would start) the cold build's peak was 974 MB of PSS with it and
615 MB without it, while rendering took about 52 s instead of about 80 s.

Settings: ``KIOSK_INCREMENTAL`` (see ``DEFAULTS``).
"""

import atexit
import logging
import os
from pathlib import Path
from types import MappingProxyType

from pelican import signals

from kiosk_escape import EscapingTemplate
from kiosk_filecache import forget
from kiosk_memory import resident_mb
from kiosk_settings import given_settings
from kiosk_uptodate import code_fingerprint, settings_fingerprint

from .fragments import Fragments, shared, shared_call
from .memo import MemoTemplate, RenderMemo, TrackingContext
from .parallel import Helper, available_cores

__all__ = ["current_memo", "register", "renders_every_page_alone"]

logger = logging.getLogger(__name__)

DEFAULTS = MappingProxyType(
    {
        "enabled": True,
        # Stored page texts and what each page read (relative to the repository).
        "cache_path": ".kiosk-cache/render",
        # Render every page even when its stored text could be used, and fail
        # the build if the two differ: for tests and for doubting engineers.
        "check": False,
        # Processes that render a cold build's pages: None for every available
        # core (the build's process and one helper: at most two are used), 1 for
        # the build's process alone.
        "workers": None,
        # Below this many articles and pages (drafts and hidden ones included),
        # a cold build renders in one process. Forking costs ≈ 4 ms and the
        # helper's list of pages ≈ 0.2 ms a page (N = 1,000); a page takes ≈ 6 ms
        # to render, and each article brings about two pages.
        "parallel_min_pages": 20,
        # Above this resident size (MB) at the start of rendering, a cold build
        # renders in one process: the helper would double it (see above).
        # None: no limit.
        "parallel_max_mb": 256,
    }
)

_build = {}  # the memo of the build in progress (one build per process at a time)
# Pages rendered and reused by the last build in this process, for its summary line.
last_stats = {}
# Shared partials (fragments.py) rendered and reused by the last build's process.
last_shared = {}
# Other texts (feeds: RenderMemo.text) made and reused by the last build's process.
last_texts = {}
# Pages whose stored text differed from a fresh render in check mode (each also
# logged as an error, which fails a build run by tasks.build_site).
last_mismatches = []


def current_memo():
    """The render memo of the build in progress in this process, or None (no memo)."""
    return _build.get("memo")


def renders_every_page_alone() -> bool | None:
    """From ``get_writer`` on: does the build in progress render every page, in
    its own process alone? True for a cold render that has no helper (one core
    idles while it renders: kiosk_ahead uses it), False for a rebuild or a
    render shared with the helper, None when no render memo is in use."""
    memo = _build.get("memo")
    if memo is None:
        return None
    return not memo.previous and memo.helper is None


def helper_may_render() -> bool:
    """Before ``get_writer``: could a helper process still share this build's render?

    False when it cannot: no render memo, a rebuild (the memo knows earlier
    pages), one core, or a process that already holds more than
    ``parallel_max_mb`` (it only grows until ``get_writer``, where
    :func:`start_helper` decides). kiosk_figures asks, to render image
    variants beside a render that leaves a core to spare.
    """
    memo = _build.get("memo")
    if memo is None or memo.previous:
        return False
    config = _build["config"]
    if (config["workers"] or available_cores()) < 2 or not hasattr(os, "fork"):
        return False
    limit, resident = config["parallel_max_mb"], resident_mb()
    return limit is None or resident is None or resident <= limit


def incremental_settings(settings):
    return {**DEFAULTS, **given_settings(settings, "KIOSK_INCREMENTAL", DEFAULTS)}


def register():
    signals.initialized.connect(start)
    signals.generator_init.connect(install)
    signals.all_generators_finalized.connect(keep_generators)
    signals.get_writer.connect(start_helper)
    signals.finalized.connect(finish)


def _stop_helper(report=True):
    memo = _build.get("memo")
    helper = memo.helper if memo is not None else None
    if helper is not None:
        memo.helper = None
        helper.stop(report=report)


def start(pelican):
    _stop_helper(report=False)  # of a build in this process that failed before finishing
    forget()  # the digests an earlier build's writer remembered (kiosk_filecache)
    _build.clear()
    last_stats.clear()
    last_shared.clear()
    last_texts.clear()
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
    memo = RenderMemo(
        Path(config["cache_path"]), base, check=config["check"], mismatches=last_mismatches
    )
    _build["memo"] = memo
    _build["fragments"] = Fragments(memo.fingerprints, config["check"], last_mismatches)
    _build["config"] = config


def install(generator):
    # Templates call ``shared()`` for the header, footer and rails and
    # ``shared_call()`` for a listing's cards, memo or not.
    generator.env.globals["shared"] = shared
    generator.env.globals["shared_call"] = shared_call
    memo = _build.get("memo")
    if memo is None:
        generator.env.template_class = EscapingTemplate  # kiosk_escape
        return
    generator.env.template_class = MemoTemplate
    generator.env.context_class = TrackingContext
    generator.env.kiosk_memo = memo
    generator.env.kiosk_fragments = _build["fragments"]


def keep_generators(generators):
    if "memo" in _build:
        _build["generators"] = generators


def start_helper(pelican):
    """At ``get_writer``: the context is complete; fork the helper of a cold build."""
    memo, generators = _build.get("memo"), _build.pop("generators", None)
    if memo is None or generators is None or memo.previous or memo.helper is not None:
        return None
    config = _build["config"]
    workers = config["workers"] or available_cores()
    contents = len(generators[0].context.get("generated_content", ())) if generators else 0
    if workers < 2 or contents < config["parallel_min_pages"] or not hasattr(os, "fork"):
        return None
    limit, resident = config["parallel_max_mb"], resident_mb()
    if limit is not None and resident is not None and resident > limit:
        logger.info("kiosk_incremental: rendering in one process: %.0f MB resident, "
                    "over parallel_max_mb (%s)", resident, limit)  # fmt: skip
        return None
    helper = Helper(memo, pelican, generators)
    if helper.start():
        memo.helper, memo.helper_ran = helper, True
    return None  # not a writer: Pelican keeps the writer other plugins give


def finish(pelican):
    _stop_helper()  # before the memo prunes: the helper writes no entry after this
    memo, fragments = _build.pop("memo", None), _build.get("fragments")
    _build.clear()
    if memo is None:
        return
    memo.save()
    memo.release()
    fragments.release()
    last_shared.update(rendered=fragments.rendered, reused=fragments.reused,
                       calls_made=fragments.calls_made,
                       calls_reused=fragments.calls_reused)  # fmt: skip
    logger.debug("kiosk_incremental: shared partials: %d rendered, %d reused; shared calls: "
                 "%d made, %d reused", fragments.rendered, fragments.reused,
                 fragments.calls_made, fragments.calls_reused)  # fmt: skip
    last_texts.update(memo.texts_stats)
    stats = memo.stats
    last_stats.update(rendered=stats["rendered"] + stats["helped"], reused=stats["reused"])
    if memo.helper_ran:
        last_stats["helper"] = stats["helped"]
        logger.info("kiosk_incremental: %d pages rendered (%d of them by the helper process), "
                    "%d reused", stats["rendered"] + stats["helped"], stats["helped"],
                    stats["reused"])  # fmt: skip
    else:
        logger.info("kiosk_incremental: %d pages rendered, %d reused",
                    stats["rendered"], stats["reused"])  # fmt: skip


atexit.register(_stop_helper, report=False)
