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
"""
from __future__ import annotations

import math
from dataclasses import replace

from sqlalchemy import Integer, cast, func, select

from ..store.models import Incident
from . import cache, query

CELL_PX = 64  # a cell's width on screen
POINT_LIMIT = 300  # at most this many incidents in a view: each drawn as a point
MAX_ZOOM = 20
WHOLE_ZOOM = 10


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
            if box is not None and (f.date_from or f.date_to):
                # a date window is a new filter each time the slider moves: count the whole cells
                # around the view only (R*Tree / GiST: bbox + date), not the grid of everywhere
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


