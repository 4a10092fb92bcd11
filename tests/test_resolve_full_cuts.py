"""The full run's cheaper paths (issue 10, docs/scaling.md "The full run's writes and reads"): each gives
exactly what the path it replaced gave. Every row a run stores (incidents with their summaries and links,
claims' incidents, links with features, re-report edges, screening flags, resolved_claims with best:
bench/resolve_profile.py's dump) is compared between the two paths on one generated database, and with
incremental runs over shuffled batches."""
from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from harmwatch.resolve import incremental, service
from harmwatch.resolve.link import MIN_COHESION, cluster
from harmwatch.resolve.model import ClaimRef, Link
from harmwatch.resolve.service import resolve
from harmwatch.store.db import Database
from harmwatch.store.models import Claim


def _dump_of(db, tmp_path, name: str) -> list[str]:
    """bench/resolve_profile.py's dump of what the runs stored, as its sorted lines."""
    mod = sys.modules.get("bench_resolve_profile_for_cuts")
    if mod is None:
        path = Path(__file__).resolve().parent.parent / "bench" / "resolve_profile.py"
        spec = importlib.util.spec_from_file_location("bench_resolve_profile_for_cuts", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
    out = tmp_path / f"{name}.jsonl"
    mod.dump(db, out)
    return out.read_text().splitlines()


def _earlier_paths(m) -> None:
    """The paths these cuts replaced: claims pointed at their incidents through the ORM's bulk update (by
    the write and again by write_incidents), and every claim's unit worked out by ensure_claims."""
    def orm_point(s, incident_of):
        if incident_of:
            s.execute(update(Claim), [{"id": c, "incident_id": i} for c, i in sorted(incident_of.items())])

    def write_twice(*args, pointed=False, **kw):  # noqa: ARG001 - the write points them again, as before
        return write(*args, **kw)

    def ensure_every_claim(self, ids):
        missing = {i for i in ids if i not in self.refs}
        if missing:
            self._add_refs(list(incremental._light_refs(self.s, missing).values()))
        self.ensure_units({self.unit_of(self.refs[i]) for i in ids if i in self.refs})

    write = service.write_incidents
    m.setattr(service, "point_claims", orm_point)
    m.setattr(service, "write_incidents", write_twice)
    m.setattr(incremental.World, "ensure_claims", ensure_every_claim)


def _dense(gen, seed: int):
    claims, _ = gen.generate(900, seed, towns=6, days=25)
    return gen.docs_of(claims)


@pytest.mark.parametrize("seed", [4, 9])
def test_a_full_run_stores_what_the_earlier_paths_stored(gen, new_db_url, tmp_path, monkeypatch, seed):
    docs = _dense(gen, seed)
    now_db, then_db = Database.open(new_db_url(f"now{seed}.db")), Database.open(new_db_url(f"then{seed}.db"))
    for db in (now_db, then_db):
        gen.store(db, docs)
    resolve(now_db, full=True)
    with monkeypatch.context() as m:
        _earlier_paths(m)
        resolve(then_db, full=True)
    now, then = _dump_of(now_db, tmp_path, "now"), _dump_of(then_db, tmp_path, "then")
    kinds = {line.split('"', 2)[1] for line in now}
    assert {"incident", "claim", "link", "flag", "resolved"} <= kinds  # (the generator writes no re-reports)
    assert now == then


@pytest.mark.parametrize("order", range(2))
def test_incremental_batches_store_the_full_runs_rows(gen, batches, new_db_url, tmp_path, order):
    docs = _dense(gen, 6)
    rng = random.Random(40 + order)
    inc_db, full_db = Database.open(new_db_url(f"inc{order}.db")), Database.open(new_db_url(f"full{order}.db"))
    for batch in batches(rng, docs, 5):
        gen.store(inc_db, batch)
        resolve(inc_db)
    gen.store(full_db, docs)
    resolve(full_db, full=True)
    inc, full = _dump_of(inc_db, tmp_path, "inc"), _dump_of(full_db, tmp_path, "full")
    assert inc == full


_STOP_WORD = re.compile(r"[a-zа-яіїєґ]{3,}", re.IGNORECASE)


@pytest.mark.parametrize("text", [
    "", "The the THE governor said: Governor SAID the strike killed three people in Kharkiv.",
    "Ракетний удар по Харкову: загинули ТРОЄ людей, Удар, удар; Їжак ґанок Єва",
    "A a an at it its ABOUT about over OVER and-or with/without 123 4567 x1y2z3 abc",
    "Ǆemal İstanbul ſtreet ﬁre ΣΊΣΥΦΟΣ straße STRASSE",
])
def test_words_are_the_rules_words(text):
    expected = frozenset(w.lower() for w in _STOP_WORD.findall(text) if w.lower() not in service._STOP)
    assert service._words(text) == expected


def test_cohesion_counts_every_linked_pair_across(gen):
    """cluster's cohesion guard counts the linked claim pairs across two groups: on random links among a
    few claims (duplicates included) the groups are those of counting pair by pair."""
    rng = random.Random(3)
    for trial in range(200):
        n = rng.randrange(2, 9)
        refs = [ClaimRef(key=f"d{i % 5}#{i}", doc_id=f"d{i % 5}", date=None) for i in range(n)]
        keys = [r.key for r in refs]
        links = [Link(*sorted(rng.sample(keys, 2)), round(rng.uniform(4, 9), 1), {}) for _ in range(rng.randrange(1, 12))]
        got = cluster(refs, links, cohesion=MIN_COHESION).members()
        assert got == _cluster_pairwise(refs, links).members(), trial


def _cluster_pairwise(refs, links):
    """link.cluster with the guard counting pair by pair (the code before the cut), for the test above."""
    import harmwatch.resolve.link as link
    src = Path(link.__file__).read_text()
    before = src.replace("        other = members[big]\n        cross = sum(len(adj[m] & other) for m in members[small])",
                         "        cross = sum(1 for m in members[small] for x in adj[m] if x in members[big])")
    assert before != src
    ns: dict = {"__name__": "harmwatch.resolve.link_before_cut", "__package__": "harmwatch.resolve"}
    exec(compile(before, link.__file__, "exec"), ns)  # noqa: S102 - the module's own source, one line changed
    return ns["cluster"](refs, links, cohesion=MIN_COHESION)
