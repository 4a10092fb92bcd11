"""Resolution on a database: read claims, score new pairs, cluster, write incidents.

    report = resolve(db)              # after ingest; incremental
    incidents(db)                     # list of Incident dicts
    show(db, "inc-…")                 # one incident with its claims, quotes and links
    merge(db, a, b, actor, reason)    # analyst decisions, audited, respected by later runs

Incremental: pairs are scored only for claims not scored before (``scored_claims``); stored
links (``claim_links``) of unchanged claims are reused, and a new version of a document drops
its old claims' links with them (ON DELETE CASCADE). Clustering then runs over all stored
links and decisions; it is cheap, and it makes the result independent of ingest order.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import delete, select, update

from ..errors import HarmWatchError
from ..store.models import Claim, ClaimLink, Decision as DecisionRow, Incident as IncidentRow, ScoredClaim, Source, SourceLink
from .independence import SourceRef, origins_within, source_graph
from .link import cluster, score_all
from .model import ClaimRef, Decision, Link
from .summary import FIELDS, Incident, summarise

_STOP = set("""a an the of in on at to and or but for with from by as is was were be been are it its this that these those
he she they them his her their there here which who whom whose what when where while after before during into
than then also not no said says according more least than about over some one two three people""".split())
_WORD = re.compile(r"[a-zа-яіїєґ]{3,}", re.IGNORECASE)
_DENIAL = re.compile(r"\b(?:denied|denies|deny|dismissed as|rejected (?:the )?(?:claims?|accusations?|reports?))\b",
                     re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")


class ResolutionError(HarmWatchError):
    """An analyst decision that cannot be applied (unknown incident or claim, nothing to split)."""


def _reason(reason: str | None, required: bool = False) -> str | None:
    """The decision's reason, trimmed; refused (ResolutionError) when it has no visible text."""
    from ..text_checks import TextError, visible_reason
    try:
        return visible_reason(reason, required=required)
    except TextError as e:
        raise ResolutionError(str(e)) from e


@dataclass
class ResolveReport:
    claims: int
    scored: int  # claims scored in this run (new or changed)
    links_added: int
    incidents: int
    source_links: int


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP)


def _minutes(hhmm: str | None) -> int | None:
    if not hhmm:
        return None
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _denials(text: str) -> list[tuple[int, str]]:
    """Sentences reporting a denial: found by the denial word, then widened to the sentence
    (a leading `[^.]*` in the pattern itself would rescan the text from every position)."""
    out, last_end = [], -1
    for m in _DENIAL.finditer(text):
        if m.start() < last_end:
            continue
        start = max((e.end() for e in _SENTENCE_END.finditer(text, max(0, m.start() - 400), m.start())), default=max(0, m.start() - 400))
        end_m = _SENTENCE_END.search(text, m.end())
        end = end_m.end() if end_m else len(text)
        out.append((start, text[start:end].strip()))
        last_end = end
    return out


def claim_refs(session) -> tuple[list[ClaimRef], dict[str, int], list[Source]]:
    """Every claim of every current source, as ClaimRef; also key -> claim id and the sources."""
    sources = list(session.scalars(select(Source).where(Source.is_current.is_(True)).order_by(Source.doc_id)))
    by_id = {s.id: s for s in sources}
    rows = session.scalars(select(Claim).where(Claim.source_id.in_(list(by_id))).order_by(Claim.source_id, Claim.ordinal)) \
        if by_id else []
    refs, ids = [], {}
    per_source: dict[int, list[Claim]] = {}
    for r in rows:
        per_source.setdefault(r.source_id, []).append(r)
    for sid, claims in per_source.items():
        src = by_id[sid]
        denials = _denials(src.text)
        for r in claims:
            key = f"{src.doc_id}#{r.ordinal}"
            passage = src.text[r.span_start:r.span_end] if r.span_start is not None else ""
            denied = _denial_for(r, claims, denials)
            refs.append(ClaimRef(
                key=key, doc_id=src.doc_id, date=date.fromisoformat(r.date) if r.date else None,
                minutes=_minutes(r.time), lat=r.lat, lon=r.lon, geonameid=r.geonameid, place=r.place, admin1=r.admin1,
                weapon=r.weapon, weapon_class=r.weapon_class or "unknown", cluster=r.cluster,
                objects=frozenset(r.objects or []), killed=r.killed, injured=r.injured, children_killed=r.children_killed,
                words=_words(passage), published=src.published, publisher=src.publisher, said_by=r.source_said,
                perpetrator=r.perpetrator, denied=denied, claim_id=r.id))
            ids[key] = r.id
    return refs, ids, sources


def _denial_for(r: Claim, claims: list[Claim], denials: list[tuple[int, str]]) -> str | None:
    """A denial reported in the claim's document that concerns this claim: one naming its place,
    or one naming no place of the document's claims (a general denial covers all of them)."""
    places = {c.place for c in claims if c.place}
    for _, sentence in denials:
        named = {p for p in places if p.lower() in sentence.lower()}
        if (r.place and r.place in named) or not named:
            return sentence
    return None


def _decisions(session) -> tuple[list[Decision], dict[str, str]]:
    """Link decisions, and the latest status decision per anchor claim key (field edits: see _edits)."""
    links, status = [], {}
    for d in session.scalars(select(DecisionRow).order_by(DecisionRow.id)):
        if d.kind in ("same", "different"):
            links.append(Decision(d.kind, d.a, d.b))
        elif d.kind != "edit":
            status[d.a] = d.kind
    return links, status


def resolve(db, full: bool = False) -> ResolveReport:
    """Bring incidents up to date with the stored claims (one write transaction)."""
    with db.session(write=True) as s:
        refs, ids, sources = claim_refs(s)
        if full:
            s.execute(delete(ClaimLink))
            s.execute(delete(ScoredClaim))
        done = set(s.scalars(select(ScoredClaim.claim_id)))
        new = {r.key for r in refs if r.claim_id not in done}
        new_links = score_all(refs, only=new) if new else []
        for link in new_links:
            s.add(ClaimLink(claim_a=ids[link.a], claim_b=ids[link.b], score=link.score, features=link.features))
        for key in new:
            s.add(ScoredClaim(claim_id=ids[key]))
        s.flush()
        key_of = {v: k for k, v in ids.items()}
        links = [Link(key_of[l.claim_a], key_of[l.claim_b], l.score, l.features)
                 for l in s.scalars(select(ClaimLink)) if l.claim_a in key_of and l.claim_b in key_of]
        decisions, status = _decisions(s)
        edits = _edits(s)
        res = cluster(refs, links, decisions)
        # source graph: only documents that share an incident can re-report each other's account of it
        docs_of: dict[str, set[str]] = {}
        for key, iid in res.incident_of.items():
            docs_of.setdefault(iid, set()).add(key.rsplit("#", 1)[0])
        pairs = {(a, b) for ds in docs_of.values() if len(ds) > 1 for a in ds for b in ds if a < b}
        shared = {d for p in pairs for d in p}
        edges = source_graph([SourceRef(x.doc_id, x.text, x.publisher, x.published) for x in sources
                              if x.doc_id in shared], pairs) if pairs else []
        s.execute(delete(SourceLink))
        for e in edges:
            s.add(SourceLink(doc_id=e.doc_id, origin=e.origin, kind=e.kind, score=e.score, evidence=e.evidence))
        by_key = {r.key: r for r in refs}
        s.execute(delete(IncidentRow))
        s.execute(update(Claim).values(incident_id=None))
        count = 0
        for iid, keys in res.members().items():
            members = [by_key[k] for k in keys]
            origins = origins_within({m.doc_id for m in members}, edges, {m.doc_id: m.publisher for m in members},
                                     {m.doc_id: m.published for m in members})
            st = status.get(min(keys))
            inc = summarise(iid, members, origins, discounted=st == "discount", verified=st == "verify")
            applied = _apply_edits(inc, [e for e in edits if e["anchor"] in keys])
            inc_links = [l for l in res.links if l.a in keys]
            row = _row(inc, inc_links)
            if applied:
                row.detail = {**row.detail, "edits": applied}
            s.add(row)
            count += 1
        if res.incident_of:  # one executemany (bulk UPDATE by primary key), not a statement per claim
            s.execute(update(Claim), [{"id": ids[k], "incident_id": iid} for k, iid in res.incident_of.items()])
    return ResolveReport(claims=len(refs), scored=len(new), links_added=len(new_links), incidents=count,
                         source_links=len(edges))


def _row(inc: Incident, links: list[Link]) -> IncidentRow:
    d = inc.to_dict()
    ranges = {f"{f}_{k}": getattr(inc, f).to_dict()[k] for f in FIELDS for k in ("low", "best", "high")}
    detail = {k: d[k] for k in ("claims", "source_docs", "disagreements", "denials", "perpetrator")}
    detail["origins"] = inc.origins
    detail["links"] = [{"a": l.a, "b": l.b, "score": l.score, "features": l.features} for l in links]
    return IncidentRow(id=inc.id, date=inc.date, time=inc.time, place=inc.place, admin1=inc.admin1, lat=inc.lat,
                       lon=inc.lon, geonameid=inc.geonameid, geo_precision=inc.geo_precision,
                       time_precision=inc.time_precision, weapon=inc.weapon, weapon_class=inc.weapon_class,
                       cluster=inc.cluster, objects=inc.objects, sources=inc.sources,
                       independent_sources=inc.independent_sources, grade=inc.grade, status=inc.status,
                       detail=detail, **ranges)


# --- reading -----------------------------------------------------------------------------------

def incident_dict(r: IncidentRow) -> dict:
    out = {
        "id": r.id, "date": r.date, "time": r.time, "place": r.place, "admin1": r.admin1, "lat": r.lat, "lon": r.lon,
        "geo_precision": r.geo_precision, "time_precision": r.time_precision, "weapon": r.weapon,
        "weapon_class": r.weapon_class, "cluster": r.cluster, "objects": list(r.objects or []),
    }
    for f in FIELDS:
        out[f] = {k: getattr(r, f"{f}_{k}") for k in ("low", "best", "high")}
    detail = r.detail or {}
    out.update(sources=r.sources, independent_sources=r.independent_sources, grade=r.grade, status=r.status,
               source_docs=detail.get("source_docs", []), claims=detail.get("claims", []),
               disagreements=detail.get("disagreements", []), denials=detail.get("denials", []),
               edits=detail.get("edits", []))
    return out


def incidents(db) -> list[dict]:
    with db.session() as s:
        rows = s.scalars(select(IncidentRow).order_by(IncidentRow.date, IncidentRow.place, IncidentRow.id))
        return [incident_dict(r) for r in rows]


def show(db, incident_id: str) -> dict:
    """One incident with every claim (its source, quotes) and the links that joined them."""
    with db.session() as s:
        r = s.get(IncidentRow, incident_id)
        if r is None:
            raise ResolutionError(f"no incident {incident_id!r} (see `harmwatch incidents`)")
        out = incident_dict(r)
        out["links"] = (r.detail or {}).get("links", [])
        out["origins"] = (r.detail or {}).get("origins", {})
        claims = []
        for row, src in s.execute(select(Claim, Source).join(Source, Claim.source_id == Source.id)
                                  .where(Claim.incident_id == incident_id).order_by(Source.doc_id, Claim.ordinal)):
            claims.append({
                "key": f"{src.doc_id}#{row.ordinal}", "doc_id": src.doc_id, "publisher": src.publisher,
                "published": src.published.isoformat() if src.published else None, "said_by": row.source_said,
                "date": row.date, "time": row.time, "place": row.place, "weapon": row.weapon,
                "weapon_class": row.weapon_class, "objects": row.objects, "killed": row.killed, "injured": row.injured,
                "children_killed": row.children_killed, "evidence": row.evidence,
                "passage": src.text[row.span_start:row.span_end] if row.span_start is not None else None,
            })
        out["claim_details"] = claims
        out["decisions"] = [{"kind": d.kind, "a": d.a, "b": d.b, "actor": d.actor, "reason": d.reason,
                             "at": d.at.isoformat()}
                            for d in s.scalars(select(DecisionRow).where(DecisionRow.a.in_(out["claims"]) |
                                                                         DecisionRow.b.in_(out["claims"])))]
        return out


# --- analyst decisions -------------------------------------------------------------------------

def _members(s, incident_id: str) -> list[str]:
    r = s.get(IncidentRow, incident_id)
    if r is None:
        raise ResolutionError(f"no incident {incident_id!r} (see `harmwatch incidents`)")
    return list((r.detail or {}).get("claims", []))


def _decide(s, kind: str, a: str, b: str | None, actor: str, reason: str | None) -> None:
    s.add(DecisionRow(kind=kind, a=a, b=b, actor=actor, reason=reason, at=datetime.now(timezone.utc)))


def _audit(s, actor: str, action: str, target: str, old, new, reason: str | None) -> None:
    from ..audit.chain import append
    append(s, actor, action, "incident", target, None, old, new, reason)


def merge(db, a: str, b: str, actor: str, reason: str | None = None) -> str:
    """Make incidents a and b one; returns the merged incident's id after re-resolving."""
    reason = _reason(reason)
    with db.session(write=True) as s:
        ma, mb = _members(s, a), _members(s, b)
        if a == b:
            raise ResolutionError("cannot merge an incident with itself")
        # earlier "different" rulings between the two are withdrawn by this one
        for x in ma:
            s.execute(delete(DecisionRow).where(DecisionRow.kind == "different", DecisionRow.a == x, DecisionRow.b.in_(mb)))
            s.execute(delete(DecisionRow).where(DecisionRow.kind == "different", DecisionRow.b == x, DecisionRow.a.in_(mb)))
        _decide(s, "same", min(ma), min(mb), actor, reason)
        _audit(s, actor, "merge", a, {"incidents": [a, b]}, None, reason)
    resolve(db)
    return _incident_of(db, min(ma))


def _incident_of(db, key: str) -> str:
    doc_id, ordinal = key.rsplit("#", 1)
    with db.session() as s:
        return s.scalar(select(Claim.incident_id).join(Source, Claim.source_id == Source.id)
                        .where(Source.doc_id == doc_id, Source.is_current.is_(True), Claim.ordinal == int(ordinal)))


def split(db, incident_id: str, claims: list[str], actor: str, reason: str | None = None) -> list[str]:
    """Take `claims` out of the incident into a new one (without `claims`: every claim alone)."""
    reason = _reason(reason)
    with db.session(write=True) as s:
        members = _members(s, incident_id)
        if len(members) < 2:
            raise ResolutionError(f"incident {incident_id} has one claim: nothing to split")
        unknown = [c for c in claims if c not in members]
        if unknown:
            raise ResolutionError(f"not claims of {incident_id}: {', '.join(unknown)} (its claims: {', '.join(members)})")
        groups = [claims, [m for m in members if m not in claims]] if claims else [[m] for m in members]
        if any(not g for g in groups):
            raise ResolutionError("a split needs claims on both sides")
        for i, g in enumerate(groups):
            for other in groups[i + 1:]:
                for x in g:
                    for y in other:
                        s.execute(delete(DecisionRow).where(DecisionRow.kind == "same", DecisionRow.a.in_([x, y]),
                                                            DecisionRow.b.in_([x, y])))
                        _decide(s, "different", x, y, actor, reason)
        _audit(s, actor, "split", incident_id, {"claims": members}, {"groups": groups}, reason)
    resolve(db)
    return sorted({_incident_of(db, g[0]) for g in groups})


def unlink(db, claim: str, actor: str, reason: str | None = None) -> str:
    """Detach one claim from its incident; it stays an incident of its own."""
    reason = _reason(reason)
    iid = _incident_of(db, claim) if "#" in claim else None
    if iid is None:
        raise ResolutionError(f"no current claim {claim!r} (claims are named doc_id#ordinal)")
    with db.session(write=True) as s:
        members = _members(s, iid)
        for other in members:
            if other != claim:
                _decide(s, "different", claim, other, actor, reason)
        _audit(s, actor, "unlink", iid, {"claim": claim}, None, reason)
    resolve(db)
    return _incident_of(db, claim)


def set_status(db, incident_id: str, status: str, actor: str, reason: str | None = None) -> None:
    """verify / discount / reopen an incident (kept on its earliest claim, so it survives re-runs)."""
    if status not in ("verify", "discount", "reopen"):
        raise ResolutionError(f"unknown status action {status!r}: use verify, discount or reopen")
    reason = _reason(reason)
    with db.session(write=True) as s:
        members = _members(s, incident_id)
        row = s.get(IncidentRow, incident_id)
        _decide(s, status, min(members), None, actor, reason)
        _audit(s, actor, status, incident_id, {"status": row.status}, None, reason)
    resolve(db)


# --- field edits -------------------------------------------------------------------------------
#
# An analyst's correction of one resolved field, e.g. the place or the best killed figure. Kept as a
# Decision(kind="edit", a=<earliest claim key>, b=JSON {"field", "value"}) and applied after
# summarise() on every resolution run, so it survives re-runs; the incident row lists the edits
# applied to it in detail["edits"].

EDITABLE = ("date", "time", "place", "admin1", "lat", "lon", "weapon", "weapon_class", "objects") + tuple(
    f"{f}_{k}" for f in FIELDS for k in ("low", "best", "high"))
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_COUNT = 2**31 - 1  # casualty figures are 32-bit integer columns


def check_edit(field: str, value):
    """The value normalised for `field` (None clears it); ResolutionError if it does not fit."""
    if field not in EDITABLE:
        raise ResolutionError(f"field {field!r} cannot be edited: use one of {', '.join(EDITABLE)}")
    if isinstance(value, str):
        value = value.strip()
    if value in (None, "") and field != "objects":
        if field == "weapon_class":
            return "unknown"
        return None
    try:
        if field == "date":
            date.fromisoformat(str(value))
            if not _DATE_RE.match(str(value)):
                raise ValueError
            return str(value)
        if field == "time":
            if not _TIME_RE.match(str(value)):
                raise ValueError
            return str(value)
        if field in ("lat", "lon"):
            v = float(value)
            limit = 90 if field == "lat" else 180
            if not -limit <= v <= limit or v != v:
                raise ValueError
            return v
        if field == "objects":
            items = value if isinstance(value, list) else str(value or "").split(",")
            return sorted({str(x).strip() for x in items if str(x).strip()})
        if field.endswith(("_low", "_best", "_high")):
            if isinstance(value, bool):
                raise ValueError
            v = int(value)
            if not 0 <= v <= MAX_COUNT or v != float(value):
                raise ValueError
            return v
    except (TypeError, ValueError, OverflowError):
        raise ResolutionError(f"{value!r} is not a valid {field}") from None
    return str(value)[:500]


def _edits(session) -> list[dict]:
    out = []
    for d in session.scalars(select(DecisionRow).where(DecisionRow.kind == "edit").order_by(DecisionRow.id)):
        try:
            body = json.loads(d.b or "{}")
        except ValueError:
            continue
        if body.get("field") in EDITABLE:
            out.append({"anchor": d.a, "field": body["field"], "value": body.get("value"), "actor": d.actor,
                        "reason": d.reason, "at": d.at.isoformat() if d.at else None})
    return out


def _get_field(inc: Incident, field: str):
    if field.endswith(("_low", "_best", "_high")):
        name, k = field.rsplit("_", 1)
        return getattr(getattr(inc, name), k)
    return getattr(inc, field)


def _apply_edits(inc: Incident, edits: list[dict]) -> list[dict]:
    """Apply edits (oldest first, so the latest wins) to a summarised incident; returns those applied."""
    applied = []
    for e in edits:
        field, value = e["field"], e["value"]
        if field.endswith(("_low", "_best", "_high")):
            name, k = field.rsplit("_", 1)
            r = getattr(inc, name)
            setattr(r, k, value)
            if k == "best" and value is not None:  # keep low <= best <= high
                r.low = value if r.low is None or r.low > value else r.low
                r.high = value if r.high is None or r.high < value else r.high
        else:
            setattr(inc, field, value)
        applied.append({k: e[k] for k in ("field", "value", "actor", "reason", "at")})
    return applied


def edit_field(db, incident_id: str, field: str, value, actor: str, reason: str | None = None) -> str:
    """Correct one resolved field of an incident (audited: old -> new, reason); returns its id after re-resolving.

    `field` is one of EDITABLE (casualty figures as killed_best, injured_low, ...); the edit is kept
    on the incident's earliest claim, so later resolution runs apply it again.
    """
    value = check_edit(field, value)
    reason = _reason(reason, required=True)  # an edit needs a reason a reader can see
    with db.session(write=True) as s:
        members = _members(s, incident_id)
        row = s.get(IncidentRow, incident_id)
        old = getattr(row, field)
        anchor = min(members)
        _decide(s, "edit", anchor, json.dumps({"field": field, "value": value}, ensure_ascii=False), actor, reason)
        from ..audit.chain import append
        append(s, actor, "edit", "incident", incident_id, field, old, value, reason)
    resolve(db)
    return _incident_of(db, anchor)
