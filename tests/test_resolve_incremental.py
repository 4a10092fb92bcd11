"""Incremental resolution (resolve/incremental.py): any sequence of incremental runs gives the
incidents of one full run, analyst decisions and ids stay, and a run touches only the blocks that
received claims.

The corpora are bench/resolve.py's generator packed into a few towns and weeks, so blocks overlap,
links chain across days and documents report several strikes; claims are stored as documents (a
source row each, with text and spans), in shuffled orders and batches."""
from __future__ import annotations

import hashlib
import random
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete, insert, select, update

from harmwatch.resolve import resolve_claims
from harmwatch.resolve.service import (edit_field, incidents, merge, resolve, set_status, show, split, unlink)
from harmwatch.store.db import Database
from harmwatch.store.models import Claim, Incident, ResolvedClaim, Source, SourceLink



def _corpus(gen, n=420, seed=5, towns=8, days=12):
    claims, truth = gen.generate(n, seed, towns=towns, days=days)
    return claims, gen.docs_of(claims)


def snapshot(db) -> dict:
    """Everything resolution writes: incidents (fields, ranges, grades, claims, links, edits), each
    current claim's incident, and the re-report edges."""
    with db.session() as s:
        claim_incident = {f"{d}#{o}": i for d, o, i in s.execute(
            select(Source.doc_id, Claim.ordinal, Claim.incident_id).join(Source, Claim.source_id == Source.id)
            .where(Source.is_current.is_(True)))}
        edges = sorted(s.execute(select(SourceLink.doc_id, SourceLink.origin, SourceLink.kind, SourceLink.score)).all())
        rows = {r.id: r.detail.get("links") for r in s.scalars(select(Incident))}
    incs = {r["id"]: r for r in incidents(db)}
    assert set(incs) == set(rows)
    for iid, links in rows.items():
        incs[iid]["links"] = links
        for e in incs[iid]["edits"]:  # when the analyst edited: two databases given the same edit differ
            e.pop("at")
    return {"incidents": incs, "claims": claim_incident, "edges": edges}


def _partition(snap) -> set[frozenset[str]]:
    out: dict[str, set[str]] = {}
    for k, i in snap["claims"].items():
        out.setdefault(i, set()).add(k)
    return {frozenset(v) for v in out.values()}


@pytest.mark.parametrize("order", range(4))
def test_incremental_batches_in_shuffled_orders_match_one_full_run(gen, batches, new_db_url, order):
    claims, docs = _corpus(gen)
    rng = random.Random(100 + order)
    db = Database.open(new_db_url(f"inc{order}.db"))
    reports = []
    for batch in batches(rng, docs, 6):
        gen.store(db, batch)
        reports.append(resolve(db))
    incremental = snapshot(db)
    assert all(v is not None for v in incremental["claims"].values())
    # the later runs were incremental: they re-clustered part of the database, not all of it
    assert any(r.reclustered < r.claims for r in reports[1:])
    full_report = resolve(db, full=True)
    full = snapshot(db)
    assert full_report.reclustered == full_report.claims == len(claims)
    assert incremental == full
    # and the same partition as the in-memory algorithm on the generated claims, without a database
    memory = resolve_claims(claims)
    groups: dict[str, set[str]] = {}
    for k, i in memory.incident_of.items():
        groups.setdefault(i, set()).add(k)
    assert _partition(full) == {frozenset(v) for v in groups.values()}
    assert len(full["incidents"]) < len(claims)  # the corpus links: the comparison is not between singletons


def test_two_databases_fed_in_different_orders_agree(gen, batches, new_db_url):
    _, docs = _corpus(gen, n=300, seed=8)
    snaps = []
    for order in range(2):
        db = Database.open(new_db_url(f"order{order}.db"))
        for batch in batches(random.Random(order), docs, 4):
            gen.store(db, batch)
            resolve(db)
        snaps.append(snapshot(db))
    assert snaps[0] == snaps[1]


def _incident_with(snap, size=2):
    return sorted((i for i in snap["incidents"].values() if len(i["claims"]) >= size), key=lambda i: i["id"])


def test_analyst_decisions_stay_through_incremental_runs_and_match_full(gen, batches, new_db_url):
    """Two databases with the same history and the same decisions: one resolved incrementally, the other
    in full after each step; they agree after the decisions and after the reports that follow."""
    claims, docs = _corpus(gen, n=420, seed=9)
    steps = batches(random.Random(3), docs, 5)
    inc_db, full_db = Database.open(new_db_url("decide.db")), Database.open(new_db_url("decide-full.db"))
    for batch in steps[:3]:
        for db in (inc_db, full_db):
            gen.store(db, batch)
        resolve(inc_db)
        resolve(full_db, full=True)
    snap = snapshot(inc_db)
    assert snap == snapshot(full_db)
    big = _incident_with(snap, 3)
    assert len(big) >= 3
    a, b, c = big[0], big[1], big[2]
    loner = max(b["claims"])
    for db in (inc_db, full_db):
        set_status(db, a["id"], "verify", "ana", "checked against the governor's post")
        edit_field(db, a["id"], "killed_best", 7, "ana", "the later toll")
        unlink(db, loner, actor="ana", reason="another strike")
        parts = split(db, c["id"], [max(c["claims"])], actor="ana", reason="two strikes")
    pair = _incident_with(snapshot(inc_db), 2)
    x, y = [i for i in pair if i["id"] not in (a["id"], *parts)][:2]
    for db in (inc_db, full_db):
        merge(db, x["id"], y["id"], actor="ana", reason="one strike, two spellings")
    # the decisions re-resolved their incidents alone; the next run (nothing new) settles their neighbours
    r = resolve(inc_db)
    resolve(full_db, full=True)
    assert r.scored == 0 and r.reclustered >= len(a["claims"]) + len(b["claims"]) + len(c["claims"])
    assert snapshot(inc_db) == snapshot(full_db)
    for batch in steps[3:]:
        for db in (inc_db, full_db):
            gen.store(db, batch)
        resolve(inc_db)
        resolve(full_db, full=True)
    incremental = snapshot(inc_db)
    assert incremental == snapshot(full_db)
    rows = incremental["incidents"]
    # the decisions hold after the incremental runs
    anchor = min(a["claims"])
    now = rows[incremental["claims"][anchor]]
    if min(now["claims"]) == anchor:  # a status and an edit are kept on the incident's earliest claim
        assert now["status"] == "verified" and now["killed"]["best"] == 7
    else:  # a later report brought an earlier claim: as after a full run, the incident starts unreviewed
        assert now["status"] == "unreviewed"
    assert incremental["claims"][loner] != incremental["claims"][min(set(b["claims"]) - {loner})]
    assert incremental["claims"][max(c["claims"])] != incremental["claims"][min(c["claims"])]
    assert incremental["claims"][min(x["claims"])] == incremental["claims"][min(y["claims"])]
    resolve(inc_db, full=True)
    assert snapshot(inc_db) == incremental


def _new_version(db, doc_id: str, drop_last: bool) -> None:
    """A new version of a stored document: a new source row (the old one no longer current) with the
    same claims but the last one dropped (or, when not dropping, a toll raised)."""
    now = datetime(2025, 2, 1, tzinfo=timezone.utc)
    with db.session(write=True) as s:
        old = s.scalar(select(Source).where(Source.doc_id == doc_id, Source.is_current.is_(True)))
        rows = list(s.scalars(select(Claim).where(Claim.source_id == old.id).order_by(Claim.ordinal)))
        old.is_current = False
        text = old.text + " Updated."
        sha = hashlib.sha256(text.encode()).hexdigest()
        src = Source(doc_id=doc_id, version=old.version + 1, previous_id=old.id, is_current=True, title=old.title,
                     publisher=old.publisher, published=old.published, retrieved_at=now, language="en",
                     media_type="text/plain", sha256=sha, raw_path=f"{sha[:2]}/{sha}", text=text, text_sha256=sha,
                     extracted_at=now)
        s.add(src)
        s.flush()
        keep = rows[:-1] if drop_last and len(rows) > 1 else rows
        cols = [c.name for c in Claim.__table__.columns if c.name not in ("id", "source_id", "incident_id")]
        new = [{**{k: getattr(r, k) for k in cols}, "source_id": src.id, "incident_id": None} for r in keep]
        if not drop_last:
            new[0]["killed"] = (new[0]["killed"] or 0) + 4
        s.execute(insert(Claim), new)


def _reextract(db, doc_id: str) -> None:
    """Claims of one source deleted and written again, one fewer (as save_extraction does); the
    database may give the new rows the ids of the old ones."""
    with db.session(write=True) as s:
        src = s.scalar(select(Source).where(Source.doc_id == doc_id, Source.is_current.is_(True)))
        rows = list(s.scalars(select(Claim).where(Claim.source_id == src.id).order_by(Claim.ordinal)))
        cols = [c.name for c in Claim.__table__.columns if c.name not in ("id", "incident_id")]
        again = [{**{k: getattr(r, k) for k in cols}, "incident_id": None} for r in rows[1:]]
        s.execute(delete(Claim).where(Claim.source_id == src.id))
        if again:
            s.execute(insert(Claim), again)


def test_new_versions_and_reextraction_match_full(gen, new_db_url):
    _, docs = _corpus(gen, n=360, seed=13)
    db = Database.open(new_db_url("versions.db"))
    gen.store(db, docs)
    resolve(db)
    snap = snapshot(db)
    multi = sorted({d for i in _incident_with(snap, 3) for d in i["source_docs"]})
    several = [d[0].doc_id for d in docs if len(d) > 1]
    _new_version(db, multi[0], drop_last=True)
    _new_version(db, multi[1], drop_last=False)
    _reextract(db, several[-1])  # the last document stored: its claims had the highest ids
    _reextract(db, multi[2])
    r = resolve(db)
    assert r.scored >= 1 and r.reclustered < r.claims
    incremental = snapshot(db)
    with db.session() as s:  # claims of replaced versions belong to no incident
        assert not list(s.scalars(select(Claim.id).join(Source, Claim.source_id == Source.id)
                                  .where(Source.is_current.is_(False), Claim.incident_id.is_not(None))))
    resolve(db, full=True)
    assert snapshot(db) == incremental


def test_a_new_report_rewrites_only_the_incidents_near_it(gen, new_db_url):
    claims, docs = _corpus(gen, n=1200, seed=21, towns=40, days=60)
    db = Database.open(new_db_url("local.db"))
    last = docs[-1]
    gen.store(db, docs[:-1])
    resolve(db)
    with db.session(write=True) as s:  # mark every row: a row the run does not rewrite keeps the mark
        s.execute(update(Incident).values(withheld=-1))
        before = len(list(s.scalars(select(Incident.id))))
    gen.store(db, [last])
    r = resolve(db)
    with db.session() as s:
        kept = len(list(s.scalars(select(Incident.id).where(Incident.withheld == -1))))
        rewritten = len(list(s.scalars(select(Incident.id).where(Incident.withheld != -1))))
        rc = len(list(s.scalars(select(ResolvedClaim.claim_id))))
    assert r.scored == len(last)
    assert r.reclustered < len(claims) // 10  # a few blocks, not the database
    assert rewritten == r.rewritten and 1 <= rewritten <= r.reclustered
    assert kept >= before - r.reclustered
    assert rc == len(claims)
    # nothing new: nothing re-clustered, nothing rewritten
    again = resolve(db)
    assert (again.scored, again.reclustered, again.rewritten) == (0, 0, 0)


def test_show_and_ids_after_incremental_runs(gen, new_db_url):
    _, docs = _corpus(gen, n=200, seed=2)
    db = Database.open(new_db_url("show.db"))
    gen.store(db, docs[: len(docs) // 2])
    resolve(db)
    first = snapshot(db)
    gen.store(db, docs[len(docs) // 2:])
    resolve(db)
    second = snapshot(db)
    # an incident whose claims got no company keeps its id and its row
    for iid, inc in first["incidents"].items():
        if all(second["claims"][k] == iid for k in inc["claims"]) and \
                len([k for k, i in second["claims"].items() if i == iid]) == len(inc["claims"]):
            assert second["incidents"][iid] == inc
    some = next(iter(second["incidents"]))
    assert show(db, some)["claims"] == second["incidents"][some]["claims"]


def test_writing_in_small_steps_gives_the_same_incidents(gen, batches, new_db_url, monkeypatch):
    from harmwatch.resolve import incremental
    _, docs = _corpus(gen, n=300, seed=4)
    snaps = []
    for step in (incremental.WRITE_CHUNK, 25):
        monkeypatch.setattr(incremental, "WRITE_CHUNK", step)
        db = Database.open(new_db_url(f"chunk{step}.db"))
        for batch in batches(random.Random(1), docs, 3):
            gen.store(db, batch)
            resolve(db)
        resolve(db, full=True)
        snaps.append(snapshot(db))
    assert snaps[0] == snaps[1]
