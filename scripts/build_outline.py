"""Build the offline map outline (src/harmwatch/web/static/ukraine.geojson) from npm `world-atlas`.

world-atlas (ISC licence; data: Natural Earth, public domain) ships TopoJSON. This script decodes
the TopoJSON arcs itself (no extra dependency), keeps Ukraine (ISO 3166-1 numeric 804) and its
neighbours (for context, clipped to nothing: whole outlines), rounds coordinates to 3 decimals
(about 100 m, plenty for an outline) and writes GeoJSON. Run once; commit the result:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/build_outline.py package/countries-50m.json
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/harmwatch/web/static/ukraine.geojson"
UKRAINE = "804"
NEIGHBOURS = {"616": "Poland", "112": "Belarus", "703": "Slovakia", "348": "Hungary", "642": "Romania",
              "498": "Moldova"}  # Russia left out: its outline is large and the tile-less map needs little


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:  # delta-encoded, quantized
            x += dx
            y += dy
            pts.append((round(x * sx + tx, 3), round(y * sy + ty, 3)))
        arcs.append(pts)
    return arcs


def ring(indexes: list[int], arcs) -> list[list[float]]:
    pts: list[tuple[float, float]] = []
    for i in indexes:
        a = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        pts.extend(a if not pts else a[1:])
    return [list(p) for p in pts]


def geometry(g: dict, arcs) -> dict:
    if g["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r, arcs) for r in g["arcs"]]}
    if g["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[ring(r, arcs) for r in poly] for poly in g["arcs"]]}
    raise ValueError(g["type"])


def main(path: str) -> None:
    topo = json.loads(Path(path).read_text())
    arcs = decode_arcs(topo)
    feats = []
    for g in topo["objects"]["countries"]["geometries"]:
        gid = str(g.get("id"))
        if gid == UKRAINE or gid in NEIGHBOURS:
            feats.append({"type": "Feature", "properties": {"name": g["properties"]["name"], "iso_n3": gid,
                                                            "main": gid == UKRAINE},
                          "geometry": geometry(g, arcs)})
    feats.sort(key=lambda f: not f["properties"]["main"])
    out = {"type": "FeatureCollection",
           "source": "npm world-atlas@2.0.2 countries-50m.json (ISC); Natural Earth 1:50m admin 0 (public domain)",
           "features": feats}
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"{OUT}: {len(feats)} features, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package/countries-50m.json")
