"""Server-rendered pages: map, incident, source, tallies, review queue, login; review forms (POST + CSRF).

Every filter state is in the URL (GET forms), so any view can be shared as a link. Pages work
without JavaScript (the incident list is a table); app.js adds the map and the timeline.
"""
from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from ..auth import authenticate
from ..auth.users import MAX_PASSWORD_LENGTH
from ..resolve import explain, review, service
from ..resolve.summary import VICTIM_FIELDS
from ..text_checks import TextError, visible_reason
from . import highlight, query
from .auth import Viewer, csrf_ok, identify, login, logout, page_analyst, page_reader
from .throttle import MAX_NAME_LENGTH

router = APIRouter(include_in_schema=False)

WEAPON_CLASSES = ("air_bomb", "ballistic_missile", "cruise_missile", "drone", "landmine", "mortar", "rocket_artillery",
                  "small_arms", "tube_artillery", "unknown")
GRADES = ("confirmed", "fair", "weak", "contested", "discounted")


def render(request: Request, name: str, status_code: int = 200, **ctx) -> HTMLResponse:
    from .auth import csrf_token
    env = request.app.state.templates
    viewer = identify(request)
    flash = request.session.pop("flash", None) if "session" in request.scope else None
    html = env.get_template(name).render(request=request, viewer=viewer, csrf=csrf_token(request), flash=flash,
                                         anonymous_read=request.app.state.anonymous_read, **ctx)
    return HTMLResponse(html, status_code=status_code)


def _filters(request: Request) -> tuple[query.Filters, str | None]:
    try:
        return query.Filters.parse(request.query_params), None
    except query.FilterError as e:
        return query.Filters(), str(e)


def _safe_next(url: str | None) -> str:
    """Only a local path (no scheme, no //host): an open redirect would help phishing."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


# --- reading ------------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def map_page(request: Request, viewer: Viewer = Depends(page_reader)):
    db = request.app.state.db
    f, error = _filters(request)
    colour = request.query_params.get("colour") if request.query_params.get("colour") in ("weapon", "grade") else "weapon"
    total, rows = query.search(db, f, limit=200)
    params = f.params()
    geo_url = "/api/incidents?" + urlencode({**params, "format": "geojson", "limit": query.MAX_LIMIT})
    timeline_url = "/api/timeline?" + urlencode(params)
    # the map asks for grid cells of its view (web/clusters.py): the filters but the bbox, which the
    # script intersects with the view
    clusters_url = "/api/clusters?" + urlencode({k: v for k, v in params.items() if k != "bbox"})
    # incidents the map cannot draw (no point, not even an oblast centre), counted and linked
    # (none inside a bounding box: an incident without a point is in no box, so there is nothing to count)
    no_point = total if f.no_point else 0 if f.bbox else query.search(db, replace(f, no_point=True), limit=0)[0]
    no_point_url = "/incidents?" + urlencode({**params, "no_point": "1"})
    return render(request, "map.html", f=f, params=params, error=error, total=total, rows=rows, colour=colour,
                  choices=query.choices(db), geo_url=geo_url, timeline_url=timeline_url,
                  clusters_url=clusters_url, no_point=no_point, no_point_url=no_point_url,
                  weapon_classes=WEAPON_CLASSES, grades=GRADES)


def _range_cells(inc: dict) -> list[dict]:
    return [{"field": f, **inc[f]} for f in VICTIM_FIELDS]


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(incident_id: str, request: Request, viewer: Viewer = Depends(page_reader)):
    db = request.app.state.db
    try:
        inc = service.show(db, incident_id)
    except service.ResolutionError:
        target = service.redirect_target(db, incident_id)  # merged away: its URL leads to the merged incident
        if target is None:
            raise HTTPException(404, f"no incident {incident_id}") from None
        return RedirectResponse(f"/incidents/{quote(target)}", status_code=301)
    claims = []
    for c in query.claim_contexts(db, incident_id):
        spans = highlight.evidence_spans(c["evidence"])
        if c["span_start"] is not None:
            spans.append(highlight.Span(c["span_start"], c["span_end"], "claim passage", "claim"))
        a, b = c["window"]
        c["context"] = highlight.render(c["text"], spans, a, b)
        c["elsewhere"] = [{"field": k, "quote": v.get("quote"), "start": v.get("start")}
                          for k, v in c["evidence"].items() if isinstance(v, dict) and isinstance(v.get("start"), int)
                          and not (a <= v["start"] < b)]
        c["lead"] = a > 0
        c["tail"] = b < len(c["text"])
        del c["text"]
        claims.append(c)
    return render(request, "incident.html", inc=inc, claims=claims, ranges=_range_cells(inc),
                  history=service.history(db, incident_id, inc["claims"]), editable=service.EDITABLE,
                  sources=query.source_titles(db, inc["source_docs"]), comments=service.comments(db, incident_id, inc["claims"]),
                  suggestions=service.merge_suggestions(db, incident_id) if viewer.can("analyst") else [],
                  review_state=review.review_state(db, incident_id),
                  rereports=explain.rereports(db, inc), inferred=explain.inferred(claims, inc),
                  assessment=_assessment(db, inc),
                  reviewers=_reviewers(db) if viewer.can("analyst") else [])


def _reviewers(db) -> list[str]:
    """Active analysts and admins: whom an incident can be assigned to."""
    from ..auth.users import list_users
    return [u.name for u in list_users(db) if u.active and u.role in ("analyst", "admin")]


@router.get("/sources/{doc_id:path}", response_class=HTMLResponse)  # a doc_id may hold '/', '%', spaces
def source_page(doc_id: str, request: Request, viewer: Viewer = Depends(page_reader)):
    src = query.source_detail(request.app.state.db, doc_id)
    if src is None:
        raise HTTPException(404, f"no source {doc_id}")
    spans = []
    for c in src["claims"]:
        spans += highlight.evidence_spans(c["evidence"])
        if c["span_start"] is not None:
            spans.append(highlight.Span(c["span_start"], c["span_end"], f"claim {c['ordinal']}", "claim",
                                        anchor=f"claim-{c['ordinal']}"))
    for t in src["tallies"]:
        spans += highlight.evidence_spans(t["evidence"], "tally")
        if t["span_start"] is not None:
            spans.append(highlight.Span(t["span_start"], t["span_end"], f"tally {t['ordinal']}", "tallyspan",
                                        anchor=f"tally-{t['ordinal']}"))
    body = highlight.render(src["text"], spans)
    return render(request, "source.html", src=src, body=body)


@router.get("/tallies", response_class=HTMLResponse)
def tallies_page(request: Request, viewer: Viewer = Depends(page_reader)):
    return render(request, "tallies.html", tallies=query.tallies(request.app.state.db))


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, viewer: Viewer = Depends(page_reader)):
    db = request.app.state.db
    f, error = _filters(request)
    f.status = None  # the queue: unreviewed incidents in priority order (service.review_queue)
    try:
        offset = query.whole_number("offset", request.query_params.get("offset") or "0")
    except query.FilterError as e:
        offset, error = 0, error or str(e)
    assigned = (request.query_params.get("assigned") or "").strip()[:200]
    who = {}
    if assigned == "mine" and viewer.name is None:
        error = error or "assigned=mine: sign in to see the incidents assigned to you"
    elif assigned:
        from .api import assigned_filter
        who = assigned_filter(assigned, viewer)
    total, rows = service.review_queue(db, query.conditions(f), limit=100, offset=offset, **who)
    params = f.without("status").params()
    if assigned:
        params["assigned"] = assigned
    return render(request, "review.html", rows=rows, total=total, offset=offset, error=error, params=params, f=f,
                  assigned=assigned, choices=query.choices(db), weapon_classes=WEAPON_CLASSES,
                  reviewers=_reviewers(db) if viewer.can("analyst") else [], second_review=review._second_on(None),
                  here="/review" + ("?" + urlencode(params) if params else ""))


@router.post("/review/bulk")
async def bulk_post(request: Request, viewer: Viewer = Depends(page_analyst)):
    form = await _form(request)
    ids = [i for i in (await request.form()).getlist("ids") if isinstance(i, str)]
    back = _safe_next(form.get("next") or "/review")
    if not back.startswith("/review"):
        back = "/review"
    action = form.get("action", "")
    r = await _decide(request, back, review.bulk, request.app.state.db, ids, action, viewer.name,
                      form.get("reason") or None, form.get("assignee") or None)
    if isinstance(r, RedirectResponse):
        return r
    changed = sum(1 for x in r if x["changed"])
    what = {"verify": "verified", "discount": "discounted", "approve": "approved",
            "assign": f"assigned to {form.get('assignee')}" if form.get("assignee") else "unassigned"}[action]
    request.session["flash"] = {"kind": "ok", "text": f"{changed} of {len(r)} incidents {what}: "
                                                      + ", ".join(x["incident"] for x in r)}
    return RedirectResponse(back, status_code=303)


# --- sign in and out --------------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request):
    return render(request, "login.html", next=_safe_next(request.query_params.get("next")), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login_post(request: Request):
    form = await request.form()
    nxt = _safe_next(str(form.get("next") or "/"))
    if not csrf_ok(request, form.get("csrf")):
        return render(request, "login.html", status_code=403, next=nxt,
                      error="The form had expired. Please sign in again.")
    name, password = str(form.get("name") or ""), str(form.get("password") or "")
    if len(name) > MAX_NAME_LENGTH or len(password) > MAX_PASSWORD_LENGTH:  # refused before it is counted or hashed
        return render(request, "login.html", status_code=422, next=nxt,
                      error=f"Name (at most {MAX_NAME_LENGTH} characters) or password "
                            f"(at most {MAX_PASSWORD_LENGTH}) too long.")
    throttle = request.app.state.login_throttle
    # counted as failed until proven right (in a thread: the shared throttle waits for the database)
    wait, attempt = await run_in_threadpool(throttle.reserve, name, throttle.client(request))
    if wait:
        resp = render(request, "login.html", status_code=429, next=nxt,
                      error=f"Too many failed sign-ins. Try again in {wait // 60 + 1} minutes.")
        resp.headers["Retry-After"] = str(wait)
        return resp
    user = await run_in_threadpool(authenticate, request.app.state.db, name, password)
    if user is None:
        return render(request, "login.html", status_code=401, next=nxt, error="Wrong name or password.")
    await run_in_threadpool(throttle.release, attempt)
    login(request, user)
    return RedirectResponse(nxt, status_code=303)


@router.post("/logout")
async def logout_post(request: Request):
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")):
        raise HTTPException(403, "missing or wrong CSRF token")
    logout(request)
    return RedirectResponse("/login", status_code=303)


# --- review forms (analyst or admin; CSRF) -----------------------------------------------------------

async def _form(request: Request) -> dict:
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    out = {k: form.getlist(k) if k == "claims" else str(form.get(k) or "") for k in form.keys()}
    if out.get("reason"):  # a reason, if given, needs visible text (the same check as the API and the CLI)
        try:
            out["reason"] = visible_reason(out["reason"]) or ""
        except TextError as e:
            raise HTTPException(400, str(e)) from None
    return out


async def _decide(request: Request, back: str, fn, *args) -> RedirectResponse:
    try:
        result = await run_in_threadpool(fn, *args)
    except service.ResolutionError as e:
        request.session["flash"] = {"kind": "error", "text": str(e)}
        return RedirectResponse(back, status_code=303)
    return result


def _done(request: Request, iid: str, text: str) -> RedirectResponse:
    request.session["flash"] = {"kind": "ok", "text": text}
    return RedirectResponse(f"/incidents/{quote(iid)}", status_code=303)


@router.post("/incidents/merge")
async def merge_post(request: Request, viewer: Viewer = Depends(page_analyst)):
    form = await _form(request)
    a, b = form.get("a", "").strip(), form.get("b", "").strip()
    r = await _decide(request, f"/incidents/{quote(a)}", service.merge, request.app.state.db, a, b, viewer.name,
                      form.get("reason") or None)
    return r if isinstance(r, RedirectResponse) else _done(request, r, f"Merged {a} and {b}.")


@router.post("/incidents/{incident_id}/{action}")
async def status_post(incident_id: str, action: str, request: Request, viewer: Viewer = Depends(page_analyst)):
    form = await _form(request)
    db, back = request.app.state.db, f"/incidents/{quote(incident_id)}"
    reason = form.get("reason") or None
    if action == "comment":
        r = await _decide(request, back, service.comment, db, incident_id, viewer.name, form.get("text") or None)
        return r if isinstance(r, RedirectResponse) else _done(request, incident_id, "Comment added.")
    if action in ("verify", "discount", "reopen"):
        r = await _decide(request, back, service.set_status, db, incident_id, action, viewer.name, reason,
                          form.get("override") == "1")
        if isinstance(r, RedirectResponse):
            return r
        nxt = _safe_next(form.get("next") or back)
        request.session["flash"] = {"kind": "ok", "text": f"{incident_id}: {action} recorded."}
        return RedirectResponse(nxt, status_code=303)
    if action == "assign":
        who = form.get("assignee") or None
        r = await _decide(request, back, review.assign, db, incident_id, who, viewer.name, reason)
        if isinstance(r, RedirectResponse):
            return r
        return _done(request, incident_id, f"Assigned to {who}." if who else "Unassigned.")
    if action == "approve":
        r = await _decide(request, back, review.approve, db, incident_id, viewer.name, reason)
        if isinstance(r, RedirectResponse):
            return r
        nxt = _safe_next(form.get("next") or back)
        request.session["flash"] = {"kind": "ok", "text": f"{incident_id}: second review recorded."}
        return RedirectResponse(nxt, status_code=303)
    if action == "edit":
        r = await _decide(request, back, service.edit_field, db, incident_id, form.get("field", ""),
                          form.get("value"), viewer.name, reason)
        return r if isinstance(r, RedirectResponse) else _done(request, r, f"{form.get('field')} edited.")
    if action == "split":
        claims = [c for c in (await request.form()).getlist("claims") if isinstance(c, str)]
        r = await _decide(request, back, service.split, db, incident_id, claims, viewer.name, reason)
        if isinstance(r, RedirectResponse):
            return r
        return _done(request, r[0], f"Split into {', '.join(r)}.")
    raise HTTPException(404, f"unknown action {action!r}")


@router.post("/claims/{key:path}/unlink")
async def unlink_post(key: str, request: Request, viewer: Viewer = Depends(page_analyst)):
    form = await _form(request)
    back = _safe_next(form.get("next") or "/")
    r = await _decide(request, back, service.unlink, request.app.state.db, key, viewer.name, form.get("reason") or None)
    return r if isinstance(r, RedirectResponse) else _done(request, r, f"{key} unlinked.")


def to_json(value) -> str:  # noqa: ANN001
    return json.dumps(value, ensure_ascii=False, default=str)


def _assessment(db, inc: dict) -> dict:  # noqa: ANN001
    from ..assess import for_incident
    return for_incident(db, inc)  # weapon profile, screening flags, chronolocation (_assess.html)


@router.post("/flags/{flag_id}/dismiss")
async def dismiss_flag_post(flag_id: str, request: Request, viewer: Viewer = Depends(page_analyst)):
    from ..assess.flags import dismiss
    from ..errors import AssessmentError
    form = await _form(request)
    back = _safe_next(form.get("next"))
    try:
        f = await run_in_threadpool(dismiss, request.app.state.db, flag_id, form.get("reason") or None, viewer.name)
    except AssessmentError as e:
        request.session["flash"] = {"kind": "error", "text": str(e)}
        return RedirectResponse(back, status_code=303)
    return _done(request, f.incident_id, f"Flag dismissed: {f.title}.")
