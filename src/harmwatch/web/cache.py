"""Read results reused until the incidents they were computed from change.

The database counts writes to incidents itself (table change_counters, triggers of migration 0017):
`incidents` on any write, `incident_facts` on writes that change dates, places, weapons, objects or
tolls (not on a verify or discount). A cached value is stored with the counter read *before* it was
computed, in the same read transaction, so a value is never newer-keyed than the data it saw: the
next request after a write reads a new counter and computes again. The cache is per process
(`serve --workers N`: each worker computes a result once per change), bounded to MAX_ENTRIES.

Used for the timeline, the list's total count, the map clusters and the object-type choices
(web/query.py, web/clusters.py). Requests with a filter on other tables than incidents (q, flag,
or any filter query.cache_counter does not know) are never cached.
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any, Callable, Hashable

from sqlalchemy import bindparam, func, select

from ..store.models import ChangeCounter, IncidentFactsGone

MAX_ENTRIES = 256
INCIDENTS = "incidents"
FACTS = "incident_facts"

_lock = threading.Lock()
_caches: "weakref.WeakKeyDictionary[object, OrderedDict]" = weakref.WeakKeyDictionary()


def counter(conn, name: str):  # noqa: ANN001  (a Connection or Session)
    """The current version of a change counter, or None when the table has no such row. For
    incident_facts: the counter with the number and the last seq of incident_facts_gone (deletions
    not undone, migration 0017), so a deletion changes it too."""
    if name != FACTS:
        return conn.scalar(_COUNTER, {"name": name})
    row = conn.execute(_FACTS).first()  # one statement: this runs for most list, map and timeline reads
    return None if row is None else tuple(row)


_COUNTER = select(ChangeCounter.n).where(ChangeCounter.name == bindparam("name"))
_FACTS = select(ChangeCounter.n, select(func.count()).select_from(IncidentFactsGone).scalar_subquery(),
                select(func.max(IncidentFactsGone.seq)).scalar_subquery()).where(ChangeCounter.name == FACTS)


def cached(db, conn, key: Hashable, compute: Callable[[], Any], name: str = FACTS) -> Any:  # noqa: ANN001
    """compute() once per value of counter `name`; later calls with the same key reuse it until
    the counter moves. `conn` is the read transaction compute() uses (the counter is read first)."""
    n = counter(conn, name)
    if n is None:  # a database without the counters: always compute
        return compute()
    full = (name, key)
    with _lock:
        cache = _caches.get(db)
        hit = cache.get(full) if cache is not None else None
        if hit is not None and hit[0] == n:
            cache.move_to_end(full)
            return hit[1]
    value = compute()
    with _lock:
        cache = _caches.setdefault(db, OrderedDict())
        cache[full] = (n, value)
        cache.move_to_end(full)
        while len(cache) > MAX_ENTRIES:
            cache.popitem(last=False)
    return value


def clear(db=None) -> None:  # noqa: ANN001
    """Forget cached results (of one database, or all)."""
    with _lock:
        if db is None:
            _caches.clear()
        else:
            _caches.pop(db, None)
