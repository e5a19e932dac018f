"""kiosk_ahead: pages finished on the idle core while the others render change no byte.

A big cold build renders every page in one process; kiosk_ahead hands each
page the writer finishes to a second process, which does kiosk_publish's and
kiosk_verify's work on it ahead, into their caches. These tests turn it on
for a small site (``min_pages: 1``, the render in one process) and check what
a publisher sees: the published tree is exactly the one a build without it
makes, publish and verify take those pages' work from their caches, it stays
out of the way where no core idles, and a worker that fails costs time only.
"""

import os
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from pelican.generators import StaticGenerator
from pelican.settings import read_settings

import kiosk_ahead
import kiosk_publish
from bench import corpus
from kiosk_publish.fingerprint import fingerprint_assets, planned_renames
from kiosk_verify import cache as verify_cache
from tasks import build_site
from tests.sites import tree_digest

SETTINGS = """\
import os, sys
sys.path.append(os.curdir)
from publishconf import *  # noqa: F403
PUBLISH_PIPELINE = {{**PUBLISH_PIPELINE, "cache_path": {cache!r} + "/precompress"}}  # noqa: F405
VERIFY = {{**VERIFY, "cache_path": {cache!r} + "/verify"}}  # noqa: F405
KIOSK_SEARCH = {{**(globals().get("KIOSK_SEARCH") or {{}}), "cache_path": {cache!r} + "/search"}}
KIOSK_FIGURES = {{**(globals().get("KIOSK_FIGURES") or {{}}), "cache_path": {cache!r} + "/images"}}
KIOSK_READCACHE = {{"cache_path": {cache!r} + "/read"}}
KIOSK_INCREMENTAL = {{"cache_path": {cache!r} + "/render", "workers": {workers!r},
                     "parallel_max_mb": None}}
KIOSK_AHEAD = {ahead!r}
# Test plugins with stages of their own: the first stages, before publish's.
_AT = PLUGINS.index("kiosk_ahead") + 1  # noqa: F405
PLUGINS = [*PLUGINS[:_AT], *{extra!r}, *PLUGINS[_AT:]]  # noqa: F405
"""

ON = {"min_pages": 1}


def settings_file(folder: Path, ahead: dict, workers=1, extra=()) -> Path:
    """Settings for a publish build in ``folder`` with its own caches."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "settings.py"
    text = SETTINGS.format(cache=str(folder / "cache"), workers=workers, ahead=ahead,
                           extra=list(extra))  # fmt: skip
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ahead")
    corpus.write_corpus(root / "corpus", 30, seed=5)
    return root / "corpus" / "kiosk"


@pytest.fixture
def work(monkeypatch):
    """What publish and verify had to do themselves in the build: {"publish": counts,
    "verify": pages parsed}."""
    seen = {"verify": 0}
    finish_site = kiosk_publish.finish_site

    def finishing(*args, **kwargs):
        seen["publish"] = finish_site(*args, **kwargs)
        return seen["publish"]

    parse_started = verify_cache.ParsedPages._parse_started

    def parsing(self, misses):
        seen["verify"] += len(misses)
        return parse_started(self, misses)

    monkeypatch.setattr(kiosk_publish, "finish_site", finishing)
    monkeypatch.setattr(verify_cache.ParsedPages, "_parse_started", parsing)
    return seen


def pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


@pytest.fixture(scope="module")
def without_ahead(content, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("without")
    build_site(settings_file(folder, {"enabled": False}), folder / "output", content, quiet=True)
    return tree_digest(folder / "output")


def test_pages_finished_ahead_publish_the_same_bytes(content, tmp_path, work, without_ahead):
    settings = settings_file(tmp_path, ON)
    build_site(settings, tmp_path / "output", content, quiet=True)
    stats = dict(kiosk_ahead.last_stats)
    html = len(pages(tmp_path / "output"))
    # Every page the writer wrote went to the worker, and it finished them
    # all but perhaps the last few, written just before the render ended.
    assert html - 5 <= stats["sent"] <= html
    assert stats["failed"] == 0 and stats["done"] >= stats["sent"] - 5 > 0
    assert stats["cpu_seconds"] > 0  # the worker's own time, reported back
    # Publish and verify took those pages from their caches ...
    assert work["publish"]["minify_reused"] == stats["done"]
    assert work["publish"]["minified"] == html - stats["done"]
    assert work["verify"] == html - stats["done"]
    # ... finding the checksum entries of that work in the cache's index, where
    # the worker put them instead of a .sum file for each page's two groups.
    cache = tmp_path / "cache" / "precompress"
    groups = len([*cache.glob("*.min")]) + len([*cache.glob("*.gz")])
    assert groups - len([*cache.glob("*.sum")]) == 2 * stats["done"]
    # ... and the published site is byte for byte the one made without the worker.
    assert tree_digest(tmp_path / "output") == without_ahead


def test_the_foreseen_asset_names_are_the_published_ones(content, tmp_path):
    settings = settings_file(tmp_path, ON)
    build_site(settings, tmp_path / "output", content, quiet=True)
    pelican_settings = read_settings(str(settings), override={"PATH": str(content)})
    config = kiosk_publish.publish_settings(pelican_settings)
    foreseen = planned_renames(pelican_settings, config["fingerprint_dirs"],
                               config["fingerprint_extensions"])  # fmt: skip
    published = {
        path.relative_to(tmp_path / "output").as_posix()
        for path in (tmp_path / "output" / "theme").rglob("*")
        if path.suffix in (".css", ".js")
    }
    assert foreseen and set(foreseen.values()) == published


def test_no_worker_where_the_helper_renders_or_in_a_rebuild(content, tmp_path, work):
    # A cold build rendered on both cores (the helper): no core idles.
    build_site(settings_file(tmp_path / "helped", ON, workers=None), tmp_path / "helped" / "out",
               content, quiet=True)  # fmt: skip
    assert kiosk_ahead.last_stats == {}
    # A rebuild renders only what changed.
    settings = settings_file(tmp_path / "rebuilt", ON)
    build_site(settings, tmp_path / "rebuilt" / "out", content, quiet=True)
    assert kiosk_ahead.last_stats["done"] > 0
    build_site(settings, tmp_path / "rebuilt" / "out", content, quiet=True, force=True)
    assert kiosk_ahead.last_stats == {}
    assert work["publish"]["minified"] == 0


@pytest.mark.parametrize(("min_pages", "written"), [(30, 0), (31, 31)])
def test_a_site_of_min_pages_articles_starts_its_worker_before_its_first_page(
    content, tmp_path, monkeypatch, min_pages, written
):
    # The corpus has 30 articles and more pages than that. With as many
    # articles as min_pages, the worker imports while the first pages render;
    # otherwise it starts once min_pages pages are written.
    started = []

    class Watched(kiosk_ahead.Worker):
        def __init__(self, *args):
            started.append(len(kiosk_ahead._build["waiting"]))
            super().__init__(*args)

    monkeypatch.setattr(kiosk_ahead, "Worker", Watched)
    settings = settings_file(tmp_path, {"min_pages": min_pages})
    summary = build_site(settings, tmp_path / "output", content, quiet=True)
    assert summary["articles"] == 30
    assert started == [written]
    assert kiosk_ahead.last_stats["sent"] > written and kiosk_ahead.last_stats["done"] > 0


def test_the_render_helper_starts_no_worker_of_its_own(content, tmp_path, monkeypatch):
    # The helper is a fork of the build taken at get_writer; it asks for the
    # writer again, and a worker started there would idle and leak its folder.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    build_site(settings_file(tmp_path / "helped", ON, workers=None), tmp_path / "helped" / "out",
               content, quiet=True)  # fmt: skip
    assert kiosk_ahead.last_stats == {}
    assert not any(path.name.startswith("kiosk-ahead-") for path in scratch.iterdir())


# The tests below leave their plugin's receivers connected to Pelican's signals for
# the rest of the process (a stage whose module is gone): they come last.
FAILING_PLUGIN = """\
from kiosk_ahead import add_stage


def step_that_fails(path, data):
    raise ValueError("this stage fails on " + str(path))


def failing_step():
    return step_that_fails


def broken_factory():
    raise RuntimeError("the stage could not start")


def _add(pelican):
    add_stage("{module}:{factory}")


def register():
    from pelican import signals

    signals.initialized.connect(_add)
"""


@pytest.mark.parametrize("factory", ["failing_step", "broken_factory"])
def test_a_failing_worker_costs_time_not_bytes(content, tmp_path, monkeypatch, factory,
                                               without_ahead, work, caplog):  # fmt: skip
    module = f"ahead_{factory}"
    (tmp_path / f"{module}.py").write_text(
        FAILING_PLUGIN.format(module=module, factory=factory), encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    settings = settings_file(tmp_path, ON, extra=[module])
    summary = build_site(settings, tmp_path / "output", content, quiet=True)
    stats = kiosk_ahead.last_stats
    assert stats["done"] == 0 and stats["sent"] > 0
    if factory == "failing_step":  # each page failed in the worker, which went on
        assert stats["failed"] >= stats["sent"] - 5 > 0
        assert summary["warnings"] == 0
    else:  # the worker stopped at once: one warning, which names the cause
        assert summary["warnings"] == 1
        warning = next(r for r in caplog.records if r.name == "kiosk_ahead")
        assert "RuntimeError: the stage could not start" in warning.getMessage()
    # Publish and verify did every page themselves, as without the worker.
    html = len(pages(tmp_path / "output"))
    assert work["publish"]["minified"] == html and work["verify"] == html
    assert tree_digest(tmp_path / "output") == without_ahead


def test_the_forecast_follows_pelicans_copy_of_the_theme(tmp_path):
    theme = tmp_path / "theme"
    for relative, text in {"static/css/kiosk.css": "a{color:red}", "static/js/kiosk.js": "1;",
                           "static/css/.#kiosk.css": "an editor's lock file",
                           "static/img/logo.svg": "<svg/>", "static/css/deep/print.css": "p{}",
                           "extra/fonts.css": "@font-face{}"}.items():  # fmt: skip
        (theme / relative).parent.mkdir(parents=True, exist_ok=True)
        (theme / relative).write_text(text, encoding="utf-8")
    settings = {"THEME": str(theme), "THEME_STATIC_DIR": "theme", "IGNORE_FILES": [".#*"],
                "THEME_STATIC_PATHS": ["static", "extra/fonts.css"]}  # fmt: skip
    foreseen = planned_renames(settings, ("theme",), (".css", ".js"))
    # Pelican's own copy of the theme's static files, then publish's renaming.
    output = tmp_path / "output"
    generator = SimpleNamespace(settings=settings)
    StaticGenerator._copy_paths(generator, settings["THEME_STATIC_PATHS"], str(theme),
                                settings["THEME_STATIC_DIR"], str(output), os.curdir)  # fmt: skip
    assert foreseen == fingerprint_assets(output, ("theme",), (".css", ".js"))
    assert sorted(foreseen) == ["theme/css/deep/print.css", "theme/css/kiosk.css",
                                "theme/fonts.css", "theme/js/kiosk.js"]  # fmt: skip
