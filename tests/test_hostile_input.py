"""Hostile and broken input: whatever an editor (or an attacker with commit rights)
puts in a content file, the build either succeeds with escaped output or stops
with one clear line per problem naming the file and the field. Never a traceback.
"""

import json
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pelican import Pelican
from pelican.settings import read_settings
from PIL import Image

from kiosk_editorial import validate_site
from tests.conftest import ROOT, invoke
from tests.plugins.conftest import _disconnect_plugin_receivers
from tests.sites import ARTICLE, write_markdown, write_site

FIELDS = ["Title", "Subtitle", "Summary", "Tags", "Image_Caption", "Image_Credit"]
PAGE = "summit-without-the-other-side/index.html"

# Everything but the two characters that end a header line, which the header
# format itself cannot carry; control characters, markup and quotes included.
header_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
    min_size=1, max_size=80,
)  # fmt: skip
nasty = st.sampled_from([
    '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='x",
    "</script><script>alert(1)</script>", "]]></title><x>", "{{ 7*7 }}", "{% raw %}",
    "\u202eevil\u202c", "\x00", "\x1b[31m", "\ufeff", "&amp;&lt;", "javascript:alert(1)",
])  # fmt: skip
values = st.one_of(
    header_text,
    nasty,
    st.tuples(header_text, nasty, header_text).map("".join),
    st.text(alphabet="ab <>&\"'", min_size=1000, max_size=3000),  # very long
)


def build_in_process(content: Path, output: Path):
    """Validate, then build with the project's settings and theme, as tasks.build_site does.

    In-process (0.7 s) rather than ``invoke build`` (3 s), so that hypothesis
    can try a few dozen values; Pagefind is skipped for the same reason.
    """
    problems = validate_site(read_settings(str(ROOT / "pelicanconf.py"),
                                           override={"PATH": str(content)}))  # fmt: skip
    if problems:
        return problems
    _disconnect_plugin_receivers()
    override = {"PATH": str(content), "OUTPUT_PATH": str(output),
                "KIOSK_SEARCH": {"enabled": False},
                "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False}  # fmt: skip
    Pelican(read_settings(str(ROOT / "pelicanconf.py"), override=override)).run()
    return []


def assert_escaped(output: Path):
    """No script element but the site's own, and machine-readable blocks still parse."""
    for path in output.rglob("*.html"):
        page = BeautifulSoup(path.read_bytes(), "lxml")
        for script in page.find_all("script"):
            if script.get("type") == "application/ld+json":
                json.loads(script.string)
            else:
                shown = f"{path.relative_to(output)}: inline script {str(script)[:80]}"
                assert script.get("src"), shown
        for element in page.find_all(True):
            handlers = [name for name in element.attrs if name.lower().startswith("on")]
            assert not handlers, f"{path.relative_to(output)}: <{element.name} {handlers}>"


# Each example is a real build (~0.7 s), so examples are few and failures are
# reported unshrunk: shrinking would try hundreds more builds.
@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(field=st.sampled_from(FIELDS), value=values)
def test_any_metadata_value_builds_escaped_or_fails_with_one_clear_line(
    tmp_path_factory, caplog, field, value
):
    folder = tmp_path_factory.mktemp("hostile")
    content = write_site(folder)
    header = {**ARTICLE, field: value.replace(",", "") if field == "Title" else value}
    write_markdown(content / "articles" / "2024" / "summit.md", header, "The body.")
    caplog.clear()
    problems = build_in_process(content, folder / "output")
    if problems:
        for problem in problems:
            assert "\n" not in str(problem)
            assert problem.path.endswith(".md"), problem
            assert problem.field in (*FIELDS, "file", "header", "Slug", "Body"), problem
        return
    # Any error Pelican logs fails a real build (tasks.build_site makes errors fatal).
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
    assert_escaped(folder / "output")


# --- Files as they arrive from other editors and other machines --------------


def tiny_site(tmp_path: Path) -> Path:
    content = write_site(tmp_path)
    (content / "extra").mkdir(exist_ok=True)
    (content / "extra" / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    return content


def h1(output: Path, page=PAGE) -> str:
    return BeautifulSoup((output / page).read_bytes(), "lxml").h1.get_text()


def test_a_file_with_a_bom_and_crlf_endings_builds(tmp_path):
    content = tiny_site(tmp_path)
    path = content / "articles" / "2024" / "summit.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    invoke("build", "--content", str(content), "--output", str(tmp_path / "output"))
    assert h1(tmp_path / "output") == ARTICLE["Title"]
    page = BeautifulSoup((tmp_path / "output" / PAGE).read_bytes(), "lxml")
    dek = page.select_one(".article__dek")
    assert dek.get_text() == ARTICLE["Subtitle"]


def test_a_five_megabyte_article_builds(tmp_path):
    content = tiny_site(tmp_path)
    sentence = "Negotiators met again in Geneva on Tuesday, and the talks ran late. "
    paragraph = sentence * 20 + "\n\n"
    body = paragraph * (5_000_000 // len(paragraph) + 1)
    write_markdown(content / "articles" / "2024" / "summit.md", ARTICLE, body)
    assert (content / "articles" / "2024" / "summit.md").stat().st_size > 5_000_000
    invoke("build", "--content", str(content), "--output", str(tmp_path / "output"))
    page = BeautifulSoup((tmp_path / "output" / PAGE).read_bytes(), "lxml")
    assert len(page.find_all("p", string=lambda s: s and s.startswith("Negotiators"))) > 3000


def test_binary_junk_stops_the_build_with_one_clear_line(tmp_path):
    content = tiny_site(tmp_path)
    (content / "articles" / "2024" / "scan.md").write_bytes(os.urandom(64) + b"\xff\xfe\x00")
    output = tmp_path / "o"
    result = invoke("build", "--content", str(content), "--output", str(output), check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    [line] = [row for row in result.stderr.splitlines() if "scan.md" in row]
    assert line.endswith("save it as UTF-8") or "NUL bytes" in line, line
    assert not (tmp_path / "o").exists()


def test_a_damaged_image_stops_the_build_and_keeps_the_published_site(tmp_path):
    content = tiny_site(tmp_path)
    output = tmp_path / "o"
    invoke("build", "--content", str(content), "--output", str(output))
    before = (output / PAGE).read_bytes()
    # A download that saved the agency's error page under the photo's name.
    (content / "images" / "2024" / "geneva-hall.jpg").write_bytes(b"<html>Not Found</html>")
    result = invoke("build", "--content", str(content), "--output", str(output), check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    [line] = [row for row in result.stderr.splitlines() if "geneva-hall.jpg" in row]
    assert "summit.md: Image: 'images/2024/geneva-hall.jpg' is not an image file" in line, line
    assert (output / PAGE).read_bytes() == before


def test_an_image_cut_short_stops_the_build_naming_the_file(tmp_path):
    content = tiny_site(tmp_path)
    output = tmp_path / "o"
    invoke("build", "--content", str(content), "--output", str(output))
    before = (output / PAGE).read_bytes()
    # An upload cut off halfway: the header says JPEG, the pixels stop. A new
    # file (new variant names), so the variants are not in the cache.
    photo = content / "images" / "2024" / "geneva-hall.jpg"
    Image.effect_noise((1700, 1000), 60).convert("RGB").save(photo, quality=90)
    photo.write_bytes(photo.read_bytes()[: photo.stat().st_size // 2])
    result = invoke("build", "--content", str(content), "--output", str(output), check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    [line] = [row for row in result.stderr.splitlines() if "geneva-hall.jpg" in row]
    assert "images/2024/geneva-hall.jpg: cannot be decoded" in line, line
    assert line.rstrip().endswith("The previous output/ is unchanged."), line
    assert (output / PAGE).read_bytes() == before


@pytest.mark.parametrize("folder", ["articles", "images"])
def test_a_linked_folder_outside_content_is_refused(tmp_path, folder):
    content = tiny_site(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    write_markdown(elsewhere / "secret.md", {**ARTICLE, "Slug": "secret"}, "Not for publication.")
    (content / folder / "elsewhere").symlink_to(elsewhere, target_is_directory=True)
    output = tmp_path / "o"
    result = invoke("build", "--content", str(content), "--output", str(output), check=False)
    assert result.returncode == 1
    assert (
        f"content/{folder}/elsewhere: file: is a link to a folder outside content/; refused"
        in (result.stderr.splitlines()[0])
    )
    assert not (tmp_path / "o").exists()


def test_control_characters_in_a_header_are_named_by_code_point(tmp_path):
    content = tiny_site(tmp_path)
    write_markdown(content / "articles" / "2024" / "summit.md",
                   {**ARTICLE, "Subtitle": "Talks\x0bresume"}, "The body.")  # fmt: skip
    result = invoke("check", "--content", str(content), check=False)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].endswith(
        "content/articles/2024/summit.md: Subtitle: contains the invisible control character "
        "U+000B at position 6; delete it"
    )


def test_a_linked_file_outside_content_is_refused(tmp_path):
    content = tiny_site(tmp_path)
    secret = tmp_path / "passwords.txt"
    secret.write_text("root:hunter2\n", encoding="utf-8")
    (content / "images" / "passwords.txt").symlink_to(secret)
    result = invoke("check", "--content", str(content), check=False)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].endswith(
        "content/images/passwords.txt: file: is a link to a file outside content/; refused"
    )


def test_a_dek_gets_the_headlines_curly_quotes_and_stays_text(tmp_path):
    content = write_site(tmp_path)
    dek = "Taipei's \"quarantine\" test -- and <b>why</b> it's not a blockade"
    header = {**ARTICLE, "Title": 'Taipei\'s "quarantine" test', "Subtitle": dek}
    write_markdown(content / "articles" / "2024" / "summit.md", header, "The body.")
    assert build_in_process(content, tmp_path / "output") == []
    page = BeautifulSoup((tmp_path / "output" / PAGE).read_bytes(), "lxml")
    assert page.h1.get_text() == "Taipei\u2019s \u201cquarantine\u201d test"
    shown = page.select_one(".article__dek")
    assert shown.get_text() == (
        "Taipei\u2019s \u201cquarantine\u201d test \u2014 and <b>why</b> it\u2019s not a blockade"
    )
    assert shown.find("b") is None
