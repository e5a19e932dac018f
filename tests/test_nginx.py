"""deploy/nginx.conf under Debian's nginx, over a publish build of the sample
magazine: what a reader's browser and a crawler get over HTTP."""

import gzip
import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import brotli
import pytest

from tests.conftest import ROOT

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
ARTICLE = "/sanctions-need-an-exit/"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="needs Debian's nginx "
                                "(scripts/setup --test installs it)")  # fmt: skip


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_config(tmp: Path, site: Path, port: int) -> Path:
    """deploy/nginx.conf as shipped, on a free port over ``site``, everything nginx
    writes (pid, logs, temp files) kept in ``tmp``."""
    site_conf = (ROOT / "deploy" / "nginx.conf").read_text()
    site_conf = re.sub(r"^\s*listen \[::\]:80;\n", "", site_conf, flags=re.M)
    site_conf = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", site_conf)
    site_conf = re.sub(r"root /srv/kiosk;", f"root {site};", site_conf)
    if not BROTLI_MODULE.exists():
        site_conf = re.sub(r"^\s*brotli_static on;\n", "", site_conf, flags=re.M)
    (tmp / "kiosk.conf").write_text(site_conf)
    temps = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp_paths = "\n".join(f"    {name}_temp_path {tmp / name};" for name in temps)
    main = f"""
daemon off;
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
{f"load_module {BROTLI_MODULE};" if BROTLI_MODULE.exists() else ""}
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / "access.log"};
{temp_paths}
    include {tmp / "kiosk.conf"};
}}
"""
    (tmp / "nginx.conf").write_text(main)
    return tmp / "nginx.conf"


@pytest.fixture(scope="module")
def nginx(published_site, tmp_path_factory):
    """(host, port) of nginx serving the published sample magazine."""
    tmp = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    config = render_config(tmp, published_site, port)
    test = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(tmp), "-e", str(tmp / "e")],
                          capture_output=True, text=True)  # fmt: skip
    assert test.returncode == 0, test.stderr
    proc = subprocess.Popen([NGINX, "-c", str(config), "-p", str(tmp), "-e", str(tmp / "e")],
                            stderr=subprocess.PIPE)  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail(f"nginx did not start: {proc.stderr.read().decode()}")
    yield "127.0.0.1", port
    proc.terminate()
    proc.wait(10)


def get(server, path, **headers):
    """One GET; returns (status, headers dict with lower-case names, raw body)."""
    connection = http.client.HTTPConnection(*server, timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def published_headers(site: Path) -> dict:
    """The site-wide headers kiosk_headers wrote into _headers (the `/*` rule)."""
    lines = (site / "_headers").read_text().split("\n/*\n", 1)[1].split("\n\n", 1)[0]
    return dict(line.strip().split(": ", 1) for line in lines.splitlines() if line.strip())


def test_pretty_urls_serve_the_page(nginx, published_site):
    for path in ("/", "/latest/", ARTICLE, "/section/analysis/", "/feeds/latest.atom.xml"):
        status, headers, _ = get(nginx, path)
        assert status == 200, path
    status, headers, body = get(nginx, ARTICLE)
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body == (published_site / ARTICLE.strip("/") / "index.html").read_bytes()


def test_a_folder_without_slash_redirects_to_the_pretty_url(nginx):
    status, headers, _ = get(nginx, ARTICLE.rstrip("/"))
    assert status == 301 and headers["location"] == ARTICLE


def test_unknown_path_gets_the_404_page_with_status_404(nginx, published_site):
    status, headers, body = get(nginx, "/no-such-article/")
    assert status == 404
    assert body == (published_site / "404.html").read_bytes()
    assert headers["content-type"].startswith("text/html")


def test_host_files_and_dotfiles_are_not_served(nginx, published_site):
    for name in ("_headers", ".htaccess", "_redirects"):
        if (published_site / name).exists():
            assert get(nginx, f"/{name}")[0] == 404, name


def test_gzip_is_served_from_the_precompressed_file(nginx, published_site):
    css = next((published_site / "theme" / "css").glob("kiosk.*.css"))
    for path, original in ((ARTICLE, published_site / "sanctions-need-an-exit" / "index.html"),
                           (f"/theme/css/{css.name}", css)):  # fmt: skip
        status, headers, body = get(nginx, path, **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in headers["vary"]
        assert body == original.with_name(original.name + ".gz").read_bytes()
        assert gzip.decompress(body) == original.read_bytes()
    assert get(nginx, f"/theme/css/{css.name}", **{"Accept-Encoding": "gzip"})[1][
        "content-type"
    ].startswith("text/css")
    # A client that asks for nothing gets the plain file.
    assert "content-encoding" not in get(nginx, ARTICLE)[1]


@pytest.mark.skipif(not BROTLI_MODULE.exists(), reason="libnginx-mod-http-brotli-static missing")
def test_brotli_is_served_when_the_module_is_installed(nginx, published_site):
    status, headers, body = get(nginx, ARTICLE, **{"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200 and headers["content-encoding"] == "br"
    original = (published_site / "sanctions-need-an-exit" / "index.html").read_bytes()
    assert brotli.decompress(body) == original


def test_only_fingerprinted_assets_are_cached_for_a_year(nginx, published_site):
    css = next((published_site / "theme" / "css").glob("kiosk.*.css"))
    assert re.fullmatch(r"kiosk\.[0-9a-f]{8}\.css", css.name)
    _, asset, _ = get(nginx, f"/theme/css/{css.name}")
    assert asset["cache-control"] == "public, max-age=31536000, immutable"
    for path in (ARTICLE, "/", "/feeds/latest.atom.xml", "/favicon.svg"):
        _, headers, _ = get(nginx, path)
        assert headers["cache-control"] == "no-cache", path


def test_security_headers_match_what_kiosk_headers_publishes(nginx, published_site):
    expected = published_headers(published_site)
    assert "Content-Security-Policy" in expected
    for path in (ARTICLE, "/no-such-article/", "/favicon.svg"):
        _, headers, _ = get(nginx, path)
        for name, value in expected.items():
            assert headers.get(name.lower()) == value, (path, name)
