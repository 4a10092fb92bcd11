#!/usr/bin/env python3
"""Dump what a resolution stored in a database, or compare two dumps: to check a change gives the same results.

    python bench/resolve_dump.py dump /tmp/rb/x.db /tmp/rb/after.jsonl     # sorted JSON lines, prints sha256
    python bench/resolve_dump.py compare /tmp/rb/before.jsonl /tmp/rb/after.jsonl

The dump is bench/resolve_profile.py's (incidents with their summaries and links, claims' incidents,
links with scores and features, re-report edges, screening flags, resolved_claims with best), so runs of
two versions of the code on copies of one generated database compare row for row. `compare` prints the
rows of each kind in both and the first lines that differ; its exit status is 1 when they differ.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def counts(path: Path) -> Counter:
    return Counter(json.loads(line)[0] for line in path.read_text().splitlines() if line)


def main() -> int:
    if len(sys.argv) != 4 or sys.argv[1] not in ("dump", "compare"):
        print(__doc__)
        return 2
    if sys.argv[1] == "dump":
        from resolve_profile import dump  # bench/resolve_profile.py

        from harmwatch.store.db import Database
        db = Database.open(f"sqlite:///{sys.argv[2]}")
        print(f"{sys.argv[3]}: sha256 {dump(db, Path(sys.argv[3]))}")
        return 0
    a, b = Path(sys.argv[2]), Path(sys.argv[3])
    ca, cb = counts(a), counts(b)
    for kind in sorted(ca | cb):
        print(f"{kind:<10} {ca[kind]:>10,} {cb[kind]:>10,}")
    print(f"{'total':<10} {sum(ca.values()):>10,} {sum(cb.values()):>10,}")
    la, lb = a.read_text().splitlines(), b.read_text().splitlines()
    if la == lb:
        print("identical")
        return 0
    only_a, only_b = set(la) - set(lb), set(lb) - set(la)
    print(f"DIFFER: {len(only_a):,} lines only in {a}, {len(only_b):,} only in {b}")
    for line in sorted(only_a)[:5]:
        print("-", line[:300])
    for line in sorted(only_b)[:5]:
        print("+", line[:300])
    return 1


if __name__ == "__main__":
    sys.exit(main())
