"""The same store, resolution and audit trail on a real PostgreSQL server.

`.ci/run` starts a throwaway server on loopback (scripts/pg-test-server.sh) and sets
HARMWATCH_TEST_PG_URL and HARMWATCH_REQUIRE_PG; locally, without a server, these tests skip.
Each test gets a database of its own.
"""
import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from harmwatch.api import sample_corpus
from harmwatch.audit.chain import append, verify
from harmwatch.extract.pipeline import default_extractor
from harmwatch.ingest import ingest
from harmwatch.resolve.service import incidents, resolve, unlink
from harmwatch.store.db import Database

URL = os.environ.get("HARMWATCH_TEST_PG_URL")
if not URL:
    if os.environ.get("HARMWATCH_REQUIRE_PG"):
        raise RuntimeError("HARMWATCH_REQUIRE_PG is set but HARMWATCH_TEST_PG_URL is not")
    pytest.skip("no PostgreSQL test server (set HARMWATCH_TEST_PG_URL)", allow_module_level=True)


@pytest.fixture
def pg(tmp_path):
    name = "hw_" + uuid.uuid4().hex[:12]
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(URL).set(database=name).render_as_string(hide_password=False)
    db = Database.open(url, archive_dir=tmp_path / "archive")
    yield db
    db.close()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_reach_head_on_postgres(pg):
    with pg.engine.connect() as c:
        assert c.execute(text("select version()")).scalar().startswith("PostgreSQL")
        tables = set(c.execute(text("select tablename from pg_tables where schemaname='public'")).scalars())
    assert {"sources", "claims", "tallies", "incidents", "claim_links", "decisions", "users", "audit_log"} <= tables


def test_ingest_resolve_and_decide_on_postgres(pg):
    folder = sample_corpus()
    report = ingest([], pg, manifest=folder / "manifest.csv", extractor=default_extractor())
    assert report.new == 3 and not report.failed
    again = ingest([], pg, manifest=folder / "manifest.csv", extractor=default_extractor())
    assert again.new == 0 and again.unchanged == 3
    resolve(pg)
    rows = {r["place"]: r for r in incidents(pg)}
    assert rows["Vuhledar"]["sources"] == 2 and rows["Vuhledar"]["independent_sources"] == 1
    claim = max(rows["Uman"]["claims"])
    new_id = unlink(pg, claim, actor="tester", reason="postgres check")
    resolve(pg, full=True)
    assert {r["id"]: r for r in incidents(pg)}[new_id]["claims"] == [claim]
    assert verify(pg).ok


def test_audit_log_is_append_only_on_postgres(pg):
    with pg.session(write=True) as s:
        append(s, "tester", "note", "incident", "inc-x", reason="first")
        append(s, "tester", "note", "incident", "inc-x", reason="second")
    assert verify(pg).ok and verify(pg).checked == 2
    with pytest.raises(DBAPIError):
        with pg.engine.begin() as c:
            c.execute(text("update audit_log set reason = 'rewritten' where id = 1"))
    with pytest.raises(DBAPIError):
        with pg.engine.begin() as c:
            c.execute(text("delete from audit_log where id = 2"))
    # someone who can drop the triggers can edit the row; the chain still shows it
    with pg.engine.begin() as c:
        triggers = c.execute(text("select tgname from pg_trigger t join pg_class r on r.oid = t.tgrelid "
                                  "where r.relname = 'audit_log' and not t.tgisinternal")).scalars().all()
        for t in triggers:
            c.execute(text(f'drop trigger "{t}" on audit_log'))
        c.execute(text("update audit_log set reason = 'rewritten' where id = 1"))
    res = verify(pg)
    assert not res.ok and res.first_broken_id == 1
