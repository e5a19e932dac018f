"""The one settings dict of kiosk_seo, ``KIOSK_SEO`` in pelicanconf.py."""

from types import MappingProxyType

from kiosk_settings import given_settings

DEFAULTS = MappingProxyType(
    {
        # Between the page's own title and the site name in <title>.
        "title_separator": " | ",
        # Search engines cut descriptions at about 155-200 characters; cutting
        # ourselves at a word boundary beats a cut mid-word.
        "description_length": 200,
        # The publisher's logo for JSON-LD, a path below SITEURL.
        "logo": "favicon.svg",
        # Google News only reads articles of the last two days.
        "news_sitemap": "news-sitemap.xml",
        "news_window_hours": 48,
        # The sitemap pelican-sitemap writes; robots.txt names it.
        "sitemap": "sitemap.xml",
        # Netlify / Cloudflare Pages read this file; other hosts ignore it.
        "redirects_file": "_redirects",
        # Paths crawlers should not fetch, written to robots.txt.
        "robots_disallow": ("/drafts/", "/pagefind/"),
    }
)


def seo_settings(settings):
    """Return the plugin's settings merged over DEFAULTS, as a new dict.

    Raises ValueError naming any unknown key, so that a typo fails the build
    instead of being silently ignored.
    """
    given = given_settings(settings, "KIOSK_SEO", DEFAULTS)
    return {**DEFAULTS, **given}


def absolute(settings, path):
    """Return ``path`` (site-relative, or already absolute) below SITEURL."""
    if not path:
        return None
    if "://" in path:
        return path
    return f"{settings['SITEURL'].rstrip('/')}/{path.lstrip('/')}"
