"""Full-text search in the browser (`/search`) and the API (`/api/search`): documents and claim quotes.

Both call `harmwatch.store.search.search` (FTS5 on SQLite, tsvector on PostgreSQL). A query the
search language does not allow (an unbalanced quote, parentheses, a dangling OR, only excluded
words) is a 400 with the reason, never a 500. Snippets are escaped before their `<mark>`s are added
(store/search.mark), so a document's markup is shown as text.

    /search?q=hospital+%22cluster+munitions%22&kind=claim
    GET /api/search?q=kharkiv*&limit=20&offset=0
"""
from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from ..store import search as store_search
from . import query
from .api import Problem, _answers
from .auth import Viewer, api_reader, page_reader

router = APIRouter()
PAGE = 20
MAX_LIMIT = 100


class Hit(BaseModel):
    kind: Literal["document", "claim"]
    doc_id: str
    version: int
    title: str | None
    publisher: str | None
    published: str | None
    claim: str | None
    incident_id: str | None
    snippet: str
    snippet_html: str
    start: int
    end: int
    matches: list[list[int]]
    score: float


class SearchAnswer(BaseModel):
    query: str
    total: int
    limit: int
    offset: int
    hits: list[Hit]


@router.get("/api/search", tags=["api"], response_model=SearchAnswer,
            summary="Full-text search over documents (title, text) and claim quotes, best first",
            responses={**_answers(401), 400: {"model": Problem, "description": "a query the search language does not "
                                                                               "allow (the detail says why)"}})
def api_search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=store_search.MAX_QUERY_CHARS,
                   description='words (all must match), "a phrase", word* (prefix), a OR b, -word or NOT word'),
    kind: Literal["document", "claim"] | None = Query(None, description="only documents or only claims"),
    limit: int = Query(PAGE, ge=0, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=query.MAX_INT),
    viewer: Viewer = Depends(api_reader),
) -> dict:
    try:
        res = store_search.search(request.app.state.db, q, limit=limit, offset=offset, kind=kind)
    except store_search.QueryError as e:
        raise HTTPException(400, str(e)) from None
    return {"query": q, "total": res.total, "limit": limit, "offset": offset, "hits": [h.to_dict() for h in res.hits]}


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(request: Request, viewer: Viewer = Depends(page_reader)):
    from .pages import render
    params = request.query_params
    q = (params.get("q") or "").strip()
    kind = params.get("kind") if params.get("kind") in store_search.KINDS else None
    error, res, status = None, None, 200
    try:
        offset = query.whole_number("offset", params.get("offset") or "0")
    except query.FilterError as e:
        offset, error, status = 0, str(e), 400
    if q and error is None:
        try:
            res = store_search.search(request.app.state.db, q, limit=PAGE, offset=offset, kind=kind)
        except store_search.QueryError as e:
            error, status = str(e), 400
    pages = {}
    if res is not None:
        base = {"q": q, **({"kind": kind} if kind else {})}
        if offset > 0:
            pages["prev"] = "/search?" + urlencode({**base, **({"offset": offset - PAGE} if offset > PAGE else {})})
        if offset + PAGE < res.total:
            pages["next"] = "/search?" + urlencode({**base, "offset": offset + PAGE})
    return render(request, "search.html", status_code=status, q=q, kind=kind, res=res, error=error, offset=offset,
                  pages=pages)
