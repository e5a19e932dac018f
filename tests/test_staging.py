"""The staging folder a build writes into (kiosk_staging).

A build is swapped into the output's place only when it succeeded. The site
it replaces is not thrown away whole: its files go, in the background, and
its folders are kept as a skeleton for the next build, which would otherwise
spend seconds creating the same 18,000 folders again (BENCHMARKS.md, lever
70). What an editor must be able to rely on: a build from a skeleton is
exactly a clean build, folder for folder, and no file of the replaced site
ever reaches the new one.
"""

import fcntl
import os
import time
from pathlib import Path

import pytest

from kiosk_staging import (
    OLD_PREFIX,
    SKELETON_PREFIX,
    Staging,
    _in_progress,
    _made_at,
    copy_folders_in_background,
    remove_skeletons,
)
from tasks import ROOT, build_site
from tests.sites import tree_digest, write_site


def skeleton_of(parent: Path, within=30.0) -> Path:
    """The skeleton the next build in ``parent`` takes, once the background work is done.

    Two builds in quick succession can leave two (the first one's copy of its
    folders, finished after the second build started): the next build takes
    the newest and deletes the other.
    """
    deadline = time.monotonic() + within
    while True:
        found = [path for path in parent.glob(f"{SKELETON_PREFIX}*") if path.is_dir()]
        if found and not any(parent.glob(".output-old-*")):
            return max(found, key=_made_at)
        assert time.monotonic() < deadline, "no skeleton was made of the replaced site"
        time.sleep(0.05)


def folders(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_dir()}


def files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if not path.is_dir()]


def a_site(root: Path, pages: list[str]) -> Path:
    for page in pages:
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        (root / page).write_text(f"<p>{page}</p>", "utf-8")
    return root


def test_the_replaced_site_becomes_its_folders_without_a_file(tmp_path):
    output = a_site(tmp_path / "output", ["index.html", "a/index.html", "tag/x/page/2/index.html"])
    staging = Staging(output)
    staging.prepare()
    a_site(staging.folder, ["index.html"])

    staging.swap_in()

    skeleton = skeleton_of(tmp_path)
    assert folders(skeleton) == {"a", "tag", "tag/x", "tag/x/page", "tag/x/page/2"}
    assert files(skeleton) == []
    assert [path.name for path in files(output)] == ["index.html"]


def test_after_a_first_build_the_skeleton_is_a_copy_of_its_folders(tmp_path):
    staging = Staging(tmp_path / "output")
    staging.prepare()
    a_site(staging.folder, ["index.html", "a/index.html", "tag/x/page/2/index.html"])

    staging.swap_in()

    skeleton = skeleton_of(tmp_path)
    assert folders(skeleton) == folders(tmp_path / "output")
    assert files(skeleton) == []
    assert len(files(tmp_path / "output")) == 3, "the new site was touched"


def test_a_build_starts_from_the_newest_skeleton_and_the_others_go(tmp_path):
    for made_at, folder in ((1, "older"), (2, "newer")):
        skeleton = tmp_path / f"{SKELETON_PREFIX}1-{made_at}"
        (skeleton / folder / "deep").mkdir(parents=True)
        Path(f"{skeleton}.folders").write_bytes(f"{folder}/deep\0{folder}\0".encode())
    staging = Staging(tmp_path / "output")

    staging.prepare()

    assert folders(staging.folder) == {"newer", "newer/deep"}
    deadline = time.monotonic() + 30
    while list(tmp_path.glob(f"{SKELETON_PREFIX}*")):
        assert time.monotonic() < deadline, list(tmp_path.glob(f"{SKELETON_PREFIX}*"))
        time.sleep(0.05)


def test_the_skeleton_s_folders_the_build_left_empty_are_removed(tmp_path):
    skeleton = tmp_path / f"{SKELETON_PREFIX}1-1"
    for folder in ("kept", "gone/page/2", "also-gone"):
        (skeleton / folder).mkdir(parents=True)
    listed = ["kept", "gone/page/2", "gone/page", "gone", "also-gone"]  # deepest first
    Path(f"{skeleton}.folders").write_bytes("\0".join(listed).encode() + b"\0")
    staging = Staging(tmp_path / "output")
    staging.prepare()
    a_site(staging.folder, ["kept/index.html"])
    (staging.folder / "made-empty-by-this-build").mkdir()

    assert staging.prune() == 4

    assert folders(staging.folder) == {"kept", "made-empty-by-this-build"}


def test_a_replaced_site_still_being_stripped_is_left_to_its_process(tmp_path):
    # A build that starts while the last one's background work goes on must not
    # delete under it: the work holds a lock on its folder (flock).
    busy = a_site(tmp_path / ".output-old-1-1", ["a/index.html"])
    handle = os.open(busy, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        Staging(tmp_path / "output").prepare()
        time.sleep(0.5)
        assert (busy / "a" / "index.html").is_file(), "work in progress was deleted"
    finally:
        os.close(handle)
    # Unlocked, it is what a shutdown left: the next build deletes it.
    Staging(tmp_path / "output").prepare()
    deadline = time.monotonic() + 30
    while busy.exists():
        assert time.monotonic() < deadline, "a leftover was not deleted"
        time.sleep(0.05)


def test_a_skeleton_a_background_deletion_holds_is_not_taken(tmp_path):
    skeleton = tmp_path / f"{SKELETON_PREFIX}1-1"
    (skeleton / "a").mkdir(parents=True)
    Path(f"{skeleton}.folders").write_bytes(b"a\0")
    handle = os.open(skeleton, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as another build's rm -rf of it would
        staging = Staging(tmp_path / "output")
        staging.prepare()
        assert list(staging.folder.iterdir()) == [], "the build took a skeleton being deleted"
    finally:
        os.close(handle)


def test_a_build_holds_the_skeleton_it_took_until_it_is_swapped_in(tmp_path):
    skeleton = tmp_path / f"{SKELETON_PREFIX}1-1"
    (skeleton / "a").mkdir(parents=True)
    Path(f"{skeleton}.folders").write_bytes(b"a\0")
    staging = Staging(tmp_path / "output")
    staging.prepare()
    assert (staging.folder / "a").is_dir()
    assert _in_progress(staging.folder), "another build could delete under this one"
    staging.swap_in()
    assert not _in_progress(tmp_path / "output")


def test_background_work_is_locked_before_another_build_can_look_at_it(tmp_path):
    # A build right after a first build must not take the copy of the first
    # site's folders for a shutdown's leftover: it would delete the folder
    # under the copy, and the copy's late lock made a stray file of its name.
    site = a_site(tmp_path / "output", [f"{n}/index.html" for n in range(200)])
    work = tmp_path / f"{OLD_PREFIX}1-1"
    copy_folders_in_background(site, work, tmp_path / f"{SKELETON_PREFIX}1-1")
    assert _in_progress(work), "a second build would delete work in progress"
    skeleton = skeleton_of(tmp_path)
    assert len(folders(skeleton)) == 200
    assert [path.name for path in tmp_path.iterdir() if not path.is_dir()] == [
        f"{skeleton.name}.folders"
    ]


def test_the_list_of_a_skeleton_being_finished_is_not_taken_for_an_orphan(tmp_path):
    # The list is written just before the folder is renamed to the skeleton.
    work = tmp_path / f"{OLD_PREFIX}1-1"
    (work / "a").mkdir(parents=True)
    listing = Path(f"{tmp_path / SKELETON_PREFIX}1-1.folders")
    listing.write_bytes(b"a\0")
    handle = os.open(work, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as the background process holds it
        Staging(tmp_path / "output").prepare()
        assert listing.exists(), "the skeleton about to be made lost its list of folders"
        work.rename(tmp_path / f"{SKELETON_PREFIX}1-1")
    finally:
        os.close(handle)
    staging = Staging(tmp_path / "output")
    staging.prepare()
    assert (staging.folder / "a").is_dir(), "the finished skeleton was not taken"


def test_a_skeleton_without_its_list_is_deleted_not_kept_for_ever(tmp_path):
    skeleton = tmp_path / f"{SKELETON_PREFIX}1-1"
    (skeleton / "a").mkdir(parents=True)
    staging = Staging(tmp_path / "output")
    staging.prepare()
    assert list(staging.folder.iterdir()) == []
    deadline = time.monotonic() + 30
    while skeleton.exists():
        assert time.monotonic() < deadline, "a skeleton nobody can use was kept"
        time.sleep(0.05)


def test_without_a_skeleton_a_build_starts_from_an_empty_folder(tmp_path):
    staging = Staging(tmp_path / "output")
    staging.prepare()
    assert staging.folder.is_dir() and list(staging.folder.iterdir()) == []
    assert staging.prune() == 0


def test_an_output_in_a_folder_that_does_not_exist_yet_gets_one(tmp_path):
    staging = Staging(tmp_path / "sites" / "2026" / "output")
    staging.prepare()
    assert staging.folder.is_dir()
    staging.swap_in()
    assert (tmp_path / "sites" / "2026" / "output").is_dir()


def test_without_a_shell_the_replaced_site_is_deleted_at_once(tmp_path, monkeypatch):
    output = a_site(tmp_path / "output", ["a/index.html"])
    staging = Staging(output)
    staging.prepare()
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    staging.swap_in()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["output"]


def test_remove_skeletons_leaves_nothing_for_a_cold_build(tmp_path):
    skeleton = tmp_path / f"{SKELETON_PREFIX}1-1"
    (skeleton / "a").mkdir(parents=True)
    Path(f"{skeleton}.folders").write_bytes(b"a\0")
    remove_skeletons(tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def _repo_cwd(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.usefixtures("_repo_cwd")
def test_a_build_from_a_skeleton_is_a_clean_build_folder_for_folder(tmp_path):
    content = write_site(tmp_path)
    settings = ROOT / "pelicanconf.py"
    output = tmp_path / "site"
    build_site(settings, output, content, quiet=True)
    build_site(settings, output, content, quiet=True, force=True)  # the first becomes a skeleton
    skeleton = skeleton_of(tmp_path)
    assert "summit-without-the-other-side" in folders(skeleton)
    kept = (skeleton / "latest").stat().st_ino
    (content / "articles" / "2024" / "summit.md").unlink()

    build_site(settings, output, content, quiet=True)

    assert not skeleton.exists(), "the build did not start from the skeleton"
    assert (output / "latest").stat().st_ino == kept, "the skeleton's folders were made again"
    clean = tmp_path / "clean"
    build_site(settings, clean, content, quiet=True)
    assert "summit-without-the-other-side" not in folders(output)
    assert folders(output) == folders(clean)
    assert tree_digest(output) == tree_digest(clean)


@pytest.mark.usefixtures("_repo_cwd")
def test_pages_go_into_the_skeleton_s_folders_without_making_them_again(tmp_path, monkeypatch):
    content = write_site(tmp_path)
    settings = ROOT / "pelicanconf.py"
    output = tmp_path / "site"
    build_site(settings, output, content, quiet=True)
    build_site(settings, output, content, quiet=True, force=True)
    skeleton = skeleton_of(tmp_path)
    staged = os.path.abspath(output.parent / f".output-staging-{os.getpid()}")
    kept = {os.path.join(staged, name) for name in folders(skeleton)}
    made, makedirs = [], os.makedirs

    def recorded(name, *args, **kwargs):
        made.append(os.fspath(name))
        return makedirs(name, *args, **kwargs)

    monkeypatch.setattr(os, "makedirs", recorded)
    (content / "articles" / "2024" / "summit.md").unlink()

    build_site(settings, output, content, quiet=True)

    assert not skeleton.exists(), "the build did not start from the skeleton"
    assert (output / "latest" / "index.html").is_file()
    pages = {os.path.normpath(os.path.join(staged, page.parent.relative_to(output)))
             for page in output.rglob("*.html")}  # fmt: skip
    assert kept & pages, "no page went into a folder of the skeleton"
    assert not kept.intersection(made) & pages, "a page's folder was made again"
    clean = tmp_path / "clean"
    build_site(settings, clean, content, quiet=True)
    assert tree_digest(output) == tree_digest(clean)
