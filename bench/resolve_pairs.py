#!/usr/bin/env python3
"""Score the dated claims' pairs as a full run does (7-day windows with the day before), both ways.

    python bench/resolve_pairs.py --claims 300000

The claims are bench/resolve.py's generator (same seed), in memory (no database). Each window is scored
by score_pair on every pair candidate_pairs yields (the earlier way) and by pairs.dated_links (arrays
first); prints the pairs compared, the links each way (they must be equal), the exact score_pair calls
dated_links made, and the CPU seconds (process_time) of each.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    import resolve as bench  # bench/resolve.py
    from harmwatch.resolve import pairs
    from harmwatch.resolve.link import THRESHOLD, candidate_pairs, score_pair
    claims, _ = bench.generate(a.claims, a.seed)
    by_window: dict[int, list] = {}
    for c in claims:
        if c.date is not None:
            by_window.setdefault(c.date.toordinal() // 7, []).append(c)
    calls = [0]

    def counted(x, y):
        calls[0] += 1
        return score_pair(x, y)
    pairs.score_pair = counted
    compared, links, cpu = 0, {"every pair": 0, "arrays first": 0}, {"every pair": 0.0, "arrays first": 0.0}
    for w in sorted(by_window):
        probe = by_window[w]
        refs = probe + [c for c in by_window.get(w - 1, ()) if c.date.toordinal() == w * 7 - 1]
        only = {c.key for c in probe}
        c0 = time.process_time()
        old = []
        for x, y in candidate_pairs(refs, only, undated_dated=False):
            compared += 1
            link = score_pair(x, y)
            if link is not None and link.score >= THRESHOLD:
                old.append(link)
        c1 = time.process_time()
        new = pairs.dated_links(refs, only)
        c2 = time.process_time()
        assert sorted((l.a, l.b, l.score) for l in old) == sorted((l.a, l.b, l.score) for l in new)
        cpu["every pair"] += c1 - c0
        cpu["arrays first"] += c2 - c1
        links["every pair"] += len(old)
        links["arrays first"] += len(new)
    print(f"{a.claims:,} claims: {compared:,} dated pairs compared, {links['every pair']:,} links "
          f"(the same both ways); score_pair calls {compared:,} -> {calls[0]:,}; CPU "
          f"{cpu['every pair']:.1f} s -> {cpu['arrays first']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
