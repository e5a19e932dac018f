"""The editorial plugins on the sample magazine, as a reader meets their work:
related stories that are really related, series in order, captions split from
credits, and the Latest feed newest first with its authors, categories and image."""

import re
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from kiosk_editorial.headers import read_source
from kiosk_editorial.rules import MD_IMAGE, split_list
from tests.site.test_url_table import PUBLISHED

pytestmark = pytest.mark.site
ROOT = Path(__file__).resolve().parents[2]
BY_SLUG = {h["slug"]: h for h in PUBLISHED}
QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def page(site, slug):
    return BeautifulSoup((site / slug / "index.html").read_text("utf-8"), "html.parser")


def slug_of(href):
    return href.rstrip("/").rsplit("/", 1)[-1]


def tags(slug):
    return set(split_list(BY_SLUG[slug].get("tags")))


def shared(a, b):
    return len(tags(a) & tags(b))


def test_related_stories_put_shared_topics_before_unrelated_ones(published_site):
    strong_matches = 0
    for slug in BY_SLUG:
        teasers = [
            slug_of(a["href"]) for a in page(published_site, slug).select(".teaser__title a")
        ]
        assert teasers, f"{slug} has no related stories"
        assert slug not in teasers
        series = BY_SLUG[slug].get("series")
        assert all(not series or BY_SLUG[t].get("series") != series for t in teasers), slug
        overlaps = [shared(slug, t) for t in teasers]
        # A piece sharing three tags is never ranked below one sharing none.
        for i, many in enumerate(overlaps):
            assert not (many >= 3 and 0 in overlaps[:i]), (
                slug,
                list(zip(teasers, overlaps, strict=True)),
            )
        strong_matches += overlaps[0] >= 3
    assert strong_matches >= 3, "the sample should show a few strongly related pairs"


def test_a_series_reads_oldest_first_and_each_part_knows_its_place(published_site):
    for name in {h["series"] for h in PUBLISHED if "series" in h}:
        entries = sorted((h for h in PUBLISHED if h.get("series") == name), key=lambda h: h["date"])
        listing = BeautifulSoup(
            (published_site / "series" / re.sub(r"\W+", "-", name.lower()).strip("-")
             / "index.html").read_text("utf-8"), "html.parser")  # fmt: skip
        listed = [slug_of(a["href"]) for a in listing.select(".list-grid .story__title a")]
        assert listed == [h["slug"] for h in entries], name
        for number, header in enumerate(entries, start=1):
            box = page(published_site, header["slug"]).select_one(".series-box")
            assert f"Part {number} of {len(entries)}" in box.get_text(" ", strip=True)


def body_figures_with_credits():
    for header_path in sorted((ROOT / "content" / "articles").rglob("*.md")):
        source = read_source(header_path, header_path)[0]
        if source.header.get("slug") not in BY_SLUG:
            continue
        for image in MD_IMAGE.finditer(source.body):
            title = image.group("title") or ""
            if " | " in title:
                caption, credit = title.rsplit(" | ", 1)
                yield source.header["slug"], image.group("src"), caption, credit


def test_body_captions_and_credits_are_split(published_site):
    figures = list(body_figures_with_credits())
    assert len(figures) >= 5
    for slug, src, caption, credit in figures:
        soup = page(published_site, slug)
        img = next(i for i in soup.select(".prose figure img") if i["src"].endswith(src))
        figcaption = img.find_parent("figure").figcaption
        assert figcaption.select_one(".caption").get_text().translate(QUOTES) == caption
        assert figcaption.select_one(".credit").get_text().translate(QUOTES) == credit


def test_agency_credits_without_a_bar_are_split_too(published_site):
    agency = re.compile(r"(REUTERS/|AP Photo/|AFP/|Getty Images|Shutterstock|Photo by )")
    split = 0
    for slug in BY_SLUG:
        for figure in page(published_site, slug).select(".prose figure"):
            credit = figure.select_one(".credit")
            if credit and agency.search(credit.get_text()):
                assert not agency.search(figure.select_one(".caption").get_text()), slug
                split += 1
    assert split >= 5


def test_latest_feed_is_newest_first_with_authors_categories_and_image(published_site):
    feed = feedparser.parse((published_site / "feeds" / "latest.atom.xml").read_bytes())
    assert not feed.bozo
    dates = [datetime(*entry.published_parsed[:6]) for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert len(feed.entries) == min(len(PUBLISHED), 50)
    for entry in feed.entries:
        header = BY_SLUG[slug_of(entry.link)]
        assert [a["name"] for a in entry.authors] == split_list(header["authors"])
        terms = {t["term"] for t in entry.tags}
        assert header["section"] in terms and tags(header["slug"]) <= terms
        if "image" in header:
            enclosure = next(link for link in entry.links if link["rel"] == "enclosure")
            assert enclosure["href"].endswith(header["image"])
