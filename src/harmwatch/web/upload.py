"""Uploading reports in the browser (`/upload`, analysts and admins; CSRF like every form).

An uploaded file goes through the same path as `harmwatch ingest`: it is written to a private
temporary folder with a one-row manifest carrying the form's metadata, then `ingest.ingest` reads it
(the same readers, size and encoding checks, language detection), `store.writer` stores it (archive,
versions, claims, search index) and `resolve.service.resolve` links its claims into incidents.

* Accepted: .txt .md .html .htm .pdf .json .jsonl (ingest.readers.SUPPORTED); anything else is 400.
* Size: HARMWATCH_UPLOAD_MAX_BYTES (settings.py, 10 MB by default): a request whose Content-Length is
  over it is refused (413) before the body is read, and a file found larger while reading is too.
* Bad content (not UTF-8/UTF-16, binary, an unreadable PDF, a bad JSON record): 400 with the reader's
  message; nothing of that file is stored (a .jsonl keeps its good records, as on the command line).
* doc_id: the form's, else `upload/<file name>-<first 12 hex of the SHA-256>`, so uploading the same
  bytes again finds the stored document (unchanged) instead of adding a copy.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from starlette.datastructures import UploadFile

from .. import settings
from ..errors import HarmWatchError
from ..ingest.manifest import Manifest, ManifestRow
from ..ingest.readers import MAX_DOCUMENT_BYTES, SUPPORTED
from ..store.models import Claim, Source, Tally
from .auth import Viewer, csrf_ok, page_analyst

router = APIRouter(include_in_schema=False)

FORM_SLACK = 64 * 1024  # multipart boundaries and the metadata fields around the file
MAX_FIELD_CHARS = {"title": 500, "publisher": 200, "published": 10, "url": 2000, "doc_id": 200}


class UploadError(HarmWatchError):
    """An upload refused before ingest: `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def max_bytes() -> int:
    """HARMWATCH_UPLOAD_MAX_BYTES, capped at the ingest limit (an upload never gets past the CLI's)."""
    n = settings.UPLOAD_MAX_BYTES.number()
    if n is None or n <= 0:
        from ..errors import SettingError
        raise SettingError(f"{settings.UPLOAD_MAX_BYTES.env} must be a positive number of bytes")
    return int(min(n, MAX_DOCUMENT_BYTES))


@dataclass
class UploadResult:
    file: str
    documents: list[dict] = field(default_factory=list)  # doc_id, status, title, language, claims, tallies, incidents
    notices: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    incidents: int = 0  # after resolution, in the whole database


def safe_name(filename: str) -> str:
    """The uploaded file's base name with only letters, digits, '.', '-' and '_' (the extension kept)."""
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^\w.-]+", "_", stem, flags=re.ASCII).strip("._")[:80] or "report"
    return stem + suffix


def ingest_upload(db, filename: str, data: bytes, meta: dict[str, str | None], extractor=None) -> UploadResult:  # noqa: ANN001
    """Store and extract one uploaded file through ingest.ingest (the CLI's path), then resolve.

    UploadError for an unsupported type or a file over the limit; reader problems are in `failures`."""
    from ..extract.pipeline import default_extractor
    from ..ingest import ingest
    from ..resolve.service import resolve
    name = safe_name(filename)
    suffix = Path(name).suffix
    if suffix not in SUPPORTED:
        raise UploadError(f"{filename or '(no name)'}: unsupported file type {suffix or '(no extension)'!r}; "
                          f"upload one of {' '.join(sorted(set(SUPPORTED)))}")
    limit = max_bytes()
    if len(data) > limit:
        raise UploadError(f"{name}: {len(data):,} bytes, over the upload limit of {limit:,} bytes "
                          f"({settings.UPLOAD_MAX_BYTES.env})", 413)
    if not data:
        raise UploadError(f"{name}: the file is empty")
    for key, most in MAX_FIELD_CHARS.items():
        if meta.get(key) and len(meta[key]) > most:
            raise UploadError(f"{key}: at most {most} characters")
    doc_id = meta.get("doc_id") or f"upload/{Path(name).stem}-{hashlib.sha256(data).hexdigest()[:12]}"
    result = UploadResult(file=name)
    with tempfile.TemporaryDirectory(prefix="harmwatch-upload-") as tmp:
        folder = Path(tmp)
        path = folder / name
        path.write_bytes(data)
        row = ManifestRow(file=path, doc_id=doc_id, title=meta.get("title"), publisher=meta.get("publisher"),
                          published=meta.get("published"), url=meta.get("url"), line=1)
        report = ingest([path], db, manifest=Manifest(folder / "manifest.csv", [row]),
                        extractor=extractor or default_extractor())

        def shown(message: str) -> str:  # the temporary folder means nothing to the user
            return message.replace(str(path), name).replace(str(folder), "")
        result.failures = [shown(f.message) for f in report.failed]
        result.notices = [shown(n.message) for n in report.notices]
    if report.sources:
        result.incidents = resolve(db).incidents
    result.documents = _documents(db, [s.source_id for s in report.sources],
                                  {s.source_id: s.status for s in report.sources})
    return result


def _documents(db, ids: list[int], status: dict[int, str]) -> list[dict]:  # noqa: ANN001
    if not ids:
        return []
    with db.session() as s:
        out = []
        for src in s.execute(select(Source.id, Source.doc_id, Source.title, Source.language, Source.extracted_at)
                             .where(Source.id.in_(ids)).order_by(Source.id)):
            claims = s.execute(select(Claim.ordinal, Claim.incident_id).where(Claim.source_id == src.id)
                               .order_by(Claim.ordinal)).all()
            tallies = s.scalar(select(func.count()).select_from(Tally).where(Tally.source_id == src.id)) or 0
            out.append({"doc_id": src.doc_id, "status": status.get(src.id), "title": src.title,
                        "language": src.language, "extracted": src.extracted_at is not None,
                        "claims": [{"ordinal": o, "incident_id": i} for o, i in claims], "tallies": tallies})
        return out


def _page(request: Request, status: int = 200, **ctx) -> HTMLResponse:
    from .pages import render
    return render(request, "upload.html", status_code=status, limit=max_bytes(), accept=" ".join(SUPPORTED),
                  form=ctx.pop("form", {}), **ctx)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, viewer: Viewer = Depends(page_analyst)):
    return _page(request)


@router.post("/upload", response_class=HTMLResponse)
async def upload_post(request: Request, viewer: Viewer = Depends(page_analyst)):
    limit = max_bytes()
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if declared > limit + FORM_SLACK:  # refused before the body is read or spooled
        return _page(request, 413, error=f"The upload is {declared:,} bytes; the limit is {limit:,} bytes per file "
                                         f"({settings.UPLOAD_MAX_BYTES.env}).")
    form = await request.form(max_files=1, max_fields=20)
    if not csrf_ok(request, form.get("csrf")):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    meta = {k: (str(form.get(k) or "").strip() or None) for k in ("title", "publisher", "published", "url", "doc_id")}
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, 400, form=meta, error="Choose a file to upload.")
    data = await upload.read(limit + 1)  # never more than one byte over the limit in memory
    try:
        result = await run_in_threadpool(ingest_upload, request.app.state.db, upload.filename, data, meta)
    except UploadError as e:
        return _page(request, e.status, form=meta, error=str(e))
    except HarmWatchError as e:  # the database cannot be written: nothing stored, say so
        return _page(request, 503, form=meta, error=f"Not stored: {e}")
    status = 400 if result.failures and not result.documents else 200
    return _page(request, status, form=meta if status != 200 else {}, result=result)
