"""kiosk_authors: profiles on author pages and bylines, URLs from file names."""

import io

import feedparser
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from kiosk_authors import plugin_settings
from kiosk_authors.profiles import social_links
from tests.plugins.conftest import header

AUTHOR_PAGE = """
<h1>{{ author.profile.name }}</h1>
<p class="role">{{ author.profile.role }}</p>
{% if author.profile.photo %}{% set p = author.profile.photo %}
<figure><img src="{{ p.src }}" width="{{ p.width }}" height="{{ p.height }}" alt="{{ p.alt }}">
<figcaption class="credit">{{ p.credit }}</figcaption></figure>{% endif %}
<div class="bio">{{ author.profile.bio_html|safe }}</div>
<ul class="links">{% for label, url in author.profile.links %}
<li><a href="{{ url }}">{{ label }}</a></li>{% endfor %}</ul>
<ol class="articles">{% for a in articles %}<li>{{ a.title|safe }}</li>{% endfor %}</ol>
"""
ARTICLE_PAGE = """
<h1>{{ article.title|safe }}</h1>
<p class="byline">{% for a in article.authors %}
<a href="{{ SITEURL }}/{{ a.url }}">{{ a.profile.name }}</a>{% endfor %}</p>
"""


def _jpeg(width, height):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "gray").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def site(make_site):
    files = {
        "authors/ana-ortiz.md": header(
            "Ana studies *sanctions*.",
            name="Ana María Ortiz",
            role="Eurasia Research Fellow",
            photo="images/authors/ana-ortiz.jpg",
            photo_credit="Studio Brandt",
            website="https://example.org/ana",
            twitter="@anaortiz",
            bluesky="anaortiz.bsky.social",
            mastodon="@ana@example.social",
        ),
        "authors/samuel-hale.md": header("Samuel covers the EU.", name="Samuel Hale"),
        "authors/new-hire.md": header("Joins us next month.", name="Nadia Fenwick", role="Intern"),
        "images/authors/ana-ortiz.jpg": _jpeg(40, 60),
        "articles/one.md": header(
            title="Sanctions, year three",
            date="2026-01-05 09:00",
            category="Analysis",
            authors="Ana María Ortiz, Samuel Hale",
        ),
        "articles/two.md": header(
            title="A quiet summit", date="2026-02-01", category="Reporting", authors="Samuel Hale"
        ),
    }
    templates = {"author.html": AUTHOR_PAGE, "article.html": ARTICLE_PAGE}
    return make_site(files, plugins=["kiosk_authors", "kiosk_feeds"], templates=templates)


def _soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_author_page_url_follows_the_profile_file_name(site):
    assert (site / "author" / "ana-ortiz" / "index.html").exists()
    assert not (site / "author" / "ana-maria-ortiz").exists()
    assert (site / "feeds" / "author" / "ana-ortiz.atom.xml").exists()


def test_author_page_shows_the_profile(site):
    page = _soup(site / "author" / "ana-ortiz" / "index.html")
    assert page.select_one("h1").get_text() == "Ana María Ortiz"
    assert page.select_one(".role").get_text() == "Eurasia Research Fellow"
    assert page.select_one(".bio em").get_text() == "sanctions"
    img = page.select_one("figure img")
    assert img["src"] == "/images/authors/ana-ortiz.jpg"
    assert (img["width"], img["height"]) == ("40", "60")
    assert img["alt"] == "Portrait of Ana María Ortiz"
    assert page.select_one("figcaption.credit").get_text() == "Studio Brandt"
    links = [(a.get_text(), a["href"]) for a in page.select(".links a")]
    assert links == [
        ("Website", "https://example.org/ana"),
        ("X", "https://x.com/anaortiz"),
        ("Bluesky", "https://bsky.app/profile/anaortiz.bsky.social"),
        ("Mastodon", "https://example.social/@ana"),
    ]


def test_author_without_photo_or_links_shows_neither(site):
    page = _soup(site / "author" / "samuel-hale" / "index.html")
    assert page.select_one("img") is None
    assert page.select(".links a") == []
    assert [li.get_text() for li in page.select(".articles li")] == [
        "A quiet summit",
        "Sanctions, year three",
    ]


def test_bylines_link_to_author_pages(site):
    page = _soup(site / "sanctions-year-three" / "index.html")
    bylines = [(a.get_text(), a["href"]) for a in page.select(".byline a")]
    assert bylines == [
        ("Ana María Ortiz", "/author/ana-ortiz/"),
        ("Samuel Hale", "/author/samuel-hale/"),
    ]


def test_full_urls_are_kept_as_written():
    meta = {"twitter": "https://x.com/someone", "mastodon": "https://social.example/@me"}
    assert social_links(meta) == [
        ("X", "https://x.com/someone"),
        ("Mastodon", "https://social.example/@me"),
    ]


def test_unknown_setting_is_rejected():
    with pytest.raises(ValueError, match="pathh"):
        plugin_settings({"KIOSK_AUTHORS": {"pathh": "people"}})


def test_a_profile_without_articles_still_has_its_page(site):
    page = _soup(site / "author" / "new-hire" / "index.html")
    assert page.select_one("h1").get_text() == "Nadia Fenwick"
    assert page.select_one(".role").get_text() == "Intern"
    assert page.select(".articles li") == []


def test_the_feed_of_an_author_without_articles_is_dated_by_the_content(site):
    feed = feedparser.parse((site / "feeds" / "author" / "new-hire.atom.xml").read_bytes())
    assert not feed.bozo and feed.entries == []
    # The newest article of the site, not the moment of the build.
    assert feed.feed.updated.startswith("2026-02-01")
