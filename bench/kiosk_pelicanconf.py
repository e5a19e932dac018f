"""Kiosk's development settings (``invoke livereload``), every cache in the benchmark's folder."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGIN_PATHS = [os.path.join(_ROOT, "plugins")]
THEME = os.path.join(_ROOT, "theme")

_CACHE = os.environ.get("KIOSK_BENCH_CACHE", ".kiosk-cache/bench")
KIOSK_FIGURES = {**(globals().get("KIOSK_FIGURES") or {}), "cache_path": f"{_CACHE}/images"}
CACHE_PATH = f"{_CACHE}/pelican"
KIOSK_READCACHE = {"cache_path": f"{_CACHE}/read"}
KIOSK_INCREMENTAL = {"cache_path": f"{_CACHE}/render"}
KIOSK_RELATED = {**(globals().get("KIOSK_RELATED") or {}), "cache_path": f"{_CACHE}/related"}
