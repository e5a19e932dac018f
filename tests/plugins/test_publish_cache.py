"""kiosk_publish on a rebuild: only new bytes are minified and compressed.

Each test writes a small finished site (the folder Pelican leaves) into
``tmp_path`` and runs ``finish_site`` on a fresh copy of it, the way every
publish starts from freshly rendered pages; the cache folder is what carries
over between builds. Counts come from ``finish_site``, and minify-html is
counted directly where the work stays in this process (``workers=1``).
"""

import gzip
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import brotli
import pytest
from pelican.writers import Writer

import kiosk_filecache
from kiosk_filecache import EntryStore
from kiosk_publish import finish_site, publish_settings
from kiosk_publish import minify as minify_module
from tests.sites import tree_digest

SITE_URL = "https://kiosk.example"


def page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=en>\n  <head>\n    <title>" + title + "</title>\n"
        '    <link rel="stylesheet" href="' + SITE_URL + '/theme/css/kiosk.css">\n'
        "  </head>\n  <body>\n    <main>\n      " + body + "\n    </main>\n"
        '    <script src="/theme/js/kiosk.js"></script>\n  </body>\n</html>\n'
    )


SOURCE = {
    "index.html": page("Kiosk", "<p>Home</p>\n      <p>Latest</p>"),
    "latest/index.html": page("Latest", "<ul>\n        <li>One</li>\n      </ul>"),
    "story/index.html": page("Story", "<p>A summit   without the other side.</p>" * 40),
    "crlf/index.html": page("Windows", "<p>One</p>").replace("\n", "\r\n"),
    "feeds/latest.atom.xml": '<?xml version="1.0"?><feed><title>Kiosk</title></feed>\n',
    "robots.txt": "User-agent: *\nSitemap: " + SITE_URL + "/sitemap.xml\n",
    "theme/css/kiosk.css": "body { color: #111 }\n",
    "theme/js/kiosk.js": "document.documentElement.className = 'js';\n",
    "extra/styles.css": "@import url(/theme/css/kiosk.css);\n",
}


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "rendered"
    for relative, text in SOURCE.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    return folder


def config(cache, fresh=None) -> dict:
    """``fresh``: True for fresh worker processes, False for forked ones, None as configured."""
    given = {"enabled": True, "cache_path": str(cache) if cache else None}
    if fresh is not None:
        given["fresh_workers_above_mb"] = 0 if fresh else None
    return publish_settings({"THEME_STATIC_DIR": "theme", "PUBLISH_PIPELINE": given})


def publish(source: Path, output: Path, cache, workers=1, fresh=None) -> dict:
    """A publish of ``source`` into a fresh ``output``: (counts, digest of the tree)."""
    shutil.rmtree(output, ignore_errors=True)
    shutil.copytree(source, output)
    counts = finish_site(output, config(cache, fresh), workers=workers)
    return counts, tree_digest(output)


def record_calls(monkeypatch, owner, name, calls, note=lambda first, *_: first):
    """Make ``owner.name`` append ``note(*args)`` to ``calls`` before doing its work."""
    real = getattr(owner, name)

    def recording(*args, **kwargs):
        calls.append(note(*args))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls


@pytest.fixture
def minify_calls(monkeypatch):
    return record_calls(monkeypatch, minify_module, "minify_page", [])


def test_a_rebuild_with_nothing_changed_minifies_and_compresses_nothing(
    source, tmp_path, minify_calls
):
    cache = tmp_path / "cache"
    counts, first = publish(source, tmp_path / "out", cache)
    assert counts == {"minified": 4, "minify_reused": 0, "compressed": 9, "reused": 0}
    assert len(minify_calls) == 4
    minify_calls.clear()
    counts, second = publish(source, tmp_path / "out", cache)
    assert counts == {"minified": 0, "minify_reused": 4, "compressed": 0, "reused": 9}
    assert minify_calls == []
    assert second == first


def test_cached_uncached_and_parallel_publishes_are_byte_identical(source, tmp_path):
    _, uncached = publish(source, tmp_path / "a", None)
    _, cold = publish(source, tmp_path / "b", tmp_path / "cache")
    _, warm = publish(source, tmp_path / "c", tmp_path / "cache")
    _, forked = publish(source, tmp_path / "d", tmp_path / "cache-2", workers=2, fresh=False)
    _, fresh = publish(source, tmp_path / "e", tmp_path / "cache-3", workers=2, fresh=True)
    _, fresh_warm = publish(source, tmp_path / "f", tmp_path / "cache-3", workers=2, fresh=True)
    assert uncached == cold == warm == forked == fresh == fresh_warm
    output = tmp_path / "c"
    assert "\n  <" not in (output / "story" / "index.html").read_text()
    (css,) = (output / "theme" / "css").glob("kiosk.*.css")
    assert f"{SITE_URL}/theme/css/{css.name}" in (output / "index.html").read_text()
    assert f"/theme/css/{css.name}" in (output / "extra" / "styles.css").read_text()
    for path in output.rglob("*"):
        if path.suffix in (".html", ".css", ".js", ".xml", ".txt"):
            original = path.read_bytes()
            assert gzip.decompress(Path(f"{path}.gz").read_bytes()) == original
            assert brotli.decompress(Path(f"{path}.br").read_bytes()) == original


def test_an_edited_page_is_minified_and_compressed_again_and_only_it(
    source, tmp_path, minify_calls
):
    cache = tmp_path / "cache"
    publish(source, tmp_path / "out", cache)
    minify_calls.clear()
    story = source / "story" / "index.html"
    story.write_text(story.read_text().replace("Story", "Story, corrected"))
    counts, rebuilt = publish(source, tmp_path / "out", cache)
    assert counts == {"minified": 1, "minify_reused": 3, "compressed": 1, "reused": 8}
    assert len(minify_calls) == 1 and "Story, corrected" in minify_calls[0]
    assert rebuilt == publish(source, tmp_path / "clean", None)[1]


def test_a_new_stylesheet_name_makes_every_page_new(source, tmp_path):
    cache = tmp_path / "cache"
    publish(source, tmp_path / "out", cache)
    (source / "theme" / "css" / "kiosk.css").write_text("body { color: #222 }\n")
    counts, rebuilt = publish(source, tmp_path / "out", cache)
    assert counts["minified"] == 4, "a page was served with the old stylesheet name"
    assert rebuilt == publish(source, tmp_path / "clean", None)[1]


def test_corrupt_or_truncated_entries_are_redone_not_trusted(source, tmp_path):
    cache = tmp_path / "cache"
    _, expected = publish(source, tmp_path / "out", cache)
    (minified, *_) = sorted(cache.glob("*.min"))
    data = bytearray(minified.read_bytes())
    data[-5] ^= 0x01  # one bit flipped
    minified.write_bytes(bytes(data))
    first, second = (path.name.split(".")[0] for path in sorted(cache.glob("*.br"))[:2])
    brotli_entry = cache / f"{first}.br"
    brotli_entry.write_bytes(brotli_entry.read_bytes()[:-1])  # truncated
    (cache / f"{second}.sum").write_bytes(b"KFC1")  # a header and nothing else
    # Read only if the index lacks it: a sound index entry would vouch for the files.
    (tmp_path / "cache.index").unlink()
    counts, rebuilt = publish(source, tmp_path / "out", cache)
    assert (counts["minified"], counts["compressed"]) == (1, 2)
    assert rebuilt == expected
    counts, _ = publish(source, tmp_path / "out", cache)
    assert (counts["minified"], counts["compressed"]) == (0, 0), "bad entries were kept"


def test_the_cache_keeps_one_site_and_no_stray_temporary_file(source, tmp_path):
    cache = tmp_path / "cache"
    publish(source, tmp_path / "out", cache)
    full = len(list(cache.iterdir()))
    assert full == 4 * 2 + 9 * 3  # .min and .sum per page; .gz, .br and .sum per text file
    (cache / ".tmp-1-abc").write_bytes(b"half-written")  # an interrupted write
    shutil.rmtree(source / "latest")
    publish(source, tmp_path / "out", cache)
    assert len(list(cache.iterdir())) == full - 2 - 3


def test_pages_and_siblings_are_hard_links_into_the_cache_with_the_usual_mode(source, tmp_path):
    cache = tmp_path / "cache"
    publish(source, tmp_path / "out", cache)
    publish(source, tmp_path / "out", cache)
    inodes = {path.stat().st_ino for path in cache.iterdir()}
    umask = os.umask(0o022)
    os.umask(umask)
    for name in ("index.html", "index.html.br", "story/index.html", "story/index.html.gz"):
        linked = (tmp_path / "out" / name).stat()
        assert linked.st_ino in inodes and linked.st_nlink == 2, name
        assert linked.st_mode & 0o777 == 0o666 & ~umask, name
    # Publishing again into the same folder replaces the links, never writes through
    # them: here a page rendered anew, as the next build writes it.
    before = {path.name: path.read_bytes() for path in cache.iterdir()}
    page = tmp_path / "out" / "index.html"
    text = SOURCE["index.html"].replace("Home", "Home, again")
    page.unlink()
    page.write_text(text)
    finish_site(tmp_path / "out", config(cache), workers=1)
    for name, data in before.items():
        if (cache / name).exists():
            assert (cache / name).read_bytes() == data, f"{name} was written through a link"


def test_a_page_edited_in_place_through_its_link_is_not_trusted_from_the_cache(
    source, tmp_path, minify_calls
):
    cache = tmp_path / "cache"
    _, expected = publish(source, tmp_path / "out", cache)
    page = tmp_path / "out" / "story" / "index.html"
    with open(page, "a", encoding="utf-8") as handle:  # through the link, into the cache
        handle.write("<!-- edited by hand -->")
    minify_calls.clear()
    counts, rebuilt = publish(source, tmp_path / "again", cache)
    assert counts["minified"] == 1 and "A summit" in minify_calls[0]
    assert rebuilt == expected


def test_without_hard_links_the_siblings_are_copies_with_the_same_bytes(
    source, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    _, linked = publish(source, tmp_path / "out", cache)

    def refuse(*_):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    counts, copied = publish(source, tmp_path / "out", cache)
    assert counts["reused"] == 9 and counts["minify_reused"] == 4 and copied == linked
    assert (tmp_path / "out" / "index.html.gz").stat().st_nlink == 1
    assert (tmp_path / "out" / "index.html").stat().st_nlink == 1


def test_a_linked_file_replaces_what_was_there_and_never_writes_through_it(tmp_path, monkeypatch):
    cached, new, target = tmp_path / "cached", tmp_path / "new", tmp_path / "out.html"
    cached.write_bytes(b"last build")
    new.write_bytes(b"this build")
    kiosk_filecache.link_or_copy(new, target)  # nothing there yet
    assert target.samefile(new)
    for links in (True, False):  # a file system with hard links, and one without
        target.unlink()
        os.link(cached, target)  # the output's file is a link into the cache
        if not links:
            monkeypatch.setattr(os, "link", _refuse_links)
        kiosk_filecache.link_or_copy(new, target)
        assert target.read_bytes() == b"this build" and cached.read_bytes() == b"last build"
        assert target.samefile(new) is links


def _refuse_links(*_):
    raise OSError(18, "Invalid cross-device link")


def test_an_entry_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    store = EntryStore(tmp_path / "cache")
    assert store.write("key.min", b"payload") and store.read("key.min") == b"payload"

    def interrupted(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", interrupted)
    assert store.write("other.min", b"payload") is False
    assert sorted(path.name for path in store.folder.iterdir()) == ["key.min"]


def test_work_spread_over_processes_comes_back_in_order_and_raises_failures():
    from kiosk_filecache import map_forked

    assert map_forked(lambda n: n * n, range(20), workers=2) == [n * n for n in range(20)]
    with pytest.raises(ZeroDivisionError):
        map_forked(lambda n: 1 // (n - 13), range(20), workers=2)  # in the child's share
    with pytest.raises(ZeroDivisionError):
        map_forked(lambda n: 1 // (n - 12), range(20), workers=2)  # in this process's share


def test_this_process_takes_a_share_and_forks_one_child_per_other_share():
    from kiosk_filecache import map_forked

    pids = map_forked(lambda n: os.getpid(), range(20), workers=3)
    assert len(set(pids)) == 3 and os.getpid() in pids
    assert pids[0::3] == [os.getpid()] * 7  # the first share, done here


def test_a_child_that_dies_fails_the_call_and_no_child_is_left():
    import psutil

    from kiosk_filecache import map_forked

    before = {child.pid for child in psutil.Process().children()}
    with pytest.raises(RuntimeError, match="worker process died"):
        map_forked(lambda n: os._exit(3) if n == 1 else n, range(20), workers=2)
    assert {child.pid for child in psutil.Process().children()} <= before


def test_an_entry_unchanged_since_written_is_linked_without_being_read(
    source, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    _, expected = publish(source, tmp_path / "out", cache)
    read = record_calls(monkeypatch, Path, "read_bytes", [])
    counts, rebuilt = publish(source, tmp_path / "out", cache)
    assert (counts["minify_reused"], counts["reused"]) == (4, 9) and rebuilt == expected
    linked = (".min", ".gz", ".br")
    assert [p.name for p in read if p.parent == cache and p.suffix in linked] == []


def test_a_rebuild_takes_the_checksum_entries_from_the_index_not_from_each_file(
    source, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    _, expected = publish(source, tmp_path / "out", cache)
    assert (tmp_path / "cache.index").is_file()
    reads = record_calls(monkeypatch, EntryStore, "read", [], note=lambda _store, name: name)
    counts, rebuilt = publish(source, tmp_path / "out", cache)
    assert (counts["minify_reused"], counts["reused"]) == (4, 9) and rebuilt == expected
    assert [name for name in reads if name.endswith(".sum")] == []


@pytest.mark.parametrize("damage", ["missing", "garbage", "stale"])
def test_a_lost_damaged_or_stale_index_costs_reads_never_a_wrong_file(source, tmp_path, damage):
    from kiosk_filecache import SumsIndex

    cache, index = tmp_path / "cache", SumsIndex(tmp_path / "cache.index")
    _, expected = publish(source, tmp_path / "out", cache)
    entries = index.load()
    assert len(entries) == 4 + 9  # minified pages, compressed siblings
    if damage == "missing":
        index.path.unlink()
    elif damage == "garbage":
        index.path.write_bytes(b"not an index")
    else:  # each entry describes another group's files
        keys = sorted(entries)
        index.save(dict(zip(keys, [entries[k] for k in keys[1:] + keys[:1]], strict=True)))
    counts, rebuilt = publish(source, tmp_path / "out", cache)
    assert (counts["minify_reused"], counts["reused"]) == (4, 9) and rebuilt == expected
    assert index.load() == entries  # mended from the checksum files


def test_a_page_whose_digest_the_build_knows_is_not_read_when_the_cache_has_it(
    source, tmp_path, monkeypatch
):
    cache, output = tmp_path / "cache", tmp_path / "out"
    _, expected = publish(source, output, cache)
    shutil.rmtree(output)
    shutil.copytree(source, output)
    # As the build's writer does for a page it links from the render memo.
    known = [output / "story" / "index.html", output / "index.html"]
    for page in known:
        kiosk_filecache.remember(page, kiosk_filecache.digest(page.read_bytes()),
                                 kiosk_filecache.stat_stamp(page.stat()))  # fmt: skip
    read = record_calls(monkeypatch, Path, "read_bytes", [])

    counts = finish_site(output, config(cache), workers=1)

    assert (counts["minify_reused"], counts["reused"]) == (4, 9)
    assert not set(known) & set(read)
    assert output / "latest" / "index.html" in read  # the others are read as before
    assert tree_digest(output) == expected


def test_a_known_digest_of_a_page_new_to_the_cache_still_gets_it_minified(source, tmp_path):
    output = tmp_path / "out"
    shutil.copytree(source, output)
    for page in output.rglob("*.html"):
        kiosk_filecache.remember(page, kiosk_filecache.digest(page.read_bytes()),
                                 kiosk_filecache.stat_stamp(page.stat()))  # fmt: skip

    counts = finish_site(output, config(tmp_path / "cache"), workers=1)

    assert counts["minified"] == 4
    assert tree_digest(output) == publish(source, tmp_path / "clean", None)[1]


def test_a_copied_cache_is_checked_byte_by_byte_and_still_used(source, tmp_path):
    # Restored from a CI cache, say: every file has a new inode, so each is read
    # and checked against its CRC-32 before it is trusted.
    _, expected = publish(source, tmp_path / "out", tmp_path / "cache")
    shutil.copytree(tmp_path / "cache", tmp_path / "restored")
    counts, rebuilt = publish(source, tmp_path / "out", tmp_path / "restored")
    assert (counts["minify_reused"], counts["reused"]) == (4, 9) and rebuilt == expected
    (page,) = [p for p in (tmp_path / "restored").glob("*.min") if b"Home" in p.read_bytes()]
    page.write_bytes(page.read_bytes().replace(b"Home", b"Hone"))  # same length
    counts, rebuilt = publish(source, tmp_path / "out", tmp_path / "restored")
    assert counts["minified"] == 1 and rebuilt == expected


def squares_with_pid(_):
    """A map_fresh factory (imported by name in the worker)."""
    return lambda n: (os.getpid(), n * n)


def fails_at(at):
    return lambda n: 1 // (n - at) if at >= 0 else os._exit(3)


def test_fresh_workers_are_new_processes_whose_results_come_back_in_order():
    from kiosk_filecache import map_fresh

    results = map_fresh(f"{__name__}:squares_with_pid", (None,), range(20), workers=2)
    assert [square for _, square in results] == [n * n for n in range(20)]
    pids = {pid for pid, _ in results}
    assert len(pids) == 2 and os.getpid() not in pids  # this process only waits
    with pytest.raises(ZeroDivisionError):
        map_fresh(f"{__name__}:fails_at", (13,), range(20), workers=2)
    with pytest.raises(RuntimeError, match="worker process died"):
        map_fresh(f"{__name__}:fails_at", (-1,), range(20), workers=2)


def sleeps_first(seconds):
    """A factory that takes ``seconds`` before its job can start."""
    time.sleep(seconds)
    return lambda n: n


def test_a_fresh_job_runs_beside_this_process_and_can_be_stopped():
    from kiosk_filecache import FreshJob

    job = FreshJob(f"{__name__}:squares_with_pid", (None,), [3, 4])
    assert [square for _, square in job.result()] == [9, 16]
    failing = FreshJob(f"{__name__}:fails_at", (4,), [3, 4])
    with pytest.raises(ZeroDivisionError):
        failing.result()
    started = time.monotonic()
    slow = FreshJob(f"{__name__}:sleeps_first", (60,), [1])
    process, scratch = slow._process, Path(slow._scratch.name)
    slow.cancel()
    assert process.poll() is not None and not scratch.exists()
    assert time.monotonic() - started < 30
    slow.cancel()  # a second time: nothing left to do


def marks(folder):
    """A factory whose function leaves a file for each item it does."""
    return lambda n: (Path(folder, str(n)).touch(), n)[1]


def test_fresh_workers_started_work_while_this_process_goes_on(tmp_path):
    from kiosk_filecache import map_fresh_started

    results = map_fresh_started(f"{__name__}:marks", (str(tmp_path),), range(10), workers=2)
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < 10:  # all done before anyone asked for them
        assert time.monotonic() < deadline, "the started workers did nothing"
        time.sleep(0.05)
    assert results() == list(range(10))
    assert results() == list(range(10))  # asked again: the same list, no new work
    slow = map_fresh_started(f"{__name__}:sleeps_first", (60,), range(10), workers=2)
    slow.cancel()  # no longer wanted: nothing is left running
    few = map_fresh_started(f"{__name__}:squares_with_pid", (None,), range(3), workers=2)
    assert [pid for pid, _ in few()] == [os.getpid()] * 3  # too few to start processes for


def naps(seconds):
    """A factory whose function takes ``seconds`` an item and says how nice its process is."""
    return lambda n: (time.sleep(seconds), os.nice(0))[1]


def test_a_stoppable_fresh_job_stops_after_the_item_in_hand_at_its_niceness():
    from kiosk_filecache import FreshJob

    job = FreshJob(f"{__name__}:naps", (0.2,), range(100), nice=7, stoppable=True)
    time.sleep(1.5)
    job.stop()
    done = job.result()
    assert 0 < len(done) < 100
    assert set(done) == {os.nice(0) + 7}


def test_a_fresh_worker_loads_its_job_without_pelican():
    """Publish's and verify's fresh workers use nothing of Pelican, whose package
    (generators, readers, docutils) cost each of them 0.18 s and about 20 MB."""
    code = ("import sys, kiosk_publish.pipeline, kiosk_verify.cache; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'pelican', 'docutils', 'markdown', 'jinja2'}))")  # fmt: skip
    plugins = Path(kiosk_filecache.__file__).parent
    env = {**os.environ, "PYTHONPATH": str(plugins)}
    loaded = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)  # fmt: skip
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize(("resident", "used"), [(120, "map_forked"), (450, "map_fresh")])
def test_a_big_build_publishes_in_fresh_processes_and_a_small_one_forks(
    source, tmp_path, monkeypatch, resident, used
):
    from kiosk_publish import pipeline

    calls = []
    for name in ("map_forked", "map_fresh"):
        record_calls(monkeypatch, pipeline, name, calls, note=lambda *_, called=name: called)
    monkeypatch.setattr(pipeline, "resident_mb", lambda: resident)  # MB, as at N = 1,000 / 10,000
    _, digest = publish(source, tmp_path / "out", tmp_path / "cache", workers=2)
    assert calls == [used]
    assert digest == publish(source, tmp_path / "clean", None)[1]


class LinkingPelicanWriter(kiosk_filecache.LinkingWriter, Writer):
    pass


def test_a_stored_text_is_linked_into_the_output_and_any_other_text_written(tmp_path):
    cache, output = tmp_path / "cache", tmp_path / "output"
    cache.mkdir()
    output.mkdir()
    (cache / "page.html").write_text("<p>Stored</p>", "utf-8")
    writer = LinkingPelicanWriter(str(output), settings={"RELATIVE_URLS": False})

    with writer._open_w(str(output / "a.html"), "utf-8") as handle:
        handle.write(kiosk_filecache.stored_text("<p>Stored</p>", cache / "page.html"))
    with writer._open_w(str(output / "b.html"), "utf-8") as handle:
        handle.write("<p>Written</p>")

    assert os.path.samefile(output / "a.html", cache / "page.html")
    assert (output / "b.html").read_text("utf-8") == "<p>Written</p>"
    assert (output / "b.html").stat().st_nlink == 1


def test_an_unread_stored_text_is_linked_or_else_its_stored_bytes_written(tmp_path, monkeypatch):
    cache, output = tmp_path / "cache", tmp_path / "output"
    cache.mkdir()
    output.mkdir()
    (cache / "page.html").write_bytes("<p>Stored \u2014 once</p>\n".encode())
    writer = LinkingPelicanWriter(str(output), settings={"RELATIVE_URLS": False})

    with writer._open_w(str(output / "a.html"), "utf-8") as handle:
        handle.write(kiosk_filecache.unread_text(cache / "page.html"))
    monkeypatch.setattr(kiosk_filecache.os, "linesep", "\r\n")  # where a link would differ
    with writer._open_w(str(output / "b.html"), "utf-8") as handle:
        handle.write(kiosk_filecache.unread_text(cache / "page.html"))

    assert os.path.samefile(output / "a.html", cache / "page.html")
    assert (output / "b.html").read_bytes() == (cache / "page.html").read_bytes()
    assert (output / "b.html").stat().st_nlink == 1


def test_links_are_taken_only_while_the_writer_writes_a_page(tmp_path):
    seen = []

    class Template:
        def render(self, context):
            seen.append(kiosk_filecache.links_taken())
            return "<p>Page</p>"

    writer = LinkingPelicanWriter(str(tmp_path), settings={"RELATIVE_URLS": False})
    assert not kiosk_filecache.links_taken()
    writer.write_file("page.html", Template(), {})
    assert seen == [True] and not kiosk_filecache.links_taken()
    assert (tmp_path / "page.html").read_text("utf-8") == "<p>Page</p>"


def test_a_linked_page_is_never_opened_and_pelican_s_rules_on_rewrites_still_hold(
    tmp_path, monkeypatch
):
    from pelican.writers import FileOverwriteFailedError

    cache, output = tmp_path / "cache", tmp_path / "output"
    cache.mkdir()
    output.mkdir()
    (cache / "page.html").write_text("<p>Stored</p>", "utf-8")
    writer = LinkingPelicanWriter(str(output), settings={"RELATIVE_URLS": False})
    opened, real_open = [], open
    monkeypatch.setattr("builtins.open", lambda file, *a, **k: opened.append(str(file))
                        or real_open(file, *a, **k))  # fmt: skip

    with writer._open_w(str(output / "a.html"), "utf-8") as handle:
        handle.write(kiosk_filecache.stored_text("<p>Stored</p>", cache / "page.html"))
    with writer._open_w(str(output / "empty.html"), "utf-8"):
        pass  # nothing written: an empty file, as Pelican leaves it

    assert str(output / "a.html") not in opened
    assert os.path.samefile(output / "a.html", cache / "page.html")
    assert (output / "empty.html").read_bytes() == b""
    with pytest.raises(FileOverwriteFailedError):
        writer._open_w(str(output / "a.html"), "utf-8")
    with writer._open_w(str(output / "b.html"), "utf-8", override=True) as handle:
        handle.write("<p>First, and kept</p>")
    with writer._open_w(str(output / "b.html"), "utf-8") as handle:  # skipped: os.devnull
        handle.write(kiosk_filecache.stored_text("<p>Stored</p>", cache / "page.html"))
    assert (output / "b.html").read_text("utf-8") == "<p>First, and kept</p>"


def test_the_writer_never_writes_through_a_link_into_the_cache(tmp_path):
    cache, output = tmp_path / "cache", tmp_path / "output"
    cache.mkdir()
    output.mkdir()
    (cache / "page.html").write_text("<p>Stored</p>", "utf-8")
    os.link(cache / "page.html", output / "a.html")  # as a page an earlier write linked
    writer = LinkingPelicanWriter(str(output), settings={"RELATIVE_URLS": False})

    with writer._open_w(str(output / "a.html"), "utf-8", override=True) as handle:
        handle.write("<p>Another text</p>")

    assert (output / "a.html").read_text("utf-8") == "<p>Another text</p>"
    assert (cache / "page.html").read_text("utf-8") == "<p>Stored</p>"


def test_a_site_listing_is_every_file_sorted_as_os_walk_finds_them(tmp_path):
    site = tmp_path / "site"
    for relative in ("index.html", "b/index.html", "a/x/y/z.css", "a.txt", "a-b/c.html"):
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(relative)
    (site / "empty").mkdir()
    (site / "alias.html").symlink_to(site / "index.html")  # a link to a file is a file
    (site / "mirror").symlink_to(site / "b", target_is_directory=True)  # not entered
    (site / "dangling").symlink_to(site / "gone")  # listed, as os.walk lists it

    walked = sorted(
        os.path.relpath(os.path.join(folder, name), site).replace(os.sep, "/")
        for folder, _, names in os.walk(site)
        for name in names
    )
    assert kiosk_filecache.site_listing(site) == walked
    assert kiosk_filecache.site_listing(site) == [
        "a-b/c.html", "a.txt", "a/x/y/z.css", "alias.html", "b/index.html", "dangling",
        "index.html",
    ]  # fmt: skip
    assert kiosk_filecache.site_listing(tmp_path / "missing") == []


def test_the_next_step_is_given_the_finished_sites_files_once(source, tmp_path):
    """kiosk_headers takes the files publish leaves instead of listing the site again."""
    from kiosk_filecache import site_listing
    from kiosk_publish import finished_listing

    output = tmp_path / "site"
    publish(source, output, tmp_path / "cache")
    given = finished_listing(output)
    assert sorted(given) == site_listing(output)
    assert any(name.endswith(".css.br") for name in given)
    assert any(name.startswith("theme/css/kiosk.") and name.endswith(".css") for name in given)
    assert finished_listing(output) is None, "given once"
