"""A Pagefind run's own process: copy a shard's pages as Pagefind needs them, then
become Pagefind.

Run as ``python -I -S copies.py <job file>`` (this file alone, by its path:
the standard library only, so that the process starts in a few milliseconds
and holds a few megabytes). The job file (JSON) names the site, the pages,
the folder to copy them into and Pagefind's command; the process copies each
page's :func:`search_copy` there and then ``exec``s Pagefind, whose exit
status is the process's. The build's process neither reads nor writes the
pages for it, and after an edit it goes on rendering meanwhile
(``indexing.start_early``).
"""

import json
import os
import re
import sys

# What Pagefind reads of a page besides the element it indexes: the <html> tag
# (its lang) and the <meta> tags that carry filters and result metadata.
_HTML_TAG = re.compile(rb"<html\b[^>]*>", re.IGNORECASE)
_SEARCH_META = re.compile(rb"<meta\b[^>]*\bdata-pagefind-[^>]*>", re.IGNORECASE)
_BODY_MARK, _END_MARK = b" data-pagefind-body", b"<!--/data-pagefind-body-->"
_ANY_MARK = b"data-pagefind-"
_TITLE_META = b'data-pagefind-meta="title['


def search_copy(page: bytes) -> bytes:
    """What Pagefind needs of ``page``: its ``<html>`` tag, the ``<meta>`` tags in its head
    that carry ``data-pagefind-*`` attributes, and its ``data-pagefind-body``
    element, which article.html ends with the comment ``<!--/data-pagefind-body-->``.

    Pagefind indexes only that element and reads filters and metadata from
    those tags, so its index of the copies is the one of the pages (a test
    compares the two bundles); but it reads a quarter of the bytes (the
    header, rails, teasers and footer are most of a page): 800 article pages
    took 2.3 s of processor time, their copies 1.4 s. A page of any other
    shape (no marker, or ``data-pagefind-`` anywhere else) is given whole.
    """
    head_end = page.find(b"</head>")
    body = page.find(_BODY_MARK)
    end = page.rfind(_END_MARK)
    html = _HTML_TAG.search(page, 0, head_end) if head_end > 0 else None
    if html is None or not head_end < body < end:
        return page
    start = page.rfind(b"<", 0, body)
    metas = _SEARCH_META.findall(page, 0, head_end)
    if not any(_TITLE_META in meta for meta in metas):  # Pagefind would take the <h1>'s
        return page
    found = sum(meta.count(_ANY_MARK) for meta in metas)
    if found + page.count(_ANY_MARK, start, end + len(_END_MARK)) != page.count(_ANY_MARK):
        return page
    return b"".join((b"<!DOCTYPE html>\n", html.group(), b"<head>", *metas, b"</head><body>",
                     page[start:end], b"</body></html>\n"))  # fmt: skip


def copy_pages(site: str, files, folder: str) -> None:
    """Each page's ``search_copy`` at its relative path below ``folder`` (same URLs)."""
    made = set()
    for relative in files:
        target = os.path.join(folder, relative)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(os.path.join(site, relative), "rb") as page:
            data = search_copy(page.read())
        with open(target, "wb") as copy:
            copy.write(data)


def main(job_file: str) -> None:
    with open(job_file, encoding="utf-8") as handle:
        job = json.load(handle)
    copy_pages(job["site"], job["files"], job["folder"])
    command = job["command"]
    sys.stdout.flush()
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1])
