"""Markdown as editors write it (docs/editors.md), rendered by kiosk_markdown.

The body is CommonMark with tables, footnotes and smart punctuation; the
header is read as Pelican's Markdown reader read it. Checked on parsed HTML,
then on a tiny site where the summary, an intra-site link and the log are
what an editor meets.
"""

import logging
import os

import pelican.readers
import pytest
from bs4 import BeautifulSoup

from kiosk_markdown import split_header, to_html
from tests.plugins.conftest import header
from tests.sites import BRIEF, write_site


def soup(markdown):
    return BeautifulSoup(to_html(markdown), "html.parser")


# --- The header --------------------------------------------------------------------


def test_header_keys_are_lower_case_and_the_body_starts_after_the_blank_line():
    meta, body = split_header("Title: Grain deal\nREGION: Europe\n\nFirst paragraph.\n")
    assert meta == {"title": ["Grain deal"], "region": ["Europe"]}
    assert body == "First paragraph.\n"


def test_a_value_continues_on_lines_indented_four_spaces():
    meta, _ = split_header("Summary: One line\n    and the next.\nTags: A\n\nBody")
    assert meta == {"summary": ["One line", "and the next."], "tags": ["A"]}


def test_a_repeated_key_keeps_every_value():
    meta, _ = split_header("Authors: Ana Ortiz\nAuthors: Kenji Watanabe\n\nBody")
    assert meta == {"authors": ["Ana Ortiz", "Kenji Watanabe"]}


def test_a_header_between_dashes_ends_at_the_closing_line():
    meta, body = split_header("---\nTitle: Fenced\n---\nBody right after.")
    assert meta == {"title": ["Fenced"]}
    assert body == "Body right after."


def test_a_line_that_is_not_a_key_starts_the_body():
    meta, body = split_header("Title: T\nThis line has no key\nNor this.")
    assert meta == {"title": ["T"]}
    assert body == "This line has no key\nNor this."


def test_a_file_without_a_header_is_all_body():
    assert split_header("Just prose, no header.") == ({}, "Just prose, no header.")


# --- The body ----------------------------------------------------------------------


def test_paragraphs_subheadings_emphasis_and_links():
    page = soup("One *two* **three**.\n\n## Subhead\n\n[Kiosk](https://example.org/)")
    assert [p.get_text() for p in page.find_all("p")] == ["One two three.", "Kiosk"]
    assert page.select_one("p > em").get_text() == "two"
    assert page.select_one("p > strong").get_text() == "three"
    assert page.select_one("h2").get_text() == "Subhead"
    assert page.select_one("a")["href"] == "https://example.org/"


def test_lists_nest_by_two_spaces_and_may_follow_a_paragraph_directly():
    page = soup("Three points:\n- first\n  - detail\n- second\n\n3. three\n4. four")
    assert page.select_one("p").get_text() == "Three points:"
    items = [li.contents[0].strip() for li in page.select("ul > li")]
    assert items == ["first", "detail", "second"]
    assert page.select_one("ul > li > ul > li").get_text() == "detail"
    assert page.select_one("ol")["start"] == "3"


def test_smart_punctuation():
    text = soup('"Quoted," it\'s 1990--2000 --- and so on...').get_text()
    assert text.strip() == "\u201cQuoted,\u201d it\u2019s 1990\u20132000 \u2014 and so on\u2026"


def test_code_keeps_straight_quotes():
    assert soup('Run `say "hi"`.').select_one("code").get_text() == 'say "hi"'


def test_tables_align_with_styles_not_obsolete_attributes():
    page = soup("| Country | Tonnes |\n|:--|--:|\n| Ukraine | 1,200 |")
    assert [th.get_text() for th in page.select("table > thead th")] == ["Country", "Tonnes"]
    assert [td.get_text() for td in page.select("table > tbody td")] == ["Ukraine", "1,200"]
    assert page.select("[align]") == []
    assert page.select("td")[1]["style"].replace(" ", "").rstrip(";") == "text-align:right"


def test_footnotes_link_both_ways():
    page = soup("A disputed figure.[^1]\n\n[^1]: Ministry of Finance, 2024.")
    marker = page.select_one("p sup.footnote-ref a")
    note = page.select_one(f"section.footnotes li{marker['href']}")
    assert note.get_text().strip().startswith("Ministry of Finance, 2024.")
    back = note.select_one("a.footnote-backref")
    assert back["href"] == f"#{marker['id']}"
    assert back["aria-label"]


def test_raw_html_passes_through():
    page = soup('<aside class="box">\n\nA box.\n\n</aside>\n')
    assert page.select_one("aside.box > p").get_text() == "A box."


@pytest.mark.parametrize("link, href", [
    ("[budget]({filename}budget.md)", "{filename}budget.md"),
    ("[budget]({filename}../2024/budget.md#costs)", "{filename}../2024/budget.md#costs"),
    ("[map]({static}/images/map.png)", "{static}/images/map.png"),
    ("[budget](|filename|budget.md)", "|filename|budget.md"),
])  # fmt: skip
def test_intra_site_links_keep_pelicans_syntax(link, href):
    assert soup(f"See the {link}.").select_one("a")["href"] == href


def test_images_keep_alt_and_title_for_the_figure_plugin():
    image = soup('![Delegates](images/hall.jpg "The hall. | AP Photo/Name")').select_one("p > img")
    assert (image["src"], image["alt"], image["title"]) == (
        "images/hall.jpg", "Delegates", "The hall. | AP Photo/Name"
    )  # fmt: skip


# --- On a site -----------------------------------------------------------------------


def test_a_site_renders_bodies_and_summaries_and_links_between_pieces(
    tmp_path, make_site, caplog, monkeypatch
):
    caplog.set_level(logging.WARNING)
    # As where Python-Markdown is not installed (scripts/setup without --test).
    monkeypatch.setattr(pelican.readers.MarkdownReader, "enabled", False)
    write_site(tmp_path)
    files = {
        "articles/2024/budget.md": header(
            "The *budget* text, \"as tabled\".",
            **{**BRIEF, "Title": "The \"budget\" -- again & again", "Slug": "budget",
                                     "Summary": "A *short* summary."},
        ),
        "articles/2024/vote.markdown": header(
            "Read the [budget]({filename}budget.md) first.", **{**BRIEF, "Title": "Vote",
                                                                "Slug": "vote"},
        ),
    }  # fmt: skip
    article = (
        "<h1>{{ article.title|safe }}</h1><div class=summary>{{ article.summary|safe }}</div>"
        "<main>{{ article.content|safe }}</main>"
    )
    output = make_site(files, plugins=["kiosk_editorial"], templates={"article.html": article})

    def page(slug):
        html = (output / slug / "index.html").read_text(encoding="utf-8")
        return BeautifulSoup(html, "html.parser")

    # Typographic quotes and dashes in the headline (plain text) and the body.
    assert page("budget").h1.get_text() == "The \u201cbudget\u201d \u2014 again & again"
    assert page("budget").select_one("main > p").get_text().endswith("\u201cas tabled\u201d.")
    assert page("budget").select_one(".summary em").get_text() == "short"
    assert page("budget").select_one("main > p > em").get_text() == "budget"
    assert page("vote").select_one("main > p > a")["href"].rstrip("/").endswith("/budget")
    # No reader is missing: Python-Markdown is not installed, and nothing says so.
    assert [r.getMessage() for r in caplog.records if "markdown" in r.getMessage().lower()] == []


def resident_mb():
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_rendering_gives_its_memory_back():
    # cmarkgfm's own wrapper kept each body's tree and HTML (~38 kB a body):
    # a read worker of a 10,000-article build grew by 190 MB.
    body = "\n\n".join(f"## Part {i}\n\nA *long* \"paragraph\" with a [link](/x/) -- {i}." * 3
                       for i in range(60))  # fmt: skip
    to_html(body)
    before = resident_mb()
    for _ in range(2000):
        to_html(body)
    assert resident_mb() - before < 10
