"""What a feed says about one article, shared by Atom, RSS and JSON Feed."""

import mimetypes
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FeedImage:
    """The top image as feeds carry it: absolute-ish URL, size and credit."""

    url: str
    mime_type: str
    length: int
    alt: str | None
    caption: str | None
    credit: str | None


def absolute(url, site_url):
    """Join a site-relative URL onto SITEURL; leave full URLs alone."""
    if url.startswith(("https://", "http://")):
        return url
    return f"{site_url.rstrip('/')}/{url.lstrip('/')}"


def _field(obj, name):
    # kiosk_figures may hand over an object or a dict; accept either.
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def feed_image(article, settings):
    """Return the article's top image, or None.

    kiosk_figures' ``top_image`` wins when that plugin runs; otherwise the raw
    ``Image:`` header (a path under ``content/``, copied as a static file).
    """
    site_url = settings.get("SITEURL", "")
    top = getattr(article, "top_image", None)
    if top:
        url = absolute(str(_field(top, "src")), site_url)
        alt, caption, credit = (_field(top, key) for key in ("alt", "caption", "credit"))
    else:
        raw = getattr(article, "image", None)
        if not isinstance(raw, str) or not raw.strip():
            return None
        url = absolute(raw.strip(), site_url)
        alt = getattr(article, "image_alt", None)
        caption = getattr(article, "image_caption", None)
        credit = getattr(article, "image_credit", None)
    return FeedImage(
        url=url,
        mime_type=mimetypes.guess_type(url)[0] or "image/jpeg",
        length=_source_size(url, settings),
        alt=alt,
        caption=caption,
        credit=credit,
    )


def _source_size(url, settings):
    # RSS wants the enclosure's byte length. The image is a static file with
    # the same path under content/ as under the site; resized variants made by
    # other plugins are not, and RSS readers accept 0 for "unknown".
    path = url.removeprefix(settings.get("SITEURL", "")).lstrip("/")
    source = Path(settings["PATH"]) / path
    return source.stat().st_size if source.is_file() else 0


def categories(article):
    """Return the names filed under: section, region, column, then tags."""
    terms = [getattr(article, key, None) for key in ("category", "region", "column")]
    terms += list(getattr(article, "tags", None) or [])
    names = [str(term).strip() for term in terms if term]
    return list(dict.fromkeys(name for name in names if name))


def authors(article, site_url):
    """Return ``[(name, author page URL)]`` in byline order."""
    people = getattr(article, "authors", None) or []
    return [(author.name, absolute(author.url, site_url)) for author in people]
