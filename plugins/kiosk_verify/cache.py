"""Each page parsed once: what a parse yields, kept under the digest of the page's bytes.

``parse_page`` is a function of the page's bytes alone, so its result (the
references, the anchors, the parse errors) is kept in a cache folder under the
page's digest and this code's version (``pages.py``, lxml and libxml2, the
encoding). A rebuild parses only pages whose bytes are new, in forked
processes on every core (lxml holds the GIL while it builds the tree); the
checks between pages (does the target exist, does it have that id) are then
made over the whole site as before, so a page that did not change still
reports a target that went away.
"""

import functools
import marshal
import sys

import lxml
from lxml import etree

from kiosk_filecache import EntryStore, file_digest, map_forked, source_digest, variant

from . import pages
from .pages import Page, parse_page

VARIANT = variant(
    "verify-pages", source_digest(pages.__file__, __file__), lxml.__version__,
    etree.LIBXML_VERSION, marshal.version, sys.version_info[:2],
)  # fmt: skip


def encode(page: Page) -> bytes:
    return marshal.dumps((page.references, page.anchors, page.errors))


def decode(payload: bytes) -> Page | None:
    """The page an entry holds, or None if it does not hold one (an old or foreign entry)."""
    try:
        references, anchors, errors = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not (isinstance(references, list) and isinstance(anchors, set) and isinstance(errors, list)):
        return None
    return Page(references, anchors, errors)


def _parse(store: EntryStore | None, job) -> bytes:
    path, key = job
    payload = encode(parse_page(path.read_bytes()))
    if store is not None:
        store.write(key + ".page", payload)
    return payload


def parse_pages(paths, cache_path=None, workers=None) -> tuple[dict, dict]:
    """({path: Page} for every path, {"parsed": n, "reused": n}).

    ``cache_path`` None: no cache, every page parsed. With a cache, entries
    this call did not use are removed, so it holds one site's worth.
    """
    store = EntryStore(cache_path) if cache_path else None
    found, misses, used = {}, [], set()
    for path in paths:
        if store is None:
            misses.append((path, None))
            continue
        key = f"{file_digest(path)[0]}-{VARIANT}"
        used.add(key)
        payload = store.read(key + ".page")
        page = decode(payload) if payload is not None else None
        if page is None:
            misses.append((path, key))
        else:
            found[path] = page
    for (path, _), payload in zip(
        misses, map_forked(functools.partial(_parse, store), misses, workers), strict=True
    ):
        found[path] = decode(payload)
    if store is not None:
        store.prune(used)
    return found, {"parsed": len(misses), "reused": len(found) - len(misses)}
