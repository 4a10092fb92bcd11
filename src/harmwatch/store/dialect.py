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

from sqlalchemy import Boolean, and_, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

BUSY_TIMEOUT_MS = 30_000
BEGIN_OPTION = "harmwatch_begin"  # execution option: "IMMEDIATE" for write transactions


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure(engine: Engine) -> Engine:
    """Install the SQLite connection and transaction hooks; on PostgreSQL, plan_cache_mode."""
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _on_pg_connect(dbapi_connection, _record):  # noqa: ANN001 - DBAPI objects
            # psycopg prepares a statement on the server after 5 runs; PostgreSQL may then plan it
            # once for every parameter value (a generic plan). For a date window and a box that plan
            # reads far more than the custom one (map clusters at 1M: 1.7 s instead of 0.1 s,
            # docs/scaling.md): plan each execution for its own values.
            with dbapi_connection.cursor() as cur:
                cur.execute("SET plan_cache_mode = force_custom_plan")
            dbapi_connection.commit()
        return engine
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


# --- PostGIS (PostgreSQL only; optional) --------------------------------------------------------
# Migration 0015 creates the extension and a GiST expression index on the incidents' points when
# the server has PostGIS; `in_bbox` then compiles to an index-backed `&&`. Without PostGIS (and on
# SQLite) it compiles to four comparisons on the lon/lat columns (B-tree indexes, migration 0004).

POSTGIS_INDEX = "ix_incidents_point"
POSTGIS_POINT = "ST_SetSRID(ST_MakePoint(lon, lat), 4326)"  # the indexed expression, verbatim
POSTGIS_NAMES = frozenset({POSTGIS_INDEX, "spatial_ref_sys"})  # not in the models (see search.include_name)
POSTGIS_FLAG = "harmwatch_postgis"  # attribute set on an engine's dialect: the point index is usable


def postgis_setup(conn) -> bool:  # noqa: ANN001 - a SQLAlchemy Connection inside a transaction
    """On PostgreSQL with PostGIS installable: the extension and the point index. True when both exist.

    A role not allowed to create the extension leaves the database as it was (savepoint)."""
    from sqlalchemy import exc, text
    if conn.dialect.name != "postgresql":
        return False
    if not conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first():
        return False
    savepoint = conn.begin_nested()
    try:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {POSTGIS_INDEX} ON incidents USING gist ({POSTGIS_POINT})"))
    return True


def postgis_version(engine: Engine) -> str | None:
    """The PostGIS extension version installed in this database, or None (also on SQLite)."""
    from sqlalchemy import text
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")).scalar()


def detect_postgis(engine: Engine) -> bool:
    """Look once whether the point index exists, and let `in_bbox` use it on this engine."""
    from sqlalchemy import text
    found = False
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :n"),
                                 {"n": POSTGIS_INDEX}).first() is not None
    setattr(engine.dialect, POSTGIS_FLAG, found)
    return found


class in_bbox(FunctionElement):  # noqa: N801 - used like a SQL function
    """in_bbox(lon_col, lat_col, minlon, minlat, maxlon, maxlat): the point lies in the box (edges included).

    Compiled per engine: PostGIS `&&` against the GiST point index where `detect_postgis` found
    it, otherwise plain comparisons. The columns must be incidents.lon and incidents.lat for the
    index to apply (its expression names them)."""
    type = Boolean()
    name = "in_bbox"
    inherit_cache = True


def _bbox_parts(element):  # noqa: ANN001, ANN202
    return list(element.clauses)


@compiles(in_bbox)
def _in_bbox_plain(element, compiler, **kw):  # noqa: ANN001, ANN202
    lon, lat, minlon, minlat, maxlon, maxlat = _bbox_parts(element)
    return compiler.process(and_(lon >= minlon, lon <= maxlon, lat >= minlat, lat <= maxlat), **kw)


@compiles(in_bbox, "postgresql")
def _in_bbox_pg(element, compiler, **kw):  # noqa: ANN001, ANN202
    if not getattr(compiler.dialect, POSTGIS_FLAG, False):
        return _in_bbox_plain(element, compiler, **kw)
    lon, lat, minlon, minlat, maxlon, maxlat = (compiler.process(p, **kw) for p in _bbox_parts(element))
    # the index expression names the bare columns; lon/lat here are incidents.lon / incidents.lat
    return (f"ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326) && "
            f"ST_MakeEnvelope({minlon}, {minlat}, {maxlon}, {maxlat}, 4326)")


# --- serialising one kind of work across processes ------------------------------------------------

def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a PostgreSQL advisory lock named `name`."""
    import hashlib
    return int.from_bytes(hashlib.sha256(f"harmwatch:{name}".encode()).digest()[:8], "big", signed=True)


def serialise(session, name: str) -> None:  # noqa: ANN001 - a SQLAlchemy Session in a write transaction
    """Wait until no other transaction holds the lock `name`; hold it until this transaction ends.

    PostgreSQL: ``pg_advisory_xact_lock`` (every `serve` worker and ingest job sharing the server
    takes turns; released at commit or rollback, also when the process dies). SQLite: nothing to
    do, a write transaction already holds the database's single write lock from BEGIN IMMEDIATE.
    Call it first in the transaction, before reading what the work depends on: under READ
    COMMITTED every later statement then sees what the previous holder committed."""
    from sqlalchemy import text
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(name)})


# --- SQLite R*Tree over the incidents' points and days (migration 0019) -------------------------
# One entry per incident with a point: (lon, lat, day number), keyed by the incident row's rowid and
# kept in step by triggers on incidents (whatever code path writes them). Its coordinates are 32-bit
# floats rounded outwards, so it gives candidates: a superset of the rows in a box and a day range,
# which the exact conditions on incidents then check. A located incident whose date is not a full
# YYYY-MM-DD (or is missing) spans every day. web/query.py uses it for bbox + date filters.

RTREE = "incidents_rtree"
RTREE_NAMES = frozenset({RTREE, f"{RTREE}_node", f"{RTREE}_parent", f"{RTREE}_rowid"})  # not in the models
RTREE_FLAG = "harmwatch_rtree"  # attribute set on an engine's dialect: the R*Tree exists
_DAY = "(julianday({d}) - 2440587.5)"  # days since 1970-01-01; NULL for a missing or malformed date
RTREE_ENTRY = ("SELECT NEW.rowid, NEW.lon, NEW.lon, NEW.lat, NEW.lat, "
               f"coalesce({_DAY.format(d='NEW.date')}, -1e9), coalesce({_DAY.format(d='NEW.date')}, 1e9) "
               "WHERE NEW.lat IS NOT NULL AND NEW.lon IS NOT NULL")
RTREE_DDL = (
    f"CREATE VIRTUAL TABLE {RTREE} USING rtree(id, minlon, maxlon, minlat, maxlat, minday, maxday)",
    f"INSERT INTO {RTREE} SELECT rowid, lon, lon, lat, lat, coalesce({_DAY.format(d='date')}, -1e9), "
    f"coalesce({_DAY.format(d='date')}, 1e9) FROM incidents WHERE lat IS NOT NULL AND lon IS NOT NULL",
    f"CREATE TRIGGER {RTREE}_insert AFTER INSERT ON incidents BEGIN INSERT INTO {RTREE} {RTREE_ENTRY}; END",
    f"CREATE TRIGGER {RTREE}_delete AFTER DELETE ON incidents BEGIN DELETE FROM {RTREE} WHERE id = OLD.rowid; END",
    f"CREATE TRIGGER {RTREE}_update AFTER UPDATE OF lat, lon, date ON incidents BEGIN "
    f"DELETE FROM {RTREE} WHERE id = OLD.rowid; INSERT INTO {RTREE} {RTREE_ENTRY}; END",
)
RTREE_DROP = tuple(f"DROP TRIGGER IF EXISTS {RTREE}_{k}" for k in ("insert", "delete", "update")) + (
    f"DROP TABLE IF EXISTS {RTREE}",)


# PostgreSQL: a B-tree on (date, lon, lat). A bbox + date filter of up to DAYS_MAX days names each day
# (date IN (...)): the index is then read as one lon range per day, not as every entry of the window.
# incidents.date is always YYYY-MM-DD or null (resolve/summary.py, resolve/edits.py), so the days
# named are exactly the range.
PG_DAY_INDEX = "ix_incidents_day_lon"
PG_BBOX_DATE_NAMES = frozenset({PG_DAY_INDEX})  # not in the models (created on PostgreSQL only)
PG_DAY_DDL = f"CREATE INDEX IF NOT EXISTS {PG_DAY_INDEX} ON incidents (date, lon, lat)"
DAYS_MAX = 120


def detect_rtree(engine: Engine) -> bool:
    """Look once whether the bbox + date index of migration 0019 exists (SQLite: the R*Tree;
    PostgreSQL: the (date, lon, lat) index), and let web/query.near use it on this engine."""
    from sqlalchemy import text
    found = False
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": RTREE}).first() is not None
        elif engine.dialect.name == "postgresql":
            found = conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :n"),
                                 {"n": PG_DAY_INDEX}).first() is not None
    setattr(engine.dialect, RTREE_FLAG, found)
    return found


def day_number(iso: str) -> float:
    """A YYYY-MM-DD date as the R*Tree's day number (days since 1970-01-01)."""
    from datetime import date
    return float((date.fromisoformat(iso) - date(1970, 1, 1)).days)


def rtree_where(box: tuple[float, float, float, float], date_from: str | None, date_to: str | None,
                inside: bool = False) -> tuple[str, dict]:
    """SQL conditions on the R*Tree's columns and their parameters: the entries that may lie in the box
    between the dates (an overlap of their stored bounds), or with inside=True those that surely do
    (their stored bounds, rounded outwards, lie within). Neither is checked against incidents."""
    minlon, minlat, maxlon, maxlat = box
    p = {"x0": minlon, "x1": maxlon, "y0": minlat, "y1": maxlat}
    if inside:
        w = ["minlon >= :x0", "maxlon <= :x1", "minlat >= :y0", "maxlat <= :y1"]
    else:
        w = ["maxlon >= :x0", "minlon <= :x1", "maxlat >= :y0", "minlat <= :y1"]
    if date_from:
        w.append("minday >= :d0" if inside else "maxday >= :d0")
        p["d0"] = day_number(date_from)
    if date_to:
        w.append("maxday <= :d1" if inside else "minday <= :d1")
        p["d1"] = day_number(date_to)
    return " AND ".join(w), p


def rtree_candidates(box: tuple[float, float, float, float], date_from: str | None, date_to: str | None):
    """SELECT of the rowids of incidents that may lie in box (minlon, minlat, maxlon, maxlat) between the
    two dates (inclusive; None: open): a superset, to be checked against the exact conditions."""
    from sqlalchemy import column, select, table
    t = table(RTREE, column("id"), column("minlon"), column("maxlon"), column("minlat"), column("maxlat"),
              column("minday"), column("maxday"))
    minlon, minlat, maxlon, maxlat = box
    c = t.c
    # the entries' stored bounds are rounded outwards, so an overlap test keeps every true match
    q = select(c.id).where(c.maxlon >= minlon, c.minlon <= maxlon, c.maxlat >= minlat, c.minlat <= maxlat)
    if date_from:
        q = q.where(c.maxday >= day_number(date_from))
    if date_to:
        q = q.where(c.minday <= day_number(date_to))
    return q
