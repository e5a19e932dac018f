"""The social-card image of a story: kiosk_figures' ``top_image`` or its ``Image:`` header.

OpenGraph and JSON-LD need an absolute URL, the pixel size and the alt text.
``kiosk_figures`` computes all three as ``article.top_image``; when that plugin
is not enabled (tiny test sites, a stripped-down build) the size is read from
the source file named by the ``Image:`` header, so the cards do not vanish.
"""

import os

from PIL import Image, UnidentifiedImageError

from .settings import absolute


def _field(obj, name):
    # top_image may be a mapping or an object, depending on how kiosk_figures
    # chose to model it; both are read the same way here.
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _pixel_size(settings, source):
    try:
        with Image.open(os.path.join(settings["PATH"], source)) as img:
            return img.size
    except (OSError, UnidentifiedImageError):
        return None, None


def _is_svg(src) -> bool:
    return str(src).split("?", 1)[0].split("#", 1)[0].lower().endswith(".svg")


def card_image(settings, article):
    """Return ``{"url", "width", "height", "alt"}`` for ``article``, or None.

    The image is left out rather than given without a size: og:image:width and
    height let a platform lay out the card before it fetches the picture. An
    SVG drawing is left out too: the platforms that read these cards show
    JPEG, PNG, GIF or WebP pictures, not SVG.
    """
    top = getattr(article, "top_image", None)
    if top:
        src, width, height = _field(top, "src"), _field(top, "width"), _field(top, "height")
        alt = _field(top, "alt")
    else:
        source = getattr(article, "image", None)
        if not source:
            return None
        src, alt = source, getattr(article, "image_alt", "")
        width, height = _pixel_size(settings, source)
    if not (src and width and height) or _is_svg(src):
        return None
    return {
        "url": absolute(settings, src),
        "width": int(width),
        "height": int(height),
        "alt": alt or "",
    }


def first_card_image(settings, articles):
    """The card image of the first story in ``articles`` that has one."""
    for article in articles or ():
        image = card_image(settings, article)
        if image:
            return image
    return None
