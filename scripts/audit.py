"""Lighthouse on the home page and an article page of a built Kiosk site.

Prints the four category scores and the page weights, and exits 1 when a
score misses its target (Performance 95, Accessibility, Best Practices and
SEO 100). Lighthouse comes from npm (package.json: ``lighthouse`` with the
``node`` 22 package it needs) and drives Debian's Chromium (``CHROME_PATH``).

    python scripts/audit.py                      # publish build, served here, audited
    python scripts/audit.py --site output        # serve an existing build and audit it
    python scripts/audit.py --url http://127.0.0.1:8000 --page /some-slug/

By default the site is built with publishconf.py and KIOSK_SITEURL set to the
local server's address, so canonical URLs and minified assets are what
production serves. A development build (`--site output`) has site-relative
canonical URLs, which Lighthouse's SEO category marks as invalid.
"""

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "node_modules" / ".bin"
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = " ".join([
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
])  # fmt: skip
CATEGORIES = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
# Lighthouse reports transfer sizes by resource type; these are the page itself.
OWN_TYPES = ("document", "stylesheet", "script")


@contextlib.contextmanager
def served(folder):
    """Serve ``folder`` on a free port of 127.0.0.1 for as long as the block runs.

    The folder is looked up on every request, so it may be (re)built after the
    server started, once its address is known.
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def publish_build(folder, base):
    """Build the production site into ``folder`` with SITEURL = ``base``."""
    env = {**os.environ, "KIOSK_SITEURL": base}
    cmd = [sys.executable, "-m", "invoke", "publish", "--output", str(folder)]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise SystemExit(f"audit: invoke publish failed:\n{result.stdout}\n{result.stderr}")


def lead_article(base):
    """The home page's lead story: the article a reader is most likely to open."""
    html = urllib.request.urlopen(base + "/", timeout=10).read().decode("utf-8")
    lead = BeautifulSoup(html, "html.parser").select_one(".home-lead h2 a[href]")
    if lead is None:
        raise SystemExit("audit: no lead story on the home page; pass --page")
    return urllib.parse.urljoin(base + "/", lead["href"])


def lighthouse(url, workdir):
    """Run Lighthouse on ``url``; return its JSON report."""
    if not LIGHTHOUSE.exists():
        raise SystemExit("audit: Lighthouse is missing; run `npm ci` in the repository")
    report = Path(workdir) / "report.json"
    env = {
        **os.environ,
        "CHROME_PATH": CHROMIUM,
        # The `node` npm package puts Node 22 here; Lighthouse 13 needs it.
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "TMPDIR": str(workdir),
    }
    node = shutil.which("node", path=env["PATH"])
    cmd = [
        node, str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
        "--only-categories=" + ",".join(CATEGORIES), f"--chrome-flags={CHROME_FLAGS}",
    ]  # fmt: skip
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not report.exists():
        raise SystemExit(f"audit: Lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def scores(report):
    return {key: round((report["categories"][key]["score"] or 0) * 100) for key in CATEGORIES}


def weights(report):
    """Transfer bytes by resource type, as the server sent them."""
    items = report["audits"]["resource-summary"]["details"]["items"]
    return {item["resourceType"]: item["transferSize"] for item in items}


def gzipped_own_bytes(report):
    """HTML + CSS + JS of the page, gzipped: the budget's measure (images excluded)."""
    total = 0
    for item in report["audits"]["network-requests"]["details"]["items"]:
        if item.get("resourceType", "").lower() in ("document", "stylesheet", "script"):
            body = urllib.request.urlopen(item["url"], timeout=10).read()
            total += len(gzip.compress(body, 9))
    return total


def audit(urls):
    """Audit every URL; print a table; return the list of missed targets."""
    missed = []
    for url in urls:
        with tempfile.TemporaryDirectory(prefix="kiosk-audit-") as workdir:
            report = lighthouse(url, workdir)
        got, sizes = scores(report), weights(report)
        print(url)
        print("  " + "  ".join(f"{key} {value}" for key, value in got.items()))
        own = sum(sizes.get(kind, 0) for kind in OWN_TYPES)
        requests = len(report["audits"]["network-requests"]["details"]["items"])
        print(
            f"  weight: total {sizes.get('total', 0):,} B; html+css+js {own:,} B as served, "
            f"{gzipped_own_bytes(report):,} B gzipped; images {sizes.get('image', 0):,} B; "
            f"requests {requests}"
        )
        for key, target in CATEGORIES.items():
            if got[key] < target:
                missed.append(f"{url}: {key} {got[key]} < {target}")
                modes = ("binary", "numeric", "metricSavings")
                failing = [
                    a["title"] for a in report["audits"].values()
                    if a.get("score") is not None and a["score"] < 0.9
                    and a.get("scoreDisplayMode") in modes
                ]  # fmt: skip
                print(f"  {key} below target; audits to look at: {failing[:8]}")
    return missed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--site", type=Path, help="an existing build to serve (default: publish one)"
    )
    where.add_argument("--url", help="base URL of an already served build")
    parser.add_argument(
        "--page", action="append", default=[],
        help="path to audit besides the home page (default: the lead story)",
    )  # fmt: skip
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as stack:
        if args.url:
            base = args.url.rstrip("/")
        elif args.site:
            if not (args.site / "index.html").exists():
                raise SystemExit(f"audit: no built site in {args.site}; run `invoke build` first")
            base = stack.enter_context(served(args.site))
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-audit-")))
            base = stack.enter_context(served(folder / "site"))
            publish_build(folder / "site", base)
        pages = [base + "/"] + ([base + p for p in args.page] or [lead_article(base)])
        missed = audit(pages)
    if missed:
        print("Targets missed:\n  " + "\n  ".join(missed))
        return 1
    print("All Lighthouse targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
