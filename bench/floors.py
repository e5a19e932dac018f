"""What no build of this magazine can go below, against Hugo's cold build in the same command.

Issue 6 asks for a cold build within 1.0x Hugo's and an edit within 0.2x.
Three costs that any Kiosk build pays, whatever its code, are measured here in
alternating runs with Hugo's cold build of the same corpus:

* ``pagefind``  -- Pagefind (the CLI ``kiosk_search`` runs) indexing every
  article page of a built site in one run, the least it can be given: each
  page's search copy (``copies.search_copy``, made before the clock starts),
  one process, no shards, no cache. A site with full-text search pays this
  in every cold build.
* ``shard``     -- the same on one shard's worth of those pages (every
  k-th page, for the k shards of ``/pagefind/shards.json``): what an edit
  re-indexes, after the edited page is rendered and before the site is done.
* ``start``     -- a Python process that imports Pelican and exits: what a
  build command pays before it has read a file.

Each run records wall seconds and the processor seconds of the process
(user + system, both cores counted). Usage, after a publish build of the
corpus (``bench/timeline.py --articles N`` leaves one in
``bench/work/n<N>-s<seed>/timeline/output``)::

    python bench/floors.py --articles 10000 --runs 3

or ``invoke bench --floors --articles 10000 --runs 3``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "plugins"))

import run as bench_run  # noqa: E402  (bench/ is not a package on the import path)

from kiosk_search.copies import search_copy  # noqa: E402
from kiosk_search.indexing import INDEX_OPTIONS, get_executable  # noqa: E402
from kiosk_search.shards import MARKER  # noqa: E402


def article_copies(site: Path, folder: Path) -> int:
    """Write the search copy of every page Pagefind indexes (its body marker) below ``folder``."""
    count = 0
    for dirpath, _dirs, names in os.walk(site):
        for name in names:
            if not name.endswith(".html"):
                continue
            path = Path(dirpath) / name
            data = path.read_bytes()
            if MARKER not in data:
                continue
            target = folder / path.relative_to(site)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(search_copy(data))
            count += 1
    return count


def one_shard(site: Path, pages: Path, folder: Path) -> int:
    """Link every k-th search copy into ``folder``, for the site's k shards; how many."""
    shards = json.loads((site / "pagefind" / "shards.json").read_text("utf-8"))
    step = len(shards["merge"]) + 1  # the older shards, and the newest at /pagefind/
    copies = sorted(path for path in pages.rglob("*.html"))
    for path in copies[::step]:
        target = folder / path.relative_to(pages)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)
    return len(copies[::step])


def timed(argv: list[str], cwd: Path) -> dict:
    """Run ``argv``; its wall seconds and processor seconds (children's rusage delta)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="a bench/corpus.py folder "
                        "(default: bench/work/n<N>-s<seed>)")  # fmt: skip
    parser.add_argument("--site", type=Path, help="a built Kiosk site (default: the timeline's)")
    parser.add_argument("--json", type=Path, help="where to write the result "
                        "(default: bench/results/floors-n<N>.json)")  # fmt: skip
    args = parser.parse_args(argv)
    work = args.work or bench_run.WORK / f"n{args.articles}-s{args.seed}"
    site = args.site or work / "timeline" / "output"
    if not (site / "index.html").is_file():
        raise SystemExit(f"no built site in {site}: run bench/timeline.py --articles "
                         f"{args.articles} first, or pass --site")  # fmt: skip
    hugo = bench_run.Hugo(work)
    scratch = Path(tempfile.mkdtemp(prefix=".floors-", dir=work))
    pages = scratch / "pages"
    count = article_copies(site, pages)
    shard_count = one_shard(site, pages, scratch / "shard")
    print(f"floors: {count} article pages' search copies from {site}, {shard_count} "
          f"for one shard", flush=True)  # fmt: skip
    pagefind = [os.fspath(get_executable()), *INDEX_OPTIONS]
    start = [sys.executable, "-c", "import pelican, pelican.generators, pelican.writers"]
    records = {"hugo": [], "pagefind": [], "shard": [], "start": []}
    for number in range(1, args.runs + 1):
        order = list(records)
        order = order[(number - 1) % len(order) :] + order[: (number - 1) % len(order)]
        for name in order:
            if name == "hugo":
                hugo.clean()
                command, cwd, _env = hugo.command()
                record = timed(command, cwd)
            elif name in ("pagefind", "shard"):
                source = pages if name == "pagefind" else scratch / "shard"
                bundle = scratch / f"bundle-{name}-{number}"
                record = timed([*pagefind, "--site", os.fspath(source), "--output-path",
                                os.fspath(bundle)], scratch)  # fmt: skip
            else:
                record = timed(start, HERE.parent)
            records[name].append(record)
            print(f"[run {number}/{args.runs}] {name:<9}{record['seconds']:>8.2f} s "
                  f"{record['cpu_seconds']:>8.2f} s of CPU", flush=True)  # fmt: skip
    medians = {name: {key: statistics.median(r[key] for r in rows)
                      for key in ("seconds", "cpu_seconds")}
               for name, rows in records.items()}  # fmt: skip
    hugo_cold = medians["hugo"]["seconds"]
    ratios = {name: round(m["seconds"] / hugo_cold, 3) for name, m in medians.items()}
    print()
    for name, median in medians.items():
        print(f"{name:<9} median {median['seconds']:8.2f} s, {median['cpu_seconds']:8.2f} s "
              f"of CPU: {ratios[name]:.3f}x Hugo's cold build")  # fmt: skip
    result = {"articles": args.articles, "seed": args.seed, "runs": args.runs,
              "article_pages": count, "shard_pages": shard_count,
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "load_average_at_end": os.getloadavg()[0], "medians": medians,
              "vs_hugo_cold": ratios, "records": records}  # fmt: skip
    target = args.json or bench_run.RESULTS / f"floors-n{args.articles}.json"
    target.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {target}")
    hugo.clean()
    bench_run.set_aside(scratch, work)
    bench_run.empty_trash(work)
    return result


if __name__ == "__main__":
    main()
