"""KIOSK_FEEDS: the plugin's one settings dict."""

from types import MappingProxyType

from kiosk_settings import given_settings

DEFAULTS = MappingProxyType(
    {
        # Where the JSON Feed goes (None: not written).
        "json_feed": "feeds/latest.json",
        # "full": the article body as content_html; "summary": its summary.
        "json_content": "full",
    }
)
CONTENT_MODES = ("full", "summary")


def plugin_settings(settings):
    """Return KIOSK_FEEDS merged over the defaults; reject unknown keys and values."""
    given = given_settings(settings, "KIOSK_FEEDS", DEFAULTS)
    options = {**DEFAULTS, **given}
    if options["json_content"] not in CONTENT_MODES:
        raise ValueError(f"KIOSK_FEEDS: json_content must be one of {CONTENT_MODES}")
    return options
