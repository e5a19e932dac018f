"""Deploy targets as editors write them on the command line."""

import re
from dataclasses import dataclass
from pathlib import Path

FORMS = "rsync:PATH, rsync:user@host:PATH or git:REMOTE#BRANCH"


class TargetError(ValueError):
    """TARGET is not one of the supported forms; the message says why."""


@dataclass(frozen=True)
class Target:
    kind: str  # "rsync" or "git"
    destination: str  # rsync destination, or git remote (URL or path)
    branch: str | None = None

    def __str__(self):
        if self.kind == "git":
            return f"git:{self.destination}#{self.branch}"
        return f"rsync:{self.destination}"


def parse_target(text: str, cwd: Path) -> Target:
    """Parse TARGET; local paths are made absolute against ``cwd``.

    Done before the build so that a typo fails in a second, not after it.
    """
    kind, sep, rest = text.partition(":")
    if text.startswith("s3://"):
        raise TargetError("S3 deploys are not supported (see README, 'Deploying'); "
                          f"use {FORMS}")  # fmt: skip
    if not sep or not rest or kind not in ("rsync", "git"):
        raise TargetError(f"--to {text!r}: expected {FORMS}")
    if kind == "rsync":
        # user@host:path or host:path is remote (ssh); anything else a local folder.
        if re.match(r"^[\w.@-]+:", rest):
            return Target("rsync", rest)
        return Target("rsync", str((cwd / Path(rest).expanduser()).resolve()))
    remote, _, branch = rest.partition("#")
    if not remote or not branch:
        raise TargetError(f"--to {text!r}: expected git:REMOTE#BRANCH, e.g. git:origin#gh-pages")
    if "://" not in remote and not re.match(r"^[\w.-]+@[\w.-]+:", remote):
        local = (cwd / Path(remote).expanduser()).resolve()
        # A bare word that is no folder is a remote name of this repository.
        if local.exists() or "/" in remote:
            remote = str(local)
    return Target("git", remote, branch)
