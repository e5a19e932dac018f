"""kiosk_feeds: rich Atom/RSS items and the JSON Feed, as feed readers see them."""

import io
import json
from datetime import UTC, datetime
from types import SimpleNamespace

import feedparser
import pytest
from lxml import etree
from PIL import Image

from kiosk_feeds import plugin_settings
from kiosk_feeds.items import feed_image
from kiosk_feeds.writer import KioskWriter, release_items, write_queued_feeds
from tests.plugins.conftest import build_site, header, spy

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "media": "http://search.yahoo.com/mrss/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
SITE = "https://kiosk.example"
NEWEST_FIRST = ["Brief from Kyiv", "Summit without the other side", "Plain analysis"]


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 18), "navy").save(buffer, "JPEG")
    return buffer.getvalue()


JPEG = _jpeg()


def _files():
    def article(title, date, **extra):
        fields = {"title": title, "date": date, "category": "Analysis", "authors": "Ana Ortiz"}
        return header("<p>Body of the piece.</p>", **{**fields, **extra})

    return {
        "images/2026/hall.jpg": JPEG,
        "articles/summit.md": article(
            "Summit without the other side",
            "2026-06-14 09:30",
            category="Reporting",
            modified="2026-06-15 11:00",
            region="Europe",
            authors="Ana Ortiz, Samuel Hale",
            tags="Ukraine, Negotiations",
            summary="What talks can do when one side stays home.",
            image="images/2026/hall.jpg",
            image_alt="Empty chairs around a table",
            image_caption="The hall before the session.",
            image_credit="REUTERS/Jane Photographer",
        ),
        "articles/plain.md": article("Plain analysis", "2026-06-01"),
        "articles/brief.md": article(
            "Brief from Kyiv", "2026-06-20", region="Europe", column="QiOSK"
        ),
        "articles/draft.md": article("Draft piece", "2026-06-21", status="draft"),
        "articles/hidden.md": article("Hidden piece", "2026-06-22", status="hidden"),
        "articles/scheduled.md": article("Scheduled piece", "2099-01-01"),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    # One build serves every read-only check below.
    root = tmp_path_factory.mktemp("feeds")
    settings = {"SITEURL": SITE, "FEED_DOMAIN": SITE}
    return build_site(
        root, _files(), plugins=["kiosk_taxonomies", "kiosk_feeds"], settings=settings
    )


def _xml(path):
    return etree.parse(str(path))


def test_feeds_are_written_after_every_page(tmp_path, monkeypatch):
    # Pelican writes feeds first; Kiosk last, where in a big cold build they
    # overlap the idle core's work (BENCHMARKS.md, lever 129). Same feeds.
    written = []
    spy(monkeypatch, KioskWriter, "write_file", lambda *a, **k: written.append(("page", a[1])))
    spy(monkeypatch, KioskWriter, "_write_feed", lambda *a, **k: written.append(("feed", a[3])))
    output = build_site(tmp_path, _files(), plugins=["kiosk_taxonomies", "kiosk_feeds"],
                        settings={"SITEURL": SITE, "FEED_DOMAIN": SITE})  # fmt: skip
    kinds = [kind for kind, _name in written]
    assert ("feed", "feeds/region/europe.atom.xml") in written
    assert kinds.count("page") > 5 and kinds.count("feed") > 5
    assert kinds == sorted(kinds, key=["page", "feed"].index), "a feed came before a page"
    assert [e.title for e in feedparser.parse(output / "feeds/latest.atom.xml").entries] == (
        NEWEST_FIRST
    )


def test_the_feeds_of_a_build_that_failed_are_never_written(tmp_path):
    failed = KioskWriter(str(tmp_path / "failed"), settings={"FEED_MAX_ITEMS": 3,
                         "FEED_APPEND_REF": False, "PATH": str(tmp_path)})  # fmt: skip
    context = {"SITEURL": SITE, "SITENAME": "Kiosk", "FEED_DOMAIN": SITE, "articles": []}
    failed.write_feed([_piece(1)], context, "feeds/a.atom.xml", "feeds/a.atom.xml")
    # The build stops before its feeds are written; the next build's writer:
    KioskWriter(str(tmp_path / "next"), settings={"FEED_MAX_ITEMS": 3, "PATH": str(tmp_path)})
    write_queued_feeds()
    assert not (tmp_path / "failed").exists()


def test_every_feed_parses_cleanly(site):
    for path in (
        "feeds/latest.atom.xml",
        "feeds/latest.rss.xml",
        "feeds/section/reporting.atom.xml",
        "feeds/author/ana-ortiz.atom.xml",
        "feeds/region/europe.atom.xml",
        "feeds/column/qiosk.atom.xml",
    ):
        parsed = feedparser.parse(site / path)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))


def test_feeds_hold_only_published_articles_newest_first(site):
    for path in ("feeds/latest.atom.xml", "feeds/latest.rss.xml"):
        assert [e.title for e in feedparser.parse(site / path).entries] == NEWEST_FIRST
    items = json.loads((site / "feeds" / "latest.json").read_text(encoding="utf-8"))["items"]
    assert [item["title"] for item in items] == NEWEST_FIRST


def test_atom_has_required_elements_and_rich_entries(site):
    root = _xml(site / "feeds" / "latest.atom.xml").getroot()
    for required in ("atom:id", "atom:title", "atom:updated"):
        assert root.find(required, NS) is not None, required
    for entry in root.findall("atom:entry", NS):
        for required in ("atom:id", "atom:title", "atom:updated", "atom:link[@rel='alternate']"):
            assert entry.find(required, NS) is not None, required
        assert entry.findall("atom:author/atom:name", NS)
    summit = root.find("atom:entry[atom:title='Summit without the other side']", NS)
    assert [n.text for n in summit.findall("atom:author/atom:name", NS)] == [
        "Ana Ortiz",
        "Samuel Hale",
    ]
    assert summit.find("atom:author/atom:uri", NS).text == f"{SITE}/author/ana-ortiz/"
    terms = [c.get("term") for c in summit.findall("atom:category", NS)]
    assert terms == ["Reporting", "Europe", "Ukraine", "Negotiations"]
    enclosure = summit.find("atom:link[@rel='enclosure']", NS)
    assert enclosure.get("href") == f"{SITE}/images/2026/hall.jpg"
    assert enclosure.get("type") == "image/jpeg"
    assert enclosure.get("length") == str(len(JPEG))
    media = summit.find("media:content", NS)
    assert media.get("url") == f"{SITE}/images/2026/hall.jpg"
    assert media.find("media:credit", NS).text == "REUTERS/Jane Photographer"
    assert media.find("media:description", NS).text == "The hall before the session."


def test_rss_has_required_elements_and_rich_items(site):
    channel = _xml(site / "feeds" / "latest.rss.xml").getroot().find("channel")
    for required in ("title", "link", "description"):
        assert channel.find(required) is not None, required
    assert channel.find("description").text.startswith("Kiosk is an independent magazine")
    for item in channel.findall("item"):
        for required in ("title", "link", "guid", "pubDate"):
            assert item.find(required) is not None, required
    summit = channel.find("item[title='Summit without the other side']")
    assert [c.text for c in summit.findall("dc:creator", NS)] == ["Ana Ortiz", "Samuel Hale"]
    assert [c.text for c in summit.findall("category")] == [
        "Reporting",
        "Europe",
        "Ukraine",
        "Negotiations",
    ]
    enclosure = summit.find("enclosure")
    assert (enclosure.get("url"), enclosure.get("length")) == (
        f"{SITE}/images/2026/hall.jpg",
        str(len(JPEG)),
    )
    assert summit.find("media:content/media:credit", NS).text == "REUTERS/Jane Photographer"
    brief = channel.find("item[title='Brief from Kyiv']")
    assert [c.text for c in brief.findall("category")] == ["Analysis", "Europe", "QiOSK"]
    assert brief.find("enclosure") is None


def test_region_feed_items_are_enriched_too(site):
    root = _xml(site / "feeds" / "region" / "europe.atom.xml").getroot()
    summit = root.find("atom:entry[atom:title='Summit without the other side']", NS)
    assert len(summit.findall("atom:author", NS)) == 2
    assert summit.find("media:content/media:credit", NS) is not None


def test_json_feed_is_json_feed_1_1(site):
    feed = json.loads((site / "feeds" / "latest.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Kiosk"
    assert feed["feed_url"] == f"{SITE}/feeds/latest.json"
    summit = next(i for i in feed["items"] if i["title"] == "Summit without the other side")
    assert summit["id"] == summit["url"] == f"{SITE}/summit-without-the-other-side/"
    assert "Body of the piece." in summit["content_html"]
    assert summit["summary"] == "What talks can do when one side stays home."
    assert summit["authors"] == [
        {"name": "Ana Ortiz", "url": f"{SITE}/author/ana-ortiz/"},
        {"name": "Samuel Hale", "url": f"{SITE}/author/samuel-hale/"},
    ]
    assert summit["tags"] == ["Reporting", "Europe", "Ukraine", "Negotiations"]
    assert summit["image"] == f"{SITE}/images/2026/hall.jpg"
    published = datetime.fromisoformat(summit["date_published"])
    assert (published.hour, published.utcoffset().total_seconds()) == (9, 7200)
    assert datetime.fromisoformat(summit["date_modified"]).day == 15
    for item in feed["items"]:
        assert item["content_html"] and item["date_published"]


def test_json_feed_can_carry_summaries_only(make_site):
    site = make_site(
        _files(), plugins=["kiosk_feeds"], settings={"KIOSK_FEEDS": {"json_content": "summary"}}
    )
    items = json.loads((site / "feeds" / "latest.json").read_text(encoding="utf-8"))["items"]
    summit = next(i for i in items if i["title"] == "Summit without the other side")
    assert "Body of the piece." not in summit["content_html"]
    assert "one side stays home" in summit["content_html"]


def test_top_image_of_kiosk_figures_wins_over_the_raw_header(tmp_path):
    article = SimpleNamespace(
        image="images/raw.jpg",
        top_image=SimpleNamespace(
            src="/images/raw-1200.webp", alt="Alt", caption="Cap", credit="AP Photo/Name"
        ),
    )
    image = feed_image(article, {"SITEURL": "https://kiosk.example", "PATH": str(tmp_path)})
    assert image.url == "https://kiosk.example/images/raw-1200.webp"
    assert (image.mime_type, image.credit, image.length) == ("image/webp", "AP Photo/Name", 0)


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="json_path"):
        plugin_settings({"KIOSK_FEEDS": {"json_path": "x.json"}})
    with pytest.raises(ValueError, match="json_content"):
        plugin_settings({"KIOSK_FEEDS": {"json_content": "everything"}})


# --- what one feed costs ----------------------------------------------------------
class Untouchable(list):
    """Every article of the site: a feed that walks it fails the test."""

    def __iter__(self):
        raise AssertionError("the feed looked at every article of the site")


def _piece(number):
    return SimpleNamespace(
        title=f"Piece {number}",
        url=f"piece-{number}/",
        date=datetime(2026, 6, 1 + number % 28, 9, 30, tzinfo=UTC),
        summary=f"<p>Summary {number}.</p>",
        get_content=lambda site_url, number=number: f"<p>Body {number}.</p>",
        category="Analysis",
        tags=[],
        authors=[],
    )


def _write(tmp_path, elements, articles, name="feeds/x.atom.xml", feed_type="atom"):
    settings = {"FEED_MAX_ITEMS": 3, "FEED_APPEND_REF": False, "SITEURL": SITE}
    writer = KioskWriter(str(tmp_path / "out"), settings={**settings, "PATH": str(tmp_path)})
    context = {"SITEURL": SITE, "SITENAME": "Kiosk", "FEED_DOMAIN": SITE, "articles": articles}
    writer.write_feed(elements, context, name, name, feed_type=feed_type)
    writer.write_queued_feeds()
    return feedparser.parse(tmp_path / "out" / name)


@pytest.mark.parametrize("feed_type", ["atom", "rss"])
def test_a_feed_with_items_reads_only_the_items_it_holds(tmp_path, feed_type):
    site = Untouchable(_piece(n) for n in range(1000))
    parsed = _write(tmp_path, site, site, feed_type=feed_type)
    assert [entry.title for entry in parsed.entries] == ["Piece 0", "Piece 1", "Piece 2"]


def test_an_empty_feed_is_dated_by_the_newest_article(tmp_path):
    articles = [_piece(3), _piece(20), _piece(7)]
    parsed = _write(tmp_path, [], articles, name="feeds/author/nobody.atom.xml")
    assert parsed.entries == []
    assert parsed.feed.updated == "2026-06-21T09:30:00+00:00"


def test_an_empty_feed_is_dated_by_source_date_epoch_when_set(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    parsed = _write(tmp_path, [], Untouchable([_piece(1)]), name="feeds/author/nobody.atom.xml")
    assert parsed.feed.updated == "2026-01-01T00:00:00+00:00"


def _rich_piece(number, tmp_path):
    piece = _piece(number)
    piece.title = f"Piece {number}: Kyiv &amp; Kraków <em>talks</em>"
    piece.get_content = lambda site_url: (
        f'<p>Body {number} — "quoted" &amp; <a href="/x/">x</a></p>'
    )
    piece.tags = ["Grain", "Ports"]
    piece.authors = [SimpleNamespace(name="Ana Ortiz", url="author/ana-ortiz/")]
    if number % 2:
        image = tmp_path / "images" / f"p{number}.jpg"
        image.parent.mkdir(exist_ok=True)
        image.write_bytes(JPEG)
        piece.image, piece.image_credit = f"images/p{number}.jpg", "AP Photo/Name"
    return piece


FEEDS = {  # path -> the pieces it holds, newest first; pieces 2-4 are in several feeds
    "feeds/latest.atom.xml": [4, 3, 2],
    "feeds/latest.rss.xml": [4, 3, 2],
    "feeds/section/analysis.atom.xml": [3, 2, 1],
    "feeds/author/ana-ortiz.atom.xml": [4, 2],
    "feeds/region/europe.atom.xml": [],
}


def _write_feeds(tmp_path, pieces, one_writer_per_feed):
    output = tmp_path / ("alone" if one_writer_per_feed else "shared")
    settings = {"FEED_MAX_ITEMS": 3, "FEED_APPEND_REF": False, "SITEURL": SITE}
    context = {"SITEURL": SITE, "SITENAME": "Kiosk", "FEED_DOMAIN": SITE,
               "articles": list(pieces.values())}  # fmt: skip
    writer = None
    for path, numbers in FEEDS.items():
        if writer is None or one_writer_per_feed:
            writer = KioskWriter(str(output), settings={**settings, "PATH": str(tmp_path)})
        feed_type = "rss" if path.endswith(".rss.xml") else "atom"
        elements = [pieces[n] for n in numbers]
        writer.write_feed(elements, context, path, path, feed_type=feed_type, feed_title="T")
        writer.write_queued_feeds()
    return {path: (output / path).read_bytes() for path in FEEDS}


def test_an_article_in_several_feeds_is_written_as_each_feed_alone_would_write_it(tmp_path):
    pieces = {n: _rich_piece(n, tmp_path) for n in range(1, 5)}
    shared = _write_feeds(tmp_path, pieces, one_writer_per_feed=False)
    assert shared == _write_feeds(tmp_path, pieces, one_writer_per_feed=True)
    atom = feedparser.parse(shared["feeds/author/ana-ortiz.atom.xml"])
    assert [e.title for e in atom.entries] == [
        "Piece 4: Kyiv & Kraków talks",
        "Piece 2: Kyiv & Kraków talks",
    ]
    rss = etree.fromstring(shared["feeds/latest.rss.xml"])
    assert [i.findtext("title") for i in rss.iter("item")] == [
        f"Piece {n}: Kyiv & Kraków talks" for n in (4, 3, 2)
    ]
    assert rss.find("channel/item[2]/enclosure").get("length") == str(len(JPEG))


def test_each_article_body_is_resolved_once_per_feed_class_and_build(tmp_path):
    pieces = {n: _rich_piece(n, tmp_path) for n in range(1, 5)}
    bodies = []
    for piece in pieces.values():
        piece.get_content = lambda site_url, body=piece.get_content: (
            bodies.append(1) or body(site_url)
        )
    _write_feeds(tmp_path, pieces, one_writer_per_feed=False)
    # Atom: pieces 1-4 once each; RSS: pieces 2-4 once each (eleven items in all).
    assert len(bodies) == 4 + 3


def test_what_writers_share_is_let_go_when_the_build_ends(tmp_path):
    writer = KioskWriter(str(tmp_path / "out"), settings={"FEED_MAX_ITEMS": 3,
                         "FEED_APPEND_REF": False, "PATH": str(tmp_path)})  # fmt: skip
    context = {"SITEURL": SITE, "SITENAME": "Kiosk", "FEED_DOMAIN": SITE, "articles": []}
    writer.write_feed([_piece(1)], context, "feeds/a.atom.xml", "feeds/a.atom.xml")
    writer.write_queued_feeds()
    assert writer.shared_items
    release_items(None)
    assert not writer.shared_items


ATOM_NS, MEDIA_NS = "http://www.w3.org/2005/Atom", "http://search.yahoo.com/mrss/"


def test_a_written_item_keeps_its_xml_and_lets_go_of_the_body_it_was_made_from(tmp_path):
    pieces = {n: _rich_piece(n, tmp_path) for n in range(1, 5)}
    output = tmp_path / "out"
    settings = {"FEED_MAX_ITEMS": 3, "FEED_APPEND_REF": False, "SITEURL": SITE,
                "PATH": str(tmp_path)}  # fmt: skip
    writer = KioskWriter(str(output), settings=settings)
    context = {"SITEURL": SITE, "SITENAME": "Kiosk", "FEED_DOMAIN": SITE,
               "articles": list(pieces.values())}  # fmt: skip
    writer.write_feed(list(pieces.values()), context, "feeds/a.atom.xml", "feeds/a.atom.xml")
    writer.write_queued_feeds()
    shared = list(writer.shared_items.values())
    assert len(shared) == 3  # FEED_MAX_ITEMS
    feed = etree.fromstring((output / "feeds/a.atom.xml").read_bytes())
    entries = feed.findall(f"{{{ATOM_NS}}}entry")
    for item, entry in zip(shared, entries, strict=True):
        assert not {"content", "description", "title"} & item.entry.keys()
        assert item.entry["pubdate"] == item.article.date  # a feed's <updated> needs it
        # The kept XML, in the feed's namespaces, is the entry the feed has.
        wrapper = f'<feed xmlns="{ATOM_NS}" xmlns:media="{MEDIA_NS}">{item.text}</feed>'
        (kept,) = etree.fromstring(wrapper.encode())
        assert etree.tostring(kept, method="c14n") == etree.tostring(entry, method="c14n")
