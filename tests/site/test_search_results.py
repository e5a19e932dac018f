"""What the search index says of a result: the piece's own top image, described as its
editor wrote it.

Pagefind takes a result's image from a page's first ``<img>`` unless the page
names one, and reads that image's ``alt`` as written in the attribute, so an
apostrophe reached the index as ``&#39;``. The search page does not show result
images (``showImages: false`` in search.js), but the index is the site's public
search data: on the sample magazine, in Chromium, through Pagefind's own API
with every year's bundle merged, as search.js loads them.
"""

import pytest

from tests.conftest import article_pages, pagefind_search


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
