"""Session fixtures: the sample magazine, built once per session the way an editor
builds it (``invoke build`` / ``invoke publish`` in a subprocess), served on
127.0.0.1, and Debian's Chromium for Playwright."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def invoke(*args, cwd=ROOT, check=True):
    """Run an invoke task of this repo as a user would, returning the result."""
    result = subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=cwd, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if check and result.returncode != 0:
        pytest.fail(f"invoke {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def search_site(page, site_url, query):
    """Type ``query`` into the search page in Chromium; the result links once shown.

    The count appears before the results (each result loads its own fragment,
    from one of the merged yearly bundles), so this waits for the first link.
    """
    page.goto(f"{site_url}/search/")
    page.fill(".pagefind-ui__search-input", query)
    page.wait_for_function(
        """() => {
            const message = document.querySelector('.pagefind-ui__message');
            if (!message || /^Searching/.test(message.textContent)) return false;
            return /^No results/.test(message.textContent)
                || document.querySelector('.pagefind-ui__result-link') !== null;
        }"""
    )
    return [a.get_attribute("href") for a in page.query_selector_all(".pagefind-ui__result-link")]


def pagefind_search(page, base, query, filters=None):
    """Run Pagefind's own API in the page, every older year merged in as search.js
    merges them, and return its results' data (url, meta, excerpt…)."""
    page.goto(f"{base}/")
    return page.evaluate(
        """async ([query, filters]) => {
            const pagefind = await import("/pagefind/pagefind.js");
            const shards = await (await fetch("/pagefind/shards.json")).json();
            for (const path of shards.merge) {
                await pagefind.mergeIndex("/pagefind/" + path);
            }
            const search = await pagefind.search(query, {filters: filters || {}});
            return Promise.all(search.results.map(r => r.data()));
        }""",
        [query, filters],
    )


def article_pages(site):
    """(URL path, parsed page) of each article page of a built site that Pagefind
    indexes (its body marked ``data-pagefind-body``), drafts left out, in path order."""
    from bs4 import BeautifulSoup

    for path in sorted(site.rglob("index.html")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(("drafts/", "pagefind/")):
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        if soup.select_one("[data-pagefind-body]") is not None:
            yield "/" + relative.removesuffix("index.html"), soup


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The sample magazine built with pelicanconf.py (development settings)."""
    output = tmp_path_factory.mktemp("dev") / "output"
    invoke("build", "--output", str(output))
    return output


@pytest.fixture(scope="session")
def published_site(tmp_path_factory):
    """The sample magazine built with publishconf.py (absolute URLs, no drafts)."""
    output = tmp_path_factory.mktemp("prod") / "output"
    invoke("publish", "--output", str(output))
    return output


def serve(directory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def site_url(built_site):
    """The development build served over HTTP on 127.0.0.1."""
    proc, url = serve(built_site)
    yield url
    proc.terminate()
    proc.wait(5)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
