"""Write the resized image variants into the output, from the cache.

A cold build renders them while it does other work: once the articles are
read (``article_generator_pretaxonomy``) their variants are known, and if at
least ``render_ahead_min_sources`` originals have some missing from the
cache, a new Python process (``kiosk_filecache.FreshJob``, at kiosk_ahead's
niceness) renders those while the build's process goes on alone with the
taxonomies, related stories and feeds, the one stretch of a cold build where
a core idles, and then with what the render leaves of the second core
(BENCHMARKS.md, lever 134). Only where no helper process can share the
render (``kiosk_incremental.helper_may_render``): a render on two cores
leaves no core to spare, and at N = 1,000 the variants beside it made the
render slower. Pillow in a thread of the build's process did not pay either
(lever 131: each hand-off of the GIL slows the build's one Python thread).
The generator stops that process after the original in hand, then renders
what is still missing in its threads as before (pages' images, what the
process did not reach, or all of it if the process failed: the error is then
the one rendering here raises) and copies the variants into the output.
"""

import logging
import os
import shutil

from kiosk_filecache import FreshJob, workers_available

from .images import cached_path, missing_by_source, render_all
from .settings import figure_settings

logger = logging.getLogger(__name__)

# The build's early rendering, while it runs: {"job": FreshJob}.
_ahead = {}
# Its niceness: it has the core that idles once the articles are read, then
# shares what the render leaves with kiosk_ahead's worker, at the same niceness.
NICE = 10


def every_rendition(contents):
    """Every variant the ``contents`` use, once each, in a stable order."""
    found = {}
    for content in contents:
        images = [getattr(content, "top_image", None), *getattr(content, "body_images", ())]
        for image in filter(None, images):
            for rendition in image.renditions:
                found[rendition.path] = rendition
    return [found[path] for path in sorted(found)]


def render_ahead(generator):
    """Start rendering the read articles' missing variants in a process of their own."""
    cancel_ahead()
    options = figure_settings(generator.settings)
    least = options["render_ahead_min_sources"]
    if least is None or workers_available() < 2 or _helper_may_render():
        return
    cache_dir = os.path.abspath(options["cache_path"])
    renditions = every_rendition(generator.context.get("generated_content", {}).values())
    missing = missing_by_source(renditions, cache_dir)
    if len(missing) < max(1, least):
        return
    os.makedirs(cache_dir, exist_ok=True)
    _ahead["job"] = FreshJob("kiosk_figures.images:source_renderer", (cache_dir, options),
                             list(missing.values()), nice=NICE, stoppable=True)  # fmt: skip


def _helper_may_render() -> bool:
    """Could kiosk_incremental's helper process take the second core for the render?"""
    try:
        from kiosk_incremental import helper_may_render
    except ImportError:
        return False
    return helper_may_render()


def finish_ahead() -> None:
    """Stop the early rendering after the original in hand, and wait for that: what it
    did not do is left missing, for the generator's threads."""
    job = _ahead.pop("job", None)
    if job is None:
        return
    job.stop()
    try:
        job.result()
    except Exception as err:  # noqa: BLE001 - rendering here raises it in full
        logger.debug("kiosk_figures: early rendering failed (%s); rendering here", err)


def cancel_ahead() -> None:
    """Stop an early rendering left by a build that ended before its variants were written."""
    job = _ahead.pop("job", None)
    if job is not None:
        job.cancel()


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
        return every_rendition(self.context.get("generated_content", {}).values())

    def generate_output(self, writer):
        options = figure_settings(self.settings)
        cache_dir = os.path.abspath(options["cache_path"])
        renditions = self.renditions()
        finish_ahead()
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
