"""Split an annotated set into train/dev/test by event, so no event straddles two splits.

Documents that share an `event_key` (or, for incidents without one, a place and
date) are one group; groups are assigned to splits by a stable hash of their
smallest doc_id, so adding documents never moves the existing ones.

    python scripts/split_by_event.py ../shared/eval/open/gold.jsonl -o tests/data/splits/open.json
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

SHARES = (("train", 0.6), ("dev", 0.2), ("test", 0.2))


def _keys(rec: dict) -> set[str]:
    keys = set()
    for inc in rec.get("incidents", []):
        k = inc.get("event_key") or f"{inc.get('place')}|{inc.get('date')}"
        if k != "None|None":
            keys.add(k)
    return keys


def groups(records: list[dict]) -> list[list[str]]:
    parent = {r["doc_id"]: r["doc_id"] for r in records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, str] = {}
    for r in records:
        for k in _keys(r):
            if k in owner:
                parent[find(r["doc_id"])] = find(owner[k])
            else:
                owner[k] = r["doc_id"]
    out: dict[str, list[str]] = {}
    for r in records:
        out.setdefault(find(r["doc_id"]), []).append(r["doc_id"])
    return [sorted(g) for g in out.values()]


def assign(group: list[str], salt: str) -> str:
    h = int(hashlib.sha256((salt + min(group)).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    acc = 0.0
    for name, share in SHARES:
        acc += share
        if h <= acc:
            return name
    return SHARES[-1][0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold", type=Path)
    ap.add_argument("-o", "--out", type=Path, required=True)
    ap.add_argument("--salt", default="harmwatch-split-v1")
    a = ap.parse_args()
    records = [json.loads(line) for line in a.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    split: dict[str, list[str]] = {name: [] for name, _ in SHARES}
    for g in groups(records):
        split[assign(g, a.salt)].extend(g)
    for v in split.values():
        v.sort()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps({"source": str(a.gold.name), "salt": a.salt, "method": "connected components over event_key; sha256(salt+min doc_id) -> 60/20/20",
                                 **split}, indent=1) + "\n", encoding="utf-8")
    print({k: len(v) for k, v in split.items()})


if __name__ == "__main__":
    main()
