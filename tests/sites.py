"""Tiny valid sites for tests: each test writes one into tmp_path, breaks or
extends one thing, and builds or validates it."""

import hashlib
from pathlib import Path

from PIL import Image

ARTICLE = {
    "Title": "Diplomacy Watch: A summit without the other side",
    "Subtitle": "What can talks achieve when one party stays home?",
    "Date": "2024-06-14 09:30",
    "Modified": "2024-06-15 11:00",
    "Section": "Reporting",
    "Region": "Europe",
    "Series": "Diplomacy Watch",
    "Authors": "Ana Ortiz, Samuel Hale",
    "Tags": "Ukraine, Russia, Negotiations",
    "Summary": "One paragraph for teasers, feeds and search results.",
    "Image": "images/2024/geneva-hall.jpg",
    "Image_Alt": "Delegates' empty chairs around a round table",
    "Image_Caption": "The conference hall before the opening session.",
    "Image_Credit": "REUTERS/Jane Photographer",
    "Slug": "summit-without-the-other-side",
}

BRIEF = {
    "Title": "Grain corridor reopens for a week",
    "Date": "2024-06-10 08:00",
    "Section": "Reporting",
    "Region": "Europe",
    "Column": "QiOSK",
    "Authors": "Samuel Hale",
    "Tags": "Food Security, Shipping",
}

AUTHORS = {
    "ana-ortiz": {"Name": "Ana Ortiz", "Role": "Eurasia Research Fellow",
                  "Photo": "images/authors/ana-ortiz.jpg", "Photo_Credit": "Studio Lumen"},
    "samuel-hale": {"Name": "Samuel Hale", "Role": "Senior Editor, Europe"},
}  # fmt: skip


def write_markdown(path: Path, header: dict, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "\n".join(f"{key}: {value}" for key, value in header.items())
    path.write_text(f"{lines}\n\n{body}\n", encoding="utf-8")
    return path


def write_image(path: Path, size=(320, 180), colour=(120, 130, 150)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, quality=70)
    return path


def write_site(tmp_path: Path) -> Path:
    """A valid two-article site with two authors and one page; returns content/."""
    content = tmp_path / "content"
    write_image(content / "images" / "2024" / "geneva-hall.jpg", (1600, 900))
    write_image(content / "images" / "2024" / "hall.jpg", (1200, 800))
    write_image(content / "images" / "authors" / "ana-ortiz.jpg", (480, 480))
    for slug, header in AUTHORS.items():
        write_markdown(content / "authors" / f"{slug}.md", header, f"{header['Name']} writes.")
    write_markdown(content / "articles" / "2024" / "summit.md", ARTICLE, "The body of the piece.")
    write_markdown(
        content / "articles" / "2024" / "brief.md", BRIEF, "The corridor reopened on Monday."
    )
    write_markdown(content / "pages" / "about.md", {"Title": "About"}, "About Kiosk.")
    # The theme links the favicon from every page; the integrity check wants it there.
    favicon = content / "extra" / "favicon.svg"
    favicon.parent.mkdir(parents=True, exist_ok=True)
    favicon.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
        '<rect width="16" height="16"/></svg>',
        encoding="utf-8",
    )
    return content


def tree_digest(folder: Path) -> dict[str, str]:
    """{relative path: SHA-256} of every file below ``folder``: two trees are the
    same site exactly when their digests are equal."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
