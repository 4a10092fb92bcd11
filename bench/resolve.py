#!/usr/bin/env python3
"""Benchmark: resolve generated claims on a database, in full and incrementally; print time and memory.

    python bench/resolve.py                      # 10,000 and 100,000 claims: full, then +1,000 incremental
    python bench/resolve.py --claims 1000000 --dir /tmp/rb   # 1,000,000 claims (slow: not in CI)
    python bench/resolve.py --slow               # the default sizes and 1,000,000
    python bench/resolve.py --sizes 20000 --add 500
    python bench/resolve.py --in-memory 100000   # the in-memory step alone, with pairwise precision/recall

Each size runs as four processes against one SQLite file (so each peak RSS is its own step's):
"store" generates the documents and stores the first N claims straight into the tables (sources
with text, claims with spans, places; executemany, 20,000 documents per transaction, no
extractor); "full" runs `resolve(db, full=True)`; "eval" scores the stored incidents against the
generator's truth (pairwise precision and recall); "add" stores the next documents (about --add
claims) and runs the incremental `resolve(db)`. CPU seconds (process_time) are printed beside wall
seconds, and the load average: on a shared machine wall time says little.

The generator (seeded) makes real-world-like trouble for the resolver:
- events in a few hundred towns over two years, so a busy town has several unrelated strikes
  on one day (different objects, times, weapons);
- each event is reported by 1-8 documents; a document often reports several events of a day
  (its claims must stay apart);
- re-reports with drifting casualty figures (tolls rise, sources disagree), dates a day off
  (overnight attacks), missing dates, times and weapons, spelling variants geocoded to the
  same town or to a village a few km away, and oblast-only claims.

Documents keep their claims together: the claims added on top are the next documents' (new reports,
about new and already reported events).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path


from harmwatch.resolve import ClaimRef, resolve_claims

CLASSES = ["ballistic_missile", "cruise_missile", "rocket_artillery", "tube_artillery", "drone", "air_bomb"]
OBJECTS = ["residential", "hospital", "school", "energy", "commercial", "transport", "religious", "agricultural"]
WORDS = ("missile strike apartment block rescuers rubble governor killed injured drone attack overnight city centre "
         "shelling market bus stop hospital school power plant fire emergency service debris children women elderly "
         "region village town residential building damaged destroyed emergency crews search survivors").split()


def generate(n_claims: int, seed: int, towns: int = 400, days: int = 730) -> tuple[list[ClaimRef], dict[str, int]]:
    """Claims and their true event; `towns` and `days` set the density (tests pack a few hundred
    claims into a few towns and weeks, so blocks overlap and chains of links cross days)."""
    rng = random.Random(seed)
    n_towns = towns
    towns = [(47 + rng.random() * 4, 24 + rng.random() * 14, 1000 + i, f"admin{i % 24}") for i in range(n_towns)]
    busy = towns[:max(1, n_towns // 20)]  # big cities: many strikes
    start = date(2023, 1, 1)
    claims: list[ClaimRef] = []
    truth: dict[str, int] = {}
    doc_seq = 0
    event = 0
    day_docs: dict[int, list[str]] = {}
    last_day: dict[str, date] = {}
    while len(claims) < n_claims:
        event += 1
        lat, lon, gid, admin1 = rng.choice(busy) if rng.random() < 0.4 else rng.choice(towns)
        d = start + timedelta(days=rng.randrange(days))
        minutes = rng.randrange(1440)
        wclass = rng.choice(CLASSES)
        objs = frozenset(rng.sample(OBJECTS, rng.choice([1, 1, 2])))
        killed = rng.choice([None, 0, 1, 2, 3, 5, 8, 13, 20, 40])
        words = frozenset(rng.sample(WORDS, 12))
        for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 5, 8])):
            # a document either is new or is one already reporting other events of that day
            pool = day_docs.setdefault(d.toordinal(), [])
            if pool and rng.random() < 0.3:
                doc = rng.choice(pool)
            else:
                doc_seq += 1
                doc = f"doc{doc_seq}"
                pool.append(doc)
            key = f"{doc}#{event}"
            if any(c.key.startswith(doc + "#") and truth[c.key] == event for c in claims[-10:]):
                continue  # one claim per event per document
            r = rng.random()
            c_lat, c_lon, c_gid = lat, lon, gid
            if r < 0.1:  # a spelling variant geocoded to a nearby village
                c_lat, c_lon, c_gid = lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05), gid + 100000
            elif r < 0.15:  # only the oblast is known
                c_lat = c_lon = c_gid = None
            cd = d
            q = rng.random()
            if q < 0.1:
                cd = d + timedelta(days=1)  # overnight attack, reported for the next day
            elif q < 0.15:
                cd = None
            k = killed
            if k is not None and rng.random() < 0.4:
                k = max(0, k + rng.choice([-2, -1, 1, 2, 5]))  # drifting toll
            claims.append(ClaimRef(
                key=key, doc_id=doc, date=cd, minutes=minutes if rng.random() < 0.4 else None,
                lat=c_lat, lon=c_lon, geonameid=c_gid, admin1=admin1,
                weapon_class=wclass if rng.random() < 0.6 else "unknown",
                objects=objs if rng.random() < 0.8 else frozenset(), killed=k if rng.random() < 0.8 else None,
                words=frozenset(w for w in sorted(words) if rng.random() < 0.7) | frozenset(rng.sample(WORDS, 3)),
            ))
            truth[key] = event
            last_day[doc] = max(last_day.get(doc, d), d)
    # each document is published on the last day it reports, or up to two days later; one in twenty is a
    # retrospective published up to ~10 months later (drawn from the document's name: the claims above
    # are the same with or without publication dates)
    claims = [replace(c, published=last_day[c.doc_id] + timedelta(days=_lag(c.doc_id))) for c in claims[:n_claims]]
    return claims, truth


def _lag(doc_id: str) -> int:
    h = int(hashlib.sha1(doc_id.encode()).hexdigest()[:8], 16)
    return h % 300 if h % 20 == 0 else h % 3


def pairs_in(groups: dict) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(groups.values()).values())


def pairwise(pred: dict[str, str], truth: dict[str, int]) -> tuple[float, float]:
    both = Counter((pred[k], truth[k]) for k in pred)
    tp = sum(n * (n - 1) // 2 for n in both.values())
    p_pairs, t_pairs = pairs_in(pred), pairs_in({k: truth[k] for k in pred})
    return (tp / p_pairs if p_pairs else 1.0), (tp / t_pairs if t_pairs else 1.0)


def docs_of(claims: list[ClaimRef]) -> list[list[ClaimRef]]:
    """The claims grouped by document, documents in the order they first appear (as reports arrive)."""
    out: dict[str, list[ClaimRef]] = {}
    for c in claims:
        out.setdefault(c.doc_id, []).append(c)
    return list(out.values())


def store(db, docs: list[list[ClaimRef]]) -> int:
    """Store generated documents (a source row each, its text made of its claims' passages) and their
    claims, as the writer would; places are added for the settlements named. Returns claims stored."""
    from sqlalchemy import insert, select

    from harmwatch.store.models import Claim, Place, Source
    now = datetime(2025, 1, 1, tzinfo=timezone.utc)
    sources, claims, places = [], [], {}
    with db.session(write=True) as s:
        known = set(s.scalars(select(Place.geonameid)))
        for doc in docs:
            parts, spans = [], []
            pos = 0
            for c in doc:
                passage = " ".join(sorted(c.words)) + "."
                spans.append((pos, pos + len(passage)))
                parts.append(passage)
                pos += len(passage) + 1
            text = " ".join(parts)
            sha = hashlib.sha256(text.encode()).hexdigest()
            sid = doc[0].doc_id  # the row id once stored
            sources.append({"doc_id": doc[0].doc_id, "version": 1, "previous_id": None, "is_current": True,
                            "title": doc[0].doc_id, "publisher": None, "url": None, "published": doc[0].published,
                            "retrieved_at": now, "language": "en", "media_type": "text/plain", "path": None,
                            "sha256": sha, "raw_path": f"{sha[:2]}/{sha}", "text": text, "text_sha256": sha,
                            "extracted_at": now})
            for c, (a, b) in zip(doc, spans):
                if c.geonameid is not None and c.geonameid not in known:
                    known.add(c.geonameid)
                    places[c.geonameid] = {"geonameid": c.geonameid, "name": f"town {c.geonameid}",
                                           "admin1": c.admin1, "lat": c.lat, "lon": c.lon, "population": None,
                                           "feature_code": "PPL"}
                claims.append({"source_id": sid, "ordinal": int(c.key.rsplit("#", 1)[1]),
                               "date": c.date.isoformat() if c.date else None,
                               "time": f"{c.minutes // 60:02d}:{c.minutes % 60:02d}" if c.minutes is not None else None,
                               "place": f"town {c.geonameid}" if c.geonameid else None, "admin1": c.admin1,
                               "lat": c.lat, "lon": c.lon, "geonameid": c.geonameid, "weapon": None, "weapon_id": None,
                               "weapon_class": c.weapon_class, "cluster": None, "objects": sorted(c.objects),
                               "killed": c.killed, "injured": None, "children_killed": None, "children_injured": None,
                               "women_killed": None, "healthcare_killed": None, "healthcare_injured": None,
                               "vague": {}, "source_said": None, "perpetrator": None, "evidence": {},
                               "span_start": a, "span_end": b, "incident_id": None, "confidence": {},
                               "uncertain": {}, "withheld": {}, "date_precision": "day" if c.date else None})
        for rows, model in ((list(places.values()), Place), (sources, Source)):
            for i in range(0, len(rows), 5000):
                s.execute(insert(model), rows[i:i + 5000])
        doc_ids = [r["doc_id"] for r in sources]
        row_id = {d: i for k in range(0, len(doc_ids), 5000) for d, i in s.execute(
            select(Source.doc_id, Source.id).where(Source.doc_id.in_(doc_ids[k:k + 5000]), Source.is_current.is_(True)))}
        for c in claims:
            c["source_id"] = row_id[c["source_id"]]
        for i in range(0, len(claims), 5000):
            s.execute(insert(Claim), claims[i:i + 5000])
    return len(claims)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def split_docs(n: int, add: int, seed: int):
    """The generated documents: the first ones up to n claims, the next ones (about `add` claims), and
    the truth of all of them."""
    claims, truth = generate(n + add + 2000, seed)
    docs = docs_of(claims)
    del claims
    first, total = [], 0
    for d in docs:
        if total >= n:
            break
        first.append(d)
        total += len(d)
    later, more = [], 0
    for d in docs[len(first):]:
        if more >= add:
            break
        later.append(d)
        more += len(d)
    return first, later, truth


def phase(url: str, n: int, add: int, seed: int, step: str) -> dict:
    """One step in this process (so peak RSS is the step's own):
    "store" generates the documents and stores the first n claims (executemany, 20,000 documents per
    transaction), keeping the next documents and the truth in files beside the database;
    "full" resolves every stored claim (`resolve(db, full=True)`); "eval" scores the stored incidents
    against the truth; "add" stores the next documents and resolves incrementally."""
    import pickle

    from harmwatch.resolve.service import resolve
    from harmwatch.store.db import Database
    db = Database.open(url)
    side = Path(url.removeprefix("sqlite:///"))
    if step == "store":
        t0 = time.perf_counter()
        first, later, truth = split_docs(n, add, seed)
        stored = sum(store(db, first[i:i + 20000]) for i in range(0, len(first), 20000))
        side.with_suffix(".later.pkl").write_bytes(pickle.dumps(later))
        side.with_suffix(".truth.json").write_text(json.dumps(truth))
        return {"step": step, "claims_stored": stored, "store_s": round(time.perf_counter() - t0, 1),
                "peak_rss_mb": round(_peak_mb())}
    if step == "eval":
        from sqlalchemy import select

        from harmwatch.store.models import Claim, Source
        truth = json.loads(side.with_suffix(".truth.json").read_text())
        with db.session() as s:
            pred = {f"{d}#{o}": i for d, o, i in s.execute(
                select(Source.doc_id, Claim.ordinal, Claim.incident_id).join(Source, Claim.source_id == Source.id)
                .where(Source.is_current.is_(True)))}
        p, rc = pairwise(pred, truth)
        return {"step": step, "precision": round(p, 3), "recall": round(rc, 3)}
    stored, store_s = 0, 0.0
    if step == "add":
        t0 = time.perf_counter()
        stored = store(db, pickle.loads(side.with_suffix(".later.pkl").read_bytes()))
        store_s = round(time.perf_counter() - t0, 1)
    t1 = time.perf_counter()
    c1 = time.process_time()
    r = resolve(db, full=step == "full")
    t2 = time.perf_counter()
    cpu = time.process_time() - c1
    return {"step": step, "claims_stored": stored, "claims_total": r.claims, "store_s": store_s,
            "resolve_s": round(t2 - t1, 2), "resolve_cpu_s": round(cpu, 2), "load": os.getloadavg()[0],
            "peak_rss_mb": round(_peak_mb()), "scored": r.scored, "links_added": r.links_added,
            "reclustered": r.reclustered, "incidents_rewritten": r.rewritten, "incidents": r.incidents,
            "region": {f"{why} <- {root}": n for (why, root), n in sorted(r.region_reasons.items(), key=lambda t: -t[1])}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="example: python bench/resolve.py --sizes 10000,100000; "
                                        "python bench/resolve.py --claims 1000000 --dir /tmp/rb  (slow)")
    ap.add_argument("--sizes", default="10000,100000", help="claims resolved in full (comma-separated)")
    ap.add_argument("--claims", type=int, default=0, metavar="N",
                    help="one size instead of --sizes, e.g. 1000000 (slow: minutes; not in CI)")
    ap.add_argument("--slow", action="store_true", help="also 1,000,000 claims (minutes; not in CI)")
    ap.add_argument("--add", type=int, default=1000, help="claims added on top, resolved incrementally")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--dir", default=None, help="folder for the SQLite files (default: a temporary one)")
    ap.add_argument("--in-memory", type=int, default=0, metavar="N",
                    help="instead: the in-memory step alone (resolve_claims) on N claims, with precision/recall")
    ap.add_argument("--phase", choices=["store", "full", "eval", "add"], help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        print(json.dumps(phase(a.db, a.claims, a.add, a.seed, a.phase)))
        return 0
    if a.in_memory:
        return in_memory(a.in_memory, a.seed)
    sizes = [a.claims] if a.claims else [int(x) for x in a.sizes.split(",") if x] + ([1_000_000] if a.slow else [])
    folder = Path(a.dir or tempfile.mkdtemp(prefix="hw-resolve-bench-"))
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, SQLite; one process per step (peak RSS is the step's)", flush=True)
    for n in sizes:
        path = folder / f"resolve-{n}.db"
        path.unlink(missing_ok=True)
        out = {}
        for step in ("store", "full", "eval", "add"):
            done = subprocess.run([sys.executable, __file__, "--phase", step, "--db", f"sqlite:///{path}",
                                   "--claims", str(n), "--add", str(a.add), "--seed", str(a.seed)],
                                  capture_output=True, text=True)
            if done.returncode:
                sys.stderr.write(done.stderr)
                return done.returncode
            out[step] = r = json.loads(done.stdout.strip().splitlines()[-1])
            if step in ("store", "eval"):
                continue
            what = "full" if step == "full" else f"+{r['claims_stored']} incremental"
            print(f"{n:>9,} claims  {what:<18} resolve {r['resolve_s']:>7.2f} s (CPU {r['resolve_cpu_s']:.2f} s, "
                  f"load {r['load']:.1f})  peak RSS {r['peak_rss_mb']:>5} MB  ({r['claims_total']:,} claims, "
                  f"{r['incidents']:,} incidents; re-clustered {r['reclustered']:,}, "
                  f"rewrote {r['incidents_rewritten']:,})", flush=True)
        print(f"{n:>9,} claims  stored in {out['store']['store_s']} s; full run against the generator's truth: "
              f"pairwise precision {out['eval']['precision']}  recall {out['eval']['recall']}", flush=True)
    return 0


def in_memory(n: int, seed: int) -> int:
    t0 = time.perf_counter()
    claims, truth = generate(n, seed)
    t1 = time.perf_counter()
    res = resolve_claims(claims)
    t2 = time.perf_counter()
    p, r = pairwise(res.incident_of, truth)
    print(f"claims: {len(claims)}  true events: {len(set(truth[c.key] for c in claims))}  "
          f"incidents: {len(set(res.incident_of.values()))}  links used: {len(res.links)}")
    print(f"generate: {t1 - t0:.1f} s  resolve: {t2 - t1:.1f} s  peak RSS: {_peak_mb():.0f} MB")
    print(f"pairwise precision: {p:.3f}  recall: {r:.3f}  F1: {2 * p * r / (p + r) if p + r else 0:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
