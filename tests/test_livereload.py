"""`invoke livereload`, the editor's loop: save a file, see the page change;
break a file, see what is wrong on the page while the last good page stays."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from invoke import Exit
from test_publish import publishable_site

from deploy.preview import BuildStatus, PreviewBuilds, with_banner
from tests.conftest import ROOT

PAGE = "/summit-without-the-other-side/"
ARTICLE_FILE = ("articles", "2024", "summit.md")


def test_banner_shows_the_problem_as_text_at_the_top_of_the_page():
    page = with_banner(b'<html><body class="x"><h1>Old</h1></body></html>', "Title: <b>bad</b>")
    assert page.index(b'id="kiosk-build-error"') < page.index(b"<h1>Old</h1>")
    assert page.startswith(b'<html><body class="x"><div')
    assert b"Title: &lt;b&gt;bad&lt;/b&gt;" in page and b"<b>bad" not in page
    assert b"<script" not in page


def test_a_rebuild_returns_for_the_reload_before_its_garbage_is_collected():
    """The browser reloads when a rebuild returns; collecting the build's garbage
    blocks the server, so it comes once the page has been served."""
    events = []
    scheduled = []
    builds = PreviewBuilds(
        build=lambda collect: events.append(("build", collect)),
        status=BuildStatus(error="an earlier failure"),
        later=lambda seconds, function, **kwargs: scheduled.append((seconds, function, kwargs)),
        release=lambda **kwargs: events.append(("collected", kwargs)),
    )
    builds.first()  # before serving: nobody waits, so the build collects itself
    assert events == [("build", True)] and not scheduled
    builds()
    assert events == [("build", True), ("build", False)]
    assert builds.status.error is None
    [(seconds, release, kwargs)] = scheduled
    assert seconds >= 1  # after the browser's requests for the page
    release(**kwargs)
    assert events[-1] == ("collected", {"freeze": False})  # all of it, nothing kept frozen


def test_a_failed_rebuild_shows_its_message_and_still_collects(capsys):
    scheduled = []

    def failing(collect):
        print("articles/a.md: Title is missing", file=sys.stderr)
        raise Exit("Build failed: 1 content problem.")

    builds = PreviewBuilds(failing, BuildStatus(), lambda *a, **k: scheduled.append(a), None)
    builds()
    assert builds.status.error == (
        "articles/a.md: Title is missing\nBuild failed: 1 content problem."
    )
    assert "Build failed: 1 content problem." in capsys.readouterr().err
    assert len(scheduled) == 1


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


@pytest.fixture
def preview(tmp_path):
    """`invoke livereload` on a free port over a copy of a tiny site."""
    content, port = publishable_site(tmp_path), _free_port()
    log = (tmp_path / "terminal.txt").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "invoke", "livereload", "--port", str(port),
         "--content", str(content), "--output", str(tmp_path / "output")],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def serving():
        try:
            return fetch(url + PAGE)[0] == 200
        except OSError:
            return False

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
