"""kiosk_taxonomies: region and column pages, feeds, kickers and labels.

Tiny sites use Pelican's ``Category:`` header for the section, which is what
kiosk_editorial turns ``Section:`` into; the plugin sees the same thing.
"""

import feedparser
import pytest
from bs4 import BeautifulSoup

from kiosk_taxonomies import plugin_settings
from tests.plugins.conftest import header

LISTING = """
<h1>{{ term.name }}</h1><p class="description">{{ term.description }}</p>
<a class="feed" href="{{ SITEURL }}/{{ term.feed_url }}">feed</a>
<ol class="articles">{% for a in articles_page.object_list %}
<li><a href="{{ SITEURL }}/{{ a.url }}">{{ a.title|safe }}</a></li>{% endfor %}</ol>
{% if articles_next_page %}
<a rel="next" href="{{ SITEURL }}/{{ articles_next_page.url }}">next</a>{% endif %}
"""
ARTICLE = """
<p class="kicker">{% for part in article.kicker %}
<a href="{{ SITEURL }}/{{ part.url }}">{{ part.name }}</a>{% endfor %}</p>
<span class="label">{{ article.label.name }}</span><h1>{{ article.title|safe }}</h1>
"""
HOME = """
<nav class="regions">{% for r in regions %}
<a href="{{ SITEURL }}/{{ r.url }}">{{ r.name }}</a>{% endfor %}</nav>
<nav class="columns">{% for c in columns %}
<a href="{{ SITEURL }}/{{ c.url }}">{{ c.name }}</a>{% endfor %}</nav>
<nav class="sections">{% for s in sections %}
<a href="{{ SITEURL }}/{{ s.url }}" title="{{ s.description }}"
   data-feed="{{ s.feed_url }}">{{ s.name }}</a>{% endfor %}</nav>
"""
TEMPLATES = {
    "region.html": "{% set term = region %}" + LISTING,
    "column.html": "{% set term = column %}" + LISTING,
    "article.html": ARTICLE,
    "home.html": HOME,
}


def _article(title, date, category, **extra):
    return header(title=title, date=date, category=category, authors="Ana Ortiz", **extra)


@pytest.fixture
def site(make_site):
    files = {
        "articles/a.md": _article("Old Europe", "2026-01-01", "Analysis", region="Europe"),
        "articles/b.md": _article(
            "Brief from Brussels", "2026-01-02", "Reporting", region="Europe", column="QiOSK"
        ),
        "articles/c.md": _article("Middle Europe", "2026-01-03", "Opinion", region="Europe"),
        "articles/d.md": _article("Ottawa notes", "2026-01-04", "Analysis", region="North America"),
        "articles/e.md": _article("Climate money", "2026-01-05", "Reporting", region="Global"),
        "articles/f.md": _article("Untagged", "2026-01-06", "Opinion"),
        "articles/hidden.md": _article(
            "Hidden Africa", "2026-01-07", "Analysis", region="Africa", status="hidden"
        ),
        "articles/draft.md": _article(
            "Draft Europe", "2026-01-08", "Analysis", region="Europe", status="draft"
        ),
        "articles/future.md": _article(
            "Scheduled Europe", "2099-01-01", "Analysis", region="Europe"
        ),
    }
    return make_site(
        files,
        plugins=["kiosk_taxonomies"],
        settings={"DEFAULT_PAGINATION": 2, "DEFAULT_ORPHANS": 0},
        templates=TEMPLATES,
    )


def _soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _titles(page):
    return [a.get_text() for a in page.select(".articles a")]


def test_region_page_lists_newest_first_and_paginates(site):
    first = _soup(site / "region" / "europe" / "index.html")
    assert first.select_one("h1").get_text() == "Europe"
    assert first.select_one(".description").get_text().startswith("A union tested by war")
    assert _titles(first) == ["Middle Europe", "Brief from Brussels"]
    assert first.select_one("a[rel=next]")["href"] == "/region/europe/2/"
    second = _soup(site / "region" / "europe" / "2" / "index.html")
    assert _titles(second) == ["Old Europe"]
    assert second.select_one("a[rel=next]") is None


def test_column_page_lists_its_articles(site):
    page = _soup(site / "column" / "qiosk" / "index.html")
    assert page.select_one("h1").get_text() == "QiOSK"
    assert _titles(page) == ["Brief from Brussels"]
    assert page.select_one("a.feed")["href"] == "/feeds/column/qiosk.atom.xml"


def test_hidden_draft_and_scheduled_articles_are_never_listed(site):
    europe = _titles(_soup(site / "region" / "europe" / "index.html"))
    europe += _titles(_soup(site / "region" / "europe" / "2" / "index.html"))
    assert not {"Draft Europe", "Scheduled Europe"} & set(europe)
    # Africa has only a hidden article: no page, no feed, no navigation link.
    assert not (site / "region" / "africa").exists()
    assert not (site / "feeds" / "region" / "africa.atom.xml").exists()
    feed = feedparser.parse(site / "feeds" / "region" / "europe.atom.xml")
    assert [e.title for e in feed.entries] == ["Middle Europe", "Brief from Brussels", "Old Europe"]


def test_region_and_column_feeds_parse_cleanly(site):
    for path in ("feeds/region/europe.atom.xml", "feeds/column/qiosk.atom.xml"):
        feed = feedparser.parse(site / path)
        assert feed.bozo == 0, path
    assert feedparser.parse(site / "feeds/region/europe.atom.xml").feed.title == "Kiosk - Europe"


def test_navigation_lists_terms_with_articles_in_the_editors_order(site):
    home = _soup(site / "index.html")
    regions = [(a.get_text(), a["href"]) for a in home.select(".regions a")]
    assert regions == [
        ("Europe", "/region/europe/"),
        ("North America", "/region/north-america/"),
        ("Global", "/region/global/"),
    ]
    assert [a.get_text() for a in home.select(".columns a")] == ["QiOSK"]
    sections = home.select(".sections a")
    assert [a.get_text() for a in sections] == ["Analysis", "Reporting", "Opinion"]
    assert sections[0]["title"].startswith("Arguments built on evidence")
    assert sections[0]["data-feed"] == "feeds/section/analysis.atom.xml"


@pytest.mark.parametrize(
    ("slug", "kicker", "label"),
    [
        (
            "brief-from-brussels",
            [("Reporting", "/section/reporting/"), ("QiOSK", "/column/qiosk/")],
            "Europe",
        ),
        (
            "old-europe",
            [("Analysis", "/section/analysis/"), ("Europe", "/region/europe/")],
            "Europe",
        ),
        ("untagged", [("Opinion", "/section/opinion/")], "Opinion"),
    ],
)
def test_article_kicker_and_label(site, slug, kicker, label):
    page = _soup(site / slug / "index.html")
    assert [(a.get_text(), a["href"]) for a in page.select(".kicker a")] == kicker
    assert page.select_one(".label").get_text() == label


def test_hidden_article_page_still_has_its_kicker(site):
    page = _soup(site / "hidden-africa" / "index.html")
    assert [a.get_text() for a in page.select(".kicker a")] == ["Analysis", "Africa"]


def test_unknown_setting_is_rejected():
    with pytest.raises(ValueError, match="region_feed"):
        plugin_settings({"KIOSK_TAXONOMIES": {"region_feed": "x"}})


def test_section_header_is_the_kicker_with_kiosk_editorial(make_site):
    # The real header is Section:, which kiosk_editorial turns into the category.
    files = {
        "authors/ana-ortiz.md": header("Bio.", name="Ana Ortiz"),
        "articles/a.md": header(
            title="Gas deal",
            date="2026-01-01",
            section="Analysis",
            region="Europe",
            authors="Ana Ortiz",
        ),
    }
    site = make_site(
        files, plugins=["kiosk_editorial", "kiosk_taxonomies"], templates={"article.html": ARTICLE}
    )
    page = _soup(site / "gas-deal" / "index.html")
    kicker = [(a.get_text(), a["href"]) for a in page.select(".kicker a")]
    assert kicker == [("Analysis", "/section/analysis/"), ("Europe", "/region/europe/")]
