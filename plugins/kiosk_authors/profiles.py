"""Read one author profile file into a :class:`Profile`."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from kiosk_markdown import MarkdownReader

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Photo:
    """A portrait as templates need it: ``src`` already includes SITEURL."""

    src: str
    width: int
    height: int
    alt: str
    credit: str | None


@dataclass(frozen=True)
class Profile:
    """What an author page and a byline show about a person."""

    name: str
    slug: str
    role: str | None
    bio_html: str
    photo: Photo | None
    links: list[tuple[str, str]] = field(default_factory=list)


def read_profile(path, settings):
    """Parse ``path`` (header + Markdown bio) with Kiosk's Markdown reader."""
    bio_html, meta = MarkdownReader(settings).read(str(path))
    name = meta.get("name", "").strip() or path.stem
    return Profile(
        name=name,
        slug=path.stem,
        role=meta.get("role"),
        bio_html=bio_html,
        photo=_photo(meta, name, settings),
        links=social_links(meta),
    )


def _photo(meta, name, settings):
    relative = meta.get("photo")
    if not relative:
        return None
    source = Path(settings["PATH"]) / relative
    try:
        with Image.open(source) as image:
            width, height = image.size
    except OSError:
        # A portrait that would render as a broken image is worse than none.
        logger.warning("Author %s: photo %s cannot be read; showing none", name, source)
        return None
    return Photo(
        src=f"{settings['SITEURL']}/{relative.lstrip('/')}",
        width=width,
        height=height,
        alt=f"Portrait of {name}",
        credit=meta.get("photo_credit"),
    )


def social_links(meta):
    """Return ``[(label, url)]`` for the profile's web and social accounts.

    Handles are written as people say them (``anaortiz``, ``@ana@example.social``,
    ``ana.bsky.social``); a full ``https://`` URL is kept as written.
    """
    links = []
    if website := meta.get("website"):
        links.append(("Website", website))
    if twitter := meta.get("twitter"):
        links.append(("X", _url(twitter) or f"https://x.com/{twitter.lstrip('@')}"))
    if bluesky := meta.get("bluesky"):
        links.append(
            ("Bluesky", _url(bluesky) or f"https://bsky.app/profile/{bluesky.lstrip('@')}")
        )
    if mastodon := meta.get("mastodon"):
        links.append(("Mastodon", _url(mastodon) or _mastodon_url(mastodon)))
    return links


def _url(value):
    return value if value.startswith(("https://", "http://")) else None


def _mastodon_url(handle):
    # "@user@host" lives at https://host/@user.
    user, _, host = handle.lstrip("@").partition("@")
    return f"https://{host}/@{user}"
