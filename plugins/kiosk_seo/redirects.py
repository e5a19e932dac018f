"""Old URLs keep working: each ``Aliases:`` path becomes a redirect.

Two forms, because static hosts differ: a small HTML page at the old path
(meta refresh, canonical, a visible link: works everywhere, and tells search
engines where the story lives now) and a line in ``_redirects`` (Netlify,
Cloudflare Pages), which those hosts turn into a real HTTP 301.
"""

import posixpath

from lxml import html
from lxml.html import builder as E

from .head import plain
from .settings import absolute


class AliasError(ValueError):
    """An alias that cannot be written: malformed, or already taken."""


def alias_paths(article):
    """The article's ``Aliases:`` header as a list of normalised site paths."""
    raw = getattr(article, "aliases", "") or ""
    if isinstance(raw, list | tuple):
        raw = ",".join(raw)
    paths = []
    for alias in (part.strip() for part in raw.split(",")):
        if not alias:
            continue
        normal = posixpath.normpath(alias)
        if not alias.startswith("/") or ".." in alias.split("/") or normal == "/":
            raise AliasError(
                f"{article.source_path}: Aliases: {alias!r} must be a path "
                "below the site root, such as /2022/11/11/old-slug/"
            )
        paths.append(normal + ("/" if alias.endswith("/") else ""))
    return paths


def save_as(path):
    """Where the redirect page for ``path`` is written, relative to the output."""
    return path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/")


def redirect_map(articles, taken_urls):
    """Return ``{old path: article}``, refusing aliases that collide.

    ``taken_urls`` are the site paths of real pages: an alias over one of them
    would replace a live page with a redirect.
    """
    found = {}
    for article in articles:
        for path in alias_paths(article):
            if path in taken_urls or path in found:
                other = found.get(path)
                owner = other.source_path if other else "a page of the site"
                raise AliasError(
                    f"{article.source_path}: Aliases: {path} is already used by {owner}"
                )
            found[path] = article
    return found


def redirect_page(settings, article):
    """Return the HTML (str) of the page that sends readers on to ``article``."""
    target = absolute(settings, article.url)
    title = plain(article.title)
    doc = E.HTML(
        E.HEAD(
            E.META(charset="utf-8"),
            E.TITLE(f"Moved: {title}"),
            E.META(name="robots", content="noindex"),
            E.META(**{"http-equiv": "refresh", "content": f"0; url={target}"}),
            E.LINK(rel="canonical", href=target),
        ),
        E.BODY(E.P("This article has moved to ", E.A(title, href=target), ".")),
        lang=settings.get("DEFAULT_LANG", "en"),
    )
    return html.tostring(doc, doctype="<!doctype html>", encoding="unicode") + "\n"


def redirects_file(redirects):
    """The ``_redirects`` file: one ``/old/ /new/ 301`` line per alias, sorted."""
    lines = [f"{old} /{article.url.lstrip('/')} 301" for old, article in sorted(redirects.items())]
    return "\n".join(lines) + ("\n" if lines else "")
