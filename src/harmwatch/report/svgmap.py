"""A small offline map for the dossier: an inline SVG of Ukraine's outline and oblast borders from the
bundled web/static/ukraine.geojson (Natural Earth, the outline the web app's maps draw), with the
incident's point. Nothing is fetched: the SVG is text inside the report.

The projection is equirectangular with the longitude scaled by cos(mid-latitude), which is close
enough over Ukraine's 8 degrees of latitude for a locator map. An approximate point (a hromada or
raion centre, geo_precision > 1) is drawn hollow and dashed, as on the web maps.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

OUTLINE = Path(__file__).resolve().parent.parent / "web" / "static" / "ukraine.geojson"
WIDTH = 480  # px of the SVG's viewBox; the height follows Ukraine's extent
PAD = 8


@dataclass(frozen=True)
class _Frame:
    west: float
    south: float
    east: float
    north: float

    @property
    def kx(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def scale(self) -> float:
        return (WIDTH - 2 * PAD) / ((self.east - self.west) * self.kx)

    @property
    def height(self) -> float:
        return (self.north - self.south) * self.scale + 2 * PAD

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (PAD + (lon - self.west) * self.kx * self.scale, PAD + (self.north - lat) * self.scale)


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


@lru_cache(maxsize=1)
def _base() -> tuple[_Frame, str]:
    """The frame around Ukraine and the SVG paths of the country and its oblasts (read once)."""
    g = json.loads(OUTLINE.read_text(encoding="utf-8"))
    country = [f for f in g["features"] if f["properties"].get("kind") == "country"]
    oblasts = [f for f in g["features"] if f["properties"].get("kind") == "oblast"]
    pts = [p for f in country for ring in _rings(f["geometry"]) for p in ring]
    frame = _Frame(min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))

    def path(f: dict) -> str:
        parts = []
        for ring in _rings(f["geometry"]):
            xy = [frame.xy(lon, lat) for lon, lat in ring[:: max(1, len(ring) // 400)]]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
        return "".join(parts)

    body = "".join(f'<path class="land" d="{path(f)}"/>' for f in country)
    body += "".join(f'<path class="oblast" d="{path(f)}"/>' for f in oblasts)
    body += "".join(f'<path class="border" d="{path(f)}"/>' for f in country)
    return frame, body


def incident_map(lat: float | None, lon: float | None, approximate: bool = False) -> str | None:
    """The SVG (a string of markup made here, never from source text) with the point at (lat, lon);
    None when the incident has no point."""
    if lat is None or lon is None:
        return None
    frame, body = _base()
    x, y = frame.xy(float(lon), float(lat))
    dash = ' stroke-dasharray="3 3" fill="none"' if approximate else ' fill="#b2182b" fill-opacity="0.85"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="locator" viewBox="0 0 {WIDTH} {frame.height:.0f}" '
            f'width="{WIDTH}" height="{frame.height:.0f}" role="img" aria-label="Map: the incident\'s point in Ukraine">'
            '<style>.land{fill:#fbf9f2;stroke:none}.oblast{fill:none;stroke:#7d8597;stroke-width:0.6;'
            'stroke-dasharray:3 2}.border{fill:none;stroke:#2b3a55;stroke-width:1.5}</style>'
            f'{body}<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="6" stroke="#b2182b" stroke-width="2"{dash}/>'
            '</svg>')
