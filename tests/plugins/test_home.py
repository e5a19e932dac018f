"""kiosk_home: lead, top stories, region bands and the two rails."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from kiosk_home import DEFAULTS, build_home, plugin_settings
from tests.plugins.conftest import header

HOME = """
<article class="lead"><h2>{{ home.lead.title|safe }}</h2></article>
<section class="top">{% for a in home.top %}<h3>{{ a.title|safe }}</h3>{% endfor %}</section>
{% for region, articles in home.bands %}<section class="band">
<h2><a href="{{ SITEURL }}/{{ region.url }}">{{ region.name }}</a></h2>
{% for a in articles %}<h3>{{ a.title|safe }}</h3>{% endfor %}</section>{% endfor %}
{% include "rails.html" %}
"""
RAILS = """
<aside class="latest">{% for a in latest_rail %}<h3>{{ a.title|safe }}</h3>{% endfor %}</aside>
<aside class="qiosk">{% for a in qiosk_rail %}<h3>{{ a.title|safe }}</h3>{% endfor %}</aside>
"""
ARTICLE = '<h1>{{ article.title|safe }}</h1>{% include "rails.html" %}'


def _article(title, day, region="Europe", image=True, **extra):
    return header(
        title=title,
        date=f"2026-03-{day:02d}",
        category="Analysis",
        authors="Ana Ortiz",
        region=region,
        image="images/x.jpg" if image else None,
        image_alt="A picture" if image else None,
        image_credit="AP Photo/Name" if image else None,
        **extra,
    )


@pytest.fixture
def site(make_site):
    files = {
        "articles/feat.md": _article("Featured but older", 1, featured="true"),
        "articles/feat-old.md": _article(
            "Featured even older", 2, featured="true", status="hidden"
        ),
        "articles/a.md": _article("Asia story", 3, region="Asia-Pacific"),
        "articles/b.md": _article("No picture", 4, image=False),
        "articles/c.md": _article("Europe two", 5),
        "articles/d.md": _article("Global one", 6, region="Global"),
        "articles/e.md": _article("Europe three", 7),
        "articles/f.md": _article("Europe four", 8),
        "articles/draft.md": _article("Draft piece", 9, status="draft"),
    }
    for day in range(10, 16):
        files[f"articles/q{day}.md"] = _article(f"Brief {day}", day, column="QiOSK")
    return make_site(
        files,
        plugins=["kiosk_taxonomies", "kiosk_home"],
        settings={"KIOSK_HOME": {"top_count": 3}},
        templates={"home.html": HOME, "rails.html": RAILS, "article.html": ARTICLE},
    )


def _titles(page, selector):
    return [h.get_text() for h in page.select(selector)]


@pytest.fixture
def home(site):
    return BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_newest_featured_article_leads(home):
    assert _titles(home, ".lead h2") == ["Featured but older"]


def test_top_stories_have_images_and_skip_the_lead_and_briefs(home):
    assert _titles(home, ".top h3") == ["Europe four", "Europe three", "Global one"]


def test_one_band_per_region_with_its_newest_pieces(home):
    bands = home.select(".band")
    assert [b.h2.a.get_text() for b in bands] == ["Asia-Pacific", "Europe", "Global"]
    assert bands[1].h2.a["href"] == "/region/europe/"
    assert _titles(bands[1], "h3") == ["Brief 15", "Brief 14", "Brief 13"]


def test_rails_show_the_five_newest_on_every_page(site, home):
    article = BeautifulSoup(
        (site / "europe-two" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    for page in (home, article):
        assert _titles(page, ".latest h3") == [f"Brief {d}" for d in (15, 14, 13, 12, 11)]
        assert _titles(page, ".qiosk h3") == [f"Brief {d}" for d in (15, 14, 13, 12, 11)]
    assert "Draft piece" not in _titles(home, "h3")


def test_without_a_featured_article_the_newest_leads():
    def fake(title, day):
        return SimpleNamespace(title=title, date=datetime(2026, 1, day), image="x.jpg")

    older, newer = fake("Older", 1), fake("Newer", 2)
    home = build_home([older, newer], regions=[], options=dict(DEFAULTS))
    assert home.lead is newer
    assert home.top == [older]


def test_an_empty_site_has_no_lead():
    assert build_home([], regions=[], options=dict(DEFAULTS)).lead is None


def test_unknown_setting_is_rejected():
    with pytest.raises(ValueError, match="top"):
        plugin_settings({"KIOSK_HOME": {"top": 4}})
