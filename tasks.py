"""Kiosk's tasks: `invoke --list` shows them, `invoke --help TASK` explains one.

Pelican runs in-process. A build writes into a staging folder beside the
output folder and swaps it in only when everything succeeded, so a failed or
interrupted build leaves the previous site exactly as it was (kiosk_staging).
"""

import contextlib
import copy
import logging
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
CONFIG = {
    "dev": ROOT / "pelicanconf.py",
    "prod": ROOT / "publishconf.py",
    "output": ROOT / "output",
    "host": "127.0.0.1",
    "port": 8000,
}
sys.path.insert(0, str(ROOT / "plugins"))


def _settings(settings_file, content=None, **override):
    from pelican.settings import read_settings

    if content:
        override["PATH"] = str(Path(content).resolve())
    # Relative paths in the settings are relative to the repo, wherever invoke runs.
    os.chdir(ROOT)
    settings = read_settings(str(settings_file), override=override or None)
    # The settings module is imported once per process, so its dicts and lists
    # are shared by every build in it (livereload, tests), and Pelican and
    # plugins may mutate some. Each build gets its own copies, so no build sees
    # what the previous one did to them.
    return {key: copy.deepcopy(value) if isinstance(value, (dict, list)) else value
            for key, value in settings.items()}  # fmt: skip


@contextlib.contextmanager
def _interrupts_held():
    """Ctrl-C (SIGINT), and the live preview's word to stop for a newer save
    (SIGUSR1, deploy/preview.py), do nothing while this lasts: the build they
    would stop is done but for renaming folders, and it finishes. Elsewhere
    than in the main thread, where Python delivers signals, there is nothing
    to hold."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = (signal.SIGINT, signal.SIGUSR1)
    previous = [signal.signal(number, lambda *_: None) for number in held]
    try:
        yield
    finally:
        for number, handler in zip(held, previous, strict=True):
            signal.signal(number, handler)


def _relative(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _print_problems(problems, outcome="nothing was published"):
    for problem in problems:
        print(problem, file=sys.stderr)
    noun = "problem" if len(problems) == 1 else "problems"
    print(f"{len(problems)} content {noun}; {outcome}.", file=sys.stderr)


class _Counter(logging.Handler):
    """Counts warnings while a build runs, for the summary line, and keeps the first
    error, which stops the build (errors are fatal), for the message it fails with."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.warnings = 0
        self.first_error = None

    def emit(self, record):
        if record.levelno == logging.WARNING:
            self.warnings += 1
        elif self.first_error is None:
            self.first_error = " ".join(record.getMessage().split())  # one line


def build_site(settings_file, output, content=None, quiet=False, force=False, collect=True,
               ready=None, **override):  # fmt: skip
    """Build into a staging folder and swap it into ``output`` on success.

    When nothing the build reads has changed since the last build into
    ``output`` (kiosk_uptodate), there is nothing to write and nothing is
    built, unless ``force``. ``override``: settings that win over the file's
    (livereload turns search off). Returns a summary dict (``sizes``: each
    output file's size by its path, as the no-change stamp's walk of the
    output saw it, for ``invoke publish``'s last line); raises invoke.Exit
    with a clear message on failure.

    ``collect``: once Pelican is done, put the build's objects through the
    garbage collector and hand their memory back (kiosk_memory), for a
    process that goes on (``invoke serve``, tests). ``False`` where the
    process ends with the build (``invoke build``, ``publish``, ``deploy``):
    they stay frozen out of the collector and go back to the system with the
    process, which saves a collection of the whole build (1.1 s at N = 10,000).

    ``ready``: a function that returns once the build may go on (the live
    preview's standby rebuild, deploy/preview.py): the build first does all
    that no content file decides, then calls it (kiosk_standby). Such a
    build starts on a change, so it does not check for one, and the stamp
    of its inputs takes the content from a walk started after ``ready()``.
    """
    import kiosk_uptodate

    started = time.perf_counter()
    output = Path(output).resolve()
    # The walks of the output (for the no-change check) and of the content
    # start first, in other processes: they run while this one imports Pelican
    # and reads the settings. The content folder is the one given, else the
    # settings' usual one; inputs() checks it against PATH.
    walk = content_walk = None
    if ready is None and not force and kiosk_uptodate.stamp_path(output).exists():
        walk = kiosk_uptodate.TreeWalk(output)
    guess = Path(content) if content else Path(settings_file).resolve().parent / "content"
    if ready is None and guess.is_dir():
        content_walk = kiosk_uptodate.TreeWalk(guess, follow=True)
    try:
        from pelican import Pelican, signals
        from pelican.log import console
        from pelican.log import init as init_logging

        import kiosk_memory
        from kiosk_editorial import EditorialError
        from kiosk_staging import Staging

        staging = Staging(output)
        # The staging folder holds no file of an earlier build, at most the folders
        # of one (kiosk_staging), which Pelican's DELETE_OUTPUT_DIRECTORY would
        # delete only to make them again.
        settings = _settings(settings_file, content, **override, OUTPUT_PATH=str(staging.folder),
                             DELETE_OUTPUT_DIRECTORY=False)  # fmt: skip
        started_at = datetime.now(UTC)
        found = kiosk_uptodate.inputs(settings, Path(settings_file), ROOT, content_walk,
                                      content=ready is None)  # fmt: skip
    except BaseException:
        for started in (walk, content_walk):
            if started is not None:
                started.cancel()
        raise
    sizes = {}  # what the last walk of the output saw, for invoke publish's summary
    if walk is not None and kiosk_uptodate.is_current(output, found, started_at, sizes, walk):
        if not quiet:
            print(f"{output.name}/ is up to date: nothing changed since its last build.")
        return {"articles": None, "pages": 0, "warnings": 0, "up_to_date": True,
                "seconds": round(time.perf_counter() - started, 2), "sizes": sizes}  # fmt: skip
    if ready is None:
        staging.prepare()
    # Any error Pelican logs (an unreadable file, a template error) fails the build
    # instead of quietly dropping a page.
    init_logging(level=logging.WARNING, fatal="errors")
    counter = _Counter()
    logging.getLogger().addHandler(counter)
    # Counts and dates only: the articles themselves are let go with Pelican.
    written, articles, moments = [], [], []

    def count(path, context=None, **_):
        written.append(path)

    def count_articles(generator):
        articles.append(len(generator.articles))
        moments.extend(kiosk_uptodate.moments([
            *generator.articles, *generator.translations, *generator.drafts,
            *generator.drafts_translations, *generator.hidden_articles,
            *generator.hidden_translations], since=started_at))  # fmt: skip

    signals.content_written.connect(count)
    signals.article_generator_finalized.connect(count_articles)
    kiosk_uptodate.await_site(staging.folder)
    standby = contextlib.nullcontext()
    if ready is not None:
        import kiosk_standby

        def go():
            nonlocal started, started_at, content_walk
            ready()
            # Only now: the skeleton of the site this build replaces (kiosk_staging)
            # may still be in the making when it starts getting ready.
            staging.prepare()
            started, started_at = time.perf_counter(), datetime.now(UTC)
            content_walk = kiosk_uptodate.TreeWalk(Path(os.path.abspath(settings["PATH"])),
                                                   follow=True)  # fmt: skip

        standby = kiosk_standby.ahead(go)
    interrupted = False
    try:
        # A standby build shows no "Building…" while it waits for a save.
        building = console.status("Building…") if ready is None else contextlib.nullcontext()
        with standby, building as status:
            pelican = Pelican(settings)
            if status is not None:
                status.update("Reading and rendering…")
            pelican.run()
            del pelican
        if ready is not None:
            found["content"] = content_walk.fingerprint()
        # The stamp's walk of the finished site, if its last step started it
        # (kiosk_verify); taken before the swap, which moves the folder.
        walk = kiosk_uptodate.finished_walk(staging.folder)
        digest = walk.fingerprint(sizes) if walk is not None else None
        if collect:
            # The build's articles and pages are garbage now: hand their memory
            # back before the stamp walks the whole output (kiosk_memory).
            kiosk_memory.release(freeze=False)
        with _interrupts_held():  # a swap cut short would leave no site at all
            staging.prune()
            kiosk_uptodate.forget(output)
            staging.swap_in()
            kiosk_uptodate.record(output, found, started_at, moments, sizes, digest)
    except EditorialError as err:
        _print_problems(err.problems)
        raise Exit(code=1) from None
    except KeyboardInterrupt:
        interrupted = True  # whoever stopped it waits for nothing more
        raise Exit("Build interrupted; the previous output/ is unchanged.", code=130) from None
    except Exception as err:  # noqa: BLE001 - any failure must leave output/ alone
        # Pelican's fatal log stops the build with "Warning or error encountered":
        # the error itself is the message an editor can act on (the preview's banner).
        cause = counter.first_error or str(err)
        raise Exit(f"Build failed: {cause}. The previous output/ is unchanged.", code=1) from None
    finally:
        for started_walk in (kiosk_uptodate.finished_walk(staging.folder), content_walk):
            if started_walk is not None:  # of a build that failed
                started_walk.cancel()
        staging.discard(background=interrupted)
        signals.content_written.disconnect(count)
        signals.article_generator_finalized.disconnect(count_articles)
        logging.getLogger().removeHandler(counter)
    summary = {
        "articles": sum(articles),
        # The site's pages as the output holds them (redirects and the 404 page
        # included), the figure invoke publish's summary line gives too.
        "pages": sum(path.endswith(".html") for path in sizes) or len(written),
        "warnings": counter.warnings,
        "seconds": round(time.perf_counter() - started, 1),
        "sizes": sizes,
    }
    if not quiet:
        print(
            f"Built {output.name}/: {summary['articles']} articles, {summary['pages']} pages, "
            f"{summary['warnings']} warnings, {summary['seconds']} s"
        )
    return summary


BUILD_HELP = {
    "output": "folder to write the site into (default: output/)",
    "content": "content folder to build (default: content/)",
}
FORCE_HELP = {"force": "build even when nothing changed since the last build"}


@task(help=BUILD_HELP | FORCE_HELP)
def build(c, output=str(CONFIG["output"]), content=None, force=False):
    """Build the site for local preview (pelicanconf.py; drafts under /drafts/)."""
    build_site(CONFIG["dev"], output, content, force=force, collect=False)


@task(help=BUILD_HELP | FORCE_HELP)
def publish(c, output=str(CONFIG["output"]), content=None, force=False):
    """Build the production site: absolute URLs, no drafts, minified, precompressed."""
    from kiosk_publish import format_summary, site_summary

    built = build_site(CONFIG["prod"], output, content, force=force, collect=False)
    print(format_summary(site_summary(Path(output), built["sizes"])))


@task
def clean(c):
    """Remove build products (output/, staging folders, caches); never content/."""
    for path in [CONFIG["output"], ROOT / ".kiosk-cache",
                 *ROOT.glob(".output-*")]:  # fmt: skip
        if path.is_dir():
            shutil.rmtree(path)
            print(f"removed {path.relative_to(ROOT)}/")
        elif path.exists():  # a skeleton's list of folders (kiosk_staging)
            path.unlink()
            print(f"removed {path.relative_to(ROOT)}")
    for stamp in ROOT.glob(".*.kiosk-stamp.json"):
        stamp.unlink()
        print(f"removed {stamp.relative_to(ROOT)}")


@task(help={"content": "content folder to check (default: content/)"})
def check(c, content=None):
    """Validate all content against the editorial contract, without building."""
    from kiosk_editorial import validate_site

    started = time.perf_counter()
    settings = _settings(CONFIG["dev"], content)
    problems = validate_site(settings)
    if problems:
        _print_problems(problems)
        raise Exit(code=1)
    files = sum(1 for _ in Path(settings["PATH"]).rglob("*.md"))
    print(f"Content OK: {files} files checked in {time.perf_counter() - started:.2f} s")


@task(help={"port": "port on 127.0.0.1 (default 8000)"})
def serve(c, port=CONFIG["port"]):
    """Serve output/ on http://127.0.0.1:PORT (build first)."""
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = partial(SimpleHTTPRequestHandler, directory=str(CONFIG["output"]))
    with ThreadingHTTPServer((CONFIG["host"], int(port)), handler) as server:
        print(f"Serving output/ at http://{CONFIG['host']}:{port}/ (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


@task(help={"port": "port on 127.0.0.1 (default 8000)", **BUILD_HELP})
def livereload(c, port=CONFIG["port"], output=str(CONFIG["output"]), content=None):
    """Build, serve, and rebuild and refresh the browser whenever content or theme change."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from tornado.ioloop import IOLoop

    from deploy import preview

    status = preview.BuildStatus()
    # Resolved now: build_site moves into the repository, the editor's shell may not be there.
    output = Path(output).resolve()
    content = Path(content).resolve() if content else None
    content_dir = content or ROOT / "content"

    def build(collect, ready=None):
        # Pagefind takes seconds and search is not what an editor previews.
        build_site(CONFIG["dev"], output, content, collect=collect, ready=ready,
                   KIOSK_SEARCH={"enabled": False})  # fmt: skip

    rebuild = preview.PreviewBuilds(build, status, LiveReloadHandler.reload_waiters, IOLoop.current,
                                    content=content_dir)  # fmt: skip
    # Watching before the first build: a save while it runs is rebuilt once it is served.
    watcher = preview.PreviewWatcher([content_dir, ROOT / "theme", ROOT / "plugins"], rebuild,
                                     IOLoop.current())  # fmt: skip
    rebuild.first()
    preview.reload_stale_pages(LiveReloadHandler, status)
    server = Server(preview.preview_app(output, status), watcher=watcher)
    server.watch(str(ROOT / "pelicanconf.py"), rebuild)
    print(f"Previewing at http://{CONFIG['host']}:{port}/ (Ctrl-C stops)", flush=True)
    # livereload logs through its own handler; passed on to Pelican's root
    # handler as well, every line would show twice among the build's messages.
    for name in ("livereload", "tornado"):
        logging.getLogger(name).propagate = False
    try:
        server.serve(host=CONFIG["host"], port=int(port), debug=False)
    finally:
        rebuild.close()


@task(
    help={
        "title": "the headline",
        "section": "one of the configured sections (e.g. Analysis)",
        "region": "one of the configured regions (optional)",
        "column": "a configured column such as QiOSK (optional)",
        "author": "byline; repeat for several authors (each needs a profile)",
        "tags": "comma-separated tags (optional)",
        "content": "content folder (default: content/)",
    },
    iterable=["author"],
)
def new(c, title, section, author, region=None, column=None, tags="", content=None):
    """Scaffold a draft article with a valid header and print its path."""
    from pelican.utils import slugify

    from kiosk_editorial import validate_site

    settings = _settings(CONFIG["dev"], content)
    wrong = [
        f"--{flag} {value!r} is not one of {', '.join(settings[key])}"
        for flag, value, key in (
            ("section", section, "SECTIONS"),
            ("region", region, "REGIONS"),
            ("column", column, "COLUMNS"),
        )  # fmt: skip
        if value is not None and value not in settings[key]
    ]
    if not author:
        wrong.append("--author is required (repeat it for several authors)")
    if wrong:
        raise Exit("\n".join(wrong), code=1)
    # The site's time, which a Date without an offset means (CONTENT.md), not this
    # machine's: a correspondent's laptop in Tokyo would otherwise schedule it.
    now = datetime.now(ZoneInfo(settings["TIMEZONE"])).replace(second=0, microsecond=0)
    slug = slugify(title, regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
    if not slug:
        raise Exit(f"The title {title!r} makes no web address (it has no letter or digit); "
                   "choose another title.", code=1)  # fmt: skip
    path = Path(settings["PATH"]) / "articles" / str(now.year) / f"{slug}.md"
    if path.exists():
        raise Exit(f"{_relative(path)} already exists; choose another title.", code=1)
    before = set(validate_site(settings))
    header = {
        "Title": title,
        "Date": now.strftime("%Y-%m-%d %H:%M"),
        "Section": section,
        "Region": region,
        "Column": column,
        "Authors": ", ".join(author),
        "Tags": tags or None,
        "Slug": slug,
        "Status": "draft",
    }
    body = (
        "Write the opening paragraph here: it is the teaser when there is no Summary.\n\n"
        "Set `Status: published` (or delete the line) when the piece is ready.\n"
    )
    made_folder = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}: {value}" for key, value in header.items() if value]
    path.write_text("\n".join(lines) + "\n\n" + body, encoding="utf-8")
    # Whatever the new file brings, on itself or on another (a slug an existing
    # page already has is reported on whichever file comes second).
    problems = sorted(set(validate_site(settings)) - before)
    if problems:
        path.unlink()
        if made_folder:  # the year's folder, new and empty again
            path.parent.rmdir()
        _print_problems(problems, outcome="no file was written")
        raise Exit(code=1)
    print(_relative(path))


@task(help={"force": "regenerate every sample image, not only missing ones"})
def images(c, force=False):
    """Generate the sample magazine's placeholder images (Pillow) that are missing."""
    flag = " --force" if force else ""
    c.run(f"{sys.executable} {ROOT / 'scripts' / 'make_sample_images.py'}{flag}")


@task(help={"browser": "also run the real-browser tests (default: yes)"})
def test(c, browser=True):
    """Run the whole test suite with pytest."""
    marker = "" if browser else " -m 'not browser'"
    # Chromium, Java and Node write caches into ~ and /tmp; keep them in a scratch
    # folder so that CI machines and developers' homes stay clean.
    scratch = ROOT / "output-tests" / "home"
    env = {name: str(scratch / name.lower()) for name in
           ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "TMPDIR")}  # fmt: skip
    for folder in env.values():
        Path(folder).mkdir(parents=True, exist_ok=True)
    c.run(f"{sys.executable} -m pytest{marker}", env=env, pty=False)


@task(
    help={
        "output": "built site to check (default: output/)",
        "site_url": "URLs starting with this are internal (default: publishconf's SITEURL)",
    }
)
def verify(c, output=str(CONFIG["output"]), site_url=None):
    """Check a built site: every internal link, image, srcset, #fragment, feed and sitemap."""
    from kiosk_verify import verify_site

    folder = Path(output).resolve()
    if not folder.is_dir():
        raise Exit(f"{_relative(folder)}/ does not exist; run invoke build or publish first.", 1)
    if site_url is None:
        site_url = _settings(CONFIG["prod"])["SITEURL"]
    problems = verify_site(folder, site_url)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        noun = "thing" if len(problems) == 1 else "things"
        raise Exit(f"{len(problems)} broken {noun} in {_relative(folder)}/", code=1)
    print(f"{_relative(folder)}/: every link, image, fragment, feed and sitemap resolves")


@task(
    help={
        "to": "rsync:PATH, rsync:user@host:PATH or git:REMOTE#BRANCH (e.g. git:origin#gh-pages)",
        **BUILD_HELP,
    }
)
def deploy(c, to, output=str(CONFIG["output"]), content=None):
    """Publish, and only if that succeeded, ship the site to TARGET; print what shipped."""
    import subprocess

    from deploy.gitbranch import ship_git
    from deploy.rsync import ship_rsync
    from deploy.targets import TargetError, parse_target
    from kiosk_publish import format_summary, site_summary

    try:
        target = parse_target(to, Path.cwd())
    except TargetError as err:
        raise Exit(str(err), code=2) from None
    # build_site raises Exit on any failure, so a broken build never ships.
    built = build_site(CONFIG["prod"], output, content, collect=False)
    print(format_summary(site_summary(Path(output), built["sizes"])))
    site = Path(output).resolve()
    try:
        if target.kind == "rsync":
            shipped = ship_rsync(site, target.destination)
            print(f"Deployed to {target}: {len(shipped['sent'])} files sent, "
                  f"{len(shipped['deleted'])} deleted")  # fmt: skip
            return
        message = f"Publish Kiosk {datetime.now().astimezone():%Y-%m-%d %H:%M %z}"
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True)  # fmt: skip
        if head.returncode == 0:
            message += f" from {head.stdout.strip()}"
        shipped = ship_git(site, target.destination, target.branch, message, ROOT)
    except (subprocess.CalledProcessError, OSError) as err:
        raise Exit(f"Deploy to {target} failed: {err}", code=1) from None
    if shipped["commit"] is None:
        print(f"Nothing to deploy: {target} already holds this build.")
        return
    for change in shipped["changes"]:
        print(change)
    print(f"Deployed {shipped['commit'][:10]} to {target}: {len(shipped['changes'])} files "
          f"changed ({message!r})")  # fmt: skip


@task(
    help={
        "articles": "number of synthetic articles (default 1000)",
        "against": "comma-separated peers: hugo, pelican (default both)",
        "runs": "alternating runs per system; the table shows medians (default 3)",
        "seed": "corpus seed: the same seed gives the same corpus (default 2026)",
        "preview": "time the live preview instead: save an article -> page with the edit, "
        "invoke livereload against hugo server, RUNS edits each (bench/preview.py)",
        "floors": "time what any build of the corpus pays (Pagefind on every article page, "
        "on one shard's, Python's start) against Hugo's cold build, RUNS each "
        "(bench/floors.py; needs bench/timeline.py's site)",
    }
)
def bench(c, articles=1000, against="hugo,pelican", runs=3, seed=2026, preview=False,
          floors=False):  # fmt: skip
    """Benchmark the publish build against Hugo and plain Pelican (bench/, BENCHMARKS.md)."""
    sys.path.insert(0, str(ROOT / "bench"))
    if floors:
        import floors as bench_floors

        bench_floors.main(["--articles", str(articles), "--seed", str(seed), "--runs", str(runs)])
        return
    if preview:
        import preview as bench_preview

        argv = ["--articles", str(articles), "--seed", str(seed), "--edits", str(runs)]
        bench_preview.main(argv)
        return
    import run as bench_run

    peers = [name.strip() for name in against.split(",") if name.strip()]
    bench_run.main(int(articles), peers, int(runs), int(seed))


@task(help={"site": "audit an existing build instead of publishing one"})
def audit(c, site=None):
    """Lighthouse scores and page weights of the home page and the lead article."""
    flag = f" --site {site}" if site else ""
    c.run(f"{sys.executable} {ROOT / 'scripts' / 'audit.py'}{flag}", pty=False)


@task
def lint(c):
    """Ruff over the Python code (rules and reasons in pyproject.toml)."""
    c.run(f"{sys.executable} -m ruff check {ROOT}", pty=False)
