"""Server CPU per request of the load test's mix, in-process: each request goes straight into the ASGI
app (no HTTP client, no server), so only the app's own work is timed, with time.process_time (every
thread of the process: the thread pool the routes run in included). It is the comparison that holds on
a busy machine, where bench/load.py's latencies mostly measure the other work.

    python bench/server_cpu.py --db /tmp/load.db                       # a database bench/load.py built
    python bench/server_cpu.py --db /tmp/load.db --reads 3000 --writes-every 5
    python bench/server_cpu.py --db /tmp/load.db --reads 0 --writes 300 # writes alone

Reads are drawn from bench/load.py's seeded mix (`reader_request`) with a viewer's bearer token; every
--writes-every reads an analyst verifies, discounts or comments on a random incident (as bench/load.py's
writers do). The first --warm requests (every route) are not counted: a process loads the weapon
catalogue and compiles its statements once. Prints the mean and median CPU per route and per write
action, and for all reads and all writes. The database is written to (reviews, comments): use a copy.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path


def _load_bench():  # bench/load.py: the generator's users and the seeded read mix
    spec = importlib.util.spec_from_file_location("bench_load", Path(__file__).with_name("load.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = mod
    spec.loader.exec_module(mod)
    return mod


async def call(app, method: str, url: str, token: str, body: bytes = b"") -> int:  # noqa: ANN001
    """One request into the ASGI app, as uvicorn would hand it over; returns the status."""
    path, _, query = url.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {token}".encode()),
                         (b"accept-encoding", b"gzip, deflate"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        return {"type": "http.disconnect"}
    status = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
    await app(scope, receive, send)
    return status[0]


async def run(args: argparse.Namespace) -> dict[str, list[float]]:
    from sqlalchemy import select

    from harmwatch.auth import create_token
    from harmwatch.store.db import Database
    from harmwatch.store.models import Incident
    from harmwatch.web.app import create_app
    load = _load_bench()
    db = Database.open(args.db if "://" in args.db else f"sqlite:///{args.db}")
    with db.session() as s:
        ids = list(s.scalars(select(Incident.id)))
    app = create_app(db, anonymous_read=False, secret="server-cpu")
    reader = create_token(db, load.READER, label="server-cpu")
    writer = create_token(db, load.ANALYSTS[0], label="server-cpu")
    rng, wrng, warm = random.Random(args.seed), random.Random(args.seed + 1), random.Random(args.seed + 2)
    cpu: dict[str, list[float]] = defaultdict(list)

    def write() -> tuple[str, str, bytes]:
        action, iid = wrng.choice(load.WRITES), wrng.choice(ids)
        if action == "comment":
            return action, f"/api/incidents/{iid}/comments", json.dumps({"text": "server-cpu note"}).encode()
        return action, f"/api/incidents/{iid}/{action}", json.dumps({"reason": "server-cpu check"}).encode()

    async def timed(key: str, method: str, url: str, token: str, body: bytes = b"") -> None:
        c0 = time.process_time()
        status = await call(app, method, url, token, body)
        cpu[key].append((time.process_time() - c0) * 1000)
        if status != 200:
            raise SystemExit(f"{method} {url}: HTTP {status}")
    for _ in range(args.warm):
        await call(app, "GET", load.reader_request(warm, ids, len(ids))[1], reader)
    for k in range(args.reads):
        route, url = load.reader_request(rng, ids, len(ids))
        await timed(route, "GET", url, reader)
        if args.writes_every and k % args.writes_every == 0:
            action, url, body = write()
            await timed("write: " + action, "POST", url, writer, body)
    for _ in range(args.writes):
        action, url, body = write()
        await timed("write: " + action, "POST", url, writer, body)
    db.close()
    return cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="a SQLite file (or URL) that bench/load.py built (it is written to)")
    ap.add_argument("--reads", type=int, default=1500)
    ap.add_argument("--writes-every", type=int, default=5, help="one analyst write after this many reads (0: none)")
    ap.add_argument("--writes", type=int, default=0, help="then this many writes in a row")
    ap.add_argument("--warm", type=int, default=60, help="requests before the timed ones (not counted)")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    cpu = asyncio.run(run(args))
    reads = [x for k, v in cpu.items() if not k.startswith("write") for x in v]
    writes = [x for k, v in cpu.items() if k.startswith("write") for x in v]
    for key in sorted(cpu):
        print(f"{key:36} {len(cpu[key]):5}  CPU mean {statistics.mean(cpu[key]):6.2f} ms  "
              f"median {statistics.median(cpu[key]):6.2f} ms")
    for name, xs in (("all reads", reads), ("all writes", writes)):
        if xs:
            print(f"{name:36} {len(xs):5}  CPU mean {statistics.mean(xs):6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
