"""kiosk_incremental: a page is rendered again only when something it read changed.

Tiny sites with a test theme whose templates read a known set of values; the
memo's counters (pages rendered, pages reused) show what a rebuild redid, and
the output shows that a reused page is still exactly right.
"""

import base64
import json

import pytest
from invoke import Exit

import kiosk_incremental
from kiosk_filecache import LinkedEntries, digest, known_digest
from kiosk_incremental.fingerprint import Fingerprints
from kiosk_incremental.fragments import Fragments
from tasks import ROOT, build_site
from tests.plugins.conftest import header
from tests.sites import write_site

TEMPLATES = {
    # An article page shows its own title only; the index lists every title.
    "article.html": "<h1>{{ article.title }}</h1>{{ article.content }}",
    "index.html": "<ul>{% for a in articles %}<li>{{ a.title }}</li>{% endfor %}</ul>",
}


def article(title, body="Body text.", date="2024-06-01 10:00", slug=None):
    return header(body, title=title, date=date, section="Analysis", region="Europe",
                  authors="Ana Ortiz", slug=slug)  # fmt: skip


AUTHOR = header("Ana writes.", name="Ana Ortiz")


@pytest.fixture
def build(make_site, tmp_path):
    cache = tmp_path / "render-cache"

    def run(files, check=False, plugins=("kiosk_authors", "kiosk_incremental"), **settings):
        output = make_site(
            files,
            plugins=list(plugins),
            templates=TEMPLATES,
            settings={"KIOSK_INCREMENTAL": {"cache_path": str(cache), "check": check},
                      "DIRECT_TEMPLATES": ["index"], **settings},
        )  # fmt: skip
        return output, dict(kiosk_incremental.last_stats)

    return run


def site(first="First title", second_body="Second body."):
    return {
        "authors/ana-ortiz.md": AUTHOR,
        "articles/first.md": article(first, date="2024-06-01 10:00", slug="first"),
        "articles/second.md": article("Second title", second_body, "2024-06-02 10:00", "second"),
    }


def text(output, path):
    return (output / path).read_text(encoding="utf-8")


def test_a_rebuild_with_nothing_changed_renders_nothing(build):
    output, first = build(site())
    before = {p: p.read_bytes() for p in output.rglob("*.html")}

    output, second = build(site())

    assert first["rendered"] > 0 and first["reused"] == 0
    assert second == {"rendered": 0, "reused": first["rendered"]}
    assert {p: p.read_bytes() for p in output.rglob("*.html")} == before


def test_an_edit_re_renders_the_pages_that_show_it_and_no_other(build):
    build(site())

    output, stats = build(site(first="First title, corrected"))

    assert "First title, corrected" in text(output, "first/index.html")
    assert "First title, corrected" in text(output, "latest/index.html")
    # The edited article's page and the index read it; the other article's page did not.
    assert stats["rendered"] >= 2
    assert "<h1>Second title</h1>" in text(output, "second/index.html")
    assert stats["reused"] >= 1


def test_a_changed_body_re_renders_its_page_not_the_title_only_pages(build):
    build(site())
    output, stats = build(site(second_body="Second body, with a correction."))
    assert "with a correction" in text(output, "second/index.html")
    # The index shows titles, but reads the whole articles: it is rendered again,
    # safely; the first article's page read neither.
    assert "<h1>First title</h1>" in text(output, "first/index.html")
    assert stats["reused"] >= 1


def test_a_changed_setting_re_renders_everything(build):
    _, first = build(site())
    _, stats = build(site(), SITENAME="Kiosk Weekly")
    assert stats == {"rendered": first["rendered"], "reused": 0}


def test_a_damaged_stored_page_is_never_used(build, tmp_path):
    output, first = build(site())
    for stored in (tmp_path / "render-cache").rglob("objects/*"):
        stored.write_bytes(stored.read_bytes()[:-3])

    output, stats = build(site())

    assert stats == {"rendered": first["rendered"], "reused": 0}
    assert "<h1>First title</h1>" in text(output, "first/index.html")


@pytest.mark.parametrize("damage", ["cut short", "a list of names that is not there"])
def test_a_damaged_index_of_what_pages_read_renders_every_page_again(build, tmp_path, damage):
    output, first = build(site())
    index = next((tmp_path / "render-cache").rglob("reads.json"))
    if damage == "cut short":
        index.write_bytes(index.read_bytes()[:-10])
    else:
        data = json.loads(index.read_text("utf-8"))
        data["reads"] = []
        index.write_text(json.dumps(data), "utf-8")

    output, stats = build(site())

    assert stats == {"rendered": first["rendered"], "reused": 0}
    assert "<h1>Second title</h1>" in text(output, "second/index.html")


def test_pages_that_read_the_same_names_share_one_list_in_the_index(build, tmp_path):
    build(site())
    index = json.loads(next((tmp_path / "render-cache").rglob("reads.json")).read_text("utf-8"))
    pages, reads = index["pages"], index["reads"]
    # Both article pages read the same names: one list, written once.
    first, second = pages["first/index.html"], pages["second/index.html"]
    assert first[:2] == second[:2] == ["article.html", 0]
    assert "article" in reads[0]
    assert len(reads) <= len({template for template, *_ in pages.values()}) < len(pages)


def test_a_rebuild_takes_each_page_s_checksums_from_the_index_not_the_store(build, monkeypatch):
    build(site())
    looked_up, real = [], LinkedEntries.sums
    monkeypatch.setattr(
        LinkedEntries, "sums", lambda self, key: looked_up.append(key) or real(self, key)
    )

    output, stats = build(site(first="First title, corrected"))

    # Only the pages whose key changed look for a stored text by it.
    assert stats["reused"] >= 1 and len(looked_up) == stats["rendered"]
    assert "<h1>First title, corrected</h1>" in text(output, "first/index.html")


def test_checksums_in_the_index_that_do_not_match_the_stored_text_render_it_again(build, tmp_path):
    output, first = build(site())
    path = next((tmp_path / "render-cache").rglob("reads.json"))
    index = json.loads(path.read_text("utf-8"))
    template, which, key, sums = index["pages"]["second/index.html"]
    wrong = bytearray(base64.b64decode(sums))
    wrong[32] ^= 1  # the stored file's recorded size (after the 32 bytes of its digest)
    index["pages"]["second/index.html"] = [template, which, key,
                                           base64.b64encode(bytes(wrong)).decode()]  # fmt: skip
    path.write_text(json.dumps(index), "utf-8")
    (output / "second" / "index.html").unlink()  # a link to the stored text: not changed

    output, stats = build(site())

    assert stats == {"rendered": 1, "reused": first["rendered"] - 1}
    assert "<h1>Second title</h1>" in text(output, "second/index.html")


def test_stored_pages_of_older_versions_are_pruned(build, tmp_path):
    build(site())
    stored = {p.name for p in (tmp_path / "render-cache").rglob("objects/*")}
    build(site(first="First title, corrected"))
    now = {p.name for p in (tmp_path / "render-cache").rglob("objects/*")}
    assert len(now) == len(stored), "one stored text per page, old versions removed"
    assert now != stored


def test_check_mode_fails_the_build_when_a_fingerprint_misses_a_change(tmp_path, monkeypatch):
    """If a value's fingerprint ever missed a change, check mode would fail the build."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(Fingerprints, "of", lambda self, value: "blind")
    # Pages only: blind keys would make every shared header one text, which
    # check mode reports on the first build (test_shared_partials.py).
    monkeypatch.setattr(Fragments, "render", lambda self, template, values: template.render(values))
    content = write_site(tmp_path)
    settings = tmp_path / "checked.py"
    lines = [
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *",
        f"KIOSK_INCREMENTAL = {{'cache_path': {str(tmp_path / 'c')!r}, 'check': True}}",
    ]
    settings.write_text("\n".join(lines) + "\n")
    build_site(settings, tmp_path / "output", content, quiet=True)
    summit = content / "articles" / "2024" / "summit.md"
    summit.write_text(summit.read_text().replace("Title: ", "Title: Updated: "))

    with pytest.raises(Exit):
        build_site(settings, tmp_path / "output", content, quiet=True)

    # Pages are written before feeds (kiosk_feeds), and the article's own page
    # is the first to differ.
    assert kiosk_incremental.last_mismatches[0] == "summit-without-the-other-side/index.html"


def test_off_means_no_memo(make_site, tmp_path):
    make_site(site(), plugins=["kiosk_authors", "kiosk_incremental"], templates=TEMPLATES,
              settings={"KIOSK_INCREMENTAL": {"enabled": False,
                                              "cache_path": str(tmp_path / "c")}})  # fmt: skip
    assert kiosk_incremental.last_stats == {}
    assert not (tmp_path / "c").exists()


def test_an_unknown_setting_fails_the_build(make_site):
    with pytest.raises(ValueError, match="KIOSK_INCREMENTAL: unknown key"):
        make_site(site(), plugins=["kiosk_incremental"],
                  settings={"KIOSK_INCREMENTAL": {"cache": "x"}})  # fmt: skip


def stored_files(tmp_path) -> dict:
    """{inode: path} of the page texts the render memo keeps."""
    return {p.stat().st_ino: p for p in (tmp_path / "render-cache").rglob("objects/*.html")}


# The site's writer (kiosk_feeds' KioskWriter, a kiosk_filecache.LinkingWriter) links pages.
LINKING = ("kiosk_authors", "kiosk_feeds", "kiosk_incremental")


def test_every_page_is_a_link_to_its_stored_text_not_a_second_copy(build, tmp_path):
    output, first = build(site(), plugins=LINKING)
    output, second = build(site(first="First title, corrected"), plugins=LINKING)

    stored = stored_files(tmp_path)
    pages = sorted(output.rglob("*.html"))
    assert second["reused"] >= 1 and second["rendered"] >= 1
    # Rendered now or reused from the last build: one file, two names.
    for page in pages:
        assert page.stat().st_ino in stored, page
        assert page.read_bytes() == stored[page.stat().st_ino].read_bytes()
    assert "<h1>First title, corrected</h1>" in text(output, "first/index.html")


def reads_of_stored_texts(patch) -> list:
    """The suffixes of the render memo's stored files read from now on."""
    reads = []
    original = LinkedEntries.read

    def read(self, key, suffix, data):
        reads.append(suffix)
        return original(self, key, suffix, data)

    patch.setattr(LinkedEntries, "read", read)
    return reads


def test_a_reused_page_is_linked_without_its_stored_text_being_read(build, monkeypatch):
    build(site(), plugins=LINKING)
    reads = reads_of_stored_texts(monkeypatch)

    output, stats = build(site(first="First title, corrected"), plugins=LINKING)

    assert stats["reused"] >= 1 and ".html" not in reads
    assert "<h1>Second title</h1>" in text(output, "second/index.html")
    assert "<h1>First title, corrected</h1>" in text(output, "first/index.html")


def test_the_writer_passes_each_linked_page_s_digest_on_to_the_later_steps(build):
    build(site(), plugins=LINKING)
    output, stats = build(site(first="First title, corrected"), plugins=LINKING)

    pages = sorted(output.rglob("*.html"))
    assert stats["rendered"] >= 1 and stats["reused"] >= 1 and pages
    for page in pages:  # rendered now or reused: known without being read
        assert known_digest(page) == digest(page.read_bytes()), page
    with open(pages[0], "a", encoding="utf-8") as handle:
        handle.write("<!-- changed after the build -->")
    assert known_digest(pages[0]) is None


def test_without_a_linking_writer_a_reused_page_is_its_full_text(build, monkeypatch):
    build(site())  # Pelican's own writer: kiosk_feeds is not in the build
    reads = reads_of_stored_texts(monkeypatch)

    output, stats = build(site())

    assert stats["rendered"] == 0 and reads.count(".html") == stats["reused"]
    assert "<h1>Second title</h1>" in text(output, "second/index.html")


def test_feeds_of_the_same_articles_are_linked_from_the_memo_and_an_edit_remakes_its_own(
    build,
):
    output, _ = build(site(), plugins=LINKING)
    made = kiosk_incremental.last_texts["made"]
    feeds = {p: p.read_bytes() for p in output.rglob("*.xml")}
    assert made >= 2 and len(feeds) >= made

    output, _ = build(site(), plugins=LINKING)
    assert kiosk_incremental.last_texts == {"reused": made}
    assert {p: p.read_bytes() for p in output.rglob("*.xml")} == feeds

    output, _ = build(site(first="First title, corrected"), plugins=LINKING)
    remade = [p for p in output.rglob("*.xml") if p.read_bytes() != feeds[p]]
    assert remade and kiosk_incremental.last_texts["made"] == len(remade)
    assert all("First title, corrected" in p.read_text("utf-8") for p in remade)


def test_a_page_changed_in_place_through_its_link_is_rendered_again(build, tmp_path):
    output, first = build(site(), plugins=LINKING)
    page = output / "second" / "index.html"
    with open(page, "a", encoding="utf-8") as handle:  # the stored text changes with it
        handle.write("<p>written into the output by hand</p>")

    output, stats = build(site(), plugins=LINKING)

    assert "written into the output by hand" not in text(output, "second/index.html")
    assert "<h1>Second title</h1>" in text(output, "second/index.html")
    assert stats["rendered"] == 1 and stats["reused"] == first["rendered"] - 1
