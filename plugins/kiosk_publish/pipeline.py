"""Each text file once: read, rewrite references, minify, write, precompress.

One pass per file, in forked processes on every core (minify-html holds the
GIL), each file read once and hashed once:

1. its digest is the key of the minify cache (with the minifier's version and
   options, this code, and the fingerprint renames): a hit gives the final
   bytes and their digest without decoding, rewriting or minifying;
2. otherwise references are rewritten and, for HTML, the page minified, and
   the result kept in the cache;
3. the final bytes' digest is the key of the precompression cache, whose hit
   is a hard link;
4. the final digest is remembered for kiosk_verify (``kiosk_filecache``).

The bytes written are exactly those of the steps done one after the other on
the whole site: a file is decoded as ``Path.read_text`` would (UTF-8,
universal newlines) and rewritten only if its text changed.
"""

import functools
import importlib.metadata
import os
from dataclasses import dataclass
from pathlib import Path

from kiosk_filecache import EntryStore, digest, map_forked, remember, source_digest, variant

from . import fingerprint, minify
from .precompress import Compressed, _compress, _write_siblings

DIGEST_BYTES = 32


@dataclass(frozen=True)
class Plan:
    """What every file's pass needs; forked processes inherit it."""

    rewrite: object  # text -> text
    hashed: frozenset  # fingerprinted assets: never rewritten
    minify_html: bool
    brotli_quality: int
    store: EntryStore | None
    minify_variant: str
    compressed: Compressed | None


def make_plan(renamed: dict, rewrite, hashed, config: dict) -> Plan:
    store = EntryStore(config["cache_path"]) if config["cache_path"] else None
    minify_variant = variant(
        "minify-html", importlib.metadata.version("minify-html"), minify.OPTIONS,
        source_digest(minify.__file__, fingerprint.__file__, __file__),
        sorted(renamed.items()),
    )  # fmt: skip
    compressed = Compressed(store, config["brotli_quality"]) if store else None
    return Plan(rewrite, frozenset(hashed), config["minify_html"], config["brotli_quality"],
                store, minify_variant, compressed)  # fmt: skip


def _transform(plan: Plan, data: bytes, minify_it: bool) -> bytes:
    """The file's final bytes: ``data`` itself (the same object) if its text is unchanged."""
    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    changed = plan.rewrite(text)
    if minify_it:
        changed = minify.minify_page(changed)
    return data if changed == text else changed.encode("utf-8")


def finish_file(plan: Plan, path: Path) -> tuple:
    """Give one text file its final bytes and siblings.

    Returns (path, final digest, its stat, minified now, minify reused,
    siblings reused, cache keys used).
    """
    data = path.read_bytes()
    data_digest = digest(data)
    used = []
    minified = reused = False
    if path in plan.hashed:
        final, final_digest = data, data_digest
    elif plan.minify_html and path.suffix == ".html":
        key = f"{data_digest}-{plan.minify_variant}"
        entry = plan.store.read(key + ".min") if plan.store else None
        if entry is not None and len(entry) >= DIGEST_BYTES:
            final_digest, final = entry[:DIGEST_BYTES].hex(), entry[DIGEST_BYTES:]
            reused = True
        else:
            final = _transform(plan, data, minify_it=True)
            final_digest = data_digest if final is data else digest(final)
            minified = True
            if plan.store:
                plan.store.write(key + ".min", bytes.fromhex(final_digest) + final)
        if plan.store:
            used.append(key)
    else:
        final = _transform(plan, data, minify_it=False)
        final_digest = data_digest if final is data else digest(final)
    stat = os.stat(path)
    if final_digest != data_digest:
        path.unlink()  # a new file: never write through a hard link
        path.write_bytes(final)
        mode, stat = stat.st_mode, os.stat(path)
        if stat.st_mode != mode:  # as it was, like a write in place
            os.chmod(path, mode & 0o7777)
            stat = os.stat(path)
    if plan.compressed is None:
        _write_siblings(path, *_compress(final, plan.brotli_quality))
        siblings_reused = False
    else:
        key, siblings_reused = plan.compressed.siblings(path, final, final_digest)
        used.append(key)
    return str(path), final_digest, stat, minified, reused, siblings_reused, used


def finish_files(plan: Plan, paths, workers=None) -> dict:
    """``finish_file`` for every path, on every core; prune the cache; return counts."""
    paths = list(paths)
    results = map_forked(functools.partial(finish_file, plan), paths, workers)
    used = set()
    counts = {"minified": 0, "minify_reused": 0, "compressed": 0, "reused": 0}
    for path, final_digest, stat, minified, reused, siblings_reused, keys in results:
        remember(path, final_digest, stat)
        used.update(keys)
        counts["minified"] += minified
        counts["minify_reused"] += reused
        counts["reused" if siblings_reused else "compressed"] += 1
    if plan.store:
        plan.store.prune(used)
    return counts
