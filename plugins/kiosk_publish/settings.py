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
        # Measured on the sample magazine: 10 is 3% larger than 11 (brotli's
        # best) in less than half the time (3 s instead of 7 s per publish).
        "brotli_quality": 10,
        # Compressed siblings kept by content hash, so that a rebuild copies
        # those of unchanged files instead of compressing again (relative to
        # the repository, like kiosk_figures' cache). None: no cache.
        "cache_path": ".kiosk-cache/precompress",
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
