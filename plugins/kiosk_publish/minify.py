"""HTML minification that keeps pages valid HTML and structured data intact."""

import minify_html

# Part of the minify cache's key (kiosk_publish.pipeline): other options, other bytes.
OPTIONS = {
    "keep_closing_tags": True,
    "keep_html_and_head_opening_tags": True,
    "minify_css": True,
    "minify_js": True,
}


def minify_page(html: str) -> str:
    """Return ``html`` minified.

    Closing tags and the <html>/<head> opening tags are kept: omitting them is
    legal HTML, but validators, crawlers and some readers' tools handle the
    explicit form better, and gzip/brotli win most of those bytes back anyway.
    JSON-LD (``<script type="application/ld+json">``) is not JavaScript, so
    minify-html leaves it as written; inline JS and CSS are minified.
    """
    return minify_html.minify(html, **OPTIONS)
