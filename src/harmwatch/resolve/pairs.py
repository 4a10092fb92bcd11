"""The links among dated claims: the pairs blocking compares, scored in arrays first.

Blocking (``link.candidate_pairs``) compares two dated claims when their days are at most one apart
and either both have a point in the same or a neighbouring 0.25-degree cell, or one of them is placed
only in an oblast that the other names too. In a busy (cell, day) block every pair of its claims and of
the blocks around it is compared, so the pairs grow with the square of a block's claims: 4.4 million
``score_pair`` calls for 300,000 generated claims, of which about a quarter reach ``THRESHOLD``
(docs/scaling.md).

``dated_links`` builds the same pairs as index arrays, scores them all at once approximately (the rule's
features without their rounding to three decimals), and scores exactly with ``score_pair`` only the pairs
within ``_EPS`` of ``THRESHOLD``. The approximation differs from the exact score by at most 0.00375
(place 3 x 0.0005, objects 1.5 x 0.0005, wording 2 x 0.0005, the sum's rounding 0.0005), so no pair
left out could reach ``THRESHOLD``, and every link kept is ``score_pair``'s own: the links are exactly
those of scoring every pair (``tests/test_resolve_dated_pairs.py``).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from .link import MAX_KM, THRESHOLD, WEIGHTS, _cell, score_pair
from .model import ClaimRef, Link

_EPS = 0.01  # > twice the approximation's error (<= 0.00375, see above)
_SMALL = 64  # this few pairs are scored exactly, pair by pair
# the cells compared with a (day, cell) block, each unordered pair of blocks once: the same day's
# block itself (pairs within it) and four of its eight neighbours, and the next day's nine cells
_FORWARD = ((0, 0, 1), (0, 1, -1), (0, 1, 0), (0, 1, 1)) + tuple((1, dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def dated_links(claims: Iterable[ClaimRef], only: set[str] | None = None) -> list[Link]:
    """The links (score at least THRESHOLD) among the dated claims of `claims` that blocking compares;
    with `only`, those with a claim in it. The same links as ``score_pair`` on every pair
    ``candidate_pairs(claims, only, undated_dated=False)`` yields."""
    cs = [c for c in claims if c.date is not None]
    i, j = _pairs(cs)
    if len(i):
        docs = _ids(c.doc_id for c in cs)
        ok = docs[i] != docs[j]
        keys = _ids(c.key for c in cs)
        ok &= keys[i] != keys[j]
        if only is not None:
            fresh = np.fromiter((c.key in only for c in cs), dtype=bool, count=len(cs))
            ok &= fresh[i] | fresh[j]
        i, j = i[ok], j[ok]
    if len(i) > _SMALL:
        approx = _approx(cs, i, j)
        if approx is not None:
            near = approx >= THRESHOLD - _EPS
            i, j = i[near], j[near]
    out = []
    for a, b in zip(i.tolist(), j.tolist()):
        link = score_pair(cs[a], cs[b])
        if link is not None and link.score >= THRESHOLD:
            out.append(link)
    return out


def _ids(values: Iterable) -> np.ndarray:
    """Each value's number (equal values, equal numbers)."""
    seen: dict = {}
    return np.fromiter((seen.setdefault(v, len(seen)) for v in values), dtype=np.int64)


def _product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.repeat(a, len(b)), np.tile(b, len(a))


def _pairs(cs: list[ClaimRef]) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) of the dated claims `cs` blocking compares, each unordered pair once: placed
    claims of the same or neighbouring cells a day apart at most, and a claim placed only in an oblast
    with every claim naming that oblast a day either side."""
    cells: dict[tuple, list[int]] = {}
    oblast: dict[tuple, list[int]] = {}  # (day, oblast) -> every claim naming it
    loose = np.zeros(len(cs), dtype=bool)
    for n, c in enumerate(cs):
        day, cell = c.date.toordinal(), _cell(c)
        if cell is not None:
            cells.setdefault((day, *cell), []).append(n)
        if c.admin1:
            oblast.setdefault((day, c.admin1), []).append(n)
            loose[n] = cell is None
    arr = {k: np.asarray(v, dtype=np.int64) for k, v in cells.items()}
    got_i, got_j = [], []
    for (day, y, x), g in arr.items():
        if len(g) > 1:
            a, b = np.triu_indices(len(g), 1)
            got_i.append(g[a])
            got_j.append(g[b])
        for dd, dy, dx in _FORWARD:
            h = arr.get((day + dd, y + dy, x + dx))
            if h is not None:
                a, b = _product(g, h)
                got_i.append(a)
                got_j.append(b)
    for (day, admin1), members in oblast.items():
        mine = np.asarray([n for n in members if loose[n]], dtype=np.int64)
        if not len(mine):
            continue
        near = [oblast.get((day + dd, admin1), ()) for dd in (-1, 0, 1)]
        a, b = _product(mine, np.asarray([n for g in near for n in g], dtype=np.int64))
        ok = (a != b) & (~loose[b] | (a < b))  # a pair of two loose claims once
        got_i.append(a[ok])
        got_j.append(b[ok])
    if not got_i:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(got_i), np.concatenate(got_j)


def _approx(cs: list[ClaimRef], i: np.ndarray, j: np.ndarray) -> np.ndarray | None:
    """score_pair(cs[i], cs[j]) for each pair without its rounding, -inf where it gives None; None when
    it cannot be done in arrays (more kinds of object than bits)."""
    n = len(cs)
    kinds: dict[str, int] = {}
    for c in cs:
        for o in sorted(c.objects):
            kinds.setdefault(o, len(kinds))
    if len(kinds) > 63:
        return None
    f64 = np.float64
    s = np.zeros(len(i))
    # place: the same settlement; else points within MAX_KM (read a hair wide: score_pair decides); else
    # the same oblast when a point is missing; else no link
    gid = np.fromiter((-1 if c.geonameid is None else c.geonameid for c in cs), dtype=np.int64, count=n)
    has_gid = np.fromiter((c.geonameid is not None for c in cs), dtype=bool, count=n)
    has_pt = np.fromiter((c.lat is not None and c.lon is not None for c in cs), dtype=bool, count=n)
    lat = np.fromiter((c.lat if c.lat is not None and c.lon is not None else 0.0 for c in cs), dtype=f64, count=n)
    lon = np.fromiter((c.lon if c.lat is not None and c.lon is not None else 0.0 for c in cs), dtype=f64, count=n)
    adm = _ids(c.admin1 or None for c in cs)
    adm_known = np.fromiter((bool(c.admin1) for c in cs), dtype=bool, count=n)
    same = has_gid[i] & (gid[i] == gid[j])
    pts = has_pt[i] & has_pt[j]
    d = _km(lat[i], lon[i], lat[j], lon[j])
    near = np.maximum(0.0, 1.0 - d / MAX_KM) * 0.8
    place = np.where(same, 1.0, np.where(pts, near, 0.3))
    never = ~same & np.where(pts, d > MAX_KM + 1e-6, ~(adm_known[i] & (adm[i] == adm[j])))
    s += WEIGHTS["place"] * place
    day = np.fromiter((c.date.toordinal() for c in cs), dtype=np.int64, count=n)
    gap = np.abs(day[i] - day[j])
    never |= gap > 1
    s += WEIGHTS["date"] * np.where(gap == 0, 1.0, 0.4)
    minutes = np.fromiter((-1 if c.minutes is None else c.minutes for c in cs), dtype=np.int64, count=n)
    mi, mj = minutes[i], minutes[j]
    dt = np.abs(mi - mj)
    dt = np.minimum(dt, 1440 - dt)
    s += WEIGHTS["time"] * np.where((mi < 0) | (mj < 0), 0.0, np.where(dt <= 60, 1.0, np.where(dt <= 180, 0.0, -1.5)))
    weapon = _ids(c.weapon_class for c in cs)
    known = np.fromiter((c.weapon_class != "unknown" for c in cs), dtype=bool, count=n)
    s += WEIGHTS["weapon"] * np.where(known[i] & known[j], np.where(weapon[i] == weapon[j], 1.0, -1.0), 0.0)
    bits = np.fromiter((sum(1 << kinds[o] for o in c.objects) for c in cs), dtype=np.uint64, count=n)
    bi, bj = bits[i], bits[j]
    inter = np.bitwise_count(bi & bj).astype(f64)
    union = np.bitwise_count(bi | bj).astype(f64)
    jac = np.divide(inter, union, out=np.zeros(len(i)), where=union > 0)
    s += WEIGHTS["objects"] * np.where((bi == 0) | (bj == 0), 0.0, np.where(jac > 0, jac, -1.0))
    killed = np.fromiter((np.nan if c.killed is None else c.killed for c in cs), dtype=f64, count=n)
    ki, kj = killed[i], killed[j]
    hi, lo = np.fmax(ki, kj), np.fmin(ki, kj)
    f = np.where(hi - lo <= np.maximum(3.0, 0.5 * hi), 1.0, np.where(hi > 3 * np.maximum(lo, 1.0) + 5, -1.0, 0.0))
    s += WEIGHTS["casualties"] * np.where(np.isnan(ki) | np.isnan(kj), 0.0, f)
    s += WEIGHTS["text"] * _jaccard(cs, i, j)
    s[never] = -np.inf
    return s


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """link.km in arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def _jaccard(cs: list[ClaimRef], i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The Jaccard similarity of the words of each pair (0 when either has none): the words of cs[i]
    looked up among those of cs[j], as (claim, word) codes in one sorted array."""
    vocab: dict[str, int] = {}
    words = [[vocab.setdefault(w, len(vocab)) for w in c.words] for c in cs]
    count = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(cs))
    flat = np.fromiter((w for ws in words for w in ws), dtype=np.int64, count=int(count.sum()))
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    v = max(len(vocab), 1)
    owner = np.repeat(np.arange(len(cs), dtype=np.int64), count)
    member = np.sort(owner * v + flat)
    ni, nj = count[i], count[j]
    pair = np.repeat(np.arange(len(i), dtype=np.int64), ni)
    first = np.repeat(start[i], ni)
    offset = np.arange(len(pair), dtype=np.int64) - np.repeat(np.cumsum(ni) - ni, ni)
    query = j[pair] * v + flat[first + offset]
    at = np.minimum(np.searchsorted(member, query), max(len(member) - 1, 0))
    hit = (member[at] == query) if len(member) else np.zeros(len(query), dtype=bool)
    inter = np.bincount(pair, weights=hit, minlength=len(i))
    union = (ni + nj).astype(np.float64) - inter
    return np.where((ni == 0) | (nj == 0), 0.0, inter / np.maximum(union, 1.0))
