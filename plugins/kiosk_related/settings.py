"""The one settings dict of kiosk_related, ``KIOSK_RELATED`` in pelicanconf.py."""

from types import MappingProxyType

from kiosk_settings import given_settings

DEFAULTS = MappingProxyType(
    {
        # Teasers under each article (DESIGN.md: three to four).
        "count": 4,
        # A shared tag adds this times its rarity, log(1 + N / articles with it),
        # so "Ukraine" on half the site counts less than "Lithium" on two pieces.
        "tag_weight": 1.0,
        # Bonuses for candidates that already share a tag.
        "region_weight": 0.6,
        "section_weight": 0.3,
        # Newer candidates get up to this much; the bonus halves every
        # ``recency_half_life_days`` before the newest article of the build
        # (not the wall clock, so a rebuild relates the same pieces).
        "recency_weight": 0.4,
        "recency_half_life_days": 180,
        # At most this many candidates are scored per article (see
        # scoring._tag_scores); more than any real tag overlap needs.
        "candidates": 100,
        # Paragraphs in the "keep reading" excerpt.
        "excerpt_paragraphs": 3,
        # Where the picks of the last builds are kept (kept.py); None: scored
        # at every build.
        "cache_path": ".kiosk-cache/related",
    }
)


def related_settings(settings):
    """Return the plugin's settings merged over DEFAULTS, as a new dict.

    Raises ValueError naming any unknown key.
    """
    given = given_settings(settings, "KIOSK_RELATED", DEFAULTS)
    return {**DEFAULTS, **given}
