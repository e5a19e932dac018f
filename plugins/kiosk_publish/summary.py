"""What a publish build weighs: the last line ``invoke publish`` prints."""

from pathlib import Path

COMPRESSED = (".gz", ".br")


def site_summary(output: Path) -> dict:
    """Count pages and bytes in ``output``.

    ``bytes`` is the site as a reader's browser could fetch it (precompressed
    siblings are not extra content); ``text_bytes`` is what has precompressed
    siblings, and ``gzip_bytes``/``brotli_bytes`` what those weigh.
    """
    summary = {"pages": 0, "files": 0, "bytes": 0, "text_bytes": 0,
               "gzip_bytes": 0, "brotli_bytes": 0}  # fmt: skip
    for path in Path(output).rglob("*"):
        if not path.is_file() or path.suffix in COMPRESSED:
            continue
        size = path.stat().st_size
        summary["files"] += 1
        summary["bytes"] += size
        summary["pages"] += path.suffix == ".html"
        gz, br = (path.with_name(path.name + suffix) for suffix in COMPRESSED)
        if gz.exists() and br.exists():
            summary["text_bytes"] += size
            summary["gzip_bytes"] += gz.stat().st_size
            summary["brotli_bytes"] += br.stat().st_size
    return summary


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.1f} kB"
    return f"{n / 1_000_000:.1f} MB"


def format_summary(summary: dict) -> str:
    """One line: 'Published 83 pages: 389 files, 6.4 MB; text 2.7 MB -> 764.8 kB gzip, …'."""
    return (
        f"Published {summary['pages']} pages: {summary['files']} files, "
        f"{_size(summary['bytes'])}; text {_size(summary['text_bytes'])} -> "
        f"{_size(summary['gzip_bytes'])} gzip, {_size(summary['brotli_bytes'])} brotli"
    )
