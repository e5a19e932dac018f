"""`invoke deploy --to TARGET`: publish, then ship only a successful build.

Checked the way an operator meets it: the files that land in a folder synced
with rsync, the commits on a branch of a bare git repository, and what the
command prints.
"""

import subprocess
from pathlib import Path

import pytest
from test_publish import publishable_site

from deploy.rsync import rsync_command
from deploy.targets import Target, TargetError, parse_target
from tests.conftest import ROOT, invoke

ARTICLE_PAGE = "summit-without-the-other-side/index.html"
ARTICLE_FILE = Path("articles/2024/summit.md")


def tree(folder: Path) -> dict:
    """{relative path: bytes} of every file below ``folder``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def sent(stdout: str) -> list[str]:
    """Paths of the files rsync sent, from its --itemize-changes lines."""
    return [line.split(" ", 1)[1] for line in stdout.splitlines() if line.startswith(">f")]


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


def edit_article(content: Path):
    path = content / ARTICLE_FILE
    text = path.read_text()
    path.write_text(text.replace("The body of the piece.", "The body, with a second thought."))


def break_article(content: Path):
    path = content / ARTICLE_FILE
    path.write_text(path.read_text().replace("Region: Europe", "Region: Atlantis"))


# --- targets, parsed before anything is built -------------------------------------


def test_targets_as_an_operator_writes_them(tmp_path):
    assert parse_target("rsync:site", tmp_path) == Target("rsync", str(tmp_path / "site"))
    assert parse_target("rsync:deploy@web1.example:/srv/kiosk", tmp_path) == Target(
        "rsync", "deploy@web1.example:/srv/kiosk"
    )
    assert parse_target("git:origin#gh-pages", tmp_path) == Target("git", "origin", "gh-pages")
    assert parse_target("git:../pages.git#main", tmp_path / "repo") == Target(
        "git", str(tmp_path / "pages.git"), "main"
    )
    assert parse_target("git:git@github.com:kiosk/site.git#gh-pages", tmp_path).destination == (
        "git@github.com:kiosk/site.git"
    )


@pytest.mark.parametrize("text", ["site", "ftp:host", "git:origin", "rsync:", "s3://bucket/x"])
def test_unknown_targets_are_refused_with_the_forms_that_work(text, tmp_path):
    with pytest.raises(TargetError, match="rsync:PATH|git:REMOTE#BRANCH"):
        parse_target(text, tmp_path)


def test_remote_rsync_skips_recompressing_precompressed_files():
    remote = rsync_command(Path("/b"), "u@h:/srv/kiosk", tty=False)
    assert "--compress" in remote and any("gz/br" in arg for arg in remote)
    local = rsync_command(Path("/b"), "/srv/kiosk", tty=False)
    assert "--compress" not in local
    for command in (remote, local):
        assert {"--checksum", "--delete-delay", "--delay-updates"} <= set(command)
        assert command[-2:] == ["/b/", command[-1]] and command[-1].endswith("kiosk/")


# --- rsync to a local folder ------------------------------------------------------


@pytest.fixture(scope="module")
def rsync_deploys(tmp_path_factory):
    """Deploy a tiny site, then again after editing one article's body."""
    tmp = tmp_path_factory.mktemp("rsync-deploy")
    content, output, site = publishable_site(tmp), tmp / "output", tmp / "www" / "kiosk"
    args = ("deploy", "--to", f"rsync:{site}", "--content", str(content), "--output", str(output))
    first = invoke(*args)
    first_tree = tree(site)
    mtimes = {p: (site / p).stat().st_mtime_ns for p in first_tree}
    edit_article(content)
    second = invoke(*args)
    return {"content": content, "output": output, "site": site, "args": args, "first": first,
            "first_tree": first_tree, "mtimes": mtimes, "second": second}  # fmt: skip


def test_rsync_deploy_mirrors_the_published_build(rsync_deploys):
    site, output = rsync_deploys["site"], rsync_deploys["output"]
    assert tree(site) == tree(output)
    assert (site / "index.html.gz").is_file() and (site / "index.html.br").is_file()
    stdout = rsync_deploys["first"].stdout
    assert "Published " in stdout
    assert sorted(sent(stdout)) == sorted(rsync_deploys["first_tree"])
    assert f"Deployed to rsync:{site}: {len(rsync_deploys['first_tree'])} files sent" in stdout


def test_second_deploy_ships_only_what_changed(rsync_deploys):
    site, first_tree = rsync_deploys["site"], rsync_deploys["first_tree"]
    shipped = sent(rsync_deploys["second"].stdout)
    assert ARTICLE_PAGE in shipped and f"{ARTICLE_PAGE}.br" in shipped
    assert b"second thought" in (site / ARTICLE_PAGE).read_bytes()
    for untouched in ("about/index.html", "404.html", "favicon.svg"):
        assert untouched not in shipped
    assert not [path for path in shipped if path.startswith("theme/")]
    assert len(shipped) < len(first_tree) / 3, shipped
    # Files rsync did not send were not even re-stamped on the host.
    for path, mtime in rsync_deploys["mtimes"].items():
        if path not in shipped and (site / path).exists():
            assert (site / path).stat().st_mtime_ns == mtime, path


def test_files_gone_from_the_build_are_deleted_on_the_host(rsync_deploys):
    (rsync_deploys["content"] / "pages" / "about.md").unlink()
    result = invoke(*rsync_deploys["args"])
    assert "*deleting   about/index.html" in result.stdout
    assert not (rsync_deploys["site"] / "about").exists()
    assert tree(rsync_deploys["site"]) == tree(rsync_deploys["output"])


# --- a failed build ships nothing ---------------------------------------------------


def test_a_failed_build_deploys_nothing(tmp_path):
    content, output = publishable_site(tmp_path), tmp_path / "output"
    site, remote = tmp_path / "www", tmp_path / "pages.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    invoke("deploy", "--to", f"rsync:{site}", "--content", str(content), "--output", str(output))
    invoke("deploy", "--to", f"git:{remote}#gh-pages", "--content", str(content),
           "--output", str(output))  # fmt: skip
    before, head = tree(site), git(remote, "rev-parse", "gh-pages")
    break_article(content)
    for target in (f"rsync:{site}", f"rsync:{tmp_path / 'new-host'}", f"git:{remote}#gh-pages"):
        result = invoke("deploy", "--to", target, "--content", str(content),
                        "--output", str(output), check=False)  # fmt: skip
        assert result.returncode != 0
        assert "Atlantis" in result.stderr and "nothing was published" in result.stderr
        assert "Deployed" not in result.stdout
    assert tree(site) == before
    assert not (tmp_path / "new-host").exists()
    assert git(remote, "rev-parse", "gh-pages") == head


# --- git: a branch of a bare repository --------------------------------------------


def test_git_deploy_commits_on_the_branch_and_keeps_history(tmp_path):
    content, output = publishable_site(tmp_path), tmp_path / "output"
    remote = tmp_path / "pages.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    args = ("deploy", "--to", f"git:{remote}#gh-pages", "--content", str(content),
            "--output", str(output))  # fmt: skip
    branches_before = git(ROOT, "branch", "--list")
    first = invoke(*args)
    first_commit = git(remote, "rev-parse", "gh-pages")
    files = set(git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    assert files == set(tree(output)) | {".nojekyll"}
    assert f"Deployed {first_commit[:10]} to git:{remote}#gh-pages" in first.stdout

    edit_article(content)
    second = invoke(*args)
    log = git(remote, "log", "--format=%H %P|%s", "gh-pages").splitlines()
    assert len(log) == 2
    newest, parent = log[0].split("|")[0].split()
    assert parent == first_commit, "the previous deploy must stay in the branch's history"
    subject = log[0].split("|", 1)[1]
    today = subprocess.run(["date", "+%Y-%m-%d"], capture_output=True, text=True).stdout.strip()
    assert subject.startswith(f"Publish Kiosk {today}")
    changed = git(remote, "diff", "--name-only", first_commit, newest).splitlines()
    assert ARTICLE_PAGE in changed and "about/index.html" not in changed
    assert f"M\t{ARTICLE_PAGE}" in second.stdout
    shipped = git(remote, "show", f"gh-pages:{ARTICLE_PAGE}")
    assert "second thought" in shipped
    # The editor's repository is untouched: the commit was made in a scratch clone.
    assert git(ROOT, "branch", "--list") == branches_before
