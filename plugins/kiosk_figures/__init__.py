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
survives builds (a big cold build renders the articles' ones in a process of
its own once they are read: generator.py). Settings: ``KIOSK_FIGURES`` (see
``settings.DEFAULTS``).
"""

import os
from functools import partial
from urllib.parse import unquote, urlsplit

from pelican import signals
from pelican.contents import Article, Page

from .body import minutes_for, reading_minutes, transform_body
from .generator import ImageVariantsGenerator, cancel_ahead, render_ahead
from .images import plan_image
from .settings import figure_settings
from .top_image import build_top_image

__all__ = ["register"]


def register():
    signals.initialized.connect(check_settings)
    signals.content_object_init.connect(process_content)
    signals.get_generators.connect(get_generators)
    signals.article_generator_pretaxonomy.connect(render_ahead)


def check_settings(pelican):
    """Fail the build early on a mistyped KIOSK_FIGURES key; start a new build's
    image plans."""
    figure_settings(pelican.settings)
    _plans.clear()
    cancel_ahead()


def get_generators(pelican):
    return ImageVariantsGenerator


def process_content(content):
    """Transform the body and attach top_image, body_images and reading_time."""
    if not isinstance(content, (Article, Page)):
        return
    options = figure_settings(content.settings)
    resolve = partial(_resolve_once, content.settings, options, repr(sorted(options.items())))
    body = transform_body(content._content or "", resolve)
    # Pelican has no public setter for the body; every content plugin writes
    # _content, and doing it here, at init, is before get_content() memoises.
    content._content = body.html
    content.body_images = body.images
    content.top_image = build_top_image(content.metadata, resolve)
    wpm = options["words_per_minute"]
    # The fast path counts words while it transforms; otherwise re-read the HTML.
    if body.words is None:
        content.reading_time = reading_minutes(body.html, wpm)
    else:
        content.reading_time = minutes_for(body.words, wpm)


# The same few images recur in many articles (series art, agency photos): plan
# each once per build. Keyed by everything plan_image reads, including the
# file's stat, so an image replaced during a livereload session is measured again.
_plans = {}


def _resolve_once(settings, options, options_key, src):
    key = (settings["PATH"], settings.get("SITEURL", ""), options_key, src)
    try:
        signature = _signature(settings, src)
    except OSError:
        return resolve_image(settings, options, src)  # missing: warn every time, as before
    cached = _plans.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    image = resolve_image(settings, options, src)
    if image is not None and image.width != "":
        _plans[key] = (signature, image)
    return image


def _signature(settings, src):
    path = src.split("}", 1)[1] if src.startswith(("{static}", "{attach}")) else src
    info = os.stat(os.path.join(settings["PATH"], unquote(urlsplit(path).path).lstrip("/")))
    return info.st_mtime_ns, info.st_size, info.st_ino, info.st_dev


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
