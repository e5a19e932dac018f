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
from bs4 import BeautifulSoup


def _pieces_with_top_images(site):
    """[(url, headline, its top image's alt text and src)] of the published article pages."""
    found = []
    for path in sorted(site.rglob("index.html")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(("drafts/", "pagefind/")):
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        image = soup.select_one(".figure--top img")
        if image is None or soup.select_one("[data-pagefind-body]") is None:
            continue
        headline = soup.select_one("h1").get_text(" ", strip=True)
        found.append(("/" + relative.removesuffix("index.html"), headline, image["alt"],
                      image["src"]))  # fmt: skip
    return found


def _result_meta(page, site_url, query, url):
    page.goto(f"{site_url}/search/")
    return page.evaluate(
        """async ([query, url]) => {
            const pagefind = await import("/pagefind/pagefind.js");
            const shards = await (await fetch("/pagefind/shards.json")).json();
            for (const path of shards.merge) {
                await pagefind.mergeIndex("/pagefind/" + path);
            }
            const search = await pagefind.search(query);
            for (const result of search.results) {
                const data = await result.data();
                if (data.url === url) return data.meta;
            }
            return null;
        }""",
        [query, url],
    )


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
    # And every other piece's too: its own top image, not another image of the page.
    for url, headline, alt, src in pieces[:5]:
        meta = _result_meta(page, site_url, headline, url)
        assert meta is not None and (meta["image"], meta["image_alt"]) == (src, alt), url
