"""Resolution on a database: read claims, score new pairs, cluster, write incidents.

    report = resolve(db)              # after ingest; incremental
    incidents(db)                     # list of Incident dicts
    show(db, "inc-…")                 # one incident with its claims, quotes and links
    merge(db, a, b, actor, reason)    # analyst decisions (resolve/review.py), audited, respected by later runs

Incremental (resolve/incremental.py): pairs are scored only for claims not scored before
(``scored_claims``), against the claims of their blocks; stored links (``claim_links``) of unchanged
claims are reused, and a new version of a document drops its old claims' links with them (ON
DELETE CASCADE). Only the blocks the new claims fall in are clustered again (resolve/bounded.py),
and only the incidents that changed are rewritten; the result equals a full run and does not depend on ingest order. `resolve_in` is the
one function that runs a resolution in a write transaction. Analyst decisions re-resolve only the
incidents they touch (`refresh`), never the whole table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, func, select, update

from ..store.models import Claim, Decision as DecisionRow, Incident as IncidentRow, Source
from . import denials as _den
from .edits import EDITABLE, ResolutionError, apply_edits, check_edit, stored_edits  # noqa: F401  (re-exported)
from .independence import SourceRef, origins_within, source_graph
from .model import ClaimRef, Decision, Link, Resolution
from .summary import EXTRA_FIELDS, FIELDS, Incident, summarise

_STOP = set("""a an the of in on at to and or but for with from by as is was were be been are it its this that these those
he she they them his her their there here which who whom whose what when where while after before during into
than then also not no said says according more least than about over some one two three people""".split())
_WORD = re.compile(r"[a-zа-яіїєґ]{3,}", re.IGNORECASE)


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
    source_links: int  # re-report edges written in this run
    reclustered: int = 0  # claims clustered again (the region around the new claims)
    rewritten: int = 0  # incidents whose rows were written
    # the re-clustered claims by why they were settled: {(reason, root reason): claims} (incremental.settle)
    region_reasons: dict = field(default_factory=dict)


def _words(text: str) -> frozenset[str]:
    # each distinct match lowered once (a passage repeats its words), then the stop words taken out
    words = {w.lower() for w in set(_WORD.findall(text))}
    words -= _STOP
    return frozenset(words)


def _minutes(hhmm: str | None) -> int | None:
    if not hhmm:
        return None
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _uncertain(r: Claim) -> tuple[tuple[str, str], ...]:
    """The claim's withheld values (field -> why), when the store has them (``claims.uncertain``)."""
    u = getattr(r, "uncertain", None)
    if not isinstance(u, dict):
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in u.items() if v))


def _chunks(items: list, size: int = 10_000) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def claim_refs(session, keys: set[str] | None = None, claim_ids: set[int] | None = None,
               words: bool = True) -> tuple[list[ClaimRef], dict[str, int], list]:
    """Every claim of every current source (only those in `keys`, or with an id in `claim_ids`, when
    given), as ClaimRef; also key -> claim id and the sources read (rows with id, doc_id, text,
    publisher, published, retrieved_at). Without `words`, ClaimRef.words is left empty (only pair
    scoring reads it; a summary does not)."""
    # plain rows (attribute access like the mapped objects, without the ORM's bookkeeping per row)
    src_cols = (Source.id, Source.doc_id, Source.text, Source.publisher, Source.published, Source.retrieved_at)
    # not the JSON columns no ClaimRef field comes from (decoding them was a tenth of a full run's write)
    claim_cols = tuple(c for c in Claim.__table__.c if c.name not in ("vague", "evidence", "confidence", "withheld"))
    current = select(*src_cols).where(Source.is_current.is_(True))
    # plain Core statements on the session's connection (after a flush: what autoflush gave): the ORM's
    # handling of each result row was a tenth of what a full run's write spent reading them
    session.flush()
    conn = session.connection()
    if keys is None and claim_ids is None:
        sources = list(conn.execute(current.order_by(Source.doc_id)))
        rows = list(conn.execute(select(*claim_cols).join(Source, Claim.source_id == Source.id)
                                 .where(Source.is_current.is_(True)).order_by(Claim.source_id, Claim.ordinal)))
    else:
        # IN lists in chunks: PostgreSQL takes at most 65,535 bound parameters in one statement
        if claim_ids is not None:  # every claim of their documents is read: a denial is tied among them
            src_ids = sorted({i for part in _chunks(sorted(claim_ids))
                              for i in conn.scalars(select(Claim.source_id).where(Claim.id.in_(part)))})
            sources = [s for part in _chunks(src_ids) for s in conn.execute(current.where(Source.id.in_(part)))]
        else:
            doc_ids = sorted({k.rsplit("#", 1)[0] for k in keys})
            sources = [s for part in _chunks(doc_ids) for s in conn.execute(current.where(Source.doc_id.in_(part)))]
        sources.sort(key=lambda s: s.doc_id)
        rows = [c for part in _chunks([s.id for s in sources])
                for c in conn.execute(select(*claim_cols).where(Claim.source_id.in_(part)))]
        rows.sort(key=lambda c: (c.source_id, c.ordinal))
    by_id = {s.id: s for s in sources}
    refs, ids = [], {}
    per_source: dict[int, list[Claim]] = {}
    for r in rows:
        per_source.setdefault(r.source_id, []).append(r)
    for sid, claims in per_source.items():
        src = by_id[sid]
        found = _den.find(src.text)
        spans = [_den.Span(f"{src.doc_id}#{c.ordinal}", c.place, frozenset(c.objects or []), c.span_start, c.span_end)
                 for c in claims]
        for r, span in zip(claims, spans):
            key = span.key
            if (keys is not None and key not in keys) or (claim_ids is not None and r.id not in claim_ids):
                continue
            passage = src.text[r.span_start:r.span_end] if r.span_start is not None else ""
            tied = _den.tie(span, spans, found, src.text) if found else None
            refs.append(ClaimRef(
                key=key, doc_id=src.doc_id, date=date.fromisoformat(r.date) if r.date else None,
                minutes=_minutes(r.time), lat=r.lat, lon=r.lon, geonameid=r.geonameid, place=r.place, admin1=r.admin1,
                weapon=r.weapon, weapon_class=r.weapon_class or "unknown", cluster=r.cluster,
                objects=frozenset(r.objects or []), killed=r.killed, injured=r.injured, children_killed=r.children_killed,
                words=_words(passage) if words else frozenset(), published=src.published, publisher=src.publisher,
                said_by=r.source_said,
                perpetrator=r.perpetrator, denied=tied[0] if tied else None, denied_why=tied[1] if tied else None,
                claim_id=r.id, children_injured=r.children_injured, women_killed=r.women_killed,
                healthcare_killed=r.healthcare_killed, healthcare_injured=r.healthcare_injured,
                retrieved_at=src.retrieved_at, uncertain=_uncertain(r)))
            ids[key] = r.id
    return refs, ids, sources


@dataclass(frozen=True)
class Status:
    """The latest verify / discount / reopen ruling on an incident's anchor claim."""

    kind: str
    confirmed_by: str | None = None  # an admin's override: "name: reason"


def decisions_of(session, keys: set[str] | None = None) -> tuple[list[Decision], dict[str, Status]]:
    """Link decisions, and the latest status decision per anchor claim key (field edits: see edits.py).
    With `keys`, only decisions about those claims."""
    q = select(DecisionRow).order_by(DecisionRow.id)
    if keys is not None:
        q = q.where(DecisionRow.a.in_(sorted(keys)))
    links, status = [], {}
    for d in session.scalars(q):
        if d.kind in ("same", "different"):
            links.append(Decision(d.kind, d.a, d.b))
        elif d.kind in ("verify", "discount", "reopen"):
            status[d.a] = Status(d.kind, f"{d.actor}: {d.reason}" if d.kind == "verify" and d.b == "override" else None)
    return links, status


def point_claims(s, incident_of: dict[int, str]) -> None:
    """Set claims.incident_id (claim id -> incident id): one executemany of a plain UPDATE by primary key
    (the ORM's bulk update by primary key spent most of its time building each row's parameters)."""
    if not incident_of:
        return
    t = Claim.__table__
    stmt = update(t).where(t.c.id == bindparam("cid")).values(incident_id=bindparam("iid"))
    for part in _chunks(sorted(incident_of.items()), 20_000):
        s.execute(stmt, [{"cid": c, "iid": i} for c, i in part])


def write_incidents(s, res: Resolution, refs: list[ClaimRef], ids: dict[str, int], edges, status: dict[str, Status],
                    edits: list[dict], pointed: bool = False) -> int:
    """Summarise every incident of `res` and add its row; point its claims at it (unless the caller did:
    `pointed`). Returns the count."""
    by_key = {r.key: r for r in refs}
    links_of: dict[str, list[Link]] = {}
    for l in res.links:
        links_of.setdefault(res.incident_of[l.a], []).append(l)
    edits_of: dict[str, list[dict]] = {}
    for e in edits:
        edits_of.setdefault(e["anchor"], []).append(e)
    count = 0
    rows: list[dict] = []
    for iid, keys in res.members().items():
        members = [by_key[k] for k in keys]
        origins = origins_within({m.doc_id for m in members}, edges, {m.doc_id: m.publisher for m in members},
                                 {m.doc_id: m.published for m in members})
        st = status.get(min(keys)) or Status("reopen")
        inc = summarise(iid, members, origins, discounted=st.kind == "discount", verified=st.kind == "verify",
                        confirmed_by=st.confirmed_by)
        applied = apply_edits(inc, [e for k in keys for e in edits_of.get(k, ())])
        row = _row(inc, links_of.get(iid, []))
        if applied:
            row["detail"] = {**row["detail"], "edits": applied}
        rows.append(row)
        count += 1
    s.flush()
    for part in _chunks(rows, 2000):  # one executemany per chunk (the ORM's unit of work is many times slower)
        s.execute(IncidentRow.__table__.insert(), part)
    if not pointed:  # the flags below read the claims by their incident
        point_claims(s, {ids[k]: iid for k, iid in res.incident_of.items()})
    from ..assess.flags import refresh_flags  # screening flags follow their incidents (docs/assessment.md)
    refresh_flags(s, list(res.members()))
    return count


def resolve(db, full: bool = False) -> ResolveReport:
    """Bring incidents up to date with the stored claims: one run, in one write transaction.

    Incremental (resolve/incremental.py): new claims are scored against their blocks only, and
    only the incidents near them are clustered again and rewritten. `full`: every pair is scored
    again and every incident rewritten; the result is the same as any sequence of incremental runs.
    """
    with db.session(write=True) as s:
        return resolve_in(s, full)


def resolve_in(s, full: bool = False) -> ResolveReport:
    """One resolution run in the caller's write transaction (whatever serialises runs wraps this)."""
    from .incremental import run
    r = run(s, full)
    return ResolveReport(claims=r.claims, scored=r.scored, links_added=r.links_added, incidents=r.incidents,
                         source_links=r.source_links, reclustered=r.region, rewritten=r.changed,
                         region_reasons=r.region_reasons)


def _edges(res: Resolution, sources: list[Source]) -> list:
    """Source-graph edges between documents that share an incident of `res`."""
    docs_of: dict[str, set[str]] = {}
    for key, iid in res.incident_of.items():
        docs_of.setdefault(iid, set()).add(key.rsplit("#", 1)[0])
    pairs = {(a, b) for ds in docs_of.values() if len(ds) > 1 for a in ds for b in ds if a < b}
    shared = {d for p in pairs for d in p}
    return source_graph([SourceRef(x.doc_id, x.text, x.publisher, x.published) for x in sources
                         if x.doc_id in shared], pairs) if pairs else []


def _row(inc: Incident, links: list[Link]) -> dict:
    """The values of the incident's row (incidents table)."""
    d = inc.to_dict()
    ranges = {f"{f}_{k}": getattr(inc, f).to_dict()[k] for f in FIELDS for k in ("low", "best", "high")}
    detail = {k: d[k] for k in ("claims", "source_docs", "disagreements", "denials", "perpetrator", "grade_reasons",
                                "withheld")}
    detail["victims"] = {f: r.to_dict() for f, r in inc.victims.items()}
    detail["origins"] = inc.origins
    detail["links"] = [{"a": l.a, "b": l.b, "score": l.score, "features": l.features} for l in links]
    return dict(id=inc.id, date=inc.date, time=inc.time, place=inc.place, admin1=inc.admin1, lat=inc.lat,
                lon=inc.lon, geonameid=inc.geonameid, geo_precision=inc.geo_precision,
                time_precision=inc.time_precision, weapon=inc.weapon, weapon_class=inc.weapon_class,
                cluster=inc.cluster, objects=inc.objects, sources=inc.sources,
                independent_sources=inc.independent_sources, grade=inc.grade, status=inc.status,
                perpetrator=inc.perpetrator, withheld=len(inc.withheld), first_seen=inc.first_seen,
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
               edits=detail.get("edits", []), perpetrator=detail.get("perpetrator"),
               grade_reasons=detail.get("grade_reasons", []), withheld=detail.get("withheld", []),
               first_seen=r.first_seen.isoformat() if r.first_seen else None)
    victims = detail.get("victims", {})
    for f in EXTRA_FIELDS:
        out[f] = victims.get(f) or {"low": None, "best": None, "high": None}
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
        # the source's columns shown, and of its text only the claim's passage (not the whole document)
        passage = func.substr(Source.text, Claim.span_start + 1,
                              func.coalesce(Claim.span_end, func.length(Source.text)) - Claim.span_start)
        for row, doc_id, publisher, language, published, text in s.execute(
                select(Claim, Source.doc_id, Source.publisher, Source.language, Source.published, passage)
                .join(Source, Claim.source_id == Source.id)
                .where(Claim.incident_id == incident_id).order_by(Source.doc_id, Claim.ordinal)):
            claims.append({
                "key": f"{doc_id}#{row.ordinal}", "doc_id": doc_id, "publisher": publisher,
                "language": language,  # the claim's quotes stay in this language
                "published": published.isoformat() if published else None, "said_by": row.source_said,
                "date": row.date, "time": row.time, "place": row.place, "weapon": row.weapon,
                "weapon_class": row.weapon_class, "objects": row.objects, "killed": row.killed, "injured": row.injured,
                "children_killed": row.children_killed, "children_injured": row.children_injured,
                "women_killed": row.women_killed, "healthcare_killed": row.healthcare_killed,
                "healthcare_injured": row.healthcare_injured, "perpetrator": row.perpetrator,
                "evidence": row.evidence, "uncertain": getattr(row, "uncertain", None) or {},
                "passage": text if row.span_start is not None else None,
            })
        out["claim_details"] = claims
        out["decisions"] = [{"kind": d.kind, "a": d.a, "b": d.b, "actor": d.actor, "reason": d.reason,
                             "at": d.at.isoformat()}
                            for d in s.scalars(select(DecisionRow).where(DecisionRow.a.in_(out["claims"]) |
                                                                         DecisionRow.b.in_(out["claims"])))]
        return out


# analyst decisions (review.py) re-resolve only the incidents they touch; imported here so callers keep
# using service.merge, service.set_status, ...
from .review import (comment, comments, history, merge, merge_suggestions, redirect_target, review_queue,  # noqa: E402,F401
                     set_status, split, unlink, edit_field)
