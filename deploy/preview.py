"""The preview server behind ``invoke livereload``: the last good build, plus a
banner on every page while the newest build is broken.

A failed build writes nothing to the output folder (tasks.build_site swaps a
staging folder in only on success), so the pages on disk stay the last good
ones; this WSGI app serves them and, while ``BuildStatus.error`` is set, puts
the error at the top of each HTML page it sends. The banner is markup only, no
script: the livereload client already reloads the page after each build.
"""

import contextlib
import html
import io
import json
import mimetypes
import os
import re
import signal
import sys
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from livereload.watcher import Watcher as LivereloadWatcher

BODY_OPEN = re.compile(rb"<body\b[^>]*>", re.I)
# Inline styles are fine here: the preview server sends no CSP, and the banner
# must look like an error whatever the theme's CSS does.
BANNER = (
    '<div id="kiosk-build-error" role="alert" style="background:#8b0000;color:#fff;'
    "padding:1rem 1.5rem;font:16px/1.4 system-ui,sans-serif;position:sticky;top:0;"
    'z-index:9999"><strong>The last build failed.</strong> This page is the last '
    'good version. Fix the problem and save again.<pre style="white-space:pre-wrap;'
    'margin:.5rem 0 0;font:14px/1.4 ui-monospace,monospace">{message}</pre></div>'
)
NOT_FOUND = (b"<!doctype html><html><head><title>Not found</title></head>"
             b"<body><h1>Not found</h1></body></html>")  # fmt: skip


@dataclass
class BuildStatus:
    """What the server shows: ``error`` is None after a good build; ``early``
    maps an output path (``slug/index.html``) to the page a running build
    has already written in its staging folder."""

    error: str | None = None
    early: dict[str, Path] = field(default_factory=dict)
    # What is served changes (a build's end, a page written early): each time,
    # one more. ``served``: the generation each URL path's page was sent at.
    generation: int = 0
    served: dict[str, int] = field(default_factory=dict)

    def changed(self) -> None:
        self.generation += 1

    def stale(self, url: str) -> bool:
        """Whether the page at ``url`` was sent before what is served changed."""
        from urllib.parse import urlsplit

        sent = self.served.get(urlsplit(url).path)
        return sent is not None and sent < self.generation


class PreviewBuilds:
    """The preview's builds: ``first()`` before serving, then one call per change.

    ``build(collect)`` builds the site (``tasks.build_site``) and raises
    ``invoke.Exit`` on failure, whose message goes to the terminal and to
    ``status`` (the banner). ``reload()`` tells the open browsers to reload;
    ``loop()`` returns the server's tornado IOLoop (``add_handler``, ``remove_handler``).

    Every build runs in a forked process: the first one before anything is
    served, each rebuild while the server goes on answering (the browser's
    requests, the editor's clicks). Its garbage goes with that process, and
    the server, which every rebuild is forked from, holds no build's objects.
    The rebuild writes the pages of the files it read again (the ones just
    saved) first, before the 17,920 others it links from the render memo at
    N = 10,000, and says so over a pipe: the server serves those pages from
    the staging folder and reloads the browser at once, and again when the
    whole site is in place. A change saved while a rebuild runs goes to the
    spare standby (below) at once: an editor's second save, the typo just
    seen on the page, does not wait for the 17,920 other pages at N =
    10,000, which would be replaced anyway. The older rebuild is paused
    meanwhile, and stopped, as Ctrl-C stops a build (nothing swapped in),
    once the spare has written its own saved pages or is done; if the spare
    fails first, the older rebuild goes on: its site, with the earlier save,
    is the last good one. Without a spare, the change starts one more
    rebuild once the running one is done.

    With ``content`` (the content folder), the next rebuild's process is
    started as soon as a build ends, and gets ready while the editor writes
    (``build(collect, ready=...)``, kiosk_standby: settings, plugins,
    templates and the stored articles unpickled), then waits. A change
    under ``content`` tells it to go; any other change (a template, the
    settings, or one the caller does not name) makes it stale: it is
    stopped, and the rebuild forked then does everything. When the standby
    goes, a second one, the *spare*, is forked and gets ready on the other
    core while the rebuild works on the saved page; it goes for a change
    saved while that rebuild runs, or is stopped when it ends (the next
    standby, forked then, reads the cache as that rebuild left it). A spare
    that went is followed by one forked as soon as its rebuild has served
    its saved pages (its reads are stored by then): that one is the next
    standby.
    """

    name = "rebuild"  # what livereload's log calls it

    def __init__(self, build, status: BuildStatus, reload, loop, content=None):
        self._build, self.status, self._reload, self._loop = build, status, reload, loop
        self._content = Path(content).resolve() if content is not None else None
        self._running = None  # the rebuild's process, while it runs
        self._standby = None  # the next one's, ready and waiting (with ``content``)
        self._spare = None  # another, for a save while the standby's rebuild runs
        self._next = None  # the spare gone for a save while the rebuild ran
        self._serving = False  # after the first build
        self._closed = False  # the server has stopped
        self._again = False  # a change came while it ran …
        self._again_outside = False  # … and one of them was not under ``content``
        self._superseded = False  # in a rebuild's process: the server told it to stop

    @property
    def running(self) -> bool:
        return self._running is not None

    def first(self) -> None:
        """The first build, before anything is served: in a process of its own as
        well, so that the server, which every later rebuild is forked from,
        holds none of a build's objects (nor does a standby, beyond its own)."""
        reload, self._reload = self._reload, lambda: None  # no browser to tell yet
        try:
            self._running = rebuild = self._fork(listen=False)
            data = None
            while data != b"":  # to the end of its pipe: it is then waited for
                data = os.read(rebuild.pipe, 65536)
                self._take(rebuild, data)
            self._end(rebuild)
        finally:
            self._reload = reload
            self._serving = True

    def __call__(self, changes=None) -> None:
        """A change: ``changes``, the paths changed; None when not known."""
        if self._closed:
            return
        outside = not self._only_content(changes)
        running = self._running
        if running is not None:
            if outside:
                self._stop(self._spare)  # it may hold the code or settings changed
                self._spare = None
            elif self._next is None and self._spare is not None and self._overtake(running):
                return
            self._again = True
            self._again_outside = self._again_outside or outside
            return
        standby = self._standby
        if standby is not None and not outside:
            try:
                os.write(standby.go, b"g")
                self._running = standby
            except OSError:  # it has just ended (a problem before the save)
                pass
            else:  # for a save during this rebuild: ready by the time one comes
                self._fork_spare()
        # Told to go, or stale: it reads the end of its pipe (and stops). The
        # spare waits for a save during this rebuild, unless the change was
        # not content: then it is stale too.
        self._stop(standby)
        self._standby = None
        if self._running is None or outside:
            self._stop(self._spare)
            self._spare = None
        if self._running is None:
            self._running = self._fork()

    def _overtake(self, running: "_Rebuild") -> bool:
        """A save while ``running`` builds: the spare goes now.

        ``running`` is paused meanwhile (the spare has both cores), and stopped
        once the spare has written its saved pages; if the spare fails before
        that (the save made a file invalid, say), it goes on, and its site,
        which has the earlier save, is the last good one under the banner.
        False if the spare has just ended (a problem before the save).
        """
        spare, self._spare = self._spare, None
        try:
            os.write(spare.go, b"g")
        except OSError:
            return False
        finally:
            self._stop(spare)
        self._next = spare
        self._again = False  # every change so far was under ``content``: it sees them all
        running.paused = True
        _signal(running, signal.SIGSTOP)
        return True

    def _supersede(self, rebuild: "_Rebuild") -> None:
        """Stop ``rebuild``: a newer build has written its saved pages, or is done."""
        if not rebuild.stopping:
            rebuild.stopping = True
            _signal(rebuild, signal.SIGUSR1)  # delivered once it is continued
        self._resume(rebuild)

    @staticmethod
    def _resume(rebuild: "_Rebuild") -> None:
        if rebuild.paused:
            rebuild.paused = False
            _signal(rebuild, signal.SIGCONT)

    def stop(self) -> None:
        """Stop the standby rebuilds that wait (they go on their own when the server does)."""
        standby, spare, self._standby, self._spare = self._standby, self._spare, None, None
        self._stop(standby)
        self._stop(spare)

    def close(self) -> None:
        """The server stops: so do the standbys, and the rebuilds, a paused one too;
        none is started after this."""
        self._closed = True
        self.stop()
        for rebuild in (self._running, self._next):
            if rebuild is not None:
                self._supersede(rebuild)

    @staticmethod
    def _stop(standby: "_Rebuild | None") -> None:
        """A standby told to stop reads the end of its go pipe, and leaves."""
        if standby is not None and standby.go is not None:
            os.close(standby.go)
            standby.go = None

    def _only_content(self, changes) -> bool:
        if changes is None or self._content is None:
            return False
        return all(Path(path).resolve().is_relative_to(self._content) for path in changes)

    def _make_standby(self) -> None:
        if self._content is not None and self._standby is None and not self._closed:
            self._standby = self._fork(standby=True)

    def _fork_spare(self, after: "_Rebuild | None" = None) -> None:
        """A standby for a save while the running rebuild builds (``after``: forked
        once that rebuild's reads were stored; None: as the rebuild starts)."""
        if self._content is not None and self._spare is None and not self._closed:
            self._spare = self._fork(standby=True)
            self._spare.after = after

    def _fork(self, standby: bool = False, listen: bool = True) -> "_Rebuild":
        read_end, write_end = os.pipe()
        go_read, go_write = os.pipe() if standby else (None, None)
        pid = os.fork()
        if pid == 0:  # the rebuild's process: it never returns from here
            os.close(read_end)
            if go_write is not None:
                os.close(go_write)
            self._rebuild_and_exit(write_end, go_read)
        os.close(write_end)
        if go_read is not None:
            os.close(go_read)
        rebuild = _Rebuild(pid, read_end, go=go_write)
        if listen:
            loop = self._loop()
            loop.add_handler(read_end, lambda fd, events: self._hear(rebuild), loop.READ)
        return rebuild

    # --- in the rebuild's process ---------------------------------------------------
    def _rebuild_and_exit(self, fd: int, go: int | None = None):
        code = 1
        try:
            # Signals here must not wake the server's loop through its wake-up pipe.
            with contextlib.suppress(ValueError):  # (only the main thread has one)
                signal.set_wakeup_fd(-1)
            with os.fdopen(fd, "w", buffering=1) as pipe:

                def tell(**message):
                    pipe.write(json.dumps(message) + "\n")

                going = go is None

                def stop_for_a_newer_save(signum, frame):
                    # The server's word (SIGUSR1): the build ends as an
                    # interrupted one does, without a word; told before the word
                    # to go was read, as soon as it is.
                    nonlocal going
                    self._superseded = True
                    if going:
                        raise KeyboardInterrupt

                def ready():  # a standby's: wait for the word to go, or stop
                    nonlocal going
                    word = os.read(go, 1)
                    os.close(go)
                    if word != b"g":
                        raise _Stopped
                    signal.signal(signal.SIGINT, signal.default_int_handler)
                    going = True
                    if self._superseded:
                        raise KeyboardInterrupt

                signal.signal(signal.SIGUSR1, stop_for_a_newer_save)
                if go is not None:
                    # Ctrl-C in the terminal stops the server, whose end stops a
                    # standby (the end of its pipe): no "Build interrupted" then.
                    signal.signal(signal.SIGINT, signal.SIG_IGN)

                try:
                    with pages_of_saved_files_first(lambda pages: tell(early=pages)):
                        self._run(collect=False, ready=ready if go is not None else None)
                except Exception:  # noqa: BLE001 - the server must hear of it, and go on
                    traceback.print_exc()
                    self.status.error = (
                        "The rebuild stopped with an unexpected error (see the terminal)."
                    )
                tell(done=True, error=self.status.error)
            code = 0
        except _Stopped:
            code = 0
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    # --- in the server's process ----------------------------------------------------
    def _hear(self, rebuild: "_Rebuild"):
        data = os.read(rebuild.pipe, 65536)
        if rebuild is not self._running and rebuild is not self._next:  # a standby, waiting
            if rebuild is self._standby or rebuild is self._spare:
                # It says something: a problem before the save, which a
                # rebuild forked then shows.
                if rebuild is self._standby:
                    self._standby = None
                else:
                    self._spare = None
                self._stop(rebuild)
            if not data:
                self._loop().remove_handler(rebuild.pipe)
                os.close(rebuild.pipe)
                os.waitpid(rebuild.pid, 0)
            return
        self._take(rebuild, data)
        if not data:  # the process is gone (its pipe closed)
            self._loop().remove_handler(rebuild.pipe)
            self._end(rebuild)

    def _take(self, rebuild: "_Rebuild", data: bytes) -> None:
        """What a running rebuild said: pages written early, its end."""
        rebuild.pending += data
        *lines, rest = rebuild.pending.split(b"\n")
        rebuild.pending = rest
        for line in lines:
            message = json.loads(line)
            if "early" in message:
                if rebuild is self._next:  # the newer save's pages: the older build stops
                    self._supersede(self._running)
                    self.status.early.clear()
                self.status.early.update((name, Path(file)) for name, file in message["early"])
                self.status.changed()
                self._reload()
                if self._serving and not self._again_outside:
                    self._fork_spare(after=rebuild)
            if message.get("done"):
                rebuild.done = True
                self._settle(rebuild, message["error"])

    def _end(self, rebuild: "_Rebuild") -> None:
        os.close(rebuild.pipe)
        _, status = os.waitpid(rebuild.pid, 0)
        if rebuild.done:
            return
        if rebuild.stopping:  # told to stop: wherever it was, nothing to say
            self._settle(rebuild, "stopped for a newer save")
            return
        error = (f"The rebuild's process stopped before it finished ({_ended(status)}); "
                 "still serving the previous site. Save again to retry.")  # fmt: skip
        print(error, file=sys.stderr)
        self._settle(rebuild, error)

    def _settle(self, rebuild: "_Rebuild", error: str | None) -> None:
        """``rebuild`` has ended, with ``error`` (None: its site is in place)."""
        rebuild.ended, rebuild.error = True, error
        # Stopped for a newer save: its interruption is not the site's problem.
        rebuild.stopped = rebuild.stopping and error is not None
        if rebuild is self._next:  # the newer one, while the older one is paused
            if error is None:
                self._supersede(self._running)  # done: the older one must not swap after it
            else:
                self._resume(self._running)  # its site has the earlier save
            return
        newer, self._next = self._next, None
        if newer is None:
            if not rebuild.stopped:
                self.status.error = error
            self._finished(rebuild)
            return
        # The older of two: the newer one is the running rebuild now.
        self._running = newer
        if not rebuild.stopped:
            self.status.error = error  # until the newer one says otherwise
        if newer.ended:
            self._settle(newer, newer.error)

    def _finished(self, rebuild: "_Rebuild"):
        """The newest build has ended: its site, or the last good one, is served."""
        self._running = None
        self.status.early.clear()  # the new site is in place, or the old one stays
        if not rebuild.stopped:  # else the browsers wait for the next build's pages
            self.status.changed()
            self._reload()
        outside, self._again_outside = self._again_outside, False
        spare, self._spare = self._spare, None
        if spare is not None and spare.after is rebuild:
            # Forked once the rebuild's reads were stored, it is the standby of
            # the build after it, whether the rebuild went on to the end or not.
            self._stop(self._standby)
            self._standby = spare
        else:  # it got ready before the rebuild: fresh ones are forked now
            self._stop(spare)
        if not (self._again and outside):
            self._make_standby()
        if self._again and not self._closed:
            self._again = False
            self(changes=None if outside else ())

    def _run(self, collect: bool, ready=None) -> None:
        from invoke import Exit

        try:
            with echoed_stderr() as captured:
                if ready is None:
                    self._build(collect)
                else:
                    self._build(collect, ready=ready)
            self.status.error = None
        except Exit as err:
            # The previous good site stays in output/ and keeps being served, with
            # the problem on a banner in every page as well as in the terminal.
            message = err.message or "Build failed; still serving the previous site."
            if not self._superseded:
                print(message, file=sys.stderr)
            self.status.error = f"{captured.getvalue()}{message}"


@dataclass
class _Rebuild:
    """A rebuild's process, the read end of its pipe, and what it said so far;
    ``go``: a standby's, the pipe to tell it to go (a byte) or to stop (closed)."""

    pid: int
    pipe: int
    pending: bytes = b""
    done: bool = False
    go: int | None = None
    paused: bool = False  # SIGSTOP: a newer save's build has both cores
    stopping: bool = False  # told to stop (SIGUSR1) for a newer save
    ended: bool = False  # its outcome is known: ``error`` (None: its site is in place)
    error: str | None = None
    stopped: bool = False  # … it ended as an interrupted build, told to stop
    after: "_Rebuild | None" = None  # a spare forked once this rebuild's reads were stored


class _Stopped(BaseException):
    """A standby rebuild told to stop: it leaves as a failed build does (nothing
    written to the output), and says nothing."""


def _signal(rebuild: _Rebuild, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(rebuild.pid, number)


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


# More files read again than this is not an editor's save but a change of code
# or settings (every read is then new): the rebuild keeps Pelican's order.
SAVED_FILES_MAX = 20


@contextlib.contextmanager
def pages_of_saved_files_first(announce):
    """While it lasts, Pelican's articles generator writes the pages of the files
    its build read (not taken from kiosk_readcache: the ones just saved, up to
    ``SAVED_FILES_MAX``) before its feeds and all other pages, then calls
    ``announce([(output path, file), ...])`` once, with those pages.

    Only the order changes: every page is written once, by Pelican's own
    loops with their own arguments, so the site is the same as without it.
    """
    from functools import partial

    from pelican.generators import ArticlesGenerator

    import kiosk_readcache

    generate_output = ArticlesGenerator.generate_output

    def saved_first(generator, writer):
        read = kiosk_readcache.last_read
        lists = ("translations", "articles", "hidden_translations", "hidden_articles",
                 "drafts_translations", "drafts")  # fmt: skip
        saved = {id(content) for name in lists for content in getattr(generator, name)
                 if content.source_path in read}  # fmt: skip
        if not saved or len(saved) > SAVED_FILES_MAX:
            return generate_output(generator, writer)
        write = partial(writer.write_file, relative_urls=generator.settings["RELATIVE_URLS"])
        pages = []

        def first(name, template, context, **kwargs):
            if id(kwargs.get("article")) in saved:
                write(name, template, context, **kwargs)
                if name:  # an empty save_as: Pelican writes nothing
                    pages.append((name, os.path.join(writer.output_path, name)))

        generator.generate_articles(first)
        generator.generate_drafts(first)
        if pages:
            announce(pages)
        return generate_output(generator, _AllBut(writer, saved))

    ArticlesGenerator.generate_output = saved_first
    try:
        yield
    finally:
        ArticlesGenerator.generate_output = generate_output


class _AllBut:
    """A Pelican writer that skips the pages of the contents in ``skipped`` (ids)."""

    def __init__(self, writer, skipped):
        self._writer, self._skipped = writer, skipped

    def write_file(self, name, template, context, *args, **kwargs):
        if id(kwargs.get("article")) not in self._skipped:
            return self._writer.write_file(name, template, context, *args, **kwargs)
        return None

    def __getattr__(self, name):
        return getattr(self._writer, name)


def reload_stale_pages(handler_class, status: BuildStatus) -> None:
    """A browser that connects with a page sent before the last change reloads.

    livereload tells the browsers connected at the moment; one that is just
    reloading (after a rebuild's first reload, say) is not connected then, and
    would keep a page from before a failed build's banner or the site's swap.
    livereload.js says which page it shows when it connects (``info``); the
    server knows which generation it sent that page at (``status.served``).
    """
    on_message = handler_class.on_message

    def on_message_then_catch_up(handler, message):
        on_message(handler, message)
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            url = json.loads(message).get("url")
            if url and handler in handler_class.waiters and status.stale(url):
                handler.send_message({"command": "reload", "path": url, "liveCSS": True})

    handler_class.on_message = on_message_then_catch_up


class PreviewWatcher(LivereloadWatcher):
    """livereload's watcher, told of changes under ``folders`` by the kernel.

    livereload polls every 0.8 s, and each poll globs every watched file (0.1 s
    at N = 10,000: 12 % of a core while nobody edits, and a save waited 0.4 s
    on average for the next poll). Under ``folders`` (content, theme,
    plugins) watchfiles, which Pelican also depends on, calls ``changed()``
    on ``loop`` 50 ms after a batch of changes, with their paths. What ``watch()``
    names (the settings file: an editor's save replaces it, which a kernel
    watch of the file itself would lose) is still polled. Either way the
    browser's reload is left to ``changed`` (PreviewBuilds).

    Made before the first build: the kernel watches from then on, and a save
    during the first build, or the moment the server first answers, is passed
    on once the server's loop runs (a watch begun only when the server started
    missed such a save, and nothing rebuilt until the next one).
    """

    def __init__(self, folders, changed, loop):
        super().__init__()
        self.stop = threading.Event()
        notify_changes(folders, changed, loop, self.stop)

    def start(self, callback):
        return False  # watching already; livereload goes on polling what watch() names

    def examine(self):
        super().examine()  # runs the task of a polled file that changed
        return None, None  # and never reloads by itself


def notify_changes(folders, changed, loop, stop) -> threading.Thread:
    """A thread that calls ``changed(paths)`` on ``loop`` (``add_callback``) after
    each batch of changes under ``folders``, until ``stop`` is set.

    The kernel's watch of every folder is in place when this returns, so no
    change made after it is missed; a folder that cannot be watched raises here.
    """
    import watchfiles

    asked = _StopAsked(stop)
    failed = []

    def watch():
        try:
            for batch in watchfiles.watch(*folders, stop_event=asked, raise_interrupt=False):
                loop.add_callback(changed, sorted({path for _change, path in batch}))
        except Exception as err:  # noqa: BLE001 - raised in the caller's thread
            failed.append(err)
        finally:
            asked.watching.set()

    thread = threading.Thread(target=watch, name="kiosk-preview-watch", daemon=True)
    thread.start()
    asked.watching.wait()
    if failed:
        raise failed[0]
    return thread


class _StopAsked:
    """watchfiles' stop event, which also tells that the watch is in place:
    ``watch()`` asks ``is_set()`` only from its loop, after it made the
    kernel's watch of every folder (watchfiles' RustNotify adds them before
    it returns)."""

    def __init__(self, stop):
        self.stop, self.watching = stop, threading.Event()

    def is_set(self) -> bool:
        self.watching.set()
        return self.stop.is_set()


class _Tee(io.StringIO):
    """Keeps what is written and passes it on to ``stream``."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream

    def write(self, text):
        self.stream.write(text)
        return super().write(text)


@contextlib.contextmanager
def echoed_stderr():
    """Capture stderr (the build's problem lines) while the terminal still shows it."""
    tee = _Tee(sys.stderr)
    with contextlib.redirect_stderr(tee):
        yield tee


def with_banner(page: bytes, message: str) -> bytes:
    """``page`` with the error banner right after ``<body>`` (or first, without one)."""
    banner = BANNER.format(message=html.escape(message.strip())).encode()
    match = BODY_OPEN.search(page)
    at = match.end() if match else 0
    return page[:at] + banner + page[at:]


def _resolve(root: Path, url_path: str):
    """The file for ``url_path`` below ``root``, or None; never a file outside it."""
    target = (root / url_path.lstrip("/")).resolve()
    if not target.is_relative_to(root.resolve()):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def _early(status: BuildStatus, url_path: str):
    """The page a running rebuild already wrote for ``url_path``, or None."""
    if not status.early:
        return None
    name = url_path.lstrip("/")
    if name == "" or name.endswith("/"):
        name += "index.html"
    return status.early.get(name)


def preview_app(root: Path, status: BuildStatus):
    """A WSGI app serving ``root`` like the production host: pretty URLs, the
    404 page with status 404, and the banner while ``status.error`` is set;
    a page a running rebuild already wrote (``status.early``) comes from there."""
    root = Path(root)

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "/")
        if (root / path.lstrip("/")).is_dir() and not path.endswith("/"):
            start_response("301 Moved Permanently", [("Location", path + "/")])
            return [b""]
        code, found, body = "200 OK", _early(status, path), None
        if found is not None:
            try:
                body = found.read_bytes()
            except OSError:  # its folder moved into place meanwhile: output/ has it now
                found = None
        if body is None:
            found = _resolve(root, path)
            if found is None:
                code, found = "404 Not Found", _resolve(root, "/404.html")
            body = found.read_bytes() if found else NOT_FOUND
        kind = mimetypes.guess_type(found.name)[0] if found else "text/html"
        kind = kind or "application/octet-stream"
        if kind == "text/html":
            status.served[path] = status.generation
            if status.error:
                body = with_banner(body, status.error)
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        # Always ask again: a reload after a rebuild must never show a cached page.
        start_response(code, [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [body]

    return app
