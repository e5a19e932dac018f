"""What, besides a file's own bytes, decides what reading it produces.

- the **settings**, all of them except per-build noise (the staging
  ``OUTPUT_PATH`` named after the process, this plugin's own settings), as a
  text that is the same in every process for equal values (no ``0x…``
  addresses, dicts and sets sorted); a function or class in the settings is
  named and its source file hashed;
- the **code**: every file under ``PLUGIN_PATHS``, the ``*conf.py`` files beside
  them (``pelicanconf.py``, ``publishconf.py``), Python's version and every
  installed distribution with its version (Pelican, Markdown, typogrify,
  BeautifulSoup, Pillow and anything else on the read path);
- the **environment** that reading can see: the locale and time-zone variables
  and ``SOURCE_DATE_EPOCH``.

Local files an article reads while it is processed (its images) are not part
of this fingerprint: each cache entry lists them (``reading.record_opens``).
"""

import hashlib
import inspect
import os
import re
import sys
from datetime import date, datetime, time, timedelta
from importlib import metadata
from pathlib import PurePath

from kiosk_uptodate import plugin_folders

# Settings that change with every build, or only say where caches live and
# whether Pelican empties a staging folder that holds no file anyway.
VOLATILE_SETTINGS = frozenset({"OUTPUT_PATH", "DELETE_OUTPUT_DIRECTORY", "KIOSK_READCACHE"})
ENVIRONMENT = ("SOURCE_DATE_EPOCH", "TZ", "LANG", "LC_ALL", "LC_TIME", "LC_CTYPE")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def settings_fingerprint(settings):
    """A hash of the settings that reading depends on, stable across processes."""
    kept = {key: value for key, value in settings.items() if key not in VOLATILE_SETTINGS}
    environment = {name: os.environ.get(name) for name in ENVIRONMENT}
    text = stable_text(kept) + "\0" + stable_text(environment)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def stable_text(value):
    """A text for ``value`` that is equal in every process for equal settings."""
    if isinstance(value, dict):
        items = sorted((stable_text(k), stable_text(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + "[" + ",".join(stable_text(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "set{" + ",".join(sorted(stable_text(v) for v in value)) + "}"
    if isinstance(value, (str, bytes, int, float, bool, type(None))):
        return repr(value)
    if isinstance(value, (datetime, date, time, timedelta, PurePath)):
        return repr(value)
    if isinstance(value, re.Pattern):
        return f"re({value.pattern!r},{value.flags})"
    if inspect.ismodule(value) or inspect.isclass(value) or callable(value):
        name = getattr(value, "__qualname__", None) or getattr(value, "__name__", "?")
        module = getattr(value, "__module__", None) or getattr(value, "__name__", "?")
        return f"<{module}.{name} {_source_digest(value)}>"
    return (
        f"<{type(value).__module__}.{type(value).__qualname__} "
        + _ADDRESS.sub("", repr(value))
        + ">"
    )


def _source_digest(value):
    try:
        path = inspect.getsourcefile(value) or inspect.getfile(value)
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()[:16]
    except (TypeError, OSError):
        return "builtin"


def code_fingerprint(settings):
    """A hash of the code that reads: plugins, settings files, installed packages."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(code_files(settings)):
        digest.update(os.fsencode(path) + b"\0")
        try:
            with open(path, "rb") as handle:
                digest.update(handle.read())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    digest.update("\0".join(installed_distributions()).encode())
    return digest.hexdigest()


def code_files(settings):
    """Every file in the plugin folders and the ``*conf.py`` files beside those folders.

    The plugin folders are kiosk_uptodate's :func:`~kiosk_uptodate.plugin_folders`:
    ``PLUGIN_PATHS`` and wherever ``PLUGINS`` are imported from.
    """
    files = set()
    for folder in map(str, plugin_folders(settings)):
        for directory, subdirectories, names in os.walk(folder):
            subdirectories[:] = [d for d in subdirectories if d != "__pycache__"]
            files.update(
                os.path.join(directory, name) for name in names if not name.endswith(".pyc")
            )
        parent = os.path.dirname(folder)
        files.update(
            os.path.join(parent, name)
            for name in os.listdir(parent)
            if name.endswith("conf.py") and os.path.isfile(os.path.join(parent, name))
        )
    return files


def installed_distributions():
    """``name==version`` of every installed distribution, sorted."""
    return sorted({f"{dist.metadata['Name']}=={dist.version}" for dist in metadata.distributions()})
