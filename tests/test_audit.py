"""The hash-chained audit log: append, verify, and tampering found (real SQLite files)."""
from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from harmwatch.audit import GENESIS, append, entries, entry_hash, head, verify
from harmwatch.cli.main import app
from harmwatch.errors import AuditError
from harmwatch.store.db import Database
from harmwatch.store.models import AuditEntry, Source

runner = CliRunner()


def fill(db, n=5):
    for i in range(1, n + 1):
        with db.session(write=True) as s:
            append(s, "alice", "edit", "claim", i, field="killed", old=i, new={"value": i + 1, "list": (1, 2)},
                   reason=f"correction {i}")


def tamper(db_url, *statements):
    """What someone with the database file can do: drop the append-only triggers and edit rows."""
    if not db_url.startswith("sqlite"):  # PostgreSQL: the owner of the table can do the same
        from sqlalchemy import create_engine, text
        engine = create_engine(db_url)
        with engine.begin() as c:
            c.execute(text("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"))
            for sql in statements:
                c.execute(text(sql))
        engine.dispose()
        return
    path = db_url.removeprefix("sqlite:///")
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for sql in statements:
        con.execute(sql)
    con.commit()
    con.close()


def test_empty_chain_is_intact(db):
    r = verify(db)
    assert r.ok and r.checked == 0 and r.first_broken_id is None and r.head_hash == GENESIS
    assert head(db) == (0, GENESIS)


def test_append_links_entries_and_verify_passes(db):
    fill(db, 5)
    rows = entries(db, newest_first=False)
    assert [e.id for e in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
    assert all(entry_hash(e) == e.hash for e in rows)
    assert rows[0].new == {"value": 2, "list": [1, 2]} and rows[0].target_id == "1"
    r = verify(db)
    assert r.ok and r.checked == 5 and r.message == "audit chain intact: 5 entries" and r.head_hash == rows[-1].hash
    assert head(db) == (5, rows[-1].hash)


def test_timestamps_are_utc_and_survive_the_round_trip(db):
    with db.session(write=True) as s:
        e = append(s, "bob", "create", "source", "7", at=datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=timezone.utc))
    again = entries(db)[0]
    assert again.at.replace(tzinfo=timezone.utc) == e.at
    assert verify(db).ok


def test_entry_commits_with_the_audited_change_or_not_at_all(db):
    with pytest.raises(RuntimeError):
        with db.session(write=True) as s:
            append(s, "alice", "delete", "source", 1, reason="duplicate")
            raise RuntimeError("the change failed")
    assert verify(db).checked == 0
    # The audited edits proper come with the web app; a Source row stands in for one here.
    with db.session(write=True) as s:
        src = Source(doc_id="d1", media_type="text/plain", sha256="0" * 64, raw_path="x", text="t",
                     text_sha256="0" * 64, retrieved_at=datetime.now(timezone.utc))
        s.add(src)
        s.flush()
        append(s, "alice", "create", "source", src.id, new={"doc_id": "d1"})
    with db.session() as s:
        assert s.scalar(select(AuditEntry.target_id)) == str(src.id)
    assert verify(db).ok


def test_values_must_be_json(db):
    with db.session(write=True) as s:
        append(s, "alice", "edit", "claim", 1, field="date", old=date(2022, 2, 24), new={"a", "b"})
    e = entries(db)[0]
    assert e.old == "2022-02-24" and e.new == ["a", "b"]
    with pytest.raises(AuditError, match="JSON"):
        with db.session(write=True) as s:
            append(s, "alice", "edit", "claim", 1, new=object())
    with pytest.raises(AuditError, match="JSON"):
        with db.session(write=True) as s:
            append(s, "alice", "edit", "claim", 1, new=float("nan"))
    with pytest.raises(AuditError, match="actor"):
        with db.session(write=True) as s:
            append(s, "", "edit")
    assert verify(db).checked == 1


def test_the_database_refuses_update_and_delete(db):
    fill(db, 2)
    for sql in ("UPDATE audit_log SET actor = 'mallory' WHERE id = 1", "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql(sql)
    assert verify(db).ok


def test_verify_detects_a_hand_edited_row(db, db_url):
    fill(db, 5)
    tamper(db_url, "UPDATE audit_log SET new = '{\"value\": 999, \"list\": [1, 2]}' WHERE id = 3")
    r = verify(db)
    assert not r.ok and r.first_broken_id == 3 and r.checked == 2
    assert "entry 3" in r.message and "edited" in r.message


def test_verify_detects_an_edit_that_also_recomputes_that_rows_hash(db, db_url):
    fill(db, 5)
    tamper(db_url, "UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2")
    with db.session() as s:
        e = s.get(AuditEntry, 2)
        forged = entry_hash(e)
    tamper(db_url, f"UPDATE audit_log SET hash = '{forged}' WHERE id = 2")
    r = verify(db)
    assert not r.ok and r.first_broken_id == 3 and "prev_hash" in r.message  # the next link breaks


def test_verify_detects_a_deleted_middle_row(db, db_url):
    fill(db, 5)
    tamper(db_url, "DELETE FROM audit_log WHERE id = 3")
    r = verify(db)
    assert not r.ok and r.first_broken_id == 4 and r.checked == 2
    assert "entry 3 missing" in r.message


def test_verify_detects_a_deleted_first_row_and_renumbering(db, db_url):
    fill(db, 4)
    tamper(db_url, "DELETE FROM audit_log WHERE id = 1", "UPDATE audit_log SET id = id - 1")
    r = verify(db)
    assert not r.ok and r.first_broken_id == 1


def test_verify_detects_a_reordered_chain(db, db_url):
    fill(db, 5)
    tamper(db_url, "UPDATE audit_log SET id = 100 WHERE id = 2", "UPDATE audit_log SET id = 2 WHERE id = 4",
           "UPDATE audit_log SET id = 4 WHERE id = 100")
    r = verify(db)
    assert not r.ok and r.first_broken_id == 2


def test_a_truncated_or_rewritten_chain_is_caught_only_with_an_anchor(db, db_url):
    fill(db, 5)
    anchor = verify(db).head_hash
    fill(db, 1)  # the chain grows after the anchor was recorded: still fine
    assert verify(db, anchor=anchor).ok
    tamper(db_url, "DELETE FROM audit_log WHERE id >= 5")  # cut off the tail, anchor included
    assert verify(db).ok  # undetectable from the chain alone
    r = verify(db, anchor=anchor)
    assert not r.ok and "not in the audit chain" in r.message
    assert verify(db, anchor=GENESIS).ok


def test_concurrent_appends_from_three_engines_keep_one_chain(db_url):
    """Three Database objects (three engines in three threads of one process) appending at once never fork
    the chain."""
    dbs = [Database.open(db_url) for _ in range(3)]
    errors = []

    def work(d, who):
        try:
            for i in range(15):
                with d.session(write=True) as s:
                    append(s, who, "edit", "claim", i)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(d, f"user{n}")) for n, d in enumerate(dbs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    r = verify(dbs[0])
    assert r.ok and r.checked == 45
    for d in dbs:
        d.close()


# --- CLI -------------------------------------------------------------------------------------

def test_cli_audit_verify_exit_codes(db, db_url):
    fill(db, 3)
    res = runner.invoke(app, ["--db", db_url, "audit", "verify"])
    assert res.exit_code == 0, res.output
    assert "audit chain intact: 3 entries" in res.stdout
    h = verify(db).head_hash
    assert f"head hash: {h}" in res.stdout
    res = runner.invoke(app, ["--db", db_url, "audit", "verify", "--anchor", h])
    assert res.exit_code == 0
    tamper(db_url, "UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
    res = runner.invoke(app, ["--db", db_url, "audit", "verify"])
    assert res.exit_code == 1
    assert "entry 2" in res.output and "first broken entry id: 2" in res.output
    res = runner.invoke(app, ["--db", db_url, "audit", "verify", "--anchor", "f" * 64])
    assert res.exit_code == 1


def test_cli_audit_log(db, db_url):
    fill(db, 4)
    res = runner.invoke(app, ["--db", db_url, "audit", "log", "--limit", "2", "--json"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["id"] for r in rows] == [4, 3] and rows[0]["actor"] == "alice" and len(rows[0]["hash"]) == 64
    res = runner.invoke(app, ["--db", db_url, "audit", "log"])
    assert res.exit_code == 0 and "alice" in res.stdout and "Audit log" in res.stdout
