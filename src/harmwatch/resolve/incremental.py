"""Incremental resolution: new claims re-score and re-cluster only the blocks they touch.

A run (``run``, called by ``service.resolve`` inside its write transaction) does four things:

1. **Score** the claims not scored before (``scored_claims``) against the claims of their blocks
   only, read from the database by index (migration 0016): the same day and the days either side
   in the same and the neighbouring 0.25-degree cells, the loose (oblast-only) claims of their
   oblast a day either side (every claim of it, for a loose claim), and, for a claim naming a
   settlement, the undated claims naming it (every claim naming it, for an undated claim).
2. **Re-cluster a region.** The region starts with the claims that have no row in
   ``resolved_claims`` (new, or re-resolved by an analyst decision since: review.py deletes their
   rows) and the incidents that lost a claim (a new version of a document, a re-extraction). It is
   clustered (link.cluster, the same function a full run uses) over the stored links and decisions
   among its claims. A claim whose incident came out different from the last run's is *changed*;
   when a changed claim has a link (or an analyst's "same") to a claim outside the region, that
   claim's incident joins the region and the region is clustered again, until no changed claim
   links outside it.
3. **Write** only the incidents that changed (summary, claims.incident_id, resolved_claims), and
   the re-report edges among their documents; an incident whose claims are exactly the last run's
   keeps its row untouched.
4. A full run (``full=True``) clears the links, the scores and ``resolved_claims`` and takes every
   claim as the region.

Why the result is the full run's: link.cluster applies links best-first. An incident whose claims
are exactly what they were has, link for link, the same history in both runs (each link among
its claims sees the same two groups; each link from it to another claim was refused then and
sees the same groups now, since neither contains a claim that changed), so its links to claims
outside the region are refused again and the incidents outside keep their history. The region
grows only through changed claims, so it stays near the blocks that received claims: memory and
time follow the size of those blocks, not of the database. ``tests/test_resolve_incremental.py``
checks the claim: batches in shuffled orders, resolved after each, against one full run.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, insert, or_, select, update

from ..store.models import (Claim, ClaimLink, Decision as DecisionRow, Incident as IncidentRow, ResolvedClaim,
                            ScoredClaim, Source, SourceLink)
from .link import CELL_DEG, _cell, cluster, score_all
from .model import ClaimRef, Decision, Link, Resolution

_EPS = 1e-9  # cell edges read a hair wide: the exact cell test is candidate_pairs'
WRITE_CHUNK = 5000  # claims summarised per step of the write


@dataclass
class RunStats:
    claims: int  # current claims in the database
    scored: int  # claims scored in this run
    links_added: int
    region: int  # claims re-clustered
    rounds: int  # times the region was clustered (it grows while changed claims link outside it)
    changed: int  # incidents written
    incidents: int  # incidents in the database after the run
    source_links: int  # re-report edges written in this run


def _chunks(items: list, size: int = 10_000) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _current_ids():
    return select(Claim.id).join(Source, Claim.source_id == Source.id).where(Source.is_current.is_(True))


def _day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def block_neighbours(s, refs: list[ClaimRef]) -> set[int]:
    """Ids of the current claims in the blocks of `refs` (every claim candidate_pairs could pair with one
    of them, and some more: the pairs themselves are chosen by candidate_pairs)."""
    cells: set[tuple[int, int, int]] = set()
    loose: set[tuple[int, str]] = set()  # a loose claim's (day, oblast): every claim there
    near_loose: set[tuple[int, str]] = set()  # a placed claim's (day, oblast): the loose claims there
    undated_at: set[int] = set()  # settlements named by undated claims: every claim naming them
    dated_at: set[int] = set()  # settlements named by dated claims: the undated claims naming them
    for c in refs:
        if c.geonameid is not None:
            (undated_at if c.date is None else dated_at).add(c.geonameid)
        if c.date is None:
            continue
        day, cell = c.date.toordinal(), _cell(c)
        if cell is not None:
            cells.add((day, *cell))
        if c.admin1:
            (loose if cell is None else near_loose).add((day, c.admin1))
    out: set[int] = set()
    cur = _current_ids()
    for day, y, x in sorted(cells):
        out.update(s.scalars(cur.where(
            Claim.date.in_([_day(day + k) for k in (-1, 0, 1)]),
            Claim.lat >= (y - 1) * CELL_DEG - _EPS, Claim.lat < (y + 2) * CELL_DEG + _EPS,
            Claim.lon >= (x - 1) * CELL_DEG - _EPS, Claim.lon < (x + 2) * CELL_DEG + _EPS)))
    for day, admin1 in sorted(loose):
        out.update(s.scalars(cur.where(Claim.admin1 == admin1, Claim.date.in_([_day(day + k) for k in (-1, 0, 1)]))))
    for day, admin1 in sorted(near_loose - loose):
        out.update(s.scalars(cur.where(Claim.admin1 == admin1, Claim.date.in_([_day(day + k) for k in (-1, 0, 1)]),
                                       or_(Claim.lat.is_(None), Claim.lon.is_(None)))))
    for part in _chunks(sorted(undated_at)):
        out.update(s.scalars(cur.where(Claim.geonameid.in_(part))))
    for part in _chunks(sorted(dated_at - undated_at)):
        out.update(s.scalars(cur.where(Claim.geonameid.in_(part), Claim.date.is_(None))))
    return out


def _light_refs(s, ids: set[int]) -> dict[int, ClaimRef]:
    """What clustering needs of each claim (key, document, date, point), without the documents' text."""
    out: dict[int, ClaimRef] = {}
    for part in _chunks(sorted(ids)):
        for cid, doc_id, ordinal, d, lat, lon in s.execute(
                select(Claim.id, Source.doc_id, Claim.ordinal, Claim.date, Claim.lat, Claim.lon)
                .join(Source, Claim.source_id == Source.id).where(Claim.id.in_(part), Source.is_current.is_(True))):
            out[cid] = ClaimRef(key=f"{doc_id}#{ordinal}", doc_id=doc_id, date=date.fromisoformat(d) if d else None,
                                lat=lat, lon=lon, claim_id=cid)
    return out


def scoring_refs(s, ids: set[int]) -> list[ClaimRef]:
    """What pair scoring reads of each claim (place, date, time, weapon class, objects, killed, the
    words of its passage), in one query per chunk, without loading the documents' text."""
    from .service import _minutes, _words
    out = []
    length = Claim.span_end - Claim.span_start
    for part in _chunks(sorted(ids)):
        for row in s.execute(
                select(Claim.id, Source.doc_id, Claim.ordinal, Claim.date, Claim.time, Claim.lat, Claim.lon,
                       Claim.geonameid, Claim.admin1, Claim.weapon_class, Claim.objects, Claim.killed,
                       func.substr(Source.text, Claim.span_start + 1, length))
                .join(Source, Claim.source_id == Source.id).where(Claim.id.in_(part), Source.is_current.is_(True))):
            cid, doc_id, ordinal, d, t, lat, lon, gid, admin1, wclass, objects, killed, passage = row
            out.append(ClaimRef(key=f"{doc_id}#{ordinal}", doc_id=doc_id, date=date.fromisoformat(d) if d else None,
                                minutes=_minutes(t), lat=lat, lon=lon, geonameid=gid, admin1=admin1,
                                weapon_class=wclass or "unknown", objects=frozenset(objects or []), killed=killed,
                                words=_words(passage or ""), claim_id=cid))
    return out


def score_new(s, full: bool) -> tuple[set[int], int]:
    """Score the claims not scored before against their blocks; store the links and the scored marks.
    Returns the ids scored and the number of links added."""
    from .service import claim_refs
    new_ids = set(s.scalars(_current_ids().where(~Claim.id.in_(select(ScoredClaim.claim_id)))))
    if not new_ids:
        return new_ids, 0
    if full:
        refs = scoring_refs(s, new_ids)
    else:
        probe = scoring_refs(s, new_ids)
        refs = probe + scoring_refs(s, block_neighbours(s, probe) - new_ids)
    ids = {r.key: r.claim_id for r in refs}
    only = {r.key for r in refs if r.claim_id in new_ids}
    links = score_all(refs, only=only)
    if links:
        s.execute(insert(ClaimLink), [{"claim_a": ids[l.a], "claim_b": ids[l.b], "score": l.score,
                                       "features": l.features} for l in links])
    s.execute(insert(ScoredClaim), [{"claim_id": i} for i in sorted(new_ids)])
    return new_ids, len(links)


class _Region:
    """The claims being re-clustered, with what the last run decided for them and the links that
    touch them, read from the database a batch of incidents at a time."""

    def __init__(self, s):
        self.s = s
        self.claims: set[int] = set()
        self.refs: dict[int, ClaimRef] = {}
        self.old_of: dict[int, str] = {}  # claim id -> the last run's incident
        self.old_members: dict[str, set[int]] = {}  # the last run's incident -> its claim ids (gone ones too)
        self.links: dict[tuple[int, int], tuple[float, dict]] = {}
        self.adj: dict[int, set[int]] = {}

    def add_incidents(self, incident_ids: set[str], gone: set[int]) -> None:
        new = sorted(i for i in incident_ids if i not in self.old_members)
        for iid in new:
            self.old_members[iid] = set()
        for part in _chunks(new):
            for cid, iid in self.s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.incident_id)
                                           .where(ResolvedClaim.incident_id.in_(part))):
                self.old_members[iid].add(cid)
                self.old_of[cid] = iid
        self.add_claims({c for i in new for c in self.old_members[i]} - gone)

    def add_claims(self, ids: set[int]) -> None:
        ids = ids - self.claims
        if not ids:
            return
        self.refs.update(_light_refs(self.s, ids))
        ids = {i for i in ids if i in self.refs}  # current claims only
        self.claims |= ids
        for part in _chunks(sorted(ids)):
            for col in (ClaimLink.claim_a, ClaimLink.claim_b):
                for a, b, score, features in self.s.execute(
                        select(ClaimLink.claim_a, ClaimLink.claim_b, ClaimLink.score, ClaimLink.features)
                        .where(col.in_(part))):
                    if (a, b) not in self.links:
                        self.links[(a, b)] = (score, features)
                        self.adj.setdefault(a, set()).add(b)
                        self.adj.setdefault(b, set()).add(a)


def _decisions(s, keys: set[str]) -> list[Decision]:
    """The same / different rulings that name any of these claims."""
    out, seen = [], set()
    for part in _chunks(sorted(keys)):
        for d in s.scalars(select(DecisionRow).where(DecisionRow.kind.in_(("same", "different")),
                                                     or_(DecisionRow.a.in_(part), DecisionRow.b.in_(part)))
                           .order_by(DecisionRow.id)):
            if d.id not in seen:
                seen.add(d.id)
                out.append(d)
    out.sort(key=lambda d: d.id)
    return [Decision(d.kind, d.a, d.b) for d in out]


def _claim_of_key(s, key: str) -> int | None:
    doc_id, _, ordinal = key.rpartition("#")
    if not doc_id or not ordinal.isdigit():
        return None
    return s.scalar(_current_ids().where(Source.doc_id == doc_id, Claim.ordinal == int(ordinal)))


def recluster(s, seeds: set[int], touched: set[str], gone: set[int]) -> tuple[_Region, Resolution, set[str], int]:
    """Cluster the region grown from `seeds` (claim ids) and `touched` (last-run incidents that lost a
    claim) until no changed claim links outside it. Returns the region, its clustering, the ids of
    the incidents that changed, and the number of rounds."""
    reg = _Region(s)
    reg.add_claims(seeds)
    reg.add_incidents(touched, gone)
    rounds = 0
    while True:
        rounds += 1
        keys = {reg.refs[c].key: c for c in reg.claims}
        links = [Link(reg.refs[a].key, reg.refs[b].key, score, features)
                 for (a, b), (score, features) in reg.links.items() if a in reg.claims and b in reg.claims]
        decisions = _decisions(s, set(keys))
        res = cluster([reg.refs[c] for c in reg.claims], links, decisions)
        changed_ids, changed_claims = set(), set()
        for iid, members in res.members().items():
            ids = {keys[k] for k in members}
            olds = {reg.old_of.get(c) for c in ids}
            old = olds.pop() if len(olds) == 1 else None
            if old is None or reg.old_members.get(old) != ids:
                changed_ids.add(iid)
                changed_claims |= ids
        # links (and analyst "same" rulings) from a changed claim to a claim outside the region
        outside = {x for c in changed_claims for x in reg.adj.get(c, ()) if x not in reg.claims and x not in gone}
        for d in decisions:
            if d.kind == "same":
                for k, other in ((d.a, d.b), (d.b, d.a)):
                    if k in keys and keys[k] in changed_claims and other not in keys:
                        x = _claim_of_key(s, other)
                        if x is not None:
                            outside.add(x)
        grow: set[str] = set()
        for part in _chunks(sorted(outside)):
            grow.update(s.scalars(select(ResolvedClaim.incident_id).where(ResolvedClaim.claim_id.in_(part))))
        grow -= set(reg.old_members)
        if not grow:
            return reg, res, changed_ids, rounds
        reg.add_incidents(grow, gone)


def run(s, full: bool = False) -> RunStats:
    """One resolution run in the caller's write transaction (see the module docstring)."""
    from .edits import stored_edits
    from .service import claim_refs, decisions_of, write_incidents
    if full:
        s.execute(delete(ClaimLink))
        s.execute(delete(ScoredClaim))
        s.execute(delete(ResolvedClaim))
        s.execute(delete(IncidentRow))
        s.execute(update(Claim).values(incident_id=None))
        s.execute(delete(SourceLink))
    scored, links_added = score_new(s, full)
    # where to start: claims the last run did not resolve (or that were re-extracted since), and the
    # last run's incidents that lost a claim (a new version of a document, a re-extraction)
    unresolved = set(s.scalars(_current_ids().where(~Claim.id.in_(select(ResolvedClaim.claim_id)))))
    current = _current_ids().where(Claim.id == ResolvedClaim.claim_id).exists()
    gone_rows = list(s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.incident_id).where(~current)))
    stale_keys = [(c, i, k) for part in _chunks(sorted(scored)) for c, i, k in s.execute(
        select(ResolvedClaim.claim_id, ResolvedClaim.incident_id, ResolvedClaim.key)
        .where(ResolvedClaim.claim_id.in_(part)))]
    stale = [(c, i) for c, i, _ in stale_keys]
    stale_keys = [(c, k) for c, _, k in stale_keys]
    gone = {c for c, _ in gone_rows}
    seeds = unresolved | scored
    touched = {i for _, i in gone_rows} | {i for _, i in stale}
    if stale:  # a claim id used again by a re-extracted claim: the old row says nothing of the new claim
        for part in _chunks([c for c, _ in stale]):
            s.execute(delete(ResolvedClaim).where(ResolvedClaim.claim_id.in_(part)))
    if not seeds and not touched:
        return RunStats(_count(s, _current_ids()), 0, links_added, 0, 0, 0, _count(s, select(IncidentRow.id)), 0)
    reg, res, changed, rounds = recluster(s, seeds, touched, gone)
    # the documents whose re-report edges may change: those of the changed incidents, before and after
    keys = {reg.refs[c].key: c for c in reg.claims}
    ch_keys = {k for k, iid in res.incident_of.items() if iid in changed}
    ch_ids = {keys[k] for k in ch_keys}
    old_rows = {reg.old_of[c] for c in ch_ids if c in reg.old_of} | {i for _, i in gone_rows} | {i for _, i in stale}
    old_members = sorted({c for i in old_rows for c in reg.old_members.get(i, ())} | gone)
    docs = {k.rsplit("#", 1)[0] for k in ch_keys}
    docs |= {k.rsplit("#", 1)[0] for part in _chunks(old_members) for k in s.scalars(
        select(ResolvedClaim.key).where(ResolvedClaim.claim_id.in_(part)))}
    docs |= {k.rsplit("#", 1)[0] for _, k in stale_keys}
    # --- write what changed -----------------------------------------------------------------------
    for part in _chunks(sorted(ch_ids)):  # rows an analyst decision wrote since (their claims have no old row)
        old_rows.update(i for i in s.scalars(select(Claim.incident_id).where(Claim.id.in_(part))) if i)
    unchanged = set(res.incident_of.values()) - changed
    for part in _chunks(sorted((old_rows | changed) - unchanged)):
        s.execute(delete(IncidentRow).where(IncidentRow.id.in_(part)))
    if gone:
        for part in _chunks(sorted(gone)):
            s.execute(update(Claim).where(Claim.id.in_(part)).values(incident_id=None))
            s.execute(delete(ResolvedClaim).where(ResolvedClaim.claim_id.in_(part)))
    for part in _chunks(sorted(ch_ids)):
        s.execute(delete(ResolvedClaim).where(ResolvedClaim.claim_id.in_(part)))
    if ch_ids:
        s.execute(insert(ResolvedClaim), [{"claim_id": keys[k], "key": k, "incident_id": res.incident_of[k]}
                                          for k in sorted(ch_keys)])
    s.flush()
    if ch_ids:
        s.execute(update(Claim), [{"id": keys[k], "incident_id": res.incident_of[k]} for k in sorted(ch_keys)])
    edges = _refresh_edges(s, docs, full)
    decisions, status = decisions_of(s, ch_keys)
    edits = [e for e in stored_edits(s) if e["anchor"] in ch_keys]
    links_of: dict[str, list[Link]] = {}
    for l in res.links:
        if res.incident_of[l.a] in changed:
            links_of.setdefault(res.incident_of[l.a], []).append(l)
    members = res.members()
    written, batch = 0, []
    todo = sorted(changed)
    for n, iid in enumerate(todo):  # summarised a few thousand claims at a time: memory stays bounded
        batch.append(iid)
        if sum(len(members[i]) for i in batch) < WRITE_CHUNK and n + 1 < len(todo):
            continue
        bkeys = {k for i in batch for k in members[i]}
        refs, ids, _ = claim_refs(s, claim_ids={keys[k] for k in bkeys})
        sub = Resolution(incident_of={k: res.incident_of[k] for k in sorted(bkeys)},
                         links=[l for i in batch for l in links_of.get(i, ())])
        written += write_incidents(s, sub, refs, ids, edges, status, edits)
        s.flush()
        s.expunge_all()  # the rows written and the claims read are not needed again
        batch = []
    return RunStats(claims=_count(s, _current_ids()), scored=len(scored), links_added=links_added,
                    region=len(reg.claims), rounds=rounds, changed=written,
                    incidents=_count(s, select(IncidentRow.id)), source_links=len(edges))


def _count(s, q) -> int:
    return s.scalar(select(func.count()).select_from(q.subquery())) or 0


def _refresh_edges(s, docs: set[str], full: bool) -> list:
    """Recompute the re-report edges between documents of `docs` that share an incident now."""
    from .independence import SourceRef, source_graph
    if not docs:
        return []
    if not full:
        for part in _chunks(sorted(docs)):
            doomed = [i for i, o in s.execute(select(SourceLink.id, SourceLink.origin).where(SourceLink.doc_id.in_(part)))
                      if o in docs]
            for p2 in _chunks(doomed):
                s.execute(delete(SourceLink).where(SourceLink.id.in_(p2)))
    incs_of: dict[str, set[str]] = {}
    for part in _chunks(sorted(docs)):
        for doc_id, iid in s.execute(select(Source.doc_id, Claim.incident_id).join(Source, Claim.source_id == Source.id)
                                     .where(Source.doc_id.in_(part), Source.is_current.is_(True),
                                            Claim.incident_id.is_not(None))):
            incs_of.setdefault(iid, set()).add(doc_id)
    pairs = {(a, b) for ds in incs_of.values() if len(ds) > 1 for a in ds for b in ds if a < b}
    if not pairs:
        return []
    wanted = sorted({d for p in pairs for d in p})
    sources = [x for part in _chunks(wanted) for x in s.scalars(
        select(Source).where(Source.doc_id.in_(part), Source.is_current.is_(True)))]
    edges = source_graph([SourceRef(x.doc_id, x.text, x.publisher, x.published) for x in sources], pairs)
    if edges:
        s.execute(insert(SourceLink), [{"doc_id": e.doc_id, "origin": e.origin, "kind": e.kind, "score": e.score,
                                        "evidence": e.evidence} for e in edges])
    return edges
