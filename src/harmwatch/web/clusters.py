"""Server-side clustering for the map: incidents counted in grid cells per zoom level, in SQL.

`/api/clusters?bbox=minlon,minlat,maxlon,maxlat&zoom=Z&<filters>` (bbox: the visible area, which
the map page intersects with a bbox filter of its own) answers with

* `points`: incident summaries (as in /api/incidents), drawn one by one. A view holding at most
  POINT_LIMIT incidents answers with all of them; otherwise every cell holding one incident;
* `clusters`: the other cells, each with its count, killed (best) summed, a representative point
  (the mean of its incidents' points) and the bounds of its incidents (the map zooms to them on a
  click);
* `total` (incidents in the view's cells), `cell` (degrees) and `extent` (the bounds of everything counted).

A cell is CELL_PX screen pixels wide at the zoom asked for (360° / 2^zoom per 256-pixel tile), on a grid
fixed to longitude -180 and latitude -90, so cells do not move while the map pans. The GROUP BY reads
the covering index ix_incidents_map (lon, lat, date, killed_best, ...; migration 0011) for a bbox
with or without dates. At zoom <= WHOLE_ZOOM (down to a few districts on screen) the grid of every incident is
computed once per change of the incidents (web/cache.py) and each view cuts its cells out of it;
at closer zooms each view is counted (its bbox is small) and cached the same way for repeat views.
Requests with a filter on other tables (q, flag) are not cached (query.cache_counter).

A date window (the map's time slider) is a new filter at each move. With a view and dates and no
other filter: at zoom <= DAY_ZOOM its grid is summed in Python from the per-(day, cell) counts of
every incident (_day_cells, computed once per change of the incidents, about 80,000 rows at 1M);
from AROUND_ZOOM on, only the cells around the view are counted, through the bbox + date index of
migration 0019 (query.near); in between, the window's whole grid (cached for the next pans).
Measured at 1M incidents: docs/scaling.md "API and map".
"""
from __future__ import annotations

import bisect
import math
from dataclasses import replace

from sqlalchemy import Integer, cast, func, select

from ..store.models import Incident
from . import cache, query

CELL_PX = 64  # a cell's width on screen
POINT_LIMIT = 300  # at most this many incidents in a view: each drawn as a point
MAX_ZOOM = 20
WHOLE_ZOOM = 10
DAY_ZOOM = 6  # a date window's grid at this zoom and coarser is summed from per-day cells (_day_cells)
AROUND_ZOOM = 9  # from this zoom, a date window's grid is counted around the view only


def cell_degrees(zoom: int) -> float:
    """A cell's size in degrees (longitude and latitude alike) at this zoom."""
    return 360.0 / (2 ** zoom) * CELL_PX / 256


def _cell_index(col, offset: float, cell: float, dialect: str):  # noqa: ANN001
    v = (col + offset) / cell  # never negative: lon + 180, lat + 90
    # floor of a non-negative number: SQLite truncates on CAST; PostgreSQL rounds there, so floor()
    return cast(func.floor(v), Integer) if dialect == "postgresql" else cast(v, Integer)


def _grid(s, f: query.Filters, zoom: int) -> list[tuple]:  # noqa: ANN001
    """(cx, cy, count, mean lon, mean lat, min lon, min lat, max lon, max lat, killed, an id) per cell."""
    cell = cell_degrees(zoom)
    d = s.dialect.name
    cx, cy = _cell_index(Incident.lon, 180.0, cell, d), _cell_index(Incident.lat, 90.0, cell, d)
    q = (select(cx.label("cx"), cy.label("cy"), func.count(), func.avg(Incident.lon), func.avg(Incident.lat),
                func.min(Incident.lon), func.min(Incident.lat), func.max(Incident.lon), func.max(Incident.lat),
                func.coalesce(func.sum(Incident.killed_best), 0), func.min(Incident.id))
         .where(Incident.lat.is_not(None), Incident.lon.is_not(None), *query.conditions(f))
         .group_by("cx", "cy"))
    narrow = query.near(s, f)  # bbox + date on SQLite: the R*Tree's candidates (migration 0019)
    if narrow is not None:
        q = q.where(narrow)
    return [tuple(r) for r in s.execute(q)]


def _day_cells(s) -> tuple[list[str], list[list[tuple]]]:  # noqa: ANN001
    """Every located, dated incident counted per (day, cell at DAY_ZOOM): the sorted days, and per day
    its cells as (cx, cy, count, lon sum, lat sum, min lon, min lat, max lon, max lat, killed, an id)."""
    cell = cell_degrees(DAY_ZOOM)
    d = s.dialect.name
    cx, cy = _cell_index(Incident.lon, 180.0, cell, d), _cell_index(Incident.lat, 90.0, cell, d)
    q = (select(Incident.date, cx.label("cx"), cy.label("cy"), func.count(), func.sum(Incident.lon),
                func.sum(Incident.lat), func.min(Incident.lon), func.min(Incident.lat), func.max(Incident.lon),
                func.max(Incident.lat), func.coalesce(func.sum(Incident.killed_best), 0), func.min(Incident.id))
         .where(Incident.lat.is_not(None), Incident.lon.is_not(None), Incident.date.is_not(None))
         .group_by(Incident.date, "cx", "cy").order_by(Incident.date))
    days: list[str] = []
    cells: list[list[tuple]] = []
    for r in s.execute(q):
        if not days or days[-1] != r[0]:
            days.append(r[0])
            cells.append([])
        cells[-1].append(tuple(r[1:]))
    return days, cells


def _window(day_cells: tuple[list[str], list[list[tuple]]], date_from: str | None, date_to: str | None,
            zoom: int) -> list[tuple]:
    """The grid at zoom (<= DAY_ZOOM) of the incidents between the dates (inclusive; None: open), in
    _grid's shape, from _day_cells. A cell at a coarser zoom is a block of 2^k x 2^k cells at DAY_ZOOM
    (the grids share their origin and halve their cells per zoom level)."""
    days, per_day = day_cells
    lo = bisect.bisect_left(days, date_from) if date_from else 0
    hi = bisect.bisect_right(days, date_to) if date_to else len(days)
    shift = DAY_ZOOM - zoom
    acc: dict[tuple[int, int], list] = {}
    for cells in per_day[lo:hi]:
        for cx, cy, n, slon, slat, x0, y0, x1, y1, killed, iid in cells:
            key = (cx >> shift, cy >> shift)
            a = acc.get(key)
            if a is None:
                acc[key] = [n, slon, slat, x0, y0, x1, y1, killed, iid]
            else:
                a[0] += n
                a[1] += slon
                a[2] += slat
                a[3], a[4], a[5], a[6] = min(a[3], x0), min(a[4], y0), max(a[5], x1), max(a[6], y1)
                a[7] += killed
                a[8] = min(a[8], iid)
    return [(cx, cy, a[0], a[1] / a[0], a[2] / a[0], a[3], a[4], a[5], a[6], a[7], a[8])
            for (cx, cy), a in acc.items()]


def _cells_around(box: tuple[float, float, float, float], zoom: int) -> tuple[float, float, float, float]:
    """The box of the grid cells the view touches, one cell more on each side (so every cell with
    incidents in the view is counted whole, whatever the rounding at cell edges)."""
    cell = cell_degrees(zoom)
    minlon, minlat, maxlon, maxlat = box
    x0, x1 = math.floor((minlon + 180) / cell) - 1, math.floor((maxlon + 180) / cell) + 2
    y0, y1 = math.floor((minlat + 90) / cell) - 1, math.floor((maxlat + 90) / cell) + 2
    return (max(-180.0, x0 * cell - 180), max(-90.0, y0 * cell - 90), min(180.0, x1 * cell - 180),
            min(90.0, y1 * cell - 90))


def clusters(db, f: query.Filters, zoom: int) -> dict:  # noqa: ANN001
    """The map's answer for the view f.bbox (None: everywhere) at this zoom, with the other filters of f."""
    zoom = max(0, min(int(zoom), MAX_ZOOM))
    box, vf, rest = f.bbox, f, f.without("bbox")
    name = query.cache_counter(f)  # None: a filter on other tables (q, flag), never cached
    with db.session() as s:
        s = s.connection()
        if name is None:
            cells = _grid(s, vf, zoom)
        elif zoom <= WHOLE_ZOOM:
            dated = bool(f.date_from or f.date_to)
            if dated and zoom <= DAY_ZOOM and not rest.without("date_from", "date_to").params():
                # a date window is a new filter each time the slider moves: its grid is summed from
                # the per-day cells of every incident, computed once per change of the incidents
                cells = _window(cache.cached(db, s, ("day cells", DAY_ZOOM), lambda: _day_cells(s), name),
                                f.date_from, f.date_to, zoom)
            elif box is not None and dated and zoom >= AROUND_ZOOM:
                # closer in, count the whole cells around the view only (bbox + date index, migration
                # 0019), not the grid of everywhere. Between DAY_ZOOM and AROUND_ZOOM a view holds a
                # sixth of the country or more: the index would read as much as the window's whole
                # grid, which then also serves the next pans (below)
                around = _cells_around(box, zoom)
                key = ("grid", zoom, tuple(sorted(rest.params().items())), around)
                cells = cache.cached(db, s, key, lambda: _grid(s, replace(rest, bbox=around), zoom), name)
            else:
                key = ("grid", zoom, tuple(sorted(rest.params().items())))
                cells = cache.cached(db, s, key, lambda: _grid(s, rest, zoom), name)
            if box is not None:  # the cells with incidents in the view
                minlon, minlat, maxlon, maxlat = box
                cells = [c for c in cells if c[7] >= minlon and c[5] <= maxlon and c[8] >= minlat and c[6] <= maxlat]
        else:
            key = ("grid", zoom, tuple(sorted(vf.params().items())))
            cells = cache.cached(db, s, key, lambda: _grid(s, vf, zoom), name)
        total = sum(c[2] for c in cells)
        if total <= POINT_LIMIT:  # few enough: every incident of the view as a point
            rows = [query.summary(r) for r in s.execute(
                select(*query.SUMMARY_COLUMNS).where(Incident.lat.is_not(None), Incident.lon.is_not(None),
                                                     *query.conditions(vf))
                .order_by(Incident.date.desc(), Incident.id).limit(POINT_LIMIT))]
            extent = _bounds([(r["lon"], r["lat"], r["lon"], r["lat"]) for r in rows])
            return _answer(zoom, len(rows), [], rows, extent)
        singles = [c[10] for c in cells if c[2] == 1]
        points = []
        for i in range(0, len(singles), 500):
            points += [query.summary(r) for r in s.execute(
                select(*query.SUMMARY_COLUMNS).where(Incident.id.in_(singles[i:i + 500])))]
        groups = [{"lon": c[3], "lat": c[4], "count": c[2], "killed": int(c[9]),
                   "bounds": [c[5], c[6], c[7], c[8]]} for c in cells if c[2] > 1]
        return _answer(zoom, total, groups, points, _bounds([(c[5], c[6], c[7], c[8]) for c in cells]))


def _answer(zoom: int, total: int, groups: list[dict], points: list[dict], extent) -> dict:  # noqa: ANN001
    return {"zoom": zoom, "cell": cell_degrees(zoom), "total": total, "clusters": groups, "points": points,
            "extent": extent}


def _bounds(boxes: list[tuple]) -> list[float] | None:
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


