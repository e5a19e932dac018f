"""The sample magazine, published: every URL of CONTENT.md's URL table exists,
and drafts and scheduled pieces appear nowhere a reader or crawler could find them."""

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree
from pelican.settings import read_settings
from pelican.utils import slugify

from kiosk_editorial.headers import read_source
from kiosk_editorial.rules import parse_date, split_list

pytestmark = pytest.mark.site
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = read_settings(str(ROOT / "pelicanconf.py"))
NOW = datetime.now().astimezone()


def headers(folder):
    for path in sorted((ROOT / "content" / folder).rglob("*.md")):
        yield path, read_source(path, path)[0].header


def is_published(header):
    date = parse_date(header["date"])
    if date.tzinfo is None:
        date = date.replace(tzinfo=NOW.tzinfo)
    return header.get("status", "published") == "published" and date <= NOW


ARTICLES = [h for _, h in headers("articles")]
PUBLISHED = [h for h in ARTICLES if is_published(h)]
UNPUBLISHED = [h for h in ARTICLES if not is_published(h)]
AUTHOR_SLUGS = [path.stem for path, _ in headers("authors")]


def slug(name):
    return slugify(name, regex_subs=SETTINGS["SLUG_REGEX_SUBSTITUTIONS"])


def page(site, url):
    path = site / url.lstrip("/")
    if url.endswith("/"):
        path = path / "index.html"
    assert path.is_file(), f"{url} was not written"
    return path


def html(site, url):
    soup = BeautifulSoup(page(site, url).read_text("utf-8"), "html.parser")
    assert soup.find("h1"), f"{url} has no headline"
    return soup


def test_the_sample_magazine_is_big_enough_to_mean_something():
    assert len(PUBLISHED) >= 40
    years = {parse_date(h["date"]).year for h in PUBLISHED}
    assert len(years) >= 3
    assert {h["section"] for h in PUBLISHED} == set(SETTINGS["SECTIONS"])
    assert {h["region"] for h in PUBLISHED if "region" in h} == set(SETTINGS["REGIONS"])
    assert any(h.get("column") == "QiOSK" for h in PUBLISHED)
    series = {}
    for h in PUBLISHED:
        if "series" in h:
            series[h["series"]] = series.get(h["series"], 0) + 1
    assert series.get("Diplomacy Watch", 0) >= 3
    assert sum(1 for n in series.values() if n >= 3) >= 2
    assert len(AUTHOR_SLUGS) >= 8


def test_home_latest_and_every_article_exist(published_site):
    html(published_site, "/")
    html(published_site, "/latest/")
    pages = -(-len(PUBLISHED) // SETTINGS["DEFAULT_PAGINATION"])
    for number in range(2, pages + 1):
        html(published_site, f"/latest/{number}/")
    for header in PUBLISHED:
        soup = html(published_site, f"/{header['slug']}/")
        assert soup.find("h1").get_text(" ", strip=True)


def test_a_published_story_is_shared_by_its_absolute_url(published_site):
    # A mail or a post carries the story's address, not a path that means
    # nothing outside the site.
    site = read_settings(str(ROOT / "publishconf.py"))["SITEURL"]
    for header in PUBLISHED:
        story = f"{site}/{header['slug']}/"
        links = html(published_site, f"/{header['slug']}/").select(".share a")
        share = {a.get_text(" ", strip=True): urlsplit(a["href"]) for a in links}
        assert share["Link to this story"].geturl() == story
        assert parse_qs(share["Share by Email"].query)["body"] == [story]
        assert parse_qs(share["Share on X"].query)["url"] == [story]
        assert parse_qs(share["Share on LinkedIn"].query)["url"] == [story]
        assert parse_qs(share["Share on Bluesky"].query)["text"][0].endswith(" " + story)


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        ("section", SETTINGS["SECTIONS"]),
        ("region", sorted({h["region"] for h in PUBLISHED if "region" in h})),
        ("column", SETTINGS["COLUMNS"]),
        ("series", sorted({h["series"] for h in PUBLISHED if "series" in h})),
        ("tag", sorted({t for h in PUBLISHED for t in split_list(h.get("tags"))})),
    ],
)
def test_every_listing_exists(published_site, kind, names):
    for name in names:
        soup = html(published_site, f"/{kind}/{slug(name)}/")
        assert name in soup.find("h1").get_text(" ", strip=True)


def test_every_author_has_a_page(published_site):
    for author in AUTHOR_SLUGS:
        html(published_site, f"/author/{author}/")


def test_search_and_not_found_pages_exist(published_site):
    html(published_site, "/search/")
    page(published_site, "/404.html")


def test_every_feed_of_the_url_table_parses(published_site):
    feeds = ["/feeds/latest.atom.xml", "/feeds/latest.rss.xml"]
    feeds += [f"/feeds/section/{slug(s)}.atom.xml" for s in SETTINGS["SECTIONS"]]
    feeds += [f"/feeds/region/{slug(h['region'])}.atom.xml" for h in PUBLISHED if "region" in h]
    feeds += [f"/feeds/column/{slug(c)}.atom.xml" for c in SETTINGS["COLUMNS"]]
    feeds += [f"/feeds/author/{a}.atom.xml" for a in AUTHOR_SLUGS]
    for url in sorted(set(feeds)):
        parsed = feedparser.parse(page(published_site, url).read_bytes())
        assert not parsed.bozo, f"{url}: {parsed.bozo_exception}"
        assert parsed.entries, f"{url} has no entries"
    latest = json.loads(page(published_site, "/feeds/latest.json").read_text("utf-8"))
    assert latest["version"] == "https://jsonfeed.org/version/1.1"
    assert latest["items"]


def test_each_feed_links_to_the_page_whose_stories_it_lists(published_site):
    # A feed reader's "visit website" for the Africa feed opens the Africa page.
    site = read_settings(str(ROOT / "publishconf.py"))["SITEURL"]
    feeds = {"/feeds/latest.atom.xml": "/", "/feeds/latest.rss.xml": "/"}
    feeds |= {f"/feeds/section/{slug(s)}.atom.xml": f"/section/{slug(s)}/"
              for s in SETTINGS["SECTIONS"]}  # fmt: skip
    feeds |= {f"/feeds/region/{slug(h['region'])}.atom.xml": f"/region/{slug(h['region'])}/"
              for h in PUBLISHED if "region" in h}  # fmt: skip
    feeds |= {f"/feeds/author/{a}.atom.xml": f"/author/{a}/" for a in AUTHOR_SLUGS}
    feeds |= {f"/feeds/series/{slug(h['series'])}.atom.xml": f"/series/{slug(h['series'])}/"
              for h in PUBLISHED if "series" in h}  # fmt: skip
    for feed, listing in sorted(feeds.items()):
        parsed = feedparser.parse(page(published_site, feed).read_bytes())
        assert parsed.feed.link == site + listing, feed
        html(published_site, listing)  # and that page exists


def test_sitemaps_and_robots_exist(published_site):
    for url in ("/sitemap.xml", "/news-sitemap.xml"):
        etree.parse(str(page(published_site, url)))
    robots = page(published_site, "/robots.txt").read_text("utf-8").splitlines()
    assert any(line.startswith("Sitemap:") for line in robots)


def every_text_file(site):
    for path in sorted(site.rglob("*")):
        if path.suffix in (".html", ".xml", ".json", ".txt") or path.name == "_redirects":
            yield path


def test_drafts_and_scheduled_pieces_are_nowhere_in_a_publish_build(published_site):
    assert {h.get("status") for h in UNPUBLISHED} >= {"draft"}, "sample lacks a draft"
    assert any(h.get("status", "published") == "published" for h in UNPUBLISHED), (
        "sample lacks a scheduled piece"
    )
    for header in UNPUBLISHED:
        assert not (published_site / header["slug"]).exists()
        assert not (published_site / "drafts").exists()
    hidden_slugs = {h["slug"] for h in UNPUBLISHED}
    hidden_titles = {h["title"] for h in UNPUBLISHED}
    for path in every_text_file(published_site):
        text = path.read_text("utf-8", errors="replace")
        if path.suffix == ".html":
            soup = BeautifulSoup(text, "html.parser")
            links = {a.get("href", "") for a in soup.find_all(["a", "link"])}
            assert not any(s in link for link in links for s in hidden_slugs), path
            text = soup.get_text(" ")
        for title in hidden_titles:
            assert title not in text, f"{title!r} leaks into {path.relative_to(published_site)}"
