"""kiosk_search: Pagefind indexes published articles only, with section and region filters.

The tiny site is a development build, so its draft *is* written (under
``drafts/``): the index must still leave it out. Queries run in Chromium against
the real Pagefind bundle, the way the search page runs them.
"""

import functools
import http.server
import json
import threading
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk_search import search_settings
from kiosk_search.indexing import draft_prefixes
from kiosk_search.meta import search_meta
from tests.plugins.conftest import header

ROOT = Path(__file__).resolve().parents[2]
# Articles carry the real head partial (filters and result metadata) and mark
# their body for Pagefind as theme/templates/article.html does.
ARTICLE = (
    '<!doctype html><html lang="en"><head><title>{{ article.title|safe }}</title>'
    '{% include "partials/meta.html" %}</head><body><main>'
    "<h1>{{ article.title|safe }}</h1><div data-pagefind-body>{{ article.content|safe }}</div>"
    "</main></body></html>"
)
HOME = (
    '<!doctype html><html lang="en"><head><title>Home</title></head><body>'
    "<main>homepageonlyword {% for a in articles %}{{ a.title|safe }} {% endfor %}</main>"
    "</body></html>"
)


def _article(title, body, **fields):
    fields.setdefault("authors", "Ana Ortiz")
    return header(body=body, title=title, **fields)


@pytest.fixture
def site(make_site, tmp_path):
    partials = tmp_path / "theme" / "templates" / "partials"
    partials.mkdir(parents=True, exist_ok=True)
    meta = (ROOT / "theme" / "templates" / "partials" / "meta.html").read_text(encoding="utf-8")
    (partials / "meta.html").write_text(meta, encoding="utf-8")
    return make_site(
        {
            "articles/ports.md": _article(
                "Ports of the Sahel",
                "Convoys wait at Tillabéri for the lean season.",
                date="2025-07-09",
                category="Reporting",
                region="Africa",
                slug="ports",
            ),
            "articles/strait.md": _article(
                "A drill in the strait",
                "The coast guard rehearsed an inspection of freighters.",
                date="2025-07-24",
                category="Analysis",
                region="Asia-Pacific",
                slug="strait",
            ),
            "articles/draft.md": _article(
                "Unpublished",
                "Only the zephyrlantern draft mentions this.",
                date="2025-07-25",
                category="Analysis",
                status="draft",
                slug="unpublished",
            ),
        },
        plugins=["kiosk_seo", "kiosk_search"],
        templates={"article.html": ARTICLE, "home.html": HOME},
    )


@pytest.fixture
def served(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _search(page, base, query, filters=None):
    """Run Pagefind in the page and return its results' data (url, meta, filters)."""
    page.goto(f"{base}/")
    return page.evaluate(
        """async ([query, filters]) => {
            const pagefind = await import("/pagefind/pagefind.js");
            const search = await pagefind.search(query, {filters: filters || {}});
            return Promise.all(search.results.map(r => r.data()));
        }""",
        [query, filters],
    )


def test_draft_folders_come_from_the_draft_settings():
    development = {
        "DRAFT_SAVE_AS": "drafts/{slug}/index.html",
        "DRAFT_PAGE_SAVE_AS": "drafts/pages/{slug}/index.html",
    }
    assert draft_prefixes(development) == ("drafts/", "drafts/pages/")
    assert draft_prefixes({"DRAFT_SAVE_AS": "", "DRAFT_PAGE_SAVE_AS": ""}) == ()


def test_result_metadata_is_the_kicker_and_the_date():
    article = SimpleNamespace(
        title="Ports &amp; <em>convoys</em>",
        category=SimpleNamespace(name="Reporting"),
        region=SimpleNamespace(name="Africa"),
        kicker=[
            SimpleNamespace(name="Reporting", url="section/reporting/"),
            SimpleNamespace(name="QiOSK", url="column/qiosk/"),
        ],
        date=datetime(2025, 7, 9, 8, 15),
    )
    assert search_meta(article, "%B %-d, %Y") == [
        ("data-pagefind-filter", "section", "Reporting"),
        ("data-pagefind-filter", "region", "Africa"),
        ("data-pagefind-meta", "title", "Ports & convoys"),
        ("data-pagefind-meta", "kicker", "Reporting | QiOSK"),
        ("data-pagefind-meta", "date", "July 9, 2025"),
    ]


def test_only_published_articles_are_indexed(site):
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert sum(language["page_count"] for language in entry["languages"].values()) == 2
    assert (site / "pagefind" / "pagefind-ui.js").is_file(), "the search page loads it locally"


def test_indexing_can_be_turned_off(make_site):
    output = make_site(
        {"articles/a.md": _article("A", "Text.", date="2025-01-01", category="Analysis")},
        plugins=["kiosk_search"],
        settings={"KIOSK_SEARCH": {"enabled": False}},
    )
    assert not (output / "pagefind").exists()


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match="enabeld"):
        search_settings({"KIOSK_SEARCH": {"enabeld": False}})


@pytest.mark.browser
def test_a_word_finds_its_article_with_kicker_and_date(page, served):
    results = _search(page, served, "Tillabéri")
    assert [r["url"] for r in results] == ["/ports/"]
    assert results[0]["meta"]["title"] == "Ports of the Sahel"
    assert results[0]["meta"]["kicker"] == "Reporting | Africa"
    assert results[0]["meta"]["date"] == "July 9, 2025"


@pytest.mark.browser
def test_drafts_and_non_article_pages_are_not_found(page, served):
    assert _search(page, served, "zephyrlantern") == []
    assert _search(page, served, "homepageonlyword") == []


@pytest.mark.browser
def test_results_filter_by_section_and_region(page, served):
    assert [r["url"] for r in _search(page, served, None, {"region": "Asia-Pacific"})] == [
        "/strait/"
    ]
    assert [r["url"] for r in _search(page, served, None, {"section": "Reporting"})] == ["/ports/"]
