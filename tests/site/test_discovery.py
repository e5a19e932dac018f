"""The sample magazine as search engines, news aggregators, social networks and
searching readers meet it: sitemaps, robots.txt, head metadata, JSON-LD,
redirects for old URLs, and the static search page in Chromium."""

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from tests.conftest import search_site

pytestmark = pytest.mark.site
ROOT = Path(__file__).resolve().parents[2]
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
SCHEMA = etree.XMLSchema(etree.parse(str(ROOT / "tests" / "sitemap.xsd")))
# Words that occur only in the sample draft and the sample scheduled piece.
UNPUBLISHED_WORDS = ("zephyrlantern", "quillmarrow")


def _soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pages(site):
    """``{path below the site: soup}`` of every HTML page a reader can reach."""
    return {
        path.relative_to(site).as_posix(): _soup(path)
        for path in sorted(site.rglob("*.html"))
        if not path.relative_to(site).as_posix().startswith("pagefind/")
    }


def _meta(soup, attribute, key):
    return [tag.get("content", "") for tag in soup.find_all("meta", attrs={attribute: key})]


def _is_redirect(soup):
    return soup.find("meta", attrs={"http-equiv": "refresh"}) is not None


def _json_ld(soup):
    return {
        data["@type"]: data
        for data in (
            json.loads(s.string) for s in soup.select('script[type="application/ld+json"]')
        )
    }


@pytest.fixture(scope="module")
def pages(published_site):
    return _pages(published_site)


@pytest.fixture(scope="module")
def articles(pages):
    return {
        path: soup
        for path, soup in pages.items()
        if _meta(soup, "property", "og:type") == ["article"]
    }


def test_sitemap_lists_every_indexable_page_and_nothing_else(published_site, pages, articles):
    tree = etree.parse(str(published_site / "sitemap.xml"))
    SCHEMA.assertValid(tree)
    listed = {url.findtext("sm:loc", namespaces=NS): url for url in tree.getroot()}
    indexable = {
        soup.select_one('link[rel="canonical"]')["href"]
        for path, soup in pages.items()
        if not _is_redirect(soup) and path not in ("404.html", "search/index.html")
    }
    assert set(listed) == indexable
    for soup in articles.values():
        url = soup.select_one('link[rel="canonical"]')["href"]
        modified = _meta(soup, "property", "article:modified_time")[0]
        assert listed[url].findtext("sm:lastmod", namespaces=NS) == modified


def test_news_sitemap_holds_the_articles_of_the_last_48_hours(published_site, articles):
    tree = etree.parse(str(published_site / "news-sitemap.xml"))
    SCHEMA.assertValid(tree)
    now = datetime.now().astimezone()
    published = {
        soup.select_one('link[rel="canonical"]')["href"]: datetime.fromisoformat(
            _meta(soup, "property", "article:published_time")[0]
        )
        for soup in articles.values()
    }
    listed = {u.findtext("sm:loc", namespaces=NS): u for u in tree.getroot()}
    for url, entry in listed.items():
        date = datetime.fromisoformat(
            entry.findtext("news:news/news:publication_date", namespaces=NS)
        )
        assert date == published[url]
        # The build ran minutes before this test, never more than an hour.
        assert now - timedelta(hours=49) <= date <= now
        assert entry.findtext("news:news/news:publication/news:name", namespaces=NS) == "Kiosk"
    recent = {url for url, date in published.items() if now - date < timedelta(hours=47)}
    assert recent <= set(listed)


def test_robots_txt_names_both_sitemaps_absolutely(published_site):
    lines = (published_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    sitemaps = [line.split(": ", 1)[1] for line in lines if line.startswith("Sitemap:")]
    assert [re.sub(r"^https://[^/]+/", "/", url) for url in sitemaps] == [
        "/sitemap.xml",
        "/news-sitemap.xml",
    ]
    assert all(url.startswith("https://") for url in sitemaps)


def test_every_page_has_a_title_description_canonical_card_and_site_feed(pages):
    for path, soup in pages.items():
        if _is_redirect(soup):
            continue
        canonical = soup.select_one('link[rel="canonical"]')["href"]
        assert canonical.startswith("https://"), path
        assert soup.title.get_text().strip(), path
        assert _meta(soup, "name", "description")[0].strip(), path
        assert _meta(soup, "property", "og:url") == [canonical], path
        assert _meta(soup, "property", "og:title")[0].strip(), path
        assert _meta(soup, "property", "og:description")[0].strip(), path
        assert _meta(soup, "name", "twitter:card") == ["summary_large_image"], path
        kind = "article" if soup.select_one("[data-pagefind-body]") else "website"
        assert _meta(soup, "property", "og:type") == [kind], path
        for image in _meta(soup, "property", "og:image"):
            assert image.startswith("https://"), path
            assert int(_meta(soup, "property", "og:image:width")[0]) > 0, path
            assert int(_meta(soup, "property", "og:image:height")[0]) > 0, path
            assert _meta(soup, "property", "og:image:alt")[0].strip(), path
        feeds = [
            link["href"]
            for link in soup.select('link[rel="alternate"]')
            if link.get("type") == "application/atom+xml"
        ]
        assert any(href.endswith("/feeds/latest.atom.xml") for href in feeds), path


def test_articles_carry_a_complete_news_article(articles):
    assert articles
    for path, soup in articles.items():
        data = _json_ld(soup)
        article = data["NewsArticle"]
        for key in (
            "headline",
            "description",
            "datePublished",
            "dateModified",
            "author",
            "articleSection",
            "keywords",
            "publisher",
            "mainEntityOfPage",
        ):
            assert article.get(key), f"{path}: NewsArticle.{key}"
        # A piece without a top image (a short QiOSK brief) has no image to offer.
        image = [article["image"]["url"]] if "image" in article else []
        assert image == _meta(soup, "property", "og:image"), path
        assert all(
            a["@type"] == "Person" and a["url"].startswith("https://") for a in article["author"]
        ), path
        assert article["publisher"]["@type"] == "NewsMediaOrganization", path
        assert article["publisher"]["logo"]["url"].startswith("https://"), path
        assert article["articleSection"] == _meta(soup, "property", "article:section")[0]
        assert article["datePublished"] == _meta(soup, "property", "article:published_time")[0]
        assert _meta(soup, "property", "article:tag") == article["keywords"], path
        trail = data["BreadcrumbList"]["itemListElement"]
        assert [item["name"] for item in trail][1] == article["articleSection"], path
        assert trail[-1]["item"] == soup.select_one('link[rel="canonical"]')["href"], path


def test_home_page_is_a_website_with_a_search_action(pages):
    website = _json_ld(pages["index.html"])["WebSite"]
    target = website["potentialAction"]["target"]["urlTemplate"]
    assert target == website["url"] + "search/?q={search_term_string}"


@pytest.mark.parametrize("kind", ["section", "region", "column"])
def test_listing_pages_link_their_own_feed(published_site, pages, kind):
    listings = {
        path: soup
        for path, soup in pages.items()
        if re.fullmatch(rf"{kind}/[^/]+/index\.html", path)
    }
    assert listings, kind
    for path, soup in listings.items():
        slug = path.split("/")[1]
        feeds = [link["href"] for link in soup.select('link[rel="alternate"]')]
        own = [href for href in feeds if href.endswith(f"/feeds/{kind}/{slug}.atom.xml")]
        assert own, path
        assert (published_site / "feeds" / kind / f"{slug}.atom.xml").is_file(), path


def test_old_urls_redirect_to_their_article(published_site):
    rules = [
        line.split()
        for line in (published_site / "_redirects").read_text(encoding="utf-8").splitlines()
    ]
    for old, new, status in rules:
        assert status == "301"
        saved = old.lstrip("/") + ("index.html" if old.endswith("/") else "")
        page = _soup(published_site / saved)
        target = page.select_one('link[rel="canonical"]')["href"]
        assert target.endswith(new)
        assert page.select_one("body a")["href"] == target
        assert (published_site / new.lstrip("/") / "index.html").is_file()


def test_unpublished_words_are_nowhere_in_the_published_site(pages):
    for path, soup in pages.items():
        words = set(soup.get_text(" ").lower().split())
        assert not words & set(UNPUBLISHED_WORDS), path


# --- Search, in Chromium, on the development build (which does write drafts) ---


def _unique_word(site):
    """A word of one published article whose first six letters no other article has.

    Pagefind stems words and matches prefixes, so a word is only "unique" if
    no other article has a word starting the same way.
    """
    texts = {}
    for path, soup in _pages(site).items():
        body = soup.select_one("[data-pagefind-body]")
        if body is not None and not path.startswith("drafts/"):
            words = re.findall(r"[a-z]{9,}", body.get_text(" ").lower())
            texts["/" + path.removesuffix("index.html")] = set(words)
    for url, words in sorted(texts.items()):
        others = {w[:6] for other, ws in texts.items() if other != url for w in ws}
        for word in sorted(words, key=lambda w: (-len(w), w)):
            if word[:6] not in others:
                return word, url
    raise AssertionError("no article has a word of its own")


@pytest.mark.browser
def test_a_word_of_one_article_finds_that_article_first(page, built_site, site_url):
    word, url = _unique_word(built_site)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(site_url) else None)
    results = search_site(page, site_url, word)
    assert results and results[0].endswith(url), (word, results)
    assert outside == [], "search must not call third parties"


@pytest.mark.browser
@pytest.mark.parametrize("word", UNPUBLISHED_WORDS)
def test_draft_and_scheduled_words_find_nothing(page, site_url, word):
    assert search_site(page, site_url, word) == []
    assert page.locator(".pagefind-ui__message").inner_text().startswith("No results")


@pytest.mark.browser
def test_search_page_without_javascript_offers_the_sections(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/search/")
    # Playwright's text engine skips <noscript>; CSS selectors reach it.
    notice = page.locator(".search-page__nojs p").first
    assert notice.is_visible()
    assert notice.inner_text().startswith("Search needs JavaScript")
    sections = page.locator("#search-sections + ul a")
    assert sections.count() >= 3
    href = sections.first.get_attribute("href")
    assert re.search(r"/section/[a-z-]+/$", href)
    context.close()
