"""kiosk_ahead: while a big build renders on one core, the other finishes its pages.

A cold build of a big site renders every page in its own process alone
(kiosk_incremental's helper would double its memory: ``parallel_max_mb``),
so one of the two cores idles for the whole render, 41–48 s at N =
10,000; then kiosk_publish (rewrite, minify, compress) and kiosk_verify
(parse) go through the same 17,920 pages again on both cores. What they do
to a page depends on its bytes alone and is kept in their caches under the
digest of those bytes. So, from the ``min_pages``-th page the writer
finishes (``content_written``), or from the start of the render for a site
of at least that many articles, this plugin hands each page's path to one
fresh Python process, at a lower priority, that runs the *stages* the
plugins gave at ``initialized`` on the page's bytes, in ``PLUGINS`` order:
kiosk_publish's turns the rendered bytes into the final ones and keeps them
and their ``.gz``/``.br`` in its cache, kiosk_verify's keeps the parse of
those final bytes in its own.

The process writes nothing into the site. Publish and verify then run as
they always do and find those pages' work in their caches, so the output is
byte for byte what it would be without this plugin
(tests/plugins/test_ahead.py). The process goes on beside Pagefind, which
keeps about 1.6 of two cores busy, and at ``finalized`` (after kiosk_search,
before kiosk_publish) finishes the page in hand and stops; the pages it did
not reach are done by publish and verify as before. A stage that fails on a
page leaves that page to them too: they report the problem as they would.
At N = 10,000 (BENCHMARKS.md, lever 113) it finished 14,239 of the 17,920
pages, and publish and verify went from 42 to 13 s.

It runs only where a core would idle: the render memo renders every page
(``kiosk_incremental.renders_every_page_alone``, or no memo at all), there
are at least two cores, and the build has written ``min_pages`` pages (a
fresh process costs ~0.3 s of CPU and ~70 MB: not worth it for a small site).

Settings: ``KIOSK_AHEAD`` (see ``DEFAULTS``).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import pickle
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import MappingProxyType

from kiosk_filecache import fresh_import_path, import_factory, workers_available
from kiosk_settings import given_settings

__all__ = ["DEFAULTS", "add_stage", "ahead_settings", "last_stats", "register"]

logger = logging.getLogger(__name__)

DEFAULTS = MappingProxyType(
    {
        "enabled": True,
        # The worker starts once the build has written this many pages (and
        # is then given those too), or at get_writer when the site has this
        # many articles: below it, a site renders in a few seconds.
        "min_pages": 200,
        # The worker's niceness: the render it runs beside is the build's
        # critical path, so on a busy machine the worker waits, not the render.
        "nice": 10,
    }
)

# The stages plugins gave for the build in progress: (factory "module:name", args).
_stages: list[tuple[str, tuple]] = []
_build: dict = {}
# The last build's worker, once stopped: pages handed over, finished, failed, its CPU time.
last_stats: dict = {}


def ahead_settings(settings) -> dict:
    return {**DEFAULTS, **given_settings(settings, "KIOSK_AHEAD", DEFAULTS)}


def add_stage(factory: str, args: tuple = ()) -> None:
    """At ``initialized``: run ``factory(*args)``'s ``step(path, data) -> data`` on each
    page ahead (in the worker process; ``args`` must pickle). ``data`` is what the
    stage before gave (the page's bytes for the first); its result goes to the next.
    A step with a ``finish()`` attribute has it called once, when the worker stops
    (a failure there stops the worker with an error: the warning ``stop`` gives).
    Nothing happens unless kiosk_ahead is one of the build's plugins, enabled."""
    if "config" in _build:
        _stages.append((factory, tuple(args)))


def _in_plugins_order(stages: list, plugins) -> list:
    """``stages`` in the order of the plugins whose modules give them. Not the order
    of ``add_stage`` calls: a receiver connected by an earlier build in this
    process keeps its place among a signal's receivers, whatever PLUGINS says."""
    names = [plugin if isinstance(plugin, str) else getattr(plugin, "__name__", "")
             for plugin in plugins or ()]  # fmt: skip

    def place(stage):
        module = stage[0].partition(":")[0]
        for index, name in enumerate(names):
            if module == name or module.startswith(name + "."):
                return index
        return len(names)

    return sorted(stages, key=place)


class Worker:
    """A fresh Python process that runs the stages on each path it is given.

    Paths go through a pipe fed by a thread of this process, so a worker that
    falls behind never makes the render wait. ``stop`` leaves the pages not
    started: publish and verify do those.
    """

    def __init__(self, stages: list, nice: int):
        self.folder = Path(tempfile.mkdtemp(prefix="kiosk-ahead-"))
        job, self.stop_file = self.folder / "job", self.folder / "stop"
        job.write_bytes(pickle.dumps((stages, nice)))
        env = {**os.environ, "KIOSK_FRESH_PATH": fresh_import_path(f"{__name__}:Worker")}
        command = [sys.executable, "-c", _SCRIPT, str(job), str(self.stop_file)]
        # Its error output, if any, goes into the warning ``stop`` gives, not the terminal.
        self.errors = self.folder / "errors"
        with open(self.errors, "wb") as errors:
            self.process = subprocess.Popen(command, env=env, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=errors)  # fmt: skip
        self.sent = 0
        self._paths = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name="kiosk_ahead", daemon=True)
        self._feeder.start()

    def send(self, path: str) -> None:
        self.sent += 1
        self._paths.put(os.fsencode(path) + b"\n")

    def _feed(self) -> None:
        pipe = self.process.stdin
        try:
            for line in iter(self._paths.get, None):
                pipe.write(line)
                pipe.flush()
        except OSError:  # the worker stopped (or died): nothing more to give it
            pass

    def stop(self) -> dict:
        """Stop after the page in hand; return {"sent", "done", "failed", "cpu_seconds"}
        (the worker's processor time, imports included; None if it died)."""
        self.stop_file.touch()
        self._paths.put(None)
        self._feeder.join()
        with contextlib.suppress(OSError):  # its end gone with a worker that died
            self.process.stdin.close()
        report = self.process.stdout.read()
        self.process.stdout.close()
        status = self.process.wait()
        errors = self.errors.read_text(encoding="utf-8", errors="replace").strip()
        shutil.rmtree(self.folder, ignore_errors=True)
        try:
            counts = json.loads(report)
        except ValueError:
            counts = None
        if status != 0 or not isinstance(counts, dict):
            last = errors.splitlines()[-1] if errors else "no message"
            logger.warning("kiosk_ahead: the worker process stopped (status %s: %s); publish "
                           "and verify do its pages as usual", status, last)  # fmt: skip
            counts = {"done": 0, "failed": 0, "cpu_seconds": None}
        return {"sent": self.sent, "done": counts["done"], "failed": counts["failed"],
                "cpu_seconds": counts.get("cpu_seconds")}  # fmt: skip


# The worker's command: the build's import path (KIOSK_FRESH_PATH), then ``_work``.
_SCRIPT = (
    "import json, os, sys; sys.path[:0] = json.loads(os.environ['KIOSK_FRESH_PATH']); "
    "import kiosk_ahead; kiosk_ahead._work(sys.argv[1], sys.argv[2])"
)


def _work(job: str, stop_file: str) -> None:
    """The worker's loop: each line of stdin is a page's path; report counts on stdout."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build gets Ctrl-C and stops us
    stages, nice = pickle.loads(Path(job).read_bytes())
    if hasattr(os, "nice"):
        os.nice(nice)
    steps = [import_factory(factory)(*args) for factory, args in stages]
    done = failed = 0
    for line in sys.stdin.buffer:
        if os.path.exists(stop_file):
            break
        path = Path(os.fsdecode(line.rstrip(b"\n")))
        try:
            data = path.read_bytes()
            for step in steps:
                data = step(path, data)
        except Exception:  # noqa: BLE001 - publish and verify do this page and report
            failed += 1
        else:
            done += 1
    for step in steps:  # what a stage keeps for the whole run (kiosk_publish's index)
        finish = getattr(step, "finish", None)
        if finish is not None:
            finish()
    cpu = round(time.process_time(), 2)
    sys.stdout.write(json.dumps({"done": done, "failed": failed, "cpu_seconds": cpu}))
    sys.stdout.flush()


def _stop(report: bool = True) -> None:
    worker = _build.pop("worker", None)
    if worker is None:
        return
    stats = worker.stop()
    last_stats.update(stats)
    if report:
        logger.info("kiosk_ahead: %d of the %d pages handed over finished ahead on the "
                    "idle core, %d left to publish and verify (%d of them failed here)",
                    stats["done"], stats["sent"], stats["sent"] - stats["done"],
                    stats["failed"])  # fmt: skip


def start(pelican) -> None:
    _stop(report=False)  # a worker left by a build in this process that failed
    _build.clear()
    _stages.clear()
    last_stats.clear()
    config = ahead_settings(pelican.settings)
    if config["enabled"]:
        _build.update(
            config=config,
            pid=os.getpid(),
            waiting=[],
            decided=False,
            plugins=list(pelican.settings.get("PLUGINS") or ()),
        )


def _count_articles(generator) -> None:
    if "config" in _build:
        _build["articles"] = len(generator.articles)


def _start_early(pelican) -> None:
    """At ``get_writer``: a site of at least ``min_pages`` articles writes at least
    that many pages, so its worker starts now and imports while the feeds and the
    first pages render, instead of once those pages are written (lever 125)."""
    if "config" not in _build or _build["decided"] or _build["pid"] != os.getpid():
        return  # decided, or a fork of the build (kiosk_incremental's render helper)
    if _build.get("articles", 0) >= _build["config"]["min_pages"]:
        _decide()


def _decide() -> None:
    """Start the worker if a core will idle while this build renders, else stand down."""
    _build["decided"] = True
    if not _core_idles():
        _build.clear()
        return
    stages = _in_plugins_order(_stages, _build["plugins"])
    worker = _build["worker"] = Worker(stages, _build["config"]["nice"])
    for page in _build["waiting"]:
        worker.send(page)
    _build["waiting"].clear()


def _written(path, context=None) -> None:
    if "config" not in _build or not str(path).endswith(".html"):
        return
    worker = _build.get("worker")
    if worker is not None:
        worker.send(os.fspath(path))
        return
    _build["waiting"].append(os.fspath(path))
    if len(_build["waiting"]) >= _build["config"]["min_pages"]:
        _decide()


def _core_idles() -> bool:
    """Will a core idle while this build renders? (See the module docstring.)"""
    if not _stages or workers_available() < 2:
        return False
    try:
        from kiosk_incremental import renders_every_page_alone
    except ImportError:
        return True
    return renders_every_page_alone() is not False


def finish(pelican) -> None:
    _stop()
    _build.clear()


def register():
    """Connect kiosk_ahead to Pelican's signals."""
    from pelican import signals  # on demand: see kiosk_filecache's docstring

    signals.initialized.connect(start)
    signals.article_generator_finalized.connect(_count_articles)
    # After kiosk_incremental's: it decides at get_writer whether a core idles (PLUGINS).
    signals.get_writer.connect(_start_early)
    signals.content_written.connect(_written)
    signals.finalized.connect(finish)


atexit.register(_stop, report=False)  # a worker of a build that failed goes with the process
