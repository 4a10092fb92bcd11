"""Resolved incidents in the formats the field uses: GeoJSON, ACLED-style and UCDP GED-style CSV.

Library functions take the incident dicts of `resolve.service.incidents()` and return rows or
documents; `harmwatch export` writes them. Unknown stays empty (never 0): ACLED's own files
write 0 fatalities for "none reported", which HarmWatch cannot tell apart from "not stated".

Field mappings (docs/export.md):
- ACLED: event_date, year, time_precision (1 day / 2 a day off / 3 unknown), event_type and
  sub_event_type from the weapon class, actor1 (the alleged perpetrator most claims name, else empty),
  admin1, location, latitude, longitude, geo_precision (1 point / 2 near / 3 oblast),
  source (documents), fatalities (best killed), notes.
- UCDP GED: type_of_violence 1 (state-based: the Russia-Ukraine war, whose civilian deaths
  UCDP records in deaths_civilians), date_start = date_end, date_prec (1 day, 2 a day off, 5 unknown), where_prec
  (1 settlement point, 2 near, 4 oblast), adm_1, latitude, longitude, best/low/high
  (killed), deaths_civilians (best killed), source_article (documents).
"""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

ACLED_SUB_EVENT = {
    "ballistic_missile": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "cruise_missile": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "rocket_artillery": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "tube_artillery": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "mortar": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "air_bomb": ("Explosions/Remote violence", "Air/drone strike"),
    "drone": ("Explosions/Remote violence", "Air/drone strike"),
    "landmine": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "small_arms": ("Violence against civilians", "Attack"),
    "unknown": ("Explosions/Remote violence", ""),
}
ACLED_COLUMNS = ("event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1",
                 "civilian_targeting", "iso", "country", "admin1", "location", "latitude", "longitude", "geo_precision",
                 "source", "notes", "fatalities", "tags")
UCDP_COLUMNS = ("id", "year", "type_of_violence", "side_a", "side_b", "where_prec", "adm_1", "where_coordinates",
                "latitude", "longitude", "country", "date_start", "date_end", "date_prec", "deaths_civilians", "best",
                "low", "high", "source_article", "weapon_class", "objects", "grade")
# `harmwatch incidents --format csv` and the web list's CSV download: one flat row per incident
CSV_COLUMNS = ("id", "date", "time", "place", "admin1", "lat", "lon", "geo_precision", "time_precision", "weapon",
               "weapon_class", "cluster", "objects", "killed_low", "killed_best", "killed_high", "injured_low",
               "injured_best", "injured_high", "children_killed_low", "children_killed_best", "children_killed_high",
               "sources", "independent_sources", "grade", "status")
_UCDP_DATE_PREC = {1: 1, 2: 2, 3: 5}
_UCDP_WHERE_PREC = {1: 1, 2: 2, 3: 4}


def _blank(v):
    return "" if v is None else v


def geojson(incidents: Iterable[dict]) -> dict:
    """A FeatureCollection; incidents without a point are left out (their count is in `skipped`)."""
    features, skipped = [], 0
    for i in incidents:
        if i.get("lat") is None or i.get("lon") is None:
            skipped += 1
            continue
        props = {k: v for k, v in i.items() if k not in ("lat", "lon")}
        features.append({"type": "Feature", "id": i["id"],
                         "geometry": {"type": "Point", "coordinates": [i["lon"], i["lat"]]}, "properties": props})
    return {"type": "FeatureCollection", "features": features, "skipped": skipped}


def iter_incidents(db, conditions: Iterable = (), batch: int = 500) -> Iterator[dict]:  # noqa: ANN001
    """Every incident matching the SQL conditions, as resolve.service.incidents() gives them (same
    order), read `batch` rows at a time: memory stays flat however many there are (a large export)."""
    from sqlalchemy import select

    from .resolve.service import incident_dict
    from .store.models import Incident
    with db.session() as s:
        q = (select(Incident).where(*conditions).order_by(Incident.date, Incident.place, Incident.id)
             .execution_options(yield_per=batch))
        for r in s.scalars(q):
            yield incident_dict(r)


def geojson_chunks(incidents: Iterable[dict]) -> Iterator[str]:
    """geojson() as text, one feature per chunk, for a streamed response or file: the same document
    (`skipped` comes last), without holding every feature in memory."""
    yield '{"type": "FeatureCollection", "features": ['
    skipped, sep = 0, "\n"
    for i in incidents:
        if i.get("lat") is None or i.get("lon") is None:
            skipped += 1
            continue
        props = {k: v for k, v in i.items() if k not in ("lat", "lon")}
        yield sep + json.dumps({"type": "Feature", "id": i["id"],
                                "geometry": {"type": "Point", "coordinates": [i["lon"], i["lat"]]},
                                "properties": props}, ensure_ascii=False)
        sep = ",\n"
    yield f'\n], "skipped": {skipped}}}\n'


def csv_chunks(fmt: str, incidents: Iterable[dict], rows_per_chunk: int = 200) -> Iterator[str]:
    """table(fmt, ...) as CSV text (header first), a few rows per chunk, for a streamed response."""
    columns = {"csv": CSV_COLUMNS, "acled": ACLED_COLUMNS, "ucdp": UCDP_COLUMNS}.get(fmt)
    if columns is None:
        raise ValueError(f"unknown CSV format {fmt!r}: use csv, acled or ucdp")
    rows_of = {"csv": csv_rows, "acled": acled_rows, "ucdp": ucdp_rows}[fmt]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    chunk: list[dict] = []
    for i in incidents:
        chunk.append(i)
        if len(chunk) >= rows_per_chunk:
            w.writerows(rows_of(chunk))
            chunk = []
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    w.writerows(rows_of(chunk))
    yield buf.getvalue()


def _notes(i: dict) -> str:
    parts = []
    if i.get("weapon"):
        parts.append(f"weapon: {i['weapon']}")
    if i.get("objects"):
        parts.append("hit: " + ", ".join(i["objects"]))
    k = i.get("killed") or {}
    if k.get("low") is not None and k.get("low") != k.get("high"):
        parts.append(f"killed {k['low']}-{k['high']} across sources")
    parts.append(f"grade: {i.get('grade')}; {i.get('independent_sources')} independent of {i.get('sources')} sources")
    return "; ".join(parts)


def acled_rows(incidents: Iterable[dict]) -> list[dict]:
    rows = []
    for i in incidents:
        etype, sub = ACLED_SUB_EVENT.get(i.get("weapon_class") or "unknown", ACLED_SUB_EVENT["unknown"])
        rows.append({
            "event_id_cnty": i["id"], "event_date": _blank(i.get("date")),
            "year": i["date"][:4] if i.get("date") else "", "time_precision": _blank(i.get("time_precision")),
            "event_type": etype, "sub_event_type": sub, "actor1": _blank(i.get("perpetrator")),
            "civilian_targeting": "", "iso": 804, "country": "Ukraine", "admin1": _blank(i.get("admin1")),
            "location": _blank(i.get("place")), "latitude": _blank(i.get("lat")), "longitude": _blank(i.get("lon")),
            "geo_precision": _blank(i.get("geo_precision")), "source": "; ".join(i.get("source_docs") or []),
            "notes": _notes(i), "fatalities": _blank((i.get("killed") or {}).get("best")),
            "tags": "cluster munitions" if i.get("cluster") else "",
        })
    return rows


def ucdp_rows(incidents: Iterable[dict]) -> list[dict]:
    rows = []
    for i in incidents:
        k = i.get("killed") or {}
        rows.append({
            "id": i["id"], "year": i["date"][:4] if i.get("date") else "", "type_of_violence": 1,
            "side_a": _blank(i.get("perpetrator")), "side_b": "Civilians", "where_prec": _blank(_UCDP_WHERE_PREC.get(i.get("geo_precision"))),
            "adm_1": _blank(i.get("admin1")), "where_coordinates": _blank(i.get("place")),
            "latitude": _blank(i.get("lat")), "longitude": _blank(i.get("lon")), "country": "Ukraine",
            "date_start": _blank(i.get("date")), "date_end": _blank(i.get("date")),
            "date_prec": _blank(_UCDP_DATE_PREC.get(i.get("time_precision"))),
            "deaths_civilians": _blank(k.get("best")), "best": _blank(k.get("best")), "low": _blank(k.get("low")),
            "high": _blank(k.get("high")), "source_article": "; ".join(i.get("source_docs") or []),
            "weapon_class": i.get("weapon_class"), "objects": ";".join(i.get("objects") or []), "grade": i.get("grade"),
        })
    return rows


def csv_rows(incidents: Iterable[dict]) -> list[dict]:
    """Flat rows for CSV_COLUMNS: ranges as _low/_best/_high, objects joined with ';', unknown empty."""
    rows = []
    for i in incidents:
        flat = dict(i)
        for f in ("killed", "injured", "children_killed"):
            for k in ("low", "best", "high"):
                flat[f"{f}_{k}"] = (i.get(f) or {}).get(k)
        flat["objects"] = ";".join(i.get("objects") or [])
        rows.append({c: _blank(flat.get(c)) for c in CSV_COLUMNS})
    return rows


def table(fmt: str, incidents: Iterable[dict]) -> tuple[tuple[str, ...], list[dict]]:
    """(columns, rows) of a CSV export: fmt csv, acled or ucdp."""
    if fmt == "csv":
        return CSV_COLUMNS, csv_rows(incidents)
    if fmt == "acled":
        return ACLED_COLUMNS, acled_rows(incidents)
    if fmt == "ucdp":
        return UCDP_COLUMNS, ucdp_rows(incidents)
    raise ValueError(f"unknown CSV format {fmt!r}: use csv, acled or ucdp")
