"""A rebuild with nothing changed does nothing, and anything that changes the
site makes the next build a real one (kiosk_uptodate, called by build_site).

Editors run `invoke build` again and again; when nothing they or anyone else
touched has changed, the site on disk already is what a build would write.
But a stale site is worse than a slow build, so every input is a reason to
build: content, templates, plugins, settings, the clock, and the output itself.
"""

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from invoke import Exit

import kiosk_uptodate
from tasks import CONFIG, ROOT, _settings, build_site
from tests.conftest import invoke
from tests.sites import ARTICLE, write_markdown, write_site


def stamps(folder: Path) -> dict:
    """Every output file's identity and modification time: what a rewrite changes."""
    return {
        str(path.relative_to(folder)): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in folder.rglob("*") if path.is_file()
    }  # fmt: skip


def text_of(page: Path, selector: str) -> str:
    return BeautifulSoup(page.read_bytes(), "lxml").select_one(selector).get_text(" ", strip=True)


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    content = write_site(tmp_path)
    output = tmp_path / "output"
    summary = build_site(CONFIG["dev"], output, content, quiet=True)
    assert not summary.get("up_to_date")
    return content, output


def rebuild(content, output, settings=CONFIG["dev"], **override):
    return build_site(settings, output, content, quiet=True, **override)


def test_invoke_build_twice_says_up_to_date_and_rewrites_nothing(tmp_path):
    content = write_site(tmp_path)
    output = tmp_path / "output"
    args = ("build", "--content", str(content), "--output", str(output))
    first = invoke(*args)
    assert "Built output/" in first.stdout
    before = stamps(output)

    second = invoke(*args)

    assert "output/ is up to date" in second.stdout
    assert stamps(output) == before, "a no-change rebuild rewrote files"
    forced = invoke(*args, "--force")
    assert "Built output/" in forced.stdout


def test_an_edited_article_is_rebuilt(site):
    content, output = site
    edited = {**ARTICLE, "Title": "A summit, rescheduled"}
    write_markdown(content / "articles" / "2024" / "summit.md", edited, "The body of the piece.")

    summary = rebuild(content, output)

    assert not summary.get("up_to_date")
    page = output / ARTICLE["Slug"] / "index.html"
    assert text_of(page, "h1") == "A summit, rescheduled"


def test_a_new_image_file_is_an_input(site):
    content, output = site
    shutil.copy(content / "images" / "2024" / "hall.jpg", content / "images" / "2024" / "new.jpg")
    assert not rebuild(content, output).get("up_to_date")
    assert (output / "images" / "2024" / "new.jpg").is_file()


def test_a_changed_setting_rebuilds(site):
    content, output = site
    summary = rebuild(content, output, SITENAME="Kiosk Weekly")
    assert not summary.get("up_to_date")
    assert "Kiosk Weekly" in text_of(output / "index.html", "title")


def test_a_changed_template_rebuilds(site, tmp_path):
    content, output = site
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings = tmp_path / "themed.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                        f"from pelicanconf import *\nTHEME = {str(theme)!r}\n")  # fmt: skip
    rebuild(content, output, settings)
    assert rebuild(content, output, settings).get("up_to_date")

    skip_link = theme / "templates" / "base.html"
    skip_link.write_text(skip_link.read_text().replace("Skip to content", "Skip to the story"))

    assert not rebuild(content, output, settings).get("up_to_date")
    assert text_of(output / "index.html", "a.skip-link") == "Skip to the story"


def test_plugin_code_counts_wherever_it_is_imported_from(tmp_path, monkeypatch):
    # A settings file outside the repository resolves PLUGIN_PATHS = ["plugins"]
    # to a folder that does not exist, while the plugins still import from
    # sys.path: their code must be fingerprinted all the same.
    plugins = tmp_path / "elsewhere"
    (plugins / "kiosk_probe").mkdir(parents=True)
    (plugins / "kiosk_probe" / "__init__.py").write_text("def register():\n    pass\n")
    (plugins / "kiosk_shared.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(plugins))
    settings = {"PLUGIN_PATHS": [str(tmp_path / "missing")], "PLUGINS": ["kiosk_probe"]}
    assert plugins in kiosk_uptodate.plugin_folders(settings)

    def fingerprint():
        return kiosk_uptodate.code_fingerprint(settings, tmp_path / "conf.py", tmp_path)

    before = fingerprint()
    assert fingerprint() == before
    (plugins / "kiosk_shared.py").write_text("VALUE = 2\n")  # a module the plugin imports
    assert fingerprint() != before


def test_a_deleted_output_file_makes_the_next_build_restore_it(site):
    content, output = site
    (output / "index.html").unlink()
    assert not rebuild(content, output).get("up_to_date")
    assert (output / "index.html").is_file()


def test_a_hand_edited_output_file_is_rebuilt(site):
    content, output = site
    page = output / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<main", b"<main data-edited"))
    os.utime(page, ns=(0, 0))  # even with a faked mtime: the inode and size differ

    rebuild(content, output)

    assert page.read_bytes() == original


def test_a_build_that_failed_is_tried_again(site):
    content, output = site
    broken = content / "articles" / "2024" / "summit.md"
    broken.write_text(broken.read_text().replace("Section: Reporting", "Section: Gossip"))
    for _ in range(2):
        with pytest.raises(Exit):
            rebuild(content, output)
    broken.write_text(broken.read_text().replace("Section: Gossip", "Section: Reporting"))
    assert not rebuild(content, output).get("up_to_date")
    assert rebuild(content, output).get("up_to_date")


def test_the_clock_publishes_a_scheduled_article(tmp_path, monkeypatch):
    """A future Date is published by the first build after it: that build is a real one."""
    monkeypatch.chdir(ROOT)
    content = write_site(tmp_path)
    soon = datetime.now(UTC) + timedelta(hours=2)
    header = {key: value for key, value in ARTICLE.items() if key != "Modified"}
    header |= {"Slug": "later", "Title": "Later", "Date": soon.strftime("%Y-%m-%dT%H:%M:%S+00:00")}
    write_markdown(content / "articles" / "2024" / "later.md", header, "Not yet.")
    output = tmp_path / "output"
    build_site(CONFIG["dev"], output, content, quiet=True)
    settings = _settings(CONFIG["dev"], content, OUTPUT_PATH="unused")
    found = kiosk_uptodate.inputs(settings, CONFIG["dev"], ROOT)

    assert kiosk_uptodate.is_current(output, found, datetime.now(UTC))
    assert kiosk_uptodate.is_current(output, found, soon - timedelta(minutes=1))
    assert not kiosk_uptodate.is_current(output, found, soon + timedelta(minutes=1))
    # ... and when the article leaves the news sitemap's 48 hours.
    assert not kiosk_uptodate.is_current(output, found, soon + timedelta(hours=49))


def test_only_the_clock_s_moments_still_ahead_are_kept():
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    class Piece:
        def __init__(self, date):
            self.date = date

    pieces = [
        Piece(now - timedelta(days=30)),  # published, long out of the news sitemap
        Piece(now - timedelta(hours=47)),  # leaves the news sitemap in an hour
        Piece(now + timedelta(hours=2)),  # scheduled
        Piece(datetime(2026, 12, 2, 0, 0)),  # no time zone: a span around its day
        Piece(None),
    ]

    ahead = kiosk_uptodate.moments(pieces, since=now)

    assert ahead == [
        # the zoneless date plus 48 hours, in any time zone on Earth
        ["2026-12-03T10:00:00+00:00", "2026-12-04T14:00:00+00:00"],
        ["2026-12-03T13:00:00+00:00", "2026-12-03T13:00:00+00:00"],
        ["2026-12-03T14:00:00+00:00", "2026-12-03T14:00:00+00:00"],
        ["2026-12-05T14:00:00+00:00", "2026-12-05T14:00:00+00:00"],
    ]
    # Exactly the moments a stamp would have kept of them all.
    every = kiosk_uptodate.moments(pieces)
    assert ahead == [m for m in every if datetime.fromisoformat(m[1]) >= now]
    assert len(every) == 8


def test_a_corrupt_stamp_means_build(site):
    content, output = site
    kiosk_uptodate.stamp_path(output).write_text("{not json")
    assert not rebuild(content, output).get("up_to_date")
    assert rebuild(content, output).get("up_to_date")


def test_the_stamp_is_beside_the_output_never_in_it(site):
    content, output = site
    assert kiosk_uptodate.stamp_path(output).parent == output.parent
    assert not [p for p in output.rglob("*") if "stamp" in p.name]


@pytest.fixture
def odd_tree(tmp_path):
    """An output with what a walk can trip on: nesting, links of every kind, a non-UTF-8 name."""
    root = tmp_path / "out"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "index.html").write_text("<p>deep</p>")
    (root / "a.html").write_text("x" * 10)
    (root / "a" / "empty").mkdir()
    (root / "alias.html").symlink_to(root / "a.html")
    (root / "gone.html").symlink_to(root / "nowhere.html")
    (root / "folder-link").symlink_to(root / "a")
    (root / os.fsdecode(b"caf\xe9.txt")).write_text("latin-1 name")
    return root


def test_the_walk_by_find_is_the_walk_in_python(odd_tree):
    # The no-change check walks the output in a `find` process beside the imports;
    # its stamp may have been written by either walk.
    here, there = {}, {}
    walked = kiosk_uptodate.tree_fingerprint(odd_tree, follow=False, sizes=here)
    assert kiosk_uptodate.TreeWalk(odd_tree).fingerprint(there) == walked != ""
    assert there == here
    assert here["a/b/index.html"] == 11 and here["alias.html"] is None
    assert "folder-link" in here and "a/empty" not in here


def test_without_gnu_find_the_output_is_walked_here(odd_tree, monkeypatch):
    walked = kiosk_uptodate.tree_fingerprint(odd_tree, follow=False)
    monkeypatch.setenv("PATH", str(odd_tree / "a"))  # no find at all
    assert kiosk_uptodate.TreeWalk(odd_tree).fingerprint() == walked
    fake = odd_tree.parent / "bin"
    fake.mkdir()
    (fake / "find").write_text("#!/bin/sh\necho 'find: unknown predicate -printf' >&2\nexit 1\n")
    (fake / "find").chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))  # a find without -printf
    assert kiosk_uptodate.TreeWalk(odd_tree).fingerprint() == walked


def test_any_change_to_the_output_changes_the_walk_by_find(odd_tree):
    before = kiosk_uptodate.TreeWalk(odd_tree).fingerprint()
    page = odd_tree / "a" / "b" / "index.html"
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 1))  # 1 ns later
    assert kiosk_uptodate.TreeWalk(odd_tree).fingerprint() != before
    assert kiosk_uptodate.TreeWalk(odd_tree / "missing").fingerprint() == ""


def test_a_walk_not_needed_is_stopped(site, monkeypatch):
    content, output = site
    walks = []
    start = kiosk_uptodate.TreeWalk.__init__

    def started(self, folder, follow=False):
        start(self, folder, follow)
        walks.append(self)

    monkeypatch.setattr(kiosk_uptodate.TreeWalk, "__init__", started)
    (content / "articles" / "2024" / "summit.md").touch()
    assert not rebuild(content, output).get("up_to_date")
    # The content's walk and the stamp's were read to the end; the no-change
    # check's walk of the output was stopped unread, the content having changed.
    assert [(w.folder, w.follow) for w in walks] == [(output, False), (content, True),
                                                    (output, False)]  # fmt: skip
    assert all(w._process is None and w._listing.closed for w in walks)
    assert rebuild(content, output).get("up_to_date")


def test_a_published_site_is_walked_for_its_stamp_beside_its_check(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    content = write_site(tmp_path)
    output = tmp_path / "output"
    walks = []
    start = kiosk_uptodate.TreeWalk.__init__

    def started(self, folder, follow=False):
        start(self, folder, follow)
        walks.append(self.folder.name)

    monkeypatch.setattr(kiosk_uptodate.TreeWalk, "__init__", started)
    assert not rebuild(content, output, CONFIG["prod"]).get("up_to_date")

    # kiosk_verify, which only reads the finished site, started the stamp's walk
    # of the staging folder; no walk of the output followed the swap …
    assert [name.startswith(".output-staging-") for name in walks] == [False, True]
    # … and the stamp holds what a walk of the output now gives.
    stamp = json.loads(kiosk_uptodate.stamp_path(output).read_text(encoding="utf-8"))
    assert stamp["output"] == kiosk_uptodate.tree_fingerprint(output, follow=False)
    assert rebuild(content, output, CONFIG["prod"]).get("up_to_date")


def test_a_finished_site_is_walked_early_only_for_a_build_that_asked(tmp_path):
    kiosk_uptodate.site_finished(tmp_path)  # a Pelican run of its own (tests, plugins)
    assert kiosk_uptodate.finished_walk(tmp_path) is None

    kiosk_uptodate.await_site(tmp_path)
    kiosk_uptodate.site_finished(tmp_path)
    walk = kiosk_uptodate.finished_walk(tmp_path)
    assert walk.fingerprint() == kiosk_uptodate.tree_fingerprint(tmp_path, follow=False)
    assert kiosk_uptodate.finished_walk(tmp_path) is None


def test_the_content_walk_by_find_follows_links_as_the_python_walk_does(odd_tree):
    (odd_tree.parent / "shared").mkdir()
    (odd_tree.parent / "shared" / "note.md").write_text("Shared.")
    (odd_tree / "gone.html").unlink()  # a link to nothing: the walks differ (TreeWalk)
    (odd_tree / "shared-link").symlink_to(odd_tree.parent / "shared")
    walked = kiosk_uptodate.tree_fingerprint(odd_tree, follow=True)
    assert kiosk_uptodate.TreeWalk(odd_tree, follow=True).fingerprint() == walked != ""
    note = odd_tree.parent / "shared" / "note.md"
    note.write_text("Changed through the link.")
    assert kiosk_uptodate.TreeWalk(odd_tree, follow=True).fingerprint() != walked


def test_a_content_walk_of_another_folder_is_stopped_and_path_walked(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    content = write_site(tmp_path)
    settings = _settings(CONFIG["dev"], content, OUTPUT_PATH="unused")
    elsewhere = kiosk_uptodate.TreeWalk(ROOT / "theme", follow=True)
    found = kiosk_uptodate.inputs(settings, CONFIG["dev"], ROOT, elsewhere)
    assert elsewhere._process is None and elsewhere._listing.closed
    assert found == kiosk_uptodate.inputs(settings, CONFIG["dev"], ROOT)
    assert found["content"] == kiosk_uptodate.tree_fingerprint(content)
