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
import mimetypes
import re
import sys
from dataclasses import dataclass
from pathlib import Path

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


# Seconds between a rebuild's reload and the collection of its garbage.
COLLECT_AFTER_RELOAD = 2.0


@dataclass
class BuildStatus:
    """The outcome of the latest build; ``error`` is None after a good one."""

    error: str | None = None


class PreviewBuilds:
    """The preview's builds: ``first()`` before serving, then one call per change.

    ``build(collect)`` builds the site (``tasks.build_site``) and raises
    ``invoke.Exit`` on failure, whose message goes to the terminal and to
    ``status`` (the banner). ``later(seconds, function, **kwargs)`` runs
    ``function`` on the server's loop after ``seconds``.

    The browser reloads as soon as a call returns. Collecting a build's
    garbage blocks the server's loop (0.5-0.7 s at N = 10,000), so a rebuild
    leaves it to ``release`` once the page the browser asks for has been
    served; the first build, which nobody waits for, collects at once.
    """

    name = "rebuild"  # what livereload's log calls it

    def __init__(self, build, status: BuildStatus, later, release):
        self._build, self.status, self._later, self._release = build, status, later, release

    def first(self) -> None:
        self._run(collect=True)

    def __call__(self) -> None:  # no parameters: livereload then passes none
        try:
            self._run(collect=False)
        finally:
            self._later(COLLECT_AFTER_RELOAD, self._release, freeze=False)

    def _run(self, collect: bool) -> None:
        from invoke import Exit

        try:
            with echoed_stderr() as captured:
                self._build(collect)
            self.status.error = None
        except Exit as err:
            # The previous good site stays in output/ and keeps being served, with
            # the problem on a banner in every page as well as in the terminal.
            message = err.message or "Build failed; still serving the previous site."
            print(message, file=sys.stderr)
            self.status.error = f"{captured.getvalue()}{message}"


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


def preview_app(root: Path, status: BuildStatus):
    """A WSGI app serving ``root`` like the production host: pretty URLs, the
    404 page with status 404, and the banner while ``status.error`` is set."""
    root = Path(root)

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "/")
        if (root / path.lstrip("/")).is_dir() and not path.endswith("/"):
            start_response("301 Moved Permanently", [("Location", path + "/")])
            return [b""]
        found = _resolve(root, path)
        code = "200 OK"
        if found is None:
            code, found = "404 Not Found", _resolve(root, "/404.html")
        body = found.read_bytes() if found else NOT_FOUND
        kind = mimetypes.guess_type(found.name)[0] if found else "text/html"
        kind = kind or "application/octet-stream"
        if kind == "text/html" and status.error:
            body = with_banner(body, status.error)
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        # Always ask again: a reload after a rebuild must never show a cached page.
        start_response(code, [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [body]

    return app
