"""Analyst decisions on a database: verify, discount, reopen, edit, merge, split, unlink, comment.

Each decision is a row in `decisions` (keyed by claim keys, so later runs respect it) and an entry in
the hash-chained audit log, written in one write transaction together with the re-resolution of
ONLY the incidents it touches (`refresh`): their claims are clustered again over their stored
links and decisions, and their rows rewritten. The rest of the table is not read, so a decision
takes milliseconds whatever the size of the database, and concurrent decisions on SQLite queue
briefly for the write lock instead of timing out ("database is locked").

    set_status(db, "inc-…", "verify", "ana", "checked against OHCHR")      # reason required
    set_status(db, "inc-…", "verify", "root", "geolocated footage", override=True)  # admins: confirmed
    merge(db, a, b, "ana", "same strike")                # the old ids redirect (incident_aliases)
    merge_suggestions(db, "inc-…")                       # nearest other incidents, with pair scores
    comment(db, "inc-…", "ana", "ask the oblast police for the list")
    review_queue(db)                                     # contested, withheld, high toll, newest first
    assign(db, "inc-…", "bea", "ana")                    # who reviews it (review_queue(db, assignee="bea"))
    bulk(db, ["inc-…", "inc-…"], "verify", "ana", "all three in the OHCHR update")  # one transaction
    approve(db, "inc-…", "bea")                          # second review (HARMWATCH_SECOND_REVIEW)
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import and_, bindparam, case, delete, func, or_, select

from ..store.models import (AuditEntry, Assignment, Claim, ClaimLink, Comment, Decision as DecisionRow,
                            Incident as IncidentRow, IncidentAlias, ResolvedClaim, SecondReview, Source, SourceLink, User)
from .edits import ResolutionError, check_edit, stored_edits
from .independence import SourceEdge
from .link import cluster, score_pair
from .model import Link
from .summary import EXTRA_FIELDS, FIELDS, Range

HIGH_KILLED = 5  # review queue: a "high toll" is at least this many killed ...
HIGH_INJURED = 20  # ... or this many injured (best figures)
SUGGESTIONS = 6  # merge candidates offered on an incident page
MAX_BULK = 200  # incidents in one bulk action
BULK_ACTIONS = ("verify", "discount", "assign", "approve")
AWAITING = "awaiting second review"


def _service():
    from . import service  # service imports this module at its end
    return service


def _members(s, incident_id: str) -> list[str]:
    r = s.get(IncidentRow, incident_id)
    if r is None:
        raise ResolutionError(f"no incident {incident_id!r} (see `harmwatch incidents`)")
    return list((r.detail or {}).get("claims", []))


def _decide(s, kind: str, a: str, b: str | None, actor: str, reason: str | None) -> None:
    s.add(DecisionRow(kind=kind, a=a, b=b, actor=actor, reason=reason, at=datetime.now(timezone.utc)))


def _audit(s, actor: str, action: str, target: str, old, new, reason: str | None, field: str | None = None) -> None:
    from ..audit.chain import append
    append(s, actor, action, "incident", target, field, old, new, reason)


def _incident_of(s, key: str) -> str | None:
    doc_id, _, ordinal = key.rpartition("#")
    if not doc_id or not ordinal.isdigit():
        return None
    return s.scalar(select(Claim.incident_id).join(Source, Claim.source_id == Source.id)
                    .where(Source.doc_id == doc_id, Source.is_current.is_(True), Claim.ordinal == int(ordinal)))


def refresh(s, incident_ids: list[str]) -> dict[str, str]:
    """Re-resolve only these incidents (in the caller's write transaction): cluster their claims again
    over the stored links and decisions among them, rewrite their rows, and record an alias for every
    id that disappears. Returns claim key -> incident id for their claims."""
    svc = _service()
    before = {iid: _members(s, iid) for iid in incident_ids}
    keys: set[str] = set().union(*before.values())
    s.flush()
    s.expunge_all()  # the bulk statements below replace rows the session may hold
    refs, ids, sources = svc.claim_refs(s, keys)
    key_of = {v: k for k, v in ids.items()}
    claim_ids = list(key_of)
    links = [Link(key_of[l.claim_a], key_of[l.claim_b], l.score, l.features)
             for l in s.scalars(select(ClaimLink).where(ClaimLink.claim_a.in_(claim_ids), ClaimLink.claim_b.in_(claim_ids)))]
    decisions, status = svc.decisions_of(s, set(ids))
    res = cluster(refs, links, decisions)
    docs = sorted({r.doc_id for r in refs})
    known = {(l.doc_id, l.origin): SourceEdge(l.doc_id, l.origin, l.kind, l.score, l.evidence)
             for l in s.scalars(select(SourceLink).where(SourceLink.doc_id.in_(docs), SourceLink.origin.in_(docs)))}
    for e in svc._edges(res, sources):  # documents that now share an incident: their re-report edges
        if (e.doc_id, e.origin) not in known:
            known[(e.doc_id, e.origin)] = e
            s.add(SourceLink(doc_id=e.doc_id, origin=e.origin, kind=e.kind, score=e.score, evidence=e.evidence))
    s.execute(delete(IncidentRow).where(IncidentRow.id.in_(incident_ids)))
    from ..assess.flags import drop_flags
    drop_flags(s, incident_ids)  # a merged-away id's flags go with it; write_incidents flags the new rows
    edits = stored_edits(s, list(ids))  # the edits kept on these claims only
    svc.write_incidents(s, res, refs, ids, list(known.values()), status, edits)
    # the next resolution run clusters these claims again with their neighbours (resolve/incremental.py)
    for part in svc._chunks(sorted(ids.values())):
        s.execute(delete(ResolvedClaim).where(ResolvedClaim.claim_id.in_(part)))
    now = datetime.now(timezone.utc)
    new_ids = set(res.incident_of.values())
    for old, members in before.items():
        if old not in new_ids and members:  # merged away: the old URL follows its earliest claim
            s.merge(IncidentAlias(old_id=old, claim=min(members), at=now))
    s.execute(delete(IncidentAlias).where(IncidentAlias.old_id.in_(sorted(new_ids))))  # an id in use again
    return res.incident_of


# --- verify, discount, reopen, edit ---------------------------------------------------------------

def _is_admin(s, actor: str) -> bool:
    u = s.scalar(select(User).where(User.name == actor))
    return u is not None and u.active and u.role == "admin"


def set_status(db, incident_id: str, status: str, actor: str, reason: str | None = None,
               override: bool = False, as_admin: bool = False, second_review: bool | None = None) -> None:
    """verify / discount / reopen an incident (kept on its earliest claim, so it survives re-runs).

    Verify and discount need a reason. Verify records that an analyst reviewed the incident; it
    makes the grade "confirmed" only when the rule holds (two independent sources, one of them an
    official or investigator) or, with `override`, when an admin (a user with the admin role, or a
    caller with `as_admin`: the CLI, which has the database itself) confirms it anyway: the reason is
    then shown as why it is confirmed. With second review on (`second_review`, default
    HARMWATCH_SECOND_REVIEW), a verify or discount awaits another analyst's `approve`.
    """
    with db.session(write=True) as s:
        _set_status_in(s, incident_id, status, actor, reason, override, as_admin, _second_on(second_review))


def _second_on(second_review: bool | None) -> bool:
    if second_review is not None:
        return second_review
    from ..settings import SECOND_REVIEW
    return SECOND_REVIEW.flag()


def _set_status_in(s, incident_id: str, status: str, actor: str, reason: str | None, override: bool,
                   as_admin: bool, second: bool) -> None:
    if status not in ("verify", "discount", "reopen"):
        raise ResolutionError(f"unknown status action {status!r}: use verify, discount or reopen")
    if override and status != "verify":
        raise ResolutionError("only a verify can override the grade rules")
    members = _members(s, incident_id)  # an unknown id is reported before a missing reason
    reason = _service()._reason(reason, required=status != "reopen")
    row = s.get(IncidentRow, incident_id)
    old = {"status": row.status, "grade": row.grade}
    if override and not (as_admin or _is_admin(s, actor)):
        raise ResolutionError(f"{actor} may not override the grade rules: only an admin may confirm an incident "
                              "whose sources do not meet the rule")
    anchor = min(members)
    _decide(s, status, anchor, "override" if override else None, actor, reason)
    s.execute(delete(SecondReview).where(SecondReview.incident_id == incident_id))  # a new ruling, a new review
    if second and status != "reopen":
        s.add(SecondReview(incident_id=incident_id, claim=anchor, decision=status, first_actor=actor,
                           first_at=datetime.now(timezone.utc)))
    refresh(s, [incident_id])
    new = s.execute(select(IncidentRow.status, IncidentRow.grade).where(IncidentRow.id == incident_id)).one()
    after = {"status": new.status, "grade": new.grade}  # (two columns, not the rewritten row with its detail)
    if second and status != "reopen":
        after["review"] = AWAITING
    _audit(s, actor, status + ("-override" if override else ""), incident_id, old, after, reason)


def edit_field(db, incident_id: str, field: str, value, actor: str, reason: str | None = None) -> str:
    """Correct one resolved field of an incident (audited: old -> new, reason); returns its id.

    `field` is one of EDITABLE (casualty figures as killed_best, injured_low, ...); the edit is kept
    on the incident's earliest claim, so later resolution runs apply it again.
    """
    value = check_edit(field, value)
    reason = _service()._reason(reason, required=True)  # an edit needs a reason a reader can see
    with db.session(write=True) as s:
        members = _members(s, incident_id)
        old = getattr(s.get(IncidentRow, incident_id), field)
        anchor = min(members)
        _decide(s, "edit", anchor, json.dumps({"field": field, "value": value}, ensure_ascii=False), actor, reason)
        _audit(s, actor, "edit", incident_id, old, value, reason, field=field)
        return refresh(s, [incident_id])[anchor]


# --- merge, split, unlink -----------------------------------------------------------------------------

def merge(db, a: str, b: str, actor: str, reason: str | None = None) -> str:
    """Make incidents a and b one (a reason is required); returns the merged incident's id. The id
    that disappears redirects to it (`redirect_target`), and its decisions and comments carry over
    (they are kept on claim keys)."""
    with db.session(write=True) as s:
        ma, mb = _members(s, a), _members(s, b)  # an unknown id is reported before a missing reason
        reason = _service()._reason(reason, required=True)
        if a == b:
            raise ResolutionError("cannot merge an incident with itself")
        # earlier "different" rulings between the two are withdrawn by this one
        for x in ma:
            s.execute(delete(DecisionRow).where(DecisionRow.kind == "different", DecisionRow.a == x, DecisionRow.b.in_(mb)))
            s.execute(delete(DecisionRow).where(DecisionRow.kind == "different", DecisionRow.b == x, DecisionRow.a.in_(mb)))
        _decide(s, "same", min(ma), min(mb), actor, reason)
        now = refresh(s, [a, b])
        merged = now[min(ma)]
        for target in (a, b):
            _audit(s, actor, "merge", target, {"incidents": [a, b]}, {"incident": merged}, reason)
        _carry_over(s, [x for x in (a, b) if x != merged], merged)
        return merged


def _carry_over(s, gone: list[str], merged: str) -> None:
    """After a merge: the merged incident keeps its own assignment, else takes one of the incidents
    merged into it; a second review of a merged-away incident's ruling no longer applies."""
    if not gone:
        return
    if s.get(Assignment, merged) is None:
        old = s.scalars(select(Assignment).where(Assignment.incident_id.in_(gone)).order_by(Assignment.at.desc())).first()
        if old is not None:
            s.add(Assignment(incident_id=merged, claim=min(_members(s, merged)),
                             assignee=old.assignee, assigned_by=old.assigned_by, at=old.at))
    s.execute(delete(Assignment).where(Assignment.incident_id.in_(gone)))
    s.execute(delete(SecondReview).where(SecondReview.incident_id.in_(gone)))


def split(db, incident_id: str, claims: list[str], actor: str, reason: str | None = None) -> list[str]:
    """Take `claims` out of the incident into a new one (without `claims`: every claim alone)."""
    reason = _service()._reason(reason)
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
        now = refresh(s, [incident_id])
        return sorted({now[g[0]] for g in groups})


def unlink(db, claim: str, actor: str, reason: str | None = None) -> str:
    """Detach one claim from its incident; it stays an incident of its own."""
    reason = _service()._reason(reason)
    with db.session(write=True) as s:
        iid = _incident_of(s, claim) if "#" in claim else None
        if iid is None:
            raise ResolutionError(f"no current claim {claim!r} (claims are named doc_id#ordinal)")
        members = _members(s, iid)
        for other in members:
            if other != claim:
                _decide(s, "different", claim, other, actor, reason)
        _audit(s, actor, "unlink", iid, {"claim": claim}, None, reason)
        return refresh(s, [iid])[claim]


def redirect_target(db, incident_id: str) -> str | None:
    """The incident an old (merged-away) id now lives on, or None when the id was never known."""
    with db.session() as s:
        seen = set()
        while incident_id not in seen:
            seen.add(incident_id)
            alias = s.get(IncidentAlias, incident_id)
            if alias is None:
                return None
            now = _incident_of(s, alias.claim)
            if now is None:
                return None
            if s.get(IncidentRow, now) is not None:
                return now
            incident_id = now
    return None


def merge_suggestions(db, incident_id: str, limit: int = SUGGESTIONS) -> list[dict]:
    """The nearest other incidents that could be the same event, best pair score first: every
    incident within a day and 25 km (or the same oblast without a point) whose claims score with
    this one's, with the best pair's score and features (the merge picker on the incident page)."""
    svc = _service()
    with db.session() as s:
        row = s.get(IncidentRow, incident_id)
        if row is None:
            raise ResolutionError(f"no incident {incident_id!r} (see `harmwatch incidents`)")
        cond = [IncidentRow.id != incident_id]
        if row.date:
            from datetime import date, timedelta
            d = date.fromisoformat(row.date)
            cond.append(IncidentRow.date.between((d - timedelta(days=1)).isoformat(), (d + timedelta(days=1)).isoformat()))
        if row.lat is not None and row.lon is not None:
            cond += [IncidentRow.lat.between(row.lat - 0.3, row.lat + 0.3), IncidentRow.lon.between(row.lon - 0.45, row.lon + 0.45)]
        elif row.admin1:
            cond.append(IncidentRow.admin1 == row.admin1)
        else:
            return []
        candidates = list(s.scalars(select(IncidentRow).where(*cond).limit(200)))
        mine = set((row.detail or {}).get("claims", []))
        theirs = {c.id: set((c.detail or {}).get("claims", [])) for c in candidates}
        refs, _, _ = svc.claim_refs(s, mine.union(*theirs.values()) if theirs else mine)
        by_key = {r.key: r for r in refs}
        out = []
        for c in candidates:
            best = None
            for a in mine & by_key.keys():
                for b in theirs[c.id] & by_key.keys():
                    link = score_pair(by_key[a], by_key[b])
                    if link is not None and (best is None or link.score > best.score):
                        best = link
            if best is None:
                continue
            out.append({"id": c.id, "date": c.date, "place": c.place, "weapon_class": c.weapon_class,
                        "killed": c.killed_best, "sources": c.sources, "grade": c.grade, "score": best.score,
                        "features": best.features, "pair": [best.a, best.b]})
        out.sort(key=lambda x: (-x["score"], x["id"]))
        return out[:limit]


# --- comments, history, review queue ---------------------------------------------------------------

def comment(db, incident_id: str, actor: str, text: str | None) -> int:
    """Add an analyst's comment (visible text required, at most 2000 characters), audited; kept on the
    incident's earliest claim so it follows merges. Returns its id."""
    text = _service()._reason(text, required=True)
    with db.session(write=True) as s:
        members = _members(s, incident_id)
        c = Comment(claim=min(members), incident_id=incident_id, actor=actor, text=text, at=datetime.now(timezone.utc))
        s.add(c)
        s.flush()
        _audit(s, actor, "comment", incident_id, None, {"comment": c.id}, text)
        return c.id


def comments(db, incident_id: str, members: list[str] | None = None) -> list[dict]:
    """Comments on the incident (and on incidents merged into it), oldest first. `members`: its claim
    keys, when the caller has just read them (the incident is not read again)."""
    with db.session() as s:
        if members is None:
            members = _members(s, incident_id)
        if not members:
            return []
        q = (select(Comment.id, Comment.actor, Comment.text, Comment.at, Comment.incident_id)
             .where(Comment.claim.in_(members)).order_by(Comment.id))
        return [{"id": c.id, "actor": c.actor, "text": c.text, "at": c.at.isoformat() if c.at else None,
                 "incident_id": c.incident_id} for c in s.connection().execute(q)]


def history(db, incident_id: str, members: list[str] | None = None) -> list[dict]:
    """Audit entries about this incident and about the incidents merged into it, oldest first.
    `members`: its claim keys, when the caller has just read them (the incident is not read again)."""
    with db.session() as s:
        if members is None:
            members = _members(s, incident_id)
        conn = s.connection()  # Core rows (no ORM loading): this runs for every incident page and API read
        ids = {incident_id} | set(conn.scalars(select(IncidentAlias.old_id).where(IncidentAlias.claim.in_(members)))) \
            if members else {incident_id}
        q = (select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.target_id,
                    AuditEntry.field, AuditEntry.old, AuditEntry.new, AuditEntry.reason, AuditEntry.hash)
             .where(AuditEntry.target_type == "incident", AuditEntry.target_id.in_(sorted(ids))))
        return [{"id": e.id, "at": e.at.isoformat() if e.at else None, "actor": e.actor, "action": e.action,
                 "target_id": e.target_id, "field": e.field, "old": e.old, "new": e.new, "reason": e.reason,
                 "hash": e.hash} for e in conn.execute(q.order_by(AuditEntry.id))]


_QUEUE_COLUMNS = [IncidentRow.id, IncidentRow.date, IncidentRow.time, IncidentRow.place, IncidentRow.admin1,
                  IncidentRow.lat, IncidentRow.lon, IncidentRow.geo_precision, IncidentRow.weapon,
                  IncidentRow.weapon_class, IncidentRow.objects, IncidentRow.sources, IncidentRow.independent_sources,
                  IncidentRow.grade, IncidentRow.status, IncidentRow.withheld, IncidentRow.first_seen,
                  IncidentRow.perpetrator] + [getattr(IncidentRow, f"{f}_{k}") for f in FIELDS
                                              for k in ("low", "best", "high")]


def review_queue(db, conditions: list | None = None, limit: int = 100, offset: int = 0, assignee: str | None = None,
                 unassigned: bool = False, second_review: bool | None = None) -> tuple[int, list[dict]]:
    """(total, one page of) unreviewed incidents in review order: contested first, then those whose
    claims withhold values, then high tolls (>= HIGH_KILLED killed or >= HIGH_INJURED injured), and
    within each the newest first (latest `first_seen`). Each row says why it is where it is, and who
    is assigned to it. With second review on, a verify or discount not yet approved keeps its incident
    here ("awaiting second review"). `assignee`: only that reviewer's; `unassigned`: only nobody's."""
    contested = case((IncidentRow.grade == "contested", 1), else_=0)
    withheld = case((IncidentRow.withheld > 0, 1), else_=0)
    high = case((or_(IncidentRow.killed_best >= HIGH_KILLED, IncidentRow.injured_best >= HIGH_INJURED), 1), else_=0)
    awaiting = and_(SecondReview.incident_id.is_not(None), SecondReview.approved_by.is_(None))
    open_ = or_(IncidentRow.status == "unreviewed", awaiting) if _second_on(second_review) \
        else IncidentRow.status == "unreviewed"
    extra = []
    if assignee:
        extra.append(Assignment.assignee == assignee)
    elif unassigned:
        extra.append(Assignment.incident_id.is_(None))
    cond = and_(open_, *extra, *(conditions or []))

    def joined(q):
        return (q.outerjoin(Assignment, Assignment.incident_id == IncidentRow.id)
                .outerjoin(SecondReview, SecondReview.incident_id == IncidentRow.id))

    with db.session() as s:
        total = s.scalar(joined(select(func.count()).select_from(IncidentRow)).where(cond)) or 0
        q = (joined(select(*_QUEUE_COLUMNS, Assignment.assignee.label("assignee"),
                           SecondReview.decision.label("sr_decision"), SecondReview.first_actor.label("sr_by"),
                           SecondReview.approved_by.label("sr_approved")).select_from(IncidentRow)).where(cond)
             .order_by(contested.desc(), withheld.desc(), high.desc(), IncidentRow.first_seen.desc().nulls_last(),
                       func.coalesce(IncidentRow.killed_best, -1).desc(), IncidentRow.id)
             .limit(max(0, limit)).offset(max(0, offset)))
        rows = []
        for r in s.execute(q):
            m = dict(r._mapping)
            out = {k: m[k] for k in ("id", "date", "time", "place", "admin1", "lat", "lon", "geo_precision", "weapon",
                                     "weapon_class", "sources", "independent_sources", "grade", "status", "withheld",
                                     "perpetrator")}
            out["objects"] = list(m["objects"] or [])
            out["first_seen"] = m["first_seen"].isoformat() if m["first_seen"] else None
            for f in FIELDS:
                out[f] = {k: m[f"{f}_{k}"] for k in ("low", "best", "high")}
            out["assignee"] = m["assignee"]
            out["awaiting"] = ({"decision": m["sr_decision"], "by": m["sr_by"]}
                               if m["sr_decision"] and not m["sr_approved"] and m["status"] != "unreviewed" else None)
            why = []
            if out["awaiting"]:
                why.append(f"{AWAITING}: {m['sr_decision']} by {m['sr_by']}")
            if m["grade"] == "contested":
                why.append("contested: a source reports a denial of this attack")
            if m["withheld"]:
                why.append(f"{m['withheld']} value{'s' if m['withheld'] != 1 else ''} withheld by extraction")
            if (m["killed_best"] or 0) >= HIGH_KILLED or (m["injured_best"] or 0) >= HIGH_INJURED:
                why.append("high toll")
            out["why"] = why
            rows.append(out)
        return total, rows


# --- assignment, second review, bulk actions ----------------------------------------------------------

def _reviewer(s, name: str) -> str:
    # a NUL can be in no stored name (PostgreSQL refuses it in a query): no such user
    u = None if "\x00" in name else s.scalar(select(User).where(User.name == name))
    if u is None:
        raise ResolutionError(f"cannot assign to {name!r}: no such user (see `harmwatch user list`)")
    if not u.active:
        raise ResolutionError(f"cannot assign to {name!r}: the user is deactivated")
    if u.role not in ("analyst", "admin"):
        raise ResolutionError(f"cannot assign to {name!r}: a {u.role} cannot review (analysts and admins can)")
    return u.name


def _assign_in(s, incident_id: str, assignee: str | None, actor: str, reason: str | None) -> bool:
    members = _members(s, incident_id)
    current = s.get(Assignment, incident_id)
    before = current.assignee if current else None
    if assignee:
        assignee = _reviewer(s, assignee)
    if (assignee or None) == before:
        return False  # already so: nothing to record
    if current is not None:
        s.delete(current)
        s.flush()
    if assignee:
        s.add(Assignment(incident_id=incident_id, claim=min(members), assignee=assignee, assigned_by=actor,
                         at=datetime.now(timezone.utc)))
    _audit(s, actor, "assign" if assignee else "unassign", incident_id, {"assignee": before},
           {"assignee": assignee or None}, reason)
    return True


def assign(db, incident_id: str, assignee: str | None, actor: str, reason: str | None = None) -> bool:
    """Make `assignee` (an active analyst or admin) the incident's reviewer, replacing any other
    (None or "": nobody); audited as assign / unassign. False when it was already so (nothing recorded)."""
    reason = _service()._reason(reason)
    with db.session(write=True) as s:
        return _assign_in(s, incident_id, assignee, actor, reason)


def _approve_in(s, incident_id: str, actor: str, reason: str | None) -> None:
    _members(s, incident_id)
    row = s.get(SecondReview, incident_id)
    if row is None or row.approved_by is not None:
        raise ResolutionError(f"{incident_id}: no verify or discount awaits a second review"
                              + (f" (approved by {row.approved_by})" if row is not None else ""))
    if row.first_actor == actor:
        raise ResolutionError(f"{incident_id}: a second review needs another analyst; {actor} made the {row.decision}")
    row.approved_by, row.approved_at = actor, datetime.now(timezone.utc)
    _audit(s, actor, "approve", incident_id, {"review": AWAITING, "decision": row.decision, "by": row.first_actor},
           {"review": "approved", "decision": row.decision, "approved_by": actor}, reason)


def approve(db, incident_id: str, actor: str, reason: str | None = None) -> None:
    """Second review: approve the verify or discount another analyst made (audited as approve). To
    disagree, record a different ruling (discount, verify, reopen): it then awaits its own approval."""
    reason = _service()._reason(reason)
    with db.session(write=True) as s:
        _approve_in(s, incident_id, actor, reason)


def review_state(db, incident_id: str, second_review: bool | None = None) -> dict:
    """Who reviews the incident and where its second review stands (page and API)."""
    with db.session() as s:  # Core rows (no ORM loading): this runs for every incident page and API read
        conn = s.connection()
        a = conn.execute(_ASSIGNED, {"i": incident_id}).first()
        r = conn.execute(_SECOND, {"i": incident_id}).first()
        second = None
        if r is not None:
            second = {"decision": r.decision, "by": r.first_actor, "at": r.first_at.isoformat() if r.first_at else None,
                      "approved_by": r.approved_by,
                      "approved_at": r.approved_at.isoformat() if r.approved_at else None}
        return {"assignee": a.assignee if a else None, "assigned_by": a.assigned_by if a else None,
                "second_review": second,
                "awaiting_second_review": bool(r is not None and r.approved_by is None and _second_on(second_review))}


_ASSIGNED = select(Assignment.assignee, Assignment.assigned_by).where(Assignment.incident_id == bindparam("i"))
_SECOND = select(SecondReview.decision, SecondReview.first_actor, SecondReview.first_at, SecondReview.approved_by,
                 SecondReview.approved_at).where(SecondReview.incident_id == bindparam("i"))


def bulk(db, incident_ids: list[str], action: str, actor: str, reason: str | None = None, assignee: str | None = None,
         override: bool = False, as_admin: bool = False, second_review: bool | None = None) -> list[dict]:
    """One action on several incidents with one reason, in ONE write transaction: all are done or none
    (an unknown id, a missing reason or a refused step names the incident and changes nothing). Each
    incident gets its own audit entry. `action`: verify, discount (reason required), assign (to
    `assignee`; empty: unassign) or approve. Returns [{"incident", "action", "changed"}] in order."""
    if action not in BULK_ACTIONS:
        raise ResolutionError(f"unknown bulk action {action!r}: use {', '.join(BULK_ACTIONS)}")
    ids = list(dict.fromkeys(i.strip() for i in incident_ids if i and i.strip()))
    if not ids:
        raise ResolutionError("select at least one incident")
    if len(ids) > MAX_BULK:
        raise ResolutionError(f"{len(ids)} incidents selected: at most {MAX_BULK} at once")
    reason = _service()._reason(reason, required=action in ("verify", "discount"))
    second = _second_on(second_review)
    with db.session(write=True) as s:
        # an id with a NUL is no incident's (PostgreSQL refuses it in a query): unknown, not a server error
        known = set(s.scalars(select(IncidentRow.id).where(IncidentRow.id.in_([i for i in ids if "\x00" not in i]))))
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise ResolutionError(f"no incident {unknown[0]!r}" + (f" (nor {', '.join(unknown[1:])})" if unknown[1:] else "")
                                  + ": nothing was changed (see `harmwatch incidents`)")
        if action == "assign" and assignee:
            _reviewer(s, assignee)  # refused once, before anything is written
        out = []
        for iid in ids:
            try:
                if action in ("verify", "discount"):
                    _set_status_in(s, iid, action, actor, reason, override, as_admin, second)
                    changed = True
                elif action == "assign":
                    changed = _assign_in(s, iid, assignee, actor, reason)
                else:
                    _approve_in(s, iid, actor, reason)
                    changed = True
            except ResolutionError as e:
                msg = str(e)
                raise ResolutionError((msg if msg.startswith(iid) else f"{iid}: {msg}")
                                      + "; nothing was changed") from e
            out.append({"incident": iid, "action": action, "changed": changed})
        return out


__all__ = ["assign", "approve", "bulk", "review_state", "set_status", "edit_field", "merge", "split", "unlink", "redirect_target", "merge_suggestions", "comment",
           "comments", "history", "review_queue", "refresh", "HIGH_KILLED", "HIGH_INJURED", "EXTRA_FIELDS", "Range"]
