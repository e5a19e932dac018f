"""Ship a build as a commit on a branch of a git remote, with ghp-import.

The commit is made in a scratch repository that fetched the branch first, so
the branch's history is kept and the editor's own repository (its branches,
index and working tree) is never touched.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def _git(repo, *args, check=True):
    return subprocess.run(["git", "-C", str(repo), *args], check=check,
                          capture_output=True, text=True)  # fmt: skip


def _identity(root: Path) -> dict:
    """Commit as the editor's repository would, or as 'Kiosk deploy' without one."""
    env = dict(os.environ)
    wanted = (("user.name", "GIT_COMMITTER_NAME", "Kiosk deploy"),
              ("user.email", "GIT_COMMITTER_EMAIL", "deploy@localhost"))  # fmt: skip
    for key, var, default in wanted:
        value = _git(root, "config", key, check=False).stdout.strip()
        env.setdefault(var, value or default)
    return env


def resolve_remote(remote: str, root: Path) -> str:
    """A remote name of ``root``'s repository becomes its URL; URLs and paths stay."""
    found = _git(root, "remote", "get-url", remote, check=False)
    return found.stdout.strip() if found.returncode == 0 else remote


def ship_git(source: Path, remote: str, branch: str, message: str, root: Path) -> dict:
    """Commit ``source`` (plus .nojekyll) on top of ``remote``'s ``branch`` and push.

    Returns {"commit": sha or None, "changes": ["A\tpath", ...]}; commit is None
    when the build is identical to what the branch already holds (nothing pushed).
    Raises CalledProcessError when git or ghp-import fails.
    """
    url = resolve_remote(remote, root)
    with tempfile.TemporaryDirectory(prefix="kiosk-deploy-") as scratch:
        _git(scratch, "init", "--quiet", "--initial-branch=kiosk-deploy")
        _git(scratch, "remote", "add", "origin", url)
        # Fails only when the branch does not exist yet: the first deploy.
        fetched = _git(scratch, "fetch", "--quiet", "origin", branch, check=False)
        previous = "FETCH_HEAD" if fetched.returncode == 0 else None
        subprocess.run(
            [sys.executable, "-m", "ghp_import", "--no-jekyll", "--remote", "origin",
             "--branch", branch, "--message", message, str(source)],
            cwd=scratch, env=_identity(root), check=True,
        )  # fmt: skip
        if previous:
            changes = _git(scratch, "diff", "--name-status", previous, branch).stdout
        else:
            changes = _git(scratch, "show", "--name-status", "--format=", branch).stdout
        changes = changes.splitlines()
        if not changes:
            return {"commit": None, "changes": []}
        _git(scratch, "push", "--quiet", "origin", f"{branch}:{branch}")
        return {"commit": _git(scratch, "rev-parse", branch).stdout.strip(), "changes": changes}
