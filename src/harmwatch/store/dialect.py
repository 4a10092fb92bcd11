"""The one place that knows about SQLite.

Everything else in `store/` is portable SQLAlchemy (it must also run on PostgreSQL).
SQLite needs three things per connection and one change to how transactions begin:

* ``journal_mode=WAL`` so readers (``harmwatch claims``) do not block an ingest;
* ``foreign_keys=ON`` because SQLite ignores FOREIGN KEY clauses otherwise;
* ``busy_timeout`` so a second process waits for the write lock instead of failing at once;
* SQLAlchemy, not the sqlite3 driver, emits BEGIN (the driver's legacy mode skips BEGIN
  before SELECT and DDL, so migrations would not be transactional and reads not repeatable).
  A connection whose execution options carry ``harmwatch_begin="IMMEDIATE"`` takes the
  write lock at BEGIN: a writer that first reads then writes can then never fail with
  "database is locked" half-way (the deferred BEGIN upgrade deadlock).
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 30_000
BEGIN_OPTION = "harmwatch_begin"  # execution option: "IMMEDIATE" for write transactions


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure(engine: Engine) -> Engine:
    """Install the SQLite connection and transaction hooks (no-op for other databases)."""
    if not is_sqlite(engine):
        return engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001 - DBAPI objects
        # Take BEGIN away from the driver (see module docstring); pragmas must run outside a transaction.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")  # an in-memory database answers "memory": fine
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        mode = conn.get_execution_options().get(BEGIN_OPTION, "")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")

    return engine


def file_path(url) -> str | None:  # noqa: ANN001 - sqlalchemy URL
    """The database file of a SQLite URL, or None (other databases, in-memory SQLite)."""
    if url.get_backend_name() != "sqlite":
        return None
    db = url.database
    if not db or db == ":memory:" or db.startswith("file::memory:") or url.query.get("mode") == "memory":
        return None
    return db
