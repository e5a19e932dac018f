"""Make Pagefind's bundle byte-identical from one build of the same site to the next.

Pagefind 1.5 writes each filter's values (``Europe``, ``Africa`` …) in Rust
hash-map order, which is random per run; the filter files are named after
their content, and the language's metadata file names them, and
``pagefind-entry.json`` names that. So two builds of the same site differed in
four files (issue 7: reproducible builds; upstream: Pagefind issue #638).

``stabilise(bundle)`` rewrites that chain with the values sorted: each filter
file, then the metadata file, then the entry file, renamed after the new
content the way Pagefind names them. The files are gzip-compressed CBOR behind
a ``pagefind_dcd`` signature; the few CBOR types they use are handled here
rather than adding a dependency.
"""

import gzip
import hashlib
import json
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


def _decode(data: bytes, at: int = 0):
    """One CBOR item at ``at``: unsigned ints, text, byte strings, arrays, maps."""
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        value = info
    elif info <= 27:
        size = 1 << (info - 24)
        value = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError(f"unsupported CBOR item 0x{head:02x}")
    if major == 0:
        return value, at
    if major in (2, 3):
        raw = data[at : at + value]
        return (raw.decode("utf-8") if major == 3 else raw), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = {}
        for _ in range(value):
            key, at = _decode(data, at)
            pairs[key], at = _decode(data, at)
        return pairs, at
    raise ValueError(f"unsupported CBOR major type {major}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise ValueError(f"{value} is too large for CBOR")


def _encode(item) -> bytes:
    """CBOR in the shortest form, as Pagefind writes it."""
    if isinstance(item, bool) or item is None:
        raise ValueError(f"unsupported value {item!r}")
    if isinstance(item, int):
        return _head(0, item)
    if isinstance(item, bytes):
        return _head(2, len(item)) + item
    if isinstance(item, str):
        raw = item.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(item, list):
        return _head(4, len(item)) + b"".join(_encode(x) for x in item)
    if isinstance(item, dict):
        return _head(5, len(item)) + b"".join(_encode(k) + _encode(v) for k, v in item.items())
    raise ValueError(f"unsupported value {item!r}")


def read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind data file")
    return _decode(data, len(SIGNATURE))[0]


def _write(folder: Path, prefix: str, suffix: str, digits: int, item) -> str:
    """Write ``item`` as ``{prefix}{hash}{suffix}`` and return the hash Pagefind refers to."""
    data = SIGNATURE + _encode(item)
    name = f"{prefix}{hashlib.sha256(data).hexdigest()[:digits]}"
    # mtime=0: the gzip header would otherwise carry the build time.
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, mtime=0))
    return name


def stabilise(bundle) -> None:
    """Rewrite the Pagefind bundle in ``bundle`` so that its bytes depend only on the site."""
    bundle = Path(bundle)
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read(meta_path)
        filters = meta[3]  # [version, pages, index chunks, [[filter, file hash]], …]
        for row in filters:
            old = bundle / "filter" / f"{row[1]}.pf_filter"
            name, values = read(old)
            old.unlink()
            row[1] = _write(bundle / "filter", f"{language}_", ".pf_filter", 7,
                            [name, sorted(values, key=lambda pair: pair[0])])  # fmt: skip
        filters.sort(key=lambda row: row[0])
        meta_path.unlink()
        info["hash"] = _write(bundle, f"pagefind.{language}_", ".pf_meta", 10, meta).removeprefix(
            "pagefind."
        )
    # Pagefind writes the entry compactly, characters unescaped.
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
