"""Synthetic "street" photographs for the evidence tests (drawn with Pillow; no third-party photos).

A street is a seeded panorama: sky, a row of buildings of varying height, colour and window grids, a
road with lane marks, lamp posts and parked cars, plus sensor-like noise. A *photo* of it is a window
onto the panorama at some horizontal position, under some light (sky colour, brightness), with its
own noise, so two photos of the same street share buildings but differ in framing and light, as two
people's photos of one street do.
"""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

PANORAMA = (2400, 600)


def street(seed: int) -> Image.Image:
    """The panorama of street number `seed`."""
    rnd = random.Random(seed)
    w, h = PANORAMA
    img = Image.new("RGB", (w, h), (135, 175, 220))
    d = ImageDraw.Draw(img)
    horizon = int(h * rnd.uniform(0.55, 0.7))
    x = 0
    while x < w:
        bw = rnd.randint(90, 260)
        top = rnd.randint(int(h * 0.08), horizon - 60)
        colour = tuple(rnd.randint(60, 210) for _ in range(3))
        d.rectangle([x, top, x + bw, horizon], fill=colour, outline=(40, 40, 40))
        win = tuple(max(0, c - rnd.randint(40, 90)) for c in colour)
        ww, wh = rnd.randint(10, 22), rnd.randint(14, 26)
        for wy in range(top + 12, horizon - 30, wh + rnd.randint(8, 16)):
            for wx in range(x + 10, x + bw - ww - 5, ww + rnd.randint(8, 16)):
                if rnd.random() < 0.85:
                    d.rectangle([wx, wy, wx + ww, wy + wh], fill=win if rnd.random() < 0.7 else (230, 220, 150))
        if rnd.random() < 0.4:  # a damaged facade: a dark irregular hole
            cx, cy = x + bw // 2, rnd.randint(top + 20, horizon - 40)
            pts = [(cx + rnd.randint(-40, 40), cy + rnd.randint(-30, 30)) for _ in range(7)]
            d.polygon(pts, fill=(25, 22, 20))
        x += bw + rnd.randint(0, 30)
    d.rectangle([0, horizon, w, h], fill=(70, 70, 75))
    for lx in range(rnd.randint(0, 60), w, 120):
        d.rectangle([lx, horizon + (h - horizon) // 2 - 3, lx + 60, horizon + (h - horizon) // 2 + 3],
                    fill=(225, 225, 225))
    for px in range(rnd.randint(0, 200), w, rnd.randint(250, 400)):  # lamp posts
        d.rectangle([px, horizon - 150, px + 6, horizon + 10], fill=(30, 30, 30))
        d.ellipse([px - 10, horizon - 160, px + 16, horizon - 144], fill=(250, 240, 200))
    for _ in range(rnd.randint(5, 10)):  # parked cars
        cx = rnd.randint(0, w - 120)
        colour = tuple(rnd.randint(0, 255) for _ in range(3))
        cy = horizon + rnd.randint(5, 25)
        d.rounded_rectangle([cx, cy, cx + 110, cy + 40], radius=10, fill=colour)
        d.ellipse([cx + 10, cy + 30, cx + 35, cy + 55], fill=(15, 15, 15))
        d.ellipse([cx + 75, cy + 30, cx + 100, cy + 55], fill=(15, 15, 15))
    return img


def _noise(img: Image.Image, seed: int, amount: int = 18) -> Image.Image:
    rnd = random.Random(seed)
    noise = Image.effect_noise(img.size, amount).convert("RGB")
    mix = Image.blend(img, noise, 0.08 + rnd.random() * 0.04)
    return mix.filter(ImageFilter.GaussianBlur(0.6))


def photo(seed: int, position: float = 0.2, light: float = 1.0, shot: int = 0, size=(960, 600)) -> Image.Image:
    """A photo of street `seed`: the window starting at `position` (0..1 of the free width) under `light`."""
    pano = street(seed)
    x0 = int((PANORAMA[0] - size[0]) * position)
    img = pano.crop((x0, 0, x0 + size[0], size[1]))
    img = ImageEnhance.Brightness(img).enhance(light)
    return _noise(img, seed * 1000 + shot)


def jpeg(img: Image.Image, quality: int = 92, exif: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    kw = {"exif": exif} if exif else {}
    img.save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


def recycled(img: Image.Image, crop: float = 0.10, side: str = "left", scale: float = 0.6, quality: int = 60) -> bytes:
    """The photo as a re-poster passes it on: `crop` of its width (and height) cut away at `side`,
    resized to `scale`, recompressed as JPEG at `quality`."""
    w, h = img.size
    cw, ch = int(w * crop), int(h * crop)
    box = {"left": (cw, 0, w, h), "right": (0, 0, w - cw, h), "top": (0, ch, w, h), "bottom": (0, 0, w, h - ch),
           "centre": (cw // 2, ch // 2, w - cw // 2, h - ch // 2),
           "corner": (cw, ch, w, h)}[side]
    out = img.crop(box)
    out = out.resize((max(1, int(out.width * scale)), max(1, int(out.height * scale))), Image.LANCZOS)
    return jpeg(out, quality)
