"""The render memo on the sample magazine: what editors change, rebuild after rebuild.

One copy of content/, built again after each kind of edit an editor makes,
with kiosk_incremental's check mode on: every page the memo reuses is also
rendered afresh, and a difference fails the build (tasks.build_site makes any
logged error fatal). The edits reach the shared parts of pages on purpose:
the Latest rail on every page, teasers of related stories, series boxes,
bylines, the footer. At the end the tree equals a clean build's, and an edit
to one old article re-renders a small part of the site.
"""

import re
import shutil
from pathlib import Path

import pytest

import kiosk_incremental
from kiosk_incremental.parallel import available_cores
from tasks import ROOT, build_site
from tests.sites import tree_digest

SETTINGS = """\
import os, sys
sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403
KIOSK_FIGURES = {{**(globals().get("KIOSK_FIGURES") or {{}}), "cache_path": {cache!r} + "/images"}}
KIOSK_READCACHE = {{"cache_path": {cache!r} + "/read"}}
# parallel_max_mb: None, so that the cold build renders with its helper however
# much memory this test process already holds.
KIOSK_INCREMENTAL = {{"cache_path": {cache!r} + "/render", "check": {check!r},
                     "parallel_max_mb": None}}
"""


def settings_file(folder: Path, check=True) -> Path:
    path = folder / ("checked.py" if check else "clean.py")
    path.write_text(SETTINGS.format(cache=str(folder / "cache"), check=check), encoding="utf-8")
    return path


def newest(content: Path) -> Path:
    dated = []
    for path in (content / "articles").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if "Status: draft" in text:
            continue
        dated.append((re.search(r"^Date: (.+)$", text, re.M).group(1), path))
    return max(dated)[1]


def edit(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def magazine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("memo")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    settings = settings_file(folder)
    output = folder / "output"

    def rebuild():
        build_site(settings, output, content, quiet=True)
        return dict(kiosk_incremental.last_stats)

    first = rebuild()
    if available_cores() >= 2:  # the helper's pages were checked too
        assert first.get("helper", 0) > 0, first
    return folder, content, output, rebuild, first


def test_edits_editors_make_never_leave_a_stale_page(magazine, monkeypatch):
    monkeypatch.chdir(ROOT)
    folder, content, output, rebuild, first = magazine
    articles = content / "articles"
    lead = newest(content)
    series_part = next(articles.rglob("diplomacy-watch-the-prisoner-exchange.md"))
    edits = [
        # The newest story's headline is in the Latest rail of every page.
        lambda: edit(lead, "Title: ", "Title: Updated: "),
        # A body correction: the article, and every teaser excerpt of it.
        lambda: series_part.write_text(series_part.read_text() + "\nA correction.\n"),
        # New tags move related stories on other articles' pages.
        lambda: edit(series_part, "Tags: ", "Tags: Energy, "),
        # An author's profile: bylines and the author page.
        lambda: edit(content / "authors" / "ana-ortiz.md", "Role: ", "Role: Senior "),
        # A page's title is in every page's footer.
        lambda: edit(content / "pages" / "about.md", "Title: ", "Title: All "),
        # A part of a series goes: every other part's series box changes.
        lambda: series_part.unlink(),
    ]
    for change in edits:
        change()
        stats = rebuild()  # check mode: a reused page that differs fails the build
        assert stats["rendered"] > 0, "an edit must re-render at least its own page"

    clean = folder / "clean"
    clean.mkdir()
    build_site(settings_file(clean, check=False), clean / "output", content, quiet=True)
    assert tree_digest(output) == tree_digest(clean / "output")


def test_after_a_cold_build_a_correction_re_renders_a_small_part_of_the_site(tmp_path, monkeypatch):
    """Cold caches, then one edit: the first rebuild an editor makes.

    The cold build reads every article afresh (kiosk_readcache's workers), the
    rebuild takes all but one from the cache: the fingerprints must not tell
    the two apart, or every page would be rendered again.
    """
    monkeypatch.chdir(ROOT)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    settings, output = settings_file(tmp_path), tmp_path / "output"
    build_site(settings, output, content, quiet=True)
    oldest = min((content / "articles").glob("2024/*.md"))
    oldest.write_text(oldest.read_text(encoding="utf-8") + "\nA late correction.\n")

    build_site(settings, output, content, quiet=True)

    stats = kiosk_incremental.last_stats
    total = stats["rendered"] + stats["reused"]
    assert stats["rendered"] < total / 4, stats
