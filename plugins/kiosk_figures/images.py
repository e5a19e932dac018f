"""Responsive images: measure an original, plan its variants, render them once.

Planning is cheap (Pillow reads only the header) and happens while content is
read, so every ``<img>`` gets its width, height and srcset. Rendering is slow,
so it happens once per original and settings: variants are named by a hash of
the file's bytes and the encoder settings, kept in a cache folder, and only
copied into the output by later builds.
"""

import hashlib
import logging
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

# Pillow format name -> file extension of the variants in the original format.
# GIFs may be animated and SVGs are not raster, so neither gets variants.
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# EXIF orientations that rotate by 90 degrees: width and height swap on display.
_ROTATED = {5, 6, 7, 8}


@dataclass(frozen=True)
class Rendition:
    """One resized file: where it comes from and where it goes in the output."""

    source: str
    width: int
    height: int
    fmt: str
    path: str
    url: str


@dataclass(frozen=True)
class ResponsiveImage:
    """What an ``<img>`` needs; strings are ready for attributes ('' when unknown)."""

    src: str
    width: int | str = ""
    height: int | str = ""
    srcset: str = ""
    webp_srcset: str = ""
    sizes: str = ""
    renditions: tuple[Rendition, ...] = ()


# An SVG's root element, near the start of the file, and the size it gives.
_SVG_HEAD = 4096
_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE)
_SVG_LENGTH = re.compile(rb"""\s%s\s*=\s*["']\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*["']""")
_SVG_VIEWBOX = re.compile(
    rb"""\sviewBox\s*=\s*["']\s*[-0-9.e]+[\s,]+[-0-9.e]+[\s,]+([0-9.e]+)[\s,]+([0-9.e]+)\s*["']"""
)


def measure_svg(path):
    """(width, height, "SVG") of an SVG drawing, as its root element gives them.

    ``width`` and ``height`` in pixels (or unitless), else the ``viewBox``'s
    size: what a browser reserves for the ``<img>`` before the drawing loads.
    Widths in other units (``100%``, ``20em``) give ``""``: unknown. None if
    the file cannot be read or has no ``<svg`` root near its start.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SVG_HEAD)
    except OSError:
        return None
    root = _SVG_ROOT.search(head)
    if root is None:
        return None
    tag = root.group(0)
    sizes = [re.search(_SVG_LENGTH.pattern % name, tag) for name in (b"width", b"height")]
    if all(sizes):
        width, height = (float(found.group(1)) for found in sizes)
    elif (box := _SVG_VIEWBOX.search(tag)) is not None:
        width, height = (float(value) for value in box.groups())
    else:
        return "", "", "SVG"
    if width <= 0 or height <= 0:
        return "", "", "SVG"
    return round(width), round(height), "SVG"


def measure(path):
    """Return (width, height, Pillow format) as displayed, or None if unreadable.

    An SVG (a chart, a map) is measured from its root element (``measure_svg``):
    it is drawn at any size, so it gets no resized variants.
    """
    if str(path).lower().endswith(".svg"):
        return measure_svg(path)
    try:
        with Image.open(path) as image:
            width, height = image.size
            if image.getexif().get(0x0112) in _ROTATED:
                width, height = height, width
            return width, height, image.format
    except (OSError, ValueError):
        return None


def file_digest(path, options):
    """A short hash of the file's bytes and the encoder options that shape a variant."""
    digest = hashlib.sha256(repr(options).encode())
    with open(path, "rb") as handle:
        digest.update(handle.read())
    return digest.hexdigest()[:16]


def plan_image(path, url, site_url, options):
    """Describe the original at ``path`` (served at ``url``) and its variants.

    ``options`` is the merged KIOSK_FIGURES dict. A missing or unreadable file
    still yields a usable image, without dimensions or srcset.
    """
    measured = measure(path)
    if measured is None:
        logger.warning("kiosk_figures: cannot read image %s", path)
        return ResponsiveImage(src=url)
    width, height, fmt = measured
    ext = _EXTENSIONS.get(fmt)
    if ext is None:
        return ResponsiveImage(src=url, width=width, height=height)

    encoder = (options["jpeg_quality"], options["webp_quality"])
    digest = file_digest(path, encoder)
    widths = sorted({min(w, width) for w in options["widths"]})
    renditions = []
    for variant_ext in dict.fromkeys((ext, "webp")):
        for w in widths:
            rel = f"{options['output_dir']}/{digest}-{w}.{variant_ext}"
            renditions.append(
                Rendition(
                    source=path,
                    width=w,
                    height=max(1, round(height * w / width)),
                    fmt=variant_ext,
                    path=rel,
                    url=f"{site_url}/{rel}",
                )
            )

    def srcset(variant_ext):
        return ", ".join(f"{r.url} {r.width}w" for r in renditions if r.fmt == variant_ext)

    return ResponsiveImage(
        src=url,
        width=width,
        height=height,
        srcset=srcset(ext),
        webp_srcset=srcset("webp"),
        sizes=options["sizes"],
        renditions=tuple(renditions),
    )


def resize(image, rendition, target, options):
    """Write ``rendition`` of the upright ``image`` to ``target`` (the slow part)."""
    if rendition.fmt == "jpg" and image.mode != "RGB":
        image = image.convert("RGB")
    image = image.resize((rendition.width, rendition.height), Image.Resampling.LANCZOS)
    if rendition.fmt == "webp":
        image.save(target, "WEBP", quality=options["webp_quality"], method=4)
    elif rendition.fmt == "jpg":
        image.save(target, "JPEG", quality=options["jpeg_quality"], optimize=True, progressive=True)
    else:
        image.save(target, "PNG", optimize=True)


def cached_path(rendition, cache_dir):
    """Where the cache keeps ``rendition``; the name already encodes its inputs."""
    return os.path.join(cache_dir, os.path.basename(rendition.path))


def missing_by_source(renditions, cache_dir) -> dict[str, list]:
    """``{original: [its renditions not in the cache]}``, in the order of ``renditions``."""
    missing = {}
    for rendition in renditions:
        if not os.path.exists(cached_path(rendition, cache_dir)):
            missing.setdefault(rendition.source, []).append(rendition)
    return missing


def render_source(group, cache_dir, options):
    """Decode one original once and write each of its renditions in ``group`` to the cache.

    An original that cannot be decoded (cut short by a download, damaged)
    raises ValueError naming the file: its header, all that planning read,
    was sound.
    """
    source = group[0].source
    try:
        original = Image.open(source)
        original.load()
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        relative = os.path.relpath(source)
        shown = source if relative.startswith("..") else relative
        raise ValueError(
            f"{shown}: cannot be decoded to make its resized variants ({err}); the file is "
            "damaged or cut short: save or export it again"
        ) from None
    with original:
        image = ImageOps.exif_transpose(original)
        if image.mode not in ("RGB", "RGBA", "L"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        for rendition in group:
            _write_atomically(image, rendition, cached_path(rendition, cache_dir), options)


def source_renderer(cache_dir, options):
    """:func:`render_source` for one group at a time (``kiosk_filecache.FreshJob``'s factory)."""
    return partial(render_source, cache_dir=cache_dir, options=options)


def render_all(renditions, cache_dir, options):
    """Make sure every rendition is in the cache; return how many were resized.

    Each original is decoded once for all of its missing variants, and
    originals are processed in parallel threads: Pillow releases the GIL while
    it decodes, resizes and encodes.
    """
    missing = missing_by_source(renditions, cache_dir)
    if not missing:
        return 0
    os.makedirs(cache_dir, exist_ok=True)
    render = source_renderer(cache_dir, options)
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as executor:
        # list() so that an exception in any thread fails the build here.
        list(executor.map(render, missing.values()))
    return sum(len(group) for group in missing.values())


def _write_atomically(image, rendition, cache_path, options):
    # Write beside the final name and rename, so that an interrupted or a
    # parallel build never leaves half a file in the cache.
    handle, temporary = tempfile.mkstemp(
        dir=os.path.dirname(cache_path), suffix="." + rendition.fmt
    )
    os.close(handle)
    try:
        resize(image, rendition, temporary, options)
        os.replace(temporary, cache_path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
