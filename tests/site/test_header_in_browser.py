"""The header on wide screens, in Chromium: the whole navigation on one row from
the width where it leaves the Menu button (62em) up, whichever section is
current (its link is bold, so wider), at the widths where it used to wrap."""

import pytest

from tests.site.test_theme_markup import representative, url_path

pytestmark = [pytest.mark.browser, pytest.mark.site]


@pytest.mark.parametrize("width", [992, 1000, 1008, 1024, 1152, 1280])
@pytest.mark.parametrize("kind", ["article", "section", "home"])
def test_the_navigation_is_one_row_on_wide_screens(browser, built_site, site_url, kind, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(site_url + url_path(representative(built_site)[kind]))
    tops = page.eval_on_selector_all(
        ".primary-nav__list > li",
        "items => items.map(li => Math.round(li.getBoundingClientRect().top))",
    )
    page.close()
    assert len(tops) > 5 and len(set(tops)) == 1, tops
