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
plugin code and settings are read before ``wait()``: the preview starts
such a build only for changes under the content folder. Not a Pelican plugin.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

__all__ = ["ahead", "defer", "waiting"]

_build: dict = {}  # while a build waits: "wait" (the function), "after" (deferred calls)


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
    finally:
        ArticlesGenerator.generate_context = generate_context
        pelican.time = time
        _build.clear()


class _ClockWithoutTheWait:
    """The ``time`` module as Pelican's ``run`` sees it, for its "Done: … in N
    seconds" line: the minutes spent waiting for the save are left out."""

    def __init__(self):
        self.waited = 0.0

    def time(self) -> float:
        return time.time() - self.waited

    def __getattr__(self, name):
        return getattr(time, name)
