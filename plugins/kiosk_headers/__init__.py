"""kiosk_headers: security and caching headers for the static hosts we publish to.

At ``finalized`` (after kiosk_publish has fingerprinted the assets), two files
are written into the output folder:

- ``_headers``, read by Netlify and Cloudflare Pages;
- ``.htaccess``, read by Apache with mod_headers.

Both send a strict Content-Security-Policy (no inline script; ``script-src
'self'``), ``X-Content-Type-Options``, ``Referrer-Policy``,
``Permissions-Policy`` and, when SITEURL is https, HSTS; and both let browsers
cache fingerprinted assets (``style.3f9a1c2e.css``) for a year, and nothing
else. The policy itself lives in ``policy.py`` as pure functions.

Off unless ``HEADERS = {"enabled": True}`` (publishconf.py turns it on).
Settings: ``HEADERS`` (see ``settings.DEFAULTS``).
"""

from pathlib import Path
from urllib.parse import urlsplit

from pelican import signals

from kiosk_filecache import site_listing
from kiosk_publish import finished_listing

from .policy import content_security_policy, htaccess, netlify_headers, site_headers
from .settings import DEFAULTS, headers_settings

__all__ = [
    "DEFAULTS", "content_security_policy", "headers_settings", "htaccess", "netlify_headers",
    "register", "site_headers", "write_header_files",
]  # fmt: skip


def write_header_files(output_path, config, site_url=""):
    """Write ``_headers`` and ``.htaccess`` for the site in ``output_path``."""
    root = Path(output_path)
    # Apache wants the 404 page as a URL path, which includes the site's own path.
    not_found = urlsplit(site_url).path.rstrip("/") + "/404.html"
    # kiosk_publish, the step before, knows the site's files: no second listing.
    names = finished_listing(root)
    assets = ["/" + name for name in (site_listing(root) if names is None else names)]
    (root / "_headers").write_text(netlify_headers(config, assets), encoding="utf-8")
    (root / ".htaccess").write_text(htaccess(config, not_found), encoding="utf-8")


def _check_settings(pelican):
    headers_settings(pelican.settings)
    finished_listing(pelican.output_path)  # an earlier build's, in this process: not this one's


def _write(pelican):
    config = headers_settings(pelican.settings)
    if config["enabled"]:
        write_header_files(pelican.output_path, config, pelican.settings.get("SITEURL", ""))


def register():
    """Connect kiosk_headers to Pelican's signals."""
    signals.initialized.connect(_check_settings)
    signals.finalized.connect(_write)
