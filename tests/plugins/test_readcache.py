"""kiosk_readcache: each file is read once, reused while nothing it depends on
changes, and read on every core otherwise; the site is the same either way."""

import os
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
from PIL import Image

import kiosk_readcache
from kiosk_readcache import store
from kiosk_readcache.reading import loads_content
from tests.plugins.conftest import build_site, header
from tests.sites import tree_digest, write_site

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ["kiosk_readcache", "kiosk_figures"]


def image_bytes(size, colour=(90, 120, 150)):
    from io import BytesIO

    out = BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=70)
    return out.getvalue()


def site_files(count=6):
    files = {
        f"articles/a{i}.md": header(
            f"Paragraph one of article {i}.\n\n![A hall](images/hall.jpg)\n\nMore text.",
            title=f"Article {i}",
            date=f"2024-05-{i + 1:02d} 10:00",
            image="images/top.jpg" if i % 2 else None,
        )
        for i in range(count)
    }
    files["pages/about.md"] = header("About us.", title="About")
    files["images/hall.jpg"] = image_bytes((1200, 800))
    files["images/top.jpg"] = image_bytes((1600, 900), (200, 40, 40))
    return files


@pytest.fixture
def site(tmp_path):
    """``build(files=None, **options) -> (output digest, stats)``; files persist between builds."""

    def build(files=None, readcache=None, settings=None, plugins=PLUGINS, output="output"):
        options = {"cache_path": str(tmp_path / "cache"), "parallel_min_files": 1, "workers": 2}
        result = build_site(
            tmp_path,
            files or {},
            plugins=plugins,
            settings={
                "KIOSK_READCACHE": {**options, **(readcache or {})},
                "KIOSK_FIGURES": {"cache_path": str(tmp_path / "images-cache")},
                "OUTPUT_PATH": str(tmp_path / output),
                **(settings or {}),
            },
        )
        return tree_digest(result), dict(kiosk_readcache.last_stats)

    build.root = tmp_path
    return build


def reads(stats):
    return stats["read_here"] + stats["read_in_workers"]


def cache_folder(root):
    (folder,) = [path for path in (root / "cache").iterdir() if path.is_dir()]
    return folder


def entries(root):
    """The cache's entries as its index lists them: {key: store.Entry}."""
    return store.Store(str(cache_folder(root))).entries


def packs(root):
    return sorted(cache_folder(root).glob(store.PACK_PREFIX + "*"))


@pytest.fixture
def stat_trusted_at_once(monkeypatch):
    """A source file's stat stands for its bytes even if it changed just now."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0)


def test_a_second_build_reads_nothing_and_writes_the_same_site(site):
    first, cold = site(site_files())
    second, warm = site()
    assert (cold["files"], cold["hits"], reads(cold)) == (7, 0, 7)
    # The six articles in two workers; the one page alone is read in the build's own process.
    assert (cold["read_in_workers"], cold["workers"], cold["read_here"]) == (6, 2, 1)
    assert (warm["hits"], reads(warm)) == (7, 0)
    assert second == first


def test_the_site_is_the_same_with_or_without_the_plugin(site):
    with_cache, _ = site(site_files(), output="with")
    without, _ = site(plugins=["kiosk_figures"], output="without")
    assert with_cache == without
    body = (site.root / "with" / "article-3" / "index.html").read_text(encoding="utf-8")
    # kiosk_figures' work came back from a worker (the simple theme escapes the body).
    assert "srcset=&#34;/images/_v/" in body


def test_pelican_s_unused_content_cache_asks_no_file_s_time(site, monkeypatch):
    asked, getmtime = [], os.path.getmtime

    def recorded(path):
        asked.append(os.fspath(path))
        return getmtime(path)

    # Pelican's cache takes os.path.getmtime when each generator starts.
    monkeypatch.setattr(os.path, "getmtime", recorded)
    site(site_files())
    sources = [path for path in asked if path.endswith(".md")]
    assert sources == [], "Pelican's content cache, off, still asked for modification times"


def test_pelican_s_generator_level_cache_still_answers_when_it_is_on(site):
    on = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "CONTENT_CACHING_LAYER": "generator",
          "CACHE_PATH": str(site.root / "pelican-cache")}  # fmt: skip
    first, _ = site(site_files(), settings=on)
    second, warm = site(settings=on)
    # Pelican's own cache answered every file: none reached this plugin.
    assert (warm["files"], reads(warm)) == (0, 0)
    assert second == first


def test_files_linked_from_bodies_are_published_with_or_without_the_plugin(site):
    files = site_files()
    # Outside STATIC_PATHS: published only because a body links it.
    files["downloads/report.pdf"] = b"%PDF-1.4 a report"
    files["downloads/notes.txt"] = "notes"
    files["articles/a1.md"] = files["articles/a1.md"].replace(
        "More text.",
        "The [report]({static}/downloads/report.pdf) and [notes]({attach}../downloads/notes.txt).",
    )
    with_cache, _ = site(files, output="with")
    without, _ = site(plugins=["kiosk_figures"], output="without")
    assert with_cache == without
    assert (site.root / "with" / "downloads" / "report.pdf").read_bytes() == b"%PDF-1.4 a report"
    assert list((site.root / "with").rglob("notes.txt")), "the attached file was not published"


def test_a_body_naming_no_static_file_is_not_scanned_for_one():
    from kiosk_readcache import _add_static_links

    scanned = []
    plain, linking = (
        types.SimpleNamespace(_content="<p>A body.</p>"),
        types.SimpleNamespace(_content='<a href="{static}/x.pdf">x</a>'),
    )
    braces = types.SimpleNamespace(_content="<p>{a} | b, attached and static.</p>")
    for content in (plain, linking, types.SimpleNamespace(_content=None), braces):
        _add_static_links(scanned.append, content)
    # A body that may hold a link goes to Pelican's scan, and so does None, as before.
    assert scanned[0] is linking and scanned[2] is braces and len(scanned) == 3


def test_parallel_and_sequential_reads_give_the_same_site(site):
    parallel, stats = site(site_files(), readcache={"cache": False}, output="parallel")
    sequential, one = site(readcache={"cache": False, "workers": 1}, output="sequential")
    assert stats["read_in_workers"] == 6 and one["read_here"] == 7
    assert parallel == sequential


def test_editing_one_file_rereads_exactly_that_file(site):
    files = site_files()
    site(files)
    edited = files["articles/a2.md"].replace("More text.", "More text, corrected.")
    digest, stats = site({"articles/a2.md": edited})
    assert (stats["hits"], reads(stats)) == (6, 1)
    # What the live preview writes first: the file just saved.
    assert kiosk_readcache.last_read == {str(site.root / "content" / "articles" / "a2.md")}
    assert "More text, corrected." in (site.root / "output" / "article-2" / "index.html").read_text(
        "utf-8"
    )
    fresh, _ = site(readcache={"cache": False}, output="fresh")
    assert digest == fresh


def test_articles_unpickled_before_a_save_are_taken_only_if_their_file_is_unchanged(
    site, stat_trusted_at_once
):
    """The live preview's standby rebuild takes the stored articles out of the
    cache, then waits for the editor: what is saved meanwhile is read as it is
    then — an edit, a new file, a deletion — and the site is a clean build's."""
    import kiosk_standby

    files = site_files()
    site(files)
    articles = site.root / "content" / "articles"
    waited = []

    def save():  # what the editor does while the build waits
        waited.append(True)
        (articles / "a2.md").write_text(
            files["articles/a2.md"].replace("More text.", "More text, saved."), encoding="utf-8"
        )
        (articles / "a6.md").write_text(
            header("A new piece.", title="Article 6", date="2024-05-07 10:00"), encoding="utf-8"
        )
        (articles / "a0.md").unlink()

    with kiosk_standby.ahead(save):
        digest, stats = site()
    assert waited == [True]
    # a1, a3, a4, a5 as unpickled ahead; the page from the cache; a2 and a6 read.
    assert (stats["ahead"], stats["hits"], reads(stats)) == (4, 5, 2)
    page = (site.root / "output" / "article-2" / "index.html").read_text("utf-8")
    assert "More text, saved." in page
    assert not (site.root / "output" / "article-0").exists()
    fresh, _ = site(readcache={"cache": False}, output="fresh")
    assert digest == fresh


def test_changing_a_referenced_image_rereads_the_articles_that_use_it(site):
    site(site_files())
    # Only the odd articles have top.jpg as their top image; a new size changes their srcset.
    digest, stats = site({"images/top.jpg": image_bytes((1000, 500))})
    assert (stats["hits"], reads(stats)) == (4, 3)
    fresh, _ = site(readcache={"cache": False}, output="fresh")
    assert digest == fresh


def test_a_changed_setting_rereads_everything(site):
    site(site_files())
    _, stats = site(settings={"KIOSK_FIGURES": {"words_per_minute": 100}})
    assert (stats["hits"], reads(stats)) == (0, 7)


def test_changed_plugin_code_rereads_everything(site):
    extra = site.root / "more-plugins"
    extra.mkdir()
    (extra / "helper.py").write_text("VALUE = 1\n", encoding="utf-8")
    settings = {"PLUGIN_PATHS": [str(ROOT / "plugins"), str(extra)]}
    site(site_files(), settings=settings)
    _, unchanged = site(settings=settings)
    (extra / "helper.py").write_text("VALUE = 2\n", encoding="utf-8")
    _, changed = site(settings=settings)
    assert reads(unchanged) == 0
    assert (changed["hits"], reads(changed)) == (0, 7)


def test_a_damaged_entry_is_ignored_and_rewritten(site):
    first, _ = site(site_files())
    key, entry = next(iter(entries(site.root).items()))
    pack = cache_folder(site.root) / entry.pack
    data = bytearray(pack.read_bytes())
    data[entry.offset + entry.length // 2] ^= 0xFF
    pack.write_bytes(bytes(data))
    second, stats = site()
    assert (stats["hits"], reads(stats)) == (6, 1)
    assert second == first
    folder = store.Store(str(cache_folder(site.root)))
    assert key in folder.entries and folder.blob(key) is not None


def test_a_damaged_index_is_an_empty_cache(site):
    first, _ = site(site_files())
    index = cache_folder(site.root) / store.INDEX
    index.write_bytes(index.read_bytes()[:-10])
    second, stats = site()
    assert (stats["hits"], reads(stats)) == (0, 7)
    assert second == first
    assert len(entries(site.root)) == 7


def test_a_missing_pack_is_a_miss(site):
    first, _ = site(site_files())
    for pack in packs(site.root):
        pack.unlink()
    second, stats = site()
    assert (stats["hits"], reads(stats)) == (0, 7)
    assert second == first


def test_unchanged_files_are_not_hashed_again(site, stat_trusted_at_once):
    _, cold = site(site_files())
    _, warm = site()
    assert (cold["hashed"], warm["hashed"], warm["hits"]) == (7, 0, 7)


def test_a_touched_but_unchanged_file_is_hashed_not_read(site, stat_trusted_at_once):
    site(site_files())
    source = site.root / "content" / "articles" / "a1.md"
    source.write_bytes(source.read_bytes())
    _, stats = site()
    assert (stats["hashed"], stats["hits"], reads(stats)) == (1, 7, 0)


def test_an_edit_that_keeps_size_and_mtime_is_still_read(site, stat_trusted_at_once):
    import os

    files = site_files()
    site(files)
    source = site.root / "content" / "articles" / "a2.md"
    before = source.stat()
    edited = files["articles/a2.md"].replace("More text.", "Less text.")
    assert len(edited) == len(files["articles/a2.md"])
    source.write_text(edited, encoding="utf-8")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # ctime still moves
    digest, stats = site()
    assert (stats["hits"], reads(stats)) == (6, 1)
    assert "Less text." in (site.root / "output" / "article-2" / "index.html").read_text("utf-8")
    fresh, _ = site(readcache={"cache": False}, output="fresh")
    assert digest == fresh


def test_many_rebuilds_keep_few_packs_and_every_entry_intact(site, stat_trusted_at_once):
    files = site_files()
    site(files)
    for round_ in range(12):
        edited = files["articles/a3.md"].replace("More text.", f"More text ({round_}).")
        _, stats = site({"articles/a3.md": edited})
        assert (stats["hits"], reads(stats)) == (6, 1)
    assert len(packs(site.root)) <= 9
    folder = store.Store(str(cache_folder(site.root)))
    assert len(folder.entries) == 7
    assert all(folder.blob(key) is not None for key in folder.entries)
    _, warm = site()
    assert (warm["hits"], reads(warm)) == (7, 0)


def test_a_build_with_no_change_writes_nothing(site, stat_trusted_at_once):
    site(site_files())
    folder = cache_folder(site.root)
    before = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    site()
    after = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    before.pop(store.STAMP), after.pop(store.STAMP)
    assert after == before


def test_entries_a_build_did_not_use_are_pruned(site):
    site(site_files())
    assert len(entries(site.root)) == 7
    (site.root / "content" / "articles" / "a4.md").unlink()
    site(readcache={"workers": 1})
    assert len(entries(site.root)) == 6


def test_a_future_date_expires_its_entry(site):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    # Dates without a zone are in TIMEZONE (pelicanconf.py).
    soon = (datetime.now(ZoneInfo("Europe/Brussels")) + timedelta(seconds=3)).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    files = {"articles/soon.md": header("Embargoed.", title="Soon", date=soon)}
    _, first = site(files)
    assert not (site.root / "output" / "soon" / "index.html").exists()  # a future date is a draft
    import time

    time.sleep(4)
    _, second = site()
    assert reads(second) == 1
    assert (site.root / "output" / "soon" / "index.html").exists()


# --- Failures inside a worker: the same messages as a sequential build ---------------

FLAKY_PLUGIN = '''
"""Fails while the brief is read: raises, logs an error or a warning, or dies."""
import logging
import os

from pelican import signals

logger = logging.getLogger(__name__)


def check(content):
    if not str(content.source_path).endswith("brief.md"):
        return
    mode = content.settings["FLAKY"]
    if mode == "warn":
        logger.warning("flaky: the brief %s looks odd", content.source_path.rsplit("/", 1)[-1])
    elif mode == "error":
        logger.error("flaky: the brief is broken")
    elif mode == "raise":
        raise ValueError("flaky: cannot process the brief")
    elif mode == "die":
        os._exit(7)


def register():
    signals.content_object_init.connect(check)
'''

RUN_BUILD = textwrap.dedent("""
    import sys
    from invoke import Exit
    import tasks
    try:
        summary = tasks.build_site(sys.argv[1], sys.argv[2], sys.argv[3], quiet=True)
        print("warnings:", summary["warnings"])
    except Exit as err:
        print(err.message or "", file=sys.stderr)
        sys.exit(err.code)
""")


def flaky_build(tmp_path, mode, output="output", **readcache):
    content = tmp_path / "content"
    if not content.exists():
        write_site(tmp_path)
        for i in range(4):
            (content / "articles" / "2024" / f"extra-{i}.md").write_text(
                (content / "articles" / "2024" / "brief.md")
                .read_text(encoding="utf-8")
                .replace("Grain corridor reopens", f"Grain corridor {i} reopens"),
                encoding="utf-8",
            )
        (tmp_path / "plugins").mkdir()
        (tmp_path / "plugins" / "flaky.py").write_text(FLAKY_PLUGIN, encoding="utf-8")
    conf = tmp_path / f"conf-{mode}-{len(readcache)}.py"
    options = {"cache_path": str(tmp_path / "cache"), "parallel_min_files": 1, **readcache}
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}, {str(tmp_path / 'plugins')!r}]\n"
        f'PLUGINS = PLUGINS + ["flaky"]\nFLAKY = {mode!r}\nKIOSK_READCACHE = {options!r}\n'
        f"KIOSK_FIGURES = {{'cache_path': {str(tmp_path / 'images')!r}}}\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-c", RUN_BUILD, str(conf), str(tmp_path / output), str(content)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def messages(result):
    """What a build printed, without clock times, durations and the layout of log lines."""
    text = re.sub(r"\[\d\d:\d\d:\d\d\]|in [\d.]+ seconds", "", result.stdout + result.stderr)
    return " ".join(text.split())


@pytest.mark.parametrize("mode, cause", [
    ("raise", "Could not process articles/2024/brief.md"),  # Pelican logs no more
    ("error", "flaky: the brief is broken"),
])  # fmt: skip
def test_an_error_in_a_worker_fails_the_build_with_the_sequential_message(tmp_path, mode, cause):
    sequential = flaky_build(tmp_path, mode, enabled=False)
    parallel = flaky_build(tmp_path, mode, workers=2)
    assert sequential.returncode == parallel.returncode == 1
    assert messages(parallel) == messages(sequential)
    # The error itself, not Pelican's "Warning or error encountered": the preview's
    # banner shows this line, and an editor must be able to act on it.
    assert parallel.stderr.strip().splitlines()[-1] == (
        f"Build failed: {cause}. The previous output/ is unchanged."
    )
    assert "Traceback" not in parallel.stderr


def test_a_warning_in_a_worker_is_logged_and_counted_like_a_sequential_one(tmp_path):
    sequential = flaky_build(tmp_path, "warn", enabled=False)
    parallel = flaky_build(tmp_path, "warn", workers=2)
    # Into another folder: tasks.build_site skips a rebuild of an up-to-date output.
    warm = flaky_build(tmp_path, "warn", output="again", workers=2)
    assert sequential.returncode == parallel.returncode == warm.returncode == 0
    assert "flaky: the brief brief.md looks odd" in messages(sequential)
    assert messages(parallel) == messages(sequential) == messages(warm)
    assert "warnings: 1" in sequential.stdout


def test_a_worker_that_dies_fails_the_build_clearly(tmp_path):
    result = flaky_build(tmp_path, "die", workers=2)
    assert result.returncode == 1
    assert "a reading process died" in messages(result)
    assert result.stderr.strip().splitlines()[-1].startswith("Build failed:")


def test_stored_reads_carry_their_tag_and_author_slugs(site):
    """A rebuild's articles come from the cache with each wrapper's slug already worked out."""
    files = site_files(2)
    files["articles/a0.md"] = header("Body.", title="Tagged", date="2024-05-01 10:00",
                                     tags="Grain Corridor, Black Sea")  # fmt: skip
    site(files)
    folder = store.Store(str(cache_folder(site.root)))
    shared = {"settings": {}, "readers.settings": {}, "context": {}}
    articles = [loads_content(folder.blob(key), shared) for key in folder.entries]
    tagged = next(a for a in articles if getattr(a, "title", "") == "Tagged")
    folder.close()

    wrappers = [*tagged.tags, *tagged.authors]
    assert [tag._slug for tag in tagged.tags] == ["grain-corridor", "black-sea"]
    assert all(wrapper._slug for wrapper in wrappers), wrappers


# --- equal terms are one object (terms.py) ----------------------------------------
def _articles_of_a_build(site, files, monkeypatch):
    """The articles of a build of ``files``, as the plugins after kiosk_readcache see them."""
    seen = []
    share = kiosk_readcache.share_terms

    def sharing(contents, **kwargs):
        contents = list(contents)
        seen.extend(contents)
        return share(contents, **kwargs)

    monkeypatch.setattr(kiosk_readcache, "share_terms", sharing)
    site(files)
    return {article.title: article for article in seen}


@pytest.mark.parametrize("cached", [False, True, "ahead"],
                         ids=["read", "from the cache", "unpickled ahead, one read"])  # fmt: skip
def test_articles_naming_the_same_term_share_one_object(site, cached, monkeypatch):
    import kiosk_standby

    monkeypatch.setattr(store, "RACY_SECONDS", 0)  # a stat just written stands for the bytes
    files = site_files(0)
    for i, tags in enumerate(["Grain Corridor, Black Sea", "Black Sea, Grain corridor", "Ports"]):
        files[f"articles/t{i}.md"] = header("Body.", title=f"T{i}", date=f"2024-05-0{i + 1} 10:00",
                                            tags=tags, authors="Ana Ortiz")  # fmt: skip
    if cached:
        site(files)
    if cached == "ahead":  # T1 saved while the build waits: its terms are met after the others'
        saved = files["articles/t1.md"] + "\nSaved.\n"
        path = site.root / "content" / "articles" / "t1.md"
        with kiosk_standby.ahead(lambda: path.write_text(saved, encoding="utf-8")):
            articles = _articles_of_a_build(site, {}, monkeypatch)  # the files as they are
        assert kiosk_readcache.last_stats["ahead"] == 2
    else:
        articles = _articles_of_a_build(site, files, monkeypatch)
    first, second, third = articles["T0"], articles["T1"], articles["T2"]

    assert second.tags[0] is first.tags[1], "Black Sea is one object"
    assert second.author is first.author is third.author
    assert second.authors[0] is first.authors[0]
    assert first.category is second.category is third.category
    # Equal slugs but another name: what the article shows stays its own.
    assert second.tags[1] is not first.tags[0]
    assert [t.name for t in second.tags] == ["Black Sea", "Grain corridor"]
    # The article's metadata holds the same (shared) objects.
    assert first.metadata["tags"][1] is first.tags[1]
    assert first.metadata["category"] is first.category


def test_a_term_holding_more_than_a_read_gives_it_is_left_alone():
    from types import SimpleNamespace

    from pelican.urlwrappers import Tag

    from kiosk_readcache.terms import share_terms

    settings = {}
    plain, plain_again = Tag("Trade", settings), Tag("Trade", settings)
    marked = Tag("Trade", settings)
    marked.note = "attached by someone"
    other_settings = Tag("Trade", {})
    contents = [
        SimpleNamespace(tags=[plain], metadata={}),
        SimpleNamespace(tags=[plain_again, marked, other_settings], metadata={}),
    ]

    assert share_terms(contents) == 1
    assert contents[1].tags[0] is plain
    assert contents[1].tags[1] is marked
    assert contents[1].tags[2] is other_settings
