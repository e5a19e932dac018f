"""Kiosk's production settings, with every cache moved into the benchmark's folder.

Identical to publishconf.py except where caches live: a cold benchmark build
must start with no caches, and deleting the repository's own ``.kiosk-cache/``
would disturb other builds on the same machine. ``KIOSK_BENCH_CACHE`` is set
by bench/run.py.
"""

import os
import sys

sys.path.append(os.curdir)
from publishconf import *  # noqa: E402,F403

# Pelican resolves relative PLUGIN_PATHS and THEME against *this* file's
# folder (bench/), where neither exists: the plugins were still imported (from
# sys.path), but the caches' code fingerprints (kiosk_uptodate, kiosk_readcache,
# kiosk_incremental) hashed no plugin file, so a plugin change did not
# invalidate a benchmark's caches. Absolute paths, as publishconf.py gets them.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGIN_PATHS = [os.path.join(_ROOT, "plugins")]
THEME = os.path.join(_ROOT, "theme")

_CACHE = os.environ.get("KIOSK_BENCH_CACHE", ".kiosk-cache/bench")
KIOSK_FIGURES = {**(globals().get("KIOSK_FIGURES") or {}), "cache_path": f"{_CACHE}/images"}
CACHE_PATH = f"{_CACHE}/pelican"
PUBLISH_PIPELINE = {**PUBLISH_PIPELINE, "cache_path": f"{_CACHE}/precompress"}  # noqa: F405
KIOSK_SEARCH = {**(globals().get("KIOSK_SEARCH") or {}), "cache_path": f"{_CACHE}/search"}
KIOSK_READCACHE = {"cache_path": f"{_CACHE}/read"}
VERIFY = {**VERIFY, "cache_path": f"{_CACHE}/verify"}  # noqa: F405
KIOSK_INCREMENTAL = {"cache_path": f"{_CACHE}/render"}
KIOSK_RELATED = {**(globals().get("KIOSK_RELATED") or {}), "cache_path": f"{_CACHE}/related"}
