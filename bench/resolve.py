#!/usr/bin/env python3
"""Benchmark: resolve generated claims with known true groupings; print time, memory, pairwise P/R.

    python bench/resolve.py [--claims 100000] [--seed 11]

The generator (seeded) makes real-world-like trouble for the resolver:
- events in a few hundred towns over two years, so a busy town has several unrelated strikes
  on one day (different objects, times, weapons);
- each event is reported by 1-8 documents; a document often reports several events of a day
  (its claims must stay apart);
- re-reports with drifting casualty figures (tolls rise, sources disagree), dates a day off
  (overnight attacks), missing dates, times and weapons, spelling variants geocoded to the
  same town or to a village a few km away, and oblast-only claims.

It runs the same in-memory step the database layer uses (`resolve_claims`): blocking, pair
scoring, constrained clustering.
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import Counter
from datetime import date, timedelta

from harmwatch.resolve import ClaimRef, resolve_claims

CLASSES = ["ballistic_missile", "cruise_missile", "rocket_artillery", "tube_artillery", "drone", "air_bomb"]
OBJECTS = ["residential", "hospital", "school", "energy", "commercial", "transport", "religious", "agricultural"]
WORDS = ("missile strike apartment block rescuers rubble governor killed injured drone attack overnight city centre "
         "shelling market bus stop hospital school power plant fire emergency service debris children women elderly "
         "region village town residential building damaged destroyed emergency crews search survivors").split()


def generate(n_claims: int, seed: int) -> tuple[list[ClaimRef], dict[str, int]]:
    rng = random.Random(seed)
    towns = [(47 + rng.random() * 4, 24 + rng.random() * 14, 1000 + i, f"admin{i % 24}") for i in range(400)]
    busy = towns[:20]  # big cities: many strikes
    start = date(2023, 1, 1)
    claims: list[ClaimRef] = []
    truth: dict[str, int] = {}
    doc_seq = 0
    event = 0
    day_docs: dict[int, list[str]] = {}
    while len(claims) < n_claims:
        event += 1
        lat, lon, gid, admin1 = rng.choice(busy) if rng.random() < 0.4 else rng.choice(towns)
        d = start + timedelta(days=rng.randrange(730))
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
                words=frozenset(w for w in words if rng.random() < 0.7) | frozenset(rng.sample(WORDS, 3)),
            ))
            truth[key] = event
    return claims[:n_claims], truth


def pairs_in(groups: dict) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(groups.values()).values())


def pairwise(pred: dict[str, str], truth: dict[str, int]) -> tuple[float, float]:
    both = Counter((pred[k], truth[k]) for k in pred)
    tp = sum(n * (n - 1) // 2 for n in both.values())
    p_pairs, t_pairs = pairs_in(pred), pairs_in({k: truth[k] for k in pred})
    return (tp / p_pairs if p_pairs else 1.0), (tp / t_pairs if t_pairs else 1.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    t0 = time.perf_counter()
    claims, truth = generate(a.claims, a.seed)
    t1 = time.perf_counter()
    res = resolve_claims(claims)
    t2 = time.perf_counter()
    p, r = pairwise(res.incident_of, truth)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"claims: {len(claims)}  true events: {len(set(truth[c.key] for c in claims))}  "
          f"incidents: {len(set(res.incident_of.values()))}  links used: {len(res.links)}")
    print(f"generate: {t1 - t0:.1f} s  resolve: {t2 - t1:.1f} s  peak RSS: {peak:.0f} MB")
    print(f"pairwise precision: {p:.3f}  recall: {r:.3f}  F1: {2 * p * r / (p + r) if p + r else 0:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
