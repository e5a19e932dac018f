"""The invoke tasks as an editor meets them in a shell: exit codes, the lines
printed, and what happens to output/ when a build fails."""

import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

import kiosk_staging
import tasks
from tests.conftest import invoke
from tests.sites import tree_digest, write_site


def break_region(content: Path):
    path = content / "articles" / "2024" / "summit.md"
    path.write_text(path.read_text("utf-8").replace("Region: Europe", "Region: Atlantis"), "utf-8")


def test_task_list_has_a_one_line_help_for_each_task():
    listed = invoke("--list").stdout
    for name in ("build", "publish", "clean", "serve", "livereload", "check", "new", "test"):
        line = next((row for row in listed.splitlines() if row.strip().startswith(name + " ")), "")
        assert len(line.split(maxsplit=1)) == 2, f"{name} has no help in invoke --list"


def test_check_names_file_and_field_and_fails(tmp_path):
    content = write_site(tmp_path)
    break_region(content)
    result = invoke("check", "--content", str(content), check=False)
    assert result.returncode == 1
    problem = result.stderr.splitlines()[0]
    assert problem.endswith(
        "content/articles/2024/summit.md: Region: 'Atlantis' is not one of Africa, "
        "Asia-Pacific, Europe, Latin America, Middle East, North America, Global"
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_an_article_saved_where_nothing_reads_it_fails_the_check_and_the_build(tmp_path):
    # It used to be counted as checked and then left out of the site, silently.
    content = write_site(tmp_path)
    shutil.move(content / "articles" / "2024" / "brief.md", content / "brief.md")
    output = tmp_path / "output"
    for task in (("check", "--content", str(content)),
                 ("build", "--content", str(content), "--output", str(output))):  # fmt: skip
        result = invoke(*task, check=False)
        assert result.returncode == 1, task
        assert "content/brief.md: file: is not under authors/, articles/, pages/" in result.stderr
    assert not output.exists()


def test_check_passes_a_valid_site(tmp_path):
    result = invoke("check", "--content", str(write_site(tmp_path)))
    assert result.stdout.startswith("Content OK: 5 files checked")


def test_a_failed_build_leaves_the_previous_output_untouched(tmp_path):
    content = write_site(tmp_path)
    output = tmp_path / "output"
    invoke("build", "--content", str(content), "--output", str(output))
    before = tree_digest(output)
    assert "summit-without-the-other-side/index.html" in before

    break_region(content)
    (content / "articles" / "2024" / "empty.md").write_text("", encoding="utf-8")
    result = invoke("build", "--content", str(content), "--output", str(output), check=False)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert [line.split(": ")[1] for line in lines[:-1]] == ["file", "Region"]
    assert lines[-1] == "2 content problems; nothing was published."
    assert "Traceback" not in result.stdout + result.stderr
    assert tree_digest(output) == before
    assert not list(tmp_path.glob(".output-*")), "the staging folder was left behind"


def test_a_build_ends_with_a_one_line_summary(tmp_path):
    result = invoke("build", "--content", str(write_site(tmp_path)),
                    "--output", str(tmp_path / "site"))  # fmt: skip
    summary = result.stdout.strip().splitlines()[-1]
    words = summary.split()
    assert words[:3] == ["Built", "site/:", "2"], summary
    assert "articles," in words and "pages," in words and "warnings," in words
    assert summary.endswith(" s")


def test_new_scaffolds_a_valid_draft_and_prints_its_path(tmp_path):
    content = write_site(tmp_path)
    title = "Will a withdrawal set the terms for talks?"
    result = invoke("new", title, "--section", "Analysis", "--region", "Europe",
                    "--author", "Ana Ortiz", "--content", str(content))  # fmt: skip
    path = Path(result.stdout.strip())
    assert path.name == "will-a-withdrawal-set-the-terms-for-talks.md"
    header = path.read_text("utf-8").split("\n\n")[0].splitlines()
    assert "Section: Analysis" in header and "Status: draft" in header
    assert invoke("check", "--content", str(content)).returncode == 0


@pytest.mark.parametrize("title, section, author, says", [
    ("A title", "Gossip", "Ana Ortiz", "--section 'Gossip' is not one of Analysis"),
    ("A title", "Analysis", "Jane Roe", "Authors: 'Jane Roe' has no profile"),
    ("!!!", "Analysis", "Ana Ortiz", "makes no web address"),
    # The clash is found on the page, which comes second: it used to go unnoticed
    # here, and then every later build failed, naming the page.
    ("About", "Analysis", "Ana Ortiz", "Slug: 'about' is already used by"),
])  # fmt: skip
def test_new_refuses_what_would_not_build_and_writes_no_file(tmp_path, title, section, author,
                                                             says):  # fmt: skip
    content = write_site(tmp_path)
    before = sorted(content.rglob("*"))
    result = invoke("new", title, "--section", section, "--author", author,
                    "--content", str(content), check=False)  # fmt: skip
    assert result.returncode == 1 and says in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(content.rglob("*")) == before
    assert invoke("check", "--content", str(content)).returncode == 0


def test_new_dates_the_draft_in_the_sites_time_zone_not_the_machines(tmp_path):
    content = write_site(tmp_path)
    before = datetime.now(ZoneInfo("Europe/Brussels")).replace(second=0, microsecond=0)
    env = {**os.environ, "TZ": "Asia/Tokyo"}
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "new", "Tokyo desk note", "--section", "Analysis",
         "--author", "Ana Ortiz", "--content", str(content)],
        cwd=tasks.ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    header = Path(result.stdout.strip()).read_text("utf-8").split("\n\n")[0].splitlines()
    written = next(h for h in header if h.startswith("Date: "))[6:]
    date = datetime.strptime(written, "%Y-%m-%d %H:%M").replace(tzinfo=before.tzinfo)
    assert before <= date <= before + timedelta(minutes=2)


def test_clean_removes_build_products_but_never_content(tmp_path):
    # clean works on the repo itself; prove it spares content/ by its file count.
    root = Path(__file__).resolve().parent.parent
    before = sorted((root / "content").rglob("*"))
    invoke("clean")
    assert sorted((root / "content").rglob("*")) == before
    assert not (root / "output").exists()


def test_without_a_summary_the_teaser_is_the_first_paragraph(tmp_path):
    content = write_site(tmp_path)
    brief = content / "articles" / "2024" / "brief.md"
    brief.write_text(
        brief.read_text("utf-8").replace(
            "The corridor reopened on Monday.",
            "The corridor reopened on Monday.\n\nInsurers were not convinced.",
        ),
        "utf-8",
    )
    output = tmp_path / "site"
    invoke("build", "--content", str(content), "--output", str(output))
    page = BeautifulSoup((output / "grain-corridor-reopens-for-a-week" / "index.html").read_text(
        "utf-8"), "html.parser")  # fmt: skip
    assert page.select_one('meta[name="description"]')["content"] == (
        "The corridor reopened on Monday."
    )


def gone(path: Path, within=30.0) -> bool:
    """True once ``path`` no longer exists (it is deleted by a process of its own)."""
    deadline = time.monotonic() + within
    while path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_rebuild_swaps_in_the_new_site_and_the_previous_one_goes(tmp_path):
    content = write_site(tmp_path)
    output = tmp_path / "site"
    invoke("build", "--content", str(content), "--output", str(output))
    break_region(content)  # Atlantis is not a region: then put a real one back
    summit = content / "articles" / "2024" / "summit.md"
    summit.write_text(summit.read_text("utf-8").replace("Region: Atlantis", "Region: Africa"),
                      "utf-8")  # fmt: skip
    invoke("build", "--content", str(content), "--output", str(output))

    page = BeautifulSoup((output / "summit-without-the-other-side" / "index.html").read_text(
        "utf-8"), "html.parser")  # fmt: skip
    assert page.select_one(".kicker").get_text(" ", strip=True).endswith("Africa")
    assert all(gone(old) for old in tmp_path.glob(".output-old-*")), "the previous output stayed"
    # What is left of it for the next build is folders, not one file (kiosk_staging).
    left = [path for skeleton in tmp_path.glob(".output-skeleton-*") if skeleton.is_dir()
            for path in skeleton.rglob("*") if not path.is_dir()]  # fmt: skip
    assert left == []


def test_the_build_does_not_wait_for_the_previous_output_to_be_deleted(tmp_path, monkeypatch):
    # An rm that takes a second: delete_in_background returns before it is done.
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "rm").write_text(f'#!/bin/sh\nsleep 1\nexec {shutil.which("rm")} "$@"\n')
    (slow / "rm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{slow}:{os.environ['PATH']}")
    previous = tmp_path / ".output-old-1-1"
    (previous / "some-piece").mkdir(parents=True)
    (previous / "some-piece" / "index.html").write_text("<p>old</p>", "utf-8")

    kiosk_staging.delete_in_background(previous)

    assert previous.exists(), "the caller waited for the deletion"
    assert gone(previous)


def test_without_a_shell_the_previous_output_is_deleted_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    previous = tmp_path / ".output-old-1-1"
    (previous / "feeds").mkdir(parents=True)
    (previous / "feeds" / "latest.atom.xml").write_text("<feed/>", "utf-8")
    kiosk_staging.delete_in_background(previous)
    assert not previous.exists()


def test_a_previous_output_whose_deletion_was_cut_short_goes_at_the_next_build(tmp_path):
    content = write_site(tmp_path)
    left = tmp_path / ".output-old-4242-1"
    (left / "latest").mkdir(parents=True)
    (left / "latest" / "index.html").write_text("<p>old</p>", "utf-8")
    invoke("build", "--content", str(content), "--output", str(tmp_path / "site"))
    assert gone(left)
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_cli_leaves_the_build_s_garbage_to_the_end_of_its_process(tmp_path, monkeypatch):
    import gc

    import kiosk_memory

    content, output = write_site(tmp_path), tmp_path / "site"
    released, real = [], kiosk_memory.release

    def release(*args, **kwargs):
        if not args:  # build_site's call, not the one at Pelican's `finalized`
            released.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(kiosk_memory, "release", release)
    try:
        # A process that goes on (invoke serve, these tests): collected and handed back.
        tasks.build_site(tasks.CONFIG["dev"], output, content, quiet=True)
        assert released == [{"freeze": False}]
        # invoke build / publish / deploy end with the build: no collection of it.
        summary = tasks.build_site(tasks.CONFIG["dev"], output, content, quiet=True,
                                   force=True, collect=False)  # fmt: skip
        assert released == [{"freeze": False}]
        assert gc.get_freeze_count() > 0, "the build's objects stay out of the collector"
        assert summary["articles"] == 2 and (output / "index.html").is_file()
    finally:
        gc.unfreeze()
        gc.collect()
