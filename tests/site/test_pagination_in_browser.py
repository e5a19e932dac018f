"""A deep listing in Chromium: a reader on a phone gets a few page links, not hundreds.

The sample magazine is built with two stories a page, so ``/latest/`` runs to
24 pages, as a real archive's listings do at ten a page (kiosk_pagination).
"""

import pytest

from tasks import CONFIG, build_site
from tests.conftest import serve
from tests.site.test_accessibility import AXE, run_axe


@pytest.fixture(scope="module")
def deep_listing(tmp_path_factory):
    output = tmp_path_factory.mktemp("deep-listing") / "output"
    build_site(CONFIG["dev"], output, quiet=True, force=True, DEFAULT_PAGINATION=2,
               KIOSK_SEARCH={"enabled": False})  # fmt: skip
    proc, url = serve(output)
    yield output, url
    proc.terminate()
    proc.wait(5)


def test_a_page_deep_in_the_archive_links_to_both_ends_and_its_neighbours(browser, deep_listing):
    output, url = deep_listing
    last = max(int(p.name) for p in (output / "latest").iterdir() if p.name.isdigit())
    assert last >= 20, "the sample needs forty articles for this test"
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{url}/latest/12/")
    nav = page.locator("nav.pagination")
    numbers = [text.split()[-1] for text in nav.locator("a:not([rel])").all_inner_texts()]
    assert numbers == ["1", "10", "11", "12", "13", "14", str(last)]
    assert nav.locator("li.pagination__gap").count() == 2
    # Nothing sticks out of a phone's screen.
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")
    # By keyboard: the next page's number, then Enter.
    nav.get_by_role("link", name="Page 13", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/latest/13/")
    assert page.locator("nav.pagination a[aria-current=page]").inner_text().split()[-1] == "13"
    page.close()


def test_the_gaps_pass_the_accessibility_checks(browser, deep_listing):
    _, url = deep_listing
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{url}/latest/12/")
    assert run_axe(page, AXE.read_text(encoding="utf-8")) == []
    page.close()
