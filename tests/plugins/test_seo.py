"""kiosk_seo: what crawlers and social networks read from a tiny published site.

The test theme includes the real ``partials/meta.html`` so that the plugin's data
and the partial that prints it are checked together, as a crawler sees them.
Tiny sites use Pelican's ``Category:`` header for the section, which is what
kiosk_editorial turns ``Section:`` into.
"""

import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from pelican.utils import SafeDatetime
from PIL import Image

from kiosk_seo.jsonld import dumps_for_script
from kiosk_seo.settings import seo_settings
from tests.plugins.conftest import header

ROOT = Path(__file__).resolve().parents[2]
SITEURL = "https://kiosk.example"
SITEMAP_NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
PUBLISH = {
    "SITEURL": SITEURL,
    "FEED_DOMAIN": SITEURL,
    "DRAFT_SAVE_AS": "",
    "DRAFT_URL": "",
    "KIOSK_SEARCH": {"enabled": False},
}
# Every page kind renders the real head partial and, for articles, the body.
PAGE = (
    '<!doctype html><html lang="en"><head>{% include "partials/meta.html" %}</head>'
    "<body><main>{% if article %}{{ article.content|safe }}{% endif %}</main></body></html>"
)
TEMPLATES = {
    name: PAGE
    for name in (
        "article.html",
        "page.html",
        "category.html",
        "tag.html",
        "author.html",
        "index.html",
        "home.html",
        "search.html",
        "notfound.html",
    )
}


def _jpeg(size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 100, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


def _article(title, date, **fields):
    fields.setdefault("category", "Analysis")
    fields.setdefault("authors", "Ana Ortiz")
    return header(body=f"The body of {title}.", title=title, date=date, **fields)


@pytest.fixture
def build(make_site, tmp_path):
    """Build a tiny site with kiosk_seo and pelican-sitemap and the real head partial."""

    def run(files, settings=None):
        partials = tmp_path / "theme" / "templates" / "partials"
        partials.mkdir(parents=True, exist_ok=True)
        meta = ROOT / "theme" / "templates" / "partials" / "meta.html"
        (partials / "meta.html").write_text(meta.read_text(encoding="utf-8"), encoding="utf-8")
        return make_site(
            files,
            plugins=["kiosk_seo", "pelican.plugins.sitemap"],
            settings={**PUBLISH, **(settings or {})},
            templates=TEMPLATES,
        )

    return run


@pytest.fixture
def site(build):
    return build(
        {
            "images/hall.jpg": _jpeg((1600, 900)),
            "articles/summit.md": _article(
                "A summit without the other side",
                "2024-06-14 09:30",
                modified="2024-06-15 11:00",
                subtitle="What can talks achieve when one party stays home?",
                summary="A summary that the dek outranks.",
                tags="Ukraine, Russia",
                authors="Ana Ortiz, Samuel Hale",
                image="images/hall.jpg",
                image_alt="Empty chairs around a round table",
                slug="summit",
                aliases="/2022/11/11/old-summit/, /archive/summit.html",
            ),
            "articles/brief.md": _article(
                "Grain corridor reopens",
                "2024-06-10 08:00",
                category="Reporting",
                tags="Shipping",
                slug="grain",
            ),
            "articles/draft.md": _article(
                "Unfinished piece", "2024-06-12", status="draft", slug="unfinished"
            ),
            "pages/about.md": header(body="About Kiosk.", title="About"),
        }
    )


def _soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _og(soup):
    """OpenGraph properties as {property: [values in order]}."""
    found = {}
    for tag in soup.select("meta[property]"):
        found.setdefault(tag["property"], []).append(tag["content"])
    return found


def _json_ld(soup):
    return {
        data["@type"]: data
        for data in (
            json.loads(s.string) for s in soup.select('script[type="application/ld+json"]')
        )
    }


def test_article_card_has_canonical_open_graph_and_twitter(site):
    page = _soup(site / "summit" / "index.html")
    og = _og(page)
    assert page.select_one('link[rel="canonical"]')["href"] == f"{SITEURL}/summit/"
    assert og["og:type"] == ["article"]
    assert og["og:url"] == [f"{SITEURL}/summit/"]
    assert og["og:title"] == ["A summit without the other side"]
    assert og["og:description"] == ["What can talks achieve when one party stays home?"]
    assert og["og:image"] == [f"{SITEURL}/images/hall.jpg"]
    assert (og["og:image:width"], og["og:image:height"]) == (["1600"], ["900"])
    assert og["og:image:alt"] == ["Empty chairs around a round table"]
    assert og["article:published_time"] == ["2024-06-14T09:30:00+02:00"]
    assert og["article:modified_time"] == ["2024-06-15T11:00:00+02:00"]
    assert og["article:section"] == ["Analysis"]
    assert og["article:tag"] == ["Ukraine", "Russia"]
    twitter = {t["name"]: t["content"] for t in page.select('meta[name^="twitter:"]')}
    assert twitter["twitter:card"] == "summary_large_image"
    assert twitter["twitter:image"] == f"{SITEURL}/images/hall.jpg"


def test_an_svg_drawing_is_never_a_social_cards_picture():
    """Platforms show JPEG, PNG, GIF or WebP cards; a chart's story takes the next picture."""
    from types import SimpleNamespace

    from kiosk_seo.images import card_image, first_card_image

    settings = {"SITEURL": SITEURL, "PATH": "content"}

    def story(src, width, height):
        image = SimpleNamespace(src=f"{SITEURL}/images/{src}", width=width, height=height, alt="")
        return SimpleNamespace(top_image=image)

    chart, photo = story("exports.svg", 960, 540), story("hall.jpg", 1600, 900)
    assert card_image(settings, chart) is None
    assert first_card_image(settings, [chart, photo])["url"] == f"{SITEURL}/images/hall.jpg"


def test_article_json_ld_is_a_complete_news_article_with_breadcrumbs(site):
    data = _json_ld(_soup(site / "summit" / "index.html"))
    article = data["NewsArticle"]
    assert article["headline"] == "A summit without the other side"
    assert article["description"] == "What can talks achieve when one party stays home?"
    assert article["datePublished"] == "2024-06-14T09:30:00+02:00"
    assert article["dateModified"] == "2024-06-15T11:00:00+02:00"
    assert [(a["@type"], a["name"], a["url"]) for a in article["author"]] == [
        ("Person", "Ana Ortiz", f"{SITEURL}/author/ana-ortiz/"),
        ("Person", "Samuel Hale", f"{SITEURL}/author/samuel-hale/"),
    ]
    assert article["image"]["url"] == f"{SITEURL}/images/hall.jpg"
    assert article["articleSection"] == "Analysis"
    assert article["keywords"] == ["Ukraine", "Russia"]
    assert article["publisher"]["@type"] == "NewsMediaOrganization"
    assert article["publisher"]["logo"]["url"].startswith(f"{SITEURL}/")
    assert article["mainEntityOfPage"]["@id"] == f"{SITEURL}/summit/"
    trail = [
        (i["position"], i["name"], i["item"]) for i in data["BreadcrumbList"]["itemListElement"]
    ]
    assert trail == [
        (1, "Kiosk", f"{SITEURL}/"),
        (2, "Analysis", f"{SITEURL}/section/analysis/"),
        (3, "A summit without the other side", f"{SITEURL}/summit/"),
    ]


def test_listing_is_a_website_with_its_feed_and_breadcrumb(site):
    page = _soup(site / "section" / "analysis" / "index.html")
    og = _og(page)
    assert og["og:type"] == ["website"]
    assert og["og:url"] == [f"{SITEURL}/section/analysis/"]
    assert og["og:image"] == [f"{SITEURL}/images/hall.jpg"], "the lead story's picture"
    assert "article:published_time" not in og
    feeds = [(link["type"], link["href"]) for link in page.select('link[rel="alternate"]')]
    assert ("application/atom+xml", f"{SITEURL}/feeds/section/analysis.atom.xml") in feeds
    trail = _json_ld(page)["BreadcrumbList"]["itemListElement"]
    assert [i["item"] for i in trail] == [f"{SITEURL}/", f"{SITEURL}/section/analysis/"]


def test_home_offers_the_site_search_to_search_engines(site):
    page = _soup(site / "index.html")
    assert _og(page)["og:type"] == ["website"]
    website = _json_ld(page)["WebSite"]
    assert website["url"] == f"{SITEURL}/"
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == f"{SITEURL}/search/?q={{search_term_string}}"
    assert action["query-input"] == "required name=search_term_string"


def test_static_page_and_not_found_page(site):
    about = _soup(site / "about" / "index.html")
    assert about.select_one('link[rel="canonical"]')["href"] == f"{SITEURL}/about/"
    assert _og(about)["og:type"] == ["website"]
    missing = _soup(site / "404.html")
    assert missing.select_one('meta[name="robots"]')["content"] == "noindex"


def test_json_ld_cannot_be_closed_by_a_title():
    hostile = {"headline": "Why </script><script>alert(1)</script> & <!-- matter"}
    page = BeautifulSoup(
        f'<script type="application/ld+json">{dumps_for_script(hostile)}'
        '</script><p id="after">after</p>',
        "html.parser",
    )
    scripts = page.select("script")
    assert len(scripts) == 1
    assert json.loads(scripts[0].string) == hostile
    assert page.select_one("#after").get_text() == "after"


@given(st.dictionaries(st.text(), st.text() | st.lists(st.text())))
def test_json_ld_of_any_text_is_inert_in_a_script_and_reads_back(data):
    text = dumps_for_script(data)
    assert json.loads(text) == data
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}


def test_sitemap_lists_every_article_listing_and_page_but_no_draft(site):
    schema = etree.XMLSchema(etree.parse(str(ROOT / "tests" / "sitemap.xsd")))
    tree = etree.parse(str(site / "sitemap.xml"))
    schema.assertValid(tree)
    lastmod = {
        u.findtext("sm:loc", namespaces=SITEMAP_NS): u.findtext("sm:lastmod", namespaces=SITEMAP_NS)
        for u in tree.getroot()
    }
    for path in (
        "",
        "summit/",
        "grain/",
        "about/",
        "latest/",
        "section/analysis/",
        "section/reporting/",
        "tag/ukraine/",
        "author/ana-ortiz/",
    ):
        assert f"{SITEURL}/{path}" in lastmod
    assert f"{SITEURL}/unfinished/" not in lastmod
    assert not [url for url in lastmod if "drafts" in url or "old-summit" in url]
    assert f"{SITEURL}/404.html" not in lastmod
    assert lastmod[f"{SITEURL}/summit/"] == "2024-06-15T11:00:00+02:00", "Modified wins"
    assert lastmod[f"{SITEURL}/grain/"] == "2024-06-10T08:00:00+02:00"


def test_robots_txt_names_both_sitemaps(site):
    lines = (site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    sitemaps = [line.split(": ", 1)[1] for line in lines if line.startswith("Sitemap:")]
    assert sitemaps == [f"{SITEURL}/sitemap.xml", f"{SITEURL}/news-sitemap.xml"]


def test_news_sitemap_holds_the_last_48_hours(build, monkeypatch):
    built_at = datetime(2024, 6, 14, 12, 0, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(built_at.timestamp())))
    site = build(
        {
            "articles/fresh.md": _article("Fresh & “quoted”", "2024-06-14 13:00", slug="fresh"),
            "articles/edge.md": _article("Two days old", "2024-06-12 15:00", slug="edge"),
            "articles/stale.md": _article("Too old", "2024-06-12 13:00", slug="stale"),
            "articles/later.md": _article("After the build", "2024-06-14 15:00", slug="later"),
            "articles/draft.md": _article(
                "Draft", "2024-06-14 10:00", slug="draft", status="draft"
            ),
        }
    )
    schema = etree.XMLSchema(etree.parse(str(ROOT / "tests" / "sitemap.xsd")))
    tree = etree.parse(str(site / "news-sitemap.xml"))
    schema.assertValid(tree)
    entries = {u.findtext("sm:loc", namespaces=SITEMAP_NS): u for u in tree.getroot()}
    assert set(entries) == {f"{SITEURL}/fresh/", f"{SITEURL}/edge/"}
    fresh = entries[f"{SITEURL}/fresh/"]

    def news(path):
        return fresh.findtext(path, namespaces=SITEMAP_NS)

    assert news("news:news/news:publication/news:name") == "Kiosk"
    assert news("news:news/news:publication/news:language") == "en"
    assert news("news:news/news:publication_date") == "2024-06-14T13:00:00+02:00"
    assert news("news:news/news:title") == "Fresh & “quoted”"


def test_aliases_become_redirect_pages_and_redirect_rules(site):
    for old in ("2022/11/11/old-summit/index.html", "archive/summit.html"):
        page = _soup(site / old)
        refresh = page.select_one('meta[http-equiv="refresh"]')["content"]
        assert refresh == f"0; url={SITEURL}/summit/"
        assert page.select_one('link[rel="canonical"]')["href"] == f"{SITEURL}/summit/"
        link = page.select_one("body a")
        assert link["href"] == f"{SITEURL}/summit/"
        assert link.get_text() == "A summit without the other side"
    rules = [line.split() for line in (site / "_redirects").read_text().splitlines()]
    assert rules == [
        ["/2022/11/11/old-summit/", "/summit/", "301"],
        ["/archive/summit.html", "/summit/", "301"],
    ]


def test_an_alias_over_a_live_page_fails_the_build(build):
    with pytest.raises(ValueError, match="already used"):
        build(
            {
                "articles/a.md": _article("First", "2024-06-14", slug="first"),
                "articles/b.md": _article("Second", "2024-06-15", slug="second", aliases="/first/"),
            }
        )


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match="titel_separator"):
        seo_settings({"KIOSK_SEO": {"titel_separator": " - "}})


def test_a_listing_card_shows_its_own_stories_picture_never_the_home_lead(site):
    """Sharing a section shows a picture from that section, not the front page's lead."""
    home = _og(_soup(site / "index.html"))
    reporting = _og(_soup(site / "section" / "reporting" / "index.html"))
    assert home["og:image"] == [f"{SITEURL}/images/hall.jpg"]
    # Its only story has no picture: no card image rather than someone else's.
    assert "og:image" not in reporting


def test_a_build_after_a_failed_one_in_the_same_process_still_writes_the_sitemap(build):
    """livereload builds in one process: a content error must not cost later builds
    their sitemap (pelican-sitemap waits for the first build it saw to finish)."""
    from pelican.plugins.sitemap.sitemap import generator as sitemap

    sitemap._main_pelican = object()  # what a build that raised leaves behind
    sitemap.page_queue = [("stale/index.html", None)]
    output = build({"articles/a.md": _article("A piece", "2024-06-01 10:00", slug="a-piece")})
    locations = etree.parse(str(output / "sitemap.xml")).findall(".//{*}loc")
    assert f"{SITEURL}/a-piece/" in [loc.text for loc in locations]
    assert not any("stale" in loc.text for loc in locations)


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2999, 12, 31)),
    minutes=st.one_of(st.none(), st.integers(min_value=-14 * 60, max_value=14 * 60)),
)
def test_sitemap_dates_are_pelican_sitemap_s_own(moment, minutes):
    import kiosk_seo

    zone = None if minutes is None else timezone(timedelta(minutes=minutes))
    date = SafeDatetime.combine(moment.date(), moment.time(), tzinfo=zone)
    assert kiosk_seo._sitemap_date(date) == kiosk_seo._pelican_sitemap_date(date)


# Random text such as "." looks like a file name to BeautifulSoup, which says so.
@pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning")
@settings(max_examples=500, deadline=None)
@given(st.text())
def test_plain_text_is_what_beautifulsoup_reads_whatever_the_fragment(fragment):
    # The shortcut for fragments without markup or references gives the same text.
    from kiosk_seo.head import plain

    assert plain(fragment) == " ".join(BeautifulSoup(fragment, "html.parser").get_text().split())
