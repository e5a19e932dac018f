"""kiosk_search: Pagefind indexes published articles only, with section and region filters,
one bundle per year of the articles' dates, each kept in a cache until its pages change.

The tiny site is a development build, so its draft *is* written (under
``drafts/``): the index must still leave it out. Queries run in Chromium against
the real Pagefind bundle, the way the search page runs them: the newest year's
bundle, with the older years merged in (Pagefind's ``mergeIndex``).
"""

import functools
import gzip
import hashlib
import http.server
import json
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from pelican.generators import ArticlesGenerator
from pelican.utils import SafeDatetime

import kiosk_search
from kiosk_filecache import digest, remember, stat_stamp
from kiosk_search import indexing, search_settings
from kiosk_search.copies import search_copy
from kiosk_search.indexing import draft_prefixes, run_pagefind, start_early
from kiosk_search.meta import date_text, plain_text, search_meta
from kiosk_search.shards import MANIFEST, MARKS, merge_order, primary_shard, shard_names
from tests.conftest import pagefind_search
from tests.plugins.conftest import build_site, header, spy
from tests.sites import tree_digest

ROOT = Path(__file__).resolve().parents[2]
# Articles carry the real head partial (filters and result metadata) and mark
# their body for Pagefind as theme/templates/article.html does.
ARTICLE = (
    '<!doctype html><html lang="en"><head><title>{{ article.title|safe }}</title>'
    '{% include "partials/meta.html" %}</head><body><main>'
    "<h1>{{ article.title|safe }}</h1><div data-pagefind-body>{{ article.content|safe }}</div>"
    "</main></body></html>"
)
HOME = (
    '<!doctype html><html lang="en"><head><title>Home</title></head><body>'
    "<main>homepageonlyword {% for a in articles %}{{ a.title|safe }} {% endfor %}</main>"
    "</body></html>"
)


def _article(title, body, **fields):
    fields.setdefault("authors", "Ana Ortiz")
    return header(body=body, title=title, **fields)


def _site_files():
    return {
        "articles/ports.md": _article(
            "Ports of the Sahel",
            "Convoys wait at Tillabéri for the lean season.",
            date="2025-07-09",
            category="Reporting",
            region="Africa",
            slug="ports",
        ),
        "articles/strait.md": _article(
            "A drill in the strait",
            "The coast guard rehearsed an inspection of freighters.",
            date="2025-07-24",
            category="Analysis",
            region="Asia-Pacific",
            slug="strait",
        ),
        "articles/barley.md": _article(
            "Barley and the border",
            "Granaries at Kassala emptied before the quxbarrow harvest.",
            date="2023-03-02",
            category="Reporting",
            region="Africa",
            slug="barley",
        ),
        "articles/draft.md": _article(
            "Unpublished",
            "Only the zephyrlantern draft mentions this.",
            date="2025-07-25",
            category="Analysis",
            status="draft",
            slug="unpublished",
        ),
    }


def _site_options(root):
    return {
        "plugins": ["kiosk_seo", "kiosk_search"],
        "templates": {"article.html": ARTICLE, "home.html": HOME},
        "settings": {"KIOSK_SEARCH": {"cache_path": str(root / "search-cache")}},
    }


@pytest.fixture
def site(make_site, tmp_path):
    _meta_partial(tmp_path)
    return make_site(_site_files(), **_site_options(tmp_path))


@pytest.fixture
def served(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_draft_folders_come_from_the_draft_settings():
    development = {
        "DRAFT_SAVE_AS": "drafts/{slug}/index.html",
        "DRAFT_PAGE_SAVE_AS": "drafts/pages/{slug}/index.html",
    }
    assert draft_prefixes(development) == ("drafts/", "drafts/pages/")
    assert draft_prefixes({"DRAFT_SAVE_AS": "", "DRAFT_PAGE_SAVE_AS": ""}) == ()


def test_result_metadata_is_the_kicker_and_the_date():
    article = SimpleNamespace(
        title="Ports &amp; <em>convoys</em>",
        category=SimpleNamespace(name="Reporting"),
        region=SimpleNamespace(name="Africa"),
        kicker=[
            SimpleNamespace(name="Reporting", url="section/reporting/"),
            SimpleNamespace(name="QiOSK", url="column/qiosk/"),
        ],
        date=datetime(2025, 7, 9, 8, 15),
    )
    assert search_meta(article, "%B %-d, %Y") == [
        ("data-pagefind-filter", "section", "Reporting"),
        ("data-pagefind-filter", "region", "Africa"),
        ("data-pagefind-meta", "title", "Ports & convoys"),
        ("data-pagefind-meta", "kicker", "Reporting | QiOSK"),
        ("data-pagefind-meta", "date", "July 9, 2025"),
    ]


@given(
    st.datetimes(min_value=datetime(1, 1, 1), timezones=st.sampled_from([None, UTC])),
    st.lists(st.sampled_from(["%B", "%b", "%-d", "%d", "%Y", "%-H", "%M", "%p", "%z", "%e",
                              "%-z", "%%", "% ", "%", " · ", ", ", "x"]), max_size=6),
)  # fmt: skip
def test_a_result_date_is_written_as_pelican_writes_it(date, parts):
    date_format = "".join(parts)
    safe = SafeDatetime.combine(date.date(), date.time(), date.tzinfo)
    try:
        expected = safe.strftime(date_format)
    except (ValueError, TypeError):  # a format Pelican cannot write: no promise
        return
    assert date_text(safe, date_format) == expected


def test_a_result_shows_the_top_image_with_its_alt_text_as_written():
    # kiosk_figures keeps the top image's strings escaped for an attribute.
    article = SimpleNamespace(
        title="Nile talks",
        date=datetime(2026, 2, 26),
        top_image=SimpleNamespace(
            src="https://kiosk.example/images/nile.jpg?w=960&amp;q=80",
            alt="A fisherman&#39;s boat &amp; nets",
        ),  # fmt: skip
    )
    meta = {key: value for _attribute, key, value in search_meta(article, "%Y")}
    assert meta["image"] == "https://kiosk.example/images/nile.jpg?w=960&q=80"
    assert meta["image_alt"] == "A fisherman's boat & nets"


@pytest.mark.parametrize(
    "title",
    [
        'AT&amp;T&#8217;s <span class="caps">NATO</span> &ldquo;pivot&rdquo;',
        "a &lt;b&gt; c&nbsp;d",
        "broken & bare <b>unclosed",  # not plain typogrify output: BeautifulSoup reads it
    ],
)
def test_a_result_title_is_the_text_a_reader_sees(title):
    from bs4 import BeautifulSoup

    assert plain_text(title) == BeautifulSoup(title, "html.parser").get_text()


def _page_count(bundle):
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    return sum(language["page_count"] for language in entry["languages"].values())


def test_only_published_articles_are_indexed_one_bundle_per_year(site):
    assert _page_count(site / "pagefind") == 2, "2025: ports and strait, not the draft"
    assert _page_count(site / "pagefind" / "2023") == 1
    assert json.loads((site / "pagefind" / "shards.json").read_text()) == {"merge": ["2023/"]}
    assert (site / "pagefind" / "pagefind-ui.js").is_file(), "the search page loads it locally"


def test_an_older_year_holds_only_its_index_data(site):
    files = {p.relative_to(site / "pagefind" / "2023").as_posix()
             for p in (site / "pagefind" / "2023").rglob("*") if p.is_file()}  # fmt: skip
    assert "pagefind-entry.json" in files
    assert any(name.startswith("fragment/") for name in files)
    assert not [name for name in files if name.endswith((".js", ".css", ".pagefind"))]


def test_indexing_can_be_turned_off(make_site):
    output = make_site(
        {"articles/a.md": _article("A", "Text.", date="2025-01-01", category="Analysis")},
        plugins=["kiosk_search"],
        settings={"KIOSK_SEARCH": {"enabled": False}},
    )
    assert not (output / "pagefind").exists()


def _meta_partial(tmp_path):
    partials = tmp_path / "theme" / "templates" / "partials"
    partials.mkdir(parents=True, exist_ok=True)
    meta = (ROOT / "theme" / "templates" / "partials" / "meta.html").read_text(encoding="utf-8")
    (partials / "meta.html").write_text(meta, encoding="utf-8")


@pytest.mark.parametrize("enabled", [True, False])
def test_pages_carry_search_metadata_only_when_something_indexes_them(make_site, tmp_path,
                                                                        enabled):  # fmt: skip
    # The live preview turns search off, and then has no use for the metadata.
    _meta_partial(tmp_path)
    output = make_site(
        {
            "articles/a.md": _article(
                "A", "Text.", date="2025-01-01", category="Analysis", region="Africa", slug="a"
            )
        },  # fmt: skip
        plugins=["kiosk_search"],
        templates={"article.html": ARTICLE, "home.html": HOME},
        settings={
            "KIOSK_SEARCH": {"enabled": enabled, "cache_path": str(tmp_path / "search-cache")}
        },  # fmt: skip
    )
    page = BeautifulSoup((output / "a" / "index.html").read_text(encoding="utf-8"), "html.parser")
    filters = {meta["data-pagefind-filter"] for meta in page.select("meta[data-pagefind-filter]")}
    assert filters == ({"section[content]", "region[content]"} if enabled else set())
    assert bool(page.select("meta[data-pagefind-meta]")) is enabled


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match="enabeld"):
        search_settings({"KIOSK_SEARCH": {"enabeld": False}})


@pytest.mark.browser
def test_a_word_finds_its_article_with_kicker_and_date(page, served):
    results = pagefind_search(page, served, "Tillabéri")
    assert [r["url"] for r in results] == ["/ports/"]
    assert results[0]["meta"]["title"] == "Ports of the Sahel"
    assert results[0]["meta"]["kicker"] == "Reporting | Africa"
    assert results[0]["meta"]["date"] == "July 9, 2025"


@pytest.mark.browser
def test_a_word_of_an_older_year_is_found_beside_the_newest(page, served):
    assert [r["url"] for r in pagefind_search(page, served, "Kassala")] == ["/barley/"]
    assert [r["url"] for r in pagefind_search(page, served, "coast guard")] == ["/strait/"]


@pytest.mark.browser
def test_drafts_and_non_article_pages_are_not_found(page, served):
    assert pagefind_search(page, served, "zephyrlantern") == []
    assert pagefind_search(page, served, "homepageonlyword") == []


@pytest.mark.browser
def test_results_filter_by_section_and_region(page, served):
    assert [r["url"] for r in pagefind_search(page, served, None, {"region": "Asia-Pacific"})] == [
        "/strait/"
    ]
    reporting = pagefind_search(page, served, None, {"section": "Reporting"})
    assert sorted(r["url"] for r in reporting) == ["/barley/", "/ports/"], "every year's"
    africa_2023 = pagefind_search(page, served, "Kassala", {"region": "Africa"})
    assert [r["url"] for r in africa_2023] == ["/barley/"]
    assert pagefind_search(page, served, "Kassala", {"region": "Asia-Pacific"}) == []


# --- Shards and their cache, on hand-written article pages --------------------

PAGE = (
    '<!doctype html><html lang="en"><head><title>{title}</title>'
    '<meta data-pagefind-filter="section[content]" content="{section}"></head>'
    "<body><main><div data-pagefind-body><h1>{title}</h1><p>{text}</p></div></main></body></html>"
)
ARCHIVE = {
    # save_as: (year, title, section, text)
    "old-grain/index.html": (2023, "Old grain", "Reporting", "Silos at Kassala."),
    "old-ports/index.html": (2023, "Old ports", "Analysis", "Cranes at Mombasa."),
    "mid-rail/index.html": (2024, "Mid rail", "Reporting", "Rails to Djibouti."),
    "new-drill/index.html": (2025, "New drill", "Analysis", "Freighters in the strait."),
}


def _write_archive(output, pages=ARCHIVE):
    for save_as, (_year, title, section, text) in pages.items():
        path = output / save_as
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(title=title, section=section, text=text), encoding="utf-8")
    (output / "index.html").write_text("<!doctype html><title>Home</title><p>home</p>", "utf-8")
    return {save_as: year for save_as, (year, *_rest) in pages.items()}


def _entries(cache):
    """{cache entry name: its inode}: an entry indexed again is a new folder."""
    return {path.name: path.stat().st_ino for path in cache.iterdir() if path.name != MARKS}


@pytest.fixture
def archive(tmp_path):
    """(output folder, years, cache folder) after a first, cold indexing."""
    output = tmp_path / "output"
    years = _write_archive(output)
    cache = tmp_path / "cache"
    report = run_pagefind(output, years=years, cache_path=cache)
    assert report == {"indexed": ["2023", "2024", "2025"], "reused": [], "early": []}
    return output, years, cache


def _cold(tmp_path, pages):
    """The bundle a build with no cache makes of ``pages``, as a tree digest."""
    output = tmp_path / "cold"
    years = _write_archive(output, pages)
    run_pagefind(output, years=years)
    return tree_digest(output / "pagefind")


def test_each_year_is_a_shard_the_newest_whole_the_others_listed(archive):
    output, _years, cache = archive
    bundle = output / "pagefind"
    assert _page_count(bundle) == 1
    assert (_page_count(bundle / "2024"), _page_count(bundle / "2023")) == (1, 2)
    assert json.loads((bundle / "shards.json").read_text()) == {"merge": ["2024/", "2023/"]}
    assert len(_entries(cache)) == 3


def test_nothing_changed_reuses_every_shard_and_writes_the_same_bundle(archive):
    output, years, cache = archive
    before, entries = tree_digest(output / "pagefind"), _entries(cache)
    report = run_pagefind(output, years=years, cache_path=cache)
    assert report == {"indexed": [], "reused": ["2023", "2024", "2025"], "early": []}
    assert _entries(cache) == entries, "no entry was written again"
    assert tree_digest(output / "pagefind") == before


def test_an_edit_indexes_exactly_its_year_and_equals_a_clean_build(archive, tmp_path):
    output, years, cache = archive
    entries = _entries(cache)
    edited = {**ARCHIVE, "old-ports/index.html": (2023, "Old ports", "Analysis", "Dhows at Lamu.")}
    _write_archive(output, edited)
    report = run_pagefind(output, years=years, cache_path=cache)
    assert report == {"indexed": ["2023"], "reused": ["2024", "2025"], "early": []}
    after = _entries(cache)
    assert len(after) == 3 and len(set(after.items()) - set(entries.items())) == 1
    assert tree_digest(output / "pagefind") == _cold(tmp_path, edited)


def test_entries_the_build_did_not_use_are_pruned(archive, tmp_path):
    output, _years, cache = archive
    remaining = {k: v for k, v in ARCHIVE.items() if v[0] != 2024}
    (output / "mid-rail" / "index.html").unlink()
    report = run_pagefind(output, years={k: v[0] for k, v in remaining.items()}, cache_path=cache)
    assert report == {"indexed": [], "reused": ["2023", "2025"], "early": []}
    assert len(_entries(cache)) == 2, "the 2024 entry is gone"
    assert not (output / "pagefind" / "2024").exists()
    assert tree_digest(output / "pagefind") == _cold(tmp_path, remaining)


def test_pages_the_build_knows_are_grouped_into_shards_without_being_read(
    archive, tmp_path, monkeypatch
):
    output, years, cache = archive
    before = tree_digest(output / "pagefind")
    for save_as in years:  # as the build's writer does for pages linked from the render memo
        page = output / save_as
        remember(page, digest(page.read_bytes()), stat_stamp(page.stat()))
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path) or real(path))

    report = run_pagefind(output, years=years, cache_path=cache)

    assert report == {"indexed": [], "reused": ["2023", "2024", "2025"], "early": []}
    assert not {output / save_as for save_as in years} & set(read)
    assert tree_digest(output / "pagefind") == before
    marks = json.loads((cache / MARKS).read_text())
    assert sorted(marks.values()) == [True] * len(years)


def test_damaged_page_marks_only_cost_a_read(archive):
    output, years, cache = archive
    before = tree_digest(output / "pagefind")
    (cache / MARKS).write_text("{not json")
    report = run_pagefind(output, years=years, cache_path=cache)
    assert report == {"indexed": [], "reused": ["2023", "2024", "2025"], "early": []}
    assert tree_digest(output / "pagefind") == before
    assert len(json.loads((cache / MARKS).read_text())) == len(years)


@pytest.mark.parametrize("damage", ["altered file", "missing file", "no manifest", "extra file"])
def test_a_damaged_cache_entry_is_not_trusted(archive, tmp_path, damage):
    output, years, cache = archive
    before = tree_digest(output / "pagefind")
    # The 2024 entry: the one holding mid-rail's page.
    entry = next(p for p in cache.iterdir() if p.name != MARKS and b"Djibouti" in _bundle_bytes(p))
    fragment = next((entry / "bundle" / "fragment").iterdir())
    if damage == "altered file":
        data = fragment.read_bytes()
        fragment.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    elif damage == "missing file":
        fragment.unlink()
    elif damage == "no manifest":  # as a build interrupted before it wrote one would leave it
        (entry / MANIFEST).unlink()
    else:
        (entry / "bundle" / "stray.js").write_text("alert(1)")
    report = run_pagefind(output, years=years, cache_path=cache)
    assert report == {"indexed": ["2024"], "reused": ["2023", "2025"], "early": []}
    assert tree_digest(output / "pagefind") == before
    assert len(_entries(cache)) == 3, "the damaged entry was replaced by a sound one"


def test_a_reused_entry_s_files_are_not_read_again_while_their_stat_is_as_stored(
    archive, monkeypatch
):
    output, years, cache = archive
    before = tree_digest(output / "pagefind")
    hashed = []
    spy(monkeypatch, hashlib, "file_digest", lambda handle, _name: hashed.append(handle.name))

    report = run_pagefind(output, years=years, cache_path=cache)

    assert report == {"indexed": [], "reused": ["2023", "2024", "2025"], "early": []}
    assert not [name for name in hashed if str(cache) in str(name)], "a cached file was hashed"
    assert tree_digest(output / "pagefind") == before


def test_a_half_written_entry_is_left_to_its_build_and_never_used(archive):
    output, years, cache = archive
    half = cache / ".tmp-interrupted"
    (half / "bundle").mkdir(parents=True)
    report = run_pagefind(output, years=years, cache_path=cache)
    assert report["indexed"] == []
    assert half.exists(), "a temporary folder this young may be a concurrent build's"


def _bundle_bytes(entry):
    fragments = (entry / "bundle" / "fragment").iterdir()
    return b"".join(gzip.decompress(path.read_bytes()) for path in fragments)


def test_two_shards_indexed_at_once_give_the_same_bundle(archive, tmp_path):
    output, years, _cache = archive
    at_once = tmp_path / "at-once"
    _write_archive(at_once)
    run_pagefind(at_once, years=years, workers=2)
    assert tree_digest(at_once / "pagefind") == tree_digest(output / "pagefind")


# --- The edited shard begun while the build still renders (start_early) --------

EDITED = {**ARCHIVE, "old-ports/index.html": (2023, "Old ports", "Analysis", "Dhows at Lamu.")}


def _scratch_folders(output):
    return sorted(path.name for path in output.parent.glob(".pagefind-*"))


def test_an_edited_shard_begun_early_gives_the_bundle_a_clean_build_gives(archive, tmp_path):
    output, years, cache = archive
    _write_archive(output, EDITED)

    early = start_early(output, years=years, cache_path=cache)
    assert list(early) == ["2023"], "only the shard whose pages changed is begun"
    report = run_pagefind(output, years=years, cache_path=cache, early=early)

    assert report == {"indexed": ["2023"], "reused": ["2024", "2025"], "early": ["2023"]}
    assert tree_digest(output / "pagefind") == _cold(tmp_path, EDITED)
    assert _scratch_folders(output) == []


def test_a_shard_whose_pages_changed_after_it_was_begun_is_indexed_again(archive, tmp_path):
    output, years, cache = archive
    _write_archive(output, EDITED)
    early = start_early(output, years=years, cache_path=cache)
    again = {**EDITED, "old-grain/index.html": (2023, "Old grain", "Reporting", "Sorghum.")}
    _write_archive(output, again)  # as a later writer of the same page would

    report = run_pagefind(output, years=years, cache_path=cache, early=early)

    assert report == {"indexed": ["2023"], "reused": ["2024", "2025"], "early": []}
    assert tree_digest(output / "pagefind") == _cold(tmp_path, again)
    assert _scratch_folders(output) == [], "the early run and its folder are gone"


def test_nothing_is_begun_early_for_a_cold_build_or_more_than_one_run_can_take(archive, tmp_path):
    output, years, cache = archive
    cold = tmp_path / "cold-output"
    assert start_early(cold, years=_write_archive(cold), cache_path=tmp_path / "empty") == {}
    changed = {save_as: (year, title, section, text + " Again.")
               for save_as, (year, title, section, text) in ARCHIVE.items()}  # fmt: skip
    _write_archive(output, changed)
    assert start_early(output, years=years, cache_path=cache) == {}, "three shards changed"
    _write_archive(output, EDITED)
    assert start_early(output, years=years, cache_path=cache, max_pages=1) == {}, "2 pages"
    assert start_early(output, years=years, cache_path=None) == {}
    assert _scratch_folders(output) == []


def test_an_early_run_nobody_takes_is_stopped_and_leaves_nothing(archive):
    output, years, cache = archive
    _write_archive(output, EDITED)
    (shard,) = start_early(output, years=years, cache_path=cache).values()
    assert _scratch_folders(output)
    shard.cancel()
    assert _scratch_folders(output) == []
    shard.cancel()  # twice is harmless (at exit, after the build's own cancel)


def test_an_early_run_that_fails_fails_the_indexing_and_leaves_nothing(archive, monkeypatch):
    output, years, cache = archive
    _write_archive(output, EDITED)
    monkeypatch.setattr(indexing, "get_executable", lambda: Path(shutil.which("false")))
    early = start_early(output, years=years, cache_path=cache)
    assert list(early) == ["2023"]

    with pytest.raises(subprocess.CalledProcessError):
        run_pagefind(output, years=years, cache_path=cache, early=early)

    assert _scratch_folders(output) == []


def test_a_rebuild_after_an_edit_indexes_its_year_while_the_pages_render(
    site, tmp_path, monkeypatch
):
    reports, begun = [], []
    indexed = kiosk_search.run_pagefind

    def index(*args, **kwargs):
        reports.append(indexed(*args, **kwargs))

    def turning_to_listings(*_args, **_kwargs):
        begun.append(sorted(kiosk_search._early.get(str(site), {})))

    monkeypatch.setattr(kiosk_search, "run_pagefind", index)
    # What is under way when Pelican turns from the article pages to the listings.
    spy(monkeypatch, ArticlesGenerator, "generate_period_archives", turning_to_listings)
    files = {**_site_files(), "articles/barley.md": _article(
        "Barley and the border", "Granaries at Kassala filled with sorghum.",
        date="2023-03-02", category="Reporting", region="Africa", slug="barley")}  # fmt: skip

    build_site(tmp_path, files, **_site_options(tmp_path))

    assert begun == [["2023"]]
    assert reports == [{"indexed": ["2023"], "reused": ["2025"], "early": ["2023"]}]
    clean = tmp_path / "clean"
    _meta_partial(clean)
    build_site(clean, files, **_site_options(clean))
    assert tree_digest(site / "pagefind") == tree_digest(clean / "output" / "pagefind")
    assert _scratch_folders(site) == []


def test_a_year_of_more_articles_than_the_limit_is_cut_into_month_ranges():
    dates = {"jan/": datetime(2023, 1, 5), "may/": datetime(2023, 5, 30),
             "jul/": datetime(2023, 7, 1), "dec/": datetime(2023, 12, 31),
             "one/": datetime(2024, 3, 3)}  # fmt: skip
    assert shard_names(dates) == {"jan/": "2023", "may/": "2023", "jul/": "2023",
                                  "dec/": "2023", "one/": "2024"}  # fmt: skip
    # Four articles, at most two a range: halves of the year (2 and 2 here).
    assert shard_names(dates, max_pages=2) == {"jan/": "2023-01", "may/": "2023-01",
                                               "jul/": "2023-07", "dec/": "2023-07",
                                               "one/": "2024"}  # fmt: skip
    # At most one a range: quarters (whatever the months, each range spans three).
    assert shard_names(dates, max_pages=1)["may/"] == "2023-04"
    assert shard_names(dates, max_pages=1)["dec/"] == "2023-10"


def test_month_ranges_are_merged_newest_first_like_years():
    names = ["2023-01", "undated", "2024", "2023-07", "2022"]
    assert primary_shard(names) == "2024"
    assert merge_order(names) == ["2023-07", "2023-01", "2022", "undated"]
    assert primary_shard(["2023-01", "2023-07"]) == "2023-07"


def test_a_cut_year_is_indexed_as_one_bundle_per_month_range(tmp_path):
    output = tmp_path / "output"
    pages = {**ARCHIVE, "late-grain/index.html": (2023, "Late grain", "Reporting", "Barley.")}
    _write_archive(output, pages)
    months = {"old-grain/index.html": 2, "old-ports/index.html": 5,
              "late-grain/index.html": 10, "mid-rail/index.html": 4,
              "new-drill/index.html": 1}  # fmt: skip
    dates = {save_as: datetime(year, months[save_as], 1)
             for save_as, (year, *_rest) in pages.items()}  # fmt: skip
    report = run_pagefind(output, years=shard_names(dates, max_pages=2))
    assert report["indexed"] == ["2023-01", "2023-07", "2024", "2025"]
    bundle = output / "pagefind"
    assert json.loads((bundle / "shards.json").read_text()) == {
        "merge": ["2024/", "2023-07/", "2023-01/"]
    }
    assert (_page_count(bundle / "2023-01"), _page_count(bundle / "2023-07")) == (2, 1)


# --- what Pagefind is given of a page (indexing.search_copy) -------------------

SEARCH_METAS = (
    '<meta name="kiosk-search-section" data-pagefind-filter="section[content]" content="Analysis">'
    '<meta name="kiosk-search-title" data-pagefind-meta="title[content]" content="{title}">'
    '<meta name="kiosk-search-date" data-pagefind-meta="date[content]" content="May 2, 2024">'
    '<meta name="kiosk-search-image" data-pagefind-meta="image[content]" content="/i/{n}.jpg">'
    '<meta name="kiosk-search-image_alt" data-pagefind-meta="image_alt[content]" '
    'content="The harbour\'s cranes">'
)


def full_page(n: int, title: str, body: str, head_extra="", after_body="") -> bytes:
    """An article page shaped as article.html makes it: the header, rails and teasers
    around the body (each with images of their own), the body ending in the mark."""
    return (
        f'<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">'
        f"<title>{title} | Kiosk</title>{SEARCH_METAS.format(title=title, n=n)}{head_extra}"
        '<link rel="stylesheet" href="/theme/css/kiosk.css"></head>\n<body><header><nav>'
        '<a href="/">Kiosk</a></nav></header><main><h1>' + title + "</h1>"
        f'<figure class="figure--top"><img src="/i/{n}.jpg" alt="Top {n}"></figure>'
        '<div class="prose article__body" data-pagefind-body>\n' + body + "\n</div>"
        "<!--/data-pagefind-body-->" + after_body + '<aside class="rail"><h2>Latest</h2>'
        '<a href="/other/"><img src="/i/other.jpg" alt="Another story">Another story</a>'
        "</aside></main><footer>Kiosk, an independent magazine</footer></body></html>\n"
    ).encode()


BODIES = (
    "<p>The port of Mombasa handled more grain than ever.</p>"
    '<figure><img src="/i/crane.jpg" alt="A crane"><figcaption><span class="caption">'
    'Cranes at dawn.</span> <span class="credit">AFP</span></figcaption></figure>',
    "<p>Talks in Geneva stalled over the <em>ceasefire's</em> terms.</p>"
    "<h2>What next</h2><p>Envoys meet again in June.</p>",
    "<p>A short news item about rice exports.</p>",
)


def test_pagefind_is_given_the_html_tag_the_search_metas_and_the_body():
    page = full_page(1, "Grain at Mombasa", BODIES[0])
    copy = search_copy(page)
    soup = BeautifulSoup(copy, "html.parser")
    assert soup.html["lang"] == "en-GB"
    assert [meta["name"] for meta in soup.select("head meta")] == [
        "kiosk-search-section", "kiosk-search-title", "kiosk-search-date",
        "kiosk-search-image", "kiosk-search-image_alt",
    ]  # fmt: skip
    original = BeautifulSoup(page, "html.parser").select_one("[data-pagefind-body]")
    assert soup.select_one("body > [data-pagefind-body]") == original
    # Nothing else of the page: no header, rail or footer, none of their images.
    assert [img["src"] for img in soup.select("img")] == ["/i/crane.jpg"]
    assert soup.select("header, aside, footer, h1") == []


@pytest.mark.parametrize(
    "change",
    [
        lambda page: page.replace(b"<!--/data-pagefind-body-->", b""),
        lambda page: page.replace(b'data-pagefind-meta="title[content]"', b'data-x="title"'),
        lambda page: page.replace(b'<aside class="rail">', b'<aside data-pagefind-ignore="all">'),
        lambda page: page.replace(b"<h1>", b'<h1 data-pagefind-meta="headline">'),
    ],
    ids=["no end mark", "no title meta", "an attribute in a rail", "an attribute in the header"],
)
def test_a_page_of_another_shape_is_given_whole(change):
    page = change(full_page(2, "Geneva talks", BODIES[1]))
    assert search_copy(page) == page


def test_pagefind_indexes_the_copies_as_it_indexes_the_pages(tmp_path):
    """The same bundle, byte for byte once stabilised, from the pages and from their copies."""
    from pagefind.service import get_executable

    from kiosk_search.indexing import INDEX_OPTIONS
    from kiosk_search.stable import stabilise

    titles = ("Grain at Mombasa", "Geneva talks stall over the ceasefire's terms", "Rice exports")
    pages = {f"story-{n}/index.html": full_page(n, title, body)
             for n, (title, body) in enumerate(zip(titles, BODIES, strict=True))}  # fmt: skip
    bundles = []
    for name, shape in (("pages", lambda page: page), ("copies", search_copy)):
        site = tmp_path / name / "site"
        for relative, page in pages.items():
            (site / relative).parent.mkdir(parents=True, exist_ok=True)
            (site / relative).write_bytes(shape(page))
        bundle = tmp_path / name / "bundle"
        subprocess.run([str(get_executable()), *INDEX_OPTIONS, "--site", str(site),
                        "--output-path", str(bundle)], check=True)  # fmt: skip
        stabilise(bundle)
        bundles.append(tree_digest(bundle))
    assert bundles[0] == bundles[1]
    assert any(name.startswith("fragment/") for name in bundles[0])
