"""The HTTP headers a published Kiosk is served with, and the two files hosts read.

Pure functions from a settings dict (``kiosk_headers.headers_settings``) to
text, so the exact policy is tested without building a site.
"""

import re

from .settings import APACHE_UNSAFE


def content_security_policy(config) -> str:
    """``default-src 'self'; script-src …`` from the ``csp`` dict, in its order.

    A directive whose value is None is left out; an empty string means a
    directive without sources, such as ``upgrade-insecure-requests``.
    """
    parts = []
    for directive, sources in config["csp"].items():
        if sources is None:
            continue
        if directive == "upgrade-insecure-requests" and not config["https"]:
            continue  # upgrading would break a site served over plain HTTP
        parts.append(f"{directive} {sources}".strip())
    return "; ".join(parts)


def site_headers(config) -> list[tuple[str, str]]:
    """``(name, value)`` of every header that every response carries."""
    headers = [
        ("Content-Security-Policy", content_security_policy(config)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),  # frame-ancestors, for browsers older than CSP 2
        ("Referrer-Policy", config["referrer_policy"]),
        ("Permissions-Policy", config["permissions_policy"]),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    # HSTS over plain HTTP is ignored by browsers and would promise what the host can't keep.
    if config["https"] and config["hsts"]:
        headers.append(("Strict-Transport-Security", config["hsts"]))
    return headers


def fingerprinted(paths, pattern) -> list[str]:
    """Site paths (``/theme/css/style.3f9a1c2e.css``) of the fingerprinted assets, sorted."""
    matcher = re.compile(pattern)
    return sorted(path for path in paths if matcher.search(path))


def netlify_headers(config, asset_paths) -> str:
    """``_headers`` for Netlify and Cloudflare Pages.

    Neither host matches by regular expression, so each fingerprinted asset
    gets its own rule. Cache-Control is set only there: both hosts join the
    values of a header set by two matching rules, which would make a
    contradictory policy.
    """
    lines = ["# Written by kiosk_headers for Netlify and Cloudflare Pages; do not edit.", "/*"]
    lines += [f"  {name}: {value}" for name, value in site_headers(config)]
    for path in fingerprinted(asset_paths, config["fingerprint_pattern"]):
        lines += ["", path, f"  Cache-Control: {config['immutable_cache']}"]
    return "\n".join(lines) + "\n"


def htaccess(config, not_found_path="/404.html") -> str:
    """``.htaccess`` for Apache (mod_headers): the same headers, and immutable assets."""

    def quoted(value):
        if APACHE_UNSAFE.search(value):
            raise ValueError(f"a header value for Apache contains a quote or line break: {value!r}")
        return f'"{value}"'

    lines = [
        "# Written by kiosk_headers for Apache; do not edit.",
        f"ErrorDocument 404 {not_found_path}",
        "<IfModule mod_headers.c>",
    ]
    # "always" sends the headers on error responses (the 404 page) too.
    lines += [f"  Header always set {name} {quoted(value)}" for name, value in site_headers(config)]
    lines += [
        f"  <FilesMatch {quoted(config['fingerprint_pattern'])}>",
        f"    Header set Cache-Control {quoted(config['immutable_cache'])}",
        "  </FilesMatch>",
        "</IfModule>",
    ]
    return "\n".join(lines) + "\n"
