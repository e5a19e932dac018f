"""kiosk_figures: captioned figures, pull quotes, author notes, top image, variants.

Pure functions first (caption rules, the body transform, image planning and the
variant cache), then tiny sites read the way a browser would.
"""

import html
import io
import os
from functools import partial

import pytest
import smartypants
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import kiosk_figures.generator
import kiosk_figures.images
import kiosk_html
from kiosk_figures import resolve_image
from kiosk_figures.body import (
    minutes_for,
    reading_minutes,
    reading_minutes_soup,
    transform_body,
    transform_body_soup,
)
from kiosk_figures.credits import split_caption, typographic
from kiosk_figures.images import ResponsiveImage, plan_image, render_all
from kiosk_figures.settings import figure_settings
from kiosk_figures.top_image import build_top_image
from tests.plugins.conftest import header
from tests.plugins.test_html import fragments
from tests.sites import tree_digest


def jpeg_bytes(width, height):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 90, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def no_files(src):
    return None


def soup_of(html):
    return BeautifulSoup(html, "html.parser")


# --- Caption and credit -----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "caption", "credit"),
    [
        (
            "The hall before the session. | AP Photo/Name",
            "The hall before the session.",
            "AP Photo/Name",
        ),
        ("Trucks at dawn. REUTERS/Jane Doe", "Trucks at dawn.", "REUTERS/Jane Doe"),
        ("Workers unload grain. AP Photo/J. Smith", "Workers unload grain.", "AP Photo/J. Smith"),
        (
            "Police stand guard. John Moore/Getty Images",
            "Police stand guard.",
            "John Moore/Getty Images",
        ),
        ("Near U.S. bases. AFP/Getty Images", "Near U.S. bases.", "AFP/Getty Images"),
        ("A shop front. Shutterstock", "A shop front.", "Shutterstock"),
        ("The harbour at night. Photo by Ana Ortiz", "The harbour at night.", "Photo by Ana Ortiz"),
        ("Plain caption. Nothing more to say.", "Plain caption. Nothing more to say.", ""),
    ],
)
def test_caption_and_credit_are_split(title, caption, credit):
    assert split_caption(title) == (caption, credit)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab .-'\"`\\&;<>|\u2019", "&quot;", "&amp;"])).map("".join))
def test_typographic_skips_smartypants_only_when_it_would_change_nothing(text):
    # The attributes Pelican gives smartypants (TYPOGRIFY_DASHES "default", &quot; too).
    smartypants.Attr.default = smartypants.Attr.set1 | smartypants.Attr.w
    assert typographic(text) == (html.unescape(smartypants.smartypants(text)) if text else text)


# --- Body transform ---------------------------------------------------------------

BODY_IMAGE = (
    '<p>Intro.</p>\n<p><img alt="Delegates in the hall" src="images/hall.jpg" '
    'title="The hall before the session. | AP Photo/Name"></p>\n<p>More.</p>'
)


def test_body_image_becomes_a_figure_with_separate_caption_and_credit():
    soup = soup_of(transform_body(BODY_IMAGE, no_files).html)
    figure = soup.select_one("figure.figure")
    assert figure.select_one("img")["alt"] == "Delegates in the hall"
    assert figure.select_one("figcaption .caption").get_text() == "The hall before the session."
    assert figure.select_one("figcaption .credit").get_text() == "AP Photo/Name"
    assert soup.select("p > img") == []
    assert not figure.img.has_attr("title")
    assert figure.img["loading"] == "lazy"


def test_agency_credit_without_pipe_is_split_too():
    html = '<p><img alt="Trucks" src="a.jpg" title="Trucks at dawn. REUTERS/Jane Doe"></p>'
    soup = soup_of(transform_body(html, no_files).html)
    assert soup.select_one("figure > figcaption .credit").get_text() == "REUTERS/Jane Doe"
    assert soup.select_one("figure > figcaption .caption").get_text() == "Trucks at dawn."


def test_captions_get_typographic_quotes_like_the_body():
    html = '<p><img alt="Camp" src="a.jpg" title="Ontario\'s camp. | Photo by Pat O\'Neil"></p>'
    soup = soup_of(transform_body(html, no_files).html)
    assert soup.select_one("figcaption .caption").get_text() == "Ontario\u2019s camp."
    assert soup.select_one("figcaption .credit").get_text() == "Photo by Pat O\u2019Neil"


def test_image_without_title_is_a_figure_without_caption_but_keeps_alt():
    html = '<p><img alt="A map of the strait" src="map.png"></p>'
    soup = soup_of(transform_body(html, no_files).html)
    assert soup.select_one("figure > img")["alt"] == "A map of the strait"
    assert soup.select("figcaption") == []


def test_image_inside_a_sentence_stays_inline():
    html = '<p>The flag <img alt="flag" src="flag.png"> flew.</p>'
    soup = soup_of(transform_body(html, no_files).html)
    assert soup.select("figure") == []
    assert soup.select_one("p > img")["alt"] == "flag"


def test_local_image_gets_site_url_size_and_srcset():
    image = ResponsiveImage(
        src="https://kiosk.example/images/hall.jpg",
        width=1600,
        height=900,
        srcset="https://kiosk.example/images/_v/x-480.jpg 480w",
        sizes="100vw",
    )
    body = transform_body(BODY_IMAGE, lambda src: image)
    img = soup_of(body.html).select_one("figure > img")
    assert img["src"] == "https://kiosk.example/images/hall.jpg"
    assert (img["width"], img["height"]) == ("1600", "900")
    assert img["srcset"] == "https://kiosk.example/images/_v/x-480.jpg 480w"
    assert img["sizes"] == "100vw"
    assert body.images == (image,)


def test_pullquote_marker_becomes_a_class():
    html = "<blockquote>\n<p>[!pullquote]\nTalks need both sides.</p>\n</blockquote>"
    quote = soup_of(transform_body(html, no_files).html).select_one("blockquote.pullquote")
    assert quote.get_text(strip=True) == "Talks need both sides."


def test_ordinary_blockquote_is_left_alone():
    html = "<blockquote><p>A quoted source.</p></blockquote>"
    soup = soup_of(transform_body(html, no_files).html)
    assert soup.select(".pullquote") == []


def test_only_a_final_em_dash_paragraph_is_an_author_note():
    html = "<p>\u2014 not a note, it is not last.</p><p>Body.</p><p>\u2014 Ana Ortiz, fellow.</p>"
    notes = soup_of(transform_body(html, no_files).html).select("p.author-note")
    assert [n.get_text() for n in notes] == ["\u2014 Ana Ortiz, fellow."]


def test_reading_time_rounds_up_and_is_at_least_one_minute():
    assert reading_minutes("<p>Short.</p>", 230) == 1
    assert reading_minutes("<p>" + "word " * 461 + "</p>", 230) == 3


# --- The fast path gives BeautifulSoup's result, byte for byte --------------------
#
# transform_body and reading_minutes read plain HTML with kiosk_html and fall
# back to BeautifulSoup (transform_body_soup, reading_minutes_soup: the code
# they replaced) for anything else. Each input below is read by the fast path
# (asserted), and both paths must agree on the HTML, the images and the minutes.

HALL = ResponsiveImage(
    src="https://kiosk.example/images/hall.jpg",
    width=1600,
    height=900,
    srcset="https://kiosk.example/images/_v/x-480.jpg 480w",
    sizes="100vw",
)


def some_files(src):
    """Local images resolve, external ones (http...) and anchors do not."""
    return None if src.startswith(("http", "#")) else HALL


def assert_fast_path_matches_soup(html):
    assert kiosk_html.parse(html) is not None, "expected the fast path to read this body"
    fast, slow = transform_body(html, some_files), transform_body_soup(html, some_files)
    assert (fast.html, fast.images) == (slow.html, slow.images)
    expected_minutes = reading_minutes_soup(slow.html, 5)
    assert minutes_for(fast.words, 5) == expected_minutes
    assert reading_minutes(fast.html, 5) == expected_minutes


EDGE_BODIES = {
    "figure inside a list item": (
        '<ol>\n<li>\n<p><img alt="x" src="a.jpg" title="The hall. | AP Photo/Name"></p>\n'
        "</li>\n</ol>"
    ),
    "image in a link, whitespace around": (
        '<p>\n<a href="/big.jpg">\n<img alt="x" src="a.jpg" title="Cap"> </a>\n</p>'
    ),
    "image beside a comment": '<p><!-- credit checked --><img alt="x" src="a.jpg" title="T"></p>',
    "image beside a blank comment": '<p><!----><img alt="x" src="a.jpg"></p>',
    "two images in one paragraph stay inline": (
        '<p><img alt="a" src="a.jpg"><img alt="b" src="b.jpg"></p>'
    ),
    "external image": '<p><img alt="x" src="https://cdn.example/x.jpg" title="Far. | AFP"></p>',
    "image with its own loading and class": (
        '<p><img alt="x" class="wide  shot" loading="eager" src="a.jpg"></p>'
    ),
    "entities in caption and alt": (
        '<p><img alt="Tom &amp; Jerry &#8217;s" src="a.jpg" '
        'title="&quot;Quoted&quot; &lt;b&gt; &amp; more. | Photo by Ann O&#39;Hara"></p>'
    ),
    "image at the top level": '<img alt="x" src="a.jpg" title="T">',
    "image in a heading": '<h2><img alt="x" src="a.jpg"></h2>',
    "pullquote": "<blockquote>\n<p>[!pullquote]\nTalks need both sides.</p>\n</blockquote>",
    "pullquote marker alone empties its paragraph": (
        "<blockquote>\n<p>[!pullquote]</p>\n<p>The quote.</p>\n</blockquote>"
    ),
    "pullquote marker in emphasis": (
        "<blockquote><p><em>[!PullQuote] Said</em> she.</p></blockquote>"
    ),
    "pullquote marker after a comment": "<blockquote><p><!-- x -->[!pullquote] Q</p></blockquote>",
    "pullquote with an existing class": (
        '<blockquote class="wide"><p>[!pullquote] Q</p></blockquote>'
    ),
    "nested blockquotes": (
        "<blockquote><blockquote><p>[!pullquote] in</p></blockquote><p>out</p></blockquote>"
    ),
    "blockquote whose first element is not a paragraph": (
        "<blockquote><ul><li>[!pullquote] no</li></ul></blockquote>"
    ),
    "author note with markup and entities": "<p>Body.</p>\n<p>&#8212; <em>Ana</em> Ortiz</p>\n",
    "author note after a trailing comment": "<p>Body.</p><p>\u2014 Ana</p><!-- end -->",
    "last element is not a paragraph": "<p>\u2014 not last</p><ul><li>x</li></ul>",
    "empty paragraphs": "<p></p>\n<p> </p>\n<p>Text.</p>",
    "nested inline markup and footnotes": (
        '<p>A <em>very <strong>strong</strong></em> claim<sup id="fnref:1">'
        '<a class="footnote-ref" href="#fn:1">1</a></sup>.</p>'
    ),
    "preformatted code": "<pre><code>  x = 1\n\n  y &lt; 2\n</code></pre>",
    "words split by markup and comments": "<p>one<em>two</em>three<!--c-->four&nbsp;five</p>",
    "caption words are not counted": (
        '<p>a b c d e f</p><p><img alt="x" src="a.jpg" title="one two three four five six"></p>'
    ),
}


@pytest.mark.parametrize("html", EDGE_BODIES.values(), ids=EDGE_BODIES.keys())
def test_fast_body_transform_equals_the_soup_one(html):
    assert_fast_path_matches_soup(html)


def test_html_the_fast_path_does_not_read_still_gets_the_soup_result():
    html = '<p><img alt=x src="a.jpg" title="Cap. | AFP"></p><script>a < b</script>'
    assert kiosk_html.parse(html) is None
    fast, slow = transform_body(html, some_files), transform_body_soup(html, some_files)
    assert (fast.html, fast.images, fast.words) == (slow.html, slow.images, None)
    assert reading_minutes(fast.html, 230) == reading_minutes_soup(slow.html, 230)


words = st.sampled_from(
    ["Word", "two words", "&amp;", "&#8217;s", "&nbsp;", " ", "\n", "\u2014 ", "[!pullquote] "]
)
image_tags = st.builds(
    '<img alt="a" src="{}" title="{}">'.format,
    st.sampled_from(["a.jpg", "https://x.example/b.jpg", "#c"]),
    st.sampled_from(["", "Cap.", "Cap. | AFP", "Trucks. REUTERS/Jane Doe", "&quot;Q&quot;"]),
)
spacing = st.sampled_from(["", " ", "\n", "<!-- c -->"])
blocks = st.one_of(
    st.builds("<p>{}</p>".format, words),
    st.builds("<p>{}{}{}</p>".format, spacing, image_tags, spacing),
    st.builds('<p><a href="/x">{}{}</a></p>'.format, image_tags, spacing),
    st.builds("<blockquote>{}<p>{}{}</p></blockquote>".format, spacing, words, words),
    st.builds("<ul><li><p>{}</p></li><li>{}</li></ul>".format, image_tags, words),
    st.builds("<p>\u2014 {}</p>".format, words),
    fragments(),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(blocks, max_size=6).map("\n".join))
def test_random_bodies_transform_like_the_soup_path(html):
    assert_fast_path_matches_soup(html)


# --- Images: planning and the variant cache --------------------------------------

OPTIONS = figure_settings({})


def test_variants_are_480_960_1600_and_never_upscaled(tmp_path):
    large, small = tmp_path / "large.jpg", tmp_path / "small.jpg"
    large.write_bytes(jpeg_bytes(2400, 1200))
    small.write_bytes(jpeg_bytes(800, 400))
    planned = plan_image(str(large), "/images/large.jpg", "", OPTIONS)
    assert (planned.width, planned.height) == (2400, 1200)
    assert [w.split()[-1] for w in planned.srcset.split(", ")] == ["480w", "960w", "1600w"]
    assert planned.webp_srcset.count(".webp") == 3
    small_plan = plan_image(str(small), "/images/small.jpg", "", OPTIONS)
    assert [r.width for r in small_plan.renditions if r.fmt == "jpg"] == [480, 800]


def test_unreadable_image_keeps_its_url_without_dimensions(tmp_path):
    planned = plan_image(str(tmp_path / "missing.jpg"), "/images/missing.jpg", "", OPTIONS)
    assert planned == ResponsiveImage(src="/images/missing.jpg")


SVG = ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" {}>'
       '<rect stroke-width="3"/></svg>\n')  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "size"),
    [('width="640" height="360"', (640, 360)),
     ('width="640px" height="360.4px" viewBox="0 0 10 10"', (640, 360)),
     ('viewBox="0 0 800 450"', (800, 450)),
     ('width="100%" viewBox="-20 0 1200.5 600"', (1200, 600)),
     ('width="100%"', ("", "")),
     ('width="0" height="0"', ("", ""))],
)  # fmt: skip
def test_an_svg_chart_is_sized_by_its_root_element_and_gets_no_variants(
    tmp_path, attributes, size, caplog
):
    chart = tmp_path / "chart.svg"
    chart.write_text(SVG.format(attributes), encoding="utf-8")
    planned = plan_image(str(chart), "/images/chart.svg", "", OPTIONS)
    assert (planned.width, planned.height) == size
    assert (planned.srcset, planned.renditions) == ("", ())
    assert "cannot read" not in caplog.text


def test_variants_have_their_planned_size_and_are_cached(tmp_path, monkeypatch):
    source = tmp_path / "photo.jpg"
    source.write_bytes(jpeg_bytes(2000, 1000))
    renditions = plan_image(str(source), "/photo.jpg", "", OPTIONS).renditions
    cache = tmp_path / "cache"
    assert render_all(renditions, str(cache), OPTIONS) == 6
    for rendition in renditions:
        with Image.open(cache / os.path.basename(rendition.path)) as variant:
            assert variant.size == (rendition.width, rendition.height)
    mtimes = sorted((p.name, p.stat().st_mtime_ns) for p in cache.iterdir())

    def must_not_resize(*args):
        raise AssertionError("a cached variant was resized again")

    monkeypatch.setattr(kiosk_figures.images, "resize", must_not_resize)
    assert render_all(renditions, str(cache), OPTIONS) == 0
    assert sorted((p.name, p.stat().st_mtime_ns) for p in cache.iterdir()) == mtimes


def test_changed_image_gets_new_variant_names(tmp_path):
    source = tmp_path / "photo.jpg"
    source.write_bytes(jpeg_bytes(1000, 500))
    before = plan_image(str(source), "/photo.jpg", "", OPTIONS).srcset
    source.write_bytes(jpeg_bytes(1000, 600))
    assert plan_image(str(source), "/photo.jpg", "", OPTIONS).srcset != before


def test_resolver_maps_content_paths_to_site_urls_and_skips_external(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "hall.jpg").write_bytes(jpeg_bytes(1200, 800))
    resolve = partial(
        resolve_image, {"PATH": str(tmp_path), "SITEURL": "https://k.example"}, OPTIONS
    )
    for src in ("images/hall.jpg", "/images/hall.jpg", "{static}/images/hall.jpg"):
        image = resolve(src)
        assert (image.src, image.width) == ("https://k.example/images/hall.jpg", 1200)
    assert resolve("https://elsewhere.example/pic.jpg") is None


# --- Top image --------------------------------------------------------------------


def test_top_image_carries_caption_credit_and_label():
    top = build_top_image(
        {
            "image": "images/a.jpg",
            "image_alt": "Empty chairs",
            "image_caption": "The hall.",
            "image_credit": "REUTERS/Jane Doe",
        },
        lambda path: ResponsiveImage(src="/" + path, width=1600, height=900),
    )
    assert (top.src, top.alt, top.width, top.height) == ("/images/a.jpg", "Empty chairs", 1600, 900)
    assert (top.caption, top.credit, top.kind) == ("The hall.", "REUTERS/Jane Doe", "photo")
    assert top.credit_label == "Top photo credit: REUTERS/Jane Doe"


def test_illustration_says_top_image_credit():
    top = build_top_image(
        {"image": "a.png", "image_alt": "Chart", "image_credit": "Kiosk", "image_kind": "image"},
        no_files,
    )
    assert top.credit_label == "Top image credit: Kiosk"
    assert (top.srcset, top.width) == ("", "")


def test_no_image_means_no_top_image():
    assert build_top_image({"title": "Words only"}, no_files) is None


def test_unknown_setting_is_rejected():
    with pytest.raises(ValueError, match="widht"):
        figure_settings({"KIOSK_FIGURES": {"widht": [100]}})


# --- A tiny site ----------------------------------------------------------------

ARTICLE = """
{% set t = article.top_image %}{% if t %}
<figure class="top"><picture>
<source type="image/webp" srcset="{{ t.webp_srcset }}" sizes="{{ t.sizes }}">
<img src="{{ t.src }}" alt="{{ t.alt }}" width="{{ t.width }}" height="{{ t.height }}"
 srcset="{{ t.srcset }}" sizes="{{ t.sizes }}"></picture>
<figcaption><span class="caption">{{ t.caption }}</span>
<span class="credit">{{ t.credit }}</span></figcaption></figure>
<p class="top-credit">{{ t.credit_label }}</p>{% endif %}
<p class="reading-time">{{ article.reading_time }} min read</p>
<div class="body">{{ article.content|safe }}</div>
"""

BODY = """Opening paragraph.

![Workers unload grain](images/2025/fig.jpg "Workers unload sorghum. | AP Photo/Issa Moumouni")

> [!pullquote]
> The arithmetic of a tonne has changed.

--- Amara Okafor reported from Niamey.
"""


def site_files():
    return {
        "images/2025/top.jpg": jpeg_bytes(2000, 1125),
        "images/2025/fig.jpg": jpeg_bytes(1200, 800),
        "articles/convoys.md": header(
            BODY,
            title="Grain convoys",
            date="2025-07-09",
            category="Reporting",
            authors="Amara Okafor",
            image="images/2025/top.jpg",
            image_alt="Trucks wait on a dusty road",
            image_caption="A convoy before dawn.",
            image_credit="AFP/Getty Images",
        ),
        "articles/plain.md": header(
            "No images here.",
            title="Plain",
            date="2025-07-10",
            category="Analysis",
            authors="Amara Okafor",
        ),
    }


@pytest.fixture
def build(make_site, tmp_path):
    from kiosk_markdown import MarkdownReader

    settings = {
        "SITEURL": "https://kiosk.example",
        "KIOSK_FIGURES": {"cache_path": str(tmp_path / "cache")},
        # The site's Markdown (kiosk_editorial installs it): "---" is an author note's dash.
        "READERS": {"md": MarkdownReader},
    }
    return partial(
        make_site,
        site_files(),
        plugins=["kiosk_figures"],
        settings=settings,
        templates={"article.html": ARTICLE},
    )


def page(output, slug):
    return soup_of((output / slug / "index.html").read_text(encoding="utf-8"))


def local_file(output, url):
    return output / url.removeprefix("https://kiosk.example/")


def test_site_article_shows_top_image_with_credit_and_dimensions(build):
    output = build()
    soup = page(output, "grain-convoys")
    img = soup.select_one("figure.top img")
    assert (img["width"], img["height"]) == ("2000", "1125")
    assert img["alt"] == "Trucks wait on a dusty road"
    assert soup.select_one("figure.top > figcaption .credit").get_text() == "AFP/Getty Images"
    assert soup.select_one(".top-credit").get_text() == "Top photo credit: AFP/Getty Images"
    for srcset in (img["srcset"], soup.select_one("source[type='image/webp']")["srcset"]):
        for candidate in srcset.split(", "):
            url, width = candidate.split()
            with Image.open(local_file(output, url)) as variant:
                assert f"{variant.width}w" == width
    assert page(output, "plain").select("figure") == []


def test_site_an_svg_chart_in_the_body_is_a_figure_with_its_size_and_no_warning(
    make_site, tmp_path, caplog
):
    files = site_files()
    files["images/2025/exports.svg"] = SVG.format('viewBox="0 0 960 540"')
    files["articles/chart.md"] = header(
        "Exports recovered.\n\n"
        '![Grain exports by month](images/2025/exports.svg "Exports, 2024-25. | Kiosk graphic")\n',
        title="Chart", date="2025-07-11", category="Analysis", authors="Amara Okafor",
    )  # fmt: skip
    settings = {"SITEURL": "https://kiosk.example",
                "KIOSK_FIGURES": {"cache_path": str(tmp_path / "cache")}}  # fmt: skip
    output = make_site(files, plugins=["kiosk_figures"], settings=settings,
                       templates={"article.html": ARTICLE})  # fmt: skip
    figure = page(output, "chart").select_one(".body figure.figure")
    assert figure.img["src"] == "https://kiosk.example/images/2025/exports.svg"
    assert (figure.img["width"], figure.img["height"], figure.img.get("srcset")) == (
        "960", "540", None
    )  # fmt: skip
    assert figure.select_one("figcaption .credit").get_text() == "Kiosk graphic"
    assert "exports.svg" not in caplog.text


def test_site_body_has_figures_pullquote_author_note_and_reading_time(build):
    soup = page(build(), "grain-convoys")
    body = soup.select_one(".body")
    figure = body.select_one("figure.figure")
    assert figure.select_one("figcaption .credit").get_text() == "AP Photo/Issa Moumouni"
    assert figure.img["src"] == "https://kiosk.example/images/2025/fig.jpg"
    assert (figure.img["width"], figure.img["height"]) == ("1200", "800")
    assert "960w" in figure.img["srcset"]
    assert body.select_one("blockquote.pullquote").get_text(strip=True) == (
        "The arithmetic of a tonne has changed."
    )
    assert body.select_one("p.author-note").get_text().startswith("\u2014 Amara Okafor")
    assert soup.select_one(".reading-time").get_text() == "1 min read"


def test_site_rebuild_reuses_cached_variants(build, monkeypatch):
    output = build()
    variants = sorted((output / "images" / "_v").iterdir())
    assert len(variants) == 12  # two originals, three widths, JPEG and WebP

    def must_not_resize(*args):
        raise AssertionError("a cached variant was resized again")

    monkeypatch.setattr(kiosk_figures.images, "resize", must_not_resize)
    output = build()
    assert sorted((output / "images" / "_v").iterdir()) == variants


@pytest.mark.parametrize("finished", [True, False])
def test_a_cold_build_renders_the_articles_variants_in_a_process_beside_it(
    tmp_path, monkeypatch, finished
):
    """Same variants, same bytes, whatever that process got done before the variants'
    generator stopped it (BENCHMARKS.md, lever 134)."""
    from kiosk_markdown import MarkdownReader
    from tests.plugins.conftest import build_site

    generator = kiosk_figures.generator
    resized, started = [], []
    real_render, real_job = generator.render_all, generator.FreshJob
    real_ahead = generator.render_ahead

    def render_all(*args):
        resized.append(real_render(*args))
        return resized[-1]

    def fresh_job(factory, args, groups, **kwargs):
        started.append((len(groups), kwargs))
        return real_job(factory, args, groups, **kwargs)

    def render_ahead(article_generator):
        real_ahead(article_generator)
        job = generator._ahead.get("job")
        if finished and job is not None:  # as if the rest of a big build took its time
            job._process.wait()

    monkeypatch.setattr(generator, "render_all", render_all)
    monkeypatch.setattr(generator, "FreshJob", fresh_job)
    monkeypatch.setattr(generator, "render_ahead", render_ahead)
    monkeypatch.setattr(kiosk_figures, "render_ahead", render_ahead)
    monkeypatch.setattr(generator, "workers_available", lambda: 2)
    variants = {}
    for least in (1, 3, None):  # the site has two originals
        settings = {
            "SITEURL": "https://kiosk.example",
            "KIOSK_FIGURES": {"cache_path": str(tmp_path / f"cache-{least}"),
                              "render_ahead_min_sources": least},
            "READERS": {"md": MarkdownReader},
        }  # fmt: skip
        output = build_site(tmp_path / f"site-{least}", site_files(), plugins=["kiosk_figures"],
                            settings=settings, templates={"article.html": ARTICLE})  # fmt: skip
        variants[least] = tree_digest(output / "images" / "_v")
    assert started == [(2, {"nice": generator.NICE, "stoppable": True})]
    everything = len(variants[None])
    assert resized[1] == resized[2] == everything > 0
    if finished:
        assert resized[0] == 0
    assert variants[1] == variants[3] == variants[None]
    assert not generator._ahead


@pytest.mark.parametrize("least", [1, None])
def test_an_original_cut_short_fails_the_build_naming_the_file(tmp_path, monkeypatch, least):
    """Its header is sound (planning reads only that); decoding it is not. Rendering
    beside the build or in it, the editor gets the same message."""
    from kiosk_markdown import MarkdownReader
    from tests.plugins.conftest import build_site

    monkeypatch.setattr(kiosk_figures.generator, "workers_available", lambda: 2)
    files = site_files()
    files["images/2025/top.jpg"] = files["images/2025/top.jpg"][:2000]
    settings = {
        "KIOSK_FIGURES": {"cache_path": str(tmp_path / "cache"), "render_ahead_min_sources": least},
        "READERS": {"md": MarkdownReader},
    }
    with pytest.raises(ValueError, match=r"images/2025/top\.jpg: cannot be decoded") as failed:
        build_site(tmp_path, files, plugins=["kiosk_figures"], settings=settings,
                   templates={"article.html": ARTICLE})  # fmt: skip
    assert "save or export it again" in str(failed.value)


@pytest.mark.parametrize(("max_mb", "beside"), [(None, False), (1, True)])
def test_variants_are_rendered_beside_only_a_render_that_leaves_a_core(
    tmp_path, monkeypatch, max_mb, beside
):
    """A cold render that a helper process may share (kiosk_incremental: below
    ``parallel_max_mb``) has no core to spare; one over it renders alone."""
    from kiosk_markdown import MarkdownReader
    from tests.plugins.conftest import build_site

    generator = kiosk_figures.generator
    started = []
    real_job = generator.FreshJob
    monkeypatch.setattr(
        generator,
        "FreshJob",
        lambda *args, **kwargs: started.append(args) or real_job(*args, **kwargs),
    )
    monkeypatch.setattr(generator, "workers_available", lambda: 2)
    settings = {
        "KIOSK_FIGURES": {"cache_path": str(tmp_path / "cache"), "render_ahead_min_sources": 1},
        "KIOSK_INCREMENTAL": {"cache_path": str(tmp_path / "render"), "workers": 2,
                              "parallel_min_pages": 1, "parallel_max_mb": max_mb},
        "READERS": {"md": MarkdownReader},
    }  # fmt: skip
    output = build_site(tmp_path, site_files(), plugins=["kiosk_figures", "kiosk_incremental"],
                        settings=settings, templates={"article.html": ARTICLE})  # fmt: skip
    assert bool(started) is beside
    assert list((output / "images" / "_v").iterdir())
