"""One incident from its claims: resolved fields, casualty ranges, disagreements, grade.

Casualty figures (killed, injured, children_killed), per field:

- each independent origin contributes one figure: the one in its latest-published claim
  that gives the field (a newer report of the same origin supersedes its older one; a new
  version of the same document already replaced the old one at ingest);
- **low** = the smallest of those figures, **high** = the largest;
- **best** = the figure of the most authoritative origin (UN monitors and human-rights
  investigators, then officials, then media), the latest-published among equals, the larger
  among equally recent ones.

Grade (after Airwars' scale): **discounted** when an analyst discounted the incident;
**contested** when a source reports a denial of the attack; **confirmed** with two or more
independent origins of which one is authoritative (investigator or official); **fair** with
two or more independent origins, or one investigator; **weak** otherwise (one origin).

Precision codes, in the manner of ACLED: geo_precision 1 = a settlement's point, 2 = the
claims name different settlements close together (the point of the most cited one), or a
settlement the gazetteer has no point for (lat/lon null), 3 = only the oblast is known; time_precision 1 = one day, 2 = the claims differ by a day,
3 = no day known.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .model import ClaimRef

FIELDS = ("killed", "injured", "children_killed")
_INVESTIGATOR = re.compile(r"\b(UN|U\.N\.|OHCHR|HRMMU|United Nations|monitoring mission|Amnesty|Human Rights Watch|HRW|"
                           r"Airwars|Bellingcat|OSCE|ICRC|Red Cross|Médecins|MSF|investigat\w+)\b", re.IGNORECASE)
_OFFICIAL = re.compile(r"\b(governor|mayor|ministry|minister|police|prosecutor|emergency service|SES|military administration|"
                       r"president|council|officials?|authorities|head of|regional administration|railway|Ukrzaliznytsia)\b",
                       re.IGNORECASE)


def authority(c: ClaimRef) -> int:
    """3 investigators, 2 officials, 1 media or unknown."""
    text = " ".join(x for x in (c.said_by, c.publisher) if x)
    if _INVESTIGATOR.search(text):
        return 3
    if c.said_by and _OFFICIAL.search(c.said_by):
        return 2
    return 1


@dataclass
class Range:
    low: int | None = None
    best: int | None = None
    high: int | None = None

    def to_dict(self) -> dict:
        return {"low": self.low, "best": self.best, "high": self.high}


@dataclass
class Incident:
    id: str
    claims: list[str]
    date: str | None = None
    time: str | None = None
    place: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    geo_precision: int | None = None
    time_precision: int | None = None
    weapon: str | None = None
    weapon_class: str = "unknown"
    cluster: bool | None = None
    objects: list[str] = field(default_factory=list)
    killed: Range = field(default_factory=Range)
    injured: Range = field(default_factory=Range)
    children_killed: Range = field(default_factory=Range)
    sources: int = 0
    independent_sources: int = 0
    source_docs: list[str] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # doc_id -> origin doc_id
    grade: str = "weak"
    perpetrator: str | None = None  # the alleged perpetrator most claims name
    disagreements: list[dict] = field(default_factory=list)
    denials: list[dict] = field(default_factory=list)
    status: str = "unreviewed"

    def to_dict(self) -> dict:
        return {
            "id": self.id, "date": self.date, "time": self.time, "place": self.place, "admin1": self.admin1,
            "lat": self.lat, "lon": self.lon, "geonameid": self.geonameid, "geo_precision": self.geo_precision,
            "time_precision": self.time_precision, "weapon": self.weapon, "weapon_class": self.weapon_class,
            "cluster": self.cluster, "objects": list(self.objects),
            **{f: getattr(self, f).to_dict() for f in FIELDS},
            "sources": self.sources, "independent_sources": self.independent_sources,
            "source_docs": list(self.source_docs), "grade": self.grade, "status": self.status,
            "disagreements": self.disagreements, "denials": self.denials, "claims": list(self.claims),
            "perpetrator": self.perpetrator,
        }


def _latest_key(c: ClaimRef) -> tuple:
    return (c.published or date.min, c.key)


def _majority(values: list, prefer=None):
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    counts = Counter(vals)
    return max(counts, key=lambda v: (counts[v], prefer(v) if prefer else 0, str(v)))


def summarise(incident_id: str, members: list[ClaimRef], origins: dict[str, str],
              discounted: bool = False, verified: bool = False) -> Incident:
    members = sorted(members, key=lambda c: c.key)
    inc = Incident(id=incident_id, claims=[c.key for c in members])
    _when(inc, members)
    _where(inc, members)
    _what(inc, members)
    inc.source_docs = sorted({c.doc_id for c in members})
    inc.origins = {d: origins.get(d, d) for d in inc.source_docs}
    inc.sources = len(inc.source_docs)
    inc.independent_sources = len(set(inc.origins.values()))
    for name in FIELDS:
        setattr(inc, name, _range(name, members, inc))
    inc.denials = [{"claim": c.key, "doc_id": c.doc_id, "quote": c.denied} for c in members if c.denied]
    inc.grade = _grade(inc, members, discounted, verified)
    inc.status = "discounted" if discounted else ("verified" if verified else "unreviewed")
    return inc


def _when(inc: Incident, members: list[ClaimRef]) -> None:
    dates = [c.date for c in members if c.date]
    if dates:
        d = _majority(dates, prefer=lambda v: -v.toordinal())
        inc.date = d.isoformat()
        inc.time_precision = 1 if len(set(dates)) == 1 else 2
        if len(set(dates)) > 1:
            inc.disagreements.append({"field": "date", "values": _who(members, lambda c: c.date.isoformat() if c.date else None)})
    else:
        inc.time_precision = 3 if members else None
    mins = [c.minutes for c in members if c.minutes is not None]
    if mins:
        m = _majority(mins, prefer=lambda v: -v)
        inc.time = f"{m // 60:02d}:{m % 60:02d}"


def _where(inc: Incident, members: list[ClaimRef]) -> None:
    placed = [c for c in members if c.lat is not None and c.geonameid is not None]
    if placed:
        gid = _majority([c.geonameid for c in placed], prefer=lambda g: max(authority(c) for c in placed if c.geonameid == g))
        top = next(c for c in placed if c.geonameid == gid)
        inc.place, inc.admin1, inc.lat, inc.lon, inc.geonameid = top.place, top.admin1, top.lat, top.lon, gid
        inc.geo_precision = 1 if len({c.geonameid for c in placed}) == 1 else 2
        if inc.geo_precision == 2:
            inc.disagreements.append({"field": "place", "values": _who(placed, lambda c: c.place)})
    else:
        pointed = [c for c in members if c.lat is not None]
        inc.admin1 = _majority([c.admin1 for c in members])
        inc.place = _majority([c.place for c in members])
        if pointed:
            inc.lat, inc.lon = pointed[0].lat, pointed[0].lon
        # a village the gazetteer knows only by name: its settlement is known, its point is not
        inc.geo_precision = 2 if inc.place else (3 if inc.admin1 else None)


def _what(inc: Incident, members: list[ClaimRef]) -> None:
    classes = [c.weapon_class for c in members if c.weapon_class != "unknown"]
    inc.weapon_class = _majority(classes, prefer=lambda v: 0) or "unknown"
    if len(set(classes)) > 1:
        inc.disagreements.append({"field": "weapon_class", "values": _who(members, lambda c: None if c.weapon_class == "unknown" else c.weapon_class)})
    named = [c.weapon for c in members if c.weapon and c.weapon_class == inc.weapon_class]
    inc.weapon = _majority(named, prefer=lambda w: len(w))
    actors = [c.perpetrator for c in members if c.perpetrator]
    inc.perpetrator = _majority(actors)
    if len(set(actors)) > 1:
        inc.disagreements.append({"field": "perpetrator", "values": _who(members, lambda c: c.perpetrator)})
    flags = [c.cluster for c in members if c.cluster is not None]
    inc.cluster = True if any(flags) else (False if flags else None)
    seen: list[str] = []
    for c in members:
        for o in sorted(c.objects):
            if o not in seen:
                seen.append(o)
    inc.objects = seen


def _who(members: list[ClaimRef], get) -> list[dict]:
    out = []
    for c in sorted(members, key=_latest_key):
        v = get(c)
        if v is not None:
            out.append({"value": v, "claim": c.key, "doc_id": c.doc_id, "said_by": c.said_by,
                        "published": c.published.isoformat() if c.published else None})
    return out


def _range(name: str, members: list[ClaimRef], inc: Incident) -> Range:
    per_origin: dict[str, ClaimRef] = {}
    for c in sorted(members, key=_latest_key):
        if getattr(c, name) is not None:
            per_origin[inc.origins.get(c.doc_id, c.doc_id)] = c  # the latest wins
    if not per_origin:
        return Range()
    values = [getattr(c, name) for c in per_origin.values()]
    best = max(per_origin.values(), key=lambda c: (authority(c), c.published or date.min, getattr(c, name)))
    given = [c for c in members if getattr(c, name) is not None]
    if len({getattr(c, name) for c in given}) > 1:
        inc.disagreements.append({"field": name, "values": _who(given, lambda c: getattr(c, name))})
    return Range(min(values), getattr(best, name), max(values))


def _grade(inc: Incident, members: list[ClaimRef], discounted: bool, verified: bool) -> str:
    if discounted:
        return "discounted"
    if inc.denials:
        return "contested"
    auth = {inc.origins.get(c.doc_id, c.doc_id): authority(c) for c in members}
    top = max(auth.values(), default=1)
    if verified or (inc.independent_sources >= 2 and top >= 2):
        return "confirmed"
    if inc.independent_sources >= 2 or top >= 3:
        return "fair"
    return "weak"
