"""kiosk_related: which pieces are related, and the teasers a reader sees.

Scoring and excerpts are pure functions tested on small records; tiny sites
check the related block as it reaches the page.
"""

import json
import random

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kiosk_html
from kiosk_related import kept, scoring
from kiosk_related.scoring import Item, relate
from kiosk_related.settings import DEFAULTS, related_settings
from kiosk_related.teasers import first_paragraphs, first_paragraphs_soup
from tests.plugins.conftest import header
from tests.plugins.test_html import fragments

OPTIONS = dict(DEFAULTS)
DAY = 86400.0


def item(key, tags=(), region="", section="Analysis", series="", day=0):
    return Item(key, tuple(tags), region, section, series, 1.7e9 + day * DAY)


def related_keys(subject, pool, **options):
    return [pool[i].key for i in relate([subject], pool, {**OPTIONS, **options})[0]]


# --- Scoring ---------------------------------------------------------------------


def test_more_shared_tags_rank_higher():
    subject = item("subject", ["lithium", "chile", "mining"])
    pool = [
        subject,
        item("one-tag", ["chile"], day=9),
        item("three-tags", ["lithium", "chile", "mining"], day=1),
        item("two-tags", ["lithium", "mining"], day=5),
        item("no-tags", ["sahel"], day=10),
    ]
    # The piece sharing no tag only fills the last place, as the newest of
    # the same section, although it is the newest of all.
    assert related_keys(subject, pool) == ["three-tags", "two-tags", "one-tag", "no-tags"]


def test_a_rare_shared_tag_beats_a_common_one():
    subject = item("subject", ["security", "lithium"])
    pool = [
        subject,
        *(item(f"s{i}", ["security"], day=i) for i in range(20)),
        item("rare", ["lithium"], day=-100),
    ]
    assert related_keys(subject, pool)[0] == "rare"


def test_same_region_and_section_break_equal_tag_scores():
    subject = item("subject", ["trade"], region="Europe", section="Reporting")
    pool = [
        subject,
        item("elsewhere", ["trade"], region="Africa", section="Opinion", day=2),
        item("same-section", ["trade"], region="Africa", section="Reporting", day=1),
        item("same-region", ["trade"], region="Europe", section="Opinion", day=1),
    ]
    assert related_keys(subject, pool) == ["same-region", "same-section", "elsewhere"]


def test_itself_and_its_series_are_never_related():
    subject = item("part-2", ["ukraine"], series="Diplomacy Watch")
    pool = [
        subject,
        item("part-1", ["ukraine"], series="Diplomacy Watch"),
        item("part-3", ["ukraine"], series="Diplomacy Watch"),
        item("other", ["ukraine"]),
    ]
    assert related_keys(subject, pool) == ["other"]


def test_equal_scores_go_newest_first_then_by_slug():
    subject = item("subject", ["gas"])
    pool = [
        subject,
        item("b", ["gas"], day=1),
        item("a", ["gas"], day=1),
        item("c", ["gas"], day=3),
    ]
    assert related_keys(subject, pool) == ["c", "a", "b"]
    assert related_keys(subject, list(reversed(pool))) == ["c", "a", "b"]


def test_without_shared_tags_the_newest_of_region_then_section_fill_in():
    subject = item("subject", ["rare-topic"], region="Africa", section="Review")
    pool = [
        subject,
        item("old-africa", region="Africa", day=1),
        item("new-africa", region="Africa", day=5),
        item("review", region="Europe", section="Review", day=9),
        item("unrelated", region="Europe", day=20),
    ]
    assert related_keys(subject, pool) == ["new-africa", "old-africa", "review"]


def test_count_is_a_setting():
    subject = item("subject", ["gas"])
    pool = [subject, *(item(f"g{i}", ["gas"], day=i) for i in range(10))]
    assert len(related_keys(subject, pool)) == 4
    assert len(related_keys(subject, pool, count=2)) == 2


def test_ten_thousand_articles_are_related_with_a_capped_number_of_candidates_each(
    monkeypatch,
):
    # Zipf-like tag use, so a few tags sit on thousands of pieces: the case an
    # all-pairs or a whole-posting-list loop would not survive. The work per
    # article is capped by the candidates it scores, whatever the archive's
    # size (its time is the benchmark's business: BENCHMARKS.md).
    rng = random.Random(7)
    tags = [f"t{i}" for i in range(600)]
    weights = [1 / (i + 1) for i in range(600)]
    regions = ["Africa", "Asia-Pacific", "Europe", "Latin America", "Middle East", ""]
    pool = [
        item(
            f"a{i:05d}",
            set(rng.choices(tags, weights, k=rng.randint(2, 5))),
            region=rng.choice(regions),
            section=rng.choice(["Analysis", "Reporting"]),
            series=f"s{i % 300}" if i % 7 == 0 else "",
            day=i / 24,
        )
        for i in range(10_000)
    ]
    scored = []
    real = scoring._tag_scores

    def counted(*args):
        found = real(*args)
        scored.append(len(found))
        return found

    monkeypatch.setattr(scoring, "_tag_scores", counted)
    picks = relate(pool, pool, OPTIONS)
    assert len(scored) == len(pool) and max(scored) <= OPTIONS["candidates"]
    assert all(len(p) == 4 for p in picks)
    assert all(pool[i].key != pool[n].key for n, p in enumerate(picks) for i in p)


def test_picks_of_the_same_records_are_kept_and_scored_again_only_when_one_changes(
    tmp_path, monkeypatch
):
    pool = [item(f"a{i:02d}", {"t1", f"t{i % 3}"}, region="Europe", day=i) for i in range(12)]
    folder = tmp_path / "related"
    first = kept.picks(pool, pool, OPTIONS, folder)
    assert first == [list(chosen) for chosen in relate(pool, pool, OPTIONS)]
    scored, real = [], scoring.relate
    monkeypatch.setattr(scoring, "relate", lambda *args: scored.append(args) or real(*args))

    assert kept.picks(pool, pool, OPTIONS, folder) == first and scored == []
    retagged = [*pool[:-1], pool[-1]._replace(tags=("t9",))]
    assert kept.picks(retagged, retagged, OPTIONS, folder) == real(retagged, retagged, OPTIONS)
    assert kept.picks(pool, pool, {**OPTIONS, "count": 2}, folder) == real(
        pool, pool, {**OPTIONS, "count": 2})  # fmt: skip
    assert len(scored) == 2
    for path in folder.glob("*.json"):  # damaged: an index past the pool
        path.write_text(json.dumps([[99]] * len(pool)))
    assert kept.picks(pool, pool, OPTIONS, folder) == first and len(scored) == 3
    for start in range(6):
        kept.picks(pool[start:], pool[start:], OPTIONS, folder)
    assert len(list(folder.glob("*.json"))) == kept.KEEP
    assert kept.picks(pool, pool, OPTIONS, None) == first  # no folder: always scored


def test_unknown_setting_is_rejected():
    with pytest.raises(ValueError, match="cuont"):
        related_settings({"KIOSK_RELATED": {"cuont": 3}})


# --- Excerpts --------------------------------------------------------------------

MARK = '<sup class="footnote-ref"><a href="#fn-1" id="fnref-1" data-footnote-ref>1</a></sup>'
BODY = f"""<p id="intro">First{MARK}.</p>
<figure class="figure"><img alt="x" src="/x.jpg"><figcaption>Caption</figcaption></figure>
<h2>Subhead</h2>
<blockquote class="pullquote"><p>Quoted again.</p></blockquote>
<p>Second <em>with emphasis</em>.</p>
<p>Third.</p>
<p>Fourth.</p>"""


def test_excerpt_is_the_first_three_whole_paragraphs_without_figures():
    soup = BeautifulSoup("".join(first_paragraphs(BODY, 3)), "html.parser")
    paragraphs = soup.find_all("p", recursive=False)
    assert [p.get_text() for p in paragraphs] == ["First.", "Second with emphasis.", "Third."]
    assert soup.select("figure, img, figcaption, h2, blockquote, sup, [id]") == []
    assert soup.select_one("p > em").get_text() == "with emphasis"


def test_excerpt_skips_an_author_note_and_empty_paragraphs():
    html = '<p><img alt="only" src="/i.jpg"></p><p>Body.</p><p class="author-note">— A. B.</p>'
    assert first_paragraphs(html, 3) == ["<p>Body.</p>"]


# The fast path (kiosk_html) against first_paragraphs_soup, the BeautifulSoup
# code it replaced and still falls back to: same blocks, byte for byte.

EDGE_EXCERPTS = {
    "ids at every depth": '<p id="a">A <em id="b">b <strong id="c">c</strong></em></p>',
    "footnote marks, nested and not": (
        '<p>A<sup class="footnote-ref"><a href="#fn-1" id="fnref-1">1</a></sup>'
        ' <sup>2<a href="#x">x</a></sup> <em><sup class="footnote-ref">3</sup></em></p>'
    ),
    "images, pictures and figures inside a paragraph": (
        '<p>See <a href="/x"><img alt="x" src="/x.jpg"></a> and <picture><img src="/y.jpg">'
        "</picture>.</p>"
    ),
    "a paragraph that is only an image is skipped": '<p>\n<img alt="x" src="/x.jpg">\n</p><p>B</p>',
    "comments and empty paragraphs": "<!-- c --><p><!-- only a comment --></p><p> </p><p>A</p>",
    "skipped classes among others": (
        '<p class="lead author-note">x</p><p class="figure">y</p><p class="pullquote x">z</p>'
        '<p class="lead">A</p>'
    ),
    "entities kept escaped": "<p>&lt;tag&gt; &amp; &#8220;quoted&#8221;&nbsp;&#150;</p>",
    "paragraphs inside lists and quotes are not top-level": (
        "<ul><li><p>in list</p></li></ul><blockquote><p>in quote</p></blockquote><p>top</p>"
    ),
    "fewer paragraphs than asked": "<h2>Only</h2><p>one</p>",
    "nothing": "",
}


@pytest.mark.parametrize("html", EDGE_EXCERPTS.values(), ids=EDGE_EXCERPTS.keys())
@pytest.mark.parametrize("count", [1, 3])
def test_fast_excerpt_equals_the_soup_one(html, count):
    assert kiosk_html.parse(html) is not None, "expected the fast path to read this body"
    assert first_paragraphs(html, count) == first_paragraphs_soup(html, count)


def test_html_the_fast_path_does_not_read_still_gets_the_soup_excerpt():
    html = "<p>AT&T <b>x</b></p><p class=lead>y</p>"
    assert kiosk_html.parse(html) is None
    assert first_paragraphs(html, 3) == first_paragraphs_soup(html, 3)


paragraph_parts = st.sampled_from(
    ["text", " ", "\n", "&amp;", '<em id="e">em</em>', '<img alt="i" src="/i.jpg">',
     '<sup id="s"><a class="footnote-ref" href="#f">1</a></sup>', "<sup>2</sup>",
     "<!-- c -->", '<a href="/x" id="l">link</a>', "<picture><img src='/p.jpg'></picture>"]
)  # fmt: skip
excerpt_blocks = st.one_of(
    st.builds(
        "<p{}>{}</p>".format,
        st.sampled_from(["", ' id="p"', ' class="author-note"', ' class="pullquote"']),
        st.lists(paragraph_parts, max_size=4).map("".join),
    ),
    st.sampled_from(["<h2>Sub</h2>", '<figure class="figure"><img src="/f.jpg"></figure>', "\n"]),
    fragments(),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(excerpt_blocks, max_size=7).map("".join), st.integers(1, 4))
def test_random_bodies_excerpt_like_the_soup_path(html, count):
    html = html.replace("'", '"')
    assert kiosk_html.parse(html) is not None
    assert first_paragraphs(html, count) == first_paragraphs_soup(html, count)


# --- Tiny sites -----------------------------------------------------------------

ARTICLE = """
<h1>{{ article.title|safe }}</h1>
<section class="related">{% for t in article.related %}
<article class="teaser">
<a class="label" href="{{ SITEURL }}/{{ t.label.url }}">{{ t.label.name }}</a>
<h3><a href="{{ SITEURL }}/{{ t.url }}">{{ t.title|safe }}</a></h3>
<p class="dek">{{ t.dek }}</p><div class="teaser-text">{{ t.teaser_html|safe }}</div>
<div class="excerpt">{{ t.excerpt_html|safe }}</div>
{% if t.image %}<img src="{{ t.image.src }}" alt="{{ t.image.alt }}">{% endif %}
<p class="credit">{{ t.credit_label }}</p>
</article>{% endfor %}</section>
"""

PARAGRAPHS = "\n\n".join(f"Paragraph {n} of the piece." for n in range(1, 6))


def article(title, date, tags="", region=None, section="Reporting", **extra):
    return header(
        PARAGRAPHS,
        title=title,
        date=date,
        category=section,
        authors="Ana Ortiz",
        tags=tags or None,
        region=region,
        **extra,
    )


def site_files():
    lithium = "Lithium, Chile, Mining"
    return {
        "articles/a.md": article(
            "Lithium bargain", "2026-03-01", lithium, region="Latin America", series="Lithium Watch"
        ),
        "articles/b.md": article(
            "Chile's lithium law",
            "2026-02-01",
            lithium,
            region="Latin America",
            subtitle="A state company takes the lead.",
            summary="The law, explained.",
            image="images/missing.jpg",
            image_alt="A salt flat",
            image_credit="REUTERS/Jane Doe",
        ),
        "articles/c.md": article("Santiago votes", "2026-02-10", "Chile", region="Latin America"),
        "articles/d.md": article(
            "Brussels budget", "2026-02-20", "Budget", region="Europe", section="Opinion"
        ),
        "articles/e.md": article("Andes water", "2026-01-05", region="Latin America"),
        "articles/sibling.md": article(
            "Lithium Watch, part 2",
            "2026-02-25",
            lithium,
            region="Latin America",
            series="Lithium Watch",
        ),
        "articles/draft.md": article("Draft lithium", "2026-02-26", lithium, status="draft"),
        "articles/hidden.md": article("Hidden lithium", "2026-02-27", lithium, status="hidden"),
        "articles/future.md": article("Scheduled lithium", "2099-01-01", lithium),
    }


def related_on(output, slug):
    soup = BeautifulSoup((output / slug / "index.html").read_text(encoding="utf-8"), "html.parser")
    return soup.select(".related .teaser")


def test_site_related_block_ranks_and_filters(make_site):
    output = make_site(
        site_files(),
        plugins=["kiosk_figures", "kiosk_related"],
        templates={"article.html": ARTICLE},
    )
    teasers = related_on(output, "lithium-bargain")
    headlines = [t.select_one("h3").get_text() for t in teasers]
    # b shares three tags, c one; e fills in as the newest other Latin America
    # piece. The series sibling, the draft, the hidden and the scheduled piece
    # never show, and neither does the Opinion piece from Europe.
    assert headlines == ["Chile\u2019s lithium law", "Santiago votes", "Andes water"]
    first = teasers[0]
    assert first.select_one("h3 a")["href"] == "/chiles-lithium-law/"
    assert first.select_one(".label").get_text() == "Reporting"
    assert first.select_one(".dek").get_text() == "A state company takes the lead."
    assert first.select_one(".teaser-text").get_text(strip=True) == "The law, explained."
    assert first.select_one(".credit").get_text() == "Top photo credit: REUTERS/Jane Doe"
    assert first.select_one("img")["alt"] == "A salt flat"
    excerpt = first.select(".excerpt > p")
    assert [p.get_text() for p in excerpt] == [f"Paragraph {n} of the piece." for n in (1, 2, 3)]
    second = teasers[1]
    assert second.select_one(".teaser-text").get_text() == "Paragraph 1 of the piece."
    assert second.select(".credit")[0].get_text() == ""


def test_site_teaser_label_is_the_region_with_taxonomies(make_site):
    output = make_site(
        site_files(),
        plugins=["kiosk_taxonomies", "kiosk_series", "kiosk_figures", "kiosk_related"],
        templates={"article.html": ARTICLE},
    )
    teasers = related_on(output, "lithium-bargain")
    labels = [(t.select_one(".label").get_text(), t.select_one(".label")["href"]) for t in teasers]
    assert labels[0] == ("Latin America", "/region/latin-america/")
    headlines = [t.select_one("h3").get_text() for t in teasers]
    assert "Lithium Watch, part 2" not in headlines


def test_site_excerpt_with_an_intrasite_link_points_at_the_linked_page(make_site, tmp_path):
    # The excerpt is kept from the read (kiosk_readcache caches it with the
    # article) only for bodies without intrasite links; a linked body's
    # excerpt still shows the link resolved to the target's URL.
    files = site_files()
    linked = "Paragraph 1 cites [the budget]({filename}d.md).\n\n" + PARAGRAPHS
    files["articles/c.md"] = header(linked, title="Santiago votes", date="2026-02-10",
                                    category="Reporting", authors="Ana Ortiz", tags="Chile",
                                    region="Latin America")  # fmt: skip
    plugins = ["kiosk_figures", "kiosk_readcache", "kiosk_related"]
    cache = {"KIOSK_READCACHE": {"cache_path": str(tmp_path / "read-cache")}}
    make_site(files, plugins=plugins, templates={"article.html": ARTICLE}, settings=cache)
    # Again, every article now from the read cache.
    output = make_site(files, plugins=plugins, templates={"article.html": ARTICLE}, settings=cache)
    by_title = {t.select_one("h3").get_text(): t for t in related_on(output, "lithium-bargain")}
    cited = by_title["Santiago votes"].select_one(".excerpt a")
    assert cited["href"] == "/brussels-budget/"
    plain = by_title["Chile\u2019s lithium law"].select(".excerpt > p")
    assert [p.get_text() for p in plain] == [f"Paragraph {n} of the piece." for n in (1, 2, 3)]


def test_a_story_with_nothing_beyond_its_teaser_has_no_excerpt_to_expand(make_site):
    # One paragraph and no Summary: the teaser already shows all of its opening,
    # and expanding it would show that paragraph again. Keep reading just links.
    files = site_files()
    files["articles/c.md"] = header("Only paragraph of the piece.", title="Santiago votes",
                                    date="2026-02-10", category="Reporting", authors="Ana Ortiz",
                                    tags="Chile", region="Latin America")  # fmt: skip
    output = make_site(files, plugins=["kiosk_figures", "kiosk_related"],
                       templates={"article.html": ARTICLE})  # fmt: skip
    by_title = {t.select_one("h3").get_text(): t for t in related_on(output, "lithium-bargain")}
    short = by_title["Santiago votes"]
    assert short.select_one(".teaser-text").get_text() == "Only paragraph of the piece."
    assert short.select_one(".excerpt").get_text(strip=True) == ""
    # A story with more to read keeps its excerpt, its first paragraph included.
    full = by_title["Andes water"].select(".excerpt > p")
    assert [p.get_text() for p in full] == [f"Paragraph {n} of the piece." for n in (1, 2, 3)]
