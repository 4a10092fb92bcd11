#!/usr/bin/env python3
"""Benchmark: ingest + extract a generated corpus and print documents/s and peak memory.

    python bench/extract.py [--docs 10000] [--words 600] [--seed 7]

The corpus is generated (seeded) from templates in the project's own words:
incident paragraphs with varied places from the bundled gazetteer, weapons,
objects, casualty phrasings, relative and absolute dates, tallies, and filler
background paragraphs, padded to about --words words per report. Runs on one
core, into a fresh SQLite file.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from harmwatch.extract.pipeline import default_extractor
from harmwatch.geo import Gazetteer
from harmwatch.ingest import ingest
from harmwatch.store.db import Database

NUM = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "12", "14", "17", "21", "35"]
WEAPONS = ["a ballistic missile", "an Iskander-M missile", "Grad rockets", "a Shahed drone", "artillery shells",
           "a guided aerial bomb", "a Kh-101 cruise missile", "mortar fire", "an S-300 missile", "cluster munitions"]
OBJECTS = ["an apartment block", "a hospital", "a school", "a kindergarten", "a shopping centre", "a cafe",
           "a railway station", "a church", "a power substation", "private houses", "a bus stop", "a grain silo"]
WHEN = ["on Monday", "on Tuesday", "yesterday", "overnight", "early on Saturday", "on {d}", "late on Friday"]
SAYS = ["the regional governor said", "according to the State Emergency Service", "police said",
        "the city mayor wrote on Telegram", "the prosecutor's office said"]
INCIDENT = [
    "{w_cap} struck {obj} in {place}, {oblast} region, {when}, killing {k} civilians and injuring {i} more, {says}.",
    "{k_cap} people were killed and {i} wounded when {w} hit {obj} in the town of {place} {when}, {says}.",
    "In {place}, {w} damaged {obj} {when}; {k} residents died, including {c} children, {says}.",
    "Rescuers said the death toll from the strike on {obj} in {place} rose to {k} {when}.",
]
FILLER = [
    "Officials urged residents to stay in shelters while air raid alerts continued across the region.",
    "Emergency crews worked through the night to clear debris and restore water and heating to nearby streets.",
    "Local volunteers set up a point where people could charge phones and receive hot meals.",
    "Diplomats met later in the week to discuss further support, according to people familiar with the talks.",
    "The city has been hit repeatedly since the spring, and many families have already left for safer areas.",
    "Analysts said the pattern of attacks suggested an effort to wear down infrastructure before the winter.",
    "Photographs published by the authorities showed blown-out windows and burnt cars in a courtyard.",
    "Independent verification of the figures was not immediately possible.",
]
TALLY = "The UN monitoring mission said it had verified {n} civilian deaths in Ukraine since the start of the full-scale invasion."


def make_doc(rng: random.Random, places, words: int, pub: date) -> str:
    paras = []
    for _ in range(rng.randint(1, 3)):
        p = rng.choice(places)
        w = rng.choice(WEAPONS)
        d = (pub - timedelta(days=rng.randint(0, 3))).strftime("%d %B").lstrip("0")
        t = rng.choice(INCIDENT).format(
            w=w, w_cap=w[0].upper() + w[1:], obj=rng.choice(OBJECTS), place=p.name, oblast=p.admin1 or "Donetsk",
            when=rng.choice(WHEN).format(d=d), k=rng.choice(NUM), k_cap=rng.choice(NUM).capitalize(),
            i=rng.choice(NUM), c=rng.choice(NUM[:4]), says=rng.choice(SAYS))
        paras.append(t)
    if rng.random() < 0.3:
        paras.append(TALLY.format(n=rng.randint(5000, 12000)))
    while sum(len(x.split()) for x in paras) < words:
        paras.append(" ".join(rng.sample(FILLER, 4)))
    rng.shuffle(paras)
    return "\n\n".join(paras) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--resolve", action="store_true", help="Also time resolving the stored claims into incidents.")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    gaz = Gazetteer.default()
    places = [p for p in gaz.places if p.population >= 500]
    rng.shuffle(places)
    places = places[:3000]
    tmp = Path(tempfile.mkdtemp(prefix="hw-bench-"))
    try:
        corpus = tmp / "corpus"
        corpus.mkdir()
        lines = ["file,doc_id,title,publisher,published,url"]
        for n in range(args.docs):
            pub = date(2022, 3, 1) + timedelta(days=rng.randint(0, 1000))
            name = f"r{n:05d}.txt"
            (corpus / name).write_text(make_doc(rng, places, args.words, pub), encoding="utf-8")
            lines.append(f"{name},bench-{n},Report {n},Bench wire,{pub.isoformat()},")
        (corpus / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        from harmwatch.ingest import load_manifest
        db = Database.open(f"sqlite:///{tmp / 'bench.db'}")
        extractor = default_extractor()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        report = ingest([corpus], db, manifest=load_manifest(corpus / "manifest.csv"), extractor=extractor)
        dt = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        # CPU time varies far less than wall time on a busy machine (fsync waits are in neither)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        words = sum(len((corpus / f"r{n:05d}.txt").read_text().split()) for n in range(min(args.docs, 200))) / min(args.docs, 200)
        print(f"documents: {args.docs}  mean words: {words:.0f}  stored: {report.new}  failed: {len(report.failed)}")
        print(f"ingest+extract: {dt:.1f} s  {args.docs / dt:.0f} documents/s  peak RSS: {peak_mb:.0f} MB  "
              f"CPU (user+sys): {cpu:.1f} s, {1000 * cpu / args.docs:.2f} ms/document  "
              f"load average at the end: {os.getloadavg()[0]:.2f}")
        if args.resolve:
            from harmwatch.resolve.service import resolve
            t0 = time.perf_counter()
            r = resolve(db)
            t1 = time.perf_counter()
            again = resolve(db)
            t2 = time.perf_counter()
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"resolve: {r.claims} claims -> {r.incidents} incidents, {r.source_links} re-report edges: "
                  f"{t1 - t0:.1f} s first run, {t2 - t1:.1f} s re-run with nothing new ({again.scored} scored)  "
                  f"peak RSS: {peak_mb:.0f} MB")
        return 0 if not report.failed else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
