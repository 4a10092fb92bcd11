"""Cross-document linking: which claims from different documents tell of the same incident.

A first, deliberately cautious rule set (the resolution step refines it):
two claims link when they name the same settlement (same gazetteer id), or the
same oblast with no settlement and a shared object hit, and their dates are at
most a day apart or one is unknown. Two claims from one document are never
linked: a text that keeps incidents apart is trusted. Incident ids do not
depend on the order the documents came in.
"""
from __future__ import annotations

import hashlib
from datetime import date
from itertools import combinations

from ..records import IncidentClaim

ClaimKey = tuple[str, int]  # (doc_id, ordinal)


def _compatible(a: IncidentClaim, b: IncidentClaim) -> float | None:
    if a.geonameid is not None and a.geonameid == b.geonameid:
        score = 2.0
    elif a.geonameid is None and b.geonameid is None and a.admin1 and a.admin1 == b.admin1 and set(a.objects) & set(b.objects):
        score = 1.0
    else:
        return None
    if a.date and b.date:
        gap = abs((date.fromisoformat(a.date) - date.fromisoformat(b.date)).days)
        if gap > 1:
            return None
        score += 1.0 if gap == 0 else 0.0
    if set(a.objects) & set(b.objects):
        score += 0.5
    if a.time and a.time == b.time:
        score += 0.5
    return score


def link(claims: dict[ClaimKey, IncidentClaim]) -> dict[ClaimKey, str]:
    keys = sorted(claims)
    parent = {k: k for k in keys}
    docs = {k: {k[0]} for k in keys}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    pairs = []
    for a, b in combinations(keys, 2):
        if a[0] == b[0]:
            continue
        s = _compatible(claims[a], claims[b])
        if s is not None:
            pairs.append((-s, a, b))
    for _, a, b in sorted(pairs):
        ra, rb = find(a), find(b)
        if ra == rb or docs[ra] & docs[rb]:
            continue
        root, other = min(ra, rb), max(ra, rb)
        parent[other] = root
        docs[root] |= docs[other]
    out = {}
    for k in keys:
        root = find(k)
        out[k] = "inc-" + hashlib.sha1(f"{root[0]}#{root[1]}".encode()).hexdigest()[:12]
    return out
