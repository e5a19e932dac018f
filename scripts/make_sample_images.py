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
ignored). For each referenced file that is missing, a picture is drawn whose
composition and palette are chosen by a random generator seeded from the path,
so the same path always gives the same picture:

* top images (``Image:``): 1600x900 -- landscapes (gradient sky, horizon,
  hills, city skylines, port cranes, ships) or abstract maps with coastlines;
  with ``Image_Kind: image`` a bar or line chart or a map;
* inline figures (body images): 1200x800, any of the above;
* author photos (``Photo:`` or ``images/authors/``): 480x480 soft portrait
  silhouettes.

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
BODY_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s\"'>]+)>?")


@dataclass(frozen=True)
class Ref:
    """One referenced image: its path under content/ and what to draw."""

    path: str  # relative to content/, forward slashes
    kind: str  # "top", "top-image", "figure", "portrait"
    source: str  # the Markdown file that refers to it (for messages)


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

    def add(target: str, kind: str, source: Path) -> None:
        rel = normalise(target)
        if not rel or not rel.lower().endswith((".jpg", ".jpeg")):
            return
        if rel.startswith("images/authors/"):
            kind = "portrait"
        refs.setdefault(rel, Ref(rel, kind, str(source.relative_to(content.parent))))

    for md in sorted(content.rglob("*.md")):
        header, body = parse_markdown(md)
        if header.get("image"):
            kind = "top-image" if header.get("image_kind", "").lower() == "image" else "top"
            add(header["image"], kind, md)
        if header.get("photo"):
            add(header["photo"], "portrait", md)
        for m in BODY_IMAGE.finditer(body):
            if normalise(m.group(1)) and normalise(m.group(1)).startswith("images/"):
                add(m.group(1), "figure", md)
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


SKIES = [
    # (top, horizon) -- dawn, dusk, overcast, haze, blue hour, desert noon
    ((58, 74, 104), (222, 178, 140)),
    ((42, 46, 72), (196, 120, 92)),
    ((120, 128, 136), (196, 196, 190)),
    ((150, 160, 168), (224, 214, 192)),
    ((30, 44, 70), (98, 120, 150)),
    ((112, 150, 186), (226, 222, 206)),
    ((84, 96, 110), (210, 170, 120)),
]


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
def draw_landscape(rng: random.Random, size) -> Image.Image:
    w, h = size
    top, horizon_col = rng.choice(SKIES)
    top, horizon_col = mute(top, 0.15), mute(horizon_col, 0.2)
    img = vertical_gradient(size, top, horizon_col, curve=rng.uniform(0.7, 1.4))
    d = ImageDraw.Draw(img)
    horizon = int(h * rng.uniform(0.55, 0.72))

    # Low sun or moon, blurred into the haze.
    if rng.random() < 0.6:
        glow = Image.new("L", size, 0)
        gd = ImageDraw.Draw(glow)
        sx, sy, r = rng.uniform(0.15, 0.85) * w, horizon - rng.uniform(0.05, 0.3) * h, h * 0.05
        gd.ellipse([sx - r, sy - r, sx + r, sy + r], fill=210)
        glow = glow.filter(ImageFilter.GaussianBlur(h * 0.04))
        img.paste(mix(horizon_col, (255, 240, 215), 0.6), mask=glow)

    # Distant hill ranges, lighter the further away (aerial perspective).
    layers = rng.randint(2, 4)
    dark = mute(hsv(rng.uniform(0.55, 0.7), 0.25, 0.22), 0.1)
    for k in range(layers):
        t = (k + 1) / (layers + 1)
        col = mix(horizon_col, dark, 0.25 + 0.55 * t)
        base = horizon - h * (0.12 - 0.1 * t)
        line = ridge(rng, w, base, h * rng.uniform(0.03, 0.09) * (1.2 - t))
        d.polygon(line + [(w, h), (0, h)], fill=col)

    ground = mix(horizon_col, dark, 0.85)
    scene = rng.choice(["city", "port", "sea", "plain"])
    water = scene in ("port", "sea")
    if water:
        wcol_top = mix(horizon_col, dark, 0.35)
        wimg = vertical_gradient((w, h - horizon), wcol_top, mix(wcol_top, dark, 0.7))
        img.paste(wimg, (0, horizon))
        d = ImageDraw.Draw(img)
        for _ in range(rng.randint(30, 60)):  # glints on the water
            y = rng.uniform(horizon + 4, h)
            x = rng.uniform(0, w)
            ln = rng.uniform(20, 120) * (y - horizon) / (h - horizon + 1)
            d.line([(x, y), (x + ln, y)], fill=mix(wcol_top, horizon_col, 0.5), width=1)
    else:
        d.rectangle([0, horizon, w, h], fill=ground)

    if scene == "city":
        x = rng.uniform(-20, 0)
        while x < w:
            bw = rng.uniform(w * 0.02, w * 0.07)
            bh = rng.uniform(h * 0.05, h * 0.32) * (1.3 if rng.random() < 0.1 else 1)
            col = mix(ground, horizon_col, rng.uniform(0.0, 0.18))
            d.rectangle([x, horizon - bh, x + bw, horizon + 2], fill=col)
            if rng.random() < 0.2:  # antenna
                d.line(
                    [(x + bw / 2, horizon - bh), (x + bw / 2, horizon - bh - h * 0.05)],
                    fill=col,
                    width=2,
                )
            if rng.random() < 0.5:  # lit windows
                lit = mix(col, (236, 204, 140), 0.55)
                for wy in range(int(horizon - bh + 8), int(horizon - 6), 14):
                    for wx in range(int(x + 5), int(x + bw - 6), 11):
                        if rng.random() < 0.18:
                            d.rectangle([wx, wy, wx + 4, wy + 6], fill=lit)
            x += bw + rng.uniform(0, w * 0.01)
    elif scene == "port":
        quay = horizon + h * 0.02
        d.rectangle([0, horizon - h * 0.01, w, quay], fill=ground)
        for _ in range(rng.randint(2, 5)):  # gantry cranes
            cx = rng.uniform(0.05, 0.9) * w
            ch = rng.uniform(0.18, 0.32) * h
            leg = ch * 0.35
            col = mix(ground, horizon_col, 0.08)
            d.line([(cx, quay), (cx + leg * 0.2, horizon - ch)], fill=col, width=6)
            d.line([(cx + leg, quay), (cx + leg * 0.8, horizon - ch)], fill=col, width=6)
            d.line(
                [(cx - leg * 1.4, horizon - ch), (cx + leg * 2.2, horizon - ch)], fill=col, width=8
            )
            d.line(
                [(cx + leg * 0.5, horizon - ch * 1.25), (cx - leg * 1.4, horizon - ch)],
                fill=col,
                width=3,
            )
            d.line(
                [(cx + leg * 0.5, horizon - ch * 1.25), (cx + leg * 2.2, horizon - ch)],
                fill=col,
                width=3,
            )
        for _ in range(rng.randint(15, 40)):  # stacked containers
            bx = rng.uniform(0, w)
            by = horizon - rng.randint(1, 4) * h * 0.018
            ccol = mute(hsv(rng.choice([0.0, 0.05, 0.55, 0.6, 0.33]), 0.45, 0.45), 0.4)
            d.rectangle([bx, by, bx + w * 0.03, horizon], fill=ccol)
        draw_ship(d, rng, w, h, horizon + h * rng.uniform(0.1, 0.2), ground)
    elif scene == "sea":
        for _ in range(rng.randint(1, 3)):
            draw_ship(d, rng, w, h, horizon + h * rng.uniform(0.0, 0.15), ground)
    else:  # plain: pylons, a road, a lone tree line
        for i in range(rng.randint(3, 6)):
            px_ = w * (0.1 + i * rng.uniform(0.14, 0.22))
            ph = h * rng.uniform(0.12, 0.22) * (1 - i * 0.1)
            col = mix(ground, horizon_col, 0.1 + i * 0.06)
            d.line([(px_ - ph * 0.15, horizon + 4), (px_, horizon - ph)], fill=col, width=3)
            d.line([(px_ + ph * 0.15, horizon + 4), (px_, horizon - ph)], fill=col, width=3)
            d.line(
                [(px_ - ph * 0.2, horizon - ph * 0.8), (px_ + ph * 0.2, horizon - ph * 0.8)],
                fill=col,
                width=3,
            )
        line = ridge(rng, w, horizon + 2, h * 0.01, roughness=0.8)
        d.polygon(line + [(w, horizon + 12), (0, horizon + 12)], fill=mix(ground, dark, 0.3))
        d.polygon(
            [(w * 0.45, h), (w * 0.55, h), (w * 0.505, horizon + 8), (w * 0.495, horizon + 8)],
            fill=mix(ground, horizon_col, 0.25),
        )

    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.6)))
    return vignette(img, rng.uniform(0.25, 0.45))


def draw_ship(d, rng, w, h, y, col):
    length = w * rng.uniform(0.12, 0.3)
    x = rng.uniform(0, w - length)
    hull = h * 0.025 * (length / (w * 0.2))
    d.polygon(
        [(x, y - hull), (x + length, y - hull), (x + length * 0.96, y), (x + length * 0.04, y)],
        fill=col,
    )
    d.rectangle([x + length * 0.75, y - hull * 3, x + length * 0.9, y - hull], fill=col)
    for i in range(int(length // (w * 0.02))):  # containers on deck
        if rng.random() < 0.7:
            bx = x + length * 0.08 + i * w * 0.02
            if bx > x + length * 0.72:
                break
            d.rectangle([bx, y - hull * rng.uniform(1.6, 2.4), bx + w * 0.018, y - hull], fill=col)


def draw_map(rng: random.Random, size) -> Image.Image:
    w, h = size
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

    # A highlighted area (the story's country or zone), hatched.
    accent = (155, 28, 28)
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
    ink = (40, 40, 44) if not dark_theme else (230, 226, 216)
    for x, y in cities:
        d.ellipse([x - 6, y - 6, x + 6, y + 6], fill=ink, outline=sea, width=2)
    return img.filter(ImageFilter.GaussianBlur(0.6))


def draw_chart(rng: random.Random, size) -> Image.Image:
    w, h = size
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

    if rng.random() < 0.5:  # bar chart, one or two series
        n = rng.randint(6, 14)
        two = rng.random() < 0.4
        slot = (right - left) / n
        level = rng.uniform(0.3, 0.6)
        for i in range(n):
            level = min(0.95, max(0.08, level + rng.uniform(-0.15, 0.18)))
            bw = slot * (0.35 if two else 0.6)
            x = left + slot * i + slot * 0.2
            d.rectangle(
                [x, bottom - (bottom - top) * level, x + bw, bottom],
                fill=accent if i == n - 1 else second,
            )
            if two:
                l2 = max(0.05, level * rng.uniform(0.5, 1.1))
                d.rectangle(
                    [x + bw + 4, bottom - (bottom - top) * l2, x + 2 * bw + 4, bottom],
                    fill=mix(second, paper, 0.5),
                )
            d.rectangle([x, bottom + 12, x + bw, bottom + 20], fill=faint)
    else:  # line chart, two or three series
        n = rng.randint(24, 60)
        for s in range(rng.randint(2, 3)):
            col = [accent, second, mix(ink, paper, 0.4)][s]
            level, pts = rng.uniform(0.2, 0.8), []
            trend = rng.uniform(-0.01, 0.012)
            for i in range(n):
                level = min(0.97, max(0.03, level + trend + rng.uniform(-0.05, 0.05)))
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
# Driver
# --------------------------------------------------------------------------
def draw(ref: Ref) -> Image.Image:
    seed = int.from_bytes(hashlib.sha256(ref.path.encode("utf-8")).digest()[:8], "big")
    rng = random.Random(seed)
    if ref.kind == "portrait":
        return draw_portrait(rng, PORTRAIT_SIZE)
    if ref.kind == "top-image":
        maker = draw_chart if rng.random() < 0.7 else draw_map
        return maker(rng, TOP_SIZE)
    if ref.kind == "top":
        maker = draw_landscape if rng.random() < 0.8 else draw_map
        return maker(rng, TOP_SIZE)
    roll = rng.random()
    maker = draw_landscape if roll < 0.55 else draw_map if roll < 0.78 else draw_chart
    return maker(rng, FIGURE_SIZE)


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
