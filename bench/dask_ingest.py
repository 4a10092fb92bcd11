#!/usr/bin/env python3
"""Benchmark: ingest + extract the same generated corpus with the local executor and with Dask
workers on a LocalCluster; print documents/s of each and the parallel efficiency.

    python bench/dask_ingest.py [--docs 10000] [--words 600] [--workers 2] [--batch 100] [--chunk N] [--seed 7]

parallel efficiency = local wall time / (workers x Dask wall time): 1.0 when N workers go N
times as fast as one process. The writer always runs in the calling process (one writer, one
SQLite file each run, as in production); the workers parse, extract and geocode. The cluster
is started, and its workers have loaded the extractor, before the clock starts. The corpus is
bench/extract.py's (same templates, same seed).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extract import make_doc  # noqa: E402  (bench/extract.py: the corpus templates)

from harmwatch.extract.pipeline import default_extractor  # noqa: E402
from harmwatch.geo import Gazetteer  # noqa: E402
from harmwatch.ingest import ingest, load_manifest  # noqa: E402
from harmwatch.ingest.executors import DaskExecutor, LocalExecutor  # noqa: E402
from harmwatch.store.db import Database  # noqa: E402


def corpus(folder: Path, docs: int, words: int, seed: int) -> Path:
    rng = random.Random(seed)
    places = [p for p in Gazetteer.default().places if p.population >= 500]
    rng.shuffle(places)
    places = places[:3000]
    folder.mkdir(parents=True)
    lines = ["file,doc_id,title,publisher,published,url"]
    for n in range(docs):
        pub = date(2022, 3, 1) + timedelta(days=rng.randint(0, 1000))
        name = f"r{n:06d}.txt"
        (folder / name).write_text(make_doc(rng, places, words, pub), encoding="utf-8")
        lines.append(f"{name},bench-{n},Report {n},Bench wire,{pub.isoformat()},")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def run(label: str, folder: Path, db_file: Path, executor, batch: int) -> float:
    db = Database.open(f"sqlite:///{db_file}")
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    report = ingest([folder], db, manifest=load_manifest(folder / "manifest.csv"), extractor=default_extractor(),
                    executor=executor, batch_size=batch)
    dt = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    n = report.new
    print(f"{label}: {n} stored, {len(report.failed)} failed, {dt:.1f} s, {n / dt:.0f} documents/s, "
          f"CPU of the writing process {1000 * cpu / max(n, 1):.2f} ms/document, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    db.close()
    return dt


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=100, help="documents per transaction (HARMWATCH_INGEST_BATCH)")
    ap.add_argument("--chunk", type=int, default=None,
                    help="documents per Dask task (default: the executor's, each batch cut into one task per worker)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hw-dask-bench-"))
    try:
        folder = corpus(tmp / "corpus", args.docs, args.words, args.seed)
        print(f"documents: {args.docs}, ~{args.words} words, cores: {os.cpu_count()}, workers: {args.workers}, "
              f"batch: {args.batch}, chunk: {args.chunk or 'default'}", flush=True)
        default_extractor()  # loaded before the clock, as the workers' is
        t_local = run("local executor (one process)", folder, tmp / "local.db", LocalExecutor(), args.batch)
        ex = DaskExecutor(workers=args.workers, **({"chunk": args.chunk} if args.chunk else {}))
        try:
            ex.client.wait_for_workers(args.workers)
            ex.client.run(lambda: default_extractor() and None)  # every worker has loaded it (plugin)
            t_dask = run(f"dask executor ({args.workers}-worker LocalCluster)", folder, tmp / "dask.db", ex,
                         args.batch)
        finally:
            ex.close()
        print(f"speed-up {t_local / t_dask:.2f}, parallel efficiency {t_local / (args.workers * t_dask):.2f}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
