"""bench/load.py, so the load test cannot rot: its generator on a small database, and its driver
against the real server (`harmwatch serve` in its own process) for 2 seconds. Not timed: the
figures are the bench's business (docs/web.md, "Load test"); here only what it stores and counts."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from harmwatch.store.db import Database
from harmwatch.store.models import Claim, ClaimLink, Comment, Decision, Incident, Source

BENCH = Path(__file__).resolve().parent.parent / "bench" / "load.py"


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = mod  # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    yield mod
    sys.modules.pop("bench_load", None)


def test_generator_stores_sourced_claims_resolved_into_incidents(load, tmp_path):
    db = Database.open(f"sqlite:///{tmp_path / 'g.db'}")
    built = load.build(db, 200)
    with db.session() as s:
        n_src = s.scalar(select(func.count()).select_from(Source))
        claims = list(s.execute(select(Claim, Source).join(Source, Claim.source_id == Source.id)))
        incidents = list(s.scalars(select(Incident)))
        n_links = s.scalar(select(func.count()).select_from(ClaimLink))
    db.close()
    assert built["events"] == 200 and built["sources"] == n_src == len(claims) > 200
    assert built["links"] == n_links == len(claims) - 200  # each event's reports scored as linked
    assert len(incidents) == built["incidents"] == 200  # every event resolved into exactly one incident
    assert sum(len(i.detail["claims"]) for i in incidents) == len(claims)
    for c, src in claims:
        assert c.incident_id is not None
        passage = src.text[c.span_start:c.span_end]
        assert passage.startswith("On ") and c.place in passage
        for name, ev in c.evidence.items():
            assert src.text[ev["start"]:ev["end"]] == ev["quote"], name  # every value keeps its span
        assert f"killing {c.killed} " in c.evidence["killed"]["quote"] + " "
    # the reports of one event agree on place and date: an incident never mixes two places
    by_id = {}
    for c, _ in claims:
        by_id.setdefault(c.incident_id, set()).add((c.place, c.date))
    assert all(len(v) == 1 for v in by_id.values())


def test_driver_reads_and_writes_through_the_real_server(load, tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    out = load.run(url, tmp_path / "archive", 200, 2.0, readers=4, writers=2, log=tmp_path / "server.log")
    assert out["errors"] == 0, out["error_samples"]
    assert out["incidents"] == 200
    assert set(load.MIX) <= set(out["routes"])  # every kind of read was asked
    assert out["reads"]["n"] == sum(out["routes"][r]["n"] for r in load.MIX) > 0
    assert out["reads"]["p50"] <= out["reads"]["p95"] <= out["reads"]["p99"] <= out["reads"]["max"]
    assert out["server_cpu"]["seconds"] > 0
    # every write the driver counted as done is in the database, by the analysts who made it
    db = Database.open(url, archive_dir=tmp_path / "archive")
    with db.session() as s:
        for kind in ("verify", "discount"):
            stored = s.scalar(select(func.count()).select_from(Decision)
                              .where(Decision.kind == kind, Decision.actor.in_(load.ANALYSTS)))
            assert stored == out["routes"].get(f"POST /api/incidents/{{id}}/{kind}", {}).get("n", 0)
        comments = s.scalar(select(func.count()).select_from(Comment).where(Comment.actor.in_(load.ANALYSTS)))
        assert comments == out["routes"].get("POST /api/incidents/{id}/comments", {}).get("n", 0)
    db.close()
    assert out["writes"]["n"] > 0
