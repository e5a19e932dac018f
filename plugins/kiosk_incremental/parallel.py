"""A cold build's pages rendered on two cores: the build's process and one helper.

When the render memo has nothing stored for this code and these settings (a
cold build, or the code or the settings changed), every page will be
rendered, and rendering is the largest part of such a build. Once the context
is complete (Pelican asks for its writer after ``all_generators_finalized``
and the last intersite links are resolved), :func:`start` forks one helper.

The helper lists the pages Pelican's write pass is about to render, in the
order it will render them: it runs the ``generate_output`` of each generator
known to write only through the writer (``PAGE_GENERATORS``) with a writer
that keeps each page's template and variables instead of rendering it, writes
no file and no feed, and with every signal muted (its effects die with the
process anyway). Then it renders those pages **from the last one backwards**,
each through the render memo (the page's text is stored under its key, as a
build stores it), and after each page sends the build's process a record:
its number, its name, the names it read, and the log records its render
emitted. Meanwhile the build's own write pass runs as always, from the first
page forwards: for each page it first takes the helper's record, if there is
one, and looks the page up exactly as it would look up a page stored by an
earlier build (its key is made from *this* process's fingerprints of the
values the page read), replays the page's log records and writes the stored
text; otherwise it renders the page itself. The two meet wherever the work
splits evenly: the helper stops at the first page the build's process has
reached (the build publishes how far it is in a shared counter), so at most
the page where they meet is rendered twice.

Nothing here can change a page: a page is only ever taken from the memo under
the key this process computes, as between builds, and check mode
(``KIOSK_INCREMENTAL["check"]``) renders those pages afresh and compares them.
The build never waits for the helper: a helper that fails, crashes or is slow
only means more pages rendered here (its failure is logged as a warning), and
:meth:`Helper.stop` ends it before the memo is saved and pruned.

Records travel through a file in a scratch folder, each a length and a
pickle; the build reads what has arrived whenever it needs a page it has not
seen yet, so neither process ever blocks on the other.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import struct
import sys
import tempfile
import traceback
from contextlib import suppress

import blinker
from pelican import writers as pelican_writers
from pelican.log import LimitLogger
from pelican.writers import Writer

from kiosk_logrecords import Capture

logger = logging.getLogger(__name__)

# Generators whose generate_output only renders pages and feeds through the
# writer (nothing else happens that the helper would repeat: no file written
# directly, no image resized, no file copied). Exact classes: a subclass may add
# effects of its own.
PAGE_GENERATORS = frozenset(
    {
        "pelican.generators.ArticlesGenerator",
        "pelican.generators.PagesGenerator",
        "pelican.generators.TemplatePagesGenerator",
        "kiosk_taxonomies.pages.TaxonomyPagesGenerator",
        "kiosk_series.SeriesPagesGenerator",
    }
)

FRAME = struct.Struct("<Q")  # the length of the pickle that follows


def class_name(generator) -> str:
    kind = type(generator)
    return f"{kind.__module__}.{kind.__qualname__}"


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# --- the helper's list of pages ------------------------------------------------------
class _Page:
    """One render the write pass will do: its template and variables."""

    __slots__ = ("name", "template", "context", "variables", "siteurl")

    def __init__(self, name, template, context, variables, siteurl):
        self.name = name
        self.template = template
        self.context = context  # the dict the writer copied (shared, unchanged)
        self.variables = variables  # what the page's variables add to it
        self.siteurl = siteurl  # context["localsiteurl"] as the render would find it

    def localcontext(self) -> dict:
        values = self.context.copy()
        values.update(self.variables)
        return values


class _Listing:
    """Stands for a template in the writer: keeps the render instead of doing it."""

    def __init__(self, template, context, pages):
        self.template = template
        self.context = context
        self.pages = pages

    def render(self, localcontext):
        context = self.context
        variables = {k: v for k, v in localcontext.items()
                     if k not in context or context[k] is not v}  # fmt: skip
        name = localcontext.get("output_file")
        self.pages.append(
            _Page(name, self.template, context, variables, context.get("localsiteurl"))
        )
        return ""


class _NullFile:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def write(self, text):
        return len(text)


def listing_writer(base):
    """A subclass of the build's writer class that lists pages and writes nothing."""

    class ListingWriter(base):
        def __init__(self, output_path, settings=None):
            super().__init__(output_path, settings=settings)
            self.pages: list[_Page] = []

        def write_file(self, name, template, context, *args, **kwargs):
            listing = _Listing(template, context, self.pages)
            return super().write_file(name, listing, context, *args, **kwargs)

        def write_feed(self, *args, **kwargs):
            return None

        def _open_w(self, filename, encoding, override=False):
            return _NullFile()

    return ListingWriter


class _NoFolders:
    """``os`` for Pelican's writer in the helper: it creates no folder (writes no file)."""

    path = os.path

    @staticmethod
    def makedirs(*args, **kwargs):
        return None

    def __getattr__(self, name):
        return getattr(os, name)


def list_pages(pelican, generators, signals) -> list[_Page]:
    """The renders the write pass will do, in its order (see the module docstring).

    Only in the helper: it changes Pelican's writer module for good.
    """
    classes = [w for _, w in signals.get_writer.send(pelican) if isinstance(w, type)]
    # From here on no signal reaches any plugin: what the write pass sends is its own.
    for sig in list(blinker.default_namespace.values()):
        sig.is_muted = True
    writer = listing_writer(classes[0] if classes else Writer)(
        pelican.output_path, settings=pelican.settings
    )
    pelican_writers.os = _NoFolders()
    for generator in generators:
        if class_name(generator) in PAGE_GENERATORS:
            generator.generate_output(writer)
    return writer.pages


# --- both processes -------------------------------------------------------------------
class Helper:
    """The helper process, as the build's process sees it."""

    def __init__(self, memo, pelican, generators):
        self.memo = memo
        self.pelican = pelican
        self.generators = generators
        self.scratch = tempfile.mkdtemp(prefix="kiosk-render-")
        self.records_path = os.path.join(self.scratch, "records")
        # How many pages the build's write pass has started: shared memory, so
        # the helper sees it move (an aligned 64-bit store).
        self.position = multiprocessing.RawValue("q", 0)
        self.count = 0  # pages the write pass has asked for
        self.pid = None
        self.parent = os.getpid()
        self.done: dict[str, tuple] = {}
        self.end = None  # the helper's last word: {"stopped": ...} or {"error": ...}
        self.taken = 0
        self._buffer = b""
        self._reader = None

    # --- in the build's process --------------------------------------------------
    def start(self) -> bool:
        """Fork the helper; False (and nothing left behind) if the system cannot."""
        try:
            open(self.records_path, "wb").close()
            self._reader = open(self.records_path, "rb")  # noqa: SIM115 - read as it grows
            sys.stdout.flush()
            sys.stderr.flush()
            # The build's objects leave the collector's scans until stop(): a
            # collection here would write to every object, and the kernel would
            # copy each page the helper shares (measured: summed PSS at N = 1,000
            # 284-295 MB without, 212 MB with, as in one process).
            gc.freeze()
            pid = os.fork()
        except OSError as err:  # no process or file to spare: render here, as always
            logger.info("kiosk_incremental: no helper process (%s)", err)
            self._clean_up()
            gc.unfreeze()
            return False
        if pid == 0:  # the helper: never returns
            self._run()
        self.pid = pid
        return True

    def _clean_up(self):
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    def take(self, name: str):
        """The helper's record of the write pass's next page: (entry, records) or None."""
        index = self.count
        self.count += 1
        self.position.value = self.count
        if name not in self.done:
            self._drain()
        found = self.done.pop(name, None)
        if found is None:
            return None
        number, entry, records = found
        if number != index:  # the two lists disagree: follow the helper's numbering
            self.count = number + 1
            self.position.value = self.count
        self.taken += 1
        return entry, records

    def _drain(self):
        if self._reader is None:
            return
        data = self._reader.read()
        if not data:
            return
        buffer = self._buffer + data
        start = 0
        while len(buffer) - start >= FRAME.size:
            (length,) = FRAME.unpack_from(buffer, start)
            end = start + FRAME.size + length
            if end > len(buffer):
                break
            message = pickle.loads(buffer[start + FRAME.size : end])
            start = end
            if "page" in message:
                self.done[message["page"]] = (message["number"], message["entry"],
                                              message["records"])  # fmt: skip
            else:
                self.end = message
        self._buffer = buffer[start:]

    def stop(self, report=True) -> None:
        """End the helper (it may be rendering a page nobody needs now) and clean up.

        ``report``: log a warning if the helper failed (not after a build that
        failed anyway, nor at exit).
        """
        if self.pid is None:
            return
        self.position.value = 1 << 62
        killed = False
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == 0:  # still working: its remaining pages are not needed
                with suppress(OSError):
                    os.kill(self.pid, signal.SIGKILL)
                _, status = os.waitpid(self.pid, 0)
                killed = True
        except ChildProcessError:  # already reaped elsewhere: nothing to say about it
            killed, status = True, 0
        self.pid = None
        gc.unfreeze()  # the build's objects may be collected again
        self._drain()
        self._clean_up()
        if not report:
            return
        end = self.end or {}
        if "error" in end:
            logger.warning(
                "kiosk_incremental: the helper process failed%s; its pages were "
                "rendered by the build's process instead:\n%s",
                f" on {end['at']}" if end.get("at") else "",
                end["error"].rstrip(),
            )
        elif not killed and (not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0):
            how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
                   else f"exit status {os.waitstatus_to_exitcode(status)}")  # fmt: skip
            logger.warning(
                "kiosk_incremental: the helper process died (%s); its pages were "
                "rendered by the build's process instead",
                how,
            )

    # --- in the helper ---------------------------------------------------------------
    def _run(self):
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            self.memo.helper = None  # this process renders; it takes nothing
            fd = os.open(self.records_path, os.O_WRONLY | os.O_APPEND)
            try:
                self._render_pages(fd)
            except BaseException:  # noqa: BLE001 - sent to the build, which carries on
                self._send(fd, {"error": traceback.format_exc()})
            else:
                code = 0
        finally:
            os._exit(code)

    def _render_pages(self, fd):
        from pelican.plugins import signals

        capture = Capture()
        root = logging.getLogger()
        root.handlers[:] = [capture]
        # Every record travels; the build's duplicate filter decides.
        LimitLogger.limit_filter.filter = lambda record: True
        pages = list_pages(self.pelican, self.generators, signals)
        capture.records = []  # the listing's own records are the write pass's to log
        memo = self.memo
        for number in range(len(pages) - 1, -1, -1):
            if self.position.value > number or os.getppid() != self.parent:
                break
            page = pages[number]
            if page.siteurl is not None or "localsiteurl" in page.context:
                page.context["localsiteurl"] = page.siteurl
            capture.records = []
            try:
                page.template.render(page.localcontext())
            except BaseException:  # noqa: BLE001 - the build renders it and meets the error
                self._send(fd, {"error": traceback.format_exc(), "at": page.name})
                return
            entry = memo.pages.get(page.name)
            if entry is not None:
                self._send(fd, {"page": page.name, "number": number, "entry": entry,
                                "records": capture.records})  # fmt: skip
        self._send(fd, {"stopped": number if pages else None})

    @staticmethod
    def _send(fd, message):
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(FRAME.pack(len(data)) + data)
        while view:
            view = view[os.write(fd, view) :]
