"""Write the resized image variants into the output, from the cache.

The articles' missing variants start rendering early, in a thread, once the
articles are read (``start_early``, at ``article_generator_finalized``): a
cold build's process then works alone for seconds (the articles' finalizers,
the other generators) while the second core idles, and Pillow decodes,
resizes and encodes without the GIL. The generator waits for them, renders
what is still missing (the pages' images) and copies every variant, as it
always did; an error in the early render fails the build there. A fork
waits for the early render first (``os.register_at_fork``): a forked helper
never starts beside a thread in the middle of a write.
"""

import concurrent.futures
import contextlib
import logging
import os
import shutil
import threading

from .images import cached_path, render_all
from .settings import figure_settings

logger = logging.getLogger(__name__)

# The early render of the build in progress: (cache folder, its future), or None.
_early = None
_early_lock = threading.Lock()


def renditions_of(contents):
    """Every variant ``contents`` use, once each, in a stable order."""
    found = {}
    for content in contents:
        images = [getattr(content, "top_image", None), *getattr(content, "body_images", ())]
        for image in filter(None, images):
            for rendition in image.renditions:
                found[rendition.path] = rendition
    return [found[path] for path in sorted(found)]


def start_early(generator) -> None:
    """Render the missing variants of the content read so far, in the background."""
    global _early
    discard_early()  # a failed build's, in the same process (the live preview)
    options = figure_settings(generator.settings)
    cache_dir = os.path.abspath(options["cache_path"])
    renditions = renditions_of(generator.context.get("generated_content", {}).values())
    if not any(not os.path.exists(cached_path(r, cache_dir)) for r in renditions):
        return
    executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kiosk_figures")
    with _early_lock:
        _early = (cache_dir, executor.submit(render_all, renditions, cache_dir, options))
    executor.shutdown(wait=False)


def finish_early(cache_dir=None) -> int:
    """Wait for the early render; how many variants it resized (0: none was started,
    or it was for another cache). Its error, if any, is raised here."""
    global _early
    with _early_lock:
        early, _early = _early, None
    if early is None:
        return 0
    folder, future = early
    resized = future.result()
    return resized if folder == cache_dir else 0


def discard_early() -> None:
    """Wait for an early render the build never took (it failed before writing), and
    forget it: its variants are in the cache or not, and either is fine."""
    with contextlib.suppress(Exception):
        finish_early()


def _before_fork() -> None:
    with _early_lock:
        early = _early
    if early is not None:
        concurrent.futures.wait([early[1]])  # its result stays for finish_early


os.register_at_fork(before=_before_fork)


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
        return renditions_of(self.context.get("generated_content", {}).values())

    def generate_output(self, writer):
        options = figure_settings(self.settings)
        cache_dir = os.path.abspath(options["cache_path"])
        renditions = self.renditions()
        resized = finish_early(cache_dir) + render_all(renditions, cache_dir, options)
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
