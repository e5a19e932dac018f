"""What the search index says of a result: the piece's own top image, described as its
editor wrote it, and never another piece's.

Pagefind takes a result's image from a page's first ``<img>`` unless the page
names one, and reads that image's ``alt`` as written in the attribute, so an
apostrophe reached the index as ``&#39;``. The search page does not show result
images (``showImages: false`` in search.js), but the index is the site's public
search data: on the sample magazine, in Chromium, through Pagefind's own API
with every year's bundle merged, as search.js loads them.
"""

import re

import pytest

from tests.conftest import article_pages, pagefind_search, search_site


def _pieces_with_top_images(site):
    """[(url, headline, its top image's alt text and src)] of the published article pages."""
    found = []
    for url, soup in article_pages(site):
        image = soup.select_one(".figure--top img")
        if image is not None:
            headline = soup.select_one("h1").get_text(" ", strip=True)
            found.append((url, headline, image["alt"], image["src"]))
    return found


def _result_meta(page, site_url, query, url):
    return next((r["meta"] for r in pagefind_search(page, site_url, query) if r["url"] == url),
                None)  # fmt: skip


@pytest.mark.browser
def test_a_result_carries_the_pieces_top_image_with_its_alt_text_as_written(
    page, site_url, built_site
):
    pieces = _pieces_with_top_images(built_site)
    # The case that went wrong: an apostrophe in the alt text.
    url, headline, alt, src = next(p for p in pieces if "'" in p[2])
    meta = _result_meta(page, site_url, headline, url)
    assert meta is not None, (headline, url)
    assert (meta["image"], meta["image_alt"]) == (src, alt)
    # And a few others': each its own top image, not another image of its page.
    for url, headline, alt, src in pieces[:5]:
        meta = _result_meta(page, site_url, headline, url)
        assert meta is not None and (meta["image"], meta["image_alt"]) == (src, alt), url


@pytest.mark.browser
def test_a_piece_without_a_top_image_shows_no_other_pieces_picture(page, site_url, built_site):
    """Without a top image, Pagefind took the page's first ``<img>``: the picture of
    another story, in a rail. It now reads only the piece's own body and head
    (kiosk_search's ``search_copy``), so a result has its piece's first figure,
    or no image."""
    pieces = []
    for url, soup in article_pages(built_site):
        if soup.select_one(".figure--top img") is None:
            own = soup.select_one("[data-pagefind-body] img")
            headline = soup.select_one("h1").get_text(" ", strip=True)
            pieces.append((url, headline, own["src"] if own else None))
    assert pieces
    for url, headline, own in pieces:
        meta = _result_meta(page, site_url, headline, url)
        assert meta is not None, (headline, url)
        assert meta.get("image") == own, url


@pytest.fixture(scope="module")
def axe_source():
    from tests.site.test_accessibility import AXE

    return AXE.read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_results_are_readable_and_named_in_either_colour_scheme(
    browser, site_url, axe_source, scheme, width
):
    """Pagefind's box and results take the site's colours, which follow the reader's
    scheme (its own defaults put grey text on the dark page and white text in a
    white box), and the box is named by the page's heading, not only a tooltip."""
    from tests.site.test_accessibility import run_axe

    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site_url}/search/?q=red%20sea")
    page.wait_for_selector(".pagefind-ui__result-link")
    box = page.locator(".pagefind-ui__search-input")
    assert (
        page.evaluate(
            "() => document.getElementById("
            "document.querySelector('.pagefind-ui__search-input').getAttribute('aria-labelledby'))"
            ".textContent.trim()"
        )
        == "Search Kiosk"
    )
    colours = box.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert colours[0] != colours[1]
    assert run_axe(page, axe_source) == []
    context.close()


@pytest.mark.browser
def test_a_result_says_where_and_when_the_piece_ran_as_a_listing_does(page, site_url):
    search_site(page, site_url, "red sea")
    first = page.locator(".pagefind-ui__result").first
    context = first.locator(".search-result__context").inner_text()
    kicker, date = r"[A-Za-z]+( \| [A-Za-z -]+)?", r"[A-Z][a-z]+ \d{1,2}, \d{4}"
    assert re.fullmatch(f"{kicker} · {date}", context), context
    # Not Pagefind's "Kicker: …", "Date: …" list of the metadata's keys.
    assert first.locator(".pagefind-ui__result-tag").count() == 0
    assert "Kicker" not in first.inner_text()


@pytest.mark.browser
def test_photo_credits_are_not_searched_but_captions_are(page, site_url, built_site):
    """A search for an agency returned every piece with its photo, and credits
    ("AFP/Getty Images") filled result excerpts. Captions stay searchable."""
    credited_only, captions = [], []
    for url, soup in article_pages(built_site):
        body = soup.select_one("[data-pagefind-body]")
        if "Getty" in body.get_text():
            for credit in body.select(".credit"):
                credit.decompose()
            if "Getty" not in body.get_text():
                credited_only.append(url)
        captions += [(url, c.get_text(" ", strip=True)) for c in body.select("figcaption .caption")]
    assert credited_only and captions
    found = {r["url"] for r in pagefind_search(page, site_url, "Getty")}
    assert found.isdisjoint(credited_only)
    url, caption = captions[0]
    assert url in {r["url"] for r in pagefind_search(page, site_url, caption)}
