"""/api/clusters (web/clusters.py) and the change counters behind the cached reads (migration 0017,
web/cache.py). Expected cells are counted here in Python from the stored points, never by the code
under test."""
from __future__ import annotations

import math
from collections import Counter

import pytest
from sqlalchemy import select, update

from harmwatch.store.models import Incident
from harmwatch.web import cache, clusters
from test_api_keyset import _client, bench


@pytest.fixture
def filled(db):
    bench().generate(db, 3000, seed=11)
    return db


def _points(db, keep=lambda r: True) -> list[tuple]:
    with db.session() as s:
        return [r for r in s.execute(select(Incident.id, Incident.lon, Incident.lat, Incident.weapon_class,
                                            Incident.killed_best, Incident.date)) if keep(r)]


def _cells(points, zoom: int) -> Counter:
    cell = 360.0 / 2 ** zoom * clusters.CELL_PX / 256
    return Counter((math.floor((lon + 180) / cell), math.floor((lat + 90) / cell)) for _, lon, lat, *_ in points)


def _answer_cells(j: dict, zoom: int) -> Counter:
    cell = 360.0 / 2 ** zoom * clusters.CELL_PX / 256
    out = Counter()
    for c in j["clusters"]:  # the mean of a cell's points lies in the cell
        out[(math.floor((c["lon"] + 180) / cell), math.floor((c["lat"] + 90) / cell))] += c["count"]
    for p in j["points"]:
        out[(math.floor((p["lon"] + 180) / cell), math.floor((p["lat"] + 90) / cell))] += 1
    return out


@pytest.mark.parametrize("zoom", [4, 6, 9])
def test_cells_count_every_incident_once(filled, zoom):
    j = _client(filled).get(f"/api/clusters?zoom={zoom}").json()
    pts = _points(filled)
    assert j["total"] == len(pts) == 3000
    assert _answer_cells(j, zoom) == _cells(pts, zoom)
    assert all(c["count"] > 1 for c in j["clusters"])
    for c in j["clusters"]:
        w, s_, e, n = c["bounds"]
        assert w <= c["lon"] <= e and s_ <= c["lat"] <= n


def test_zooming_in_splits_clusters_and_a_small_view_gives_points(filled):
    c = _client(filled)
    box = "30,48,33,50"
    coarse = c.get(f"/api/clusters?zoom=5&bbox={box}").json()
    z = clusters.WHOLE_ZOOM + 1  # above it the view itself is counted (cells cut at its edges)
    fine = c.get(f"/api/clusters?zoom={z}&bbox={box}").json()
    assert len(fine["clusters"]) + len(fine["points"]) > len(coarse["clusters"]) + len(coarse["points"])
    assert max(x["count"] for x in fine["clusters"]) < max(x["count"] for x in coarse["clusters"])
    inside = _points(filled, lambda r: 30 <= r[1] <= 33 and 48 <= r[2] <= 50)
    assert fine["total"] == len(inside)
    assert _answer_cells(fine, z) == _cells(inside, z)
    # at or below WHOLE_ZOOM the cached grid of everything is cut to the cells the view touches
    mid = c.get(f"/api/clusters?zoom={clusters.WHOLE_ZOOM}&bbox={box}").json()
    assert mid["total"] >= len(inside)
    # a view holding few incidents: every one as a point, with its summary for the popup
    few = _points(filled, lambda r: 30 <= r[1] <= 30.6 and 48 <= r[2] <= 48.5)
    assert 0 < len(few) <= clusters.POINT_LIMIT
    j = c.get("/api/clusters?zoom=9&bbox=30,48,30.6,48.5").json()
    assert j["clusters"] == [] and sorted(p["id"] for p in j["points"]) == sorted(r[0] for r in few)
    assert {"place", "killed", "grade", "weapon_class"} <= set(j["points"][0])


def test_filters_apply_to_the_cells(filled):
    j = _client(filled).get("/api/clusters?zoom=6&weapon_class=drone&from=2023-01-01").json()
    want = _points(filled, lambda r: r[3] == "drone" and r[5] is not None and r[5] >= "2023-01-01")
    assert j["total"] == len(want)
    assert _answer_cells(j, 6) == _cells(want, 6)
    assert sum(c["killed"] for c in j["clusters"]) + sum((p["killed"]["best"] or 0) for p in j["points"]) == \
        sum(r[4] or 0 for r in want)


def test_bad_requests(filled):
    c = _client(filled)
    assert c.get("/api/clusters").status_code == 422  # zoom is required
    assert c.get("/api/clusters?zoom=99").status_code == 422
    assert c.get("/api/clusters?zoom=5&bbox=40,50,30,45").status_code == 400


def _counter(db, name: str):
    with db.session() as s:
        return cache.counter(s, name)  # incident_facts: with the deletions not undone


def test_change_counters_follow_incident_writes(filled):
    db = filled
    a, f = _counter(db, "incidents"), _counter(db, "incident_facts")
    some = sorted(r[0] for r in _points(db))[:3]
    with db.session(write=True) as s:  # a review: status and grade only
        s.execute(update(Incident).where(Incident.id.in_(some)).values(status="verified", grade="confirmed"))
    a2, f2 = _counter(db, "incidents"), _counter(db, "incident_facts")
    assert a2 > a and f2 == f
    with db.session(write=True) as s:  # a fact: the toll
        s.execute(update(Incident).where(Incident.id == some[0]).values(killed_best=999))
    f3 = _counter(db, "incident_facts")
    assert f3 != f2 and _counter(db, "incidents") > a2
    with db.session(write=True) as s:
        s.execute(Incident.__table__.delete().where(Incident.id == some[1]))
    f4 = _counter(db, "incident_facts")
    assert f4 != f3
    # a review's re-resolution: delete and insert again, the same facts (another status)
    table = Incident.__table__
    with db.session() as s:
        row = dict(s.execute(select(table).where(table.c.id == some[2])).mappings().one())
    a4 = _counter(db, "incidents")
    with db.session(write=True) as s:
        s.execute(table.delete().where(table.c.id == some[2]))
        s.execute(table.insert().values(**{**row, "status": "discounted"}))
    assert _counter(db, "incidents") > a4
    if db.engine.dialect.name == "sqlite":  # PostgreSQL counts it as a change (safe, fewer cache hits)
        assert _counter(db, "incident_facts") == f4
    with db.session(write=True) as s:  # the same again with another toll: a change
        s.execute(table.delete().where(table.c.id == some[2]))
        s.execute(table.insert().values(**{**row, "killed_best": (row["killed_best"] or 0) + 1}))
    assert _counter(db, "incident_facts") != f4


def test_cached_timeline_and_clusters_see_every_change(filled):
    db = filled
    c = _client(db)
    victim = _points(db, lambda r: r[5] is not None)[0]
    before = {d["date"]: d for d in c.get("/api/timeline").json()["days"]}
    c.get("/api/timeline")  # a second call: from the cache
    with db.session(write=True) as s:
        s.execute(update(Incident).where(Incident.id == victim[0]).values(killed_best=(victim[4] or 0) + 1000))
    after = {d["date"]: d for d in c.get("/api/timeline").json()["days"]}
    assert after[victim[5]]["killed"] == before[victim[5]]["killed"] + 1000
    # a status filter depends on reviews: a verify shows at once
    assert not c.get("/api/timeline?status=verified").json()["days"]
    with db.session(write=True) as s:
        s.execute(update(Incident).where(Incident.id == victim[0]).values(status="verified"))
    days = c.get("/api/timeline?status=verified").json()["days"]
    assert [(d["date"], d["incidents"]) for d in days] == [(victim[5], 1)]
    # clusters (the cached whole grid of a coarse zoom): a moved incident moves between cells
    j1 = c.get("/api/clusters?zoom=5").json()
    with db.session(write=True) as s:
        s.execute(update(Incident).where(Incident.id == victim[0]).values(lon=-120.0, lat=40.0))
    j2 = c.get("/api/clusters?zoom=5").json()
    assert j2["total"] == j1["total"]
    assert any(p["id"] == victim[0] and p["lon"] == -120.0 for p in j2["points"])
    assert _answer_cells(j2, 5) == _cells(_points(db), 5)
