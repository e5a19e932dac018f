"""Ship a build with rsync: a mirror of the build, sent by content checksum."""

import subprocess
import sys
from pathlib import Path

# Already compressed: recompressing them in transit (remote -z) is wasted CPU.
SKIP_COMPRESS = "gz/br/jpg/jpeg/png/webp/avif/gif/woff/woff2/pf_fragment/pf_index/pf_meta/pf_filter"


def rsync_command(source: Path, destination: str, tty: bool) -> list[str]:
    """The rsync command line; why each option is there is the point of this function."""
    command = [
        "rsync",
        "--archive",
        # Every build rewrites every file: with times preserved, unchanged files
        # would be listed (and re-stamped) on every deploy and their ETags,
        # which nginx derives from mtime, would change. By checksum and without
        # times, an unchanged file is not touched at all.
        "--checksum", "--no-times", "--omit-dir-times",
        # Mirror: pages and old fingerprinted assets that are gone from the build go.
        "--delete-delay",
        # Files land in place together at the end, so the host never serves a
        # new page that points at an asset not uploaded yet.
        "--delay-updates",
        # The host's own users and groups, not the build machine's.
        "--no-owner", "--no-group", "--chmod=D755,F644",
        # One line per changed file: the record of what shipped (no --stats
        # block: the deploy's own last line says how many were sent and deleted).
        "--itemize-changes", "--human-readable",
    ]  # fmt: skip
    if ":" in destination:
        command += ["--compress", f"--skip-compress={SKIP_COMPRESS}"]
    else:
        command.append("--mkpath")
    if tty:
        command.append("--info=progress2")
    # The trailing slash ships the folder's contents, not the folder.
    return [*command, f"{source}/", f"{destination.rstrip('/')}/"]


def ship_rsync(source: Path, destination: str) -> dict:
    """Mirror ``source`` to ``destination``, echoing rsync's report as it goes.

    Returns {"sent": [paths], "deleted": [paths]}; raises CalledProcessError
    when rsync fails.
    """
    command = rsync_command(source, destination, tty=sys.stdout.isatty())
    shipped = {"sent": [], "deleted": []}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
            change, _, path = line.rstrip("\n").partition(" ")
            if change == "*deleting":
                shipped["deleted"].append(path.strip())
            elif change[:2] in (">f", "<f"):
                shipped["sent"].append(path)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return shipped
