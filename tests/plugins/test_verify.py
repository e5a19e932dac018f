"""kiosk_verify: every broken thing in a built site is found and named with its page.

Most tests write a few files straight into ``tmp_path`` (a built site is only a
folder) and call ``verify_site``; the last ones publish a tiny site the way an
editor does and check that a broken link stops the publish.
"""

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk_verify import SiteBroken, verify_settings, verify_site
from kiosk_verify.check import _Site
from kiosk_verify.pages import parse_page, srcset_urls
from tests.conftest import invoke
from tests.plugins.conftest import spy
from tests.sites import tree_digest
from tests.sites import write_site as write_tiny_site

SITE_URL = "https://kiosk.example"


def page(body: str, title="A page") -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"


def write(folder: Path, files: dict) -> Path:
    for relative, text in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


@pytest.fixture
def site(tmp_path):
    """A sound little site: a home page, an article with an image and a stylesheet."""
    return write(tmp_path / "output", {
        "index.html": page('<a href="/story/">Story</a> <a href="story/#part-2">Part 2</a>'
                           '<link rel="stylesheet" href="/theme/css/site.css">'),
        "story/index.html": page('<h2 id="part-2">Part 2</h2><img src="../images/a.jpg" alt="A" '
                                 'srcset="/images/a.jpg 480w, /images/a-960.jpg 960w">'
                                 f'<a href="{SITE_URL}/">Home</a> <a href="#top">Top</a>'),
        "images/a.jpg": b"jpeg",
        "images/a-960.jpg": b"jpeg",
        "theme/css/site.css": "body{}",
    })  # fmt: skip


def messages(folder, site_url=SITE_URL):
    return [str(problem) for problem in verify_site(folder, site_url)]


def test_a_sound_site_has_no_problems(site):
    assert verify_site(site, SITE_URL) == []


def test_a_link_to_a_missing_page_is_named_with_its_page(site):
    write(site, {"about/index.html": page('<a href="/no-such-page/">Gone</a>')})
    assert messages(site) == ["about/index.html: /no-such-page/: not found in the site"]


def test_a_missing_image_and_a_missing_srcset_entry_are_both_reported(site):
    (site / "images" / "a-960.jpg").unlink()
    write(site, {"gallery/index.html": page('<img src="/images/gone.png" alt="Gone">')})
    assert messages(site) == [
        "gallery/index.html: /images/gone.png: not found in the site",
        "story/index.html: /images/a-960.jpg: not found in the site",
    ]


def test_a_fragment_must_name_an_element_on_the_target_page(site):
    write(site, {"index.html": page('<a href="/story/#part-3">Part 3</a><a href="#nav">Nav</a>')})
    assert messages(site) == [
        "index.html: #nav: no element with id 'nav' on that page",
        "index.html: /story/#part-3: no element with id 'part-3' on that page",
    ]


def test_absolute_urls_of_the_site_are_internal_and_other_hosts_are_not(site):
    write(site, {"links/index.html": page(
        f'<a href="{SITE_URL}/missing/">Ours</a> <a href="https://elsewhere.example/x/">Theirs</a>'
        '<a href="mailto:desk@kiosk.example">Mail</a>'
        f'<meta property="og:image" content="{SITE_URL}/images/card.jpg">')})  # fmt: skip
    assert messages(site) == [
        f"links/index.html: {SITE_URL}/images/card.jpg: not found in the site",
        f"links/index.html: {SITE_URL}/missing/: not found in the site",
    ]


def test_a_broken_reference_is_reported_on_every_page_that_makes_it(site):
    # Sound references are looked at once for the whole site; broken ones never
    # join them, and a relative one is worked out from each page's folder.
    write(site, {
        "a/index.html": page('<a href="/gone/">Gone</a><a href="/story/">Story</a>'
                             '<a href="../story/">Up</a><a href="story/">Down</a>'),
        "b/index.html": page('<a href="/gone/">Gone</a><a href="/story/">Story</a>'
                             '<a href="../story/">Up</a><a href="story/">Down</a>'),
        "story/c/index.html": page('<a href="../../gone/">Gone</a>'),
    })  # fmt: skip
    assert messages(site) == [
        "a/index.html: /gone/: not found in the site",
        "a/index.html: story/: not found in the site",
        "b/index.html: /gone/: not found in the site",
        "b/index.html: story/: not found in the site",
        "story/c/index.html: ../../gone/: not found in the site",
    ]


def test_outside_urls_that_cannot_be_split_are_reported(site):
    write(site, {"links/index.html": page(
        '<a href="https://[::1/">Bracket</a> <a href="HTTPS://elsewhere.example/">Loud</a>'
        '<a href="https://elsewhere.example/a%20b?q=[1]">Query</a>'
        '<a href="mailto:desk@kiosk.example?subject=Hello">Mail</a>')})  # fmt: skip
    assert messages(site) == [
        "links/index.html: https://[::1/: Invalid IPv6 URL",
    ]


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(["https://", "http://", "mailto:", "HTTP://", "Mailto:"]),
    rest=st.text(alphabet=st.sampled_from("ab/?#[]:@.%:\uff03\u2100 \t"), max_size=12),
)
def test_an_outside_url_is_judged_as_urlsplit_judges_it(prefix, rest):
    # The short way for https://, http:// and mailto: must say what urlsplit says.
    reference = prefix + rest
    try:
        urlsplit(reference)
    except ValueError as err:
        with pytest.raises(ValueError, match=re.escape(str(err))):
            _Site(Path("/nowhere"), SITE_URL, ()).internal_path("/a/", reference)
    else:
        assert _Site(Path("/nowhere"), "", ()).internal_path("/a/", reference) is None


def test_a_site_below_a_path_resolves_links_from_that_path(tmp_path):
    folder = write(tmp_path / "out", {
        "index.html": page('<a href="/mag/story/">Story</a> <a href="/story/">Wrong</a>'),
        "story/index.html": page("Story"),
    })  # fmt: skip
    assert messages(folder, "https://example.org/mag") == [
        "index.html: /story/: not found in the site"
    ]


def test_script_urls_and_stray_scripts_are_refused(site):
    write(
        site,
        {
            "bad/index.html": page(
                '<a href="JavaScript:alert(1)">Click</a>'
                '<script src="/theme/js/missing.js"></script>'
            )
        },
    )
    assert messages(site) == [
        "bad/index.html: /theme/js/missing.js: not found in the site",
        "bad/index.html: JavaScript:alert(1): is a script URL; pages must not run code from links",
    ]


def test_markup_a_browser_must_repair_is_reported_with_its_line(site):
    write(site, {"broken/index.html": page('<p id="x">One</span></p>\n<p id="x">Two</p>')})
    assert messages(site) == [
        "broken/index.html: id 'x' is used more than once",
        "broken/index.html: line 1: Unexpected end tag : span",
    ]


def test_a_page_without_a_title_is_reported(site):
    write(site, {"untitled.html": "<!doctype html><html><head></head><body>Hi</body></html>"})
    assert messages(site) == ["untitled.html: has no <title>"]


def test_feeds_must_parse_and_their_links_resolve(site):
    write(site, {
        "feeds/latest.atom.xml": (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>Kiosk</title><id>{SITE_URL}/</id><updated>2024-06-14T09:30:00Z</updated>'
            f'<entry><title>Gone</title><link href="{SITE_URL}/gone/" rel="alternate"/>'
            '<id>gone</id><updated>2024-06-14T09:30:00Z</updated></entry></feed>'),
        "feeds/section/analysis.atom.xml": "<feed><title>Broken</feed>",
        "feeds/latest.json": json.dumps({"version": "https://jsonfeed.org/version/1.1",
                                         "items": [{"url": f"{SITE_URL}/story/"}]}),
    })  # fmt: skip
    found = messages(site)
    assert found[0] == f"feeds/latest.atom.xml: {SITE_URL}/gone/: not found in the site"
    assert found[1].startswith("feeds/section/analysis.atom.xml: is not a well-formed feed")
    assert len(found) == 2


def test_sitemaps_must_parse_and_list_only_pages_that_exist(site):
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    write(site, {
        "sitemap.xml": f"<urlset {ns}><url><loc>{SITE_URL}/story/</loc></url>"
                       f"<url><loc>{SITE_URL}/old/</loc></url></urlset>",
        "news-sitemap.xml": f"<urlset {ns}><url><loc>{SITE_URL}/story/</loc></url>",
    })  # fmt: skip
    found = messages(site)
    assert found[0].startswith("news-sitemap.xml: is not well-formed XML")
    assert found[1:] == [f"sitemap.xml: {SITE_URL}/old/: not found in the site"]


def test_ignored_references_are_not_checked(site):
    write(site, {"index.html": page('<a href="/newsletter/">Subscribe</a>')})
    assert verify_site(site, SITE_URL, ignore=[r"^/newsletter/"]) == []


def test_references_resolve_as_a_host_resolves_them(tmp_path):
    # Found in the site's listing or, for what it does not list, on disk: a
    # folder's page, a file with a stray slash, an encoded name, a "..", a
    # folder without a page, a folder reached through a symlink.
    folder = write(tmp_path / "output", {
        "index.html": page(
            '<a href="/story/">1</a> <a href="/story">2</a> <a href="/notes.txt/">3</a>'
            ' <a href="/caf%C3%A9/">4</a> <a href="/story/%2e%2e/notes.txt">5</a>'
            ' <a href="/empty/">6</a> <a href="/alias/">7</a> <a href="/gone/">8</a>'
            ' <a href="/story/index.html#part">9</a> <a href="/">10</a>'),
        "story/index.html": page('<h2 id="part">Part</h2>'),
        "notes.txt": "notes",
        "café/index.html": page("Café"),
        "real/index.html": page("Real"),
    })  # fmt: skip
    (folder / "empty").mkdir()
    (folder / "alias").symlink_to(folder / "real", target_is_directory=True)
    assert messages(folder) == [
        "index.html: /empty/: not found in the site",
        "index.html: /gone/: not found in the site",
    ]


def test_srcset_candidates_are_split_into_urls():
    assert srcset_urls(" /a.jpg 480w,/b.jpg  960w , /c.jpg") == ["/a.jpg", "/b.jpg", "/c.jpg"]


def test_anchors_include_ids_and_named_anchors():
    parsed = parse_page(page('<h2 id="one">One</h2><a name="two"></a>').encode())
    assert parsed.anchors == {"one", "two"}
    assert parsed.errors == []


def test_a_parse_collects_every_id_and_url_in_document_order_whatever_the_element():
    parsed = parse_page(page(
        '<!-- <a href="/commented/">no</a> --><section id="s"><p id="p">'
        '<a href=" /one/ " name="n">1</a><span id="p">again</span></p>'
        '<img src="/i.jpg" srcset="/i-480.jpg 480w, /i-960.jpg 960w" alt="">'
        '<a href="/two/">2</a><a href="  ">blank</a><svg id="chart"><a href="/svg/">3</a></svg>'
        '<meta property="og:image" content=" /card.jpg "><meta name="og:url" content="">'
        '<link href="/feed.xml" rel="alternate"><script src="/s.js"></script></section>'
        '<div id="">empty</div><span id="s">third</span>'
    ).encode())  # fmt: skip
    assert parsed.anchors == {"s", "p", "n", "chart", ""}
    assert parsed.errors == ["id 'p' is used more than once", "id 's' is used more than once"]
    # Grouped by element and attribute (URL_ATTRIBUTES' order), each group in
    # document order; blank values are no references.
    assert parsed.references == ["/one/", "/two/", "/svg/", "/feed.xml", "/s.js", "/i.jpg",
                                 "/i-480.jpg", "/i-960.jpg", "/card.jpg"]  # fmt: skip


def test_settings_have_defaults_and_refuse_unknown_keys():
    assert verify_settings({}) == {
        "enabled": False, "ignore": (), "cache_path": ".kiosk-cache/verify",
        "fresh_workers_above_mb": 256,
    }  # fmt: skip
    assert verify_settings({"VERIFY": {"enabled": True}})["enabled"] is True
    with pytest.raises(ValueError, match="VERIFY: unknown key.*enable"):
        verify_settings({"VERIFY": {"enable": True}})


def test_the_error_lists_each_broken_thing_on_its_own_line(site):
    write(site, {"index.html": page('<a href="/a/">A</a><a href="/b/">B</a>')})
    error = SiteBroken(verify_site(site, SITE_URL))
    assert str(error).splitlines() == [
        "2 broken things in the built site:",
        "index.html: /a/: not found in the site",
        "index.html: /b/: not found in the site",
        "Fix the things above and build again",
    ]


# --- As an editor meets it: `invoke publish` on a tiny site -----------------


def write_site(tmp_path: Path) -> Path:
    """The tiny site of tests/sites.py plus the favicon every page links to."""
    content = write_tiny_site(tmp_path)
    write(content, {"extra/favicon.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'})
    return content


def break_links(content: Path):
    path = content / "articles" / "2024" / "summit.md"
    path.write_text(path.read_text("utf-8") + (
        "\nSee [the earlier piece](/no-such-piece/) and [part two](#part-two).\n\n"
        f"![A map of the region]({SITE_URL}/images/2024/missing-map.png)\n"
    ), "utf-8")  # fmt: skip


def test_a_broken_link_fails_the_publish_naming_page_and_target(tmp_path):
    content = write_site(tmp_path)
    output = tmp_path / "output"
    invoke("publish", "--content", str(content), "--output", str(output))
    before = tree_digest(output)

    break_links(content)
    result = invoke("publish", "--content", str(content), "--output", str(output), check=False)

    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = set(result.stderr.splitlines())
    page_path = "summit-without-the-other-side/index.html"
    assert f"{page_path}: /no-such-piece/: not found in the site" in lines
    assert f"{page_path}: #part-two: no element with id 'part-two' on that page" in lines
    assert f"{page_path}: {SITE_URL}/images/2024/missing-map.png: not found in the site" in lines
    assert tree_digest(output) == before, "a broken publish replaced the previous site"
    assert not list(tmp_path.glob(".output-*")), "the staging folder was left behind"


def test_the_sample_magazine_publishes_with_no_broken_thing(published_site):
    assert [str(problem) for problem in verify_site(published_site, SITE_URL)] == []


# --- The cache: a rebuild parses only the pages whose bytes changed -------------


def broken_copy(site: Path) -> Path:
    """The sound site with one of each kind of broken thing."""
    (site / "images" / "a-960.jpg").unlink()
    return write(site, {
        "index.html": page('<a href="/story/#part-3">Part 3</a><a href="#nav">Nav</a>'
                           '<a href="/story/">Story</a><link rel="stylesheet" '
                           'href="/theme/css/site.css">'),
        "about/index.html": page('<a href="/no-such-page/">Gone</a><a href="JavaScript:x()">X</a>'),
        "broken/index.html": page('<p id="x">One</span></p>\n<p id="x">Two</p>'),
        "untitled.html": "<!doctype html><html><head></head><body>Hi</body></html>",
        "links/index.html": page(f'<a href="{SITE_URL}/missing/">Ours</a>'
                                 f'<meta property="og:image" content="{SITE_URL}/img/card.jpg">'),
    })  # fmt: skip


@pytest.fixture
def counted_parses(monkeypatch):
    """How many pages were parsed (checks run in this process: workers=1)."""
    from kiosk_verify import cache

    calls = []

    def counting(data):
        calls.append(data)
        return parse_page(data)

    monkeypatch.setattr(cache, "parse_page", counting)
    return calls


def cached_messages(folder, cache, workers=1):
    return [str(p) for p in verify_site(folder, SITE_URL, cache_path=cache, workers=workers)]


def test_a_second_check_parses_no_page_and_reports_the_same(site, tmp_path, counted_parses):
    broken_copy(site)
    uncached = messages(site)
    assert uncached == [
        "about/index.html: /no-such-page/: not found in the site",
        "about/index.html: JavaScript:x(): is a script URL; pages must not run code from links",
        "broken/index.html: id 'x' is used more than once",
        "broken/index.html: line 1: Unexpected end tag : span",
        "index.html: #nav: no element with id 'nav' on that page",
        "index.html: /story/#part-3: no element with id 'part-3' on that page",
        f"links/index.html: {SITE_URL}/img/card.jpg: not found in the site",
        f"links/index.html: {SITE_URL}/missing/: not found in the site",
        "story/index.html: /images/a-960.jpg: not found in the site",
        "untitled.html: has no <title>",
    ]
    counted_parses.clear()
    assert cached_messages(site, tmp_path / "cache") == uncached
    assert len(counted_parses) == 6, "every page is parsed once on the first check"
    counted_parses.clear()
    assert cached_messages(site, tmp_path / "cache") == uncached
    assert counted_parses == [], "an unchanged page was parsed again"


def test_an_edited_page_is_parsed_again_and_only_it(site, tmp_path, counted_parses):
    cache = tmp_path / "cache"
    assert cached_messages(site, cache) == []
    counted_parses.clear()
    write(site, {"index.html": page('<a href="/story/#gone">Gone</a>')})
    assert cached_messages(site, cache) == [
        "index.html: /story/#gone: no element with id 'gone' on that page"
    ]
    assert len(counted_parses) == 1


def test_an_unchanged_page_still_reports_a_target_that_went_away(site, tmp_path, counted_parses):
    cache = tmp_path / "cache"
    assert cached_messages(site, cache) == []
    counted_parses.clear()
    (site / "theme" / "css" / "site.css").unlink()
    assert cached_messages(site, cache) == [
        "index.html: /theme/css/site.css: not found in the site"
    ]
    assert counted_parses == []
    # The target page changes and loses the id an unchanged page links to.
    write(site, {"story/index.html": page('<h2 id="part-two">Part 2</h2>')})
    assert cached_messages(site, cache) == [
        "index.html: /theme/css/site.css: not found in the site",
        "index.html: story/#part-2: no element with id 'part-2' on that page",
    ]
    assert len(counted_parses) == 1
    shutil.rmtree(site / "story")
    assert cached_messages(site, cache) == [
        "index.html: /story/: not found in the site",
        "index.html: /theme/css/site.css: not found in the site",
        "index.html: story/#part-2: not found in the site",
    ]


@pytest.fixture
def checked_pages(monkeypatch):
    """The pages whose references were checked, in order."""
    from kiosk_verify import check

    shown = []
    real = check._html_problems

    def counting(site, path, name):
        shown.append(name)
        return real(site, path, name)

    monkeypatch.setattr(check, "_html_problems", counting)
    return shown


def test_after_a_site_passed_only_its_new_and_changed_pages_are_checked(
    site, tmp_path, checked_pages
):
    cache = tmp_path / "cache"
    write(site, {f"more/{n}/index.html": page(f'<a href="/story/#part-2">{n}</a>')
                 for n in range(5)})  # fmt: skip
    assert cached_messages(site, cache) == []
    assert len(checked_pages) == 7
    checked_pages.clear()
    write(site, {"story/index.html": page('<h2 id="part-2">Part 2, corrected</h2>'),
                 "new/index.html": page('<a href="/more/3/">Three</a>')})  # fmt: skip
    assert cached_messages(site, cache) == []
    assert sorted(checked_pages) == ["new/index.html", "story/index.html"]
    checked_pages.clear()
    assert cached_messages(site, cache) == [] and checked_pages == []


def test_after_a_site_passed_its_unchanged_feeds_and_sitemaps_are_not_read_again(
    site, tmp_path, monkeypatch
):
    from kiosk_verify import check

    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    entry = ('<entry><title>{0}</title><link href="{1}" rel="alternate"/><id>{0}</id>'
             "<updated>2024-06-14T09:30:00Z</updated></entry>")  # fmt: skip
    feed = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Kiosk</title><id>k</id><updated>2024-06-14T09:30:00Z</updated>"
            "{}</feed>")  # fmt: skip
    write(site, {
        "feeds/latest.atom.xml": feed.format(entry.format("Story", f"{SITE_URL}/story/")),
        "feeds/latest.json": json.dumps({"version": "https://jsonfeed.org/version/1.1",
                                         "items": [{"url": f"{SITE_URL}/story/"}]}),
        "sitemap.xml": f"<urlset {ns}><url><loc>{SITE_URL}/story/</loc></url></urlset>",
    })  # fmt: skip
    read = []
    for name in ("_feed_problems", "_json_feed_problems", "_sitemap_problems"):
        spy(monkeypatch, check, name, lambda _site, _path, shown: read.append(shown))
    cache = tmp_path / "cache"
    assert cached_messages(site, cache) == []
    assert sorted(read) == ["feeds/latest.atom.xml", "feeds/latest.json", "sitemap.xml"]
    read.clear()

    assert cached_messages(site, cache) == []
    assert read == [], "an unchanged feed or sitemap was checked again"

    # A changed feed is checked, and a target an unchanged one needs is still checked for.
    write(site, {"feeds/latest.atom.xml": feed.format(entry.format("Gone", f"{SITE_URL}/gone/"))})
    assert cached_messages(site, cache) == [
        f"feeds/latest.atom.xml: {SITE_URL}/gone/: not found in the site"
    ]
    assert read == ["feeds/latest.atom.xml"]
    write(site, {"feeds/latest.atom.xml": feed.format("")})
    assert cached_messages(site, cache) == []
    shutil.rmtree(site / "story")
    found = cached_messages(site, cache)
    assert f"feeds/latest.json: {SITE_URL}/story/: not found in the site" in found
    assert f"sitemap.xml: {SITE_URL}/story/: not found in the site" in found


def test_a_changed_page_that_loses_an_id_gets_every_page_checked_again(
    site, tmp_path, checked_pages
):
    cache = tmp_path / "cache"
    assert cached_messages(site, cache) == []
    write(site, {"story/index.html": page('<h2 id="part-two">Part 2</h2>')})
    assert cached_messages(site, cache) == [
        "index.html: story/#part-2: no element with id 'part-2' on that page"
    ]
    checked_pages.clear()
    # A failed check is no reference: the next one checks everything again.
    write(site, {"story/index.html": page('<h2 id="part-2">Part 2</h2>')})
    assert cached_messages(site, cache) == []
    assert sorted(checked_pages) == ["index.html", "story/index.html"]


def test_a_file_that_went_away_or_another_site_url_gets_every_page_checked_again(
    site, tmp_path, checked_pages
):
    cache = tmp_path / "cache"
    assert cached_messages(site, cache) == []
    (site / "images" / "a-960.jpg").unlink()
    assert cached_messages(site, cache) == [
        "story/index.html: /images/a-960.jpg: not found in the site"
    ]
    write(site, {"images/a-960.jpg": b"jpeg"})
    assert cached_messages(site, cache) == []
    checked_pages.clear()
    # The same bytes under another SITEURL: its absolute links may mean other pages.
    assert verify_site(site, "https://elsewhere.example", cache_path=cache) == []
    assert sorted(checked_pages) == ["index.html", "story/index.html"]


def test_a_file_no_reference_resolved_to_may_go_without_every_page_checked_again(
    site, tmp_path, checked_pages
):
    # Pagefind names its fragments by content: a re-index replaces some, and
    # no page links to them.
    cache = tmp_path / "cache"
    write(site, {"pagefind/fragment/en_1a2b.pf_fragment": b"old index"})
    assert cached_messages(site, cache) == []
    checked_pages.clear()
    (site / "pagefind" / "fragment" / "en_1a2b.pf_fragment").unlink()
    write(site, {"pagefind/fragment/en_3c4d.pf_fragment": b"new index",
                 "story/index.html": page('<h2 id="part-2">Part 2, corrected</h2>')})  # fmt: skip
    assert cached_messages(site, cache) == []
    assert checked_pages == ["story/index.html"]
    # What the unchanged pages pointed to is still known after that check.
    checked_pages.clear()
    (site / "theme" / "css" / "site.css").unlink()
    assert cached_messages(site, cache) == [
        "index.html: /theme/css/site.css: not found in the site"
    ]
    assert sorted(checked_pages) == ["index.html", "story/index.html"]


def test_a_corrupt_or_foreign_entry_is_never_trusted(site, tmp_path, counted_parses):
    cache = tmp_path / "cache"
    broken_copy(site)
    expected = cached_messages(site, cache)
    entries = sorted(cache.iterdir())
    assert len(entries) == 6
    entries[0].write_bytes(entries[0].read_bytes()[:-3])  # truncated
    data = bytearray(entries[1].read_bytes())
    data[-1] ^= 0x20  # one bit flipped
    entries[1].write_bytes(bytes(data))
    # A well-formed entry that does not hold a parse result.
    from kiosk_filecache import EntryStore

    EntryStore(cache).write(entries[2].name, b"not marshal")
    counted_parses.clear()
    assert cached_messages(site, cache) == expected
    assert len(counted_parses) == 3
    counted_parses.clear()
    assert cached_messages(site, cache) == expected
    assert counted_parses == [], "the corrupt entries were not replaced"


def test_the_cache_keeps_only_the_pages_of_the_last_check(site, tmp_path):
    cache = tmp_path / "cache"
    broken_copy(site)
    cached_messages(site, cache)
    (cache / ".tmp-1-abc").write_bytes(b"half-written")  # an interrupted write
    shutil.rmtree(site / "broken")
    (site / "untitled.html").unlink()
    cached_messages(site, cache)
    assert len(list(cache.iterdir())) == 4


def test_pages_parsed_on_several_cores_give_what_one_core_gives(site, tmp_path):
    from kiosk_verify.cache import ParsedPages

    broken_copy(site)
    write(site, {f"more/{n}/index.html": page(f'<a id="n{n}" href="/story/#x{n}">{n}</a>')
                 for n in range(12)})  # fmt: skip
    paths = sorted(site.rglob("*.html"))
    uncached = ParsedPages(workers=1)
    one = uncached.load_all(paths)
    assert uncached.parsed == 18
    assert ParsedPages(tmp_path / "cache", workers=2).load_all(paths) == one
    cached = ParsedPages(tmp_path / "cache", workers=2)
    assert (cached.load_all(paths), cached.parsed) == (one, 0)
    assert cached_messages(site, tmp_path / "cache", workers=2) == messages(site)


@pytest.mark.parametrize("used", ["map_forked", "map_fresh_started"])
def test_workers_leave_their_parses_in_the_cache_and_send_back_nothing(
    site, tmp_path, monkeypatch, used
):
    """A worker that sent back every parse held them all until its share was done:
    at N = 10,000 the cold build's two verify workers were its largest moment."""
    from kiosk_verify import cache as cache_module
    from kiosk_verify.cache import ParsedPages

    write(site, {f"more/{n}/index.html": page(f'<a id="n{n}" href="/story/#x{n}">{n}</a>')
                 for n in range(12)})  # fmt: skip
    paths = sorted(site.rglob("*.html"))
    expected = ParsedPages(workers=1).load_all(paths)  # no cache: the parses come back
    sent = []
    real = getattr(cache_module, used)

    def noting(*args, **kwargs):
        results = real(*args, **kwargs)
        if callable(results):  # started: the results come when asked for
            started = results
            return lambda: noted(started())
        return noted(results)

    def noted(results):
        sent.extend(results)
        return results

    monkeypatch.setattr(cache_module, used, noting)
    fresh = 0 if used == "map_fresh_started" else None
    parsed = ParsedPages(tmp_path / "cache", workers=2, fresh_above_mb=fresh)

    assert parsed.load_all(paths) == expected
    assert len(sent) == len(paths) and set(sent) == {None}


def test_a_parse_the_cache_lost_meanwhile_is_made_again(site, tmp_path, monkeypatch):
    from kiosk_filecache import EntryStore
    from kiosk_verify.cache import ParsedPages

    paths = sorted(site.rglob("*.html"))
    expected = ParsedPages(workers=1).load_all(paths)
    monkeypatch.setattr(EntryStore, "read", lambda store, name: None)  # a concurrent prune
    assert ParsedPages(tmp_path / "cache", workers=1).load_all(paths) == expected


def test_a_digest_is_shared_only_while_the_file_is_untouched(tmp_path):
    from kiosk_filecache import digest, file_digest, forget, remember, stat_stamp

    path = tmp_path / "index.html"
    path.write_bytes(b"<p>one</p>")
    remember(path, "remembered", stat_stamp(path.stat()))
    assert file_digest(path) == ("remembered", None)
    path.unlink()
    path.write_bytes(b"<p>two</p>")
    assert file_digest(path) == (digest(b"<p>two</p>"), b"<p>two</p>")
    forget()


@pytest.mark.parametrize(("resident", "used"), [(120, "map_forked"), (600, "map_fresh_started")])
def test_a_big_build_parses_in_fresh_processes_and_a_small_one_forks(
    site, tmp_path, monkeypatch, resident, used
):
    from kiosk_verify import cache as cache_module

    broken_copy(site)
    expected = messages(site)
    calls = []
    for name in ("map_forked", "map_fresh_started"):
        real = getattr(cache_module, name)
        monkeypatch.setattr(cache_module, name, lambda *args, _real=real, _name=name, **kwargs: (
            calls.append(_name) or _real(*args, **kwargs)))  # fmt: skip
    monkeypatch.setattr(cache_module, "resident_mb", lambda: resident)  # MB: N = 1,000 / 10,000

    found = verify_site(site, SITE_URL, cache_path=tmp_path / "cache", workers=2,
                        fresh_above_mb=256)  # fmt: skip

    assert [str(problem) for problem in found] == expected
    assert calls == [used]


@pytest.mark.parametrize("anchor", ["part-3", "part-4"])
def test_pages_the_cache_holds_are_checked_while_the_new_ones_are_parsed(
    site, tmp_path, monkeypatch, anchor
):
    """A rebuild's verify checks its unchanged pages beside the workers that parse the
    changed ones; a check that needs a changed page (an anchor on it) waits for them."""
    from kiosk_verify import cache as cache_module
    from kiosk_verify import check as check_module

    write(site, {"index.html": page('<a href="/story/#part-3">Part 3</a>'),
                 "about/index.html": page('<a href="/story/">Story</a>')})  # fmt: skip
    cache = tmp_path / "cache"
    verify_site(site, SITE_URL, cache_path=cache, workers=2, fresh_above_mb=0)
    # Four changed pages (enough for two workers), one of them the target of a fragment.
    write(site, {"story/index.html": page(f'<h2 id="{anchor}">Part</h2>'),
                 **{f"new/{n}/index.html": page(f"<p>{n}</p>") for n in range(7)}})  # fmt: skip
    events, started, checked = [], cache_module.map_fresh_started, check_module._html_problems

    def starting(*args, **kwargs):
        events.append("workers started")
        wait = started(*args, **kwargs)
        return lambda: events.append("results taken") or wait()

    def checking(site_, path, shown):
        events.append(shown)
        return checked(site_, path, shown)

    monkeypatch.setattr(cache_module, "map_fresh_started", starting)
    monkeypatch.setattr(check_module, "_html_problems", checking)

    found = verify_site(site, SITE_URL, cache_path=cache, workers=2, fresh_above_mb=0)

    fresh = [str(problem) for problem in verify_site(site, SITE_URL)]
    assert [str(problem) for problem in found] == fresh
    assert bool(fresh) == (anchor == "part-4"), fresh
    taken = events.index("results taken")
    # The unchanged about page while the workers parse; the home page, which
    # needs the changed story's anchors, waits for them.
    assert events.index("workers started") < events.index("about/index.html") < taken
    assert events.index("index.html") < taken
    assert all(events.index(f"new/{n}/index.html") > taken for n in range(7))
