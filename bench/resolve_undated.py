#!/usr/bin/env python3
"""The undated claims' term of resolution on a stored benchmark database: pairs compared, scored exactly, links kept.

    python bench/resolve.py --phase store --db sqlite:////tmp/ru/r.db --claims 1000000   # store the claims once
    python bench/resolve_undated.py sqlite:////tmp/ru/r.db

Reads the stored claims settlement by settlement (as `resolve --full` scores them) and runs the rule's
scoring of undated claims (resolve/undated.py) without writing anything: for the links of undated
claims to dated ones, the pairs the window compares, the pairs scored exactly (`score_pair` calls), the
links kept (at most UNDATED_TOP per undated claim) and the undated claims that keep the full
UNDATED_TOP; for the pairs among a settlement's undated claims, the same. CPU seconds (process_time)
of that scoring, without reading the database.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="example: python bench/resolve_undated.py sqlite:////tmp/ru/r.db")
    ap.add_argument("db", help="database URL of claims stored by bench/resolve.py --phase store")
    a = ap.parse_args()
    from sqlalchemy import select

    from harmwatch.resolve import link as link_mod
    from harmwatch.resolve import undated
    from harmwatch.resolve.incremental import _current_ids, _day, scoring_refs
    from harmwatch.store.db import Database
    from harmwatch.store.models import Claim
    calls: Counter = Counter()
    real = link_mod.score_pair

    def counted(x, y):
        calls["undated-dated" if (x.date is None) != (y.date is None) else "undated-undated"] += 1
        return real(x, y)

    link_mod.score_pair = counted  # undated.py looks it up at each call
    cpu: Counter = Counter()
    n: Counter = Counter()
    db = Database.open(a.db)
    with db.session() as s:
        und = _current_ids().where(Claim.date.is_(None), Claim.geonameid.is_not(None))
        for gid in sorted(set(s.scalars(select(Claim.geonameid).where(Claim.id.in_(und))))):
            us = scoring_refs(s, set(s.scalars(und.where(Claim.geonameid == gid))))
            n["undated claims"] += len(us)
            t = time.process_time()
            n["undated-undated links"] += len(undated.among_undated(us))
            cpu["undated-undated"] += time.process_time() - t
            n["undated-undated pairs compared"] += len(us) * (len(us) - 1) // 2
            pubs = [u.published for u in us if u.published is not None]
            if not pubs:
                continue
            lo = min(pubs).toordinal() - link_mod.UNDATED_WINDOW_DAYS
            dated = scoring_refs(s, set(s.scalars(_current_ids().where(
                Claim.geonameid == gid, Claim.date >= _day(lo), Claim.date <= max(pubs).isoformat()))))
            t = time.process_time()
            arrays = undated.Dated(dated)
            for u in us:
                if u.published is None:
                    continue
                i, j = arrays.span(*link_mod.undated_window(u.published))
                top = arrays.top(u)
                n["undated-dated pairs compared"] += j - i
                n["undated-dated links kept"] += len(top)
                n["undated claims keeping the full top"] += len(top) == undated.UNDATED_TOP
            cpu["undated-dated"] += time.process_time() - t
    print(json.dumps({**n, **{f"{k} pairs scored exactly": v for k, v in calls.items()},
                      **{f"{k} CPU s": round(v, 1) for k, v in cpu.items()}, "top": undated.UNDATED_TOP,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
