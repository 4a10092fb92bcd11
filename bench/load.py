"""Load test: the real server (`harmwatch serve`, uvicorn) on loopback, mixed reads by many clients
while analysts write.

    python bench/load.py                                   # 100,000 incidents, 16 readers, 5 analysts, 20 s
    python bench/load.py --db /tmp/load.db                 # build once into this file ...
    python bench/load.py --db /tmp/load.db                 # ... and measure again without rebuilding
    python bench/load.py --db "$HARMWATCH_TEST_PG_URL"     # the same on PostgreSQL (an empty database)
    python bench/load.py --incidents 200 --seconds 2 --json out.json   # a quick check (tests do this)

1. Builds a database (migrated to head: the real schema and indexes; seeded, the same every run):
   N events in Ukraine over 1,000 days, each told by 1-3 documents (sources with text, a claim
   per document with its passage and evidence spans), links scored by the resolver's own
   `score_pair`, then clustered and summarised by `resolve.service` (`cluster`, `write_incidents`)
   exactly as `harmwatch ingest` would store them. Users: 5 analysts and a viewer, with API tokens.
2. Starts `harmwatch serve` on a free loopback port in its own process.
3. For --seconds: --readers clients (asyncio on uvloop, a small HTTP/1.1 client of its own: one
   keep-alive connection each, no pause between requests; httpx cost several times the CPU per
   request, taken from the server it measures on a machine of few cores) each ask, in a seeded random mix, for a map view (/api/incidents?bbox&from&to),
   a page of the list (/api/incidents?offset=...), one incident (/api/incidents/{id}), the map
   page (/), an incident page (/incidents/{id}) or the timeline (/api/timeline), as the viewer;
   at the same time --writers analysts verify, discount and comment (each with a reason) on random
   incidents through the API, one request after the other.
4. Prints p50/p95/p99 per route, for all reads and for the writes, errors (any status other than
   200, or no answer within 30 s), requests per second, and the load average before and after.
   The target (docs/web.md, "Load test"): reads p95 < 150 ms, 0 errors.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

warnings.filterwarnings("ignore", message=".*httpx.*")

import httpx  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from harmwatch.auth import add_user, create_token  # noqa: E402
from harmwatch.resolve.link import cluster, score_pair  # noqa: E402
from harmwatch.resolve.service import claim_refs, write_incidents  # noqa: E402
from harmwatch.store.db import Database  # noqa: E402
from harmwatch.store.models import Claim, ClaimLink, Incident, ScoredClaim, Source  # noqa: E402

OBLASTS = ["Kharkiv", "Donetsk", "Luhansk", "Zaporizhzhia", "Kherson", "Mykolaiv", "Odesa", "Dnipropetrovsk", "Kyiv",
           "Chernihiv", "Sumy", "Poltava", "Cherkasy", "Zhytomyr", "Lviv", "Vinnytsia"]
WEAPONS = [("air_bomb", "guided aerial bomb"), ("ballistic_missile", "ballistic missile"),
           ("cruise_missile", "cruise missile"), ("drone", "Shahed drone"), ("rocket_artillery", "Grad rocket"),
           ("tube_artillery", "artillery shell"), ("mortar", "mortar round")]
OBJECTS = [("residential", "apartment building"), ("hospital", "hospital"), ("school", "school"),
           ("market", "market"), ("energy", "power plant"), ("transport", "bus stop"), ("religious", "church")]
PUBLISHERS = ["Regional Military Administration", "National Police", "Ukrinform", "Suspilne", "UN OHCHR", "Reuters"]
START = date(2022, 2, 24)
DAYS = 1000
TOWNS = 5000
PASSWORD = "load test password"
ANALYSTS = [f"analyst{i}" for i in range(1, 6)]
READER = "reader"
# route name -> weight in the readers' mix
MIX = {"GET /api/incidents?bbox&from&to": 30, "GET /api/incidents?offset": 10, "GET /api/incidents/{id}": 20,
       "GET / (map page)": 10, "GET /incidents/{id} (page)": 15, "GET /api/timeline": 15}
WRITES = ("verify", "discount", "comment")


# --- 1. the database ---------------------------------------------------------------------------------

def _town(i: int) -> tuple[str, str, float, float]:
    r = random.Random(1000 + i)
    return f"Town {i}", OBLASTS[i % len(OBLASTS)], round(r.uniform(44.5, 52.3), 5), round(r.uniform(22.3, 40.2), 5)


def _report(d: date, weapon: str, obj: str, place: str, oblast: str, killed: int, injured: int,
            said: str) -> tuple[str, tuple[int, int], dict]:
    """A two-sentence report; the claim passage and evidence spans index its text."""
    head = f"{weapon.capitalize()} strike on {place}\n\n"
    sent = (f"On {d.day} {d:%B %Y} a {weapon} hit a {obj} in {place}, {oblast} Oblast, killing {killed} "
            f"civilians and injuring {injured}, the {said} said.")
    tail = " Rescuers worked through the night to clear the rubble."
    text = head + sent + tail
    a = len(head)
    ev = {}
    for name, quote in (("place", place), ("weapon", weapon), ("objects", obj), ("killed", f"killing {killed}"),
                        ("injured", f"injuring {injured}"), ("source", f"the {said}")):
        s = text.index(quote, a)
        ev[name] = {"start": s, "end": s + len(quote), "quote": quote}
    return text, (a, a + len(sent)), ev


def build(db: Database, n: int, seed: int = 1) -> dict:
    """Store n generated events (sources, claims, scored links) and resolve them into incidents."""
    rng = random.Random(seed)
    now = datetime(2025, 1, 1, tzinfo=timezone.utc)
    t0 = time.perf_counter()
    sources, claims, groups = [], [], []
    doc_seq = 0
    for e in range(n):
        place, oblast, lat, lon = _town(rng.randrange(TOWNS))
        d = START + timedelta(days=rng.randrange(DAYS))
        wclass, weapon = rng.choice(WEAPONS)
        oslug, obj = rng.choice(OBJECTS)
        killed, injured = rng.choice([0, 1, 1, 2, 3, 5, 8, 13]), rng.choice([0, 1, 2, 4, 7, 12, 30])
        keys = []
        for r in range(rng.choice([1, 1, 1, 2, 2, 3])):
            doc_seq += 1
            doc_id = f"load-{doc_seq:07d}"
            said = rng.choice(PUBLISHERS)
            k = killed + (r if killed and rng.random() < 0.3 else 0)  # a rising toll in a later report
            text, (a, b), ev = _report(d, weapon, obj, place, oblast, k, injured, said)
            sha = hashlib.sha256(text.encode()).hexdigest()
            published = d + timedelta(days=r)
            sources.append({"id": doc_seq, "doc_id": doc_id, "version": 1, "previous_id": None, "is_current": True,
                            "title": f"{weapon.capitalize()} strike on {place}", "publisher": said,
                            "url": f"https://example.org/{doc_id}", "published": published,
                            "retrieved_at": now, "language": "en", "media_type": "text/plain", "path": None,
                            "sha256": sha, "raw_path": f"{sha[:2]}/{sha}", "text": text, "text_sha256": sha,
                            "extracted_at": now})
            claims.append({"id": doc_seq, "source_id": doc_seq, "ordinal": 0, "date": d.isoformat(), "time": None,
                           "place": place, "admin1": oblast, "lat": lat, "lon": lon, "geonameid": None,
                           "weapon": weapon, "weapon_id": None, "weapon_class": wclass, "cluster": None,
                           "objects": [oslug], "killed": k, "injured": injured, "children_killed": None,
                           "children_injured": None, "women_killed": None, "healthcare_killed": None,
                           "healthcare_injured": None, "vague": {}, "source_said": said, "perpetrator": None,
                           "evidence": ev, "span_start": a, "span_end": b, "incident_id": None, "confidence": {},
                           "uncertain": {}, "withheld": {}, "date_precision": "day"})
            keys.append(f"{doc_id}#0")
        groups.append(keys)
    with db.session(write=True) as s:
        for rows, model in ((sources, Source), (claims, Claim)):
            for i in range(0, len(rows), 5000):
                s.execute(insert(model), rows[i:i + 5000])
    t1 = time.perf_counter()
    with db.session(write=True) as s:
        # claim_refs by chunks of events: one IN list over every source would pass PostgreSQL's
        # limit of 65,535 parameters per statement
        refs, ids = [], {}
        for i in range(0, len(groups), 10_000):
            r, d, _ = claim_refs(s, {k for keys in groups[i:i + 10_000] for k in keys})
            refs += r
            ids.update(d)
        by_key = {r.key: r for r in refs}
        links = []
        for keys in groups:
            for x, y in zip(keys, keys[1:]):
                link = score_pair(by_key[x], by_key[y])
                if link is not None:
                    links.append(link)
        rows = [{"claim_a": ids[l.a], "claim_b": ids[l.b], "score": l.score, "features": l.features} for l in links]
        for i in range(0, len(rows), 5000):
            s.execute(insert(ClaimLink), rows[i:i + 5000])
        s.execute(insert(ScoredClaim), [{"claim_id": i} for i in ids.values()])
        res = cluster(refs, links, [])
        count = write_incidents(s, res, refs, ids, [], {}, [])
    if db.engine.dialect.name == "postgresql":
        # what autovacuum does soon after a bulk load in a running database: statistics, and the
        # visibility map that index-only scans need
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    t2 = time.perf_counter()
    return {"events": n, "sources": len(sources), "claims": len(claims), "links": len(links), "incidents": count,
            "store_s": round(t1 - t0, 1), "resolve_s": round(t2 - t1, 1)}


def add_users(db: Database) -> dict[str, str]:
    """5 analysts and a viewer (`reader`); name -> a fresh API token (new tokens every run)."""
    from harmwatch.auth.users import UserExistsError
    tokens = {}
    for name, role in [(a, "analyst") for a in ANALYSTS] + [(READER, "viewer")]:
        try:
            add_user(db, name, role, PASSWORD)
        except UserExistsError:
            pass
        tokens[name] = create_token(db, name, label="load test")
    return tokens


# --- 2. the server ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(url: str, archive: Path, log: Path, workers: int = 1) -> Iterator[tuple[str, int]]:
    """`harmwatch serve [--workers N]` in its own process on a free loopback port; yields its base URL and pid."""
    port = free_port()
    exe = Path(sys.executable).with_name("harmwatch")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "harmwatch"]
    env = {**os.environ, "HARMWATCH_DB": url, "HARMWATCH_ARCHIVE": str(archive), "HARMWATCH_ANONYMOUS_READ": "0"}
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a first start may still migrate
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server stopped (exit {proc.returncode}): {log.read_text()[-2000:]}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within 300 s: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- 3. the clients ----------------------------------------------------------------------------------

class HTTPError(Exception):
    """No (complete) answer: the connection broke, the answer was malformed, or it timed out."""


class Conn:
    """One keep-alive HTTP/1.1 connection on asyncio streams: a request at a time, the answer read by
    Content-Length or chunks. About a ninth of the CPU of an httpx client per request (0.2 ms against
    1.8 ms, both measured against the same server), so the load generator leaves the cores to the
    server it measures. The same request headers a browser or httpx sends (Accept-Encoding: gzip,
    deflate: the server may compress, as it would for them)."""

    def __init__(self, base: str, headers: dict[str, str], timeout: float = 30) -> None:
        u = urlsplit(base)
        self.host, self.port, self.timeout = u.hostname, u.port or 80, timeout
        self.head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": u.netloc, "Accept": "*/*",
                                                          "Accept-Encoding": "gzip, deflate",
                                                          "User-Agent": "harmwatch-load", **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None = None,
                      content_type: str = "application/json") -> tuple[int, bytes]:
        """(status, body as sent: possibly gzip-compressed); HTTPError when no whole answer came in time."""
        try:
            return await asyncio.wait_for(self._request(method, path, body, content_type), self.timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                asyncio.TimeoutError) as e:
            await self.aclose()  # the connection's state is unknown: the next request opens a new one
            raise HTTPError(f"{type(e).__name__}: {e}") from e

    async def _request(self, method: str, path: str, body: bytes | None, content_type: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        extra = f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n" if body is not None else ""
        self.writer.write(f"{method} {path} HTTP/1.1\r\n{self.head}{extra}\r\n".encode("latin-1") + (body or b""))
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            if k:
                hdrs[k.strip().lower()] = v.strip()
        if "content-length" in hdrs:
            data = await self.reader.readexactly(int(hdrs["content-length"]))
        elif hdrs.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")  # no trailers are sent
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            data = b"".join(parts)
        elif status in (204, 304) or status < 200:
            data = b""
        else:  # the answer ends with the connection
            data = await self.reader.read()
            hdrs["connection"] = "close"
        if hdrs.get("connection", "").lower() == "close":
            await self.aclose()
        if status != 200 and hdrs.get("content-encoding") in ("gzip", "deflate"):
            data = zlib.decompress(data, 47)  # for the error sample only: a 200's body is not read
        return status, data

    async def aclose(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)  # the first few errors, for the report

    def add(self, route: str, ms: float, ok: bool, what: str = "") -> None:
        self.times.setdefault(route, []).append(ms)
        if not ok:
            self.errors[route] = self.errors.get(route, 0) + 1
            if len(self.samples) < 10:
                self.samples.append(f"{route}: {what}"[:300])


def _view(rng: random.Random) -> str:
    w, h = rng.uniform(1, 3), rng.uniform(1, 3)
    lon, lat = rng.uniform(22.3, 40.2 - w), rng.uniform(44.5, 52.3 - h)
    d0 = START + timedelta(days=rng.randrange(DAYS - 60))
    d1 = d0 + timedelta(days=rng.randint(7, 60))
    return f"bbox={lon:.3f},{lat:.3f},{lon + w:.3f},{lat + h:.3f}&from={d0}&to={d1}"


def reader_request(rng: random.Random, ids: list[str], total: int) -> tuple[str, str]:
    route = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    if route == "GET /api/incidents?bbox&from&to":
        url = "/api/incidents?" + _view(rng) + ("&format=geojson" if rng.random() < 0.5 else "")
    elif route == "GET /api/incidents?offset":
        url = f"/api/incidents?limit=100&offset={rng.randrange(0, max(1, total), 100)}"
    elif route == "GET /api/incidents/{id}":
        url = f"/api/incidents/{rng.choice(ids)}"
    elif route == "GET / (map page)":
        url = "/?" + _view(rng) if rng.random() < 0.7 else "/"
    elif route == "GET /incidents/{id} (page)":
        url = f"/incidents/{rng.choice(ids)}"
    else:
        url = "/api/timeline" + ("?" + _view(rng).split("&from")[0] if rng.random() < 0.7 else "")
    return route, url


async def _reader(conn: Conn, seed: int, ids: list[str], total: int, stop: float, st: Stats) -> None:
    rng = random.Random(seed)
    while time.monotonic() < stop:
        route, url = reader_request(rng, ids, total)
        t = time.perf_counter()
        try:
            status, body = await conn.request("GET", url)
            ok, what = status == 200, f"{status} {url} {body[:120]!r}"
        except HTTPError as e:
            ok, what = False, f"{e} {url}"
        st.add(route, (time.perf_counter() - t) * 1000, ok, what)


async def _writer(conn: Conn, seed: int, name: str, ids: list[str], stop: float, st: Stats,
                  pause: float) -> None:
    rng = random.Random(seed)
    n = 0
    while time.monotonic() < stop:
        if n and pause:
            await asyncio.sleep(pause)
        n += 1
        action, iid = rng.choice(WRITES), rng.choice(ids)
        if action == "comment":
            url, body = f"/api/incidents/{iid}/comments", {"text": f"{name}: load test note {n}"}
        else:
            url, body = f"/api/incidents/{iid}/{action}", {"reason": f"{name}: checked against a second source ({n})"}
        route = f"POST /api/incidents/{{id}}/{action}s" if action == "comment" else f"POST /api/incidents/{{id}}/{action}"
        t = time.perf_counter()
        try:
            status, answer = await conn.request("POST", url, json.dumps(body).encode())
            ok, what = status == 200, f"{status} {url} {answer[:120]!r}"
        except HTTPError as e:
            ok, what = False, f"{e} {url}"
        st.add(route, (time.perf_counter() - t) * 1000, ok, what)


async def drive(base: str, tokens: dict[str, str], ids: list[str], total: int, seconds: float, readers: int,
                writers: int, write_pause: float = 0.0, seed: int = 3) -> tuple[Stats, Stats, float]:
    """Run the readers and writers for `seconds`; (reads, writes, elapsed seconds)."""
    reads, writes = Stats(), Stats()

    def conn(name: str) -> Conn:  # one keep-alive connection per client, as a browser tab keeps
        return Conn(base, {"Authorization": f"Bearer {tokens[name]}"}, timeout=30)
    conns = [conn(READER) for _ in range(readers)] + [conn(ANALYSTS[i % len(ANALYSTS)]) for i in range(writers)]
    start = time.monotonic()
    stop = start + seconds
    try:
        await asyncio.gather(*[_reader(conns[i], seed * 1000 + i, ids, total, stop, reads) for i in range(readers)],
                             *[_writer(conns[readers + i], seed * 2000 + i, ANALYSTS[i % len(ANALYSTS)], ids, stop,
                                       writes, write_pause) for i in range(writers)])
    finally:
        for c in conns:
            await c.aclose()
    return reads, writes, time.monotonic() - start


def run_loop(coro):  # noqa: ANN001, ANN201
    """asyncio.run on uvloop (a dependency of the server, uvicorn[standard]) when it is there: less
    CPU per request for the load generator too."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


# --- 4. the report -----------------------------------------------------------------------------------

def percentiles(xs: list[float]) -> dict:
    if not xs:
        return {"n": 0}
    s = sorted(xs)

    def p(q: float) -> float:
        return round(s[min(len(s) - 1, int(round(q * (len(s) - 1))))], 1)
    return {"n": len(s), "p50": p(0.50), "p95": p(0.95), "p99": p(0.99), "max": round(s[-1], 1)}


def report(reads: Stats, writes: Stats, elapsed: float) -> dict:
    out: dict = {"elapsed_s": round(elapsed, 1), "routes": {}}
    for st in (reads, writes):
        for route, xs in sorted(st.times.items()):
            out["routes"][route] = {**percentiles(xs), "errors": st.errors.get(route, 0)}
    all_reads = [x for xs in reads.times.values() for x in xs]
    all_writes = [x for xs in writes.times.values() for x in xs]
    out["reads"] = {**percentiles(all_reads), "errors": sum(reads.errors.values()),
                    "per_s": round(len(all_reads) / elapsed, 1)}
    out["writes"] = {**percentiles(all_writes), "errors": sum(writes.errors.values()),
                     "per_s": round(len(all_writes) / elapsed, 1)}
    out["errors"] = out["reads"]["errors"] + out["writes"]["errors"]
    out["error_samples"] = reads.samples + writes.samples
    return out


def _line(name: str, m: dict) -> str:
    if not m.get("n"):
        return f"{name:<36} {0:>6}"
    return (f"{name:<36} {m['n']:>6}  p50 {m['p50']:>7.1f}  p95 {m['p95']:>7.1f}  p99 {m['p99']:>7.1f}  "
            f"max {m['max']:>7.1f} ms  errors {m['errors']}")


def _machine() -> str:
    mem = next((l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), "?")
    return f"{os.cpu_count()} cores, {int(mem) // 1024 // 1024 if mem != '?' else '?'} GB RAM"


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _is_built(db: Database) -> bool:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Incident)) or 0) > 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its child processes (the workers of `serve --workers
    N`) have used so far (Linux /proc)."""
    total, parents = 0, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    for p, (ppid, ticks) in parents.items():
        if p == pid or ppid == pid:
            total += ticks
    return total / os.sysconf("SC_CLK_TCK")


def run(url: str, archive: Path, incidents: int, seconds: float, readers: int, writers: int, log: Path,
        write_pause: float = 0.0, workers: int = 1) -> dict:
    """Build (unless the database already holds incidents), serve, drive; the report as a dict."""
    db = Database.open(url, archive_dir=archive)
    try:
        built = None
        if not _is_built(db):
            built = build(db, incidents)
            print(f"built: {built}", flush=True)
        tokens = add_users(db)
        with db.session() as s:
            ids = list(s.scalars(select(Incident.id)))
        total = len(ids)
    finally:
        db.close()
    rng = random.Random(5)
    sample = rng.sample(ids, min(len(ids), 5000))
    before = _loadavg()
    with server(url, archive, log, workers) as (base, pid):
        # warm-up: one of each page, so the first measured requests do not pay for imports and caches
        # (each worker: a new connection per round, which the kernel hands to any of them)
        for _ in range(3 * workers):
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[READER]}"}, timeout=60) as c:
                for u in ("/", "/api/timeline", f"/incidents/{sample[0]}", "/api/incidents?limit=100",
                          f"/api/incidents/{sample[1]}", "/api/incidents?limit=100&offset=5000",  # the cached list keys
                          "/api/incidents?" + _view(random.Random(1))):  # a map view's compiled statements
                    c.get(u)
        cpu0, me0 = cpu_seconds(pid), time.process_time()
        reads, writes, elapsed = run_loop(drive(base, tokens, sample, total, seconds, readers, writers,
                                                   write_pause))
        cpu, me = cpu_seconds(pid) - cpu0, time.process_time() - me0
    out = report(reads, writes, elapsed)
    n = out["reads"]["n"] + out["writes"]["n"]
    # CPU the server used per request: unlike latency, it hardly depends on what else the machine runs
    out["server_cpu"] = {"seconds": round(cpu, 1), "ms_per_request": round(cpu * 1000 / n, 1) if n else None,
                         "cores_busy": round(cpu / elapsed, 2)}
    out["client_cpu_s"] = round(me, 1)
    out.update(incidents=total, workers=workers, readers=readers, writers=writers, write_pause=write_pause, seconds=seconds, built=built,
               database=url.split("://")[0] + "://…", machine=_machine(), loadavg_before=before,
               loadavg_after=_loadavg(), date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=100_000, help="events to generate (about as many incidents)")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--readers", type=int, default=16)
    ap.add_argument("--writers", type=int, default=5, help="analysts writing at the same time (5 users; more share them)")
    ap.add_argument("--write-pause", type=float, default=0.0,
                    help="seconds each analyst waits between writes (default 0: one write after the other)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (harmwatch serve --workers N)")
    ap.add_argument("--db", default=None, help="a SQLite file or a database URL (default: a temporary SQLite file); "
                                               "a database that already holds incidents is used as it is")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (server log; the SQLite file without --db)")
    ap.add_argument("--json", type=Path, default=None, help="also write the report here as JSON")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="harmwatch-load-"))
    url = a.db or f"sqlite:///{tmp / 'load.db'}"
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    try:
        out = run(url, tmp / "archive", a.incidents, a.seconds, a.readers, a.writers, tmp / "server.log",
                  a.write_pause, a.workers)
    finally:
        if a.keep:
            print(f"kept: {tmp} (the server's log{', the database' if not a.db else ''})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{out['incidents']:,} incidents, {out['workers']} server process(es), {out['readers']} readers + {out['writers']} analysts writing, "
          f"{out['elapsed_s']} s; {out['machine']}; load average before {out['loadavg_before']}, "
          f"after {out['loadavg_after']}")
    for route, m in out["routes"].items():
        print(_line(route, m))
    print(_line("all reads", out["reads"]) + f"  ({out['reads']['per_s']} /s)")
    print(_line("all writes", out["writes"]) + f"  ({out['writes']['per_s']} /s)")
    sc = out["server_cpu"]
    print(f"server CPU: {sc['seconds']} s ({sc['ms_per_request']} ms per request, {sc['cores_busy']} cores busy); "
          f"load generator CPU: {out['client_cpu_s']} s")
    for s in out["error_samples"]:
        print("error:", s)
    if a.json:
        a.json.write_text(json.dumps(out, indent=2))
    return 0 if out["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
