"""kiosk_incremental: chrome shown on every page is rendered once per distinct values it reads,
and a story's card once for every listing that shows it.

A template writes ``{{ shared("nav.html") }}`` where it would include the
partial. Tiny sites in two sections; the test theme's navigation names the
current section, so it has three versions (none, Analysis, Reporting) however
many pages show it.
"""

import itertools
import logging

import pytest
from bs4 import BeautifulSoup
from pelican.log import FatalLogger

import kiosk_incremental
from kiosk_incremental.fingerprint import Fingerprints
from tests.plugins.conftest import header

NAV = "<nav>{{ SITENAME }}{% if category is defined %} / {{ category }}{% endif %}</nav>"
TEMPLATES = {
    "nav.html": NAV,
    "article.html": '{{ shared("nav.html") }}<h1>{{ article.title }}</h1>',
    "category.html": '{{ shared("nav.html") }}<h1>{{ category }}</h1>',
    "index.html": '{{ shared("nav.html") }}<ul>{% for a in articles %}<li>{{ a.title }}</li>'
    "{% endfor %}</ul>",
}
SECTIONS = ["Analysis", "Reporting", "Analysis", "Reporting", "Analysis"]


def article(n, section, title=None):
    return header("Body text.", title=title or f"Story {n}", date=f"2024-06-0{n + 1} 10:00",
                  category=section, authors="Ana Ortiz", slug=f"story-{n}")  # fmt: skip


def site(**titles):
    files = {"authors/ana-ortiz.md": header("Ana writes.", name="Ana Ortiz")}
    for n, section in enumerate(SECTIONS):
        files[f"articles/story-{n}.md"] = article(n, section, titles.get(f"story_{n}"))
    return files


@pytest.fixture
def build(make_site, tmp_path):
    def run(files, templates=TEMPLATES, **options):
        incremental = {"cache_path": str(tmp_path / "render-cache"), **options}
        return make_site(files, plugins=["kiosk_authors", "kiosk_incremental"],
                         templates=templates,
                         settings={"KIOSK_INCREMENTAL": incremental,
                                   "DIRECT_TEMPLATES": ["index"]})  # fmt: skip

    return run


def nav(output, path):
    return (output / path).read_text(encoding="utf-8").split("</nav>")[0] + "</nav>"


def test_a_partial_on_every_page_is_rendered_once_for_each_version_of_it(build):
    output = build(site())

    assert kiosk_incremental.last_shared["rendered"] == 3  # no section, Analysis, Reporting
    assert kiosk_incremental.last_shared["reused"] >= len(SECTIONS)
    assert nav(output, "story-0/index.html") == "<nav>Kiosk / Analysis</nav>"
    assert nav(output, "story-1/index.html") == "<nav>Kiosk / Reporting</nav>"
    assert nav(output, "story-4/index.html") == "<nav>Kiosk / Analysis</nav>"
    assert nav(output, "latest/index.html") == "<nav>Kiosk</nav>"


def test_pages_are_the_same_as_without_the_memo(build, tmp_path):
    shared = build(site())
    shared_pages = {p.relative_to(shared): p.read_bytes() for p in shared.rglob("*.html")}

    plain = build(site(), enabled=False)

    assert kiosk_incremental.last_shared == {}
    assert {p.relative_to(plain): p.read_bytes() for p in plain.rglob("*.html")} == shared_pages


def test_a_page_is_rendered_again_when_only_its_shared_partial_shows_the_change(build):
    newest = "<nav>{% for a in articles[:2] %}{{ a.title }};{% endfor %}</nav>"
    rail = {**TEMPLATES, "nav.html": newest}
    build(site(), templates=rail)

    output = build(site(story_4="Story 4, corrected"), templates=rail)

    # Story 0's own template reads only its article; the rail it shows reads
    # the newest stories, so its page is rendered again with the new title.
    assert nav(output, "story-0/index.html") == "<nav>Story 4, corrected;Story 3;</nav>"
    assert kiosk_incremental.last_stats["rendered"] >= len(SECTIONS)


def test_a_shared_partial_sees_the_page_context_not_the_callers_local_variables(build):
    calls = '{% for note in ["local"] %}{{ shared("note.html") }}{% endfor %}'
    templates = {**TEMPLATES, "note.html": "<nav>{{ note|default('context only') }}</nav>",
                 "article.html": calls}  # fmt: skip
    output = build(site(), templates=templates)
    assert nav(output, "story-0/index.html") == "<nav>context only</nav>"


def test_check_mode_fails_the_build_on_a_kept_text_whose_key_missed_a_value(build, monkeypatch):
    monkeypatch.setattr(Fingerprints, "of", lambda self, value: "blind")
    # Errors are fatal, as `invoke build` runs Pelican (tasks.build_site).
    monkeypatch.setattr(FatalLogger, "fatal_lvl", logging.ERROR)

    with pytest.raises(RuntimeError):
        build(site(), check=True)

    assert "nav.html" in kiosk_incremental.last_mismatches


# --- shared_call: a macro called once per build for the same arguments ---------------
CARD = ('{% macro card(a, variant, lazy=true) %}<article class="{{ variant }}">'
        '<a href="{{ href(a.url) if href is defined else a.url }}">{{ a.title }}</a>'
        '{% if lazy %} lazy{% endif %}</article>{% endmacro %}')  # fmt: skip
LISTING = ('{% from "card.html" import card %}{{ shared("nav.html") }}'
           '{% for a in articles %}{{ shared_call(card, a, "list", lazy=loop.index > 1) }}'
           '{% endfor %}')  # fmt: skip
CARDS = {**TEMPLATES, "card.html": CARD, "index.html": LISTING, "category.html": LISTING}


def cards(output, path):
    page = BeautifulSoup((output / path).read_text(encoding="utf-8"), "html.parser")
    return [(a.a.get_text(), a.get_text().endswith("lazy")) for a in page.select("article")]


def test_a_story_s_card_is_made_once_for_every_listing_that_shows_it(build):
    output = build(site(), templates=CARDS)

    # The latest page and the author's (Pelican's simple author.html extends
    # index.html) show the five stories, the newest eager; each section's page
    # its own, its newest eager. Only Reporting's eager Story 3 is new there.
    assert kiosk_incremental.last_shared["calls_made"] == 5 + 1
    assert kiosk_incremental.last_shared["calls_reused"] == 5 + 4
    every = [("Story 4", False), ("Story 3", True), ("Story 2", True), ("Story 1", True),
             ("Story 0", True)]  # fmt: skip
    assert cards(output, "latest/index.html") == every
    assert cards(output, "author/ana-ortiz/index.html") == every
    assert cards(output, "section/reporting/index.html") == [("Story 3", False),
                                                             ("Story 1", True)]  # fmt: skip


def test_listings_with_shared_cards_are_the_pages_made_without_the_memo(build):
    shared = build(site(), templates=CARDS)
    shared_pages = {p.relative_to(shared): p.read_bytes() for p in shared.rglob("*.html")}

    plain = build(site(), templates=CARDS, enabled=False)

    assert {p.relative_to(plain): p.read_bytes() for p in plain.rglob("*.html")} == shared_pages


def test_a_call_whose_arguments_cannot_be_a_key_is_made_each_time(build):
    listing = LISTING.replace('"list"', '["list"]')
    card = CARD.replace('class="{{ variant }}"', 'class="{{ variant|join }}"')
    output = build(site(), templates={**CARDS, "card.html": card, "index.html": listing,
                                      "category.html": listing})  # fmt: skip
    assert kiosk_incremental.last_shared["calls_made"] == 0
    assert len(cards(output, "latest/index.html")) == len(SECTIONS)


def test_check_mode_fails_the_build_on_a_shared_call_that_reads_more_than_its_arguments(
    make_site, tmp_path, monkeypatch
):
    monkeypatch.setattr(FatalLogger, "fatal_lvl", logging.ERROR)
    ticking = CARD.replace("</article>", " {{ tick() }}</article>")
    with pytest.raises(RuntimeError):
        make_site(site(), plugins=["kiosk_authors", "kiosk_incremental"],
                  templates={**CARDS, "card.html": ticking},
                  settings={"KIOSK_INCREMENTAL": {"cache_path": str(tmp_path / "cache"),
                                                  "check": True},
                            "DIRECT_TEMPLATES": ["index"],
                            "JINJA_GLOBALS": {"tick": itertools.count().__next__}})  # fmt: skip

    assert "card" in kiosk_incremental.last_mismatches
