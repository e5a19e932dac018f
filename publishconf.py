"""Kiosk: production settings (``invoke publish``).

Only what differs from development: absolute URLs for feeds, canonical links
and social cards, and drafts never written at all.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403  (settings are module globals by design)

SITEURL = os.environ.get("KIOSK_SITEURL", "https://kiosk.example")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False

# Drafts and scheduled pieces: Pelican files both as drafts; an empty save_as
# means they are not written anywhere in a publish build.
DRAFT_SAVE_AS = ""
DRAFT_URL = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_URL = ""
PUBLISH = True

# _headers (Netlify, Cloudflare Pages) and .htaccess (Apache): a strict CSP,
# HSTS and a year of caching for fingerprinted assets (kiosk_headers).
HEADERS = {"enabled": True}

# The finished site is checked before it replaces output/: a broken link,
# image or fragment fails the publish (kiosk_verify).
VERIFY = {"enabled": True}

# kiosk_publish: minify HTML, fingerprint theme CSS/JS, precompress text files.
PUBLISH_PIPELINE = {"enabled": True}
