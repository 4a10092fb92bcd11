"""An incremental run stays local in a busy settlement (issue 10, part 4): only the parts of the touched
units that changed since the last run make other parts choose again, so a new undated claim settles its
own part and the parts linked to it, not the settlement's undated claims and the year of dated claims
linked to them; and the result is still the full run's, whatever the batches (many undated claims in a
few towns, so touched undated units hold many unchanged parts)."""
from __future__ import annotations

import random
from dataclasses import replace

import pytest
from sqlalchemy import select

from harmwatch.resolve import resolve_claims
from harmwatch.resolve.service import resolve
from harmwatch.store.db import Database
from harmwatch.store.models import Claim, ClaimLink, Incident, ResolvedClaim, Source
from test_resolve_bounded import _groups  # one grouping of claims by incident for both modules


def _undated_heavy(gen, n, seed, towns, days, share=0.3):
    """The generator's claims with `share` of the settled ones made undated (their documents keep their
    publication dates): busy undated units, linked to many dated claims."""
    claims, _ = gen.generate(n, seed, towns=towns, days=days)
    rng = random.Random(seed)
    return [replace(c, date=None) if c.geonameid is not None and rng.random() < share else c for c in claims]


def _state(db) -> dict:
    with db.session() as s:
        claims = {f"{d}#{o}": i for d, o, i in s.execute(
            select(Source.doc_id, Claim.ordinal, Claim.incident_id).join(Source, Claim.source_id == Source.id)
            .where(Source.is_current.is_(True)))}
        rows = {r.id: (r.killed_best, r.grade, r.sources, r.detail.get("links"), r.detail.get("claims"))
                for r in s.scalars(select(Incident))}
        best = dict(s.execute(select(ResolvedClaim.key, ResolvedClaim.best)).all())
    return {"claims": claims, "incidents": rows, "best": best}


@pytest.mark.parametrize("order", range(3))
def test_undated_heavy_batches_in_any_order_give_the_full_run(gen, batches, new_db_url, order):
    claims = _undated_heavy(gen, 450, 60 + order, towns=4, days=30)
    assert sum(c.date is None for c in claims) > 100
    db = Database.open(new_db_url(f"heavy{order}.db"))
    reports = []
    for batch in batches(random.Random(order), gen.docs_of(claims), 6):
        gen.store(db, batch)
        reports.append(resolve(db))
    incremental_state = _state(db)
    assert all(incremental_state["claims"].values())
    assert any(r.reclustered < r.claims for r in reports[1:])
    resolve(db, full=True)
    assert _state(db) == incremental_state
    assert _groups(incremental_state["claims"]) == _groups(resolve_claims(claims).incident_of)


def test_a_new_undated_claim_settles_its_part_and_the_parts_linked_to_it_only(gen, new_db_url):
    claims = _undated_heavy(gen, 1500, 7, towns=3, days=200)
    docs = gen.docs_of(claims)
    # the last document with exactly one claim, undated, in a settlement with many undated claims
    last = next(d for d in reversed(docs) if len(d) == 1 and d[0].date is None and d[0].published is not None)
    new = last[0]
    rest = [d for d in docs if d is not last]
    db = Database.open(new_db_url("local.db"))
    gen.store(db, rest)
    resolve(db)
    before = _state(db)
    gen.store(db, [last])
    r = resolve(db)
    assert r.scored == 1
    with db.session() as s:
        key_of = {i: f"{d}#{o}" for i, d, o in s.execute(
            select(Claim.id, Source.doc_id, Claim.ordinal).join(Source, Claim.source_id == Source.id))}
        links = [(key_of[a], key_of[b]) for a, b in s.execute(select(ClaimLink.claim_a, ClaimLink.claim_b))]
    town = [c for c in claims if c.geonameid == new.geonameid]
    undated = {c.key for c in town if c.date is None}
    linked_to_unit = undated | {x for a, b in links if a in undated or b in undated for x in (a, b)}
    assert len(undated) > 30 and len(linked_to_unit) > 200
    # what the earlier rule settled: the settlement's undated unit and every claim linked to it
    assert r.reclustered < len(linked_to_unit) / 2
    # the incidents that changed hold a claim of the new claim's part (its undated claims in its incident)
    # or a claim linked to one, or a claim of an incident that held one of those
    after = _state(db)
    part = {k for k, i in after["claims"].items() if i == after["claims"][new.key] and k in undated | {new.key}}
    near = part | {x for a, b in links if a in part or b in part for x in (a, b)}
    old_groups, new_groups = _groups(before["claims"]), _groups(after["claims"])
    old_of = {k: g for g in old_groups for k in g}
    changed = new_groups - old_groups
    assert changed and len(changed) == r.rewritten
    for g in changed:
        assert g & near or any(old_of[k] & near for k in g if k in old_of)
    resolve(db, full=True)
    assert _state(db) == after
