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


def test_the_regions_menu_closes_as_a_menu_does(browser, built_site, site_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(site_url + url_path(representative(built_site)["article"]))
    menu, button = page.locator(".regions-menu"), page.locator(".regions-menu > summary")
    button.click()
    assert menu.evaluate("d => d.open")
    page.keyboard.press("Escape")
    assert not menu.evaluate("d => d.open")
    assert button.evaluate("s => s === document.activeElement")
    button.click()
    page.locator("h1").click()  # anywhere else on the page
    assert not menu.evaluate("d => d.open")
    button.focus()
    page.keyboard.press("Enter")
    assert menu.evaluate("d => d.open")
    for _ in range(page.locator(".regions-menu li").count() + 1):
        page.keyboard.press("Tab")  # through the regions and out of the list
    assert not menu.evaluate("d => d.open")
    page.close()


def test_the_phone_menu_closes_on_escape_with_its_regions_list(browser, built_site, site_url):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(site_url + url_path(representative(built_site)["home"]))
    page.locator(".nav-menu__toggle").click()
    page.locator(".regions-menu > summary").click()
    page.keyboard.press("Escape")  # the inner list first
    assert not page.locator(".regions-menu").evaluate("d => d.open")
    assert page.locator(".nav-menu").evaluate("d => d.open")
    page.keyboard.press("Escape")
    assert not page.locator(".nav-menu").evaluate("d => d.open")
    assert page.locator(".nav-menu__toggle").evaluate("s => s === document.activeElement")
    page.close()
