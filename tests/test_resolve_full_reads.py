"""How a full resolution run reads (issue 10, full run at scale): reading less, in fewer statements, must
not change what it writes.

- the undated claims are scored against the dated claims of their settlement through a window that
  slides with their publication dates (each dated claim read once per settlement): the stored links
  are still exactly the pairs and scores of the rule in memory (`link.score_all`), on a corpus whose
  publication dates span many weeks, so the window slides and drops claims;
- undated units kept from one window to the next (up to `UNDATED_HELD` claims, without their inner
  links) and the units prefetched before the parts choose give every row the same as a run that reads
  each undated unit again in every window and each unit when a part first asks for it.

Corpora are bench/resolve.py's generator (seeded), stored as documents with text and spans."""
from __future__ import annotations

import json

from sqlalchemy import select

from harmwatch.resolve import incremental
from harmwatch.resolve import link as link_mod
from harmwatch.resolve.service import resolve
from harmwatch.store.db import Database
from harmwatch.store.models import AssessmentFlag, Claim, ClaimLink, Incident, ResolvedClaim, Source, SourceLink


def _rows(db) -> dict:
    """Everything a full run writes, keyed by claim keys and incident ids (no row ids)."""
    with db.session() as s:
        key = {i: f"{d}#{o}" for i, d, o in s.execute(select(Claim.id, Source.doc_id, Claim.ordinal)
                                                       .join(Source, Claim.source_id == Source.id))}
        incidents = {r.id: json.dumps({c.name: getattr(r, c.name) for c in Incident.__table__.columns},
                                      sort_keys=True, default=str) for r in s.scalars(select(Incident))}
        claims = {key[i]: iid for i, iid in s.execute(select(Claim.id, Claim.incident_id))}
        links = {tuple(sorted((key[a], key[b]))): (score, json.dumps(f, sort_keys=True))
                 for a, b, score, f in s.execute(select(ClaimLink.claim_a, ClaimLink.claim_b, ClaimLink.score,
                                                        ClaimLink.features))}
        resolved = {key[c]: (iid, best) for c, iid, best in s.execute(
            select(ResolvedClaim.claim_id, ResolvedClaim.incident_id, ResolvedClaim.best))}
        edges = sorted((r.doc_id, r.origin, r.kind, r.score) for r in s.scalars(select(SourceLink)))
        flags = sorted((r.id, r.incident_id, r.kind, r.basis) for r in s.scalars(select(AssessmentFlag)))
    return {"incidents": incidents, "claims": claims, "links": links, "resolved": resolved, "edges": edges,
            "flags": flags}


def test_undated_claims_are_scored_through_a_sliding_window_and_every_link_is_the_rule_in_memory(gen, new_db_url):
    # a few towns over most of a year: an undated claim's window (a year before its publication) holds
    # many weeks of dated claims, and later publications drop the earliest of them
    claims, _ = gen.generate(900, 31, towns=4, days=300)
    undated = [c for c in claims if c.date is None and c.geonameid is not None and c.published is not None]
    pubs = sorted({c.published for c in undated})
    assert len(undated) >= 20 and (pubs[-1] - pubs[0]).days > 2 * incremental.WINDOW_DAYS
    db = Database.open(new_db_url("sliding.db"))
    gen.store(db, gen.docs_of(claims))
    resolve(db, full=True)
    stored = _rows(db)["links"]
    expected = {(l.a, l.b): (l.score, json.dumps(l.features, sort_keys=True)) for l in link_mod.score_all(claims)}
    by_key = {c.key: c for c in claims}
    across = [p for p in expected if (by_key[p[0]].date is None) != (by_key[p[1]].date is None)]
    assert len(across) >= 50, "too few links between undated and dated claims to test the window"
    assert stored == expected


def test_kept_undated_units_and_prefetched_units_write_what_reading_them_again_writes(gen, new_db_url, monkeypatch):
    claims, _ = gen.generate(700, 32, towns=5, days=60)
    assert sum(c.date is None for c in claims) >= 20
    db = Database.open(new_db_url("reads.db"))
    gen.store(db, gen.docs_of(claims))
    resolve(db, full=True)
    kept = _rows(db)
    # the earlier reading: every undated unit read again in each window, every unit when a part asks for it
    monkeypatch.setattr(incremental, "UNDATED_HELD", -1)
    monkeypatch.setattr(incremental.World, "prefetch", lambda self, parts: None)
    resolve(db, full=True)
    again = _rows(db)
    assert sum(1 for iid in set(kept["claims"].values()) if iid) > 100
    assert kept == again
