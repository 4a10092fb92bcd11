"""The gazetteer file format, shared by the loader, `gazetteer load` and the build script.

``ua_places.tsv.gz``: gzip, UTF-8, tab-separated, one header line, one row per
populated place:

=============== ===============================================================
geonameid       GeoNames id; negative (``-`` + the KATOTTG digits) for a place
                known only from the KATOTTG codifier
name            English/Latin form (national transliteration where the codifier
                gives the Ukrainian name)
asciiname       ASCII form of ``name``
alternatenames  ``|``-separated Latin and Cyrillic alternate names
lat, lon        WGS84 point; empty when no source gives the place a point
feature_code    GeoNames feature code (PPL, PPLA, PPLA2, PPLC, ...)
admin1          English oblast name (see ``names.OBLASTS``)
population      GeoNames population, 0 when unknown
katottg         KATOTTG code (UA...) when the place is matched to the codifier
approx_lat/lon  for places without a point: the centre of their hromada or
                raion, used only to rank same-named candidates, never reported
source          geonames | katottg | geonames+katottg | dump | dump+katottg
=============== ===============================================================
"""
from __future__ import annotations

import gzip
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import GazetteerError
from .names import normalize, script_of

COLUMNS = ("geonameid", "name", "asciiname", "alternatenames", "lat", "lon", "feature_code", "admin1",
           "population", "katottg", "approx_lat", "approx_lon", "source")


@dataclass
class Row:
    geonameid: int
    name: str
    asciiname: str = ""
    alternatenames: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    feature_code: str = "PPL"
    admin1: str | None = None
    population: int = 0
    katottg: str = ""
    approx_lat: float | None = None
    approx_lon: float | None = None
    source: str = "geonames"
    # build/merge-time only, not written
    raion: str = ""  # four KATOTTG digits of the raion (GeoNames admin2 code for UA)
    category: str = ""  # KATOTTG category: M city, X settlement, C village, K special-status city

    def names(self) -> list[str]:
        return [self.name, self.asciiname, *self.alternatenames]

    def keys(self) -> set[str]:
        return {k for k in (normalize(n) for n in self.names() if n) if k}

    def point(self) -> tuple[float, float] | None:
        if self.lat is not None and self.lon is not None:
            return (self.lat, self.lon)
        if self.approx_lat is not None and self.approx_lon is not None:
            return (self.approx_lat, self.approx_lon)
        return None


def _f(x: float | None) -> str:
    return "" if x is None else f"{x:.5f}".rstrip("0").rstrip(".")


def _clean_field(s: str) -> str:
    return s.replace("\t", " ").replace("\n", " ").replace("|", "/")


def format_row(r: Row) -> str:
    return "\t".join((
        str(r.geonameid), _clean_field(r.name), _clean_field(r.asciiname),
        "|".join(_clean_field(a) for a in r.alternatenames), _f(r.lat), _f(r.lon), r.feature_code,
        r.admin1 or "", str(r.population), r.katottg, _f(r.approx_lat), _f(r.approx_lon), r.source,
    ))


def write_rows(path: Path, rows: Iterable[Row]) -> int:
    """Write a gazetteer file (atomically: a temporary file renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    # mtime=0 keeps the gzip bytes reproducible
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz, \
            io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as out:
        out.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            out.write(format_row(r) + "\n")
            n += 1
    tmp.replace(path)
    return n


def _opt_float(s: str) -> float | None:
    return float(s) if s else None


def read_rows(path: Path) -> Iterator[Row]:
    """Rows of a gazetteer file; GazetteerError (with the line number) if it is not one."""
    path = Path(path)
    try:
        f = gzip.open(path, "rt", encoding="utf-8", newline="\n") if path.suffix == ".gz" else \
            open(path, encoding="utf-8", newline="\n")
    except OSError as e:
        raise GazetteerError(f"cannot open gazetteer file {path}: {e.strerror or e}") from e
    with f:
        lineno = 0
        try:
            header = f.readline()
            lineno = 1
            if header.rstrip("\n").split("\t") != list(COLUMNS):
                raise GazetteerError(f"{path}: line 1: not a HarmWatch gazetteer file (unexpected header)")
            for lineno, line in enumerate(f, start=2):
                p = line.rstrip("\n").split("\t")
                if len(p) != len(COLUMNS):
                    raise GazetteerError(f"{path}: line {lineno}: expected {len(COLUMNS)} columns, found {len(p)}")
                yield Row(int(p[0]), p[1], p[2], p[3].split("|") if p[3] else [], _opt_float(p[4]),
                          _opt_float(p[5]), p[6], p[7] or None, int(p[8] or 0), p[9], _opt_float(p[10]),
                          _opt_float(p[11]), p[12])
        except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as e:
            raise GazetteerError(f"{path}: line {lineno + 1}: unreadable ({e})") from e
        except ValueError as e:
            raise GazetteerError(f"{path}: line {lineno}: malformed value ({e})") from e


# --- alternate names ---------------------------------------------------------------------------

_JUNK = re.compile(r"https?:|www\.|@|\d|[;,:!?<>{}\[\]=+*#%&/\\]")
_CODE = re.compile(r"^[A-Z]{2,4}$")  # IATA/ICAO codes and other abbreviations
_STRESS = re.compile("[\u0300\u0301]")


def clean_alternates(names: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    """Keep Latin and Cyrillic names; drop other scripts, codes, URLs and duplicates (order kept)."""
    seen = set(exclude)
    out = []
    for n in names:
        n = _STRESS.sub("", n or "").strip()
        if not n or n in seen or len(n) > 60 or len(n) < 2:
            continue
        if _JUNK.search(n) or _CODE.match(n) or script_of(n) is None:
            continue
        seen.add(n)
        out.append(n)
    return out


# --- matching codifier entries to points -------------------------------------------------------

def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def match_points(points: list[Row], codifier: list[Row], *, ambiguous: bool, taken: set[int] | None = None,
                 done: Iterable[int] = (), max_km: float = 60.0,
                 prefer: Callable[[Row, Row], tuple] | None = None) -> dict[int, int]:
    """Pair points (rows with coordinates) with codifier rows (no coordinates) of the same oblast
    and name. Returns {point index: codifier index}, one-to-one.

    With ``ambiguous=False`` only pairs that are unique after the raion filter are made; with
    ``ambiguous=True`` a point with several same-named candidates takes the one whose approximate
    position (hromada centre) is nearest, within ``max_km``. ``taken`` holds codifier indexes
    already paired (updated in place); ``done`` the point indexes already paired.
    """
    done = set(done)
    taken = set() if taken is None else taken
    index: dict[tuple[str | None, str], list[int]] = {}
    for j, c in enumerate(codifier):
        for k in c.keys():
            index.setdefault((c.admin1, k), []).append(j)
    proposals: dict[int, list[tuple[tuple, int]]] = {}
    later: list[tuple[int, list[int]]] = []
    for i, p in enumerate(points):
        if i in done:
            continue
        pk = p.keys()
        cands = sorted({j for k in pk for j in index.get((p.admin1, k), ()) if j not in taken})
        if not cands:
            continue
        if p.raion and any(codifier[j].raion for j in cands):
            # the point's raion is known: a namesake in another raion is another place (Sykhiv, a
            # district of Lviv, is not the village of Sykhiv in another raion)
            cands = [j for j in cands if codifier[j].raion == p.raion]
            if not cands:
                continue
        # a candidate whose own (Cyrillic) name is among the point's names beats a transliteration hit
        ranked = []
        for j in cands:
            c = codifier[j]
            rank = (normalize(c.name) in pk or any(normalize(a) in pk for a in c.alternatenames if script_of(a) == "cyrillic"),
                    bool(p.raion) and c.raion == p.raion)
            if prefer:
                rank = rank + prefer(p, c)
            ranked.append((rank, j))
        best_rank = max(r for r, _ in ranked)
        top = [j for r, j in ranked if r == best_rank]
        if len(top) == 1:
            proposals.setdefault(top[0], []).append(((1, p.population), i))
        elif ambiguous:
            later.append((i, top))
    out: dict[int, int] = {}
    for j, props in proposals.items():
        props.sort(reverse=True)
        out[props[0][1]] = j
        taken.add(j)
    # several same-named candidates: larger places first, each takes the nearest one still free
    # (ties, e.g. two entries of one hromada, go to the codifier order)
    later.sort(key=lambda t: -points[t[0]].population)
    for i, top in later:
        if i in out:
            continue
        pp = points[i].point()
        dist = []
        for j in top:
            cp = codifier[j].point()
            if j not in taken and pp and cp:
                dist.append((round(km(pp, cp), 1), j))
        dist.sort()
        if dist and dist[0][0] <= max_km:
            out[i] = dist[0][1]
            taken.add(dist[0][1])
    return out
