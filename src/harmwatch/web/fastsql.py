"""Read statements on the hot paths of the web app, run on the driver's cursor.

SQLAlchemy caches each statement's compiled SQL, but still builds a result object and runs a
processor per row and column; for the list, map and timeline reads that was about half of the
time of the query itself (1.2 ms of 2.2 ms for a page of 75 incidents on SQLite, measured on the
load test's database). `rows(conn, stmt)` keeps the statement (Core, built as before, its values as
bound parameters), compiles it once per shape (the statement's cache key) and dialect, binds this
statement's values in the compiled order, and returns the driver's plain tuples. Values the caller
needs converted (a JSON column arrives as text from SQLite, as a list from psycopg) are its job.

Parameters get the types' bind processors as SQLAlchemy would apply them; a statement it renders
only at execution (an expanding IN list, a literal-execute parameter) goes through `conn.execute`.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from ..store.dialect import POSTGIS_FLAG

MAX_SHAPES = 512
_lock = threading.Lock()
_compiled: "OrderedDict[tuple, object]" = OrderedDict()
_SLOW = object()  # a shape this module does not run itself


def _compile(conn, key: tuple, stmt, ck):  # noqa: ANN001, ANN202
    with _lock:
        hit = _compiled.get(key)
        if hit is not None:
            _compiled.move_to_end(key)
            return hit
    compiled = stmt.compile(dialect=conn.dialect, cache_key=ck)
    if compiled.literal_execute_params or compiled.post_compile_params or "POSTCOMPILE" in compiled.string:
        compiled = _SLOW
    with _lock:
        _compiled[key] = compiled
        while len(_compiled) > MAX_SHAPES:
            _compiled.popitem(last=False)
    return compiled


def rows(conn, stmt) -> list[tuple]:  # noqa: ANN001  (a Connection in a transaction, a Core select)
    """The rows of `stmt` as the driver's tuples, in the connection's transaction."""
    ck = stmt._generate_cache_key()
    if ck is None:  # a statement SQLAlchemy itself would not cache
        return [tuple(r) for r in conn.execute(stmt)]
    dialect = conn.dialect
    # PostGIS or not changes the SQL of a bounding box (store/dialect.in_bbox): part of the key
    compiled = _compile(conn, (dialect.name, getattr(dialect, POSTGIS_FLAG, None), ck.key), stmt, ck)
    if compiled is _SLOW:
        return [tuple(r) for r in conn.execute(stmt)]
    params = compiled.construct_params(extracted_parameters=ck.bindparams, escape_names=True)
    for name, process in compiled._bind_processors.items():  # e.g. Float's to_float, as SQLAlchemy does
        if params.get(name) is not None:
            params[name] = process(params[name])
    if compiled.positional:
        params = [params[name] for name in compiled.positiontup]
    cur = conn.connection.cursor()
    try:
        cur.execute(compiled.string, params)
        return cur.fetchall()
    finally:
        cur.close()


def scalar(conn, stmt):  # noqa: ANN001, ANN201
    """The first column of the first row, or None."""
    r = rows(conn, stmt)
    return r[0][0] if r else None


def clear() -> None:
    with _lock:
        _compiled.clear()
