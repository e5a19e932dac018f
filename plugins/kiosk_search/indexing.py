"""Running Pagefind over a built site, one shard (a year of articles) at a time.

The Pagefind CLI indexes every HTML file under ``--site`` and has no way to
exclude a folder, so each shard's pages are hard-linked into a scratch folder
(same relative paths, so the same URLs) and one run of the CLI indexes that
folder. The CLI rather than the Python client: the client ends its Pagefind
process with SIGTERM as soon as Pagefind answers that the files are written,
and about one run in forty (on a busy machine) left ``pagefind-entry.json``
empty. The CLI exits when it is done. Only pages that carry
``data-pagefind-body`` (the article template) go to Pagefind: the pages it
would keep of the whole site.

Shards whose pages did not change come from the cache (shards.py) instead.
In a rebuild, the shards to index are few, and Pagefind runs over them in a
process beside the build's while it still renders the listings and feeds
(:class:`Beside`).
"""

import atexit
import contextlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pagefind.service import get_executable

from kiosk_filecache import known_entries, remember, site_listing, start_fresh
from kiosk_logrecords import capture_logs, replay

from .shards import ShardCache, group, is_asset, merge_order, primary_shard, shard_key
from .stable import stabilise

log = logging.getLogger(__name__)

# Options given to Pagefind besides the site and output folders (part of the cache key).
INDEX_OPTIONS = ("--silent",)
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


def _link_tree(output_path, files, scratch):
    for relative in files:
        target = Path(scratch) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(Path(output_path) / relative, target)
        except OSError:  # another file system, or links not allowed: copy
            shutil.copyfile(Path(output_path) / relative, target)


def _index_shard(output_path, files, scratch, bundle):
    pages = Path(scratch) / "pages"
    pages.mkdir(parents=True)
    _link_tree(output_path, files, pages)
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


class Indexing:
    """One build's Pagefind run over ``output_path``, in the three steps it takes in turn.

    :meth:`prepare` groups the article pages into shards and takes from the
    cache each shard whose pages did not change; :meth:`index` runs Pagefind
    over the others (their bundles go to the cache); :meth:`install` puts
    every shard's bundle into the site and returns ``{"indexed": [shard, …],
    "reused": [shard, …]}``. :class:`Beside` takes the first two while the
    build still writes its other pages. Arguments as :func:`run_pagefind`'s.
    """

    def __init__(self, output_path, bundle_dir="pagefind", exclude=(), years=None,
                 cache_path=None, workers=1):  # fmt: skip
        self.output = Path(output_path)
        self.bundle_dir = bundle_dir
        self.exclude = tuple(exclude)
        self.years = years
        self.workers = workers
        self.cache_path = cache_path
        self.cache = ShardCache(cache_path) if cache_path else None
        self.report = {"indexed": [], "reused": []}
        self._scratch = None  # the scratch folder's path once prepared
        self._keys, self._bundles = {}, {}
        self._jobs = []  # the shards left to index: (name, files)
        self._pages = 0  # pages in all shards, for the log

    @property
    def pending(self) -> int:
        """How many pages :meth:`index` has still to run Pagefind over."""
        return sum(len(files) for _name, files in self._jobs)

    def prepare(self) -> None:
        """Group the pages into shards; fetch each unchanged one from the cache."""
        output = self.output
        if self.years:
            # Only article pages carry the body marker (article.html): reading
            # those alone halves the bytes hashed at 10,000 articles (347 of 689 MB).
            skip = (*self.exclude, self.bundle_dir.strip("/") + "/")
            pages = sorted(p for p in self.years
                           if not p.startswith(skip) and (output / p).is_file())  # fmt: skip
        else:
            pages = html_files(output, self.bundle_dir, self.exclude)
        cache = self.cache
        known = cache.marks() if cache is not None else {}
        shards, marks = group(output, pages, self.years or {}, known)
        if cache is not None and marks != known:
            cache.keep_marks(marks)  # this build's pages: the file holds one site's worth
        shutil.rmtree(output / self.bundle_dir, ignore_errors=True)
        # The scratch folder sits beside the output so that hard links and renames work.
        self._scratch = tempfile.mkdtemp(dir=output.parent, prefix=".pagefind-")
        scratch = Path(self._scratch)
        self._pages = sum(len(pages) for pages in shards.values())
        names = sorted(shards)
        self._keys = {name: shard_key(shards[name], list(INDEX_OPTIONS)) for name in names}
        self._bundles = {name: scratch / "bundles" / name for name in names}
        reused = dict.fromkeys(names, False)
        if cache is not None:
            keys, bundles = self._keys, self._bundles
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                found = pool.map(lambda name: cache.fetch(keys[name], bundles[name]), names)
                reused = dict(zip(names, found, strict=True))
        for name in names:
            if reused[name]:
                self.report["reused"].append(name)
            else:
                self._jobs.append((name, [relative for relative, _digest in shards[name]]))

    def index(self) -> None:
        """Run Pagefind over the shards the cache did not have, ``workers`` at a time."""
        jobs, self._jobs = self._jobs, []
        scratch = Path(self._scratch)
        # Each run is a process of its own; threads only wait for them.
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            runs = [pool.submit(_index_shard, self.output, files, scratch / "input" / name,
                                self._bundles[name]) for name, files in jobs]  # fmt: skip
            for run in runs:
                run.result()
        for name, _files in jobs:
            _stabilise(self._bundles[name])
            if self.cache is not None:
                self.cache.store(self._keys[name], self._bundles[name])
            self.report["indexed"].append(name)
        self.report["indexed"].sort()

    def install(self) -> dict:
        """Put every shard's bundle into the site, list the older ones; the report."""
        target = self.output / self.bundle_dir
        names = list(self._bundles)
        # The primary first: the older years' folders go inside it.
        _install(self._bundles[primary_shard(names)], target, whole=True)
        others = merge_order(names)
        for name in others:
            _install(self._bundles[name], target / name, whole=False)
        shard_list = {"merge": [f"{name}/" for name in others]}
        (target / SHARD_LIST).write_text(json.dumps(shard_list) + "\n", "utf-8")
        if self.cache is not None:
            self.cache.prune(set(self._keys.values()))
        self.close()
        report = self.report
        log.info(
            "kiosk_search: %d pages in %d shards into %s/ (indexed %s, reused %s)",
            self._pages, len(names), self.bundle_dir,
            ", ".join(report["indexed"]) or "none", ", ".join(report["reused"]) or "none",
        )  # fmt: skip
        return report

    def close(self) -> None:
        """Remove the scratch folder (done by :meth:`install`; again is harmless)."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def state(self) -> dict:
        """What :meth:`prepare` and :meth:`index` found, for :meth:`adopt` in another process."""
        return {"report": self.report, "keys": self._keys, "bundles": self._bundles,
                "jobs": self._jobs, "pages": self._pages, "scratch": self._scratch}  # fmt: skip

    def adopt(self, state: dict) -> "Indexing":
        """Go on from the ``state`` of an Indexing of the same arguments in another process."""
        self.report, self._keys, self._bundles = state["report"], state["keys"], state["bundles"]
        self._jobs, self._pages, self._scratch = state["jobs"], state["pages"], state["scratch"]
        return self


class Beside:
    """An :class:`Indexing` prepared, and indexed if small, in a process beside the build.

    Started once the article pages are written (kiosk_search's
    ``generate_articles``), so that it runs on the second core while the
    build's process renders the listings, feeds and other pages;
    :func:`run_pagefind` at ``finalized`` waits for it and does what is left.
    It reads only article pages, which nothing writes after
    ``generate_articles`` (the digests this build remembers of them go with
    it), and writes only its scratch folder, the bundle folder and the cache.
    A new Python process (``kiosk_filecache.start_fresh``), not a thread:
    the thousands of links and stats of fetching the unchanged years from the
    cache, each a system call that gives up the GIL, made a thread take 5.7 s
    for 1.6 s of work at N = 10,000 and slowed the rendering by 2.2 s.

    With more than ``max_pages`` to index (a cold build; a half-year at N =
    10,000), the indexing is left to ``finalized``, after kiosk_memory has
    given the build's memory back: Pagefind holds about 0.22 MB a page, on
    top of the build at its largest while it renders.
    """

    _unfinished = set()  # started and not yet joined: a build failed in between

    def __init__(self, indexing: Indexing, max_pages: int):
        self.indexing = indexing
        known = known_entries(indexing.output / page for page in indexing.years or ())
        arguments = (indexing.output, indexing.bundle_dir, indexing.exclude, indexing.years,
                     indexing.cache_path, indexing.workers, max_pages, known,
                     log.getEffectiveLevel())  # fmt: skip
        self._call = start_fresh(f"{__name__}:prepare_beside", arguments)
        Beside._unfinished.add(self)

    def join(self) -> Indexing:
        """Wait for the process; raise what it raised; the Indexing to go on with."""
        Beside._unfinished.discard(self)
        state, records = self._call.result()
        replay(records)
        return self.indexing.adopt(state)

    @classmethod
    def abandon_all(cls) -> None:
        """Wait for the processes of builds that failed before ``finalized``; drop their work.

        Called before each build and at exit: the bundle folder they wrote
        into went with the failed build's staging folder.
        """
        for beside in list(cls._unfinished):
            with contextlib.suppress(Exception):  # what it raised is no one's business now
                beside.join().close()
            cls._unfinished.discard(beside)


atexit.register(Beside.abandon_all)


def prepare_beside(output_path, bundle_dir, exclude, years, cache_path, workers, max_pages,
                   known, level) -> tuple:  # fmt: skip
    """What a :class:`Beside`'s process does: (its Indexing's state, the records it logged).

    ``known``: the build's remembered digests of the article pages; ``level``:
    the build's level for this module's records, which the build's own
    handlers then get (``kiosk_logrecords.replay``).
    """
    logging.getLogger().setLevel(level)
    for path, (key, stamp) in known.items():
        remember(path, key, stamp)
    indexing = Indexing(output_path, bundle_dir, exclude, years, cache_path, workers)
    with capture_logs() as records:
        try:
            indexing.prepare()
            if indexing.pending <= max_pages:
                indexing.index()
                if indexing.report["indexed"]:
                    log.info("kiosk_search: indexed %s beside the build's rendering",
                             ", ".join(indexing.report["indexed"]))  # fmt: skip
        except BaseException:
            indexing.close()
            raise
    return indexing.state(), records


def run_pagefind(output_path, bundle_dir="pagefind", exclude=(), years=None, cache_path=None,
                 workers=1, started=None):  # fmt: skip
    """Index ``output_path`` into ``bundle_dir`` below it, one shard per article year.

    ``years`` maps an article's ``save_as`` to its year; ``cache_path`` (None:
    no cache) keeps each shard's bundle for later builds; ``workers`` is how
    many shards Pagefind indexes at once. ``started``: a :class:`Beside` of
    this build, started with these arguments, to finish instead. Returns
    ``{"indexed": [shard, …], "reused": [shard, …]}``.
    """
    if started is not None:
        indexing = started.join()
    else:
        indexing = Indexing(output_path, bundle_dir, exclude, years, cache_path, workers)
    try:
        if started is None:
            indexing.prepare()
        indexing.index()
        return indexing.install()
    finally:
        indexing.close()
