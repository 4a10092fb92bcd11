"""The read-path shortcuts (docs/web.md, "Load test"): BEGIN sent straight to the SQLite driver, Core
selects for lists and the timeline, incident summaries built from row positions. Each must give what
the slower way gave: snapshots, lock errors as SQLAlchemy errors, the stored values of every column."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from harmwatch.resolve.summary import FIELDS
from harmwatch.store import dialect
from harmwatch.store.db import Database
from harmwatch.store.models import Incident
from harmwatch.web import query

BENCH = Path(__file__).resolve().parent.parent / "bench" / "load.py"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("bench_load_rs", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_load_rs"] = mod
    spec.loader.exec_module(mod)
    path = tmp_path_factory.mktemp("rs") / "r.db"
    db = Database.open(f"sqlite:///{path}")
    mod.build(db, 150)
    yield db
    db.close()
    sys.modules.pop("bench_load_rs", None)


def test_a_read_session_is_a_snapshot(built, tmp_path):
    """BEGIN is still sent (by the driver now): a read session does not see a commit made after its first read."""
    other = Database.open(built.engine.url.render_as_string(hide_password=False))
    try:
        with built.session() as s:
            before = s.scalar(select(func.count()).select_from(Incident))
            with other.session(write=True) as w:
                w.get(Incident, s.scalar(select(Incident.id).limit(1))).place = "Snapshotville"
            with other.session() as fresh:
                assert fresh.scalar(select(func.count()).select_from(Incident).where(
                    Incident.place == "Snapshotville")) == 1
            assert s.scalar(select(func.count()).select_from(Incident).where(Incident.place == "Snapshotville")) == 0
            assert s.scalar(select(func.count()).select_from(Incident)) == before
    finally:
        other.close()


def test_a_locked_begin_immediate_is_a_sqlalchemy_error(tmp_path, monkeypatch):
    monkeypatch.setattr(dialect, "BUSY_TIMEOUT_MS", 50)
    url = f"sqlite:///{tmp_path / 'l.db'}"
    a, b = Database.open(url, archive_dir=tmp_path), Database.open(url, archive_dir=tmp_path)
    try:
        with a.session(write=True) as s:
            s.connection()  # holds the write lock
            with pytest.raises(OperationalError, match="locked"):
                with b.session(write=True) as s2:
                    s2.connection()
        with b.session(write=True) as s2:  # free again once the first writer is done
            s2.connection()
    finally:
        a.close()
        b.close()


def test_summaries_carry_every_stored_value(built):
    total, rows = query.search(built, query.Filters(), limit=query.MAX_LIMIT)
    with built.session() as s:
        stored = {i.id: i for i in s.scalars(select(Incident))}
    assert total == len(rows) == len(stored) == 150
    for r in rows:
        inc = stored[r["id"]]
        for k in ("date", "time", "place", "admin1", "lat", "lon", "geo_precision", "weapon", "weapon_class",
                  "sources", "independent_sources", "grade", "status"):
            assert r[k] == getattr(inc, k), k
        assert r["objects"] == list(inc.objects or [])
        for f in FIELDS:
            assert r[f] == {k: getattr(inc, f"{f}_{k}") for k in ("low", "best", "high")}, f
    assert any(r["killed"]["best"] for r in rows) and any(r["objects"] for r in rows)


def test_timeline_counts_match_the_rows(built):
    with built.session() as s:
        incs = list(s.scalars(select(Incident).where(Incident.date.is_not(None))))
    days = query.timeline(built, query.Filters())
    assert sum(d["incidents"] for d in days) == len(incs)
    by_day: dict[str, list[int]] = {}
    for i in incs:
        by_day.setdefault(i.date, [0, 0, 0])
        by_day[i.date][0] += 1
        by_day[i.date][1] += i.killed_best or 0
        by_day[i.date][2] += i.injured_best or 0
    assert {d["date"]: [d["incidents"], d["killed"], d["injured"]] for d in days} == by_day
    assert [d["date"] for d in days] == sorted(by_day)
