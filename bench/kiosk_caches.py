"""Every cache of a Kiosk build moved into the benchmark's folder.

A cold benchmark build must start with no caches, and deleting the
repository's own ``.kiosk-cache/`` would disturb other builds on the same
machine: the benchmark's settings files (``kiosk_publishconf.py``,
``kiosk_pelicanconf.py``) take Kiosk's settings and apply
:func:`moved_caches`. ``KIOSK_BENCH_CACHE`` is set by bench/run.py,
bench/timeline.py and bench/preview.py.
"""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Settings that only some builds have (publish), and their cache's folder.
_IF_PRESENT = {"PUBLISH_PIPELINE": "precompress", "VERIFY": "verify"}


def moved_caches(settings: dict) -> dict:
    """The settings to update ``settings`` (a settings module's globals) with."""
    cache = os.environ.get("KIOSK_BENCH_CACHE", ".kiosk-cache/bench")

    def inside(name, folder):
        return {**(settings.get(name) or {}), "cache_path": f"{cache}/{folder}"}

    moved = {
        # Pelican resolves relative PLUGIN_PATHS and THEME against the settings
        # file's folder (bench/), where neither exists: the plugins were still
        # imported (from sys.path), but the caches' code fingerprints
        # (kiosk_uptodate, kiosk_readcache, kiosk_incremental) hashed no plugin
        # file, so a plugin change did not invalidate a benchmark's caches.
        "PLUGIN_PATHS": [os.path.join(ROOT, "plugins")],
        "THEME": os.path.join(ROOT, "theme"),
        "CACHE_PATH": f"{cache}/pelican",
        "KIOSK_FIGURES": inside("KIOSK_FIGURES", "images"),
        "KIOSK_SEARCH": inside("KIOSK_SEARCH", "search"),
        "KIOSK_READCACHE": {"cache_path": f"{cache}/read"},
        "KIOSK_INCREMENTAL": {"cache_path": f"{cache}/render"},
        "KIOSK_RELATED": inside("KIOSK_RELATED", "related"),
    }
    moved.update({name: inside(name, folder) for name, folder in _IF_PRESENT.items()
                  if name in settings})  # fmt: skip
    return moved
