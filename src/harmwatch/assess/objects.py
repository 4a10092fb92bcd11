"""Military objects a user loads from a GeoJSON file (`harmwatch objects load FILE`), so that a stated
likely target ("the nearby Chuhuiv Air Base") can be given a point and a distance.

The file is a FeatureCollection of Point features; each needs ``properties.name`` and may give
``properties.aliases`` (a list of other names) and ``properties.kind`` (e.g. "air base"). A file is
loaded whole or not at all: the first bad feature is named in the error and nothing is stored.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import delete, select

from ..errors import AssessmentError
from ..store.models import MilitaryObject
from .target import normalise

MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class MilitaryPoint:
    name: str
    kind: str | None
    lat: float
    lon: float
    source: str  # the file it came from

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "lat": self.lat, "lon": self.lon, "source": self.source}


def _features(path: Path) -> list[dict]:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise AssessmentError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise AssessmentError(f"{path}: cannot be read: {e}") from e
    except json.JSONDecodeError as e:
        raise AssessmentError(f"{path}: not JSON (line {e.lineno}: {e.msg})") from e
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise AssessmentError(f"{path}: not a GeoJSON FeatureCollection")
    rows = []
    for i, f in enumerate(data["features"], 1):
        where = f"{path}: feature {i}"
        if not isinstance(f, dict) or not isinstance(f.get("properties"), dict):
            raise AssessmentError(f"{where}: a Feature with properties is needed")
        props = f["properties"]
        name = props.get("name")
        if not isinstance(name, str) or not name.strip():
            raise AssessmentError(f"{where}: properties.name is missing")
        geom = f.get("geometry")
        if not isinstance(geom, dict) or geom.get("type") != "Point":
            raise AssessmentError(f"{where} ({name}): only Point geometries are read")
        c = geom.get("coordinates")
        if (not isinstance(c, list) or len(c) < 2 or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                             for x in c[:2])
                or not all(math.isfinite(x) for x in c[:2])):
            raise AssessmentError(f"{where} ({name}): coordinates must be [lon, lat] numbers")
        lon, lat = float(c[0]), float(c[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise AssessmentError(f"{where} ({name}): [lon, lat] out of range: {c[:2]}")
        aliases = props.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise AssessmentError(f"{where} ({name}): properties.aliases must be a list of names")
        kind = props.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise AssessmentError(f"{where} ({name}): properties.kind must be text")
        names = sorted({normalise(n) for n in [name, *aliases] if normalise(n)})
        rows.append({"name": name.strip(), "names": names, "kind": kind, "lat": lat, "lon": lon, "properties": props})
    return rows


def load(db, path: Path, replace: bool = False) -> int:  # noqa: ANN001
    """Store the military objects of a GeoJSON file (all or none); with `replace`, the objects loaded
    before are removed first. An object already stored (same name and point) is not added twice.
    Returns how many were added. Flags are recomputed for every incident afterwards."""
    rows = _features(Path(path))
    now = datetime.now(timezone.utc)
    with db.session(write=True) as s:
        if replace:
            s.execute(delete(MilitaryObject))
        have = {(o.name, round(o.lat, 6), round(o.lon, 6)) for o in s.scalars(select(MilitaryObject))}
        added = 0
        for r in rows:
            key = (r["name"], round(r["lat"], 6), round(r["lon"], 6))
            if key in have:
                continue
            have.add(key)
            s.add(MilitaryObject(source=str(path), loaded_at=now, **r))
            added += 1
        s.flush()
        from .flags import refresh_flags
        refresh_flags(s, None)
    return added


def locate(objects: list[MilitaryObject], name: str) -> MilitaryPoint | None:
    """The loaded object whose name or alias is `name` (normalised), else None."""
    key = normalise(name)
    for o in objects:
        if key in (o.names or []):
            return MilitaryPoint(o.name, o.kind, o.lat, o.lon, o.source)
    return None


def listing(db) -> list[MilitaryPoint]:  # noqa: ANN001
    with db.session() as s:
        return [MilitaryPoint(o.name, o.kind, o.lat, o.lon, o.source)
                for o in s.scalars(select(MilitaryObject).order_by(MilitaryObject.name))]
