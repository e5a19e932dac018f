"""Each text file once: read, rewrite references, minify, write, precompress.

One pass per file, in worker processes on every core (minify-html holds the
GIL; fresh ones for a big build, forked ones for a small one), each file
read once and hashed once:

1. its digest is the key of the minify cache (with the minifier's version and
   options, this code, and the fingerprint renames): a hit gives the final
   bytes and their digest without decoding, rewriting or minifying, and the
   page becomes a hard link to the cached final page (no bytes written);
2. otherwise references are rewritten and, for HTML, the page minified, and
   the result kept in the cache and linked from there;
3. the final bytes' digest is the key of the precompression cache, whose hit
   is a hard link;
4. the final digest is remembered for kiosk_verify (``kiosk_filecache``).

Both caches' checksum entries are kept in one index beside the cache
(``<cache_path>.index``, a ``SumsIndex``), written by the build at the end
with the entries it used: a rebuild takes them from there instead of
opening two ``.sum`` files per file (lever 66).

The bytes written are exactly those of the steps done one after the other on
the whole site: a file is decoded as ``Path.read_text`` would (UTF-8,
universal newlines) and rewritten only if its text changed.
"""

import functools
import importlib.metadata
import os
from dataclasses import dataclass
from pathlib import Path

from kiosk_filecache import (
    FILE_MODE,
    EntryStore,
    LinkedEntries,
    SumsIndex,
    digest,
    known_digest,
    map_forked,
    map_fresh,
    remember,
    source_digest,
    stat_stamp,
    variant,
)
from kiosk_memory import resident_mb

from . import fingerprint, minify
from .precompress import Compressed, compress, precompress

DIGEST_BYTES = 32


@dataclass(frozen=True)
class Plan:
    """What every file's pass needs; forked processes inherit it."""

    rewrite: object  # text -> text
    hashed: frozenset  # fingerprinted assets: never rewritten
    minify_html: bool
    brotli_qualities: tuple[int, int]  # files below SMALL_FILE_BYTES, bigger ones
    store: EntryStore | None
    index: SumsIndex | None  # both caches' checksum entries, from the last build
    minified: LinkedEntries | None  # final pages by their rendered bytes' digest
    minify_variant: str
    compressed: Compressed | None


def make_plan(renamed: dict, rewrite, hashed, config: dict) -> Plan:
    store = index = known = None
    if config["cache_path"]:
        store = EntryStore(config["cache_path"])
        index = SumsIndex(f"{os.fspath(config['cache_path']).rstrip('/')}.index")
        known = index.load()
    compressed = Compressed(store, brotli_qualities(config), known) if store else None
    minified = LinkedEntries(store, (".min",), known) if store else None
    return Plan(rewrite, frozenset(hashed), config["minify_html"], brotli_qualities(config),
                store, index, minified, minify_variant(renamed), compressed)  # fmt: skip


def brotli_qualities(config: dict) -> tuple[int, int]:
    """Brotli's quality for files below ``SMALL_FILE_BYTES`` and for bigger ones."""
    return config["brotli_quality_small"], config["brotli_quality"]


def minify_variant(renamed: dict) -> str:
    """What a minified page depends on besides its rendered bytes: the minifier, its
    options, this code, and the fingerprinted names its references now take."""
    return variant(
        "minify-html", importlib.metadata.version("minify-html"), minify.OPTIONS,
        source_digest(minify.__file__, fingerprint.__file__, __file__),
        sorted(renamed.items()),
    )  # fmt: skip


def _learned(plan: Plan) -> tuple | None:
    """The checksum entries ``plan``'s caches read from their files or wrote since the
    last call, as ((key, entry), …), or None: for the build's next index."""
    if plan.store is None:
        return None
    found = ()
    for entries in (plan.minified, plan.compressed.entries):
        if entries.learned:
            found += tuple(entries.learned.items())
            entries.learned.clear()
    return found or None


def _transform(plan: Plan, data: bytes, minify_it: bool) -> bytes:
    """The file's final bytes: ``data`` itself (the same object) if its text is unchanged."""
    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    changed = plan.rewrite(text)
    if minify_it:
        changed = minify.minify_page(changed)
    return data if changed == text else changed.encode("utf-8")


def _final_html(plan: Plan, path: Path, data: bytes, data_digest: str) -> tuple:
    """(a page's final bytes, their digest, from the cache?, is ``path`` already them?).

    ``data`` is None when the page was not read (its digest was known); the
    final bytes are None when ``path`` is already them and the cache did not
    need to read them (``LinkedEntries.get``).

    With a cache, the final bytes are kept as a linkable file (``.min``, their
    digest in its checksum entry) and the page *becomes* a hard link to it: a
    rebuild writes no page whose final bytes it already has, and the previous
    output's copy of an unchanged page shares its blocks with the cache, so
    deleting that output frees none of them.
    """
    if plan.minified is None:
        final = _transform(plan, data, minify_it=True)
        return final, data_digest if final is data else digest(final), False, False
    key = f"{data_digest}-{plan.minify_variant}"
    found = plan.minified.get(key, DIGEST_BYTES)
    if found is not None:
        (final,), final_digest = found[0], found[1].hex()
        stored = reused = True
    else:
        if data is None:  # known by its digest, and new to the cache after all
            data = path.read_bytes()
        final = _transform(plan, data, minify_it=True)
        final_digest = data_digest if final is data else digest(final)
        stored = plan.minified.put(key, (final,), bytes.fromhex(final_digest)) is not None
        reused = False
    # A link only where it gives the mode a write would keep (Pelican's, usually).
    placed = stored and final_digest != data_digest and _mode(path) == FILE_MODE
    if placed:
        plan.minified.link(key, (path,), (final,))
    elif final is None:  # a hit not read (LinkedEntries.get), to be written here
        final = plan.minified.read(key, ".min", final)
    return final, final_digest, reused, placed


def _mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o7777


# What finish_file did, as bits of one small int.
MINIFIED, MINIFY_REUSED, SIBLINGS_REUSED = 1, 2, 4


def finish_file(plan: Plan, job: tuple) -> tuple:
    """Give one text file its final bytes and siblings.

    ``job`` is (the file's Path, the digest of its bytes if the build knows
    it, else None): a page the build's writer linked from the render memo is
    then read only if its minified bytes or its siblings are not cached.

    Returns (the final bytes' digest, the file's ``stat_stamp``, what was done
    as ``MINIFIED | MINIFY_REUSED | SIBLINGS_REUSED`` bits, the digest of the
    bytes the minify cache key was made from or None, the checksum entries
    the index lacked or None): small, because the workers send one for each
    of the site's files (65,000 at N = 10,000), and the build holds them all
    at once.
    """
    path, data_digest = job
    data = None
    if data_digest is None or not (plan.minified and plan.minify_html and path.suffix == ".html"):
        data = path.read_bytes()
        data_digest = digest(data)
    minify_key = None
    done = 0
    placed = False
    if path in plan.hashed:
        final, final_digest = data, data_digest
    elif plan.minify_html and path.suffix == ".html":
        final, final_digest, reused, placed = _final_html(plan, path, data, data_digest)
        done |= MINIFY_REUSED if reused else MINIFIED
        if plan.store:
            minify_key = data_digest
    else:
        final = _transform(plan, data, minify_it=False)
        final_digest = data_digest if final is data else digest(final)
    stat = os.stat(path)
    if final_digest != data_digest and not placed:
        path.unlink()  # a new file: never write through a hard link
        path.write_bytes(final)
        mode, stat = stat.st_mode, os.stat(path)
        if stat.st_mode != mode:  # as it was, like a write in place
            os.chmod(path, mode & 0o7777)
            stat = os.stat(path)
    if plan.compressed is None:
        precompress(path, final, plan.brotli_qualities)
    else:
        _, siblings_reused = plan.compressed.siblings(path, final, final_digest)
        done |= SIBLINGS_REUSED if siblings_reused else 0
    minify_from = bytes.fromhex(minify_key) if minify_key else None
    return bytes.fromhex(final_digest), stat_stamp(stat), done, minify_from, _learned(plan)


def ahead_step(renamed: dict, config: dict):
    """kiosk_ahead's stage: ``step(path, rendered bytes) -> final bytes`` for one site.

    For a page rendered while the build still renders others: its final
    bytes (references rewritten, minified) and their compressed siblings go
    into the cache under the keys ``finish_file`` will look up, made with
    ``renamed`` as ``fingerprint.planned_renames`` foresees it. Nothing is
    written into the site: at ``finalized`` the pass finds them there (a
    wrong forecast only makes other keys, never other bytes).

    Their checksum entries are not written as ``.sum`` files (two of the six
    files the stages wrote per page): ``step.finish()``, called when the
    worker stops, adds them to the cache's index, where publish's pass looks
    first. A worker that dies before it leaves files without entries: misses
    that the pass makes again, as it does for pages never done ahead.
    """
    plan = make_plan(renamed, fingerprint.reference_rewriter(renamed), (), {**config,
                     "cache_path": None})  # fmt: skip
    if config["cache_path"]:
        store = EntryStore(config["cache_path"])
        index = SumsIndex(f"{os.fspath(config['cache_path']).rstrip('/')}.index")
        known = index.load()
        minified = LinkedEntries(store, (".min",), known)
        compressed = Compressed(store, brotli_qualities(config), known)
    else:
        index = minified = compressed = None

    def step(path: Path, data: bytes) -> bytes:
        data_digest = digest(data)
        key = f"{data_digest}-{plan.minify_variant}"
        found = minified.get(key, DIGEST_BYTES) if minified and plan.minify_html else None
        if found is not None:
            final, final_digest = minified.read(key, ".min", found[0][0]), found[1].hex()
        else:
            final = _transform(plan, data, minify_it=plan.minify_html)
            final_digest = data_digest if final is data else digest(final)
            if minified and plan.minify_html:
                minified.put(key, (final,), bytes.fromhex(final_digest), sum_file=False)
        if compressed is not None:
            sibling_key = compressed.key(final_digest)
            if compressed.entries.get(sibling_key) is None:
                pair = compress(final, plan.brotli_qualities)
                compressed.entries.put(sibling_key, pair, sum_file=False)
        return final

    def finish() -> None:
        """Add the entries of what this stage kept to the cache's index."""
        if index is not None:
            entries = index.load()
            entries.update(minified.learned)
            entries.update(compressed.entries.learned)
            index.save(entries)

    step.finish = finish
    return step


def finisher(renamed: dict, hashed, config: dict):
    """``finish_file`` for one site's plan, made where it runs (a worker process)."""
    plan = make_plan(renamed, fingerprint.reference_rewriter(renamed), hashed, config)
    return functools.partial(finish_file, plan)


def finish_files(recipe: tuple, paths, workers=None) -> dict:
    """``finish_file`` for every path, on every core; prune the cache; return counts.

    ``recipe``: (renamed assets, hashed asset paths, config), from which each
    worker makes the plan. A big build's workers are fresh processes
    (``map_fresh``; see ``fresh_workers_above_mb`` in settings.py), a small
    one's forked.
    """
    paths = list(paths)
    jobs = [(path, known_digest(path)) for path in paths]
    renamed, hashed, config = recipe
    limit, resident = config["fresh_workers_above_mb"], resident_mb()
    if limit is not None and (limit == 0 or (resident is not None and resident > limit)):
        plan = make_plan(renamed, None, hashed, config)
        results = map_fresh(f"{__name__}:finisher", recipe, jobs, workers)
    else:
        plan = make_plan(renamed, fingerprint.reference_rewriter(renamed), hashed, config)
        results = map_forked(functools.partial(finish_file, plan), jobs, workers)
    used = set()
    learned = {}
    counts = {"minified": 0, "minify_reused": 0, "compressed": 0, "reused": 0}
    for path, (final_digest, stamp, done, minify_from, new_sums) in zip(paths, results,
                                                                         strict=True):  # fmt: skip
        if new_sums:
            learned.update(new_sums)
        final_hex = final_digest.hex()
        remember(path, final_hex, stamp)
        if minify_from is not None:
            used.add(f"{minify_from.hex()}-{plan.minify_variant}")
        if plan.compressed is not None:
            used.add(plan.compressed.key(final_hex))
        counts["minified"] += bool(done & MINIFIED)
        counts["minify_reused"] += bool(done & MINIFY_REUSED)
        counts["reused" if done & SIBLINGS_REUSED else "compressed"] += 1
    if plan.store:
        plan.store.prune(used)
        known = plan.minified.known
        plan.index.save({key: learned.get(key) or known[key]
                         for key in sorted(used) if key in learned or key in known})  # fmt: skip
    return counts
