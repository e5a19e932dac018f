"""The newsletter box, as a reader signs up in Chromium: the address goes to the
mailing provider's sign-up form by POST, in the request's body, never into a URL
(where the static host's access log, the browser's history and any Referer would
keep it), and the published policy lets that one form leave the site."""

import pytest

from tests.plugins.test_headers import parse_csp
from tests.site.test_theme_markup import representative, url_path

pytestmark = [pytest.mark.browser, pytest.mark.site]

PROVIDER = "https://newsletter.kiosk.example/subscribe"  # pelicanconf.py NEWSLETTER["action"]
THANKS = "<!doctype html><title>Check your inbox</title><p>Check your inbox."


@pytest.mark.parametrize("kind", ["home", "article"])
def test_signing_up_posts_the_address_to_the_mailing_provider(page, built_site, site_url, kind):
    sent = []

    def provider(route, request):
        sent.append((request.method, request.url, request.post_data))
        route.fulfill(status=200, content_type="text/html", body=THANKS)

    page.route(f"{PROVIDER}*", provider)
    page.goto(site_url + url_path(representative(built_site)[kind]))
    boxes = page.locator(".newsletter form")
    assert boxes.count() >= 1
    box = boxes.last  # the footer's, on every page
    box.get_by_label("Email address").fill("reader@example.org")
    with page.expect_navigation():
        box.get_by_role("button", name="Sign up").click()
    assert sent == [("POST", PROVIDER, "email=reader%40example.org")]
    assert page.title() == "Check your inbox"


def test_the_published_policy_lets_only_that_form_leave_the_site(published_site):
    policy = next(line for line in (published_site / "_headers").read_text().splitlines()
                  if "Content-Security-Policy" in line)  # fmt: skip
    directives = parse_csp(policy.split(":", 1)[1])
    assert directives["form-action"] == ["'self'", "https://newsletter.kiosk.example"]
