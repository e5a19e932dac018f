"""The one settings dict of kiosk_figures, ``KIOSK_FIGURES`` in pelicanconf.py."""

from types import MappingProxyType

from kiosk_settings import given_settings

DEFAULTS = MappingProxyType(
    {
        # Widths of the resized variants; never wider than the original.
        "widths": (480, 960, 1600),
        # The body column is about 45rem wide (DESIGN.md: 60-75 characters).
        "sizes": "(min-width: 48rem) 45rem, 100vw",
        "jpeg_quality": 82,
        "webp_quality": 80,
        # Resized files are kept here between builds, named by content hash.
        # Relative paths are relative to the directory Pelican runs in.
        "cache_path": ".kiosk-cache/images",
        # Where the variants land in the output, below SITEURL.
        "output_dir": "images/_v",
        "words_per_minute": 230,
        # Once the articles are read, a build that finds at least this many
        # originals with variants missing from the cache renders those in a
        # process of its own while it goes on (generator.py); None: never.
        "render_ahead_min_sources": 8,
    }
)


def figure_settings(settings):
    """Return the plugin's settings merged over DEFAULTS, as a new dict.

    Raises ValueError naming any unknown key, so that a typo such as
    ``"widht"`` fails the build instead of being silently ignored.
    """
    given = given_settings(settings, "KIOSK_FIGURES", DEFAULTS)
    merged = {**DEFAULTS, **given}
    merged["widths"] = tuple(sorted(set(merged["widths"])))
    return merged
