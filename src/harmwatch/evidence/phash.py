"""Perceptual fingerprints and recycled-media matching.

A plain pHash of the whole image survives resizing and recompression but not cropping: a 10 % crop
moves every low-frequency coefficient. So a fingerprint holds the pHash *and* dHash (64 bits each) of
45 windows of the image: the whole image, 95, 90, 85 and 80 % windows at 9 positions (corners,
edge middles, centre), and 95 and 90 % strips cut from each side. Two images match when the *whole* of either
one is within `MATCH_BITS` of some window of the other, in both hashes at once (the larger of the
two Hamming distances counts). A crop of up to about 10 % of an image is then close to one of the
stored windows of the original. Measured figures are in docs/evidence.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import imagehash
from PIL import Image

SCALES = (0.95, 0.9, 0.85, 0.8)  # windows at 9 positions each
STRIPS = (0.95, 0.9)  # strips cut from one side
MATCH_BITS = 10  # recycled copies (<= 10 % crop) measured at <= 7, other photos of a street at >= 18 (docs/evidence.md)


def _windows(img: Image.Image) -> list[tuple[str, Image.Image]]:
    w, h = img.size
    out = [("full", img)]
    for s in SCALES:
        cw, ch = max(1, int(w * s)), max(1, int(h * s))
        for fx in (0.0, 0.5, 1.0):
            for fy in (0.0, 0.5, 1.0):
                x0, y0 = int((w - cw) * fx), int((h - ch) * fy)
                out.append((f"{s:g}@{fx:g},{fy:g}", img.crop((x0, y0, x0 + cw, y0 + ch))))
    for s in STRIPS:
        cw, ch = max(1, int(w * s)), max(1, int(h * s))
        for f in (0.0, 1.0):
            x0, y0 = int((w - cw) * f), int((h - ch) * f)
            out.append((f"w{s:g}@{f:g}", img.crop((x0, 0, x0 + cw, h))))
            out.append((f"h{s:g}@{f:g}", img.crop((0, y0, w, y0 + ch))))
    return out


@dataclass(frozen=True)
class Fingerprint:
    """pHash and dHash (hex) of each window; windows[0] is the whole image."""

    windows: tuple[tuple[str, str, str], ...]  # (window name, phash hex, dhash hex)

    @property
    def phash(self) -> str:
        """The plain pHash of the whole image."""
        return self.windows[0][1]

    def to_json(self) -> list[list[str]]:
        return [list(w) for w in self.windows]

    @classmethod
    def from_json(cls, data) -> "Fingerprint":  # noqa: ANN001
        return cls(tuple((str(n), str(p), str(d)) for n, p, d in data))


def fingerprint(img: Image.Image) -> Fingerprint:
    img = img.convert("RGB")
    return Fingerprint(tuple((name, str(imagehash.phash(part)), str(imagehash.dhash(part)))
                             for name, part in _windows(img)))


def _bits(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def distance(a: Fingerprint, b: Fingerprint) -> int:
    """The smallest distance between the whole of one image and any window of the other (0-64)."""
    best = 64
    for whole, other in ((a.windows[0], b.windows), (b.windows[0], a.windows)):
        for _, p, d in other:
            best = min(best, max(_bits(whole[1], p), _bits(whole[2], d)))
    return best


def matches(a: Fingerprint, b: Fingerprint, bits: int = MATCH_BITS) -> bool:
    return distance(a, b) <= bits
