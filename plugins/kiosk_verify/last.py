"""The last site that passed: a rebuild checks again only what could have broken.

A page's references resolve against two things only: the files of the site
and the ids of the pages they point into. So if, since the last site that
passed the check (with this code, SITEURL and ``ignore``),

* no file that a reference resolved to went away (a file nothing pointed
  to, such as one of Pagefind's content-named fragments replaced by a
  re-index, may go), and
* no page whose bytes changed lost an id it had,

then every reference that resolved then still resolves, and a page whose
bytes are the same as then has nothing new to report. Only the new and
changed pages, feeds and sitemaps are checked; otherwise, everything is.
What is kept (beside the cache folder, ``<cache_path>.last-passed``): the
site's file list, the files its references resolved to, and each page's
digest, written only when the check found nothing, so it always describes a
site that passed.

At N = 10,000, a one-edit rebuild changes ~100 of 17,920 pages: the 3.1
million references of the others are not looked at again.
"""

import contextlib
import pickle
from pathlib import Path

from kiosk_filecache import read_sealed, source_digest, variant, write_sealed

from . import cache

# 2: a pickle (marshal took 0.22 s to write the 65,000 names at N = 10,000, pickle 0.03 s).
MAGIC = b"kiosk-verify-last-passed-2\n"


class LastPassed:
    """The file list and page digests of the last site that passed the check."""

    def __init__(self, cache_path, site_url: str, ignore):
        self.path = Path(f"{cache_path}.last-passed")
        code = source_digest(Path(__file__).with_name("check.py"), __file__)
        self.key = variant(cache.VARIANT, code, site_url, tuple(ignore))
        # The files the unchanged pages' references resolved to, when only
        # the others are checked: they still do, and the next check needs them.
        self.kept_targets = set()

    def _load(self):
        payload = read_sealed(self.path, MAGIC)
        if payload is None:
            return None
        try:
            key, files, targets, pages = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a damaged state is no state, whatever the damage
            return None
        return (files, targets, pages) if key == self.key else None

    def unchanged(self, files, pages: dict, parsed) -> set:
        """The pages, feeds and sitemaps (``{shown: (digest, path)}`` of this site) that
        need no check; empty if all do.

        ``files``: every file of this site; ``parsed``: the pages' parses
        (``ParsedPages``), for the ids of a page before and after a change.
        """
        last = self._load()
        if last is None:
            return set()
        last_files, last_targets, last_pages = last
        if not (last_files - set(files)).isdisjoint(last_targets):
            return set()  # a file a reference resolved to went away
        for shown, (page_digest, path) in pages.items():
            before = last_pages.get(shown)
            if before is None or before == page_digest or not shown.endswith(".html"):
                continue  # new, the same, or a feed or sitemap: no ids to lose
            old = parsed.cached(before)
            if old is None or not old.anchors <= parsed.load(path).anchors:
                return set()  # an id went away, or we cannot tell
        self.kept_targets = last_targets
        return {shown for shown, (page_digest, _) in pages.items()
                if last_pages.get(shown) == page_digest}  # fmt: skip

    def save(self, files, targets, pages: dict) -> None:
        """Keep this site's file list, the files its checked references resolved to
        (with those of the pages not checked) and its page digests: it passed."""
        digests = {shown: page_digest for shown, (page_digest, _) in pages.items()}
        targets = self.kept_targets | set(targets)
        with contextlib.suppress(OSError):  # costs the next check time, nothing else
            write_sealed(self.path, MAGIC,
                         pickle.dumps((self.key, set(files), targets, digests),
                                      protocol=pickle.HIGHEST_PROTOCOL))  # fmt: skip

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)
