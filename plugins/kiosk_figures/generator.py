"""Write the resized image variants into the output, from the cache."""

import logging
import os
import shutil

from .images import cached_path, render_all
from .settings import figure_settings

logger = logging.getLogger(__name__)


class ImageVariantsGenerator:
    """A Pelican generator (``get_generators``) for ``images/_v/*``.

    Articles and pages describe their variants while they are read (their
    ``top_image`` and ``body_images``); this generator, which runs after the
    output folder was cleaned, renders the missing ones into the cache and
    copies all of them into the output.
    """

    def __init__(self, context, settings, path, theme, output_path, **kwargs):
        self.context = context
        self.settings = settings
        self.output_path = output_path

    def renditions(self):
        """Every variant some article or page uses, once each, in a stable order."""
        found = {}
        for content in self.context.get("generated_content", {}).values():
            images = [getattr(content, "top_image", None), *getattr(content, "body_images", ())]
            for image in filter(None, images):
                for rendition in image.renditions:
                    found[rendition.path] = rendition
        return [found[path] for path in sorted(found)]

    def generate_output(self, writer):
        options = figure_settings(self.settings)
        cache_dir = os.path.abspath(options["cache_path"])
        renditions = self.renditions()
        resized = render_all(renditions, cache_dir, options)
        for rendition in renditions:
            target = os.path.join(self.output_path, rendition.path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            # copy2 keeps the cache's mtime, so unchanged variants look
            # unchanged to rsync-style deploys.
            shutil.copy2(cached_path(rendition, cache_dir), target)
        logger.info(
            "kiosk_figures: %d image variants (%d resized, %d from cache)",
            len(renditions),
            resized,
            len(renditions) - resized,
        )
