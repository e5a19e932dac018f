"""Issue 7 as editors, readers and hosts meet it: builds that fail leave the old
site alone, builds that repeat are identical, hostile metadata renders as text,
and the published pages carry no inline script."""

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from tests.conftest import ROOT, invoke
from tests.sites import ARTICLE, AUTHORS, tree_digest, write_markdown, write_site

FAVICON = '<svg xmlns="http://www.w3.org/2000/svg"/>'


def tiny_site(tmp_path: Path) -> Path:
    content = write_site(tmp_path)
    (content / "extra").mkdir(exist_ok=True)
    (content / "extra" / "favicon.svg").write_text(FAVICON, encoding="utf-8")
    return content


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_bytes(), "lxml")


# --- 1. Atomic output ----------------------------------------------------------

BOOM_PLUGIN = '''
"""A plugin that fails the way a buggy plugin or a Ctrl-C would, at ``finalized``."""
import pathlib
import time

from pelican import signals


def fail(pelican):
    if pelican.settings["BOOM"] == "interrupt":
        raise KeyboardInterrupt
    if pelican.settings["BOOM"] == "wait":
        # Mid-build for as long as the test needs to send a real SIGINT.
        pathlib.Path(pelican.settings["BOOM_MARKER"]).touch()
        time.sleep(60)
        return
    raise RuntimeError("boom: the test plugin failed")


def register():
    signals.finalized.connect(fail)
'''

# build_site in a child process, so the test plugin's signal receivers die with it.
RUN_BUILD = textwrap.dedent("""
    import sys
    from invoke import Exit
    import tasks
    try:
        tasks.build_site(sys.argv[1], sys.argv[2], sys.argv[3], quiet=True)
    except Exit as err:
        print(err.message or "", file=sys.stderr)
        sys.exit(err.code)
""")


def settings_file(folder: Path, **settings) -> Path:
    """pelicanconf.py plus ``settings`` (Python source of each value)."""
    lines = [f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"]
    lines += [f"{name} = {value}\n" for name, value in settings.items()]
    path = folder / "testconf.py"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def plugin_paths(tmp_path: Path) -> str:
    return repr([str(ROOT / "plugins"), str(tmp_path / "plugins")])


def boom_conf(tmp_path: Path, mode: str, **extra) -> Path:
    """Settings that add the test plugin ``boom`` in ``mode`` (error, interrupt, wait)."""
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "boom.py").write_text(BOOM_PLUGIN, encoding="utf-8")
    return settings_file(tmp_path, PLUGIN_PATHS=plugin_paths(tmp_path),
                         PLUGINS='PLUGINS + ["boom"]', BOOM=repr(mode), **extra)  # fmt: skip


def build_with(conf: Path, output: Path, content: Path):
    return subprocess.run([sys.executable, "-c", RUN_BUILD, str(conf), str(output), str(content)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A tiny site and a good build of it: the output a failed build must not touch."""
    folder = tmp_path_factory.mktemp("previous")
    content = tiny_site(folder)
    output = folder / "output"
    invoke("build", "--content", str(content), "--output", str(output))
    return content, output


@pytest.fixture
def site_online(previous, tmp_path):
    """A copy of the previous build in this test's folder, and its digest."""
    content, built = previous
    output = tmp_path / "output"
    shutil.copytree(built, output)
    return content, output, tree_digest(output)


def assert_untouched(output: Path, before: dict):
    assert tree_digest(output) == before, "the failed build changed output/"
    # An interrupted build's staging folder is deleted in the background.
    deadline = time.monotonic() + 30
    while list(output.parent.glob(".output-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(output.parent.glob(".output-*")), "a staging folder was left behind"


def test_an_exception_in_a_plugin_leaves_output_as_it_was(site_online, tmp_path):
    content, output, before = site_online
    conf = boom_conf(tmp_path, "error")
    result = build_with(conf, output, content)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Build failed: boom: the test plugin failed. The previous output/ is unchanged."
    )
    assert "Traceback" not in result.stderr
    assert_untouched(output, before)


def test_an_interrupt_inside_the_build_leaves_output_as_it_was(site_online, tmp_path):
    content, output, before = site_online
    conf = boom_conf(tmp_path, "interrupt")
    result = build_with(conf, output, content)
    assert result.returncode == 130
    assert "Build interrupted; the previous output/ is unchanged." in result.stderr
    assert_untouched(output, before)


def test_a_broken_template_leaves_output_as_it_was(site_online, tmp_path):
    content, output, before = site_online
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    article = theme / "templates" / "article.html"
    # Inside a block: Jinja only checks filters in code that can run.
    source = article.read_text("utf-8").replace(
        "{% block main %}", "{% block main %}{{ article.title | no_such_filter }}", 1
    )
    article.write_text(source, "utf-8")
    result = build_with(settings_file(tmp_path, THEME=repr(str(theme))), output, content)
    assert result.returncode == 1
    assert "no_such_filter" in result.stderr
    assert "The previous output/ is unchanged." in result.stderr
    assert "Traceback" not in result.stderr
    assert_untouched(output, before)


def test_ctrl_c_during_a_build_leaves_output_as_it_was(site_online, tmp_path):
    content, output, before = site_online
    # A test plugin holds the build open at `finalized` (pages written into the
    # staging folder, not yet swapped in) until the real SIGINT arrives, so the
    # signal never races a build that has already finished.
    marker = tmp_path / "inside-the-build"
    conf = boom_conf(tmp_path, "wait", BOOM_MARKER=repr(str(marker)))
    command = [sys.executable, "-c", RUN_BUILD, str(conf), str(output), str(content)]
    build = subprocess.Popen(command, cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list(output.parent.glob(".output-staging-*")), "the build is not in its staging folder"
    build.send_signal(signal.SIGINT)
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 130, stderr
    assert "Build interrupted; the previous output/ is unchanged." in stderr
    assert_untouched(output, before)


# In a child process: a real SIGINT and SIGUSR1 reach the build while its
# staging folder is being swapped in (the moment an editor's Ctrl-C, or the
# preview's word to stop for a newer save, could otherwise leave no site: the
# output renamed away, the new one not yet in its place).
RUN_BUILD_INTERRUPTED_AT_THE_SWAP = textwrap.dedent("""
    import os, signal, sys
    import tasks  # first: it puts the plugins on the import path
    import kiosk_staging

    swap_in = kiosk_staging.Staging.swap_in

    def interrupted_swap(self):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C
        os.kill(os.getpid(), signal.SIGUSR1)  # the live preview's newer save
        swap_in(self)

    kiosk_staging.Staging.swap_in = interrupted_swap
    tasks.build_site(sys.argv[1], sys.argv[2], sys.argv[3], quiet=True, force=True)
    print("built")
""")


def test_ctrl_c_during_the_swap_is_held_until_the_new_site_is_in_place(site_online, tmp_path):
    content, output, before = site_online
    content = shutil.copytree(content, tmp_path / "content")
    (content / "pages" / "about.md").write_text(
        (content / "pages" / "about.md").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8",
    )
    conf = settings_file(tmp_path)
    command = [sys.executable, "-c", RUN_BUILD_INTERRUPTED_AT_THE_SWAP, str(conf), str(output),
               str(content)]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "built"
    assert "One more line." in soup(output / "about" / "index.html").get_text()
    assert tree_digest(output) != before


# --- 2. Reproducible builds ----------------------------------------------------


def differing(first: dict, second: dict) -> list[str]:
    names = first.keys() | second.keys()
    return sorted(name for name in names if first.get(name) != second.get(name))


def test_two_development_builds_are_byte_identical(built_site, tmp_path):
    again = tmp_path / "output"
    invoke("build", "--output", str(again))
    assert differing(tree_digest(built_site), tree_digest(again)) == []


def test_two_publish_builds_are_byte_identical(published_site, tmp_path):
    again = tmp_path / "output"
    invoke("publish", "--output", str(again))
    assert differing(tree_digest(published_site), tree_digest(again)) == []


def test_pagefind_filter_values_are_written_in_a_stable_order(published_site):
    from kiosk_search.stable import read

    filters = {}
    for path in (published_site / "pagefind" / "filter").glob("*.pf_filter"):
        name, values = read(path)
        filters[name] = [value for value, _pages in values]
    assert sorted(filters) == ["region", "section"]
    assert all(values == sorted(values) for values in filters.values()), filters


# --- 3. Escaping everywhere --------------------------------------------------------

HOSTILE = 'Why <script>alert(1)</script> & "quotes" matter'
# What typogrify makes of it: the same text with typographic quotes.
TYPOGRAPHIC = "Why <script>alert(1)</script> & \u201cquotes\u201d matter"
AS_TEXT = {HOSTILE, TYPOGRAPHIC}
HOSTILE_TAG = 'Why <script>alert(1)</script> & "quotes" matter'  # no comma: tags split on it
HOSTILE_AUTHOR = 'Ana "Nana" Ortiz & <b>Co</b>'
PAGE = "summit-without-the-other-side/index.html"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A tiny site whose article has the hostile title in every metadata field, published."""
    folder = tmp_path_factory.mktemp("hostile")
    content = tiny_site(folder)
    write_markdown(content / "authors" / "ana-ortiz.md",
                   {**AUTHORS["ana-ortiz"], "Name": HOSTILE_AUTHOR}, "Ana writes.")  # fmt: skip
    header = {**ARTICLE, "Title": HOSTILE, "Subtitle": HOSTILE, "Summary": HOSTILE,
              "Image_Alt": HOSTILE, "Image_Caption": HOSTILE, "Image_Credit": HOSTILE,
              "Tags": f"Ukraine, {HOSTILE_TAG}",
              "Authors": f"{HOSTILE_AUTHOR}, Samuel Hale"}  # fmt: skip
    write_markdown(content / "articles" / "2024" / "summit.md", header, "The body of the piece.")
    output = folder / "output"
    invoke("publish", "--content", str(content), "--output", str(output))
    return output


def test_no_page_has_a_script_element_that_metadata_could_have_made(hostile_site):
    for path in sorted(hostile_site.rglob("*.html")):
        for script in soup(path).find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", (
                f"{path.relative_to(hostile_site)} has an inline script: {script}"
            )


def test_the_headline_is_the_title_as_text(hostile_site):
    page = soup(hostile_site / PAGE)
    assert page.h1.get_text() == TYPOGRAPHIC
    assert page.title.get_text().startswith(TYPOGRAPHIC)


@pytest.mark.parametrize("selector", [".article__dek", "figure figcaption .caption",
                                      "figure figcaption .credit"])  # fmt: skip
def test_each_text_field_shows_the_text(hostile_site, selector):
    element = soup(hostile_site / PAGE).select_one(selector)
    assert element is not None, selector
    assert element.get_text().strip() in AS_TEXT


def test_attributes_carry_the_text(hostile_site):
    page = soup(hostile_site / PAGE)
    assert page.select_one("figure img")["alt"] == HOSTILE
    assert page.select_one('meta[property="og:title"]')["content"] in AS_TEXT
    assert page.select_one('meta[name="description"]')["content"] in AS_TEXT
    assert page.select_one('meta[data-pagefind-meta^="title"]')["content"] in AS_TEXT


def test_tag_and_author_names_are_text(hostile_site):
    tag_page = soup(hostile_site / "tag" / "why-alert1-quotes-matter" / "index.html")
    assert tag_page.h1.get_text().strip().endswith(HOSTILE_TAG)
    authors = [a.get_text().strip() for a in soup(hostile_site / PAGE).select('a[rel="author"]')]
    assert HOSTILE_AUTHOR in authors


def test_json_ld_parses_and_the_headline_is_the_text(hostile_site):
    blocks = [json.loads(script.string) for script in
              soup(hostile_site / PAGE).find_all("script", type="application/ld+json")]  # fmt: skip
    [article] = [block for block in blocks if block.get("@type") == "NewsArticle"]
    assert article["headline"] in AS_TEXT
    assert article["description"] in AS_TEXT


@pytest.mark.parametrize("feed", ["feeds/latest.atom.xml", "feeds/latest.rss.xml"])
def test_feed_titles_are_the_text(hostile_site, feed):
    parsed = feedparser.parse(hostile_site / feed)
    assert parsed.bozo == 0
    [entry] = [e for e in parsed.entries if "summit" in e.link]
    assert entry.title in AS_TEXT


def test_json_feed_title_is_the_text(hostile_site):
    items = json.loads((hostile_site / "feeds" / "latest.json").read_text("utf-8"))["items"]
    [item] = [i for i in items if "summit" in i["url"]]
    assert item["title"] in AS_TEXT


# --- 4. No inline script or event handler in the published magazine -------------


def test_published_pages_have_no_inline_script_or_event_handler(published_site):
    problems = []
    for path in sorted(published_site.rglob("*.html")):
        page = soup(path)
        shown = path.relative_to(published_site).as_posix()
        for script in page.find_all("script"):
            if not script.get("src") and script.get("type") != "application/ld+json":
                problems.append(f"{shown}: inline <script>")
        for element in page.find_all(True):
            problems += [f"{shown}: <{element.name} {name}>" for name in element.attrs
                         if name.lower().startswith("on")]  # fmt: skip
        for link in page.find_all(href=True):
            if link["href"].strip().lower().startswith("javascript:"):
                problems.append(f"{shown}: javascript: link")
    assert problems == []


# --- 5. invoke verify, as a shell user meets it ---------------------------------


def test_invoke_verify_passes_the_published_magazine(published_site):
    result = invoke("verify", "--output", str(published_site))
    assert result.stdout.strip().endswith("every link, image, fragment, feed and sitemap resolves")


def test_invoke_verify_names_each_broken_thing_with_its_page(published_site, tmp_path):
    output = tmp_path / "output"
    shutil.copytree(published_site, output)
    shutil.rmtree(output / "images")
    result = invoke("verify", "--output", str(output), check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"{len(lines) - 1} broken things in ")
    assert all(": https://kiosk.example/images/" in line or ": /images/" in line
               for line in lines[:-1]), lines[:5]  # fmt: skip
    assert any(line.startswith("index.html: ") for line in lines)


def test_javascript_links_in_markdown_stop_the_build(tmp_path):
    content = tiny_site(tmp_path)
    path = content / "articles" / "2024" / "brief.md"
    path.write_text(path.read_text("utf-8") + "\n[Read more](javascript:alert(1))\n", "utf-8")
    result = invoke("build", "--content", str(content), "--output", str(tmp_path / "o"),
                    check=False)  # fmt: skip
    assert result.returncode == 1
    assert "is refused: script URLs" in result.stderr
    assert not (tmp_path / "o").exists()
