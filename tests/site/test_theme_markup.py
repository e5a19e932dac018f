"""The theme's markup on the built sample magazine, read with BeautifulSoup:
what readers (and their assistive technology) get on every page kind.

`pages_by_kind` is shared with the browser, accessibility and validity tests:
every page says its kind in ``<body class="page-…">``.
"""

import gzip
import re
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.site

# The page kinds of CONTENT.md's URL table, as base.html names them.
KINDS = ("home", "article", "latest", "section", "region", "column", "series",
         "author", "tag", "static", "notfound")  # fmt: skip
BUDGET_GZIP = 40 * 1024  # an article page's HTML + CSS + JS, images excluded


@cache
def _scan(site):
    kinds = {}
    for path in sorted(Path(site).rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("drafts/", "pagefind/")):
            continue
        head = path.read_text(encoding="utf-8")[:20000]
        found = re.search(r'<body class="page-([a-z]+)', head)
        if found:
            kinds.setdefault(found.group(1), []).append(rel)
    return kinds


def pages_by_kind(site):
    """``{kind: [path relative to the site, …]}`` for every page kind."""
    return _scan(Path(site))


def url_path(rel):
    """The URL path a reader types for an output file."""
    return "/" + rel.removesuffix("index.html")


def showcase_article(site):
    """An article that shows everything: series box, related teasers, top image."""
    for rel in pages_by_kind(site)["article"]:
        html = (Path(site) / rel).read_text(encoding="utf-8")
        if 'class="series-box"' in html and "teaser__title" in html and "figure--top" in html:
            return rel
    raise AssertionError("no article with a series box, related teasers and a top image")


def article_with_a_text_only_teaser(site):
    """An article whose related stories have teasers with and without an image."""
    for rel in pages_by_kind(site)["article"]:
        pictured = [t.select_one(".teaser__figure") is not None
                    for t in soup_of(site, rel).select(".related .teaser")]  # fmt: skip
        if any(pictured) and not all(pictured):
            return rel
    raise AssertionError("no article with related teasers both with and without an image")


def representative(site):
    """One page per kind (first page of each listing), article = showcase."""
    kinds = pages_by_kind(site)
    chosen = {kind: sorted(kinds[kind], key=lambda r: (r.count("/"), r))[0] for kind in kinds}
    chosen["article"] = showcase_article(site)
    return chosen


def soup_of(site, rel):
    return BeautifulSoup((Path(site) / rel).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def site(built_site):
    return built_site


@pytest.fixture(scope="module")
def article(site):
    return soup_of(site, showcase_article(site))


# --- Every page kind --------------------------------------------------------------


def test_every_page_kind_is_built(site):
    assert set(KINDS) <= set(pages_by_kind(site)), sorted(pages_by_kind(site))


@pytest.mark.parametrize("kind", KINDS)
def test_shell_has_skip_link_landmarks_and_one_h1(site, kind):
    soup = soup_of(site, representative(site)[kind])
    skip = soup.select_one("body > a.skip-link")
    assert skip is not None and skip["href"] == "#main"
    assert soup.select_one("main#main") is not None
    assert soup.select_one("header.site-header nav[aria-label=Primary]") is not None
    assert soup.select_one("footer.site-footer") is not None
    assert len(soup.find_all("h1")) == 1
    assert soup.html.get("lang")
    assert soup.title and soup.title.get_text(strip=True)


@pytest.mark.parametrize("kind", KINDS)
def test_no_inline_script_style_or_handler(site, kind):
    """A strict Content-Security-Policy will forbid inline code."""
    soup = soup_of(site, representative(site)[kind])
    for script in soup.find_all("script"):
        is_data = script.get("type") == "application/ld+json"
        assert script.get("src") or is_data, script
        if script.get("src") and "kiosk.js" in script["src"]:
            assert script.has_attr("defer")
    assert not soup.find_all("style")
    assert not soup.select("[style]")
    handlers = [(el.name, a) for el in soup.find_all(True) for a in el.attrs if a.startswith("on")]
    assert handlers == []


@pytest.mark.parametrize("kind", KINDS)
def test_every_image_has_dimensions_and_alt(site, kind):
    soup = soup_of(site, representative(site)[kind])
    for img in soup.find_all("img"):
        assert img.get("width") and img.get("height"), img
        assert img.has_attr("alt"), img


@pytest.mark.parametrize("kind", KINDS)
def test_no_third_party_requests(site, kind):
    """Only links may leave the site; stylesheets, scripts and images never do."""
    soup = soup_of(site, representative(site)[kind])
    loaded = [el.get("src") for el in soup.select("script[src], img[src], source[src]")]
    loaded += [el["href"] for el in soup.select("link[rel~=stylesheet], link[rel~=preload]")]
    assert [u for u in loaded if re.match(r"(https?:)?//", u or "")] == []


def test_primary_navigation(site):
    soup = soup_of(site, representative(site)["home"])
    nav = soup.select_one("nav.primary-nav")
    # Without JavaScript the phone menu is a native disclosure.
    assert nav.find_parent("details", class_="nav-menu").summary.get_text(strip=True) == "Menu"
    hrefs = [a["href"] for a in nav.find_all("a")]
    assert any(h.startswith("/section/") for h in hrefs)
    assert "/column/qiosk/" in hrefs
    assert "/search/" in hrefs
    regions = nav.select_one("details.regions-menu")
    assert regions.summary.get_text(strip=True) == "Regions"
    assert all(a["href"].startswith("/region/") for a in regions.find_all("a"))
    strip = soup.select_one(".social-strip")
    assert "Follow us on social" in strip.get_text()


def test_footer_links(site):
    footer = soup_of(site, representative(site)["home"]).select_one("footer.site-footer")
    hrefs = {a["href"] for a in footer.find_all("a")}
    assert {"/about/", "/masthead/", "/privacy/"} <= hrefs
    assert "/feeds/latest.atom.xml" in hrefs
    assert "https://bsky.app/profile/kioskmagazine.bsky.social" in hrefs
    assert footer.select_one(".newsletter form input[type=email]") is not None


# --- Home ---------------------------------------------------------------------


def test_home_lead_cards_rails_and_bands(site):
    soup = soup_of(site, representative(site)["home"])
    lead = soup.select_one(".home-lead .story--lead")
    assert lead.select_one(".kicker a") and lead.select_one("h2 a") and lead.select_one(".byline")
    lead_img = lead.select_one("img")
    assert lead_img is not None and lead_img.get("loading") != "lazy"
    assert 3 <= len(soup.select(".home-stories .story--card")) <= 6
    assert soup.select_one("#rail-latest").get_text(strip=True).startswith("Latest")
    assert soup.select_one("#rail-qiosk").get_text(strip=True).startswith("QiOSK")
    assert soup.select(".rail .story--rail time[datetime]")
    bands = soup.select(".band")
    assert bands and all(b.select_one(".band__title a[href^='/region/']") for b in bands)
    # Images further down the page wait until the reader scrolls to them.
    band_imgs = soup.select(".band img")
    assert band_imgs and all(img.get("loading") == "lazy" for img in band_imgs)


# --- Article ------------------------------------------------------------------


def test_article_header(article):
    kicker = article.select(".article__header .kicker a")
    assert len(kicker) == 2
    assert kicker[0]["href"].startswith("/section/")
    assert re.match(r"^/(region|column)/", kicker[1]["href"])
    assert article.select_one("h1#article-title").get_text(strip=True)
    assert article.select_one(".article__dek").get_text(strip=True)
    bylines = article.select(".article__meta .byline a[rel=author]")
    assert bylines and all(a["href"].startswith("/author/") for a in bylines)
    assert article.select_one(".article__meta time[datetime]") is not None
    assert "min read" in article.select_one(".article__reading").get_text()


def test_article_updated_date(site):
    updated = [rel for rel in pages_by_kind(site)["article"]
               if soup_of(site, rel).select_one(".dateline__updated time[datetime]")]  # fmt: skip
    assert updated, "no article shows an 'Updated …' date"
    text = soup_of(site, updated[0]).select_one(".dateline__updated").get_text(" ", strip=True)
    assert text.startswith("· Updated")


def test_article_top_image_figure(article):
    figure = article.select_one("figure.figure--top")
    img = figure.select_one("img")
    assert img.get("loading") != "lazy" and img.get("fetchpriority") == "high"
    assert img.get("srcset") and img.get("sizes")
    assert figure.select_one("figcaption .caption").get_text(strip=True)
    assert figure.select_one("figcaption .credit").get_text(strip=True)


def test_article_series_box(article):
    box = article.select_one("nav.series-box")
    assert re.fullmatch(r"Part \d+ of \d+", box.select_one(".series-box__part").get_text())
    entries = box.select("ol li a")
    current = [a for a in entries if a.get("aria-current") == "page"]
    assert len(entries) >= 2 and len(current) == 1
    assert box.select_one(".series-box__title a")["href"].startswith("/series/")


def test_article_share_links_are_plain(article):
    # Named "Share on X", not "X": out of context (a screen reader's list of
    # links) a share link is not the header's link to follow Kiosk on X.
    links = {a.get_text(" ", strip=True): a["href"] for a in article.select(".share a")}
    assert set(links) == {"Link to this story", "Share by Email", "Share on X",
                          "Share on Bluesky", "Share on LinkedIn"}  # fmt: skip
    assert links["Share by Email"].startswith("mailto:")
    assert links["Share on X"].startswith("https://x.com/intent/")
    assert links["Share on Bluesky"].startswith("https://bsky.app/intent/compose")
    assert links["Share on LinkedIn"].startswith("https://www.linkedin.com/sharing/")
    visible = [a.find(string=True, recursive=False) for a in article.select(".share a")]
    assert visible == ["Link to this story", "Email", "X", "Bluesky", "LinkedIn"]


def test_article_newsletter_and_preferred_source(article):
    assert article.select_one(".article__main .newsletter form input[type=email]")
    cta = article.select_one(".preferred-source a")
    assert cta["href"].startswith("https://www.google.com/preferences/source")


def test_related_teasers(article):
    teasers = article.select(".related .teaser")
    assert 3 <= len(teasers) <= 4
    for teaser in teasers:
        assert teaser.select_one(".teaser__label").get_text(strip=True)
        title = teaser.select_one(".teaser__title a")
        assert title.get_text(strip=True)
        credit = teaser.select_one(".teaser__figure .credit")
        if credit is not None:
            assert re.match(r"Top (photo|image) credit: \S", credit.get_text(strip=True))
        assert teaser.select_one("img").get("loading") == "lazy"
        # Without JavaScript: a plain link to the story, the excerpt hidden.
        keep = teaser.select_one("a.keep-reading")
        assert keep["href"] == title["href"]
        assert keep.get_text(" ", strip=True).startswith("keep reading")
        excerpt = article.find(id=keep["data-expands"])
        assert excerpt.has_attr("hidden") and len(excerpt.find_all("p")) >= 2


def test_image_credit_kinds_in_teasers(site):
    credits = {c.get_text(strip=True).split(":")[0]
               for rel in pages_by_kind(site)["article"]
               for c in soup_of(site, rel).select(".teaser__figure .credit")}  # fmt: skip
    assert "Top photo credit" in credits


# --- Listings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["latest", "section", "region", "column", "series", "author", "tag"]
)
def test_listing_heading_and_cards(site, kind):
    soup = soup_of(site, representative(site)[kind])
    assert soup.select_one("h1.listing__title").get_text(strip=True)
    cards = soup.select(".list-grid .story--list")
    assert 1 <= len(cards) <= 10
    for card in cards:
        assert card.select_one(".story__title a")["href"].startswith("/")
        assert card.select_one("time[datetime]")


@pytest.mark.parametrize("kind", ["section", "region", "column"])
def test_listing_description_and_feed(site, kind):
    soup = soup_of(site, representative(site)[kind])
    assert soup.select_one(".listing__description p").get_text(strip=True)
    assert soup.select_one(".listing__feed a")["href"].endswith(".atom.xml")


def test_author_profile(site):
    soup = soup_of(site, representative(site)["author"])
    profile = soup.select_one(".profile")
    assert profile.select_one(".profile__photo img[width][height]")
    assert profile.select_one(".profile__bio p")
    assert profile.select(".profile__links a")
    assert soup.select_one(".profile__role").get_text(strip=True)


def test_pagination_numbers_rel_and_current(site):
    page2 = "latest/2/index.html"
    assert (Path(site) / page2).exists(), "the sample needs more than ten articles"
    soup = soup_of(site, page2)
    nav = soup.select_one("nav.pagination")
    current = nav.select('a[aria-current="page"]')
    assert len(current) == 1 and current[0]["href"] == "/latest/2/"
    assert nav.select_one("a[rel=prev]")["href"] == "/latest/"
    assert soup.select_one("head link[rel=prev]")["href"] == "/latest/"
    numbers = [a.get_text(" ", strip=True) for a in nav.select("a:not([rel])")]
    assert numbers[:2] == ["Page 1", "Page 2"]
    # First, last, the current page and its neighbours (kiosk_pagination): a
    # deep archive gets a gap, not a link to every page.
    last = max(int(p.name) for p in (Path(site) / "latest").iterdir() if p.name.isdigit())
    assert numbers[-1] == f"Page {last}" and len(numbers) <= 9
    first = soup_of(site, "latest/index.html")
    assert first.select_one("head link[rel=next]")["href"] == "/latest/2/"
    assert first.select_one("head link[rel=prev]") is None


# --- 404 ----------------------------------------------------------------------


def test_not_found_page_helps(site):
    soup = soup_of(site, "404.html")
    form = soup.select_one("form[role=search]")
    assert form["action"] == "/search/" and form.select_one("input[name=q]")
    links = [a["href"] for a in soup.select(".notfound a")]
    assert any(h.startswith("/section/") for h in links)
    assert any(h.startswith("/region/") for h in links)


# --- Weight ---------------------------------------------------------------------


def page_weight(site, rel):
    """Gzipped bytes of a page's HTML plus the stylesheets and scripts it loads."""
    soup = soup_of(site, rel)
    files = [Path(site) / rel]
    for el in soup.select("link[rel~=stylesheet][href], script[src]"):
        url = el.get("href") or el.get("src")
        if url.startswith("/"):
            files.append(Path(site) / url.lstrip("/"))
    return {f.relative_to(site).as_posix(): len(gzip.compress(f.read_bytes(), 9)) for f in files}


def test_article_page_weight_budget(site):
    weights = page_weight(site, showcase_article(site))
    print("article page weight (gzip):", weights, sum(weights.values()))
    assert sum(weights.values()) <= BUDGET_GZIP, weights


@pytest.mark.parametrize("kind", ["home", "article", "region", "author"])
def test_feeds_are_advertised_once(site, kind):
    soup = soup_of(site, representative(site)[kind])
    hrefs = [link["href"] for link in soup.select("head link[rel=alternate]")]
    assert len(hrefs) == len(set(hrefs)), hrefs
    types = {link["type"] for link in soup.select("head link[rel=alternate]")}
    assert {"application/atom+xml", "application/rss+xml", "application/feed+json"} <= types


def test_the_navigation_marks_the_page_itself_as_current_and_an_articles_section_as_the_place(
    site,
):
    # "Reporting, current page" read out on a Reporting article would be untrue.
    for kind, rel in representative(site).items():
        header = soup_of(site, rel).select_one("header.site-header")
        for link in header.select('a[aria-current="page"]'):
            assert link["href"] == url_path(rel), (kind, link["href"])
    article = soup_of(site, representative(site)["article"])
    section = article.select_one(".kicker a")
    place = article.select_one("header.site-header").select('a[aria-current="true"]')
    assert [a["href"] for a in place] == [section["href"]]
