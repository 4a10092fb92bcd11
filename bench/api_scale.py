"""Benchmark: the API and the map at a million incidents, on SQLite and PostgreSQL.

    python bench/api_scale.py                                  # 1,000,000 incidents, SQLite (temporary file)
    python bench/api_scale.py --n 100000 --db /tmp/scale.db    # build once into this file ...
    python bench/api_scale.py --db /tmp/scale.db               # ... and measure again (an existing file is reused)
    python bench/api_scale.py --pg-url "$HARMWATCH_TEST_PG_URL"   # also PostgreSQL (an empty database)
    python bench/api_scale.py --n 10000 --requests 50 --json out.json   # a quick run (tests do this)

1. Builds the database (migrated to head: the real schema, indexes and triggers) and bulk-inserts
   --n generated incidents straight into the incidents table (seeded, the same rows every run;
   executemany in batches on SQLite, COPY on PostgreSQL), spread over Ukraine and 1,000 days.
2. Asks the app in-process (FastAPI's TestClient, with a viewer's bearer token) for --requests
   random requests of each kind, and prints p50/p95/max wall time and p50/p95 of this process's CPU
   time per kind (time.process_time: the app, the client and SQLite, not a PostgreSQL server's work;
   on a shared machine the steadier figure), and the load average after the run:
   * `bbox+date`: /api/incidents?bbox&from&to (a 1-3 degree box, a 7-60 day window; 100 per page, with the total);
   * `bbox+date, next page`: the same views' second page through the `next` cursor (no count);
   * `deep page`: a keyset page 50,000 rows into the unfiltered list (the cursor taken from an offset
     page once, outside the timing);
   * `clusters zoom Z`: /api/clusters?bbox&zoom for map views at zoom 6 (the country), 8, 10 and 12,
     first without a filter (after one warm-up call per zoom up to clusters.WHOLE_ZOOM, whose whole
     grid is then cached, as a map's first view does), then with 60-day windows (30 distinct ones, each
     computed on its first request).
3. `--json FILE` writes the figures. The target (issue 10, docs/scaling.md "API and map"): p95 < 50 ms
   at 1M incidents on both backends.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

warnings.filterwarnings("ignore", message=".*httpx.*")

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from harmwatch.auth import add_user, create_token  # noqa: E402
from harmwatch.store.db import Database  # noqa: E402
from harmwatch.store.models import Incident  # noqa: E402
from harmwatch.web import clusters  # noqa: E402

OBLASTS = ["Kharkiv", "Donetsk", "Luhansk", "Zaporizhzhia", "Kherson", "Mykolaiv", "Odesa", "Dnipropetrovsk", "Kyiv",
           "Chernihiv", "Sumy", "Poltava", "Cherkasy", "Zhytomyr", "Lviv", "Vinnytsia"]
CLASSES = ["air_bomb", "ballistic_missile", "cruise_missile", "drone", "landmine", "mortar", "rocket_artillery",
           "small_arms", "tube_artillery", "unknown"]
GRADES = ["confirmed", "fair", "weak", "contested"]
OBJECTS = ["residential", "hospital", "school", "market", "energy", "commercial", "transport", "religious"]
START = date(2022, 2, 24)
DAYS = 1000
# Ukraine's extent (and where the generated incidents lie)
LON, LAT = (22.3, 40.2), (44.5, 52.3)
COLUMNS = ("id", "date", "place", "admin1", "lat", "lon", "geo_precision", "time_precision", "weapon_class", "objects",
           "killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high", "sources",
           "independent_sources", "grade", "status", "detail", "withheld")
ZOOMS = (6, 8, 10, 12)


def rows(n: int, seed: int = 1, start: int = 0, towns: int = 20000):
    """n generated incidents as tuples of COLUMNS (JSON columns as text); the same for the same seed.
    Incidents cluster in `towns` places (each with some scatter), as real reports do."""
    rng = random.Random(seed)
    town = [(rng.uniform(*LAT), rng.uniform(*LON)) for _ in range(towns)]
    for i in range(start, start + n):
        lat, lon = town[int(rng.paretovariate(1.2)) % towns] if rng.random() < 0.5 else town[rng.randrange(towns)]
        killed = rng.choice((None, 0, 1, 1, 2, 3, 5, 8, 13, 20))
        injured = rng.choice((None, 0, 1, 2, 4, 7, 12, 30))
        yield (f"inc-{i:012x}", (START + timedelta(days=rng.randrange(DAYS))).isoformat(), f"Place {i % 5000}",
               OBLASTS[i % len(OBLASTS)], round(lat + rng.gauss(0, 0.02), 5), round(lon + rng.gauss(0, 0.02), 5),
               1, 1, CLASSES[i % len(CLASSES)], json.dumps(rng.sample(OBJECTS, rng.randint(0, 2))),
               killed, killed, killed, injured, injured, injured, 1, 1, GRADES[i % len(GRADES)], "unreviewed",
               '{"claims": [], "source_docs": []}', 0)


def generate(db: Database, n: int, seed: int = 1, batch: int = 20000) -> float:
    """Bulk-insert n generated incidents; returns the seconds it took."""
    t = time.perf_counter()
    it = rows(n, seed)
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY incidents ({', '.join(COLUMNS)}) FROM STDIN") as cp:
                for r in it:
                    cp.write_row(r)
        else:
            sql = f"INSERT INTO incidents ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            cur = conn.connection.driver_connection.cursor()
            cur.execute("PRAGMA cache_size = -400000")  # 400 MB for the index inserts of this connection
            while True:
                chunk = [r for _, r in zip(range(batch), it)]
                if not chunk:
                    break
                cur.executemany(sql, chunk)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE incidents")
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - t


def views(k: int, seed: int = 2) -> list[str]:
    """Map views as the bench of bench/api.py: a 1-3 degree box and a 7-60 day window."""
    rng = random.Random(seed)
    out = []
    for _ in range(k):
        w, h = rng.uniform(1, 3), rng.uniform(1, 3)
        lon, lat = rng.uniform(LON[0], LON[1] - w), rng.uniform(LAT[0], LAT[1] - h)
        d0 = START + timedelta(days=rng.randrange(DAYS - 60))
        d1 = d0 + timedelta(days=rng.randint(7, 60))
        out.append(f"bbox={lon:.3f},{lat:.3f},{lon + w:.3f},{lat + h:.3f}&from={d0}&to={d1}")
    return out


def map_views(k: int, zoom: int, seed: int = 3) -> list[str]:
    """The bbox a 1280 x 900 pixel map shows at this zoom, centred at random in Ukraine."""
    rng = random.Random(seed + zoom)
    w = 1280 / 256 * 360 / 2 ** zoom
    h = 900 / 256 * 360 / 2 ** zoom * 0.66  # Mercator at 48 degrees north
    out = []
    for _ in range(k):
        lon, lat = rng.uniform(*LON), rng.uniform(*LAT)
        box = (max(-180, lon - w / 2), max(-90, lat - h / 2), min(180, lon + w / 2), min(90, lat + h / 2))
        out.append("bbox=" + ",".join(f"{x:.4f}" for x in box) + f"&zoom={zoom}")
    return out


def _pct(times: list[float], cpu: list[float]) -> dict:
    times, cpu = sorted(times), sorted(cpu)
    return {"n": len(times), "p50": round(statistics.median(times), 1),
            "p95": round(times[int(0.95 * (len(times) - 1))], 1), "max": round(times[-1], 1),
            "cpu_p50": round(statistics.median(cpu), 1), "cpu_p95": round(cpu[int(0.95 * (len(cpu) - 1))], 1)}


def server_cpu(db: Database):  # noqa: ANN201
    """For a PostgreSQL server on this machine (as scripts/pg-test-server.sh starts): a function giving
    the CPU seconds its processes have used so far (/proc), else None."""
    if db.engine.dialect.name != "postgresql":
        return None
    try:
        with db.engine.connect() as conn:
            data = conn.exec_driver_sql("SHOW data_directory").scalar()
        master = int(Path(data, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, SQLAlchemyError):  # not on this machine, or not allowed to see it
        return None
    tick = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        total = 0
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                f = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(f[1]) == master or int(d.name) == master:  # the postmaster and its backends
                total += int(f[11]) + int(f[12])
        return total / tick
    return used


def _measure(client, headers, urls: list[str], check=None, server=None) -> dict:  # noqa: ANN001
    """Wall time and this process's CPU time (time.process_time: the app, SQLite and the client; not a
    PostgreSQL server's) per request, in ms; with `server` (server_cpu), also the PostgreSQL server's
    CPU time (its clock ticks are 10 ms: a mean over the requests is given). On a shared machine the
    CPU times are the steadier figures."""
    times, cpu = [], []
    s0 = server() if server else None
    for u in urls:
        t, c = time.perf_counter(), time.process_time()
        r = client.get(u, headers=headers)
        cpu.append((time.process_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{u}: HTTP {r.status_code} {r.text[:200]}")
        if check:
            check(r.json())
    out = _pct(times, cpu)
    if server:
        out["server_cpu_mean"] = round((server() - s0) * 1000 / len(urls), 1)
    return out


def run(url: str, n: int, requests: int, fresh: bool) -> dict:
    from fastapi.testclient import TestClient

    from harmwatch.web.app import create_app
    db = Database.open(url, archive_dir=Path(tempfile.gettempdir()) / "harmwatch-api-scale-archive")
    have = None
    with db.session() as s:
        have = s.scalar(select(func.count()).select_from(Incident))
    out = {"backend": db.engine.dialect.name}
    if have == 0 or fresh:
        if have:
            raise SystemExit(f"{url}: holds {have} incidents; give an empty database")
        out["build_seconds"] = round(generate(db, n), 1)
        print(f"{out['backend']}: built {n:,} incidents in {out['build_seconds']} s", flush=True)
        have = n
    out["incidents"] = have
    add_user(db, f"bench{os.getpid()}", "viewer", "benchmark password")
    headers = {"Authorization": f"Bearer {create_token(db, f'bench{os.getpid()}')}"}
    client = TestClient(create_app(db, anonymous_read=False, secret="bench"))
    server = server_cpu(db)

    def measure(client, headers, urls, check=None):  # noqa: ANN001, ANN202
        return _measure(client, headers, urls, check, server)
    figures = {}
    urls = views(requests)
    measure(client, headers, ["/api/incidents?" + u for u in urls[:10]])  # warm-up
    nexts = []
    figures["bbox+date"] = measure(client, headers, ["/api/incidents?" + u for u in urls],
                                   lambda j: nexts.append(j["next"]) if j["next"] else None)
    if nexts:
        figures["bbox+date, next page"] = measure(client, headers, nexts)
    deep = client.get("/api/incidents?limit=1&offset=50000", headers=headers).json()["next"]
    if deep:
        figures["deep page (keyset, 50,000 in)"] = measure(client, headers, [deep + "&limit=100"] * requests)
    for zoom in ZOOMS:
        zs = map_views(requests, zoom)
        for u in zs[:1] if zoom <= clusters.WHOLE_ZOOM else []:  # the cached whole grid of this zoom, once
            client.get("/api/clusters?" + u, headers=headers)
        figures[f"clusters zoom {zoom}"] = measure(client, headers, ["/api/clusters?" + u for u in zs])
        dated = [u + f"&from={START + timedelta(days=30 * (k % 30))}&to={START + timedelta(days=30 * (k % 30) + 60)}"
                 for k, u in enumerate(map_views(requests, zoom, seed=4))]
        figures[f"clusters zoom {zoom} + dates"] = measure(client, headers, ["/api/clusters?" + u for u in dated])
    for name, m in figures.items():
        print(f"{out['backend']:10} {name:34} {m['n']:4} requests  p50 {m['p50']:7.1f} ms  p95 {m['p95']:7.1f} ms  "
              f"max {m['max']:7.1f} ms  cpu p50 {m['cpu_p50']:6.1f} p95 {m['cpu_p95']:6.1f} ms"
              + (f"  server cpu mean {m['server_cpu_mean']:6.1f} ms" if "server_cpu_mean" in m else ""), flush=True)
    out["figures"] = figures
    out["load_average"] = os.getloadavg()
    print(f"{out['backend']:10} load average after the run: {' '.join(f'{x:.1f}' for x in out['load_average'])}",
          flush=True)
    db.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="incidents to generate (default 1,000,000)")
    ap.add_argument("--requests", type=int, default=200, help="requests per kind")
    ap.add_argument("--db", default=None, help="SQLite file (kept; reused when it holds incidents) or a database URL")
    ap.add_argument("--pg-url", default=os.environ.get("HARMWATCH_TEST_PG_URL"),
                    help="also measure on this (empty) PostgreSQL database (default: $HARMWATCH_TEST_PG_URL)")
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here as JSON")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "load_average": os.getloadavg()}, "runs": []}
    if not args.no_sqlite:
        url = args.db if args.db and "://" in args.db else f"sqlite:///{args.db or Path(tmp.name) / 'scale.db'}"
        results["runs"].append(run(url, args.n, args.requests, fresh=False))
    if args.pg_url:
        results["runs"].append(run(args.pg_url, args.n, args.requests, fresh=False))
    results["machine"]["load_average_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
