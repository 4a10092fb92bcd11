"""The load test's read mix, one request at a time, in-process: server CPU per request and route,
without the queueing of bench/load.py (so it can be compared on a busy machine).

    python bench/read_mix.py --db /tmp/load.db                 # a database bench/load.py built
    python bench/read_mix.py --db /tmp/load.db --requests 3000 --writes-every 5

Asks the app (FastAPI's TestClient, a viewer's bearer token) for --requests reads drawn from
bench/load.py's seeded mix (`reader_request`: map views, list pages, incidents, the map page,
incident pages, the timeline); every --writes-every reads an analyst verifies, discounts or
comments on a random incident (as bench/load.py's writers do; not counted). Prints per route the
mean CPU time (process time, the app's threads included) and wall p50/p95, and for all reads.
"""
from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

warnings.filterwarnings("ignore", message=".*httpx.*")


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_load", Path(__file__).with_name("load.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="a SQLite file (or URL) that bench/load.py built")
    ap.add_argument("--requests", type=int, default=1500)
    ap.add_argument("--writes-every", type=int, default=5, help="one analyst write per this many reads (0: none)")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from harmwatch.auth import create_token
    from harmwatch.store.db import Database
    from harmwatch.store.models import Incident
    from harmwatch.web.app import create_app
    load = _load_bench()
    db = Database.open(args.db if "://" in args.db else f"sqlite:///{args.db}")
    with db.session() as s:
        ids = list(s.scalars(select(Incident.id)))
    client = TestClient(create_app(db, anonymous_read=False, secret="read-mix"))
    reader = {"Authorization": f"Bearer {create_token(db, load.READER, label='read-mix')}"}
    writer = {"Authorization": f"Bearer {create_token(db, load.ANALYSTS[0], label='read-mix')}"}
    rng, wrng = random.Random(args.seed), random.Random(args.seed + 1)
    cpu, wall = defaultdict(list), defaultdict(list)
    for k in range(args.requests):
        route, url = load.reader_request(rng, ids, len(ids))
        c0, t0 = time.process_time(), time.perf_counter()
        r = client.get(url, headers=reader)
        wall[route].append((time.perf_counter() - t0) * 1000)
        cpu[route].append((time.process_time() - c0) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{url}: HTTP {r.status_code} {r.text[:200]}")
        if args.writes_every and k % args.writes_every == 0:
            action, iid = wrng.choice(load.WRITES), wrng.choice(ids)
            if action == "comment":
                client.post(f"/api/incidents/{iid}/comments", json={"text": f"read mix note {k}"}, headers=writer)
            else:
                client.post(f"/api/incidents/{iid}/{action}", json={"reason": f"read mix check {k}"}, headers=writer)
    every_cpu = [x for v in cpu.values() for x in v]
    every_wall = sorted(x for v in wall.values() for x in v)
    for route in sorted(cpu):
        w = sorted(wall[route])
        print(f"{route:34} {len(w):5}  CPU {statistics.mean(cpu[route]):6.1f} ms  wall p50 {statistics.median(w):6.1f} "
              f"p95 {w[int(0.95 * (len(w) - 1))]:6.1f} ms")
    print(f"{'all reads':34} {len(every_wall):5}  CPU {statistics.mean(every_cpu):6.1f} ms  wall p50 "
          f"{statistics.median(every_wall):6.1f} p95 {every_wall[int(0.95 * (len(every_wall) - 1))]:6.1f} ms")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
