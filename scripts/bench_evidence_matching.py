"""Measure recycled-media matching (evidence/phash.py) on synthetic street photos (tests/evidence_scenes.py).

    .venv/bin/python scripts/bench_evidence_matching.py [--streets 20]

Prints, per crop size, how many recycled copies are found (crop on each of six sides, each with three
resize/recompression settings) and, for photos that must NOT match, the false-positive count: other
photos of the same street (other framing and light) and photos of other streets. docs/evidence.md
quotes its output.
"""
from __future__ import annotations

import argparse
import io
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from PIL import Image  # noqa: E402

from evidence_scenes import jpeg, photo, recycled  # noqa: E402
from harmwatch.evidence.phash import MATCH_BITS, distance, fingerprint  # noqa: E402

SIDES = ("left", "right", "top", "bottom", "centre", "corner")
SETTINGS = ((1.0, 85), (0.6, 60), (0.35, 50))  # (scale, JPEG quality)
OTHER_VIEWS = ((0.35, 1.15), (0.45, 0.85), (0.6, 0.9), (0.8, 1.0))  # (position, light) of the second photo


def fp(raw: bytes):
    return fingerprint(Image.open(io.BytesIO(raw)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--streets", type=int, default=20)
    n = ap.parse_args().streets
    t0 = time.perf_counter()
    originals = {s: photo(s, 0.2, 1.0, 0) for s in range(n)}
    prints = {s: fp(jpeg(im)) for s, im in originals.items()}
    per_image = (time.perf_counter() - t0) / n
    print(f"threshold {MATCH_BITS} of 64 bits; {n} streets; {per_image * 1000:.0f} ms per image (draw + fingerprint)")
    for crop in (0.0, 0.05, 0.10, 0.15, 0.20):
        d = [distance(prints[s], fp(recycled(im, crop, side, scale, q)))
             for s, im in originals.items() for side in SIDES for scale, q in SETTINGS]
        found = sum(x <= MATCH_BITS for x in d)
        print(f"recycled, crop {crop:.0%}: found {found}/{len(d)} ({found / len(d):.1%}); distance max {max(d)}, "
              f"median {sorted(d)[len(d) // 2]}")
    same = [distance(prints[s], fp(jpeg(photo(s, pos, light, 1)))) for s in originals for pos, light in OTHER_VIEWS]
    fps = sum(x <= MATCH_BITS for x in same)
    print(f"other photo of the same street: false positives {fps}/{len(same)}; distance min {min(same)}")
    other = [distance(prints[a], prints[b]) for a, b in itertools.combinations(prints, 2)]
    fpo = sum(x <= MATCH_BITS for x in other)
    print(f"photos of different streets: false positives {fpo}/{len(other)}; distance min {min(other)}")
    near = [distance(prints[s], fp(jpeg(photo(s, 0.2 + shift, 1.0, 2)))) for s in originals for shift in (0.03, 0.07)]
    print(f"same street, camera moved 4-10 % of the frame: matched {sum(x <= MATCH_BITS for x in near)}/{len(near)} "
          f"(distance min {min(near)}, max {max(near)})")


if __name__ == "__main__":
    main()
