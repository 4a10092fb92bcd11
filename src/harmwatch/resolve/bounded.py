"""Clustering within bounded blocks, and a deterministic pairing rule across block borders.

The rule (the same for a full run, an incremental run and `resolve_claims` in memory):

1. **Home block.** Every claim has one: a dated claim with a point, its day and 0.25-degree cell
   ``("c", day, y, x)``; a dated claim placed only in an oblast, ``("o", day, oblast)``; an undated
   claim naming a settlement, ``("u", geonameid)``; any other claim is a block of its own
   ``("k", key)``. Blocks joined by an analyst's "same" ruling form one **unit**; every other block
   is a unit by itself.
2. **Within a unit** the claims are clustered by ``link.cluster`` over the links among them (best
   first, cohesion, one document's claims apart, analyst rulings): the unit's *parts*.
3. **Across units** each part picks its best partner: the part of another unit it has the
   strongest link to (score, then the partner's earliest claim key), among those it may join (no
   shared document, no analyst's "different" ruling, dated claims within a day, points within
   ``MAX_KM``, at least ``MIN_COHESION`` of the claim pairs across them that blocking compares
   linked). Two parts that pick each other are one incident; every other part is an incident
   alone. An incident is one part or a mutual pair: no chains.
4. **Undated claims.** A settlement's undated claims are clustered among themselves with every
   pair across two groups linked (``UNDATED_COHESION``: no date tells two strikes of a town
   apart). An undated claim whose document has a publication date is also scored against the
   dated claims naming its settlement whose day lies in its window (``link.undated_window``: from
   ``UNDATED_WINDOW_DAYS`` before the publication to the publication), keeping its
   ``undated.UNDATED_TOP`` strongest links there, so the undated parts pair across units like any part: a part of the undated unit and a dated part that pick each other
   are one incident. An undated claim without a publication date is linked to no dated claim.

Why it is local: a unit's parts depend only on the unit's claims and the links among them; a
part's partner only on the parts linked to it, and an undated claim is linked only within its
settlement and its window, so a new dated claim reaches the undated claims of its settlement
published up to ``UNDATED_WINDOW_DAYS`` after its day. New claims change some parts of the units
they fall in (the *touched* units; a part that is exactly a part of before is unchanged, and in a
busy settlement's undated unit most are); a part elsewhere changes its choice only when it has a
link into a *changed* part that scores at least as high as its link to its current choice (or its
chosen partner changed), and an incident changes only when one of its parts does. An incremental
run therefore re-clusters the touched units, re-chooses for the changed parts and the parts that
may prefer them, and rewrites the incidents those parts are in, and nothing else; the result is
the one a full run gives, whatever the order and batches claims arrived in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from .link import (MAX_KM, MIN_COHESION, UNDATED_COHESION, _cell, _diag_km, _join_box, _join_span, cluster,
                   in_window, incident_id)
from .model import ClaimRef, Decision, Link, Resolution
from . import undated as _undated

Block = tuple


def home_block(c: ClaimRef) -> Block:
    if c.date is not None:
        cell = _cell(c)
        if cell is not None:
            return ("c", c.date.toordinal(), cell[0], cell[1])
        if c.admin1:
            return ("o", c.date.toordinal(), c.admin1)
        return ("k", c.key)
    if c.geonameid is not None:
        return ("u", c.geonameid)
    return ("k", c.key)


def block_order(b: Block) -> tuple:
    """A total order of blocks (dated ones by day first)."""
    if b[0] in ("c", "o"):
        return (0, b[1], b[0], str(b[2:]))
    return (1, 0, b[0], str(b[1:]))


@dataclass(eq=False)
class Part:
    """The claims of one unit that its clustering keeps together."""

    unit: Block
    keys: tuple[str, ...]  # sorted
    docs: frozenset[str]
    span: tuple | None
    box: tuple | None
    links: list[Link] = field(default_factory=list)  # the links the unit's clustering used
    claims: tuple[ClaimRef, ...] = ()  # its claims (what joinable compares: date, publication)

    @property
    def key(self) -> str:
        return self.keys[0]


def parts_of_unit(unit: Block, refs: list[ClaimRef], links: list[Link], decisions: Iterable[Decision]) -> list[Part]:
    """Cluster one unit's claims (over the links among them) into parts."""
    res = cluster(refs, links, decisions, cohesion=UNDATED_COHESION if unit[0] == "u" else MIN_COHESION)
    by_key = {r.key: r for r in refs}
    used: dict[str, list[Link]] = {}
    for l in res.links:
        used.setdefault(res.incident_of[l.a], []).append(l)
    out = []
    for iid, keys in sorted(res.members().items(), key=lambda kv: kv[1][0]):
        span = box = None
        for k in keys:
            c = by_key[k]
            span = _join_span(span, (c.date, c.date) if c.date else None)
            box = _join_box(box, (c.lat, c.lat, c.lon, c.lon) if c.lat is not None and c.lon is not None else None)
        out.append(Part(unit, tuple(keys), frozenset(by_key[k].doc_id for k in keys), span, box, used.get(iid, []),
                        tuple(by_key[k] for k in keys)))
    return out


def joinable(a: Part, b: Part, linked: int, apart: dict[str, set[str]]) -> bool:
    if a.docs & b.docs:
        return False
    if any(x in apart.get(k, ()) for k in a.keys for x in b.keys):
        return False
    sp, bx = _join_span(a.span, b.span), _join_box(a.box, b.box)
    if (sp and (sp[1] - sp[0]).days > 1) or (bx and _diag_km(bx) > MAX_KM):
        return False
    n = compared(a, b)
    return n <= 1 or linked >= MIN_COHESION * n


def compared(a: Part, b: Part) -> int:
    """How many claim pairs across two parts blocking compares: every pair of dated claims (as before),
    and an undated and a dated claim only when the dated one lies in the undated one's window, at most
    UNDATED_TOP of them per undated claim (it keeps links to that many dated claims: undated.py)."""
    if all(c.date is not None for c in a.claims + b.claims):
        return len(a.keys) * len(b.keys)
    n = sum(1 for x in a.claims for y in b.claims if (x.date is None) == (y.date is None))
    for u, other in ((a, b), (b, a)):
        for x in u.claims:
            if x.date is None:
                n += min(_undated.UNDATED_TOP, sum(1 for y in other.claims if in_window(x, y)))
    return n


def choose(part: Part, cross: Iterable[tuple[Part, Link]], apart: dict[str, set[str]]) -> tuple[Part | None, Link | None]:
    """The best partner of `part` among the parts its links cross to, with the strongest link to it."""
    best: dict[int, list] = {}  # id(other) -> [other, strongest link, count]
    for other, link in cross:
        e = best.get(id(other))
        if e is None:
            best[id(other)] = [other, link, 1]
        else:
            e[2] += 1
            if (-link.score, link.a, link.b) < (-e[1].score, e[1].a, e[1].b):
                e[1] = link
    ranked = sorted(best.values(), key=lambda e: (-e[1].score, e[0].key))
    for other, link, count in ranked:
        if joinable(part, other, count, apart):
            return other, link
    return None, None


def apart_of(decisions: Iterable[Decision]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for d in decisions:
        if d.kind == "different":
            out.setdefault(d.a, set()).add(d.b)
            out.setdefault(d.b, set()).add(d.a)
    return out


def unit_map(block_of_key: Callable[[str], Block | None], decisions: Iterable[Decision]) -> dict[Block, Block]:
    """Blocks joined by "same" rulings -> the unit (their smallest block); blocks not named are their own."""
    parent: dict[Block, Block] = {}

    def find(b):
        parent.setdefault(b, b)
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for d in decisions:
        if d.kind != "same":
            continue
        ba, bb = block_of_key(d.a), block_of_key(d.b)
        if ba is None or bb is None or ba == bb:
            continue
        ra, rb = find(ba), find(bb)
        if ra != rb:
            lo, hi = sorted((ra, rb), key=block_order)
            parent[hi] = lo
    return {b: find(b) for b in list(parent)}


def incident_of_parts(a: Part, b: Part | None, link: Link | None) -> tuple[str, list[str], list[Link]]:
    keys = sorted(a.keys + (b.keys if b else ()))
    links = list(a.links) + (list(b.links) + [link] if b else [])
    links.sort(key=lambda l: (-l.score, l.a, l.b))
    return incident_id(keys), keys, links


def cluster_bounded(claims: list[ClaimRef], links: list[Link], decisions: Iterable[Decision] = ()) -> Resolution:
    """The whole rule on data in memory."""
    decisions = list(decisions)
    by_key = {c.key: c for c in claims}
    units = unit_map(lambda k: home_block(by_key[k]) if k in by_key else None, decisions)
    unit_of = {k: units.get(home_block(c), home_block(c)) for k, c in by_key.items()}
    members: dict[Block, list[ClaimRef]] = {}
    for c in claims:
        members.setdefault(unit_of[c.key], []).append(c)
    inner: dict[Block, list[Link]] = {}
    crossing: list[Link] = []
    for l in links:
        if l.a not in by_key or l.b not in by_key:
            continue
        if unit_of[l.a] == unit_of[l.b]:
            inner.setdefault(unit_of[l.a], []).append(l)
        else:
            crossing.append(l)
    part_of: dict[str, Part] = {}
    for u, refs in members.items():
        keys = {r.key for r in refs}
        ds = [d for d in decisions if d.a in keys or d.b in keys]
        for p in parts_of_unit(u, refs, inner.get(u, []), ds):
            for k in p.keys:
                part_of[k] = p
    cross: dict[int, list[tuple[Part, Link]]] = {}
    for l in crossing:
        pa, pb = part_of[l.a], part_of[l.b]
        cross.setdefault(id(pa), []).append((pb, l))
        cross.setdefault(id(pb), []).append((pa, l))
    apart = apart_of(decisions)
    parts = {id(p): p for p in part_of.values()}
    best = {i: choose(p, cross.get(i, ()), apart) for i, p in parts.items()}
    res = Resolution()
    for i, p in parts.items():
        other, link = best[i]
        if other is not None and best[id(other)][0] is not p:
            other = link = None
        if other is not None and other.key < p.key:
            continue  # written with its partner
        iid, keys, ls = incident_of_parts(p, other, link)
        for k in keys:
            res.incident_of[k] = iid
        res.links.extend(ls)
    return res
