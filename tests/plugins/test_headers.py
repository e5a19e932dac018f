"""kiosk_headers: the headers a host sends with the published site, as the host reads them.

``_headers`` and ``.htaccess`` are parsed back the way Netlify / Cloudflare
Pages and Apache read them; the last test serves a real publish with those
headers and checks in Chromium that the pages and the search still work under
the policy.
"""

import functools
import os
import re
import socket
import subprocess
import sys
import threading
from fnmatch import fnmatch
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk_headers import content_security_policy, headers_settings, htaccess, netlify_headers
from tests.sites import write_site

ROOT = Path(__file__).resolve().parents[2]
HTTPS = {"SITEURL": "https://kiosk.example", "HEADERS": {"enabled": True}}
ASSETS = ["/theme/css/kiosk.3f9a1c2e.css", "/theme/js/kiosk.0badc0de.js", "/theme/css/plain.css",
          "/images/photo.3f9a1c2e.jpg", "/theme/js/KIOSK.3F9A1C2E.js", "/index.html"]  # fmt: skip


def parse_csp(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def parse_netlify(text: str) -> dict[str, dict[str, str]]:
    """``_headers`` as the hosts read it: path pattern -> {header: value}."""
    rules, current = {}, None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            current = rules.setdefault(line.strip(), {})
        else:
            name, value = line.strip().split(":", 1)
            current[name] = value.strip()
    return rules


def headers_for(rules, path) -> dict[str, str]:
    """What Netlify sends for ``path``: every matching rule's headers, values of a repeat joined."""
    sent = {}
    for pattern, headers in rules.items():
        if fnmatch(path, pattern):
            for name, value in headers.items():
                sent[name] = f"{sent[name]}, {value}" if name in sent else value
    return sent


def parse_htaccess(text: str):
    """``(always-headers, [(FilesMatch regex, headers)])`` of an .htaccess."""
    always, matches, pattern = {}, [], None
    for line in (raw.strip() for raw in text.splitlines()):
        if found := re.fullmatch(r'Header always set (\S+) "(.*)"', line):
            always[found[1]] = found[2]
        elif found := re.fullmatch(r'<FilesMatch "(.*)">', line):
            pattern = found[1]
        elif found := re.fullmatch(r'Header set (\S+) "(.*)"', line):
            matches.append((pattern, {found[1]: found[2]}))
    return always, matches


def test_the_policy_allows_no_inline_script_and_no_plugins():
    csp = parse_csp(content_security_policy(headers_settings(HTTPS)))
    assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("'unsafe-inline'" in sources or "'unsafe-eval'" in sources
                   for sources in csp.values())  # fmt: skip


def test_every_page_gets_the_security_headers_and_no_cache_policy():
    rules = parse_netlify(netlify_headers(headers_settings(HTTPS), ASSETS))
    sent = headers_for(rules, "/summit-without-the-other-side/")
    assert sent["X-Content-Type-Options"] == "nosniff"
    assert sent["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in sent["Permissions-Policy"].split(", ")
    assert sent["Strict-Transport-Security"].startswith("max-age=63072000")
    assert "Cache-Control" not in sent


def test_only_fingerprinted_css_and_js_are_cached_for_a_year():
    rules = parse_netlify(netlify_headers(headers_settings(HTTPS), ASSETS))
    cached = [path for path in ASSETS if "Cache-Control" in headers_for(rules, path)]
    assert cached == ["/theme/css/kiosk.3f9a1c2e.css", "/theme/js/kiosk.0badc0de.js"]
    assert headers_for(rules, cached[0])["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Security-Policy" in headers_for(rules, cached[0])


def test_apache_sends_the_same_headers_and_caches_by_the_same_pattern():
    config = headers_settings(HTTPS)
    always, matches = parse_htaccess(htaccess(config))
    assert always == dict(headers_for(parse_netlify(netlify_headers(config, [])), "/"))
    [(pattern, cache)] = matches
    assert [p for p in ASSETS if re.search(pattern, p)] == [
        "/theme/css/kiosk.3f9a1c2e.css", "/theme/js/kiosk.0badc0de.js"]  # fmt: skip
    assert cache == {"Cache-Control": "public, max-age=31536000, immutable"}
    assert "ErrorDocument 404 /404.html" in htaccess(config).splitlines()


def test_a_site_served_over_http_gets_no_hsts_and_no_upgrade():
    config = headers_settings({"SITEURL": "http://127.0.0.1:8000"})
    names = [name for name, _ in parse_netlify(netlify_headers(config, []))["/*"].items()]
    assert "Strict-Transport-Security" not in names
    assert "upgrade-insecure-requests" not in parse_csp(content_security_policy(config))


def test_the_newsletter_form_may_post_to_its_mailing_provider_and_nowhere_else():
    # The sign-up box posts the reader's address to the provider's form, not to
    # the static host (which answers no POST): the policy names that origin only.
    config = headers_settings({**HTTPS, "NEWSLETTER": {
        "action": "https://lists.example.org/subscribe/kiosk?ref=site"}})  # fmt: skip
    csp = parse_csp(content_security_policy(config))
    assert csp["form-action"] == ["'self'", "https://lists.example.org"]
    assert parse_csp(content_security_policy(headers_settings(HTTPS)))["form-action"] == ["'self'"]


NOT_HTTPS = ["/newsletter/", "http://lists.example.org/subscribe", "mailto:subscribe@example.org",
             "https:///subscribe"]  # fmt: skip


@pytest.mark.parametrize("action", NOT_HTTPS)
def test_a_newsletter_form_that_is_not_an_https_address_is_refused(action):
    with pytest.raises(ValueError, match=r"NEWSLETTER: action must be the https address"):
        headers_settings({"NEWSLETTER": {"action": action}})


def test_csp_directives_can_be_added_or_dropped():
    config = headers_settings({"HEADERS": {"csp": {"img-src": "'self' https://images.example",
                                                   "worker-src": None}}})  # fmt: skip
    csp = parse_csp(content_security_policy(config))
    assert csp["img-src"] == ["'self'", "https://images.example"]
    assert "worker-src" not in csp
    assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"]


def test_settings_refuse_unknown_keys_and_values_that_would_inject_a_header():
    with pytest.raises(ValueError, match="HEADERS: unknown key.*hst"):
        headers_settings({"HEADERS": {"hst": "max-age=1"}})
    with pytest.raises(ValueError, match="referrer_policy contains a double quote or a line break"):
        headers_settings({"HEADERS": {"referrer_policy": "no-referrer\nSet-Cookie: a=b"}})
    assert headers_settings({})["enabled"] is False


def test_the_published_sample_lists_each_of_its_fingerprinted_assets(published_site):
    rules = parse_netlify((published_site / "_headers").read_text("utf-8"))
    on_disk = sorted("/" + p.relative_to(published_site).as_posix()
                     for p in published_site.rglob("*") if p.is_file()
                     and re.search(r"\.[0-9a-f]{8}\.(css|js)$", p.name))  # fmt: skip
    assert on_disk, "the publish build fingerprinted no asset"
    assert sorted(path for path in rules if path != "/*") == on_disk
    assert (published_site / ".htaccess").is_file()


# --- In a browser, with the headers applied ----------------------------------


class HeadersHandler(SimpleHTTPRequestHandler):
    """Serves a folder the way Netlify would, applying its ``_headers`` rules."""

    def __init__(self, *args, rules, **kwargs):
        self.rules = rules
        super().__init__(*args, **kwargs)

    def end_headers(self):
        for name, value in headers_for(self.rules, self.path.split("?")[0]).items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def served_publish(tmp_path):
    """A tiny site published for http://127.0.0.1:PORT and served with its _headers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    content = write_site(tmp_path)
    (content / "extra").mkdir(exist_ok=True)
    (content / "extra" / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    output = tmp_path / "output"
    subprocess.run([sys.executable, "-m", "invoke", "publish", "--content", str(content),
                    "--output", str(output)], cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "KIOSK_SITEURL": url}, timeout=300)  # fmt: skip
    rules = parse_netlify((output / "_headers").read_text("utf-8"))
    handler = functools.partial(HeadersHandler, rules=rules, directory=str(output))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_pages_and_search_work_under_the_policy(served_publish, page):
    violations = []
    page.on("console", lambda message: message.type == "error" and violations.append(message.text))
    response = page.goto(f"{served_publish}/summit-without-the-other-side/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(f"{served_publish}/search/?q=corridor")
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for(timeout=10_000)
    assert first.inner_text() == "Grain corridor reopens for a week"
    assert violations == []
