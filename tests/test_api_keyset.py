"""Keyset pages on /api/incidents (a `next` cursor), streamed exports, and bench/api_scale.py's generator.

The expected orders are computed here in Python from the rows the generator stored (read back with a
plain SELECT), never by the code under test: newest date first, then id; undated incidents after the
dated ones on SQLite and before them on PostgreSQL (each database's NULL order for DESC)."""
from __future__ import annotations

import importlib.util
import json
import sys
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import select, update

from harmwatch import export
from harmwatch.store.models import Incident

BENCH = Path(__file__).resolve().parent.parent / "bench" / "api_scale.py"


def bench():
    if "bench_api_scale" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_api_scale", BENCH)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["bench_api_scale"] = mod
        spec.loader.exec_module(mod)
    return sys.modules["bench_api_scale"]


def _client(db):
    from fastapi.testclient import TestClient

    from harmwatch.web.app import create_app
    return TestClient(create_app(db, anonymous_read=True, secret="keyset-test"))


@pytest.fixture
def filled(db):
    bench().generate(db, 1500, seed=7)
    # undated incidents, and many on one day (ties broken by id across page boundaries)
    with db.session(write=True) as s:
        ids = list(s.scalars(select(Incident.id).order_by(Incident.id)))
        s.execute(update(Incident).where(Incident.id.in_(ids[::40])).values(date=None))
        s.execute(update(Incident).where(Incident.id.in_(ids[5::7][:150])).values(date="2023-06-01"))
    return db


def _expected(db, keep=lambda r: True) -> list[str]:
    with db.session() as s:
        rows = [(i, d, lon, lat) for i, d, lon, lat in
                s.execute(select(Incident.id, Incident.date, Incident.lon, Incident.lat))]
    rows = [r for r in rows if keep(r)]
    dated = sorted((r for r in rows if r[1] is not None), key=lambda r: r[0])
    dated.sort(key=lambda r: r[1], reverse=True)  # stable: ids stay ascending within a day
    undated = sorted((r for r in rows if r[1] is None), key=lambda r: r[0])
    nulls_first = db.engine.dialect.name == "postgresql"
    return [r[0] for r in (undated + dated if nulls_first else dated + undated)]


def _follow(client, url: str) -> tuple[list[str], int]:
    ids, pages = [], 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.text
        j = r.json()
        ids += [i["id"] for i in (j["incidents"] if "incidents" in j else [f["properties"] for f in j["features"]])]
        pages += 1
        assert pages < 200
        url = j["next"]
    return ids, pages


def test_next_links_walk_the_whole_list_in_order_without_gaps_or_repeats(filled):
    c = _client(filled)
    expected = _expected(filled)
    first = c.get("/api/incidents?limit=97").json()
    assert first["total"] == 1500 and first["next"].startswith("/api/incidents?") and "cursor=" in first["next"]
    ids, pages = _follow(c, "/api/incidents?limit=97")
    assert ids == expected
    assert pages == -(-1500 // 97)
    # the offset pages existing clients use give the same order
    by_offset = []
    for off in range(0, 1500, 250):
        by_offset += [i["id"] for i in c.get(f"/api/incidents?limit=250&offset={off}").json()["incidents"]]
    assert by_offset == expected


def test_cursor_pages_keep_the_filters_and_geojson(filled):
    c = _client(filled)
    box = (26.0, 46.0, 34.0, 50.0)
    want = _expected(filled, lambda r: r[2] is not None and box[0] <= r[2] <= box[2] and box[1] <= r[3] <= box[3]
                     and r[1] is not None and "2022-06-01" <= r[1] <= "2023-12-31")
    assert 100 < len(want) < 1500
    url = "/api/incidents?limit=40&bbox=26,46,34,50&from=2022-06-01&to=2023-12-31&format=geojson"
    ids, _ = _follow(c, url)
    assert ids == want
    page2 = c.get(c.get(url).json()["next"]).json()
    assert page2["total"] is None  # a cursor page counts nothing
    assert page2["type"] == "FeatureCollection"


def test_bad_cursors_are_400(filled):
    c = _client(filled)
    for bad in ("nonsense", "W10", "eyJhIjoxfQ", "WzEsMl0"):  # not base64 JSON / [] / {"a":1} / [1,2]
        r = c.get(f"/api/incidents?cursor={bad}")
        assert r.status_code == 400, (bad, r.text)
        assert "cursor" in r.json()["detail"]
    nxt = c.get("/api/incidents?limit=5").json()["next"]
    r = c.get(nxt + "&offset=10")
    assert r.status_code == 400 and "not both" in r.json()["detail"]


def test_last_page_has_no_next(filled):
    c = _client(filled)
    j = c.get("/api/incidents?limit=2000").json()
    assert len(j["incidents"]) == 1500 and j["next"] is None
    tail = c.get("/api/incidents?limit=1500").json()
    assert tail["next"] is None


def test_streamed_geojson_export_is_the_same_document_and_memory_stays_flat(filled):
    db = filled
    full = export.geojson(list(export.iter_incidents(db)))
    streamed = json.loads("".join(export.geojson_chunks(export.iter_incidents(db))))
    assert streamed == full
    assert len(streamed["features"]) == 1500 and streamed["skipped"] == 0  # every generated incident has a point
    r = _client(db).get("/api/export/geojson?bbox=26,46,34,50")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    feats = json.loads(r.text)["features"]
    assert feats and all(26 <= f["geometry"]["coordinates"][0] <= 34 for f in feats)
    assert _client(db).get("/api/export/xlsx").status_code == 404

    def peak(limit: int) -> int:
        tracemalloc.start()
        n = sum(1 for _ in export.geojson_chunks(i for k, i in zip(range(limit), export.iter_incidents(db, batch=100))))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert n > limit  # a chunk per feature, plus the head and the tail
        return top
    small, large = peak(300), peak(1500)
    # five times the incidents: a list-based export grows ~5x; a stream stays within a small margin
    assert large < small * 1.6, (small, large)


def test_streamed_csv_export_matches_the_rows(filled):
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO("".join(export.csv_chunks("acled", export.iter_incidents(filled),
                                                                     rows_per_chunk=64)))))
    assert len(rows) == 1500
    assert rows == [{k: str(v) for k, v in r.items()} for r in export.acled_rows(list(export.iter_incidents(filled)))]


def test_the_scale_bench_runs_on_a_small_database(db_url):
    """bench/api_scale.py end to end on 2,000 incidents, so it cannot rot (its figures are not checked)."""
    out = bench().run(db_url, 2000, 5, fresh=False)
    assert out["incidents"] == 2000
    assert {"bbox+date", "clusters zoom 6", "clusters zoom 12 + dates"} <= set(out["figures"])
    assert all(m["n"] == 5 for m in out["figures"].values())
