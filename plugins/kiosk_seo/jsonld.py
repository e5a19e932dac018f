"""schema.org JSON-LD for Kiosk's pages, as plain dicts, and their safe serialisation.

Google reads ``NewsArticle`` for Top Stories, ``BreadcrumbList`` for the trail
under a result and ``WebSite`` with a ``SearchAction`` for the site search box.
The builders take already-computed values (absolute URLs, plain text), so they
stay pure and testable without a Pelican build.
"""

import json

from markupsafe import Markup

# A JSON string may hold any character, but inside <script> the HTML parser
# ends the element at "</script" and "<!--" changes its state: escaping <, >
# and & keeps every title and summary inert while staying valid JSON.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
_CONTEXT = "https://schema.org"


def dumps_for_script(data):
    """Serialise ``data`` as JSON that is safe inside ``<script>`` (a Markup)."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    # U+2028/2029 are valid JSON but ended string literals in pre-ES2019 JS.
    text = text.translate(_SCRIPT_SAFE).replace("\u2028", "\\u2028")
    return Markup(text.replace("\u2029", "\\u2029"))


def publisher(name, url, logo_url):
    """The magazine as a ``NewsMediaOrganization``."""
    org = {"@type": "NewsMediaOrganization", "name": name, "url": url}
    if logo_url:
        org["logo"] = {"@type": "ImageObject", "url": logo_url}
    return org


def news_article(
    *,
    headline,
    description,
    url,
    published,
    modified,
    authors,
    image,
    section,
    keywords,
    publisher_data,
):
    """A ``NewsArticle``; ``authors`` are ``(name, url)``, ``image`` a dict or None."""
    data = {
        "@context": _CONTEXT,
        "@type": "NewsArticle",
        "headline": headline,
        "description": description,
        "datePublished": published,
        "dateModified": modified,
        "author": [{"@type": "Person", "name": name, "url": link} for name, link in authors],
        "articleSection": section,
        "keywords": list(keywords),
        "publisher": publisher_data,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
    }
    if image:
        data["image"] = {
            "@type": "ImageObject",
            "url": image["url"],
            "width": image["width"],
            "height": image["height"],
        }
    return data


def breadcrumbs(trail):
    """A ``BreadcrumbList`` of ``(name, url)`` pairs, outermost first."""
    return {
        "@context": _CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": number, "name": name, "item": url}
            for number, (name, url) in enumerate(trail, start=1)
        ],
    }


def website(*, name, url, description, search_url, publisher_data):
    """The site as a ``WebSite`` whose ``SearchAction`` opens /search/?q=…."""
    data = {
        "@context": _CONTEXT,
        "@type": "WebSite",
        "name": name,
        "url": url,
        "description": description,
        "publisher": publisher_data,
    }
    if search_url:
        data["potentialAction"] = {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{search_url}?q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        }
    return data
