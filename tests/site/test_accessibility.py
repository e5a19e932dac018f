"""axe-core (npm, injected into the page) on every page kind, in light and
dark colour schemes, at phone and desktop widths: no serious or critical
violation of WCAG 2.2 AA or axe's best practices."""

from pathlib import Path

import pytest

from tests.site.test_theme_markup import (
    KINDS,
    article_with_a_text_only_teaser,
    representative,
    url_path,
)

pytestmark = [pytest.mark.browser, pytest.mark.site]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in the repository")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def urls(built_site, site_url):
    return {kind: site_url + url_path(rel) for kind, rel in representative(built_site).items()}


def run_axe(page, axe_source):
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "opts => axe.run(document, opts)", {"runOnly": {"type": "tag", "values": TAGS}}
    )
    return [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_no_serious_violations(browser, axe_source, urls, scheme, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found = {}
    for kind in KINDS:
        page.goto(urls[kind])
        violations = run_axe(page, axe_source)
        if violations:
            found[kind] = violations
    context.close()
    assert found == {}


@pytest.mark.parametrize("width", [375, 1280])
def test_expanded_teaser_is_accessible(browser, axe_source, urls, built_site, site_url, width):
    """The excerpts shown in place must pass too (they are hidden during the full
    run), on the showcase article and on one with a teaser without an image."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    found = {}
    for url in (urls["article"], site_url + url_path(article_with_a_text_only_teaser(built_site))):
        page.goto(url)
        for button in page.locator(".teaser button.keep-reading").all():
            button.click()
        found[url] = run_axe(page, axe_source)
    page.close()
    assert found == {url: [] for url in found}
