"""kiosk_publish: what `invoke publish` adds to a production build.

Readers get minified pages that still validate and still carry their JSON-LD;
browsers can cache theme assets for a year because their names change with
their content; static hosts find a .gz and a .br beside every text file.
"""

import gzip
import hashlib
import json
import random
import re

import brotli
import pytest
from bs4 import BeautifulSoup
from sites import write_site

from kiosk_publish import publish_settings
from kiosk_publish.fingerprint import fingerprinted_name, reference_rewriter
from kiosk_publish.minify import minify_page
from kiosk_publish.precompress import precompress
from tests.conftest import invoke

TEXT = (".html", ".css", ".js", ".xml", ".json", ".txt", ".svg")
FINGERPRINTED = re.compile(r"/theme/(css|js)/[\w-]+\.[0-9a-f]{8}\.(css|js)$")


# --- pure functions ------------------------------------------------------------


def test_fingerprint_is_eight_hex_digits_of_the_content(tmp_path):
    one = tmp_path / "a" / "kiosk.css"
    two = tmp_path / "b" / "kiosk.css"
    for path, css in ((one, "body{color:red}"), (two, "body{color:blue}")):
        path.parent.mkdir()
        path.write_text(css)
    assert re.fullmatch(r"kiosk\.[0-9a-f]{8}\.css", fingerprinted_name(one))
    assert fingerprinted_name(one) == fingerprinted_name(one)
    assert fingerprinted_name(one) != fingerprinted_name(two)


def test_references_follow_the_new_name_wherever_they_are_written():
    rewrite = reference_rewriter({"theme/css/kiosk.css": "theme/css/kiosk.0123abcd.css"})
    page = (
        '<link href="https://kiosk.example/theme/css/kiosk.css">'
        '<link href="/theme/css/kiosk.css?v=2">'
        "<link href=../theme/css/kiosk.css>"
    )
    assert rewrite(page).count("theme/css/kiosk.0123abcd.css") == 3
    assert "kiosk.css" not in rewrite(page)


def test_lookalike_paths_are_left_alone():
    rewrite = reference_rewriter({"theme/css/kiosk.css": "theme/css/kiosk.0123abcd.css"})
    for text in ("/theme/css/kiosk.css.map", "/theme/css/kiosk.cssx", "mytheme/css/kiosk.css"):
        assert rewrite(text) == text


def test_minified_page_keeps_closing_tags_and_json_ld():
    data = {"@context": "https://schema.org", "@type": "NewsArticle",
            "headline": "A summit <without> the \"other\" side"}  # fmt: skip
    page = (
        '<!doctype html>\n<html lang="en">\n  <head>\n    <title>T</title>\n'
        f'    <script type="application/ld+json">{json.dumps(data, indent=2)}</script>\n'
        "  </head>\n  <body>\n    <p>One</p>\n    <p>Two</p>\n  </body>\n</html>\n"
    )
    small = minify_page(page)
    assert len(small) < len(page)
    assert small.count("</p>") == 2 and "</body>" in small and "</html>" in small
    script = BeautifulSoup(small, "html.parser").find("script", type="application/ld+json")
    assert json.loads(script.string) == data


def test_precompressed_siblings_decompress_to_the_original(tmp_path):
    page = tmp_path / "index.html"
    page.write_text("<p>Kiosk</p>\n" * 500)
    gz_size, br_size = precompress(page, page.read_bytes())
    original = page.read_bytes()
    assert gzip.decompress((tmp_path / "index.html.gz").read_bytes()) == original
    assert brotli.decompress((tmp_path / "index.html.br").read_bytes()) == original
    assert 0 < br_size < len(original) and 0 < gz_size < len(original)
    # Same content, same bytes: a checksum deploy must not re-send unchanged pages.
    before = (tmp_path / "index.html.gz").read_bytes()
    precompress(page, page.read_bytes())
    assert (tmp_path / "index.html.gz").read_bytes() == before


def test_pages_take_the_quicker_levels_and_big_feeds_the_smaller_output(tmp_path):
    # Below 64 kB (every page) the quicker levels cost a page 0.4 % more bytes;
    # a feed of hundreds of kB is 11 % smaller at brotli's higher quality.
    from zlib_ng import gzip_ng

    from kiosk_publish.pipeline import brotli_qualities
    from kiosk_publish.precompress import SMALL_FILE_BYTES

    rng = random.Random(7)
    words = [f"word{n}" for n in range(400)]
    page, feed = tmp_path / "index.html", tmp_path / "latest.atom.xml"
    page.write_text("<p>" + " ".join(rng.choice(words) for _ in range(5_000)) + "</p>")
    feed.write_text("<feed>" + " ".join(rng.choice(words) for _ in range(40_000)) + "</feed>")
    assert page.stat().st_size < SMALL_FILE_BYTES <= feed.stat().st_size
    assert brotli_qualities(publish_settings({})) == (6, 8)
    qualities = brotli_qualities(publish_settings(
        {"PUBLISH_PIPELINE": {"brotli_quality_small": 3, "brotli_quality": 9}}))  # fmt: skip
    assert qualities == (3, 9)
    for path, quality, level in ((page, 3, 6), (feed, 9, 8)):
        precompress(path, path.read_bytes(), qualities)
        data = path.read_bytes()
        assert path.with_name(path.name + ".br").read_bytes() == brotli.compress(
            data, quality=quality)  # fmt: skip
        assert path.with_name(path.name + ".gz").read_bytes() == gzip_ng.compress(
            data, compresslevel=level, mtime=0)  # fmt: skip


def test_settings_reject_unknown_keys_and_default_to_the_theme_folder():
    assert publish_settings({"THEME_STATIC_DIR": "theme"})["fingerprint_dirs"] == ("theme",)
    assert publish_settings({})["enabled"] is False
    with pytest.raises(ValueError, match="minfy_html"):
        publish_settings({"PUBLISH_PIPELINE": {"minfy_html": False}})


# --- a tiny site, published and built the way an editor does it -------------------


def publishable_site(tmp_path):
    """write_site() plus the favicon every page links (kiosk_verify checks it)."""
    content = write_site(tmp_path)
    favicon = content / "extra" / "favicon.svg"
    if not favicon.exists():
        favicon.parent.mkdir(parents=True, exist_ok=True)
        favicon.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n')
    return content


@pytest.fixture(scope="module")
def tiny_published(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("tiny-publish")
    output = tmp_path / "output"
    content = publishable_site(tmp_path)
    result = invoke("publish", "--content", str(content), "--output", str(output))
    return output, result.stdout


def _pages(output):
    return sorted(output.rglob("*.html"))


def test_every_page_links_existing_fingerprinted_assets(tiny_published):
    output, _ = tiny_published
    for page in _pages(output):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        assets = [tag["href"] for tag in soup.select('link[rel~="stylesheet"]')]
        assets += [tag["src"] for tag in soup.select("script[src]")]
        ours = [url for url in assets if "/theme/" in url]
        assert ours, f"{page} links no theme asset"
        for url in ours:
            assert FINGERPRINTED.search(url), f"{page}: {url} is not fingerprinted"
            assert (output / url.split("kiosk.example/", 1)[-1].lstrip("/")).is_file(), url
    # One name per asset: the unhashed copy is gone.
    assert not (output / "theme" / "css" / "kiosk.css").exists()
    assert not (output / "theme" / "js" / "kiosk.js").exists()


def test_every_text_file_has_gz_and_br_that_decompress_to_it(tiny_published):
    output, _ = tiny_published
    texts = [p for p in output.rglob("*") if p.is_file() and p.suffix in TEXT]
    assert len(texts) > 10
    for path in texts:
        original = path.read_bytes()
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == original, path
        assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == original, path


def test_pages_are_minified_and_keep_their_structured_data(tiny_published):
    output, _ = tiny_published
    article = output / "summit-without-the-other-side" / "index.html"
    html = article.read_text()
    assert "\n  <" not in html, "indentation survived minification"
    soup = BeautifulSoup(html, "html.parser")
    blocks = soup.find_all("script", type="application/ld+json")
    kinds = [json.loads(block.string)["@type"] for block in blocks]
    assert "NewsArticle" in kinds
    assert soup.find("h1") and soup.find("link", rel="canonical")["href"].startswith("https://")


def test_publish_ends_with_pages_and_bytes(tiny_published):
    output, stdout = tiny_published
    last = stdout.strip().splitlines()[-1]
    match = re.match(r"Published (\d+) pages: (\d+) files, .* -> .* gzip, .* brotli$", last)
    assert match, last
    assert int(match.group(1)) == len(_pages(output))


def _published_tree(folder):
    files = {"index.html": 100, "index.html.gz": 30, "index.html.br": 25,
             "europe/index.html": 200, "europe/index.html.gz": 60,  # no .br: not counted
             "theme/logo.png": 1000, "feeds/all.atom.xml": 50,
             "feeds/all.atom.xml.gz": 20, "feeds/all.atom.xml.br": 15}  # fmt: skip
    for name, size in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"x" * size)
    (folder / "elsewhere").mkdir()
    (folder / "europe" / "loop").symlink_to(folder, target_is_directory=True)


def test_the_summary_counts_what_a_reader_can_fetch_and_what_is_precompressed(tmp_path):
    from kiosk_publish import site_summary

    _published_tree(tmp_path)
    assert site_summary(tmp_path) == {"pages": 2, "files": 4, "bytes": 1350,
                                      "text_bytes": 150, "gzip_bytes": 50,
                                      "brotli_bytes": 40}  # fmt: skip


def test_the_summary_from_the_builds_last_walk_is_the_summary_of_a_walk_of_its_own(tmp_path):
    # build_site hands publish what the no-change stamp's walk of the output saw.
    import kiosk_uptodate
    from kiosk_publish import site_summary

    _published_tree(tmp_path)
    (tmp_path / "alias.html").symlink_to(tmp_path / "index.html")  # counts as the page
    (tmp_path / "gone.html").symlink_to(tmp_path / "nowhere.html")  # counts as nothing
    sizes = {}
    kiosk_uptodate.tree_fingerprint(tmp_path, follow=False, sizes=sizes)
    assert sizes["alias.html"] is None and sizes["index.html"] == 100
    assert site_summary(tmp_path, sizes) == site_summary(tmp_path)
    assert site_summary(tmp_path)["pages"] == 3


def test_a_publish_with_nothing_changed_ends_with_the_same_summary(tiny_published):
    output, first = tiny_published
    again = invoke("publish", "--content", str(output.parent / "content"),
                   "--output", str(output))  # fmt: skip
    assert "is up to date" in again.stdout
    assert again.stdout.strip().splitlines()[-1] == first.strip().splitlines()[-1]


def test_development_build_is_left_readable(tmp_path):
    output = tmp_path / "output"
    invoke("build", "--content", str(write_site(tmp_path)), "--output", str(output))
    assert (output / "theme" / "css" / "kiosk.css").is_file()
    assert not list(output.rglob("*.gz")) and not list(output.rglob("*.br"))
    assert "\n" in (output / "index.html").read_text().strip()


def test_a_fingerprinted_asset_keeps_the_bytes_its_name_was_hashed_from(tmp_path):
    from kiosk_publish import finish_site

    css = tmp_path / "theme" / "css" / "kiosk.css"
    css.parent.mkdir(parents=True)
    css.write_text("body{background:url(/theme/css/kiosk.css)}")
    (tmp_path / "index.html").write_text('<link href="/theme/css/kiosk.css">')
    finish_site(tmp_path, publish_settings({"PUBLISH_PIPELINE": {"enabled": True}}))
    (hashed,) = (tmp_path / "theme" / "css").glob("kiosk.*.css")
    assert hashed.name == f"kiosk.{hashlib.sha256(hashed.read_bytes()).hexdigest()[:8]}.css"
    assert f"/theme/css/{hashed.name}" in (tmp_path / "index.html").read_text()


def test_precompression_reuses_its_cache_with_identical_bytes_and_prunes_it(tmp_path):
    import brotli

    from kiosk_filecache import EntryStore
    from kiosk_publish.precompress import Compressed

    def precompress_all(pages, cache_path):
        """As kiosk_publish's pipeline does: siblings from the cache, the cache pruned."""
        compressed = Compressed(EntryStore(cache_path), brotli_qualities=(6, 8))
        results = [compressed.siblings(page, page.read_bytes()) for page in pages]
        compressed.store.prune({key for key, _ in results})
        reused = sum(hit for _, hit in results)
        return {"compressed": len(pages) - reused, "reused": reused}

    site, cache = tmp_path / "site", tmp_path / "cache"
    site.mkdir()
    pages = []
    for n in range(3):
        page = site / f"p{n}.html"
        page.write_text("<p>" + f"Kiosk page {n} " * 200 + "</p>", encoding="utf-8")
        pages.append(page)
    assert precompress_all(pages, cache_path=cache) == {"compressed": 3, "reused": 0}
    fresh = {p.name: (p.with_name(p.name + ".gz").read_bytes(),
                      p.with_name(p.name + ".br").read_bytes()) for p in pages}  # fmt: skip

    for sibling in site.glob("*.[gb][zr]"):
        sibling.unlink()
    assert precompress_all(pages, cache_path=cache) == {"compressed": 0, "reused": 3}
    for p in pages:
        assert (p.with_name(p.name + ".gz").read_bytes(),
                p.with_name(p.name + ".br").read_bytes()) == fresh[p.name]  # fmt: skip
        assert brotli.decompress(fresh[p.name][1]) == p.read_bytes()

    entries = sum(1 for f in cache.rglob("*") if f.is_file())
    pages[0].write_text("<p>changed</p>", encoding="utf-8")
    assert precompress_all(pages, cache_path=cache) == {"compressed": 1, "reused": 2}
    assert sum(1 for f in cache.rglob("*") if f.is_file()) == entries, "stale entry kept"


def test_the_build_line_and_the_publish_line_count_the_same_pages(tiny_published):
    # "Built output/: 2 articles, 19 pages" then "Published 20 pages" left an
    # editor wondering which was right: both count the output's pages now.
    output, stdout = tiny_published
    built = re.search(r"^Built output/: \d+ articles, (\d+) pages,", stdout, re.M)
    published = re.search(r"^Published (\d+) pages:", stdout, re.M)
    assert built and published, stdout
    assert built[1] == published[1] == str(len(_pages(output)))
