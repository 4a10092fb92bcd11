"""The links of undated claims to dated ones: each undated claim keeps its `UNDATED_TOP` strongest.

An undated claim (no event date) whose document has a publication date may tell of any strike of
its settlement in its window (``link.undated_window``: a year before the publication to the
publication). Of the dated claims there, it keeps the links to the ``UNDATED_TOP`` that score
highest (score, then the dated claim's key: a total order, so the links kept depend only on the set
of claims), and only those at least ``THRESHOLD``. Its part's choice of a dated partner
(resolve/bounded.py) reads these links, strongest first, so what is dropped are the links ranked
after the K-th, which a choice reaches only when every stronger candidate cannot join it.

Scoring is the rule's (``link.score_pair``); to keep it from growing with the product of a busy
settlement's undated and dated claims, the pairs are first scored approximately in numpy arrays
(``Dated``: the same features without rounding, words by inverted index) and only the candidates
that can reach the top K are scored exactly: those within ``_EPS`` of the K-th approximate score
(the approximation is within 0.003 of the exact score, so no pair outside them can rank in the
exact top K).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from .model import ClaimRef, Link

UNDATED_TOP = 8  # the dated claims an undated claim keeps links to (docs/resolution.md, "Undated claims")
_EPS = 0.01  # > twice the approximation's error (rounding of objects, wording and the sum: <= 0.00225)
_SMALL = 32  # windows this small are scored exactly, pair by pair
_CLASSES: dict[str, int] = {}


def _class(w: str) -> int:
    return -1 if w == "unknown" else _CLASSES.setdefault(w, len(_CLASSES))


class Dated:
    """The dated claims of one settlement, sorted by (day, key), as arrays for approximate scoring (with
    `undated`, its undated claims instead, sorted by key)."""

    def __init__(self, claims: Iterable[ClaimRef], undated: bool = False):
        if undated:
            self.claims = sorted((c for c in claims if c.date is None), key=lambda c: c.key)
        else:
            self.claims = sorted((c for c in claims if c.date is not None), key=lambda c: (c.date, c.key))
        cs = self.claims
        n = len(cs)
        self.day = np.fromiter((0 if c.date is None else c.date.toordinal() for c in cs), dtype=np.int64, count=n)
        self.minutes = np.fromiter((-1 if c.minutes is None else c.minutes for c in cs), dtype=np.int64, count=n)
        self.weapon = np.fromiter((_class(c.weapon_class) for c in cs), dtype=np.int64, count=n)
        self.killed = np.fromiter((np.nan if c.killed is None else c.killed for c in cs), dtype=np.float64, count=n)
        docs: dict[str, int] = {}
        self.doc = np.fromiter((docs.setdefault(c.doc_id, len(docs)) for c in cs), dtype=np.int64, count=n)
        self.docs = docs
        objects: dict[str, int] = {}
        for c in cs:
            for o in sorted(c.objects):
                objects.setdefault(o, len(objects))
        self.objects = objects if len(objects) <= 63 else None  # more kinds than bits: scored exactly
        if self.objects is not None:
            self.obj = np.fromiter((sum(1 << objects[o] for o in c.objects) for c in cs), dtype=np.uint64, count=n)
            self.nobj = np.fromiter((len(c.objects) for c in cs), dtype=np.int64, count=n)
        postings: dict[str, list[int]] = {}
        for i, c in enumerate(cs):
            for w in c.words:
                postings.setdefault(w, []).append(i)
        self.postings = {w: np.asarray(ix, dtype=np.int64) for w, ix in postings.items()}
        self.nwords = np.fromiter((len(c.words) for c in cs), dtype=np.int64, count=n)

    def span(self, lo, hi) -> tuple[int, int]:
        """Indices [i, j) of the claims whose day lies in [lo, hi] (dates)."""
        return (int(np.searchsorted(self.day, lo.toordinal(), "left")),
                int(np.searchsorted(self.day, hi.toordinal(), "right")))

    def approx(self, u: ClaimRef, i: int, j: int) -> np.ndarray | None:
        """score_pair(u, claim) for the claims [i, j) without its rounding (same settlement: place 1,
        date unknown), -inf for the claims of u's document; None when it cannot be done in arrays."""
        if self.objects is None or any(o not in self.objects for o in u.objects):
            return None
        n = j - i
        s = np.full(n, 3.0 * 1.0 + 2.0 * 0.2)
        if u.minutes is not None:
            m = self.minutes[i:j]
            dt = np.abs(m - u.minutes)
            dt = np.minimum(dt, 1440 - dt)
            s += np.where(m < 0, 0.0, np.where(dt <= 60, 1.0, np.where(dt <= 180, 0.0, -1.5)))
        if u.weapon_class != "unknown":
            w = self.weapon[i:j]
            s += np.where(w < 0, 0.0, np.where(w == _class(u.weapon_class), 1.0, -1.0))
        if u.objects:
            ub = sum(1 << self.objects[o] for o in u.objects)
            ob = self.obj[i:j]
            inter = np.bitwise_count(ob & np.uint64(ub)).astype(np.float64)
            union = np.bitwise_count(ob | np.uint64(ub)).astype(np.float64)
            jac = np.divide(inter, union, out=np.zeros(n), where=union > 0)
            s += np.where(self.nobj[i:j] == 0, 0.0, 1.5 * np.where(jac > 0, jac, -1.0))
        if u.killed is not None:
            k = self.killed[i:j]
            hi, lo = np.maximum(k, u.killed), np.minimum(k, u.killed)
            f = np.where(hi - lo <= np.maximum(3.0, 0.5 * hi), 1.0, np.where(hi > 3 * np.maximum(lo, 1.0) + 5, -1.0, 0.0))
            s += np.where(np.isnan(k), 0.0, f)
        if u.words:
            hits = [p for w in u.words if (p := self.postings.get(w)) is not None]
            nw = self.nwords[i:j]
            if hits:
                inter = np.bincount(np.concatenate(hits), minlength=len(self.claims))[i:j].astype(np.float64)
            else:
                inter = np.zeros(n)
            union = (nw + len(u.words)).astype(np.float64) - inter
            s += np.where(nw == 0, 0.0, 2.0 * inter / np.maximum(union, 1.0))
        d = self.docs.get(u.doc_id)
        if d is not None:
            s[self.doc[i:j] == d] = -np.inf
        return s

    def top(self, u: ClaimRef, k: int | None = None) -> list[Link]:
        """The links of undated claim `u` to the claims in its window: the k strongest at least THRESHOLD
        (score, then the dated claim's key), strongest first."""
        from .link import THRESHOLD, score_pair, undated_window
        k = UNDATED_TOP if k is None else k
        if u.published is None or not self.claims:
            return []
        i, j = self.span(*undated_window(u.published))
        if i >= j:
            return []
        approx = self.approx(u, i, j) if j - i > _SMALL else None
        if approx is None:
            idx: Iterable[int] = range(i, j)
        else:
            ok = approx >= THRESHOLD - _EPS
            if int(ok.sum()) > k:
                kth = np.partition(approx[ok], -k)[-k]
                ok &= approx >= kth - _EPS
            idx = (i + np.flatnonzero(ok)).tolist()
        out = []
        for x in idx:
            b = self.claims[x]
            if b.doc_id == u.doc_id:
                continue
            link = score_pair(u, b)
            if link is not None and link.score >= THRESHOLD:
                out.append((-link.score, b.key, link))
        out.sort(key=lambda t: (t[0], t[1]))
        return [l for _, _, l in out[:k]]


def among_undated(claims: list[ClaimRef], only: set[str] | None = None) -> list[Link]:
    """The links among the undated claims of each settlement (every pair compared, as blocking says;
    with `only`, the pairs with a claim in it), each pair scored in arrays first and exactly only when
    it can reach THRESHOLD: the same links as scoring every pair."""
    from .link import THRESHOLD, score_pair
    by_place: dict[int, list[ClaimRef]] = {}
    for c in claims:
        if c.date is None and c.geonameid is not None:
            by_place.setdefault(c.geonameid, []).append(c)
    out: list[Link] = []
    for gid in sorted(by_place):
        arrays = Dated(by_place[gid], undated=True)
        cs = arrays.claims
        n = len(cs)
        fresh = np.fromiter((only is None or c.key in only for c in cs), dtype=bool, count=n)
        for i, u in enumerate(cs):
            if not fresh[i]:
                continue
            # each pair once: with a claim of `only` after this one, or with any claim outside `only`
            if n - 1 <= _SMALL:
                idx = [j for j in range(n) if j != i and (j > i or not fresh[j])]
            else:
                approx = arrays.approx(u, 0, n)
                ok = approx >= THRESHOLD - _EPS
                ok[: i + 1] &= ~fresh[: i + 1]
                ok[i] = False
                idx = np.flatnonzero(ok).tolist()
            for j in idx:
                b = cs[j]
                if b.doc_id == u.doc_id:
                    continue
                link = score_pair(u, b)
                if link is not None and link.score >= THRESHOLD:
                    out.append(link)
    return out


def rank(link: Link, undated_key: str) -> tuple[float, str]:
    """Where a link of an undated claim ranks among its links to dated claims (smaller first)."""
    return (-link.score, link.b if link.a == undated_key else link.a)


def top_links(undated: Iterable[ClaimRef], dated: Iterable[ClaimRef], k: int | None = None) -> list[Link]:
    """For each undated claim with a publication date and a settlement, its links to the dated claims
    of `dated` naming that settlement in its window: the k strongest at least THRESHOLD."""
    by_place: dict[int, list[ClaimRef]] = {}
    for c in dated:
        if c.date is not None and c.geonameid is not None:
            by_place.setdefault(c.geonameid, []).append(c)
    arrays: dict[int, Dated] = {}
    out: list[Link] = []
    for u in undated:
        if u.date is not None or u.published is None or u.geonameid not in by_place:
            continue
        d = arrays.get(u.geonameid)
        if d is None:
            d = arrays[u.geonameid] = Dated(by_place[u.geonameid])
        out.extend(d.top(u, k))
    return out
