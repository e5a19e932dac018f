"""Content-hashed asset names (``kiosk.css`` -> ``kiosk.3f9a1c2e.css``).

A name that changes whenever the content changes can be cached by browsers
for a year: a new build references a new name. nginx.conf's long-cache rule
matches exactly this shape (8 lowercase hex digits before the extension).
"""

import hashlib
import os
import re
from pathlib import Path

HASH_LENGTH = 8


def fingerprinted_name(path: Path) -> str:
    """``kiosk.css`` with its content's hash: ``kiosk.<8 hex>.css``."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
    return f"{path.stem}.{digest}{path.suffix}"


def fingerprint_assets(output: Path, dirs, extensions) -> dict:
    """Rename every asset below ``output/<dir>`` with one of ``extensions``.

    Returns {old site path: new site path} (posix, relative to ``output``).
    The unhashed name is not kept: a page that still pointed at it would be
    served a stale copy from caches, so a missed reference should rather fail
    the integrity check as a broken link.
    """
    renamed = {}
    for folder in dirs:
        for path in sorted((output / folder).rglob("*")):
            if path.is_file() and path.suffix in extensions:
                target = path.with_name(fingerprinted_name(path))
                path.rename(target)
                renamed[path.relative_to(output).as_posix()] = target.relative_to(output).as_posix()
    return renamed


def reference_rewriter(renamed: dict):
    """Return a function text -> text that points references at the new names.

    A reference is the old site path right after a slash (absolute URL,
    root-relative or ``../`` relative) and not followed by more path
    characters, so ``kiosk.css`` never matches inside ``kiosk.css.map`` or
    ``/theme/css/kiosk.cssx``.

    The pattern starts with the slash and the paths' common prefix
    (``/theme/``) as literal text, which the regular expression engine finds
    with a fast substring search; a lookbehind in front made it try every
    position of the text (0.62 s for the 134 feeds, sitemaps and scripts of
    the N = 1,000 site, 0.01 s now).
    """
    if not renamed:
        return lambda text: text
    # Longest first, so that one path that is a prefix of another cannot win.
    olds = sorted(renamed, key=len, reverse=True)
    prefix = os.path.commonprefix(olds)
    alternatives = "|".join(re.escape(old[len(prefix) :]) for old in olds)
    pattern = re.compile(rf"/{re.escape(prefix)}({alternatives})(?![\w./-])")
    return lambda text: pattern.sub(lambda match: "/" + renamed[prefix + match.group(1)], text)
