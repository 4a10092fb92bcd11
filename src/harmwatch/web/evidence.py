"""The evidence panel of the incident page and its routes (evidence/; docs/evidence.md).

* ``POST /incidents/{id}/evidence``: analysts and admins upload a file (CSRF like every form; the
  size limit HARMWATCH_EVIDENCE_MAX_BYTES is checked on Content-Length before the body is read, and
  again while reading). The file goes through `evidence.store.add`, the CLI's path.
* ``GET /evidence/{item}/thumbnail``: the thumbnail, for whoever may read the incident page.
* ``GET /evidence/{item}/original``: the file as filed, always as a download (never rendered by the
  browser); each download is an ``evidence.view`` custody entry in the audit chain.
* `panel(request, incident_id)`: what ``_evidence.html`` shows (a template global).
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from .. import settings
from ..errors import HarmWatchError
from ..evidence import media, store
from .auth import Viewer, csrf_ok, page_analyst, page_reader

router = APIRouter(include_in_schema=False)
FORM_SLACK = 64 * 1024
MAX_FIELD_CHARS = {"source_url": 2000, "collector": 200, "captured_at": 32}


def panel(request: Request, incident_id: str, members: list[str] | None = None) -> dict:
    """The incident's evidence for the page: records plus the upload limit (`members`: its claim keys)."""
    items = store.items_for_incident(request.app.state.db, incident_id, members)
    return {"items": items, "limit": store.max_bytes(), "kinds": media.KINDS}


def _back(incident_id: str, kind: str, text: str, request: Request) -> RedirectResponse:
    request.session["flash"] = {"kind": kind, "text": text}
    return RedirectResponse(f"/incidents/{quote(incident_id, safe='')}#evidence", status_code=303)


@router.post("/incidents/{incident_id}/evidence")
async def upload_evidence(incident_id: str, request: Request, viewer: Viewer = Depends(page_analyst)):
    limit = store.max_bytes()
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if declared > limit + FORM_SLACK:  # refused before the body is read or spooled
        raise HTTPException(413, f"the upload is {declared:,} bytes; the evidence limit is {limit:,} bytes "
                                 f"({settings.EVIDENCE_MAX_BYTES.env})")
    form = await request.form(max_files=1, max_fields=10)
    if not csrf_ok(request, form.get("csrf")):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    meta = {k: (str(form.get(k) or "").strip() or None) for k in ("source_url", "collector", "captured_at", "kind")}
    for key, most in MAX_FIELD_CHARS.items():
        if meta.get(key) and len(meta[key]) > most:
            return _back(incident_id, "error", f"Not stored: {key} has more than {most} characters.", request)
    if meta["source_url"] and not meta["source_url"].lower().startswith(("http://", "https://")):
        return _back(incident_id, "error", "Not stored: the source URL must start with http:// or https://.", request)
    when = None
    if meta["captured_at"]:
        try:
            when = datetime.fromisoformat(meta["captured_at"])
        except ValueError:
            return _back(incident_id, "error", "Not stored: 'captured at' is not a date and time.", request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _back(incident_id, "error", "Choose a file to upload.", request)
    data = await upload.read(limit + 1)  # never more than one byte over the limit in memory
    name = media_name(upload.filename)
    try:
        rec = await run_in_threadpool(store.add, request.app.state.db, data, incident_id, actor=viewer.name,
                                      filename=name, source_url=meta["source_url"], captured_at=when,
                                      collector=meta["collector"], kind=meta["kind"] or None)
    except HarmWatchError as e:
        return _back(incident_id, "error", f"Not stored: {e}", request)
    text = (f"{rec.filename}: {'already filed here' if rec.status == 'unchanged' else 'stored'}, sha256 {rec.sha256}."
            + (f" Recycled media? {len(rec.warnings)} earlier match{'es' if len(rec.warnings) != 1 else ''}."
               if rec.warnings else ""))
    return _back(incident_id, "ok", text, request)


def media_name(filename: str) -> str:
    from .upload import safe_name
    return safe_name(filename)


def _item(request: Request, item_id: int) -> store.EvidenceRecord:
    rec = store.get(request.app.state.db, item_id)
    if rec is None:
        raise HTTPException(404, f"no evidence item {item_id}")
    return rec


@router.get("/evidence/{item_id}/thumbnail")
def thumbnail(item_id: int, request: Request, viewer: Viewer = Depends(page_reader)):
    rec = _item(request, item_id)
    if rec.thumbnail is None:
        raise HTTPException(404, f"evidence item {item_id} has no thumbnail")
    try:
        body = rec.thumbnail.read_bytes()
    except OSError:
        raise HTTPException(404, f"the thumbnail of evidence item {item_id} is missing from the store") from None
    return Response(body, media_type="image/jpeg")


@router.get("/evidence/{item_id}/original")
def original(item_id: int, request: Request, viewer: Viewer = Depends(page_reader)):
    rec = _item(request, item_id)
    try:
        body = rec.path.read_bytes()
    except OSError:
        raise HTTPException(404, f"the file of evidence item {item_id} is missing from the store") from None
    store.record_custody(request.app.state.db, viewer.name or "anonymous", "evidence.view", [item_id],
                         {"via": "web", "sha256": rec.sha256})
    ext = media.EXT.get(rec.media_type, "bin")
    return Response(body, media_type="application/octet-stream",
                    headers={"content-disposition": f'attachment; filename="evidence-{item_id}-{rec.sha256[:12]}.{ext}"'})
