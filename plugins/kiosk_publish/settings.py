"""The one settings dict of kiosk_publish, ``PUBLISH_PIPELINE`` (publishconf.py)."""

from types import MappingProxyType

from kiosk_settings import given_settings

DEFAULTS = MappingProxyType(
    {
        # Off unless a configuration turns it on: development builds stay
        # readable and fast; publishconf.py enables it.
        "enabled": False,
        "minify_html": True,
        # Folders (below the output folder) whose CSS and JS get a content hash in
        # their name. None means the theme's static folder (THEME_STATIC_DIR).
        # Pagefind's bundle is left alone: its script loads siblings by fixed names.
        "fingerprint_dirs": None,
        "fingerprint_extensions": (".css", ".js"),
        # Every file with one of these endings gets .gz and .br siblings that a
        # static host (nginx gzip_static/brotli_static) serves as they are.
        "precompress_extensions": (".html", ".css", ".js", ".xml", ".json", ".txt", ".svg"),
        # Measured on 300 pages and feeds of the 1,000-article bench corpus
        # (11.3 MB; BENCHMARKS.md): quality 11 gives 1,752 kB in 20.8 s, 10
        # 1,807 kB in 6.4 s, 9 1,909 kB in 2.8 s, 8 1,917 kB in 0.39 s, 6
        # 1,957 kB in 0.28 s (gzip -9: 2,129 kB). 8 is the knee: 6 % larger
        # than 10 and 16 times faster, still 10 % smaller than gzip. For
        # files of 64 kB and more (precompress.SMALL_FILE_BYTES): the feeds
        # and sitemaps, most of those bytes.
        "brotli_quality": 8,
        # For smaller files (every page): on the benchmark's pages 6 is
        # 0.45 % larger than 8 in 82 % of the time (lever 138).
        "brotli_quality_small": 6,
        # Compressed siblings kept by content hash, so that a rebuild copies
        # those of unchanged files instead of compressing again (relative to
        # the repository, like kiosk_figures' cache). None: no cache.
        "cache_path": ".kiosk-cache/precompress",
        # Above this resident size (MB) of the build's process, the pass runs in
        # fresh Python processes while the build waits (kiosk_filecache.map_fresh),
        # below it in forked ones. A forked worker allocates into the holes of
        # the build's heap and copies the pages it shares: at N = 10,000 (about
        # 450 MB when publish starts) the two processes had ~100 MB of their own
        # each, 719 MB of PSS together, against 606 MB with fresh workers. A
        # fresh worker costs ~80 MB whatever the build: at N = 1,000 (about
        # 120 MB) forking is the smaller (peak PSS 200 against 246 MB).
        # 0: always fresh; None: always forked.
        "fresh_workers_above_mb": 256,
    }
)


def publish_settings(settings):
    """Return ``PUBLISH_PIPELINE`` merged over DEFAULTS, as a new dict.

    Raises ValueError naming any unknown key, so that a typo fails the build
    instead of silently leaving a step out.
    """
    given = given_settings(settings, "PUBLISH_PIPELINE", DEFAULTS)
    config = {**DEFAULTS, **given}
    if config["fingerprint_dirs"] is None:
        config["fingerprint_dirs"] = (settings.get("THEME_STATIC_DIR", "theme"),)
    return config
