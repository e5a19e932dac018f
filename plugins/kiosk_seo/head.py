"""What goes into a page's <head> for crawlers: canonical, OpenGraph, Twitter, JSON-LD.

``page_head(settings, context)`` reads the Jinja context Pelican renders a page
with and returns a ``PageHead``; ``partials/meta.html`` only prints it. The page
kind is recognised from the context: ``article``, ``page``, a direct template
(home, index, search, notfound: by the file written) or a listing whose subject is
passed as ``category``, ``region``, ``column``, ``series``, ``author`` or ``tag``.
"""

import html
from dataclasses import dataclass, field

from bs4 import BeautifulSoup

from . import jsonld
from .images import card_image, first_card_image
from .settings import absolute, seo_settings

_LISTING_SUBJECTS = ("category", "region", "column", "series", "author", "tag")
_DIRECT_LABELS = {"home": None, "index": "Latest", "search": "Search", "notfound": "Page not found"}


@dataclass
class PageHead:
    """Everything meta.html prints; lists of pairs keep repeated properties in order."""

    title: str
    description: str
    canonical: str
    robots: str | None = None
    feeds: list = field(default_factory=list)  # dicts: href, type, title
    open_graph: list = field(default_factory=list)  # (property, content)
    twitter: list = field(default_factory=list)  # (name, content)
    json_ld: list = field(default_factory=list)  # Markup, one per <script>


def plain(html, limit=None):
    """Text of an HTML fragment, whitespace collapsed, cut at a word if over ``limit``.

    A fragment without ``<`` or ``&`` (most titles and listing descriptions) is
    its own text: BeautifulSoup (about 1.7 s of a cold render at N = 10,000 for
    those alone, BENCHMARKS.md lever 116) is left for the others.
    """
    if html and "<" not in html and "&" not in html:
        text = " ".join(html.split())
    else:
        text = " ".join(BeautifulSoup(html or "", "html.parser").get_text().split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
    return text


def _name(value):
    # Region and column are Terms once kiosk_taxonomies ran, strings before.
    return getattr(value, "name", value) if value else None


def _twitter_site(settings):
    for label, url in settings.get("SOCIAL") or ():
        if label.lower() in ("x", "twitter"):
            return "@" + url.rstrip("/").rsplit("/", 1)[-1].lstrip("@")
    return None


def _cards(head, kind, title, image, twitter_site):
    """Fill the OpenGraph and Twitter pairs every page kind shares."""
    head.open_graph[:0] = [
        ("og:type", kind),
        ("og:title", title),
        ("og:description", head.description),
        ("og:url", head.canonical),
    ]
    head.twitter += [
        ("twitter:card", "summary_large_image"),
        ("twitter:title", title),
        ("twitter:description", head.description),
    ]
    if twitter_site:
        head.twitter.append(("twitter:site", twitter_site))
    if image:
        head.open_graph += [
            ("og:image", image["url"]),
            ("og:image:width", str(image["width"])),
            ("og:image:height", str(image["height"])),
            ("og:image:alt", image["alt"]),
        ]
        head.twitter += [("twitter:image", image["url"]), ("twitter:image:alt", image["alt"])]


def _article_head(settings, config, article, publisher):
    headline = plain(article.title)
    # The dek is plain text (CONTENT.md); the summary is HTML from Markdown.
    dek = getattr(article, "subtitle", None)
    description = plain(html.escape(dek) if dek else article.summary, config["description_length"])
    url = absolute(settings, article.url)
    published = article.date.isoformat(timespec="seconds")
    modified = (getattr(article, "modified", None) or article.date).isoformat(timespec="seconds")
    section = _name(getattr(article, "category", None))
    tags = [tag.name for tag in getattr(article, "tags", ())]
    authors = [(a.name, absolute(settings, a.url)) for a in getattr(article, "authors", ())]
    image = card_image(settings, article)
    head = PageHead(
        title=headline + config["title_separator"] + settings["SITENAME"],
        description=description,
        canonical=url,
    )
    if article.status != "published":
        head.robots = "noindex"
    head.open_graph += [("article:published_time", published), ("article:modified_time", modified)]
    head.open_graph += [("article:author", link) for _, link in authors]
    if section:
        head.open_graph.append(("article:section", section))
    head.open_graph += [("article:tag", tag) for tag in tags]
    _cards(head, "article", headline, image, _twitter_site(settings))
    home = absolute(settings, "/")
    trail = [(settings["SITENAME"], home)]
    if section:
        trail.append((section, absolute(settings, article.category.url)))
    trail.append((headline, url))
    head.json_ld = [
        jsonld.news_article(
            headline=headline,
            description=description,
            url=url,
            published=published,
            modified=modified,
            authors=authors,
            image=image,
            section=section,
            keywords=tags,
            publisher_data=publisher,
        ),
        jsonld.breadcrumbs(trail),
    ]
    return head


def _subject_description(settings, kind, subject):
    own = getattr(subject, "description", None)
    if own:
        return own
    lists = {
        "category": "SECTION_DESCRIPTIONS",
        "region": "REGION_DESCRIPTIONS",
        "column": "COLUMN_DESCRIPTIONS",
    }
    if kind in lists:
        found = (settings.get(lists[kind]) or {}).get(subject.name)
        if found:
            return found
    profile = getattr(subject, "profile", None)
    if profile is not None and getattr(profile, "role", None):
        return f"{subject.name}, {profile.role}: articles in {settings['SITENAME']}."
    return f"{subject.name}: articles in {settings['SITENAME']}, newest first."


def _subject_feed(settings, kind, subject):
    base = settings.get("FEED_DOMAIN") or settings["SITEURL"]
    path = getattr(subject, "feed_url", None)
    pattern = settings.get(f"{kind.upper()}_FEED_ATOM")
    if not path and pattern:
        path = pattern.format(slug=subject.slug)
    if not path:
        return []
    href = path if "://" in path else f"{base.rstrip('/')}/{path.lstrip('/')}"
    return [
        {
            "href": href,
            "type": "application/atom+xml",
            "title": f"{settings['SITENAME']}: {subject.name}",
        }
    ]


def _page_head(settings, config, page, publisher):
    name = plain(page.title)
    head = PageHead(
        title=name + config["title_separator"] + settings["SITENAME"],
        description=plain(
            getattr(page, "summary", None) or settings.get("SITE_DESCRIPTION"),
            config["description_length"],
        ),
        canonical=absolute(settings, page.url),
    )
    _cards(head, "website", name, card_image(settings, page), _twitter_site(settings))
    head.json_ld = [
        jsonld.breadcrumbs(
            [(settings["SITENAME"], absolute(settings, "/")), (name, head.canonical)]
        )
    ]
    return head


def _direct_template(settings, context):
    """Which of DIRECT_TEMPLATES is being rendered (Pelican does not pass its name)."""
    paginator = context.get("articles_paginator")
    written = paginator.name if paginator is not None else context.get("output_file")
    for name in settings.get("DIRECT_TEMPLATES", ()):
        if written and settings.get(f"{name.upper()}_SAVE_AS") == written:
            return name
    return None


def _listing_head(settings, config, context, publisher):
    template = _direct_template(settings, context)
    kind = next((key for key in _LISTING_SUBJECTS if context.get(key) is not None), None)
    subject = None if template in _DIRECT_LABELS or kind is None else context[kind]
    label = _DIRECT_LABELS.get(template) if subject is None else subject.name
    page = context.get("articles_page")
    if label and page is not None and page.number > 1:
        label = f"{label}, page {page.number}"
    if label is None:  # the home page: the magazine's own name and tagline
        title = settings["SITENAME"]
        full_title = config["title_separator"].join(
            filter(None, (title, settings.get("SITE_TAGLINE")))
        )
    else:
        title = label
        full_title = label + config["title_separator"] + settings["SITENAME"]
    if subject is not None:
        description = _subject_description(settings, kind, subject)
    else:
        description = settings.get("SITE_DESCRIPTION") or settings["SITENAME"]
    output = context.get("output_file") or ""
    url = absolute(settings, output.removesuffix("index.html") or "/")
    head = PageHead(
        title=full_title,
        description=plain(description, config["description_length"]),
        canonical=url,
        robots="noindex" if template == "notfound" else None,
    )
    if subject is not None:
        head.feeds = _subject_feed(settings, kind, subject)
    # The home page's card shows its lead story; any other listing its first story.
    lead = getattr(context.get("home"), "lead", None) if template == "home" else None
    stories = (
        [lead] if lead else (page.object_list if page is not None else context.get("articles"))
    )
    _cards(head, "website", title, first_card_image(settings, stories), _twitter_site(settings))
    home = absolute(settings, "/")
    if template == "home":
        search = settings.get("SEARCH_URL") if settings.get("SEARCH_SAVE_AS") else None
        head.json_ld = [
            jsonld.website(
                name=settings["SITENAME"],
                url=home,
                description=head.description,
                search_url=absolute(settings, search),
                publisher_data=publisher,
            )
        ]
    elif template != "notfound":
        head.json_ld = [jsonld.breadcrumbs([(settings["SITENAME"], home), (label, url)])]
    return head


def page_head(settings, context):
    """Return the ``PageHead`` of the page rendered with Jinja ``context``."""
    config = seo_settings(settings)
    publisher = jsonld.publisher(
        settings["SITENAME"], absolute(settings, "/"), absolute(settings, config["logo"])
    )
    if context.get("article") is not None:
        head = _article_head(settings, config, context["article"], publisher)
    elif context.get("page") is not None:
        head = _page_head(settings, config, context["page"], publisher)
    else:
        head = _listing_head(settings, config, context, publisher)
    head.json_ld = [jsonld.dumps_for_script(data) for data in head.json_ld]
    return head
