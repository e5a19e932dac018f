"""Profile one Kiosk publish of a bench corpus: where the time goes (BENCHMARKS.md).

    .venv/bin/python bench/profile.py --articles 1000          # cold: caches deleted
    .venv/bin/python bench/profile.py --articles 1000 --warm   # again, caches kept

Needs the corpus (``invoke bench --articles N`` writes it into bench/work/).
Builds ``bench/work/n<N>-s<seed>/kiosk`` with ``bench/kiosk_publishconf.py``
under pyinstrument into ``bench/work/profile-n<N>/``, writes the full tree to
``profile-n<N>[-warm].txt`` beside it and prints the phase table: seconds
inside each phase's outermost frame (a phase nested in another is counted in
both, e.g. Markdown inside reading).
"""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PHASES = {
    "generate_context": "reading (all generators)",
    "read_file": "  Pelican readers, per file",
    "to_html": "    Markdown (kiosk_markdown)",
    "typogrify": "    typogrify",
    "process_content": "    kiosk_figures (content_object_init)",
    "attach_related": "  kiosk_related",
    "generate_output": "rendering (Pelican generators)",
    "generate_articles": "  article pages",
    "generate_tags": "  tag pages",
    "generate_authors": "  author pages",
    "generate_categories": "  section pages",
    "render_all": "image variants",
    "_index": "kiosk_search (Pagefind)",
    "finish_site": "kiosk_publish",
    "_compress": "  precompression",
    "minify_page": "  minify",
    "_verify": "kiosk_verify",
}


def phase_seconds(root) -> dict:
    totals = {}

    def walk(frame, inside):
        name = frame.function
        # Only Pelican's own generate_context/generate_output, not plugins' generators.
        counted = name in PHASES and (
            not name.startswith("generate_") or "pelican" in (frame.file_path or "")
        )
        if counted and name not in inside:
            totals[name] = totals.get(name, 0.0) + frame.time
            inside = inside | {name}
        for child in frame.children:
            walk(child, inside)

    walk(root, frozenset())
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--warm", action="store_true", help="keep the previous run's caches")
    parser.add_argument("--edit", action="store_true",
                        help="warm, after appending a paragraph to one article")  # fmt: skip
    args = parser.parse_args()

    from pyinstrument import Profiler

    sys.path.insert(0, str(ROOT))
    from tasks import build_site

    content = HERE / "work" / f"n{args.articles}-s{args.seed}" / "kiosk"
    if not content.is_dir():
        sys.exit(f"{content} is missing: run invoke bench --articles {args.articles} first")
    folder = HERE / "work" / f"profile-n{args.articles}"
    out, cache = folder / "output", folder / "cache"
    args.warm = args.warm or args.edit
    if not args.warm:
        shutil.rmtree(folder, ignore_errors=True)
    if args.edit:
        edited = sorted(content.rglob("*.md"))[len(list(content.rglob("*.md"))) // 2]
        with open(edited, "a", encoding="utf-8") as handle:
            handle.write("\nCorrection: a paragraph added by bench/profile.py --edit.\n")
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["KIOSK_BENCH_CACHE"] = str(cache)

    profiler = Profiler(interval=0.005)
    started = time.perf_counter()
    profiler.start()
    build_site(HERE / "kiosk_publishconf.py", out, content, quiet=True, collect=False)
    profiler.stop()
    wall = time.perf_counter() - started
    session = profiler.last_session
    kind = "edit" if args.edit else "warm" if args.warm else "cold"
    report = folder / f"profile-n{args.articles}{'' if kind == 'cold' else '-' + kind}.txt"
    report.write_text(profiler.output_text(unicode=False, color=False))

    print(f"{kind} publish of N = {args.articles}: "
          f"{wall:.1f} s wall, {session.cpu_time:.1f} s CPU (full tree: {report})")  # fmt: skip
    totals = phase_seconds(session.root_frame())
    for name, label in PHASES.items():
        if name in totals:
            print(f"{totals[name]:8.2f} s {100 * totals[name] / wall:5.1f} %  {label}")


if __name__ == "__main__":
    main()
