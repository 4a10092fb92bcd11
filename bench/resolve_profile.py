#!/usr/bin/env python3
"""Profile a full resolution run (`resolve(db, full=True)`) on generated claims: CPU, SQL statements, hot spots.

    python bench/resolve_profile.py --claims 30000                       # store (once), then profile
    python bench/resolve_profile.py --claims 100000 --dir /tmp/rp --top 40
    python bench/resolve_profile.py --claims 30000 --no-profile          # CPU and peak RSS only
    python bench/resolve_profile.py --claims 30000 --add --sql-sites     # the +1,000 incremental run instead

The claims are bench/resolve.py's generator (same seed, same documents); the stored database is kept in
--dir as resolve-profile-N.db and copied before each run, so runs compare the same claims. Prints the
CPU seconds of the run (process_time), its peak RSS, the number of SQL statements executed, the
incidents written, and (unless --no-profile) cProfile's top functions by cumulative and own time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="example: python bench/resolve_profile.py --claims 30000 --top 30")
    ap.add_argument("--claims", type=int, default=30000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--dir", default="/tmp/hw-resolve-profile", help="folder for the SQLite files")
    ap.add_argument("--top", type=int, default=35, help="functions listed per ordering")
    ap.add_argument("--no-profile", action="store_true", help="time the run without cProfile")
    ap.add_argument("--add", action="store_true",
                    help="then store the next documents (about 1,000 claims) and profile the incremental run instead")
    ap.add_argument("--sql-sites", action="store_true", help="count SQL statements by the harmwatch line that ran them")
    ap.add_argument("--save", metavar="FILE", help="also write cProfile's stats to FILE (pstats: callers, callees)")
    ap.add_argument("--dump", metavar="FILE", help="write what the run stored (incidents, claims' incidents, links, "
                                                   "re-report edges, resolved_claims) as sorted JSON lines, to compare runs")
    a = ap.parse_args()
    from sqlalchemy import event, func, select

    import resolve as bench  # bench/resolve.py
    from harmwatch.resolve.service import resolve
    from harmwatch.store.db import Database
    from harmwatch.store.models import Incident
    folder = Path(a.dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"resolve-profile-{a.claims}.db"
    if not stored.exists():
        tmp = stored.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        db = Database.open(f"sqlite:///{tmp}")
        first, _, _ = bench.split_docs(a.claims, 1000, a.seed)  # the documents bench/resolve.py stores
        n = sum(bench.store(db, first[i:i + 20000]) for i in range(0, len(first), 20000))
        db.engine.dispose()
        tmp.rename(stored)
        print(f"stored {n:,} claims in {stored}", flush=True)
    work = folder / f"run-{a.claims}-{os.getpid()}.db"
    shutil.copyfile(stored, work)
    try:
        db = Database.open(f"sqlite:///{work}")
        statements = [0]
        sites: dict[str, int] = {}

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(*_args, **_kw):
            statements[0] += 1
            if a.sql_sites:
                f, chain = sys._getframe(1), []
                while f is not None and len(chain) < 3:
                    if "/harmwatch/" in f.f_code.co_filename:
                        chain.append(f"{Path(f.f_code.co_filename).name}:{f.f_lineno} {f.f_code.co_name}")
                    f = f.f_back
                site = " < ".join(chain) or "?"
                sites[site] = sites.get(site, 0) + 1

        if a.add:  # the full run unprofiled, then the next documents stored and resolved incrementally
            resolve(db, full=True)
            _, later, _ = bench.split_docs(a.claims, 1000, a.seed)
            bench.store(db, later)
            statements[0] = 0
            sites.clear()
        prof = None if a.no_profile else cProfile.Profile()
        c0, t0 = time.process_time(), time.perf_counter()
        if prof:
            prof.enable()
        r = resolve(db, full=not a.add)
        if prof:
            prof.disable()
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        with db.session() as s:
            incidents = s.scalar(select(func.count()).select_from(Incident))
        print(f"{'+' + str(r.scored) + ' incremental' if a.add else 'full'}: claims {r.claims:,}  incidents {incidents:,}  "
              f"re-clustered {r.reclustered:,}  links {r.links_added:,}  CPU {cpu:.1f} s  wall {wall:.1f} s  "
              f"load {os.getloadavg()[0]:.1f}  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB  "
              f"SQL statements {statements[0]:,}" + ("  (under cProfile)" if prof else ""), flush=True)
        for site, n in sorted(sites.items(), key=lambda kv: -kv[1])[:a.top]:
            print(f"{n:>8,}  {site}")
        if a.dump:
            print(f"dump {a.dump}: sha256 {dump(db, Path(a.dump))}", flush=True)
        if prof and a.save:
            prof.dump_stats(a.save)
        if prof:
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(prof, stream=out).strip_dirs().sort_stats(order).print_stats(a.top)
                print(out.getvalue())
    finally:
        work.unlink(missing_ok=True)
    return 0


def dump(db, path: Path) -> str:
    """Every row a resolution writes, as sorted JSON lines (ids and values, no row ids); returns its sha256."""
    import hashlib
    import json

    from sqlalchemy import select

    from harmwatch.store.models import AssessmentFlag, ClaimLink, Incident, ResolvedClaim, SourceLink
    from harmwatch.store.models import Claim, Source
    lines = []
    with db.session() as s:
        key = {i: f"{d}#{o}" for i, d, o in s.execute(select(Claim.id, Source.doc_id, Claim.ordinal)
                                                       .join(Source, Claim.source_id == Source.id))}
        for r in s.scalars(select(Incident)):
            row = {c.name: getattr(r, c.name) for c in Incident.__table__.columns}
            lines.append(json.dumps(["incident", row], sort_keys=True, default=str))
        for cid, iid in s.execute(select(Claim.id, Claim.incident_id)):
            lines.append(json.dumps(["claim", key[cid], iid]))
        for a, b, score, features in s.execute(select(ClaimLink.claim_a, ClaimLink.claim_b, ClaimLink.score,
                                                      ClaimLink.features)):
            lines.append(json.dumps(["link", *sorted((key[a], key[b])), score, features], sort_keys=True))
        for r in s.scalars(select(SourceLink)):
            lines.append(json.dumps(["edge", r.doc_id, r.origin, r.kind, r.score, r.evidence], sort_keys=True,
                                    default=str))
        for r in s.scalars(select(AssessmentFlag)):
            lines.append(json.dumps(["flag", r.id, r.incident_id, r.kind, r.reason, r.evidence, r.basis], sort_keys=True,
                                    default=str))
        for cid, k, iid, best in s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.key, ResolvedClaim.incident_id,
                                                  ResolvedClaim.best)):
            lines.append(json.dumps(["resolved", key[cid], k, iid, best]))
    text = "\n".join(sorted(lines)) + "\n"
    path.write_text(text)
    return hashlib.sha256(text.encode()).hexdigest()


if __name__ == "__main__":
    sys.exit(main())
