"""kiosk_termindex: term pages list the same articles, found by set lookup."""

import random
from collections import defaultdict

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pelican import generators as generators_module
from pelican.generators import ArticlesGenerator
from pelican.log import LimitFilter
from pelican.utils import process_translations

from kiosk_termindex import TermArticles, index_terms, per_group
from tests.plugins.conftest import header


class Piece:
    """Like Pelican's articles: no __eq__, so membership means identity."""


def test_membership_is_by_identity_like_a_plain_list():
    first, second, stranger = Piece(), Piece(), Piece()
    terms = TermArticles([first, second])
    assert first in terms and second in terms
    assert stranger not in terms
    assert list(terms) == [first, second]


def test_a_list_that_grows_is_indexed_again():
    first, late = Piece(), Piece()
    terms = TermArticles([first])
    assert late not in terms
    terms.append(late)
    assert late in terms


TAG_PAGE = "<ol>{% for a in articles %}<li>{{ a.title|safe }}</li>{% endfor %}</ol>"


def test_tag_pages_list_their_articles_newest_first(make_site):
    files = {
        f"articles/{n}.md": header(title=f"Piece {n}", date=f"2026-0{n}-01", category="Analysis",
                                   authors="Ana Ortiz", tags="Energy" if n % 2 else "Trade")
        for n in range(1, 6)
    }  # fmt: skip
    site = make_site(files, plugins=["kiosk_termindex"], templates={"tag.html": TAG_PAGE})
    page = BeautifulSoup((site / "tag" / "energy" / "index.html").read_text("utf-8"), "html.parser")
    assert [li.get_text() for li in page.select("li")] == ["Piece 5", "Piece 3", "Piece 1"]


# --- term pages one term at a time -------------------------------------------------
class Term:
    """Enough of Pelican's Tag/Category/Author for its generate_* methods."""

    def __init__(self, name):
        self.name = self.slug = self.page_name = name
        self.save_as, self.url = f"{name}/index.html", f"{name}/"


def _bare_generator(articles, terms):
    """A real ArticlesGenerator, without reading: Pelican's own generate_tags,
    generate_categories and generate_authors run on these attributes."""
    generator = ArticlesGenerator.__new__(ArticlesGenerator)
    generator.articles = articles
    generator.dates = sorted(articles, key=lambda a: a.date, reverse=True)
    generator.tags = {term: list(items) for term, items in terms.items()}
    generator.categories = [(term, list(items)) for term, items in terms.items()]
    generator.authors = [(term, list(items)) for term, items in terms.items()]
    generator.context = {}
    generator.get_template = lambda name: name
    return generator


def _pages(generator, method_name):
    pages = []

    def write(save_as, template, context, **variables):
        pages.append((save_as, variables["articles"], variables["dates"]))

    getattr(generator, method_name)(write)
    return pages


def _random_magazine(seed):
    rng = random.Random(seed)
    articles = [Piece() for _ in range(60)]
    for number, article in enumerate(articles):
        article.date = rng.randrange(10)  # ties, as articles of one day have
        article.number = number
    terms = {}
    for name in range(12):
        members = rng.sample(articles, rng.randrange(0, 25))
        members += rng.sample(members, min(2, len(members)))  # "Tags: Energy, energy"
        members.append(Piece())  # a draft or hidden piece: in the term, not in dates
        members[-1].date = 0
        terms[Term(f"t{name}")] = members
    return articles, terms


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    "method_name", ["generate_tags", "generate_categories", "generate_authors"]
)
def test_each_term_page_gets_the_dates_pelicans_own_scan_gives(seed, method_name):
    articles, terms = _random_magazine(seed)
    plain, indexed = _bare_generator(articles, terms), _bare_generator(articles, terms)
    index_terms(indexed)
    expected = _pages(plain, method_name)
    got = _pages(indexed, method_name)
    assert [save_as for save_as, _, _ in got] == [save_as for save_as, _, _ in expected]
    for (_, articles_got, dates_got), (_, articles_expected, dates_expected) in zip(
        got, expected, strict=True
    ):
        assert list(articles_got) == list(articles_expected)
        assert [id(a) for a in dates_got] == [id(a) for a in dates_expected]


def test_membership_questions_grow_with_article_term_pairs_not_articles_times_terms(
    monkeypatch,
):
    articles = [Piece() for _ in range(200)]
    for number, article in enumerate(articles):
        article.date = number
    # 20 terms of 3 articles each: 60 pairs, where a scan of every article per
    # term would ask 20 x 200 = 4,000 questions.
    terms = {Term(f"t{n}"): articles[n * 3 : n * 3 + 3] for n in range(20)}
    generator = _bare_generator(articles, terms)
    index_terms(generator)
    asked = []
    original = TermArticles.__contains__
    monkeypatch.setattr(
        TermArticles, "__contains__", lambda self, item: asked.append(1) or original(self, item)
    )
    for method_name in ("generate_tags", "generate_categories", "generate_authors"):
        asked.clear()
        assert len(_pages(generator, method_name)) == 20
        assert len(asked) == 60


def test_the_generator_is_left_as_it_was_even_when_a_page_fails():
    articles, terms = _random_magazine(7)
    generator = _bare_generator(articles, terms)
    index_terms(generator)
    tags, categories, authors, dates = (
        generator.tags, generator.categories, generator.authors, generator.dates
    )  # fmt: skip

    def failing_write(save_as, *args, **kwargs):
        raise OSError("disk full")

    for method_name in ("generate_tags", "generate_categories", "generate_authors"):
        with pytest.raises(OSError, match="disk full"):
            getattr(generator, method_name)(failing_write)
        assert generator.tags is tags and generator.dates is dates
        assert generator.categories is categories and generator.authors is authors
    assert len(_pages(generator, "generate_tags")) == len(terms)


def test_a_second_signal_does_not_wrap_the_methods_twice():
    articles, terms = _random_magazine(3)
    generator = _bare_generator(articles, terms)
    index_terms(generator)
    wrapped = generator.generate_tags
    index_terms(generator)
    assert generator.generate_tags is wrapped
    assert len(_pages(generator, "generate_tags")) == len(terms)


TERM_PAGE = (
    "{% for a in dates %}{{ a.title|safe }};{% endfor %}|{% for a in articles %}"
    "{{ a.title|safe }};{% endfor %}"
)


def test_tag_section_and_author_pages_are_those_pelican_writes_without_the_plugin(make_site):
    files = {
        f"articles/{n}.md": header(
            title=f"Piece {n}",
            date=f"2026-0{1 + n % 9}-0{1 + n % 3}",
            category=("Analysis", "Reporting", "Review")[n % 3],
            authors=("Ana Ortiz", "Ana Ortiz, Samuel Hale", "Samuel Hale")[n % 3 - 1],
            tags=", ".join(("Energy", "Trade", "Grain", "Ports")[: 1 + n % 4]),
        )
        for n in range(1, 13)
    }
    templates = {f"{kind}.html": TERM_PAGE for kind in ("tag", "category", "author")}

    def term_pages(output):
        return {
            path.relative_to(output).as_posix(): path.read_bytes()
            for kind in ("tag", "section", "author")
            for path in (output / kind).rglob("*.html")
        }

    with_plugin = term_pages(make_site(files, plugins=["kiosk_termindex"], templates=templates))
    firsts = {path for path in with_plugin if path.count("/") == 2}  # not page 2, 3…
    assert len(firsts) == 4 + 3 + 2  # tags, sections, authors
    assert (
        with_plugin["tag/ports/index.html"]
        == b"Piece 7;Piece 3;Piece 11;|Piece 7;Piece 3;Piece 11;"
    )
    assert with_plugin == term_pages(make_site(files, plugins=[], templates=templates))


class Translated:
    """What process_translations reads of an article."""

    def __init__(self, number, slug, lang, translation):
        self.slug, self.lang, self.source_path = slug, lang, f"articles/{number}.md"
        self.metadata = {} if translation is None else {"translation": translation}
        self.in_default_lang = lang == "en"


def pieces(spec):
    return [Translated(number, *fields) for number, fields in enumerate(spec)]


def outcome(process, spec, translation_id, caplog, monkeypatch):
    """What ``process`` returns and leaves behind, by item number, and what it logs."""
    items = pieces(spec)
    caplog.clear()
    # Pelican's log filter drops a message it has seen: both calls start afresh.
    monkeypatch.setattr(LimitFilter, "_raised_messages", set())
    monkeypatch.setattr(LimitFilter, "_group_count", defaultdict(int))
    index, translations = process(items, translation_id)
    number = {id(item): int(item.source_path.split("/")[1][:-3]) for item in items}
    return (
        [number[id(x)] for x in index],
        [number[id(x)] for x in translations],
        [number[id(x)] for x in items],  # both sort the list in place
        {number[id(x)]: [number[id(t)] for t in getattr(x, "translations", [])] for x in items},
        [record.getMessage() for record in caplog.records],
    )


# caplog and Pelican's log filter are reset by outcome() before each call.
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    spec=st.lists(
        st.tuples(
            st.sampled_from(["summit", "grain", "talks", "vote"]),
            st.sampled_from(["en", "fr", "de"]),
            st.sampled_from([None, "true", "false"]),
        ),
        max_size=12,
    ),
    translation_id=st.sampled_from(["slug", ("slug",), None]),
)
def test_translations_found_a_group_at_a_time_are_pelicans(
    spec, translation_id, caplog, monkeypatch
):
    assert outcome(per_group, spec, translation_id, caplog, monkeypatch) == outcome(
        process_translations, spec, translation_id, caplog, monkeypatch
    )


def test_every_generator_finds_translations_a_group_at_a_time(make_site):
    make_site({"articles/a.md": header("Body.", title="One", date="2024-05-01 10:00")},
              plugins=["kiosk_termindex"])  # fmt: skip
    assert generators_module.process_translations is per_group
