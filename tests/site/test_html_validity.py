"""Every HTML page of the built sample magazine passes html-validate (npm;
rules in tests/site/html-validate.json), run once over the whole site."""

import json
import subprocess
from pathlib import Path

import pytest

from tests.site.test_theme_markup import KINDS, pages_by_kind

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "site" / "html-validate.json"
# html-validate 11 needs Node 22; package.json brings it as the `node` package.
NODE = ROOT / "node_modules" / ".bin" / "node"
CLI = ROOT / "node_modules" / "html-validate" / "bin" / "html-validate.mjs"


@pytest.fixture(scope="module")
def report(built_site):
    if not (NODE.exists() and CLI.exists()):
        pytest.fail("html-validate is missing: run `npm ci` in the repository")
    files = [str(built_site / rel) for _kind, rels in sorted(pages_by_kind(built_site).items())
             for rel in rels]  # fmt: skip
    result = subprocess.run(
        [str(NODE), str(CLI), "--config", str(CONFIG), "--formatter", "json", *files],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    results = json.loads(result.stdout or "[]")
    return {
        Path(r["filePath"]).relative_to(built_site).as_posix(): [
            f"{m['line']}:{m['column']} {m['ruleId']}: {m['message']}" for m in r["messages"]
        ]
        for r in results
        if r["messages"]
    }, len(files)


def test_every_page_kind_was_validated(built_site, report):
    assert set(KINDS) <= set(pages_by_kind(built_site))
    assert report[1] >= len(KINDS)


def test_every_page_is_valid_html(report):
    problems, _ = report
    assert problems == {}
