"""The REST API under /api (JSON; GeoJSON for the incident list with ?format=geojson).

Reads need a signed-in user or `Authorization: Bearer TOKEN` (or ANONYMOUS_READ on); writes need
an analyst's or admin's token (anonymous: 401, viewer: 403). Every write is an analyst decision
of resolve/service.py and is audited. Examples: docs/web.md.
"""
from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, field_validator

from ..resolve import review, service
from ..text_checks import TextError, visible_reason
from . import clusters, query
from .answers import NOT_MODIFIED, json_answer
from .auth import Viewer, api_analyst, api_reader

router = APIRouter(prefix="/api", tags=["api"])


class Problem(BaseModel):
    """An error answer (400, 401, 403, 404): what went wrong, in words."""
    detail: str


def _answers(*codes: int) -> dict:
    """The error statuses a route can answer (besides 200 and FastAPI's own 422), for the OpenAPI description."""
    what = {301: "the incident was merged away: Location is the merged incident's URL",
            308: "the incident was merged away: repeat the request at Location (the merged incident)",
            400: "a filter or a decision that cannot be applied (the detail says why)",
            401: "no credentials, or an invalid, revoked or expired token",
            403: "the user's role may not do this (writes need analyst or admin), or a cookie write without X-CSRF-Token",
            404: "no such incident, claim or source"}
    return {c: {"model": Problem, "description": what[c]} for c in codes}


# reads answer with an ETag and 304 to a matching If-None-Match (web/answers.py)
READ = {**_answers(401), **NOT_MODIFIED}
READ_ONE = {**_answers(401, 404), **NOT_MODIFIED}
READ_FILTERED = {**_answers(400, 401), **NOT_MODIFIED}
WRITE = _answers(400, 401, 403, 404)
READ_INCIDENT = {**_answers(301, 401, 404), **NOT_MODIFIED}  # an incident id merged away redirects
WRITE_INCIDENT = _answers(308, 400, 401, 403, 404)
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
IncidentId = Path(..., min_length=1, max_length=200, description="incident id, e.g. inc-eb3b1970008b")


def _visible(reason: str | None, required: bool = False, what: str = "reason") -> str | None:
    """text_checks.visible_reason for a body field: a reason of only invisible characters is a 422."""
    try:
        return visible_reason(reason, required=required, what=what)
    except TextError as e:
        raise ValueError(str(e)) from e


class Reason(BaseModel):
    reason: str | None = Field(None, max_length=2000,
                               description="Why (kept in the audit log); if given, it needs visible text")
    override: bool = Field(False, description="verify only, admins only: confirm although the grade rule does not "
                                              "hold (the reason says why)")

    @field_validator("reason")
    @classmethod
    def _reason_visible(cls, v: str | None) -> str | None:
        return _visible(v)


class CommentBody(BaseModel):
    text: str = Field(..., min_length=1, max_length=2000, description="the comment (needs visible text)")

    @field_validator("text")
    @classmethod
    def _text_visible(cls, v: str) -> str:
        return _visible(v, required=True, what="comment")


class EditBody(BaseModel):
    field: str = Field(..., description=f"one of {', '.join(service.EDITABLE)}")
    value: Any = Field(None, description="new value (null clears it); objects: a list or comma-separated")
    reason: str = Field(..., min_length=1, max_length=2000, description="Why (required; needs visible text)")

    @field_validator("reason")
    @classmethod
    def _reason_visible(cls, v: str) -> str:
        return _visible(v, required=True)


class MergeBody(BaseModel):
    a: str = Field(..., description="incident id")
    b: str = Field(..., description="incident id")
    reason: str | None = Field(None, max_length=2000, description="Why (kept in the audit log); if given, it needs visible text")

    @field_validator("reason")
    @classmethod
    def _reason_visible(cls, v: str | None) -> str | None:
        return _visible(v)


class SplitBody(BaseModel):
    claims: list[str] = Field(default_factory=list,
                              description="claim keys (doc_id#ordinal) to take out; empty: every claim alone")
    reason: str | None = Field(None, max_length=2000, description="Why (kept in the audit log); if given, it needs visible text")

    @field_validator("reason")
    @classmethod
    def _reason_visible(cls, v: str | None) -> str | None:
        return _visible(v)


def _filters(request: Request) -> query.Filters:
    try:
        return query.Filters.parse(request.query_params)
    except query.FilterError as e:
        raise HTTPException(400, str(e)) from None


def _resolution_error(e: service.ResolutionError, request: Request | None = None,
                      incident_id: str | None = None) -> HTTPException:
    """404 for an unknown incident or claim, 400 for a decision that cannot be applied; an incident id
    merged away answers 301 (reads) or 308 (writes, the method kept) with the merged incident's URL."""
    msg = str(e)
    if request is not None and incident_id and msg.startswith("no incident"):
        moved = _moved(request, incident_id)
        if moved is not None:
            return moved
    return HTTPException(404 if msg.startswith(("no incident", "no current claim")) else 400, msg)


def _moved(request: Request, incident_id: str) -> HTTPException | None:
    target = service.redirect_target(request.app.state.db, incident_id)
    if target is None:
        return None
    old = f"/api/incidents/{incident_id}"
    path = request.url.path
    location = f"/api/incidents/{target}" + (path[len(old):] if path.startswith(old) else "")
    if request.url.query:
        location += "?" + request.url.query
    return HTTPException(301 if request.method in ("GET", "HEAD") else 308,
                         f"incident {incident_id} was merged into {target}", headers={"Location": location})


def _incident(request: Request, incident_id: str) -> dict:
    db = request.app.state.db
    try:
        inc = service.show(db, incident_id)
    except service.ResolutionError as e:
        raise _resolution_error(e, request, incident_id) from None
    inc["history"] = service.history(db, incident_id, inc["claims"])  # also the entries of incidents merged into it
    inc["review"] = review.review_state(db, incident_id)  # reviewer, second review
    from ..assess import for_incident
    inc.update(for_incident(db, inc))  # weapon_profile, flags, chronolocation (docs/assessment.md)
    return inc


async def filter_params(  # pure parsing: on the event loop, not a trip through the thread pool
    request: Request,
    bbox: str | None = Query(None, max_length=200, description="minlon,minlat,maxlon,maxlat"),
    from_: str | None = Query(None, alias="from", pattern=DATE_PATTERN, description="YYYY-MM-DD, inclusive"),
    to: str | None = Query(None, pattern=DATE_PATTERN, description="YYYY-MM-DD, inclusive"),
    admin1: str | None = Query(None, max_length=200, description="oblast"),
    weapon_class: str | None = Query(None, max_length=200),
    object: str | None = Query(None, max_length=200, description="object type hit, e.g. hospital"),
    flag: str | None = Query(None, max_length=200, description="a screening flag kind the incident has (not dismissed): "
                             "protected_object, wide_area_populated, cluster_populated, inaccurate_weapon"),
    grade: str | None = Query(None, max_length=200), status: str | None = Query(None, max_length=200),
    min_killed: int | None = Query(None, ge=0, le=query.MAX_INT, description="killed (best) at least this"),
    q: str | None = Query(None, max_length=200, description="text in place, weapon, claim passages or source titles"),
) -> query.Filters:
    """The shared filters, declared (and range-checked: 422) here, parsed by query.Filters (400)."""
    return _filters(request)


def _next_link(request: Request, token: str | None) -> str | None:
    """The URL of the next keyset page: this request's parameters with `cursor`, without `offset`."""
    if token is None:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "offset")]
    return f"{request.url.path}?{urlencode(params + [('cursor', token)])}"


@router.get("/incidents", summary="List incidents (JSON or GeoJSON), filtered, in pages (cursor or offset)",
            responses=READ_FILTERED)
def list_incidents(
    request: Request,
    format: Literal["json", "geojson"] = Query("json", description="json or geojson"),
    limit: int = Query(100, ge=0, le=query.MAX_LIMIT),
    offset: int = Query(0, ge=0, le=query.MAX_INT, description="rows to skip (slow deep in a large list: "
                                                                 "follow `next`, a cursor, instead)"),
    cursor: str | None = Query(None, max_length=500, description="the page after this one: the token in the "
                                                                  "previous answer's `next` link (no `total` "
                                                                  "is counted; not with offset)"),
    count: Literal["capped", "exact"] = Query("capped", description=f"`capped`: `total` is counted up to "
                                               f"{query.TOTAL_CAP:,} (or offset + limit if more), beyond which "
                                               "`total_exact` is false and `total` means at least that many; "
                                               "`exact`: counted in full (slow for a large view)"),
    viewer: Viewer = Depends(api_reader),  # before the filters: who asks is checked first
    f: query.Filters = Depends(filter_params),
) -> dict:
    db = request.app.state.db
    exact: bool | None = None
    if cursor is not None:
        if offset:
            raise HTTPException(400, "use either cursor or offset, not both")
        try:
            rows, token = query.search_after(db, f, limit, cursor)
        except query.FilterError as e:
            raise HTTPException(400, str(e)) from None
        total = None
    else:
        total, exact, rows = query.search_page(db, f, limit, offset, None if count == "exact" else query.TOTAL_CAP)
        token = (query.encode_cursor(rows[-1]["date"], rows[-1]["id"])
                 if rows and (offset + len(rows) < total or not exact) else None)
    nxt = _next_link(request, token)
    if format == "geojson":
        out = query.geojson(total, rows, limit, offset, exact)
        out["next"] = nxt
        return json_answer(request, out)
    return json_answer(request, {"total": total, "total_exact": exact, "limit": limit, "offset": offset, "next": nxt,
                                 "incidents": rows})


@router.get("/clusters", summary="The map: incidents counted in grid cells for a bbox and zoom (points where few)",
            responses=READ_FILTERED)
def get_clusters(
    request: Request,
    zoom: int = Query(..., ge=0, le=clusters.MAX_ZOOM, description="the map's zoom level (cells of 64 px)"),
    viewer: Viewer = Depends(api_reader),
    f: query.Filters = Depends(filter_params),
) -> dict:
    """`bbox` is the visible area (default: everywhere); the other filters as for /api/incidents."""
    return json_answer(request, clusters.clusters(request.app.state.db, f, zoom))


@router.get("/export/{fmt}", summary="Every incident matching the filters as a streamed file: GeoJSON, CSV, "
                                    "ACLED- or UCDP-style CSV", responses={**READ_FILTERED, **_answers(404)},
            response_class=StreamingResponse)
def get_export(request: Request, fmt: str = Path(..., description="geojson, csv, acled or ucdp"),
               viewer: Viewer = Depends(api_reader), f: query.Filters = Depends(filter_params)):
    """Written while it is read from the database (memory flat with the number of incidents)."""
    from .lists import EXPORTS, stream_export
    if fmt not in EXPORTS:
        raise HTTPException(404, f"no export format {fmt!r}: use {', '.join(EXPORTS)}")
    return stream_export(request.app.state.db, fmt, f)


@router.get("/timeline", summary="Incidents and killed per day (the list filters, without from/to)",
            responses=READ_FILTERED)
def get_timeline(request: Request, viewer: Viewer = Depends(api_reader),
                 f: query.Filters = Depends(filter_params)) -> dict:
    return json_answer(request, {"days": query.timeline(request.app.state.db, f)})


@router.get("/incidents/{incident_id}", summary="One incident: resolved fields, claims, disagreements, history",
            responses=READ_INCIDENT)
def get_incident(request: Request, incident_id: str = IncidentId, viewer: Viewer = Depends(api_reader)) -> dict:
    return json_answer(request, _incident(request, incident_id))


@router.get("/incidents/{incident_id}/claims", summary="The claims of one incident, with sources and quotes",
            responses=READ_INCIDENT)
def get_claims(request: Request, incident_id: str = IncidentId, viewer: Viewer = Depends(api_reader)) -> dict:
    inc = _incident(request, incident_id)
    return json_answer(request, {"incident": incident_id, "claims": inc["claim_details"]})


@router.get("/sources/{doc_id:path}", responses=READ_ONE,
            summary="One document (current version): text, claims, tallies, source links (doc_id may hold '/')")
def get_source(doc_id: str, request: Request, viewer: Viewer = Depends(api_reader)) -> dict:
    src = query.source_detail(request.app.state.db, doc_id)
    if src is None:
        raise HTTPException(404, f"no source {doc_id!r}")
    return json_answer(request, src)


@router.get("/tallies", summary="Aggregate figures (tallies) of every current document", responses=READ)
def get_tallies(request: Request, viewer: Viewer = Depends(api_reader)) -> dict:
    return json_answer(request, {"tallies": query.tallies(request.app.state.db)})


# --- writes (analyst or admin) ---------------------------------------------------------------------

async def _run(fn, *args, request: Request | None = None, incident_id: str | None = None):
    try:
        return await run_in_threadpool(fn, *args)
    except service.ResolutionError as e:
        raise _resolution_error(e, request, incident_id) from None


@router.post("/incidents/merge", summary="Merge two incidents into one", responses=WRITE)
async def merge(body: MergeBody, request: Request, viewer: Viewer = Depends(api_analyst)) -> dict:
    iid = await _run(service.merge, request.app.state.db, body.a, body.b, viewer.name, body.reason)
    return {"incident": iid}


async def _set_status(request: Request, incident_id: str, action: str, viewer: Viewer, body: "Reason | None") -> None:
    await _run(service.set_status, request.app.state.db, incident_id, action, viewer.name, body.reason if body else None,
               bool(body and body.override), request=request, incident_id=incident_id)


@router.post("/incidents/{incident_id}/verify", summary="Mark an incident verified", responses=WRITE_INCIDENT)
async def verify(request: Request, incident_id: str = IncidentId, body: Reason | None = None,
                 viewer: Viewer = Depends(api_analyst)) -> dict:
    await _set_status(request, incident_id, "verify", viewer, body)
    return {"incident": incident_id, "status": "verified"}


@router.post("/incidents/{incident_id}/discount", summary="Discount an incident", responses=WRITE_INCIDENT)
async def discount(request: Request, incident_id: str = IncidentId, body: Reason | None = None,
                   viewer: Viewer = Depends(api_analyst)) -> dict:
    await _set_status(request, incident_id, "discount", viewer, body)
    return {"incident": incident_id, "status": "discounted"}


@router.post("/incidents/{incident_id}/reopen", summary="Withdraw a verify/discount ruling", responses=WRITE_INCIDENT)
async def reopen(request: Request, incident_id: str = IncidentId, body: Reason | None = None,
                 viewer: Viewer = Depends(api_analyst)) -> dict:
    await _set_status(request, incident_id, "reopen", viewer, body)
    return {"incident": incident_id, "status": "unreviewed"}


@router.post("/incidents/{incident_id}/edit", summary="Correct one resolved field (with a reason)", responses=WRITE_INCIDENT)
async def edit(body: EditBody, request: Request, incident_id: str = IncidentId,
               viewer: Viewer = Depends(api_analyst)) -> dict:
    iid = await _run(service.edit_field, request.app.state.db, incident_id, body.field, body.value, viewer.name,
                     body.reason, request=request, incident_id=incident_id)
    return {"incident": iid}


@router.post("/incidents/{incident_id}/split", summary="Split claims out of an incident", responses=WRITE_INCIDENT)
async def split(body: SplitBody, request: Request, incident_id: str = IncidentId,
                viewer: Viewer = Depends(api_analyst)) -> dict:
    ids = await _run(service.split, request.app.state.db, incident_id, body.claims, viewer.name, body.reason,
                     request=request, incident_id=incident_id)
    return {"incidents": ids}


@router.post("/claims/{key:path}/unlink", summary="Detach one claim (doc_id#ordinal, '#' as %23) from its incident",
             responses=WRITE)
async def unlink(key: str, request: Request, body: Reason | None = None, viewer: Viewer = Depends(api_analyst)) -> dict:
    iid = await _run(service.unlink, request.app.state.db, key, viewer.name, body.reason if body else None)
    return {"incident": iid}


@router.get("/incidents/{incident_id}/suggestions", summary="Merge candidates: nearest other incidents with pair scores",
            responses=READ_INCIDENT)
def get_suggestions(request: Request, incident_id: str = IncidentId, viewer: Viewer = Depends(api_reader)) -> dict:
    try:
        return json_answer(request, {"incident": incident_id,
                                     "suggestions": service.merge_suggestions(request.app.state.db, incident_id)})
    except service.ResolutionError as e:
        raise _resolution_error(e, request, incident_id) from None


def assigned_filter(assigned: str | None, viewer: Viewer) -> dict:
    """?assigned=mine (the caller's), none (nobody's) or a user name -> review_queue's keywords."""
    if not assigned:
        return {}
    if assigned == "none":
        return {"unassigned": True}
    if assigned == "mine":
        if viewer.name is None:
            raise HTTPException(400, "assigned=mine needs a signed-in user or a token")
        return {"assignee": viewer.name}
    return {"assignee": assigned}


@router.get("/review", summary="Incidents to review in review order (contested, withheld values, high toll, newest)",
            responses=READ_FILTERED)
def get_review_queue(request: Request, limit: int = Query(100, ge=0, le=query.MAX_LIMIT),
                     offset: int = Query(0, ge=0, le=query.MAX_INT),
                     assigned: str | None = Query(None, max_length=200,
                                                  description="mine (yours), none (nobody's) or a user name"),
                     viewer: Viewer = Depends(api_reader)) -> dict:
    total, rows = service.review_queue(request.app.state.db, query.conditions(_filters(request)), limit, offset,
                                       **assigned_filter(assigned, viewer))
    return json_answer(request, {"total": total, "limit": limit, "offset": offset, "incidents": rows})


class BulkBody(BaseModel):
    incidents: list[str] = Field(..., min_length=1, max_length=review.MAX_BULK, description="incident ids")
    action: Literal["verify", "discount", "assign", "approve"]
    reason: str | None = Field(None, max_length=2000,
                               description="One reason for the whole batch (required for verify and discount)")
    assignee: str | None = Field(None, max_length=200,
                                 description="assign only: an analyst's or admin's user name; empty: nobody")
    override: bool = Field(False, description="verify only, admins only: confirm although the grade rule does not hold")

    @field_validator("reason")
    @classmethod
    def _reason_visible(cls, v: str | None) -> str | None:
        return _visible(v)


@router.post("/review/bulk", summary="One action (verify, discount, assign, approve) on several incidents, all or none",
             responses=WRITE)
async def post_bulk(body: BulkBody, request: Request, viewer: Viewer = Depends(api_analyst)) -> dict:
    done = await _run(review.bulk, request.app.state.db, body.incidents, body.action, viewer.name, body.reason,
                      body.assignee, body.override)
    return {"action": body.action, "incidents": done}


class AssignBody(BaseModel):
    assignee: str | None = Field(None, max_length=200, description="an analyst's or admin's user name; null: nobody")
    reason: str | None = Field(None, max_length=2000, description="Why (kept in the audit log); if given, it needs visible text")

    @field_validator("reason")
    @classmethod
    def _reason_visible(cls, v: str | None) -> str | None:
        return _visible(v)


@router.post("/incidents/{incident_id}/assign", summary="Assign (or reassign, or unassign) the incident's reviewer",
             responses=WRITE_INCIDENT)
async def post_assign(body: AssignBody, request: Request, incident_id: str = IncidentId,
                      viewer: Viewer = Depends(api_analyst)) -> dict:
    changed = await _run(review.assign, request.app.state.db, incident_id, body.assignee, viewer.name, body.reason,
                         request=request, incident_id=incident_id)
    return {"incident": incident_id, "assignee": body.assignee or None, "changed": changed}


@router.post("/incidents/{incident_id}/approve", summary="Second review: approve another analyst's verify or discount",
             responses=WRITE_INCIDENT)
async def post_approve(request: Request, incident_id: str = IncidentId, body: Reason | None = None,
                       viewer: Viewer = Depends(api_analyst)) -> dict:
    await _run(review.approve, request.app.state.db, incident_id, viewer.name, body.reason if body else None,
               request=request, incident_id=incident_id)
    return {"incident": incident_id, "review": "approved"}


@router.post("/incidents/{incident_id}/comments", summary="Comment on an incident (audited)", responses=WRITE_INCIDENT)
async def post_comment(body: CommentBody, request: Request, incident_id: str = IncidentId,
                       viewer: Viewer = Depends(api_analyst)) -> dict:
    cid = await _run(service.comment, request.app.state.db, incident_id, viewer.name, body.text, request=request,
                     incident_id=incident_id)
    return {"incident": incident_id, "comment": cid}



class DismissBody(BaseModel):
    reason: str = Field(..., max_length=2000, description="Why the flag is dismissed (required; kept in the audit log)")

    @field_validator("reason")
    @classmethod
    def _reason_visible(cls, v: str) -> str:
        return _visible(v, required=True)


@router.post("/flags/{flag_id}/dismiss", summary="Dismiss a screening flag with a reason (audited)",
             responses=WRITE)
async def dismiss_flag(body: DismissBody, request: Request,
                       flag_id: str = Path(..., min_length=1, max_length=100, description="flag id, e.g. flg-0123456789abcdef"),
                       viewer: Viewer = Depends(api_analyst)) -> dict:
    from ..assess.flags import dismiss
    from ..errors import AssessmentError
    try:
        f = await run_in_threadpool(dismiss, request.app.state.db, flag_id, body.reason, viewer.name)
    except AssessmentError as e:
        raise HTTPException(404 if str(e).startswith("no flag") else 400, str(e)) from None
    return f.to_dict()
