"""The benchmark corpus (bench/corpus.py): deterministic, and valid Kiosk content.

A benchmark is only comparable over time if every run builds the same bytes,
and only meaningful if the corpus is what editors really write: it must pass
the same editorial validation as the magazine (``invoke check``).
"""

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime

import pytest

from bench import corpus
from tasks import ROOT
from tests.conftest import invoke
from tests.sites import tree_digest


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    manifest = corpus.write_corpus(root, 40, seed=7)
    return root, manifest


def test_same_seed_gives_the_same_bytes(small_corpus, tmp_path):
    root, _ = small_corpus
    # A pool of its own: the images must be drawn identically too.
    corpus.write_corpus(tmp_path, 40, seed=7)
    assert tree_digest(tmp_path) == tree_digest(root)


def test_another_seed_gives_another_magazine():
    _, first, _ = corpus.generate(20, seed=1)
    _, second, _ = corpus.generate(20, seed=2)
    assert [a.slug for a in first] != [a.slug for a in second]


def test_kiosk_corpus_passes_the_editorial_check(small_corpus):
    root, manifest = small_corpus
    result = invoke("check", "--content", str(root / "kiosk"))
    assert "Content OK" in result.stdout
    articles = list((root / "kiosk" / "articles").rglob("*.md"))
    assert len(articles) == manifest["articles"] == 40


def test_every_format_holds_every_article(small_corpus):
    root, manifest = small_corpus
    for kind in ("kiosk", "pelican", "hugo"):
        assert all((root / kind / path).is_file() for path in manifest["paths"][kind])
    pelican = (root / "pelican" / manifest["paths"]["pelican"][0]).read_text()
    assert "\nCategory: " in pelican and "Section:" not in pelican and "Region:" not in pelican
    hugo = (root / "hugo" / manifest["paths"]["hugo"][0]).read_text()
    assert hugo.startswith("---\ntitle: ")


def test_the_corpus_looks_like_the_magazine():
    """The shape the benchmark claims: ~80 authors, ~300 tags, 800-1,200 words, past dates."""
    authors, articles, _ = corpus.generate(1000, seed=2026)
    assert len(authors) == 80
    assert len({tag for a in articles for tag in a.tags}) >= 250
    prose = [sum(len(block.split()) for block in a.body.split("\n\n")
                 if not block.startswith(("#", "![", "\u2014")))
             for a in articles]  # fmt: skip
    assert min(prose) >= 800 and max(prose) <= 1200
    assert all(a.date <= datetime(2026, 11, 1, 23, 59) for a in articles)
    assert len({a.date.year for a in articles}) >= 7
    assert set(Counter(a.section for a in articles)) == set(corpus.SECTIONS)
    assert any(a.column == "QiOSK" for a in articles)
    assert len({a.series for a in articles if a.series}) >= 10
    assert all(" | " in line for a in articles for line in a.body.splitlines()
               if line.startswith("!["))  # fmt: skip
    assert all("> [!pullquote]" in a.body for a in articles)
    assert len({a.slug for a in articles}) == len(articles)


def bench_script(name, corpus_root, *options) -> list[str]:
    """Run ``bench/<name>`` on a corpus folder as a developer would; its output lines."""
    result = subprocess.run([sys.executable, f"bench/{name}", "--work", str(corpus_root), *options],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_memory_timeline_names_the_worst_moment_of_a_build(small_corpus):
    lines = bench_script("memory.py", small_corpus[0])
    stretches = [line.split()[1] for line in lines[1:-1]]
    assert "get_writer" in stretches or "initialized" in stretches, lines
    assert {"Pagefind", "publish", "verify"} <= set(stretches), lines  # the finalized steps
    worst = lines[-1]
    assert worst.startswith("worst moment: ") and "python" in worst
    assert float(worst.split()[2]) > 20  # MB of PSS: a Python build is never smaller


def test_the_time_timeline_marks_each_phase_of_a_build_in_order(small_corpus):
    lines = bench_script("timeline.py", small_corpus[0])
    start = next(n for n, line in enumerate(lines) if line.startswith("cold publish of "))
    rows = [line.split(")", 1) for line in lines[start + 1 : -1]]
    labels = [label.strip() for _, label in rows]
    seconds = [float(row[0].split()[0]) for row in rows]
    for earlier, later in [("initialized", "get_writer"), ("get_writer", "finalized"),
                           ("Pagefind starts", "Pagefind ends"), ("publish ends", "verify starts"),
                           ("verify ends", "no-change stamp starts")]:  # fmt: skip
        assert labels.index(earlier) < labels.index(later), labels
    assert seconds == sorted(seconds) and labels[-2:] == ["build_site returned", "summary line"]
    # Last, what the build made and what it took from its caches.
    assert lines[-1].startswith("read: {") and "pages: {'rendered': " in lines[-1], lines[-1]


def test_the_memory_timeline_lists_a_stretch_too_short_to_sample(capsys):
    from bench import memory

    samples = [(0.0, [("python", 10.0, 9.0)]), (0.5, [("python", 12.0, 11.0)])]
    memory.report(samples, [(0.30, "publish"), (0.35, "verify"), (0.40, "finalized")])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[1:-1]] == ["start", "publish", "verify", "finalized"]
    assert "no sample" in lines[3] and lines[-1].startswith("worst moment: 11 MB PSS")


def test_the_preview_benchmark_times_each_save_until_the_page_shows_it(small_corpus):
    """Both previews really run: each edit's reload came and the page showed the correction,
    and so did a second save's soon after (bench/preview.py fails otherwise), and the
    corpus is left as it was."""
    root, _ = small_corpus
    before = tree_digest(root / "kiosk"), tree_digest(root / "hugo" / "content")
    # The tiny site rebuilds in well under a second: 3 s of silence end an edit.
    lines = bench_script("preview.py", root, "--edits", "2", "--settle", "3")
    assert lines[0].startswith("hugo   cold build ")
    timed = [line.split() for line in lines if line.startswith("[edit ")]
    assert sorted((words[2], words[1]) for words in timed) == [
        ("hugo", "1/2]"),
        ("hugo", "2/2]"),
        ("kiosk", "1/2]"),
        ("kiosk", "2/2]"),
    ]
    assert all(0 < float(words[-2]) < 300 for words in timed), timed  # the second save's
    assert all(" saved again -> page " in " ".join(words) for words in timed), timed
    assert any(line.startswith("kiosk / hugo server: ") for line in lines), lines
    assert any(line.startswith("saved again 1 s after that page -> page") for line in lines)
    held = {line.split()[0]: float(line.split()[3]) for line in lines if " preview holds " in line}
    assert held.keys() == {"kiosk", "hugo"} and all(mb > 10 for mb in held.values()), held
    assert (tree_digest(root / "kiosk"), tree_digest(root / "hugo" / "content")) == before


def test_the_benchmark_sets_last_run_s_files_aside_and_deletes_them_at_the_end(
    tmp_path, monkeypatch
):
    """A cold build must not pay for deleting the last one's files (set_aside's docstring):
    the corpus written again and a cleaned system move theirs to the trash, which
    the command empties once every build is done."""
    monkeypatch.setattr(sys, "path", sys.path[:])  # run.py puts bench/ first: not for later tests
    from bench import run

    first = corpus.write_corpus(tmp_path, 40, seed=7)
    before = tree_digest(tmp_path / "kiosk")
    again = corpus.write_corpus(tmp_path, 40, seed=7,
                                discard=lambda path: run.set_aside(path, tmp_path))  # fmt: skip
    assert again["paths"] == first["paths"] and tree_digest(tmp_path / "kiosk") == before
    kiosk = run.Kiosk(tmp_path)
    for folder in (kiosk.out / "2024", kiosk.cache, tmp_path / ".output-skeleton-1-2"):
        folder.mkdir(parents=True)
        (folder / "index.html").write_text("<p>the last run's</p>")
    kiosk.clean()
    assert not kiosk.out.exists() and not kiosk.cache.exists()
    assert not list(tmp_path.glob(".output-skeleton-*"))
    trash = sorted(path.name.rsplit("-", 1)[0] for path in (tmp_path / run.TRASH).iterdir())
    assert trash == [".output-skeleton-1-2", "cache-kiosk", "hugo", "kiosk", "out-kiosk", "pelican"]
    run.empty_trash(tmp_path)
    assert not (tmp_path / run.TRASH).exists()


def test_the_floors_time_pagefind_and_hugo_on_the_same_corpus(small_corpus, tmp_path):
    """bench/floors.py on a site the timeline built: Pagefind on every article page and on
    one shard's worth, Python's start, and Hugo's cold build, each run and compared."""
    root, manifest = small_corpus
    bench_script("timeline.py", root)
    result_file = tmp_path / "floors.json"
    lines = bench_script("floors.py", root, "--runs", "1", "--json", str(result_file))
    timed = [line.split() for line in lines if line.startswith("[run 1/1] ")]
    assert sorted(words[2] for words in timed) == ["hugo", "pagefind", "shard", "start"], lines
    result = json.loads(result_file.read_text())
    assert result["article_pages"] == manifest["articles"]  # every one is published
    assert 0 < result["shard_pages"] <= result["article_pages"]
    assert result["vs_hugo_cold"]["hugo"] == 1.0
    assert all(m["seconds"] > 0 and m["cpu_seconds"] > 0 for m in result["medians"].values())
    assert not any(path.name.startswith(".floors-") for path in root.iterdir())
