"""Draw BENCHMARKS.md's chart: cold build time against N, one line per system.

Reads every ``bench/results/n*.json`` (the latest result at each N) and writes
``bench/results/cold-build.svg``. The SVG carries no date and a fixed hash
salt, so the same results always give the same file.
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)

RESULTS = Path(__file__).resolve().parent / "results"
COLOURS = {"kiosk": "#b3261e", "hugo": "#1f5fa8", "pelican": "#4d7c0f"}


def load():
    points = {}
    for path in sorted(RESULTS.glob("n*.json")):
        result = json.loads(path.read_text())
        for system, row in result["medians"].items():
            if row.get("cold"):
                points.setdefault(system, []).append((result["articles"], row["cold"]))
    return {system: sorted(values) for system, values in points.items()}


def main():
    matplotlib.rcParams["svg.hashsalt"] = "kiosk-bench"
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for system, values in load().items():
        xs, ys = zip(*values, strict=True)
        ax.plot(xs, ys, marker="o", label=system, color=COLOURS.get(system))
        for x, y in values:
            ax.annotate(f"{y:g} s", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("articles (N)")
    ax.set_ylabel("cold build, seconds (median)")
    ax.set_title("Cold build time against corpus size (same machine, same command)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    target = RESULTS / "cold-build.svg"
    fig.savefig(target, metadata={"Date": None})
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
