"""Offline gazetteer of Ukrainian populated places and geocoding of analysts' place strings.

The bundled data (``data/ua_places.tsv.gz``, built by ``scripts/build_gazetteer.py``; sources and
licences in ``data/SOURCES.md``) is loaded once per process. A user who has a full GeoNames dump
imports it with ``import_dump`` (``harmwatch gazetteer load FILE``); the result, merged with the
bundled data, is written under ``$HARMWATCH_HOME/gazetteer/`` and preferred from then on.

Lookups are dictionary hits on ``names.normalize`` keys. Nothing here prints or logs.
"""
from __future__ import annotations

import functools
import gc
import gzip
import io
import os
import re
import zipfile
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..errors import GazetteerError
from .names import OBLAST_BY_GEONAMES, OBLASTS, latin_variants, normalize, script_of, skeleton, translit_kmu
from .rows import Row, clean_alternates, km, match_points, read_rows, write_rows

PLACES_FILE = "ua_places.tsv.gz"
ADMIN_FILE = "ua_admin.tsv"
BORDER_FILE = "border_places.tsv"  # places of the neighbouring countries near the border (GeoNames)
# the project's table of the main settlements of Belgorod, Kursk and Bryansk oblasts (and Przewodów):
# English, Ukrainian and Russian names, each row's source; and the regions' names in the three languages
BORDER_SETTLEMENTS_FILE = "border_settlements.tsv"
BORDER_REGIONS_FILE = "border_regions.tsv"
BORDER_DUMP_PREFIX = "border_"  # user files written by import_country_dump: border_RU.tsv, ...
NEAR_KM = 150.0  # "near" points further than this do not pull a candidate
BIG_CITY = 100_000  # a city this size within NEAR_KM beats a closer same-named village


def _exempt_from_gc() -> None:
    """Move every object alive now (above all the loaded gazetteer: hundreds of thousands of
    names, places and index lists, kept for the life of the process) out of the cyclic garbage
    collector's sight. Otherwise each full collection, which a batch run triggers over and over
    while it allocates tokens and features, walks all of them again. Collected first, so no
    garbage is kept; objects frozen here are still freed by reference counting."""
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class Place:
    geonameid: int  # GeoNames id; negative for a place known only from the KATOTTG codifier
    name: str
    admin1: str | None
    lat: float | None  # None when no source gives the place a point (codifier-only villages)
    lon: float | None
    population: int
    feature_code: str
    country: str = "UA"  # ISO code; other countries only for the border places
    raion: str = ""  # the raion's KATOTTG prefix ("UA1416": Pokrovsk raion of Donetsk oblast), when the codifier gives it


@dataclass(frozen=True)
class GeocodeMatch:
    place: Place | None  # None when only an oblast (or raion) was recognised
    admin1: str | None
    lat: float | None
    lon: float | None
    score: float  # 0..1
    matched: str  # the text that matched
    candidates: int = 1  # how many places the name could be (after an oblast given in the string)
    # "point" the place's own point; "approximate" its hromada (else raion) centre, for a village
    # the gazetteer has no point for; "city" a city district placed at its city; "raion", "oblast"
    precision: str = "point"
    country: str = "UA"
    ambiguous: bool = False  # a bare name with several namesakes and none dominant: a guess

    def to_dict(self) -> dict:
        p = self.place
        return {"name": p.name if p else None, "admin1": self.admin1, "lat": self.lat, "lon": self.lon,
                "geonameid": p.geonameid if p else None, "population": p.population if p else None,
                "score": round(self.score, 3), "matched": self.matched, "candidates": self.candidates,
                "ambiguous": self.ambiguous, "precision": self.precision, "country": self.country}


# --- where the data lives ----------------------------------------------------------------------

def bundled_path() -> Path:
    return _bundled_path()


@functools.lru_cache(maxsize=1)
def _bundled_path() -> Path:
    # the package's data folder does not move while the process runs; looking it up costs
    # more than the rest of Gazetteer.default(), which the writer calls for every document
    return Path(str(resources.files("harmwatch.geo") / "data" / PLACES_FILE))


def _bundled_admin_path() -> Path:
    return Path(str(resources.files("harmwatch.geo") / "data" / ADMIN_FILE))


def _bundled_border_path() -> Path:
    return Path(str(resources.files("harmwatch.geo") / "data" / BORDER_FILE))


def _bundled_data(name: str) -> Path:
    return Path(str(resources.files("harmwatch.geo") / "data" / name))


def user_dir() -> Path:
    """``$HARMWATCH_HOME/gazetteer`` (default ``~/.local/share/harmwatch/gazetteer``)."""
    from ..settings import HOME
    # keyed on what the folder is made of (the setting and the home directory), so a changed
    # environment is seen at once while the path arithmetic runs once
    return _user_dir(HOME.value(), os.environ.get("HOME"))


@functools.lru_cache(maxsize=8)
def _user_dir(home: str | None, _user_home: str | None) -> Path:
    return (Path(home).expanduser() if home else Path.home() / ".local" / "share" / "harmwatch") / "gazetteer"


def user_path() -> Path:
    return user_dir() / PLACES_FILE


# --- affixes analysts write around place names --------------------------------------------------

def _phrases(*items: str) -> list[tuple[str, ...]]:
    out = [tuple(normalize(i).split()) for i in items]
    return sorted(set(out), key=len, reverse=True)


_PREFIXES = _phrases(
    "on the outskirts of", "the outskirts of", "outskirts of", "outskirts", "in the vicinity of", "vicinity of",
    "near", "nearby", "close to", "around", "outside", "outside of", "in", "at", "of", "the", "from", "to",
    "the village of", "village of", "village", "vil", "v", "s", "the town of", "town of", "town", "the city of",
    "city of", "city", "m", "the settlement of", "settlement of", "settlement", "the urban-type settlement of",
    "urban-type settlement of", "urban-type settlement", "urban type settlement", "smt", "selo", "misto",
    "selyshche", "hamlet of", "the hamlet of", "suburb of", "the suburb of", "centre of", "center of",
    "downtown", "central", "село", "селище", "смт", "місто", "м", "с", "пгт", "г", "поблизу", "біля", "під",
    "в", "у", "околиці", "на околиці", "неподалік", "поселок", "деревня", "город", "около", "возле",
)
_SUFFIXES = _phrases(
    "city", "town", "village", "settlement", "urban-type settlement", "hromada", "community",
    "territorial community", "city council", "city hromada", "village council", "area", "outskirts",
    "suburbs", "downtown", "center", "centre", "місто", "село", "селище", "громада", "territorial hromada",
)
_DISTRICT = _phrases("district", "raion", "rayon", "region district", "район", "р н", "р-н", "municipality")
_REGION = _phrases("oblast", "oblasti", "oblast s", "obl", "region", "regions", "province", "область",
                   "області", "обл", "oblast region", "administrative region")
_LEADING_REGION = _phrases("oblast of", "region of", "province of", "the region of", "the oblast of")


def _strip(tokens: list[str], phrases: list[tuple[str, ...]], *, end: bool) -> tuple[list[str], bool]:
    for ph in phrases:
        n = len(ph)
        if n < len(tokens) and (tuple(tokens[-n:]) if end else tuple(tokens[:n])) == ph:
            return (tokens[:-n] if end else tokens[n:]), True
    return tokens, False


def _parse(text: str) -> tuple[list[str], str]:
    """Normalised core tokens and what kind of unit the text names ('place', 'district', 'region')."""
    toks = normalize(text).split()
    kind = "place"
    changed = True
    while changed and toks:
        changed = False
        toks, hit = _strip(toks, _LEADING_REGION, end=False)
        if hit:
            kind, changed = "region", True
            continue
        toks, hit = _strip(toks, _PREFIXES, end=False)
        changed = changed or hit
        toks, hit = _strip(toks, _REGION, end=True)
        if hit:
            kind, changed = "region", True
        toks, hit = _strip(toks, _DISTRICT, end=True)
        if hit:
            kind, changed = ("district" if kind == "place" else kind), True
        toks, hit = _strip(toks, _SUFFIXES, end=True)
        changed = changed or hit
    return toks, kind


# --- the gazetteer -----------------------------------------------------------------------------

class Gazetteer:
    """Ukrainian populated places, oblasts and raions, indexed by normalised name."""

    _cache: dict[str, "Gazetteer"] = {}

    def __init__(self, rows: Iterable[Row], admin_path: Path | None = None):
        self._rows: list[Row] = list(rows)
        self.path: Path | None = None  # the places file read, when read from one
        self._build()
        self._load_admin(admin_path if admin_path is not None else _bundled_admin_path())
        self._load_foreign(_bundled_border_path())
        self._load_border_regions(_bundled_data(BORDER_REGIONS_FILE))
        self._load_border_settlements(_bundled_data(BORDER_SETTLEMENTS_FILE))
        for extra in sorted(user_dir().glob(f"{BORDER_DUMP_PREFIX}*.tsv")) if user_dir().is_dir() else ():
            self._load_foreign(extra, reset=False)

    # construction ------------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | Path, admin_path: Path | None = None) -> "Gazetteer":
        path = Path(path)
        if not path.exists():
            raise GazetteerError(f"gazetteer file not found: {path}")
        gaz = cls(read_rows(path), admin_path)
        gaz.path = path
        return gaz

    @classmethod
    def default(cls) -> "Gazetteer":
        """The user's imported gazetteer if there is one, else the bundled data; cached per process."""
        up = user_path()
        path = up if up.exists() else bundled_path()
        key = f"{path}:{path.stat().st_mtime_ns if path.exists() else 0}"
        gaz = cls._cache.get(key)
        if gaz is None:
            if not path.exists():
                raise GazetteerError(f"the bundled gazetteer is missing ({path}); reinstall harmwatch "
                                     "or rebuild it with scripts/build_gazetteer.py")
            gaz = cls.from_file(path)
            cls._cache.clear()
            cls._cache[key] = gaz
            _exempt_from_gc()
        return gaz

    def _build(self) -> None:
        places: list[Place] = []
        approx: dict[int, tuple[float, float]] = {}
        index: dict[str, list[Place]] = {}
        for r in self._rows:
            p = Place(r.geonameid, r.name, r.admin1, r.lat, r.lon, r.population, r.feature_code,
                      raion=r.katottg[:6] if len(r.katottg) >= 6 else "")
            places.append(p)
            if r.lat is None and r.approx_lat is not None and r.approx_lon is not None:
                approx[r.geonameid] = (r.approx_lat, r.approx_lon)
            for k in {normalize(n) for n in (r.name, r.asciiname, *r.alternatenames) if n}:
                if k:
                    index.setdefault(k, []).append(p)
        for lst in index.values():
            if len(lst) > 1:
                lst.sort(key=_rank)
        self._places, self._approx, self._index = places, approx, index
        self._sk: tuple[dict[str, list[Place]], dict[str, list[str]]] | None = None  # built on first use

    def _load_admin(self, path: Path) -> None:
        self._oblast_alias: dict[str, str] = {}
        self._centroid: dict[str, tuple[float, float]] = {}
        # name -> (oblast, centre point, KATOTTG prefix) of each raion of that name
        self._raion: dict[str, list[tuple[str, tuple[float, float] | None, str]]] = {}
        for o in OBLASTS:
            for a in (o.name, o.uk, *o.aliases):
                k = normalize(a)
                if k and k not in self._oblast_alias:
                    self._oblast_alias[k] = o.name
            self._oblast_alias.setdefault(normalize(o.iso), o.name)
        self._oblast_alias["kyiv city"] = "Kyiv City"  # before "kyiv" (the oblast) is tried
        if path.exists():
            with open(path, encoding="utf-8") as f:
                next(f, None)
                for line in f:
                    kind, code, admin1, name, names, lat, lon = line.rstrip("\n").split("\t")
                    pt = (float(lat), float(lon)) if lat and lon else None
                    if kind == "oblast" and pt:
                        self._centroid[admin1] = pt
                    elif kind == "raion":
                        for n in {name, *names.split("|")}:
                            k = normalize(n)
                            if k:
                                self._raion.setdefault(k, []).append((admin1, pt, code[:6]))
        for o in OBLASTS:  # no admin file: the capital's point from the places themselves
            if o.name not in self._centroid:
                c = [p for p in self._index.get(normalize(o.capital), ()) if p.lat is not None
                     and p.admin1 in (o.name, "Kyiv City")]
                if c:
                    self._centroid[o.name] = (c[0].lat, c[0].lon)

    def _load_foreign(self, path: Path, reset: bool = True) -> None:
        """Places across the border (Russia, Belarus, Poland, Moldova, Romania) for cross-border
        strikes. Kept apart from the Ukrainian index: ``geocode`` looks there when the string names
        no Ukrainian place or names the country or region ("Shebekino, Belgorod region"); extraction
        and ``resolve`` only when the text names the region ("Белгородской области") or no Ukrainian
        place has the name. ``reset=False`` adds a user file (``import_country_dump``): a place
        already known by its GeoNames id is replaced by the dump's row."""
        if reset:
            self._foreign: dict[str, list[Place]] = {}
            self._foreign_by_id: dict[int, Place] = {}
            self._foreign_region: dict[str, tuple[str, str]] = {}  # normalised region name -> (country, region)
            self._region_point: dict[str, tuple[float, float]] = {}  # region -> its capital's point
        if not path.exists():
            return
        with open(path, encoding="utf-8") as f:
            next(f, None)
            for line in f:
                gid, name, alts, lat, lon, country, region, pop = line.rstrip("\n").split("\t")
                p = Place(int(gid), name, region, float(lat), float(lon), int(pop or 0), "PPL", country)
                self._add_foreign(p, (name, *alts.split("|")))
                self._foreign_region.setdefault(normalize(region), (country, region))

    def _add_foreign(self, p: Place, names) -> None:
        old = self._foreign_by_id.get(p.geonameid)
        if old is not None and old != p:  # a newer row for the same place: its point and names win
            for lst in self._foreign.values():
                if old in lst:
                    lst[lst.index(old)] = p
        self._foreign_by_id[p.geonameid] = p
        for k in {normalize(n) for n in names if n}:
            lst = self._foreign.setdefault(k, [])
            if p not in lst:
                lst.append(p)
                lst.sort(key=_rank)

    def _load_border_regions(self, path: Path) -> None:
        """Names of the regions across the border in English, Ukrainian and Russian ("Бєлгородська
        область", "Белгородской области", "Kursk region"), and the point of each region's capital."""
        if not path.exists():
            return
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith(("#", "country\t")) or not line.strip():
                    continue
                country, region, gn_name, lat, lon, names = line.rstrip("\n").split("\t")
                self._region_point[region] = (float(lat), float(lon))
                for n in (region, gn_name, *names.split("|")):
                    for k in {normalize(n), " ".join(_parse(n)[0])}:
                        if k:
                            self._foreign_region[k] = (country, region)

    def _load_border_settlements(self, path: Path) -> None:
        """The project's table of the main border-region settlements (``border_settlements.tsv``):
        their Ukrainian and Russian names and spelling variants join the GeoNames place of the same
        id; rows with a negative id are places the extract lacks, with the point its source gives."""
        if not path.exists():
            return
        with open(path, encoding="utf-8") as f:
            next(f, None)
            for line in f:
                gid, name, uk, ru, variants, lat, lon, country, region, pop, _source = line.rstrip("\n").split("\t")
                # the table's English name ('Lgov', not GeoNames' "L'govskiy"); the point is the row's own
                p = Place(int(gid), name, region, float(lat), float(lon), int(pop or 0), "PPL", country)
                self._add_foreign(p, (name, uk, ru, *variants.split("|")))

    def foreign_region(self, text: str) -> tuple[str, str] | None:
        """(country, region) when ``text`` names a region across the border: 'Kursk region',
        'Бєлгородська область', 'Белгородской области', 'Брянщина' -> ('RU', 'Bryansk'). None for
        an oblast of Ukraine or a bare city name ('Kursk')."""
        if not text:
            return None
        k = normalize(text)
        hit = self._foreign_region.get(k)
        if hit and (k not in self._foreign or k != normalize(hit[1])):
            return hit
        toks, kind = _parse(text)
        if kind == "region" and not self.oblast(text):
            return self._foreign_region.get(" ".join(toks))
        return None

    def foreign_candidates(self, name: str, region: str | None = None) -> list[Place]:
        """Places across the border named ``name`` (in any of their languages), in ``region`` when
        given; most populous first. Every one carries its ``country`` (RU, BY, PL, MD, RO)."""
        cands = self._foreign.get(normalize(name), [])
        return [c for c in cands if region is None or c.admin1 == region]

    def is_foreign_region(self, admin1: str | None) -> bool:
        """Whether ``admin1`` is a region across the border ('Belgorod', 'Kursk'), not an oblast."""
        return bool(admin1) and (admin1 in self._region_point or any(
            r == admin1 for _c, r in self._foreign_region.values()))

    def __len__(self) -> int:
        return len(self._places)

    def info(self) -> dict:
        """Counts for ``harmwatch gazetteer info``: places, how many have a point of their own, how many
        only an approximate one (hromada or raion centre), how many neither; the file read."""
        with_point = sum(1 for p in self._places if p.lat is not None)
        approx = len(self._approx)
        return {"file": str(self.path) if self.path else None, "places": len(self._places),
                "with_point": with_point, "approximate_only": approx,
                "without_point": len(self._places) - with_point - approx,
                "coverage": round(with_point / len(self._places), 4) if self._places else 0.0,
                "oblasts": len(self._centroid),
                "border_places": len({p.geonameid for lst in self._foreign.values() for p in lst})}

    def approx_point(self, geonameid: int) -> tuple[float, float] | None:
        """The centre of the hromada (else raion) of a place without a point of its own: the fallback
        point of an incident in a village the gazetteer has no coordinates for."""
        return self._approx.get(geonameid)

    @property
    def places(self) -> Sequence[Place]:
        return self._places

    # lookups ------------------------------------------------------------------------------------

    def candidates(self, name: str) -> list[Place]:
        """Every place whose name or an alternate name normalises like ``name``; most populous first."""
        return list(self._index.get(normalize(name), ()))

    def is_name(self, name: str) -> bool:
        return normalize(name) in self._index

    def oblast(self, text: str) -> str | None:
        """The oblast a phrase names: 'Kharkiv', 'Kharkiv Oblast', 'Kharkivska', 'Харківська область',
        'Kharkov region' -> 'Kharkiv'; 'Kyiv City' -> 'Kyiv City'. None if it names none."""
        if not text:
            return None
        k = normalize(text)
        if k in self._oblast_alias:
            return self._oblast_alias[k]
        toks, _kind = _parse(text)
        while toks:
            k = " ".join(toks)
            if k in self._oblast_alias:
                return self._oblast_alias[k]
            # "Kharkiv and Sumy regions" etc. are the caller's business; "the Kharkiv" is not
            if toks[0] in ("the", "of"):
                toks = toks[1:]
                continue
            break
        return None

    def oblast_centroid(self, admin1: str) -> tuple[float, float] | None:
        """Point of the oblast's administrative centre (the capital; Kyiv for Kyiv and Kyiv City)."""
        name = admin1 if admin1 in self._centroid else self.oblast(admin1)
        return self._centroid.get(name) if name else None

    def raion(self, text: str) -> tuple[str, tuple[float, float] | None] | None:
        """(oblast, centre point) of a raion named like 'Kupiansk district', 'Bakhmutskyi raion'."""
        toks, _kind = _parse(text)
        hits = self._raion.get(" ".join(toks))
        if not hits or len({a for a, _, _ in hits}) > 1:
            return None
        return hits[0][0], hits[0][1]

    def raion_code(self, text: str) -> str | None:
        """The KATOTTG prefix of the one raion named like 'Pokrovsk district', 'Покровський район', else None."""
        toks, _kind = _parse(text)
        codes = {c for _, _, c in self._raion.get(" ".join(toks)) or ()}
        return next(iter(codes)) if len(codes) == 1 else None

    def point(self, place: Place) -> tuple[float, float] | None:
        """The place's point, or for a place without one the approximate centre of its hromada
        (only for ranking candidates; never reported as the place's coordinates)."""
        if place.lat is not None and place.lon is not None:
            return (place.lat, place.lon)
        return self._approx.get(place.geonameid)

    def resolve(self, name: str, admin1_hint: str | None = None,
                near: Sequence[tuple[float, float]] = (), raion: str | None = None,
                extra: Sequence[Place] = ()) -> Place | None:
        """The place ``name`` most likely means: a candidate in ``admin1_hint`` first; then the one
        nearest to ``near`` (other places of the same document) within 150 km, a city over 100,000
        within that range beating a closer village; then the most populous (a place whose own name is
        ``name`` before one that only lists it as an alternate name, unless that one is ten times
        larger); then the smaller id.

        A hint naming a region across the border ('Belgorod', 'Kursk') picks the place of that name
        there ('Валуйки' with 'Belgorod' is Valuyki, Russia, never Valuiky of Luhansk oblast); when
        the region has no such place the name is resolved in Ukraine without the hint.

        ``raion`` (a KATOTTG prefix, ``raion_code``) keeps only the candidates of that raion when one is
        there: "село Костянтинівка Покровського району" is the village, not the city of Kramatorsk raion.

        ``extra``: candidates the caller found under another spelling of the name (a Russian text's "Токаревка"
        is also the Токарівка the codifier holds), weighed with the name's own."""
        if admin1_hint and self.is_foreign_region(admin1_hint):
            there = self.foreign_candidates(name, admin1_hint)
            if there:
                return there[0]
            admin1_hint = None
        cands = self.candidates(name)
        if extra:
            seen = {c.geonameid for c in cands}
            cands = cands + [c for c in extra if c.geonameid not in seen]
        if raion:
            cands = [c for c in cands if c.raion == raion] or cands
        return self._resolve(cands, admin1_hint, near, normalize(name))[0]

    def preferred_first(self, name: str, cands: list[Place]) -> list[Place]:
        """``cands`` with the one ``name`` means when nothing else is known first (its own name before an
        alternate's: "Слов'янськ" is Sloviansk, not Nikopol that also lists it)."""
        if len(cands) < 2:
            return cands
        best = self._resolve(cands, None, (), normalize(name))[0]
        return cands if best is cands[0] else [best] + [c for c in cands if c is not best]

    def _resolve(self, cands: list[Place], admin1_hint: str | None, near,
                 key: str = "") -> tuple[Place | None, str]:
        if not cands:
            return None, "none"
        how = "unique"
        if admin1_hint:
            ob = admin1_hint if admin1_hint in self._centroid else (self.oblast(admin1_hint) or admin1_hint)
            inh = [c for c in cands if _same_oblast(c.admin1, ob)]
            if inh:
                if len(inh) < len(cands):
                    how = "hint"
                cands = inh
        if len(cands) == 1:
            return cands[0], how
        pts = [p for p in (near or ()) if p and p[0] is not None and p[1] is not None]
        if pts:
            scored = []
            for c in cands:
                cp = self.point(c)
                if cp is None:
                    continue
                d = min(km(cp, p) for p in pts)
                if d <= NEAR_KM:
                    scored.append((c.population < BIG_CITY, round(d, 1), -c.population, c.geonameid, c))
            if scored:
                scored.sort(key=lambda t: t[:4])
                return scored[0][-1], "near"
        # "Zatoka" is the resort of that name, not Karolino-Buhaz that lists it as an alternate name,
        # unless the alternate-name place is ten times larger ("Kiev", "Zaporozhye")
        own = [c for c in cands if normalize(c.name) == key]
        if own and own[0] is not cands[0] and cands[0].population < 10 * max(own[0].population, 1):
            return own[0], "population"
        if not own and not key.isascii() and len(key) >= 4:
            # "Слов'янськ" is also listed for Nikopol: the place whose own (Latin) name the Cyrillic one
            # romanises to is the one meant
            sk = skeleton(normalize(translit_kmu(key)))
            close = [c for c in cands if c.name.isascii() and skeleton(normalize(c.name)) == sk]
            if close and close[0] is not cands[0] and cands[0].population < 10 * max(close[0].population, 1):
                return close[0], "population"
        if not own and key.isascii() and len(key) >= 4:
            # "Slovyansk" is an alternate name of Sloviansk and (historically) of Nikopol: the place
            # whose own name it spells is the one meant
            sk = skeleton(key)
            close = [c for c in cands if c.name.isascii() and skeleton(normalize(c.name)) == sk]
            if close and close[0] is not cands[0] and cands[0].population < 10 * max(close[0].population, 1):
                return close[0], "population"
        return cands[0], "population"

    # free text ----------------------------------------------------------------------------------

    def geocode(self, text: str) -> GeocodeMatch | None:
        """Geocode a place string as analysts write it: 'Izyum (Kharkiv Region)', 'Horlivka, Donetsk
        Oblast', 'Kyiv, Borodyanka' (the oblast first), 'near Chuhuiv', 'Чугуїв', 'village of Hroza,
        Kupiansk district', 'Kalmiuskyi district, Mariupol' (a city district: the city), Russian and
        old spellings ('Artemovsk', 'Blagodatnoye'), places across the border ('Belgorod').

        An oblast named in the string is a hard constraint: no place of another oblast is returned.
        A name not found as written is looked up by its spelling skeleton (Russian g/h, e/i, -ovka/
        -ivka, -oye/-e), then by a bounded fuzzy match. An ambiguous bare name ('Novoselivka') gives
        the most populous namesake with its candidate count and a lowered score. An oblast alone
        ('Kharkiv region') gives a match without a place, at the oblast centre, score 0.5. None when
        the text names no place."""
        if not text or not text.strip():
            return None
        raw = text.strip()
        hints = [h for h in re.findall(r"\(([^)]*)\)", raw)]
        main = re.sub(r"\([^)]*\)", " ", raw)
        parts = [p.strip() for p in re.split(r"[,;:]|\s+[-–—]\s+", main) if p.strip()]
        if parts:  # "Obolonskyi district of Kyiv"
            m = re.match(r"^(.+?\b(?:district|raion|rayon|район))\s+(?:of|in)\s+(.+)$", parts[0], re.I)
            if m:
                parts[0:1] = [m.group(1), m.group(2)]
        parts += [h.strip() for h in hints if h.strip()]
        if not parts:
            return None
        # "Hroza in the Kharkiv region", "Hroza near Kupiansk"
        m = re.match(r"^(.+?)\s+(?:in|near)\s+(.+)$", parts[0], re.I)
        if m and not self.is_name(parts[0]) and self.is_name(" ".join(_parse(m.group(1))[0])):
            parts[0:1] = [m.group(1), m.group(2)]

        district = self._city_district(raw, parts)
        if district is not None:
            return district
        # the place: the first part that is not an oblast ("Kyiv, Borodyanka", "Donetsk Oblast, Kramatorsk")
        main_i = 0
        for i, p in enumerate(parts):
            toks, kind = _parse(p)
            core = " ".join(toks)
            ob = self.oblast(p)
            later_place = any(self._has_place(q, ob) for q in parts[i + 1:]) if ob else False
            if ob and (kind == "region" or later_place) or self._foreign_hint(p) and i + 1 < len(parts):
                continue
            if kind == "region" and not core:
                continue
            main_i = i
            break
        else:
            main_i = 0
        main, hints = parts[main_i], parts[:main_i] + parts[main_i + 1:]

        oblast_hint, soft_hint, near, hint_region, foreign = None, None, [], None, None
        for h in hints:
            fh = self._foreign_hint(h)
            if fh:
                foreign = foreign or fh
                continue
            ob = self.oblast(h)
            toks, kind = _parse(h)
            if ob:  # an oblast named in the string ("Donetsk" after a place is the oblast)
                oblast_hint = oblast_hint or ob
                hint_region = hint_region or (ob, h)
                continue
            r = self.raion(h) if kind in ("district", "place") else None
            if r:
                soft_hint = soft_hint or r[0]
                if r[1]:
                    near.append(r[1])
                continue
            p = self.resolve(" ".join(toks)) if toks else None
            if p is not None:
                soft_hint = soft_hint or p.admin1
                pt = self.point(p)
                if pt:
                    near.append(pt)

        toks, kind = _parse(main)
        core = " ".join(toks)
        if not core:
            return self._oblast_match(*hint_region) if hint_region else None
        fr = self.foreign_region(main)
        if fr and not self._foreign.get(normalize(main)):  # "Kursk region", "Белгородская область" alone
            return self._foreign_region_match(fr, main)
        if foreign:
            fm = self._foreign_match(core, foreign, _span(raw, main))
            if fm is not None:
                return fm
            # "Валуйки, Белгородская область": the region given is a hard constraint; a Ukrainian
            # namesake (Valuiky, Luhansk oblast) is never the answer
            if foreign[1] is not None:
                return self._foreign_region_match((foreign[0], foreign[1]), next(
                    (h for h in hints if self._foreign_hint(h)), main))
            return None
        if kind == "region":
            ob = self.oblast(core)
            if ob:
                return self._oblast_match(ob, main)
        if kind == "district":
            r = self.raion(core)
            if r:
                return GeocodeMatch(None, r[0], *(r[1] or self._centroid.get(r[0], (None, None))), 0.45,
                                    main.strip(), precision="raion")
        cands, how_found = self._lookup(core, oblast_hint, variants=False)
        if not cands and not oblast_hint:  # "Belgorod", "Kursk": across the border, before any variant
            fm = self._foreign_match(core, None, _span(raw, main))
            if fm is not None:
                return fm
        if not cands:
            cands, how_found = self._lookup(core, oblast_hint, exact=False)
        if cands:
            place, how = self._resolve(cands, oblast_hint or soft_hint, near, core)
            m = self._place_match(place, how, len(cands), oblast_hint or soft_hint, _span(raw, main), kind)
            return m if how_found == "exact" else replace(m, score=round(m.score * (0.9 if how_found == "variant" else 0.8), 3))
        # the oblast named without a region word ("Kharkivska", "Zaporizhzhia Oblast's")
        ob = self.oblast(core)
        if ob:
            return self._oblast_match(ob, main)
        # a place somewhere inside a longer phrase: longest run of words first
        for n in range(len(toks) - 1, 0, -1):
            for i in range(len(toks) - n + 1):
                sub = " ".join(toks[i:i + n])
                if len(sub) < 3 or sub in _STOPWORDS:
                    continue
                cands = [c for c in self.candidates(sub) if not oblast_hint or _same_oblast(c.admin1, oblast_hint)]
                if cands:
                    place, how = self._resolve(cands, oblast_hint or soft_hint, near, sub)
                    m = self._place_match(place, how, len(cands), oblast_hint or soft_hint, _span(raw, sub), kind)
                    return replace(m, score=round(m.score * 0.8, 3))
        if hint_region:
            return self._oblast_match(*hint_region)
        return None

    # geocode helpers ----------------------------------------------------------------------------

    def _has_place(self, part: str, oblast: str | None) -> bool:
        """Whether ``part`` names a place (of ``oblast`` when given) and not just an oblast."""
        toks, kind = _parse(part)
        core = " ".join(toks)
        if not core or kind == "region" or (self.oblast(part) and not oblast):
            return False
        if kind == "district":
            return True
        cands, _how = self._lookup(core, oblast)
        return bool(cands) or normalize(core) in self._foreign

    def _lookup(self, core: str, oblast: str | None, exact: bool = True,
                variants: bool = True) -> tuple[list[Place], str]:
        """Candidates for a name: as written ('exact'), by spelling skeleton ('variant'), by a bounded
        fuzzy match of the skeleton ('fuzzy'); restricted to ``oblast`` when given. When the name as
        written is only an alternate name of its places, the places whose own name has the same
        skeleton join them ('Vasilyevka': two villages list it, the town is Vasylivka)."""
        def keep(cs):
            return [c for c in cs if _same_oblast(c.admin1, oblast)] if oblast else list(cs)
        key = normalize(core)
        ascii_ok = key.isascii() and len(key) >= 4
        if exact:
            cands = keep(self._index.get(key, ()))
            if cands:
                if ascii_ok and not any(normalize(c.name) == key for c in cands):
                    sk = skeleton(key)
                    more = [c for c in keep(self._skeletons()[0].get(sk, ())) if c.name.isascii()
                            and skeleton(normalize(c.name)) == sk and c not in cands]
                    cands = sorted(cands + more, key=_rank)
                return cands, "exact"
        if not ascii_ok or not variants:
            return [], "none"
        sk_index, by_first = self._skeletons()
        sk = skeleton(key)
        cands = keep(sk_index.get(sk, ()))
        if cands:
            return sorted(set(cands), key=_rank), "variant"
        if len(sk) < 5:
            return [], "none"
        limit = 1 if len(sk) < 8 else 2
        pool = by_first.get(sk[0], [])
        hits = process.extract(sk, pool, scorer=Levenshtein.distance, score_cutoff=limit, limit=None)
        if not hits:
            return [], "none"
        for d in range(0, limit + 1):
            cands = keep(p for key, dist, _i in hits if dist == d for p in sk_index[key])
            if cands:
                return sorted(set(cands), key=_rank), "fuzzy"
        return [], "none"

    def _skeletons(self) -> tuple[dict[str, list[Place]], dict[str, list[str]]]:
        """Skeleton index of every Latin name, built on first use (geocode only)."""
        if self._sk is None:
            idx: dict[str, list[Place]] = {}
            for k, places in self._index.items():
                if k.isascii() and len(k) >= 4:
                    lst = idx.setdefault(skeleton(k), [])
                    lst.extend(p for p in places if p not in lst)
            by_first: dict[str, list[str]] = {}
            for k in idx:
                by_first.setdefault(k[0], []).append(k)
            self._sk = (idx, by_first)
        return self._sk

    def _city_district(self, raw: str, parts: list[str]) -> GeocodeMatch | None:
        """'Kalmiuskyi district, Mariupol', 'Obolonskyi district of Kyiv', 'Харків, Салтівський
        район': a district of a city of over 100,000 is the city (or the GeoNames point of the
        district, when there is one within 15 km of the city)."""
        if len(parts) < 2:
            return None
        for i, p in enumerate(parts):
            toks, kind = _parse(p)
            if kind != "district" or not toks:
                continue
            for j, q in enumerate(parts):
                if j == i:
                    continue
                qt, qk = _parse(q)
                if qk != "place" or not qt:
                    continue
                big = [c for c in self.candidates(" ".join(qt)) if c.lat is not None
                       and (c.population >= 50_000 or c.feature_code in ("PPLA", "PPLC"))]
                if not big:
                    continue
                r = self.raion(" ".join(toks))
                if i > j and r and r[1] and km(r[1], (big[0].lat, big[0].lon)) > 20:
                    continue  # "Kharkiv, Chuhuiv district": a raion, not a city district
                city = big[0]
                own = [c for c in self.candidates(" ".join(toks)) if c.lat is not None
                       and km((c.lat, c.lon), (city.lat, city.lon)) <= 15]
                if own:
                    m = self._place_match(own[0], "hint", 2, city.admin1, _span(raw, p), "place")
                    return replace(m, score=0.85)
                m = self._place_match(city, "unique", 1, None, _span(raw, q), "place")
                return replace(m, score=0.8, precision="city")
        return None

    def _foreign_hint(self, part: str) -> tuple[str, str | None] | None:
        """(country, region or None) when ``part`` names a neighbouring country or one of its
        regions: 'Russia', 'Belgorod region', 'Poland'."""
        k = " ".join(_parse(part)[0]) or normalize(part)
        if k in _COUNTRIES:
            return (_COUNTRIES[k], None)
        _toks, kind = _parse(part)
        if kind == "region" and k in self._foreign_region and not self.oblast(part):
            return self._foreign_region[k]
        return self.foreign_region(part)

    def _foreign_region_match(self, hint: tuple[str, str], matched: str) -> GeocodeMatch:
        """'Kursk region', 'Бєлгородська область': the region across the border, at its capital."""
        country, region = hint
        lat, lon = self._region_point.get(region, (None, None))
        return GeocodeMatch(None, region, lat, lon, 0.5, matched.strip(), precision="oblast", country=country)

    def _foreign_match(self, core: str, hint: tuple[str, str | None] | None, matched: str) -> GeocodeMatch | None:
        cands = self._foreign.get(normalize(core), [])
        if hint:
            cands = [c for c in cands if c.country == hint[0] and (hint[1] is None or c.admin1 == hint[1])]
        if not cands:
            return None
        p = cands[0]
        score = 0.9 if len(cands) == 1 or hint else 0.75
        return GeocodeMatch(p, p.admin1, p.lat, p.lon, score, matched, len(cands), "point", p.country)

    def _place_match(self, place: Place, how: str, n: int, hint: str | None, matched: str, kind: str) -> GeocodeMatch:
        score = {"unique": 1.0, "hint": 0.95, "near": 0.85, "population": 0.75}[how]
        ambiguous = False
        if how == "population":
            others = [c.population for c in self.candidates(matched) if c is not place] or [0]
            if place.population >= 10000 and place.population >= 10 * max(others):
                score = 0.9  # a city against villages of the same name
            elif n > 1 and place.population < 10 * max(others + [1]):
                ambiguous = True  # "Novoselivka": dozens of namesakes, none dominant
                score = 0.55 if n == 2 else 0.4
        if n > 1 and how == "unique":
            score = 0.95  # several, all in the hinted oblast and the same one chosen
        if hint and not _same_oblast(place.admin1, hint):
            score -= 0.25  # the text names another oblast than the place's
        if kind == "district":
            score -= 0.1
        lat, lon, precision = place.lat, place.lon, "point"
        if lat is None:
            pt = self._approx.get(place.geonameid)
            if pt:  # a village without a point of its own: its hromada (else raion) centre
                (lat, lon), precision = pt, "approximate"
        return GeocodeMatch(place, place.admin1, lat, lon, max(0.05, round(score, 3)), matched, n, precision,
                            ambiguous=ambiguous)

    def _oblast_match(self, admin1: str, matched: str) -> GeocodeMatch:
        lat, lon = self._centroid.get(admin1, (None, None))
        return GeocodeMatch(None, admin1, lat, lon, 0.5, matched.strip(), precision="oblast")

    # imports ------------------------------------------------------------------------------------

    def load_geonames_dump(self, path: str | Path) -> int:
        """Merge the Ukrainian populated places of a GeoNames dump (allCountries.txt, UA.txt or a
        .zip of one) into this gazetteer, in memory. Returns the number of places read from the dump.
        ``import_dump`` does the same and saves the result for later runs."""
        dump = list(iter_dump(path))
        if not dump:
            raise GazetteerError(f"{path}: no Ukrainian populated places (country UA, feature class P) found")
        self._rows = merge_dump(self._rows, dump)
        self._build()
        return len(dump)


def _same_oblast(a: str | None, b: str | None) -> bool:
    """Kyiv City counts as Kyiv (oblast) and Sevastopol as Crimea for a hint given in the string."""
    fold = {"Kyiv City": "Kyiv", "Sevastopol": "Crimea"}
    return a is not None and fold.get(a, a) == fold.get(b, b)


_COUNTRIES = {normalize(k): v for k, v in {
    "Russia": "RU", "Russian Federation": "RU", "RF": "RU", "Росія": "RU", "Россия": "RU",
    "Belarus": "BY", "Білорусь": "BY", "Беларусь": "BY", "Poland": "PL", "Польща": "PL",
    "Moldova": "MD", "Молдова": "MD", "Romania": "RO", "Румунія": "RO"}.items()}

_STOPWORDS = {"the", "of", "in", "and", "near", "city", "village", "town", "district", "region", "oblast"}


def _rank(p: Place) -> tuple:
    return (-p.population, p.lat is None, p.geonameid < 0, abs(p.geonameid))


def _span(raw: str, part: str) -> str:
    """The words of ``raw`` (original spelling) that normalise like the place name found in
    ``part``: 'Hroza' for 'village of Hroza'; else ``part``."""
    part = part.strip()
    core = " ".join(_parse(part)[0]) or normalize(part)
    words = list(re.finditer(r"[^\s,;()]+", raw))
    for n in range(len(words), 0, -1):
        for i in range(len(words) - n + 1):
            a, b = words[i].start(), words[i + n - 1].end()
            if normalize(raw[a:b]) == core:
                return raw[a:b]
    i = raw.lower().find(part.lower())
    return raw[i:i + len(part)] if i >= 0 else part


# --- GeoNames dumps ------------------------------------------------------------------------------

GEONAMES_COLUMNS = 19


def _dump_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The dump's data lines with their numbers (blank and comment lines skipped). A line without GeoNames'
    columns, text that is not UTF-8 or an unreadable archive is a GazetteerError naming the line."""
    f, closers = _open_dump(path)
    lineno = 0
    try:
        for lineno, line in enumerate(f, start=1):
            if line.count("\t") != GEONAMES_COLUMNS - 1:
                if not line.strip() or line.startswith("#"):
                    continue
                raise GazetteerError(
                    f"{path}: line {lineno}: expected {GEONAMES_COLUMNS} tab-separated columns (GeoNames "
                    f"dump format), found {line.count(chr(9)) + 1}")
            yield lineno, line
    except UnicodeDecodeError as e:
        raise GazetteerError(f"{path}: line {lineno + 1}: not UTF-8 text ({e.reason}); is this a GeoNames dump?") from e
    except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile) as e:
        raise GazetteerError(f"{path}: line {lineno + 1}: unreadable ({e})") from e
    finally:
        for closer in closers:
            try:
                closer.close()
            except Exception:  # closing a half-read archive must not hide the real error
                pass


def _open_dump(path: Path) -> tuple[io.TextIOBase, list]:
    """A text stream over the dump (plain, .gz, or the data member of a .zip)."""
    closers: list = []
    try:
        if zipfile.is_zipfile(path):
            zf = zipfile.ZipFile(path)
            closers.append(zf)
            members = [n for n in zf.namelist() if n.lower().endswith(".txt") and "readme" not in n.lower()]
            if not members:
                raise GazetteerError(f"{path}: the zip holds no GeoNames .txt file (expected UA.txt or allCountries.txt)")
            raw = zf.open(members[0])
        elif path.suffix == ".gz":
            raw = gzip.open(path, "rb")
        else:
            raw = open(path, "rb")
    except GazetteerError:
        for c in closers:
            c.close()
        raise
    except (OSError, zipfile.BadZipFile) as e:
        raise GazetteerError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from e
    closers.insert(0, raw)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="\n"), closers


def iter_dump(path: str | Path) -> Iterator[Row]:
    """Stream a GeoNames dump and yield its Ukrainian (UA) feature-class-P rows as gazetteer rows.

    Reads line by line (allCountries.txt is 1.5 GB and is never held in memory). Raises
    GazetteerError with the line number for a line that is not 19 tab-separated columns or whose
    id, coordinates or population do not parse, and for a file that cannot be read or decoded.
    """
    path = Path(path)
    if not path.exists():
        raise GazetteerError(f"GeoNames dump not found: {path}")
    if path.is_dir():
        raise GazetteerError(f"{path} is a folder, not a GeoNames dump file")
    for lineno, line in _dump_lines(path):
        if "\tUA\t" not in line:
            continue
        c = line.rstrip("\n").split("\t")
        if c[8] != "UA" or c[6] != "P":
            continue
        try:
            gid, lat, lon = int(c[0]), float(c[4]), float(c[5])
            pop = int(c[14] or 0)
        except ValueError as e:
            raise GazetteerError(f"{path}: line {lineno}: malformed value ({e})") from e
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GazetteerError(f"{path}: line {lineno}: coordinates out of range ({lat}, {lon})")
        name = c[1].strip() or c[2].strip()
        alts = c[3].split(",") if c[3] else []
        extra = [v for a in alts if script_of(a) == "cyrillic" and re.search("[іїєґІЇЄҐ]", a)
                 for v in latin_variants(a)]
        yield Row(gid, name, c[2].strip(), clean_alternates([c[2]] + alts + extra, exclude=[name]), lat, lon,
                  c[7] or "PPL", OBLAST_BY_GEONAMES.get(c[10]), pop, source="dump",
                  raion=c[11] if re.fullmatch(r"\d{4}", c[11] or "") else "")


def merge_dump(base: list[Row], dump: list[Row]) -> list[Row]:
    """The base gazetteer rows updated with a dump: a dump row replaces the point, population and
    feature code of the base row with the same GeoNames id (keeping the base row's names and
    codifier code), gives a point to the codifier-only row of the same oblast, raion and name, or
    is added. Base rows the dump does not mention are kept."""
    by_id = {r.geonameid: r for r in base if r.geonameid > 0}
    merged: dict[int, Row] = {}
    fresh: list[Row] = []
    for d in dump:
        b = by_id.get(d.geonameid)
        if b is None:
            fresh.append(d)
            continue
        name = b.name if b.katottg else d.name
        merged[d.geonameid] = Row(
            d.geonameid, name, b.asciiname if b.katottg else d.asciiname,
            clean_alternates([d.name, d.asciiname] + d.alternatenames + b.alternatenames + [b.name], exclude=[name]),
            d.lat, d.lon, d.feature_code, d.admin1 or b.admin1, d.population or b.population, b.katottg,
            None, None, "dump+katottg" if b.katottg else "dump")
    codifier_only = [r for r in base if r.geonameid < 0]
    for r in codifier_only:
        r.raion = r.katottg[2:6] if r.katottg else ""
    taken: set[int] = set()
    pairs = match_points(fresh, codifier_only, ambiguous=False, taken=taken)
    pairs.update(match_points(fresh, codifier_only, ambiguous=True, taken=taken, done=pairs))
    used = set()
    out: list[Row] = []
    for i, d in enumerate(fresh):
        j = pairs.get(i)
        if j is None:
            out.append(d)
            continue
        k = codifier_only[j]
        used.add(j)
        out.append(Row(d.geonameid, k.name, k.asciiname,
                       clean_alternates([d.name, d.asciiname] + d.alternatenames + k.alternatenames, exclude=[k.name]),
                       d.lat, d.lon, d.feature_code, d.admin1 or k.admin1, d.population, k.katottg, None, None,
                       "dump+katottg"))
    for r in base:
        if r.geonameid > 0:
            out.append(merged.get(r.geonameid, r))
    out.extend(r for j, r in enumerate(codifier_only) if j not in used)
    out.sort(key=lambda r: (r.admin1 or "", normalize(r.name), r.geonameid))
    return out


def import_dump(path: str | Path, dest_dir: str | Path | None = None) -> int:
    """Import the Ukrainian populated places of a GeoNames dump into a user gazetteer.

    ``path``: allCountries.txt, UA.txt, or a .zip (or .gz) of one, in the 19-column GeoNames format.
    ``dest_dir``: folder for ``ua_places.tsv.gz`` (default ``$HARMWATCH_HOME/gazetteer``, i.e.
    ``~/.local/share/harmwatch/gazetteer``), which ``Gazetteer.default()`` then prefers. The file is
    the dump merged with the bundled data (so it keeps the codifier names and villages the dump
    lacks). Returns the number of Ukrainian populated places read from the dump.
    """
    dump = list(iter_dump(path))
    if not dump:
        raise GazetteerError(f"{path}: no Ukrainian populated places (country UA, feature class P) found; "
                             "expected allCountries.txt, UA.txt or a .zip of one")
    base_path = bundled_path()
    base = list(read_rows(base_path)) if base_path.exists() else []
    dest = Path(dest_dir).expanduser() if dest_dir is not None else user_dir()
    target = dest if dest.name.endswith(".tsv.gz") else dest / PLACES_FILE
    try:
        write_rows(target, merge_dump(base, dump))
    except OSError as e:
        raise GazetteerError(f"cannot write the gazetteer to {target}: {e.strerror or e}") from e
    Gazetteer._cache.clear()
    return len(dump)


GEONAMES_UA_URL = "https://download.geonames.org/export/dump/UA.zip"


def download_dump(url: str = GEONAMES_UA_URL, dest_dir: str | Path | None = None, timeout: float = 60.0,
                  progress: Callable[[int, int | None], None] | None = None,
                  sha256: str | None = None) -> tuple[int, str]:
    """Download GeoNames' Ukraine dump (or ``url``), verify it and import it like ``import_dump``.

    The download goes to a temporary file next to the target; it is checked before anything is
    imported: the byte count the server announced, the sha256 when given, a readable zip holding a
    GeoNames .txt. ``progress(done, total)`` is called as bytes arrive. Returns (places imported,
    sha256 of the download). Raises GazetteerError when offline, on an HTTP error, or when the
    file fails a check; nothing is written then."""
    import hashlib
    import tempfile
    import urllib.error
    import urllib.request

    dest = Path(dest_dir).expanduser() if dest_dir is not None else user_dir()
    dest.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=dest, prefix=".download-", suffix=".zip", delete=False) as tmp:
        tmp_path = Path(tmp.name)
        try:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (https URL of the user's choice)
                    total = int(r.headers.get("Content-Length") or 0) or None
                    done = 0
                    while chunk := r.read(1 << 16):
                        tmp.write(chunk)
                        h.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, total)
            except (urllib.error.URLError, OSError, ValueError) as e:
                raise GazetteerError(f"cannot download {url}: {getattr(e, 'reason', None) or e} "
                                     "(offline? `harmwatch gazetteer load FILE` imports a copy on disk)") from e
            tmp.flush()
            if total is not None and done != total:
                raise GazetteerError(f"{url}: download incomplete ({done} of {total} bytes)")
            digest = h.hexdigest()
            if sha256 and digest != sha256.lower():
                raise GazetteerError(f"{url}: sha256 {digest} does not match the expected {sha256}")
            if not zipfile.is_zipfile(tmp_path):
                raise GazetteerError(f"{url}: the download is not a zip file (GeoNames serves UA.zip)")
            n = import_dump(tmp_path, dest)
        finally:
            tmp_path.unlink(missing_ok=True)
    return n, digest


def load_dump(path: str | Path, db_or_dest: str | Path | None = None) -> int:
    """CLI entry point for ``harmwatch gazetteer load FILE [--dest DIR]``: see ``import_dump``."""
    return import_dump(path, db_or_dest)


# --- GeoNames dumps of the neighbouring countries (cross-border strikes) ------------------------

def import_country_dump(path: str | Path, regions: Sequence[str], dest_dir: str | Path | None = None,
                        country: str | None = None) -> tuple[int, dict[str, str]]:
    """Import the populated places of some first-level regions of a neighbouring country's GeoNames
    dump (``RU.zip``, ``BY.zip``, ``PL.zip``..., or allCountries with ``country``) as places across
    the border, next to the user gazetteer: ``border_<CC>.tsv`` in ``dest_dir`` (default
    ``$HARMWATCH_HOME/gazetteer``), which every ``Gazetteer`` reads from then on.

    ``regions``: GeoNames admin1 codes ("09") or region names in English, Ukrainian or Russian
    ("Belgorod", "Kursk Oblast", "Брянська область"); a name is matched to the dump's own ADM1 row
    or the region capital (feature code PPLA). Returns (places written, {admin1 code: region}).
    Raises GazetteerError for a file that is not a GeoNames dump (as ``iter_dump``), a region the
    dump does not have (the message lists those it has), or no populated place at all; nothing is
    written then. GeoNames data: CC BY 4.0, attribution in docs/gazetteer.md."""
    path = Path(path)
    if not regions:
        raise GazetteerError("name at least one region to import (--region Belgorod --region Kursk, or GeoNames admin1 codes)")
    if not path.exists():
        raise GazetteerError(f"GeoNames dump not found: {path}")
    if path.is_dir():
        raise GazetteerError(f"{path} is a folder, not a GeoNames dump file")
    want_cc = country.upper() if country else None
    places: list[list[str]] = []
    adm1: dict[str, list[str]] = {}  # admin1 code -> names of its ADM1 row and its capital
    for lineno, line in _dump_lines(path):
        c = line.rstrip("\n").split("\t")
        cc = c[8]
        if cc == "UA" or (want_cc and cc != want_cc):
            continue
        if want_cc is None:
            want_cc = cc  # a country dump: its one country
        if c[6] == "A" and c[7] == "ADM1" or c[6] == "P" and c[7] == "PPLA":
            adm1.setdefault(c[10], []).extend([c[1], c[2], *(c[3].split(",") if c[3] else [])])
        if c[6] != "P":
            continue
        try:
            int(c[0]), float(c[4]), float(c[5]), int(c[14] or 0)
        except ValueError as e:
            raise GazetteerError(f"{path}: line {lineno}: malformed value ({e})") from e
        places.append(c)
    if not places or want_cc is None:
        raise GazetteerError(f"{path}: no populated places of a country other than Ukraine found "
                             "(expected a GeoNames country dump such as RU.zip)")
    known = _BorderNames()
    chosen: dict[str, str] = {}
    for spec in regions:
        code = _region_code(spec, adm1, known)
        if code is None:
            have = ", ".join(f"{k} {_label(v)}" for k, v in sorted(adm1.items()) if v)
            raise GazetteerError(f"{path}: no region {spec!r} in the {want_cc} dump (its regions: {have or 'none listed'})")
        chosen[code] = known.region(spec) or _label(adm1.get(code, [spec]))
    rows = []
    for c in places:
        if c[10] not in chosen:
            continue
        name = c[1].strip() or c[2].strip()
        alts = clean_alternates([c[2]] + (c[3].split(",") if c[3] else []), exclude=[name])
        rows.append("\t".join([c[0], name, "|".join(alts), c[4], c[5], want_cc, chosen[c[10]], c[14] or "0"]))
    if not rows:
        raise GazetteerError(f"{path}: no populated places in the regions {', '.join(regions)}")
    dest = Path(dest_dir).expanduser() if dest_dir is not None else user_dir()
    target = dest / f"{BORDER_DUMP_PREFIX}{want_cc}.tsv"
    try:
        dest.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text("geonameid\tname\talternatenames\tlat\tlon\tcountry\tregion\tpopulation\n"
                       + "\n".join(rows) + "\n", encoding="utf-8")
        tmp.replace(target)
    except OSError as e:
        raise GazetteerError(f"cannot write {target}: {e.strerror or e}") from e
    Gazetteer._cache.clear()
    return len(rows), chosen


class _BorderNames:
    """The bundled region names (border_regions.tsv): normalised name -> English region name."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        path = _bundled_data(BORDER_REGIONS_FILE)
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith(("#", "country\t")) or not line.strip():
                    continue
                _cc, region, gn_name, _lat, _lon, names = line.split("\t")
                for n in (region, gn_name, *names.split("|")):
                    self.names[normalize(n)] = region

    def region(self, spec: str) -> str | None:
        return self.names.get(normalize(spec))


def _label(names: list[str]) -> str:
    name = next((n for n in names if n and n.isascii()), names[0] if names else "")
    return re.sub(r"\s+(?:Oblast|Oblast'|Region|Voivodeship|Province|Krai|Kray)$", "", name, flags=re.I)


def _region_code(spec: str, adm1: dict[str, list[str]], known: _BorderNames) -> str | None:
    s = spec.strip()
    if s in adm1 and s:
        return s  # a GeoNames admin1 code
    keys = {normalize(s), " ".join(_parse(s)[0])}
    english = known.region(s)
    if english:
        keys |= {normalize(english), normalize(f"{english} Oblast")}
    for code, names in adm1.items():
        ks = {normalize(n) for n in names if n} | {" ".join(_parse(n)[0]) for n in names if n}
        if keys & ks:
            return code
    return None
