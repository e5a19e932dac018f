"""`invoke livereload`, the editor's loop: save a file, see the page change;
break a file, see what is wrong on the page while the last good page stays."""

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from bs4 import BeautifulSoup
from invoke import Exit
from test_publish import publishable_site

from deploy.preview import (
    BuildStatus,
    PreviewBuilds,
    preview_app,
    reload_stale_pages,
    with_banner,
)
from tasks import build_site
from tests.conftest import ROOT
from tests.sites import tree_digest

PAGE = "/summit-without-the-other-side/"
ARTICLE_FILE = ("articles", "2024", "summit.md")


def test_banner_shows_the_problem_as_text_at_the_top_of_the_page():
    page = with_banner(b'<html><body class="x"><h1>Old</h1></body></html>', "Title: <b>bad</b>")
    assert page.index(b'id="kiosk-build-error"') < page.index(b"<h1>Old</h1>")
    assert page.startswith(b'<html><body class="x"><div')
    assert b"Title: &lt;b&gt;bad&lt;/b&gt;" in page and b"<b>bad" not in page
    assert b"<script" not in page


class Loop:
    """The two calls PreviewBuilds makes on tornado's IOLoop, run with select()."""

    READ = 1

    def __init__(self):
        self.handlers = {}

    def add_handler(self, fd, callback, events):
        self.handlers[fd] = callback

    def remove_handler(self, fd):
        del self.handlers[fd]

    def run_while(self, builds, seconds=120):
        """Until the rebuild is done and every process but a standby has ended."""
        deadline = time.monotonic() + seconds

        def others():
            waiting = {rebuild.pipe for rebuild in (builds._standby, builds._spare) if rebuild}
            return [fd for fd in self.handlers if fd not in waiting]

        while builds.running or others():
            assert time.monotonic() < deadline, "the rebuild did not finish"
            ready, _, _ = select.select(list(self.handlers), [], [], 1)
            for fd in ready:
                self.handlers[fd](fd, self.READ)

    def run_until(self, predicate, seconds=30):
        """Pass on what the processes say until ``predicate()`` holds."""
        deadline = time.monotonic() + seconds
        while not predicate():
            assert time.monotonic() < deadline, "it did not happen"
            ready, _, _ = select.select(list(self.handlers), [], [], 0.1)
            for fd in ready:
                self.handlers[fd](fd, self.READ)

    def hear_out(self, process, seconds=30):
        """Pass on what ``process`` (a standby) says until its pipe closes."""
        while process.pipe in self.handlers:
            ready, _, _ = select.select([process.pipe], [], [], seconds)
            assert ready, "the process did not end"
            self.handlers[process.pipe](process.pipe, self.READ)


def builds_with(build, status=None, content=None):
    """PreviewBuilds on a select() loop; its reloads are listed with what was
    served early at each."""
    loop, reloads = Loop(), []
    status = status or BuildStatus()
    builds = PreviewBuilds(build, status, lambda: reloads.append(dict(status.early)),
                           lambda: loop, content=content)  # fmt: skip
    return builds, loop, reloads


def logged(path):
    """A function that appends a line to ``path`` (one write: forked processes share it)."""

    def log(line):
        with path.open("a") as handle:
            handle.write(f"{line}\n")

    return log


def test_the_next_rebuild_gets_ready_before_the_save_and_goes_when_content_changes(tmp_path):
    """After each build a standby rebuild does what needs no content and waits;
    a save under the content folder sends it on (and starts a spare, for a
    save during that rebuild, stopped when it ends). A change elsewhere (a
    template, the settings) or one not named makes the standby stale: it
    stops without building, and a rebuild started then builds everything."""
    content, log = tmp_path / "content", tmp_path / "log"
    say = logged(log)

    def build(collect, ready=None):
        say(f"{os.getpid()} {'standby' if ready else 'build'}")
        if ready is not None:
            ready()
            say(f"{os.getpid()} go")

    builds, loop, reloads = builds_with(build, content=content)

    def lines(count):
        wait_for(lambda: len(log.read_text().splitlines()) >= count, 30, f"{count} lines")
        time.sleep(0.2)  # and no more
        return [line.split() for line in log.read_text().splitlines()]

    def kinds(lines):
        return sorted(kind for _, kind in lines)

    builds.first()
    (_, first), (standby, waits) = lines(2)
    assert (first, waits) == ("build", "standby") and int(standby) != os.getpid()
    assert builds._spare is None  # none while nothing builds
    # Ctrl-C in the terminal reaches every process of the preview: the server
    # stops, and so does a standby then (the end of its pipe), quietly; alone,
    # it is no reason for a standby to stop.
    os.kill(int(standby), signal.SIGINT)
    time.sleep(0.2)
    builds([str(content / "articles" / "a.md")])
    spare = str(builds._spare.pid)
    loop.run_while(builds)
    # It built, nothing else did: the spare waited, and was stopped at its end,
    # when the next standby was forked.
    assert [standby, "go"] in lines(5) and [spare, "standby"] in lines(5)
    assert kinds(lines(5)[2:]) == ["go", "standby", "standby"] and reloads == [{}]
    assert builds._spare is None and str(builds._standby.pid) not in (standby, spare)
    builds([str(content / "a.md"), str(tmp_path / "theme" / "templates" / "base.html")])
    loop.run_while(builds)
    assert kinds(lines(7)[5:]) == ["build", "standby"]  # stopped, not gone on
    builds()  # the settings file (polled: no paths)
    loop.run_while(builds)
    assert kinds(lines(9)[7:]) == ["build", "standby"]
    assert [kind for _, kind in lines(9)].count("go") == 1
    standby = builds._standby
    builds.stop()
    loop.hear_out(standby)  # it stopped, and was waited for
    assert len(lines(9)) == 9  # and built nothing


def test_saves_during_a_standby_s_rebuild_are_built_by_the_spare_then_the_next_standby(tmp_path):
    """The first save while a rebuild runs sends the spare on at once (the older
    rebuild is stopped when the spare is done); saves while the spare builds
    make one more rebuild once it is done: the standby forked then goes at
    once, without waiting for another save."""
    content, log = tmp_path / "content", tmp_path / "log"
    say = logged(log)

    def build(collect, ready=None):
        if ready is not None:
            ready()
            say(f"{os.getpid()} go")
            time.sleep(0.5)
        say(f"{os.getpid()} end")

    builds, loop, reloads = builds_with(build, content=content)
    builds.first()
    builds([str(content / "a.md")])
    wait_for(lambda: len(log.read_text().splitlines()) == 2, 30, "the rebuild going")
    builds([str(content / "a.md")])  # while it runs: the spare goes
    builds([str(content / "b.md")])  # while both run: one more after them
    loop.run_while(builds)
    builds.stop()
    lines = [line.split() for line in log.read_text().splitlines()]
    assert [kind for _, kind in lines] == ["end", "go", "go", "end", "go", "end"]
    (_, _), (one, _), (two, _), (two_ended, _), (three, _), (three_ended, _) = lines
    assert two == two_ended and three == three_ended and len({one, two, three}) == 3
    assert len(reloads) == 2  # the stopped one reloads nothing


def test_a_rebuild_overtaken_before_it_read_its_word_to_go_stops_there(tmp_path):
    """Two saves in a row, faster than the standby reads the first one's word:
    the spare goes for the second, and the standby stops as soon as it reads
    its word (it never builds, so it never swaps an older site in)."""
    content, log = tmp_path / "content", tmp_path / "log"
    say = logged(log)

    def build(collect, ready=None):
        if ready is not None:
            time.sleep(0.3)  # still getting ready
            ready()
            say(f"{os.getpid()} go")
        say(f"{os.getpid()} end")

    builds, loop, reloads = builds_with(build, content=content)
    builds.first()
    standby = builds._standby.pid
    builds([str(content / "a.md")])
    spare = builds._spare.pid  # forked as the standby went
    builds([str(content / "a.md")])
    loop.run_while(builds)
    builds.stop()
    lines = [line.split() for line in log.read_text().splitlines()]
    assert lines[1:] == [[str(spare), "go"], [str(spare), "end"]]
    assert builds.status.error is None and len(reloads) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(standby, os.WNOHANG)


def test_a_change_to_the_build_s_code_is_run_by_the_next_rebuild(tmp_path, monkeypatch):
    """The server imports none of the build's code (every build is forked), so a
    plugin edited while the preview runs is imported afresh by the rebuild the
    edit starts; the standby, which imported the old code, is stopped."""
    import importlib

    plugins, content, log = tmp_path / "plugins", tmp_path / "content", tmp_path / "log"
    plugins.mkdir()
    (plugins / "probe_plugin.py").write_text("VERSION = 1\n")
    monkeypatch.syspath_prepend(str(plugins))
    say = logged(log)

    def build(collect, ready=None):
        if ready is not None:
            importlib.import_module("probe_plugin")
            ready()
        say(importlib.import_module("probe_plugin").VERSION)

    builds, loop, reloads = builds_with(build, content=content)
    builds.first()
    assert "probe_plugin" not in sys.modules  # imported in the build's process only
    time.sleep(0.3)  # the standby has imported version 1
    (plugins / "probe_plugin.py").write_text("VERSION = 2  # another size: no stale .pyc\n")
    builds([str(plugins / "probe_plugin.py")])
    loop.run_while(builds)
    builds.stop()
    assert log.read_text().split() == ["1", "2"]


def test_a_standby_that_fails_before_the_save_leaves_the_save_to_a_new_rebuild(tmp_path):
    """A problem while getting ready (settings a plugin rejects, say) is shown by
    the rebuild the next change starts, not by the standby."""
    content, log = tmp_path / "content", tmp_path / "log"
    say = logged(log)

    def build(collect, ready=None):
        if ready is not None:
            raise Exit("Build failed: a setting is wrong.")
        say(f"{os.getpid()} build")

    builds, loop, reloads = builds_with(build, content=content)
    builds.first()
    standby = builds._standby
    loop.hear_out(standby)  # what it says, then the end of its pipe
    assert builds._standby is None  # not used for the next change
    builds([str(content / "a.md")])
    loop.run_while(builds)
    assert len(log.read_text().splitlines()) == 2  # the first build, and a new rebuild's
    assert builds.status.error is None and reloads == [{}]
    builds.stop()


@pytest.fixture
def announcing(monkeypatch):
    """The way a fake build says it has written its saved pages early (as
    Pelican's articles generator does in a rebuild): ``announcing[0](pages)``."""
    import deploy.preview

    announce = []

    @contextlib.contextmanager
    def saved_pages_first(tell):
        announce[:] = [tell]
        yield

    monkeypatch.setattr(deploy.preview, "pages_of_saved_files_first", saved_pages_first)
    return announce


def overtaken_builds(tmp_path, announcing, fails=()):
    """A fake rebuild that writes its saved page early, then the rest of its site
    for two seconds, logging ticks; the builds numbered in ``fails`` fail before
    writing anything (a file made invalid)."""
    content, log = tmp_path / "content", tmp_path / "log"
    say = logged(log)
    number = iter(range(1, 100))

    def build(collect, ready=None):
        count = next(number) if ready is None else None
        if ready is not None:
            ready()
            count = len([line for line in log.read_text().splitlines() if "go" in line]) + 1
        me = f"{count}:{os.getpid()}"
        say(f"{me} go")
        try:  # the server's word to stop may come at any point from here
            time.sleep(0.3)  # listing, validating and reading
            if count in fails:
                say(f"{me} failed")
                raise Exit(f"Build failed: build {count} found a problem.")
            page = tmp_path / f"page-{count}.html"
            page.write_text(f"build {count}")
            announcing[0]([("article/index.html", str(page))])
            for _ in range(40):  # the rest of the site
                time.sleep(0.05)
                say(f"{me} tick")
        except KeyboardInterrupt:
            say(f"{me} stopped")
            raise Exit("Build interrupted; the previous output/ is unchanged.", code=130) from None
        say(f"{me} end")

    log.touch()
    builds, loop, reloads = builds_with(build, content=content)
    return builds, loop, reloads, log


def events(log):
    return [line.split() for line in log.read_text().splitlines() if "tick" not in line]


def test_a_save_while_a_rebuild_writes_the_rest_of_its_site_overtakes_it(tmp_path, announcing):
    """A save while a rebuild writes its other pages sends the spare standby on
    at once; the older rebuild is paused meanwhile and stopped once the spare
    has written its own saved page: its other pages would have been replaced
    anyway. Its interruption is no problem of the site's."""
    builds, loop, reloads, log = overtaken_builds(tmp_path, announcing)
    builds.first()
    builds([str(tmp_path / "content" / "a.md")])
    spare = builds._spare  # forked as the standby went, ready by the second save
    loop.run_until(lambda: len(reloads) == 1)  # its saved page is served
    assert builds._spare is spare
    builds([str(tmp_path / "content" / "a.md")])
    assert builds._next is spare and builds._running.paused
    loop.run_while(builds)
    builds.stop()
    lines = log.read_text().splitlines()
    assert [event for _, event in events(log)] == ["go", "end", "go", "go", "stopped", "end"]
    _, _, (older, _), (newer, _), *_ = events(log)
    newer_went, older_stopped = lines.index(f"{newer} go"), lines.index(f"{older} stopped")
    assert not any(line.startswith(older) for line in lines[newer_went + 1 : older_stopped])
    assert builds.status.error is None
    assert [dict(reload) for reload in reloads] == [
        {"article/index.html": tmp_path / "page-2.html"},  # the older one's saved page
        {"article/index.html": tmp_path / "page-3.html"},  # the newer one's
        {},  # the newer one's whole site
    ]
    assert not builds.running


def test_a_newer_save_that_fails_lets_the_older_rebuild_finish(tmp_path, announcing):
    """If the save that overtook a rebuild fails before its saved pages are
    written (it made a file invalid), the older rebuild goes on: its site,
    with the earlier save, is the last good one, under the newer one's banner."""
    builds, loop, reloads, log = overtaken_builds(tmp_path, announcing, fails={3})
    builds.first()
    builds([str(tmp_path / "content" / "a.md")])
    loop.run_until(lambda: len(reloads) == 1)
    builds([str(tmp_path / "content" / "a.md")])
    loop.run_while(builds)
    builds.stop()
    assert [event for _, event in events(log)] == ["go", "end", "go", "go", "failed", "end"]
    assert builds.status.error.endswith("Build failed: build 3 found a problem.")
    assert reloads[-1] == {} and len(reloads) == 2  # its saved page, then its whole site


def test_a_paused_rebuild_is_not_left_behind_when_the_server_stops(tmp_path, announcing):
    builds, loop, reloads, log = overtaken_builds(tmp_path, announcing)
    builds.first()
    builds([str(tmp_path / "content" / "a.md")])
    loop.run_until(lambda: len(reloads) == 1)
    builds([str(tmp_path / "content" / "a.md")])
    older, newer = builds._running, builds._next
    assert older.paused
    builds.close()  # as the server does when it stops: the newer one stops too
    loop.run_while(builds)
    assert builds._standby is None and builds._spare is None  # none started after it
    assert [event for _, event in events(log)][:3] == ["go", "end", "go"]
    assert f"{events(log)[2][0]} stopped" in log.read_text().splitlines()
    for process in (older, newer):
        with pytest.raises(ChildProcessError):  # it ended and was waited for
            os.waitpid(process.pid, os.WNOHANG)


def test_every_build_runs_in_a_process_of_its_own(tmp_path):
    """The server forks every rebuild, so it must hold no build's objects: the
    first build, before anything is served, runs in a process of its own too."""
    pids = tmp_path / "pids"

    def build(collect):
        with pids.open("a") as handle:
            handle.write(f"{os.getpid()} {collect}\n")

    builds, loop, reloads = builds_with(build, BuildStatus(error="an earlier failure"))
    builds.first()
    assert not builds.running and not loop.handlers  # done and waited for
    assert builds.status.error is None
    builds()
    assert builds.running  # the server goes on serving meanwhile
    loop.run_while(builds)
    first, rebuilt = (line.split() for line in pids.read_text().splitlines())
    assert os.getpid() not in (int(first[0]), int(rebuilt[0])) and first[0] != rebuilt[0]
    for pid in (first[0], rebuilt[0]):
        with pytest.raises(ChildProcessError):  # waited for: no zombie left
            os.waitpid(int(pid), os.WNOHANG)
    assert first[1] == rebuilt[1] == "False"  # their garbage goes with them
    assert builds.status.error is None and reloads == [{}]  # one, when the rebuild is done


def test_a_change_saved_during_a_rebuild_is_built_once_it_is_done(tmp_path):
    log = tmp_path / "builds"

    def build(collect):
        with log.open("a") as handle:
            handle.write("start\n")
        time.sleep(0.5)
        with log.open("a") as handle:
            handle.write("end\n")

    builds, loop, reloads = builds_with(build)
    builds()
    builds()  # two more saves while it runs: one more rebuild after it
    builds()
    loop.run_while(builds)
    assert log.read_text().split() == ["start", "end", "start", "end"]
    assert len(reloads) == 2


def test_a_failed_rebuild_shows_its_message(capfd):
    def failing(collect):
        print("articles/a.md: Title is missing", file=sys.stderr)
        raise Exit("Build failed: 1 content problem.")

    builds, loop, reloads = builds_with(failing)
    builds()
    loop.run_while(builds)
    assert builds.status.error == (
        "articles/a.md: Title is missing\nBuild failed: 1 content problem."
    )
    assert "Build failed: 1 content problem." in capfd.readouterr().err
    assert len(reloads) == 1  # the banner shows at once


def test_a_rebuild_whose_process_dies_says_so_and_the_next_save_builds_again(capfd):
    def dying(collect):
        os._exit(3)

    builds, loop, reloads = builds_with(dying)
    builds()
    loop.run_while(builds)
    assert "stopped before it finished (exit status 3)" in builds.status.error
    assert "Save again" in builds.status.error and len(reloads) == 1
    builds._build = lambda collect: None
    builds()
    loop.run_while(builds)
    assert builds.status.error is None


@pytest.mark.parametrize("standby", [False, True], ids=["forked-then", "ready-before"])
def test_the_saved_article_is_served_before_the_rest_is_built(tmp_path, standby, monkeypatch):
    """The rebuild writes the saved article's page first: the browser reloads
    to it while the rest is built, then once more; the site is the same.
    So it is when the rebuild got ready before the save (a standby)."""
    import kiosk_readcache
    from kiosk_readcache import store

    # A file's stat stands for its bytes even if it was written just now (the
    # test's files were; an editor's, but the one just saved, were not).
    monkeypatch.setattr(store, "RACY_SECONDS", 0)

    content, output = publishable_site(tmp_path), tmp_path / "output"
    settings, waiting = ROOT / "pelicanconf.py", tmp_path / "waiting"
    waiting.mkdir()

    def build(collect, folder=output, ready=None):
        # One file per process: the spare forked as the standby goes gets ready too.
        def ready_and_waiting():
            (waiting / f"ready-{os.getpid()}").touch()
            ready()

        build_site(settings, folder, content, quiet=True, collect=collect,
                   ready=ready and ready_and_waiting, KIOSK_SEARCH={"enabled": False})  # fmt: skip
        if ready is not None:  # in the standby's process: what it took ahead
            (waiting / f"ahead-{os.getpid()}").write_text(str(kiosk_readcache.last_stats["ahead"]))

    status = BuildStatus()
    texts = []
    builds, loop, reloads = builds_with(build, status, content=content if standby else None)
    builds._reload = lambda: texts.append(
        {name: file.read_text() for name, file in status.early.items()}
    )
    builds.first()
    if standby:
        wait_for(lambda: any(waiting.glob("ready-*")), 60, "the standby rebuild getting ready")
    edit(content.joinpath(*ARTICLE_FILE), "The body of the piece.",
         "The body of the piece, edited live.")  # fmt: skip
    builds([str(content.joinpath(*ARTICLE_FILE))])
    loop.run_while(builds)
    builds.stop()
    if standby:  # every other article came unpickled ahead
        articles = len(list((content / "articles").rglob("*.md")))
        (ahead,) = waiting.glob("ahead-*")  # the one that went
        assert int(ahead.read_text()) == articles - 1
    early, last = texts
    assert list(early) == [PAGE.strip("/") + "/index.html"]  # its page, and only it
    assert "edited live" in early[PAGE.strip("/") + "/index.html"]
    assert last == {} and not status.early  # then the whole site, from output/
    assert "edited live" in (output / PAGE.strip("/") / "index.html").read_text()
    build(True, tmp_path / "clean")  # in the usual order
    assert tree_digest(output) == tree_digest(tmp_path / "clean")


def test_a_real_rebuild_overtaken_by_a_second_save_leaves_a_clean_build_s_site(
    tmp_path, monkeypatch
):
    """Real builds of a small magazine: a second save while the first save's
    rebuild writes the rest of its site goes to the spare, which read the cache
    before that rebuild; the older rebuild is stopped; the site in place is
    byte for byte a clean build's, with both saves."""
    import deploy.preview
    from kiosk_readcache import store

    monkeypatch.setattr(store, "RACY_SECONDS", 0)  # as in the test above
    pages_first = deploy.preview.pages_of_saved_files_first

    @contextlib.contextmanager
    def slow_after_the_saved_pages(announce):
        def announce_then_take_time(pages):
            announce(pages)
            time.sleep(3)  # the rest of a large site

        with pages_first(announce_then_take_time):
            yield

    monkeypatch.setattr(deploy.preview, "pages_of_saved_files_first", slow_after_the_saved_pages)
    content, output = publishable_site(tmp_path), tmp_path / "output"
    settings, ready_folder = ROOT / "pelicanconf.py", tmp_path / "ready"
    ready_folder.mkdir()

    def build(collect, folder=output, ready=None):
        def ready_and_waiting():
            (ready_folder / str(os.getpid())).touch()
            ready()

        build_site(settings, folder, content, quiet=True, collect=collect,
                   ready=ready and ready_and_waiting, KIOSK_SEARCH={"enabled": False})  # fmt: skip

    status = BuildStatus()
    texts = []
    builds, loop, reloads = builds_with(build, status, content=content)
    builds._reload = lambda: texts.append(
        {name: file.read_text() for name, file in status.early.items()}
    )
    builds.first()
    wait_for(lambda: len(list(ready_folder.iterdir())) == 1, 60, "the standby ready")
    article = content.joinpath(*ARTICLE_FILE)
    edit(article, "The body of the piece.", "The body of the piece, edited live.")
    builds([str(article)])
    loop.run_until(lambda: len(texts) == 1, 60)  # its saved page is served
    older = builds._running
    edit(article, "edited live.", "edited live, twice.")
    builds([str(article)])
    assert builds._next is not None and older.paused
    loop.run_while(builds)
    builds.stop()
    assert older.stopped and status.error is None
    page = PAGE.strip("/") + "/index.html"
    first, second, last = texts
    assert "edited live." in first[page] and "edited live, twice." in second[page]
    assert last == {}
    assert "edited live, twice." in (output / page).read_text()
    build(True, tmp_path / "clean")
    assert tree_digest(output) == tree_digest(tmp_path / "clean")


def test_a_standby_build_checks_what_was_saved_while_it_waited(tmp_path, capfd):
    """A standby build validates the content as it is when told to go, and
    Pelican's "Done … in N seconds" leaves the wait out."""
    import re

    content, output = publishable_site(tmp_path), tmp_path / "output"
    article = content.joinpath(*ARTICLE_FILE)

    def build(ready=None):
        build_site(ROOT / "pelicanconf.py", output, content, quiet=True, collect=False,
                   ready=ready, KIOSK_SEARCH={"enabled": False})  # fmt: skip

    build()
    waited = []

    def save_then_go(old, new, path=article):
        def ready():
            started = time.monotonic()
            time.sleep(1)
            edit(path, old, new)
            waited.append(time.monotonic() - started)

        return ready

    capfd.readouterr()
    with pytest.raises(Exit):
        build(save_then_go("Title: ", "Titel: "))
    # (The file as the editor's shell names it: relative to where the build runs.)
    problem = f"{'/'.join(ARTICLE_FILE)}: Title: is required but missing or empty"
    assert problem in capfd.readouterr().err
    started = time.monotonic()
    build(save_then_go("Titel: ", "Title: "))
    wall = time.monotonic() - started
    assert "Titel" not in (output / PAGE.strip("/") / "index.html").read_text()
    done = re.findall(r"Done: Processed .*? in\s+([0-9.]+)\s+seconds", capfd.readouterr().out, re.S)
    (seconds,) = done  # Pelican's line (wrapped to the terminal's width)
    assert float(seconds) <= wall - waited[-1] + 0.05
    # A value Pelican takes but the contract does not: validation (which runs
    # beside the reading in a standby) stops the build before it writes.
    with pytest.raises(Exit):
        build(save_then_go("Region: Europe", "Region: Europe\nSubtitel: A dek"))
    assert f"{'/'.join(ARTICLE_FILE)}: Subtitel: is not a known key" in capfd.readouterr().err
    edit(article, "Region: Europe\nSubtitel: A dek", "Region: Europe")
    # An author's profile is read before the wait, and again if saved during it.
    profile = content / "authors" / "samuel-hale.md"
    build(save_then_go("Samuel Hale writes.", "Samuel Hale writes from Vienna.", profile))
    page = BeautifulSoup((output / "author" / "samuel-hale" / "index.html").read_text(),
                         "html.parser")  # fmt: skip
    assert "Samuel Hale writes from Vienna." in page.get_text()


def test_a_change_that_rereads_many_files_keeps_pelican_s_order_and_reloads_once(
    tmp_path, monkeypatch
):
    """Changed code or settings make every read new: that is no editor's save,
    and one reload per page (10,000 at the benchmark's size) would be absurd."""
    from deploy import preview

    monkeypatch.setattr(preview, "SAVED_FILES_MAX", 1)  # the forked rebuild has it too
    content, output = publishable_site(tmp_path), tmp_path / "output"

    def build(collect):
        build_site(ROOT / "pelicanconf.py", output, content, quiet=True, collect=collect,
                   KIOSK_SEARCH={"enabled": False})  # fmt: skip

    status = BuildStatus()
    builds, loop, reloads = builds_with(build, status)
    builds.first()
    edit(content.joinpath(*ARTICLE_FILE), "The body of the piece.", "The body, edited.")
    edit(content / "articles" / "2024" / "brief.md", "reopened on Monday", "reopened on Tuesday")
    builds()
    loop.run_while(builds)
    assert reloads == [{}]  # no page early: one reload, once the site is in place
    assert "The body, edited." in (output / PAGE.strip("/") / "index.html").read_text()


def test_a_page_written_early_is_served_until_its_folder_moves(tmp_path):
    root, staging = tmp_path / "output", tmp_path / "staging"
    for folder, text in ((root, "old"), (staging, "new")):
        (folder / "a").mkdir(parents=True)
        (folder / "a" / "index.html").write_text(f"<html><body>{text}</body></html>")
    status = BuildStatus(early={"a/index.html": staging / "a" / "index.html"})
    app = preview_app(root, status)

    def get(path):
        answer = []
        body = b"".join(app({"PATH_INFO": path}, lambda code, headers: answer.append(code)))
        return answer[0], body.decode()

    assert get("/a/") == ("200 OK", "<html><body>new</body></html>")
    assert get("/a/index.html")[1].endswith("new</body></html>")
    shutil.rmtree(staging)  # the rebuild's folder became output/
    assert get("/a/") == ("200 OK", "<html><body>old</body></html>")


def test_the_kernel_s_notice_of_a_save_starts_one_rebuild_on_the_server_s_loop(tmp_path):
    """watchfiles tells of a change under a watched folder: the rebuild is
    called on the server's loop, once per batch, never for other folders."""
    import threading

    from deploy.preview import notify_changes

    content, elsewhere = tmp_path / "content", tmp_path / "output"
    (content / "articles").mkdir(parents=True)
    elsewhere.mkdir()
    calls = []

    class Loop:
        def add_callback(self, function, *args):
            calls.append(args)

    stop = threading.Event()
    thread = notify_changes([content], lambda: None, Loop(), stop)
    try:
        # No wait: the kernel's watch is in place once notify_changes returns.
        (elsewhere / "page.html").write_text("a build's output")
        (content / "articles" / "a.md").write_text("Title: A\n\nBody.\n")
        wait_for(lambda: calls, 10, "the change being noticed")
        time.sleep(0.5)
        # One batch, with the path saved, and nothing for the output's file.
        assert calls == [([str(content / "articles" / "a.md")],)]
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_a_save_before_the_server_starts_is_passed_to_its_loop(tmp_path):
    """The watcher is made before the first build and watches from then on:
    what an editor saves while that build runs is handed to the server's loop
    (tornado keeps it until the loop runs), and a folder that cannot be
    watched is an error at once, not a silence."""
    from deploy.preview import PreviewWatcher

    content = tmp_path / "content"
    content.mkdir()
    handed = []

    class Loop:  # the server's, not running yet
        def add_callback(self, function, *args):
            handed.append((function, args))

    def rebuild(paths):
        pass

    watcher = PreviewWatcher([content], rebuild, Loop())
    try:
        (content / "saved-during-the-first-build.md").write_text("Title: A\n\nBody.\n")
        wait_for(lambda: handed, 10, "the save being handed to the loop")
        assert handed == [(rebuild, ([str(content / "saved-during-the-first-build.md")],))]
        assert watcher.start(lambda: None) is False  # livereload polls the settings file only
    finally:
        watcher.stop.set()
    with pytest.raises(FileNotFoundError):
        PreviewWatcher([tmp_path / "no-such-folder"], rebuild, Loop())


def test_a_browser_that_connects_with_a_page_from_before_a_change_reloads():
    """A reload sent while the browser was itself reloading reaches nobody: the
    page it then shows is from before, and it is told so when it connects."""
    status = BuildStatus()
    app = preview_app(ROOT / "theme", status)  # any folder: the 404 page is HTML too
    app({"PATH_INFO": "/a/"}, lambda code, headers: None)  # sent at generation 0
    app({"PATH_INFO": "/b/"}, lambda code, headers: None)
    status.changed()  # a rebuild's reload, to no one
    app({"PATH_INFO": "/b/"}, lambda code, headers: None)  # /b/ again, after it

    class Handler:
        waiters = set()

        def __init__(self):
            self.sent = []

        def on_message(self, message):  # livereload's: 'info' makes it a waiter
            if json.loads(message)["command"] == "info":
                Handler.waiters.add(self)

        def send_message(self, message):
            self.sent.append(message)

    reload_stale_pages(Handler, status)
    browsers = {}
    for page in ("/a/", "/b/", "/never-served/"):
        browsers[page] = browser = Handler()
        browser.on_message(json.dumps({"command": "hello"}))
        browser.on_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:8000{page}"}))
    assert [m["command"] for m in browsers["/a/"].sent] == ["reload"]
    assert browsers["/b/"].sent == [] and browsers["/never-served/"].sent == []


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    """(status, body text) of a GET; 4xx/5xx are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def wait_for(predicate, seconds, what):
    """Poll ``predicate`` every 0.1 s; return how long it took, fail after ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {seconds} s")


def start_livereload(tmp_path, content, port, log):
    """`invoke livereload` on ``port`` over ``content``, into ``tmp_path/output``."""
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "livereload", "--port", str(port),
         "--content", str(content), "--output", str(tmp_path / "output")],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def fetch_if_serving(url):
    """``fetch(url)``, or None while nothing answers on its port."""
    try:
        return fetch(url)
    except OSError:
        return None


@pytest.fixture
def preview(tmp_path):
    """`invoke livereload` on a free port over a copy of a tiny site."""
    content, port = publishable_site(tmp_path), _free_port()
    log = (tmp_path / "terminal.txt").open("w")
    proc = start_livereload(tmp_path, content, port, log)
    url = f"http://127.0.0.1:{port}"

    def serving():
        answer = fetch_if_serving(url + PAGE)
        return answer is not None and answer[0] == 200

    try:
        wait_for(serving, 60, "the preview server answering")
        yield {"url": url, "article": content.joinpath(*ARTICLE_FILE),
               "terminal": tmp_path / "terminal.txt"}  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_saved_change_is_served(preview):
    # How fast is the benchmark's business (invoke bench --preview), not a test's.
    url, article = preview["url"] + PAGE, preview["article"]
    assert "edited live" not in fetch(url)[1]
    edit(article, "The body of the piece.", "The body of the piece, edited live.")
    wait_for(lambda: "edited live" in fetch(url)[1], 60, "the edit showing up")
    # The page carries the livereload client, which refreshes the open tab.
    assert "livereload.js" in fetch(url)[1]


def test_a_change_saved_during_the_first_build_is_served(tmp_path):
    """An editor who starts the preview and saves while its first build runs,
    after that build read the file, gets the edit once the server runs."""
    content, port = publishable_site(tmp_path), _free_port()
    url = f"http://127.0.0.1:{port}{PAGE}"
    with (tmp_path / "terminal.txt").open("w") as log:
        proc = start_livereload(tmp_path, content, port, log)
        try:
            # The first build has written the page (into its staging folder,
            # kiosk_staging), so it read the article before the save.
            page = PAGE.strip("/") + "/index.html"
            written = lambda: any(tmp_path.glob(f".output-staging-*/{page}"))  # noqa: E731
            wait_for(lambda: written() or (tmp_path / "output" / page).exists(), 60,
                     "the first build writing the page")  # fmt: skip
            edit(content.joinpath(*ARTICLE_FILE), "The body of the piece.",
                 "The body of the piece, edited live.")  # fmt: skip

            def served():
                answer = fetch_if_serving(url)
                return answer is not None and "edited live" in answer[1]

            wait_for(served, 60, "the edit showing up")
        finally:
            proc.terminate()
            proc.wait(10)


def test_preview_serves_pretty_urls_and_the_404_page(preview):
    assert fetch(preview["url"] + "/latest/")[0] == 200
    status, body = fetch(preview["url"] + "/no-such-page/")
    assert status == 404 and "<h1" in body


def test_a_content_error_shows_a_banner_and_the_last_good_page(preview):
    url, article = preview["url"] + PAGE, preview["article"]
    good = fetch(url)[1]
    edit(article, "Region: Europe", "Region: Atlantis")
    wait_for(lambda: "kiosk-build-error" in fetch(url)[1], 10, "the error banner")
    status, page = fetch(url)
    assert status == 200
    assert "Region: &#x27;Atlantis&#x27; is not one of" in page
    assert "A summit without the other side" in page  # still the last good article
    assert (
        page.replace(
            page[
                page.index('<div id="kiosk-build-error"') : page.index(
                    "</div>", page.index("kiosk-build-error")
                )
                + 6
            ],
            "",
        )
        == good
    )
    assert "kiosk-build-error" in fetch(preview["url"] + "/latest/")[1]
    assert "Region: 'Atlantis' is not one of" in preview["terminal"].read_text()
    # Fixing the file takes the banner away.
    edit(article, "Region: Atlantis", "Region: Europe")
    wait_for(lambda: "kiosk-build-error" not in fetch(url)[1], 10, "the banner going away")


@pytest.mark.browser
def test_the_open_page_refreshes_itself_after_a_save(preview, page):
    from playwright.sync_api import expect

    page.goto(preview["url"] + PAGE)
    expect(page.locator("h1")).to_contain_text("summit")
    edit(preview["article"], "The body of the piece.", "The body of the piece, edited live.")
    expect(page.locator("body")).to_contain_text("edited live", timeout=10_000)
    edit(preview["article"], "Region: Europe", "Region: Atlantis")
    expect(page.get_by_role("alert")).to_contain_text("Atlantis", timeout=10_000)
    expect(page.locator("body")).to_contain_text("edited live")
