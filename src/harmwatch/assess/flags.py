"""IHL screening flags: what in an incident's claims an investigator may want to assess.

A flag is never a verdict. Each carries its kind, a plain-language reason and the claims and quotes
behind it. Kinds (docs/assessment.md says what each does and does not mean):

    protected_object     the sources report a specially protected object hit: hospital, school,
                         kindergarten, ambulance, shelter, religious, cultural, humanitarian
    wide_area_populated  an explosive weapon with wide-area effects used in a populated place
                         (the catalogue's area effect high or very high, or a rocket artillery,
                         missile or air-bomb class; population from the gazetteer)
    cluster_populated    cluster munitions reported in a populated place
    inaccurate_weapon    an inaccurate weapon used where civilians were harmed (the catalogue or the
                         report says it is inaccurate), or a stated likely target elsewhere: then its
                         distance from the incident's point and P(miss >= d) = 2^-(d/CEP)^2

Flags are recomputed whenever their incident is rewritten (resolve/service.write_incidents), and
dropped with it when a writer deletes it (`drop_flags`; a full run clears them all). An
analyst dismisses a flag with a reason (audited); the dismissal holds while the recomputed flag has
the same basis (the same facts behind it), and lapses when they change.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import delete, func, select

from .. import settings
from ..errors import AssessmentError
from ..store.models import (AssessmentFlag, Claim, FlagDismissal, Incident as IncidentRow, MilitaryObject, Place,
                            Source)
from .profile import WeaponProfile, catalogue_ceps, cep_words, weapon_profile
from .target import StatedTarget, distance_m, find_targets

KINDS = {
    "protected_object": "Protected object hit",
    "wide_area_populated": "Explosive weapon with wide-area effects in a populated place",
    "cluster_populated": "Cluster munitions in a populated place",
    "inaccurate_weapon": "Inaccurate weapon near civilians",
}
PROTECTED = ("hospital", "school", "kindergarten", "ambulance", "shelter", "religious", "cultural", "humanitarian")
# without a catalogue entry, these classes count as explosive weapons with wide-area effects (ICRC 2022)
WIDE_AREA_CLASSES = ("ballistic_missile", "cruise_missile", "rocket_artillery", "air_bomb")
WIDE_AREA_EFFECTS = ("high", "very_high")
ASSESS = "for an investigator to assess"
_INACCURATE = re.compile(r"\b(?:(?:highly|extremely|very|notoriously|wildly)\s+)?(?:inaccurate|imprecise|unguided)\b"
                         r"|\bmiss(?:ing|es|ed)?\s+(?:their|its)\s+targets?\b", re.IGNORECASE)
_ARTICLE = {"ambulance": "an ambulance", "humanitarian": "a humanitarian site or convoy",
            "religious": "a religious building", "cultural": "a cultural site", "shelter": "a shelter"}
_CHUNK = 500


@dataclass(frozen=True)
class Flag:
    id: str
    incident_id: str
    kind: str
    title: str
    reason: str
    evidence: dict  # {"quotes": [{claim, field, quote, start, end}], ...figures behind the flag}
    basis: str
    computed_at: str | None = None
    dismissed: dict | None = None  # {reason, actor, at} while a dismissal of this basis stands

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ClaimFacts:
    key: str
    evidence: dict
    passage: str
    start: int | None  # where the passage starts in the source text


@dataclass
class IncidentFacts:
    id: str
    place: str | None
    lat: float | None
    lon: float | None
    weapon: str | None
    weapon_class: str
    cluster: bool | None
    objects: list[str]
    killed: int | None
    injured: int | None
    population: int | None = None  # of the gazetteer place, when it is a settlement
    settlement: bool = False
    claims: list[ClaimFacts] = field(default_factory=list)


def _quotes(inc: IncidentFacts, fields: Iterable[str]) -> list[dict]:
    out = []
    wanted = list(fields)
    for c in inc.claims:
        for f in wanted:
            ev = (c.evidence or {}).get(f)
            if isinstance(ev, dict) and ev.get("quote"):
                out.append({"claim": c.key, "field": f, "quote": ev["quote"], "start": ev.get("start"),
                            "end": ev.get("end")})
    return out


def _said(quotes: list[dict], limit: int = 2) -> str:
    seen, parts = set(), []
    for q in quotes:
        if q["quote"].lower() in seen:
            continue
        seen.add(q["quote"].lower())
        parts.append(f"\u201c{q['quote']}\u201d ({q['claim']})")
        if len(parts) == limit:
            break
    return "; ".join(parts)


def _make(inc: IncidentFacts, kind: str, reason: str, evidence: dict) -> Flag:
    basis = hashlib.sha256(json.dumps({"kind": kind, "evidence": evidence}, sort_keys=True, default=str)
                           .encode()).hexdigest()
    fid = "flg-" + hashlib.sha256(f"{inc.id}|{kind}|{basis}".encode()).hexdigest()[:16]
    return Flag(id=fid, incident_id=inc.id, kind=kind, title=KINDS[kind], reason=reason, evidence=evidence, basis=basis)


def _populated(inc: IncidentFacts, minimum: int) -> tuple[bool, str]:
    if not inc.settlement or inc.population is None:
        return False, ""
    if inc.population < minimum:
        return False, ""
    pop = (f"population {inc.population:,} in the gazetteer" if inc.population
           else "a settlement; the gazetteer records no population")
    return True, f"{inc.place} ({pop})"


def _civilians(inc: IncidentFacts) -> str | None:
    """What the claims say civilians suffered: objects other than military ones, people killed or injured."""
    parts = [o for o in inc.objects if o != "military"]
    if inc.killed:
        parts.append(f"{inc.killed} killed")
    if inc.injured:
        parts.append(f"{inc.injured} injured")
    return ", ".join(parts) or None


def _p_text(d: float, cep: tuple[float, float]) -> tuple[dict, str]:
    lo, hi = cep
    out = {"cep_m": [lo, hi]}
    words = []
    for name, c in (("low", lo), ("high", hi)):
        log10p = -((d / c) ** 2) * math.log10(2)
        out[f"p_miss_at_cep_{name}"] = 2.0 ** (-((d / c) ** 2))
        out[f"log10_p_at_cep_{name}"] = round(log10p, 3)
        words.append(_prob(log10p))
    text = words[0] if lo == hi else f"between {words[1]} (CEP {hi:g} m) and {words[0]} (CEP {lo:g} m)"
    return out, text


def _prob(log10p: float) -> str:
    if log10p > -4:
        return f"{10 ** log10p:.4f}"
    return f"about 10^{math.floor(log10p)}" if log10p > -300 else f"below 10^-300 (10^{math.floor(log10p)})"


def assess(inc: IncidentFacts, profile: WeaponProfile, targets: list[tuple[StatedTarget, dict | None]],
           populated_min: int = 0) -> list[Flag]:
    """The flags of one incident (pure: the caller gathers the facts). `targets` pairs each stated
    likely target with where it was located ({name, lat, lon, how}) or None."""
    flags: list[Flag] = []
    populated, where = _populated(inc, populated_min)
    place_q = _quotes(inc, ["place"])

    hit = [o for o in PROTECTED if o in inc.objects]
    if hit:
        quotes = _quotes(inc, [f"objects.{o}" for o in hit])
        what = ", ".join(_ARTICLE.get(o, f"a {o}") for o in hit)
        flags.append(_make(inc, "protected_object",
                           f"The sources report that {what} was hit or damaged: {_said(quotes)}. Such objects are "
                           f"specially protected by international humanitarian law unless used for military ends. "
                           f"Whether the object was hit, was the target, or had lost its protection is {ASSESS}.",
                           {"objects": hit, "quotes": quotes}))

    wide = ((profile.area_effect in WIDE_AREA_EFFECTS) if profile.weapon_id
            else profile.weapon_class in WIDE_AREA_CLASSES)
    if wide and populated:
        quotes = _quotes(inc, ["weapon"]) + place_q
        basis_w = (f"the catalogue rates its area effect {profile.area_effect.replace('_', ' ')}" if profile.weapon_id
                   else f"its class, {profile.weapon_class.replace('_', ' ')}, counts as wide-area")
        flags.append(_make(inc, "wide_area_populated",
                           f"{profile.weapon or 'A ' + profile.weapon_class.replace('_', ' ')} was reported used in "
                           f"{where}: {_said(quotes, 3)}. It is an explosive weapon with wide-area effects "
                           f"({basis_w}). Whether its use there was indiscriminate is {ASSESS}; the flag does not "
                           f"say where in the place it struck.",
                           {"weapon": profile.weapon, "weapon_class": profile.weapon_class,
                            "area_effect": profile.area_effect, "place": inc.place, "population": inc.population,
                            "quotes": quotes}))

    if inc.cluster and populated:
        quotes = _quotes(inc, ["cluster"]) + place_q
        flags.append(_make(inc, "cluster_populated",
                           f"The sources report cluster munitions used in {where}: {_said(quotes, 3)}. Cluster "
                           f"munitions scatter submunitions over a wide area and leave duds. Whether they were used, "
                           f"and whether their use there was indiscriminate, is {ASSESS}.",
                           {"place": inc.place, "population": inc.population, "quotes": quotes}))

    civ = _civilians(inc)
    stated = []
    for c in inc.claims:
        for m in _INACCURATE.finditer(c.passage or ""):
            s = (c.start or 0) + m.start()
            stated.append({"claim": c.key, "field": "inaccuracy", "quote": m.group(), "start": s, "end": s + len(m.group())})
    said_inaccurate = bool(profile.accuracy_text and not profile.cep_m) or bool(stated)
    if civ and (targets or (said_inaccurate and profile.weapon_class != "unknown")):
        ev: dict = {"weapon": profile.weapon, "weapon_class": profile.weapon_class, "civilian_harm": civ,
                    "cep_note": profile.cep_note, "quotes": stated + _quotes(inc, ["weapon"])}
        parts = []
        if profile.accuracy_text:
            parts.append(f"the weapon catalogue says of {profile.weapon}: \u201c{profile.accuracy_text}\u201d "
                         f"({profile.accuracy_source})")
        if stated:
            parts.append(f"the report says {_said(stated)}")
        cls = profile.weapon_class.replace("_", " ")
        lines = [f"{profile.weapon} ({cls}; {cep_words(profile.cep_m)}) was used where civilians were harmed ({civ})."
                 if profile.weapon else
                 f"A weapon not identified by name (class: {cls}) was used where civilians were harmed ({civ})."]
        if parts:
            lines.append("It is described as inaccurate: " + "; ".join(parts) + ".")
        ev["targets"] = []
        for t, loc in targets:
            te = {"name": t.name, "quote": t.quote, "claim": t.claim, "start": t.start, "end": t.end, "located": loc}
            line = f"The sources state a likely target: \u201c{t.quote}\u201d ({t.claim})."
            if loc and inc.lat is not None and inc.lon is not None:
                d = distance_m(inc.lat, inc.lon, loc["lat"], loc["lon"])
                te["distance_m"] = round(d, 1)
                line += (f" {loc['name']} is located {loc['how']} at {d / 1000:.2f} km from the incident's point "
                         f"(the point of {inc.place}, which the claims name; where in it the civilian object hit "
                         f"lies is not known, so the distance is approximate).")
                if profile.cep_m:
                    pe, words = _p_text(d, profile.cep_m)
                    te.update(pe)
                    line += (f" Under {profile.weapon}'s published {cep_words(profile.cep_m)}, the chance of a miss "
                             f"at least that large, P = 2^-(d/CEP)^2, is {words}.")
                else:
                    line += f" No CEP for the weapon ({profile.cep_note}), so no miss probability."
                    alts = []
                    for name, cep, src in catalogue_ceps():
                        pe, words = _p_text(d, cep)
                        alts.append({"weapon": name, "source": src, **pe})
                        line += (f" Were it {name} ({cep_words(cep)}, published; not reported here), "
                                 f"P(miss \u2265 {d / 1000:.2f} km) would be {words}.")
                    te["if_catalogue_cep"] = alts
            elif loc:
                line += f" It is located ({loc['how']}), but the incident has no point, so no distance."
            else:
                line += (" It could not be located (not among the loaded military objects, nor a gazetteer place "
                         "apart from the incident's own): load them with `harmwatch objects load FILE`.")
            lines.append(line)
            ev["targets"].append(te)
        lines.append(f"Whether the attack was indiscriminate is {ASSESS}.")
        flags.append(_make(inc, "inaccurate_weapon", " ".join(lines), ev))
    return flags


# --- database side -----------------------------------------------------------------------------------

def _chunks(items: list, size: int = _CHUNK) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _locate(t: StatedTarget, objects: list[MilitaryObject], inc: IncidentFacts) -> dict | None:
    from .objects import locate
    p = locate(objects, t.name)
    if p is not None:
        return {"name": p.name, "lat": p.lat, "lon": p.lon, "how": f"from the loaded military objects ({p.source})"}
    from ..geo import Gazetteer
    try:
        m = Gazetteer.default().geocode(t.name)
    except Exception:  # noqa: BLE001 - no gazetteer: the target stays unlocated
        return None
    if m is None or m.place is None or m.lat is None or m.place.name == inc.place:
        return None  # only the settlement it is named after, where the incident is already placed
    return {"name": m.place.name, "lat": m.lat, "lon": m.lon,
            "how": f"only as the gazetteer place {m.place.name} (not the object itself)"}


def gather(s, ids: list[str]) -> list[IncidentFacts]:  # noqa: ANN001
    """The facts of these incidents, read in the caller's session."""
    facts: dict[str, IncidentFacts] = {}
    places: dict[str, int | None] = {}
    conn = s.connection()  # plain rows (refresh_flags flushed the session first)
    for chunk in _chunks(ids):
        # the columns read, not the mapped row: its `detail` (claims, links and their features) is not needed
        for r in conn.execute(select(IncidentRow.id, IncidentRow.place, IncidentRow.lat, IncidentRow.lon,
                                  IncidentRow.weapon, IncidentRow.weapon_class, IncidentRow.cluster,
                                  IncidentRow.objects, IncidentRow.killed_best, IncidentRow.injured_best,
                                  IncidentRow.geonameid).where(IncidentRow.id.in_(chunk))):
            facts[r.id] = IncidentFacts(r.id, r.place, r.lat, r.lon, r.weapon, r.weapon_class or "unknown", r.cluster,
                                        list(r.objects or []), r.killed_best, r.injured_best)
            places[r.id] = r.geonameid
        length = Claim.span_end - Claim.span_start
        q = (select(Claim.incident_id, Source.doc_id, Claim.ordinal, Claim.evidence, Claim.span_start,
                    func.substr(Source.text, Claim.span_start + 1, length))
             .join(Source, Claim.source_id == Source.id).where(Claim.incident_id.in_(chunk))
             .order_by(Source.doc_id, Claim.ordinal))
        for iid, doc, ordinal, evidence, start, passage in conn.execute(q):
            if iid in facts:
                facts[iid].claims.append(ClaimFacts(f"{doc}#{ordinal}", evidence or {}, passage or "", start))
    gids = sorted({g for g in places.values() if g is not None})
    pl = {}
    for chunk in _chunks(gids):
        pl.update({p.geonameid: p for p in s.scalars(select(Place).where(Place.geonameid.in_(chunk)))})
    for iid, g in places.items():
        p = pl.get(g)
        if p is not None:
            facts[iid].population = p.population or 0
            facts[iid].settlement = (p.feature_code or "").startswith("PPL")
    return [facts[i] for i in ids if i in facts]


def drop_flags(s, incident_ids: Iterable[str]) -> None:  # noqa: ANN001
    """Remove the stored flags of these incidents (in the caller's write transaction): a writer
    that deletes incident rows calls it with the ids it deleted, so no flag outlives its incident
    without a sweep of the whole flags table. Dismissals are kept (they lapse by basis)."""
    gone = set(incident_ids)
    for row in [o for o in s.identity_map.values() if isinstance(o, AssessmentFlag) and o.incident_id in gone]:
        s.expunge(row)  # so the statement below need not match the session's objects one by one
    for chunk in _chunks(sorted(gone)) if gone else ():
        s.execute(delete(AssessmentFlag).where(AssessmentFlag.incident_id.in_(chunk))
                  .execution_options(synchronize_session=False))


def refresh_flags(s, incident_ids: Iterable[str] | None) -> int:  # noqa: ANN001
    """Recompute the flags of these incidents (None: every incident, and no flag of a deleted
    incident is left) in the caller's write transaction. With ids, only those incidents' flags are
    touched: flags of incidents the caller deleted go with `drop_flags`. Returns how many were written."""
    ids = sorted(set(incident_ids)) if incident_ids is not None else list(s.scalars(select(IncidentRow.id)))
    s.flush()
    if incident_ids is None:
        s.execute(delete(AssessmentFlag))
    else:
        drop_flags(s, ids)
    if not ids:
        return 0
    minimum = int(settings.POPULATED_MIN.number() or 0)
    objects = list(s.scalars(select(MilitaryObject)))
    now = datetime.now(timezone.utc)
    rows = []
    for inc in gather(s, ids):
        profile = weapon_profile(inc.weapon, inc.weapon_class, inc.cluster)
        targets = []
        seen = set()
        for c in inc.claims:
            for t in find_targets(c.passage, c.start or 0, c.key):
                if t.name.lower() not in seen:
                    seen.add(t.name.lower())
                    targets.append((t, _locate(t, objects, inc)))
        rows += [{"id": f.id, "incident_id": f.incident_id, "kind": f.kind, "reason": f.reason, "evidence": f.evidence,
                  "basis": f.basis, "computed_at": now} for f in assess(inc, profile, targets, minimum)]
    for chunk in _chunks(rows, 5000) if rows else ():  # executemany (the ORM's unit of work cost a third as much again)
        s.execute(AssessmentFlag.__table__.insert(), chunk)
    return len(rows)


def _flag(row: AssessmentFlag, dismissal: FlagDismissal | None) -> Flag:
    return Flag(id=row.id, incident_id=row.incident_id, kind=row.kind, title=KINDS.get(row.kind, row.kind),
                reason=row.reason, evidence=row.evidence or {}, basis=row.basis,
                computed_at=row.computed_at.isoformat() if row.computed_at else None,
                dismissed={"reason": dismissal.reason, "actor": dismissal.actor, "at": dismissal.at.isoformat()}
                if dismissal else None)


def flags(db, incident_id: str | None = None, kind: str | None = None,  # noqa: ANN001
          include_dismissed: bool = True) -> list[Flag]:
    """Stored flags (of one incident, of one kind), each with its standing dismissal if any."""
    if kind is not None and kind not in KINDS:
        raise AssessmentError(f"unknown flag kind {kind!r}: one of {', '.join(KINDS)}")
    with db.session() as s:
        q = select(AssessmentFlag).order_by(AssessmentFlag.incident_id, AssessmentFlag.kind)
        if incident_id is not None:
            q = q.where(AssessmentFlag.incident_id == incident_id)
        if kind is not None:
            q = q.where(AssessmentFlag.kind == kind)
        rows = list(s.scalars(q))
        dis: dict[str, FlagDismissal] = {}
        for chunk in _chunks([r.id for r in rows]) if rows else ():  # most incidents have no flag
            for d in s.scalars(select(FlagDismissal).where(FlagDismissal.flag_id.in_(chunk)).order_by(FlagDismissal.at)):
                dis[d.flag_id] = d  # the latest
        out = [_flag(r, dis.get(r.id)) for r in rows]
    return [f for f in out if include_dismissed or not f.dismissed]


def dismiss(db, flag_id: str, reason: str | None, actor: str) -> Flag:  # noqa: ANN001
    """Dismiss a flag with a reason (required), written to the audit log in the same transaction."""
    from ..audit.chain import append
    from ..text_checks import TextError, visible_reason
    try:
        reason = visible_reason(reason, required=True)
    except TextError as e:
        raise AssessmentError(f"a dismissal needs a reason: {e}") from e
    with db.session(write=True) as s:
        row = s.get(AssessmentFlag, flag_id)
        if row is None:
            raise AssessmentError(f"no flag {flag_id!r} (see `harmwatch flags`)")
        d = FlagDismissal(flag_id=row.id, incident_id=row.incident_id, kind=row.kind, basis=row.basis, reason=reason,
                          actor=actor, at=datetime.now(timezone.utc))
        s.add(d)
        append(s, actor, "flag.dismiss", "incident", row.incident_id, field=row.kind, old=None,
               new={"flag": row.id, "basis": row.basis}, reason=reason)
        s.flush()
        return _flag(row, d)
