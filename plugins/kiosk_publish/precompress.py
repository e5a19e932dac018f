"""Precompressed siblings: ``page.html`` -> ``page.html.gz`` and ``page.html.br``.

Compressing once at build time with the slowest, best settings beats
compressing on every request, and lets any host that looks for the sibling
(nginx ``gzip_static``/``brotli_static``, Caddy ``precompressed``) serve it.
"""

import gzip
from pathlib import Path

import brotli


def precompress(path: Path, brotli_quality: int = 10) -> tuple[int, int]:
    """Write ``path.gz`` and ``path.br`` next to ``path``; return their sizes.

    ``mtime=0`` makes the gzip output a function of the content alone, so an
    unchanged page yields a byte-identical .gz and a checksum-based deploy
    (rsync --checksum) skips it.
    """
    data = path.read_bytes()
    gz = gzip.compress(data, compresslevel=9, mtime=0)
    br = brotli.compress(data, quality=brotli_quality)
    path.with_name(path.name + ".gz").write_bytes(gz)
    path.with_name(path.name + ".br").write_bytes(br)
    return len(gz), len(br)
