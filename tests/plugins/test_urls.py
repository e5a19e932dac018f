"""kiosk_urls: an article's url and save_as, worked out once per build, are Pelican's."""

import types

import jinja2
import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from pelican import signals
from pelican.contents import Page
from pelican.settings import DEFAULT_CONFIG

import kiosk_urls
from kiosk_content import every_article
from tests.plugins.conftest import build_site, header


def piece(title, slug, day, section, status=None):
    return header(f"{title}, in a sentence.", title=title, slug=slug, date=f"2024-03-0{day} 10:00",
                  section=section, status=status)  # fmt: skip


FILES = {
    "articles/2024/summit.md": piece("Summit ends", "summit-ends", 1, "Analysis"),
    "articles/2024/ports.md": piece("Ports", "ports", 2, "Reporting", status="draft"),
    "articles/2024/quiet.md": piece("Quiet", "quiet", 3, "Analysis", status="hidden"),
}


def test_every_article_is_written_where_pelican_would_write_it(make_site):
    seen = {}

    def check(generator):
        pelican = kiosk_urls._pelican_get_url_setting
        for article in every_article(generator):
            assert article in kiosk_urls._memo, f"{article.slug} is not answered from the memo"
            first = article.url
            assert article.url is first, "worked out again"
            assert first == pelican(article, "url")
            assert article.save_as == pelican(article, "save_as")
            seen[article.slug] = (article.url, article.save_as)

    # A plugin of this test's own, connected after kiosk_urls.
    probe = types.ModuleType("probe")
    probe.register = lambda: signals.article_generator_finalized.connect(check)
    output = make_site(FILES, plugins=["kiosk_urls", probe])

    assert seen == {"summit-ends": ("summit-ends/", "summit-ends/index.html"),
                    "ports": ("drafts/ports/", "drafts/ports/index.html"),
                    "quiet": ("quiet/", "quiet/index.html")}  # fmt: skip
    for _, save_as in seen.values():
        assert (output / save_as).is_file()


def test_outside_a_build_an_article_s_url_follows_its_slug():
    kiosk_urls.register()
    settings = {**DEFAULT_CONFIG, "PAGE_URL": "{slug}/", "PAGE_SAVE_AS": "{slug}/index.html"}
    article = Page("Body", metadata={"title": "T", "slug": "before"}, settings=settings)
    assert article.url == "before/"
    article.slug = "after"
    assert article.url == "after/" and article.save_as == "after/index.html"


def test_a_build_starts_with_none_of_the_last_build_s_articles(make_site, tmp_path):
    kept = []

    def keep(generator):
        kept.extend(every_article(generator))

    probe = types.ModuleType("probe")
    probe.register = lambda: signals.article_generator_finalized.connect(keep)
    make_site(FILES, plugins=["kiosk_urls", probe])
    first = list(kept)
    assert first and all(article in kiosk_urls._memo for article in first)

    build_site(tmp_path / "other", {"articles/a.md": FILES["articles/2024/quiet.md"]},
               plugins=["kiosk_urls"])  # fmt: skip

    assert not any(article in kiosk_urls._memo for article in first)


def test_a_rebuild_takes_each_unchanged_article_s_urls_from_its_read(make_site, tmp_path,
                                                                       monkeypatch):  # fmt: skip
    """With kiosk_readcache, the urls worked out last build are notes of each read:
    an unchanged file's are not worked out again, an edited one's are."""
    worked_out = []
    pelican = kiosk_urls._pelican_get_url_setting

    def counting(content, key):
        worked_out.append((content.slug, key))
        return pelican(content, key)

    monkeypatch.setattr(kiosk_urls, "_pelican_get_url_setting", counting)
    seen = {}

    def check(generator):
        seen.clear()
        for article in every_article(generator):
            assert article.url == pelican(article, "url")
            assert article.save_as == pelican(article, "save_as")
            seen[article.slug] = (article.url, article.save_as)

    probe = types.ModuleType("probe")
    probe.register = lambda: signals.article_generator_finalized.connect(check)
    settings = {"KIOSK_READCACHE": {"cache_path": str(tmp_path / "read")}}
    plugins = ["kiosk_readcache", "kiosk_urls", probe]
    make_site(FILES, plugins=plugins, settings=settings)
    first = dict(seen)
    assert {slug for slug, _ in worked_out} == {"summit-ends", "ports", "quiet"}

    worked_out.clear()
    moved = FILES["articles/2024/quiet.md"].replace("Slug: quiet", "Slug: quieter")
    make_site({"articles/2024/quiet.md": moved}, plugins=plugins, settings=settings)
    assert {slug for slug, _ in worked_out} == {"quieter"}  # the edited read only
    assert seen == {**{k: v for k, v in first.items() if k != "quiet"},
                    "quieter": ("quieter/", "quieter/index.html")}  # fmt: skip


# --- href(url), the theme's links ----------------------------------------------------
LINKS_PAGE = """{% for url in LINKS %}<a href="{{ href(url) }}">{{ loop.index }}</a>
{% endfor %}"""


def test_href_links_each_kind_of_url_from_any_template(make_site):
    """What each kind of URL becomes in a page built with the plugin: as the
    reader's browser and the link checker take it from the parsed page."""
    links = [
        "summit-ends/",
        "author/ana-ortiz/",
        "/search/",
        "https://example.org/a?b=1&c=2",
        "mailto:desk@kiosk.example",
        "https-everywhere/",
        "tag/r&d/",
        Markup("tag/r&amp;d/"),
    ]
    output = make_site(FILES, plugins=["kiosk_urls"],
                       settings={"SITEURL": "https://example.org/kiosk", "LINKS": links},
                       templates={"article.html": LINKS_PAGE})  # fmt: skip
    page = output / "summit-ends" / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in soup.select("a")] == [
        "/kiosk/summit-ends/", "/kiosk/author/ana-ortiz/", "/search/",
        "https://example.org/a?b=1&c=2", "mailto:desk@kiosk.example",
        # A slug that starts like a scheme is still a page of the site.
        "/kiosk/https-everywhere/", "/kiosk/tag/r&d/", "/kiosk/tag/r&d/"]  # fmt: skip


@pytest.mark.parametrize(
    "siteurl, expected",
    [
        ("", "/analysis/"),
        ("https://kiosk.example", "/analysis/"),
        ("https://example.org/kiosk", "/kiosk/analysis/"),
    ],
)
def test_href_is_the_path_of_siteurl_then_the_url(siteurl, expected):
    href = kiosk_urls.make_href({"SITEURL": siteurl})
    assert href("analysis/") == expected and isinstance(href("analysis/"), Markup)


THEME = jinja2.Environment(autoescape=True)
AS_IT_IS, IN_THE_SITE = THEME.from_string("{{ url }}"), THEME.from_string("/{{ url }}")


@given(st.one_of(st.text(), st.builds(Markup, st.text()), st.none()))
def test_href_writes_what_an_escaping_template_would(url):
    href = kiosk_urls.make_href({"SITEURL": "https://kiosk.example"})
    given = isinstance(url, str) and url.startswith(("https://", "http://", "mailto:", "/"))
    assert href(url) == (AS_IT_IS if given else IN_THE_SITE).render(url=url)
    assert isinstance(href(url), Markup)
