"""The region of an incremental run (issue 10): what it settles, counted by reason, and what no longer
draws it wider. An undated claim whose strongest links changed only because new dated claims entered
them (incremental.merge_offers) makes its own part choose again, and the parts that chose it, but not
every part linked to it; and a part linked to a changed part keeps its choice when the link that made
it (the strongest between the two parts' claims) is stronger. The result is still a full run's."""
from __future__ import annotations

import random

import pytest

from harmwatch.resolve import incremental, resolve_claims
from harmwatch.resolve.service import resolve
from harmwatch.store.db import Database
from test_resolve_bounded import _groups
from test_resolve_local_region import _state, _undated_heavy


def _loud_settle(monkeypatch):
    """The earlier settling: every undated claim whose strongest links changed is settled like a new
    claim, and its part makes every part linked to it that may prefer it choose again."""
    score_new = incremental.score_new

    def loud(*args, **kw):
        new_ids, added, relinked, _entered = score_new(*args, **kw)
        return new_ids, added, relinked, {}
    monkeypatch.setattr(incremental, "score_new", loud)


def _split(gen, claims, seed, share):
    """The documents shuffled; the last `share` of them held back for the incremental run."""
    docs = gen.docs_of(claims)
    random.Random(seed).shuffle(docs)
    cut = int(len(docs) * (1 - share))
    return docs[:cut], docs[cut:]


@pytest.mark.parametrize("seed", [3, 8])
def test_quiet_undated_parts_settle_less_and_give_the_full_run(gen, new_db_url, monkeypatch, seed):
    claims = _undated_heavy(gen, 700, seed, towns=3, days=60)
    first, later = _split(gen, claims, seed, 0.08)
    quiet_db, loud_db = Database.open(new_db_url(f"q{seed}.db")), Database.open(new_db_url(f"l{seed}.db"))
    for db in (quiet_db, loud_db):
        gen.store(db, first)
        resolve(db)
        gen.store(db, later)
    quiet = resolve(quiet_db)
    with monkeypatch.context() as m:
        _loud_settle(m)
        loud = resolve(loud_db)
    # the reasons account for every claim settled
    assert sum(quiet.region_reasons.values()) == quiet.reclustered
    assert sum(loud.region_reasons.values()) == loud.reclustered
    # the case arises: new dated claims entered undated claims' strongest links, and the earlier settling
    # made parts linked to those choose again
    assert loud.region_reasons.get((incremental.RELINKED, incremental.RELINKED), 0) > 0
    assert loud.region_reasons.get((incremental.PREFERS, incremental.RELINKED), 0) > 0
    assert quiet.region_reasons.get((incremental.PREFERS, incremental.RELINKED), 0) == 0
    # only the undated parts a displaced link went to the choice of (or from) settle now
    assert (quiet.region_reasons.get((incremental.RELINKED, incremental.RELINKED), 0)
            < loud.region_reasons[(incremental.RELINKED, incremental.RELINKED)])
    assert quiet.reclustered < loud.reclustered
    # the same incidents, rows and choices either way, and a full run's
    state = _state(quiet_db)
    assert _state(loud_db) == state
    resolve(quiet_db, full=True)
    assert _state(quiet_db) == state
    assert _groups(state["claims"]) == _groups(resolve_claims(claims).incident_of)


@pytest.mark.parametrize("order", range(3))
def test_batches_with_many_relinked_undated_claims_give_the_full_run(gen, batches, new_db_url, order):
    claims = _undated_heavy(gen, 500, 40 + order, towns=3, days=40, share=0.35)
    db = Database.open(new_db_url(f"b{order}.db"))
    reasons: dict = {}
    for batch in batches(random.Random(order), gen.docs_of(claims), 8):
        gen.store(db, batch)
        r = resolve(db)
        assert sum(r.region_reasons.values()) == r.reclustered
        for k, n in r.region_reasons.items():
            reasons[k] = reasons.get(k, 0) + n
    assert reasons.get((incremental.RELINKED, incremental.RELINKED), 0) > 0
    assert reasons.get((incremental.PREFERS, incremental.RELINKED), 0) == 0
    state = _state(db)
    resolve(db, full=True)
    assert _state(db) == state


def test_the_region_is_logged_by_reason_at_debug_level(gen, new_db_url, caplog):
    claims = _undated_heavy(gen, 300, 5, towns=3, days=30)
    first, later = _split(gen, claims, 5, 0.1)
    db = Database.open(new_db_url("log.db"))
    gen.store(db, first)
    resolve(db)
    gen.store(db, later)
    with caplog.at_level("DEBUG", logger="harmwatch.resolve.incremental"):
        r = resolve(db)
    lines = [m for m in caplog.messages if m.startswith("region: ")]
    assert len(lines) == len(r.region_reasons)
    assert sum(int(m.split()[1]) for m in lines) == r.reclustered


def test_resolve_explain_region_prints_the_reasons(gen, new_db_url):
    from typer.testing import CliRunner

    from harmwatch.cli.main import app as cli_app
    claims = _undated_heavy(gen, 300, 6, towns=3, days=30)
    first, later = _split(gen, claims, 6, 0.1)
    url = new_db_url("cli.db")
    db = Database.open(url)
    gen.store(db, first)
    resolve(db)
    gen.store(db, later)
    res = CliRunner().invoke(cli_app, ["--db", url, "resolve", "--explain-region"])
    assert res.exit_code == 0, res.output
    lines = [line for line in res.output.splitlines() if "first drawn in by:" in line]
    total = int(res.output.split("re-clustered ")[1].split()[0])
    assert lines and sum(int(line.split()[0]) for line in lines) == total
    assert any(f"{incremental.NEW} (first drawn in by: {incremental.NEW})" in line for line in lines)
