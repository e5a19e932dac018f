#!/usr/bin/env python3
"""Generate placeholder JPEGs for every image the sample content refers to.

The sample magazine under ``content/`` refers to pictures that do not exist in
the repository as real photographs. This script finds every such reference and
draws a plausible, deterministic stand-in with Pillow, so that the site builds
with no broken images and every page looks like a news page.

References found (in every ``content/**/*.md``):

* the header values ``Image:`` (article top images) and ``Photo:`` (author
  portraits);
* Markdown images in the body whose target is under ``images/``, e.g.
  ``![alt](images/2024/slug-fig1.jpg "Caption | AP Photo/Name")``.

Paths are relative to ``content/`` (a leading ``/`` or ``{static}/`` is
ignored). For each referenced file that is missing, the drawing is chosen from
what the content says the picture shows -- its alt text first, then its caption
(``Image_Alt``/``Image_Caption``, or a body image's alt text and title) -- and
from ``Image_Kind``, so that the stand-in matches its alt text (WCAG 1.1.1):

* words such as "bar chart", "chart", "graph" or "map" give a bar chart, a
  line chart (its trend following "rising", "falling", "steady") or a map (of
  marked places when the words name terminals or ports); ``Image_Kind: image``
  with "illustration"-type subjects (a table and clock, ledgers and a globe, a
  phone screen) gives a flat illustration of them, and otherwise a chart;
* other pictures are photo-like scenes matched by subject (``PHOTO_RULES``):
  ports and cranes, ships (tankers, LNG carriers, warships, coast guard
  cutters, fishing boats), lorries on roads and bridges, city skylines,
  crowds and people, rooms (meeting rooms, halls, studios, newsrooms, server
  aisles, factory floors), mines, mountains, salt flats and more, lit as the
  words say (dusk, dawn, night, overcast, haze); a subject with no matching
  scene gets a plain landscape;
* author photos (``Photo:`` or ``images/authors/``) are soft portrait
  silhouettes.

Sizes: top images (``Image:``) 1600x900, inline figures (body images)
1200x800, author photos 480x480. Details (palette, placement, heights) come
from a random generator seeded from the path, so the same content always
gives the same picture. A reference with no alt text or caption (such as
bench/corpus.py's image pool) gets a scene or chart picked by its path. When
you add an image whose subject no rule knows,
add a rule or a scene, or describe in the alt text what is drawn.

Files are written as progressive JPEG, quality about 72, and kept under
120 KB (the quality is lowered if needed). Existing files are left alone, so
running the script twice changes nothing; ``--force`` redraws them all.

Usage::

    .venv/bin/python scripts/make_sample_images.py            # missing only
    .venv/bin/python scripts/make_sample_images.py --force    # redraw all
    .venv/bin/python scripts/make_sample_images.py --dry-run  # list only
"""

from __future__ import annotations

import argparse
import colorsys
import hashlib
import io
import math
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

TOP_SIZE = (1600, 900)
FIGURE_SIZE = (1200, 800)
PORTRAIT_SIZE = (480, 480)
QUALITY = 72
MAX_BYTES = 120 * 1024

HEADER_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\s*:\s*(.*)$")
BODY_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s\"'>]+)>?(?:\s+\"([^\"]*)\")?")


@dataclass(frozen=True)
class Ref:
    """One referenced image: its path under content/ and what to draw."""

    path: str  # relative to content/, forward slashes
    kind: str  # "top", "top-image", "figure", "portrait"
    source: str  # the Markdown file that refers to it (for messages)
    alt: str = ""  # Image_Alt, or the body image's alt text
    caption: str = ""  # Image_Caption, or the body image's title without its credit


# --------------------------------------------------------------------------
# Finding references
# --------------------------------------------------------------------------
def normalise(target: str) -> str | None:
    """Return a content-relative path for an image target, or None if external."""
    target = target.strip()
    if re.match(r"^[a-z]+://", target) or target.startswith("//"):
        return None
    for prefix in ("{static}", "{attach}", "{filename}"):
        if target.startswith(prefix):
            target = target[len(prefix) :]
    target = target.lstrip("/")
    if target.startswith("content/"):
        target = target[len("content/") :]
    return target or None


def parse_markdown(path: Path) -> tuple[dict[str, str], str]:
    """Split a Pelican Markdown file into its header (lowercased keys) and body."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    header: dict[str, str] = {}
    i = 0
    for i, line in enumerate(lines):  # noqa: B007 (i is read after the loop)
        if not line.strip():
            break
        m = HEADER_KEY.match(line)
        if not m:  # not a header line: no header at all
            return {}, text
        header[m.group(1).lower()] = m.group(2).strip()
    else:
        i = len(lines)
    return header, "\n".join(lines[i + 1 :])


def find_references(content: Path = CONTENT) -> list[Ref]:
    """Every image referenced by the Markdown files under ``content``."""
    refs: dict[str, Ref] = {}

    def add(target: str, kind: str, source: Path, alt: str = "", caption: str = "") -> None:
        rel = normalise(target)
        if not rel or not rel.lower().endswith((".jpg", ".jpeg")):
            return
        if rel.startswith("images/authors/"):
            kind = "portrait"
        where = str(source.relative_to(content.parent))
        refs.setdefault(rel, Ref(rel, kind, where, alt, caption))

    for md in sorted(content.rglob("*.md")):
        header, body = parse_markdown(md)
        if header.get("image"):
            kind = "top-image" if header.get("image_kind", "").lower() == "image" else "top"
            add(
                header["image"],
                kind,
                md,
                header.get("image_alt", ""),
                header.get("image_caption", ""),
            )
        if header.get("photo"):
            add(header["photo"], "portrait", md)
        for m in BODY_IMAGE.finditer(body):
            target = normalise(m.group(2))
            if target and target.startswith("images/"):
                caption = (m.group(3) or "").rsplit(" | ", 1)[0]
                add(m.group(2), "figure", md, m.group(1), caption)
    return sorted(refs.values(), key=lambda r: r.path)


# --------------------------------------------------------------------------
# Colour helpers
# --------------------------------------------------------------------------
def mute(rgb, amount=0.35, toward=(128, 124, 118)):
    """Pull a colour toward a warm grey: the muted palette of news photos."""
    return tuple(int(c + (t - c) * amount) for c, t in zip(rgb, toward, strict=False))


def mix(a, b, t):
    return tuple(int(x + (y - x) * t) for x, y in zip(a, b, strict=False))


def hsv(h, s, v):
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, max(0, min(1, s)), max(0, min(1, v)))
    return (int(r * 255), int(g * 255), int(b * 255))


def vertical_gradient(size, top, bottom, curve=1.0):
    w, h = size
    img = Image.new("RGB", (1, h))
    px = img.load()
    for y in range(h):
        t = (y / max(1, h - 1)) ** curve
        px[0, y] = mix(top, bottom, t)
    return img.resize((w, h))


def ridge(rng, width, base, amplitude, roughness=0.55, points=65):
    """A 1-D midpoint-displacement line: hills, coastlines, skylines of trees."""
    n = 1
    while n < points:
        n *= 2
    ys = [0.0] * (n + 1)
    ys[0], ys[n] = rng.uniform(-1, 1), rng.uniform(-1, 1)
    step, scale = n, 1.0
    while step > 1:
        half = step // 2
        for i in range(half, n, step):
            ys[i] = (ys[i - half] + ys[i + half]) / 2 + rng.uniform(-scale, scale)
        step, scale = half, scale * roughness
    return [(width * i / n, base + amplitude * ys[i]) for i in range(n + 1)]


# --------------------------------------------------------------------------
# Compositions
# --------------------------------------------------------------------------
def draw_map(rng: random.Random, size, text: str = "") -> Image.Image:
    """Coastlines on a graticule; what is marked follows the words.

    A map of terminals or ports marks places, some highlighted; otherwise a
    hatched zone (the story's country or area) and dashed routes between cities.
    """
    w, h = size
    places = bool(re.search(r"terminal|\bports?\b", text))
    sea = mute(rng.choice([(176, 196, 206), (196, 206, 204), (160, 178, 190), (40, 52, 66)]), 0.2)
    dark_theme = sum(sea) < 300
    land = mute((210, 200, 178), 0.2) if not dark_theme else (70, 76, 80)
    coast = mix(land, (40, 40, 40), 0.5) if not dark_theme else (150, 160, 166)
    img = Image.new("RGB", size, sea)
    d = ImageDraw.Draw(img)

    # Graticule.
    grid = mix(sea, (255, 255, 255) if not dark_theme else (120, 130, 140), 0.25)
    step = rng.choice([80, 100, 120])
    for gx in range(0, w, step):
        d.line([(gx, 0), (gx, h)], fill=grid, width=1)
    for gy in range(0, h, step):
        d.line([(0, gy), (w, gy)], fill=grid, width=1)

    # Land masses: noisy blobs.
    for _ in range(rng.randint(2, 4)):
        cx, cy = rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.1, 1.1) * h
        r = rng.uniform(0.2, 0.45) * min(w, h) * 1.4
        n = 90
        phases = [rng.uniform(0, 6.28) for _ in range(4)]
        pts = []
        for i in range(n):
            a = 2 * math.pi * i / n
            rr = r * (
                1
                + 0.18 * math.sin(3 * a + phases[0])
                + 0.1 * math.sin(7 * a + phases[1])
                + 0.05 * math.sin(13 * a + phases[2])
                + rng.uniform(-0.03, 0.03)
            )
            pts.append((cx + rr * math.cos(a), cy + rr * 0.8 * math.sin(a)))
        d.polygon(pts, fill=land, outline=coast)
        d.line(pts + [pts[0]], fill=coast, width=2)

    accent = (155, 28, 28)
    ink = (40, 40, 44) if not dark_theme else (230, 226, 216)
    if places:  # markers along the coasts, those the story is about in red
        for i in range(rng.randint(9, 14)):
            x, y = rng.uniform(0.08, 0.92) * w, rng.uniform(0.1, 0.9) * h
            if i % 3 == 0:
                d.ellipse([x - 14, y - 14, x + 14, y + 14], fill=accent, outline=sea, width=3)
            else:
                d.ellipse([x - 8, y - 8, x + 8, y + 8], fill=ink, outline=sea, width=2)
        return img.filter(ImageFilter.GaussianBlur(0.6))

    # A highlighted area (the story's country or zone), hatched.
    hx, hy = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h
    hr = min(w, h) * rng.uniform(0.08, 0.14)
    zone = [
        (
            hx + hr * math.cos(a) * rng.uniform(0.8, 1.2),
            hy + hr * math.sin(a) * rng.uniform(0.8, 1.2),
        )
        for a in [2 * math.pi * i / 9 for i in range(9)]
    ]
    d.polygon(zone, fill=mix(land, accent, 0.35))
    hatch = Image.new("RGB", size, mix(land, accent, 0.35))
    hd = ImageDraw.Draw(hatch)
    for k in range(-int(hr * 3), int(hr * 3), 10):
        hd.line(
            [(hx + k - hr * 1.5, hy + hr * 1.5), (hx + k + hr * 1.5, hy - hr * 1.5)],
            fill=mix(land, accent, 0.6),
            width=2,
        )
    zmask = Image.new("L", size, 0)
    ImageDraw.Draw(zmask).polygon(zone, fill=255)
    img.paste(hatch, mask=zmask)
    d = ImageDraw.Draw(img)
    d.line(zone + [zone[0]], fill=accent, width=2)

    # Cities and a dashed shipping route.
    cities = [
        (rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h) for _ in range(rng.randint(4, 8))
    ]
    for (x0, y0), (x1, y1) in zip(cities, cities[1:3], strict=False):
        segs = 24
        for i in range(0, segs, 2):
            t0, t1 = i / segs, (i + 1) / segs
            bend = math.sin(math.pi * t0) * 40
            d.line(
                [
                    (x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0 - bend),
                    (x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1 - math.sin(math.pi * t1) * 40),
                ],
                fill=accent,
                width=3,
            )
    for x, y in cities:
        d.ellipse([x - 6, y - 6, x + 6, y + 6], fill=ink, outline=sea, width=2)
    return img.filter(ImageFilter.GaussianBlur(0.6))


def draw_chart(rng: random.Random, size, style: str = "lines", text: str = "") -> Image.Image:
    """A bar chart (``style="bars"``) or a line chart, shaped by the words.

    "comparing" or "and" gives two series of bars; "rising", "falling" and
    "steady" set the trend of the highlighted (red) series, and with both
    "rising" and "falling" a second series goes the other way.
    """
    w, h = size
    rising, falling = "rising" in text or "grow" in text, "falling" in text or "declin" in text
    trend = 0.02 if rising else -0.015 if falling else 0.0
    paper = rng.choice([(246, 243, 236), (240, 238, 232), (34, 38, 44)])
    dark_theme = sum(paper) < 300
    ink = (60, 60, 64) if not dark_theme else (210, 206, 198)
    faint = mix(paper, ink, 0.15)
    accent = (155, 28, 28) if not dark_theme else (214, 96, 86)
    second = (62, 92, 124) if not dark_theme else (130, 160, 190)
    img = Image.new("RGB", size, paper)
    d = ImageDraw.Draw(img)
    left, right, top, bottom = w * 0.09, w * 0.95, h * 0.16, h * 0.86

    # Title and subtitle stand-ins (bars of "text").
    d.rectangle([left, h * 0.05, left + w * rng.uniform(0.3, 0.5), h * 0.05 + 18], fill=ink)
    d.rectangle([left, h * 0.05 + 30, left + w * rng.uniform(0.2, 0.35), h * 0.05 + 40], fill=faint)

    for i in range(6):  # gridlines and tick-label stand-ins
        y = bottom - (bottom - top) * i / 5
        d.line([(left, y), (right, y)], fill=faint, width=1)
        d.rectangle([left - 46, y - 5, left - 14, y + 5], fill=faint)
    d.line([(left, bottom), (right, bottom)], fill=ink, width=2)

    if style == "bars":  # one or two series
        two = "compar" in text or " and " in text
        n = rng.randint(5, 7) if two else rng.randint(6, 12)
        slot = (right - left) / n
        level = rng.uniform(0.15, 0.3) if rising else rng.uniform(0.3, 0.6)
        for i in range(n):
            step = 0.6 / n if rising else 0.0
            level = min(0.95, max(0.08, level + step + rng.uniform(-0.08, 0.1)))
            bw = slot * (0.33 if two else 0.6)
            x = left + slot * i + slot * 0.15
            d.rectangle(
                [x, bottom - (bottom - top) * level, x + bw, bottom],
                fill=second if two or i < n - 1 else accent,
            )
            if two:  # the second series, in the accent colour
                l2 = min(0.97, level * rng.uniform(1.15, 1.6))
                d.rectangle(
                    [x + bw + 4, bottom - (bottom - top) * l2, x + 2 * bw + 4, bottom], fill=accent
                )
            d.rectangle([x, bottom + 12, x + bw * (2 if two else 1), bottom + 20], fill=faint)
    else:  # two or three series, the first in red
        n = rng.randint(24, 48)
        for s in range(2 if rising and falling else rng.randint(2, 3)):
            col = [accent, second, mix(ink, paper, 0.4)][s]
            if s == 0:
                t = 0.018 if rising and "steep" in text else trend if (rising or falling) else 0.0
                level = 0.12 if t > 0 else 0.85 if t < 0 else rng.uniform(0.3, 0.6)
            elif rising and falling:
                t, level = -0.02, 0.85
            else:
                t, level = rng.uniform(-0.01, 0.01), rng.uniform(0.2, 0.8)
            if s == 0 and rising and falling:
                t, level = 0.02, 0.1
            t = t * 40 / n
            pts = []
            for i in range(n):
                wobble = 0.015 if "steady" in text and s == 0 else 0.04
                level = min(0.97, max(0.03, level + t + rng.uniform(-wobble, wobble)))
                pts.append((left + (right - left) * i / (n - 1), bottom - (bottom - top) * level))
            d.line(pts, fill=col, width=4 if s == 0 else 3, joint="curve")
            d.ellipse([pts[-1][0] - 6, pts[-1][1] - 6, pts[-1][0] + 6, pts[-1][1] + 6], fill=col)
        for i in range(0, 6):
            x = left + (right - left) * i / 5
            d.rectangle([x - 16, bottom + 12, x + 16, bottom + 20], fill=faint)
    d.rectangle([left, h * 0.93, left + w * 0.18, h * 0.93 + 8], fill=faint)  # source line
    return img


def draw_portrait(rng: random.Random, size) -> Image.Image:
    w, h = size
    hue = rng.uniform(0, 1)
    bg_top = mute(hsv(hue, 0.18, 0.78), 0.2)
    bg_bottom = mute(hsv(hue + 0.05, 0.22, 0.55), 0.2)
    img = vertical_gradient(size, bg_top, bg_bottom)
    # Studio light: a soft bright patch behind the head.
    glow = Image.new("L", size, 0)
    ImageDraw.Draw(glow).ellipse([w * 0.15, h * 0.05, w * 0.85, h * 0.75], fill=120)
    img.paste((240, 236, 228), mask=glow.filter(ImageFilter.GaussianBlur(w * 0.12)))

    fig = Image.new("L", size, 0)
    fd = ImageDraw.Draw(fig)
    cx = w * rng.uniform(0.45, 0.55)
    head_w, head_h = w * rng.uniform(0.25, 0.3), h * rng.uniform(0.32, 0.37)
    head_top = h * rng.uniform(0.16, 0.22)
    fd.ellipse([cx - head_w / 2, head_top, cx + head_w / 2, head_top + head_h], fill=255)
    neck_y = head_top + head_h * 0.85
    fd.rectangle([cx - head_w * 0.22, neck_y - 10, cx + head_w * 0.22, neck_y + h * 0.08], fill=255)
    sh_w = w * rng.uniform(0.68, 0.8)
    fd.ellipse(
        [cx - sh_w / 2, neck_y + h * 0.06, cx + sh_w / 2, neck_y + h * 0.06 + h * 0.6], fill=255
    )
    if rng.random() < 0.55:  # longer hair
        fd.ellipse(
            [cx - head_w * 0.62, head_top - 8, cx + head_w * 0.62, head_top + head_h * 1.15],
            fill=255,
        )
    fig = fig.filter(ImageFilter.GaussianBlur(w * 0.012))

    skin = hsv(rng.uniform(0.05, 0.09), rng.uniform(0.25, 0.5), rng.uniform(0.3, 0.75))
    clothes = mute(hsv(rng.choice([0.6, 0.0, 0.1, 0.35, 0.75]), 0.3, rng.uniform(0.2, 0.45)), 0.3)
    body = vertical_gradient(size, mix(skin, (30, 30, 30), 0.35), clothes, curve=0.6)
    shade = Image.new("L", size, 0)
    ImageDraw.Draw(shade).rectangle([0, neck_y + h * 0.07, w, h], fill=255)
    body.paste(clothes, mask=shade.filter(ImageFilter.GaussianBlur(6)))
    img.paste(body, mask=fig)
    return vignette(img.filter(ImageFilter.GaussianBlur(1.2)), 0.35)


def vignette(img: Image.Image, strength: float) -> Image.Image:
    w, h = img.size
    small = Image.new("L", (64, 36), 0)
    px = small.load()
    for y in range(36):
        for x in range(64):
            dx, dy = (x - 31.5) / 32, (y - 17.5) / 18
            px[x, y] = int(255 * min(1, max(0, (dx * dx + dy * dy) ** 1.2 * strength)))
    mask = small.resize((w, h), Image.BILINEAR)
    return Image.composite(Image.new("RGB", (w, h), (18, 18, 20)), img, mask)


# --------------------------------------------------------------------------
# Scenes for photo-like images, chosen from the alt text
# --------------------------------------------------------------------------
MOODS = {  # (sky at the top, sky at the horizon)
    "dawn": ((58, 74, 104), (222, 178, 140)),
    "dusk": ((42, 46, 72), (196, 120, 92)),
    "overcast": ((120, 128, 136), (196, 196, 190)),
    "haze": ((150, 160, 168), (224, 214, 192)),
    "night": ((16, 22, 38), (58, 70, 96)),
    "clear": ((92, 136, 182), (214, 222, 226)),
    "evening": ((84, 96, 110), (210, 170, 120)),
}
MOOD_WORDS = [
    (r"sunset|dusk|evening", "dusk"),
    (r"dawn|sunrise|morning", "dawn"),
    (r"\bnight", "night"),
    (r"grey|gray|overcast|cloudy|winter|snow|frozen|choppy", "overcast"),
    (r"haz[ey]|\bhot\b|dust|desert", "haze"),
    (r"clear|blue sky", "clear"),
]


def mood_of(text: str, rng: random.Random, default: str | None = None) -> str:
    """The light a scene's words ask for (dusk, dawn, night, overcast, ...)."""
    for pattern, mood in MOOD_WORDS:
        if re.search(pattern, text):
            return mood
    return default or rng.choice(["overcast", "haze", "clear", "evening"])


@dataclass
class Scene:
    """An outdoor picture in progress: the image, its pen and its palette."""

    img: Image.Image
    d: ImageDraw.ImageDraw
    horizon: int
    sky: tuple
    haze: tuple
    dark: tuple
    mood: str

    @property
    def w(self) -> int:
        return self.img.size[0]

    @property
    def h(self) -> int:
        return self.img.size[1]

    def tone(self, t: float) -> tuple:
        """A silhouette colour: 0 is the haze at the horizon, 1 the darkest."""
        return mix(self.haze, self.dark, t)

    def refresh(self) -> None:
        self.d = ImageDraw.Draw(self.img)


def outdoor(rng, size, text, horizon=0.62, hills=2, mood=None, sun=None) -> Scene:
    """Sky (lit as the text says), distant hills and a horizon line."""
    w, h = size
    mood = mood or mood_of(text, rng)
    top, haze = MOODS[mood]
    top, haze = mute(top, 0.12), mute(haze, 0.18)
    img = vertical_gradient(size, top, haze, curve=rng.uniform(0.8, 1.3))
    hz = int(h * horizon)
    if sun if sun is not None else mood in ("dawn", "dusk", "evening", "haze"):
        glow = Image.new("L", size, 0)
        sx, sy, r = rng.uniform(0.2, 0.8) * w, hz - rng.uniform(0.06, 0.2) * h, h * 0.05
        ImageDraw.Draw(glow).ellipse([sx - r, sy - r, sx + r, sy + r], fill=210)
        img.paste(
            mix(haze, (255, 240, 215), 0.6), mask=glow.filter(ImageFilter.GaussianBlur(h * 0.04))
        )
    d = ImageDraw.Draw(img)
    dark = mute(hsv(rng.uniform(0.55, 0.7), 0.25, 0.2 if mood != "night" else 0.1), 0.1)
    for k in range(hills):
        t = (k + 1) / (hills + 1)
        line = ridge(rng, w, hz - h * (0.08 - 0.07 * t), h * rng.uniform(0.02, 0.06) * (1.2 - t))
        d.polygon(line + [(w, h), (0, h)], fill=mix(haze, dark, 0.2 + 0.35 * t))
    return Scene(img, d, hz, top, haze, dark, mood)


def water(s: Scene, rng, chop=1.0, colour=None, top=None) -> None:
    """Sea or river from ``top`` (the horizon) down, with glints."""
    top = top or s.horizon
    col = colour or s.tone(0.35)
    s.img.paste(vertical_gradient((s.w, s.h - top), col, mix(col, s.dark, 0.6)), (0, top))
    s.refresh()
    for _ in range(int(60 * chop)):
        y = rng.uniform(top + 3, s.h)
        x = rng.uniform(0, s.w)
        ln = rng.uniform(20, 120) * (y - top) / (s.h - top + 1) * chop
        s.d.line([(x, y), (x + ln, y)], fill=mix(col, s.haze, 0.45), width=1 + int(chop > 1.5))


def land(s: Scene, colour=None, top=None) -> tuple:
    col = colour or s.tone(0.8)
    s.d.rectangle([0, top or s.horizon, s.w, s.h], fill=col)
    return col


def finish(img: Image.Image, rng: random.Random, blur=(0.8, 1.4), vig=(0.25, 0.4)) -> Image.Image:
    """Soften like a lens and darken the corners, as news photos look."""
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(*blur)))
    return vignette(img, rng.uniform(*vig))


# -- things that appear in scenes ------------------------------------------------
def person(d, x, base, ht, col, *, arms="down", holding=None, head=None, pack=None, drape=None):
    """A standing figure, feet on ``base``: head, shoulders, torso, legs, arms.

    ``arms="up"`` raises both hands above the head, holding ``holding`` (a
    colour: a sign or framed portrait); ``arms="front"`` holds ``holding`` as
    papers at the chest; ``head`` colours a helmet or scarf, ``pack`` a
    backpack, ``drape`` a blanket over the shoulders.
    """
    r = ht * 0.075
    hy = base - ht + r
    sy, wy = base - ht * 0.8, base - ht * 0.45
    sw, ww = ht * 0.13, ht * 0.1
    if pack:
        d.rounded_rectangle([x - sw * 1.05, sy + ht * 0.02, x + sw * 0.3, wy], ht * 0.03, fill=pack)
    d.rectangle([x - r * 0.45, hy, x + r * 0.45, sy + 2], fill=col)
    d.ellipse([x - r, hy - r, x + r, hy + r], fill=col)
    if head:
        d.chord([x - r * 1.1, hy - r * 1.15, x + r * 1.1, hy + r * 0.6], 180, 360, fill=head)
    d.polygon([(x - sw, sy), (x + sw, sy), (x + ww, wy), (x - ww, wy)], fill=col)
    d.ellipse([x - sw, sy - ht * 0.025, x + sw, sy + ht * 0.05], fill=col)
    leg = ht * 0.045
    d.polygon(
        [(x - ww, wy), (x - 1, wy), (x - leg * 0.6, base), (x - ww - leg * 0.4, base)], fill=col
    )
    d.polygon(
        [(x + 1, wy), (x + ww, wy), (x + ww + leg * 0.4, base), (x + leg * 0.6, base)], fill=col
    )
    aw = max(2, int(ht * 0.045))
    if arms == "up":
        top = hy - r * 2.6
        for side in (-1, 1):
            d.line([(x + side * sw, sy + 2), (x + side * sw * 1.3, top + r)], fill=col, width=aw)
        if holding:
            fw, fh = sw * 2.2, ht * 0.3
            d.rectangle([x - fw / 2, top - fh, x + fw / 2, top + r], fill=holding)
    elif arms == "front":
        for side in (-1, 1):
            d.line(
                [(x + side * sw, sy + 2), (x + side * sw * 0.5, base - ht * 0.6)],
                fill=col,
                width=aw,
            )
        if holding:
            d.rectangle(
                [x - sw * 0.9, base - ht * 0.68, x + sw * 0.9, base - ht * 0.56], fill=holding
            )
    else:
        for side in (-1, 1):
            d.line(
                [(x + side * sw, sy + 2), (x + side * sw * 1.15, wy + ht * 0.04)],
                fill=col,
                width=aw,
            )
    if drape:
        d.polygon(
            [
                (x - sw * 1.2, sy - 2),
                (x + sw * 1.2, sy - 2),
                (x + sw * 1.1, wy - ht * 0.05),
                (x - sw * 1.1, wy - ht * 0.02),
            ],
            fill=drape,
        )


def crowd(d, rng, x0, x1, base, ht, rows, col_of, **kw):
    """Rows of people, smaller and hazier toward the back."""
    for row in range(rows, 0, -1):
        scale = 1 - 0.12 * (row - 1)
        x = x0 + rng.uniform(0, ht * 0.2)
        while x < x1:
            person(
                d,
                x,
                base - ht * 0.1 * (row - 1),
                ht * scale * rng.uniform(0.9, 1.05),
                col_of(row),
                **{k: (v(rng) if callable(v) else v) for k, v in kw.items()},
            )
            x += ht * scale * rng.uniform(0.22, 0.34)


def truck(d, x, base, length, col, *, cargo=None, facing=1, window=None):
    """A lorry in side view, front toward ``facing`` (1 right, -1 left)."""
    ht = length * 0.42
    cab = length * 0.24
    wr = length * 0.075
    body_l = x if facing == 1 else x + cab
    body_r = x + length - cab if facing == 1 else x + length
    cab_l = body_r if facing == 1 else x
    if cargo:  # a flatbed heaped with sacks
        d.rectangle([body_l, base - wr - ht * 0.35, body_r, base - wr], fill=col)
        n = max(3, int((body_r - body_l) / (ht * 0.28)))
        for row in range(3):
            for i in range(n - row):
                sx = body_l + (i + row * 0.5) * (body_r - body_l) / n
                sy = base - wr - ht * (0.35 + 0.2 * row)
                d.rounded_rectangle(
                    [sx, sy - ht * 0.22, sx + (body_r - body_l) / n - 2, sy],
                    ht * 0.08,
                    fill=mix(cargo, col, 0.1 * row),
                )
    else:
        d.rectangle([body_l, base - wr - ht, body_r, base - wr], fill=col)
    d.polygon(
        [
            (cab_l, base - wr),
            (cab_l, base - wr - ht * 0.85),
            (cab_l + cab * (0.7 if facing == 1 else 0.3), base - wr - ht * 0.85),
            (cab_l + cab * (1 if facing == 1 else 0), base - wr - ht * 0.45),
            (cab_l + cab * (1 if facing == 1 else 0), base - wr),
        ],
        fill=col,
    )
    if window:
        wx = cab_l + cab * (0.45 if facing == 1 else 0.12)
        d.rectangle([wx, base - wr - ht * 0.78, wx + cab * 0.4, base - wr - ht * 0.5], fill=window)
    for wx in (x + length * 0.14, x + length * 0.34, x + length * 0.84):
        d.ellipse([wx - wr, base - wr * 2, wx + wr, base], fill=mix(col, (10, 10, 10), 0.5))


def vessel(d, x, y, length, style, col, *, accent=None, rng=None):
    """A ship in side view on waterline ``y``, bow to the right.

    Styles: ``container``, ``tanker``, ``lng`` (cargo domes), ``bulk`` (deck
    cranes), ``frigate`` (raked bow, mast, gun), ``cutter`` (white hull,
    diagonal stripe), ``patrol``, ``fishing``.
    """
    rng = rng or random.Random(int(x + y))
    L = length
    fb = L * {"fishing": 0.12, "patrol": 0.08, "cutter": 0.08, "frigate": 0.07}.get(style, 0.06)
    bow = L * (0.08 if style in ("frigate", "cutter", "patrol") else 0.03)
    d.polygon([(x, y - fb), (x + L, y - fb * 1.25), (x + L - bow, y), (x + L * 0.03, y)], fill=col)
    if accent and style in ("cutter", "patrol"):
        s = x + L * 0.62
        d.polygon(
            [(s, y - fb), (s + L * 0.05, y - fb * 1.05), (s - L * 0.02, y), (s - L * 0.07, y)],
            fill=accent,
        )
        s2 = s + L * 0.07
        d.polygon(
            [(s2, y - fb), (s2 + L * 0.02, y - fb * 1.05), (s2 - L * 0.05, y), (s2 - L * 0.07, y)],
            fill=mix(accent, (40, 60, 140), 0.8),
        )
    sup = mix(col, (235, 235, 235), 0.15) if style != "cutter" else col
    if style in ("container", "tanker", "lng", "bulk"):
        d.rectangle([x + L * 0.04, y - fb * 3.4, x + L * 0.14, y - fb], fill=sup)  # bridge aft
        d.rectangle([x + L * 0.06, y - fb * 4.2, x + L * 0.08, y - fb * 3.4], fill=sup)  # funnel
    if style == "container":
        for i in range(int(L * 0.8 // (L * 0.045))):
            bx = x + L * 0.16 + i * L * 0.045
            if bx > x + L * 0.93:
                break
            tiers = rng.randint(2, 4)
            for t in range(tiers):
                cc = mute(hsv(rng.choice([0.0, 0.05, 0.55, 0.6, 0.33]), 0.5, 0.55), 0.35)
                d.rectangle(
                    [bx, y - fb * (1 + 0.9 * (t + 1)), bx + L * 0.042, y - fb * (1 + 0.9 * t)],
                    fill=mix(cc, col, 0.35),
                )
    elif style == "tanker":
        d.line([(x + L * 0.15, y - fb * 1.2), (x + L * 0.95, y - fb * 1.3)], fill=sup, width=3)
        d.rectangle([x + L * 0.5, y - fb * 1.9, x + L * 0.54, y - fb], fill=sup)
    elif style == "lng":
        for i in range(4):
            cx = x + L * (0.26 + i * 0.17)
            r = L * 0.075
            d.chord(
                [cx - r, y - fb - r * 1.2, cx + r, y - fb + r * 0.6], 180, 360, fill=accent or sup
            )
    elif style == "bulk":
        for i in range(5):
            hx = x + L * (0.2 + i * 0.15)
            d.rectangle([hx, y - fb * 1.5, hx + L * 0.1, y - fb], fill=sup)
            if i % 2 == 0:
                d.line([(hx + L * 0.12, y - fb), (hx + L * 0.12, y - fb * 4)], fill=sup, width=3)
                d.line(
                    [(hx + L * 0.12, y - fb * 4), (hx + L * 0.02, y - fb * 2)], fill=sup, width=2
                )
    elif style in ("frigate", "cutter", "patrol"):
        mid = x + L * (0.35 if style == "frigate" else 0.3)
        hh = fb * (2.6 if style == "frigate" else 2.2)
        d.polygon(
            [
                (mid, y - fb),
                (mid + L * 0.05, y - fb - hh),
                (mid + L * 0.32, y - fb - hh),
                (mid + L * 0.36, y - fb),
            ],
            fill=sup,
        )
        mast = mid + L * 0.2
        d.line([(mast, y - fb - hh), (mast, y - fb - hh * 2.1)], fill=sup, width=3)
        d.line(
            [(mast - L * 0.03, y - fb - hh * 1.7), (mast + L * 0.03, y - fb - hh * 1.7)],
            fill=sup,
            width=2,
        )
        win = mix(col, (30, 36, 44), 0.7)
        d.rectangle(
            [mid + L * 0.06, y - fb - hh * 0.85, mid + L * 0.3, y - fb - hh * 0.65], fill=win
        )
        if style == "frigate":
            d.rectangle([mid - L * 0.2, y - fb - hh * 0.5, mid, y - fb], fill=sup)  # hangar aft
            gx = x + L * 0.8
            d.rectangle([gx, y - fb * 1.9, gx + L * 0.04, y - fb * 1.2], fill=sup)
            d.line([(gx + L * 0.04, y - fb * 1.7), (gx + L * 0.1, y - fb * 1.8)], fill=sup, width=3)
    elif style == "fishing":
        d.rectangle([x + L * 0.55, y - fb * 2.6, x + L * 0.78, y - fb], fill=sup)
        d.line([(x + L * 0.3, y - fb), (x + L * 0.3, y - fb * 6)], fill=col, width=3)
        d.line([(x + L * 0.3, y - fb * 6), (x + L * 0.05, y - fb * 1.2)], fill=col, width=1)
        d.line([(x + L * 0.3, y - fb * 6), (x + L * 0.95, y - fb * 1.3)], fill=col, width=1)


def skyline(d, rng, x0, x1, base, h, col, lit=None, tall=(0.05, 0.32), lit_share=0.18):
    """A row of tower blocks; ``lit`` colours some windows."""
    x = x0
    while x < x1:
        bw = rng.uniform(h * 0.035, h * 0.11)
        bh = rng.uniform(*tall) * h
        c = mix(col, (128, 128, 128), rng.uniform(0, 0.1))
        d.rectangle([x, base - bh, x + bw, base + 2], fill=c)
        if lit and rng.random() < 0.7:
            for wy in range(int(base - bh + 8), int(base - 6), 12):
                for wx in range(int(x + 4), int(x + bw - 5), 10):
                    if rng.random() < lit_share:
                        d.rectangle([wx, wy, wx + 4, wy + 5], fill=lit)
        x += bw + rng.uniform(0, h * 0.015)


def conifer(d, x, base, ht, col):
    for k in range(4):
        t = k / 4
        wdt = ht * 0.22 * (1 - t * 0.6)
        d.polygon(
            [
                (x - wdt, base - ht * t * 0.8),
                (x + wdt, base - ht * t * 0.8),
                (x, base - ht * (t * 0.8 + 0.35)),
            ],
            fill=col,
        )


def branches(d, rng, x, y, angle, length, width, col, depth=6):
    """A bare tree branch, forking recursively."""
    if depth == 0 or length < 6:
        return
    x2, y2 = x + math.cos(angle) * length, y + math.sin(angle) * length
    d.line([(x, y), (x2, y2)], fill=col, width=max(1, int(width)))
    for turn in (rng.uniform(0.2, 0.6), -rng.uniform(0.2, 0.6)):
        if rng.random() < 0.9:
            branches(
                d,
                rng,
                x2,
                y2,
                angle + turn,
                length * rng.uniform(0.6, 0.8),
                width * 0.65,
                col,
                depth - 1,
            )


def perspective_rows(vx, vy, near_y, rows, far=0.25):
    """y positions and scales of ``rows`` rows receding toward ``vy``."""
    out = []
    for i in range(rows):
        t = i / max(1, rows - 1)
        s = 1 - (1 - far) * t
        out.append((vy + (near_y - vy) * s, s))
    return out


def interior(
    size, wall, floor, horizon=0.55, curve=1.0
) -> tuple[Image.Image, ImageDraw.ImageDraw, int]:
    """A room: back wall above ``horizon``, floor below."""
    w, h = size
    img = vertical_gradient(size, mix(wall, (0, 0, 0), 0.25), wall, curve=curve)
    hz = int(h * horizon)
    img.paste(vertical_gradient((w, h - hz), mix(floor, wall, 0.3), floor), (0, hz))
    return img, ImageDraw.Draw(img), hz


def lamp(img, x, y, r, col=(255, 244, 220), strength=200):
    glow = Image.new("L", img.size, 0)
    ImageDraw.Draw(glow).ellipse([x - r, y - r, x + r, y + r], fill=strength)
    img.paste(col, mask=glow.filter(ImageFilter.GaussianBlur(r * 0.8)))


# -- the scenes ------------------------------------------------------------------
# Each takes (rng, size, text) and returns the picture; ``text`` is the image's
# alt text and caption, lower-cased, for details such as the light.
def scene_port(rng, size, text):
    """Gantry cranes over stacked containers, a container ship at the quay."""
    s = outdoor(rng, size, text, horizon=0.6)
    water(s, rng)
    w, h, hz = s.w, s.h, s.horizon
    ground = s.tone(0.85)
    quay = hz + h * 0.06
    s.d.rectangle([0, hz - h * 0.01, w, quay], fill=ground)
    for _ in range(rng.randint(25, 45)):
        bx = rng.uniform(0, w)
        by = hz - rng.randint(1, 4) * h * 0.02
        cc = mute(hsv(rng.choice([0.0, 0.05, 0.55, 0.6, 0.33]), 0.45, 0.45), 0.4)
        s.d.rectangle([bx, by, bx + w * 0.03, hz], fill=mix(cc, ground, 0.3))
    vessel(s.d, w * 0.18, quay + h * 0.12, w * 0.62, "container", s.tone(0.9), rng=rng)
    col = s.tone(0.95)
    for i in range(3):  # gantry cranes reaching out over the ship
        cx, ch = w * (0.22 + 0.2 * i), h * rng.uniform(0.3, 0.38)
        leg = h * 0.08
        s.d.line([(cx, quay), (cx, hz - ch)], fill=col, width=7)
        s.d.line([(cx + leg, quay), (cx + leg, hz - ch)], fill=col, width=7)
        s.d.line(
            [(cx - leg * 1.5, hz - ch), (cx + leg * 1.6, quay + h * 0.02 - ch)], fill=col, width=8
        )
        s.d.line([(cx + leg * 0.5, hz - ch * 1.2), (cx - leg * 1.5, hz - ch)], fill=col, width=3)
        s.d.line([(cx + leg * 0.5, hz - ch * 1.2), (cx + leg * 1.6, hz - ch)], fill=col, width=3)
        s.d.line([(cx + leg * 1.3, hz - ch), (cx + leg * 1.3, quay + h * 0.02)], fill=col, width=2)
        s.d.rectangle([cx + leg * 1.1, quay + h * 0.02, cx + leg * 1.6, quay + h * 0.05], fill=col)
    return finish(s.img, rng)


def scene_escort(rng, size, text):
    """A tanker with a warship alongside on open water."""
    s = outdoor(rng, size, text, horizon=0.5, hills=0)
    water(s, rng, chop=0.6)
    w, h = s.w, s.h
    vessel(s.d, w * 0.05, s.horizon + h * 0.1, w * 0.58, "tanker", s.tone(0.75), rng=rng)
    vessel(
        s.d,
        w * 0.4,
        s.horizon + h * 0.3,
        w * 0.55,
        "frigate",
        mix(s.tone(0.9), (96, 102, 110), 0.4),
        rng=rng,
    )
    return finish(s.img, rng)


def scene_lng_terminal(rng, size, text):
    """An LNG carrier with cargo domes alongside a jetty, a storage tank ashore."""
    s = outdoor(rng, size, text, horizon=0.56, hills=1)
    water(s, rng, chop=0.8)
    w, h, hz = s.w, s.h, s.horizon
    shore = s.tone(0.75)
    s.d.polygon(
        [(w * 0.62, hz), (w, hz - h * 0.02), (w, hz + h * 0.06), (w * 0.6, hz + h * 0.02)],
        fill=shore,
    )
    for cx in (w * 0.78, w * 0.92):  # storage tanks
        s.d.rectangle(
            [cx - w * 0.05, hz - h * 0.12, cx + w * 0.05, hz + h * 0.02],
            fill=mix(shore, s.haze, 0.5),
        )
        s.d.chord(
            [cx - w * 0.05, hz - h * 0.16, cx + w * 0.05, hz - h * 0.08],
            180,
            360,
            fill=mix(shore, s.haze, 0.5),
        )
    jy = hz + h * 0.22
    s.d.rectangle([w * 0.05, jy - h * 0.015, w * 0.72, jy], fill=s.tone(0.9))  # jetty
    for px in range(int(w * 0.08), int(w * 0.72), int(w * 0.06)):
        s.d.line([(px, jy), (px, jy + h * 0.05)], fill=s.tone(0.9), width=4)
    for ax in (w * 0.3, w * 0.4):  # loading arms
        s.d.line(
            [(ax, jy - h * 0.015), (ax, jy - h * 0.14), (ax - w * 0.03, jy - h * 0.08)],
            fill=s.tone(0.95),
            width=5,
        )
    vessel(
        s.d,
        w * 0.04,
        jy - h * 0.03,
        w * 0.56,
        "lng",
        s.tone(0.7),
        accent=mix(s.haze, (230, 230, 226), 0.6),
        rng=rng,
    )
    return finish(s.img, rng)


def scene_patrol(rng, size, text):
    """White coast guard ships (and a grey patrol boat when the text has one)."""
    choppy = "choppy" in text or "rough" in text
    s = outdoor(rng, size, text, horizon=0.5, hills=1 if "headland" in text else 0)
    water(s, rng, chop=2.0 if choppy else 0.7)
    w, h = s.w, s.h
    white = (226, 228, 226)
    white = mix(white, s.haze, 0.25)
    stripe = (176, 52, 44)
    if "grey patrol" in text or "gray patrol" in text:
        vessel(s.d, w * 0.08, s.horizon + h * 0.12, w * 0.3, "patrol", s.tone(0.55), rng=rng)
        vessel(
            s.d, w * 0.36, s.horizon + h * 0.3, w * 0.52, "cutter", white, accent=stripe, rng=rng
        )
    else:
        vessel(
            s.d,
            w * 0.1,
            s.horizon + h * 0.13,
            w * 0.42,
            "cutter",
            mix(white, s.haze, 0.2),
            accent=stripe,
            rng=rng,
        )
        vessel(s.d, w * 0.42, s.horizon + h * 0.3, w * 0.5, "cutter", white, accent=stripe, rng=rng)
    return finish(s.img, rng)


def scene_fishing_boat(rng, size, text):
    """A small fishing boat passing a rocky headland."""
    s = outdoor(rng, size, text, horizon=0.58, hills=0)
    water(s, rng, chop=0.6)
    w, h, hz = s.w, s.h, s.horizon
    rock = s.tone(0.85)
    line = ridge(rng, w * 0.45, hz - h * 0.18, h * 0.06, roughness=0.7)
    pts = [(x, y + (x / (w * 0.45)) ** 2 * h * 0.2) for x, y in line]
    s.d.polygon(pts + [(w * 0.45, hz + h * 0.06), (0, hz + h * 0.08)], fill=rock)
    for _ in range(12):  # rocks at the waterline
        rx, ry = rng.uniform(0, w * 0.48), hz + rng.uniform(0.02, 0.08) * h
        s.d.ellipse([rx, ry - h * 0.015, rx + w * 0.03, ry + h * 0.01], fill=mix(rock, s.dark, 0.4))
    vessel(s.d, w * 0.55, hz + h * 0.22, w * 0.2, "fishing", s.tone(0.9), rng=rng)
    return finish(s.img, rng)


def scene_canal(rng, size, text):
    """A container ship in a narrow canal between sandy banks."""
    s = outdoor(rng, size, text, horizon=0.5, hills=0, mood="haze")
    w, h, hz = s.w, s.h, s.horizon
    sand = (206, 180, 136)
    s.d.rectangle([0, hz, w, h], fill=mix(sand, s.haze, 0.3))
    wy0, wy1 = hz + h * 0.14, hz + h * 0.27
    s.img.paste(
        vertical_gradient((w, int(wy1 - wy0)), (92, 124, 132), (62, 94, 110)), (0, int(wy0))
    )
    s.refresh()
    s.d.rectangle([0, wy1, w, h], fill=mix(sand, (150, 120, 84), 0.3))
    vessel(s.d, w * 0.15, wy0 + h * 0.08, w * 0.7, "container", (70, 74, 80), rng=rng)
    return finish(s.img, rng)


def scene_city_ship(rng, size, text):
    """A container ship passing a harbour city with mountains behind."""
    s = outdoor(rng, size, text, horizon=0.6, hills=0)
    w, h, hz = s.w, s.h, s.horizon
    if "mountain" in text:
        line = ridge(rng, w, hz - h * 0.3, h * 0.12, roughness=0.6)
        s.d.polygon(line + [(w, hz), (0, hz)], fill=s.tone(0.3))
    water(s, rng)
    skyline(s.d, rng, 0, w, hz, h, s.tone(0.6), tall=(0.04, 0.22))
    vessel(s.d, w * 0.25, hz + h * 0.2, w * 0.55, "container", s.tone(0.9), rng=rng)
    return finish(s.img, rng)


def scene_city_river(rng, size, text):
    """Tower blocks at dusk with a few windows lit, a wide dark river in front."""
    s = outdoor(rng, size, text, horizon=0.62, hills=0)
    water(s, rng, chop=0.5, colour=s.tone(0.7))
    w, h, hz = s.w, s.h, s.horizon
    skyline(
        s.d,
        rng,
        -10,
        w,
        hz,
        h,
        s.tone(0.85),
        lit=(236, 204, 140),
        tall=(0.08, 0.34),
        lit_share=0.06,
    )
    s.d.rectangle([0, hz - 2, w, hz + h * 0.012], fill=s.tone(0.9))
    return finish(s.img, rng)


def scene_river_silos(rng, size, text):
    """A bulk carrier on a wide brown river passing grain silos on the bank."""
    s = outdoor(rng, size, text, horizon=0.55, hills=0)
    w, h, hz = s.w, s.h, s.horizon
    water(s, rng, chop=0.6, colour=mix((128, 104, 76), s.haze, 0.25))
    bank = s.tone(0.7)
    s.d.rectangle([0, hz - h * 0.02, w, hz + h * 0.03], fill=bank)
    silo = mix(s.haze, (200, 200, 196), 0.4)
    for i in range(6):
        sx = w * (0.5 + i * 0.06)
        s.d.rectangle([sx, hz - h * 0.22, sx + w * 0.05, hz], fill=mix(silo, bank, 0.1 * (i % 2)))
        s.d.chord([sx, hz - h * 0.25, sx + w * 0.05, hz - h * 0.19], 180, 360, fill=silo)
    s.d.line(
        [(w * 0.5, hz - h * 0.2), (w * 0.4, hz + h * 0.02)], fill=bank, width=6
    )  # loading chute
    vessel(s.d, w * 0.05, hz + h * 0.2, w * 0.6, "bulk", s.tone(0.85), rng=rng)
    return finish(s.img, rng)


def scene_satellite_port(rng, size, text):
    """A grey, top-down view of quays with container stacks and ships at berth."""
    w, h = size
    img = Image.new("RGB", size, (88, 96, 100))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, w * 0.58, h], fill=(150, 148, 142))  # land
    for i in range(4):  # piers reaching into the basin
        y0 = h * (0.08 + i * 0.24)
        d.rectangle([w * 0.5, y0, w * 0.9, y0 + h * 0.08], fill=(160, 158, 150))
        for j in range(2):  # ships alongside
            yy = y0 + h * 0.09 + j * 0.0
            d.polygon(
                [
                    (w * 0.55, yy),
                    (w * 0.84, yy),
                    (w * 0.88, yy + h * 0.025),
                    (w * 0.84, yy + h * 0.05),
                    (w * 0.55, yy + h * 0.05),
                ],
                fill=(70, 70, 74),
            )
            for k in range(12):
                cx = w * (0.57 + k * 0.022)
                d.rectangle(
                    [cx, yy + h * 0.008, cx + w * 0.018, yy + h * 0.042],
                    fill=mute(hsv(rng.choice([0.0, 0.58, 0.08]), 0.3, 0.55), 0.5),
                )
    for bx in range(int(w * 0.05), int(w * 0.46), int(w * 0.045)):  # container stacks
        for by in range(int(h * 0.06), int(h * 0.94), int(h * 0.06)):
            col = mute(hsv(rng.choice([0.0, 0.05, 0.58, 0.33]), 0.3, rng.uniform(0.45, 0.7)), 0.55)
            d.rectangle([bx, by, bx + w * 0.038, by + h * 0.045], fill=col)
    noise = Image.effect_noise(size, 18).convert("RGB")
    img = Image.blend(img, noise, 0.08)
    img = Image.blend(img, img.convert("L").convert("RGB"), 0.6)  # grey, as the alt says
    return img.filter(ImageFilter.GaussianBlur(0.7))


def scene_satellite_pair(rng, size, text):
    """Two top-down views side by side: a bridge intact, then broken."""
    w, h = size
    img = Image.new("RGB", size, (240, 238, 232))
    pw = (w - 30) // 2
    for k in range(2):
        panel = Image.new("RGB", (pw, h - 20), (122, 128, 110))
        pd = ImageDraw.Draw(panel)
        ph = h - 20
        pd.polygon(
            [(pw * 0.3, 0), (pw * 0.55, 0), (pw * 0.7, ph), (pw * 0.42, ph)], fill=(74, 92, 100)
        )
        for _ in range(40):  # fields and roofs
            x, y = rng.uniform(0, pw), rng.uniform(0, ph)
            pd.rectangle(
                [x, y, x + rng.uniform(10, 40), y + rng.uniform(10, 40)],
                fill=mute(hsv(rng.uniform(0.1, 0.25), 0.2, rng.uniform(0.4, 0.6)), 0.4),
            )
        pd.polygon(
            [(pw * 0.3, 0), (pw * 0.55, 0), (pw * 0.7, ph), (pw * 0.42, ph)], fill=(74, 92, 100)
        )
        by = ph * 0.5
        pd.line([(0, by + 20), (pw, by - 20)], fill=(170, 168, 160), width=14)  # road and bridge
        if k == 1:  # the span is gone
            pd.polygon(
                [
                    (pw * 0.42, by + 8),
                    (pw * 0.58, by - 12),
                    (pw * 0.58, by + 6),
                    (pw * 0.42, by + 26),
                ],
                fill=(74, 92, 100),
            )
            for _ in range(8):
                x, y = rng.uniform(pw * 0.44, pw * 0.58), by + rng.uniform(-14, 20)
                pd.rectangle([x, y, x + 8, y + 5], fill=(120, 116, 108))
        panel = Image.blend(panel, Image.effect_noise((pw, ph), 20).convert("RGB"), 0.08)
        img.paste(panel.filter(ImageFilter.GaussianBlur(0.7)), (10 + k * (pw + 10), 10))
    return img


def scene_trucks(rng, size, text):
    """A queue of lorries on a road: snowy, dusty, on a bridge or a frozen lake."""
    snow = any(word in text for word in ("snow", "frozen", "winter road"))
    s = outdoor(rng, size, text, horizon=0.55, hills=1 if "bridge" in text else 2)
    w, h, hz = s.w, s.h, s.horizon
    if "bridge" in text:
        water(s, rng, chop=0.5)
        skyline(s.d, rng, 0, w * 0.3, hz, h, s.tone(0.6), tall=(0.05, 0.16))
        skyline(s.d, rng, w * 0.7, w, hz, h, s.tone(0.6), tall=(0.04, 0.14))
        deck = hz + h * 0.2
        s.d.rectangle([0, deck, w, deck + h * 0.04], fill=s.tone(0.85))
        for px in range(int(w * 0.1), w, int(w * 0.22)):
            s.d.rectangle([px, deck + h * 0.04, px + w * 0.02, h], fill=s.tone(0.8))
        y_of = lambda i: deck  # noqa: E731
        scale = lambda i: 1.0  # noqa: E731
        xs = [w * 0.02 + i * w * 0.16 for i in range(6)]
    else:
        ground = (226, 228, 230) if snow else mix((170, 140, 100), s.haze, 0.3)
        land(s, mix(ground, s.haze, 0.2))
        if snow and "lake" in text:
            for k in range(0, w, 60):
                conifer(
                    s.d, k + rng.uniform(0, 40), hz + 2, h * rng.uniform(0.05, 0.09), s.tone(0.8)
                )
        road = (150, 150, 150) if snow else mix((150, 120, 90), s.dark, 0.2)
        s.d.polygon([(w * 0.46, hz), (w * 0.52, hz), (w * 0.95, h), (w * 0.05, h)], fill=road)
        if "border" in text:  # a checkpoint booth and barrier up the road
            by = hz + (h - hz) * 0.12
            s.d.rectangle([w * 0.54, by - h * 0.08, w * 0.6, by], fill=s.tone(0.7))
            s.d.rectangle([w * 0.53, by - h * 0.095, w * 0.61, by - h * 0.08], fill=s.tone(0.85))
            s.d.line(
                [(w * 0.42, by - h * 0.02), (w * 0.54, by - h * 0.02)], fill=(190, 50, 40), width=5
            )
        near = 0.5 if "distance" in text else 0.95
        xs = [0] * 6
        y_of = lambda i: hz + (h - hz) * near * (1 - 0.15 * i)  # noqa: E731
        scale = lambda i: near * (1 - 0.15 * i)  # noqa: E731
    colours = [mute(hsv(rng.choice([0.0, 0.08, 0.58, 0.1]), 0.4, 0.5), 0.4) for _ in range(6)]
    cargo = (200, 182, 140) if "sack" in text or "grain" in text else None
    for i in reversed(range(6)):
        sc = scale(i)
        if "bridge" not in text:
            if sc <= 0.1:
                continue
            xs[i] = w * 0.49 - w * 0.32 * sc
        length = w * 0.2 * (sc if "bridge" not in text else 0.65)
        truck(
            s.d,
            xs[i],
            y_of(i),
            length,
            mix(colours[i], s.haze, 0.4 * (1 - sc)),
            cargo=cargo,
            window=mix(s.haze, s.sky, 0.5),
        )
    return finish(s.img, rng)


def scene_warehouse(rng, size, text):
    """Workers carry sacks from a lorry into a warehouse door."""
    s = outdoor(rng, size, text, horizon=0.66, hills=0)
    w, h, hz = s.w, s.h, s.horizon
    land(s, mix((176, 150, 110), s.haze, 0.3))
    wall = mix((190, 170, 140), s.haze, 0.3)
    s.d.rectangle([0, h * 0.18, w * 0.6, hz], fill=wall)
    s.d.polygon(
        [(0, h * 0.18), (w * 0.6, h * 0.18), (w * 0.55, h * 0.1), (0, h * 0.1)],
        fill=mix(wall, s.dark, 0.4),
    )
    s.d.rectangle([w * 0.2, h * 0.32, w * 0.42, hz], fill=mix(wall, s.dark, 0.8))  # open door
    for i in range(5):
        for j in range(4 - i % 2):
            sx, sy = w * (0.22 + j * 0.05), hz - h * 0.04 * (i + 1)
            s.d.rounded_rectangle(
                [sx, sy, sx + w * 0.045, sy + h * 0.038], 8, fill=mix((200, 182, 140), wall, 0.3)
            )
    truck(
        s.d, w * 0.52, h * 0.92, w * 0.46, mute((150, 60, 50), 0.4), cargo=(206, 188, 146), facing=1
    )
    for i, x in enumerate((w * 0.3, w * 0.44, w * 0.52)):
        person(
            s.d,
            x,
            h * (0.86 + 0.03 * i),
            h * 0.34,
            s.tone(0.95),
            arms="up",
            holding=(206, 188, 146),
        )
    return finish(s.img, rng)


def scene_market(rng, size, text):
    """Sacks of grain stacked under a cloth awning, sellers beside them."""
    s = outdoor(rng, size, text, horizon=0.55, hills=0)
    w, h = s.w, s.h
    land(s, mix((170, 140, 100), s.haze, 0.3))
    awning = mute((170, 90, 60), 0.3)
    s.d.polygon([(0, 0), (w, 0), (w, h * 0.18), (0, h * 0.26)], fill=awning)
    for k in range(0, w, 120):
        s.d.polygon(
            [
                (k, 0),
                (k + 60, 0),
                (k + 60, h * 0.18 + h * 0.08 * (1 - (k + 60) / w)),
                (k, h * 0.26 - h * 0.08 * k / w),
            ],
            fill=mute((214, 190, 140), 0.3),
        )
    for px in (w * 0.05, w * 0.5, w * 0.95):
        s.d.rectangle([px - 6, h * 0.2, px + 6, h], fill=(70, 56, 44))
    shade = Image.new("L", size, 0)
    ImageDraw.Draw(shade).rectangle([0, h * 0.2, w, h], fill=70)
    s.img.paste((30, 24, 20), mask=shade.filter(ImageFilter.GaussianBlur(30)))
    s.refresh()
    sack = (206, 188, 146)
    for x0, n in ((w * 0.08, 6), (w * 0.56, 5)):
        for row in range(4):
            for i in range(n - row):
                sx = x0 + (i + row * 0.5) * w * 0.06
                sy = h * 0.93 - row * h * 0.1
                col = mix(sack, (120, 100, 70), rng.uniform(0, 0.3))
                s.d.rounded_rectangle([sx, sy - h * 0.1, sx + w * 0.058, sy], 14, fill=col)
                s.d.line(
                    [(sx + 6, sy - h * 0.08), (sx + w * 0.05, sy - h * 0.08)],
                    fill=mix(col, (80, 60, 40), 0.4),
                    width=2,
                )
    person(
        s.d, w * 0.47, h * 0.95, h * 0.55, mute((60, 80, 120), 0.3), head=mute((200, 120, 40), 0.3)
    )
    return finish(s.img, rng)


def scene_queue(rng, size, text):
    """A line of people with plastic containers outside a distribution tent."""
    s = outdoor(rng, size, text, horizon=0.6, hills=1)
    w, h, hz = s.w, s.h, s.horizon
    land(s, mix((180, 150, 110), s.haze, 0.35))
    tent = (226, 224, 214)
    s.d.rectangle([w * 0.62, hz - h * 0.2, w * 0.98, hz + h * 0.02], fill=mix(tent, s.haze, 0.2))
    s.d.polygon(
        [(w * 0.6, hz - h * 0.2), (w * 1.0, hz - h * 0.2), (w * 0.8, hz - h * 0.32)], fill=tent
    )
    s.d.rectangle([w * 0.72, hz - h * 0.12, w * 0.82, hz + h * 0.02], fill=mix(tent, s.dark, 0.6))
    cloth = [mute(hsv(hh, 0.55, 0.6), 0.25) for hh in (0.0, 0.08, 0.15, 0.55, 0.8, 0.95, 0.45)]
    for i in reversed(range(9)):
        t = i / 8
        x = w * (0.06 + 0.6 * t)
        base = h * (0.96 - 0.3 * t)
        ht = h * 0.5 * (1 - 0.55 * t)
        c = rng.choice(cloth)
        person(s.d, x, base, ht, c, head=mix(c, (255, 255, 255), 0.2))
        jc = rng.choice([(226, 190, 40), (60, 110, 170), (220, 220, 210)])
        s.d.rounded_rectangle(
            [x + ht * 0.12, base - ht * 0.3, x + ht * 0.25, base - ht * 0.12], 3, fill=jc
        )
    return finish(s.img, rng)


def scene_plain(rng, size, text):
    """Transmission pylons across a flat field, a road to the horizon."""
    s = outdoor(rng, size, text, horizon=0.62, hills=2)
    w, h, hz = s.w, s.h, s.horizon
    ground = land(s)
    for i in range(5):
        px_ = w * (0.1 + i * 0.2)
        ph = h * (0.5 - i * 0.08)
        col = mix(ground, s.haze, 0.05 + i * 0.1)
        base = hz + h * (0.18 - i * 0.04)
        for side in (-1, 1):
            s.d.line([(px_ + side * ph * 0.18, base), (px_, base - ph)], fill=col, width=4)
        for k, arm in ((0.75, 0.3), (0.9, 0.22)):
            s.d.line(
                [(px_ - ph * arm, base - ph * k), (px_ + ph * arm, base - ph * k)],
                fill=col,
                width=4,
            )
        if i < 4:  # the wires sag to the next pylon
            nx, nph = w * (0.1 + (i + 1) * 0.2), h * (0.5 - (i + 1) * 0.08)
            nbase = hz + h * (0.18 - (i + 1) * 0.04)
            for arm, k in ((0.3, 0.75), (-0.3, 0.75), (0.22, 0.9)):
                a = (px_ + ph * arm, base - ph * k)
                b = (nx + nph * arm, nbase - nph * k)
                mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + h * 0.03)
                s.d.line([a, mid, b], fill=col, width=1)
    return finish(s.img, rng)


def scene_storage_spheres(rng, size, text):
    """White spherical gas tanks on legs at an industrial site."""
    s = outdoor(rng, size, text, horizon=0.7, hills=1)
    w, h, hz = s.w, s.h, s.horizon
    ground = land(s, s.tone(0.6))
    for i, (cx, r) in enumerate(((w * 0.25, h * 0.2), (w * 0.58, h * 0.17), (w * 0.85, h * 0.13))):
        cy = hz - r * 1.5 + i * h * 0.02
        for lx in (-0.7, -0.25, 0.25, 0.7):
            s.d.line(
                [(cx + r * lx, cy), (cx + r * lx, hz + h * 0.05 - i * h * 0.02)],
                fill=s.tone(0.8),
                width=5,
            )
        ball = Image.new("L", (int(2 * r), int(2 * r)), 0)
        ImageDraw.Draw(ball).ellipse([0, 0, 2 * r - 1, 2 * r - 1], fill=255)
        shade = vertical_gradient(
            (int(2 * r), int(2 * r)), (236, 236, 232), mix((150, 152, 156), s.dark, 0.2)
        )
        s.img.paste(shade, (int(cx - r), int(cy - r)), ball)
        s.refresh()
        s.d.line([(cx - r, cy), (cx + r, cy)], fill=(190, 190, 188), width=2)
    s.d.line(
        [(0, hz + h * 0.1), (w, hz + h * 0.08)], fill=mix(ground, (200, 200, 200), 0.4), width=6
    )
    return finish(s.img, rng)


def scene_pipes(rng, size, text):
    """Large steel pipes stacked end-on in a yard."""
    s = outdoor(rng, size, text, horizon=0.55, hills=1)
    w, h = s.w, s.h
    land(s, s.tone(0.55))
    steel = (118, 112, 104)
    r = h * 0.075
    for stack, x0 in enumerate((w * 0.04, w * 0.5)):
        n = 5 if stack == 0 else 4
        for row in range(n):
            for i in range(n - row):
                cx = x0 + r + (i + row * 0.5) * 2 * r
                cy = h * 0.97 - r - row * r * 1.75
                col = mix(steel, (150, 80, 50), rng.uniform(0, 0.4))
                s.d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=col)
                s.d.ellipse(
                    [cx - r * 0.8, cy - r * 0.8, cx + r * 0.8, cy + r * 0.8],
                    fill=mix(col, (20, 20, 20), 0.7),
                )
    return finish(s.img, rng)


def scene_mountain_valley(rng, size, text):
    """A snow-capped peak above a dry valley and a winding river."""
    s = outdoor(rng, size, text, horizon=0.55, hills=0)
    w, h, hz = s.w, s.h, s.horizon
    peak = (w * rng.uniform(0.4, 0.6), h * 0.1)
    rock = s.tone(0.55)
    s.d.polygon([(-w * 0.1, hz + h * 0.05), peak, (w * 1.1, hz + h * 0.05)], fill=rock)
    snow_y = h * 0.3
    t = (snow_y - peak[1]) / (hz + h * 0.05 - peak[1])
    left = peak[0] + (-w * 0.1 - peak[0]) * t
    right = peak[0] + (w * 1.1 - peak[0]) * t
    jag = [(left + (right - left) * k / 8, snow_y + (h * 0.04 if k % 2 else 0)) for k in range(9)]
    s.d.polygon([peak] + jag[::-1], fill=(236, 238, 240))
    valley = mix((170, 140, 100), s.haze, 0.25)
    s.d.rectangle([0, hz + h * 0.04, w, h], fill=valley)
    pts = [
        (
            w * 0.5 + w * 0.2 * math.sin(k * 0.6) * (k / 12),
            hz + h * 0.04 + (h - hz) * (k / 12) ** 1.6,
        )
        for k in range(13)
    ]
    for k in range(12):
        s.d.line([pts[k], pts[k + 1]], fill=(100, 130, 150), width=int(3 + k * 2.5))
    return finish(s.img, rng)


def scene_terraces(rng, size, text):
    """Terraced fields curving round a hillside, water channels along them."""
    s = outdoor(rng, size, text, horizon=0.3, hills=2)
    w, h, hz = s.w, s.h, s.horizon
    cx = w * rng.uniform(0.35, 0.65)
    for k in range(11):
        y0 = hz + (h - hz) * (k / 10) ** 1.15
        line = [
            (x, y0 - h * (0.02 + 0.012 * k) * (1 - ((x - cx) / w) ** 2 * 2.5) + h * 0.05)
            for x in range(-10, w + 20, 20)
        ]
        col = mute(hsv(rng.choice([0.2, 0.24, 0.14]), 0.4, 0.32 + 0.035 * k), 0.3)
        riser = [(x, y + h * 0.012 * (1 + k * 0.3)) for x, y in line]
        s.d.polygon(line + [(w + 20, h), (-10, h)], fill=mix(col, (90, 70, 50), 0.5))  # stone wall
        s.d.polygon(riser + [(w + 20, h), (-10, h)], fill=col)
        s.d.line([(x, y + 3) for x, y in riser], fill=(150, 180, 196), width=2 + k // 4)
    return finish(s.img, rng)


def scene_salt_flat(rng, size, text):
    """Turquoise evaporation ponds on a white salt flat."""
    s = outdoor(rng, size, text, horizon=0.42, hills=1, mood="clear")
    w, h, hz = s.w, s.h, s.horizon
    land(s, (232, 230, 222))
    for row, (y0, y1) in enumerate(((0.02, 0.07), (0.09, 0.17), (0.2, 0.36), (0.4, 0.68))):
        ya, yb = hz + (h - hz) * y0, hz + (h - hz) * y1
        n = 3 + (3 - row)
        for i in range(n):
            xa, xb = w * (i / n) + 8, w * ((i + 1) / n) - 8
            col = mix((72, 190, 190), (40, 120, 140), rng.uniform(0, 0.5))
            s.d.rectangle([xa, ya, xb, yb], fill=col)
    return finish(s.img, rng, blur=(0.6, 1.0))


def scene_open_pit(rng, size, text):
    """An open-pit mine: stepped walls, a haul road and lorries."""
    s = outdoor(rng, size, text, horizon=0.3, hills=1, mood=mood_of(text, rng, "haze"))
    w, h, hz = s.w, s.h, s.horizon
    earth = (170, 130, 96)
    land(s, mix(earth, s.haze, 0.3))
    cx, cy = w * 0.5, hz + (h - hz) * 0.55
    for k in range(8):
        rx, ry = w * (0.62 - 0.07 * k), (h - hz) * (0.5 - 0.05 * k)
        col = mix(earth, (60, 46, 36), k / 9)
        s.d.ellipse([cx - rx, cy - ry + k * h * 0.02, cx + rx, cy + ry + k * h * 0.02], fill=col)
        s.d.arc(
            [cx - rx, cy - ry + k * h * 0.02, cx + rx, cy + ry + k * h * 0.02],
            180,
            360,
            fill=mix(col, (230, 210, 180), 0.3),
            width=3,
        )
    for i in range(4):
        a = math.pi * (1.1 + 0.22 * i)
        tx = cx + w * (0.52 - 0.07 * i) * math.cos(a)
        ty = cy + (h - hz) * (0.45 - 0.05 * i) * math.sin(a) + i * h * 0.02
        truck(s.d, tx, ty, w * 0.05, (200, 160, 40), facing=1 if i % 2 else -1)
    return finish(s.img, rng)


def scene_miners(rng, size, text):
    """People beside sacks and heaps of ore at the edge of a pit."""
    s = outdoor(rng, size, text, horizon=0.45, hills=1, mood=mood_of(text, rng, "haze"))
    w, h, hz = s.w, s.h, s.horizon
    earth = (160, 116, 84)
    land(s, mix(earth, s.haze, 0.2))
    s.d.ellipse([w * 0.55, hz + h * 0.05, w * 1.2, h * 0.75], fill=mix(earth, (40, 30, 24), 0.6))
    for _ in range(6):
        x = rng.uniform(0, w * 0.5)
        y = rng.uniform(hz + h * 0.35, h * 0.95)
        s.d.chord(
            [x, y - h * 0.08, x + w * 0.12, y + h * 0.04],
            180,
            360,
            fill=mix(earth, (50, 50, 50), 0.5),
        )
    for i in range(5):
        sx, sy = w * (0.3 + i * 0.04), h * 0.93
        s.d.rounded_rectangle([sx, sy - h * 0.09, sx + w * 0.035, sy], 8, fill=(210, 206, 196))
    for i, x in enumerate((w * 0.15, w * 0.32, w * 0.5, w * 0.66)):
        c = mute(hsv(rng.choice([0.0, 0.1, 0.6, 0.3]), 0.4, 0.45), 0.3)
        person(s.d, x, h * (0.9 - 0.07 * (i % 2)), h * 0.42, c, arms="front", holding=(90, 80, 70))
    return finish(s.img, rng)


def scene_ruins(rng, size, text):
    """An apartment block with a collapsed corner above a cleared street."""
    s = outdoor(rng, size, text, horizon=0.78, hills=0)
    w, h, hz = s.w, s.h, s.horizon
    land(s, mix((120, 116, 110), s.haze, 0.3))
    wall = mix((176, 168, 156), s.haze, 0.2)
    x0, x1, top = w * 0.15, w * 0.85, h * 0.12
    s.d.rectangle([x0, top, x1, hz], fill=wall)
    floors = 9
    for f in range(floors):
        y = top + (hz - top) * f / floors
        for wx in range(int(x0 + 20), int(x1 - 30), int(w * 0.05)):
            s.d.rectangle(
                [wx, y + 14, wx + w * 0.025, y + (hz - top) / floors - 10],
                fill=mix(wall, (30, 30, 34), 0.7),
            )
    hole = [
        (x1 - w * 0.28, top),
        (x1, top),
        (x1, hz - h * 0.15),
        (x1 - w * 0.12, hz - h * 0.25),
        (x1 - w * 0.2, top + h * 0.2),
    ]
    s.d.polygon(hole, fill=mix(s.haze, s.sky, 0.4))
    for f in range(1, 6):  # broken slabs hanging into the gap
        y = top + (hz - top) * f / floors
        s.d.line(
            [(x1 - w * 0.26 + f * 8, y), (x1 - w * 0.12, y + h * 0.04 * f)],
            fill=mix(wall, s.dark, 0.3),
            width=8,
        )
    for _ in range(40):  # rubble pushed to the side of the street
        rx, ry = rng.uniform(x1 - w * 0.2, w), rng.uniform(hz - h * 0.04, hz + h * 0.06)
        s.d.polygon(
            [
                (rx, ry),
                (rx + rng.uniform(10, 40), ry - rng.uniform(5, 25)),
                (rx + rng.uniform(20, 50), ry),
            ],
            fill=mix(wall, s.dark, rng.uniform(0.1, 0.6)),
        )
    return finish(s.img, rng)


def scene_dome(rng, size, text):
    """A domed capitol building at dusk, bare branches across the frame."""
    s = outdoor(rng, size, text, horizon=0.8, hills=0)
    w, h, hz = s.w, s.h, s.horizon
    stone = mix((220, 214, 200), s.haze, 0.4)
    cx = w * 0.55
    s.d.rectangle([w * 0.1, hz - h * 0.12, w, hz], fill=mix(stone, s.dark, 0.2))  # wings
    s.d.rectangle(
        [cx - w * 0.12, hz - h * 0.3, cx + w * 0.12, hz - h * 0.12], fill=stone
    )  # drum base
    for k in range(13):
        px_ = cx - w * 0.11 + k * w * 0.0183
        s.d.line([(px_, hz - h * 0.3), (px_, hz - h * 0.13)], fill=mix(stone, s.dark, 0.3), width=3)
    s.d.chord([cx - w * 0.1, hz - h * 0.55, cx + w * 0.1, hz - h * 0.1], 180, 360, fill=stone)
    s.d.rectangle([cx - w * 0.012, hz - h * 0.62, cx + w * 0.012, hz - h * 0.5], fill=stone)
    s.d.polygon(
        [(cx - w * 0.008, hz - h * 0.62), (cx + w * 0.008, hz - h * 0.62), (cx, hz - h * 0.67)],
        fill=stone,
    )
    land(s, s.tone(0.9))
    col = mix(s.dark, (10, 10, 10), 0.4)
    branches(s.d, rng, -10, h * 0.2, -0.2, w * 0.16, 16, col, 7)
    branches(s.d, rng, w + 10, h * 0.1, math.pi + 0.3, w * 0.14, 14, col, 7)
    return finish(s.img, rng)


def scene_rig_forest(rng, size, text):
    """A drilling rig in a forest clearing beside a frozen lake."""
    s = outdoor(rng, size, text, horizon=0.6, hills=1)
    w, h, hz = s.w, s.h, s.horizon
    land(s, (226, 230, 234))
    s.d.polygon(
        [(w * 0.4, hz + h * 0.05), (w, hz + h * 0.03), (w, h), (w * 0.25, h)], fill=(200, 212, 220)
    )
    green = mix((40, 60, 50), s.dark, 0.3)
    for k in range(-20, w, 22):
        conifer(
            s.d, k + rng.uniform(0, 20), hz + 4, h * rng.uniform(0.1, 0.18), mix(green, s.haze, 0.2)
        )
    rx, base = w * 0.3, hz + h * 0.12
    col = mix((170, 70, 50), s.dark, 0.3)
    s.d.line(
        [(rx - w * 0.04, base), (rx, base - h * 0.45), (rx + w * 0.04, base)], fill=col, width=6
    )
    for k in range(1, 8):
        y = base - h * 0.45 * k / 8
        half = w * 0.04 * (1 - k / 8)
        s.d.line([(rx - half, y), (rx + half, y)], fill=col, width=3)
        s.d.line([(rx - half, y), (rx + half * 0.8, y - h * 0.05)], fill=col, width=2)
    s.d.rectangle(
        [rx - w * 0.08, base - h * 0.05, rx + w * 0.08, base], fill=mix((90, 96, 100), s.dark, 0.2)
    )
    for k in range(0, int(w * 0.2), 30):
        conifer(s.d, k, h, h * rng.uniform(0.3, 0.4), green)
    return finish(s.img, rng)


def scene_observers(rng, size, text):
    """People in blue helmets and vests beside a white vehicle on a muddy road."""
    s = outdoor(rng, size, text, horizon=0.55, hills=2, mood=mood_of(text, rng, "overcast"))
    w, h, hz = s.w, s.h, s.horizon
    land(s, mix((96, 84, 64), s.haze, 0.25))
    for _ in range(30):
        y = rng.uniform(hz + 10, h)
        s.d.line(
            [(rng.uniform(0, w), y), (rng.uniform(0, w), y + rng.uniform(-8, 8))],
            fill=(120, 104, 80),
            width=3,
        )
    body = (232, 232, 228)
    vx, vy, vl = w * 0.45, h * 0.86, w * 0.42
    s.d.rounded_rectangle([vx, vy - vl * 0.32, vx + vl, vy - vl * 0.08], 18, fill=body)
    s.d.polygon(
        [
            (vx + vl * 0.08, vy - vl * 0.32),
            (vx + vl * 0.2, vy - vl * 0.5),
            (vx + vl * 0.75, vy - vl * 0.5),
            (vx + vl * 0.85, vy - vl * 0.32),
        ],
        fill=body,
    )
    for k in range(3):
        s.d.rectangle(
            [
                vx + vl * (0.22 + k * 0.18),
                vy - vl * 0.46,
                vx + vl * (0.36 + k * 0.18),
                vy - vl * 0.34,
            ],
            fill=(70, 80, 90),
        )
    for wx in (vx + vl * 0.2, vx + vl * 0.8):
        s.d.ellipse([wx - vl * 0.08, vy - vl * 0.16, wx + vl * 0.08, vy], fill=(30, 30, 30))
    for i, x in enumerate((w * 0.14, w * 0.26, w * 0.38)):
        person(s.d, x, h * (0.92 - 0.02 * i), h * 0.48, (56, 62, 56), head=(80, 140, 210))
        s.d.rectangle(
            [
                x - h * 0.05,
                h * (0.92 - 0.02 * i) - h * 0.38,
                x + h * 0.05,
                h * (0.92 - 0.02 * i) - h * 0.24,
            ],
            fill=(40, 44, 40),
        )
    return finish(s.img, rng)


def scene_trench(rng, size, text):
    """A figure in a trench, lit by the screen held in their hands."""
    w, h = size
    s = outdoor(rng, size, text, horizon=0.25, hills=0, mood=mood_of(text, rng, "overcast"))
    earth = (96, 80, 60)
    s.d.polygon(
        [(0, h * 0.15), (w * 0.35, h * 0.3), (w * 0.42, h), (0, h)], fill=mix(earth, s.dark, 0.3)
    )
    s.d.polygon(
        [(w, h * 0.12), (w * 0.65, h * 0.3), (w * 0.58, h), (w, h)], fill=mix(earth, s.dark, 0.45)
    )
    s.d.polygon(
        [(w * 0.35, h * 0.3), (w * 0.65, h * 0.3), (w * 0.58, h), (w * 0.42, h)],
        fill=mix(earth, (40, 30, 20), 0.3),
    )
    for k in range(6):  # planks revetting the walls
        y = h * (0.35 + 0.11 * k)
        s.d.line([(0, y), (w * 0.37, y + h * 0.03)], fill=mix(earth, (150, 120, 80), 0.4), width=5)
    cx, base = w * 0.5, h * 1.02
    col = (44, 48, 40)
    s.d.ellipse(
        [cx - w * 0.16, base - h * 0.5, cx + w * 0.16, base + h * 0.2], fill=col
    )  # shoulders
    s.d.ellipse([cx - w * 0.06, base - h * 0.72, cx + w * 0.06, base - h * 0.45], fill=col)  # head
    s.d.chord(
        [cx - w * 0.068, base - h * 0.76, cx + w * 0.068, base - h * 0.55],
        180,
        360,
        fill=(70, 76, 60),
    )
    lamp(s.img, cx + w * 0.12, base - h * 0.32, w * 0.08, (200, 220, 255), 160)
    s.refresh()
    s.d.polygon(
        [
            (cx + w * 0.06, base - h * 0.4),
            (cx + w * 0.2, base - h * 0.42),
            (cx + w * 0.19, base - h * 0.28),
            (cx + w * 0.07, base - h * 0.27),
        ],
        fill=(190, 214, 240),
    )
    return finish(s.img, rng)


def scene_bus_arrival(rng, size, text):
    """Men in uniform, blankets on their shoulders, step off a bus at a barrier."""
    s = outdoor(rng, size, text, horizon=0.58, hills=2, mood=mood_of(text, rng, "overcast"))
    w, h, hz = s.w, s.h, s.horizon
    land(s, mix((110, 110, 106), s.haze, 0.3))
    bus = mix((200, 200, 190), s.haze, 0.2)
    bx, by, bl = w * 0.05, h * 0.82, w * 0.55
    s.d.rounded_rectangle([bx, by - h * 0.36, bx + bl, by - h * 0.04], 16, fill=bus)
    for k in range(6):
        s.d.rectangle(
            [bx + bl * (0.04 + 0.15 * k), by - h * 0.32, bx + bl * (0.15 + 0.15 * k), by - h * 0.2],
            fill=(60, 70, 80),
        )
    s.d.rectangle(
        [bx + bl * 0.86, by - h * 0.32, bx + bl * 0.96, by - h * 0.05], fill=(40, 44, 50)
    )  # open door
    for wx in (bx + bl * 0.18, bx + bl * 0.75):
        s.d.ellipse([wx - h * 0.05, by - h * 0.09, wx + h * 0.05, by + h * 0.01], fill=(30, 30, 30))
    s.d.line(
        [(w * 0.78, hz - h * 0.02), (w, hz - h * 0.02)], fill=(200, 40, 40), width=8
    )  # barrier
    for k in range(int(w * 0.8), w, 40):
        s.d.line([(k, hz - h * 0.02), (k + 20, hz - h * 0.02)], fill=(236, 236, 236), width=8)
    olive = (78, 84, 60)
    for i, x in enumerate((w * 0.62, w * 0.72, w * 0.83, w * 0.93)):
        blanket = rng.choice([(120, 100, 80), (150, 60, 50), (90, 100, 120)])
        person(s.d, x, h * (0.95 - 0.03 * (i % 2)), h * 0.45, olive, drape=blanket)
    return finish(s.img, rng)


def scene_rally(rng, size, text):
    """A crowd holding up signs or framed portraits, a building behind."""
    portraits = "portrait" in text
    s = outdoor(rng, size, text, horizon=0.55, hills=0, mood=mood_of(text, rng, "overcast"))
    w, h, hz = s.w, s.h, s.horizon
    facade = mix((170, 164, 156), s.haze, 0.3)
    s.d.rectangle([w * 0.1, h * 0.12, w * 0.9, hz], fill=facade)
    for fy in range(int(h * 0.16), hz - 20, int(h * 0.06)):
        for fx in range(int(w * 0.12), int(w * 0.88), int(w * 0.04)):
            s.d.rectangle(
                [fx, fy, fx + w * 0.025, fy + h * 0.035], fill=mix(facade, (40, 50, 60), 0.6)
            )
    if "broadcast" in text or "headquarters" in text:
        s.d.line([(w * 0.7, h * 0.12), (w * 0.7, h * 0.0)], fill=mix(facade, s.dark, 0.5), width=6)
    land(s, mix((130, 128, 122), s.haze, 0.3))
    cloth = [mute(hsv(hh, 0.35, 0.35), 0.3) for hh in (0.0, 0.6, 0.1, 0.35, 0.75)]
    for row in range(3, 0, -1):
        ht = h * (0.55 - 0.08 * row)
        base = h * (1.02 - 0.07 * row)
        x = rng.uniform(-20, 20)
        while x < w + 20:
            up = rng.random() < 0.35
            person(
                s.d,
                x,
                base,
                ht,
                mix(rng.choice(cloth), s.haze, 0.1 * row),
                arms="up" if up else "down",
                holding=(236, 232, 222) if up else None,
            )
            if up and portraits:  # a face in the frame
                top = base - ht - ht * 0.17
                s.d.rectangle(
                    [x - ht * 0.1, top - ht * 0.12, x + ht * 0.1, top + ht * 0.09],
                    fill=(150, 146, 140),
                )
                s.d.ellipse(
                    [x - ht * 0.04, top - ht * 0.1, x + ht * 0.04, top - ht * 0.01],
                    fill=(70, 66, 62),
                )
                s.d.pieslice(
                    [x - ht * 0.09, top - ht * 0.01, x + ht * 0.09, top + ht * 0.16],
                    180,
                    360,
                    fill=(70, 66, 62),
                )
            elif up:  # lines of lettering on the sign
                top = base - ht - ht * 0.17
                for k in range(3):
                    s.d.rectangle(
                        [
                            x - ht * 0.11,
                            top - ht * 0.1 + k * ht * 0.06,
                            x + ht * 0.09,
                            top - ht * 0.08 + k * ht * 0.06,
                        ],
                        fill=(150, 40, 40) if k == 0 else (60, 60, 60),
                    )
            x += ht * rng.uniform(0.22, 0.3)
    return finish(s.img, rng)


def scene_walkers(rng, size, text):
    """A family with backpacks walks along a country road past a bus shelter."""
    s = outdoor(rng, size, text, horizon=0.55, hills=3, mood=mood_of(text, rng, "clear"))
    w, h, hz = s.w, s.h, s.horizon
    land(s, mix((90, 120, 70), s.haze, 0.3))
    s.d.polygon(
        [(w * 0.55, hz), (w * 0.6, hz), (w * 1.1, h), (w * 0.35, h)],
        fill=mix((120, 118, 112), s.haze, 0.2),
    )
    sx, sy = w * 0.12, h * 0.8  # bus shelter
    s.d.polygon(
        [
            (sx - 20, sy - h * 0.36),
            (sx + w * 0.22, sy - h * 0.38),
            (sx + w * 0.22, sy - h * 0.33),
            (sx - 20, sy - h * 0.31),
        ],
        fill=(150, 60, 50),
    )
    for px_ in (sx, sx + w * 0.2):
        s.d.rectangle([px_, sy - h * 0.34, px_ + 8, sy], fill=(80, 80, 80))
    s.d.rectangle([sx + 10, sy - h * 0.1, sx + w * 0.19, sy - h * 0.08], fill=(110, 90, 70))
    for x, ht in ((0.5, 0.42), (0.6, 0.46), (0.68, 0.26), (0.76, 0.3)):
        c = mute(hsv(rng.choice([0.0, 0.6, 0.1, 0.35]), 0.4, 0.4), 0.2)
        person(s.d, w * x, h * 0.93, h * ht, c, pack=mix(c, (200, 80, 40), 0.5))
    return finish(s.img, rng)


def scene_flags(rng, size, text):
    """Flags of many nations on poles before a glass conference building."""
    s = outdoor(rng, size, text, horizon=0.72, hills=0, mood=mood_of(text, rng, "clear"))
    w, h, hz = s.w, s.h, s.horizon
    glass = mix((120, 140, 160), s.haze, 0.3)
    s.d.rectangle([w * 0.05, h * 0.15, w * 0.95, hz], fill=glass)
    for gx in range(int(w * 0.05), int(w * 0.95), int(w * 0.03)):
        s.d.line([(gx, h * 0.15), (gx, hz)], fill=mix(glass, (230, 230, 230), 0.4), width=2)
    for gy in range(int(h * 0.15), hz, int(h * 0.05)):
        s.d.line([(w * 0.05, gy), (w * 0.95, gy)], fill=mix(glass, (230, 230, 230), 0.4), width=2)
    land(s, mix((180, 176, 168), s.haze, 0.2))
    for i in range(10):
        t = i / 9
        px_ = w * (0.04 + 0.9 * t)
        top = h * (0.34 + 0.05 * abs(t - 0.5))
        s.d.line([(px_, top), (px_, h * 0.9)], fill=(220, 220, 216), width=4)
        fw, fh = w * 0.06, h * 0.08
        cols = [hsv(rng.random(), 0.7, 0.75) for _ in range(3)]
        horiz = rng.random() < 0.5
        for k in range(3):
            if horiz:
                s.d.rectangle(
                    [px_ + 2, top + fh * k / 3, px_ + fw, top + fh * (k + 1) / 3], fill=cols[k]
                )
            else:
                s.d.rectangle(
                    [px_ + 2 + fw * k / 3, top, px_ + fw * (k + 1) / 3, top + fh], fill=cols[k]
                )
    return finish(s.img, rng)


def scene_smelter(rng, size, text):
    """Chimneys of a smelting complex by the sea, smoke drifting."""
    s = outdoor(rng, size, text, horizon=0.62, hills=2, mood=mood_of(text, rng, "haze"))
    w, h, hz = s.w, s.h, s.horizon
    water(s, rng, chop=0.6, top=int(hz + h * 0.12))
    s.d.rectangle([0, hz - 2, w, hz + h * 0.12], fill=s.tone(0.7))
    col = s.tone(0.85)
    for i in range(6):
        bx = w * (0.05 + i * 0.15)
        s.d.rectangle([bx, hz - h * rng.uniform(0.06, 0.14), bx + w * 0.12, hz + 4], fill=col)
    smoke = Image.new("L", size, 0)
    sd = ImageDraw.Draw(smoke)
    for i in range(4):
        cx = w * (0.15 + i * 0.2)
        top = hz - h * rng.uniform(0.35, 0.45)
        s.d.polygon([(cx - 12, hz), (cx + 12, hz), (cx + 8, top), (cx - 8, top)], fill=col)
        for k in range(8):
            r = h * (0.03 + 0.02 * k)
            sd.ellipse(
                [
                    cx + k * w * 0.03 - r,
                    top - k * h * 0.04 - r,
                    cx + k * w * 0.03 + r,
                    top - k * h * 0.04 + r,
                ],
                fill=max(0, 200 - 22 * k),
            )
    s.img.paste((214, 212, 208), mask=smoke.filter(ImageFilter.GaussianBlur(h * 0.02)))
    return finish(s.img, rng)


def scene_airport(rng, size, text):
    """A passenger jet on a wide apron, service vehicles nearby."""
    s = outdoor(rng, size, text, horizon=0.55, hills=1, mood=mood_of(text, rng, "haze"))
    w, h, hz = s.w, s.h, s.horizon
    land(s, mix((150, 148, 142), s.haze, 0.3))
    for k in range(3):
        y = hz + (h - hz) * (0.3 + 0.25 * k)
        s.d.line([(0, y), (w, y)], fill=(214, 196, 90), width=3)
    body = mix((236, 236, 234), s.haze, 0.2)
    fx, fy, fl = w * 0.1, h * 0.66, w * 0.72
    s.d.rounded_rectangle([fx, fy - h * 0.1, fx + fl, fy], h * 0.05, fill=body)
    s.d.polygon(
        [(fx + fl, fy - h * 0.1), (fx + fl + w * 0.06, fy - h * 0.06), (fx + fl, fy)], fill=body
    )  # nose
    s.d.polygon(
        [
            (fx + w * 0.02, fy - h * 0.08),
            (fx - w * 0.01, fy - h * 0.3),
            (fx + w * 0.06, fy - h * 0.3),
            (fx + w * 0.12, fy - h * 0.09),
        ],
        fill=body,
    )
    s.d.polygon(
        [
            (fx + fl * 0.35, fy - h * 0.04),
            (fx + fl * 0.6, fy - h * 0.04),
            (fx + fl * 0.45, fy + h * 0.06),
            (fx + fl * 0.3, fy + h * 0.06),
        ],
        fill=mix(body, s.dark, 0.2),
    )
    s.d.rounded_rectangle(
        [fx + fl * 0.45, fy - h * 0.005, fx + fl * 0.58, fy + h * 0.045],
        12,
        fill=mix(body, s.dark, 0.35),
    )
    for k in range(24):
        wx = fx + fl * (0.15 + k * 0.032)
        s.d.ellipse([wx, fy - h * 0.075, wx + 8, fy - h * 0.062], fill=(60, 70, 84))
    s.d.rectangle([fx, fy - h * 0.03, fx + fl, fy - h * 0.018], fill=mute((40, 80, 150), 0.3))
    for wx in (fx + fl * 0.2, fx + fl * 0.85):
        s.d.line([(wx, fy), (wx, fy + h * 0.08)], fill=(50, 50, 50), width=5)
        s.d.ellipse([wx - 12, fy + h * 0.07, wx + 12, fy + h * 0.1], fill=(30, 30, 30))
    for vx in (w * 0.08, w * 0.7):
        truck(s.d, vx, h * 0.93, w * 0.12, mute((220, 200, 60), 0.35))
    return finish(s.img, rng)


# -- interiors ------------------------------------------------------------------
def scene_meeting_room(rng, size, text):
    """A long table with name cards, glasses and empty chairs; panelled walls."""
    wood = (120, 84, 56)
    img, d, hz = interior(size, mix(wood, (60, 40, 30), 0.2), (96, 80, 70), horizon=0.5)
    w, h = size
    for px_ in range(0, w, int(w * 0.08)):  # wall panels
        d.rectangle(
            [px_ + 8, h * 0.08, px_ + w * 0.08 - 8, hz - 10],
            outline=mix(wood, (40, 26, 18), 0.4),
            width=3,
        )
    lamp(img, w * 0.5, h * 0.05, w * 0.12, strength=150)
    d = ImageDraw.Draw(img)
    vx, vy = w * 0.5, hz - h * 0.05
    top = mix((200, 190, 170), wood, 0.5)
    d.polygon(
        [(vx - w * 0.06, vy), (vx + w * 0.06, vy), (w * 0.88, h * 1.02), (w * 0.12, h * 1.02)],
        fill=top,
    )
    chair = (40, 34, 36)
    for yy, sc in perspective_rows(vx, vy, h * 0.95, 6, far=0.2):
        half = w * 0.06 + (w * 0.38 - w * 0.06) * (yy - vy) / (h * 1.02 - vy)
        for side in (-1, 1):
            cx = vx + side * (half + w * 0.03 * sc)
            d.rectangle(
                [cx - w * 0.025 * sc, yy - h * 0.16 * sc, cx + w * 0.025 * sc, yy + h * 0.02 * sc],
                fill=chair,
            )
            card = vx + side * (half - w * 0.03 * sc)
            d.polygon(
                [
                    (card - w * 0.015 * sc, yy),
                    (card + w * 0.015 * sc, yy),
                    (card, yy - h * 0.03 * sc),
                ],
                fill=(240, 238, 232),
            )
            gx = card - side * w * 0.03 * sc
            d.rectangle([gx - 4 * sc, yy - h * 0.035 * sc, gx + 4 * sc, yy], fill=(200, 214, 220))
    if "clock" in text:
        d.ellipse(
            [w * 0.45, h * 0.1, w * 0.55, h * 0.1 + w * 0.1],
            fill=(240, 236, 226),
            outline=(40, 30, 24),
            width=4,
        )
        c = (w * 0.5, h * 0.1 + w * 0.05)
        d.line([c, (c[0], c[1] - w * 0.035)], fill=(40, 30, 24), width=4)
        d.line([c, (c[0] + w * 0.025, c[1])], fill=(40, 30, 24), width=4)
    return finish(img, rng, vig=(0.3, 0.45))


def scene_hall(rng, size, text):
    """A large dim hall: rows of seated delegates, or standing groups, and screens."""
    img, d, hz = interior(size, (40, 44, 56), (56, 52, 56), horizon=0.42)
    w, h = size
    for sx in (w * 0.2, w * 0.5, w * 0.8):  # screens above the stage
        lamp(img, sx, h * 0.18, w * 0.1, (170, 200, 240), 150)
        d = ImageDraw.Draw(img)
        d.rectangle([sx - w * 0.1, h * 0.1, sx + w * 0.1, h * 0.28], fill=(110, 150, 200))
        d.rectangle([sx - w * 0.08, h * 0.14, sx + w * 0.02, h * 0.16], fill=(220, 230, 240))
    d.rectangle([w * 0.1, hz - h * 0.04, w * 0.9, hz], fill=(70, 60, 60))  # stage
    if "group" in text or "huddle" in text or "standing" in text:
        for gx in (w * 0.15, w * 0.45, w * 0.78):
            for k in range(4):
                x = gx + (k - 1.5) * w * 0.04
                ht = h * rng.uniform(0.42, 0.5)
                person(
                    d,
                    x,
                    h * (0.86 + 0.04 * (k % 2)),
                    ht,
                    (26, 26, 30),
                    arms="front",
                    holding=(232, 230, 224) if k % 2 == 0 else None,
                )
    else:
        for yy, sc in perspective_rows(w / 2, hz + h * 0.03, h * 1.02, 8, far=0.25):
            x = rng.uniform(0, w * 0.04 * sc)
            while x < w:
                r = h * 0.035 * sc
                d.ellipse([x - r * 2.2, yy - r * 1.2, x + r * 2.2, yy + r * 3], fill=(24, 24, 28))
                d.ellipse([x - r, yy - r * 3, x + r, yy - r], fill=(30, 30, 34))
                x += r * 5.2
            d.rectangle([0, yy + h * 0.02 * sc, w, yy + h * 0.04 * sc], fill=(60, 54, 56))
    return finish(img, rng)


def scene_radio_studio(rng, size, text):
    """A small studio: mixing desk and microphone before a window on the sea."""
    img, d, hz = interior(size, (150, 140, 128), (90, 80, 74), horizon=0.6)
    w, h = size
    wx0, wy0, wx1, wy1 = w * 0.45, h * 0.1, w * 0.95, h * 0.55
    view = vertical_gradient((int(wx1 - wx0), int(wy1 - wy0)), (150, 180, 200), (220, 226, 220))
    vd = ImageDraw.Draw(view)
    vw, vh = view.size
    vd.rectangle([0, vh * 0.55, vw, vh], fill=(70, 120, 140))
    for _ in range(20):
        y = rng.uniform(vh * 0.58, vh)
        vd.line([(rng.uniform(0, vw), y), (rng.uniform(0, vw), y)], fill=(120, 160, 176), width=1)
    img.paste(view, (int(wx0), int(wy0)))
    d = ImageDraw.Draw(img)
    d.rectangle([wx0, wy0, wx1, wy1], outline=(60, 56, 52), width=10)
    d.line([((wx0 + wx1) / 2, wy0), ((wx0 + wx1) / 2, wy1)], fill=(60, 56, 52), width=8)
    for k in range(5):  # acoustic panels on the wall
        d.rectangle(
            [w * 0.03, h * (0.08 + k * 0.1), w * 0.38, h * (0.16 + k * 0.1)], fill=(110, 100, 96)
        )
    d.polygon([(0, h * 0.68), (w, h * 0.64), (w, h), (0, h)], fill=(60, 50, 44))  # desk
    mx0, my0 = w * 0.12, h * 0.72
    d.polygon(
        [
            (mx0, my0),
            (mx0 + w * 0.5, my0 - h * 0.02),
            (mx0 + w * 0.55, h * 0.95),
            (mx0 - w * 0.03, h * 0.97),
        ],
        fill=(40, 40, 44),
    )
    for k in range(12):  # faders and knobs
        fx = mx0 + w * 0.02 + k * w * 0.04
        d.line([(fx, my0 + h * 0.1), (fx, my0 + h * 0.2)], fill=(20, 20, 22), width=3)
        fy = my0 + h * rng.uniform(0.1, 0.2)
        d.rectangle([fx - 6, fy - 4, fx + 6, fy + 4], fill=(210, 210, 204))
        for r_ in range(3):
            ky = my0 + h * (0.03 + r_ * 0.025)
            d.ellipse(
                [fx - 5, ky - 5, fx + 5, ky + 5],
                fill=rng.choice([(200, 60, 50), (200, 200, 196), (80, 140, 190)]),
            )
    arm = [
        (w * 0.92, h * 0.64),
        (w * 0.82, h * 0.35),
        (w * 0.66, h * 0.4),
    ]  # boom arm and microphone
    d.line(arm, fill=(30, 30, 32), width=8, joint="curve")
    d.rounded_rectangle([w * 0.6, h * 0.38, w * 0.68, h * 0.5], 20, fill=(24, 24, 26))
    for k in range(6):
        d.line(
            [(w * 0.61, h * (0.4 + k * 0.016)), (w * 0.67, h * (0.4 + k * 0.016))],
            fill=(70, 70, 74),
            width=2,
        )
    return finish(img, rng, vig=(0.25, 0.35))


def scene_tv_studio(rng, size, text):
    """Empty presenter desks and studio cameras under bright lights."""
    img, d, hz = interior(size, (30, 40, 60), (40, 40, 46), horizon=0.55)
    w, h = size
    d.rectangle([w * 0.2, h * 0.18, w * 0.8, h * 0.5], fill=(60, 100, 150))  # video wall
    for k in range(1, 4):
        d.line(
            [(w * 0.2 + w * 0.15 * k, h * 0.18), (w * 0.2 + w * 0.15 * k, h * 0.5)],
            fill=(40, 70, 110),
            width=3,
        )
    for lx in range(int(w * 0.1), w, int(w * 0.16)):  # lighting rig
        lamp(img, lx, h * 0.04, w * 0.05, (255, 250, 236), 230)
    d = ImageDraw.Draw(img)
    d.line([(0, h * 0.05), (w, h * 0.05)], fill=(20, 20, 24), width=6)
    desk = (220, 222, 226)
    d.chord([w * 0.22, h * 0.46, w * 0.78, h * 0.86], 0, 180, fill=mix(desk, (60, 60, 70), 0.2))
    d.rectangle([w * 0.22, h * 0.55, w * 0.78, h * 0.66], fill=desk)
    for k in range(3):
        cx = w * (0.36 + 0.14 * k)
        d.rectangle(
            [cx - w * 0.025, h * 0.42, cx + w * 0.025, h * 0.55], fill=(30, 30, 34)
        )  # empty chairs
    for cx, sc in ((w * 0.1, 1.0), (w * 0.88, 0.9)):  # cameras on pedestals
        d.rectangle([cx - w * 0.07 * sc, h * 0.58, cx + w * 0.05 * sc, h * 0.7], fill=(24, 24, 26))
        d.rectangle([cx + w * 0.05 * sc, h * 0.6, cx + w * 0.08 * sc, h * 0.68], fill=(50, 50, 56))
        d.line([(cx, h * 0.7), (cx, h * 0.92)], fill=(30, 30, 34), width=12)
        for leg in (-1, 0, 1):
            d.line([(cx, h * 0.92), (cx + leg * w * 0.06, h * 0.99)], fill=(30, 30, 34), width=8)
    return finish(img, rng, vig=(0.3, 0.4))


def scene_newsroom(rng, size, text):
    """A newsroom at night: people at laptops, screens glowing, papers about."""
    img, d, hz = interior(size, (34, 38, 48), (44, 42, 44), horizon=0.45)
    w, h = size
    d.rectangle([w * 0.1, h * 0.08, w * 0.9, h * 0.36], fill=(16, 20, 34))  # night window
    skyline(
        d,
        rng,
        w * 0.1,
        w * 0.9,
        h * 0.36,
        h * 0.8,
        (26, 30, 42),
        lit=(220, 190, 120),
        tall=(0.05, 0.3),
    )
    d.rectangle([w * 0.1, h * 0.08, w * 0.9, h * 0.36], outline=(60, 60, 64), width=8)
    d.rectangle([0, h * 0.62, w, h], fill=(80, 70, 62))  # desk
    for x in (w * 0.2, w * 0.5, w * 0.8):
        lamp(img, x, h * 0.5, w * 0.08, (200, 220, 250), 120)
    d = ImageDraw.Draw(img)

    def trapezoid(x, top, bottom, y0, y1, fill):
        """Centred on ``x``: half-widths ``top`` at ``y0`` and ``bottom`` at ``y1``."""
        d.polygon([(x - top, y0), (x + top, y0), (x + bottom, y1), (x - bottom, y1)], fill=fill)

    for i, x in enumerate((w * 0.2, w * 0.5, w * 0.8)):
        trapezoid(x, w * 0.07, w * 0.065, h * 0.4, h * 0.6, (40, 40, 44))  # screen
        trapezoid(x, w * 0.06, w * 0.056, h * 0.42, h * 0.58, (170, 196, 230))  # its glow
        trapezoid(x, w * 0.08, w * 0.1, h * 0.6, h * 0.66, (70, 70, 74))  # keyboard
        px_ = x + (w * 0.13 if i != 1 else -w * 0.13)  # the person beside the screen
        d.ellipse([px_ - w * 0.07, h * 0.5, px_ + w * 0.07, h * 0.8], fill=(22, 22, 26))
        d.ellipse([px_ - w * 0.03, h * 0.36, px_ + w * 0.03, h * 0.5], fill=(26, 26, 30))
    for _ in range(14):  # papers and cups
        x, y = rng.uniform(0, w), rng.uniform(h * 0.68, h * 0.95)
        d.polygon(
            [(x, y), (x + 60, y - 6), (x + 70, y + 30), (x + 8, y + 36)], fill=(200, 196, 186)
        )
    return finish(img, rng, vig=(0.3, 0.4))


def scene_servers(rng, size, text):
    """An aisle between rows of server racks lit in blue."""
    w, h = size
    img = vertical_gradient(size, (10, 16, 30), (20, 30, 54))
    d = ImageDraw.Draw(img)
    vx, vy = w * 0.5, h * 0.48
    d.polygon(
        [(vx - w * 0.05, vy), (vx + w * 0.05, vy), (w * 0.75, h), (w * 0.25, h)], fill=(40, 50, 70)
    )
    for side in (-1, 1):
        for k in range(8):
            t0, t1 = 1 - k / 8, 1 - (k + 1) / 8
            x0, x1 = vx + side * (w * 0.05 + w * 0.45 * t0), vx + side * (w * 0.05 + w * 0.45 * t1)
            top0, top1 = vy - h * 0.48 * t0 - h * 0.04, vy - h * 0.48 * t1 - h * 0.04
            bot0, bot1 = vy + h * 0.52 * t0, vy + h * 0.52 * t1
            d.polygon([(x0, top0), (x1, top1), (x1, bot1), (x0, bot0)], fill=(18, 22, 32))
            d.line([(x0, top0), (x0, bot0)], fill=(40, 48, 66), width=2)
            for r_ in range(10):
                u = (r_ + 0.5) / 10
                for j in range(3):
                    v = (j + 0.5) / 3
                    x = x0 + (x1 - x0) * v
                    y = (top0 + (bot0 - top0) * u) * (1 - v) + (top1 + (bot1 - top1) * u) * v
                    sz = 3 * t0 + 1
                    col = (90, 170, 255) if rng.random() < 0.8 else (120, 255, 170)
                    d.ellipse([x - sz, y - sz, x + sz, y + sz], fill=col)
    lamp(img, vx, vy, w * 0.08, (90, 140, 230), 140)
    return finish(img, rng, blur=(0.7, 1.0), vig=(0.3, 0.4))


def scene_shells(rng, size, text):
    """Rows of artillery shells on a factory floor under industrial lamps."""
    img, d, hz = interior(size, (70, 72, 74), (96, 94, 90), horizon=0.35)
    w, h = size
    for lx in range(int(w * 0.1), w, int(w * 0.2)):
        d.line([(lx, 0), (lx, h * 0.08)], fill=(30, 30, 30), width=3)
        lamp(img, lx, h * 0.1, w * 0.04, strength=230)
    d = ImageDraw.Draw(img)
    for k in range(0, w, int(w * 0.1)):
        d.line([(k, h * 0.2), (k + w * 0.05, 0)], fill=(54, 56, 58), width=6)  # roof trusses
    copper, olive = (176, 112, 70), (104, 110, 82)
    for yy, sc in reversed(perspective_rows(w / 2, hz + h * 0.2, h * 0.97, 3, far=0.55)):
        sw, sh = w * 0.045 * sc, h * 0.2 * sc
        x = w * 0.01 + sw * 0.3 * sc
        while x < w:
            col = mix(olive, (40, 40, 40), (1 - sc) * 0.4)
            nose = [  # the ogive: a curve narrowing to the fuse
                (
                    x + sw / 2 + sw / 2 * side * math.cos(a * math.pi / 16),
                    yy - sh - sh * 0.45 * a / 8,
                )
                for side in (-1, 1)
                for a in (range(9) if side == 1 else range(8, -1, -1))
            ]
            d.polygon(nose, fill=col)
            d.rectangle(
                [x + sw * 0.38, yy - sh * 1.53, x + sw * 0.62, yy - sh * 1.42], fill=(60, 60, 58)
            )
            d.rectangle([x, yy - sh, x + sw, yy], fill=col)
            d.rectangle(
                [x, yy - sh, x + sw * 0.3, yy], fill=mix(col, (230, 230, 210), 0.2)
            )  # sheen
            d.rectangle([x + sw * 0.75, yy - sh, x + sw, yy], fill=mix(col, (20, 20, 20), 0.3))
            d.rectangle([x, yy - sh * 0.95, x + sw, yy - sh * 0.88], fill=(200, 180, 60))  # marking
            d.rectangle([x, yy - sh * 0.16, x + sw, yy - sh * 0.08], fill=copper)  # driving band
            x += sw * 1.45
    return finish(img, rng)


def scene_assembly(rng, size, text):
    """Workers in hard hats along a conveyor carrying car parts."""
    img, d, hz = interior(size, (96, 100, 104), (120, 118, 112), horizon=0.4)
    w, h = size
    for lx in range(int(w * 0.08), w, int(w * 0.14)):
        lamp(img, lx, h * 0.06, w * 0.03, strength=220)
    d = ImageDraw.Draw(img)
    d.polygon(
        [(0, h * 0.62), (w, h * 0.5), (w, h * 0.56), (0, h * 0.7)], fill=(50, 52, 56)
    )  # conveyor
    d.polygon([(0, h * 0.7), (w, h * 0.56), (w, h * 0.6), (0, h * 0.76)], fill=(36, 36, 40))
    for k in range(6):  # car doors and panels on the line
        t = k / 6
        x = w * (0.04 + t * 0.95)
        y = h * (0.62 - 0.12 * t)
        sc = 1 - 0.4 * t
        d.rounded_rectangle(
            [x, y - h * 0.14 * sc, x + w * 0.1 * sc, y], 10, fill=mute((60, 90, 140), 0.3)
        )
        d.rectangle(
            [x + w * 0.015 * sc, y - h * 0.12 * sc, x + w * 0.07 * sc, y - h * 0.075 * sc],
            fill=(150, 160, 170),
        )
    for i, x in enumerate((w * 0.16, w * 0.45, w * 0.72)):
        base = h * (0.95 - 0.08 * i)
        ht = h * 0.5 * (1 - 0.12 * i)
        person(d, x, base, ht, (40, 50, 70), arms="front", head=(230, 200, 40))
        d.rectangle(
            [x - ht * 0.12, base - ht * 0.78, x + ht * 0.12, base - ht * 0.72], fill=(220, 220, 60)
        )
    return finish(img, rng)


# -- illustrations (Image_Kind: image) -----------------------------------------
def illustration_table(rng, size, text):
    """Flat illustration: a long table heaped with paper, a clock on the wall."""
    w, h = size
    img = Image.new("RGB", size, (230, 222, 206))
    d = ImageDraw.Draw(img)
    d.rectangle([0, h * 0.7, w, h], fill=(196, 184, 164))
    d.rectangle([w * 0.08, h * 0.58, w * 0.92, h * 0.64], fill=(120, 80, 56))
    for lx in (w * 0.12, w * 0.86):
        d.rectangle([lx, h * 0.64, lx + w * 0.02, h * 0.92], fill=(100, 66, 46))
    for k in range(7):
        x = w * (0.12 + k * 0.11)
        n = rng.randint(3, 14)
        for j in range(n):
            y = h * 0.58 - j * h * 0.018
            off = rng.uniform(-6, 6)
            d.rectangle(
                [x + off, y - h * 0.016, x + w * 0.08 + off, y],
                fill=(250, 248, 242),
                outline=(170, 164, 150),
            )
    cx, cy, r = w * 0.5, h * 0.22, h * 0.13
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(250, 248, 242), outline=(40, 40, 44), width=8)
    for k in range(12):
        a = k * math.pi / 6
        d.line(
            [
                (cx + r * 0.8 * math.cos(a), cy + r * 0.8 * math.sin(a)),
                (cx + r * 0.9 * math.cos(a), cy + r * 0.9 * math.sin(a)),
            ],
            fill=(40, 40, 44),
            width=4,
        )
    d.line([(cx, cy), (cx, cy - r * 0.7)], fill=(40, 40, 44), width=6)
    d.line([(cx, cy), (cx + r * 0.45, cy + r * 0.2)], fill=(155, 28, 28), width=6)
    return img


def illustration_ledgers(rng, size, text):
    """Flat illustration: ledgers tied with red tape beside a globe."""
    w, h = size
    img = Image.new("RGB", size, (236, 230, 216))
    d = ImageDraw.Draw(img)
    d.rectangle([0, h * 0.82, w, h], fill=(204, 192, 170))
    base = h * 0.82
    for _ in range(7):
        bw = w * rng.uniform(0.34, 0.42)
        bh = h * rng.uniform(0.07, 0.1)
        x = w * 0.1 + rng.uniform(-10, 10)
        col = rng.choice([(60, 80, 110), (110, 60, 50), (70, 90, 70), (120, 100, 70)])
        d.rectangle([x, base - bh, x + bw, base], fill=col)
        d.rectangle([x + bw - 12, base - bh + 6, x + bw - 4, base - 6], fill=(236, 226, 200))
        base -= bh
    d.rectangle([w * 0.26, base, w * 0.29, h * 0.82], fill=(180, 30, 30))  # the red tape
    d.rectangle([w * 0.1, h * 0.6, w * 0.52, h * 0.63], fill=(180, 30, 30))
    gx, gy, r = w * 0.74, h * 0.45, h * 0.25
    d.ellipse([gx - r, gy - r, gx + r, gy + r], fill=(120, 160, 190), outline=(60, 60, 64), width=4)
    for k in range(1, 4):
        d.ellipse([gx - r * k / 4, gy - r, gx + r * k / 4, gy + r], outline=(90, 130, 160), width=2)
    for k in (-0.5, 0, 0.5):
        d.line(
            [
                (gx - r * math.sqrt(1 - k * k), gy + r * k),
                (gx + r * math.sqrt(1 - k * k), gy + r * k),
            ],
            fill=(90, 130, 160),
            width=2,
        )
    d.polygon(
        [
            (gx - r * 0.5, gy - r * 0.4),
            (gx + r * 0.1, gy - r * 0.6),
            (gx + r * 0.2, gy),
            (gx - r * 0.3, gy + r * 0.3),
        ],
        fill=(180, 170, 130),
    )
    d.arc(
        [gx - r * 1.15, gy - r * 1.15, gx + r * 1.15, gy + r * 1.15],
        100,
        260,
        fill=(80, 70, 60),
        width=8,
    )
    d.rectangle([gx - 8, gy + r * 1.1, gx + 8, h * 0.78], fill=(80, 70, 60))
    d.rectangle([gx - w * 0.06, h * 0.78, gx + w * 0.06, h * 0.82], fill=(80, 70, 60))
    return img


def illustration_phone(rng, size, text):
    """A screengrab: a phone showing a video frame of a burning building under a warning."""
    w, h = size
    img = Image.new("RGB", size, (222, 222, 226))
    d = ImageDraw.Draw(img)
    pw, ph = h * 0.5, h * 0.94
    x0, y0 = (w - pw) / 2, h * 0.03
    d.rounded_rectangle([x0, y0, x0 + pw, y0 + ph], 40, fill=(24, 24, 28))
    sx0, sy0, sx1, sy1 = x0 + 16, y0 + 50, x0 + pw - 16, y0 + ph - 50
    d.rectangle([sx0, sy0, sx1, sy1], fill=(236, 236, 240))
    for k in range(2):  # chat bubbles
        d.rounded_rectangle(
            [sx0 + 14, sy0 + 20 + k * 60, sx0 + (sx1 - sx0) * 0.7, sy0 + 64 + k * 60],
            14,
            fill=(210, 214, 220),
        )
    vy0, vy1 = sy0 + 150, sy0 + 150 + (sx1 - sx0) * 1.0
    frame = vertical_gradient((int(sx1 - sx0 - 28), int(vy1 - vy0)), (50, 40, 50), (120, 70, 50))
    fd = ImageDraw.Draw(frame)
    fw, fh = frame.size
    fd.rectangle([fw * 0.2, fh * 0.35, fw * 0.8, fh], fill=(40, 36, 36))
    for wx in range(int(fw * 0.25), int(fw * 0.75), 30):
        for wy in range(int(fh * 0.42), int(fh * 0.95), 34):
            fd.rectangle(
                [wx, wy, wx + 14, wy + 18],
                fill=(250, 170, 70) if rng.random() < 0.4 else (60, 56, 54),
            )
    fire = Image.new("L", frame.size, 0)
    for _ in range(14):
        cx, cy, r = (
            rng.uniform(fw * 0.25, fw * 0.75),
            rng.uniform(fh * 0.15, fh * 0.45),
            rng.uniform(20, 45),
        )
        ImageDraw.Draw(fire).ellipse([cx - r, cy - r * 1.6, cx + r, cy + r], fill=220)
    frame.paste((250, 140, 40), mask=fire.filter(ImageFilter.GaussianBlur(10)))
    frame = frame.filter(ImageFilter.GaussianBlur(2.5))  # the label blurs what it covers
    img.paste(frame, (int(sx0 + 14), int(vy0)))
    d = ImageDraw.Draw(img)
    ly0, ly1 = vy0 + (vy1 - vy0) * 0.3, vy0 + (vy1 - vy0) * 0.7
    d.rectangle([sx0 + 14, ly0, sx1 - 14, ly1], fill=(36, 36, 40))
    tx, ty = (sx0 + sx1) / 2, ly0 + 18
    d.polygon([(tx, ty), (tx + 30, ty + 52), (tx - 30, ty + 52)], fill=(240, 190, 40))
    d.rectangle([tx - 3, ty + 18, tx + 3, ty + 38], fill=(36, 36, 40))
    d.rectangle([tx - 3, ty + 42, tx + 3, ty + 48], fill=(36, 36, 40))
    for k, frac in enumerate((0.7, 0.5)):
        half = (sx1 - sx0) * frac / 2
        d.rectangle(
            [tx - half, ty + 70 + k * 22, tx + half, ty + 80 + k * 22], fill=(220, 220, 224)
        )
    return img


# --------------------------------------------------------------------------
# Choosing the drawing from the words
# --------------------------------------------------------------------------
# (pattern, drawing), tried in order against the alt text, then the caption:
# the first match wins, so the more specific subjects come first.
GRAPHIC_RULES = [
    (r"\bbar chart|\bbars?\b", "bars"),
    (r"\bchart|\bgraphs?\b", "lines"),
    (r"\bmap\b|map-style", "map"),
    (r"smartphone|phone screen|screengrab", "phone"),
    (r"ledger|red tape|globe", "ledgers"),
    (r"\btable\b|clock", "table"),
]
PHOTO_RULES = [
    (r"before-and-after", scene_satellite_pair),
    (r"satellite", scene_satellite_port),
    (r"frigate|warship|escort", scene_escort),
    (r"\blng\b|liquefied natural gas", scene_lng_terminal),
    (r"coast guard|cutter|patrol boat", scene_patrol),
    (r"fishing boat", scene_fishing_boat),
    (r"\bcanal\b", scene_canal),
    (r"skyline", scene_city_ship),
    (r"tower blocks", scene_city_river),
    (r"silos|bulk carrier", scene_river_silos),
    (r"cranes?\b.*container|\bport\b", scene_port),
    (r"open-pit|open pit", scene_open_pit),
    (r"warehouse|unload", scene_warehouse),
    (r"trucks|lorries|convoy", scene_trucks),
    (r"market", scene_market),
    (r"queue of|food distribution", scene_queue),
    (r"pylons|transmission", scene_plain),
    (r"spherical|storage tanks", scene_storage_spheres),
    (r"pipes", scene_pipes),
    (r"glacier|snow-capped", scene_mountain_valley),
    (r"terrace", scene_terraces),
    (r"salt flat|evaporation ponds", scene_salt_flat),
    (r"\bore\b|artisanal", scene_miners),
    (r"damaged|collapsed|rubble", scene_ruins),
    (r"\bdome\b|capitol", scene_dome),
    (r"drilling rig", scene_rig_forest),
    (r"blue helmets|observers", scene_observers),
    (r"trench|drone", scene_trench),
    (r"step off a bus|\bbus\b.*uniform|uniform.*\bbus\b", scene_bus_arrival),
    (r"protest|rally|placard|\bsigns\b", scene_rally),
    (r"backpacks|walks along", scene_walkers),
    (r"flags", scene_flags),
    (r"smelt|chimney", scene_smelter),
    (r"passenger jet|airport|aircraft", scene_airport),
    (r"radio studio|microphone", scene_radio_studio),
    (r"television studio|tv studio|presenter", scene_tv_studio),
    (r"newsroom|laptops", scene_newsroom),
    (r"server racks|data centre|data center", scene_servers),
    (r"shells|munitions", scene_shells),
    (r"assembl|factory line|production line", scene_assembly),
    (r"plenary|conference hall|delegates", scene_hall),
    (r"negotiating table|conference table|name cards|meeting room", scene_meeting_room),
    (r"ship|tanker|vessel", scene_patrol),
]
ILLUSTRATIONS = {
    "phone": illustration_phone,
    "ledgers": illustration_ledgers,
    "table": illustration_table,
}
SCENES = {scene.__name__.removeprefix("scene_"): scene for _, scene in PHOTO_RULES}
# With no alt text or caption to go by (bench/corpus.py's image pool), a drawing
# is picked by the path, so that a pool of such images still varies.
WORDLESS = {
    "top": ["port", "city_ship", "city_river", "patrol", "plain", "trucks", "hall", "meeting_room"],
    "figure": ["port", "city_river", "plain", "trucks", "map", "lines", "bars"],
    "top-image": ["lines", "bars", "map"],
}


def choose(ref: Ref) -> tuple[str, object]:
    """(name, drawing function) for a reference, from its kind and its words.

    Charts, maps and illustrations are recognised by their words (chart, graph,
    map, ...) whatever the kind; ``Image_Kind: image`` with no such word gives a
    chart. Other pictures are matched to a scene by their subject; with no match
    a plain landscape is drawn. With no words at all, the path picks (WORDLESS).
    """
    if ref.kind == "portrait":
        return "portrait", draw_portrait
    if not (ref.alt or ref.caption).strip():
        options = WORDLESS[ref.kind]
        pick = int(hashlib.sha256(f"scene:{ref.path}".encode()).hexdigest(), 16)
        name = options[pick % len(options)]
        graphics = {"lines": draw_chart, "bars": draw_chart, "map": draw_map}
        return name, graphics.get(name) or SCENES[name]
    for words in (ref.alt.lower(), ref.caption.lower()):
        for pattern, name in GRAPHIC_RULES:
            if not re.search(pattern, words):
                continue
            if name in ILLUSTRATIONS and ref.kind != "top-image":
                continue  # a photo of a table is a meeting room, not a drawing
            if name in ("bars", "lines"):
                return name, draw_chart
            return name, ILLUSTRATIONS.get(name, draw_map)
        if ref.kind == "top-image":
            continue
        for pattern, scene in PHOTO_RULES:
            if re.search(pattern, words):
                return scene.__name__.removeprefix("scene_"), scene
    if ref.kind == "top-image":
        return "lines", draw_chart
    return "plain", scene_plain


def draw(ref: Ref) -> Image.Image:
    seed = int.from_bytes(hashlib.sha256(ref.path.encode("utf-8")).digest()[:8], "big")
    rng = random.Random(seed)
    size = {"portrait": PORTRAIT_SIZE, "figure": FIGURE_SIZE}.get(ref.kind, TOP_SIZE)
    name, maker = choose(ref)
    if maker is draw_portrait:
        return draw_portrait(rng, size)
    text = f"{ref.alt} {ref.caption}".lower()
    if maker is draw_chart:
        return draw_chart(rng, size, style=name, text=text)
    if maker is draw_map:
        return draw_map(rng, size, text=text)
    return maker(rng, size, text)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------
def encode(img: Image.Image) -> bytes:
    """JPEG bytes at about QUALITY, lowered until the file is under MAX_BYTES."""
    quality = QUALITY
    while True:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality, progressive=True, optimize=True)
        data = buf.getvalue()
        if len(data) <= MAX_BYTES or quality <= 35:
            return data
        quality -= 6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Draw deterministic placeholder JPEGs for every image the "
        "Markdown files under content/ refer to (Image:, Photo:, body images) "
        "and that does not exist yet.",
    )
    parser.add_argument("--force", action="store_true", help="redraw images that already exist")
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be drawn; write nothing"
    )
    parser.add_argument(
        "--content", type=Path, default=CONTENT, help="content folder (default: %(default)s)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)

    content = args.content.resolve()
    refs = find_references(content)
    made = skipped = 0
    for ref in refs:
        target = content / ref.path
        if target.exists() and not args.force:
            skipped += 1
            continue
        if args.dry_run:
            print(f"would draw {ref.path} ({ref.kind}, from {ref.source})")
            made += 1
            continue
        data = encode(draw(ref))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        made += 1
        if not args.quiet:
            print(f"drew {ref.path} ({ref.kind}, {len(data) // 1024} KB)")
    verb = "would draw" if args.dry_run else "drew"
    print(f"{len(refs)} referenced images: {verb} {made}, {skipped} already present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
