"""Running Pagefind over a built site, one shard (a year of articles) at a time.

The Pagefind CLI indexes every HTML file under ``--site`` and has no way to
exclude a folder, so each shard's pages are copied into a scratch folder
(same relative paths, so the same URLs; each page cut down to what Pagefind
reads of it, ``copies.search_copy``) and one run of the CLI indexes that
folder. The copying is done by the run's own process, which then becomes
Pagefind (copies.py).
The CLI rather than the Python client: the client ends its Pagefind process
with SIGTERM as soon as Pagefind answers that the files are written,
and about one run in forty (on a busy machine) left ``pagefind-entry.json``
empty. The CLI exits when it is done. Only pages that carry
``data-pagefind-body`` (the article template) go to Pagefind: the pages it
would keep of the whole site.

Shards whose pages did not change come from the cache (shards.py) instead.

After an edit, the one shard to index again can be begun while the build
still renders (:func:`start_early`): article pages are final once Pelican's
``generate_articles`` returns, and the rest of the rendering keeps one core
busy while the other would sit idle. At ``finalized`` :func:`run_pagefind`
groups the pages again and takes the early bundle only for a shard whose key
(its pages' paths and digests) is still the one it was begun with; any other
is indexed then, as always, and the early run is thrown away.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pagefind.service import get_executable

from kiosk_filecache import ScratchProcess, site_listing

from . import copies
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


def _start_shard(output_path, files, scratch, bundle) -> subprocess.Popen:
    """Start a process that copies the shard's pages below ``scratch`` and becomes Pagefind
    on them (copies.py); not waited for."""
    pages = Path(scratch) / "pages"
    pages.mkdir(parents=True)
    executable = get_executable()
    if executable is None:
        raise FileNotFoundError("kiosk_search: no Pagefind binary (pip install pagefind[bin])")
    job = Path(scratch) / "job.json"
    job.write_text(json.dumps({
        "site": os.fspath(output_path), "files": list(files), "folder": os.fspath(pages),
        "command": [os.fspath(executable), *INDEX_OPTIONS, "--site", os.fspath(pages),
                    "--output-path", os.fspath(bundle)],
    }), "utf-8")  # fmt: skip
    # In the scratch folder, so that no pagefind.yml of the working directory applies.
    return subprocess.Popen(
        [sys.executable, "-I", "-S", copies.__file__, os.fspath(job)],
        cwd=scratch, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _finish_shard(process: subprocess.Popen, scratch) -> None:
    """Wait for Pagefind's run on a shard; its exit status is checked, its page copies go."""
    status = process.wait()
    if status:
        raise subprocess.CalledProcessError(status, process.args)
    shutil.rmtree(Path(scratch) / "pages")


def _index_shard(output_path, files, scratch, bundle):
    _finish_shard(_start_shard(output_path, files, scratch, bundle), scratch)


class EarlyShard(ScratchProcess):
    """One shard's Pagefind run, begun before ``finalized`` (:func:`start_early`).

    ``key`` is the shard's key from the pages as they were then; ``bundle``
    is where the run writes it, in a scratch folder of its own beside the
    output (so that the bundle can be renamed into the site). ``cancel``
    stops the run and removes the folder (at exit too).
    """

    def __init__(self, output: Path, name: str, key: str, files: list):
        self.name, self.key = name, key
        scratch = tempfile.TemporaryDirectory(dir=output.parent, prefix=".pagefind-")
        self.folder = Path(scratch.name) / "input" / name
        self.bundle = Path(scratch.name) / "bundles" / name
        try:
            process = _start_shard(output, files, self.folder, self.bundle)
        except BaseException:
            scratch.cleanup()
            raise
        super().__init__(scratch, process)

    def finish(self) -> Path:
        """Wait for the run: the bundle's folder (the caller moves it), or the run's error."""
        _finish_shard(self._process, self.folder)
        return self.bundle


def _site_pages(output: Path, bundle_dir, exclude, years):
    """The pages that may go to Pagefind: the articles' own (``years``), else every HTML page."""
    if years:
        # Only article pages carry the body marker (article.html): reading
        # those alone halves the bytes hashed at 10,000 articles (347 of 689 MB).
        skip = (*exclude, bundle_dir.strip("/") + "/")
        base, isfile, join = os.fspath(output), os.path.isfile, os.path.join
        return sorted(p for p in years if not p.startswith(skip) and isfile(join(base, p)))
    return html_files(output, bundle_dir, exclude)


def _shards(output: Path, bundle_dir, exclude, years, marks) -> tuple[dict, dict, dict]:
    """(``group``'s shards and page marks for the site as it is now, each shard's key)."""
    shards, marks = group(output, _site_pages(output, bundle_dir, exclude, years), years or {},
                          marks)  # fmt: skip
    keys = {name: shard_key(pages, list(INDEX_OPTIONS)) for name, pages in shards.items()}
    return shards, marks, keys


def start_early(output_path, bundle_dir="pagefind", exclude=(), years=None, cache_path=None,
                workers=1, max_pages=None) -> dict:  # fmt: skip
    """Begin Pagefind now on the shards that have no cache entry, if they are few.

    For an edit, while the build renders its other pages: at most ``workers``
    shards of at most ``max_pages`` pages in all (None: any number), each
    left running in a process of its own; a cold build, with every shard to
    index, begins none (beside the rendering they would add their memory to
    the build's largest). Returns ``{shard: EarlyShard}`` for
    :func:`run_pagefind`'s ``early``; whoever does not pass them on cancels them.
    """
    if not years or not cache_path:
        return {}
    output = Path(output_path)
    cache = ShardCache(cache_path)
    if len(cache) < len(set(years.values())) - max(1, workers):
        return {}  # a cold build's, most of whose shards are to index: not worth a look
    shards, _marks, keys = _shards(output, bundle_dir, exclude, years, cache.marks())
    missing = [name for name in sorted(shards) if not cache.has(keys[name])]
    if not missing or len(missing) > max(1, workers):
        return {}
    if max_pages is not None and sum(len(shards[name]) for name in missing) > max_pages:
        return {}
    early = {}
    try:
        for name in missing:
            files = [relative for relative, _digest in shards[name]]
            early[name] = EarlyShard(output, name, keys[name], files)
    except BaseException:
        for shard in early.values():
            shard.cancel()
        raise
    return early


def _stabilise(bundle):
    try:
        stabilise(bundle)
    except (ValueError, KeyError, IndexError) as err:
        # A Pagefind release with another layout: search still works, only
        # byte-identical rebuilds are lost, so say so rather than fail.
        log.warning("kiosk_search: Pagefind bundle left as written (%s)", err)


def _install(bundle: Path, target: Path, whole: bool) -> None:
    """Move a shard's bundle into the site: whole, or only its index data (``whole``
    False: its Pagefind scripts are removed first)."""
    if not whole:
        for path in list(bundle.rglob("*")):
            if path.is_file() and is_asset(path.relative_to(bundle).as_posix()):
                path.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(bundle, target)


def run_pagefind(output_path, bundle_dir="pagefind", exclude=(), years=None, cache_path=None,
                 workers=1, early=None):  # fmt: skip
    """Index ``output_path`` into ``bundle_dir`` below it, one shard per article year.

    ``years`` maps an article's ``save_as`` to its year; ``cache_path`` (None:
    no cache) keeps each shard's bundle for later builds; ``workers`` is how
    many shards Pagefind indexes at once; ``early``: what :func:`start_early`
    began, taken where a shard's key is still the one it began with, else
    cancelled. Returns ``{"indexed": [shard, …], "reused": [shard, …],
    "early": [shard, …]}`` (early: indexed by a run begun before).
    """
    early = dict(early or {})
    try:
        return _run_pagefind(Path(output_path), bundle_dir, exclude, years, cache_path,
                             workers, early)  # fmt: skip
    finally:
        # Those not taken, and the scratch folders of those taken (their bundles
        # moved out); all of them after an error.
        for shard in early.values():
            shard.cancel()


def _run_pagefind(output, bundle_dir, exclude, years, cache_path, workers, early):
    cache = ShardCache(cache_path) if cache_path else None
    known = cache.marks() if cache is not None else {}
    shards, marks, keys = _shards(output, bundle_dir, exclude, years, known)
    if cache is not None and marks != known:
        cache.keep_marks(marks)  # this build's pages: the file holds one site's worth
    target = output / bundle_dir
    shutil.rmtree(target, ignore_errors=True)
    primary = primary_shard(list(shards))
    report = {"indexed": [], "reused": [], "early": []}
    # The scratch folder sits beside the output so that hard links and renames work.
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".pagefind-") as scratch:
        names = sorted(shards)
        bundles = {name: Path(scratch) / "bundles" / name for name in names}
        reused = dict.fromkeys(names, False)
        if cache is not None:
            # An older shard's bundle comes without the scripts the site keeps only once.
            leave = {name: None if name == primary else is_asset for name in names}
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                found = pool.map(lambda name: cache.fetch(keys[name], bundles[name], leave[name]),
                                 names)  # fmt: skip
                reused = dict(zip(names, found, strict=True))
        jobs, begun = [], []
        for name in names:
            if reused[name]:
                report["reused"].append(name)
                continue
            report["indexed"].append(name)
            shard = early.get(name)
            if shard is not None and shard.key == keys[name]:  # the same pages, the same bytes
                begun.append(shard)
                report["early"].append(name)
                continue
            files = [relative for relative, _digest in shards[name]]
            jobs.append((files, Path(scratch) / "input" / name, bundles[name]))
        for shard in early.values():  # begun on pages that changed since: not wanted
            if shard not in begun:
                shard.cancel()
        # Each run is a process of its own; threads only wait for them.
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for done in [pool.submit(_index_shard, output, *job) for job in jobs]:
                done.result()
        for shard in begun:
            bundles[shard.name].parent.mkdir(parents=True, exist_ok=True)
            os.rename(shard.finish(), bundles[shard.name])
        for name in report["indexed"]:
            _stabilise(bundles[name])
            if cache is not None:
                cache.store(keys[name], bundles[name])
        # The primary first: the older years' folders go inside it.
        _install(bundles[primary], target, whole=True)
        others = merge_order(list(shards))
        for name in others:
            _install(bundles[name], target / name, whole=reused[name])
    shard_list = {"merge": [f"{name}/" for name in others]}
    (target / SHARD_LIST).write_text(json.dumps(shard_list) + "\n", "utf-8")
    if cache is not None:
        cache.prune(set(keys.values()))
    log.info(
        "kiosk_search: %d pages in %d shards into %s/ (indexed %s%s, reused %s)",
        sum(len(pages) for pages in shards.values()), len(shards), bundle_dir,
        ", ".join(report["indexed"]) or "none",
        f" ({', '.join(report['early'])} begun while rendering)" if report["early"] else "",
        ", ".join(report["reused"]) or "none",
    )  # fmt: skip
    return report
