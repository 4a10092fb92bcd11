"""Incident queries for the pages and the API: one filter model, SQL on the indexed incident columns.

Filters (all optional; the same names in page URLs and in the API):

    from, to        YYYY-MM-DD, inclusive (incidents.date, indexed)
    bbox            minlon,minlat,maxlon,maxlat (PostGIS point index where present, else lon/lat indexes)
    admin1          oblast, exact (indexed)
    weapon_class    exact (indexed)
    grade           exact (indexed)
    status          exact (indexed): unreviewed, verified, discounted
    object          object type hit, e.g. hospital (a match in the JSON list)
    flag            a screening flag kind the incident has and no analyst dismissed (assess/flags.py)
    min_killed      killed_best >= n (indexed)
    q               words, all must match (case-insensitive) the place, the weapon, a claim's
                    passage or a source title of the incident
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import asdict, dataclass, fields
from datetime import date

import orjson
from sqlalchemy import String, and_, bindparam, cast, column, exists, func, literal_column, or_, select, text

from ..resolve.summary import FIELDS
from ..store.dialect import RTREE_FLAG, in_bbox
from ..store.models import Claim, Incident, Source
from . import cache, fastsql

MAX_LIMIT = 5000
# Counts and offsets are stored and compared as 32-bit integers (PostgreSQL `integer`): a larger
# number in a URL is refused (422 in the API, a message on the pages), never sent to the database.
MAX_INT = 2**31 - 1
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FilterError(ValueError):
    """A filter value that cannot be used (bad date, bad bbox ...)."""


@dataclass
class Filters:
    date_from: str | None = None
    date_to: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    admin1: str | None = None
    weapon_class: str | None = None
    grade: str | None = None
    status: str | None = None
    object: str | None = None
    min_killed: int | None = None
    q: str | None = None
    no_point: bool | None = None  # ?no_point=1: only incidents without a point (not on the map)
    flag: str | None = None  # ?flag=cluster_populated: incidents with this screening flag standing

    @classmethod
    def parse(cls, params) -> "Filters":  # noqa: ANN001  (a Mapping of query parameters)
        def get(name: str) -> str | None:
            v = params.get(name)
            v = v.strip() if isinstance(v, str) else v
            if isinstance(v, str) and "\x00" in v:  # no text column can hold it (PostgreSQL refuses it)
                raise FilterError(f"{name}: contains a NUL character")
            return v or None
        f = cls(admin1=get("admin1"), weapon_class=get("weapon_class"), grade=get("grade"), status=get("status"),
                object=get("object"), q=get("q"))
        for name, attr in (("from", "date_from"), ("to", "date_to")):
            v = get(name)
            if v:
                if not _DATE.match(v):
                    raise FilterError(f"{name}={v!r}: use YYYY-MM-DD")
                try:
                    date.fromisoformat(v)
                except ValueError:
                    raise FilterError(f"{name}={v!r} is not a date") from None
                setattr(f, attr, v)
        v = get("min_killed")
        if v:
            f.min_killed = whole_number("min_killed", v)
        v = get("bbox")
        if v:
            try:
                parts = tuple(float(x) for x in v.split(","))
            except ValueError:
                raise FilterError(f"bbox={v!r}: use minlon,minlat,maxlon,maxlat") from None
            if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
                raise FilterError(f"bbox={v!r}: use minlon,minlat,maxlon,maxlat (min before max)")
            if not all(-180 <= x <= 180 for x in parts[::2]) or not all(-90 <= y <= 90 for y in parts[1::2]):
                raise FilterError(f"bbox={v!r}: longitudes between -180 and 180, latitudes between -90 and 90")
            f.bbox = parts  # type: ignore[assignment]
        v = get("no_point")
        if v:
            if v.lower() not in ("1", "true", "yes"):
                raise FilterError(f"no_point={v!r}: use no_point=1")
            f.no_point = True
        if f.q and len(f.q) > 200:
            raise FilterError("q: at most 200 characters")
        f.flag = get("flag")
        if f.flag:
            from ..assess.flags import KINDS as FLAG_KINDS
            if f.flag not in FLAG_KINDS:
                raise FilterError(f"flag={f.flag[:60]!r}: one of {', '.join(FLAG_KINDS)}")
        return f

    def params(self) -> dict[str, str]:
        """The filters as URL query parameters (for shareable links)."""
        out = {}
        for fld in fields(self):
            v = getattr(self, fld.name)
            if v is None or v == "":
                continue
            key = {"date_from": "from", "date_to": "to"}.get(fld.name, fld.name)
            out[key] = ",".join(f"{x:g}" for x in v) if fld.name == "bbox" else "1" if v is True else str(v)
        return out

    def without(self, *names: str) -> "Filters":
        d = asdict(self)
        for n in names:
            d[n] = None
        if d.get("bbox") is not None:
            d["bbox"] = tuple(d["bbox"])
        return Filters(**d)


def whole_number(name: str, value: str, low: int = 0, high: int = MAX_INT) -> int:
    """A query parameter as an int in [low, high], else FilterError naming the parameter."""
    try:
        n = int(value.strip())
    except ValueError:
        raise FilterError(f"{name}={value!r}: use a whole number") from None
    if not low <= n <= high:
        raise FilterError(f"{name}={value!r}: use a whole number from {low} to {high}")
    return n


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def conditions(f: Filters) -> list:
    c = []
    if f.date_from:
        c.append(Incident.date >= f.date_from)
    if f.date_to:
        c.append(Incident.date <= f.date_to)
    if f.bbox:
        minlon, minlat, maxlon, maxlat = f.bbox
        c.append(in_bbox(Incident.lon, Incident.lat, minlon, minlat, maxlon, maxlat))  # PostGIS index or lon/lat
    if f.admin1:
        c.append(Incident.admin1 == f.admin1)
    if f.no_point:
        c.append(Incident.lat.is_(None))
    if f.weapon_class:
        c.append(Incident.weapon_class == f.weapon_class)
    if f.grade:
        c.append(Incident.grade == f.grade)
    if f.status:
        c.append(Incident.status == f.status)
    if f.min_killed is not None:
        c.append(Incident.killed_best >= f.min_killed)
    if f.flag:  # a standing (not dismissed) screening flag of that kind
        from ..store.models import AssessmentFlag, FlagDismissal
        c.append(exists().where(AssessmentFlag.incident_id == Incident.id, AssessmentFlag.kind == f.flag,
                                ~exists().where(FlagDismissal.flag_id == AssessmentFlag.id)))
    if f.object:
        # objects is a JSON list of slugs; its text holds "slug" with the quotes (SQLite and PostgreSQL alike)
        c.append(cast(Incident.objects, String).like(_like(f'"{f.object}"'), escape="\\"))
    if f.q:
        for word in f.q.split()[:8]:
            pat = _like(word.lower())
            passage = func.substr(Source.text, Claim.span_start + 1, Claim.span_end - Claim.span_start)
            in_claims = exists().where(Claim.incident_id == Incident.id, Claim.source_id == Source.id,
                                       or_(func.lower(Source.title).like(pat, escape="\\"),
                                           func.lower(passage).like(pat, escape="\\")))
            c.append(or_(func.lower(Incident.place).like(pat, escape="\\"),
                         func.lower(Incident.weapon).like(pat, escape="\\"), in_claims))
    return c


# Columns for lists and maps: everything but the (large) detail JSON.
SUMMARY_COLUMNS = [Incident.id, Incident.date, Incident.time, Incident.place, Incident.admin1, Incident.lat,
                   Incident.lon, Incident.geo_precision, Incident.weapon, Incident.weapon_class, Incident.objects,
                   Incident.sources, Incident.independent_sources, Incident.grade, Incident.status] + [
    getattr(Incident, f"{f}_{k}") for f in FIELDS for k in ("low", "best", "high")]


_PLAIN = ("id", "date", "time", "place", "admin1", "lat", "lon", "geo_precision", "weapon", "weapon_class")
_TAIL = ("sources", "independent_sources", "grade", "status")
_FIGURES = len(_PLAIN) + 1 + len(_TAIL)  # where the low/best/high columns start in SUMMARY_COLUMNS
if [c.key for c in SUMMARY_COLUMNS[:_FIGURES]] != [*_PLAIN, "objects", *_TAIL]:  # summary() reads by position
    raise RuntimeError("SUMMARY_COLUMNS and summary() disagree on the column order")


def summary(row) -> dict:  # noqa: ANN001
    """One row of SUMMARY_COLUMNS as the API's incident summary (by position: a tuple's indexing is the
    cheapest access there is, and this runs for every row of every list and map request). The
    objects column may come as JSON text (a driver's row, web/fastsql.py) or as a list."""
    out = dict(zip(_PLAIN, row[:10]))
    objects = row[10]
    out["objects"] = list(orjson.loads(objects) if isinstance(objects, (str, bytes)) else objects or [])
    i = _FIGURES
    for f in FIELDS:
        out[f] = {"low": row[i], "best": row[i + 1], "high": row[i + 2]}
        i += 3
    out.update(zip(_TAIL, row[11:_FIGURES]))
    return out


# Filters on incident columns alone: results for them may be cached (web/cache.py). Any other filter
# (q reads claims and sources, flag the screening flags; a filter added later) is never cached.
_CACHEABLE = {"date_from", "date_to", "bbox", "admin1", "weapon_class", "object", "min_killed", "no_point"}
_REVIEWED = {"grade", "status"}  # changed by reviews: these need the counter of any incident change


def cache_counter(f: Filters) -> str | None:
    """The change counter a cached result for these filters depends on, or None: compute afresh."""
    used = {fld.name for fld in fields(f) if getattr(f, fld.name) not in (None, "")}
    if not used <= _CACHEABLE | _REVIEWED:
        return None
    return cache.INCIDENTS if used & _REVIEWED else cache.FACTS


def search(db, f: Filters, limit: int = 100, offset: int = 0) -> tuple[int, list[dict]]:  # noqa: ANN001
    """(total matching, one page of incident summaries), newest first; the total counted exactly."""
    total, _, rows = search_page(db, f, limit, offset, cap=None)
    return total, rows


# /api/incidents counts its `total` up to here (then `total_exact` is false) unless ?count=exact:
# counting a view of 300,000 incidents exactly reads all of them, its first page only 100.
TOTAL_CAP = 10_000
# bbox + date on SQLite: read the R*Tree (migration 0019) when it gives at most this many candidates;
# beyond, the view is dense and the date index, read in the list order, finds a page sooner.
RTREE_MAX = 10_000


def _count(s, cond, upto: int | None) -> int:  # noqa: ANN001
    """The rows matching cond, counted up to upto + 1 (None: all of them)."""
    if upto is None:
        q = select(func.count()).select_from(Incident)
        return fastsql.scalar(s, q.where(cond) if cond is not None else q) or 0
    inner = select(Incident.id)
    inner = (inner.where(cond) if cond is not None else inner).limit(upto + 1).subquery()
    return fastsql.scalar(s, select(func.count()).select_from(inner)) or 0


def near(s, f: Filters, most: int = RTREE_MAX):  # noqa: ANN001
    """A condition narrowing f's bbox + date filter to what migration 0019's index reads fast, or None
    (no such filter, no such index, a dense view). SQLite: the R*Tree's candidates when there are at
    most `most`; PostgreSQL: the window's days named one by one (at most dialect.DAYS_MAX) with the box
    on lon/lat, for ix_incidents_day_lon. The exact conditions (conditions(f)) must still be applied:
    the candidates are a superset."""
    from datetime import timedelta

    from ..store import dialect
    if not (f.bbox and (f.date_from or f.date_to) and getattr(s.dialect, dialect.RTREE_FLAG, False)):
        return None
    if s.dialect.name == "postgresql":  # each day named: one lon range per day of ix_incidents_day_lon
        if not (f.date_from and f.date_to):
            return None
        d0, d1 = date.fromisoformat(f.date_from), date.fromisoformat(f.date_to)
        if not 0 <= (d1 - d0).days < dialect.DAYS_MAX:
            return None
        minlon, minlat, maxlon, maxlat = f.bbox
        return and_(Incident.date.in_([(d0 + timedelta(days=k)).isoformat() for k in range((d1 - d0).days + 1)]),
                    Incident.lon >= minlon, Incident.lon <= maxlon, Incident.lat >= minlat, Incident.lat <= maxlat)
    cand = dialect.rtree_candidates(f.bbox, f.date_from, f.date_to)
    if fastsql.scalar(s, select(func.count()).select_from(cand.limit(most + 1).subquery())) > most:
        return None
    return literal_column("incidents.rowid").in_(cand)


_RTREE_SQL: dict[tuple, tuple[str, tuple[str, ...]]] = {}  # (statement, shape) -> (SQL, parameter names in order)


def _rtree_statements(conn, has_from: bool, has_to: bool) -> dict[str, tuple[str, tuple[str, ...]]]:  # noqa: ANN001
    """_rtree_page's five statements for one shape of filter (which date bounds it has), compiled once
    per process with every value a named parameter: a request only binds its values (building and
    compiling them per request was about half of the page's CPU time)."""
    from ..store.dialect import RTREE, rtree_where
    key = (conn.dialect.name, has_from, has_to)
    if (key, "page") in _RTREE_SQL:
        return {n: _RTREE_SQL[(key, n)] for n in ("may", "sure", "edge", "day", "page")}
    box = (0.0, 0.0, 0.0, 0.0)
    d0, d1 = ("1970-01-01" if has_from else None), ("1970-01-01" if has_to else None)
    may, _ = rtree_where(box, d0, d1)
    sure, _ = rtree_where(box, d0, d1, inside=True)
    t = RTREE
    exact = [in_bbox(Incident.lon, Incident.lat, bindparam("x0"), bindparam("y0"), bindparam("x1"), bindparam("y1"))]
    if has_from:  # as conditions() writes them
        exact.append(Incident.date >= bindparam("date_from"))
    if has_to:
        exact.append(Incident.date <= bindparam("date_to"))
    rowid = literal_column("incidents.rowid")
    edge = text(f"SELECT id FROM {t} WHERE {may} AND NOT ({sure})").columns(column("id"))
    near_ = text(f"SELECT id FROM {t} WHERE {may} AND maxday >= :top").columns(column("id"))
    stmts = {
        "may": text(f"SELECT count(*) FROM (SELECT 1 FROM {t} WHERE {may} LIMIT :most)"),
        "sure": text(f"SELECT count(*) FROM (SELECT 1 FROM {t} WHERE {may} AND {sure} LIMIT :lim)"),
        "edge": select(func.count()).select_from(Incident).where(*exact, rowid.in_(edge)),
        "day": text(f"SELECT maxday FROM {t} WHERE {may} AND {sure} ORDER BY maxday DESC LIMIT 1 OFFSET :skip"),
        "page": (select(*SUMMARY_COLUMNS).where(*exact, rowid.in_(near_)).order_by(*_ORDER)
                 .limit(bindparam("limit")).offset(bindparam("offset"))),
    }
    out = {}
    for name, stmt in stmts.items():
        c = stmt.compile(dialect=conn.dialect)
        out[name] = _RTREE_SQL[(key, name)] = (c.string, tuple(c.positiontup or ()))
    return out


def _run(conn, sql: tuple[str, tuple[str, ...]], values: dict) -> list[tuple]:  # noqa: ANN001
    text_, names = sql
    cur = conn.connection.cursor()
    try:
        cur.execute(text_, [values[n] for n in names])
        return cur.fetchall()
    finally:
        cur.close()


def _rtree_page(s, f: Filters, limit: int, offset: int, upto: int | None) -> tuple[int, list[tuple]] | None:  # noqa: ANN001
    """bbox + date and no other filter, on SQLite: (the matches counted up to upto + 1, the page's rows of
    SUMMARY_COLUMNS) mostly from the R*Tree alone. Its entries that surely lie in the box and window are
    counted there; only those on an edge (within float rounding, or with a malformed date) are checked on
    their rows. The page reads the rows of the entries from the (offset + limit)-th newest sure day on.
    None for a dense view (more than RTREE_MAX entries): the date index, read in the list order, serves
    it better. The statements are compiled once per shape (_rtree_statements) and run on the driver."""
    from ..store.dialect import day_number
    sql = _rtree_statements(s, bool(f.date_from), bool(f.date_to))
    minlon, minlat, maxlon, maxlat = f.bbox
    v = {"x0": float(minlon), "x1": float(maxlon), "y0": float(minlat), "y1": float(maxlat),
         "most": RTREE_MAX + 1, "lim": -1 if upto is None else upto + 1, "skip": offset + limit - 1,
         "limit": limit, "offset": offset}
    if f.date_from:
        v["d0"], v["date_from"] = day_number(f.date_from), f.date_from
    if f.date_to:
        v["d1"], v["date_to"] = day_number(f.date_to), f.date_to
    if _run(s, sql["may"], v)[0][0] > RTREE_MAX:
        return None
    n = _run(s, sql["sure"], v)[0][0] + (_run(s, sql["edge"], v)[0][0] or 0)
    if upto is not None:
        n = min(n, upto + 1)
    if not limit or offset >= n:
        return n, []
    day = _run(s, sql["day"], v)
    v["top"] = day[0][0] if day and day[0][0] is not None else -2e9
    return n, _run(s, sql["page"], v)


# A page deep in a list (offset >= ANCHOR_STEP, filters the change counters cover, SQLite) starts right
# after the sort key of the row before it, taken from the keys of every ANCHOR_STEP-th row: one pass
# over the list index per change of the incidents (web/cache.py), instead of skipping `offset` index
# entries on every request. Only for filters on facts (dates, places, weapons, tolls): a grade or status
# filter changes with every review, and PostgreSQL counts a review's delete and re-insert as a change,
# so the keys would be read again after every review; those keep OFFSET.
ANCHOR_STEP = 100
_ORDER = (Incident.date.desc(), Incident.id)


def _anchors(s, cond) -> tuple[int, list[tuple]]:  # noqa: ANN001
    """(the rows matching cond, the sort key (date, id) of the rows ANCHOR_STEP - 1, 2 * ANCHOR_STEP - 1,
    ...), in the list order, from one pass over ix_incidents_list."""
    q = select(Incident.date, Incident.id).order_by(*_ORDER)
    keys = fastsql.rows(s, q.where(cond) if cond is not None else q)
    return len(keys), [tuple(keys[k - 1]) for k in range(ANCHOR_STEP, len(keys) + 1, ANCHOR_STEP)]


def _after(after: tuple[str | None, str] | None, nulls_first: bool) -> list[list]:
    """The rest of the list order after the sort key `after` (None: from the start) as up to three
    index ranges, each read in index order: the same date with a greater id, then the earlier dates
    (and the undated block where it falls)."""
    if after is None:
        return [[]]
    if after[0] is None:
        return [[Incident.date.is_(None), Incident.id > after[1]]] + ([[Incident.date.is_not(None)]] if nulls_first
                                                                        else [])
    return ([[Incident.date == after[0], Incident.id > after[1]], [Incident.date < after[0]]]
            + ([] if nulls_first else [[Incident.date.is_(None)]]))


def _page_after(s, cond: list, after: tuple, skip: int, limit: int, nulls_first: bool) -> list[tuple]:  # noqa: ANN001
    """Rows of SUMMARY_COLUMNS matching cond: `limit` of them, after the sort key `after` and `skip` more."""
    want, out = skip + limit, []
    for extra in _after(after, nulls_first):
        if len(out) >= want:
            break
        out += fastsql.rows(s, select(*SUMMARY_COLUMNS).where(*cond, *extra).order_by(*_ORDER).limit(want - len(out)))
    return out[skip:]


def search_page(db, f: Filters, limit: int = 100, offset: int = 0,  # noqa: ANN001
                cap: int | None = TOTAL_CAP) -> tuple[int, bool, list[dict]]:
    """(total, exact, one page of incident summaries), newest first. The total is counted up to
    max(cap, offset + limit); beyond that `exact` is False and total is that number ("at least").
    cap=None counts exactly."""
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_INT))
    upto = None if cap is None else max(int(cap), offset + limit)
    # Core statements on the session's connection: plain rows, without the ORM's per-row loading.
    with db.session() as s:
        s = s.connection()
        c = conditions(f)
        if (s.dialect.name == "sqlite" and f.bbox and (f.date_from or f.date_to)
                and not f.without("bbox", "date_from", "date_to").params()
                and getattr(s.dialect, RTREE_FLAG, False)):  # the R*Tree alone, nearly (migration 0019)
            got = _rtree_page(s, f, limit, offset, upto)
        else:
            got = None
        if got is not None:
            n, page = got
            exact = upto is None or n <= upto
            return (n if exact else upto), exact, [summary(r) for r in page]
        narrow = near(s, f)
        cond = and_(*c, *([narrow] if narrow is not None else [])) if c else None
        iq = select(Incident.id)
        if cond is not None:
            iq = iq.where(cond)
        name = cache_counter(f)
        if name == cache.FACTS and offset >= ANCHOR_STEP and s.dialect.name == "sqlite":
            # a deep page from the cached sort key of the row before it: no pass over the rows it skips
            key = ("anchors", tuple(sorted(f.params().items())))
            n, anchors = cache.cached(db, s, key, lambda: _anchors(s, cond), name)
            exact = upto is None or n <= upto
            total = n if exact else upto
            if not limit or offset >= n:
                return total, exact, []
            a = offset // ANCHOR_STEP  # anchors[a - 1]: the sort key of row a * ANCHOR_STEP - 1
            rows = _page_after(s, [cond] if cond is not None else [], anchors[a - 1], offset - a * ANCHOR_STEP,
                               limit, _nulls_first(s))
            return total, exact, [summary(r) for r in rows]
        if name is None:
            n = _count(s, cond, upto)
        else:  # the count is reused until the incidents change (web/cache.py)
            key = ("count", tuple(sorted(f.params().items()))) + (() if upto is None else (upto,))
            n = cache.cached(db, s, key, lambda: _count(s, cond, upto), name)
        exact = upto is None or n <= upto
        total = n if exact else upto
        if not limit or offset >= n:
            return total, exact, []
        # The page's ids first (from the covering index ix_incidents_list, migration 0011, for the
        # date and bbox filters), then only those rows: an offset skips index entries, not wide rows.
        order = (Incident.date.desc(), Incident.id)
        page = iq.order_by(*order).limit(limit).offset(offset).subquery()
        rows = fastsql.rows(s, select(*SUMMARY_COLUMNS).join(page, Incident.id == page.c.id).order_by(*order))
        return total, exact, [summary(r) for r in rows]


# --- keyset pages: a cursor instead of an offset ----------------------------------------------------
# The list order is (date DESC, id): ix_incidents_list (migration 0011) is sorted so. A cursor is the
# sort key of the last row of a page; the next page starts right after it, by an index range, however
# deep (an offset skips every entry before it). Undated incidents come after the dated ones on SQLite
# and before them on PostgreSQL (each database's own NULL order for DESC, the order offset pages use too).

def encode_cursor(date_: str | None, incident_id: str) -> str:
    """An opaque token for the sort key (date, id) of a page's last row."""
    raw = json.dumps([date_, incident_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[str | None, str]:
    """(date, id) of a cursor from encode_cursor; FilterError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        d, iid = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        raise FilterError(f"cursor={token[:40]!r} is not a cursor of this API (use the `next` link)") from None
    if not isinstance(iid, str) or not (d is None or (isinstance(d, str) and _DATE.match(d))):
        raise FilterError(f"cursor={token[:40]!r} is not a cursor of this API (use the `next` link)")
    return d, iid


def _nulls_first(s) -> bool:  # noqa: ANN001
    return s.dialect.name == "postgresql"  # DESC puts NULL first there, last on SQLite


def search_after(db, f: Filters, limit: int = 100, cursor: str | None = None) -> tuple[list[dict], str | None]:  # noqa: ANN001
    """One keyset page: the incidents after `cursor` (None: from the start) in the list order, and the
    cursor of the next page (None when this page is the last). No total is counted."""
    limit = max(0, min(int(limit), MAX_LIMIT))
    after = decode_cursor(cursor) if cursor else None
    base = conditions(f)
    with db.session() as s:
        s = s.connection()
        nulls_first = _nulls_first(s)
        ranges = _after(after, nulls_first)  # up to three index ranges, each read in index order
        order = (Incident.date.desc(), Incident.id)
        ids: list[str] = []
        want = limit + 1  # one more than asked: is there a next page?
        for extra in ranges:
            if len(ids) >= want:
                break
            q = select(Incident.id).where(*base, *extra).order_by(*order).limit(want - len(ids))
            ids += [i for (i,) in s.execute(q)]
        more = len(ids) > limit
        ids = ids[:limit]
        if not ids:
            return [], None
        rows = [summary(r) for r in s.execute(select(*SUMMARY_COLUMNS).where(Incident.id.in_(ids)))]
        pos = {i: n for n, i in enumerate(ids)}
        rows.sort(key=lambda r: pos[r["id"]])
        last = rows[-1]
        return rows, (encode_cursor(last["date"], last["id"]) if more else None)


def timeline(db, f: Filters) -> list[dict]:  # noqa: ANN001
    """Incidents and killed (best) per day, for the filters without the date range."""
    g = f.without("date_from", "date_to")
    cond = conditions(g)
    with db.session() as s:
        s = s.connection()  # Core: plain rows, no ORM loading
        q = (select(Incident.date, func.count(), func.coalesce(func.sum(Incident.killed_best), 0),
                    func.coalesce(func.sum(Incident.injured_best), 0))
             .where(Incident.date.is_not(None), *cond).group_by(Incident.date).order_by(Incident.date))

        def compute() -> list[dict]:
            return [{"date": d, "incidents": n, "killed": int(k), "injured": int(i)} for d, n, k, i in fastsql.rows(s, q)]
        # the sums over every incident are reused until an incident's facts change (web/cache.py);
        # a grade or status filter also depends on reviews, so on any incident change
        name = cache_counter(g)
        if name is None:
            return compute()
        return cache.cached(db, s, ("timeline", tuple(sorted(g.params().items()))), compute, name)


def distinct_values(s, col) -> list:  # noqa: ANN001
    """The distinct non-null values of an indexed column, in order, by a skip scan: one index lookup
    per value (WITH RECURSIVE, SQLite and PostgreSQL alike), not a pass over every row."""
    first = select(func.min(col).label("v")).where(col.is_not(None)).cte("vals", recursive=True)
    nxt = select(func.min(col)).where(col > first.c.v).scalar_subquery()
    vals = first.union_all(select(nxt.label("v")).where(first.c.v.is_not(None)))
    return [v for (v,) in s.execute(select(vals.c.v).where(vals.c.v.is_not(None)))]


# The object types hit, for the drop-down: no index can give them (a JSON list per row), and a scan
# reads every row, so the list is computed once per change of the incidents' facts (web/cache.py,
# migration 0017; before, it was kept 60 s).
def _objects(s) -> list[str]:  # noqa: ANN001
    objs: set[str] = set()
    # DISTINCT on the JSON text: PostgreSQL's json type has no equality operator
    for (o,) in s.execute(select(cast(Incident.objects, String)).distinct().limit(5000)):
        try:
            objs.update(x for x in json.loads(o or "[]") if isinstance(x, str))
        except ValueError:
            continue
    return sorted(objs)


def choices(db) -> dict[str, list[str]]:  # noqa: ANN001
    """Distinct values for the filter drop-downs."""
    with db.session() as s:
        s = s.connection()  # Core: plain rows, no ORM loading
        # oblasts, weapon classes and object types are facts (reused until an incident's facts change,
        # web/cache.py); grades and statuses change with reviews (reused until any incident changes)
        facts = cache.cached(db, s, ("choices", "facts"), lambda: {
            "admin1": distinct_values(s, Incident.admin1), "weapon_class": distinct_values(s, Incident.weapon_class),
            "object": _objects(s)})
        reviewed = cache.cached(db, s, ("choices", "reviewed"), lambda: {
            "grade": distinct_values(s, Incident.grade), "status": distinct_values(s, Incident.status)}, cache.INCIDENTS)
        out = {k: list(v) for k, v in facts.items()}
        out.update({k: list(v) for k, v in reviewed.items()})
        return {k: out[k] for k in ("admin1", "weapon_class", "grade", "status", "object")}


def geojson(total: int | None, rows: list[dict], limit: int, offset: int, total_exact: bool | None = True) -> dict:
    feats = []
    for r in rows:
        geom = {"type": "Point", "coordinates": [r["lon"], r["lat"]]} if r["lat"] is not None and r["lon"] is not None \
            else None
        feats.append({"type": "Feature", "id": r["id"], "geometry": geom, "properties": r})
    return {"type": "FeatureCollection", "features": feats, "total": total, "total_exact": total_exact,
            "limit": limit, "offset": offset}


# --- one incident, one source, tallies, history ------------------------------------------------

def history(db, incident_id: str, claim_keys: list[str] | None = None) -> list[dict]:  # noqa: ANN001
    """Audit entries about this incident (by id), oldest first."""
    from ..store.models import AuditEntry
    with db.session() as s:
        q = select(AuditEntry).where(AuditEntry.target_type == "incident", AuditEntry.target_id == incident_id)
        return [{"id": e.id, "at": e.at.isoformat() if e.at else None, "actor": e.actor, "action": e.action,
                 "field": e.field, "old": e.old, "new": e.new, "reason": e.reason, "hash": e.hash}
                for e in s.scalars(q.order_by(AuditEntry.id))]


def source_detail(db, doc_id: str) -> dict | None:  # noqa: ANN001
    """The current version of a document: metadata, text, claims and tallies with evidence, links."""
    from ..store.models import SourceLink, Tally
    with db.session() as s:
        src = s.scalar(select(Source).where(Source.doc_id == doc_id, Source.is_current.is_(True)))
        if src is None:
            src = s.scalar(select(Source).where(Source.doc_id == doc_id).order_by(Source.version.desc()).limit(1))
        if src is None:
            return None
        claims = [{"key": f"{doc_id}#{c.ordinal}", "ordinal": c.ordinal, "incident_id": c.incident_id, "date": c.date,
                   "time": c.time, "place": c.place, "admin1": c.admin1, "weapon": c.weapon,
                   "weapon_class": c.weapon_class, "objects": list(c.objects or []), "killed": c.killed,
                   "injured": c.injured, "children_killed": c.children_killed, "said_by": c.source_said,
                   "span_start": c.span_start, "span_end": c.span_end, "evidence": c.evidence or {}}
                  for c in s.scalars(select(Claim).where(Claim.source_id == src.id).order_by(Claim.ordinal))]
        tallies = [{"ordinal": t.ordinal, "scope": t.scope, "period": t.period, "killed": t.killed,
                    "injured": t.injured, "children_killed": t.children_killed, "children_injured": t.children_injured,
                    "said_by": t.source_said, "span_start": t.span_start, "span_end": t.span_end,
                    "evidence": t.evidence or {}}
                   for t in s.scalars(select(Tally).where(Tally.source_id == src.id).order_by(Tally.ordinal))]
        origins = [{"doc_id": l.origin, "kind": l.kind, "score": l.score, "evidence": l.evidence}
                   for l in s.scalars(select(SourceLink).where(SourceLink.doc_id == doc_id))]
        rereports = [{"doc_id": l.doc_id, "kind": l.kind, "score": l.score, "evidence": l.evidence}
                     for l in s.scalars(select(SourceLink).where(SourceLink.origin == doc_id))]
        versions = [{"version": v.version, "sha256": v.sha256, "retrieved_at": v.retrieved_at.isoformat()
                     if v.retrieved_at else None, "current": v.is_current}
                    for v in s.scalars(select(Source).where(Source.doc_id == doc_id).order_by(Source.version))]
        return {"doc_id": src.doc_id, "version": src.version, "is_current": src.is_current, "title": src.title,
                "publisher": src.publisher, "url": src.url, "published": src.published.isoformat() if src.published
                else None, "retrieved_at": src.retrieved_at.isoformat() if src.retrieved_at else None,
                "language": src.language, "media_type": src.media_type, "sha256": src.sha256, "text": src.text,
                "claims": claims, "tallies": tallies, "origins": origins, "rereports": rereports,
                "versions": versions}


def tallies(db) -> list[dict]:  # noqa: ANN001
    """Every tally of every current document, with its quote."""
    from ..store.models import Tally
    with db.session() as s:
        out = []
        for t, src in s.execute(select(Tally, Source).join(Source, Tally.source_id == Source.id)
                                .where(Source.is_current.is_(True)).order_by(Source.published, Source.doc_id,
                                                                             Tally.ordinal)):
            quote = src.text[t.span_start:t.span_end] if t.span_start is not None and t.span_end is not None else None
            out.append({"doc_id": src.doc_id, "title": src.title, "publisher": src.publisher,
                        "published": src.published.isoformat() if src.published else None, "ordinal": t.ordinal,
                        "scope": t.scope, "period": t.period, "killed": t.killed, "injured": t.injured,
                        "children_killed": t.children_killed, "children_injured": t.children_injured,
                        "said_by": t.source_said, "quote": quote, "evidence": t.evidence or {}})
        return out


def source_titles(db, doc_ids: list[str]) -> dict[str, dict]:  # noqa: ANN001
    with db.session() as s:
        return {d: {"title": t, "publisher": p, "url": u, "published": pub.isoformat() if pub else None}
                for d, t, p, u, pub in s.execute(select(Source.doc_id, Source.title, Source.publisher, Source.url,
                                                        Source.published)
                                                 .where(Source.doc_id.in_(doc_ids), Source.is_current.is_(True)))}


def claim_contexts(db, incident_id: str, pad: int = 160) -> list[dict]:  # noqa: ANN001
    """Each claim of the incident with its source and a window of text around its passage."""
    with db.session() as s:
        out = []
        for c, src in s.execute(select(Claim, Source).join(Source, Claim.source_id == Source.id)
                                .where(Claim.incident_id == incident_id).order_by(Source.doc_id, Claim.ordinal)):
            start = c.span_start if c.span_start is not None else 0
            end = c.span_end if c.span_end is not None else min(len(src.text), 300)
            out.append({"key": f"{src.doc_id}#{c.ordinal}", "ordinal": c.ordinal, "doc_id": src.doc_id,
                        "title": src.title, "publisher": src.publisher, "url": src.url, "language": src.language,
                        "published": src.published.isoformat() if src.published else None,
                        "said_by": c.source_said, "date": c.date, "time": c.time, "place": c.place,
                        "weapon": c.weapon, "weapon_class": c.weapon_class, "objects": list(c.objects or []),
                        "killed": c.killed, "injured": c.injured, "children_killed": c.children_killed,
                        "span_start": c.span_start, "span_end": c.span_end, "evidence": c.evidence or {},
                        "window": (max(0, start - pad), min(len(src.text), end + pad)), "text": src.text})
        return out
