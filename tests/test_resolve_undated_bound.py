"""The bounded rule for undated claims (issue 10, parts 4 and 6; resolve/undated.py): an undated claim
keeps links to its UNDATED_TOP strongest dated claims of its settlement in its window, found by scoring
in arrays and scoring exactly only the candidates that can rank among them. Checked here: the bound
(links per undated claim, pairs scored exactly), that the links kept are the strongest by the rule's
own pair score, that the reports the rule exists for still join their strike in a busy town, and that
a database fed in batches (new dated claims entering an undated claim's strongest, a dated claim of
them re-extracted away or replaced by a new version) stores the links the rule gives in memory and
the incidents of a full run, also on PostgreSQL."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from harmwatch.resolve import link as link_mod
from harmwatch.resolve import undated
from harmwatch.resolve.link import THRESHOLD, UNDATED_WINDOW_DAYS, in_window, resolve_claims, score_all, score_pair
from harmwatch.resolve.model import ClaimRef
from harmwatch.resolve.service import resolve
from harmwatch.store.db import Database
from harmwatch.store.models import Claim, ClaimLink, Source

DAY = date(2024, 3, 2)
GID = 698740
COMMON = "strike killed rescuers governor city region".split()


def _c(doc, day=DAY, published=None, **kw):
    fields = dict(lat=46.48, lon=30.74, admin1="Odesa", weapon_class="drone", objects=frozenset({"residential"}),
                  killed=None, words=frozenset(COMMON))
    fields.update(kw)
    return ClaimRef(key=f"{doc}#0", doc_id=doc, date=day, geonameid=GID, published=published, **fields)


def _brute_top(u: ClaimRef, claims: list[ClaimRef], k: int) -> list[tuple[str, float]]:
    """The k strongest links of `u` to the dated claims of its settlement in its window, scoring every pair."""
    out = []
    for b in claims:
        if b.date is not None and b.geonameid == u.geonameid and b.doc_id != u.doc_id and in_window(u, b):
            link = score_pair(u, b)
            if link.score >= THRESHOLD:
                out.append((-link.score, b.key))
    return [(key, -s) for s, key in sorted(out)[:k]]


def _dated_links_of(links, by_key):
    per: dict[str, list[tuple[str, float]]] = {}
    for l in links:
        a, b = by_key[l.a], by_key[l.b]
        if (a.date is None) != (b.date is None):
            u, d = (a, b) if a.date is None else (b, a)
            per.setdefault(u.key, []).append((d.key, l.score))
    return per


def _busy_town(n: int, seed: int, first: date, days: int) -> list[ClaimRef]:
    """Strikes of one town, one report each: alike enough that most pairs with an undated report link
    (same settlement, shared wording), different enough to rank."""
    rng = random.Random(seed)
    extra = "drone attack shelling market bus stop school fire debris children".split()
    out = []
    for i in range(n):
        day = first + timedelta(days=rng.randrange(days))
        if abs((day - DAY).days) <= 1:
            day += timedelta(days=3)  # not the strike's days: those would be compared with it as dated claims
        out.append(_c(f"busy{i}", day=day, published=None,
                      weapon_class=rng.choice(["drone", "air_bomb", "air_bomb"]),
                      objects=frozenset({rng.choice(["residential", "school", "hospital"])}),
                      killed=rng.choice([None, 2, 12, 15]), minutes=rng.choice([None, 60, 600]),
                      words=frozenset(COMMON[:rng.randrange(2, 6)]) | frozenset(rng.sample(extra, 3))))
    return out


def test_an_undated_claim_keeps_its_strongest_dated_links_only_and_scores_few_pairs_exactly(gen, monkeypatch):
    claims, _ = gen.generate(4000, 23, towns=4, days=500)  # busy settlements: hundreds of strikes a year each
    by_key = {c.key: c for c in claims}
    calls = Counter()
    real = link_mod.score_pair

    def counted(a, b):
        if (a.date is None) != (b.date is None):
            calls["undated-dated"] += 1
        return real(a, b)

    monkeypatch.setattr(link_mod, "score_pair", counted)
    links = score_all(claims)
    per = _dated_links_of(links, by_key)
    k = undated.UNDATED_TOP
    assert per and max(len(v) for v in per.values()) <= k
    window_pairs = 0
    for u in (c for c in claims if c.date is None and c.published is not None and c.geonameid is not None):
        window_pairs += sum(1 for b in claims if b.date is not None and b.geonameid == u.geonameid and in_window(u, b))
        # the links kept are the k strongest by the rule's own pair score (ties: the dated claim's key)
        assert sorted(per.get(u.key, []), key=lambda t: (-t[1], t[0])) == _brute_top(u, claims, k)
    assert sum(len(v) == k for v in per.values()) > len(per) / 2  # the bound binds on this corpus
    # pairs scored exactly: a few per undated claim, not its whole window
    assert calls["undated-dated"] < window_pairs / 5
    assert calls["undated-dated"] <= 4 * k * len([c for c in claims if c.date is None])


def test_the_array_scores_are_within_the_margin_of_the_exact_ones(gen):
    claims, _ = gen.generate(3000, 5, towns=3, days=300)
    dated = [c for c in claims if c.date is not None and c.geonameid == claims[0].geonameid]
    arrays = undated.Dated(dated)
    worst = 0.0
    mine = [c for c in claims if c.date is None and c.published is not None and c.geonameid == arrays.claims[0].geonameid]
    assert len(mine) >= 40
    for u in mine[:40]:
        approx = arrays.approx(u, 0, len(arrays.claims))
        for i, b in enumerate(arrays.claims):
            if b.doc_id == u.doc_id:
                assert approx[i] == float("-inf")
                continue
            worst = max(worst, abs(approx[i] - score_pair(u, b).score))
    assert 0 < worst < undated._EPS / 2


@pytest.mark.parametrize("published, what", [
    (DAY + timedelta(days=7), "a statement a week later"),
    (DAY, "a live blog of the same day"),
    (DAY + timedelta(days=UNDATED_WINDOW_DAYS - 5), "a retrospective a year later"),
])
def test_the_reports_the_rule_exists_for_join_their_strike_in_a_busy_town(published, what):
    strike = _c("wire", published=DAY, weapon_class="air_bomb", objects=frozenset({"hospital"}), killed=15,
                words=frozenset(COMMON) | {"hospital", "ward", "surgeons", "maternity"})
    told = _c("later", day=None, published=published, weapon_class="air_bomb", objects=frozenset({"hospital"}),
              killed=14, words=frozenset(COMMON[:3]) | {"hospital", "maternity", "ward"})
    others = _busy_town(150, 3, published - timedelta(days=UNDATED_WINDOW_DAYS), UNDATED_WINDOW_DAYS)
    claims = others + [strike, told]
    linked = _brute_top(told, claims, len(claims))
    assert len(linked) > 4 * undated.UNDATED_TOP, "the bound must bind: many strikes of the town link to the report"
    res = resolve_claims(claims)
    assert res.incident_of[told.key] == res.incident_of[strike.key], what
    assert sum(v == res.incident_of[told.key] for v in res.incident_of.values()) == 2


def _stored(db) -> set[frozenset]:
    with db.session() as s:
        key_of = {i: f"{d}#{o}" for i, d, o in s.execute(
            select(Claim.id, Source.doc_id, Claim.ordinal).join(Source, Claim.source_id == Source.id)
            .where(Source.is_current.is_(True)))}
        return {frozenset((key_of[a], key_of[b])) for a, b in s.execute(select(ClaimLink.claim_a, ClaimLink.claim_b))
                if a in key_of and b in key_of}


def _state(db) -> dict:
    with db.session() as s:
        return {f"{d}#{o}": i for d, o, i in s.execute(
            select(Source.doc_id, Claim.ordinal, Claim.incident_id).join(Source, Claim.source_id == Source.id)
            .where(Source.is_current.is_(True)))}


def _expected(claims) -> set[frozenset]:
    return {frozenset((l.a, l.b)) for l in score_all(claims)}


def test_on_a_database_new_dated_claims_enter_the_top_and_a_lost_one_is_replaced(gen, new_db_url, monkeypatch):
    monkeypatch.setattr(undated, "UNDATED_TOP", 2)
    told = _c("review", day=None, published=DAY + timedelta(days=20), killed=15, objects=frozenset({"hospital"}),
              words=frozenset(COMMON) | {"hospital", "ward"})
    # the weak ones: another object besides the hospital, fewer shared words, no toll (5.9, 6.15, 6.4)
    weak = [_c(f"weak{i}", day=DAY + timedelta(days=i), objects=frozenset({"hospital", "residential"}),
               words=frozenset(COMMON[:3 + i])) for i in range(3)]
    strong = _c("strong", day=DAY + timedelta(days=5), killed=15, objects=frozenset({"hospital"}),
                words=frozenset(COMMON) | {"hospital", "ward"})
    db = Database.open(new_db_url("top.db"))
    gen.store(db, [[told], [weak[0]], [weak[1]]])
    resolve(db)
    assert _stored(db) == _expected([told, weak[0], weak[1]])
    gen.store(db, [[weak[2]], [strong]])  # both rank above the stored ones: the weakest two leave the top
    r = resolve(db)
    now = [told] + weak + [strong]
    assert _stored(db) == _expected(now)
    assert {k for p in _stored(db) if told.key in p for k in p} == {told.key, strong.key, weak[2].key}
    assert _state(db)[told.key] == _state(db)[strong.key]
    assert r.reclustered < 10
    # the strong report's claims deleted (a re-extraction that finds none): the next strongest comes back
    with db.session(write=True) as s:
        sid = s.scalar(select(Source.id).where(Source.doc_id == "strong"))
        s.execute(delete(Claim).where(Claim.source_id == sid))
    resolve(db)
    now = [told] + weak
    assert _stored(db) == _expected(now)
    assert {k for p in _stored(db) if told.key in p for k in p} == {told.key, weak[2].key, weak[1].key}
    incremental = _state(db)
    resolve(db, full=True)
    assert _state(db) == incremental and _stored(db) == _expected(now)


@pytest.mark.parametrize("order", range(2))
def test_shuffled_batches_with_new_versions_and_reextraction_store_the_rules_links(gen, batches, new_db_url,
                                                                                   monkeypatch, order):
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("resolve_incremental_helpers",
                                                  Path(__file__).parent / "test_resolve_incremental.py")
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    monkeypatch.setattr(undated, "UNDATED_TOP", 3)
    claims, _ = gen.generate(420, 90 + order, towns=5, days=25)
    docs = gen.docs_of(claims)
    db = Database.open(new_db_url(f"shuffled{order}.db"))
    for batch in batches(random.Random(order), docs, 5):
        gen.store(db, batch)
        resolve(db)
    by_key = {c.key: c for c in claims}
    assert max(len(v) for v in _dated_links_of(score_all(claims), by_key).values()) == 3
    assert _stored(db) == _expected(claims)
    # a document with an undated claim's strongest dated claim gets a new version without it; another
    # document is re-extracted (its claims deleted and written again, one fewer)
    top = _dated_links_of(score_all(claims), by_key)
    u, linked = next((u, v) for u, v in sorted(top.items()) if len(v) == 3)
    strongest = max(linked, key=lambda t: (t[1], t[0]))[0]
    doc = by_key[strongest].doc_id
    helpers._new_version(db, doc, drop_last=True)
    several = sorted({c.doc_id for c in claims if c.doc_id != doc and sum(x.doc_id == c.doc_id for x in claims) > 1})
    helpers._reextract(db, several[-1])
    resolve(db)
    with db.session() as s:
        current = {f"{d}#{o}" for d, o in s.execute(select(Source.doc_id, Claim.ordinal)
                                                     .join(Source, Claim.source_id == Source.id)
                                                     .where(Source.is_current.is_(True)))}
    assert len(current) < len(claims)
    now = [c for c in claims if c.key in current]
    assert _stored(db) == _expected(now)
    incremental = _state(db)
    resolve(db, full=True)
    assert _state(db) == incremental
    assert _stored(db) == _expected(now)
