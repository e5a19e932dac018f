"""kiosk_figures: figures with credits, the top image, responsive images.

While each article or page is read (``content_object_init``, before anything
can read and memoise its HTML), this plugin

- turns body images into ``<figure class="figure">`` with ``<figcaption>``,
  ``.caption`` and ``.credit``, and marks pull quotes and author notes
  (CONTENT.md "Images in the body", "Pull quotes and author notes");
- sets ``top_image`` (a :class:`~kiosk_figures.top_image.TopImage` or None),
  ``body_images`` (the body's images, in order) and ``reading_time`` (minutes);
- gives every local image its width, height and a srcset of resized variants,

and a generator writes those variants to ``images/_v/`` from a cache that
survives builds. Settings: ``KIOSK_FIGURES`` (see ``settings.DEFAULTS``).
"""

import os
from functools import partial
from urllib.parse import unquote, urlsplit

from pelican import signals
from pelican.contents import Article, Page

from .body import reading_minutes, transform_body
from .generator import ImageVariantsGenerator
from .images import plan_image
from .settings import figure_settings
from .top_image import build_top_image

__all__ = ["register"]


def register():
    signals.initialized.connect(check_settings)
    signals.content_object_init.connect(process_content)
    signals.get_generators.connect(get_generators)


def check_settings(pelican):
    """Fail the build early on a mistyped KIOSK_FIGURES key."""
    figure_settings(pelican.settings)


def get_generators(pelican):
    return ImageVariantsGenerator


def process_content(content):
    """Transform the body and attach top_image, body_images and reading_time."""
    if not isinstance(content, (Article, Page)):
        return
    options = figure_settings(content.settings)
    resolve = partial(resolve_image, content.settings, options)
    body = transform_body(content._content or "", resolve)
    # Pelican has no public setter for the body; every content plugin writes
    # _content, and doing it here, at init, is before get_content() memoises.
    content._content = body.html
    content.body_images = body.images
    content.top_image = build_top_image(content.metadata, resolve)
    content.reading_time = reading_minutes(body.html, options["words_per_minute"])


def resolve_image(settings, options, src):
    """Measure the local file an ``<img src>`` names; None for other URLs.

    CONTENT.md paths are relative to ``content/`` (``images/2024/hall.jpg``);
    ``/images/...`` and ``{static}/images/...`` mean the same. Pelican copies
    the file to the same path in the output, so its URL is SITEURL + path.
    """
    if src.startswith(("{static}", "{attach}")):
        src = src.split("}", 1)[1]
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path or src.startswith("#"):
        return None
    relative = unquote(parts.path).lstrip("/")
    site_url = settings.get("SITEURL", "")
    return plan_image(
        os.path.join(settings["PATH"], relative),
        f"{site_url}/{parts.path.lstrip('/')}",
        site_url,
        options,
    )
