"""Running Pagefind over a built site, one shard (a year of articles) at a time.

The Pagefind CLI indexes every HTML file under ``--site`` and has no way to
exclude a folder, so each shard's pages are copied into a scratch folder
(same relative paths, so the same URLs; each page cut down to what Pagefind
reads of it, ``search_copy``) and one run of the CLI indexes that folder.
The CLI rather than the Python client: the client ends its Pagefind process
with SIGTERM as soon as Pagefind answers that the files are written,
and about one run in forty (on a busy machine) left ``pagefind-entry.json``
empty. The CLI exits when it is done. Only pages that carry
``data-pagefind-body`` (the article template) go to Pagefind: the pages it
would keep of the whole site.

Shards whose pages did not change come from the cache (shards.py) instead.
"""

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pagefind.service import get_executable

from kiosk_filecache import site_listing

from .shards import ShardCache, group, is_asset, merge_order, primary_shard, shard_key
from .stable import stabilise

log = logging.getLogger(__name__)

# Options given to Pagefind besides the site and output folders (part of the cache key).
# Photo credits ("AFP/Getty Images") are not what a reader searches for, and they
# filled result excerpts: left out of the index (captions stay in).
INDEX_OPTIONS = ("--silent", "--exclude-selectors", ".credit")
SHARD_LIST = "shards.json"


def draft_prefixes(settings):
    """Output folders that only hold drafts, from DRAFT_SAVE_AS and DRAFT_PAGE_SAVE_AS.

    ``"drafts/{slug}/index.html"`` gives ``"drafts/"``; an empty save_as (the
    publish build) means drafts are not written and nothing is excluded.
    """
    prefixes = set()
    for key in ("DRAFT_SAVE_AS", "DRAFT_PAGE_SAVE_AS"):
        static = (settings.get(key) or "").split("{", 1)[0]
        folder = static.rsplit("/", 1)[0] + "/" if "/" in static else ""
        if folder:
            prefixes.add(folder)
    return tuple(sorted(prefixes))


def html_files(output_path, bundle_dir, exclude):
    """Relative path of every HTML page that could be handed to Pagefind."""
    skip = (*exclude, bundle_dir.strip("/") + "/")
    # In the order of Paths, as when this was rglob("*.html"): 0.51 s at N = 10,000.
    pages = [name for name in site_listing(output_path) if name.endswith(".html")]
    for relative in sorted(pages, key=lambda name: name.split("/")):
        if not relative.startswith(skip):
            yield relative


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


def _copy_pages(output_path, files, scratch):
    """Each page's ``search_copy`` at its relative path below ``scratch`` (same URLs)."""
    for relative in files:
        target = Path(scratch) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(search_copy((Path(output_path) / relative).read_bytes()))


def _index_shard(output_path, files, scratch, bundle):
    pages = Path(scratch) / "pages"
    pages.mkdir(parents=True)
    _copy_pages(output_path, files, pages)
    executable = get_executable()
    if executable is None:
        raise FileNotFoundError("kiosk_search: no Pagefind binary (pip install pagefind[bin])")
    # In the scratch folder, so that no pagefind.yml of the working directory applies.
    subprocess.run(
        [str(executable), *INDEX_OPTIONS, "--site", str(pages), "--output-path", str(bundle)],
        cwd=scratch, check=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    shutil.rmtree(pages)


def _stabilise(bundle):
    try:
        stabilise(bundle)
    except (ValueError, KeyError, IndexError) as err:
        # A Pagefind release with another layout: search still works, only
        # byte-identical rebuilds are lost, so say so rather than fail.
        log.warning("kiosk_search: Pagefind bundle left as written (%s)", err)


def _install(bundle: Path, target: Path, whole: bool) -> None:
    """Move a shard's bundle into the site: whole, or only its index data."""
    if not whole:
        for path in list(bundle.rglob("*")):
            if path.is_file() and is_asset(path.relative_to(bundle).as_posix()):
                path.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(bundle, target)


def run_pagefind(output_path, bundle_dir="pagefind", exclude=(), years=None, cache_path=None,
                 workers=1):  # fmt: skip
    """Index ``output_path`` into ``bundle_dir`` below it, one shard per article year.

    ``years`` maps an article's ``save_as`` to its year; ``cache_path`` (None:
    no cache) keeps each shard's bundle for later builds; ``workers`` is how
    many shards Pagefind indexes at once. Returns ``{"indexed": [shard, …],
    "reused": [shard, …]}``.
    """
    output = Path(output_path)
    if years:
        # Only article pages carry the body marker (article.html): reading
        # those alone halves the bytes hashed at 10,000 articles (347 of 689 MB).
        skip = (*exclude, bundle_dir.strip("/") + "/")
        base, isfile, join = os.fspath(output), os.path.isfile, os.path.join
        pages = sorted(p for p in years if not p.startswith(skip) and isfile(join(base, p)))
    else:
        pages = html_files(output, bundle_dir, exclude)
    cache = ShardCache(cache_path) if cache_path else None
    known = cache.marks() if cache is not None else {}
    shards, marks = group(output, pages, years or {}, known)
    if cache is not None and marks != known:
        cache.keep_marks(marks)  # this build's pages: the file holds one site's worth
    target = output / bundle_dir
    shutil.rmtree(target, ignore_errors=True)
    primary = primary_shard(list(shards))
    report = {"indexed": [], "reused": []}
    # The scratch folder sits beside the output so that hard links and renames work.
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".pagefind-") as scratch:
        names = sorted(shards)
        keys = {name: shard_key(shards[name], list(INDEX_OPTIONS)) for name in names}
        bundles = {name: Path(scratch) / "bundles" / name for name in names}
        reused = dict.fromkeys(names, False)
        if cache is not None:
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                found = pool.map(lambda name: cache.fetch(keys[name], bundles[name]), names)
                reused = dict(zip(names, found, strict=True))
        jobs = []
        for name in names:
            if reused[name]:
                report["reused"].append(name)
            else:
                files = [relative for relative, _digest in shards[name]]
                jobs.append((files, Path(scratch) / "input" / name, bundles[name]))
                report["indexed"].append(name)
        # Each run is a process of its own; threads only wait for them.
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for done in [pool.submit(_index_shard, output, *job) for job in jobs]:
                done.result()
        for name in report["indexed"]:
            _stabilise(bundles[name])
            if cache is not None:
                cache.store(keys[name], bundles[name])
        # The primary first: the older years' folders go inside it.
        _install(bundles[primary], target, whole=True)
        others = merge_order(list(shards))
        for name in others:
            _install(bundles[name], target / name, whole=False)
    shard_list = {"merge": [f"{name}/" for name in others]}
    (target / SHARD_LIST).write_text(json.dumps(shard_list) + "\n", "utf-8")
    if cache is not None:
        cache.prune(set(keys.values()))
    log.info(
        "kiosk_search: %d pages in %d shards into %s/ (indexed %s, reused %s)",
        sum(len(pages) for pages in shards.values()), len(shards), bundle_dir,
        ", ".join(report["indexed"]) or "none", ", ".join(report["reused"]) or "none",
    )  # fmt: skip
    return report
