"""kiosk_incremental on two cores: a cold build's helper process renders part of the pages.

Each test builds the same tiny site cold, once in one process (``workers: 1``)
and once with the helper (``workers: 2``, ``parallel_min_pages: 1``), and
compares what a reader gets: the same files with the same bytes. Each page's
template is made slow in the build's own process only (a filter that sleeps
there), so the helper, which renders from the last page backwards, always
has pages to take.
"""

import contextlib
import logging
import os
import time

import psutil
import pytest

import kiosk_incremental
from kiosk_incremental import parallel
from tests.plugins.conftest import build_site, header
from tests.sites import tree_digest

ARTICLES = 16


def slow_in(pid):
    """A Jinja filter that takes a while in process ``pid`` only."""

    def slow(value):
        if os.getpid() == pid:
            time.sleep(0.02)
        return value

    return slow


def warn(prefix):
    """A Jinja filter that logs a warning naming the page's title."""

    def warning(value):
        logging.getLogger("tests.render_parallel").warning("%s: %s", prefix, value)
        return value

    return warning


TEMPLATES = {
    "article.html": "<h1>{{ article.title|slow }}</h1>{{ article.content }}",
    "index.html": "<ul>{% for a in articles %}<li>{{ a.title|slow }}</li>{% endfor %}</ul>",
    "tag.html": "<h1>{{ tag|slow }}</h1>{% for a in articles %}{{ a.title }}{% endfor %}",
    "category.html": "<h1>{{ category|slow }}</h1>{% for a in articles %}{{ a.title }}{% endfor %}",
    "author.html": "<h1>{{ author|slow }}</h1>{% for a in articles %}{{ a.title }}{% endfor %}",
}


def files():
    site = {"authors/ana-ortiz.md": header("Ana writes.", name="Ana Ortiz")}
    for n in range(ARTICLES):
        site[f"articles/a{n:02}.md"] = header(
            f"Body of article {n}, with a [link](https://example.org/{n}).",
            title=f"Article number {n}",
            date=f"2024-06-{n + 1:02} 10:00",
            section="Analysis" if n % 2 else "Reporting",
            region="Europe",
            authors="Ana Ortiz",
            tags=f"Tag {n % 4}, Shared",
            slug=f"a{n:02}",
        )
    return site


@pytest.fixture
def build(tmp_path):
    """build(name, workers, check=False, templates=…, filters=…, max_mb=None)
    -> (tree digest, stats)."""

    def run(name, workers, check=False, templates=TEMPLATES, filters=None, max_mb=None):
        root = tmp_path / name
        output = build_site(
            root,
            files(),
            plugins=["kiosk_authors", "kiosk_incremental"],
            templates=templates,
            settings={
                "KIOSK_INCREMENTAL": {"cache_path": str(root / "render-cache"), "check": check,
                                      "workers": workers, "parallel_min_pages": 1,
                                      "parallel_max_mb": max_mb},
                "DIRECT_TEMPLATES": ["index"],
                "JINJA_FILTERS": {"slow": slow_in(os.getpid()), **(filters or {})},
            },
        )  # fmt: skip
        return tree_digest(output), dict(kiosk_incremental.last_stats)

    return run


def _living_children():
    alive = set()
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.NoSuchProcess):
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.add(child.pid)
    return alive


@pytest.fixture(autouse=True)
def _children_before():
    # Other tests of the session may keep processes of their own running
    # (a browser, a web server): only a child that appeared here is a helper.
    _BEFORE.clear()
    _BEFORE.update(_living_children())


_BEFORE: set[int] = set()


def no_helper_left():
    return not (_living_children() - _BEFORE)


def test_a_cold_build_with_the_helper_writes_exactly_what_one_process_writes(build):
    serial, alone = build("serial", workers=1)
    tree, stats = build("parallel", workers=2)

    assert tree == serial
    assert "helper" not in alone
    # Every page was rendered once in this build, by the helper from the end
    # and by the write pass from the start, which then wrote the helper's
    # stored texts as they were. Where the two meet depends on the machine: on
    # a loaded CI machine the helper has done all 28 pages before the write
    # pass (feeds first) reached its first page.
    assert stats["rendered"] == alone["rendered"] and stats["reused"] == 0
    assert 0 < stats["helper"] <= stats["rendered"], stats
    assert no_helper_left()


def test_check_mode_renders_the_helpers_pages_again_and_finds_them_equal(build):
    serial, _ = build("serial", workers=1)
    tree, stats = build("checked", workers=2, check=True)
    assert tree == serial
    assert stats["helper"] > 0
    assert kiosk_incremental.last_mismatches == []


def test_the_next_build_reuses_the_pages_the_helper_rendered(build):
    build("site", workers=2)
    _, stats = build("site", workers=2)
    # A rebuild has a stored index: no helper, every page from the memo.
    assert stats == {"rendered": 0, "reused": stats["reused"]} and stats["reused"] > ARTICLES


def test_warnings_of_the_helpers_renders_reach_the_builds_log(build, caplog):
    templates = {**TEMPLATES, "article.html": "<h1>{{ article.title|slow|warning }}</h1>"}
    caplog.set_level(logging.WARNING)
    # Pelican drops a message it has already logged in this process: each build
    # warns in its own words.
    build("serial", workers=1, templates=templates, filters={"warning": warn("serial")})
    serial = sorted(r.getMessage().split(": ", 1)[1] for r in caplog.records
                    if r.getMessage().startswith("serial: "))  # fmt: skip
    _, stats = build("parallel", workers=2, templates=templates,
                     filters={"warning": warn("parallel")})  # fmt: skip
    parallel_ = sorted(r.getMessage().split(": ", 1)[1] for r in caplog.records
                       if r.getMessage().startswith("parallel: "))  # fmt: skip

    assert stats["helper"] > 0
    assert len(serial) == ARTICLES
    assert parallel_ == serial


def test_a_helper_that_dies_leaves_its_pages_to_the_build(build, monkeypatch, caplog):
    serial, _ = build("serial", workers=1)
    monkeypatch.setattr(parallel, "list_pages", lambda *a: os._exit(3))

    tree, stats = build("died", workers=2)

    assert tree == serial
    assert stats["helper"] == 0 and stats["rendered"] > ARTICLES
    assert "the helper process died (exit status 3)" in caplog.text
    assert no_helper_left()


def test_a_helper_whose_render_fails_leaves_its_pages_to_the_build(build, monkeypatch, caplog):
    serial, _ = build("serial", workers=1)

    def broken(*args):
        raise RuntimeError("the helper cannot list pages")

    monkeypatch.setattr(parallel, "list_pages", broken)

    tree, stats = build("failed", workers=2)

    assert tree == serial
    assert stats["helper"] == 0
    assert "the helper process failed" in caplog.text
    assert "RuntimeError: the helper cannot list pages" in caplog.text


def test_a_helper_that_hangs_never_holds_the_build_up(build, monkeypatch):
    serial, _ = build("serial", workers=1)
    monkeypatch.setattr(parallel, "list_pages", lambda *a: time.sleep(3600))

    started = time.monotonic()
    tree, stats = build("stuck", workers=2)

    assert time.monotonic() - started < 60
    assert tree == serial and stats["helper"] == 0
    assert no_helper_left(), "the build ended its helper"


def test_one_worker_or_a_small_site_means_no_helper(build, tmp_path):
    _, stats = build("one", workers=1)
    assert "helper" not in stats
    output = build_site(
        tmp_path / "small", files(), plugins=["kiosk_authors", "kiosk_incremental"],
        settings={"KIOSK_INCREMENTAL": {"cache_path": str(tmp_path / "small-cache"),
                                        "workers": 2, "parallel_min_pages": ARTICLES + 10}},
    )  # fmt: skip
    assert output.is_dir()
    assert "helper" not in kiosk_incremental.last_stats


def test_a_build_that_already_holds_much_memory_renders_alone(build):
    # The helper would hold about as much again (kiosk_incremental's docstring).
    serial, _ = build("serial", workers=1)
    tree, stats = build("big", workers=2, max_mb=1)
    assert "helper" not in stats
    assert stats["rendered"] > ARTICLES
    assert tree == serial
