"""Claims -> incidents: blocking, pair scoring, constrained clustering.

1. **Blocking.** Only claims that could be one event are compared: dates at most one day
   apart (claims without a date are compared with the undated claims naming the same
   settlement, and, when their document has a publication date, with the dated claims naming
   that settlement whose day lies in the window `undated_window`: from `UNDATED_WINDOW_DAYS`
   before the publication to the publication itself),
   and places in the same or a neighbouring 0.25-degree cell, or the same oblast when a
   claim has no coordinates.
2. **Scoring.** Each candidate pair gets feature scores (place, date, time, weapon, objects,
   casualty figures, wording) and a weighted sum; `Link.features` keeps them so every link
   can be explained.
3. **Clustering** (`cluster`, used within each bounded unit by resolve/bounded.py). Pairs above `THRESHOLD` are joined best-first (union-find) unless that
   would put two claims of one document in one incident (a text that keeps incidents apart
   is trusted), break an analyst's "different" decision, or make an incident whose dated
   claims span more than a day or whose points lie more than `MAX_KM` apart (so an undated
   or vague claim cannot chain separate strikes together); analyst "same" decisions are
   applied first and are exempt from these limits. Two groups join only when at least
   `MIN_COHESION` of the claim pairs across them are linked themselves (average-link), so
   one lookalike pair cannot fuse two strikes in a busy city on the same day. Pairs are sorted by (score, keys), so the result depends only on the set
   of claims, never on the order they were ingested.
"""
from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from datetime import timedelta
from itertools import combinations
from typing import Iterable

from .model import ClaimRef, Decision, Link, Resolution

THRESHOLD = 4.0
MAX_KM = 25.0
CELL_DEG = 0.25
MIN_COHESION = 0.5  # share of cross pairs that must be linked before two groups join
UNDATED_COHESION = 1.0  # among undated claims (no date to tell strikes apart) every pair across must be linked
# an undated claim may be of a day up to this long before its document's publication (a report names
# a strike without its date days, or in a retrospective up to a year, after it): tests/test_quality.py
# (annotated: a hospital strike named undated a year later; the open set: statements a week or two later)
UNDATED_WINDOW_DAYS = 365
WEIGHTS = {"place": 3.0, "date": 2.0, "time": 1.0, "weapon": 1.0, "objects": 1.5, "casualties": 1.0, "text": 2.0}


def km(a: ClaimRef, b: ClaimRef) -> float | None:
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def score_pair(a: ClaimRef, b: ClaimRef) -> Link | None:
    """A scored link, or None when the two claims cannot be one event."""
    f: dict[str, float] = {}
    # place: the same settlement, or points close together; else the same oblast at best
    if a.geonameid is not None and a.geonameid == b.geonameid:
        f["place"] = 1.0
    elif (d := km(a, b)) is not None:
        if d > MAX_KM:
            return None
        f["place"] = round(max(0.0, 1.0 - d / MAX_KM) * 0.8, 3)
    elif a.admin1 and a.admin1 == b.admin1:
        f["place"] = 0.3
    else:
        return None
    # date: the same day, the next day (overnight attacks, time zones), or unknown
    if a.date and b.date:
        gap = abs((a.date - b.date).days)
        if gap > 1:
            return None
        f["date"] = 1.0 if gap == 0 else 0.4
    else:
        f["date"] = 0.2
    if a.minutes is not None and b.minutes is not None:
        dt = abs(a.minutes - b.minutes)
        dt = min(dt, 1440 - dt)
        f["time"] = 1.0 if dt <= 60 else (0.0 if dt <= 180 else -1.5)
    if a.weapon_class != "unknown" and b.weapon_class != "unknown":
        f["weapon"] = 1.0 if a.weapon_class == b.weapon_class else -1.0
    if a.objects and b.objects:
        j = len(a.objects & b.objects) / len(a.objects | b.objects)
        f["objects"] = round(j if j > 0 else -1.0, 3)
    if a.killed is not None and b.killed is not None:
        hi, lo = max(a.killed, b.killed), min(a.killed, b.killed)
        # tolls rise as bodies are found: a later, larger figure is no contradiction
        f["casualties"] = 1.0 if hi - lo <= max(3, 0.5 * hi) else (-1.0 if hi > 3 * max(lo, 1) + 5 else 0.0)
    if a.words and b.words:
        f["text"] = round(len(a.words & b.words) / len(a.words | b.words), 3)
    score = round(sum(WEIGHTS[k] * v for k, v in f.items()), 3)
    k1, k2 = sorted((a.key, b.key))
    return Link(k1, k2, score, f)


def _cell(c: ClaimRef) -> tuple[int, int] | None:
    if c.lat is None or c.lon is None:
        return None
    return (math.floor(c.lat / CELL_DEG), math.floor(c.lon / CELL_DEG))


def candidate_pairs(claims: list[ClaimRef], only: set[str] | None = None,
                    undated_dated: bool = True) -> Iterable[tuple[ClaimRef, ClaimRef]]:
    """Pairs blocking compares, each once. With `only`, pairs with at least one claim in it. Without
    `undated_dated`, no pair with an undated claim naming a settlement (score_all scores those in
    arrays first, and keeps an undated claim's strongest links to dated claims only: resolve/undated.py)."""
    by_cell: dict[tuple[int, int, int], list[ClaimRef]] = defaultdict(list)  # (day, y, x)
    by_admin1: dict[tuple[int, str], list[ClaimRef]] = defaultdict(list)  # (day, oblast): every dated claim
    by_place: dict[int, list[ClaimRef]] = defaultdict(list)
    for c in claims:
        if c.geonameid is not None:
            by_place[c.geonameid].append(c)
        if c.date is None:
            continue
        day = c.date.toordinal()
        cell = _cell(c)
        if cell is not None:
            by_cell[(day, *cell)].append(c)
        if c.admin1:
            by_admin1[(day, c.admin1)].append(c)
    seen: set[tuple[str, str]] = set()

    def emit(a: ClaimRef, b: ClaimRef) -> bool:
        if a.key == b.key or a.doc_id == b.doc_id or (only is not None and a.key not in only and b.key not in only):
            return False
        k = (a.key, b.key) if a.key < b.key else (b.key, a.key)
        if k in seen:
            return False
        seen.add(k)
        return True

    for (day, y, x), group in by_cell.items():
        for dd in (0, 1):
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    other = by_cell.get((day + dd, y + dy, x + dx))
                    if not other:
                        continue
                    for a in group:
                        for b in other:
                            if emit(a, b):
                                yield a, b
    # claims placed only in an oblast: compared with every claim in that oblast a day either side
    for (day, admin1), group in by_admin1.items():
        loose = [c for c in group if _cell(c) is None]
        for a in loose:
            for dd in (-1, 0, 1):
                for b in by_admin1.get((day + dd, admin1), ()):
                    if emit(a, b):
                        yield a, b
    # undated claims: compared with the undated claims naming the same settlement, and with the dated
    # claims naming it within the window of the undated claim's publication (undated_window)
    for group in by_place.values():
        undated = [c for c in group if c.date is None]
        for a, b in combinations(undated if undated_dated else (), 2):
            if emit(a, b):
                yield a, b
        dated = [c for c in group if c.date is not None] if undated_dated else []
        for a in undated:
            if a.published is None:
                continue
            for b in dated:
                if in_window(a, b) and emit(a, b):
                    yield a, b


def undated_window(published) -> tuple:
    """The days (first, last) an undated claim of a document published then may be of."""
    return published - timedelta(days=UNDATED_WINDOW_DAYS), published


def in_window(undated: ClaimRef, dated: ClaimRef) -> bool:
    """Whether a dated claim's day lies in an undated claim's window (same settlement is the caller's)."""
    if undated.published is None or dated.date is None:
        return False
    lo, hi = undated_window(undated.published)
    return lo <= dated.date <= hi


def score_all(claims: list[ClaimRef], only: set[str] | None = None) -> list[Link]:
    """The links among `claims` (with `only`, those with a claim in it). An undated claim keeps its
    `UNDATED_TOP` strongest links to dated claims (resolve/undated.py), computed over the dated claims
    given; with `only`, an undated claim outside it has its links to the dated claims in it returned
    uncapped (the caller merges them into the top it stored: incremental.merge_offers)."""
    from .pairs import dated_links
    from .undated import among_undated, top_links
    # the dated pairs candidate_pairs(claims, only, undated_dated=False) yields, scored in arrays first
    # (a busy cell and day compares every pair of its claims: resolve/pairs.py)
    out = dated_links(claims, only)
    out.extend(among_undated(claims, only))
    undated = [c for c in claims if c.date is None and c.published is not None and c.geonameid is not None]
    if not undated:
        return out
    dated = [c for c in claims if c.date is not None and c.geonameid is not None]
    out.extend(top_links([u for u in undated if only is None or u.key in only], dated))
    if only is not None:  # offers: an undated claim scored before, a new dated claim in its window
        fresh: dict[int, list[ClaimRef]] = defaultdict(list)
        for c in dated:
            if c.key in only:
                fresh[c.geonameid].append(c)
        for a in undated:
            if a.key in only:
                continue
            for b in fresh.get(a.geonameid, ()):
                if b.doc_id != a.doc_id and in_window(a, b):
                    link = score_pair(a, b)
                    if link is not None and link.score >= THRESHOLD:
                        out.append(link)
    return out


def incident_id(member_keys: Iterable[str]) -> str:
    """An id from the incident's earliest claim key: stable whatever the ingest order."""
    return "inc-" + hashlib.sha1(min(member_keys).encode()).hexdigest()[:12]


def cluster(claims: list[ClaimRef], links: list[Link], decisions: Iterable[Decision] = (),
            cohesion: float = MIN_COHESION) -> Resolution:
    keys = sorted(c.key for c in claims)
    doc_of = {c.key: c.doc_id for c in claims}
    parent = {k: k for k in keys}
    docs = {k: {doc_of[k]} for k in keys}
    apart: dict[str, set[str]] = defaultdict(set)  # root -> keys it must never join
    for d in decisions:
        if d.kind == "different" and d.a in parent and d.b in parent:
            apart[d.a].add(d.b)
            apart[d.b].add(d.a)
    members = {k: {k} for k in keys}
    span = {c.key: (c.date, c.date) if c.date else None for c in claims}  # root -> (first, last) date
    box = {c.key: (c.lat, c.lat, c.lon, c.lon) if c.lat is not None and c.lon is not None else None for c in claims}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a: str, b: str, forced: bool) -> bool:
        ra, rb = find(a), find(b)
        if ra == rb:
            return True
        if not forced and docs[ra] & docs[rb]:
            return False
        if any(x in members[rb] for m in members[ra] for x in apart.get(m, ())):
            return False
        sp, bx = _join_span(span[ra], span[rb]), _join_box(box[ra], box[rb])
        if not forced and ((sp and (sp[1] - sp[0]).days > 1) or (bx and _diag_km(bx) > MAX_KM)):
            return False
        root, other = (ra, rb) if ra < rb else (rb, ra)
        parent[other] = root
        docs[root] |= docs.pop(other)
        members[root] |= members.pop(other)
        span[root], box[root] = sp, bx
        return True

    for d in sorted(decisions, key=lambda d: (d.a, d.b)):
        if d.kind == "same" and d.a in parent and d.b in parent:
            union(d.a, d.b, forced=True)
    adj: dict[str, set[str]] = defaultdict(set)
    for link in links:
        adj[link.a].add(link.b)
        adj[link.b].add(link.a)

    def cohesive(ra: str, rb: str) -> bool:
        # average-link guard: most claim pairs across the two groups must be linked themselves
        small, big = (ra, rb) if len(members[ra]) <= len(members[rb]) else (rb, ra)
        if len(members[small]) * len(members[big]) <= 1:
            return True
        other = members[big]
        cross = sum(len(adj[m] & other) for m in members[small])  # adj[m] holds each neighbour once
        return cross >= cohesion * len(members[small]) * len(members[big])

    used = []
    for link in sorted(links, key=lambda l: (-l.score, l.a, l.b)):
        if link.a not in parent or link.b not in parent:
            continue
        ra, rb = find(link.a), find(link.b)
        if ra != rb and cohesive(ra, rb) and union(link.a, link.b, forced=False):
            used.append(link)
    groups: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        groups[find(k)].append(k)
    res = Resolution(links=used)
    for ks in groups.values():
        iid = incident_id(ks)
        for k in ks:
            res.incident_of[k] = iid
    return res


def _join_span(a, b):
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), max(a[1], b[1]))


def _join_box(a, b):
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))


def _diag_km(bx) -> float:
    lat0, lat1, lon0, lon1 = bx
    dy = (lat1 - lat0) * 111.0
    dx = (lon1 - lon0) * 111.0 * math.cos(math.radians((lat0 + lat1) / 2))
    return math.hypot(dx, dy)


def resolve_claims(claims: list[ClaimRef], decisions: Iterable[Decision] = ()) -> Resolution:
    """Score every candidate pair and cluster within bounded blocks (resolve/bounded.py): the whole
    step on data in memory."""
    from .bounded import cluster_bounded
    return cluster_bounded(claims, score_all(claims), decisions)
