"""Resolution runs on the database: new claims re-score and re-cluster only the blocks they touch.

The rule is resolve/bounded.py's: claims are clustered within their unit (a day in a 0.25-degree
cell, a day in an oblast, a settlement's undated claims), and parts of different units that pick
each other as best partner are one incident. An incremental run (``run``, called by
``service.resolve`` inside its write transaction):

1. **Scores** the claims not scored before (``scored_claims``) against the claims of their blocks
   only, read from the database by index (migration 0016): the same day and the days either side
   in the same and the neighbouring 0.25-degree cells, the loose (oblast-only) claims of their
   oblast a day either side (every claim of it, for a loose claim), and, for an undated claim, the
   undated claims naming its settlement and the dated ones in its window; an undated claim keeps its
   ``undated.UNDATED_TOP`` strongest links to dated claims through any run (``merge_offers``,
   ``refill_undated``).
2. **Settles** (``settle``) the units of the claims that have no row in ``resolved_claims`` (new,
   or re-resolved by an analyst decision since: review.py deletes their rows) and of the incidents
   that lost a claim: their parts that changed since the last run (``_changed_parts``), the parts
   linked to those that may now prefer them (``_may_choose_again``), those whose chosen partner
   (``resolved_claims.best``, migration 0018) changed or is gone, and every incident any of these
   were or are in. An undated claim whose strongest links changed only by new claims entering them
   settles only when a displaced link touched a choice (``_lost_choice``). Why each claim was settled
   is counted (``RunStats.region_reasons``, logged at debug level, ``harmwatch resolve --explain-region``). ``World`` reads and clusters units on demand from the stored claims and links, so a part is
   decided exactly as a full run decides it.
3. **Writes** only the incidents that changed (summary, claims.incident_id) and the re-report
   edges among their documents, and every settled claim's ``resolved_claims`` row.

A full run (``run_full``) clears the links, the scores and ``resolved_claims`` and settles every
unit a window of ``WINDOW_DAYS`` days at a time in date order (scored against the day before,
clustered, paired, written), then the claims without a date or a place; units more than two days
behind the window are forgotten, so memory follows a window's claims (and the undated claims it
links to, kept from window to window up to ``UNDATED_HELD`` claims), not the database. Both kinds of
run read what their parts' choices need at once (``World.prefetch``) rather than part by part. Why the two agree: see bounded.py; ``tests/test_resolve_incremental.py``
and ``tests/test_resolve_bounded.py`` check it with batches in shuffled orders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import json
import logging

from sqlalchemy import String, and_, bindparam, delete, func, or_, select, type_coerce, update

from ..store.models import (AssessmentFlag, Claim, ClaimLink, Decision as DecisionRow, Incident as IncidentRow,
                            ResolvedClaim, ScoredClaim, Source, SourceLink)
from .bounded import Block, Part, apart_of, block_order, choose, home_block, incident_of_parts, parts_of_unit, unit_map
from .link import CELL_DEG, UNDATED_WINDOW_DAYS, _cell, score_all
from .undated import Dated, rank
from . import undated as _undated
from .model import ClaimRef, Decision, Link, Resolution

log = logging.getLogger(__name__)
_EPS = 1e-9  # cell edges read a hair wide: the exact cell test is candidate_pairs'
WRITE_CHUNK = 5000  # claims summarised per step of the write
DAY_QUERY = 8  # cells of one day asked for at once from which the whole day is read instead
SCRATCH_UNITS = 16  # units read at once while an undated part chooses among its dated partners
# the scratch world of undated parts' choices (units read and clustered once for the parts of a
# settlement) is dropped and read afresh when it holds more claims than the world it serves, and at most
# this many: a run's memory stays within about twice what its window holds
SCRATCH_HELD = 20_000
# a full run keeps the undated units it read from one window to the next while they hold at most this
# many claims (else it reads them again): a busy town's undated unit is linked to from every window
UNDATED_HELD = 100_000


@dataclass
class RunStats:
    claims: int  # current claims in the database
    scored: int  # claims scored in this run
    links_added: int
    region: int  # claims re-clustered
    rounds: int  # times the region was clustered (it grows while changed claims link outside it)
    changed: int  # incidents written
    incidents: int  # incidents in the database after the run
    source_links: int  # re-report edges written in this run
    # an incremental run's region by why its claims were settled: {(reason, root reason): claims}
    # (settle's REASONS; the root is the reason of the part that first drew the claim in)
    region_reasons: dict = field(default_factory=dict)


def _chunks(items: list, size: int = 10_000) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _insert(s, model, rows: list[dict]) -> None:
    """Insert rows through the table (one executemany; the ORM's bulk insert starts a new statement
    whenever the set of non-null columns changes from one row to the next)."""
    if rows:
        s.execute(model.__table__.insert(), rows)


def _current_ids():
    return select(Claim.id).join(Source, Claim.source_id == Source.id).where(Source.is_current.is_(True))


def _day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def block_neighbours(s, refs: list[ClaimRef]) -> set[int]:
    """Ids of the current claims in the blocks of `refs` (every claim candidate_pairs could pair with one
    of them, and some more: the pairs themselves are chosen by candidate_pairs)."""
    cells: set[tuple[int, int, int]] = set()
    loose: set[tuple[int, str]] = set()  # a loose claim's (day, oblast): every claim there
    near_loose: set[tuple[int, str]] = set()  # a placed claim's (day, oblast): the loose claims there
    undated_at: set[int] = set()  # settlements named by undated claims: the undated claims naming them
    windows: set[tuple[int, date]] = set()  # an undated claim's (settlement, publication): dated claims in its window
    days_at: set[tuple[int, int]] = set()  # a dated claim's (settlement, day): undated claims whose window holds it
    for c in refs:
        if c.geonameid is not None and c.date is None:
            undated_at.add(c.geonameid)
            if c.published is not None:
                windows.add((c.geonameid, c.published))
        if c.date is None:
            continue
        if c.geonameid is not None:
            days_at.add((c.geonameid, c.date.toordinal()))
        day, cell = c.date.toordinal(), _cell(c)
        if cell is not None:
            cells.add((day, *cell))
        if c.admin1:
            (loose if cell is None else near_loose).add((day, c.admin1))
    out: set[int] = set()
    cur = _current_ids()
    conn = s.connection()  # statements built once, run with each block's values (no ORM work per statement)
    days3 = (bindparam("d0"), bindparam("d1"), bindparam("d2"))
    near_q = cur.where(Claim.date.in_(days3), Claim.lat >= bindparam("y0"), Claim.lat < bindparam("y1"),
                       Claim.lon >= bindparam("x0"), Claim.lon < bindparam("x1"))
    loose_q = cur.where(Claim.admin1 == bindparam("a"), Claim.date.in_(days3))
    near_loose_q = loose_q.where(or_(Claim.lat.is_(None), Claim.lon.is_(None)))

    def around(day: int) -> dict:
        return {"d0": _day(day - 1), "d1": _day(day), "d2": _day(day + 1)}

    for day, y, x in sorted(cells):
        out.update(conn.scalars(near_q, {**around(day), "y0": (y - 1) * CELL_DEG - _EPS, "y1": (y + 2) * CELL_DEG + _EPS,
                                         "x0": (x - 1) * CELL_DEG - _EPS, "x1": (x + 2) * CELL_DEG + _EPS}))
    for day, admin1 in sorted(loose):
        out.update(conn.scalars(loose_q, {**around(day), "a": admin1}))
    for day, admin1 in sorted(near_loose - loose):
        out.update(conn.scalars(near_loose_q, {**around(day), "a": admin1}))
    for part in _chunks(sorted(undated_at)):
        out.update(s.scalars(cur.where(Claim.geonameid.in_(part), Claim.date.is_(None))))
    for gid, published in sorted(windows):  # the dated claims of the settlement in the window (link.in_window)
        out.update(s.scalars(cur.where(Claim.geonameid == gid, Claim.date >= _day(published.toordinal() - UNDATED_WINDOW_DAYS),
                                       Claim.date <= published.isoformat())))
    for gid, day in sorted(days_at):  # the undated claims of the settlement whose window holds the day
        out.update(s.scalars(cur.where(Claim.geonameid == gid, Claim.date.is_(None), Source.published >= date.fromordinal(day),
                                       Source.published <= date.fromordinal(day + UNDATED_WINDOW_DAYS))))
    return out


def scoring_refs(s, ids: set[int]) -> list[ClaimRef]:
    """What pair scoring reads of each claim (place, date, time, weapon class, objects, killed, the
    words of its passage), in one query per chunk, without loading the documents' text."""
    from .service import _minutes, _words
    out = []
    length = Claim.span_end - Claim.span_start
    conn = s.connection()  # plain rows: nothing of the ORM per row (nothing is pending: writes are Core)
    for part in _chunks(sorted(ids)):
        for row in conn.execute(
                select(Claim.id, Source.doc_id, Claim.ordinal, Claim.date, Claim.time, Claim.lat, Claim.lon,
                       Claim.geonameid, Claim.admin1, Claim.weapon_class, Claim.objects, Claim.killed,
                       func.substr(Source.text, Claim.span_start + 1, length), Source.published)
                .join(Source, Claim.source_id == Source.id).where(Claim.id.in_(part), Source.is_current.is_(True))):
            cid, doc_id, ordinal, d, t, lat, lon, gid, admin1, wclass, objects, killed, passage, published = row
            out.append(ClaimRef(key=f"{doc_id}#{ordinal}", doc_id=doc_id, date=date.fromisoformat(d) if d else None,
                                minutes=_minutes(t), lat=lat, lon=lon, geonameid=gid, admin1=admin1,
                                weapon_class=wclass or "unknown", objects=frozenset(objects or []), killed=killed,
                                words=_words(passage or ""), claim_id=cid, published=published))
    return out


def score_new(s, full: bool, gone: set[int] = frozenset()) -> tuple[set[int], int, set[int], dict[int, set[int]]]:
    """Score the claims not scored before against their blocks; store the links and the scored marks;
    keep every undated claim's links to dated ones its UNDATED_TOP strongest (merge_offers,
    refill_undated; `gone`: the claims the last run resolved that are no longer current). Returns the ids
    scored, the number of links added, the undated claims scored before whose links to dated claims
    changed, and those of them whose links changed only by new claims entering their strongest
    (merge_offers, not refill_undated: every link gained ends in a new claim) with the old dated claims
    their displaced links went to (see `_lost_choice`)."""
    new_ids = set(s.scalars(_current_ids().where(~Claim.id.in_(select(ScoredClaim.claim_id)))))
    added, relinked = 0, set()
    dropped: list[tuple[int, int]] = []
    if new_ids:
        if full:
            refs = scoring_refs(s, new_ids)
        else:
            probe = scoring_refs(s, new_ids)
            refs = probe + scoring_refs(s, block_neighbours(s, probe) - new_ids)
        ids = {r.key: r.claim_id for r in refs}
        by_key = {r.key: r for r in refs}
        only = {r.key for r in refs if r.claim_id in new_ids}
        links, offers = [], []
        for l in score_all(refs, only=only):
            a, b = by_key[l.a], by_key[l.b]
            old = a if a.key not in only else b
            (offers if old.key not in only and old.date is None and (a.date is None) != (b.date is None)
             else links).append(l)
        if links:
            _insert(s, ClaimLink, [{"claim_a": ids[l.a], "claim_b": ids[l.b], "score": l.score,
                                    "features": l.features} for l in links])
        n, relinked = merge_offers(s, offers, by_key, dropped)
        added = len(links) + n
        _insert(s, ScoredClaim, [{"claim_id": i} for i in sorted(new_ids)])
    n, again = refill_undated(s, new_ids, gone)
    entered = {u: set() for u in relinked - again}
    for u, x in dropped:
        if u in entered:
            entered[u].add(x)
    return new_ids, added + n, relinked | again, entered


def _dated_links(s, ids: set[int]) -> dict[int, list[tuple[tuple[float, str], int, int]]]:
    """The stored links of these (undated) claims to current dated claims: claim id -> [((-score, the
    dated claim's key), its id, the link's row id)]."""
    rows = []
    for part in _chunks(sorted(ids)):
        rows += s.execute(select(ClaimLink.id, ClaimLink.claim_a, ClaimLink.claim_b, ClaimLink.score)
                          .where(or_(ClaimLink.claim_a.in_(part), ClaimLink.claim_b.in_(part)))).all()
    others = {b if a in ids else a for _, a, b, _ in rows}
    key_of = {}
    for part in _chunks(sorted(others)):
        key_of.update((i, f"{d}#{o}") for i, d, o in s.execute(
            select(Claim.id, Source.doc_id, Claim.ordinal).join(Source, Claim.source_id == Source.id)
            .where(Claim.id.in_(part), Claim.date.is_not(None), Source.is_current.is_(True))))
    out: dict[int, list] = {i: [] for i in ids}
    for row_id, a, b, score in rows:
        for mine, other in ((a, b), (b, a)):
            if mine in ids and other in key_of:
                out[mine].append(((-score, key_of[other]), other, row_id))
    return out


def merge_offers(s, offers: list[Link], by_key: dict[str, ClaimRef],
                 dropped: list[tuple[int, int]] | None = None) -> tuple[int, set[int]]:
    """Links of undated claims scored before to new dated claims in their windows: each enters when it
    ranks among the claim's UNDATED_TOP strongest (with the links it stored, which were the strongest of
    the claims before: the strongest of the union are those of the claims now), and displaces the
    weakest. Returns the links added and the undated claims whose links changed; `dropped`, when given,
    gets the (undated claim, dated claim) of each link displaced."""
    by_u: dict[int, list[Link]] = {}
    for l in offers:
        u = by_key[l.a] if by_key[l.a].date is None else by_key[l.b]
        by_u.setdefault(u.claim_id, []).append(l)
    if not by_u:
        return 0, set()
    stored = _dated_links(s, set(by_u))
    rows, doomed, changed = [], [], set()
    for uid, new in sorted(by_u.items()):
        ukey = next(k for k in (new[0].a, new[0].b) if by_key[k].claim_id == uid)
        ranked = sorted([(r, None, row, other) for r, other, row in stored[uid]] +
                        [(rank(l, ukey), l, None, None) for l in new], key=lambda t: t[0])
        top, rest = ranked[:_undated.UNDATED_TOP], ranked[_undated.UNDATED_TOP:]
        entered = [l for _, l, _, _ in top if l is not None]
        if not entered:
            continue
        changed.add(uid)
        rows += [{"claim_a": by_key[l.a].claim_id, "claim_b": by_key[l.b].claim_id, "score": l.score,
                  "features": l.features} for l in entered]
        doomed += [row for _, l, row, _ in rest if l is None]
        if dropped is not None:
            dropped += [(uid, other) for _, l, _, other in rest if l is None]
    for part in _chunks(doomed):
        s.execute(delete(ClaimLink).where(ClaimLink.id.in_(part)))
    _insert(s, ClaimLink, rows)
    return len(rows), changed


def refill_undated(s, new_ids: set[int], gone: set[int]) -> tuple[int, set[int]]:
    """Undated claims that may have lost one of their strongest links (a dated claim of theirs is no
    longer current: a new version of its document, or a re-extraction that deleted it) score their
    windows again; where their strongest UNDATED_TOP differ from the links stored, those are replaced.
    Which claims: those linked to a claim the last run resolved that is no longer current; and, when
    such a claim was deleted (its links went with it), every undated claim with fewer than UNDATED_TOP
    links to current dated claims. Returns the links written and the claims whose links changed."""
    resolved_new = {c for part in _chunks(sorted(new_ids))
                    for c in s.scalars(select(ResolvedClaim.claim_id).where(ResolvedClaim.claim_id.in_(part)))}
    if not gone and not resolved_new:
        return 0, set()
    undated = _current_ids().where(Claim.date.is_(None), Claim.geonameid.is_not(None), Source.published.is_not(None))
    rows = set()
    for part in _chunks(sorted(gone)):
        rows.update(x for pair in s.execute(select(ClaimLink.claim_a, ClaimLink.claim_b).where(
            or_(ClaimLink.claim_a.in_(part), ClaimLink.claim_b.in_(part)))) for x in pair)
    todo = {i for part in _chunks(sorted(rows - gone)) for i in s.scalars(undated.where(Claim.id.in_(part)))}
    existing = {i for part in _chunks(sorted(gone)) for i in s.scalars(select(Claim.id).where(Claim.id.in_(part)))}
    if resolved_new or gone - existing:  # deleted claims: their links are gone, so look for the claims short of links
        every = set(s.scalars(undated)) - new_ids
        have = _dated_links(s, every)
        todo |= {i for i in every if len(have[i]) < _undated.UNDATED_TOP}
    todo -= new_ids
    if not todo:
        return 0, set()
    stored = _dated_links(s, todo)
    refs = scoring_refs(s, todo)
    by_place: dict[int, list[ClaimRef]] = {}
    for r in refs:
        by_place.setdefault(r.geonameid, []).append(r)
    rows_out, doomed, changed = [], [], set()
    for gid, us in sorted(by_place.items()):
        lo = min(u.published for u in us).toordinal() - UNDATED_WINDOW_DAYS
        hi = max(u.published for u in us)
        dated_ids = set(s.scalars(_current_ids().where(Claim.geonameid == gid, Claim.date >= _day(lo),
                                                       Claim.date <= hi.isoformat())))
        dated = scoring_refs(s, dated_ids)
        ids = {r.key: r.claim_id for r in dated + us}
        arrays = Dated(dated)
        for u in sorted(us, key=lambda r: r.key):
            top = arrays.top(u)
            want = sorted((rank(l, u.key), ids[l.a] if l.b == u.key else ids[l.b]) for l in top)
            have = sorted((r, other) for r, other, _ in stored[u.claim_id])
            if want == have:
                continue
            changed.add(u.claim_id)
            doomed += [row for _, _, row in stored[u.claim_id]]
            rows_out += [{"claim_a": ids[l.a], "claim_b": ids[l.b], "score": l.score, "features": l.features}
                         for l in top]
    for part in _chunks(doomed):
        s.execute(delete(ClaimLink).where(ClaimLink.id.in_(part)))
    _insert(s, ClaimLink, rows_out)
    return len(rows_out), changed


class World:
    """The bounded rule (resolve/bounded.py) on the database: units are read, clustered and their parts'
    partners chosen on demand, each from the stored claims and links alone, so any part can be
    decided wherever it lies; what is read is kept until `evict`."""

    def __init__(self, s):
        self.s = s
        rows = list(s.scalars(select(DecisionRow).where(DecisionRow.kind.in_(("same", "different")))
                              .order_by(DecisionRow.id)))
        self.decisions = [Decision(d.kind, d.a, d.b) for d in rows]
        self.apart = apart_of(self.decisions)
        self.refs: dict[int, ClaimRef] = {}
        self.id_of: dict[str, int] = {}
        named = {k for d in self.decisions if d.kind == "same" for k in (d.a, d.b)}
        by_key = {r.key: r for r in _refs_of_keys(s, named)}
        self.units = unit_map(lambda k: home_block(by_key[k]) if k in by_key else None, self.decisions)
        self.blocks_of: dict[Block, list[Block]] = {}
        for b, u in self.units.items():
            self.blocks_of.setdefault(u, []).append(b)
        self.dec_of: dict[str, list[Decision]] = {}
        for d in self.decisions:
            self.dec_of.setdefault(d.a, []).append(d)
            if d.b != d.a:
                self.dec_of.setdefault(d.b, []).append(d)
        self.parts: dict[Block, list[Part]] = {}
        self.part_of: dict[int, Part] = {}
        self.links: dict[int, list[tuple[int, float, dict]]] = {}
        self._best: dict[int, tuple[Part | None, Link | None]] = {}
        self.light: dict[int, ClaimRef] = {}  # claims read for undated parts' choices (_light_of)
        self.scratch = False
        # the units undated parts' choices read, clustered over their inner links (_scratch_world), and
        # a full run's undated claims' links read a unit at a time (prefetch_undated); both until `evict`
        self._shared: World | None = None
        self._ulinks: dict[int, list] = {}
        # the last phase of a full run: no unit read for a part's choice chooses itself there, so choose
        # reads them into the scratch world (clustered over their inner links) instead of this one
        self.lean = False
        # a full run's choices of undated parts by their claims (nothing changes during a full run, so
        # a choice made in one window holds in every later one; evict keeps it): None elsewhere
        self.undated_memo: dict[tuple[str, ...], tuple[Part | None, Link | None]] | None = None

    def _fork(self) -> "World":
        """An empty world with the same rulings: it reads an undated part's dated partners (up to
        UNDATED_WINDOW_DAYS of its settlement) to choose among them, and is dropped after."""
        w = World.__new__(World)
        w.s, w.decisions, w.apart, w.units, w.blocks_of, w.dec_of = (
            self.s, self.decisions, self.apart, self.units, self.blocks_of, self.dec_of)
        w.refs, w.id_of, w.parts, w.part_of, w.links, w._best, w.light = {}, {}, {}, {}, {}, {}, {}
        w.scratch, w.undated_memo, w._shared, w._ulinks, w.lean = True, None, None, {}, False
        return w

    def unit_of(self, c: ClaimRef) -> Block:
        b = home_block(c)
        return self.units.get(b, b)

    def _add_refs(self, refs: list[ClaimRef]) -> None:
        for r in refs:
            self.refs[r.claim_id] = r
            self.id_of[r.key] = r.claim_id

    def ensure_claims(self, ids: set[int]) -> None:
        """Read these claims (current ones) and cluster the units they fall in."""
        # a claim with a part is in a unit read already (evict drops a unit's parts with it): its home block
        # is not worked out again (most claims asked for by a choice or a prefetch are held)
        todo = [i for i in ids if i not in self.part_of]
        missing = {i for i in todo if i not in self.refs}
        if missing:
            self._add_refs(list(_light_refs(self.s, missing).values()))
        self.ensure_units({self.unit_of(self.refs[i]) for i in todo if i in self.refs})

    def ensure_units(self, units: set[Block]) -> None:
        units = {u for u in units if u not in self.parts}
        if not units:
            return
        blocks = sorted({b for u in units for b in self.blocks_of.get(u, [u])}, key=block_order)
        members: dict[Block, list[ClaimRef]] = {u: [] for u in units}
        # a full run's windows read whole days (most of a day's blocks are wanted); its last phase, one
        # partner's unit here and there, reads blocks
        for r in _block_refs(self.s, blocks, whole_days=self.undated_memo is not None and not self.lean):
            u = self.unit_of(r)
            if u in members and r.claim_id not in self.part_of:
                self.refs.setdefault(r.claim_id, r)
                self.id_of[r.key] = r.claim_id
                members[u].append(self.refs[r.claim_id])
        ids = sorted(r.claim_id for refs in members.values() for r in refs)
        if self.scratch:  # a scratch world only clusters its units: the links among their claims, read
            group: list[int] = []  # a few units at a time (both ends named in the statement)
            for u in sorted(units, key=block_order):
                if group and len(group) + len(members[u]) > 5000:
                    self._read_inner_links(group)
                    group = []
                group += [r.claim_id for r in members[u]]
            self._read_inner_links(group)
        elif self.undated_memo is None:
            self._read_links(ids)
        else:  # a full run: an undated unit's clustering needs only the links among its claims; its parts'
            # choices (made once, _choose_undated) read their claims' other links themselves
            undated = {r.claim_id for u, refs in members.items() if u[0] == "u" for r in refs}
            self._read_links([i for i in ids if i not in undated])
            self._read_inner_links(sorted(undated))
        for u in sorted(units, key=block_order):
            refs = sorted(members[u], key=lambda r: r.key)
            mine = {r.claim_id for r in refs}
            keys = {r.key for r in refs}
            inner = []
            for r in refs:
                for other, score, features in self.links.get(r.claim_id, ()):
                    if other in mine and r.claim_id < other:
                        a, b = sorted((r.key, self.refs[other].key))
                        inner.append(Link(a, b, score, features))
            decs = sorted({id(d): d for k in keys for d in self.dec_of.get(k, ())}.items())
            parts = parts_of_unit(u, refs, inner, [d for _, d in decs])
            self.parts[u] = parts
            for p in parts:
                for k in p.keys:
                    self.part_of[self.id_of[k]] = p
            if self.scratch or (u[0] == "u" and self.undated_memo is not None):
                for r in refs:  # nothing reads these inner links after the clustering (a scratch world's
                    self.links.pop(r.claim_id, None)  # units; a full run's undated units)

    def _read_links(self, ids: list[int]) -> None:
        todo = {i for i in ids if i not in self.links}
        self.links.update(_links_of(self.s, todo))

    def _read_inner_links(self, ids: list[int]) -> None:
        """Only the links among these claims (a full run's undated units: see ensure_units)."""
        todo = sorted(i for i in ids if i not in self.links)
        mine = set(todo)
        for i in todo:
            self.links[i] = []
        for part in _chunks(todo):
            q = select(ClaimLink.claim_a, ClaimLink.claim_b, ClaimLink.score, type_coerce(ClaimLink.features, String))
            q = q.where(ClaimLink.claim_a.in_(part))
            if len(todo) <= 5000:
                q = q.where(ClaimLink.claim_b.in_(todo))
            for a, b, score, features in self.s.connection().execute(q):
                if b in mine:
                    self.links[a].append((b, score, features))
                    self.links[b].append((a, score, features))

    def prefetch(self, parts: list[Part]) -> None:
        """Read at once the units the choices of these parts will read (`choose` reads them one part at a
        time): the units their claims are linked to, then the units those units' dated parts are linked
        to (a partner's own choice). What is read, and so every choice, is the same; only fewer, larger
        statements read it."""
        first = self.linked_to([p for p in parts if p.unit[0] != "u"])
        self.ensure_claims(first)
        near = {id(q): q for q in (self.part_of.get(c) for c in first) if q is not None and q.unit[0] != "u"}
        self.ensure_claims(self.linked_to(list(near.values())))
        self.prefetch_undated(parts)

    def linked_to(self, parts: list[Part]) -> set[int]:
        """Ids of the claims (of other units) the claims of `parts` have links to."""
        out = set()
        for p in parts:
            for k in p.keys:
                out.update(o for o, _, _ in self.links.get(self.id_of[k], ()))
        return out

    def choose(self, p: Part) -> tuple[Part | None, Link | None]:
        got = self._best.get(id(p))
        if got is not None:
            return got
        if p.unit[0] == "u" and not self.scratch:
            if self.undated_memo is None:
                got = self._best[id(p)] = self._choose_undated(p)
            else:
                got = self.undated_memo.get(p.keys)
                if got is None:
                    got = self.undated_memo[p.keys] = self._choose_undated(p)
                self._best[id(p)] = got
            return got
        others = self.linked_to([p])
        f = self
        if self.lean:
            f = self._scratch_world()
            f.ensure_claims({o for o in others if o not in self.part_of})
        else:
            self.ensure_claims(others)
        cross = []
        for k in p.keys:
            for other, score, features in self.links.get(self.id_of[k], ()):
                q = self.part_of.get(other) or f.part_of.get(other)
                if q is None or q.unit == p.unit:
                    continue  # not a current claim, or one of the unit's own
                a, b = sorted((k, (self.refs.get(other) or f.refs[other]).key))
                cross.append((q, Link(a, b, score, features)))
        got = self._best[id(p)] = choose(p, cross, self.apart)
        return got

    def _light_of(self, ids: set[int]) -> dict[int, ClaimRef]:
        """What clustering needs of these claims, from the claims held or read before in this run (the
        undated parts of a settlement are linked to much the same dated claims); the rest read."""
        out = {i: self.refs.get(i) or self.light.get(i) for i in ids}
        missing = {i for i, r in out.items() if r is None}
        if missing:
            got = _light_refs(self.s, missing)
            self.light.update(got)
            for i in missing:
                out[i] = got.get(i)
        return {i: r for i, r in out.items() if r is not None}

    def _undated_links(self, mine: set[int]) -> dict[int, list]:
        """Every link of these claims of an undated part: in an incremental run those held; in a full run
        (its undated units hold only their inner links, see ensure_units) those `prefetch_undated` read
        for the part's unit, else read here."""
        if self.undated_memo is None:
            return self.links
        if all(i in self._ulinks for i in mine):
            return self._ulinks
        return _links_of(self.s, mine)

    def _candidates(self, p: Part, links: dict[int, list]) -> tuple[list[Block], dict[Block, float]]:
        """The units an undated part's links reach (but its own), strongest link first, and that link's
        score for each."""
        mine = {self.id_of[k] for k in p.keys}
        others = {o for i in mine for o, _, _ in links.get(i, ())}
        light = self._light_of(others - mine)
        strongest: dict[Block, float] = {}
        for i in mine:
            for other, score, _ in links.get(i, ()):
                r = light.get(other)
                if r is not None:
                    u = self.unit_of(r)
                    strongest[u] = max(score, strongest.get(u, float("-inf")))
        strongest.pop(p.unit, None)
        return sorted(strongest, key=lambda u: (-strongest[u], block_order(u))), strongest

    def _scratch_world(self) -> "World":
        """The world an undated part's candidates are read and clustered in: shared by the choices until
        it holds more claims than this world (or SCRATCH_HELD), or `evict` drops it (a unit's parts depend
        on its claims and the links among them alone, so reading it once serves every choice); it reads
        only those inner links."""
        if self._shared is None or len(self._shared.refs) > min(SCRATCH_HELD, len(self.refs)):
            self._shared = self._fork()
        return self._shared

    def prefetch_undated(self, parts: list[Part]) -> None:
        """Read at once, for the undated parts among these whose choice is still to make (a settlement's,
        say), their claims' links (a full run) and the claims those reach. What is read, and so every
        choice, is the same. (Reading their first units at once as well read more than the choices did:
        the scratch world is bounded, and units read for later choices were dropped before they were used.)"""
        todo = [p for p in parts if p.unit[0] == "u" and id(p) not in self._best
                and (self.undated_memo is None or p.keys not in self.undated_memo)]
        if not todo:
            return
        if self.undated_memo is not None:
            mine = {self.id_of[k] for p in todo for k in p.keys} - self._ulinks.keys()
            self._ulinks.update(_links_of(self.s, mine))
        links = self._undated_links({self.id_of[k] for p in todo for k in p.keys})
        mine = {self.id_of[k] for p in todo for k in p.keys}
        self._light_of({o for i in mine for o, _, _ in links.get(i, ())} - mine)

    def prefetch_partners(self, parts: list[Part]) -> None:
        """Choose for these parts and read the units of the partners they chose at once (`partner` reads
        each when it asks whether the partner chooses back)."""
        ids = set()
        for p in parts:
            q = self.choose(p)[0]
            if q is not None and self.part_of.get(self.id_of.get(q.key)) is not q and q.claims and q.claims[0].key == q.key:
                ids.add(q.claims[0].claim_id)
        self.ensure_claims(ids)

    def _choose_undated(self, p: Part) -> tuple[Part | None, Link | None]:
        """`choose` for a part of an undated unit, whose links reach up to UNDATED_WINDOW_DAYS of its
        settlement's dated claims: their units are read into a scratch world, strongest link first (a few,
        then SCRATCH_UNITS at a time), keeping the best joinable candidate so far, until no unit left has a
        link as strong as it (a part's rank is its strongest link to `p`, so none of them could rank before
        it); only the chosen partner's unit is read here. Each batch of units is chosen among alone, as if
        read into a world of its own (units read before for other choices are not candidates)."""
        links = self._undated_links({self.id_of[k] for k in p.keys})
        units, strongest = self._candidates(p, links)
        top = None  # (rank, part's claim ids, link)
        i = 0
        while i < len(units):
            if top is not None and -top[0][0] > strongest[units[i]]:
                break  # every unit left ranks after the choice
            n = 4 if i == 0 else SCRATCH_UNITS
            batch = set(units[i:i + n])
            f = self._scratch_world()
            f.ensure_units(batch)
            i += n
            cross = []
            for k in p.keys:
                for other, score, features in links.get(self.id_of[k], ()):
                    q = f.part_of.get(other)
                    if q is not None and q.unit in batch:
                        a, b = sorted((k, f.refs[other].key))
                        cross.append((q, Link(a, b, score, features)))
            q, link = choose(p, cross, self.apart)
            if q is not None and (top is None or (-link.score, q.key) < top[0]):
                top = ((-link.score, q.key), q, link)  # kept without its world: `partner` reads it here
        return (top[1], top[2]) if top is not None else (None, None)

    def partner(self, p: Part) -> tuple[Part | None, Link | None]:
        q, link = self.choose(p)
        if q is None:
            return None, None
        if self.part_of.get(self.id_of.get(q.key)) is not q:  # an undated part's choice, read in a scratch world
            known = q.claims[0].claim_id if q.claims and q.claims[0].key == q.key else None
            self.ensure_claims({self.id_of.get(q.key) or known or _id_of_key(self.s, q.key)})
            q = self.part_of[self.id_of[q.key]]
        back = self.choose(q)[0]
        if back is not None and back.key == p.key:
            return q, link
        return None, None

    def held(self, which) -> int:
        """How many claims the units `which(unit)` accepts hold."""
        return sum(len(p.keys) for u, parts in self.parts.items() if which(u) for p in parts)

    def evict(self, keep) -> None:
        """Forget the units `keep(unit)` refuses (and their claims, links and choices), and the claims
        read for undated parts' choices."""
        self.light.clear()
        self._shared = None
        self._ulinks.clear()
        gone = [u for u in self.parts if not keep(u)]
        for u in gone:
            for p in self.parts.pop(u):
                self._best.pop(id(p), None)
                for k in p.keys:
                    i = self.id_of.pop(k, None)
                    self.part_of.pop(i, None)
                    self.links.pop(i, None)
                    self.refs.pop(i, None)
        for p in list(self._best):
            q = self._best[p][0]
            if q is not None and q.unit not in self.parts:
                del self._best[p]


def _links_of(s, ids: set[int]) -> dict[int, list[tuple[int, float, str | dict]]]:
    """Every stored link of these claims: claim id -> [(other claim id, score, features)]; the features
    are left as stored (JSON text on SQLite) and decoded only for the links written (_write)."""
    out: dict[int, list] = {i: [] for i in ids}
    seen: set[tuple[int, int]] = set()
    conn = s.connection()
    for part in _chunks(sorted(ids)):
        for a, b, score, features in conn.execute(
                select(ClaimLink.claim_a, ClaimLink.claim_b, ClaimLink.score, type_coerce(ClaimLink.features, String))
                .where(or_(ClaimLink.claim_a.in_(part), ClaimLink.claim_b.in_(part)))):
            if (a, b) in seen:
                continue
            seen.add((a, b))
            if a in out:
                out[a].append((b, score, features))
            if b in out:
                out[b].append((a, score, features))
    return out


def _id_of_key(s, key: str) -> int:
    return _refs_of_keys(s, {key})[0].claim_id


def _refs_of_keys(s, keys: set[str]) -> list[ClaimRef]:
    by_doc: dict[str, set[int]] = {}
    for k in keys:
        doc_id, _, ordinal = k.rpartition("#")
        if doc_id and ordinal.isdigit():
            by_doc.setdefault(doc_id, set()).add(int(ordinal))
    ids = set()
    for part in _chunks(sorted(by_doc)):
        for cid, doc_id, ordinal in s.execute(select(Claim.id, Source.doc_id, Claim.ordinal)
                                              .join(Source, Claim.source_id == Source.id)
                                              .where(Source.doc_id.in_(part), Source.is_current.is_(True))):
            if ordinal in by_doc[doc_id]:
                ids.add(cid)
    return list(_light_refs(s, ids).values())


_LIGHT = (Claim.id, Source.doc_id, Claim.ordinal, Claim.date, Claim.lat, Claim.lon, Claim.admin1, Claim.geonameid,
          Source.published)


def _light(row) -> ClaimRef:
    cid, doc_id, ordinal, d, lat, lon, admin1, gid, published = row
    return ClaimRef(key=f"{doc_id}#{ordinal}", doc_id=doc_id, date=date.fromisoformat(d) if d else None,
                    lat=lat, lon=lon, admin1=admin1, geonameid=gid, claim_id=cid, published=published)


def _block_refs(s, blocks: list[Block], whole_days: bool = False) -> list[ClaimRef]:
    """The current claims whose home block is one of `blocks`, read by index (ix_claims_block,
    ix_claims_admin1_date, ix_claims_geonameid): one statement per cell (or oblast) for the days its
    blocks are asked for, or, for the days many blocks are asked for (or every day, `whole_days`: a full
    run's window and the days around it), one statement for many whole days. Each claim once."""
    want = set(blocks)
    base = select(*_LIGHT).join(Source, Claim.source_id == Source.id).where(Source.is_current.is_(True))
    cell_q, loose_q = _block_statements()
    of_day: dict[int, list[Block]] = {}
    for b in blocks:
        if b[0] in ("c", "o"):
            of_day.setdefault(b[1], []).append(b)
    whole = sorted(d for d, bs in of_day.items() if whole_days or len(bs) >= DAY_QUERY)
    queries = [(base.where(Claim.date.in_([_day(d) for d in part])), None) for part in _chunks(whole, 64)]
    # the other blocks: one statement per cell (or oblast) for all its days asked for, built once and run
    # with each cell's values (an undated part's candidates are its settlement's cell on many days)
    days_of: dict[tuple, list[int]] = {}
    for day, bs in sorted(of_day.items()):
        if whole_days or len(bs) >= DAY_QUERY:
            continue
        for b in bs:
            days_of.setdefault(b[2:], []).append(day)
    for where, days in sorted(days_of.items(), key=lambda kv: str(kv[0])):
        for part in _chunks(days, 64):
            ds = [_day(d) for d in part]
            if len(where) == 2:
                y, x = where
                queries.append((cell_q, {"ds": ds, "y0": y * CELL_DEG - _EPS, "y1": (y + 1) * CELL_DEG + _EPS,
                                         "x0": x * CELL_DEG - _EPS, "x1": (x + 1) * CELL_DEG + _EPS}))
            else:
                queries.append((loose_q, {"ds": ds, "a": where[0]}))
    undated = sorted(b[1] for b in blocks if b[0] == "u")
    queries += [(base.where(Claim.date.is_(None), Claim.geonameid.in_(part)), None) for part in _chunks(undated, 500)]
    for b in blocks:
        if b[0] == "k":
            doc_id, _, ordinal = b[1].rpartition("#")
            queries.append((base.where(Source.doc_id == doc_id, Claim.ordinal == int(ordinal)), None))
    out = []
    seen: set[int] = set()
    conn = s.connection()  # plain rows: no ORM work per statement
    for q, params in queries:
        for row in conn.execute(q, params):
            r = _light(row)
            if r.claim_id not in seen and home_block(r) in want:
                seen.add(r.claim_id)
                out.append(r)
    return out


_BLOCK_STATEMENTS: list = []


def _block_statements():
    """The statements reading one cell's claims of some days, and one oblast's loose claims of some days."""
    if not _BLOCK_STATEMENTS:
        base = select(*_LIGHT).join(Source, Claim.source_id == Source.id).where(Source.is_current.is_(True))
        days = Claim.date.in_(bindparam("ds", expanding=True))
        _BLOCK_STATEMENTS.append(base.where(days, Claim.lat >= bindparam("y0"), Claim.lat < bindparam("y1"),
                                            Claim.lon >= bindparam("x0"), Claim.lon < bindparam("x1")))
        _BLOCK_STATEMENTS.append(base.where(days, Claim.admin1 == bindparam("a"),
                                            or_(Claim.lat.is_(None), Claim.lon.is_(None))))
    return _BLOCK_STATEMENTS


def _light_refs(s, ids: set[int]) -> dict[int, ClaimRef]:
    """What clustering needs of each claim (key, document, date, point, oblast, settlement)."""
    out: dict[int, ClaimRef] = {}
    conn = s.connection()
    for part in _chunks(sorted(ids)):
        for row in conn.execute(select(*_LIGHT).join(Source, Claim.source_id == Source.id)
                                .where(Claim.id.in_(part), Source.is_current.is_(True))):
            r = _light(row)
            out[r.claim_id] = r
    return out


class _Emitted:
    """What a run decided for the parts it settled: the incidents, the last run's incidents of their
    claims, and each claim's part partner."""

    def __init__(self):
        self.res = Resolution()
        # the region's claims by why their part was settled: (reason, root) -> claims, where root is the
        # reason of the part that first drew it in (REASONS; a cheap count, logged at debug level)
        self.why: dict[tuple[str, str], int] = {}
        self.refs: dict[int, ClaimRef] = {}
        self.best_of: dict[int, str | None] = {}  # claim id -> the earliest key of its part's choice
        self.old_of: dict[int, str] = {}
        self.old_members: dict[str, set[int]] = {}

    def add(self, w: World, p: Part, q: Part | None, link: Link | None) -> None:
        iid, keys, links = incident_of_parts(p, q, link)
        for k in keys:
            self.res.incident_of[k] = iid
            cid = w.id_of[k]
            self.refs[cid] = w.refs[cid]
        for part in (p, q) if q is not None else (p,):
            choice = w.choose(part)[0]
            for k in part.keys:
                self.best_of[w.id_of[k]] = choice.key if choice is not None else None
        self.res.links.extend(links)


def _changed_parts(s, w: World, parts: list[Part], seeds: set[int], touched: set[str]) -> list[Part]:
    """The parts of the touched units that are not exactly a part of the last run: a part holding a
    seed (a claim new or re-resolved since), or whose claims were not all in one incident of the last
    run, or whose incident lost a claim, or whose incident had other claims in this unit. Only these can
    change another part's choice: a part's choice depends on the claims of the parts it is linked to
    and on its links, and new links always end in a seed. The unchanged parts of a touched unit (in a
    busy settlement's undated unit, most of them) keep their incidents and choices."""
    ids = sorted(w.id_of[k] for p in parts for k in p.keys)
    old_of: dict[int, str] = {}
    for part in _chunks(ids):
        old_of.update(s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.incident_id)
                                .where(ResolvedClaim.claim_id.in_(part))).all())
    members: dict[str, set[int]] = {}
    for part in _chunks(sorted(set(old_of.values()) - touched)):
        for cid, iid in s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.incident_id)
                                  .where(ResolvedClaim.incident_id.in_(part))):
            members.setdefault(iid, set()).add(cid)
    out = []
    for p in parts:
        mine = {w.id_of[k] for k in p.keys}
        olds = {old_of.get(c) for c in mine}
        old = olds.pop() if len(olds) == 1 else None
        if old is None or old in touched or mine & seeds or not mine <= members.get(old, set()):
            out.append(p)
            continue
        others = members[old] - mine  # the incident's other part: of another unit, else this part changed
        if any(c in w.part_of and w.part_of[c].unit == p.unit for c in others):
            out.append(p)
    return out


def _may_choose_again(s, w: World, changed: list[Part], via: dict[int, int] | None = None) -> set[int]:
    """The claims linked to a changed part whose part's choice may change: a part keeps its last choice
    when every link from it into a changed part scores below its link to the part it chose (then the
    changed part ranks after its choice, and the candidates ranked before are unchanged). Its choice
    is known from ``resolved_claims.best`` (the chosen part's earliest claim), and the score of the link
    that made it is the strongest link between the claims of the two parts, each found in
    ``resolved_claims`` as the claims of its incident with its choice (an incident is one part, or two
    parts that chose each other: no two of its parts share a choice). A claim whose part chose nothing,
    or that has no row, is kept (its part chooses again). Parts whose choice was a changed part are found
    by the caller. `via`, when given, gets for each claim returned the changed claim its strongest link
    goes to (the region's reasons)."""
    mine = {w.id_of[k] for p in changed for k in p.keys}
    top: dict[int, float] = {}  # claim -> its strongest link into a changed part
    for c in sorted(mine):
        for other, score, _ in w.links.get(c, ()):
            if other not in mine and score > top.get(other, float("-inf")):
                top[other] = score
                if via is not None:
                    via[other] = c
    if not top:
        return set()
    row, of_key = _stored_choices(s, sorted(top))
    pairs = {(row[c], of_key[row[c][1]]) for c in row if row[c][1] is not None and row[c][1] in of_key}
    groups: dict[tuple[str, str | None], set[int]] = {}  # (incident, choice) -> the part's claims
    for part in _chunks(sorted({g[0] for pair in pairs for g in pair})):
        for c, i, b in s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.incident_id, ResolvedClaim.best)
                                 .where(ResolvedClaim.incident_id.in_(part))):
            groups.setdefault((i, b), set()).add(c)
    floor: dict[tuple, float] = {}  # (part, its choice) -> the strongest link between their claims
    side: dict[int, list[tuple]] = {}  # claim of a part -> the pairs it is the part's side of
    for pair in pairs:
        for c in groups.get(pair[0], ()):
            side.setdefault(c, []).append(pair)
    for part in _chunks(sorted(side)):
        for a, b, score in s.execute(select(ClaimLink.claim_a, ClaimLink.claim_b, ClaimLink.score)
                                     .where(or_(ClaimLink.claim_a.in_(part), ClaimLink.claim_b.in_(part)))):
            for x, y in ((a, b), (b, a)):
                for pair in side.get(x, ()):
                    if y in groups.get(pair[1], ()) and score > floor.get(pair, float("-inf")):
                        floor[pair] = score
    out = set()
    for c, score in top.items():
        r = row.get(c)
        pair = (r, of_key.get(r[1])) if r is not None and r[1] is not None else None
        if pair is None or pair not in floor or score >= floor[pair]:
            out.add(c)
    return out


def _stored_choices(s, ids: list[int]) -> tuple[dict[int, tuple[str, str | None]], dict[str, tuple[str, str | None]]]:
    """What the last run stored for these claims: claim -> (its incident, its part's choice), and for each
    choice named there (a chosen part's earliest claim key) -> (that claim's incident, its choice)."""
    row: dict[int, tuple[str, str | None]] = {}
    for part in _chunks(ids):
        row.update((c, (i, b)) for c, i, b in s.execute(
            select(ResolvedClaim.claim_id, ResolvedClaim.incident_id, ResolvedClaim.best)
            .where(ResolvedClaim.claim_id.in_(part))))
    of_key: dict[str, tuple[str, str | None]] = {}
    for part in _chunks(sorted({b for _, b in row.values() if b is not None})):
        of_key.update((k, (i, b)) for k, i, b in s.execute(
            select(ResolvedClaim.key, ResolvedClaim.incident_id, ResolvedClaim.best)
            .where(ResolvedClaim.key.in_(part))))
    return row, of_key


def _lost_choice(s, dropped: list[tuple[int, int]]) -> set[int]:
    """Of the ends of these displaced links (an undated claim scored before, an old dated claim:
    merge_offers), those whose part's choice (``resolved_claims.best``) was the part at the other end:
    only their choices can change by the loss (any other candidate's rank and cohesion only fell, and
    the candidates ranked before stay as they were). A part is the claims of one incident with one
    choice (see _may_choose_again); an end without a row counts as lost."""
    if not dropped:
        return set()
    row, of_key = _stored_choices(s, sorted({c for pair in dropped for c in pair}))
    out = set()
    for u, x in dropped:
        if u not in row or x not in row:
            out.update((u, x))
            continue
        for a, b in ((u, x), (x, u)):
            choice = row[a][1]
            if choice is not None and of_key.get(choice, row[b]) == row[b]:
                out.add(a)
    return out


# why a part is settled by an incremental run (the region's reasons, `_Emitted.why`)
NEW, RELINKED, SEED, RECLUSTERED = "new claim", "undated top links changed", "re-resolved claim", "unit re-clustered"
PREFERS, CHOSE, PARTNER, OLD_INCIDENT = ("may prefer a changed part", "chose a changed or gone part",
                                         "partner of a settled part", "in the last incident of a settled part")
LOST = "lost its link to its choice"
REASONS = (NEW, RELINKED, SEED, RECLUSTERED, PREFERS, CHOSE, LOST, PARTNER, OLD_INCIDENT)


def settle(s, w: World, seeds: set[int], touched: set[str], gone_keys: set[str],
           kinds: dict[int, str] | None = None, quiet: set[int] = frozenset(),
           lost: set[int] = frozenset()) -> tuple[_Emitted, int]:
    """The incremental side of the rule: re-cluster the units of `seeds` and of the incidents in
    `touched`, choose again for their changed parts, the parts that may prefer those, and the parts
    whose choice changed or is gone, and settle every incident those parts were or are in. `kinds`:
    why each seed is one (NEW, RELINKED; else SEED), for the region's reasons (`_Emitted.why`).

    `quiet`: seeds that are undated claims whose links changed only by new dated claims entering their
    strongest UNDATED_TOP (score_new). A part changed by these alone (its claims are one earlier
    incident's part) chooses again, and so do the parts that chose it, but it does not make the parts
    linked to it choose again: its claims are the same, every link it gained ends in a new claim (whose
    part is changed, and finds the parts that may prefer it), and a link it lost only lowers its rank
    and its cohesion for the old claim at the other end, whose choice then stays unless it was this
    part (a part ranked before is unchanged, one refused stays refused). At 100,000 generated claims
    these parts drew in almost half of a +1,000 run's region (docs/scaling.md). `lost`: claims whose
    parts choose again because a link displaced so went to their part's choice (_lost_choice). Returns
    what was settled and the number of units read."""
    kinds = kinds or {}
    start = set(seeds)
    for part in _chunks(sorted(touched)):
        start.update(s.scalars(select(ResolvedClaim.claim_id).where(ResolvedClaim.incident_id.in_(part))))
    w.ensure_claims(start)
    touched_units = {w.unit_of(w.refs[c]) for c in start if c in w.refs}
    todo: list[Part] = _changed_parts(s, w, [p for u in sorted(touched_units, key=block_order) for p in w.parts[u]],
                                      seeds, touched)
    loud = todo
    if quiet:  # the parts changed by more than quiet seeds: only these make linked parts choose again
        loud = _changed_parts(s, w, todo, seeds - quiet, touched)
    why: dict[int, tuple[str, str]] = {}  # id(part) -> (reason, root reason)
    loud_ids = {id(p) for p in loud}
    for p in todo:
        mine = {w.id_of[k] for k in p.keys} & seeds
        ks = {kinds.get(c, SEED) for c in mine}
        r = next((k for k in (NEW, SEED, RELINKED) if k in ks), RECLUSTERED)
        if r == RELINKED and id(p) in loud_ids and mine <= quiet:
            r = RECLUSTERED  # changed for another reason than its quiet seeds
        why[id(p)] = (r, r)
    via: dict[int, int] = {}
    again = _may_choose_again(s, w, loud, via)
    # parts whose last choice was a changed part (or one now gone): they choose again, even when the
    # link that made the choice went with a deleted claim
    chosen = gone_keys | {k for p in todo for k in p.keys}
    chose: dict[int, str] = {}
    for part in _chunks(sorted(chosen)):
        chose.update(s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.best)
                               .where(ResolvedClaim.best.in_(part))).all())
    again.update(chose)
    again.update(lost)
    w.ensure_claims(again)
    root_of_key = {k: why[id(p)][1] for p in todo for k in p.keys}
    for c in sorted(again):
        p = w.part_of.get(c)
        if p is not None and id(p) not in why:
            if c in via:
                why[id(p)] = (PREFERS, why[id(w.part_of[via[c]])][1])
            elif c in lost and c not in chose:
                why[id(p)] = (LOST, RELINKED)
            else:
                why[id(p)] = (CHOSE, root_of_key.get(chose.get(c), "gone"))
    todo += [w.part_of[c] for c in sorted(again) if c in w.part_of]
    em = _Emitted()
    done: set[int] = set()
    seen_inc: set[str] = set()
    while todo:
        batch, todo = todo, []
        w.prefetch([p for p in batch if id(p) not in done])  # the units their choices read, at once
        fresh = []
        for p in batch:
            if id(p) in done:
                continue
            done.add(id(p))
            fresh.append(p)
            r = why.setdefault(id(p), (OLD_INCIDENT, "?"))
            em.why[r] = em.why.get(r, 0) + len(p.keys)
            q, _ = w.partner(p)
            if q is not None and id(q) not in done:
                why.setdefault(id(q), (PARTNER, r[1]))
                todo.append(q)
        # the last run's incidents of these claims, and their other claims
        ids = sorted(w.id_of[k] for p in fresh for k in p.keys)
        olds = set()
        for part in _chunks(ids):
            for cid, iid in s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.incident_id)
                                      .where(ResolvedClaim.claim_id.in_(part))):
                olds.add(iid)
            olds.update(i for i in s.scalars(select(Claim.incident_id).where(Claim.id.in_(part))) if i)
        olds -= seen_inc
        seen_inc |= olds
        more = set()
        for part in _chunks(sorted(olds)):
            for cid, iid in s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.incident_id)
                                      .where(ResolvedClaim.incident_id.in_(part))):
                em.old_members.setdefault(iid, set()).add(cid)
                em.old_of[cid] = iid
                more.add(cid)
            more.update(s.scalars(select(Claim.id).where(Claim.incident_id.in_(part))))
        w.ensure_claims(more)
        root_of_inc = {}
        for p in fresh:
            for k in p.keys:
                for iid in (em.old_of.get(w.id_of[k]),):
                    if iid is not None:
                        root_of_inc.setdefault(iid, why[id(p)][1])
        for c in sorted(more):
            p = w.part_of.get(c)
            if p is not None and id(p) not in why:
                why[id(p)] = (OLD_INCIDENT, root_of_inc.get(em.old_of.get(c), "?"))
        todo += [w.part_of[c] for c in sorted(more) if c in w.part_of and id(w.part_of[c]) not in done]
    settled = {}
    for u, parts in w.parts.items():
        for p in parts:
            if id(p) in done:
                settled[id(p)] = p
    for p in sorted(settled.values(), key=lambda p: p.key):
        q, link = w.partner(p)
        if q is None or p.key < q.key:
            em.add(w, p, q, link)
    return em, len(w.parts)


WINDOW_DAYS = 7  # a full run reads, scores, clusters and writes the claims of this many days at a time


def _rank(unit: Block) -> tuple:
    """When a full run settles a unit: in its days' window (dated blocks), or after every window."""
    return (0, unit[1] // WINDOW_DAYS) if unit[0] in ("c", "o") else (1, 0)


def run(s, full: bool = False) -> RunStats:
    """One resolution run in the caller's write transaction (see the module docstring)."""
    if full:
        return run_full(s)
    # the last run's claims no longer current (a new version of a document, a re-extraction)
    current = _current_ids().where(Claim.id == ResolvedClaim.claim_id).exists()
    gone_rows = list(s.execute(select(ResolvedClaim.claim_id, ResolvedClaim.incident_id, ResolvedClaim.key)
                               .where(~current)))
    scored, links_added, relinked, entered = score_new(s, full, {c for c, _, _ in gone_rows})
    # where to start: claims the last run did not resolve (or that were re-extracted since), and the
    # last run's incidents that lost a claim
    unresolved = set(s.scalars(_current_ids().where(~Claim.id.in_(select(ResolvedClaim.claim_id)))))
    stale_keys = [(c, i, k) for part in _chunks(sorted(scored)) for c, i, k in s.execute(
        select(ResolvedClaim.claim_id, ResolvedClaim.incident_id, ResolvedClaim.key)
        .where(ResolvedClaim.claim_id.in_(part)))]
    gone = {c for c, _, _ in gone_rows}
    # relinked: undated claims whose strongest links changed; those whose links changed only by new claims
    # entering (`entered`) settle only when a displaced link went to their part's choice or from a part
    # that chose theirs (_lost_choice): every other part's choice is as before
    quiet = set(entered) - scored - unresolved
    lost = _lost_choice(s, [(u, x) for u in sorted(quiet) for x in sorted(entered[u])])
    seeds = unresolved | scored | (relinked - quiet) | (quiet & lost)
    touched = {i for _, i, _ in gone_rows} | {i for _, i, _ in stale_keys}
    gone_keys = {k for _, _, k in gone_rows} | {k for _, _, k in stale_keys}
    if stale_keys:  # a claim id used again by a re-extracted claim: the old row says nothing of the new claim
        for part in _chunks([c for c, _, _ in stale_keys]):
            s.execute(delete(ResolvedClaim).where(ResolvedClaim.claim_id.in_(part)))
    if not seeds and not touched:
        return RunStats(_count(s, _current_ids()), 0, links_added, 0, 0, 0, _count(s, select(IncidentRow.id)), 0)
    w = World(s)
    kinds = {c: SEED for c in unresolved} | {c: RELINKED for c in relinked} | {c: NEW for c in scored}
    em, units = settle(s, w, seeds, touched, gone_keys, kinds, quiet=quiet & lost, lost=lost - quiet)
    if log.isEnabledFor(logging.DEBUG):
        for (reason, root), n in sorted(em.why.items(), key=lambda t: -t[1]):
            log.debug("region: %d claims settled as %s (first drawn in by: %s)", n, reason, root)
    written, edges = _write(s, em, gone, touched, {k for _, _, k in stale_keys}, full=False)
    return RunStats(claims=_count(s, _current_ids()), scored=len(scored), links_added=links_added,
                    region=len(em.refs), rounds=units, changed=written,
                    incidents=_count(s, select(IncidentRow.id)), source_links=edges, region_reasons=dict(em.why))


def run_full(s) -> RunStats:
    """Every claim scored and clustered again, WINDOW_DAYS at a time in date order (then the undated
    claims): memory holds a window's claims and the parts they are linked to, not the database."""
    s.execute(delete(ClaimLink))
    s.execute(delete(ScoredClaim))
    s.execute(delete(ResolvedClaim))
    s.execute(delete(IncidentRow))
    s.execute(delete(AssessmentFlag))  # every incident is written (and flagged) again
    s.execute(update(Claim).values(incident_id=None))
    s.execute(delete(SourceLink))
    scored, links_added = score_full(s)
    w = World(s)
    w.undated_memo = {}
    written = edges = settled = 0
    for lo, hi in _windows(s):
        ids = set(s.scalars(_current_ids().where(Claim.date >= _day(lo), Claim.date < _day(hi))))
        w.ensure_claims(ids)
        units = sorted({w.unit_of(w.refs[c]) for c in ids if c in w.refs}, key=block_order)
        units = [u for u in units if _rank(u) == (0, lo // WINDOW_DAYS)]
        w.prefetch([p for u in units for p in w.parts[u]])
        em = _settle_units(w, units)
        n, e = _write(s, em, set(), set(), set(), full=True)
        written, edges, settled = written + n, edges + e, settled + len(em.refs)
        # undated units stay (every window's claims link to the busy towns' ones) up to UNDATED_HELD claims
        keep_undated = w.held(lambda u: u[0] == "u") <= UNDATED_HELD
        w.evict(lambda u: u[0] == "k" or (u[0] in ("c", "o") and u[1] >= hi - 2) or (u[0] == "u" and keep_undated))
    # the claims without a date or a place (their own blocks, and the settlements' undated blocks)
    rest = _current_ids().where(or_(Claim.date.is_(None),
                                    and_(or_(Claim.lat.is_(None), Claim.lon.is_(None)), Claim.admin1.is_(None))))
    done: set[Block] = set()
    w.lean = True  # see World.lean
    for part in _chunks(sorted(s.scalars(rest))):
        w.ensure_claims(set(part))
        units = sorted({w.unit_of(w.refs[c]) for c in part if c in w.refs} - done, key=block_order)
        done.update(units)
        em = _Emitted()
        for u in units:
            if _rank(u) == (1, 0):
                w.prefetch_undated(w.parts[u])  # the choices of a settlement's undated parts read at once,
                w.prefetch_partners(w.parts[u])  # and the units of the partners they chose
                _settle_units(w, [u], em)
                w.evict(lambda x: x[0] not in ("c", "o"))  # the dated units an undated unit's parts read
        n, e = _write(s, em, set(), set(), set(), full=True)
        written, edges, settled = written + n, edges + e, settled + len(em.refs)
        w.evict(lambda u: False)  # a later chunk does not need these units
    return RunStats(claims=_count(s, _current_ids()), scored=scored, links_added=links_added, region=settled,
                    rounds=len(w.parts), changed=written, incidents=_count(s, select(IncidentRow.id)),
                    source_links=edges)


def _windows(s) -> list[tuple[int, int]]:
    """The day windows [lo, hi) (ordinals, aligned on WINDOW_DAYS) holding dated claims."""
    days = s.scalars(select(Claim.date).where(Claim.date.is_not(None)).distinct())
    idx = sorted({date.fromisoformat(d).toordinal() // WINDOW_DAYS for d in days})
    return [(i * WINDOW_DAYS, (i + 1) * WINDOW_DAYS) for i in idx]


def _settle_units(w: World, units: list[Block], em: _Emitted | None = None) -> _Emitted:
    """The incidents a full run writes for these units: each part with its partner, written once (by
    the part settled first: earlier window, then the smaller key)."""
    em = em if em is not None else _Emitted()
    for u in units:
        for p in w.parts[u]:
            q, link = w.partner(p)
            if q is None or (_rank(q.unit), q.key) > (_rank(p.unit), p.key):
                em.add(w, p, q, link)
    return em


def score_full(s) -> tuple[int, int]:
    """Score every current claim, a window of days at a time (each window against the day before it),
    then the undated claims settlement by settlement; store the links and the scored marks."""
    links_added = scored = 0

    def store(refs: list[ClaimRef], probe: set[int], mark: bool = True) -> None:
        nonlocal links_added, scored
        ids = {r.key: r.claim_id for r in refs}
        links = score_all(refs, only={r.key for r in refs if r.claim_id in probe})
        if links:
            _insert(s, ClaimLink, [{"claim_a": ids[l.a], "claim_b": ids[l.b], "score": l.score,
                                    "features": l.features} for l in links])
        if mark:
            for part in _chunks(sorted(probe)):
                _insert(s, ScoredClaim, [{"claim_id": i} for i in part])
            scored += len(probe)
        links_added += len(links)

    def store_across(undated: list[ClaimRef], dated: list[ClaimRef]) -> None:
        """The links between undated claims and the dated claims of their settlement in their windows:
        each undated claim's UNDATED_TOP strongest (undated.py; the links among the undated ones are
        stored already)."""
        nonlocal links_added
        ids = {r.key: r.claim_id for r in undated + dated}
        arrays = Dated(dated)
        links = [l for a in undated for l in arrays.top(a)]
        _insert(s, ClaimLink, [{"claim_a": ids[l.a], "claim_b": ids[l.b], "score": l.score, "features": l.features}
                               for l in links])
        links_added += len(links)

    for lo, hi in _windows(s):
        probe = set(s.scalars(_current_ids().where(Claim.date >= _day(lo), Claim.date < _day(hi))))
        before = set(s.scalars(_current_ids().where(Claim.date == _day(lo - 1))))
        store(scoring_refs(s, probe | before), probe)
    undated = _current_ids().where(Claim.date.is_(None))
    gids = sorted(set(s.scalars(select(Claim.geonameid).where(Claim.id.in_(undated), Claim.geonameid.is_not(None)))))
    for gid in gids:
        probe = set(s.scalars(undated.where(Claim.geonameid == gid)))
        mine = scoring_refs(s, probe)
        store(mine, probe)
        # against the dated claims of the settlement in their windows (link.in_window), up to a year of
        # publication days at a time; the dated claims read slide with the windows (each read at most
        # twice), so what is held is two years of the settlement's dated claims at most
        by_pub: dict[date, list[ClaimRef]] = {}
        for r in mine:
            if r.published is not None:
                by_pub.setdefault(r.published, []).append(r)
        pubs = sorted(by_pub)
        held: dict[int, ClaimRef] = {}
        while pubs:
            first = pubs[0]
            chunk = [d for d in pubs if (d - first).days < UNDATED_WINDOW_DAYS]
            pubs = pubs[len(chunk):]
            dated = set(s.scalars(_current_ids().where(
                Claim.geonameid == gid, Claim.date >= _day(first.toordinal() - UNDATED_WINDOW_DAYS),
                Claim.date <= chunk[-1].isoformat())))
            held = {i: r for i, r in held.items() if i in dated}
            held.update((r.claim_id, r) for r in scoring_refs(s, dated - held.keys()))
            store_across([r for d in chunk for r in by_pub[d]], [held[i] for i in sorted(held)])
    rest = set(s.scalars(undated.where(Claim.geonameid.is_(None))))
    if rest:
        store([], rest)
    return scored, links_added


def _write(s, em: _Emitted, gone: set[int], touched: set[str], stale_keys: set[str], full: bool) -> tuple[int, int]:
    """Write what `em` settled: the incidents that changed (summary, claims.incident_id), every settled
    claim's resolved_claims row, and the re-report edges among their documents. Returns the incidents
    written and the edges written."""
    from ..assess.flags import drop_flags
    from .edits import stored_edits
    from .service import claim_refs, decisions_of, point_claims, write_incidents
    res = em.res
    keys = {r.key: cid for cid, r in em.refs.items()}
    members = res.members()
    changed: set[str] = set()
    for iid, ks in members.items():
        ids = {keys[k] for k in ks}
        olds = {em.old_of.get(c) for c in ids}
        old = olds.pop() if len(olds) == 1 else None
        if old != iid or em.old_members.get(old) != ids:
            changed.add(iid)
    ch_keys = {k for k, iid in res.incident_of.items() if iid in changed}
    ch_ids = {keys[k] for k in ch_keys}
    # the documents whose re-report edges may change: those of the changed incidents, before and after
    old_rows = {em.old_of[c] for c in ch_ids if c in em.old_of} | touched
    old_members = sorted({c for i in old_rows for c in em.old_members.get(i, ())} | gone)
    docs = {k.rsplit("#", 1)[0] for k in ch_keys}
    docs |= {k.rsplit("#", 1)[0] for part in _chunks(old_members) for k in s.scalars(
        select(ResolvedClaim.key).where(ResolvedClaim.claim_id.in_(part)))}
    docs |= {k.rsplit("#", 1)[0] for k in stale_keys}
    for part in _chunks(sorted(ch_ids)):  # rows an analyst decision wrote since (their claims have no old row)
        old_rows.update(i for i in s.scalars(select(Claim.incident_id).where(Claim.id.in_(part))) if i)
    unchanged = set(members) - changed
    for part in _chunks(sorted(old_rows - unchanged)):
        s.execute(delete(IncidentRow).where(IncidentRow.id.in_(part)))
    drop_flags(s, old_rows - unchanged)  # flags of rows deleted here (rewritten ones are flagged again below)
    if gone:
        for part in _chunks(sorted(gone)):
            s.execute(update(Claim).where(Claim.id.in_(part)).values(incident_id=None))
            s.execute(delete(ResolvedClaim).where(ResolvedClaim.claim_id.in_(part)))
    all_ids = sorted(em.refs)
    if not full:
        for part in _chunks(all_ids):
            s.execute(delete(ResolvedClaim).where(ResolvedClaim.claim_id.in_(part)))
    if all_ids:
        for part in _chunks(all_ids):
            _insert(s, ResolvedClaim, [{"claim_id": c, "key": em.refs[c].key,
                                        "incident_id": res.incident_of[em.refs[c].key],
                                        "best": em.best_of.get(c)} for c in part])
    s.flush()
    point_claims(s, {keys[k]: res.incident_of[k] for k in ch_keys})  # the edges below read claims by incident
    edges = _refresh_edges(s, docs, full, incidents=changed if full else None)
    decisions, status = decisions_of(s, ch_keys)
    edits = [e for e in stored_edits(s) if e["anchor"] in ch_keys]
    links_of: dict[str, list[Link]] = {}
    for l in res.links:
        if res.incident_of[l.a] in changed:
            if isinstance(l.features, str):  # read undecoded (World._read_links)
                l = Link(l.a, l.b, l.score, json.loads(l.features))
            links_of.setdefault(res.incident_of[l.a], []).append(l)
    written, batch, held = 0, [], 0
    todo = sorted(changed)
    for n, iid in enumerate(todo):  # summarised a few thousand claims at a time: memory stays bounded
        batch.append(iid)
        held += len(members[iid])  # counted as added (summing the batch again for each was quadratic)
        if held < WRITE_CHUNK and n + 1 < len(todo):
            continue
        bkeys = {k for i in batch for k in members[i]}
        # a summary reads no passage words (only scoring does): not worked out for these claims
        refs, ids, _ = claim_refs(s, claim_ids={keys[k] for k in bkeys}, words=False)
        sub = Resolution(incident_of={k: res.incident_of[k] for k in sorted(bkeys)},
                         links=[l for i in batch for l in links_of.get(i, ())])
        written += write_incidents(s, sub, refs, ids, edges, status, edits, pointed=True)
        s.flush()
        s.expunge_all()  # the rows written and the claims read are not needed again
        batch, held = [], 0
    return written, len(edges)


def _count(s, q) -> int:
    return s.scalar(select(func.count()).select_from(q.subquery())) or 0


def _refresh_edges(s, docs: set[str], full: bool, incidents: set[str] | None = None) -> list:
    """Recompute the re-report edges between documents of `docs` that share an incident now (with
    `incidents`, one of those: a full run's window; edges already stored are kept and returned)."""
    from .independence import SourceEdge, SourceRef, source_graph
    if not docs:
        return []
    if not full:
        for part in _chunks(sorted(docs)):
            doomed = [i for i, o in s.execute(select(SourceLink.id, SourceLink.origin).where(SourceLink.doc_id.in_(part)))
                      if o in docs]
            for p2 in _chunks(doomed):
                s.execute(delete(SourceLink).where(SourceLink.id.in_(p2)))
    incs_of: dict[str, set[str]] = {}
    for part in _chunks(sorted(docs)):
        for doc_id, iid in s.connection().execute(select(Source.doc_id, Claim.incident_id).join(Source, Claim.source_id == Source.id)
                                     .where(Source.doc_id.in_(part), Source.is_current.is_(True),
                                            Claim.incident_id.is_not(None))):
            if incidents is None or iid in incidents:
                incs_of.setdefault(iid, set()).add(doc_id)
    pairs = {(a, b) for ds in incs_of.values() if len(ds) > 1 for a in ds for b in ds if a < b}
    if not pairs:
        return []
    wanted = sorted({d for p in pairs for d in p})
    known = {}
    if incidents is not None:
        for part in _chunks(wanted):
            for l in s.scalars(select(SourceLink).where(SourceLink.doc_id.in_(part))):
                if l.origin in docs:
                    known[(l.doc_id, l.origin)] = SourceEdge(l.doc_id, l.origin, l.kind, l.score, l.evidence)
    sources = [x for part in _chunks(wanted) for x in s.connection().execute(
        select(Source.doc_id, Source.text, Source.publisher, Source.published)
        .where(Source.doc_id.in_(part), Source.is_current.is_(True)))]
    edges = source_graph([SourceRef(x.doc_id, x.text, x.publisher, x.published) for x in sources], pairs) if pairs else []
    edges = [e for e in edges if (e.doc_id, e.origin) not in known]
    if edges:
        _insert(s, SourceLink, [{"doc_id": e.doc_id, "origin": e.origin, "kind": e.kind, "score": e.score,
                                 "evidence": e.evidence} for e in edges])
    return list(known.values()) + edges
