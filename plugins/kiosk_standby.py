"""A build that does, before a content file is saved, all that no content file decides.

The live preview (deploy/preview.py) starts its next rebuild's process as
soon as a build ends, and that process builds within :func:`ahead`. It
reads the settings, starts Pelican and every plugin (their memos of the last
build), makes the generators and their template environments, and unpickles
the stored articles (kiosk_readcache: 10,000 at the benchmark's size); then,
at the start of the articles generator's ``generate_context``, before any
content file is listed, it calls ``wait()``, which returns when the editor has
saved. From there it is any build: it lists and validates the content as it
is then, and a stored article unpickled ahead is used only if the file's key
(its bytes) still names that entry.

What a plugin does with content before that point must wait for it too:
kiosk_editorial's validation at ``initialized`` asks :func:`defer`. Theme,
plugin code and settings are read before ``wait()`` (the theme's templates
are compiled then): the preview starts such a build only for changes under
the content folder. Not a Pelican plugin.

Files a plugin reads after that point (the last build's memos, the author
profiles) can be read before it too: the plugin names a step with
:func:`get_ready`, which calls :func:`read_ahead` while the build waits, and
reads them through :func:`reading`, which gives what was read ahead only
if the file's stat is still the same, else reads it again.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable

from kiosk_filecache import stat_stamp

__all__ = ["ahead", "defer", "get_ready", "on_failure", "read_ahead", "reading", "waiting"]

_build: dict = {}  # while a build waits: "wait" (the function), "after" (deferred calls)
_steps: list = []  # get_ready: what plugins do before the wait, given the articles generator
_read: dict = {}  # read_ahead: path -> (stat, what was read)
_on_failure: list = []  # on_failure: what may explain a failure of the build that went on


def waiting() -> bool:
    """Whether a build in this process is getting ready and has not been told to go."""
    return "wait" in _build


def defer(function: Callable[[], object]) -> bool:
    """Call ``function`` once the waiting build goes and say True; False (and
    nothing done) when no build waits: then the caller does it now."""
    if not waiting():
        return False
    _build["after"].append(function)
    return True


def on_failure(check: Callable[[], object]) -> None:
    """If the build that went on fails, call ``check()`` first: it may raise an
    error that says more (kiosk_editorial's validation, run beside the build)."""
    _on_failure.append(check)


def get_ready(step: Callable[[object], object]) -> None:
    """Have a build that waits call ``step(articles generator)`` before it does."""
    if step not in _steps:
        _steps.append(step)


def _stamp(path):
    try:
        return stat_stamp(os.stat(path))
    except OSError:
        return None


def read_ahead(path, read: Callable[[object], object]) -> None:
    """Before the wait: ``read(path)`` now, for :func:`reading` after it (a file
    that is missing or that ``read`` fails on is just read again then)."""
    stamp = _stamp(path)
    if stamp is None:
        return
    try:
        _read[os.fspath(path)] = (stamp, read(path))
    except Exception:  # noqa: BLE001 - read again after the wait, failing as it will
        return


def reading(path, read: Callable[[object], object]):
    """``read(path)``, or what :func:`read_ahead` read if the file is unchanged since."""
    kept = _read.pop(os.fspath(path), None)
    if kept is not None and kept[0] == _stamp(path):
        return kept[1]
    return read(path)


@contextlib.contextmanager
def ahead(wait: Callable[[], object]):
    """Builds run while this lasts get ready, call ``wait()`` and go on (see above).

    ``wait`` returns when the build may go on, or raises to abandon it.
    """
    import pelican
    from pelican.contents import Article
    from pelican.generators import ArticlesGenerator

    import kiosk_readcache

    generate_context = ArticlesGenerator.generate_context
    clock = _ClockWithoutTheWait()

    def ready_then_go(generator):
        if waiting():
            kiosk_readcache.unpickle_ahead(generator, Article)
            _compile_templates(generator.env)
            for step in _steps:
                step(generator)
            after = _build["after"]
            _build.clear()
            started = time.time()
            wait()
            clock.waited += time.time() - started
            for function in after:
                function()
        return generate_context(generator)

    _build.update(wait=wait, after=[])
    ArticlesGenerator.generate_context = ready_then_go
    pelican.time = clock
    try:
        yield
    except Exception:
        checks, _on_failure[:] = list(_on_failure), []
        for check in checks:
            check()  # raises the error that explains it better, if there is one
        raise
    finally:
        _on_failure.clear()
        ArticlesGenerator.generate_context = generate_context
        pelican.time = time
        _build.clear()
        _read.clear()


def _compile_templates(env) -> None:
    """Compile the theme's templates into ``env``'s cache. Pelican's own
    (``!simple/…``) are left. The build will not look at the files again
    (``auto_reload`` is off): a change to the theme while it waits stops it,
    and the preview starts a fresh process (deploy/preview.py)."""
    for name in env.list_templates():
        if not name.startswith("!"):
            with contextlib.suppress(Exception):  # an error shows when it is rendered
                env.get_template(name)


class _ClockWithoutTheWait:
    """The ``time`` module as Pelican's ``run`` sees it, for its "Done: … in N
    seconds" line: the minutes spent waiting for the save are left out."""

    def __init__(self):
        self.waited = 0.0

    def time(self) -> float:
        return time.time() - self.waited

    def __getattr__(self, name):
        return getattr(time, name)
