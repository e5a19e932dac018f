"""The render memo's fingerprints, and the digests they keep between builds.

An article's values that are exactly what its read produced, under the same
read identity as last build, and deeply immutable, take last build's digest
(``kiosk_readcache.notes``) instead of being walked again. These tests plant a
recognisable note ("planted") where a real one would be, to see when a kept
digest is used and when the value is fingerprinted afresh; and they check
that with real notes the fingerprints are exactly those of a full computation.
"""

from dataclasses import dataclass

import pytest
from markupsafe import Markup
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Tag

import kiosk_incremental
from kiosk_incremental.fingerprint import NOTE_TAG, Fingerprints, deeply_immutable
from kiosk_readcache.notes import NOTES, READ_RECORD, ReadNotes, ReadRecord
from tests.plugins.conftest import _disconnect_plugin_receivers, header


@pytest.fixture(autouse=True)
def no_plugin_receivers():
    # The articles here are made by hand: a plugin an earlier test connected
    # (kiosk_related's excerpt at content_object_init) must not add to them.
    _disconnect_plugin_receivers()


PLANTED = NOTE_TAG + "planted"  # a digest as this code notes them


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int


@dataclass(frozen=True)
class Picture:
    src: str
    renditions: tuple


@dataclass(frozen=True)
class Photo:  # what a teaser takes of a top image
    src: str
    credit_label: str


@dataclass
class Draft:  # a dataclass that can be changed
    text: str


@dataclass(frozen=True)
class Card:  # shows another article's picture, as a related-story teaser does
    title: str
    image: object


def picture(src="lead.jpg"):
    return Picture(src, (Rendition(f"/{src}-480", 480), Rendition(f"/{src}-960", 960)))


def article(title="Quiet summit", **attributes):
    """An article as a read leaves it: its metadata, and what plugins attached."""
    content = Article(
        "<p>The summit ended quietly.</p>",
        metadata={"title": title, "slug": title.lower().replace(" ", "-")},
        settings=dict(DEFAULT_CONFIG),
        source_path=f"/content/{title}.md",
    )
    for name, value in {"top_image": picture(), **attributes}.items():
        setattr(content, name, value)
    return content


def plain(content):
    """The fingerprint of ``content`` computed in full: the same read, no kept note."""
    attributes = dict(vars(content))
    record = attributes.pop(READ_RECORD, None)
    copy = Article.__new__(Article)
    copy.__dict__.update(attributes)
    if record is not None:
        no_notes = ReadNotes("/nonexistent/kiosk-notes")
        leaves = (record.leaf_names, record.leaf_values)
        setattr(copy, READ_RECORD, ReadRecord(record.identity, {}, {}, no_notes, leaves))
    return Fingerprints().of(copy)


def plant(folder, identity, **notes):
    """Leave notes for ``identity`` as a previous build would have."""
    book = ReadNotes(str(folder))
    record = book.record(article(), identity)
    for name, text in notes.items():
        record.note(name, text)
    book.save()


def test_only_deeply_immutable_values_have_digests_that_hold_for_good():
    assert deeply_immutable(picture())
    assert deeply_immutable(("a", 1, 2.5, None, b"x", frozenset({"y"})))
    assert not deeply_immutable(["a"])
    assert not deeply_immutable({"a": 1})
    assert not deeply_immutable(("a", ["b"]))
    assert not deeply_immutable(Draft("text"))
    assert not deeply_immutable(Card("t", article()))


def test_with_real_notes_a_rebuild_has_the_same_fingerprints_as_a_full_computation(tmp_path):
    first_book = ReadNotes(str(tmp_path))
    first = article(body_images=(picture("a.jpg"), picture("b.jpg")))
    first_book.record(first, "read-1")
    before = Fingerprints().of(first)
    first_book.save()

    book = ReadNotes(str(tmp_path))
    again = article(body_images=(picture("a.jpg"), picture("b.jpg")))
    record = book.record(again, "read-1")

    assert set(record.known) == {"top_image", "body_images"}
    assert Fingerprints().of(again) == before == plain(again)


def test_a_kept_digest_is_used_for_the_unchanged_object_of_an_unchanged_read(tmp_path):
    plant(tmp_path, "read-1", top_image=PLANTED)
    content = article()
    ReadNotes(str(tmp_path)).record(content, "read-1")

    # The planted digest stands for the picture, so the article's fingerprint
    # is not the one a full computation gives.
    assert Fingerprints().of(content) != plain(content)


def test_a_kept_digest_is_not_used_under_another_read_identity(tmp_path):
    plant(tmp_path, "read-1", top_image=PLANTED)
    content = article()
    record = ReadNotes(str(tmp_path)).record(content, "read-2")  # the source changed

    assert record.known == {}
    assert Fingerprints().of(content) == plain(content)


def test_an_attribute_replaced_after_reading_is_fingerprinted_afresh(tmp_path):
    plant(tmp_path, "read-1", top_image=PLANTED)
    content = article()
    ReadNotes(str(tmp_path)).record(content, "read-1")

    content.top_image = picture("replaced.jpg")  # a later plugin sets another picture

    assert Fingerprints().of(content) == plain(content)
    assert Fingerprints().of(content) != plain(article())


def test_a_mutable_attribute_changed_in_place_changes_the_fingerprint(tmp_path):
    book = ReadNotes(str(tmp_path))
    content = article(gallery=[picture("a.jpg")], captions=(["First"],))
    book.record(content, "read-1")
    Fingerprints().of(content)
    book.save()  # what a build notes: never a list, nor a tuple holding one
    plant(tmp_path, "read-1", gallery=PLANTED)  # and a list never takes a note anyway
    content = article(gallery=[picture("a.jpg")], captions=(["First"],))
    ReadNotes(str(tmp_path)).record(content, "read-1")
    before = Fingerprints().of(content)

    content.gallery.append(picture("b.jpg"))
    content.captions[0].append("Second")

    after = Fingerprints().of(content)
    assert after != before
    assert after == plain(content)


def test_a_note_is_taken_for_a_value_of_the_same_read_without_walking_it_again(tmp_path):
    """A note was taken of a deeply immutable value; the same read identity means
    the same stored bytes, so the value is taken by its note at once."""
    plant(tmp_path, "read-1", captions=PLANTED)
    content = article(captions=("First", "Second"))
    ReadNotes(str(tmp_path)).record(content, "read-1")

    assert Fingerprints().of(content) != plain(content)


def test_a_value_of_a_read_shown_by_another_article_takes_its_kept_digest(tmp_path):
    plant(tmp_path, "read-1", top_image=PLANTED)
    shown = article("Quiet summit")
    book = ReadNotes(str(tmp_path))
    book.record(shown, "read-1")
    showing = article("Other story", related=[Card("Quiet summit", shown.top_image)])
    book.record(showing, "read-9")

    # Fingerprinting only the article that shows the picture uses its note.
    assert Fingerprints().of(showing) != plain(showing)


def test_new_digests_are_noted_only_for_deeply_immutable_values(tmp_path):
    book = ReadNotes(str(tmp_path))
    content = article(body_images=(picture("a.jpg"),), draft=Draft("x"), gallery=(["x"],))
    book.record(content, "read-1")
    Fingerprints().of(content)
    book.save()

    known = ReadNotes(str(tmp_path)).record(article(), "read-1").known
    assert set(known) == {"top_image", "body_images"}


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_damaged_notes_are_ignored(tmp_path, damage):
    plant(tmp_path, "read-1", top_image=PLANTED)
    path = tmp_path / NOTES
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    else:
        path.write_bytes(b"not notes at all")

    content = article()
    record = ReadNotes(str(tmp_path)).record(content, "read-1")

    assert record.known == {}
    assert Fingerprints().of(content) == plain(content)


def test_notes_keep_only_the_reads_of_the_last_build(tmp_path):
    plant(tmp_path, "read-1", top_image="one")
    plant(tmp_path, "read-2", top_image="two")  # the build after: read-1 is gone

    book = ReadNotes(str(tmp_path))
    assert book.record(article(), "read-1").known == {}
    assert book.record(article(), "read-2").known == {"top_image": "two"}


def test_a_note_of_other_fingerprint_code_is_ignored(tmp_path):
    plant(tmp_path, "read-1", top_image="0123456789ab:" + "f" * 32)
    content = article()
    ReadNotes(str(tmp_path)).record(content, "read-1")

    assert Fingerprints().of(content) == plain(content)


def test_a_reads_strings_and_dates_are_taken_by_its_identity_until_replaced(tmp_path):
    content, again, edited = article(), article(), article()
    ReadNotes(str(tmp_path / "one")).record(content, "read-1")
    ReadNotes(str(tmp_path / "two")).record(again, "read-1")  # the same read, next build
    ReadNotes(str(tmp_path / "three")).record(edited, "read-2")  # its source was edited
    unchanged = Fingerprints().of(again)

    assert Fingerprints().of(content) == unchanged
    assert Fingerprints().of(edited) != unchanged
    content.title = "Loud summit"  # a plugin replaces a string the read produced
    assert Fingerprints().of(content) != unchanged
    del content.title
    assert Fingerprints().of(content) != unchanged


# --- articles linked from other values: one walk each, every change seen ---
def test_an_article_variable_covers_its_related_stories_in_full():
    shown = article("Shown story")
    page = article("Quiet summit", related=[Card("Shown story", shown)])
    before = Fingerprints().of(page)

    shown.subtitle = "A subtitle the teaser could show"

    assert Fingerprints().of(page) != before


@pytest.mark.parametrize(
    "change",
    [lambda shown: setattr(shown, "title", "Renamed"),
     lambda shown: setattr(shown, "subtitle", "A new dek"),
     lambda shown: setattr(shown, "_content", "<p>A corrected opening.</p>"),
     lambda shown: setattr(shown, "top_image", Photo("new.jpg", "Top photo credit: AP")),
     lambda shown: shown.metadata.update(summary="<p>A summary.</p>")],  # Summary: given
    ids=["title", "dek", "body", "image", "summary"],
)  # fmt: skip
def test_a_related_teaser_is_covered_by_its_article(change):
    """A real teaser stands for its article: whatever of it the teaser shows, changed, shows."""
    from kiosk_related.teasers import make_teaser

    shown = article("Shown story", label=Tag("Europe", {}),
                    top_image=Photo("lead.jpg", "Top photo credit: Reuters"))  # fmt: skip
    page = article("Quiet summit")
    page.related = [make_teaser(shown)]
    before = Fingerprints().of(page)
    assert Fingerprints().of(page) == before

    change(shown)
    page.related = [make_teaser(shown)]  # kiosk_related makes them again every build

    assert Fingerprints().of(page) != before


def test_a_list_of_articles_covers_each_article_in_full():
    first, second = article("First story"), article("Second story")
    before = Fingerprints().of([first, second])

    second.title = "Second story, corrected"

    assert Fingerprints().of([first, second]) != before
    assert Fingerprints().of([second, first]) != Fingerprints().of([first, second])


def test_an_article_shown_through_a_teaser_inside_a_list_is_covered_in_full():
    shown = article("Shown story")
    rail = [Card("Shown story", shown)]
    before = Fingerprints().of(rail)

    shown.top_image = picture("replaced.jpg")

    assert Fingerprints().of(rail) != before


def test_which_article_stands_where_is_part_of_the_fingerprint():
    # Two articles with the same source path (a copy, say): the paths alone
    # cannot tell them apart, their own fingerprints in order do.
    one, other = article("Same path"), article("Same path", subtitle="Different")
    assert one.source_path == other.source_path

    assert Fingerprints().of([one, other]) != Fingerprints().of([other, one])
    assert Fingerprints().of([one, one]) != Fingerprints().of([one, other])


def test_articles_in_a_dict_are_matched_to_their_keys_whatever_the_insertion_order():
    one, other = article("Same path"), article("Same path", subtitle="Different")

    assert Fingerprints().of({"a": one, "b": other}) == Fingerprints().of({"b": other, "a": one})
    assert Fingerprints().of({"a": one, "b": other}) != Fingerprints().of({"b": one, "a": other})
    assert Fingerprints().of({one, other}) == Fingerprints().of({other, one})


def test_related_stories_of_related_stories_are_taken_by_path():
    # Depth three is not covered, as documented: no template shows it.
    far = article("Far story")
    near = article("Near story", related=[Card("Far story", far)])
    page = article("Quiet summit", related=[Card("Near story", near)])
    before = Fingerprints().of(page)

    far.subtitle = "Changed, two links away"

    assert Fingerprints().of(page) == before
    assert Fingerprints().of(near) != Fingerprints().of(article("Near story", related=[]))


def test_one_walk_of_an_article_serves_every_page_that_shows_it():
    shown = article("Shown story")
    pages = [article(f"Page {n}", related=[Card("Shown story", shown)]) for n in range(3)]
    fingerprints = Fingerprints()
    walked = []
    walk = fingerprints._own

    def counting(content):
        if id(content) not in fingerprints._contents:
            walked.append(content.title)
        return walk(content)

    fingerprints._own = counting
    for page in pages:
        fingerprints.of(page)
    fingerprints.of([shown, *pages])

    assert sorted(walked) == sorted(["Shown story", "Page 0", "Page 1", "Page 2"])


def test_a_value_that_holds_itself_has_a_fingerprint_that_does_not_depend_on_the_walk():
    loop = ["start"]
    loop.append(loop)
    holder = {"loop": loop, "other": [loop]}

    first = Fingerprints()
    first.of(loop)
    assert first.of(holder) == Fingerprints().of(holder)


def test_articles_that_hold_each_other_in_sets_have_fingerprints_that_do_not_depend_on_the_walk():
    first, second = article("First story"), article("Second story")
    first.linked, second.linked = {second, "x"}, {first, "y"}

    walked = Fingerprints()
    walked.of(second)
    assert walked.of(first) == Fingerprints().of(first)


def _fingerprint_in_a_fresh_process():
    shown = article("Shown story")
    return Fingerprints().of(article("Quiet summit", related=[Card("Shown story", shown)]))


def test_fingerprints_are_the_same_in_another_process():
    # The render helper computes keys in a forked process; two fresh
    # interpreters (other addresses, other hash seeds) must agree too. Both
    # sides are fresh: in this process, earlier tests' sites may have left
    # plugins connected to ``content_object_init``, which add attributes.
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    digests = []
    for _ in range(2):
        with spawn.Pool(1) as pool:
            digests.append(pool.apply(_fingerprint_in_a_fresh_process))

    assert digests[0] == digests[1]


# --- a real site: the read cache records its reads, the memo's digests are kept ---
ARTICLE = header(
    "The summit ended quietly.",
    title="Quiet summit",
    date="2024-06-01 10:00",
    section="Analysis",
    region="Europe",
    authors="Ana Ortiz",
    slug="quiet-summit",
)


def test_a_rebuild_takes_kept_digests_and_its_pages_are_exactly_right(make_site, tmp_path):
    read_cache, render_cache = tmp_path / "read", tmp_path / "render"
    files = {
        "authors/ana-ortiz.md": header("Ana writes.", name="Ana Ortiz"),
        "articles/quiet-summit.md": ARTICLE,
        "articles/second.md": ARTICLE.replace("quiet-summit", "second").replace(
            "Quiet summit", "Second story"
        ),
    }
    templates = {"article.html": "<h1>{{ article.title }}</h1>{{ article.top_image }}"}
    settings = {
        "KIOSK_READCACHE": {"cache_path": str(read_cache)},
        "KIOSK_INCREMENTAL": {"cache_path": str(render_cache), "check": True},
        "DIRECT_TEMPLATES": [],
    }
    plugins = ["kiosk_readcache", "kiosk_authors", "kiosk_figures", "kiosk_incremental"]
    make_site(files, plugins=plugins, templates=templates, settings=settings)
    (notes,) = read_cache.rglob(NOTES)
    kept = ReadNotes(str(notes.parent)).previous

    output = make_site(files, plugins=plugins, templates=templates, settings=settings)

    # Each article's read has notes (its body images: an empty tuple here) …
    assert len(kept) == 2 and all("body_images" in texts for texts in kept.values())
    # … and check mode, which renders every reused page again, found no difference.
    assert kiosk_incremental.last_mismatches == []
    assert kiosk_incremental.last_stats["reused"] >= 2
    assert "<h1>Quiet summit</h1>" in (output / "quiet-summit/index.html").read_text()


def test_a_list_page_asked_for_again_is_walked_once_and_fingerprinted_as_in_full(monkeypatch):
    from pelican.paginator import Page, Paginator

    settings = dict(DEFAULT_CONFIG)
    pieces = [article(f"Piece {number}") for number in range(25)]
    paginator = Paginator("tag/trade.html", "tag/trade/", pieces, settings, 10)
    in_full = Fingerprints().of(paginator.page(2))
    prints = Fingerprints()
    second = prints.of(paginator.page(2))  # page 2, as the current page of a render
    walks, real = [], Fingerprints._compound

    def walk(self, value, links):
        walks.append(value)
        return real(self, value, links)

    monkeypatch.setattr(Fingerprints, "_compound", walk)

    # Pelican makes a new Page each time: the next page of page 1, the previous of page 3.
    assert prints.of(paginator.page(2)) == second == in_full
    assert walks == []
    assert prints.of(paginator.page(3)) != second
    # A page of the same paginator and number that holds other articles is walked.
    other = Page(paginator.name, paginator.url, pieces[:10], 2, paginator, settings)
    assert prints.of(other) == Fingerprints().of(other) != second


def tag(name, **attached):
    made = Tag(name, dict(DEFAULT_CONFIG))
    for key, value in attached.items():
        setattr(made, key, value)
    return made


def test_equal_tags_of_different_articles_have_one_digest_and_any_difference_shows():
    # Pelican gives each article its own Tag objects; one build's fingerprints
    # take equal ones as one, and tell apart what a page could show differently.
    fingerprints = Fingerprints()
    same = [tag("Sanctions"), tag("Sanctions")]
    variants = [
        tag("Trade"),
        tag("Sanctions", description="Who is sanctioned"),
        tag("Sanctions", description=Markup("Who is sanctioned")),  # shown unescaped
        tag("Sanctions", description="Who is sanctioned, and why"),
        tag("Sanctions", weight=1),
        tag("Sanctions", weight=True),
        tag("Sanctions", weight=-0.0),
        tag("Sanctions", weight=0.0),
    ]

    digests = [fingerprints.of(t) for t in same + variants]

    assert digests[0] == digests[1]
    assert len(set(digests)) == 1 + len(variants)
    # Each is what a fresh computation gives.
    assert digests == [Fingerprints().of(t) for t in same + variants]


def test_a_tag_holding_an_article_keeps_that_article_in_its_page_s_fingerprint():
    story = article("Shown story")
    fingerprints = Fingerprints()
    first = fingerprints.of([tag("Sanctions", lead=story)])
    again = fingerprints.of([tag("Sanctions", lead=story)])  # equal: taken from the memo

    story.subtitle = "A change the tag's page could show"

    assert first == again == Fingerprints().of([tag("Sanctions", lead=article("Shown story"))])
    assert Fingerprints().of([tag("Sanctions", lead=story)]) != first
