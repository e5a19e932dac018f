"""kiosk_series: series navigation on articles, series pages and feeds."""

import feedparser
import pytest
from bs4 import BeautifulSoup

from kiosk_series import plugin_settings
from tests.plugins.conftest import header

ARTICLE = """
<h1>{{ article.title|safe }}</h1>
{% if article.series %}{% set s = article.series %}
<aside class="series"><a class="name" href="{{ SITEURL }}/{{ s.url }}">{{ s.name }}</a>
<span class="part">{% if s.index %}Part {{ s.index }} of {{ s.total }}{% endif %}</span>
<ol>{% for e in s.entries %}<li>{{ e.title|safe }}</li>{% endfor %}</ol>
{% if s.previous %}
<a rel="prev" href="{{ SITEURL }}/{{ s.previous.url }}">{{ s.previous.title|safe }}</a>{% endif %}
{% if s.next %}
<a rel="next" href="{{ SITEURL }}/{{ s.next.url }}">{{ s.next.title|safe }}</a>{% endif %}
</aside>{% endif %}
"""
SERIES = """
<h1>{{ series.name }}</h1><p class="description">{{ series.description or "" }}</p>
<a class="feed" href="{{ SITEURL }}/{{ series.feed_url }}">feed</a>
<ol class="articles">{% for a in articles %}<li>{{ a.title|safe }}</li>{% endfor %}</ol>
"""
HOME = """<ul class="series">{% for s in series_list %}
<li><a href="{{ SITEURL }}/{{ s.url }}">{{ s.name }}</a> ({{ s.total }})</li>{% endfor %}</ul>"""


def _article(title, date, series=None, **extra):
    return header(
        title=title, date=date, category="Analysis", authors="Ana Ortiz", series=series, **extra
    )


@pytest.fixture
def site(make_site):
    watch = "Diplomacy Watch"
    files = {
        # Written out of order on purpose: the series is ordered by date.
        "articles/3.md": _article("Watch three", "2026-03-01", watch),
        "articles/1.md": _article("Watch one", "2026-01-01", watch),
        "articles/2.md": _article("Watch two", "2026-02-01", "diplomacy watch"),
        "articles/hidden.md": _article("Watch extra", "2026-02-15", watch, status="hidden"),
        "articles/draft.md": _article("Watch draft", "2026-04-01", watch, status="draft"),
        "articles/e1.md": _article("Energy one", "2026-05-01", "Energy Notes"),
        "articles/alone.md": _article("Standalone", "2026-06-01"),
    }
    templates = {"article.html": ARTICLE, "series.html": SERIES, "home.html": HOME}
    settings = {"SERIES_DESCRIPTIONS": {watch: "Where talks stand, month by month."}}
    return make_site(files, plugins=["kiosk_series"], templates=templates, settings=settings)


def _soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_middle_entry_shows_its_place_and_neighbours(site):
    box = _soup(site / "watch-two" / "index.html").select_one("aside.series")
    assert box.select_one(".name").get_text() == "Diplomacy Watch"
    assert box.select_one(".name")["href"] == "/series/diplomacy-watch/"
    assert box.select_one(".part").get_text() == "Part 2 of 3"
    assert [li.get_text() for li in box.select("ol li")] == [
        "Watch one",
        "Watch two",
        "Watch three",
    ]
    assert box.select_one("a[rel=prev]")["href"] == "/watch-one/"
    assert box.select_one("a[rel=next]")["href"] == "/watch-three/"


def test_first_and_last_entries_have_one_neighbour(site):
    first = _soup(site / "watch-one" / "index.html")
    assert first.select_one("a[rel=prev]") is None
    assert first.select_one("a[rel=next]").get_text() == "Watch two"
    last = _soup(site / "watch-three" / "index.html")
    assert last.select_one("a[rel=next]") is None


def test_hidden_article_shows_the_series_without_joining_it(site):
    box = _soup(site / "watch-extra" / "index.html").select_one("aside.series")
    assert box.select_one(".part").get_text() == ""
    assert "Watch extra" not in [li.get_text() for li in box.select("ol li")]


def test_article_outside_a_series_has_no_box(site):
    assert _soup(site / "standalone" / "index.html").select_one("aside.series") is None


def test_series_page_lists_entries_oldest_first(site):
    page = _soup(site / "series" / "diplomacy-watch" / "index.html")
    assert page.select_one("h1").get_text() == "Diplomacy Watch"
    titles = [li.get_text() for li in page.select(".articles li")]
    assert titles == ["Watch one", "Watch two", "Watch three"]
    assert page.select_one("a.feed")["href"] == "/feeds/series/diplomacy-watch.atom.xml"


def test_series_feed_is_newest_first_and_parses(site):
    feed = feedparser.parse(site / "feeds" / "series" / "diplomacy-watch.atom.xml")
    assert feed.bozo == 0
    assert [e.title for e in feed.entries] == ["Watch three", "Watch two", "Watch one"]


def test_series_list_puts_the_latest_continued_first(site):
    items = _soup(site / "index.html").select(".series li")
    assert [li.a.get_text() for li in items] == ["Energy Notes", "Diplomacy Watch"]


def test_unknown_setting_is_rejected():
    with pytest.raises(ValueError, match="feed"):
        plugin_settings({"KIOSK_SERIES": {"feed": None}})


def test_series_page_shows_the_description_from_settings(site):
    page = _soup(site / "series" / "diplomacy-watch" / "index.html")
    assert page.select_one(".description").get_text() == "Where talks stand, month by month."
    other = _soup(site / "series" / "energy-notes" / "index.html")
    assert other.select_one(".description").get_text() == ""
