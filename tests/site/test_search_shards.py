"""The search page searches every year of the archive, though each year is a bundle of its own.

kiosk_search writes the newest year's Pagefind bundle at ``/pagefind/`` and
each older year's at ``/pagefind/<year>/``; the search page merges them. On the
sample magazine (articles from three years, development build), a reader's
query and filters reach an article whatever its year, in Chromium, through the
real search page.
"""

import json
import re

import pytest

from tests.conftest import article_pages, search_site


def _articles_by_year(site):
    """{year: {url: set of long words of the body}} of the published article pages."""
    years = {}
    for url, soup in article_pages(site):
        body = soup.select_one("[data-pagefind-body]")
        year = soup.select_one('meta[property="article:published_time"]')["content"][:4]
        words = set(re.findall(r"[a-z]{9,}", body.get_text(" ").lower()))
        region = soup.select_one('meta[name="kiosk-search-region"]')
        years.setdefault(year, {})[url] = (
            words,
            region["content"] if region else None,
        )
    return years


@pytest.fixture(scope="module")
def archive(built_site):
    years = _articles_by_year(built_site)
    assert len(years) >= 2, "the sample magazine spans several years"
    return years


def _unique_word(archive, year):
    """A word of one article of ``year`` whose first six letters no other article has."""
    every = {url: words for pages in archive.values() for url, (words, _) in pages.items()}
    for url, (words, _region) in sorted(archive[year].items()):
        others = {w[:6] for other, ws in every.items() if other != url for w in ws}
        for word in sorted(words, key=lambda w: (-len(w), w)):
            if word[:6] not in others:
                return word, url
    raise AssertionError(f"no article of {year} has a word of its own")


def test_every_older_year_is_listed_for_the_search_page(built_site, archive):
    newest, *older = sorted(archive, reverse=True)
    listed = json.loads((built_site / "pagefind" / "shards.json").read_text())
    assert listed == {"merge": [f"{year}/" for year in older]}
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text())
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(archive[newest])


@pytest.mark.browser
@pytest.mark.parametrize("which", ["newest", "oldest"])
def test_a_word_of_one_article_is_found_whatever_its_year(page, site_url, archive, which):
    years = sorted(archive)
    word, url = _unique_word(archive, years[-1] if which == "newest" else years[0])
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    results = search_site(page, site_url, word)
    assert results and results[0].endswith(url), (word, results, _message(page))
    assert failed == [], "a merged year asked for a file its bundle does not have"


def _message(page):
    return page.locator(".pagefind-ui__message").inner_text()


@pytest.mark.browser
def test_a_region_filter_covers_every_year(page, site_url, archive):
    regions = {}
    for year, pages in archive.items():
        for url, (_words, region) in pages.items():
            regions.setdefault(region, {})[url] = year
    spanning = sorted(r for r, urls in regions.items() if r and len(set(urls.values())) >= 2)
    region = max(spanning, key=lambda r: len(regions[r]))
    total = sum(len(pages) for pages in archive.values())
    # Every article has "the": the query finds the whole archive, all years.
    search_site(page, site_url, "the")
    assert _message(page).startswith(f"{total} results"), _message(page)
    page.locator(".pagefind-ui__filter-name", has_text="Region").click()  # opens its <details>
    page.locator(f'.pagefind-ui__filter-checkbox[value="{region}"]').check()
    expected = f"{len(regions[region])} results"
    page.wait_for_function(
        "(expected) => document.querySelector('.pagefind-ui__message').textContent"
        ".startsWith(expected)",
        arg=expected,
    )
    shown = [a.get_attribute("href") for a in page.query_selector_all(".pagefind-ui__result-link")]
    assert shown and all(href.endswith(tuple(regions[region])) for href in shown), (region, shown)
