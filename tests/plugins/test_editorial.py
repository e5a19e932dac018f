"""Editorial validation: each rule of CONTENT.md, on a tiny site in tmp_path.

Every case starts from a valid site, breaks one thing, and expects exactly one
problem that names the file and the field, the way an editor reads it.
"""

from pathlib import Path

import pytest
from pelican.settings import read_settings

from kiosk_editorial import rules, validate_site
from kiosk_editorial.headers import SourceError, read_source
from tests.plugins.conftest import spy
from tests.sites import ARTICLE, BRIEF, write_image, write_markdown, write_site


def problems_in(content):
    settings = read_settings("pelicanconf.py", override={"PATH": str(content)})
    return validate_site(settings)


def only_problem(content):
    problems = problems_in(content)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def only_problem_in_body_with(tmp_path, line):
    """The one problem of a valid site whose article's body ends with ``line``."""
    content = write_site(tmp_path)
    path = article_with(content)
    path.write_text(path.read_text("utf-8") + f"\n{line}\n", encoding="utf-8")
    return only_problem(content)


def article_with(content, **changes):
    """Rewrite the sample article's header: key=None drops a key."""
    header = dict(ARTICLE)
    for key, value in changes.items():
        key = key.replace("__", "-")
        if value is None:
            header.pop(key, None)
        else:
            header[key] = value
    text = "\n".join(f"{k}: {v}" for k, v in header.items())
    path = content / "articles" / "2024" / "summit.md"
    path.write_text(text + "\n\nThe body of the piece.\n", encoding="utf-8")
    return path


def test_the_valid_tiny_site_has_no_problem(tmp_path):
    assert problems_in(write_site(tmp_path)) == []


@pytest.mark.parametrize("key", ["Title", "Date", "Section", "Authors"])
def test_a_missing_required_key_is_named(tmp_path, key):
    content = write_site(tmp_path)
    article_with(content, **{key: None})
    problem = only_problem(content)
    assert problem.path.endswith("articles/2024/summit.md")
    assert (problem.field, "required") == (key, problem.message.split()[1])


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("Section", "Gossip", "Analysis, Reporting, Opinion, Review, Interview, Media"),
        ("Region", "Atlantis", "Africa, Asia-Pacific, Europe"),
        ("Column", "Letters", "QiOSK"),
        ("Status", "live", "published, draft, hidden"),
        ("Image_Kind", "painting", "photo, image"),
        ("Featured", "yes", "true, false"),
    ],
)
def test_a_value_outside_its_list_names_the_allowed_values(tmp_path, key, value, allowed):
    content = write_site(tmp_path)
    article_with(content, **{key: value})
    problem = only_problem(content)
    assert problem.field == key
    assert f"'{value}' is not one of" in problem.message
    assert allowed in problem.message


def test_the_error_line_reads_path_field_message(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Region="Atlantis")
    line = str(only_problem(content))
    path, field, message = line.split(": ", 2)
    assert path.endswith("content/articles/2024/summit.md")
    assert field == "Region"
    assert message.startswith("'Atlantis' is not one of Africa, Asia-Pacific")


@pytest.mark.parametrize("key", ["Date", "Modified"])
@pytest.mark.parametrize("value", ["14/06/2024", "June 14, 2024", "2024-13-01"])
def test_dates_must_be_iso_8601(tmp_path, key, value):
    content = write_site(tmp_path)
    article_with(content, **{key: value})
    problem = only_problem(content)
    assert problem.field == key
    assert "ISO 8601" in problem.message


@pytest.mark.parametrize("value", ["2024-06-14", "2024-06-14 09:30", "2024-06-14T09:30:00+02:00"])
def test_iso_dates_with_or_without_time_or_offset_are_accepted(tmp_path, value):
    content = write_site(tmp_path)
    article_with(content, Date=value, Modified=None)
    assert problems_in(content) == []


def test_an_update_before_publication_is_an_error(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Date="2024-06-14 09:30", Modified="2024-06-13 09:30")
    assert only_problem(content).field == "Modified"


def test_an_update_dated_in_the_future_is_an_error(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Date="2024-06-14 09:30", Modified="2204-06-15 11:00")  # for 2024
    problem = only_problem(content)
    assert problem.field == "Modified"
    assert problem.message.startswith("'2204-06-15 11:00' is later than now (")


def test_a_scheduled_piece_s_update_is_not_in_the_past_yet(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Date="2999-01-01 08:00", Modified="2999-01-02 08:00")
    assert problems_in(content) == []


def test_an_unknown_key_is_a_typo_with_a_suggestion(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Regoin="Europe", Region=None)
    problem = only_problem(content)
    assert problem.field == "Regoin"
    assert "did you mean Region?" in problem.message


def test_extra_keys_allowed_by_settings_pass(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Kicker_Override="Special report")
    settings = read_settings(
        "pelicanconf.py",
        override={"PATH": str(content), "EDITORIAL_EXTRA_KEYS": ["Kicker_Override"]},
    )
    assert validate_site(settings) == []


@pytest.mark.parametrize("missing", ["Image_Alt", "Image_Credit"])
def test_an_image_needs_alt_text_and_a_credit(tmp_path, missing):
    content = write_site(tmp_path)
    article_with(content, **{missing: None})
    problem = only_problem(content)
    assert problem.field == missing
    assert "required when Image is given" in problem.message


def test_an_image_file_that_does_not_exist_is_named(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Image="images/2024/nowhere.jpg")
    problem = only_problem(content)
    assert problem.field == "Image"
    assert "'images/2024/nowhere.jpg' does not exist" in problem.message


UNREADABLE = "is not an image file that can be read (expected JPEG, PNG, GIF, WebP or SVG)"


@pytest.mark.parametrize(
    "damage",
    [lambda path: path.write_bytes(b"<html>404 Not Found</html>"),  # a failed download
     lambda path: path.write_bytes(path.read_bytes()[:10]),  # cut off in the header
     lambda path: path.write_bytes(b"")],
    ids=["not an image", "cut short", "empty"],
)  # fmt: skip
def test_a_top_image_that_is_not_an_image_is_named_with_its_field(tmp_path, damage):
    content = write_site(tmp_path)
    damage(content / "images" / "2024" / "geneva-hall.jpg")
    problem = only_problem(content)
    assert (problem.field, problem.message) == (
        "Image",
        f"'images/2024/geneva-hall.jpg' {UNREADABLE}",
    )
    assert problem.path.endswith("summit.md")


def test_a_body_image_or_an_author_photo_that_is_not_an_image_is_named(tmp_path):
    content = write_site(tmp_path)
    (content / "images" / "2024" / "scan.jpg").write_bytes(b"%PDF-1.7 not a photo")
    path = article_with(content)
    path.write_text(path.read_text("utf-8") + "\n![A scan](images/2024/scan.jpg)\n", "utf-8")
    (content / "images" / "authors" / "ana-ortiz.jpg").write_bytes(b"GIF89a but cut")
    found = {(p.field, p.message) for p in problems_in(content)}
    assert ("Photo", f"'images/authors/ana-ortiz.jpg' {UNREADABLE}") in found
    [body] = [message for field, message in found if field == "Body"]
    assert body.startswith("image 'images/2024/scan.jpg' (line ") and body.endswith(UNREADABLE)
    assert len(found) == 2


def test_an_image_browsers_do_not_all_show_is_refused_by_its_format(tmp_path):
    from PIL import Image

    content = write_site(tmp_path)
    Image.new("RGB", (64, 48)).save(content / "images" / "2024" / "geneva-hall.jpg", "BMP")
    problem = only_problem(content)
    assert problem.message == (
        "'images/2024/geneva-hall.jpg' is a BMP image, which browsers "
        "do not all show (expected JPEG, PNG, GIF, WebP or SVG)"
    )


@pytest.mark.parametrize("kind", ["PNG", "GIF", "WEBP"])
def test_png_gif_and_webp_images_are_shown(tmp_path, kind):
    from PIL import Image

    content = write_site(tmp_path)
    Image.new("RGB", (64, 48)).save(content / "images" / "2024" / "geneva-hall.jpg", kind)
    assert problems_in(content) == []


def test_an_svg_chart_is_an_image_and_a_file_named_svg_must_be_one(tmp_path):
    content = write_site(tmp_path)
    chart = content / "images" / "2024" / "chart.svg"
    svg = ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
           'viewBox="0 0 10 10"><rect width="10" height="10"/></svg>\n')  # fmt: skip
    chart.write_text(svg, "utf-8")
    path = article_with(content)
    path.write_text(path.read_text("utf-8") + "\n![Exports by year](images/2024/chart.svg)\n",
                    "utf-8")  # fmt: skip
    assert problems_in(content) == []
    chart.write_text("Exports,2023,2024\nGrain,10,12\n", "utf-8")
    assert only_problem(content).message.endswith(
        "is not an SVG image (no <svg> element at its start)"
    )


def test_a_credit_without_an_image_is_an_error(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Image=None, Image_Alt=None, Image_Caption=None)
    problem = only_problem(content)
    assert (problem.field, problem.message) == ("Image_Credit", "is given but there is no Image")


def test_a_byline_without_a_profile_is_an_error(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Authors="Ana Ortiz, Jane Roe")
    problem = only_problem(content)
    assert problem.field == "Authors"
    assert "'Jane Roe' has no profile in content/authors/" in problem.message


def test_a_profile_without_a_name_is_an_error(tmp_path):
    content = write_site(tmp_path)
    (content / "authors" / "nobody.md").write_text("Role: Intern\n\nA bio.\n", encoding="utf-8")
    problem = only_problem(content)
    assert problem.path.endswith("authors/nobody.md")
    assert problem.field == "Name"


def test_duplicate_slugs_are_an_error_naming_the_first_owner(tmp_path):
    content = write_site(tmp_path)
    other = content / "articles" / "2024" / "other.md"
    other.write_text(
        (content / "articles" / "2024" / "summit.md").read_text("utf-8"), encoding="utf-8"
    )
    problem = only_problem(content)
    assert problem.field == "Slug"
    assert "'summit-without-the-other-side' is already used by" in problem.message


def test_a_slug_derived_from_the_title_also_counts(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Slug=None, Title="About")  # the About page has slug 'about'
    problem = only_problem(content)
    assert problem.field == "Slug"
    assert "'about' is already used by" in problem.message


def test_a_slug_that_shadows_a_site_page_is_reserved(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Slug="latest")
    assert "reserved" in only_problem(content).message


def test_a_malformed_slug_is_an_error(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Slug="Summit Without")
    assert only_problem(content).field == "Slug"


def test_a_broken_filename_link_is_an_error(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    path.write_text(
        path.read_text("utf-8") + "\nSee [the earlier piece]({filename}/articles/gone.md).\n",
        encoding="utf-8",
    )
    problem = only_problem(content)
    assert problem.field == "Body"
    assert "{filename}/articles/gone.md" in problem.message


def test_a_working_filename_link_passes(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    path.write_text(
        path.read_text("utf-8") + "\nSee [the brief]({filename}brief.md).\n", encoding="utf-8"
    )
    assert problems_in(content) == []


def test_a_body_image_without_alt_text_is_an_error(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    path.write_text(
        path.read_text("utf-8") + '\n![](images/2024/hall.jpg "The hall. | AP Photo/Name")\n',
        encoding="utf-8",
    )
    problem = only_problem(content)
    assert problem.field == "Body"
    assert "has no alt text" in problem.message


@pytest.mark.parametrize("image", [
    "![](images/2024/hall.jpg 'The hall. | AP Photo/Name')",
    "![](images/2024/hall.jpg (The hall. | AP Photo/Name))",
    "![][hall]\n\n[hall]: images/2024/hall.jpg \"The hall. | AP Photo/Name\"",
    "![ ][hall]\n\n[hall]: <images/2024/hall.jpg>",
])  # fmt: skip
def test_an_image_without_alt_text_is_found_however_it_is_written(tmp_path, image):
    problem = only_problem_in_body_with(tmp_path, image)
    assert problem.field == "Body" and "'images/2024/hall.jpg'" in problem.message
    assert "has no alt text" in problem.message


def test_a_reference_style_image_must_exist_and_be_defined(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    body = "\n![The hall][gone]\n\n![The hall][nowhere]\n\n[gone]: images/2024/gone.jpg\n"
    path.write_text(path.read_text("utf-8") + body, encoding="utf-8")
    messages = sorted(p.message for p in problems_in(content))
    assert messages == [
        "image 'images/2024/gone.jpg' (line 19) does not exist under content/",
        "image [nowhere] (line 21) has no [nowhere]: definition giving its file",
    ]


@pytest.mark.parametrize("image", [
    "![The hall](images/2024/the hall.jpg)",
    '![The hall](images/2024/the hall.jpg "Caption. | Credit")',
])  # fmt: skip
def test_an_image_address_with_a_space_is_an_error(tmp_path, image):
    problem = only_problem_in_body_with(tmp_path, image)
    assert problem.field == "Body"
    assert problem.message == (
        "image 'images/2024/the hall.jpg' (line 19) has a space in its address, which "
        "Markdown cannot read: rename the file without spaces"
    )


def test_a_missing_body_image_is_an_error(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    path.write_text(path.read_text("utf-8") + "\n![A hall](images/2024/gone.jpg)\n", "utf-8")
    assert "does not exist" in only_problem(content).message


def test_script_urls_in_links_are_refused(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    path.write_text(path.read_text("utf-8") + "\n[click](javascript:alert(1))\n", "utf-8")
    assert "refused" in only_problem(content).message


def test_an_empty_file_is_an_error(tmp_path):
    content = write_site(tmp_path)
    (content / "articles" / "2024" / "empty.md").write_text("\n  \n", encoding="utf-8")
    problem = only_problem(content)
    assert (problem.field, problem.message.split(";")[0]) == ("file", "is empty")


def test_a_file_that_is_not_utf8_is_an_error(tmp_path):
    content = write_site(tmp_path)
    (content / "articles" / "2024" / "latin1.md").write_bytes(
        "Title: Caf\xe9 diplomacy\n\nBody.\n".encode("latin-1")
    )
    problem = only_problem(content)
    assert problem.field == "file"
    assert "not UTF-8" in problem.message


def test_a_header_line_without_a_colon_is_not_swallowed_into_the_body(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    text = path.read_text("utf-8").replace("Region: Europe", "Region Europe")
    path.write_text(text, encoding="utf-8")
    problem = only_problem(content)
    assert problem.field == "header"
    assert "is not `Key: value`" in problem.message


def test_an_article_without_body_is_an_error(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    path.write_text(path.read_text("utf-8").split("\n\n")[0] + "\n", encoding="utf-8")
    assert only_problem(content).field == "Body"


def test_a_bom_and_windows_line_endings_are_fine(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    text = path.read_text("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert problems_in(content) == []
    source, problems = read_source(path, path)
    assert source.header["title"] == ARTICLE["Title"] and problems == []


def test_non_markdown_files_among_articles_are_flagged(tmp_path):
    content = write_site(tmp_path)
    (content / "articles" / "notes.txt").write_text("Title: x\n\ny\n", encoding="utf-8")
    assert "not a Markdown" in only_problem(content).message


def test_all_problems_are_reported_together(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Region="Atlantis", Section="Gossip", Date="yesterday")
    (content / "articles" / "2024" / "empty.md").write_text("", encoding="utf-8")
    fields = sorted(p.field for p in problems_in(content))
    assert fields == ["Date", "Region", "Section", "file"]


def test_an_alias_must_be_a_site_path(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Aliases="2022/11/11/old-slug")
    assert only_problem(content).field == "Aliases"


def test_a_tag_too_long_for_a_file_name_is_an_error(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Tags="Energy, " + "very long tag " * 10)
    problem = only_problem(content)
    assert problem.field == "Tags"
    assert "characters long; a tag has at most 80" in problem.message


def test_a_title_too_long_for_a_file_name_needs_a_slug(tmp_path):
    content = write_site(tmp_path)
    article_with(content, Title="A headline that goes on " * 10, Slug=None)
    problem = only_problem(content)
    assert problem.field == "Slug"
    assert "give the article a shorter Slug" in problem.message


# --- Validation stays cheap: the body and header shortcuts say the same ------------
#
# check_body looks only at lines that contain "![", "{filename}", "{static}",
# "{attach}" or "pt:" (found with str.find), and read_source splits only the
# header. The references below are the line-by-line definitions they replaced.


def check_body_line_by_line(body, first_line, file_dir, root):
    for offset, line in enumerate(body.split("\n")):
        where = f"line {first_line + offset}"
        for image in rules.MD_IMAGE.finditer(line):
            src = image.group("src")
            if not image.group("alt").strip():
                yield "Body", f"image {src!r} ({where}) has no alt text"
            local = not rules.EXTERNAL.match(src) and not src.startswith("{")
            if local and not rules.content_file(root, src).is_file():
                yield "Body", f"image {src!r} ({where}) does not exist under {root.name}/"
        for link in rules.SITE_LINK.finditer(line):
            target = link.group("target")
            base = root if target.startswith("/") else file_dir
            if not rules.content_file(base, target).exists():
                yield "Body", f"link {{{link.group('kind')}}}{target} ({where}) points to no file"
        for script in rules.SCRIPT_URL.finditer(line):
            yield "Body", f"link {script.group('url')[:40]!r} ({where}) is refused: script URLs"


BODY_LINES = [
    "Plain prose, no trigger at all.",
    "![](images/a.jpg) and ![Alt](images/gone.jpg) on one line",
    "![Alt](https://cdn.example/x.jpg) ![Alt]({static}/images/x.jpg)",
    "[old]({filename}/articles/gone.md) then [img]({static}missing.png)",
    "[x](javascript:alert(1)) <a href='VBScript:msgbox'>y</a>",
    "[x](javaſcript:alert(1)) and JAVASCRİPT: are script URLs to the pattern too",
    "Egypt: no script here, only pt:",
    "",
    "![Alt](images/hall.jpg)",
    "{filename} with nothing after it, {attach}",
    "![Half an image on this line](",
    "images/next-line.jpg)",
]


@pytest.mark.parametrize(
    "lines", [BODY_LINES, BODY_LINES[::-1], BODY_LINES[:1], [""], ["", "", ""]]
)
def test_body_checks_see_exactly_the_problems_of_a_line_by_line_scan(tmp_path, lines):
    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    write_image(root / "images" / "hall.jpg")
    body = "\n".join(lines)
    expected = list(check_body_line_by_line(body, 7, root / "articles", root))
    assert list(rules.check_body(body, 7, root / "articles", root)) == expected


def test_body_problems_name_their_line(tmp_path):
    root = tmp_path / "content"
    body = "Intro.\n\n![](images/a.jpg)\n\nText [x](javaſcript:go) end.\n"
    assert list(rules.check_body(body, 5, root, root)) == [
        ("Body", "image 'images/a.jpg' (line 7) has no alt text"),
        ("Body", "image 'images/a.jpg' (line 7) does not exist under content/"),
        ("Body", "link 'javaſcript:go' (line 9) is refused: script URLs"),
    ]


@pytest.mark.parametrize(
    ("text", "header", "body", "body_line"),
    [
        ("Title: A\nDate: 2024-01-01\n\nBody\nmore\n", {"title": "A", "date": "2024-01-01"},
         "Body\nmore\n", 4),
        ("Title: A\r\nDate: B\r\n\r\nBody\r\n", {"title": "A", "date": "B"}, "Body\n", 4),
        ("Title: A\rDate: B\r\rBody", {"title": "A", "date": "B"}, "Body", 4),
        ("Title: A\n    continued\n \nBody", {"title": "A continued"}, "Body", 4),
        ("Title: A\nDate: B", {"title": "A", "date": "B"}, "", 4),
        ("Title: A\nDate: B\n", {"title": "A", "date": "B"}, "", 4),
        ("Title: A\n\n", {"title": "A"}, "", 3),
        ("\nBody first", {}, "Body first", 2),
        ("Title: A\n\t\nBody\n\nAgain", {"title": "A"}, "Body\n\nAgain", 3),
    ],
)  # fmt: skip
def test_header_and_body_are_split_at_the_first_blank_line(tmp_path, text, header, body, body_line):
    path = tmp_path / "a.md"
    path.write_bytes(text.encode("utf-8"))
    source, problems = read_source(path, path)
    assert (source.header, source.body, source.body_line, problems) == (header, body, body_line, [])


def test_a_whitespace_only_file_is_empty(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(" \n\t\u3000\n", encoding="utf-8")
    with pytest.raises(SourceError, match="is empty"):
        read_source(path, path)


def test_an_image_added_after_a_validation_is_seen_by_the_next(tmp_path):
    content = write_site(tmp_path)
    path = article_with(content)
    path.write_text(path.read_text("utf-8") + "\n![A hall](images/2024/new.jpg)\n", "utf-8")
    assert "does not exist" in only_problem(content).message
    write_image(content / "images" / "2024" / "new.jpg")
    assert problems_in(content) == []
    # Outside a validation, nothing is remembered either.
    assert rules.is_content_file(content, "images/2024/new.jpg")
    (content / "images" / "2024" / "new.jpg").unlink()
    assert not rules.is_content_file(content, "images/2024/new.jpg")


# --- Memoised results: unchanged files are not checked again, the problems are the same


@pytest.fixture
def memoised(tmp_path, monkeypatch):
    """``problems(memoise=True)`` on a valid site, with the memo in tmp_path; a file's stat
    stands for its bytes at once (not only two seconds after its last change)."""
    from kiosk_editorial import memo

    monkeypatch.setattr(memo, "RACY_SECONDS", 0)
    content = write_site(tmp_path)

    def problems(memoise=True):
        settings = read_settings(
            "pelicanconf.py",
            override={"PATH": str(content), "EDITORIAL_CACHE_PATH": str(tmp_path / "memo")},
        )
        return validate_site(settings, memoise=memoise)

    problems.content = content
    return problems


def checked_files(monkeypatch):
    """A list that receives the path of every file validation reads."""
    from kiosk_editorial import site

    seen = []
    spy(monkeypatch, site, "read_source", lambda path, _shown: seen.append(path.name))
    return seen


def test_a_second_run_reads_no_file_and_finds_the_same_problems(memoised, monkeypatch):
    article_with(memoised.content, Section="Sport", Image="images/none.jpg")
    first = memoised()
    seen = checked_files(monkeypatch)
    second = memoised()
    assert seen == []
    assert second == first == memoised(memoise=False)
    assert {p.field for p in first} == {"Section", "Image"}


def test_many_files_are_checked_on_two_cores_with_the_same_problems_and_memo(
    memoised, monkeypatch, tmp_path
):
    """A run with many files to check forks a worker for half of them: the problems,
    and the memo the next run starts from (the image verdicts the worker made
    included), are those of a run in one process."""
    from kiosk_editorial import memo, site

    content = memoised.content
    (content / "images" / "2024" / "scan.jpg").write_bytes(b"%PDF-1.7 not an image")
    article_with(content, Section="Sport", Image="images/none.jpg")
    for n in range(12):
        header = {**BRIEF, "Title": f"Corridor note {n}", "Slug": f"corridor-note-{n}"}
        if n % 3 == 0:
            header.update(Image="images/2024/scan.jpg", Image_Alt="A scan",
                          Image_Credit="Kiosk")  # fmt: skip
        if n % 4 == 1:
            header["Region"] = "Atlantis"
        write_markdown(content / "articles" / "2024" / f"note-{n}.md", header, f"Note {n}.")
    memo_file = Path(memo.memo_path(tmp_path / "memo", content))

    def run(parallel_min_files):
        monkeypatch.setattr(site, "PARALLEL_MIN_FILES", parallel_min_files)
        memo_file.unlink(missing_ok=True)
        problems = memoised()
        return problems, memo._load(memo_file)

    one_process = run(10**9)
    forks = []
    spy(monkeypatch, site, "map_forked", lambda *args, **kwargs: forks.append(len(args[1])))
    two_processes = run(2)
    assert forks == [17]  # every file: the memo was gone
    assert two_processes == one_process
    problems, stored = two_processes
    assert {p.field for p in problems} >= {"Section", "Image", "Region"}
    assert any(path.endswith("scan.jpg") for path in stored["images"])


def test_an_edited_file_is_checked_again_and_only_it(memoised, monkeypatch):
    memoised()
    seen = checked_files(monkeypatch)
    article_with(memoised.content, Region="Atlantis")
    (problem,) = memoised()
    assert (problem.field, seen) == ("Region", ["summit.md"])


def test_a_memoised_file_sees_an_image_appear_or_vanish(memoised):
    article_with(memoised.content, Image="images/2024/later.jpg")
    assert [p.field for p in memoised()] == ["Image"]
    later = memoised.content / "images" / "2024" / "later.jpg"
    later.write_bytes((memoised.content / "images" / "2024" / "hall.jpg").read_bytes())
    assert memoised() == []
    later.unlink()
    assert [p.field for p in memoised()] == ["Image"]


def test_a_memoised_file_sees_its_image_damaged_or_mended(memoised):
    image = memoised.content / "images" / "2024" / "geneva-hall.jpg"
    good = image.read_bytes()
    assert memoised() == []
    image.write_bytes(b"half a download")
    assert [(p.field, p.message) for p in memoised()] == [
        ("Image", f"'images/2024/geneva-hall.jpg' {UNREADABLE}")
    ]
    image.write_bytes(good)
    assert memoised() == []


def test_an_image_is_opened_again_only_when_its_file_changed(memoised, monkeypatch):
    from kiosk_editorial import images

    assert memoised() == []
    opened = []
    spy(monkeypatch, images, "_judge", lambda path: opened.append(path.name))
    article_with(memoised.content, Subtitle="Edited, so checked again")
    assert memoised() == []
    assert opened == [], "the verdicts of unchanged images come from the memo"
    write_image(memoised.content / "images" / "2024" / "geneva-hall.jpg", (800, 450))
    assert memoised() == []
    assert opened == ["geneva-hall.jpg"]


def test_rules_across_files_still_see_every_file(memoised):
    assert memoised() == []
    profile = next((memoised.content / "authors").glob("*.md"))
    name = next(
        line.split(":", 1)[1].strip()
        for line in profile.read_text(encoding="utf-8").splitlines()
        if line.startswith("Name:")
    )
    profile.unlink()
    problems = memoised()
    assert problems and all(p.field == "Authors" and repr(name) in p.message for p in problems)
    assert problems == memoised(memoise=False)


# --- Mistakes that used to pass the check and then broke or emptied the site ------


SITE_PAGES = ["/", "/index.html", "/section/analysis/", "/tag/russia/", "/latest/",
              "/region/europe/", "/feeds/latest.atom.xml.html"]  # fmt: skip


@pytest.mark.parametrize("alias", SITE_PAGES)
def test_an_alias_may_not_take_the_address_of_one_of_the_sites_own_pages(tmp_path, alias):
    # Its redirect page would replace the section, tag or home page.
    content = write_site(tmp_path)
    article_with(content, Aliases=f"/2019/05/01/old-slug/, {alias}")
    problem = only_problem(content)
    assert (problem.field, alias in problem.message) == ("Aliases", True)
    assert "site's own pages" in problem.message


def test_markdown_outside_the_article_and_page_folders_is_an_error(tmp_path):
    content = write_site(tmp_path)
    for place in ("wrong.md", "article/2025/wrong.md", "images/notes.md", "extra/old.markdown"):
        write_markdown(content / place, BRIEF, "Saved in the wrong place.")
    found = problems_in(content)
    assert sorted(p.path.split("content/")[-1] for p in found) == [
        "article/2025/wrong.md", "extra/old.markdown", "images/notes.md", "wrong.md"]  # fmt: skip
    assert all(p.field == "file" and "would not publish it" in p.message for p in found)


def test_an_upper_case_extension_is_named_not_ignored(tmp_path):
    content = write_site(tmp_path)
    (content / "articles" / "2024" / "brief.md").rename(content / "articles" / "2024" / "brief.MD")
    problem = only_problem(content)
    assert problem.field == "file" and "'.MD'" in problem.message


def test_a_published_piece_may_not_link_to_a_draft_or_a_scheduled_one(tmp_path):
    content = write_site(tmp_path)
    brief = content / "articles" / "2024" / "brief.md"
    write_markdown(brief, {**BRIEF, "Status": "draft"}, "Not yet.")
    later = {**BRIEF, "Title": "Later", "Slug": "later", "Date": "2999-01-01 08:00"}
    write_markdown(content / "articles" / "2024" / "later.md", later, "Not yet either.")
    links = "See [the brief]({filename}brief.md) and [later]({filename}/articles/2024/later.md)."
    path = article_with(content)
    path.write_text(path.read_text().replace("The body of the piece.", links))
    found = problems_in(content)
    assert [(p.path.endswith("summit.md"), p.field) for p in found] == [(True, "Body")] * 2
    messages = " ".join(p.message for p in found)
    assert "which is a draft" in messages and "scheduled for 2999-01-01 08:00" in messages
    # A draft may link to another draft: neither is on the published site.
    write_markdown(content / "articles" / "2024" / "summit.md", {**ARTICLE, "Status": "draft"},
                   "See [the brief]({filename}brief.md).")  # fmt: skip
    assert problems_in(content) == []


@pytest.mark.parametrize("changes, field, says", [
    ({"Date": "2025-W47-2"}, "Date", "is not an ISO 8601 date"),  # Python reads it; Pelican not
    ({"Title": "???", "Slug": None}, "Slug", "makes no web address"),
])  # fmt: skip
def test_a_value_that_passed_the_check_and_failed_the_build_is_named(tmp_path, changes, field,
                                                                      says):  # fmt: skip
    content = write_site(tmp_path)
    article_with(content, **changes)
    problem = only_problem(content)
    assert problem.field == field and says in problem.message


@pytest.mark.parametrize("key", ["Tags", "Authors"])
def test_names_are_separated_by_commas_only(tmp_path, key):
    # With a ";" anywhere Pelican splits on ";" alone: "Sanctions, Russia" became one tag.
    content = write_site(tmp_path)
    article_with(content, **{key: "Sanctions, Russia; Negotiations" if key == "Tags"
                             else "Ana Ortiz; Samuel Hale"})  # fmt: skip
    [problem] = [p for p in problems_in(content) if "commas only" in p.message]
    assert problem.field == key
