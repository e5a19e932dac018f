"""Reading one file so that it can be cached or done in another process.

A read (Pelican's reader, typogrify, ``article_generator_context`` and
``content_object_init`` handlers) produces three things: the Content object,
the log records it emitted, and the local files it opened. :func:`read_captured`
collects all three as data that pickles: the object with the build's settings
and context replaced by names (``dumps_content``/``loads_content`` put the
parent's own back), the records before Pelican's duplicate filter (the parent
replays them through its own loggers, filters and handlers, so its counts,
its de-duplication and ``fatal="errors"`` see exactly what a sequential read
would have logged), and the files under ``PATH`` that were opened (through
Python's ``open`` audit event, so any plugin's image or include is noticed).
An exception the read raised is kept too and raised again by the parent at
the same point.
"""

import io
import logging
import os
import pickle
import sys
import time
from contextlib import contextmanager

from pelican.contents import Article
from pelican.log import LimitLogger
from pelican.urlwrappers import URLWrapper

from kiosk_logrecords import Capture

from . import store

# --- Files opened or stat-ed while reading ------------------------------------------
_opened = None
_hook_installed = False


def _audit(event, args):
    if _opened is not None and event == "open" and args:
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            _opened.append(path)


def _recording(function):
    def stat(path, *args, **kwargs):
        if _opened is not None and isinstance(path, (str, bytes, os.PathLike)):
            _opened.append(path)
        return function(path, *args, **kwargs)

    return stat


@contextmanager
def record_opens():
    """Yield a list that receives every path opened or stat-ed meanwhile.

    ``open`` is seen through Python's audit event, ``os.stat``/``os.lstat``
    (and so ``os.path.exists``, ``getmtime``, ``Path.stat``) by wrapping them:
    a plugin that memoises an image's measurements keyed by its stat still
    makes every article that uses the image depend on it.
    """
    global _opened, _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)  # cannot be removed; costs one test while not recording
        _hook_installed = True
    previous, _opened = _opened, []
    stat, lstat = os.stat, os.lstat
    os.stat, os.lstat = _recording(stat), _recording(lstat)
    try:
        yield _opened
    finally:
        os.stat, os.lstat = stat, lstat
        _opened = previous


def dependencies(opened, content_root, source):
    """(path, stamp) of each distinct file opened under ``content_root``, but the source."""
    root = os.path.join(os.path.abspath(content_root), "")
    source = os.path.abspath(source)
    found = {}
    for path in opened:
        path = os.path.abspath(os.fsdecode(path))
        if path.startswith(root) and path != source:
            found.setdefault(path, None)
    return [(path, store.stamp(path)) for path in found]


# --- Log records ------------------------------------------------------------------
@contextmanager
def capture_logs():
    """Yield a list of the records logged meanwhile, instead of handling them.

    Pelican's duplicate filter is off meanwhile, so the list holds every
    record; :func:`replay` sends them through the filter later.
    """
    root = logging.getLogger()
    saved = root.handlers[:]
    capture = Capture()
    root.handlers[:] = [capture]
    limit = LimitLogger.limit_filter
    limit.filter = lambda record: True
    try:
        yield capture.records
    finally:
        root.handlers[:] = saved
        del limit.filter


# --- Content objects ----------------------------------------------------------------
def shared_objects(generator):
    """The build-wide objects a Content refers to, which are never copied."""
    return {
        "settings": generator.settings,
        "readers.settings": generator.readers.settings,
        "context": generator.context,
    }


class _Pickler(pickle.Pickler):
    def __init__(self, file, shared):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = {id(obj): name for name, obj in shared.items()}

    def persistent_id(self, obj):
        return self._names.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, shared):
        super().__init__(file)
        self._shared = shared

    def persistent_load(self, pid):
        return self._shared[pid]


def dumps_content(obj, shared):
    buffer = io.BytesIO()
    _Pickler(buffer, shared).dump(obj)
    return buffer.getvalue()


def loads_content(blob, shared):
    return _Unpickler(io.BytesIO(blob), shared).load()


def _portable_error(err):
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:  # noqa: BLE001 - the message survives even if the type cannot
        return RuntimeError(str(err))


def valid_until(obj, settings):
    """When a future-dated article becomes published, so that its entry expires."""
    if not isinstance(obj, Article) or settings.get("WITH_FUTURE_DATES", True):
        return None
    date = getattr(obj, "date", None)
    try:
        moment = date.timestamp()
    except (AttributeError, OverflowError, OSError, ValueError):
        return None
    return moment if moment > time.time() else None


def _take_slugs(obj) -> None:
    """Work out the slug of each section, tag and author of ``obj`` before it is stored.

    Pelican's ``URLWrapper`` slugifies its name the first time its slug is
    read, and unpickled wrappers are new each build: at N = 10,000 every
    rebuild's context made ~57,000 ``slugify`` calls. Stored with the read,
    a slug is worked out once per read (and any warning about it is one of
    the read's log records).
    """
    for value in vars(obj).values() if obj is not None else ():
        if isinstance(value, URLWrapper):
            value.slug  # noqa: B018 - the property stores what it works out
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, URLWrapper):
                    item.slug  # noqa: B018


def read_captured(read_file, kwargs, shared):
    """Read one file with ``read_file(**kwargs)``; return its outcome as plain data.

    The outcome is a dict: ``object`` (pickled Content, or None), ``error`` (the
    exception the read raised, or None), ``records``, ``deps`` and ``valid_until``.
    """
    error = obj = None
    with capture_logs() as records, record_opens() as opened:
        try:
            obj = read_file(**kwargs)
            _take_slugs(obj)
        except Exception as err:  # noqa: BLE001 - raised again by the parent, in order
            error = _portable_error(err)
    settings = shared["settings"]
    source = os.path.join(kwargs["base_path"], kwargs["path"])
    return {
        "object": None if error else dumps_content(obj, shared),
        "error": error,
        "records": records,
        "deps": dependencies(opened, settings["PATH"], source),
        "valid_until": None if error else valid_until(obj, settings),
    }
