"""Precompressed siblings: ``page.html`` -> ``page.html.gz`` and ``page.html.br``.

Compressing once at build time with good settings beats compressing on
every request, and lets any host that looks for the sibling (nginx
``gzip_static``/``brotli_static``, Caddy ``precompressed``) serve it.

Two things keep this from dominating a publish (BENCHMARKS.md, lever 2):

* files are compressed on every core at once (kiosk_publish spreads its files
  over forked processes);
* with a cache folder, the compressed bytes are kept under the digest of the
  file's bytes (and the compressor's version and settings), so a rebuild in
  which a page did not change hard-links its siblings from the cache (or
  copies them, across filesystems) instead of recompressing. Compression is
  deterministic, so a link is byte for byte what compressing would have
  written. Each pair has a checksum entry written after it; a pair whose
  bytes do not match it is compressed again. Entries that the build did not
  use are removed at the end, so the cache holds one site's worth.
"""

from pathlib import Path

import brotli
from zlib_ng import gzip_ng, zlib_ng

from kiosk_filecache import EntryStore, LinkedEntries, digest, variant

from .settings import DEFAULTS

# Files of fewer bytes than this (every page of the site) are compressed at
# the lower levels, bigger ones (feeds, sitemaps) at the higher: on 1,000 of
# the benchmark's minified pages (31.6 kB on average) brotli's quality 6 is
# 0.45 % larger than 8 in 82 % of the time (0.54 against 0.66 ms a page) and
# zlib-ng's level 6 0.3 % larger than 8 in 74 % (0.23 against 0.31 ms), while
# the feeds (over 100 kB) are 11 % and 1.4 % larger at 6 (BENCHMARKS.md,
# lever 138).
SMALL_FILE_BYTES = 64 * 1024
# zlib-ng's levels (small files, big files); 8 is as small as zlib's level 9
# (+0.03 %) in 60 % of its time (lever 120).
GZIP_LEVELS = (6, 8)
SUFFIXES = (".gz", ".br")
# Brotli's qualities (small files, big files) when no settings say otherwise.
BROTLI_QUALITIES = (DEFAULTS["brotli_quality_small"], DEFAULTS["brotli_quality"])


def precompress(path: Path, data: bytes, brotli_qualities=BROTLI_QUALITIES) -> tuple[int, int]:
    """Write ``path.gz`` and ``path.br``, the compressed ``data`` (the bytes of
    ``path``), next to it; return their sizes. Without a cache (``Compressed``).

    ``mtime=0`` makes the gzip output a function of the content alone, so an
    unchanged page yields a byte-identical .gz and a checksum-based deploy
    (rsync --checksum) skips it.
    """
    gz, br = compress(data, brotli_qualities)
    _write_siblings(path, gz, br)
    return len(gz), len(br)


def compress(data: bytes, brotli_qualities: tuple[int, int]) -> tuple[bytes, bytes]:
    """(gzip, brotli) of ``data``: the bytes of its two siblings. ``brotli_qualities``:
    (below ``SMALL_FILE_BYTES``, from there on), as ``GZIP_LEVELS``."""
    big = len(data) >= SMALL_FILE_BYTES
    return (gzip_ng.compress(data, compresslevel=GZIP_LEVELS[big], mtime=0),
            brotli.compress(data, quality=brotli_qualities[big]))  # fmt: skip


def _siblings(path: Path):
    return [path.with_name(path.name + suffix) for suffix in SUFFIXES]


def _write_siblings(path: Path, gz: bytes, br: bytes) -> None:
    for sibling, data in zip(_siblings(path), (gz, br), strict=True):
        sibling.unlink(missing_ok=True)  # never write through a link into the cache
        sibling.write_bytes(data)


class Compressed:
    """Compressed siblings by content digest, kept as linkable files in an ``EntryStore``."""

    def __init__(self, store: EntryStore, brotli_qualities: tuple[int, int],
                 known: dict | None = None):  # fmt: skip
        self.entries = LinkedEntries(store, SUFFIXES, known)
        self.store = store
        self.brotli_qualities = tuple(brotli_qualities)
        # Another compressor version or setting may give other bytes: another key.
        self.variant = variant(SMALL_FILE_BYTES, GZIP_LEVELS, zlib_ng.ZLIBNG_VERSION,
                               self.brotli_qualities, brotli.__version__)  # fmt: skip

    def key(self, data_digest: str) -> str:
        return f"{data_digest}-{self.variant}"

    def siblings(self, path: Path, data: bytes | None, data_digest: str | None = None):
        """Write the siblings of ``path`` (whose bytes are ``data``; None: read them there).

        Returns (key used, True if they came from the cache).
        """
        if data is None and data_digest is None:
            data = path.read_bytes()
        key = self.key(data_digest or digest(data))
        found = self.entries.get(key)
        if found is not None:
            self.entries.link(key, _siblings(path), found[0])
            return key, True
        if data is None:
            data = path.read_bytes()
        pair = compress(data, self.brotli_qualities)
        if self.entries.put(key, pair) is not None:
            self.entries.link(key, _siblings(path), pair)
        else:
            _write_siblings(path, *pair)
        return key, False
