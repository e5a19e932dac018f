"""kiosk_termindex: term pages list the same articles, found by set lookup."""

from bs4 import BeautifulSoup

from kiosk_termindex import TermArticles
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
