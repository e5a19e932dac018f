"""Precompressed siblings: ``page.html`` -> ``page.html.gz`` and ``page.html.br``.

Compressing once at build time with good settings beats compressing on
every request, and lets any host that looks for the sibling (nginx
``gzip_static``/``brotli_static``, Caddy ``precompressed``) serve it.

Two things keep this from dominating a publish (BENCHMARKS.md, lever 2):

* files are compressed on every core at once: brotli and zlib release the GIL
  while they compress, so threads are enough;
* with a cache folder, the compressed bytes are kept under the SHA-256 of the
  file's bytes (and the compressor's version and settings), so a rebuild in
  which a page did not change copies its siblings instead of recompressing.
  Compression is deterministic, so a copy is byte for byte what compressing
  would have written. Entries that the build did not use are removed at the
  end, so the cache holds one site's worth.
"""

import gzip
import hashlib
import os
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli

GZIP_LEVEL = 9


def precompress(path: Path, brotli_quality: int = 8) -> tuple[int, int]:
    """Write ``path.gz`` and ``path.br`` next to ``path``; return their sizes.

    ``mtime=0`` makes the gzip output a function of the content alone, so an
    unchanged page yields a byte-identical .gz and a checksum-based deploy
    (rsync --checksum) skips it.
    """
    gz, br = _compress(path.read_bytes(), brotli_quality)
    _write_siblings(path, gz, br)
    return len(gz), len(br)


def _compress(data: bytes, brotli_quality: int) -> tuple[bytes, bytes]:
    return (gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0),
            brotli.compress(data, quality=brotli_quality))  # fmt: skip


def _write_siblings(path: Path, gz: bytes, br: bytes) -> None:
    path.with_name(path.name + ".gz").write_bytes(gz)
    path.with_name(path.name + ".br").write_bytes(br)


class _Cache:
    """Compressed bytes by content hash, in ``folder``; every write is atomic."""

    def __init__(self, folder: Path, brotli_quality: int):
        self.folder = Path(folder)
        # Another compressor version or setting may give other bytes: another key.
        variant = (f"gz{GZIP_LEVEL}-zlib{zlib.ZLIB_RUNTIME_VERSION}-"
                   f"br{brotli_quality}-brotli{brotli.__version__}")  # fmt: skip
        self.variant = hashlib.sha256(variant.encode()).hexdigest()[:8]
        self.folder.mkdir(parents=True, exist_ok=True)

    def key(self, data: bytes) -> str:
        return f"{hashlib.sha256(data).hexdigest()}-{self.variant}"

    def get(self, key: str):
        try:
            return ((self.folder / f"{key}.gz").read_bytes(),
                    (self.folder / f"{key}.br").read_bytes())  # fmt: skip
        except OSError:  # missing (or removed by a concurrent build): compress again
            return None

    def put(self, key: str, gz: bytes, br: bytes) -> None:
        """Keep the pair for later builds; a failure only costs a later build time."""
        for suffix, data in ((".gz", gz), (".br", br)):
            try:
                handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, self.folder / f"{key}{suffix}")
            except OSError:  # a full disk, or a concurrent build's prune
                return

    def prune(self, used: set) -> None:
        """Remove every entry (and stray temporary file) this build did not use."""
        for path in self.folder.iterdir():
            if path.name.rsplit(".", 1)[0] not in used:
                path.unlink(missing_ok=True)


def precompress_all(paths, brotli_quality: int = 8, cache_path=None, workers=None) -> dict:
    """Precompress every file in ``paths``, on every core, reusing ``cache_path``.

    Returns {"compressed": n, "reused": n}. ``cache_path`` None: no cache.
    """
    cache = _Cache(cache_path, brotli_quality) if cache_path else None
    used = set()

    def one(path: Path) -> bool:
        """Write the siblings of ``path``; True if they came from the cache."""
        data = path.read_bytes()
        if cache is None:
            _write_siblings(path, *_compress(data, brotli_quality))
            return False
        key = cache.key(data)
        used.add(key)
        found = cache.get(key)
        hit = found is not None
        if not hit:
            found = _compress(data, brotli_quality)
            cache.put(key, *found)
        _write_siblings(path, *found)
        return hit

    paths = list(paths)
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        hits = sum(pool.map(one, paths))
    if cache is not None:
        cache.prune(used)
    return {"compressed": len(paths) - hits, "reused": hits}
