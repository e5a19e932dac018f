"""``article.top_image``: the image under the headline, ready for templates."""

from dataclasses import dataclass

from .credits import split_caption, typographic
from .images import ResponsiveImage

KINDS = ("photo", "image")


@dataclass(frozen=True)
class TopImage:
    """The top image of an article (CONTENT.md ``Image*`` keys).

    Every string is ready to go into an attribute or text node as it is, ''
    when unknown; ``src`` and the srcsets are full URLs including SITEURL.
    """

    src: str
    alt: str
    caption: str
    credit: str
    kind: str
    credit_label: str
    width: int | str
    height: int | str
    srcset: str
    webp_srcset: str
    sizes: str
    renditions: tuple = ()


def build_top_image(metadata, resolve):
    """Return a :class:`TopImage` from lowercased Pelican metadata, or None.

    ``resolve(path)`` measures the file (see ``body.transform_body``). A
    caption whose credit is missing gets it split off the caption's last
    sentence, the same rule as body images.
    """
    path = (metadata.get("image") or "").strip()
    if not path:
        return None
    image = resolve(path) or ResponsiveImage(src=path)
    caption = " ".join(str(metadata.get("image_caption") or "").split())
    credit = " ".join(str(metadata.get("image_credit") or "").split())
    if not credit:
        caption, credit = split_caption(caption)
    kind = str(metadata.get("image_kind") or "photo").strip().lower()
    if kind not in KINDS:
        kind = "photo"
    return TopImage(
        src=image.src,
        alt=str(metadata.get("image_alt") or ""),
        caption=typographic(caption),
        credit=typographic(credit),
        kind=kind,
        credit_label=f"Top {kind} credit: {typographic(credit)}" if credit else "",
        width=image.width,
        height=image.height,
        srcset=image.srcset,
        webp_srcset=image.webp_srcset,
        sizes=image.sizes,
        renditions=image.renditions,
    )
