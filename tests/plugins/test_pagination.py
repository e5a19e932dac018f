"""kiosk_pagination: every listing page links to a few pages, never to all of them."""

import pytest
from bs4 import BeautifulSoup

from kiosk_pagination import page_numbers
from tests.plugins.conftest import header

# What partials/pagination.html prints, reduced to the numbers and gaps.
INDEX = """<ol>
{%- for p in page_window(articles_paginator, articles_page) -%}
<li>{% if p %}<a href="/{{ p.url }}"
{%- if p.number == articles_page.number %} aria-current="page"{% endif %}>{{ p.number }}</a>
{%- else %}…{% endif %}</li>
{%- endfor -%}
</ol>"""  # fmt: skip


@pytest.mark.parametrize(
    ("current", "last", "expected"),
    [
        (1, 1, [1]),
        (1, 7, [1, 2, 3, None, 7]),
        (4, 7, [1, 2, 3, 4, 5, 6, 7]),  # a gap of one number shows the number
        (5, 7, [1, 2, 3, 4, 5, 6, 7]),
        (500, 1000, [1, None, 498, 499, 500, 501, 502, None, 1000]),
        (1000, 1000, [1, None, 998, 999, 1000]),
    ],
)
def test_first_last_and_the_current_pages_neighbours(current, last, expected):
    assert page_numbers(current, last, around=2) == expected


def test_never_more_than_nine_links_however_deep_the_archive():
    for last in (1, 2, 9, 10, 11, 250, 1000):
        for current in range(1, last + 1):
            numbers = page_numbers(current, last, around=2)
            assert len(numbers) <= 9
            assert numbers[0] == 1 and numbers[-1] == last and current in numbers
            shown = [n for n in numbers if n is not None]
            assert shown == sorted(set(shown))


def _site(make_site, settings=None):
    files = {
        f"articles/piece-{n:02}.md": header(title=f"Piece {n}", date=f"2026-01-{n:02}",
                                            category="Analysis", authors="Ana Ortiz")
        for n in range(1, 26)
    }  # fmt: skip
    return make_site(files, plugins=["kiosk_pagination"], templates={"index.html": INDEX},
                     settings={"DEFAULT_PAGINATION": 2, **(settings or {})})  # fmt: skip


def _links(site, page):
    soup = BeautifulSoup((site / page).read_text("utf-8"), "html.parser")
    return [li.get_text() for li in soup.select("li")], soup.select_one("a[aria-current=page]")


def test_a_deep_listing_page_links_to_its_neighbours_and_both_ends(make_site):
    site = _site(make_site)  # 25 articles, 2 a page: 13 pages
    numbers, current = _links(site, "latest/7/index.html")
    assert numbers == ["1", "…", "5", "6", "7", "8", "9", "…", "13"]
    assert current.get_text() == "7" and current["href"] == "/latest/7/"
    numbers, _ = _links(site, "latest/index.html")
    assert numbers == ["1", "2", "3", "…", "13"]


def test_how_many_neighbours_is_a_setting(make_site):
    site = _site(make_site, {"KIOSK_PAGINATION": {"around": 1}})
    numbers, _ = _links(site, "latest/7/index.html")
    assert numbers == ["1", "…", "6", "7", "8", "…", "13"]


@pytest.mark.parametrize("config", [{"around": 0}, {"around": "2"}, {"arround": 2}])
def test_a_wrong_setting_fails_the_build_and_says_which(make_site, config):
    with pytest.raises(Exception, match="KIOSK_PAGINATION"):
        _site(make_site, {"KIOSK_PAGINATION": config})


def test_the_themes_pagination_marks_the_current_page_and_hides_gaps_from_screen_readers():
    from jinja2 import Environment, FileSystemLoader
    from pelican.paginator import Paginator
    from pelican.settings import read_settings

    from kiosk_pagination import page_window
    from tests.plugins.conftest import SETTINGS_FILE

    settings = read_settings(str(SETTINGS_FILE))  # the real PAGINATION_PATTERNS
    env = Environment(loader=FileSystemLoader(SETTINGS_FILE.parent / "theme" / "templates"))
    env.globals["page_window"] = page_window
    paginator = Paginator("latest/index.html", "latest/", list(range(200)), settings, 10)
    page = paginator.page(10)
    html = env.get_template("partials/pagination.html").render(
        SITEURL="",
        articles_page=page,
        articles_paginator=paginator,
        articles_previous_page=paginator.page(9),
        articles_next_page=paginator.page(11),
    )
    nav = BeautifulSoup(html, "html.parser").select_one("nav.pagination[aria-label]")
    numbered = [a for a in nav.select("a") if not a.get("rel")]
    assert [a.get_text(" ", strip=True) for a in numbered] == [
        f"Page {n}" for n in (1, 8, 9, 10, 11, 12, 20)]  # fmt: skip
    assert nav.select_one("a[aria-current=page]")["href"] == "/latest/10/"
    gaps = nav.select("li.pagination__gap")
    assert len(gaps) == 2 and all(gap["aria-hidden"] == "true" for gap in gaps)
    assert nav.select_one("a[rel=prev]")["href"] == "/latest/9/"
    assert nav.select_one("a[rel=next]")["href"] == "/latest/11/"
