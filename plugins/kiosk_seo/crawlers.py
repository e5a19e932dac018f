"""Files written for crawlers: the Google News sitemap and robots.txt.

pelican-sitemap writes /sitemap.xml (every page); this module adds the News
sitemap, which Google only reads for articles of the last 48 hours, and the
robots.txt that names both. XML is built with lxml, never from strings.
"""

import os
from datetime import UTC, datetime, timedelta

from lxml import etree

from .head import plain
from .settings import absolute

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def build_time(environ=None):
    """The moment the build is "now": SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def recent_articles(articles, now, hours):
    """Articles published in the ``hours`` before ``now``, newest first."""
    start = now - timedelta(hours=hours)
    return sorted(
        (a for a in articles if start <= a.date <= now), key=lambda a: a.date, reverse=True
    )


def news_sitemap(settings, articles):
    """Return the News sitemap of ``articles`` as bytes (UTF-8 XML)."""
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "news": NEWS_NS})
    for article in articles:
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute(settings, article.url)
        news = etree.SubElement(url, f"{{{NEWS_NS}}}news")
        publication = etree.SubElement(news, f"{{{NEWS_NS}}}publication")
        etree.SubElement(publication, f"{{{NEWS_NS}}}name").text = settings["SITENAME"]
        etree.SubElement(publication, f"{{{NEWS_NS}}}language").text = (
            getattr(article, "lang", None) or settings["DEFAULT_LANG"]
        )
        etree.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = article.date.isoformat(
            timespec="seconds"
        )
        etree.SubElement(news, f"{{{NEWS_NS}}}title").text = plain(article.title)
    return etree.tostring(urlset, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def robots_txt(settings, config):
    """Return robots.txt: everything allowed but ``robots_disallow``, both sitemaps named.

    Sitemap lines must be absolute URLs, so a build without an absolute
    SITEURL (development) leaves them out rather than writing wrong ones.
    """
    lines = ["User-agent: *"]
    disallow = list(config["robots_disallow"])
    lines += [f"Disallow: {path}" for path in disallow] or ["Allow: /"]
    if "://" in settings["SITEURL"]:
        lines.append("")
        lines += [
            f"Sitemap: {absolute(settings, config[key])}" for key in ("sitemap", "news_sitemap")
        ]
    return "\n".join(lines) + "\n"
