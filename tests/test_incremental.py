"""An incremental rebuild publishes exactly what a clean build publishes.

Editors rebuild many times a day, with every cache kept (Pelican's content
cache, kiosk_figures' resized images). Whatever a cache saves, it must never
change the result: after an edit, a deletion and a new article, rebuilding
into the same output must give the same files with the same bytes as a clean
build of the final content into a fresh folder with no caches. Not timed:
speed is the benchmark's business (bench/, BENCHMARKS.md).
"""

from pathlib import Path

import pytest

from bench import corpus
from tasks import ROOT, build_site
from tests.sites import tree_digest
from tests.test_staging import folders, skeleton_of

SETTINGS = """\
import os, sys
sys.path.append(os.curdir)
from publishconf import *  # noqa: F403
# Every cache on, in this test's own folder.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CACHE_PATH = {cache!r} + "/pelican"
KIOSK_FIGURES = {{**(globals().get("KIOSK_FIGURES") or {{}}), "cache_path": {cache!r} + "/images"}}
PUBLISH_PIPELINE = {{**PUBLISH_PIPELINE, "cache_path": {cache!r} + "/precompress"}}  # noqa: F405
VERIFY = {{**VERIFY, "cache_path": {cache!r} + "/verify"}}  # noqa: F405
KIOSK_SEARCH = {{**(globals().get("KIOSK_SEARCH") or {{}}), "cache_path": {cache!r} + "/search"}}
KIOSK_READCACHE = {{"cache_path": {cache!r} + "/read"}}
# Pages reused from the render memo are also rendered afresh and compared.
KIOSK_INCREMENTAL = {{"cache_path": {cache!r} + "/render", "check": True}}
"""


def settings_file(folder: Path, cache: Path) -> Path:
    path = folder / "settings.py"
    path.write_text(SETTINGS.format(cache=str(cache)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """(incremental tree, clean tree, deleted slug, new slug) after edit, delete and add.

    The two sites have the same folders too (asserted here, once).
    """
    tmp_path = tmp_path_factory.mktemp("incremental")
    manifest = corpus.write_corpus(tmp_path / "corpus", 30, seed=11)
    content = tmp_path / "corpus" / "kiosk"
    paths = manifest["paths"]["kiosk"]
    warm = settings_file(tmp_path, tmp_path / "cache")
    build_site(warm, tmp_path / "incremental", content, quiet=True)
    # Again: the first site becomes the skeleton the edited build starts from
    # (kiosk_staging), with the folders of the article about to be deleted.
    build_site(warm, tmp_path / "incremental", content, quiet=True, force=True)
    skeleton = skeleton_of(tmp_path)
    assert Path(paths[20]).stem in folders(skeleton)

    with open(content / paths[10], "a", encoding="utf-8") as handle:
        handle.write("\nCorrection: the summit was on a Tuesday.\n")
    (content / paths[20]).unlink()
    # The same seed gives the same authors; the slug ends in -31, unique here.
    newcomer = corpus.generate(31, seed=11)[1][-1]
    target = content / corpus.article_path("kiosk", newcomer)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(corpus.kiosk_article(newcomer), encoding="utf-8")
    build_site(warm, tmp_path / "incremental", content, quiet=True)

    clean = tmp_path / "clean"
    clean.mkdir()
    build_site(settings_file(clean, clean / "cache"), clean / "output", content, quiet=True)
    assert not skeleton.exists(), "the rebuild did not start from the skeleton"
    assert folders(tmp_path / "incremental") == folders(clean / "output")
    return (tree_digest(tmp_path / "incremental"), tree_digest(clean / "output"),
            Path(paths[20]).stem, newcomer.slug)  # fmt: skip


def split(files: dict) -> tuple[dict, dict]:
    """(the site, the Pagefind bundle): the bundle has its own known problem."""
    bundle = {path: digest for path, digest in files.items() if path.startswith("pagefind/")}
    return {path: d for path, d in files.items() if path not in bundle}, bundle


def test_rebuild_after_edit_delete_and_add_equals_a_clean_build(two_builds):
    incremental, clean, deleted, added = two_builds
    rebuilt, expected = split(incremental)[0], split(clean)[0]
    assert sorted(rebuilt) == sorted(expected), "the rebuild has other files than a clean build"
    differing = [path for path in expected if rebuilt[path] != expected[path]]
    assert differing == [], f"files differ from a clean build: {differing[:10]}"
    assert f"{added}/index.html" in expected
    assert not any(deleted in path for path in expected)


def test_rebuild_has_the_same_search_bundle_as_a_clean_build(two_builds):
    incremental, clean, _, _ = two_builds
    assert split(incremental)[1] == split(clean)[1]


@pytest.fixture(scope="module")
def one_edit(tmp_path_factory):
    """(what kiosk_search reported at each build, the rebuilt bundle, a clean build's bundle)
    after a single edit: the case whose changed year is indexed while the pages render."""
    import kiosk_search

    tmp_path = tmp_path_factory.mktemp("one-edit")
    manifest = corpus.write_corpus(tmp_path / "corpus", 30, seed=12)
    content = tmp_path / "corpus" / "kiosk"
    warm = settings_file(tmp_path, tmp_path / "cache")
    reports = []
    indexed = kiosk_search.run_pagefind
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        patch.setattr(kiosk_search, "run_pagefind",
                      lambda *args, **kwargs: reports.append(indexed(*args, **kwargs)))  # fmt: skip
        build_site(warm, tmp_path / "incremental", content, quiet=True)
        with open(content / manifest["paths"]["kiosk"][10], "a", encoding="utf-8") as handle:
            handle.write("\nCorrection: the envoy arrived on the Thursday.\n")
        build_site(warm, tmp_path / "incremental", content, quiet=True)
        clean = tmp_path / "clean"
        clean.mkdir()
        build_site(settings_file(clean, clean / "cache"), clean / "output", content, quiet=True)
    leftovers = sorted(path.name for path in tmp_path.glob(".pagefind-*"))
    return (reports, split(tree_digest(tmp_path / "incremental"))[1],
            split(tree_digest(clean / "output"))[1], leftovers)  # fmt: skip


def test_one_edit_indexes_its_year_while_rendering_and_equals_a_clean_build(one_edit):
    reports, rebuilt, clean, leftovers = one_edit
    cold, edit, fresh = reports
    assert cold["early"] == [] and fresh["early"] == [], "a cold build begins nothing early"
    assert len(edit["indexed"]) == 1 and edit["early"] == edit["indexed"]
    assert rebuilt == clean
    assert leftovers == [], "no early run's folder is left beside the site"


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch):
    # build_site resolves settings relative to the repository, as invoke does.
    monkeypatch.chdir(ROOT)
