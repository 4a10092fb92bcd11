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
**contested** when a source reports a denial of THIS attack (resolve/denials.py ties a denial to
the claim's place, passage or object hit; boilerplate such as "denies targeting civilians" does
not count); **confirmed** with two or more independent origins of which one is authoritative
(investigator or official), or when an admin confirmed it by override with a reason (an analyst's
"verify" alone does not make it confirmed); **fair** with two or more independent origins, or one
investigator; **weak** otherwise (one origin). `grade_reasons` says why, in plain words.

Precision codes, in the manner of ACLED: geo_precision 1 = a settlement's point, 2 = the
claims name different settlements close together (the point of the most cited one), or a
settlement the gazetteer has no point for (placed approximately at its hromada, else raion, centre;
lat/lon null only when even that is unknown), 3 = only the oblast is known; time_precision 1 = one day, 2 = the claims differ by a day,
3 = no day known.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from .model import ClaimRef

FIELDS = ("killed", "injured", "children_killed")  # incident columns (low/best/high), editable
EXTRA_FIELDS = ("children_injured", "women_killed", "healthcare_killed", "healthcare_injured")  # in detail
VICTIM_FIELDS = FIELDS + EXTRA_FIELDS
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
    victims: dict[str, Range] = field(default_factory=dict)  # EXTRA_FIELDS -> Range
    grade_reasons: list[str] = field(default_factory=list)  # why the grade, in plain words
    withheld: list[dict] = field(default_factory=list)  # {"claim", "field", "reason"} values a claim withholds
    first_seen: datetime | None = None  # earliest retrieval of its sources

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
            "perpetrator": self.perpetrator, **{f: r.to_dict() for f, r in self.victims.items()},
            "grade_reasons": list(self.grade_reasons), "withheld": list(self.withheld),
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
              discounted: bool = False, verified: bool = False, confirmed_by: str | None = None) -> Incident:
    """`verified`: an analyst reviewed it (status); `confirmed_by`: an admin's override making it
    confirmed whatever the rules say (the text names who and why)."""
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
    inc.victims = {name: _range(name, members, inc) for name in EXTRA_FIELDS}
    inc.denials = [{"claim": c.key, "doc_id": c.doc_id, "quote": c.denied, "why": c.denied_why}
                   for c in members if c.denied]
    inc.withheld = [{"claim": c.key, "field": f, "reason": why} for c in members for f, why in c.uncertain]
    seen = [c.retrieved_at for c in members if c.retrieved_at is not None]
    inc.first_seen = min(seen) if seen else None
    inc.grade, inc.grade_reasons = _grade(inc, members, discounted, confirmed_by)
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
        else:  # a village the gazetteer has no point for: its hromada (else raion) centre, approximate
            gid = _majority([c.geonameid for c in members if c.geonameid is not None])
            pt = _approx_point(gid) if gid is not None else None
            if pt:
                inc.lat, inc.lon, inc.geonameid = pt[0], pt[1], gid
        # a village the gazetteer knows only by name: its settlement is known, its point is not
        inc.geo_precision = 2 if inc.place else (3 if inc.admin1 else None)


def _approx_point(geonameid: int) -> tuple[float, float] | None:
    """The hromada (else raion) centre of a place without a point of its own (geo/gazetteer.py)."""
    from ..errors import GazetteerError
    from ..geo import Gazetteer
    try:
        return Gazetteer.default().approx_point(geonameid)
    except GazetteerError:  # no gazetteer at hand: the incident keeps no point rather than failing
        return None


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


_AUTHORITY = {3: "an investigator (UN monitors, human-rights groups)", 2: "an official", 1: "media"}


def confirm_rule_holds(inc: Incident, members: list[ClaimRef]) -> bool:
    """The rule for "confirmed": two or more independent origins, one of them authoritative."""
    top = max((authority(c) for c in members), default=1)
    return inc.independent_sources >= 2 and top >= 2


def _grade(inc: Incident, members: list[ClaimRef], discounted: bool, confirmed_by: str | None) -> tuple[str, list[str]]:
    """The grade and why, in plain words (shown on the incident page)."""
    n, docs = inc.independent_sources, inc.sources
    top_claim = max(members, key=lambda c: (authority(c), c.key), default=None)
    top = authority(top_claim) if top_claim else 1
    who = (top_claim.said_by or top_claim.publisher or top_claim.doc_id) if top_claim else None
    count = (f"{n} independent source{'s' if n != 1 else ''}" +
             (f" ({docs} documents, {docs - n} of them re-reporting another)" if docs > n else ""))
    best = f"the most authoritative is {_AUTHORITY[top]}" + (f": {who}" if who and top > 1 else "")
    if discounted:
        return "discounted", ["an analyst discounted it (see the history for the reason)"]
    if inc.denials:
        d = inc.denials[0]
        why = f" ({d['why']})" if d.get("why") else ""
        return "contested", [f"{d['doc_id']} reports a denial of this attack{why}: “{d['quote']}”", count]
    if confirmed_by:
        return "confirmed", [f"confirmed by an admin's override: {confirmed_by}", count, best]
    if n >= 2 and top >= 2:
        return "confirmed", [count, best, "two or more independent sources, one of them an official or investigator"]
    if n >= 2:
        return "fair", [count, "two or more independent sources, but none of them an official or investigator"]
    if top >= 3:
        return "fair", [count, best, "one source, but an investigator"]
    return "weak", [count, best, "one source only"]
