"""Benchmark: latency of GET /api/incidents?bbox=...&from=...&to=... over 100,000 incidents.

    python bench/api.py                  # 100,000 incidents, 200 requests
    python bench/api.py --incidents 20000 --requests 500 --db /tmp/bench.db

Builds a SQLite database (migrated to head, so with the real indexes) and inserts generated
incidents straight into the incidents table (seeded: the same rows every run), then asks the app
through FastAPI's TestClient, authenticated with a viewer's bearer token as a real client would be,
for random map views: a bounding box of 1-3 degrees somewhere in Ukraine and a date window of
7-60 days. Prints p50/p95/max per request (the JSON list, 100 per page, with the total count) and
the same for ?format=geojson. The target is p95 < 100 ms.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

warnings.filterwarnings("ignore", message=".*httpx.*")

from sqlalchemy import insert  # noqa: E402

from harmwatch.auth import add_user, create_token  # noqa: E402
from harmwatch.store.db import Database  # noqa: E402
from harmwatch.store.models import Incident  # noqa: E402

OBLASTS = ["Kharkiv", "Donetsk", "Luhansk", "Zaporizhzhia", "Kherson", "Mykolaiv", "Odesa", "Dnipropetrovsk", "Kyiv",
           "Chernihiv", "Sumy", "Poltava", "Cherkasy", "Zhytomyr", "Lviv", "Vinnytsia"]
CLASSES = ["air_bomb", "ballistic_missile", "cruise_missile", "drone", "landmine", "mortar", "rocket_artillery",
           "small_arms", "tube_artillery", "unknown"]
GRADES = ["confirmed", "fair", "weak", "contested"]
OBJECTS = ["residential", "hospital", "school", "market", "energy", "commercial", "transport", "religious"]
START = date(2022, 2, 24)
DAYS = 1000


def build(db: Database, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    batch = []
    with db.session(write=True) as s:
        for i in range(n):
            killed = rng.choice([None, 0, 1, 1, 2, 3, 5, 8, 13, 20])
            injured = rng.choice([None, 0, 1, 2, 4, 7, 12, 30])
            batch.append({
                "id": f"inc-{i:012x}", "date": (START + timedelta(days=rng.randrange(DAYS))).isoformat(),
                "time": None, "place": f"Place {i % 5000}", "admin1": rng.choice(OBLASTS),
                "lat": round(rng.uniform(44.5, 52.3), 5), "lon": round(rng.uniform(22.3, 40.2), 5),
                "geonameid": None, "geo_precision": 1, "time_precision": 1, "weapon": None,
                "weapon_class": rng.choice(CLASSES), "cluster": None,
                "objects": rng.sample(OBJECTS, rng.randint(0, 2)),
                "killed_low": killed, "killed_best": killed, "killed_high": killed,
                "injured_low": injured, "injured_best": injured, "injured_high": injured,
                "children_killed_low": None, "children_killed_best": None, "children_killed_high": None,
                "sources": 1, "independent_sources": 1, "grade": rng.choice(GRADES), "status": "unreviewed",
                "detail": {"claims": [], "source_docs": []}})
            if len(batch) == 5000:
                s.execute(insert(Incident), batch)
                batch = []
        if batch:
            s.execute(insert(Incident), batch)


def views(k: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(k):
        w, h = rng.uniform(1, 3), rng.uniform(1, 3)
        lon, lat = rng.uniform(22.3, 40.2 - w), rng.uniform(44.5, 52.3 - h)
        d0 = START + timedelta(days=rng.randrange(DAYS - 60))
        d1 = d0 + timedelta(days=rng.randint(7, 60))
        out.append(f"bbox={lon:.3f},{lat:.3f},{lon + w:.3f},{lat + h:.3f}&from={d0}&to={d1}")
    return out


def measure(client, headers, urls: list[str]) -> dict:
    times, totals = [], []
    for u in urls:
        t = time.perf_counter()
        r = client.get(u, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
        totals.append(r.json()["total"])
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "max": times[-1],
            "mean_total": statistics.mean(totals)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--db", type=Path, default=None, help="SQLite file to build (default: a temporary one)")
    args = ap.parse_args()
    from fastapi.testclient import TestClient

    from harmwatch.web.app import create_app
    tmp = tempfile.TemporaryDirectory()
    path = args.db or Path(tmp.name) / "bench.db"
    if path.exists():
        path.unlink()
    db = Database.open(f"sqlite:///{path}", archive_dir=path.parent / "bench-archive")
    t = time.perf_counter()
    build(db, args.incidents)
    print(f"built {args.incidents:,} incidents in {time.perf_counter() - t:.1f} s ({path})")
    add_user(db, "bench", "viewer", "benchmark password")
    headers = {"Authorization": f"Bearer {create_token(db, 'bench')}"}
    client = TestClient(create_app(db, anonymous_read=False, secret="bench"))
    urls = views(args.requests)
    measure(client, headers, ["/api/incidents?" + u for u in urls[:10]])  # warm-up
    for name, suffix in (("json", ""), ("geojson", "&format=geojson")):
        m = measure(client, headers, ["/api/incidents?" + u + suffix for u in urls])
        print(f"GET /api/incidents?bbox&from&to ({name}, limit 100): {args.requests} requests  "
              f"p50 {m['p50']:.1f} ms  p95 {m['p95']:.1f} ms  max {m['max']:.1f} ms  "
              f"(mean matches {m['mean_total']:.0f})")
    # the map page's own request with no filter: every incident counted, the newest 5000 as GeoJSON
    m = measure(client, headers, ["/api/incidents?format=geojson&limit=5000"] * 20)
    print(f"GET /api/incidents?format=geojson&limit=5000 (no filter, map page): 20 requests  "
          f"p50 {m['p50']:.1f} ms  p95 {m['p95']:.1f} ms  max {m['max']:.1f} ms")
    db.close()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
