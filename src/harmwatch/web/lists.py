"""List pages: every document (`/sources`) and every incident (`/incidents`), server-rendered.

Filters are query parameters (GET forms), so every view is a shareable link:

    /sources?publisher=UN+OHCHR&language=en&from=2022-02-24&to=2022-03-31&status=claims&offset=100
    /incidents?admin1=Kharkiv&grade=confirmed&from=2022-03-01

A document's status is derived from what is stored about it:

    claims        the current version, with incident claims
    tallies-only  the current version, extracted: aggregate figures but no incident claim
    no-claims     the current version, extracted: nothing found
    pending       the current version, never extracted
    superseded    an older version of a document (replaced by a newer one)

Exports of the current view (links on /incidents and the map page): `/export/csv`, `/export/geojson`,
`/export/acled` and `/export/ucdp` with the same filter parameters (web/query.py) download every
incident matching them (not only the listed page), in the shapes of `harmwatch incidents --format csv`
and `harmwatch export` (export.py).

Without `status`, the list shows the current version of every document. Readers (viewer and up,
or anyone with anonymous read) may see both pages, like the other pages.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import and_, exists, func, select

from .. import export
from ..store.models import Claim, Source, Tally
from . import query
from .auth import Viewer, page_reader

router = APIRouter(include_in_schema=False)

PAGE = 100
STATUSES = ("claims", "tallies-only", "no-claims", "pending", "superseded")


@dataclass
class SourceFilters:
    publisher: str | None = None
    language: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    status: str | None = None
    q: str | None = None

    @classmethod
    def parse(cls, params) -> "SourceFilters":  # noqa: ANN001  (a Mapping of query parameters)
        def get(name: str) -> str | None:
            v = params.get(name)
            v = v.strip() if isinstance(v, str) else v
            return v or None
        f = cls(publisher=get("publisher"), language=get("language"), status=get("status"), q=get("q"))
        if f.status and f.status not in STATUSES:
            raise query.FilterError(f"status={f.status!r}: use one of {', '.join(STATUSES)}")
        if f.q and len(f.q) > 200:
            raise query.FilterError("q: at most 200 characters")
        for name, attr in (("from", "date_from"), ("to", "date_to")):
            v = get(name)
            if v:
                try:
                    date.fromisoformat(v)
                except ValueError:
                    raise query.FilterError(f"{name}={v!r}: use YYYY-MM-DD") from None
                if len(v) != 10:
                    raise query.FilterError(f"{name}={v!r}: use YYYY-MM-DD")
                setattr(f, attr, v)
        return f

    def params(self) -> dict[str, str]:
        out = {}
        for fld in fields(self):
            v = getattr(self, fld.name)
            if v:
                out[{"date_from": "from", "date_to": "to"}.get(fld.name, fld.name)] = v
        return out


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _source_conditions(f: SourceFilters) -> list:
    has_claims = exists().where(Claim.source_id == Source.id)
    has_tallies = exists().where(Tally.source_id == Source.id)
    c = [Source.is_current.is_(f.status != "superseded")]
    if f.publisher:
        c.append(Source.publisher == f.publisher)
    if f.language:
        c.append(Source.language == f.language)
    if f.date_from:
        c.append(Source.published >= date.fromisoformat(f.date_from))
    if f.date_to:
        c.append(Source.published <= date.fromisoformat(f.date_to))
    if f.status == "claims":
        c.append(has_claims)
    elif f.status == "tallies-only":
        c += [Source.extracted_at.is_not(None), ~has_claims, has_tallies]
    elif f.status == "no-claims":
        c += [Source.extracted_at.is_not(None), ~has_claims, ~has_tallies]
    elif f.status == "pending":
        c += [Source.extracted_at.is_(None), ~has_claims]
    if f.q:
        for word in f.q.split()[:8]:
            pat = _like(word.lower())
            c.append(func.lower(func.coalesce(Source.title, "") + " " + Source.doc_id).like(pat, escape="\\"))
    return c


def source_list(db, f: SourceFilters, limit: int = PAGE, offset: int = 0) -> tuple[int, list[dict]]:  # noqa: ANN001
    """(total matching, one page of documents), newest publication first, with claim and tally counts."""
    cond = and_(*_source_conditions(f))
    n_claims = select(func.count()).where(Claim.source_id == Source.id).correlate(Source).scalar_subquery()
    n_tallies = select(func.count()).where(Tally.source_id == Source.id).correlate(Source).scalar_subquery()
    n_incidents = (select(func.count(func.distinct(Claim.incident_id)))
                   .where(Claim.source_id == Source.id, Claim.incident_id.is_not(None))
                   .correlate(Source).scalar_subquery())
    with db.session() as s:
        total = s.scalar(select(func.count()).select_from(Source).where(cond)) or 0
        q = (select(Source.doc_id, Source.version, Source.is_current, Source.title, Source.publisher, Source.url,
                    Source.published, Source.language, Source.media_type, Source.extracted_at,
                    n_claims.label("claims"), n_tallies.label("tallies"), n_incidents.label("incidents"))
             .where(cond).order_by(Source.published.desc().nulls_last(), Source.doc_id, Source.version.desc())
             .limit(max(0, limit)).offset(max(0, offset)))
        rows = []
        for r in s.execute(q):
            m = r._mapping
            status = ("superseded" if not m["is_current"] else "claims" if m["claims"]
                      else "pending" if m["extracted_at"] is None else "tallies-only" if m["tallies"] else "no-claims")
            rows.append({"doc_id": m["doc_id"], "version": m["version"], "title": m["title"],
                         "publisher": m["publisher"], "url": m["url"],
                         "published": m["published"].isoformat() if m["published"] else None,
                         "language": m["language"], "media_type": m["media_type"], "claims": m["claims"],
                         "tallies": m["tallies"], "incidents": m["incidents"], "status": status})
        return total, rows


def source_choices(db) -> dict[str, list[str]]:  # noqa: ANN001
    with db.session() as s:
        return {name: [v for (v,) in s.execute(select(col).where(col.is_not(None)).distinct().order_by(col))]
                for name, col in (("publisher", Source.publisher), ("language", Source.language))}


def incident_sources(db, ids: list[str]) -> dict[str, list[dict]]:  # noqa: ANN001
    """For each incident id, its current source documents (doc_id, title, publisher), by doc_id."""
    out: dict[str, list[dict]] = {i: [] for i in ids}
    if not ids:
        return out
    with db.session() as s:
        q = (select(Claim.incident_id, Source.doc_id, Source.title, Source.publisher)
             .join(Source, Claim.source_id == Source.id)
             .where(Claim.incident_id.in_(ids), Source.is_current.is_(True))
             .distinct().order_by(Claim.incident_id, Source.doc_id))
        for iid, doc, title, publisher in s.execute(q):
            out[iid].append({"doc_id": doc, "title": title, "publisher": publisher})
    return out


def _offset(request: Request) -> int:
    try:
        return max(0, int(request.query_params.get("offset", 0)))
    except ValueError:
        return 0


def _pages(params: dict[str, str], total: int, offset: int, path: str) -> dict:
    def link(o: int) -> str:
        p = {**params, **({"offset": str(o)} if o else {})}
        return path + ("?" + urlencode(p) if p else "")
    return {"first": offset + 1 if total else 0, "last": min(total, offset + PAGE),
            "prev": link(max(0, offset - PAGE)) if offset > 0 else None,
            "next": link(offset + PAGE) if offset + PAGE < total else None}


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, viewer: Viewer = Depends(page_reader)):
    from .pages import render
    db = request.app.state.db
    error = None
    try:
        f = SourceFilters.parse(request.query_params)
    except query.FilterError as e:
        f, error = SourceFilters(), str(e)
    offset = _offset(request)
    total, rows = source_list(db, f, offset=offset)
    return render(request, "sources.html", f=f, rows=rows, total=total, error=error, statuses=STATUSES,
                  choices=source_choices(db), pages=_pages(f.params(), total, offset, "/sources"))


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, viewer: Viewer = Depends(page_reader)):
    from .pages import GRADES, WEAPON_CLASSES, render
    db = request.app.state.db
    try:
        f, error = query.Filters.parse(request.query_params), None
    except query.FilterError as e:
        f, error = query.Filters(), str(e)
    offset = _offset(request)
    total, rows = query.search(db, f, limit=PAGE, offset=offset)
    docs = incident_sources(db, [r["id"] for r in rows])
    return render(request, "incidents.html", f=f, rows=rows, docs=docs, total=total, error=error,
                  choices=query.choices(db), weapon_classes=WEAPON_CLASSES, grades=GRADES,
                  statuses=("unreviewed", "verified", "discounted"), params=f.params(), flag_kinds=_flag_kinds(),
                  pages=_pages(f.params(), total, offset, "/incidents"))


# --- exports of the current view ------------------------------------------------------------------

EXPORTS = {"csv": ("text/csv; charset=utf-8", "harmwatch-incidents.csv"),
           "geojson": ("application/geo+json", "harmwatch-incidents.geojson"),
           "acled": ("text/csv; charset=utf-8", "harmwatch-incidents-acled.csv"),
           "ucdp": ("text/csv; charset=utf-8", "harmwatch-incidents-ucdp.csv")}


@router.get("/export/{fmt}")
def export_view(fmt: str, request: Request, viewer: Viewer = Depends(page_reader)):
    if fmt not in EXPORTS:
        raise HTTPException(404, f"no export format {fmt!r}: use {', '.join(EXPORTS)}")
    try:
        f = query.Filters.parse(request.query_params)
    except query.FilterError as e:
        raise HTTPException(400, str(e)) from None
    return stream_export(request.app.state.db, fmt, f)


def stream_export(db, fmt: str, f: query.Filters) -> StreamingResponse:  # noqa: ANN001
    """The export as a streamed download: incidents read in batches and written as they come
    (export.iter_incidents, geojson_chunks, csv_chunks), so memory stays flat with their number."""
    media, name = EXPORTS[fmt]
    incidents = export.iter_incidents(db, query.conditions(f))
    body = export.geojson_chunks(incidents) if fmt == "geojson" else export.csv_chunks(fmt, incidents)
    return StreamingResponse(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _flag_kinds() -> tuple[str, ...]:
    from ..assess.flags import KINDS
    return tuple(KINDS)
