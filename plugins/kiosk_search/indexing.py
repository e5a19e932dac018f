"""Running Pagefind over a built site, leaving draft folders out.

The Pagefind CLI indexes every HTML file under ``--site`` and has no way to
exclude a folder, so the pages to index are hard-linked into a scratch folder
(same relative paths, so the same URLs) and Pagefind indexes that folder in one
request. One request matters: the Python client polls for each answer every
0.1 s, so a request per page cost ~20 s for the sample magazine and minutes for
a deep archive. Pagefind then keeps only pages that carry ``data-pagefind-body``
(the article template), the rule it applies as soon as one page has it.
"""

import asyncio
import logging
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pagefind.index import PagefindIndex

from .stable import stabilise

log = logging.getLogger(__name__)


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
    """``(relative path, site URL)`` of every HTML page to hand to Pagefind."""
    root = Path(output_path)
    skip = (*exclude, bundle_dir.strip("/") + "/")
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(skip):
            continue
        url = "/" + relative.removesuffix("index.html")
        yield relative, url


def _link_tree(output_path, files, scratch):
    for relative, _url in files:
        target = Path(scratch) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(Path(output_path) / relative, target)
        except OSError:  # another file system, or links not allowed: copy
            shutil.copyfile(Path(output_path) / relative, target)


async def _build(output_path, bundle_dir, files):
    config = {"output_path": os.path.join(output_path, bundle_dir)}
    # The scratch folder sits beside the output so that hard links work.
    with tempfile.TemporaryDirectory(dir=Path(output_path).parent, prefix=".pagefind-") as scratch:
        _link_tree(output_path, files, scratch)
        async with PagefindIndex(config=config) as index:
            await index.add_directory(scratch)
            # Leaving the context writes the bundle to output_path.


def run_pagefind(output_path, bundle_dir="pagefind", exclude=()):
    """Index ``output_path`` and write the Pagefind bundle into ``bundle_dir`` below it."""
    files = list(html_files(output_path, bundle_dir, exclude))
    # Pelican may itself be running inside an event loop (an embedding app,
    # a test harness); a worker thread gets a loop of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _build(output_path, bundle_dir, files)).result()
    try:
        stabilise(Path(output_path) / bundle_dir)
    except (ValueError, KeyError, IndexError) as err:
        # A Pagefind release with another layout: search still works, only
        # byte-identical rebuilds are lost, so say so rather than fail.
        log.warning("kiosk_search: Pagefind bundle left as written (%s)", err)
    log.info("kiosk_search: indexed %d HTML files into %s/", len(files), bundle_dir)
