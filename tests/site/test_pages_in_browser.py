"""The sample magazine in a real browser (Debian's Chromium through Playwright):
the reader's journey, the related teasers' layout and keep-reading toggle with
and without JavaScript, no sideways scrolling on a phone, and full-page
screenshots of every page kind (output-tests/screenshots/, git-ignored) for a
human to look at."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import invoke, serve
from tests.site.test_theme_markup import (
    KINDS,
    article_with_a_text_only_teaser,
    representative,
    url_path,
)
from tests.sites import BRIEF, write_markdown, write_site

pytestmark = [pytest.mark.browser, pytest.mark.site]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "output-tests" / "screenshots"
WIDTHS = (375, 1280)


@pytest.fixture(scope="module")
def urls(built_site, site_url):
    return {kind: site_url + url_path(rel) for kind, rel in representative(built_site).items()}


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def no_js(browser):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


def load_all_images(page):
    """Lazy images load only when scrolled to; a full-page screenshot does not scroll."""
    page.evaluate(
        """async () => {
          for (const img of document.images) img.loading = "eager";
          await Promise.all([...document.images].map(img => img.complete ? null :
            new Promise(done => { img.onload = img.onerror = done; })));
        }"""
    )


def test_reader_journey_home_region_article(desktop, site_url):
    page = desktop
    page.goto(site_url + "/")
    expect(page.locator(".home-lead h2 a")).to_be_visible()
    # Regions sit behind a disclosure in the primary navigation.
    page.locator(".regions-menu > summary").click()
    region_link = page.locator(".regions-menu a").first
    region_name = region_link.inner_text()
    region_link.click()
    expect(page).to_have_url(re.compile(r"/region/[a-z-]+/$"))
    expect(page.locator("h1")).to_have_text(region_name)
    story = page.locator(".list-grid .story__title a").first
    headline = story.inner_text()
    story.click()
    expect(page.locator("h1")).to_have_text(headline)
    # The kicker names the column when there is one, else the region.
    expect(page.locator(".article__header .kicker a")).to_have_count(2)
    expect(page.locator(".article__header .kicker a").first).to_have_attribute(
        "href", re.compile(r"^/section/")
    )


def test_phone_menu_opens_without_javascript(no_js, site_url):
    page = no_js
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(site_url + "/")
    nav_link = page.locator(".primary-nav a[href='/search/']")
    expect(nav_link).to_be_hidden()
    page.locator(".nav-menu__toggle").click()
    expect(nav_link).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("width", WIDTHS)
def test_a_teaser_without_an_image_sets_its_text_across_the_row(browser, built_site, site_url,
                                                                 width):  # fmt: skip
    """Never squeezed into the image column beside an empty two-thirds of the row."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site_url + url_path(article_with_a_text_only_teaser(built_site)))
    pictured, text_only = [], []
    for teaser in page.locator(".related .teaser").all():
        row = teaser.bounding_box()
        text = teaser.locator(".teaser__text").bounding_box()
        if teaser.locator(".teaser__figure").count():
            pictured.append((row, text, teaser.locator(".teaser__figure").bounding_box()))
        else:
            text_only.append((row, text))
    widest_beside_an_image = max(text["width"] for _, text, _ in pictured)
    for row, text in text_only:
        assert abs(text["x"] - row["x"]) < 1, "the text starts at the teaser's left edge"
        assert text["width"] >= widest_beside_an_image, (width, text, widest_beside_an_image)
    for _, text, figure in pictured:
        if width >= 768:  # 48em: the image beside the text
            assert figure["x"] + figure["width"] <= text["x"]
        else:  # one column: the image above the text
            assert figure["y"] + figure["height"] <= text["y"]
    context.close()


def test_keep_reading_takes_the_keyboard_into_the_revealed_text(desktop, urls):
    """The excerpt opens above its button ("Show less" follows the text), so focus
    moves into it: keyboard and screen-reader users meet the revealed text next,
    not the next teaser (WCAG 1.3.2, 2.4.3). Closing brings focus back."""
    page = desktop
    page.goto(urls["article"])
    teaser = page.locator(".related .teaser").first
    title = teaser.locator(".teaser__title").inner_text()
    button = teaser.locator("button.keep-reading")
    expect(button).to_have_attribute("aria-expanded", "false")
    panel = page.locator("#" + button.get_attribute("aria-controls"))
    expect(panel).to_be_hidden()

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(button).to_contain_text("Show less")
    expect(panel.locator("p").nth(1)).to_be_visible()
    expect(panel).to_be_focused()
    # Where focus lands is announced by the story's headline.
    expect(panel).to_have_role("group")
    expect(panel).to_have_accessible_name(title)
    page.keyboard.press("Tab")
    expect(panel.get_by_role("link", name=re.compile("^Continue reading"))).to_be_focused()
    page.keyboard.press("Tab")
    expect(button).to_be_focused()

    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()
    expect(button).to_contain_text("keep reading")
    expect(button).to_be_focused()
    page.keyboard.press("Space")
    expect(panel).to_be_focused()


def test_closing_returns_focus_to_the_button_whatever_clicked_it(desktop, urls):
    """Safari and screen readers can click a button without focusing it: focus,
    in the hidden excerpt, would otherwise fall back to the top of the page."""
    page = desktop
    page.goto(urls["article"])
    button = page.locator(".related .teaser button.keep-reading").first
    button.focus()
    page.keyboard.press("Enter")
    button.dispatch_event("click")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()


def test_on_a_phone_the_revealed_text_starts_on_screen(phone, urls):
    """Even when the button was at the top edge, the teaser text above it off screen."""
    page = phone
    page.goto(urls["article"])
    button = page.locator(".related .teaser button.keep-reading").first
    button.evaluate("b => b.scrollIntoView({block: 'start'})")
    button.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#" + button.get_attribute("aria-controls"))
    expect(panel).to_be_focused()
    assert 0 <= panel.bounding_box()["y"] < 812 / 2


def test_an_expanded_teaser_shows_the_story_opening_in_place_of_its_summary(desktop, urls):
    """The Summary and the story's first paragraph say nearly the same thing:
    once expanded, readers (and screen readers) get the story's own words only."""
    page = desktop
    page.goto(urls["article"])
    teaser = page.locator(".related .teaser").first
    summary = teaser.locator(".teaser__summary")
    opening = summary.inner_text()[:60]
    button = teaser.locator("button.keep-reading")

    button.click()
    expect(teaser.locator(".teaser__excerpt p").first).to_be_visible()
    expect(summary).to_be_hidden()
    assert opening not in teaser.inner_text()
    assert opening not in teaser.aria_snapshot()

    button.click()
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(opening)


FIRST = "The corridor reopened on Monday, the first convoy in a month."


def served_site_with_brief(tmp_path_factory, name, body):
    """A two-article site, built and served, whose related story (the brief, no
    Summary) has ``body``: its teaser text is its first paragraph."""
    folder = tmp_path_factory.mktemp(name)
    content = write_site(folder)
    write_markdown(content / "articles" / "2024" / "brief.md", BRIEF, body)
    invoke("build", "--content", str(content), "--output", str(folder / "output"))
    proc, url = serve(folder / "output")
    yield url
    proc.terminate()
    proc.wait(5)


@pytest.fixture(scope="module")
def summaryless_site(tmp_path_factory):
    """The brief's excerpt begins with its teaser text, and goes on."""
    body = f"{FIRST}\n\nShips queued off the port.\n\nInsurers stayed cautious.\n\nMore."
    yield from served_site_with_brief(tmp_path_factory, "summaryless", body)


def test_an_expanded_teaser_without_a_summary_prints_its_first_paragraph_once(
    desktop, summaryless_site
):
    page = desktop
    page.goto(summaryless_site + "/summit-without-the-other-side/")
    teaser = page.locator(".related .teaser").first
    expect(teaser.locator(".teaser__summary")).to_have_text(FIRST)

    teaser.locator("button.keep-reading").click()
    expect(teaser.locator(".teaser__excerpt p").first).to_have_text(FIRST)
    expect(teaser.locator(".teaser__excerpt p").nth(1)).to_be_visible()
    assert teaser.inner_text().count(FIRST) == 1
    assert teaser.aria_snapshot().count(FIRST) == 1


@pytest.fixture(scope="module")
def one_paragraph_site(tmp_path_factory):
    """The brief is one paragraph long: all of it is its teaser text."""
    yield from served_site_with_brief(tmp_path_factory, "one-paragraph", FIRST)


def test_a_teaser_with_nothing_more_to_show_keeps_reading_by_its_link(desktop, one_paragraph_site):
    page = desktop
    page.goto(one_paragraph_site + "/summit-without-the-other-side/")
    teaser = page.locator(".related .teaser").first
    expect(teaser.locator(".teaser__summary")).to_have_text(FIRST)
    assert teaser.locator("button.keep-reading, .teaser__excerpt").count() == 0
    link = teaser.locator("a.keep-reading")
    assert link.get_attribute("href").endswith("/grain-corridor-reopens-for-a-week/")
    link.click()
    expect(page.locator("h1")).to_have_text("Grain corridor reopens for a week")


def test_keep_reading_without_javascript_is_a_link(no_js, urls, site_url):
    page = no_js
    page.goto(urls["article"])
    assert page.locator(".teaser button").count() == 0
    teaser = page.locator(".related .teaser").first
    expect(teaser.locator(".teaser__summary")).to_be_visible()
    expect(teaser.locator(".teaser__excerpt")).to_be_hidden()
    link = teaser.locator("a.keep-reading")
    title = link.locator("xpath=ancestor::article[1]").locator(".teaser__title").inner_text()
    link.press("Enter")
    expect(page.locator("h1")).to_have_text(title)


@pytest.mark.parametrize("kind", KINDS)
def test_no_sideways_scrolling_on_a_phone(phone, urls, kind):
    phone.goto(urls[kind])
    load_all_images(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{urls[kind]} is {width}px wide at 375px"


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_of_every_page_kind(browser, urls, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for kind in KINDS:
        page.goto(urls[kind])
        load_all_images(page)
        path = SHOTS / f"{kind}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
    context.close()
    # The 404 page is served with 200 by http.server, so every console error is real.
    assert errors == []


def test_dark_scheme_and_print_styles(browser, urls):
    """Readers who ask for a dark scheme get one; a printout is the story alone."""
    background = "getComputedStyle(document.body).backgroundColor"
    light = browser.new_page(color_scheme="light")
    dark = browser.new_page(color_scheme="dark")
    light.goto(urls["article"])
    dark.goto(urls["article"])
    assert light.evaluate(background) != dark.evaluate(background)
    light.emulate_media(media="print")
    for hidden in (".site-header .nav-menu", ".share", ".newsletter", ".related"):
        expect(light.locator(hidden).first).to_be_hidden()
    expect(light.locator(".article__body")).to_be_visible()
    light.close()
    dark.close()


def test_focus_is_visible(desktop, urls):
    page = desktop
    page.goto(urls["article"])
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
