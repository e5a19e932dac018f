"""kiosk_memory: a build holds only what it still needs, and gives the rest back.

Memory is one of the benchmark's targets; these tests pin the behaviours that
keep it down without changing a byte of output: Pelican's content memos are
bounded, a finished build keeps none of its articles alive, and memory the
build has let go of goes back to the system before the after-build steps.
"""

import gc
import sys
import types
import weakref

import pytest
from bs4 import BeautifulSoup
from pelican import signals
from pelican.contents import Content

import kiosk_filecache
import kiosk_memory
from kiosk_memory import BoundedMemo
from tests.plugins.conftest import header

TEMPLATES = {"article.html": "<h1>{{ article.title }}</h1><main>{{ article.content|safe }}</main>"}


def article(number):
    return header(f"Body of piece {number}, with [a link](https://example.org/{number}).",
                  title=f"Piece {number}", date=f"2024-06-{number:02d} 10:00",
                  section="Analysis", region="Europe", authors="Ana Ortiz",
                  slug=f"piece-{number}")  # fmt: skip


SITE = {
    "authors/ana-ortiz.md": header("Ana writes.", name="Ana Ortiz"),
    **{f"articles/piece-{n}.md": article(n) for n in range(1, 9)},
}


def probe(**receivers):
    """A plugin (Pelican takes module objects too) connecting ``signal_name=receiver``."""
    plugin = types.ModuleType("probe")

    def register():
        for name, receiver in receivers.items():
            getattr(signals, name).connect(receiver)

    plugin.register = register
    return plugin


def test_a_bounded_memo_forgets_its_oldest_entry_first():
    memo = BoundedMemo(size=2)
    memo["a"], memo["b"] = 1, 2
    memo["a"] = 10  # a key it has: nothing is forgotten
    assert memo == {"a": 10, "b": 2}
    memo["c"] = 3
    assert memo == {"b": 2, "c": 3}


def test_pelicans_content_memos_stay_bounded_and_every_page_keeps_its_own_body(
    make_site, monkeypatch
):
    monkeypatch.setattr(kiosk_memory, "MEMO_SIZE", 3)
    largest = []

    def measure(path, context=None, **_):
        largest.append(len(Content.__dict__["get_content"].cache))

    output = make_site(SITE, plugins=["kiosk_authors", "kiosk_memory",
                                      probe(content_written=measure)],
                       templates=TEMPLATES)  # fmt: skip
    assert largest and max(largest) <= 3
    for number in range(1, 9):
        page = BeautifulSoup((output / f"piece-{number}/index.html").read_bytes(), "html.parser")
        assert page.h1.get_text() == f"Piece {number}"
        assert page.select_one("main a")["href"] == f"https://example.org/{number}"
    # Emptied when the build ends: nothing of it is kept for the next one.
    assert not Content.__dict__["get_content"].cache
    assert not Content.__dict__["get_summary"].cache


def test_a_finished_build_keeps_none_of_its_articles_alive(make_site):
    # A live-reload server builds again and again in one process.
    kept = []

    def remember(generator):
        kept.extend(weakref.ref(a) for a in generator.articles)

    plugins = ["kiosk_authors", "kiosk_feeds", "kiosk_incremental", "kiosk_memory",
               probe(article_generator_finalized=remember)]  # fmt: skip
    make_site(SITE, plugins=plugins, templates=TEMPLATES,
              settings={"FEED_ALL_ATOM": "feeds/all.atom.xml"})  # fmt: skip
    gc.collect()
    assert len(kept) == 8
    assert [ref for ref in kept if ref() is not None] == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_memory_the_build_let_go_of_goes_back_to_the_system():
    # Strings of this size come from malloc's heap, which shrinks by itself only
    # from its top: keep one string in eight, so that what is freed is holes.
    strings = ["x" * 2_000 + str(number) for number in range(60_000)]
    kept = strings[::8]
    del strings  # about 105 MB freed, in holes of 14 kB
    kiosk_memory.release(freeze=False)
    report = kiosk_memory.last_release
    assert report["before"] - report["after"] > 50, report  # without malloc_trim: 0
    assert len(kept) == 7_500


def test_once_everything_is_written_articles_let_go_of_their_bodies(make_site, tmp_path):
    kept = []

    def remember(generator):
        kept.extend(generator.articles)

    plugins = ["kiosk_readcache", "kiosk_authors", "kiosk_figures", "kiosk_related",
               "kiosk_memory", "pelican.plugins.sitemap",
               probe(article_generator_finalized=remember)]  # fmt: skip
    readcache = {"KIOSK_READCACHE": {"cache_path": str(tmp_path / "read-cache")}}
    output = make_site(SITE, plugins=plugins, templates=TEMPLATES, settings=readcache)
    assert len(kept) == 8
    for piece in kept:
        assert not set(kiosk_memory.BODY_ATTRIBUTES) & vars(piece).keys(), piece.title
        # Nor does the record of its read keep them (kiosk_readcache).
        record = vars(piece)["_kiosk_read"]
        assert (record.values, record.leaf_names, record.leaf_values) == ({}, (), ()), piece.title
    # Still whole: each page (written before) and the sitemap (written after).
    for number in range(1, 9):
        page = BeautifulSoup((output / f"piece-{number}/index.html").read_bytes(), "html.parser")
        assert page.select_one("main p").get_text().startswith(f"Body of piece {number},")
    sitemap = BeautifulSoup((output / "sitemap.xml").read_bytes(), "xml")
    listed = {loc.get_text() for loc in sitemap.select("url > loc")}  # SITEURL is ""
    assert {f"/{piece.url}" for piece in kept} <= listed


def test_what_the_build_holds_is_frozen_out_of_the_collector_until_the_build_is_over(
    make_site,
):
    # Collections set off by Pagefind, publish and verify need not scan the build again.
    frozen = []

    def count(*_args):
        frozen.append(gc.get_freeze_count())

    # While pages are rendered (the context is complete), and after finalized.
    plugins = ["kiosk_memory", probe(get_writer=count, finalized=count)]
    make_site(SITE, plugins=plugins, templates=TEMPLATES)
    assert len(frozen) == 2 and min(frozen) > 1000, frozen

    kiosk_memory.release(freeze=False)  # tasks.build_site, once Pelican is done

    assert gc.get_freeze_count() == 0


def test_at_finalized_only_what_rendering_made_is_collected_and_the_rest_once_the_build_is_over():
    # What the context holds is freed by reference counting as its bodies go; scanning
    # the frozen context again found nothing more and cost 0.6 s at N = 10,000.
    class Node:
        pass

    def cycle():
        node = Node()
        node.itself = node
        return weakref.ref(node)

    from_the_context = cycle()
    gc.freeze()  # as at all_generators_finalized
    from_rendering = cycle()
    try:
        kiosk_memory.release()  # at finalized
        assert from_rendering() is None
        assert from_the_context() is not None and gc.get_freeze_count() > 0
    finally:
        kiosk_memory.release(freeze=False)  # tasks.build_site, once Pelican is done
    assert from_the_context() is None and gc.get_freeze_count() == 0


def test_a_forked_map_keeps_what_was_frozen_before_it_frozen():
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        assert kiosk_filecache.map_forked(abs, range(-40, 0), workers=2, min_items=2) == list(
            range(40, 0, -1)
        )
        assert gc.get_freeze_count() >= before > 0
    finally:
        gc.unfreeze()
    assert kiosk_filecache.map_forked(abs, range(-40, 0), workers=2, min_items=2)
    assert gc.get_freeze_count() == 0
